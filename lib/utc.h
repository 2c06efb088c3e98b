/*
 * utc.h -- times as text, the way privforms stores, compares and writes
 * them everywhere: UTC, "YYYY-MM-DDTHH:MM:SS.ffffffZ" (27 characters).
 *
 * Fixed width and zero-padded, so that such texts sort as the times they
 * name: the store compares them with < and >= (a retention cutoff, a
 * window's start), and a day's prefix ("2026-11-24") sorts before every
 * time of that day.  Pure functions of the clock or their arguments; no
 * SQL (the store only binds the text).
 */
#ifndef PF_UTC_H
#define PF_UTC_H

#include <time.h>

/* The current time, to the microsecond. */
void pf_utc_now(char out[32]);

/* t, or the current time written in buf when t is NULL. */
const char *pf_utc_now_or(const char *t, char buf[32]);

/* The time of t (a window's start, an expiry), to the second. */
void pf_utc_time(time_t t, char out[32]);

/*
 * The time of now minus years calendar years (a retention cutoff): same
 * month, day and time of day.  29 February in a year without one becomes
 * the 28th, the earlier day, so that nothing is held for less than its
 * full period.  A cutoff whose year would not have four digits (years
 * negative or too large, or a now gmtime_r cannot convert) is
 * "0000-01-01T00:00:00.000000Z", before every stored time, so that a
 * caller's mistake purges nothing.
 */
void pf_utc_years_before(time_t now, long years, char out[32]);

#endif
