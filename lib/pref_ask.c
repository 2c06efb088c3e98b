/*
 * pref_ask.c -- the preference center's ask-for-a-link form (see
 * pref_ask.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "guard.h"
#include "lang.h"
#include "optout.h"
#include "page.h"
#include "pref_ask.h"
#include "preflink.h"
#include "prefpage.h"
#include "request.h"
#include "store.h"
#include "validate.h"

#define SENT		"/preferences?sent"

enum { A_EMAIL, A__MAX };

static const struct pf_field ask_fields[A__MAX] = {
	[A_EMAIL] = { "email", pf_valid_email, NULL, 1, 254, 0,
	    N_("Email address"), N_("Enter your email address.") },
};

void
pf_prefask_show(struct pf_app *app, struct pf_request *req, int status,
    const struct pf_form *form, const struct pf_notice *notice)
{
	struct pf_page	*page = NULL;
	int		 rc;

	rc = pf_page_new(app->pages, "preferences", &page);
	pf_app_send_prepared(app, req, rc, status, page, form, notice);
}

/* An opt-out of channel email among address's: *(int *)arg set. */
static int
email_optout(const struct pf_optout *o, void *arg)
{
	if (strcmp(o->channel, "email") == 0)
		*(int *)arg = 1;
	return PF_OK;
}

/* Whether address (an email key) has a subscription or an opt-out. */
static int
known(struct pf_app *app, const char *address, int *yes)
{
	const struct pf_lists	*lists = pf_prefp_lists();
	size_t			 i;
	int			 rc, state;

	*yes = 0;
	if ((rc = pf_store_optout_of(app->st, address, email_optout,
	    yes)) != PF_OK)
		return rc;
	for (i = 0; i < lists->n && !*yes; i++) {
		if (strcmp(lists->lists[i].channel, "email") != 0)
			continue;
		if ((rc = pf_sub_state(app->st, "email", address,
		    lists->lists[i].id, &state)) != PF_OK)
			return rc;
		*yes = state != PF_SUB_NONE;
	}
	return PF_OK;
}

/* The preference link's mail to address (an email key). */
static int
link_mail(struct pf_app *app, const char *address, const char *subject)
{
	const char	*why;
	char		*url;
	int		 rc;

	if ((rc = pf_pref_link(app->cfg, &app->keys, "email", address, NULL,
	    time(NULL), &url, &why)) == PF_OK)
		rc = pf_prefp_queue_mail(app, "preferences-link", address, url,
		    app->cfg->preferences_link_days, NULL, subject);
	free(url);
	return rc;
}

/* The ask form's store: the link mailed only to a known address. */
static int
ask_store(struct pf_app *app, const struct pf_prefp_who *w, const char *list)
{
	int	 rc, yes;

	(void)list;
	if ((rc = known(app, w->address, &yes)) == PF_OK && yes)
		rc = link_mail(app, w->address, w->subject);
	return rc;
}

void
pf_prefask_post(struct pf_app *app, struct pf_request *req)
{
	struct pf_form	 form;
	struct pf_guard	 g;

	memset(&form, 0, sizeof(form));
	if (pf_form_validate(ask_fields, A__MAX, req, &form) != PF_OK)
		pf_app_fail(app, req);
	else if (!pf_guard_form(app, req, PF_GUARD_PREFERENCES, SENT, &form,
	    pf_prefask_show, &g))
		pf_prefp_guarded(app, req, &form, A_EMAIL, NULL, &g, SENT,
		    pf_prefask_show, ask_store);
	pf_form_free(&form);
}

void
pf_prefask_page(struct pf_app *app, struct pf_request *req)
{
	pf_prefask_show(app, req, 200, NULL, NULL);
}

/* The link's validity on the "check your inbox" page. */
static int
fill_sent(struct pf_app *app, struct pf_request *req, struct pf_page *page)
{
	char	 days[24];

	(void)req;
	snprintf(days, sizeof(days), "%ld", app->cfg->preferences_link_days);
	return pf_page_text(page, "sent-days", days);
}

void
pf_prefask_sent(struct pf_app *app, struct pf_request *req)
{
	pf_prefp_send_page(app, req, "preferences-sent", fill_sent);
}
