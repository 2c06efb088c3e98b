/*
 * test_app.c -- a form program's life: opening from a configuration, and the
 * submission transaction (app.h): a record's file exists after a commit, and
 * nothing is left after a rollback.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "fixture.h"
#include "app.h"
#include "err.h"
#include "keys.h"
#include "nitems.h"

/* A pseudonym: the records need one (audit_events.def). */
#define SUBJ	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#include "store.h"

/* A configuration as PRIVFORMS_CONFIG; with_key: run what init would. */
static void
app_conf(int with_key)
{
	char	 cwd[200], text[512];

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	snprintf(text, sizeof(text), "database = privforms.db\n"
	    "key_file = secret.key\naudit_dir = audit\n"
	    "templates = %s/htdocs\nprefix = /help\n", cwd);
	pf_test_write(fx.conf, text, strlen(text));
	if (with_key)
		ck_assert_int_eq(pf_keys_create(fx.keyfile), PF_OK);
	setenv("PRIVFORMS_CONFIG", fx.conf, 1);
}

static int
count_files(const char *sub)
{
	char	 cmd[300];
	FILE	*p;
	int	 n = -1;

	snprintf(cmd, sizeof(cmd),
	    "find '%s/%s' -name '*.xml' 2>/dev/null | wc -l", fx.dir, sub);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	ck_assert_int_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

START_TEST(test_open_refuses_a_missing_key_file)
{
	struct pf_app	 app;

	app_conf(0);
	ck_assert_int_ne(pf_app_open(&app, "unsubscribe"), PF_OK);
}
END_TEST

START_TEST(test_open_reads_config_and_builds_paths_under_the_prefix)
{
	struct pf_app	 app;
	char		*p;

	app_conf(1);
	ck_assert_int_eq(pf_app_open(&app, "unsubscribe"), PF_OK);
	ck_assert_ptr_nonnull(app.st);
	ck_assert_uint_eq(app.limits.max_body, (size_t)app.cfg->max_body);
	p = pf_app_path(&app, "/unsubscribe", "?done");
	ck_assert_str_eq(p, "/help/unsubscribe?done");
	free(p);
	p = pf_app_path(&app, "/x", NULL);
	ck_assert_str_eq(p, "/help/x");
	free(p);
	pf_app_close(&app);
}
END_TEST

START_TEST(test_commit_stores_the_record_and_writes_its_file)
{
	struct pf_app	 app;
	const char	*details[] = { "list", "news", NULL };
	char		 subject[PF_HEX_DIGEST_LEN + 1];
	long long	 seq;
	char		 digest[65];

	app_conf(1);
	ck_assert_int_eq(pf_app_open(&app, "unsubscribe"), PF_OK);
	ck_assert_int_eq(pf_pseudonym(&app.keys, "email", "a@example.com",
	    subject), PF_OK);
	ck_assert_int_eq(pf_app_begin(&app), PF_OK);
	ck_assert_int_eq(pf_app_audit(&app, NULL, "unsubscribed", subject,
	    details), PF_OK);
	ck_assert_int_eq(pf_app_commit(&app), PF_OK);
	ck_assert_uint_eq(app.tx.n, 0);
	ck_assert_int_eq(pf_store_audit_last(app.st, &seq, digest), PF_OK);
	ck_assert_int_eq(seq, 1);
	ck_assert_int_eq(count_files("audit"), 1);
	pf_app_close(&app);
}
END_TEST

START_TEST(test_rollback_leaves_no_record_and_no_file)
{
	struct pf_app	 app;
	long long	 seq;
	char		 digest[65];

	app_conf(1);
	ck_assert_int_eq(pf_app_open(&app, "unsubscribe"), PF_OK);
	ck_assert_int_eq(pf_app_begin(&app), PF_OK);
	ck_assert_int_eq(pf_app_audit(&app, NULL, "unsubscribed", SUBJ, NULL),
	    PF_OK);
	pf_app_rollback(&app);
	ck_assert_uint_eq(app.tx.n, 0);
	ck_assert_int_eq(pf_store_audit_last(app.st, &seq, digest), PF_OK);
	ck_assert_int_eq(seq, 0);
	ck_assert_int_eq(count_files("audit"), 0);
	/* The connection is usable again at once. */
	ck_assert_int_eq(pf_app_begin(&app), PF_OK);
	ck_assert_int_eq(pf_app_commit(&app), PF_OK);
	pf_app_close(&app);
}
END_TEST

START_TEST(test_records_in_one_transaction_are_bounded)
{
	struct pf_app	 app;
	size_t		 i;

	app_conf(1);
	ck_assert_int_eq(pf_app_open(&app, "unsubscribe"), PF_OK);
	ck_assert_int_eq(pf_app_begin(&app), PF_OK);
	for (i = 0; i < PF_TXN_MAX_RECORDS; i++)
		ck_assert_int_eq(pf_app_audit(&app, NULL, "unsubscribed", SUBJ,
		    NULL), PF_OK);
	ck_assert_int_eq(pf_app_audit(&app, NULL, "unsubscribed", SUBJ, NULL),
	    PF_ETOOBIG);
	ck_assert_int_eq(pf_app_commit(&app), PF_OK);
	ck_assert_int_eq(count_files("audit"), PF_TXN_MAX_RECORDS);
	pf_app_close(&app);
}
END_TEST

START_TEST(test_open_deferred_opens_the_store_at_the_first_transaction)
{
	struct pf_app	 app;
	struct stat	 sb;
	long long	 seq;
	char		 digest[65];

	app_conf(1);
	ck_assert_int_eq(pf_app_open_deferred(&app, "unsubscribe"), PF_OK);
	ck_assert_ptr_null(app.st);
	ck_assert_int_eq(app.cfg->database[0], '/');
	ck_assert_int_ne(stat(app.cfg->database, &sb), 0);
	ck_assert_int_eq(pf_app_begin(&app), PF_OK);
	ck_assert_ptr_nonnull(app.st);
	ck_assert_int_eq(pf_app_audit(&app, NULL, "unsubscribed", SUBJ, NULL),
	    PF_OK);
	ck_assert_int_eq(pf_app_commit(&app), PF_OK);
	ck_assert_int_eq(pf_store_audit_last(app.st, &seq, digest), PF_OK);
	ck_assert_int_eq(seq, 1);
	pf_app_close(&app);
}
END_TEST

/* A committing hook that fails: the commit it runs in fails with it. */
static int
committing_fails(struct pf_app *app, void *arg)
{
	(void)app;
	(void)arg;
	return PF_EBUSY;
}

/*
 * pf_app_end: the steps' PF_OK commits; their failure, or the commit's,
 * rolls back and is what it returns.
 */
START_TEST(test_end_commits_only_what_went_well)
{
	static const struct {
		int		 steps;		/* how the steps went */
		int		(*hook)(struct pf_app *, void *);
		int		 rc;		/* what pf_app_end says */
		long long	 seq;		/* the last record after it */
	} t[] = {
		{ PF_EINVAL, NULL, PF_EINVAL, 0 },
		{ PF_OK, committing_fails, PF_EBUSY, 0 },
		{ PF_OK, NULL, PF_OK, 1 },
	};
	struct pf_app	 app;
	long long	 seq;
	char		 digest[65];
	size_t		 i;

	app_conf(1);
	ck_assert_int_eq(pf_app_open(&app, "unsubscribe"), PF_OK);
	for (i = 0; i < nitems(t); i++) {
		app.committing = t[i].hook;
		ck_assert_int_eq(pf_app_begin(&app), PF_OK);
		ck_assert_int_eq(pf_app_audit(&app, NULL, "unsubscribed", SUBJ,
		    NULL), PF_OK);
		ck_assert_msg(pf_app_end(&app, t[i].steps) == t[i].rc,
		    "case %zu: outcome", i);
		ck_assert_msg(app.tx.n == 0, "case %zu: records left", i);
		ck_assert_int_eq(pf_store_audit_last(app.st, &seq, digest),
		    PF_OK);
		ck_assert_msg(seq == t[i].seq, "case %zu: last record %lld", i,
		    seq);
		ck_assert_msg(count_files("audit") == (int)t[i].seq,
		    "case %zu: files", i);
	}
	pf_app_close(&app);
}
END_TEST

/* A committing hook that appends one record and counts its runs. */
static int
committing_once(struct pf_app *app, void *arg)
{
	++*(int *)arg;
	return pf_app_audit(app, NULL, "unsubscribed", SUBJ, NULL);
}

START_TEST(test_committing_runs_in_each_commit_until_one_succeeds)
{
	struct pf_app	 app;
	long long	 seq;
	char		 digest[65];
	int		 runs = 0;

	app_conf(1);
	ck_assert_int_eq(pf_app_open(&app, "unsubscribe"), PF_OK);
	app.committing = committing_once;
	app.committing_arg = &runs;
	ck_assert_int_eq(pf_app_begin(&app), PF_OK);
	pf_app_rollback(&app);
	ck_assert_int_eq(runs, 0);	/* a rollback never runs it */
	ck_assert_ptr_nonnull(app.committing);
	ck_assert_int_eq(pf_app_begin(&app), PF_OK);
	ck_assert_int_eq(pf_app_commit(&app), PF_OK);
	ck_assert_ptr_null(app.committing);
	ck_assert_int_eq(pf_app_begin(&app), PF_OK);
	ck_assert_int_eq(pf_app_commit(&app), PF_OK);
	ck_assert_int_eq(runs, 1);
	ck_assert_int_eq(pf_store_audit_last(app.st, &seq, digest), PF_OK);
	ck_assert_int_eq(seq, 1);
	pf_app_close(&app);
}
END_TEST

START_TEST(test_a_device_made_for_the_request_is_the_handlers_too)
{
	struct pf_app	 app;
	char		 a[PF_CONSENT_DEVICE_LEN + 1], b[sizeof(a)];

	app_conf(1);
	ck_assert_int_eq(pf_app_open(&app, "unsubscribe"), PF_OK);
	ck_assert_int_eq(pf_app_device_new(&app, a), PF_OK);
	ck_assert_int_eq(pf_app_device_new(&app, b), PF_OK);
	ck_assert_str_eq(a, b);
	ck_assert_uint_eq(strlen(a), PF_CONSENT_DEVICE_LEN);
	app.device[0] = '\0';	/* the next request */
	ck_assert_int_eq(pf_app_device_new(&app, b), PF_OK);
	ck_assert_str_ne(a, b);
	pf_app_close(&app);
}
END_TEST

PF_TEST_MAIN("app",
    pf_test_fixture(tc, PF_TEST_DIR, NULL, NULL, NULL),
    tcase_add_test(tc, test_open_refuses_a_missing_key_file),
    tcase_add_test(tc, test_open_reads_config_and_builds_paths_under_the_prefix),
    tcase_add_test(tc, test_commit_stores_the_record_and_writes_its_file),
    tcase_add_test(tc, test_rollback_leaves_no_record_and_no_file),
    tcase_add_test(tc, test_records_in_one_transaction_are_bounded),
    tcase_add_test(tc, test_open_deferred_opens_the_store_at_the_first_transaction),
    tcase_add_test(tc, test_committing_runs_in_each_commit_until_one_succeeds),
    tcase_add_test(tc, test_end_commits_only_what_went_well),
    tcase_add_test(tc, test_a_device_made_for_the_request_is_the_handlers_too))
