/*
 * copy.h -- keeping a row the store handed to a callback.
 *
 * A row's strings live only as long as the callback that receives it
 * (store.h), so a caller that needs the row afterwards copies the struct
 * and its strings.  The string members are named by a table of their
 * offsets, so each kind of row (dsr.h, feedback.h) says once which of its
 * members are strings and shares the copying.
 */
#ifndef PF_COPY_H
#define PF_COPY_H

#include <stddef.h>

/*
 * dst is a bitwise copy of src, a struct whose string members (const char
 * *) are at offsets off[0..n): point each of dst's at a new copy in
 * mem[i] (NULL stays NULL).  PF_OK, or PF_ENOMEM with everything copied so
 * far freed, mem[] zeroed and those members of dst NULL.
 */
int pf_copy_strings(void *dst, const void *src, const size_t *off, size_t n,
    char **mem);

/* Free mem[0..n) and zero it. */
void pf_copy_free(char **mem, size_t n);

#endif
