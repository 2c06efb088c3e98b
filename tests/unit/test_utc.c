/* test_utc.c -- reading UTC days and stored times (utc.h). */
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "err.h"
#include "nitems.h"
#include "utc.h"

static const struct {
	const char	*s;
	long long	 t;	/* midnight UTC */
} days[] = {
	{ "1970-01-01", 0 },
	{ "1970-01-02", 86400 },
	{ "2024-02-29", 1709164800 },	/* a leap day */
	{ "2000-02-29", 951782400 },	/* divisible by 400: leap */
	{ "2026-12-31", 1798675200 },
	{ "1969-12-31", -86400 },
	{ "0001-01-01", -62135596800LL },
	{ "9999-12-31", 253402214400LL },
};

START_TEST(test_date_parse_midnight_utc)
{
	time_t	 t = 1;

	ck_assert_int_eq(pf_utc_parse_day(days[_i].s, &t), PF_OK);
	ck_assert_int_eq((long long)t, days[_i].t);
}
END_TEST

static const char *const bad_days[] = {
	"", "2026-02-30", "2026-02-29", "1900-02-29", "2026-04-31",
	"2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32", "0000-01-01",
	"2026-1-01", "26-01-01", "2026/01/01", "2026-01-01 ", " 2026-01-01",
	"2026-01-011", "+026-01-01", "2026-+1-01", "2026-01--1", "20260101",
	"2026-01-01T00:00:00", "abcd-ef-gh", "2026-01-0\n",
};

START_TEST(test_date_parse_refuses)
{
	time_t	 t = 7;

	ck_assert_int_eq(pf_utc_parse_day(bad_days[_i], &t), PF_EINVAL);
	ck_assert_int_eq((long long)t, 7);	/* untouched */
}
END_TEST

START_TEST(test_date_parse_null)
{
	time_t	 t;

	ck_assert_int_eq(pf_utc_parse_day(NULL, &t), PF_EINVAL);
	ck_assert_int_eq(pf_utc_parse_time(NULL, &t), PF_EINVAL);
}
END_TEST

START_TEST(test_time_parse_stored_times)
{
	time_t	 t;

	ck_assert_int_eq(pf_utc_parse_time("1970-01-01T00:00:00.000000Z", &t),
	    PF_OK);
	ck_assert_int_eq((long long)t, 0);
	ck_assert_int_eq(pf_utc_parse_time("2026-12-31T23:59:59.999999Z", &t),
	    PF_OK);
	ck_assert_int_eq((long long)t, 1798675200LL + 86399);
	ck_assert_int_eq(pf_utc_parse_time("2024-02-29T12:30:05", &t), PF_OK);
	ck_assert_int_eq((long long)t, 1709164800LL + 45005);
}
END_TEST

static const char *const bad_times[] = {
	"2026-01-01", "2026-01-01T", "2026-01-01T00:00", "2026-01-01 00:00:00",
	"2026-01-01T24:00:00", "2026-01-01T00:60:00", "2026-01-01T00:00:60",
	"2026-02-30T00:00:00", "2026-01-01T0:00:000", "2026-01-01T00-00-00",
	"0000-01-01T00:00:00",
};

START_TEST(test_time_parse_refuses)
{
	time_t	 t = 7;

	ck_assert_int_eq(pf_utc_parse_time(bad_times[_i], &t), PF_EINVAL);
	ck_assert_int_eq((long long)t, 7);
}
END_TEST

/* A time, a number of months, and the cutoff that many months before. */
static const struct {
	time_t		 now;
	long		 months;
	const char	*want;
} months_before[] = {
	/* 2026-12-05T06:30:00: 24 months is the same day two years back. */
	{ 1796452200, 24, "2024-12-05T06:30:00.000000Z" },
	{ 1796452200, 0, "2026-12-05T06:30:00.000000Z" },
	{ 1796452200, 12, "2025-12-05T06:30:00.000000Z" },
	{ 1796452200, 11, "2026-01-05T06:30:00.000000Z" },
	/* 2027-03-31T00:00:00: a shorter month takes its last day. */
	{ 1806451200, 1, "2027-02-28T00:00:00.000000Z" },
	{ 1806451200, 13, "2026-02-28T00:00:00.000000Z" },
	{ 1806451200, 37, "2024-02-29T00:00:00.000000Z" },
	{ 1806451200, 5, "2026-10-31T00:00:00.000000Z" },
	{ 1806451200, 6, "2026-09-30T00:00:00.000000Z" },
	/* Into another year, across its end. */
	{ 1796452200, 36, "2023-12-05T06:30:00.000000Z" },
	{ 1796452200, 120, "2016-12-05T06:30:00.000000Z" },
	/* No four-digit year: the earliest time, so nothing is purged. */
	{ 1796452200, -1, "0000-01-01T00:00:00.000000Z" },
	{ 1796452200, 12323, "1000-01-05T06:30:00.000000Z" },
	{ 1796452200, 12324, "0000-01-01T00:00:00.000000Z" },
	{ 1796452200, 2147483647L, "0000-01-01T00:00:00.000000Z" },
};

START_TEST(test_months_before_same_day_or_the_month_end)
{
	char	 t[PF_TIME_SIZE];

	memset(t, 'x', sizeof(t));
	pf_utc_months_before(months_before[_i].now, months_before[_i].months,
	    t);
	ck_assert_msg(strcmp(t, months_before[_i].want) == 0,
	    "%lld minus %ld months: %s", (long long)months_before[_i].now,
	    months_before[_i].months, t);
}
END_TEST

START_TEST(test_sizes_hold_what_they_name)
{
	/* The store's longest time and a day, each with its NUL. */
	ck_assert_uint_ge(PF_TIME_SIZE,
	    strlen("9999-12-31T23:59:59.999999Z") + 1);
	ck_assert_uint_eq(PF_DATE_SIZE, strlen("9999-12-31") + 1);
	ck_assert_int_eq(PF_DAY, 86400);
}
END_TEST

PF_TEST_MAIN("utc",
    tcase_add_loop_test(tc, test_date_parse_midnight_utc, 0, nitems(days)),
    tcase_add_loop_test(tc, test_date_parse_refuses, 0, nitems(bad_days)),
    tcase_add_test(tc, test_date_parse_null),
    tcase_add_test(tc, test_time_parse_stored_times),
    tcase_add_loop_test(tc, test_time_parse_refuses, 0, nitems(bad_times)),
    tcase_add_loop_test(tc, test_months_before_same_day_or_the_month_end, 0,
    nitems(months_before)),
    tcase_add_test(tc, test_sizes_hold_what_they_name))
