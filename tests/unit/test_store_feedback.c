/*
 * test_store_feedback.c -- site feedback and article votes (store.h,
 * 005-feedback.sql), each test on a fresh database made by the real
 * migrations.
 */
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

#define T1 "2026-11-24T06:00:00.000001Z"
#define T2 "2026-11-24T07:00:00.000002Z"
#define T3 "2026-11-24T08:00:00.000003Z"
#define T4 "2026-11-25T09:00:00.000004Z"
#define T5 "2026-11-26T10:00:00.000005Z"
#define KEY_A "ann@example.com"
#define KEY_B "bob@example.org"
#define C1 "1111111111111111111111111111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222222222222222222222222222"
#define MAXROWS 16

/* ---- feedback: copies of what a callback saw ---- */

struct fb {
	long long	 id;
	char		 type[32], message[64], email[64], email_key[64];
	char		 created[32], completed[32], updated[32];
	int		 rating, recommend;
	int		 has_message, has_email, has_key, has_completed;
};

struct fbs {
	struct fb	 row[MAXROWS];
	size_t		 n;
};

static void
copy(char *dst, size_t len, const char *src, int *has)
{
	if (has != NULL)
		*has = src != NULL;
	snprintf(dst, len, "%s", src != NULL ? src : "");
}

/* The next free row of rows, *n of MAXROWS used: the test fails when full. */
static void *
next_row(void *rows, size_t size, size_t *n)
{
	ck_assert_uint_lt(*n, MAXROWS);
	return (char *)rows + size * (*n)++;
}

static int
collect(const struct pf_feedback *f, void *arg)
{
	struct fbs	*c = arg;
	struct fb	*r = next_row(c->row, sizeof(c->row[0]), &c->n);

	r->id = f->id;
	copy(r->type, sizeof(r->type), f->type, NULL);
	copy(r->message, sizeof(r->message), f->message, &r->has_message);
	copy(r->email, sizeof(r->email), f->email, &r->has_email);
	copy(r->email_key, sizeof(r->email_key), f->email_key, &r->has_key);
	copy(r->created, sizeof(r->created), f->created, NULL);
	copy(r->completed, sizeof(r->completed), f->completed,
	    &r->has_completed);
	copy(r->updated, sizeof(r->updated), f->updated, NULL);
	r->rating = f->rating;
	r->recommend = f->recommend;
	return 0;
}

static struct fb
get(long long id)
{
	struct fbs	 c;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(pf_store_feedback_get(fx.st, id, collect, &c), PF_OK);
	ck_assert_uint_eq(c.n, 1);
	return c.row[0];
}

static long long
put(const char *type, const char *message, int rating, const char *now)
{
	struct pf_feedback	 f = {
		.type = type, .message = message, .rating = rating,
	};
	long long		 id = 0;

	ck_assert_int_eq(pf_store_feedback_put(fx.st, &f, now, &id), PF_OK);
	ck_assert(id > 0);
	return id;
}

static int
complete(long long id, const char *email, const char *key, int recommend,
    const char *now)
{
	struct pf_feedback	 f = {
		.email = email, .email_key = key, .recommend = recommend,
	};

	return pf_store_feedback_complete(fx.st, id, &f, now);
}

START_TEST(test_feedback_put_and_get_round_trip)
{
	struct fb	 r;
	long long	 a, b;

	a = put("question", "Where is the form?", 4, T1);
	b = put("complaint", NULL, 1, T2);
	ck_assert(b == a + 1);
	r = get(a);
	ck_assert(r.id == a);
	ck_assert_str_eq(r.type, "question");
	ck_assert_str_eq(r.message, "Where is the form?");
	ck_assert_int_eq(r.rating, 4);
	ck_assert_int_eq(r.recommend, -1);
	ck_assert(!r.has_email && !r.has_key && !r.has_completed);
	ck_assert_str_eq(r.created, T1);
	ck_assert_str_eq(r.updated, T1);
	r = get(b);
	ck_assert(!r.has_message);
	ck_assert_str_eq(r.type, "complaint");
	ck_assert_int_eq(r.rating, 1);
}
END_TEST

START_TEST(test_feedback_put_without_time_or_id_pointer)
{
	struct pf_feedback	 f = { .type = "compliment", .rating = 5 };
	struct fb		 r;

	ck_assert_int_eq(pf_store_feedback_put(fx.st, &f, NULL, NULL), PF_OK);
	r = get(1);
	ck_assert_uint_eq(strlen(r.created), 27);
	ck_assert_int_eq(r.created[26], 'Z');
	ck_assert_str_eq(r.created, r.updated);
}
END_TEST

START_TEST(test_feedback_get_unknown_is_not_found)
{
	struct fbs	 c;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(pf_store_feedback_get(fx.st, 1, collect, &c),
	    PF_ENOTFOUND);
	put("question", NULL, 3, T1);
	ck_assert_int_eq(pf_store_feedback_get(fx.st, 2, collect, &c),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_feedback_get(fx.st, 0, collect, &c),
	    PF_ENOTFOUND);
	ck_assert_uint_eq(c.n, 0);
}
END_TEST

static int
stop(const struct pf_feedback *f, void *arg)
{
	int	*calls = arg;

	(void)f;
	(*calls)++;
	return 99;
}

START_TEST(test_feedback_callback_value_is_returned)
{
	int	 calls = 0;

	put("question", NULL, 3, T1);
	put("question", NULL, 3, T2);
	ck_assert_int_eq(pf_store_feedback_get(fx.st, 1, stop, &calls), 99);
	ck_assert_int_eq(pf_store_feedback_each(fx.st, NULL, stop, &calls), 99);
	ck_assert_int_eq(calls, 2);
}
END_TEST

START_TEST(test_feedback_revise_while_open)
{
	struct pf_feedback	 f = {
		.type = "complaint", .message = NULL, .rating = 1,
	};
	struct fb		 r;
	long long		 id = put("question", "first", 2, T1);

	ck_assert_int_eq(pf_store_feedback_revise(fx.st, id, &f, T2), PF_OK);
	r = get(id);
	ck_assert_str_eq(r.type, "complaint");
	ck_assert(!r.has_message);
	ck_assert_int_eq(r.rating, 1);
	ck_assert_str_eq(r.created, T1);
	ck_assert_str_eq(r.updated, T2);
	ck_assert(!r.has_completed);
	ck_assert_int_eq(pf_store_feedback_revise(fx.st, id + 1, &f, T2),
	    PF_ENOTFOUND);
}
END_TEST

START_TEST(test_feedback_revise_after_completion_is_not_found)
{
	struct pf_feedback	 f = {
		.type = "complaint", .message = "changed", .rating = 5,
	};
	struct fb		 r;
	long long		 id = put("question", "first", 2, T1);

	ck_assert_int_eq(complete(id, NULL, NULL, -1, T2), PF_OK);
	ck_assert_int_eq(pf_store_feedback_revise(fx.st, id, &f, T3),
	    PF_ENOTFOUND);
	r = get(id);
	ck_assert_str_eq(r.type, "question");
	ck_assert_str_eq(r.message, "first");
	ck_assert_int_eq(r.rating, 2);
	ck_assert_str_eq(r.updated, T2);
}
END_TEST

START_TEST(test_feedback_complete_sets_step_2)
{
	struct fb	 r;
	long long	 id = put("question", "hi", 3, T1);

	ck_assert_int_eq(complete(id, "Ann@example.com", KEY_A, 9, T2), PF_OK);
	r = get(id);
	ck_assert_str_eq(r.email, "Ann@example.com");
	ck_assert_str_eq(r.email_key, KEY_A);
	ck_assert_int_eq(r.recommend, 9);
	ck_assert_str_eq(r.completed, T2);
	ck_assert_str_eq(r.updated, T2);
	ck_assert_str_eq(r.created, T1);
	ck_assert_str_eq(r.message, "hi");
}
END_TEST

START_TEST(test_feedback_complete_with_nothing_left)
{
	struct fb	 r;
	long long	 id = put("question", "hi", 3, T1);

	ck_assert_int_eq(complete(id, NULL, NULL, -1, T2), PF_OK);
	r = get(id);
	ck_assert(!r.has_email && !r.has_key);
	ck_assert_int_eq(r.recommend, -1);
	ck_assert_str_eq(r.completed, T2);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM feedback "
	    "WHERE recommend IS NULL"), 1);
}
END_TEST

/* A replayed step 2 (the same token twice) completes nothing. */
START_TEST(test_feedback_completes_once)
{
	struct fb	 r;
	long long	 id = put("question", "hi", 3, T1);

	ck_assert_int_eq(complete(id, "ann@example.com", KEY_A, 0, T2), PF_OK);
	ck_assert_int_eq(complete(id, "bob@example.org", KEY_B, 10, T3),
	    PF_ENOTFOUND);
	ck_assert_int_eq(complete(id + 1, NULL, NULL, -1, T3), PF_ENOTFOUND);
	r = get(id);
	ck_assert_str_eq(r.email_key, KEY_A);
	ck_assert_int_eq(r.recommend, 0);
	ck_assert_str_eq(r.completed, T2);
}
END_TEST

/* ---- listing ---- */

static void
put_five(void)
{
	put("question", "1", 3, T1);
	put("complaint", "2", 1, T2);
	put("question", "3", 4, T3);
	put("compliment", "4", 5, T4);
	put("question", "5", 2, T5);
}

/* Put id, the i-th from 0, on the list in out: "5 4 3". */
static void
id_append(char *out, size_t len, size_t i, long long id)
{
	size_t	 off = i == 0 ? 0 : strlen(out);

	snprintf(out + off, len - off, "%s%lld", i ? " " : "", id);
}

/* The ids fn saw, as "5 4 3". */
static void
ids_of(const struct fbs *c, char *out, size_t len)
{
	size_t	 i;

	out[0] = '\0';
	for (i = 0; i < c->n; i++)
		id_append(out, len, i, c->row[i].id);
}

/* The ids of the entries f selects (NULL: all), as "5 4 3". */
static void
entry_ids(const struct pf_feedback_filter *f, char *out, size_t len)
{
	struct fbs	 c;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(pf_store_feedback_each(fx.st, f, collect, &c), PF_OK);
	ids_of(&c, out, len);
}

/* A filter, and the ids of what it selects, newest first. */
struct filter_case {
	struct pf_feedback_filter	 f;
	const char			*ids;
};

static const struct filter_case entry_filters[] = {
		{ { NULL, NULL, NULL, NULL, 0 }, "5 4 3 2 1" },
		{ { NULL, NULL, NULL, NULL, -1 }, "5 4 3 2 1" },
		{ { NULL, NULL, NULL, NULL, 2 }, "5 4" },
		{ { "2026-11-25", NULL, NULL, NULL, 0 }, "5 4" },
		{ { NULL, "2026-11-25", NULL, NULL, 0 }, "3 2 1" },
		{ { "2026-11-24", "2026-11-25", NULL, NULL, 0 }, "3 2 1" },
		{ { T2, T3, NULL, NULL, 0 }, "2" },
		{ { NULL, NULL, "question", NULL, 0 }, "5 3 1" },
		{ { NULL, "2026-11-26", "question", NULL, 1 }, "3" },
		{ { NULL, NULL, "website-issue", NULL, 0 }, "" },
		{ { "2027", NULL, NULL, NULL, 0 }, "" },
		/* The article is for votes: entries ignore it. */
		{ { NULL, NULL, NULL, "how-to-unsubscribe", 0 }, "5 4 3 2 1" },
};

START_TEST(test_feedback_each_filters_newest_first)
{
	char	 got[64];

	put_five();
	entry_ids(&entry_filters[_i].f, got, sizeof(got));
	ck_assert_str_eq(got, entry_filters[_i].ids);
	entry_ids(NULL, got, sizeof(got));
	ck_assert_str_eq(got, "5 4 3 2 1");
}
END_TEST

/* Entries of the same microsecond: the later id is the newer. */
START_TEST(test_feedback_each_breaks_ties_by_id)
{
	char	 got[64];

	put("question", NULL, 3, T1);
	put("question", NULL, 3, T1);
	put("question", NULL, 3, T1);
	entry_ids(NULL, got, sizeof(got));
	ck_assert_str_eq(got, "3 2 1");
}
END_TEST

/* ---- the tally ---- */

struct group {
	char		 type[32];
	int		 rating, recommend, completed;
	long long	 n;
};

struct groups {
	struct group	 g[MAXROWS];
	size_t		 n;
};

static int
collect_group(const char *type, int rating, int recommend, int completed,
    long long n, void *arg)
{
	struct groups	*c = arg;
	struct group	*g = next_row(c->g, sizeof(c->g[0]), &c->n);

	snprintf(g->type, sizeof(g->type), "%s", type);
	g->rating = rating;
	g->recommend = recommend;
	g->completed = completed;
	g->n = n;
	return 0;
}

/* How many entries group (type, rating, recommend, completed) counts. */
static long long
group_n(const struct groups *c, const char *type, int rating, int recommend,
    int completed)
{
	size_t	 i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->g[i].type, type) == 0 &&
		    c->g[i].rating == rating &&
		    c->g[i].recommend == recommend &&
		    c->g[i].completed == completed)
			return c->g[i].n;
	return 0;
}

START_TEST(test_feedback_tally_groups_entries)
{
	/* A window, with a type and a limit that a tally ignores. */
	const struct pf_feedback_filter	 f = {
		.since = T2, .until = "2026-11-25", .type = "question",
		.limit = 1,
	};
	struct groups			 c;
	long long			 id;

	put("question", NULL, 4, T1);			/* open */
	put("question", "x", 4, T1);			/* open */
	id = put("question", NULL, 4, T2);
	ck_assert_int_eq(complete(id, NULL, NULL, -1, T2), PF_OK);
	id = put("question", NULL, 4, T2);
	ck_assert_int_eq(complete(id, NULL, NULL, 9, T2), PF_OK);
	id = put("complaint", NULL, 1, T3);
	ck_assert_int_eq(complete(id, "a@example.com", KEY_A, 0, T3), PF_OK);
	id = put("complaint", NULL, 1, T4);
	ck_assert_int_eq(complete(id, NULL, NULL, 0, T4), PF_OK);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(pf_store_feedback_tally(fx.st, NULL, collect_group,
	    &c), PF_OK);
	ck_assert_uint_eq(c.n, 4);
	ck_assert_int_eq(group_n(&c, "question", 4, -1, 0), 2);
	ck_assert_int_eq(group_n(&c, "question", 4, -1, 1), 1);
	ck_assert_int_eq(group_n(&c, "question", 4, 9, 1), 1);
	ck_assert_int_eq(group_n(&c, "complaint", 1, 0, 1), 2);
	/* The window applies; type and limit do not. */
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(pf_store_feedback_tally(fx.st, &f, collect_group, &c),
	    PF_OK);
	ck_assert_uint_eq(c.n, 3);
	ck_assert_int_eq(group_n(&c, "question", 4, -1, 1), 1);
	ck_assert_int_eq(group_n(&c, "question", 4, 9, 1), 1);
	ck_assert_int_eq(group_n(&c, "complaint", 1, 0, 1), 1);
}
END_TEST

START_TEST(test_feedback_tally_of_nothing)
{
	struct groups	 c;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(pf_store_feedback_tally(fx.st, NULL, collect_group,
	    &c), PF_OK);
	ck_assert_uint_eq(c.n, 0);
}
END_TEST

/* ---- export and erasure ---- */

START_TEST(test_feedback_of_email_oldest_first)
{
	struct fbs	 c;
	char		 got[64];

	put_five();
	ck_assert_int_eq(complete(4, "ann@example.com", KEY_A, 5, T5), PF_OK);
	ck_assert_int_eq(complete(2, "Ann@example.com", KEY_A, -1, T5), PF_OK);
	ck_assert_int_eq(complete(3, "bob@example.org", KEY_B, -1, T5), PF_OK);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(pf_store_feedback_of_email(fx.st, KEY_A, collect, &c),
	    PF_OK);
	ids_of(&c, got, sizeof(got));
	ck_assert_str_eq(got, "2 4");
	ck_assert_str_eq(c.row[0].email, "Ann@example.com");
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(pf_store_feedback_of_email(fx.st, "cy@example.net",
	    collect, &c), PF_OK);
	ck_assert_uint_eq(c.n, 0);
}
END_TEST

START_TEST(test_feedback_erase_forgets_person_not_figures)
{
	struct fbs	 c;
	struct fb	 r;
	long long	 n = -1;

	put_five();
	ck_assert_int_eq(complete(2, "ann@example.com", KEY_A, 7, T5), PF_OK);
	ck_assert_int_eq(complete(4, "ann@example.com", KEY_A, -1, T5), PF_OK);
	ck_assert_int_eq(complete(3, "bob@example.org", KEY_B, 10, T5), PF_OK);
	ck_assert_int_eq(pf_store_feedback_erase(fx.st, KEY_A, &n), PF_OK);
	ck_assert_int_eq(n, 2);
	r = get(2);
	ck_assert(!r.has_message && !r.has_email && !r.has_key);
	ck_assert_str_eq(r.type, "complaint");
	ck_assert_int_eq(r.rating, 1);
	ck_assert_int_eq(r.recommend, 7);
	ck_assert_str_eq(r.created, T2);
	ck_assert_str_eq(r.completed, T5);
	ck_assert_str_eq(r.updated, T5);
	r = get(4);
	ck_assert(!r.has_message && !r.has_email && !r.has_key);
	ck_assert_str_eq(r.type, "compliment");
	/* Everyone else's stays. */
	r = get(3);
	ck_assert_str_eq(r.message, "3");
	ck_assert_str_eq(r.email_key, KEY_B);
	r = get(1);
	ck_assert_str_eq(r.message, "1");
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(pf_store_feedback_of_email(fx.st, KEY_A, collect, &c),
	    PF_OK);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM feedback"), 5);
	/* Again: nothing left to erase. */
	ck_assert_int_eq(pf_store_feedback_erase(fx.st, KEY_A, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(pf_store_feedback_erase(fx.st, KEY_B, NULL), PF_OK);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM feedback "
	    "WHERE email_key IS NOT NULL OR email IS NOT NULL"), 0);
}
END_TEST

/* ---- what the table refuses ---- */

START_TEST(test_feedback_check_constraints_refuse_bad_rows)
{
	static const struct {
		const char	*type;
		int		 rating;
	} bad[] = {
		{ "praise", 3 }, { "Complaint", 3 }, { "", 3 }, { NULL, 3 },
		{ "question", 0 }, { "question", 6 }, { "question", -1 },
	};
	static const int bad_scores[] = { -2, 11, 100 };
	struct pf_feedback	 f;
	struct fb		 r;
	long long		 id;
	size_t			 i;

	memset(&f, 0, sizeof(f));
	for (i = 0; i < nitems(bad); i++) {
		f.type = bad[i].type;
		f.rating = bad[i].rating;
		ck_assert_msg(pf_store_feedback_put(fx.st, &f, T1, NULL) ==
		    PF_ESTORE, "case %zu", i);
	}
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM feedback"), 0);
	id = put("question", "kept", 3, T1);
	for (i = 0; i < nitems(bad); i++) {
		f.type = bad[i].type;
		f.rating = bad[i].rating;
		ck_assert_msg(pf_store_feedback_revise(fx.st, id, &f, T2) ==
		    PF_ESTORE, "revise case %zu", i);
	}
	for (i = 0; i < nitems(bad_scores); i++)
		ck_assert_int_eq(complete(id, NULL, NULL, bad_scores[i], T2),
		    PF_ESTORE);
	r = get(id);
	ck_assert_str_eq(r.type, "question");
	ck_assert_int_eq(r.rating, 3);
	ck_assert(!r.has_completed);
	ck_assert_str_eq(r.updated, T1);
}
END_TEST

/* ---- article votes ---- */

struct vt {
	long long	 id;
	char		 article[32], comment[64], client[80];
	char		 created[32], updated[32];
	int		 helpful, has_comment, has_client;
};

struct vts {
	struct vt	 row[MAXROWS];
	size_t		 n;
};

static int
collect_vote(const struct pf_vote *v, void *arg)
{
	struct vts	*c = arg;
	struct vt	*r = next_row(c->row, sizeof(c->row[0]), &c->n);

	r->id = v->id;
	r->helpful = v->helpful;
	copy(r->article, sizeof(r->article), v->article, NULL);
	copy(r->comment, sizeof(r->comment), v->comment, &r->has_comment);
	copy(r->client, sizeof(r->client), v->client, &r->has_client);
	copy(r->created, sizeof(r->created), v->created, NULL);
	copy(r->updated, sizeof(r->updated), v->updated, NULL);
	return 0;
}

/* Vote as a handler does, in a transaction; *replaced returned. */
static int
vote(const char *article, int helpful, const char *comment,
    const char *client, const char *window_start, const char *now,
    long long *id)
{
	struct pf_vote	 v = {
		.article = article, .helpful = helpful, .comment = comment,
		.client = client,
	};
	int		 replaced = -1;

	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(pf_store_vote_put(fx.st, &v, window_start, now, id,
	    &replaced), PF_OK);
	ck_assert_int_eq(pf_store_commit(fx.st), PF_OK);
	ck_assert(replaced == 0 || replaced == 1);
	return replaced;
}

static struct vts
votes(const struct pf_feedback_filter *f)
{
	struct vts	 c;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(pf_store_vote_each(fx.st, f, collect_vote, &c), PF_OK);
	return c;
}

/* The ids of the votes f selects (NULL: all), as "5 4 3". */
static void
vote_ids(const struct pf_feedback_filter *f, char *out, size_t len)
{
	struct vts	 c = votes(f);
	size_t		 i;

	out[0] = '\0';
	for (i = 0; i < c.n; i++)
		id_append(out, len, i, c.row[i].id);
}

START_TEST(test_vote_new_then_replaced_inside_the_window)
{
	struct vts	 c;
	long long	 a = 0, b = 0;

	ck_assert_int_eq(vote("unsubscribe", 1, "clear", C1, T1, T2, &a), 0);
	ck_assert(a > 0);
	/* Same client, same article, the first vote inside the window. */
	ck_assert_int_eq(vote("unsubscribe", 0, NULL, C1, T2, T3, &b), 1);
	ck_assert(b == a);
	c = votes(NULL);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_int_eq(c.row[0].helpful, 0);
	ck_assert(!c.row[0].has_comment);
	ck_assert_str_eq(c.row[0].client, C1);
	ck_assert_str_eq(c.row[0].created, T2);
	ck_assert_str_eq(c.row[0].updated, T3);
}
END_TEST

START_TEST(test_vote_outside_the_window_is_new)
{
	struct vts	 c;
	long long	 a = 0, b = 0;

	ck_assert_int_eq(vote("unsubscribe", 1, NULL, C1, T1, T2, &a), 0);
	/* The window now starts after the first vote. */
	ck_assert_int_eq(vote("unsubscribe", 0, NULL, C1, T3, T4, &b), 0);
	ck_assert(b != a);
	c = votes(NULL);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_int_eq(c.row[1].helpful, 1);
	ck_assert_str_eq(c.row[1].created, T2);
	ck_assert_str_eq(c.row[1].updated, T2);
}
END_TEST

/* Another client or another article is another vote. */
START_TEST(test_vote_other_client_or_article_is_new)
{
	ck_assert_int_eq(vote("unsubscribe", 1, NULL, C1, T1, T2, NULL), 0);
	ck_assert_int_eq(vote("unsubscribe", 1, NULL, C2, T1, T2, NULL), 0);
	ck_assert_int_eq(vote("export", 1, NULL, C1, T1, T2, NULL), 0);
	ck_assert_int_eq(vote("unsubscribe", 0, NULL, C2, T1, T3, NULL), 1);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM article_vote"), 3);
}
END_TEST

/* An unknown client cannot be matched: every vote counts. */
START_TEST(test_vote_without_client_is_always_new)
{
	struct vts	 c;

	ck_assert_int_eq(vote("unsubscribe", 1, NULL, NULL, T1, T2, NULL), 0);
	ck_assert_int_eq(vote("unsubscribe", 1, NULL, NULL, T1, T3, NULL), 0);
	c = votes(NULL);
	ck_assert_uint_eq(c.n, 2);
	ck_assert(!c.row[0].has_client && !c.row[1].has_client);
}
END_TEST

/* Of two rows in the window (it was made longer), the newest is replaced. */
START_TEST(test_vote_replaces_the_newest_in_the_window)
{
	struct vts	 c;
	long long	 id = 0;

	ck_assert_int_eq(vote("unsubscribe", 1, "old", C1, T2, T2, NULL), 0);
	ck_assert_int_eq(vote("unsubscribe", 1, "new", C1, T3, T3, NULL), 0);
	ck_assert_int_eq(vote("unsubscribe", 0, "again", C1, T1, T4, &id), 1);
	ck_assert(id == 2);
	c = votes(NULL);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_str_eq(c.row[0].comment, "again");
	ck_assert_str_eq(c.row[1].comment, "old");
}
END_TEST

START_TEST(test_vote_put_accepts_null_outputs_and_time)
{
	struct pf_vote	 v = {
		.article = "unsubscribe", .helpful = 1, .client = C1,
	};
	struct vts	 c;

	ck_assert_int_eq(pf_store_vote_put(fx.st, &v, T1, NULL, NULL, NULL),
	    PF_OK);
	c = votes(NULL);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_uint_eq(strlen(c.row[0].created), 27);
}
END_TEST

START_TEST(test_vote_check_constraints_refuse_bad_rows)
{
	static const int bad_helpful[] = { -1, 2, 10 };
	struct pf_vote	 v;
	size_t		 i;

	memset(&v, 0, sizeof(v));
	v.article = "unsubscribe";
	for (i = 0; i < nitems(bad_helpful); i++) {
		v.helpful = bad_helpful[i];
		ck_assert_int_eq(pf_store_vote_put(fx.st, &v, T1, T2, NULL,
		    NULL), PF_ESTORE);
	}
	v.helpful = 1;
	v.article = NULL;
	ck_assert_int_eq(pf_store_vote_put(fx.st, &v, T1, T2, NULL, NULL),
	    PF_ESTORE);
	/* Nor may a replacement break them. */
	ck_assert_int_eq(vote("unsubscribe", 1, NULL, C1, T1, T2, NULL), 0);
	v.article = "unsubscribe";
	v.client = C1;
	v.helpful = 2;
	ck_assert_int_eq(pf_store_vote_put(fx.st, &v, T1, T3, NULL, NULL),
	    PF_ESTORE);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM article_vote"), 1);
	ck_assert_int_eq(pf_test_count("SELECT helpful FROM article_vote"), 1);
}
END_TEST

static void
vote_five(void)
{
	vote("a", 1, NULL, C1, T1, T1, NULL);
	vote("b", 0, "no", C1, T1, T2, NULL);
	vote("a", 0, NULL, C2, T1, T3, NULL);
	vote("c", 1, NULL, NULL, T1, T4, NULL);
	vote("a", 1, NULL, NULL, T1, T5, NULL);
}

static const struct filter_case vote_filters[] = {
		{ { NULL, NULL, NULL, NULL, 0 }, "5 4 3 2 1" },
		{ { NULL, NULL, NULL, NULL, 3 }, "5 4 3" },
		{ { NULL, NULL, NULL, "a", 0 }, "5 3 1" },
		{ { NULL, NULL, NULL, "a", 2 }, "5 3" },
		{ { "2026-11-25", NULL, NULL, NULL, 0 }, "5 4" },
		{ { NULL, "2026-11-25", NULL, "a", 0 }, "3 1" },
		{ { T2, T3, NULL, NULL, 0 }, "2" },
		{ { NULL, NULL, NULL, "d", 0 }, "" },
		/* The type is for entries: votes ignore it. */
		{ { NULL, NULL, "complaint", NULL, 0 }, "5 4 3 2 1" },
};

START_TEST(test_vote_each_filters_newest_first)
{
	struct vts	 c;
	char		 got[64];

	vote_five();
	vote_ids(&vote_filters[_i].f, got, sizeof(got));
	ck_assert_str_eq(got, vote_filters[_i].ids);
	c = votes(NULL);
	ck_assert_str_eq(c.row[3].article, "b");
	ck_assert_str_eq(c.row[3].comment, "no");
	ck_assert_int_eq(c.row[3].helpful, 0);
}
END_TEST

struct art {
	char		 article[32];
	long long	 votes, helpful;
};

struct arts {
	struct art	 a[MAXROWS];
	size_t		 n;
};

static int
collect_art(const char *article, long long v, long long helpful, void *arg)
{
	struct arts	*c = arg;

	ck_assert_uint_lt(c->n, MAXROWS);
	snprintf(c->a[c->n].article, sizeof(c->a[c->n].article), "%s",
	    article);
	c->a[c->n].votes = v;
	c->a[c->n].helpful = helpful;
	c->n++;
	return 0;
}

/* The vote tally of f (NULL: all) is the n rows of want, in order. */
static void
tally_is(const struct pf_feedback_filter *f, const struct art *want,
    size_t n)
{
	struct arts	 c;
	size_t		 i;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(pf_store_vote_tally(fx.st, f, collect_art, &c), PF_OK);
	ck_assert_uint_eq(c.n, n);
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(c.a[i].article, want[i].article);
		ck_assert_int_eq(c.a[i].votes, want[i].votes);
		ck_assert_int_eq(c.a[i].helpful, want[i].helpful);
	}
}

START_TEST(test_vote_tally_most_votes_first_then_by_article)
{
	static const struct art want[] = {
		{ "a", 3, 2 }, { "b", 1, 0 }, { "c", 1, 1 },
	};
	static const struct art want_window[] = {
		{ "a", 1, 0 }, { "b", 1, 0 },
	};
	/* A window, with an article and a limit that a tally ignores. */
	const struct pf_feedback_filter	 f = {
		.since = T2, .until = "2026-11-25", .article = "c", .limit = 1,
	};

	vote_five();
	tally_is(NULL, want, nitems(want));
	/* The window applies; article and limit do not. */
	tally_is(&f, want_window, nitems(want_window));
}
END_TEST

START_TEST(test_vote_forget_clients_before_the_window)
{
	struct vts	 c;
	long long	 n = -1;

	vote("a", 1, NULL, C1, T1, T1, NULL);
	vote("b", 1, NULL, C2, T1, T2, NULL);
	vote("a", 1, NULL, C2, T1, T4, NULL);
	ck_assert_int_eq(pf_store_vote_forget_clients(fx.st, T3, &n), PF_OK);
	ck_assert_int_eq(n, 2);
	c = votes(NULL);
	ck_assert_str_eq(c.row[0].client, C2);
	ck_assert(!c.row[1].has_client && !c.row[2].has_client);
	ck_assert_str_eq(c.row[2].article, "a");
	/* Already forgotten rows do not count again. */
	ck_assert_int_eq(pf_store_vote_forget_clients(fx.st, T3, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	/* A forgotten vote cannot be matched: the same client counts anew. */
	ck_assert_int_eq(vote("a", 0, NULL, C1, T1, T5, NULL), 0);
	ck_assert_int_eq(pf_store_vote_forget_clients(fx.st, "9999", NULL),
	    PF_OK);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM article_vote "
	    "WHERE client IS NOT NULL"), 0);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM article_vote"), 4);
}
END_TEST

/* A callback that runs the same query again is refused, not corrupted. */
static int
reenter(const struct pf_vote *v, void *arg)
{
	struct vts	 c;

	(void)v;
	memset(&c, 0, sizeof(c));
	*(int *)arg = pf_store_vote_each(fx.st, NULL, collect_vote, &c);
	return 0;
}

START_TEST(test_vote_each_refuses_reentry)
{
	int	 inner = -1;

	vote("a", 1, NULL, C1, T1, T1, NULL);
	ck_assert_int_eq(pf_store_vote_each(fx.st, NULL, reenter, &inner),
	    PF_OK);
	ck_assert_int_eq(inner, PF_ESTORE);
}
END_TEST

/*
 * A file made by the previous release (schema version 4, with rows) gains
 * the feedback tables on open and keeps what it had.
 */
START_TEST(test_migration_from_version_4_keeps_rows)
{
	int	 v = -1;

	pf_test_old_schema(4, "005-feedback.sql");
	pf_test_exec("INSERT INTO optout VALUES ('email', '" KEY_A "', '', "
	    "NULL, 'form', '" T1 "', '" T1 "')");
	pf_test_reopen();
	ck_assert_int_eq(pf_store_schema_version(fx.st, &v), PF_OK);
	ck_assert_int_eq(v, (int)pf_migrations[pf_nmigrations - 1].version);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM optout"), 1);
	put("question", NULL, 3, T1);
	ck_assert_int_eq(vote("a", 1, NULL, C1, T1, T1, NULL), 0);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM feedback"), 1);
}
END_TEST

START_TEST(test_feedback_is_forwarded_once)
{
	long long	 a = put("complaint", "Broken", 1, T1);

	ck_assert_int_eq(pf_store_feedback_forwarded(fx.st, a, T2), PF_OK);
	ck_assert_int_eq(pf_store_feedback_forwarded(fx.st, a, T3),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_feedback_forwarded(fx.st, a + 1, T3),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM feedback WHERE "
	    "forwarded = '" T2 "'"), 1);
}
END_TEST

START_TEST(test_outbox_forget_subject_takes_unsent_mail_only)
{
	long long	 n = -1;

	ck_assert_int_eq(pf_store_outbox_put(fx.st, "feedback-forward",
	    "team@example.com", "id=1", C1, "en", T1, NULL), PF_OK);
	ck_assert_int_eq(pf_store_outbox_put(fx.st, "feedback-forward",
	    "team@example.com", "id=2", C2, "en", T1, NULL), PF_OK);
	ck_assert_int_eq(pf_store_outbox_put(fx.st, "feedback-forward",
	    "team@example.com", "id=3", NULL, "en", T1, NULL), PF_OK);
	ck_assert_int_eq(pf_store_outbox_forget_subject(fx.st, C1, &n), PF_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM outbox"), 2);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM outbox WHERE "
	    "subject = '" C2 "'"), 1);
	ck_assert_int_eq(pf_store_outbox_forget_subject(fx.st, C1, NULL),
	    PF_OK);
}
END_TEST

static void
add_tests(TCase *tc)
{
	pf_test_fixture(tc, PF_TEST_STORE, NULL, NULL, NULL);
	tcase_add_test(tc, test_feedback_put_and_get_round_trip);
	tcase_add_test(tc, test_feedback_is_forwarded_once);
	tcase_add_test(tc, test_outbox_forget_subject_takes_unsent_mail_only);
	tcase_add_test(tc, test_feedback_put_without_time_or_id_pointer);
	tcase_add_test(tc, test_feedback_get_unknown_is_not_found);
	tcase_add_test(tc, test_feedback_callback_value_is_returned);
	tcase_add_test(tc, test_feedback_revise_while_open);
	tcase_add_test(tc, test_feedback_revise_after_completion_is_not_found);
	tcase_add_test(tc, test_feedback_complete_sets_step_2);
	tcase_add_test(tc, test_feedback_complete_with_nothing_left);
	tcase_add_test(tc, test_feedback_completes_once);
	PF_LOOP(test_feedback_each_filters_newest_first, entry_filters);
	tcase_add_test(tc, test_feedback_each_breaks_ties_by_id);
	tcase_add_test(tc, test_feedback_tally_groups_entries);
	tcase_add_test(tc, test_feedback_tally_of_nothing);
	tcase_add_test(tc, test_feedback_of_email_oldest_first);
	tcase_add_test(tc, test_feedback_erase_forgets_person_not_figures);
	tcase_add_test(tc, test_feedback_check_constraints_refuse_bad_rows);
	tcase_add_test(tc, test_vote_new_then_replaced_inside_the_window);
	tcase_add_test(tc, test_vote_outside_the_window_is_new);
	tcase_add_test(tc, test_vote_other_client_or_article_is_new);
	tcase_add_test(tc, test_vote_without_client_is_always_new);
	tcase_add_test(tc, test_vote_replaces_the_newest_in_the_window);
	tcase_add_test(tc, test_vote_put_accepts_null_outputs_and_time);
	tcase_add_test(tc, test_vote_check_constraints_refuse_bad_rows);
	PF_LOOP(test_vote_each_filters_newest_first, vote_filters);
	tcase_add_test(tc, test_vote_tally_most_votes_first_then_by_article);
	tcase_add_test(tc, test_vote_forget_clients_before_the_window);
	tcase_add_test(tc, test_vote_each_refuses_reentry);
	tcase_add_test(tc, test_migration_from_version_4_keeps_rows);
}

PF_TEST_MAIN("store_feedback", add_tests(tc))
