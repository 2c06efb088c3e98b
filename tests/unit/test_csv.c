/* test_csv.c -- the RFC 4180 reader and writer (csv.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "csv.h"
#include "err.h"
#include "nitems.h"

/* Small limits, so that each is easy to reach. */
static const struct pf_csv_limits small = { 16, 40, 4, 0 };
static const struct pf_csv_limits lines = { 16, 40, 4, 1 };

/*
 * Everything a reader makes of in[0..len): each record as its fields in
 * brackets, "[a][b]", each refused one as "!" and its number, joined by
 * "/"; the first refusal's sentence in why ("" if none).  The input's end
 * must come after at most len + 1 records.
 */
static void
read_all(const char *in, size_t len, const struct pf_csv_limits *lim,
    char *out, size_t outlen, char *why, size_t whylen)
{
	struct pf_csv		*r;
	struct pf_csv_row	 row;
	const char		*w;
	FILE			*f = fmemopen((void *)in, len, "r");
	size_t			 i, count;
	int			 rc;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pf_csv_open(f, lim, &r), PF_OK);
	*out = '\0';
	*why = '\0';
	for (count = 0; (rc = pf_csv_read(r, &row, &w)) != PF_ENOTFOUND;
	    count++) {
		ck_assert_uint_le(count, len);
		if (count > 0)
			strncat(out, "/", outlen - strlen(out) - 1);
		if (rc != PF_OK) {
			ck_assert(rc == PF_EINVAL || rc == PF_ETOOBIG);
			ck_assert(w != NULL && *w != '\0');
			if (*why == '\0')
				snprintf(why, whylen, "%s", w);
			snprintf(out + strlen(out), outlen - strlen(out),
			    "!%lu", row.number);
			continue;
		}
		ck_assert_ptr_null(w);
		for (i = 0; i < row.n; i++)
			snprintf(out + strlen(out), outlen - strlen(out),
			    "[%s]", row.field[i]);
	}
	pf_csv_close(r);
	fclose(f);
}

struct sample {
	const char	*name;
	const char	*in;
	size_t		 len;	/* bytes, since some hold a NUL */
	const char	*out;	/* read_all's rendering */
	const char	*why;	/* a part of the first refusal's sentence */
};

#define OK(name, lit, out) { name, lit, sizeof(lit) - 1, out, NULL }
#define BAD(name, lit, out, why) { name, lit, sizeof(lit) - 1, out, why }

static const struct sample accepted[] = {
	OK("empty input", "", ""),
	OK("CRLF", "a,b\r\nc,d\r\n", "[a][b]/[c][d]"),
	OK("LF, no line end at the end", "a,b\nc,d", "[a][b]/[c][d]"),
	OK("CRLF and LF mixed", "a\r\nb\nc\r\n", "[a]/[b]/[c]"),
	OK("quoted comma", "\"a,b\",c\n", "[a,b][c]"),
	OK("doubled quotes", "\"say \"\"hi\"\"\",x\n", "[say \"hi\"][x]"),
	OK("only a doubled quote", "\"\"\"\"\n", "[\"]"),
	OK("empty fields", ",,\n", "[][][]"),
	OK("empty quoted field", "\"\",a\r\n", "[][a]"),
	OK("quoted field ends the line with CRLF", "a,\"b\"\r\nc", "[a][b]/[c]"),
	OK("empty line is one empty field", "a\n\nb\n", "[a]/[]/[b]"),
	OK("only a line end", "\n", "[]"),
	OK("byte order mark skipped", "\xef\xbb\xbf" "a,b\n", "[a][b]"),
	OK("byte order mark only", "\xef\xbb\xbf", ""),
	OK("blanks kept", " a , b \n", "[ a ][ b ]"),
	OK("tab allowed", "a\tb\n", "[a\tb]"),
	OK("UTF-8", "Zo\xc3\xab,\xe6\x97\xa5\xe6\x9c\xac\n",
	    "[Zo\xc3\xab][\xe6\x97\xa5\xe6\x9c\xac]"),
	OK("field at its limit", "aaaaaaaaaaaaaaaa\n", "[aaaaaaaaaaaaaaaa]"),
	OK("fields at their limit", "a,b,c,d\n", "[a][b][c][d]"),
	/* 40 bytes, the line end not counted. */
	OK("row at its limit",
	    "aaaaaaaaaaaaaaa,bbbbbbbbbbbbbbb,\"cccc\"\"\"\r\n",
	    "[aaaaaaaaaaaaaaa][bbbbbbbbbbbbbbb][cccc\"]"),
};

static const struct sample refused[] = {
	BAD("quote in a plain field", "a\"b,c\nok\n", "!1/[ok]",
	    "a quote inside a field"),
	BAD("text after a closing quote", "\"ab\"c,d\nok\n", "!1/[ok]",
	    "only a comma"),
	BAD("blank after a closing quote", "\"ab\" ,d\nok\n", "!1/[ok]",
	    "only a comma"),
	BAD("quote never closed", "ok\n\"abc", "[ok]/!2", "not closed"),
	BAD("lone CR", "a\rb\nok\n", "!1/[ok]", "a CR"),
	BAD("CR at the end", "ok\na\r", "[ok]/!2", "a CR"),
	BAD("NUL", "a\0b\nok\n", "!1/[ok]", "control character"),
	BAD("C0 control", "a\x01" "b,c\nok\n", "!1/[ok]", "control character"),
	BAD("escape", "\x1b[31m\nok", "!1/[ok]", "control character"),
	BAD("DEL", "a\x7f\nok", "!1/[ok]", "control character"),
	BAD("C1 control", "\xc2\x85\nok", "!1/[ok]", "control character"),
	BAD("lone CR in quotes", "\"a\rb\"\nok", "!1/[ok]",
	    "control character"),
	BAD("invalid byte", "\xff,a\nok", "!1/[ok]", "not valid UTF-8"),
	BAD("surrogate", "\xed\xa0\x80\nok", "!1/[ok]", "not valid UTF-8"),
	BAD("overlong", "\xc0\xaf\nok", "!1/[ok]", "not valid UTF-8"),
	BAD("cut sequence", "ok\n\xe2\x82", "[ok]/!2", "not valid UTF-8"),
	BAD("byte order mark cut", "\xef\xbb", "!1", "not valid UTF-8"),
	BAD("line break in quotes", "\"a\nb\",c\nok", "!1/[ok]",
	    "line break"),
	BAD("field too long", "aaaaaaaaaaaaaaaaa\nok\n", "!1/[ok]", "longer"),
	BAD("quoted field too long", "\"aaaaaaaa\"\"aaaaaaaa\"\nok\n",
	    "!1/[ok]", "longer"),
	BAD("too many fields", "a,b,c,d,e\nok\n", "!1/[ok]", "more than"),
	BAD("row too long",
	    "aaaaaaaaaaaaaaa,bbbbbbbbbbbbbbb,\"ccccc\"\"\"\nok",
	    "!1/[ok]", "longer"),
	BAD("numbers go on after a bad row", "ok\nb\"ad\nok2\n\xff\nok3",
	    "[ok]/!2/[ok2]/!4/[ok3]", "a quote inside"),
};

START_TEST(test_read_accepted)
{
	char		 out[512], why[128];

	read_all(accepted[_i].in, accepted[_i].len, &small, out,
	    sizeof(out), why, sizeof(why));
	ck_assert_msg(strcmp(out, accepted[_i].out) == 0, "%s: %s",
	    accepted[_i].name, out);
	ck_assert_str_eq(why, "");
}
END_TEST

START_TEST(test_read_refused)
{
	char		 out[512], why[128];

	read_all(refused[_i].in, refused[_i].len, &small, out, sizeof(out),
	    why, sizeof(why));
	ck_assert_msg(strcmp(out, refused[_i].out) == 0, "%s: %s",
	    refused[_i].name, out);
	ck_assert_msg(strstr(why, refused[_i].why) != NULL, "%s: %s",
	    refused[_i].name, why);
}
END_TEST

/* The limits' sentences say the limit, and no sentence quotes the input. */
START_TEST(test_why_names_the_rule_not_the_input)
{
	static const struct pf_test_case t[] = {
		{ "SECRET\"x\n", "a quote inside a field that does not start "
		  "with one" },
		{ "SECRETSECRETSECRET\n", "a field is longer than 16 bytes" },
		{ "S,E,C,R,E,T\n", "a row has more than 4 fields" },
		{ "SECRET\x01\n", "a field holds a control character" },
	};
	struct pf_csv		*r;
	struct pf_csv_row	 row;
	const char		*why;
	FILE			*f;
	size_t			 i;

	for (i = 0; i < nitems(t); i++) {
		f = fmemopen((void *)t[i].in, strlen(t[i].in), "r");
		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(pf_csv_open(f, &small, &r), PF_OK);
		ck_assert_int_ne(pf_csv_read(r, &row, &why), PF_OK);
		ck_assert_str_eq(why, t[i].want);
		ck_assert_int_eq(pf_csv_read(r, &row, &why), PF_ENOTFOUND);
		pf_csv_close(r);
		fclose(f);
	}
}
END_TEST

/* With multiline, a quoted field holds a line end (CRLF read as LF). */
START_TEST(test_multiline)
{
	static const char	 in[] = "\"a\r\nb\",c\n\"x\ny\"\r\nd\n";
	struct pf_csv		*r;
	struct pf_csv_row	 row;
	const char		*why;
	char			 out[128], first[128];
	FILE			*f = fmemopen((void *)in, sizeof(in) - 1, "r");

	read_all(in, sizeof(in) - 1, &lines, out, sizeof(out), first,
	    sizeof(first));
	ck_assert_str_eq(out, "[a\nb][c]/[x\ny]/[d]");
	/* Each record says the line it starts on. */
	ck_assert_int_eq(pf_csv_open(f, &lines, &r), PF_OK);
	ck_assert_int_eq(pf_csv_read(r, &row, &why), PF_OK);
	ck_assert_uint_eq(row.number, 1);
	ck_assert_uint_eq(row.line, 1);
	ck_assert_int_eq(pf_csv_read(r, &row, &why), PF_OK);
	ck_assert_uint_eq(row.number, 2);
	ck_assert_uint_eq(row.line, 3);
	ck_assert_int_eq(pf_csv_read(r, &row, &why), PF_OK);
	ck_assert_uint_eq(row.number, 3);
	ck_assert_uint_eq(row.line, 5);
	pf_csv_close(r);
	fclose(f);
}
END_TEST

START_TEST(test_open_refuses_bad_limits)
{
	static const struct pf_csv_limits bad[] = {
		{ 0, 40, 4, 0 }, { 16, 0, 4, 0 }, { 16, 40, 0, 0 },
		{ 16, 40, PF_CSV_FIELDS_MAX + 1, 0 },
	};
	struct pf_csv	*r;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		ck_assert_int_eq(pf_csv_open(stdin, &bad[i], &r), PF_EINVAL);
		ck_assert_ptr_null(r);
	}
	pf_csv_close(NULL);
}
END_TEST

/* A stream that fails is PF_EIO, never the end of the input. */
START_TEST(test_read_error)
{
	struct pf_csv		*r;
	struct pf_csv_row	 row;
	const char		*why;
	FILE			*f = fopen("/", "r");	/* read: EISDIR */

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pf_csv_open(f, &small, &r), PF_OK);
	ck_assert_int_eq(pf_csv_read(r, &row, &why), PF_EIO);
	ck_assert_ptr_null(row.field);
	pf_csv_close(r);
	fclose(f);
}
END_TEST

/*
 * What the writer writes, the reader reads back as the same fields; a
 * first field that starts with U+FEFF is quoted, so that it is not taken
 * for a byte order mark.
 */
START_TEST(test_write_then_read)
{
	static const char *const bom[] = { "\xef\xbb\xbf" "a", "b" };
	static const char *const v[] = { "a", "b,c", "say \"hi\"",
	    "two\nlines", "", "=1+1", "\"", "x\r\ny" };
	static const struct pf_csv_limits lim = { 64, 256, 16, 1 };
	struct pf_csv		*r;
	struct pf_csv_row	 row;
	const char		*why;
	char			*buf = NULL;
	size_t			 len = 0, i;
	FILE			*f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	pf_csv_row(f, bom, nitems(bom), PF_CSV_EXACT);
	pf_csv_row(f, v, nitems(v), PF_CSV_EXACT);
	fclose(f);
	ck_assert_str_eq(buf, "\"\xef\xbb\xbf" "a\",b\r\n"
	    "a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",,"
	    "=1+1,\"\"\"\",\"x\r\ny\"\r\n");
	f = fmemopen(buf, len, "r");
	ck_assert_int_eq(pf_csv_open(f, &lim, &r), PF_OK);
	ck_assert_int_eq(pf_csv_read(r, &row, &why), PF_OK);
	ck_assert_uint_eq(row.n, nitems(bom));
	ck_assert_str_eq(row.field[0], bom[0]);
	ck_assert_int_eq(pf_csv_read(r, &row, &why), PF_OK);
	ck_assert_uint_eq(row.n, nitems(v));
	for (i = 0; i + 1 < nitems(v); i++)
		ck_assert_str_eq(row.field[i], v[i]);
	ck_assert_str_eq(row.field[i], "x\ny");	/* CRLF in quotes: LF */
	ck_assert_int_eq(pf_csv_read(r, &row, &why), PF_ENOTFOUND);
	pf_csv_close(r);
	fclose(f);
	free(buf);
}
END_TEST

/*
 * With PF_CSV_SHEET, a field a spreadsheet would run as a formula is
 * quoted and starts with ' (OWASP's CSV injection advice); a signed
 * number, as an E.164 phone number or a negative share is, and every
 * other field are as they were.  Without it, every field is as it was.
 */
static const struct pf_test_case formulas[] = {
	{ "=1+1@example.com", "\"'=1+1@example.com\"" },
	{ "+cmd|'/c calc'!a0", "\"'+cmd|'/c calc'!a0\"" },
	{ "-2+3", "\"'-2+3\"" },
	{ "@sum(a1)", "\"'@sum(a1)\"" },
	{ "\tx", "\"'\tx\"" },
	{ "\rx", "\"'\rx\"" },
	{ "=a,\"b\"", "\"'=a,\"\"b\"\"\"" },
	{ "+", "\"'+\"" },
	{ "+13037492110", "+13037492110" },
	{ "-12.5", "-12.5" },
	{ "a=1", "a=1" },
	{ "", "" },
};

START_TEST(test_write_sheet)
{
	char	 buf[256] = "", want[256];
	FILE	*f = fmemopen(buf, sizeof(buf), "w");

	ck_assert_ptr_nonnull(f);
	pf_csv_field(f, formulas[_i].in, "\n", PF_CSV_SHEET);
	fclose(f);
	snprintf(want, sizeof(want), "%s\n", formulas[_i].want);
	ck_assert_str_eq(buf, want);
}
END_TEST

START_TEST(test_write_exact_keeps_formulas)
{
	char	 buf[64] = "";
	FILE	*f = fmemopen(buf, sizeof(buf), "w");

	ck_assert_ptr_nonnull(f);
	pf_csv_field(f, "=1+1@example.com", ",", PF_CSV_EXACT);
	pf_csv_field(f, "@x", "\r\n", PF_CSV_EXACT);
	fclose(f);
	ck_assert_str_eq(buf, "=1+1@example.com,@x\r\n");
}
END_TEST

PF_TEST_MAIN("csv",
    PF_LOOP(test_read_accepted, accepted),
    PF_LOOP(test_read_refused, refused),
    tcase_add_test(tc, test_why_names_the_rule_not_the_input),
    tcase_add_test(tc, test_multiline),
    tcase_add_test(tc, test_open_refuses_bad_limits),
    tcase_add_test(tc, test_read_error),
    tcase_add_test(tc, test_write_then_read),
    PF_LOOP(test_write_sheet, formulas),
    tcase_add_test(tc, test_write_exact_keeps_formulas))
