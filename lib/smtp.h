/*
 * smtp.h -- one SMTP session with libesmtp, for one or more messages.
 *
 * Only the sender (sender.h) calls this; handlers never talk SMTP.  Each
 * call is one connection and one SMTP session; each message in it has one
 * recipient and an outcome of its own.  It guards against what Debian 12's
 * libesmtp 1.1.0 gets wrong (ARCHITECTURE.md, library defects):
 *  - a second STARTTLS session in one process crashes when libesmtp's own
 *    cached SSL_CTX is freed: every session gets a fresh SSL_CTX of ours
 *    through smtp_starttls_set_ctx();
 *  - libesmtp checks no CR/LF: the envelope sender must pass pf_valid_email
 *    (PF_EINVAL otherwise), a recipient that does not is never put on the
 *    wire, and the messages must come from pf_mail_format;
 *  - its connect() is blocking and has no timeout: SIGALRM interrupts it
 *    once timeout seconds have passed (our handler is installed only for
 *    the call, and the caller must not use SIGALRM or ITIMER_REAL
 *    meanwhile), and so the connect() to the host's next address that it
 *    makes after a server refused the session; every protocol timeout is
 *    set to timeout seconds;
 *  - it reads HOME for its CA lookup: the CA file is set explicitly;
 *  - when the socket is readable it reads the reply to a command before it
 *    has sent the command.  A TLS 1.3 server's session tickets make it so
 *    right after the handshake (before EHLO, or before the QUIT that ends
 *    a session whose certificate was refused), and the session then waits
 *    out its timeout.  So from the handshake until libesmtp's next write
 *    the socket reports readable only for more than any tickets are
 *    (SO_RCVLOWAT): nothing is waited for, tickets or not;
 *  - after a refused AUTH it tries the next mechanism, then sends MAIL
 *    unauthenticated: the session stops at the first refusal (QUIT, and
 *    the connection is shut), and with user set MAIL is never sent before
 *    AUTH has succeeded (PF_SMTP_SETTINGS: the settings are at fault, not
 *    the message);
 *  - writing to a connection the server has closed raises SIGPIPE: it is
 *    blocked during the session;
 *  - it splits "host:port" at the first colon, so host is a name or an
 *    IPv4 address, never an IPv6 literal (PF_EINVAL); and it compares host
 *    with the DNS names of the certificate only, so an IPv4 address passes
 *    only a certificate that carries it as a DNS name.
 * Only SMTP reply codes reach a result's text, never the server's words
 * (which may quote an address).
 */
#ifndef PF_SMTP_H
#define PF_SMTP_H

#include <stddef.h>

#define PF_SMTP_MAX_BATCH 100	/* messages in one session */

enum pf_starttls {
	PF_STARTTLS_OFF,
	PF_STARTTLS_IF_OFFERED,
	PF_STARTTLS_REQUIRED,
};

struct pf_smtp {
	const char	*host;
	long		 port;
	enum pf_starttls starttls;
	const char	*ca_file;	/* NULL or "": the system's CA store */
	const char	*user;		/* NULL or "": no AUTH; else STARTTLS required */
	const char	*password;
	long		 timeout;	/* seconds */
};

enum pf_smtp_outcome {
	PF_SMTP_SENT,		/* the server accepted the message */
	PF_SMTP_TEMPORARY,	/* 4xx, no connection, timeout, TLS failure: retry */
	PF_SMTP_PERMANENT,	/* 5xx to this message: do not retry */
	PF_SMTP_SETTINGS,	/* AUTH refused (or not checkable now: 4xx), no
				   usable AUTH although user is set, or AUTH
				   required (530): the message was not offered;
				   retry once the settings (or the server's
				   login service) work */
};

struct pf_smtp_result {
	enum pf_smtp_outcome outcome;
	int		 code;		/* the SMTP reply code, 0 if none */
	char		 text[200];	/* what happened, for logs and audit (no addresses) */
};

/* One message of a session. */
struct pf_smtp_message {
	const char		*to;	/* the single recipient */
	const char		*data;	/* CRLF line ends, from pf_mail_format */
	size_t			 len;
	struct pf_smtp_result	 res;	/* set by pf_smtp_send */
};

/* "required" / "if-offered" / "off" to the enum; -1 for anything else. */
int pf_smtp_starttls_mode(const char *name);

/*
 * Whether settings s can work at all, checked before any session:
 * PF_OK, or PF_EINVAL with why (len bytes, for the log; it names the key)
 * when libesmtp cannot take them (a host it cannot parse, a user without a
 * password or without required STARTTLS, ...) or, with STARTTLS, no CA
 * certificate can be loaded from s->ca_file.
 */
int pf_smtp_check(const struct pf_smtp *s, char *why, size_t len);

/*
 * One session: send msgs[0..n) in that order, each from the envelope
 * sender from to its own recipient, over one connection (1 <= n <=
 * PF_SMTP_MAX_BATCH).  Each msgs[i].res tells its outcome; a message whose
 * recipient or data cannot be given to libesmtp as it is was not sent
 * (PF_SMTP_PERMANENT, code 0), and when the session ends before a message's
 * turn (no connection, a greeting that refuses the session, TLS, a dropped
 * connection, the settings) the message gets that reason.  Returns PF_OK;
 * PF_EINVAL when the settings, from or n are unusable, or PF_ENOMEM /
 * PF_ECRYPTO when it could not try (then no connection was made and no res
 * is set).
 */
int pf_smtp_send(const struct pf_smtp *s, const char *from,
    struct pf_smtp_message *msgs, size_t n);

#endif
