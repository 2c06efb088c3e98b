/*
 * test_feedback.c -- site feedback (feedback.h): the tables, the figures
 * (CSAT and NPS against hand-computed values), the step-2 token, whether
 * and what an entry forwards (queued into a fresh database), and copies
 * of a row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "fixture.h"
#include "config.h"
#include "err.h"
#include "feedback.h"
#include "keys.h"
#include "lang.h"
#include "mail.h"
#include "nitems.h"
#include "store.h"
#include "token.h"
#include "validate.h"

#define BASE		"https://www.example.com"
#define TEAM		"team@example.com"
#define MAIL_TEMPLATES	"etc/mail"
#define NOW		((time_t)1800000000)
#define SUBJECT		"5eb63bbbe01eeed093cb22bb8f5acdc3" \
			"5eb63bbbe01eeed093cb22bb8f5acdc3"

#define CONF	"base_url = " BASE "\nprefix = /privacy\n" \
		"database = privforms.db\n"

/* A configuration with feedback_to and mail_from each given or not. */
static void
load_conf(const char *to, const char *from)
{
	char	 text[512];
	int	 n;

	n = snprintf(text, sizeof(text), "%s", CONF);
	if (to != NULL)
		n += snprintf(text + n, sizeof(text) - n, "feedback_to = %s\n",
		    to);
	if (from != NULL)
		snprintf(text + n, sizeof(text) - n, "mail_from = %s\n", from);
	pf_test_conf(text);
}

/* ---- the tables ---- */

/* What 005-feedback.sql allows, in its order. */
static const char *const schema_types[] = { "compliment", "question",
    "product-inquiry", "website-issue", "complaint", NULL };

START_TEST(test_types_match_the_schema_with_labels)
{
	static const char *const labels[] = { "Compliment", "Question",
	    "Product inquiry", "Website issue", "Complaint" };
	size_t	 i;

	for (i = 0; schema_types[i] != NULL; i++) {
		ck_assert_str_eq(pf_feedback_types[2 * i], schema_types[i]);
		ck_assert_str_eq(pf_feedback_types[2 * i + 1], labels[i]);
		ck_assert_int_eq(pf_feedback_type_index(schema_types[i]),
		    (int)i);
	}
	ck_assert_uint_eq(i, PF_FEEDBACK_NTYPES);
	ck_assert_ptr_null(pf_feedback_types[2 * i]);
}
END_TEST

START_TEST(test_ratings_in_order_of_value)
{
	static const char *const want[][2] = { { "terrible", "Terrible" },
	    { "bad", "Bad" }, { "okay", "Okay" }, { "great", "Great" },
	    { "amazing", "Amazing" } };
	size_t	 i;

	for (i = 0; i < nitems(want); i++) {
		ck_assert_str_eq(pf_feedback_ratings[2 * i], want[i][0]);
		ck_assert_str_eq(pf_feedback_ratings[2 * i + 1], want[i][1]);
		ck_assert_int_eq(pf_feedback_rating(want[i][0]), (int)i + 1);
		ck_assert_str_eq(pf_feedback_rating_code((int)i + 1),
		    want[i][0]);
	}
	ck_assert_uint_eq(nitems(want), PF_FEEDBACK_NRATINGS);
	ck_assert_ptr_null(pf_feedback_ratings[2 * nitems(want)]);
	ck_assert_int_eq(pf_feedback_rating("great"), 4);
}
END_TEST

START_TEST(test_unknown_codes_have_no_value)
{
	static const char *const bad[] = { "", "Great", "great ", "grea",
	    "4", "complaint", "Amazing" };
	static const int bad_ratings[] = { -1, 0, 6, 100 };
	size_t	 i;

	for (i = 0; i < nitems(bad); i++)
		ck_assert_int_eq(pf_feedback_rating(bad[i]), 0);
	ck_assert_int_eq(pf_feedback_rating(NULL), 0);
	for (i = 0; i < nitems(bad_ratings); i++)
		ck_assert_ptr_null(pf_feedback_rating_code(bad_ratings[i]));
	ck_assert_int_eq(pf_feedback_type_index("Complaint"), -1);
	ck_assert_int_eq(pf_feedback_type_index("great"), -1);
	ck_assert_int_eq(pf_feedback_type_index(""), -1);
	ck_assert_int_eq(pf_feedback_type_index(NULL), -1);
}
END_TEST

START_TEST(test_scores_are_zero_to_ten_for_valid_enum)
{
	char	 want[4], *norm = NULL;
	int	 i;

	for (i = 0; i <= 10; i++) {
		snprintf(want, sizeof(want), "%d", i);
		ck_assert_str_eq(pf_feedback_scores[i], want);
		ck_assert_ptr_null(pf_valid_enum(want, pf_feedback_scores,
		    &norm));
		ck_assert_str_eq(norm, want);
		free(norm);
	}
	ck_assert_ptr_null(pf_feedback_scores[11]);
	ck_assert_ptr_nonnull(pf_valid_enum("11", pf_feedback_scores, &norm));
	ck_assert_ptr_nonnull(pf_valid_enum("-1", pf_feedback_scores, &norm));
	ck_assert_ptr_nonnull(pf_valid_enum("05", pf_feedback_scores, &norm));
}
END_TEST

/* ---- the figures ---- */

/* One row of a tally: what pf_store_feedback_tally would call back. */
struct row {
	const char	*type;
	int		 rating, recommend, completed;
	long long	 n;
};

static void
tally(const struct row *rows, size_t n, struct pf_feedback_stats *s)
{
	size_t	 i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++)
		ck_assert_int_eq(pf_feedback_tally(rows[i].type, rows[i].rating,
		    rows[i].recommend, rows[i].completed, rows[i].n, s), PF_OK);
}

START_TEST(test_tally_adds_each_figure)
{
	static const struct row rows[] = {
		{ "complaint", 1, 0, 1, 2 },
		{ "complaint", 1, -1, 0, 3 },
		{ "compliment", 5, 10, 1, 4 },
		{ "question", 3, -1, 1, 1 },
		{ "compliment", 5, 10, 1, 1 },
	};
	struct pf_feedback_stats	 s;

	tally(rows, nitems(rows), &s);
	ck_assert_int_eq(s.entries, 11);
	ck_assert_int_eq(s.completed, 8);
	ck_assert_int_eq(s.type[pf_feedback_type_index("complaint")], 5);
	ck_assert_int_eq(s.type[pf_feedback_type_index("compliment")], 5);
	ck_assert_int_eq(s.type[pf_feedback_type_index("question")], 1);
	ck_assert_int_eq(s.type[pf_feedback_type_index("website-issue")], 0);
	ck_assert_int_eq(s.rating[0], 5);
	ck_assert_int_eq(s.rating[2], 1);
	ck_assert_int_eq(s.rating[4], 5);
	ck_assert_int_eq(s.recommend[0], 2);
	ck_assert_int_eq(s.recommend[10], 5);
	ck_assert_int_eq(s.answers, 7);
}
END_TEST

/* A row the tables do not know stops the tally; nothing of it is added. */
START_TEST(test_tally_refuses_unknown_codes)
{
	static const struct row bad[] = {
		{ "praise", 3, 5, 1, 1 },
		{ "Complaint", 3, 5, 1, 1 },
		{ "", 3, 5, 1, 1 },
		{ NULL, 3, 5, 1, 1 },
		{ "question", 0, 5, 1, 1 },
		{ "question", 6, 5, 1, 1 },
		{ "question", -1, 5, 1, 1 },
		{ "question", 3, 11, 1, 1 },
		{ "question", 3, -2, 1, 1 },
		{ "question", 3, 5, 1, -1 },
	};
	struct pf_feedback_stats	 s, zero;
	size_t				 i;

	memset(&zero, 0, sizeof(zero));
	for (i = 0; i < nitems(bad); i++) {
		memset(&s, 0, sizeof(s));
		ck_assert_msg(pf_feedback_tally(bad[i].type, bad[i].rating,
		    bad[i].recommend, bad[i].completed, bad[i].n, &s) ==
		    PF_EINVAL, "row %zu accepted", i);
		ck_assert_msg(memcmp(&s, &zero, sizeof(s)) == 0,
		    "row %zu counted", i);
	}
}
END_TEST

START_TEST(test_csat_is_share_of_great_and_amazing)
{
	static const struct {
		struct row	 rows[5];
		size_t		 n;
		long long	 tenths;	/* CSAT, rounded */
	} cases[] = {
		/* 10 entries, 3 amazing and 2 great: 50 %. */
		{ { { "question", 5, -1, 0, 3 }, { "question", 4, -1, 0, 2 },
		    { "question", 3, -1, 0, 2 }, { "question", 2, -1, 0, 2 },
		    { "question", 1, -1, 0, 1 } }, 5, 500 },
		/* Okay is not satisfied: 1 of 3. */
		{ { { "question", 3, -1, 0, 2 }, { "question", 4, 7, 1, 1 } },
		    2, 333 },
		{ { { "complaint", 1, -1, 0, 4 } }, 1, 0 },
		{ { { "compliment", 5, -1, 0, 1 }, { "compliment", 4, -1, 0,
		    1 } }, 2, 1000 },
	};
	struct pf_feedback_stats	 s;
	size_t				 i;
	long long			 t;

	for (i = 0; i < nitems(cases); i++) {
		tally(cases[i].rows, cases[i].n, &s);
		ck_assert_int_eq(pf_feedback_tenths(pf_feedback_satisfied(&s),
		    s.entries, &t), PF_OK);
		ck_assert_msg(t == cases[i].tenths, "case %zu: %lld", i, t);
	}
}
END_TEST

START_TEST(test_csat_of_no_entries_is_undefined)
{
	struct pf_feedback_stats	 s;
	long long			 t = 7;

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(pf_feedback_satisfied(&s), 0);
	ck_assert_int_eq(pf_feedback_tenths(0, s.entries, &t), PF_EINVAL);
	ck_assert_int_eq(t, 7);
}
END_TEST

/* Ties round away from zero, as people round: 6.25 is 6.3, -6.25 is -6.3. */
START_TEST(test_tenths_round_half_away_from_zero)
{
	static const struct {
		long long	 n, total, tenths;
	} cases[] = {
		{ 1, 16, 63 }, { 3, 16, 188 }, { 5, 16, 313 }, { 1, 80, 13 },
		{ -1, 16, -63 }, { -3, 16, -188 }, { 1, 3, 333 },
		{ 2, 3, 667 }, { -2, 3, -667 }, { 0, 5, 0 }, { 5, 5, 1000 },
		{ -5, 5, -1000 }, { -1, 2001, 0 }, { 1, 2001, 0 },
	};
	size_t		 i;
	long long	 t;

	for (i = 0; i < nitems(cases); i++) {
		ck_assert_int_eq(pf_feedback_tenths(cases[i].n, cases[i].total,
		    &t), PF_OK);
		ck_assert_msg(t == cases[i].tenths, "%lld/%lld: %lld",
		    cases[i].n, cases[i].total, t);
	}
	ck_assert_int_eq(pf_feedback_tenths(1, 0, &t), PF_EINVAL);
	ck_assert_int_eq(pf_feedback_tenths(1, -4, &t), PF_EINVAL);
}
END_TEST

/* Scores {10, 9, 9, 8, 6, 3}: 3 promoters, 1 passive, 2 detractors. */
START_TEST(test_nps_of_a_known_set)
{
	static const int scores[] = { 10, 9, 9, 8, 6, 3 };
	struct pf_feedback_stats	 s;
	struct pf_feedback_nps		 nps;
	size_t				 i;
	long long			 t;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < nitems(scores); i++)
		ck_assert_int_eq(pf_feedback_tally("question", 3, scores[i], 1,
		    1, &s), PF_OK);
	/* One entry with no score counts for neither. */
	ck_assert_int_eq(pf_feedback_tally("question", 3, -1, 0, 1, &s),
	    PF_OK);
	pf_feedback_nps(&s, &nps);
	ck_assert_int_eq(nps.promoters, 3);
	ck_assert_int_eq(nps.passives, 1);
	ck_assert_int_eq(nps.detractors, 2);
	ck_assert_int_eq(nps.answers, 6);
	ck_assert_int_eq(pf_feedback_tenths(nps.promoters - nps.detractors,
	    nps.answers, &t), PF_OK);
	ck_assert_int_eq(t, 167);	/* 16.666... */
}
END_TEST

/* Where each score falls: 6 detracts, 7 and 8 are passive, 9 promotes. */
START_TEST(test_nps_buckets_at_their_boundaries)
{
	static const struct {
		int		 score;
		long long	 nps;	/* tenths */
	} cases[] = {
		{ 0, -1000 }, { 6, -1000 }, { 7, 0 }, { 8, 0 }, { 9, 1000 },
		{ 10, 1000 },
	};
	struct pf_feedback_stats	 s;
	struct pf_feedback_nps		 nps;
	size_t				 i;
	long long			 t;

	for (i = 0; i < nitems(cases); i++) {
		memset(&s, 0, sizeof(s));
		ck_assert_int_eq(pf_feedback_tally("compliment", 5,
		    cases[i].score, 1, 2, &s), PF_OK);
		pf_feedback_nps(&s, &nps);
		ck_assert_int_eq(nps.answers, 2);
		ck_assert_int_eq(pf_feedback_tenths(nps.promoters -
		    nps.detractors, nps.answers, &t), PF_OK);
		ck_assert_msg(t == cases[i].nps, "score %d: %lld",
		    cases[i].score, t);
	}
}
END_TEST

START_TEST(test_nps_of_no_answers_is_zero)
{
	struct pf_feedback_stats	 s;
	struct pf_feedback_nps		 nps;

	memset(&s, 0, sizeof(s));
	memset(&nps, 0x55, sizeof(nps));
	ck_assert_int_eq(pf_feedback_tally("question", 4, -1, 0, 5, &s),
	    PF_OK);
	pf_feedback_nps(&s, &nps);
	ck_assert_int_eq(nps.promoters + nps.passives + nps.detractors, 0);
	ck_assert_int_eq(nps.answers, 0);
}
END_TEST

/* ---- the step-2 token ---- */

/* A step-2 token for id under k, which must be made: the caller frees it. */
static char *
step_make(const struct pf_keys *k, long long id, const char *email,
    const char *recommend, time_t expires)
{
	char	*tok = NULL;

	ck_assert_int_eq(pf_feedback_step_make(k, id, email, recommend,
	    expires, &tok), PF_OK);
	return tok;
}

/* What a refused check leaves: nothing. */
static void
is_zeroed(const struct pf_feedback_step *s)
{
	ck_assert(s->id == 0 && s->email == NULL && s->recommend == NULL);
}

START_TEST(test_step_token_round_trip)
{
	static const struct {
		const char	*email, *recommend;
	} cases[] = {
		{ "Jane.Doe@Example.com", "8" },
		{ NULL, NULL },
		{ "", "" },
		{ "half typed@", NULL },
		{ NULL, "10" },
	};
	struct pf_feedback_step	 s;
	char			*tok = NULL;
	size_t			 i;

	for (i = 0; i < nitems(cases); i++) {
		tok = step_make(&fx.keys, 42, cases[i].email,
		    cases[i].recommend, NOW + 3600);
		ck_assert_uint_eq(strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_."), strlen(tok));
		/* The address is sealed, not merely encoded. */
		ck_assert_ptr_null(strstr(tok, "Jane"));
		ck_assert_int_eq(pf_feedback_step_check(&fx.keys, tok, NOW, &s),
		    PF_OK);
		ck_assert(s.id == 42);
		if (cases[i].email == NULL || cases[i].email[0] == '\0')
			ck_assert_ptr_null(s.email);
		else
			ck_assert_str_eq(s.email, cases[i].email);
		if (cases[i].recommend == NULL ||
		    cases[i].recommend[0] == '\0')
			ck_assert_ptr_null(s.recommend);
		else
			ck_assert_str_eq(s.recommend, cases[i].recommend);
		pf_feedback_step_clear(&s);
		ck_assert_ptr_null(s.email);
		free(tok);
	}
}
END_TEST

START_TEST(test_step_token_expires)
{
	char			*tok = step_make(&fx.keys, 7, "a@example.com",
	    "3", NOW);
	struct pf_feedback_step	 s;

	ck_assert_int_eq(pf_feedback_step_check(&fx.keys, tok, NOW, &s), PF_OK);
	pf_feedback_step_clear(&s);
	memset(&s, 0x55, sizeof(s));
	ck_assert_int_eq(pf_feedback_step_check(&fx.keys, tok, NOW + 1, &s),
	    PF_EEXPIRED);
	is_zeroed(&s);
	free(tok);
}
END_TEST

/* Another key, another purpose, garbage: forged, and out zeroed. */
START_TEST(test_step_token_refuses_forgeries)
{
	const char		*fields[] = { "42", "", "" };
	struct pf_feedback_step	 s;
	char			*tok = NULL, *other = NULL;

	tok = step_make(&fx.other_keys, 42, NULL, NULL, NOW + 60);
	memset(&s, 0x55, sizeof(s));
	ck_assert_int_eq(pf_feedback_step_check(&fx.keys, tok, NOW, &s),
	    PF_EFORGED);
	is_zeroed(&s);
	ck_assert_int_eq(pf_token_make(fx.keys.token, "request-status",
	    NOW + 60, fields, 3, &other), PF_OK);
	ck_assert_int_eq(pf_feedback_step_check(&fx.keys, other, NOW, &s),
	    PF_EFORGED);
	ck_assert_int_eq(pf_feedback_step_check(&fx.keys, "", NOW, &s),
	    PF_EFORGED);
	ck_assert_int_eq(pf_feedback_step_check(&fx.keys, "abc.def", NOW, &s),
	    PF_EFORGED);
	tok[strlen(tok) - 1] ^= 1;
	ck_assert_int_eq(pf_feedback_step_check(&fx.keys, tok, NOW, &s),
	    PF_EFORGED);
	is_zeroed(&s);
	free(tok);
	free(other);
}
END_TEST

/* Genuine tokens whose content step_make would never write. */
START_TEST(test_step_token_refuses_what_make_never_writes)
{
	static const struct {
		const char	*fields[4];
		size_t		 n;
	} bad[] = {
		{ { "0", "", "" }, 3 },
		{ { "-1", "", "" }, 3 },
		{ { "+1", "", "" }, 3 },
		{ { "01", "", "" }, 3 },
		{ { " 1", "", "" }, 3 },
		{ { "1 ", "", "" }, 3 },
		{ { "1x", "", "" }, 3 },
		{ { "0x10", "", "" }, 3 },
		{ { "", "", "" }, 3 },
		{ { "99999999999999999999", "", "" }, 3 },
		{ { "9223372036854775808", "", "" }, 3 },
		{ { "42", "" }, 2 },
		{ { "42" }, 1 },
		{ { "42", "", "", "" }, 4 },
	};
	struct pf_feedback_step	 s;
	char			*tok = NULL;
	size_t			 i;

	for (i = 0; i < nitems(bad); i++) {
		ck_assert_int_eq(pf_token_make(fx.keys.token, PF_FEEDBACK_STEP,
		    NOW + 60, bad[i].fields, bad[i].n, &tok), PF_OK);
		ck_assert_msg(pf_feedback_step_check(&fx.keys, tok, NOW, &s) ==
		    PF_EFORGED, "case %zu accepted", i);
		is_zeroed(&s);
		free(tok);
	}
}
END_TEST

/* Step 2 is in step 1's language; a token from before, in the current. */
START_TEST(test_step_token_carries_its_language)
{
	const char		*f[] = { "42", "", "" };
	struct pf_feedback_step	 s;
	char			*tok, *old = NULL;

	pf_test_offer("en de zh-CN");

	ck_assert_int_eq(pf_lang_use("zh-CN"), PF_OK);
	tok = step_make(&fx.keys, 42, NULL, NULL, NOW);
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	ck_assert_int_eq(pf_feedback_step_check(&fx.keys, tok, NOW, &s), PF_OK);
	ck_assert_str_eq(pf_lang_current(), "zh-CN");
	pf_feedback_step_clear(&s);
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	ck_assert_int_eq(pf_token_make(fx.keys.token, PF_FEEDBACK_STEP,
	    NOW + 60, f, 3, &old), PF_OK);
	ck_assert_int_eq(pf_feedback_step_check(&fx.keys, old, NOW, &s), PF_OK);
	ck_assert(s.id == 42);
	ck_assert_str_eq(pf_lang_current(), "de");
	pf_feedback_step_clear(&s);
	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
	free(old);
	free(tok);
}
END_TEST

START_TEST(test_step_token_largest_id)
{
	char			*tok = step_make(&fx.keys,
	    9223372036854775807LL, NULL, NULL, NOW);
	struct pf_feedback_step	 s;

	ck_assert_int_eq(pf_feedback_step_check(&fx.keys, tok, NOW, &s), PF_OK);
	ck_assert(s.id == 9223372036854775807LL);
	pf_feedback_step_clear(&s);
	free(tok);
}
END_TEST

START_TEST(test_step_token_make_refuses_non_positive_ids)
{
	static const long long bad[] = { 0, -1, -9223372036854775807LL };
	char	*tok = (char *)"x";
	size_t	 i;

	for (i = 0; i < nitems(bad); i++) {
		ck_assert_int_eq(pf_feedback_step_make(&fx.keys, bad[i], NULL,
		    NULL, NOW, &tok), PF_EINVAL);
		ck_assert_ptr_null(tok);
	}
}
END_TEST

START_TEST(test_step_clear_accepts_zeroed)
{
	struct pf_feedback_step	 s;

	memset(&s, 0, sizeof(s));
	pf_feedback_step_clear(&s);
	pf_feedback_step_clear(&s);
}
END_TEST

/* ---- forwarding ---- */



static struct pf_feedback
entry(const char *type, const char *email)
{
	struct pf_feedback	 f;

	memset(&f, 0, sizeof(f));
	f.id = 42;
	f.type = type;
	f.message = "The form lost my text.\nTwice.";
	f.rating = 2;
	f.email = email;
	f.email_key = email != NULL ? "jane@example.com" : NULL;
	f.recommend = -1;
	f.created = "2027-01-15T08:05:59.123456Z";
	f.updated = f.created;
	return f;
}

START_TEST(test_forwards_complaints_at_step_1_emails_at_step_2)
{
	static const struct {
		const char	*type, *email;
		int		 step, want;
	} cases[] = {
		{ "complaint", NULL, 1, 1 },
		{ "complaint", NULL, 2, 0 },
		{ "complaint", "jane@example.com", 2, 1 },
		{ "question", NULL, 1, 0 },
		{ "question", "jane@example.com", 1, 0 },
		{ "question", "jane@example.com", 2, 1 },
		{ "question", "", 2, 0 },
		{ "compliment", NULL, 2, 0 },
		{ "complaint", NULL, 0, 0 },
		{ "complaint", NULL, 3, 0 },
	};
	struct pf_feedback	 f;
	size_t			 i;

	for (i = 0; i < nitems(cases); i++) {
		f = entry(cases[i].type, cases[i].email);
		ck_assert_msg(pf_feedback_forwards(fx.cfg, &f, cases[i].step) ==
		    cases[i].want, "case %zu", i);
	}
}
END_TEST

START_TEST(test_forwards_nothing_without_team_or_sender)
{
	static const struct {
		const char	*to, *from;
	} cases[] = {
		{ NULL, "privacy@example.com" },
		{ TEAM, NULL },
		{ NULL, NULL },
	};
	struct pf_feedback	 f = entry("complaint", "jane@example.com");
	size_t			 i;

	for (i = 0; i < nitems(cases); i++) {
		load_conf(cases[i].to, cases[i].from);
		ck_assert_int_eq(pf_feedback_forwards(fx.cfg, &f, 1), 0);
		ck_assert_int_eq(pf_feedback_forwards(fx.cfg, &f, 2), 0);
		ck_assert_int_eq(pf_feedback_forward(fx.st, fx.cfg, &f,
		    SUBJECT), PF_OK);
	}
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 0);
}
END_TEST

/* Exactly the placeholders feedback.h names, each once. */
static const char *const names[] = { "id", "received", "type", "rating",
    "recommend", "email", "message", "step", "site" };

START_TEST(test_forward_of_an_open_complaint)
{
	struct pf_feedback	 f = entry("complaint", NULL);
	struct pf_test_queued		 q;
	static const char *const want[] = {
		"id", "42", "received", "2027-01-15 08:05 UTC",
		"type", "Complaint", "rating", "Bad",
		"recommend", "not answered", "email", "none left",
		"message", "The form lost my text.\nTwice.",
		"step", "Step 2 not sent (yet)", "site", BASE "/privacy/",
		NULL
	};
	size_t			 i;

	ck_assert_int_eq(pf_feedback_forward(fx.st, fx.cfg, &f, NULL), PF_OK);
	pf_test_queued(fx.st, 1, &q);
	ck_assert_str_eq(q.m.template, "feedback-forward");
	ck_assert_str_eq(q.recipient, TEAM);
	ck_assert_str_eq(q.subject, "");
	for (i = 0; q.m.values[i] != NULL; i += 2)
		continue;
	ck_assert_uint_eq(i, 2 * nitems(names));
	for (i = 0; i < nitems(names); i++)
		ck_assert_str_eq(q.m.values[2 * i], names[i]);
	pf_test_values(&q.m, want);
	pf_mail_clear(&q.m);
}
END_TEST

/* The shipped template takes exactly these values (an unknown one fails). */
START_TEST(test_forward_renders_with_the_shipped_template)
{
	struct pf_feedback	 f = entry("complaint", "jane@example.com");
	struct pf_test_rendered	 out;

	f.completed = "2027-01-15T08:07:00.000000Z";
	f.recommend = 3;
	ck_assert_int_eq(pf_feedback_forward(fx.st, fx.cfg, &f, SUBJECT),
	    PF_OK);
	pf_test_render(1, MAIL_TEMPLATES, &out);
	ck_assert_ptr_nonnull(strstr(out.body,
	    "The form lost my text.\nTwice."));
	ck_assert_ptr_nonnull(strstr(out.body, "jane@example.com"));
	ck_assert_ptr_nonnull(strstr(out.body, "2027-01-15 08:05 UTC"));
	ck_assert_ptr_nonnull(strstr(out.body, "3 of 10"));
	pf_test_rendered_clear(&out);
}
END_TEST

START_TEST(test_forward_of_a_completed_entry)
{
	static const struct {
		int		 recommend;
		const char	*text;
	} scores[] = { { 0, "0 of 10" }, { 8, "8 of 10" }, { 10, "10 of 10" },
	    { -1, "not answered" } };
	struct pf_feedback	 f = entry("question", "Jane@example.com");
	struct pf_test_queued		 q;
	size_t			 i;

	f.message = NULL;
	f.rating = 5;
	f.completed = "2027-01-15T08:07:00.000000Z";
	for (i = 0; i < nitems(scores); i++) {
		f.recommend = scores[i].recommend;
		ck_assert_int_eq(pf_feedback_forward(fx.st, fx.cfg, &f,
		    SUBJECT), PF_OK);
		pf_test_queued(fx.st, (long long)i + 1, &q);
		ck_assert_str_eq(q.subject, SUBJECT);
		ck_assert_str_eq(pf_test_value(&q.m, "type"), "Question");
		ck_assert_str_eq(pf_test_value(&q.m, "rating"), "Amazing");
		ck_assert_str_eq(pf_test_value(&q.m, "recommend"), scores[i].text);
		ck_assert_str_eq(pf_test_value(&q.m, "email"), "Jane@example.com");
		ck_assert_str_eq(pf_test_value(&q.m, "message"), "(no message)");
		ck_assert_str_eq(pf_test_value(&q.m, "step"), "Both steps sent");
		pf_mail_clear(&q.m);
	}
}
END_TEST

START_TEST(test_forward_of_entry_not_forwarded_queues_nothing)
{
	struct pf_feedback	 f = entry("compliment", NULL);

	ck_assert_int_eq(pf_feedback_forward(fx.st, fx.cfg, &f, NULL), PF_OK);
	f.completed = "2027-01-15T08:07:00.000000Z";
	ck_assert_int_eq(pf_feedback_forward(fx.st, fx.cfg, &f, NULL), PF_OK);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 0);
}
END_TEST

/* A value missing or unknown would cut the mail short: refused. */
START_TEST(test_forward_refuses_an_incomplete_entry)
{
	static const struct {
		long long	 id;
		const char	*type;
		int		 rating, recommend;
		const char	*created;
	} bad[] = {
		{ 0, "question", 2, -1, "2027-01-15T08:05:59.123456Z" },
		{ -1, "question", 2, -1, "2027-01-15T08:05:59.123456Z" },
		{ 42, "praise", 2, -1, "2027-01-15T08:05:59.123456Z" },
		{ 42, NULL, 2, -1, "2027-01-15T08:05:59.123456Z" },
		{ 42, "question", 0, -1, "2027-01-15T08:05:59.123456Z" },
		{ 42, "question", 6, -1, "2027-01-15T08:05:59.123456Z" },
		{ 42, "question", 2, 11, "2027-01-15T08:05:59.123456Z" },
		{ 42, "question", 2, -2, "2027-01-15T08:05:59.123456Z" },
		{ 42, "question", 2, -1, NULL },
		{ 42, "question", 2, -1, "2027-01-15" },
		{ 42, "question", 2, -1, "2027-01-15 08:05:59" },
		{ 42, "question", 2, -1, "garbage-garbage-garbage" },
	};
	struct pf_feedback	 f;
	size_t			 i;

	for (i = 0; i < nitems(bad); i++) {
		/* An address left: it forwards whatever its type. */
		f = entry(bad[i].type, "jane@example.com");
		f.id = bad[i].id;
		f.rating = bad[i].rating;
		f.recommend = bad[i].recommend;
		f.created = bad[i].created;
		ck_assert_msg(pf_feedback_forward(fx.st, fx.cfg, &f, NULL) ==
		    PF_EINVAL, "case %zu", i);
	}
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 0);
}
END_TEST

/* An address the outbox would refuse is refused (nothing queued). */
START_TEST(test_forward_refuses_a_header_breaking_email)
{
	struct pf_feedback	 f = entry("question",
	    "jane@example.com\r\nBcc: evil@example.com");

	ck_assert_int_eq(pf_feedback_forward(fx.st, fx.cfg, &f, NULL),
	    PF_EINVAL);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 0);
}
END_TEST

/* ---- copies ---- */

START_TEST(test_hold_copies_every_string)
{
	struct pf_feedback_copy	 c;
	struct pf_feedback	 f = entry("question", "jane@example.com");
	char			 msg[] = "mutable";

	f.message = msg;
	f.completed = "2027-01-15T08:07:00.000000Z";
	f.recommend = 9;
	ck_assert_int_eq(pf_feedback_hold(&f, &c), 0);
	msg[0] = 'X';
	ck_assert_str_eq(c.f.message, "mutable");
	ck_assert_ptr_ne(c.f.type, f.type);
	ck_assert_str_eq(c.f.type, "question");
	ck_assert_str_eq(c.f.email, "jane@example.com");
	ck_assert_str_eq(c.f.email_key, "jane@example.com");
	ck_assert_str_eq(c.f.created, f.created);
	ck_assert_str_eq(c.f.completed, f.completed);
	ck_assert_str_eq(c.f.updated, f.updated);
	ck_assert(c.f.id == 42 && c.f.rating == 2 && c.f.recommend == 9);
	pf_feedback_drop(&c);
	ck_assert_ptr_null(c.f.type);
	pf_feedback_drop(&c);
}
END_TEST

START_TEST(test_hold_keeps_nulls)
{
	struct pf_feedback_copy	 c;
	struct pf_feedback	 f = entry("complaint", NULL);

	f.message = NULL;
	ck_assert_int_eq(pf_feedback_hold(&f, &c), 0);
	ck_assert_ptr_null(c.f.message);
	ck_assert_ptr_null(c.f.email);
	ck_assert_ptr_null(c.f.email_key);
	ck_assert_ptr_null(c.f.completed);
	ck_assert_str_eq(c.f.type, "complaint");
	pf_feedback_drop(&c);
}
END_TEST

START_TEST(test_subject_is_the_pseudonym_of_the_entry_number)
{
	char	 a[PF_HEX_DIGEST_LEN + 1], b[PF_HEX_DIGEST_LEN + 1];
	char	 want[PF_HEX_DIGEST_LEN + 1];

	ck_assert_int_eq(pf_feedback_subject(&fx.keys, 12, a), PF_OK);
	ck_assert_int_eq(pf_pseudonym(&fx.keys, "feedback", "12", want), PF_OK);
	ck_assert_str_eq(a, want);
	ck_assert_int_eq(pf_feedback_subject(&fx.keys, 13, b), PF_OK);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(pf_feedback_subject(&fx.other_keys, 12, b), PF_OK);
	ck_assert_str_ne(a, b);
}
END_TEST

static void
add_tests(TCase *tc)
{
	pf_test_fixture(tc, PF_TEST_STORE, CONF "feedback_to = " TEAM "\n"
	    "mail_from = Privacy <privacy@example.com>\n", NULL, NULL);
	tcase_add_test(tc, test_types_match_the_schema_with_labels);
	tcase_add_test(tc, test_step_token_carries_its_language);
	tcase_add_test(tc, test_subject_is_the_pseudonym_of_the_entry_number);
	tcase_add_test(tc, test_ratings_in_order_of_value);
	tcase_add_test(tc, test_unknown_codes_have_no_value);
	tcase_add_test(tc, test_scores_are_zero_to_ten_for_valid_enum);
	tcase_add_test(tc, test_tally_adds_each_figure);
	tcase_add_test(tc, test_tally_refuses_unknown_codes);
	tcase_add_test(tc, test_csat_is_share_of_great_and_amazing);
	tcase_add_test(tc, test_csat_of_no_entries_is_undefined);
	tcase_add_test(tc, test_tenths_round_half_away_from_zero);
	tcase_add_test(tc, test_nps_of_a_known_set);
	tcase_add_test(tc, test_nps_buckets_at_their_boundaries);
	tcase_add_test(tc, test_nps_of_no_answers_is_zero);
	tcase_add_test(tc, test_step_token_round_trip);
	tcase_add_test(tc, test_step_token_expires);
	tcase_add_test(tc, test_step_token_refuses_forgeries);
	tcase_add_test(tc, test_step_token_refuses_what_make_never_writes);
	tcase_add_test(tc, test_step_token_largest_id);
	tcase_add_test(tc, test_step_token_make_refuses_non_positive_ids);
	tcase_add_test(tc, test_step_clear_accepts_zeroed);
	tcase_add_test(tc, test_forwards_complaints_at_step_1_emails_at_step_2);
	tcase_add_test(tc, test_forwards_nothing_without_team_or_sender);
	tcase_add_test(tc, test_forward_of_an_open_complaint);
	tcase_add_test(tc, test_forward_renders_with_the_shipped_template);
	tcase_add_test(tc, test_forward_of_a_completed_entry);
	tcase_add_test(tc, test_forward_of_entry_not_forwarded_queues_nothing);
	tcase_add_test(tc, test_forward_refuses_an_incomplete_entry);
	tcase_add_test(tc, test_forward_refuses_a_header_breaking_email);
	tcase_add_test(tc, test_hold_copies_every_string);
	tcase_add_test(tc, test_hold_keeps_nulls);
}

PF_TEST_MAIN("feedback", add_tests(tc))
