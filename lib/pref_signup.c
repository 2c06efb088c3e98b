/*
 * pref_signup.c -- a mailing list's signup (see pref_signup.h).
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "form.h"
#include "guard.h"
#include "lang.h"
#include "page.h"
#include "pref_signup.h"
#include "prefpage.h"
#include "request.h"
#include "stamp.h"
#include "validate.h"

static const char *valid_signup_list(const char *in, const void *arg,
    char **norm);

enum { S_ADDRESS, S_LIST, S__MAX };

static const struct pf_field signup_fields[S__MAX] = {
	[S_ADDRESS] = { "address", pf_valid_email, NULL, 1, 254, 0,
	    N_("Email address"), N_("Enter your email address.") },
	[S_LIST] = { "list", valid_signup_list, NULL, 1, PF_LIST_ID_MAX, 0,
	    N_("Mailing list"), N_("Choose a mailing list.") },
};

/* An email list of the table: what the signup form takes. */
static const char *
valid_signup_list(const char *in, const void *arg, char **norm)
{
	const struct pf_mlist	*l = pf_lists_find(pf_prefp_lists(), in);

	(void)arg;
	*norm = NULL;
	if (l == NULL || strcmp(l->channel, "email") != 0)
		return _("Choose a mailing list of this site.");
	if ((*norm = strdup(in)) == NULL)
		return _("Could not read the form; please try again.");
	return NULL;
}

/* The signup page for form's (or the query's) list: 404 without one. */
static void
show_signup(struct pf_app *app, struct pf_request *req, int status,
    const struct pf_form *form, const struct pf_notice *notice)
{
	const struct pf_param	*q = pf_request_query(req, "list");
	const struct pf_mlist	*l;
	struct pf_page		*page = NULL;
	const char		*id;
	int			 rc;

	id = form != NULL ? form->v[S_LIST].value : q != NULL ? q->value : NULL;
	if (id == NULL || (l = pf_lists_find(pf_prefp_lists(), id)) == NULL ||
	    strcmp(l->channel, "email") != 0) {
		pf_page_message(app->pages, req, 404, _("No such mailing list"),
		    _("This signup form names a mailing list we do not have. "
		    "Please tell the site where you found it."), NULL, 0);
		return;
	}
	if ((rc = pf_page_new(app->pages, "preferences-subscribe", &page)) ==
	    PF_OK && (rc = pf_page_text(page, "sub-name", _(l->name))) ==
	    PF_OK && (rc = pf_page_text(page, "sub-description",
	    _(l->description))) == PF_OK &&
	    (rc = pf_page_value(page, "list", l->id)) == PF_OK &&
	    !l->double_opt_in)
		rc = pf_page_remove(page, "sub-double");
	pf_app_send_prepared(app, req, rc, status, page, form, notice);
}

void
pf_prefsignup_page(struct pf_app *app, struct pf_request *req)
{
	show_signup(app, req, 200, NULL, NULL);
}

/* The signup's store: the request, and its confirmation mail. */
static int
signup_store(struct pf_app *app, const struct pf_prefp_who *w, const char *list)
{
	int	 pending;

	return pf_prefp_subscribe(app, w, list, "signup", &pending);
}

void
pf_prefsignup_post(struct pf_app *app, struct pf_request *req)
{
	struct pf_form	 form;
	struct pf_guard	 g;
	char		*done = NULL;

	if (pf_app_read_fields(app, req, signup_fields, S__MAX, &form) !=
	    PF_OK)
		goto out;
	/* The pasted snippet has no stamp: our page, filled in, has one. */
	if (pf_request_field(req, PF_STAMP_FIELD) == NULL)
		show_signup(app, req, form.nerrors > 0 ? 422 : 200, &form,
		    NULL);
	else if ((done = pf_prefp_joined("/preferences/subscribe?subscribed=",
	    form.v[S_LIST].value != NULL ? form.v[S_LIST].value : "")) == NULL)
		pf_app_fail(app, req);
	else if (!pf_guard_form(app, req, PF_GUARD_PREFERENCES, done, &form,
	    show_signup, &g))
		pf_prefp_guarded(app, req, &form, S_ADDRESS,
		    form.v[S_LIST].value, &g, done, show_signup, signup_store);
out:
	free(done);
	pf_form_free(&form);
}

/* The signup's answer: "check your inbox" or "you are subscribed". */
static int
fill_subscribed(struct pf_app *app, struct pf_request *req,
    struct pf_page *page)
{
	const char	*name;
	int		 rc, doi;

	(void)app;
	name = pf_prefp_answer_list(req, "subscribed", &doi);
	if ((rc = pf_page_remove(page, doi ? "subd-done" : "subd-confirm")) ==
	    PF_OK)
		rc = pf_page_text(page, doi ? "subd-confirm-name" :
		    "subd-done-name", name);
	return rc;
}

void
pf_prefsignup_answer(struct pf_app *app, struct pf_request *req)
{
	pf_prefp_send_page(app, req, "preferences-subscribed", fill_subscribed);
}

int
pf_prefsignup_cross_site(struct pf_app *app, struct pf_request *req)
{
	if (pf_app_read_form(app, req) != PF_OK)
		return 1;
	return pf_request_field(req, PF_STAMP_FIELD) != NULL &&
	    pf_app_cross_site(app, req);
}
