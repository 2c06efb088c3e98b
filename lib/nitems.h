/*
 * nitems.h -- the number of elements of an array, as the BSDs spell it.
 *
 * a must be an array, not a pointer: sizeof of a pointer would give a
 * silently wrong count.  The result is a size_t constant expression, so it
 * also sizes other arrays and serves _Static_assert.
 */
#ifndef PF_NITEMS_H
#define PF_NITEMS_H

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#endif
