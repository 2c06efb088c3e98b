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

/* The line pf_page_render puts before the XHTML serialisation. */
#define FUZZ_DOCTYPE "<!DOCTYPE html>\n"

#endif
