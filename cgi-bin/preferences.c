/*
 * preferences.c -- /privacy/preferences, the preference center (issue 22):
 * which of the company's mailing lists (lists.h) a person receives, by a
 * signed link (preflink.h), without an account; and a list's signup form,
 * with double opt-in where the list asks for it.
 *
 * The routes (the table at the end, in its order):
 *
 *	GET  preferences?t=TOKEN	every list of the link's channel with
 *				its state and a checkbox, "Save my choices" and
 *				"Stop all"; changes nothing (link scanners); a
 *				forged or expired link: the ask form, 400,
 *				saying so
 *	GET  preferences?done=TOKEN	what the last save changed (the 303
 *				target), from a token: nothing stored to look
 *				up; without a valid one, only that the choices
 *				are recorded
 *	GET  preferences?sent	"check your inbox", whether or not the
 *				address was known
 *	GET  preferences		the ask form: one email address
 *	POST preferences		with t (in the body): each difference
 *				applied at once (subscription.h), or with
 *				action=stop every list of the channel; 303 to
 *				?done.  Without t: the ask form, guarded; the
 *				link mailed only to an address that has a
 *				subscription or an opt-out; 303 to ?sent either
 *				way; 422, 429, 503
 *	GET  preferences/subscribe?subscribed=LIST	the signup's answer:
 *				"check your inbox" (double opt-in) or "you are
 *				subscribed", never whether the address was
 *				subscribed before
 *	GET  preferences/subscribe	the signup page of ?list=LIST; 404
 *				for a list that is not an email list of the table
 *	POST preferences/subscribe	address and list.  From the snippet
 *				(htdocs/snippets/subscribe.html, no stamp), on
 *				a page of any website: the signup page with
 *				them filled in, nothing stored; from that page
 *				(stamped; 403 from another website's page, see
 *				screen): guarded, pf_sub_request, the
 *				confirmation mail for a double opt-in list;
 *				303, 422, 429, 503
 *	GET  preferences/confirm?confirmed=LIST	"you are subscribed"
 *	GET  preferences/confirm	one button (?t=TOKEN); changes nothing;
 *				a bad link: badlink.h, 400
 *	POST preferences/confirm	t in the body: pf_sub_confirm, 303 to
 *				?confirmed (the same twice); a link whose
 *				subscription is not pending under it (dropped,
 *				asked for again since), 400
 *
 * and, as every program (program.h), GET preferences/challenge, 400, 403
 * (another website's page), 404, 405, 413, 415.  Links carry the language
 * they were made in; list names and descriptions are shown through
 * gettext.  A text-message list with double opt-in stays pending: there
 * is no way to send it a confirmation yet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "badlink.h"
#include "err.h"
#include "form.h"
#include "guard.h"
#include "keys.h"
#include "lang.h"
#include "lists.h"
#include "log.h"
#include "mail.h"
#include "optout.h"
#include "page.h"
#include "preflink.h"
#include "program.h"
#include "request.h"
#include "stamp.h"
#include "store.h"
#include "subscription.h"
#include "token.h"
#include "utc.h"
#include "validate.h"

#define SENT		"/preferences?sent"
#define DONE_PURPOSE	"pref-done"
#define DONE_SECONDS	3600
#define IDS_MAX		(PF_LISTS_MAX * (PF_LIST_ID_MAX + 1) + 1)

static struct pf_lists	 lists;		/* mailing_lists, loaded by start */

static const char *valid_signup_list(const char *in, const void *arg,
    char **norm);

enum { A_EMAIL, A__MAX };
enum { S_ADDRESS, S_LIST, S__MAX };

static const struct pf_field ask_fields[A__MAX] = {
	[A_EMAIL] = { "email", pf_valid_email, NULL, 1, 254, 0,
	    N_("Email address"), N_("Enter your email address.") },
};

static const struct pf_field signup_fields[S__MAX] = {
	[S_ADDRESS] = { "address", pf_valid_email, NULL, 1, 254, 0,
	    N_("Email address"), N_("Enter your email address.") },
	[S_LIST] = { "list", valid_signup_list, NULL, 1, PF_LIST_ID_MAX, 0,
	    N_("Mailing list"), N_("Choose a mailing list.") },
};

/* What a forged or expired preference link gets: the ask form, saying so. */
static const struct pf_notice link_forged = { N_("This link to your "
    "preferences is not complete: it may have been cut short or changed. "
    "Enter your email address and we will send you a new one."), 0, 0 };
static const struct pf_notice link_expired = { N_("This link to your "
    "preferences has expired. Enter your email address and we will send "
    "you a new one."), 0, 0 };

/* An email list of the table: what the signup form takes. */
static const char *
valid_signup_list(const char *in, const void *arg, char **norm)
{
	const struct pf_mlist	*l = pf_lists_find(&lists, in);

	(void)arg;
	*norm = NULL;
	if (l == NULL || strcmp(l->channel, "email") != 0)
		return _("Choose a mailing list of this site.");
	if ((*norm = strdup(in)) == NULL)
		return _("Could not read the form; please try again.");
	return NULL;
}

/* a followed by b: a new string, or NULL. */
static char *
joined(const char *a, const char *b)
{
	size_t	 n = strlen(a) + strlen(b) + 1;
	char	*s;

	if ((s = malloc(n)) != NULL)
		snprintf(s, n, "%s%s", a, b);
	return s;
}

/* A list's name in the current language. */
static const char *
list_name(const char *id)
{
	const struct pf_mlist	*l = pf_lists_find(&lists, id);

	return l != NULL ? _(l->name) : id;
}

/* What fills a page a GET shows as it is (send_page). */
typedef int page_fill(struct pf_app *app, struct pf_request *req,
    struct pf_page *page);

/* Template name filled by fill, 200; a failure is answered 500. */
static void
send_page(struct pf_app *app, struct pf_request *req, const char *name,
    page_fill *fill)
{
	struct pf_page	*page = NULL;

	if (pf_page_new(app->pages, name, &page) != PF_OK ||
	    fill(app, req, page) != PF_OK)
		pf_app_fail(app, req);
	else
		pf_page_send(req, 200, page, NULL, 0);
	pf_page_free(page);
}

/* ---- the change a handler asks subscription.h for ---- */

/* Whose subscriptions a request changes, as its records name them. */
struct who {
	const char	*channel;
	const char	*address;	/* email key or E.164 number */
	const char	*request_id;
	char		 subject[PF_HEX_DIGEST_LEN + 1];
};

/* w for address on channel, before the transaction (its pseudonym). */
static int
who_of(struct pf_app *app, const struct pf_request *req, const char *channel,
    const char *address, struct who *w)
{
	w->channel = channel;
	w->address = address;
	w->request_id = req->id;
	return pf_sub_subject(&app->keys, channel, address, w->subject);
}

static struct pf_sub_change
change_of(const struct who *w, const char *list, const char *method,
    const char *now)
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
static int
queue_mail(struct pf_app *app, const char *template, const char *to,
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
		rc = queue_mail(app, "subscribe-confirm", address, url,
		    app->cfg->subscribe_confirm_days, list_name(list), subject);
	free(url);
	return rc;
}

/*
 * Subscribe w to list by method inside the open transaction:
 * pf_sub_request, and the confirmation mail (a new link each time,
 * counted against the address's limit where a form asked) when that left
 * it pending on an email list.  *pending says so.
 */
static int
subscribe(struct pf_app *app, const struct who *w, const char *list,
    const char *method, int *pending)
{
	struct pf_sub_change	 c;
	char			 now[PF_TIME_SIZE];
	int			 rc, changed, state = PF_SUB_NONE;

	pf_utc_now(now);
	c = change_of(w, list, method, now);
	*pending = 0;
	if ((rc = pf_sub_request(&app->tx, &lists, &c, &changed)) != PF_OK ||
	    (rc = pf_sub_state(app->st, w->channel, w->address, list,
	    &state)) != PF_OK)
		return rc;
	*pending = state == PF_SUB_PENDING;
	if (*pending && changed && strcmp(w->channel, "email") == 0)
		rc = confirm_mail(app, w->address, list, now, w->subject);
	return rc;
}

/* ---- the ask form: a link mailed to a known address ---- */

static void
show_ask(struct pf_app *app, struct pf_request *req, int status,
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
	size_t	 i;
	int	 rc, state;

	*yes = 0;
	if ((rc = pf_store_optout_of(app->st, address, email_optout,
	    yes)) != PF_OK)
		return rc;
	for (i = 0; i < lists.n && !*yes; i++) {
		if (strcmp(lists.lists[i].channel, "email") != 0)
			continue;
		if ((rc = pf_sub_state(app->st, "email", address,
		    lists.lists[i].id, &state)) != PF_OK)
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
		rc = queue_mail(app, "preferences-link", address, url,
		    app->cfg->preferences_link_days, NULL, subject);
	free(url);
	return rc;
}

/* What a guarded form stores for w (list: the signup's), in its transaction. */
typedef int form_store(struct pf_app *app, const struct who *w,
    const char *list);

/*
 * A valid, screened submission for the email address of form's field:
 * stored by store in one transaction, counted against the address's
 * limit (guard.h), 303 to done; or, through show, the form again with
 * the guard's notice, or 503.
 */
static void
guarded(struct pf_app *app, struct pf_request *req, const struct pf_form *form,
    size_t field, const char *list, struct pf_guard *g, const char *done,
    pf_guard_show *show, form_store *store)
{
	struct who	 w;
	char		*key, mailed[PF_HEX_DIGEST_LEN + 1];
	int		 rc;

	if ((key = pf_email_key(form->v[field].value)) == NULL) {
		pf_app_fail(app, req);
		return;
	}
	if ((rc = who_of(app, req, "email", key, &w)) == PF_OK &&
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

/* The ask form's store: the link mailed only to a known address. */
static int
ask_store(struct pf_app *app, const struct who *w, const char *list)
{
	int	 rc, yes;

	(void)list;
	if ((rc = known(app, w->address, &yes)) == PF_OK && yes)
		rc = link_mail(app, w->address, w->subject);
	return rc;
}

/* The ask form's submission, once its body is read. */
static void
ask(struct pf_app *app, struct pf_request *req)
{
	struct pf_form	 form;
	struct pf_guard	 g;

	memset(&form, 0, sizeof(form));
	if (pf_form_validate(ask_fields, A__MAX, req, &form) != PF_OK)
		pf_app_fail(app, req);
	else if (!pf_guard_form(app, req, PF_GUARD_PREFERENCES, SENT, &form,
	    show_ask, &g))
		guarded(app, req, &form, A_EMAIL, NULL, &g, SENT, show_ask,
		    ask_store);
	pf_form_free(&form);
}

static void
ask_page(struct pf_app *app, struct pf_request *req)
{
	show_ask(app, req, 200, NULL, NULL);
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

static void
show_sent(struct pf_app *app, struct pf_request *req)
{
	send_page(app, req, "preferences-sent", fill_sent);
}

/* ---- the preference page ---- */

/* A bad preference link: the ask form (400) saying why. */
static void
bad_pref(struct pf_app *app, struct pf_request *req, int rc)
{
	if (rc == PF_EFORGED || rc == PF_EEXPIRED)
		show_ask(app, req, 400, NULL, rc == PF_EEXPIRED ?
		    &link_expired : &link_forged);
	else
		pf_app_fail(app, req);
}

/* A bad confirmation link, or one of a list no longer in the table. */
static void
bad_confirm(struct pf_app *app, struct pf_request *req, int rc)
{
	pf_badlink(app, req, PF_BADLINK_SUBSCRIBE, rc);
}

/* The two kinds of link: how each is checked, and answered when bad. */
static const struct link {
	int	(*check)(const struct pf_keys *, const char *, time_t,
		    struct pf_token *);
	void	(*bad)(struct pf_app *, struct pf_request *, int);
	int	 list;		/* its list id's field, or -1 */
} pref_link = { pf_pref_check, bad_pref, -1 },
  confirm_link = { pf_pref_confirm_check, bad_confirm, PF_CONFIRM_LIST };

/*
 * t (NULL: none) checked as a link of kind k, its language followed, the
 * list it names in the table; non-zero once answered when it is bad.
 */
static int
check_link(struct pf_app *app, struct pf_request *req, const struct link *k,
    const struct pf_param *t, struct pf_token *tok)
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

/* What the page shows of one list: its ids, for its attributes. */
struct row {
	char	 id[PF_LIST_ID_MAX + 6];	/* "list-" ID */
	char	 state_id[PF_LIST_ID_MAX + 12];
	char	 desc_id[PF_LIST_ID_MAX + 11];
	char	 described[2 * PF_LIST_ID_MAX + 24];
};

/* What the page says of each state (subscription.h's PF_SUB_*). */
static const struct {
	int		 state;
	const char	*text;
} state_texts[] = {
	{ PF_SUB_NONE, N_("Not subscribed") },
	{ PF_SUB_PENDING,
	    N_("Waiting for your confirmation: see the email we sent") },
	{ PF_SUB_SUBSCRIBED, N_("Subscribed") },
};

static const char *
state_text(int state)
{
	size_t	 i;

	for (i = 0; i < nitems(state_texts); i++)
		if (state_texts[i].state == state)
			return _(state_texts[i].text);
	return _(state_texts[0].text);
}

/* The cells of the lists of channel, their states read, and their ids. */
static int
read_lists(struct pf_app *app, const char *channel, const char *address,
    const char **cells, const char **checked, struct row *rows, size_t *n)
{
	size_t	 i;
	int	 rc, state;

	*n = 0;
	if ((rc = pf_app_begin_read(app)) != PF_OK)
		return rc;
	for (i = 0; i < lists.n && rc == PF_OK; i++) {
		const struct pf_mlist *l = &lists.lists[i];
		struct row *r = &rows[*n];

		if (strcmp(l->channel, channel) != 0 ||
		    (rc = pf_sub_state(app->st, channel, address, l->id,
		    &state)) != PF_OK)
			continue;
		snprintf(r->id, sizeof(r->id), "list-%s", l->id);
		snprintf(r->state_id, sizeof(r->state_id), "list-%s-state",
		    l->id);
		snprintf(r->desc_id, sizeof(r->desc_id), "list-%s-desc", l->id);
		snprintf(r->described, sizeof(r->described),
		    "list-%s-state list-%s-desc", l->id, l->id);
		cells[*n * 4] = NULL;
		cells[*n * 4 + 1] = _(l->name);
		cells[*n * 4 + 2] = state_text(state);
		cells[*n * 4 + 3] = _(l->description);
		checked[*n] = state != PF_SUB_NONE ? "checked" : NULL;
		(*n)++;
	}
	pf_app_rollback(app);
	return rc;
}

/*
 * The page's rows for the lists of channel: a checkbox (list-ID, ticked
 * when subscribed or pending) labelled by the name, described by the
 * state and the description.
 */
static int
fill_lists(struct pf_app *app, struct pf_page *page, const char *channel,
    const char *address)
{
	const char	*cells[PF_LISTS_MAX * 4], *checked[PF_LISTS_MAX];
	const char	*ids[PF_LISTS_MAX], *states[PF_LISTS_MAX];
	const char	*descs[PF_LISTS_MAX], *described[PF_LISTS_MAX];
	const struct {
		size_t		 col;
		const char	*attr;
		const char	**values;
	} set[] = {
		{ 0, "id", ids }, { 0, "name", ids }, { 0, "checked", checked },
		{ 0, "aria-describedby", described }, { 1, "for", ids },
		{ 2, "id", states }, { 3, "id", descs },
	};
	struct row	 rows[PF_LISTS_MAX];
	size_t		 i, n;
	int		 rc;

	if ((rc = read_lists(app, channel, address, cells, checked, rows,
	    &n)) != PF_OK ||
	    (rc = pf_page_rows(page, "pref-lists", cells, 4, n)) != PF_OK)
		return rc;
	for (i = 0; i < n; i++) {
		ids[i] = rows[i].id;
		states[i] = rows[i].state_id;
		descs[i] = rows[i].desc_id;
		described[i] = rows[i].described;
	}
	for (i = 0; i < nitems(set) && rc == PF_OK; i++)
		rc = pf_page_rows_attr(page, "pref-lists", set[i].col,
		    set[i].attr, set[i].values, n);
	return rc;
}

/* GET with a token: the lists and their states.  Changes nothing. */
static void
show_lists(struct pf_app *app, struct pf_request *req)
{
	const struct pf_param	*t = pf_request_query(req, "t");
	struct pf_token		 tok = { 0 };
	struct pf_page		*page = NULL;
	const char		*channel;
	char			*masked = NULL;
	int			 rc, sms;

	if (check_link(app, req, &pref_link, t, &tok))
		return;
	channel = tok.fields[PF_PREF_CHANNEL];
	sms = strcmp(channel, "sms") == 0;
	if ((masked = pf_optout_mask(channel,
	    tok.fields[PF_PREF_ADDRESS])) == NULL)
		rc = PF_ENOMEM;
	else if ((rc = pf_page_new(app->pages, "preferences-lists",
	    &page)) == PF_OK &&
	    (rc = pf_page_text(page, "pref-address", masked)) == PF_OK &&
	    (rc = pf_page_attr(page, "pref-token", "value", t->value)) ==
	    PF_OK &&
	    (rc = pf_page_attr(page, "pref-stop-token", "value", t->value)) ==
	    PF_OK &&
	    (rc = pf_page_remove(page, sms ? "pref-stop-email" :
	    "pref-stop-sms")) == PF_OK)
		rc = fill_lists(app, page, channel, tok.fields[PF_PREF_ADDRESS]);
	if (rc == PF_OK)
		pf_page_send(req, 200, page, NULL, 0);
	else if (rc == PF_EBUSY || rc == PF_ESTORE)
		pf_app_unavailable(app, req);
	else
		pf_app_fail(app, req);
	pf_page_free(page);
	free(masked);
	pf_token_clear(&tok);
}

/* What one save changed, for the done page: ids joined by spaces. */
struct outcome {
	char	 subscribed[IDS_MAX];
	char	 pending[IDS_MAX];
	char	 dropped[IDS_MAX];
	int	 stopped;
};

static void
add_id(char *ids, const char *id)
{
	size_t	 n = strlen(ids);

	snprintf(ids + n, IDS_MAX - n, "%s%s", n > 0 ? " " : "", id);
}

/* Whether the posted form ticks list id: a field "list-ID" of "yes". */
static int
ticked(const struct pf_request *req, const char *id)
{
	const struct pf_param	*f;
	char			 name[PF_LIST_ID_MAX + 6];

	snprintf(name, sizeof(name), "list-%s", id);
	f = pf_request_field(req, name);
	return f != NULL && strcmp(f->value, "yes") == 0;
}

/* Each list of w's channel as the form ticks it, inside the transaction. */
static int
apply(struct pf_app *app, const struct pf_request *req, const struct who *w,
    struct outcome *out)
{
	struct pf_sub_change	 c;
	size_t			 i;
	int			 rc = PF_OK, state, changed, pending;

	for (i = 0; i < lists.n && rc == PF_OK; i++) {
		const char *id = lists.lists[i].id;

		if (strcmp(lists.lists[i].channel, w->channel) != 0 ||
		    (rc = pf_sub_state(app->st, w->channel, w->address, id,
		    &state)) != PF_OK)
			continue;
		if (ticked(req, id) && state == PF_SUB_NONE) {
			rc = subscribe(app, w, id, "preferences", &pending);
			add_id(pending ? out->pending : out->subscribed, id);
		} else if (!ticked(req, id) && state != PF_SUB_NONE) {
			c = change_of(w, id, "preferences", NULL);
			if ((rc = pf_sub_drop(&app->tx, &lists, &c,
			    &changed)) == PF_OK && changed)
				add_id(out->dropped, id);
		}
	}
	return rc;
}

/* "Stop all": every list of w's channel, inside the transaction. */
static int
stop_all(struct pf_app *app, const struct who *w, struct outcome *out)
{
	struct pf_sub_change	 c = change_of(w, "", "preferences", NULL);
	int			 changed;

	out->stopped = 1;
	return pf_sub_stop_all(&app->tx, &lists, &c, &changed);
}

/* The done page's token for out (see show_done), a new string. */
static int
done_token(struct pf_app *app, const char *channel, const struct outcome *out,
    char **token)
{
	const char	*fields[] = { channel, out->subscribed, out->pending,
	    out->dropped, out->stopped ? "yes" : "no", pf_lang_current() };

	return pf_token_make(app->keys.token, DONE_PURPOSE,
	    time(NULL) + DONE_SECONDS, fields, nitems(fields), token);
}

/* POST with a token: apply the form, 303 to the done page. */
static void
save(struct pf_app *app, struct pf_request *req)
{
	const struct pf_param	*action = pf_request_field(req, "action");
	const struct pf_param	*t = pf_request_field(req, "t");
	struct pf_token		 tok = { 0 };
	struct outcome		 out;
	struct who		 w;
	char			*token = NULL, *path = NULL;
	int			 rc, stop;

	if (check_link(app, req, &pref_link, t, &tok))
		return;
	memset(&out, 0, sizeof(out));
	stop = action != NULL && strcmp(action->value, "stop") == 0;
	if ((rc = who_of(app, req, tok.fields[PF_PREF_CHANNEL],
	    tok.fields[PF_PREF_ADDRESS], &w)) == PF_OK &&
	    (rc = pf_app_begin(app)) == PF_OK) {
		if ((rc = stop ? stop_all(app, &w, &out) :
		    apply(app, req, &w, &out)) != PF_OK ||
		    (rc = pf_app_commit(app)) != PF_OK)
			pf_app_rollback(app);
	}
	if (rc == PF_OK && (rc = done_token(app, w.channel, &out, &token)) ==
	    PF_OK && (path = joined("/preferences?done=", token)) == NULL)
		rc = PF_ENOMEM;
	if (rc == PF_OK)
		pf_app_redirect(app, req, path);
	else if (rc == PF_EBUSY || rc == PF_ESTORE)
		pf_app_unavailable(app, req);
	else
		pf_app_fail(app, req);
	free(path);
	free(token);
	pf_token_clear(&tok);
}

/* POST preferences: a save (t in the body) or the ask form. */
static void
post(struct pf_app *app, struct pf_request *req)
{
	if (pf_app_read_form(app, req) != PF_OK)
		return;
	if (pf_request_field(req, "t") != NULL)
		save(app, req);
	else
		ask(app, req);
}

/*
 * One of the done page's lists: the names of ids (space-separated) in
 * element list, or the block around it (block) removed when there are
 * none.
 */
static int
done_list(struct pf_page *page, const char *block, const char *list,
    char *ids)
{
	const char	*names[PF_LISTS_MAX];
	char		*id, *save = NULL;
	size_t		 n = 0;

	for (id = strtok_r(ids, " ", &save); id != NULL && n < PF_LISTS_MAX;
	    id = strtok_r(NULL, " ", &save))
		names[n++] = list_name(id);
	if (n == 0)
		return pf_page_remove(page, block);
	return pf_page_rows(page, list, names, 1, n);
}

/* What the done page says, from a valid ?done= token; else "recorded". */
static int
fill_done(struct pf_app *app, struct pf_request *req, struct pf_page *page)
{
	const struct pf_param	*done = pf_request_query(req, "done");
	const char		*token = done->len > 0 ? done->value : NULL;
	static const char *const blocks[] = { "done-subscribed",
	    "done-pending", "done-dropped" };
	static const char *const lists_of[] = { "done-subscribed-list",
	    "done-pending-list", "done-dropped-list" };
	struct pf_token	 tok = { 0 };
	size_t		 i;
	int		 rc = PF_OK, stopped, any = 0, sms;

	if (token == NULL || pf_token_check(app->keys.token, DONE_PURPOSE,
	    token, time(NULL), &tok) != PF_OK || tok.nfields != 6 ||
	    pf_lang_follow(tok.fields[5]) != PF_OK) {
		pf_token_clear(&tok);
		for (i = 0; i < nitems(blocks) && rc == PF_OK; i++)
			rc = pf_page_remove(page, blocks[i]);
		if (rc == PF_OK && (rc = pf_page_remove(page,
		    "done-nothing")) == PF_OK &&
		    (rc = pf_page_remove(page, "done-stopped-email")) == PF_OK)
			rc = pf_page_remove(page, "done-stopped-sms");
		return rc;
	}
	sms = strcmp(tok.fields[0], "sms") == 0;
	stopped = strcmp(tok.fields[4], "yes") == 0;
	for (i = 0; i < nitems(blocks); i++)
		any |= tok.fields[i + 1][0] != '\0';
	for (i = 0; i < nitems(blocks) && rc == PF_OK; i++)
		rc = done_list(page, blocks[i], lists_of[i], tok.fields[i + 1]);
	if (rc == PF_OK)
		rc = pf_page_remove(page, "done-saved");
	if (rc == PF_OK && (any || stopped))
		rc = pf_page_remove(page, "done-nothing");
	if (rc == PF_OK && (!stopped || sms))
		rc = pf_page_remove(page, "done-stopped-email");
	if (rc == PF_OK && (!stopped || !sms))
		rc = pf_page_remove(page, "done-stopped-sms");
	pf_token_clear(&tok);
	return rc;
}

static void
show_done(struct pf_app *app, struct pf_request *req)
{
	send_page(app, req, "preferences-done", fill_done);
}

/* ---- the signup form ---- */

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
	if (id == NULL || (l = pf_lists_find(&lists, id)) == NULL ||
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

static void
signup_page(struct pf_app *app, struct pf_request *req)
{
	show_signup(app, req, 200, NULL, NULL);
}

/* The signup's store: the request, and its confirmation mail. */
static int
signup_store(struct pf_app *app, const struct who *w, const char *list)
{
	int	 pending;

	return subscribe(app, w, list, "signup", &pending);
}

static void
signup(struct pf_app *app, struct pf_request *req)
{
	struct pf_form	 form;
	struct pf_guard	 g;
	char		*done = NULL;

	if (pf_app_read_fields(app, req, signup_fields, S__MAX, &form) !=
	    PF_OK)
		goto out;
	/* The pasted snippet has no stamp: our page, filled in, has one. */
	if (pf_request_field(req, PF_STAMP_FIELD) == NULL)
		show_signup(app, req, form.nerrors > 0 ? 422 : 200, &form, NULL);
	else if ((done = joined("/preferences/subscribe?subscribed=",
	    form.v[S_LIST].value != NULL ? form.v[S_LIST].value : "")) == NULL)
		pf_app_fail(app, req);
	else if (!pf_guard_form(app, req, PF_GUARD_PREFERENCES, done, &form,
	    show_signup, &g))
		guarded(app, req, &form, S_ADDRESS, form.v[S_LIST].value, &g,
		    done, show_signup, signup_store);
out:
	free(done);
	pf_form_free(&form);
}

/*
 * The name of the list ?KEY= names (the signup's "subscribed", the
 * confirmation's "confirmed"), and whether it asks for double opt-in
 * (also when it is not in the table: "check your inbox" is never wrong).
 */
static const char *
answer_list(struct pf_request *req, const char *key, int *doi)
{
	const struct pf_param	*q = pf_request_query(req, key);
	const struct pf_mlist	*l = pf_lists_find(&lists, q->value);

	*doi = l == NULL || l->double_opt_in;
	return l != NULL ? _(l->name) : _("our mailing list");
}

/* The signup's answer: "check your inbox" or "you are subscribed". */
static int
fill_subscribed(struct pf_app *app, struct pf_request *req,
    struct pf_page *page)
{
	const char	*name;
	int		 rc, doi;

	(void)app;
	name = answer_list(req, "subscribed", &doi);
	if ((rc = pf_page_remove(page, doi ? "subd-done" : "subd-confirm")) ==
	    PF_OK)
		rc = pf_page_text(page, doi ? "subd-confirm-name" :
		    "subd-done-name", name);
	return rc;
}

static int
fill_confirmed(struct pf_app *app, struct pf_request *req,
    struct pf_page *page)
{
	int	 doi;

	(void)app;
	return pf_page_text(page, "confirmed-name", answer_list(req,
	    "confirmed", &doi));
}

static void
show_subscribed(struct pf_app *app, struct pf_request *req)
{
	send_page(app, req, "preferences-subscribed", fill_subscribed);
}

static void
show_confirmed(struct pf_app *app, struct pf_request *req)
{
	send_page(app, req, "preferences-confirmed", fill_confirmed);
}

/* ---- the double opt-in confirmation ---- */

/* GET: one button.  Changes nothing. */
static void
confirm_show(struct pf_app *app, struct pf_request *req)
{
	const struct pf_param	*t = pf_request_query(req, "t");
	struct pf_token		 tok = { 0 };
	struct pf_page		*page = NULL;
	const char		*name;
	char			*masked = NULL, button[512];

	if (check_link(app, req, &confirm_link, t, &tok))
		return;
	name = list_name(tok.fields[PF_CONFIRM_LIST]);
	snprintf(button, sizeof(button), _("Confirm my subscription to %s"),
	    name);
	masked = pf_optout_mask("email", tok.fields[PF_CONFIRM_ADDRESS]);
	if (masked == NULL ||
	    pf_page_new(app->pages, "preferences-confirm", &page) != PF_OK ||
	    pf_page_text(page, "confirm-name", name) != PF_OK ||
	    pf_page_text(page, "confirm-address", masked) != PF_OK ||
	    pf_page_text(page, "confirm-button", button) != PF_OK ||
	    pf_page_attr(page, "confirm-token", "value", t->value) != PF_OK)
		pf_app_fail(app, req);
	else
		pf_page_send(req, 200, page, NULL, 0);
	pf_page_free(page);
	free(masked);
	pf_token_clear(&tok);
}

/* POST: the subscription confirmed, or 400 if it is no longer pending. */
static void
confirm(struct pf_app *app, struct pf_request *req)
{
	const struct pf_param	*t;
	struct pf_token		 tok = { 0 };
	struct pf_sub_change	 c;
	struct who		 w;
	char			*path = NULL;
	int			 rc, changed, state = PF_SUB_NONE;

	if (pf_app_read_form(app, req) != PF_OK)
		return;
	t = pf_request_field(req, "t");
	if (check_link(app, req, &confirm_link, t, &tok))
		return;
	if ((rc = who_of(app, req, tok.fields[PF_CONFIRM_CHANNEL],
	    tok.fields[PF_CONFIRM_ADDRESS], &w)) == PF_OK &&
	    (rc = pf_app_begin(app)) == PF_OK) {
		c = change_of(&w, tok.fields[PF_CONFIRM_LIST], "confirm", NULL);
		if ((rc = pf_sub_confirm(&app->tx, &lists, &c,
		    tok.fields[PF_CONFIRM_REQUESTED], &changed)) != PF_OK ||
		    (rc = pf_sub_state(app->st, c.channel, c.address, c.list,
		    &state)) != PF_OK || (rc = pf_app_commit(app)) != PF_OK)
			pf_app_rollback(app);
	}
	if (rc == PF_OK && state != PF_SUB_SUBSCRIBED)
		pf_badlink(app, req, PF_BADLINK_SUBSCRIBE, PF_ENOTFOUND);
	else if (rc == PF_OK && (path = joined(
	    "/preferences/confirm?confirmed=", tok.fields[PF_CONFIRM_LIST])) !=
	    NULL)
		pf_app_redirect(app, req, path);
	else if (rc == PF_EBUSY || rc == PF_ESTORE)
		pf_app_unavailable(app, req);
	else
		pf_app_fail(app, req);
	free(path);
	pf_token_clear(&tok);
}

/* The mailing lists, once: a table that cannot be used stops the program. */
static int
start(struct pf_app *app)
{
	char	*why = NULL;

	if (pf_lists_load_config(app->cfg, &lists, &why) == PF_OK)
		return 0;
	pf_log(PF_LOG_ERR, "mailing_lists: %s", why != NULL ? why :
	    "out of memory");
	free(why);
	return 1;
}

static void
stop(void)
{
	pf_lists_clear(&lists);
}

/*
 * The signup's POST is routed from any website, for the snippet pasted
 * into pages of other hosts: without a stamp it only shows our signup
 * page filled in.  With one it is that page's, which stores: the
 * cross-site check, here, before the handler (and the GPC record around
 * it, program.h), as for every other form.
 */
static int
screen(struct pf_app *app, struct pf_request *req)
{
	const char	*sub = pf_app_subpath(app, req,
	    pf_forms[PF_GUARD_PREFERENCES].path);

	if (strcmp(req->method, "POST") != 0 || sub == NULL ||
	    strcmp(sub, "/subscribe") != 0)
		return 0;
	if (pf_app_read_form(app, req) != PF_OK)
		return 1;
	return pf_request_field(req, PF_STAMP_FIELD) != NULL &&
	    pf_app_cross_site(app, req);
}

static const struct pf_route routes[] = {
	{ "GET", "", "t", show_lists, NULL, 0 },
	{ "GET", "", "done", show_done, NULL, 0 },
	{ "GET", "", "sent", show_sent, NULL, 0 },
	{ "GET", "", NULL, ask_page, NULL, 0 },
	{ "POST", "", NULL, post, NULL, 0 },
	{ "GET", "/subscribe", "subscribed", show_subscribed, NULL, 0 },
	{ "GET", "/subscribe", NULL, signup_page, NULL, 0 },
	{ "POST", "/subscribe", NULL, signup, NULL, PF_ROUTE_ANY_SITE },
	{ "GET", "/confirm", "confirmed", show_confirmed, NULL, 0 },
	{ "GET", "/confirm", NULL, confirm_show, NULL, 0 },
	{ "POST", "/confirm", NULL, confirm, NULL, 0 },
};

PF_PROGRAM_MAIN(.form = PF_GUARD_PREFERENCES, PF_ROUTES(routes),
    .start = start, .stop = stop, .screen = screen,
    .not_found = N_("There is no such page. Your mailing preferences are at "
    "the address the emails we send link to."))
