/*
 * test_program.c -- what the form programs share: the one page for a
 * link that cannot be used (badlink.h), per kind and failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "fixture.h"
#include "app.h"
#include "badlink.h"
#include "err.h"
#include "keys.h"
#include "page.h"
#include "request.h"

static char		 dir[64];
static struct pf_app	 app;

/* A site in a fresh directory, the program's app open on it. */
static void
setup(void)
{
	FILE	*f;
	char	 cwd[200], path[160];

	snprintf(dir, sizeof(dir), "/tmp/test_program.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	snprintf(path, sizeof(path), "%s/privforms.conf", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "database = privforms.db\nkey_file = secret.key\n"
	    "audit_dir = audit\ntemplates = %s/htdocs\n", cwd);
	fclose(f);
	setenv("PRIVFORMS_CONFIG", path, 1);
	snprintf(path, sizeof(path), "%s/secret.key", dir);
	ck_assert_int_eq(pf_keys_create(path), PF_OK);
	ck_assert_int_eq(pf_app_open(&app, "feedback"), PF_OK);
}

static void
teardown(void)
{
	pf_app_close(&app);
	pf_test_rmdir(dir);
	unsetenv("PRIVFORMS_CONFIG");
}

/* Everything a request wrote. */
static char	 out[65536];
static size_t	 outlen;

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
	(void)ctx;
	ck_assert_uint_lt(len, sizeof(out) - outlen);
	memcpy(out + outlen, buf, len);
	outlen += len;
	out[outlen] = '\0';
	return 0;
}

/*
 * A request for method, path and query (NULL: none), cross-site when
 * cross is set, set up as pf_serve would; the caller frees it.
 */
static void
request(struct pf_request *req, const char *method, const char *path,
    const char *query, int cross)
{
	char		 m[64], p[128], q[128];
	char		*envp[] = { m, p, q, "REMOTE_ADDR=127.0.0.1",
	    cross ? "HTTP_SEC_FETCH_SITE=cross-site" : NULL, NULL };
	struct pf_stream io = { no_read, out_write, NULL };

	snprintf(m, sizeof(m), "REQUEST_METHOD=%s", method);
	snprintf(p, sizeof(p), "SCRIPT_NAME=%s", path);
	snprintf(q, sizeof(q), "QUERY_STRING=%s", query != NULL ? query : "");
	outlen = 0;
	out[0] = '\0';
	ck_assert_int_eq(pf_request_init(req, envp, io, &app.limits), PF_OK);
}

/* The bad-link page of kind for rc: its status, and out holds the page. */
static int
bad(enum pf_badlink kind, int rc)
{
	struct pf_request	 req;

	request(&req, "GET", "/privacy/x", NULL, 0);
	pf_badlink(&app, &req, kind, rc);
	pf_request_free(&req);
	return atoi(out + strlen("Status: "));
}

START_TEST(test_each_bad_link_has_its_own_page)
{
	static const struct {
		enum pf_badlink	 kind;
		int		 rc, status;
		const char	*title, *text;
	} cases[] = {
		{ PF_BADLINK_ONE_CLICK, PF_EFORGED, 400,
		    "This unsubscribe link is not valid",
		    "or unsubscribe with the form on this site." },
		{ PF_BADLINK_ONE_CLICK, PF_EEXPIRED, 400,
		    "This unsubscribe link has expired",
		    "You can still unsubscribe with the form on this site." },
		{ PF_BADLINK_VERIFY, PF_EFORGED, 400, "This link is not valid",
		    "Open it again from the email." },
		{ PF_BADLINK_VERIFY, PF_EEXPIRED, 400, "This link has expired",
		    "Please send the request again." },
		{ PF_BADLINK_VERIFY, PF_ENOTFOUND, 400, "This link has expired",
		    "This request is no longer waiting for confirmation" },
		{ PF_BADLINK_STATUS, PF_EFORGED, 400, "This link is not valid",
		    "Open it again from the email." },
		{ PF_BADLINK_STATUS, PF_EEXPIRED, 400, "This link has expired",
		    "Each email we send about your request has a fresh one." },
		{ PF_BADLINK_STATUS, PF_ENOTFOUND, 404, "No such request",
		    "We hold no request for this link any more" },
		{ PF_BADLINK_FEEDBACK, PF_EFORGED, 400,
		    "This form is not valid", "The page may have been cut" },
		{ PF_BADLINK_FEEDBACK, PF_EEXPIRED, 400,
		    "This form has expired", "Your rating was kept" },
		{ PF_BADLINK_FEEDBACK, PF_ENOTFOUND, 400,
		    "This feedback is no longer open",
		    "We no longer hold the feedback" },
	};
	char	 h1[160];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(bad(cases[i].kind, cases[i].rc),
		    cases[i].status);
		snprintf(h1, sizeof(h1), ">%s</h1>", cases[i].title);
		ck_assert_msg(strstr(out, h1) != NULL, "%zu: %s", i, out);
		ck_assert_msg(strstr(out, cases[i].text) != NULL, "%zu", i);
	}
}
END_TEST

START_TEST(test_a_failure_that_is_no_bad_link_is_500)
{
	ck_assert_int_eq(bad(PF_BADLINK_ONE_CLICK, PF_ENOTFOUND), 500);
	ck_assert_int_eq(bad(PF_BADLINK_VERIFY, PF_ENOMEM), 500);
	ck_assert_int_eq(bad(PF_BADLINK_FEEDBACK, PF_ECRYPTO), 500);
	ck_assert_ptr_nonnull(strstr(out, "Something went wrong"));
}
END_TEST

PF_TEST_MAIN("program",
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_each_bad_link_has_its_own_page),
    tcase_add_test(tc, test_a_failure_that_is_no_bad_link_is_500))
