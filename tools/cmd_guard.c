/*
 * cmd_guard.c -- privforms guard report: how many submissions the forms'
 * traps caught (guard.h), by day, form and reason.
 *
 * A trapped submission filled the hidden field ("honeypot"), answered as
 * if stored, or came sooner after its form was shown than
 * form_min_seconds ("too-fast"), answered with the form again; nothing
 * was stored.  The store keeps
 * only counts per day, form and reason, nothing about who sent one, so
 * that is all the report can show.
 *
 * The counts are read in one snapshot (pf_store_begin_read) into memory,
 * then grouped by form and reason for the text; everything is written to
 * memory first (cli_buffered), so a slow pager never holds the database's
 * shared lock.  Days are UTC and both ends are inclusive, as the store
 * takes them.  Form and reason are names the library writes, but a row
 * can come from elsewhere (a hand edit), so a name is printed only if
 * pf_utf8_ok accepts it: no escape sequence reaches the terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csv.h"
#include "err.h"
#include "store.h"
#include "utf8.h"

#define NOT_SHOWN	"(not shown: not valid text)"

static int	cmd_report(struct ctx *, const struct cli_args *);

const struct cmd cmds_guard[] = {
	{ "guard report", cmd_report, &cli_report_spec,
	  "[--since DATE] [--until DATE] [--format text|csv]",
	  "How many submissions the forms' traps caught from --since to\n"
	  "--until (UTC days YYYY-MM-DD, both included; by default all):\n"
	  "those that filled the field people never see (honeypot) or came\n"
	  "sooner after the form was shown than form_min_seconds (too-fast,\n"
	  "shown the form again); nothing was stored or mailed.  Only these\n"
	  "counts are kept, nothing about who sent them.  Text (the\n"
	  "default): per form and reason the total, with the count of each\n"
	  "day below it, then the total of all; or\n"
	  "CSV (RFC 4180) with the header day,form,reason,count and one row\n"
	  "per day, form and reason." },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* One count of the store: a day, form and reason. */
struct trap {
	char		*day;
	char		*form;
	char		*reason;
	long long	 n;
};

struct report {
	const struct cli_period	*p;	/* the days asked for */
	struct trap		*t;
	size_t			 nt;
};

static void
report_free(void *arg)
{
	struct report	*r = arg;

	while (r->nt > 0) {
		r->nt--;
		free(r->t[r->nt].day);
		free(r->t[r->nt].form);
		free(r->t[r->nt].reason);
	}
	free(r->t);
	r->t = NULL;
}

static int
trap_add(const char *day, const char *form, const char *reason,
    long long n, void *arg)
{
	struct report	*r = arg;
	struct trap	*t;

	if ((t = reallocarray(r->t, r->nt + 1, sizeof(*t))) == NULL)
		return PF_ENOMEM;
	r->t = t;
	t += r->nt;
	t->day = strdup(day);
	t->form = strdup(form);
	t->reason = strdup(reason);
	t->n = n;
	r->nt++;	/* now report_free's, whole or not */
	if (t->day == NULL || t->form == NULL || t->reason == NULL)
		return PF_ENOMEM;
	return PF_OK;
}

/* Every count of period p (the store takes both days), from one snapshot. */
static int
report_read(struct ctx *c, const struct cli_period *p, void *arg)
{
	struct report	*r = arg;
	int		 rc;

	r->p = p;
	if ((rc = pf_store_begin_read(c->st)) != PF_OK)
		return rc;
	rc = pf_store_trap_walk(c->st, p->since, p->until, trap_add, r);
	pf_store_rollback(c->st);
	return rc;
}

/* s if it is text a terminal may show, else NOT_SHOWN. */
static const char *
shown(const char *s)
{
	return pf_utf8_ok(s, strlen(s), 0) ? s : NOT_SHOWN;
}

/* *sum += n: PF_OK, or PF_EINVAL when counts (a hand edit) overflow. */
static int
add(long long *sum, long long n)
{
	return __builtin_add_overflow(*sum, n, sum) ? PF_EINVAL : PF_OK;
}

/* ---- as text ---- */

/* By form, reason, then day: the order of the text's groups. */
static int
by_group(const void *a, const void *b)
{
	const struct trap	*x = a, *y = b;
	int			 d;

	if ((d = strcmp(x->form, y->form)) != 0)
		return d;
	if ((d = strcmp(x->reason, y->reason)) != 0)
		return d;
	return strcmp(x->day, y->day);
}

static int
same_group(const struct trap *x, const struct trap *y)
{
	return strcmp(x->form, y->form) == 0 &&
	    strcmp(x->reason, y->reason) == 0;
}

/*
 * The group that starts at t[0] (of n rows sorted by_group): its total,
 * then its days.  *used gets how many rows it has; *total its sum added.
 */
static int
text_group(FILE *f, const struct trap *t, size_t n, size_t *used,
    long long *total)
{
	long long	 sum = 0;
	size_t		 i;
	int		 rc;

	for (i = 0; i < n && same_group(&t[0], &t[i]); i++)
		if ((rc = add(&sum, t[i].n)) != PF_OK)
			return rc;
	*used = i;
	fprintf(f, "%-14s %-12s %10lld\n", shown(t[0].form),
	    shown(t[0].reason), sum);
	for (i = 0; i < *used; i++)
		fprintf(f, "  %-25s %10lld\n", shown(t[i].day), t[i].n);
	return add(total, sum);
}

static int
text_write(FILE *f, void *arg)
{
	struct report	*r = arg;
	long long	 total = 0;
	size_t		 i, used;
	int		 rc;

	cli_period_text(f, "Trapped submissions", r->p);
	if (r->nt == 0) {
		fprintf(f, "no trapped submissions\n");
		return PF_OK;
	}
	qsort(r->t, r->nt, sizeof(*r->t), by_group);
	fprintf(f, "%-14s %-12s %10s\n", "Form", "Reason", "Count");
	for (i = 0; i < r->nt; i += used)
		if ((rc = text_group(f, r->t + i, r->nt - i, &used,
		    &total)) != PF_OK)
			return rc;
	fprintf(f, "\n%-27s %10lld\n", "Total", total);
	return PF_OK;
}

/* ---- as CSV ---- */

static int
csv_write(FILE *f, void *arg)
{
	const struct report	*r = arg;
	const struct trap	*t;

	fprintf(f, "day,form,reason,count\r\n");
	for (t = r->t; t < r->t + r->nt; t++) {
		pf_csv_field(f, shown(t->day), ",", PF_CSV_SHEET);
		pf_csv_field(f, shown(t->form), ",", PF_CSV_SHEET);
		pf_csv_field(f, shown(t->reason), ",", PF_CSV_SHEET);
		fprintf(f, "%lld\r\n", t->n);
	}
	return PF_OK;
}

/* ---- guard report: its period's counts, as text or CSV ---- */

static const struct cli_report report = {
	.name = "guard report", .read = report_read, .free = report_free,
	.size = sizeof(struct report),
	.formats = (const struct cli_format[]){ { "text", text_write },
	    { "csv", csv_write }, { NULL, NULL } },
};

static int
cmd_report(struct ctx *c, const struct cli_args *a)
{
	return cli_report_run(c, &report, a);
}
