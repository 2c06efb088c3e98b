/*
 * test_smtp.c -- SMTP sessions with libesmtp (smtp.h), against a scripted
 * server in a child process on 127.0.0.1: how each reply is classified,
 * what goes on the wire (one connection per session), and what never gets
 * there.  STARTTLS and AUTH need a real server: tests/integration/
 * test_mail.py.
 */
#define _GNU_SOURCE		/* RTLD_NEXT */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "err.h"
#include "nitems.h"
#include "smtp.h"

#define FROM	"sender@example.com"
#define TO	"person@example.org"
static const char msg[] = "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
    "Message-ID: <1@example.com>\r\nFrom: " FROM "\r\nTo: " TO "\r\n"
    "Subject: test\r\n\r\nfirst line\r\n.a line with a dot\r\n";

/* A listening socket on a free loopback port. */
static int
listener(long *port)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static struct pf_smtp
settings(long port)
{
	struct pf_smtp	 s = { "127.0.0.1", port, PF_STARTTLS_OFF, NULL, NULL,
	    NULL, 2 };

	return s;
}

/*
 * A host name with two addresses, as DNS gives a server with an IPv6 and an
 * IPv4 address: libesmtp resolves the host itself, with getaddrinfo(), so
 * this program answers TWO_ADDRESSES with 127.0.0.1 at two_ports[0], then
 * at two_ports[1].  Every other name goes to the C library.
 */
#define TWO_ADDRESSES	"two-addresses.test"
static long	two_ports[2];

int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	static int	(*real)(const char *, const char *,
			    const struct addrinfo *, struct addrinfo **);
	struct addrinfo	 h, *a = NULL, *b = NULL;
	char		 port[2][16];
	int		 rc;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "getaddrinfo");
	if (node == NULL || strcmp(node, TWO_ADDRESSES) != 0)
		return real(node, service, hints, res);
	memset(&h, 0, sizeof(h));
	h.ai_family = AF_INET;
	h.ai_socktype = SOCK_STREAM;
	h.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(port[0], sizeof(port[0]), "%ld", two_ports[0]);
	snprintf(port[1], sizeof(port[1]), "%ld", two_ports[1]);
	if ((rc = real("127.0.0.1", port[0], &h, &a)) != 0)
		return rc;
	if ((rc = real("127.0.0.1", port[1], &h, &b)) != 0) {
		freeaddrinfo(a);
		return rc;
	}
	a->ai_next = b;		/* one address each: freeaddrinfo frees both */
	*res = a;
	return 0;
}

/* Nobody connected to fd (a listener)? */
static int
untouched(int fd)
{
	int	 c, fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	c = accept(fd, NULL, NULL);
	if (c >= 0)
		close(c);
	return c == -1 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/* Read one line (up to LF) from fd into buf; 0 at EOF. */
static size_t
line(int fd, char *buf, size_t max)
{
	size_t	 n = 0;

	while (n + 1 < max && read(fd, buf + n, 1) == 1)
		if (buf[n++] == '\n')
			break;
	buf[n] = '\0';
	return n;
}

static void
say(int fd, const char *s)
{
	send(fd, s, strlen(s), MSG_NOSIGNAL);
}

/*
 * The scripted server (a child): greets each connection with greeting,
 * answers MAIL, RCPT and the end of DATA with replies[0..2] and writes
 * every line it receives to out, and "CONNECT\n" for each connection it
 * accepts.
 */
static void
serve(int lfd, const char *greeting, const char *const replies[3], int out)
{
	char	 buf[2048];
	int	 c, data = 0;

	while ((c = accept(lfd, NULL, NULL)) >= 0) {
		write(out, "CONNECT\n", 8);
		say(c, greeting);
		while (line(c, buf, sizeof(buf)) > 0) {
			write(out, buf, strlen(buf));
			if (data) {
				if (strcmp(buf, ".\r\n") == 0) {
					data = 0;
					say(c, replies[2]);
				}
			} else if (strncmp(buf, "EHLO", 4) == 0)
				say(c, "250-test\r\n250 ENHANCEDSTATUSCODES\r\n");
			else if (strncmp(buf, "MAIL", 4) == 0)
				say(c, replies[0]);
			else if (strncmp(buf, "RCPT", 4) == 0)
				say(c, replies[1]);
			else if (strncmp(buf, "DATA", 4) == 0) {
				say(c, "354 go ahead\r\n");
				data = 1;
			} else if (strncmp(buf, "QUIT", 4) == 0) {
				say(c, "221 bye\r\n");
				close(c);
				_exit(0);
			} else
				say(c, "500 what\r\n");
		}
		close(c);
	}
	_exit(1);
}

/* Count the occurrences of what in wire. */
static int
count(const char *wire, const char *what)
{
	int	 n = 0;

	while ((wire = strstr(wire, what)) != NULL) {
		n++;
		wire += strlen(what);
	}
	return n;
}

/* One message to TO, as pf_smtp_send takes it. */
static struct pf_smtp_message
message(const char *to)
{
	struct pf_smtp_message	 m;

	memset(&m, 0, sizeof(m));
	m.to = to;
	m.data = msg;
	m.len = sizeof(msg) - 1;
	return m;
}

/* A scripted server (serve) in a child, on *port; its lines come on *out. */
static pid_t
start_server(const char *greeting, const char *const replies[3], long *port,
    int *out)
{
	pid_t	 pid;
	int	 lfd, p[2];

	lfd = listener(port);
	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		serve(lfd, greeting, replies, p[1]);
	}
	ck_assert_int_gt(pid, 0);
	close(p[1]);
	close(lfd);
	*out = p[0];
	return pid;
}

/* Stop the server started as pid; *wire receives what it read from in. */
static void
stop_server(pid_t pid, int in, char *wire, size_t wirelen)
{
	ssize_t	 r;
	size_t	 got = 0;
	int	 st;

	/* SIGKILL: the child has Check's SIGTERM handler, which kills the group. */
	kill(pid, SIGKILL);
	while ((r = read(in, wire + got, wirelen - 1 - got)) > 0)
		got += (size_t)r;
	wire[got] = '\0';
	close(in);
	waitpid(pid, &st, 0);
}

/*
 * Send msgs[0..n) in one session through a scripted server; *wire
 * receives what it read.
 */
static int
session(const char *const replies[3], struct pf_smtp_message *msgs,
    size_t n, char *wire, size_t wirelen)
{
	struct pf_smtp	 s;
	long		 port;
	pid_t		 pid;
	int		 in, rc;

	pid = start_server("220 test ESMTP\r\n", replies, &port, &in);
	s = settings(port);
	rc = pf_smtp_send(&s, FROM, msgs, n);
	stop_server(pid, in, wire, wirelen);
	return rc;
}

/* Send msg to TO through a scripted server; *res tells how it went. */
static int
exchange(const char *const replies[3], struct pf_smtp_result *res,
    char *wire, size_t wirelen)
{
	struct pf_smtp_message	 m = message(TO);
	int			 rc;

	rc = session(replies, &m, 1, wire, wirelen);
	*res = m.res;
	return rc;
}

START_TEST(test_starttls_modes_by_name)
{
	const struct { const char *name; int mode; } t[] = {
		{ "required", PF_STARTTLS_REQUIRED },
		{ "if-offered", PF_STARTTLS_IF_OFFERED },
		{ "off", PF_STARTTLS_OFF },
		{ "Required", -1 }, { "if_offered", -1 }, { "on", -1 },
		{ "", -1 }, { "off ", -1 }, { NULL, -1 },
	};
	size_t	 i;

	for (i = 0; i < nitems(t); i++)
		ck_assert_int_eq(pf_smtp_starttls_mode(t[i].name), t[i].mode);
}
END_TEST

START_TEST(test_accepted_message_is_sent_as_given)
{
	const char *const ok[3] = { "250 ok\r\n", "250 ok\r\n",
	    "250 2.0.0 queued as 12345\r\n" };
	struct pf_smtp_result	 res;
	char			 wire[8192];

	ck_assert_int_eq(exchange(ok, &res, wire, sizeof(wire)), PF_OK);
	ck_assert_int_eq(res.outcome, PF_SMTP_SENT);
	ck_assert_int_eq(res.code, 250);
	ck_assert_ptr_nonnull(strstr(wire, "MAIL FROM:<" FROM ">\r\n"));
	ck_assert_ptr_nonnull(strstr(wire, "RCPT TO:<" TO ">\r\n"));
	/* libesmtp adds no header of its own and stuffs the dot. */
	ck_assert_ptr_nonnull(strstr(wire, "DATA\r\nDate: Mon, 1 Jan 2024 "
	    "00:00:00 +0000\r\nMessage-ID: <1@example.com>\r\nFrom: " FROM
	    "\r\nTo: " TO "\r\nSubject: test\r\n\r\nfirst line\r\n"
	    "..a line with a dot\r\n.\r\n"));
	ck_assert_ptr_null(strstr(strstr(wire, "RCPT") + 4, "RCPT"));
	/* One connection: no test connection before the session's own. */
	ck_assert_int_eq(count(wire, "CONNECT\n"), 1);
	ck_assert_int_eq(count(wire, "QUIT\r\n"), 1);
}
END_TEST

START_TEST(test_a_batch_goes_over_one_connection)
{
	const char *const ok[3] = { "250 ok\r\n", "250 ok\r\n",
	    "250 2.0.0 queued\r\n" };
	struct pf_smtp_message	 m[4];
	char			 wire[16384];
	size_t			 i;

	m[0] = message("first@example.org");
	m[1] = message("person@example.org\r\nRCPT TO:<evil@example.com>");
	m[2] = message("second@example.org");
	m[3] = message("third@example.org");
	m[3].len = 0;			/* no message at all */
	ck_assert_int_eq(session(ok, m, 4, wire, sizeof(wire)), PF_OK);
	ck_assert_int_eq(count(wire, "CONNECT\n"), 1);
	ck_assert_int_eq(count(wire, "MAIL FROM:<" FROM ">\r\n"), 2);
	ck_assert_int_eq(count(wire, "\r\n.\r\n"), 2);
	ck_assert_ptr_nonnull(strstr(wire, "RCPT TO:<first@example.org>"));
	ck_assert_ptr_nonnull(strstr(wire, "RCPT TO:<second@example.org>"));
	ck_assert_ptr_null(strstr(wire, "evil"));
	ck_assert_ptr_null(strstr(wire, "third"));
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(m[i].res.outcome, i % 2 == 0 ?
		    PF_SMTP_SENT : PF_SMTP_PERMANENT);
		ck_assert_int_eq(m[i].res.code, i % 2 == 0 ? 250 : 0);
	}
}
END_TEST

START_TEST(test_replies_are_classified_by_code)
{
	const struct {
		const char	*replies[3];
		int		 outcome, code;
		const char	*text;
	} t[] = {
		{ { "250 ok\r\n", "451 4.3.0 later <" TO ">\r\n", "250 ok\r\n" },
		  PF_SMTP_TEMPORARY, 451, "RCPT 451 4.3.0" },
		{ { "250 ok\r\n", "550 5.1.1 no such user <" TO ">\r\n",
		    "250 ok\r\n" }, PF_SMTP_PERMANENT, 550, "RCPT 550 5.1.1" },
		{ { "250 ok\r\n", "250 ok\r\n", "452 full\r\n" },
		  PF_SMTP_TEMPORARY, 452, "DATA 452" },
		{ { "250 ok\r\n", "250 ok\r\n", "554 5.7.1 spam\r\n" },
		  PF_SMTP_PERMANENT, 554, "DATA 554 5.7.1" },
		{ { "421 4.7.0 go away\r\n", "250 ok\r\n", "250 ok\r\n" },
		  PF_SMTP_TEMPORARY, 421, "MAIL 421 4.7.0" },
		{ { "553 5.1.8 bad sender " FROM "\r\n", "250 ok\r\n",
		    "250 ok\r\n" }, PF_SMTP_PERMANENT, 553, "MAIL 553 5.1.8" },
	};
	struct pf_smtp_result	 res;
	char			 wire[8192];
	size_t			 i;

	for (i = 0; i < nitems(t); i++) {
		ck_assert_int_eq(exchange(t[i].replies, &res, wire,
		    sizeof(wire)), PF_OK);
		ck_assert_int_eq(res.outcome, t[i].outcome);
		ck_assert_int_eq(res.code, t[i].code);
		ck_assert_str_eq(res.text, t[i].text);
		/* The server's words may quote an address: never kept. */
		ck_assert_ptr_null(strchr(res.text, '@'));
	}
}
END_TEST

/*
 * A server that refuses the session in its greeting (a connection-rate
 * limit's 421, a 554 "no service"): libesmtp keeps no status of it, and the
 * result used to say only that the server dropped the connection.
 */
START_TEST(test_refused_greeting_says_its_code)
{
	const struct {
		const char	*greeting;
		int		 code;
		const char	*text;
	} t[] = {
		{ "421 4.7.0 <" TO "> too many connections\r\n", 421,
		  "server refused the session: 421 4.7.0" },
		{ "554 no SMTP service here\r\n", 554,
		  "server refused the session: 554" },
	};
	const char *const ok[3] = { "250 ok\r\n", "250 ok\r\n", "250 ok\r\n" };
	struct pf_smtp_message	 m[2];
	struct pf_smtp		 s;
	char			 wire[4096];
	long			 port;
	pid_t			 pid;
	size_t			 i;
	int			 in;

	for (i = 0; i < nitems(t); i++) {
		pid = start_server(t[i].greeting, ok, &port, &in);
		s = settings(port);
		m[0] = message(TO);
		m[1] = message(TO);
		ck_assert_int_eq(pf_smtp_send(&s, FROM, m, 2), PF_OK);
		stop_server(pid, in, wire, sizeof(wire));
		ck_assert_int_eq(count(wire, "CONNECT\n"), 1);
		ck_assert_ptr_null(strstr(wire, "MAIL"));
		ck_assert_int_eq(m[1].res.outcome, PF_SMTP_TEMPORARY);
		ck_assert_int_eq(m[1].res.code, t[i].code);
		ck_assert_str_eq(m[1].res.text, t[i].text);
		ck_assert_str_eq(m[0].res.text, m[1].res.text);
	}
}
END_TEST

START_TEST(test_bad_addresses_never_reach_the_server)
{
	const char *const bad[] = {
		TO "\r\nRCPT TO:<evil@example.com>", TO "\r", TO "\r\n",
		"person@example.org\nx",
		"person@example.org>\r\nBcc: evil@example.com",
		"<" TO ">", "person", "person@localhost", "per son@example.org",
		"person@example.org,evil@example.com", "pérson@example.org",
		"", " ",
	};
	struct pf_smtp		 s;
	struct pf_smtp_message	 m;
	long			 port;
	size_t			 i;
	int			 lfd;

	lfd = listener(&port);
	s = settings(port);
	for (i = 0; i < nitems(bad); i++) {
		m = message(bad[i]);
		ck_assert_int_eq(pf_smtp_send(&s, FROM, &m, 1), PF_OK);
		ck_assert_int_eq(m.res.outcome, PF_SMTP_PERMANENT);
		ck_assert_str_eq(m.res.text, "not sent: invalid recipient or "
		    "message");
		m = message(TO);
		ck_assert_int_eq(pf_smtp_send(&s, bad[i], &m, 1), PF_EINVAL);
	}
	m = message(TO);
	ck_assert_int_eq(pf_smtp_send(&s, NULL, &m, 1), PF_EINVAL);
	ck_assert(untouched(lfd));
	close(lfd);
}
END_TEST

/* Settings and batches the session refuses before connecting. */
static void
spoil(struct pf_smtp *s, size_t *n, int i)
{
	switch (i) {
	case 0: s->host = NULL; break;
	case 1: s->host = ""; break;
	case 2: s->host = "::1"; break;
	case 3: s->host = "127.0.0.1\r\n"; break;
	case 4: s->port = 0; break;
	case 5: s->port = 65536; break;
	case 6: s->timeout = 0; break;
	case 7: s->starttls = (enum pf_starttls)7; break;
	case 8:			/* no password */
		s->user = "someone";
		s->starttls = PF_STARTTLS_REQUIRED;
		break;
	case 9:			/* a password only inside TLS */
		s->user = "someone";
		s->password = "secret";
		s->starttls = PF_STARTTLS_IF_OFFERED;
		break;
	case 10: *n = 0; break;
	default: *n = PF_SMTP_MAX_BATCH + 1; break;
	}
}

START_TEST(test_bad_settings_are_refused_before_connecting)
{
	static const char nul[] = "Subject: a\r\n\r\nb\0c\r\n";
	struct pf_smtp		 s;
	struct pf_smtp_message	 m[PF_SMTP_MAX_BATCH + 1];
	long			 port;
	size_t			 n;
	int			 lfd, i;

	lfd = listener(&port);
	for (i = 0; i < 12; i++) {
		s = settings(port);
		m[0] = message(TO);
		n = 1;
		spoil(&s, &n, i);
		ck_assert_int_eq(pf_smtp_send(&s, FROM, m, n), PF_EINVAL);
	}
	/* Messages libesmtp cannot take as they are: not sent. */
	s = settings(port);
	m[0] = message(TO);
	m[0].data = NULL;
	m[1] = message(TO);
	m[1].data = nul;
	m[1].len = sizeof(nul) - 1;
	ck_assert_int_eq(pf_smtp_send(&s, FROM, m, 2), PF_OK);
	ck_assert_int_eq(m[0].res.outcome, PF_SMTP_PERMANENT);
	ck_assert_int_eq(m[1].res.outcome, PF_SMTP_PERMANENT);
	ck_assert(untouched(lfd));
	close(lfd);
}
END_TEST

/* Settings that cannot work are named before any session is tried. */
START_TEST(test_check_names_settings_that_cannot_work)
{
	struct pf_smtp	 s;
	char		 why[200], garbage[] = "/tmp/pf-test-smtp-XXXXXX";
	size_t		 n = 1;
	int		 i, fd;

	s = settings(25);
	ck_assert_int_eq(pf_smtp_check(&s, why, sizeof(why)), PF_OK);
	s.starttls = PF_STARTTLS_REQUIRED;	/* the system's CA store */
	ck_assert_int_eq(pf_smtp_check(&s, why, sizeof(why)), PF_OK);
	for (i = 0; i < 10; i++) {
		s = settings(25);
		spoil(&s, &n, i);
		why[0] = '\0';
		ck_assert_int_eq(pf_smtp_check(&s, why, sizeof(why)), PF_EINVAL);
		ck_assert_int_eq(strncmp(why, "smtp_", 5), 0);
	}
	/* A CA file that is not there, or holds no certificate. */
	fd = mkstemp(garbage);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "not a certificate\n", 18), 18);
	close(fd);
	s = settings(25);
	s.starttls = PF_STARTTLS_IF_OFFERED;
	s.ca_file = garbage;
	ck_assert_int_eq(pf_smtp_check(&s, why, sizeof(why)), PF_EINVAL);
	ck_assert_int_eq(strncmp(why, "smtp_ca_file: ", 14), 0);
	s.ca_file = "/nonexistent/ca.pem";
	ck_assert_int_eq(pf_smtp_check(&s, why, sizeof(why)), PF_EINVAL);
	ck_assert_int_eq(strncmp(why, "smtp_ca_file: ", 14), 0);
	/* Without STARTTLS no CA file is read. */
	s.starttls = PF_STARTTLS_OFF;
	ck_assert_int_eq(pf_smtp_check(&s, why, sizeof(why)), PF_OK);
	unlink(garbage);
}
END_TEST

START_TEST(test_refused_connection_is_temporary)
{
	struct pf_smtp		 s;
	struct pf_smtp_message	 m[2] = { message(TO), message(TO) };
	long			 port;

	close(listener(&port));		/* a port nobody listens on */
	s = settings(port);
	ck_assert_int_eq(pf_smtp_send(&s, FROM, m, 2), PF_OK);
	ck_assert_int_eq(m[1].res.outcome, PF_SMTP_TEMPORARY);
	ck_assert_int_eq(m[1].res.code, 0);
	ck_assert_str_eq(m[1].res.text, "no connection: Connection refused");
	ck_assert_str_eq(m[0].res.text, m[1].res.text);
}
END_TEST

/* Send m through s, which must give PF_OK: how many ms it took. */
static long
send_timed(const struct pf_smtp *s, struct pf_smtp_message *m)
{
	struct timespec	 a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_eq(pf_smtp_send(s, FROM, m, 1), PF_OK);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a.tv_sec) * 1000 +
	    (b.tv_nsec - a.tv_nsec) / 1000000;
}

/*
 * ms is the timeout of s, not much longer (with room for a loaded
 * machine), and certainly not libesmtp's own wait of five minutes.
 */
static void
waited_the_timeout(const struct pf_smtp *s, long ms)
{
	ck_assert_int_ge(ms, s->timeout * 1000);
	ck_assert_int_lt(ms, (s->timeout + 30) * 1000);
}

START_TEST(test_silent_server_gives_up_after_the_timeout)
{
	struct pf_smtp		 s;
	struct pf_smtp_message	 m = message(TO);
	long			 port, ms;
	int			 lfd;

	/* The kernel completes the handshake; nobody ever answers. */
	lfd = listener(&port);
	s = settings(port);
	s.timeout = 2;
	ms = send_timed(&s, &m);
	ck_assert_int_eq(m.res.outcome, PF_SMTP_TEMPORARY);
	ck_assert_int_eq(m.res.code, 0);
	/*
	 * It waited for the greeting as long as it was told, not forever, and
	 * not much longer (with room for a loaded machine): libesmtp's own
	 * wait is five minutes, and a timeout handed to it in the wrong unit
	 * (seconds as milliseconds) ends at libesmtp's floor of one second, so
	 * the timeout here is two.
	 */
	waited_the_timeout(&s, ms);
	close(lfd);
}
END_TEST

/*
 * A listener whose accept queue is full: the kernel drops further SYNs, so
 * a connect() to it hangs as one to a host behind a dropping firewall does.
 * *filler receives the connection that fills the queue.
 */
static int
full_listener(long *port, int *filler)
{
	struct sockaddr_in	 sin;
	int			 fd;

	fd = listener(port);
	ck_assert_int_eq(listen(fd, 0), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short)*port);
	*filler = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(*filler, (struct sockaddr *)&sin,
	    sizeof(sin)), 0);
	return fd;
}

START_TEST(test_unanswered_connect_gives_up_after_the_timeout)
{
	struct pf_smtp		 s;
	struct pf_smtp_message	 m = message(TO);
	struct sigaction	 before, after;
	struct itimerval	 it;
	long			 port, ms;
	int			 lfd, filler;

	ck_assert_int_eq(sigaction(SIGALRM, NULL, &before), 0);
	lfd = full_listener(&port, &filler);
	s = settings(port);
	s.timeout = 1;
	ms = send_timed(&s, &m);
	ck_assert_int_eq(m.res.outcome, PF_SMTP_TEMPORARY);
	ck_assert_str_eq(m.res.text, "no connection: timed out after 1 s");
	waited_the_timeout(&s, ms);
	/* The timer and the handler are gone with the session. */
	ck_assert_int_eq(sigaction(SIGALRM, NULL, &after), 0);
	ck_assert_ptr_eq(after.sa_handler, before.sa_handler);
	ck_assert_int_eq(getitimer(ITIMER_REAL, &it), 0);
	ck_assert_int_eq(it.it_value.tv_sec + it.it_value.tv_usec, 0);
	close(filler);
	close(lfd);
}
END_TEST

/*
 * A server that refuses the session sends libesmtp on to the host's next
 * address, with a connect() as blocking as the first: it gets the timeout
 * too (it used to hang for the kernel's SYN retries, two minutes), and the
 * result still says why the first refused.
 */
START_TEST(test_next_address_gets_the_connect_timeout_too)
{
	const char *const ok[3] = { "250 ok\r\n", "250 ok\r\n", "250 ok\r\n" };
	struct pf_smtp_message	 m = message(TO);
	struct pf_smtp		 s;
	char			 wire[4096];
	long			 ms;
	pid_t			 pid;
	int			 in, lfd, filler;

	pid = start_server("421 4.7.0 too many connections\r\n", ok,
	    &two_ports[0], &in);
	lfd = full_listener(&two_ports[1], &filler);
	s = settings(two_ports[0]);
	s.host = TWO_ADDRESSES;
	s.timeout = 1;
	ms = send_timed(&s, &m);
	stop_server(pid, in, wire, sizeof(wire));
	ck_assert_int_eq(count(wire, "CONNECT\n"), 1);
	ck_assert_int_eq(count(wire, "QUIT\r\n"), 1);
	ck_assert_int_eq(m.res.outcome, PF_SMTP_TEMPORARY);
	ck_assert_str_eq(m.res.text, "server refused the session: 421 4.7.0");
	waited_the_timeout(&s, ms);
	close(filler);
	close(lfd);
}
END_TEST

PF_TEST_MAIN("smtp",
    tcase_add_test(tc, test_starttls_modes_by_name),
    tcase_add_test(tc, test_accepted_message_is_sent_as_given),
    tcase_add_test(tc, test_a_batch_goes_over_one_connection),
    tcase_add_test(tc, test_replies_are_classified_by_code),
    tcase_add_test(tc, test_refused_greeting_says_its_code),
    tcase_add_test(tc, test_bad_addresses_never_reach_the_server),
    tcase_add_test(tc, test_bad_settings_are_refused_before_connecting),
    tcase_add_test(tc, test_check_names_settings_that_cannot_work),
    tcase_add_test(tc, test_refused_connection_is_temporary),
    tcase_add_test(tc, test_silent_server_gives_up_after_the_timeout),
    tcase_add_test(tc, test_unanswered_connect_gives_up_after_the_timeout),
    tcase_add_test(tc, test_next_address_gets_the_connect_timeout_too))
