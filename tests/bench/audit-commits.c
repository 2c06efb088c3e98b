/*
 * audit-commits -- how many transactions that each append one audit record
 * (pf_txn: BEGIN, the record, COMMIT, the seal where the engine seals, the
 * file) WORKERS processes commit per second together, each on its own
 * connection, as many web workers do.  Prints commits per second.  A
 * measurement, not a test: issue 21's figure for the audit chain on
 * PostgreSQL (the lock held to the COMMIT, or records sealed after it).
 *
 *	audit-commits DATABASE AUDIT_DIR WORKERS N
 *
 * DATABASE is an SQLite file or a PostgreSQL connection string (store.h),
 * migrated at the first open; each worker commits N transactions.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "store.h"
#include "txn.h"

/* One worker: n transactions of one record each; 0 when all committed. */
static int
worker(const char *db, const char *dir, int n)
{
	struct pf_store_opts	 o = { db, NULL, 60000 };
	struct pf_store		*st = NULL;
	struct pf_txn		 t;
	int			 i, err;

	if ((err = pf_store_open(&o, &st)) != PF_OK)
		return 1;
	for (i = 0; i < n && err == PF_OK; i++) {
		if ((err = pf_txn_begin(&t, st, dir, "admin")) != PF_OK)
			break;
		if ((err = pf_txn_audit(&t, NULL, "audit-key-rotated", NULL,
		    NULL)) == PF_OK)
			err = pf_txn_commit(&t);
		else
			pf_txn_rollback(&t);
	}
	if (err != PF_OK)
		fprintf(stderr, "audit-commits: %s\n", pf_strerror(err));
	pf_store_close(st);
	return err == PF_OK ? 0 : 1;
}

/* Open once so that the workers find the schema made. */
static int
prepare(const char *db)
{
	struct pf_store_opts	 o = { db, NULL, 60000 };
	struct pf_store		*st = NULL;

	if (pf_store_open(&o, &st) != PF_OK)
		return 1;
	pf_store_close(st);
	return 0;
}

int
main(int argc, char **argv)
{
	struct timespec	 t0, t1;
	int		 w, n, i, status, failed = 0;
	double		 secs;

	if (argc != 5 || (w = atoi(argv[3])) < 1 || (n = atoi(argv[4])) < 1) {
		fprintf(stderr, "usage: audit-commits DATABASE AUDIT_DIR "
		    "WORKERS N\n");
		return 2;
	}
	if (prepare(argv[1]) != 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < w; i++) {
		pid_t	 pid = fork();

		if (pid == -1)
			return 1;
		if (pid == 0)
			_exit(worker(argv[1], argv[2], n));
	}
	for (i = 0; i < w; i++)
		if (wait(&status) == -1 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed = 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.1f\n", (double)w * n / secs);
	return failed;
}
