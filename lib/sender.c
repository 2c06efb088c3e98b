/*
 * sender.c -- draining the outbox (sender.h).
 *
 * A batch at a time: claim up to BATCH due messages in one short
 * transaction (the lease keeps other senders off them while SMTP runs
 * outside any transaction), render them, send them over one SMTP session,
 * then record each outcome and its audit record in a second transaction.
 * Nothing here holds the database lock during SMTP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "config.h"
#include "err.h"
#include "keys.h"
#include "log.h"
#include "mail.h"
#include "sender.h"
#include "smtp.h"
#include "store.h"
#include "utc.h"

#define MAX_BACKOFF	PF_DAY	/* seconds: the longest wait between tries */
#define MAX_PASSWORD	1024	/* bytes in the password file */
#define BATCH		10	/* messages claimed and sent in one session */
/*
 * Waits of smtp_timeout in one session: the connection, the greeting,
 * EHLO, STARTTLS, the handshake, EHLO again, AUTH (two for LOGIN), QUIT,
 * room to spare; and MAIL, RCPT, DATA and the end of data for each message.
 */
#define LEASE_SESSION	10
#define LEASE_MESSAGE	4
#define LEASE_SLACK	60	/* seconds of a lease never used by a step */
#define RECORD_RETRY_MS	1000	/* between tries to record a batch */

static volatile sig_atomic_t stopping;

struct sender {
	const struct pf_config	*cfg;
	struct pf_store		*st;
	struct pf_smtp		 smtp;
	char			*password;
	char			 envelope_from[256];	/* of mail_from */
	FILE			*log;
	struct pf_sender_stats	*stats;
	int			 refusals;	/* sessions in a row the server
						   refused our settings */
	char			 refused[200];	/* what it said, once logged */
	struct timespec		 hold;		/* no session before (monotonic) */
};

/* What happened to one message, for the store, the audit and the log. */
struct attempt {
	struct pf_mail		 m;
	char			*msg;		/* formatted, to send; or NULL */
	size_t			 len;
	char			 error[200];	/* no addresses */
	int			 code;		/* SMTP reply code, 0 if none */
	enum pf_smtp_outcome	 outcome;
	const char		*reason;	/* why failed, for the audit */
	int			 undecodable;	/* malformed values */
	int			 lost;		/* no longer ours (record) */
	long			 wait;		/* deferred for this long */
	struct pf_audit_record	 rec;		/* sent or failed */
};

/* The messages of one session. */
struct batch {
	struct attempt		 a[BATCH];
	size_t			 n;
	struct timespec		 claimed;	/* when (monotonic) */
};

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * The time in seconds from now as the store writes times (pf_utc_now):
 * microseconds included, or a message queued this second would not be due.
 */
static void
stamp(long seconds, char out[PF_TIME_SIZE])
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 day[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	gmtime_r(&ts.tv_sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, PF_TIME_SIZE, "%.19s.%06ldZ", day,
	    ts.tv_nsec / 1000 % 1000000);
}

/*
 * The password file: one line, readable by the service (and at most its
 * group), never logged.  *out is the caller's (zero it before freeing).
 */
static int
read_password(const char *path, char **out)
{
	struct stat	 sb;
	char		 buf[MAX_PASSWORD + 1];
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd, rc = PF_ECONFIG;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		pf_log(PF_LOG_ERR, "smtp_password_file: cannot open it: %s",
		    strerror(errno));
		return PF_ECONFIG;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (sb.st_mode & 0137) != 0) {
		pf_log(PF_LOG_ERR, "smtp_password_file: must be a regular file "
		    "of mode 0600 or 0640 (run chmod 600 on it)");
		goto out;
	}
	while (len < sizeof(buf) &&
	    (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto out;
		len += (size_t)n;
	}
	/* One trailing newline (an editor's) is not part of the password. */
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0 || len >= sizeof(buf) - 1 || memchr(buf, '\0', len) ||
	    memchr(buf, '\n', len) || memchr(buf, '\r', len)) {
		pf_log(PF_LOG_ERR, "smtp_password_file: must hold one line of "
		    "at most %d bytes", MAX_PASSWORD - 2);
		goto out;
	}
	buf[len] = '\0';
	rc = (*out = strdup(buf)) != NULL ? PF_OK : PF_ENOMEM;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

/*
 * Said, not refused: libesmtp compares smtp_host with the DNS names of the
 * certificate only, but a private certificate may carry the address as one
 * (as the tests' does, on machines where no name is sure to resolve).
 */
static void
warn_ip_host(const char *host)
{
	struct in_addr	 ip;

	if (inet_pton(AF_INET, host, &ip) == 1)
		pf_log(PF_LOG_WARN, "smtp_host is an IP address: libesmtp "
		    "compares it with the DNS names of the server's "
		    "certificate only, never its IP address entries, so TLS "
		    "works only if the certificate carries the address as a "
		    "DNS name; set smtp_host to the name the certificate is "
		    "issued for");
}

static int
sender_init(struct sender *s, const struct pf_config *cfg,
    struct pf_store *st, FILE *log, struct pf_sender_stats *stats)
{
	char	*addr = NULL, why[200];
	int	 mode;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->st = st;
	s->log = log;
	s->stats = stats;
	if (cfg->mail_from[0] == '\0') {
		pf_log(PF_LOG_ERR, "mail_from is not set: no mail can be sent");
		return PF_ECONFIG;
	}
	if (pf_mail_mailbox(cfg->mail_from, NULL, &addr) != PF_OK ||
	    strlen(addr) >= sizeof(s->envelope_from)) {
		pf_log(PF_LOG_ERR, "mail_from: not an address or "
		    "\"Name <address>\"");
		free(addr);
		return PF_ECONFIG;
	}
	strcpy(s->envelope_from, addr);
	free(addr);
	/* libesmtp splits "host:port" at the first colon. */
	if (strchr(cfg->smtp_host, ':') != NULL) {
		pf_log(PF_LOG_ERR, "smtp_host: libesmtp cannot connect to "
		    "an IPv6 address literal; use a host name for it");
		return PF_ECONFIG;
	}
	if ((mode = pf_smtp_starttls_mode(cfg->smtp_starttls)) < 0) {
		pf_log(PF_LOG_ERR, "smtp_starttls: not required, if-offered "
		    "or off");
		return PF_ECONFIG;
	}
	if (cfg->smtp_user[0] != '\0' && cfg->smtp_password_file[0] == '\0') {
		pf_log(PF_LOG_ERR, "smtp_user is set but smtp_password_file "
		    "is not");
		return PF_ECONFIG;
	}
	if (cfg->smtp_password_file[0] != '\0' &&
	    read_password(cfg->smtp_password_file, &s->password) != PF_OK)
		return PF_ECONFIG;
	if (mode != PF_STARTTLS_OFF)
		warn_ip_host(cfg->smtp_host);
	s->smtp.host = cfg->smtp_host;
	s->smtp.port = cfg->smtp_port;
	s->smtp.starttls = (enum pf_starttls)mode;
	s->smtp.ca_file = cfg->smtp_ca_file;
	s->smtp.user = cfg->smtp_user;
	s->smtp.password = s->password;
	s->smtp.timeout = cfg->smtp_timeout;
	/* Found at each send instead, they failed every message in the end. */
	if (pf_smtp_check(&s->smtp, why, sizeof(why)) != PF_OK) {
		pf_log(PF_LOG_ERR, "%s", why);
		return PF_ECONFIG;
	}
	return PF_OK;
}

static void
sender_clear(struct sender *s)
{
	if (s->password != NULL) {
		explicit_bzero(s->password, strlen(s->password));
		free(s->password);
	}
	memset(s, 0, sizeof(*s));
}

/*
 * Copy the claimed row.  Values that do not decode make the message fail
 * for good later (it keeps its id, template and subject for the audit
 * record): refusing the claim would leave it due, claimed again forever.
 */
static int
take_row(const struct pf_outbox_row *r, void *arg)
{
	struct attempt	*a = arg;
	int		 rc;

	if ((rc = pf_mail_load(r, &a->m)) != PF_EINVAL)
		return rc;
	a->undecodable = 1;
	a->m.id = r->id;
	a->m.attempts = r->attempts;
	if ((a->m.template = strdup(r->template)) == NULL ||
	    (r->subject != NULL && (a->m.subject = strdup(r->subject)) == NULL))
		return PF_ENOMEM;
	return PF_OK;
}

static void
batch_clear(struct batch *b)
{
	size_t	 i;

	for (i = 0; i < b->n; i++) {
		pf_mail_clear(&b->a[i].m);
		free(b->a[i].msg);
		pf_audit_record_clear(&b->a[i].rec);
	}
	memset(b, 0, sizeof(*b));
}

/*
 * Claim the messages due first, up to BATCH: PF_OK with b filled,
 * PF_ENOTFOUND when nothing is due, or a store error.  The lease outlasts a
 * whole session: smtp_timeout bounds each wait (LEASE_SESSION and
 * LEASE_MESSAGE count them), not the session.  A server that keeps a step
 * alive by trickling bytes could still outlast it; then a second sender
 * may send a message again (at least once, never lost).
 */
static long
lease_seconds(const struct sender *s)
{
	return (LEASE_SESSION + LEASE_MESSAGE * BATCH) * s->cfg->smtp_timeout +
	    LEASE_SLACK;
}

/*
 * End the transaction claim or record began: COMMIT when rc is PF_OK,
 * else ROLLBACK.  rc, or the commit's error.
 */
static int
finish(struct sender *s, int rc)
{
	if (rc != PF_OK) {
		pf_store_rollback(s->st);
		return rc;
	}
	return pf_store_commit(s->st);
}

static int
claim(struct sender *s, struct batch *b)
{
	char	 now[PF_TIME_SIZE], lease[PF_TIME_SIZE];
	int	 rc;

	clock_gettime(CLOCK_MONOTONIC, &b->claimed);
	stamp(0, now);
	stamp(lease_seconds(s), lease);
	if ((rc = pf_store_begin(s->st)) != PF_OK)
		return rc;
	while (b->n < BATCH && (rc = pf_store_outbox_claim(s->st, now, lease,
	    take_row, &b->a[b->n])) == PF_OK)
		b->n++;
	if (rc == PF_ENOTFOUND && b->n > 0)
		rc = PF_OK;
	if ((rc = finish(s, rc)) != PF_OK) {
		if (b->n < BATCH)
			pf_mail_clear(&b->a[b->n].m);	/* a half-taken row */
		batch_clear(b);
	}
	return rc;
}

/* Seconds before the try after attempt n (1, 2, ...): doubling, capped. */
static long
backoff(long first, int n)
{
	long	 d = first > 0 ? first : 1;

	while (--n > 0 && d < MAX_BACKOFF)
		d *= 2;
	return d < MAX_BACKOFF ? d : MAX_BACKOFF;
}

static void
outcome(struct attempt *a, enum pf_smtp_outcome o, const char *reason,
    const char *what, int rc)
{
	a->outcome = o;
	a->reason = reason;
	snprintf(a->error, sizeof(a->error), "%s: %s", what, pf_strerror(rc));
}

/*
 * a's Message-ID, at domain, into out: the same at every attempt of one
 * outbox message (a hash of its id, recipient, subject and body), so that
 * a message sent again because its sender died before recording it (at
 * least once: sender.h) is one message to a mailbox that drops the
 * copies of one Message-ID; two messages never share one (their ids
 * differ).  Unkeyed: it tells its reader nothing the message does not.
 */
static int
message_id(const struct attempt *a, const char *subject, const char *body,
    const char *domain, char *out, size_t outsz)
{
	char	 hex[PF_HEX_DIGEST_LEN + 1], *text;
	int	 rc, n;

	n = snprintf(NULL, 0, "%lld\n%s\n%s\n%s", a->m.id, a->m.to, subject,
	    body);
	if (n < 0 || (text = malloc((size_t)n + 1)) == NULL)
		return PF_ENOMEM;
	snprintf(text, (size_t)n + 1, "%lld\n%s\n%s\n%s", a->m.id, a->m.to,
	    subject, body);
	rc = pf_sha256_hex(text, (size_t)n, hex);
	free(text);
	if (rc != PF_OK)
		return rc;
	if ((size_t)snprintf(out, outsz, "<%.32s@%s>", hex, domain) >= outsz)
		return PF_EINVAL;
	return PF_OK;
}

/* Render and format a->m into a->msg, or set a's outcome. */
static void
prepare(struct sender *s, struct attempt *a)
{
	struct pf_mail_headers	 h;
	char			*subject = NULL, *body = NULL, mid[320];
	int			 rc;

	if (a->undecodable) {
		outcome(a, PF_SMTP_PERMANENT, "values", "values", PF_EINVAL);
		return;
	}
	/* A missing or broken template will not mend itself: fail for good. */
	rc = pf_mail_render(s->cfg->mail_templates, &a->m, &subject, &body);
	if (rc != PF_OK) {
		outcome(a, rc == PF_ENOTFOUND || rc == PF_EINVAL ?
		    PF_SMTP_PERMANENT : PF_SMTP_TEMPORARY, "template",
		    "template", rc);
		goto out;
	}
	memset(&h, 0, sizeof(h));
	h.from = s->cfg->mail_from;
	h.reply_to = s->cfg->mail_reply_to[0] != '\0' ?
	    s->cfg->mail_reply_to : NULL;
	h.to = a->m.to;
	h.subject = subject;
	h.domain = strchr(s->envelope_from, '@') + 1;
	if ((rc = message_id(a, subject, body, h.domain, mid,
	    sizeof(mid))) == PF_OK) {
		h.message_id = mid;
		rc = pf_mail_format(&h, body, &a->msg, &a->len);
	}
	if (rc != PF_OK)
		outcome(a, rc == PF_EINVAL ? PF_SMTP_PERMANENT :
		    PF_SMTP_TEMPORARY, "message", "message", rc);
out:
	free(subject);
	free(body);
}

/*
 * Claimed more often than allowed: earlier senders died holding it (each
 * claim counts).  Fail it rather than risk another crash.
 */
static int
worn_out(const struct sender *s, struct attempt *a)
{
	if (a->m.attempts <= s->cfg->mail_attempts)
		return 0;
	a->outcome = PF_SMTP_PERMANENT;
	a->reason = "attempts";
	snprintf(a->error, sizeof(a->error), "claimed %d times, by senders "
	    "that stopped before recording it", a->m.attempts);
	return 1;
}

/*
 * Prepare each claimed message, then send those that could be over one
 * session; each attempt gets its outcome.
 */
static void
deliver(struct sender *s, struct batch *b)
{
	struct pf_smtp_message	 msgs[BATCH];
	struct attempt		*sent[BATCH];
	size_t			 i, k = 0;
	int			 rc;

	for (i = 0; i < b->n; i++) {
		struct attempt	*a = &b->a[i];

		if (worn_out(s, a))
			continue;
		prepare(s, a);
		if (a->msg == NULL)
			continue;
		memset(&msgs[k], 0, sizeof(msgs[k]));
		msgs[k].to = a->m.to;
		msgs[k].data = a->msg;
		msgs[k].len = a->len;
		sent[k++] = a;
	}
	if (k == 0)
		return;
	rc = pf_smtp_send(&s->smtp, s->envelope_from, msgs, k);
	for (i = 0; i < k; i++) {
		if (rc != PF_OK) {
			outcome(sent[i], PF_SMTP_TEMPORARY, "refused", "smtp",
			    rc);
			continue;
		}
		sent[i]->outcome = msgs[i].res.outcome;
		sent[i]->code = msgs[i].res.code;
		sent[i]->reason = "refused";
		snprintf(sent[i]->error, sizeof(sent[i]->error), "%s",
		    msgs[i].res.text);
	}
}

static void
log_attempt(struct sender *s, const struct attempt *a)
{
	int	 n = a->m.attempts;

	if (s->log == NULL || a->lost || a->outcome == PF_SMTP_SETTINGS)
		return;
	if (a->outcome == PF_SMTP_SENT)
		fprintf(s->log, "privforms: mail %lld: sent (%s), attempt %d\n",
		    a->m.id, a->error, n);
	else if (a->wait > 0)
		fprintf(s->log, "privforms: mail %lld: deferred (%s), attempt "
		    "%d of %ld, next in %ld s\n", a->m.id, a->error, n,
		    s->cfg->mail_attempts, a->wait);
	else
		fprintf(s->log, "privforms: mail %lld: failed (%s), "
		    "attempt %d\n", a->m.id, a->error, n);
	fflush(s->log);
}

/* The audit record of a sent or failed message, inside the transaction. */
static int
audit(struct sender *s, struct attempt *a)
{
	struct pf_audit_event	 ev;
	char			 attempts[16], code[16];
	const char		*details[] = { "template", a->m.template,
	    "attempts", attempts, "smtp", code, NULL, NULL, NULL };

	snprintf(attempts, sizeof(attempts), "%d", a->m.attempts);
	if (a->code > 0)
		snprintf(code, sizeof(code), "%d", a->code);
	else
		snprintf(code, sizeof(code), "none");
	if (a->outcome != PF_SMTP_SENT) {
		details[6] = "reason";
		details[7] = a->reason;
	}
	memset(&ev, 0, sizeof(ev));
	ev.event = a->outcome == PF_SMTP_SENT ? "mail-sent" : "mail-failed";
	ev.form = "mail";
	ev.subject = a->m.subject;
	ev.details = details;
	return pf_audit_append(s->st, &ev, &a->rec);
}

/*
 * How long a deferred message waits; 0 when it is failed for good.  A
 * refusal of our settings does not count as an attempt (the message was
 * never offered) and waits by how many sessions in a row were refused, so
 * a wrong password costs one login per wait, not one per message.
 */
static long
wait_of(const struct sender *s, struct attempt *a)
{
	if (a->outcome == PF_SMTP_SETTINGS) {
		a->m.attempts--;
		return backoff(s->cfg->mail_retry, s->refusals);
	}
	if (a->outcome != PF_SMTP_TEMPORARY)
		return 0;
	if (a->m.attempts >= s->cfg->mail_attempts) {
		a->reason = "attempts";
		return 0;
	}
	return backoff(s->cfg->mail_retry, a->m.attempts);
}

/*
 * One message's outcome inside the batch's transaction: sent, deferred
 * (with backoff) or failed, and for sent and failed the audit record.
 * PF_ENOTFOUND (store.h): no longer ours -- another sender took it over
 * once our lease ran out, or it was erased while being sent.
 */
static int
record_one(struct sender *s, struct attempt *a, const char *now)
{
	char	 next[PF_TIME_SIZE];
	int	 n, rc;

	n = a->m.attempts;	/* counted at the claim */
	stamp(a->wait, next);
	if (a->outcome == PF_SMTP_SENT)
		rc = pf_store_outbox_sent(s->st, a->m.id, now);
	else if (a->wait > 0)
		rc = pf_store_outbox_defer(s->st, a->m.id, n, next, a->error,
		    now);
	else
		rc = pf_store_outbox_failed(s->st, a->m.id, n, a->error, now);
	if (rc == PF_OK && a->wait == 0)
		rc = audit(s, a);
	return rc;
}

/* Count, and log, what the committed batch did. */
static void
report(struct sender *s, struct batch *b)
{
	size_t	 i;

	for (i = 0; i < b->n; i++) {
		struct attempt	*a = &b->a[i];

		if (a->lost) {
			pf_log(PF_LOG_INFO, "mail %lld: outcome not recorded: "
			    "another sender took the message over, or its "
			    "recipient's data was erased meanwhile", a->m.id);
			continue;
		}
		if (a->outcome == PF_SMTP_SENT)
			s->stats->sent++;
		else if (a->wait > 0)
			s->stats->deferred++;
		else
			s->stats->failed++;
		log_attempt(s, a);
	}
}

/* Forget what a transaction that did not commit made, to try it again. */
static void
unrecord(struct batch *b)
{
	size_t	 i;

	for (i = 0; i < b->n; i++) {
		pf_audit_record_clear(&b->a[i].rec);
		b->a[i].lost = 0;
	}
}

/*
 * Record the batch in one transaction, then the audit records' files.  On
 * a store error nothing is recorded (and it may be tried again).
 */
static int
record(struct sender *s, struct batch *b)
{
	char	 now[PF_TIME_SIZE];
	size_t	 i;
	int	 rc;

	stamp(0, now);
	if ((rc = pf_store_begin(s->st)) != PF_OK)
		return rc;
	for (i = 0; i < b->n && rc == PF_OK; i++)
		if ((rc = record_one(s, &b->a[i], now)) == PF_ENOTFOUND) {
			b->a[i].lost = 1;
			rc = PF_OK;
		}
	if ((rc = finish(s, rc)) != PF_OK) {
		unrecord(b);
		return rc;
	}
	for (i = 0; i < b->n; i++)
		if (!b->a[i].lost && b->a[i].wait == 0)
			(void)pf_audit_settle(s->st, s->cfg->audit_dir,
			    &b->a[i].rec, 1);
	report(s, b);
	return PF_OK;
}

/*
 * Did the server take our settings this session?  Only a message it
 * accepted, or refused for itself (5xx to MAIL, RCPT or DATA), shows it:
 * a session that never got as far (no connection, TLS, a refused
 * greeting) tells nothing either way.
 */
static int
settings_work(const struct batch *b)
{
	size_t	 i;

	for (i = 0; i < b->n; i++)
		if (b->a[i].outcome == PF_SMTP_SENT ||
		    (b->a[i].outcome == PF_SMTP_PERMANENT && b->a[i].code > 0))
			return 1;
	return 0;
}

/*
 * The server refused our settings (or accepted them again): say so once,
 * not once per message or per session, and count the refusals in a row
 * for the wait.
 */
static void
settings(struct sender *s, const struct batch *b)
{
	const struct attempt	*a = NULL;
	size_t			 i, n = 0;

	for (i = 0; i < b->n; i++)
		if (b->a[i].outcome == PF_SMTP_SETTINGS) {
			a = &b->a[i];
			n++;
		}
	if (a == NULL && !settings_work(b))
		return;
	if (a == NULL) {
		if (s->refused[0] != '\0')
			pf_log(PF_LOG_INFO, "mail: the SMTP server accepts the "
			    "settings again");
		s->refusals = 0;
		s->refused[0] = '\0';
		return;
	}
	s->refusals++;
	clock_gettime(CLOCK_MONOTONIC, &s->hold);
	s->hold.tv_sec += backoff(s->cfg->mail_retry, s->refusals);
	if (strcmp(s->refused, a->error) == 0)
		return;
	snprintf(s->refused, sizeof(s->refused), "%s", a->error);
	pf_log(PF_LOG_ERR, "mail: nothing sent: %s; messages wait (%zu now, "
	    "next try in %ld s), see privforms mail status", a->error, n,
	    backoff(s->cfg->mail_retry, s->refusals));
}

/* Still waiting after the server refused our settings? */
static int
holding(const struct sender *s)
{
	struct timespec	 now;

	if (s->refusals == 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec < s->hold.tv_sec || (now.tv_sec == s->hold.tv_sec &&
	    now.tv_nsec < s->hold.tv_nsec);
}

/* Sleep ms, or less if a signal asks us to stop. */
static void
nap(long ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = ms % 1000 * 1000000;
	while (!stopping && nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/* Seconds since t (monotonic). */
static long
since(const struct timespec *t)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t->tv_sec);
}

/* Time left to record b, and not asked to stop? */
static int
leased(const struct sender *s, const struct batch *b)
{
	return !stopping && since(&b->claimed) + RECORD_RETRY_MS / 1000 <
	    lease_seconds(s) - LEASE_SLACK;
}

/*
 * Record the batch, and again while the database is unavailable (a server
 * restarting, a failover): the messages were handed over or refused, so
 * their outcome is known, and left unrecorded they would be sent again
 * when their lease ends.  Only while the lease keeps other senders off
 * them, LEASE_SLACK to spare, and until asked to stop.
 */
static int
record_known(struct sender *s, struct batch *b)
{
	size_t	 i;
	int	 rc;

	for (i = 0; i < b->n; i++)
		b->a[i].wait = wait_of(s, &b->a[i]);
	if ((rc = record(s, b)) != PF_EBUSY || !leased(s, b))
		return rc;
	pf_log(PF_LOG_WARN, "mail: outcome of %zu messages not recorded yet "
	    "(%s); trying again while their lease lasts", b->n,
	    pf_strerror(rc));
	while (rc == PF_EBUSY && leased(s, b)) {
		nap(RECORD_RETRY_MS);
		rc = record(s, b);
	}
	if (rc == PF_OK)
		pf_log(PF_LOG_INFO, "mail: outcome of %zu messages recorded",
		    b->n);
	return rc;
}

/*
 * One batch: PF_OK, PF_ENOTFOUND when none is due (or the server refused
 * our settings and the wait is not over: one login per wait, however much
 * mail comes in), or a store error.
 */
static int
one(struct sender *s)
{
	struct batch	 b;
	int		 rc;

	if (holding(s))
		return PF_ENOTFOUND;
	memset(&b, 0, sizeof(b));
	if ((rc = claim(s, &b)) != PF_OK)
		return rc;
	deliver(s, &b);
	settings(s, &b);
	if ((rc = record_known(s, &b)) != PF_OK)
		pf_log(PF_LOG_ERR, "mail: outcome of %zu messages not recorded "
		    "(%s); they are tried again when their lease ends", b.n,
		    pf_strerror(rc));
	batch_clear(&b);
	return rc;
}

int
pf_sender_run(const struct pf_config *cfg, struct pf_store *st, int once,
    long poll_ms, FILE *log, struct pf_sender_stats *stats)
{
	struct pf_sender_stats	 mine;
	struct sender		 s;
	struct sigaction	 sa, old_term, old_int;
	int			 rc;

	if (stats == NULL)
		stats = &mine;
	memset(stats, 0, sizeof(*stats));
	if ((rc = sender_init(&s, cfg, st, log, stats)) != PF_OK) {
		sender_clear(&s);
		return rc;
	}
	/* No SA_RESTART: a signal cuts a nap short. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	stopping = 0;
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGINT, &sa, &old_int);
	while (!stopping) {
		if ((rc = one(&s)) == PF_OK)
			continue;
		if (rc != PF_ENOTFOUND && (once || rc != PF_EBUSY))
			break;
		if (rc == PF_EBUSY)
			pf_log(PF_LOG_WARN, "database busy; trying again");
		rc = PF_OK;
		if (once)
			break;
		nap(poll_ms > 0 ? poll_ms : 1000);
	}
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sender_clear(&s);
	return rc;
}
