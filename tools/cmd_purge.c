/*
 * cmd_purge.c -- privforms purge: remove what privforms has kept longer
 * than its retention period, and nothing younger.
 *
 * Do-Not-Call entries are kept dnc_retention_years after the number was
 * last registered.  A data subject request nobody verified is kept until
 * its verify_by (request_verify_days after it was made, when its link
 * expires): after that no one can confirm it, and the address in it was
 * never shown to belong to the person who typed it.  Each entry or request
 * removed leaves an audit record with its pseudonym, so an auditor can tell
 * a purge from a removal.
 *
 * An article vote keeps its client (the pseudonym of the voter's network)
 * only while article_vote_window_hours de-duplicates it; after that the
 * client is forgotten, in one transaction with one record of how many, so
 * no vote stays linkable to a network.  The vote itself stays: it is
 * anonymous.
 *
 * A consent record is the evidence of one cookie consent decision and is
 * kept consent_retention_years after it was made: long enough to outlive
 * the consent it proves and the limitation period of a claim about it.
 * Older records are deleted whole, in one transaction with one record of
 * how many: the records name only devices, so a pseudonym a record would
 * add nothing an auditor needs.
 *
 * A data subject request closed (fulfilled or denied) longer ago than
 * request_retention_months is reduced to what the yearly metrics need
 * (store.h, "retention": the one list of what goes is in
 * store_retention.c), REDUCE_BATCH requests per transaction, each with one
 * requests-reduced record of how many and never of whose.  Each request is
 * whole or reduced whenever the purge is interrupted; a reduced request is
 * never picked again, so a second run reduces only what has aged since.
 * The suppression list (004-requests.sql) is never purged: it is what
 * keeps an erased person from being mailed or called again.
 *
 * A spent proof-of-work challenge (pow.h) is kept until it expires, so
 * that its solution cannot be used twice; once expired it would be
 * refused anyway, and is deleted.  It names no one, so no record.
 *
 * A rate-limit hit (guard.h) counts for at most a day, the longest window
 * a rate can have; older ones are deleted.  Each new hit already deletes
 * its own key's old ones, so this catches the keys that never came back.
 * A hit holds only pseudonyms and is a counter, not a submission: no
 * record either.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "err.h"
#include "keys.h"
#include "nitems.h"
#include "phone.h"
#include "store.h"
#include "utc.h"

static int	cmd_purge(struct ctx *, const struct cli_args *);

const struct cmd cmds_purge[] = {
	{ "purge", cmd_purge, NULL, "",
	  "Remove the Do-Not-Call entries whose number was last registered\n"
	  "more than dnc_retention_years ago (at least 5), and the data\n"
	  "subject requests still unverified when their verification link\n"
	  "expired (request_verify_days), with their history; each with an\n"
	  "audit record.  Forget the client (network pseudonym) of the\n"
	  "article votes older than article_vote_window_hours, with one\n"
	  "audit record.  Delete the consent records made more than\n"
	  "consent_retention_years ago, with one audit record.  Reduce the\n"
	  "requests closed more than request_retention_months ago to what\n"
	  "`requests report` reads (names, addresses, details and notes go),\n"
	  "with one audit record per batch; never an open request, nor the\n"
	  "suppression list.  Delete the spent proof-of-work challenges\n"
	  "that have expired, and the rate-limit hits older than a day.\n"
	  "Nothing younger is touched, so it is safe to run daily from cron\n"
	  "or a systemd timer.  Prints how many of each were removed or\n"
	  "forgotten." },
	{ NULL, NULL, NULL, NULL, NULL },
};

/*
 * One batch of rows to remove, copied out of the statement's rows: for a
 * Do-Not-Call entry its number and when it was last registered, for an
 * expired request its id, subject and verify_by.
 */
#define KEY_SIZE	(PF_HEX_DIGEST_LEN + 1)	/* a subject or an E.164 */

struct batch {
	long long	 id[PF_TXN_MAX_RECORDS];
	char		 key[PF_TXN_MAX_RECORDS][KEY_SIZE];
	char		 when[PF_TXN_MAX_RECORDS][PF_TIME_SIZE];
	int		 n;
};

/* Row id, key, when at the end of b: PF_OK, or PF_ETOOBIG when b is full. */
static int
batch_add(struct batch *b, long long id, const char *key, const char *when)
{
	if (b->n == PF_TXN_MAX_RECORDS)
		return PF_ETOOBIG;
	b->id[b->n] = id;
	snprintf(b->key[b->n], sizeof(b->key[b->n]), "%s", key);
	snprintf(b->when[b->n], sizeof(b->when[b->n]), "%s", when);
	b->n++;
	return 0;
}

static int
collect_dnc(const struct pf_dnc *d, void *arg)
{
	return batch_add(arg, 0, d->number, d->updated);
}

static int
collect_expired(const struct pf_dsr *r, void *arg)
{
	return batch_add(arg, r->id, r->subject, r->verify_by);
}

/*
 * What purge removes in batches, one transaction each: bound is the time
 * the rows are older than, fill reads the next of them into b, drop
 * removes row i of b and records it in t (PF_ENOTFOUND, nothing recorded:
 * the row changed since fill read it, a form renewing it on another
 * worker or node, and stays), say prints how many went.
 */
struct sweep {
	void	(*bound)(struct ctx *, char out[PF_TIME_SIZE]);
	int	(*fill)(struct pf_store *, const char *bound, struct batch *b);
	int	(*drop)(struct ctx *, const struct pf_keys *, struct pf_txn *t,
		    const struct batch *b, int i);
	void	(*say)(long long n, const char *bound);
};

/* Do-Not-Call entries last registered dnc_retention_years ago. */
static void
dnc_bound(struct ctx *c, char out[PF_TIME_SIZE])
{
	pf_utc_years_before(time(NULL), c->cfg->dnc_retention_years, out);
}

static int
fill_dnc(struct pf_store *st, const char *before, struct batch *b)
{
	return pf_store_dnc_stale(st, before, PF_TXN_MAX_RECORDS, collect_dnc,
	    b);
}

static int
drop_dnc(struct ctx *c, const struct pf_keys *keys, struct pf_txn *t,
    const struct batch *b, int i)
{
	char		 years[16], subject[PF_HEX_DIGEST_LEN + 1];
	const char	*details[] = { "last-registered", b->when[i],
	    "retention-years", years, NULL };
	int		 rc;

	snprintf(years, sizeof(years), "%ld", c->cfg->dnc_retention_years);
	if ((rc = pf_pseudonym(keys, "phone", b->key[i], subject)) != PF_OK ||
	    (rc = pf_store_dnc_purge(c->st, b->key[i], b->when[i])) != PF_OK)
		return rc;
	return pf_txn_audit(t, NULL, "dnc-purged", subject, details);
}

static void
dnc_say(long long n, const char *before)
{
	printf("purge: %lld Do-Not-Call entr%s last registered before %.10s "
	    "removed\n", n, n == 1 ? "y" : "ies", before);
}

/* Requests still unverified when their verify_by passed. */
static void
expired_bound(struct ctx *c, char out[PF_TIME_SIZE])
{
	(void)c;
	pf_utc_now(out);
}

static int
fill_expired(struct pf_store *st, const char *now, struct batch *b)
{
	return pf_store_dsr_expired(st, now, PF_TXN_MAX_RECORDS,
	    collect_expired, b);
}

static int
drop_expired(struct ctx *c, const struct pf_keys *keys, struct pf_txn *t,
    const struct batch *b, int i)
{
	char		 id[24];
	const char	*details[] = { "request", id, "verify-by", b->when[i],
	    NULL };
	int		 rc;

	(void)keys;
	snprintf(id, sizeof(id), "%lld", b->id[i]);
	if ((rc = pf_store_dsr_purge(c->st, b->id[i])) != PF_OK)
		return rc;
	return pf_txn_audit(t, NULL, "request-expired", b->key[i], details);
}

static void
expired_say(long long n, const char *now)
{
	(void)now;
	printf("purge: %lld unverified request%s past verification removed\n",
	    n, n == 1 ? "" : "s");
}

/* One batch of s in one transaction; *n counts what went. */
static int
sweep_batch(struct ctx *c, const struct sweep *s, const struct pf_keys *keys,
    const char *bound, struct batch *b, long long *n)
{
	struct pf_txn	 t = { 0 };
	int		 i, rc, gone = 0;

	b->n = 0;
	if ((rc = cli_begin(c, &t)) != PF_OK)
		return rc;
	rc = s->fill(c->st, bound, b);
	for (i = 0; rc == PF_OK && i < b->n; i++)
		if ((rc = s->drop(c, keys, &t, b, i)) == PF_OK)
			gone++;
		else if (rc == PF_ENOTFOUND)
			rc = PF_OK;
	if (rc == PF_OK && (rc = pf_txn_commit(&t)) == PF_OK)
		*n += gone;
	else
		pf_txn_rollback(&t);
	return rc;
}

/* Every row of s older than its bound, batch by batch, then say so. */
static int
sweep(struct ctx *c, const struct sweep *s, const struct pf_keys *keys)
{
	static struct batch	 b;
	char			 bound[PF_TIME_SIZE];
	long long		 n = 0;
	int			 rc;

	s->bound(c, bound);
	do
		rc = sweep_batch(c, s, keys, bound, &b, &n);
	while (rc == PF_OK && b.n == PF_TXN_MAX_RECORDS);
	s->say(n, bound);
	return rc;
}

static int
purge_dnc(struct ctx *c, const struct pf_keys *keys)
{
	static const struct sweep	 s = { dnc_bound, fill_dnc, drop_dnc,
	    dnc_say };

	return sweep(c, &s, keys);
}

static int
purge_requests(struct ctx *c, const struct pf_keys *keys)
{
	static const struct sweep	 s = { expired_bound, fill_expired,
	    drop_expired, expired_say };

	return sweep(c, &s, keys);
}

#define COUNT_SIZE	24	/* a long long in decimal, with its NUL */

/*
 * One deletion (or reduction) of the rows before `before` that names no
 * one but is recorded: del removes them (*n how many) and, when any went,
 * one record of event with details, whose value [1] is filled with *n, in
 * the same transaction.  On a failure nothing changes and *n is 0.
 */
static int
delete_recorded(struct ctx *c, int (*del)(struct pf_store *, const char *,
    long long *), const char *before, const char *event,
    const char *const *details, char count[COUNT_SIZE], long long *n)
{
	struct pf_txn	 t = { 0 };
	int		 rc;

	if ((rc = cli_begin(c, &t)) != PF_OK)
		return rc;
	if ((rc = del(c->st, before, n)) == PF_OK && *n > 0) {
		snprintf(count, COUNT_SIZE, "%lld", *n);
		rc = pf_txn_audit(&t, NULL, event, NULL, details);
	}
	if (rc != PF_OK || (rc = pf_txn_commit(&t)) != PF_OK) {
		pf_txn_rollback(&t);
		*n = 0;
	}
	return rc;
}

/*
 * A deletion purge makes with one record per transaction
 * (delete_recorded): the time its rows are older than, what deletes them,
 * the record's event and the names of its count, bound and limit details,
 * the configured limit (a long of struct pf_config, at limit_off), what
 * purge prints, and batch: 0 when del takes every row in one go, else the
 * most it takes in one (another transaction follows a full one).
 */
struct recorded {
	void		 (*bound)(struct ctx *, char out[PF_TIME_SIZE]);
	int		 (*del)(struct pf_store *, const char *, long long *);
	const char	*event, *count_name, *bound_name, *limit_name;
	size_t		 limit_off;
	void		 (*say)(long long n, long limit, const char *bound);
	long long	 batch;
};

static int
purge_recorded(struct ctx *c, const struct recorded *r)
{
	char		 before[PF_TIME_SIZE], count[COUNT_SIZE], limit[24];
	const char	*details[] = { r->count_name, count, r->bound_name,
	    before, r->limit_name, limit, NULL };
	long		 lim = *(const long *)(const void *)
	    ((const char *)c->cfg + r->limit_off);
	long long	 n, total = 0;
	int		 rc;

	r->bound(c, before);
	snprintf(limit, sizeof(limit), "%ld", lim);
	do {
		n = 0;
		rc = delete_recorded(c, r->del, before, r->event, details,
		    count, &n);
		total += n;
	} while (rc == PF_OK && r->batch > 0 && n == r->batch);
	r->say(total, lim, before);
	return rc;
}

/* Votes older than the window forget their client. */
static void
votes_bound(struct ctx *c, char out[PF_TIME_SIZE])
{
	pf_utc_time(time(NULL) - c->cfg->article_vote_window_hours * 3600,
	    out);
}

static void
votes_say(long long n, long hours, const char *before)
{
	(void)before;
	printf("purge: %lld article vote%s older than %ld hour%s unlinked from "
	    "their client\n", n, n == 1 ? "" : "s", hours,
	    hours == 1 ? "" : "s");
}

static const struct recorded	 votes = { votes_bound,
    pf_store_vote_forget_clients, "vote-clients-forgotten", "votes",
    "created-before", "window-hours",
    offsetof(struct pf_config, article_vote_window_hours), votes_say, 0 };

/* Consent records made consent_retention_years ago are deleted. */
static void
consent_bound(struct ctx *c, char out[PF_TIME_SIZE])
{
	pf_utc_years_before(time(NULL), c->cfg->consent_retention_years, out);
}

static void
consent_say(long long n, long years, const char *before)
{
	(void)years;
	printf("purge: %lld consent record%s made before %.10s deleted\n", n,
	    n == 1 ? "" : "s", before);
}

static const struct recorded	 consent = { consent_bound,
    pf_store_consent_purge, "consent-purged", "records", "created-before",
    "retention-years", offsetof(struct pf_config, consent_retention_years),
    consent_say, 0 };

/*
 * Requests closed request_retention_months ago are reduced, a batch per
 * transaction: small enough that the forms wait for the lock no longer
 * than for any other write of the command.
 */
#define REDUCE_BATCH	100

static void
reduce_bound(struct ctx *c, char out[PF_TIME_SIZE])
{
	pf_utc_months_before(time(NULL), c->cfg->request_retention_months,
	    out);
}

static int
reduce_batch(struct pf_store *st, const char *before, long long *n)
{
	return pf_store_dsr_reduce(st, before, NULL, REDUCE_BATCH, n);
}

static void
reduce_say(long long n, long months, const char *before)
{
	(void)months;
	printf("purge: %lld request%s closed before %.10s reduced to the "
	    "metrics\n", n, n == 1 ? "" : "s", before);
}

static const struct recorded	 reduced = { reduce_bound, reduce_batch,
    "requests-reduced", "requests", "closed-before", "retention-months",
    offsetof(struct pf_config, request_retention_months), reduce_say,
    REDUCE_BATCH };

/*
 * End the store transaction of a deletion that names no one, so leaves no
 * record, whose outcome is rc: committed, or rolled back with *n (how
 * many went) back to 0.  PF_OK, or the error.
 */
static int
forgotten(struct ctx *c, int rc, long long *n)
{
	if (rc == PF_OK && (rc = pf_store_commit(c->st)) == PF_OK)
		return PF_OK;
	pf_store_rollback(c->st);
	*n = 0;
	return rc;
}

/* Delete the spent challenges that have expired: no one's, no record. */
static int
purge_challenges(struct ctx *c, const struct pf_keys *keys)
{
	char		 now[PF_TIME_SIZE];
	long long	 n = 0;
	int		 rc;

	(void)keys;
	pf_utc_now(now);
	if ((rc = pf_store_begin(c->st)) == PF_OK)
		rc = forgotten(c, pf_store_pow_forget(c->st, now, &n), &n);
	printf("purge: %lld expired proof-of-work challenge%s deleted\n", n,
	    n == 1 ? "" : "s");
	return rc;
}

/* The longest window a rate can have (config.h's pf_rate): a day. */
#define RATE_WINDOW_MAX	PF_DAY

/* Delete the rate-limit hits that no window reaches any more. */
static int
purge_rate_hits(struct ctx *c, const struct pf_keys *keys)
{
	long long	 n = 0;
	int		 rc;

	(void)keys;
	if ((rc = pf_store_begin(c->st)) == PF_OK)
		rc = forgotten(c, pf_store_rate_forget(c->st,
		    (long long)time(NULL) - RATE_WINDOW_MAX, &n), &n);
	printf("purge: %lld rate-limit hit%s older than a day deleted\n", n,
	    n == 1 ? "" : "s");
	return rc;
}

/*
 * The steps, in order; each runs even when one before it fails.  A step is
 * a function of its own (fn) or one recorded deletion (rec).
 */
static const struct {
	const char		*what;
	int			(*fn)(struct ctx *, const struct pf_keys *);
	const struct recorded	*rec;
} steps[] = {
	{ "Do-Not-Call entries", purge_dnc, NULL },
	{ "requests", purge_requests, NULL },
	{ "closed requests", NULL, &reduced },
	{ "article votes", NULL, &votes },
	{ "consent records", NULL, &consent },
	{ "proof-of-work challenges", purge_challenges, NULL },
	{ "rate-limit hits", purge_rate_hits, NULL },
};

static int
cmd_purge(struct ctx *c, const struct cli_args *a)
{
	struct pf_keys	 keys;
	size_t		 i;
	int		 rc, failed = 0;

	(void)a;
	if (cli_load_keys(c, &keys) != 0 || cli_open_store(c) != 0)
		return 1;
	for (i = 0; i < nitems(steps); i++)
		if ((rc = steps[i].fn != NULL ? steps[i].fn(c, &keys) :
		    purge_recorded(c, steps[i].rec)) != PF_OK) {
			fprintf(stderr, "privforms: purge: %s: %s\n",
			    steps[i].what, pf_strerror(rc));
			failed = 1;
		}
	return failed;
}
