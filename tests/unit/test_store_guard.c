/*
 * test_store_guard.c -- spent proof-of-work challenges (store.h,
 * 006-pow.sql), each test on a fresh database made by the real
 * migrations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check_main.h"
#include "fixture.h"
#include "err.h"
#include "schema.h"
#include "store.h"

#define C1 "1111111111111111111111111111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222222222222222222222222222"
#define C3 "3333333333333333333333333333333333333333333333333333333333333333"
#define T1 "2026-11-24T06:00:00.000000Z"
#define T2 "2026-11-24T07:00:00.000000Z"
#define T3 "2026-11-24T08:00:00.000000Z"

static char		 dir[64];
static char		 db[128];
static struct pf_store	*st;

static void
setup(void)
{
	struct pf_store_opts	 o = { NULL, "truncate", 50 };

	snprintf(dir, sizeof(dir), "/tmp/test_store_guard.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/privforms.db", dir);
	o.path = db;
	st = NULL;
	ck_assert_int_eq(pf_store_open(&o, &st), PF_OK);
}

static void
teardown(void)
{
	pf_store_close(st);
	st = NULL;
	pf_test_rmdir(dir);
}

/* How many rows of pow_spent hold challenge (NULL: any), on a second connection. */
static long long
spent(const char *challenge)
{
	sqlite3		*h = NULL;
	sqlite3_stmt	*s = NULL;
	long long	 n;

	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT count(*) FROM "
	    "pow_spent WHERE ?1 IS NULL OR challenge = ?1", -1, &s, NULL),
	    SQLITE_OK);
	if (challenge != NULL)
		ck_assert_int_eq(sqlite3_bind_text(s, 1, challenge, -1,
		    SQLITE_STATIC), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return n;
}

/* Spend challenge in a transaction of its own; what the spend gave. */
static int
spend(const char *challenge, const char *expires)
{
	int	 rc;

	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	rc = pf_store_pow_spend(st, challenge, expires);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	return rc;
}

START_TEST(test_latest_migration_is_pow)
{
	ck_assert_str_eq(pf_migrations[pf_nmigrations - 1].name, "006-pow.sql");
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

START_TEST(test_replay_within_one_transaction_is_forged)
{
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_pow_spend(st, C1, T2), PF_OK);
	ck_assert_int_eq(pf_store_pow_spend(st, C1, T2), PF_EFORGED);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	ck_assert_int_eq(spent(C1), 1);
}
END_TEST

START_TEST(test_rolled_back_spend_leaves_it_unspent)
{
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_pow_spend(st, C1, T2), PF_OK);
	pf_store_rollback(st);
	ck_assert_int_eq(spent(C1), 0);
	ck_assert_int_eq(spend(C1, T2), PF_OK);
	ck_assert_int_eq(spent(C1), 1);
}
END_TEST

START_TEST(test_spend_refuses_null)
{
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_pow_spend(st, C1, NULL), PF_ESTORE);
	pf_store_rollback(st);
	ck_assert_int_eq(spent(NULL), 0);
}
END_TEST

START_TEST(test_forget_removes_only_expired)
{
	long long	 n = -1;

	ck_assert_int_eq(spend(C1, T1), PF_OK);
	ck_assert_int_eq(spend(C2, T2), PF_OK);
	ck_assert_int_eq(spend(C3, T3), PF_OK);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	/* Expired before T2: C1 only; C2 expires at T2, not before it. */
	ck_assert_int_eq(pf_store_pow_forget(st, T2, &n), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(spent(C1), 0);
	ck_assert_int_eq(spent(C2), 1);
	ck_assert_int_eq(spent(C3), 1);
	ck_assert_int_eq(pf_store_pow_forget(st, T2, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(pf_store_pow_forget(st, "2026-11-24T08:00:00.000001Z",
	    NULL), PF_OK);
	ck_assert_int_eq(spent(NULL), 0);
}
END_TEST

START_TEST(test_forget_without_now_uses_the_clock)
{
	long long	 n = -1;

	ck_assert_int_eq(spend(C1, T1), PF_OK);
	ck_assert_int_eq(spend(C2, "9999-12-31T23:59:59.000000Z"), PF_OK);
	ck_assert_int_eq(pf_store_pow_forget(st, NULL, &n), PF_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(spent(C2), 1);
}
END_TEST

PF_TEST_MAIN("store_guard",
    tcase_add_checked_fixture(tc, setup, teardown),
    tcase_add_test(tc, test_latest_migration_is_pow),
    tcase_add_test(tc, test_spend_once_then_replay_is_forged),
    tcase_add_test(tc, test_replay_within_one_transaction_is_forged),
    tcase_add_test(tc, test_rolled_back_spend_leaves_it_unspent),
    tcase_add_test(tc, test_spend_refuses_null),
    tcase_add_test(tc, test_forget_removes_only_expired),
    tcase_add_test(tc, test_forget_without_now_uses_the_clock))
