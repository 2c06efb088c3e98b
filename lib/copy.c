/*
 * copy.c -- keeping a row the store handed to a callback (copy.h).
 */
#include <stdlib.h>
#include <string.h>

#include "copy.h"
#include "err.h"

#define MEMBER(p, o)	((const char **)((char *)(p) + (o)))
#define SOURCE(p, o)	(*(const char *const *)((const char *)(p) + (o)))

void
pf_copy_free(char **mem, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(mem[i]);
		mem[i] = NULL;
	}
}

int
pf_copy_strings(void *dst, const void *src, const size_t *off, size_t n,
    char **mem)
{
	const char	*s;
	size_t		 i;

	for (i = 0; i < n; i++) {
		mem[i] = NULL;
		*MEMBER(dst, off[i]) = NULL;
	}
	for (i = 0; i < n; i++) {
		if ((s = SOURCE(src, off[i])) == NULL)
			continue;
		if ((mem[i] = strdup(s)) == NULL) {
			pf_copy_free(mem, n);
			for (i = 0; i < n; i++)
				*MEMBER(dst, off[i]) = NULL;
			return PF_ENOMEM;
		}
		*MEMBER(dst, off[i]) = mem[i];
	}
	return PF_OK;
}
