/*
 * fuzz_multipart.c -- a form's Content-Type (pf_multipart_media) and a
 * multipart/form-data body (pf_multipart_parse), on their own.
 *
 * Input: the Content-Type up to the first LF (CT_MAX bytes at most), then
 * the body.  The body is parsed with the boundary the Content-Type gives,
 * when it names multipart, and always with BOUNDARY too, so that bodies
 * are explored whatever the first line holds.
 *
 * The Content-Type's outcome must be a documented one, with a boundary of
 * 1 to 70 bytes not ending in a space when accepted.  Each parse must give
 * a documented code and, when it succeeds, only valid, unique names and
 * values NUL-terminated at their length, within the limits, each one
 * bytes of the body; and it must agree with itself: what passes small
 * limits passes the built-in ones unchanged, and NULL limits are those.
 */
#define _GNU_SOURCE	/* memmem */
#include <string.h>

#include "err.h"
#include "fuzz.h"
#include "multipart.h"
#include "params.h"

#define BOUNDARY	"privforms-fuzz-boundary"
#define CT_MAX		300	/* bytes of a Content-Type taken from input */

static const struct pf_limits small = { 1024, 4, 16 };

static void
parse(const char *body, size_t len, const char *boundary,
    const struct pf_limits *lim, struct fuzz_parsed *r)
{
	r->why = NULL;
	r->rc = pf_multipart_parse(body, len, boundary, lim, &r->p, &r->n,
	    &r->why);
}

/* Each value of r (none when it failed) is bytes of the body s[0..len). */
static void
from_body(const char *s, size_t len, const struct fuzz_parsed *r)
{
	size_t	 i;

	for (i = 0; i < r->n; i++)
		FUZZ_ASSERT(r->p[i].len == 0 || memmem(s, len, r->p[i].value,
		    r->p[i].len) != NULL);
}

/* body under boundary with the built-in, small and NULL limits. */
static void
body(const char *s, size_t len, const char *boundary)
{
	struct fuzz_parsed	 d, sm, nul;

	parse(s, len, boundary, &pf_params_limits, &d);
	fuzz_params_shape(&d, &pf_params_limits);
	from_body(s, len, &d);
	parse(s, len, boundary, &small, &sm);
	fuzz_params_shape(&sm, &small);
	from_body(s, len, &sm);
	parse(s, len, boundary, NULL, &nul);
	fuzz_params_shape(&nul, &pf_params_limits);
	FUZZ_ASSERT(nul.rc == d.rc);
	if (d.rc == PF_OK)
		fuzz_params_same(&d, &nul);
	if (sm.rc == PF_OK)
		fuzz_params_same(&sm, &d);
	if (d.rc != PF_OK)
		FUZZ_ASSERT(sm.rc != PF_OK);
	pf_params_free(d.p, d.n);
	pf_params_free(sm.p, sm.n);
	pf_params_free(nul.p, nul.n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*s = (const char *)data, *lf;
	char			 ctype[CT_MAX + 1], boundary[PF_BOUNDARY_MAX + 1];
	enum pf_body_kind	 kind;
	const char		*why = NULL;
	size_t			 n, blen;
	int			 rc;

	lf = memchr(s, '\n', size);
	n = lf != NULL ? (size_t)(lf - s) : size;
	/* A header value ends at its first NUL, as in the environment. */
	n = strnlen(s, n > CT_MAX ? CT_MAX : n);
	memcpy(ctype, s, n);
	ctype[n] = '\0';
	if (lf != NULL) {
		size -= (size_t)(lf - s) + 1;
		s = lf + 1;
	} else
		size = 0;
	rc = pf_multipart_media(ctype, &kind, boundary, &why);
	FUZZ_ASSERT(rc == PF_OK || rc == PF_EMEDIA || rc == PF_EINVAL);
	FUZZ_ASSERT(rc == PF_OK ? why == NULL : why != NULL && *why != '\0');
	if (rc == PF_OK && kind == PF_BODY_MULTIPART) {
		blen = strlen(boundary);
		FUZZ_ASSERT(blen > 0 && blen <= PF_BOUNDARY_MAX &&
		    boundary[blen - 1] != ' ');
		body(s, size, boundary);
	} else
		FUZZ_ASSERT(rc != PF_OK || kind == PF_BODY_URLENCODED);
	body(s, size, BOUNDARY);
	return 0;
}
