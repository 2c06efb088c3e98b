/*
 * cmd_laws.c -- privforms deadline and privforms laws: what the privacy
 * laws table says for a place, and the whole table as it applies to this
 * company (laws_exempt), so that whoever edits etc/privacy-laws.tsv can
 * check the result, and the team can see which law governs a request and
 * when it is due.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "err.h"
#include "laws.h"
#include "nitems.h"
#include "store.h"
#include "utc.h"
#include "validate.h"

static int	cmd_deadline(struct ctx *, const struct cli_args *);
static int	cmd_laws(struct ctx *, const struct cli_args *);

/* COUNTRY [STATE] [--received DAY] */
static const struct cli_spec deadline_spec = {
	.opt = { { "--received", CLI_VALUE } }, .min = 1, .max = 2,
};

const struct cmd cmds_laws[] = {
	{ "deadline", cmd_deadline, &deadline_spec,
	  "COUNTRY [STATE] [--received YYYY-MM-DD]",
	  "Show which law governs a data subject request from a person living\n"
	  "in COUNTRY (ISO 3166-1 alpha-2; STATE for the United States, e.g.\n"
	  "US CA), and its dates for a request received today (UTC) or on the\n"
	  "day given: acknowledgement, answer, and the answer extended as far\n"
	  "as the law allows.  Reads laws_file; exit 1 naming the line if the\n"
	  "table is malformed." },
	{ "laws", cmd_laws, NULL, "",
	  "List every row of laws_file: place, law, period to answer, extension,\n"
	  "acknowledgement, time to decide an appeal, whether someone may ask\n"
	  "on the person's behalf (agents: \"yes\" or \"-\"), and whether the\n"
	  "law applies (\"yes\"; \"exempt\" for a law named in laws_exempt,\n"
	  "whose places fall to the country's row, else to \"*\").  Exit 1\n"
	  "naming the line if the table is malformed, or naming the law if\n"
	  "laws_exempt is wrong." },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* The arguments as codes the table knows; 0, or CLI_USAGE said. */
static int
place(const char *country, const char *state)
{
	char	*norm = NULL;

	if (pf_valid_country(country, NULL, &norm) != NULL) {
		fprintf(stderr, "privforms: deadline: %s: not an ISO 3166-1 "
		    "alpha-2 code (such as DE, GB, US)\n", country);
		return CLI_USAGE;
	}
	free(norm);
	if (state == NULL)
		return 0;
	if (strcmp(country, "US") != 0 ||
	    pf_valid_us_state(state, NULL, &norm) != NULL) {
		fprintf(stderr, "privforms: deadline: %s: a state is given only "
		    "with US, as its code (such as CA, NY, DC)\n", state);
		return CLI_USAGE;
	}
	free(norm);
	return 0;
}

/* One line: what, and the day p after from (a UTC day), or "-". */
static void
line(const char *what, const char *from, const struct pf_period *p,
    char due[PF_DATE_SIZE])
{
	time_t		 t;
	char		 text[32];

	pf_period_text(p, text);
	due[0] = '\0';
	if (p->unit == PF_PERIOD_NONE || pf_utc_parse_day(from, &t) != PF_OK) {
		printf("%-13s -\n", what);
		return;
	}
	if (pf_period_due(t, p, due) != PF_OK)
		printf("%-13s -\n", what);
	else
		printf("%-13s %s (%s)\n", what, due, text);
}

static int
show(const struct pf_law *law, const char *received)
{
	char	 ack[PF_DATE_SIZE], due[PF_DATE_SIZE], ext[PF_DATE_SIZE];
	char	 text[32];

	printf("%-13s %s\n", "place", law->place);
	printf("%-13s %s\n", "law", law->law);
	printf("%-13s %s\n", "received", received);
	line("acknowledge", received, &law->acknowledge, ack);
	line("due", received, &law->period, due);
	line("extended to", due, &law->extension, ext);
	pf_period_text(&law->appeal, text);
	printf("%-13s %s\n", "appeal", law->appeal.unit == PF_PERIOD_NONE ?
	    "-" : text);
	printf("%-13s %s\n", "regulator", law->regulator != NULL ?
	    law->regulator : "-");
	printf("%-13s %s\n", "scope", law->threshold ? "threshold" : "all");
	printf("%-13s %s\n", "agents", law->agents ? "yes" : "-");
	printf("%-13s %s\n", "source", law->source);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
cmd_deadline(struct ctx *c, const struct cli_args *a)
{
	struct pf_laws	*laws = NULL;
	const char	*country = a->pos[0], *state = a->pos[1];
	const char	*received = a->opt[0];
	char		 today[PF_TIME_SIZE];
	int		 rc;

	if (place(country, state) != 0)
		return CLI_USAGE;
	if (received != NULL && !cli_date(received)) {
		fprintf(stderr, "privforms: deadline: --received %s: not a date "
		    "YYYY-MM-DD\n", received);
		return CLI_USAGE;
	}
	pf_utc_now(today);
	today[10] = '\0';
	if (cli_open_laws(c, &laws) != 0)
		return 1;
	rc = show(pf_laws_find(laws, country, state),
	    received != NULL ? received : today);
	pf_laws_free(laws);
	return rc;
}

/* One row of the listing. */
static void
list_row(const struct pf_law *law)
{
	const struct pf_period	*p[] = { &law->period, &law->extension,
	    &law->acknowledge, &law->appeal };
	char			 text[32];
	size_t			 i;

	printf("%-6s %-17s", law->place, law->law);
	for (i = 0; i < nitems(p); i++) {
		pf_period_text(p[i], text);
		printf(" %-17s", text);
	}
	printf(" %-6s %s\n", law->agents ? "yes" : "-",
	    law->exempt ? "exempt" : "yes");
}

static int
cmd_laws(struct ctx *c, const struct cli_args *a)
{
	struct pf_laws	*laws = NULL;
	size_t		 i;

	(void)a;
	if (cli_open_laws(c, &laws) != 0)
		return 1;
	printf("%-6s %-17s %-17s %-17s %-17s %-17s %-6s %s\n", "place", "law",
	    "period", "extension", "acknowledge", "appeal", "agents",
	    "applies");
	for (i = 0; i < pf_laws_count(laws); i++)
		list_row(pf_laws_row(laws, i));
	pf_laws_free(laws);
	return fflush(stdout) == 0 ? 0 : 1;
}
