/*
 * audit_verify.c -- checking the trail: every record file against the
 * schema, its own digest, the chain and the database's copy; no file
 * missing or extra.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "audit.h"
#include "audit_events.h"
#include "audit_impl.h"
#include "err.h"
#include "log.h"
#include "store.h"

struct pf_audit_schema {
	xmlSchemaPtr		 schema;
	xmlSchemaValidCtxtPtr	 vctxt;
};

struct verify {
	struct walk		 w;
	struct pf_store		*st;
	const char		*dir;
	FILE			*report;
	xmlSchemaValidCtxtPtr	 vctxt;
	long long		 last;		/* seq of the previous record */
	char			 prev[65];	/* its digest */
	long long		 bad;
	int			 failed;
	int			 err;		/* the check itself failed */
	int			 notes;		/* report legacy values too */
	char			 xmlmsg[256];	/* libxml2's first complaint */
};

/* Collect libxml2's first message instead of letting it print to stderr. */
static void
verify_xmlerr(void *arg, xmlErrorPtr e)
{
	struct verify	*v = arg;
	size_t		 n;

	if (v->xmlmsg[0] != '\0' || e == NULL || e->message == NULL)
		return;
	snprintf(v->xmlmsg, sizeof(v->xmlmsg), "line %d: %s", e->line,
	    e->message);
	n = strlen(v->xmlmsg);
	while (n > 0 && (v->xmlmsg[n - 1] == '\n' || v->xmlmsg[n - 1] == ' '))
		v->xmlmsg[--n] = '\0';
}

/* One report line; seq 0 or less for a file that names no record. */
static void
problem(struct verify *v, long long seq, const char *path, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
problem(struct verify *v, long long seq, const char *path, const char *fmt,
    ...)
{
	va_list	 ap;

	v->failed = 1;
	if (seq > 0 && (v->bad <= 0 || seq < v->bad))
		v->bad = seq;
	else if (seq <= 0 && v->bad == 0)
		v->bad = -1;
	if (v->report == NULL)
		return;
	if (seq > 0)
		fprintf(v->report, "record %lld: ", seq);
	else
		fprintf(v->report, "extra file: ");
	va_start(ap, fmt);
	vfprintf(v->report, fmt, ap);
	va_end(ap);
	fprintf(v->report, " (%s)\n", path);
}

/* Copy the text of root's first audit element called name into buf. */
static int
child_text(xmlNodePtr root, const char *name, char *buf, size_t bufsz)
{
	xmlNodePtr	 n;
	xmlChar		*t;
	int		 fits;

	for (n = xmlFirstElementChild(root); n != NULL; n = xmlNextElementSibling(n))
		if (audit_is(n, name))
			break;
	if (n == NULL || (t = xmlNodeGetContent(n)) == NULL)
		return 0;
	fits = (size_t)snprintf(buf, bufsz, "%s", (const char *)t) < bufsz;
	xmlFree(t);
	return fits;
}

/* 1 if the tree under n is elements, attributes and text only. */
static int
tree_plain(xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE && n->type != XML_TEXT_NODE)
			return 0;
		if (n->type == XML_ELEMENT_NODE && !tree_plain(n->children))
			return 0;
	}
	return 1;
}

/*
 * What the schema cannot check (audit_events.h): the event's form,
 * subject and details as its row says.  An old record's free-text
 * reason is noted (by pf_audit_verify, not pf_audit_check, whose report
 * is problems only), not failed: it is sealed and cannot be changed.
 */
static void
verify_table(struct verify *v, const struct pf_audit_row *r, const char *path,
    xmlNodePtr root)
{
	char	 why[PF_AUDIT_WHY_SIZE];
	int	 legacy;

	if (pf_audit_record_fits(root, why, &legacy) != PF_OK)
		problem(v, r->seq, path, "breaks the table of events: %s", why);
	else if (legacy && v->notes && v->report != NULL)
		fprintf(v->report, "record %lld: note: %s (%s)\n", r->seq, why,
		    path);
}

/* Check a record's content against the schema, its seq and the chain. */
static void
verify_doc(struct verify *v, const struct pf_audit_row *r, const char *path,
    xmlDocPtr doc)
{
	xmlNodePtr	 root = xmlDocGetRootElement(doc);
	char		 seq[24] = "", prev[65] = "", claimed[65] = "", got[65];

	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		problem(v, r->seq, path, "has a document type declaration");
		return;
	}
	/* The digest leaves comments out, so they could be added unseen. */
	if (!tree_plain(doc->children)) {
		problem(v, r->seq, path, "has a comment, processing instruction "
		    "or CDATA section, which privforms never writes");
		return;
	}
	v->xmlmsg[0] = '\0';
	if (xmlSchemaValidateDoc(v->vctxt, doc) != 0) {
		problem(v, r->seq, path, "not valid against the schema: %s",
		    v->xmlmsg);
		return;
	}
	verify_table(v, r, path, root);
	if (!child_text(root, "seq", seq, sizeof(seq)) ||
	    strtoll(seq, NULL, 10) != r->seq)
		problem(v, r->seq, path, "its seq element says %s", seq);
	if (!child_text(root, "prev", prev, sizeof(prev)) ||
	    strcmp(prev, v->prev) != 0) {
		if (v->last == 0)
			problem(v, r->seq, path, "prev is not 64 zeros, yet "
			    "no record comes before it");
		else
			problem(v, r->seq, path, "prev does not match the "
			    "digest of record %lld", v->last);
	}
	if (!child_text(root, "digest", claimed, sizeof(claimed)) ||
	    audit_unseal_digest(doc, got) != PF_OK)
		problem(v, r->seq, path, "digest cannot be recomputed");
	else if (strcmp(claimed, got) != 0)
		problem(v, r->seq, path, "digest does not match its content");
	else if (r->digest == NULL || strcmp(claimed, r->digest) != 0)
		problem(v, r->seq, path, "digest differs from the database's");
}

/* Parse a record's text xml[0..len) and check it (verify_doc). */
static void
verify_text(struct verify *v, const struct pf_audit_row *r, const char *path,
    const char *xml, size_t len)
{
	xmlDocPtr	 doc;

	v->xmlmsg[0] = '\0';
	if (len > INT_MAX ||
	    (doc = xmlReadMemory(xml, (int)len, NULL, NULL, PARSE_OPTS)) == NULL)
		problem(v, r->seq, path, "not well-formed XML: %s", v->xmlmsg);
	else {
		verify_doc(v, r, path, doc);
		xmlFreeDoc(doc);
	}
}

/* Check one record: its file, and the file's content (or the DB copy's). */
static void
verify_record(struct verify *v, const struct pf_audit_row *r, const char *path)
{
	const char	*xml = r->xml;
	char		*file = NULL;
	size_t		 len = r->xml_len;
	int		 e;

	if ((e = audit_read(path, &file, &len)) == ENOENT) {
		problem(v, r->seq, path, "file missing");
		len = r->xml_len;	/* go on with the database copy */
	} else if (e != 0) {
		problem(v, r->seq, path, "file cannot be read: %s", strerror(e));
		return;
	} else {
		if (len != r->xml_len || memcmp(file, r->xml, len) != 0)
			problem(v, r->seq, path, "file differs from the "
			    "database copy");
		xml = file;
	}
	verify_text(v, r, path, xml, len);
	free(file);
}

static int
verify_row(const struct pf_audit_row *r, void *arg)
{
	struct verify	*v = arg;
	char		*path;
	int		 err;

	if ((err = audit_path(v->dir, r->seq, r->time, &path)) == PF_ENOMEM) {
		v->err = err;
		return 1;
	}
	if (err != PF_OK)
		/* A malformed time in the database names no file. */
		problem(v, r->seq, "database", "malformed seq or time");
	else {
		if (r->seq != v->last + 1)
			problem(v, r->seq, path, "follows record %lld: the "
			    "records between them are missing", v->last);
		verify_record(v, r, path);
		free(path);
	}
	v->last = r->seq;
	snprintf(v->prev, sizeof(v->prev), "%s",
	    r->digest != NULL ? r->digest : "");
	return audit_walk_step(&v->w, r);
}

struct extra {
	const char	*dir;
	const char	*path;	/* the file found */
	int		 found;	/* the database has the record */
	int		 same;	/* and this is its file */
	int		 err;
};

static int
extra_row(const struct pf_audit_row *r, void *arg)
{
	struct extra	*x = arg;
	char		*own;

	x->found = 1;
	if ((x->err = audit_path(x->dir, r->seq, r->time, &own)) == PF_OK) {
		x->same = strcmp(own, x->path) == 0;
		free(own);
	} else if (x->err == PF_EINVAL)
		x->err = PF_OK;	/* reported already; this file is extra */
	return 0;
}

/* Report path if it is no record's file. */
static int
verify_extra_file(struct verify *v, const char *path, const char *name)
{
	struct extra	 x = { v->dir, path, 0, 0, PF_OK };
	long long	 seq;
	int		 err;

	if ((seq = audit_name_seq(name)) == 0) {
		problem(v, 0, path, "not a record file name");
		return PF_OK;
	}
	err = pf_store_audit_get(v->st, seq, extra_row, &x);
	if (err != PF_OK && err != PF_ENOTFOUND)
		return err;
	if (x.err != PF_OK)
		return x.err;
	if (!x.found)
		problem(v, seq, path, "extra file: the database has no such "
		    "record");
	else if (!x.same)
		problem(v, seq, path, "extra file: the record's file is "
		    "in another directory");
	return PF_OK;
}

static int
is_xml(const char *name)
{
	size_t	 n = strlen(name);

	return n > 4 && strcmp(name + n - 4, ".xml") == 0;
}

/*
 * Report every *.xml file in dir (depth 0: sub 0; depth 1: sub 1) that is
 * no record's file, in name order.
 */
static int
verify_extra_dir(struct verify *v, const char *dir, int depth)
{
	struct dirent	**ents = NULL;
	struct stat	  sb;
	char		 *path;
	int		  i, n, err = PF_OK;

	if ((n = scandir(dir, &ents, NULL, alphasort)) == -1) {
		if (errno == ENOENT && depth == 0)
			return PF_OK;	/* no files, and none extra */
		pf_log(PF_LOG_ERR, "audit: %s: %s", dir, strerror(errno));
		return PF_EIO;
	}
	for (i = 0; i < n && err == PF_OK; i++) {
		if (ents[i]->d_name[0] == '.')
			continue;
		if ((path = audit_strf("%s/%s", dir, ents[i]->d_name)) == NULL) {
			err = PF_ENOMEM;
			break;
		}
		if (lstat(path, &sb) == -1) {
			pf_log(PF_LOG_ERR, "audit: %s: %s", path, strerror(errno));
			err = PF_EIO;
		} else if (S_ISDIR(sb.st_mode) && depth == 0)
			err = verify_extra_dir(v, path, 1);
		else if (is_xml(ents[i]->d_name))
			err = verify_extra_file(v, path, ents[i]->d_name);
		free(path);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return err;
}

/* Load xsd into *out; libxml2's complaints go to the error function set. */
static int
schema_load(const char *xsd, struct pf_audit_schema **out)
{
	struct pf_audit_schema	*s;
	xmlSchemaParserCtxtPtr	 pctxt;

	if ((*out = s = calloc(1, sizeof(*s))) == NULL)
		return PF_ENOMEM;
	if ((pctxt = xmlSchemaNewParserCtxt(xsd)) != NULL) {
		s->schema = xmlSchemaParse(pctxt);
		xmlSchemaFreeParserCtxt(pctxt);
	}
	if (s->schema == NULL ||
	    (s->vctxt = xmlSchemaNewValidCtxt(s->schema)) == NULL) {
		pf_audit_schema_free(s);
		*out = NULL;
		return PF_ECONFIG;
	}
	return PF_OK;
}

/* Load the schema; libxml2's messages go to v->xmlmsg. */
static int
verify_schema(struct verify *v, const char *xsd, struct pf_audit_schema **s)
{
	int	 rc;

	v->xmlmsg[0] = '\0';
	if ((rc = schema_load(xsd, s)) == PF_OK) {
		v->vctxt = (*s)->vctxt;
		return PF_OK;
	}
	pf_log(PF_LOG_ERR, "audit: schema %s cannot be loaded", xsd);
	if (v->report != NULL)
		fprintf(v->report, "schema %s cannot be loaded: %s\n", xsd,
		    v->xmlmsg);
	return rc;
}

int
pf_audit_schema_load(const char *xsd, struct pf_audit_schema **out)
{
	struct verify		 v;
	xmlStructuredErrorFunc	 oldfn = xmlStructuredError;
	void			*oldctx = xmlStructuredErrorContext;
	int			 rc;

	memset(&v, 0, sizeof(v));
	xmlSetStructuredErrorFunc(&v, verify_xmlerr);
	rc = verify_schema(&v, xsd, out);
	xmlSetStructuredErrorFunc(oldctx, oldfn);
	return rc;
}

void
pf_audit_schema_free(struct pf_audit_schema *s)
{
	if (s == NULL)
		return;
	xmlSchemaFreeValidCtxt(s->vctxt);
	xmlSchemaFree(s->schema);
	free(s);
}

int
pf_audit_check(struct pf_audit_schema *s, const char *xml, size_t len,
    long long seq, const char *prev, const char *digest, FILE *report)
{
	struct verify		 v;
	struct pf_audit_row	 r;
	xmlStructuredErrorFunc	 oldfn = xmlStructuredError;
	void			*oldctx = xmlStructuredErrorContext;

	memset(&v, 0, sizeof(v));
	memset(&r, 0, sizeof(r));
	v.report = report;
	v.vctxt = s->vctxt;
	v.last = seq - 1;
	snprintf(v.prev, sizeof(v.prev), "%s", prev);
	r.seq = seq;
	r.digest = digest;
	xmlSetStructuredErrorFunc(&v, verify_xmlerr);
	verify_text(&v, &r, "text", xml, len);
	xmlSetStructuredErrorFunc(oldctx, oldfn);
	return v.failed ? PF_EXML : PF_OK;
}

int
pf_audit_verify(struct pf_store *st, const char *dir, const char *xsd,
    FILE *report, long long *bad)
{
	struct verify		 v;
	struct pf_audit_schema	*schema = NULL;
	xmlStructuredErrorFunc	 oldfn = xmlStructuredError;
	void			*oldctx = xmlStructuredErrorContext;
	int			 err;

	memset(&v, 0, sizeof(v));
	v.st = st;
	v.dir = dir;
	v.report = report;
	v.notes = 1;
	memcpy(v.prev, ZERO_DIGEST, sizeof(v.prev));
	/* Every libxml2 message goes into the report, none to stderr. */
	xmlSetStructuredErrorFunc(&v, verify_xmlerr);
	if ((err = verify_schema(&v, xsd, &schema)) != PF_OK)
		goto done;
	err = audit_walk(st, &v.w, verify_row, &v);
	if (v.err != PF_OK)
		err = v.err;
	if (err != PF_OK)
		goto done;
	if ((err = verify_extra_dir(&v, dir, 0)) != PF_OK)
		goto done;
	err = v.failed ? PF_EXML : PF_OK;
done:
	xmlSetStructuredErrorFunc(oldctx, oldfn);
	pf_audit_schema_free(schema);
	if (bad != NULL)
		*bad = v.bad;
	return err;
}
