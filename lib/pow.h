/*
 * pow.h -- a proof-of-work challenge, compatible with ALTCHA's v1
 * protocol (SHA-256), so that a form can ask a browser to spend a little
 * CPU instead of handing its visitors to a third-party captcha.
 *
 * The server makes a challenge:
 *
 *	salt		24 random hex digits, then "?expires=UNIXTIME&"
 *			(the expiry travels inside what is hashed and signed)
 *	number		a secret random integer in [0, maxnumber]
 *	challenge	hex SHA-256 of salt followed by number in decimal
 *	signature	hex HMAC-SHA256 of challenge under the pow key (keys.h)
 *
 * and sends {"algorithm":"SHA-256","challenge":..,"maxnumber":..,
 * "salt":..,"signature":..} to the widget, which tries numbers from 0 up
 * until the hash matches.  The form then carries the payload: base64 of
 * the JSON object {"algorithm","challenge","number","salt","signature"}
 * (what ALTCHA's widget posts in its "altcha" field, with a "took" member
 * more, which is allowed and ignored; ours posts the five).
 *
 * Verifying recomputes both: the signature (compared in constant time,
 * before anything else is trusted), then the hash of salt and number.  An
 * expired challenge is refused; a used one is refused by the store, which
 * remembers each spent challenge until its expiry (pf_store_pow_spend), so
 * one solution buys one submission.  Nothing here is stored or logged
 * about the visitor.
 *
 * JSON is read and written with json-c (Debian's libjson-c), base64 with
 * libcrypto: neither is parsed by hand.
 */
#ifndef PF_POW_H
#define PF_POW_H

#include <time.h>

#define PF_POW_ALGORITHM	"SHA-256"
#define PF_POW_MAX_PAYLOAD	1024	/* longer payloads are refused unread */

struct pf_pow {
	char	 challenge[65];		/* hex SHA-256 */
	char	 salt[64];		/* hex digits "?expires=N&" */
	char	 signature[65];		/* hex HMAC-SHA256 */
	long	 maxnumber;
	time_t	 expires;
};

/*
 * A new challenge under key (keys.h's pow subkey) for a secret number in
 * [0, maxnumber] (1 to 10000000: PF_EINVAL otherwise), valid until
 * expires.  PF_ECRYPTO if libcrypto fails.
 */
int pf_pow_make(const unsigned char key[32], long maxnumber, time_t expires,
    struct pf_pow *out);

/* The widget's JSON for c: a new string the caller frees. */
int pf_pow_json(const struct pf_pow *c, char **json);

/*
 * Check payload (the form's field, as posted) at now: PF_OK with the
 * challenge (hex) and its expiry in out, for the caller to spend
 * (pf_store_pow_spend) in the submission's transaction; PF_EEXPIRED for a
 * genuine but expired one; PF_EFORGED for anything else: not base64, not
 * a JSON object of exactly those five members (and "took") with the
 * right types, written as compactly as JSON.stringify writes it,
 * another algorithm, a salt without an expiry, a signature that does not
 * match, a number that does not solve the challenge, a number outside
 * [0, 10000000].  Never PF_OK for a payload the server did not sign.
 */
int pf_pow_verify(const unsigned char key[32], const char *payload,
    time_t now, struct pf_pow *out);

/*
 * The payload that solves c with number (what the widget posts): a new
 * string.  For tests and `make bench`, which must submit like a browser.
 */
int pf_pow_payload(const struct pf_pow *c, long number, char **payload);

/*
 * Solve c by trying 0 .. c->maxnumber as the widget does: PF_OK and
 * *number, or PF_ENOTFOUND.  For tests and the bench.
 */
int pf_pow_solve(const struct pf_pow *c, long *number);

#endif
