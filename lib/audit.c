/*
 * audit.c -- the XML audit trail: build, digest, store, write, verify.
 *
 * Records are built only through libxml2's tree API, so every value is
 * escaped by the serialiser; each string is first checked with pf_utf8_ok,
 * because libxml2 2.9.14 writes control bytes and invalid UTF-8 raw and
 * still reports success (ARCHITECTURE.md, library defects).
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

#include <libxml/c14n.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "audit.h"
#include "file.h"
#include "err.h"
#include "keys.h"
#include "log.h"
#include "store.h"
#include "utc.h"
#include "utf8.h"

#define ZERO_DIGEST	"0000000000000000000000000000000000000000000000000000000000000000"
#define SEQ_MAX		999999999999LL	/* 12 digits in a file name */
#define FILE_MAX	(1024 * 1024)	/* no record comes near this */
#define PARSE_OPTS	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/* ---- checking the input ---- */

static int
text_ok(const char *s, int multiline)
{
	return s != NULL && pf_utf8_ok(s, strlen(s), multiline);
}

/* The schema's token pattern: [a-z][a-z0-9-]* */
static int
token_ok(const char *s)
{
	if (s == NULL || *s < 'a' || *s > 'z')
		return 0;
	for (s++; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-'))
			return 0;
	return 1;
}

/* Exactly n lower-case hex digits. */
static int
hex_ok(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[n] == '\0';
}

/*
 * Refuse what would make a record that is not well-formed or not valid:
 * text that is not XML-safe UTF-8, and names or ids outside the schema.
 */
static int
event_ok(const struct pf_audit_event *ev)
{
	const char *const	*d;

	if (!text_ok(ev->event, 0) || !token_ok(ev->event) ||
	    !text_ok(ev->form, 0) || !token_ok(ev->form))
		return 0;
	if (ev->request_id != NULL &&
	    (!text_ok(ev->request_id, 0) || !hex_ok(ev->request_id, 32)))
		return 0;
	if (ev->subject != NULL &&
	    (!text_ok(ev->subject, 0) || !hex_ok(ev->subject, 64)))
		return 0;
	for (d = ev->details; d != NULL && d[0] != NULL; d += 2)
		if (!text_ok(d[0], 0) || !token_ok(d[0]) || !text_ok(d[1], 1))
			return 0;
	return 1;
}

/* ---- building and digesting ---- */

static int
add_text(xmlNodePtr parent, const char *name, const char *text,
    xmlNodePtr *out)
{
	xmlNodePtr	 n;

	/*
	 * xmlNewTextChild escapes text; xmlNewChild would not
	 * (ARCHITECTURE.md, library defects).
	 */
	n = xmlNewTextChild(parent, parent->ns, BAD_CAST name, BAD_CAST text);
	if (n == NULL)
		return PF_ENOMEM;
	if (out != NULL)
		*out = n;
	return PF_OK;
}

/* The record for ev without its <digest>; the caller frees *out. */
static int
record_build(const struct pf_audit_event *ev, long long seq, const char *time,
    const char *prev, xmlDocPtr *out)
{
	const char *const	*d;
	xmlDocPtr		 doc;
	xmlNodePtr		 root, n;
	char			 num[24];
	int			 err = PF_ENOMEM;

	if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL)
		return PF_ENOMEM;
	if ((root = xmlNewNode(NULL, BAD_CAST "record")) == NULL)
		goto fail;
	xmlDocSetRootElement(doc, root);
	if ((root->ns = xmlNewNs(root, BAD_CAST PF_AUDIT_NS, NULL)) == NULL ||
	    xmlNewProp(root, BAD_CAST "version", BAD_CAST "1") == NULL)
		goto fail;
	snprintf(num, sizeof(num), "%lld", seq);
	if ((err = add_text(root, "seq", num, NULL)) != PF_OK ||
	    (err = add_text(root, "time", time, NULL)) != PF_OK ||
	    (err = add_text(root, "event", ev->event, NULL)) != PF_OK ||
	    (err = add_text(root, "form", ev->form, NULL)) != PF_OK)
		goto fail;
	if (ev->request_id != NULL &&
	    (err = add_text(root, "request", ev->request_id, NULL)) != PF_OK)
		goto fail;
	if (ev->subject != NULL &&
	    (err = add_text(root, "subject", ev->subject, NULL)) != PF_OK)
		goto fail;
	for (d = ev->details; d != NULL && d[0] != NULL; d += 2) {
		if ((err = add_text(root, "detail", d[1], &n)) != PF_OK)
			goto fail;
		if (xmlNewProp(n, BAD_CAST "name", BAD_CAST d[0]) == NULL) {
			err = PF_ENOMEM;
			goto fail;
		}
	}
	if ((err = add_text(root, "prev", prev, NULL)) != PF_OK)
		goto fail;
	*out = doc;
	return PF_OK;
fail:
	xmlFreeDoc(doc);
	return err;
}

/* doc's canonical form (C14N 1.0, no comments): *buf (xmlFree) of *len. */
static int
doc_c14n(xmlDocPtr doc, xmlChar **buf, size_t *len)
{
	int	 n;

	*buf = NULL;
	n = xmlC14NDocDumpMemory(doc, NULL, XML_C14N_1_0, NULL, 0, buf);
	if (n < 0 || *buf == NULL) {
		xmlFree(*buf);
		*buf = NULL;
		return PF_EXML;
	}
	*len = (size_t)n;
	return PF_OK;
}

/* Hex SHA-256 of doc's canonical form. */
static int
doc_digest(xmlDocPtr doc, char out[65])
{
	xmlChar	*buf;
	size_t	 len;
	int	 err;

	if ((err = doc_c14n(doc, &buf, &len)) != PF_OK)
		return err;
	err = pf_sha256_hex(buf, len, out);
	xmlFree(buf);
	return err;
}

static int
is_audit(xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrEqual(n->ns->href, BAD_CAST PF_AUDIT_NS) &&
	    xmlStrEqual(n->name, BAD_CAST name);
}

/* Remove a parsed record's <digest> and digest what is left. */
static int
doc_unseal_digest(xmlDocPtr doc, char out[65])
{
	xmlNodePtr	 root, d;

	root = xmlDocGetRootElement(doc);
	if (!is_audit(root, "record"))
		return PF_EXML;
	d = xmlLastElementChild(root);
	if (!is_audit(d, "digest"))
		return PF_EXML;
	xmlUnlinkNode(d);
	xmlFreeNode(d);
	return doc_digest(doc, out);
}

int
pf_audit_digest(const char *xml, size_t len, char out[65])
{
	xmlDocPtr	 doc;
	int		 err;

	if (len > INT_MAX)
		return PF_ETOOBIG;
	if ((doc = xmlReadMemory(xml, (int)len, NULL, NULL, PARSE_OPTS)) == NULL)
		return PF_EXML;
	err = doc_unseal_digest(doc, out);
	xmlFreeDoc(doc);
	return err;
}

#define XML_DECL	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define RECORD_END	"</record>"

/* Copy n bytes of s to p; past them. */
static char *
put(char *p, const void *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/*
 * The file's text: the declaration, the canonical record (c14n, body
 * bytes before its end tag) with <digest> added, a newline.  The digest
 * is hex digits: nothing to escape.
 */
static int
record_text(const xmlChar *c14n, size_t body, struct pf_audit_record *rec)
{
	static const char	 decl[] = XML_DECL, open[] = "<digest>",
				 end[] = "</digest>" RECORD_END "\n";
	char			*p;

	rec->xml_len = sizeof(decl) - 1 + body + sizeof(open) - 1 +
	    PF_HEX_DIGEST_LEN + sizeof(end) - 1;
	if ((rec->xml = p = malloc(rec->xml_len + 1)) == NULL)
		return PF_ENOMEM;
	p = put(p, decl, sizeof(decl) - 1);
	p = put(p, c14n, body);
	p = put(p, open, sizeof(open) - 1);
	p = put(p, rec->digest, PF_HEX_DIGEST_LEN);
	memcpy(p, end, sizeof(end));
	return PF_OK;
}

/*
 * Seal the record: digest its canonical form and make the file's text
 * from that form (record_text), so a record is serialised once, not
 * twice.  The file is canonical XML plus its digest element (an empty
 * element written <x></x>, attributes in canonical order): canonicalised
 * again after the digest is taken out, as AUDIT.md's procedure and
 * `audit verify` do, it gives the digested bytes (test_audit's exact
 * record and escaping tests).
 */
static int
record_seal(xmlDocPtr doc, struct pf_audit_record *rec)
{
	static const char	 end[] = RECORD_END;
	xmlChar			*c14n;
	size_t			 len;
	int			 err;

	if ((err = doc_c14n(doc, &c14n, &len)) != PF_OK)
		return err;
	if (len < sizeof(end) - 1 ||
	    memcmp(c14n + len - (sizeof(end) - 1), end, sizeof(end) - 1) != 0)
		err = PF_EXML;
	else if ((err = pf_sha256_hex(c14n, len, rec->digest)) == PF_OK)
		err = record_text(c14n, len - (sizeof(end) - 1), rec);
	xmlFree(c14n);
	return err;
}

int
pf_audit_append(struct pf_store *st, const struct pf_audit_event *ev,
    struct pf_audit_record *rec)
{
	struct pf_audit_row	 row;
	xmlDocPtr		 doc = NULL;
	char			 prev[65];
	int			 err;

	memset(rec, 0, sizeof(*rec));
	if (!event_ok(ev))
		return PF_EINVAL;
	if ((err = pf_store_audit_last(st, &rec->seq, prev)) != PF_OK)
		return err;
	if (rec->seq >= SEQ_MAX)
		return PF_ETOOBIG;
	rec->seq++;
	pf_utc_now(rec->time);
	if ((err = record_build(ev, rec->seq, rec->time, prev, &doc)) != PF_OK ||
	    (err = record_seal(doc, rec)) != PF_OK)
		goto fail;
	row.seq = rec->seq;
	row.time = rec->time;
	row.event = ev->event;
	row.form = ev->form;
	row.prev = prev;
	row.digest = rec->digest;
	row.xml = rec->xml;
	row.xml_len = rec->xml_len;
	if ((err = pf_store_audit_put(st, &row)) != PF_OK)
		goto fail;
	xmlFreeDoc(doc);
	return PF_OK;
fail:
	xmlFreeDoc(doc);
	pf_audit_record_clear(rec);
	return err;
}

void
pf_audit_record_clear(struct pf_audit_record *rec)
{
	if (rec == NULL)
		return;
	free(rec->xml);
	memset(rec, 0, sizeof(*rec));
}

/* ---- files ---- */

/* A new string from fmt (asprintf is not in POSIX 2008). */
static char *
strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
strf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/*
 * The path of record seq into *out.  time comes from the database, so it is
 * checked to start with a plain date: it names a directory.
 */
static int
audit_path(const char *dir, long long seq, const char *time, char **out)
{
	int	 i;

	*out = NULL;
	if (dir == NULL || time == NULL || seq < 1 || seq > SEQ_MAX)
		return PF_EINVAL;
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? time[i] != '-' :
		    time[i] < '0' || time[i] > '9')
			return PF_EINVAL;
	*out = strf("%s/%.10s/%012lld.xml", dir, time, seq);
	return *out != NULL ? PF_OK : PF_ENOMEM;
}

char *
pf_audit_path(const char *dir, long long seq, const char *time)
{
	char	*p;

	return audit_path(dir, seq, time, &p) == PF_OK ? p : NULL;
}

/*
 * Write a record file by a temporary name and rename, so a reader never
 * sees half a record.  The temporary name is unique (mkstemps), because a
 * worker and `privforms audit sync` may write the same record at once.
 * No fsync: the database transaction is the durable copy, and
 * pf_audit_sync rewrites any file a crash lost; syncing here would only
 * slow every request.
 */
static int
write_file(const char *dir, long long seq, const char *time, const char *xml,
    size_t len)
{
	char	*path = NULL;
	int	 err, saved;

	if ((err = audit_path(dir, seq, time, &path)) != PF_OK)
		return err;
	/* The day's directory exists but for the first record of the day. */
	err = pf_file_replace(path, xml, len, 0640);
	if (err == PF_EIO && errno == ENOENT &&
	    (err = pf_file_mkparent(path, 0750)) == PF_OK)
		err = pf_file_replace(path, xml, len, 0640);
	saved = errno;
	free(path);
	errno = saved;		/* for the caller's message */
	return err;
}

/*
 * This process's record files that could not be written since the last one
 * that could: a full or unwritable audit directory fails every request's
 * file, and a line per request would bury the one that matters.  So a
 * process says it once when files start failing and once when one is
 * written again; `privforms metrics` counts what is missing meanwhile.
 */
static struct {
	long long	 first;		/* seq of the first file not written; 0: none */
	long long	 n;		/* files not written since */
} unwritten;

int
pf_audit_write(const char *dir, const struct pf_audit_record *rec)
{
	int	 rc;

	rc = write_file(dir, rec->seq, rec->time, rec->xml, rec->xml_len);
	if (rc != PF_OK) {
		if (unwritten.n++ == 0) {
			unwritten.first = rec->seq;
			pf_log(PF_LOG_ERR, "audit: record files cannot be "
			    "written to %s (record %lld: %s): the records are "
			    "in the database; once this is fixed, privforms "
			    "audit sync writes the missing files (said once, "
			    "until a file is written again)", dir, rec->seq,
			    rc == PF_EIO ? strerror(errno) : pf_strerror(rc));
		}
	} else if (unwritten.n > 0) {
		pf_log(PF_LOG_WARN, "audit: record files are written again; "
		    "%lld from record %lld on were not: run privforms audit "
		    "sync", unwritten.n, unwritten.first);
		unwritten.n = 0;
		unwritten.first = 0;
	}
	return rc;
}

/*
 * Walking the whole trail in one SELECT would hold a read lock throughout,
 * and in rollback-journal mode a reader blocks every writer's commit: the
 * site would answer 503 while an auditor verifies.  So the records are
 * read in batches, each its own short read transaction.
 */
#define WALK_BATCH	256
#define WALK_PAUSE	(-1)	/* a callback's "batch full, call again" */

struct walk {
	long long	 next;	/* where the next batch starts */
	int		 n;	/* records in this batch */
};

/* Count r in w; WALK_PAUSE when the batch is full. */
static int
walk_step(struct walk *w, const struct pf_audit_row *r)
{
	w->next = r->seq + 1;
	return ++w->n >= WALK_BATCH ? WALK_PAUSE : 0;
}

static int
walk(struct pf_store *st, struct walk *w,
    int (*fn)(const struct pf_audit_row *, void *), void *arg)
{
	int	 rc;

	w->next = 1;
	do {
		w->n = 0;
		rc = pf_store_audit_each(st, w->next, fn, arg);
	} while (rc == WALK_PAUSE);
	return rc;
}

struct sync {
	struct walk	 w;
	const char	*dir;
	long long	 written;
	int		 err;
};

static int
sync_row(const struct pf_audit_row *r, void *arg)
{
	struct sync	*s = arg;
	struct stat	 sb;
	char		*path;

	if ((s->err = audit_path(s->dir, r->seq, r->time, &path)) != PF_OK)
		return 1;
	if (lstat(path, &sb) == 0)
		s->err = PF_OK;
	else if (errno != ENOENT) {
		pf_log(PF_LOG_ERR, "audit: %s: %s", path, strerror(errno));
		s->err = PF_EIO;
	} else if ((s->err = write_file(s->dir, r->seq, r->time, r->xml,
	    r->xml_len)) == PF_OK)
		s->written++;
	else
		pf_log(PF_LOG_ERR, "audit: %s: %s", path, s->err == PF_EIO ?
		    strerror(errno) : pf_strerror(s->err));
	free(path);
	return s->err != PF_OK ? 1 : walk_step(&s->w, r);
}

int
pf_audit_sync(struct pf_store *st, const char *dir, long long *written)
{
	struct sync	 s = { { 0, 0 }, dir, 0, PF_OK };
	int		 err;

	err = walk(st, &s.w, sync_row, &s);
	if (written != NULL)
		*written = s.written;
	return s.err != PF_OK ? s.err : err;
}

/* ---- records without their file ---- */

/* The seq a record file name stands for, or 0: "NNNNNNNNNNNN.xml". */
static long long
name_seq(const char *name)
{
	long long	 seq = 0;
	int		 i;

	for (i = 0; i < 12; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		seq = seq * 10 + (name[i] - '0');
	}
	return strcmp(name + 12, ".xml") == 0 ? seq : 0;
}

/* "YYYY-MM-DD": the name of a day's directory (audit_path). */
static int
day_name(const char *name)
{
	int	 i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? name[i] != '-' :
		    name[i] < '0' || name[i] > '9')
			return 0;
	return name[10] == '\0';
}

/*
 * Mark in seen the seq of every record file name up to max under dir (the
 * audit directory, depth 0; a day's, depth 1).  Names only, no stat: the
 * listing is the cost, and a trail of millions of records has millions of
 * files.
 */
static int
mark_files(const char *dir, int depth, long long max, unsigned char *seen)
{
	struct dirent	*e;
	DIR		*d;
	char		*sub;
	long long	 seq;
	int		 err = PF_OK;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT || (depth == 1 && errno == ENOTDIR))
			return PF_OK;	/* no record files in it */
		pf_log(PF_LOG_ERR, "audit: %s: %s", dir, strerror(errno));
		return PF_EIO;
	}
	while (err == PF_OK && (errno = 0, (e = readdir(d)) != NULL)) {
		if (depth == 0 && day_name(e->d_name)) {
			if ((sub = strf("%s/%s", dir, e->d_name)) == NULL)
				err = PF_ENOMEM;
			else
				err = mark_files(sub, 1, max, seen);
			free(sub);
		} else if (depth == 1 && (seq = name_seq(e->d_name)) > 0 &&
		    seq <= max)
			seen[seq / 8] |= (unsigned char)(1u << (seq % 8));
	}
	if (err == PF_OK && errno != 0) {
		pf_log(PF_LOG_ERR, "audit: %s: %s", dir, strerror(errno));
		err = PF_EIO;
	}
	closedir(d);
	return err;
}

struct probe {
	const char	*dir;
	int		 present;
	int		 err;
};

/* Is r's file where it belongs (written since the listing, say)? */
static int
probe_row(const struct pf_audit_row *r, void *arg)
{
	struct probe	*p = arg;
	struct stat	 sb;
	char		*path;

	if ((p->err = audit_path(p->dir, r->seq, r->time, &path)) == PF_OK) {
		if (lstat(path, &sb) == 0)
			p->present = 1;
		else if (errno != ENOENT && errno != ENOTDIR) {
			pf_log(PF_LOG_ERR, "audit: %s: %s", path,
			    strerror(errno));
			p->err = PF_EIO;
		}
		free(path);
	} else if (p->err == PF_EINVAL)
		p->err = PF_OK;		/* a malformed time names no file */
	return 0;
}

/* Count the records up to max not marked in seen whose file is missing. */
static int
count_unseen(struct pf_store *st, const char *dir, long long max,
    const unsigned char *seen, long long *missing)
{
	struct probe	 p;
	long long	 seq;
	int		 err = PF_OK;

	for (seq = 1; err == PF_OK && seq <= max; seq++) {
		if (seen[seq / 8] & (1u << (seq % 8)))
			continue;
		p.dir = dir;
		p.present = 0;
		p.err = PF_OK;
		err = pf_store_audit_get(st, seq, probe_row, &p);
		if (err == PF_ENOTFOUND)
			err = PF_OK;	/* no such record: verify's business */
		else if (err == PF_OK && (err = p.err) == PF_OK && !p.present)
			(*missing)++;
	}
	return err;
}

int
pf_audit_missing(struct pf_store *st, const char *dir, long long *missing)
{
	unsigned char	*seen;
	char		 digest[65];
	long long	 max;
	int		 err;

	*missing = 0;
	if ((err = pf_store_audit_last(st, &max, digest)) != PF_OK || max == 0)
		return err;
	if ((seen = calloc((size_t)(max / 8 + 1), 1)) == NULL)
		return PF_ENOMEM;
	if ((err = mark_files(dir, 0, max, seen)) == PF_OK)
		err = count_unseen(st, dir, max, seen, missing);
	free(seen);
	return err;
}

/* ---- verification ---- */

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

/* Read a whole regular file; returns 0 or an errno value. */
static int
read_file(const char *path, char **out, size_t *outlen)
{
	struct stat	 sb;
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd, e = 0;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return errno;
	if (fstat(fd, &sb) == -1)
		e = errno;
	else if (!S_ISREG(sb.st_mode))
		e = EINVAL;
	else if (sb.st_size > FILE_MAX)
		e = EFBIG;
	else if ((*out = malloc((size_t)sb.st_size + 1)) == NULL)
		e = ENOMEM;
	while (e == 0 && got < (size_t)sb.st_size) {
		if ((n = read(fd, *out + got, (size_t)sb.st_size - got)) > 0)
			got += (size_t)n;
		else if (n == 0)
			break;
		else if (errno != EINTR)
			e = errno;
	}
	close(fd);
	if (e != 0) {
		free(*out);
		*out = NULL;
		return e;
	}
	*outlen = got;
	return 0;
}

/* Copy the text of root's first audit element called name into buf. */
static int
child_text(xmlNodePtr root, const char *name, char *buf, size_t bufsz)
{
	xmlNodePtr	 n;
	xmlChar		*t;
	int		 fits;

	for (n = xmlFirstElementChild(root); n != NULL; n = xmlNextElementSibling(n))
		if (is_audit(n, name))
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
	    doc_unseal_digest(doc, got) != PF_OK)
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

	if ((e = read_file(path, &file, &len)) == ENOENT) {
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
	return walk_step(&v->w, r);
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

	if ((seq = name_seq(name)) == 0) {
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
		if ((path = strf("%s/%s", dir, ents[i]->d_name)) == NULL) {
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
	memcpy(v.prev, ZERO_DIGEST, sizeof(v.prev));
	/* Every libxml2 message goes into the report, none to stderr. */
	xmlSetStructuredErrorFunc(&v, verify_xmlerr);
	if ((err = verify_schema(&v, xsd, &schema)) != PF_OK)
		goto done;
	err = walk(st, &v.w, verify_row, &v);
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
