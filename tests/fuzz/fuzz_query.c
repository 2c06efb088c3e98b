/*
 * fuzz_query.c -- application/x-www-form-urlencoded text as a query string
 * (params.h's pf_params_parse, and pf_request_init, which parses
 * QUERY_STRING with it).
 *
 * Besides the shape of every result (names valid and unique, values
 * NUL-terminated at len, within the limits), the parse must agree with
 * itself: what it returns, percent-encoded again, parses to the same
 * pairs; and what passes small limits passes larger ones unchanged.
 */
#include <string.h>

#include "err.h"
#include "fuzz.h"
#include "params.h"
#include "request.h"

/* The built-in limits (params.h), and small ones that input can reach. */
static const struct pf_limits deflim = { 64 * 1024, 64, 4096 };
static const struct pf_limits small = { 1024, 4, 16 };

/* Number of non-empty '&'-separated pairs in s[0..len). */
static size_t
count_pairs(const char *s, size_t len)
{
	size_t	 i, n = 0, start = 0;

	for (i = 0; i <= len; i++)
		if (i == len || s[i] == '&') {
			n += i > start;
			start = i + 1;
		}
	return n;
}

static void
parse(const char *s, size_t len, const struct pf_limits *lim,
    struct fuzz_parsed *r)
{
	r->why = NULL;
	r->rc = pf_params_parse(s, len, lim, &r->p, &r->n, &r->why);
}

/* The shape every result must have under limits lim (fuzz.h). */
static void
check_shape(const char *s, size_t len, const struct pf_limits *lim,
    const struct fuzz_parsed *r)
{
	size_t	 i;

	if (!fuzz_params_shape(r, lim))
		return;
	FUZZ_ASSERT(r->n == count_pairs(s, len));
	for (i = 0; i < r->n; i++)
		FUZZ_ASSERT(r->p[i].len <= len);
}

/* Percent-encode every byte of s[0..len) but letters and digits, at *o. */
static void
encode(char **o, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;
	size_t			 i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			*(*o)++ = c;
		else if (c == ' ' && (i & 1))
			*(*o)++ = '+';	/* both spellings of a space */
		else {
			*(*o)++ = '%';
			*(*o)++ = hex[c >> 4];
			*(*o)++ = (i & 2) ? hex[c & 15] :
			    "0123456789abcdef"[c & 15];
		}
	}
}

/* a's pairs, encoded again, parse to the same pairs under the same limits. */
static void
reencode(const struct fuzz_parsed *a, const struct pf_limits *lim)
{
	struct fuzz_parsed	 b;
	size_t			 i, size = 1;
	char			*buf, *o;

	for (i = 0; i < a->n; i++)
		size += 3 * (strlen(a->p[i].name) + a->p[i].len) + 2;
	FUZZ_ASSERT((o = buf = malloc(size)) != NULL);
	for (i = 0; i < a->n; i++) {
		if (i > 0)
			*o++ = '&';
		encode(&o, a->p[i].name, strlen(a->p[i].name));
		/* A bare name and "name=" both give an empty value. */
		if (a->p[i].len > 0 || (i & 1))
			*o++ = '=';
		encode(&o, a->p[i].value, a->p[i].len);
	}
	parse(buf, (size_t)(o - buf), lim, &b);
	fuzz_params_same(a, &b);
	pf_params_free(b.p, b.n);
	free(buf);
}

/* pf_request_init parses QUERY_STRING with the same function. */
static void
request(const char *s, size_t len)
{
	struct pf_request	 req;
	struct pf_stream	 io = { NULL, NULL, NULL };
	struct fuzz_parsed	 r;
	char			*env, *envp[2];

	/* An environment string ends at its first NUL. */
	len = strnlen(s, len);
	FUZZ_ASSERT((env = malloc(sizeof("QUERY_STRING=") + len)) != NULL);
	memcpy(env, "QUERY_STRING=", sizeof("QUERY_STRING=") - 1);
	memcpy(env + sizeof("QUERY_STRING=") - 1, s, len);
	env[sizeof("QUERY_STRING=") - 1 + len] = '\0';
	envp[0] = env;
	envp[1] = NULL;
	FUZZ_ASSERT(pf_request_init(&req, envp, io, NULL) == PF_OK);
	parse(s, len, &deflim, &r);
	FUZZ_ASSERT(strlen(req.query) == len);
	FUZZ_ASSERT(req.query_bad == (r.rc != PF_OK));
	if (r.rc == PF_OK) {
		struct fuzz_parsed	 q = { PF_OK, req.query_params,
					    req.nquery, NULL };

		fuzz_params_same(&r, &q);
		if (r.n > 0)
			FUZZ_ASSERT(pf_request_query(&req, r.p[0].name) ==
			    &req.query_params[0]);
	} else
		FUZZ_ASSERT(req.query_params == NULL && req.nquery == 0);
	pf_params_free(r.p, r.n);
	pf_request_free(&req);
	free(env);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*s = (const char *)data;
	struct fuzz_parsed	 d, sm, nul;

	parse(s, size, &deflim, &d);
	check_shape(s, size, &deflim, &d);
	parse(s, size, &small, &sm);
	check_shape(s, size, &small, &sm);
	/* NULL limits are the built-in ones. */
	parse(s, size, NULL, &nul);
	check_shape(s, size, &deflim, &nul);
	FUZZ_ASSERT(nul.rc == d.rc);
	if (d.rc == PF_OK) {
		fuzz_params_same(&d, &nul);
		reencode(&d, &deflim);
	}
	/* Larger limits only let more through, and change nothing. */
	if (sm.rc == PF_OK)
		fuzz_params_same(&sm, &d);
	if (d.rc == PF_ETOOBIG)
		FUZZ_ASSERT(sm.rc != PF_OK);
	if (d.rc == PF_EINVAL)
		FUZZ_ASSERT(sm.rc != PF_OK);
	pf_params_free(d.p, d.n);
	pf_params_free(sm.p, sm.n);
	pf_params_free(nul.p, nul.n);
	request(s, size);
	return 0;
}
