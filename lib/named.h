/*
 * named.h -- finding a row of a small table by its name.
 *
 * Several tables read from configuration (laws.h's places, lists.h's
 * mailing lists, store_copy.c's columns) are arrays of structs keyed by a
 * short name held in the struct itself (a char array), and are searched
 * in order: they are a few dozen rows at most, so a linear search is
 * the cheapest and keeps the table in the order it was written.
 */
#ifndef PF_NAMED_H
#define PF_NAMED_H

#include <stddef.h>

/*
 * The first of rows[0..n), each size bytes, whose NUL-terminated char
 * array at offset off is name (compared byte for byte); NULL if none.
 * Cast the result back to the rows' type.
 */
const void *pf_named_find(const void *rows, size_t n, size_t size,
    size_t off, const char *name);

#endif
