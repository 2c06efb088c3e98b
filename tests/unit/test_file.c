/* test_file.c -- whole-file writes, mkdir -p, and hex (file.h, hex.h). */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "fixture.h"
#include "err.h"
#include "file.h"
#include "hex.h"
#include "nitems.h"

START_TEST(test_replace_writes_whole_file_with_mode_and_no_leftovers)
{
	char		 path[128], buf[64], cmd[160];
	struct stat	 st;

	snprintf(path, sizeof(path), "%s/a.xml", fx.dir);
	ck_assert_int_eq(pf_file_replace(path, "first", 5, 0640), PF_OK);
	ck_assert_int_eq(pf_file_replace(path, "second\n", 7, 0640), PF_OK);
	pf_test_read(path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "second\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	/* Only the file itself: no temporary file left behind. */
	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) -eq 1", fx.dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_replace_into_missing_directory_fails_cleanly)
{
	char	 path[128];

	snprintf(path, sizeof(path), "%s/no/such/a.xml", fx.dir);
	ck_assert_int_eq(pf_file_replace(path, "x", 1, 0640), PF_EIO);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_mkdirs_and_mkparent)
{
	char		 path[160];
	struct stat	 st;

	snprintf(path, sizeof(path), "%s/a/b/c", fx.dir);
	ck_assert_int_eq(pf_file_mkdirs(path, 0750), PF_OK);
	ck_assert_int_eq(pf_file_mkdirs(path, 0750), PF_OK);	/* again: fine */
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	snprintf(path, sizeof(path), "%s/x/y/file.db", fx.dir);
	ck_assert_int_eq(pf_file_mkparent(path, 0700), PF_OK);
	snprintf(path, sizeof(path), "%s/x/y", fx.dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	/* A file where a directory should be is an error, not a success. */
	snprintf(path, sizeof(path), "%s/f", fx.dir);
	ck_assert_int_eq(pf_file_replace(path, "x", 1, 0600), PF_OK);
	snprintf(path, sizeof(path), "%s/f/sub", fx.dir);
	ck_assert_int_eq(pf_file_mkdirs(path, 0750), PF_EIO);
}
END_TEST

START_TEST(test_hex_round_trip)
{
	const unsigned char	 in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char			 out[2 * sizeof(in) + 1];
	const char		*digits = "0123456789abcdefABCDEF";
	size_t			 i;

	pf_hex_encode(in, sizeof(in), out);
	ck_assert_str_eq(out, "00017f80abff");
	for (i = 0; digits[i] != '\0'; i++)
		ck_assert_int_eq(pf_hex_value(digits[i]), i < 16 ? (int)i :
		    (int)i - 6);
	ck_assert_int_eq(pf_hex_value('g'), -1);
	ck_assert_int_eq(pf_hex_value('/'), -1);
	ck_assert_int_eq(pf_hex_value('\0'), -1);
}
END_TEST

/* Blanks and line ends go from both ends; what is between stays. */
START_TEST(test_trim_takes_blanks_and_line_ends_off_both_ends)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "key = value", "key = value" },
		{ " \t key = value \t\r\n", "key = value" },
		{ "value\r\n", "value" },
		{ "a \t b", "a \t b" },
		{ " \t\r\n", "" },
		{ "", "" },
	};
	char	 buf[64];
	size_t	 i;

	for (i = 0; i < nitems(cases); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		ck_assert_str_eq(pf_file_trim(buf), cases[i].out);
	}
}
END_TEST

START_TEST(test_line_splits_at_lf_with_its_cr)
{
	static const char	 buf[] = "a\nbb\r\n\n\r\nc\r\rd\r";
	static const struct {
		const char	*text;
		size_t		 whole;
	} want[] = {
		{ "a", 2 }, { "bb", 4 }, { "", 1 }, { "", 2 }, { "c\r\rd", 5 },
	};
	struct pf_line	 l;
	size_t		 pos = 0, i = 0;

	while (pf_file_line(buf, sizeof(buf) - 1, &pos, &l)) {
		ck_assert_uint_lt(i, nitems(want));
		ck_assert_uint_eq(l.n, strlen(want[i].text));
		ck_assert(memcmp(l.text, want[i].text, l.n) == 0);
		ck_assert_uint_eq(l.whole, want[i].whole);
		i++;
	}
	ck_assert_uint_eq(i, nitems(want));
	ck_assert_uint_eq(pos, sizeof(buf) - 1);
	pos = 0;
	ck_assert_int_eq(pf_file_line("", 0, &pos, &l), 0);
}
END_TEST

/* A pf_file_line_fn that keeps each line's length and refuses "bad". */
static int
keep_len(char *line, size_t len, void *arg, char *msg, size_t msglen)
{
	size_t	*sum = arg;

	if (strncmp(line, "bad", 3) == 0) {
		snprintf(msg, msglen, "bad line");
		return PF_ECONFIG;
	}
	*sum += len;
	return PF_OK;
}

/* A pf_file_reader that runs keep_len on every line. */
static int
read_lines(FILE *f, const char *name, void *arg, char *err, size_t errlen)
{
	long	 lineno;

	return pf_file_lines(f, name, keep_len, arg, &lineno, err, errlen);
}

START_TEST(test_lines_stop_at_the_first_failure_and_name_its_line)
{
	static const char	 nul[] = "ok\nx\0y\n";
	size_t			 sum = 0;

	ck_assert_int_eq(pf_file_read_text("ab\r\ncd", 6, "t", read_lines, &sum,
	    fx.err, sizeof(fx.err)), PF_OK);
	ck_assert_uint_eq(sum, 6);	/* line ends included */
	ck_assert_int_eq(pf_file_read_text("a\nbad\nbad\n", 10, "t",
	    read_lines, &sum, fx.err, sizeof(fx.err)), PF_ECONFIG);
	ck_assert_str_eq(fx.err, "t:2: bad line");
	ck_assert_int_eq(pf_file_read_text(nul, sizeof(nul) - 1, "n",
	    read_lines, &sum, fx.err, sizeof(fx.err)), PF_ECONFIG);
	ck_assert_str_eq(fx.err, "n:2: NUL byte in line");
}
END_TEST

START_TEST(test_read_path_missing_file_is_not_found)
{
	char	 path[128], want[200];
	size_t	 sum = 0;

	snprintf(path, sizeof(path), "%s/none.tsv", fx.dir);
	ck_assert_int_eq(pf_file_read_path(path, read_lines, &sum, fx.err,
	    sizeof(fx.err)), PF_ENOTFOUND);
	snprintf(want, sizeof(want), "%s: %s", path, strerror(ENOENT));
	ck_assert_str_eq(fx.err, want);
	ck_assert_int_eq(pf_file_replace(path, "one\ntwo\n", 8, 0600), PF_OK);
	ck_assert_int_eq(pf_file_read_path(path, read_lines, &sum, fx.err,
	    sizeof(fx.err)), PF_OK);
	ck_assert_uint_eq(sum, 8);
}
END_TEST

PF_TEST_MAIN("file",
    pf_test_fixture(tc, PF_TEST_DIR, NULL, NULL, NULL),
    tcase_add_test(tc, test_lines_stop_at_the_first_failure_and_name_its_line),
    tcase_add_test(tc, test_read_path_missing_file_is_not_found),
    tcase_add_test(tc, test_replace_writes_whole_file_with_mode_and_no_leftovers),
    tcase_add_test(tc, test_line_splits_at_lf_with_its_cr),
    tcase_add_test(tc, test_replace_into_missing_directory_fails_cleanly),
    tcase_add_test(tc, test_mkdirs_and_mkparent),
    tcase_add_test(tc, test_hex_round_trip),
    tcase_add_test(tc, test_trim_takes_blanks_and_line_ends_off_both_ends))
