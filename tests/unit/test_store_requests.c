/*
 * test_store_requests.c -- data subject requests, parties, what an erasure
 * needs from the other tables, and the suppression list (store.h,
 * 004-requests.sql).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "fixture.h"
#include "err.h"
#include "nitems.h"
#include "schema.h"
#include "store.h"
#include "utc.h"

#define T1 "2026-11-24T06:00:00.000001Z"
#define T2 "2026-11-24T07:00:00.000002Z"
#define T3 "2026-11-24T08:00:00.000003Z"
#define T4 "2026-11-24T09:00:00.000004Z"
#define T5 "2026-11-24T10:00:00.000005Z"
#define KEY_A "ann@example.com"
#define KEY_B "bob@example.org"
#define KEY_C "cy@example.net"
#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"
#define MAXROWS 16

/* ---- requests: a copy of what a callback saw ---- */

/* The string fields of struct pf_dsr, so one loop copies or compares all. */
static const struct {
	const char	*name;
	size_t		 off;
} dsr_str[] = {
#define F(x) { #x, offsetof(struct pf_dsr, x) }
	F(type), F(relationship), F(organisation), F(first_name),
	F(last_name), F(email), F(email_key), F(subject), F(country),
	F(state), F(details), F(law), F(received), F(due), F(acknowledge),
	F(extension), F(status), F(verify_by), F(updated), F(appeal),
	F(appeal_due), F(appeal_reason),
#undef F
};
#define NSTR (nitems(dsr_str))

/* Where field x of struct pf_dsr is, for the lists of fields below. */
#define OFF(x) offsetof(struct pf_dsr, x)

/* Is off one of the n offsets of list? */
static int
is_one_of(const size_t *list, size_t n, size_t off)
{
	while (n-- > 0)
		if (list[n] == off)
			return 1;
	return 0;
}

static const char *
str_of(const struct pf_dsr *r, size_t i)
{
	return *(const char *const *)((const char *)r + dsr_str[i].off);
}

static const char **
str_at(struct pf_dsr *r, size_t i)
{
	return (const char **)((char *)r + dsr_str[i].off);
}

/* A request as read, its strings owned (dsr_free). */
struct rows {
	struct pf_dsr	 r[MAXROWS];
	int		 n;
	int		 stop_at;	/* return 42 after so many; 0: never */
};

static int
dsr_collect(const struct pf_dsr *r, void *arg)
{
	struct rows	*s = arg;
	struct pf_dsr	*c;
	size_t		 i;

	ck_assert_int_lt(s->n, MAXROWS);
	c = &s->r[s->n++];
	*c = *r;
	for (i = 0; i < NSTR; i++)
		if (str_of(r, i) != NULL)
			ck_assert_ptr_nonnull(*str_at(c, i) =
			    strdup(str_of(r, i)));
	return s->n == s->stop_at ? 42 : 0;
}

static void
rows_free(struct rows *s)
{
	int	 j;
	size_t	 i;

	for (j = 0; j < s->n; j++)
		for (i = 0; i < NSTR; i++)
			free((char *)*str_at(&s->r[j], i));
	s->n = 0;
}

/* The callback saw exactly the ids of want (0-terminated), in order. */
static void
ids_are(const struct rows *s, const long long *want)
{
	int	 i;

	for (i = 0; want[i] != 0; i++) {
		ck_assert_int_lt(i, s->n);
		ck_assert_msg(s->r[i].id == want[i], "row %d is %lld, not %lld",
		    i, s->r[i].id, want[i]);
	}
	ck_assert_int_eq(s->n, i);
}

/* A complete request of email key key and type, received at received. */
static struct pf_dsr
dsr(const char *key, const char *type, const char *received)
{
	struct pf_dsr	 r = {
		.type = type, .relationship = "customer",
		.organisation = "Analytical Engines Ltd",
		.first_name = "Ann", .last_name = "Example",
		.email = key, .email_key = key, .subject = H1,
		.country = "GB", .state = NULL, .law = "UK GDPR",
		.details = "Everything, please.", .received = received,
		.due = "2026-12-24", .acknowledge = NULL, .extension = "2 months",
		.verify_by = "2026-12-01T06:00:00.000000Z",
	};

	return r;
}

static long long
put(struct pf_store *st, const struct pf_dsr *r)
{
	long long	 id = 0;

	ck_assert_int_eq(pf_store_dsr_put(st, r, r->received, &id), PF_OK);
	ck_assert_int_gt(id, 0);
	return id;
}

/* A request of KEY_A for access received at T1, stored in fx.st: its id. */
static long long
put_a(void)
{
	struct pf_dsr	 r = dsr(KEY_A, "access", T1);

	return put(fx.st, &r);
}

/* Put a request of key and type received then, due on due. */
static long long
put_due(struct pf_store *st, const char *key, const char *received,
    const char *due)
{
	struct pf_dsr	 r = dsr(key, "access", received);

	r.due = due;
	return put(st, &r);
}

/* Request id as read now; the caller frees with rows_free. */
static struct rows
get(struct pf_store *st, long long id)
{
	struct rows	 s = { 0 };

	ck_assert_int_eq(pf_store_dsr_get(st, id, dsr_collect, &s), PF_OK);
	ck_assert_int_eq(s.n, 1);
	return s;
}

/* Check that request id has status (and free what get read). */
static void
status_is(struct pf_store *st, long long id, const char *status)
{
	struct rows	 s = get(st, id);

	ck_assert_str_eq(s.r[0].status, status);
	rows_free(&s);
}

/* ---- events ---- */

struct events {
	struct {
		long long	 request;
		int		 seq;
		char		 time[32];
		char		 status[16];
		char		 note[64];	/* "(null)" for NULL */
		char		 reason[32];	/* the same */
	}	 e[MAXROWS];
	int	 n;
};

static int
event_collect(const struct pf_dsr_event *e, void *arg)
{
	struct events	*s = arg;

	ck_assert_int_lt(s->n, MAXROWS);
	s->e[s->n].request = e->request;
	s->e[s->n].seq = e->seq;
	snprintf(s->e[s->n].time, 32, "%s", e->time);
	snprintf(s->e[s->n].status, 16, "%s", e->status);
	snprintf(s->e[s->n].note, 64, "%s", e->note ? e->note : "(null)");
	snprintf(s->e[s->n].reason, 32, "%s", e->reason ? e->reason :
	    "(null)");
	s->n++;
	return 0;
}

static struct events
events(struct pf_store *st, long long id)
{
	struct events	 s = { 0 };

	ck_assert_int_eq(pf_store_dsr_events(st, id, event_collect, &s), PF_OK);
	return s;
}

/* ---- put and get ---- */

/* dsr(KEY_A, "access", T1) with a value in every field a caller gives. */
static struct pf_dsr
dsr_every(void)
{
	struct pf_dsr	 r = dsr(KEY_A, "access", T1);

	r.state = "CA";
	r.country = "US";
	r.acknowledge = "2026-12-08";
	r.email = "Ann@example.com";
	return r;
}

/* What a request never appealed holds: no appeal. */
static const size_t dsr_appeal[] = {
	OFF(appeal), OFF(appeal_due), OFF(appeal_reason),
};

START_TEST(test_dsr_put_then_get_every_field)
{
	struct pf_dsr	 r = dsr_every();
	long long	 id = put(fx.st, &r);
	struct rows	 s = get(fx.st, id);
	size_t		 i;

	ck_assert_int_eq(s.r[0].id, id);
	/* What the store sets, whatever the caller's struct said. */
	r.status = "unverified";
	r.updated = T1;
	for (i = 0; i < NSTR; i++)
		ck_assert_msg(is_one_of(dsr_appeal, nitems(dsr_appeal),
		    dsr_str[i].off) ? str_of(&s.r[0], i) == NULL :
		    str_of(&s.r[0], i) != NULL &&
		    strcmp(str_of(&s.r[0], i), str_of(&r, i)) == 0,
		    "%s is %s", dsr_str[i].name, str_of(&s.r[0], i));
	ck_assert_int_eq(s.r[0].extended, 0);
	ck_assert_int_eq(s.r[0].party, 0);
	rows_free(&s);
}
END_TEST

/* The store sets id, status, party, extended and updated, not the caller. */
START_TEST(test_dsr_put_ignores_what_the_store_sets)
{
	struct pf_dsr	 r = dsr(KEY_A, "access", T1);
	struct rows	 s;
	long long	 id;

	r.id = 99;
	r.status = "fulfilled";
	r.party = 7;
	r.extended = 1;
	r.updated = T5;
	ck_assert_int_eq(pf_store_dsr_put(fx.st, &r, T2, &id), PF_OK);
	ck_assert_int_ne(id, 99);
	s = get(fx.st, id);
	ck_assert_str_eq(s.r[0].status, "unverified");
	ck_assert_int_eq(s.r[0].party, 0);
	ck_assert_int_eq(s.r[0].extended, 0);
	ck_assert_str_eq(s.r[0].received, T1);
	ck_assert_str_eq(s.r[0].updated, T2);
	rows_free(&s);
}
END_TEST

/* Each field that may be NULL reads back as NULL, the others as stored. */
static const size_t dsr_nullable[] = {
	OFF(organisation), OFF(first_name), OFF(last_name), OFF(state),
	OFF(details), OFF(acknowledge), OFF(extension),
};

START_TEST(test_dsr_put_null_field_reads_as_null)
{
	struct pf_dsr	 r = dsr_every();
	struct rows	 s;
	size_t		 i;

	*(const char **)((char *)&r + dsr_nullable[_i]) = NULL;
	s = get(fx.st, put(fx.st, &r));
	for (i = 0; i < NSTR; i++)
		if (dsr_str[i].off == dsr_nullable[_i] ||
		    is_one_of(dsr_appeal, nitems(dsr_appeal), dsr_str[i].off))
			ck_assert_ptr_null(str_of(&s.r[0], i));
		else
			ck_assert_ptr_nonnull(str_of(&s.r[0], i));
	rows_free(&s);
}
END_TEST

START_TEST(test_dsr_put_without_time_updates_now)
{
	struct pf_dsr	 r = dsr(KEY_A, "access", T1);
	struct rows	 s;
	char		 before[32], after[32];
	long long	 id;

	pf_utc_now(before);
	ck_assert_int_eq(pf_store_dsr_put(fx.st, &r, NULL, &id), PF_OK);
	pf_utc_now(after);
	s = get(fx.st, id);
	ck_assert_str_ge(s.r[0].updated, before);
	ck_assert_str_le(s.r[0].updated, after);
	/* The first event is at receipt, not at the time of storing. */
	ck_assert_str_eq(events(fx.st, id).e[0].time, T1);
	rows_free(&s);
}
END_TEST

START_TEST(test_dsr_put_records_first_event)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 r = dsr(KEY_A, "access", T1);
	struct events	 e;
	long long	 id, other;

	id = put(st, &r);
	other = put(st, &r);
	ck_assert_int_eq(pf_store_dsr_put(st, &r, T2, NULL), PF_OK);
	e = events(st, id);
	ck_assert_int_eq(e.n, 1);
	ck_assert_int_eq(e.e[0].request, id);
	ck_assert_int_eq(e.e[0].seq, 1);
	ck_assert_str_eq(e.e[0].time, T1);
	ck_assert_str_eq(e.e[0].status, "unverified");
	ck_assert_str_eq(e.e[0].note, "(null)");
	/* Each request's history starts at 1. */
	ck_assert_int_eq(events(st, other).e[0].seq, 1);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request_event"),
	    3);
}
END_TEST

/* Inside the caller's transaction, a put is undone with it. */
START_TEST(test_dsr_put_rolled_back_with_transaction)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 r = dsr(KEY_A, "access", T1);

	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	put(st, &r);
	pf_store_rollback(st);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request"), 0);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request_event"),
	    0);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	put(st, &r);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request"), 1);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request_event"),
	    1);
}
END_TEST

/* What the schema refuses: a caller's mistake stores nothing at all. */
static const struct {
	size_t		 off;
	const char	*value;
} dsr_bad[] = {
	{ OFF(type), "bogus" }, { OFF(type), "Access" }, { OFF(type), "" },
	{ OFF(type), NULL }, { OFF(relationship), NULL }, { OFF(subject), NULL },
	{ OFF(country), "gb" }, { OFF(country), "GBR" }, { OFF(country), "G1" },
	{ OFF(country), NULL }, { OFF(law), NULL }, { OFF(received), NULL },
	{ OFF(due), NULL }, { OFF(verify_by), NULL },
};

START_TEST(test_dsr_schema_refuses_bad_request)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 r = dsr(KEY_A, "access", T1);
	long long	 id = -1;

	*(const char **)((char *)&r + dsr_bad[_i].off) = dsr_bad[_i].value;
	ck_assert_int_eq(pf_store_dsr_put(st, &r, T1, &id), PF_ESTORE);
	ck_assert_int_eq(id, -1);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request"), 0);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request_event"),
	    0);
	/* The connection is usable afterwards, no savepoint left open. */
	r = dsr(KEY_A, "access", T1);
	put(st, &r);
	pf_store_close(st);
	fx.st = NULL;
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request"), 1);
}
END_TEST

/* Every type of dsr.h is accepted. */
static const char *const dsr_types[] = { "access", "deletion",
    "correction", "portability", "restriction", "objection",
    "opt-out-sale", "other" };

START_TEST(test_dsr_schema_accepts_every_type)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 r = dsr(KEY_A, dsr_types[_i], T1);
	struct rows	 s;

	s = get(st, put(st, &r));
	ck_assert_str_eq(s.r[0].type, dsr_types[_i]);
	rows_free(&s);
}
END_TEST

START_TEST(test_dsr_get_unknown_is_not_found)
{
	struct pf_store	*st = fx.st;
	struct rows	 s = { 0 };
	long long	 id = put_a();

	ck_assert_int_eq(pf_store_dsr_get(st, id + 1, dsr_collect, &s),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_dsr_get(st, 0, dsr_collect, &s),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_dsr_get(st, -1, dsr_collect, &s),
	    PF_ENOTFOUND);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

START_TEST(test_dsr_get_returns_callback_value)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 r = dsr(KEY_A, "access", T1);
	struct rows	 s = { .stop_at = 1 };

	ck_assert_int_eq(pf_store_dsr_get(st, put(st, &r), dsr_collect, &s),
	    42);
	rows_free(&s);
}
END_TEST

/* ---- recent ---- */

/* One request of KEY_A, access, received at T3; what recent finds. */
static const struct {
	const char	*key, *type, *since;
	int		 found;
} recent[] = {
	{ KEY_A, "access", T2, 1 },
	{ KEY_A, "access", T3, 1 },			/* at the boundary */
	{ KEY_A, "access", "2026-11-24T08:00:00.000004Z", 0 }, /* just after */
	{ KEY_A, "access", T4, 0 },
	{ KEY_A, "access", "2026-11-24", 1 },		/* a prefix: that day */
	{ KEY_A, "deletion", T1, 0 },			/* other type */
	{ KEY_B, "access", T1, 0 },			/* other key */
	{ "ANN@example.com", "access", T1, 0 },		/* keys are exact */
};

START_TEST(test_dsr_recent_window)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 r = dsr(KEY_A, "access", T3);
	long long	 id, got = -1;

	id = put(st, &r);
	if (recent[_i].found) {
		ck_assert_int_eq(pf_store_dsr_recent(st, recent[_i].key,
		    recent[_i].type, recent[_i].since, &got), PF_OK);
		ck_assert_int_eq(got, id);
	} else {
		ck_assert_int_eq(pf_store_dsr_recent(st, recent[_i].key,
		    recent[_i].type, recent[_i].since, &got), PF_ENOTFOUND);
		ck_assert_int_eq(got, -1);
	}
}
END_TEST

START_TEST(test_dsr_recent_is_the_newest)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 r = dsr(KEY_A, "access", T4);
	long long	 newest, got = 0;

	newest = put(st, &r);
	r.received = T2;
	put(st, &r);	/* received earlier, stored later */
	ck_assert_int_eq(pf_store_dsr_recent(st, KEY_A, "access", T1, &got),
	    PF_OK);
	ck_assert_int_eq(got, newest);
}
END_TEST

/* ---- each ---- */

/*
 * Five requests: 1 unverified due 12-20, 2 verified due 12-10, 3 extended
 * due 12-30, 4 fulfilled due 12-05, 5 verified due 12-10 (same due as 2).
 */
static struct pf_store *
each_fixture(void)
{
	struct pf_store	*st = fx.st;
	long long	 p;

	ck_assert_int_eq(put_due(st, KEY_A, T1, "2026-12-20"), 1);
	ck_assert_int_eq(put_due(st, KEY_A, T1, "2026-12-10"), 2);
	ck_assert_int_eq(put_due(st, KEY_A, T1, "2026-12-15"), 3);
	ck_assert_int_eq(put_due(st, KEY_A, T1, "2026-12-05"), 4);
	ck_assert_int_eq(put_due(st, KEY_A, T1, "2026-12-10"), 5);
	ck_assert_int_eq(pf_store_party_ensure(st, KEY_A, T1, &p), PF_OK);
	ck_assert_int_eq(pf_store_dsr_verify(st, 2, p, T2), PF_OK);
	ck_assert_int_eq(pf_store_dsr_verify(st, 3, p, T2), PF_OK);
	ck_assert_int_eq(pf_store_dsr_extend(st, 3, "2026-12-30", "more time",
	    T3), PF_OK);
	ck_assert_int_eq(pf_store_dsr_verify(st, 4, p, T2), PF_OK);
	ck_assert_int_eq(pf_store_dsr_set_status(st, 4, "verified",
	    "fulfilled", NULL, T3), PF_OK);
	ck_assert_int_eq(pf_store_dsr_verify(st, 5, p, T2), PF_OK);
	return st;
}

static const struct {
	struct pf_dsr_filter	 f;
	long long		 want[6];
} each[] = {
	{ { NULL, 0, NULL }, { 4, 2, 5, 1, 3, 0 } },
	{ { "verified", 0, NULL }, { 2, 5, 0 } },
	{ { "unverified", 0, NULL }, { 1, 0 } },
	{ { "extended", 0, NULL }, { 3, 0 } },
	{ { "fulfilled", 0, NULL }, { 4, 0 } },
	{ { "denied", 0, NULL }, { 0 } },
	{ { "bogus", 0, NULL }, { 0 } },
	{ { NULL, 1, NULL }, { 2, 5, 3, 0 } },
	{ { NULL, 0, "2026-12-10" }, { 4, 0 } },	/* before, not on */
	{ { NULL, 0, "2026-12-11" }, { 4, 2, 5, 0 } },
	{ { NULL, 0, "2027-01-01" }, { 4, 2, 5, 1, 3, 0 } },
	{ { NULL, 1, "2026-12-11" }, { 2, 5, 0 } },	/* overdue, open */
	{ { NULL, 1, "2026-12-05" }, { 0 } },
	{ { "verified", 1, "2026-12-31" }, { 2, 5, 0 } },
	{ { "unverified", 1, NULL }, { 0 } },		/* both must hold */
	{ { "fulfilled", 0, "2026-12-06" }, { 4, 0 } },
};

START_TEST(test_dsr_each_filter)
{
	struct pf_store	*st = each_fixture();
	struct rows	 s = { 0 };

	ck_assert_int_eq(pf_store_dsr_each(st, &each[_i].f, dsr_collect, &s),
	    PF_OK);
	ids_are(&s, each[_i].want);
	rows_free(&s);
}
END_TEST

START_TEST(test_dsr_each_null_filter_is_every_request)
{
	struct pf_store	*st = each_fixture();
	struct rows	 s = { 0 };
	const long long	 want[] = { 4, 2, 5, 1, 3, 0 };

	ck_assert_int_eq(pf_store_dsr_each(st, NULL, dsr_collect, &s), PF_OK);
	ids_are(&s, want);
	rows_free(&s);
}
END_TEST

START_TEST(test_dsr_each_stops_and_returns_callback_value)
{
	struct pf_store	*st = each_fixture();
	struct rows	 s = { .stop_at = 2 };
	const long long	 want[] = { 4, 2, 0 };

	ck_assert_int_eq(pf_store_dsr_each(st, NULL, dsr_collect, &s), 42);
	ids_are(&s, want);
	rows_free(&s);
	/* The statement was reset: the next call starts afresh. */
	s.stop_at = 0;
	ck_assert_int_eq(pf_store_dsr_each(st, NULL, dsr_collect, &s), PF_OK);
	ck_assert_int_eq(s.n, 5);
	rows_free(&s);
}
END_TEST

/* ---- state changes ---- */

/*
 * A request is put in status at (reached the ordinary way); set_status from
 * from to to must then be refused with PF_ENOTFOUND.
 */
static const struct {
	const char	*at, *from, *to;
} wrong_from[] = {
	{ "unverified", "verified", "fulfilled" },
	{ "unverified", "extended", "denied" },
	{ "verified", "unverified", "verified" },
	{ "verified", "extended", "fulfilled" },
	{ "extended", "verified", "denied" },
	{ "fulfilled", "verified", "denied" },
	{ "fulfilled", "extended", "fulfilled" },
	{ "denied", "verified", "fulfilled" },
	{ "verified", "Verified", "fulfilled" },	/* exact */
	{ "verified", "", "fulfilled" },
	{ "verified", NULL, "fulfilled" },
};

/* A request (and its party) brought to status at; its id. */
static long long
request_at(struct pf_store *st, const char *at)
{
	struct pf_dsr	 r = dsr(KEY_A, "access", T1);
	long long	 id = put(st, &r), p;

	if (strcmp(at, "unverified") == 0)
		return id;
	ck_assert_int_eq(pf_store_party_ensure(st, KEY_A, T1, &p), PF_OK);
	ck_assert_int_eq(pf_store_dsr_verify(st, id, p, T2), PF_OK);
	if (strcmp(at, "extended") == 0)
		ck_assert_int_eq(pf_store_dsr_extend(st, id, "2027-02-24",
		    NULL, T2), PF_OK);
	else if (strcmp(at, "verified") != 0)
		ck_assert_int_eq(pf_store_dsr_set_status(st, id, "verified",
		    at, NULL, T2), PF_OK);
	return id;
}

/*
 * Request id reads as before did, status included, and still has n events:
 * what a refused change must leave.  Frees before.
 */
static void
unchanged(struct pf_store *st, long long id, struct rows *before, int n)
{
	struct rows	 after = get(st, id);
	size_t		 i;

	for (i = 0; i < NSTR; i++)
		ck_assert_pstr_eq(str_of(&after.r[0], i),
		    str_of(&before->r[0], i));
	ck_assert_int_eq(events(st, id).n, n);
	rows_free(before);
	rows_free(&after);
}

START_TEST(test_dsr_set_status_wrong_from_changes_nothing)
{
	struct pf_store	*st = fx.st;
	long long	 id = request_at(st, wrong_from[_i].at);
	int		 n = events(st, id).n;
	struct rows	 before = get(st, id);

	/* Still at: the status before is at, and the request is unchanged. */
	ck_assert_str_eq(before.r[0].status, wrong_from[_i].at);
	ck_assert_int_eq(pf_store_dsr_set_status(st, id, wrong_from[_i].from,
	    wrong_from[_i].to, "no", T5), PF_ENOTFOUND);
	unchanged(st, id, &before, n);
}
END_TEST

START_TEST(test_dsr_set_status_moves_and_records_event)
{
	struct pf_store	*st = fx.st;
	long long	 id = request_at(st, "verified");
	struct events	 e;
	struct rows	 s;

	ck_assert_int_eq(pf_store_dsr_set_status(st, id, "verified", "denied",
	    "We hold no data on you.", T4), PF_OK);
	s = get(st, id);
	ck_assert_str_eq(s.r[0].status, "denied");
	ck_assert_str_eq(s.r[0].updated, T4);
	rows_free(&s);
	e = events(st, id);
	ck_assert_int_eq(e.n, 3);
	ck_assert_int_eq(e.e[2].seq, 3);
	ck_assert_str_eq(e.e[2].status, "denied");
	ck_assert_str_eq(e.e[2].time, T4);
	ck_assert_str_eq(e.e[2].note, "We hold no data on you.");
	/* A double click: the second is refused and writes nothing. */
	ck_assert_int_eq(pf_store_dsr_set_status(st, id, "verified", "denied",
	    "again", T5), PF_ENOTFOUND);
	ck_assert_int_eq(events(st, id).n, 3);
}
END_TEST

/* A denial keeps its code and no note; once, from the status given. */
START_TEST(test_dsr_deny_keeps_the_code_and_no_note)
{
	struct pf_store	*st = fx.st;
	long long	 id = request_at(st, "extended");
	struct events	 e;

	ck_assert_int_eq(pf_store_dsr_deny(st, id, "verified", "no-data-held",
	    T4), PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_dsr_deny(st, id, "extended",
	    "identity-not-verified", T4), PF_OK);
	ck_assert_int_eq(pf_store_dsr_deny(st, id, "extended", "no-data-held",
	    T5), PF_ENOTFOUND);
	e = events(st, id);
	ck_assert_str_eq(e.e[e.n - 1].status, "denied");
	ck_assert_str_eq(e.e[e.n - 1].note, "(null)");
	ck_assert_str_eq(e.e[e.n - 1].reason, "identity-not-verified");
	/* The other events carry no reason. */
	ck_assert_str_eq(e.e[0].reason, "(null)");
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request WHERE "
	    "status = 'denied'"), 1);
}
END_TEST

START_TEST(test_dsr_set_status_without_time_is_now)
{
	struct pf_store	*st = fx.st;
	long long	 id = request_at(st, "verified");
	struct rows	 s;
	char		 before[32];

	pf_utc_now(before);
	ck_assert_int_eq(pf_store_dsr_set_status(st, id, "verified",
	    "fulfilled", NULL, NULL), PF_OK);
	s = get(st, id);
	ck_assert_str_ge(s.r[0].updated, before);
	ck_assert_str_eq(events(st, id).e[2].time, s.r[0].updated);
	rows_free(&s);
}
END_TEST

START_TEST(test_dsr_set_status_of_unknown_request_is_not_found)
{
	struct pf_store	*st = fx.st;
	long long	 id = request_at(st, "verified");

	ck_assert_int_eq(pf_store_dsr_set_status(st, id + 1, "verified",
	    "fulfilled", NULL, T3), PF_ENOTFOUND);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request_event"),
	    2);
}
END_TEST

/* An unknown status is refused by the schema: no change, no event. */
START_TEST(test_dsr_set_status_refuses_unknown_status)
{
	struct pf_store	*st = fx.st;
	long long	 id = request_at(st, "verified");

	ck_assert_int_eq(pf_store_dsr_set_status(st, id, "verified", "bogus",
	    NULL, T3), PF_ESTORE);
	ck_assert_int_eq(pf_store_dsr_set_status(st, id, "verified", NULL,
	    NULL, T3), PF_ESTORE);
	status_is(st, id, "verified");
	ck_assert_int_eq(events(st, id).n, 2);
}
END_TEST

START_TEST(test_dsr_verify_only_once)
{
	struct pf_store	*st = fx.st;
	long long	 id = put_a(), p, q;
	struct events	 e;
	struct rows	 s;

	ck_assert_int_eq(pf_store_party_ensure(st, KEY_A, T2, &p), PF_OK);
	ck_assert_int_eq(pf_store_party_ensure(st, KEY_B, T2, &q), PF_OK);
	ck_assert_int_eq(pf_store_dsr_verify(st, id, p, T3), PF_OK);
	ck_assert_int_eq(pf_store_dsr_verify(st, id, q, T4), PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_dsr_verify(st, id + 1, p, T4),
	    PF_ENOTFOUND);
	s = get(st, id);
	ck_assert_str_eq(s.r[0].status, "verified");
	ck_assert_int_eq(s.r[0].party, p);
	ck_assert_str_eq(s.r[0].updated, T3);
	rows_free(&s);
	e = events(st, id);
	ck_assert_int_eq(e.n, 2);
	ck_assert_str_eq(e.e[1].status, "verified");
	ck_assert_str_eq(e.e[1].time, T3);
	ck_assert_str_eq(e.e[1].note, "(null)");
}
END_TEST

/* A party that does not exist is refused (foreign key): nothing changes. */
START_TEST(test_dsr_verify_with_unknown_party_changes_nothing)
{
	struct pf_store	*st = fx.st;
	long long	 id = put_a();
	struct rows	 s;

	ck_assert_int_eq(pf_store_dsr_verify(st, id, 12345, T2), PF_ESTORE);
	s = get(st, id);
	ck_assert_str_eq(s.r[0].status, "unverified");
	ck_assert_int_eq(s.r[0].party, 0);
	rows_free(&s);
	ck_assert_int_eq(events(st, id).n, 1);
}
END_TEST

START_TEST(test_dsr_extend_only_once_and_only_verified)
{
	struct pf_store	*st = fx.st;
	long long	 id = request_at(st, "unverified"), p;
	struct events	 e;
	struct rows	 s;

	ck_assert_int_eq(pf_store_dsr_extend(st, id, "2027-02-24", NULL, T2),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_party_ensure(st, KEY_A, T1, &p), PF_OK);
	ck_assert_int_eq(pf_store_dsr_verify(st, id, p, T2), PF_OK);
	ck_assert_int_eq(pf_store_dsr_extend(st, id, "2027-02-24",
	    "Your request is complex.", T3), PF_OK);
	s = get(st, id);
	ck_assert_str_eq(s.r[0].status, "extended");
	ck_assert_str_eq(s.r[0].due, "2027-02-24");
	ck_assert_int_eq(s.r[0].extended, 1);
	ck_assert_str_eq(s.r[0].updated, T3);
	ck_assert_str_eq(s.r[0].extension, "2 months");
	rows_free(&s);
	ck_assert_int_eq(pf_store_dsr_extend(st, id, "2027-04-24", NULL, T4),
	    PF_ENOTFOUND);
	/* Back to verified somehow: the one extension is still used. */
	ck_assert_int_eq(pf_store_dsr_set_status(st, id, "extended",
	    "verified", NULL, T4), PF_OK);
	ck_assert_int_eq(pf_store_dsr_extend(st, id, "2027-04-24", NULL, T5),
	    PF_ENOTFOUND);
	s = get(st, id);
	ck_assert_str_eq(s.r[0].due, "2027-02-24");
	rows_free(&s);
	e = events(st, id);
	ck_assert_int_eq(e.n, 4);
	ck_assert_str_eq(e.e[2].status, "extended");
	ck_assert_str_eq(e.e[2].note, "Your request is complex.");
}
END_TEST

START_TEST(test_dsr_extend_from_closed_is_not_found)
{
	struct pf_store	*st = fx.st;
	long long	 f = request_at(st, "fulfilled");
	long long	 d = request_at(st, "denied");

	ck_assert_int_eq(pf_store_dsr_extend(st, f, "2027-02-24", NULL, T3),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_dsr_extend(st, d, "2027-02-24", NULL, T3),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_dsr_extend(st, d + 1, "2027-02-24", NULL,
	    T3), PF_ENOTFOUND);
	status_is(st, f, "fulfilled");
	status_is(st, d, "denied");
}
END_TEST

/* ---- revise ---- */

/* What pf_store_dsr_revise takes from r: every other field stays. */
static const size_t dsr_revised[] = {
	OFF(relationship), OFF(organisation), OFF(first_name), OFF(last_name),
	OFF(email), OFF(country), OFF(state), OFF(details), OFF(law), OFF(due),
	OFF(acknowledge), OFF(extension),
};

/* A repeat of dsr(KEY_A, ...) in which every revisable field differs. */
static struct pf_dsr
dsr_repeat(void)
{
	struct pf_dsr	 r = {
		.id = 99, .type = "deletion", .relationship = "employee",
		.organisation = "Difference Engines plc",
		.first_name = "Augusta", .last_name = "King",
		.email = "ANN@example.com", .email_key = KEY_B, .subject = H2,
		.country = "US", .state = "CA", .law = "CCPA",
		.details = "Only my orders.", .received = T4,
		.due = "2027-01-08", .acknowledge = "2026-12-04",
		.extension = "45 days", .extended = 1, .status = "denied",
		.party = 7, .verify_by = "2027-01-01T06:00:00.000000Z",
	};
	return r;
}

START_TEST(test_dsr_revise_changes_exactly_the_listed_fields)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 a = dsr(KEY_A, "access", T1), b = dsr_repeat();
	struct rows	 before, after;
	long long	 id = put(st, &a);
	size_t		 i;

	before = get(st, id);
	ck_assert_int_eq(pf_store_dsr_revise(st, id, &b, T5), PF_OK);
	after = get(st, id);
	for (i = 0; i < NSTR; i++)
		if (is_one_of(dsr_revised, nitems(dsr_revised),
		    dsr_str[i].off))
			ck_assert_pstr_eq(str_of(&after.r[0], i), str_of(&b, i));
		else if (strcmp(dsr_str[i].name, "updated") == 0)
			ck_assert_str_eq(after.r[0].updated, T5);
		else
			ck_assert_pstr_eq(str_of(&after.r[0], i),
			    str_of(&before.r[0], i));
	ck_assert_int_eq(after.r[0].id, id);
	ck_assert_int_eq(after.r[0].party, 0);
	ck_assert_int_eq(after.r[0].extended, 0);
	ck_assert_int_eq(events(st, id).n, 1);	/* no event */
	rows_free(&before);
	rows_free(&after);
}
END_TEST

/* A revision may clear the optional fields. */
START_TEST(test_dsr_revise_to_null_clears_optional_fields)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 a = dsr(KEY_A, "access", T1), b = a;
	struct rows	 after;
	long long	 id;

	a.state = "CA";
	a.acknowledge = "2026-12-08";
	id = put(st, &a);
	b.organisation = b.state = b.details = NULL;
	b.acknowledge = b.extension = NULL;
	ck_assert_int_eq(pf_store_dsr_revise(st, id, &b, NULL), PF_OK);
	after = get(st, id);
	ck_assert_ptr_null(after.r[0].organisation);
	ck_assert_ptr_null(after.r[0].state);
	ck_assert_ptr_null(after.r[0].details);
	ck_assert_ptr_null(after.r[0].acknowledge);
	ck_assert_ptr_null(after.r[0].extension);
	ck_assert_str_eq(after.r[0].first_name, "Ann");
	ck_assert_str_ne(after.r[0].updated, T1);	/* now */
	rows_free(&after);
}
END_TEST

static const char *const not_unverified[] = { "verified", "extended",
    "fulfilled", "denied" };

START_TEST(test_dsr_revise_of_a_request_past_unverified_is_not_found)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 b = dsr_repeat();
	long long	 id = request_at(st, not_unverified[_i]);
	int		 n = events(st, id).n;
	struct rows	 before = get(st, id);

	ck_assert_int_eq(pf_store_dsr_revise(st, id, &b, T5), PF_ENOTFOUND);
	unchanged(st, id, &before, n);
}
END_TEST

START_TEST(test_dsr_revise_of_unknown_request_is_not_found)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 a = dsr(KEY_A, "access", T1), b = dsr_repeat();
	long long	 id = put(st, &a);

	ck_assert_int_eq(pf_store_dsr_revise(st, id + 1, &b, T5),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_dsr_revise(st, 0, &b, T5), PF_ENOTFOUND);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request "
	    "WHERE first_name = 'Augusta'"), 0);
}
END_TEST

/* The schema's checks hold for a revision as for a new request. */
START_TEST(test_dsr_revise_refused_by_schema_changes_nothing)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 a = dsr(KEY_A, "access", T1), b = dsr_repeat();
	long long	 id = put(st, &a);

	b.country = "gb";
	ck_assert_int_eq(pf_store_dsr_revise(st, id, &b, T5), PF_ESTORE);
	b.country = "GB";
	b.relationship = NULL;
	ck_assert_int_eq(pf_store_dsr_revise(st, id, &b, T5), PF_ESTORE);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request "
	    "WHERE first_name = 'Ann' AND country = 'GB'"), 1);
}
END_TEST

START_TEST(test_dsr_events_in_order_with_notes)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 r = dsr(KEY_A, "access", T1);
	long long	 id = put(st, &r), other, p;
	struct events	 e;
	static const struct {
		const char	*time, *status, *note;
	} want[] = {
		{ T1, "unverified", "(null)" },
		{ T2, "verified", "(null)" },
		{ T3, "extended", "We need two more months." },
		{ T4, "fulfilled", "Sent by post <b>&amp;</b>" },
	};
	int		 i;

	other = put(st, &r);
	ck_assert_int_eq(pf_store_party_ensure(st, KEY_A, T1, &p), PF_OK);
	ck_assert_int_eq(pf_store_dsr_verify(st, other, p, T2), PF_OK);
	ck_assert_int_eq(pf_store_dsr_verify(st, id, p, T2), PF_OK);
	ck_assert_int_eq(pf_store_dsr_extend(st, id, "2027-02-24",
	    want[2].note, T3), PF_OK);
	ck_assert_int_eq(pf_store_dsr_set_status(st, id, "extended",
	    "fulfilled", want[3].note, T4), PF_OK);
	e = events(st, id);
	ck_assert_int_eq(e.n, 4);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(e.e[i].request, id);
		ck_assert_int_eq(e.e[i].seq, i + 1);
		ck_assert_str_eq(e.e[i].time, want[i].time);
		ck_assert_str_eq(e.e[i].status, want[i].status);
		ck_assert_str_eq(e.e[i].note, want[i].note);
	}
	ck_assert_int_eq(events(st, other).n, 2);
	ck_assert_int_eq(events(st, other + 1).n, 0);
}
END_TEST

static int
event_stop(const struct pf_dsr_event *e, void *arg)
{
	(void)e;
	return ++*(int *)arg == 1 ? 42 : 0;
}

START_TEST(test_dsr_events_stop_and_return_callback_value)
{
	struct pf_store	*st = fx.st;
	long long	 id = request_at(st, "verified");
	int		 n = 0;

	ck_assert_int_eq(pf_store_dsr_events(st, id, event_stop, &n), 42);
	ck_assert_int_eq(n, 1);
}
END_TEST

/* ---- expiry, deletion, erasure ---- */

/*
 * Four requests: 1 and 2 unverified, verify_by T2 and T4; 3 unverified,
 * verify_by T2 (same as 1); 4 verified, verify_by T1.
 */
static struct pf_store *
expired_fixture(void)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 r = dsr(KEY_A, "access", T1);
	long long	 p;

	r.verify_by = T2;
	ck_assert_int_eq(put(st, &r), 1);
	r.verify_by = T4;
	ck_assert_int_eq(put(st, &r), 2);
	r.verify_by = T2;
	ck_assert_int_eq(put(st, &r), 3);
	r.verify_by = T1;
	ck_assert_int_eq(put(st, &r), 4);
	ck_assert_int_eq(pf_store_party_ensure(st, KEY_A, T1, &p), PF_OK);
	ck_assert_int_eq(pf_store_dsr_verify(st, 4, p, T1), PF_OK);
	return st;
}

static const struct {
	const char	*before;
	int		 limit;
	long long	 want[5];
} expired[] = {
	{ T1, 10, { 0 } },
	{ T2, 10, { 0 } },			/* at verify_by: not yet */
	{ "2026-11-24T07:00:00.000003Z", 10, { 1, 3, 0 } },
	{ T5, 10, { 1, 3, 2, 0 } },		/* never the verified one */
	{ T5, 2, { 1, 3, 0 } },
	{ T5, 1, { 1, 0 } },
	{ T5, 0, { 0 } },
};

START_TEST(test_dsr_expired_oldest_first_within_limit)
{
	struct pf_store	*st = expired_fixture();
	struct rows	 s = { 0 };

	ck_assert_int_eq(pf_store_dsr_expired(st, expired[_i].before,
	    expired[_i].limit, dsr_collect, &s), PF_OK);
	ids_are(&s, expired[_i].want);
	rows_free(&s);
}
END_TEST

START_TEST(test_dsr_expired_stops_and_refuses_negative_limit)
{
	struct pf_store	*st = expired_fixture();
	struct rows	 s = { .stop_at = 1 };

	ck_assert_int_eq(pf_store_dsr_expired(st, T5, -1, dsr_collect, &s),
	    PF_EINVAL);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(pf_store_dsr_expired(st, T5, 10, dsr_collect, &s),
	    42);
	ck_assert_int_eq(s.n, 1);
	rows_free(&s);
}
END_TEST

START_TEST(test_dsr_delete_takes_its_history)
{
	struct pf_store	*st = expired_fixture();
	struct rows	 s = { 0 };

	ck_assert_int_eq(events(st, 4).n, 2);
	ck_assert_int_eq(pf_store_dsr_delete(st, 4), PF_OK);
	ck_assert_int_eq(pf_store_dsr_get(st, 4, dsr_collect, &s),
	    PF_ENOTFOUND);
	ck_assert_int_eq(events(st, 4).n, 0);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request_event "
	    "WHERE request = 4"), 0);
	/* The others and their histories stay. */
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request"), 3);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request_event"),
	    3);
	ck_assert_int_eq(pf_store_dsr_delete(st, 4), PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_dsr_delete(st, 99), PF_ENOTFOUND);
}
END_TEST

/*
 * A purge deletes only a request still unverified: one verified since the
 * list (its link followed on another worker or node) stays with its
 * history, and the purge is told so.
 */
START_TEST(test_dsr_purge_spares_a_verified_request)
{
	struct pf_store	*st = expired_fixture();
	struct rows	 s = { 0 };

	ck_assert_int_eq(pf_store_dsr_purge(st, 4), PF_ENOTFOUND);
	ck_assert_int_eq(events(st, 4).n, 2);
	ck_assert_int_eq(pf_store_dsr_purge(st, 1), PF_OK);
	ck_assert_int_eq(pf_store_dsr_get(st, 1, dsr_collect, &s),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request_event "
	    "WHERE request = 1"), 0);
	ck_assert_int_eq(pf_store_dsr_purge(st, 1), PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_dsr_purge(st, 99), PF_ENOTFOUND);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request"), 3);
}
END_TEST

/* A status link seals only the id: a deleted newest id is never given again. */
START_TEST(test_dsr_id_of_deleted_newest_request_is_never_reused)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 a = dsr(KEY_A, "access", T1);
	long long	 first = put(st, &a), newest = put(st, &a), next;

	ck_assert_int_gt(newest, first);
	ck_assert_int_eq(pf_store_dsr_delete(st, newest), PF_OK);
	next = put(st, &a);
	ck_assert_int_gt(next, newest);
	/* Across connections too: the counter is in the file. */
	ck_assert_int_eq(pf_store_dsr_delete(st, next), PF_OK);
	st = pf_test_reopen();
	ck_assert_int_gt(put(st, &a), next);
}
END_TEST

/* The personal fields of struct pf_dsr: what an erasure blanks. */
static const size_t dsr_personal[] = {
	OFF(organisation), OFF(first_name), OFF(last_name), OFF(email),
	OFF(email_key), OFF(details),
};

START_TEST(test_dsr_erase_blanks_personal_fields_of_that_key_only)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 a = dsr(KEY_A, "access", T1);
	struct pf_dsr	 b = dsr(KEY_B, "deletion", T2);
	struct rows	 before, after;
	long long	 ida, ida2, idb, n = -1, p;
	size_t		 i;

	a.state = "CA";
	a.acknowledge = "2026-12-08";
	ida = put(st, &a);
	ida2 = put(st, &a);
	idb = put(st, &b);
	ck_assert_int_eq(pf_store_party_ensure(st, KEY_A, T1, &p), PF_OK);
	ck_assert_int_eq(pf_store_dsr_verify(st, ida, p, T3), PF_OK);
	before = get(st, ida);
	ck_assert_int_eq(pf_store_dsr_erase(st, KEY_A, &n), PF_OK);
	ck_assert_int_eq(n, 2);
	after = get(st, ida);
	for (i = 0; i < NSTR; i++)
		if (is_one_of(dsr_personal, nitems(dsr_personal),
		    dsr_str[i].off))
			ck_assert_msg(str_of(&after.r[0], i) == NULL,
			    "%s kept", dsr_str[i].name);
		else
			ck_assert_pstr_eq(str_of(&after.r[0], i),
			    str_of(&before.r[0], i));
	ck_assert_int_eq(after.r[0].party, p);
	ck_assert_int_eq(after.r[0].extended, 0);
	rows_free(&before);
	rows_free(&after);
	ck_assert_int_eq(events(st, ida).n, 2);
	after = get(st, ida2);
	ck_assert_ptr_null(after.r[0].email_key);
	rows_free(&after);
	/* The other person's request is whole. */
	after = get(st, idb);
	ck_assert_str_eq(after.r[0].email_key, KEY_B);
	ck_assert_str_eq(after.r[0].first_name, "Ann");
	ck_assert_str_eq(after.r[0].details, "Everything, please.");
	rows_free(&after);
}
END_TEST

/* The team's notes may name the person: erased with the request's fields. */
START_TEST(test_dsr_erase_blanks_history_notes_of_that_key_only)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 b = dsr(KEY_B, "access", T1);
	long long	 ida = request_at(st, "verified"), idb = put(st, &b), p;
	struct events	 e;
	int		 i;

	ck_assert_int_eq(pf_store_dsr_set_status(st, ida, "verified", "denied",
	    "Ann Example is not a customer.", T3), PF_OK);
	ck_assert_int_eq(pf_store_party_ensure(st, KEY_B, T1, &p), PF_OK);
	ck_assert_int_eq(pf_store_dsr_verify(st, idb, p, T2), PF_OK);
	ck_assert_int_eq(pf_store_dsr_set_status(st, idb, "verified", "denied",
	    "Bob's note", T3), PF_OK);
	ck_assert_int_eq(pf_store_dsr_erase(st, KEY_A, NULL), PF_OK);
	e = events(st, ida);
	ck_assert_int_eq(e.n, 3);
	for (i = 0; i < e.n; i++)
		ck_assert_str_eq(e.e[i].note, "(null)");
	ck_assert_str_eq(e.e[2].status, "denied");
	ck_assert_str_eq(e.e[2].time, T3);
	e = events(st, idb);
	ck_assert_int_eq(e.n, 3);
	ck_assert_str_eq(e.e[2].note, "Bob's note");
}
END_TEST

/* Inside a transaction rolled back, neither the fields nor the notes go. */
START_TEST(test_dsr_erase_rolled_back_keeps_fields_and_notes)
{
	struct pf_store	*st = fx.st;
	long long	 id = request_at(st, "verified"), n = -1;

	ck_assert_int_eq(pf_store_dsr_set_status(st, id, "verified", "denied",
	    "A note.", T3), PF_OK);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_dsr_erase(st, KEY_A, &n), PF_OK);
	ck_assert_int_eq(n, 1);
	pf_store_rollback(st);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request_event "
	    "WHERE note = 'A note.'"), 1);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request "
	    "WHERE email_key = '" KEY_A "'"), 1);
}
END_TEST

START_TEST(test_dsr_erase_of_unknown_key_counts_nothing)
{
	struct pf_store	*st = fx.st;
	struct pf_dsr	 a = dsr(KEY_A, "access", T1);
	long long	 n = -1;

	put(st, &a);
	ck_assert_int_eq(pf_store_dsr_erase(st, KEY_B, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(pf_store_dsr_erase(st, "ANN@example.com", NULL),
	    PF_OK);
	ck_assert_int_eq(pf_store_dsr_erase(st, KEY_A, NULL), PF_OK);
	ck_assert_int_eq(pf_store_dsr_erase(st, KEY_A, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM request "
	    "WHERE email_key IS NULL"), 1);
}
END_TEST

/* ---- parties ---- */

struct parties {
	int	 n;
	struct {
		long long	 id, individual;
		char		 email[64];	/* "(null)" for NULL */
		char		 created[32];
	}	 p[MAXROWS];
};

static int
party_collect(const struct pf_party *p, void *arg)
{
	struct parties	*s = arg;

	ck_assert_int_lt(s->n, MAXROWS);
	snprintf(s->p[s->n].email, 64, "%s", p->email ? p->email : "(null)");
	snprintf(s->p[s->n].created, 32, "%s", p->created);
	s->p[s->n].id = p->id;
	s->p[s->n].individual = p->individual;
	s->n++;
	return 0;
}

static long long
ensure(struct pf_store *st, const char *key)
{
	long long	 id = 0;

	ck_assert_int_eq(pf_store_party_ensure(st, key, T1, &id), PF_OK);
	ck_assert_int_gt(id, 0);
	return id;
}

/* Party id's individual. */
static long long
individual(struct pf_store *st, long long id)
{
	struct parties	 s = { 0 };

	ck_assert_int_eq(pf_store_party_get(st, id, party_collect, &s), PF_OK);
	ck_assert_int_eq(s.n, 1);
	return s.p[0].individual;
}

/* The ids of individual's parties (0-terminated), in order. */
static void
members_are(struct pf_store *st, long long ind, const long long *want)
{
	struct parties	 s = { 0 };
	int		 i;

	ck_assert_int_eq(pf_store_party_each(st, ind, party_collect, &s),
	    PF_OK);
	for (i = 0; want[i] != 0; i++) {
		ck_assert_int_lt(i, s.n);
		ck_assert_int_eq(s.p[i].id, want[i]);
		ck_assert_int_eq(s.p[i].individual, ind);
	}
	ck_assert_int_eq(s.n, i);
}

START_TEST(test_party_ensure_is_idempotent)
{
	struct pf_store	*st = fx.st;
	struct parties	 s = { 0 };
	long long	 a, a2 = 0, b;

	a = ensure(st, KEY_A);
	ck_assert_int_eq(pf_store_party_ensure(st, KEY_A, T3, &a2), PF_OK);
	ck_assert_int_eq(a2, a);
	b = ensure(st, KEY_B);
	ck_assert_int_ne(b, a);
	ck_assert_int_eq(pf_store_party_get(st, a, party_collect, &s), PF_OK);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.p[0].id, a);
	ck_assert_int_eq(s.p[0].individual, a);	/* an individual of its own */
	ck_assert_str_eq(s.p[0].email, KEY_A);
	ck_assert_str_eq(s.p[0].created, T1);	/* the first time stays */
	ck_assert_int_eq(individual(st, b), b);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM party"), 2);
}
END_TEST

START_TEST(test_party_ensure_without_time_or_key)
{
	struct pf_store	*st = fx.st;
	struct parties	 s = { 0 };
	char		 before[32];
	long long	 id = 0;

	pf_utc_now(before);
	ck_assert_int_eq(pf_store_party_ensure(st, KEY_A, NULL, &id), PF_OK);
	ck_assert_int_eq(pf_store_party_get(st, id, party_collect, &s), PF_OK);
	ck_assert_str_ge(s.p[0].created, before);
	ck_assert_int_eq(pf_store_party_ensure(st, NULL, T1, &id), PF_EINVAL);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM party"), 1);
}
END_TEST

START_TEST(test_party_ensure_rolled_back_with_transaction)
{
	struct pf_store	*st = fx.st;

	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ensure(st, KEY_A);
	pf_store_rollback(st);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM party"), 0);
	ck_assert_int_eq(ensure(st, KEY_A), 1);
}
END_TEST

START_TEST(test_party_get_unknown_is_not_found)
{
	struct pf_store	*st = fx.st;
	struct parties	 s = { 0 };
	long long	 a = ensure(st, KEY_A);

	ck_assert_int_eq(pf_store_party_get(st, a + 1, party_collect, &s),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_party_get(st, 0, party_collect, &s),
	    PF_ENOTFOUND);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

/* Two individuals of two parties each become one of four. */
START_TEST(test_party_link_merges_two_individuals)
{
	struct pf_store	*st = fx.st;
	long long	 p1 = ensure(st, KEY_A), p2 = ensure(st, KEY_B);
	long long	 p3 = ensure(st, KEY_C);
	long long	 p4 = ensure(st, "dee@example.com");
	long long	 p5 = ensure(st, "eve@example.com");
	const long long	 two[] = { p3, p4, 0 }, all[] = { p1, p2, p3, p4, 0 };
	const long long	 none[] = { 0 }, alone[] = { p5, 0 };

	ck_assert_int_eq(pf_store_party_link(st, p1, p2), PF_OK);
	ck_assert_int_eq(pf_store_party_link(st, p4, p3), PF_OK);
	members_are(st, p4, two);
	/* Linking any member of one to any member of the other. */
	ck_assert_int_eq(pf_store_party_link(st, p2, p3), PF_OK);
	members_are(st, p1, all);
	members_are(st, p4, none);
	members_are(st, p5, alone);
	ck_assert_int_eq(individual(st, p4), p1);
}
END_TEST

START_TEST(test_party_link_already_one_changes_nothing)
{
	struct pf_store	*st = fx.st;
	long long	 a = ensure(st, KEY_A), b = ensure(st, KEY_B);
	const long long	 both[] = { a, b, 0 };

	ck_assert_int_eq(pf_store_party_link(st, a, b), PF_OK);
	ck_assert_int_eq(pf_store_party_link(st, a, b), PF_OK);
	ck_assert_int_eq(pf_store_party_link(st, b, a), PF_OK);
	ck_assert_int_eq(pf_store_party_link(st, b, b), PF_OK);
	members_are(st, a, both);
	ck_assert_int_eq(individual(st, b), a);
}
END_TEST

static const struct {
	int	 a_known;
	int	 b_known;
} link_unknown[] = {
	{ 0, 1 },
	{ 1, 0 },
	{ 0, 0 },
};

START_TEST(test_party_link_unknown_party_is_not_found)
{
	struct pf_store	*st = fx.st;
	long long	 a = ensure(st, KEY_A), b = ensure(st, KEY_B);

	ck_assert_int_eq(pf_store_party_link(st,
	    link_unknown[_i].a_known ? a : 99,
	    link_unknown[_i].b_known ? b : 98), PF_ENOTFOUND);
	ck_assert_int_eq(individual(st, a), a);
	ck_assert_int_eq(individual(st, b), b);
}
END_TEST

START_TEST(test_party_erase_forgets_key_and_keeps_party)
{
	struct pf_store	*st = fx.st;
	struct parties	 s = { 0 };
	long long	 a = ensure(st, KEY_A), b = ensure(st, KEY_B), a2;
	const long long	 both[] = { a, b, 0 };

	ck_assert_int_eq(pf_store_party_link(st, a, b), PF_OK);
	ck_assert_int_eq(pf_store_party_erase(st, a), PF_OK);
	ck_assert_int_eq(pf_store_party_get(st, a, party_collect, &s), PF_OK);
	ck_assert_str_eq(s.p[0].email, "(null)");
	ck_assert_int_eq(s.p[0].individual, a);
	members_are(st, a, both);
	/* The address verified again is a new party. */
	a2 = ensure(st, KEY_A);
	ck_assert_int_ne(a2, a);
	ck_assert_int_ne(a2, b);
	ck_assert_int_eq(individual(st, a2), a2);
	ck_assert_int_eq(pf_store_party_erase(st, 99), PF_ENOTFOUND);
}
END_TEST

START_TEST(test_dsr_of_individual_covers_linked_parties)
{
	struct pf_store	*st = fx.st;
	struct rows	 s = { 0 };
	struct pf_dsr	 r;
	long long	 a, b, c, ra, rb, ra2, rc;
	r = dsr(KEY_B, "access", T2);
	rb = put(st, &r);
	r = dsr(KEY_A, "deletion", T3);
	ra2 = put(st, &r);		/* unverified, stored second */
	r = dsr(KEY_A, "access", T1);
	ra = put(st, &r);
	r = dsr(KEY_C, "access", T1);
	rc = put(st, &r);
	a = ensure(st, KEY_A);
	b = ensure(st, KEY_B);
	c = ensure(st, KEY_C);
	ck_assert_int_eq(pf_store_dsr_verify(st, ra, a, T4), PF_OK);
	ck_assert_int_eq(pf_store_dsr_verify(st, rb, b, T4), PF_OK);
	ck_assert_int_eq(pf_store_dsr_verify(st, rc, c, T4), PF_OK);
	/* Alone, a's own requests, oldest first. */
	ck_assert_int_eq(pf_store_dsr_of_individual(st, a, dsr_collect, &s),
	    PF_OK);
	ids_are(&s, (const long long[]){ ra, ra2, 0 });
	rows_free(&s);
	ck_assert_int_eq(pf_store_party_link(st, a, b), PF_OK);
	ck_assert_int_eq(pf_store_dsr_of_individual(st, a, dsr_collect, &s),
	    PF_OK);
	ids_are(&s, (const long long[]){ ra, rb, ra2, 0 });
	rows_free(&s);
	/* b is no individual any more; c is still one of its own. */
	ck_assert_int_eq(pf_store_dsr_of_individual(st, b, dsr_collect, &s),
	    PF_OK);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(pf_store_dsr_of_individual(st, c, dsr_collect, &s),
	    PF_OK);
	ids_are(&s, (const long long[]){ rc, 0 });
	rows_free(&s);
	/* An erased party's key no longer finds anything. */
	ck_assert_int_eq(pf_store_party_erase(st, b), PF_OK);
	ck_assert_int_eq(pf_store_dsr_of_individual(st, a, dsr_collect, &s),
	    PF_OK);
	ids_are(&s, (const long long[]){ ra, ra2, 0 });
	rows_free(&s);
}
END_TEST

/* ---- what an erasure needs from the other tables ---- */

struct optouts {
	char	 channel[MAXROWS][8];
	char	 address[MAXROWS][64];
	char	 list[MAXROWS][16];
	int	 n;
};

static int
optout_collect(const struct pf_optout *o, void *arg)
{
	struct optouts	*s = arg;

	ck_assert_int_lt(s->n, MAXROWS);
	snprintf(s->channel[s->n], 8, "%s", o->channel);
	snprintf(s->address[s->n], 64, "%s", o->address);
	snprintf(s->list[s->n], 16, "%s", o->list);
	s->n++;
	return 0;
}

/* The opt-outs of address in st, oldest first. */
static struct optouts
optouts_of(struct pf_store *st, const char *address)
{
	struct optouts	 s = { 0 };

	ck_assert_int_eq(pf_store_optout_of(st, address, optout_collect, &s),
	    PF_OK);
	return s;
}

static void
optout(struct pf_store *st, const char *channel, const char *address,
    const char *list, const char *now)
{
	struct pf_optout	 o = { channel, address, list, NULL, "form",
	    NULL, NULL };

	ck_assert_int_eq(pf_store_optout_put(st, &o, now), PF_OK);
}

static struct pf_store *
optout_fixture(void)
{
	struct pf_store	*st = fx.st;

	optout(st, "email", KEY_A, "news", T3);
	optout(st, "email", KEY_A, "", T1);
	optout(st, "email", KEY_B, "", T2);
	optout(st, "sms", "+447700900123", "", T2);
	optout(st, "email", "ann@example.com.evil", "", T2);
	return st;
}

START_TEST(test_optout_of_lists_that_address_only)
{
	struct pf_store	*st = optout_fixture();
	struct optouts	 s = optouts_of(st, KEY_A);

	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.list[0], "");	/* first opted out first */
	ck_assert_str_eq(s.list[1], "news");
	ck_assert_str_eq(s.address[1], KEY_A);
	s = optouts_of(st, "+447700900123");
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.channel[0], "sms");
	/* Another address, or another spelling of it, has none. */
	ck_assert_int_eq(optouts_of(st, KEY_C).n, 0);
	ck_assert_int_eq(optouts_of(st, "ANN@example.com").n, 0);
}
END_TEST

START_TEST(test_optout_remove_deletes_that_address_only)
{
	struct pf_store	*st = optout_fixture();
	long long	 n = -1;

	ck_assert_int_eq(pf_store_optout_remove(st, KEY_A, &n), PF_OK);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(pf_store_optout_count(st, &n), PF_OK);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(pf_store_optout_remove(st, "+447700900123", NULL),
	    PF_OK);
	ck_assert_int_eq(pf_store_optout_remove(st, KEY_A, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM optout WHERE "
	    "address IN ('" KEY_B "', 'ann@example.com.evil')"), 2);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM optout"), 2);
}
END_TEST

static int
dnc_collect(const struct pf_dnc *d, void *arg)
{
	struct optouts	*s = arg;

	ck_assert_int_lt(s->n, MAXROWS);
	snprintf(s->address[s->n], 64, "%s", d->number);
	s->n++;
	return 0;
}

static void
dnc(struct pf_store *st, const char *number, const char *email,
    const char *now)
{
	struct pf_dnc	 d = { number, "GB", "Ann", NULL, NULL, email, NULL,
	    NULL };

	ck_assert_int_eq(pf_store_dnc_put(st, &d, now), PF_OK);
}

START_TEST(test_dnc_of_email_lists_its_entries_in_order)
{
	struct pf_store	*st = fx.st;
	struct optouts	 s = { 0 };

	dnc(st, "+447700900002", KEY_A, T2);
	dnc(st, "+447700900001", KEY_A, T1);
	dnc(st, "+447700900003", KEY_B, T1);
	dnc(st, "+447700900004", NULL, T1);
	ck_assert_int_eq(pf_store_dnc_of_email(st, KEY_A, dnc_collect, &s),
	    PF_OK);
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.address[0], "+447700900001");
	ck_assert_str_eq(s.address[1], "+447700900002");
	s.n = 0;
	ck_assert_int_eq(pf_store_dnc_of_email(st, KEY_C, dnc_collect, &s),
	    PF_OK);
	ck_assert_int_eq(pf_store_dnc_of_email(st, "ANN@EXAMPLE.COM",
	    dnc_collect, &s), PF_OK);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

/* Messages in every state, to several spellings of one address. */
START_TEST(test_outbox_forget_queued_sending_and_failed_of_that_address)
{
	struct pf_store	*st = fx.st;
	long long	 n = -1, q, sending, sent, failed;

	pf_test_exec("INSERT INTO outbox (template, recipient, vals, state, "
	    "next_try, created, updated) VALUES "
	    "('t', 'Ann@example.com', 'a=1', 'queued', '" T1 "', '" T1 "', "
	    "'" T1 "'), "
	    "('t', 'ann@example.com', 'a=1', 'failed', '" T1 "', '" T1 "', "
	    "'" T1 "'), "
	    "('t', 'ANN@example.com', 'a=1', 'queued', '" T1 "', '" T1 "', "
	    "'" T1 "'), "
	    "('t', 'ann@example.com', 'a=1', 'sending', '" T1 "', '" T1 "', "
	    "'" T1 "'), "
	    "('t', '', '', 'sent', '" T1 "', '" T1 "', '" T1 "'), "
	    "('t', 'bob@example.org', 'a=1', 'queued', '" T1 "', '" T1 "', "
	    "'" T1 "'), "
	    "('t', 'xann@example.com', 'a=1', 'failed', '" T1 "', '" T1 "', "
	    "'" T1 "')");
	ck_assert_int_eq(pf_store_outbox_forget(st, KEY_A, &n), PF_OK);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(pf_store_outbox_counts(st, &q, &sending, &sent,
	    &failed), PF_OK);
	ck_assert_int_eq(q, 1);		/* bob's */
	ck_assert_int_eq(sending, 0);	/* its sender finds it gone */
	ck_assert_int_eq(sent, 1);
	ck_assert_int_eq(failed, 1);	/* xann's */
	ck_assert_int_eq(pf_store_outbox_forget(st, "ANN@EXAMPLE.COM", &n),
	    PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(pf_store_outbox_forget(st, KEY_C, NULL), PF_OK);
}
END_TEST

static int
outbox_seen(const struct pf_outbox_row *r, void *arg)
{
	*(long long *)arg = r->id;
	return 0;
}

/* A message claimed by a running sender, then forgotten: every outcome finds nothing. */
START_TEST(test_outbox_forget_leaves_its_sender_not_found)
{
	struct pf_store	*st = fx.st;
	long long	 id = 0, claimed = 0, n = -1;

	ck_assert_int_eq(pf_store_outbox_put(st, "t", "Ann@example.com",
	    "a=1", H1, "en", T1, &id), PF_OK);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_outbox_claim(st, T2, T4, outbox_seen,
	    &claimed), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	ck_assert_int_eq(claimed, id);
	ck_assert_int_eq(pf_store_outbox_forget(st, KEY_A, &n), PF_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(pf_store_outbox_sent(st, id, T3), PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_outbox_defer(st, id, 1, T4, "later", T3),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_outbox_failed(st, id, 1, "no", T3),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_outbox_get(st, id, outbox_seen, &claimed),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM outbox"), 0);
}
END_TEST

/* ---- suppression ---- */

/* Suppress H1 of kind on channel at now (NULL: the clock): it is stored. */
static void
suppress(const char *kind, const char *channel, const char *now)
{
	ck_assert_int_eq(pf_store_suppress_put(fx.st, kind, H1, channel, now),
	    PF_OK);
}

/* How many suppressions fx.st counts. */
static long long
suppressions(void)
{
	long long	 n = -1;

	ck_assert_int_eq(pf_store_suppress_count(fx.st, &n), PF_OK);
	return n;
}

START_TEST(test_suppress_put_twice_is_one_row)
{
	ck_assert_int_eq(suppressions(), 0);
	suppress("email", "email", T1);
	suppress("email", "email", T2);
	ck_assert_int_eq(suppressions(), 1);
	ck_assert_int_eq(pf_test_count("SELECT created = '" T1 "' "
	    "FROM suppression"), 1);
	suppress("phone", "sms", NULL);
	suppress("phone", "call", T1);
	ck_assert_int_eq(suppressions(), 3);
}
END_TEST

/* A suppression, and what the store answers about it. */
struct suppression {
	const char	*kind, *hash, *channel;
	int		 want;
};

/* After one put of ("email", H1, "email"): what is suppressed. */
static const struct suppression suppressed[] = {
	{ "email", H1, "email", PF_OK },
	{ "email", H1, "sms", PF_ENOTFOUND },
	{ "email", H1, "call", PF_ENOTFOUND },
	{ "phone", H1, "email", PF_ENOTFOUND },
	{ "email", H2, "email", PF_ENOTFOUND },
	{ "email", H1 "1", "email", PF_ENOTFOUND },
	{ "email", "", "email", PF_ENOTFOUND },
	{ "email", NULL, "email", PF_ENOTFOUND },
};

START_TEST(test_suppressed_by_kind_hash_and_channel)
{
	suppress("email", "email", T1);
	ck_assert_int_eq(pf_store_suppressed(fx.st, suppressed[_i].kind,
	    suppressed[_i].hash, suppressed[_i].channel), suppressed[_i].want);
}
END_TEST

/* Suppressions the schema refuses: the put stores nothing. */
static const struct suppression suppress_bad[] = {
	{ "name", H1, "email", PF_ESTORE },
	{ "Email", H1, "email", PF_ESTORE },
	{ NULL, H1, "email", PF_ESTORE },
	{ "email", H1, "post", PF_ESTORE },
	{ "email", H1, NULL, PF_ESTORE },
	{ "email", "abc", "email", PF_ESTORE },
	{ "email", H1 "0", "email", PF_ESTORE },
	{ "email", NULL, "email", PF_ESTORE },
};

START_TEST(test_suppress_schema_refuses_bad_row)
{
	ck_assert_int_eq(pf_store_suppress_put(fx.st, suppress_bad[_i].kind,
	    suppress_bad[_i].hash, suppress_bad[_i].channel, T1),
	    suppress_bad[_i].want);
	ck_assert_int_eq(suppressions(), 0);
}
END_TEST

/* ---- migration ---- */

/*
 * A file made by the previous release (schema version 3, with rows) gains
 * the new tables on open and keeps what it had.
 */
START_TEST(test_migration_from_version_3_keeps_rows)
{
	struct pf_store	*st;
	struct pf_dsr	 r = dsr(KEY_A, "access", T1);
	int		 v = -1;

	pf_test_old_schema(3, "004-requests.sql");
	pf_test_exec("INSERT INTO optout VALUES ('email', '" KEY_A "', '', "
	    "NULL, 'form', '" T1 "', '" T1 "'); "
	    "INSERT INTO dnc VALUES ('+447700900001', 'GB', NULL, NULL, NULL, "
	    "'" KEY_A "', '" T1 "', '" T1 "')");
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM sqlite_schema "
	    "WHERE name IN ('request', 'party', 'suppression')"), 0);
	st = pf_test_reopen();
	ck_assert_int_eq(pf_store_schema_version(st, &v), PF_OK);
	ck_assert_int_eq(v, pf_migrations[pf_nmigrations - 1].version);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM sqlite_schema "
	    "WHERE type = 'table' AND name IN ('request', 'request_event', "
	    "'party', 'suppression')"), 4);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM optout"), 1);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM dnc"), 1);
	put(st, &r);
	suppress("email", "email", T1);
}
END_TEST

/* ---- appeals (012-appeals.sql) ---- */

/* A request denied at T3: its id. */
static long long
denied_request(struct pf_store *st)
{
	long long	 id = request_at(st, "verified");

	ck_assert_int_eq(pf_store_dsr_deny(st, id, "verified", "no-data-held",
	    T3), PF_OK);
	return id;
}

START_TEST(test_dsr_appeal_once_of_a_denial)
{
	struct pf_store	*st = fx.st;
	long long	 id = denied_request(st), open = request_at(st, "verified");
	struct events	 e;
	struct rows	 s, before;

	ck_assert_int_eq(pf_store_dsr_appeal(st, id, "2027-01-23",
	    "You hold my orders.", T4), PF_OK);
	s = get(st, id);
	ck_assert_str_eq(s.r[0].status, "denied");
	ck_assert_str_eq(s.r[0].appeal, "open");
	ck_assert_str_eq(s.r[0].appeal_due, "2027-01-23");
	ck_assert_str_eq(s.r[0].appeal_reason, "You hold my orders.");
	ck_assert_str_eq(s.r[0].updated, T4);
	rows_free(&s);
	e = events(st, id);
	ck_assert_str_eq(e.e[e.n - 1].status, "appealed");
	/* The requester's words stay on the request, not in its history. */
	ck_assert_str_eq(e.e[e.n - 1].note, "(null)");
	ck_assert_str_eq(e.e[e.n - 1].reason, "(null)");
	/* Once; and only a denial. */
	before = get(st, id);
	ck_assert_int_eq(pf_store_dsr_appeal(st, id, "2027-02-01", NULL, T5),
	    PF_ENOTFOUND);
	unchanged(st, id, &before, e.n);
	before = get(st, open);
	ck_assert_int_eq(pf_store_dsr_appeal(st, open, "2027-02-01", NULL, T5),
	    PF_ENOTFOUND);
	unchanged(st, open, &before, events(st, open).n);
	ck_assert_int_eq(pf_store_dsr_appeal(st, 999, "2027-02-01", NULL, T5),
	    PF_ENOTFOUND);
}
END_TEST

/*
 * A decision: granted, the request is open again, due the appeal's date;
 * denied, it stays denied, due as it was, and the event keeps the code.
 */
static const struct {
	int		 grant;
	const char	*reason, *status, *appeal, *due, *event, *code;
} decisions[] = {
	{ 1, NULL, "verified", "granted", "2027-01-23", "appeal-granted",
	    "(null)" },
	{ 0, "exempt-legal-claims", "denied", "denied", "2026-12-24",
	    "appeal-denied", "exempt-legal-claims" },
};

START_TEST(test_dsr_appeal_decided_once)
{
	struct pf_store	*st = fx.st;
	long long	 id = denied_request(st), never = denied_request(st);
	struct events	 e;
	struct rows	 s;

	ck_assert_int_eq(pf_store_dsr_appeal_decide(st, never,
	    decisions[_i].grant, decisions[_i].reason, T5), PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_dsr_appeal(st, id, "2027-01-23", NULL, T4),
	    PF_OK);
	ck_assert_int_eq(pf_store_dsr_appeal_decide(st, id,
	    decisions[_i].grant, decisions[_i].reason, T5), PF_OK);
	s = get(st, id);
	ck_assert_str_eq(s.r[0].status, decisions[_i].status);
	ck_assert_str_eq(s.r[0].appeal, decisions[_i].appeal);
	ck_assert_str_eq(s.r[0].due, decisions[_i].due);
	rows_free(&s);
	e = events(st, id);
	ck_assert_str_eq(e.e[e.n - 1].status, decisions[_i].event);
	ck_assert_str_eq(e.e[e.n - 1].reason, decisions[_i].code);
	/* Decided once, either way. */
	ck_assert_int_eq(pf_store_dsr_appeal_decide(st, id, 1, NULL, T5),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_dsr_appeal_decide(st, id, 0, "no-data-held",
	    T5), PF_ENOTFOUND);
	ck_assert_int_eq(events(st, id).n, e.n);
	/* Granted, it is fulfilled as any open request. */
	ck_assert_int_eq(pf_store_dsr_set_status(st, id, "verified",
	    "fulfilled", NULL, T5), decisions[_i].grant ? PF_OK : PF_ENOTFOUND);
}
END_TEST

/*
 * An open appeal is open work, listed by its own due date and state; a
 * denied one is closed.  Requests 1 (denied, appealed, due 2026-12-01),
 * 2 (verified, due 2026-12-24), 3 (denied, appeal denied).
 */
static const struct {
	struct pf_dsr_filter	 f;
	long long		 want[4];
} appeal_each[] = {
	{ { NULL, 1, NULL }, { 1, 2, 0 } },
	{ { "appealed", 0, NULL }, { 1, 0 } },
	{ { "appeal-denied", 0, NULL }, { 3, 0 } },
	{ { "denied", 0, NULL }, { 0 } },
	{ { NULL, 1, "2026-12-02" }, { 1, 0 } },
	{ { NULL, 0, NULL }, { 1, 2, 3, 0 } },
};

START_TEST(test_dsr_each_reads_an_open_appeal_as_open_work)
{
	struct pf_store	*st = fx.st;
	struct rows	 s = { 0 };
	long long	 a = denied_request(st), b = request_at(st, "verified");
	long long	 c = denied_request(st), overdue = 0, soon = 0;

	ck_assert_int_eq(a, 1);
	ck_assert_int_eq(b, 2);
	ck_assert_int_eq(c, 3);
	ck_assert_int_eq(pf_store_dsr_appeal(st, a, "2026-12-01", NULL, T4),
	    PF_OK);
	ck_assert_int_eq(pf_store_dsr_appeal(st, c, "2026-12-01", NULL, T4),
	    PF_OK);
	ck_assert_int_eq(pf_store_dsr_appeal_decide(st, c, 0, "no-data-held",
	    T5), PF_OK);
	ck_assert_int_eq(pf_store_dsr_each(st, &appeal_each[_i].f, dsr_collect,
	    &s), PF_OK);
	ids_are(&s, appeal_each[_i].want);
	rows_free(&s);
	/* The metrics' deadline count reads the same dates. */
	ck_assert_int_eq(pf_store_dsr_due(st, "2026-12-02", "2026-12-31",
	    &overdue, &soon), PF_OK);
	ck_assert_int_eq(overdue, 1);
	ck_assert_int_eq(soon, 1);
}
END_TEST

START_TEST(test_dsr_erase_blanks_the_appeal_reason)
{
	struct pf_store	*st = fx.st;
	long long	 id = denied_request(st);
	struct rows	 s;

	ck_assert_int_eq(pf_store_dsr_appeal(st, id, "2027-01-23",
	    "I am Ann Example.", T4), PF_OK);
	ck_assert_int_eq(pf_store_dsr_erase(st, KEY_A, NULL), PF_OK);
	s = get(st, id);
	ck_assert_ptr_null(s.r[0].appeal_reason);
	ck_assert_str_eq(s.r[0].appeal, "open");
	rows_free(&s);
}
END_TEST

PF_TEST_MAIN("store_requests",
    pf_test_fixture(tc, PF_TEST_STORE, NULL, NULL, NULL),
    tcase_add_test(tc, test_dsr_put_then_get_every_field),
    tcase_add_test(tc, test_dsr_put_ignores_what_the_store_sets),
    PF_LOOP(test_dsr_put_null_field_reads_as_null, dsr_nullable),
    tcase_add_test(tc, test_dsr_put_without_time_updates_now),
    tcase_add_test(tc, test_dsr_put_records_first_event),
    tcase_add_test(tc, test_dsr_put_rolled_back_with_transaction),
    PF_LOOP(test_dsr_schema_refuses_bad_request, dsr_bad),
    PF_LOOP(test_dsr_schema_accepts_every_type, dsr_types),
    tcase_add_test(tc, test_dsr_get_unknown_is_not_found),
    tcase_add_test(tc, test_dsr_get_returns_callback_value),
    PF_LOOP(test_dsr_recent_window, recent),
    tcase_add_test(tc, test_dsr_recent_is_the_newest),
    PF_LOOP(test_dsr_each_filter, each),
    tcase_add_test(tc, test_dsr_each_null_filter_is_every_request),
    tcase_add_test(tc, test_dsr_each_stops_and_returns_callback_value),
    PF_LOOP(test_dsr_set_status_wrong_from_changes_nothing, wrong_from),
    tcase_add_test(tc, test_dsr_set_status_moves_and_records_event),
    tcase_add_test(tc, test_dsr_appeal_once_of_a_denial),
    PF_LOOP(test_dsr_appeal_decided_once, decisions),
    PF_LOOP(test_dsr_each_reads_an_open_appeal_as_open_work, appeal_each),
    tcase_add_test(tc, test_dsr_erase_blanks_the_appeal_reason),
    tcase_add_test(tc, test_dsr_deny_keeps_the_code_and_no_note),
    tcase_add_test(tc, test_dsr_set_status_without_time_is_now),
    tcase_add_test(tc, test_dsr_set_status_of_unknown_request_is_not_found),
    tcase_add_test(tc, test_dsr_set_status_refuses_unknown_status),
    tcase_add_test(tc, test_dsr_verify_only_once),
    tcase_add_test(tc, test_dsr_verify_with_unknown_party_changes_nothing),
    tcase_add_test(tc, test_dsr_extend_only_once_and_only_verified),
    tcase_add_test(tc, test_dsr_extend_from_closed_is_not_found),
    tcase_add_test(tc, test_dsr_revise_changes_exactly_the_listed_fields),
    tcase_add_test(tc, test_dsr_revise_to_null_clears_optional_fields),
    PF_LOOP(test_dsr_revise_of_a_request_past_unverified_is_not_found,
	not_unverified),
    tcase_add_test(tc, test_dsr_revise_of_unknown_request_is_not_found),
    tcase_add_test(tc, test_dsr_revise_refused_by_schema_changes_nothing),
    tcase_add_test(tc, test_dsr_events_in_order_with_notes),
    tcase_add_test(tc, test_dsr_events_stop_and_return_callback_value),
    PF_LOOP(test_dsr_expired_oldest_first_within_limit, expired),
    tcase_add_test(tc, test_dsr_expired_stops_and_refuses_negative_limit),
    tcase_add_test(tc, test_dsr_delete_takes_its_history),
    tcase_add_test(tc, test_dsr_purge_spares_a_verified_request),
    tcase_add_test(tc, test_dsr_id_of_deleted_newest_request_is_never_reused),
    tcase_add_test(tc, test_dsr_erase_blanks_personal_fields_of_that_key_only),
    tcase_add_test(tc, test_dsr_erase_blanks_history_notes_of_that_key_only),
    tcase_add_test(tc, test_dsr_erase_rolled_back_keeps_fields_and_notes),
    tcase_add_test(tc, test_dsr_erase_of_unknown_key_counts_nothing),
    tcase_add_test(tc, test_party_ensure_is_idempotent),
    tcase_add_test(tc, test_party_ensure_without_time_or_key),
    tcase_add_test(tc, test_party_ensure_rolled_back_with_transaction),
    tcase_add_test(tc, test_party_get_unknown_is_not_found),
    tcase_add_test(tc, test_party_link_merges_two_individuals),
    tcase_add_test(tc, test_party_link_already_one_changes_nothing),
    PF_LOOP(test_party_link_unknown_party_is_not_found, link_unknown),
    tcase_add_test(tc, test_party_erase_forgets_key_and_keeps_party),
    tcase_add_test(tc, test_dsr_of_individual_covers_linked_parties),
    tcase_add_test(tc, test_optout_of_lists_that_address_only),
    tcase_add_test(tc, test_optout_remove_deletes_that_address_only),
    tcase_add_test(tc, test_dnc_of_email_lists_its_entries_in_order),
    tcase_add_test(tc,
	test_outbox_forget_queued_sending_and_failed_of_that_address),
    tcase_add_test(tc, test_outbox_forget_leaves_its_sender_not_found),
    tcase_add_test(tc, test_suppress_put_twice_is_one_row),
    PF_LOOP(test_suppressed_by_kind_hash_and_channel, suppressed),
    PF_LOOP(test_suppress_schema_refuses_bad_row, suppress_bad),
    tcase_add_test(tc, test_migration_from_version_3_keeps_rows))
