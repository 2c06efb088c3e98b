/*
 * sender.h -- draining the outbox: `privforms mail run`.
 *
 * Each round: claim the messages due first, up to ten (store.h, in one
 * transaction, so two senders never send the same message), render them
 * (mail.h), send them over one SMTP session (smtp.h), then in one
 * transaction record each outcome and its audit record: "mail-sent", or
 * "mail-failed" after a permanent refusal or the last attempt.  A
 * temporary failure puts the message back, due after mail_retry seconds,
 * doubling with each attempt (capped at a day).  A sender that dies
 * mid-send leaves a lease that expires, and its messages are claimed again
 * (they may then be sent twice: at least once, never lost; every attempt
 * at one message carries one Message-ID, by which mailboxes drop the
 * copy).  A database
 * that is unavailable when the outcome is to be recorded (a server
 * restarting, a failover) is tried again every second while the lease
 * lasts, so a message handed over is recorded, not sent again.
 */
#ifndef PF_SENDER_H
#define PF_SENDER_H

#include <stdio.h>

struct pf_config;
struct pf_keys;
struct pf_store;

struct pf_sender_stats {
	long long	 sent;
	long long	 deferred;
	long long	 failed;
};

/*
 * Send every message that is due, then return (once), or keep polling the
 * outbox every poll_ms until SIGTERM or SIGINT.  Progress lines (ids and
 * outcomes, never addresses) go to log, which may be NULL; stats (may be
 * NULL) counts them.  Returns PF_OK; PF_ECONFIG, logged, when the mail
 * settings cannot work (mail_from empty, an unusable password file, smtp_
 * settings libesmtp cannot take, an smtp_ca_file that does not load), and
 * nothing is tried; or the store's error that stopped it (a busy database
 * is waited out unless once).
 */
int pf_sender_run(const struct pf_config *cfg, struct pf_store *st, int once,
    long poll_ms, FILE *log, struct pf_sender_stats *stats);

#endif
