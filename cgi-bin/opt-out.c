/*
 * opt-out.c -- /privacy/opt-out, "Your Privacy Choices": opting out of the
 * sale and sharing of personal information and of targeted advertising,
 * at once and without proving who one is (CCPA regulations s. 7026: no
 * verifiable consumer request may be required for it).
 *
 * The routes (the table at the end, in its order):
 *
 *	GET  opt-out?done	what this browser's pf_consent cookie says (the
 *				303 target): opted out when its decision holds
 *				and allows no sale category; else that no
 *				choice is saved in this browser
 *	GET  opt-out		the page and its one button; "Opt-out
 *				preference signal honored" when the browser
 *				sends Sec-GPC: 1
 *	POST opt-out		optout=yes: the pf_consent cookie set with
 *				every sale category (consent.h) off and the
 *				others as the browser's current decision had
 *				them (none without one), a consent record
 *				(method page) and its consent-recorded audit
 *				record stored in one transaction, 303 to ?done;
 *				with email or phone (one of them, optional),
 *				in the same transaction the opt-out of that
 *				person (store.h, "sale opt-outs": the email key
 *				or E.164 number, the device id) and its
 *				sale-opt-out-identified record, and with
 *				confirm=yes (an email address only) the
 *				confirmation mail, counted against the address's
 *				limit (guard.h) and left out, the opt-out made
 *				still, when the address has had its share (the
 *				limit guards a mailbox, not the right to opt
 *				out, which must take effect at once and which
 *				another form's mails to the address must not
 *				hold up); 422 with what was typed and
 *				what to fix for a malformed address, both given,
 *				or a confirmation asked without an email address
 *
 * and, as every program (program.h), 400, 403 (another website's page),
 * 404, 405, 413, 415, the guard's 422 (no usable stamp) and 429, and 503.
 * A GET never sets a cookie or stores anything.  Nothing given is
 * verified (s. 7026 again): the address only widens the opt-out, and the
 * answer is the same whether it was known or not.  The device id is the
 * cookie's when it parses, else a new one.  The record's method is page:
 * the decision was made on a page of ours, which is what the method of
 * ISO/IEC TS 27560 says; its action (withdrawn when the device's last
 * record allowed a sale category, else refused) and its allowed and
 * refused columns say it was an opt-out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "consent.h"
#include "err.h"
#include "form.h"
#include "guard.h"
#include "keys.h"
#include "lang.h"
#include "log.h"
#include "mail.h"
#include "page.h"
#include "program.h"
#include "request.h"
#include "response.h"
#include "store.h"
#include "utc.h"
#include "validate.h"

#define IDS_MAX	(PF_CONSENT_CATS_MAX * (PF_CONSENT_ID_MAX + 1) + 1)
#define DONE	"/opt-out?done"

/* F_OPTOUT first: show_page fills the page with the others. */
enum { F_OPTOUT, F_EMAIL, F_PHONE, F_CONFIRM, F__MAX };

static char region[3] = "US";	/* config phone_region, set in start() */
static const char *const yes[] = { "yes", NULL };

static const struct pf_field fields[F__MAX] = {
	[F_OPTOUT] = { "optout", pf_valid_enum, yes, 1, 3, 0,
	    N_("Opt out"), N_("Press Opt out to opt out.") },
	[F_EMAIL] = { "email", pf_valid_email, NULL, 0, 254, 0,
	    N_("Email address") },
	[F_PHONE] = { "phone", pf_valid_phone, region, 0, 32, 0,
	    N_("Phone number") },
	[F_CONFIRM] = { "confirm", pf_valid_enum, yes, 0, 3, 0,
	    N_("Send me a confirmation") },
};

/*
 * The person the opt-out extends to, when one was given: channel "email"
 * or "phone", key the email key or E.164 number (what is stored), subject
 * its pseudonym; to, the address a confirmation goes to (NULL: none), and
 * mailed the pseudonym its limit counts (guard.h's pf_guard_address).
 */
struct person {
	const char	*channel;
	char		*key;
	const char	*to;
	char		 subject[PF_HEX_DIGEST_LEN + 1];
	char		 mailed[PF_HEX_DIGEST_LEN + 1];
};

/* The categories table: the program skeleton's (program.h), loaded once. */
static const struct pf_consent_table	*table;

/* The browser's decision, when it holds: its categories in *set. */
static int
decision(struct pf_app *app, const struct pf_request *req,
    struct pf_consent_cookie *c, pf_consent_set *set)
{
	*set = 0;
	if (pf_consent_cookie_read(req->cookie, c) != PF_OK)
		return 0;
	return pf_consent_current(c, table, time(NULL),
	    app->cfg->consent_max_age_days * PF_DAY, set);
}

/* The categories the device's last record allowed, into *arg. */
static int
last_set(const struct pf_consent_record *r, void *arg)
{
	*(pf_consent_set *)arg = pf_consent_set_of(table, r->allowed);
	return 0;
}

/* The confirmation mail to p->to, queued in the open transaction. */
static int
confirm(struct pf_app *app, const struct person *p)
{
	const char	*values[] = { "site", NULL, NULL };
	char		*site;
	int		 rc;

	if ((site = pf_app_url(app, "/")) == NULL)
		return PF_ENOMEM;
	values[1] = site;
	rc = pf_mail_enqueue(app->st, "sale-opted-out", p->to, values,
	    p->subject, NULL);
	free(site);
	return rc;
}

/*
 * Inside the open transaction, after the consent record rid: the opt-out
 * of person p made in device, its record, and its confirmation if asked
 * and the address's limit (g's form's) lets one more mail through.
 */
static int
record_person(struct pf_app *app, struct pf_request *req,
    const struct person *p, const char *device, const char *now,
    const char *rid, struct pf_guard *g)
{
	const struct pf_sale_optout	 o = { .channel = p->channel,
	    .address = p->key, .device = device, .created = now,
	    .source = "form" };
	char				 oid[24];
	const char			*details[] = { "opt-out", oid,
	    "record", rid, "channel", p->channel, "confirmation", "none",
	    NULL };
	long long			 id;
	int				 rc, mail = 0;

	if ((rc = pf_store_sale_put(app->st, &o, &id)) != PF_OK)
		return rc;
	snprintf(oid, sizeof(oid), "%lld", id);
	if (p->to != NULL) {
		rc = pf_guard_address_quota(app, g, p->mailed);
		if (rc != PF_OK && rc != PF_ELIMIT)
			return rc;
		mail = rc == PF_OK;
		details[7] = mail ? "requested" : "withheld";
	}
	if ((rc = pf_app_audit(app, req, "sale-opt-out-identified",
	    p->subject, details)) != PF_OK || !mail)
		return rc;
	return confirm(app, p);
}

/*
 * The opt-out of device, its categories set, and its audit record; with
 * p (may be NULL), the person's too (record_person), all in one
 * transaction.
 */
static int
record(struct pf_app *app, struct pf_request *req, const char *device,
    pf_consent_set set, int gpc, const struct person *p, struct pf_guard *g)
{
	char				 allowed[IDS_MAX], refused[IDS_MAX];
	char				 now[PF_TIME_SIZE], id[24];
	struct pf_consent_record	 r = { .device = device,
	    .notice = table->version, .language = app->cfg->consent_language,
	    .allowed = allowed, .refused = refused, .method = "page",
	    .gpc = gpc, .created = now };
	const char			*details[] = { "record", id, "action",
	    NULL, "method", "page", "gpc", gpc ? "yes" : "no", NULL };
	pf_consent_set			 last = 0;
	long long			 rid;
	int				 rc;

	if (app->cfg->consent_jurisdiction[0] != '\0')
		r.jurisdiction = app->cfg->consent_jurisdiction;
	pf_consent_ids(table, set, 1, allowed, sizeof(allowed));
	pf_consent_ids(table, set, 0, refused, sizeof(refused));
	if ((rc = pf_app_begin(app)) != PF_OK)
		return rc;
	pf_utc_now(now);
	/* The device's key first: store_sql.h's order of locks. */
	if ((rc = pf_store_lock(app->st, "consent", device, NULL)) == PF_OK)
		rc = pf_store_consent_last(app->st, device, last_set, &last);
	r.action = details[3] = (last & pf_consent_sale(table)) != 0 ?
	    "withdrawn" : "refused";
	/* The address's limit is record_person's: it holds up no opt-out. */
	if ((rc == PF_OK || rc == PF_ENOTFOUND) &&
	    (rc = pf_guard_admit(app, g, NULL)) == PF_OK &&
	    (rc = pf_store_consent_put(app->st, &r, &rid)) == PF_OK) {
		snprintf(id, sizeof(id), "%lld", rid);
		if ((rc = pf_app_audit(app, req, "consent-recorded", NULL,
		    details)) == PF_OK && (p == NULL ||
		    (rc = record_person(app, req, p, device, now, id, g)) ==
		    PF_OK) && (rc = pf_app_commit(app)) == PF_OK)
			return PF_OK;
	}
	pf_app_rollback(app);
	return rc;
}

/*
 * What the page says when the button's value was wrong (only a script or
 * a forged form gets it wrong): the button is no control a page can mark
 * (page.h), so it is said here; the other fields' errors are said beside
 * them and in the page's summary.
 */
static const struct pf_notice bad_button = {
	N_("Nothing was changed. Press Opt out to opt out."), 0, 0 };

/*
 * The page, its signal line only with the signal; as the guard's "show
 * the form again", what was typed with its errors, and its notice or,
 * for a wrong button, bad_button.
 */
static void
show_page(struct pf_app *app, struct pf_request *req, int status,
    const struct pf_form *form, const struct pf_notice *notice)
{
	struct pf_page	*page = NULL;
	struct pf_form	 rest;
	int		 rc;

	if (form != NULL) {
		rest = *form;
		rest.fields++, rest.v++, rest.n--;	/* all but F_OPTOUT */
		if (notice == NULL && form->v[F_OPTOUT].error[0] != '\0')
			notice = &bad_button;
		form = &rest;
	}
	if ((rc = pf_page_new(app->pages, "opt-out", &page)) == PF_OK &&
	    !pf_consent_gpc(req->sec_gpc))
		rc = pf_page_remove(page, "optout-gpc");
	pf_app_send_prepared(app, req, rc, status, page, form, notice);
}

static void
form_page(struct pf_app *app, struct pf_request *req)
{
	show_page(app, req, 200, NULL, NULL);
}

/*
 * The rules across fields: one of email and phone at most, and a
 * confirmation only to an email address.
 */
static void
check_identity(struct pf_form *form)
{
	const struct pf_value	*v = form->v;
	int			 email = v[F_EMAIL].value != NULL;

	if (email && v[F_PHONE].value != NULL)
		pf_form_fail(form, F_PHONE, _("Give your email address or your "
		    "phone number, not both: clear one of them."));
	if (v[F_CONFIRM].value == NULL || email || v[F_EMAIL].error[0] != '\0')
		return;
	pf_form_fail(form, F_CONFIRM, v[F_PHONE].shown != NULL &&
	    v[F_PHONE].shown[0] != '\0' ?
	    _("We send a confirmation by email only: give your email address "
	    "instead of your phone number, or untick Send me a confirmation.") :
	    _("Enter the email address to send the confirmation to, or untick "
	    "Send me a confirmation."));
}

/*
 * The person a valid form names into *p, its key a new string (p->key
 * NULL: it names none): PF_OK, or an error (PF_ENOMEM, keys.h's).
 */
static int
person_of(struct pf_app *app, const struct pf_form *form, struct person *p)
{
	const char	*email = form->v[F_EMAIL].value;
	int		 rc;

	memset(p, 0, sizeof(*p));
	if (email == NULL && form->v[F_PHONE].value == NULL)
		return PF_OK;
	p->channel = email != NULL ? "email" : "phone";
	p->key = email != NULL ? pf_email_key(email) :
	    strdup(form->v[F_PHONE].value);
	if (p->key == NULL)
		return PF_ENOMEM;
	if (form->v[F_CONFIRM].value != NULL)
		p->to = email;
	/* Before the write lock is taken: nothing here needs it. */
	if ((rc = pf_pseudonym(&app->keys, p->channel, p->key,
	    p->subject)) != PF_OK || (p->to != NULL &&
	    (rc = pf_guard_address(app, p->to, p->mailed)) != PF_OK))
		return rc;
	return PF_OK;
}

/* The cookie of c for set, made now, and the 303 to the done page. */
static void
answer(struct pf_app *app, struct pf_request *req,
    struct pf_consent_cookie *c, pf_consent_set set, int gpc)
{
	char	 cookie[PF_CONSENT_VALUE_MAX + 128];
	int	 secure = strncmp(app->cfg->base_url, "https:", 6) == 0;

	pf_consent_cookie_fill(c, table, set);
	c->gpc = gpc;
	c->t = (long long)time(NULL);
	if (pf_consent_set_cookie(c, app->cfg->consent_max_age_days * PF_DAY,
	    secure, cookie, sizeof(cookie)) != PF_OK)
		pf_app_fail(app, req);
	else
		pf_app_redirect_cookie(app, req, DONE, cookie);
}

static void
submit(struct pf_app *app, struct pf_request *req)
{
	struct pf_consent_cookie	 c;
	struct pf_form			 form;
	struct pf_guard			 g;
	struct person			 p;
	pf_consent_set			 set;
	int				 rc, known, gpc;

	memset(&p, 0, sizeof(p));
	if (pf_app_read_fields(app, req, fields, F__MAX, &form) != PF_OK)
		return;
	check_identity(&form);
	if (pf_guard_form(app, req, PF_GUARD_OPTOUT, DONE, &form, show_page,
	    &g))
		goto out;
	if (person_of(app, &form, &p) != PF_OK) {
		pf_app_fail(app, req);
		goto out;
	}
	known = pf_consent_cookie_read(req->cookie, &c) == PF_OK;
	decision(app, req, &c, &set);
	set = (set & ~pf_consent_sale(table)) | pf_consent_required(table);
	gpc = pf_consent_gpc(req->sec_gpc);
	/* A browser without a device id of ours gets one now. */
	if ((!known && (rc = pf_app_device_new(app, c.device)) != PF_OK) ||
	    (rc = record(app, req, c.device, set, gpc, p.key != NULL ? &p : NULL,
	    &g)) != PF_OK)
		pf_guard_failed(app, req, &form, show_page, &g, rc);
	else
		answer(app, req, &c, set, gpc);
out:
	free(p.key);
	pf_form_free(&form);
}

/* The done page: opted out if the cookie's decision holds without sale. */
static void
show_done(struct pf_app *app, struct pf_request *req)
{
	struct pf_consent_cookie	 c;
	struct pf_page			*page = NULL;
	pf_consent_set			 set;
	int				 out, rc;

	out = decision(app, req, &c, &set) &&
	    (set & pf_consent_sale(table)) == 0;
	if ((rc = pf_page_new(app->pages, "opt-out-done", &page)) == PF_OK &&
	    (rc = pf_page_remove(page, out ? "done-none" :
	    "done-saved")) == PF_OK && out && !c.gpc)
		rc = pf_page_remove(page, "done-gpc");
	pf_app_send_page(app, req, rc, page);
}

/* The phone region and the categories table the skeleton loaded. */
static int
start(struct pf_app *app)
{
	/* The phone validator's region (fields[F_PHONE]). */
	memcpy(region, app->cfg->phone_region, sizeof(region) - 1);
	table = app->consent;
	return 0;
}

static const struct pf_route routes[] = {
	{ "GET", "", "done", show_done, NULL, 0 },
	{ "GET", "", NULL, form_page, NULL, 0 },
	{ "POST", "", NULL, submit, NULL, 0 },
};

PF_PROGRAM_MAIN(.form = PF_GUARD_OPTOUT, PF_ROUTES(routes),
    .start = start)
