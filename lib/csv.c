/* csv.c -- the RFC 4180 reader and writer (csv.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "err.h"
#include "utf8.h"

/* Where the reader is inside a field. */
enum state {
	S_START,	/* nothing of the field read yet */
	S_PLAIN,	/* in a field that does not start with '"' */
	S_QUOTED,	/* inside the quotes of a quoted field */
	S_CLOSED,	/* after a '"' in a quoted field: its end, or "" */
};

#define PUSHBACK 3	/* bytes a byte order mark that is not one leaves */

struct pf_csv {
	FILE			*f;
	struct pf_csv_limits	 lim;
	char			*buf;	/* the record's fields, each ending
					   with NUL: max_line + max_fields
					   bytes, as no field is longer
					   unquoted than it was read */
	size_t			*start;	/* offset of each field in buf */
	const char		**field;	/* what pf_csv_read returns */
	int			 back[PUSHBACK];
	size_t			 nback;
	int			 started;	/* the byte order mark looked for */
	int			 last;	/* the last byte taken, or EOF */
	unsigned long		 number, line;
	char			 msg[64];	/* a limit's sentence */
};

/* The record being read. */
struct rec {
	size_t		 len;	/* bytes in buf */
	size_t		 flen;	/* of them, the current field's */
	size_t		 n;	/* fields begun */
	size_t		 raw;	/* bytes read, but the final line end */
	enum state	 st;
};

int
pf_csv_open(FILE *f, const struct pf_csv_limits *lim, struct pf_csv **out)
{
	struct pf_csv	*r;

	*out = NULL;
	if (lim->max_field == 0 || lim->max_line == 0 ||
	    lim->max_fields == 0 || lim->max_fields > PF_CSV_FIELDS_MAX ||
	    lim->max_line > (size_t)-1 / 2)
		return PF_EINVAL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return PF_ENOMEM;
	r->f = f;
	r->lim = *lim;
	r->line = 1;
	r->last = '\n';
	r->buf = malloc(lim->max_line + lim->max_fields);
	r->start = calloc(lim->max_fields, sizeof(*r->start));
	r->field = calloc(lim->max_fields, sizeof(*r->field));
	if (r->buf == NULL || r->start == NULL || r->field == NULL) {
		pf_csv_close(r);
		return PF_ENOMEM;
	}
	*out = r;
	return PF_OK;
}

void
pf_csv_close(struct pf_csv *r)
{
	if (r == NULL)
		return;
	free(r->field);
	free(r->start);
	free(r->buf);
	free(r);
}

/* The next byte, from what was pushed back first; lines counted. */
static int
get(struct pf_csv *r)
{
	int	 c;

	c = r->nback > 0 ? r->back[--r->nback] : getc(r->f);
	if (c == '\n')
		r->line++;
	r->last = c;
	return c;
}

/* Give c back to be read again; last becomes was. */
static void
unget(struct pf_csv *r, int c, int was)
{
	r->back[r->nback++] = c;
	if (c == '\n')
		r->line--;
	r->last = was;
}

/* Skip a UTF-8 byte order mark at the very start of the input. */
static void
skip_bom(struct pf_csv *r)
{
	static const int	 mark[PUSHBACK] = { 0xef, 0xbb, 0xbf };
	int			 got[PUSHBACK];
	size_t			 n;

	r->started = 1;
	for (n = 0; n < PUSHBACK; n++)
		if ((got[n] = get(r)) != mark[n]) {
			n++;
			break;
		}
	if (n == PUSHBACK && got[n - 1] == mark[n - 1])
		return;
	while (n > 0) {
		n--;
		unget(r, got[n], '\n');
	}
}

/* After a refused record: on from the line after the one it ended on. */
static void
skip_line(struct pf_csv *r)
{
	while (r->last != '\n' && r->last != EOF)
		(void)get(r);
}

/* *why for a limit: "a field is longer than 254 bytes". */
static int
limit(struct pf_csv *r, const char **why, const char *fmt, size_t value)
{
	snprintf(r->msg, sizeof(r->msg), fmt, value);
	*why = r->msg;
	return PF_ETOOBIG;
}

/*
 * What is wrong with a field s[0..len) that pf_utf8_ok refused: the first
 * control character (C0 or C1, DEL), else its encoding or a code point
 * that is not text (U+FFFE).
 */
static const char *
text_why(const unsigned char *s, size_t len, int multiline)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n' && !multiline)
			return "a field holds a line break";
		if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n') ||
		    s[i] == 0x7f || (s[i] == 0xc2 && i + 1 < len &&
		    s[i + 1] >= 0x80 && s[i + 1] <= 0x9f))
			return "a field holds a control character";
	}
	return "a field is not valid UTF-8 text";
}

/* Append byte c to the current field. */
static int
put(struct pf_csv *r, struct rec *x, int c, const char **why)
{
	if (x->flen >= r->lim.max_field)
		return limit(r, why, "a field is longer than %zu bytes",
		    r->lim.max_field);
	r->buf[x->len++] = (char)c;
	x->flen++;
	return PF_OK;
}

/* The current field is whole: check its text and end it with NUL. */
static int
end_field(struct pf_csv *r, struct rec *x, const char **why)
{
	const char	*s = r->buf + x->len - x->flen;

	if (!pf_utf8_ok(s, x->flen, r->lim.multiline)) {
		*why = text_why((const unsigned char *)s, x->flen,
		    r->lim.multiline);
		return PF_EINVAL;
	}
	r->buf[x->len++] = '\0';
	return PF_OK;
}

/* A ',': end the field and begin the next. */
static int
next_field(struct pf_csv *r, struct rec *x, const char **why)
{
	int	 rc;

	if ((rc = end_field(r, x, why)) != PF_OK)
		return rc;
	if (x->n == r->lim.max_fields)
		return limit(r, why, "a row has more than %zu fields",
		    r->lim.max_fields);
	r->start[x->n++] = x->len;
	x->flen = 0;
	x->st = S_START;
	return PF_OK;
}

/* A CR inside quotes: CRLF is read as LF, a lone CR kept (and refused). */
static int
quoted_cr(struct pf_csv *r, struct rec *x, const char **why)
{
	int	 c;

	if ((c = get(r)) != '\n') {
		unget(r, c, '\r');
		return put(r, x, '\r', why);
	}
	if (++x->raw > r->lim.max_line)
		return limit(r, why, "a row is longer than %zu bytes",
		    r->lim.max_line);
	return put(r, x, '\n', why);
}

/* Byte c, neither a line end outside quotes nor EOF, in state x->st. */
static int
step(struct pf_csv *r, struct rec *x, int c, const char **why)
{
	switch (x->st) {
	case S_START:
		if (c == '"') {
			x->st = S_QUOTED;
			return PF_OK;
		}
		x->st = S_PLAIN;
		/* FALLTHROUGH */
	case S_PLAIN:
		if (c == ',')
			return next_field(r, x, why);
		if (c != '"')
			return put(r, x, c, why);
		*why = "a quote inside a field that does not start with one";
		return PF_EINVAL;
	case S_QUOTED:
		if (c == '"')
			x->st = S_CLOSED;
		else if (c == '\r')
			return quoted_cr(r, x, why);
		else
			return put(r, x, c, why);
		return PF_OK;
	case S_CLOSED:
		if (c == ',')
			return next_field(r, x, why);
		if (c == '"') {
			x->st = S_QUOTED;
			return put(r, x, c, why);
		}
		break;
	}
	*why = "only a comma or the end of the line may follow a closing quote";
	return PF_EINVAL;
}

/* One record into r->buf and r->start[0..x->n). */
static int
record(struct pf_csv *r, struct rec *x, const char **why)
{
	int	 c, rc;

	x->n = 1;
	r->start[0] = 0;
	for (;;) {
		if ((c = get(r)) == EOF) {
			if (ferror(r->f))
				return PF_EIO;
			if (x->st != S_QUOTED)
				return end_field(r, x, why);
			*why = "a quoted field is not closed";
			return PF_EINVAL;
		}
		if (c == '\r' && x->st != S_QUOTED) {
			if ((c = get(r)) == '\n')
				return end_field(r, x, why);
			unget(r, c, '\r');
			*why = "a CR that does not end the line";
			return PF_EINVAL;
		}
		if (c == '\n' && x->st != S_QUOTED)
			return end_field(r, x, why);
		if (++x->raw > r->lim.max_line)
			return limit(r, why, "a row is longer than %zu bytes",
			    r->lim.max_line);
		if ((rc = step(r, x, c, why)) != PF_OK)
			return rc;
	}
}

int
pf_csv_read(struct pf_csv *r, struct pf_csv_row *row, const char **why)
{
	struct rec	 x = { 0, 0, 0, 0, S_START };
	size_t		 i;
	int		 c, rc;

	*why = NULL;
	row->field = NULL;
	row->n = 0;
	if (!r->started)
		skip_bom(r);
	if ((c = get(r)) == EOF)
		return ferror(r->f) ? PF_EIO : PF_ENOTFOUND;
	unget(r, c, '\n');
	row->number = ++r->number;
	row->line = r->line;
	if ((rc = record(r, &x, why)) == PF_EINVAL || rc == PF_ETOOBIG)
		skip_line(r);
	if (rc != PF_OK)
		return rc;
	for (i = 0; i < x.n; i++)
		r->field[i] = r->buf + r->start[i];
	row->field = r->field;
	row->n = x.n;
	return PF_OK;
}

/*
 * Would a spreadsheet opening the file take s for a formula?  It starts
 * with one of the characters that begin one (OWASP's CSV injection
 * list), and is not a signed number, which a spreadsheet reads as the
 * number it is (an E.164 phone number is one).
 */
static int
formula(const char *s)
{
	if (s[0] == '\0' || strchr("=+-@\t\r", s[0]) == NULL)
		return 0;
	return !(strchr("+-", s[0]) != NULL && s[1] != '\0' &&
	    strspn(s + 1, "0123456789.") == strlen(s + 1));
}

/* A field that starts as a byte order mark does, read unquoted first. */
#define BOM	"\xef\xbb\xbf"

void
pf_csv_field(FILE *f, const char *s, const char *sep, int flags)
{
	int	 sheet = (flags & PF_CSV_SHEET) && formula(s);

	if (!sheet && strpbrk(s, ",\"\r\n") == NULL &&
	    strncmp(s, BOM, strlen(BOM)) != 0) {
		fprintf(f, "%s%s", s, sep);
		return;
	}
	putc('"', f);
	if (sheet)
		putc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putc('"', f);
		putc(*s, f);
	}
	fprintf(f, "\"%s", sep);
}

void
pf_csv_row(FILE *f, const char *const *v, size_t n, int flags)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		pf_csv_field(f, v[i], i + 1 < n ? "," : "\r\n", flags);
}
