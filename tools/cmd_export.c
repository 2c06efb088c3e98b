/*
 * cmd_export.c -- privforms request export and request erase: answering a
 * data subject request from privforms's own data.
 *
 * Both cover the whole individual: every party (verified address) linked
 * to the request's party, and through their email keys the email opt-outs,
 * the Do-Not-Call entries registered with them, every request, and the
 * opt-outs of sale made with them (with, in an export, the consent records
 * of the browsers those were made in: the person tied them to
 * themselves).  What
 * an erasure deletes, keeps and pseudonymises is lib/erasure.h's.
 *
 * SMS opt-outs are neither exported nor erased: the only tie between a
 * number and an address is a Do-Not-Call entry, and the form proves
 * nothing about who owns the number (registering it again replaces the
 * entry's address), so following it would let a stranger read or remove
 * the owner's opt-outs.  They stay, and keep the number from being texted.
 *
 * Site feedback is covered through the address it left (its email key):
 * exported whole, and erased down to its figures (type, rating,
 * recommend, times), which stay for the team's report, unlinked from
 * anyone.  Article votes are not covered: they are anonymous (no address)
 * and their client, the pseudonym of a network, is forgotten once the
 * de-duplication window has passed (`privforms purge`), so no vote can be
 * found for a person.
 *
 * An export reads everything -- the request, its status, the parties,
 * every section -- in one read transaction (pf_store_begin_read), so that
 * an erasure or a purge running meanwhile cannot make it fail halfway or
 * mix data from before and after; the snapshot ends before the package
 * goes to standard output (a pager must not hold up the forms) and before
 * the audit record is written in a transaction of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "cli.h"
#include "config.h"
#include "dsr.h"
#include "erasure.h"
#include "err.h"
#include "feedback.h"
#include "file.h"
#include "keys.h"
#include "lang.h"
#include "nitems.h"
#include "store.h"
#include "utc.h"
#include "xmlw.h"

#define EXPORT_NS	"urn:privforms:export:1"
#define EXPORT_XSL	"request-export.xsl"
#define ELSEWHERE_NOTE	"Requests about personal data held in these systems " \
			"are answered separately."
#define NOWHERE_NOTE	"The company names no other system that holds " \
			"personal data."

static int	cmd_export(struct ctx *, const struct cli_args *);
static int	cmd_erase(struct ctx *, const struct cli_args *);

static const struct cli_spec export_spec = {
	.opt = { { "--output", CLI_VALUE } }, .min = 1, .max = 1,
};

const struct cmd cmds_export[] = {
	{ "request export", cmd_export, &export_spec, "ID [--output FILE]",
	  "Write the data package for request ID (verified, extended or\n"
	  "fulfilled: an unverified request's address was never proven):\n"
	  "everything privforms holds on every party linked to the request's\n"
	  "individual, as one consistent snapshot -- the parties, their\n"
	  "email opt-outs, the Do-Not-Call entries registered with their\n"
	  "addresses, every request and its history, the site feedback\n"
	  "that left their addresses, the opt-outs of sale made with their\n"
	  "addresses and the consent records of the browsers those were\n"
	  "made in -- and the other systems\n"
	  "(personal_data_systems) whose data is answered separately.\n"
	  "SMS opt-outs are not included: nothing proves who owns a number\n"
	  "registered with an address; nor are article votes: they are\n"
	  "anonymous.  XML (namespace " EXPORT_NS ",\n"
	  "etc/request-export.xsd), times in UTC as stored.  On standard\n"
	  "output, or with --output in FILE, created with mode 0600 (an\n"
	  "existing FILE is never overwritten).  The package names the\n"
	  "stylesheet " EXPORT_XSL " by a relative link: a browser shows the\n"
	  "file as a readable page only when etc/" EXPORT_XSL " is copied\n"
	  "into the same directory, so send the two together (or send the\n"
	  "page `xsltproc " EXPORT_XSL " FILE` makes).  Leaves an audit\n"
	  "record (request-exported) with the counts, nothing personal." },
	{ "request erase", cmd_erase, &cli_id_spec, "ID",
	  "Erase what privforms holds on the individual of request ID\n"
	  "(verified or extended), in one transaction: the email opt-outs\n"
	  "and Do-Not-Call entries of every linked party (each kept only as\n"
	  "a keyed pseudonym in the suppression list, so the person is still\n"
	  "never mailed or called: `dnc check` and `unsubscribes check`\n"
	  "still answer for them), the personal fields and history notes of\n"
	  "every request, the message and address of the site feedback\n"
	  "that left their addresses (its type and ratings stay, for the\n"
	  "figures), the messages still queued to them, the opt-outs of\n"
	  "sale made with their addresses (kept in force as a keyed\n"
	  "pseudonym, which `optouts export` cannot list) and the\n"
	  "parties' addresses.  SMS opt-outs stay as they are: nothing\n"
	  "proves who owns a number registered with an address.  Then the request is fulfilled and the requester is\n"
	  "told at the address the request gave.  The audit trail, which\n"
	  "never held personal data, stays.  Cannot be undone." },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* ---- what is copied out of the store's rows ---- */

/* The parties of an individual, copied. */
struct party_row {
	long long	 id;
	char		*email;		/* email key; NULL once erased */
	char		*created;
};

struct parties {
	struct party_row *v;
	size_t		 n;
};

static void
parties_free(struct parties *p)
{
	size_t	 i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].email);
		free(p->v[i].created);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static int
party_add(const struct pf_party *p, void *arg)
{
	struct parties		*ps = arg;
	struct party_row	*v, *row;

	if ((v = reallocarray(ps->v, ps->n + 1, sizeof(*v))) == NULL)
		return PF_ENOMEM;
	ps->v = v;
	row = &v[ps->n++];
	row->id = p->id;
	row->email = p->email != NULL ? strdup(p->email) : NULL;
	row->created = strdup(p->created);
	if ((p->email != NULL && row->email == NULL) || row->created == NULL)
		return PF_ENOMEM;
	return 0;
}

/* Row ids (requests, consent records), copied out of rows. */
struct ids {
	long long	*v;
	size_t		 n;
};

static int
ids_add(struct ids *ids, long long id)
{
	long long	*v;

	if ((v = reallocarray(ids->v, ids->n + 1, sizeof(*v))) == NULL)
		return PF_ENOMEM;
	ids->v = v;
	v[ids->n++] = id;
	return 0;
}

static int
dsr_id_add(const struct pf_dsr *r, void *arg)
{
	return ids_add(arg, r->id);
}

static int
party_individual(const struct pf_party *p, void *arg)
{
	*(long long *)arg = p->individual;
	return 0;
}

/* What a request covers: its individual and the individual's parties. */
struct subject {
	long long	 individual;
	struct parties	 parties;
};

static int
subject_load(struct pf_store *st, const struct pf_dsr *r, struct subject *s)
{
	int	 rc;

	if ((rc = pf_store_party_get(st, r->party, party_individual,
	    &s->individual)) != PF_OK)
		return rc;
	return pf_store_party_each(st, s->individual, party_add, &s->parties);
}

/* Request ID from the command line, copied into *q: 0, or 1 said. */
static int
load_request(struct ctx *c, const char *what, const char *arg,
    struct pf_dsr_copy *q)
{
	long long	 id;
	int		 rc;

	if ((id = cli_positive(arg)) == 0) {
		fprintf(stderr, "privforms: %s: %s: not a request number\n",
		    what, arg);
		return 1;
	}
	if ((rc = pf_store_dsr_get(c->st, id, pf_dsr_hold, q)) == PF_ENOTFOUND)
		fprintf(stderr, "privforms: %s: no request %lld\n", what, id);
	else if (rc != PF_OK)
		fprintf(stderr, "privforms: %s: %s\n", what, pf_strerror(rc));
	return rc == PF_OK ? 0 : 1;
}

/*
 * 1, said, if r came through an agent the person has not confirmed
 * (agent.h): nothing of theirs may be disclosed or done.
 */
static int
agent_held(struct ctx *c, const char *what, const struct pf_dsr *r)
{
	char	 why[256];

	if (!pf_agent_unconfirmed(c->st, r, why, sizeof(why)))
		return 0;
	fprintf(stderr, "privforms: %s: request %lld: %s\n", what, r->id, why);
	return 1;
}

static int
status_is(const struct pf_dsr *r, const char *const *statuses)
{
	for (; *statuses != NULL; statuses++)
		if (strcmp(r->status, *statuses) == 0)
			return 1;
	return 0;
}

/*
 * 1, said, if r was reduced under the retention rule (purge): nothing of
 * the person is left to export; else 0.
 */
static int
reduced(struct ctx *c, const struct pf_dsr *r)
{
	char	 when[PF_TIME_SIZE];
	int	 rc;

	if ((rc = pf_store_dsr_reduced(c->st, r->id, when)) == PF_ENOTFOUND)
		return 0;
	if (rc != PF_OK)
		fprintf(stderr, "privforms: request export: %s\n",
		    pf_strerror(rc));
	else
		fprintf(stderr, "privforms: request export: request %lld was "
		    "reduced on %.10s under the retention rule "
		    "(request_retention_months): nothing personal is left to "
		    "export\n", r->id, when);
	return 1;
}

/* ---- request export ---- */

struct export {
	struct pf_dsr_copy q;		/* the request answered */
	struct subject	 s;
	struct ids	 requests;	/* the individual's requests */
	struct pf_xmlw	*w;
	long long	 optouts, dnc, feedback; /* written, for the record */
	long long	 sale;		/* sale opt-outs written */
	long long	 subs, sub_events; /* subscriptions, their history */
	struct ids	 consent;	/* consent records written, once each */
	const char	*output;	/* --output, or NULL for stdout */
};

/*
 * The elements of each record, in the order of etc/request-export.xsd.
 * What a table cannot say (a flag as true or false, a member shown only
 * when set, a code worked out) the writer says beside it.
 */
#define DSR(member, name)	PF_XMLW_FIELD(struct pf_dsr, member, name)

static const struct pf_xmlw_field answer_fields[] = {
	DSR(id, "id"), DSR(type, "type"), DSR(received, "received"),
	DSR(due, "due"), DSR(law, "law"),
};

/* A request up to its extension, then extended, status, party. */
static const struct pf_xmlw_field request_fields[] = {
	DSR(id, "id"), DSR(type, "type"), DSR(relationship, "relationship"),
	DSR(organisation, "organisation"), DSR(first_name, "first-name"),
	DSR(last_name, "last-name"), DSR(email, "email"),
	DSR(subject, "pseudonym"), DSR(country, "country"),
	DSR(state, "state"), DSR(details, "details"), DSR(law, "law"),
	DSR(received, "received"), DSR(due, "due"),
	DSR(acknowledge, "acknowledge"), DSR(extension, "extension"),
};

static const struct pf_xmlw_field request_end_fields[] = {
	DSR(verify_by, "verify-by"), DSR(updated, "updated"),
};

/* An appeal (012-appeals.sql): the requester's words are theirs too. */
static const struct pf_xmlw_field appeal_fields[] = {
	DSR(appeal, "state"), DSR(appeal_due, "due"),
	DSR(appeal_reason, "reason"),
};

static const struct pf_xmlw_field event_fields[] = {
	PF_XMLW_FIELD(struct pf_dsr_event, seq, "seq"),
	PF_XMLW_FIELD(struct pf_dsr_event, time, "time"),
	PF_XMLW_FIELD(struct pf_dsr_event, status, "status"),
	PF_XMLW_FIELD(struct pf_dsr_event, note, "note"),
};

#define OPTOUT(member)	PF_XMLW_FIELD(struct pf_optout, member, #member)

static const struct pf_xmlw_field optout_fields[] = {
	OPTOUT(channel), OPTOUT(address), OPTOUT(list), OPTOUT(reason),
	OPTOUT(source), OPTOUT(created), OPTOUT(updated),
};

#define DNC(member, name)	PF_XMLW_FIELD(struct pf_dnc, member, name)

static const struct pf_xmlw_field dnc_fields[] = {
	DNC(number, "number"), DNC(country, "country"),
	DNC(first_name, "first-name"), DNC(last_name, "last-name"),
	DNC(company, "company"), DNC(created, "registered"),
	DNC(updated, "updated"),
};

/* Up to the rating, which is a code worked out from the number. */
static const struct pf_xmlw_field feedback_fields[] = {
	PF_XMLW_FIELD(struct pf_feedback, id, "id"),
	PF_XMLW_FIELD(struct pf_feedback, created, "received"),
	PF_XMLW_FIELD(struct pf_feedback, completed, "completed"),
	PF_XMLW_FIELD(struct pf_feedback, type, "type"),
};

static int
write_answers(struct export *x)
{
	pf_xmlw_start(x->w, "answers", NULL);
	pf_xmlw_fields(x->w, &x->q.r, answer_fields, nitems(answer_fields));
	pf_xmlw_end(x->w);
	return pf_xmlw_status(x->w);
}

static int
write_parties(struct export *x)
{
	const struct party_row	*p;
	size_t			 i;

	pf_xmlw_start(x->w, "parties", NULL);
	for (i = 0; i < x->s.parties.n; i++) {
		p = &x->s.parties.v[i];
		pf_xmlw_start(x->w, "party", NULL);
		pf_xmlw_elem_ll(x->w, "id", p->id);
		pf_xmlw_elem(x->w, "email", p->email);
		pf_xmlw_elem(x->w, "first-seen", p->created);
		pf_xmlw_end(x->w);
	}
	pf_xmlw_end(x->w);
	return pf_xmlw_status(x->w);
}

/* One stored row as element name with the n fields of f; *count counts it. */
static int
write_row(struct export *x, long long *count, const char *name,
    const void *row, const struct pf_xmlw_field *f, size_t n)
{
	(*count)++;
	pf_xmlw_start(x->w, name, NULL);
	pf_xmlw_fields(x->w, row, f, n);
	pf_xmlw_end(x->w);
	return pf_xmlw_status(x->w);
}

/*
 * Section name: for each party's email key, the rows of (a store lookup
 * writing each row) finds for it.
 */
static int
write_by_email(struct pf_store *st, struct export *x, const char *name,
    int (*of)(struct pf_store *, const char *, struct export *))
{
	size_t	 i;
	int	 rc;

	pf_xmlw_start(x->w, name, NULL);
	for (i = 0; i < x->s.parties.n; i++)
		if (x->s.parties.v[i].email != NULL &&
		    (rc = of(st, x->s.parties.v[i].email, x)) != PF_OK)
			return pf_xmlw_fail(x->w, rc);
	pf_xmlw_end(x->w);
	return pf_xmlw_status(x->w);
}

static int
write_optout(const struct pf_optout *o, void *arg)
{
	struct export	*x = arg;

	return write_row(x, &x->optouts, "opt-out", o, optout_fields,
	    nitems(optout_fields));
}

/* The opt-outs of an email key (never of a number: see the top). */
static int
optouts_of(struct pf_store *st, const char *email, struct export *x)
{
	return pf_store_optout_of(st, email, write_optout, x);
}

static int
write_dnc(const struct pf_dnc *d, void *arg)
{
	struct export	*x = arg;

	return write_row(x, &x->dnc, "entry", d, dnc_fields,
	    nitems(dnc_fields));
}

static int
dncs_of(struct pf_store *st, const char *email, struct export *x)
{
	return pf_store_dnc_of_email(st, email, write_dnc, x);
}

#define SALE(member)	PF_XMLW_FIELD(struct pf_sale_optout, member, #member)

static const struct pf_xmlw_field sale_fields[] = {
	SALE(id), SALE(address), SALE(device), SALE(created), SALE(source),
};

#define CR(member)	PF_XMLW_FIELD(struct pf_consent_record, member, #member)

/* Up to gpc, a flag written as true or false; then the rest. */
static const struct pf_xmlw_field consent_fields[] = {
	CR(id), CR(device), CR(notice), CR(language), CR(allowed),
	CR(refused), CR(action), CR(method),
};

static const struct pf_xmlw_field consent_end_fields[] = {
	CR(jurisdiction), CR(created),
};

static int
write_sale(const struct pf_sale_optout *o, void *arg)
{
	struct export	*x = arg;

	/* A number is never a party's: only email addresses reach here. */
	return write_row(x, &x->sale, "opt-out", o, sale_fields,
	    nitems(sale_fields));
}

/* The opt-outs of sale made with an email key (store.h, "sale opt-outs"). */
static int
sales_of(struct pf_store *st, const char *email, struct export *x)
{
	return pf_store_sale_of(st, email, write_sale, x);
}

/* A consent record, unless another of the person's addresses wrote it. */
static int
write_consent(const struct pf_consent_record *r, void *arg)
{
	struct export	*x = arg;
	size_t		 i;
	int		 rc;

	for (i = 0; i < x->consent.n; i++)
		if (x->consent.v[i] == r->id)
			return PF_OK;
	if ((rc = ids_add(&x->consent, r->id)) != PF_OK)
		return rc;
	pf_xmlw_start(x->w, "record", NULL);
	pf_xmlw_fields(x->w, r, consent_fields, nitems(consent_fields));
	pf_xmlw_elem(x->w, "gpc", r->gpc ? "true" : "false");
	pf_xmlw_fields(x->w, r, consent_end_fields,
	    nitems(consent_end_fields));
	pf_xmlw_end(x->w);
	return pf_xmlw_status(x->w);
}

/* The consent records of the browsers an email key opted out of sale in. */
static int
consents_of(struct pf_store *st, const char *email, struct export *x)
{
	return pf_store_consent_of_address(st, email, write_consent, x);
}

#define SUB(member)	PF_XMLW_FIELD(struct pf_subscription, member, #member)
#define SEV(member)	PF_XMLW_FIELD(struct pf_sub_event, member, #member)

static const struct pf_xmlw_field sub_fields[] = {
	SUB(channel), SUB(address), SUB(list), SUB(state), SUB(requested),
	SUB(confirmed), SUB(method), SUB(notice), SUB(language),
};

static const struct pf_xmlw_field sub_event_fields[] = {
	SEV(id), SEV(channel), SEV(address), SEV(list), SEV(action),
	SEV(method), SEV(notice), SEV(language), SEV(requested), SEV(created),
};

static int
write_sub(const struct pf_subscription *s, void *arg)
{
	struct export	*x = arg;

	return write_row(x, &x->subs, "subscription", s, sub_fields,
	    nitems(sub_fields));
}

/* The mailing list subscriptions of an email key (subscription.h). */
static int
subs_of(struct pf_store *st, const char *email, struct export *x)
{
	return pf_store_sub_of(st, "email", email, write_sub, x);
}

static int
write_sub_event(const struct pf_sub_event *e, void *arg)
{
	struct export	*x = arg;

	return write_row(x, &x->sub_events, "event", e, sub_event_fields,
	    nitems(sub_event_fields));
}

static int
sub_events_of(struct pf_store *st, const char *email, struct export *x)
{
	return pf_store_sub_events_of(st, email, write_sub_event, x);
}

/* A request's fields; write_requests closes the element after its history. */
static int
write_request(const struct pf_dsr *r, void *arg)
{
	struct pf_xmlw	*w = ((struct export *)arg)->w;

	pf_xmlw_start(w, "request", NULL);
	pf_xmlw_fields(w, r, request_fields, nitems(request_fields));
	pf_xmlw_elem(w, "extended", r->extended ? "true" : "false");
	pf_xmlw_elem(w, "status", r->status);
	if (r->party != 0)
		pf_xmlw_elem_ll(w, "party", r->party);
	pf_xmlw_fields(w, r, request_end_fields, nitems(request_end_fields));
	if (r->appeal != NULL) {
		pf_xmlw_start(w, "appeal", NULL);
		pf_xmlw_fields(w, r, appeal_fields, nitems(appeal_fields));
		pf_xmlw_end(w);
	}
	return pf_xmlw_status(w);
}

static const struct pf_xmlw_field agent_fields[] = {
	PF_XMLW_FIELD(struct pf_dsr_agent, name, "name"),
	PF_XMLW_FIELD(struct pf_dsr_agent, email, "email"),
	PF_XMLW_FIELD(struct pf_dsr_agent, relationship, "relationship"),
	PF_XMLW_FIELD(struct pf_dsr_agent, answer, "answer"),
	PF_XMLW_FIELD(struct pf_dsr_agent, answered, "answered"),
};

/* Element name holding row's fields f[0..n), into x's package. */
static int
write_element(struct export *x, const char *name, const void *row,
    const struct pf_xmlw_field *f, size_t n)
{
	pf_xmlw_start(x->w, name, NULL);
	pf_xmlw_fields(x->w, row, f, n);
	pf_xmlw_end(x->w);
	return pf_xmlw_status(x->w);
}

/* Who made the request for the person, if someone did (agent.h). */
static int
write_agent(const struct pf_dsr_agent *a, void *arg)
{
	return write_element(arg, "agent", a, agent_fields,
	    nitems(agent_fields));
}

static int
write_event(const struct pf_dsr_event *e, void *arg)
{
	return write_element(arg, "event", e, event_fields,
	    nitems(event_fields));
}

static int
write_requests(struct pf_store *st, struct export *x)
{
	long long	 id;
	size_t		 i;
	int		 rc;

	pf_xmlw_start(x->w, "requests", NULL);
	for (i = 0; i < x->requests.n; i++) {
		id = x->requests.v[i];
		if ((rc = pf_store_dsr_get(st, id, write_request, x)) != PF_OK ||
		    ((rc = pf_store_agent_get(st, id, write_agent, x)) !=
		    PF_OK && rc != PF_ENOTFOUND))
			return pf_xmlw_fail(x->w, rc);
		pf_xmlw_start(x->w, "history", NULL);
		if ((rc = pf_store_dsr_events(st, id, write_event, x)) != PF_OK)
			return pf_xmlw_fail(x->w, rc);
		pf_xmlw_end(x->w);	/* history */
		pf_xmlw_end(x->w);	/* request */
	}
	pf_xmlw_end(x->w);
	return pf_xmlw_status(x->w);
}

static int
write_feedback(const struct pf_feedback *f, void *arg)
{
	struct export	*x = arg;
	struct pf_xmlw	*w = x->w;
	const char	*rating;

	if ((rating = pf_feedback_rating_code(f->rating)) == NULL)
		return PF_EINVAL;	/* a row this version cannot name */
	x->feedback++;
	pf_xmlw_start(w, "entry", NULL);
	pf_xmlw_fields(w, f, feedback_fields, nitems(feedback_fields));
	pf_xmlw_elem(w, "rating", rating);
	if (f->recommend >= 0)
		pf_xmlw_elem_ll(w, "recommend", f->recommend);
	pf_xmlw_elem(w, "email", f->email);
	pf_xmlw_elem(w, "message", f->message);
	pf_xmlw_end(w);
	return pf_xmlw_status(w);
}

/* The site feedback that left an email key (article votes: see the top). */
static int
feedback_of(struct pf_store *st, const char *email, struct export *x)
{
	return pf_store_feedback_of_email(st, email, write_feedback, x);
}

/* personal_data_systems, split on commas and trimmed. */
static int
write_elsewhere(const struct pf_config *cfg, struct pf_xmlw *w)
{
	const char	*p = cfg->personal_data_systems, *e;
	char		*name;
	size_t		 len, n = 0;

	pf_xmlw_start(w, "elsewhere", NULL);
	for (; p != NULL && *p != '\0'; p = *e == ',' ? e + 1 : e) {
		p += strspn(p, " \t");
		e = p + strcspn(p, ",");
		for (len = e - p; len > 0 && strchr(" \t", p[len - 1]); len--)
			continue;
		if (len == 0)
			continue;
		if ((name = strndup(p, len)) == NULL)
			return pf_xmlw_fail(w, PF_ENOMEM);
		pf_xmlw_elem(w, "system", name);
		free(name);
		n++;
	}
	pf_xmlw_elem(w, "note", n > 0 ? ELSEWHERE_NOTE : NOWHERE_NOTE);
	pf_xmlw_end(w);
	return pf_xmlw_status(w);
}

static int
write_sections(struct ctx *c, struct export *x)
{
	if (write_answers(x) != PF_OK || write_parties(x) != PF_OK ||
	    write_by_email(c->st, x, "opt-outs", optouts_of) != PF_OK ||
	    write_by_email(c->st, x, "do-not-call", dncs_of) != PF_OK ||
	    write_requests(c->st, x) != PF_OK ||
	    write_by_email(c->st, x, "feedback", feedback_of) != PF_OK ||
	    write_by_email(c->st, x, "sale-opt-outs", sales_of) != PF_OK ||
	    write_by_email(c->st, x, "consent-records", consents_of) != PF_OK ||
	    write_by_email(c->st, x, "subscriptions", subs_of) != PF_OK ||
	    write_by_email(c->st, x, "subscription-history",
	    sub_events_of) != PF_OK)
		return pf_xmlw_status(x->w);
	return write_elsewhere(c->cfg, x->w);
}

/* What the package covers, read before anything is written. */
static int
export_load(struct pf_store *st, struct export *x)
{
	int	 rc;

	if ((rc = subject_load(st, &x->q.r, &x->s)) != PF_OK)
		return rc;
	return pf_store_dsr_of_individual(st, x->s.individual, dsr_id_add,
	    &x->requests);
}

/* Read what the request covers and write the package to f. */
static int
export_write(struct ctx *c, FILE *f, struct export *x)
{
	char	 now[PF_TIME_SIZE];
	int	 rc;

	if ((rc = export_load(c->st, x)) != PF_OK ||
	    (rc = pf_xmlw_open(f, &x->w)) != PF_OK)
		return rc;
	pf_utc_now(now);
	pf_xmlw_pi(x->w, "xml-stylesheet",
	    "type=\"text/xsl\" href=\"" EXPORT_XSL "\"");
	pf_xmlw_start(x->w, "data-export", EXPORT_NS);
	pf_xmlw_attr(x->w, "version", "1");
	pf_xmlw_attr(x->w, "generated", now);
	if (pf_xmlw_status(x->w) == PF_OK)
		write_sections(c, x);
	rc = pf_xmlw_close(x->w);
	x->w = NULL;
	return rc;
}

/*
 * cli_buffered's fill, or the --output file's: the package, then the end
 * of the snapshot cmd_export began, before f reaches standard output or
 * the disk.
 */
static int
export_fill(struct ctx *c, FILE *f, void *arg)
{
	int	 rc;

	rc = export_write(c, f, arg);
	pf_store_rollback(c->st);
	return rc;
}

/* The record of an export, in its own transaction: 0, or 1 said. */
static int
export_audit(struct ctx *c, const struct export *x)
{
	struct pf_txn	 t = { 0 };
	char		 n[10][24];
	const char	*details[] = { "request", n[0], "parties", n[1],
	    "opt-outs", n[2], "dnc-entries", n[3], "requests", n[4],
	    "feedback", n[5], "sale-opt-outs", n[6], "consent-records", n[7],
	    "subscriptions", n[8], "subscription-events", n[9], NULL };
	int		 rc;

	snprintf(n[0], sizeof(n[0]), "%lld", x->q.r.id);
	snprintf(n[1], sizeof(n[1]), "%zu", x->s.parties.n);
	snprintf(n[2], sizeof(n[2]), "%lld", x->optouts);
	snprintf(n[3], sizeof(n[3]), "%lld", x->dnc);
	snprintf(n[4], sizeof(n[4]), "%zu", x->requests.n);
	snprintf(n[5], sizeof(n[5]), "%lld", x->feedback);
	snprintf(n[6], sizeof(n[6]), "%lld", x->sale);
	snprintf(n[7], sizeof(n[7]), "%zu", x->consent.n);
	snprintf(n[8], sizeof(n[8]), "%lld", x->subs);
	snprintf(n[9], sizeof(n[9]), "%lld", x->sub_events);
	if ((rc = cli_begin(c, &t)) != PF_OK)
		return 1;
	if ((rc = pf_txn_audit_commit(&t, NULL, "request-exported",
	    x->q.r.subject, details)) != PF_OK) {
		fprintf(stderr, "privforms: request export: %s\n",
		    pf_strerror(rc));
		return 1;
	}
	return 0;
}

/* The package in memory (*buf, *len; the caller's): PF_OK or an error. */
static int
export_memory(struct ctx *c, struct export *x, char **buf, size_t *len)
{
	FILE	*mem;
	int	 rc, bad;

	if ((mem = open_memstream(buf, len)) == NULL)
		return PF_ENOMEM;
	rc = export_fill(c, mem, x);
	bad = ferror(mem);
	if (fclose(mem) != 0 || bad)
		rc = rc == PF_OK ? PF_ENOMEM : rc;
	return rc;
}

/*
 * The package in a new file path, mode 0600, never over an existing one:
 * made empty first (an existing file is refused before anything is read
 * or recorded), the package made in memory and recorded, and only then
 * written, so that no byte of it reaches the disk before its record
 * commits.  A file that could not be written whole is removed (its record
 * stays: an attempt, as backup's).  0, or 1 said.
 */
static int
export_file(struct ctx *c, struct export *x, const char *path)
{
	char	*buf = NULL;
	size_t	 len = 0;
	int	 fd, rc, said;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		fprintf(stderr, "privforms: request export: %s: %s\n", path,
		    strerror(errno));
		return 1;
	}
	rc = export_memory(c, x, &buf, &len);
	said = rc == PF_OK && export_audit(c, x) != 0;
	if (rc == PF_OK && !said && (pf_file_write_all(fd, buf, len) !=
	    PF_OK || fsync(fd) != 0))
		rc = PF_EIO;
	if (close(fd) != 0 && rc == PF_OK)
		rc = PF_EIO;
	free(buf);
	if (rc != PF_OK || said) {
		unlink(path);
		if (!said)
			fprintf(stderr, "privforms: request export: %s: %s\n",
			    path, pf_strerror(rc));
		return 1;
	}
	return 0;
}

/* cli_buffered_audited's record: end the snapshot, then export_audit. */
static int
export_released(struct ctx *c, void *arg)
{
	pf_store_rollback(c->st);
	return export_audit(c, arg);
}

static int
cmd_export(struct ctx *c, const struct cli_args *a)
{
	static const char *const exportable[] = { "verified", "extended",
	    "fulfilled", NULL };
	struct export	 x;
	const char	*id = a->pos[0], *output = a->opt[0];
	int		 err, rc = 1;

	memset(&x, 0, sizeof(x));
	if (cli_open_store(c) != 0)
		goto out;
	/* The snapshot: export_fill (or an early exit here) ends it. */
	if ((err = pf_store_begin_read(c->st)) != PF_OK) {
		fprintf(stderr, "privforms: request export: %s\n",
		    pf_strerror(err));
		goto out;
	}
	if (load_request(c, "request export", id, &x.q) != 0 ||
	    agent_held(c, "request export", &x.q.r))
		goto out;
	if (!status_is(&x.q.r, exportable)) {
		fprintf(stderr, "privforms: request export: request %lld is %s: "
		    "only a verified request is answered\n", x.q.r.id,
		    x.q.r.status);
		goto out;
	}
	if (reduced(c, &x.q.r) != 0)
		goto out;
	if (output == NULL) {
		/* Recorded before a byte reaches stdout. */
		rc = cli_buffered_audited("request export", export_fill, c, &x,
		    export_released);
		goto out;
	}
	/* Recorded before a byte reaches the file. */
	rc = export_file(c, &x, output);
	if (rc == 0)
		printf("request %lld exported to %s\n", x.q.r.id, output);
out:
	pf_store_rollback(c->st);	/* accepts NULL, no-op once ended */
	pf_dsr_drop(&x.q);
	parties_free(&x.s.parties);
	free(x.requests.v);
	free(x.consent.v);
	return rc;
}

/* ---- request erase ---- */

/* The two records: what was erased, and the request fulfilled. */
static int
erase_audit(struct pf_txn *t, const struct pf_dsr *r,
    const struct pf_erased *e)
{
	char		 n[11][24];
	const char	*erased[] = { "request", n[0], "parties", n[1],
	    "opt-outs", n[2], "dnc-entries", n[3], "requests", n[4],
	    "messages", n[5], "suppressed", n[6], "feedback", n[7],
	    "sale-opt-outs", n[8], "subscriptions", n[9],
	    "subscription-events", n[10], NULL };
	const char	*fulfilled[] = { "request", n[0], NULL };
	int		 rc;

	snprintf(n[0], sizeof(n[0]), "%lld", r->id);
	snprintf(n[1], sizeof(n[1]), "%lld", e->parties);
	snprintf(n[2], sizeof(n[2]), "%lld", e->optouts);
	snprintf(n[3], sizeof(n[3]), "%lld", e->dnc);
	snprintf(n[4], sizeof(n[4]), "%lld", e->requests);
	snprintf(n[5], sizeof(n[5]), "%lld", e->messages);
	snprintf(n[6], sizeof(n[6]), "%lld", e->suppressed);
	snprintf(n[7], sizeof(n[7]), "%lld", e->feedback);
	snprintf(n[8], sizeof(n[8]), "%lld", e->sale);
	snprintf(n[9], sizeof(n[9]), "%lld", e->subscriptions);
	snprintf(n[10], sizeof(n[10]), "%lld", e->sub_events);
	if ((rc = pf_txn_audit(t, NULL, "request-erased", r->subject,
	    erased)) != PF_OK)
		return rc;
	return pf_txn_audit(t, NULL, "request-fulfilled", r->subject,
	    fulfilled);
}

/* Tell r's requester it is done: the mail and its note in r's language. */
static int
erase_mail(struct ctx *c, const struct pf_keys *keys, const struct pf_dsr *r)
{
	const char	*note[] = { "note", NULL, NULL };
	char		 saved[PF_LANG_MAX];
	int		 rc;

	if ((rc = pf_lang_push(r->lang != NULL ? r->lang : pf_lang_current(),
	    saved)) == PF_OK) {
		note[1] = _(PF_DSR_ERASED_NOTE);
		rc = pf_dsr_mail(c->st, c->cfg, keys, r, "request-fulfilled",
		    note);
	}
	pf_lang_pop(saved);
	return rc;
}

/*
 * Inside the open transaction: erase what r covers, fulfil r and tell the
 * requester at the address copied into r before the erasure.
 */
static int
erase(struct ctx *c, struct pf_txn *t, const struct pf_keys *keys,
    struct pf_dsr *r, struct pf_erased *e)
{
	const char	*was;
	long long	 individual = 0;
	int		 rc;

	if ((rc = pf_store_party_get(c->st, r->party, party_individual,
	    &individual)) != PF_OK ||
	    (rc = pf_erase_individual(c->st, keys, individual, e)) != PF_OK)
		return rc;
	if ((rc = pf_store_dsr_set_status(c->st, r->id, r->status,
	    "fulfilled", PF_DSR_ERASED_NOTE, NULL)) != PF_OK ||
	    (rc = erase_audit(t, r, e)) != PF_OK)
		return rc;
	was = r->status;	/* the mail tells of the status after it */
	r->status = "fulfilled";
	rc = erase_mail(c, keys, r);
	r->status = was;
	return rc;
}

/* What an erasure did, for the operator. */
static void
erase_say(const struct pf_dsr *r, const struct pf_erased *e)
{
	printf("request %lld: erased %lld part%s, %lld opt-out%s, %lld "
	    "opt-out%s of sale, %lld "
	    "Do-Not-Call entr%s, the personal data of %lld request%s and "
	    "%lld feedback entr%s, and %lld queued message%s; %lld "
	    "suppression entr%s keep them from being contacted; request "
	    "fulfilled\n",
	    r->id, e->parties, e->parties == 1 ? "y" : "ies", e->optouts,
	    e->optouts == 1 ? "" : "s", e->sale, e->sale == 1 ? "" : "s",
	    e->dnc, e->dnc == 1 ? "y" : "ies",
	    e->requests, e->requests == 1 ? "" : "s",
	    e->feedback, e->feedback == 1 ? "y" : "ies",
	    e->messages, e->messages == 1 ? "" : "s", e->suppressed,
	    e->suppressed == 1 ? "y" : "ies");
}

static int
cmd_erase(struct ctx *c, const struct cli_args *a)
{
	static const char *const erasable[] = { "verified", "extended", NULL };
	struct pf_keys	 keys;
	struct pf_txn	 t = { 0 };
	struct pf_dsr_copy q;
	struct pf_dsr	*r = &q.r;
	struct pf_erased e;
	int		 err, rc = 1;

	memset(&q, 0, sizeof(q));
	memset(&e, 0, sizeof(e));
	if (cli_load_keys(c, &keys) != 0 || cli_begin(c, &t) != PF_OK)
		return 1;
	/* Copied inside the transaction: its address is needed after. */
	if (load_request(c, "request erase", a->pos[0], &q) != 0 ||
	    agent_held(c, "request erase", r)) {
		pf_txn_rollback(&t);
		goto out;
	}
	if (!status_is(r, erasable)) {
		pf_txn_rollback(&t);
		fprintf(stderr, "privforms: request erase: request %lld is %s: "
		    "only a verified or extended request can be carried out\n",
		    r->id, r->status);
		goto out;
	}
	if ((err = erase(c, &t, &keys, r, &e)) != PF_OK ||
	    (err = pf_txn_commit(&t)) != PF_OK) {
		pf_txn_rollback(&t);
		fprintf(stderr, "privforms: request erase: %s (nothing was "
		    "erased)\n", pf_strerror(err));
		goto out;
	}
	erase_say(r, &e);
	rc = 0;
out:
	pf_dsr_drop(&q);
	return rc;
}
