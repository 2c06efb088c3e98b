/*
 * phone.h -- phone numbers through libphonenumber, behind a C interface.
 *
 * The implementation is the one C++ file of privforms (phone.cc); nothing
 * else sees C++.
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
 * letters, no extensions, no number buried in other text.
 * Returns 0 if the number is a valid number, PF_EINVAL if not (or if out is
 * too small), PF_ENOMEM.  Never throws; libphonenumber's logging is silenced.
 */
int pf_phone_e164(const char *in, const char *region, char *out, size_t outlen);

#ifdef __cplusplus
}
#endif

#endif
