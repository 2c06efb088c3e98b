/*
 * smtp.c -- one message, one SMTP session, with libesmtp (smtp.h).
 *
 * libesmtp 1.1.0 is used for the protocol only; everything it gets wrong on
 * Debian 12 (ARCHITECTURE.md, library defects) is handled here: our own
 * SSL_CTX for every session, addresses validated before they reach the
 * envelope, a connect
 * with a timeout before libesmtp's blocking one, and every protocol timeout
 * set explicitly (in milliseconds, whatever its documentation says).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Before libesmtp.h: it declares smtp_starttls_set_ctx only after OpenSSL. */
#include <openssl/ssl.h>
#include <auth-client.h>
#include <libesmtp.h>

#include "err.h"
#include "smtp.h"
#include "validate.h"

/* What one session needs beyond libesmtp's own state. */
struct session {
	const struct pf_smtp	*s;
	const char		*msg;
	size_t			 len;
	int			 sent;		/* message handed over */
	const char		*tls_problem;	/* from the event callback */
};

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
	for (i = 0; i < sizeof(starttls_names) / sizeof(starttls_names[0]); i++)
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

static long
ms_left(const struct timespec *deadline)
{
	struct timespec	 now;
	long		 ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

/* One non-blocking connect, waited for until deadline: 0 or an errno. */
static int
connect_one(const struct addrinfo *ai, const struct timespec *deadline)
{
	struct pollfd	 p;
	socklen_t	 sl = sizeof(int);
	int		 fd, err = 0, n;

	fd = socket(ai->ai_family,
	    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		goto done;
	if (errno != EINPROGRESS) {
		err = errno;
		goto done;
	}
	p.fd = fd;
	p.events = POLLOUT;
	while ((n = poll(&p, 1, (int)ms_left(deadline))) == -1 &&
	    errno == EINTR)
		continue;
	if (n == 0)
		err = ETIMEDOUT;
	else if (n == -1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) == -1)
		err = errno;
done:
	close(fd);
	return err;
}

/*
 * libesmtp connects with a blocking connect() and no timeout, so an
 * unreachable host would hold the sender for minutes: try it ourselves
 * first.  Returns 0, or fills res (TEMPORARY) and returns -1.
 */
static int
probe(const struct pf_smtp *s, const char *port, struct pf_smtp_result *res)
{
	struct addrinfo	 hints, *ai = NULL, *a;
	struct timespec	 deadline;
	int		 gai, err = ETIMEDOUT;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((gai = getaddrinfo(s->host, port, &hints, &ai)) != 0) {
		result(res, PF_SMTP_TEMPORARY, 0, "no connection: %s",
		    gai_strerror(gai));
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += s->timeout;
	for (a = ai; a != NULL; a = a->ai_next)
		if ((err = connect_one(a, &deadline)) == 0 ||
		    ms_left(&deadline) == 0)
			break;
	freeaddrinfo(ai);
	if (err == 0)
		return 0;
	if (err == ETIMEDOUT)
		result(res, PF_SMTP_TEMPORARY, 0, "no connection: timed out "
		    "after %ld s", s->timeout);
	else
		result(res, PF_SMTP_TEMPORARY, 0, "no connection: %s",
		    strerror(err));
	return -1;
}

/* The message, handed to libesmtp in one piece (it splits the lines). */
static const char *
message_cb(void **ctx, int *len, void *arg)
{
	struct session	*ss = arg;

	(void)ctx;
	if (len == NULL) {	/* rewind */
		ss->sent = 0;
		return NULL;
	}
	if (ss->sent) {
		*len = 0;
		return NULL;
	}
	ss->sent = 1;
	*len = (int)ss->len;
	return ss->msg;
}

/*
 * libesmtp 1.1.0 reads the reply to EHLO before flushing the EHLO itself
 * whenever the socket is readable at that moment.  A TLS 1.3 server makes
 * it so right after the handshake, with its session tickets, and the
 * session then waits for a reply to a command it never sent until its
 * timeout.  So read the tickets here, when libesmtp reports the handshake
 * done and has not yet written EHLO: wait up to a second for the first
 * (a round trip), then briefly for more.  SSL_peek leaves any application
 * data to libesmtp, which sees it through SSL_pending.
 */
static void
drain_tickets(SSL *ssl)
{
	struct pollfd	 p;
	char		 c;
	int		 wait = 1000, n;

	if (ssl == NULL || SSL_version(ssl) != TLS1_3_VERSION)
		return;
	p.fd = SSL_get_rfd(ssl);
	p.events = POLLIN;
	while (poll(&p, 1, wait) > 0) {
		n = SSL_peek(ssl, &c, 1);
		if (n > 0 || SSL_get_error(ssl, n) != SSL_ERROR_WANT_READ)
			break;
		wait = 50;
	}
}

/*
 * Record why TLS failed, and clear the way after the handshake (above).
 * For the refusals the variadic arguments are not read: leaving each "ok"
 * flag as libesmtp set it (0) keeps its refusal.
 */
static void
event_cb(smtp_session_t session, int event, void *arg, ...)
{
	struct session	*ss = arg;
	va_list		 ap;

	(void)session;
	switch (event) {
	case SMTP_EV_STARTTLS_OK:
		va_start(ap, arg);
		drain_tickets(va_arg(ap, SSL *));
		va_end(ap);
		break;
	case SMTP_EV_EXTNA_STARTTLS:
		ss->tls_problem = "STARTTLS required but not offered";
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE:
	case SMTP_EV_NO_PEER_CERTIFICATE:
		ss->tls_problem = "TLS: server certificate not trusted";
		break;
	case SMTP_EV_WRONG_PEER_CERTIFICATE:
		ss->tls_problem = "TLS: certificate does not name the server";
		break;
	case SMTP_EV_WEAK_CIPHER:
		ss->tls_problem = "TLS: cipher too weak";
		break;
	default:
		break;
	}
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

/* A fresh SSL_CTX: libesmtp's own cached one crashes a second session. */
static SSL_CTX *
tls_ctx(const struct pf_smtp *s)
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
	if (!ok) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
}

static int
set_timeouts(smtp_session_t session, long seconds)
{
	static const int which[] = { Timeout_GREETING, Timeout_ENVELOPE,
	    Timeout_DATA, Timeout_TRANSFER, Timeout_DATA2 };
	size_t		 i;

	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++)
		if (smtp_set_timeout(session,
		    which[i] | Timeout_OVERRIDE_RFC2822_MINIMUM,
		    seconds * 1000) == 0)
			return -1;
	return 0;
}

/* A session that broke before an answer decided it: say why, if known. */
static void
broken(const struct session *ss, struct pf_smtp_result *res)
{
	const char	*tls = ss->tls_problem;
	char		 err[128];

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
 * Classify the session: the first stage that was not answered with 2xx
 * decides; a stage without an answer means the session broke (connection,
 * TLS, timeout).  Only codes reach res->text, never the server's words,
 * which may quote an address.
 */
static void
outcome(smtp_message_t m, smtp_recipient_t r, const struct session *ss,
    struct pf_smtp_result *res, int authenticating)
{
	static const char *const stage[3] = { "MAIL", "RCPT", "DATA" };
	const smtp_status_t	*st[3];
	int			 i, c = 0, permanent;

	st[0] = smtp_reverse_path_status(m);
	st[1] = smtp_recipient_status(r);
	st[2] = smtp_message_transfer_status(m);
	for (i = 0; i < 3; i++)
		if ((c = code_of(st[i])) < 200 || c >= 300)
			break;
	if (i == 3) {
		result(res, PF_SMTP_SENT, c, "DATA %d", c);
		return;
	}
	if (c == 0) {
		broken(ss, res);
		return;
	}
	/* 530/535 after our AUTH: wrong credentials, fixed by an admin. */
	permanent = c >= 500 && !(authenticating && (c == 530 || c == 535));
	result(res, permanent ? PF_SMTP_PERMANENT : PF_SMTP_TEMPORARY, c,
	    "%s %d", stage[i], c);
	if (st[i]->enh_class > 0)
		snprintf(res->text + strlen(res->text), sizeof(res->text) -
		    strlen(res->text), " %d.%d.%d", st[i]->enh_class,
		    st[i]->enh_subject, st[i]->enh_detail);
}

/* Set up session for one message; 0, or -1 if libesmtp refused. */
static int
setup(smtp_session_t session, const struct pf_smtp *s, const char *hostport,
    const char *helo, struct session *ss, SSL_CTX *ctx, auth_context_t auth)
{
	static const enum starttls_option how[] = {
		[PF_STARTTLS_OFF] = Starttls_DISABLED,
		[PF_STARTTLS_IF_OFFERED] = Starttls_ENABLED,
		[PF_STARTTLS_REQUIRED] = Starttls_REQUIRED,
	};

	if (!smtp_set_server(session, hostport) ||
	    !smtp_set_hostname(session, helo) ||
	    set_timeouts(session, s->timeout) != 0 ||
	    !smtp_set_eventcb(session, event_cb, ss) ||
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

/* Run one session for from -> to; res says how it ended. */
static int
session_run(const struct pf_smtp *s, const char *from, const char *to,
    struct session *ss, struct pf_smtp_result *res)
{
	static int	 auth_ready;
	smtp_session_t	 session = NULL;
	smtp_message_t	 m;
	smtp_recipient_t r;
	SSL_CTX		*ctx = NULL;
	auth_context_t	 auth = NULL;
	char		 hostport[300];
	int		 rc = PF_ENOMEM, authenticating;

	snprintf(hostport, sizeof(hostport), "%s:%ld", s->host, s->port);
	authenticating = s->user != NULL && s->user[0] != '\0';
	if (s->starttls != PF_STARTTLS_OFF && (ctx = tls_ctx(s)) == NULL) {
		rc = PF_ECRYPTO;
		goto out;
	}
	if (authenticating && !auth_ready) {
		auth_client_init();
		auth_ready = 1;
	}
	if ((authenticating && (auth = auth_create_context()) == NULL) ||
	    (session = smtp_create_session()) == NULL ||
	    setup(session, s, hostport, strchr(from, '@') + 1, ss, ctx,
	    auth) != 0 ||
	    (m = smtp_add_message(session)) == NULL ||
	    !smtp_set_reverse_path(m, from) ||
	    (r = smtp_add_recipient(m, to)) == NULL ||
	    !smtp_set_messagecb(m, message_cb, ss))
		goto out;
	/* Its result says little: the statuses below tell what happened. */
	smtp_start_session(session);
	outcome(m, r, ss, res, authenticating);
	rc = PF_OK;
out:
	if (session != NULL)
		smtp_destroy_session(session);	/* drops its reference to ctx */
	if (auth != NULL)
		auth_destroy_context(auth);
	SSL_CTX_free(ctx);
	return rc;
}

/* Settings and a message libesmtp can be given as they are. */
static int
request_ok(const struct pf_smtp *s, const char *msg, size_t len)
{
	if (s->host == NULL || !host_ok(s->host) || s->port < 1 ||
	    s->port > 65535 || s->timeout < 1 || s->timeout > 3600)
		return 0;
	if (s->starttls != PF_STARTTLS_OFF &&
	    s->starttls != PF_STARTTLS_IF_OFFERED &&
	    s->starttls != PF_STARTTLS_REQUIRED)
		return 0;
	if (s->user != NULL && s->user[0] != '\0' && s->password == NULL)
		return 0;
	return msg != NULL && len > 0 && len <= 10 * 1024 * 1024 &&
	    memchr(msg, '\0', len) == NULL;
}

int
pf_smtp_send(const struct pf_smtp *s, const char *from, const char *to,
    const char *msg, size_t len, struct pf_smtp_result *res)
{
	struct session	 ss;
	char		*nfrom = NULL, *nto = NULL, port[16];
	int		 rc = PF_EINVAL;

	memset(res, 0, sizeof(*res));
	memset(&ss, 0, sizeof(ss));
	if (!request_ok(s, msg, len))
		goto out;
	/* libesmtp puts whatever it is given on the wire, CR/LF included. */
	if (from == NULL || to == NULL ||
	    pf_valid_email(from, NULL, &nfrom) != NULL ||
	    pf_valid_email(to, NULL, &nto) != NULL)
		goto out;
	snprintf(port, sizeof(port), "%ld", s->port);
	if (probe(s, port, res) != 0) {
		rc = PF_OK;
		goto out;
	}
	ss.s = s;
	ss.msg = msg;
	ss.len = len;
	rc = session_run(s, nfrom, nto, &ss, res);
out:
	free(nfrom);
	free(nto);
	return rc;
}
