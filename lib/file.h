/*
 * file.h -- the few file operations privforms needs, done once.
 *
 * Each returns PF_OK or PF_EIO/PF_ENOMEM with errno left as the failing
 * call set it, so the caller can say why (with the path) in its own words;
 * the readers of text files at the end say why themselves.
 */
#ifndef PF_FILE_H
#define PF_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* write(2) all of buf, retrying on EINTR and short writes. */
int pf_file_write_all(int fd, const void *buf, size_t len);

/* mkdir -p dir: create it and any missing parents with mode (less umask). */
int pf_file_mkdirs(const char *dir, mode_t mode);

/* mkdir -p of the directory part of path. */
int pf_file_mkparent(const char *path, mode_t mode);

/*
 * The directory part of path into out, as dirname(3) says it ("." for a
 * bare name, "/" for a name in the root), without touching path.
 */
void pf_file_dirname(const char *path, char *out, size_t len);

/* fsync the directory that holds path, so that a rename or link there lasts. */
int pf_file_sync_dir(const char *path);

/*
 * Replace path with buf[0..len), mode mode: written under a unique temporary
 * name in the same directory, then renamed, so a reader sees the old file
 * or the whole new one and two writers never mix.  No fsync: callers use it
 * for files they can regenerate (audit record files, the hub page).
 */
int pf_file_replace(const char *path, const void *buf, size_t len, mode_t mode);

/*
 * A line of a text held in memory (a list piped to `privforms ... scrub`):
 * text[0..n) without its line end, text[0..whole) with it.
 */
struct pf_line {
	const char	*text;
	size_t		 n;
	size_t		 whole;
};

/*
 * The line of buf[0..len) that starts at *pos into l, and *pos moved past
 * it: 1, or 0 at the end.  A line ends after an LF or at the end of buf;
 * its line end is that LF with one CR before it, if any (so the last line
 * may have none, or a lone CR).  NULs are bytes like any other (the
 * caller decides).  Every byte of buf is in exactly one line's whole, in
 * order.
 */
int pf_file_line(const char *buf, size_t len, size_t *pos, struct pf_line *l);

/*
 * s without the blanks (space, tab) and line ends (CR, LF) at either end,
 * in place: a line or field of a text file privforms reads (privforms.conf,
 * the laws table) as getline gave it.
 */
char *pf_file_trim(char *s);


/*
 * Reading the text files privforms parses (privforms.conf, the laws
 * table).  Unlike the calls above, these say why they failed themselves,
 * in the caller's err[errlen] (err.h's pf_errmsg), naming the file.
 */

/*
 * A line of such a file as getline read it: len bytes, its line end still
 * on it, no NUL among them.  PF_OK, or what stops the read (PF_ECONFIG
 * with why in msg).
 */
typedef int pf_file_line_fn(char *line, size_t len, void *arg, char *msg,
    size_t msglen);

/*
 * fn on each line of f in turn until one fails, *lineno counting them:
 * PF_OK, or that failure with err saying "name:N: why" (N the line).  A
 * NUL byte in a line and a read error are PF_ECONFIG.
 */
int pf_file_lines(FILE *f, const char *name, pf_file_line_fn *fn, void *arg,
    long *lineno, char *err, size_t errlen);

/*
 * A table the company edits (the consent categories, the mailing lists):
 * each line trimmed, at most PF_FILE_ROW_MAX bytes of UTF-8 without a
 * control character; blank lines and '#' lines skipped; every other line
 * a row of exactly nfields (at most PF_FILE_FIELDS_MAX) fields between
 * runs of tabs, each trimmed, handed to fn in order.  fn returns PF_OK,
 * or PF_ECONFIG with why in msg (the row is wrong), or PF_ENOMEM.  As
 * pf_file_lines: PF_OK or the failure, err saying "name:N: why".
 */
#define PF_FILE_ROW_MAX		2048
#define PF_FILE_FIELDS_MAX	8
typedef int pf_file_row_fn(char **f, void *arg, char *msg, size_t msglen);

int pf_file_table(FILE *f, const char *name, size_t nfields,
    pf_file_row_fn *fn, void *arg, char *err, size_t errlen);

/* A reader of such a file: reads f, which it does not close. */
typedef int pf_file_reader(FILE *f, const char *name, void *arg, char *err,
    size_t errlen);

/*
 * fn on a read-only stream of text[0..len), a file already in memory
 * called name: fn's value, or PF_ENOMEM when no stream can be opened.
 */
int pf_file_read_text(const char *text, size_t len, const char *name,
    pf_file_reader *fn, void *arg, char *err, size_t errlen);

/*
 * fn on the file at path, opened for reading: fn's value, or PF_ENOTFOUND
 * when there is no such file, PF_ECONFIG when it cannot be opened.
 */
int pf_file_read_path(const char *path, pf_file_reader *fn, void *arg,
    char *err, size_t errlen);

#endif
