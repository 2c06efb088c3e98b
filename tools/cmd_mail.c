/* cmd_mail.c -- privforms mail run, status, retry: the outbox's commands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "err.h"
#include "sender.h"
#include "store.h"

static int	cmd_mail_run(struct ctx *, int, char **);
static int	cmd_mail_status(struct ctx *, int, char **);
static int	cmd_mail_retry(struct ctx *, int, char **);

const struct cmd cmds_mail[] = {
	{ "mail run", cmd_mail_run, "[--once]",
	  "Send the queued mail through the configured SMTP server (smtp_host,\n"
	  "smtp_port, smtp_starttls, smtp_user) and keep polling for more until\n"
	  "SIGTERM or Ctrl-C; with --once, send what is due and exit (for cron\n"
	  "or a systemd timer).  A temporary refusal (4xx) or a connection\n"
	  "failure is retried after mail_retry seconds, doubling each time; a\n"
	  "permanent refusal (5xx) or the last of mail_attempts marks the\n"
	  "message failed.  Sent and failed each leave an audit record.  One\n"
	  "line per message on stderr: its id, outcome and SMTP reply code." },
	{ "mail status", cmd_mail_status, "",
	  "Print how many messages are queued, being sent, sent and failed." },
	{ "mail retry", cmd_mail_retry, "ID",
	  "Queue failed message ID again, due now, with its attempts reset\n"
	  "(say, after fixing the template or the SMTP settings).  Exit 1 if\n"
	  "there is no failed message ID." },
	{ NULL, NULL, NULL, NULL },
};

static int
cmd_mail_run(struct ctx *c, int argc, char **argv)
{
	struct pf_sender_stats	 n;
	int			 once = 0, rc;

	if (argc > 1 || (argc == 1 && strcmp(argv[0], "--once") != 0))
		return CLI_USAGE;
	once = argc == 1;
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

static int
cmd_mail_status(struct ctx *c, int argc, char **argv)
{
	long long	 queued, sending, sent, failed;
	int		 rc;

	(void)argv;
	if (argc != 0)
		return CLI_USAGE;
	if (cli_open_store(c) != 0)
		return 1;
	rc = pf_store_outbox_counts(c->st, &queued, &sending, &sent, &failed);
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: mail status: %s\n", pf_strerror(rc));
		return 1;
	}
	printf("queued:  %lld\nsending: %lld\nsent:    %lld\nfailed:  %lld\n",
	    queued, sending, sent, failed);
	return 0;
}

static int
cmd_mail_retry(struct ctx *c, int argc, char **argv)
{
	long long	 id;
	char		 now[32];
	int		 rc;

	if (argc != 1)
		return CLI_USAGE;
	if ((id = cli_positive(argv[0])) < 1) {
		fprintf(stderr, "privforms: mail retry: not a message id: %s\n",
		    argv[0]);
		return CLI_USAGE;
	}
	if (cli_open_store(c) != 0 || pf_store_begin(c->st) != PF_OK)
		return 1;
	pf_store_now(now);
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
