/*
 * fuzz_token.c -- pf_token_check on hostile text, and pf_token_make /
 * pf_token_check round trips on fields taken from the input.
 *
 * The input, up to its first NUL, is checked as a token under KEY.  Only
 * the genuine tokens below (made once by pf_token_make under KEY, of the
 * old scheme and of the current one (token.h), and in the corpus as
 * seed-genuine-*) may come back PF_OK or PF_EEXPIRED: any other text that
 * does is a forgery the fuzzer found.
 *
 * Then the whole input makes a token: its first 5 bytes the expiry (a first
 * byte of 0xff makes it negative), the rest split at NUL bytes into the
 * purpose and the fields.  The token must come back with exactly those
 * fields, expire one second after its expiry, and refuse any other purpose
 * and any single changed character.
 */
#include <limits.h>
#include <string.h>

#include "err.h"
#include "fuzz.h"
#include "nitems.h"
#include "token.h"

#define PURPOSE		"unsub"
#define NOW		((time_t)1700000000)	/* 2023-11-14 */
#define B64CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789-_"

static const unsigned char KEY[32] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
	0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
};

struct genuine {
	const char	*text;
	time_t		 expires;
	size_t		 nfields;
	const char	*fields[PF_TOKEN_MAX_FIELDS];
};

/*
 * Made by pf_token_make(KEY, PURPOSE, expires, fields, nfields): the last
 * two by the current scheme, the others by the old one, which
 * pf_token_check still accepts.
 */
static const struct genuine genuine[] = {
	{ "PMD9uAEeDLx7kq6kZt_xFOYeVUsD0PfnHQuJDmpmAlKrmuLIro9O0CTaf5KgxwB"
	  "HGUSBqroeQ4AHLA.Y4PtOwXgvei0Zaj058xbkvZwjym55FTJ8QHgYkEL2FM",
	  4102444800, 2, { "email", "user@example.com" } },
	{ "sBlovU4irKARrtfJSx658jJ1rXsLzY8iLch-pPOPqJ_co5g."
	  "AhoYIVbDUCv132rXF-Rkuth2rF4jhmEdqzwDAC2Q1sc",
	  4102444800, 0, { NULL } },
	{ "AQGIX8IEk8sv3TPaG1aKjqBsUgUT8fy_5TyYdfbilp8AIm20HIAsIozShx3Z7MAx"
	  "BbWr8g.loVBaNbDCBNWfrBAS14ZOt9I4QDPqwX-JpWpB4YX3Qg",
	  1600000000, 2, { "sms", "+12025550123" } },
	{ "gDcUqdqrwYcYLNQW1j54R8MUnJqJhzIl3aWPxS1R0PtNLfBfex_Dl1jYScmH."
	  "Ni4I7Zbx1AaD5X4_8e4266v_eKmQZUbD7xcJx9owjz0",
	  0, 8, { "", "a", "\xc3\xa9t\xc3\xa9", "x y", "", "7", "z", "" } },
	{ "AvNyiBSR7pM3ql3-_MjBeX0yJNkAylLg5RWlu6FNbvsIC1bhIaEmvPi7Cs-I0Tr8TpHd"
	  "XmkFItj7qDyOFGCWXS_eMhiezw.lPbZdbBaa3b9Ns8qycQBtpCekcHVh63YHmzdne5t"
	  "t2Q",
	  4102444800, 3, { "email", "user@example.com", "newsletter" } },
	{ "Am6s3ezNwSLAcBgKzKz4Lk3d3rP0BEgoOvuoR6hxVVhCkQC3k2zfpgfJnu_F1go."
	  "LPHr1Gmnw7hP19GOkdxOtVaRxD_UV_cVczldQ52HMzU",
	  1600000000, 2, { "request", "42" } },
};

/* tok holds exactly purpose, expires and fields[0..n). */
static void
check_fields(const struct pf_token *tok, const char *purpose, time_t expires,
    const char *const *fields, size_t n)
{
	size_t	 i;

	FUZZ_ASSERT(tok->purpose != NULL && strcmp(tok->purpose, purpose) == 0);
	FUZZ_ASSERT(tok->expires == expires && tok->nfields == n);
	for (i = 0; i < n; i++)
		FUZZ_ASSERT(tok->fields[i] != NULL &&
		    strcmp(tok->fields[i], fields[i]) == 0);
}

static int
is_zero(const struct pf_token *tok)
{
	static const struct pf_token	 zero;

	return memcmp(tok, &zero, sizeof(zero)) == 0;
}

/* pf_token_check(KEY, purpose, text, now): the code, and *out zeroed unless OK. */
static int
check(const char *purpose, const char *text, time_t now, struct pf_token *out)
{
	int	 rc;

	rc = pf_token_check(KEY, purpose, text, now, out);
	FUZZ_ASSERT(rc == PF_OK || rc == PF_EEXPIRED || rc == PF_EFORGED);
	if (rc != PF_OK)
		FUZZ_ASSERT(is_zero(out));
	return rc;
}

/* The input as token text: genuine only if it is one of genuine[]. */
static void
check_text(const char *text)
{
	const struct genuine	*g = NULL;
	struct pf_token		 tok;
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(genuine); i++)
		if (strcmp(text, genuine[i].text) == 0)
			g = &genuine[i];
	rc = check(PURPOSE, text, NOW, &tok);
	if (g == NULL)
		FUZZ_ASSERT(rc == PF_EFORGED);
	else
		FUZZ_ASSERT(rc == (NOW > g->expires ? PF_EEXPIRED : PF_OK));
	pf_token_clear(&tok);
	FUZZ_ASSERT(is_zero(&tok));
	/* A genuine token carries its fields, up to its expiry inclusive. */
	if (g != NULL) {
		FUZZ_ASSERT(check(PURPOSE, text, g->expires, &tok) == PF_OK);
		check_fields(&tok, PURPOSE, g->expires, g->fields, g->nfields);
		pf_token_clear(&tok);
	}
	/* Genuine or not, a token is only ever good for its own purpose. */
	FUZZ_ASSERT(check("unsub ", text, 0, &tok) == PF_EFORGED);
	FUZZ_ASSERT(check("", text, 0, &tok) == PF_EFORGED);
}

/* Length of the unpadded base64 of n bytes. */
static size_t
b64len(size_t n)
{
	return (4 * n + 2) / 3;
}

/* What pf_token_make must answer for these arguments. */
static int
expected_make(const char *purpose, time_t expires, char *const *fields,
    size_t n)
{
	char	 exp[32];
	size_t	 i, len;

	if (*purpose == '\0' || expires < 0 || n > PF_TOKEN_MAX_FIELDS)
		return PF_EINVAL;
	len = (size_t)snprintf(exp, sizeof(exp), "%lld", (long long)expires);
	len += sizeof("v1") + strlen(purpose) + 1;
	for (i = 0; i < n; i++)
		len += 1 + strlen(fields[i]);
	/* The version byte, 16 bytes of IV, the payload; a dot; 32 of HMAC. */
	if (len > PF_TOKEN_MAX_LEN ||
	    b64len(1 + 16 + len) + 1 + b64len(32) > PF_TOKEN_MAX_LEN)
		return PF_ETOOBIG;
	return PF_OK;
}

/* text with its character at pos changed to another base64url letter. */
static void
tamper(const char *text, size_t pos)
{
	struct pf_token	 tok;
	char		*t;
	const char	*c;

	if (text[pos] == '.')
		return;
	FUZZ_ASSERT((t = strdup(text)) != NULL);
	FUZZ_ASSERT((c = strchr(B64CHARS, t[pos])) != NULL);
	t[pos] = c[1] != '\0' ? c[1] : B64CHARS[0];
	FUZZ_ASSERT(check(PURPOSE, t, 0, &tok) == PF_EFORGED);
	free(t);
}

/* A token from purpose and fields round-trips. */
static void
round_trip(const char *purpose, time_t expires, char *const *fields,
    size_t n, size_t pos)
{
	struct pf_token	 tok;
	char		*text, *other;
	size_t		 len, plen = strlen(purpose);
	int		 rc;

	rc = pf_token_make(KEY, purpose, expires, (const char *const *)fields,
	    n, &text);
	FUZZ_ASSERT(rc == expected_make(purpose, expires, fields, n));
	if (rc != PF_OK) {
		FUZZ_ASSERT(text == NULL);
		return;
	}
	len = strlen(text);
	FUZZ_ASSERT(len > 0 && len <= PF_TOKEN_MAX_LEN);
	FUZZ_ASSERT(strspn(text, B64CHARS ".") == len);
	FUZZ_ASSERT(strchr(text, '.') == strrchr(text, '.'));
	/* Good until its expiry, inclusive; expired one second later. */
	FUZZ_ASSERT(check(purpose, text, expires, &tok) == PF_OK);
	check_fields(&tok, purpose, expires, (const char *const *)fields, n);
	pf_token_clear(&tok);
	if (expires < LLONG_MAX)
		FUZZ_ASSERT(check(purpose, text, expires + 1, &tok) ==
		    PF_EEXPIRED);
	/* Another purpose: one more character, or one fewer. */
	FUZZ_ASSERT((other = malloc(plen + 2)) != NULL);
	snprintf(other, plen + 2, "%sx", purpose);
	FUZZ_ASSERT(check(other, text, expires, &tok) == PF_EFORGED);
	other[plen - 1] = '\0';
	FUZZ_ASSERT(check(other, text, expires, &tok) == PF_EFORGED);
	free(other);
	tamper(text, pos % len);
	free(text);
}

/*
 * Split the input into expiry, purpose and fields (up to one field too
 * many), and round-trip them.
 */
static void
make_from(const uint8_t *data, size_t size)
{
	char		*copy, *s, *end, *f[PF_TOKEN_MAX_FIELDS + 1];
	long long	 e = 0;
	size_t		 i, n = 0, pos = size;

	for (i = 0; i < 5; i++)
		e = e << 8 | (i < size ? data[i] : 0);
	if (size > 0 && data[0] == 0xff)
		e = -1 - (e & 0xffffffffLL);
	for (i = 0; i < size; i++)
		pos = pos * 31 + data[i];
	data += size < 5 ? size : 5;
	size -= size < 5 ? size : 5;
	copy = fuzz_text(data, size);
	/* Each NUL ends a piece and starts the next, maybe an empty one. */
	end = copy + size;
	for (s = copy + strlen(copy); s < end && n < PF_TOKEN_MAX_FIELDS + 1;
	    s += strlen(s))
		f[n++] = ++s;
	round_trip(copy, (time_t)e, f, n, pos);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_as_text(data, size, check_text);
	make_from(data, size);
	return 0;
}
