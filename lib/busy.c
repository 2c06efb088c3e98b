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
	long long	 waited_ms;
	int		 i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (tries == 0)
		b->since = now;
	waited_ms = (long long)(now.tv_sec - b->since.tv_sec) * 1000 +
	    (now.tv_nsec - b->since.tv_nsec) / 1000000;
	if (waited_ms >= b->timeout_ms)
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
