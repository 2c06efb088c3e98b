/*
 * test_serve.c -- the accept loop (serve.h) as plain CGI: one request
 * answered, a bad one answered with its reason, a silent handler's 500.
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
#include "lang.h"
#include "request.h"
#include "response.h"
#include "serve.h"

/* 1 KiB bodies, 4 fields, 16 bytes a value: every limit is easy to reach. */
static const struct pf_limits lim = { 1024, 4, 16 };

#define URLENC	"application/x-www-form-urlencoded"

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

/* Answer with the language the request starts in, and whether chosen. */
static void
lang_handler(struct pf_request *req, void *arg)
{
	char	 text[32];

	(void)arg;
	snprintf(text, sizeof(text), "%s %d", pf_lang_current(),
	    pf_lang_chosen());
	pf_respond(req, 200, "text/plain", NULL, 0);
	pf_respond_body(req, text, strlen(text));
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
		/* As if a request before had chosen a language. */
		pf_lang_choose("de");
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

/* Nothing of the last request's language is left to the next one. */
START_TEST(test_serve_request_starts_in_the_source_language)
{
	char	 out[4096];

	run_cgi(lang_handler, "3", "a=1", out, sizeof(out));
	ck_assert_str_eq(strstr(out, "\r\n\r\n"), "\r\n\r\nen 0");
}
END_TEST

PF_TEST_MAIN("serve",
    tcase_add_test(tc, test_serve_request_starts_in_the_source_language),
    tcase_add_test(tc, test_serve_cgi_answers_once),
    tcase_add_test(tc, test_serve_cgi_bad_request_answered),
    tcase_add_test(tc, test_serve_handler_silent_gets_500))
