/* test_utf8.c -- the base text check (utf8.h). */
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "nitems.h"
#include "utf8.h"

struct sample {
	const char	*name;
	const char	*s;
	size_t		 len;	/* bytes, since some samples hold a NUL */
	size_t		 chars;	/* code points, for valid samples */
};

#define S(name, lit, chars) { name, lit, sizeof(lit) - 1, chars }
/* An invalid sample has no code point count. */
#define BAD(name, lit) { name, lit, sizeof(lit) - 1, 0 }

static const struct sample valid[] = {
	S("empty", "", 0),
	S("ascii", "Hello, world!", 13),
	S("space and tilde", " ~", 2),
	S("tab", "a\tb", 3),
	S("2-byte U+00E9", "caf\xc3\xa9", 4),
	S("2-byte lowest U+0080 is C1, so U+00A0", "\xc2\xa0", 1),
	S("2-byte highest U+07FF", "\xdf\xbf", 1),
	S("3-byte lowest U+0800", "\xe0\xa0\x80", 1),
	S("3-byte U+20AC euro", "\xe2\x82\xac", 1),
	S("3-byte U+D7FF before surrogates", "\xed\x9f\xbf", 1),
	S("3-byte U+E000 after surrogates", "\xee\x80\x80", 1),
	S("3-byte U+FFFD", "\xef\xbf\xbd", 1),
	S("4-byte lowest U+10000", "\xf0\x90\x80\x80", 1),
	S("4-byte U+1F600 emoji", "\xf0\x9f\x98\x80", 1),
	S("4-byte highest U+10FFFF", "\xf4\x8f\xbf\xbf", 1),
	S("mixed", "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z", 5),
};

static const struct sample invalid[] = {
	BAD("NUL alone", "\0"),
	BAD("NUL inside", "ab\0cd"),
	BAD("DEL", "\x7f"),
	BAD("C1 U+0080", "\xc2\x80"),
	BAD("C1 U+0085 NEL", "\xc2\x85"),
	BAD("C1 U+009F", "\xc2\x9f"),
	BAD("overlong NUL C0 80", "\xc0\x80"),
	BAD("overlong C1 BF", "\xc1\xbf"),
	BAD("overlong E0 80 80", "\xe0\x80\x80"),
	BAD("overlong E0 9F BF", "\xe0\x9f\xbf"),
	BAD("overlong F0 80 80 80", "\xf0\x80\x80\x80"),
	BAD("overlong F0 8F BF BF", "\xf0\x8f\xbf\xbf"),
	BAD("surrogate ED A0 80", "\xed\xa0\x80"),
	BAD("surrogate ED BF BF", "\xed\xbf\xbf"),
	BAD("above U+10FFFF F4 90 80 80", "\xf4\x90\x80\x80"),
	BAD("F5 lead byte", "\xf5\x80\x80\x80"),
	BAD("FF byte", "\xff"),
	BAD("lone continuation", "\x80"),
	BAD("truncated 2-byte", "\xc3"),
	BAD("truncated 3-byte", "\xe2\x82"),
	BAD("truncated 4-byte", "\xf0\x9f\x98"),
	BAD("truncated before ascii", "\xe2\x82z"),
	BAD("U+FFFE", "\xef\xbf\xbe"),
	BAD("U+FFFF", "\xef\xbf\xbf"),
	BAD("CR", "a\rb"),
	BAD("CRLF", "a\r\nb"),
};

START_TEST(test_valid_accepted)
{
	size_t	 i;

	for (i = 0; i < nitems(valid); i++) {
		ck_assert_msg(pf_utf8_ok(valid[i].s, valid[i].len, 0),
		    "refused: %s", valid[i].name);
		ck_assert_msg(pf_utf8_ok(valid[i].s, valid[i].len, 1),
		    "refused multiline: %s", valid[i].name);
	}
}
END_TEST

START_TEST(test_invalid_refused)
{
	size_t	 i;

	for (i = 0; i < nitems(invalid); i++) {
		ck_assert_msg(!pf_utf8_ok(invalid[i].s, invalid[i].len, 0),
		    "accepted: %s", invalid[i].name);
		ck_assert_msg(!pf_utf8_ok(invalid[i].s, invalid[i].len, 1),
		    "accepted multiline: %s", invalid[i].name);
	}
}
END_TEST

START_TEST(test_every_c0_control_refused_but_tab)
{
	char	 s[3] = { 'a', 0, 'b' };
	int	 c;

	for (c = 0; c < 0x20; c++) {
		s[1] = (char)c;
		if (c == '\t')
			ck_assert(pf_utf8_ok(s, sizeof(s), 0));
		else if (c == '\n') {
			ck_assert(!pf_utf8_ok(s, sizeof(s), 0));
			ck_assert(pf_utf8_ok(s, sizeof(s), 1));
		} else {
			ck_assert_msg(!pf_utf8_ok(s, sizeof(s), 0), "0x%02x", c);
			ck_assert_msg(!pf_utf8_ok(s, sizeof(s), 1), "0x%02x", c);
		}
	}
}
END_TEST

START_TEST(test_every_c1_control_refused)
{
	char	 s[2] = { (char)0xc2, 0 };
	int	 c;

	for (c = 0x80; c <= 0x9f; c++) {
		s[1] = (char)c;
		ck_assert_msg(!pf_utf8_ok(s, sizeof(s), 1), "U+%04X", c);
	}
	s[1] = (char)0xa0;
	ck_assert(pf_utf8_ok(s, sizeof(s), 1));
}
END_TEST

START_TEST(test_lf_only_when_multiline)
{
	ck_assert(!pf_utf8_ok("a\nb", 3, 0));
	ck_assert(pf_utf8_ok("a\nb", 3, 1));
	ck_assert(pf_utf8_ok("\n\n", 2, 1));
}
END_TEST

START_TEST(test_len_stops_at_given_length)
{
	/* Only the first len bytes count, even past a NUL or a bad byte. */
	ck_assert(pf_utf8_ok("ab\xff", 2, 0));
	ck_assert(pf_utf8_ok("ab\0cd", 2, 0));
	ck_assert(!pf_utf8_ok("ab\0cd", 3, 0));
	/* A sequence cut by len is truncated, even if the bytes go on. */
	ck_assert(!pf_utf8_ok("\xe2\x82\xac", 2, 0));
}
END_TEST

START_TEST(test_len_counts_code_points)
{
	size_t	 i;

	for (i = 0; i < nitems(valid); i++)
		ck_assert_msg(pf_utf8_len(valid[i].s, valid[i].len) ==
		    valid[i].chars, "%s", valid[i].name);
}
END_TEST

START_TEST(test_crlf_folds_to_lf)
{
	static const struct pf_test_case t[] = {
		{ "", "" },
		{ "abc", "abc" },
		{ "a\r\nb", "a\nb" },
		{ "a\rb", "a\nb" },
		{ "a\nb", "a\nb" },
		{ "\r\n\r\n", "\n\n" },
		{ "\r\r\n", "\n\n" },
		{ "\n\r", "\n\n" },
		{ "a\r", "a\n" },
		{ "\r\n", "\n" },
	};
	char	 buf[32];
	size_t	 i, n;

	for (i = 0; i < nitems(t); i++) {
		snprintf(buf, sizeof(buf), "%s", t[i].in);
		n = pf_utf8_crlf(buf, strlen(buf));
		ck_assert_msg(n == strlen(t[i].want), "case %zu", i);
		ck_assert_msg(memcmp(buf, t[i].want, n) == 0, "case %zu", i);
		ck_assert_msg(pf_utf8_ok(buf, n, 1), "case %zu", i);
	}
}
END_TEST

START_TEST(test_bidi_controls_found_and_marked)
{
	static const char *const controls[] = {
		"\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac",	/* LRE RLE PDF */
		"\xe2\x80\xad", "\xe2\x80\xae",		/* LRO RLO */
		"\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8",	/* LRI RLI FSI */
		"\xe2\x81\xa9",				/* PDI */
	};
	char	 s[16];
	size_t	 i;

	for (i = 0; i < nitems(controls); i++) {
		snprintf(s, sizeof(s), "a%sb", controls[i]);
		ck_assert_msg(pf_utf8_ok(s, 5, 0), "case %zu", i);
		ck_assert_msg(pf_utf8_bidi(s, 5), "case %zu", i);
		ck_assert_msg(!pf_utf8_bidi(s, 3), "cut, case %zu", i);
		ck_assert_uint_eq(pf_utf8_bidi_mark(s, 5), 1);
		ck_assert_str_eq(s, "a\xef\xbf\xbd" "b");
		ck_assert(!pf_utf8_bidi(s, 5));
	}
}
END_TEST

START_TEST(test_bidi_marks_and_neighbours_left_alone)
{
	static const char *const fine[] = {
		"\xe2\x80\x8e", "\xe2\x80\x8f",		/* LRM RLM */
		"\xd8\x9c",					/* ALM */
		"\xe2\x80\xa9", "\xe2\x80\xaf",		/* U+2029 U+202F */
		"\xe2\x81\xa5", "\xe2\x81\xaa",		/* U+2065 U+206A */
		"\xe2\x82\xac", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",	/* euro, Hebrew */
	};
	char	 s[32];
	size_t	 i, n;

	for (i = 0; i < nitems(fine); i++) {
		n = (size_t)snprintf(s, sizeof(s), "a%sb", fine[i]);
		ck_assert_msg(!pf_utf8_bidi(s, n), "case %zu", i);
		ck_assert_uint_eq(pf_utf8_bidi_mark(s, n), 0);
	}
}
END_TEST

START_TEST(test_bidi_mark_counts_every_one)
{
	char	 s[] = "\xe2\x80\xae" "exe.txt\xe2\x81\xa6\xe2\x81\xa9";

	ck_assert_uint_eq(pf_utf8_bidi_mark(s, sizeof(s) - 1), 3);
	ck_assert_str_eq(s, "\xef\xbf\xbd" "exe.txt\xef\xbf\xbd\xef\xbf\xbd");
	ck_assert(pf_utf8_ok(s, sizeof(s) - 1, 0));
}
END_TEST

START_TEST(test_graphic_is_printable_ascii_without_blanks)
{
	char	 s[2] = { 0, 0 };
	int	 c;

	for (c = 1; c < 256; c++) {
		s[0] = (char)c;
		ck_assert_int_eq(pf_utf8_graphic(s), c >= 0x21 && c <= 0x7e);
	}
	ck_assert_int_eq(pf_utf8_graphic("<a.b@example.com>"), 1);
	ck_assert_int_eq(pf_utf8_graphic("https://x.example/a b"), 0);
	ck_assert_int_eq(pf_utf8_graphic("caf\xc3\xa9"), 0);
}
END_TEST

PF_TEST_MAIN("utf8",
    tcase_add_test(tc, test_graphic_is_printable_ascii_without_blanks),
    tcase_add_test(tc, test_valid_accepted),
    tcase_add_test(tc, test_bidi_controls_found_and_marked),
    tcase_add_test(tc, test_bidi_marks_and_neighbours_left_alone),
    tcase_add_test(tc, test_bidi_mark_counts_every_one),
    tcase_add_test(tc, test_invalid_refused),
    tcase_add_test(tc, test_every_c0_control_refused_but_tab),
    tcase_add_test(tc, test_every_c1_control_refused),
    tcase_add_test(tc, test_lf_only_when_multiline),
    tcase_add_test(tc, test_len_stops_at_given_length),
    tcase_add_test(tc, test_len_counts_code_points),
    tcase_add_test(tc, test_crlf_folds_to_lf))
