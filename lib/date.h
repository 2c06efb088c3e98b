/*
 * date.h -- UTC days and stored times: their sizes and their one parser.
 *
 * A day is "YYYY-MM-DD" (what --since, --until and --received take, and
 * what a deadline is); a stored time is "YYYY-MM-DDTHH:MM:SS.ffffffZ" as
 * store.h's pf_store_time writes it.  Every buffer that holds one is
 * PF_DATE_SIZE or PF_TIME_SIZE long, and every reading of one goes
 * through pf_date_parse or pf_time_parse, which refuse a day that does
 * not exist (timegm would quietly move 31 February to March).
 */
#ifndef PF_DATE_H
#define PF_DATE_H

#include <time.h>

#define PF_DAY		(24L * 60 * 60)	/* seconds in a UTC day */
#define PF_DATE_SIZE	11	/* "YYYY-MM-DD" and its NUL */
#define PF_TIME_SIZE	32	/* a stored time and its NUL, with room */

/*
 * Midnight UTC of s, exactly "YYYY-MM-DD" (digits where the Ys, Ms and Ds
 * are), a day from 0001-01-01 to 9999-12-31 that exists in the calendar:
 * PF_OK with *t set, or PF_EINVAL.
 */
int pf_date_parse(const char *s, time_t *t);

/*
 * The second that s names: s begins with "YYYY-MM-DDTHH:MM:SS", a day
 * pf_date_parse takes and a time of day from 00:00:00 to 23:59:59;
 * whatever follows (fractions, "Z") is not read.  PF_OK with *t set, or
 * PF_EINVAL.
 */
int pf_time_parse(const char *s, time_t *t);

#endif
