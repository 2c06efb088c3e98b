/*
 * phone.h -- phone numbers through libphonenumber, behind a C interface.
 *
 * The implementation is the one C++ file of privforms (phone.cc); nothing
 * else sees C++.  It is a module loaded on first use (phone_module.h), so
 * each function below may also return PF_ECONFIG: the module could not be
 * loaded (logged once, with its path and why), and nothing was read.
 */
#ifndef PF_PHONE_H
#define PF_PHONE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longer input is refused unread; E.164 itself is at most 16 characters. */
#define PF_PHONE_MAX_INPUT 64
#define PF_PHONE_E164_SIZE 17	/* a buffer for the longest E.164 and its NUL */

/*
 * Parse a number as a person types it ("+44 20 7946 0958", "(201) 555-0123")
 * with region (ISO 3166-1 alpha-2, e.g. "US") for numbers without a country
 * code, and write its E.164 form ("+442079460958") into out[outlen].
 * Only digits, spaces, one leading '+' and ( ) - . / are accepted: no
 * letters, no extensions, no number buried in other text.  A number written
 * with an international call prefix, 00 or 011 ("00 44 20 7946 0958" typed in
 * the US, "011 1 202 555 0123" in Germany), is read as if it began with '+'
 * when it is not a valid number of region as written: so a region's own
 * numbers that begin with those digits (0118 in the UK) keep their meaning.
 * Returns 0 if the number is a valid number, PF_EINVAL if not (or if out is
 * too small), PF_ENOMEM.  Never throws; libphonenumber's logging is silenced.
 */
int pf_phone_e164(const char *in, const char *region, char *out, size_t outlen);

#define PF_PHONE_DISPLAY_SIZE 32	/* "+1 303-749-2110" and its NUL */

/*
 * Write an E.164 number (as pf_phone_e164 makes it) in the international
 * format people read, "+1 303-749-2110", "+44 20 3318 1234", into out[outlen]:
 * for mails and the command line.  PF_EINVAL if e164 is not a valid number
 * in E.164 form or out is too small.
 */
int pf_phone_format(const char *e164, char *out, size_t outlen);

/*
 * The region (ISO 3166-1 alpha-2) a valid E.164 number belongs to, by its
 * numbering plan: "+1 303..." is "US", "+1 416..." is "CA", "+44..." is
 * "GB".  PF_ENOTFOUND for a number of no single region (+800, +882: global
 * services), PF_EINVAL for anything but a valid number in E.164 form.
 */
int pf_phone_region(const char *e164, char out[3]);

#ifdef __cplusplus
}
#endif

#endif
