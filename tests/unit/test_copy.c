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

/* A kind of copy as dsr.h, feedback.h and agent.h make theirs. */
PF_COPY_HEAD(row_copy, row, r, 3);
PF_COPY_PROTOTYPE(row, row_copy, row);
PF_COPY_GENERATE(row, row_copy, row, r, off, 3)

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

/* The hold is the store's callback: what it held outlives the row. */
START_TEST(test_a_generated_hold_keeps_the_row_and_its_drop_frees_it)
{
	char		 a[] = "alpha", c[] = "gamma";
	struct row	 src = { 9, a, 4, NULL, c };
	struct row_copy	 k;

	memset(&k, 0xa5, sizeof(k));	/* what was there does not matter */
	ck_assert_int_eq(row_hold(&src, &k), PF_OK);
	memset(a, 'x', 5);
	memset(c, 'z', 5);
	ck_assert_int_eq(k.r.id, 9);
	ck_assert_int_eq(k.r.n, 4);
	ck_assert_str_eq(k.r.a, "alpha");
	ck_assert_ptr_null(k.r.b);
	ck_assert_str_eq(k.r.c, "gamma");
	ck_assert_ptr_eq(k.r.a, k.mem[0]);
	ck_assert_ptr_null(k.mem[1]);
	ck_assert_ptr_eq(k.r.c, k.mem[2]);
	/* A member pointed elsewhere: the drop still frees the copy. */
	k.r.a = "elsewhere";
	row_drop(&k);
	ck_assert_ptr_null(k.r.a);
	ck_assert_ptr_null(k.r.c);
	ck_assert_ptr_null(k.mem[0]);
	ck_assert_ptr_null(k.mem[2]);
	ck_assert_int_eq(k.r.id, 0);
	row_drop(&k);			/* a zeroed copy: nothing to free */
}
END_TEST

PF_TEST_MAIN("copy",
    tcase_add_test(tc, test_strings_are_copied_and_the_rest_kept),
    tcase_add_test(tc, test_members_not_in_the_table_are_not_copied),
    tcase_add_test(tc, test_a_generated_hold_keeps_the_row_and_its_drop_frees_it))
