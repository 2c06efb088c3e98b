/*
 * fuzz_csv.c -- the RFC 4180 reader and writer (csv.h), which `privforms
 * links` reads a mailer's recipients with.
 *
 * The first byte picks the reader's limits (small ones, so that each is
 * reached, or loose ones) and whether a quoted field may hold a line end;
 * the rest is the input.  Whatever the bytes:
 *	- every answer is a documented one, the input's end comes after at
 *	  most one record per byte, and records are numbered 1, 2, 3...;
 *	- a record is within the limits and each field passes utf8.h's
 *	  check; a refusal says why in one line;
 *	- the records read, written back with pf_csv_row, read back as the
 *	  same fields;
 *	- the input with each LF made CRLF reads as the same records and
 *	  refusals (with limits loose enough for the longer lines).
 */
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "err.h"
#include "fuzz.h"
#include "utf8.h"

/* What one read gave, kept to compare two inputs' readings. */
struct reading {
	char	*text;		/* each result, rendered; open_memstream's */
	size_t	 len;
	size_t	 records;
	size_t	 good;		/* of them, not refused */
};

/* The limits for mode byte m and an input of size bytes. */
static struct pf_csv_limits
limits(unsigned m, size_t size)
{
	struct pf_csv_limits	 lim = { 8, 24, 3, 0 };

	if (m & 1) {
		lim.max_field = size + 1;
		lim.max_line = 2 * size + 2;
		lim.max_fields = PF_CSV_FIELDS_MAX;
	}
	lim.multiline = (m & 2) != 0;
	return lim;
}

/* The shape every record and refusal must have. */
static void
check(int rc, const struct pf_csv_row *row, const char *why,
    const struct pf_csv_limits *lim, unsigned long number)
{
	size_t	 i, len;

	FUZZ_ASSERT(rc == PF_OK || rc == PF_EINVAL || rc == PF_ETOOBIG);
	FUZZ_ASSERT(row->number == number);
	if (rc != PF_OK) {
		FUZZ_ASSERT(why != NULL && *why != '\0');
		FUZZ_ASSERT(strchr(why, '\n') == NULL);
		FUZZ_ASSERT(row->field == NULL && row->n == 0);
		return;
	}
	FUZZ_ASSERT(why == NULL);
	FUZZ_ASSERT(row->n >= 1 && row->n <= lim->max_fields);
	for (i = 0; i < row->n; i++) {
		len = strlen(row->field[i]);
		FUZZ_ASSERT(len <= lim->max_field);
		FUZZ_ASSERT(pf_utf8_ok(row->field[i], len, lim->multiline));
	}
}

/*
 * Read data[0..size) within lim, checking each result, into *out: each
 * record as its fields, each refusal as its code and sentence, and, when
 * back is not NULL, the records written back (pf_csv_row) on back.
 */
static void
read_all(const void *data, size_t size, const struct pf_csv_limits *lim,
    struct reading *out, FILE *back)
{
	struct pf_csv		*r;
	struct pf_csv_row	 row;
	const char		*why;
	FILE			*in, *f;
	size_t			 i;
	int			 rc;

	FUZZ_ASSERT((in = fmemopen((void *)data, size, "r")) != NULL);
	FUZZ_ASSERT((f = open_memstream(&out->text, &out->len)) != NULL);
	FUZZ_ASSERT(pf_csv_open(in, lim, &r) == PF_OK);
	out->records = out->good = 0;
	while ((rc = pf_csv_read(r, &row, &why)) != PF_ENOTFOUND) {
		FUZZ_ASSERT(++out->records <= size + 1);
		check(rc, &row, why, lim, out->records);
		out->good += rc == PF_OK;
		fprintf(f, "%lu:%d:%s|", row.line, rc, why != NULL ? why : "");
		for (i = 0; i < row.n; i++)
			fprintf(f, "%s|", row.field[i]);
		putc('\n', f);
		if (rc == PF_OK && back != NULL)
			pf_csv_row(back, row.field, row.n, PF_CSV_EXACT);
	}
	pf_csv_close(r);
	fclose(f);
	fclose(in);
}

/*
 * The records read, written out, read back without a refusal, and written
 * out again as the same bytes: the same fields.
 */
static void
roundtrip(const void *data, size_t size, const struct pf_csv_limits *lim)
{
	struct pf_csv_limits	 loose = *lim;
	struct reading		 a, b;
	char			*buf = NULL, *again = NULL;
	size_t			 len = 0, alen = 0;
	FILE			*f, *g;

	FUZZ_ASSERT((f = open_memstream(&buf, &len)) != NULL);
	read_all(data, size, lim, &a, f);
	fclose(f);
	/* Quoting at most doubles a field and adds 2 bytes and a comma. */
	loose.max_line = 3 * (lim->max_line + lim->max_fields) + 2;
	FUZZ_ASSERT((g = open_memstream(&again, &alen)) != NULL);
	read_all(buf, len, &loose, &b, g);
	fclose(g);
	FUZZ_ASSERT(b.records == a.good && b.good == a.good);
	FUZZ_ASSERT(alen == len && memcmp(again, buf, len) == 0);
	free(again);
	free(b.text);
	free(a.text);
	free(buf);
}

/* With each LF made CRLF, the same records, refusals and lines. */
static void
crlf(const char *data, size_t size, struct pf_csv_limits lim)
{
	struct reading	 a, b;
	char		*wide;
	size_t		 n;

	if (memchr(data, '\r', size) != NULL)
		return;
	lim.max_field = size + 1;
	lim.max_line = 2 * size + 2;
	wide = fuzz_crlf(data, size, &n);
	read_all(data, size, &lim, &a, NULL);
	read_all(wide, n, &lim, &b, NULL);
	FUZZ_ASSERT(a.records == b.records);
	FUZZ_ASSERT(a.len == b.len && memcmp(a.text, b.text, a.len) == 0);
	free(b.text);
	free(a.text);
	free(wide);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_csv_limits	 lim;

	if (size == 0)
		return 0;
	lim = limits(data[0], size - 1);
	roundtrip(data + 1, size - 1, &lim);
	crlf((const char *)data + 1, size - 1, lim);
	return 0;
}
