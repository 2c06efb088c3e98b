/*
 * fuzz_pow.c -- the proof-of-work payload a form posts (pf_pow_verify:
 * base64 by libcrypto, then JSON by json-c, then the members).
 *
 * The input is tried twice: as the posted field itself (up to its first
 * NUL), and base64-encoded here, so that the fuzzer also mutates the JSON
 * directly.  Only a payload of one of the genuine challenges below (made
 * once by pf_pow_make under KEY and solved) may ever be accepted, or
 * refused as expired: anything else that is would be a forgery.  ALTCHA's
 * widget may add "took", so a genuine challenge may come back in more
 * than one spelling, never with another signature.
 *
 * Then a payload for a genuine challenge with a number taken from the
 * input must be accepted exactly when the number is the solution.
 */
#include <string.h>

#include <openssl/evp.h>

#include "err.h"
#include "fuzz.h"
#include "nitems.h"
#include "pow.h"

#define NOW	((time_t)1700000000)	/* 2023-11-14 */

static const unsigned char KEY[32] = {
	0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
	0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
	0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7,
	0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
};

/* Made by pf_pow_make(KEY, maxnumber, expires) and pf_pow_solve. */
static const struct genuine {
	struct pf_pow	 c;
	long		 number;	/* the solution */
} genuine[] = {
	{ { "13642c0f3917084694006a7da1639e2b0bd155a3aaaeda5507f721cd63f27f8e",
	    "553c2d5b336fa8008d09fc2a?expires=4102444800&",
	    "f34c20e86dd5903df4fb779bf6d9babca75d0a7fcefe55908632034500facd85",
	    50, 4102444800 }, 19 },
	{ { "cdd15a485ce0758239eb4e6a684c759f07712601fd500587d7f3421a5a2106fc",
	    "f1cbe96e3fa9007ffad768c4?expires=1600000000&",
	    "c38db518bf86fc01492430cbf75a8d859780594501b80e45552f05fc812ed85b",
	    10, 1600000000 }, 5 },
	{ { "35895aa9460427efdceae4e2fb0cceb94a64e20f0d707cfab82a869b9cd48407",
	    "69a835b394bfc88e2f3a2d45?expires=4102444800&",
	    "bafc7f9a2b8d426bdf8489a1acd9f0e0afd231dccdba10a7d87413d82198c547",
	    10000000, 4102444800 }, 1743158 },
};
#define NGENUINE	(nitems(genuine))

/* The genuine challenge whose challenge and signature c carries, or NULL. */
static const struct genuine *
find(const struct pf_pow *c)
{
	size_t	 i;

	for (i = 0; i < NGENUINE; i++)
		if (strcmp(c->challenge, genuine[i].c.challenge) == 0 &&
		    strcmp(c->signature, genuine[i].c.signature) == 0)
			return &genuine[i];
	return NULL;
}

/* pf_pow_verify of payload: only ever a genuine challenge gets through. */
static void
verify(const char *payload)
{
	const struct genuine	*g;
	struct pf_pow		 out;
	int			 rc;

	rc = pf_pow_verify(KEY, payload, NOW, &out);
	FUZZ_ASSERT(rc == PF_OK || rc == PF_EEXPIRED || rc == PF_EFORGED);
	if (rc == PF_EFORGED)
		return;
	if (rc == PF_EEXPIRED) {
		/* Expired, not forged: genuine before its expiry. */
		FUZZ_ASSERT(pf_pow_verify(KEY, payload, 0, &out) == PF_OK);
		FUZZ_ASSERT(out.expires < NOW);
	}
	FUZZ_ASSERT((g = find(&out)) != NULL);
	FUZZ_ASSERT(strcmp(out.salt, g->c.salt) == 0);
	FUZZ_ASSERT(out.expires == g->c.expires);
}

/* The input as the JSON inside a payload. */
static void
verify_json(const uint8_t *data, size_t size)
{
	char	*b64;

	if (size > PF_POW_MAX_PAYLOAD)
		return;		/* refused unread; the first pass saw that */
	FUZZ_ASSERT((b64 = malloc(4 * ((size + 2) / 3) + 1)) != NULL);
	EVP_EncodeBlock((unsigned char *)b64, data, (int)size);
	verify(b64);
	free(b64);
}

/* A payload for a genuine challenge works exactly with its solution. */
static void
solve(const uint8_t *data, size_t size)
{
	const struct genuine	*g = &genuine[size > 0 ? data[0] % NGENUINE : 0];
	struct pf_pow		 out;
	char			*payload = NULL;
	long			 n = 0;
	size_t			 i;
	int			 rc;

	for (i = 1; i < size && i < 4; i++)
		n = n << 8 | data[i];
	n %= 10000002;		/* one past the largest number */
	if (size > 4 && data[4] == 0)
		n = g->number;	/* and the right one, now and then */
	FUZZ_ASSERT(pf_pow_payload(&g->c, n, &payload) == PF_OK);
	rc = pf_pow_verify(KEY, payload, NOW, &out);
	if (n != g->number)
		FUZZ_ASSERT(rc == PF_EFORGED);
	else
		FUZZ_ASSERT(rc == (g->c.expires < NOW ? PF_EEXPIRED : PF_OK));
	free(payload);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_as_text(data, size, verify);
	verify_json(data, size);
	solve(data, size);
	return 0;
}
