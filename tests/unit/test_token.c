/* test_token.c -- signed, expiring tokens (token.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "check_main.h"
#include "err.h"
#include "nitems.h"
#include "token.h"

#define NOW 1700000000
#define EXPIRES (NOW + 3600)

static const unsigned char key[32] = "0123456789abcdef0123456789abcde";
static const unsigned char key2[32] = "0123456789abcdef0123456789abcdX";
static const char *const fields[] = {
	"alice@example.com", "marketing", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
};

/* A token for "unsub" with the three fields above; the caller frees it. */
static char *
make(void)
{
	char	*t = NULL;

	ck_assert_int_eq(pf_token_make(key, "unsub", EXPIRES, fields, 3, &t), PF_OK);
	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(test_round_trip_keeps_fields)
{
	struct pf_token	 tok;
	char		*t = make();
	size_t		 i;

	ck_assert_int_eq(pf_token_check(key, "unsub", t, NOW, &tok), PF_OK);
	ck_assert_str_eq(tok.purpose, "unsub");
	ck_assert(tok.expires == EXPIRES);
	ck_assert_uint_eq(tok.nfields, 3);
	for (i = 0; i < 3; i++)
		ck_assert_str_eq(tok.fields[i], fields[i]);
	pf_token_clear(&tok);
	free(t);
}
END_TEST

START_TEST(test_round_trip_field_counts)
{
	static const char *const f[PF_TOKEN_MAX_FIELDS] = {
		"", "a", "", "bb", "ccc", "", "dddd", "",
	};
	struct pf_token	 tok;
	char		*t;
	size_t		 n, i;

	for (n = 0; n <= PF_TOKEN_MAX_FIELDS; n++) {
		ck_assert_int_eq(pf_token_make(key, "p", 0, f, n, &t), PF_OK);
		ck_assert_int_eq(pf_token_check(key, "p", t, 0, &tok), PF_OK);
		ck_assert_uint_eq(tok.nfields, n);
		for (i = 0; i < n; i++)
			ck_assert_str_eq(tok.fields[i], f[i]);
		pf_token_clear(&tok);
		free(t);
	}
}
END_TEST

START_TEST(test_text_is_url_safe)
{
	char	*t = make();

	ck_assert_uint_eq(strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_."), strlen(t));
	ck_assert_ptr_nonnull(strchr(t, '.'));
	free(t);
}
END_TEST

START_TEST(test_every_single_character_change_rejected)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
	struct pf_token	 tok;
	char		*t = make(), saved;
	size_t		 i, j, n = strlen(t);

	for (i = 0; i < n; i++) {
		saved = t[i];
		for (j = 0; alphabet[j] != '\0'; j++) {
			if (alphabet[j] == saved)
				continue;
			t[i] = alphabet[j];
			ck_assert_msg(pf_token_check(key, "unsub", t, NOW, &tok) ==
			    PF_EFORGED, "accepted with [%zu] = '%c'", i, alphabet[j]);
			ck_assert_ptr_null(tok.purpose);
		}
		t[i] = saved;
	}
	ck_assert_int_eq(pf_token_check(key, "unsub", t, NOW, &tok), PF_OK);
	pf_token_clear(&tok);
	free(t);
}
END_TEST

START_TEST(test_truncated_rejected)
{
	struct pf_token	 tok;
	char		*t = make();
	size_t		 n;

	for (n = strlen(t); n > 0; n--) {
		t[n - 1] = '\0';
		ck_assert_msg(pf_token_check(key, "unsub", t, NOW, &tok) ==
		    PF_EFORGED, "accepted at length %zu", n - 1);
	}
	free(t);
}
END_TEST

START_TEST(test_appended_rejected)
{
	static const char *const tails[] = { "A", "AA", "AAAA", ".", "=", "==" };
	struct pf_token	 tok;
	char		*t = make(), buf[PF_TOKEN_MAX_LEN + 8];
	size_t		 i;

	for (i = 0; i < nitems(tails); i++) {
		snprintf(buf, sizeof(buf), "%s%s", t, tails[i]);
		ck_assert_msg(pf_token_check(key, "unsub", buf, NOW, &tok) ==
		    PF_EFORGED, "accepted with '%s'", tails[i]);
	}
	free(t);
}
END_TEST

/* The genuine token of make() checked with other keys, purposes and times. */
static const struct {
	const unsigned char	*key;
	const char		*purpose;
	time_t			 now;
	int			 want;
} checks[] = {
	{ key2, "unsub", NOW, PF_EFORGED },		/* wrong key */
	{ key, "verify", NOW, PF_EFORGED },		/* wrong purpose */
	{ key, "unsu", NOW, PF_EFORGED },
	{ key, "unsubx", NOW, PF_EFORGED },
	{ key, "", NOW, PF_EFORGED },
	{ key, "unsub", EXPIRES - 1, PF_OK },		/* the boundary */
	{ key, "unsub", EXPIRES, PF_OK },
	{ key, "unsub", EXPIRES + 1, PF_EEXPIRED },
	{ key2, "unsub", EXPIRES + 1, PF_EFORGED },	/* expired and forged */
};

START_TEST(test_genuine_token_checked_for_key_purpose_and_time)
{
	struct pf_token	 tok;
	char		*t = make();
	size_t		 i;

	for (i = 0; i < nitems(checks); i++) {
		ck_assert_msg(pf_token_check(checks[i].key, checks[i].purpose,
		    t, checks[i].now, &tok) == checks[i].want, "case %zu", i);
		if (checks[i].want == PF_OK)
			pf_token_clear(&tok);
		else if (checks[i].want == PF_EEXPIRED) {
			ck_assert_ptr_null(tok.purpose);
			ck_assert_uint_eq(tok.nfields, 0);
		}
	}
	free(t);
}
END_TEST

START_TEST(test_malformed_text_rejected)
{
	static const char *const bad[] = {
		"", ".", "..", "A.", ".A", "AAAA", "AAAA.AAAA.AAAA",
		"AAAA.AAAA", "AA==.AA==", "AA AA.AAAA", "AA+/.AAAA",
		"\xc3\xa9\xc3\xa9.AAAA", "A\nA.AAAA", "AAAAA.AAAA",
	};
	struct pf_token	 tok;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++)
		ck_assert_msg(pf_token_check(key, "unsub", bad[i], NOW, &tok) ==
		    PF_EFORGED, "case %zu", i);
	ck_assert_int_eq(pf_token_check(key, "unsub", NULL, NOW, &tok), PF_EFORGED);
}
END_TEST

START_TEST(test_non_base64_characters_rejected)
{
	static const char bad[] = "=+/ !*~%\"<>&?#\t";
	struct pf_token	 tok;
	char		*t = make();
	size_t		 i;

	for (i = 0; bad[i] != '\0'; i++) {
		t[0] = bad[i];
		ck_assert_msg(pf_token_check(key, "unsub", t, NOW, &tok) ==
		    PF_EFORGED, "accepted '%c'", bad[i]);
	}
	free(t);
}
END_TEST

START_TEST(test_too_long_refused_unread)
{
	struct pf_token	 tok;
	char		*t = make(), *big;
	size_t		 n = strlen(t);

	/* Genuine token, then padded with a field past the limit: refused. */
	big = malloc(PF_TOKEN_MAX_LEN + 2);
	memset(big, 'A', PF_TOKEN_MAX_LEN + 1);
	memcpy(big, t, n);
	big[PF_TOKEN_MAX_LEN + 1] = '\0';
	ck_assert_int_eq(pf_token_check(key, "unsub", big, NOW, &tok), PF_EFORGED);
	free(big);
	free(t);
}
END_TEST

START_TEST(test_make_length_limit)
{
	struct pf_token	 tok;
	const char	*f[1];
	char		 field[1600], *t;

	/*
	 * Payload "v1" NUL "p" NUL "0" NUL field is 1486 bytes with a field
	 * of 1479; with the version byte and the 16-byte IV, 1503 bytes: 2004
	 * characters of base64url, '.', 43 of MAC = 2048, the limit.  One
	 * byte more makes 2050.
	 */
	f[0] = field;
	memset(field, 'x', 1479);
	field[1479] = '\0';
	ck_assert_int_eq(pf_token_make(key, "p", 0, f, 1, &t), PF_OK);
	ck_assert_uint_eq(strlen(t), PF_TOKEN_MAX_LEN);
	ck_assert_int_eq(pf_token_check(key, "p", t, 0, &tok), PF_OK);
	ck_assert_str_eq(tok.fields[0], field);
	pf_token_clear(&tok);
	free(t);
	memset(field, 'x', 1480);
	field[1480] = '\0';
	ck_assert_int_eq(pf_token_make(key, "p", 0, f, 1, &t), PF_ETOOBIG);
	ck_assert_ptr_null(t);
	memset(field, 'x', sizeof(field) - 1);
	field[sizeof(field) - 1] = '\0';
	ck_assert_int_eq(pf_token_make(key, "p", 0, f, 1, &t), PF_ETOOBIG);
}
END_TEST

START_TEST(test_make_refuses_bad_arguments)
{
	static const char *const nine[9] = { "", "", "", "", "", "", "", "", "" };
	const char	*withnull[2] = { "a", NULL };
	char		*t = (char *)1;

	ck_assert_int_eq(pf_token_make(key, "", 0, NULL, 0, &t), PF_EINVAL);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(pf_token_make(key, NULL, 0, NULL, 0, &t), PF_EINVAL);
	ck_assert_int_eq(pf_token_make(key, "p", -1, NULL, 0, &t), PF_EINVAL);
	ck_assert_int_eq(pf_token_make(key, "p", 0, nine, 9, &t), PF_EINVAL);
	ck_assert_int_eq(pf_token_make(key, "p", 0, NULL, 1, &t), PF_EINVAL);
	ck_assert_int_eq(pf_token_make(key, "p", 0, withnull, 2, &t), PF_EINVAL);
}
END_TEST

START_TEST(test_same_input_different_tokens_both_valid)
{
	struct pf_token	 tok;
	char		*a = make(), *b = make();

	/* A fresh IV each time: two links for one address do not match. */
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(pf_token_check(key, "unsub", a, NOW, &tok), PF_OK);
	pf_token_clear(&tok);
	ck_assert_int_eq(pf_token_check(key, "unsub", b, NOW, &tok), PF_OK);
	pf_token_clear(&tok);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_fields_are_not_readable_from_the_text)
{
	static const char	 secret[] = "alice.secret@example.com";
	const char		*f[1] = { secret };
	unsigned char		 raw[PF_TOKEN_MAX_LEN];
	char			 b64[PF_TOKEN_MAX_LEN + 4], *t, *p;
	size_t			 n, i;
	int			 dec;

	ck_assert_int_eq(pf_token_make(key, "unsub", NOW, f, 1, &t), PF_OK);
	/* Decode the part before the dot as plain base64. */
	n = strcspn(t, ".");
	memcpy(b64, t, n);
	for (p = b64; p < b64 + n; p++)
		*p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
	while (n % 4 != 0)
		b64[n++] = '=';
	dec = EVP_DecodeBlock(raw, (unsigned char *)b64, (int)n);
	ck_assert_int_gt(dec, 0);
	for (i = 0; i + 5 <= (size_t)dec; i++)
		ck_assert_msg(memcmp(raw + i, "alice", 5) != 0 &&
		    memcmp(raw + i, "unsub", 5) != 0, "plain text at %zu", i);
	ck_assert_ptr_null(strstr(t, "alice"));
	free(t);
}
END_TEST

/*
 * The token format as token.h states it, computed here with OpenSSL's
 * other interfaces (EVP_PKEY_HKDF, HMAC(), base64 by EVP_EncodeBlock), so
 * that the tests check the contract, not the code against itself.
 */

/* base64url of in[0..len) without padding into out. */
static void
b64url(const unsigned char *in, size_t len, char *out)
{
	char	*p;
	int	 n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);

	while (n > 0 && out[n - 1] == '=')
		out[--n] = '\0';
	for (p = out; *p != '\0'; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
}

/* The bytes of base64url text s[0..n) into out: how many. */
static size_t
unb64url(const char *s, size_t n, unsigned char *out)
{
	char	 b64[PF_TOKEN_MAX_LEN + 4];
	size_t	 i, pad = (4 - n % 4) % 4;
	int	 dec;

	ck_assert_uint_le(n, PF_TOKEN_MAX_LEN);
	for (i = 0; i < n; i++)
		b64[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	memset(b64 + n, '=', pad);
	dec = EVP_DecodeBlock(out, (unsigned char *)b64, (int)(n + pad));
	ck_assert_int_ge(dec, (int)pad);
	return (size_t)dec - pad;
}

/* HKDF-SHA256 of key (no salt) with info: 32 bytes. */
static void
hkdf(const unsigned char k[32], const char *info, unsigned char out[32])
{
	EVP_PKEY_CTX	*ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	size_t		 len = 32;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_PKEY_derive_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set1_hkdf_key(ctx, k, 32), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_add1_hkdf_info(ctx,
	    (const unsigned char *)info, (int)strlen(info)), 1);
	ck_assert_int_eq(EVP_PKEY_derive(ctx, out, &len), 1);
	ck_assert_uint_eq(len, 32);
	EVP_PKEY_CTX_free(ctx);
}

static void
hmac(const unsigned char k[32], const void *msg, size_t len,
    unsigned char out[32])
{
	unsigned int	 n = 0;

	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), k, 32, msg, len, out, &n));
	ck_assert_uint_eq(n, 32);
}

static void
aes_ctr(const unsigned char k[32], const unsigned char iv[16],
    const unsigned char *in, size_t len, unsigned char *out)
{
	EVP_CIPHER_CTX	*ctx = EVP_CIPHER_CTX_new();
	int		 n = 0;

	ck_assert_int_eq(EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), NULL, k,
	    iv), 1);
	ck_assert_int_eq(EVP_EncryptUpdate(ctx, out, &n, in, (int)len), 1);
	ck_assert_int_eq(n, (int)len);
	EVP_CIPHER_CTX_free(ctx);
}

/* The payload of an "unsub" token with fields[0..3), expiring at exp. */
static size_t
payload(time_t exp, unsigned char *out)
{
	char	 e[32];
	size_t	 n = 0, i;

	snprintf(e, sizeof(e), "%lld", (long long)exp);
	memcpy(out + n, "v1", 3), n += 3;
	memcpy(out + n, "unsub", 6), n += 6;
	memcpy(out + n, e, strlen(e) + 1), n += strlen(e) + 1;
	for (i = 0; i < 3; i++) {
		memcpy(out + n, fields[i], strlen(fields[i]) + 1);
		n += strlen(fields[i]) + 1;
	}
	return n - 1;	/* no NUL after the last field */
}

/*
 * A token of the old scheme, as the previous release made it: box = iv ||
 * AES-256-CTR under HMAC(k, "privforms token cipher v1"), signed with k.
 */
static char *
old_token(const unsigned char k[32], time_t exp)
{
	unsigned char	 box[512], ck[32], sig[32], msg[256];
	char		*t = malloc(2 * sizeof(box));
	size_t		 n = payload(exp, msg);

	ck_assert_ptr_nonnull(t);
	hmac(k, "privforms token cipher v1", 25, ck);
	ck_assert_int_eq(RAND_bytes(box, 16), 1);
	aes_ctr(ck, box, msg, n, box + 16);
	hmac(k, box, 16 + n, sig);
	b64url(box, 16 + n, t);
	strcat(t, ".");
	b64url(sig, 32, t + strlen(t));
	return t;
}

START_TEST(test_mac_and_cipher_keys_are_hkdf_of_the_token_key)
{
	unsigned char	 box[PF_TOKEN_MAX_LEN], sig[64], want[32], mk[32];
	unsigned char	 ck[32], msg[PF_TOKEN_MAX_LEN], expect[256];
	char		*t = make(), *dot = strchr(t, '.');
	size_t		 boxlen, siglen, n = payload(EXPIRES, expect);

	boxlen = unb64url(t, (size_t)(dot - t), box);
	siglen = unb64url(dot + 1, strlen(dot + 1), sig);
	ck_assert_uint_eq(siglen, 32);
	ck_assert_uint_eq(boxlen, 1 + 16 + n);
	ck_assert_uint_eq(box[0], 0x02);	/* the scheme, signed */
	/* Signed under the derived MAC key, not the token key itself. */
	hmac(key, box, boxlen, want);
	ck_assert(memcmp(sig, want, 32) != 0);
	hkdf(key, "privforms token mac v2", mk);
	hmac(mk, box, boxlen, want);
	ck_assert(memcmp(sig, want, 32) == 0);
	/* Encrypted under the derived cipher key. */
	hkdf(key, "privforms token cipher v2", ck);
	ck_assert(memcmp(ck, mk, 32) != 0);
	aes_ctr(ck, box + 1, box + 17, n, msg);
	ck_assert(memcmp(msg, expect, n) == 0);
	free(t);
}
END_TEST

START_TEST(test_the_scheme_byte_is_signed)
{
	unsigned char	 box[PF_TOKEN_MAX_LEN];
	char		 text[PF_TOKEN_MAX_LEN + 1];
	struct pf_token	 tok;
	char		*t = make(), *dot = strchr(t, '.');
	size_t		 boxlen = unb64url(t, (size_t)(dot - t), box);
	unsigned int	 v;

	for (v = 0; v < 256; v++) {
		if (v == 0x02)
			continue;
		box[0] = (unsigned char)v;
		b64url(box, boxlen, text);
		strcat(text, dot);
		ck_assert_int_eq(pf_token_check(key, "unsub", text, NOW, &tok),
		    PF_EFORGED);
	}
	free(t);
}
END_TEST

START_TEST(test_old_tokens_are_accepted_until_they_expire)
{
	struct pf_token	 tok;
	char		*t = old_token(key, EXPIRES);
	size_t		 i;

	ck_assert_int_eq(pf_token_check(key, "unsub", t, NOW, &tok), PF_OK);
	ck_assert(tok.expires == EXPIRES);
	ck_assert_uint_eq(tok.nfields, 3);
	for (i = 0; i < 3; i++)
		ck_assert_str_eq(tok.fields[i], fields[i]);
	pf_token_clear(&tok);
	ck_assert_int_eq(pf_token_check(key, "unsub", t, EXPIRES, &tok), PF_OK);
	pf_token_clear(&tok);
	ck_assert_int_eq(pf_token_check(key, "unsub", t, EXPIRES + 1, &tok),
	    PF_EEXPIRED);
	ck_assert_int_eq(pf_token_check(key2, "unsub", t, NOW, &tok),
	    PF_EFORGED);
	ck_assert_int_eq(pf_token_check(key, "stamp", t, NOW, &tok),
	    PF_EFORGED);
	free(t);
}
END_TEST

START_TEST(test_old_tokens_reject_every_single_character_change)
{
	static const char	 b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	struct pf_token		 tok;
	char			*t = old_token(key, EXPIRES), save;
	size_t			 i, j, n = strlen(t);

	for (i = 0; i < n; i += 7) {
		save = t[i];
		for (j = 0; j < sizeof(b64) - 1; j += 5) {
			if (b64[j] == save || save == '.')
				continue;
			t[i] = b64[j];
			ck_assert_msg(pf_token_check(key, "unsub", t, NOW,
			    &tok) != PF_OK, "at %zu: %s", i, t);
		}
		t[i] = save;
	}
	free(t);
}
END_TEST

START_TEST(test_clear_accepts_zeroed_and_cleared)
{
	struct pf_token	 tok;

	memset(&tok, 0, sizeof(tok));
	pf_token_clear(&tok);
	pf_token_clear(&tok);
	pf_token_clear(NULL);
	ck_assert_ptr_null(tok.purpose);
}
END_TEST

/*
 * A program keeps one key's derived keys (token.c, scheme_v2): tokens of
 * two keys made and checked in turn are each valid under their own key
 * only, whichever key was used last.
 */
START_TEST(test_keys_used_in_turn_each_sign_their_own)
{
	const unsigned char	*keys[] = { key, key2, key, key2 };
	struct pf_token		 tok;
	char			*t[4] = { NULL };
	size_t			 i;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pf_token_make(keys[i], "unsub", EXPIRES, fields,
		    3, &t[i]), PF_OK);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pf_token_check(keys[(i + 1) % 2], "unsub", t[i],
		    NOW, &tok), PF_EFORGED);
		ck_assert_int_eq(pf_token_check(keys[i], "unsub", t[i], NOW,
		    &tok), PF_OK);
		ck_assert_str_eq(tok.fields[0], fields[0]);
		pf_token_clear(&tok);
		free(t[i]);
	}
}
END_TEST

PF_TEST_MAIN("token",
    tcase_add_test(tc, test_keys_used_in_turn_each_sign_their_own),
    tcase_add_test(tc, test_round_trip_keeps_fields),
    tcase_add_test(tc, test_round_trip_field_counts),
    tcase_add_test(tc, test_text_is_url_safe),
    tcase_add_test(tc, test_every_single_character_change_rejected),
    tcase_add_test(tc, test_truncated_rejected),
    tcase_add_test(tc, test_appended_rejected),
    tcase_add_test(tc, test_genuine_token_checked_for_key_purpose_and_time),
    tcase_add_test(tc, test_malformed_text_rejected),
    tcase_add_test(tc, test_non_base64_characters_rejected),
    tcase_add_test(tc, test_too_long_refused_unread),
    tcase_add_test(tc, test_make_length_limit),
    tcase_add_test(tc, test_make_refuses_bad_arguments),
    tcase_add_test(tc, test_same_input_different_tokens_both_valid),
    tcase_add_test(tc, test_fields_are_not_readable_from_the_text),
    tcase_add_test(tc, test_mac_and_cipher_keys_are_hkdf_of_the_token_key),
    tcase_add_test(tc, test_the_scheme_byte_is_signed),
    tcase_add_test(tc, test_old_tokens_are_accepted_until_they_expire),
    tcase_add_test(tc, test_old_tokens_reject_every_single_character_change),
    tcase_add_test(tc, test_clear_accepts_zeroed_and_cleared))
