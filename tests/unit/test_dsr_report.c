/*
 * test_dsr_report.c -- the yearly metrics of data subject requests
 * (dsr_report.h) on hand-computed sets of answers.
 */
#include <string.h>

#include "check_main.h"
#include "dsr.h"
#include "dsr_report.h"
#include "err.h"
#include "nitems.h"

/* The tally of type in r. */
static struct pf_dsr_tally *
tally(struct pf_dsr_report *r, const char *type)
{
	size_t	 i;

	for (i = 0; i < PF_DSR_NTYPES; i++)
		if (strcmp(r->t[i].type, type) == 0)
			return &r->t[i];
	ck_abort_msg("no type %s", type);
	return NULL;
}

static void
add(struct pf_dsr_report *r, const char *type, const char *status,
    const char *reason, long long days)
{
	struct pf_dsr_answer	 a = { type, status, reason, days };

	ck_assert_int_eq(pf_dsr_report_add(&a, r), PF_OK);
}

/* Every type of dsr.h, in its order, and nothing counted yet. */
START_TEST(test_init_names_every_type)
{
	struct pf_dsr_report	 r;
	char			 mean[24], median[24];
	size_t			 i;

	pf_dsr_report_init(&r);
	for (i = 0; pf_dsr_types[2 * i] != NULL; i++) {
		ck_assert_uint_lt(i, PF_DSR_NTYPES);
		ck_assert_str_eq(r.t[i].type, pf_dsr_types[2 * i]);
		pf_dsr_report_days(&r.t[i], mean, median);
		ck_assert_str_eq(mean, "");
		ck_assert_str_eq(median, "");
	}
	ck_assert_uint_eq(i, PF_DSR_NTYPES);
	pf_dsr_report_free(&r);
}
END_TEST

/*
 * access: fulfilled in 10 and 5 days, denied (identity) in 2, one open:
 * received 4, complied 2, denied 1, open 1, mean 17/3 = 5.7, median 5.
 * deletion: denied in 30 and 1 days (legal obligation), one before
 * reasons were codes in 4: mean 35/3 = 11.7, median 4.
 */
START_TEST(test_counts_and_days_by_hand)
{
	struct pf_dsr_report	 r;
	struct pf_dsr_tally	*t;
	char			 mean[24], median[24];

	pf_dsr_report_init(&r);
	add(&r, "access", "fulfilled", NULL, 10);
	add(&r, "access", "denied", "identity-not-verified", 2);
	add(&r, "access", "verified", NULL, -1);
	add(&r, "access", "fulfilled", NULL, 5);
	add(&r, "deletion", "denied", "exempt-legal-obligation", 30);
	add(&r, "deletion", "denied", "exempt-legal-obligation", 1);
	add(&r, "deletion", "denied", NULL, 4);
	t = tally(&r, "access");
	ck_assert_int_eq(t->received, 4);
	ck_assert_int_eq(t->complied, 2);
	ck_assert_int_eq(t->denied, 1);
	ck_assert_int_eq(t->open, 1);
	ck_assert_int_eq(t->by_reason[0], 1);
	ck_assert_str_eq(pf_dsr_report_reason(0), "identity-not-verified");
	pf_dsr_report_days(t, mean, median);
	ck_assert_str_eq(mean, "5.7");
	ck_assert_str_eq(median, "5.0");
	t = tally(&r, "deletion");
	ck_assert_int_eq(t->denied, 3);
	ck_assert_int_eq(t->by_reason[5], 2);
	ck_assert_str_eq(pf_dsr_report_reason(5), "exempt-legal-obligation");
	ck_assert_int_eq(t->by_reason[PF_DSR_NREASONS - 1], 1);
	ck_assert_str_eq(pf_dsr_report_reason(PF_DSR_NREASONS - 1),
	    "unrecorded");
	pf_dsr_report_days(t, mean, median);
	ck_assert_str_eq(mean, "11.7");
	ck_assert_str_eq(median, "4.0");
	pf_dsr_report_free(&r);
}
END_TEST

/* An even count: the median is the mean of the middle two. */
START_TEST(test_median_of_an_even_count)
{
	static const long long days[] = { 45, 0, 7, 8 };
	struct pf_dsr_report	 r;
	char			 mean[24], median[24];
	size_t			 i;

	pf_dsr_report_init(&r);
	for (i = 0; i < nitems(days); i++)
		add(&r, "portability", "fulfilled", NULL, days[i]);
	pf_dsr_report_days(tally(&r, "portability"), mean, median);
	ck_assert_str_eq(mean, "15.0");
	ck_assert_str_eq(median, "7.5");
	pf_dsr_report_free(&r);
}
END_TEST

/* A type the table does not have is refused, counting nothing. */
START_TEST(test_unknown_type_is_refused)
{
	struct pf_dsr_report	 r;
	struct pf_dsr_answer	 a = { "gossip", "fulfilled", NULL, 3 };
	size_t			 i;

	pf_dsr_report_init(&r);
	ck_assert_int_eq(pf_dsr_report_add(&a, &r), PF_EINVAL);
	for (i = 0; i < PF_DSR_NTYPES; i++)
		ck_assert_int_eq(r.t[i].received, 0);
	pf_dsr_report_free(&r);
}
END_TEST

PF_TEST_MAIN("dsr_report",
    tcase_add_test(tc, test_init_names_every_type),
    tcase_add_test(tc, test_counts_and_days_by_hand),
    tcase_add_test(tc, test_median_of_an_even_count),
    tcase_add_test(tc, test_unknown_type_is_refused))
