/*
 * test_store_retention.c -- reducing closed requests to what the metrics
 * need (store.h, "retention"; 014-request-reduced.sql).
 */
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "fixture.h"
#include "err.h"
#include "store.h"
#include "utc.h"

#define T1 "2024-03-01T06:00:00.000001Z"
#define T2 "2024-03-02T07:00:00.000002Z"
#define T3 "2024-03-03T08:00:00.000003Z"
#define T4 "2024-03-04T09:00:00.000004Z"
#define NOW "2026-12-05T06:30:00.000000Z"
#define KEY_A "ann@example.com"
#define KEY_B "bob@example.org"
#define H1 "1111111111111111111111111111111111111111111111111111111111111111"

/* A request of key, received at received, with every personal field. */
static long long
put(const char *key, const char *received)
{
	struct pf_dsr	 r = {
		.type = "access", .relationship = "customer",
		.organisation = "Analytical Engines Ltd",
		.first_name = "Ann", .last_name = "Example",
		.email = key, .email_key = key, .subject = H1,
		.country = "US", .state = "CA", .law = "CCPA",
		.details = "Everything, please.", .received = received,
		.due = "2024-04-15", .acknowledge = "2024-03-14",
		.extension = "45 days",
		.verify_by = "2024-03-08T06:00:00.000000Z",
	};
	long long	 id = 0;

	ck_assert_int_eq(pf_store_dsr_put(fx.st, &r, received, &id), PF_OK);
	return id;
}

/* put, verified by key's party at received: its id. */
static long long
verified(const char *key, const char *received)
{
	long long	 id = put(key, received), party = 0;

	ck_assert_int_eq(pf_store_party_ensure(fx.st, key, received, &party),
	    PF_OK);
	ck_assert_int_eq(pf_store_dsr_verify(fx.st, id, party, received),
	    PF_OK);
	return id;
}

/* verified, then fulfilled with a note at closed. */
static long long
fulfilled(const char *key, const char *received, const char *closed)
{
	long long	 id = verified(key, received);

	ck_assert_int_eq(pf_store_dsr_set_status(fx.st, id, "verified",
	    "fulfilled", "Sent to 12 Acacia Avenue", closed), PF_OK);
	return id;
}

/* One number of request id's row or history: sql has %lld for id. */
static long long
count_of(const char *sql, long long id)
{
	char	 q[512];

	snprintf(q, sizeof(q), sql, id);
	return pf_test_count(q);
}

/* 1 if request id holds no personal field and its history no note. */
static int
is_reduced(long long id)
{
	return count_of("SELECT count(*) FROM request WHERE id = %lld AND "
	    "organisation IS NULL AND first_name IS NULL AND last_name IS NULL "
	    "AND email IS NULL AND email_key IS NULL AND details IS NULL AND "
	    "party IS NULL AND reduced IS NOT NULL", id) == 1 &&
	    count_of("SELECT count(*) FROM request_event WHERE request = %lld "
	    "AND note IS NOT NULL", id) == 0;
}

/* 1 if request id holds every personal field it was put with. */
static int
is_whole(long long id)
{
	return count_of("SELECT count(*) FROM request WHERE id = %lld AND "
	    "organisation IS NOT NULL AND first_name IS NOT NULL AND "
	    "last_name IS NOT NULL AND email IS NOT NULL AND email_key IS NOT "
	    "NULL AND details IS NOT NULL AND reduced IS NULL", id) == 1;
}

static long long
reduce(const char *before, int limit)
{
	long long	 n = -1;

	ck_assert_int_eq(pf_store_dsr_reduce(fx.st, before, NOW, limit, &n),
	    PF_OK);
	return n;
}

START_TEST(test_reduce_clears_the_personal_data_and_keeps_the_metrics)
{
	long long	 id = fulfilled(KEY_A, T1, T2);
	char		 when[PF_TIME_SIZE];

	ck_assert_int_eq(pf_store_dsr_reduced(fx.st, id, when), PF_ENOTFOUND);
	ck_assert_int_eq(reduce(T3, 10), 1);
	ck_assert(is_reduced(id));
	/* What the report and the law's terms read, unchanged. */
	ck_assert_int_eq(count_of("SELECT count(*) FROM request WHERE "
	    "id = %lld AND type = 'access' AND status = 'fulfilled' AND "
	    "country = 'US' AND state = 'CA' AND law = 'CCPA' AND received = '"
	    T1 "' AND due = '2024-04-15' AND updated = '" T2 "' AND subject = '"
	    H1 "' AND relationship = 'customer'", id), 1);
	ck_assert_int_eq(count_of("SELECT count(*) FROM request_event WHERE "
	    "request = %lld", id), 3);
	ck_assert_int_eq(count_of("SELECT count(*) FROM request_event WHERE "
	    "request = %lld AND status = 'fulfilled' AND time = '" T2 "'", id),
	    1);
	/* The party's address went with its last request. */
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM party WHERE "
	    "email IS NOT NULL"), 0);
	ck_assert_int_eq(pf_store_dsr_reduced(fx.st, id, when), PF_OK);
	ck_assert_str_eq(when, NOW);
}
END_TEST

START_TEST(test_reduce_clears_the_agents_name_and_address)
{
	static const struct pf_dsr_agent a = { .name = "Agency Ltd",
	    .email = "agent@example.net", .relationship = "authorised-agent" };
	long long	 id = verified(KEY_A, T1), open = put(KEY_B, T1);

	ck_assert_int_eq(pf_store_agent_set(fx.st, id, &a), PF_OK);
	ck_assert_int_eq(pf_store_agent_set(fx.st, open, &a), PF_OK);
	ck_assert_int_eq(pf_store_dsr_deny(fx.st, id, "verified",
	    "manifestly-unfounded", T2), PF_OK);
	ck_assert_int_eq(reduce(T3, 10), 1);
	ck_assert_int_eq(count_of("SELECT count(*) FROM request_agent WHERE "
	    "request = %lld AND name IS NULL AND email IS NULL AND "
	    "relationship = 'authorised-agent'", id), 1);
	/* The open request's agent is untouched. */
	ck_assert_int_eq(count_of("SELECT count(*) FROM request_agent WHERE "
	    "request = %lld AND name = 'Agency Ltd'", open), 1);
}
END_TEST

/* An open appeal keeps a denied request open; a decided one is closed. */
START_TEST(test_reduce_waits_for_an_appeal_and_clears_its_reason)
{
	long long	 open = verified(KEY_A, T1), decided = verified(KEY_B, T1);

	ck_assert_int_eq(pf_store_dsr_deny(fx.st, open, "verified",
	    "no-data-held", T2), PF_OK);
	ck_assert_int_eq(pf_store_dsr_deny(fx.st, decided, "verified",
	    "no-data-held", T2), PF_OK);
	ck_assert_int_eq(pf_store_dsr_appeal(fx.st, open, "2024-04-20",
	    "I am a customer.", T2), PF_OK);
	ck_assert_int_eq(pf_store_dsr_appeal(fx.st, decided, "2024-04-20",
	    "I am a customer.", T2), PF_OK);
	ck_assert_int_eq(pf_store_dsr_appeal_decide(fx.st, decided, 0,
	    "no-data-held", T2), PF_OK);
	ck_assert_int_eq(reduce(T3, 10), 1);
	ck_assert(is_whole(open));
	ck_assert(is_reduced(decided));
	ck_assert_int_eq(count_of("SELECT count(*) FROM request WHERE "
	    "id = %lld AND appeal_reason IS NULL AND appeal = 'denied'",
	    decided), 1);
}
END_TEST

/*
 * A request's mail that never went (a failed one waits for a requeue with
 * its address and values) goes with the request; another request's mail,
 * and a sent one (already blanked), stay.
 */
START_TEST(test_reduce_drops_the_requests_unsent_mail)
{
	long long	 id = fulfilled(KEY_A, T1, T2), open = verified(KEY_A, T1);
	char		 mine[64], other[64];

	snprintf(mine, sizeof(mine), "id=%lld&first_name=Ann", id);
	snprintf(other, sizeof(other), "id=%lld&first_name=Ann", open);
	ck_assert_int_eq(pf_store_outbox_put(fx.st, "request-fulfilled",
	    KEY_A, mine, H1, "en", T2, NULL), PF_OK);
	ck_assert_int_eq(pf_store_outbox_put(fx.st, "request-agent-update",
	    "agent@example.net", mine, H1, "en", T2, NULL), PF_OK);
	ck_assert_int_eq(pf_store_outbox_put(fx.st, "request-verified",
	    KEY_A, other, H1, "en", T2, NULL), PF_OK);
	pf_test_exec("UPDATE outbox SET state = 'failed'");
	ck_assert_int_eq(reduce(T3, 10), 1);
	ck_assert(is_reduced(id));
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM outbox WHERE "
	    "vals LIKE '%Ann%'"), 1);
	ck_assert_int_eq(count_of("SELECT count(*) FROM outbox WHERE "
	    "vals = 'id=%lld&first_name=Ann'", open), 1);
}
END_TEST

START_TEST(test_reduce_keeps_a_denials_reason)
{
	long long	 id = verified(KEY_A, T1);

	ck_assert_int_eq(pf_store_dsr_deny(fx.st, id, "verified",
	    "manifestly-unfounded", T2), PF_OK);
	ck_assert_int_eq(reduce(T3, 10), 1);
	ck_assert(is_reduced(id));
	ck_assert_int_eq(count_of("SELECT count(*) FROM request_event WHERE "
	    "request = %lld AND status = 'denied' AND reason = "
	    "'manifestly-unfounded' AND time = '" T2 "'", id), 1);
}
END_TEST

/* Open ones (unverified, verified, extended), and one closed since. */
START_TEST(test_reduce_never_touches_open_or_younger_requests)
{
	long long	 unverified = put(KEY_A, T1);
	long long	 open = verified(KEY_B, T1);
	long long	 extended = verified("cy@example.net", T1);
	long long	 young = fulfilled("di@example.net", T1, T3);
	long long	 at = fulfilled("ed@example.net", T1, T2);

	ck_assert_int_eq(pf_store_dsr_extend(fx.st, extended, "2024-05-30",
	    "More time", T1), PF_OK);
	/* Closed at the bound itself is not before it: kept. */
	ck_assert_int_eq(reduce(T2, 10), 0);
	ck_assert_int_eq(reduce(T3, 10), 1);
	ck_assert(is_reduced(at));
	ck_assert(is_whole(unverified));
	ck_assert(is_whole(open));
	ck_assert(is_whole(extended));
	ck_assert(is_whole(young));
	ck_assert_int_eq(count_of("SELECT count(*) FROM request_event WHERE "
	    "request = %lld AND note = 'More time'", extended), 1);
}
END_TEST

START_TEST(test_reduce_twice_changes_nothing)
{
	long long	 id = fulfilled(KEY_A, T1, T2);
	char		 when[PF_TIME_SIZE];
	long long	 n = -1;

	ck_assert_int_eq(reduce(T3, 10), 1);
	ck_assert_int_eq(pf_store_dsr_reduce(fx.st, T4, "2027-01-01T00:00:00."
	    "000000Z", 10, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(pf_store_dsr_reduced(fx.st, id, when), PF_OK);
	ck_assert_str_eq(when, NOW);
}
END_TEST

/* Another request with the party's address keeps it, open or closed later. */
START_TEST(test_reduce_keeps_a_party_address_another_request_has)
{
	long long	 old = fulfilled(KEY_A, T1, T2);
	long long	 later = verified(KEY_A, T2);

	ck_assert_int_eq(reduce(T3, 10), 1);
	ck_assert(is_reduced(old));
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM party WHERE "
	    "email = '" KEY_A "'"), 1);
	ck_assert_int_eq(pf_store_dsr_set_status(fx.st, later, "verified",
	    "fulfilled", NULL, T3), PF_OK);
	ck_assert_int_eq(reduce(T4, 10), 1);
	ck_assert(is_reduced(later));
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM party WHERE "
	    "email IS NOT NULL"), 0);
}
END_TEST

START_TEST(test_reduce_takes_at_most_limit_oldest_first)
{
	long long	 b = fulfilled(KEY_B, T1, T3);
	long long	 a = fulfilled(KEY_A, T1, T2);
	long long	 c = fulfilled("cy@example.net", T1, T3);
	long long	 n = -1;

	ck_assert_int_eq(reduce(T4, 2), 2);
	ck_assert(is_reduced(a));
	ck_assert(is_reduced(b));
	ck_assert(is_whole(c));
	ck_assert_int_eq(reduce(T4, 2), 1);
	ck_assert(is_reduced(c));
	ck_assert_int_eq(pf_store_dsr_reduce(fx.st, T4, NOW, 0, &n),
	    PF_EINVAL);
	ck_assert_int_eq(pf_store_dsr_reduce(fx.st, T4, NOW,
	    PF_DSR_REDUCE_MAX + 1, &n), PF_EINVAL);
}
END_TEST

/* Rolled back with the caller's transaction: the request whole again. */
START_TEST(test_reduce_rolled_back_leaves_it_whole)
{
	long long	 id = fulfilled(KEY_A, T1, T2);

	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(reduce(T3, 10), 1);
	pf_store_rollback(fx.st);
	ck_assert(is_whole(id));
	ck_assert_int_eq(count_of("SELECT count(*) FROM request_event WHERE "
	    "request = %lld AND note IS NOT NULL", id), 1);
}
END_TEST

START_TEST(test_reduced_of_no_request_is_not_found)
{
	char	 when[PF_TIME_SIZE];

	ck_assert_int_eq(pf_store_dsr_reduced(fx.st, 4711, when),
	    PF_ENOTFOUND);
}
END_TEST

PF_TEST_MAIN("store_retention",
    pf_test_fixture(tc, PF_TEST_STORE, NULL, NULL, NULL),
    tcase_add_test(tc,
    test_reduce_clears_the_personal_data_and_keeps_the_metrics),
    tcase_add_test(tc, test_reduce_clears_the_agents_name_and_address),
    tcase_add_test(tc, test_reduce_waits_for_an_appeal_and_clears_its_reason),
    tcase_add_test(tc, test_reduce_drops_the_requests_unsent_mail),
    tcase_add_test(tc, test_reduce_keeps_a_denials_reason),
    tcase_add_test(tc, test_reduce_never_touches_open_or_younger_requests),
    tcase_add_test(tc, test_reduce_twice_changes_nothing),
    tcase_add_test(tc, test_reduce_keeps_a_party_address_another_request_has),
    tcase_add_test(tc, test_reduce_takes_at_most_limit_oldest_first),
    tcase_add_test(tc, test_reduce_rolled_back_leaves_it_whole),
    tcase_add_test(tc, test_reduced_of_no_request_is_not_found))
