/*
 * laws.h -- which privacy law governs a request, and when it is due.
 *
 * The table is data that legal or ops edit, not code: etc/privacy-laws.tsv
 * (configured as laws_file), one row per place, read at start-up:
 *
 *	# place	law	period	extension	acknowledge	appeal	regulator	scope	agents	source
 *	DE	GDPR	1 month	2 months	-	-	a data protection supervisory authority	all	yes	GDPR Art. 12(3)
 *	US-TX	TDPSA	45 days	45 days	-	60 days	the Texas Attorney General	threshold	-	Tex. Bus. & Com. Code s. 541.052-.053
 *	*	none	30 days	-	-	-	-	all	-	internal policy
 *
 * Fields are separated by one or more tabs; '#' starts a comment line.
 * place is an ISO 3166-1 alpha-2 country, "US-XX" for a US state (which
 * wins over its country's row), or "*" for every place without a row of
 * its own (required, once).  law is a short name ([A-Za-z0-9 ._-]+).
 * Periods are "N days", "N business days" (Monday to Friday; public
 * holidays are not known and not skipped), "N month(s)" (calendar months),
 * or "-" for none (extension, acknowledge and appeal only).  appeal is the
 * time the company has to decide an appeal of its answer, "-" where the law
 * gives no appeal.  regulator is whom the requester may turn to when the
 * answer (or the appeal) goes against them, as the mail names it, or "-".
 * scope is "all" when the law binds every company that processes the
 * place's residents' data, "threshold" when it binds only companies above
 * a size the law sets (revenue, consumers): those the company may declare
 * exempt (pf_laws_exempt; config's laws_exempt), and a person from their
 * place then falls to the "*" row.  agents is "yes" where the law lets
 * someone else (an authorised agent, a holder of a power of attorney, a
 * parent or guardian) make the requests the data request form takes on
 * the person's behalf, "-" where it does not (or only for opting out of
 * sale, which /privacy/opt-out takes without verification): the form
 * offers "on behalf of someone else" only for the former.  source says
 * where the periods (and the agents rule) come from, for the people who
 * keep the table true.
 *
 * A row of nine fields (the table before agents) still reads: agents "-".
 * A row of six fields (place law period extension acknowledge source, the
 * table before appeals) still reads: no appeal, no regulator, scope all,
 * agents "-".
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
	struct pf_period	 appeal;	/* to decide an appeal, or none */
	char			*regulator;	/* NULL for "-" */
	int			 threshold;	/* scope "threshold" */
	int			 exempt;	/* pf_laws_exempt: does not apply */
	int			 agents;	/* agents "yes": others may ask for the person */
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
 * Declare the laws named in list (comma-separated law names, spaces around
 * them ignored; "" for none) not to apply to this company.  Each must be
 * the law of at least one row and every row of it must have scope
 * "threshold": a law that binds every company cannot be declared away.
 * PF_ECONFIG with a message naming the law otherwise; then no row is
 * changed.
 */
int pf_laws_exempt(struct pf_laws *laws, const char *list, char *err,
    size_t errlen);

/* pf_laws_load, then pf_laws_exempt(list); *out only on PF_OK. */
int pf_laws_open(const char *path, const char *exempt, struct pf_laws **out,
    char *err, size_t errlen);

/*
 * The row for a person living in country (alpha-2) and, in the United
 * States, state (code without "US-", or NULL): the state's row, else the
 * country's, else "*", skipping rows of an exempt law.  Never NULL.
 */
const struct pf_law *pf_laws_find(const struct pf_laws *laws,
    const char *country, const char *state);

/* The table's rows in its order: i from 0 to pf_laws_count() - 1. */
size_t pf_laws_count(const struct pf_laws *laws);
const struct pf_law *pf_laws_row(const struct pf_laws *laws, size_t i);

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
