/*
 * test_store_copy.c -- lib/store_copy.c on SQLite: every table of the
 * schema is in one of the lists (a table a new migration adds must be put
 * there, or the copy would leave it behind), and a copy between two
 * databases carries every row as it is, bytes and ids, with the table a
 * trigger writes counted once, and every row once across its batches.  tests/unit/test_store_pg.c does the same
 * on PostgreSQL, and tests/integration/test_migrate.py the whole move.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "check_main.h"
#include "err.h"
#include "fixture.h"
#include "store.h"

/* The bytes of an audit record: a backslash, a NUL-free non-ASCII run. */
#define XML_HEX	"3c7265636f72643e5c78ffc3a93c2f7265636f72643e"

static char		 target[PF_TEST_PATH];
static struct pf_store	*to;

static void
target_open(void)
{
	struct pf_store_opts	 o = { target, NULL, 0 };

	pf_test_path(target, sizeof(target), "target.db");
	ck_assert_int_eq(pf_store_open(&o, &to), PF_OK);
}

static void
target_close(void)
{
	pf_store_close(to);
	to = NULL;
}

/* One number sql gives on the target. */
static long long
target_count(const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	long long	 n;

	ck_assert_int_eq(sqlite3_open(target, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

START_TEST(test_every_table_is_in_a_list)
{
	char	 why[160] = "";

	ck_assert_msg(pf_store_tables_check(fx.st, why, sizeof(why)) == PF_OK,
	    "%s", why);
}
END_TEST

START_TEST(test_a_table_in_no_list_is_refused)
{
	char	 why[160] = "";

	pf_test_exec("CREATE TABLE newly_added (x INTEGER)");
	ck_assert_int_eq(pf_store_tables_check(fx.st, why, sizeof(why)),
	    PF_ECONFIG);
	ck_assert_str_eq(why, "table newly_added is in no list of "
	    "store_copy.c");
}
END_TEST

/* Every table from fx.st into to, as privforms migrate does. */
static void
copy_all(void)
{
	const char *const *t;

	ck_assert_int_eq(pf_store_begin_read(fx.st), PF_OK);
	ck_assert_int_eq(pf_store_begin(to), PF_OK);
	for (t = pf_store_tables; *t != NULL; t++)
		ck_assert_int_eq(pf_store_table_copy(fx.st, to, *t, NULL),
		    PF_OK);
	ck_assert_int_eq(pf_store_commit(to), PF_OK);
	pf_store_rollback(fx.st);
}

START_TEST(test_a_copy_carries_bytes_ids_and_one_tally)
{
	long long	 rows = -1;

	pf_test_exec("INSERT INTO audit (seq, time, event, form, prev, digest, "
	    "xml) VALUES (1, '2026-11-24T06:00:00Z', 'unsubscribed', "
	    "'unsubscribe', 'p', 'd', X'" XML_HEX "')");
	pf_test_exec("INSERT INTO feedback (id, type, message, rating, "
	    "created, updated) VALUES (7, 'question', NULL, 3, "
	    "'2026-11-24T06:00:00Z', '2026-11-24T06:00:00Z')");
	copy_all();
	ck_assert_int_eq(target_count("SELECT count(*) FROM audit WHERE "
	    "xml = X'" XML_HEX "'"), 1);
	/* Copied once with the audit row's trigger, then replaced. */
	ck_assert_int_eq(target_count("SELECT n FROM audit_count"), 1);
	ck_assert_int_eq(target_count("SELECT count(*) FROM feedback WHERE "
	    "id = 7 AND message IS NULL AND rating = 3"), 1);
	ck_assert_int_eq(target_count("SELECT seq FROM sqlite_sequence "
	    "WHERE name = 'feedback'"), 7);
	ck_assert_int_eq(pf_store_table_rows(to, "feedback", &rows), PF_OK);
	ck_assert_int_eq(rows, 1);
}
END_TEST

/*
 * A table of one batch and one row, and of two batches less one (the
 * last batch sent in each smaller size): every row once, each as it was.
 * Each row's values say its id, so a row written from another's values,
 * lost or written twice at a batch's end shows.
 */
START_TEST(test_a_copy_keeps_every_row_at_a_batch_boundary)
{
	static const long long	 n[] = { PF_STORE_COPY_BATCH + 1,
	    2 * PF_STORE_COPY_BATCH - 1 };
	char			 sql[512];
	long long		 rows = -1;

	snprintf(sql, sizeof(sql), "WITH RECURSIVE i(id) AS (SELECT 1 UNION "
	    "ALL SELECT id + 1 FROM i WHERE id < %lld) INSERT INTO feedback "
	    "(id, type, message, rating, created, updated) SELECT id, "
	    "'question', 'row ' || id, id %% 5 + 1, '2026-11-24T06:00:00Z', "
	    "'2026-11-24T06:00:00Z' FROM i", n[_i]);
	pf_test_exec(sql);
	ck_assert_int_eq(pf_store_begin_read(fx.st), PF_OK);
	ck_assert_int_eq(pf_store_begin(to), PF_OK);
	ck_assert_int_eq(pf_store_table_copy(fx.st, to, "feedback", &rows),
	    PF_OK);
	ck_assert_int_eq(pf_store_commit(to), PF_OK);
	pf_store_rollback(fx.st);
	ck_assert_int_eq(rows, n[_i]);
	ck_assert_int_eq(target_count("SELECT count(*) FROM feedback"), n[_i]);
	ck_assert_int_eq(target_count("SELECT count(DISTINCT id) FROM feedback "
	    "WHERE message = 'row ' || id AND rating = id % 5 + 1 AND "
	    "id BETWEEN 1 AND (SELECT count(*) FROM feedback)"), n[_i]);
}
END_TEST

START_TEST(test_only_the_sites_tables_are_copied)
{
	ck_assert_int_eq(pf_store_table_copy(fx.st, to, "sqlite_master", NULL),
	    PF_EINVAL);
	ck_assert_int_eq(pf_store_table_copy(fx.st, to, "audit; DROP", NULL),
	    PF_EINVAL);
}
END_TEST

PF_TEST_MAIN("store_copy",
    pf_test_fixture(tc, PF_TEST_STORE, NULL, target_open, target_close),
    tcase_add_test(tc, test_every_table_is_in_a_list),
    tcase_add_test(tc, test_a_table_in_no_list_is_refused),
    tcase_add_test(tc, test_a_copy_carries_bytes_ids_and_one_tally),
    tcase_add_loop_test(tc, test_a_copy_keeps_every_row_at_a_batch_boundary,
	0, 2),
    tcase_add_test(tc, test_only_the_sites_tables_are_copied))
