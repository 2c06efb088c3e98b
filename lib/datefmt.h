/*
 * datefmt.h -- a date or a time of day as a visitor reads it, in the
 * current language (lang.h), through ICU's date formats: "2 March 2027",
 * "2. März 2027", "2027年3月2日"; "14:05".
 *
 * Times are UTC, as every stored time is, and the text never converts
 * them to a zone it would have to guess: whoever shows a time says "UTC"
 * (dsr.h's pf_dsr_time).  The day is ICU's long date style of the
 * language; the time its short style, which is 24-hour in the source
 * language.  The source language, English, is written British (the day
 * before the month), so its dates are formatted as ICU's en_GB.  A
 * language ICU has no data for gets ICU's root forms ("2027 March 2").
 * Machine-readable dates (datetime attributes, audit records, CSV, mail
 * headers) are not made here: they stay ISO 8601 (utc.h).
 *
 * One formatter per style is opened on first use and kept for the
 * process, until the language changes: a request pays for ICU's locale
 * data once per language, not once per date.  ICU's i18n library itself
 * is opened on the first date (dlopen), so that a program's pages without
 * dates never load it; if it cannot be, dates are ISO 8601 ("2027-03-02",
 * "14:05") and that is logged once.
 */
#ifndef PF_DATEFMT_H
#define PF_DATEFMT_H

#include <time.h>

#define PF_DATEFMT_SIZE	96	/* bytes, with the NUL; ample for any style */

/*
 * t's UTC day (pf_datefmt_day) or time of day (pf_datefmt_time) into out,
 * UTF-8.  PF_ENOMEM, or PF_EINVAL when ICU cannot format it (out "").
 */
int pf_datefmt_day(time_t t, char out[PF_DATEFMT_SIZE]);
int pf_datefmt_time(time_t t, char out[PF_DATEFMT_SIZE]);

#endif
