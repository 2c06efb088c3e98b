/* test_log.c -- one printable line per message, whatever the message holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "fixture.h"
#include "log.h"

/* What pf_log writes for fmt and s, read back from a redirected stderr. */
static void
logged(enum pf_log_level level, const char *s, char *out, size_t outlen)
{
	pf_test_capture();
	pf_log(level, "value %s end", s);
	pf_test_captured(out, outlen);
}

START_TEST(test_line_names_program_and_level)
{
	char	 line[1200], want[64];

	pf_log_init("unsubscribe");
	logged(PF_LOG_WARN, "x", line, sizeof(line));
	snprintf(want, sizeof(want), "unsubscribe[%ld]: warning: value x end\n",
	    (long)getpid());
	ck_assert_str_eq(line, want);
}
END_TEST

START_TEST(test_controls_and_non_ascii_cannot_split_or_colour_a_line)
{
	char	 line[1200];

	pf_log_init("t");
	logged(PF_LOG_ERR, "a\nb\r\x1b[31mc\xc3\xa9\x7f", line, sizeof(line));
	ck_assert_ptr_nonnull(strstr(line, "value a?b??[31mc??? end\n"));
	ck_assert_ptr_eq(strchr(line, '\n'), line + strlen(line) - 1);
}
END_TEST

START_TEST(test_long_message_is_cut_not_overflowed)
{
	char	*big = malloc(5000), line[2048];

	memset(big, 'z', 4999);
	big[4999] = '\0';
	pf_log_init("t");
	logged(PF_LOG_INFO, big, line, sizeof(line));
	ck_assert_uint_lt(strlen(line), 1100);
	ck_assert_int_eq(line[strlen(line) - 1], '\n');
	free(big);
}
END_TEST

PF_TEST_MAIN("log",
    tcase_add_test(tc, test_line_names_program_and_level),
    tcase_add_test(tc, test_controls_and_non_ascii_cannot_split_or_colour_a_line),
    tcase_add_test(tc, test_long_message_is_cut_not_overflowed))
