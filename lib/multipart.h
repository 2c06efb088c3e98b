/*
 * multipart.h -- which form encoding a body's Content-Type names, and
 * multipart/form-data (RFC 7578) bodies.
 *
 * A form is posted urlencoded (params.h) or as multipart/form-data;
 * pf_multipart_media reads the Content-Type and, for multipart, its
 * boundary, and pf_multipart_parse splits a body read whole into the same
 * name=value list pf_params_parse gives, with the same checks on names
 * and limits (pf_plist_add).  Only fields are understood: a part with a
 * filename, or in anything but plain UTF-8 text without a transfer
 * encoding, is refused.  Both functions parse header values without
 * recursion and leave, on failure, a sentence for the visitor in *why
 * (static storage).
 */
#ifndef PF_MULTIPART_H
#define PF_MULTIPART_H

#include <stddef.h>

#include "params.h"

#define PF_BOUNDARY_MAX	70	/* bytes in a boundary: RFC 2046 section 5.1.1 */

/* The form encodings a body may be sent in. */
enum pf_body_kind { PF_BODY_URLENCODED, PF_BODY_MULTIPART };

/*
 * Which encoding content_type names (case does not matter; a charset
 * parameter must say UTF-8) into *kind and, for multipart, its boundary
 * (1 to 70 bchars, not ending in a space) into boundary.  PF_OK;
 * PF_EMEDIA (another type, another charset, a malformed header value);
 * PF_EINVAL (multipart without one valid boundary).
 */
int pf_multipart_media(const char *content_type, enum pf_body_kind *kind,
    char boundary[PF_BOUNDARY_MAX + 1], const char **why);

/*
 * Parse the multipart body body[0..len) delimited by boundary (from
 * pf_multipart_media) into a new array (*out, *n; free with
 * pf_params_free), in the body's order.  A preamble and an epilogue are
 * ignored; RFC 8058's example, delimiters without the "--", is read too.
 * limits NULL means pf_params_limits.  PF_OK; PF_EINVAL (broken
 * multipart, a file, a part that is not plain text, a name refused as in
 * params.h), PF_ETOOBIG or PF_ENOMEM with *out NULL, *n 0 and *why set.
 */
int pf_multipart_parse(const char *body, size_t len, const char *boundary,
    const struct pf_limits *limits, struct pf_param **out, size_t *n,
    const char **why);

#endif
