/*
 * test_erasure.c -- what erasing a data subject deletes, keeps and
 * pseudonymises (erasure.h), one test per rule, on a scratch store.
 *
 * The subject is the individual of two linked parties, ANN and ANN2;
 * BOB is someone else, whose data every test checks is left alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "fixture.h"
#include "dsr.h"
#include "erasure.h"
#include "err.h"
#include "feedback.h"
#include "keys.h"
#include "nitems.h"
#include "store.h"

#define T1	"2026-11-24T06:00:00.000001Z"
#define ANN	"ann@example.com"
#define ANN2	"ann@example.org"
#define BOB	"bob@example.net"
#define NUM_A	"+442079460001"
#define NUM_B	"+442079460002"
#define NUM_C	"+442079460003"

static long long	 ann, ann2, bob;	/* party ids */
static struct pf_erased	 e;

/* The parties every test starts with, in the fixture's scratch store. */
static void
setup(void)
{
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(pf_store_party_ensure(fx.st, ANN, T1, &ann), PF_OK);
	ck_assert_int_eq(pf_store_party_ensure(fx.st, ANN2, T1, &ann2), PF_OK);
	ck_assert_int_eq(pf_store_party_ensure(fx.st, BOB, T1, &bob), PF_OK);
	ck_assert_int_eq(pf_store_party_link(fx.st, ann, ann2), PF_OK);
}

/* Erase ANN's individual in one transaction. */
static void
erase_ann(void)
{
	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(pf_erase_individual(fx.st, &fx.keys, ann, &e), PF_OK);
	ck_assert_int_eq(pf_store_commit(fx.st), PF_OK);
}

/* PF_OK if the pseudonym of kind:value is suppressed for channel. */
static int
suppressed(const char *kind, const char *value, const char *channel)
{
	char	 hash[PF_HEX_DIGEST_LEN + 1];

	ck_assert_int_eq(pf_pseudonym(&fx.keys, kind, value, hash), PF_OK);
	return pf_store_suppressed(fx.st, kind, hash, channel);
}

static void
optout(const char *channel, const char *address)
{
	struct pf_optout	 o = { channel, address, "", NULL, "form",
	    NULL, NULL };

	ck_assert_int_eq(pf_store_optout_put(fx.st, &o, T1), PF_OK);
}

static void
dnc(const char *number, const char *email)
{
	struct pf_dnc	 d = { number, "GB", "Ann", NULL, NULL, email, NULL,
	    NULL };

	ck_assert_int_eq(pf_store_dnc_put(fx.st, &d, T1), PF_OK);
}

static long long
count(int (*fn)(struct pf_store *, long long *))
{
	long long	 n = -1;

	ck_assert_int_eq(fn(fx.st, &n), PF_OK);
	return n;
}

static long long
queue(const char *recipient, const char *subject)
{
	long long	 id = 0;

	ck_assert_int_eq(pf_store_outbox_put(fx.st, "t", recipient, "", subject,
	    "en", T1, &id), PF_OK);
	return id;
}

static int
ignore(const struct pf_outbox_row *r, void *arg)
{
	(void)r;
	(void)arg;
	return 0;
}

/* Rule 1: email opt-outs go, the address's pseudonym stays. */
START_TEST(test_email_optouts_deleted_and_address_suppressed)
{
	optout("email", ANN);
	optout("email", BOB);
	erase_ann();
	ck_assert_int_eq(count(pf_store_optout_count), 1);
	ck_assert_int_eq(suppressed("email", ANN, "email"), PF_OK);
	ck_assert_int_eq(suppressed("email", BOB, "email"), PF_ENOTFOUND);
	/* ANN2 had no opt-out: nothing to keep for it. */
	ck_assert_int_eq(suppressed("email", ANN2, "email"), PF_ENOTFOUND);
	ck_assert_int_eq(e.optouts, 1);
	ck_assert_int_eq(e.suppressed, 1);
}
END_TEST

static void
sale(const char *channel, const char *address)
{
	const struct pf_sale_optout	 o = { .channel = channel,
	    .address = address, .device = "AAAAAAAAAAAAAAAAAAAAAA",
	    .created = T1, .source = "form" };

	ck_assert_int_eq(pf_store_sale_put(fx.st, &o, NULL), PF_OK);
}

static int
count_sale(const struct pf_sale_optout *o, void *arg)
{
	(void)o;
	(*(long long *)arg)++;
	return 0;
}

/* The sale opt-outs of address left. */
static long long
sales_of(const char *address)
{
	long long	 n = 0;

	ck_assert_int_eq(pf_store_sale_of(fx.st, address, count_sale, &n),
	    PF_OK);
	return n;
}

/*
 * Rule 8: opt-outs of sale made with the address go, its pseudonym stays
 * for channel "sale"; those made with a number stay, as SMS opt-outs do.
 */
START_TEST(test_sale_optouts_deleted_and_address_suppressed)
{
	sale("email", ANN);
	sale("email", ANN);
	sale("email", BOB);
	sale("phone", NUM_A);
	dnc(NUM_A, ANN);
	erase_ann();
	ck_assert_int_eq(sales_of(ANN), 0);
	ck_assert_int_eq(sales_of(BOB), 1);
	ck_assert_int_eq(sales_of(NUM_A), 1);
	ck_assert_int_eq(suppressed("email", ANN, "sale"), PF_OK);
	ck_assert_int_eq(suppressed("email", ANN2, "sale"), PF_ENOTFOUND);
	ck_assert_int_eq(suppressed("email", BOB, "sale"), PF_ENOTFOUND);
	ck_assert_int_eq(e.sale, 2);
	ck_assert_int_eq(e.suppressed, 2);	/* ANN's sale, NUM_A's call */
}
END_TEST

/* Rule 2: Do-Not-Call entries go, their numbers' pseudonyms stay. */
START_TEST(test_dnc_entries_deleted_and_numbers_suppressed)
{
	static const struct {
		const char	*number, *email;
		int		 want;	/* suppressed() after the erasure */
	} reg[] = {
		{ NUM_A, ANN, PF_OK }, { NUM_B, ANN2, PF_OK },
		{ NUM_C, BOB, PF_ENOTFOUND },
	};
	size_t	 i;

	for (i = 0; i < nitems(reg); i++)
		dnc(reg[i].number, reg[i].email);
	erase_ann();
	for (i = 0; i < nitems(reg); i++)
		ck_assert_int_eq(suppressed("phone", reg[i].number, "call"),
		    reg[i].want);
	ck_assert_int_eq(count(pf_store_dnc_count), 1);
	ck_assert_int_eq(e.dnc, 2);
	ck_assert_int_eq(e.suppressed, 2);
}
END_TEST

/* Rule 3: an SMS opt-out of a number registered with the address stays. */
START_TEST(test_sms_optouts_stay)
{
	dnc(NUM_A, ANN);
	optout("sms", NUM_A);
	erase_ann();
	ck_assert_int_eq(count(pf_store_optout_count), 1);
	ck_assert_int_eq(suppressed("phone", NUM_A, "sms"), PF_ENOTFOUND);
	ck_assert_int_eq(e.optouts, 0);
}
END_TEST

static long long
request(const char *key)
{
	struct pf_dsr	 r = { .type = "access", .relationship = "customer",
	    .organisation = "Engines Ltd", .first_name = "Ann",
	    .last_name = "Example", .email = key, .email_key = key,
	    .subject = "s", .country = "GB", .details = "All of it.",
	    .law = "UK GDPR", .received = T1, .due = "2026-12-24",
	    .verify_by = T1 };
	long long	 id = 0;

	ck_assert_int_eq(pf_store_dsr_put(fx.st, &r, T1, &id), PF_OK);
	ck_assert_int_eq(pf_store_dsr_set_status(fx.st, id, "unverified",
	    "denied", "Ann Example, you are not a customer.", T1), PF_OK);
	return id;
}

static int
note_seen(const struct pf_dsr_event *ev, void *arg)
{
	if (ev->note != NULL)
		(*(int *)arg)++;
	return 0;
}

/* Rule 4: a request keeps type, subject, dates and status, not the rest. */
START_TEST(test_requests_blanked_history_kept)
{
	struct pf_dsr_copy	 q = { 0 };
	long long		 id = request(ANN), other = request(BOB);
	int			 notes = 0;

	erase_ann();
	ck_assert_int_eq(pf_store_dsr_get(fx.st, id, pf_dsr_hold, &q), PF_OK);
	ck_assert_ptr_null(q.r.organisation);
	ck_assert_ptr_null(q.r.first_name);
	ck_assert_ptr_null(q.r.last_name);
	ck_assert_ptr_null(q.r.email);
	ck_assert_ptr_null(q.r.email_key);
	ck_assert_ptr_null(q.r.details);
	ck_assert_str_eq(q.r.type, "access");
	ck_assert_str_eq(q.r.subject, "s");
	ck_assert_str_eq(q.r.received, T1);
	ck_assert_str_eq(q.r.status, "denied");
	pf_dsr_drop(&q);
	ck_assert_int_eq(pf_store_dsr_events(fx.st, id, note_seen, &notes), PF_OK);
	ck_assert_int_eq(notes, 0);
	ck_assert_int_eq(pf_store_dsr_events(fx.st, other, note_seen, &notes),
	    PF_OK);
	ck_assert_int_eq(notes, 1);
	ck_assert_int_eq(e.requests, 1);
}
END_TEST

static long long
feedback(const char *key)
{
	struct pf_feedback	 f = { .type = "complaint", .message = "Slow.",
	    .rating = 2, .email = key, .email_key = key, .recommend = 3 };
	long long		 id = 0;

	ck_assert_int_eq(pf_store_feedback_put(fx.st, &f, T1, &id), PF_OK);
	ck_assert_int_eq(pf_store_feedback_complete(fx.st, id, &f, T1), PF_OK);
	return id;
}

/* Rule 5: feedback keeps its figures; its forwards not gone yet go. */
START_TEST(test_feedback_blanked_figures_kept_forwards_deleted)
{
	struct pf_feedback_copy	 c = { 0 };
	char			 by_entry[65], by_address[65];
	long long		 id = feedback(ANN), other = feedback(BOB);

	ck_assert_int_eq(pf_feedback_subject(&fx.keys, id, by_entry), PF_OK);
	ck_assert_int_eq(pf_pseudonym(&fx.keys, "email", ANN, by_address), PF_OK);
	queue("team@example.com", by_entry);
	queue("team@example.com", by_address);
	ck_assert_int_eq(pf_feedback_subject(&fx.keys, other, by_entry), PF_OK);
	queue("team@example.com", by_entry);
	erase_ann();
	ck_assert_int_eq(pf_store_feedback_get(fx.st, id, pf_feedback_hold, &c),
	    PF_OK);
	ck_assert_ptr_null(c.f.message);
	ck_assert_ptr_null(c.f.email);
	ck_assert_ptr_null(c.f.email_key);
	ck_assert_str_eq(c.f.type, "complaint");
	ck_assert_int_eq(c.f.rating, 2);
	ck_assert_int_eq(c.f.recommend, 3);
	ck_assert_ptr_nonnull(c.f.completed);
	pf_feedback_drop(&c);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 1);
	ck_assert_int_eq(e.feedback, 1);
	ck_assert_int_eq(e.messages, 2);
}
END_TEST

/* Rule 6: messages to the address not gone yet go, whatever its case. */
START_TEST(test_unsent_messages_to_address_deleted)
{
	long long	 failed = queue(ANN, NULL);

	queue("Ann@EXAMPLE.com", NULL);
	queue(BOB, NULL);
	ck_assert_int_eq(pf_store_outbox_claim(fx.st, T1, T1, ignore, NULL),
	    PF_OK);
	ck_assert_int_eq(pf_store_outbox_failed(fx.st, failed, 1, "550", T1),
	    PF_OK);
	erase_ann();
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 1);
	ck_assert_int_eq(e.messages, 2);
}
END_TEST

static int
party_seen(const struct pf_party *p, void *arg)
{
	struct pf_party	*out = arg;

	*out = *p;
	out->email = p->email != NULL ? "set" : NULL;
	out->created = NULL;
	return 0;
}

/* Rule 7: each party of the individual stays, without its address. */
START_TEST(test_parties_kept_without_address)
{
	struct pf_party	 p;

	erase_ann();
	ck_assert_int_eq(pf_store_party_get(fx.st, ann, party_seen, &p), PF_OK);
	ck_assert_ptr_null(p.email);
	ck_assert_int_eq(p.individual, ann);
	ck_assert_int_eq(pf_store_party_get(fx.st, ann2, party_seen, &p), PF_OK);
	ck_assert_ptr_null(p.email);
	ck_assert_int_eq(p.individual, ann);
	ck_assert_int_eq(pf_store_party_get(fx.st, bob, party_seen, &p), PF_OK);
	ck_assert_ptr_nonnull(p.email);
	ck_assert_int_eq(e.parties, 2);
}
END_TEST

/* A party erased before is passed over: a second erasure changes nothing. */
START_TEST(test_second_erasure_changes_nothing)
{
	optout("email", ANN);
	dnc(NUM_A, ANN);
	erase_ann();
	memset(&e, 0, sizeof(e));
	erase_ann();
	ck_assert_int_eq(e.parties + e.optouts + e.dnc + e.requests +
	    e.feedback + e.messages + e.suppressed, 0);
	ck_assert_int_eq(count(pf_store_suppress_count), 2);
}
END_TEST

/* A subscription of address to list with its history row. */
static void
subscribe(const char *address, const char *list)
{
	const struct pf_subscription	 sub = { "email", address, list,
	    "subscribed", T1, T1, "signup", "0123456789abcdef", "en" };
	const struct pf_sub_event	 ev = { 0, "email", address, list,
	    "subscribed", "signup", "0123456789abcdef", "en", T1, T1 };

	ck_assert_int_eq(pf_store_sub_put(fx.st, &sub), PF_OK);
	ck_assert_int_eq(pf_store_sub_event_put(fx.st, &ev, NULL), PF_OK);
}

static int
seen(const struct pf_subscription *s, void *arg)
{
	(void)s;
	++*(long long *)arg;
	return 0;
}

/*
 * Rule 9: subscriptions and their history go; the address stays
 * suppressed for email (once, though rule 1 may keep it too).
 */
START_TEST(test_subscriptions_deleted_and_address_suppressed)
{
	long long	 left = 0;

	subscribe(ANN, "news");
	subscribe(ANN, "events");
	subscribe(ANN2, "news");
	optout("email", ANN2);
	subscribe(BOB, "news");
	erase_ann();
	ck_assert_int_eq(pf_store_sub_list(fx.st, "news", seen, &left), PF_OK);
	ck_assert_int_eq(left, 1);	/* BOB's */
	ck_assert_int_eq(e.subscriptions, 3);
	ck_assert_int_eq(e.sub_events, 3);
	ck_assert_int_eq(suppressed("email", ANN, "email"), PF_OK);
	ck_assert_int_eq(suppressed("email", ANN2, "email"), PF_OK);
	ck_assert_int_eq(suppressed("email", BOB, "email"), PF_ENOTFOUND);
	ck_assert_int_eq(e.suppressed, 2);
}
END_TEST

PF_TEST_MAIN("erasure",
    pf_test_fixture(tc, PF_TEST_STORE, NULL, setup, NULL),
    tcase_add_test(tc, test_email_optouts_deleted_and_address_suppressed),
    tcase_add_test(tc, test_dnc_entries_deleted_and_numbers_suppressed),
    tcase_add_test(tc, test_sms_optouts_stay),
    tcase_add_test(tc, test_requests_blanked_history_kept),
    tcase_add_test(tc, test_feedback_blanked_figures_kept_forwards_deleted),
    tcase_add_test(tc, test_unsent_messages_to_address_deleted),
    tcase_add_test(tc, test_parties_kept_without_address),
    tcase_add_test(tc, test_second_erasure_changes_nothing),
    tcase_add_test(tc, test_sale_optouts_deleted_and_address_suppressed),
    tcase_add_test(tc, test_subscriptions_deleted_and_address_suppressed))
