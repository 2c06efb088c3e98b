/*
 * utc.h -- times as text, the way privforms stores, compares, writes and
 * reads them everywhere: UTC, a stored time "YYYY-MM-DDTHH:MM:SS.ffffffZ"
 * (27 characters) and a day "YYYY-MM-DD" (what --since, --until and
 * --received take, and what a deadline is).
 *
 * Fixed width and zero-padded, so that such texts sort as the times they
 * name: the store compares them with < and >= (a retention cutoff, a
 * window's start), and a day's prefix ("2026-11-24") sorts before every
 * time of that day.  Every buffer that holds one is PF_DATE_SIZE or
 * PF_TIME_SIZE long, and every reading of one goes through
 * pf_utc_parse_day or pf_utc_parse_time, which refuse a day that does not
 * exist (timegm would quietly move 31 February to March).  Pure functions
 * of the clock or their arguments; no SQL (the store only binds the text).
 */
#ifndef PF_UTC_H
#define PF_UTC_H

#include <time.h>

#define PF_DAY		(24L * 60 * 60)	/* seconds in a UTC day */
#define PF_DATE_SIZE	11	/* "YYYY-MM-DD" and its NUL */
#define PF_TIME_SIZE	32	/* a stored time and its NUL, with room */

/* The current time, to the microsecond. */
void pf_utc_now(char out[PF_TIME_SIZE]);

/* t, or the current time written in buf when t is NULL. */
const char *pf_utc_now_or(const char *t, char buf[PF_TIME_SIZE]);

/* The time of t (a window's start, an expiry), to the second. */
void pf_utc_time(time_t t, char out[PF_TIME_SIZE]);

/*
 * The time of now minus years calendar years (a retention cutoff): same
 * month, day and time of day.  29 February in a year without one becomes
 * the 28th, the earlier day, so that nothing is held for less than its
 * full period.  A cutoff whose year would not have four digits (years
 * negative or too large, or a now gmtime_r cannot convert) is
 * "0000-01-01T00:00:00.000000Z", before every stored time, so that a
 * caller's mistake purges nothing.
 */
void pf_utc_years_before(time_t now, long years, char out[PF_TIME_SIZE]);

/*
 * The same, months calendar months back (request_retention_months): the
 * same day of the month, or the month's last day when it is shorter (31
 * March minus one month is 28 or 29 February), the earlier day again.
 */
void pf_utc_months_before(time_t now, long months, char out[PF_TIME_SIZE]);

/*
 * Midnight UTC of s, exactly "YYYY-MM-DD" (digits where the Ys, Ms and Ds
 * are), a day from 0001-01-01 to 9999-12-31 that exists in the calendar:
 * PF_OK with *t set, or PF_EINVAL.
 */
int pf_utc_parse_day(const char *s, time_t *t);

/*
 * The second that s names: s begins with "YYYY-MM-DDTHH:MM:SS", a day
 * pf_utc_parse_day takes and a time of day from 00:00:00 to 23:59:59;
 * whatever follows (fractions, "Z") is not read.  PF_OK with *t set, or
 * PF_EINVAL.
 */
int pf_utc_parse_time(const char *s, time_t *t);

#endif
