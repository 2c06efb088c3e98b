/*
 * test_response.c -- status line, security headers, the request id,
 * refused header text, HEAD, redirects, and responding twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "err.h"
#include "nitems.h"
#include "request.h"
#include "response.h"

/* Everything written, or a client that has gone away. */
struct out {
	char	 buf[8192];
	size_t	 len;
	int	 fail;
	int	 writes;
};

static long
no_read(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return 0;
}

static int
out_write(void *ctx, const void *buf, size_t len)
{
	struct out	*o = ctx;

	o->writes++;
	if (o->fail)
		return -1;
	ck_assert_uint_le(len, sizeof(o->buf) - 1 - o->len);
	memcpy(o->buf + o->len, buf, len);
	o->len += len;
	o->buf[o->len] = '\0';
	return 0;
}

static void
request(struct pf_request *req, struct out *o, const char *method)
{
	char		 m[64];
	char		*envp[] = { m, NULL };
	struct pf_stream io = { no_read, out_write, o };

	memset(o, 0, sizeof(*o));
	snprintf(m, sizeof(m), "REQUEST_METHOD=%s", method);
	ck_assert_int_eq(pf_request_init(req, envp, io, NULL), PF_OK);
}

/* A request by method that answers 200 text/plain with the body "hello". */
static void
respond_hello(struct pf_request *req, struct out *o, const char *method)
{
	request(req, o, method);
	ck_assert_int_eq(pf_respond(req, 200, "text/plain", NULL, 0), PF_OK);
	ck_assert_int_eq(pf_respond_body(req, "hello", 5), PF_OK);
}

/* 1 if the header block in o holds line (without CRLF) as a whole line. */
static int
has_line(const struct out *o, const char *line)
{
	char	 want[512];

	snprintf(want, sizeof(want), "\r\n%s\r\n", line);
	return strstr(o->buf, want) != NULL;
}

static const char *const security[] = {
	"Content-Security-Policy: default-src 'none'; style-src 'self'; "
	    "img-src 'self'; script-src 'self'; connect-src 'self'; "
	    "worker-src 'self'; form-action 'self'; "
	    "frame-ancestors 'none'; base-uri 'none'",
	"X-Content-Type-Options: nosniff",
	"Referrer-Policy: no-referrer",
	"X-Frame-Options: DENY",
	"Cache-Control: no-store",
};

START_TEST(test_the_requests_cookie_rides_every_answer_without_its_own)
{
	static const struct pf_header retry[] = { { "Retry-After", "60" } };
	struct pf_request	 req;
	struct out		 o;

	request(&req, &o, "POST");
	ck_assert_ptr_nonnull(req.set_cookie = strdup("pf_consent=a; Path=/"));
	ck_assert_int_eq(pf_respond(&req, 422, "text/plain", retry, 1), PF_OK);
	ck_assert(has_line(&o, "Set-Cookie: pf_consent=a; Path=/"));
	ck_assert(has_line(&o, "Retry-After: 60"));
	pf_request_free(&req);

	request(&req, &o, "POST");
	ck_assert_ptr_nonnull(req.set_cookie = strdup("pf_consent=a; Path=/"));
	ck_assert_int_eq(pf_redirect_cookie(&req, "/privacy/x",
	    "pf_consent=b; Path=/"), PF_OK);
	ck_assert(has_line(&o, "Set-Cookie: pf_consent=b; Path=/"));
	ck_assert_ptr_null(strstr(o.buf, "pf_consent=a"));
	pf_request_free(&req);

	/* And none without one. */
	respond_hello(&req, &o, "POST");
	ck_assert_ptr_null(strstr(o.buf, "Set-Cookie"));
	pf_request_free(&req);
}
END_TEST

START_TEST(test_status_line_exact)
{
	struct pf_request	 req;
	struct out		 o;

	request(&req, &o, "GET");
	ck_assert_int_eq(pf_respond(&req, 200, "text/html; charset=utf-8",
	    NULL, 0), PF_OK);
	ck_assert_int_eq(strncmp(o.buf, "Status: 200 OK\r\n", 16), 0);
	ck_assert(has_line(&o, "Content-Type: text/html; charset=utf-8"));
	/* Headers end with one blank line, and nothing follows yet. */
	ck_assert_uint_ge(o.len, 4);
	ck_assert_str_eq(o.buf + o.len - 4, "\r\n\r\n");
	ck_assert_ptr_eq(strstr(o.buf, "\r\n\r\n"), o.buf + o.len - 4);
	ck_assert_int_eq(o.writes, 1);
	ck_assert_int_eq(req.responded, 1);
	pf_request_free(&req);
}
END_TEST

START_TEST(test_security_headers_on_every_status)
{
	static const int	 codes[] = { 200, 303, 400, 404, 422, 500, 503 };
	struct pf_request	 req;
	struct out		 o;
	size_t			 i, j;

	for (i = 0; i < nitems(codes); i++) {
		request(&req, &o, "GET");
		ck_assert_int_eq(pf_respond(&req, codes[i], NULL, NULL, 0),
		    PF_OK);
		for (j = 0; j < nitems(security); j++)
			ck_assert_msg(has_line(&o, security[j]), "%d: %s",
			    codes[i], security[j]);
		ck_assert_ptr_null(strstr(o.buf, "\r\nContent-Type:"));
		pf_request_free(&req);
	}
}
END_TEST

/* A configured policy replaces the built-in one; a bad one changes nothing. */
START_TEST(test_csp_configured)
{
	static const char	 policy[] = "default-src 'self'; "
	    "style-src 'self' 'unsafe-inline'; worker-src blob:";
	struct pf_request	 req;
	struct out		 o;

	ck_assert_int_eq(pf_response_csp(policy), PF_OK);
	ck_assert_int_eq(pf_response_csp("default-src 'self'\r\nX-A: b"),
	    PF_EINVAL);
	request(&req, &o, "GET");
	ck_assert_int_eq(pf_respond(&req, 200, NULL, NULL, 0), PF_OK);
	ck_assert(has_line(&o, "Content-Security-Policy: default-src 'self'; "
	    "style-src 'self' 'unsafe-inline'; worker-src blob:"));
	ck_assert_ptr_null(strstr(o.buf, "X-A"));
	pf_request_free(&req);
	/* "" (the configuration's default) is the built-in policy again. */
	ck_assert_int_eq(pf_response_csp(""), PF_OK);
	request(&req, &o, "GET");
	ck_assert_int_eq(pf_respond(&req, 200, NULL, NULL, 0), PF_OK);
	ck_assert(has_line(&o, security[0]));
	pf_request_free(&req);
}
END_TEST

START_TEST(test_status_texts)
{
	static const struct {
		int		 code;
		const char	*text;
	} cases[] = {
		{ 200, "OK" }, { 201, "Created" }, { 204, "No Content" },
		{ 303, "See Other" }, { 400, "Bad Request" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 409, "Conflict" },
		{ 410, "Gone" }, { 411, "Length Required" },
		{ 413, "Content Too Large" },
		{ 415, "Unsupported Media Type" },
		{ 422, "Unprocessable Content" },
		{ 429, "Too Many Requests" },
		{ 500, "Internal Server Error" },
		{ 503, "Service Unavailable" },
		{ 418, "Unknown" }, { 0, "Unknown" }, { -1, "Unknown" },
	};
	size_t	 i;

	for (i = 0; i < nitems(cases); i++)
		ck_assert_str_eq(pf_status_text(cases[i].code), cases[i].text);
}
END_TEST

START_TEST(test_unknown_status_written_as_unknown)
{
	struct pf_request	 req;
	struct out		 o;

	request(&req, &o, "GET");
	ck_assert_int_eq(pf_respond(&req, 418, NULL, NULL, 0), PF_OK);
	ck_assert_int_eq(strncmp(o.buf, "Status: 418 Unknown\r\n", 21), 0);
	pf_request_free(&req);
}
END_TEST

START_TEST(test_status_out_of_range_refused)
{
	static const int	 codes[] = { 0, 99, 600, -200 };
	struct pf_request	 req;
	struct out		 o;
	size_t			 i;

	for (i = 0; i < nitems(codes); i++) {
		request(&req, &o, "GET");
		ck_assert_int_eq(pf_respond(&req, codes[i], NULL, NULL, 0),
		    PF_EINVAL);
		ck_assert_uint_eq(o.len, 0);
		ck_assert_int_eq(req.responded, 0);
		pf_request_free(&req);
	}
}
END_TEST

START_TEST(test_extra_headers_written)
{
	static const struct pf_header	 h[] = {
		{ "Allow", "GET, POST" }, { "Retry-After", "120" },
	};
	struct pf_request		 req;
	struct out			 o;

	request(&req, &o, "POST");
	ck_assert_int_eq(pf_respond(&req, 405, "text/plain", h, 2), PF_OK);
	ck_assert_int_eq(strncmp(o.buf, "Status: 405 Method Not Allowed\r\n",
	    32), 0);
	ck_assert(has_line(&o, "Allow: GET, POST"));
	ck_assert(has_line(&o, "Retry-After: 120"));
	pf_request_free(&req);
}
END_TEST

/* Each must be refused with nothing written and the request still open. */
static void
assert_refused(const struct pf_header *h, const char *ctype)
{
	struct pf_request	 req;
	struct out		 o;

	request(&req, &o, "GET");
	ck_assert_msg(pf_respond(&req, 200, ctype, h, h != NULL) == PF_EINVAL,
	    "%s: %s", h != NULL ? h->name : "Content-Type",
	    h != NULL ? h->value : ctype);
	ck_assert_uint_eq(o.len, 0);
	ck_assert_int_eq(o.writes, 0);
	ck_assert_int_eq(req.responded, 0);
	/* The handler can still answer properly. */
	ck_assert_int_eq(pf_respond(&req, 500, NULL, NULL, 0), PF_OK);
	pf_request_free(&req);
}

/* Each header name in names, with value, refused as assert_refused says. */
static void
assert_names_refused(const char *const *names, size_t n, const char *value)
{
	struct pf_header	 h;
	size_t			 i;

	h.value = value;
	for (i = 0; i < n; i++) {
		h.name = names[i];
		assert_refused(&h, NULL);
	}
}

START_TEST(test_header_value_controls_refused)
{
	static const char *const values[] = {
		"a\r\nSet-Cookie: x=1", "a\nb", "a\rb", "a\tb", "a\x01",
		"\x1f", "a\x7f", "\x1b[31m",
	};
	struct pf_header	 h;
	size_t			 i;

	for (i = 0; i < nitems(values); i++) {
		h.name = "X-Test";
		h.value = values[i];
		assert_refused(&h, "text/plain");
		assert_refused(NULL, values[i]);
	}
	h.value = NULL;
	assert_refused(&h, "text/plain");
}
END_TEST

START_TEST(test_header_name_not_token_refused)
{
	static const char *const names[] = {
		"", "Bad Name", "X:Y", "X-A\r\n", "X\x01", "\xc3\xa9", "X(1)",
		"X\"", "X/Y", "X@Y",
	};
	struct pf_header	 h = { NULL, "1" };

	assert_names_refused(names, nitems(names), "1");
	/* Nor a header without a name. */
	assert_refused(&h, NULL);
}
END_TEST

START_TEST(test_reserved_header_refused)
{
	static const char *const names[] = {
		"Status", "content-type", "X-FRAME-OPTIONS",
		"Content-Security-Policy", "Referrer-Policy",
		"X-Content-Type-Options", "x-request-id",
	};

	assert_names_refused(names, nitems(names), "x");
}
END_TEST

/* Cache-Control from extra replaces no-store: one line, the caller's. */
START_TEST(test_cache_control_replaces_no_store)
{
	static const struct pf_header h = { "cache-control", "max-age=60" };
	struct pf_request	 req;
	struct out		 o;

	request(&req, &o, "GET");
	ck_assert_int_eq(pf_respond(&req, 200, "application/json", &h, 1),
	    PF_OK);
	ck_assert(has_line(&o, "cache-control: max-age=60"));
	ck_assert_ptr_null(strstr(o.buf, "no-store"));
	ck_assert(has_line(&o, "X-Content-Type-Options: nosniff"));
	pf_request_free(&req);
}
END_TEST

START_TEST(test_redirect_303_with_location)
{
	struct pf_request	 req;
	struct out		 o;

	request(&req, &o, "POST");
	ck_assert_int_eq(pf_redirect(&req, "/privacy/unsubscribe/done?x=1"),
	    PF_OK);
	ck_assert_int_eq(strncmp(o.buf, "Status: 303 See Other\r\n", 23), 0);
	ck_assert(has_line(&o, "Location: /privacy/unsubscribe/done?x=1"));
	ck_assert(has_line(&o, "Content-Type: text/plain; charset=utf-8"));
	ck_assert(has_line(&o, "Cache-Control: no-store"));
	ck_assert_str_eq(strstr(o.buf, "\r\n\r\n"), "\r\n\r\nSee Other\n");
	pf_request_free(&req);

	request(&req, &o, "POST");
	ck_assert_int_eq(pf_redirect(&req, "https://example.com/x"), PF_OK);
	ck_assert(has_line(&o, "Location: https://example.com/x"));
	pf_request_free(&req);
}
END_TEST

/* A 303 that sets a cookie: both headers, the same body. */
START_TEST(test_redirect_with_cookie)
{
	struct pf_request	 req;
	struct out		 o;

	request(&req, &o, "POST");
	ck_assert_int_eq(pf_redirect_cookie(&req, "/privacy/opt-out?done",
	    "pf_consent=v=1; Path=/"), PF_OK);
	ck_assert_int_eq(strncmp(o.buf, "Status: 303 See Other\r\n", 23), 0);
	ck_assert(has_line(&o, "Location: /privacy/opt-out?done"));
	ck_assert(has_line(&o, "Set-Cookie: pf_consent=v=1; Path=/"));
	ck_assert_str_eq(strstr(o.buf, "\r\n\r\n"), "\r\n\r\nSee Other\n");
	pf_request_free(&req);

	request(&req, &o, "POST");
	ck_assert_int_eq(pf_redirect_cookie(&req, "//evil.example/", "a=b"),
	    PF_EINVAL);
	ck_assert_uint_eq(o.len, 0);
	pf_request_free(&req);
}
END_TEST

START_TEST(test_redirect_bad_location_refused)
{
	static const char *const bad[] = {
		"/a\r\nSet-Cookie: x=1", "/a\nb", "/a\rb", "/a\tb", "/a\x7f",
		"", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
		"done", "ftp://example.com/", NULL,
	};
	struct pf_request	 req;
	struct out		 o;
	size_t			 i;

	for (i = 0; i < nitems(bad); i++) {
		request(&req, &o, "POST");
		ck_assert_msg(pf_redirect(&req, bad[i]) == PF_EINVAL, "%zu", i);
		ck_assert_uint_eq(o.len, 0);
		ck_assert_int_eq(req.responded, 0);
		pf_request_free(&req);
	}
}
END_TEST

/*
 * A C string ends at its first NUL: whatever an attacker put after a %00
 * never reaches the output.
 */
START_TEST(test_redirect_stops_at_nul)
{
	struct pf_request	 req;
	struct out		 o;
	static const char	 loc[] = "/a\0\r\nSet-Cookie: x=1";

	request(&req, &o, "POST");
	ck_assert_int_eq(pf_redirect(&req, loc), PF_OK);
	ck_assert(has_line(&o, "Location: /a"));
	ck_assert_ptr_null(strstr(o.buf, "Set-Cookie"));
	ck_assert_uint_eq(memchr(o.buf, '\0', o.len) == NULL, 1);
	pf_request_free(&req);
}
END_TEST

START_TEST(test_head_writes_headers_without_body)
{
	struct pf_request	 req;
	struct out		 o;

	respond_hello(&req, &o, "HEAD");
	ck_assert_int_eq(strncmp(o.buf, "Status: 200 OK\r\n", 16), 0);
	ck_assert_str_eq(o.buf + o.len - 4, "\r\n\r\n");
	ck_assert_ptr_null(strstr(o.buf, "hello"));
	pf_request_free(&req);

	request(&req, &o, "HEAD");
	ck_assert_int_eq(pf_redirect(&req, "/privacy/"), PF_OK);
	ck_assert_str_eq(o.buf + o.len - 4, "\r\n\r\n");
	pf_request_free(&req);
}
END_TEST

START_TEST(test_get_writes_body)
{
	struct pf_request	 req;
	struct out		 o;

	respond_hello(&req, &o, "GET");
	ck_assert_str_eq(strstr(o.buf, "\r\n\r\n"), "\r\n\r\nhello");
	/* An empty write is accepted and adds nothing. */
	ck_assert_int_eq(pf_respond_body(&req, "", 0), PF_OK);
	ck_assert_str_eq(strstr(o.buf, "\r\n\r\n"), "\r\n\r\nhello");
	pf_request_free(&req);
}
END_TEST

START_TEST(test_second_respond_refused)
{
	struct pf_request	 req;
	struct out		 o;
	size_t			 len;

	request(&req, &o, "GET");
	ck_assert_int_eq(pf_respond(&req, 200, "text/plain", NULL, 0), PF_OK);
	len = o.len;
	ck_assert_int_eq(pf_respond(&req, 500, "text/plain", NULL, 0),
	    PF_EINVAL);
	ck_assert_int_eq(pf_redirect(&req, "/privacy/"), PF_EINVAL);
	ck_assert_uint_eq(o.len, len);
	pf_request_free(&req);
}
END_TEST

START_TEST(test_body_before_headers_refused)
{
	struct pf_request	 req;
	struct out		 o;

	request(&req, &o, "GET");
	ck_assert_int_eq(pf_respond_body(&req, "x", 1), PF_EINVAL);
	ck_assert_uint_eq(o.len, 0);
	pf_request_free(&req);
}
END_TEST

START_TEST(test_client_gone_is_eio)
{
	struct pf_request	 req;
	struct out		 o;

	request(&req, &o, "GET");
	o.fail = 1;
	ck_assert_int_eq(pf_respond(&req, 200, "text/plain", NULL, 0), PF_EIO);
	/* Headers count as sent: nothing else may follow. */
	ck_assert_int_eq(req.responded, 1);
	ck_assert_int_eq(pf_respond_body(&req, "x", 1), PF_EIO);
	ck_assert_int_eq(pf_respond(&req, 500, NULL, NULL, 0), PF_EINVAL);
	pf_request_free(&req);
}
END_TEST

/*
 * The request's id on every answer, once, as its audit records carry it;
 * a request that could not be set up (zeroed, no id) answers without one.
 */
START_TEST(test_request_id_on_every_response)
{
	static const int	 codes[] = { 200, 303, 400, 422, 500, 503 };
	struct pf_request	 req;
	struct out		 o;
	char			 line[64];
	size_t			 i;

	for (i = 0; i < nitems(codes); i++) {
		request(&req, &o, "POST");
		ck_assert_uint_eq(strlen(req.id), 32);
		ck_assert_int_eq(pf_respond(&req, codes[i], NULL, NULL, 0),
		    PF_OK);
		snprintf(line, sizeof(line), "X-Request-Id: %s", req.id);
		ck_assert_msg(has_line(&o, line), "%d", codes[i]);
		/* Once. */
		ck_assert_ptr_null(strstr(strstr(o.buf, line) + 1,
		    "X-Request-Id:"));
		pf_request_free(&req);
	}
	request(&req, &o, "POST");
	ck_assert_int_eq(pf_redirect(&req, "/privacy/done"), PF_OK);
	snprintf(line, sizeof(line), "X-Request-Id: %s", req.id);
	ck_assert(has_line(&o, line));
	pf_request_free(&req);

	memset(&o, 0, sizeof(o));
	memset(&req, 0, sizeof(req));
	req.io = (struct pf_stream){ no_read, out_write, &o };
	ck_assert_int_eq(pf_respond(&req, 500, NULL, NULL, 0), PF_OK);
	ck_assert_ptr_null(strstr(o.buf, "X-Request-Id"));
}
END_TEST

PF_TEST_MAIN("response",
    tcase_add_test(tc, test_status_line_exact),
    tcase_add_test(tc, test_security_headers_on_every_status),
    tcase_add_test(tc, test_csp_configured),
    tcase_add_test(tc, test_status_texts),
    tcase_add_test(tc, test_unknown_status_written_as_unknown),
    tcase_add_test(tc, test_status_out_of_range_refused),
    tcase_add_test(tc, test_extra_headers_written),
    tcase_add_test(tc, test_header_value_controls_refused),
    tcase_add_test(tc, test_header_name_not_token_refused),
    tcase_add_test(tc, test_reserved_header_refused),
    tcase_add_test(tc, test_cache_control_replaces_no_store),
    tcase_add_test(tc, test_redirect_303_with_location),
    tcase_add_test(tc, test_redirect_with_cookie),
    tcase_add_test(tc, test_redirect_bad_location_refused),
    tcase_add_test(tc, test_redirect_stops_at_nul),
    tcase_add_test(tc, test_head_writes_headers_without_body),
    tcase_add_test(tc, test_get_writes_body),
    tcase_add_test(tc, test_second_respond_refused),
    tcase_add_test(tc, test_body_before_headers_refused),
    tcase_add_test(tc, test_client_gone_is_eio),
    tcase_add_test(tc, test_request_id_on_every_response),
    tcase_add_test(tc, test_the_requests_cookie_rides_every_answer_without_its_own))
