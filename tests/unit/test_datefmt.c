/*
 * test_datefmt.c -- dates and times as a visitor reads them, per language
 * (datefmt.h), and the pages' dates through dsr.h in a language other
 * than English.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "datefmt.h"
#include "dsr.h"
#include "err.h"
#include "lang.h"

/* 2 March 2027, 14:05:09 UTC. */
#define T_2027_03_02	((time_t)1803996309)

static const struct {
	const char	*lang, *day, *time;
} forms[] = {
	/* The source language is British English: the day first. */
	{ "en", "2 March 2027", "14:05" },
	{ "de", "2. M\xc3\xa4rz 2027", "14:05" },
	{ "fr", "2 mars 2027", "14:05" },
	{ "es", "2 de marzo de 2027", "14:05" },
	{ "pt-BR", "2 de mar\xc3\xa7o de 2027", "14:05" },
	{ "ja", "2027\xe5\xb9\xb4" "3\xe6\x9c\x88" "2\xe6\x97\xa5", "14:05" },
	{ "zh-CN", "2027\xe5\xb9\xb4" "3\xe6\x9c\x88" "2\xe6\x97\xa5",
	    "14:05" },
};

/* Every test starts in the source language, under C.UTF-8 (lang.h). */
static void
setup(void)
{
	ck_assert_int_eq(pf_lang_init(NULL), PF_OK);
}

START_TEST(test_day_and_time_in_each_language)
{
	char	 out[PF_DATEFMT_SIZE];

	ck_assert_int_eq(pf_lang_use(forms[_i].lang), PF_OK);
	ck_assert_int_eq(pf_datefmt_day(T_2027_03_02, out), PF_OK);
	ck_assert_str_eq(out, forms[_i].day);
	ck_assert_int_eq(pf_datefmt_time(T_2027_03_02, out), PF_OK);
	ck_assert_str_eq(out, forms[_i].time);
	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
}
END_TEST

/* The formatters follow a switch of language, and back. */
START_TEST(test_switching_language_switches_the_format)
{
	char	 en[PF_DATEFMT_SIZE], de[PF_DATEFMT_SIZE], again[PF_DATEFMT_SIZE];

	ck_assert_int_eq(pf_datefmt_day(T_2027_03_02, en), PF_OK);
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	ck_assert_int_eq(pf_datefmt_day(T_2027_03_02, de), PF_OK);
	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
	ck_assert_int_eq(pf_datefmt_day(T_2027_03_02, again), PF_OK);
	ck_assert_str_ne(en, de);
	ck_assert_str_eq(en, again);
}
END_TEST

/* Stored times are UTC: a time near midnight keeps its UTC day. */
START_TEST(test_utc_day_whatever_the_zone)
{
	char	 out[PF_DATEFMT_SIZE];

	ck_assert_int_eq(setenv("TZ", "Pacific/Kiritimati", 1), 0);
	tzset();
	/* 30 September 2027, 23:59:00 UTC: 1 October in Kiritimati. */
	ck_assert_int_eq(pf_datefmt_day((time_t)1822348740, out), PF_OK);
	ck_assert_str_eq(out, "30 September 2027");
	ck_assert_int_eq(pf_datefmt_time((time_t)1822348740, out), PF_OK);
	ck_assert_str_eq(out, "23:59");
	unsetenv("TZ");
	tzset();
}
END_TEST

/*
 * The pages' dates (dsr.h) in German: ICU's day, the time, "UTC"; the
 * datetime attribute stays ISO 8601 in every language.
 */
START_TEST(test_page_dates_in_german)
{
	struct pf_dsr_when	 w;

	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	ck_assert_int_eq(pf_dsr_date("2027-03-02", &w), PF_OK);
	ck_assert_str_eq(w.text, "2. M\xc3\xa4rz 2027");
	ck_assert_str_eq(w.datetime, "2027-03-02");
	ck_assert_int_eq(pf_dsr_time("2027-03-02T14:05:09.123456Z", &w),
	    PF_OK);
	ck_assert_str_eq(w.text, "2. M\xc3\xa4rz 2027, 14:05 UTC");
	ck_assert_str_eq(w.datetime, "2027-03-02T14:05Z");
	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
}
END_TEST

/* A language ICU has no data for still gets a date, not an error. */
START_TEST(test_unknown_language_still_formats)
{
	char	 out[PF_DATEFMT_SIZE];

	ck_assert_int_eq(pf_lang_use("qaa"), PF_OK);
	ck_assert_int_eq(pf_datefmt_day(T_2027_03_02, out), PF_OK);
	ck_assert_ptr_nonnull(strstr(out, "2027"));
	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
}
END_TEST

PF_TEST_MAIN("datefmt",
    tcase_add_checked_fixture(tc, setup, NULL),
    PF_LOOP(test_day_and_time_in_each_language, forms),
    tcase_add_test(tc, test_switching_language_switches_the_format),
    tcase_add_test(tc, test_utc_day_whatever_the_zone),
    tcase_add_test(tc, test_page_dates_in_german),
    tcase_add_test(tc, test_unknown_language_still_formats))
