/*
 * smtp.h -- sending one message with libesmtp.
 *
 * Only the sender (sender.h) calls this; handlers never talk SMTP.  Each
 * call is one SMTP session with one recipient.  It guards against the
 * defects of Debian 12's libesmtp 1.1.0 (ARCHITECTURE.md, library defects):
 *  - a second STARTTLS session in one process crashes when libesmtp's own
 *    cached SSL_CTX is freed: every session gets a fresh SSL_CTX of ours
 *    through smtp_starttls_set_ctx();
 *  - libesmtp checks no CR/LF: the envelope sender and recipient must pass
 *    pf_valid_email here (PF_EINVAL otherwise) and the message must come
 *    from pf_mail_format;
 *  - no connect timeout and protocol timeouts of minutes: the connection is
 *    tried first with a timeout of our own, and every libesmtp timeout is
 *    set to timeout seconds;
 *  - libesmtp reads HOME for its CA lookup: the CA file is set explicitly;
 *  - after STARTTLS it reads the reply to EHLO before flushing EHLO if the
 *    socket is readable, which a TLS 1.3 server's session tickets make it:
 *    the tickets are read as soon as the handshake is done;
 *  - it splits "host:port" at the first colon: host is a name or an IPv4
 *    address, never an IPv6 literal (PF_EINVAL).
 * Only SMTP reply codes reach res->text, never the server's words (which
 * may quote an address).
 */
#ifndef PF_SMTP_H
#define PF_SMTP_H

#include <stddef.h>

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
	const char	*user;		/* NULL or "": no AUTH */
	const char	*password;
	long		 timeout;	/* seconds */
};

enum pf_smtp_outcome {
	PF_SMTP_SENT,		/* the server accepted the message */
	PF_SMTP_TEMPORARY,	/* 4xx, no connection, timeout, TLS failure: retry */
	PF_SMTP_PERMANENT,	/* 5xx: do not retry */
};

struct pf_smtp_result {
	enum pf_smtp_outcome outcome;
	int		 code;		/* the SMTP reply code, 0 if none */
	char		 text[200];	/* what happened, for logs and audit (no addresses) */
};

/* "required" / "if-offered" / "off" to the enum; -1 for anything else. */
int pf_smtp_starttls_mode(const char *name);

/*
 * Send msg[0..len) (CRLF line ends, from pf_mail_format) from the envelope
 * sender from to the single recipient to.  Returns PF_OK with *res telling
 * the outcome, or PF_EINVAL / PF_ENOMEM / PF_ECRYPTO when it could not try.
 */
int pf_smtp_send(const struct pf_smtp *s, const char *from, const char *to,
    const char *msg, size_t len, struct pf_smtp_result *res);

#endif
