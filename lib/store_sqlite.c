/*
 * store_sqlite.c -- the SQLite backend of the store: the one file that
 * speaks to SQLite, and the one place for the SQL that is SQLite's own.
 *
 * It holds the connection (store_impl.h): opening, the pragmas, the
 * migrations, how a writer waits for the lock, transactions and
 * savepoints, the online backup, and store_sql.h's statement cache, binds
 * and row walks, on which the query files (store.c, store_requests.c,
 * store_feedback.c, store_guard.c, store_metrics.c) run their statements.
 *
 * Its functions are store_impl.h's ops, which lib/store_ops.c calls; the
 * PostgreSQL backend, lib/store_pg.c, is the same again on libpq, and the
 * comments below say what it does instead.  The query files' text is
 * written to mean the same on both engines (tests/unit/test_store_pg.c and
 * tests/integration/test_pg_schema.py prepare every statement on
 * PostgreSQL against lib/schema/pg/); what stays SQLite's own in it, and
 * what the PostgreSQL backend does about it:
 *
 *  - parameters are numbered "?1", "?2": libpq's are "$1", "$2" (rewritten
 *    once, when a statement is prepared);
 *  - the new row's id is the connection's last rowid (lite_insert):
 *    PostgreSQL appends "RETURNING id";
 *  - instr() and julianday() are SQLite's: lib/schema/pg/015-baseline.sql
 *    defines both, with SQLite's meaning for what the queries give them.
 *
 * And what the query files write so that both engines read it alike:
 *
 *  - a parameter that only meets IS NULL is "CAST(?1 AS TEXT)" (PostgreSQL
 *    needs its type);
 *  - no negative LIMIT for "none" (PostgreSQL refuses it): LLONG_MAX;
 *  - no comparison as a value in a select list (a boolean there): a CASE
 *    giving 0 or 1;
 *  - "NULLS FIRST" where NULLs must sort first (SQLite's default order,
 *    PostgreSQL's is last);
 *  - an upsert's SET names the table's own column ("trap_count.n"), which
 *    PostgreSQL requires beside excluded's; no INSERT OR REPLACE, no LIKE
 *    (case-blind here, not there), no GLOB;
 *  - every text column is COLLATE "C" in the PostgreSQL schema, which
 *    compares bytes like SQLite's BINARY;
 *  - ON CONFLICT ... DO UPDATE / DO NOTHING and count(*) FILTER (WHERE ...)
 *    are written as PostgreSQL writes them.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "busy.h"
#include "err.h"
#include "file.h"
#include "log.h"
#include "nitems.h"
#include "schema.h"
#include "store.h"
#include "store_impl.h"
#include "store_sql.h"

#define BUSY_TIMEOUT_DEFAULT	5000	/* ms, when the caller gives none */

/* The statements of the engine: store_sql.h's pf_dialect, then our own. */
enum {
	D_BEGIN = PF_DIALECT__MAX, D_BEGIN_READ, D_COMMIT, D_ROLLBACK,
	D_SAVEPOINT, D_RELEASE, D_ROLLBACK_TO, D_USER_VERSION,
	D_SYNCHRONOUS, NDIALECT
};

static const struct pf_sql dialect[NDIALECT] = {
	/*
	 * One statement, so finding and taking the row cannot be split by
	 * another writer (and BEGIN IMMEDIATE around it keeps any other
	 * sender out until the claim is committed).  PostgreSQL: the
	 * subquery takes "FOR UPDATE SKIP LOCKED", so senders on several
	 * nodes claim different rows at once; RETURNING stays.
	 */
	[PF_DIALECT_OUTBOX_CLAIM] = { "outbox claim",
	    "UPDATE outbox SET state = 'sending', attempts = attempts + 1, "
	    "next_try = ?2, updated = ?1 "
	    "WHERE id = (SELECT id FROM outbox "
	    "WHERE state IN ('queued', 'sending') AND next_try <= ?1 "
	    "ORDER BY next_try, id LIMIT 1) "
	    "RETURNING " PF_OUTBOX_COLS },
	/*
	 * One statement, so that two workers verifying the same address
	 * make one party.  A new party is an individual of its own: it
	 * takes the id SQLite would give (rows are never deleted, so max + 1
	 * is never reused) and the same as individual.  The no-op update on
	 * a conflict is what lets RETURNING give the existing row's id.
	 * "WHERE true" tells SQLite's parser the ON belongs to the upsert,
	 * not to a join.  PostgreSQL: the id from a sequence (max + 1 races
	 * between nodes), no "WHERE true"; the upsert and RETURNING stay.
	 */
	[PF_DIALECT_PARTY_ENSURE] = { "party ensure",
	    "INSERT INTO party (id, individual, email, created) "
	    "SELECT n, n, ?1, ?2 FROM "
	    "(SELECT coalesce(max(id), 0) + 1 AS n FROM party) WHERE true "
	    "ON CONFLICT (email) DO UPDATE SET email = excluded.email "
	    "RETURNING id" },
	/* BEGIN IMMEDIATE (D_BEGIN) already keeps other appenders out. */
	[PF_DIALECT_AUDIT_LOCK] = { "audit lock", "SELECT 0 WHERE 0" },
	/*
	 * BEGIN IMMEDIATE already keeps every other writer out: nothing to
	 * lock, but a statement that binds the key like PostgreSQL's.
	 */
	[PF_DIALECT_KEY_LOCK] = { "key lock", "SELECT ?1, ?2, ?3" },
	/*
	 * The catalogue (sqlite_master, pragma_table_info); SQLite's own
	 * tables (sqlite_sequence) are no part of the schema.  An INTEGER
	 * PRIMARY KEY is the rowid, numbered by the engine.  PostgreSQL:
	 * information_schema.
	 */
	[PF_DIALECT_TABLES] = { "tables",
	    "SELECT name FROM sqlite_master WHERE type = 'table' AND "
	    "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name" },
	[PF_DIALECT_COLUMNS] = { "columns",
	    "SELECT name, upper(type) = 'BLOB', pk = 1 AND "
	    "upper(type) = 'INTEGER' FROM pragma_table_info(?1) ORDER BY cid" },
	/*
	 * A rowid goes on from the largest there is by itself; an
	 * AUTOINCREMENT table's counter never goes back.  PostgreSQL: the
	 * identity column's sequence, setval.
	 */
	[PF_DIALECT_IDS_AFTER] = { "ids after",
	    "UPDATE sqlite_sequence SET seq = max(seq, ?3) "
	    "WHERE name = ?1 AND ?2 IS NOT NULL" },
	/*
	 * An AUTOINCREMENT table's counter: sqlite_sequence exists in every
	 * privforms database (004 made request AUTOINCREMENT); a table
	 * without a row there has handed out no number of its own.
	 */
	[PF_DIALECT_IDS_USED] = { "ids used",
	    "SELECT seq FROM sqlite_sequence WHERE name = ?1 AND "
	    "?2 IS NOT NULL" },
	/* Nothing: a trigger's row costs SQLite the same every time. */
	[PF_DIALECT_TRIGGERS_OFF] = { "triggers off", NULL },
	[PF_DIALECT_TRIGGERS_ON] = { "triggers on", NULL },
	/*
	 * IMMEDIATE takes the write lock at once, so a reader never has to
	 * upgrade its lock under contention (a deadlock SQLite answers with
	 * SQLITE_BUSY).  PostgreSQL: plain BEGIN; rows lock as they are
	 * written, and a counter row that must not be overshot (rate limits)
	 * is read FOR UPDATE.
	 */
	[D_BEGIN] = { "begin", "BEGIN IMMEDIATE" },
	/*
	 * DEFERRED takes no lock until the first read, then SHARED, which it
	 * holds to the end: every read sees the same database.  PostgreSQL:
	 * "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", one snapshot
	 * without any lock.
	 */
	[D_BEGIN_READ] = { "begin read", "BEGIN DEFERRED" },
	[D_COMMIT] = { "commit", "COMMIT" },
	[D_ROLLBACK] = { "rollback", "ROLLBACK" },
	/* Standard SQL: PostgreSQL runs these three as they are. */
	[D_SAVEPOINT] = { "savepoint", "SAVEPOINT pf_requests" },
	[D_RELEASE] = { "release", "RELEASE pf_requests" },
	[D_ROLLBACK_TO] = { "rollback to", "ROLLBACK TO pf_requests" },
	/*
	 * The schema version lives in the file's header.  PostgreSQL: a
	 * one-row table (schema_version) that a migration updates in its
	 * own transaction.
	 */
	[D_USER_VERSION] = { "user version", "PRAGMA user_version" },
	/* PostgreSQL: "SHOW synchronous_commit", which must say on. */
	[D_SYNCHRONOUS] = { "synchronous", "PRAGMA synchronous" },
};

static const struct pf_sql_set dialect_set = {
	PF_SQL_DIALECT, NDIALECT, dialect
};

#define D(id)	PF_SQL_REF(&dialect_set, id)

/*
 * The journal modes a configuration may ask for, as PRAGMA journal_mode
 * names them and answers.  A pragma's argument cannot be bound: the one
 * written into the statement is an entry of this table, never the
 * configuration's text.  PostgreSQL has no such choice (its WAL is always
 * on): the setting is refused there.
 */
static const char *const journals[] = { "delete", "truncate", "wal" };

/* The statements of one query file (store_sql.h's pf_sql_part). */
struct lite_part {
	sqlite3_stmt	**slot;	/* n of them, each prepared on first use */
	size_t		  n;	/* 0 until the part's first statement runs */
};

/* A connection: struct pf_store first (store_impl.h). */
struct lite {
	struct pf_store		 base;
	sqlite3			*db;
	struct lite_part	 part[PF_SQL__PARTS];
	const char		*journal;	/* the mode in force; NULL read-only */
	struct pf_busy		 busy;	/* how a writer waits for the lock */
};

struct lite_row {
	struct pf_row	 base;
	sqlite3_stmt	*s;
};

static void	lite_rollback(struct pf_store *);
static void	lite_until(struct pf_store *, const struct timespec *);
static void	lite_close(struct pf_store *);

static struct lite *
lite(struct pf_store *st)
{
	return (struct lite *)st;
}

static sqlite3_stmt *
row_stmt(const struct pf_row *row)
{
	return ((const struct lite_row *)row)->s;
}

/*
 * The conditions that pass (a lock, a full disk, a read-only or unreachable
 * file) are PF_EBUSY, so the visitor is asked to try again; anything else,
 * including a corrupt file, is PF_ESTORE.  The log carries sqlite3_errmsg,
 * which names tables, columns and constraints but no bound value.
 */
static int
store_err(sqlite3 *db, int rc, const char *what)
{
	const char	*msg = db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_READONLY:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_PERM:
		pf_log(PF_LOG_WARN, "store: %s: %s", what, msg);
		return PF_EBUSY;
	default:
		pf_log(PF_LOG_ERR, "store: %s: %s", what, msg);
		return PF_ESTORE;
	}
}

int
pf_store_wal_safe(int v)
{
	return v >= 3051003 ||
	    (v >= 3044006 && v < 3045000) ||
	    (v >= 3050007 && v < 3051000);
}

/* ---- statements (store_sql.h) ---- */

/* The slot of statement q in st's cache; NULL when it cannot be had. */
static sqlite3_stmt **
stmt_slot(struct pf_store *st, struct pf_sql_ref q)
{
	struct lite_part	*p = &lite(st)->part[q.set->part];

	if (p->slot == NULL) {
		if ((p->slot = calloc(q.set->n, sizeof(*p->slot))) == NULL)
			return NULL;
		p->n = q.set->n;
	}
	return &p->slot[q.id];
}

/* Bind v as parameter i of s (SQLITE_STATIC: v outlives the run). */
static int
bind_one(sqlite3_stmt *s, int i, const struct pf_sql_val *v)
{
	switch (v->type) {
	case PF_SQL_TEXT:
		return sqlite3_bind_text(s, i, v->text, -1, SQLITE_STATIC);
	case PF_SQL_INT:
		return sqlite3_bind_int64(s, i, v->i);
	case PF_SQL_BLOB:
		if (v->len > INT_MAX)
			return SQLITE_TOOBIG;
		return sqlite3_bind_blob(s, i, v->blob, (int)v->len,
		    SQLITE_STATIC);
	default:
		return sqlite3_bind_null(s, i);
	}
}

/*
 * Statement q, prepared on first use, in *out (to hand to stmt_done
 * whatever happens), with a's values bound.  PF_ESTORE if it is already
 * being stepped (a row callback called back into the same query).
 */
static int
stmt_get(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a,
    sqlite3_stmt **out)
{
	const struct pf_sql	*sql = &q.set->sql[q.id];
	sqlite3_stmt		**slot;
	int			  i, rc;

	*out = NULL;
	if ((slot = stmt_slot(st, q)) == NULL)
		return PF_ENOMEM;
	if (*slot == NULL) {
		rc = sqlite3_prepare_v3(lite(st)->db, sql->text, -1,
		    SQLITE_PREPARE_PERSISTENT, slot, NULL);
		if (rc != SQLITE_OK)
			return store_err(lite(st)->db, rc, sql->what);
	} else if (sqlite3_stmt_busy(*slot)) {
		pf_log(PF_LOG_ERR, "store: statement in use: %s", sql->what);
		return PF_ESTORE;
	}
	*out = *slot;
	for (i = 0; i < a.n; i++)
		if ((rc = bind_one(*out, i + 1, &a.v[i])) != SQLITE_OK)
			return store_err(lite(st)->db, rc, sql->what);
	return PF_OK;
}

/* Every run of a statement ends here, whatever happened; accepts NULL. */
static void
stmt_done(sqlite3_stmt *s)
{
	if (s == NULL)
		return;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

static int
lite_prepare(struct pf_store *st, struct pf_sql_ref q)
{
	sqlite3_stmt	*s;
	int		 err;

	err = stmt_get(st, q, PF_NOARGS, &s);
	stmt_done(s);
	return err;
}

/* Step s, which returns no rows, to its end. */
static int
stmt_run(struct pf_store *st, struct pf_sql_ref q, sqlite3_stmt *s)
{
	int	 rc;

	if ((rc = sqlite3_step(s)) == SQLITE_DONE)
		return PF_OK;
	return store_err(lite(st)->db, rc, q.set->sql[q.id].what);
}

static int
lite_exec(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a,
    long long *changed)
{
	sqlite3_stmt	*s;
	int		 err;

	if ((err = stmt_get(st, q, a, &s)) == PF_OK &&
	    (err = stmt_run(st, q, s)) == PF_OK && changed != NULL)
		*changed = sqlite3_changes64(lite(st)->db);
	stmt_done(s);
	return err;
}

/*
 * An INSERT runs like any change; the connection then knows the new row's
 * id (a reset leaves it).  PostgreSQL: the INSERT ends in "RETURNING id",
 * read like a row.
 */
static int
lite_insert(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a,
    long long *id)
{
	int	 err;

	if ((err = lite_exec(st, q, a, NULL)) == PF_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(lite(st)->db);
	return err;
}

/*
 * Step the bound s on, calling fn (when not NULL) with each row until it
 * returns non-zero: fn's value, or PF_OK at the end, or the mapped error.
 */
static int
stmt_walk(struct pf_store *st, struct pf_sql_ref q, sqlite3_stmt *s,
    pf_row_fn *fn, void *ctx)
{
	struct lite_row	 row = { { &pf_store_sqlite_ops }, s };
	int		 rc, err;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn != NULL && (err = fn(&row.base, ctx)) != 0)
			return err;
	if (rc != SQLITE_DONE)
		return store_err(lite(st)->db, rc, q.set->sql[q.id].what);
	return PF_OK;
}

static int
lite_each(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a,
    pf_row_fn *fn, void *ctx)
{
	sqlite3_stmt	*s;
	int		 err;

	if ((err = stmt_get(st, q, a, &s)) == PF_OK)
		err = stmt_walk(st, q, s, fn, ctx);
	stmt_done(s);
	return err;
}

static int
lite_one(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a,
    pf_row_fn *fn, void *ctx)
{
	struct lite_row	 row;
	sqlite3_stmt	*s;
	int		 rc, err;

	if ((err = stmt_get(st, q, a, &s)) != PF_OK)
		goto done;
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		err = rc == SQLITE_DONE ? PF_ENOTFOUND :
		    store_err(lite(st)->db, rc, q.set->sql[q.id].what);
		goto done;
	}
	row.base.ops = &pf_store_sqlite_ops;
	row.s = s;
	err = fn(&row.base, ctx);
	/* A change ... RETURNING is complete only once stepped to its end. */
	if ((rc = stmt_walk(st, q, s, NULL, NULL)) != PF_OK && err == PF_OK)
		err = rc;
done:
	stmt_done(s);
	return err;
}

static const char *
lite_row_text(const struct pf_row *row, int col)
{
	return (const char *)sqlite3_column_text(row_stmt(row), col);
}

static long long
lite_row_int(const struct pf_row *row, int col)
{
	return sqlite3_column_int64(row_stmt(row), col);
}

static int
lite_row_null(const struct pf_row *row, int col)
{
	return sqlite3_column_type(row_stmt(row), col) == SQLITE_NULL;
}

static const void *
lite_row_blob(const struct pf_row *row, int col, size_t *len)
{
	const void	*p = sqlite3_column_blob(row_stmt(row), col);

	*len = (size_t)sqlite3_column_bytes(row_stmt(row), col);
	return p;
}

static struct pf_sql_ref
lite_dialect(enum pf_dialect id)
{
	return D(id);
}

/* ---- transactions ---- */

static int
lite_begin(struct pf_store *st)
{
	return lite_exec(st, D(D_BEGIN), PF_NOARGS, NULL);
}

static int
lite_begin_read(struct pf_store *st)
{
	return lite_exec(st, D(D_BEGIN_READ), PF_NOARGS, NULL);
}

static int
lite_commit(struct pf_store *st)
{
	int	 err;

	/* On failure nothing may stay half-open for the next request. */
	if ((err = lite_exec(st, D(D_COMMIT), PF_NOARGS, NULL)) != PF_OK)
		lite_rollback(st);
	return err;
}

static void
lite_rollback(struct pf_store *st)
{
	/* SQLite has already rolled back after some errors (full, I/O). */
	if (st == NULL || sqlite3_get_autocommit(lite(st)->db))
		return;
	lite_exec(st, D(D_ROLLBACK), PF_NOARGS, NULL);
}

static int
lite_savepoint(struct pf_store *st)
{
	return lite_exec(st, D(D_SAVEPOINT), PF_NOARGS, NULL);
}

static int
lite_savepoint_end(struct pf_store *st, int err)
{
	if (err == PF_OK &&
	    (err = lite_exec(st, D(D_RELEASE), PF_NOARGS, NULL)) == PF_OK)
		return PF_OK;
	/*
	 * Both fail only when SQLite has already rolled the whole
	 * transaction back (a full disk, say), which undid the savepoint.
	 */
	lite_exec(st, D(D_ROLLBACK_TO), PF_NOARGS, NULL);
	lite_exec(st, D(D_RELEASE), PF_NOARGS, NULL);
	return err;
}

/* ---- pragmas and migrations ---- */

/* Run SQL text once (pragmas, migrations): nothing in it is user data. */
static int
exec_sql(sqlite3 *db, const char *sql, const char *what)
{
	int	 rc;

	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? PF_OK : store_err(db, rc, what);
}

/* Run a pragma that answers one row and copy its first column as text. */
static int
pragma_text(sqlite3 *db, const char *sql, char *buf, size_t bufsz)
{
	sqlite3_stmt	*s = NULL;
	const char	*v;
	int		 rc, err;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL)) != SQLITE_OK)
		return store_err(db, rc, sql);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		err = store_err(db, rc, sql);
		goto done;
	}
	v = (const char *)sqlite3_column_text(s, 0);
	snprintf(buf, bufsz, "%s", v != NULL ? v : "");
	err = PF_OK;
done:
	sqlite3_finalize(s);
	return err;
}

/* A statement of the engine that answers one integer, in *out. */
static int
pragma_int(struct pf_store *st, int id, int *out)
{
	long long	 v = 0;
	int		 err;

	if ((err = lite_one(st, D(id), PF_NOARGS, pf_row_int0, &v)) ==
	    PF_ENOTFOUND)
		err = PF_ESTORE;	/* a pragma that answers no row */
	*out = (int)v;
	return err;
}

static int
lite_schema_version(struct pf_store *st, int *version)
{
	return pragma_int(st, D_USER_VERSION, version);
}

static int
lite_synchronous(struct pf_store *st, int *level)
{
	return pragma_int(st, D_SYNCHRONOUS, level);
}

static const char *
lite_journal_mode(struct pf_store *st)
{
	/* A read-only store never sets one. */
	return lite(st)->journal != NULL ? lite(st)->journal : "unset";
}

/* The main file's size, whatever name it was opened by. */
static int
lite_size(struct pf_store *st, long long *bytes)
{
	const char	*path = sqlite3_db_filename(lite(st)->db, "main");
	struct stat	 sb;

	*bytes = 0;
	if (path == NULL || stat(path, &sb) == -1)
		return PF_EIO;
	*bytes = (long long)sb.st_size;
	return PF_OK;
}

static const char *
journal_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < nitems(journals); i++)
		if (strcmp(journals[i], name) == 0)
			return journals[i];
	return NULL;
}

/*
 * The journal mode to use (an entry of journals[]), or NULL (logged) if
 * the setting is refused.
 */
static const char *
journal_choose(const char *name)
{
	const char	*j;

	if (name == NULL)
		name = "truncate";
	if ((j = journal_find(name)) == NULL) {
		pf_log(PF_LOG_ERR, "store: journal mode \"%s\" unknown "
		    "(delete, truncate or wal)", name);
		return NULL;
	}
	if (strcmp(j, "wal") == 0 &&
	    !pf_store_wal_safe(sqlite3_libversion_number())) {
		pf_log(PF_LOG_ERR, "store: journal mode wal refused: SQLite %s "
		    "has the WAL-reset bug, which can lose committed writes "
		    "when several processes write one database (fixed in "
		    "3.51.3, 3.50.7 and 3.44.6); use truncate or delete",
		    sqlite3_libversion());
		return NULL;
	}
	return j;
}

/*
 * Set the journal mode and synchronous FULL, and check both took effect.
 * PostgreSQL: nothing to set; the open checks that synchronous_commit is
 * on and fsync has not been turned off.
 */
static int
store_pragmas(struct pf_store *st, const char *j)
{
	char	 sql[64], got[32];
	int	 err, level;

	snprintf(sql, sizeof(sql), "PRAGMA journal_mode = %s", j);
	if ((err = pragma_text(lite(st)->db, sql, got, sizeof(got))) != PF_OK)
		return err;
	if (strcmp(got, j) != 0) {
		pf_log(PF_LOG_ERR, "store: journal mode %s asked, %s in force",
		    j, got);
		return PF_ECONFIG;
	}
	lite(st)->journal = j;
	if ((err = exec_sql(lite(st)->db, "PRAGMA synchronous = FULL",
	    "synchronous")) != PF_OK)
		return err;
	if ((err = lite_synchronous(st, &level)) != PF_OK)
		return err;
	if (level != 2) {
		pf_log(PF_LOG_ERR, "store: synchronous FULL asked, level %d "
		    "in force", level);
		return PF_ECONFIG;
	}
	return PF_OK;
}

/*
 * Apply migration m if the file lacks it.  The version is read again inside
 * the transaction, so two workers starting together apply it once.
 * PostgreSQL: the version row is read FOR UPDATE and updated, not a pragma.
 */
static int
migrate_one(struct pf_store *st, const struct pf_migration *m)
{
	char	 sql[64];
	int	 err, v;

	if ((err = lite_begin(st)) != PF_OK)
		return err;
	if ((err = lite_schema_version(st, &v)) != PF_OK)
		goto fail;
	if (v >= (int)m->version)
		return lite_commit(st);
	if ((err = exec_sql(lite(st)->db, m->sql, m->name)) != PF_OK)
		goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %u", m->version);
	if ((err = exec_sql(lite(st)->db, sql, m->name)) != PF_OK)
		goto fail;
	if ((err = lite_commit(st)) != PF_OK)
		return err;
	pf_log(PF_LOG_INFO, "store: schema migrated to version %u (%s)",
	    m->version, m->name);
	return PF_OK;
fail:
	lite_rollback(st);
	return err;
}

static int
store_migrate(struct pf_store *st)
{
	unsigned	 i;
	int		 err, v;

	if ((err = lite_schema_version(st, &v)) != PF_OK)
		return err;
	if (pf_nmigrations > 0 &&
	    v > (int)pf_migrations[pf_nmigrations - 1].version) {
		/* A newer program wrote this file: its schema is not ours. */
		pf_log(PF_LOG_ERR, "store: database schema version %d is newer "
		    "than this program's %u", v,
		    pf_migrations[pf_nmigrations - 1].version);
		return PF_ECONFIG;
	}
	for (i = 0; i < pf_nmigrations; i++) {
		if ((int)pf_migrations[i].version <= v)
			continue;
		if ((err = migrate_one(st, &pf_migrations[i])) != PF_OK)
			return err;
	}
	return PF_OK;
}

/* ---- the connection ---- */

/*
 * A connection to opts->path opened with flags, its busy handler installed
 * with until (may be NULL) as its deadline, and foreign keys on: nothing
 * that reads the file yet.  The busy handler (busy.h) is how a writer waits
 * for SQLite's one lock; PostgreSQL waits on its row locks by itself, and
 * the deadline becomes lock_timeout and statement_timeout.  Foreign keys
 * are always on in PostgreSQL.
 */
static int
store_connect(const struct pf_store_opts *opts, int flags,
    const struct timespec *until, struct pf_store **out)
{
	struct lite	*l;
	struct pf_store	*st;
	int		 rc, err;

	*out = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return PF_ENOMEM;
	l->base.ops = &pf_store_sqlite_ops;
	st = &l->base;
	rc = sqlite3_open_v2(opts->path, &lite(st)->db, flags | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (rc != SQLITE_OK) {
		err = store_err(lite(st)->db, rc, opts->path);
		goto fail;
	}
	sqlite3_extended_result_codes(lite(st)->db, 1);
	lite(st)->busy.timeout_ms = opts->busy_timeout_ms > 0 ?
	    opts->busy_timeout_ms : BUSY_TIMEOUT_DEFAULT;
	lite_until(st, until);
	if ((rc = sqlite3_busy_handler(lite(st)->db, pf_busy_wait, &lite(st)->busy)) !=
	    SQLITE_OK) {
		err = store_err(lite(st)->db, rc, "busy timeout");
		goto fail;
	}
	if ((err = exec_sql(lite(st)->db, "PRAGMA foreign_keys = ON",
	    "foreign keys")) != PF_OK)
		goto fail;
	*out = st;
	return PF_OK;
fail:
	lite_close(st);
	return err;
}

static int
lite_open(const struct pf_store_opts *opts, const struct timespec *until,
    int existing, struct pf_store **out)
{
	struct pf_store		*st;
	const char		*j;
	int			 err;

	*out = NULL;
	if (opts == NULL || opts->path == NULL)
		return PF_EINVAL;
	if (existing && access(opts->path, F_OK) != 0)
		return PF_ENOTFOUND;
	if ((j = journal_choose(opts->journal_mode)) == NULL)
		return PF_ECONFIG;
	if ((err = store_connect(opts, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, until, &st)) != PF_OK)
		return err;
	if ((err = store_pragmas(st, j)) != PF_OK ||
	    (err = store_migrate(st)) != PF_OK) {
		lite_close(st);
		return err;
	}
	lite_until(st, NULL);
	*out = st;
	return PF_OK;
}

/* PostgreSQL: a session with default_transaction_read_only = on. */
static int
lite_open_readonly(const struct pf_store_opts *opts,
    struct pf_store **out)
{
	struct pf_store	*st;
	unsigned	 ours;
	int		 err, v;

	*out = NULL;
	if (opts == NULL || opts->path == NULL)
		return PF_EINVAL;
	if ((err = store_connect(opts, SQLITE_OPEN_READONLY, NULL, &st)) !=
	    PF_OK)
		return err;
	ours = pf_nmigrations > 0 ?
	    pf_migrations[pf_nmigrations - 1].version : 0;
	if ((err = lite_schema_version(st, &v)) == PF_OK &&
	    v != (int)ours) {
		/* Nothing here may migrate it; a form or privforms init does. */
		pf_log(PF_LOG_ERR, "store: database schema version %d, this "
		    "program's is %u: %s", v, ours, v < (int)ours ?
		    "run privforms init to bring it up to date" :
		    "a newer privforms wrote it");
		err = PF_ECONFIG;
	}
	if (err != PF_OK) {
		lite_close(st);
		return err;
	}
	*out = st;
	return PF_OK;
}

static void
lite_until(struct pf_store *st, const struct timespec *until)
{
	if (until != NULL)
		lite(st)->busy.until = *until;
	else
		lite(st)->busy.until.tv_sec = lite(st)->busy.until.tv_nsec = 0;
}

static void
lite_close(struct pf_store *st)
{
	size_t	 p, i;

	if (st == NULL)
		return;
	for (p = 0; p < PF_SQL__PARTS; p++) {
		for (i = 0; i < lite(st)->part[p].n; i++)
			sqlite3_finalize(lite(st)->part[p].slot[i]);
		free(lite(st)->part[p].slot);
	}
	/* Rolls back an open transaction; cannot fail once all are finalized. */
	sqlite3_close(lite(st)->db);
	free(lite(st));
}

/*
 * ---- backup (lite_backup) ----
 *
 * SQLite's online backup API.  PostgreSQL: pg_dump, which the command runs
 * or names (issue 21); nothing here carries over.
 */

/* Remove a temporary copy and whatever journal SQLite left beside it. */
static void
backup_discard(const char *tmp)
{
	static const char *const ext[] = { "", "-journal", "-wal", "-shm" };
	char	 p[PATH_MAX];
	size_t	 i;

	for (i = 0; i < nitems(ext); i++)
		if ((size_t)snprintf(p, sizeof(p), "%s%s", tmp, ext[i]) <
		    sizeof(p))
			unlink(p);
}

/*
 * Every page of st into dst in one step: one read of the source, so the
 * copy is one snapshot; the source's busy handler waits for its lock.
 */
static int
backup_pages(struct pf_store *st, sqlite3 *dst)
{
	sqlite3_backup	*b;
	int		 rc, fin;

	if ((b = sqlite3_backup_init(dst, "main", lite(st)->db, "main")) == NULL)
		return store_err(dst, sqlite3_errcode(dst), "backup");
	rc = sqlite3_backup_step(b, -1);
	fin = sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		return store_err(dst, rc, "backup");
	return fin == SQLITE_OK ? PF_OK : store_err(dst, fin, "backup");
}

/*
 * The copy in tmp: pages, then journal mode DELETE (a WAL source's header
 * says WAL, and a backup must be one file), then the check.
 */
static int
backup_fill(struct pf_store *st, const char *tmp)
{
	sqlite3	*dst = NULL;
	char	 got[256];
	int	 rc, err = PF_OK;

	rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		err = store_err(dst, rc, "backup: open the copy");
		goto done;
	}
	sqlite3_extended_result_codes(dst, 1);
	if ((err = backup_pages(st, dst)) != PF_OK ||
	    (err = pragma_text(dst, "PRAGMA journal_mode = DELETE", got,
	    sizeof(got))) != PF_OK ||
	    (err = pragma_text(dst, "PRAGMA integrity_check", got,
	    sizeof(got))) != PF_OK)
		goto done;
	if (strcmp(got, "ok") != 0) {
		/* Names tables and pages, never a value. */
		pf_log(PF_LOG_ERR, "store: backup: the copy fails "
		    "integrity_check: %s", got);
		err = PF_ESTORE;
	}
done:
	/* Cannot fail: pragma_text finalizes its statements. */
	sqlite3_close(dst);
	return err;
}

/*
 * Give tmp its name: rename(2) to replace, else link(2), which fails with
 * EEXIST rather than replace a file that appeared during the copy.
 */
static int
backup_name(const char *tmp, const char *path, int replace)
{
	if (replace ? rename(tmp, path) == -1 : link(tmp, path) == -1)
		return PF_EIO;
	if (!replace)
		unlink(tmp);
	return pf_file_sync_dir(path);
}

static int
lite_backup(struct pf_store *st, const char *path, int replace,
    long long *bytes)
{
	struct stat	 sb;
	char		 tmp[PATH_MAX];
	int		 fd, err, saved;

	if (!replace && lstat(path, &sb) == 0) {
		errno = EEXIST;
		return PF_EIO;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX.tmp", path) >=
	    sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return PF_EIO;
	}
	/* mkstemps: mode 0600, a name no one else has. */
	if ((fd = mkstemps(tmp, 4)) == -1)
		return PF_EIO;
	if ((err = backup_fill(st, tmp)) == PF_OK &&
	    (fsync(fd) == -1 || fstat(fd, &sb) == -1))
		err = PF_EIO;
	saved = errno;
	if (close(fd) == -1 && err == PF_OK)
		err = PF_EIO, saved = errno;
	if (err == PF_OK && (err = backup_name(tmp, path, replace)) != PF_OK)
		saved = errno;
	if (err != PF_OK)
		backup_discard(tmp);
	else if (bytes != NULL)
		*bytes = (long long)sb.st_size;
	errno = saved;
	return err;
}

const struct pf_store_ops pf_store_sqlite_ops = {
	.open = lite_open,
	.open_readonly = lite_open_readonly,
	.close = lite_close,
	.until = lite_until,
	.exec = lite_exec,
	.insert = lite_insert,
	/* Nothing goes ahead: every write is done at once. */
	.insert_ahead = lite_insert,
	.exec_ahead = lite_exec,
	.each = lite_each,
	.one = lite_one,
	.prepare = lite_prepare,
	.dialect = lite_dialect,
	.begin = lite_begin,
	.begin_read = lite_begin_read,
	.commit = lite_commit,
	.rollback = lite_rollback,
	.rollback_ahead = lite_rollback,
	.savepoint = lite_savepoint,
	.savepoint_end = lite_savepoint_end,
	.schema_version = lite_schema_version,
	.synchronous = lite_synchronous,
	.journal_mode = lite_journal_mode,
	.size = lite_size,
	.backup = lite_backup,
	.row_text = lite_row_text,
	.row_int = lite_row_int,
	.row_null = lite_row_null,
	.row_blob = lite_row_blob,
};
