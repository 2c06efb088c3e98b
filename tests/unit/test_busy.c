/*
 * test_busy.c -- waiting for SQLite's lock by polling (busy.h).  Only what
 * the handler promises is tested (it gives up after the timeout, and a new
 * wait starts a new clock); how fast it polls is for make bench to show.
 */
#include <time.h>

#include "check_main.h"
#include "busy.h"

static double
elapsed_ms(const struct timespec *a)
{
	struct timespec	 b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e3 +
	    (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

/*
 * It polls (naps of at most 1 ms) until the timeout, then gives up.  The
 * timeout is long enough that a loaded machine's scheduler, which may
 * hold a 20 us nap for tens of milliseconds, still leaves it several.
 */
START_TEST(test_gives_up_after_the_timeout_not_before)
{
	struct pf_busy	 b = { 300, { 0, 0 }, { 0, 0 } };
	struct timespec	 start;
	int		 tries = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (pf_busy_wait(&b, tries))
		tries++;
	ck_assert_double_ge(elapsed_ms(&start), 300.0);
	ck_assert_int_gt(tries, 1);
}
END_TEST

START_TEST(test_a_new_wait_starts_its_own_clock)
{
	struct pf_busy	 b = { 20, { 0, 0 }, { 0, 0 } };
	int		 tries = 0;

	while (pf_busy_wait(&b, tries))
		tries++;
	/* tries == 0 begins a new wait: it must not inherit the old one's time. */
	ck_assert_int_eq(pf_busy_wait(&b, 0), 1);
}
END_TEST

/* A deadline ends the wait before the timeout, and one past ends it at once. */
START_TEST(test_a_deadline_ends_the_wait_before_the_timeout)
{
	struct pf_busy	 b = { 60000, { 0, 0 }, { 0, 0 } };
	struct timespec	 start;
	int		 tries = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	pf_busy_deadline(30, &b.until);
	while (pf_busy_wait(&b, tries))
		tries++;
	ck_assert_double_ge(elapsed_ms(&start), 30.0);
	ck_assert_double_lt(elapsed_ms(&start), 30000.0);
	/* A new wait keeps the deadline, which has passed: no try again. */
	ck_assert_int_eq(pf_busy_wait(&b, 0), 0);
	pf_busy_deadline(0, &b.until);
	ck_assert_int_eq(pf_busy_wait(&b, 0), 0);
}
END_TEST

PF_TEST_MAIN("busy",
    tcase_add_test(tc, test_gives_up_after_the_timeout_not_before),
    tcase_add_test(tc, test_a_new_wait_starts_its_own_clock),
    tcase_add_test(tc, test_a_deadline_ends_the_wait_before_the_timeout))
