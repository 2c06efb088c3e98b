/* cmd_mail.c -- privforms mail run, status, retry: the outbox's commands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "err.h"
#include "sender.h"
#include "store.h"
#include "utc.h"

static int	cmd_mail_run(struct ctx *, const struct cli_args *);
static int	cmd_mail_status(struct ctx *, const struct cli_args *);
static int	cmd_mail_retry(struct ctx *, const struct cli_args *);

static const struct cli_spec run_spec = { .opt = {
	{ "--once", CLI_ONCE },
} };
/* ID or --all-failed; an ID that is not a number is named in the message. */
static const struct cli_spec retry_spec = { .min = 1, .max = 1, .dash = 1 };

const struct cmd cmds_mail[] = {
	{ "mail run", cmd_mail_run, &run_spec, "[--once]",
	  "Send the queued mail through the configured SMTP server (smtp_host,\n"
	  "smtp_port, smtp_starttls, smtp_user) and keep polling for more until\n"
	  "SIGTERM or Ctrl-C; with --once, send what is due and exit (for cron\n"
	  "or a systemd timer).  A temporary refusal (4xx) or a connection\n"
	  "failure is retried after mail_retry seconds, doubling each time; a\n"
	  "permanent refusal (5xx) or the last of mail_attempts marks the\n"
	  "message failed.  A refused login (smtp_user) or no AUTH sends\n"
	  "nothing and uses no attempt: the messages wait until the settings\n"
	  "are fixed, and it is said once.  Sent and failed each leave an\n"
	  "audit record.  One line per message on stderr: its id, outcome and\n"
	  "SMTP reply code." },
	{ "mail status", cmd_mail_status, NULL, "",
	  "Print how many messages are queued, being sent, sent and failed;\n"
	  "why the queued messages that were tried wait (each last error, how\n"
	  "many, the next try in UTC), and each failed message: its id, the\n"
	  "domain of its recipient (never the address), attempts and why." },
	{ "mail retry", cmd_mail_retry, &retry_spec, "ID | --all-failed",
	  "Queue failed message ID again, or every failed message, due now,\n"
	  "with its attempts reset (say, after fixing the template or the\n"
	  "SMTP settings).  Exit 1 if there is no failed message ID." },
	{ NULL, NULL, NULL, NULL, NULL },
};

static int
cmd_mail_run(struct ctx *c, const struct cli_args *a)
{
	struct pf_sender_stats	 n;
	int			 once = a->opt[0] != NULL, rc;

	if (cli_open_store(c) != 0)
		return 1;
	if (c->cfg->mail_from[0] == '\0') {
		fprintf(stderr, "privforms: mail run: mail_from is not set in %s, "
		    "so no mail is sent; set it (and the smtp_ keys) first\n",
		    c->cfg->path);
		return 1;
	}
	rc = pf_sender_run(c->cfg, c->st, once, 1000, stderr, &n);
	fprintf(stderr, "privforms: mail run: %lld sent, %lld deferred, "
	    "%lld failed\n", n.sent, n.deferred, n.failed);
	if (rc != PF_OK)
		fprintf(stderr, "privforms: mail run: %s\n", pf_strerror(rc));
	return rc == PF_OK ? 0 : 1;
}

/* One line per reason the queued messages wait. */
static int
print_waiting(const struct pf_outbox_waiting *w, void *arg)
{
	int	*first = arg;

	if (*first) {
		printf("\nWaiting (messages, next try in UTC, last error):\n");
		*first = 0;
	}
	printf("  %-4lld %.19sZ  %s\n", w->count, w->next_try, w->error);
	return 0;
}

/* One line per failed message: no address, only its domain. */
static int
print_failure(const struct pf_outbox_failure *f, void *arg)
{
	int	*first = arg;

	if (*first) {
		printf("\nFailed (privforms mail retry ID or --all-failed):\n"
		    "  %-8s %-30s %-8s %s\n", "id", "domain", "attempts",
		    "why");
		*first = 0;
	}
	printf("  %-8lld %-30s %-8d %s\n", f->id, f->domain, f->attempts,
	    f->error != NULL ? f->error : "");
	return 0;
}

static int
cmd_mail_status(struct ctx *c, const struct cli_args *a)
{
	long long	 queued, sending, sent, failed;
	int		 rc, first = 1;

	(void)a;
	if (cli_open_store(c) != 0)
		return 1;
	rc = pf_store_outbox_counts(c->st, &queued, &sending, &sent, &failed);
	if (rc == PF_OK)
		printf("queued:  %lld\nsending: %lld\nsent:    %lld\n"
		    "failed:  %lld\n", queued, sending, sent, failed);
	if (rc == PF_OK)
		rc = pf_store_outbox_waiting(c->st, print_waiting, &first);
	first = 1;
	if (rc == PF_OK)
		rc = pf_store_outbox_failed_each(c->st, print_failure, &first);
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: mail status: %s\n", pf_strerror(rc));
		return 1;
	}
	return 0;
}

/* Every failed message queued again. */
static int
retry_all(struct ctx *c)
{
	long long	 n = 0;
	char		 now[PF_TIME_SIZE];
	int		 rc;

	if (cli_open_store(c) != 0 || pf_store_begin(c->st) != PF_OK)
		return 1;
	pf_utc_now(now);
	if ((rc = pf_store_outbox_requeue_all(c->st, now, &n)) == PF_OK)
		rc = pf_store_commit(c->st);
	else
		pf_store_rollback(c->st);
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: mail retry: %s\n", pf_strerror(rc));
		return 1;
	}
	printf("%lld failed message%s queued again\n", n, n == 1 ? "" : "s");
	return 0;
}

static int
cmd_mail_retry(struct ctx *c, const struct cli_args *a)
{
	long long	 id;
	char		 now[PF_TIME_SIZE];
	int		 rc;

	if (strcmp(a->pos[0], "--all-failed") == 0)
		return retry_all(c);
	if ((id = cli_positive(a->pos[0])) < 1) {
		fprintf(stderr, "privforms: mail retry: not a message id: %s\n",
		    a->pos[0]);
		return CLI_USAGE;
	}
	if (cli_open_store(c) != 0 || pf_store_begin(c->st) != PF_OK)
		return 1;
	pf_utc_now(now);
	if ((rc = pf_store_outbox_requeue(c->st, id, now)) == PF_OK)
		rc = pf_store_commit(c->st);
	else
		pf_store_rollback(c->st);
	if (rc == PF_ENOTFOUND) {
		fprintf(stderr, "privforms: mail retry: no failed message %lld\n",
		    id);
		return 1;
	}
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: mail retry: %s\n", pf_strerror(rc));
		return 1;
	}
	printf("mail %lld queued again\n", id);
	return 0;
}
