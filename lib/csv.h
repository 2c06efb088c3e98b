/*
 * csv.h -- comma-separated values (RFC 4180): the one reader and the one
 * writer of the project.
 *
 * Reading.  A reader takes records from a stream one at a time, within
 * limits its caller sets, so that no input can make it hold more than
 * max_line bytes.  The grammar is RFC 4180's, strictly:
 *
 *	- fields are separated by ',' and records end with CRLF or LF (the
 *	  last one may end with the input instead);
 *	- a field that starts with '"' is quoted: it ends at the next lone
 *	  '"', a doubled "" inside it is one '"', and it may hold ',' and
 *	  line ends (CRLF in it is read as LF); only ',' or the record's end
 *	  may follow its closing quote;
 *	- a '"' anywhere in a field that does not start with one, and a CR
 *	  outside quotes that is not followed by LF, are errors;
 *	- a UTF-8 byte order mark at the start of the input is skipped
 *	  (spreadsheets write one);
 *	- an empty line is a record of one empty field.
 *
 * Every field must be acceptable text (utf8.h: well-formed UTF-8, no NUL,
 * no control character but tab, and a line end only where the limits allow
 * one), at most max_field bytes; a record at most max_fields fields and
 * max_line bytes as read (quotes and line ends included).
 *
 * A record that breaks a rule is refused: the reader says which rule, in a
 * sentence that never quotes the input, and which record it was, so that a
 * caller can name the row without echoing what it held.  It then skips to
 * the next LF and goes on from there: the rows after a bad one are still
 * read (an unclosed quote spoils at most max_line bytes).
 *
 * Writing.  pf_csv_field and pf_csv_row write records that the reader
 * (and any RFC 4180 reader) reads back as the same fields; PF_CSV_SHEET
 * adds OWASP's guard against spreadsheet formulas, for the files people
 * open in a spreadsheet.
 */
#ifndef PF_CSV_H
#define PF_CSV_H

#include <stddef.h>
#include <stdio.h>

/* What one reader accepts; every limit at least 1. */
struct pf_csv_limits {
	size_t		 max_field;	/* bytes of one field, unquoted */
	size_t		 max_line;	/* bytes of one record, as read */
	size_t		 max_fields;	/* fields of one record */
	int		 multiline;	/* 1: a quoted field may hold LF */
};

struct pf_csv;

/* One record, as pf_csv_read returns it. */
struct pf_csv_row {
	const char	*const *field;	/* n NUL-terminated fields, owned by
					   the reader, valid until its next
					   read or close */
	size_t		 n;		/* at least 1 */
	unsigned long	 number;	/* the record's number, from 1 (a
					   header line is record 1) */
	unsigned long	 line;		/* the line it starts on, from 1 */
};

/*
 * A reader of f within lim (copied), in *out (pf_csv_close).  f stays the
 * caller's: the reader never closes it.  PF_OK, PF_EINVAL (a limit of 0,
 * or max_fields over PF_CSV_FIELDS_MAX) or PF_ENOMEM.
 */
#define PF_CSV_FIELDS_MAX	1024
int pf_csv_open(FILE *f, const struct pf_csv_limits *lim, struct pf_csv **out);

/*
 * The next record into *row.  Returns
 *	PF_OK		a record, in *row;
 *	PF_ENOTFOUND	the end of the input: no more records;
 *	PF_EINVAL	the record numbered row->number (starting on row->line)
 *			broke a rule of the grammar or the text check, which
 *			*why (static, English, never quoting the input) says;
 *	PF_ETOOBIG	the same for a limit (a field, the record or the
 *			number of fields too large);
 *	PF_EIO		the stream failed (ferror): stop reading;
 *	PF_ENOMEM	out of memory: stop reading.
 * After PF_EINVAL or PF_ETOOBIG the next call goes on from the line after.
 * row->field is NULL and row->n 0 on anything but PF_OK.
 */
int pf_csv_read(struct pf_csv *r, struct pf_csv_row *row, const char **why);

/* Free r and what it returned; NULL is ignored. */
void pf_csv_close(struct pf_csv *r);

/*
 * Writing flags.  PF_CSV_SHEET: a field a spreadsheet would run as a
 * formula (it starts with = + - @, a tab or a CR and is not a signed
 * number such as an E.164 phone number) is quoted and starts with a '
 * (OWASP's CSV injection advice); the file then no longer holds the field
 * as it was, so a file for a program (a mailer) is written without it.
 */
enum { PF_CSV_EXACT = 0, PF_CSV_SHEET = 1 << 0 };

/*
 * One field s on f, then sep: quoted (with each '"' doubled) when it holds
 * ',', '"', CR or LF, when it starts with U+FEFF (a reader would skip it
 * as a byte order mark at the start of a file), or when flags has
 * PF_CSV_SHEET and s is a formula.
 */
void pf_csv_field(FILE *f, const char *s, const char *sep, int flags);

/* One record on f: the n fields of v, each a pf_csv_field, then CRLF. */
void pf_csv_row(FILE *f, const char *const *v, size_t n, int flags);

#endif
