/*
 * xmlw.h -- a checked XML writer: libxml2's xmlTextWriter, its errors
 * kept, so that an output is written as its elements with no check after
 * each one.
 *
 * The first failure is kept: libxml2's, a value that is not XML text, or
 * one the caller reports (pf_xmlw_fail).  Every call after it does
 * nothing, and pf_xmlw_close returns it.  Each value is checked with
 * pf_utf8_ok before it is written, because libxml2 2.9.14 writes any byte
 * it is given, control characters and broken UTF-8 included
 * (ARCHITECTURE.md): element text may span lines, an attribute may not.
 * Used by the exports and reports of the privforms command; the audit
 * records are built as a tree instead, which C14N needs.
 */
#ifndef PF_XMLW_H
#define PF_XMLW_H

#include <stdio.h>

struct pf_xmlw;

/*
 * Begin a document on f (UTF-8, indented): PF_OK with *out to pass to
 * pf_xmlw_close, PF_ENOMEM, or PF_EXML.  f stays the caller's: close
 * flushes the document to it but does not close it.
 */
int pf_xmlw_open(FILE *f, struct pf_xmlw **out);

/* <?target content?> */
void pf_xmlw_pi(struct pf_xmlw *w, const char *target, const char *content);

/* Open element name; ns (NULL: none) is its default namespace. */
void pf_xmlw_start(struct pf_xmlw *w, const char *name, const char *ns);

/* Close the element opened last. */
void pf_xmlw_end(struct pf_xmlw *w);

/* An attribute of the element just opened; none at all for a NULL value. */
void pf_xmlw_attr(struct pf_xmlw *w, const char *name, const char *value);
void pf_xmlw_attr_ll(struct pf_xmlw *w, const char *name, long long v);

/* <name>value</name>; nothing at all for a NULL value. */
void pf_xmlw_elem(struct pf_xmlw *w, const char *name, const char *value);
void pf_xmlw_elem_ll(struct pf_xmlw *w, const char *name, long long v);

/*
 * Keep rc (an err.h code) as the failure unless one is kept already; PF_OK
 * changes nothing.  Returns the failure kept, as pf_xmlw_status does.
 */
int pf_xmlw_fail(struct pf_xmlw *w, int rc);

/* PF_OK, or the first failure. */
int pf_xmlw_status(const struct pf_xmlw *w);

/*
 * End the document (closing what is open) if nothing failed, flush it to
 * f and free w (NULL is fine): PF_OK, or the first failure.
 */
int pf_xmlw_close(struct pf_xmlw *w);

#endif
