/* busy.c -- polling for SQLite's lock (busy.h). */
#include <time.h>

#include "busy.h"

#define FIRST_NS	20000L		/* 20 us */
#define LONGEST_NS	1000000L	/* 1 ms */

int
pf_busy_wait(void *arg, int tries)
{
	struct pf_busy	*b = arg;
	struct timespec	 now, nap;
	long		 ns = FIRST_NS;
	long long	 waited_ns;
	int		 i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (tries == 0)
		b->since = now;
	/* In nanoseconds: per-field millisecond rounding could stop early. */
	waited_ns = (long long)(now.tv_sec - b->since.tv_sec) * 1000000000LL +
	    (now.tv_nsec - b->since.tv_nsec);
	if (waited_ns >= (long long)b->timeout_ms * 1000000LL)
		return 0;
	if ((b->until.tv_sec != 0 || b->until.tv_nsec != 0) &&
	    (now.tv_sec > b->until.tv_sec || (now.tv_sec == b->until.tv_sec &&
	    now.tv_nsec >= b->until.tv_nsec)))
		return 0;
	for (i = 0; i < tries && ns < LONGEST_NS; i++)
		ns *= 2;
	if (ns > LONGEST_NS)
		ns = LONGEST_NS;
	nap.tv_sec = 0;
	nap.tv_nsec = ns;
	nanosleep(&nap, NULL);
	return 1;
}

void
pf_busy_deadline(long ms, struct timespec *until)
{
	clock_gettime(CLOCK_MONOTONIC, until);
	if (ms <= 0)
		return;
	until->tv_sec += ms / 1000;
	until->tv_nsec += (ms % 1000) * 1000000L;
	if (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
}
