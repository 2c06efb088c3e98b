/*
 * test_laws.c -- the privacy laws table and deadline arithmetic (laws.h),
 * against the real etc/privacy-laws.tsv (the tests run from the tree's
 * root) and against malformed tables written to a temporary directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "fixture.h"
#include "err.h"
#include "laws.h"
#include "nitems.h"

#define REAL_TABLE	"etc/privacy-laws.tsv"
#define STAR_ROW	"*\tnone\t30 days\t-\t-\tinternal policy\n"
#define DE_PREFIX	"DE\tGDPR\t1 month\t-\t-\t"	/* a source follows */
#define LINE_LIMIT	1024
#define NUL_TABLE	STAR_ROW DE_PREFIX "sr\0c\n"
/* A row of nine fields: place law, 1 month to answer, appeal regulator scope. */
#define NINE(place, law, appeal, reg, scope) \
	place "\t" law "\t1 month\t-\t-\t" appeal "\t" reg "\t" scope "\tsrc\n"
#define R10	"regulator "
#define LONG_REG R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 \
	R10 R10 R10 R10 R10 "x"		/* 201 bytes */

/* Write the table the test loads from fx.laws. */
static void
write_table(const char *text, size_t len)
{
	pf_test_write(fx.laws, text, len);
}

START_TEST(test_period_parse_accepts_each_form)
{
	static const struct {
		const char		*s;
		enum pf_period_unit	 unit;
		int			 n;
	} t[] = {
		{ "-",			PF_PERIOD_NONE,			0 },
		{ "1 day",		PF_PERIOD_DAYS,			1 },
		{ "1 days",		PF_PERIOD_DAYS,			1 },
		{ "30 days",		PF_PERIOD_DAYS,			30 },
		{ "45 days",		PF_PERIOD_DAYS,			45 },
		{ "366 days",		PF_PERIOD_DAYS,			366 },
		{ "1 business day",	PF_PERIOD_BUSINESS_DAYS,	1 },
		{ "10 business days",	PF_PERIOD_BUSINESS_DAYS,	10 },
		{ "1 month",		PF_PERIOD_MONTHS,		1 },
		{ "1 months",		PF_PERIOD_MONTHS,		1 },
		{ "2 months",		PF_PERIOD_MONTHS,		2 },
		{ "12 months",		PF_PERIOD_MONTHS,		12 },
	};
	struct pf_period	 p;
	size_t			 i;

	for (i = 0; i < nitems(t); i++) {
		p.unit = PF_PERIOD_MONTHS;
		p.n = -1;
		ck_assert_msg(pf_period_parse(t[i].s, &p) == PF_OK,
		    "refused '%s'", t[i].s);
		ck_assert_msg(p.unit == t[i].unit && p.n == t[i].n,
		    "'%s' gave unit %d n %d", t[i].s, p.unit, p.n);
	}
}
END_TEST

START_TEST(test_period_parse_refuses_malformed)
{
	static const char *const bad[] = {
		"", " ", "month", "days", "0 days", "367 days", "1000 days",
		"-5 days", "+5 days", "045 days", "45days", "45  days",
		" 45 days", "45 days ", "45 weeks", "45 Days", "45 day",
		"2 month", "2 business day", "45 business", "45 calendar days",
		"1.5 months", "0x10 days", "45 days\n", "--", "- ", "none",
		"4294967341 days", "99999999999999999999 days",
	};
	struct pf_period	 p;
	size_t			 i;

	for (i = 0; i < nitems(bad); i++)
		ck_assert_msg(pf_period_parse(bad[i], &p) == PF_EINVAL,
		    "accepted '%s'", bad[i]);
}
END_TEST

/*
 * Due dates by unit: calendar months go to the same day or the month's
 * last day; days count from the day after receipt, weekends included;
 * business days skip weekends (holidays count).
 */
#define MONTHS	PF_PERIOD_MONTHS
#define DAYS	PF_PERIOD_DAYS
#define BDAYS	PF_PERIOD_BUSINESS_DAYS

static const struct {
	const char		*received;
	enum pf_period_unit	 unit;
	int			 n;
	const char		*due;
} dues[] = {
	/* Calendar months: the same day, or the month's last day. */
	{ "2026-01-31 12:00:00", MONTHS, 1, "2026-02-28" },
	{ "2028-01-31 12:00:00", MONTHS, 1, "2028-02-29" },	/* leap */
	{ "2026-03-31 12:00:00", MONTHS, 1, "2026-04-30" },
	{ "2026-12-15 12:00:00", MONTHS, 1, "2027-01-15" },	/* new year */
	{ "2026-11-30 12:00:00", MONTHS, 3, "2027-02-28" },
	{ "2027-12-31 12:00:00", MONTHS, 2, "2028-02-29" },
	{ "2026-01-31 12:00:00", MONTHS, 2, "2026-03-31" },
	{ "2026-02-28 12:00:00", MONTHS, 1, "2026-03-28" },
	{ "2028-02-29 12:00:00", MONTHS, 12, "2029-02-28" },
	{ "2026-01-15 12:00:00", MONTHS, 3, "2026-04-15" },	/* GDPR + 2 */
	{ "2099-12-31 12:00:00", MONTHS, 2, "2100-02-28" },	/* not leap */
	{ "2399-12-31 12:00:00", MONTHS, 2, "2400-02-29" },	/* leap */
	/* Days, from the day after receipt. */
	{ "2026-02-28 12:00:00", DAYS, 45, "2026-04-14" },
	{ "2026-02-28 12:00:00", DAYS, 1, "2026-03-01" },
	{ "2028-02-28 12:00:00", DAYS, 1, "2028-02-29" },	/* leap */
	{ "2026-12-31 12:00:00", DAYS, 1, "2027-01-01" },
	{ "2026-01-01 12:00:00", DAYS, 30, "2026-01-31" },
	{ "2026-01-01 12:00:00", DAYS, 365, "2027-01-01" },
	{ "2028-01-01 12:00:00", DAYS, 366, "2029-01-01" },
	{ "2026-11-27 12:00:00", DAYS, 3, "2026-11-30" },	/* weekends */
	/* Business days skip weekends. */
	{ "2026-11-27 12:00:00", BDAYS, 10, "2026-12-11" },	/* Friday */
	{ "2026-11-27 12:00:00", BDAYS, 1, "2026-11-30" },	/* Fri -> Mon */
	{ "2026-11-28 12:00:00", BDAYS, 1, "2026-11-30" },	/* Saturday */
	{ "2026-11-29 12:00:00", BDAYS, 1, "2026-11-30" },	/* Sunday */
	{ "2026-11-30 12:00:00", BDAYS, 5, "2026-12-07" },	/* Monday */
	{ "2026-11-26 12:00:00", BDAYS, 1, "2026-11-27" },	/* Thursday */
	{ "2026-12-24 12:00:00", BDAYS, 10, "2027-01-07" },	/* holidays */
	{ "2028-02-25 12:00:00", BDAYS, 2, "2028-02-29" },	/* leap Tue */
};

/* The due date of received plus n units is want. */
static void
due_is(const char *received, enum pf_period_unit unit, int n,
    const char *want)
{
	static const char *const name[] = { [MONTHS] = "months",
	    [DAYS] = "days", [BDAYS] = "business days" };
	struct pf_period	 p = { unit, n };
	char			 out[11];

	ck_assert_int_eq(pf_period_due(pf_test_utc(received), &p, out), PF_OK);
	ck_assert_msg(strcmp(out, want) == 0, "%s + %d %s: %s, expected %s",
	    received, n, name[unit], out, want);
}

START_TEST(test_period_due_of_each_unit)
{
	size_t	 i;

	for (i = 0; i < nitems(dues); i++)
		due_is(dues[i].received, dues[i].unit, dues[i].n, dues[i].due);
}
END_TEST

/* The hour does not matter: the UTC day of receipt does. */
START_TEST(test_period_due_uses_utc_day_of_receipt)
{
	static const struct {
		const char		*received;
		enum pf_period_unit	 unit;
		const char		*due;
	} t[] = {
		{ "2026-01-31 23:59:59", PF_PERIOD_MONTHS, "2026-02-28" },
		{ "2026-01-31 00:00:00", PF_PERIOD_MONTHS, "2026-02-28" },
		{ "2026-02-28 23:59:59", PF_PERIOD_DAYS, "2026-03-01" },
		{ "2026-02-28 00:00:00", PF_PERIOD_DAYS, "2026-03-01" },
		{ "2026-11-27 23:59:59", PF_PERIOD_BUSINESS_DAYS, "2026-11-30" },
		{ "2026-11-28 00:00:00", PF_PERIOD_BUSINESS_DAYS, "2026-11-30" },
	};
	size_t	 i;

	for (i = 0; i < nitems(t); i++)
		due_is(t[i].received, t[i].unit, 1, t[i].due);
}
END_TEST

START_TEST(test_period_due_refuses_none_and_bad_counts)
{
	static const struct pf_period bad[] = {
		{ PF_PERIOD_NONE, 0 }, { PF_PERIOD_NONE, 1 },
		{ PF_PERIOD_DAYS, 0 }, { PF_PERIOD_DAYS, -1 },
		{ PF_PERIOD_MONTHS, 367 }, { PF_PERIOD_BUSINESS_DAYS, 0 },
	};
	char	 out[11];
	size_t	 i;

	for (i = 0; i < nitems(bad); i++)
		ck_assert_msg(pf_period_due(pf_test_utc("2026-01-31 12:00:00"),
		    &bad[i], out) == PF_EINVAL, "accepted unit %d n %d",
		    bad[i].unit, bad[i].n);
}
END_TEST

/* A date that would not fit "YYYY-MM-DD" is refused, not overflowed. */
START_TEST(test_period_due_refuses_out_of_range_time)
{
	struct pf_period	 p = { PF_PERIOD_MONTHS, 1 };
	char			 out[11];

	ck_assert_int_eq(pf_period_due(pf_test_utc("9999-12-15 12:00:00"), &p,
	    out), PF_EINVAL);
	ck_assert_int_eq(pf_period_due((time_t)1 << 60, &p, out), PF_EINVAL);
	ck_assert_int_eq(pf_period_due(pf_test_utc("9999-11-15 12:00:00"), &p,
	    out), PF_OK);
	ck_assert_str_eq(out, "9999-12-15");
}
END_TEST

static struct pf_laws *
load_real(void)
{
	struct pf_laws	*laws = NULL;

	ck_assert_msg(pf_laws_load(REAL_TABLE, &laws, fx.err, sizeof(fx.err)) ==
	    PF_OK, "%s", fx.err);
	ck_assert_ptr_nonnull(laws);
	return laws;
}

START_TEST(test_real_table_maps_places_to_laws)
{
	static const struct {
		const char	*country, *state, *place, *law;
	} t[] = {
		{ "DE", NULL, "DE", "GDPR" },
		{ "GR", NULL, "GR", "GDPR" },
		{ "HU", NULL, "HU", "GDPR" },
		{ "NO", NULL, "NO", "GDPR" },
		{ "GB", NULL, "GB", "UK GDPR" },
		{ "US", "CA", "US-CA", "CCPA" },
		{ "US", "NY", "*", "none" },	/* a state without a row */
		{ "US", NULL, "*", "none" },
		{ "CA", NULL, "CA", "PIPEDA" },	/* Canada */
		{ "CA", "CA", "CA", "PIPEDA" },	/* a state outside the US */
		{ "AU", NULL, "AU", "Privacy Act 1988" },
		{ "JP", NULL, "JP", "APPI" },
		{ "BR", NULL, "BR", "LGPD" },
		{ "CH", NULL, "CH", "FADP" },
		{ "KR", NULL, "KR", "PIPA" },
		{ "SG", NULL, "SG", "PDPA" },
		{ "NZ", NULL, "NZ", "Privacy Act 2020" },
		{ "ZA", NULL, "ZA", "POPIA" },
		{ "IN", NULL, "*", "none" },	/* DPDP rights: May 2027 */
		{ "US", "TX", "US-TX", "TDPSA" },
		{ "US", "VA", "US-VA", "VCDPA" },
		{ "US", "RI", "US-RI", "RIDTPPA" },
		{ "US", "DC", "*", "none" },
		{ "EL", NULL, "*", "none" },	/* Greece is GR, not EL */
		{ "de", NULL, "*", "none" },	/* codes are upper-case */
		{ "", NULL, "*", "none" },
		{ NULL, NULL, "*", "none" },
	};
	struct pf_laws		*laws = load_real();
	const struct pf_law	*row;
	size_t			 i;

	for (i = 0; i < nitems(t); i++) {
		row = pf_laws_find(laws, t[i].country, t[i].state);
		ck_assert_ptr_nonnull(row);
		ck_assert_msg(strcmp(row->place, t[i].place) == 0 &&
		    strcmp(row->law, t[i].law) == 0, "%s/%s: %s %s",
		    t[i].country, t[i].state, row->place, row->law);
	}
	pf_laws_free(laws);
}
END_TEST

/* Every EU member state and the three other EEA states: GDPR, 1 + 2 months. */
START_TEST(test_real_table_has_every_eea_state)
{
	static const char *const eea[] = { "AT", "BE", "BG", "HR", "CY", "CZ",
	    "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
	    "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
	    "IS", "LI", "NO" };
	struct pf_laws		*laws = load_real();
	const struct pf_law	*row;
	size_t			 i;

	ck_assert_uint_eq(nitems(eea), 30);
	for (i = 0; i < nitems(eea); i++) {
		row = pf_laws_find(laws, eea[i], NULL);
		ck_assert_msg(strcmp(row->place, eea[i]) == 0, "no row for %s",
		    eea[i]);
		ck_assert_str_eq(row->law, "GDPR");
		ck_assert_int_eq(row->period.unit, PF_PERIOD_MONTHS);
		ck_assert_int_eq(row->period.n, 1);
		ck_assert_int_eq(row->extension.unit, PF_PERIOD_MONTHS);
		ck_assert_int_eq(row->extension.n, 2);
		ck_assert_int_eq(row->acknowledge.unit, PF_PERIOD_NONE);
		ck_assert_ptr_nonnull(strstr(row->source, "2016/679"));
	}
	pf_laws_free(laws);
}
END_TEST

START_TEST(test_real_table_periods)
{
	static const struct {
		const char		*country, *state;
		struct pf_period	 period, extension, acknowledge;
	} t[] = {
		{ "GB", NULL, { PF_PERIOD_MONTHS, 1 }, { PF_PERIOD_MONTHS, 2 },
		    { PF_PERIOD_NONE, 0 } },
		{ "US", "CA", { PF_PERIOD_DAYS, 45 }, { PF_PERIOD_DAYS, 45 },
		    { PF_PERIOD_BUSINESS_DAYS, 10 } },
		{ "CA", NULL, { PF_PERIOD_DAYS, 30 }, { PF_PERIOD_DAYS, 30 },
		    { PF_PERIOD_NONE, 0 } },
		{ "AU", NULL, { PF_PERIOD_DAYS, 30 }, { PF_PERIOD_NONE, 0 },
		    { PF_PERIOD_NONE, 0 } },
		{ "JP", NULL, { PF_PERIOD_DAYS, 14 }, { PF_PERIOD_NONE, 0 },
		    { PF_PERIOD_NONE, 0 } },
		{ "BR", NULL, { PF_PERIOD_DAYS, 15 }, { PF_PERIOD_NONE, 0 },
		    { PF_PERIOD_NONE, 0 } },
		{ "KR", NULL, { PF_PERIOD_DAYS, 10 }, { PF_PERIOD_NONE, 0 },
		    { PF_PERIOD_NONE, 0 } },
		{ "NZ", NULL, { PF_PERIOD_BUSINESS_DAYS, 20 },
		    { PF_PERIOD_NONE, 0 }, { PF_PERIOD_NONE, 0 } },
		{ "ZA", NULL, { PF_PERIOD_DAYS, 30 }, { PF_PERIOD_DAYS, 30 },
		    { PF_PERIOD_NONE, 0 } },
		{ "US", "TX", { PF_PERIOD_DAYS, 45 }, { PF_PERIOD_DAYS, 45 },
		    { PF_PERIOD_NONE, 0 } },
		{ "US", "IA", { PF_PERIOD_DAYS, 90 }, { PF_PERIOD_DAYS, 45 },
		    { PF_PERIOD_NONE, 0 } },
		{ "US", "FL", { PF_PERIOD_DAYS, 45 }, { PF_PERIOD_DAYS, 15 },
		    { PF_PERIOD_NONE, 0 } },
	};
	struct pf_laws		*laws = load_real();
	const struct pf_law	*r;
	size_t			 i;

	for (i = 0; i < nitems(t); i++) {
		r = pf_laws_find(laws, t[i].country, t[i].state);
		ck_assert_msg(r->period.unit == t[i].period.unit &&
		    r->period.n == t[i].period.n &&
		    r->extension.unit == t[i].extension.unit &&
		    r->extension.n == t[i].extension.n &&
		    r->acknowledge.unit == t[i].acknowledge.unit &&
		    r->acknowledge.n == t[i].acknowledge.n,
		    "wrong periods for %s", r->place);
		ck_assert_msg(r->source[0] != '\0', "%s: no source", r->place);
	}
	pf_laws_free(laws);
}
END_TEST

/* Every US state law in force by December 2026, and California's. */
START_TEST(test_real_table_has_every_us_state_law)
{
	static const char *const states[] = { "CA", "CO", "CT", "DE", "FL",
	    "IA", "IN", "KY", "MD", "MN", "MT", "NE", "NH", "NJ", "OR", "RI",
	    "TN", "TX", "UT", "VA" };
	struct pf_laws		*laws = load_real();
	const struct pf_law	*row;
	char			 place[6];
	size_t			 i;
	int			 no_appeal;

	for (i = 0; i < nitems(states); i++) {
		snprintf(place, sizeof(place), "US-%s", states[i]);
		row = pf_laws_find(laws, "US", states[i]);
		ck_assert_msg(strcmp(row->place, place) == 0, "no row for %s",
		    place);
		/* Each binds only companies above its thresholds. */
		ck_assert_msg(row->threshold, "%s: scope", place);
		ck_assert_msg(row->regulator != NULL, "%s: regulator", place);
		/* The CCPA and Utah's UCPA give no appeal; the others do. */
		no_appeal = strcmp(states[i], "CA") == 0 ||
		    strcmp(states[i], "UT") == 0;
		ck_assert_msg((row->appeal.unit == PF_PERIOD_NONE) == no_appeal,
		    "%s: appeal", place);
		ck_assert_msg(no_appeal || (row->appeal.unit == PF_PERIOD_DAYS &&
		    (row->appeal.n == 45 || row->appeal.n == 60)),
		    "%s: appeal %d days", place, row->appeal.n);
	}
	pf_laws_free(laws);
}
END_TEST

/*
 * Due dates of a sample of the new rows, across month ends, year ends and
 * leap days: which period of the row, from which day, to which day.
 */
START_TEST(test_real_table_new_rows_due_dates)
{
	enum which { PERIOD, EXTENSION, APPEAL };
	static const struct {
		const char	*country, *state;
		enum which	 which;
		const char	*received, *due;
	} t[] = {
		{ "US", "TX", PERIOD, "2024-02-15 09:00:00", "2024-03-31" },
		{ "US", "TX", PERIOD, "2023-02-15 23:59:59", "2023-04-01" },
		{ "US", "TX", APPEAL, "2023-12-31 12:00:00", "2024-02-29" },
		{ "US", "VA", APPEAL, "2024-01-31 00:00:00", "2024-03-31" },
		{ "US", "CO", APPEAL, "2024-02-15 09:00:00", "2024-03-31" },
		{ "US", "IA", PERIOD, "2024-12-15 09:00:00", "2025-03-15" },
		{ "US", "FL", EXTENSION, "2024-02-20 09:00:00", "2024-03-06" },
		{ "BR", NULL, PERIOD, "2024-02-20 09:00:00", "2024-03-06" },
		{ "KR", NULL, PERIOD, "2024-02-25 09:00:00", "2024-03-06" },
		{ "KR", NULL, PERIOD, "2023-02-25 09:00:00", "2023-03-07" },
		{ "KR", NULL, PERIOD, "2024-12-22 09:00:00", "2025-01-01" },
		{ "CH", NULL, PERIOD, "2024-02-29 09:00:00", "2024-03-30" },
		{ "ZA", NULL, EXTENSION, "2024-01-31 09:00:00", "2024-03-01" },
		/* Friday; 20 weekdays on is a Friday four weeks later. */
		{ "NZ", NULL, PERIOD, "2024-02-16 09:00:00", "2024-03-15" },
		{ "NZ", NULL, PERIOD, "2024-12-20 09:00:00", "2025-01-17" },
	};
	struct pf_laws		*laws = load_real();
	const struct pf_law	*r;
	const struct pf_period	*p;
	char			 out[PF_DATE_SIZE];
	size_t			 i;

	for (i = 0; i < nitems(t); i++) {
		r = pf_laws_find(laws, t[i].country, t[i].state);
		p = t[i].which == PERIOD ? &r->period :
		    t[i].which == EXTENSION ? &r->extension : &r->appeal;
		ck_assert_int_eq(pf_period_due(pf_test_utc(t[i].received), p,
		    out), PF_OK);
		ck_assert_msg(strcmp(out, t[i].due) == 0, "%s %s from %s: %s, "
		    "expected %s", r->place, r->law, t[i].received, out,
		    t[i].due);
	}
	pf_laws_free(laws);
}
END_TEST

/* A law the company declares exempt sends its places to "*". */
START_TEST(test_exempt_falls_back)
{
	struct pf_laws	*laws = load_real();

	ck_assert_int_eq(pf_laws_exempt(laws, "", fx.err, sizeof(fx.err)),
	    PF_OK);
	ck_assert_str_eq(pf_laws_find(laws, "US", "TX")->law, "TDPSA");
	ck_assert_int_eq(pf_laws_exempt(laws, " CCPA ,TDPSA,", fx.err,
	    sizeof(fx.err)), PF_OK);
	ck_assert_str_eq(pf_laws_find(laws, "US", "TX")->place, "*");
	ck_assert_str_eq(pf_laws_find(laws, "US", "CA")->place, "*");
	ck_assert_str_eq(pf_laws_find(laws, "US", "VA")->law, "VCDPA");
	ck_assert_str_eq(pf_laws_find(laws, "AU", NULL)->law,
	    "Privacy Act 1988");
	pf_laws_free(laws);
}
END_TEST

/* A law that binds every company, or none in the table: refused, no change. */
START_TEST(test_exempt_refuses_bad_names)
{
	static const struct pf_test_case t[] = {
		{ "VCDPA, GDPR", "laws_exempt: 'GDPR': the table says it binds "
		    "every company (scope all)" },
		{ "VCDPA,Nope", "laws_exempt: 'Nope': no law of that name" },
		{ "VCDPA,,CCPA", "laws_exempt: '': no law of that name" },
		{ "vcdpa", "laws_exempt: 'vcdpa': no law" },
		{ "none", "'none': the table says it binds every company" },
	};
	struct pf_laws	*laws = load_real();
	size_t		 i;

	for (i = 0; i < nitems(t); i++) {
		fx.err[0] = '\0';
		ck_assert_int_eq(pf_laws_exempt(laws, t[i].in, fx.err,
		    sizeof(fx.err)), PF_ECONFIG);
		ck_assert_msg(strstr(fx.err, t[i].want) != NULL, "%s: '%s'",
		    t[i].in, fx.err);
		/* The name before the bad one was not marked either. */
		ck_assert_str_eq(pf_laws_find(laws, "US", "VA")->law, "VCDPA");
	}
	pf_laws_free(laws);
}
END_TEST

/* pf_laws_open: the table and the exemptions, or nothing. */
START_TEST(test_open_applies_exempt)
{
	static const char text[] = "*\tnone\t30 days\t-\t-\tpolicy\n"
	    "GB\tUK GDPR\t1 month\t2 months\t-\t-\tthe ICO\tall\tArt. 12\n"
	    "US-TX\tTDPSA\t45 days\t45 days\t-\t60 days\t"
	    "the Texas Attorney General\tthreshold\ts. 541.052\n";
	struct pf_laws		*laws = NULL;
	const struct pf_law	*r;

	write_table(text, strlen(text));
	ck_assert_int_eq(pf_laws_open(fx.laws, "", &laws, fx.err,
	    sizeof(fx.err)), PF_OK);
	r = pf_laws_find(laws, "US", "TX");
	ck_assert_str_eq(r->law, "TDPSA");
	ck_assert_str_eq(r->regulator, "the Texas Attorney General");
	ck_assert_int_eq(r->appeal.unit, PF_PERIOD_DAYS);
	ck_assert_int_eq(r->appeal.n, 60);
	ck_assert_int_eq(r->threshold, 1);
	/* The six-field row: no appeal, no regulator, scope all. */
	r = pf_laws_find(laws, NULL, NULL);
	ck_assert_int_eq(r->appeal.unit, PF_PERIOD_NONE);
	ck_assert_ptr_null(r->regulator);
	ck_assert_int_eq(r->threshold, 0);
	ck_assert_uint_eq(pf_laws_count(laws), 3);
	ck_assert_str_eq(pf_laws_row(laws, 1)->place, "GB");
	ck_assert_ptr_null(pf_laws_row(laws, 3));
	pf_laws_free(laws);
	ck_assert_int_eq(pf_laws_open(fx.laws, "TDPSA", &laws, fx.err,
	    sizeof(fx.err)), PF_OK);
	ck_assert_str_eq(pf_laws_find(laws, "US", "TX")->place, "*");
	pf_laws_free(laws);
	laws = NULL;
	ck_assert_int_eq(pf_laws_open(fx.laws, "UK GDPR", &laws, fx.err,
	    sizeof(fx.err)), PF_ECONFIG);
	ck_assert_ptr_null(laws);
	ck_assert_ptr_nonnull(strstr(fx.err, "'UK GDPR'"));
}
END_TEST

/* A state's row wins over its country's, which wins over "*". */
START_TEST(test_state_row_wins_over_country_row)
{
	static const char text[] =
	    "US\tUS-wide\t60 days\t-\t-\ta federal law\n"
	    "US-CA\tCCPA\t45 days\t45 days\t10 business days\tCal. Civ. Code\n"
	    STAR_ROW;
	struct pf_laws	*laws = NULL;

	write_table(text, sizeof(text) - 1);
	ck_assert_int_eq(pf_laws_load(fx.laws, &laws, fx.err, sizeof(fx.err)),
	    PF_OK);
	ck_assert_str_eq(pf_laws_find(laws, "US", "CA")->law, "CCPA");
	ck_assert_str_eq(pf_laws_find(laws, "US", "NY")->law, "US-wide");
	ck_assert_str_eq(pf_laws_find(laws, "US", NULL)->law, "US-wide");
	ck_assert_str_eq(pf_laws_find(laws, "US", "")->law, "US-wide");
	ck_assert_str_eq(pf_laws_find(laws, "DE", NULL)->law, "none");
	pf_laws_free(laws);
}
END_TEST

/*
 * Runs of tabs, blanks around fields, CRLF, comments, blank lines, UTF-8
 * in the source and a line of exactly the limit are all accepted.
 */
START_TEST(test_load_tolerates_layout)
{
	char		 text[2048], src[LINE_LIMIT];
	struct pf_laws	*laws = NULL;
	const struct pf_law *r;
	size_t		 fill = LINE_LIMIT - strlen(DE_PREFIX);
	int		 n;

	/* The DE line is exactly LINE_LIMIT bytes long. */
	memset(src, 's', fill);
	src[fill] = '\0';
	n = snprintf(text, sizeof(text),
	    "# comment\r\n"
	    "\r\n"
	    "   \t  \n"
	    "\t# indented comment\n"
	    "US-CA\t\t\tCCPA \t 45 days\t\t45 days\t10 business days\t"
	    "Cal. Civ. Code \xc2\xa7 1798.130  \t \r\n"
	    DE_PREFIX "%s\n"
	    "*\tnone\t30 days\t-\t-\tinternal policy", src);
	ck_assert_int_lt(n, (int)sizeof(text));
	write_table(text, (size_t)n);
	ck_assert_msg(pf_laws_load(fx.laws, &laws, fx.err,
	    sizeof(fx.err)) == PF_OK, "%s", fx.err);
	r = pf_laws_find(laws, "US", "CA");
	ck_assert_str_eq(r->place, "US-CA");
	ck_assert_str_eq(r->law, "CCPA");
	ck_assert_int_eq(r->period.n, 45);
	ck_assert_str_eq(r->source, "Cal. Civ. Code \xc2\xa7 1798.130");
	ck_assert_uint_eq(strlen(pf_laws_find(laws, "DE", NULL)->source), fill);
	ck_assert_str_eq(pf_laws_find(laws, "FR", NULL)->source,
	    "internal policy");
	pf_laws_free(laws);
}
END_TEST

/* Each malformed table fails with PF_ECONFIG and names the line. */
START_TEST(test_load_refuses_malformed_tables)
{
	static const struct {
		const char	*text;
		size_t		 len;	/* 0: strlen(text) */
		const char	*where, *why;
	} t[] = {
		{ "# x\nXX\tGDPR\t1 month\t-\t-\tsrc\n" STAR_ROW, 0,
		    ":2:", "unknown place XX" },
		{ "US-XX\tGDPR\t1 month\t-\t-\tsrc\n" STAR_ROW, 0,
		    ":1:", "unknown place US-XX" },
		{ "de\tGDPR\t1 month\t-\t-\tsrc\n" STAR_ROW, 0,
		    ":1:", "unknown place de" },
		{ "US-\tGDPR\t1 month\t-\t-\tsrc\n" STAR_ROW, 0,
		    ":1:", "unknown place" },
		{ "DEU\tGDPR\t1 month\t-\t-\tsrc\n" STAR_ROW, 0,
		    ":1:", "unknown place DEU" },
		{ STAR_ROW "DE\tGDPR\t1 month\t-\t-\tsrc\n"
		    "\nDE\tGDPR\t1 month\t-\t-\tsrc\n", 0,
		    ":4:", "DE has a row already" },
		{ STAR_ROW STAR_ROW, 0, ":2:", "* has a row already" },
		{ "# only\nDE\tGDPR\t1 month\t-\t-\tsrc\n\n", 0,
		    ":3:", "no \"*\" row" },
		{ "", 0, ":0:", "no \"*\" row" },
		{ "DE\tGDPR\t1 fortnight\t-\t-\tsrc\n" STAR_ROW, 0,
		    ":1:", "bad period '1 fortnight'" },
		{ "DE\tGDPR\t0 days\t-\t-\tsrc\n" STAR_ROW, 0,
		    ":1:", "bad period '0 days'" },
		{ "DE\tGDPR\t-\t-\t-\tsrc\n" STAR_ROW, 0,
		    ":1:", "period is required" },
		{ "DE\tGDPR\t1 month\t2 moons\t-\tsrc\n" STAR_ROW, 0,
		    ":1:", "bad extension '2 moons'" },
		{ "DE\tGDPR\t1 month\t-\tsoon\tsrc\n" STAR_ROW, 0,
		    ":1:", "bad acknowledge 'soon'" },
		{ STAR_ROW "DE\tGDPR\t1 month\t-\tsrc\n", 0,
		    ":2:", "expected 10 tab-separated fields (or 9, without "
		    "agents; or 6, without appeal, regulator, scope and "
		    "agents), found 5" },
		{ STAR_ROW "DE\tGDPR\t1 month\t-\t-\t-\t-\tsrc\n", 0,
		    ":2:", "found 8" },
		{ STAR_ROW NINE("DE", "GDPR", "60 moons", "-", "all"), 0,
		    ":2:", "bad appeal '60 moons'" },
		{ STAR_ROW NINE("DE", "GDPR", "-", "-", "some"), 0,
		    ":2:", "scope must be \"all\" or \"threshold\", not 'some'" },
		{ NINE("*", "none", "-", "-", "threshold"), 0,
		    ":1:", "the \"*\" row applies to every company" },
		{ STAR_ROW "DE\tGDPR\t1 month\t-\t-\t-\t" LONG_REG
		    "\tall\tsrc\n", 0, ":2:", "regulator must be 1 to 200 bytes" },
		{ STAR_ROW "DE GDPR 1 month - - src\n", 0,
		    ":2:", "found 1" },
		{ STAR_ROW "DE\tGDPR\t1 month\t-\t-\tsrc\textra\n", 0,
		    ":2:", "found 7" },
		{ STAR_ROW "DE\tGDPR\t1 month\t-\t-\t-\t-\tall\tYes\tsrc\n", 0,
		    ":2:", "agents must be \"yes\" or \"-\", not 'Yes'" },
		{ STAR_ROW "DE\tGDPR\t1 month\t-\t-\t-\t-\tall\tyes\tsrc\tx\n",
		    0, ":2:", "found 11" },
		{ "DE\tCCPA/CPRA\t1 month\t-\t-\tsrc\n" STAR_ROW, 0,
		    ":1:", "law name" },
		{ "DE\t \t1 month\t-\t-\tsrc\n" STAR_ROW, 0,
		    ":1:", "law name" },
		{ "DE\tGDPR\t1 month\t-\t-\t-\n" STAR_ROW, 0,
		    ":1:", "source is required" },
		{ "DE\tGDPR\t1 month\t-\t-\t \n" STAR_ROW, 0,
		    ":1:", "found 5" },
		{ STAR_ROW "DE\tGDPR\t1 month\t-\t-\tsr\x01" "c\n", 0,
		    ":2:", "control character" },
		{ STAR_ROW "DE\tGDPR\t1 month\t-\t-\tsr\x7f" "c\n", 0,
		    ":2:", "control character" },
		{ STAR_ROW "DE\tGDPR\t1 month\t-\t-\tsr\rc\n", 0,
		    ":2:", "control character" },
		{ STAR_ROW "DE\tGDPR\t1 month\t-\t-\tsr\xff" "c\n", 0,
		    ":2:", "invalid UTF-8" },
		{ NUL_TABLE, sizeof(NUL_TABLE) - 1, ":2:", "NUL byte" },
	};
	struct pf_laws	*laws;
	char		 want[256];
	size_t		 i;

	for (i = 0; i < nitems(t); i++) {
		write_table(t[i].text, t[i].len ? t[i].len :
		    strlen(t[i].text));
		laws = NULL;
		fx.err[0] = '\0';
		ck_assert_msg(pf_laws_load(fx.laws, &laws, fx.err,
		    sizeof(fx.err)) ==
		    PF_ECONFIG, "case %zu loaded", i);
		ck_assert_ptr_null(laws);
		snprintf(want, sizeof(want), "%s%s", fx.laws, t[i].where);
		ck_assert_msg(strncmp(fx.err, want, strlen(want)) == 0 &&
		    strstr(fx.err, t[i].why) != NULL, "case %zu: '%s'", i,
		    fx.err);
	}
}
END_TEST

START_TEST(test_load_refuses_overlong_line)
{
	char		 text[2100], want[256];
	struct pf_laws	*laws = NULL;
	int		 n;

	/* One byte over the limit. */
	n = snprintf(text, sizeof(text), STAR_ROW DE_PREFIX "%*d\n",
	    (int)(LINE_LIMIT + 1 - strlen(DE_PREFIX)), 7);
	ck_assert_int_lt(n, (int)sizeof(text));
	write_table(text, (size_t)n);
	ck_assert_int_eq(pf_laws_load(fx.laws, &laws, fx.err, sizeof(fx.err)),
	    PF_ECONFIG);
	ck_assert_ptr_null(laws);
	snprintf(want, sizeof(want), "%s:2: line longer than %d", fx.laws,
	    LINE_LIMIT);
	ck_assert_msg(strncmp(fx.err, want, strlen(want)) == 0, "'%s'", fx.err);
}
END_TEST

START_TEST(test_load_missing_file_is_not_found)
{
	struct pf_laws	*laws = NULL;

	ck_assert_int_eq(pf_laws_load(fx.laws, &laws, fx.err, sizeof(fx.err)),
	    PF_ENOTFOUND);
	ck_assert_ptr_null(laws);
	ck_assert_ptr_nonnull(strstr(fx.err, fx.laws));
}
END_TEST

/* err may be NULL or short: the message is cut, never overrun. */
START_TEST(test_load_error_buffer_optional)
{
	static const char text[] = "XX\tGDPR\t1 month\t-\t-\tsrc\n" STAR_ROW;
	struct pf_laws	*laws = NULL;
	char		 small[8] = "zzzzzzz";

	write_table(text, sizeof(text) - 1);
	ck_assert_int_eq(pf_laws_load(fx.laws, &laws, NULL, 0), PF_ECONFIG);
	ck_assert_int_eq(pf_laws_load(fx.laws, &laws, small, 4), PF_ECONFIG);
	ck_assert_uint_eq(strlen(small), 3);
	ck_assert_int_eq(small[4], 'z');
}
END_TEST

START_TEST(test_free_accepts_null)
{
	pf_laws_free(NULL);
}
END_TEST

START_TEST(test_period_text_reads_back)
{
	static const char *const t[] = { "1 day", "45 days", "1 business day",
	    "10 business days", "1 month", "2 months", "366 days" };
	struct pf_period	 p, none = { PF_PERIOD_NONE, 0 };
	char			 out[32];
	size_t			 i;

	for (i = 0; i < nitems(t); i++) {
		ck_assert_int_eq(pf_period_parse(t[i], &p), PF_OK);
		pf_period_text(&p, out);
		ck_assert_str_eq(out, t[i]);
	}
	pf_period_text(&none, out);
	ck_assert_str_eq(out, "-");
}
END_TEST

/*
 * The agents column: "yes" lets someone ask for the person; "-", and a
 * table from before the column (nine or six fields), does not.  The real
 * table allows agents under the CCPA and the GDPR, not under the US state
 * laws that allow them only for opting out.
 */
START_TEST(test_agents_column)
{
	static const char	 text[] =
	    "DE\tGDPR\t1 month\t-\t-\t-\t-\tall\tyes\tsrc\n"
	    "FR\tGDPR\t1 month\t-\t-\t-\t-\tall\t-\tsrc\n"
	    "IT\tGDPR\t1 month\t-\t-\t-\t-\tall\tsrc\n"
	    "*\tnone\t30 days\t-\t-\tpolicy\n";
	struct pf_laws		*laws = NULL;

	ck_assert_int_eq(pf_laws_parse(text, strlen(text), "mem.tsv", &laws,
	    fx.err, sizeof(fx.err)), PF_OK);
	ck_assert_int_eq(pf_laws_find(laws, "DE", NULL)->agents, 1);
	ck_assert_int_eq(pf_laws_find(laws, "FR", NULL)->agents, 0);
	ck_assert_int_eq(pf_laws_find(laws, "IT", NULL)->agents, 0);
	ck_assert_str_eq(pf_laws_find(laws, "IT", NULL)->source, "src");
	ck_assert_int_eq(pf_laws_find(laws, "GB", NULL)->agents, 0);
	pf_laws_free(laws);
	ck_assert_int_eq(pf_laws_load(REAL_TABLE, &laws, fx.err,
	    sizeof(fx.err)), PF_OK);
	ck_assert_int_eq(pf_laws_find(laws, "US", "CA")->agents, 1);
	ck_assert_int_eq(pf_laws_find(laws, "DE", NULL)->agents, 1);
	ck_assert_int_eq(pf_laws_find(laws, "US", "TX")->agents, 0);
	ck_assert_int_eq(pf_laws_find(laws, "US", "CO")->agents, 0);
	ck_assert_int_eq(pf_laws_find(laws, "BR", NULL)->agents, 0);
	ck_assert_int_eq(pf_laws_find(laws, "ZZ", NULL)->agents, 0);
	ck_assert_ptr_nonnull(strstr(pf_laws_find(laws, "US", "CA")->source,
	    "agents: 11 CCR s. 7063"));
	pf_laws_free(laws);
}
END_TEST

START_TEST(test_parse_reads_text_as_a_table)
{
	static const char	 text[] = "DE\tGDPR\t1 month\t2 months\t-\tArt. 12\n"
	    "*\tnone\t30 days\t-\t-\tpolicy\n";
	struct pf_laws		*laws = NULL;

	ck_assert_int_eq(pf_laws_parse(text, strlen(text), "mem.tsv", &laws,
	    fx.err, sizeof(fx.err)), PF_OK);
	ck_assert_str_eq(pf_laws_find(laws, "DE", NULL)->law, "GDPR");
	ck_assert_str_eq(pf_laws_find(laws, "FR", NULL)->place, "*");
	pf_laws_free(laws);
	/* The first row alone. */
	ck_assert_int_eq(pf_laws_parse(text, (size_t)(strchr(text, '\n') -
	    text + 1), "mem.tsv", &laws, fx.err, sizeof(fx.err)), PF_ECONFIG);
	ck_assert_ptr_null(laws);
	ck_assert_ptr_nonnull(strstr(fx.err, "mem.tsv:"));
	ck_assert_ptr_nonnull(strstr(fx.err, "no \"*\" row"));
}
END_TEST

PF_TEST_MAIN("laws",
    tcase_add_test(tc, test_period_text_reads_back),
    tcase_add_test(tc, test_parse_reads_text_as_a_table),
    tcase_add_test(tc, test_agents_column),
    pf_test_fixture(tc, PF_TEST_DIR, NULL, NULL, NULL),
    tcase_add_test(tc, test_period_parse_accepts_each_form),
    tcase_add_test(tc, test_period_parse_refuses_malformed),
    tcase_add_test(tc, test_period_due_of_each_unit),
    tcase_add_test(tc, test_period_due_uses_utc_day_of_receipt),
    tcase_add_test(tc, test_period_due_refuses_none_and_bad_counts),
    tcase_add_test(tc, test_period_due_refuses_out_of_range_time),
    tcase_add_test(tc, test_real_table_maps_places_to_laws),
    tcase_add_test(tc, test_real_table_has_every_eea_state),
    tcase_add_test(tc, test_real_table_periods),
    tcase_add_test(tc, test_real_table_has_every_us_state_law),
    tcase_add_test(tc, test_real_table_new_rows_due_dates),
    tcase_add_test(tc, test_exempt_falls_back),
    tcase_add_test(tc, test_exempt_refuses_bad_names),
    tcase_add_test(tc, test_open_applies_exempt),
    tcase_add_test(tc, test_state_row_wins_over_country_row),
    tcase_add_test(tc, test_load_tolerates_layout),
    tcase_add_test(tc, test_load_refuses_malformed_tables),
    tcase_add_test(tc, test_load_refuses_overlong_line),
    tcase_add_test(tc, test_load_missing_file_is_not_found),
    tcase_add_test(tc, test_load_error_buffer_optional),
    tcase_add_test(tc, test_free_accepts_null))
