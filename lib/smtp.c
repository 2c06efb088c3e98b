/*
 * smtp.c -- one SMTP session with libesmtp, for one or more messages
 * (smtp.h).
 *
 * libesmtp 1.1.0 is used for the protocol only; everything it gets wrong on
 * Debian 12 is handled here (smtp.h lists it; ARCHITECTURE.md, library
 * defects).  Three of those guards, and the reason a refused greeting is
 * given, watch the session through libesmtp's callbacks, whose order this
 * file relies on (libesmtp's siobuf.c and protocol.c):
 *  - the monitor callback sees each buffer libesmtp writes before the write,
 *    and each buffer it reads before parsing it (the first is the greeting);
 *  - OpenSSL's info callback on our SSL_CTX sees the handshake complete
 *    before libesmtp checks the certificate and carries on;
 *  - SMTP_EV_CONNECT comes right after connect() succeeded, and
 *    SMTP_EV_DISCONNECT after the connection was closed, before any
 *    connection to the host's next address.
 * Protocol timeouts are set in milliseconds, whatever libesmtp's
 * documentation says.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

/* Before libesmtp.h: it declares smtp_starttls_set_ctx only after OpenSSL. */
#include <openssl/ssl.h>
#include <auth-client.h>
#include <libesmtp.h>

#include "err.h"
#include "nitems.h"
#include "smtp.h"
#include "validate.h"

#define MAX_MESSAGE	(10 * 1024 * 1024)	/* bytes */
/*
 * Until libesmtp's first write after a TLS 1.3 handshake, the socket counts
 * as readable only with this much waiting: far more than any server's
 * session tickets (a few hundred bytes each), far less than the kernel's cap.
 */
#define TICKET_LOWAT	(64 * 1024)

enum auth_state {
	AUTH_NONE,		/* no AUTH command yet */
	AUTH_SENT,		/* AUTH sent, its final reply not yet read */
	AUTH_OK,		/* 235: MAIL may follow */
};

/* The connect timer, and what it replaced. */
struct connect_timer {
	int			 armed;
	struct sigaction	 old_sa;
	struct itimerval	 old_it;
};

/* One message of the session, and what libesmtp knows of it. */
struct part {
	struct pf_smtp_message	*m;
	char			*to;	/* normalised recipient */
	int			 given;	/* data handed to libesmtp */
	smtp_message_t		 sm;
	smtp_recipient_t	 r;
};

/* What one session needs beyond libesmtp's own state. */
struct session {
	const struct pf_smtp	*s;
	int			 authenticating;	/* s->user is set */
	int			 connected;	/* SMTP_EV_CONNECT seen */
	struct connect_timer	*timer;		/* while the session runs */
	const char		*tls_problem;	/* from the event callback */
	SSL			*ssl;	/* once the handshake is done */
	int			 fd;	/* the connection, once TLS is up; or -1 */
	int			 handshaken;
	int			 lowat;		/* SO_RCVLOWAT raised, to reset */
	enum auth_state		 auth;
	char			 reply[16];	/* start of the reply to AUTH */
	size_t			 replylen;
	int			 greeted;	/* the greeting has been read */
	char			 refused[16];	/* codes of a greeting that
						   refused the session, or "" */
	int			 refused_code;
	char			 stopped[200];	/* why we ended it; "" if we did not */
	int			 stopped_code;	/* the reply that made us, or 0 */
};

static volatile sig_atomic_t connect_late;	/* the connect timer fired */

static const char *const starttls_names[] = {
	[PF_STARTTLS_OFF] = "off",
	[PF_STARTTLS_IF_OFFERED] = "if-offered",
	[PF_STARTTLS_REQUIRED] = "required",
};

int
pf_smtp_starttls_mode(const char *name)
{
	size_t	 i;

	if (name == NULL)
		return -1;
	for (i = 0; i < nitems(starttls_names); i++)
		if (strcmp(name, starttls_names[i]) == 0)
			return (int)i;
	return -1;
}

static void
result(struct pf_smtp_result *res, enum pf_smtp_outcome o, int code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
result(struct pf_smtp_result *res, enum pf_smtp_outcome o, int code,
    const char *fmt, ...)
{
	va_list	 ap;

	res->outcome = o;
	res->code = code;
	va_start(ap, fmt);
	vsnprintf(res->text, sizeof(res->text), fmt, ap);
	va_end(ap);
}

/* A host name or IPv4 address libesmtp's "host:port" can carry. */
static int
host_ok(const char *h)
{
	size_t	 n = strlen(h);

	return n > 0 && n < 254 && strspn(h, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") == n;
}

/* What makes settings s unusable as they are (for the log), or NULL. */
static const char *
settings_problem(const struct pf_smtp *s)
{
	int	 user = s->user != NULL && s->user[0] != '\0';

	if (s->host == NULL || !host_ok(s->host))
		return "smtp_host: not a host name or IPv4 address";
	if (s->port < 1 || s->port > 65535)
		return "smtp_port: not a port number";
	if (s->timeout < 1 || s->timeout > 3600)
		return "smtp_timeout: not 1 to 3600 seconds";
	if (s->starttls != PF_STARTTLS_OFF &&
	    s->starttls != PF_STARTTLS_IF_OFFERED &&
	    s->starttls != PF_STARTTLS_REQUIRED)
		return "smtp_starttls: not off, if-offered or required";
	/* A password travels only inside TLS (and the AUTH guard needs it). */
	if (user && s->password == NULL)
		return "smtp_user is set without a password";
	if (user && s->starttls != PF_STARTTLS_REQUIRED)
		return "smtp_user needs smtp_starttls = required";
	return NULL;
}

static int
settings_ok(const struct pf_smtp *s)
{
	return settings_problem(s) == NULL;
}

/* A message libesmtp can be given as it is. */
static int
message_ok(const struct pf_smtp_message *m)
{
	return m->data != NULL && m->len > 0 && m->len <= MAX_MESSAGE &&
	    memchr(m->data, '\0', m->len) == NULL;
}

/* ---- the connect timeout ---- */

static void
on_alarm(int sig)
{
	(void)sig;
	connect_late = 1;
}

/*
 * SIGALRM after seconds, then every 100 ms until disarmed, so that each of
 * libesmtp's blocking connect() calls (one per address) returns EINTR once
 * the time is up.  No SA_RESTART: a restarted connect() would block again.
 */
static int
timer_arm(struct connect_timer *t, long seconds)
{
	struct sigaction	 sa;
	struct itimerval	 it;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	connect_late = 0;
	if (sigaction(SIGALRM, &sa, &t->old_sa) == -1)
		return -1;
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = seconds;
	it.it_interval.tv_usec = 100000;
	if (setitimer(ITIMER_REAL, &it, &t->old_it) == -1) {
		sigaction(SIGALRM, &t->old_sa, NULL);
		return -1;
	}
	t->armed = 1;
	return 0;
}

static void
timer_disarm(struct connect_timer *t)
{
	if (t == NULL || !t->armed)
		return;
	setitimer(ITIMER_REAL, &t->old_it, NULL);
	sigaction(SIGALRM, &t->old_sa, NULL);
	t->armed = 0;
}

/* ---- what the callbacks watch ---- */

static void
set_lowat(int fd, int bytes)
{
	/* Without it (not Linux), only the ticket race is back. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof(bytes));
}

/*
 * The handshake is done: libesmtp checks the certificate next, then writes
 * EHLO or QUIT and polls for both reading and writing.  A TLS 1.3 server's
 * tickets may arrive first; with a low-water mark above their size the
 * socket cannot look readable until the command is flushed (monitor_cb).
 */
static void
info_cb(const SSL *ssl, int where, int ret)
{
	struct session	*ss;

	(void)ret;
	if (!(where & SSL_CB_HANDSHAKE_DONE))
		return;
	ss = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	if (ss == NULL || ss->handshaken)
		return;
	ss->handshaken = 1;
	ss->ssl = (SSL *)ssl;
	ss->fd = SSL_get_fd(ssl);
	if (ss->fd >= 0 && SSL_version(ssl) == TLS1_3_VERSION) {
		set_lowat(ss->fd, TICKET_LOWAT);
		ss->lowat = 1;
	}
}

/*
 * End the session now, politely: QUIT, then shut the connection so that
 * nothing libesmtp writes afterwards (MAIL, another AUTH) leaves, and its
 * reads end at once.  Its own QUIT then fails quietly (SIGPIPE is blocked).
 */
static void
stop(struct session *ss, int code, const char *why)
{
	if (ss->stopped[0] != '\0')
		return;
	ss->stopped_code = code;
	snprintf(ss->stopped, sizeof(ss->stopped), "%s", why);
	if (ss->ssl != NULL)
		(void)SSL_write(ss->ssl, "QUIT\r\n", 6);
	if (ss->fd >= 0)
		(void)shutdown(ss->fd, SHUT_RDWR);
}

/*
 * The reply code and any enhanced code at the start of buf (len bytes) into
 * out, without the server's words (they may quote an address).  Returns
 * the reply code, or 0 if buf does not start with one.
 */
static int
reply_codes(const char *buf, size_t len, char *out, size_t size)
{
	size_t	 n = 0;

	while (n < len && n + 1 < size && buf[n] != '\0' &&
	    strchr("0123456789. ", buf[n]) != NULL)
		n++;
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	memcpy(out, buf, n);
	out[n] = '\0';
	return n >= 3 ? atoi(out) : 0;
}

/*
 * The first buffer read on a connection starts with the greeting: any code
 * but 220 refuses the session (a connection-rate limit's 421, say), and
 * libesmtp keeps no status that would tell it.  A 220 (from the host's
 * next address) makes an earlier refusal no longer the reason.
 */
static void
greeting(struct session *ss, const char *buf, int len)
{
	char	 codes[sizeof(ss->refused)];
	int	 code;

	ss->greeted = 1;
	code = reply_codes(buf, (size_t)len, codes, sizeof(codes));
	if (code == 220) {
		ss->refused[0] = '\0';
		ss->refused_code = 0;
	} else if (code != 0) {
		memcpy(ss->refused, codes, sizeof(codes));
		ss->refused_code = code;
	}
}

static int
starts(const char *buf, int len, const char *word)
{
	size_t	 n = strlen(word);

	return len >= 0 && (size_t)len >= n && strncasecmp(buf, word, n) == 0;
}

/*
 * A buffer libesmtp is about to write, before AUTH has succeeded: MAIL
 * must not go out.  (A refusal ends the session as soon as it is read, so
 * MAIL after an AUTH means a reply we could not read as 235.)
 */
static void
auth_write(struct session *ss, const char *buf, int len)
{
	if (starts(buf, len, "AUTH ")) {
		ss->auth = AUTH_SENT;
		ss->replylen = 0;
	} else if (starts(buf, len, "MAIL ")) {
		stop(ss, 0, ss->auth == AUTH_NONE ? "smtp_user is set but the "
		    "server offered no AUTH that libesmtp can use (is AUTH "
		    "enabled on this port?)" : "AUTH did not succeed (a reply "
		    "that is not 235)");
	}
}

/*
 * A buffer libesmtp has read, while AUTH waits for its reply: 235 lets the
 * session go on, 334 asks for more.  501 and 504 say the mechanism was
 * cancelled or unknown (libesmtp gives up on one whose questions we cannot
 * answer, NTLM's, before sending the password): libesmtp tries the next.
 * Anything else refuses the login (5xx) or says the server cannot check it
 * now (4xx: its SASL backend is down, say), and ends the session before
 * libesmtp can log in again or send MAIL.
 */
static void
auth_read(struct session *ss, const char *buf, int len)
{
	char	 why[160], codes[sizeof(ss->reply)];
	int	 code, n = 0;

	while (n < len && ss->replylen < sizeof(ss->reply) - 1 &&
	    buf[n] != '\n')
		ss->reply[ss->replylen++] = buf[n++];
	ss->reply[ss->replylen] = '\0';
	if (ss->replylen < 4 && n == len)
		return;		/* the code is still to come */
	code = reply_codes(ss->reply, ss->replylen, codes, sizeof(codes));
	ss->replylen = 0;
	if (code == 235)
		ss->auth = AUTH_OK;
	else if (code == 501 || code == 504)
		ss->auth = AUTH_NONE;
	else if (code >= 400 && code < 500) {
		snprintf(why, sizeof(why), "AUTH %s: the server cannot check "
		    "smtp_user and its password now (a fault on its side)",
		    codes);
		stop(ss, code, why);
	} else if (code < 300 || code >= 400) {
		snprintf(why, sizeof(why), "AUTH %s: the server refused "
		    "smtp_user and its password (check smtp_user and "
		    "smtp_password_file)", codes);
		stop(ss, code, why);
	}
}

/* libesmtp's monitor: every buffer it writes or reads, in order. */
static void
monitor_cb(const char *buf, int len, int writing, void *arg)
{
	struct session	*ss = arg;

	if (writing == SMTP_CB_WRITING && ss->lowat) {
		set_lowat(ss->fd, 1);
		ss->lowat = 0;
	}
	if (writing == SMTP_CB_READING && !ss->greeted)
		greeting(ss, buf, len);
	if (!ss->authenticating || ss->auth == AUTH_OK ||
	    ss->stopped[0] != '\0')
		return;
	if (writing == SMTP_CB_WRITING)
		auth_write(ss, buf, len);
	else if (writing == SMTP_CB_READING && ss->auth == AUTH_SENT)
		auth_read(ss, buf, len);
}

/*
 * libesmtp moves on to the next address of the host when a server refused
 * the session (a 4xx or 5xx greeting, a 4xx to EHLO, a failed HELO).  What
 * we knew of the connection went with it (its SSL is freed, its socket
 * closed: stop() must not reach them), and the next connect() blocks as the
 * first did: forget the one and arm the timer again for the other (run()
 * disarms it when there is none).
 */
static void
disconnected(struct session *ss)
{
	ss->ssl = NULL;
	ss->fd = -1;
	ss->handshaken = 0;
	ss->lowat = 0;
	ss->auth = AUTH_NONE;
	ss->replylen = 0;
	ss->greeted = 0;
	if (ss->timer != NULL && !ss->timer->armed)
		(void)timer_arm(ss->timer, ss->s->timeout);
}

/*
 * Record what libesmtp tells: the connection made (the timer's work is
 * done) or gone, and why TLS failed.  For the refusals the variadic
 * arguments are not read: leaving each "ok" flag as libesmtp set it (0)
 * keeps its refusal.
 */
static void
event_cb(smtp_session_t session, int event, void *arg, ...)
{
	static const struct { int event; const char *problem; } tls[] = {
		{ SMTP_EV_EXTNA_STARTTLS, "STARTTLS required but not offered" },
		{ SMTP_EV_INVALID_PEER_CERTIFICATE,
		  "TLS: server certificate not trusted" },
		{ SMTP_EV_NO_PEER_CERTIFICATE,
		  "TLS: server certificate not trusted" },
		{ SMTP_EV_WRONG_PEER_CERTIFICATE, "TLS: certificate does not "
		  "name the server (libesmtp compares smtp_host with its DNS "
		  "names only)" },
		{ SMTP_EV_WEAK_CIPHER, "TLS: cipher too weak" },
	};
	struct session	*ss = arg;
	size_t		 i;

	(void)session;
	if (event == SMTP_EV_CONNECT) {
		ss->connected = 1;
		timer_disarm(ss->timer);
	} else if (event == SMTP_EV_DISCONNECT)
		disconnected(ss);
	for (i = 0; i < nitems(tls); i++)
		if (tls[i].event == event)
			ss->tls_problem = tls[i].problem;
}

/* The message, handed to libesmtp in one piece (it splits the lines). */
static const char *
message_cb(void **ctx, int *len, void *arg)
{
	struct part	*p = arg;

	(void)ctx;
	if (len == NULL) {	/* rewind */
		p->given = 0;
		return NULL;
	}
	if (p->given) {
		*len = 0;
		return NULL;
	}
	p->given = 1;
	*len = (int)p->m->len;
	return p->m->data;
}

/* AUTH PLAIN/LOGIN asks for the user and the password. */
static int
interact_cb(auth_client_request_t req, char **result, int fields, void *arg)
{
	const struct pf_smtp	*s = arg;
	int			 i;

	for (i = 0; i < fields; i++) {
		if (req[i].flags & AUTH_USER)
			result[i] = (char *)s->user;
		else if (req[i].flags & AUTH_PASS)
			result[i] = (char *)s->password;
		else
			return 0;
	}
	return 1;
}

/* ---- setting the session up ---- */

/* A fresh SSL_CTX (libesmtp's own cached one crashes a second session). */
static SSL_CTX *
tls_ctx(const struct pf_smtp *s, struct session *ss)
{
	SSL_CTX	*ctx;
	int	 ok;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return NULL;
	ok = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (ok && s->ca_file != NULL && s->ca_file[0] != '\0')
		ok = SSL_CTX_load_verify_locations(ctx, s->ca_file, NULL);
	else if (ok)
		ok = SSL_CTX_set_default_verify_paths(ctx);
	if (ok)
		ok = SSL_CTX_set_app_data(ctx, ss);
	if (!ok) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_info_callback(ctx, info_cb);
	return ctx;
}

static int
set_timeouts(smtp_session_t session, long seconds)
{
	static const int which[] = { Timeout_GREETING, Timeout_ENVELOPE,
	    Timeout_DATA, Timeout_TRANSFER, Timeout_DATA2 };
	size_t		 i;

	for (i = 0; i < nitems(which); i++)
		if (smtp_set_timeout(session,
		    which[i] | Timeout_OVERRIDE_RFC2822_MINIMUM,
		    seconds * 1000) == 0)
			return -1;
	return 0;
}

/* The session's settings and callbacks; 0, or -1 if libesmtp refused. */
static int
setup(smtp_session_t session, const char *hostport, const char *helo,
    struct session *ss, SSL_CTX *ctx, auth_context_t auth)
{
	static const enum starttls_option how[] = {
		[PF_STARTTLS_OFF] = Starttls_DISABLED,
		[PF_STARTTLS_IF_OFFERED] = Starttls_ENABLED,
		[PF_STARTTLS_REQUIRED] = Starttls_REQUIRED,
	};
	const struct pf_smtp	*s = ss->s;

	if (!smtp_set_server(session, hostport) ||
	    !smtp_set_hostname(session, helo) ||
	    set_timeouts(session, s->timeout) != 0 ||
	    !smtp_set_eventcb(session, event_cb, ss) ||
	    !smtp_set_monitorcb(session, monitor_cb, ss, 0) ||
	    !smtp_starttls_enable(session, how[s->starttls]))
		return -1;
	if (ctx != NULL && !smtp_starttls_set_ctx(session, ctx))
		return -1;
	if (auth != NULL && (!auth_set_mechanism_flags(auth, AUTH_PLUGIN_PLAIN,
	    0) || !auth_set_interact_cb(auth, interact_cb, (void *)s) ||
	    !smtp_auth_set_context(session, auth)))
		return -1;
	return 0;
}

/* Each message that can be sent, in order: 0, or -1 if libesmtp refused. */
static int
add_messages(smtp_session_t session, const char *from, struct part *p,
    size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (p[i].to == NULL)
			continue;
		if ((p[i].sm = smtp_add_message(session)) == NULL ||
		    !smtp_set_reverse_path(p[i].sm, from) ||
		    (p[i].r = smtp_add_recipient(p[i].sm, p[i].to)) == NULL ||
		    !smtp_set_messagecb(p[i].sm, message_cb, &p[i]))
			return -1;
	}
	return 0;
}

/* ---- how it ended ---- */

/* A session that broke before an answer decided a message: say why. */
static void
broken(const struct session *ss, struct pf_smtp_result *res)
{
	const char	*tls = ss->tls_problem;
	char		 err[128];

	if (!ss->connected) {
		if (connect_late)
			result(res, PF_SMTP_TEMPORARY, 0, "no connection: timed "
			    "out after %ld s", ss->s->timeout);
		else
			result(res, PF_SMTP_TEMPORARY, 0, "no connection: %s",
			    smtp_strerror(smtp_errno(), err, sizeof(err)));
		return;
	}
	if (ss->refused_code != 0) {
		result(res, PF_SMTP_TEMPORARY, ss->refused_code, "server "
		    "refused the session: %s", ss->refused);
		return;
	}
	if (tls == NULL && smtp_errno() == SMTP_ERR_CLIENT_ERROR &&
	    ss->s->starttls != PF_STARTTLS_OFF)
		tls = "TLS handshake failed (is the server's certificate "
		    "trusted?)";
	if (tls != NULL)
		result(res, PF_SMTP_TEMPORARY, 0, "%s", tls);
	else
		result(res, PF_SMTP_TEMPORARY, 0, "session failed: %s",
		    smtp_strerror(smtp_errno(), err, sizeof(err)));
}

/* The code of a status, 0 if the stage never got an answer. */
static int
code_of(const smtp_status_t *st)
{
	return st != NULL && st->code >= 200 && st->code < 600 ? st->code : 0;
}

/*
 * Classify one message: the first stage that was not answered with 2xx
 * decides; a stage without an answer means the session broke (connection,
 * TLS, timeout) or we ended it.  530 "authentication required" and 535 are
 * about the settings, whichever stage they answer.
 */
static void
outcome(const struct part *p, const struct session *ss,
    struct pf_smtp_result *res)
{
	static const char *const stage[3] = { "MAIL", "RCPT", "DATA" };
	const smtp_status_t	*st[3];
	int			 i, c = 0;

	if (ss->stopped[0] != '\0') {
		result(res, PF_SMTP_SETTINGS, ss->stopped_code, "%s",
		    ss->stopped);
		return;
	}
	st[0] = smtp_reverse_path_status(p->sm);
	st[1] = smtp_recipient_status(p->r);
	st[2] = smtp_message_transfer_status(p->sm);
	for (i = 0; i < 3; i++)
		if ((c = code_of(st[i])) < 200 || c >= 300)
			break;
	if (i == 3)
		result(res, PF_SMTP_SENT, c, "DATA %d", c);
	else if (c == 0)
		broken(ss, res);
	else
		result(res, c == 530 || c == 535 ? PF_SMTP_SETTINGS :
		    c >= 500 ? PF_SMTP_PERMANENT : PF_SMTP_TEMPORARY, c,
		    "%s %d", stage[i], c);
	if (c >= 400 && st[i]->enh_class > 0)
		snprintf(res->text + strlen(res->text), sizeof(res->text) -
		    strlen(res->text), " %d.%d.%d", st[i]->enh_class,
		    st[i]->enh_subject, st[i]->enh_detail);
	if (res->outcome == PF_SMTP_SETTINGS)
		snprintf(res->text + strlen(res->text), sizeof(res->text) -
		    strlen(res->text), ": the server wants AUTH (check "
		    "smtp_user and smtp_password_file)");
}

/* ---- the session ---- */

int
pf_smtp_check(const struct pf_smtp *s, char *why, size_t len)
{
	const char	*problem = settings_problem(s);
	SSL_CTX		*ctx;

	if (problem == NULL && s->starttls != PF_STARTTLS_OFF) {
		if ((ctx = tls_ctx(s, NULL)) == NULL)
			problem = "smtp_ca_file: no CA certificate could be "
			    "loaded from it (it must be a readable PEM file)";
		SSL_CTX_free(ctx);
	}
	if (problem == NULL)
		return PF_OK;
	snprintf(why, len, "%s", problem);
	return PF_EINVAL;
}

/*
 * Run the session with SIGPIPE blocked (libesmtp writes with write(), and a
 * server may close first) and SIGALRM deliverable (the connect timer).
 */
static void
run(smtp_session_t session, struct session *ss)
{
	struct connect_timer	 t;
	struct timespec		 zero = { 0, 0 };
	sigset_t		 pipe, alrm, old, pending;
	int			 was_pending;

	memset(&t, 0, sizeof(t));
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, &old);
	pthread_sigmask(SIG_UNBLOCK, &alrm, NULL);
	/* Without the timer (it cannot fail here) only the kernel's limit. */
	if (timer_arm(&t, ss->s->timeout) == 0)
		ss->timer = &t;
	/* Its result says little: the statuses tell what happened. */
	smtp_start_session(session);
	timer_disarm(&t);
	ss->timer = NULL;
	if (!was_pending)
		while (sigtimedwait(&pipe, NULL, &zero) > 0)
			continue;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Set up and run the session for the parts; then each part's outcome. */
static int
session_run(struct session *ss, const char *from, struct part *p, size_t n)
{
	static int	 auth_ready;
	smtp_session_t	 session = NULL;
	SSL_CTX		*ctx = NULL;
	auth_context_t	 auth = NULL;
	char		 hostport[300];
	size_t		 i;
	int		 rc = PF_ENOMEM;

	snprintf(hostport, sizeof(hostport), "%s:%ld", ss->s->host,
	    ss->s->port);
	if (ss->s->starttls != PF_STARTTLS_OFF &&
	    (ctx = tls_ctx(ss->s, ss)) == NULL) {
		rc = PF_ECRYPTO;
		goto out;
	}
	if (ss->authenticating && !auth_ready) {
		auth_client_init();
		auth_ready = 1;
	}
	if ((ss->authenticating && (auth = auth_create_context()) == NULL) ||
	    (session = smtp_create_session()) == NULL ||
	    setup(session, hostport, strchr(from, '@') + 1, ss, ctx,
	    auth) != 0 || add_messages(session, from, p, n) != 0)
		goto out;
	run(session, ss);
	for (i = 0; i < n; i++)
		if (p[i].to != NULL)
			outcome(&p[i], ss, &p[i].m->res);
	rc = PF_OK;
out:
	if (session != NULL)
		smtp_destroy_session(session);	/* drops its reference to ctx */
	if (auth != NULL)
		auth_destroy_context(auth);
	SSL_CTX_free(ctx);
	return rc;
}

/*
 * The parts of msgs: recipients normalised, or NULL for a message that is
 * not sent (its result says so).  The number that can be sent, or -1.
 */
static long
parts(struct pf_smtp_message *msgs, size_t n, struct part *p)
{
	size_t	 i;
	long	 ok = 0;

	for (i = 0; i < n; i++) {
		memset(&msgs[i].res, 0, sizeof(msgs[i].res));
		p[i].m = &msgs[i];
		/* libesmtp puts whatever it is given on the wire, CR/LF too. */
		if (msgs[i].to == NULL || !message_ok(&msgs[i]) ||
		    pf_valid_email(msgs[i].to, NULL, &p[i].to) != NULL) {
			free(p[i].to);
			p[i].to = NULL;
			result(&msgs[i].res, PF_SMTP_PERMANENT, 0, "not sent: "
			    "invalid recipient or message");
			continue;
		}
		ok++;
	}
	return ok;
}

int
pf_smtp_send(const struct pf_smtp *s, const char *from,
    struct pf_smtp_message *msgs, size_t n)
{
	struct session	 ss;
	struct part	*p = NULL;
	char		*nfrom = NULL;
	size_t		 i;
	int		 rc = PF_EINVAL;

	if (!settings_ok(s) || msgs == NULL || n < 1 ||
	    n > PF_SMTP_MAX_BATCH || from == NULL ||
	    pf_valid_email(from, NULL, &nfrom) != NULL)
		goto out;
	rc = PF_ENOMEM;
	if ((p = calloc(n, sizeof(*p))) == NULL)
		goto out;
	memset(&ss, 0, sizeof(ss));
	ss.s = s;
	ss.fd = -1;
	ss.authenticating = s->user != NULL && s->user[0] != '\0';
	rc = parts(msgs, n, p) > 0 ? session_run(&ss, nfrom, p, n) : PF_OK;
out:
	for (i = 0; p != NULL && i < n; i++)
		free(p[i].to);
	free(p);
	free(nfrom);
	return rc;
}
