/*
 * cmd_purge.c -- privforms purge: remove what privforms has kept longer
 * than its retention period, and nothing younger.
 *
 * Do-Not-Call entries are kept dnc_retention_years after the number was
 * last registered.  Each entry removed leaves an audit record with its
 * pseudonym, so an auditor can tell a purge from a removal.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "err.h"
#include "keys.h"
#include "store.h"

static int	cmd_purge(struct ctx *, int, char **);

const struct cmd cmds_purge[] = {
	{ "purge", cmd_purge, "",
	  "Remove the Do-Not-Call entries whose number was last registered\n"
	  "more than dnc_retention_years ago (at least 5), each with an audit\n"
	  "record.  Nothing younger is touched, so it is safe to run daily\n"
	  "from cron or a systemd timer.  Prints how many were removed." },
	{ NULL, NULL, NULL, NULL },
};

/*
 * The cutoff: now, years earlier, in the stored time format.  29 February
 * of a year without one becomes the 28th, an earlier cutoff: an entry is
 * never removed before its full period has passed.
 */
static void
cutoff(long years, char out[32])
{
	struct tm	 tm;
	time_t		 now = time(NULL);

	gmtime_r(&now, &tm);
	tm.tm_year -= (int)years;
	if (tm.tm_mon == 1 && tm.tm_mday == 29) {
		int	 y = tm.tm_year + 1900;

		if (!(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
			tm.tm_mday = 28;
	}
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
}

/* One batch of stale entries, copied out of the statement's rows. */
struct batch {
	char	 subject[PF_TXN_MAX_RECORDS][PF_HEX_DIGEST_LEN + 1];
	char	 updated[PF_TXN_MAX_RECORDS][32];
	int	 n;
};

static int
collect(const struct pf_dnc *d, void *arg)
{
	struct batch	*b = arg;

	snprintf(b->subject[b->n], sizeof(b->subject[b->n]), "%s", d->subject);
	snprintf(b->updated[b->n], sizeof(b->updated[b->n]), "%s", d->updated);
	b->n++;
	return 0;
}

/* Purge one batch in one transaction; *n counts what went. */
static int
purge_batch(struct ctx *c, const char *before, struct batch *b, long long *n)
{
	struct pf_txn	 t = { 0 };
	char		 years[16];
	const char	*details[] = { "last-registered", NULL,
	    "retention-years", years, NULL };
	int		 i, rc;

	snprintf(years, sizeof(years), "%ld", c->cfg->dnc_retention_years);
	b->n = 0;
	if ((rc = cli_begin(c, &t)) != PF_OK)
		return rc;
	rc = pf_store_dnc_stale(c->st, before, PF_TXN_MAX_RECORDS, collect, b);
	for (i = 0; rc == PF_OK && i < b->n; i++) {
		details[1] = b->updated[i];
		if ((rc = pf_store_dnc_remove(c->st, b->subject[i])) == PF_OK)
			rc = pf_txn_audit(&t, NULL, "dnc-purged", b->subject[i],
			    details);
	}
	if (rc == PF_OK && (rc = pf_txn_commit(&t)) == PF_OK)
		*n += b->n;
	else
		pf_txn_rollback(&t);
	return rc;
}

static int
cmd_purge(struct ctx *c, int argc, char **argv)
{
	static struct batch	 b;
	char			 before[32];
	long long		 n = 0;
	int			 rc;

	(void)argv;
	if (argc != 0)
		return CLI_USAGE;
	if (cli_open_store(c) != 0)
		return 1;
	cutoff(c->cfg->dnc_retention_years, before);
	do
		rc = purge_batch(c, before, &b, &n);
	while (rc == PF_OK && b.n == PF_TXN_MAX_RECORDS);
	printf("purge: %lld Do-Not-Call entr%s last registered before %.10s "
	    "removed\n", n, n == 1 ? "y" : "ies", before);
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: purge: %s\n", pf_strerror(rc));
		return 1;
	}
	return 0;
}
