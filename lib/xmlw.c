/* xmlw.c -- a checked XML writer (xmlw.h). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "err.h"
#include "utf8.h"
#include "xmlw.h"

struct pf_xmlw {
	xmlTextWriterPtr	 w;
	int			 rc;	/* the first failure, or PF_OK */
};

/* Keep PF_EXML when libxml2 said n < 0; 1 if w may go on. */
static int
ok(struct pf_xmlw *w, int n)
{
	if (n < 0 && w->rc == PF_OK)
		w->rc = PF_EXML;
	return w->rc == PF_OK;
}

/* 1 if value may be written (text, on one line unless multiline). */
static int
text(struct pf_xmlw *w, const char *value, int multiline)
{
	if (w->rc != PF_OK)
		return 0;
	return ok(w, pf_utf8_ok(value, strlen(value), multiline) ? 0 : -1);
}

int
pf_xmlw_open(FILE *f, struct pf_xmlw **out)
{
	xmlOutputBufferPtr	 buf;
	struct pf_xmlw		*w;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return PF_ENOMEM;
	if ((buf = xmlOutputBufferCreateFile(f, NULL)) == NULL) {
		free(w);
		return PF_ENOMEM;
	}
	/* The writer owns buf from here, even when it fails. */
	if ((w->w = xmlNewTextWriter(buf)) == NULL) {
		xmlOutputBufferClose(buf);
		free(w);
		return PF_ENOMEM;
	}
	xmlTextWriterSetIndent(w->w, 1);
	if (!ok(w, xmlTextWriterStartDocument(w->w, NULL, "UTF-8", NULL))) {
		pf_xmlw_close(w);
		return PF_EXML;
	}
	*out = w;
	return PF_OK;
}

void
pf_xmlw_pi(struct pf_xmlw *w, const char *target, const char *content)
{
	if (text(w, target, 0) && text(w, content, 0))
		ok(w, xmlTextWriterWritePI(w->w, BAD_CAST target,
		    BAD_CAST content));
}

void
pf_xmlw_start(struct pf_xmlw *w, const char *name, const char *ns)
{
	if (!text(w, name, 0) || (ns != NULL && !text(w, ns, 0)))
		return;
	ok(w, ns != NULL ? xmlTextWriterStartElementNS(w->w, NULL,
	    BAD_CAST name, BAD_CAST ns) :
	    xmlTextWriterStartElement(w->w, BAD_CAST name));
}

void
pf_xmlw_end(struct pf_xmlw *w)
{
	if (w->rc == PF_OK)
		ok(w, xmlTextWriterEndElement(w->w));
}

void
pf_xmlw_put(struct pf_xmlw *w, enum pf_xmlw_as as, const char *name,
    const char *value)
{
	/* An attribute value on several lines would not read back as one. */
	if (value == NULL || !text(w, name, 0) ||
	    !text(w, value, as == PF_XMLW_ELEM))
		return;
	ok(w, as == PF_XMLW_ATTR ?
	    xmlTextWriterWriteAttribute(w->w, BAD_CAST name, BAD_CAST value) :
	    xmlTextWriterWriteElement(w->w, BAD_CAST name, BAD_CAST value));
}

void
pf_xmlw_put_ll(struct pf_xmlw *w, enum pf_xmlw_as as, const char *name,
    long long v)
{
	char	 s[24];

	snprintf(s, sizeof(s), "%lld", v);
	pf_xmlw_put(w, as, name, s);
}

void
pf_xmlw_fields(struct pf_xmlw *w, const void *row,
    const struct pf_xmlw_field *f, size_t n)
{
	const void	*at;

	for (; n > 0; f++, n--) {
		at = (const char *)row + f->off;
		if (f->kind == PF_XMLW_TEXT)
			pf_xmlw_elem(w, f->name, *(const char *const *)at);
		else if (f->kind == PF_XMLW_INT)
			pf_xmlw_elem_ll(w, f->name, *(const int *)at);
		else
			pf_xmlw_elem_ll(w, f->name, *(const long long *)at);
	}
}

int
pf_xmlw_record(struct pf_xmlw *w, const char *name, const void *row,
    const struct pf_xmlw_field *f, size_t n)
{
	pf_xmlw_start(w, name, NULL);
	pf_xmlw_fields(w, row, f, n);
	pf_xmlw_end(w);
	return pf_xmlw_status(w);
}

int
pf_xmlw_fail(struct pf_xmlw *w, int rc)
{
	if (w->rc == PF_OK)
		w->rc = rc;
	return w->rc;
}

int
pf_xmlw_status(const struct pf_xmlw *w)
{
	return w->rc;
}

int
pf_xmlw_close(struct pf_xmlw *w)
{
	int	 rc;

	if (w == NULL)
		return PF_OK;
	if (w->rc == PF_OK)
		ok(w, xmlTextWriterEndDocument(w->w));
	rc = w->rc;
	xmlFreeTextWriter(w->w);	/* flushes its buffer; f stays open */
	free(w);
	return rc;
}
