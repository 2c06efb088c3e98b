/*
 * test_lang_choice.c -- which language a request keeps (lang.h): the
 * visitor's choice over a signed link's language, a link's over what the
 * browser asked for, and each request starting without a choice.
 */
#include <string.h>

#include "check_main.h"
#include "err.h"
#include "fixture.h"
#include "lang.h"

/* A link made in tag is followed: the request's language is then now. */
static void
follows(const char *tag, const char *now)
{
	ck_assert_int_eq(pf_lang_follow(tag), PF_OK);
	ck_assert_msg(strcmp(pf_lang_current(), now) == 0,
	    "after following %s: %s, not %s", tag, pf_lang_current(), now);
}

/* Nothing chosen: a link's language becomes the request's. */
START_TEST(test_follow_switches_when_nothing_was_chosen)
{
	pf_test_offer("en de ja");
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	ck_assert_int_eq(pf_lang_chosen(), 0);
	follows("ja", "ja");
	ck_assert_int_eq(pf_lang_chosen(), 0);
}
END_TEST

/* ?lang= (or the form's stamp) wins over the link's language. */
START_TEST(test_follow_keeps_a_chosen_language)
{
	pf_test_offer("en de es fr ja");
	ck_assert_int_eq(pf_lang_choose("fr"), PF_OK);
	ck_assert_int_eq(pf_lang_chosen(), 1);
	follows("ja", "fr");
	/* pf_lang_use (as the next request starts) is no choice. */
	ck_assert_int_eq(pf_lang_use("es"), PF_OK);
	ck_assert_int_eq(pf_lang_chosen(), 0);
	follows("ja", "ja");
	/* A switch for a mail and back leaves the choice alone. */
	ck_assert_int_eq(pf_lang_choose("fr"), PF_OK);
	{
		char	 saved[PF_LANG_MAX];

		ck_assert_int_eq(pf_lang_push("de", saved), PF_OK);
		ck_assert_str_eq(pf_lang_current(), "de");
		ck_assert_int_eq(pf_lang_chosen(), 1);
		pf_lang_pop(saved);
		ck_assert_str_eq(pf_lang_current(), "fr");
		ck_assert_int_eq(pf_lang_push("de_DE", saved), PF_EINVAL);
		pf_lang_pop(saved);
		ck_assert_str_eq(pf_lang_current(), "fr");
		ck_assert_int_eq(pf_lang_chosen(), 1);
	}
}
END_TEST

/*
 * A link or stamp made in a language the site no longer offers (its
 * languages edited since): the request keeps the language it has.
 */
START_TEST(test_follow_only_an_offered_language)
{
	/* As before the site's languages are read: only the source one. */
	pf_test_offer(PF_LANG_SOURCE);
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	follows("ja", "de");
	follows(PF_LANG_SOURCE, "en");
	pf_test_offer("en de");
	follows("fr", "en");
	follows("de", "de");
	follows("fr", "de");
	ck_assert_int_eq(pf_lang_chosen(), 0);
}
END_TEST

/* A malformed tag is refused, chosen or not, and changes nothing. */
START_TEST(test_malformed_tags_change_nothing)
{
	static const char *const bad[] = { "", "x", "EN", "de_DE", "de-", "ja-\xe6\x97\xa5" };
	size_t	 i;

	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	for (i = 0; i < nitems(bad); i++) {
		ck_assert_int_eq(pf_lang_follow(bad[i]), PF_EINVAL);
		ck_assert_int_eq(pf_lang_choose(bad[i]), PF_EINVAL);
		ck_assert_int_eq(pf_lang_chosen(), 0);
		ck_assert_str_eq(pf_lang_current(), "de");
	}
	ck_assert_int_eq(pf_lang_choose("pt-BR"), PF_OK);
	ck_assert_int_eq(pf_lang_follow("de_DE"), PF_EINVAL);
	ck_assert_str_eq(pf_lang_current(), "pt-BR");
	ck_assert_int_eq(pf_lang_follow(NULL), PF_EINVAL);
}
END_TEST

PF_TEST_MAIN("lang_choice",
    tcase_add_test(tc, test_follow_switches_when_nothing_was_chosen),
    tcase_add_test(tc, test_follow_keeps_a_chosen_language),
    tcase_add_test(tc, test_follow_only_an_offered_language),
    tcase_add_test(tc, test_malformed_tags_change_nothing))
