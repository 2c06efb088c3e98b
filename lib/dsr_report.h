/*
 * dsr_report.h -- the yearly metrics of data subject requests, as CCPA
 * regulations s. 7102(a) ask a business above its threshold to publish:
 * per request type, how many were received, complied with in whole or in
 * part, and denied (by reason, denials.h), and the mean and median days
 * to answer.  `privforms requests report` prints them.
 *
 * A request counts when it was received (UTC) in the period and verified:
 * one never confirmed is not a request the company could act on.
 * Complied: fulfilled; denied: denied; open: neither yet.  Days to answer
 * are whole UTC days from the day received to the day fulfilled or
 * denied, over the answered ones only.  A denial from before reasons were
 * codes counts under "unrecorded".
 */
#ifndef PF_DSR_REPORT_H
#define PF_DSR_REPORT_H

#include <stddef.h>

#include "denials.h"
#include "store.h"

#define PF_DSR_NTYPES	8	/* dsr.h's pf_dsr_types */
#define PF_DSR_ONE(code, words, source)	+ 1
/* denials.h's codes, and one more for "unrecorded". */
enum { PF_DSR_NREASONS = 1 PF_DENIALS(PF_DSR_ONE) };

struct pf_dsr_tally {
	const char	*type;		/* pf_dsr_types's code */
	long long	 received, complied, denied, open;
	long long	 by_reason[PF_DSR_NREASONS];	/* pf_dsr_report_reason */
	long long	*days;		/* per answered request */
	size_t		 ndays, cap;
};

struct pf_dsr_report {
	struct pf_dsr_tally	 t[PF_DSR_NTYPES];	/* pf_dsr_types's order */
};

/* Every count 0, every type named; pf_dsr_report_free it. */
void pf_dsr_report_init(struct pf_dsr_report *r);
void pf_dsr_report_free(struct pf_dsr_report *r);

/*
 * Count request a into arg, a struct pf_dsr_report: pf_store_dsr_answers's
 * callback.  PF_ENOMEM, or PF_EINVAL for a type the table does not have.
 */
int pf_dsr_report_add(const struct pf_dsr_answer *a, void *arg);

/* The code by_reason[i] counts: a denials.h code, or "unrecorded". */
const char *pf_dsr_report_reason(size_t i);

/*
 * t's mean and median days to answer, with one decimal ("12.5"), or ""
 * for both when none was answered.  Sorts t's days.
 */
void pf_dsr_report_days(struct pf_dsr_tally *t, char mean[24],
    char median[24]);

#endif
