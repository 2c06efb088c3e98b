/*
 * test_subscription.c -- the rules of subscription.h: each change's rows,
 * its one history row and its one audit record, and the no-ops that
 * append nothing; on SQLite (the scratch fixture's store) and again, the
 * same tests, on PostgreSQL (a private server, fixture.h), since every
 * statement runs on both.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "err.h"
#include "fixture.h"
#include "lists.h"
#include "store.h"
#include "subscription.h"
#include "txn.h"

#define ADDR	"ann@example.com"
#define PHONE	"+14155550123"
#define T1	"2026-11-24T06:00:00.000001Z"
#define T2	"2026-11-24T07:00:00.000002Z"
#define T3	"2026-11-25T08:00:00.000003Z"

static const char table[] =
    "news\temail\tyes\tNewsletter\tMonthly news.\n"
    "offers\temail\tyes\tOffers\tDiscounts.\n"
    "events\temail\tno\tEvents\tInvitations.\n"
    "sms-offers\tsms\tno\tText offers\tBy text.\n";

static struct pf_lists	 lists;
static struct pf_store	*st;	/* the engine under test */
static char		 subject[PF_HEX_DIGEST_LEN + 1];

#define SKIP_WITHOUT_STORE()	do { if (st == NULL) return; } while (0)

static void
common_setup(void)
{
	ck_assert_int_eq(pf_lists_parse(table, strlen(table), "t", &lists,
	    NULL), PF_OK);
	ck_assert_int_eq(mkdir(fx.audit, 0700), 0);
	ck_assert_int_eq(pf_sub_subject(&fx.keys, "email", ADDR, subject),
	    PF_OK);
}

/*
 * The running case's engine.  fixture.c keeps one setup for the program,
 * so both cases share setup and teardown, and each case's own unchecked
 * fixture says which engine its tests get.
 */
static int	 on_pg;

static void
use_lite(void)
{
	on_pg = 0;
}

static void
use_pg(void)
{
	on_pg = 1;
}

static void
setup(void)
{
	common_setup();
	st = on_pg ? pf_test_pg_open() : fx.st;
}

static void
teardown(void)
{
	if (on_pg)
		pf_test_pg_close(st);
	st = NULL;
	pf_lists_clear(&lists);
}

/* A change of ADDR's on list by method at time now. */
static struct pf_sub_change
change(const char *list, const char *method, const char *now)
{
	struct pf_sub_change	 c = { .channel = "email", .address = ADDR,
	    .list = list, .method = method, .language = "en",
	    .subject = subject, .now = now };

	return c;
}

typedef int sub_op(struct pf_txn *, const struct pf_lists *,
    const struct pf_sub_change *, int *);

/* op on c in a transaction of its own, committed: its *changed. */
static int
apply(sub_op *op, const struct pf_sub_change *c)
{
	struct pf_txn	 t;
	int		 changed = -1;

	ck_assert_int_eq(pf_txn_begin(&t, st, fx.audit, "preferences"), PF_OK);
	ck_assert_int_eq(op(&t, &lists, c, &changed), PF_OK);
	ck_assert_int_eq(pf_txn_commit(&t), PF_OK);
	return changed;
}

static int
confirm(const char *list, const char *requested, const char *now)
{
	struct pf_sub_change	 c = change(list, "confirm", now);
	struct pf_txn		 t;
	int			 changed = -1;

	ck_assert_int_eq(pf_txn_begin(&t, st, fx.audit, "preferences"), PF_OK);
	ck_assert_int_eq(pf_sub_confirm(&t, &lists, &c, requested, &changed),
	    PF_OK);
	ck_assert_int_eq(pf_txn_commit(&t), PF_OK);
	return changed;
}

static int
state(const char *list)
{
	int	 s = -1;

	ck_assert_int_eq(pf_sub_state(st, "email", ADDR, list, &s), PF_OK);
	return s;
}

/* word, then ":" and more unless more is NULL, after a space, to out. */
static void
add(char *out, const char *word, const char *more)
{
	size_t	 n = strlen(out);

	snprintf(out + n, 1024 - n, "%s%s%s%s", n > 0 ? " " : "", word,
	    more != NULL ? ":" : "", more != NULL ? more : "");
}

/* What each walk below saw, as add writes it. */
static int
ev_text(const struct pf_sub_event *e, void *arg)
{
	add(arg, e->action, e->list);
	return 0;
}

/* Audit rows: their events; each of the form, naming the subject only. */
static int
rec_text(const struct pf_audit_row *r, void *arg)
{
	char	 xml[2048];

	/* The record's bytes, not NUL-ended (store.h). */
	snprintf(xml, sizeof(xml), "%.*s", (int)r->xml_len, r->xml);
	ck_assert_ptr_null(strstr(xml, ADDR));
	ck_assert_ptr_nonnull(strstr(xml, subject));
	ck_assert_str_eq(r->form, "preferences");
	add(arg, r->event, NULL);
	return 0;
}

/* Opt-outs as "channel/list". */
static int
oo_text(const struct pf_optout *o, void *arg)
{
	char	 w[64];

	snprintf(w, sizeof(w), "%s/%s", o->channel, o->list);
	add(arg, w, NULL);
	return 0;
}

static int
sub_text(const struct pf_subscription *s, void *arg)
{
	add(arg, s->address, NULL);
	return 0;
}

/* The history of ADDR ("action:list"), its trail, its opt-outs, a list's
 * subscribed addresses: each joined by spaces into out. */
static void
history(char out[1024])
{
	out[0] = '\0';
	ck_assert_int_eq(pf_store_sub_events_of(st, ADDR, ev_text, out), PF_OK);
}

/* ADDR's history is want. */
static void
history_is(const char *want)
{
	char	 got[1024];

	history(got);
	ck_assert_str_eq(got, want);
}

static void
trail(char out[1024])
{
	out[0] = '\0';
	ck_assert_int_eq(pf_store_audit_each(st, 1, rec_text, out), PF_OK);
}

static void
optouts_are(const char *want)
{
	char	 got[1024] = "";

	ck_assert_int_eq(pf_store_optout_of(st, ADDR, oo_text, got), PF_OK);
	ck_assert_str_eq(got, want);
}

/* ADDR's history and trail are h and a (add's words). */
static void
evidence_is(const char *h, const char *a)
{
	char	 got[1024];

	history(got);
	ck_assert_str_eq(got, h);
	trail(got);
	ck_assert_str_eq(got, a);
}

static void
exported_is(const char *list, const char *want)
{
	char	 got[1024] = "";

	ck_assert_int_eq(pf_store_sub_list(st, list, sub_text, got), PF_OK);
	ck_assert_str_eq(got, want);
}

/* The stored row of ADDR on list, copied. */
struct row {
	char	 state[16], requested[40], confirmed[40], method[16];
	char	 notice[20];
};

static int
row_copy(const struct pf_subscription *s, void *arg)
{
	struct row	*r = arg;

	snprintf(r->state, sizeof(r->state), "%s", s->state);
	snprintf(r->requested, sizeof(r->requested), "%s", s->requested);
	snprintf(r->confirmed, sizeof(r->confirmed), "%s",
	    s->confirmed != NULL ? s->confirmed : "(null)");
	snprintf(r->method, sizeof(r->method), "%s", s->method);
	snprintf(r->notice, sizeof(r->notice), "%s", s->notice);
	return 0;
}

static struct row
row_of(const char *list)
{
	struct row	 r = { "", "", "", "", "" };

	ck_assert_int_eq(pf_store_sub_get(st, "email", ADDR, list, row_copy,
	    &r), PF_OK);
	return r;
}

/* c's request changes something and leaves its list in state want. */
static void
request_leaves(const struct pf_sub_change *c, int want)
{
	ck_assert_int_eq(apply(pf_sub_request, c), 1);
	ck_assert_int_eq(state(c->list), want);
}

/*
 * c asked for again at T2 while its request stands: no change, and the
 * row keeps T1, the first request's time.
 */
static void
asked_again(struct pf_sub_change *c)
{
	c->now = T2;
	ck_assert_int_eq(apply(pf_sub_request, c), 0);
	ck_assert_str_eq(row_of(c->list).requested, T1);
}

/*
 * A one-click opt-out of list at T1, ADDR on no list: the opt-out is the
 * change, and list's is then the only one.
 */
static void
one_click_drop(const char *list)
{
	struct pf_sub_change	 c = change(list, "one-click", T1);
	char			 want[64];

	ck_assert_int_eq(apply(pf_sub_drop, &c), 1);
	snprintf(want, sizeof(want), "email/%s", list);
	optouts_are(want);
}

/* list asked for by signup at T1, dropped at T2: the drop's change. */
static struct pf_sub_change
request_then_drop(const char *list)
{
	struct pf_sub_change	 c = change(list, "signup", T1);

	ck_assert_int_eq(apply(pf_sub_request, &c), 1);
	c = change(list, "preferences", T2);
	ck_assert_int_eq(apply(pf_sub_drop, &c), 1);
	return c;
}

/* A list without double opt-in: subscribed at once, with its evidence. */
START_TEST(test_request_without_double_opt_in_subscribes)
{
	struct pf_sub_change	 c = change("events", "signup", T1);
	struct row		 r;

	SKIP_WITHOUT_STORE();
	request_leaves(&c, PF_SUB_SUBSCRIBED);
	r = row_of("events");
	ck_assert_str_eq(r.requested, T1);
	ck_assert_str_eq(r.confirmed, T1);
	ck_assert_str_eq(r.method, "signup");
	ck_assert_str_eq(r.notice, pf_lists_find(&lists, "events")->notice);
	evidence_is("subscribed:events",
	    "subscribed");
	/* Again: already subscribed, nothing appended. */
	c.now = T2;
	ck_assert_int_eq(apply(pf_sub_request, &c), 0);
	evidence_is("subscribed:events",
	    "subscribed");
	exported_is("events", ADDR);
}
END_TEST

/*
 * A double opt-in list: pending (not exported) until the confirmation of
 * its request; asking again while pending changes nothing (the link
 * already mailed keeps working); a repeated confirmation changes nothing.
 */
START_TEST(test_double_opt_in_waits_for_the_confirmation)
{
	struct pf_sub_change	 c = change("news", "preferences", T1);
	struct row		 r;

	SKIP_WITHOUT_STORE();
	request_leaves(&c, PF_SUB_PENDING);
	ck_assert_str_eq(row_of("news").confirmed, "(null)");
	exported_is("news", "");
	/* Asked again: no event, no record, the first request's time. */
	asked_again(&c);
	ck_assert_int_eq(confirm("news", T2, T3), 0);
	ck_assert_int_eq(state("news"), PF_SUB_PENDING);
	ck_assert_int_eq(confirm("news", T1, T3), 1);
	r = row_of("news");
	ck_assert_str_eq(r.state, "subscribed");
	ck_assert_str_eq(r.requested, T1);
	ck_assert_str_eq(r.confirmed, T3);
	ck_assert_str_eq(r.method, "preferences");
	ck_assert_int_eq(confirm("news", T1, T3), 0);
	evidence_is("requested:news confirmed:news",
	    "subscription-requested subscription-confirmed");
	exported_is("news", ADDR);
}
END_TEST

/* A request dropped and asked for again: only the new one's link confirms. */
START_TEST(test_a_dropped_request_link_confirms_nothing)
{
	struct pf_sub_change	 c;

	SKIP_WITHOUT_STORE();
	c = request_then_drop("news");
	ck_assert_int_eq(apply(pf_sub_request, &c), 1);
	ck_assert_int_eq(confirm("news", T1, T3), 0);
	ck_assert_int_eq(state("news"), PF_SUB_PENDING);
	ck_assert_int_eq(confirm("news", T2, T3), 1);
	ck_assert_int_eq(state("news"), PF_SUB_SUBSCRIBED);
}
END_TEST

/* The addresses pf_store_sub_suppressed gives for list, joined. */
static int
text_add(const char *address, void *arg)
{
	add(arg, address, NULL);
	return 0;
}

static void
suppressed_is(const char *list, const char *want)
{
	char	 got[1024] = "";

	ck_assert_int_eq(pf_store_sub_suppressed(st, "email", list, text_add,
	    got), PF_OK);
	ck_assert_str_eq(got, want);
}

/*
 * A proven subscription (the preference page, a confirmation) lifts only
 * its list's opt-out; an opt-out of all stays, and the subscription row
 * overrides it for that list alone.  A pending request lifts nothing.
 */
START_TEST(test_subscribing_lifts_only_that_list)
{
	const struct pf_optout	 all = { .channel = "email", .address = ADDR,
	    .list = "", .source = "form" };
	struct pf_optout	 one = all;
	struct pf_sub_change	 c = change("news", "preferences", T1);

	SKIP_WITHOUT_STORE();
	one.list = "events";
	ck_assert_int_eq(pf_store_optout_put(st, &all, T1), PF_OK);
	ck_assert_int_eq(pf_store_optout_put(st, &one, T1), PF_OK);
	ck_assert_int_eq(apply(pf_sub_request, &c), 1);
	optouts_are("email/ email/events");
	c.list = "events";
	request_leaves(&c, PF_SUB_SUBSCRIBED);
	optouts_are("email/");
	exported_is("events", ADDR);
	suppressed_is("events", "");
	suppressed_is("news", ADDR);
	ck_assert_int_eq(confirm("news", T1, T2), 1);
	optouts_are("email/");
	exported_is("news", ADDR);
	suppressed_is("news", "");
	suppressed_is("offers", ADDR);
}
END_TEST

/*
 * Stop all, then one list by the preference page: a list the company
 * adds to the table afterwards is suppressed too (the opt-out of all
 * stays), and dropping the one list suppresses it again.
 */
START_TEST(test_a_list_added_later_stays_suppressed)
{
	struct pf_sub_change	 c = change("", "preferences", T1);
	char			 more[512];

	SKIP_WITHOUT_STORE();
	ck_assert_int_eq(apply(pf_sub_stop_all, &c), 1);
	c = change("events", "preferences", T2);
	ck_assert_int_eq(apply(pf_sub_request, &c), 1);
	snprintf(more, sizeof(more), "%slater\temail\tno\tLater\tAdded.\n",
	    table);
	pf_lists_clear(&lists);
	ck_assert_int_eq(pf_lists_parse(more, strlen(more), "t", &lists,
	    NULL), PF_OK);
	suppressed_is("later", ADDR);
	suppressed_is("events", "");
	exported_is("events", ADDR);
	c.now = T3;
	ck_assert_int_eq(apply(pf_sub_drop, &c), 1);
	suppressed_is("events", ADDR);
	exported_is("events", "");
}
END_TEST

/*
 * What proves nothing about the mailbox (the signup form) never lifts an
 * opt-out: an address opted out of the list or of all, or erased (its
 * pseudonym suppressed), gets double opt-in even on a list without it,
 * and only the confirmation subscribes.
 */
static const struct {
	const char	*optout;	/* the opt-out's list, or NULL */
	int		 erased;	/* the pseudonym suppressed */
	const char	*optouts;	/* what stays */
} unproven[] = {
	{ "", 0, "email/" },
	{ "events", 0, "" },
	{ NULL, 1, "" },
};

START_TEST(test_signup_never_lifts_an_opt_out)
{
	const struct pf_optout	 o = { .channel = "email", .address = ADDR,
	    .list = unproven[_i].optout, .source = "form" };
	struct pf_sub_change	 c = change("events", "signup", T1);
	struct pf_sub_change	 other = change("events", "signup", T1);
	char			 bob[PF_HEX_DIGEST_LEN + 1];

	SKIP_WITHOUT_STORE();
	other.address = "bob@example.com";
	ck_assert_int_eq(pf_sub_subject(&fx.keys, "email", other.address, bob),
	    PF_OK);
	other.subject = bob;
	if (o.list != NULL)
		ck_assert_int_eq(pf_store_optout_put(st, &o, T1), PF_OK);
	if (unproven[_i].erased)
		ck_assert_int_eq(pf_store_suppress_put(st, "email", subject,
		    "email", T1), PF_OK);
	request_leaves(&c, PF_SUB_PENDING);
	exported_is("events", "");
	/* Again: the request stands, nothing appended. */
	asked_again(&c);
	ck_assert_int_eq(confirm("events", T1, T3), 1);
	ck_assert_int_eq(state("events"), PF_SUB_SUBSCRIBED);
	optouts_are(unproven[_i].optouts);
	evidence_is("requested:events confirmed:events",
	    "subscription-requested subscription-confirmed");
	/* Someone else, opted out of nothing: at once. */
	ck_assert_int_eq(apply(pf_sub_request, &other), 1);
	exported_is("events", ADDR " bob@example.com");
}
END_TEST

/* Unsubscribing: the row gone, the list's opt-out put; again, nothing. */
START_TEST(test_drop_removes_and_suppresses_once)
{
	struct pf_sub_change	 c;

	SKIP_WITHOUT_STORE();
	c = request_then_drop("events");
	ck_assert_int_eq(state("events"), PF_SUB_NONE);
	optouts_are("email/events");
	ck_assert_int_eq(apply(pf_sub_drop, &c), 0);
	evidence_is("subscribed:events unsubscribed:events",
	    "subscribed unsubscribed");
	exported_is("events", "");
}
END_TEST

/*
 * A one-click link's list need not be in the table, nor the person on
 * it: the opt-out is the change.  Under an opt-out of all it is a no-op.
 */
START_TEST(test_drop_of_a_list_one_is_not_on)
{
	struct pf_sub_change	 c = change("", "unsubscribe", T2);

	SKIP_WITHOUT_STORE();
	one_click_drop("legacy-promo");
	ck_assert_int_eq(apply(pf_sub_stop_all, &c), 1);
	c = change("offers", "one-click", T3);
	ck_assert_int_eq(apply(pf_sub_drop, &c), 0);
	optouts_are("email/legacy-promo email/");
	history_is("unsubscribed:legacy-promo unsubscribed:");
}
END_TEST

/*
 * The history keeps every opt-out, also one that ended no subscription:
 * the optout row is no record of it, since subscribing again deletes it
 * and a later opt-out overwrites it.
 */
START_TEST(test_an_optout_stays_in_the_history_after_a_resubscribe)
{
	struct pf_sub_change	 c = change("events", "preferences", T2);

	SKIP_WITHOUT_STORE();
	one_click_drop("events");
	request_leaves(&c, PF_SUB_SUBSCRIBED);
	optouts_are("");
	history_is("unsubscribed:events subscribed:events");
}
END_TEST

/*
 * Stop all: every row of the channel gone (the sms one kept), the opt-out
 * of all put, one history row and one record of list ""; never exported.
 */
START_TEST(test_stop_all_is_one_change)
{
	struct pf_sub_change	 c = change("events", "signup", T1);
	struct pf_sub_change	 sms = { .channel = "sms", .address = ADDR,
	    .list = "sms-offers", .method = "signup", .language = "en",
	    .subject = subject, .now = T1 };
	int			 s;

	SKIP_WITHOUT_STORE();
	ck_assert_int_eq(apply(pf_sub_request, &c), 1);
	c.list = "news";
	ck_assert_int_eq(apply(pf_sub_request, &c), 1);
	ck_assert_int_eq(apply(pf_sub_request, &sms), 1);
	c = change("", "preferences", T2);
	ck_assert_int_eq(apply(pf_sub_stop_all, &c), 1);
	ck_assert_int_eq(state("events"), PF_SUB_NONE);
	ck_assert_int_eq(state("news"), PF_SUB_NONE);
	ck_assert_int_eq(pf_sub_state(st, "sms", ADDR, "sms-offers", &s), PF_OK);
	ck_assert_int_eq(s, PF_SUB_SUBSCRIBED);
	ck_assert_int_eq(apply(pf_sub_stop_all, &c), 0);
	optouts_are("email/");
	evidence_is("subscribed:events requested:news "
	    "subscribed:sms-offers unsubscribed:",
	    "subscribed subscription-requested subscribed "
	    "unsubscribed");
	exported_is("events", "");
}
END_TEST

/* What the rules refuse changes nothing. */
static const struct {
	const char	*channel, *list, *method;
	sub_op		*op;
} refused[] = {
	{ "email", "nope", "signup", pf_sub_request },
	{ "email", "sms-offers", "signup", pf_sub_request },
	{ "post", "news", "signup", pf_sub_request },
	{ "email", "news", "one-click", pf_sub_request },
	{ "email", "news", "import", pf_sub_request },
	{ "email", "news", "signup", pf_sub_drop },
	{ "email", "", "preferences", pf_sub_drop },
	{ "email", "", "confirm", pf_sub_stop_all },
};

START_TEST(test_refused_changes_store_nothing)
{
	struct pf_sub_change	 c = change(refused[_i].list,
	    refused[_i].method, T1);
	struct pf_txn		 t;
	int			 changed = -1;

	SKIP_WITHOUT_STORE();
	c.channel = refused[_i].channel;
	ck_assert_int_eq(pf_txn_begin(&t, st, fx.audit, "preferences"), PF_OK);
	ck_assert_int_eq(refused[_i].op(&t, &lists, &c, &changed), PF_EINVAL);
	ck_assert_int_eq(changed, 0);
	ck_assert_int_eq(pf_txn_commit(&t), PF_OK);
	evidence_is("", "");
	optouts_are("");
}
END_TEST

/* The caller's details follow ours in the record. */
static int
rec_xml(const struct pf_audit_row *r, void *arg)
{
	snprintf(arg, 2048, "%.*s", (int)r->xml_len, r->xml);
	return 0;
}

START_TEST(test_record_carries_channel_list_method_and_extras)
{
	static const char *const extra[] = { "source", "form",
	    "confirmation", "none", NULL };
	struct pf_sub_change	 c = change("", "unsubscribe", T1);
	char			 x[2048];

	SKIP_WITHOUT_STORE();
	c.details = extra;
	ck_assert_int_eq(apply(pf_sub_stop_all, &c), 1);
	ck_assert_int_eq(pf_store_audit_each(st, 1, rec_xml, x), PF_OK);
	ck_assert_ptr_nonnull(strstr(x, "<detail name=\"channel\">email"
	    "</detail><detail name=\"list\"></detail><detail name=\"method\">"
	    "unsubscribe</detail><detail name=\"source\">form</detail>"
	    "<detail name=\"confirmation\">none</detail>"));
}
END_TEST

/* Erasure's: a person's rows and history go; others' stay. */
START_TEST(test_remove_forgets_one_address)
{
	struct pf_sub_change	 c = change("events", "signup", T1);
	long long		 subs = -1, events = -1;

	SKIP_WITHOUT_STORE();
	ck_assert_int_eq(apply(pf_sub_request, &c), 1);
	c.address = "bob@example.com";
	ck_assert_int_eq(apply(pf_sub_request, &c), 1);
	ck_assert_int_eq(pf_store_sub_remove(st, ADDR, &subs, &events), PF_OK);
	ck_assert_int_eq(subs, 1);
	ck_assert_int_eq(events, 1);
	history_is("");
	exported_is("events", "bob@example.com");
}
END_TEST

#define SUB_TESTS(tc)							\
    tcase_add_test(tc, test_request_without_double_opt_in_subscribes),	\
    tcase_add_test(tc, test_double_opt_in_waits_for_the_confirmation),	\
    tcase_add_test(tc, test_a_dropped_request_link_confirms_nothing),	\
    tcase_add_test(tc, test_subscribing_lifts_only_that_list),		\
    tcase_add_test(tc, test_a_list_added_later_stays_suppressed),	\
    PF_LOOP(test_signup_never_lifts_an_opt_out, unproven),		\
    tcase_add_test(tc, test_drop_removes_and_suppresses_once),		\
    tcase_add_test(tc, test_drop_of_a_list_one_is_not_on),		\
    tcase_add_test(tc,						\
	    test_an_optout_stays_in_the_history_after_a_resubscribe),	\
    tcase_add_test(tc, test_stop_all_is_one_change),			\
    PF_LOOP(test_refused_changes_store_nothing, refused),		\
    tcase_add_test(tc, test_record_carries_channel_list_method_and_extras), \
    tcase_add_test(tc, test_remove_forgets_one_address)

/* The same tests on PostgreSQL, a case of their own. */
static void
pg_case(Suite *s)
{
	TCase	*tc = tcase_create("postgresql");

	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, pf_test_pg_start, pf_test_pg_stop);
	tcase_add_unchecked_fixture(tc, use_pg, NULL);
	pf_test_fixture(tc, PF_TEST_STORE, NULL, setup, teardown);
	SUB_TESTS(tc);
	suite_add_tcase(s, tc);
}

PF_TEST_MAIN("subscription",
    tcase_add_unchecked_fixture(tc, use_lite, NULL),
    pf_test_fixture(tc, PF_TEST_STORE, NULL, setup, teardown),
    SUB_TESTS(tc),
    pg_case(s))
