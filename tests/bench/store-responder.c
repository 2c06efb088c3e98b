/*
 * store-responder -- the least work any handler that stores a submission can
 * do: libfcgi and SQLite, the `email` field of the body inserted as one row
 * in its own transaction, with the journal mode, synchronous setting, busy
 * timeout and busy handler that privforms's store uses (read from the same
 * privforms.conf), then 303.  No validation, no audit, no mail.  Each form's
 * throughput as a ratio of this one's is the cost of what privforms adds.
 */
#include <stdio.h>

#include <sqlite3.h>

#include "busy.h"
#include "config.h"
#include "responder.h"

static struct pf_busy busy;	/* the store's way of waiting for the lock */

static sqlite3 *
open_db(const struct pf_config *cfg)
{
	sqlite3	*db;
	char	 sql[256];

	if (sqlite3_open(cfg->database, &db) != SQLITE_OK)
		return NULL;
	busy.timeout_ms = cfg->busy_timeout_ms;
	sqlite3_busy_handler(db, pf_busy_wait, &busy);
	snprintf(sql, sizeof(sql), "PRAGMA journal_mode=%s; "
	    "PRAGMA synchronous=FULL; CREATE TABLE IF NOT EXISTS bench_store "
	    "(id INTEGER PRIMARY KEY, email TEXT NOT NULL)", cfg->journal_mode);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static sqlite3_stmt *ins;	/* the INSERT, prepared once */

static int
store(void *ctx, const char *email)
{
	sqlite3	*db = ctx;
	int	 ok;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(ins, 1, email, -1, SQLITE_STATIC);
	ok = sqlite3_step(ins) == SQLITE_DONE;
	sqlite3_reset(ins);
	if (ok && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 1;
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return 0;
}

int
main(void)
{
	struct pf_config	*cfg;
	sqlite3			*db;
	int			 rc;

	if ((cfg = responder_config("store-responder")) == NULL)
		return 1;
	if ((db = open_db(cfg)) == NULL || sqlite3_prepare_v2(db,
	    "INSERT INTO bench_store (email) VALUES (?)", -1, &ins, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "store-responder: cannot open the database\n");
		return 1;
	}
	rc = responder_serve(store, db);
	sqlite3_finalize(ins);
	sqlite3_close(db);
	pf_config_free(cfg);
	return rc;
}
