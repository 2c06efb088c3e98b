/*
 * test_store_consent.c -- consent records (store.h, 009-consent.sql),
 * each test on a fresh database made by the real migrations.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "check_main.h"
#include "fixture.h"
#include "err.h"
#include "nitems.h"
#include "store.h"

#define DEV_A	"AAAAAAAAAAAAAAAAAAAAAA"
#define DEV_B	"BBBBBBBBBBBBBBBBBBBBBA"
#define NOTICE	"0123456789abcdef"
#define T1	"2026-11-24T06:00:00.000001Z"
#define T2	"2026-11-24T07:00:00.000002Z"
#define T3	"2026-11-25T08:00:00.000003Z"

/* A record of device by method with action, the rest fixed. */
static struct pf_consent_record
rec(const char *device, const char *action, const char *method)
{
	struct pf_consent_record	 r = { .device = device,
	    .notice = NOTICE, .language = "en", .allowed = "required",
	    .refused = "functional advertising", .action = action,
	    .method = method, .gpc = 0, .jurisdiction = NULL };

	return r;
}

/* r made at time t, for a put. */
static const struct pf_consent_record *
stamp(struct pf_consent_record *r, const char *t)
{
	r->created = t;
	return r;
}

/* What a walk saw: the actions joined, the last record's fields. */
struct seen {
	char		 actions[256];
	char		 created[32], allowed[64], refused[64];
	char		 jurisdiction[8], method[16];
	long long	 id;
	int		 gpc, n;
};

static int
see(const struct pf_consent_record *r, void *arg)
{
	struct seen	*s = arg;
	size_t		 len = strlen(s->actions);

	snprintf(s->actions + len, sizeof(s->actions) - len, "%s%s",
	    len > 0 ? " " : "", r->action);
	snprintf(s->created, sizeof(s->created), "%s", r->created);
	snprintf(s->allowed, sizeof(s->allowed), "%s", r->allowed);
	snprintf(s->refused, sizeof(s->refused), "%s", r->refused);
	snprintf(s->method, sizeof(s->method), "%s", r->method);
	snprintf(s->jurisdiction, sizeof(s->jurisdiction), "%s",
	    r->jurisdiction != NULL ? r->jurisdiction : "(null)");
	s->id = r->id;
	s->gpc = r->gpc;
	s->n++;
	return 0;
}

START_TEST(test_put_appends_history_and_last_is_newest)
{
	struct pf_consent_record	 r = rec(DEV_A, "refused", "page");
	struct seen			 s = { 0 };
	long long			 id1, id2;

	ck_assert_int_eq(pf_store_consent_put(fx.st, stamp(&r, T1), &id1), PF_OK);
	r = rec(DEV_A, "changed", "page");
	r.allowed = "required advertising";
	r.refused = "functional";
	r.gpc = 1;
	r.jurisdiction = "DE";
	ck_assert_int_eq(pf_store_consent_put(fx.st, stamp(&r, T2), &id2), PF_OK);
	ck_assert_int_gt(id2, id1);
	ck_assert_int_eq(pf_store_consent_last(fx.st, DEV_A, see, &s), PF_OK);
	ck_assert_int_eq(s.id, id2);
	ck_assert_str_eq(s.actions, "changed");
	ck_assert_str_eq(s.allowed, "required advertising");
	ck_assert_str_eq(s.refused, "functional");
	ck_assert_str_eq(s.jurisdiction, "DE");
	ck_assert_int_eq(s.gpc, 1);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM consent_record"),
	    2);
}
END_TEST

START_TEST(test_last_of_unknown_device_is_not_found)
{
	struct seen	 s = { 0 };

	ck_assert_int_eq(pf_store_consent_last(fx.st, DEV_B, see, &s),
	    PF_ENOTFOUND);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

START_TEST(test_count_by_method_since)
{
	struct pf_consent_record	 g = rec(DEV_A, "withdrawn", "gpc");
	struct pf_consent_record	 p = rec(DEV_A, "given", "page");
	long long			 n = -1;

	ck_assert_int_eq(pf_store_consent_put(fx.st, stamp(&g, T1), NULL), PF_OK);
	ck_assert_int_eq(pf_store_consent_put(fx.st, stamp(&p, T2), NULL), PF_OK);
	ck_assert_int_eq(pf_store_consent_count(fx.st, DEV_A, "gpc",
	    "2026-11-24", &n), PF_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(pf_store_consent_count(fx.st, DEV_A, "gpc",
	    "2026-11-25", &n), PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(pf_store_consent_count(fx.st, DEV_B, "gpc",
	    "2026-11-24", &n), PF_OK);
	ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(test_each_since_oldest_first_and_purge)
{
	struct pf_consent_record	 r = rec(DEV_A, "given", "page");
	struct seen			 s = { 0 };
	long long			 n = -1;

	ck_assert_int_eq(pf_store_consent_put(fx.st, stamp(&r, T3), NULL), PF_OK);
	r = rec(DEV_B, "refused", "dialog");
	ck_assert_int_eq(pf_store_consent_put(fx.st, stamp(&r, T1), NULL), PF_OK);
	r = rec(DEV_A, "withdrawn", "gpc");
	ck_assert_int_eq(pf_store_consent_put(fx.st, stamp(&r, T2), NULL), PF_OK);
	ck_assert_int_eq(pf_store_consent_each(fx.st, NULL, see, &s), PF_OK);
	ck_assert_str_eq(s.actions, "refused withdrawn given");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(pf_store_consent_each(fx.st, "2026-11-24T07", see,
	    &s), PF_OK);
	ck_assert_str_eq(s.actions, "withdrawn given");
	ck_assert_int_eq(pf_store_consent_purge(fx.st, "2026-11-25", &n), PF_OK);
	ck_assert_int_eq(n, 2);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(pf_store_consent_each(fx.st, NULL, see, &s), PF_OK);
	ck_assert_str_eq(s.actions, "given");
	ck_assert_str_eq(s.created, T3);
}
END_TEST

/* The table refuses what a record may not be. */
static const struct {
	const char	*device, *action, *method, *jurisdiction;
	int		 gpc;
} bad_records[] = {
	{ DEV_A, "accepted", "page", NULL, 0 },
	{ DEV_A, "given", "banner", NULL, 0 },
	{ "short", "given", "page", NULL, 0 },
	{ DEV_A, "given", "page", "DEU", 0 },
	{ DEV_A, "given", "page", NULL, 2 },
	{ NULL, "given", "page", NULL, 0 },
};

START_TEST(test_check_constraints_refuse_bad_records)
{
	struct pf_consent_record	 r = rec(bad_records[_i].device,
	    bad_records[_i].action, bad_records[_i].method);

	r.jurisdiction = bad_records[_i].jurisdiction;
	r.gpc = bad_records[_i].gpc;
	ck_assert_int_eq(pf_store_consent_put(fx.st, stamp(&r, T1), NULL), PF_ESTORE);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM consent_record"),
	    0);
}
END_TEST

START_TEST(test_records_are_never_updated)
{
	struct pf_consent_record	 r = rec(DEV_A, "given", "page");
	struct seen			 s = { 0 };
	sqlite3				*h = NULL;
	char				*msg = NULL;

	ck_assert_int_eq(pf_store_consent_put(fx.st, stamp(&r, T1), NULL), PF_OK);
	ck_assert_int_eq(sqlite3_open(fx.db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, "UPDATE consent_record SET "
	    "action = 'withdrawn'", NULL, NULL, &msg), SQLITE_CONSTRAINT);
	ck_assert_str_eq(msg, "consent records are never changed");
	sqlite3_free(msg);
	sqlite3_close(h);
	ck_assert_int_eq(pf_store_consent_last(fx.st, DEV_A, see, &s), PF_OK);
	ck_assert_str_eq(s.actions, "given");
}
END_TEST

PF_TEST_MAIN("store_consent",
    pf_test_fixture(tc, PF_TEST_STORE, NULL, NULL, NULL),
    tcase_add_test(tc, test_put_appends_history_and_last_is_newest),
    tcase_add_test(tc, test_last_of_unknown_device_is_not_found),
    tcase_add_test(tc, test_count_by_method_since),
    tcase_add_test(tc, test_each_since_oldest_first_and_purge),
    PF_LOOP(test_check_constraints_refuse_bad_records, bad_records),
    tcase_add_test(tc, test_records_are_never_updated))
