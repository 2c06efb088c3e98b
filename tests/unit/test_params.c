/*
 * test_params.c -- name=value lists and urlencoded text (params.h): the
 * checks on names and limits both encodings share, and the sentence each
 * refusal leaves.  test_request.c's urlencoded table reaches the parser
 * through pf_request_read_form.
 */
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "err.h"
#include "nitems.h"
#include "params.h"

/* 4 fields, 16 bytes a value: every limit is easy to reach. */
static const struct pf_limits lim = { 1024, 4, 16 };

START_TEST(test_params_parse_reports_why)
{
	struct pf_param	*p = (struct pf_param *)&p;
	size_t		 n = 99;
	const char	*why = NULL;

	ck_assert_int_eq(pf_params_parse("a=%zz", 5, &lim, &p, &n, &why),
	    PF_EINVAL);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(why, "The form contains a malformed percent-encoding.");
	ck_assert_int_eq(pf_params_parse("a=1&a=2", 7, &lim, &p, &n, &why),
	    PF_EINVAL);
	ck_assert_str_eq(why, "The form contains the same field more than once.");
	/* len, not the NUL, ends the text. */
	ck_assert_int_eq(pf_params_parse("a=1&b=2", 3, &lim, &p, &n, &why),
	    PF_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(p[0].value, "1");
	pf_params_free(p, n);
}
END_TEST

START_TEST(test_params_null_limits_are_the_built_in_ones)
{
	static char	 body[4 * 4096 + 16];
	struct pf_param	*p;
	const char	*why = NULL;
	size_t		 n;

	/* A value of 4096 bytes passes pf_params_limits, 4097 does not. */
	memcpy(body, "a=", 2);
	memset(body + 2, 'x', 4096);
	ck_assert_int_eq(pf_params_parse(body, 2 + 4096, NULL, &p, &n, &why),
	    PF_OK);
	ck_assert_uint_eq(p[0].len, pf_params_limits.max_field_len);
	pf_params_free(p, n);
	body[2 + 4096] = 'x';
	ck_assert_int_eq(pf_params_parse(body, 2 + 4097, NULL, &p, &n, &why),
	    PF_ETOOBIG);
	ck_assert_str_eq(why, pf_params_msg_fieldlen);
}
END_TEST

START_TEST(test_params_find_and_free)
{
	struct pf_param	*p;
	const char	*why = NULL;
	size_t		 n;

	ck_assert_int_eq(pf_params_parse("a=1&b=2", 7, &lim, &p, &n, &why),
	    PF_OK);
	ck_assert_ptr_eq(pf_params_find(p, n, "b"), &p[1]);
	ck_assert_ptr_null(pf_params_find(p, n, "c"));
	ck_assert_ptr_null(pf_params_find(NULL, 0, "a"));
	pf_params_free(p, n);
	pf_params_free(NULL, 0);
}
END_TEST

/* pf_plist_add owns what it is given, kept or refused. */
START_TEST(test_plist_add_checks_and_takes_ownership)
{
	static const struct {
		const char	*name;
		size_t		 len;
		int		 rc;
		const char	*why;	/* NULL: not compared */
	} adds[] = {
		{ "a", 1, PF_OK, NULL },
		{ "a", 1, PF_EINVAL, "The form contains the same field more "
		    "than once." },
		{ "", 1, PF_EINVAL, pf_params_msg_name },
		{ "b\t", 1, PF_OK, NULL },
		{ "b\n", 1, PF_EINVAL, pf_params_msg_name },
		{ "c", 17, PF_ETOOBIG, pf_params_msg_fieldlen },
		{ "c", 16, PF_OK, NULL },
		{ "d", 0, PF_OK, NULL },
		{ "e", 0, PF_ETOOBIG, "The form has more fields than this "
		    "page accepts." },
	};
	struct pf_plist	 l = { NULL, 0, 0 };
	const char	*why;
	char		*value;
	size_t		 i, kept = 0;

	for (i = 0; i < nitems(adds); i++) {
		ck_assert_ptr_nonnull(value = calloc(1, adds[i].len + 1));
		why = NULL;
		ck_assert_int_eq(pf_plist_add(&l, strdup(adds[i].name), value,
		    adds[i].len, &lim, &why), adds[i].rc);
		kept += adds[i].rc == PF_OK;
		ck_assert_uint_eq(l.n, kept);
		if (adds[i].why != NULL)
			ck_assert_str_eq(why, adds[i].why);
	}
	pf_plist_free(&l);
	ck_assert_ptr_null(l.p);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

PF_TEST_MAIN("params",
    tcase_add_test(tc, test_params_parse_reports_why),
    tcase_add_test(tc, test_params_null_limits_are_the_built_in_ones),
    tcase_add_test(tc, test_params_find_and_free),
    tcase_add_test(tc, test_plist_add_checks_and_takes_ownership))
