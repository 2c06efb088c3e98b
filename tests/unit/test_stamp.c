/*
 * test_stamp.c -- the sealed form stamp (stamp.h): what a stamp made for
 * one program and client network says when read back by the same, by
 * another program or network, too late, or forged; and what a form page
 * gets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "err.h"
#include "lang.h"
#include "nitems.h"
#include "page.h"
#include "stamp.h"
#include "token.h"

#define HTDOCS	"htdocs"
#define FORM	"unsubscribe"	/* a template with a stamp and the widget */

static const unsigned char key[32] = "0123456789abcdef0123456789abcdef";
static const unsigned char other_key[32] = "fedcba9876543210fedcba9876543210";

static const struct pf_stamper stamper = { key, "unsubscribe", "client-1",
    3, 24 };

/*
 * What a request does with a posted stamp (app.h's pf_app_posted_stamp
 * and the guard), in one call: opened for s's program, judged for its
 * client; the language it was made in into lang (unless NULL) when
 * PF_STAMP_OK or PF_STAMP_MOVED.
 */
static enum pf_stamp
stamp_read(const struct pf_stamper *s, const char *posted, time_t now,
    long long *age, char lang[PF_LANG_MAX])
{
	struct pf_stamp_seen	 seen;
	enum pf_stamp		 st;

	pf_stamp_open(s->key, s->program, posted, now, &seen);
	st = pf_stamp_judge(&seen, s->client, now, age);
	if (lang != NULL && (st == PF_STAMP_OK || st == PF_STAMP_MOVED))
		memcpy(lang, seen.lang, sizeof(seen.lang));
	return st;
}

/*
 * The language a POST follows (app.c's follow_stamp): a current stamp's
 * of program, any client network; PF_ENOTFOUND (lang "") otherwise or
 * when it has none.
 */
static int
stamp_lang(const unsigned char *k, const char *program, const char *posted,
    time_t now, char lang[PF_LANG_MAX])
{
	struct pf_stamp_seen	 seen;

	pf_stamp_open(k, program, posted, now, &seen);
	memcpy(lang, seen.lang, sizeof(seen.lang));
	return seen.verdict == PF_STAMP_OK && lang[0] != '\0' ? PF_OK :
	    PF_ENOTFOUND;
}

/* The shipped pages, opened for each test (open_pages, close_pages). */
static struct pf_pages	*pages;

static void
open_pages(void)
{
	ck_assert_int_eq(pf_pages_open(HTDOCS, "/privacy", &pages), PF_OK);
}

static void
close_pages(void)
{
	pf_pages_free(pages);
	pages = NULL;
}

/* FORM's page with pf_stamp_page(s, posted, fresh) applied. */
static struct pf_page *
stamped(const struct pf_stamper *s, const char *posted, int fresh)
{
	struct pf_page	*page = NULL;

	ck_assert_int_eq(pf_page_new(pages, FORM, &page), PF_OK);
	ck_assert_int_eq(pf_stamp_page(s, posted, fresh, page), PF_OK);
	return page;
}

/* The value of attribute attr after the text after in page; a copy. */
static char *
attr_after(struct pf_page *page, const char *after, const char *attr)
{
	char	*buf = NULL, *p, *q, *v;
	size_t	 len;

	ck_assert_int_eq(pf_page_render(page, &buf, &len), PF_OK);
	ck_assert_ptr_nonnull(p = strstr(buf, after));
	ck_assert_ptr_nonnull(p = strstr(p, attr));
	p += strlen(attr);
	ck_assert_ptr_nonnull(q = strchr(p, '"'));
	ck_assert_ptr_nonnull(v = strndup(p, (size_t)(q - p)));
	free(buf);
	pf_page_free(page);
	return v;
}

/* The stamp FORM's page gets from pf_stamp_page(s, posted, fresh). */
static char *
page_stamp(const struct pf_stamper *s, const char *posted, int fresh)
{
	return attr_after(stamped(s, posted, fresh),
	    "name=\"" PF_STAMP_FIELD "\"", "value=\"");
}

/* st with a bit of its middle byte flipped reads as stale, at now, to s. */
static void
assert_broken_is_stale(const struct pf_stamper *s, char *st, time_t now)
{
	long long	 age = -1;

	st[strlen(st) / 2] ^= 1;
	ck_assert_int_eq(stamp_read(s, st, now, &age, NULL),
	    PF_STAMP_STALE);
}

START_TEST(test_read_none_posted)
{
	long long	 age = -1;

	ck_assert_int_eq(stamp_read(&stamper, NULL, time(NULL), &age, NULL),
	    PF_STAMP_NONE);
	ck_assert_int_eq(stamp_read(&stamper, "", time(NULL), &age, NULL),
	    PF_STAMP_NONE);
	ck_assert_int_eq(age, -1);
}
END_TEST

START_TEST(test_read_back_what_was_made)
{
	struct pf_stamper	 s = stamper;
	char			*st;
	time_t			 now = time(NULL);
	long long		 age = -1;

	st = page_stamp(&stamper, NULL, 1);
	ck_assert_uint_gt(strlen(st), 0);
	ck_assert_int_eq(stamp_read(&s, st, now + 5, &age, NULL), PF_STAMP_OK);
	ck_assert(age >= 4 && age <= 6);
	/* Another client network: all but the client holds. */
	s.client = "client-2";
	age = -1;
	ck_assert_int_eq(stamp_read(&s, st, now + 5, &age, NULL),
	    PF_STAMP_MOVED);
	ck_assert(age >= 4 && age <= 6);
	/* Another program, another key, too late, or a broken text. */
	s = stamper;
	s.program = "feedback";
	ck_assert_int_eq(stamp_read(&s, st, now, &age, NULL), PF_STAMP_STALE);
	s = stamper;
	s.key = other_key;
	ck_assert_int_eq(stamp_read(&s, st, now, &age, NULL), PF_STAMP_STALE);
	ck_assert_int_eq(stamp_read(&stamper, st, now + 24 * 3600 + 60,
	    &age, NULL), PF_STAMP_STALE);
	assert_broken_is_stale(&stamper, st, now);
	free(st);
}
END_TEST

/*
 * A POST's stamp is read for its language and then by the guard, in the
 * same second: stamp.c answers the second from what the first opened.
 * Each reading must still get its own answer: another client, program,
 * key or text in that second is not the stamp read before.
 */
START_TEST(test_reads_in_one_second_each_get_their_answer)
{
	struct pf_stamper	 s = stamper;
	char			*st, lang[PF_LANG_MAX];
	time_t			 now = time(NULL) + 7;
	long long		 age = -1;
	int			 i;

	st = page_stamp(&stamper, NULL, 1);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(stamp_lang(key, "unsubscribe", st, now,
		    lang), PF_OK);
		ck_assert_str_eq(lang, PF_LANG_SOURCE);
		s.client = "client-2";
		ck_assert_int_eq(stamp_read(&s, st, now, &age, NULL),
		    PF_STAMP_MOVED);
		s.client = "client-1";
		ck_assert_int_eq(stamp_read(&s, st, now, &age, lang),
		    PF_STAMP_OK);
		ck_assert(age >= 6 && age <= 8);
		ck_assert_int_eq(stamp_lang(key, "feedback", st, now, lang),
		    PF_ENOTFOUND);
		ck_assert_int_eq(stamp_lang(other_key, "unsubscribe", st,
		    now, lang), PF_ENOTFOUND);
	}
	assert_broken_is_stale(&s, st, now);
	free(st);
}
END_TEST

/* A good stamp posted is kept (its first time holds); any other replaced. */
START_TEST(test_page_keeps_a_good_stamp_only)
{
	static const struct {
		const char	*client;
		int		 posted, fresh, kept;
	} cases[] = {
		{ "client-1", 1, 0, 1 },
		{ "client-1", 1, 1, 0 },	/* fresh: a new one */
		{ "client-2", 1, 0, 0 },	/* another network's */
		{ "client-1", 0, 0, 0 },	/* none */
	};
	struct pf_stamper	 s = stamper;
	char			*st, *v;
	size_t			 i;

	st = page_stamp(&stamper, NULL, 1);
	for (i = 0; i < nitems(cases); i++) {
		s.client = cases[i].client;
		v = page_stamp(&s, cases[i].posted ? st : NULL,
		    cases[i].fresh);
		if (cases[i].kept)
			ck_assert_str_eq(v, st);
		else
			ck_assert_str_ne(v, st);
		ck_assert_int_eq(stamp_read(&s, v, time(NULL),
		    &(long long){ 0 }, NULL), PF_STAMP_OK);
		free(v);
	}
	free(st);
}
END_TEST

START_TEST(test_page_gets_the_widget_wait)
{
	struct pf_stamper	 s = stamper;
	char			*v;

	s.min_seconds = 17;
	v = attr_after(stamped(&s, NULL, 0), "id=\"pf-guard-script\"",
	    "data-wait=\"");
	ck_assert_str_eq(v, "17");
	free(v);
}
END_TEST

/* A stamp seals the language it was made in; reading it gives it back. */
START_TEST(test_stamp_seals_its_language)
{
	char		*st = NULL, lang[PF_LANG_MAX] = "x";
	time_t		 now = time(NULL);
	long long	 age;

	ck_assert_int_eq(pf_lang_use("pt-BR"), PF_OK);
	ck_assert_int_eq(pf_stamp_make(&stamper, now, &st), PF_OK);
	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
	ck_assert_int_eq(stamp_read(&stamper, st, now, &age, lang),
	    PF_STAMP_OK);
	ck_assert_str_eq(lang, "pt-BR");
	/* Any network: what the POST is answered in. */
	ck_assert_int_eq(stamp_lang(key, "unsubscribe", st, now, lang),
	    PF_OK);
	ck_assert_str_eq(lang, "pt-BR");
	ck_assert_int_eq(stamp_lang(key, "feedback", st, now, lang),
	    PF_ENOTFOUND);
	ck_assert_str_eq(lang, "");
	ck_assert_int_eq(stamp_lang(other_key, "unsubscribe", st, now,
	    lang), PF_ENOTFOUND);
	ck_assert_int_eq(stamp_lang(key, "unsubscribe", st,
	    now + 24 * 3600 + 60, lang), PF_ENOTFOUND);
	ck_assert_int_eq(stamp_lang(key, "unsubscribe", NULL, now, lang),
	    PF_ENOTFOUND);
	free(st);
}
END_TEST

/* A stamp made before stamps had a language reads as before, without. */
START_TEST(test_stamp_without_language_still_reads)
{
	const char	*fields[3] = { "unsubscribe", NULL, "client-1" };
	char		*st = NULL, when[24], lang[PF_LANG_MAX] = "x";
	time_t		 now = time(NULL);
	long long	 age = -1;

	snprintf(when, sizeof(when), "%lld", (long long)now - 30);
	fields[1] = when;
	ck_assert_int_eq(pf_token_make(key, "stamp", now + 3600, fields, 3,
	    &st), PF_OK);
	ck_assert_int_eq(stamp_read(&stamper, st, now, &age, lang),
	    PF_STAMP_OK);
	ck_assert_int_eq(age, 30);
	ck_assert_str_eq(lang, "");
	ck_assert_int_eq(stamp_lang(key, "unsubscribe", st, now, lang),
	    PF_ENOTFOUND);
	free(st);
}
END_TEST

/* A form shown again in another language keeps its time, not its tongue. */
START_TEST(test_page_reseals_a_stamp_in_the_language_shown)
{
	char		*st, *v, lang[PF_LANG_MAX];
	time_t		 now = time(NULL);
	long long	 age = -1;

	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	ck_assert_int_eq(pf_stamp_make(&stamper, now - 40, &st), PF_OK);
	v = page_stamp(&stamper, st, 0);
	ck_assert_str_eq(v, st);		/* same language: kept */
	free(v);
	ck_assert_int_eq(pf_lang_use("fr"), PF_OK);
	v = page_stamp(&stamper, st, 0);
	ck_assert_str_ne(v, st);
	ck_assert_int_eq(stamp_read(&stamper, v, now, &age, lang),
	    PF_STAMP_OK);
	ck_assert_str_eq(lang, "fr");
	ck_assert_int_eq(age, 40);		/* first shown 40 s ago still */
	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
	free(v);
	free(st);
}
END_TEST

PF_TEST_MAIN("stamp",
    tcase_add_checked_fixture(tc, open_pages, close_pages),
    tcase_add_test(tc, test_stamp_seals_its_language),
    tcase_add_test(tc, test_stamp_without_language_still_reads),
    tcase_add_test(tc, test_page_reseals_a_stamp_in_the_language_shown),
    tcase_add_test(tc, test_read_none_posted),
    tcase_add_test(tc, test_read_back_what_was_made),
    tcase_add_test(tc, test_reads_in_one_second_each_get_their_answer),
    tcase_add_test(tc, test_page_keeps_a_good_stamp_only),
    tcase_add_test(tc, test_page_gets_the_widget_wait))
