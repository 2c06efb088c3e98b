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

#include <stddef.h>
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

/*
 * name=value as an attribute of the element just opened (PF_XMLW_ATTR), or
 * <name>value</name> (PF_XMLW_ELEM); nothing at all for a NULL value.  The
 * _ll form writes v in decimal.  pf_xmlw_attr() and the others below say
 * the same more briefly.
 */
enum pf_xmlw_as { PF_XMLW_ATTR, PF_XMLW_ELEM };

void pf_xmlw_put(struct pf_xmlw *w, enum pf_xmlw_as as, const char *name,
    const char *value);
void pf_xmlw_put_ll(struct pf_xmlw *w, enum pf_xmlw_as as, const char *name,
    long long v);

#define pf_xmlw_attr(w, n, v)	 pf_xmlw_put((w), PF_XMLW_ATTR, (n), (v))
#define pf_xmlw_attr_ll(w, n, v) pf_xmlw_put_ll((w), PF_XMLW_ATTR, (n), (v))
#define pf_xmlw_elem(w, n, v)	 pf_xmlw_put((w), PF_XMLW_ELEM, (n), (v))
#define pf_xmlw_elem_ll(w, n, v) pf_xmlw_put_ll((w), PF_XMLW_ELEM, (n), (v))

/*
 * A record's members written as its elements, in the order of a table of
 * PF_XMLW_FIELD(type, member, element name) rows.  The member's type picks
 * how (any other does not compile): a const char * as pf_xmlw_elem writes
 * it (no element for NULL), an int or long long in decimal.
 */
enum pf_xmlw_kind { PF_XMLW_TEXT, PF_XMLW_INT, PF_XMLW_LL };

struct pf_xmlw_field {
	const char		*name;	/* the element */
	enum pf_xmlw_kind	 kind;
	size_t			 off;	/* of the member in its struct */
};

#define PF_XMLW_FIELD(type, member, name) { (name),			\
	_Generic(((type *)0)->member, const char *: PF_XMLW_TEXT,	\
	    int: PF_XMLW_INT, long long: PF_XMLW_LL),			\
	offsetof(type, member) }

/* Each of the n fields of table f, read from row (a struct of their type). */
void pf_xmlw_fields(struct pf_xmlw *w, const void *row,
    const struct pf_xmlw_field *f, size_t n);

/*
 * A record as one element: <name>, the n fields of f from row, </name>.
 * Returns pf_xmlw_status, so that a walk's callback can return it.
 */
int pf_xmlw_record(struct pf_xmlw *w, const char *name, const void *row,
    const struct pf_xmlw_field *f, size_t n);

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
