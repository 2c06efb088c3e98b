/*
 * store_sql.h -- how lib/store*.c run their statements.
 *
 * PRIVATE to lib/store*.c: everyone else goes through store.h.  Nothing
 * here names an engine: lib/store_sqlite.c and lib/store_pg.c implement it
 * (each holding every piece of SQL that is its engine's own), and
 * lib/store_ops.c sends each call to the connection's (store_impl.h), so
 * the query files' SQL is written once and must be valid in both.
 *
 * Each query file owns one table of statements, indexed by its own enum and
 * written with designated initializers:
 *
 *	enum { VOTE_FORGET, NSTMT };
 *	static const struct pf_sql sql[NSTMT] = {
 *		[VOTE_FORGET] = { "vote forget", "UPDATE ... WHERE x < ?1" },
 *	};
 *	static const struct pf_sql_set set = { PF_SQL_FEEDBACK, NSTMT, sql };
 *	#define Q(id)	PF_SQL_REF(&set, id)
 *
 * and a query is one call:
 *
 *	return pf_sql_exec(st, Q(VOTE_FORGET), PF_ARGS(PF_T(before)), n);
 *
 * A statement is prepared the first time a connection runs it and kept
 * until pf_store_close.  Values are only ever bound, never logged: a log
 * line names the statement (its what) and the engine's message.
 *
 * Concurrency: a write transaction is BEGIN IMMEDIATE on SQLite, which
 * runs one writer at a time, but READ COMMITTED on PostgreSQL, where
 * workers on several nodes write at once and each statement sees what
 * was committed when it started.  So a value read and then written on
 * must not be two statements that another transaction can come between:
 *
 *  - a change that depends on a row's state says the state in its WHERE
 *    (UPDATE ... WHERE id = ?1 AND status = 'unverified'), and its change
 *    count (pf_sql_change's PF_ENOTFOUND) tells the loser: PostgreSQL
 *    re-reads a row another transaction changed before updating it;
 *  - what must exist once is a key or UNIQUE, written with INSERT ... ON
 *    CONFLICT (a spent challenge, a party, a counter's row); a counter is
 *    incremented in the upsert itself (n = table.n + 1), never read and
 *    written back;
 *  - a purge deletes a row it listed only if it still qualifies (the
 *    condition in the DELETE's WHERE), so that a row renewed in between
 *    stays; a change made of several statements on one row's data first
 *    locks that row with a conditional UPDATE (the retention's claim),
 *    and skips it when the condition no longer holds;
 *  - rows written after a change of one row of their own in the same
 *    savepoint (a request's events, numbered max(seq) + 1) are serialised
 *    by that row's lock;
 *  - a decision read from rows that no constraint can keep unique (a
 *    rate limit's hits, a vote's window, a repeated request, a device's
 *    last consent) takes the key's lock first (store.h's pf_store_lock),
 *    then reads: the second of two transactions on one key waits, then
 *    reads what the first committed.  Key locks are taken in this order:
 *    the device's ("consent"), the guard's rate keys, the one key of what
 *    the form decides ("request", "vote", a person's "subscription"); and
 *    before the first audit record (the audit chain's lock is held to
 *    the commit).  The one
 *    exception, a quota on a second address counted after the records
 *    (an agent's, a person's), can meet another transaction's key in the
 *    opposite order: PostgreSQL then ends one of the two (a deadlock:
 *    PF_EBUSY, the visitor tries again), never both waiting for good.
 *
 * Every function answers PF_OK or an error code (err.h): PF_EBUSY for a
 * condition that passes (a lock, a full disk, a file that cannot be
 * opened), PF_ESTORE for anything else, PF_ENOMEM; and, where said,
 * PF_ENOTFOUND or the first non-zero value of a row callback.
 */
#ifndef PF_STORE_SQL_H
#define PF_STORE_SQL_H

#include <stddef.h>

#include "store.h"
#include "utc.h"

/* The query files; each owns one part of a connection's statement cache. */
enum pf_sql_part {
	PF_SQL_DIALECT,		/* store_sqlite.c, store_pg.c: the engine's own */
	PF_SQL_CORE,		/* store.c */
	PF_SQL_REQUESTS,	/* store_requests.c */
	PF_SQL_FEEDBACK,	/* store_feedback.c */
	PF_SQL_GUARD,		/* store_guard.c */
	PF_SQL_METRICS,		/* store_metrics.c */
	PF_SQL_CONSENT,		/* store_consent.c */
	PF_SQL_RETENTION,	/* store_retention.c */
	PF_SQL_AGENTS,		/* store_agents.c */
	PF_SQL_SALE,		/* store_sale.c */
	PF_SQL_SUBS,		/* store_subscriptions.c */
	PF_SQL_SEAL,		/* store_seal.c: PostgreSQL only */
	PF_SQL_COPY,		/* store_copy.c: made from the schema */
	PF_SQL__PARTS
};

/*
 * One statement: what it does (for the log) and its text.  ahead: 1 when
 * PostgreSQL may send it ahead, inside a transaction, if the caller wants
 * nothing back (no count, id or row): it then travels with the
 * transaction's next statement, or its COMMIT, in one round trip, and its
 * failure is that statement's error (the transaction is aborted either
 * way).  For a write whose outcome decides nothing before the COMMIT, and
 * a lock taken before the read it guards.
 */
struct pf_sql {
	const char	*what;
	const char	*text;
	int		 ahead;
};

/* A query file's table of n statements. */
struct pf_sql_set {
	enum pf_sql_part	 part;
	size_t			 n;
	const struct pf_sql	*sql;
};

/* Statement id of set. */
struct pf_sql_ref {
	const struct pf_sql_set	*set;
	int			 id;
};

#define PF_SQL_REF(set, id)	((struct pf_sql_ref){ (set), (id) })

/* One value bound to a statement's parameter. */
enum pf_sql_type {
	PF_SQL_TEXT,		/* text; a NULL text is SQL NULL */
	PF_SQL_INT,		/* a 64-bit integer */
	PF_SQL_NULL,
	PF_SQL_BLOB		/* len bytes at blob */
};

struct pf_sql_val {
	enum pf_sql_type	 type;
	const char		*text;
	long long		 i;
	const void		*blob;
	size_t			 len;
};

#define PF_T(s)		{ .type = PF_SQL_TEXT, .text = (s) }
/*
 * A time: t, or the current time when t is NULL (utc.h's pf_utc_now_or),
 * written into a buffer that lives to the end of the enclosing block, so
 * through the run of the statement that binds it.
 */
#define PF_NOW(t)	PF_T(pf_utc_now_or((t), (char [PF_TIME_SIZE]){ 0 }))
#define PF_I(n)		{ .type = PF_SQL_INT, .i = (n) }
#define PF_SQLNULL		{ .type = PF_SQL_NULL }
#define PF_BLOB(p, n)	{ .type = PF_SQL_BLOB, .blob = (p), .len = (n) }

/* The values of one run, bound as ?1, ?2, ... in order. */
struct pf_sql_args {
	const struct pf_sql_val	*v;
	int			 n;
};

#define PF_ARGS(...)	((struct pf_sql_args){				\
	(const struct pf_sql_val[]){ __VA_ARGS__ },			\
	(int)(sizeof((const struct pf_sql_val[]){ __VA_ARGS__ }) /	\
	    sizeof(struct pf_sql_val)) })
#define PF_NOARGS	((struct pf_sql_args){ NULL, 0 })

/*
 * The current row of a statement, handed to a row callback.  It and every
 * string or blob read from it live only until the callback returns.
 */
struct pf_row;

typedef int	pf_row_fn(const struct pf_row *row, void *ctx);

/* Column col of row: text (NULL for NULL), integer (0 for NULL). */
const char	*pf_row_text(const struct pf_row *row, int col);
long long	 pf_row_int(const struct pf_row *row, int col);
int		 pf_row_null(const struct pf_row *row, int col);
const void	*pf_row_blob(const struct pf_row *row, int col, size_t *len);

/*
 * A query file's own callback, of the type its store.h function declares,
 * and that callback's argument: the ctx its row reader gets, which calls
 * fn back as that type (PF_WALK_CALL).  A function pointer survives the
 * trip through void (*)(void).
 */
struct pf_sql_walk {
	void	(*fn)(void);
	void	*arg;
};

#define PF_WALK(fn, arg)	\
	(&(struct pf_sql_walk){ (void (*)(void))(fn), (arg) })
#define PF_WALK_CALL(type, w, ...)	\
	(((type *)(w)->fn)(__VA_ARGS__, (w)->arg))

/* In a row reader whose row is r: column i as text, and as an integer. */
#define COL_T(i)	pf_row_text(r, (i))
#define COL_I(i)	pf_row_int(r, (i))

/* A row callback: column 0 as an integer into *(long long *)ctx. */
int	pf_row_int0(const struct pf_row *row, void *ctx);

/* A row callback that reads nothing: pf_sql_one's PF_OK says a row came. */
int	pf_row_any(const struct pf_row *row, void *ctx);

/*
 * Run q, which returns no rows; *changed (may be NULL) is the number of
 * rows it inserted, updated or deleted.
 */
int	pf_sql_exec(struct pf_store *st, struct pf_sql_ref q,
	    struct pf_sql_args a, long long *changed);

/*
 * Run q, which changes rows: PF_ENOTFOUND when it changed none (no such
 * row, or not in the state its WHERE requires).
 */
int	pf_sql_change(struct pf_store *st, struct pf_sql_ref q,
	    struct pf_sql_args a);

/* Run the INSERT q; *id (may be NULL) is the new row's id. */
int	pf_sql_insert(struct pf_store *st, struct pf_sql_ref q,
	    struct pf_sql_args a, long long *id);

/*
 * pf_sql_insert of a statement that may go ahead (pf_sql.ahead) whose id
 * the caller needs only once the transaction has committed: PostgreSQL
 * sends it ahead and sets *id when the transaction's next statement that
 * is waited for (one whose answer is read: not one sent ahead itself), or
 * its RELEASE or COMMIT, returns PF_OK, so *id must stay where it is
 * until then (a rollback sets nothing);
 * -1 if its answer never came (a COMMIT whose connection was lost, which
 * the server then said had committed: the row exists, its id unknown).
 * SQLite sets it at once.  Outside a transaction, as pf_sql_insert.
 */
int	pf_sql_insert_ahead(struct pf_store *st, struct pf_sql_ref q,
	    struct pf_sql_args a, long long *id);

/*
 * pf_sql_exec of a statement that may go ahead whose count the caller
 * reads only after the transaction's next statement that is waited for:
 * *changed is set as pf_sql_insert_ahead sets its *id.
 */
int	pf_sql_exec_ahead(struct pf_store *st, struct pf_sql_ref q,
	    struct pf_sql_args a, long long *changed);

/*
 * Run q and call fn with each row it returns, in order: fn's first
 * non-zero value (which stops the walk), or PF_OK.
 */
int	pf_sql_each(struct pf_store *st, struct pf_sql_ref q,
	    struct pf_sql_args a, pf_row_fn *fn, void *ctx);

/*
 * A purge's listing: run q (?1 before, ?2 limit, the most rows it lists)
 * and call fn with each row, as pf_sql_each.  PF_EINVAL for a negative
 * limit, which SQLite would read as none: a purge of everything.
 */
int	pf_sql_stale(struct pf_store *st, struct pf_sql_ref q,
	    const char *before, int limit, pf_row_fn *fn, void *ctx);

/*
 * Run q and call fn with its first row: PF_ENOTFOUND when there is none,
 * else fn's value.  q is run to its end, so a change that returns its row
 * (an upsert's id, a claimed message) is complete.
 */
int	pf_sql_one(struct pf_store *st, struct pf_sql_ref q,
	    struct pf_sql_args a, pf_row_fn *fn, void *ctx);

/*
 * The statements whose text is the engine's own, each written where the
 * engine is (store_sqlite.c, store_pg.c), for the query files to run like
 * their own: st's engine's.
 */
enum pf_dialect {
	PF_DIALECT_OUTBOX_CLAIM,	/* store.c: ?1 now, ?2 lease end */
	PF_DIALECT_PARTY_ENSURE,	/* store_requests.c: ?1 key, ?2 now */
	/*
	 * store.c, before an append reads the last audit record, and
	 * store_seal.c, before a seal does: holds off every other appender
	 * or sealer until the transaction ends (SQLite: a no-op, its BEGIN
	 * IMMEDIATE already does), so the chain has no gap or fork.
	 */
	PF_DIALECT_AUDIT_LOCK,
	/*
	 * store.c's pf_store_lock, ?1 to ?3 the key's kind and parts (text,
	 * may be NULL): one row, which is ignored.  PostgreSQL:
	 * "SELECT pg_advisory_xact_lock(21, hashtext(concat_ws(' ',
	 * CAST(?1 AS TEXT), CAST(?2 AS TEXT), CAST(?3 AS TEXT))))", the
	 * two-key form, whose space the audit chain's one-key lock does not
	 * share (a collision of two keys' hashes only makes them wait for
	 * each other).
	 */
	PF_DIALECT_KEY_LOCK,
	/*
	 * store_copy.c, moving a site: the schema's tables, one row each
	 * (its name); a table's columns, in order, one row each (?1 the
	 * table: name, 1 if it holds blobs, 1 if the engine numbers it); and
	 * moving the number generator of ?1's column ?2 past ?3, the largest
	 * copied (SQLite: only an AUTOINCREMENT table has one to move);
	 * and the last number ?1's column ?2 handed out, used or not (no row,
	 * or NULL: none yet), which may be above the largest left (a
	 * deleted newest row) and must never be handed out again.
	 */
	PF_DIALECT_TABLES,
	PF_DIALECT_COLUMNS,
	PF_DIALECT_IDS_AFTER,
	PF_DIALECT_IDS_USED,
	/*
	 * store_copy.c: a format whose one %s is a table's name, of the
	 * statement that stops (OFF) and starts again (ON) that table's own
	 * triggers on the target for the time of its copy, in the copy's
	 * transaction; NULL text when there is nothing to do.  PostgreSQL:
	 * audit's counting trigger updates one row of audit_count per record,
	 * and a row updated again and again in one transaction costs more
	 * each time (200,000 records: minutes), while the copy overwrites
	 * what it counts anyway.
	 */
	PF_DIALECT_TRIGGERS_OFF,
	PF_DIALECT_TRIGGERS_ON,
	PF_DIALECT__MAX
};

struct pf_sql_ref	pf_sql_dialect(struct pf_store *st, enum pf_dialect id);

/* The columns of an outbox row, in the order store.c reads them. */
#define PF_OUTBOX_COLS	"id, template, recipient, vals, subject, state, " \
	"attempts, next_try, last_error, created, updated, lang"

/*
 * A request's due date and whether it is open, as the team's lists and
 * the metrics read them (012-appeals.sql): an open appeal is open work,
 * due on its own date.
 */
#define PF_DSR_DUE_SQL	"(CASE WHEN appeal = 'open' THEN appeal_due " \
	"ELSE due END)"
#define PF_DSR_OPEN_SQL	"(status IN ('verified', 'extended') OR " \
	"appeal = 'open')"

/*
 * A nested transaction around a change of several rows: begin it, then
 * end it with the change's error, which keeps what it wrote on PF_OK and
 * undoes it otherwise; the end returns err, or the error of the release.
 */
/*
 * pf_store_begin, then statements q[0..n) (no parameters, n at most
 * PF_SQL_THEN_MAX), each as if sent alone (under READ COMMITTED each its
 * own snapshot, taken after the one before has run), the rows of q[i] to
 * fn[i] (may be NULL) with ctx: on PostgreSQL in one round trip.  On an
 * error the transaction is rolled back.
 */
#define PF_SQL_THEN_MAX	4
int	pf_sql_begin_then(struct pf_store *st, const struct pf_sql_ref *q,
	    int n, pf_row_fn *const *fn, void *ctx);

int	pf_sql_savepoint(struct pf_store *st);
int	pf_sql_savepoint_end(struct pf_store *st, int err);

#endif
