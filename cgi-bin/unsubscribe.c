/*
 * unsubscribe.c -- /privacy/unsubscribe: marketing opt-out by email or SMS,
 * and RFC 8058 one-click unsubscribe from a List-Unsubscribe link.
 *
 * The routes (the table at the end, in its order):
 *
 *	GET  unsubscribe?t=TOKEN	one confirm button; changes nothing, since
 *					link scanners fetch every link in a mail
 *	POST unsubscribe?t=TOKEN	one-click with List-Unsubscribe=One-Click:
 *					200; from any website (a mail client)
 *	GET  unsubscribe?done		"you are unsubscribed" (the 303 target,
 *					?done=TOKEN): which address or number,
 *					masked, and whether a confirmation is on
 *					its way, from the token (optout.h);
 *					without a valid one, the same page
 *					without them
 *	GET  unsubscribe		the form
 *	POST unsubscribe		the form: 303, 422, or 503 with the form kept
 *
 * and, as every program (program.h), GET unsubscribe/challenge: a
 * proof-of-work challenge (guard.h).  Any other path the program is sent
 * is taken as unsubscribe.  Also 400 (unreadable body; forged or expired
 * link: badlink.h), 405, 413, 415, 403 for the form POSTed from another
 * website's page (app.h), and the guard's 403 and 429 (the form kept) and
 * its traps.  The answer never depends on whether the address was known.
 */
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
#include "program.h"
#include "request.h"
#include "response.h"
#include "serve.h"
#include "store.h"
#include "subscription.h"
#include "validate.h"

/* RFC 8058 section 3.1: the body of a one-click POST. */
#define ONE_CLICK_FIELD	"List-Unsubscribe"
#define ONE_CLICK_VALUE	"One-Click"

static char region[3] = "US";	/* config phone_region, set before serving */
static struct pf_lists lists;	/* config mailing_lists, read before serving */

enum { F_CHANNEL, F_EMAIL, F_PHONE, F_REASON, F_CONFIRM, F__MAX };

static const char *const channels[] = { "email", "sms", NULL };
static const char *const yes[] = { "yes", NULL };

static const struct pf_field fields[F__MAX] = {
	[F_CHANNEL] = { "channel", pf_valid_enum, channels, 1, 8, 0,
	    N_("What you want to stop"), N_("Select what you want to stop.") },
	[F_EMAIL] = { "email", pf_valid_email, NULL, 0, 254, 0,
	    N_("Email address") },
	[F_PHONE] = { "phone", pf_valid_phone, region, 0, 32, 0,
	    N_("Mobile phone number") },
	[F_REASON] = { "reason", pf_valid_text, NULL, 0, 1000, 1,
	    N_("Your reason") },
	[F_CONFIRM] = { "confirm", pf_valid_enum, yes, 0, 3, 0,
	    N_("Send me an email to confirm") },
};

/*
 * Queue the confirmation mail to the address that was just unsubscribed,
 * inside the same transaction: it goes out exactly when the opt-out is
 * committed.
 */
static int
confirm(struct pf_app *app, const struct pf_optout *o, const char *to,
    const char *subject)
{
	const char	*values[] = { "channel", _("email marketing"),
	    "list_text", o->list[0] == '\0' ? _("all of our mailing lists") :
	    o->list, "site", NULL, NULL };
	char		*site;
	int		 rc;

	if ((site = pf_app_url(app, "/")) == NULL)
		return PF_ENOMEM;
	values[5] = site;
	rc = pf_mail_enqueue(app->st, "unsubscribed", to, values, subject, NULL);
	free(site);
	return rc;
}

/*
 * The opt-out o as a change of the person's subscriptions (subscription.h):
 * every list ("") or one, which ends the subscriptions it covers.  When
 * it changed something, pf_sub_* wrote the record (its channel, list and
 * method, then details' others); else the opt-out is refreshed and
 * recorded here with details, as every opt-out always has been: one
 * record per submission either way.
 */
static int
opt_out(struct pf_app *app, struct pf_request *req, const struct pf_optout *o,
    const char *subject, const char *const *details)
{
	const struct pf_sub_change	 c = { .channel = o->channel,
	    .address = o->address, .list = o->list,
	    .method = strcmp(o->source, "form") == 0 ? "unsubscribe" :
	    "one-click", .language = pf_lang_current(), .subject = subject,
	    .request_id = req->id, .reason = o->reason,
	    .details = details + 4 };	/* after channel and list, its own */
	int				 rc, changed = 0;

	rc = (o->list[0] == '\0' ? pf_sub_stop_all : pf_sub_drop)(&app->tx,
	    &lists, &c, &changed);
	if (rc != PF_OK || changed)
		return rc;
	if ((rc = pf_store_optout_put(app->st, o, NULL)) != PF_OK)
		return rc;
	return pf_app_audit(app, req, "unsubscribed", subject, details);
}

/*
 * Store the opt-out, its audit record and (if confirm_to is not NULL) the
 * confirmation mail in one transaction, if the guard g (NULL for a signed
 * one-click link) admits it.  Opting out again is accepted: one row, one
 * more record.
 */
static int
record(struct pf_app *app, struct pf_request *req, const struct pf_optout *o,
    const char *confirm_to, struct pf_guard *g)
{
	const char	*details[] = { "channel", o->channel, "list", o->list,
	    "source", o->source, "confirmation",
	    confirm_to != NULL ? "requested" : "none", NULL };
	char		 subject[PF_HEX_DIGEST_LEN + 1];
	char		 mailed[PF_HEX_DIGEST_LEN + 1];
	int		 rc;

	if ((rc = pf_sub_subject(&app->keys, o->channel, o->address,
	    subject)) != PF_OK ||
	    (confirm_to != NULL &&
	    (rc = pf_guard_address(app, confirm_to, mailed)) != PF_OK) ||
	    (rc = pf_app_begin(app)) != PF_OK)
		return rc;
	if ((g != NULL && (rc = pf_guard_admit(app, g, confirm_to != NULL ?
	    mailed : NULL)) != PF_OK) ||
	    (rc = opt_out(app, req, o, subject, details)) != PF_OK ||
	    (confirm_to != NULL &&
	    (rc = confirm(app, o, confirm_to, subject)) != PF_OK) ||
	    (rc = pf_app_commit(app)) != PF_OK)
		pf_app_rollback(app);
	return rc;
}

/* The form again, with what the visitor typed and what to fix. */
static void
show_form(struct pf_app *app, struct pf_request *req, int status,
    const struct pf_form *form, const struct pf_notice *notice)
{
	struct pf_page	*page = NULL;
	int		 rc;

	if ((rc = pf_page_new(app->pages, "unsubscribe", &page)) == PF_OK &&
	    !app->cfg->unsubscribe_confirmation)
		rc = pf_page_remove(page, "confirm-group");
	pf_app_send_prepared(app, req, rc, status, page, form, notice);
}

/* The channel picks which of email and phone is needed; the other is ignored. */
static void
check_channel(struct pf_form *form)
{
	const char	*ch = form->v[F_CHANNEL].value;
	size_t		 need, other;

	if (ch == NULL)
		return;
	need = strcmp(ch, "sms") == 0 ? F_PHONE : F_EMAIL;
	other = need == F_PHONE ? F_EMAIL : F_PHONE;
	pf_form_ignore(form, other);
	/* A confirmation goes to the email address only, if offered at all. */
	if (need == F_PHONE)
		pf_form_ignore(form, F_CONFIRM);
	if (form->v[need].value == NULL && form->v[need].error[0] == '\0')
		pf_form_fail(form, need, need == F_PHONE ?
		    _("Enter the mobile phone number the text messages are sent "
		    "to.") :
		    _("Enter the email address the emails are sent to."));
}

/*
 * Where a valid form's 303 goes, stored or trapped alike: the done page,
 * with a token of what it may say (optout.h), or without one for a form
 * with errors (only a trap answers that with a 303).  A new string.
 */
static char *
done_path(struct pf_app *app, const struct pf_form *form)
{
	const char	*channel = form->v[F_CHANNEL].value;
	char		*token = NULL, *path;
	size_t		 n;

	if (form->nerrors > 0 || channel == NULL)
		return strdup("/unsubscribe?done");
	if (pf_optout_done_make(&app->keys, channel,
	    form->v[strcmp(channel, "sms") == 0 ? F_PHONE : F_EMAIL].value,
	    form->v[F_CONFIRM].value != NULL, time(NULL), &token) != PF_OK)
		return NULL;
	n = strlen("/unsubscribe?done=") + strlen(token) + 1;
	if ((path = malloc(n)) != NULL)
		snprintf(path, n, "/unsubscribe?done=%s", token);
	free(token);
	return path;
}

static void
submit(struct pf_app *app, struct pf_request *req)
{
	struct pf_form		 form;
	struct pf_optout	 o;
	struct pf_guard		 g;
	char			*key = NULL, *done = NULL;
	int			 rc;

	if (pf_app_read_fields(app, req, fields, F__MAX, &form) != PF_OK)
		return;
	if (!app->cfg->unsubscribe_confirmation)
		pf_form_ignore(&form, F_CONFIRM);
	check_channel(&form);
	if ((done = done_path(app, &form)) == NULL) {
		pf_app_fail(app, req);
		goto out;
	}
	if (pf_guard_form(app, req, PF_GUARD_UNSUBSCRIBE, done, &form,
	    show_form, &g))
		goto out;
	memset(&o, 0, sizeof(o));
	o.channel = form.v[F_CHANNEL].value;
	if (strcmp(o.channel, "sms") == 0)
		o.address = form.v[F_PHONE].value;
	else if ((o.address = key = pf_email_key(form.v[F_EMAIL].value)) == NULL) {
		pf_app_fail(app, req);
		goto out;
	}
	o.list = "";
	o.reason = form.v[F_REASON].value;
	o.source = "form";
	rc = record(app, req, &o, form.v[F_CONFIRM].value != NULL ?
	    form.v[F_EMAIL].value : NULL, &g);
	if (rc == PF_OK)
		pf_app_redirect(app, req, done);
	else
		pf_guard_failed(app, req, &form, show_form, &g, rc);
out:
	free(done);
	free(key);
	pf_form_free(&form);
}

/*
 * What the done page says: from a valid token (done=TOKEN), the channel,
 * the masked address and whether a confirmation is on its way; else
 * (none, expired, not ours) only that the request is recorded.
 */
static int
done_text(struct pf_app *app, struct pf_page *page, const char *token)
{
	struct pf_token	 tok = { 0 };
	int		 rc, sms, yes;

	if (token == NULL || pf_optout_done_check(&app->keys, token,
	    time(NULL), &tok) != PF_OK) {
		if ((rc = pf_page_remove(page, "done-what")) == PF_OK &&
		    (rc = pf_page_remove(page, "done-confirm")) == PF_OK)
			rc = pf_page_remove(page, "done-no-confirm");
		return rc;
	}
	sms = strcmp(tok.fields[0], "sms") == 0;
	yes = strcmp(tok.fields[2], "yes") == 0;
	if ((rc = pf_page_remove(page, "done-recorded")) == PF_OK &&
	    (rc = pf_page_text(page, "done-channel", sms ? _("text messages") :
	    _("emails"))) == PF_OK &&
	    (rc = pf_page_text(page, "done-address", tok.fields[1])) == PF_OK &&
	    (rc = pf_page_remove(page, yes ? "done-no-confirm" :
	    "done-confirm")) == PF_OK && yes)
		rc = pf_page_text(page, "done-confirm-address", tok.fields[1]);
	pf_token_clear(&tok);
	return rc;
}

static void
show_done(struct pf_app *app, struct pf_request *req)
{
	const struct pf_param	*done = pf_request_query(req, "done");
	struct pf_page		*page = NULL;
	int			 rc;

	if ((rc = pf_page_new(app->pages, "unsubscribe-done", &page)) == PF_OK)
		rc = done_text(app, page, done->len > 0 ? done->value : NULL);
	pf_app_send_page(app, req, rc, page);
}

/* The token of ?t=, checked; non-zero once answered (badlink.h) if bad. */
static int
check_link(struct pf_app *app, struct pf_request *req, const struct pf_param *t,
    struct pf_token *tok)
{
	int	 rc;

	if ((rc = pf_optout_check(&app->keys, t->value, time(NULL), tok)) == PF_OK)
		return 0;
	pf_badlink(app, req, PF_BADLINK_ONE_CLICK, rc);
	return 1;
}

/* GET with a token: show what would happen, with one button.  No change. */
static void
one_click_show(struct pf_app *app, struct pf_request *req)
{
	const struct pf_param	*t = pf_request_query(req, "t");
	struct pf_token		 tok = { 0 };
	struct pf_page		*page = NULL;
	char			*masked = NULL, *action = NULL;

	if (check_link(app, req, t, &tok))
		return;
	masked = pf_optout_mask("email", tok.fields[1]);
	action = pf_app_path(app, "/unsubscribe?t=", t->value);
	if (masked == NULL || action == NULL ||
	    pf_page_new(app->pages, "one-click", &page) != PF_OK ||
	    pf_page_text(page, "oc-address", masked) != PF_OK ||
	    pf_page_attr(page, "oc-form", "action", action) != PF_OK ||
	    (tok.fields[2][0] == '\0' ?
	    pf_page_remove(page, "oc-list-line") :
	    pf_page_text(page, "oc-list", tok.fields[2])) != PF_OK)
		pf_app_fail(app, req);
	else
		pf_page_send(req, 200, page, NULL, 0);
	pf_page_free(page);
	free(action);
	free(masked);
	pf_token_clear(&tok);
}

/* RFC 8058 section 3.1: a POST carrying List-Unsubscribe=One-Click. */
static void
one_click(struct pf_app *app, struct pf_request *req)
{
	const struct pf_param	*t = pf_request_query(req, "t");
	struct pf_token		 tok = { 0 };
	struct pf_optout	 o;
	const struct pf_param	*f;

	if (check_link(app, req, t, &tok))
		return;
	if (pf_app_read_form(app, req) != PF_OK)
		goto out;
	f = pf_request_field(req, ONE_CLICK_FIELD);
	if (f == NULL || f->len != strlen(ONE_CLICK_VALUE) ||
	    strcmp(f->value, ONE_CLICK_VALUE) != 0) {
		pf_page_message(app->pages, req, 400,
		    _("Nothing was changed"),
		    _("A one-click unsubscribe request must carry "
		    "List-Unsubscribe=One-Click (RFC 8058)."), NULL, 0);
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.channel = tok.fields[0];
	o.address = tok.fields[1];
	o.list = tok.fields[2];
	o.source = "one-click";
	if (record(app, req, &o, NULL, NULL) == PF_OK)
		pf_app_page(app, req, 200, "one-click-done");
	else
		pf_app_unavailable(app, req);
out:
	pf_token_clear(&tok);
}

static void
form_page(struct pf_app *app, struct pf_request *req)
{
	show_form(app, req, 200, NULL, NULL);
}

/*
 * The validator's region (fields[F_PHONE]): config phone_region; and the
 * mailing lists, whose subscriptions an opt-out ends.
 */
static int
start(struct pf_app *app)
{
	char	*why = NULL;

	memcpy(region, app->cfg->phone_region, sizeof(region) - 1);
	if (pf_lists_load_config(app->cfg, &lists, &why) == PF_OK)
		return 0;
	pf_log(PF_LOG_ERR, "mailing_lists: %s", why != NULL ? why :
	    "out of memory");
	free(why);
	pf_serve_start_failed();
	return 1;
}

static void
stop(void)
{
	pf_lists_clear(&lists);
}

static const struct pf_route routes[] = {
	{ "GET", "", "t", one_click_show, NULL, 0 },
	{ "POST", "", "t", one_click, NULL, PF_ROUTE_ANY_SITE },
	{ "GET", "", "done", show_done, NULL, 0 },
	{ "GET", "", NULL, form_page, NULL, 0 },
	{ "POST", "", NULL, submit, NULL, 0 },
};

PF_PROGRAM_MAIN(.form = PF_GUARD_UNSUBSCRIBE, PF_ROUTES(routes),
    .start = start, .stop = stop)
