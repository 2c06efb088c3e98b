/*
 * commit-rate -- the physical limit of a durable submission on this disk:
 * one process, one SQLite connection, N single-row transactions with the
 * given journal mode and synchronous=FULL.  Prints commits per second.
 *
 *	commit-rate DATABASE JOURNAL_MODE [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sqlite3.h>

int
main(int argc, char **argv)
{
	struct timespec	 t0, t1;
	sqlite3		*db;
	sqlite3_stmt	*ins;
	char		 sql[256];
	int		 i, n = argc > 3 ? atoi(argv[3]) : 500;
	double		 secs;

	if (argc < 3 || n < 1) {
		fprintf(stderr, "usage: commit-rate DATABASE JOURNAL_MODE [N]\n");
		return 2;
	}
	snprintf(sql, sizeof(sql), "PRAGMA journal_mode=%s; PRAGMA synchronous=FULL;"
	    "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)", argv[2]);
	if (sqlite3_open(argv[1], &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t (v) VALUES ('x@example.com')",
	    -1, &ins, NULL) != SQLITE_OK) {
		fprintf(stderr, "commit-rate: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_step(ins) != SQLITE_DONE ||
		    sqlite3_reset(ins) != SQLITE_OK ||
		    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			fprintf(stderr, "commit-rate: %s\n", sqlite3_errmsg(db));
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.1f\n", n / secs);
	sqlite3_finalize(ins);
	sqlite3_close(db);
	return 0;
}
