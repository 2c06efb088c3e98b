/*
 * collate.c -- names in a language's order, through ICU (collate.h).
 */
#include <stdlib.h>
#include <string.h>

#include <unicode/ucol.h>

#include "collate.h"
#include "err.h"

/* One pair and where it was, so that equal names keep their order. */
struct entry {
	const char	*code, *name;
	size_t		 at;
};

/*
 * qsort(3) passes no context: the collator of the sort under way.  A
 * program sorts from one thread (a request is a process's only work).
 */
static UCollator *sorting;

static int
by_name(const void *a, const void *b)
{
	const struct entry	*x = a, *y = b;
	UErrorCode		 e = U_ZERO_ERROR;
	UCollationResult	 r;

	r = ucol_strcollUTF8(sorting, x->name, -1, y->name, -1, &e);
	if (U_FAILURE(e) || r == UCOL_EQUAL)
		return x->at < y->at ? -1 : x->at > y->at;
	return r == UCOL_LESS ? -1 : 1;
}

int
pf_collate_pairs(const char **pairs, size_t npairs, const char *locale)
{
	struct entry	*e;
	UErrorCode	 err = U_ZERO_ERROR;
	size_t		 i;

	if (npairs < 2)
		return PF_OK;
	if ((e = calloc(npairs, sizeof(*e))) == NULL)
		return PF_ENOMEM;
	sorting = ucol_open(locale, &err);
	if (U_FAILURE(err)) {
		free(e);
		return PF_EINVAL;
	}
	for (i = 0; i < npairs; i++)
		e[i] = (struct entry){ pairs[2 * i], pairs[2 * i + 1], i };
	qsort(e, npairs, sizeof(*e), by_name);
	for (i = 0; i < npairs; i++) {
		pairs[2 * i] = e[i].code;
		pairs[2 * i + 1] = e[i].name;
	}
	ucol_close(sorting);
	sorting = NULL;
	free(e);
	return PF_OK;
}
