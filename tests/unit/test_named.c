/* test_named.c -- finding a row of a small table by its name (named.h). */
#include <stddef.h>

#include "check_main.h"
#include "named.h"

struct row {
	int	 n;
	char	 name[8];
};

static const struct row rows[] = {
	{ 1, "de" }, { 2, "us-ca" }, { 3, "*" }, { 4, "de" },
};

static const struct row *
find(size_t n, const char *name)
{
	return pf_named_find(rows, n, sizeof(*rows), offsetof(struct row, name),
	    name);
}

START_TEST(test_each_name_finds_its_first_row)
{
	ck_assert_ptr_eq(find(4, "us-ca"), &rows[1]);
	ck_assert_ptr_eq(find(4, "*"), &rows[2]);
	ck_assert_ptr_eq(find(4, "de"), &rows[0]);	/* the first of two */
}
END_TEST

START_TEST(test_no_row_is_null)
{
	ck_assert_ptr_null(find(4, "DE"));	/* byte for byte */
	ck_assert_ptr_null(find(4, "us"));	/* whole names only */
	ck_assert_ptr_null(find(4, ""));
	ck_assert_ptr_null(find(2, "*"));	/* only rows[0..n) */
	ck_assert_ptr_null(find(0, "de"));
}
END_TEST

PF_TEST_MAIN("named",
    tcase_add_test(tc, test_each_name_finds_its_first_row),
    tcase_add_test(tc, test_no_row_is_null))
