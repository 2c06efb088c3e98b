/* test_xmlw.c -- the checked XML writer (xmlw.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "err.h"
#include "nitems.h"
#include "xmlw.h"

/* What a writer wrote to a memory stream. */
struct out {
	FILE	*f;
	char	*buf;
	size_t	 len;
};

static struct pf_xmlw *
open_out(struct out *o)
{
	struct pf_xmlw	*w = NULL;

	memset(o, 0, sizeof(*o));
	o->f = open_memstream(&o->buf, &o->len);
	ck_assert_ptr_nonnull(o->f);
	ck_assert_int_eq(pf_xmlw_open(o->f, &w), PF_OK);
	ck_assert_ptr_nonnull(w);
	return w;
}

/* Close w, then the stream: the document as text (the caller frees). */
static char *
close_out(struct out *o, struct pf_xmlw *w, int want)
{
	ck_assert_int_eq(pf_xmlw_close(w), want);
	ck_assert_int_eq(fclose(o->f), 0);
	return o->buf;
}

START_TEST(test_document_as_written)
{
	struct out	 o;
	struct pf_xmlw	*w = open_out(&o);
	char		*s;

	pf_xmlw_pi(w, "xml-stylesheet", "type=\"text/xsl\" href=\"a.xsl\"");
	pf_xmlw_start(w, "root", "urn:test:1");
	pf_xmlw_attr(w, "version", "1");
	pf_xmlw_attr(w, "absent", NULL);
	pf_xmlw_attr_ll(w, "n", -42);
	pf_xmlw_start(w, "item", NULL);
	pf_xmlw_elem(w, "text", "a < b & \"c\"\nsecond line");
	pf_xmlw_elem(w, "none", NULL);
	pf_xmlw_elem_ll(w, "id", 7);
	pf_xmlw_end(w);
	ck_assert_int_eq(pf_xmlw_status(w), PF_OK);
	s = close_out(&o, w, PF_OK);	/* closes root too */
	ck_assert_str_eq(s,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<?xml-stylesheet type=\"text/xsl\" href=\"a.xsl\"?>\n"
	    "<root version=\"1\" n=\"-42\" xmlns=\"urn:test:1\">\n"
	    " <item>\n"
	    "  <text>a &lt; b &amp; &quot;c&quot;\nsecond line</text>\n"
	    "  <id>7</id>\n"
	    " </item>\n"
	    "</root>\n");
	free(s);
}
END_TEST

/*
 * Values libxml2 2.9.14 would write as they are, making a file that does
 * not parse; the last is refused only as an attribute, which is one line
 * (test_document_as_written writes it as element text).
 */
static const char *const refused[] = {
	"bell\a", "control U+0001 \x01", "broken \xc3 UTF-8",
	"carriage\rreturn", "\xef\xbf\xbe" /* U+FFFE */, "esc\x1b[31m",
	"two\nlines",
};

/* Write refused[i] as element text (as 0) or an attribute, then more. */
static void
bad_text_fails_and_stops(size_t i, int as_attr)
{
	struct out	 o;
	struct pf_xmlw	*w = open_out(&o);
	char		*s;

	pf_xmlw_start(w, "root", NULL);
	pf_xmlw_put(w, as_attr ? PF_XMLW_ATTR : PF_XMLW_ELEM, "v", refused[i]);
	ck_assert_int_eq(pf_xmlw_status(w), PF_EXML);
	/* Everything after the failure is left out. */
	pf_xmlw_elem(w, "after", "fine");
	s = close_out(&o, w, PF_EXML);
	ck_assert_ptr_null(strstr(s, "after"));
	ck_assert_ptr_null(strstr(s, refused[i]));
	free(s);
}

START_TEST(test_bad_text_refused_as_element)
{
	bad_text_fails_and_stops(_i, 0);
}
END_TEST

START_TEST(test_bad_text_refused_as_attribute)
{
	bad_text_fails_and_stops(_i, 1);
}
END_TEST

START_TEST(test_first_failure_is_kept)
{
	struct out	 o;
	struct pf_xmlw	*w = open_out(&o);

	pf_xmlw_start(w, "root", NULL);
	ck_assert_int_eq(pf_xmlw_fail(w, PF_OK), PF_OK);
	ck_assert_int_eq(pf_xmlw_fail(w, PF_ESTORE), PF_ESTORE);
	ck_assert_int_eq(pf_xmlw_fail(w, PF_ENOMEM), PF_ESTORE);
	pf_xmlw_elem(w, "e", "bad\a");
	ck_assert_int_eq(pf_xmlw_status(w), PF_ESTORE);
	free(close_out(&o, w, PF_ESTORE));
}
END_TEST

START_TEST(test_libxml2_failure_is_kept)
{
	struct out	 o;
	struct pf_xmlw	*w = open_out(&o);

	/* An end with no element open: libxml2 refuses it. */
	pf_xmlw_end(w);
	ck_assert_int_eq(pf_xmlw_status(w), PF_EXML);
	free(close_out(&o, w, PF_EXML));
}
END_TEST

struct row {
	long long	 id;
	const char	*name;
	int		 n;
	const char	*none;
};

static const struct pf_xmlw_field row_fields[] = {
	PF_XMLW_FIELD(struct row, id, "id"),
	PF_XMLW_FIELD(struct row, name, "the-name"),
	PF_XMLW_FIELD(struct row, n, "n"),
	PF_XMLW_FIELD(struct row, none, "none"),
};

START_TEST(test_fields_in_table_order)
{
	struct row	 r = { 9000000000LL, "x & y", -3, NULL };
	struct out	 o;
	struct pf_xmlw	*w = open_out(&o);
	char		*s;

	ck_assert_int_eq(row_fields[0].kind, PF_XMLW_LL);
	ck_assert_int_eq(row_fields[1].kind, PF_XMLW_TEXT);
	ck_assert_int_eq(row_fields[2].kind, PF_XMLW_INT);
	pf_xmlw_start(w, "row", NULL);
	pf_xmlw_fields(w, &r, row_fields, nitems(row_fields));
	s = close_out(&o, w, PF_OK);
	ck_assert_str_eq(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<row>\n <id>9000000000</id>\n <the-name>x &amp; y</the-name>\n"
	    " <n>-3</n>\n</row>\n");
	free(s);
}
END_TEST

/* A record is one element around its fields, and the status is returned. */
START_TEST(test_record_is_one_element)
{
	struct row	 r = { 7, "a", 1, NULL };
	struct out	 o;
	struct pf_xmlw	*w = open_out(&o);
	char		*s;

	pf_xmlw_start(w, "rows", NULL);
	ck_assert_int_eq(pf_xmlw_record(w, "row", &r, row_fields,
	    nitems(row_fields)), PF_OK);
	r.name = "bad\x01";
	ck_assert_int_eq(pf_xmlw_record(w, "row", &r, row_fields,
	    nitems(row_fields)), PF_EXML);
	free(close_out(&o, w, PF_EXML));
	w = open_out(&o);
	r.name = "a";
	pf_xmlw_record(w, "row", &r, row_fields, 2);
	s = close_out(&o, w, PF_OK);
	ck_assert_str_eq(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<row>\n <id>7</id>\n <the-name>a</the-name>\n</row>\n");
	free(s);
}
END_TEST

START_TEST(test_close_null)
{
	ck_assert_int_eq(pf_xmlw_close(NULL), PF_OK);
}
END_TEST

PF_TEST_MAIN("xmlw",
    tcase_add_test(tc, test_document_as_written),
    tcase_add_loop_test(tc, test_bad_text_refused_as_element, 0,
	nitems(refused) - 1),
    tcase_add_loop_test(tc, test_bad_text_refused_as_attribute, 0,
	nitems(refused)),
    tcase_add_test(tc, test_fields_in_table_order),
    tcase_add_test(tc, test_record_is_one_element),
    tcase_add_test(tc, test_first_failure_is_kept),
    tcase_add_test(tc, test_libxml2_failure_is_kept),
    tcase_add_test(tc, test_close_null))
