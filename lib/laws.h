/*
 * laws.h -- which privacy law governs a request, and when it is due.
 *
 * The table is data that legal or ops edit, not code: etc/privacy-laws.tsv
 * (configured as laws_file), one row per place, read at start-up:
 *
 *	# place	law	period	extension	acknowledge	source
 *	DE	GDPR	1 month	2 months	-	Regulation (EU) 2016/679, Art. 12(3)
 *	US-CA	CCPA	45 days	45 days	10 business days	Cal. Civ. Code 1798.130(a)(2); 11 CCR 7021
 *	*	none	30 days	-	-	internal policy
 *
 * Fields are separated by one or more tabs; '#' starts a comment line.
 * place is an ISO 3166-1 alpha-2 country, "US-XX" for a US state (which
 * wins over its country's row), or "*" for every place without a row of
 * its own (required, once).  law is a short name ([A-Za-z0-9 ._-]+).
 * Periods are "N days", "N business days" (Monday to Friday; public
 * holidays are not known and not skipped), "N month(s)" (calendar months),
 * or "-" for none (extension and acknowledge only).  source says where the
 * period comes from, for the people who keep the table true.
 */
#ifndef PF_LAWS_H
#define PF_LAWS_H

#include <stddef.h>
#include <time.h>

#include "utc.h"

enum pf_period_unit { PF_PERIOD_NONE, PF_PERIOD_DAYS, PF_PERIOD_BUSINESS_DAYS,
    PF_PERIOD_MONTHS };

struct pf_period {
	enum pf_period_unit	 unit;
	int			 n;	/* 1 to 366; 0 with PF_PERIOD_NONE */
};

struct pf_law {
	char			 place[6];	/* "DE", "US-CA", "*" */
	char			*law;		/* "GDPR" */
	struct pf_period	 period;	/* to answer */
	struct pf_period	 extension;	/* by which it may be extended, or none */
	struct pf_period	 acknowledge;	/* to acknowledge receipt, or none */
	char			*source;
};

struct pf_laws;

/*
 * Read the table at path.  On failure returns PF_ECONFIG (a malformed row,
 * an unknown place, a place twice, no "*" row), PF_ENOTFOUND or PF_ENOMEM
 * and, when err is not NULL, writes a one-line message naming the line
 * into err[errlen].  The caller owns *out (pf_laws_free).
 */
int pf_laws_load(const char *path, struct pf_laws **out, char *err,
    size_t errlen);
void pf_laws_free(struct pf_laws *laws);	/* accepts NULL */

/*
 * The same for the table's text, text[0..len), in memory; name stands
 * for the file in messages.  For the fuzz harness and for tests.
 */
int pf_laws_parse(const char *text, size_t len, const char *name,
    struct pf_laws **out, char *err, size_t errlen);

/*
 * The row for a person living in country (alpha-2) and, in the United
 * States, state (code without "US-", or NULL): the state's row, else the
 * country's, else "*".  Never NULL.
 */
const struct pf_law *pf_laws_find(const struct pf_laws *laws,
    const char *country, const char *state);

/*
 * The UTC day a period after received falls on, as "YYYY-MM-DD" in out.
 * Days and business days count from the day after receipt; months go to
 * the same day of the month, or its last day when it has no such day (a
 * month from 31 January is 28 or 29 February).  PF_EINVAL for
 * PF_PERIOD_NONE.
 */
int pf_period_due(time_t received, const struct pf_period *p, char out[PF_DATE_SIZE]);

/*
 * Parse "45 days", "10 business days", "1 month", "2 months", "-" into *p.
 * PF_EINVAL for anything else.
 */
int pf_period_parse(const char *s, struct pf_period *p);

/* p as the table writes it: "45 days", "1 month", "-".  out is 32 bytes. */
void pf_period_text(const struct pf_period *p, char out[32]);

#endif
