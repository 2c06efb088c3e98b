/*
 * test_pow.c -- proof-of-work challenges (pow.h): making, solving,
 * verifying, and every way a payload can be wrong.
 *
 * Challenges "signed by hand" below are computed in the test with
 * libcrypto's one-shot SHA256() and HMAC(), not through pow.c, and the
 * fixed vector was computed with Python's hashlib and hmac: pow.c is not
 * only checked against itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "check_main.h"
#include "fixture.h"
#include "err.h"
#include "nitems.h"
#include "pow.h"

#define EXPIRES		2000000000
#define NOW		(EXPIRES - 60)
#define MAXNUM		2000	/* small: the tests solve many challenges */
#define SALT_OK		"0123456789abcdef01234567?expires=2000000000&"

/* The fixed vector: key 00 01 .. 1f, SALT_OK, number 4242 (Python). */
#define VEC_NUMBER	4242
#define VEC_CHALLENGE	"ee3fe8f6037ae1aef7af5ee3bf457c7d01f86b581f95013e2b73669665b6d371"
#define VEC_SIGNATURE	"c1af90e6c4925a06a669f1f40766a158a3cb229cd539c8cc2bf68eca920d38b8"
#define VEC_PAYLOAD \
	"eyJhbGdvcml0aG0iOiJTSEEtMjU2IiwiY2hhbGxlbmdlIjoiZWUzZmU4ZjYwMzdhZTFh" \
	"ZWY3YWY1ZWUzYmY0NTdjN2QwMWY4NmI1ODFmOTUwMTNlMmI3MzY2OTY2NWI2ZDM3MSIs" \
	"Im51bWJlciI6NDI0Miwic2FsdCI6IjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nz9leHBp" \
	"cmVzPTIwMDAwMDAwMDAmIiwic2lnbmF0dXJlIjoiYzFhZjkwZTZjNDkyNWEwNmE2Njlm" \
	"MWY0MDc2NmExNThhM2NiMjI5Y2Q1MzljOGNjMmJmNjhlY2E5MjBkMzhiOCJ9"

/* What the widgets post, with $C $N $S $G for challenge, number, salt, signature. */
#define GOOD_JSON	"{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\"," \
	"\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\"}"

static unsigned char	 key[32], other[32];

static void
setup(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(key); i++) {
		key[i] = (unsigned char)i;
		other[i] = (unsigned char)(0xff - i);
	}
}

/* Sign salt and number by hand under k, into c (libcrypto directly). */
static void
sign_by_hand(const unsigned char *k, const char *salt, long number,
    struct pf_pow *c)
{
	unsigned char	 md[32];
	unsigned int	 mdlen = 0;
	char		 buf[128];

	memset(c, 0, sizeof(*c));
	ck_assert_uint_lt(strlen(salt), sizeof(c->salt));
	strcpy(c->salt, salt);
	snprintf(buf, sizeof(buf), "%s%ld", salt, number);
	SHA256((const unsigned char *)buf, strlen(buf), md);
	pf_test_hex(md, 32, c->challenge);
	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), k, 32,
	    (const unsigned char *)c->challenge, 64, md, &mdlen));
	ck_assert_uint_eq(mdlen, 32);
	pf_test_hex(md, 32, c->signature);
	c->expires = EXPIRES;
}

/* Standard base64 of s[0..len), a new string. */
static char *
b64(const char *s, size_t len)
{
	char	*out;

	ck_assert_ptr_nonnull(out = malloc(4 * ((len + 2) / 3) + 1));
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s,
	    (int)len);
	return out;
}

/* tmpl with $C $N $S $G replaced by c's fields and number, a new string. */
static char *
fill(const char *tmpl, const struct pf_pow *c, long number)
{
	char	*out, num[32];
	size_t	 n = 0;

	snprintf(num, sizeof(num), "%ld", number);
	ck_assert_ptr_nonnull(out = malloc(strlen(tmpl) * 2 + 512));
	for (; *tmpl != '\0'; tmpl++) {
		const char	*v = NULL;

		if (tmpl[0] == '$')
			v = tmpl[1] == 'C' ? c->challenge : tmpl[1] == 'N' ?
			    num : tmpl[1] == 'S' ? c->salt : tmpl[1] == 'G' ?
			    c->signature : NULL;
		if (v == NULL) {
			out[n++] = *tmpl;
			continue;
		}
		memcpy(out + n, v, strlen(v));
		n += strlen(v);
		tmpl++;
	}
	out[n] = '\0';
	return out;
}

/* base64 of fill(tmpl), a new string. */
static char *
fill_b64(const char *tmpl, const struct pf_pow *c, long number)
{
	char	*json = fill(tmpl, c, number), *p;

	p = b64(json, strlen(json));
	free(json);
	return p;
}

/* pf_pow_verify of tmpl filled in, at NOW under key. */
static int
verify_json(const char *tmpl, const struct pf_pow *c, long number)
{
	struct pf_pow	 out;
	char		*p = fill_b64(tmpl, c, number);
	int		 rc;

	rc = pf_pow_verify(key, p, NOW, &out);
	free(p);
	return rc;
}

/* A fresh challenge under key and its solution. */
static long
made(struct pf_pow *c, long maxnumber)
{
	long	 n = -1;

	ck_assert_int_eq(pf_pow_make(key, maxnumber, EXPIRES, c), PF_OK);
	ck_assert_int_eq(pf_pow_solve(c, &n), PF_OK);
	return n;
}

START_TEST(test_solved_challenge_verifies)
{
	struct pf_pow	 c, out;
	char		*p = NULL;
	long		 n = made(&c, MAXNUM);

	ck_assert_int_eq(pf_pow_payload(&c, n, &p), PF_OK);
	ck_assert_int_eq(pf_pow_verify(key, p, NOW, &out), PF_OK);
	ck_assert_str_eq(out.challenge, c.challenge);
	ck_assert_str_eq(out.salt, c.salt);
	ck_assert_str_eq(out.signature, c.signature);
	ck_assert_int_eq(out.expires, EXPIRES);
	free(p);
}
END_TEST

START_TEST(test_made_challenge_has_altcha_shape)
{
	struct pf_pow	 c, hand;
	long		 n = made(&c, MAXNUM);

	ck_assert_uint_eq(strspn(c.salt, "0123456789abcdef"), 24);
	ck_assert_str_eq(c.salt + 24, "?expires=2000000000&");
	ck_assert_int_eq(c.maxnumber, MAXNUM);
	ck_assert_int_eq(c.expires, EXPIRES);
	ck_assert(n >= 0 && n <= MAXNUM);
	sign_by_hand(key, c.salt, n, &hand);
	ck_assert_str_eq(c.challenge, hand.challenge);
	ck_assert_str_eq(c.signature, hand.signature);
}
END_TEST

START_TEST(test_two_challenges_differ)
{
	struct pf_pow	 a, b;

	ck_assert_int_eq(pf_pow_make(key, MAXNUM, EXPIRES, &a), PF_OK);
	ck_assert_int_eq(pf_pow_make(key, MAXNUM, EXPIRES, &b), PF_OK);
	ck_assert_str_ne(a.salt, b.salt);
	ck_assert_str_ne(a.challenge, b.challenge);
}
END_TEST

START_TEST(test_fixed_vector_verifies)
{
	struct pf_pow	 c, out;

	sign_by_hand(key, SALT_OK, VEC_NUMBER, &c);
	ck_assert_str_eq(c.challenge, VEC_CHALLENGE);
	ck_assert_str_eq(c.signature, VEC_SIGNATURE);
	ck_assert_int_eq(pf_pow_verify(key, VEC_PAYLOAD, NOW, &out), PF_OK);
	ck_assert_str_eq(out.challenge, VEC_CHALLENGE);
	ck_assert_str_eq(out.salt, SALT_OK);
	ck_assert_int_eq(out.expires, EXPIRES);
	ck_assert_int_eq(pf_pow_verify(other, VEC_PAYLOAD, NOW, &out),
	    PF_EFORGED);
}
END_TEST

START_TEST(test_payload_matches_fixed_vector)
{
	struct pf_pow	 c;
	char		*p = NULL;
	long		 n = -1;

	sign_by_hand(key, SALT_OK, VEC_NUMBER, &c);
	c.maxnumber = 5000;
	ck_assert_int_eq(pf_pow_payload(&c, VEC_NUMBER, &p), PF_OK);
	ck_assert_str_eq(p, VEC_PAYLOAD);
	ck_assert_int_eq(pf_pow_solve(&c, &n), PF_OK);
	ck_assert_int_eq(n, VEC_NUMBER);
	free(p);
}
END_TEST

START_TEST(test_wrong_number_is_forged)
{
	static const long	 delta[] = { 1, -1, MAXNUM + 1 };
	struct pf_pow		 c, out;
	char			*p;
	long			 n = made(&c, MAXNUM);
	size_t			 i;

	for (i = 0; i < nitems(delta); i++) {
		if (n + delta[i] < 0)
			continue;
		ck_assert_int_eq(pf_pow_payload(&c, n + delta[i], &p), PF_OK);
		ck_assert_msg(pf_pow_verify(key, p, NOW, &out) == PF_EFORGED,
		    "delta %ld", delta[i]);
		ck_assert_str_eq(out.challenge, "");
		free(p);
	}
}
END_TEST

/* c's field f with its character at i replaced by another hex digit. */
static void
flip(char *f, size_t i)
{
	f[i] = f[i] == 'a' ? 'b' : 'a';
}

START_TEST(test_changed_signature_digit_is_forged)
{
	static const size_t	 at[] = { 0, 31, 63 };
	struct pf_pow		 c, t, out;
	char			*p;
	long			 n = made(&c, MAXNUM);
	size_t			 i;

	for (i = 0; i < nitems(at); i++) {
		t = c;
		flip(t.signature, at[i]);
		ck_assert_int_eq(pf_pow_payload(&t, n, &p), PF_OK);
		ck_assert_msg(pf_pow_verify(key, p, NOW, &out) == PF_EFORGED,
		    "digit %zu", at[i]);
		free(p);
	}
}
END_TEST

START_TEST(test_signature_of_other_key_is_forged)
{
	struct pf_pow	 c, out;
	char		*p;
	long		 n = -1;

	ck_assert_int_eq(pf_pow_make(other, MAXNUM, EXPIRES, &c), PF_OK);
	ck_assert_int_eq(pf_pow_solve(&c, &n), PF_OK);
	ck_assert_int_eq(pf_pow_payload(&c, n, &p), PF_OK);
	ck_assert_int_eq(pf_pow_verify(key, p, NOW, &out), PF_EFORGED);
	ck_assert_int_eq(pf_pow_verify(other, p, NOW, &out), PF_OK);
	free(p);
}
END_TEST

START_TEST(test_upper_case_signature_is_forged)
{
	struct pf_pow	 c, out;
	char		*p;
	long		 n = made(&c, MAXNUM);
	size_t		 i;

	for (i = 0; c.signature[i] != '\0'; i++)
		if (c.signature[i] >= 'a' && c.signature[i] <= 'f')
			c.signature[i] = (char)(c.signature[i] - 'a' + 'A');
	ck_assert_int_eq(pf_pow_payload(&c, n, &p), PF_OK);
	ck_assert_int_eq(pf_pow_verify(key, p, NOW, &out), PF_EFORGED);
	free(p);
}
END_TEST

START_TEST(test_tampered_challenge_is_forged)
{
	struct pf_pow	 c, out;
	char		*p;
	long		 n = made(&c, MAXNUM), m = -1;

	flip(c.challenge, 10);
	ck_assert_int_eq(pf_pow_solve(&c, &m), PF_ENOTFOUND);
	ck_assert_int_eq(pf_pow_payload(&c, n, &p), PF_OK);
	ck_assert_int_eq(pf_pow_verify(key, p, NOW, &out), PF_EFORGED);
	free(p);
}
END_TEST

START_TEST(test_tampered_salt_or_expiry_is_forged)
{
	static const char *const salts[] = {
		/* a later expiry, to live longer */
		"?expires=2000000999&",
		"?expires=9000000000&",
		/* an earlier one */
		"?expires=1999999999&",
	};
	struct pf_pow	 c, t, out;
	char		*p;
	long		 n = made(&c, MAXNUM);
	size_t		 i;

	for (i = 0; i <= nitems(salts); i++) {
		t = c;
		if (i < nitems(salts))
			strcpy(t.salt + 24, salts[i]);
		else
			flip(t.salt, 3);
		ck_assert_int_eq(pf_pow_payload(&t, n, &p), PF_OK);
		ck_assert_msg(pf_pow_verify(key, p, NOW, &out) == PF_EFORGED,
		    "case %zu", i);
		free(p);
	}
}
END_TEST

START_TEST(test_expired_is_expired)
{
	struct pf_pow	 c, out;
	char		*p;
	long		 n = made(&c, MAXNUM);

	ck_assert_int_eq(pf_pow_payload(&c, n, &p), PF_OK);
	ck_assert_int_eq(pf_pow_verify(key, p, EXPIRES, &out), PF_OK);
	ck_assert_int_eq(pf_pow_verify(key, p, EXPIRES + 1, &out),
	    PF_EEXPIRED);
	ck_assert_str_eq(out.challenge, "");
	ck_assert_int_eq(pf_pow_verify(key, p, EXPIRES + 86400, &out),
	    PF_EEXPIRED);
	/* Only a genuine one is expired: under another key it is forged. */
	ck_assert_int_eq(pf_pow_verify(other, p, EXPIRES + 1, &out),
	    PF_EFORGED);
	free(p);
}
END_TEST

START_TEST(test_expired_with_wrong_number_is_forged)
{
	struct pf_pow	 c, out;
	char		*p;
	long		 n = made(&c, MAXNUM);

	ck_assert_int_eq(pf_pow_payload(&c, n + 1, &p), PF_OK);
	ck_assert_int_eq(pf_pow_verify(key, p, EXPIRES + 1, &out), PF_EFORGED);
	free(p);
}
END_TEST

START_TEST(test_make_refuses_out_of_range)
{
	static const struct {
		long	 maxnumber;
		time_t	 expires;
		int	 rc;
	} t[] = {
		{ 0, EXPIRES, PF_EINVAL },
		{ -1, EXPIRES, PF_EINVAL },
		{ 10000001, EXPIRES, PF_EINVAL },
		{ 1, EXPIRES, PF_OK },
		{ 10000000, EXPIRES, PF_OK },
		{ 1000, 0, PF_EINVAL },
		{ 1000, -5, PF_EINVAL },
		{ 1000, 1, PF_OK },
	};
	struct pf_pow	 c;
	size_t		 i;

	for (i = 0; i < nitems(t); i++)
		ck_assert_msg(pf_pow_make(key, t[i].maxnumber, t[i].expires,
		    &c) == t[i].rc, "case %zu", i);
}
END_TEST

START_TEST(test_secret_number_covers_zero_to_maxnumber)
{
	struct pf_pow	 c;
	int		 seen[2] = { 0, 0 };
	size_t		 i;
	long		 n;

	/* 64 draws of [0, 1] miss a value with probability 2^-63. */
	for (i = 0; i < 64; i++) {
		n = made(&c, 1);
		ck_assert(n == 0 || n == 1);
		seen[n] = 1;
	}
	ck_assert(seen[0] && seen[1]);
}
END_TEST

START_TEST(test_number_bounds_in_payload)
{
	static const struct {
		long	 number;
		int	 rc;
	} t[] = {
		{ 0, PF_OK },
		{ 10000000, PF_OK },
		{ 10000001, PF_EFORGED },
	};
	struct pf_pow	 c;
	size_t		 i;

	for (i = 0; i < nitems(t); i++) {
		sign_by_hand(key, SALT_OK, t[i].number, &c);
		ck_assert_msg(verify_json(GOOD_JSON, &c, t[i].number) ==
		    t[i].rc, "number %ld", t[i].number);
	}
}
END_TEST

/* Salts signed by hand, so that only the salt's form can refuse them. */
START_TEST(test_salt_must_carry_strict_expiry)
{
	static const struct pf_test_code t[] = {
		{ SALT_OK, PF_OK },
		{ "0123456789abcdef01234567", PF_EFORGED },
		{ "0123456789abcdef01234567?", PF_EFORGED },
		{ "0123456789abcdef01234567?expires=&", PF_EFORGED },
		{ "0123456789abcdef01234567?expires=2000000000", PF_EFORGED },
		{ "0123456789abcdef01234567?expires=20000000x0&", PF_EFORGED },
		{ "0123456789abcdef01234567?expires=2e9&", PF_EFORGED },
		{ "0123456789abcdef01234567?expires=0x77359400&", PF_EFORGED },
		{ "0123456789abcdef01234567?expires=-2000000000&", PF_EFORGED },
		{ "0123456789abcdef01234567?expires=+2000000000&", PF_EFORGED },
		{ "0123456789abcdef01234567?expires= 2000000000&", PF_EFORGED },
		{ "0123456789abcdef01234567?expires=02000000000&", PF_EFORGED },
		{ "0123456789abcdef01234567?expires=0&", PF_EFORGED },
		{ "0123456789abcdef01234567?expires=2000000000&a=1", PF_EFORGED },
		{ "0123456789abcdef01234567?expires=2000000000&&", PF_EFORGED },
		{ "0123456789abcdef01234567?a=1&expires=2000000000&", PF_EFORGED },
		{ "0123456789abcdef01234567?expires=99999999999999999999&",
		    PF_EFORGED },
		{ "0123456789ABCDEF01234567?expires=2000000000&", PF_EFORGED },
		{ "0123456789abcdef0123456?expires=2000000000&", PF_EFORGED },
		{ "0123456789abcdef012345678?expires=2000000000&", PF_EFORGED },
		{ "?expires=2000000000&", PF_EFORGED },
		{ "0123456789abcdef01234567?EXPIRES=2000000000&", PF_EFORGED },
	};
	struct pf_pow	 c;
	size_t		 i;

	for (i = 0; i < nitems(t); i++) {
		sign_by_hand(key, t[i].in, 7, &c);
		ck_assert_msg(verify_json(GOOD_JSON, &c, 7) == t[i].want,
		    "salt %s", t[i].in);
	}
}
END_TEST

/*
 * JSON that a genuine solution would verify with, if it were well formed:
 * the first entry (GOOD_JSON) checks that the rest fail for their defect.
 */
START_TEST(test_malformed_json_is_forged)
{
	static const struct pf_test_code t[] = {
		{ GOOD_JSON, PF_OK },
		/* not an object */
		{ "[\"SHA-256\",\"$C\",$N,\"$S\",\"$G\"]", PF_EFORGED },
		{ "\"$C\"", PF_EFORGED },
		{ "$N", PF_EFORGED },
		{ "null", PF_EFORGED },
		{ "{}", PF_EFORGED },
		/* a member missing */
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\"}", PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"salt\":\"$S\",\"signature\":\"$G\"}", PF_EFORGED },
		{ "{\"challenge\":\"$C\",\"number\":$N,\"salt\":\"$S\","
		  "\"signature\":\"$G\"}", PF_EFORGED },
		/* ALTCHA's widget's "took" is allowed, as a count... */
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\","
		  "\"took\":12}", PF_OK },
		/* ...but no other member more, and not otherwise */
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\","
		  "\"test\":12}", PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\","
		  "\"took\":-1}", PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\","
		  "\"took\":\"12\"}", PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\","
		  "\"took\":12,\"test\":true}", PF_EFORGED },
		/* a member twice, with the same or another value */
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"number\":$N,\"salt\":\"$S\","
		  "\"signature\":\"$G\"}", PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":99,\"number\":$N,\"salt\":\"$S\","
		  "\"signature\":\"$G\"}", PF_EFORGED },
		{ "{\"algorithm\":\"SHA-1\",\"algorithm\":\"SHA-256\","
		  "\"challenge\":\"$C\",\"number\":$N,\"salt\":\"$S\","
		  "\"signature\":\"$G\"}", PF_EFORGED },
		/* the number of another type or spelling */
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":\"$N\",\"salt\":\"$S\",\"signature\":\"$G\"}",
		  PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":$N.0,\"salt\":\"$S\",\"signature\":\"$G\"}",
		  PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":$Ne0,\"salt\":\"$S\",\"signature\":\"$G\"}",
		  PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":0$N,\"salt\":\"$S\",\"signature\":\"$G\"}",
		  PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":-$N,\"salt\":\"$S\",\"signature\":\"$G\"}",
		  PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":1$N0000000000000000000,\"salt\":\"$S\","
		  "\"signature\":\"$G\"}", PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":[$N],\"salt\":\"$S\",\"signature\":\"$G\"}",
		  PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":true,\"salt\":\"$S\",\"signature\":\"$G\"}",
		  PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":null,\"salt\":\"$S\",\"signature\":\"$G\"}",
		  PF_EFORGED },
		/* another algorithm, or its name spelt otherwise */
		{ "{\"algorithm\":\"SHA-1\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\"}",
		  PF_EFORGED },
		{ "{\"algorithm\":\"sha-256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\"}",
		  PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\\u0000\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\"}",
		  PF_EFORGED },
		{ "{\"algorithm\":\"SHA256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\"}",
		  PF_EFORGED },
		/* strings with a NUL, or of the wrong length */
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\\u0000\"}",
		  PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\\u0000\",\"signature\":\"$G\"}",
		  PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C0\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\"}",
		  PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G0\"}",
		  PF_EFORGED },
		/* another spelling of the same object */
		{ "{ \"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\"}",
		  PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\"}\n",
		  PF_EFORGED },
		{ "{\"algorithm\":\"SHA\\u002d256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\"}",
		  PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\",}",
		  PF_EFORGED },
		{ "{'algorithm':'SHA-256','challenge':'$C',"
		  "'number':$N,'salt':'$S','signature':'$G'}", PF_EFORGED },
		/* trailing text, or a second object */
		{ GOOD_JSON "x", PF_EFORGED },
		{ GOOD_JSON GOOD_JSON, PF_EFORGED },
		{ "{\"algorithm\":\"SHA-256\",\"challenge\":\"$C\","
		  "\"number\":$N,\"salt\":\"$S\",\"signature\":\"$G\"",
		  PF_EFORGED },
		/* not JSON */
		{ "hello", PF_EFORGED },
		{ "", PF_EFORGED },
	};
	struct pf_pow	 c;
	long		 n = made(&c, MAXNUM);
	size_t		 i;

	for (i = 0; i < nitems(t); i++)
		ck_assert_msg(verify_json(t[i].in, &c, n) == t[i].want,
		    "case %zu: %s", i, t[i].in);
}
END_TEST

START_TEST(test_nul_byte_in_json_is_forged)
{
	struct pf_pow	 c, out;
	char		*json, *p;
	size_t		 len;
	long		 n = made(&c, MAXNUM);

	/* GOOD_JSON, then a NUL and a "}" that a C string would hide. */
	json = fill(GOOD_JSON " }", &c, n);
	len = strlen(json);
	json[len - 2] = '\0';
	p = b64(json, len);
	ck_assert_int_eq(pf_pow_verify(key, p, NOW, &out), PF_EFORGED);
	free(p);
	/* The same bytes without the NUL and the brace do verify. */
	p = b64(json, len - 2);
	ck_assert_int_eq(pf_pow_verify(key, p, NOW, &out), PF_OK);
	free(p);
	free(json);
}
END_TEST

START_TEST(test_not_base64_is_forged)
{
	struct pf_pow	 c, out;
	char		*good, buf[PF_POW_MAX_PAYLOAD + 64];
	long		 n = made(&c, MAXNUM);
	size_t		 i;
	const char	*const bad[] = {
		"",
		"not base64!!",
		"====",
		"QQ",
		"QQ=",
		"aGVsbG8=",		/* "hello": base64, not JSON */
		"W10=",			/* "[]" */
		"e30=",			/* "{}" */
	};

	for (i = 0; i < nitems(bad); i++)
		ck_assert_msg(pf_pow_verify(key, bad[i], NOW, &out) ==
		    PF_EFORGED, "case %s", bad[i]);
	ck_assert_int_eq(pf_pow_verify(key, NULL, NOW, &out), PF_EFORGED);
	ck_assert_int_eq(pf_pow_payload(&c, n, &good), PF_OK);
	ck_assert_int_eq(pf_pow_verify(key, good, NOW, &out), PF_OK);
	/* White space EVP_DecodeBlock would skip, anywhere. */
	snprintf(buf, sizeof(buf), " %s", good);
	ck_assert_int_eq(pf_pow_verify(key, buf, NOW, &out), PF_EFORGED);
	snprintf(buf, sizeof(buf), "%s\n", good);
	ck_assert_int_eq(pf_pow_verify(key, buf, NOW, &out), PF_EFORGED);
	snprintf(buf, sizeof(buf), "%.8s\n%s", good, good + 8);
	ck_assert_int_eq(pf_pow_verify(key, buf, NOW, &out), PF_EFORGED);
	/* base64url's letters instead of standard base64's */
	for (i = 0; good[i] != '\0' && good[i] != '+' && good[i] != '/'; i++)
		continue;
	if (good[i] != '\0') {
		snprintf(buf, sizeof(buf), "%s", good);
		buf[i] = buf[i] == '+' ? '-' : '_';
		ck_assert_int_eq(pf_pow_verify(key, buf, NOW, &out),
		    PF_EFORGED);
	}
	free(good);
}
END_TEST

/* Base64 alphabet index of ch. */
static int
b64_index(char ch)
{
	static const char	 abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";

	return (int)(strchr(abc, ch) - abc);
}

START_TEST(test_padding_must_be_canonical)
{
	static const char	 abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	struct pf_pow		 c, out;
	char			*p, *q;
	size_t			 len;
	long			 num;
	int			 padded = 0;

	/* Numbers of 1, 2 and 3 digits: JSON of every length mod 3. */
	for (num = 7; num <= 700; num *= 10) {
		sign_by_hand(key, SALT_OK, num, &c);
		p = fill_b64(GOOD_JSON, &c, num);
		len = strlen(p);
		ck_assert_int_eq(pf_pow_verify(key, p, NOW, &out), PF_OK);
		if (p[len - 1] != '=') {
			free(p);
			continue;
		}
		padded++;
		/* Set the bits the last character does not use. */
		ck_assert_ptr_nonnull(q = strdup(p));
		len -= p[len - 2] == '=' ? 3 : 2;
		q[len] = abc[b64_index(q[len]) | 1];
		ck_assert_int_eq(pf_pow_verify(key, q, NOW, &out), PF_EFORGED);
		/* Without the padding. */
		strcpy(q, p);
		q[strcspn(q, "=")] = '\0';
		ck_assert_int_eq(pf_pow_verify(key, q, NOW, &out), PF_EFORGED);
		free(q);
		free(p);
	}
	ck_assert_int_eq(padded, 2);
}
END_TEST

START_TEST(test_oversized_payload_is_forged)
{
	struct pf_pow	 c, out;
	char		*json, *p, big[PF_POW_MAX_PAYLOAD + 2], pad[801];
	char		 more[2048];
	long		 n = made(&c, MAXNUM);

	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(pf_pow_verify(key, big, NOW, &out), PF_EFORGED);
	/* A genuine payload with a long member more, past the limit. */
	json = fill(GOOD_JSON, &c, n);
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	snprintf(more, sizeof(more), "%.*s,\"x\":\"%s\"}",
	    (int)strlen(json) - 1, json, pad);
	p = b64(more, strlen(more));
	ck_assert_uint_gt(strlen(p), PF_POW_MAX_PAYLOAD);
	ck_assert_int_eq(pf_pow_verify(key, p, NOW, &out), PF_EFORGED);
	free(p);
	free(json);
}
END_TEST

START_TEST(test_json_parses_back)
{
	struct pf_pow	 c;
	json_object	*obj, *m;
	char		*json = NULL, want[512];

	ck_assert_int_eq(pf_pow_make(key, 50000, EXPIRES, &c), PF_OK);
	ck_assert_int_eq(pf_pow_json(&c, &json), PF_OK);
	snprintf(want, sizeof(want), "{\"algorithm\":\"SHA-256\","
	    "\"challenge\":\"%s\",\"maxnumber\":50000,\"salt\":\"%s\","
	    "\"signature\":\"%s\"}", c.challenge, c.salt, c.signature);
	ck_assert_str_eq(json, want);
	ck_assert_ptr_nonnull(obj = json_tokener_parse(json));
	ck_assert_int_eq(json_object_object_length(obj), 5);
	ck_assert(json_object_object_get_ex(obj, "maxnumber", &m));
	ck_assert(json_object_is_type(m, json_type_int));
	ck_assert_int_eq(json_object_get_int64(m), 50000);
	ck_assert(json_object_object_get_ex(obj, "salt", &m));
	ck_assert_str_eq(json_object_get_string(m), c.salt);
	ck_assert(json_object_object_get_ex(obj, "algorithm", &m));
	ck_assert_str_eq(json_object_get_string(m), "SHA-256");
	json_object_put(obj);
	free(json);
}
END_TEST

PF_TEST_MAIN("pow",
    tcase_add_checked_fixture(tc, setup, NULL),
    tcase_add_test(tc, test_solved_challenge_verifies),
    tcase_add_test(tc, test_made_challenge_has_altcha_shape),
    tcase_add_test(tc, test_two_challenges_differ),
    tcase_add_test(tc, test_fixed_vector_verifies),
    tcase_add_test(tc, test_payload_matches_fixed_vector),
    tcase_add_test(tc, test_wrong_number_is_forged),
    tcase_add_test(tc, test_changed_signature_digit_is_forged),
    tcase_add_test(tc, test_signature_of_other_key_is_forged),
    tcase_add_test(tc, test_upper_case_signature_is_forged),
    tcase_add_test(tc, test_tampered_challenge_is_forged),
    tcase_add_test(tc, test_tampered_salt_or_expiry_is_forged),
    tcase_add_test(tc, test_expired_is_expired),
    tcase_add_test(tc, test_expired_with_wrong_number_is_forged),
    tcase_add_test(tc, test_make_refuses_out_of_range),
    tcase_add_test(tc, test_secret_number_covers_zero_to_maxnumber),
    tcase_add_test(tc, test_number_bounds_in_payload),
    tcase_add_test(tc, test_salt_must_carry_strict_expiry),
    tcase_add_test(tc, test_malformed_json_is_forged),
    tcase_add_test(tc, test_nul_byte_in_json_is_forged),
    tcase_add_test(tc, test_not_base64_is_forged),
    tcase_add_test(tc, test_padding_must_be_canonical),
    tcase_add_test(tc, test_oversized_payload_is_forged),
    tcase_add_test(tc, test_json_parses_back))
