/*
 * test_dsr.c -- data subject requests (dsr.h): the tables, deadlines from
 * the real etc/privacy-laws.tsv (the tests run from the tree's root),
 * extended deadlines, signed links, and the mails, queued into a fresh
 * database and rendered with the shipped templates in etc/mail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "fixture.h"
#include "audit_events.h"
#include "config.h"
#include "dsr.h"
#include "err.h"
#include "keys.h"
#include "lang.h"
#include "laws.h"
#include "mail.h"
#include "nitems.h"
#include "store.h"
#include "token.h"
#include "validate.h"

#define REAL_TABLE	"etc/privacy-laws.tsv"
#define MAIL_TEMPLATES	"etc/mail"
#define BUILT_LOCALE	"build/locale"	/* po/i18n.mk's catalogues */
#define BASE		"https://www.example.com"
#define NOW		((time_t)1800000000)	/* 2027-01-15 08:00:00 UTC */

#define CONF	"base_url = " BASE "\nprefix = /privacy\n" \
		"database = privforms.db\nrequest_status_days = 400\n"

/* The test's configuration with privacy_team set to team. */
static void
load_conf(const char *team)
{
	char	 text[512];

	snprintf(text, sizeof(text), CONF "privacy_team = %s\n", team);
	pf_test_conf(text);
}

static struct pf_laws *
real_laws(void)
{
	struct pf_laws	*laws = NULL;
	char		 err[256];

	ck_assert_msg(pf_laws_load(REAL_TABLE, &laws, err, sizeof(err)) ==
	    PF_OK, "%s", err);
	return laws;
}

/* ---- the tables ---- */

static const char *const *const tables[] = { pf_dsr_types,
    pf_dsr_relationships, pf_dsr_statuses, pf_dsr_denials,
    pf_dsr_denial_sources };

/*
 * What 004-requests.sql allows, in its order, then the states of an
 * appeal (012-appeals.sql) as pf_dsr_state and the history name them.
 */
static const char *const schema_types[] = { "access", "deletion",
    "correction", "portability", "restriction", "objection", "opt-out-sale",
    "other", NULL };
static const char *const schema_statuses[] = { "unverified", "verified",
    "extended", "fulfilled", "denied", "appealed", "appeal-granted",
    "appeal-denied", NULL };

START_TEST(test_tables_pair_unique_codes_with_labels)
{
	const char *const	*t = tables[_i], *const *u;
	size_t			 n = 0;

	for (; t[0] != NULL; t += 2, n++) {
		ck_assert_ptr_nonnull(t[1]);
		ck_assert_int_gt(strlen(t[0]), 0);
		ck_assert_int_gt(strlen(t[1]), 0);
		ck_assert_uint_eq(strspn(t[0], "abcdefghijklmnopqrstuvwxyz-"),
		    strlen(t[0]));
		for (u = t + 2; u[0] != NULL; u += 2)
			ck_assert_str_ne(t[0], u[0]);
		ck_assert_str_eq(pf_choice_label(tables[_i], t[0]), t[1]);
	}
	ck_assert_uint_gt(n, 4);
}
END_TEST

START_TEST(test_tables_match_the_schema)
{
	size_t	 i;

	for (i = 0; schema_types[i] != NULL; i++)
		ck_assert_str_eq(pf_dsr_types[2 * i], schema_types[i]);
	ck_assert_ptr_null(pf_dsr_types[2 * i]);
	for (i = 0; schema_statuses[i] != NULL; i++)
		ck_assert_str_eq(pf_dsr_statuses[2 * i], schema_statuses[i]);
	ck_assert_ptr_null(pf_dsr_statuses[2 * i]);
	for (i = 0; pf_dsr_relationships[i] != NULL; i += 2)
		continue;
	ck_assert_uint_eq(i, 2 * 11);
}
END_TEST

START_TEST(test_type_labels_are_the_forms_words)
{
	static const char *const want[][2] = {
		{ "access", "A copy of my personal data" },
		{ "deletion", "Delete my personal data" },
		{ "correction", "Correct my personal data" },
		{ "portability", "A portable copy of my data" },
		{ "restriction", "Restrict the processing of my data" },
		{ "objection", "Object to the processing of my data" },
		{ "opt-out-sale", "Do not sell or share my personal information" },
		{ "other", "Another privacy question" },
	};
	size_t	 i;

	for (i = 0; i < nitems(want); i++)
		ck_assert_str_eq(pf_choice_label(pf_dsr_types, want[i][0]),
		    want[i][1]);
}
END_TEST

START_TEST(test_label_of_unknown_code_is_null)
{
	static const char *const bad[] = { "", "Access", "access ", "acces",
	    "A copy of my personal data", "verified" };
	size_t	 i;

	for (i = 0; i < nitems(bad); i++)
		ck_assert_ptr_null(pf_choice_label(pf_dsr_types, bad[i]));
	ck_assert_ptr_null(pf_choice_label(pf_dsr_types, NULL));
	ck_assert_ptr_null(pf_choice_label(NULL, "access"));
}
END_TEST

/* The tables are what the form's validator checks against. */
START_TEST(test_valid_choice_takes_codes_only)
{
	const char *const	*t = tables[_i];
	char			*norm;

	for (; t[0] != NULL; t += 2) {
		ck_assert_ptr_null(pf_valid_choice(t[0], tables[_i], &norm));
		ck_assert_str_eq(norm, t[0]);
		free(norm);
		ck_assert_ptr_nonnull(pf_valid_choice(t[1], tables[_i], &norm));
		ck_assert_ptr_null(norm);
	}
}
END_TEST

/* ---- terms ---- */

static const struct {
	const char	*country, *state, *received;
	const char	*law, *due, *acknowledge, *extension;
} terms[] = {
	/* GDPR: one calendar month, clamped to the month's end. */
#define GDPR(due)	"GDPR", due, "", "2 months"
	{ "DE", NULL, "2027-01-31 12:00:00", GDPR("2027-02-28") },
	{ "DE", NULL, "2028-01-31 12:00:00", GDPR("2028-02-29") },
	{ "FR", NULL, "2028-01-29 00:00:00", GDPR("2028-02-29") },
	{ "IE", NULL, "2027-03-31 23:59:59", GDPR("2027-04-30") },
	{ "NO", NULL, "2027-12-31 00:00:01", GDPR("2028-01-31") },
	{ "GB", NULL, "2027-08-31 10:00:00",
	    "UK GDPR", "2027-09-30", "", "2 months" },
	/* CCPA: 45 days, acknowledged within 10 business days. */
	{ "US", "CA", "2027-01-31 12:00:00",
	    "CCPA", "2027-03-17", "2027-02-12", "45 days" },
	{ "US", "CA", "2027-12-24 12:00:00",
	    "CCPA", "2028-02-07", "2028-01-07", "45 days" },
	/* PIPEDA: 30 days, across a leap day. */
	{ "CA", NULL, "2028-02-15 09:00:00",
	    "PIPEDA", "2028-03-16", "", "30 days" },
	{ "AU", NULL, "2027-01-31 12:00:00",
	    "Privacy Act 1988", "2027-03-02", "", "" },
	{ "JP", NULL, "2027-12-25 12:00:00", "APPI", "2028-01-08", "", "" },
	/* A state without a row of its own, and no state at all. */
	{ "US", "NY", "2027-01-31 12:00:00", "none", "2027-03-02", "", "" },
	{ "US", NULL, "2027-01-31 12:00:00", "none", "2027-03-02", "", "" },
	/* The state only counts in the United States. */
	{ "DE", "CA", "2027-01-31 12:00:00", GDPR("2027-02-28") },
	{ "IN", NULL, "2027-01-31 12:00:00", "none", "2027-03-02", "", "" },
	/* Texas, Brazil and Korea: 45 days (+45), 15 days, 10 days. */
	{ "US", "TX", "2027-12-24 12:00:00", "TDPSA", "2028-02-07", "",
	    "45 days" },
	{ "BR", NULL, "2027-01-31 12:00:00", "LGPD", "2027-02-15", "", "" },
	{ "KR", NULL, "2028-02-25 23:00:00", "PIPA", "2028-03-06", "", "" },
#undef GDPR
};

START_TEST(test_terms_by_place_across_month_ends_and_leap_years)
{
	struct pf_laws		*laws = real_laws();
	struct pf_dsr_terms	 t;

	ck_assert_int_eq(pf_dsr_terms(laws, terms[_i].country, terms[_i].state,
	    pf_test_utc(terms[_i].received), &t), PF_OK);
	ck_assert_str_eq(t.law, terms[_i].law);
	ck_assert_str_eq(t.due, terms[_i].due);
	ck_assert_str_eq(t.acknowledge, terms[_i].acknowledge);
	ck_assert_str_eq(t.extension, terms[_i].extension);
	pf_laws_free(laws);
}
END_TEST

START_TEST(test_terms_refuse_time_out_of_range)
{
	struct pf_laws		*laws = real_laws();
	struct pf_dsr_terms	 t;

	ck_assert_int_eq(pf_dsr_terms(laws, "DE", NULL,
	    (time_t)253402300799LL, &t), PF_EINVAL);	/* 9999-12-31 */
	ck_assert_int_eq(pf_dsr_terms(NULL, "DE", NULL, NOW, &t), PF_EINVAL);
	pf_laws_free(laws);
}
END_TEST

/* ---- extended due dates ---- */

static const struct {
	const char	*due, *extension, *want;
} extended[] = {
	{ "2027-02-28", "2 months", "2027-04-28" },
	{ "2027-12-31", "2 months", "2028-02-29" },
	{ "2028-12-31", "2 months", "2029-02-28" },
	{ "2027-01-31", "1 month", "2027-02-28" },
	{ "2028-01-30", "1 month", "2028-02-29" },
	{ "2027-03-17", "45 days", "2027-05-01" },
	{ "2028-02-14", "30 days", "2028-03-15" },
	{ "2027-12-31", "1 day", "2028-01-01" },
	{ "2027-01-15", "10 business days", "2027-01-29" },	/* a Friday */
	{ "2027-01-16", "1 business day", "2027-01-18" },	/* Sat -> Mon */
};

START_TEST(test_extended_due_counts_from_the_due_date)
{
	char	 out[11];

	ck_assert_int_eq(pf_dsr_extended_due(extended[_i].due,
	    extended[_i].extension, out), PF_OK);
	ck_assert_str_eq(out, extended[_i].want);
}
END_TEST

static const struct {
	const char	*due, *extension;
} bad_extended[] = {
	{ "2027-02-29", "2 months" },	/* no such day */
	{ "2027-04-31", "2 months" },
	{ "2027-13-01", "2 months" },
	{ "2027-00-10", "2 months" },
	{ "2027-01-00", "2 months" },
	{ "2027-2-28", "2 months" },
	{ "2027-02-28T00", "2 months" },
	{ "27-02-28", "2 months" },
	{ "2027/02/28", "2 months" },
	{ "+027-02-28", "2 months" },
	{ "2027-02-2x", "2 months" },
	{ "", "2 months" },
	{ NULL, "2 months" },
	{ "2027-02-28", "-" },		/* no extension */
	{ "2027-02-28", "" },
	{ "2027-02-28", "2 weeks" },
	{ "2027-02-28", "2 month" },
	{ "2027-02-28", "0 days" },
	{ "2027-02-28", "367 days" },
	{ "2027-02-28", NULL },
};

START_TEST(test_extended_due_refuses_bad_input)
{
	char	 out[11] = "x";

	ck_assert_int_eq(pf_dsr_extended_due(bad_extended[_i].due,
	    bad_extended[_i].extension, out), PF_EINVAL);
	ck_assert_str_eq(out, "");
}
END_TEST

/* ---- links ---- */

/* The token of url, which must start with the page's address. */
static const char *
token_of(const char *url, const char *page)
{
	char	 want[128];

	snprintf(want, sizeof(want), BASE "/privacy/request/%s?t=", page);
	ck_assert_msg(strncmp(url, want, strlen(want)) == 0, "url %s", url);
	return url + strlen(want);
}

static const struct {
	const char	*purpose, *page;
	long long	 id;
} links[] = {
	{ PF_DSR_VERIFY, "verify", 1 },
	{ PF_DSR_STATUS, "status", 42 },
	{ PF_DSR_STATUS, "status", 9223372036854775807LL },
};

START_TEST(test_link_round_trip)
{
	char		*url = NULL;
	long long	 id = -1;

	ck_assert_int_eq(pf_dsr_link(fx.cfg, &fx.keys, links[_i].purpose,
	    links[_i].id, NOW + 60, &url), PF_OK);
	ck_assert_int_eq(pf_dsr_link_check(&fx.keys, links[_i].purpose,
	    token_of(url, links[_i].page), NOW + 60, &id), PF_OK);
	ck_assert(id == links[_i].id);
	free(url);
}
END_TEST

/* A link opens in the language it was made in, unless one was chosen. */
START_TEST(test_link_carries_its_language)
{
	char		*url = NULL;
	long long	 id = -1;

	pf_test_offer("en de fr ja");

	ck_assert_int_eq(pf_lang_use("ja"), PF_OK);
	ck_assert_int_eq(pf_dsr_link(fx.cfg, &fx.keys, PF_DSR_STATUS, 7,
	    NOW + 60, &url), PF_OK);
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	ck_assert_int_eq(pf_dsr_link_check(&fx.keys, PF_DSR_STATUS,
	    token_of(url, "status"), NOW, &id), PF_OK);
	ck_assert(id == 7);
	ck_assert_str_eq(pf_lang_current(), "ja");
	ck_assert_int_eq(pf_lang_choose("fr"), PF_OK);	/* ?lang=fr */
	ck_assert_int_eq(pf_dsr_link_check(&fx.keys, PF_DSR_STATUS,
	    token_of(url, "status"), NOW, &id), PF_OK);
	ck_assert_str_eq(pf_lang_current(), "fr");
	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
	free(url);
}
END_TEST

/* A link mailed before links had a language opens, in the current one. */
START_TEST(test_link_without_language_still_opens)
{
	/* The id alone; then a language that is no tag: no link of ours. */
	static const struct {
		const char	*fields[2];
		size_t		 n;
		int		 rc;
		long long	 id;
	} links_of[] = {
		{ { "12" }, 1, PF_OK, 12 },
		{ { "12", "ja_JP" }, 2, PF_EFORGED, 0 },
	};
	char		*t = NULL;
	long long	 id = -1;
	size_t		 i;

	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	for (i = 0; i < nitems(links_of); i++) {
		ck_assert_int_eq(pf_token_make(fx.keys.token, PF_DSR_VERIFY,
		    NOW + 60, links_of[i].fields, links_of[i].n, &t), PF_OK);
		ck_assert_int_eq(pf_dsr_link_check(&fx.keys, PF_DSR_VERIFY, t,
		    NOW, &id), links_of[i].rc);
		ck_assert(id == links_of[i].id);
		ck_assert_str_eq(pf_lang_current(), "de");
		free(t);
	}
	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
}
END_TEST

START_TEST(test_link_follows_the_prefix)
{
	char	*url = NULL;

	free(fx.cfg->prefix);
	ck_assert_ptr_nonnull(fx.cfg->prefix = strdup("/legal/privacy"));
	ck_assert_int_eq(pf_dsr_link(fx.cfg, &fx.keys, PF_DSR_STATUS, 7, NOW,
	    &url), PF_OK);
	ck_assert_int_eq(strncmp(url, BASE "/legal/privacy/request/status?t=",
	    strlen(BASE "/legal/privacy/request/status?t=")), 0);
	free(url);
}
END_TEST

START_TEST(test_link_expires)
{
	char		*url = NULL;
	long long	 id = -1;
	const char	*t;

	ck_assert_int_eq(pf_dsr_link(fx.cfg, &fx.keys, PF_DSR_VERIFY, 5, NOW,
	    &url), PF_OK);
	t = token_of(url, "verify");
	ck_assert_int_eq(pf_dsr_link_check(&fx.keys, PF_DSR_VERIFY, t, NOW,
	    &id), PF_OK);
	ck_assert_int_eq(pf_dsr_link_check(&fx.keys, PF_DSR_VERIFY, t, NOW + 1,
	    &id), PF_EEXPIRED);
	ck_assert(id == 0);
	free(url);
}
END_TEST

START_TEST(test_link_of_another_purpose_is_forged)
{
	char		*url = NULL;
	long long	 id = -1;

	ck_assert_int_eq(pf_dsr_link(fx.cfg, &fx.keys, PF_DSR_STATUS, 5,
	    NOW + 60, &url), PF_OK);
	ck_assert_int_eq(pf_dsr_link_check(&fx.keys, PF_DSR_VERIFY,
	    token_of(url, "status"), NOW, &id), PF_EFORGED);
	ck_assert(id == 0);
	ck_assert_int_eq(pf_dsr_link_check(&fx.keys, "unsub",
	    token_of(url, "status"), NOW, &id), PF_EFORGED);
	free(url);
}
END_TEST

START_TEST(test_link_forged_or_tampered)
{
	char		*url = NULL, *t;
	long long	 id = -1;
	size_t		 i, n;
	static const char *const junk[] = { "", "x", ".", "abc.def",
	    "AAAA.AAAA", "a b" };

	ck_assert_int_eq(pf_dsr_link(fx.cfg, &fx.keys, PF_DSR_VERIFY, 5,
	    NOW + 60, &url), PF_OK);
	ck_assert_ptr_nonnull(t = strdup(token_of(url, "verify")));
	/* Another key's link. */
	ck_assert_int_eq(pf_dsr_link_check(&fx.other_keys, PF_DSR_VERIFY, t,
	    NOW, &id), PF_EFORGED);
	/* Every single character changed. */
	n = strlen(t);
	for (i = 0; i < n; i++) {
		char c = t[i];

		t[i] = c == 'A' ? 'B' : 'A';
		ck_assert_msg(pf_dsr_link_check(&fx.keys, PF_DSR_VERIFY, t, NOW,
		    &id) == PF_EFORGED, "changed at %zu", i);
		t[i] = c;
	}
	t[n - 1] = '\0';
	ck_assert_int_eq(pf_dsr_link_check(&fx.keys, PF_DSR_VERIFY, t, NOW,
	    &id), PF_EFORGED);
	for (i = 0; i < nitems(junk); i++)
		ck_assert_int_eq(pf_dsr_link_check(&fx.keys, PF_DSR_VERIFY,
		    junk[i], NOW, &id), PF_EFORGED);
	ck_assert_int_eq(pf_dsr_link_check(&fx.keys, PF_DSR_VERIFY, NULL, NOW,
	    &id), PF_EFORGED);
	ck_assert(id == 0);
	free(t);
	free(url);
}
END_TEST

/* A genuine token of the right purpose that does not carry one number. */
START_TEST(test_link_with_malformed_number_is_forged)
{
	static const char *const bad[][2] = { { "0", NULL }, { "-1", NULL },
	    { "01", NULL }, { "+1", NULL }, { "1x", NULL }, { "", NULL },
	    { "99999999999999999999", NULL }, { "1", "2" } };
	char		*t = NULL;
	long long	 id;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		ck_assert_int_eq(pf_token_make(fx.keys.token, PF_DSR_VERIFY,
		    NOW + 60, bad[i], bad[i][1] != NULL ? 2 : 1, &t), PF_OK);
		ck_assert_msg(pf_dsr_link_check(&fx.keys, PF_DSR_VERIFY, t, NOW,
		    &id) == PF_EFORGED, "accepted %s", bad[i][0]);
		free(t);
	}
	ck_assert_int_eq(pf_token_make(fx.keys.token, PF_DSR_VERIFY, NOW + 60,
	    NULL, 0, &t), PF_OK);
	ck_assert_int_eq(pf_dsr_link_check(&fx.keys, PF_DSR_VERIFY, t, NOW,
	    &id), PF_EFORGED);
	free(t);
}
END_TEST

START_TEST(test_link_refuses_bad_arguments)
{
	char	*url = (char *)1;

	ck_assert_int_eq(pf_dsr_link(fx.cfg, &fx.keys, "unsub", 1, NOW, &url),
	    PF_EINVAL);
	ck_assert_ptr_null(url);
	ck_assert_int_eq(pf_dsr_link(fx.cfg, &fx.keys, NULL, 1, NOW, &url),
	    PF_EINVAL);
	ck_assert_int_eq(pf_dsr_link(fx.cfg, &fx.keys, PF_DSR_STATUS, 0, NOW,
	    &url), PF_EINVAL);
	ck_assert_int_eq(pf_dsr_link(fx.cfg, &fx.keys, PF_DSR_STATUS, -3, NOW,
	    &url), PF_EINVAL);
	ck_assert_int_eq(pf_dsr_link(fx.cfg, &fx.keys, PF_DSR_STATUS, 3, -1,
	    &url), PF_EINVAL);
	ck_assert_ptr_null(url);
}
END_TEST

/* ---- mails ---- */

static struct pf_dsr
request(void)
{
	struct pf_dsr	 r = {
		.id = 42, .type = "access", .relationship = "customer",
		.first_name = "Jane", .last_name = "Doe",
		.email = "Jane.Doe@Example.com",
		.email_key = "jane.doe@example.com",
		.subject = "5eb63bbbe01eeed093cb22bb8f5acdc3"
		    "5eb63bbbe01eeed093cb22bb8f5acdc3",
		.country = "US", .state = "CA", .law = "CCPA",
		.received = "2027-01-31T12:00:00.000000Z", .due = "2027-03-17",
		.status = "verified",
	};

	return r;
}

/* pf_dsr_mail with the fixture's store, configuration and keys. */
static int
dsr_mail(const struct pf_dsr *r, const char *template,
    const char *const *extra)
{
	return pf_dsr_mail(fx.st, fx.cfg, &fx.keys, r, template, extra);
}

/* pf_dsr_mail_team with the fixture's store and configuration. */
static int
team_mail(const struct pf_dsr *r, const char *template)
{
	return pf_dsr_mail_team(fx.st, fx.cfg, r, template);
}

START_TEST(test_mail_carries_every_value_and_a_working_status_link)
{
	struct pf_dsr	 r = request();
	struct pf_test_queued	 q;
	const char	*extra[] = { "reason", "We hold no data on you.", NULL };
	static const char *const want[] = {
		"id", "42", "type", "A copy of my personal data",
		"received", "2027-01-31", "due", "2027-03-17", "law", "CCPA",
		"status", "Verified: we are working on it",
		"site", BASE "/privacy/", "reason", "We hold no data on you.",
		NULL
	};
	long long	 id = 0;
	time_t		 now = time(NULL);

	ck_assert_int_eq(dsr_mail(&r, "request-verified", extra), PF_OK);
	pf_test_queued(fx.st, 1, &q);
	ck_assert_str_eq(q.m.template, "request-verified");
	ck_assert_str_eq(q.recipient, "Jane.Doe@example.com");
	ck_assert_str_eq(q.subject, r.subject);
	pf_test_values(&q.m, want);
	/* Valid for request_status_days, and not a day longer. */
	ck_assert_int_eq(pf_dsr_link_check(&fx.keys, PF_DSR_STATUS,
	    token_of(pf_test_value(&q.m, "status_url"), "status"), now + 399 * 86400,
	    &id), PF_OK);
	ck_assert(id == 42);
	ck_assert_int_eq(pf_dsr_link_check(&fx.keys, PF_DSR_STATUS,
	    token_of(pf_test_value(&q.m, "status_url"), "status"), now + 401 * 86400,
	    &id), PF_EEXPIRED);
	pf_mail_clear(&q.m);
}
END_TEST

/*
 * A mail to a person in another language gives its dates in that
 * language's words (the fixed ones and the extras that are dates); other
 * values, and every date of an English mail (above), as they are.
 */
START_TEST(test_mail_dates_in_the_language_of_the_mail)
{
	struct pf_dsr		 r = request();
	struct pf_test_queued	 q;
	const char		*extra[] = { "previous_due", "2027-03-01",
	    "appeal_due", "2027-05-01", "note", "2027-05-01", NULL };
	static const char *const want[] = {
		"received", "31. Januar 2027", "due", "17. M\xc3\xa4rz 2027",
		"previous_due", "1. M\xc3\xa4rz 2027",
		"appeal_due", "1. Mai 2027", "note", "2027-05-01", "id", "42",
		NULL
	};
	struct pf_dsr_when	 w;

	r.lang = "de";
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	ck_assert_int_eq(dsr_mail(&r, "request-extended", extra), PF_OK);
	ck_assert_str_eq(pf_dsr_mail_date("2027-01-31T23:59:00Z", &w),
	    "31. Januar 2027, 23:59 UTC");
	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
	ck_assert_str_eq(pf_dsr_mail_date("2027-01-31", &w), "2027-01-31");
	pf_test_queued(fx.st, 1, &q);
	pf_test_values(&q.m, want);
	pf_mail_clear(&q.m);
}
END_TEST

/*
 * A mail about a request is written in the language its requester used,
 * its status link too, whatever language the writer is in; the team's in
 * the team's.  The writer's language is left as it was.
 */
START_TEST(test_mail_is_in_the_requesters_language)
{
	struct pf_dsr		 r = request();
	struct pf_test_queued	 q;
	long long		 id = 0;

	load_conf("team@example.com");
	r.lang = "ja";
	pf_test_offer("en de fr ja");
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	ck_assert_int_eq(dsr_mail(&r, "request-fulfilled", NULL), PF_OK);
	ck_assert_int_eq(team_mail(&r, "request-team-new"), PF_OK);
	ck_assert_str_eq(pf_lang_current(), "de");
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM outbox WHERE "
	    "id = 1 AND lang = 'ja'"), 1);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM outbox WHERE "
	    "id = 2 AND lang = 'en'"), 1);
	pf_test_queued(fx.st, 1, &q);
	ck_assert_str_eq(q.m.lang, "ja");
	ck_assert_int_eq(pf_dsr_link_check(&fx.keys, PF_DSR_STATUS,
	    token_of(pf_test_value(&q.m, "status_url"), "status"), time(NULL),
	    &id), PF_OK);
	ck_assert_str_eq(pf_lang_current(), "ja");	/* the link's */
	pf_mail_clear(&q.m);
	/* Not stored yet (the form's own mail): the current language. */
	r.lang = NULL;
	ck_assert_int_eq(pf_lang_use("fr"), PF_OK);
	ck_assert_int_eq(dsr_mail(&r, "request-verified", NULL), PF_OK);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM outbox WHERE "
	    "id = 3 AND lang = 'fr'"), 1);
	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
}
END_TEST

/*
 * The team's mail is in the team's language through and through: the
 * law's words too, whatever language its writer (the visitor's request)
 * is in.  German from the catalogue the build makes (make all).
 */
START_TEST(test_team_mail_says_the_law_in_the_teams_language)
{
	struct pf_dsr		 r = request();
	struct pf_test_queued	 q;

	load_conf("team@example.com");
	r.law = "GDPR";
	r.country = "DE";
	r.state = NULL;
	ck_assert_int_eq(pf_lang_init(BUILT_LOCALE), PF_OK);
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	ck_assert_msg(strcmp(pf_dsr_law_words("GDPR"), "DSGVO") == 0,
	    "no German catalogue in " BUILT_LOCALE " (make all)");
	ck_assert_int_eq(team_mail(&r, "request-team-new"), PF_OK);
	ck_assert_str_eq(pf_lang_current(), "de");
	pf_test_queued(fx.st, 1, &q);
	ck_assert_str_eq(q.m.lang, "en");
	ck_assert_str_eq(pf_test_value(&q.m, "law"), "GDPR");
	pf_mail_clear(&q.m);
	/* The other tests run without catalogues: fx.dir has none. */
	ck_assert_int_eq(pf_lang_init(fx.dir), PF_OK);
}
END_TEST

START_TEST(test_mail_to_an_erased_or_incomplete_request_is_refused)
{
	struct pf_dsr	 r = request();
	const char	*too_many[2 * 9 + 1];
	static const char *const names[] = { "a", "b", "c", "d", "e", "f",
	    "g", "h", "i" };
	size_t		 i;

	r.email = NULL;
	ck_assert_int_eq(dsr_mail(&r, "request-verified", NULL), PF_EINVAL);
	r = request();
	r.due = NULL;
	ck_assert_int_eq(dsr_mail(&r, "request-verified", NULL), PF_EINVAL);
	r = request();
	r.id = 0;
	ck_assert_int_eq(dsr_mail(&r, "request-verified", NULL), PF_EINVAL);
	/* Eight values of its own leave room for eight more, not nine. */
	r = request();
	for (i = 0; i < 9; i++) {
		too_many[2 * i] = names[i];
		too_many[2 * i + 1] = "x";
	}
	too_many[18] = NULL;
	ck_assert_int_eq(dsr_mail(&r, "request-verified", too_many), PF_EINVAL);
	too_many[16] = NULL;
	ck_assert_int_eq(dsr_mail(&r, "request-verified", too_many), PF_OK);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 1);
}
END_TEST

/* A value that would break a header is refused, nothing queued. */
START_TEST(test_mail_refuses_values_a_header_could_not_hold)
{
	struct pf_dsr	 r = request();
	const char	*extra[] = { "verify_url", "x\r\nBcc: x@example.com",
	    NULL };

	r.email = "jane@example.com\r\nBcc: evil@example.com";
	ck_assert_int_eq(dsr_mail(&r, "request-verify", NULL), PF_EINVAL);
	r = request();
	ck_assert_int_eq(dsr_mail(&r, "request-verify", extra), PF_EINVAL);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 0);
}
END_TEST

START_TEST(test_team_mail_only_when_a_team_address_is_set)
{
	struct pf_dsr	 r = request();
	struct pf_test_queued	 q;

	ck_assert_int_eq(team_mail(&r, "request-team-new"), PF_OK);
	ck_assert_int_eq(pf_test_outbox_total(fx.st), 0);
	load_conf("privacy@example.com");
	ck_assert_int_eq(team_mail(&r, "request-team-new"), PF_OK);
	pf_test_queued(fx.st, 1, &q);
	ck_assert_str_eq(q.recipient, "privacy@example.com");
	ck_assert_str_eq(pf_test_value(&q.m, "id"), "42");
	ck_assert_str_eq(pf_test_value(&q.m, "type"), "A copy of my personal data");
	ck_assert_str_eq(pf_test_value(&q.m, "country"),
	    "California, United States (US-CA)");
	ck_assert_str_eq(pf_test_value(&q.m, "command"), "privforms request show 42");
	ck_assert_str_eq(pf_test_value(&q.m, "due"), "2027-03-17");
	ck_assert_ptr_null(pf_test_value(&q.m, "status_url"));
	pf_mail_clear(&q.m);
}
END_TEST

/* The team's mail names no one: no name, no address. */
START_TEST(test_team_mail_names_no_one)
{
	struct pf_dsr	 r = request();
	struct pf_test_queued	 q;
	size_t		 i;

	r.state = NULL;
	r.country = "DE";
	load_conf("privacy@example.com");
	ck_assert_int_eq(team_mail(&r, "request-team-new"), PF_OK);
	pf_test_queued(fx.st, 1, &q);
	ck_assert_str_eq(pf_test_value(&q.m, "country"), "Germany (DE)");
	for (i = 1; q.m.values[i - 1] != NULL; i += 2) {
		ck_assert_ptr_null(strstr(q.m.values[i], "Jane"));
		ck_assert_ptr_null(strstr(q.m.values[i], "Doe"));
		ck_assert_ptr_null(strstr(q.m.values[i], "Jane.Doe@"));
	}
	pf_mail_clear(&q.m);
}
END_TEST

/* The shipped templates use only the values the functions give. */
static const char *const requester_templates[] = { "request-verify",
    "request-verified" };

START_TEST(test_shipped_requester_templates_render)
{
	struct pf_dsr		 r = request();
	struct pf_test_rendered	 out;
	const char		*extra[] = { "verify_url",
	    BASE "/privacy/request/verify?t=abc",
	    "verify_by", "2027-02-07 12:00 UTC", NULL };

	ck_assert_int_eq(dsr_mail(&r, requester_templates[_i], extra), PF_OK);
	pf_test_render(1, MAIL_TEMPLATES, &out);
	ck_assert_ptr_null(strstr(out.body, "{{"));
	ck_assert_ptr_nonnull(strstr(out.body,
	    pf_test_value(&out.q.m, "status_url")));
	ck_assert_ptr_nonnull(strstr(out.body, "2027-03-17"));
	if (_i == 0) {
		ck_assert_ptr_nonnull(strstr(out.body, extra[1]));
		ck_assert_ptr_nonnull(strstr(out.body, extra[3]));
	}
	pf_test_rendered_clear(&out);
}
END_TEST

/* The team's mails: a new request, an appeal; each names the command. */
static const struct {
	const char	*template, *subject, *command;
} team_templates[] = {
	{ "request-team-new",
	    "New privacy request 42: A copy of my personal data",
	    "privforms request show 42" },
	{ "request-team-appeal",
	    "Privacy request 42 appealed: A copy of my personal data",
	    "appeal-decide 42 --grant" },
};

START_TEST(test_shipped_team_templates_render)
{
	struct pf_dsr		 r = request();
	struct pf_test_rendered	 out;

	load_conf("privacy@example.com");
	ck_assert_int_eq(team_mail(&r, team_templates[_i].template), PF_OK);
	pf_test_render(1, MAIL_TEMPLATES, &out);
	ck_assert_str_eq(out.subject, team_templates[_i].subject);
	ck_assert_ptr_nonnull(strstr(out.body, team_templates[_i].command));
	ck_assert_ptr_null(strstr(out.body, "{{"));
	pf_test_rendered_clear(&out);
}
END_TEST

/* A held copy outlives the row it came from, NULLs and all, and owns it. */
START_TEST(test_hold_copies_every_string_and_drop_frees_it)
{
	char			 email[] = "ada@example.org", status[] = "verified";
	struct pf_dsr		 row = { .id = 7, .type = "access",
	    .email = email, .status = status, .extended = 1, .party = 3 };
	struct pf_dsr_copy	 c;

	ck_assert_int_eq(pf_dsr_hold(&row, &c), 0);
	/* The row's own buffers change, as a statement's do once stepped. */
	email[0] = 'X';
	status[0] = 'X';
	ck_assert_str_eq(c.r.email, "ada@example.org");
	ck_assert_str_eq(c.r.status, "verified");
	ck_assert_str_eq(c.r.type, "access");
	ck_assert_ptr_null(c.r.first_name);
	ck_assert_ptr_null(c.r.details);
	ck_assert_int_eq(c.r.id, 7);
	ck_assert_int_eq(c.r.extended, 1);
	ck_assert_int_eq(c.r.party, 3);
	/* Pointing a member elsewhere does not change what is freed. */
	c.r.status = "fulfilled";
	pf_dsr_drop(&c);
	ck_assert_ptr_null(c.r.email);
	pf_dsr_drop(&c);	/* a zeroed copy */
}
END_TEST

/* Dates and times as the pages show them, with their datetime. */
static const struct {
	const char	*in;
	int		 time;
	const char	*text, *datetime;	/* NULL: refused */
} whens[] = {
	{ "2027-03-02", 0, "2 March 2027", "2027-03-02" },
	{ "2028-02-29", 0, "29 February 2028", "2028-02-29" },
	{ "2027-12-31T23:59:59.999999Z", 0, "31 December 2027", "2027-12-31" },
	{ "2027-01-31T14:05:09.123456Z", 1, "31 January 2027, 14:05 UTC",
	    "2027-01-31T14:05Z" },
	{ "2027-09-30T00:00:00.000000Z", 1, "30 September 2027, 00:00 UTC",
	    "2027-09-30T00:00Z" },
	{ "2027-02-29", 0, NULL, NULL },
	{ "2027-13-01", 0, NULL, NULL },
	{ "2027-3-2", 0, NULL, NULL },
	{ "", 0, NULL, NULL },
	{ NULL, 0, NULL, NULL },
	{ "2027-01-31", 1, NULL, NULL },
	{ "2027-01-31T24:00:00Z", 1, NULL, NULL },
	{ "2027-01-31T12:60:00Z", 1, NULL, NULL },
	{ "2027-01-31 12:00:00Z", 1, NULL, NULL },
	{ "2027-01-31T1:00:00Z", 1, NULL, NULL },
};

START_TEST(test_dates_and_times_as_people_read_them)
{
	struct pf_dsr_when	 w;
	int			 rc;

	rc = whens[_i].time ? pf_dsr_time(whens[_i].in, &w) :
	    pf_dsr_date(whens[_i].in, &w);
	if (whens[_i].text == NULL) {
		ck_assert_int_eq(rc, PF_EINVAL);
		ck_assert_str_eq(w.text, "");
		ck_assert_str_eq(w.datetime, "");
		return;
	}
	ck_assert_int_eq(rc, PF_OK);
	ck_assert_str_eq(w.text, whens[_i].text);
	ck_assert_str_eq(w.datetime, whens[_i].datetime);
}
END_TEST

/*
 * Every denial code is lower-case words joined by '-', has words that make
 * a sentence and a source, and is the audit vocabulary of request-denied's
 * reason, which holds nothing else.
 */
START_TEST(test_denial_codes_are_the_audit_vocabulary)
{
	const char	*code, *words, *source, *list = PF_AUDIT_DENIAL_REASONS;
	size_t		 i, n = 0, len;

	for (i = 0; pf_dsr_denials[i] != NULL; i += 2, n++) {
		code = pf_dsr_denials[i], words = pf_dsr_denials[i + 1];
		source = pf_dsr_denial_sources[i + 1];
		ck_assert_str_eq(pf_dsr_denial_sources[i], code);
		ck_assert_msg(strspn(code, "abcdefghijklmnopqrstuvwxyz-") ==
		    strlen(code) && code[0] != '-', "%s", code);
		len = strlen(words);
		ck_assert_msg(len > 20 && words[len - 1] == '.', "%s", code);
		ck_assert_msg(strlen(source) > 10, "%s", code);
		ck_assert_msg(pf_audit_code_in(code, list), "%s", code);
	}
	ck_assert_uint_eq(n, 12);	/* agent-not-authorised: 12 */
	/* The list has those codes and no more. */
	for (i = 0; *list != '\0'; list += len + strspn(list + len, " "), i++)
		len = strcspn(list, " ");
	ck_assert_uint_eq(i, n);
	ck_assert_ptr_null(pf_choice_label(pf_dsr_denials, "free text"));
}
END_TEST

/* ---- appeals ---- */

/*
 * Whether a denial may be appealed, until when, and when the appeal is
 * due, by the shipped table, across month ends and a leap day: 60 days
 * to appeal (request_appeal_days' default), the law's period to decide.
 */
static const struct {
	const char	*country, *state, *law, *status, *appeal;
	const char	*denied, *now;
	int		 rc;
	const char	*until, *due;	/* "": none */
} appeals[] = {
	/* Texas: 60 days to decide; denied on 31 December of a leap year. */
	{ "US", "TX", "TDPSA", "denied", NULL, "2027-12-31T10:00:00.000000Z",
	    "2028-02-29 23:59:59", PF_OK, "2028-02-29", "2028-04-29" },
	{ "US", "TX", "TDPSA", "denied", NULL, "2027-12-31T10:00:00.000000Z",
	    "2028-03-01 00:00:00", PF_EEXPIRED, "2028-02-29", "2028-04-30" },
	/* Colorado: 45 days to decide, from the day after it is made. */
	{ "US", "CO", "CPA", "denied", NULL, "2027-01-31T10:00:00.000000Z",
	    "2027-01-31 12:00:00", PF_OK, "2027-04-01", "2027-03-17" },
	/* Virginia, made on the day of the denial. */
	{ "US", "VA", "VCDPA", "denied", NULL, "2028-02-29T23:00:00.000000Z",
	    "2028-02-29 23:30:00", PF_OK, "2028-04-29", "2028-04-29" },
	/* No appeal: the GDPR, Utah, the "*" row. */
	{ "DE", NULL, "GDPR", "denied", NULL, "2027-01-31T10:00:00.000000Z",
	    "2027-02-01 00:00:00", PF_ENOTFOUND, "", "" },
	{ "US", "UT", "UCPA", "denied", NULL, "2027-01-31T10:00:00.000000Z",
	    "2027-02-01 00:00:00", PF_ENOTFOUND, "", "" },
	{ "US", "NY", "none", "denied", NULL, "2027-01-31T10:00:00.000000Z",
	    "2027-02-01 00:00:00", PF_ENOTFOUND, "", "" },
	/* Not denied, appealed before, or given another law at receipt. */
	{ "US", "TX", "TDPSA", "verified", NULL,
	    "2027-01-31T10:00:00.000000Z", "2027-02-01 00:00:00",
	    PF_ENOTFOUND, "", "2027-04-02" },
	{ "US", "TX", "TDPSA", "denied", "open", "2027-01-31T10:00:00.000000Z",
	    "2027-02-01 00:00:00", PF_ENOTFOUND, "", "2027-04-02" },
	{ "US", "TX", "none", "denied", NULL, "2027-01-31T10:00:00.000000Z",
	    "2027-02-01 00:00:00", PF_ENOTFOUND, "", "" },
};

START_TEST(test_appeal_window_and_due_by_law)
{
	struct pf_laws	*laws = real_laws();
	struct pf_dsr	 r = request();
	char		 until[PF_DATE_SIZE], due[PF_DATE_SIZE];
	time_t		 now = pf_test_utc(appeals[_i].now);

	r.country = appeals[_i].country, r.state = appeals[_i].state;
	r.law = appeals[_i].law, r.status = appeals[_i].status;
	r.appeal = appeals[_i].appeal, r.updated = appeals[_i].denied;
	ck_assert_int_eq(pf_dsr_appealable(laws, &r, 60, now, until),
	    appeals[_i].rc);
	ck_assert_str_eq(until, appeals[_i].until);
	ck_assert_int_eq(pf_dsr_appeal_due(laws, &r, now, due),
	    appeals[_i].due[0] != '\0' ? PF_OK : PF_ENOTFOUND);
	ck_assert_str_eq(due, appeals[_i].due);
	pf_laws_free(laws);
}
END_TEST

START_TEST(test_appeal_state_due_and_regulator)
{
	struct pf_laws	*laws = real_laws();
	struct pf_dsr	 r = request();

	r.country = "US", r.state = "TX", r.law = "TDPSA", r.status = "denied";
	r.appeal_due = "2027-04-02";
	ck_assert_str_eq(pf_dsr_state(&r), "denied");
	ck_assert_str_eq(pf_dsr_due_by(&r), "2027-03-17");
	r.appeal = "open";
	ck_assert_str_eq(pf_dsr_state(&r), "appealed");
	ck_assert_str_eq(pf_dsr_due_by(&r), "2027-04-02");
	r.appeal = "denied";
	ck_assert_str_eq(pf_dsr_state(&r), "appeal-denied");
	ck_assert_str_eq(pf_dsr_due_by(&r), "2027-03-17");
	r.appeal = "granted", r.status = "verified";
	ck_assert_str_eq(pf_dsr_state(&r), "verified");
	ck_assert_str_eq(pf_dsr_regulator(laws, &r),
	    "the Texas Attorney General");
	r.law = "none";		/* the place's law changed since */
	ck_assert_ptr_null(pf_dsr_regulator(laws, &r));
	ck_assert_ptr_null(pf_dsr_regulator(NULL, &r));
	pf_laws_free(laws);
}
END_TEST

/* The appeal's mails render with the values their callers give. */
static const struct {
	const char	*template, *want;
	const char	*extra[7];
} appeal_mails[] = {
	{ "request-appealed", "by 2027-04-02 at the latest",
	    { "appeal_due", "2027-04-02", NULL } },
	{ "request-appeal-granted", "by 2027-03-17 at the latest",
	    { "note", "", NULL } },
	{ "request-appeal-denied", "complain to the Texas Attorney General",
	    { "note", "", "reason", "Because.", "regulator",
	    "the Texas Attorney General", NULL } },
	{ "request-denied", "You can appeal.", { "reason", "Because.", "note",
	    "", "appeal", "You can appeal.", NULL } },
};

START_TEST(test_shipped_appeal_templates_render)
{
	struct pf_dsr		 r = request();
	struct pf_test_rendered	 out;

	ck_assert_int_eq(dsr_mail(&r, appeal_mails[_i].template,
	    appeal_mails[_i].extra), PF_OK);
	pf_test_render(1, MAIL_TEMPLATES, &out);
	ck_assert_ptr_null(strstr(out.body, "{{"));
	ck_assert_msg(strstr(out.body, appeal_mails[_i].want) != NULL, "%s",
	    out.body);
	pf_test_rendered_clear(&out);
}
END_TEST

PF_TEST_MAIN("dsr",
    pf_test_fixture(tc, PF_TEST_STORE, CONF, NULL, NULL),
    PF_LOOP(test_tables_pair_unique_codes_with_labels, tables),
    tcase_add_test(tc, test_link_carries_its_language),
    tcase_add_test(tc, test_mail_is_in_the_requesters_language),
    tcase_add_test(tc, test_team_mail_says_the_law_in_the_teams_language),
    tcase_add_test(tc, test_link_without_language_still_opens),
    tcase_add_test(tc, test_tables_match_the_schema),
    tcase_add_test(tc, test_mail_dates_in_the_language_of_the_mail),
    tcase_add_test(tc, test_denial_codes_are_the_audit_vocabulary),
    tcase_add_test(tc, test_type_labels_are_the_forms_words),
    tcase_add_test(tc, test_label_of_unknown_code_is_null),
    PF_LOOP(test_valid_choice_takes_codes_only, tables),
    PF_LOOP(test_terms_by_place_across_month_ends_and_leap_years, terms),
    tcase_add_test(tc, test_terms_refuse_time_out_of_range),
    PF_LOOP(test_extended_due_counts_from_the_due_date, extended),
    PF_LOOP(test_extended_due_refuses_bad_input, bad_extended),
    PF_LOOP(test_link_round_trip, links),
    tcase_add_test(tc, test_link_follows_the_prefix),
    tcase_add_test(tc, test_link_expires),
    tcase_add_test(tc, test_link_of_another_purpose_is_forged),
    tcase_add_test(tc, test_link_forged_or_tampered),
    tcase_add_test(tc, test_link_with_malformed_number_is_forged),
    tcase_add_test(tc, test_link_refuses_bad_arguments),
    tcase_add_test(tc, test_mail_carries_every_value_and_a_working_status_link),
    tcase_add_test(tc, test_mail_to_an_erased_or_incomplete_request_is_refused),
    tcase_add_test(tc, test_mail_refuses_values_a_header_could_not_hold),
    tcase_add_test(tc, test_team_mail_only_when_a_team_address_is_set),
    tcase_add_test(tc, test_team_mail_names_no_one),
    PF_LOOP(test_shipped_requester_templates_render, requester_templates),
    PF_LOOP(test_shipped_team_templates_render, team_templates),
    tcase_add_test(tc, test_hold_copies_every_string_and_drop_frees_it),
    PF_LOOP(test_dates_and_times_as_people_read_them, whens),
    PF_LOOP(test_appeal_window_and_due_by_law, appeals),
    tcase_add_test(tc, test_appeal_state_due_and_regulator),
    PF_LOOP(test_shipped_appeal_templates_render, appeal_mails))
