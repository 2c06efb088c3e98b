/*
 * pow.c -- proof-of-work challenges, ALTCHA v1 (SHA-256) compatible
 * (see pow.h).
 *
 * Everything a payload carries is checked for its one spelling, so that no
 * second text of the same solution exists: canonical base64, the compact
 * JSON that json-c writes back of what it read, lower-case hex, and the
 * salt exactly as pf_pow_make writes it.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "err.h"
#include "hex.h"
#include "keys.h"
#include "nitems.h"
#include "pow.h"

#define MAX_NUMBER	10000000L
#define SALT_RANDOM	12		/* bytes: 24 hex digits, as ALTCHA's */
#define SALT_HEX	(2 * SALT_RANDOM)
#define EXPIRES_PARAM	"?expires="
#define EXPIRES_DIGITS	18		/* fits any 64-bit time_t */
#define HEX_LEN		64
#define JSON_FLAGS	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
/* An object of scalars: the object is one level, its members the next. */
#define JSON_DEPTH	2

/* The members of a payload, in the order the widgets write them. */
enum member {
	M_ALGORITHM,
	M_CHALLENGE,
	M_NUMBER,
	M_SALT,
	M_SIGNATURE,
	M__MAX
};

static const struct {
	const char	*name;
	json_type	 type;
} members[M__MAX] = {
	{ "algorithm", json_type_string },
	{ "challenge", json_type_string },
	{ "number", json_type_int },
	{ "salt", json_type_string },
	{ "signature", json_type_string },
};

/* Hex HMAC-SHA256 under key of the hex challenge: the signature. */
static int
sign(const unsigned char key[PF_KEY_LEN], const char *challenge,
    char out[HEX_LEN + 1])
{
	const struct pf_bytes	 msg = { challenge, strlen(challenge) };
	unsigned char		 mac[PF_KEY_LEN];

	out[0] = '\0';
	if (pf_hmac(key, &msg, 1, mac) != PF_OK)
		return PF_ECRYPTO;
	pf_hex_encode(mac, sizeof(mac), out);
	return PF_OK;
}

/* Hex SHA-256 of salt followed by number in decimal: the challenge. */
static int
hash(const char *salt, long number, char out[HEX_LEN + 1])
{
	char	 buf[sizeof(((struct pf_pow *)0)->salt) + 24];
	int	 n;

	n = snprintf(buf, sizeof(buf), "%s%ld", salt, number);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return PF_EINVAL;
	return pf_sha256_hex(buf, (size_t)n, out);
}

/* A uniform random number in [0, max], max at most MAX_NUMBER. */
static int
random_number(long max, long *out)
{
	uint64_t	 span = (uint64_t)max + 1, limit;
	uint32_t	 r;
	int		 rc;

	/* Drawing below a multiple of span keeps every value equally likely. */
	limit = ((uint64_t)1 << 32) - ((uint64_t)1 << 32) % span;
	do {
		if ((rc = pf_random(&r, sizeof(r))) != PF_OK)
			return rc;
	} while (r >= limit);
	*out = (long)(r % span);
	return PF_OK;
}

int
pf_pow_make(const unsigned char key[32], long maxnumber, time_t expires,
    struct pf_pow *out)
{
	unsigned char	 raw[SALT_RANDOM];
	long		 number = 0;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if (maxnumber < 1 || maxnumber > MAX_NUMBER || expires < 1 ||
	    (long long)expires > 999999999999999999LL)
		return PF_EINVAL;
	if ((rc = pf_random(raw, sizeof(raw))) != PF_OK ||
	    (rc = random_number(maxnumber, &number)) != PF_OK)
		goto fail;
	pf_hex_encode(raw, sizeof(raw), out->salt);
	snprintf(out->salt + SALT_HEX, sizeof(out->salt) - SALT_HEX,
	    EXPIRES_PARAM "%lld&", (long long)expires);
	if ((rc = hash(out->salt, number, out->challenge)) != PF_OK ||
	    (rc = sign(key, out->challenge, out->signature)) != PF_OK)
		goto fail;
	out->maxnumber = maxnumber;
	out->expires = expires;
	OPENSSL_cleanse(&number, sizeof(number));
	return PF_OK;
fail:
	OPENSSL_cleanse(&number, sizeof(number));
	memset(out, 0, sizeof(*out));
	return rc;
}

/*
 * The compact JSON of c with intname = v as a new string: the members in
 * the order ALTCHA's library and widget write them (the integer third).
 */
static int
challenge_json(const struct pf_pow *c, const char *intname, long long v,
    char **out)
{
	const struct {
		const char	*name;
		const char	*value;		/* NULL: the integer v */
	} m[] = {
		{ "algorithm", PF_POW_ALGORITHM },
		{ "challenge", c->challenge },
		{ intname, NULL },
		{ "salt", c->salt },
		{ "signature", c->signature },
	};
	json_object	*obj, *o;
	const char	*s;
	size_t		 i;
	int		 rc = PF_ENOMEM;

	*out = NULL;
	if ((obj = json_object_new_object()) == NULL)
		return PF_ENOMEM;
	for (i = 0; i < nitems(m); i++) {
		o = m[i].value == NULL ? json_object_new_int64(v) :
		    json_object_new_string(m[i].value);
		/* A member that could not be added is still ours to free. */
		if (o == NULL || json_object_object_add(obj, m[i].name, o)) {
			json_object_put(o);
			goto done;
		}
	}
	if ((s = json_object_to_json_string_ext(obj, JSON_FLAGS)) != NULL &&
	    (*out = strdup(s)) != NULL)
		rc = PF_OK;
done:
	json_object_put(obj);
	return rc;
}

int
pf_pow_json(const struct pf_pow *c, char **json)
{
	return challenge_json(c, "maxnumber", c->maxnumber, json);
}

int
pf_pow_payload(const struct pf_pow *c, long number, char **payload)
{
	char	*json = NULL;
	size_t	 len;
	int	 rc;

	*payload = NULL;
	if ((rc = challenge_json(c, "number", number, &json)) != PF_OK)
		return rc;
	len = strlen(json);
	if (len > INT_MAX / 4 * 3)
		rc = PF_ETOOBIG;
	else if ((*payload = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
		rc = PF_ENOMEM;
	else
		EVP_EncodeBlock((unsigned char *)*payload,
		    (const unsigned char *)json, (int)len);
	free(json);
	return rc;
}

int
pf_pow_solve(const struct pf_pow *c, long *number)
{
	char	 h[HEX_LEN + 1];
	long	 n;
	int	 rc;

	for (n = 0; n <= c->maxnumber; n++) {
		if ((rc = hash(c->salt, n, h)) != PF_OK)
			return rc;
		if (strcmp(h, c->challenge) == 0) {
			*number = n;
			return PF_OK;
		}
	}
	return PF_ENOTFOUND;
}

/* ---- verifying ---- */

/*
 * Decode the standard base64 text s[0..len) into buf (len / 4 * 3 bytes
 * at least) and its true length into *n.  EVP_DecodeBlock skips white
 * space around the text, ignores the unused bits of the last character
 * and counts the padding as bytes of zero; so only the text that encodes
 * back to exactly s is taken.
 */
static int
b64_decode(const char *s, size_t len, unsigned char *buf, size_t *n)
{
	unsigned char	*again;
	size_t		 pad;
	int		 dec, rc = PF_EFORGED;

	if (len == 0 || len % 4 != 0)
		return PF_EFORGED;
	pad = s[len - 1] != '=' ? 0 : s[len - 2] != '=' ? 1 : 2;
	if ((dec = EVP_DecodeBlock(buf, (const unsigned char *)s,
	    (int)len)) < 0 || (size_t)dec < pad)
		return PF_EFORGED;
	*n = (size_t)dec - pad;
	if ((again = malloc(len + 1)) == NULL)
		return PF_ENOMEM;
	if ((size_t)EVP_EncodeBlock(again, buf, (int)*n) == len &&
	    memcmp(again, s, len) == 0)
		rc = PF_OK;
	free(again);
	return rc;
}

/*
 * Parse json[0..len) as one JSON object, strictly (no trailing text,
 * valid UTF-8), and only if json-c writes it back as exactly the same
 * text: json-c keeps the last of two members of one name without a word,
 * and writing back has one member fewer, so duplicates are refused; so is
 * every other spelling (white space, escapes, "-0", 1e1).
 */
static json_object *
parse_object(const char *json, size_t len)
{
	json_tokener	*tok;
	json_object	*obj = NULL;
	const char	*back;

	if (len > INT_MAX || memchr(json, '\0', len) != NULL ||
	    (tok = json_tokener_new_ex(JSON_DEPTH)) == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, json, (int)len);
	if (obj == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(obj, json_type_object) ||
	    (back = json_object_to_json_string_ext(obj, JSON_FLAGS)) == NULL ||
	    strlen(back) != len || memcmp(back, json, len) != 0) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

/* Copy string member o into buf[size] if it is exactly len characters. */
static int
copy_string(json_object *o, char *buf, size_t size, size_t len)
{
	const char	*s = json_object_get_string(o);

	if ((size_t)json_object_get_string_len(o) != strlen(s) ||
	    strlen(s) >= size || (len != 0 && strlen(s) != len))
		return PF_EFORGED;
	memcpy(buf, s, strlen(s) + 1);
	return PF_OK;
}

/* String member o is exactly s (a "\\u0000" in it would stop strcmp). */
static int
is_string(json_object *o, const char *s)
{
	return (size_t)json_object_get_string_len(o) == strlen(s) &&
	    strcmp(json_object_get_string(o), s) == 0;
}

/* s is len lower-case hex digits. */
static int
is_hex(const char *s, size_t len)
{
	return strlen(s) == len && strspn(s, "0123456789abcdef") == len;
}

/*
 * The expiry of a salt as pf_pow_make writes it: SALT_HEX lower-case hex
 * digits, "?expires=", a positive number without leading zeros, "&".
 */
static int
salt_expires(const char *salt, time_t *expires)
{
	const char	*p;
	size_t		 nd;
	long long	 v = 0;

	if (strspn(salt, "0123456789abcdef") != SALT_HEX ||
	    strncmp(salt + SALT_HEX, EXPIRES_PARAM,
	    sizeof(EXPIRES_PARAM) - 1) != 0)
		return PF_EFORGED;
	p = salt + SALT_HEX + sizeof(EXPIRES_PARAM) - 1;
	nd = strspn(p, "0123456789");
	if (nd == 0 || nd > EXPIRES_DIGITS || *p == '0' || strcmp(p + nd, "&"))
		return PF_EFORGED;
	for (; nd > 0; nd--, p++)
		v = v * 10 + (*p - '0');
	if ((long long)(time_t)v != v)
		return PF_EFORGED;
	*expires = (time_t)v;
	return PF_OK;
}

/*
 * ALTCHA's own widget adds "took" (milliseconds spent solving) to its
 * payload; a site may use that widget instead of ours, so that one member
 * more is allowed, as a non-negative integer, and ignored.
 */
static int
took_ok(json_object *obj)
{
	json_object	*t;

	return json_object_object_get_ex(obj, "took", &t) &&
	    json_object_is_type(t, json_type_int) &&
	    json_object_get_int64(t) >= 0;
}

/*
 * Read the members of obj into c and *number: exactly the five, typed
 * (and "took", see above).
 */
static int
read_members(json_object *obj, struct pf_pow *c, long *number)
{
	json_object	*m[M__MAX];
	int64_t		 v;
	size_t		 i;
	int		 n = json_object_object_length(obj);

	if (n != M__MAX && (n != M__MAX + 1 || !took_ok(obj)))
		return PF_EFORGED;
	for (i = 0; i < M__MAX; i++)
		if (!json_object_object_get_ex(obj, members[i].name, &m[i]) ||
		    !json_object_is_type(m[i], members[i].type))
			return PF_EFORGED;
	/* json-c saturates what does not fit; writing back caught that. */
	v = json_object_get_int64(m[M_NUMBER]);
	if (v < 0 || v > MAX_NUMBER ||
	    !is_string(m[M_ALGORITHM], PF_POW_ALGORITHM) ||
	    copy_string(m[M_CHALLENGE], c->challenge, sizeof(c->challenge),
	    HEX_LEN) != PF_OK ||
	    copy_string(m[M_SIGNATURE], c->signature, sizeof(c->signature),
	    HEX_LEN) != PF_OK ||
	    copy_string(m[M_SALT], c->salt, sizeof(c->salt), 0) != PF_OK ||
	    !is_hex(c->challenge, HEX_LEN) || !is_hex(c->signature, HEX_LEN))
		return PF_EFORGED;
	*number = (long)v;
	return salt_expires(c->salt, &c->expires);
}

/* Decode and parse payload into c and *number: PF_EFORGED if malformed. */
static int
read_payload(const char *payload, struct pf_pow *c, long *number)
{
	unsigned char	 json[PF_POW_MAX_PAYLOAD / 4 * 3 + 1];
	json_object	*obj;
	size_t		 len, n;
	int		 rc;

	if (payload == NULL ||
	    (len = strnlen(payload, PF_POW_MAX_PAYLOAD + 1)) >
	    PF_POW_MAX_PAYLOAD)
		return PF_EFORGED;
	if ((rc = b64_decode(payload, len, json, &n)) != PF_OK)
		return rc;
	if ((obj = parse_object((const char *)json, n)) == NULL)
		return PF_EFORGED;
	rc = read_members(obj, c, number);
	json_object_put(obj);
	return rc;
}

int
pf_pow_verify(const unsigned char key[32], const char *payload,
    time_t now, struct pf_pow *out)
{
	struct pf_pow	 c;
	char		 want[HEX_LEN + 1];
	long		 number = -1;
	int		 rc;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if ((rc = read_payload(payload, &c, &number)) != PF_OK)
		return rc;
	/* The signature first: nothing else is trusted until it matches. */
	if ((rc = sign(key, c.challenge, want)) != PF_OK)
		return rc;
	if (CRYPTO_memcmp(want, c.signature, HEX_LEN) != 0)
		return PF_EFORGED;
	if ((rc = hash(c.salt, number, want)) != PF_OK)
		return rc;
	if (CRYPTO_memcmp(want, c.challenge, HEX_LEN) != 0)
		return PF_EFORGED;
	if (now > c.expires)
		return PF_EEXPIRED;
	*out = c;
	return PF_OK;
}
