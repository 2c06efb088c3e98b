/* test_copy.c -- keeping a row past its callback (copy.h). */
#include <stddef.h>
#include <string.h>

#include "check_main.h"
#include "copy.h"
#include "err.h"

struct row {
	long long	 id;
	const char	*a;
	int		 n;
	const char	*b;
	const char	*c;
};

static const size_t off[] = {
	offsetof(struct row, a), offsetof(struct row, b), offsetof(struct row, c),
};

START_TEST(test_strings_are_copied_and_the_rest_kept)
{
	char		 a[] = "alpha", b[] = "beta", *mem[3];
	struct row	 src = { 7, a, 3, b, NULL }, dst = src;

	ck_assert_int_eq(pf_copy_strings(&dst, &src, off, 3, mem), PF_OK);
	memset(a, 'x', 5);
	memset(b, 'y', 4);
	ck_assert_int_eq(dst.id, 7);
	ck_assert_int_eq(dst.n, 3);
	ck_assert_str_eq(dst.a, "alpha");
	ck_assert_str_eq(dst.b, "beta");
	ck_assert_ptr_eq(dst.a, mem[0]);
	ck_assert_ptr_eq(dst.b, mem[1]);
	ck_assert_ptr_null(dst.c);
	ck_assert_ptr_null(mem[2]);
	pf_copy_free(mem, 3);
	ck_assert_ptr_null(mem[0]);
	ck_assert_ptr_null(mem[1]);
}
END_TEST

START_TEST(test_members_not_in_the_table_are_not_copied)
{
	char		*mem[1];
	struct row	 src = { 1, "a", 0, "b", "c" }, dst = src;

	ck_assert_int_eq(pf_copy_strings(&dst, &src, off, 1, mem), PF_OK);
	ck_assert_ptr_ne(dst.a, src.a);
	ck_assert_ptr_eq(dst.b, src.b);	/* not named: the bitwise copy */
	pf_copy_free(mem, 1);
}
END_TEST

PF_TEST_MAIN("copy",
    tcase_add_test(tc, test_strings_are_copied_and_the_rest_kept),
    tcase_add_test(tc, test_members_not_in_the_table_are_not_copied))
