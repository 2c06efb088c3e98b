/*
 * busy.h -- how a writer waits for SQLite's lock.
 *
 * SQLite's own busy handler (sqlite3_busy_timeout) sleeps 1, 2, 5, 10 ... up
 * to 100 ms between tries, so a writer that finds the database locked waits
 * at least a millisecond, then longer and longer, although the transaction
 * it waits for holds the lock for a fraction of a millisecond.  Under load
 * that turns into long tails and idle workers.  pf_busy_wait polls instead:
 * 20 microseconds, doubling up to 1 ms, until the timeout has passed since
 * the first try; then SQLite answers SQLITE_BUSY as usual.
 *
 * Install it with sqlite3_busy_handler(db, pf_busy_wait, &busy), where busy
 * lives as long as the connection.  The store does; so does the benchmark's
 * reference responder, so that both wait for the lock the same way.
 *
 * A deadline (until) bounds every wait together: a submission meets the
 * lock at the open, at BEGIN IMMEDIATE and at COMMIT, and each would
 * otherwise get the whole timeout again.  With until in the past the
 * handler never waits: one try, then SQLITE_BUSY.
 */
#ifndef PF_BUSY_H
#define PF_BUSY_H

#include <time.h>

struct pf_busy {
	long		 timeout_ms;	/* give up after this long */
	struct timespec	 since;		/* first try of the current wait */
	struct timespec	 until;		/* and at this time; {0, 0}: no deadline */
};

/* A sqlite3_busy_handler callback: 1 to try again, 0 to give up. */
int pf_busy_wait(void *busy, int tries);

/* ms milliseconds from now, as until (CLOCK_MONOTONIC); ms <= 0 is now. */
void pf_busy_deadline(long ms, struct timespec *until);

#endif
