/*
 * store_guard.c -- the queries of the anti-automation tables (store.h;
 * 006-pow.sql, 007-guard.sql): spent proof-of-work challenges, rate-limit
 * hits and the counts of trapped submissions.
 *
 * Same rules as store.c, whose connection and helpers this file shares
 * through store_impl.h: every query is one entry of gstmts[], prepared on
 * first use and kept for the life of the connection; values are only ever
 * bound, never logged.
 */
#include <sqlite3.h>

#include "err.h"
#include "store.h"
#include "store_impl.h"

static const char *const gstmts[GSTMT__MAX] = {
	/*
	 * GSTMT_POW_SPEND: a challenge already there is left alone, and
	 * the statement changes no row: that is how a replay shows.
	 */
	"INSERT INTO pow_spent (challenge, expires) VALUES (?1, ?2) "
	"ON CONFLICT (challenge) DO NOTHING",
	/* GSTMT_POW_FORGET */
	"DELETE FROM pow_spent WHERE expires < ?1",
	/* GSTMT_RATE_NTH: no row when there are fewer than ?4. */
	"SELECT at FROM rate_hit WHERE bucket = ?1 AND subject = ?2 "
	"AND at >= ?3 ORDER BY at DESC LIMIT 1 OFFSET ?4 - 1",
	/* GSTMT_RATE_HIT */
	"INSERT INTO rate_hit (bucket, subject, at) VALUES (?1, ?2, ?3)",
	/* GSTMT_RATE_FORGET_KEY */
	"DELETE FROM rate_hit WHERE bucket = ?1 AND subject = ?2 AND at < ?3",
	/* GSTMT_RATE_FORGET */
	"DELETE FROM rate_hit WHERE at < ?1",
	/* GSTMT_TRAP_COUNT */
	"INSERT INTO trap_count (day, form, reason, n) VALUES (?1, ?2, ?3, 1) "
	"ON CONFLICT (day, form, reason) DO UPDATE SET n = n + 1",
	/* GSTMT_TRAP_WALK: a NULL bound is no bound. */
	"SELECT day, form, reason, n FROM trap_count "
	"WHERE (?1 IS NULL OR day >= ?1) AND (?2 IS NULL OR day <= ?2) "
	"ORDER BY day, form, reason",
};

/* The prepared statement id, ready to bind; prepared on first use. */
static int
gstmt_get(struct pf_store *st, enum gstmt id, sqlite3_stmt **out)
{
	return pf_store_stmt(st, &st->gstmts[id], gstmts[id], out);
}

/* bucket, subject and a time as ?1, ?2 and ?3: an SQLite code. */
static int
bind_key(sqlite3_stmt *s, const char *bucket, const char *subject,
    long long t)
{
	int	 rc;

	if ((rc = sqlite3_bind_text(s, 1, bucket, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 2, subject, -1, SQLITE_STATIC)))
		return rc;
	return sqlite3_bind_int64(s, 3, t);
}

/* Run statement id with bucket, subject and t bound: it changes rows. */
static int
key_change(struct pf_store *st, enum gstmt id, const char *bucket,
    const char *subject, long long t, const char *what)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = gstmt_get(st, id, &s)) != PF_OK)
		return err;
	if ((rc = bind_key(s, bucket, subject, t)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE)
		err = pf_store_err(st->db, rc, what);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_pow_spend(struct pf_store *st, const char *challenge,
    const char *expires)
{
	const char	*v[2];
	long long	 n = 0;
	int		 err;

	v[0] = challenge;
	v[1] = expires;
	if ((err = pf_store_changes(st, &st->gstmts[GSTMT_POW_SPEND],
	    gstmts[GSTMT_POW_SPEND], v, 2, "pow spend", &n)) != PF_OK)
		return err;
	return n == 0 ? PF_EFORGED : PF_OK;
}

int
pf_store_pow_forget(struct pf_store *st, const char *now, long long *n)
{
	char		 buf[32];
	const char	*v = pf_store_now_or(now, buf);

	return pf_store_changes(st, &st->gstmts[GSTMT_POW_FORGET],
	    gstmts[GSTMT_POW_FORGET], &v, 1, "pow forget", n);
}

int
pf_store_rate_nth(struct pf_store *st, const char *bucket,
    const char *subject, long long since, long long k, long long *at)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	*at = 0;
	if (k < 1)
		return PF_EINVAL;
	if ((err = gstmt_get(st, GSTMT_RATE_NTH, &s)) != PF_OK)
		return err;
	if ((rc = bind_key(s, bucket, subject, since)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 4, k)) != SQLITE_OK)
		err = pf_store_err(st->db, rc, "rate bind");
	else if ((err = pf_store_step_one(st, s, "rate nth")) == PF_OK)
		*at = sqlite3_column_int64(s, 0);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_rate_hit(struct pf_store *st, const char *bucket,
    const char *subject, long long at, long long forget)
{
	int	 err;

	/* Forgetting first: the new hit stays whatever forget says. */
	if ((err = key_change(st, GSTMT_RATE_FORGET_KEY, bucket, subject,
	    forget, "rate forget")) != PF_OK)
		return err;
	return key_change(st, GSTMT_RATE_HIT, bucket, subject, at, "rate hit");
}

int
pf_store_rate_forget(struct pf_store *st, long long before, long long *n)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = gstmt_get(st, GSTMT_RATE_FORGET, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, before)) != SQLITE_OK ||
	    (rc = sqlite3_step(s)) != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "rate forget");
	else if (n != NULL)
		*n = sqlite3_changes64(st->db);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_trap_count(struct pf_store *st, const char *day, const char *form,
    const char *reason)
{
	const char	*v[3];

	v[0] = day;
	v[1] = form;
	v[2] = reason;
	return pf_store_changes(st, &st->gstmts[GSTMT_TRAP_COUNT],
	    gstmts[GSTMT_TRAP_COUNT], v, 3, "trap count", NULL);
}

int
pf_store_trap_walk(struct pf_store *st, const char *since, const char *until,
    int (*fn)(const char *day, const char *form, const char *reason,
    long long n, void *arg), void *arg)
{
	const char	*v[2];
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	v[0] = since;
	v[1] = until;
	if ((err = gstmt_get(st, GSTMT_TRAP_WALK, &s)) != PF_OK)
		return err;
	if ((rc = pf_store_bind_texts(s, v, 2)) != SQLITE_OK) {
		err = pf_store_err(st->db, rc, "trap bind");
		goto done;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((err = fn((const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1),
		    (const char *)sqlite3_column_text(s, 2),
		    sqlite3_column_int64(s, 3), arg)) != 0)
			goto done;
	if (rc != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "trap walk");
done:
	pf_store_stmt_done(s);
	return err;
}
