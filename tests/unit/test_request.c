/*
 * test_request.c -- building requests from CGI parameters and reading form
 * bodies: urlencoded and multipart, content types, CONTENT_LENGTH, limits.
 */
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "err.h"
#include "request.h"
#include "response.h"

/* 1 KiB bodies, 4 fields, 16 bytes a value: every limit is easy to reach. */
static const struct pf_limits lim = { 1024, 4, 16 };

/* An in-memory body: at most chunk bytes per read (0: all), or failing. */
struct mem {
	const char	*buf;
	size_t		 len, pos, chunk;
	int		 fail;
	size_t		 reads;
};

static long
mem_read(void *ctx, void *buf, size_t len)
{
	struct mem	*m = ctx;

	m->reads++;
	if (m->fail)
		return -1;
	if (len > m->len - m->pos)
		len = m->len - m->pos;
	if (m->chunk > 0 && len > m->chunk)
		len = m->chunk;
	memcpy(buf, m->buf + m->pos, len);
	m->pos += len;
	return (long)len;
}

static int
mem_write(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return 0;
}

/*
 * A POST with this Content-Type and CONTENT_LENGTH (NULL: absent) whose
 * stream is m; asserts that building it succeeds.
 */
static void
post(struct pf_request *req, struct mem *m, const char *ctype,
    const char *clen)
{
	char		 ct[512], cl[64], method[] = "REQUEST_METHOD=POST";
	char		*envp[4];
	size_t		 n = 0;
	struct pf_stream io = { mem_read, mem_write, m };

	envp[n++] = method;
	if (ctype != NULL) {
		snprintf(ct, sizeof(ct), "CONTENT_TYPE=%s", ctype);
		envp[n++] = ct;
	}
	if (clen != NULL) {
		snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%s", clen);
		envp[n++] = cl;
	}
	envp[n] = NULL;
	ck_assert_int_eq(pf_request_init(req, envp, io, &lim), PF_OK);
}

/* POST body[0..len) with its exact length; returns pf_request_read_form. */
static int
post_body(struct pf_request *req, struct mem *m, const char *ctype,
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
 * Building the request
 */

START_TEST(test_init_copies_cgi_params)
{
	char		 e1[] = "REQUEST_METHOD=POST", e2[] = "CONTENT_TYPE=" URLENC,
			 e3[] = "QUERY_STRING=t=abc", e4[] = "REMOTE_ADDR=192.0.2.1",
			 e5[] = "CONTENT_LENGTH=42", e6[] = "HTTP_X=y",
			 e7[] = "HTTP_X_FORWARDED_FOR=198.51.100.7, 10.0.0.1";
	char		*envp[] = { e1, e2, e3, e4, e5, e6, e7, NULL };
	struct mem	 m = { 0 };
	struct pf_stream io = { mem_read, mem_write, &m };
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
	char		*none[] = { NULL };
	struct pf_stream io = { mem_read, mem_write, NULL };
	struct pf_request req;
	int		 i;

	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(pf_request_init(&req, i ? none : NULL, io,
		    &lim), PF_OK);
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

START_TEST(test_init_ids_differ)
{
	struct pf_stream io = { mem_read, mem_write, NULL };
	struct pf_request a, b;

	ck_assert_int_eq(pf_request_init(&a, NULL, io, &lim), PF_OK);
	ck_assert_int_eq(pf_request_init(&b, NULL, io, &lim), PF_OK);
	ck_assert_str_ne(a.id, b.id);
	pf_request_free(&a);
	pf_request_free(&b);
}
END_TEST

START_TEST(test_init_head_sets_head)
{
	char		 e1[] = "REQUEST_METHOD=HEAD";
	char		*envp[] = { e1, NULL };
	struct pf_stream io = { mem_read, mem_write, NULL };
	struct pf_request req;

	ck_assert_int_eq(pf_request_init(&req, envp, io, &lim), PF_OK);
	ck_assert_int_eq(req.head, 1);
	pf_request_free(&req);
}
END_TEST

START_TEST(test_init_first_of_repeated_param_wins)
{
	char		 e1[] = "REQUEST_METHOD=GET", e2[] = "REQUEST_METHOD=POST",
			 e3[] = "REQUEST_METHODX=PUT";
	char		*envp[] = { e3, e1, e2, NULL };
	struct pf_stream io = { mem_read, mem_write, NULL };
	struct pf_request req;

	ck_assert_int_eq(pf_request_init(&req, envp, io, &lim), PF_OK);
	ck_assert_str_eq(req.method, "GET");
	pf_request_free(&req);
}
END_TEST

START_TEST(test_init_parses_query)
{
	char		 e1[] = "QUERY_STRING=t=a%2Bb&x";
	char		*envp[] = { e1, NULL };
	struct pf_stream io = { mem_read, mem_write, NULL };
	struct pf_request req;

	ck_assert_int_eq(pf_request_init(&req, envp, io, &lim), PF_OK);
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
	char		 e[64];
	char		*envp[] = { e, NULL };
	struct pf_stream io = { mem_read, mem_write, NULL };
	struct pf_request req;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(e, sizeof(e), "%s", bad[i]);
		ck_assert_int_eq(pf_request_init(&req, envp, io, &lim), PF_OK);
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
	struct mem		 m = { 0 };
	struct pf_request	 req;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
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

static const struct ucase ucases[] = {
	{ "a=1&b=2", PF_OK, 2, { { "a", "1", 1 }, { "b", "2", 1 } } },
	{ "a=x+y", PF_OK, 1, { { "a", "x y", 3 } } },
	{ "a=x%20y", PF_OK, 1, { { "a", "x y", 3 } } },
	{ "a=1%2B1", PF_OK, 1, { { "a", "1+1", 3 } } },
	{ "a=%7e%7E", PF_OK, 1, { { "a", "~~", 2 } } },
	{ "a+b=1", PF_OK, 1, { { "a b", "1", 1 } } },
	{ "%C3%A9=%C3%A9", PF_OK, 1, { { "\xc3\xa9", "\xc3\xa9", 2 } } },
	{ "a=%zz", PF_EINVAL, 0, { { NULL, NULL, 0 } } },
	{ "a=%4", PF_EINVAL, 0, { { NULL, NULL, 0 } } },
	{ "a=%%", PF_EINVAL, 0, { { NULL, NULL, 0 } } },
	{ "a=%", PF_EINVAL, 0, { { NULL, NULL, 0 } } },
	{ "a=%4g", PF_EINVAL, 0, { { NULL, NULL, 0 } } },
	{ "a%=1", PF_EINVAL, 0, { { NULL, NULL, 0 } } },
	{ "a=1&&b=2", PF_OK, 2, { { "a", "1", 1 }, { "b", "2", 1 } } },
	{ "a=1&", PF_OK, 1, { { "a", "1", 1 } } },
	{ "&&&", PF_OK, 0, { { NULL, NULL, 0 } } },
	{ "", PF_OK, 0, { { NULL, NULL, 0 } } },
	{ "a", PF_OK, 1, { { "a", "", 0 } } },
	{ "a=", PF_OK, 1, { { "a", "", 0 } } },
	{ "a=b=c", PF_OK, 1, { { "a", "b=c", 3 } } },
	/* ';' is not a separator (HTML 4 suggested it; browsers never). */
	{ "a=1;b=2", PF_OK, 1, { { "a", "1;b=2", 5 } } },
	{ "a=1&a=2", PF_EINVAL, 0, { { NULL, NULL, 0 } } },
	{ "a=1&b=2&a", PF_EINVAL, 0, { { NULL, NULL, 0 } } },
	{ "=1", PF_EINVAL, 0, { { NULL, NULL, 0 } } },
	{ "a=1&b=2&c=3&d=4", PF_OK, 4, { { "a", "1", 1 }, { "b", "2", 1 },
	    { "c", "3", 1 }, { "d", "4", 1 } } },
	{ "a=1&b=2&c=3&d=4&e=5", PF_ETOOBIG, 0, { { NULL, NULL, 0 } } },
	{ "a=0123456789abcdef", PF_OK, 1, { { "a", "0123456789abcdef", 16 } } },
	{ "a=0123456789abcdefg", PF_ETOOBIG, 0, { { NULL, NULL, 0 } } },
	/* The limit is on the decoded value. */
	{ "a=%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41", PF_OK, 1,
	    { { "a", "AAAAAAAAAAAAAAAA", 16 } } },
	{ "a=%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41",
	    PF_ETOOBIG, 0, { { NULL, NULL, 0 } } },
	{ "a%01=1", PF_EINVAL, 0, { { NULL, NULL, 0 } } },
	{ "a%0A=1", PF_EINVAL, 0, { { NULL, NULL, 0 } } },
	{ "a%0D=1", PF_EINVAL, 0, { { NULL, NULL, 0 } } },
	{ "a%09=1", PF_OK, 1, { { "a\t", "1", 1 } } },
	{ "a%7F=1", PF_EINVAL, 0, { { NULL, NULL, 0 } } },
	{ "a%00b=1", PF_EINVAL, 0, { { NULL, NULL, 0 } } },
	{ "%FF=1", PF_EINVAL, 0, { { NULL, NULL, 0 } } },
	{ "%C0%80=1", PF_EINVAL, 0, { { NULL, NULL, 0 } } },
	/* Values are kept as sent, NUL and broken UTF-8 included. */
	{ "a=x%00y", PF_OK, 1, { { "a", "x\0y", 3 } } },
	{ "a=%FF%0D%0A", PF_OK, 1, { { "a", "\xff\r\n", 3 } } },
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
	struct mem		 m;
	struct pf_request	 req;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(ucases) / sizeof(ucases[0]); i++) {
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
	struct mem		 m;
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

START_TEST(test_params_parse_reports_why)
{
	struct pf_param	*p = (struct pf_param *)&p;
	size_t		 n = 99;
	const char	*why = NULL;

	ck_assert_int_eq(pf_params_parse("a=%zz", 5, &lim, &p, &n, &why),
	    PF_EINVAL);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(why, "The form contains a malformed percent-encoding.");
	ck_assert_int_eq(pf_params_parse("a=1&a=2", 7, &lim, &p, &n, &why),
	    PF_EINVAL);
	ck_assert_str_eq(why, "The form contains the same field more than once.");
	/* len, not the NUL, ends the text. */
	ck_assert_int_eq(pf_params_parse("a=1&b=2", 3, &lim, &p, &n, &why),
	    PF_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(p[0].value, "1");
	pf_params_free(p, n);
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
	struct mem		 m = { 0 };
	struct pf_request	 req;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
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
	struct mem		 m;
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

START_TEST(test_length_absent_or_empty_is_length_required)
{
	static const char *const lengths[] = { NULL, "" };
	struct mem		 m;
	struct pf_request	 req;
	size_t			 i;

	for (i = 0; i < 2; i++) {
		memset(&m, 0, sizeof(m));
		m.buf = "a=1";
		m.len = 3;
		post(&req, &m, URLENC, lengths[i]);
		ck_assert_int_eq(pf_request_read_form(&req), PF_ELENGTH);
		ck_assert_ptr_nonnull(req.error);
		ck_assert_uint_eq(req.nform, 0);
		ck_assert_uint_eq(m.pos, 0);
		pf_request_free(&req);
	}
}
END_TEST

START_TEST(test_length_not_a_number_refused)
{
	static const char *const lengths[] = {
		"abc", "-1", " 5", "+3", "99999999999999999999", "3 ",
	};
	struct mem		 m;
	struct pf_request	 req;
	size_t			 i;

	for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		memset(&m, 0, sizeof(m));
		m.buf = "a=1";
		m.len = 3;
		post(&req, &m, URLENC, lengths[i]);
		ck_assert_int_eq(pf_request_read_form(&req), PF_EINVAL);
		ck_assert_ptr_nonnull(req.error);
		ck_assert_uint_eq(m.pos, 0);
		pf_request_free(&req);
	}
}
END_TEST

START_TEST(test_length_over_max_body_refused_unread)
{
	static char		 body[1025];
	struct mem		 m = { 0 };
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

START_TEST(test_length_over_supplied_body_is_short)
{
	struct mem		 m = { "a=1", 3, 0, 0, 0, 0 };
	struct pf_request	 req;

	post(&req, &m, URLENC, "10");
	ck_assert_int_eq(pf_request_read_form(&req), PF_EINVAL);
	ck_assert_str_eq(req.error,
	    "The request body was shorter than announced.");
	ck_assert_ptr_null(req.body);
	pf_request_free(&req);
}
END_TEST

START_TEST(test_length_under_supplied_body_reads_only_that)
{
	struct mem		 m = { "a=1&b=2", 7, 0, 0, 0, 0 };
	struct pf_request	 req;

	post(&req, &m, URLENC, "3");
	ck_assert_int_eq(pf_request_read_form(&req), PF_OK);
	ck_assert_uint_eq(m.pos, 3);
	ck_assert_uint_eq(req.nform, 1);
	ck_assert_ptr_null(pf_request_field(&req, "b"));
	pf_request_free(&req);
}
END_TEST

START_TEST(test_short_reads_are_joined)
{
	struct mem		 m = { "a=1&b=2", 7, 0, 1, 0, 0 };
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
	struct mem		 m = { "a=1", 3, 0, 0, 1, 0 };
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
	struct mem		 m;
	struct pf_request	 req;

	ck_assert_int_eq(post_body(&req, &m, URLENC, "a=1", 3), PF_OK);
	ck_assert_int_eq(pf_request_read_form(&req), PF_OK);
	ck_assert_uint_eq(req.nform, 1);
	ck_assert_uint_eq(m.reads, 1);
	pf_request_free(&req);
}
END_TEST

/*
 * multipart/form-data
 */

#define MP	"multipart/form-data; boundary=XyZ"
#define CD(n)	"Content-Disposition: form-data; name=\"" n "\"\r\n"
#define PART(n, v) "--XyZ\r\n" CD(n) "\r\n" v "\r\n"
#define CLOSE	"--XyZ--\r\n"

struct mcase {
	const char	*ctype, *body;
	int		 rc;
	size_t		 n;
	struct field	 f[4];
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

START_TEST(test_multipart_table)
{
	struct mem		 m;
	struct pf_request	 req;
	struct ucase		 u;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++) {
		rc = post_body(&req, &m, mcases[i].ctype, mcases[i].body,
		    strlen(mcases[i].body));
		ck_assert_msg(rc == mcases[i].rc, "case %zu: %d (%s)", i, rc,
		    req.error != NULL ? req.error : "");
		if (rc == PF_OK) {
			u.n = mcases[i].n;
			memcpy(u.f, mcases[i].f, sizeof(u.f));
			check_fields(&req, &u, i);
		} else {
			ck_assert_ptr_nonnull(req.error);
			ck_assert_uint_eq(req.nform, 0);
		}
		pf_request_free(&req);
	}
}
END_TEST

START_TEST(test_multipart_boundary_length_limit)
{
	char			 ct[128], body[256], b[72];
	struct mem		 m;
	struct pf_request	 req;
	size_t			 len;

	for (len = 70; len <= 71; len++) {
		memset(b, 'b', len);
		b[len] = '\0';
		snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b);
		snprintf(body, sizeof(body), "--%s\r\n" CD("a") "\r\n1\r\n"
		    "--%s--", b, b);
		ck_assert_int_eq(post_body(&req, &m, ct, body, strlen(body)),
		    len == 70 ? PF_OK : PF_EINVAL);
		pf_request_free(&req);
	}
}
END_TEST

START_TEST(test_multipart_keeps_nul_with_len)
{
	static const char	 body[] = PART("a", "x\0y") CLOSE;
	struct mem		 m;
	struct pf_request	 req;
	const struct pf_param	*p;

	ck_assert_int_eq(post_body(&req, &m, MP, body, sizeof(body) - 1),
	    PF_OK);
	p = pf_request_field(&req, "a");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->len, 3);
	ck_assert_mem_eq(p->value, "x\0y", 4);
	pf_request_free(&req);
}
END_TEST

START_TEST(test_multipart_file_refused_with_message)
{
	static const char	 body[] = "--XyZ\r\nContent-Disposition: "
	    "form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\nx\r\n" CLOSE;
	struct mem		 m;
	struct pf_request	 req;

	ck_assert_int_eq(post_body(&req, &m, MP, body, sizeof(body) - 1),
	    PF_EINVAL);
	ck_assert_str_eq(req.error, "This form does not accept file uploads.");
	pf_request_free(&req);
}
END_TEST

START_TEST(test_rfc8058_urlencoded_one_click)
{
	static const char	 body[] = "List-Unsubscribe=One-Click";
	struct mem		 m;
	struct pf_request	 req;

	ck_assert_int_eq(post_body(&req, &m, URLENC, body, sizeof(body) - 1),
	    PF_OK);
	ck_assert_str_eq(pf_request_field(&req, "List-Unsubscribe")->value,
	    "One-Click");
	pf_request_free(&req);
}
END_TEST

/*
 * pf_serve as plain CGI: a child process with the body on a pipe as its
 * standard input and its standard output on another.
 */

/* Answer with the value of field "a", or with the reason there is none. */
static void
echo_handler(struct pf_request *req, void *arg)
{
	const struct pf_param	*p;
	int			 rc;

	(void)arg;
	/* SIGPIPE must be ignored before any handler runs. */
	if (signal(SIGPIPE, SIG_IGN) != SIG_IGN)
		return;
	if ((rc = pf_request_read_form(req)) != PF_OK) {
		pf_respond(req, rc == PF_ETOOBIG ? 413 : 400, "text/plain",
		    NULL, 0);
		pf_respond_body(req, req->error, strlen(req->error));
	} else if ((p = pf_request_field(req, "a")) != NULL) {
		pf_respond(req, 200, "text/plain", NULL, 0);
		pf_respond_body(req, p->value, p->len);
	}
}

static void
silent_handler(struct pf_request *req, void *arg)
{
	(void)req;
	(void)arg;
}

/* Run handler under pf_serve in a child; its output into out[size]. */
static void
run_cgi(pf_handler *handler, const char *clen, const char *body, char *out,
    size_t size)
{
	int	 in[2], res[2], status;
	pid_t	 pid;
	size_t	 len = 0;
	ssize_t	 n;

	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(pipe(res), 0);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(res[1], STDOUT_FILENO);
		close(in[0]);
		close(in[1]);
		close(res[0]);
		close(res[1]);
		/* The "did not answer" line is expected; keep output clean. */
		if ((n = open("/dev/null", O_WRONLY)) != -1)
			dup2((int)n, STDERR_FILENO);
		setenv("REQUEST_METHOD", "POST", 1);
		setenv("CONTENT_TYPE", URLENC, 1);
		setenv("CONTENT_LENGTH", clen, 1);
		_exit(pf_serve(handler, NULL, &lim) == 0 ? 0 : 1);
	}
	ck_assert_int_gt(pid, 0);
	close(in[0]);
	close(res[1]);
	ck_assert_int_eq(write(in[1], body, strlen(body)), (int)strlen(body));
	close(in[1]);
	while (len + 1 < size && (n = read(res[0], out + len,
	    size - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(res[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

START_TEST(test_serve_cgi_answers_once)
{
	char	 out[4096];

	run_cgi(echo_handler, "10", "a=hi+there", out, sizeof(out));
	ck_assert_int_eq(strncmp(out, "Status: 200 OK\r\n", 16), 0);
	ck_assert_str_eq(strstr(out, "\r\n\r\n"), "\r\n\r\nhi there");
}
END_TEST

START_TEST(test_serve_cgi_bad_request_answered)
{
	char	 out[4096];

	run_cgi(echo_handler, "50", "a=1", out, sizeof(out));
	ck_assert_int_eq(strncmp(out, "Status: 400 Bad Request\r\n", 25), 0);
	ck_assert_ptr_nonnull(strstr(out,
	    "The request body was shorter than announced."));
	run_cgi(echo_handler, "2000", "a=1", out, sizeof(out));
	ck_assert_int_eq(strncmp(out, "Status: 413 ", 12), 0);
}
END_TEST

START_TEST(test_serve_handler_silent_gets_500)
{
	char	 out[4096];

	run_cgi(silent_handler, "3", "a=1", out, sizeof(out));
	ck_assert_int_eq(strncmp(out,
	    "Status: 500 Internal Server Error\r\n", 35), 0);
	ck_assert_ptr_nonnull(strstr(out, "Cache-Control: no-store\r\n"));
}
END_TEST

PF_TEST_MAIN("request",
    tcase_add_test(tc, test_init_copies_cgi_params),
    tcase_add_test(tc, test_init_absent_params_are_empty),
    tcase_add_test(tc, test_init_ids_differ),
    tcase_add_test(tc, test_init_head_sets_head),
    tcase_add_test(tc, test_init_first_of_repeated_param_wins),
    tcase_add_test(tc, test_init_parses_query),
    tcase_add_test(tc, test_init_bad_query_is_not_fatal),
    tcase_add_test(tc, test_init_content_length_strict_decimal),
    tcase_add_test(tc, test_free_accepts_zeroed_and_freed),
    tcase_add_test(tc, test_urlencoded_table),
    tcase_add_test(tc, test_urlencoded_name_length_limit),
    tcase_add_test(tc, test_params_parse_reports_why),
    tcase_add_test(tc, test_content_type_table),
    tcase_add_test(tc, test_content_type_charset_message),
    tcase_add_test(tc, test_length_absent_or_empty_is_length_required),
    tcase_add_test(tc, test_length_not_a_number_refused),
    tcase_add_test(tc, test_length_over_max_body_refused_unread),
    tcase_add_test(tc, test_length_over_supplied_body_is_short),
    tcase_add_test(tc, test_length_under_supplied_body_reads_only_that),
    tcase_add_test(tc, test_short_reads_are_joined),
    tcase_add_test(tc, test_read_error_is_eio),
    tcase_add_test(tc, test_read_form_twice_reads_once),
    tcase_add_test(tc, test_multipart_table),
    tcase_add_test(tc, test_multipart_boundary_length_limit),
    tcase_add_test(tc, test_multipart_keeps_nul_with_len),
    tcase_add_test(tc, test_multipart_file_refused_with_message),
    tcase_add_test(tc, test_rfc8058_urlencoded_one_click),
    tcase_add_test(tc, test_serve_cgi_answers_once),
    tcase_add_test(tc, test_serve_cgi_bad_request_answered),
    tcase_add_test(tc, test_serve_handler_silent_gets_500))
