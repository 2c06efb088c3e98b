/*
 * pref_confirm.c -- the double opt-in confirmation (see pref_confirm.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "badlink.h"
#include "err.h"
#include "lang.h"
#include "page.h"
#include "pref_confirm.h"
#include "preflink.h"
#include "prefpage.h"
#include "request.h"
#include "token.h"

/* A bad confirmation link, or one of a list no longer in the table. */
static void
bad_confirm(struct pf_app *app, struct pf_request *req, int rc)
{
	pf_badlink(app, req, PF_BADLINK_SUBSCRIBE, rc);
}

/* The confirmation link: how it is checked, and answered when bad. */
static const struct pf_prefp_link confirm_link = { pf_pref_confirm_check,
    bad_confirm, PF_CONFIRM_LIST, PF_CONFIRM_CHANNEL, PF_CONFIRM_ADDRESS };

static int
fill_confirmed(struct pf_app *app, struct pf_request *req,
    struct pf_page *page)
{
	int	 doi;

	(void)app;
	return pf_page_text(page, "confirmed-name", pf_prefp_answer_list(req,
	    "confirmed", &doi));
}

void
pf_prefconfirm_answer(struct pf_app *app, struct pf_request *req)
{
	pf_prefp_send_page(app, req, "preferences-confirmed", fill_confirmed);
}

/* ---- the double opt-in confirmation ---- */

/* The page of link tok (token t, its address masked): one button. */
static int
fill_confirm(struct pf_app *app, struct pf_page *page,
    const struct pf_token *tok, const char *t, const char *masked)
{
	const char	*name = pf_prefp_list_name(tok->fields[PF_CONFIRM_LIST]);
	char		 button[512];
	int		 rc;

	(void)app;
	snprintf(button, sizeof(button), _("Confirm my subscription to %s"),
	    name);
	if ((rc = pf_page_text(page, "confirm-name", name)) != PF_OK ||
	    (rc = pf_page_text(page, "confirm-address", masked)) != PF_OK ||
	    (rc = pf_page_text(page, "confirm-button", button)) != PF_OK)
		return rc;
	return pf_page_attr(page, "confirm-token", "value", t);
}

/* GET: one button.  Changes nothing. */
void
pf_prefconfirm_show(struct pf_app *app, struct pf_request *req)
{
	pf_prefp_link_page(app, req, &confirm_link, "preferences-confirm",
	    fill_confirm);
}

/* POST: the subscription confirmed, or 400 if it is no longer pending. */
void
pf_prefconfirm_post(struct pf_app *app, struct pf_request *req)
{
	const struct pf_param	*t;
	struct pf_token		 tok = { 0 };
	struct pf_sub_change	 c;
	struct pf_prefp_who	 w;
	char			*path = NULL;
	int			 rc, changed, state = PF_SUB_NONE;

	if (pf_app_read_form(app, req) != PF_OK)
		return;
	t = pf_request_field(req, "t");
	if (pf_prefp_check_link(app, req, &confirm_link, t, &tok))
		return;
	if ((rc = pf_prefp_who_of(app, req, tok.fields[PF_CONFIRM_CHANNEL],
	    tok.fields[PF_CONFIRM_ADDRESS], &w)) == PF_OK &&
	    (rc = pf_app_begin(app)) == PF_OK) {
		c = pf_prefp_change_of(&w, tok.fields[PF_CONFIRM_LIST],
		    "confirm", NULL);
		if ((rc = pf_sub_confirm(&app->tx, pf_prefp_lists(), &c,
		    tok.fields[PF_CONFIRM_REQUESTED], &changed)) != PF_OK ||
		    (rc = pf_sub_state(app->st, c.channel, c.address, c.list,
		    &state)) != PF_OK || (rc = pf_app_commit(app)) != PF_OK)
			pf_app_rollback(app);
	}
	if (rc == PF_OK && state != PF_SUB_SUBSCRIBED)
		pf_badlink(app, req, PF_BADLINK_SUBSCRIBE, PF_ENOTFOUND);
	else if (rc == PF_OK && (path = pf_prefp_joined(
	    "/preferences/confirm?confirmed=", tok.fields[PF_CONFIRM_LIST])) !=
	    NULL)
		pf_app_redirect(app, req, path);
	else
		pf_prefp_fail(app, req, rc);
	free(path);
	pf_token_clear(&tok);
}
