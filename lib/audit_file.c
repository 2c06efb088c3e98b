/*
 * audit_file.c -- record files: where each lives, writing one after its
 * commit, writing the missing ones again (sync), counting what is missing.
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

#include "audit.h"
#include "audit_impl.h"
#include "err.h"
#include "file.h"
#include "log.h"
#include "store.h"
#include "utc.h"

char *
audit_strf(const char *fmt, ...)
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

int
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
	*out = audit_strf("%s/%.10s/%012lld.xml", dir, time, seq);
	return *out != NULL ? PF_OK : PF_ENOMEM;
}

char *
pf_audit_path(const char *dir, long long seq, const char *time)
{
	char	*p;

	return audit_path(dir, seq, time, &p) == PF_OK ? p : NULL;
}

/* ---- writing a record file, never replacing one ---- */

int
audit_read(const char *path, char **out, size_t *len)
{
	struct stat	 sb;
	size_t		 got = 0;
	ssize_t		 n;
	int		 fd, e = 0;

	*out = NULL;
	*len = 0;
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
			break;		/* shorter than it was: what is there */
		else if (errno != EINTR)
			e = errno;
	}
	close(fd);
	if (e != 0) {
		free(*out);
		*out = NULL;
		return e;
	}
	*len = got;
	return 0;
}

/*
 * Does the file at path hold exactly xml[0..len)?  *same 1 or 0 (also 0
 * for something that is not a regular file: a link, a directory).  PF_EIO
 * with errno set when it cannot be read (ENOENT: gone meanwhile).
 */
static int
same_bytes(const char *path, const char *xml, size_t len, int *same)
{
	char	*buf;
	size_t	 n;
	int	 e;

	*same = 0;
	if ((e = audit_read(path, &buf, &n)) == ELOOP || e == EINVAL ||
	    e == EFBIG)
		return PF_OK;
	if (e != 0) {
		errno = e;
		return PF_EIO;
	}
	*same = n == len && memcmp(buf, xml, len) == 0;
	free(buf);
	return PF_OK;
}

void
audit_stamp(char out[AUDIT_STAMP_SIZE])
{
	char	 now[PF_TIME_SIZE];
	size_t	 i, j = 0;

	/* "2026-12-05T03:20:14.123456Z" as 20261205T032014.123456Z */
	pf_utc_now(now);
	for (i = 0; now[i] != '\0' && j < AUDIT_STAMP_SIZE - 1; i++)
		if (now[i] != '-' && now[i] != ':')
			out[j++] = now[i];
	out[j] = '\0';
}

/*
 * Give the file at hidden (ours alone) its name under dir/displaced/:
 * STAMP/DAY/NAME, with DAY/NAME the part of path below dir.  link(), so
 * an earlier displaced file of that name is never replaced: on EEXIST the
 * stamp is taken again (the clock has moved on).  *to: the new name.
 */
static int
name_aside(const char *dir, const char *path, const char *hidden,
    char stamp[AUDIT_STAMP_SIZE], char **to)
{
	const char	*rel = path + strlen(dir) + 1;
	int		 tries, saved;

	for (tries = 0; tries < 8; tries++) {
		if ((*to = audit_strf("%s/" AUDIT_DISPLACED "/%s/%s", dir, stamp,
		    rel)) == NULL)
			return PF_ENOMEM;
		if (link(hidden, *to) == 0 ||
		    (errno == ENOENT && pf_file_mkparent(*to, 0750) == PF_OK &&
		    link(hidden, *to) == 0))
			return PF_OK;
		saved = errno;
		free(*to);
		*to = NULL;
		if ((errno = saved) != EEXIST)
			break;
		audit_stamp(stamp);
	}
	return PF_EIO;
}

int
audit_displace(const char *dir, const char *path, const char *xml,
    size_t len, char stamp[AUDIT_STAMP_SIZE], char **to)
{
	char	*hidden;
	int	 fd, same = 0, err, saved;

	*to = NULL;
	if ((hidden = audit_strf("%s.XXXXXX.aside", path)) == NULL)
		return PF_ENOMEM;
	/*
	 * rename() takes whatever is at path at that instant, whoever put it
	 * there, to a name only this process knows: nothing can be lost
	 * between looking at the file and moving it.
	 */
	if ((fd = mkstemps(hidden, 6)) == -1 || close(fd) == -1 ||
	    rename(path, hidden) == -1) {
		saved = errno;
		if (fd != -1)
			unlink(hidden);
		free(hidden);
		errno = saved;
		return PF_EIO;
	}
	/* A writer of the same record may have put our bytes there meanwhile. */
	if (xml != NULL && (err = same_bytes(hidden, xml, len, &same)) != PF_OK)
		same = 0;
	if (same)
		err = PF_OK;
	else if ((err = name_aside(dir, path, hidden, stamp, to)) == PF_OK)
		pf_log(PF_LOG_ERR, "audit: %s is not the database's record: "
		    "moved aside to %s, never replaced (a restored database, "
		    "or a file changed by hand: see AUDIT.md, \"Displaced "
		    "files\")", path, *to);
	saved = errno;
	if (err == PF_OK)
		unlink(hidden);
	else
		pf_log(PF_LOG_ERR, "audit: %s is not the database's record "
		    "and cannot be moved aside (%s): it is kept as %s", path,
		    strerror(saved), hidden);
	free(hidden);
	errno = saved;
	return err;
}

/*
 * Root writes a record as the audit directory's owner would: INSTALL runs
 * `privforms backup` (which records its read) as root, and a day directory
 * or record file of root's would keep the programs, which run as that
 * owner, from writing the rest of the day's records and `audit verify`
 * from reading them.  fd is the new file; made: its day directory is new.
 * lchown: the directory is the owner's to replace meanwhile.
 */
static int
own_as_dir(const char *dir, const char *path, int fd, int made)
{
	struct stat	 st;
	char		 day[PATH_MAX];

	if (geteuid() != 0)
		return 0;
	pf_file_dirname(path, day, sizeof(day));
	if (stat(dir, &st) == -1 ||
	    (made && lchown(day, st.st_uid, st.st_gid) == -1) ||
	    fchown(fd, st.st_uid, st.st_gid) == -1)
		return -1;
	return 0;
}

/*
 * Write xml[0..len) under a unique temporary name beside path (the day's
 * directory made if this is its first record): *tmp.
 */
static int
write_temp(const char *dir, const char *path, const char *xml, size_t len,
    char **tmp)
{
	static const char	 x[] = "XXXXXX.tmp";
	int			 fd = -1, err = PF_OK, saved, made = 0;

	if ((*tmp = audit_strf("%s.%s", path, x)) == NULL)
		return PF_ENOMEM;
	/* A failed mkstemps leaves the Xs changed: they are put back. */
	if ((fd = mkstemps(*tmp, 4)) == -1 && errno == ENOENT &&
	    pf_file_mkparent(path, 0750) == PF_OK) {
		memcpy(*tmp + strlen(path) + 1, x, sizeof(x));
		fd = mkstemps(*tmp, 4);
		made = 1;
	}
	if (fd == -1 || own_as_dir(dir, path, fd, made) == -1 ||
	    fchmod(fd, 0640) == -1 ||
	    pf_file_write_all(fd, xml, len) != PF_OK)
		err = PF_EIO;
	saved = errno;
	if (fd != -1 && close(fd) == -1 && err == PF_OK) {
		err = PF_EIO;
		saved = errno;
	}
	if (err != PF_OK) {
		if (fd != -1)
			unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	errno = saved;
	return err;
}

/*
 * Give tmp (record bytes xml[0..len)) the name path, never replacing a
 * file there: link() fails on an existing name.  Identical bytes are a
 * worker and `privforms audit sync` writing one record at once: done.
 * Other bytes are a file that is not this database's record (a restored
 * database, a file changed by hand): moved aside, loudly, then ours.
 */
static int
place(const char *dir, const char *path, const char *tmp, const char *xml,
    size_t len)
{
	char	 stamp[AUDIT_STAMP_SIZE];
	char	*to;
	int	 tries, same, err;

	audit_stamp(stamp);
	for (tries = 0; tries < 8; tries++) {
		if (link(tmp, path) == 0)
			return PF_OK;
		if (errno != EEXIST)
			return PF_EIO;
		if ((err = same_bytes(path, xml, len, &same)) != PF_OK) {
			if (errno == ENOENT)
				continue;	/* moved meanwhile: again */
			return err;
		}
		if (same)
			return PF_OK;
		/* Gone meanwhile: another writer took it aside first. */
		if ((err = audit_displace(dir, path, xml, len, stamp, &to)) !=
		    PF_OK && errno != ENOENT)
			return err;
		free(to);
	}
	errno = EAGAIN;		/* others keep putting files there */
	return PF_EIO;
}

/*
 * Write a record file: by a temporary name, so that a reader never sees
 * half a record, then link()ed to its name, so that an existing file is
 * never replaced (place).  No fsync: the database transaction is the
 * durable copy, and pf_audit_sync writes any file a crash lost; syncing
 * here would only slow every request.
 */
static int
write_file(const char *dir, long long seq, const char *time, const char *xml,
    size_t len)
{
	char	*path = NULL, *tmp = NULL;
	int	 err, saved;

	if ((err = audit_path(dir, seq, time, &path)) != PF_OK)
		return err;
	if ((err = write_temp(dir, path, xml, len, &tmp)) == PF_OK) {
		err = place(dir, path, tmp, xml, len);
		saved = errno;
		unlink(tmp);
		errno = saved;
	}
	saved = errno;
	free(tmp);
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

/* Count r in w; WALK_PAUSE when the batch is full. */
int
audit_walk_step(struct walk *w, const struct pf_audit_row *r)
{
	w->next = r->seq + 1;
	return ++w->n >= WALK_BATCH ? WALK_PAUSE : 0;
}

int
audit_walk(struct pf_store *st, struct walk *w,
    int (*fn)(const struct pf_audit_row *, void *), void *arg)
{
	return audit_walk_from(st, w, 1, fn, arg);
}

int
audit_walk_from(struct pf_store *st, struct walk *w, long long from,
    int (*fn)(const struct pf_audit_row *, void *), void *arg)
{
	int	 rc;

	w->next = from;
	do {
		w->n = 0;
		rc = pf_store_audit_each(st, w->next, fn, arg);
	} while (rc == WALK_PAUSE);
	return rc;
}

/*
 * Is r's file under dir, where it belongs?  PF_OK and *present 1 or 0 (a
 * day's name taken by a file holds no record either), PF_EIO (logged) if
 * the file system cannot say, or audit_path's error.  *path, the file's
 * name, is the caller's to free.
 */
static int
file_present(const char *dir, const struct pf_audit_row *r, char **path,
    int *present)
{
	struct stat	 sb;
	int		 err;

	*present = 0;
	if ((err = audit_path(dir, r->seq, r->time, path)) != PF_OK)
		return err;
	if (lstat(*path, &sb) == 0)
		*present = 1;
	else if (errno != ENOENT && errno != ENOTDIR) {
		pf_log(PF_LOG_ERR, "audit: %s: %s", *path, strerror(errno));
		return PF_EIO;
	}
	return PF_OK;
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
	char		*path;
	int		 present;

	s->err = file_present(s->dir, r, &path, &present);
	if (s->err == PF_OK && !present) {
		if ((s->err = write_file(s->dir, r->seq, r->time, r->xml,
		    r->xml_len)) == PF_OK)
			s->written++;
		else
			pf_log(PF_LOG_ERR, "audit: %s: %s", path,
			    s->err == PF_EIO ? strerror(errno) :
			    pf_strerror(s->err));
	}
	free(path);
	return s->err != PF_OK ? 1 : audit_walk_step(&s->w, r);
}

int
pf_audit_sync(struct pf_store *st, const char *dir, long long *written)
{
	struct sync	 s = { { 0, 0 }, dir, 0, PF_OK };
	int		 err;

	if ((err = pf_audit_seal(st, NULL)) == PF_OK)
		err = audit_walk(st, &s.w, sync_row, &s);
	if (written != NULL)
		*written = s.written;
	return s.err != PF_OK ? s.err : err;
}

/* ---- records without their file ---- */

long long
audit_name_num(const char *name, const char *ext)
{
	long long	 seq = 0;
	int		 i;

	for (i = 0; i < 12; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		seq = seq * 10 + (name[i] - '0');
	}
	return strcmp(name + 12, ext) == 0 ? seq : 0;
}

long long
audit_name_seq(const char *name)
{
	return audit_name_num(name, ".xml");
}

int
audit_day_name(const char *name)
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
		if (depth == 0 && audit_day_name(e->d_name)) {
			if ((sub = audit_strf("%s/%s", dir, e->d_name)) == NULL)
				err = PF_ENOMEM;
			else
				err = mark_files(sub, 1, max, seen);
			free(sub);
		} else if (depth == 1 && (seq = audit_name_seq(e->d_name)) > 0 &&
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
	char		*path;

	p->err = file_present(p->dir, r, &path, &p->present);
	if (p->err == PF_EINVAL)
		p->err = PF_OK;		/* a malformed time names no file */
	free(path);
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
