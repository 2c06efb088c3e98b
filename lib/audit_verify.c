/*
 * audit_verify.c -- checking the trail: every record file against the
 * schema, its own digest, the chain, the database's copy and the time
 * before it; no file missing or extra; the checkpoint it must extend.
 *
 * Fast enough for a million records in seconds (AUDIT.md, "How fast"):
 * a digest is taken over the file's bytes when they are laid out as
 * privforms writes them (canonical already, so C14N would give the same
 * bytes), the trail is split into ranges checked by threads of their own,
 * and the check for extra files lists the directories against a table of
 * each record's day instead of asking the database per file.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <openssl/evp.h>

#include "audit.h"
#include "audit_events.h"
#include "audit_impl.h"
#include "err.h"
#include "hex.h"
#include "log.h"
#include "store.h"

#define JOBS_MAX	8		/* threads at most */
#define WALK_END	(-2)		/* a callback's "past my range" */
#define DAY_BAD		(-1)		/* days[]: a time naming no day */
#define PARSER_RENEW	4096		/* records parsed with one context */

struct pf_audit_schema {
	xmlSchemaPtr		 schema;
	xmlSchemaValidCtxtPtr	 vctxt;
};

/*
 * The day of each record, by seq (days[seq], 0 for none), for the check of
 * extra files: filled by the threads (each its own seqs), read after them.
 * Records appended during the check, past max, are not in it.
 */
struct days {
	int32_t		*day;
	long long	 max;
};

/* One thread's range of the trail, and what it found. */
struct verify {
	struct walk		 w;
	struct pf_store		*st;
	const char		*dir;
	FILE			*report;
	xmlSchemaValidCtxtPtr	 vctxt;
	EVP_MD_CTX		*sha;		/* the digest over the bytes */
	EVP_MD			*sha256;	/* fetched once per thread */
	char			*buf;		/* a record file's bytes */
	xmlParserCtxtPtr	 pctxt;		/* reused: parse() */
	int			 dirfd;		/* open day directory, or -1 */
	char			 dirpath[PATH_MAX]; /* its path */
	long long		 parsed;
	struct days		*days;
	long long		 hi;		/* range's last seq, 0: none */
	long long		 last;		/* seq of the previous record */
	char			 prev[65];	/* its digest */
	char			 prevtime[PF_TIME_SIZE]; /* its time */
	long long		 since;		/* checkpoint's count, or 0 */
	long long		 below;		/* records seen up to since */
	char			 at_since[65];	/* record since's digest */
	int			 seen_since;
	long long		 bad;
	int			 failed;
	int			 err;		/* the check itself failed */
	int			 notes;		/* report legacy values too */
	char			 xmlmsg[256];	/* libxml2's first complaint */
	/* A thread's own: */
	const struct pf_store_opts *store;	/* to open st with */
	const char		*xsd;
	char			*text;		/* report's buffer */
	size_t			 textlen;
	pthread_t		 tid;
};

/*
 * The C14N fallback digests with the library's one SHA-256 context
 * (keys.c), which threads must not share; it is for files not laid out as
 * privforms writes them, so rare.
 */
static pthread_mutex_t	 c14n_lock = PTHREAD_MUTEX_INITIALIZER;

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

/*
 * Read a whole file into buf (FILE_MAX + 1 bytes, the thread's own: no
 * allocation per record); returns 0 or an errno value.  No fstat: a file
 * longer than FILE_MAX is refused as it is read, a directory fails to
 * read, and O_NOFOLLOW refuses a symbolic link.
 */
static int
read_file(int dirfd, const char *name, char *buf, size_t *outlen)
{
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd, e = 0;

	if (dirfd == -1)
		return errno;	/* day_fd's */
	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return errno;
	while (e == 0 && got <= FILE_MAX) {
		if ((n = read(fd, buf + got, FILE_MAX + 1 - got)) > 0)
			got += (size_t)n;
		else if (n == 0)
			break;
		else if (errno != EINTR)
			e = errno;
	}
	close(fd);
	*outlen = got;
	return e == 0 && got > FILE_MAX ? EFBIG : e;
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
	if (n == NULL)
		return 0;
	/* One text node, as the schema has it: no copy. */
	if (n->children != NULL && n->children->next == NULL &&
	    n->children->type == XML_TEXT_NODE && n->children->content != NULL)
		return (size_t)snprintf(buf, bufsz, "%s",
		    (const char *)n->children->content) < bufsz;
	if ((t = xmlNodeGetContent(n)) == NULL)
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

/* The next fraction digit of *p, '0' past its end (where *p stays). */
static int
frac_digit(const char **p)
{
	if (**p < '0' || **p > '9')
		return '0';
	return *(*p)++;
}

/*
 * Compare two times as the schema has them, YYYY-MM-DDTHH:MM:SS, an
 * optional fraction, Z: the fractions as decimals, so "...:05Z" comes
 * before "...:05.1Z" although '.' sorts before 'Z'.
 */
static int
time_cmp(const char *a, const char *b)
{
	int	 c;

	if ((c = strncmp(a, b, 19)) != 0 || strlen(a) < 19)
		return c;
	a += 19 + (a[19] == '.');
	b += 19 + (b[19] == '.');
	while ((*a >= '0' && *a <= '9') || (*b >= '0' && *b <= '9'))
		if ((c = frac_digit(&a) - frac_digit(&b)) != 0)
			return c;
	return 0;
}

/* ---- the digest over the bytes ---- */

#define DECL		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define RECORD_OPEN	"<record xmlns=\"" PF_AUDIT_NS "\" version=\"1\">"
#define SEAL_TAIL	"</digest></record>\n"

/* Do the bytes at p (before end) start with s? */
static int
starts(const char *p, const char *end, const char *s)
{
	size_t	 n = strlen(s);

	return (size_t)(end - p) >= n && memcmp(p, s, n) == 0;
}

/*
 * Past text as C14N writes it: no '<', '>' or CR, and '&' only as in
 * &amp; &lt; &gt; &#xD; (what C14N writes for & < > CR); NULL if not.
 */
static const char *
canon_text(const char *p, const char *end)
{
	static const char *const	 refs[] = { "&amp;", "&lt;", "&gt;",
					    "&#xD;", NULL };
	const char *const		*r;

	while (p < end && *p != '<') {
		if (*p == '>' || *p == '\r')
			return NULL;
		if (*p != '&') {
			p++;
			continue;
		}
		for (r = refs; *r != NULL && !starts(p, end, *r); r++)
			continue;
		if (*r == NULL)
			return NULL;
		p += strlen(*r);
	}
	return p;
}

/*
 * Past one child element as privforms writes it, <name>text</name> or
 * <detail name="token">text</detail> (a token needs no escaping); NULL if
 * it is not.
 */
static const char *
canon_element(const char *p, const char *end)
{
	static const char	 detail[] = "<detail name=\"";
	const char		*name = p + 1, *q;
	size_t			 n;

	if (starts(p, end, detail)) {
		for (q = p + sizeof(detail) - 1; q < end && ((*q >= 'a' &&
		    *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-'); q++)
			continue;
		if (q == p + sizeof(detail) - 1 || !starts(q, end, "\">"))
			return NULL;
		n = strlen("detail");
		p = q + 2;
	} else {
		if (!starts(p, end, "<"))
			return NULL;
		for (q = p + 1; q < end && *q >= 'a' && *q <= 'z'; q++)
			continue;
		if (q == p + 1 || !starts(q, end, ">"))
			return NULL;
		n = (size_t)(q - name);
		p = q + 1;
	}
	if ((p = canon_text(p, end)) == NULL || !starts(p, end, "</") ||
	    (size_t)(end - p) < n + 3 || memcmp(p + 2, name, n) != 0 ||
	    p[n + 2] != '>')
		return NULL;
	return p + n + 3;
}

/* 64 lower-case hex digits at p. */
static int
hex64(const char *p)
{
	int	 i;

	for (i = 0; i < 64; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		    (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * Is xml[0..len) laid out as privforms writes a record (lib/audit.c,
 * record_text): the declaration, the record element and its children in
 * canonical form (C14N 1.0: no whitespace between elements, namespace and
 * attribute as C14N orders and quotes them, text escaped as C14N escapes
 * it), then <digest>, 64 hex digits, the end tags and a newline?  Then the
 * record without its <digest>, canonicalised, is exactly the bytes from
 * its start tag up to <digest> followed by "</record>", and *seal points
 * at <digest>.  Bytes only: the parse and the schema are checked apart.
 */
static int
canon_layout(const char *xml, size_t len, const char **seal)
{
	const char	*p = xml, *end = xml + len;

	if (!starts(p, end, DECL RECORD_OPEN))
		return 0;
	p += sizeof(DECL RECORD_OPEN) - 1;
	while (p != NULL && !starts(p, end, "<digest>"))
		p = canon_element(p, end);
	if (p == NULL || (size_t)(end - p) != 8 + 64 + sizeof(SEAL_TAIL) - 1 ||
	    !hex64(p + 8) || memcmp(p + 72, SEAL_TAIL, sizeof(SEAL_TAIL) - 1))
		return 0;
	*seal = p;
	return 1;
}

/* SHA-256 of the record from its start tag to seal, then "</record>". */
static int
canon_digest(struct verify *v, const char *xml, const char *seal,
    char out[65])
{
	static const char	 end[] = "</record>";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 n;
	const char		*body = xml + sizeof(DECL) - 1;

	if (!EVP_DigestInit_ex2(v->sha, v->sha256, NULL) ||
	    !EVP_DigestUpdate(v->sha, body, (size_t)(seal - body)) ||
	    !EVP_DigestUpdate(v->sha, end, sizeof(end) - 1) ||
	    !EVP_DigestFinal_ex(v->sha, md, &n) || n != 32)
		return PF_ECRYPTO;
	pf_hex_encode(md, n, out);
	return PF_OK;
}

/*
 * The digest of a parsed record: over its bytes when they are laid out
 * as privforms writes them (canon_layout), else through C14N.  doc loses
 * its <digest>.
 */
static int
record_digest(struct verify *v, xmlDocPtr doc, const char *xml, size_t len,
    char out[65])
{
	const char	*seal;
	int		 rc;

	if (v->sha != NULL && v->sha256 != NULL &&
	    canon_layout(xml, len, &seal))
		return canon_digest(v, xml, seal, out);
	pthread_mutex_lock(&c14n_lock);
	rc = audit_unseal_digest(doc, out);
	pthread_mutex_unlock(&c14n_lock);
	return rc;
}

/* ---- one record ---- */

/* Check a record's content against the schema, its seq, time and chain. */
static void
verify_doc(struct verify *v, const struct pf_audit_row *r, const char *path,
    xmlDocPtr doc, const char *xml, size_t len)
{
	xmlNodePtr	 root = xmlDocGetRootElement(doc);
	char		 seq[24] = "", prev[65] = "", claimed[65] = "", got[65],
			 time[PF_TIME_SIZE] = "";

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
	/* The database's time names the file's directory. */
	if (r->time != NULL && (!child_text(root, "time", time, sizeof(time)) ||
	    strcmp(time, r->time) != 0))
		problem(v, r->seq, path, "its time element says %s, the "
		    "database's copy %s", time, r->time);
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
	    record_digest(v, doc, xml, len, got) != PF_OK)
		problem(v, r->seq, path, "digest cannot be recomputed");
	else if (strcmp(claimed, got) != 0)
		problem(v, r->seq, path, "digest does not match its content");
	else if (r->digest == NULL || strcmp(claimed, r->digest) != 0)
		problem(v, r->seq, path, "digest differs from the database's");
}

/*
 * Parse xml[0..len) with the thread's own parser context, so that its
 * dictionary and buffers serve every record; made anew now and then, as
 * its dictionary also keeps short texts such as seq numbers.
 */
static xmlDocPtr
parse(struct verify *v, const char *xml, size_t len)
{
	if (v->pctxt != NULL && ++v->parsed % PARSER_RENEW == 0) {
		xmlFreeParserCtxt(v->pctxt);
		v->pctxt = NULL;
	}
	if (v->pctxt == NULL && (v->pctxt = xmlNewParserCtxt()) == NULL)
		return xmlReadMemory(xml, (int)len, NULL, NULL, PARSE_OPTS);
	return xmlCtxtReadMemory(v->pctxt, xml, (int)len, NULL, NULL,
	    PARSE_OPTS);
}

/* Parse a record's text xml[0..len) and check it (verify_doc). */
static void
verify_text(struct verify *v, const struct pf_audit_row *r, const char *path,
    const char *xml, size_t len)
{
	xmlDocPtr	 doc;

	v->xmlmsg[0] = '\0';
	if (len > INT_MAX ||
	    (doc = parse(v, xml, len)) == NULL)
		problem(v, r->seq, path, "not well-formed XML: %s", v->xmlmsg);
	else {
		verify_doc(v, r, path, doc, xml, len);
		xmlFreeDoc(doc);
	}
}

/*
 * The thread's descriptor of the directory that path (a record file's)
 * is in, kept open while the records' days repeat: opening each file
 * relative to it spares the kernel a walk of the whole path per file.
 * -1 with errno set if it cannot be opened.
 */
static int
day_fd(struct verify *v, const char *path)
{
	const char	*slash = strrchr(path, '/');
	size_t		 n = (size_t)(slash - path);

	if (v->dirfd != -1 && strlen(v->dirpath) == n &&
	    memcmp(v->dirpath, path, n) == 0)
		return v->dirfd;
	if (v->dirfd != -1)
		close(v->dirfd);
	v->dirfd = -1;
	v->dirpath[0] = '\0';
	if (n >= sizeof(v->dirpath)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(v->dirpath, path, n);
	v->dirpath[n] = '\0';
	return v->dirfd = open(v->dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Check one record: its file, and the file's content (or the DB copy's). */
static void
verify_record(struct verify *v, const struct pf_audit_row *r, const char *path)
{
	const char	*xml = v->buf;
	size_t		 len = 0;
	int		 e;

	e = read_file(day_fd(v, path), strrchr(path, '/') + 1, v->buf, &len);
	if (e == ENOENT) {
		problem(v, r->seq, path, "file missing");
		xml = r->xml;	/* go on with the database copy */
		len = r->xml_len;
	} else if (e != 0) {
		problem(v, r->seq, path, "file cannot be read: %s", strerror(e));
		return;
	} else if (len != r->xml_len || memcmp(v->buf, r->xml, len) != 0)
		problem(v, r->seq, path, "file differs from the database copy");
	verify_text(v, r, path, xml, len);
}

/* "YYYY-MM-DD..." (digits checked) as a number that is never 0. */
static int32_t
day_code(const char *s)
{
	return (int32_t)(((s[0] - '0') * 1000 + (s[1] - '0') * 100 +
	    (s[2] - '0') * 10 + (s[3] - '0')) * 10000 +
	    ((s[5] - '0') * 10 + (s[6] - '0')) * 100 +
	    (s[8] - '0') * 10 + (s[9] - '0') + 1);
}

/* Note r's day for the check of extra files, and what the checkpoint needs. */
static void
note_row(struct verify *v, const struct pf_audit_row *r, int named)
{
	if (v->days != NULL && r->seq >= 1 && r->seq <= v->days->max)
		v->days->day[r->seq] = named ? day_code(r->time) : DAY_BAD;
	if (v->since <= 0 || r->seq > v->since)
		return;
	v->below++;
	if (r->seq == v->since) {
		v->seen_since = 1;
		snprintf(v->at_since, sizeof(v->at_since), "%s",
		    r->digest != NULL ? r->digest : "");
	}
}

static void	verify_order(struct verify *, const struct pf_audit_row *,
		    const char *);
static int	verify_next(struct verify *, const struct pf_audit_row *);

static int
verify_row(const struct pf_audit_row *r, void *arg)
{
	struct verify	*v = arg;
	char		*path;
	int		 err;

	if (v->hi > 0 && r->seq > v->hi)
		return WALK_END;
	if (v->dir == NULL) {
		/* The database's copy alone (pf_audit_verify_db). */
		verify_order(v, r, "database");
		verify_text(v, r, "database", r->xml, r->xml_len);
		return verify_next(v, r);
	}
	if ((err = audit_path(v->dir, r->seq, r->time, &path)) == PF_ENOMEM) {
		v->err = err;
		return 1;
	}
	note_row(v, r, err == PF_OK);
	if (err != PF_OK)
		/* A malformed time in the database names no file. */
		problem(v, r->seq, "database", "malformed seq or time");
	else {
		verify_order(v, r, path);
		verify_record(v, r, path);
		free(path);
	}
	return verify_next(v, r);
}

/* r, found at path, follows the previous record without a gap or going back in time. */
static void
verify_order(struct verify *v, const struct pf_audit_row *r, const char *path)
{
	if (r->seq != v->last + 1)
		problem(v, r->seq, path, "follows record %lld: the "
		    "records between them are missing", v->last);
	if (v->last > 0 && r->time != NULL &&
	    time_cmp(r->time, v->prevtime) < 0)
		problem(v, r->seq, path, "time %s is before record "
		    "%lld's, %s", r->time, v->last, v->prevtime);
}

/* r is now the previous record; on to the next. */
static int
verify_next(struct verify *v, const struct pf_audit_row *r)
{
	v->last = r->seq;
	snprintf(v->prev, sizeof(v->prev), "%s",
	    r->digest != NULL ? r->digest : "");
	snprintf(v->prevtime, sizeof(v->prevtime), "%s",
	    r->time != NULL ? r->time : "");
	return audit_walk_step(&v->w, r);
}

/* ---- the schema ---- */

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

/* ---- ranges of the trail, one per thread ---- */

/* Walk v's range with its connection, schema context and buffers set. */
static void
verify_range(struct verify *v)
{
	int	 err;

	v->dirfd = -1;
	v->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);	/* NULL: C14N only */
	if ((v->sha = EVP_MD_CTX_new()) == NULL ||
	    (v->buf = malloc(FILE_MAX + 1)) == NULL)
		err = PF_ENOMEM;
	else if ((err = audit_walk_from(v->st, &v->w, v->last + 1, verify_row,
	    v)) == WALK_END)
		err = PF_OK;
	if (v->err == PF_OK)
		v->err = err;
	EVP_MD_CTX_free(v->sha);
	v->sha = NULL;
	EVP_MD_free(v->sha256);
	v->sha256 = NULL;
	free(v->buf);
	v->buf = NULL;
	xmlFreeParserCtxt(v->pctxt);
	v->pctxt = NULL;
	if (v->dirfd != -1)
		close(v->dirfd);
	v->dirfd = -1;
}

/* A thread's range: its own connection, schema and libxml2 error function. */
static void *
verify_thread(void *arg)
{
	struct verify		*v = arg;
	struct pf_audit_schema	*schema = NULL;

	xmlSetStructuredErrorFunc(v, verify_xmlerr);
	if ((v->err = pf_store_open(v->store, &v->st)) == PF_OK &&
	    (v->err = schema_load(v->xsd, &schema)) == PF_OK) {
		v->vctxt = schema->vctxt;
		verify_range(v);
	}
	pf_audit_schema_free(schema);
	pf_store_close(v->st);
	v->st = NULL;
	xmlSetStructuredErrorFunc(NULL, NULL);
	return NULL;
}

/* Where a range may start: the first two rows in a row from a seq on. */
struct cut {
	long long	 seq;		/* the row before the cut */
	char		 digest[65];
	char		 time[PF_TIME_SIZE];
	int		 n;
};

static int
cut_row(const struct pf_audit_row *r, void *arg)
{
	struct cut	*c = arg;

	if (c->n > 0 && r->seq == c->seq + 1)
		return WALK_END;
	c->seq = r->seq;
	snprintf(c->digest, sizeof(c->digest), "%s",
	    r->digest != NULL ? r->digest : "");
	snprintf(c->time, sizeof(c->time), "%s",
	    r->time != NULL ? r->time : "");
	return ++c->n >= WALK_BATCH ? WALK_PAUSE : 0;
}

/*
 * Split the trail (records 1 to max) into up to jobs ranges, v[0] already
 * set up as the first: each later one starts after a row whose successor
 * follows it without a gap, with that row's digest and time as its
 * "previous record", so each range reports what one walk would.  *n gets
 * the number of ranges.
 */
static int
verify_split(struct verify *v, int jobs, long long max, int *n)
{
	struct cut	 c;
	long long	 from;
	int		 k, rc;

	*n = 1;
	for (k = 1; k < jobs; k++) {
		from = max * k / jobs + 1;
		if (from <= v[*n - 1].last + 1)
			continue;
		memset(&c, 0, sizeof(c));
		rc = pf_store_audit_each(v[0].st, from, cut_row, &c);
		if (rc != WALK_END && rc != WALK_PAUSE && rc != PF_OK)
			return rc;
		if (rc != WALK_END || c.seq <= v[*n - 1].last)
			continue;	/* no two rows in a row here */
		v[*n - 1].hi = c.seq;
		v[*n] = v[0];
		v[*n].hi = 0;
		v[*n].last = c.seq;
		memcpy(v[*n].prev, c.digest, sizeof(c.digest));
		memcpy(v[*n].prevtime, c.time, sizeof(c.time));
		(*n)++;
	}
	return PF_OK;
}

/* Run ranges v[1..n) in threads and v[0] here; each its own report. */
static void
verify_run(struct verify *v, int n, FILE *report)
{
	int	 k, started[JOBS_MAX] = { 0 };

	for (k = 0; n > 1 && report != NULL && k < n; k++)
		if ((v[k].report = open_memstream(&v[k].text,
		    &v[k].textlen)) == NULL)
			v[k].err = PF_ENOMEM;
	for (k = 1; k < n; k++)
		started[k] = v[k].err == PF_OK &&
		    pthread_create(&v[k].tid, NULL, verify_thread, &v[k]) == 0;
	if (v[0].err == PF_OK)
		verify_range(&v[0]);
	for (k = 1; k < n; k++) {
		if (started[k])
			pthread_join(v[k].tid, NULL);
		else if (v[k].err == PF_OK)
			verify_thread(&v[k]);	/* no thread: here */
	}
}

/* Merge the ranges' reports, in order, and findings into v[0]. */
static void
verify_merge(struct verify *v, int n, FILE *report)
{
	int	 k;

	for (k = 0; n > 1 && k < n; k++) {
		if (v[k].report != NULL && fclose(v[k].report) == 0 &&
		    v[k].text != NULL)
			fwrite(v[k].text, 1, v[k].textlen, report);
		free(v[k].text);
		v[k].report = NULL;
		if (k == 0)
			continue;
		v[0].failed |= v[k].failed;
		if (v[k].bad > 0 && (v[0].bad <= 0 || v[k].bad < v[0].bad))
			v[0].bad = v[k].bad;
		if (v[0].err == PF_OK)
			v[0].err = v[k].err;
		v[0].below += v[k].below;
		if (v[k].seen_since) {
			v[0].seen_since = 1;
			memcpy(v[0].at_since, v[k].at_since,
			    sizeof(v[0].at_since));
		}
		if (v[k].last > v[0].last)
			v[0].last = v[k].last;
	}
	v[0].report = report;
}

/* ---- the checkpoint the trail must extend ---- */

static void
not_extended(struct verify *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
not_extended(struct verify *v, const char *fmt, ...)
{
	va_list	 ap;

	v->failed = 1;
	if (v->bad <= 0 || v->since < v->bad)
		v->bad = v->since;
	if (v->report == NULL)
		return;
	fprintf(v->report, "the trail does not extend checkpoint %lld: ",
	    v->since);
	va_start(ap, fmt);
	vfprintf(v->report, fmt, ap);
	va_end(ap);
	fputc('\n', v->report);
}

/* Records 1 to v->since all there, the last with the checkpoint's head. */
static void
verify_since(struct verify *v, const char *head)
{
	if (v->since <= 0)
		return;
	if (!v->seen_since && v->last < v->since)
		not_extended(v, "the trail ends at record %lld", v->last);
	else if (!v->seen_since)
		not_extended(v, "record %lld is missing", v->since);
	else if (head == NULL || strcasecmp(v->at_since, head) != 0)
		not_extended(v, "record %lld's digest is %s, the checkpoint's "
		    "head %s", v->since, v->at_since, head != NULL ? head : "");
	else if (v->below != v->since)
		not_extended(v, "%lld of records 1 to %lld are missing",
		    v->since - v->below, v->since);
}

/* ---- files that are no record's ---- */

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

/* Ask the database about path, a record's name past the day table. */
static int
extra_ask(struct verify *v, const char *path, long long seq)
{
	struct extra	 x = { v->dir, path, 0, 0, PF_OK };
	int		 err;

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

/* Is name, in the directory of day (0: no day's), a record's own file? */
static int
own_file(const struct days *d, const char *name, int32_t day)
{
	long long	 seq = audit_name_seq(name);

	return day != 0 && seq > 0 && seq <= d->max && d->day[seq] == day;
}

/* Report path (name in a directory of day, 0: no day's) as extra. */
static int
verify_extra_file(struct verify *v, const char *path, const char *name,
    int32_t day)
{
	long long	 seq;

	if ((seq = audit_name_seq(name)) == 0)
		problem(v, 0, path, "not a record file name");
	else if (seq > v->days->max)
		return extra_ask(v, path, seq);	/* written since the walk */
	else if (v->days->day[seq] == 0)
		problem(v, seq, path, "extra file: the database has no such "
		    "record");
	else if (v->days->day[seq] != day)
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

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.xml names in dir that are not the records' own files, sorted. */
static int
list_extra(struct verify *v, const char *dir, int32_t day, char ***names,
    size_t *n)
{
	struct dirent	*e;
	DIR		*d;
	char		**grown;
	size_t		 cap = 0;
	int		 err = PF_OK;

	if ((d = opendir(dir)) == NULL) {
		pf_log(PF_LOG_ERR, "audit: %s: %s", dir, strerror(errno));
		return PF_EIO;
	}
	while (err == PF_OK && (errno = 0, (e = readdir(d)) != NULL)) {
		if (e->d_name[0] == '.' || !is_xml(e->d_name) ||
		    own_file(v->days, e->d_name, day))
			continue;
		if (*n == cap && (grown = realloc(*names, (cap = cap * 2 + 16) *
		    sizeof(**names))) != NULL)
			*names = grown;
		if (*n == cap || ((*names)[*n] = strdup(e->d_name)) == NULL)
			err = PF_ENOMEM;
		else
			(*n)++;
	}
	if (err == PF_OK && errno != 0) {
		pf_log(PF_LOG_ERR, "audit: %s: %s", dir, strerror(errno));
		err = PF_EIO;
	}
	closedir(d);
	if (*n > 0)
		qsort(*names, *n, sizeof(**names), name_cmp);
	return err;
}

/* Report the files in a day's directory (day 0: another one) that are extra. */
static int
verify_extra_day(struct verify *v, const char *dir, int32_t day)
{
	char	**names = NULL, *path;
	size_t	  i, n = 0;
	int	  err;

	err = list_extra(v, dir, day, &names, &n);
	for (i = 0; i < n; i++) {
		if (err == PF_OK && (path = audit_strf("%s/%s", dir,
		    names[i])) == NULL)
			err = PF_ENOMEM;
		else if (err == PF_OK) {
			err = verify_extra_file(v, path, names[i], day);
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return err;
}

/*
 * Report every *.xml file under dir (its own, and each subdirectory's)
 * that is no record's file, in name order: names against the day table,
 * so no question to the database per file.
 */
static int
verify_extra(struct verify *v, const char *dir)
{
	struct dirent	**ents = NULL;
	struct stat	  sb;
	char		 *path;
	int		  i, n, err = PF_OK;

	if ((n = scandir(dir, &ents, NULL, alphasort)) == -1) {
		if (errno == ENOENT)
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
		} else if (S_ISDIR(sb.st_mode))
			err = verify_extra_day(v, path,
			    audit_day_name(ents[i]->d_name) ?
			    day_code(ents[i]->d_name) : 0);
		else if (is_xml(ents[i]->d_name))
			err = verify_extra_file(v, path, ents[i]->d_name, 0);
		free(path);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return err;
}

/* ---- the interface ---- */

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
	v.sha = EVP_MD_CTX_new();	/* NULL: the C14N digest only */
	v.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	snprintf(v.prev, sizeof(v.prev), "%s", prev);
	r.seq = seq;
	r.digest = digest;
	xmlSetStructuredErrorFunc(&v, verify_xmlerr);
	verify_text(&v, &r, "text", xml, len);
	xmlSetStructuredErrorFunc(oldctx, oldfn);
	EVP_MD_CTX_free(v.sha);
	EVP_MD_free(v.sha256);
	xmlFreeParserCtxt(v.pctxt);
	return v.failed ? PF_EXML : PF_OK;
}

/* Threads: one per online core, or opts->jobs; 1 without opts->store. */
static int
verify_jobs(const struct pf_audit_verify_opts *o)
{
	long	 n;

	if (o == NULL || o->store == NULL)
		return 1;
	n = o->jobs > 0 ? o->jobs : sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > JOBS_MAX ? JOBS_MAX : (int)n;
}

/* Walk the trail in ranges (the schema loaded in v[0]), then merge. */
static int
verify_walk(struct verify *v, const struct pf_audit_verify_opts *opts,
    FILE *report)
{
	char	 digest[65];
	int	 n, err;

	err = pf_store_audit_last(v[0].st, &v[0].days->max, digest);
	if (err != PF_OK)
		return err;
	if ((v[0].days->day = calloc((size_t)v[0].days->max + 1,
	    sizeof(*v[0].days->day))) == NULL)
		return PF_ENOMEM;
	if ((err = verify_split(v, verify_jobs(opts), v[0].days->max, &n)) !=
	    PF_OK)
		return err;
	verify_run(v, n, report);
	verify_merge(v, n, report);
	return v[0].err;
}

int
pf_audit_verify(struct pf_store *st, const char *dir, const char *xsd,
    const struct pf_audit_verify_opts *opts, FILE *report, long long *bad)
{
	struct verify		 v[JOBS_MAX];
	struct days		 days = { NULL, 0 };
	struct pf_audit_schema	*schema = NULL;
	xmlStructuredErrorFunc	 oldfn = xmlStructuredError;
	void			*oldctx = xmlStructuredErrorContext;
	int			 err;

	xmlInitParser();	/* once, before any thread parses */
	memset(v, 0, sizeof(v));
	v[0].st = st;
	v[0].dir = dir;
	v[0].report = report;
	v[0].days = &days;
	v[0].xsd = xsd;
	v[0].store = opts != NULL ? opts->store : NULL;
	v[0].notes = 1;
	v[0].since = opts != NULL ? opts->since_count : 0;
	memcpy(v[0].prev, ZERO_DIGEST, sizeof(v[0].prev));
	/* Every libxml2 message goes into the report, none to stderr. */
	xmlSetStructuredErrorFunc(&v[0], verify_xmlerr);
	if ((err = verify_schema(&v[0], xsd, &schema)) == PF_OK &&
	    (err = verify_walk(v, opts, report)) == PF_OK) {
		verify_since(&v[0], opts != NULL ? opts->since_head : NULL);
		err = verify_extra(&v[0], dir);
	}
	if (err == PF_OK && v[0].failed)
		err = PF_EXML;
	xmlSetStructuredErrorFunc(oldctx, oldfn);
	pf_audit_schema_free(schema);
	free(days.day);
	if (bad != NULL)
		*bad = v[0].bad;
	return err;
}

int
pf_audit_verify_db(struct pf_store *st, const char *xsd, FILE *report,
    long long *bad, long long *count, char head[65])
{
	struct verify		 v;
	struct pf_audit_schema	*schema = NULL;
	xmlStructuredErrorFunc	 oldfn = xmlStructuredError;
	void			*oldctx = xmlStructuredErrorContext;
	int			 err;

	xmlInitParser();
	memset(&v, 0, sizeof(v));
	v.st = st;
	v.report = report;
	memcpy(v.prev, ZERO_DIGEST, sizeof(v.prev));
	xmlSetStructuredErrorFunc(&v, verify_xmlerr);
	if ((err = verify_schema(&v, xsd, &schema)) == PF_OK) {
		verify_range(&v);
		err = v.err;
	}
	if (err == PF_OK && v.failed)
		err = PF_EXML;
	xmlSetStructuredErrorFunc(oldctx, oldfn);
	pf_audit_schema_free(schema);
	*bad = v.bad;
	*count = v.last;
	memcpy(head, v.prev, 65);
	return err;
}
