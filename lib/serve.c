/*
 * serve.c -- the accept loop (serve.h): libfcgi's or standard streams
 * under one struct pf_stream, one request built, handled and freed per
 * turn.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fastcgi.h>
#include <fcgiapp.h>

#include "err.h"
#include "lang.h"
#include "log.h"
#include "request.h"
#include "response.h"
#include "serve.h"

extern char **environ;

/* libfcgi's streams; a failed write is remembered, later ones skipped. */
struct fcgx_io {
	FCGX_Stream	*in, *out;
	int		 broken;
};

static long
fcgx_read(void *ctx, void *buf, size_t len)
{
	struct fcgx_io	*io = ctx;
	int		 n;

	n = FCGX_GetStr(buf, len > INT_MAX ? INT_MAX : (int)len, io->in);
	if (n > 0)
		return n;
	return FCGX_GetError(io->in) != 0 ? -1 : 0;
}

static int
fcgx_write(void *ctx, const void *buf, size_t len)
{
	struct fcgx_io	*io = ctx;
	const char	*p = buf;
	int		 n;

	while (!io->broken && len > 0) {
		n = len > INT_MAX ? INT_MAX : (int)len;
		if (FCGX_PutStr(p, n, io->out) != n)
			io->broken = 1;
		p += n;
		len -= n;
	}
	return io->broken ? -1 : 0;
}

/* Plain CGI: standard input and output. */
struct stdio_io {
	FILE			*in, *out;
	unsigned long long	 got;	/* bytes read from in */
};

static long
stdio_read(void *ctx, void *buf, size_t len)
{
	struct stdio_io	*io = ctx;
	size_t		 n;

	n = fread(buf, 1, len > LONG_MAX ? LONG_MAX : len, io->in);
	if (n == 0 && ferror(io->in))
		return -1;
	io->got += n;
	return (long)n;
}

/*
 * Plain CGI: read and drop what the handler left of the body (all of it
 * after a 413, say) before exiting.  mod_cgid gives the program a socket,
 * and closing a socket with input unread resets the connection: Apache
 * loses the answer already written.  Never past CONTENT_LENGTH, nor past
 * DRAIN_MAX (4 times the body limit our httpd snippets set), so that a
 * client claiming a huge body cannot keep the process.
 */
#define DRAIN_MAX	(4LL << 20)
static void
stdio_drain(struct stdio_io *io)
{
	char		 buf[8192];
	long long	 cl;
	size_t		 n;
	int		 bad;

	cl = pf_request_length(getenv("CONTENT_LENGTH"), &bad);
	if (cl > DRAIN_MAX)
		cl = DRAIN_MAX;
	while (cl > 0 && io->got < (unsigned long long)cl) {
		n = sizeof(buf);
		if ((unsigned long long)cl - io->got < n)
			n = (size_t)((unsigned long long)cl - io->got);
		if ((n = fread(buf, 1, n, io->in)) == 0)
			break;
		io->got += n;
	}
}

static int
stdio_write(void *ctx, const void *buf, size_t len)
{
	struct stdio_io	*io = ctx;

	if (len > 0 && fwrite(buf, 1, len, io->out) != len)
		return -1;
	return fflush(io->out) == 0 ? 0 : -1;
}

/* The answer when there is no better one. */
static void
send_500(struct pf_request *req)
{
	static const char	 body[] = "Internal Server Error\n";

	if (pf_respond(req, 500, "text/plain; charset=utf-8", NULL, 0) ==
	    PF_OK)
		pf_respond_body(req, body, sizeof(body) - 1);
}

static void
serve_one(pf_handler *handler, void *arg, char *const *envp,
    struct pf_stream io, const struct pf_limits *limits)
{
	struct pf_request	 req;
	int			 rc;

	if ((rc = pf_request_init(&req, envp, io, limits)) != PF_OK) {
		pf_log(PF_LOG_ERR, "cannot set up a request: %s",
		    pf_strerror(rc));
		req.io = io;	/* req was zeroed: enough to answer */
		send_500(&req);
		return;
	}
	/* What the last request chose is not this one's (lang.h). */
	(void)pf_lang_use(PF_LANG_SOURCE);
	handler(&req, arg);
	if (!req.responded) {
		pf_log(PF_LOG_ERR, "request %s: the handler did not answer",
		    req.id);
		send_500(&req);
	}
	pf_request_free(&req);
}

/*
 * SIGTERM (from multiwatch, spawn-fcgi's supervisor, or systemd) ends the
 * accept loop; a request being served is finished first: SIGTERM is
 * blocked while one is (else its reads fail with EINTR) and delivered
 * before the next accept.  libfcgi only notices its own flag when accept
 * is interrupted, so ours is checked before each accept; and a signal
 * let in after that check but before libfcgi's accept() has begun would
 * interrupt nothing, so the handler also puts /dev/null where the
 * listening socket was (this process's descriptor only: the other
 * workers keep the socket), and that accept() fails at once
 * (ARCHITECTURE.md, "Library defects, and their guards").  Leaving
 * through the normal path releases everything, so a leak checker sees a
 * clean exit.
 */
static volatile sig_atomic_t stopping;
static volatile sig_atomic_t devnull = -1;	/* open while the loop runs */

static void
on_term(int sig)
{
	int	 saved = errno;

	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
	if (devnull >= 0)
		(void)dup2(devnull, FCGI_LISTENSOCK_FILENO);
	errno = saved;
}

/*
 * A worker serves many requests, each of which allocates and frees much
 * the same memory.  glibc gives the top of the heap back to the system
 * whenever 128 KiB of it is free, so a request whose peak (SQLite's page
 * cache for a statement's temporary index: 20 pages at once) reaches past
 * that grew the heap by 172 KiB and shrank it again every time: two brk
 * calls and 6 to 12 fresh pages a request for the kernel to fault in and
 * zero, a quarter of an unsubscribe's CPU on a machine with slow faults
 * (`make bench`).  Keep up to PF_SERVE_HEAP_KEPT free instead; an
 * allocation that large or larger (a big upload) still comes from mmap and
 * goes back when freed.
 */
#define PF_SERVE_HEAP_KEPT	(2 * 1024 * 1024)

static void
keep_heap(void)
{
	(void)mallopt(M_MMAP_THRESHOLD, PF_SERVE_HEAP_KEPT);
	(void)mallopt(M_TRIM_THRESHOLD, PF_SERVE_HEAP_KEPT);
}

int
pf_serve(pf_handler *handler, void *arg, const struct pf_limits *limits)
{
	struct sigaction sa;
	sigset_t	 term;
	FCGX_Request	 r;
	struct fcgx_io	 fio;
	struct stdio_io	 sio;
	struct pf_stream io;
	int		 cgi, fd;

	/*
	 * FCGX_IsCGI initialises libfcgi, which installs its own SIGPIPE
	 * handler over whatever was there: ignore SIGPIPE only afterwards,
	 * so that a client leaving early is a write error, never a signal.
	 */
	cgi = FCGX_IsCGI();
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);	/* no SA_RESTART: accept returns */
	if (cgi) {
		sio.in = stdin;
		sio.out = stdout;
		sio.got = 0;
		io.read = stdio_read;
		io.write = stdio_write;
		io.ctx = &sio;
		/* The environment is this process's own here. */
		serve_one(handler, arg, environ, io, limits);
		stdio_drain(&sio);
		return 0;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, FCGI_LISTENSOCK_FILENO,
	    FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		pf_log(PF_LOG_ERR, "cannot initialise libfcgi");
		return -1;
	}
	if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1) {
		pf_log(PF_LOG_ERR, "cannot open /dev/null: %s", strerror(errno));
		FCGX_Free(&r, 1);
		return -1;
	}
	keep_heap();
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	for (;;) {
		sigprocmask(SIG_UNBLOCK, &term, NULL);
		if (stopping || FCGX_Accept_r(&r) < 0)
			break;
		sigprocmask(SIG_BLOCK, &term, NULL);
		fio.in = r.in;
		fio.out = r.out;
		fio.broken = 0;
		io.read = fcgx_read;
		io.write = fcgx_write;
		io.ctx = &fio;
		serve_one(handler, arg, r.envp, io, limits);
		FCGX_Finish_r(&r);
	}
	FCGX_Free(&r, 1);
	fd = devnull;
	devnull = -1;		/* before the close: a late SIGTERM's dup2 */
	close(fd);
	return 0;
}

int
pf_serve_cgi(void)
{
	return FCGX_IsCGI();
}

void
pf_serve_start_failed(void)
{
	if (!FCGX_IsCGI())
		sleep(PF_START_RETRY_SECONDS);
}