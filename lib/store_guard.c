/*
 * store_guard.c -- the queries of the anti-automation tables (store.h;
 * 006-pow.sql): spent proof-of-work challenges.
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
};

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
