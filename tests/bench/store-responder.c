/*
 * store-responder -- the least work any handler that stores a submission can
 * do: libfcgi and SQLite, the `email` field of the body inserted as one row
 * in its own transaction, with the journal mode, synchronous setting, busy
 * timeout and busy handler that privforms's store uses (read from the same
 * privforms.conf), then 303.  No validation, no audit, no mail.  Each form's
 * throughput as a ratio of this one's is the cost of what privforms adds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>
#include <sqlite3.h>

#include "busy.h"
#include "config.h"

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

/* The value of email= in body (not decoded: the benchmark sends plain text). */
static const char *
email_of(char *body)
{
	char	*p = strstr(body, "email="), *end;

	if (p == NULL)
		return NULL;
	p += 6;
	if ((end = strchr(p, '&')) != NULL)
		*end = '\0';
	return p;
}

static int
store(sqlite3 *db, sqlite3_stmt *ins, const char *email)
{
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
	FCGX_Request		 r;
	sqlite3			*db;
	sqlite3_stmt		*ins;
	char			 body[16384], err[256];
	const char		*email;
	int			 n;

	if (pf_config_load(pf_config_default_path(), &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "store-responder: %s\n", err);
		return 1;
	}
	if ((db = open_db(cfg)) == NULL || sqlite3_prepare_v2(db,
	    "INSERT INTO bench_store (email) VALUES (?)", -1, &ins, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "store-responder: cannot open the database\n");
		return 1;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		n = FCGX_GetStr(body, sizeof(body) - 1, r.in);
		body[n > 0 ? n : 0] = '\0';
		if ((email = email_of(body)) != NULL && store(db, ins, email))
			FCGX_PutS("Status: 303 See Other\r\nLocation: /bench/done\r\n"
			    "Content-Type: text/plain\r\n\r\nSee Other\n", r.out);
		else
			FCGX_PutS("Status: 503 Service Unavailable\r\n"
			    "Content-Type: text/plain\r\n\r\ntry again\n", r.out);
		FCGX_Finish_r(&r);
	}
	sqlite3_finalize(ins);
	sqlite3_close(db);
	pf_config_free(cfg);
	return 0;
}
