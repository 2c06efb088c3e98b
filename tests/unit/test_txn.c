/* test_txn.c -- a transaction and its audit records (txn.h). */
#include "check_main.h"
#include "fixture.h"
#include "err.h"
#include "store.h"
#include "txn.h"

/* The record appended and committed; the transaction over. */
START_TEST(test_audit_commit_records_and_commits)
{
	struct pf_txn	 t;
	const char	*details[] = { "what", "lists-export", "rows", "3",
	    NULL };

	ck_assert_int_eq(pf_txn_begin(&t, fx.st, fx.audit, "admin"), PF_OK);
	ck_assert_int_eq(pf_txn_audit_commit(&t, NULL, "personal-data-read",
	    NULL, details), PF_OK);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM audit WHERE "
	    "event = 'personal-data-read'"), 1);
	/* Not left in the transaction: another begins. */
	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	pf_store_rollback(fx.st);
}
END_TEST

/*
 * A record that cannot be made (its subject no pseudonym) ends the
 * transaction too: rolled back, with the records appended before it.
 */
START_TEST(test_audit_commit_rolls_back_when_the_record_fails)
{
	struct pf_txn	 t;

	ck_assert_int_eq(pf_txn_begin(&t, fx.st, fx.audit, "admin"), PF_OK);
	ck_assert_int_eq(pf_txn_audit(&t, NULL, "audit-key-rotated", NULL,
	    NULL), PF_OK);
	ck_assert_int_eq(pf_txn_audit_commit(&t, NULL, "dnc-removed",
	    "not a pseudonym", NULL), PF_EINVAL);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM audit"), 0);
	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	pf_store_rollback(fx.st);
}
END_TEST

PF_TEST_MAIN("txn",
    pf_test_fixture(tc, PF_TEST_STORE, NULL, NULL, NULL),
    tcase_add_test(tc, test_audit_commit_records_and_commits),
    tcase_add_test(tc, test_audit_commit_rolls_back_when_the_record_fails))
