/*
 * test_country.c -- the country and US state tables generated from
 * iso-codes (country.h) and their lookups.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check_main.h"
#include "country.h"
#include "err.h"
#include "lang.h"
#include "nitems.h"
#include "utf8.h"


/* The number of pairs in table; asserts it is well-formed on the way. */
static size_t
pairs(const char *const *table)
{
	size_t	 i, n;

	for (n = 0; table[2 * n] != NULL; n++) {
		ck_assert_msg(table[2 * n + 1] != NULL, "pair %zu has no name", n);
		ck_assert_msg(strlen(table[2 * n]) == 2 &&
		    strspn(table[2 * n], "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 2,
		    "bad code '%s'", table[2 * n]);
		ck_assert_msg(table[2 * n + 1][0] != '\0', "empty name: %s",
		    table[2 * n]);
		ck_assert_msg(pf_utf8_ok(table[2 * n + 1],
		    strlen(table[2 * n + 1]), 0), "bad name: %s", table[2 * n]);
		for (i = 0; i < n; i++)
			ck_assert_msg(strcmp(table[2 * i], table[2 * n]) != 0,
			    "duplicate code %s", table[2 * n]);
	}
	return n;
}

/* The index of code in table, or -1. */
static long
index_of(const char *const *table, const char *code)
{
	long	 i;

	for (i = 0; table[2 * i] != NULL; i++)
		if (strcmp(table[2 * i], code) == 0)
			return i;
	return -1;
}

static int
ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/*
 * Names of ASCII letters only must follow each other in case-insensitive
 * order; the accented ones are checked by their neighbours.
 */
static void
assert_ascii_names_sorted(const char *const *table)
{
	const char	*prev = NULL;
	size_t		 i;

	for (i = 0; table[2 * i] != NULL; i++) {
		if (!ascii(table[2 * i + 1]))
			continue;
		if (prev != NULL)
			ck_assert_msg(strcasecmp(prev, table[2 * i + 1]) < 0,
			    "'%s' before '%s'", prev, table[2 * i + 1]);
		prev = table[2 * i + 1];
	}
}

START_TEST(test_countries_well_formed)
{
	size_t	 n = pairs(pf_countries);

	/* iso-codes 4.15 has 249; a few more or fewer in other releases. */
	ck_assert_uint_ge(n, 240);
	ck_assert_uint_le(n, 300);
}
END_TEST

START_TEST(test_countries_present)
{
	static const char *const codes[] = { "US", "DE", "GB", "JP", "AU",
	    "CA", "AX", "FR", "BR", "IN", "ZA", "PR", "GU", "VI" };
	size_t	 i;

	for (i = 0; i < nitems(codes); i++)
		ck_assert_msg(index_of(pf_countries, codes[i]) >= 0,
		    "missing %s", codes[i]);
}
END_TEST

START_TEST(test_countries_common_name_preferred)
{
	ck_assert_str_eq(pf_country_name("BO"), "Bolivia");
	ck_assert_str_eq(pf_country_name("KR"), "South Korea");
	ck_assert_str_eq(pf_country_name("IR"), "Iran");
	/* Without a common_name, the name. */
	ck_assert_str_eq(pf_country_name("DE"), "Germany");
	ck_assert_str_eq(pf_country_name("VG"), "Virgin Islands, British");
}
END_TEST

START_TEST(test_countries_sorted_by_name)
{
	assert_ascii_names_sorted(pf_countries);
	ck_assert_str_eq(pf_countries[1], "Afghanistan");
}
END_TEST

/* An accented first letter sorts as its base letter, not after Z. */
START_TEST(test_countries_accents_ignored_in_order)
{
	static const struct {
		const char	*before, *code, *after;
	} t[] = {
		{ "AF", "AX", "AL" },	/* Afghanistan, Åland Islands, Albania */
		{ "CR", "CI", "HR" },	/* Costa Rica, Côte d'Ivoire, Croatia */
		{ "CU", "CW", "CY" },	/* Cuba, Curaçao, Cyprus */
		{ "QA", "RE", "RO" },	/* Qatar, Réunion, Romania */
		{ "RW", "BL", "SH" },	/* Rwanda, Saint Barthélemy, Saint Helena... */
		{ "TN", "TR", "TM" },	/* Tunisia, Türkiye, Turkmenistan */
	};
	long	 i, at;

	ck_assert_str_eq(pf_country_name("AX"), "\xc3\x85land Islands");
	for (i = 0; i < (long)nitems(t); i++) {
		at = index_of(pf_countries, t[i].code);
		ck_assert_msg(at > 0, "missing %s", t[i].code);
		ck_assert_msg(index_of(pf_countries, t[i].before) == at - 1 &&
		    index_of(pf_countries, t[i].after) == at + 1,
		    "%s is not between %s and %s", t[i].code, t[i].before,
		    t[i].after);
	}
}
END_TEST

START_TEST(test_us_states_well_formed)
{
	ck_assert_uint_eq(pairs(pf_us_states), 51);
	assert_ascii_names_sorted(pf_us_states);
	ck_assert_str_eq(pf_us_states[0], "AL");
	ck_assert_str_eq(pf_us_states[1], "Alabama");
	ck_assert_str_eq(pf_us_states[100], "WY");
	ck_assert_ptr_null(pf_us_states[102]);
}
END_TEST

START_TEST(test_us_states_fifty_and_dc_only)
{
	static const char *const in[] = { "DC", "CA", "NY", "AK", "HI", "TX" };
	static const char *const out[] = { "PR", "GU", "VI", "AS", "MP",
	    "UM", "US" };
	size_t	 i;

	for (i = 0; i < nitems(in); i++)
		ck_assert_msg(index_of(pf_us_states, in[i]) >= 0, "missing %s",
		    in[i]);
	for (i = 0; i < nitems(out); i++)
		ck_assert_msg(index_of(pf_us_states, out[i]) == -1,
		    "present: %s", out[i]);
}
END_TEST

/* lookup finds no name for NULL, nor for any of the n codes of miss. */
static void
finds_none(const char *(*lookup)(const char *), const char *const *miss,
    size_t n)
{
	size_t	 i;

	ck_assert_ptr_null(lookup(NULL));
	for (i = 0; i < n; i++)
		ck_assert_msg(lookup(miss[i]) == NULL, "found '%s'", miss[i]);
}

START_TEST(test_country_name_lookup)
{
	/* XK (Kosovo) is a user-assigned code, not in ISO 3166-1. */
	static const char *const miss[] = { "us", "Us", "ZZ", "XX", "UK",
	    "XK", "USA", "U", "", "US ", " US", "840" };
	size_t	 n = pairs(pf_countries);

	ck_assert_str_eq(pf_country_name("US"), "United States");
	ck_assert_str_eq(pf_country_name("GB"), "United Kingdom");
	ck_assert_str_eq(pf_country_name("JP"), "Japan");
	ck_assert_str_eq(pf_country_name("PR"), "Puerto Rico");
	/* The first and the last entry. */
	ck_assert_str_eq(pf_country_name(pf_countries[0]), pf_countries[1]);
	ck_assert_str_eq(pf_country_name(pf_countries[2 * n - 2]),
	    pf_countries[2 * n - 1]);
	finds_none(pf_country_name, miss, nitems(miss));
}
END_TEST

START_TEST(test_us_state_name_lookup)
{
	static const char *const miss[] = { "ca", "US-CA", "PR", "ZZ", "C",
	    "", "CA ", "California" };

	ck_assert_str_eq(pf_us_state_name("CA"), "California");
	ck_assert_str_eq(pf_us_state_name("DC"), "District of Columbia");
	ck_assert_str_eq(pf_us_state_name("AL"), "Alabama");
	ck_assert_str_eq(pf_us_state_name("WY"), "Wyoming");
	finds_none(pf_us_state_name, miss, nitems(miss));
}
END_TEST

/*
 * Names in a language, from iso-codes' own catalogues (installed with
 * iso-codes): the first of the common name, the name and the official name
 * the catalogue translates.  Japanese has no "North Korea" but has its
 * name; German has "Iran" for "Iran", a translation like any other.
 */
START_TEST(test_names_in_the_current_language)
{
	static const struct {
		const char	*tag, *code, *want;
	} names[] = {
		{ "ja", "KP", "\xe6\x9c\x9d\xe9\xae\xae\xe6\xb0\x91\xe4\xb8\xbb"
		    "\xe4\xb8\xbb\xe7\xbe\xa9\xe4\xba\xba\xe6\xb0\x91\xe5\x85\xb1"
		    "\xe5\x92\x8c\xe5\x9b\xbd" },	/* 朝鮮民主主義人民共和国 */
		{ "ja", "DE", "\xe3\x83\x89\xe3\x82\xa4\xe3\x83\x84" }, /* ドイツ */
		{ "de", "IR", "Iran" },
		{ "de", "KP", "Nordkorea" },
		{ "de", "DE", "Deutschland" },
		{ "en", "KP", "North Korea" },
		{ "en", "IR", "Iran" },
	};
	size_t	 i;

	ck_assert_int_eq(pf_lang_init(NULL), PF_OK);
	for (i = 0; i < nitems(names); i++) {
		ck_assert_int_eq(pf_lang_use(names[i].tag), PF_OK);
		ck_assert_msg(pf_country_local(names[i].code) != NULL &&
		    strcmp(pf_country_local(names[i].code), names[i].want) == 0,
		    "%s in %s: %s", names[i].code, names[i].tag,
		    pf_country_local(names[i].code));
	}
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	ck_assert_str_eq(pf_us_state_local("CA"), "Kalifornien");
	ck_assert_ptr_null(pf_country_local("XX"));
	ck_assert_ptr_null(pf_country_local(NULL));
	ck_assert_ptr_null(pf_us_state_local("XX"));
	/* A language iso-codes has no catalogue for: the English names. */
	ck_assert_int_eq(pf_lang_use("en-XA"), PF_OK);
	ck_assert_str_eq(pf_country_local("KP"), "North Korea");
	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
}
END_TEST

PF_TEST_MAIN("country",
    tcase_add_test(tc, test_countries_well_formed),
    tcase_add_test(tc, test_countries_present),
    tcase_add_test(tc, test_countries_common_name_preferred),
    tcase_add_test(tc, test_countries_sorted_by_name),
    tcase_add_test(tc, test_countries_accents_ignored_in_order),
    tcase_add_test(tc, test_us_states_well_formed),
    tcase_add_test(tc, test_us_states_fifty_and_dc_only),
    tcase_add_test(tc, test_country_name_lookup),
    tcase_add_test(tc, test_us_state_name_lookup),
    tcase_add_test(tc, test_names_in_the_current_language))
