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
#include "phone.h"
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

/* One batch of stale entries, copied out of the statement's rows. */
struct batch {
	char	 number[PF_TXN_MAX_RECORDS][PF_PHONE_E164_SIZE];
	char	 updated[PF_TXN_MAX_RECORDS][32];
	int	 n;
};

static int
collect(const struct pf_dnc *d, void *arg)
{
	struct batch	*b = arg;

	if (b->n == PF_TXN_MAX_RECORDS)
		return PF_ETOOBIG;
	snprintf(b->number[b->n], sizeof(b->number[b->n]), "%s", d->number);
	snprintf(b->updated[b->n], sizeof(b->updated[b->n]), "%s", d->updated);
	b->n++;
	return 0;
}

/* Purge one batch in one transaction; *n counts what went. */
static int
purge_batch(struct ctx *c, const struct pf_keys *keys, const char *before,
    struct batch *b, long long *n)
{
	struct pf_txn	 t = { 0 };
	char		 years[16], subject[PF_HEX_DIGEST_LEN + 1];
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
		if ((rc = pf_pseudonym(keys, "phone", b->number[i],
		    subject)) == PF_OK &&
		    (rc = pf_store_dnc_remove(c->st, b->number[i])) == PF_OK)
			rc = pf_txn_audit(&t, NULL, "dnc-purged", subject,
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
	struct pf_keys		 keys;
	char			 before[32];
	long long		 n = 0;
	int			 rc;

	(void)argv;
	if (argc != 0)
		return CLI_USAGE;
	if (cli_load_keys(c, &keys) != 0 || cli_open_store(c) != 0)
		return 1;
	pf_store_years_before(time(NULL), c->cfg->dnc_retention_years, before);
	do
		rc = purge_batch(c, &keys, before, &b, &n);
	while (rc == PF_OK && b.n == PF_TXN_MAX_RECORDS);
	printf("purge: %lld Do-Not-Call entr%s last registered before %.10s "
	    "removed\n", n, n == 1 ? "y" : "ies", before);
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: purge: %s\n", pf_strerror(rc));
		return 1;
	}
	return 0;
}
