/*
 * test_store_agents.c -- a request's agent (store.h "agents",
 * 013-agents.sql; agent.h's copy and gate), each test on a fresh
 * database made by the real migrations.
 */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "check_main.h"
#include "fixture.h"
#include "err.h"
#include "store.h"

#define KEY	"ann@example.com"
#define H1	"1111111111111111111111111111111111111111111111111111111111111111"
#define T1	"2026-11-24T06:00:00.000001Z"
#define T2	"2026-11-25T07:00:00.000002Z"

/* An unverified request of KEY, stored: its id. */
static long long
request(void)
{
	struct pf_dsr	 r = { .type = "access", .relationship = "customer",
	    .first_name = "Ann", .last_name = "Example", .email = KEY,
	    .email_key = KEY, .subject = H1, .country = "US", .state = "CA",
	    .law = "CCPA", .received = T1, .due = "2027-01-08",
	    .verify_by = "2026-12-01T06:00:00.000000Z" };
	long long	 id = 0;

	ck_assert_int_eq(pf_store_dsr_put(fx.st, &r, T1, &id), PF_OK);
	return id;
}

static const struct pf_dsr_agent agent = { .name = "Agency Ltd",
    .email = "agent@example.net", .relationship = "authorised-agent" };

/* A request of KEY made by agent: its id. */
static long long
by_agent(void)
{
	long long	 id = request();

	ck_assert_int_eq(pf_store_agent_set(fx.st, id, &agent), PF_OK);
	return id;
}

/*
 * Request id's agent as "answer answered name email", NULL shown as "-";
 * "none" when it has no agent.
 */
static const char *
seen(long long id)
{
	static char		 out[256];
	struct pf_agent_copy	 c;
	int			 rc;

	if ((rc = pf_agent_load(fx.st, id, &c)) == PF_ENOTFOUND)
		return "none";
	ck_assert_int_eq(rc, PF_OK);
	snprintf(out, sizeof(out), "%s %s %s %s %s", c.a.answer,
	    c.a.answered != NULL ? c.a.answered : "-",
	    c.a.name != NULL ? c.a.name : "-",
	    c.a.email != NULL ? c.a.email : "-", c.a.relationship);
	pf_agent_drop(&c);
	return out;
}

START_TEST(test_set_get_and_answer_once)
{
	long long	 id = request();

	ck_assert_str_eq(seen(id), "none");
	ck_assert_int_eq(pf_store_agent_set(fx.st, id, &agent), PF_OK);
	ck_assert_str_eq(seen(id), "asked - Agency Ltd agent@example.net "
	    "authorised-agent");
	ck_assert_int_eq(pf_store_agent_answer(fx.st, id, "confirmed", T2),
	    PF_OK);
	/* Answered once: a second answer finds nothing asked. */
	ck_assert_int_eq(pf_store_agent_answer(fx.st, id, "refused", T2),
	    PF_ENOTFOUND);
	ck_assert_str_eq(seen(id), "confirmed " T2 " Agency Ltd "
	    "agent@example.net authorised-agent");
}
END_TEST

START_TEST(test_set_again_asks_again_and_null_removes)
{
	long long	 id = by_agent();

	ck_assert_int_eq(pf_store_agent_answer(fx.st, id, "refused", T2),
	    PF_OK);
	ck_assert_int_eq(pf_store_agent_set(fx.st, id, &agent), PF_OK);
	ck_assert_str_eq(seen(id), "asked - Agency Ltd agent@example.net "
	    "authorised-agent");
	ck_assert_int_eq(pf_store_agent_set(fx.st, id, NULL), PF_OK);
	ck_assert_str_eq(seen(id), "none");
}
END_TEST

START_TEST(test_unconfirmed_holds_the_request)
{
	struct pf_dsr	 r = { .id = request() };
	char		 why[256] = "";

	ck_assert_int_eq(pf_agent_unconfirmed(fx.st, &r, why, sizeof(why)), 0);
	ck_assert_int_eq(pf_store_agent_set(fx.st, r.id, &agent), PF_OK);
	ck_assert_int_eq(pf_agent_unconfirmed(fx.st, &r, why, sizeof(why)), 1);
	ck_assert_ptr_nonnull(strstr(why, "not yet confirmed"));
	ck_assert_int_eq(pf_store_agent_answer(fx.st, r.id, "refused", T2),
	    PF_OK);
	ck_assert_int_eq(pf_agent_unconfirmed(fx.st, &r, why, sizeof(why)), 1);
	ck_assert_ptr_nonnull(strstr(why, "did not authorise"));
	ck_assert_int_eq(pf_store_agent_set(fx.st, r.id, &agent), PF_OK);
	ck_assert_int_eq(pf_store_agent_answer(fx.st, r.id, "confirmed", T2),
	    PF_OK);
	ck_assert_int_eq(pf_agent_unconfirmed(fx.st, &r, why, sizeof(why)), 0);
}
END_TEST

/* An erasure blanks who; deleting the request deletes its agent. */
START_TEST(test_erasure_blanks_and_deletion_deletes)
{
	long long	 id = by_agent(), n = 0;

	ck_assert_int_eq(pf_store_dsr_erase(fx.st, KEY, &n), PF_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(seen(id), "asked - - - authorised-agent");
	ck_assert_int_eq(pf_store_dsr_delete(fx.st, id), PF_OK);
	ck_assert_str_eq(seen(id), "none");
}
END_TEST

/*
 * A request the person said their agent had no permission for is closed
 * by their own answer, not by a decision of the team: no appeal opens
 * (it could never be decided: nothing is done on such a request).
 */
START_TEST(test_a_refused_agents_request_is_not_appealed)
{
	long long	 id = by_agent();

	ck_assert_int_eq(pf_store_agent_answer(fx.st, id, "refused", T2),
	    PF_OK);
	ck_assert_int_eq(pf_store_dsr_deny(fx.st, id, "unverified",
	    "agent-not-authorised", T2), PF_OK);
	ck_assert_int_eq(pf_store_dsr_appeal(fx.st, id, "2027-01-20", NULL,
	    T2), PF_ENOTFOUND);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request "
	    "WHERE appeal IS NOT NULL"), 0);
}
END_TEST

START_TEST(test_unknown_relationship_is_refused)
{
	struct pf_dsr_agent	 bad = agent;

	bad.relationship = "friend";
	ck_assert_int_ne(pf_store_agent_set(fx.st, request(), &bad), PF_OK);
}
END_TEST

PF_TEST_MAIN("store_agents",
    pf_test_fixture(tc, PF_TEST_STORE, NULL, NULL, NULL),
    tcase_add_test(tc, test_set_get_and_answer_once),
    tcase_add_test(tc, test_set_again_asks_again_and_null_removes),
    tcase_add_test(tc, test_unconfirmed_holds_the_request),
    tcase_add_test(tc, test_erasure_blanks_and_deletion_deletes),
    tcase_add_test(tc, test_a_refused_agents_request_is_not_appealed),
    tcase_add_test(tc, test_unknown_relationship_is_refused))
