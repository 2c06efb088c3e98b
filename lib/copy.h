/*
 * copy.h -- keeping a row the store handed to a callback.
 *
 * A row's strings live only as long as the callback that receives it
 * (store.h), so a caller that needs the row afterwards copies the struct
 * and its strings.  The string members are named by a table of their
 * offsets, so each kind of row (dsr.h, feedback.h, agent.h) says once which
 * of its members are strings and shares the copying, and its copy struct
 * and functions are made by the macros at the end.
 */
#ifndef PF_COPY_H
#define PF_COPY_H

#include <stddef.h>
#include <string.h>

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

/*
 * A kind of copy, made as BSD's tree.h makes its trees: the header
 * declares the struct and its two functions, one .c file defines them.
 *
 *	PF_COPY_HEAD(pf_x_copy, pf_x, x, PF_X_NSTRINGS);
 *	PF_COPY_PROTOTYPE(pf_x, pf_x_copy, pf_x);
 *	PF_COPY_GENERATE(pf_x, pf_x_copy, pf_x, x, held, PF_X_NSTRINGS)
 *
 * make struct pf_x_copy { struct pf_x x; char *mem[PF_X_NSTRINGS]; },
 * whose x points at the strings in mem, and
 *
 *	int pf_x_hold(const struct pf_x *row, void *arg);
 *		row into arg, a struct pf_x_copy, zeroed first (the store's
 *		callback); PF_OK, or PF_ENOMEM with nothing held.
 *	void pf_x_drop(struct pf_x_copy *c);
 *		free what c holds and zero it; accepts a zeroed copy.
 *
 * held (the .c file's const size_t array) names the offsets of the
 * strings in struct pf_x; compiling fails unless it has n of them.  x's
 * members may be pointed elsewhere after the hold without disturbing
 * what the drop frees.
 */
#define PF_COPY_HEAD(name, type, member, n)				\
struct name {								\
	struct type	 member;					\
	char		*mem[n];					\
}

#define PF_COPY_PROTOTYPE(prefix, name, type)				\
int prefix##_hold(const struct type *, void *);				\
void prefix##_drop(struct name *)

#define PF_COPY_GENERATE(prefix, name, type, member, held, n)		\
_Static_assert(sizeof(held) / sizeof((held)[0]) == (n),		\
    #n " counts the string members of struct " #type);			\
									\
void									\
prefix##_drop(struct name *c)						\
{									\
	pf_copy_free(c->mem, (n));					\
	memset(c, 0, sizeof(*c));					\
}									\
									\
int									\
prefix##_hold(const struct type *row, void *arg)			\
{									\
	struct name	*c = arg;					\
									\
	memset(c, 0, sizeof(*c));					\
	c->member = *row;						\
	return pf_copy_strings(&c->member, row, (held), (n), c->mem);	\
}

#endif
