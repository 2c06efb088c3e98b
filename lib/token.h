/*
 * token.h -- signed, expiring tokens for links in mails.
 *
 * A token carries a purpose (e.g. "unsub"), an expiry time and a few text
 * fields, encrypted and then signed.  Its text form is URL-safe
 * ([A-Za-z0-9_-.] only), so it can be put in a query string as is:
 *
 *	base64url(box) "." base64url(HMAC-SHA256(mac key, box))
 *	box = 0x02 || iv || AES-256-CTR(cipher key, iv, payload)
 *
 * The key passed in (keys.h's token key) is never used as it is: the MAC
 * key and the cipher key are each derived from it with HKDF-SHA256 (RFC
 * 5869, no salt; info "privforms token mac v2" and "privforms token
 * cipher v2"), so that no key has two uses.  The first byte, 0x02, names
 * this scheme and is signed with the rest.
 *
 * The payload is "v1" NUL purpose NUL expiry NUL field NUL field ...; fields may
 * not contain NUL.  It is encrypted (with a random IV) because links end up
 * in access logs, proxies and browser histories, and the fields are
 * personal data: an email address in a link must not be readable from the
 * link.  The signature is compared in constant time (CRYPTO_memcmp) before
 * anything is decrypted or trusted.
 *
 * Tokens made before the scheme had a version byte (box = iv ||
 * ciphertext, signed with the token key itself, encrypted under HMAC of
 * the token key and "privforms token cipher v1") are still accepted by
 * pf_token_check, never made: a text whose signature is not the current
 * scheme's is checked against the old one, so links already mailed keep
 * working until the expiry they carry (signed, so it cannot be moved).  The
 * longest-lived of them are unsubscribe links, unsubscribe_link_days (at
 * most 3650) from when they were mailed; the old scheme's check can be
 * dropped from a release made that long after this one.
 */
#ifndef PF_TOKEN_H
#define PF_TOKEN_H

#include <stddef.h>
#include <time.h>

#define PF_TOKEN_MAX_FIELDS 8
#define PF_TOKEN_MAX_LEN 2048	/* longer text is refused unread */

struct pf_token {
	char	*purpose;
	time_t	 expires;
	size_t	 nfields;
	char	*fields[PF_TOKEN_MAX_FIELDS];
};

/*
 * Make a token for purpose (not empty) and fields[0..nfields) valid until
 * expires (not negative).  *out is a new string the caller frees.
 * PF_EINVAL for bad arguments, PF_ETOOBIG if the text would be longer than
 * PF_TOKEN_MAX_LEN.
 */
int pf_token_make(const unsigned char key[32], const char *purpose, time_t expires,
    const char *const *fields, size_t nfields, char **out);

/*
 * Check text: PF_EFORGED if malformed or the signature does not match (or the
 * purpose differs), PF_EEXPIRED if genuine but now > expires, else PF_OK and
 * *out filled; the caller frees it with pf_token_clear().  On any error *out
 * is left zeroed.  Only the canonical encoding is accepted: a token has
 * exactly one valid text.
 */
int pf_token_check(const unsigned char key[32], const char *purpose, const char *text,
    time_t now, struct pf_token *out);

#define PF_TOKEN_ID_LEN 20	/* decimal digits of a positive long long */

/*
 * A row's number as a token's field carries it (written "%lld" from a
 * positive number): no sign, no leading zero, at most PF_TOKEN_ID_LEN
 * digits.  PF_OK and *id, or PF_EFORGED.
 */
int pf_token_id(const char *s, long long *id);

/* Free what pf_token_check put in tok; accepts a zeroed or cleared token. */
void pf_token_clear(struct pf_token *tok);

#endif
