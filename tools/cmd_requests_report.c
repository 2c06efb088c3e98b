/*
 * cmd_requests_report.c -- privforms requests report: a year's metrics of
 * data subject requests (dsr_report.h), as text, CSV or XML
 * (etc/requests-report.xsd), for the privacy policy CCPA regulations
 * s. 7102(a) ask a business above its threshold to publish.  Counts and
 * days only: no one is named, no request is listed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dsr.h"
#include "dsr_report.h"
#include "err.h"
#include "nitems.h"
#include "store.h"
#include "utc.h"
#include "validate.h"
#include "xmlw.h"

#define REPORT_NS	"urn:privforms:requests-report:1"

static int	cmd_report(struct ctx *, const struct cli_args *);

enum { R_YEAR, R_FORMAT };

static const struct cli_spec report_spec = { .opt = {
	[R_YEAR] = { "--year", CLI_VALUE | CLI_ONCE | CLI_REQUIRED },
	[R_FORMAT] = { "--format", CLI_VALUE | CLI_ONCE },
} };

const struct cmd cmds_requests_report[] = {
	{ "requests report", cmd_report, &report_spec,
	  "--year YYYY [--format text|csv|xml]",
	  "The metrics of the data subject requests received in the year\n"
	  "(UTC), per type: received (verified ones), complied with in whole\n"
	  "or in part (fulfilled), denied, by reason code, and still open;\n"
	  "the mean and median days from receipt to answer, over the\n"
	  "answered ones (CCPA regulations s. 7102(a)).  --format xml is in\n"
	  "namespace " REPORT_NS " (etc/requests-report.xsd).  No names, no\n"
	  "addresses." },
	{ NULL, NULL, NULL, NULL, NULL },
};

struct report {
	const char		*year;
	struct pf_dsr_report	 r;
	char			 generated[PF_TIME_SIZE];
	char			 mean[PF_DSR_NTYPES][24], median[PF_DSR_NTYPES][24];
};

/* The year's requests, in one snapshot. */
static int
report_read(struct ctx *c, const struct cli_period *p, void *arg)
{
	struct report	*rep = arg;
	size_t		 i;
	int		 rc;

	pf_dsr_report_init(&rep->r);
	if ((rc = pf_store_begin_read(c->st)) != PF_OK)
		return rc;
	/* No end after 9999-12-31: any stored time sorts before "9999-99". */
	rc = pf_store_dsr_answers(c->st, p->since, p->end != NULL ? p->end :
	    "9999-99", pf_dsr_report_add, &rep->r);
	pf_store_rollback(c->st);
	for (i = 0; rc == PF_OK && i < PF_DSR_NTYPES; i++)
		pf_dsr_report_days(&rep->r.t[i], rep->mean[i], rep->median[i]);
	pf_utc_now(rep->generated);
	return rc;
}

static void
report_free(void *arg)
{
	pf_dsr_report_free(&((struct report *)arg)->r);
}

/* ---- as text ---- */

/* A type's denials by reason, the ones that occurred only. */
static void
text_reasons(FILE *f, const struct pf_dsr_tally *t)
{
	size_t	 i;

	for (i = 0; i < PF_DSR_NREASONS; i++)
		if (t->by_reason[i] > 0)
			fprintf(f, "    denied, %-27s %7lld\n",
			    pf_dsr_report_reason(i), t->by_reason[i]);
}

static int
text_write(FILE *f, void *arg)
{
	const struct report	*rep = arg;
	const struct pf_dsr_tally *t;
	size_t			 i;

	fprintf(f, "Data subject requests received in %s (UTC)\n\n", rep->year);
	fprintf(f, "%-14s %8s %8s %8s %8s %9s %9s\n", "Type", "Received",
	    "Complied", "Denied", "Open", "Mean days", "Median");
	for (i = 0; i < PF_DSR_NTYPES; i++) {
		t = &rep->r.t[i];
		fprintf(f, "%-14s %8lld %8lld %8lld %8lld %9s %9s\n", t->type,
		    t->received, t->complied, t->denied, t->open,
		    rep->mean[i][0] != '\0' ? rep->mean[i] : "-",
		    rep->median[i][0] != '\0' ? rep->median[i] : "-");
		text_reasons(f, t);
	}
	return PF_OK;
}

/* ---- as CSV: one row per type, a column per reason ---- */

static int
csv_write(FILE *f, void *arg)
{
	const struct report	*rep = arg;
	const struct pf_dsr_tally *t;
	size_t			 i, j;

	fprintf(f, "year,type,received,complied,denied,open,mean_days,"
	    "median_days");
	for (j = 0; j < PF_DSR_NREASONS; j++)
		fprintf(f, ",denied_%s", pf_dsr_report_reason(j));
	fprintf(f, "\r\n");
	for (i = 0; i < PF_DSR_NTYPES; i++) {
		t = &rep->r.t[i];
		fprintf(f, "%s,%s,%lld,%lld,%lld,%lld,%s,%s", rep->year,
		    t->type, t->received, t->complied, t->denied, t->open,
		    rep->mean[i], rep->median[i]);
		for (j = 0; j < PF_DSR_NREASONS; j++)
			fprintf(f, ",%lld", t->by_reason[j]);
		fprintf(f, "\r\n");
	}
	return PF_OK;
}

/* ---- as XML ---- */

/* <type code=...> with its counts, denials by reason and days. */
static void
xml_type(struct pf_xmlw *w, const struct pf_dsr_tally *t, const char *mean,
    const char *median)
{
	size_t	 j;

	pf_xmlw_start(w, "type", NULL);
	pf_xmlw_attr(w, "code", t->type);
	pf_xmlw_elem_ll(w, "received", t->received);
	pf_xmlw_elem_ll(w, "complied", t->complied);
	pf_xmlw_start(w, "denied", NULL);
	pf_xmlw_attr_ll(w, "count", t->denied);
	for (j = 0; j < PF_DSR_NREASONS; j++) {
		if (t->by_reason[j] == 0)
			continue;
		pf_xmlw_start(w, "reason", NULL);
		pf_xmlw_attr(w, "code", pf_dsr_report_reason(j));
		pf_xmlw_attr_ll(w, "count", t->by_reason[j]);
		pf_xmlw_end(w);
	}
	pf_xmlw_end(w);
	pf_xmlw_elem_ll(w, "open", t->open);
	pf_xmlw_start(w, "days", NULL);
	pf_xmlw_attr_ll(w, "answered", (long long)t->ndays);
	pf_xmlw_attr(w, "mean", mean[0] != '\0' ? mean : NULL);
	pf_xmlw_attr(w, "median", median[0] != '\0' ? median : NULL);
	pf_xmlw_end(w);
	pf_xmlw_end(w);
}

/* <requests-report version year generated>, a <type> per type. */
static int
xml_write(FILE *f, void *arg)
{
	const struct report	*rep = arg;
	const char		*attrs[] = { "version", "1", "year", rep->year,
	    "generated", rep->generated };
	struct pf_xmlw		*w;
	size_t			 i;
	int			 rc;

	if ((rc = pf_xmlw_open(f, &w)) != PF_OK)
		return rc;
	pf_xmlw_start(w, "requests-report", REPORT_NS);
	for (i = 0; i < nitems(attrs); i += 2)
		pf_xmlw_attr(w, attrs[i], attrs[i + 1]);
	for (i = 0; i < PF_DSR_NTYPES; i++)
		xml_type(w, &rep->r.t[i], rep->mean[i], rep->median[i]);
	return pf_xmlw_close(w);
}

/* ---- requests report: the year, its figures, one of three formats ---- */

static const struct cli_report report = {
	.name = "requests report", .read = report_read, .free = report_free,
	.formats = (const struct cli_format[]){ { "text", text_write },
	    { "csv", csv_write }, { "xml", xml_write }, { NULL, NULL } },
};

/* --year as four digits, 1000 to 9999: 0, or CLI_USAGE said. */
static int
year_ok(const char *y)
{
	if (strlen(y) == 4 && strspn(y, "0123456789") == 4 && y[0] != '0')
		return 0;
	fprintf(stderr, "privforms: requests report: --year %s: not a year "
	    "YYYY\n", y);
	return CLI_USAGE;
}

/* The year as cli_report's period: its first to its last day. */
static int
cmd_report(struct ctx *c, const struct cli_args *a)
{
	struct report	 rep;
	struct cli_args	 period;
	char		 since[PF_DATE_SIZE], until[PF_DATE_SIZE];

	if (year_ok(a->opt[R_YEAR]) != 0)
		return CLI_USAGE;
	memset(&rep, 0, sizeof(rep));
	memset(&period, 0, sizeof(period));
	rep.year = a->opt[R_YEAR];
	snprintf(since, sizeof(since), "%s-01-01", rep.year);
	snprintf(until, sizeof(until), "%s-12-31", rep.year);
	period.opt[CLI_SINCE] = since;
	period.opt[CLI_UNTIL] = until;
	period.opt[CLI_FORMAT] = a->opt[R_FORMAT];
	return cli_report(c, &report, &period, &rep);
}
