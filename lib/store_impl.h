/*
 * store_impl.h -- the connection and statement helpers that lib/store.c
 * shares with lib/store_requests.c, lib/store_feedback.c,
 * lib/store_guard.c and lib/store_metrics.c.
 *
 * PRIVATE to lib/store*.c: nothing else includes this file.  Everyone else
 * goes through store.h, which keeps SQL (and sqlite3.h) out of the rest of
 * the code.
 *
 * Each file owns one table of SQL text, indexed by its enum below; the
 * connection keeps one slot per statement, prepared on first use and
 * finalized by pf_store_close.  The enums live here only because struct
 * pf_store needs their sizes.
 */
#ifndef PF_STORE_IMPL_H
#define PF_STORE_IMPL_H

#include <sqlite3.h>

#include "busy.h"
#include "store.h"

/* store.c's statements (its stmts[]). */
enum stmt {
	STMT_BEGIN,
	STMT_BEGIN_READ,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_USER_VERSION,
	STMT_SYNCHRONOUS,
	STMT_OPTOUT_PUT,
	STMT_OPTOUT_EACH,
	STMT_OPTOUT_COUNT,
	STMT_DNC_PUT,
	STMT_DNC_GET,
	STMT_DNC_EACH,
	STMT_DNC_STALE,
	STMT_DNC_REMOVE,
	STMT_DNC_COUNT,
	STMT_AUDIT_LAST,
	STMT_AUDIT_PUT,
	STMT_AUDIT_GET,
	STMT_AUDIT_EACH,
	STMT_OUTBOX_PUT,
	STMT_OUTBOX_CLAIM,
	STMT_OUTBOX_SENT,
	STMT_OUTBOX_DEFER,
	STMT_OUTBOX_FAILED,
	STMT_OUTBOX_REQUEUE,
	STMT_OUTBOX_COUNTS,
	STMT_OUTBOX_GET,
	STMT_OUTBOX_REQUEUE_ALL,
	STMT_OUTBOX_WAITING,
	STMT_OUTBOX_FAILED_EACH,
	STMT__MAX
};

/* store_requests.c's statements (its rstmts[]). */
enum rstmt {
	RSTMT_SAVEPOINT,
	RSTMT_RELEASE,
	RSTMT_ROLLBACK_TO,
	RSTMT_DSR_PUT,
	RSTMT_DSR_RECENT,
	RSTMT_DSR_GET,
	RSTMT_DSR_EACH,
	RSTMT_DSR_OF_INDIVIDUAL,
	RSTMT_DSR_EXPIRED,
	RSTMT_DSR_SET_STATUS,
	RSTMT_DSR_REVISE,
	RSTMT_DSR_VERIFY,
	RSTMT_DSR_EXTEND,
	RSTMT_DSR_DELETE,
	RSTMT_DSR_ERASE,
	RSTMT_EVENT_ERASE,
	RSTMT_EVENT_PUT,
	RSTMT_EVENT_EACH,
	RSTMT_PARTY_ENSURE,
	RSTMT_PARTY_GET,
	RSTMT_PARTY_LINK,
	RSTMT_PARTY_EACH,
	RSTMT_PARTY_ERASE,
	RSTMT_OPTOUT_OF,
	RSTMT_OPTOUT_REMOVE,
	RSTMT_DNC_OF_EMAIL,
	RSTMT_OUTBOX_FORGET,
	RSTMT_OUTBOX_FORGET_SUBJECT,
	RSTMT_SUPPRESS_PUT,
	RSTMT_SUPPRESSED,
	RSTMT_SUPPRESS_COUNT,
	RSTMT__MAX
};

/* store_feedback.c's statements (its fstmts[]). */
enum fstmt {
	FSTMT_PUT,
	FSTMT_REVISE,
	FSTMT_COMPLETE,
	FSTMT_FORWARDED,
	FSTMT_GET,
	FSTMT_EACH,
	FSTMT_TALLY,
	FSTMT_OF_EMAIL,
	FSTMT_ERASE,
	FSTMT_VOTE_FIND,
	FSTMT_VOTE_UPDATE,
	FSTMT_VOTE_INSERT,
	FSTMT_VOTE_EACH,
	FSTMT_VOTE_TALLY,
	FSTMT_VOTE_FORGET,
	FSTMT__MAX
};

/* store_metrics.c's statements (its mstmts[]). */
enum mstmt {
	MSTMT_AUDIT_TALLY,
	MSTMT_TRAP_TALLY,
	MSTMT_OUTBOX_TALLY,
	MSTMT_OUTBOX_OLDEST,
	MSTMT_DSR_TALLY,
	MSTMT_DSR_DUE,
	MSTMT__MAX
};

/* store_guard.c's statements (its gstmts[]). */
enum gstmt {
	GSTMT_POW_SPEND,
	GSTMT_POW_FORGET,
	GSTMT_RATE_NTH,
	GSTMT_RATE_HIT,
	GSTMT_RATE_FORGET_KEY,
	GSTMT_RATE_FORGET,
	GSTMT_TRAP_COUNT,
	GSTMT_TRAP_WALK,
	GSTMT__MAX
};

/* The columns of a dnc SELECT, in the order store.c's dnc_row reads them. */
#define DNC_COLS "number, country, first_name, last_name, company, " \
	"email, created, updated"

/* The columns pf_store_optout_row reads, in its order. */
#define OPTOUT_COLS "channel, address, list, reason, source, created, updated"

struct journal;

struct pf_store {
	sqlite3			*db;
	sqlite3_stmt		*stmts[STMT__MAX];
	sqlite3_stmt		*rstmts[RSTMT__MAX];
	sqlite3_stmt		*fstmts[FSTMT__MAX];
	sqlite3_stmt		*gstmts[GSTMT__MAX];
	sqlite3_stmt		*mstmts[MSTMT__MAX];
	const struct journal	*journal;	/* the mode in force */
	struct pf_busy		 busy;	/* how a writer waits for the lock */
};

/*
 * Map an SQLite result code to ours (PF_EBUSY or PF_ESTORE) and log it
 * with what; the log carries sqlite3_errmsg, never a bound value.
 */
int	pf_store_err(sqlite3 *db, int rc, const char *what);

/*
 * The statement of SQL text sql cached in *slot, ready to bind: prepared on
 * first use.  PF_ESTORE if it is already being stepped (a callback of an
 * _each function called back into the same query).
 */
int	pf_store_stmt(struct pf_store *st, sqlite3_stmt **slot, const char *sql,
	    sqlite3_stmt **out);

/* Every use of a statement ends here, whatever happened; accepts NULL. */
void	pf_store_stmt_done(sqlite3_stmt *s);

/*
 * Step a bound statement that changes rows: PF_ENOTFOUND when it changed
 * none (no such row, or not in the state the statement requires).
 */
int	pf_store_stmt_change(struct pf_store *st, sqlite3_stmt *s,
	    const char *what);

/* The one number a "SELECT count(*)" statement sql (cached in *slot) gives. */
int	pf_store_count(struct pf_store *st, sqlite3_stmt **slot,
	    const char *sql, const char *what, long long *n);

/* now, or the current time in buf when now is NULL. */
const char *pf_store_now_or(const char *now, char buf[32]);

/* Bind n texts (each may be NULL) to s from parameter 1 on: an SQLite code. */
int	pf_store_bind_texts(sqlite3_stmt *s, const char *const *v, int n);

/*
 * Run statement sql (cached in *slot; text values v[0..nv) bound from ?1)
 * that changes rows, and put the number it changed in *n if n is not NULL.
 */
int	pf_store_changes(struct pf_store *st, sqlite3_stmt **slot,
	    const char *sql, const char *const *v, int nv, const char *what,
	    long long *n);

/*
 * Step the bound SELECT s to its one row: PF_OK with s on that row,
 * PF_ENOTFOUND when there is none, or the mapped error.
 */
int	pf_store_step_one(struct pf_store *st, sqlite3_stmt *s,
	    const char *what);

/* Read the current row of a SELECT of OPTOUT_COLS. */
void	pf_store_optout_row(sqlite3_stmt *s, struct pf_optout *o);

/*
 * Step the bound SELECT of DNC_COLS s to its end, calling fn with each
 * row: fn's first non-zero value, PF_OK, or the mapped error.
 */
int	pf_store_dnc_walk(struct pf_store *st, sqlite3_stmt *s,
	    const char *what, int (*fn)(const struct pf_dnc *d, void *arg),
	    void *arg);

#endif
