/*
 * data-request.c -- /privacy/request: data subject requests (access,
 * deletion, correction, portability, restriction, objection, opt-out of
 * sale or sharing, other questions), verified by a link in a mail.
 *
 * The routes (the table at the end, in its order):
 *
 *	GET  request?sent		"check your email"
 *	GET  request			the form; ?type=opt-out-sale: 303 to
 *					opt-out (see elsewhere[] below)
 *	POST request			submit: 303 to ?sent, 422, 503; type
 *					opt-out-sale: 303 to opt-out, nothing
 *					stored
 *	GET  request/verify		one confirm button for the link (?t=T);
 *					changes nothing, since link scanners
 *					fetch every link; for a request an
 *					agent made, who asked and two buttons
 *	POST request/verify		verify (t=T): 303 to the status page,
 *					also when the request was verified before;
 *					an agent's request takes answer=confirm
 *					or answer=refuse (denied), and without
 *					one 303 back to the verify page
 *	GET  request/status		the request's status and history (?t=T)
 *	GET  request/appeal		the appeal form of a denied request
 *					(?t=T, the status link's token); 409
 *					when it cannot be appealed (made
 *					already, its law gives none, too late)
 *	POST request/appeal		appeal (t=T, reason): 303 to the status
 *					page, 409, 422, 429, 503; guarded as
 *					the form is (stamp, honeypot, limits)
 *	GET  request/appeal/challenge	its proof-of-work challenge
 *
 * The three appeal routes are lib/appeal_pages.h's, which also fills the
 * status page's appeal sections; what the pages share (a request read
 * with its agent, the links, dates and law as shown) is lib/dsrpage.h.
 * and, as every program (program.h), GET request/challenge: a
 * proof-of-work challenge (guard.h).  Also 400 (a forged link; an expired
 * one, or one whose request is gone: badlink.h), 404 (any other sub-path,
 * a status link whose request is gone, and every path when no mail is
 * sent: a request that cannot be verified is no use), 405 (also POST
 * request/status), 411, 413, 415, and 403 for a POST from another
 * website's page (app.h).  The status page's link is given as a path
 * (prefix + "/request/status?t="), so the 303 after verifying stays on
 * the host the visitor used.
 *
 * The answer to a submission never depends on the address: a known one,
 * an unknown one and one that asked the same minutes ago all get the same
 * 303.  Storm control (request_repeat_minutes) mails nothing for a repeat
 * of the same type from the same address; while the earlier request is
 * unverified the repeat revises it, so what the person typed last is what
 * they confirm, and once it is verified the repeat stores nothing.  A
 * repeat that would name an agent the first mail did not (one added to
 * the person's own request, or another in place of the one named) stores
 * nothing either: the person's link must not turn into a question about
 * a stranger.  What
 * the person typed reaches the database, their own mails and their own
 * verify page only; audit records carry the pseudonym and codes.  Someone
 * may ask on the person's behalf where the person's law allows it
 * (agent.h): the verify link still goes to the person, who answers for
 * the agent; the agent's name and address reach the store, the person's
 * verify page and the team only.  The
 * pages that only show something read without the write lock, so that
 * link scanners fetching them never hold up a submission.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "app.h"
#include "appeal_pages.h"
#include "badlink.h"
#include "collate.h"
#include "country.h"
#include "dsr.h"
#include "dsrpage.h"
#include "err.h"
#include "form.h"
#include "guard.h"
#include "keys.h"
#include "lang.h"
#include "laws.h"
#include "log.h"
#include "nitems.h"
#include "page.h"
#include "program.h"
#include "request.h"
#include "response.h"
#include "store.h"
#include "utc.h"
#include "validate.h"

/*
 * Characters.  Up to 20000 bytes of UTF-8, which the default max_field_len
 * and max_body (privforms.conf.example) let through.
 */
#define DETAILS_MAX	5000

enum { F_TYPE, F_RELATIONSHIP, F_ORGANISATION, F_FIRST, F_LAST, F_EMAIL,
    F_COUNTRY, F_STATE, F_DETAILS, F_BEHALF, F_AGENT_NAME, F_AGENT_EMAIL,
    F_AGENT_REL, F__MAX };

/* Who asks: the person, or someone for them (agent.h). */
static const char *const behalf[] = {
	"self",		N_("I am asking for myself"),
	"agent",	N_("I am asking on behalf of someone else"),
	NULL,
};

static const struct pf_field fields[F__MAX] = {
	[F_TYPE] = { "type", pf_valid_choice, pf_dsr_types, 1, 32, 0,
	    N_("What you would like us to do"),
	    N_("Select what you would like us to do.") },
	[F_RELATIONSHIP] = { "relationship", pf_valid_choice,
	    pf_dsr_relationships, 1, 32, 0, N_("How you know us"),
	    N_("Select how you know us.") },
	[F_ORGANISATION] = { "organisation", pf_valid_text, NULL, 0, 200, 0,
	    N_("Name of the customer, partner or other organisation") },
	[F_FIRST] = { "first_name", pf_valid_text, NULL, 1, 100, 0,
	    N_("First name"), N_("Enter your first name.") },
	[F_LAST] = { "last_name", pf_valid_text, NULL, 1, 100, 0,
	    N_("Last name"), N_("Enter your last name.") },
	[F_EMAIL] = { "email", pf_valid_email, NULL, 1, 254, 0,
	    N_("Email address"), N_("Enter your email address.") },
	[F_COUNTRY] = { "country", pf_valid_country, NULL, 1, 2, 0,
	    N_("Country where you live"), N_("Select the country where you live.") },
	/* Required in the United States only: see cross_check. */
	[F_STATE] = { "state", pf_valid_us_state, NULL, 0, 2, 0,
	    N_("State") },
	/* Required for a correction or another question: see cross_check. */
	[F_DETAILS] = { "details", pf_valid_text, NULL, 0, DETAILS_MAX, 1,
	    N_("Details") },
	/* Absent (an older page): for oneself.  The rest: see agent_check. */
	[F_BEHALF] = { "on_behalf", pf_valid_choice, behalf, 0, 8, 0,
	    N_("Who is asking") },
	[F_AGENT_NAME] = { "agent_name", pf_valid_text, NULL, 0, 200, 0,
	    N_("Your name") },
	[F_AGENT_EMAIL] = { "agent_email", pf_valid_email, NULL, 0, 254, 0,
	    N_("Your email address") },
	[F_AGENT_REL] = { "agent_relationship", pf_valid_choice,
	    pf_agent_relationships, 0, 32, 0, N_("What you are to the person") },
};

/* The laws table (laws.h), read once by start, before serving. */
static struct pf_laws *laws;

static int	agent_offer(struct pf_page *);

/* ---- the form ---- */

/*
 * The types another page serves, without verification, and its path: CCPA
 * regulations s. 7026 forbid requiring a verifiable consumer request to
 * opt out of sale or sharing, so the form does not offer that type (the
 * page links to the opt-out page instead), and a link or an old page that
 * still asks for it is sent there.  The code stays in pf_dsr_types: the
 * requests stored before are still labelled.
 */
static const char *const elsewhere[] = {
	"opt-out-sale",	"/opt-out",
	NULL,
};

/* The path elsewhere[] sends type to, or NULL for a type of this form. */
static const char *
served_elsewhere(const char *type)
{
	size_t	 i;

	for (i = 0; type != NULL && elsewhere[i] != NULL; i += 2)
		if (strcmp(type, elsewhere[i]) == 0)
			return elsewhere[i + 1];
	return NULL;
}

static void
show_form(struct pf_app *app, struct pf_request *req, int status,
    const struct pf_form *form, const struct pf_notice *notice)
{
	struct pf_page		*page = NULL;
	const struct pf_param	*type = pf_request_query(req, "type");
	int			 rc;

	/* A link may choose the type ("Other privacy inquiry" on the hub). */
	if ((rc = pf_page_new(app->pages, "data-request", &page)) == PF_OK &&
	    form == NULL && type != NULL &&
	    pf_choice_label(pf_dsr_types, type->value) != NULL)
		rc = pf_page_value(page, "type", type->value);
	if (rc == PF_OK)
		rc = agent_offer(page);
	pf_app_send_prepared(app, req, rc, status, page, form, notice);
}

/* ---- agents (agent.h) ---- */

/* Does row i allow agents, and is it the first such row of its law? */
static int
agent_law_first(size_t i)
{
	const struct pf_law	*l = pf_laws_row(laws, i), *o;
	size_t			 j;

	if (!l->agents || l->exempt)
		return 0;
	for (j = 0; j < i; j++) {
		o = pf_laws_row(laws, j);
		if (o->agents && !o->exempt && strcmp(o->law, l->law) == 0)
			return 0;
	}
	return 1;
}

/*
 * The laws under which someone may ask for the person, "GDPR, CCPA", into
 * out; "" when none does.  Names that would not fit are left out (each is
 * at most 64 bytes: laws.h).
 */
static void
agent_laws(char *out, size_t len)
{
	/* TRANSLATORS: between the items of a list ("GDPR, CCPA"). */
	const char	*sep = C_("list separator", ", ");
	const char	*law;
	size_t		 i, n = 0;

	out[0] = '\0';
	for (i = 0; i < pf_laws_count(laws); i++) {
		if (!agent_law_first(i))
			continue;
		law = pf_dsr_law_words(pf_laws_row(laws, i)->law);
		if (n + strlen(sep) + strlen(law) + 1 > len)
			break;
		n += (size_t)snprintf(out + n, len - n, "%s%s",
		    n > 0 ? sep : "", law);
	}
}

/* The form's "on behalf of someone else": named laws, or not offered. */
static int
agent_offer(struct pf_page *page)
{
	char	 list[512];

	agent_laws(list, sizeof(list));
	if (list[0] == '\0')
		return pf_page_remove(page, "agent-part");
	return pf_page_text(page, "on_behalf-laws", list);
}

/*
 * For someone else: the agent's fields required, the person's law must
 * allow it, and the two addresses must differ (the link that confirms
 * goes to the person's).  For oneself: the agent's fields ignored.
 */
static void
agent_check(struct pf_form *form)
{
	static const int agent_fields[] = { F_AGENT_NAME, F_AGENT_EMAIL,
	    F_AGENT_REL };
	static const char *const missing[] = { N_("Enter your name."),
	    N_("Enter your email address."), N_("Select what you are to the person.") };
	const char	*b = form->v[F_BEHALF].value;
	const char	*country = form->v[F_COUNTRY].value;
	char		*k1, *k2;
	size_t		 i;

	for (i = 0; i < nitems(agent_fields); i++)
		if (b == NULL || strcmp(b, "agent") != 0)
			pf_form_ignore(form, agent_fields[i]);
		else if (form->v[agent_fields[i]].value == NULL &&
		    form->v[agent_fields[i]].error[0] == '\0')
			pf_form_fail(form, agent_fields[i], _(missing[i]));
	if (b == NULL || strcmp(b, "agent") != 0 || country == NULL)
		return;
	if (!pf_laws_find(laws, country, form->v[F_STATE].value)->agents)
		pf_form_fail(form, F_BEHALF, _("The privacy law where the person "
		    "lives does not let someone else make this request for "
		    "them: they need to make it themselves."));
	if (form->v[F_EMAIL].value == NULL ||
	    form->v[F_AGENT_EMAIL].value == NULL)
		return;
	k1 = pf_email_key(form->v[F_EMAIL].value);
	k2 = pf_email_key(form->v[F_AGENT_EMAIL].value);
	if (k1 != NULL && k2 != NULL && strcmp(k1, k2) == 0)
		pf_form_fail(form, F_AGENT_EMAIL, _("Enter your own email "
		    "address: the person's must be a different one, so that "
		    "they can confirm they asked you."));
	free(k1);
	free(k2);
}

/* The rules between fields: the state in the US, details where needed. */
static void
cross_check(struct pf_form *form)
{
	const char	*country = form->v[F_COUNTRY].value;
	const char	*type = form->v[F_TYPE].value;

	if (country == NULL || strcmp(country, "US") != 0)
		pf_form_ignore(form, F_STATE);
	else if (form->v[F_STATE].value == NULL &&
	    form->v[F_STATE].error[0] == '\0')
		pf_form_fail(form, F_STATE, _("Select the state where you live."));
	if (type == NULL || form->v[F_DETAILS].value != NULL ||
	    form->v[F_DETAILS].error[0] != '\0')
		return;
	if (strcmp(type, "correction") == 0)
		pf_form_fail(form, F_DETAILS,
		    _("Enter what we should correct, and how."));
	else if (strcmp(type, "other") == 0)
		pf_form_fail(form, F_DETAILS, _("Enter your question."));
}

/* cross_check, and the agent's rules, which need the state settled. */
static void
cross_checks(struct pf_form *form)
{
	cross_check(form);
	agent_check(form);
}



/* What a submission stores, beside the request itself. */
struct submission {
	struct pf_dsr	 r;
	time_t		 now;
	char		 received[PF_TIME_SIZE], verify_by[PF_TIME_SIZE],
			 since[PF_TIME_SIZE];
	char		 subject[PF_HEX_DIGEST_LEN + 1];
	char		 mailed[PF_HEX_DIGEST_LEN + 1];	/* pf_guard_address */
	struct pf_dsr_terms terms;
	struct pf_dsr_agent agent;	/* .relationship NULL: for oneself */
	char		 agent_mailed[PF_HEX_DIGEST_LEN + 1]; /* the agent's */
};

/* The law's terms for s's country and state, for a request received then. */
static int
set_terms(struct submission *s, time_t received)
{
	struct pf_dsr	*r = &s->r;
	int		 rc;

	if ((rc = pf_dsr_terms(laws, r->country, r->state, received,
	    &s->terms)) != PF_OK)
		return rc;
	r->law = s->terms.law;
	r->due = s->terms.due;
	r->acknowledge = s->terms.acknowledge[0] != '\0' ?
	    s->terms.acknowledge : NULL;
	r->extension = s->terms.extension[0] != '\0' ?
	    s->terms.extension : NULL;
	return PF_OK;
}

/* Queue the mail with the verify link, for request r just stored. */
static int
mail_verify(struct pf_app *app, const struct submission *s)
{
	time_t		 expires = s->now + app->cfg->request_verify_days * PF_DAY;
	char		*url = NULL, by[PF_TIME_SIZE], stored[PF_TIME_SIZE];
	const char	*extra[] = { "verify_url", NULL, "verify_by", by, NULL };
	struct pf_dsr_when when;
	struct tm	 tm;
	int		 rc;

	gmtime_r(&expires, &tm);
	strftime(by, sizeof(by), "%Y-%m-%d %H:%M UTC", &tm);
	pf_utc_time(expires, stored);
	if (pf_dsr_mail_date(stored, &when) != stored)
		extra[3] = when.text;
	if ((rc = pf_dsr_link(app->cfg, &app->keys, PF_DSR_VERIFY, s->r.id,
	    expires, &url)) != PF_OK)
		return rc;
	extra[1] = url;
	rc = pf_dsr_mail(app->st, app->cfg, &app->keys, &s->r,
	    s->agent.relationship != NULL ? "request-agent-confirm" :
	    "request-verify", extra);
	free(url);
	return rc;
}

/*
 * The record of request id received or revised as r: codes only, and the
 * day receipt must be acknowledged by when its law sets one.
 */
static int
audit_terms(struct pf_app *app, struct pf_request *req, const char *event,
    long long id, const struct submission *s)
{
	const struct pf_dsr *r = &s->r;
	const char	*details[15];
	char		 num[24];
	size_t		 n = 0;

	details[n++] = "request", details[n++] = num;
	details[n++] = "type", details[n++] = r->type;
	details[n++] = "law", details[n++] = r->law;
	details[n++] = "due", details[n++] = r->due;
	details[n++] = "country", details[n++] = r->country;
	/* Through an agent: the kind, never who. */
	if (s->agent.relationship != NULL)
		details[n++] = "agent", details[n++] = s->agent.relationship;
	if (r->acknowledge != NULL)
		details[n++] = "acknowledge", details[n++] = r->acknowledge;
	details[n] = NULL;
	snprintf(num, sizeof(num), "%lld", id);
	return pf_app_audit(app, req, event, r->subject, details);
}

/* s's agent (or none) as request id's. */
static int
agent_store(struct pf_app *app, const struct submission *s, long long id)
{
	return pf_store_agent_set(app->st, id, s->agent.relationship != NULL ?
	    &s->agent : NULL);
}

/*
 * Acknowledge receipt to the agent, within the address's share of mail
 * (pf_guard_address_quota): anyone can type any address here, so a
 * flood of requests naming one agent mails it no more than the limit,
 * silently (the answer never depends on an address).
 */
static int
agent_acknowledge(struct pf_app *app, const struct submission *s)
{
	struct pf_guard	 g;
	int		 rc;

	if (s->agent.relationship == NULL)
		return PF_OK;
	memset(&g, 0, sizeof(g));
	g.form = PF_GUARD_REQUEST;
	if ((rc = pf_guard_address_quota(app, &g, s->agent_mailed)) ==
	    PF_ELIMIT)
		return PF_OK;
	if (rc != PF_OK)
		return rc;
	return pf_agent_mail(app->st, app->cfg, &s->r, &s->agent,
	    "request-agent-received", NULL);
}

/* A new request: stored, recorded and mailed. */
static int
store_new(struct pf_app *app, struct pf_request *req, struct submission *s)
{
	int	 rc;

	if ((rc = pf_store_dsr_put(app->st, &s->r, s->received,
	    &s->r.id)) != PF_OK ||
	    (rc = agent_store(app, s, s->r.id)) != PF_OK ||
	    (rc = audit_terms(app, req, "request-received", s->r.id,
	    s)) != PF_OK ||
	    (rc = mail_verify(app, s)) != PF_OK)
		return rc;
	return agent_acknowledge(app, s);
}

/*
 * Unverified request prev revised with s: the terms from s's country and
 * state, counted from prev's receipt, which stays; no second mail.
 */
static int
revise(struct pf_app *app, struct pf_request *req, struct submission *s,
    const struct pf_dsr *prev)
{
	time_t	 received;
	int	 rc;

	if ((rc = pf_utc_parse_time(prev->received, &received)) != PF_OK ||
	    (rc = set_terms(s, received)) != PF_OK ||
	    (rc = pf_store_dsr_revise(app->st, prev->id, &s->r,
	    s->received)) != PF_OK ||
	    (rc = agent_store(app, s, prev->id)) != PF_OK)
		return rc;
	return audit_terms(app, req, "request-revised", prev->id, s);
}

/*
 * Whether repeat s would put someone forward as asking for the person
 * whom the mail already sent for request id did not name (into
 * *swapped): an agent on the person's own request, or another agent (by
 * email key) in place of the one named.  The person's link would then
 * ask them to make a stranger their agent.  Dropping the agent (the
 * person asks themselves) and the named agent correcting what they typed
 * are revisions.
 */
static int
agent_swapped(struct pf_app *app, const struct submission *s, long long id,
    int *swapped)
{
	struct pf_agent_copy	 ag;
	char			*named = NULL, *now = NULL;
	int			 rc;

	*swapped = 0;
	if (s->agent.relationship == NULL)
		return PF_OK;
	*swapped = 1;
	if ((rc = pf_agent_load(app->st, id, &ag)) == PF_ENOTFOUND)
		return PF_OK;
	if (rc == PF_OK && ag.a.email != NULL) {
		named = pf_email_key(ag.a.email);
		now = pf_email_key(s->agent.email);
		if (named == NULL || now == NULL)
			rc = PF_ENOMEM;
		else
			*swapped = strcmp(named, now) != 0;
	}
	free(named);
	free(now);
	pf_agent_drop(&ag);
	return rc;
}

/*
 * A repeat of request id within the storm window: revises it while it is
 * unverified, unless it would change the agent the mail named
 * (agent_swapped); otherwise, and once verified, it is only recorded.
 */
static int
repeat(struct pf_app *app, struct pf_request *req, struct submission *s,
    long long id)
{
	struct pf_dsr_copy q;
	char		 num[24];
	const char	*details[] = { "request", num, "type", s->r.type, NULL };
	int		 rc, swapped = 0;

	memset(&q, 0, sizeof(q));
	if ((rc = pf_store_dsr_get(app->st, id, pf_dsr_hold, &q)) == PF_OK &&
	    strcmp(q.r.status, "unverified") == 0 &&
	    (rc = agent_swapped(app, s, id, &swapped)) == PF_OK && !swapped)
		rc = revise(app, req, s, &q.r);
	else if (rc == PF_OK) {
		snprintf(num, sizeof(num), "%lld", id);
		rc = pf_app_audit(app, req, "request-repeated", s->r.subject,
		    details);
	}
	pf_dsr_drop(&q);
	return rc;
}

/*
 * Store the request, its audit record and the verify mail in one
 * transaction, if the guard g admits it; or, for a repeat within the
 * storm window, revise the earlier request or only record the repeat.
 */
static int
record(struct pf_app *app, struct pf_request *req, struct submission *s,
    struct pf_guard *g)
{
	long long	 prev;
	int		 rc;

	if ((rc = pf_app_begin(app)) != PF_OK)
		return rc;
	if ((rc = pf_guard_admit(app, g, s->mailed)) != PF_OK) {
		pf_app_rollback(app);
		return rc;
	}
	rc = app->cfg->request_repeat_minutes == 0 ? PF_ENOTFOUND :
	    pf_store_dsr_recent(app->st, s->r.email_key, s->r.type, s->since,
	    &prev);
	if (rc == PF_OK)
		rc = repeat(app, req, s, prev);
	else if (rc == PF_ENOTFOUND)
		rc = store_new(app, req, s);
	return pf_app_end(app, rc);
}

/* Fill s from a valid form; email_key is the caller's to free. */
static int
prepare(struct pf_app *app, const struct pf_form *form, struct submission *s,
    char **email_key)
{
	struct pf_dsr	*r = &s->r;
	time_t		 since;
	int		 rc;

	memset(s, 0, sizeof(*s));
	s->now = time(NULL);
	since = s->now - app->cfg->request_repeat_minutes * 60;
	pf_utc_time(s->now, s->received);
	pf_utc_time(s->now + app->cfg->request_verify_days * PF_DAY, s->verify_by);
	pf_utc_time(since, s->since);
	r->type = form->v[F_TYPE].value;
	r->relationship = form->v[F_RELATIONSHIP].value;
	r->organisation = form->v[F_ORGANISATION].value;
	r->first_name = form->v[F_FIRST].value;
	r->last_name = form->v[F_LAST].value;
	r->email = form->v[F_EMAIL].value;
	r->country = form->v[F_COUNTRY].value;
	r->state = form->v[F_STATE].value;
	r->details = form->v[F_DETAILS].value;
	r->status = "unverified";
	r->received = s->received;
	r->verify_by = s->verify_by;
	if ((*email_key = pf_email_key(r->email)) == NULL)
		return PF_ENOMEM;
	r->email_key = *email_key;
	if ((rc = pf_pseudonym(&app->keys, "email", r->email_key,
	    s->subject)) != PF_OK ||
	    (rc = pf_guard_address(app, r->email, s->mailed)) != PF_OK)
		return rc;
	r->subject = s->subject;
	if (form->v[F_BEHALF].value != NULL &&
	    strcmp(form->v[F_BEHALF].value, "agent") == 0) {
		s->agent.name = form->v[F_AGENT_NAME].value;
		s->agent.email = form->v[F_AGENT_EMAIL].value;
		s->agent.relationship = form->v[F_AGENT_REL].value;
		if ((rc = pf_guard_address(app, s->agent.email,
		    s->agent_mailed)) != PF_OK)
			return rc;
	}
	return set_terms(s, s->now);
}

static void
submit(struct pf_app *app, struct pf_request *req)
{
	struct pf_form		 form = { 0 };
	struct submission	 s;
	struct pf_guard		 g;
	const char		*to;
	char			*email_key = NULL;
	int			 rc;

	if (pf_app_read_fields(app, req, fields, F__MAX, &form) != PF_OK)
		goto out;
	if ((to = served_elsewhere(form.v[F_TYPE].value)) != NULL) {
		pf_app_redirect(app, req, to);
		goto out;
	}
	cross_checks(&form);
	if (pf_guard_form(app, req, PF_GUARD_REQUEST, "/request?sent", &form,
	    show_form, &g))
		goto out;
	if (prepare(app, &form, &s, &email_key) != PF_OK) {
		pf_app_fail(app, req);
		goto out;
	}
	if ((rc = record(app, req, &s, &g)) == PF_OK)
		pf_app_redirect(app, req, "/request?sent");
	else
		pf_guard_failed(app, req, &form, show_form, &g, rc);
out:
	free(email_key);
	pf_form_free(&form);
}

static void
show_sent(struct pf_app *app, struct pf_request *req)
{
	struct pf_page	*page = NULL;
	char		 days[24];
	int		 rc;

	snprintf(days, sizeof(days), "%ld", app->cfg->request_verify_days);
	if ((rc = pf_page_new(app->pages, "data-request-sent", &page)) == PF_OK)
		rc = pf_page_text(page, "verify-days", days);
	pf_app_send_page(app, req, rc, page);
}

/* ---- verify ---- */

/*
 * Fill element id with text, or, when text is NULL, remove its row (the
 * element id-row: its question and the answer).
 */
static int
optional_text(struct pf_page *page, const char *id, const char *text)
{
	char	 row[64];

	if (text != NULL)
		return pf_page_text(page, id, text);
	snprintf(row, sizeof(row), "%s-row", id);
	return pf_page_remove(page, row);
}

/* The details, one paragraph a line (a <dd> would run them together). */
static int
details_rows(struct pf_page *page, const char *details)
{
	char		*copy, *p, **lines;
	size_t		 n = 1, i;
	int		 rc;

	for (p = strchr(details, '\n'); p != NULL; p = strchr(p + 1, '\n'))
		n++;
	copy = strdup(details);
	lines = calloc(n, sizeof(*lines));
	if (copy == NULL || lines == NULL) {
		rc = PF_ENOMEM;
		goto out;
	}
	for (i = 0, p = copy; i < n; i++) {
		lines[i] = strsep(&p, "\n");
		lines[i][strcspn(lines[i], "\r")] = '\0';
	}
	rc = pf_page_rows(page, "verify-details", (const char *const *)lines,
	    1, n);
out:
	free(lines);
	free(copy);
	return rc;
}

/*
 * What the person is about to confirm: only they get the link, so the
 * page may show what they typed.
 */
static int
verify_facts(struct pf_page *page, const struct pf_dsr *r)
{
	const char	*country = pf_country_local(r->country);
	const char	*state = r->state != NULL ?
	    pf_us_state_local(r->state) : NULL;
	char		 name[1024], place[256];
	int		 rc;

	if (country == NULL)
		country = r->country;
	snprintf(name, sizeof(name), "%s %s",
	    r->first_name != NULL ? r->first_name : "",
	    r->last_name != NULL ? r->last_name : "");
	if (state != NULL)
		snprintf(place, sizeof(place), "%s, %s", state, country);
	else
		snprintf(place, sizeof(place), "%s", country);
	if ((rc = pf_page_text(page, "verify-type",
	    pf_choice_label(pf_dsr_types, r->type))) != PF_OK ||
	    (rc = pf_page_text(page, "verify-name", name)) != PF_OK ||
	    (rc = optional_text(page, "verify-organisation",
	    r->organisation)) != PF_OK ||
	    (rc = pf_page_text(page, "verify-place", place)) != PF_OK ||
	    (rc = pf_page_text(page, "verify-law",
	    pf_dsrp_law_text(r))) != PF_OK ||
	    (rc = pf_dsrp_time_text(page, "verify-due", r->due, pf_dsr_date)) !=
	    PF_OK ||
	    (rc = pf_dsrp_time_text(page, "verify-received", r->received,
	    pf_dsr_time)) != PF_OK)
		return rc;
	if (r->details == NULL)
		return optional_text(page, "verify-details", NULL);
	return details_rows(page, r->details);
}

/*
 * Who asked for the person, on the page that asks them (agent.h); the
 * link outlives an erasure, which blanks the agent with the person.
 */
static int
agent_facts(struct pf_page *page, const struct pf_dsr_agent *a)
{
	int	 rc;

	if ((rc = pf_page_text(page, "agent-name", a->name != NULL ? a->name :
	    "(erased)")) != PF_OK ||
	    (rc = pf_page_text(page, "agent-email", a->email != NULL ?
	    a->email : "(erased)")) != PF_OK)
		return rc;
	return pf_page_text(page, "agent-relationship",
	    pf_choice_label(pf_agent_relationships, a->relationship));
}

/*
 * The page that POSTs token to the verify path: one button, or, for a
 * request an agent made (a not NULL), the two that answer the agent's.
 * A pf_dsrp_page_fn: arg is unused.
 */
static int
verify_page(struct pf_app *app, struct pf_request *req,
    const struct pf_dsr *r, const struct pf_dsr_agent *a, const char *token,
    void *arg)
{
	struct pf_page	*page = NULL;
	int		 rc;

	(void)arg;
	if ((rc = pf_page_new(app->pages, a != NULL ? "request-agent" :
	    "request-verify", &page)) == PF_OK &&
	    (a == NULL || (rc = agent_facts(page, a)) == PF_OK) &&
	    (rc = verify_facts(page, r)) == PF_OK &&
	    (rc = pf_page_value(page, "t", token)) == PF_OK)
		rc = pf_page_send(req, 200, page, NULL, 0);
	pf_page_free(page);
	return rc;
}

/* GET: what would be confirmed, and the one button.  Changes nothing. */
static void
verify_show(struct pf_app *app, struct pf_request *req)
{
	pf_dsrp_show(app, req, PF_DSR_VERIFY, PF_BADLINK_VERIFY, NULL,
	    verify_page, NULL);
}

/*
 * Inside the transaction: verify r (unverified, with its address), record
 * it, and tell the person and the team.
 */
static int
verify_request(struct pf_app *app, struct pf_request *req,
    const struct pf_dsr *r)
{
	struct pf_dsr	 v = *r;
	char		 now[PF_TIME_SIZE], id[24];
	const char	*details[] = { "request", id, "type", r->type, NULL };
	int		 rc;

	pf_utc_now(now);
	snprintf(id, sizeof(id), "%lld", r->id);
	if ((rc = pf_store_party_ensure(app->st, r->email_key, now,
	    &v.party)) != PF_OK ||
	    (rc = pf_store_dsr_verify(app->st, r->id, v.party, now)) != PF_OK ||
	    (rc = pf_app_audit(app, req, "request-verified", r->subject,
	    details)) != PF_OK)
		return rc;
	/* The mails tell of the status after the change. */
	v.status = "verified";
	if ((rc = pf_dsr_mail(app->st, app->cfg, &app->keys, &v,
	    "request-verified", NULL)) != PF_OK)
		return rc;
	return pf_dsr_mail_team(app->st, app->cfg, &v, "request-team-new");
}

/*
 * Inside the transaction, after the change to r (whose status it now
 * has, in v): record the person's answer to r's agent a (reason: a
 * refusal's code, or NULL) and tell the agent how the request stands.
 */
static int
agent_answered(struct pf_app *app, struct pf_request *req,
    const struct pf_dsr *v, const struct pf_dsr_agent *a, const char *answer,
    const char *event, const char *reason)
{
	char		 id[24];
	const char	*details[] = { "request", id, "type", v->type,
	    "agent", a->relationship, "reason", reason, NULL };
	const char	*words = reason != NULL ?
	    pf_choice_label(pf_dsr_denials, reason) : "";
	int		 rc;

	snprintf(id, sizeof(id), "%lld", v->id);
	if (reason == NULL)
		details[6] = NULL;
	if ((rc = pf_store_agent_answer(app->st, v->id, answer, NULL)) !=
	    PF_OK ||
	    (rc = pf_app_audit(app, req, event, v->subject, details)) != PF_OK)
		return rc;
	return pf_agent_mail(app->st, app->cfg, v, a, "request-agent-update",
	    (const char *[]){ "reason", words, NULL });
}

/*
 * Inside the transaction: the person confirmed that they gave r's agent
 * a permission: verified as any request, and the agent told.
 */
static int
agent_confirmed(struct pf_app *app, struct pf_request *req,
    const struct pf_dsr *r, const struct pf_dsr_agent *a)
{
	struct pf_dsr	 v = *r;
	int		 rc;

	if ((rc = verify_request(app, req, r)) != PF_OK)
		return rc;
	v.status = "verified";
	return agent_answered(app, req, &v, a, "confirmed",
	    "request-agent-confirmed", NULL);
}

/*
 * Inside the transaction: the person said they did not authorise r's
 * agent: r is closed (denied, agent-not-authorised), and both told.
 */
static int
agent_refused(struct pf_app *app, struct pf_request *req,
    const struct pf_dsr *r, const struct pf_dsr_agent *a)
{
	static const char reason[] = "agent-not-authorised";
	struct pf_dsr	 v = *r;
	/* The person's own answer: nothing to appeal. */
	const char	*extra[] = { "reason",
	    pf_choice_label(pf_dsr_denials, reason), "note", "", "appeal", "",
	    NULL };
	int		 rc;

	if ((rc = pf_store_dsr_deny(app->st, r->id, "unverified", reason,
	    NULL)) != PF_OK)
		return rc;
	v.status = "denied";
	if ((rc = pf_dsr_mail(app->st, app->cfg, &app->keys, &v,
	    "request-denied", extra)) != PF_OK)
		return rc;
	return agent_answered(app, req, &v, a, "refused",
	    "request-agent-refused", reason);
}

/*
 * Inside the transaction: the person's answer to unverified request r.
 * Without an agent, any POST but a refusal verifies it; with one, answer
 * must be "confirm" or "refuse".  PF_EINVAL when the answer does not fit
 * the request (a page from before a revision added or dropped an agent):
 * nothing done, the page is to be shown again.
 */
static int
answer_request(struct pf_app *app, struct pf_request *req,
    const struct pf_dsr *r, const char *answer)
{
	struct pf_agent_copy	 ag;
	int			 rc;

	if ((rc = pf_agent_load(app->st, r->id, &ag)) == PF_ENOTFOUND)
		return answer != NULL && strcmp(answer, "confirm") != 0 ?
		    PF_EINVAL : verify_request(app, req, r);
	if (rc == PF_OK && answer != NULL && strcmp(answer, "confirm") == 0)
		rc = agent_confirmed(app, req, r, &ag.a);
	else if (rc == PF_OK && answer != NULL &&
	    strcmp(answer, "refuse") == 0)
		rc = agent_refused(app, req, r, &ag.a);
	else if (rc == PF_OK)
		rc = PF_EINVAL;
	pf_agent_drop(&ag);
	return rc;
}

/*
 * Verify in one transaction: PF_OK (verified now, or before: then nothing
 * changes), PF_ENOTFOUND (no such request, or one erased), or a store error.
 */
static int
verify_once(struct pf_app *app, struct pf_request *req, long long id,
    const char *answer)
{
	struct pf_dsr_copy q;
	int		 rc;

	memset(&q, 0, sizeof(q));
	if ((rc = pf_app_begin(app)) != PF_OK)
		return rc;
	rc = pf_store_dsr_get(app->st, id, pf_dsr_hold, &q);
	if (rc == PF_OK && strcmp(q.r.status, "unverified") != 0) {
		pf_app_rollback(app);
		pf_dsr_drop(&q);
		return PF_OK;
	}
	if (rc == PF_OK && (q.r.email_key == NULL || q.r.email == NULL))
		rc = PF_ENOTFOUND;
	if (rc == PF_OK)
		rc = answer_request(app, req, &q.r, answer);
	rc = pf_app_end(app, rc);
	pf_dsr_drop(&q);
	return rc;
}

/* 303 back to the verify page of token t: the answer did not fit. */
static void
to_verify(struct pf_app *app, struct pf_request *req, const char *t)
{
	char	*path;

	if ((path = malloc(strlen(t) + sizeof("/request/verify?t="))) ==
	    NULL) {
		pf_app_fail(app, req);
		return;
	}
	strcpy(path, "/request/verify?t=");
	strcat(path, t);
	pf_app_redirect(app, req, path);
	free(path);
}

/*
 * POST: verify (or, for a request an agent made, the person's answer:
 * answer=confirm or answer=refuse), then 303 to the status page.
 */
static void
verify(struct pf_app *app, struct pf_request *req)
{
	const struct pf_param	*answer;
	long long		 id;
	int			 rc;

	if (pf_app_read_form(app, req) != PF_OK ||
	    pf_dsrp_check_link(app, req, pf_request_field(req, "t"),
	    PF_DSR_VERIFY, PF_BADLINK_VERIFY, &id) != PF_OK)
		return;
	answer = pf_request_field(req, "answer");
	if ((rc = verify_once(app, req, id, answer != NULL ? answer->value :
	    NULL)) == PF_OK)
		pf_dsrp_to_status(app, req, id);
	else if (rc == PF_EINVAL)
		to_verify(app, req, pf_request_field(req, "t")->value);
	else if (rc == PF_ENOTFOUND)
		pf_badlink(app, req, PF_BADLINK_VERIFY, rc);
	else
		pf_app_unavailable(app, req);
}

/* ---- status ---- */

/*
 * The history, as the status page's list: per event its status label,
 * when (as people read it), its note (NULL: none), and when again as a
 * <time datetime>.  Owned strings.
 */
struct history {
	char	**cells;	/* status, when, note; per event */
	char	**datetimes;	/* per event */
	size_t	 n, cap;	/* events */
	int	 err;
};

/* Room for one more event in h: PF_OK or PF_ENOMEM. */
static int
history_grow(struct history *h)
{
	char	**c;
	size_t	 cap = h->cap == 0 ? 8 : 2 * h->cap;

	if (h->n < h->cap)
		return PF_OK;
	if ((c = reallocarray(h->cells, 3 * cap, sizeof(*c))) == NULL)
		return PF_ENOMEM;
	h->cells = c;
	if ((c = reallocarray(h->datetimes, cap, sizeof(*c))) == NULL)
		return PF_ENOMEM;
	h->datetimes = c;
	h->cap = cap;
	return PF_OK;
}

/*
 * What the requester reads of e's note: a denial's reason is a code, and
 * reads as its words; the note the program itself wrote (dsr.h's
 * PF_DSR_ERASED_NOTE) in the page's language; the team's own as written.
 */
static const char *
event_note(const struct pf_dsr_event *e)
{
	if (e->reason != NULL)
		return pf_choice_label(pf_dsr_denials, e->reason);
	if (e->note != NULL && strcmp(e->note, PF_DSR_ERASED_NOTE) == 0)
		return _(PF_DSR_ERASED_NOTE);
	return e->note;
}

/* pf_store_dsr_events's callback: one event. */
static int
add_event(const struct pf_dsr_event *e, void *arg)
{
	struct history		*h = arg;
	struct pf_dsr_when	 w;
	char			**c;
	const char		*label = pf_choice_label(pf_dsr_statuses,
	    e->status);
	const char		*note = event_note(e);

	if ((h->err = history_grow(h)) != PF_OK ||
	    (h->err = pf_dsr_time(e->time, &w)) != PF_OK)
		return h->err;
	c = h->cells + 3 * h->n;
	c[0] = strdup(label != NULL ? label : e->status);
	c[1] = strdup(w.text);
	c[2] = note != NULL ? strdup(note) : NULL;
	h->datetimes[h->n++] = strdup(w.datetime);
	if (c[0] == NULL || c[1] == NULL || (note != NULL && c[2] == NULL) ||
	    h->datetimes[h->n - 1] == NULL)
		return h->err = PF_ENOMEM;
	return 0;
}

static void
history_free(struct history *h)
{
	size_t	 i;

	for (i = 0; i < h->n; i++) {
		free(h->cells[3 * i]);
		free(h->cells[3 * i + 1]);
		free(h->cells[3 * i + 2]);
		free(h->datetimes[i]);
	}
	free(h->cells);
	free(h->datetimes);
	memset(h, 0, sizeof(*h));
}

/* pf_dsrp_read's more: request id's history into h (arg). */
static int
read_history(struct pf_app *app, long long id, void *arg)
{
	struct history	*h = arg;
	int		 rc;

	if ((rc = pf_store_dsr_events(app->st, id, add_event, h)) == PF_OK)
		rc = h->err;
	return rc;
}

/* The status page of r (agent a or NULL) with history arg; t is its token. */
static int
status_page(struct pf_app *app, struct pf_request *req,
    const struct pf_dsr *r, const struct pf_dsr_agent *a, const char *t,
    void *arg)
{
	const struct history	*h = arg;
	struct pf_page		*page = NULL;
	char		 id[24];
	int		 rc;

	snprintf(id, sizeof(id), "%lld", r->id);
	if ((rc = pf_page_new(app->pages, "request-status", &page)) == PF_OK &&
	    (rc = pf_page_text(page, "status-now",
	    pf_choice_label(pf_dsr_statuses, pf_dsr_state(r)))) == PF_OK &&
	    (rc = pf_page_text(page, "status-type",
	    pf_choice_label(pf_dsr_types, r->type))) == PF_OK &&
	    (rc = pf_page_text(page, "status-id", id)) == PF_OK &&
	    (rc = pf_dsrp_time_text(page, "status-received", r->received,
	    pf_dsr_time)) == PF_OK &&
	    (rc = pf_dsrp_time_text(page, "status-due", pf_dsr_due_by(r),
	    pf_dsr_date)) == PF_OK &&
	    (rc = pf_page_text(page, "status-law",
	    pf_dsrp_law_text(r))) == PF_OK &&
	    (rc = pf_appeal_sections(app, page, r, a, t)) == PF_OK &&
	    (rc = pf_page_rows(page, "history",
	    (const char *const *)h->cells, 3, h->n)) == PF_OK &&
	    (rc = pf_page_rows_attr(page, "history", 1, "datetime",
	    (const char *const *)h->datetimes, h->n)) == PF_OK)
		rc = pf_page_send(req, 200, page, NULL, 0);
	pf_page_free(page);
	return rc;
}

/* GET: the status page.  Changes nothing. */
static void
status(struct pf_app *app, struct pf_request *req)
{
	struct history	 h;

	memset(&h, 0, sizeof(h));
	pf_dsrp_show(app, req, PF_DSR_STATUS, PF_BADLINK_STATUS, read_history,
	    status_page, &h);
	history_free(&h);
}

/* ---- routing ---- */

static void
form_page(struct pf_app *app, struct pf_request *req)
{
	const struct pf_param	*type = pf_request_query(req, "type");
	const char		*to;

	if (type != NULL && (to = served_elsewhere(type->value)) != NULL)
		pf_app_redirect(app, req, to);
	else
		show_form(app, req, 200, NULL, NULL);
}

/* Every path is "Not available" when no mail is sent (the header). */
static int
screen(struct pf_app *app, struct pf_request *req)
{
	if (app->cfg->mail_from[0] != '\0')
		return 0;
	pf_page_message(app->pages, req, 404, _("Not available"),
	    _("Requests about personal data are confirmed by email, which this "
	    "site does not send."), NULL, 0);
	return 1;
}

static const struct pf_select selects[] = {
	{ "relationship", pf_dsr_relationships, pf_name_message, NULL },
	{ "agent_relationship", pf_agent_relationships, pf_name_message,
	    NULL },
	{ "country", pf_countries, pf_country_option, pf_collate_pairs },
	{ "state", pf_us_states, pf_us_state_option, pf_collate_pairs },
};

/* The laws table, before serving; the appeal pages read it too. */
static int
start(struct pf_app *app)
{
	char	 err[256];

	if (pf_laws_open(app->cfg->laws_file, app->cfg->laws_exempt, &laws,
	    err, sizeof(err)) == PF_OK) {
		pf_appeal_start(laws);
		return 0;
	}
	pf_log(PF_LOG_ERR, "cannot read the laws table: %s", err);
	return 1;
}

static void
stop(void)
{
	pf_appeal_start(NULL);
	pf_laws_free(laws);
	laws = NULL;
}

static const struct pf_route routes[] = {
	{ "GET", "", "sent", show_sent, NULL, 0 },
	{ "GET", "", NULL, form_page, NULL, 0 },
	{ "POST", "", NULL, submit, NULL, 0 },
	{ "GET", "/verify", NULL, verify_show, NULL, 0 },
	{ "POST", "/verify", NULL, verify, NULL, 0 },
	{ "GET", "/status", NULL, status, NULL, 0 },
	{ "GET", "/appeal", NULL, pf_appeal_show, NULL, 0 },
	{ "POST", "/appeal", NULL, pf_appeal_post, NULL, 0 },
	{ "GET", "/appeal/challenge", NULL, pf_appeal_challenge, NULL, 0 },
};

PF_PROGRAM_MAIN(.form = PF_GUARD_REQUEST, PF_ROUTES(routes),
    PF_SELECTS(selects), .start = start, .stop = stop, .screen = screen,
    .not_found = N_("There is no such page. The form is at the address the "
    "privacy page links to."))
