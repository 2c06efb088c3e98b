/*
 * dsr_report.c -- the yearly metrics of data subject requests (see
 * dsr_report.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr.h"
#include "dsr_report.h"
#include "err.h"
#include "validate.h"

#define UNRECORDED	"unrecorded"

void
pf_dsr_report_init(struct pf_dsr_report *r)
{
	size_t	 i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < PF_DSR_NTYPES; i++)
		r->t[i].type = pf_dsr_types[2 * i];
}

void
pf_dsr_report_free(struct pf_dsr_report *r)
{
	size_t	 i;

	for (i = 0; i < PF_DSR_NTYPES; i++)
		free(r->t[i].days);
	memset(r, 0, sizeof(*r));
}

const char *
pf_dsr_report_reason(size_t i)
{
	return i + 1 < PF_DSR_NREASONS ? pf_dsr_denials[2 * i] : UNRECORDED;
}

/* The index of a denial's reason in by_reason[]: unknown ones last. */
static size_t
reason_index(const char *reason)
{
	size_t	 i;

	for (i = 0; reason != NULL && i + 1 < PF_DSR_NREASONS; i++)
		if (strcmp(pf_dsr_denials[2 * i], reason) == 0)
			return i;
	return PF_DSR_NREASONS - 1;
}

/* One more answered request, days after its receipt. */
static int
days_add(struct pf_dsr_tally *t, long long days)
{
	long long	*v;
	size_t		 cap;

	if (t->ndays == t->cap) {
		cap = t->cap == 0 ? 64 : 2 * t->cap;
		if ((v = reallocarray(t->days, cap, sizeof(*v))) == NULL)
			return PF_ENOMEM;
		t->days = v;
		t->cap = cap;
	}
	t->days[t->ndays++] = days;
	return PF_OK;
}

int
pf_dsr_report_add(const struct pf_dsr_answer *a, void *arg)
{
	struct pf_dsr_report	*r = arg;
	struct pf_dsr_tally	*t = NULL;
	size_t			 i;

	for (i = 0; i < PF_DSR_NTYPES && t == NULL; i++)
		if (strcmp(r->t[i].type, a->type) == 0)
			t = &r->t[i];
	if (t == NULL)
		return PF_EINVAL;
	t->received++;
	if (strcmp(a->status, "fulfilled") == 0)
		t->complied++;
	else if (strcmp(a->status, "denied") == 0) {
		t->denied++;
		t->by_reason[reason_index(a->reason)]++;
	} else
		t->open++;
	return a->days >= 0 ? days_add(t, a->days) : PF_OK;
}

static int
by_value(const void *a, const void *b)
{
	long long	 x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

void
pf_dsr_report_days(struct pf_dsr_tally *t, char mean[24], char median[24])
{
	long long	 sum = 0;
	size_t		 i, n = t->ndays;

	mean[0] = median[0] = '\0';
	if (n == 0)
		return;
	qsort(t->days, n, sizeof(*t->days), by_value);
	for (i = 0; i < n; i++)
		sum += t->days[i];
	snprintf(mean, 24, "%.1f", (double)sum / (double)n);
	snprintf(median, 24, "%.1f", n % 2 == 1 ? (double)t->days[n / 2] :
	    (double)(t->days[n / 2 - 1] + t->days[n / 2]) / 2.0);
}
