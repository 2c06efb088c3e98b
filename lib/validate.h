/*
 * validate.h -- validators for form fields (see form.h for the contract).
 *
 * Each returns NULL and a new normalised copy in *norm, or a message naming
 * what to fix.  They do no I/O.
 */
#ifndef PF_VALIDATE_H
#define PF_VALIDATE_H

#include "form.h"
#include "lang.h"
#include "phone.h"

/*
 * An email address as people type it: surrounding blanks trimmed; one '@';
 * a local part of at most 64 octets of atext and dots (no leading, trailing
 * or double dot; quoted local parts are refused); a domain of at least two
 * labels of letters, digits and hyphens (IDNs in their xn-- form), at most
 * 253 octets; at most 254 octets in all.  The domain is lower-cased; the
 * local part is kept as typed.  arg is unused.
 *
 * Refused on purpose: non-ASCII anywhere (an SMTPUTF8 local part cannot be
 * relied on to reach the mailbox, and a Unicode domain would have to be
 * converted to xn-- form first), IP literals ("[192.0.2.1]") and a last label
 * of digits only, a trailing dot on the domain, and comments.
 */
pf_validator pf_valid_email;

/* One of the NULL-terminated array of strings arg, exactly. */
pf_validator pf_valid_enum;

/*
 * One of the codes of arg, a table of (code, label, ..., NULL) pairs as
 * pf_pages_options takes them (dsr.h's), exactly.
 */
pf_validator pf_valid_choice;

/*
 * The label of code in such a table, in the current language (the
 * tables' labels are N_() messages), or NULL if it has none (or either
 * is NULL).
 */
const char *pf_choice_label(const char *const *table, const char *code);

/*
 * Free text: surrounding blanks (space, tab, LF) trimmed; text of blanks only
 * is refused (as is an email address of blanks only); arg is unused.  The
 * base check in form.h has already refused invalid UTF-8 and control
 * characters.
 */
pf_validator pf_valid_text;

/*
 * How to type a phone number: what pf_valid_phone says.  The forms' hints
 * for a phone number give the same two examples (the integration tests
 * hold them to it); the first is a number of the default phone_region, US.
 */
#define PF_PHONE_HOW N_("Enter a phone number with its area code, like " \
	"(303) 749-2110, or with + and the country code, like " \
	"+44 20 7946 0958.")

/*
 * A phone number, normalised to E.164 through phone.h; arg is the region
 * (const char *, ISO 3166-1 alpha-2, e.g. config's phone_region) assumed for
 * numbers typed without a country code.  A NULL arg assumes no region: only
 * numbers typed with + and the country code are accepted.
 */
pf_validator pf_valid_phone;

/*
 * A country: an ISO 3166-1 alpha-2 code of country.h's table, exactly as a
 * select sends it ("US"); arg is unused.
 */
pf_validator pf_valid_country;

/* A US state or DC: its code from country.h's table ("CA"); arg is unused. */
pf_validator pf_valid_us_state;

/* An identifier: 1 to 64 of [A-Za-z0-9._-]; arg is unused. */
pf_validator pf_valid_token;

/*
 * An id of a table the company edits (a consent category, a mailing list,
 * also as a link carries it): 1 to max of a-z 0-9 - _, a letter first.
 */
int pf_id_ok(const char *s, size_t max);

/*
 * The canonical form of an email address for matching and pseudonyms: the
 * normalised address with the local part lower-cased too.  New string.
 */
char *pf_email_key(const char *normalised);

/*
 * A phone number of a list (`privforms dnc scrub`, pf_contact_key) read in
 * region (NULL: "ZZ") into e164.  Only a line that is not a number is the
 * line's fault: PF_EINVAL with *why (static) saying what is wrong.
 * Without the phone module (PF_ECONFIG, logged) or memory (PF_ENOMEM) no
 * line can be read, and a scrub must fail rather than drop them all.
 */
int pf_list_phone(const char *line, const char *region,
    char e164[PF_PHONE_E164_SIZE], const char **why);

/*
 * A line of a mailing or call list (`privforms unsubscribes scrub`): an
 * email address if it has an '@', else a phone number read in region
 * (pf_valid_phone's arg).  PF_OK with *kind "email" or "phone" (keys.h's
 * pseudonym kinds) and *key a new string, the email key or the E.164
 * number; PF_EINVAL with *why (static) saying what is wrong; PF_ENOMEM;
 * PF_ECONFIG (logged) for a number when the phone module cannot be loaded.
 * *key is NULL unless PF_OK.
 */
int pf_contact_key(const char *line, const char *region, const char **kind,
    char **key, const char **why);

#endif
