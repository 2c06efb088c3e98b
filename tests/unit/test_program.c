/*
 * test_program.c -- the form programs' skeleton (program.h): which route
 * a request takes, and the answers the skeleton gives itself (404, 405,
 * 403 cross-site, the challenge, a program's own screen); and the one
 * page for a link that cannot be used (badlink.h), per kind and failure.
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
#include "lang.h"
#include "nitems.h"
#include "page.h"
#include "program.h"
#include "request.h"

static struct pf_app	 app;
static const char	*ran;		/* the handler that ran, or NULL */
static int		 closed;	/* the test program's screen refuses */
static char		*out;		/* what the last request wrote */
static size_t		 outlen;
static FILE		*outf;		/* its stream (open_memstream) */
static const char	*header;	/* one more CGI variable, or NULL */
static char		 lang[16];	/* the language the handler ran in */

/* The program's app open on the site, with more configuration lines. */
static void
open_site(const char *more)
{
	char	 cwd[200], conf[512];
	int	 n;

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	n = snprintf(conf, sizeof(conf), "database = privforms.db\n"
	    "key_file = secret.key\naudit_dir = audit\n"
	    "templates = %s/htdocs\nlocale_dir = %s/build/locale\n%s", cwd,
	    cwd, more);
	ck_assert_int_lt(n, (int)sizeof(conf));
	pf_test_write(fx.conf, conf, (size_t)n);
	setenv("PRIVFORMS_CONFIG", fx.conf, 1);
	ck_assert_int_eq(pf_app_open(&app, "feedback"), PF_OK);
}

/* A site in the fixture's directory, the program's app open on it. */
static void
setup(void)
{
	ck_assert_int_eq(pf_keys_create(fx.keyfile), PF_OK);
	open_site("");
	ran = NULL;
	closed = 0;
	header = NULL;
}

static void
teardown(void)
{
	pf_app_close(&app);
	free(out);
	out = NULL;
}

/* A handler that only says that it ran. */
#define HANDLER(name)							\
static void								\
h_##name(struct pf_app *a, struct pf_request *r)			\
{									\
	(void)a;							\
	(void)r;							\
	ran = #name;							\
	snprintf(lang, sizeof(lang), "%s", pf_lang_current());		\
}

HANDLER(step2)
HANDLER(post)
HANDLER(get)
HANDLER(any)
HANDLER(read)

static int
screen(struct pf_app *a, struct pf_request *req)
{
	if (!closed)
		return 0;
	pf_page_message(a->pages, req, 404, "Not available", "Closed.", NULL,
	    0);
	return 1;
}

static const struct pf_route routes[] = {
	{ "POST", "", "step=2", h_step2, NULL, 0 },
	{ "POST", "", NULL, h_post, NULL, 0 },
	{ "GET", "", "done", NULL, "feedback-done", 0 },
	{ "GET", "", NULL, h_get, NULL, 0 },
	{ "POST", "/any", NULL, h_any, NULL, PF_ROUTE_ANY_SITE },
	{ "GET", "/read", NULL, h_read, NULL, 0 },
};

static const struct pf_program program = {
	.form = PF_GUARD_FEEDBACK,
	.routes = routes,
	.nroutes = nitems(routes),
	.not_found = "No such page here.",
	.screen = screen,
};

/* The same routes for a program without sub-paths. */
static const struct pf_program flat = {
	.form = PF_GUARD_FEEDBACK,
	.routes = routes,
	.nroutes = nitems(routes),
};

/* pf_stream on the FILE ctx: nothing to read, everything written kept. */
static long
stream_read(void *ctx, void *buf, size_t len)
{
	return (long)fread(buf, 1, len, ctx);
}

static int
stream_write(void *ctx, const void *buf, size_t len)
{
	return fwrite(buf, 1, len, ctx) == len ? 0 : -1;
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
	char		*envp[6] = { m, p, q, "REMOTE_ADDR=127.0.0.1", NULL,
	    NULL };
	struct pf_stream io = { stream_read, stream_write, NULL };

	if (cross)
		envp[4] = "HTTP_SEC_FETCH_SITE=cross-site";
	if (header != NULL)
		envp[cross ? 5 : 4] = (char *)header;

	snprintf(m, sizeof(m), "REQUEST_METHOD=%s", method);
	snprintf(p, sizeof(p), "SCRIPT_NAME=%s", path);
	snprintf(q, sizeof(q), "QUERY_STRING=%s", query != NULL ? query : "");
	free(out);
	ck_assert_ptr_nonnull(outf = open_memstream(&out, &outlen));
	io.ctx = outf;
	ran = NULL;
	ck_assert_int_eq(pf_request_init(req, envp, io, &app.limits), PF_OK);
}

/* The end of req: out holds what it wrote. */
static void
done(struct pf_request *req)
{
	pf_request_free(req);
	ck_assert_int_eq(fclose(outf), 0);
}

/* Run one request through p: the status it answered (0: none). */
static int
run(const struct pf_program *p, const char *method, const char *path,
    const char *query, int cross)
{
	struct pf_request	 req;
	int			 status = 0;

	request(&req, method, path, query, cross);
	pf_program_handle(p, &app, &req);
	done(&req);
	if (strncmp(out, "Status: ", 8) == 0)
		status = atoi(out + 8);
	return status;
}

START_TEST(test_the_first_matching_route_runs)
{
	static const struct {
		const char	*method, *path, *query, *ran;
	} cases[] = {
		{ "POST", "/privacy/feedback", "step=2", "step2" },
		{ "POST", "/privacy/feedback", "step=3", "post" },
		{ "POST", "/privacy/feedback", "step", "post" },
		{ "POST", "/privacy/feedback", "t=x&step=2", "step2" },
		{ "POST", "/privacy/feedback", NULL, "post" },
		{ "POST", "/privacy/feedback", "done", "post" },
		{ "GET", "/privacy/feedback", NULL, "get" },
		{ "HEAD", "/privacy/feedback", "step=2", "get" },
		{ "GET", "/privacy/feedback", "t=x", "get" },
		{ "POST", "/privacy/feedback/any", NULL, "any" },
		{ "GET", "/privacy/feedback/read", "done", "read" },
		{ "HEAD", "/privacy/feedback/read", NULL, "read" },
	};
	size_t	 i;

	for (i = 0; i < nitems(cases); i++) {
		run(&program, cases[i].method, cases[i].path, cases[i].query,
		    0);
		ck_assert_msg(ran != NULL && strcmp(ran, cases[i].ran) == 0,
		    "%s %s?%s ran %s", cases[i].method, cases[i].path,
		    cases[i].query, ran);
	}
}
END_TEST

START_TEST(test_a_page_route_sends_its_template)
{
	ck_assert_int_eq(run(&program, "GET", "/privacy/feedback", "done", 0),
	    200);
	ck_assert_ptr_null(ran);
	ck_assert_ptr_nonnull(strstr(out, "Feedback received"));
}
END_TEST

START_TEST(test_an_unknown_sub_path_is_404)
{
	static const char *const paths[] = {
		"/privacy/feedback/nosuch", "/privacy/feedback/read/x",
		"/privacy/feedbackx", "/privacy/other", "/",
	};
	size_t	 i;

	for (i = 0; i < nitems(paths); i++) {
		ck_assert_int_eq(run(&program, "GET", paths[i], NULL, 0), 404);
		ck_assert_ptr_null(ran);
		ck_assert_ptr_nonnull(strstr(out, "No such page here."));
	}
}
END_TEST

START_TEST(test_without_sub_paths_every_path_is_the_forms)
{
	ck_assert_int_eq(run(&flat, "GET", "/privacy/feedback/nosuch", NULL,
	    0), 0);
	ck_assert_str_eq(ran, "get");
	run(&flat, "POST", "/elsewhere", "step=2", 0);
	ck_assert_str_eq(ran, "step2");
}
END_TEST

START_TEST(test_another_method_of_a_known_sub_path_is_405)
{
	ck_assert_int_eq(run(&program, "POST", "/privacy/feedback/read", NULL,
	    0), 405);
	ck_assert_ptr_null(ran);
	ck_assert_ptr_nonnull(strstr(out, "\r\nAllow: GET, HEAD\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "This page can only be read."));
	ck_assert_int_eq(run(&program, "GET", "/privacy/feedback/any", NULL,
	    0), 405);
	ck_assert_ptr_nonnull(strstr(out, "\r\nAllow: POST\r\n"));
	/* What no form program takes at all: app.h's answer. */
	ck_assert_int_eq(run(&program, "DELETE", "/privacy/feedback", NULL,
	    0), 405);
	ck_assert_ptr_nonnull(strstr(out, "\r\nAllow: GET, HEAD, POST\r\n"));
}
END_TEST

START_TEST(test_cross_site_posts_are_refused_unless_the_route_says)
{
	static const char *const paths[] = {
		"/privacy/feedback", "/privacy/feedback/nosuch",
		"/privacy/feedback/read",
	};
	size_t	 i;

	for (i = 0; i < nitems(paths); i++) {
		ck_assert_int_eq(run(&program, "POST", paths[i], "step=2", 1),
		    403);
		ck_assert_ptr_null(ran);
		ck_assert_ptr_nonnull(strstr(out, "another website"));
	}
	run(&program, "POST", "/privacy/feedback/any", NULL, 1);
	ck_assert_str_eq(ran, "any");
	/* A GET is only read: what the browser says does not matter. */
	run(&program, "GET", "/privacy/feedback", NULL, 1);
	ck_assert_str_eq(ran, "get");
}
END_TEST

START_TEST(test_the_programs_screen_comes_after_the_404)
{
	closed = 1;
	ck_assert_int_eq(run(&program, "GET", "/privacy/feedback/nosuch", NULL,
	    0), 404);
	ck_assert_ptr_nonnull(strstr(out, "No such page here."));
	ck_assert_int_eq(run(&program, "GET", "/privacy/feedback", NULL, 0),
	    404);
	ck_assert_ptr_nonnull(strstr(out, "Closed."));
	ck_assert_ptr_null(ran);
	ck_assert_int_eq(run(&program, "POST", "/privacy/feedback/read", NULL,
	    0), 404);
	ck_assert_ptr_nonnull(strstr(out, "Closed."));
}
END_TEST

START_TEST(test_the_forms_challenge_is_served_first)
{
	closed = 1;
	ck_assert_int_eq(run(&program, "GET", "/privacy/feedback/challenge",
	    NULL, 0), 200);
	ck_assert_ptr_null(ran);
	ck_assert_ptr_nonnull(strstr(out, "Content-Type: application/json"));
	ck_assert_ptr_nonnull(strstr(out, "\"challenge\""));
}
END_TEST

/* The bad-link page of kind for rc: its status, and out holds the page. */
static int
bad(enum pf_badlink kind, int rc)
{
	struct pf_request	 req;

	request(&req, "GET", "/privacy/x", NULL, 0);
	pf_badlink(&app, &req, kind, rc);
	done(&req);
	return atoi(out + strlen("Status: "));
}

/*
 * Each kind's status and title for PF_EFORGED, PF_EEXPIRED and
 * PF_ENOTFOUND (0 and NULL: it has none, and answers 500); the sentences
 * are the integration tests'.
 */
static const struct {
	int		 status[3];
	const char	*title[3];
} want[PF_BADLINK__MAX] = {
	[PF_BADLINK_ONE_CLICK] = { { 400, 400, 0 }, { "This unsubscribe link "
	    "is not valid", "This unsubscribe link has expired", NULL } },
	[PF_BADLINK_VERIFY] = { { 400, 400, 400 }, { "This link is not valid",
	    "This link has expired", "This link has expired" } },
	[PF_BADLINK_STATUS] = { { 400, 400, 404 }, { "This link is not valid",
	    "This link has expired", "No such request" } },
	[PF_BADLINK_FEEDBACK] = { { 400, 400, 400 }, { "This form is not valid",
	    "This form has expired", "This feedback is no longer open" } },
	[PF_BADLINK_SUBSCRIBE] = { { 400, 400, 400 }, { "This confirmation "
	    "link is not valid", "This confirmation link has expired", "This "
	    "subscription is no longer waiting for confirmation" } },
};

START_TEST(test_each_bad_link_has_its_own_page)
{
	static const int	 rc[3] = { PF_EFORGED, PF_EEXPIRED, PF_ENOTFOUND };
	char			 h1[160];
	size_t			 k, i;

	for (k = 0; k < PF_BADLINK__MAX; k++)
		for (i = 0; i < 3; i++) {
			if (want[k].title[i] == NULL) {
				ck_assert_int_eq(bad(k, rc[i]), 500);
				continue;
			}
			ck_assert_int_eq(bad(k, rc[i]), want[k].status[i]);
			snprintf(h1, sizeof(h1), ">%s</h1>", want[k].title[i]);
			ck_assert_msg(strstr(out, h1) != NULL, "%zu %zu: %s",
			    k, i, out);
		}
}
END_TEST

START_TEST(test_a_failure_that_is_no_bad_link_is_500)
{
	ck_assert_int_eq(bad(PF_BADLINK_VERIFY, PF_ENOMEM), 500);
	ck_assert_int_eq(bad(PF_BADLINK_FEEDBACK, PF_ECRYPTO), 500);
	ck_assert_ptr_nonnull(strstr(out, "Something went wrong"));
}
END_TEST

/*
 * Each request's language (program.h): ?lang= when offered (the visitor's
 * choice, which a stamp or a signed link does not override), else
 * Accept-Language by lookup, else the default; said on every answer.
 */
START_TEST(test_each_request_gets_its_language)
{
	static const struct {
		const char	*method, *query, *accept;
		int		 status;
		const char	*lang;
		int		 chosen;	/* by ?lang= */
	} cases[] = {
		{ "GET", "done", "HTTP_ACCEPT_LANGUAGE=de-AT, de;q=0.9", 200,
		    "de", 0 },
		{ "GET", "done", "HTTP_ACCEPT_LANGUAGE=ja, en;q=0.1", 200,
		    "en", 0 },
		{ "GET", "done", "HTTP_ACCEPT_LANGUAGE=ja", 200, "fr", 0 },
		{ "GET", "done", NULL, 200, "fr", 0 },
		{ "GET", "done&lang=de", "HTTP_ACCEPT_LANGUAGE=en", 200,
		    "de", 1 },
		{ "GET", "done&lang=DE", NULL, 200, "de", 1 },
		/* Not offered, or not a tag: ignored, no 400. */
		{ "GET", "done&lang=ja", "HTTP_ACCEPT_LANGUAGE=de", 200, "de",
		    0 },
		{ "GET", "done&lang=%3Cx%3E", NULL, 200, "fr", 0 },
		{ "GET", "done&lang=", NULL, 200, "fr", 0 },
		{ "PUT", NULL, "HTTP_ACCEPT_LANGUAGE=de", 405, "de", 0 },
		{ "GET", "a=1&a=2", "HTTP_ACCEPT_LANGUAGE=de", 400, "de", 0 },
		{ "GET", "step=2", "HTTP_ACCEPT_LANGUAGE=de", 0, "de", 0 },
		{ "POST", NULL, "HTTP_ACCEPT_LANGUAGE=de", 0, "de", 0 },
		{ "POST", "lang=en", "HTTP_ACCEPT_LANGUAGE=de", 0, "en", 1 },
	};
	char	 want[64];
	size_t	 i;
	int	 status;

	pf_app_close(&app);
	open_site("languages = en de fr\ndefault_language = fr\n");
	for (i = 0; i < nitems(cases); i++) {
		header = cases[i].accept;
		status = run(&program, cases[i].method, "/privacy/feedback",
		    cases[i].query, 0);
		ck_assert_msg(status == cases[i].status, "%zu: status %d", i,
		    status);
		ck_assert_str_eq(pf_lang_current(), cases[i].lang);
		ck_assert_int_eq(pf_lang_chosen(), cases[i].chosen);
		if (status == 0) {	/* a handler ran, in it */
			ck_assert_str_eq(lang, cases[i].lang);
			continue;
		}
		snprintf(want, sizeof(want), "Content-Language: %s\r\n",
		    cases[i].lang);
		ck_assert_msg(strstr(out, want) != NULL, "%zu: %s", i, out);
		ck_assert_ptr_nonnull(strstr(out,
		    "Vary: Accept-Language\r\n"));
		snprintf(want, sizeof(want), " lang=\"%s\" dir=\"ltr\"",
		    cases[i].lang);
		ck_assert_msg(strstr(out, want) != NULL, "%zu: %s", i, out);
	}
}
END_TEST

/* The hub at the prefix's own path, from any program, in its language. */
START_TEST(test_every_program_serves_the_hub_in_the_requests_language)
{
	static const struct pf_program *const programs[] = { &program, &flat };
	size_t	 i;

	pf_app_close(&app);
	open_site("languages = en de\nsupport_url = /help?a=1&b=<2>\n");
	for (i = 0; i < nitems(programs); i++) {
		header = "HTTP_ACCEPT_LANGUAGE=de-AT, de;q=0.9";
		ck_assert_int_eq(run(programs[i], "GET", "/privacy/", NULL, 0),
		    200);
		ck_assert_ptr_null(ran);
		ck_assert_ptr_nonnull(strstr(out, "Content-Language: de\r\n"));
		ck_assert_ptr_nonnull(strstr(out, " lang=\"de\""));
		/* The built templates and catalogues agree (German if po/de.po). */
		ck_assert_str_eq(pf_lang_current(), "de");
		ck_assert_ptr_nonnull(strstr(out,
		    _("What is your privacy related request?")));
		ck_assert_ptr_nonnull(strstr(out,
		    "href=\"/help?a=1&amp;b=&lt;2&gt;\""));
		ck_assert_ptr_null(strstr(out, "hub-dpa"));
		ck_assert_ptr_nonnull(strstr(out, "id=\"language-menu\""));
		ck_assert_int_eq(run(programs[i], "GET", "/privacy/", "lang=en",
		    0), 200);
		ck_assert_ptr_nonnull(strstr(out, " lang=\"en\""));
		/* Its links keep the chosen language. */
		ck_assert_ptr_nonnull(strstr(out,
		    "href=\"/privacy/unsubscribe?lang=en\""));
		ck_assert_int_eq(run(programs[i], "HEAD", "/privacy/", NULL, 0),
		    200);
		ck_assert_int_eq(run(programs[i], "POST", "/privacy/", NULL, 0),
		    405);
		ck_assert_ptr_null(ran);
		ck_assert_ptr_nonnull(strstr(out, "Allow: GET, HEAD\r\n"));
	}
	/* Not the hub: the form's own path and its neighbours. */
	header = NULL;
	run(&flat, "GET", "/privacy", NULL, 0);
	ck_assert_str_eq(ran, "get");
	run(&flat, "GET", "/privacy//", NULL, 0);
	ck_assert_str_eq(ran, "get");
}
END_TEST

PF_TEST_MAIN("program",
    pf_test_fixture(tc, PF_TEST_DIR, NULL, setup, teardown),
    tcase_add_test(tc, test_the_first_matching_route_runs),
    tcase_add_test(tc, test_each_request_gets_its_language),
    tcase_add_test(tc, test_every_program_serves_the_hub_in_the_requests_language),
    tcase_add_test(tc, test_a_page_route_sends_its_template),
    tcase_add_test(tc, test_an_unknown_sub_path_is_404),
    tcase_add_test(tc, test_without_sub_paths_every_path_is_the_forms),
    tcase_add_test(tc, test_another_method_of_a_known_sub_path_is_405),
    tcase_add_test(tc, test_cross_site_posts_are_refused_unless_the_route_says),
    tcase_add_test(tc, test_the_programs_screen_comes_after_the_404),
    tcase_add_test(tc, test_the_forms_challenge_is_served_first),
    tcase_add_test(tc, test_each_bad_link_has_its_own_page),
    tcase_add_test(tc, test_a_failure_that_is_no_bad_link_is_500))
