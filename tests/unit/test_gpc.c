/*
 * test_gpc.c -- the Global Privacy Control opt-out record (gpc.h): one
 * per device per UTC day, its categories and action from the device's
 * last record, its audit record the consent manager's; each test on a
 * fresh database made by the real migrations, through a form program's
 * app (app.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "fixture.h"
#include "app.h"
#include "consent.h"
#include "err.h"
#include "gpc.h"
#include "keys.h"
#include "store.h"

#define NOTICE	"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body>" \
		"<section id=\"consent-notice\"><p>n</p></section>" \
		"</body></html>"
#define TABLE	"required\tyes\tno\tRequired\tWorks.\tpf_consent\n" \
		"functional\tno\tno\tFunctional\tSettings.\t-\n" \
		"advertising\tno\tyes\tAdvertising\tAds.\t_ads\n"
#define DEV_A	"AAAAAAAAAAAAAAAAAAAAAA"
#define DEV_B	"BBBBBBBBBBBBBBBBBBBBBA"

static struct pf_app		 app;
static struct pf_consent_table	*t;

/* An unsubscribe program's app on a fresh site, and the table. */
static void
setup(void)
{
	char	 cwd[200], text[512], err[256];

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	snprintf(text, sizeof(text), "database = privforms.db\n"
	    "key_file = secret.key\naudit_dir = audit\n"
	    "templates = %s/htdocs\nconsent_jurisdiction = FR\n", cwd);
	pf_test_write(fx.conf, text, strlen(text));
	ck_assert_int_eq(pf_keys_create(fx.keyfile), PF_OK);
	setenv("PRIVFORMS_CONFIG", fx.conf, 1);
	ck_assert_int_eq(pf_app_open(&app, "unsubscribe"), PF_OK);
	ck_assert_int_eq(pf_consent_parse(TABLE, strlen(TABLE), "t.tsv",
	    NOTICE, strlen(NOTICE), "n.xhtml", &t, err, sizeof(err)), PF_OK);
}

static void
teardown(void)
{
	pf_consent_table_free(t);
	pf_app_close(&app);
}

/* pf_gpc_record of device in a transaction of its own, committed. */
static void
record(const char *device)
{
	ck_assert_int_eq(pf_app_begin(&app), PF_OK);
	ck_assert_int_eq(pf_gpc_record(&app, NULL, t, device), PF_OK);
	ck_assert_int_eq(pf_app_commit(&app), PF_OK);
}

/* One number sql gives from the app's store (fx.db). */
static long long
count(const char *sql)
{
	ck_assert_str_eq(app.cfg->database, fx.db);
	return pf_test_count(sql);
}

START_TEST(test_a_device_without_records_gets_a_refusal_of_sale)
{
	record(DEV_A);
	ck_assert_int_eq(count("SELECT count(*) FROM consent_record WHERE "
	    "device = '" DEV_A "' AND method = 'gpc' AND gpc = 1 AND "
	    "action = 'refused' AND allowed = 'required' AND refused = "
	    "'functional advertising' AND jurisdiction = 'FR' AND notice = "
	    "(SELECT notice FROM consent_record LIMIT 1)"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM consent_record"), 1);
}
END_TEST

START_TEST(test_a_second_signal_the_same_day_stores_nothing)
{
	record(DEV_A);
	record(DEV_A);
	record(DEV_B);
	ck_assert_int_eq(count("SELECT count(*) FROM consent_record WHERE "
	    "device = '" DEV_A "'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM consent_record WHERE "
	    "device = '" DEV_B "'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM audit"), 2);
}
END_TEST

START_TEST(test_yesterdays_record_does_not_count_for_today)
{
	record(DEV_A);
	pf_test_exec("DROP TRIGGER consent_record_append_only");
	pf_test_exec("UPDATE consent_record SET created = "
	    "'2020-01-01T00:00:00.000000Z'");
	record(DEV_A);
	ck_assert_int_eq(count("SELECT count(*) FROM consent_record WHERE "
	    "method = 'gpc'"), 2);
}
END_TEST

START_TEST(test_a_sale_category_allowed_before_is_withdrawn_the_rest_kept)
{
	struct pf_consent_record	 r = { .device = DEV_A,
	    .notice = t->version, .language = "en",
	    .allowed = "required functional advertising", .refused = "",
	    .action = "given", .method = "page", .gpc = 0,
	    .created = "2020-01-01T00:00:00.000000Z" };

	ck_assert_int_eq(pf_app_begin(&app), PF_OK);
	ck_assert_int_eq(pf_store_consent_put(app.st, &r, NULL), PF_OK);
	ck_assert_int_eq(pf_app_commit(&app), PF_OK);
	record(DEV_A);
	ck_assert_int_eq(count("SELECT count(*) FROM consent_record WHERE "
	    "method = 'gpc' AND action = 'withdrawn' AND allowed = "
	    "'required functional' AND refused = 'advertising'"), 1);
}
END_TEST

START_TEST(test_its_audit_record_is_the_consent_managers)
{
	record(DEV_A);
	ck_assert_int_eq(count("SELECT count(*) FROM audit WHERE "
	    "form = 'consent' AND event = 'consent-recorded'"), 1);
	/* The program's own records still carry its form. */
	ck_assert_str_eq(app.tx.form, "unsubscribe");
}
END_TEST

START_TEST(test_a_rollback_leaves_no_record)
{
	ck_assert_int_eq(pf_app_begin(&app), PF_OK);
	ck_assert_int_eq(pf_gpc_record(&app, NULL, t, DEV_A), PF_OK);
	pf_app_rollback(&app);
	ck_assert_int_eq(count("SELECT count(*) FROM consent_record"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM audit"), 0);
}
END_TEST

PF_TEST_MAIN("gpc",
    pf_test_fixture(tc, PF_TEST_DIR, NULL, setup, teardown),
    tcase_add_test(tc, test_a_device_without_records_gets_a_refusal_of_sale),
    tcase_add_test(tc, test_a_second_signal_the_same_day_stores_nothing),
    tcase_add_test(tc, test_yesterdays_record_does_not_count_for_today),
    tcase_add_test(tc, test_a_sale_category_allowed_before_is_withdrawn_the_rest_kept),
    tcase_add_test(tc, test_its_audit_record_is_the_consent_managers),
    tcase_add_test(tc, test_a_rollback_leaves_no_record))
