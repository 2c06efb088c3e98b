/*
 * fuzz.h -- what every harness in tests/fuzz shares.
 *
 * Each fuzz_NAME.c defines LLVMFuzzerTestOneInput and nothing else with
 * external linkage, so the same file links against libFuzzer's main (make
 * fuzz) or against replay.c's (make fuzz-regress).  A harness checks
 * invariants that must hold for every input and aborts when one does not:
 * libFuzzer and the replay driver both report an abort as a failure, with
 * the input that caused it.
 */
#ifndef PF_FUZZ_H
#define PF_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "params.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Not assert(3): NDEBUG must never turn a harness into a no-op. */
#define FUZZ_ASSERT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/*
 * The size bytes at data as a C string, in a new buffer (the caller's to
 * free) of size + 1 bytes: for harnesses whose code under test reads text
 * up to a NUL (a NUL in the input ends the text early).
 */
static inline char *
fuzz_text(const void *data, size_t size)
{
	char	*text;

	FUZZ_ASSERT((text = malloc(size + 1)) != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

/* fn given the input as a C string (fuzz_text), freed after. */
static inline void
fuzz_as_text(const uint8_t *data, size_t size, void (*fn)(const char *))
{
	char	*text = fuzz_text(data, size);

	fn(text);
	free(text);
}

/*
 * text[0..len) with each LF made CRLF, in a new buffer (the caller's to
 * free) of *n bytes, for harnesses that check CRLF line ends read as LF.
 */
static inline char *
fuzz_crlf(const char *text, size_t len, size_t *n)
{
	char	*out;
	size_t	 i;

	FUZZ_ASSERT((out = malloc(2 * len + 1)) != NULL);
	for (i = 0, *n = 0; i < len; i++) {
		if (text[i] == '\n')
			out[(*n)++] = '\r';
		out[(*n)++] = text[i];
	}
	return out;
}

/*
 * The outcome of a loader reading the file called name from a buffer
 * (pf_config_parse, pf_laws_parse): rc a documented code; on failure no
 * object (made is 0) and one line in err that starts with "name:"; else
 * an object and err left empty.
 */
static inline void
fuzz_loaded(int rc, int made, const char *err, const char *name)
{
	size_t	 n = strlen(name);

	FUZZ_ASSERT(rc == PF_OK || rc == PF_ECONFIG || rc == PF_ENOMEM);
	if (rc != PF_OK) {
		FUZZ_ASSERT(!made);
		FUZZ_ASSERT(strncmp(err, name, n) == 0 && err[n] == ':');
		FUZZ_ASSERT(strchr(err, '\n') == NULL);
	} else
		FUZZ_ASSERT(made && err[0] == '\0');
}

/* What a loader (above) made of a text: its code, its object, its message. */
struct fuzz_load {
	int	 rc;
	void	*made;		/* NULL unless rc is PF_OK */
	char	 err[512];
};

/* A harness's loader: text[0..len) read into r, every invariant checked. */
typedef void fuzz_loader(const char *text, size_t len, struct fuzz_load *r);

/*
 * data read again by load with each LF made CRLF, into b (the caller
 * frees b->made): an editor's line ends change nothing, so b has the code
 * and the message of a, data's own reading.
 */
static inline void
fuzz_same_with_crlf(fuzz_loader *load, const uint8_t *data, size_t size,
    const struct fuzz_load *a, struct fuzz_load *b)
{
	char	*text;
	size_t	 n;

	text = fuzz_crlf((const char *)data, size, &n);
	load(text, n, b);
	FUZZ_ASSERT(a->rc == b->rc && strcmp(a->err, b->err) == 0);
	free(text);
}

/* One parse of name=value pairs (params.h, multipart.h) and its outcome. */
struct fuzz_parsed {
	int		 rc;
	struct pf_param	*p;
	size_t		 n;
	const char	*why;
};

/*
 * The shape every such parse must have under limits lim: a documented
 * code; on failure nothing but the sentence; else at most max_fields
 * pairs, names acceptable (utf8.h), at most PF_PARAM_NAME_MAX bytes and
 * unique, values NUL-terminated at len and within max_field_len.
 * Returns whether it succeeded.
 */
static inline int
fuzz_params_shape(const struct fuzz_parsed *r, const struct pf_limits *lim)
{
	size_t	 i, j, nlen;

	FUZZ_ASSERT(r->rc == PF_OK || r->rc == PF_EINVAL ||
	    r->rc == PF_ETOOBIG);
	if (r->rc != PF_OK) {
		FUZZ_ASSERT(r->p == NULL && r->n == 0);
		FUZZ_ASSERT(r->why != NULL && *r->why != '\0');
		return 0;
	}
	FUZZ_ASSERT(r->n <= lim->max_fields);
	FUZZ_ASSERT(r->n == 0 || r->p != NULL);
	for (i = 0; i < r->n; i++) {
		FUZZ_ASSERT(r->p[i].name != NULL && r->p[i].value != NULL);
		nlen = strlen(r->p[i].name);
		FUZZ_ASSERT(nlen > 0 && nlen <= PF_PARAM_NAME_MAX);
		FUZZ_ASSERT(pf_utf8_ok(r->p[i].name, nlen, 0));
		FUZZ_ASSERT(r->p[i].value[r->p[i].len] == '\0');
		FUZZ_ASSERT(r->p[i].len <= lim->max_field_len);
		for (j = 0; j < i; j++)
			FUZZ_ASSERT(strcmp(r->p[i].name, r->p[j].name) != 0);
	}
	return 1;
}

/* a and b both succeeded, with the same pairs in the same order. */
static inline void
fuzz_params_same(const struct fuzz_parsed *a, const struct fuzz_parsed *b)
{
	size_t	 i;

	FUZZ_ASSERT(a->rc == PF_OK && b->rc == PF_OK && a->n == b->n);
	for (i = 0; i < a->n; i++) {
		FUZZ_ASSERT(strcmp(a->p[i].name, b->p[i].name) == 0);
		FUZZ_ASSERT(a->p[i].len == b->p[i].len);
		FUZZ_ASSERT(memcmp(a->p[i].value, b->p[i].value,
		    a->p[i].len) == 0);
	}
}

/* The line pf_page_render puts before the XHTML serialisation. */
#define FUZZ_DOCTYPE "<!DOCTYPE html>\n"

#endif
