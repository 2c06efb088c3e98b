/*
 * test_phone.c -- phone numbers as people write them (phone.h): the number
 * table of issue 5, good and bad, across countries.
 *
 * Every expectation was checked against Debian 12's libphonenumber 8.12.57:
 * numbers are refused or accepted as its numbering plans judge them, not as
 * they look.  Patterned numbers ("030 1234567") are used only where the
 * library says they are valid numbers.
 */
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "err.h"
#include "nitems.h"
#include "phone.h"

struct pcase {
	const char	*in;
	const char	*region;
	const char	*e164;	/* expected; NULL: refused */
};


static void
run(const struct pcase *t, size_t n)
{
	char	 out[PF_PHONE_E164_SIZE];
	size_t	 i;
	int	 rc;

	for (i = 0; i < n; i++) {
		rc = pf_phone_e164(t[i].in, t[i].region, out, sizeof(out));
		if (t[i].e164 == NULL) {
			ck_assert_msg(rc == PF_EINVAL, "'%s' in %s: accepted as "
			    "%s (rc %d)", t[i].in, t[i].region, out, rc);
			ck_assert_msg(out[0] == '\0', "'%s' in %s: left '%s'",
			    t[i].in, t[i].region, out);
		} else {
			ck_assert_msg(rc == PF_OK, "'%s' in %s: refused (rc %d)",
			    t[i].in, t[i].region, rc);
			ck_assert_msg(strcmp(out, t[i].e164) == 0,
			    "'%s' in %s gave %s, not %s", t[i].in, t[i].region,
			    out, t[i].e164);
		}
	}
}

/* Is a file whose path contains name mapped into this process? */
static int
mapped(const char *name)
{
	FILE	*f = fopen("/proc/self/maps", "r");
	char	 line[1024];
	int	 found = 0;

	ck_assert_ptr_nonnull(f);
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, name) != NULL;
	fclose(f);
	return found;
}

/*
 * issue 28: libphonenumber (and the ICU and protobuf it needs) is loaded
 * by the first number read, not at start, where every plain-CGI request
 * paid for it.  The first test of this program: none has read a number.
 */
START_TEST(test_libphonenumber_loaded_on_first_use)
{
	char	 out[PF_PHONE_E164_SIZE];

	ck_assert_msg(!mapped("libphonenumber"),
	    "libphonenumber is loaded before any number was read");
	ck_assert_int_eq(pf_phone_e164("(201) 555-0123", "US", out,
	    sizeof(out)), PF_OK);
	ck_assert_str_eq(out, "+12015550123");
	ck_assert(mapped("libphonenumber"));
}
END_TEST

/*
 * Numbers as people write them in a region, each with the E.164 number it
 * must give: the issue 5 table, by what the numbers have in common.
 */
START_TEST(test_numbers_read)
{
	static const struct pcase t[] = {
		/* NANP numbers, written every usual way. */
		{ "(303) 749-2110", "US", "+13037492110" },
		{ "303.749.2110", "US", "+13037492110" },
		{ "303-749-2110", "US", "+13037492110" },
		{ "303 749 2110", "US", "+13037492110" },
		{ "3037492110", "US", "+13037492110" },
		{ "1-303-749-2110", "US", "+13037492110" },
		{ "1 (303) 749-2110", "US", "+13037492110" },
		{ "+1 (303) 749-2110", "US", "+13037492110" },
		{ "+1-303-749-2110", "US", "+13037492110" },
		{ "+13037492110", "US", "+13037492110" },
		{ " 303/749-2110 ", "US", "+13037492110" },
		/* Canada shares the plan: either region reads both. */
		{ "(416) 555-0199", "CA", "+14165550199" },
		{ "613-555-0123", "CA", "+16135550123" },
		{ "416 555 0199", "US", "+14165550199" },
		{ "303-749-2110", "CA", "+13037492110" },

		/* National numbers with their trunk 0. */
		/* United Kingdom: London, Reading, a mobile. */
		{ "020 3318 1234", "GB", "+442033181234" },
		{ "(020) 3318-1234", "GB", "+442033181234" },
		{ "0118 496 0000", "GB", "+441184960000" },
		/* Germany: Berlin, Munich, a mobile. */
		{ "030 1234567", "DE", "+49301234567" },
		{ "030 12345678", "DE", "+493012345678" },
		{ "(030) 123 45 67", "DE", "+49301234567" },
		{ "089 12345678", "DE", "+498912345678" },
		{ "0151 23456789", "DE", "+4915123456789" },
		{ "01512/3456789", "DE", "+4915123456789" },
		/* France: Paris, a mobile. */
		{ "01 23 45 67 89", "FR", "+33123456789" },
		{ "06 12 34 56 78", "FR", "+33612345678" },
		{ "06.12.34.56.78", "FR", "+33612345678" },
		/* Japan: Tokyo 03, a mobile. */
		{ "03-1234-5678", "JP", "+81312345678" },
		{ "03-3224-9999", "JP", "+81332249999" },
		{ "(03) 3224-9999", "JP", "+81332249999" },
		{ "090-1234-5678", "JP", "+819012345678" },
		/* Australia: Sydney 02, 04 mobiles. */
		{ "02 9374 4000", "AU", "+61293744000" },
		{ "(02) 9374 4000", "AU", "+61293744000" },
		{ "04 1234 5678", "AU", "+61412345678" },
		{ "0412 345 678", "AU", "+61412345678" },
		{ "0491 570 156", "AU", "+61491570156" },
		/* India: Mumbai, a mobile with and without the trunk 0. */
		{ "022 2345 6789", "IN", "+912223456789" },
		{ "098765 43210", "IN", "+919876543210" },
		{ "98765 43210", "IN", "+919876543210" },
		/* Brazil: Sao Paulo, landline and mobile. */
		{ "(11) 3456-7890", "BR", "+551134567890" },
		{ "(11) 91234-5678", "BR", "+5511912345678" },

		/* A + and the country code: read in any region. */
		{ "+44 20 3318 1234", "US", "+442033181234" },
		{ "+44 (0)20 3318 1234", "US", "+442033181234" },
		{ "+49 30 1234567", "GB", "+49301234567" },
		{ "+33 6 12 34 56 78", "US", "+33612345678" },
		{ "+81 3-1234-5678", "DE", "+81312345678" },
		{ "+61 412 345 678", "FR", "+61412345678" },
		{ "+91 98765 43210", "AU", "+919876543210" },
		{ "+55 11 91234-5678", "JP", "+5511912345678" },
		{ "+1 416 555 0199", "GB", "+14165550199" },
		/* With '+' the region does not matter, even an unknown one. */
		{ "+44 20 3318 1234", "ZZ", "+442033181234" },
		{ "+44 20 3318 1234", "XX", "+442033181234" },
		{ "+44 20 3318 1234", "", "+442033181234" },

		/* An international call prefix is read as a +. */
		/* 011 is North America's own prefix, 00 is Europe's. */
		{ "011 44 20 3318 1234", "US", "+442033181234" },
		{ "011 91 98765 43210", "US", "+919876543210" },
		{ "00 44 20 3318 1234", "DE", "+442033181234" },
		{ "0044 20 3318 1234", "GB", "+442033181234" },
		/* The other one, as visitors abroad type it. */
		{ "00 44 20 3318 1234", "US", "+442033181234" },
		{ "0044 20 3318 1234", "US", "+442033181234" },
		{ "00 1 303 749 2110", "US", "+13037492110" },
		{ "001 303 749 2110", "US", "+13037492110" },
		{ "00 49 30 1234567", "US", "+49301234567" },
		{ "011 1 303 749 2110", "DE", "+13037492110" },
		{ "011 1 202 555 0123", "DE", "+12025550123" },
		{ "011 1 303 749 2110", "FR", "+13037492110" },
		{ "011 44 20 3318 1234", "DE", "+442033181234" },
		{ "00 81 3 1234 5678", "AU", "+81312345678" },
		/* Punctuation around and inside the prefix. */
		{ "(00 44) 20 3318 1234", "US", "+442033181234" },
		{ "00 (44) 20 3318 1234", "US", "+442033181234" },
		{ "0-0-44-20-3318-1234", "US", "+442033181234" },
		{ "00 44 (0)20 3318 1234", "US", "+442033181234" },
		/* No region to read a national number in: only the prefix. */
		{ "00 44 20 3318 1234", "ZZ", "+442033181234" },
		{ "0044 20 3318 1234", "", "+442033181234" },

		/*
		 * Numbers that begin with 00 or 011 in their own region,
		 * where reading the prefix as '+' would also give a valid
		 * number, of another country: the region's meaning wins.
		 */
		/* Reading, not +82 31162 (South Korea). */
		{ "0118 203 1162", "GB", "+441182031162" },
		/* Leeds, not +358 58153 (Finland). */
		{ "0113 585 8153", "GB", "+441135858153" },
		/* Delhi, not +49 202040 (Germany). */
		{ "011 4920 2040", "IN", "+911149202040" },
		{ "011 2345 6789", "IN", "+911123456789" },
		/* Sapporo, not +8 244117. */
		{ "011-824-4117", "JP", "+81118244117" },
		/* Paris, not +43 59570 (Austria). */
		{ "01 14 35 95 70", "FR", "+33114359570" },
		/* Sao Paulo with its trunk 0, not +49 503293. */
		{ "(011) 4950-3293", "BR", "+551149503293" },
		/* What 011 means in the UK: a trunk 0 and Reading. */
		{ "011 8496 0000", "GB", "+441184960000" },
	};

	run(t, nitems(t));
}
END_TEST

/* Numbers refused, each in the region it is read in. */
START_TEST(test_numbers_refused)
{
	static const struct pcase t[] = {
		/* Letters. */
		{ "1-800-FLOWERS", "US", NULL },
		{ "1-800-356-9377a", "US", NULL },
		{ "303-749-211O", "US", NULL },	/* a letter O */
		{ "abc", "US", NULL },
		{ "+44 20 3318 l234", "GB", NULL },	/* a letter l */
		{ "O2O 3318 1234", "GB", NULL },

		/* Extensions. */
		{ "303-749-2110 ext 5", "US", NULL },
		{ "303-749-2110 ext. 5", "US", NULL },
		{ "303-749-2110 x5", "US", NULL },
		{ "303-749-2110x5", "US", NULL },
		{ "303-749-2110;ext=5", "US", NULL },
		{ "303-749-2110 #5", "US", NULL },
		{ "303-749-2110#5", "US", NULL },
		{ "+44 20 3318 1234 ext 5", "GB", NULL },
		{ "030 1234567 Durchwahl 5", "DE", NULL },

		/* NANP: no area code and no exchange begins with 0 or 1. */
		{ "(103) 749-2110", "US", NULL },
		{ "(003) 749-2110", "US", NULL },
		{ "(303) 149-2110", "US", NULL },
		{ "(303) 049-2110", "US", NULL },
		{ "1 (103) 749-2110", "US", NULL },
		{ "+1 303 149 2110", "GB", NULL },
		{ "(103) 749-2110", "CA", NULL },
		/* Not rescued by reading a prefix either. */
		{ "011 1 303 049 2110", "DE", NULL },
		{ "00 1 103 749 2110", "US", NULL },

		/* The wrong length. */
		{ "303-749-211", "US", NULL },
		{ "303-749-21100", "US", NULL },
		{ "1-303-749-21100", "US", NULL },
		{ "+1 303 749 2110 0", "US", NULL },
		{ "749-2110", "US", NULL },
		{ "12", "US", NULL },
		{ "+44 20 3318 123", "US", NULL },
		{ "+44 20 3318 12345", "US", NULL },
		{ "020 3318 123", "GB", NULL },
		{ "030 12", "DE", NULL },
		{ "06 12 34 56 7", "FR", NULL },
		{ "06 12 34 56 789", "FR", NULL },
		{ "+81 3-1234-567", "US", NULL },
		{ "02 9374 400", "AU", NULL },
		{ "0412 345 67", "AU", NULL },
		{ "+61 412 345 6789", "AU", NULL },
		{ "+91 98765 4321", "IN", NULL },
		{ "(11) 91234-567", "BR", NULL },
		{ "00 44 20 3318 123", "US", NULL },
		{ "00 44 20 3318 12345", "US", NULL },
		{ "12345678901234567890", "US", NULL },

		/*
		 * A number that the plan says cannot exist, though its
		 * length is right.
		 */
		{ "(11) 1234-5678", "BR", NULL },	/* no mobile 9 */
		{ "+999 1234 5678", "US", NULL },	/* no such country */
		{ "+0 303 749 2110", "US", NULL },
		{ "00 00 44 20 3318 1234", "US", NULL },
		{ "00", "US", NULL },
		{ "011", "US", NULL },
		{ "00 44", "US", NULL },

		/* A + other than once and first. */
		{ "++1 303 749 2110", "US", NULL },
		{ "+1 303 +749 2110", "US", NULL },
		{ "303 749 2110+", "US", NULL },
		{ "1+303 749 2110", "US", NULL },
		{ "00 +44 20 3318 1234", "US", NULL },
		{ "+", "US", NULL },
		{ "+ +", "US", NULL },

		/* Empty, or only punctuation. */
		{ "", "US", NULL },
		{ " ", "US", NULL },
		{ "()-. /", "US", NULL },
		{ "( ) - . /", "GB", NULL },
		{ "--", "DE", NULL },

		/*
		 * Other characters: only digits, spaces, a leading '+' and
		 * ( ) - . / are a phone number.
		 */
		{ "303_749_2110", "US", NULL },
		{ "303,749,2110", "US", NULL },
		{ "303\t749 2110", "US", NULL },
		{ "303\n749 2110", "US", NULL },
		{ "303 749 2110\\", "US", NULL },
		{ "[303] 749-2110", "US", NULL },
		{ "303~749~2110", "US", NULL },
		{ "303 749 2110*", "US", NULL },
		/* Fullwidth digits, which the library alone would take. */
		{ "\xef\xbc\x93\xef\xbc\x90\xef\xbc\x93 749 2110", "US", NULL },
		/* A no-break space. */
		{ "303\xc2\xa0" "749 2110", "US", NULL },

		/* A number inside text. */
		{ "call 303-749-2110", "US", NULL },
		{ "303-749-2110 thanks", "US", NULL },
		{ "tel:+1-303-749-2110", "US", NULL },
		{ "Tel. 030 1234567", "DE", NULL },
		{ "303-749-2110 or 303-749-2111", "US", NULL },

		/*
		 * Without a country code a number is read in region, and
		 * only there.
		 */
		{ "020 3318 1234", "US", NULL },
		{ "03-1234-5678", "US", NULL },
		{ "02 9374 4000", "US", NULL },
		{ "04 1234 5678", "US", NULL },
		{ "030 1234567", "US", NULL },
		{ "(11) 91234-5678", "US", NULL },
		{ "1 303 749 2110", "DE", NULL },
		/* And in no region at all. */
		{ "(303) 749-2110", "ZZ", NULL },
		{ "(303) 749-2110", "XX", NULL },
		{ "020 3318 1234", "", NULL },
	};

	run(t, nitems(t));
}
END_TEST

START_TEST(test_input_length_limit)
{
	char	 ok[PF_PHONE_MAX_INPUT + 1], bad[PF_PHONE_MAX_INPUT + 2];
	char	 out[PF_PHONE_E164_SIZE];

	/* Padded with blanks to exactly the limit, then one more. */
	snprintf(ok, sizeof(ok), "%-*s", PF_PHONE_MAX_INPUT,
	    "00 44 20 3318 1234");
	snprintf(bad, sizeof(bad), "%-*s", PF_PHONE_MAX_INPUT + 1,
	    "00 44 20 3318 1234");
	ck_assert_uint_eq(strlen(ok), PF_PHONE_MAX_INPUT);
	ck_assert_int_eq(pf_phone_e164(ok, "US", out, sizeof(out)), PF_OK);
	ck_assert_str_eq(out, "+442033181234");
	ck_assert_int_eq(pf_phone_e164(bad, "US", out, sizeof(out)), PF_EINVAL);
	ck_assert_str_eq(out, "");
	/* 65 digits: refused for its length, not for its digits. */
	memset(bad, '3', PF_PHONE_MAX_INPUT + 1);
	bad[PF_PHONE_MAX_INPUT + 1] = '\0';
	ck_assert_int_eq(pf_phone_e164(bad, "US", out, sizeof(out)), PF_EINVAL);
}
END_TEST

START_TEST(test_e164_output_buffer_size)
{
	char	 out[PF_PHONE_E164_SIZE];

	/* "+442033181234" and its NUL need 14 bytes. */
	ck_assert_int_eq(pf_phone_e164("00 44 20 3318 1234", "US", out, 14),
	    PF_OK);
	ck_assert_str_eq(out, "+442033181234");
	ck_assert_int_eq(pf_phone_e164("00 44 20 3318 1234", "US", out, 13),
	    PF_EINVAL);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(pf_phone_e164(NULL, "US", out, sizeof(out)),
	    PF_EINVAL);
	ck_assert_int_eq(pf_phone_e164("3037492110", NULL, out, sizeof(out)),
	    PF_EINVAL);
	ck_assert_int_eq(pf_phone_e164("3037492110", "US", NULL, 17),
	    PF_EINVAL);
}
END_TEST

START_TEST(test_format_international)
{
	/* An E.164 number, and as it is shown. */
	static const struct pf_test_case t[] = {
		{ "+13037492110", "+1 303-749-2110" },
		{ "+442033181234", "+44 20 3318 1234" },
		{ "+441184960000", "+44 118 496 0000" },
		{ "+49301234567", "+49 30 1234567" },
		{ "+4915123456789", "+49 1512 3456789" },
		{ "+33612345678", "+33 6 12 34 56 78" },
		{ "+81312345678", "+81 3-1234-5678" },
		{ "+61412345678", "+61 412 345 678" },
		{ "+919876543210", "+91 98765 43210" },
		{ "+5511912345678", "+55 11 91234-5678" },
	};
	char	 out[PF_PHONE_DISPLAY_SIZE];
	size_t	 i;

	for (i = 0; i < nitems(t); i++) {
		ck_assert_msg(pf_phone_format(t[i].in, out, sizeof(out)) ==
		    PF_OK, "%s refused", t[i].in);
		ck_assert_msg(strcmp(out, t[i].want) == 0, "%s shown as '%s'",
		    t[i].in, out);
	}
}
END_TEST

/* What pf_phone_format shows is read back as the same number. */
START_TEST(test_format_reads_back_as_same_number)
{
	static const char *const t[] = {
		"+13037492110", "+442033181234", "+49301234567",
		"+33123456789", "+81332249999", "+61293744000",
		"+912223456789", "+551134567890", "+14165550199",
	};
	char	 shown[PF_PHONE_DISPLAY_SIZE], back[PF_PHONE_E164_SIZE];
	size_t	 i;

	for (i = 0; i < nitems(t); i++) {
		ck_assert_int_eq(pf_phone_format(t[i], shown, sizeof(shown)),
		    PF_OK);
		ck_assert_int_eq(pf_phone_e164(shown, "ZZ", back, sizeof(back)),
		    PF_OK);
		ck_assert_str_eq(back, t[i]);
	}
}
END_TEST

START_TEST(test_format_refuses_all_but_e164)
{
	static const char *const t[] = {
		"13037492110",		/* no '+' */
		"3037492110",
		"+1 303 749 2110",	/* as people write it */
		"+1-303-749-2110",
		"(303) 749-2110",
		" +13037492110",
		"+13037492110 ",
		"+1303749211O",		/* a letter */
		"+1800FLOWERS",
		"+13037492110x5",
		"+4402033181234",	/* a trunk 0 is not E.164 */
		"+11037492110",		/* invalid numbers */
		"+13031492110",
		"+1303749211",
		"+999123456",
		"+1234567890123456",	/* 16 digits */
		"++13037492110",
		"+",
		"",
	};
	char	 out[PF_PHONE_DISPLAY_SIZE];
	size_t	 i;

	for (i = 0; i < nitems(t); i++) {
		ck_assert_msg(pf_phone_format(t[i], out, sizeof(out)) ==
		    PF_EINVAL, "'%s' accepted as '%s'", t[i], out);
		ck_assert_str_eq(out, "");
	}
}
END_TEST

START_TEST(test_format_output_buffer_size)
{
	char	 out[PF_PHONE_DISPLAY_SIZE];

	/* "+1 303-749-2110" and its NUL need 16 bytes. */
	ck_assert_int_eq(pf_phone_format("+13037492110", out, 16), PF_OK);
	ck_assert_str_eq(out, "+1 303-749-2110");
	ck_assert_int_eq(pf_phone_format("+13037492110", out, 15), PF_EINVAL);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(pf_phone_format("+13037492110", out, 0), PF_EINVAL);
	ck_assert_int_eq(pf_phone_format(NULL, out, sizeof(out)), PF_EINVAL);
	ck_assert_int_eq(pf_phone_format("+13037492110", NULL, 16), PF_EINVAL);
}
END_TEST

/* The region a number belongs to, by its numbering plan. */
static const struct { const char *e164, *region; } regions[] = {
	{ "+13037492110", "US" },	/* Denver */
	{ "+14165550000", "CA" },	/* Toronto: +1 too */
	{ "+442033181234", "GB" },
	{ "+493012345678", "DE" },
	{ "+61212345678", "AU" },
};

START_TEST(test_region_of_a_number)
{
	char	 out[3];

	ck_assert_int_eq(pf_phone_region(regions[_i].e164, out), PF_OK);
	ck_assert_str_eq(out, regions[_i].region);
}
END_TEST

START_TEST(test_region_refuses_all_but_e164)
{
	static const char *const bad[] = { "13037492110", "+1303749211",
	    "+4402033181234", "+1 303 749 2110", "", "+", "+1303749211x" };
	char	 out[3];
	size_t	 i;

	for (i = 0; i < nitems(bad); i++) {
		ck_assert_msg(pf_phone_region(bad[i], out) == PF_EINVAL, "%s",
		    bad[i]);
		ck_assert_str_eq(out, "");
	}
	ck_assert_int_eq(pf_phone_region(NULL, out), PF_EINVAL);
}
END_TEST

/*
 * A number read (pf_phone_e164) and then asked its region, as the
 * Do-Not-Call form does: the same region as for its E.164 form alone,
 * asked once or twice, and another string asked in between is judged on
 * its own.
 */
START_TEST(test_region_after_reading_a_number)
{
	static const struct { const char *in, *region, *e164, *where; } t[] = {
		{ "(303) 749-2110", "US", "+13037492110", "US" },
		{ "416 555 0000", "US", "+14165550000", "CA" },
		{ "020 3318 1234", "GB", "+442033181234", "GB" },
		{ "06 1234 5678", "IT", "+390612345678", "IT" },
		{ "00 49 30 12345678", "US", "+493012345678", "DE" },
	};
	char	 e164[PF_PHONE_E164_SIZE], out[3], alone[3];
	size_t	 i;

	for (i = 0; i < nitems(t); i++) {
		ck_assert_int_eq(pf_phone_region(t[i].e164, alone), PF_OK);
		ck_assert_int_eq(pf_phone_e164(t[i].in, t[i].region, e164,
		    sizeof(e164)), PF_OK);
		ck_assert_str_eq(e164, t[i].e164);
		ck_assert_int_eq(pf_phone_region(e164, out), PF_OK);
		ck_assert_str_eq(out, t[i].where);
		ck_assert_str_eq(out, alone);
		ck_assert_int_eq(pf_phone_region(e164, out), PF_OK);
		ck_assert_str_eq(out, t[i].where);
	}
	ck_assert_int_eq(pf_phone_e164("303 749 2110", "US", e164,
	    sizeof(e164)), PF_OK);
	ck_assert_int_eq(pf_phone_region("+1303749211", out), PF_EINVAL);
	ck_assert_int_eq(pf_phone_region("+4402033181234", out), PF_EINVAL);
	ck_assert_int_eq(pf_phone_region(e164, out), PF_OK);
	ck_assert_str_eq(out, "US");
}
END_TEST

PF_TEST_MAIN("phone",
    tcase_add_test(tc, test_libphonenumber_loaded_on_first_use),
    PF_LOOP(test_region_of_a_number, regions),
    tcase_add_test(tc, test_region_refuses_all_but_e164),
    tcase_add_test(tc, test_region_after_reading_a_number),
    tcase_add_test(tc, test_numbers_read),
    tcase_add_test(tc, test_numbers_refused),
    tcase_add_test(tc, test_input_length_limit),
    tcase_add_test(tc, test_e164_output_buffer_size),
    tcase_add_test(tc, test_format_international),
    tcase_add_test(tc, test_format_reads_back_as_same_number),
    tcase_add_test(tc, test_format_refuses_all_but_e164),
    tcase_add_test(tc, test_format_output_buffer_size))
