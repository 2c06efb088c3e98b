/*
 * fuzz_laws.c -- the privacy laws table legal and ops edit
 * (etc/privacy-laws.tsv; pf_laws_parse, the buffer entry point of
 * pf_laws_load), and the periods in it (pf_period_parse).
 *
 * Whatever the text: a table or an error naming the file and a line,
 * never both, and the same with CRLF line ends (for a text with no CR).
 * A table always answers (the "*" row), every row's periods write back as
 * text that reads the same, and a due date falls after the day of
 * receipt; a regulator is named or NULL, and no row is exempt before
 * pf_laws_exempt.  The input's first line, read as a period, is accepted only in
 * the one spelling pf_period_text writes, or for 1 in the plural too
 * ("1 months", which laws.c allows).
 */
#include <string.h>

#include "err.h"
#include "fuzz.h"
#include "laws.h"
#include "nitems.h"

#define NAME		"fuzz.tsv"
#define RECEIVED	((time_t)1700000000)	/* 2023-11-14 */
#define RECEIVED_DAY	"2023-11-14"

static const char *const places[][2] = {
	{ NULL, NULL }, { "US", NULL }, { "US", "CA" }, { "US", "XX" },
	{ "DE", NULL }, { "GB", "CA" }, { "JP", NULL }, { "ZZ", NULL },
	{ "", NULL }, { "US-CA", NULL },
};

/* p writes back as what it reads; a due date comes after receipt. */
static void
check_period(const struct pf_period *p, int required)
{
	struct pf_period	 q;
	char			 text[32], due[11];

	FUZZ_ASSERT(!required || p->unit != PF_PERIOD_NONE);
	FUZZ_ASSERT(p->unit == PF_PERIOD_NONE ? p->n == 0 :
	    p->n >= 1 && p->n <= 366);
	pf_period_text(p, text);
	FUZZ_ASSERT(pf_period_parse(text, &q) == PF_OK);
	FUZZ_ASSERT(q.unit == p->unit && q.n == p->n);
	if (p->unit == PF_PERIOD_NONE) {
		FUZZ_ASSERT(pf_period_due(RECEIVED, p, due) == PF_EINVAL);
		return;
	}
	FUZZ_ASSERT(pf_period_due(RECEIVED, p, due) == PF_OK);
	FUZZ_ASSERT(strlen(due) == 10 && strcmp(due, RECEIVED_DAY) > 0);
}

static void
check_table(const struct pf_laws *laws)
{
	const struct pf_law	*row;
	size_t			 i;

	for (i = 0; i < nitems(places); i++) {
		FUZZ_ASSERT((row = pf_laws_find(laws, places[i][0],
		    places[i][1])) != NULL);
		FUZZ_ASSERT(row->law != NULL && row->law[0] != '\0');
		FUZZ_ASSERT(row->source != NULL);
		FUZZ_ASSERT(memchr(row->place, '\0', sizeof(row->place)) !=
		    NULL && row->place[0] != '\0');
		check_period(&row->period, 1);
		check_period(&row->extension, 0);
		check_period(&row->acknowledge, 0);
		check_period(&row->appeal, 0);
		FUZZ_ASSERT(row->regulator == NULL ||
		    (row->regulator[0] != '\0' && strlen(row->regulator) <= 200));
		FUZZ_ASSERT(!row->exempt);
	}
	row = pf_laws_find(laws, NULL, NULL);
	FUZZ_ASSERT(strcmp(row->place, "*") == 0);
}

/* A fuzz_loader: a table read answers every place (check_table). */
static void
load(const char *text, size_t len, struct fuzz_load *r)
{
	struct pf_laws	*laws = NULL;

	r->err[0] = '\0';
	r->rc = pf_laws_parse(text, len, NAME, &laws, r->err,
	    sizeof(r->err));
	r->made = laws;
	fuzz_loaded(r->rc, laws != NULL, r->err, NAME);
	if (r->rc == PF_OK)
		check_table(laws);
}

/* The input's first line as a period. */
static void
period_line(const uint8_t *data, size_t size)
{
	struct pf_period	 p;
	char			 line[64], text[32];
	size_t			 n;

	for (n = 0; n < size && n < sizeof(line) - 1 && data[n] != '\n'; n++)
		line[n] = (char)data[n];
	line[n] = '\0';
	if (pf_period_parse(line, &p) != PF_OK)
		return;
	check_period(&p, 0);
	pf_period_text(&p, text);
	/* One spelling, but for the plural that 1 may have too. */
	if (strcmp(text, line) != 0)
		FUZZ_ASSERT(p.n == 1 && line[strlen(line) - 1] == 's' &&
		    strncmp(text, line, strlen(text)) == 0 &&
		    strlen(line) == strlen(text) + 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_load	 a, b;

	load((const char *)data, size, &a);
	/* One CR before the LF is a line end; a second one is text. */
	if (memchr(data, '\r', size) == NULL) {
		fuzz_same_with_crlf(load, data, size, &a, &b);
		pf_laws_free(b.made);
	}
	pf_laws_free(a.made);
	period_line(data, size);
	return 0;
}
