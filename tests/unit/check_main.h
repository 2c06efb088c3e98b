/*
 * check_main.h -- the main() of every unit test program.
 *
 * A test file defines its tests with Check and ends with
 *	PF_TEST_MAIN(suite_name, tcase_add_test(tc, test_a), tcase_add_test(tc, test_b))
 * A test run once per row of a case table (Check's loop test, _i the
 * row) is registered in the same list with
 *	PF_LOOP(test_c, table)
 * Rows of such a table that give one text and expect one text back (an
 * output, a message) are struct pf_test_case; those that expect a number
 * (a code, a flag, a count), struct pf_test_code.
 * Tests run without forking (CK_NOFORK unless CK_FORK is set) so that
 * sanitizer and leak reports belong to the test binary.
 */
#ifndef PF_CHECK_MAIN_H
#define PF_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#include "nitems.h"

/* A case of a table: the text given, and the text it must give. */
struct pf_test_case {
	const char	*in;
	const char	*want;
};

/* A case of a table: the text given, and the number it must give. */
struct pf_test_code {
	const char	*in;
	int		 want;
};

/* Register fn once per row of table in the test case tc in scope. */
#define PF_LOOP(fn, table)						\
	tcase_add_loop_test(tc, fn, 0,					\
	    (int)nitems(table))

#define PF_TEST_MAIN(name, ...)						\
int									\
main(void)								\
{									\
	Suite	*s = suite_create(name);				\
	TCase	*tc = tcase_create("core");				\
	SRunner	*sr;							\
	int	 failed;						\
									\
	tcase_set_timeout(tc, 60);					\
	__VA_ARGS__;							\
	suite_add_tcase(s, tc);						\
	sr = srunner_create(s);						\
	if (getenv("CK_FORK") == NULL)					\
		srunner_set_fork_status(sr, CK_NOFORK);			\
	srunner_run_all(sr, CK_NORMAL);					\
	failed = srunner_ntests_failed(sr);				\
	srunner_free(sr);						\
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;		\
}

#endif
