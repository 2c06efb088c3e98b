/*
 * test_request.c -- building requests from CGI parameters and reading form
 * bodies: content types, CONTENT_LENGTH, limits, and each encoding's parser
 * (test_params.c, test_multipart.c) reached through the request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../mem_stream.h"
#include "check_main.h"
#include "err.h"
#include "nitems.h"
#include "request.h"

/* 1 KiB bodies, 4 fields, 16 bytes a value: every limit is easy to reach. */
static const struct pf_limits lim = { 1024, 4, 16 };

/*
 * A request from the CGI parameters env (NULL-terminated, each copied into
 * a buffer of its own as libfcgi hands them over; NULL: no list at all)
 * whose stream is m (NULL: none); asserts that building it succeeds.
 */
static void
init(struct pf_request *req, const char *const *env, struct pf_test_mem *m)
{
	char		 buf[8][600], *envp[9];
	size_t		 n = 0;
	struct pf_stream io = { pf_test_mem_read, pf_test_mem_write, m };

	for (; env != NULL && env[n] != NULL; n++) {
		ck_assert_uint_lt(n, nitems(buf));
		ck_assert_int_lt(snprintf(buf[n], sizeof(buf[n]), "%s", env[n]),
		    (int)sizeof(buf[n]));
		envp[n] = buf[n];
	}
	envp[n] = NULL;
	ck_assert_int_eq(pf_request_init(req, env != NULL ? envp : NULL, io,
	    &lim), PF_OK);
}

/*
 * A POST with this Content-Type and CONTENT_LENGTH (NULL: absent) whose
 * stream is m; asserts that building it succeeds.
 */
static void
post(struct pf_request *req, struct pf_test_mem *m, const char *ctype,
    const char *clen)
{
	char		 ct[512], cl[64];
	const char	*env[4] = { "REQUEST_METHOD=POST" };
	size_t		 n = 1;

	if (ctype != NULL) {
		snprintf(ct, sizeof(ct), "CONTENT_TYPE=%s", ctype);
		env[n++] = ct;
	}
	if (clen != NULL) {
		snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%s", clen);
		env[n++] = cl;
	}
	env[n] = NULL;
	init(req, env, m);
}

/* POST body[0..len) with its exact length; returns pf_request_read_form. */
static int
post_body(struct pf_request *req, struct pf_test_mem *m, const char *ctype,
    const char *body, size_t len)
{
	char	 cl[32];

	memset(m, 0, sizeof(*m));
	m->buf = body;
	m->len = len;
	snprintf(cl, sizeof(cl), "%zu", len);
	post(req, m, ctype, cl);
	return pf_request_read_form(req);
}

#define URLENC	"application/x-www-form-urlencoded"

/*
 * POST body as URLENC with CONTENT_LENGTH clen (NULL: absent), whatever
 * the body's length; returns pf_request_read_form.
 */
static int
post_announced(struct pf_request *req, struct pf_test_mem *m,
    const char *body, const char *clen)
{
	memset(m, 0, sizeof(*m));
	m->buf = body;
	m->len = strlen(body);
	post(req, m, URLENC, clen);
	return pf_request_read_form(req);
}

/*
 * Building the request
 */

START_TEST(test_init_copies_cgi_params)
{
	char		 e1[] = "REQUEST_METHOD=POST", e2[] = "CONTENT_TYPE=" URLENC,
			 e3[] = "QUERY_STRING=t=abc", e4[] = "REMOTE_ADDR=192.0.2.1",
			 e5[] = "CONTENT_LENGTH=42", e6[] = "HTTP_X=y",
			 e7[] = "HTTP_X_FORWARDED_FOR=198.51.100.7, 10.0.0.1";
	char		*envp[] = { e1, e2, e3, e4, e5, e6, e7, NULL };
	struct pf_test_mem	 m = { 0 };
	struct pf_stream io = { pf_test_mem_read, pf_test_mem_write, &m };
	struct pf_request req;
	size_t		 i;

	ck_assert_int_eq(pf_request_init(&req, envp, io, &lim), PF_OK);
	/* Copies, not pointers into envp, which libfcgi reuses. */
	e1[15] = e2[13] = e3[13] = e4[12] = e7[21] = 'X';
	ck_assert_str_eq(req.method, "POST");
	ck_assert_str_eq(req.content_type, URLENC);
	ck_assert_str_eq(req.query, "t=abc");
	ck_assert_str_eq(req.remote_addr, "192.0.2.1");
	ck_assert_str_eq(req.forwarded_for, "198.51.100.7, 10.0.0.1");
	ck_assert_int_eq(req.content_length, 42);
	ck_assert_int_eq(req.content_length_bad, 0);
	ck_assert_int_eq(req.head, 0);
	ck_assert_uint_eq(strlen(req.id), 32);
	for (i = 0; i < 32; i++)
		ck_assert_ptr_nonnull(strchr("0123456789abcdef", req.id[i]));
	ck_assert_uint_eq(m.reads, 0);
	pf_request_free(&req);
}
END_TEST

START_TEST(test_init_absent_params_are_empty)
{
	static const char *const none[] = { NULL };
	struct pf_request req;
	int		 i;

	for (i = 0; i < 2; i++) {
		init(&req, i ? none : NULL, NULL);
		ck_assert_str_eq(req.method, "");
		ck_assert_str_eq(req.content_type, "");
		ck_assert_str_eq(req.query, "");
		ck_assert_str_eq(req.remote_addr, "");
		ck_assert_str_eq(req.forwarded_for, "");
		ck_assert_int_eq(req.content_length, -1);
		ck_assert_int_eq(req.content_length_bad, 0);
		ck_assert_uint_eq(req.nquery, 0);
		ck_assert_int_eq(req.query_bad, 0);
		pf_request_free(&req);
	}
}
END_TEST

/* The Cookie header and every Sec-GPC line, as the consent page reads them. */
static const struct {
	const char	*env[4];
	const char	*cookie, *gpc;
} header_cases[] = {
	{ { NULL }, "", "" },
	{ { "HTTP_COOKIE=a=b; pf_consent=v=1", "HTTP_SEC_GPC=1", NULL },
	    "a=b; pf_consent=v=1", "1" },
	/* nginx before 1.23: a repeated header as repeated parameters. */
	{ { "HTTP_SEC_GPC=0", "REQUEST_METHOD=GET", "HTTP_SEC_GPC=1", NULL },
	    "", "0, 1" },
	/* Apache: already joined. */
	{ { "HTTP_SEC_GPC=1, 1", NULL }, "", "1, 1" },
	{ { "HTTP_SEC_GPCX=1", "XHTTP_SEC_GPC=1", NULL }, "", "" },
	{ { "HTTP_SEC_GPC=", "HTTP_SEC_GPC=", NULL }, "", ", " },
};

START_TEST(test_init_copies_cookie_and_joins_sec_gpc)
{
	struct pf_request	 req;
	size_t			 i;

	for (i = 0; i < nitems(header_cases); i++) {
		init(&req, header_cases[i].env, NULL);
		ck_assert_msg(strcmp(req.cookie, header_cases[i].cookie) == 0 &&
		    strcmp(req.sec_gpc, header_cases[i].gpc) == 0,
		    "case %zu: cookie '%s', sec_gpc '%s'", i, req.cookie,
		    req.sec_gpc);
		pf_request_free(&req);
	}
}
END_TEST

START_TEST(test_init_ids_differ)
{
	struct pf_request a, b;

	init(&a, NULL, NULL);
	init(&b, NULL, NULL);
	ck_assert_str_ne(a.id, b.id);
	pf_request_free(&a);
	pf_request_free(&b);
}
END_TEST

/* The method a parameter list gives: the first of repeated ones wins. */
static const struct {
	const char	*env[4];	/* NULL-terminated */
	const char	*method;
	int		 head;
} methods[] = {
	{ { "REQUEST_METHOD=HEAD" }, "HEAD", 1 },
	{ { "REQUEST_METHODX=PUT", "REQUEST_METHOD=GET",
	    "REQUEST_METHOD=POST" }, "GET", 0 },
};

START_TEST(test_init_method_and_head)
{
	struct pf_request req;

	init(&req, methods[_i].env, NULL);
	ck_assert_str_eq(req.method, methods[_i].method);
	ck_assert_int_eq(req.head, methods[_i].head);
	pf_request_free(&req);
}
END_TEST

START_TEST(test_init_parses_query)
{
	static const char *const env[] = { "QUERY_STRING=t=a%2Bb&x", NULL };
	struct pf_request req;

	init(&req, env, NULL);
	ck_assert_int_eq(req.query_bad, 0);
	ck_assert_uint_eq(req.nquery, 2);
	ck_assert_str_eq(pf_request_query(&req, "t")->value, "a+b");
	ck_assert_str_eq(pf_request_query(&req, "x")->value, "");
	ck_assert_ptr_null(pf_request_query(&req, "y"));
	pf_request_free(&req);
}
END_TEST

START_TEST(test_init_bad_query_is_not_fatal)
{
	static const char *const bad[] = {
		"QUERY_STRING=t=%zz", "QUERY_STRING=t=1&t=2",
		"QUERY_STRING=a&b&c&d&e", "QUERY_STRING=%01=1",
	};
	const char	*env[] = { NULL, NULL };
	struct pf_request req;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		env[0] = bad[i];
		init(&req, env, NULL);
		ck_assert_msg(req.query_bad == 1, "%s", bad[i]);
		ck_assert_uint_eq(req.nquery, 0);
		ck_assert_ptr_null(pf_request_query(&req, "t"));
		pf_request_free(&req);
	}
}
END_TEST

START_TEST(test_init_content_length_strict_decimal)
{
	static const struct {
		const char	*value;		/* NULL: absent */
		long long	 len;
		int		 bad;
	} cases[] = {
		{ NULL, -1, 0 },
		{ "", -1, 0 },
		{ "0", 0, 0 },
		{ "5", 5, 0 },
		{ "007", 7, 0 },
		{ "9223372036854775807", 9223372036854775807LL, 0 },
		{ "9223372036854775808", -1, 1 },
		{ "99999999999999999999", -1, 1 },
		{ "abc", -1, 1 },
		{ "-1", -1, 1 },
		{ "+5", -1, 1 },
		{ " 5", -1, 1 },
		{ "5 ", -1, 1 },
		{ "0x10", -1, 1 },
		{ "1e3", -1, 1 },
		{ "5\t", -1, 1 },
	};
	struct pf_test_mem		 m = { 0 };
	struct pf_request	 req;
	size_t			 i;

	for (i = 0; i < nitems(cases); i++) {
		post(&req, &m, URLENC, cases[i].value);
		ck_assert_msg(req.content_length == cases[i].len &&
		    req.content_length_bad == cases[i].bad, "case %zu", i);
		pf_request_free(&req);
	}
}
END_TEST

START_TEST(test_free_accepts_zeroed_and_freed)
{
	struct pf_request	 req;

	memset(&req, 0, sizeof(req));
	pf_request_free(&req);
	pf_request_free(&req);
	pf_request_free(NULL);
	pf_params_free(NULL, 0);
}
END_TEST

/*
 * urlencoded bodies
 */

struct field {
	const char	*name, *value;
	size_t		 len;
};

struct ucase {
	const char	*body;
	int		 rc;
	size_t		 n;
	struct field	 f[4];
};

/* A body that yields the one field name=value (a literal: NULs count). */
#define ONE(body, name, value)	\
	{ body, PF_OK, 1, { { name, value, sizeof(value) - 1 } } }
/* A body that yields no field, with its return code. */
#define NONE(body, rc)	{ body, rc, 0, { { NULL, NULL, 0 } } }

static const struct ucase ucases[] = {
	{ "a=1&b=2", PF_OK, 2, { { "a", "1", 1 }, { "b", "2", 1 } } },
	{ "a=1&&b=2", PF_OK, 2, { { "a", "1", 1 }, { "b", "2", 1 } } },
	{ "a=1&b=2&c=3&d=4", PF_OK, 4, { { "a", "1", 1 }, { "b", "2", 1 },
	    { "c", "3", 1 }, { "d", "4", 1 } } },
	ONE("a=x+y", "a", "x y"),
	ONE("a=x%20y", "a", "x y"),
	ONE("a=1%2B1", "a", "1+1"),
	ONE("a=%7e%7E", "a", "~~"),
	ONE("a+b=1", "a b", "1"),
	ONE("%C3%A9=%C3%A9", "\xc3\xa9", "\xc3\xa9"),
	ONE("a=1&", "a", "1"),
	ONE("a", "a", ""),
	ONE("a=", "a", ""),
	ONE("a=b=c", "a", "b=c"),
	/* ';' is not a separator (HTML 4 suggested it; browsers never). */
	ONE("a=1;b=2", "a", "1;b=2"),
	ONE("a=0123456789abcdef", "a", "0123456789abcdef"),
	/* A tab is the one control byte a name may hold. */
	ONE("a%09=1", "a\t", "1"),
	/* Values are kept as sent, NUL and broken UTF-8 included. */
	ONE("a=x%00y", "a", "x\0y"),
	ONE("a=%FF%0D%0A", "a", "\xff\r\n"),
	/* The limit is on the decoded value. */
	ONE("a=%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41", "a",
	    "AAAAAAAAAAAAAAAA"),
	/* No field: refused, or nothing to read. */
	NONE("a=%zz", PF_EINVAL),
	NONE("a=%4", PF_EINVAL),
	NONE("a=%%", PF_EINVAL),
	NONE("a=%", PF_EINVAL),
	NONE("a=%4g", PF_EINVAL),
	NONE("a%=1", PF_EINVAL),
	NONE("&&&", PF_OK),
	NONE("", PF_OK),
	NONE("a=1&a=2", PF_EINVAL),
	NONE("a=1&b=2&a", PF_EINVAL),
	NONE("=1", PF_EINVAL),
	NONE("a=1&b=2&c=3&d=4&e=5", PF_ETOOBIG),
	NONE("a=0123456789abcdefg", PF_ETOOBIG),
	/* One decoded byte more than the limit. */
	NONE("a=%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41",
	    PF_ETOOBIG),
	/* Control bytes and broken UTF-8 in a name. */
	NONE("a%01=1", PF_EINVAL),
	NONE("a%0A=1", PF_EINVAL),
	NONE("a%0D=1", PF_EINVAL),
	NONE("a%7F=1", PF_EINVAL),
	NONE("a%00b=1", PF_EINVAL),
	NONE("%FF=1", PF_EINVAL),
	NONE("%C0%80=1", PF_EINVAL),
};

/* The 64-byte and 65-byte names, built once. */
static void
name_body(char *buf, size_t size, size_t namelen)
{
	ck_assert_uint_lt(namelen + 3, size);
	memset(buf, 'n', namelen);
	memcpy(buf + namelen, "=1", 3);
}

static void
check_fields(const struct pf_request *req, const struct ucase *c, size_t i)
{
	const struct pf_param	*p;
	size_t			 j;

	ck_assert_msg(req->nform == c->n, "case %zu: %zu fields", i,
	    req->nform);
	for (j = 0; j < c->n; j++) {
		p = pf_request_field(req, c->f[j].name);
		ck_assert_msg(p != NULL, "case %zu: no %s", i, c->f[j].name);
		ck_assert_msg(p->len == c->f[j].len &&
		    memcmp(p->value, c->f[j].value, p->len) == 0 &&
		    p->value[p->len] == '\0', "case %zu: field %zu", i, j);
		ck_assert_ptr_eq(p, &req->form[j]);	/* in body order */
	}
}

START_TEST(test_urlencoded_table)
{
	struct pf_test_mem		 m;
	struct pf_request	 req;
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(ucases); i++) {
		rc = post_body(&req, &m, URLENC, ucases[i].body,
		    strlen(ucases[i].body));
		ck_assert_msg(rc == ucases[i].rc, "case %zu (%s): %d", i,
		    ucases[i].body, rc);
		if (rc == PF_OK) {
			ck_assert_ptr_null(req.error);
			check_fields(&req, &ucases[i], i);
		} else {
			ck_assert_ptr_nonnull(req.error);
			ck_assert_ptr_null(req.form);
			ck_assert_uint_eq(req.nform, 0);
		}
		pf_request_free(&req);
	}
}
END_TEST

START_TEST(test_urlencoded_name_length_limit)
{
	char			 body[80];
	struct pf_test_mem		 m;
	struct pf_request	 req;

	name_body(body, sizeof(body), 64);
	ck_assert_int_eq(post_body(&req, &m, URLENC, body, strlen(body)),
	    PF_OK);
	ck_assert_uint_eq(strlen(req.form[0].name), 64);
	pf_request_free(&req);
	name_body(body, sizeof(body), 65);
	ck_assert_int_eq(post_body(&req, &m, URLENC, body, strlen(body)),
	    PF_EINVAL);
	ck_assert_ptr_nonnull(req.error);
	pf_request_free(&req);
}
END_TEST

/*
 * Content types
 */

START_TEST(test_content_type_table)
{
	static const struct {
		const char	*ctype;		/* NULL: absent */
		int		 rc;
	} cases[] = {
		{ URLENC, PF_OK },
		{ "APPLICATION/X-WWW-FORM-URLENCODED", PF_OK },
		{ "Application/X-Www-Form-Urlencoded", PF_OK },
		{ URLENC "; charset=utf-8", PF_OK },
		{ URLENC ";charset=UTF-8", PF_OK },
		{ URLENC "; charset=\"utf-8\"", PF_OK },
		{ URLENC "; other=1; charset=utf-8", PF_OK },
		{ " " URLENC " ", PF_OK },
		{ URLENC "; charset=iso-8859-1", PF_EMEDIA },
		{ URLENC "; charset=utf-16", PF_EMEDIA },
		{ URLENC "; charset=\"\"", PF_EMEDIA },
		{ URLENC "; charset", PF_EMEDIA },
		{ URLENC "; charset=\"utf-8", PF_EMEDIA },
		{ URLENC " charset=utf-8", PF_EMEDIA },
		{ URLENC "x", PF_EMEDIA },
		{ "application/x-www-form", PF_EMEDIA },
		{ "text/plain", PF_EMEDIA },
		{ "application/json", PF_EMEDIA },
		{ "application", PF_EMEDIA },
		{ "", PF_EMEDIA },
		{ NULL, PF_EMEDIA },
		{ "multipart/form-data", PF_EINVAL },
		{ "multipart/mixed; boundary=x", PF_EMEDIA },
	};
	struct pf_test_mem		 m = { 0 };
	struct pf_request	 req;
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(cases); i++) {
		memset(&m, 0, sizeof(m));
		m.buf = "a=1";
		m.len = 3;
		post(&req, &m, cases[i].ctype, "3");
		rc = pf_request_read_form(&req);
		ck_assert_msg(rc == cases[i].rc, "case %zu (%s): %d", i,
		    cases[i].ctype, rc);
		if (rc == PF_OK)
			ck_assert_str_eq(pf_request_field(&req, "a")->value,
			    "1");
		else {
			ck_assert_ptr_nonnull(req.error);
			ck_assert_uint_eq(m.pos, 0);	/* not read */
		}
		pf_request_free(&req);
	}
}
END_TEST

START_TEST(test_content_type_charset_message)
{
	struct pf_test_mem		 m;
	struct pf_request	 req;

	ck_assert_int_eq(post_body(&req, &m, URLENC "; charset=latin1", "a=1",
	    3), PF_EMEDIA);
	ck_assert_ptr_nonnull(strstr(req.error, "UTF-8"));
	pf_request_free(&req);
}
END_TEST

/*
 * CONTENT_LENGTH against the body
 */

/* A Content-Length that is absent, empty or not a plain decimal. */
struct length_case {
	const char	*length;	/* NULL: absent */
	int		 rc;
};

static const struct length_case bad_lengths[] = {
	{ NULL, PF_ELENGTH }, { "", PF_ELENGTH },
	{ "abc", PF_EINVAL }, { "-1", PF_EINVAL }, { " 5", PF_EINVAL },
	{ "+3", PF_EINVAL }, { "99999999999999999999", PF_EINVAL },
	{ "3 ", PF_EINVAL },
};

/* Refused with a message before a byte of the body is read. */
START_TEST(test_length_refused_unread)
{
	struct pf_test_mem	 m;
	struct pf_request	 req;

	ck_assert_int_eq(post_announced(&req, &m, "a=1",
	    bad_lengths[_i].length), bad_lengths[_i].rc);
	ck_assert_ptr_nonnull(req.error);
	ck_assert_uint_eq(req.nform, 0);
	ck_assert_uint_eq(m.pos, 0);
	pf_request_free(&req);
}
END_TEST

START_TEST(test_length_over_max_body_refused_unread)
{
	static char		 body[1025];
	struct pf_test_mem		 m = { 0 };
	struct pf_request	 req;

	memset(body, '&', sizeof(body));
	m.buf = body;
	m.len = sizeof(body);
	post(&req, &m, URLENC, "1025");
	ck_assert_int_eq(pf_request_read_form(&req), PF_ETOOBIG);
	ck_assert_ptr_nonnull(req.error);
	ck_assert_uint_eq(m.reads, 0);
	pf_request_free(&req);
	/* Exactly max_body is fine. */
	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(post_body(&req, &m, URLENC, body, 1024), PF_OK);
	ck_assert_uint_eq(req.body_len, 1024);
	pf_request_free(&req);
}
END_TEST

START_TEST(test_length_other_than_body)
{
	struct pf_test_mem	 m;
	struct pf_request	 req;

	/* More announced than supplied: the body is short. */
	ck_assert_int_eq(post_announced(&req, &m, "a=1", "10"), PF_EINVAL);
	ck_assert_str_eq(req.error,
	    "The request body was shorter than announced.");
	ck_assert_ptr_null(req.body);
	pf_request_free(&req);
	/* Less announced than supplied: only that much is read. */
	ck_assert_int_eq(post_announced(&req, &m, "a=1&b=2", "3"), PF_OK);
	ck_assert_uint_eq(m.pos, 3);
	ck_assert_uint_eq(req.nform, 1);
	ck_assert_ptr_null(pf_request_field(&req, "b"));
	pf_request_free(&req);
}
END_TEST

START_TEST(test_short_reads_are_joined)
{
	struct pf_test_mem		 m = { .buf = "a=1&b=2", .len = 7,
	    .chunk = 1 };
	struct pf_request	 req;

	post(&req, &m, URLENC, "7");
	ck_assert_int_eq(pf_request_read_form(&req), PF_OK);
	ck_assert_uint_eq(m.reads, 7);
	ck_assert_str_eq(pf_request_field(&req, "b")->value, "2");
	pf_request_free(&req);
}
END_TEST

START_TEST(test_read_error_is_eio)
{
	struct pf_test_mem		 m = { .buf = "a=1", .len = 3, .fails = 1 };
	struct pf_request	 req;

	post(&req, &m, URLENC, "3");
	ck_assert_int_eq(pf_request_read_form(&req), PF_EIO);
	ck_assert_ptr_nonnull(req.error);
	ck_assert_ptr_null(req.body);
	pf_request_free(&req);
}
END_TEST

START_TEST(test_read_form_twice_reads_once)
{
	struct pf_test_mem		 m;
	struct pf_request	 req;

	ck_assert_int_eq(post_body(&req, &m, URLENC, "a=1", 3), PF_OK);
	ck_assert_int_eq(pf_request_read_form(&req), PF_OK);
	ck_assert_uint_eq(req.nform, 1);
	ck_assert_uint_eq(m.reads, 1);
	pf_request_free(&req);
}
END_TEST

START_TEST(test_rfc8058_urlencoded_one_click)
{
	static const char	 body[] = "List-Unsubscribe=One-Click";
	struct pf_test_mem		 m;
	struct pf_request	 req;

	ck_assert_int_eq(post_body(&req, &m, URLENC, body, sizeof(body) - 1),
	    PF_OK);
	ck_assert_str_eq(pf_request_field(&req, "List-Unsubscribe")->value,
	    "One-Click");
	pf_request_free(&req);
}
END_TEST

/*
 * Each encoding through the request
 */

#define MP_BODY	"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n" \
		"\r\n1\r\n--XyZ--\r\n"

START_TEST(test_read_form_multipart)
{
	struct pf_test_mem		 m;
	struct pf_request	 req;

	ck_assert_int_eq(post_body(&req, &m, "multipart/form-data; "
	    "boundary=XyZ", MP_BODY, strlen(MP_BODY)), PF_OK);
	ck_assert_ptr_null(req.error);
	ck_assert_uint_eq(req.nform, 1);
	ck_assert_str_eq(pf_request_field(&req, "a")->value, "1");
	pf_request_free(&req);
}
END_TEST

/* A body that does not parse, in either encoding, is not kept. */
START_TEST(test_read_form_refused_keeps_nothing)
{
	static const struct {
		const char	*ctype, *body, *error;
	} cases[] = {
		{ URLENC, "a=1&a=2",
		    "The form contains the same field more than once." },
		{ "multipart/form-data; boundary=XyZ", "--XyZ\r\n",
		    "The form's multipart encoding is malformed." },
	};
	struct pf_test_mem		 m;
	struct pf_request	 req;
	size_t			 i;

	for (i = 0; i < nitems(cases); i++) {
		ck_assert_int_eq(post_body(&req, &m, cases[i].ctype,
		    cases[i].body, strlen(cases[i].body)), PF_EINVAL);
		ck_assert_str_eq(req.error, cases[i].error);
		ck_assert_ptr_null(req.body);
		ck_assert_ptr_null(req.form);
		ck_assert_uint_eq(req.nform, 0);
		pf_request_free(&req);
	}
}
END_TEST

PF_TEST_MAIN("request",
    tcase_add_test(tc, test_init_copies_cgi_params),
    tcase_add_test(tc, test_init_absent_params_are_empty),
    tcase_add_test(tc, test_init_copies_cookie_and_joins_sec_gpc),
    tcase_add_test(tc, test_init_ids_differ),
    PF_LOOP(test_init_method_and_head, methods),
    tcase_add_test(tc, test_init_parses_query),
    tcase_add_test(tc, test_init_bad_query_is_not_fatal),
    tcase_add_test(tc, test_init_content_length_strict_decimal),
    tcase_add_test(tc, test_free_accepts_zeroed_and_freed),
    tcase_add_test(tc, test_urlencoded_table),
    tcase_add_test(tc, test_urlencoded_name_length_limit),
    tcase_add_test(tc, test_content_type_table),
    tcase_add_test(tc, test_content_type_charset_message),
    PF_LOOP(test_length_refused_unread, bad_lengths),
    tcase_add_test(tc, test_length_over_max_body_refused_unread),
    tcase_add_test(tc, test_length_other_than_body),
    tcase_add_test(tc, test_short_reads_are_joined),
    tcase_add_test(tc, test_read_error_is_eio),
    tcase_add_test(tc, test_read_form_twice_reads_once),
    tcase_add_test(tc, test_read_form_multipart),
    tcase_add_test(tc, test_read_form_refused_keeps_nothing),
    tcase_add_test(tc, test_rfc8058_urlencoded_one_click))
