/*
 * prefpage.c -- what the preference center's pages share (see
 * prefpage.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "lang.h"
#include "log.h"
#include "mail.h"
#include "optout.h"
#include "page.h"
#include "preflink.h"
#include "prefpage.h"
#include "request.h"
#include "utc.h"
#include "validate.h"

static struct pf_lists	 lists;		/* mailing_lists, pf_prefp_start */

int
pf_prefp_start(struct pf_app *app)
{
	char	*why = NULL;

	if (pf_lists_load_config(app->cfg, &lists, &why) == PF_OK)
		return 0;
	pf_log(PF_LOG_ERR, "mailing_lists: %s", why != NULL ? why :
	    "out of memory");
	free(why);
	return 1;
}

void
pf_prefp_stop(void)
{
	pf_lists_clear(&lists);
}

const struct pf_lists *
pf_prefp_lists(void)
{
	return &lists;
}

/* a followed by b: a new string, or NULL. */
char *
pf_prefp_joined(const char *a, const char *b)
{
	size_t	 n = strlen(a) + strlen(b) + 1;
	char	*s;

	if ((s = malloc(n)) != NULL)
		snprintf(s, n, "%s%s", a, b);
	return s;
}

/* A list's name in the current language. */
const char *
pf_prefp_list_name(const char *id)
{
	const struct pf_mlist	*l = pf_lists_find(&lists, id);

	return l != NULL ? _(l->name) : id;
}

/* Template name filled by fill, 200; a failure is answered 500. */
void
pf_prefp_send_page(struct pf_app *app, struct pf_request *req, const char *name,
    pf_prefp_fill *fill)
{
	struct pf_page	*page = NULL;
	int		 rc;

	if ((rc = pf_page_new(app->pages, name, &page)) == PF_OK)
		rc = fill(app, req, page);
	pf_app_send_page(app, req, rc, page);
}

/* req answered for the failure rc: 503 for the store's, else 500. */
void
pf_prefp_fail(struct pf_app *app, struct pf_request *req, int rc)
{
	if (rc == PF_EBUSY || rc == PF_ESTORE)
		pf_app_unavailable(app, req);
	else
		pf_app_fail(app, req);
}

/* ---- the change a handler asks subscription.h for ---- */

/* w for address on channel, before the transaction (its pseudonym). */
int
pf_prefp_who_of(struct pf_app *app, const struct pf_request *req,
    const char *channel, const char *address, struct pf_prefp_who *w)
{
	w->channel = channel;
	w->address = address;
	w->request_id = req->id;
	return pf_sub_subject(&app->keys, channel, address, w->subject);
}

struct pf_sub_change
pf_prefp_change_of(const struct pf_prefp_who *w, const char *list,
    const char *method, const char *now)
{
	struct pf_sub_change	 c;

	memset(&c, 0, sizeof(c));
	c.channel = w->channel;
	c.address = w->address;
	c.list = list;
	c.method = method;
	c.language = pf_lang_current();
	c.subject = w->subject;
	c.request_id = w->request_id;
	c.now = now;
	return c;
}

/*
 * Queue template to to, inside the open transaction: its link url, the
 * days it lasts, the site, and (name not NULL) the list's name.
 */
int
pf_prefp_queue_mail(struct pf_app *app, const char *template, const char *to,
    const char *url, long days, const char *name, const char *subject)
{
	const char	*values[] = { "link", url, "days", NULL, "site", NULL,
	    name != NULL ? "list" : NULL, name, NULL };
	char		*site, n[24];
	int		 rc;

	snprintf(n, sizeof(n), "%ld", days);
	values[3] = n;
	if ((site = pf_app_url(app, "/")) == NULL)
		return PF_ENOMEM;
	values[5] = site;
	rc = pf_mail_enqueue(app->st, template, to, values, subject, NULL);
	free(site);
	return rc;
}

/*
 * The double opt-in mail for a pending subscription of address (an email
 * key) to list, asked for at requested.
 */
static int
confirm_mail(struct pf_app *app, const char *address, const char *list,
    const char *requested, const char *subject)
{
	const char	*why;
	char		*url;
	int		 rc;

	if ((rc = pf_pref_confirm_link(app->cfg, &app->keys, "email", address,
	    list, requested, NULL, time(NULL), &url, &why)) == PF_OK)
		rc = pf_prefp_queue_mail(app, "subscribe-confirm", address, url,
		    app->cfg->subscribe_confirm_days, pf_prefp_list_name(list),
		    subject);
	free(url);
	return rc;
}

/*
 * Subscribe w to list by method inside the open transaction:
 * pf_sub_request, and the confirmation mail (counted against the
 * address's limit where a form asked) when that left it pending on an
 * email list.  *pending says so.  Asked again while pending, the mail
 * goes again with a link for the same request, so that the link mailed
 * first still confirms and a lost mail can be had again.
 */
int
pf_prefp_subscribe(struct pf_app *app, const struct pf_prefp_who *w,
    const char *list, const char *method, int *pending)
{
	struct pf_sub_change	 c;
	char			 now[PF_TIME_SIZE];
	int			 rc, changed, state = PF_SUB_NONE;

	pf_utc_now(now);
	c = pf_prefp_change_of(w, list, method, now);
	*pending = 0;
	if ((rc = pf_sub_request(&app->tx, &lists, &c, &changed)) != PF_OK ||
	    (rc = pf_sub_state(app->st, w->channel, w->address, list,
	    &state)) != PF_OK)
		return rc;
	*pending = state == PF_SUB_PENDING;
	if (!*pending || strcmp(w->channel, "email") != 0)
		return PF_OK;
	if (!changed && (rc = pf_sub_requested(app->st, w->channel,
	    w->address, list, now)) != PF_OK)
		return rc;
	return confirm_mail(app, w->address, list, now, w->subject);
}

/*
 * A valid, screened submission for the email address of form's field:
 * stored by store in one transaction, counted against the address's
 * limit (guard.h), 303 to done; or, through show, the form again with
 * the guard's notice, or 503.
 */
void
pf_prefp_guarded(struct pf_app *app, struct pf_request *req,
    const struct pf_form *form, size_t field, const char *list,
    struct pf_guard *g, const char *done, pf_guard_show *show,
    pf_prefp_store *store)
{
	struct pf_prefp_who	 w;
	char			*key, mailed[PF_HEX_DIGEST_LEN + 1];
	int			 rc;

	if ((key = pf_email_key(form->v[field].value)) == NULL) {
		pf_app_fail(app, req);
		return;
	}
	if ((rc = pf_prefp_who_of(app, req, "email", key, &w)) == PF_OK &&
	    (rc = pf_guard_address(app, key, mailed)) == PF_OK &&
	    (rc = pf_app_begin(app)) == PF_OK) {
		if ((rc = pf_guard_admit(app, g, mailed)) != PF_OK ||
		    (rc = store(app, &w, list)) != PF_OK ||
		    (rc = pf_app_commit(app)) != PF_OK)
			pf_app_rollback(app);
	}
	if (rc == PF_OK)
		pf_app_redirect(app, req, done);
	else
		pf_guard_failed(app, req, form, show, g, rc);
	free(key);
}

/*
 * t (NULL: none) checked as a link of kind k, its language followed, the
 * list it names in the table; non-zero once answered when it is bad.
 */
int
pf_prefp_check_link(struct pf_app *app, struct pf_request *req,
    const struct pf_prefp_link *k, const struct pf_param *t,
    struct pf_token *tok)
{
	int	 rc;

	rc = t != NULL ? k->check(&app->keys, t->value, time(NULL), tok) :
	    PF_EFORGED;
	if (rc == PF_OK && k->list >= 0 &&
	    pf_lists_find(&lists, tok->fields[k->list]) == NULL) {
		pf_token_clear(tok);
		rc = PF_ENOTFOUND;
	}
	if (rc == PF_OK)
		return 0;
	k->bad(app, req, rc);
	return 1;
}

void
pf_prefp_link_page(struct pf_app *app, struct pf_request *req,
    const struct pf_prefp_link *k, const char *name, pf_prefp_link_fill *fill)
{
	const struct pf_param	*t = pf_request_query(req, "t");
	struct pf_token		 tok = { 0 };
	struct pf_page		*page = NULL;
	char			*masked = NULL;
	int			 rc;

	if (pf_prefp_check_link(app, req, k, t, &tok))
		return;
	if ((masked = pf_optout_mask(tok.fields[k->channel],
	    tok.fields[k->address])) == NULL)
		rc = PF_ENOMEM;
	else if ((rc = pf_page_new(app->pages, name, &page)) == PF_OK)
		rc = fill(app, page, &tok, t->value, masked);
	if (rc == PF_OK)
		pf_page_send(req, 200, page, NULL, 0);
	else
		pf_prefp_fail(app, req, rc);
	pf_page_free(page);
	free(masked);
	pf_token_clear(&tok);
}

/*
 * The name of the list ?KEY= names (the signup's "subscribed", the
 * confirmation's "confirmed"), and whether it asks for double opt-in
 * (also when it is not in the table: "check your inbox" is never wrong).
 */
const char *
pf_prefp_answer_list(struct pf_request *req, const char *key, int *doi)
{
	const struct pf_param	*q = pf_request_query(req, key);
	const struct pf_mlist	*l = pf_lists_find(&lists, q->value);

	*doi = l == NULL || l->double_opt_in;
	return l != NULL ? _(l->name) : _("our mailing list");
}
