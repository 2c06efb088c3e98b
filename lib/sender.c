/*
 * sender.c -- draining the outbox (sender.h).
 *
 * One message at a time: claim it in a short transaction (the lease keeps
 * other senders off it while SMTP runs outside any transaction), render and
 * send it, then record the outcome and its audit record in a second
 * transaction.  Nothing here holds the database lock during SMTP.
 */
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
#include "log.h"
#include "mail.h"
#include "sender.h"
#include "smtp.h"
#include "store.h"

#define MAX_BACKOFF	86400L	/* seconds: the longest wait between tries */
#define MAX_PASSWORD	1024	/* bytes in the password file */

static volatile sig_atomic_t stopping;

struct sender {
	const struct pf_config	*cfg;
	struct pf_store		*st;
	struct pf_smtp		 smtp;
	char			*password;
	char			 envelope_from[256];	/* of mail_from */
	FILE			*log;
	struct pf_sender_stats	*stats;
};

/* What happened to one message, for the store, the audit and the log. */
struct attempt {
	struct pf_mail		 m;
	char			 error[200];	/* no addresses */
	int			 code;		/* SMTP reply code, 0 if none */
	enum pf_smtp_outcome	 outcome;
	const char		*reason;	/* why failed, for the audit */
	int			 undecodable;	/* malformed values */
};

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * The time in seconds from now as the store writes times (pf_store_now):
 * microseconds included, or a message queued this second would not be due.
 */
static void
stamp(long seconds, char out[32])
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 day[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	gmtime_r(&ts.tv_sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%.19s.%06ldZ", day, ts.tv_nsec / 1000 % 1000000);
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

static int
sender_init(struct sender *s, const struct pf_config *cfg,
    struct pf_store *st, FILE *log, struct pf_sender_stats *stats)
{
	char	*addr = NULL;
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
	s->smtp.host = cfg->smtp_host;
	s->smtp.port = cfg->smtp_port;
	s->smtp.starttls = (enum pf_starttls)mode;
	s->smtp.ca_file = cfg->smtp_ca_file;
	s->smtp.user = cfg->smtp_user;
	s->smtp.password = s->password;
	s->smtp.timeout = cfg->smtp_timeout;
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

#define LEASE_STEPS 14	/* waits in one session, with room to spare */

/*
 * Claim the message due first: PF_OK with *m filled, PF_ENOTFOUND when
 * nothing is due, or a store error.  The lease outlasts a whole SMTP session:
 * smtp_timeout bounds each wait (our connect, the greeting, EHLO, STARTTLS,
 * EHLO again, AUTH, MAIL, RCPT, DATA, the end of data, QUIT), not the
 * session, so the lease allows LEASE_STEPS of them.  A server that keeps a
 * step alive by trickling bytes could still outlast it; then a second
 * sender may send the message again (at least once, never lost).
 */
static int
claim(struct sender *s, struct attempt *a)
{
	char	 now[32], lease[32];
	int	 rc;

	stamp(0, now);
	stamp(LEASE_STEPS * s->cfg->smtp_timeout + 60, lease);
	if ((rc = pf_store_begin(s->st)) != PF_OK)
		return rc;
	rc = pf_store_outbox_claim(s->st, now, lease, take_row, a);
	if (rc == PF_OK)
		rc = pf_store_commit(s->st);
	else
		pf_store_rollback(s->st);
	if (rc != PF_OK)
		pf_mail_clear(&a->m);
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

/* Render, format and send a->m; sets the rest of *a. */
static void
deliver(struct sender *s, struct attempt *a)
{
	struct pf_mail_headers	 h;
	struct pf_smtp_result	 res;
	char			*subject = NULL, *body = NULL, *msg = NULL;
	size_t			 len;
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
	if ((rc = pf_mail_format(&h, body, &msg, &len)) != PF_OK) {
		outcome(a, rc == PF_EINVAL ? PF_SMTP_PERMANENT :
		    PF_SMTP_TEMPORARY, "message", "message", rc);
		goto out;
	}
	rc = pf_smtp_send(&s->smtp, s->envelope_from, a->m.to, msg, len, &res);
	if (rc != PF_OK) {
		outcome(a, rc == PF_EINVAL ? PF_SMTP_PERMANENT :
		    PF_SMTP_TEMPORARY, "address", "smtp", rc);
		goto out;
	}
	a->outcome = res.outcome;
	a->code = res.code;
	a->reason = "refused";
	snprintf(a->error, sizeof(a->error), "%s", res.text);
out:
	free(subject);
	free(body);
	free(msg);
}

static void
log_attempt(struct sender *s, const struct attempt *a, int n, long wait)
{
	if (s->log == NULL)
		return;
	if (a->outcome == PF_SMTP_SENT)
		fprintf(s->log, "privforms: mail %lld: sent (%s), attempt %d\n",
		    a->m.id, a->error, n);
	else if (wait > 0)
		fprintf(s->log, "privforms: mail %lld: deferred (%s), attempt "
		    "%d of %ld, next in %ld s\n", a->m.id, a->error, n,
		    s->cfg->mail_attempts, wait);
	else
		fprintf(s->log, "privforms: mail %lld: failed (%s), "
		    "attempt %d\n", a->m.id, a->error, n);
	fflush(s->log);
}

/* The audit record of a sent or failed message, inside the transaction. */
static int
audit(struct sender *s, const struct attempt *a, int n,
    struct pf_audit_record *rec)
{
	struct pf_audit_event	 ev;
	char			 attempts[16], code[16];
	const char		*details[] = { "template", a->m.template,
	    "attempts", attempts, "smtp", code, NULL, NULL, NULL };

	snprintf(attempts, sizeof(attempts), "%d", n);
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
	return pf_audit_append(s->st, &ev, rec);
}

/*
 * Record the attempt: sent, deferred (with backoff) or failed, and for sent
 * and failed the audit record, in one transaction; then the record's file.
 */
static int
record(struct sender *s, struct attempt *a)
{
	struct pf_audit_record	 rec;
	char			 now[32], next[32];
	int			 n = a->m.attempts, rc;	/* counted at the claim */
	long			 wait = 0;

	memset(&rec, 0, sizeof(rec));
	if (a->outcome == PF_SMTP_TEMPORARY && n >= s->cfg->mail_attempts)
		a->reason = "attempts";
	else if (a->outcome == PF_SMTP_TEMPORARY)
		wait = backoff(s->cfg->mail_retry, n);
	stamp(0, now);
	stamp(wait, next);
	if ((rc = pf_store_begin(s->st)) != PF_OK)
		return rc;
	if (a->outcome == PF_SMTP_SENT)
		rc = pf_store_outbox_sent(s->st, a->m.id, now);
	else if (wait > 0)
		rc = pf_store_outbox_defer(s->st, a->m.id, n, next, a->error,
		    now);
	else
		rc = pf_store_outbox_failed(s->st, a->m.id, n, a->error, now);
	if (rc == PF_OK && wait == 0)
		rc = audit(s, a, n, &rec);
	if (rc == PF_OK)
		rc = pf_store_commit(s->st);
	else
		pf_store_rollback(s->st);
	if (rc == PF_OK && wait == 0)
		pf_audit_write(s->cfg->audit_dir, &rec);
	pf_audit_record_clear(&rec);
	if (rc != PF_OK)
		return rc;
	if (a->outcome == PF_SMTP_SENT)
		s->stats->sent++;
	else if (wait > 0)
		s->stats->deferred++;
	else
		s->stats->failed++;
	log_attempt(s, a, n, wait);
	return PF_OK;
}

/* One message: PF_OK, PF_ENOTFOUND when none is due, or a store error. */
static int
one(struct sender *s)
{
	struct attempt	 a;
	int		 rc;

	memset(&a, 0, sizeof(a));
	if ((rc = claim(s, &a)) != PF_OK)
		return rc;
	/*
	 * Claimed more often than allowed: earlier senders died holding it
	 * (each claim counts).  Fail it rather than risk another crash.
	 */
	if (a.m.attempts > s->cfg->mail_attempts) {
		a.outcome = PF_SMTP_PERMANENT;
		a.reason = "attempts";
		snprintf(a.error, sizeof(a.error), "claimed %d times, by senders "
		    "that stopped before recording it", a.m.attempts);
	} else
		deliver(s, &a);
	rc = record(s, &a);
	if (rc == PF_ENOTFOUND) {
		/*
		 * No longer ours (store.h): another sender took it over once
		 * our lease ran out, or it was erased while being sent.
		 */
		pf_log(PF_LOG_INFO, "mail %lld: outcome not recorded: another "
		    "sender took the message over, or its recipient's data was "
		    "erased meanwhile", a.m.id);
		rc = PF_OK;
	} else if (rc != PF_OK)
		pf_log(PF_LOG_ERR, "mail %lld: outcome not recorded (%s); "
		    "it is tried again when its lease ends", a.m.id,
		    pf_strerror(rc));
	pf_mail_clear(&a.m);
	return rc;
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
