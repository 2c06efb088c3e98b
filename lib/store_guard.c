/*
 * store_guard.c -- the queries of the anti-automation tables (store.h;
 * 006-pow.sql, 007-guard.sql): spent proof-of-work challenges, rate-limit
 * hits and the counts of trapped submissions.
 *
 * Every query is one entry of sql[] below, run through store_sql.h: values
 * are only ever bound, never logged.
 */
#include "err.h"
#include "store.h"
#include "store_impl.h"
#include "store_sql.h"
#include "utc.h"

enum {
	POW_SPEND, POW_FORGET, RATE_NTH, RATE_HIT, RATE_FORGET_KEY,
	RATE_FORGET, TRAP_COUNT, TRAP_WALK, NSTMT
};

static const struct pf_sql sql[NSTMT] = {
	/*
	 * A challenge already there is left alone, and the statement changes
	 * no row: that is how a replay shows.
	 */
	[POW_SPEND] = { "pow spend",
	    "INSERT INTO pow_spent (challenge, expires) VALUES (?1, ?2) "
	    "ON CONFLICT (challenge) DO NOTHING" },
	[POW_FORGET] = { "pow forget",
	    "DELETE FROM pow_spent WHERE expires < ?1" },
	/* No row when there are fewer than ?4. */
	[RATE_NTH] = { "rate nth",
	    "SELECT at FROM rate_hit WHERE bucket = ?1 AND subject = ?2 "
	    "AND at >= ?3 ORDER BY at DESC LIMIT 1 OFFSET ?4 - 1" },
	[RATE_HIT] = { "rate hit",
	    "INSERT INTO rate_hit (bucket, subject, at) VALUES (?1, ?2, ?3)",
	    .ahead = 1 },
	[RATE_FORGET_KEY] = { "rate forget",
	    "DELETE FROM rate_hit WHERE bucket = ?1 AND subject = ?2 "
	    "AND at < ?3", .ahead = 1 },
	[RATE_FORGET] = { "rate forget",
	    "DELETE FROM rate_hit WHERE at < ?1" },
	[TRAP_COUNT] = { "trap count",
	    "INSERT INTO trap_count (day, form, reason, n) "
	    "VALUES (?1, ?2, ?3, 1) "
	    "ON CONFLICT (day, form, reason) "
	    "DO UPDATE SET n = trap_count.n + 1", .ahead = 1 },
	/* A NULL bound is no bound. */
	[TRAP_WALK] = { "trap walk",
	    "SELECT day, form, reason, n FROM trap_count "
	    "WHERE (CAST(?1 AS TEXT) IS NULL OR day >= ?1) "
	    "AND (CAST(?2 AS TEXT) IS NULL OR day <= ?2) "
	    "ORDER BY day, form, reason" },
};

const struct pf_sql_set pf_sql_set_guard = { PF_SQL_GUARD, NSTMT, sql };

#define Q(id)	PF_SQL_REF(&pf_sql_set_guard, id)

int
pf_store_pow_spend(struct pf_store *st, const char *challenge,
    const char *expires)
{
	long long	 n = 0;
	int		 err;

	if ((err = pf_sql_exec(st, Q(POW_SPEND), PF_ARGS(PF_T(challenge),
	    PF_T(expires)), &n)) != PF_OK)
		return err;
	return n == 0 ? PF_EFORGED : PF_OK;
}

int
pf_store_pow_forget(struct pf_store *st, const char *now, long long *n)
{
	return pf_sql_exec(st, Q(POW_FORGET),
	    PF_ARGS(PF_NOW(now)), n);
}

int
pf_store_rate_nth(struct pf_store *st, const char *bucket,
    const char *subject, long long since, long long k, long long *at)
{
	int	 err;

	*at = 0;
	if (k < 1)
		return PF_EINVAL;
	if ((err = pf_store_lock(st, "rate", bucket, subject)) != PF_OK)
		return err;
	return pf_sql_one(st, Q(RATE_NTH), PF_ARGS(PF_T(bucket),
	    PF_T(subject), PF_I(since), PF_I(k)), pf_row_int0, at);
}

int
pf_store_rate_hit(struct pf_store *st, const char *bucket,
    const char *subject, long long at, long long forget)
{
	int	 err;

	/* Forgetting first: the new hit stays whatever forget says. */
	if ((err = pf_sql_exec(st, Q(RATE_FORGET_KEY), PF_ARGS(PF_T(bucket),
	    PF_T(subject), PF_I(forget)), NULL)) != PF_OK)
		return err;
	return pf_sql_exec(st, Q(RATE_HIT), PF_ARGS(PF_T(bucket),
	    PF_T(subject), PF_I(at)), NULL);
}

int
pf_store_rate_forget(struct pf_store *st, long long before, long long *n)
{
	return pf_sql_exec(st, Q(RATE_FORGET), PF_ARGS(PF_I(before)), n);
}

int
pf_store_trap_count(struct pf_store *st, const char *day, const char *form,
    const char *reason)
{
	return pf_sql_exec(st, Q(TRAP_COUNT), PF_ARGS(PF_T(day), PF_T(form),
	    PF_T(reason)), NULL);
}

typedef int trap_fn(const char *day, const char *form, const char *reason,
    long long n, void *arg);

static int
trap_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;

	return PF_WALK_CALL(trap_fn, w, COL_T(0), COL_T(1), COL_T(2),
	    COL_I(3));
}

int
pf_store_trap_walk(struct pf_store *st, const char *since, const char *until,
    int (*fn)(const char *day, const char *form, const char *reason,
    long long n, void *arg), void *arg)
{
	return pf_sql_each(st, Q(TRAP_WALK), PF_ARGS(PF_T(since),
	    PF_T(until)), trap_row, PF_WALK(fn, arg));
}
