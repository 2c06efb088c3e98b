/*
 * named.c -- finding a row of a small table by its name (named.h).
 */
#include <string.h>

#include "named.h"

const void *
pf_named_find(const void *rows, size_t n, size_t size, size_t off,
    const char *name)
{
	const char	*row = rows;
	size_t		 i;

	for (i = 0; i < n; i++, row += size)
		if (strcmp(row + off, name) == 0)
			return row;
	return NULL;
}
