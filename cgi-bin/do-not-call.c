/*
 * do-not-call.c -- /privacy/do-not-call: the company's internal telemarketing
 * Do-Not-Call register, and "Is my number registered?".
 *
 * The routes (the table at the end, in its order):
 *
 *	POST do-not-call?check		check a number: 303 to ?checked, 422,
 *					429, 503
 *	POST do-not-call		register a number: 303 to ?done, 422, 503
 *	GET  do-not-call?done		"your number is on the register"
 *	GET  do-not-call?checked	"if it is registered with an address,
 *					we have mailed that address"
 *	GET  do-not-call		the form (and the status check, when
 *					registering asks for an address)
 *
 * and, as every program (program.h), GET do-not-call/challenge: a
 * proof-of-work challenge (guard.h).  Any other path the program is sent
 * is taken as do-not-call.  Also 400, 405, 411, 413, 415, and 403 for a
 * POST from another website's page (app.h).  Registration takes effect
 * at once for every dialer that checks the register (`privforms dnc
 * check`).  No answer on the web depends on whether a number was
 * registered before, and the web can only add numbers: removal is
 * `privforms dnc remove`.  A
 * number whose entry was erased (`privforms request erase`) is still
 * registered: it is kept as its pseudonym in the suppression list, and
 * the status check answers for it as `dnc check` does.
 *
 * The status check tells nobody but the number's own registrant: the
 * answer goes only to the address stored with the entry when the number
 * was registered (never to one typed into the check, which would make the
 * check an oracle for anyone's number), carries no date, and is mailed
 * only when the number is registered with an address.  Every other case
 * (no address, not registered, erased, that address's limit reached)
 * mails nobody, and the page is the same in all of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "collate.h"
#include "country.h"
#include "err.h"
#include "form.h"
#include "guard.h"
#include "keys.h"
#include "lang.h"
#include "mail.h"
#include "page.h"
#include "phone.h"
#include "program.h"
#include "request.h"
#include "response.h"
#include "store.h"
#include "validate.h"

#define EMAIL_SIZE	255	/* an address, at most 254 octets (validate.h) */

/* Registering. */
enum { F_FIRST, F_LAST, F_COMPANY, F_PHONE, F_COUNTRY, F_EMAIL, F__MAX };

static const struct pf_field fields[F__MAX] = {
	[F_FIRST] = { "first_name", pf_valid_text, NULL, 0, 100, 0,
	    N_("First name") },
	[F_LAST] = { "last_name", pf_valid_text, NULL, 0, 100, 0,
	    N_("Last name") },
	[F_COMPANY] = { "company", pf_valid_text, NULL, 0, 200, 0,
	    N_("Company") },
	/* Checked against the country below, once that is known. */
	[F_PHONE] = { "phone", NULL, NULL, 1, 32, 0,
	    N_("Phone number"), N_("Enter the phone number to put on the list.") },
	[F_COUNTRY] = { "country", pf_valid_country, NULL, 1, 2, 0,
	    N_("Country of the number"), N_("Select the country of the number.") },
	[F_EMAIL] = { "email", pf_valid_email, NULL, 0, 254, 0,
	    N_("Email address") },
};

/* "Is my number registered?": no address, the answer goes to the entry's. */
enum { C_PHONE, C_COUNTRY, C__MAX };

static const struct pf_field check_fields[C__MAX] = {
	[C_PHONE] = { "check_phone", NULL, NULL, 1, 32, 0,
	    N_("Phone number"), N_("Enter the phone number to check.") },
	[C_COUNTRY] = { "check_country", pf_valid_country, NULL, 1, 2, 0,
	    N_("Country of the number"), N_("Select the country of the number.") },
};

/*
 * Mail is configured and registering asks for an address: the
 * confirmation, and the status check, which answers to that address and
 * so could answer no one without it.
 */
static int
confirm_on(const struct pf_app *app)
{
	return app->cfg->mail_from[0] != '\0' && app->cfg->dnc_confirmation;
}

/*
 * The status check's notice goes above the status check, where its error
 * summary is (page.h finds each control's own), never above the register
 * form: the element pf_app_send_form fills (id "notice") is the check's.
 */
static int
check_notice(struct pf_page *page)
{
	int	 rc;

	if ((rc = pf_page_attr(page, "notice", "id", "register-notice")) !=
	    PF_OK)
		return rc;
	return pf_page_attr(page, "check-notice", "id", "notice");
}

/*
 * The page with both forms; form (the one that was posted, or NULL) keeps
 * what the visitor typed and says what to fix, beside its own fields.
 */
static void
show_form(struct pf_app *app, struct pf_request *req, int status,
    const struct pf_form *form, const struct pf_notice *notice)
{
	struct pf_page	*page = NULL;
	const char	*region = app->cfg->phone_region;
	int		 rc;

	if ((rc = pf_page_new(app->pages, "do-not-call", &page)) == PF_OK &&
	    (form == NULL || form->fields != check_fields ||
	    (rc = check_notice(page)) == PF_OK) &&
	    (rc = pf_page_value(page, "country", region)) == PF_OK) {
		if (confirm_on(app))
			rc = pf_page_value(page, "check_country", region);
		else if ((rc = pf_page_remove(page, "email-group")) == PF_OK)
			rc = pf_page_remove(page, "check");
	}
	pf_app_send_prepared(app, req, rc, status, page, form, notice);
}

/*
 * Validate fields[0..n) with the phone number at index phone read in the
 * country at index country.  0 with form filled, or non-zero once answered
 * (the caller frees form either way).
 */
static int
validate(struct pf_app *app, struct pf_request *req,
    const struct pf_field *f, size_t n, size_t phone, size_t country,
    struct pf_form *form)
{
	if (pf_app_read_fields(app, req, f, n, form) != PF_OK)
		return 1;
	if (form->v[country].value != NULL && pf_form_check(form, phone,
	    pf_valid_phone, form->v[country].value) != PF_OK) {
		pf_app_fail(app, req);
		return 1;
	}
	return 0;
}

/* The values of a mail about number: the number as people read it, the site. */
static int
mail_values(struct pf_app *app, const char *number, char display[],
    char **site)
{
	if (pf_phone_format(number, display, PF_PHONE_DISPLAY_SIZE) != PF_OK)
		return PF_EINVAL;
	return (*site = pf_app_url(app, "/")) == NULL ? PF_ENOMEM : PF_OK;
}

/* Queue "your number is on the register" inside the transaction. */
static int
confirm(struct pf_app *app, const struct pf_dnc *d, const char *to,
    const char *subject)
{
	char		 display[PF_PHONE_DISPLAY_SIZE], *site = NULL;
	const char	*values[] = { "number", display, "site", NULL, NULL };
	int		 rc;

	if ((rc = mail_values(app, d->number, display, &site)) == PF_OK) {
		values[3] = site;
		rc = pf_mail_enqueue(app->st, "dnc-registered", to, values,
		    subject, NULL);
	}
	free(site);
	return rc;
}

/*
 * Store the entry, its audit record and the confirmation in one
 * transaction, if the guard g admits it.  subject is the number's
 * pseudonym, for the record and the mail's records.
 */
static int
record(struct pf_app *app, struct pf_request *req, const struct pf_dnc *d,
    const char *subject, const char *confirm_to, struct pf_guard *g)
{
	const char	*details[] = { "country", d->country, "confirmation",
	    confirm_to != NULL ? "requested" : "none", NULL };
	char		 address[PF_HEX_DIGEST_LEN + 1];
	int		 rc;

	if ((confirm_to != NULL &&
	    (rc = pf_guard_address(app, confirm_to, address)) != PF_OK) ||
	    (rc = pf_app_begin(app)) != PF_OK)
		return rc;
	if ((rc = pf_guard_admit(app, g, confirm_to != NULL ? address :
	    NULL)) != PF_OK ||
	    (rc = pf_store_dnc_put(app->st, d, NULL)) != PF_OK ||
	    (rc = pf_app_audit(app, req, "dnc-registered", subject,
	    details)) != PF_OK ||
	    (confirm_to != NULL &&
	    (rc = confirm(app, d, confirm_to, subject)) != PF_OK) ||
	    (rc = pf_app_commit(app)) != PF_OK)
		pf_app_rollback(app);
	return rc;
}

/*
 * The country an entry records: the one the number belongs to ("+44 ..."
 * typed with the United States chosen is a UK number), or, for a number of
 * no single country (+800), the one chosen.
 */
static const char *
region_of(const char *number, const char *chosen, char out[3])
{
	return pf_phone_region(number, out) == PF_OK ? out : chosen;
}

static void
submit(struct pf_app *app, struct pf_request *req)
{
	struct pf_form	 form = { 0 };
	struct pf_dnc	 d;
	struct pf_guard	 g;
	char		 subject[PF_HEX_DIGEST_LEN + 1], region[3], *email = NULL;
	int		 rc;

	if (validate(app, req, fields, F__MAX, F_PHONE, F_COUNTRY, &form))
		goto out;
	if (!confirm_on(app))
		pf_form_ignore(&form, F_EMAIL);
	if (pf_guard_form(app, req, PF_GUARD_DNC, "/do-not-call?done", &form,
	    show_form, &g))
		goto out;
	memset(&d, 0, sizeof(d));
	d.number = form.v[F_PHONE].value;
	d.country = region_of(d.number, form.v[F_COUNTRY].value, region);
	d.first_name = form.v[F_FIRST].value;
	d.last_name = form.v[F_LAST].value;
	d.company = form.v[F_COMPANY].value;
	if ((form.v[F_EMAIL].value != NULL &&
	    (d.email = email = pf_email_key(form.v[F_EMAIL].value)) == NULL) ||
	    pf_pseudonym(&app->keys, "phone", d.number, subject) != PF_OK) {
		pf_app_fail(app, req);
		goto out;
	}
	rc = record(app, req, &d, subject, form.v[F_EMAIL].value, &g);
	if (rc == PF_OK)
		pf_app_redirect(app, req, "/do-not-call?done");
	else
		pf_guard_failed(app, req, &form, show_form, &g, rc);
out:
	free(email);
	pf_form_free(&form);
}

/*
 * What the status check found: whether the number is registered, and the
 * address (an email key) its entry holds, "" if none (or erased).
 */
struct found {
	int	 registered;
	char	 to[EMAIL_SIZE];
};

static int
found(const struct pf_dnc *d, void *arg)
{
	struct found	*f = arg;

	f->registered = 1;
	if (d->email != NULL && strlen(d->email) < sizeof(f->to))
		memcpy(f->to, d->email, strlen(d->email) + 1);
	return 0;
}

/*
 * Is number (whose pseudonym is subject) registered: in the register, or
 * erased and kept in the suppression list, which holds no address?
 * PF_OK with f set either way, or an error: never "not registered" when
 * it cannot tell.
 */
static int
lookup(struct pf_app *app, const char *number, const char *subject,
    struct found *f)
{
	int	 rc;

	if ((rc = pf_store_dnc_get(app->st, number, found, f)) != PF_ENOTFOUND)
		return rc;
	rc = pf_store_suppressed(app->st, "phone", subject, "call");
	f->registered = rc == PF_OK;
	return rc == PF_ENOTFOUND ? PF_OK : rc;
}

/*
 * Queue "number is registered" for the address its entry holds, if the
 * entry holds one and that address is within its limit (counted
 * silently: a 429 here would tell the asker the number has an address).
 * *mailed says whether it was queued.
 */
static int
mail_answer(struct pf_app *app, struct pf_guard *g, const char *number,
    const struct found *f, const char *subject, int *mailed)
{
	char		 display[PF_PHONE_DISPLAY_SIZE], *site = NULL;
	char		 address[PF_HEX_DIGEST_LEN + 1];
	const char	*values[] = { "number", display, "site", NULL, NULL };
	int		 rc;

	*mailed = 0;
	if (f->to[0] == '\0')
		return PF_OK;
	if ((rc = pf_guard_address(app, f->to, address)) != PF_OK ||
	    (rc = pf_guard_address_quota(app, g, address)) != PF_OK)
		return rc == PF_ELIMIT ? PF_OK : rc;
	if ((rc = mail_values(app, number, display, &site)) == PF_OK) {
		values[3] = site;
		rc = pf_mail_enqueue(app->st, "dnc-status-registered", f->to,
		    values, subject, NULL);
	}
	free(site);
	*mailed = rc == PF_OK;
	return rc;
}

/*
 * Admit the check (the client's limits: they do not depend on the
 * number), look the number up, queue the answer and audit it, in one
 * transaction.
 */
static int
answer(struct pf_app *app, struct pf_request *req, const char *number,
    struct pf_guard *g)
{
	struct found	 f = { 0 };
	char		 subject[PF_HEX_DIGEST_LEN + 1];
	const char	*details[] = { "answer", NULL, "mailed", NULL, NULL };
	int		 rc, mailed = 0;

	if ((rc = pf_pseudonym(&app->keys, "phone", number, subject)) != PF_OK ||
	    (rc = pf_app_begin(app)) != PF_OK)
		return rc;
	if ((rc = pf_guard_admit(app, g, NULL)) == PF_OK &&
	    (rc = lookup(app, number, subject, &f)) == PF_OK)
		rc = mail_answer(app, g, number, &f, subject, &mailed);
	details[1] = f.registered ? "registered" : "not-registered";
	details[3] = mailed ? "yes" : "no";
	if (rc != PF_OK ||
	    (rc = pf_app_audit(app, req, "dnc-status-checked", subject,
	    details)) != PF_OK ||
	    (rc = pf_app_commit(app)) != PF_OK)
		pf_app_rollback(app);
	return rc;
}

static void
check(struct pf_app *app, struct pf_request *req)
{
	struct pf_form	 form = { 0 };
	struct pf_guard	 g;
	int		 rc;

	if (!confirm_on(app)) {
		pf_page_message(app->pages, req, 404, _("Not available"),
		    _("This site keeps no address with a number, so it has no "
		    "one to send the answer to."), NULL, 0);
		return;
	}
	if (validate(app, req, check_fields, C__MAX, C_PHONE, C_COUNTRY, &form) ||
	    pf_guard_form(app, req, PF_GUARD_DNC, "/do-not-call?checked",
	    &form, show_form, &g))
		goto out;
	rc = answer(app, req, form.v[C_PHONE].value, &g);
	if (rc == PF_OK)
		pf_app_redirect(app, req, "/do-not-call?checked");
	else
		pf_guard_failed(app, req, &form, show_form, &g, rc);
out:
	pf_form_free(&form);
}

static void
form_page(struct pf_app *app, struct pf_request *req)
{
	show_form(app, req, 200, NULL, NULL);
}

static const struct pf_select selects[] = {
	{ "country", pf_countries, pf_country_option, pf_collate_pairs },
	{ "check_country", pf_countries, pf_country_option,
	    pf_collate_pairs },
};

static const struct pf_route routes[] = {
	{ "POST", "", "check", check, NULL, 0 },
	{ "POST", "", NULL, submit, NULL, 0 },
	{ "GET", "", "done", NULL, "do-not-call-done", 0 },
	{ "GET", "", "checked", NULL, "do-not-call-checked", 0 },
	{ "GET", "", NULL, form_page, NULL, 0 },
};

PF_PROGRAM_MAIN(.form = PF_GUARD_DNC, PF_ROUTES(routes), PF_SELECTS(selects))
