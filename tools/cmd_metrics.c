/*
 * cmd_metrics.c -- privforms metrics: a snapshot for Prometheus, in its text
 * exposition format (version 0.0.4), for node_exporter's textfile collector
 * (etc/systemd/privforms-metrics.timer writes it every minute).
 *
 * Read only: the database is opened read-only (pf_store_open_readonly, no
 * migration), the audit directory is only listed, nothing is written but
 * standard output, and the output is printed only once all of it has been
 * read (cli_buffered), so a failure prints nothing and the collector keeps
 * the previous file.  The database's counts are one snapshot (one read
 * transaction); the audit files are listed after it.
 *
 * What each metric counts is in man/privforms.8 ("metrics") and in its
 * HELP line below; keep the three in step.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "cli.h"
#include "config.h"
#include "dsr.h"
#include "err.h"
#include "nitems.h"
#include "store.h"
#include "utc.h"

#define DUE_SOON_DAYS	7	/* in the name of a metric: change both */

static int	cmd_metrics(struct ctx *, const struct cli_args *);

const struct cmd cmds_metrics[] = {
	{ "metrics", cmd_metrics, NULL, "",
	  "Print a snapshot for Prometheus (its text exposition format), for\n"
	  "node_exporter's textfile collector: audit records (accepted\n"
	  "submissions and changes) by form and event, trapped submissions by\n"
	  "form and reason, the outbox (queued, sending, failed; the age of\n"
	  "the oldest message not sent), audit records without their file,\n"
	  "requests by status, overdue and due within 7 days, and the size of\n"
	  "the database.  It only reads (the database read-only, never\n"
	  "migrated), so it runs safely while the forms serve; on any error it\n"
	  "prints nothing and exits 1.  INSTALL shows the systemd timer that\n"
	  "writes it into node_exporter's directory." },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* The metric families, in the order printed. */
enum family {
	M_AUDIT, M_TRAPPED, M_OUTBOX, M_OUTBOX_AGE, M_AUDIT_MISSING,
	M_REQUESTS, M_OVERDUE, M_DUE_SOON, M_DB_SIZE, M__MAX
};

static const struct {
	const char	*name;
	const char	*type;
	const char	*help;
} families[M__MAX] = {
	[M_AUDIT] = { "privforms_audit_records_total", "counter",
	    "Audit records stored, by the form that stored them (admin: the "
	    "privforms command, mail: the mail sender) and their event; each "
	    "accepted submission and each later change stores one." },
	[M_TRAPPED] = { "privforms_trapped_submissions_total", "counter",
	    "Submissions caught by a form's honeypot or timing trap, by form "
	    "and reason; none was stored (the honeypot's got a success page, "
	    "one sent too fast the form again)." },
	[M_OUTBOX] = { "privforms_outbox_messages", "gauge",
	    "Outbox messages not sent, by state: queued (waiting, or waiting "
	    "for a retry), sending (claimed by a sender), failed (given up)." },
	[M_OUTBOX_AGE] = { "privforms_outbox_oldest_unsent_age_seconds",
	    "gauge", "Age of the oldest outbox message queued or being sent; "
	    "0 when there is none." },
	[M_AUDIT_MISSING] = { "privforms_audit_records_without_file", "gauge",
	    "Audit records in the database whose file is missing from the "
	    "audit directory; privforms audit sync writes them." },
	[M_REQUESTS] = { "privforms_requests", "gauge",
	    "Data subject requests, by status." },
	[M_OVERDUE] = { "privforms_requests_overdue", "gauge",
	    "Open (verified or extended) requests due before today (UTC)." },
	[M_DUE_SOON] = { "privforms_requests_due_within_7_days", "gauge",
	    "Open (verified or extended) requests due today or within the "
	    "next 7 days (UTC), overdue ones not included." },
	[M_DB_SIZE] = { "privforms_database_size_bytes", "gauge",
	    "Size of the database: the SQLite file, or PostgreSQL's "
	    "pg_database_size." },
};

/* The outbox states always printed, 0 or not, in this order. */
static const char *const outbox_states[] = { "queued", "sending", "failed" };
#define NSTATES	nitems(outbox_states)

static void
family(FILE *f, enum family m)
{
	/* No HELP text has a backslash or a line end to escape. */
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", families[m].name,
	    families[m].help, families[m].name, families[m].type);
}

/* A label value as the format quotes it: \\, \" and \n escaped. */
static void
label_value(FILE *f, const char *v)
{
	putc('"', f);
	for (; v != NULL && *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			putc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			putc(*v, f);
	}
	putc('"', f);
}

/*
 * One sample of family m: labels l[0] = "v0", l[1] = "v1" for each name
 * in l that is not NULL (l may be NULL: no labels).
 */
static void
sample(FILE *f, enum family m, const char *const l[2], const char *const v[2],
    long long n)
{
	int	 i, any = 0;

	fputs(families[m].name, f);
	for (i = 0; l != NULL && i < 2; i++) {
		if (l[i] == NULL)
			continue;
		fprintf(f, "%s%s=", any++ ? "," : "{", l[i]);
		label_value(f, v[i]);
	}
	fprintf(f, "%s %lld\n", any ? "}" : "", n);
}

/* A pf_store_*_tally callback printing one sample of a labelled family. */
struct labelled {
	FILE		*f;
	enum family	 m;
	const char	*l[2];
};

static int
print_group(const char *a, const char *b, long long n, void *arg)
{
	struct labelled	*p = arg;
	const char	*v[2] = { a, b };

	sample(p->f, p->m, p->l, v, n);
	return 0;
}

/* A tally callback keeping the counts of names table[] in n[]. */
struct counts {
	const char *const	*table;
	size_t			 len;
	long long		*n;
};

static int
keep_count(const char *a, const char *b, long long n, void *arg)
{
	struct counts	*c = arg;
	size_t		 i;

	(void)b;
	for (i = 0; i < c->len; i++)
		if (a != NULL && strcmp(a, c->table[i]) == 0)
			c->n[i] = n;
	return 0;
}

/* The outbox: messages by state, and the age of the oldest not sent. */
static int
outbox(struct pf_store *st, FILE *f, time_t now)
{
	static const char *const l[2] = { "state", NULL };
	long long	 n[NSTATES] = { 0 };
	struct counts	 c = { outbox_states, NSTATES, n };
	const char	*v[2] = { NULL, NULL };
	char		 oldest[PF_TIME_SIZE];
	time_t		 t;
	size_t		 i;
	int		 rc;

	if ((rc = pf_store_outbox_tally(st, keep_count, &c)) != PF_OK)
		return rc;
	family(f, M_OUTBOX);
	for (i = 0; i < NSTATES; i++) {
		v[0] = outbox_states[i];
		sample(f, M_OUTBOX, l, v, n[i]);
	}
	if ((rc = pf_store_outbox_oldest(st, oldest)) != PF_OK &&
	    rc != PF_ENOTFOUND)
		return rc;
	/* Not stored by this version (a hand edit): no age to show. */
	if (rc != PF_OK || pf_utc_parse_time(oldest, &t) != PF_OK)
		t = now;
	family(f, M_OUTBOX_AGE);
	sample(f, M_OUTBOX_AGE, NULL, NULL,
	    t < now ? (long long)(now - t) : 0);
	return PF_OK;
}

/* Requests by status (every status, 0 or not), overdue and due soon. */
static int
requests(struct pf_store *st, FILE *f, time_t now)
{
	static const char *const l[2] = { "status", NULL };
	const char	*codes[8], *v[2] = { NULL, NULL };
	long long	 n[8] = { 0 }, overdue, soon;
	struct counts	 c = { codes, 0, n };
	char		 today[PF_DATE_SIZE], last[PF_DATE_SIZE];
	time_t		 end = now + DUE_SOON_DAYS * PF_DAY;
	struct tm	 tm;
	size_t		 i;
	int		 rc;

	for (i = 0; i < 8 && pf_dsr_statuses[2 * i] != NULL; i++)
		codes[i] = pf_dsr_statuses[2 * i];
	c.len = i;
	strftime(today, sizeof(today), "%Y-%m-%d", gmtime_r(&now, &tm));
	strftime(last, sizeof(last), "%Y-%m-%d", gmtime_r(&end, &tm));
	if ((rc = pf_store_dsr_tally(st, keep_count, &c)) != PF_OK ||
	    (rc = pf_store_dsr_due(st, today, last, &overdue, &soon)) != PF_OK)
		return rc;
	family(f, M_REQUESTS);
	for (i = 0; i < c.len; i++) {
		v[0] = codes[i];
		sample(f, M_REQUESTS, l, v, n[i]);
	}
	family(f, M_OVERDUE);
	sample(f, M_OVERDUE, NULL, NULL, overdue);
	family(f, M_DUE_SOON);
	sample(f, M_DUE_SOON, NULL, NULL, soon);
	return PF_OK;
}

/* Everything the database says, in one read transaction. */
static int
snapshot(struct pf_store *st, FILE *f, time_t now)
{
	struct labelled	 audit = { f, M_AUDIT, { "form", "event" } };
	struct labelled	 trap = { f, M_TRAPPED, { "form", "reason" } };
	int		 rc;

	if ((rc = pf_store_begin_read(st)) != PF_OK)
		return rc;
	family(f, M_AUDIT);
	if ((rc = pf_store_audit_tally(st, print_group, &audit)) == PF_OK) {
		family(f, M_TRAPPED);
		rc = pf_store_trap_tally(st, print_group, &trap);
	}
	if (rc == PF_OK && (rc = outbox(st, f, now)) == PF_OK)
		rc = requests(st, f, now);
	pf_store_rollback(st);
	return rc;
}

static int
fill(struct ctx *c, FILE *f, void *arg)
{
	long long	 missing, size;
	int		 rc;

	(void)arg;
	if ((rc = snapshot(c->st, f, time(NULL))) != PF_OK ||
	    (rc = pf_audit_missing(c->st, c->cfg->audit_dir, &missing)) !=
	    PF_OK)
		return rc;
	family(f, M_AUDIT_MISSING);
	sample(f, M_AUDIT_MISSING, NULL, NULL, missing);
	if ((rc = pf_store_size(c->st, &size)) != PF_OK) {
		fprintf(stderr, "privforms: metrics: %s: %s\n",
		    c->cfg->database, rc == PF_EIO ? strerror(errno) :
		    pf_strerror(rc));
		return rc;
	}
	family(f, M_DB_SIZE);
	sample(f, M_DB_SIZE, NULL, NULL, size);
	return PF_OK;
}

static int
cmd_metrics(struct ctx *c, const struct cli_args *a)
{
	(void)a;
	if (cli_open_store_readonly(c) != 0)
		return 1;
	return cli_buffered("metrics", fill, c, NULL);
}
