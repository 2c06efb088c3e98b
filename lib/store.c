/*
 * store.c -- the only place that speaks SQL (SQLite).
 *
 * Every query is one entry of stmts[], prepared the first time it is used
 * and kept for the life of the connection.  Values are only ever bound, and
 * are never logged: a log line carries sqlite3_errmsg, which names tables,
 * columns and constraints but no bound value.
 *
 * The queries of data subject requests, parties and suppression are in
 * store_requests.c, which shares the connection and the helpers below
 * through store_impl.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "err.h"
#include "file.h"
#include "log.h"
#include "schema.h"
#include "store.h"
#include "store_impl.h"

#define BUSY_TIMEOUT_DEFAULT	5000	/* ms, when the caller gives none */

#define OUTBOX_COLS "id, template, recipient, vals, subject, state, " \
	"attempts, next_try, last_error, created, updated"

static const char *const stmts[STMT__MAX] = {
	/* STMT_BEGIN */
	"BEGIN IMMEDIATE",
	/*
	 * STMT_BEGIN_READ: DEFERRED takes no lock until the first read,
	 * then SHARED, which it holds to the end: every read sees the same
	 * database.
	 */
	"BEGIN DEFERRED",
	/* STMT_COMMIT */
	"COMMIT",
	/* STMT_ROLLBACK */
	"ROLLBACK",
	/* STMT_USER_VERSION */
	"PRAGMA user_version",
	/* STMT_SYNCHRONOUS */
	"PRAGMA synchronous",
	/* STMT_OPTOUT_PUT */
	"INSERT INTO optout (channel, address, list, reason, source, "
	"created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) "
	"ON CONFLICT (channel, address, list) DO UPDATE SET "
	"updated = excluded.updated, reason = excluded.reason, "
	"source = excluded.source",
	/* STMT_OPTOUT_EACH */
	"SELECT " OPTOUT_COLS " FROM optout "
	"ORDER BY created, channel, address, list",
	/* STMT_OPTOUT_COUNT */
	"SELECT count(*) FROM optout",
	/* STMT_DNC_PUT: created is the one column a repeat leaves alone. */
	"INSERT INTO dnc (" DNC_COLS ") "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) "
	"ON CONFLICT (number) DO UPDATE SET country = excluded.country, "
	"first_name = excluded.first_name, last_name = excluded.last_name, "
	"company = excluded.company, email = excluded.email, "
	"updated = excluded.updated",
	/* STMT_DNC_GET */
	"SELECT " DNC_COLS " FROM dnc WHERE number = ?1",
	/*
	 * STMT_DNC_EACH: a prefix such as "2026-11-24" sorts before every
	 * time that starts with it, so >= takes that whole day.
	 */
	"SELECT " DNC_COLS " FROM dnc WHERE ?1 IS NULL OR created >= ?1 "
	"ORDER BY created, number",
	/* STMT_DNC_STALE */
	"SELECT " DNC_COLS " FROM dnc WHERE updated < ?1 "
	"ORDER BY updated, number LIMIT ?2",
	/* STMT_DNC_REMOVE */
	"DELETE FROM dnc WHERE number = ?1",
	/* STMT_DNC_COUNT */
	"SELECT count(*) FROM dnc",
	/* STMT_AUDIT_LAST */
	"SELECT seq, digest FROM audit ORDER BY seq DESC LIMIT 1",
	/* STMT_AUDIT_PUT */
	"INSERT INTO audit (seq, time, event, form, prev, digest, xml) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	/* STMT_AUDIT_GET */
	"SELECT seq, time, event, form, prev, digest, xml FROM audit "
	"WHERE seq = ?1",
	/* STMT_AUDIT_EACH */
	"SELECT seq, time, event, form, prev, digest, xml FROM audit "
	"WHERE seq >= ?1 ORDER BY seq",
	/* STMT_OUTBOX_PUT */
	"INSERT INTO outbox (template, recipient, vals, subject, state, "
	"attempts, next_try, created, updated) "
	"VALUES (?1, ?2, ?3, ?4, 'queued', 0, ?5, ?5, ?5)",
	/*
	 * STMT_OUTBOX_CLAIM: one statement, so finding and taking the row
	 * cannot be split by another writer (and BEGIN IMMEDIATE around it
	 * keeps any other sender out until the claim is committed).
	 */
	"UPDATE outbox SET state = 'sending', attempts = attempts + 1, "
	"next_try = ?2, updated = ?1 "
	"WHERE id = (SELECT id FROM outbox "
	"WHERE state IN ('queued', 'sending') AND next_try <= ?1 "
	"ORDER BY next_try, id LIMIT 1) "
	"RETURNING " OUTBOX_COLS,
	/*
	 * STMT_OUTBOX_SENT: the address and values are what made the message
	 * personal; once it has gone nothing needs them ('' because both
	 * columns are NOT NULL).  A failed message keeps them for a requeue.
	 */
	"UPDATE outbox SET state = 'sent', recipient = '', vals = '', "
	"updated = ?2 "
	"WHERE id = ?1 AND state = 'sending'",
	/* STMT_OUTBOX_DEFER */
	"UPDATE outbox SET state = 'queued', attempts = ?2, next_try = ?3, "
	"last_error = ?4, updated = ?5 WHERE id = ?1 AND state = 'sending'",
	/* STMT_OUTBOX_FAILED */
	"UPDATE outbox SET state = 'failed', attempts = ?2, last_error = ?3, "
	"updated = ?4 WHERE id = ?1 AND state = 'sending'",
	/* STMT_OUTBOX_REQUEUE: a fresh start, so no error of its past life. */
	"UPDATE outbox SET state = 'queued', attempts = 0, next_try = ?2, "
	"last_error = NULL, updated = ?2 WHERE id = ?1 AND state = 'failed'",
	/* STMT_OUTBOX_COUNTS */
	"SELECT count(*) FILTER (WHERE state = 'queued'), "
	"count(*) FILTER (WHERE state = 'sending'), "
	"count(*) FILTER (WHERE state = 'sent'), "
	"count(*) FILTER (WHERE state = 'failed') FROM outbox",
	/* STMT_OUTBOX_GET */
	"SELECT " OUTBOX_COLS " FROM outbox WHERE id = ?1",
	/* STMT_OUTBOX_REQUEUE_ALL */
	"UPDATE outbox SET state = 'queued', attempts = 0, next_try = ?1, "
	"last_error = NULL, updated = ?1 WHERE state = 'failed'",
	/* STMT_OUTBOX_WAITING: why queued messages wait, most common first. */
	"SELECT last_error, count(*), min(next_try) FROM outbox "
	"WHERE state = 'queued' AND last_error IS NOT NULL "
	"GROUP BY last_error ORDER BY 2 DESC, 1",
	/* STMT_OUTBOX_FAILED_EACH: the recipient's domain, never the address. */
	"SELECT id, substr(recipient, instr(recipient, '@') + 1), last_error, "
	"attempts, updated FROM outbox WHERE state = 'failed' ORDER BY id",
};

/*
 * The journal modes a configuration may ask for.  The SQL is fixed text
 * because a pragma's argument cannot be bound.
 */
static const struct journal {
	const char	*name;
	const char	*sql;
} journals[] = {
	{ "delete", "PRAGMA journal_mode = DELETE" },
	{ "truncate", "PRAGMA journal_mode = TRUNCATE" },
	{ "wal", "PRAGMA journal_mode = WAL" },
};

/*
 * The conditions that pass (a lock, a full disk, a read-only or unreachable
 * file) are PF_EBUSY, so the visitor is asked to try again; anything else,
 * including a corrupt file, is PF_ESTORE.
 */
int
pf_store_err(sqlite3 *db, int rc, const char *what)
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

int
pf_store_stmt(struct pf_store *st, sqlite3_stmt **slot, const char *sql,
    sqlite3_stmt **out)
{
	int	 rc;

	if (*slot == NULL) {
		rc = sqlite3_prepare_v3(st->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, slot, NULL);
		if (rc != SQLITE_OK)
			return pf_store_err(st->db, rc, "prepare");
	} else if (sqlite3_stmt_busy(*slot)) {
		/* A callback of an _each function called it again. */
		pf_log(PF_LOG_ERR, "store: statement in use: %.40s", sql);
		return PF_ESTORE;
	}
	*out = *slot;
	return PF_OK;
}

/* The prepared statement id, ready to bind; prepared on first use. */
static int
stmt_get(struct pf_store *st, enum stmt id, sqlite3_stmt **out)
{
	return pf_store_stmt(st, &st->stmts[id], stmts[id], out);
}

void
pf_store_stmt_done(sqlite3_stmt *s)
{
	if (s == NULL)
		return;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Run a statement that returns no rows. */
static int
stmt_exec(struct pf_store *st, enum stmt id, const char *what)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = stmt_get(st, id, &s)) != PF_OK)
		return err;
	rc = sqlite3_step(s);
	err = rc == SQLITE_DONE ? PF_OK : pf_store_err(st->db, rc, what);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_stmt_change(struct pf_store *st, sqlite3_stmt *s, const char *what)
{
	int	 rc;

	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		return pf_store_err(st->db, rc, what);
	return sqlite3_changes(st->db) == 0 ? PF_ENOTFOUND : PF_OK;
}

/* Run SQL text once (pragmas, migrations): nothing in it is user data. */
static int
exec_sql(sqlite3 *db, const char *sql, const char *what)
{
	int	 rc;

	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? PF_OK : pf_store_err(db, rc, what);
}

/* Run a pragma that answers one row and copy its first column as text. */
static int
pragma_text(sqlite3 *db, const char *sql, char *buf, size_t bufsz)
{
	sqlite3_stmt	*s = NULL;
	const char	*v;
	int		 rc, err;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL)) != SQLITE_OK)
		return pf_store_err(db, rc, sql);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		err = pf_store_err(db, rc, sql);
		goto done;
	}
	v = (const char *)sqlite3_column_text(s, 0);
	snprintf(buf, bufsz, "%s", v != NULL ? v : "");
	err = PF_OK;
done:
	sqlite3_finalize(s);
	return err;
}

static const struct journal *
journal_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(journals) / sizeof(journals[0]); i++)
		if (strcmp(journals[i].name, name) == 0)
			return &journals[i];
	return NULL;
}

/* The journal mode to use, or NULL (logged) if the setting is refused. */
static const struct journal *
journal_choose(const char *name)
{
	const struct journal	*j;

	if (name == NULL)
		name = "truncate";
	if ((j = journal_find(name)) == NULL) {
		pf_log(PF_LOG_ERR, "store: journal mode \"%s\" unknown "
		    "(delete, truncate or wal)", name);
		return NULL;
	}
	if (strcmp(j->name, "wal") == 0 &&
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

/* Set the journal mode and synchronous FULL, and check both took effect. */
static int
store_pragmas(struct pf_store *st, const struct journal *j)
{
	char	 got[32];
	int	 err, level;

	if ((err = pragma_text(st->db, j->sql, got, sizeof(got))) != PF_OK)
		return err;
	if (strcmp(got, j->name) != 0) {
		pf_log(PF_LOG_ERR, "store: journal mode %s asked, %s in force",
		    j->name, got);
		return PF_ECONFIG;
	}
	st->journal = j;
	if ((err = exec_sql(st->db, "PRAGMA synchronous = FULL",
	    "synchronous")) != PF_OK)
		return err;
	if ((err = pf_store_synchronous(st, &level)) != PF_OK)
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
 */
static int
migrate_one(struct pf_store *st, const struct pf_migration *m)
{
	char	 sql[64];
	int	 err, v;

	if ((err = pf_store_begin(st)) != PF_OK)
		return err;
	if ((err = pf_store_schema_version(st, &v)) != PF_OK)
		goto fail;
	if (v >= (int)m->version)
		return pf_store_commit(st);
	if ((err = exec_sql(st->db, m->sql, m->name)) != PF_OK)
		goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %u", m->version);
	if ((err = exec_sql(st->db, sql, m->name)) != PF_OK)
		goto fail;
	if ((err = pf_store_commit(st)) != PF_OK)
		return err;
	pf_log(PF_LOG_INFO, "store: schema migrated to version %u (%s)",
	    m->version, m->name);
	return PF_OK;
fail:
	pf_store_rollback(st);
	return err;
}

static int
store_migrate(struct pf_store *st)
{
	unsigned	 i;
	int		 err, v;

	if ((err = pf_store_schema_version(st, &v)) != PF_OK)
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

/*
 * A connection to opts->path opened with flags, its busy handler installed
 * with until (may be NULL) as its deadline, and foreign keys on: nothing
 * that reads the file yet.
 */
static int
store_connect(const struct pf_store_opts *opts, int flags,
    const struct timespec *until, struct pf_store **out)
{
	struct pf_store	*st;
	int		 rc, err;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return PF_ENOMEM;
	rc = sqlite3_open_v2(opts->path, &st->db, flags | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (rc != SQLITE_OK) {
		err = pf_store_err(st->db, rc, opts->path);
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	st->busy.timeout_ms = opts->busy_timeout_ms > 0 ?
	    opts->busy_timeout_ms : BUSY_TIMEOUT_DEFAULT;
	pf_store_until(st, until);
	if ((rc = sqlite3_busy_handler(st->db, pf_busy_wait, &st->busy)) !=
	    SQLITE_OK) {
		err = pf_store_err(st->db, rc, "busy timeout");
		goto fail;
	}
	if ((err = exec_sql(st->db, "PRAGMA foreign_keys = ON",
	    "foreign keys")) != PF_OK)
		goto fail;
	*out = st;
	return PF_OK;
fail:
	pf_store_close(st);
	return err;
}

int
pf_store_open_until(const struct pf_store_opts *opts,
    const struct timespec *until, struct pf_store **out)
{
	struct pf_store		*st;
	const struct journal	*j;
	int			 err;

	*out = NULL;
	if (opts == NULL || opts->path == NULL)
		return PF_EINVAL;
	if ((j = journal_choose(opts->journal_mode)) == NULL)
		return PF_ECONFIG;
	if ((err = store_connect(opts, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, until, &st)) != PF_OK)
		return err;
	if ((err = store_pragmas(st, j)) != PF_OK ||
	    (err = store_migrate(st)) != PF_OK) {
		pf_store_close(st);
		return err;
	}
	pf_store_until(st, NULL);
	*out = st;
	return PF_OK;
}

int
pf_store_open(const struct pf_store_opts *opts, struct pf_store **out)
{
	return pf_store_open_until(opts, NULL, out);
}

int
pf_store_open_readonly(const struct pf_store_opts *opts,
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
	if ((err = pf_store_schema_version(st, &v)) == PF_OK &&
	    v != (int)ours) {
		/* Nothing here may migrate it; a form or privforms init does. */
		pf_log(PF_LOG_ERR, "store: database schema version %d, this "
		    "program's is %u: %s", v, ours, v < (int)ours ?
		    "run privforms init to bring it up to date" :
		    "a newer privforms wrote it");
		err = PF_ECONFIG;
	}
	if (err != PF_OK) {
		pf_store_close(st);
		return err;
	}
	*out = st;
	return PF_OK;
}

void
pf_store_until(struct pf_store *st, const struct timespec *until)
{
	if (until != NULL)
		st->busy.until = *until;
	else
		st->busy.until.tv_sec = st->busy.until.tv_nsec = 0;
}

void
pf_store_close(struct pf_store *st)
{
	size_t	 i;

	if (st == NULL)
		return;
	for (i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(st->stmts[i]);
	for (i = 0; i < RSTMT__MAX; i++)
		sqlite3_finalize(st->rstmts[i]);
	for (i = 0; i < FSTMT__MAX; i++)
		sqlite3_finalize(st->fstmts[i]);
	for (i = 0; i < GSTMT__MAX; i++)
		sqlite3_finalize(st->gstmts[i]);
	for (i = 0; i < MSTMT__MAX; i++)
		sqlite3_finalize(st->mstmts[i]);
	/* Rolls back an open transaction; cannot fail once all are finalized. */
	sqlite3_close(st->db);
	free(st);
}

/* Run a pragma statement that answers one integer. */
static int
pragma_int(struct pf_store *st, enum stmt id, int *out)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = stmt_get(st, id, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = sqlite3_column_int(s, 0);
	else
		err = pf_store_err(st->db, rc, stmts[id]);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_schema_version(struct pf_store *st, int *version)
{
	return pragma_int(st, STMT_USER_VERSION, version);
}

int
pf_store_synchronous(struct pf_store *st, int *level)
{
	return pragma_int(st, STMT_SYNCHRONOUS, level);
}

const char *
pf_store_journal_mode(struct pf_store *st)
{
	/* A read-only store never sets one. */
	return st->journal != NULL ? st->journal->name : "unset";
}

int
pf_store_begin(struct pf_store *st)
{
	return stmt_exec(st, STMT_BEGIN, "begin");
}

int
pf_store_begin_read(struct pf_store *st)
{
	return stmt_exec(st, STMT_BEGIN_READ, "begin read");
}

int
pf_store_commit(struct pf_store *st)
{
	int	 err;

	/* On failure nothing may stay half-open for the next request. */
	if ((err = stmt_exec(st, STMT_COMMIT, "commit")) != PF_OK)
		pf_store_rollback(st);
	return err;
}

void
pf_store_rollback(struct pf_store *st)
{
	/* SQLite has already rolled back after some errors (full, I/O). */
	if (st == NULL || sqlite3_get_autocommit(st->db))
		return;
	stmt_exec(st, STMT_ROLLBACK, "rollback");
}

/* ---- backup (pf_store_backup) ---- */

/* Remove a temporary copy and whatever journal SQLite left beside it. */
static void
backup_discard(const char *tmp)
{
	static const char *const ext[] = { "", "-journal", "-wal", "-shm" };
	char	 p[PATH_MAX];
	size_t	 i;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
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

	if ((b = sqlite3_backup_init(dst, "main", st->db, "main")) == NULL)
		return pf_store_err(dst, sqlite3_errcode(dst), "backup");
	rc = sqlite3_backup_step(b, -1);
	fin = sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		return pf_store_err(dst, rc, "backup");
	return fin == SQLITE_OK ? PF_OK : pf_store_err(dst, fin, "backup");
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
		err = pf_store_err(dst, rc, "backup: open the copy");
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

int
pf_store_backup(struct pf_store *st, const char *path, int replace,
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

void
pf_store_now(char out[32])
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 day[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%.19s.%06dZ", day, (int)(ts.tv_nsec / 1000) % 1000000);
}

void
pf_store_time(time_t t, char out[32])
{
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
}

static int
leap_year(long long y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/*
 * The cutoff keeps the seconds of now and has ".000000" for microseconds:
 * now has no finer part, and a row stored within that second compares as
 * not before the cutoff, so it is kept (never purged early).  A cutoff
 * whose year would not have four digits (years negative or too large, or
 * a now gmtime_r cannot convert) is "0000-01-01T00:00:00.000000Z", before
 * every stored time, so that a caller's mistake purges nothing.
 */
void
pf_store_years_before(time_t now, long years, char out[32])
{
	struct tm	 tm;
	long long	 y;
	char		 day[24];

	if (years < 0 || gmtime_r(&now, &tm) == NULL)
		goto earliest;
	y = tm.tm_year + 1900LL - years;
	if (y < 1000 || y > 9999)
		goto earliest;
	tm.tm_year = (int)(y - 1900);
	if (tm.tm_mon == 1 && tm.tm_mday == 29 && !leap_year(y))
		tm.tm_mday = 28;
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%.19s.000000Z", day);
	return;
earliest:
	snprintf(out, 32, "0000-01-01T00:00:00.000000Z");
}

/* ---- marketing opt-outs ---- */

int
pf_store_optout_put(struct pf_store *st, const struct pf_optout *o,
    const char *now)
{
	sqlite3_stmt	*s = NULL;
	char		 t[32];
	int		 rc, err;

	if (now == NULL) {
		pf_store_now(t);
		now = t;
	}
	if ((err = stmt_get(st, STMT_OPTOUT_PUT, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, o->channel, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 2, o->address, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 3, o->list != NULL ? o->list : "", -1,
	    SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 4, o->reason, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 5, o->source, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 6, now, -1, SQLITE_STATIC)))
		err = pf_store_err(st->db, rc, "optout bind");
	else if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "optout put");
	pf_store_stmt_done(s);
	return err;
}

void
pf_store_optout_row(sqlite3_stmt *s, struct pf_optout *o)
{
	o->channel = (const char *)sqlite3_column_text(s, 0);
	o->address = (const char *)sqlite3_column_text(s, 1);
	o->list = (const char *)sqlite3_column_text(s, 2);
	o->reason = (const char *)sqlite3_column_text(s, 3);
	o->source = (const char *)sqlite3_column_text(s, 4);
	o->created = (const char *)sqlite3_column_text(s, 5);
	o->updated = (const char *)sqlite3_column_text(s, 6);
}

int
pf_store_optout_each(struct pf_store *st,
    int (*fn)(const struct pf_optout *o, void *arg), void *arg)
{
	struct pf_optout	 o;
	sqlite3_stmt		*s = NULL;
	int			 rc, err;

	if ((err = stmt_get(st, STMT_OPTOUT_EACH, &s)) != PF_OK)
		return err;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		pf_store_optout_row(s, &o);
		if ((err = fn(&o, arg)) != 0)
			break;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "optout each");
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_count(struct pf_store *st, sqlite3_stmt **slot, const char *sql,
    const char *what, long long *n)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = pf_store_stmt(st, slot, sql, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	else
		err = pf_store_err(st->db, rc, what);
	pf_store_stmt_done(s);
	return err;
}

const char *
pf_store_now_or(const char *now, char buf[32])
{
	if (now != NULL)
		return now;
	pf_store_now(buf);
	return buf;
}

int
pf_store_bind_texts(sqlite3_stmt *s, const char *const *v, int n)
{
	int	 i, rc;

	for (i = 0; i < n; i++)
		if ((rc = sqlite3_bind_text(s, i + 1, v[i], -1,
		    SQLITE_STATIC)) != SQLITE_OK)
			return rc;
	return SQLITE_OK;
}

int
pf_store_changes(struct pf_store *st, sqlite3_stmt **slot, const char *sql,
    const char *const *v, int nv, const char *what, long long *n)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = pf_store_stmt(st, slot, sql, &s)) != PF_OK)
		return err;
	if ((rc = pf_store_bind_texts(s, v, nv)) != SQLITE_OK)
		err = pf_store_err(st->db, rc, what);
	else if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		err = pf_store_err(st->db, rc, what);
	else if (n != NULL)
		*n = sqlite3_changes64(st->db);
	pf_store_stmt_done(s);
	return err;
}

/* The one number store.c's "SELECT count(*)" statement which gives. */
static int
count_rows(struct pf_store *st, enum stmt which, const char *what, long long *n)
{
	return pf_store_count(st, &st->stmts[which], stmts[which], what, n);
}

int
pf_store_optout_count(struct pf_store *st, long long *n)
{
	return count_rows(st, STMT_OPTOUT_COUNT, "optout count", n);
}

/* ---- the Do-Not-Call register ---- */

int
pf_store_dnc_put(struct pf_store *st, const struct pf_dnc *d, const char *now)
{
	sqlite3_stmt	*s = NULL;
	char		 t[32];
	int		 rc, err;

	if (now == NULL) {
		pf_store_now(t);
		now = t;
	}
	if ((err = stmt_get(st, STMT_DNC_PUT, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, d->number, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 2, d->country, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 3, d->first_name, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 4, d->last_name, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 5, d->company, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 6, d->email, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 7, now, -1, SQLITE_STATIC)))
		err = pf_store_err(st->db, rc, "dnc bind");
	else if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "dnc put");
	pf_store_stmt_done(s);
	return err;
}

/* Read the current row of a SELECT of DNC_COLS. */
static void
dnc_row(sqlite3_stmt *s, struct pf_dnc *d)
{
	d->number = (const char *)sqlite3_column_text(s, 0);
	d->country = (const char *)sqlite3_column_text(s, 1);
	d->first_name = (const char *)sqlite3_column_text(s, 2);
	d->last_name = (const char *)sqlite3_column_text(s, 3);
	d->company = (const char *)sqlite3_column_text(s, 4);
	d->email = (const char *)sqlite3_column_text(s, 5);
	d->created = (const char *)sqlite3_column_text(s, 6);
	d->updated = (const char *)sqlite3_column_text(s, 7);
}

int
pf_store_dnc_walk(struct pf_store *st, sqlite3_stmt *s, const char *what,
    int (*fn)(const struct pf_dnc *d, void *arg), void *arg)
{
	struct pf_dnc	 d;
	int		 rc, err;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		dnc_row(s, &d);
		if ((err = fn(&d, arg)) != 0)
			return err;
	}
	return rc == SQLITE_DONE ? PF_OK : pf_store_err(st->db, rc, what);
}

int
pf_store_step_one(struct pf_store *st, sqlite3_stmt *s, const char *what)
{
	int	 rc;

	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		return PF_OK;
	return rc == SQLITE_DONE ? PF_ENOTFOUND : pf_store_err(st->db, rc, what);
}

int
pf_store_dnc_get(struct pf_store *st, const char *number,
    int (*fn)(const struct pf_dnc *d, void *arg), void *arg)
{
	struct pf_dnc	 d;
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = stmt_get(st, STMT_DNC_GET, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, number, -1, SQLITE_STATIC)) !=
	    SQLITE_OK)
		err = pf_store_err(st->db, rc, "dnc bind");
	else if ((err = pf_store_step_one(st, s, "dnc get")) == PF_OK) {
		dnc_row(s, &d);
		err = fn(&d, arg);
	}
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_dnc_each(struct pf_store *st, const char *since,
    int (*fn)(const struct pf_dnc *d, void *arg), void *arg)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = stmt_get(st, STMT_DNC_EACH, &s)) != PF_OK)
		return err;
	/* A NULL since binds NULL, which the statement reads as "all". */
	if ((rc = sqlite3_bind_text(s, 1, since, -1, SQLITE_STATIC)) !=
	    SQLITE_OK)
		err = pf_store_err(st->db, rc, "dnc bind");
	else
		err = pf_store_dnc_walk(st, s, "dnc each", fn, arg);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_dnc_stale(struct pf_store *st, const char *before, int limit,
    int (*fn)(const struct pf_dnc *d, void *arg), void *arg)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	/* SQLite reads a negative LIMIT as none: a purge of everything. */
	if (limit < 0)
		return PF_EINVAL;
	if ((err = stmt_get(st, STMT_DNC_STALE, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, before, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_int(s, 2, limit)))
		err = pf_store_err(st->db, rc, "dnc bind");
	else
		err = pf_store_dnc_walk(st, s, "dnc stale", fn, arg);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_dnc_remove(struct pf_store *st, const char *number)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = stmt_get(st, STMT_DNC_REMOVE, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, number, -1, SQLITE_STATIC)) !=
	    SQLITE_OK)
		err = pf_store_err(st->db, rc, "dnc bind");
	else
		err = pf_store_stmt_change(st, s, "dnc remove");
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_dnc_count(struct pf_store *st, long long *n)
{
	return count_rows(st, STMT_DNC_COUNT, "dnc count", n);
}

/* ---- audit records ---- */

int
pf_store_audit_last(struct pf_store *st, long long *seq, char digest[65])
{
	sqlite3_stmt	*s = NULL;
	const char	*d;
	int		 rc, err;

	if ((err = stmt_get(st, STMT_AUDIT_LAST, &s)) != PF_OK)
		return err;
	*seq = 0;
	memset(digest, '0', 64);
	digest[64] = '\0';
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*seq = sqlite3_column_int64(s, 0);
		d = (const char *)sqlite3_column_text(s, 1);
		if (d == NULL || strlen(d) != 64) {
			pf_log(PF_LOG_ERR, "store: audit record %lld has a "
			    "malformed digest", *seq);
			err = PF_ESTORE;
		} else
			memcpy(digest, d, 65);
	} else if (rc != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "audit last");
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_audit_put(struct pf_store *st, const struct pf_audit_row *r)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if (r->xml_len > INT_MAX)
		return PF_ETOOBIG;
	if ((err = stmt_get(st, STMT_AUDIT_PUT, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, r->seq)) ||
	    (rc = sqlite3_bind_text(s, 2, r->time, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 3, r->event, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 4, r->form, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 5, r->prev, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 6, r->digest, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_blob(s, 7, r->xml, (int)r->xml_len,
	    SQLITE_STATIC)))
		err = pf_store_err(st->db, rc, "audit bind");
	else if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "audit put");
	pf_store_stmt_done(s);
	return err;
}

/* Read the current row of an audit SELECT (columns as in stmts[]). */
static void
audit_row(sqlite3_stmt *s, struct pf_audit_row *r)
{
	r->seq = sqlite3_column_int64(s, 0);
	r->time = (const char *)sqlite3_column_text(s, 1);
	r->event = (const char *)sqlite3_column_text(s, 2);
	r->form = (const char *)sqlite3_column_text(s, 3);
	r->prev = (const char *)sqlite3_column_text(s, 4);
	r->digest = (const char *)sqlite3_column_text(s, 5);
	r->xml = sqlite3_column_blob(s, 6);
	r->xml_len = (size_t)sqlite3_column_bytes(s, 6);
}

int
pf_store_audit_get(struct pf_store *st, long long seq,
    int (*fn)(const struct pf_audit_row *r, void *arg), void *arg)
{
	struct pf_audit_row	 r;
	sqlite3_stmt		*s = NULL;
	int			 rc, err;

	if ((err = stmt_get(st, STMT_AUDIT_GET, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, seq)) != SQLITE_OK)
		err = pf_store_err(st->db, rc, "audit bind");
	else if ((err = pf_store_step_one(st, s, "audit get")) == PF_OK) {
		audit_row(s, &r);
		err = fn(&r, arg);
	}
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_audit_each(struct pf_store *st, long long from,
    int (*fn)(const struct pf_audit_row *r, void *arg), void *arg)
{
	struct pf_audit_row	 r;
	sqlite3_stmt		*s = NULL;
	int			 rc, err;

	if ((err = stmt_get(st, STMT_AUDIT_EACH, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, from)) != SQLITE_OK) {
		err = pf_store_err(st->db, rc, "audit bind");
		goto done;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		audit_row(s, &r);
		if ((err = fn(&r, arg)) != 0)
			goto done;
	}
	if (rc != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "audit each");
done:
	pf_store_stmt_done(s);
	return err;
}

/* ---- the outbox ---- */

int
pf_store_outbox_put(struct pf_store *st, const char *template,
    const char *recipient, const char *vals, const char *subject,
    const char *now, long long *id)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = stmt_get(st, STMT_OUTBOX_PUT, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, template, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 2, recipient, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 3, vals, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 4, subject, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC)))
		err = pf_store_err(st->db, rc, "outbox bind");
	else if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "outbox put");
	else if (id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	pf_store_stmt_done(s);
	return err;
}

/* Read the current row of an outbox statement (columns OUTBOX_COLS). */
static void
outbox_row(sqlite3_stmt *s, struct pf_outbox_row *r)
{
	r->id = sqlite3_column_int64(s, 0);
	r->template = (const char *)sqlite3_column_text(s, 1);
	r->recipient = (const char *)sqlite3_column_text(s, 2);
	r->vals = (const char *)sqlite3_column_text(s, 3);
	r->subject = (const char *)sqlite3_column_text(s, 4);
	r->state = (const char *)sqlite3_column_text(s, 5);
	r->attempts = sqlite3_column_int(s, 6);
	r->next_try = (const char *)sqlite3_column_text(s, 7);
	r->last_error = (const char *)sqlite3_column_text(s, 8);
	r->created = (const char *)sqlite3_column_text(s, 9);
	r->updated = (const char *)sqlite3_column_text(s, 10);
}

/*
 * Step s, which selects or returns at most one outbox row, and call fn with
 * it: fn's value, PF_ENOTFOUND without a row, or the mapped error.
 */
static int
outbox_one(struct pf_store *st, sqlite3_stmt *s, const char *what,
    int (*fn)(const struct pf_outbox_row *r, void *arg), void *arg)
{
	struct pf_outbox_row	 r;
	int			 rc, err;

	if ((err = pf_store_step_one(st, s, what)) != PF_OK)
		return err;
	outbox_row(s, &r);
	err = fn(&r, arg);
	/* An UPDATE ... RETURNING is complete only once stepped to its end. */
	if ((rc = sqlite3_step(s)) != SQLITE_DONE && err == PF_OK)
		err = pf_store_err(st->db, rc, what);
	return err;
}

int
pf_store_outbox_claim(struct pf_store *st, const char *now,
    const char *lease_end, int (*fn)(const struct pf_outbox_row *r, void *arg),
    void *arg)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = stmt_get(st, STMT_OUTBOX_CLAIM, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 2, lease_end, -1, SQLITE_STATIC)))
		err = pf_store_err(st->db, rc, "outbox bind");
	else
		err = outbox_one(st, s, "outbox claim", fn, arg);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_outbox_sent(struct pf_store *st, long long id, const char *now)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = stmt_get(st, STMT_OUTBOX_SENT, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, id)) ||
	    (rc = sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC)))
		err = pf_store_err(st->db, rc, "outbox bind");
	else
		err = pf_store_stmt_change(st, s, "outbox sent");
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_outbox_defer(struct pf_store *st, long long id, int attempts,
    const char *next_try, const char *error, const char *now)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = stmt_get(st, STMT_OUTBOX_DEFER, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, id)) ||
	    (rc = sqlite3_bind_int(s, 2, attempts)) ||
	    (rc = sqlite3_bind_text(s, 3, next_try, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 4, error, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC)))
		err = pf_store_err(st->db, rc, "outbox bind");
	else
		err = pf_store_stmt_change(st, s, "outbox defer");
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_outbox_failed(struct pf_store *st, long long id, int attempts,
    const char *error, const char *now)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = stmt_get(st, STMT_OUTBOX_FAILED, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, id)) ||
	    (rc = sqlite3_bind_int(s, 2, attempts)) ||
	    (rc = sqlite3_bind_text(s, 3, error, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC)))
		err = pf_store_err(st->db, rc, "outbox bind");
	else
		err = pf_store_stmt_change(st, s, "outbox failed");
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_outbox_requeue(struct pf_store *st, long long id, const char *now)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = stmt_get(st, STMT_OUTBOX_REQUEUE, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, id)) ||
	    (rc = sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC)))
		err = pf_store_err(st->db, rc, "outbox bind");
	else
		err = pf_store_stmt_change(st, s, "outbox requeue");
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_outbox_requeue_all(struct pf_store *st, const char *now,
    long long *n)
{
	return pf_store_changes(st, &st->stmts[STMT_OUTBOX_REQUEUE_ALL],
	    stmts[STMT_OUTBOX_REQUEUE_ALL], &now, 1, "outbox requeue all", n);
}

/* Step statement id to its end, calling row(s, ctx) on each row. */
static int
outbox_walk(struct pf_store *st, enum stmt id, const char *what,
    int (*row)(sqlite3_stmt *s, void *ctx), void *ctx)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = stmt_get(st, id, &s)) != PF_OK)
		return err;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((err = row(s, ctx)) != 0)
			goto done;
	if (rc != SQLITE_DONE)
		err = pf_store_err(st->db, rc, what);
done:
	pf_store_stmt_done(s);
	return err;
}

struct waiting_ctx {
	int	(*fn)(const struct pf_outbox_waiting *w, void *arg);
	void	*arg;
};

static int
waiting_row(sqlite3_stmt *s, void *ctx)
{
	struct waiting_ctx		*c = ctx;
	struct pf_outbox_waiting	 w;

	w.error = (const char *)sqlite3_column_text(s, 0);
	w.count = sqlite3_column_int64(s, 1);
	w.next_try = (const char *)sqlite3_column_text(s, 2);
	return c->fn(&w, c->arg);
}

int
pf_store_outbox_waiting(struct pf_store *st,
    int (*fn)(const struct pf_outbox_waiting *w, void *arg), void *arg)
{
	struct waiting_ctx	 c = { fn, arg };

	return outbox_walk(st, STMT_OUTBOX_WAITING, "outbox waiting",
	    waiting_row, &c);
}

struct failure_ctx {
	int	(*fn)(const struct pf_outbox_failure *f, void *arg);
	void	*arg;
};

static int
failure_row(sqlite3_stmt *s, void *ctx)
{
	struct failure_ctx		*c = ctx;
	struct pf_outbox_failure	 f;

	f.id = sqlite3_column_int64(s, 0);
	f.domain = (const char *)sqlite3_column_text(s, 1);
	f.error = (const char *)sqlite3_column_text(s, 2);
	f.attempts = sqlite3_column_int(s, 3);
	f.updated = (const char *)sqlite3_column_text(s, 4);
	return c->fn(&f, c->arg);
}

int
pf_store_outbox_failed_each(struct pf_store *st,
    int (*fn)(const struct pf_outbox_failure *f, void *arg), void *arg)
{
	struct failure_ctx	 c = { fn, arg };

	return outbox_walk(st, STMT_OUTBOX_FAILED_EACH, "outbox failed",
	    failure_row, &c);
}

int
pf_store_outbox_counts(struct pf_store *st, long long *queued,
    long long *sending, long long *sent, long long *failed)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = stmt_get(st, STMT_OUTBOX_COUNTS, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*queued = sqlite3_column_int64(s, 0);
		*sending = sqlite3_column_int64(s, 1);
		*sent = sqlite3_column_int64(s, 2);
		*failed = sqlite3_column_int64(s, 3);
	} else
		err = pf_store_err(st->db, rc, "outbox counts");
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_outbox_get(struct pf_store *st, long long id,
    int (*fn)(const struct pf_outbox_row *r, void *arg), void *arg)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = stmt_get(st, STMT_OUTBOX_GET, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, id)) != SQLITE_OK)
		err = pf_store_err(st->db, rc, "outbox bind");
	else
		err = outbox_one(st, s, "outbox get", fn, arg);
	pf_store_stmt_done(s);
	return err;
}
