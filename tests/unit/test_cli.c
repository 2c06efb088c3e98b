/*
 * test_cli.c -- the privforms command's option tables (tools/cli.h's
 * cli_parse), the period its reports and listings share, and the CSV
 * record their exports write.
 */
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "cli.h"
#include "nitems.h"

enum { O_SINCE, O_FORCE, O_REASON, O_NOTE };

/* ID [--since DAY] [--force] --reason TEXT [--note TEXT], note once. */
static const struct cli_spec spec = { .opt = {
	[O_SINCE] = { "--since", CLI_VALUE },
	[O_FORCE] = { "--force", 0 },
	[O_REASON] = { "--reason", CLI_VALUE | CLI_REQUIRED },
	[O_NOTE] = { "--note", CLI_VALUE | CLI_ONCE },
}, .min = 1, .max = 1 };

/* Parse a NULL-terminated list of arguments. */
static int
parse(const struct cli_spec *s, struct cli_args *a, const char *const *v)
{
	char	*argv[16];
	int	 argc = 0;

	for (; *v != NULL; v++)
		argv[argc++] = (char *)*v;
	return cli_parse(s, argc, argv, a);
}

START_TEST(test_values_flags_and_operands)
{
	static const char *const v[] = { "--since", "2026-01-01", "7",
	    "--force", "--reason", "--note", NULL };
	struct cli_args	 a;

	ck_assert_int_eq(parse(&spec, &a, v), 0);
	ck_assert_str_eq(a.opt[O_SINCE], "2026-01-01");
	ck_assert_str_eq(a.opt[O_FORCE], "--force");	/* a flag: its name */
	/* A value is the next argument whatever it looks like. */
	ck_assert_str_eq(a.opt[O_REASON], "--note");
	ck_assert_ptr_null(a.opt[O_NOTE]);
	ck_assert_int_eq(a.npos, 1);
	ck_assert_str_eq(a.pos[0], "7");
}
END_TEST

START_TEST(test_last_value_wins_unless_once)
{
	static const char *const twice[] = { "7", "--reason", "r",
	    "--since", "2026-01-01", "--since", "2026-02-02", NULL };
	static const char *const note_twice[] = { "7", "--reason", "r",
	    "--note", "a", "--note", "b", NULL };
	struct cli_args	 a;

	ck_assert_int_eq(parse(&spec, &a, twice), 0);
	ck_assert_str_eq(a.opt[O_SINCE], "2026-02-02");
	ck_assert_int_eq(parse(&spec, &a, note_twice), CLI_USAGE);
}
END_TEST

/* Each of these is a usage error, said by privforms.c alone. */
static const char *const refused[][8] = {
	{ "--reason", "r", NULL },			/* no operand */
	{ "7", "8", "--reason", "r", NULL },		/* one too many */
	{ "7", NULL },					/* --reason missing */
	{ "7", "--reason", NULL },			/* its value missing */
	{ "-7", "--reason", "r", NULL },		/* operand with '-' */
	{ "7", "--reason", "r", "--unknown", NULL },	/* no such option */
	{ "7", "--reason", "r", "--Force", NULL },	/* names are exact */
	{ "7", "--reason", "r", "--since", NULL },	/* last value missing */
};

START_TEST(test_refused)
{
	struct cli_args	 a;

	ck_assert_int_eq(parse(&spec, &a, refused[_i]), CLI_USAGE);
}
END_TEST

START_TEST(test_no_spec_takes_nothing)
{
	static const char *const none[] = { NULL };
	static const char *const one[] = { "x", NULL };
	struct cli_args	 a;

	ck_assert_int_eq(parse(NULL, &a, none), 0);
	ck_assert_int_eq(a.npos, 0);
	ck_assert_int_eq(parse(NULL, &a, one), CLI_USAGE);
}
END_TEST

START_TEST(test_dash_operand_when_allowed)
{
	static const struct cli_spec dash = { .min = 1, .max = 1, .dash = 1 };
	static const char *const v[] = { "--all-failed", NULL };
	static const char *const two[] = { "-1", "-2", NULL };
	struct cli_args	 a;

	ck_assert_int_eq(parse(&dash, &a, v), 0);
	ck_assert_str_eq(a.pos[0], "--all-failed");
	ck_assert_int_eq(parse(&dash, &a, two), CLI_USAGE);
}
END_TEST

START_TEST(test_operands_between_min_and_max)
{
	static const struct cli_spec s = { .min = 1, .max = 2 };
	static const char *const one[] = { "US", NULL };
	static const char *const two[] = { "US", "CA", NULL };
	static const char *const empty[] = { "", NULL };
	struct cli_args	 a;

	ck_assert_int_eq(parse(&s, &a, one), 0);
	ck_assert_ptr_null(a.pos[1]);
	ck_assert_int_eq(parse(&s, &a, two), 0);
	ck_assert_str_eq(a.pos[1], "CA");
	/* An empty operand is an operand: the command judges it. */
	ck_assert_int_eq(parse(&s, &a, empty), 0);
	ck_assert_str_eq(a.pos[0], "");
}
END_TEST

/* The report options, then the period check and its messages. */
static int
period(const char *const *v, struct cli_period *p)
{
	struct cli_args	 a;

	ck_assert_int_eq(parse(&cli_report_spec, &a, v), 0);
	return cli_period_args("test report", &a, p);
}

START_TEST(test_period_until_is_inclusive)
{
	static const char *const v[] = { "--since", "2026-02-27", "--until",
	    "2026-02-28", NULL };
	static const char *const last[] = { "--until", "9999-12-31", NULL };
	static const char *const none[] = { NULL };
	struct cli_period p;

	ck_assert_int_eq(period(v, &p), 0);
	ck_assert_str_eq(p.since, "2026-02-27");
	ck_assert_str_eq(p.until, "2026-02-28");
	ck_assert_str_eq(p.end, "2026-03-01");	/* the store's exclusive end */
	ck_assert_int_eq(period(last, &p), 0);
	ck_assert_ptr_null(p.end);		/* nothing is after it */
	ck_assert_int_eq(period(none, &p), 0);
	ck_assert_ptr_null(p.since);
	ck_assert_ptr_null(p.end);
}
END_TEST

START_TEST(test_period_refused)
{
	static const char *const bad[] = { "--since", "2026-02-30", NULL };
	static const char *const after[] = { "--since", "2026-03-02",
	    "--until", "2026-03-01", NULL };
	struct cli_period p;

	ck_assert_int_eq(period(bad, &p), CLI_USAGE);
	ck_assert_int_eq(period(after, &p), CLI_USAGE);
}
END_TEST

START_TEST(test_period_text)
{
	struct cli_period p = { .since = "2026-01-01" };
	char		 buf[256] = "";
	FILE		*f = fmemopen(buf, sizeof(buf), "w");

	ck_assert_ptr_nonnull(f);
	cli_period_text(f, "Title", &p);
	fclose(f);
	ck_assert_str_eq(buf, "Title\nPeriod: from 2026-01-01 (UTC days, "
	    "inclusive)\n\n");
}
END_TEST

PF_TEST_MAIN("cli",
    tcase_add_test(tc, test_values_flags_and_operands),
    tcase_add_test(tc, test_last_value_wins_unless_once),
    tcase_add_loop_test(tc, test_refused, 0, nitems(refused)),
    tcase_add_test(tc, test_no_spec_takes_nothing),
    tcase_add_test(tc, test_dash_operand_when_allowed),
    tcase_add_test(tc, test_operands_between_min_and_max),
    tcase_add_test(tc, test_period_until_is_inclusive),
    tcase_add_test(tc, test_period_refused),
    tcase_add_test(tc, test_period_text))
