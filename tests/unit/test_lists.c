/*
 * test_lists.c -- the mailing lists table (lists.h): the shipped table
 * loads with the notice versions SHA-256 gives, and each malformed table
 * is refused with its file and line named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "err.h"
#include "fixture.h"
#include "lists.h"
#include "nitems.h"

#define SHIPPED	"etc/mailing-lists.tsv"	/* tests run from the top */

/*
 * The shipped rows; each notice is the first 16 hex digits of SHA-256
 * over the row's five fields joined by NUL, computed outside privforms
 * (Python's hashlib).
 */
static const struct {
	const char	*id, *channel, *notice;
	int		 doi;
} shipped[] = {
	{ "news", "email", "2b97a325a686000f", 1 },
	{ "offers", "email", "483ece744b93724f", 1 },
	{ "events", "email", "2cd2eed35aff1cc2", 0 },
	{ "sms-offers", "sms", "725c2f4197b8250c", 0 },
};

START_TEST(test_shipped_table_loads_in_order_with_versions)
{
	struct pf_lists	 l;
	char		*why = NULL;
	size_t		 i;

	ck_assert_int_eq(pf_lists_load(SHIPPED, &l, &why), PF_OK);
	ck_assert_ptr_null(why);
	ck_assert_uint_eq(l.n, nitems(shipped));
	for (i = 0; i < nitems(shipped); i++) {
		ck_assert_str_eq(l.lists[i].id, shipped[i].id);
		ck_assert_str_eq(l.lists[i].channel, shipped[i].channel);
		ck_assert_str_eq(l.lists[i].notice, shipped[i].notice);
		ck_assert_int_eq(l.lists[i].double_opt_in, shipped[i].doi);
		ck_assert_ptr_eq(pf_lists_find(&l, shipped[i].id), &l.lists[i]);
	}
	ck_assert_str_eq(l.lists[0].name, "Newsletter");
	ck_assert_ptr_null(pf_lists_find(&l, "new"));
	ck_assert_ptr_null(pf_lists_find(&l, ""));
	pf_lists_clear(&l);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

/* Rewording one list gives it a new version and leaves the others'. */
START_TEST(test_notice_is_per_row)
{
	static const char a[] = "a\temail\tno\tA\tText one.\n"
	    "b\temail\tno\tB\tText two.\n";
	static const char b[] = "a\temail\tno\tA\tText one, reworded.\n"
	    "b\temail\tno\tB\tText two.\n";
	struct pf_lists	 x, y;

	ck_assert_int_eq(pf_lists_parse(a, strlen(a), "a", &x, NULL), PF_OK);
	ck_assert_int_eq(pf_lists_parse(b, strlen(b), "b", &y, NULL), PF_OK);
	ck_assert_str_ne(x.lists[0].notice, y.lists[0].notice);
	ck_assert_str_eq(x.lists[1].notice, y.lists[1].notice);
	pf_lists_clear(&x);
	pf_lists_clear(&y);
}
END_TEST

/* Tabs in runs, comments and blank lines are the layout, not fields. */
START_TEST(test_layout_is_free)
{
	static const char t[] = "# comment\n\n  news\t\temail\tyes\t\tNews\t"
	    "Monthly.  \r\n";
	struct pf_lists	 l;

	ck_assert_int_eq(pf_lists_parse(t, strlen(t), "t", &l, NULL), PF_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.lists[0].description, "Monthly.");
	pf_lists_clear(&l);
}
END_TEST

static const struct pf_test_case bad[] = {
	{ "News\temail\tno\tN\tD\n", "t:1: id must be" },
	{ "9news\temail\tno\tN\tD\n", "t:1: id must be" },
	{ "a23456789012345678901234567890123\temail\tno\tN\tD\n",
	    "t:1: id must be" },
	{ "news\temail\tno\tN\tD\nnews\temail\tno\tN\tD\n",
	    "t:2: this id has a row already" },
	{ "news\tpost\tno\tN\tD\n", "t:1: channel must be email or sms" },
	{ "news\temail\tmaybe\tN\tD\n", "t:1: double_opt_in must be" },
	{ "news\temail\tno\tN\n", "t:1: expected 5 tab-separated fields, "
	    "found 4" },
	{ "news\temail\tno\tN\tD\textra\n", "found 6" },
	{ "news\temail\tno\tN\tD\x01\n", "t:1: control character or "
	    "invalid UTF-8" },
	{ "news\temail\tno\tN\t\xff\n", "invalid UTF-8" },
	{ "# only a comment\n", "t: no list" },
	{ "", "t: no list" },
};

START_TEST(test_bad_tables_are_refused_with_the_line)
{
	struct pf_lists	 l;
	char		*why = NULL;

	ck_assert_int_eq(pf_lists_parse(bad[_i].in, strlen(bad[_i].in),
	    "t", &l, &why), PF_EINVAL);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, bad[_i].want) != NULL, "row %d: %s", _i, why);
	ck_assert_uint_eq(l.n, 0);
	free(why);
}
END_TEST

/* The limits: name 64 bytes, description 600, 32 rows. */
START_TEST(test_limits)
{
	char		 t[64 * 100], name[66], desc[602];
	struct pf_lists	 l;
	char		*why = NULL;
	size_t		 i, pos = 0;

	memset(name, 'n', 65);
	name[65] = '\0';
	snprintf(t, sizeof(t), "a\temail\tno\t%s\tD\n", name);
	ck_assert_int_eq(pf_lists_parse(t, strlen(t), "t", &l, &why), PF_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "name must be 1 to 64 bytes"));
	free(why);
	memset(desc, 'd', 601);
	desc[601] = '\0';
	snprintf(t, sizeof(t), "a\temail\tno\t%.64s\t%s\n", name, desc);
	ck_assert_int_eq(pf_lists_parse(t, strlen(t), "t", &l, &why), PF_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "description must be 1 to 600"));
	free(why);
	snprintf(t, sizeof(t), "a\temail\tno\t%.64s\t%.600s\n", name, desc);
	ck_assert_int_eq(pf_lists_parse(t, strlen(t), "t", &l, NULL), PF_OK);
	pf_lists_clear(&l);
	for (i = 0; i <= PF_LISTS_MAX; i++)
		pos += (size_t)snprintf(t + pos, sizeof(t) - pos,
		    "l%zu\tsms\tno\tN\tD\n", i);
	ck_assert_int_eq(pf_lists_parse(t, pos, "t", &l, &why), PF_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "t:33: more than 32 lists"));
	free(why);
	ck_assert_int_eq(pf_lists_parse(t, pos - strlen("l32\tsms\tno\tN\tD\n"),
	    "t", &l, NULL), PF_OK);
	ck_assert_uint_eq(l.n, PF_LISTS_MAX);
	pf_lists_clear(&l);
}
END_TEST

START_TEST(test_missing_file_is_not_found)
{
	struct pf_lists	 l;
	char		 path[PF_TEST_PATH];
	char		*why = NULL;

	pf_test_path(path, sizeof(path), "none.tsv");
	ck_assert_int_eq(pf_lists_load(path, &l, &why), PF_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(why, "none.tsv"));
	free(why);
}
END_TEST

PF_TEST_MAIN("lists",
    pf_test_fixture(tc, PF_TEST_DIR, NULL, NULL, NULL),
    tcase_add_test(tc, test_shipped_table_loads_in_order_with_versions),
    tcase_add_test(tc, test_notice_is_per_row),
    tcase_add_test(tc, test_layout_is_free),
    PF_LOOP(test_bad_tables_are_refused_with_the_line, bad),
    tcase_add_test(tc, test_limits),
    tcase_add_test(tc, test_missing_file_is_not_found))
