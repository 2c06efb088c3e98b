/*
 * audit_restore.c -- after a database restore: the record files written
 * since the backup are found, the ones that chain on from the database's
 * last record are taken back into it, the rest are moved aside (audit.h,
 * "after a restore"), so that no record number is used twice and no file
 * is replaced.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "audit.h"
#include "audit_impl.h"
#include "err.h"
#include "log.h"
#include "nitems.h"
#include "store.h"
#include "utc.h"

/* ---- the record files past a seq ---- */

struct found {
	long long	 seq;
	char		*path;
};

struct scan {
	const char	*dir;
	const char	*from_day;	/* only days from this one; NULL: all */
	long long	 after;		/* only records past this seq */
	struct found	*f;		/* what was found, unordered */
	size_t		 n, cap;
	long long	 max;		/* the highest seq found; 0: none */
};

static int
scan_add(struct scan *s, long long seq, const char *day, const char *name)
{
	struct found	*f;
	size_t		 cap;

	if (s->n == s->cap) {
		cap = s->cap == 0 ? 16 : s->cap * 2;
		if ((f = realloc(s->f, cap * sizeof(*f))) == NULL)
			return PF_ENOMEM;
		s->f = f;
		s->cap = cap;
	}
	if ((s->f[s->n].path = audit_strf("%s/%s/%s", s->dir, day, name)) == NULL)
		return PF_ENOMEM;
	s->f[s->n++].seq = seq;
	if (seq > s->max)
		s->max = seq;
	return PF_OK;
}

/*
 * Each name of dir (directories only if dirs) that take(name) accepts, to
 * fn: the names only, no stat, as pf_audit_missing lists.  A dir that does
 * not exist has none.
 */
static int
each_name(const char *dir, int (*take)(const char *),
    int (*fn)(const char *, void *), void *arg)
{
	struct dirent	*e;
	DIR		*d;
	int		 err = PF_OK;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return PF_OK;
		pf_log(PF_LOG_ERR, "audit: %s: %s", dir, strerror(errno));
		return PF_EIO;
	}
	while (err == PF_OK && (errno = 0, (e = readdir(d)) != NULL))
		if (take(e->d_name))
			err = fn(e->d_name, arg);
	if (err == PF_OK && errno != 0) {
		pf_log(PF_LOG_ERR, "audit: %s: %s", dir, strerror(errno));
		err = PF_EIO;
	}
	closedir(d);
	return err;
}

static int
is_record_name(const char *name)
{
	return audit_name_seq(name) > 0;
}

struct in_day {
	struct scan	*s;
	const char	*day;
};

static int
found_in_day(const char *name, void *arg)
{
	struct in_day	*d = arg;
	long long	 seq = audit_name_seq(name);

	return seq > d->s->after ? scan_add(d->s, seq, d->day, name) : PF_OK;
}

static int
found_day(const char *day, void *arg)
{
	struct scan	*s = arg;
	struct in_day	 d = { s, day };
	char		*path;
	int		 err;

	if (s->from_day != NULL && strcmp(day, s->from_day) < 0)
		return PF_OK;
	if ((path = audit_strf("%s/%s", s->dir, day)) == NULL)
		return PF_ENOMEM;
	err = each_name(path, is_record_name, found_in_day, &d);
	free(path);
	return err;
}

static void
scan_free(struct scan *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		free(s->f[i].path);
	free(s->f);
	s->f = NULL;
	s->n = s->cap = 0;
}

/* By seq, then by path: one order whatever readdir gave. */
static int
by_seq(const void *a, const void *b)
{
	const struct found	*x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* ---- the newest checkpoint: its count from its name ---- */

static int
is_checkpoint_name(const char *name)
{
	return audit_name_num(name, ".txt") > 0 ||
	    strcmp(name, "000000000000.txt") == 0;
}

static int
newer_checkpoint(const char *name, void *arg)
{
	long long	*count = arg, n = audit_name_num(name, ".txt");

	if (n > *count)
		*count = n;
	return PF_OK;
}

/* The count of DIR/checkpoints/NNNNNNNNNNNN.txt with the largest, or -1. */
static int
newest_checkpoint(const char *dir, long long *count)
{
	char	*path;
	int	 err;

	*count = -1;
	if ((path = audit_strf("%s/checkpoints", dir)) == NULL)
		return PF_ENOMEM;
	err = each_name(path, is_checkpoint_name, newer_checkpoint, count);
	free(path);
	return err;
}

/*
 * A checkpoint past the database's last record is evidence of a restore
 * until the audit-restored record that names it is there: after it, the
 * trail stays behind that checkpoint until it grows past it, and every
 * init meanwhile would otherwise record the restore again.
 */
struct named {
	char	 want[24];	/* the checkpoint's count, as a detail */
	int	 yes;
};

/* Is a detail checkpoint of the record r's text the one wanted? */
static int
names_checkpoint(const struct pf_audit_row *r, void *arg)
{
	struct named	*nm = arg;
	xmlDocPtr	 doc;
	xmlNodePtr	 n;
	xmlChar		*name, *text;

	if (r->xml_len > FILE_MAX || (doc = xmlReadMemory(r->xml,
	    (int)r->xml_len, NULL, NULL, PARSE_OPTS)) == NULL)
		return 0;
	for (n = xmlFirstElementChild(xmlDocGetRootElement(doc)); n != NULL;
	    n = xmlNextElementSibling(n)) {
		if (!audit_is(n, "detail"))
			continue;
		name = xmlGetProp(n, BAD_CAST "name");
		text = xmlNodeGetContent(n);
		if (name != NULL && text != NULL &&
		    xmlStrEqual(name, BAD_CAST "checkpoint") &&
		    xmlStrEqual(text, BAD_CAST nm->want))
			nm->yes = 1;
		xmlFree(name);
		xmlFree(text);
	}
	xmlFreeDoc(doc);
	return 0;
}

/* 1 in *lossy when checkpoint count ckpt is past last and not yet said. */
static int
checkpoint_ahead(struct pf_store *st, long long ckpt, long long last,
    int *lossy)
{
	struct named	 nm;
	int		 err;

	*lossy = 0;
	if (ckpt <= last)
		return PF_OK;
	memset(&nm, 0, sizeof(nm));
	snprintf(nm.want, sizeof(nm.want), "%lld", ckpt);
	err = pf_store_audit_last_of(st, PF_AUDIT_RESTORED, names_checkpoint,
	    &nm);
	if (err != PF_OK && err != PF_ENOTFOUND)
		return err;
	*lossy = !nm.yes;
	return PF_OK;
}

/* ---- the database's last record ---- */

struct last {
	long long	 seq;
	char		 digest[65];
	char		 time[PF_TIME_SIZE];	/* "" when there is none */
};

static int
last_time(const struct pf_audit_row *r, void *arg)
{
	struct last	*l = arg;

	snprintf(l->time, sizeof(l->time), "%s", r->time != NULL ? r->time : "");
	return 0;
}

static int
last_record(struct pf_store *st, struct last *l)
{
	int	 err;

	l->time[0] = '\0';
	if ((err = pf_store_audit_last(st, &l->seq, l->digest)) != PF_OK ||
	    l->seq == 0)
		return err;
	return pf_store_audit_get(st, l->seq, last_time, l);
}

int
pf_audit_beyond(struct pf_store *st, const char *dir, int *beyond)
{
	struct scan	 s;
	struct last	 l;
	char		 day[PF_DATE_SIZE];
	long long	 ckpt;
	int		 err, lossy = 0;

	*beyond = 0;
	memset(&s, 0, sizeof(s));
	if ((err = last_record(st, &l)) != PF_OK)
		return err;
	/* Times only go forward: files past L are in L's day or later. */
	snprintf(day, sizeof(day), "%.10s", l.time);
	s.dir = dir;
	s.from_day = l.seq > 0 ? day : NULL;
	s.after = l.seq;
	if ((err = each_name(dir, audit_day_name, found_day, &s)) == PF_OK &&
	    (err = newest_checkpoint(dir, &ckpt)) == PF_OK &&
	    (s.max > 0 || ckpt > l.seq) &&
	    /* Read again: a worker may have added a record and its file. */
	    (err = pf_store_audit_last(st, &l.seq, l.digest)) == PF_OK &&
	    (err = checkpoint_ahead(st, ckpt, l.seq, &lossy)) == PF_OK)
		*beyond = s.max > l.seq || lossy;
	scan_free(&s);
	return err;
}

/* ---- taking a file back ---- */

/* The fields of a record file that its database row holds besides it. */
struct fields {
	char	 seq[24];
	char	 time[PF_TIME_SIZE];
	char	 event[128];
	char	 form[128];
	char	 digest[65];
};

static const struct {
	const char	*name;
	size_t		 off, size;
} field_tab[] = {
#define FIELD(f) { #f, offsetof(struct fields, f), sizeof(((struct fields *)0)->f) }
	FIELD(seq), FIELD(time), FIELD(event), FIELD(form), FIELD(digest),
#undef FIELD
};

/* n's text into its place in f if n is one of them; 0 if it does not fit. */
static int
field_set(xmlNodePtr n, struct fields *f)
{
	xmlChar	*t;
	size_t	 i;
	int	 fits = 1;

	for (i = 0; i < nitems(field_tab); i++) {
		if (!audit_is(n, field_tab[i].name))
			continue;
		if ((t = xmlNodeGetContent(n)) == NULL)
			return 0;
		fits = (size_t)snprintf((char *)f + field_tab[i].off,
		    field_tab[i].size, "%s", (const char *)t) < field_tab[i].size;
		xmlFree(t);
	}
	return fits;
}

/* f from the record xml[0..len): 1, or 0 if it is not one of ours. */
static int
fields_of(const char *xml, size_t len, struct fields *f)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root, n;
	int		 ok;

	memset(f, 0, sizeof(*f));
	if (len > FILE_MAX ||
	    (doc = xmlReadMemory(xml, (int)len, NULL, NULL, PARSE_OPTS)) == NULL)
		return 0;
	root = xmlDocGetRootElement(doc);
	ok = audit_is(root, "record");
	for (n = ok ? xmlFirstElementChild(root) : NULL; ok && n != NULL;
	    n = xmlNextElementSibling(n))
		ok = field_set(n, f);
	xmlFreeDoc(doc);
	return ok && f->time[0] != '\0' && f->event[0] != '\0' &&
	    f->form[0] != '\0' && f->digest[0] != '\0';
}

struct chain {
	struct pf_store		*st;
	const char		*dir;
	struct pf_audit_schema	*schema;
	FILE			*report;
	struct last		 l;	/* the last record, taken back or not */
};

static void
say(FILE *report, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(FILE *report, const char *fmt, ...)
{
	va_list	 ap;

	if (report == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(report, fmt, ap);
	va_end(ap);
	fputc('\n', report);
}

/*
 * Why xml[0..len), the file at path, is not the record that follows c->l,
 * said on the report; NULL when it is.  f: the fields it read.
 */
static const char *
misfit(struct chain *c, const char *path, long long seq, const char *xml,
    size_t len, struct fields *f)
{
	char	*own = NULL;
	int	 here;

	if (!fields_of(xml, len, f))
		return "not a privforms record";
	if (pf_audit_check(c->schema, xml, len, seq, c->l.digest, f->digest,
	    c->report) != PF_OK)
		return "it fails the checks of audit verify";
	here = audit_path(c->dir, seq, f->time, &own) == PF_OK &&
	    strcmp(own, path) == 0;
	free(own);
	if (!here)
		return "it is not in the directory of its time's day";
	if (strcmp(f->time, c->l.time) < 0)
		return "its time is before the record it follows";
	return NULL;
}

/*
 * Store the file at x as the database's record if it is the one that
 * follows c->l: *taken 1, and c->l moves on.  An error only when the
 * check or the store could not run.
 */
static int
take(struct chain *c, const struct found *x, int *taken)
{
	struct pf_audit_row	 row;
	struct fields		 f;
	const char		*why;
	char			*xml;
	size_t			 len;
	int			 e, err = PF_OK;

	*taken = 0;
	if ((e = audit_read(x->path, &xml, &len)) != 0) {
		say(c->report, "audit: %s: cannot be read: %s", x->path,
		    strerror(e));
		return e == ENOMEM ? PF_ENOMEM : PF_OK;
	}
	if ((why = misfit(c, x->path, x->seq, xml, len, &f)) != NULL)
		say(c->report, "audit: %s does not chain on from record %lld: "
		    "%s", x->path, c->l.seq, why);
	else {
		row.seq = x->seq;
		row.time = f.time;
		row.event = f.event;
		row.form = f.form;
		row.prev = c->l.digest;
		row.digest = f.digest;
		row.xml = xml;
		row.xml_len = len;
		if ((err = pf_store_audit_put(c->st, &row)) == PF_OK) {
			c->l.seq = x->seq;
			memcpy(c->l.digest, f.digest, sizeof(c->l.digest));
			memcpy(c->l.time, f.time, sizeof(c->l.time));
			*taken = 1;
		}
	}
	free(xml);
	return err;
}

/* Move the file at x aside, as one that does not chain on. */
static int
set_aside(struct chain *c, const struct found *x, struct pf_audit_recovery *r)
{
	char	*to;
	int	 err;

	if ((err = audit_displace(c->dir, x->path, NULL, 0, r->stamp, &to)) !=
	    PF_OK) {
		say(c->report, "audit: %s cannot be moved aside: %s", x->path,
		    err == PF_EIO ? strerror(errno) : pf_strerror(err));
		return err;
	}
	say(c->report, "audit: %s moved aside to %s", x->path, to);
	free(to);
	r->displaced++;
	return PF_OK;
}

/* Why the file at x was not even tried: it is not the next record. */
static void
say_not_next(struct chain *c, const struct found *x)
{
	if (x->seq <= c->l.seq)
		say(c->report, "audit: %s does not chain on: record %lld was "
		    "taken back from another file", x->path, x->seq);
	else
		say(c->report, "audit: %s does not chain on: no file of "
		    "record %lld does", x->path, c->l.seq + 1);
}

/*
 * Walk the files found in seq order: while each is the next record (a
 * second file of one seq after the first was taken is not), take it;
 * from the first gap on, move every file aside.  Each file moved aside
 * is said with why (INSTALL, section 15).
 */
static int
chain_on(struct chain *c, const struct scan *s, struct pf_audit_recovery *r)
{
	size_t	 i;
	int	 chained = 1, taken, err = PF_OK;

	for (i = 0; err == PF_OK && i < s->n; i++) {
		taken = 0;
		if (s->f[i].seq > c->l.seq + 1)
			chained = 0;
		if (!chained || s->f[i].seq != c->l.seq + 1)
			say_not_next(c, &s->f[i]);
		else if ((err = take(c, &s->f[i], &taken)) != PF_OK)
			break;
		if (taken)
			r->recovered++;
		else
			err = set_aside(c, &s->f[i], r);
	}
	return err;
}

/* The audit-restored record's details: counts, or "none" (AUDIT.md). */
static void
recovery_details(struct pf_audit_recovery *r)
{
	static const char *const names[] = { "backup-seq", "recovered",
	    "displaced", "checkpoint" };
	const long long	 v[] = { r->backup_seq, r->recovered, r->displaced,
	    r->checkpoint };
	size_t		 i;

	for (i = 0; i < nitems(names); i++) {
		if (v[i] < 0)
			snprintf(r->num[i], sizeof(r->num[i]), "none");
		else
			snprintf(r->num[i], sizeof(r->num[i]), "%lld", v[i]);
		r->details[2 * i] = names[i];
		r->details[2 * i + 1] = r->num[i];
	}
	r->details[2 * i] = NULL;
}

int
pf_audit_recover(struct pf_store *st, const char *dir, const char *xsd,
    FILE *report, struct pf_audit_recovery *r)
{
	struct chain	 c = { st, dir, NULL, report, { 0, "", "" } };
	struct scan	 s;
	int		 err, lossy = 0;

	memset(r, 0, sizeof(*r));
	memset(&s, 0, sizeof(s));
	audit_stamp(r->stamp);
	if ((err = last_record(st, &c.l)) != PF_OK ||
	    (err = newest_checkpoint(dir, &r->checkpoint)) != PF_OK ||
	    (err = checkpoint_ahead(st, r->checkpoint, c.l.seq, &lossy)) !=
	    PF_OK)
		return err;
	r->backup_seq = c.l.seq;
	/* Every day: a file out of its day's order is moved aside too. */
	s.dir = dir;
	s.after = c.l.seq;
	if ((err = each_name(dir, audit_day_name, found_day, &s)) != PF_OK ||
	    s.n == 0)
		goto done;
	r->found = (long long)s.n;
	qsort(s.f, s.n, sizeof(*s.f), by_seq);
	if ((err = pf_audit_schema_load(xsd, &c.schema)) == PF_OK)
		err = chain_on(&c, &s, r);
done:
	r->restored = err == PF_OK && (r->found > 0 || lossy);
	recovery_details(r);
	pf_audit_schema_free(c.schema);
	scan_free(&s);
	return err;
}
