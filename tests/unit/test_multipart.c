/*
 * test_multipart.c -- multipart/form-data bodies and the Content-Type that
 * announces them (multipart.h): delimiters, part headers, files and
 * other types refused, and the same name and limit rules as urlencoded.
 */
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "err.h"
#include "multipart.h"
#include "nitems.h"
#include "params.h"

struct field {
	const char	*name, *value;
	size_t		 len;
};

#define MAX_CASE_FIELDS	4

/*
 * p[0..n) holds exactly the nf pairs f, in that order, each value
 * NUL-terminated at its length and found by its name; i names the case.
 */
static void
check_fields(const struct pf_param *p, size_t n, const struct field *f,
    size_t nf, size_t i)
{
	size_t	 j;

	ck_assert_msg(n == nf, "case %zu: %zu fields", i, n);
	for (j = 0; j < nf; j++) {
		ck_assert_msg(pf_params_find(p, n, f[j].name) == &p[j],
		    "case %zu: no %s, or not in body order", i, f[j].name);
		ck_assert_msg(p[j].len == f[j].len &&
		    memcmp(p[j].value, f[j].value, p[j].len) == 0 &&
		    p[j].value[p[j].len] == '\0', "case %zu: field %zu", i, j);
	}
}

/* 4 fields, 16 bytes a value: every limit is easy to reach. */
static const struct pf_limits lim = { 1024, 4, 16 };

#define MP	"multipart/form-data; boundary=XyZ"
#define CD(n)	"Content-Disposition: form-data; name=\"" n "\"\r\n"
#define PART(n, v) "--XyZ\r\n" CD(n) "\r\n" v "\r\n"
#define CLOSE	"--XyZ--\r\n"

struct mcase {
	const char	*ctype, *body;
	int		 rc;
	size_t		 n;
	struct field	 f[MAX_CASE_FIELDS];
};

static const struct mcase mcases[] = {
	{ MP, PART("a", "1") PART("b", "two words") CLOSE, PF_OK, 2,
	    { { "a", "1", 1 }, { "b", "two words", 9 } } },
	{ "multipart/form-data; boundary=\"XyZ\"", PART("a", "1") CLOSE,
	    PF_OK, 1, { { "a", "1", 1 } } },
	{ "Multipart/Form-Data; charset=utf-8; boundary=XyZ",
	    PART("a", "1") CLOSE, PF_OK, 1, { { "a", "1", 1 } } },
	{ "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
	    "------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n" CD("a") "\r\nx\r\n"
	    "------WebKitFormBoundary7MA4YWxkTrZu0gW--\r\n", PF_OK, 1,
	    { { "a", "x", 1 } } },
	/* RFC 8058 section 8.3 with errata 5117 and 8927 applied. */
	{ "multipart/form-data; boundary=-FormBoundaryjWmhtjORrn",
	    "---FormBoundaryjWmhtjORrn\r\n"
	    "Content-Disposition: form-data; name=\"List-Unsubscribe\"\r\n"
	    "\r\nOne-Click\r\n---FormBoundaryjWmhtjORrn--", PF_OK, 1,
	    { { "List-Unsubscribe", "One-Click", 9 } } },
	/* The same as the RFC prints it: delimiters without the "--". */
	{ "multipart/form-data; boundary=---FormBoundaryjWmhtjORrn",
	    "---FormBoundaryjWmhtjORrn\r\n"
	    "Content-Disposition: form-data; name=\"List-Unsubscribe\"\r\n"
	    "\r\nOne-Click\r\n---FormBoundaryjWmhtjORrn--", PF_OK, 1,
	    { { "List-Unsubscribe", "One-Click", 9 } } },
	/* Values keep their line breaks and may look like delimiters. */
	{ MP, PART("a", "l1\r\nl2\r\n--XyZa") CLOSE, PF_EINVAL, 0, { { 0 } } },
	{ MP, PART("a", "l1\r\nl2\r\n-XyZ") CLOSE, PF_OK, 1,
	    { { "a", "l1\r\nl2\r\n-XyZ", 12 } } },
	{ MP, PART("a", "") CLOSE, PF_OK, 1, { { "a", "", 0 } } },
	{ MP, "preamble\r\n" PART("a", "1") CLOSE "epilogue", PF_OK, 1,
	    { { "a", "1", 1 } } },
	{ MP, "--XyZ \t\r\n" CD("a") "\r\n1\r\n" CLOSE, PF_OK, 1,
	    { { "a", "1", 1 } } },
	{ MP, "--XyZ\r\ncontent-disposition: FORM-DATA; NAME=a\r\n"
	    "X-Other: 1\r\n\r\n1\r\n" CLOSE, PF_OK, 1, { { "a", "1", 1 } } },
	{ MP, "--XyZ\r\n" CD("a") "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n1\r\n" CLOSE, PF_OK, 1,
	    { { "a", "1", 1 } } },
	{ MP, "--XyZ\r\nContent-Disposition: form-data; name=\"a\\\"b\"\r\n"
	    "\r\n1\r\n" CLOSE, PF_OK, 1, { { "a\"b", "1", 1 } } },
	/* Closing delimiter missing, or the body cut short. */
	{ MP, PART("a", "1"), PF_EINVAL, 0, { { 0 } } },
	{ MP, "--XyZ\r\n" CD("a") "\r\n1", PF_EINVAL, 0, { { 0 } } },
	{ MP, "--XyZ\r\n" CD("a"), PF_EINVAL, 0, { { 0 } } },
	{ MP, "", PF_EINVAL, 0, { { 0 } } },
	{ MP, "a=1", PF_EINVAL, 0, { { 0 } } },
	{ MP, "--XyZjunk\r\n" CD("a") "\r\n1\r\n" CLOSE, PF_EINVAL, 0,
	    { { 0 } } },
	/* Bare LF line endings are not multipart. */
	{ MP, "--XyZ\nContent-Disposition: form-data; name=\"a\"\n\n1\n--XyZ--",
	    PF_EINVAL, 0, { { 0 } } },
	/* Files are refused, and anything but plain UTF-8 text. */
	{ MP, "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; "
	    "filename=\"a.txt\"\r\n\r\nx\r\n" CLOSE, PF_EINVAL, 0, { { 0 } } },
	{ MP, "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; "
	    "filename*=UTF-8''a.txt\r\n\r\nx\r\n" CLOSE, PF_EINVAL, 0,
	    { { 0 } } },
	{ MP, "--XyZ\r\n" CD("a") "Content-Type: image/png\r\n\r\nx\r\n" CLOSE,
	    PF_EINVAL, 0, { { 0 } } },
	{ MP, "--XyZ\r\n" CD("a") "Content-Type: text/plain; charset=latin1\r\n"
	    "\r\nx\r\n" CLOSE, PF_EINVAL, 0, { { 0 } } },
	{ MP, "--XyZ\r\n" CD("a") "Content-Transfer-Encoding: base64\r\n"
	    "\r\neA==\r\n" CLOSE, PF_EINVAL, 0, { { 0 } } },
	/* Broken part headers. */
	{ MP, "--XyZ\r\n\r\n1\r\n" CLOSE, PF_EINVAL, 0, { { 0 } } },
	{ MP, "--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n"
	    "1\r\n" CLOSE, PF_EINVAL, 0, { { 0 } } },
	{ MP, "--XyZ\r\nContent-Disposition: form-data\r\n\r\n1\r\n" CLOSE,
	    PF_EINVAL, 0, { { 0 } } },
	{ MP, "--XyZ\r\n" CD("a") CD("b") "\r\n1\r\n" CLOSE, PF_EINVAL, 0,
	    { { 0 } } },
	{ MP, "--XyZ\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n"
	    "\r\n1\r\n" CLOSE, PF_EINVAL, 0, { { 0 } } },
	{ MP, "--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\n1\r\n"
	    CLOSE, PF_EINVAL, 0, { { 0 } } },
	{ MP, "--XyZ\r\nno colon here\r\n" CD("a") "\r\n1\r\n" CLOSE,
	    PF_EINVAL, 0, { { 0 } } },
	/* The same limits and name rules as urlencoded. */
	{ MP, PART("a", "1") PART("a", "2") CLOSE, PF_EINVAL, 0, { { 0 } } },
	{ MP, PART("", "1") CLOSE, PF_EINVAL, 0, { { 0 } } },
	{ MP, PART("a\x01", "1") CLOSE, PF_EINVAL, 0, { { 0 } } },
	{ MP, PART("a", "1") PART("b", "2") PART("c", "3") PART("d", "4") CLOSE,
	    PF_OK, 4, { { "a", "1", 1 }, { "b", "2", 1 }, { "c", "3", 1 },
	    { "d", "4", 1 } } },
	{ MP, PART("a", "1") PART("b", "2") PART("c", "3") PART("d", "4")
	    PART("e", "5") CLOSE, PF_ETOOBIG, 0, { { 0 } } },
	{ MP, PART("a", "0123456789abcdef") CLOSE, PF_OK, 1,
	    { { "a", "0123456789abcdef", 16 } } },
	{ MP, PART("a", "0123456789abcdefg") CLOSE, PF_ETOOBIG, 0, { { 0 } } },
	/* Boundary parameter: 1 to 70 bchars. */
	{ "multipart/form-data; boundary=", PART("a", "1") CLOSE, PF_EMEDIA, 0,
	    { { 0 } } },
	{ "multipart/form-data; boundary=\"\"", PART("a", "1") CLOSE,
	    PF_EINVAL, 0, { { 0 } } },
	{ "multipart/form-data; boundary=\"a b \"", "--a b \r\n" CD("a")
	    "\r\n1\r\n--a b --", PF_EINVAL, 0, { { 0 } } },
	{ "multipart/form-data; boundary=\"a b\"", "--a b\r\n" CD("a")
	    "\r\n1\r\n--a b--", PF_OK, 1, { { "a", "1", 1 } } },
	{ "multipart/form-data; boundary=XyZ; boundary=XyZ",
	    PART("a", "1") CLOSE, PF_EINVAL, 0, { { 0 } } },
	{ "multipart/form-data; boundary=\"a<b\"", "--a<b\r\n" CD("a")
	    "\r\n1\r\n--a<b--", PF_EINVAL, 0, { { 0 } } },
};

/*
 * What pf_request_read_form does with a body: its Content-Type read by
 * pf_multipart_media (which must name multipart when it accepts), then
 * the body parsed; *p and *n as pf_multipart_parse leaves them.
 */
static int
parse(const char *ctype, const char *body, size_t len, struct pf_param **p,
    size_t *n, const char **why)
{
	char			 boundary[PF_BOUNDARY_MAX + 1];
	enum pf_body_kind	 kind;
	int			 rc;

	*p = NULL;
	*n = 0;
	*why = NULL;
	if ((rc = pf_multipart_media(ctype, &kind, boundary, why)) != PF_OK)
		return rc;
	ck_assert_int_eq(kind, PF_BODY_MULTIPART);
	return pf_multipart_parse(body, len, boundary, &lim, p, n, why);
}

START_TEST(test_multipart_table)
{
	struct pf_param	*p;
	const char	*why;
	size_t		 i, n;
	int		 rc;

	for (i = 0; i < nitems(mcases); i++) {
		rc = parse(mcases[i].ctype, mcases[i].body,
		    strlen(mcases[i].body), &p, &n, &why);
		ck_assert_msg(rc == mcases[i].rc, "case %zu: %d (%s)", i, rc,
		    why != NULL ? why : "");
		if (rc == PF_OK)
			check_fields(p, n, mcases[i].f, mcases[i].n, i);
		else {
			ck_assert_ptr_nonnull(why);
			ck_assert_ptr_null(p);
			ck_assert_uint_eq(n, 0);
		}
		pf_params_free(p, n);
	}
}
END_TEST

START_TEST(test_multipart_boundary_length_limit)
{
	char		 ct[128], body[256], b[72];
	struct pf_param	*p;
	const char	*why;
	size_t		 len, n;

	for (len = 70; len <= 71; len++) {
		memset(b, 'b', len);
		b[len] = '\0';
		snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b);
		snprintf(body, sizeof(body), "--%s\r\n" CD("a") "\r\n1\r\n"
		    "--%s--", b, b);
		ck_assert_int_eq(parse(ct, body, strlen(body), &p, &n, &why),
		    len == 70 ? PF_OK : PF_EINVAL);
		pf_params_free(p, n);
	}
}
END_TEST

START_TEST(test_multipart_keeps_nul_with_len)
{
	static const char	 body[] = PART("a", "x\0y") CLOSE;
	struct pf_param		*p;
	const struct pf_param	*a;
	const char		*why;
	size_t			 n;

	ck_assert_int_eq(parse(MP, body, sizeof(body) - 1, &p, &n, &why),
	    PF_OK);
	a = pf_params_find(p, n, "a");
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->len, 3);
	ck_assert_mem_eq(a->value, "x\0y", 4);
	pf_params_free(p, n);
}
END_TEST

START_TEST(test_multipart_file_refused_with_message)
{
	static const char	 body[] = "--XyZ\r\nContent-Disposition: "
	    "form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\nx\r\n" CLOSE;
	struct pf_param		*p;
	const char		*why;
	size_t			 n;

	ck_assert_int_eq(parse(MP, body, sizeof(body) - 1, &p, &n, &why),
	    PF_EINVAL);
	ck_assert_str_eq(why, "This form does not accept file uploads.");
}
END_TEST

START_TEST(test_media_names_the_encoding_and_boundary)
{
	static const struct {
		const char		*ctype;
		int			 rc;
		enum pf_body_kind	 kind;
		const char		*boundary;	/* multipart's */
	} cases[] = {
		{ "application/x-www-form-urlencoded", PF_OK,
		    PF_BODY_URLENCODED, NULL },
		{ "application/x-www-form-urlencoded; boundary=x", PF_OK,
		    PF_BODY_URLENCODED, NULL },
		{ MP, PF_OK, PF_BODY_MULTIPART, "XyZ" },
		{ "multipart/form-data; boundary=\"a\\\"b\"", PF_EINVAL,
		    PF_BODY_MULTIPART, NULL },
		{ "multipart/form-data; boundary=\"a b\"", PF_OK,
		    PF_BODY_MULTIPART, "a b" },
		{ "text/plain", PF_EMEDIA, PF_BODY_URLENCODED, NULL },
	};
	char			 boundary[PF_BOUNDARY_MAX + 1];
	enum pf_body_kind	 kind;
	const char		*why;
	size_t			 i;

	for (i = 0; i < nitems(cases); i++) {
		why = NULL;
		ck_assert_msg(pf_multipart_media(cases[i].ctype, &kind,
		    boundary, &why) == cases[i].rc, "case %zu", i);
		if (cases[i].rc != PF_OK) {
			ck_assert_ptr_nonnull(why);
			continue;
		}
		ck_assert_int_eq(kind, cases[i].kind);
		if (cases[i].boundary != NULL)
			ck_assert_str_eq(boundary, cases[i].boundary);
	}
}
END_TEST

START_TEST(test_multipart_null_limits_are_the_built_in_ones)
{
	struct pf_param	*p;
	const char	*why = NULL;
	size_t		 n;

	/* 17 bytes: over lim's 16, well within pf_params_limits. */
	ck_assert_int_eq(pf_multipart_parse(PART("a", "0123456789abcdefg")
	    CLOSE, sizeof(PART("a", "0123456789abcdefg") CLOSE) - 1, "XyZ",
	    NULL, &p, &n, &why), PF_OK);
	ck_assert_uint_eq(p[0].len, 17);
	pf_params_free(p, n);
}
END_TEST

PF_TEST_MAIN("multipart",
    tcase_add_test(tc, test_multipart_table),
    tcase_add_test(tc, test_multipart_boundary_length_limit),
    tcase_add_test(tc, test_multipart_keeps_nul_with_len),
    tcase_add_test(tc, test_multipart_file_refused_with_message),
    tcase_add_test(tc, test_media_names_the_encoding_and_boundary),
    tcase_add_test(tc, test_multipart_null_limits_are_the_built_in_ones))
