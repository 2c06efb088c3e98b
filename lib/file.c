/*
 * file.c -- writing files whole, making directories, reading text files
 * line by line (file.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "file.h"
#include "utf8.h"

int
pf_file_write_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return PF_EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	return PF_OK;
}

int
pf_file_mkdirs(const char *dir, mode_t mode)
{
	char	*p, *s;
	int	 rc = PF_OK;

	if ((p = strdup(dir)) == NULL)
		return PF_ENOMEM;
	for (s = p + 1; rc == PF_OK; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char	 c = *s;

		*s = '\0';
		if (mkdir(p, mode) == -1 && errno != EEXIST)
			rc = PF_EIO;
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}

int
pf_file_mkparent(const char *path, mode_t mode)
{
	char	 dir[PATH_MAX];

	/* Too long for any directory part mkdir(2) takes (ENAMETOOLONG). */
	if (strlen(path) >= sizeof(dir))
		return PF_EIO;
	pf_file_dirname(path, dir, sizeof(dir));
	/* A bare name's "." and the root are there already. */
	if (strcmp(dir, ".") == 0 || strcmp(dir, "/") == 0)
		return PF_OK;
	return pf_file_mkdirs(dir, mode);
}

void
pf_file_dirname(const char *path, char *out, size_t len)
{
	char	*slash;

	snprintf(out, len, "%s", path);
	if ((slash = strrchr(out, '/')) == NULL)
		snprintf(out, len, ".");
	else if (slash == out)
		out[1] = '\0';
	else
		*slash = '\0';
}

int
pf_file_sync_dir(const char *path)
{
	char	 dir[PATH_MAX];
	int	 fd, rc = PF_OK;

	pf_file_dirname(path, dir, sizeof(dir));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return PF_EIO;
	if (fsync(fd) == -1)
		rc = PF_EIO;
	close(fd);
	return rc;
}

int
pf_file_replace(const char *path, const void *buf, size_t len, mode_t mode)
{
	char	*tmp;
	size_t	 n = strlen(path) + sizeof(".XXXXXX.tmp");
	int	 fd, saved;

	if ((tmp = malloc(n)) == NULL)
		return PF_ENOMEM;
	snprintf(tmp, n, "%s.XXXXXX.tmp", path);
	if ((fd = mkstemps(tmp, 4)) == -1) {
		saved = errno;
		free(tmp);
		errno = saved;
		return PF_EIO;
	}
	if (fchmod(fd, mode) == -1 || pf_file_write_all(fd, buf, len) != PF_OK ||
	    close(fd) == -1 || (fd = -1, rename(tmp, path) == -1)) {
		saved = errno;
		if (fd != -1)
			close(fd);
		unlink(tmp);
		free(tmp);
		errno = saved;
		return PF_EIO;
	}
	free(tmp);
	return PF_OK;
}

char *
pf_file_trim(char *s)
{
	size_t	 n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

int
pf_file_line(const char *buf, size_t len, size_t *pos, struct pf_line *l)
{
	const char	*p = buf + *pos, *nl;
	size_t		 left = len - *pos;

	if (*pos >= len)
		return 0;
	nl = memchr(p, '\n', left);
	l->text = p;
	l->whole = nl != NULL ? (size_t)(nl - p) + 1 : left;
	l->n = nl != NULL ? l->whole - 1 : l->whole;
	if (l->n > 0 && p[l->n - 1] == '\r')
		l->n--;
	*pos += l->whole;
	return 1;
}

/* fn on f, then f closed; NULL f: opening failed, say why, open_rc. */
static int
read_stream(FILE *f, int open_rc, const char *name, pf_file_reader *fn,
    void *arg, char *err, size_t errlen)
{
	int	 rc;

	if (f == NULL) {
		pf_errmsg(err, errlen, "%s: %s", name, strerror(errno));
		return open_rc;
	}
	rc = fn(f, name, arg, err, errlen);
	fclose(f);
	return rc;
}

int
pf_file_read_text(const char *text, size_t len, const char *name,
    pf_file_reader *fn, void *arg, char *err, size_t errlen)
{
	/* Read only ("r"): fmemopen never writes to text. */
	return read_stream(fmemopen((void *)text, len, "r"), PF_ENOMEM, name,
	    fn, arg, err, errlen);
}

int
pf_file_read_path(const char *path, pf_file_reader *fn, void *arg,
    char *err, size_t errlen)
{
	FILE	*f = fopen(path, "re");

	return read_stream(f, f == NULL && errno == ENOENT ? PF_ENOTFOUND :
	    PF_ECONFIG, path, fn, arg, err, errlen);
}

int
pf_file_lines(FILE *f, const char *name, pf_file_line_fn *fn, void *arg,
    long *lineno, char *err, size_t errlen)
{
	char	 msg[256];
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 len;
	int	 rc = PF_OK;

	*lineno = 0;
	while (rc == PF_OK && (len = getline(&line, &cap, f)) != -1) {
		++*lineno;
		if (strlen(line) != (size_t)len) {
			snprintf(msg, sizeof(msg), "NUL byte in line");
			rc = PF_ECONFIG;
		} else
			rc = fn(line, (size_t)len, arg, msg, sizeof(msg));
	}
	if (rc == PF_OK && ferror(f)) {
		snprintf(msg, sizeof(msg), "%s", strerror(errno));
		rc = PF_ECONFIG;
	}
	if (rc == PF_ECONFIG)
		pf_errmsg(err, errlen, "%s:%ld: %s", name, *lineno, msg);
	else if (rc == PF_ENOMEM)
		pf_errmsg(err, errlen, "%s:%ld: out of memory", name, *lineno);
	free(line);
	return rc;
}

/* ---- tables ---- */

/* The fields of line, between runs of tabs, trimmed, the first max in f. */
static size_t
fields(char *line, char **f, size_t max)
{
	size_t	 n = 0, k;

	while (*(line += strspn(line, "\t")) != '\0') {
		k = strcspn(line, "\t");
		if (n < max)
			f[n] = line;
		n++;
		line += k;
		if (*line != '\0')
			*line++ = '\0';
	}
	for (k = 0; k < n && k < max; k++)
		f[k] = pf_file_trim(f[k]);
	return n;
}

struct table {
	size_t		 nfields;
	pf_file_row_fn	*fn;
	void		*arg;
};

/*
 * One line of a table (pf_file_line_fn).  Trimmed first, so that its
 * line end is gone before the text check.
 */
static int
table_line(char *line, size_t len, void *arg, char *msg, size_t msglen)
{
	const struct table	*t = arg;
	char			*s = pf_file_trim(line), *f[PF_FILE_FIELDS_MAX];
	const char		*why = NULL;
	size_t			 n;

	(void)len;
	if (strlen(s) > PF_FILE_ROW_MAX)
		why = "line longer than 2048 bytes";
	else if (!pf_utf8_ok(s, strlen(s), 0))
		why = "control character or invalid UTF-8";
	if (why != NULL) {
		pf_errmsg(msg, msglen, "%s", why);
		return PF_ECONFIG;
	}
	if (*s == '\0' || *s == '#')
		return PF_OK;
	if ((n = fields(s, f, t->nfields)) != t->nfields) {
		pf_errmsg(msg, msglen, "expected %zu tab-separated fields, found "
		    "%zu", t->nfields, n);
		return PF_ECONFIG;
	}
	return t->fn(f, t->arg, msg, msglen);
}

int
pf_file_table(FILE *f, const char *name, size_t nfields, pf_file_row_fn *fn,
    void *arg, char *err, size_t errlen)
{
	struct table	 t = { nfields, fn, arg };
	long		 lineno;

	return pf_file_lines(f, name, table_line, &t, &lineno, err, errlen);
}
