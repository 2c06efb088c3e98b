/*
 * cmd_request.c -- privforms requests, request show, extend, deny, fulfil:
 * the privacy team's side of the data subject requests (dsr.h).
 *
 * The web takes a request in and verifies its address; from then on only
 * the team moves it.  Each move is one transaction holding the change, its
 * audit record and the mail that tells the requester, so none of the three
 * is ever committed without the others.  The audit record names the request
 * by number and the person by pseudonym only: the team's reason or note may
 * hold personal data, so it goes where the requester reads it (the
 * request's history on the status page, and the mail) and nowhere else.
 * A denial's reason is a code (denials.h), which the store and the audit
 * record keep and the mail and the status page put in plain words; the
 * team's own words for it (--note) reach the mail only, never the store
 * nor a record (the outbox holds them until the mail is sent).  A request
 * made through an agent (agent.h) is held until the person confirms, and
 * each change then also tells the agent how it stands, never the note.
 *
 * Where the request's law gives an appeal (laws.h), the denial's mail
 * says until when the requester may appeal it from the status page
 * (request_appeal_days), and `request appeal-decide` settles an appeal:
 * granted, the request is open again, due the appeal's due date, and is
 * closed by `request fulfil` as any other; denied, the mail names the
 * regulator the laws table gives for the request's law.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "cli.h"
#include "config.h"
#include "denials.h"
#include "dsr.h"
#include "err.h"
#include "keys.h"
#include "lang.h"
#include "laws.h"
#include "store.h"
#include "utc.h"
#include "utf8.h"
#include "validate.h"

#define TEXT_MAX	1000	/* bytes of a reason or note */
#define DAYS_MAX	3660	/* --due-within: ten years is plenty */

static int	cmd_list(struct ctx *, const struct cli_args *);
static int	cmd_show(struct ctx *, const struct cli_args *);
static int	cmd_extend(struct ctx *, const struct cli_args *);
static int	cmd_deny(struct ctx *, const struct cli_args *);
static int	cmd_fulfil(struct ctx *, const struct cli_args *);
static int	cmd_appeal_decide(struct ctx *, const struct cli_args *);

enum { L_STATUS, L_OVERDUE, L_WITHIN };	/* requests */

static const struct cli_spec list_spec = { .opt = {
	[L_STATUS] = { "--status", CLI_VALUE },
	[L_OVERDUE] = { "--overdue", 0 },
	[L_WITHIN] = { "--due-within", CLI_VALUE },
} };
/* ID, then a change's one text: a second one is refused, not taken. */
static const struct cli_spec reason_spec = {
	.opt = { { "--reason", CLI_VALUE | CLI_ONCE | CLI_REQUIRED } },
	.min = 1, .max = 1,
};
/* ID --reason CODE [--note TEXT] */
static const struct cli_spec deny_spec = {
	.opt = { { "--reason", CLI_VALUE | CLI_ONCE | CLI_REQUIRED },
	    { "--note", CLI_VALUE | CLI_ONCE } },
	.min = 1, .max = 1,
};
static const struct cli_spec note_spec = {
	.opt = { { "--note", CLI_VALUE | CLI_ONCE } }, .min = 1, .max = 1,
};
/* ID --grant [--note TEXT] | ID --deny --reason CODE [--note TEXT] */
enum { A_GRANT, A_DENY, A_REASON, A_NOTE };
static const struct cli_spec appeal_spec = { .opt = {
	[A_GRANT] = { "--grant", CLI_ONCE },
	[A_DENY] = { "--deny", CLI_ONCE },
	[A_REASON] = { "--reason", CLI_VALUE | CLI_ONCE },
	[A_NOTE] = { "--note", CLI_VALUE | CLI_ONCE },
}, .min = 1, .max = 1 };

#define DENIAL_HELP(code, words, source)	"  " code "\n"

const struct cmd cmds_request[] = {
	{ "requests", cmd_list, &list_spec,
	  "[--status S] [--overdue] [--due-within DAYS]",
	  "List the data subject requests, the soonest due first: number,\n"
	  "type, status, the day received, the due date, the law and the\n"
	  "place (country, or US-XX) it was fixed by, and AGENT: the kind of\n"
	  "agent who asked on the person's behalf, or \"-\".  Nobody's name or\n"
	  "address is listed: `request show` gives those.  --status lists\n"
	  "only unverified, verified, extended, fulfilled, denied, appealed\n"
	  "(a denial appealed, not yet decided) or appeal-denied ones;\n"
	  "--overdue only open (verified, extended or appealed) requests due\n"
	  "before today (UTC); --due-within DAYS only open requests due within\n"
	  "DAYS days from today, overdue ones included.  An appealed request\n"
	  "is due on its appeal's due date." },
	{ "request show", cmd_show, &cli_id_spec, "ID",
	  "Everything about request ID, personal data included (the team's\n"
	  "view; do not paste it into tickets): the requester's details, the\n"
	  "law's dates (acknowledgement, due, whether the extension is\n"
	  "used), the agent who asked on the person's behalf and the person's\n"
	  "answer, the verified address's party and the other parties linked\n"
	  "to the same individual (`party link`), and its history.  A request\n"
	  "made through an agent is held until the person confirms by mail:\n"
	  "extend, deny, fulfil, export and erase refuse it until then.  A\n"
	  "request reduced under the retention rule (`purge`) says so, and\n"
	  "when, and shows what it kept." },
	{ "request extend", cmd_extend, &reason_spec, "ID --reason TEXT",
	  "Use the one extension the request's law allows: the due date moves\n"
	  "by the extension, counted from the date it was due.  Only for a\n"
	  "verified request not extended before.  The requester is mailed\n"
	  "the new date and the reason, which the status page shows too: one\n"
	  "line, at most 1000 bytes, written for the requester to read." },
	{ "request deny", cmd_deny, &deny_spec, "ID --reason CODE [--note TEXT]",
	  "Close a verified (or extended) request without carrying it out,\n"
	  "for the legal reason CODE.  The requester is mailed what CODE\n"
	  "means in plain words, which the status page shows too; the store\n"
	  "and the audit record keep CODE.  Where the request's law gives an\n"
	  "appeal, the mail and the status page offer one until\n"
	  "request_appeal_days after today.  --note adds the team's own line\n"
	  "to the mail only (at most 1000 bytes; it may hold what the\n"
	  "requester should send): it waits in the outbox until the mail is\n"
	  "sent, never in the request's history nor a record.  CODE is\n"
	  "one of:\n" PF_DENIALS(DENIAL_HELP)
	  "privforms(8) gives the provisions each rests on." },
	{ "request fulfil", cmd_fulfil, &note_spec, "ID [--note TEXT]",
	  "Close a verified (or extended) request as done, once the answer\n"
	  "has been given.  The requester is mailed, with the note if there\n"
	  "is one (one line, at most 1000 bytes; the status page shows it)." },
	{ "request appeal-decide", cmd_appeal_decide, &appeal_spec,
	  "ID --grant [--note TEXT] | ID --deny --reason CODE [--note TEXT]",
	  "Decide the open appeal of request ID (`requests --status\n"
	  "appealed` lists them, soonest due first).  --grant changes the\n"
	  "decision: the request is open again (verified), due the appeal's\n"
	  "due date, and `request fulfil` closes it once it is carried out.\n"
	  "--deny keeps the denial, for the legal reason CODE (one of `request\n"
	  "deny`'s); the requester is mailed what it means and the regulator\n"
	  "the laws table names for the request's law.  Either way the\n"
	  "requester is mailed, with --note if given (mail only, as for `request\n"
	  "deny`), and the audit record keeps the decision (and CODE)." },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* Request id into q (pf_dsr_drop it): PF_OK, PF_ENOTFOUND, or an error. */
static int
req_load(struct pf_store *st, long long id, struct pf_dsr_copy *q)
{
	memset(q, 0, sizeof(*q));
	return pf_store_dsr_get(st, id, pf_dsr_hold, q);
}

static int
is_open(const struct pf_dsr *r)
{
	return strcmp(r->status, "verified") == 0 ||
	    strcmp(r->status, "extended") == 0;
}

/* "DE", or "US-CA" for a US state. */
static void
place(const struct pf_dsr *r, char out[8])
{
	if (r->state != NULL)
		snprintf(out, 8, "%s-%s", r->country, r->state);
	else
		snprintf(out, 8, "%s", r->country);
}

/* ---- requests ---- */

struct listing {
	FILE		*f;
	struct pf_store	*st;
};

/* A row; AGENT is the agent's relationship code, "-" for the person's own. */
static int
list_row(const struct pf_dsr *r, void *arg)
{
	struct listing		*l = arg;
	struct pf_agent_copy	 ag;
	char			 where[8];
	int			 rc;

	if ((rc = pf_agent_load(l->st, r->id, &ag)) != PF_OK &&
	    rc != PF_ENOTFOUND)
		return rc;
	place(r, where);
	fprintf(l->f, "%-6lld  %-12s  %-13s  %.10s  %-10s  %-16s  %-6s  %s\n",
	    r->id, r->type, pf_dsr_state(r), r->received, pf_dsr_due_by(r),
	    r->law, where, rc == PF_OK ? ag.a.relationship : "-");
	pf_agent_drop(&ag);
	return ferror(l->f) ? PF_EIO : 0;
}

static int
list_fill(struct ctx *c, FILE *f, void *filter)
{
	struct listing	 l = { f, c->st };

	fprintf(f, "%-6s  %-12s  %-13s  %-10s  %-10s  %-16s  %-6s  %s\n", "ID",
	    "TYPE", "STATUS", "RECEIVED", "DUE", "LAW", "PLACE", "AGENT");
	return pf_store_dsr_each(c->st, filter, list_row, &l);
}

/* The UTC day days after now, "YYYY-MM-DD". */
static void
day_after(time_t now, long days, char out[PF_DATE_SIZE])
{
	struct tm	 tm;
	time_t		 t = now + days * PF_DAY;

	gmtime_r(&t, &tm);
	strftime(out, PF_DATE_SIZE, "%Y-%m-%d", &tm);
}

/* DAYS: a whole number from 0 to DAYS_MAX, or -1. */
static long
days_arg(const char *s)
{
	long long	 n;

	if (strcmp(s, "0") == 0)
		return 0;
	n = cli_positive(s);
	return n >= 1 && n <= DAYS_MAX ? (long)n : -1;
}

static int
cmd_list(struct ctx *c, const struct cli_args *a)
{
	struct pf_dsr_filter	 f = { a->opt[L_STATUS], 0, NULL };
	const char		*within = a->opt[L_WITHIN];
	char			 before[PF_DATE_SIZE];
	long			 days = -1;
	int			 overdue = a->opt[L_OVERDUE] != NULL;

	/* A granted appeal is an event: the request is verified again. */
	if (f.status != NULL && (pf_choice_label(pf_dsr_statuses, f.status) ==
	    NULL || strcmp(f.status, "appeal-granted") == 0)) {
		fprintf(stderr, "privforms: requests: --status %s: not one of "
		    "unverified, verified, extended, fulfilled, denied, "
		    "appealed, appeal-denied\n", f.status);
		return CLI_USAGE;
	}
	if (within != NULL && (days = days_arg(within)) < 0) {
		fprintf(stderr, "privforms: requests: --due-within %s: not a "
		    "number of days from 0 to %d\n", within, DAYS_MAX);
		return CLI_USAGE;
	}
	if ((overdue || within != NULL) && f.status != NULL &&
	    strcmp(f.status, "verified") != 0 &&
	    strcmp(f.status, "extended") != 0 &&
	    strcmp(f.status, "appealed") != 0) {
		fprintf(stderr, "privforms: requests: --overdue and --due-within "
		    "list open requests only (verified, extended or "
		    "appealed)\n");
		return CLI_USAGE;
	}
	if (overdue || within != NULL) {
		/* Overdue is the nearer cutoff when both are given. */
		day_after(time(NULL), overdue ? 0 : days + 1, before);
		f.open = 1;
		f.due_before = before;
	}
	if (cli_open_store(c) != 0)
		return 1;
	return cli_buffered("requests", list_fill, c, &f);
}

/* ---- request show ---- */

static void
field(FILE *f, const char *name, const char *value)
{
	fprintf(f, "%-16s%s\n", name, value != NULL ? value : "-");
}

/* A personal field: "(erased)" once the request's data is gone. */
static void
personal(FILE *f, const char *name, const char *value,
    const struct pf_dsr *r)
{
	field(f, name, value == NULL && r->email_key == NULL ? "(erased)" :
	    value);
}

/* "code (label)" of a code in a dsr.h table. */
static void
coded(FILE *f, const char *name, const char *const *table, const char *code)
{
	const char	*label = pf_choice_label(table, code);

	if (label != NULL)
		fprintf(f, "%-16s%s (%s)\n", name, code, label);
	else
		field(f, name, code);
}

static void	show_lines(FILE *, const char *, const char *,
		    const struct pf_dsr *);

/* The appeal, if there is one: its state, due date and the words. */
static void
show_appeal(FILE *f, const struct pf_dsr *r)
{
	if (r->appeal == NULL)
		return;
	field(f, "appeal", r->appeal);
	field(f, "appeal due", r->appeal_due);
	show_lines(f, "appeal reason", r->appeal_reason, r);
}

static void
show_terms(FILE *f, const struct pf_dsr *r)
{
	char	 where[8];

	place(r, where);
	field(f, "place", where);
	field(f, "law", r->law);
	field(f, "received", r->received);
	if (r->acknowledge != NULL)
		field(f, "acknowledge by", r->acknowledge);
	else
		fprintf(f, "%-16s- (%s sets no period)\n", "acknowledge by",
		    r->law);
	field(f, "due", r->due);
	if (r->extension == NULL)
		fprintf(f, "%-16snone under %s\n", "extension", r->law);
	else
		fprintf(f, "%-16s%s, %s\n", "extension", r->extension,
		    r->extended ? "used" : "not used");
	if (strcmp(r->status, "unverified") == 0)
		field(f, "verify by", r->verify_by);
	field(f, "updated", r->updated);
	show_appeal(f, r);
}

/* Text of several lines (s, of r): each indented under the heading. */
static void
show_lines(FILE *f, const char *name, const char *s, const struct pf_dsr *r)
{
	size_t		 n;

	if (s == NULL) {
		personal(f, name, NULL, r);
		return;
	}
	fprintf(f, "%s\n", name);
	while (*s != '\0') {
		n = strcspn(s, "\n");
		fprintf(f, "  %.*s\n", (int)n, s);
		s += n + (s[n] == '\n');
	}
}

/* A request, and when it was reduced ("" while it is whole). */
struct shown {
	const struct pf_dsr	*r;
	char			 reduced[PF_TIME_SIZE];
};

/*
 * A reduced request: what it kept, and that the rest went under the
 * retention rule, rather than fields that read as if never given.
 */
static void
show_reduced(FILE *f, const struct pf_dsr *r, const char *when)
{
	fprintf(f, "%-16s%lld\n", "request", r->id);
	coded(f, "type", pf_dsr_types, r->type);
	coded(f, "status", pf_dsr_statuses, r->status);
	fprintf(f, "%-16son %.10s under the retention rule "
	    "(request_retention_months after it closed): its names, address,\n"
	    "%-16sdetails, notes and party are gone; what the yearly report "
	    "reads is kept\n", "reduced", when, "");
	coded(f, "relationship", pf_dsr_relationships, r->relationship);
	field(f, "subject", r->subject);
	show_terms(f, r);
}

static void
show_request(FILE *f, const struct pf_dsr *r)
{
	fprintf(f, "%-16s%lld\n", "request", r->id);
	coded(f, "type", pf_dsr_types, r->type);
	coded(f, "status", pf_dsr_statuses, pf_dsr_state(r));
	coded(f, "relationship", pf_dsr_relationships, r->relationship);
	personal(f, "organisation", r->organisation, r);
	personal(f, "first name", r->first_name, r);
	personal(f, "last name", r->last_name, r);
	personal(f, "email", r->email, r);
	personal(f, "email key", r->email_key, r);
	field(f, "subject", r->subject);
	show_terms(f, r);
}

struct others {
	FILE		*f;
	long long	 self;
	long long	 individual;
	int		 n;
};

static int
copy_individual(const struct pf_party *p, void *arg)
{
	*(long long *)arg = p->individual;
	return 0;
}

static int
other_party(const struct pf_party *p, void *arg)
{
	struct others	*o = arg;

	if (p->id == o->self)
		return 0;
	fprintf(o->f, "%s%lld", o->n++ == 0 ? "" : ", ", p->id);
	return 0;
}

static int
show_parties(struct ctx *c, FILE *f, const struct pf_dsr *r)
{
	struct others	 o = { f, r->party, 0, 0 };
	int		 rc;

	if (r->party == 0) {
		field(f, "party", "none (not verified)");
		return PF_OK;
	}
	if ((rc = pf_store_party_get(c->st, r->party, copy_individual,
	    &o.individual)) != PF_OK)
		return rc;
	fprintf(f, "%-16s%lld (individual %lld)\n", "party", r->party,
	    o.individual);
	fprintf(f, "%-16s", "other parties");
	rc = pf_store_party_each(c->st, o.individual, other_party, &o);
	fprintf(f, "%s\n", o.n == 0 ? "none" : "");
	return rc;
}

static int
history_row(const struct pf_dsr_event *e, void *arg)
{
	FILE	*f = arg;

	if (e->reason != NULL)
		fprintf(f, "  %s  %-10s  reason: %s\n", e->time, e->status,
		    e->reason);
	else if (e->note != NULL)
		fprintf(f, "  %s  %-10s  %s\n", e->time, e->status, e->note);
	else
		fprintf(f, "  %s  %s\n", e->time, e->status);
	return 0;
}

/* Who made the request for the person, if someone did (agent.h). */
static int
show_agent(struct ctx *c, FILE *f, const struct pf_dsr *r)
{
	struct pf_agent_copy	 ag;
	int			 rc;

	if ((rc = pf_agent_load(c->st, r->id, &ag)) == PF_ENOTFOUND) {
		field(f, "agent", "none: the person asked");
		return PF_OK;
	}
	if (rc != PF_OK)
		return rc;
	coded(f, "agent", pf_agent_relationships, ag.a.relationship);
	personal(f, "agent name", ag.a.name, r);
	personal(f, "agent email", ag.a.email, r);
	if (ag.a.answered != NULL)
		fprintf(f, "%-16s%s (%s)\n", "agent answer", ag.a.answer,
		    ag.a.answered);
	else
		fprintf(f, "%-16s%s: the person has not answered the mail "
		    "yet\n", "agent answer", ag.a.answer);
	pf_agent_drop(&ag);
	return PF_OK;
}

static int
show_fill(struct ctx *c, FILE *f, void *arg)
{
	const struct shown	*s = arg;
	const struct pf_dsr	*r = s->r;
	int			 rc;

	if (s->reduced[0] != '\0')
		show_reduced(f, r, s->reduced);
	else {
		show_request(f, r);
		if ((rc = show_agent(c, f, r)) != PF_OK ||
		    (rc = show_parties(c, f, r)) != PF_OK)
			return rc;
		show_lines(f, "details", r->details, r);
	}
	fprintf(f, "history\n");
	return pf_store_dsr_events(c->st, r->id, history_row, f);
}

static int
cmd_show(struct ctx *c, const struct cli_args *a)
{
	static const long long one = 1;	/* the request, its parties and
					   history: one row of the read */
	struct pf_dsr_copy q;
	struct shown	 s = { &q.r, "" };
	long long	 id;
	int		 rc;

	if ((id = cli_positive(a->pos[0])) == 0)
		return CLI_USAGE;
	if (cli_open_store(c) != 0)
		return 1;
	if ((rc = req_load(c->st, id, &q)) == PF_OK &&
	    (rc = pf_store_dsr_reduced(c->st, id, s.reduced)) == PF_ENOTFOUND)
		rc = PF_OK;	/* whole */
	if (rc != PF_OK) {
		if (rc == PF_ENOTFOUND)
			fprintf(stderr, "privforms: request show: there is no "
			    "request %lld\n", id);
		else
			fprintf(stderr, "privforms: request show: %s\n",
			    pf_strerror(rc));
		pf_dsr_drop(&q);
		return 1;
	}
	rc = cli_buffered_read("request show", show_fill, c, &s, &one);
	pf_dsr_drop(&q);
	return rc;
}

/* ---- request extend, deny, fulfil ---- */

/* One of the team's changes to a request, and what it records and mails. */
struct change {
	const char	*name;		/* "request deny", for messages */
	const char	*event;		/* the audit record's */
	const char	*template;	/* the mail to the requester */
	const char	*to;		/* the status it moves to */
	const char	*text;		/* the reason or note; NULL: none */
	const char	*reason;	/* a denial's code (denials.h) */
	/* 1, with why, if r cannot make this change */
	int		(*refused)(const struct pf_dsr *, char *, size_t);
	/* make it in the store, and in r; fill details and extra */
	int		(*make)(struct pf_store *, struct pf_dsr *,
			    struct change *);
	char		 id[24];
	char		 due[PF_DATE_SIZE], previous[PF_DATE_SIZE];
	const char	*details[7];	/* the audit record's */
	const char	*extra[7];	/* the mail's */
	const struct pf_laws *laws;	/* deny, appeal-decide: the table */
	long		 window;	/* request_appeal_days */
	char		 now[PF_TIME_SIZE];
	char		 offer[1536];	/* deny: the appeal paragraph, translated */
};

static void	appeal_offer(struct change *, const struct pf_dsr *);

/*
 * A reason or note: one line (it goes into a mail) of text, not blank,
 * not too long, without a bidirectional control (utf8.h) that would make
 * the requester's mail read other than it was typed.  0, or CLI_USAGE said.
 */
static int
text_ok(const char *cmd, const char *opt, const char *s)
{
	size_t	 n = strlen(s);

	if (n > 0 && n <= TEXT_MAX && strspn(s, " \t") < n &&
	    pf_utf8_ok(s, n, 0) && !pf_utf8_bidi(s, n))
		return 0;
	fprintf(stderr, "privforms: %s: %s must be one line of text, at most "
	    "%d bytes, without controls (bidirectional ones included: "
	    "U+202A to U+202E, U+2066 to U+2069)\n", cmd, opt, TEXT_MAX);
	return CLI_USAGE;
}

/* Refusals every change shares: not verified yet, closed already. */
static int
not_open(const struct pf_dsr *r, char *why, size_t len)
{
	if (strcmp(r->status, "unverified") == 0)
		snprintf(why, len, "not verified: the requester has not confirmed "
		    "the address yet");
	else if (strcmp(pf_dsr_state(r), "appealed") == 0)
		snprintf(why, len, "its denial is appealed: decide the appeal "
		    "with `privforms request appeal-decide`");
	else if (!is_open(r))
		snprintf(why, len, "already closed (%s)", r->status);
	else
		return 0;
	return 1;
}

/* Only an open appeal is decided. */
static int
appeal_refused(const struct pf_dsr *r, char *why, size_t len)
{
	if (r->appeal != NULL && strcmp(r->appeal, "open") == 0)
		return 0;
	if (r->appeal != NULL)
		snprintf(why, len, "its appeal was decided already (%s)",
		    r->appeal);
	else
		snprintf(why, len, "not appealed (%s)", r->status);
	return 1;
}

static int
extend_refused(const struct pf_dsr *r, char *why, size_t len)
{
	if (not_open(r, why, len))
		return 1;
	if (r->extended || strcmp(r->status, "verified") != 0)
		snprintf(why, len, "already extended (due %s): the law allows "
		    "one extension", r->due);
	else if (r->appeal != NULL)
		snprintf(why, len, "reopened by its appeal, due the appeal's "
		    "date (%s), which the law does not extend", r->due);
	else if (r->extension == NULL)
		snprintf(why, len, "no extension under %s", r->law);
	else
		return 0;
	return 1;
}

static int
extend_make(struct pf_store *st, struct pf_dsr *r, struct change *ch)
{
	int	 rc;

	snprintf(ch->previous, sizeof(ch->previous), "%s", r->due);
	if ((rc = pf_dsr_extended_due(r->due, r->extension, ch->due)) !=
	    PF_OK || (rc = pf_store_dsr_extend(st, r->id, ch->due, ch->text,
	    NULL)) != PF_OK)
		return rc;
	r->status = ch->to;
	r->due = ch->due;
	r->extended = 1;
	ch->details[0] = "request", ch->details[1] = ch->id;
	ch->details[2] = "due", ch->details[3] = ch->due;
	ch->details[4] = "previous-due", ch->details[5] = ch->previous;
	ch->details[6] = NULL;
	ch->extra[0] = "reason", ch->extra[1] = ch->text;
	ch->extra[2] = "previous_due", ch->extra[3] = ch->previous;
	ch->extra[4] = NULL;
	return PF_OK;
}

/* Fulfil: the mail's one extra value is the note. */
static int
fulfil_make(struct pf_store *st, struct pf_dsr *r, struct change *ch)
{
	int	 rc;

	if ((rc = pf_store_dsr_set_status(st, r->id, r->status, ch->to,
	    ch->text, NULL)) != PF_OK)
		return rc;
	r->status = ch->to;
	ch->details[0] = "request", ch->details[1] = ch->id;
	ch->details[2] = NULL;
	ch->extra[0] = "note", ch->extra[1] = ch->text != NULL ? ch->text : "";
	ch->extra[2] = NULL;
	return PF_OK;
}

/*
 * Deny: the store and the record keep the code; the mail has its words,
 * and the note, which nothing else keeps.
 */
static int
deny_make(struct pf_store *st, struct pf_dsr *r, struct change *ch)
{
	int	 rc;

	pf_utc_now(ch->now);
	if ((rc = pf_store_dsr_deny(st, r->id, r->status, ch->reason,
	    ch->now)) != PF_OK)
		return rc;
	r->status = ch->to;
	r->updated = ch->now;
	appeal_offer(ch, r);
	ch->details[0] = "request", ch->details[1] = ch->id;
	ch->details[2] = "reason", ch->details[3] = ch->reason;
	ch->details[4] = NULL;
	ch->extra[0] = "reason";
	ch->extra[1] = pf_choice_label(pf_dsr_denials, ch->reason);
	ch->extra[2] = "note", ch->extra[3] = ch->text != NULL ? ch->text : "";
	ch->extra[4] = "appeal", ch->extra[5] = ch->offer;
	ch->extra[6] = NULL;
	return PF_OK;
}

/*
 * The denial mail's paragraph on appealing r (just denied): until when,
 * and how long the decision may take; "" where r's law gives no appeal.
 */
static void
appeal_offer(struct change *ch, const struct pf_dsr *r)
{
	char			 until[PF_DATE_SIZE], due[PF_DATE_SIZE];
	struct pf_dsr_when	 until_said, due_said;

	ch->offer[0] = '\0';
	if (pf_dsr_appealable(ch->laws, r, ch->window, time(NULL), until) !=
	    PF_OK || pf_dsr_appeal_due(ch->laws, r, time(NULL), due) != PF_OK)
		return;
	snprintf(ch->offer, sizeof(ch->offer),
	    /* TRANSLATORS: %1$s is the law's short name ("GDPR"), %2$s and
	     * %3$s are dates; "Appeal this decision" is the status page's
	     * button. */
	    _("The law that applies (%1$s) lets you appeal this decision. You "
	    "can do so until %2$s: open the link to your request's history "
	    "below and choose \"Appeal this decision\". We will then review it "
	    "and tell you what we decided within the time the law sets (by "
	    "%3$s for an appeal made today)."), pf_dsr_law_words(r->law),
	    pf_dsr_mail_date(until, &until_said),
	    pf_dsr_mail_date(due, &due_said));
}

/*
 * Decide an appeal: the record keeps the decision (and a denial's code),
 * the mail has the code's words, the note and, for a denial, the
 * regulator.
 */
static int
appeal_make(struct pf_store *st, struct pf_dsr *r, struct change *ch)
{
	const char	*regulator = pf_dsr_regulator(ch->laws, r);
	int		 grant = ch->reason == NULL, rc;

	if ((rc = pf_store_dsr_appeal_decide(st, r->id, grant, ch->reason,
	    NULL)) != PF_OK)
		return rc;
	snprintf(ch->due, sizeof(ch->due), "%s", r->appeal_due);
	r->appeal = grant ? "granted" : "denied";
	if (grant)
		r->status = "verified", r->due = ch->due;
	ch->details[0] = "request", ch->details[1] = ch->id;
	ch->details[2] = grant ? "due" : "reason";
	ch->details[3] = grant ? ch->due : ch->reason;
	ch->details[4] = NULL;
	ch->extra[0] = "note", ch->extra[1] = ch->text != NULL ? ch->text : "";
	ch->extra[2] = NULL;
	if (grant)
		return PF_OK;
	ch->extra[2] = "reason";
	ch->extra[3] = pf_choice_label(pf_dsr_denials, ch->reason);
	ch->extra[4] = "regulator", ch->extra[5] = regulator != NULL ?
	    regulator : _("the authority that oversees privacy law where you "
	    "live");
	ch->extra[6] = NULL;
	return PF_OK;
}

/*
 * Tell r's agent, if someone asked for the person, how it stands now: the
 * status, the due date, a denial's reason in plain words; never the
 * team's text (a note, an extension's reason), which may hold the
 * person's data.
 */
static int
tell_agent(struct ctx *c, const struct pf_dsr *r, const struct change *ch)
{
	struct pf_agent_copy	 ag;
	const char		*words = ch->reason != NULL ?
	    pf_choice_label(pf_dsr_denials, ch->reason) : "";
	int			 rc;

	if ((rc = pf_agent_load(c->st, r->id, &ag)) == PF_ENOTFOUND)
		return PF_OK;
	if (rc == PF_OK)
		rc = pf_agent_mail(c->st, c->cfg, r, &ag.a,
		    "request-agent-update", (const char *[]){ "reason", words,
		    NULL });
	pf_agent_drop(&ag);
	return rc;
}

/* apply, in the current language. */
static int
apply_in(struct ctx *c, struct pf_txn *t, const struct pf_keys *keys,
    struct pf_dsr *r, struct change *ch)
{
	int	 rc;

	snprintf(ch->id, sizeof(ch->id), "%lld", r->id);
	if ((rc = ch->make(c->st, r, ch)) != PF_OK ||
	    (rc = pf_txn_audit(t, NULL, ch->event, r->subject,
	    ch->details)) != PF_OK)
		return rc;
	/* An erased requester has no address left to tell. */
	if (r->email != NULL && (rc = pf_dsr_mail(c->st, c->cfg, keys, r,
	    ch->template, ch->extra)) != PF_OK)
		return rc;
	if ((rc = tell_agent(c, r, ch)) != PF_OK)
		return rc;
	return pf_txn_commit(t);
}

/*
 * Make ch on r in t, record it, mail the requester and agent, commit: in
 * the language the requester used (r->lang), so that what the change
 * writes into the mails (a denial's reason in plain words, the
 * regulator) is in it too.
 */
static int
apply(struct ctx *c, struct pf_txn *t, const struct pf_keys *keys,
    struct pf_dsr *r, struct change *ch)
{
	char	 saved[PF_LANG_MAX];
	int	 rc;

	if ((rc = pf_lang_push(r->lang, saved)) == PF_OK)
		rc = apply_in(c, t, keys, r, ch);
	pf_lang_pop(saved);
	return rc;
}

static void
told(const struct change *ch, const struct pf_dsr *r)
{
	printf("request %lld %s", r->id, pf_dsr_state(r));
	if (ch->due[0] != '\0' && ch->previous[0] != '\0')
		printf(": due %s (was %s)", ch->due, ch->previous);
	else if (ch->due[0] != '\0')
		printf(": due %s", ch->due);
	printf("; %s\n", r->email != NULL ? "the requester is mailed" :
	    "no mail: the requester's address was erased");
}

static int
change(struct ctx *c, long long id, struct change *ch)
{
	struct pf_keys	 keys;
	struct pf_txn	 t = { 0 };
	struct pf_dsr_copy q;
	char		 why[256] = "";
	int		 rc;

	if (cli_load_keys(c, &keys) != 0 || cli_begin(c, &t) != PF_OK)
		return 1;
	/* Read inside the transaction: nobody moves it in between. */
	if ((rc = req_load(c->st, id, &q)) == PF_ENOTFOUND)
		snprintf(why, sizeof(why), "no such request");
	else if (rc == PF_OK && !pf_agent_unconfirmed(c->st, &q.r, why,
	    sizeof(why)) && !ch->refused(&q.r, why, sizeof(why)))
		rc = apply(c, &t, &keys, &q.r, ch);
	if (rc != PF_OK || why[0] != '\0')
		pf_txn_rollback(&t);
	if (why[0] != '\0')
		fprintf(stderr, "privforms: %s %lld: %s\n", ch->name,
		    id, why);
	else if (rc != PF_OK)
		fprintf(stderr, "privforms: %s %lld: %s\n", ch->name, id,
		    pf_strerror(rc));
	else
		told(ch, &q.r);
	pf_dsr_drop(&q);
	return rc != PF_OK || why[0] != '\0';
}

enum { C_EXTEND, C_DENY, C_FULFIL, C_APPEAL_GRANT, C_APPEAL_DENY };

/* The changes an operator makes; a command copies its row to make it. */
static const struct change changes[] = {
	[C_EXTEND] = { .name = "request extend", .event = "request-extended",
	    .template = "request-extended", .to = "extended",
	    .refused = extend_refused, .make = extend_make },
	[C_DENY] = { .name = "request deny", .event = "request-denied",
	    .template = "request-denied", .to = "denied",
	    .refused = not_open, .make = deny_make },
	[C_FULFIL] = { .name = "request fulfil", .event = "request-fulfilled",
	    .template = "request-fulfilled", .to = "fulfilled",
	    .refused = not_open, .make = fulfil_make },
	[C_APPEAL_GRANT] = { .name = "request appeal-decide",
	    .event = "request-appeal-granted",
	    .template = "request-appeal-granted", .to = "verified",
	    .refused = appeal_refused, .make = appeal_make },
	[C_APPEAL_DENY] = { .name = "request appeal-decide",
	    .event = "request-appeal-denied",
	    .template = "request-appeal-denied", .to = "appeal-denied",
	    .refused = appeal_refused, .make = appeal_make },
};

/* ID --reason TEXT: extend. */
static int
cmd_extend(struct ctx *c, const struct cli_args *a)
{
	struct change	 ch = changes[C_EXTEND];
	long long	 id;

	ch.text = a->opt[0];
	if ((id = cli_positive(a->pos[0])) == 0 ||
	    text_ok(ch.name, "--reason", ch.text) != 0)
		return CLI_USAGE;
	return change(c, id, &ch);
}

/* An optional --note into ch->text: "" is none.  0, or CLI_USAGE said. */
static int
take_note(struct change *ch, const char *note)
{
	ch->text = note != NULL && note[0] != '\0' ? note : NULL;
	return ch->text != NULL ? text_ok(ch->name, "--note", ch->text) : 0;
}

/* code is one of denials.h's: 0, or CLI_USAGE said with the list. */
static int
reason_ok(const char *cmd, const char *code)
{
	size_t	 i;

	if (pf_choice_label(pf_dsr_denials, code) != NULL)
		return 0;
	fprintf(stderr, "privforms: %s: --reason must be one of:", cmd);
	for (i = 0; pf_dsr_denials[i] != NULL; i += 2)
		fprintf(stderr, " %s", pf_dsr_denials[i]);
	fprintf(stderr, "\n(the team's own words go to --note)\n");
	return CLI_USAGE;
}

/* change, with the laws table read for it. */
static int
change_by_law(struct ctx *c, long long id, struct change *ch)
{
	struct pf_laws	*laws = NULL;
	int		 rc;

	if (cli_open_laws(c, &laws) != 0)
		return 1;
	ch->laws = laws;
	ch->window = c->cfg->request_appeal_days;
	rc = change(c, id, ch);
	pf_laws_free(laws);
	return rc;
}

static int
cmd_deny(struct ctx *c, const struct cli_args *a)
{
	struct change	 ch = changes[C_DENY];
	long long	 id;

	ch.reason = a->opt[0];
	if ((id = cli_positive(a->pos[0])) == 0 || reason_ok(ch.name, ch.reason) != 0 ||
	    take_note(&ch, a->opt[1]) != 0)
		return CLI_USAGE;
	return change_by_law(c, id, &ch);
}

/*
 * --grant, or --deny with --reason: exactly one, and a reason only for a
 * denial (a granted appeal needs no legal ground, and a code would be
 * recorded as one).  0, or CLI_USAGE said.
 */
static int
decision_ok(const struct cli_args *a)
{
	int	 grant = a->opt[A_GRANT] != NULL, deny = a->opt[A_DENY] != NULL;

	if (grant + deny != 1)
		fprintf(stderr, "privforms: request appeal-decide: give one of "
		    "--grant and --deny\n");
	else if (deny && a->opt[A_REASON] == NULL)
		fprintf(stderr, "privforms: request appeal-decide: --deny needs "
		    "--reason CODE\n");
	else if (grant && a->opt[A_REASON] != NULL)
		fprintf(stderr, "privforms: request appeal-decide: --reason goes "
		    "with --deny only\n");
	else
		return deny ? reason_ok("request appeal-decide", a->opt[A_REASON]) :
		    0;
	return CLI_USAGE;
}

static int
cmd_appeal_decide(struct ctx *c, const struct cli_args *a)
{
	struct change	 ch;
	long long	 id;

	if ((id = cli_positive(a->pos[0])) == 0 || decision_ok(a) != 0)
		return CLI_USAGE;
	ch = changes[a->opt[A_GRANT] != NULL ? C_APPEAL_GRANT : C_APPEAL_DENY];
	ch.reason = a->opt[A_REASON];
	if (take_note(&ch, a->opt[A_NOTE]) != 0)
		return CLI_USAGE;
	return change_by_law(c, id, &ch);
}

static int
cmd_fulfil(struct ctx *c, const struct cli_args *a)
{
	struct change	 ch = changes[C_FULFIL];
	long long	 id;

	if ((id = cli_positive(a->pos[0])) == 0 ||
	    take_note(&ch, a->opt[0]) != 0)
		return CLI_USAGE;
	return change(c, id, &ch);
}
