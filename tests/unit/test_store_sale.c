/*
 * test_store_sale.c -- opt-outs of sale that named a person (store.h,
 * "sale opt-outs", 011-sale-opt-out.sql): appended, walked, found by
 * address, removed; the consent records of the browsers an address tied
 * to itself; and the suppression list's new channel.  Each test on a
 * fresh database made by the real migrations.
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
#define JANE	"jane@example.com"
#define PHONE	"+13037492110"
#define T1	"2026-11-24T06:00:00.000001Z"
#define T2	"2026-11-24T07:00:00.000002Z"
#define T3	"2026-11-25T08:00:00.000003Z"
#define HASH	"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"

static long long
put(const char *channel, const char *address, const char *device,
    const char *t)
{
	const struct pf_sale_optout	 o = { .channel = channel,
	    .address = address, .device = device, .created = t,
	    .source = "form" };
	long long			 id = 0;

	ck_assert_int_eq(pf_store_sale_put(fx.st, &o, &id), PF_OK);
	return id;
}

/* What a walk saw: "channel:address:device-initial" joined. */
static int
see(const struct pf_sale_optout *o, void *arg)
{
	char	*s = arg;
	size_t	 len = strlen(s);

	ck_assert_str_eq(o->source, "form");
	snprintf(s + len, 256 - len, "%s%s:%s:%c", len > 0 ? " " : "",
	    o->channel, o->address, o->device != NULL ? o->device[0] : ' ');
	return 0;
}

START_TEST(test_put_each_since_and_of_address_oldest_first)
{
	char	 all[256] = "", since[256] = "", jane[256] = "";

	ck_assert_int_lt(put("email", JANE, DEV_A, T1),
	    put("phone", PHONE, DEV_B, T2));
	put("email", JANE, DEV_B, T3);
	/* Each person once, at their first opt-out. */
	ck_assert_int_eq(pf_store_sale_each(fx.st, NULL, see, all), PF_OK);
	ck_assert_str_eq(all, "email:" JANE ":  phone:" PHONE ": ");
	ck_assert_int_eq(pf_store_sale_each(fx.st, "2026-11-25", see, since),
	    PF_OK);
	ck_assert_str_eq(since, "email:" JANE ": ");
	ck_assert_int_eq(pf_store_sale_of(fx.st, JANE, see, jane), PF_OK);
	ck_assert_str_eq(jane, "email:" JANE ":A email:" JANE ":B");
}
END_TEST

START_TEST(test_remove_deletes_only_that_address)
{
	char		 left[256] = "";
	long long	 n = 0;

	put("email", JANE, DEV_A, T1);
	put("email", JANE, DEV_B, T2);
	put("phone", PHONE, DEV_A, T3);
	ck_assert_int_eq(pf_store_sale_remove(fx.st, JANE, &n), PF_OK);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(pf_store_sale_each(fx.st, NULL, see, left), PF_OK);
	ck_assert_str_eq(left, "phone:" PHONE ": ");
}
END_TEST

static int
count_record(const struct pf_consent_record *r, void *arg)
{
	ck_assert(strcmp(r->device, DEV_A) == 0 ||
	    strcmp(r->device, DEV_B) == 0);
	(*(int *)arg)++;
	return 0;
}

/* A consent record of device at t. */
static void
consent(const char *device, const char *t)
{
	const struct pf_consent_record	 r = { .device = device,
	    .notice = "0123456789abcdef", .language = "en",
	    .allowed = "required", .refused = "advertising",
	    .action = "refused", .method = "page", .created = t };

	ck_assert_int_eq(pf_store_consent_put(fx.st, &r, NULL), PF_OK);
}

START_TEST(test_consent_records_of_the_browsers_an_address_named)
{
	int	 jane = 0, phone = 0, nobody = 0;

	consent(DEV_A, T1);
	consent(DEV_A, T2);
	consent(DEV_B, T3);
	consent("CCCCCCCCCCCCCCCCCCCCCA", T3);
	put("email", JANE, DEV_A, T2);
	put("email", JANE, DEV_B, T3);
	put("phone", PHONE, DEV_B, T3);
	ck_assert_int_eq(pf_store_consent_of_address(fx.st, JANE,
	    count_record, &jane), PF_OK);
	ck_assert_int_eq(jane, 3);
	ck_assert_int_eq(pf_store_consent_of_address(fx.st, PHONE,
	    count_record, &phone), PF_OK);
	ck_assert_int_eq(phone, 1);
	ck_assert_int_eq(pf_store_consent_of_address(fx.st, "x@example.com",
	    count_record, &nobody), PF_OK);
	ck_assert_int_eq(nobody, 0);
}
END_TEST

/* Rows the table refuses: PF_ESTORE, nothing stored. */
static const struct {
	const char	*channel, *address, *device, *source;
} bad_rows[] = {
	{ "sms", PHONE, DEV_A, "form" },
	{ "email", JANE, "short", "form" },
	{ "email", "", DEV_A, "form" },
	{ "email", JANE, DEV_A, "one-click" },
	{ NULL, JANE, DEV_A, "form" },
};

START_TEST(test_check_constraints_refuse_bad_rows)
{
	const struct pf_sale_optout	 o = { .channel = bad_rows[_i].channel,
	    .address = bad_rows[_i].address, .device = bad_rows[_i].device,
	    .created = T1, .source = bad_rows[_i].source };
	char				 all[256] = "";

	ck_assert_int_eq(pf_store_sale_put(fx.st, &o, NULL), PF_ESTORE);
	ck_assert_int_eq(pf_store_sale_each(fx.st, NULL, see, all), PF_OK);
	ck_assert_str_eq(all, "");
}
END_TEST

START_TEST(test_rows_are_never_updated)
{
	char	 left[256] = "", *msg = NULL;
	sqlite3	*h = NULL;
	int	 rc;

	put("email", JANE, DEV_A, T1);
	ck_assert_int_eq(sqlite3_open(fx.db, &h), SQLITE_OK);
	rc = sqlite3_exec(h, "UPDATE sale_opt_out SET address = "
	    "'x@example.com'", NULL, NULL, &msg);
	ck_assert_msg(rc == SQLITE_CONSTRAINT && msg != NULL &&
	    strcmp(msg, "sale opt-outs are never changed") == 0, "%s", msg);
	sqlite3_free(msg);
	sqlite3_close(h);
	ck_assert_int_eq(pf_store_sale_each(fx.st, NULL, see, left), PF_OK);
	ck_assert_str_eq(left, "email:" JANE ": ");
}
END_TEST

/* 011 made suppression again: "sale" is a channel, the others still are. */
START_TEST(test_suppression_takes_the_sale_channel)
{
	long long	 n = 0;

	ck_assert_int_eq(pf_store_suppress_put(fx.st, "email", HASH, "sale",
	    T1), PF_OK);
	ck_assert_int_eq(pf_store_suppress_put(fx.st, "email", HASH, "email",
	    T1), PF_OK);
	ck_assert_int_eq(pf_store_suppressed(fx.st, "email", HASH, "sale"),
	    PF_OK);
	ck_assert_int_eq(pf_store_suppressed(fx.st, "phone", HASH, "sale"),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_suppress_put(fx.st, "email", HASH, "fax",
	    T1), PF_ESTORE);
	ck_assert_int_eq(pf_store_suppress_count(fx.st, &n), PF_OK);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(pf_store_sale_erased(fx.st, &n), PF_OK);
	ck_assert_int_eq(n, 1);
	/* The contact lists' count leaves the opt-out of sale out. */
	ck_assert_int_eq(pf_store_suppress_contacts(fx.st, &n), PF_OK);
	ck_assert_int_eq(n, 1);
}
END_TEST

PF_TEST_MAIN("store_sale",
    pf_test_fixture(tc, PF_TEST_STORE, NULL, NULL, NULL),
    tcase_add_test(tc, test_put_each_since_and_of_address_oldest_first),
    tcase_add_test(tc, test_remove_deletes_only_that_address),
    tcase_add_test(tc, test_consent_records_of_the_browsers_an_address_named),
    PF_LOOP(test_check_constraints_refuse_bad_rows, bad_rows),
    tcase_add_test(tc, test_rows_are_never_updated),
    tcase_add_test(tc, test_suppression_takes_the_sale_channel))
