/*
 * test_store_guard.c -- spent proof-of-work challenges, rate-limit hits
 * and trap counts (store.h, 006-pow.sql, 007-guard.sql), each test on a
 * fresh database made by the real migrations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "check_main.h"
#include "fixture.h"
#include "err.h"
#include "nitems.h"
#include "schema.h"
#include "store.h"

#define C1 "1111111111111111111111111111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222222222222222222222222222"
#define C3 "3333333333333333333333333333333333333333333333333333333333333333"
#define T1 "2026-11-24T06:00:00.000000Z"
#define T2 "2026-11-24T07:00:00.000000Z"
#define T3 "2026-11-24T08:00:00.000000Z"

/*
 * How many rows of pow_spent hold challenge (NULL: any), on a second
 * connection; challenge is one of the hex constants above.
 */
static long long
spent(const char *challenge)
{
	char	 sql[160];

	if (challenge == NULL)
		return pf_test_count("SELECT count(*) FROM pow_spent");
	ck_assert_int_lt(snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
	    "pow_spent WHERE challenge = '%s'", challenge), (int)sizeof(sql));
	return pf_test_count(sql);
}

/* Spend challenge in a transaction of its own; what the spend gave. */
static int
spend(const char *challenge, const char *expires)
{
	int	 rc;

	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	rc = pf_store_pow_spend(fx.st, challenge, expires);
	ck_assert_int_eq(pf_store_commit(fx.st), PF_OK);
	return rc;
}

START_TEST(test_latest_migrations_are_pow_and_guard)
{
	/* Versions 6 and 7, whatever later ones add. */
	ck_assert_uint_ge(pf_nmigrations, 7);
	ck_assert_str_eq(pf_migrations[5].name, "006-pow.sql");
	ck_assert_uint_eq(pf_migrations[5].version, 6);
	ck_assert_str_eq(pf_migrations[6].name, "007-guard.sql");
	ck_assert_uint_eq(pf_migrations[6].version, 7);
}
END_TEST

START_TEST(test_spend_once_then_replay_is_forged)
{
	ck_assert_int_eq(spend(C1, T2), PF_OK);
	ck_assert_int_eq(spent(C1), 1);
	ck_assert_int_eq(spend(C1, T2), PF_EFORGED);
	/* A replay with another expiry is the same challenge. */
	ck_assert_int_eq(spend(C1, T3), PF_EFORGED);
	ck_assert_int_eq(spent(NULL), 1);
	ck_assert_int_eq(spend(C2, T2), PF_OK);
	ck_assert_int_eq(spent(NULL), 2);
}
END_TEST

/*
 * One transaction spends C1 (expiring at expires: rc), spends it again
 * when replay is not 0 (replay: what that gave), then commits or rolls
 * back.  left rows hold C1 after it (and no row any other challenge), and
 * a later spend of C1 is forged exactly when one is left.
 */
static const struct {
	const char	*expires;
	int		 rc, replay, commit;
	long long	 left;
} in_one_transaction[] = {
	{ T2, PF_OK, PF_EFORGED, 1, 1 },	/* a replay within it */
	{ T2, PF_OK, 0, 0, 0 },			/* a rolled-back spend */
	{ NULL, PF_ESTORE, 0, 0, 0 },		/* no expiry is refused */
};

START_TEST(test_spend_within_one_transaction)
{
	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(pf_store_pow_spend(fx.st, C1,
	    in_one_transaction[_i].expires), in_one_transaction[_i].rc);
	if (in_one_transaction[_i].replay != 0)
		ck_assert_int_eq(pf_store_pow_spend(fx.st, C1,
		    in_one_transaction[_i].expires),
		    in_one_transaction[_i].replay);
	if (in_one_transaction[_i].commit)
		ck_assert_int_eq(pf_store_commit(fx.st), PF_OK);
	else
		pf_store_rollback(fx.st);
	ck_assert_int_eq(spent(C1), in_one_transaction[_i].left);
	ck_assert_int_eq(spent(NULL), in_one_transaction[_i].left);
	ck_assert_int_eq(spend(C1, T2),
	    in_one_transaction[_i].left ? PF_EFORGED : PF_OK);
	ck_assert_int_eq(spent(C1), 1);
}
END_TEST

START_TEST(test_forget_removes_only_expired)
{
	long long	 n = -1;

	ck_assert_int_eq(spend(C1, T1), PF_OK);
	ck_assert_int_eq(spend(C2, T2), PF_OK);
	ck_assert_int_eq(spend(C3, T3), PF_OK);
	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	/* Expired before T2: C1 only; C2 expires at T2, not before it. */
	ck_assert_int_eq(pf_store_pow_forget(fx.st, T2, &n), PF_OK);
	ck_assert_int_eq(pf_store_commit(fx.st), PF_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(spent(C1), 0);
	ck_assert_int_eq(spent(C2), 1);
	ck_assert_int_eq(spent(C3), 1);
	ck_assert_int_eq(pf_store_pow_forget(fx.st, T2, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(pf_store_pow_forget(fx.st,
	    "2026-11-24T08:00:00.000001Z", NULL), PF_OK);
	ck_assert_int_eq(spent(NULL), 0);
}
END_TEST

START_TEST(test_forget_without_now_uses_the_clock)
{
	long long	 n = -1;

	ck_assert_int_eq(spend(C1, T1), PF_OK);
	ck_assert_int_eq(spend(C2, "9999-12-31T23:59:59.000000Z"), PF_OK);
	ck_assert_int_eq(pf_store_pow_forget(fx.st, NULL, &n), PF_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(spent(C2), 1);
}
END_TEST

/*
 * Rate-limit hits
 */

#define B1	"request/client"
#define B2	"mail/address"
#define S1	"aaaa"
#define S2	"bbbb"

/* How many rate_hit rows there are, on a second connection. */
static long long
hits(void)
{
	return pf_test_count("SELECT count(*) FROM rate_hit");
}

/* Record a hit at each of the n times at, with nothing to forget. */
static void
hit_at(const char *bucket, const char *subject, const long long *at,
    size_t n)
{
	for (; n > 0; n--, at++)
		ck_assert_int_eq(pf_store_rate_hit(fx.st, bucket, subject, *at,
		    0), PF_OK);
}

/* hit(bucket, subject, time, ...): a hit at each time, in order. */
#define hit(bucket, subject, ...)					\
	hit_at(bucket, subject, (const long long[]){ __VA_ARGS__ },	\
	    nitems(((const long long[]){ __VA_ARGS__ })))

/*
 * bucket and subject have exactly n hits since, the earliest at first
 * (0 when none): the n-th newest is first, and there is no (n+1)-th.
 */
static void
count_is(const char *bucket, const char *subject, long long since,
    long long n, long long first)
{
	long long	 at = -1;

	ck_assert_int_eq(pf_store_rate_nth(fx.st, bucket, subject, since, n + 1,
	    &at), PF_ENOTFOUND);
	if (n == 0)
		ck_assert_int_eq(first, 0);
	else {
		ck_assert_int_eq(pf_store_rate_nth(fx.st, bucket, subject,
		    since, n, &at), PF_OK);
		ck_assert_msg(at == first, "%s %s since %lld: the %lld-th "
		    "newest is at %lld, not %lld", bucket, subject, since, n,
		    at, first);
	}
}

START_TEST(test_rate_count_of_nothing_is_zero)
{
	count_is(B1, S1, 0, 0, 0);
}
END_TEST

START_TEST(test_rate_count_since_is_inclusive)
{
	/* since, then the count and the earliest hit counted. */
	static const long long	 t[][3] = {
		{ 0, 3, 1000 }, { 1000, 3, 1000 }, { 1001, 2, 1010 },
		{ 1010, 2, 1010 }, { 1020, 1, 1020 }, { 1021, 0, 0 },
	};
	size_t			 i;

	hit(B1, S1, 1000, 1010, 1020);
	for (i = 0; i < nitems(t); i++)
		count_is(B1, S1, t[i][0], t[i][1], t[i][2]);
}
END_TEST

START_TEST(test_rate_count_keeps_keys_apart)
{
	hit(B1, S1, 1000, 1000);
	hit(B1, S2, 1005);
	hit(B2, S1, 1007);
	count_is(B1, S1, 0, 2, 1000);
	count_is(B1, S2, 0, 1, 1005);
	count_is(B2, S1, 0, 1, 1007);
	count_is(B2, S2, 0, 0, 0);
}
END_TEST

/* The k-th newest hit since: what a limit of k waits on. */
START_TEST(test_rate_nth_newest)
{
	static const struct {
		long long	 since, k, at;
		int		 rc;
	} cases[] = {
		{ 0, 1, 1030, PF_OK },
		{ 0, 2, 1020, PF_OK },
		{ 0, 4, 1000, PF_OK },
		{ 0, 5, 0, PF_ENOTFOUND },
		{ 1010, 3, 1010, PF_OK },	/* since is inclusive */
		{ 1011, 3, 0, PF_ENOTFOUND },
		{ 0, 0, 0, PF_EINVAL },
	};
	long long	 at;
	size_t		 i;

	hit(B1, S1, 1000, 1010, 1020, 1030);
	hit(B1, S2, 1040);
	for (i = 0; i < nitems(cases); i++) {
		at = -1;
		ck_assert_int_eq(pf_store_rate_nth(fx.st, B1, S1,
		    cases[i].since, cases[i].k, &at), cases[i].rc);
		ck_assert_int_eq(at, cases[i].at);
	}
}
END_TEST

START_TEST(test_rate_hit_forgets_only_its_own_old_rows)
{
	hit(B1, S1, 100, 200);
	hit(B1, S2, 100);
	hit(B2, S1, 100);
	ck_assert_int_eq(pf_store_rate_hit(fx.st, B1, S1, 300, 200), PF_OK);
	/* B1/S1's hit at 100 is gone; at 200 (not before 200) stays. */
	count_is(B1, S1, 0, 2, 200);
	count_is(B1, S2, 0, 1, 100);
	count_is(B2, S1, 0, 1, 100);
	ck_assert_int_eq(hits(), 4);
}
END_TEST

/* Forgetting after the hit's own time still records the hit. */
START_TEST(test_rate_hit_keeps_the_new_hit)
{
	hit(B1, S1, 100);
	ck_assert_int_eq(pf_store_rate_hit(fx.st, B1, S1, 300, 301), PF_OK);
	count_is(B1, S1, 0, 1, 300);
}
END_TEST

START_TEST(test_rate_hit_rolled_back_is_not_counted)
{
	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	hit(B1, S1, 100);
	count_is(B1, S1, 0, 1, 100);
	pf_store_rollback(fx.st);
	count_is(B1, S1, 0, 0, 0);
	ck_assert_int_eq(hits(), 0);
}
END_TEST

START_TEST(test_rate_hit_refuses_null)
{
	ck_assert_int_eq(pf_store_rate_hit(fx.st, NULL, S1, 100, 0), PF_ESTORE);
	ck_assert_int_eq(pf_store_rate_hit(fx.st, B1, NULL, 100, 0), PF_ESTORE);
	ck_assert_int_eq(hits(), 0);
}
END_TEST

START_TEST(test_rate_forget_deletes_every_key_before)
{
	long long	 n = -1;

	hit(B1, S1, 100);
	hit(B1, S2, 199);
	hit(B2, S1, 200);
	hit(B2, S2, 300);
	ck_assert_int_eq(pf_store_rate_forget(fx.st, 200, &n), PF_OK);
	ck_assert_int_eq(n, 2);
	count_is(B2, S1, 0, 1, 200);
	count_is(B2, S2, 0, 1, 300);
	ck_assert_int_eq(hits(), 2);
	ck_assert_int_eq(pf_store_rate_forget(fx.st, 200, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(pf_store_rate_forget(fx.st, 301, NULL), PF_OK);
	ck_assert_int_eq(hits(), 0);
}
END_TEST

/*
 * Trapped submissions
 */

#define D1	"2026-11-23"
#define D2	"2026-11-24"
#define D3	"2026-11-25"

struct seen {
	char		 rows[8][64];	/* "day form reason n" */
	size_t		 n;
	size_t		 stop_at;	/* return 7 at this row (0: never) */
};

static int
collect(const char *day, const char *form, const char *reason,
    long long n, void *arg)
{
	struct seen	*sn = arg;

	ck_assert_uint_lt(sn->n, 8);
	snprintf(sn->rows[sn->n], sizeof(sn->rows[0]), "%s %s %s %lld", day,
	    form, reason, n);
	return ++sn->n == sn->stop_at ? 7 : 0;
}

/* Walk since..until and compare with want[] (NULL-terminated). */
static void
walk_is(const char *since, const char *until, const char *const *want)
{
	struct seen	 sn;
	size_t		 i;

	memset(&sn, 0, sizeof(sn));
	ck_assert_int_eq(pf_store_trap_walk(fx.st, since, until, collect, &sn),
	    PF_OK);
	for (i = 0; want[i] != NULL; i++) {
		ck_assert_msg(i < sn.n, "%s..%s: %zu rows, want more", since,
		    until, sn.n);
		ck_assert_str_eq(sn.rows[i], want[i]);
	}
	ck_assert_uint_eq(sn.n, i);
}

/* Count one trap of form for reason on day. */
static void
trap(const char *day, const char *form, const char *reason)
{
	ck_assert_int_eq(pf_store_trap_count(fx.st, day, form, reason), PF_OK);
}

/* Traps in an order other than the walk's. */
static void
some_traps(void)
{
	trap(D2, "unsubscribe", "too-fast");
	trap(D3, "dnc", "honeypot");
	trap(D2, "dnc", "honeypot");
	trap(D1, "request", "honeypot");
	trap(D2, "unsubscribe", "honeypot");
}

START_TEST(test_trap_count_adds_up)
{
	static const char *const one[] = { D2 " dnc honeypot 1", NULL };
	static const char *const three[] = { D2 " dnc honeypot 3",
	    D2 " dnc too-fast 1", NULL };

	walk_is(NULL, NULL, one + 1);
	trap(D2, "dnc", "honeypot");
	walk_is(NULL, NULL, one);
	trap(D2, "dnc", "honeypot");
	trap(D2, "dnc", "too-fast");
	trap(D2, "dnc", "honeypot");
	walk_is(NULL, NULL, three);
}
END_TEST

START_TEST(test_trap_walk_orders_by_day_form_reason)
{
	static const char *const all[] = {
		D1 " request honeypot 1", D2 " dnc honeypot 1",
		D2 " unsubscribe honeypot 1", D2 " unsubscribe too-fast 1",
		D3 " dnc honeypot 1", NULL,
	};

	some_traps();
	walk_is(NULL, NULL, all);
}
END_TEST

START_TEST(test_trap_walk_bounds_are_inclusive)
{
	static const char *const from2[] = {
		D2 " dnc honeypot 1", D2 " unsubscribe honeypot 1",
		D2 " unsubscribe too-fast 1", D3 " dnc honeypot 1", NULL,
	};
	static const char *const to2[] = {
		D1 " request honeypot 1", D2 " dnc honeypot 1",
		D2 " unsubscribe honeypot 1", D2 " unsubscribe too-fast 1", NULL,
	};
	static const char *const only2[] = {
		D2 " dnc honeypot 1", D2 " unsubscribe honeypot 1",
		D2 " unsubscribe too-fast 1", NULL,
	};
	static const char *const only3[] = { D3 " dnc honeypot 1", NULL };
	static const char *const none[] = { NULL };

	some_traps();
	walk_is(D2, NULL, from2);
	walk_is(NULL, D2, to2);
	walk_is(D2, D2, only2);
	walk_is(D3, "9999-12-31", only3);
	walk_is("2026-11-26", NULL, none);
	walk_is(NULL, "2026-11-22", none);
	walk_is(D3, D1, none);
}
END_TEST

START_TEST(test_trap_walk_stops_when_fn_says_so)
{
	struct seen	 sn;

	some_traps();
	memset(&sn, 0, sizeof(sn));
	sn.stop_at = 2;
	ck_assert_int_eq(pf_store_trap_walk(fx.st, NULL, NULL, collect, &sn),
	    7);
	ck_assert_uint_eq(sn.n, 2);
	/* The statement was reset: a second walk starts over. */
	memset(&sn, 0, sizeof(sn));
	ck_assert_int_eq(pf_store_trap_walk(fx.st, NULL, NULL, collect, &sn),
	    PF_OK);
	ck_assert_uint_eq(sn.n, 5);
}
END_TEST

PF_TEST_MAIN("store_guard",
    pf_test_fixture(tc, PF_TEST_STORE, NULL, NULL, NULL),
    tcase_add_test(tc, test_latest_migrations_are_pow_and_guard),
    tcase_add_test(tc, test_spend_once_then_replay_is_forged),
    PF_LOOP(test_spend_within_one_transaction, in_one_transaction),
    tcase_add_test(tc, test_forget_removes_only_expired),
    tcase_add_test(tc, test_forget_without_now_uses_the_clock),
    tcase_add_test(tc, test_rate_count_of_nothing_is_zero),
    tcase_add_test(tc, test_rate_count_since_is_inclusive),
    tcase_add_test(tc, test_rate_count_keeps_keys_apart),
    tcase_add_test(tc, test_rate_nth_newest),
    tcase_add_test(tc, test_rate_hit_forgets_only_its_own_old_rows),
    tcase_add_test(tc, test_rate_hit_keeps_the_new_hit),
    tcase_add_test(tc, test_rate_hit_rolled_back_is_not_counted),
    tcase_add_test(tc, test_rate_hit_refuses_null),
    tcase_add_test(tc, test_rate_forget_deletes_every_key_before),
    tcase_add_test(tc, test_trap_count_adds_up),
    tcase_add_test(tc, test_trap_walk_orders_by_day_form_reason),
    tcase_add_test(tc, test_trap_walk_bounds_are_inclusive),
    tcase_add_test(tc, test_trap_walk_stops_when_fn_says_so))
