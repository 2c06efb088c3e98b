/*
 * token.c -- signed, expiring tokens for links in mails (see token.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "algos.h"
#include "err.h"
#include "keys.h"
#include "nitems.h"
#include "token.h"

#define KEY_LEN 32
#define MAC_LEN 32
#define IV_LEN 16
#define VERSION "v1"		/* the payload's first field, in both schemes */
#define SCHEME_V2 0x02		/* the sealed box's first byte (token.h) */
#define MAC_INFO_V2 "privforms token mac v2"
#define CIPHER_INFO_V2 "privforms token cipher v2"
#define CIPHER_LABEL_V1 "privforms token cipher v1"

/* The two keys of a scheme: one signs, the other encrypts. */
struct scheme {
	unsigned char	 mac[KEY_LEN];
	unsigned char	 cipher[KEY_LEN];
	size_t		 head;		/* bytes before the IV: the version */
};

/*
 * base64url of in[0..len) without padding, as a new string.  EVP_EncodeBlock
 * writes standard base64 with '=' padding; swap the two letters that differ
 * and drop the padding.
 */
static char *
b64url_encode(const unsigned char *in, size_t len)
{
	char	*out, *p;
	size_t	 n;

	if (len > INT_MAX / 4 * 3)
		return NULL;
	if ((out = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
		return NULL;
	n = (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	while (n > 0 && out[n - 1] == '=')
		out[--n] = '\0';
	for (p = out; *p != '\0'; p++)
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	return out;
}

/*
 * Decode the base64url text s[0..len) into a new buffer *out of *outlen
 * bytes.  Only the canonical encoding is accepted (the one b64url_encode
 * makes), so that no two texts carry the same bytes: otherwise changing
 * the unused low bits of the last character would leave a token valid.
 */
static int
b64url_decode(const char *s, size_t len, unsigned char **out, size_t *outlen)
{
	char		*buf = NULL, *again = NULL;
	size_t		 i, pad, n;
	int		 dec, rc = PF_EFORGED;

	*out = NULL;
	if (len == 0 || len % 4 == 1)
		return PF_EFORGED;
	pad = (4 - len % 4) % 4;
	if ((buf = malloc(len + pad + 1)) == NULL ||
	    (*out = malloc((len + pad) / 4 * 3 + 1)) == NULL) {
		rc = PF_ENOMEM;
		goto fail;
	}
	for (i = 0; i < len; i++)
		buf[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	memset(buf + len, '=', pad);
	buf[len + pad] = '\0';
	/* Its result counts the padding as bytes of zero: take them off. */
	if ((dec = EVP_DecodeBlock(*out, (unsigned char *)buf,
	    (int)(len + pad))) < 0 || (size_t)dec < pad)
		goto fail;
	n = (size_t)dec - pad;
	if ((again = b64url_encode(*out, n)) == NULL) {
		rc = PF_ENOMEM;
		goto fail;
	}
	if (strlen(again) != len || memcmp(again, s, len) != 0)
		goto fail;
	free(again);
	free(buf);
	*outlen = n;
	return PF_OK;
fail:
	free(again);
	free(buf);
	free(*out);
	*out = NULL;
	return rc;
}

/* keys.h's HMAC-SHA256, whose keys and MACs are ours in length. */
_Static_assert(KEY_LEN == PF_KEY_LEN && MAC_LEN == PF_KEY_LEN,
    "a token key and MAC are HMAC-SHA256's");

static int
mac(const unsigned char key[KEY_LEN], const unsigned char *msg, size_t len,
    unsigned char out[MAC_LEN])
{
	const struct pf_bytes	 part = { msg, len };

	return pf_hmac(key, &part, 1, out);
}

/* HKDF-SHA256 (RFC 5869, no salt) of key with info: KEY_LEN bytes. */
static int
hkdf(const unsigned char key[KEY_LEN], const char *info,
    unsigned char out[KEY_LEN])
{
	EVP_KDF_CTX	*ctx;
	OSSL_PARAM	 params[4];
	int		 rc = PF_ECRYPTO;

	if (pf_algos()->hkdf == NULL ||
	    (ctx = EVP_KDF_CTX_new(pf_algos()->hkdf)) == NULL)
		return PF_ECRYPTO;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)key, KEY_LEN);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    (void *)info, strlen(info));
	params[3] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, KEY_LEN, params) == 1)
		rc = PF_OK;
	EVP_KDF_CTX_free(ctx);
	return rc;
}

/*
 * The current scheme: a signing and a cipher key, each HKDF of key.  Two
 * HKDFs cost more than all the rest of a token, and a program makes and
 * checks its tokens under one key all its life: so the keys of the last
 * key are kept (no more secret than the key itself, which the caller
 * keeps for as long).
 */
static int
scheme_v2(const unsigned char key[KEY_LEN], struct scheme *s)
{
	static unsigned char	 from[KEY_LEN];
	static struct scheme	 last;
	static int		 have;

	if (have && CRYPTO_memcmp(from, key, KEY_LEN) == 0) {
		*s = last;
		return PF_OK;
	}
	have = 0;
	s->head = 1;
	if (hkdf(key, MAC_INFO_V2, s->mac) != PF_OK ||
	    hkdf(key, CIPHER_INFO_V2, s->cipher) != PF_OK) {
		OPENSSL_cleanse(s, sizeof(*s));
		return PF_ECRYPTO;
	}
	memcpy(from, key, KEY_LEN);
	last = *s;
	have = 1;
	return PF_OK;
}

/*
 * The old scheme, only ever checked now: key itself signed, and its HMAC
 * of a label was the cipher key.
 */
static int
scheme_v1(const unsigned char key[KEY_LEN], struct scheme *s)
{
	s->head = 0;
	memcpy(s->mac, key, KEY_LEN);
	return mac(key, (const unsigned char *)CIPHER_LABEL_V1,
	    strlen(CIPHER_LABEL_V1), s->cipher);
}

/*
 * AES-256-CTR of in[0..len) into out[0..len) under cipher key ck, with iv.
 * The same call encrypts and decrypts.
 */
static int
crypt_ctr(const unsigned char ck[KEY_LEN], const unsigned char iv[IV_LEN],
    const unsigned char *in, size_t len, unsigned char *out)
{
	EVP_CIPHER_CTX	*ctx;
	int		 n = 0, fin = 0, rc = PF_ECRYPTO;

	if (len > INT_MAX || pf_algos()->aes_ctr == NULL)
		return PF_ECRYPTO;
	if ((ctx = EVP_CIPHER_CTX_new()) != NULL &&
	    EVP_EncryptInit_ex2(ctx, pf_algos()->aes_ctr, ck, iv, NULL) == 1 &&
	    EVP_EncryptUpdate(ctx, out, &n, in, (int)len) == 1 &&
	    EVP_EncryptFinal_ex(ctx, out + n, &fin) == 1 &&
	    (size_t)(n + fin) == len)
		rc = PF_OK;
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/*
 * Seal msg[0..len) under the current scheme s: a new buffer *out of
 * *outlen bytes holding the version byte, a random IV and the ciphertext.
 */
static int
seal(const struct scheme *s, const unsigned char *msg, size_t len,
    unsigned char **out, size_t *outlen)
{
	unsigned char	*b;
	int		 rc;

	if ((b = malloc(1 + IV_LEN + len)) == NULL)
		return PF_ENOMEM;
	b[0] = SCHEME_V2;
	if (RAND_bytes(b + 1, IV_LEN) != 1)
		rc = PF_ECRYPTO;
	else
		rc = crypt_ctr(s->cipher, b + 1, msg, len, b + 1 + IV_LEN);
	if (rc != PF_OK) {
		free(b);
		return rc;
	}
	*out = b;
	*outlen = 1 + IV_LEN + len;
	return PF_OK;
}

/* Append s and its NUL at *p; the caller sized the buffer. */
static void
put(char **p, const char *s)
{
	size_t	 n = strlen(s) + 1;

	memcpy(*p, s, n);
	*p += n;
}

/*
 * The payload: "v1" NUL purpose NUL expiry (NUL field)*, as a new buffer of
 * *outlen bytes plus a terminating NUL.
 */
static int
payload(const char *purpose, time_t expires, const char *const *fields,
    size_t nfields, unsigned char **out, size_t *outlen)
{
	char	 exp[32];
	size_t	 i, n;
	char	*p;

	snprintf(exp, sizeof(exp), "%lld", (long long)expires);
	n = sizeof(VERSION) + strlen(purpose) + 1 + strlen(exp);
	for (i = 0; i < nfields; i++)
		n += 1 + strlen(fields[i]);
	if ((p = malloc(n + 1)) == NULL)
		return PF_ENOMEM;
	*out = (unsigned char *)p;
	*outlen = n;
	put(&p, VERSION);
	put(&p, purpose);
	put(&p, exp);
	for (i = 0; i < nfields; i++)
		put(&p, fields[i]);
	return PF_OK;
}

int
pf_token_make(const unsigned char key[KEY_LEN], const char *purpose, time_t expires,
    const char *const *fields, size_t nfields, char **out)
{
	unsigned char	*msg = NULL, *box = NULL, sig[MAC_LEN];
	struct scheme	 keys;
	char		*p64 = NULL, *s64 = NULL;
	size_t		 i, len, boxlen;
	int		 rc;

	*out = NULL;
	memset(&keys, 0, sizeof(keys));
	if (purpose == NULL || *purpose == '\0' || expires < 0 ||
	    nfields > PF_TOKEN_MAX_FIELDS || (nfields > 0 && fields == NULL))
		return PF_EINVAL;
	for (i = 0; i < nfields; i++)
		if (fields[i] == NULL)
			return PF_EINVAL;
	rc = payload(purpose, expires, fields, nfields, &msg, &len);
	if (rc != PF_OK)
		return rc;
	/* A token that pf_token_check would refuse unread is no use. */
	rc = PF_ETOOBIG;
	if (len > PF_TOKEN_MAX_LEN)
		goto done;
	/* Encrypt, then sign what was encrypted (the version byte too). */
	if ((rc = scheme_v2(key, &keys)) != PF_OK ||
	    (rc = seal(&keys, msg, len, &box, &boxlen)) != PF_OK ||
	    (rc = mac(keys.mac, box, boxlen, sig)) != PF_OK)
		goto done;
	rc = PF_ENOMEM;
	if ((p64 = b64url_encode(box, boxlen)) == NULL ||
	    (s64 = b64url_encode(sig, MAC_LEN)) == NULL)
		goto done;
	len = strlen(p64) + 1 + strlen(s64);
	rc = PF_ETOOBIG;
	if (len > PF_TOKEN_MAX_LEN)
		goto done;
	rc = PF_ENOMEM;
	if ((*out = malloc(len + 1)) == NULL)
		goto done;
	snprintf(*out, len + 1, "%s.%s", p64, s64);
	rc = PF_OK;
done:
	OPENSSL_cleanse(&keys, sizeof(keys));
	free(msg);
	free(box);
	free(p64);
	free(s64);
	return rc;
}

/* The expiry field: decimal digits only, no sign, no leading zero. */
static int
parse_expiry(const char *s, time_t *t)
{
	long long	 v;
	char		*end;

	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1] != '\0'))
		return PF_EFORGED;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno == ERANGE || (long long)(time_t)v != v)
		return PF_EFORGED;
	*t = (time_t)v;
	return PF_OK;
}

/*
 * Split a genuine payload msg[0..len) (NUL-terminated one past len) into
 * tok; the strings are copies.  PF_EFORGED for anything not made by
 * payload() with this purpose.
 */
static int
parse(const char *msg, size_t len, const char *purpose, struct pf_token *tok)
{
	const char	*p = msg, *end = msg + len;
	const char	*field[3 + PF_TOKEN_MAX_FIELDS];
	size_t		 n = 0, i;

	for (;;) {
		if (n == nitems(field))
			return PF_EFORGED;
		field[n++] = p;
		p += strlen(p);
		if (p >= end)
			break;
		p++;
	}
	if (n < 3 || strcmp(field[0], VERSION) != 0 ||
	    strcmp(field[1], purpose) != 0 ||
	    parse_expiry(field[2], &tok->expires) != PF_OK)
		return PF_EFORGED;
	if ((tok->purpose = strdup(field[1])) == NULL)
		return PF_ENOMEM;
	for (i = 3; i < n; i++) {
		if ((tok->fields[i - 3] = strdup(field[i])) == NULL)
			return PF_ENOMEM;
		tok->nfields++;
	}
	return PF_OK;
}

/*
 * Is sig[0..siglen) the signature of box[0..boxlen) under scheme s, and
 * is the box long enough for it?  Compared in constant time.
 */
static int
signed_by(const struct scheme *s, const unsigned char *box, size_t boxlen,
    const unsigned char *sig, size_t siglen)
{
	unsigned char	 want[MAC_LEN];
	int		 ok;

	if (siglen != MAC_LEN || boxlen <= s->head + IV_LEN ||
	    (s->head > 0 && box[0] != SCHEME_V2) ||
	    mac(s->mac, box, boxlen, want) != PF_OK)
		return 0;
	ok = CRYPTO_memcmp(sig, want, MAC_LEN) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

/*
 * Which scheme signed box: the current one, else the old one (token.h),
 * into s.  PF_OK, PF_EFORGED if neither, PF_ECRYPTO.
 */
static int
signer(const unsigned char key[KEY_LEN], const unsigned char *box,
    size_t boxlen, const unsigned char *sig, size_t siglen, struct scheme *s)
{
	int	 rc;

	if ((rc = scheme_v2(key, s)) != PF_OK)
		return rc;
	if (signed_by(s, box, boxlen, sig, siglen))
		return PF_OK;
	if ((rc = scheme_v1(key, s)) != PF_OK)
		return rc;
	if (signed_by(s, box, boxlen, sig, siglen))
		return PF_OK;
	return PF_EFORGED;
}

/*
 * Decode text, check the signature over the sealed payload in constant time,
 * and only then decrypt it into *msg (NUL-terminated one past *len).
 */
static int
verify(const unsigned char key[KEY_LEN], const char *text, unsigned char **msg,
    size_t *len)
{
	const char	*dot;
	unsigned char	*sig = NULL, *box = NULL;
	struct scheme	 s;
	size_t		 siglen, tlen, boxlen, iv;
	int		 rc;

	*msg = NULL;
	memset(&s, 0, sizeof(s));
	tlen = strnlen(text, PF_TOKEN_MAX_LEN + 1);
	if (tlen > PF_TOKEN_MAX_LEN || (dot = strchr(text, '.')) == NULL ||
	    strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_.") != tlen || strchr(dot + 1, '.') != NULL)
		return PF_EFORGED;
	rc = b64url_decode(dot + 1, strlen(dot + 1), &sig, &siglen);
	if (rc != PF_OK)
		return rc;
	if ((rc = b64url_decode(text, (size_t)(dot - text), &box, &boxlen)) != PF_OK ||
	    (rc = signer(key, box, boxlen, sig, siglen, &s)) != PF_OK)
		goto done;
	iv = s.head;
	*len = boxlen - iv - IV_LEN;
	if ((*msg = malloc(*len + 1)) == NULL) {
		rc = PF_ENOMEM;
		goto done;
	}
	if ((rc = crypt_ctr(s.cipher, box + iv, box + iv + IV_LEN, *len,
	    *msg)) == PF_OK)
		(*msg)[*len] = '\0';
done:
	OPENSSL_cleanse(&s, sizeof(s));
	free(box);
	free(sig);
	if (rc != PF_OK) {
		free(*msg);
		*msg = NULL;
	}
	return rc;
}

int
pf_token_check(const unsigned char key[KEY_LEN], const char *purpose,
    const char *text, time_t now, struct pf_token *out)
{
	unsigned char	*msg;
	size_t		 len;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if (purpose == NULL || text == NULL)
		return PF_EFORGED;
	if ((rc = verify(key, text, &msg, &len)) != PF_OK)
		return rc;
	if ((rc = parse((const char *)msg, len, purpose, out)) == PF_OK &&
	    now > out->expires)
		rc = PF_EEXPIRED;
	free(msg);
	if (rc != PF_OK)
		pf_token_clear(out);
	return rc;
}

void
pf_token_clear(struct pf_token *tok)
{
	size_t	 i;

	if (tok == NULL)
		return;
	free(tok->purpose);
	for (i = 0; i < tok->nfields && i < PF_TOKEN_MAX_FIELDS; i++)
		free(tok->fields[i]);
	memset(tok, 0, sizeof(*tok));
}

int
pf_token_id(const char *s, long long *id)
{
	char		*end;
	long long	 v;

	if (s[0] < '1' || s[0] > '9' || strlen(s) > PF_TOKEN_ID_LEN)
		return PF_EFORGED;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		return PF_EFORGED;
	*id = v;
	return PF_OK;
}
