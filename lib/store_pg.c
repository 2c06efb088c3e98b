/*
 * store_pg.c -- the PostgreSQL backend of the store: the one file that
 * speaks libpq, and the one place for the SQL that is PostgreSQL's own.
 * It is built as a module of its own, lib/pg.so, which pg_load.c opens
 * when a database value first names PostgreSQL (pg_module.h says why):
 * nothing here is visible outside but the module's table, at the end.
 *
 * Its functions are store_impl.h's ops (lib/store_ops.c calls them when
 * the database value is a libpq connection string, pf_store_engine); the
 * query files' statements run here as they are written, with what libpq
 * and PostgreSQL need done to them:
 *
 *  - "?N" becomes "$N" once, when a statement is prepared (PQprepare,
 *    named "pfP_I" after its part and index, kept for the connection's
 *    life like SQLite's; outside quotes only);
 *  - parameters go as text with no type (0: the server infers it from
 *    where the parameter stands; a query file casts where nothing says,
 *    CAST(?1 AS TEXT)), blobs in binary; results come as text;
 *  - a comparison in a select list is a boolean, "t" or "f": pf_row_int
 *    reads them as 1 and 0, as SQLite gives them; a bytea column is
 *    unescaped (PQunescapeBytea) for pf_row_blob;
 *  - pf_sql_insert prepares a second form of the INSERT with
 *    " RETURNING id" appended (unless it returns already): every table a
 *    query file inserts into with it has an id key (015-baseline.sql);
 *  - a write transaction is BEGIN (READ COMMITTED: rows lock as they are
 *    written; every read-modify-write in the query files is one
 *    statement), a read one REPEATABLE READ, READ ONLY (one snapshot, no
 *    lock); a failed statement aborts the whole transaction here, where
 *    SQLite would carry on: every caller rolls back on an error anyway;
 *  - the busy timeout is the session's lock_timeout, and a deadline
 *    (pf_store_until) becomes the transaction's own lock_timeout and
 *    statement_timeout (SET LOCAL, sent with its BEGIN);
 *  - the connection (and its reset) gives up after connect_timeout, the
 *    busy timeout in whole seconds (at least 2, libpq's least), and an
 *    idle or stalled TCP connection is found dead by keepalives (idle 30
 *    s, then 3 probes 10 s apart) and tcp_user_timeout (30 s of unacked
 *    data): an unreachable server is PF_EBUSY in bounded time, never a
 *    worker blocked until the kernel gives up.  These are defaults only:
 *    the connection string's own values, where it gives them, win;
 *  - inside a transaction, a statement the query file lets go ahead
 *    (pf_sql.ahead) whose caller wants nothing back is sent with the next
 *    one, or with the COMMIT, in one round trip (libpq's pipeline mode),
 *    its failure then that one's error;
 *  - a connection found broken when a transaction begins (the server
 *    restarted, a failover, an idle connection cut) is reset and the
 *    BEGIN tried once more, so the request is still answered;
 *  - the schema version is a one-row table, schema_version, which the
 *    migration runner creates and updates in each migration's
 *    transaction, under an advisory lock that makes two workers starting
 *    together apply a migration once (lib/schema/pg/, pf_pg_migrations);
 *  - `privforms backup` is pg_dump's job: pf_store_backup refuses, naming
 *    the command;
 *  - the round trips to the server are counted (store_impl.h's
 *    round_trips, for the tests that count what a change costs), and with
 *    PRIVFORMS_PG_TRACE in the environment each is logged, named by its
 *    last statement's what (never a value): a test's way to count a form's.
 *
 * Errors: what passes -- a lost connection, a serialization failure or
 * deadlock, a lock or statement timeout, the server shutting down or
 * starting, too many connections, a full disk or memory, a read-only
 * standby -- is PF_EBUSY (the visitor is asked to try again); anything
 * else PF_ESTORE.  The log names the statement, the SQLSTATE and the
 * server's primary message, never its detail (which can quote a row);
 * for a data exception (class 22), whose message can quote a value,
 * only the SQLSTATE.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "err.h"
#include "log.h"
#include "nitems.h"
#include "pg_module.h"
#include "schema.h"
#include "store.h"
#include "store_impl.h"
#include "store_sql.h"

static const struct pf_store_ops pg_ops;	/* at the end */

#define BUSY_TIMEOUT_DEFAULT	5000	/* ms, when the caller gives none */
#define MAX_PARAMS		32	/* the query files use at most 19 */
#define PARAMS_LIMIT		65535	/* the protocol's most */
#define BYTEA_OID		17	/* pg_type.h's BYTEAOID */
#define PIPE_MAX		32	/* statements sent ahead of their results */

/*
 * Advisory lock keys (pg_advisory_xact_lock), arbitrary constants that
 * name privforms' two serialised steps in the one-key (bigint) space, and
 * the class of pf_store_lock's keys in the two-key (int, int) space.
 */
#define LOCK_AUDIT	PF_PG_LOCK_AUDIT	/* "paf" 1: the audit chain */
#define LOCK_MIGRATE	"7061660002"	/* applying a migration */
#define LOCK_KEYS	"21"		/* pf_store_lock's class, two-key form */

/* The statements of the engine: store_sql.h's pf_dialect. */
static const struct pf_sql dialect[PF_DIALECT__MAX] = {
	/*
	 * SKIP LOCKED: a sender on another node that is claiming a row
	 * passes it by and takes the next, so each message is claimed once
	 * (the row lock holds until the claim commits) without one sender
	 * waiting for another.  The outer WHERE repeats the subquery's,
	 * which READ COMMITTED checks again on the row as it is now (a
	 * claim committed meanwhile has moved next_try to its lease end).
	 */
	[PF_DIALECT_OUTBOX_CLAIM] = { "outbox claim",
	    "UPDATE outbox SET state = 'sending', attempts = attempts + 1, "
	    "next_try = ?2, updated = ?1 "
	    "WHERE id = (SELECT id FROM outbox "
	    "WHERE state IN ('queued', 'sending') AND next_try <= ?1 "
	    "ORDER BY next_try, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
	    "AND state IN ('queued', 'sending') AND next_try <= ?1 "
	    "RETURNING " PF_OUTBOX_COLS },
	/*
	 * The new id from party's identity sequence (015-baseline.sql
	 * names it party_id_seq), which no two nodes ever get the same
	 * value from; a conflict spends one value (ids have gaps, never
	 * duplicates).  The no-op update lets RETURNING give the existing
	 * row's id, as in SQLite.
	 */
	[PF_DIALECT_PARTY_ENSURE] = { "party ensure",
	    "INSERT INTO party (id, individual, email, created) "
	    "SELECT n, n, ?1, ?2 FROM (SELECT nextval('party_id_seq') AS n) "
	    "AS s ON CONFLICT (email) DO UPDATE SET email = excluded.email "
	    "RETURNING id" },
	/* Held to the end of the transaction, on every node. */
	[PF_DIALECT_AUDIT_LOCK] = { "audit lock",
	    "SELECT pg_advisory_xact_lock(" LOCK_AUDIT ")", .ahead = 1 },
	/*
	 * The two-key form (class, hash of the key's text), whose space the
	 * one-key locks above do not share; two keys whose hashes collide
	 * only wait for each other.
	 */
	[PF_DIALECT_KEY_LOCK] = { "key lock",
	    "SELECT pg_advisory_xact_lock(" LOCK_KEYS ", hashtext(concat_ws("
	    "' ', CAST(?1 AS TEXT), CAST(?2 AS TEXT), CAST(?3 AS TEXT))))",
	    .ahead = 1 },
	/*
	 * The schema's own tables (the search path's first schema, where
	 * the migrations made them); an identity column is the one the
	 * engine numbers, from the sequence setval moves.
	 */
	[PF_DIALECT_TABLES] = { "tables",
	    "SELECT CAST(table_name AS TEXT) FROM information_schema.tables "
	    "WHERE table_schema = current_schema() AND "
	    "table_type = 'BASE TABLE' ORDER BY 1" },
	[PF_DIALECT_COLUMNS] = { "columns",
	    "SELECT CAST(column_name AS TEXT), data_type = 'bytea', "
	    "is_identity = 'YES' FROM information_schema.columns "
	    "WHERE table_schema = current_schema() AND "
	    "CAST(table_name AS TEXT) = CAST(?1 AS TEXT) "
	    "ORDER BY ordinal_position" },
	[PF_DIALECT_IDS_AFTER] = { "ids after",
	    "SELECT setval(pg_get_serial_sequence(CAST(?1 AS TEXT), "
	    "CAST(?2 AS TEXT)), CAST(?3 AS BIGINT))" },
	/* NULL until the sequence has handed out a number. */
	[PF_DIALECT_IDS_USED] = { "ids used",
	    "SELECT pg_sequence_last_value(CAST(pg_get_serial_sequence("
	    "CAST(?1 AS TEXT), CAST(?2 AS TEXT)) AS regclass))" },
	/* The table's owner may; undone with the transaction if it fails. */
	[PF_DIALECT_TRIGGERS_OFF] = { "triggers off",
	    "ALTER TABLE \"%s\" DISABLE TRIGGER USER" },
	[PF_DIALECT_TRIGGERS_ON] = { "triggers on",
	    "ALTER TABLE \"%s\" ENABLE TRIGGER USER" },
};

static const struct pf_sql_set dialect_set = {
	PF_SQL_DIALECT, PF_DIALECT__MAX, dialect
};

/* The fixed statements, run as simple queries (no parameter, no plan). */
#define SQL_BEGIN	"BEGIN ISOLATION LEVEL READ COMMITTED"
#define SQL_BEGIN_READ	"BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
#define SQL_SAVEPOINT	"SAVEPOINT pf_requests"
#define SQL_RELEASE	"RELEASE SAVEPOINT pf_requests"
#define SQL_ROLLBACK_TO	"ROLLBACK TO SAVEPOINT pf_requests"

/* Which form of a statement is prepared (a bit each, in pg.prepared). */
enum { FORM_PLAIN = 1, FORM_INSERT = 2 };

struct pg {
	struct pf_store	 base;
	PGconn		*conn;
	unsigned char	*prepared[PF_SQL__PARTS];	/* FORM_ bits */
	size_t		 n[PF_SQL__PARTS];
	long		 busy_ms;	/* lock_timeout */
	struct timespec	 until;		/* {0, 0}: no deadline */
	int		 readonly;
	int		 in_txn;	/* between a BEGIN and its end */
	/* The write transaction's id and server process (0: not known). */
	long long	 xid;
	int		 backend;
	/*
	 * Statements sent ahead in a transaction (libpq's pipeline mode)
	 * whose results are not read yet: each one's what, in order.
	 */
	const char	*sent[PIPE_MAX];
	/* What a statement's caller reads after the sync, set there: */
	long long	*outs[PIPE_MAX];	/* its id, or count (tag) */
	unsigned char	 tag[PIPE_MAX];		/* 1: the count of its tag */
	int		 nsent;
	long long	 trips;		/* round trips to the server so far */
	int		 trace;		/* PRIVFORMS_PG_TRACE: each one logged */
};

/* A row of a result; blobs holds what pf_row_blob unescaped, per column. */
struct pg_row {
	struct pf_row	 base;
	const PGresult	*res;
	int		 i;
	unsigned char	**blobs;	/* NULL until a blob is asked for */
};

static int	pg_reset(struct pg *);

static struct pg *
pg(struct pf_store *st)
{
	return (struct pg *)st;
}

/* ---- errors ---- */

/*
 * The SQLSTATEs (or classes, two characters) of conditions that pass:
 * PF_EBUSY.  Appendix A of PostgreSQL's manual.
 */
static const char *const passing[] = {
	"08",		/* connection exception */
	"40001",	/* serialization_failure */
	"40P01",	/* deadlock_detected */
	"55P03",	/* lock_not_available: lock_timeout */
	"57014",	/* query_canceled: statement_timeout */
	"57P01",	/* admin_shutdown */
	"57P02",	/* crash_shutdown */
	"57P03",	/* cannot_connect_now: starting up */
	"53",		/* insufficient resources: disk, memory, connections */
	"25006",	/* read_only_sql_transaction: a standby, mid-failover */
};

static int
state_passes(const char *state)
{
	size_t	 i, n;

	for (i = 0; i < nitems(passing); i++) {
		n = strlen(passing[i]);
		if (strncmp(state, passing[i], n) == 0)
			return 1;
	}
	return 0;
}

/*
 * The error of res (NULL: none came back) from statement what, logged.
 * Without a SQLSTATE the connection failed: that passes.
 */
static int
pg_err(struct pg *p, const PGresult *res, const char *what)
{
	const char	*state, *msg;
	int		 busy;

	state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state == NULL) {
		msg = PQerrorMessage(p->conn);
		pf_log(PF_LOG_WARN, "store: %s: %.*s", what,
		    (int)strcspn(msg, "\n"), msg);
		return PF_EBUSY;
	}
	busy = state_passes(state);
	msg = strncmp(state, "22", 2) == 0 ? "(data exception)" :
	    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	pf_log(busy ? PF_LOG_WARN : PF_LOG_ERR, "store: %s: %s %s", what,
	    state, msg != NULL ? msg : "");
	return busy ? PF_EBUSY : PF_ESTORE;
}

/* One round trip to the server, for what: counted (and traced). */
static void
trip(struct pg *p, const char *what)
{
	p->trips++;
	if (p->trace)
		pf_log(PF_LOG_INFO, "store: round trip: %s", what);
}

/* Run a fixed statement (no parameter, no row wanted). */
static int
pg_simple(struct pg *p, const char *sql, const char *what)
{
	PGresult	*res;
	int		 err = PF_OK;

	trip(p, what);
	res = PQexec(p->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		err = pg_err(p, res, what);
	PQclear(res);
	return err;
}

/* ---- statements sent ahead (pipeline) ---- */

/*
 * Inside a transaction a statement that may go ahead (store_sql.h's
 * pf_sql.ahead: a write whose outcome decides nothing before the COMMIT,
 * a lock) and whose caller wants nothing back (no count, id or row) is
 * sent and not waited for: libpq's pipeline mode queues it, and it
 * travels with the next statement that returns something, or with the
 * COMMIT (or RELEASE), in one round trip; so does a SAVEPOINT.  The server runs them in order, each with its own snapshot, as if
 * sent one by one; after a failed one it skips the rest until the sync,
 * and the transaction is then aborted.  So the failure is the next
 * statement's error (its what logged), and the caller rolls back, as it
 * would have.  Statements sent ahead are few and small, so the server's
 * answers fit the socket's buffers while the next one is written (no
 * deadlock in blocking mode).  Outside a transaction nothing waits.
 */

static int	pipe_sync(struct pg *, PGresult **);

/*
 * Room in the pipeline for one more statement, entering it if need be:
 * a full one is read first.
 */
static int
pipe_enter(struct pg *p, const char *what)
{
	int	 err;

	if (p->nsent == PIPE_MAX && (err = pipe_sync(p, NULL)) != PF_OK)
		return err;
	if (p->nsent == 0 && PQpipelineStatus(p->conn) == PQ_PIPELINE_OFF &&
	    !PQenterPipelineMode(p->conn))
		return pg_err(p, NULL, what);
	return PF_OK;
}

/* Queue sql (no parameter) in the pipeline. */
static int
pipe_text(struct pg *p, const char *sql, const char *what)
{
	int	 err;

	if ((err = pipe_enter(p, what)) != PF_OK)
		return err;
	if (!PQsendQueryParams(p->conn, sql, 0, NULL, NULL, NULL, NULL, 0))
		return pg_err(p, NULL, what);
	p->outs[p->nsent] = NULL;
	p->sent[p->nsent++] = what;
	return PF_OK;
}

/*
 * The id an insert sent ahead returned, or the rows a change sent ahead
 * changed (tag), into where its caller wants it.
 */
static int
pipe_out(struct pg *p, PGresult *res, int i)
{
	if (p->tag[i]) {
		*p->outs[i] = strtoll(PQcmdTuples(res), NULL, 10);
		return PF_OK;
	}
	if (PQntuples(res) != 1) {
		pf_log(PF_LOG_ERR, "store: %s: no id returned", p->sent[i]);
		return PF_ESTORE;
	}
	*p->outs[i] = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	return PF_OK;
}

/* The results of the statement just read, up to its end (a NULL). */
static void
pipe_rest(struct pg *p)
{
	PGresult	*res;

	while ((res = PQgetResult(p->conn)) != NULL)
		PQclear(res);
}

/*
 * Sync the pipeline and read every result in it: the first failure;
 * each id or count where it was asked for (-1 after that failure); with
 * last, the final statement's result (for the caller to PQclear, NULL
 * on a failure).  Pipeline mode ends; a no-op when nothing was sent.
 */
static int
pipe_sync(struct pg *p, PGresult **last)
{
	PGresult	*res;
	int		 i, n = p->nsent, err = PF_OK;

	if (last != NULL)
		*last = NULL;
	if (n == 0)
		return PF_OK;
	p->nsent = 0;
	/* An id or count not read (the connection lost, say): -1. */
	for (i = 0; i < n; i++)
		if (p->outs[i] != NULL)
			*p->outs[i] = -1;
	trip(p, p->sent[n - 1]);
	if (!PQpipelineSync(p->conn))
		return pg_err(p, NULL, p->sent[n - 1]);
	for (i = 0; i < n; i++) {
		if ((res = PQgetResult(p->conn)) == NULL)	/* the link is gone */
			return err != PF_OK ? err : pg_err(p, NULL, p->sent[i]);
		switch (PQresultStatus(res)) {
		case PGRES_TUPLES_OK:
		case PGRES_COMMAND_OK:
			if (p->outs[i] != NULL && err == PF_OK)
				err = pipe_out(p, res, i);
			break;
		case PGRES_PIPELINE_ABORTED:	/* after the failure */
			if (err == PF_OK) {
				pf_log(PF_LOG_ERR, "store: %s: skipped",
				    p->sent[i]);
				err = PF_ESTORE;
			}
			break;
		default:
			if (err == PF_OK)
				err = pg_err(p, res, p->sent[i]);
		}
		if (last != NULL && i == n - 1 && err == PF_OK)
			*last = res;
		else
			PQclear(res);
		pipe_rest(p);
	}
	res = PQgetResult(p->conn);
	if (PQresultStatus(res) != PGRES_PIPELINE_SYNC && err == PF_OK)
		err = pg_err(p, res, "sync");
	PQclear(res);
	if (!PQexitPipelineMode(p->conn) && err == PF_OK)
		err = pg_err(p, NULL, "sync");
	if (err != PF_OK && last != NULL) {
		PQclear(*last);
		*last = NULL;
	}
	return err;
}

/* ---- statements ---- */

/*
 * text with "?N" written "$N" outside quotes, in a new string (NULL: out
 * of memory); insert: " RETURNING id" appended unless it returns.
 */
static char *
rewrite(const char *text, int insert)
{
	const char	*tail = insert && strstr(text, "RETURNING") == NULL ?
	    " RETURNING id" : "";
	char		*out, *o, quote = '\0';
	const char	*t;

	if ((out = malloc(strlen(text) + strlen(tail) + 1)) == NULL)
		return NULL;
	for (t = text, o = out; *t != '\0'; t++, o++) {
		if (quote != '\0' && *t == quote)
			quote = '\0';
		else if (quote == '\0' && (*t == '\'' || *t == '"'))
			quote = *t;
		*o = quote == '\0' && *t == '?' &&
		    t[1] >= '0' && t[1] <= '9' ? '$' : *t;
	}
	strcpy(o, tail);
	return out;
}

/* The prepared-forms bits of statement q; NULL when out of memory. */
static unsigned char *
stmt_bits(struct pg *p, struct pf_sql_ref q)
{
	enum pf_sql_part	 part = q.set->part;

	if (p->prepared[part] == NULL) {
		if ((p->prepared[part] = calloc(q.set->n, 1)) == NULL)
			return NULL;
		p->n[part] = q.set->n;
	}
	return &p->prepared[part][q.id];
}

static void
stmt_name(struct pf_sql_ref q, int form, char *buf, size_t len)
{
	snprintf(buf, len, "pf%d_%d%s", (int)q.set->part, q.id,
	    form == FORM_INSERT ? "i" : "");
}

/* Prepare form of q on p's connection unless it is already: its name. */
static int
stmt_prepare(struct pg *p, struct pf_sql_ref q, int form, char *name,
    size_t len)
{
	const struct pf_sql	*sql = &q.set->sql[q.id];
	unsigned char		*bits;
	PGresult		*res;
	char			*text;
	int			 err = PF_OK;

	stmt_name(q, form, name, len);
	if ((bits = stmt_bits(p, q)) == NULL)
		return PF_ENOMEM;
	if (*bits & form)
		return PF_OK;
	if ((text = rewrite(sql->text, form == FORM_INSERT)) == NULL)
		return PF_ENOMEM;
	trip(p, sql->what);
	res = PQprepare(p->conn, name, text, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		err = pg_err(p, res, sql->what);
	else
		*bits |= form;
	PQclear(res);
	free(text);
	return err;
}

/*
 * The values of a run as libpq takes them; ints written into ints[].  The
 * arrays are the inline ones up to MAX_PARAMS, else one allocation, heap
 * (a copy's INSERT of many rows), which stmt_run frees.
 */
struct params {
	const char	**v;
	int		 *len, *fmt;
	char		(*ints)[24];
	void		*heap;
	const char	*v_[MAX_PARAMS];
	int		 len_[MAX_PARAMS], fmt_[MAX_PARAMS];
	char		 ints_[MAX_PARAMS][24];
};

static int
params_alloc(struct params *pa, int n)
{
	size_t	 u = (size_t)n;
	char	*h;

	pa->heap = NULL;
	pa->v = pa->v_;
	pa->len = pa->len_;
	pa->fmt = pa->fmt_;
	pa->ints = pa->ints_;
	if (n <= MAX_PARAMS)
		return PF_OK;
	if (n > PARAMS_LIMIT)
		return PF_EINVAL;
	if ((h = pa->heap = malloc(u * (sizeof(char *) + 24 +
	    2 * sizeof(int)))) == NULL)
		return PF_ENOMEM;
	pa->v = (const char **)(void *)h;
	pa->ints = (char (*)[24])(h + u * sizeof(char *));
	pa->len = (int *)(void *)(h + u * (sizeof(char *) + 24));
	pa->fmt = pa->len + n;
	return PF_OK;
}

static int
params_set(const struct pf_sql_args *a, struct params *pa)
{
	const struct pf_sql_val	*v;
	int			 i;

	if ((i = params_alloc(pa, a->n)) != PF_OK)
		return i;
	for (i = 0; i < a->n; i++) {
		v = &a->v[i];
		pa->len[i] = 0;
		pa->fmt[i] = 0;
		switch (v->type) {
		case PF_SQL_TEXT:
			pa->v[i] = v->text;
			break;
		case PF_SQL_INT:
			snprintf(pa->ints[i], sizeof(pa->ints[i]), "%lld", v->i);
			pa->v[i] = pa->ints[i];
			break;
		case PF_SQL_BLOB:
			if (v->len > INT_MAX)
				return PF_ETOOBIG;
			pa->v[i] = v->blob != NULL ? v->blob : "";
			pa->len[i] = (int)v->len;
			pa->fmt[i] = 1;
			break;
		default:
			pa->v[i] = NULL;
		}
	}
	return PF_OK;
}

/* Whether form of q is prepared on p's connection already. */
static int
stmt_ready(struct pg *p, struct pf_sql_ref q, int form)
{
	unsigned char	*bits = stmt_bits(p, q);

	return bits != NULL && (*bits & form) != 0;
}

/*
 * Run form of q with pa's values (stmt_run); ahead: sent ahead (the
 * pipeline, above), *out left NULL, and *id (may be NULL) set at the
 * sync: the insert form's id, or the plain form's count of changed rows.  A statement sent while others are
 * ahead goes with them, in one round trip; one not prepared yet is
 * prepared first, after them.
 */
static int
stmt_send(struct pg *p, struct pf_sql_ref q, int form, int n,
    const struct params *pa, int ahead, long long *id, PGresult **out)
{
	const char	*what = q.set->sql[q.id].what;
	PGresult	*res;
	char		 name[32];
	int		 err;

	/*
	 * A connection found broken outside a transaction is made again
	 * first: nothing of the caller's went with it.  Inside one it stays
	 * broken, and so the transaction fails whole, until the caller rolls
	 * back and begins again.
	 */
	if (PQstatus(p->conn) == CONNECTION_BAD && !p->in_txn &&
	    (err = pg_reset(p)) != PF_OK)
		return err;
	if (p->nsent > 0 && !stmt_ready(p, q, form) &&
	    (err = pipe_sync(p, NULL)) != PF_OK)
		return err;
	if ((err = stmt_prepare(p, q, form, name, sizeof(name))) != PF_OK)
		return err;
	if (ahead || p->nsent > 0) {
		if ((err = pipe_enter(p, what)) != PF_OK)
			return err;
		if (!PQsendQueryPrepared(p->conn, name, n, pa->v, pa->len,
		    pa->fmt, 0))
			return pg_err(p, NULL, what);
		p->outs[p->nsent] = ahead ? id : NULL;
		p->tag[p->nsent] = form == FORM_PLAIN;
		p->sent[p->nsent++] = what;
		if (ahead && p->nsent < PIPE_MAX)
			return PF_OK;
		return pipe_sync(p, ahead ? NULL : out);
	}
	trip(p, what);
	res = PQexecPrepared(p->conn, name, n, pa->v, pa->len, pa->fmt, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_COMMAND_OK) {
		err = pg_err(p, res, what);
		PQclear(res);
		return err;
	}
	*out = res;
	return PF_OK;
}

/*
 * Run form of q with a: *out the result (PGRES_TUPLES_OK or
 * PGRES_COMMAND_OK) for the caller to PQclear, or an error and NULL; or
 * inside a transaction, when nothing is wanted back now (want 0) and
 * the statement may go ahead (store_sql.h), sent ahead and NULL, *id
 * (may be NULL) set at the sync.
 */
static int
stmt_run(struct pg *p, struct pf_sql_ref q, int form, struct pf_sql_args a,
    int want, long long *id, PGresult **out)
{
	struct params	 pa;
	int		 err;

	*out = NULL;
	if ((err = params_set(&a, &pa)) != PF_OK)
		pf_log(PF_LOG_ERR, "store: %s: %d parameters", q.set->sql[q.id].what,
		    a.n);
	else
		err = stmt_send(p, q, form, a.n, &pa, !want && p->in_txn &&
		    q.set->sql[q.id].ahead, id, out);
	free(pa.heap);
	return err;
}

static int
pg_prepare(struct pf_store *st, struct pf_sql_ref q)
{
	char	 name[32];

	return stmt_prepare(pg(st), q, FORM_PLAIN, name, sizeof(name));
}

/*
 * Run a change: *out (may be NULL) is the number of rows it changed, or
 * for the insert form the id it returned.  With out NULL, inside a
 * transaction, one that may go ahead is sent ahead.
 */
static int
pg_change(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a,
    int form, long long *out)
{
	PGresult	*res;
	int		 err;

	if ((err = stmt_run(pg(st), q, form, a, out != NULL, NULL, &res)) !=
	    PF_OK || res == NULL)
		return err;
	if (form == FORM_INSERT && PQntuples(res) != 1) {
		pf_log(PF_LOG_ERR, "store: %s: no id returned",
		    q.set->sql[q.id].what);
		err = PF_ESTORE;
	} else if (out != NULL)
		*out = strtoll(form == FORM_INSERT ? PQgetvalue(res, 0, 0) :
		    PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return err;
}

static int
pg_exec(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a,
    long long *changed)
{
	return pg_change(st, q, a, FORM_PLAIN, changed);
}

static int
pg_insert(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a,
    long long *id)
{
	return pg_change(st, q, a, FORM_INSERT, id);
}

/*
 * pf_sql_insert_ahead and pf_sql_exec_ahead: the id, or the count, set
 * when what was sent ahead is read.
 */
static int
pg_ahead(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a,
    int form, long long *out)
{
	struct pg	*p = pg(st);
	PGresult	*res;
	int		 err;

	if (!p->in_txn || !q.set->sql[q.id].ahead || out == NULL)
		return pg_change(st, q, a, form, out);
	err = stmt_run(p, q, form, a, 0, out, &res);
	PQclear(res);	/* NULL: it went ahead */
	return err;
}

static int
pg_insert_ahead(struct pf_store *st, struct pf_sql_ref q,
    struct pf_sql_args a, long long *id)
{
	return pg_ahead(st, q, a, FORM_INSERT, id);
}

static int
pg_exec_ahead(struct pf_store *st, struct pf_sql_ref q,
    struct pf_sql_args a, long long *changed)
{
	return pg_ahead(st, q, a, FORM_PLAIN, changed);
}

/* Rows from..to-1 of res to fn (NULL: none): fn's first non-zero value. */
static int
rows_walk(const PGresult *res, int from, int to, pf_row_fn *fn, void *ctx)
{
	struct pg_row	 row = { { &pg_ops }, res, 0, NULL };
	int		 c, n = PQnfields(res), err = PF_OK;

	for (row.i = from; fn != NULL && row.i < to && err == PF_OK; row.i++) {
		err = fn(&row.base, ctx);
		if (row.blobs == NULL)
			continue;
		for (c = 0; c < n; c++) {
			PQfreemem(row.blobs[c]);
			row.blobs[c] = NULL;
		}
	}
	free(row.blobs);
	return err;
}

/*
 * Run q and give fn its rows, or (one) its first row and PF_ENOTFOUND
 * when there is none.  The whole statement has run when its result is
 * here, so a change that returns its rows is complete either way.  With
 * no fn and not one (a lock), inside a transaction, one that may go
 * ahead is sent ahead.
 */
static int
pg_rows(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a,
    pf_row_fn *fn, void *ctx, int one)
{
	PGresult	*res;
	int		 err, n;

	if ((err = stmt_run(pg(st), q, FORM_PLAIN, a, fn != NULL || one, NULL,
	    &res)) != PF_OK || res == NULL)
		return err;
	n = PQntuples(res);
	err = one && n == 0 ? PF_ENOTFOUND :
	    rows_walk(res, 0, one ? 1 : n, fn, ctx);
	PQclear(res);
	return err;
}

static int
pg_each(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a,
    pf_row_fn *fn, void *ctx)
{
	return pg_rows(st, q, a, fn, ctx, 0);
}

static int
pg_one(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a,
    pf_row_fn *fn, void *ctx)
{
	return pg_rows(st, q, a, fn, ctx, 1);
}

static struct pf_sql_ref
pg_dialect(enum pf_dialect id)
{
	return PF_SQL_REF(&dialect_set, id);
}

/* ---- rows ---- */

static const struct pg_row *
row_of(const struct pf_row *row)
{
	return (const struct pg_row *)row;
}

static const char *
pg_row_text(const struct pf_row *row, int col)
{
	const struct pg_row	*r = row_of(row);

	if (PQgetisnull(r->res, r->i, col))
		return NULL;
	return PQgetvalue(r->res, r->i, col);
}

/* A boolean (a comparison in a select list) is 1 or 0, as in SQLite. */
static long long
pg_row_int(const struct pf_row *row, int col)
{
	const char	*v = pg_row_text(row, col);

	if (v == NULL)
		return 0;
	if (strcmp(v, "t") == 0 || strcmp(v, "f") == 0)
		return v[0] == 't';
	return strtoll(v, NULL, 10);
}

static int
pg_row_null(const struct pf_row *row, int col)
{
	return PQgetisnull(row_of(row)->res, row_of(row)->i, col);
}

/* A bytea column unescaped, kept until the row's callback returns. */
static const void *
pg_row_blob(const struct pf_row *row, int col, size_t *len)
{
	struct pg_row	*r = (struct pg_row *)row_of(row);
	const char	*v = pg_row_text(row, col);

	*len = 0;
	if (v == NULL)
		return NULL;
	if (PQftype(r->res, col) != BYTEA_OID) {
		*len = strlen(v);
		return v;
	}
	if (r->blobs == NULL &&
	    (r->blobs = calloc((size_t)PQnfields(r->res), sizeof(*r->blobs))) ==
	    NULL)
		return NULL;
	PQfreemem(r->blobs[col]);
	r->blobs[col] = PQunescapeBytea((const unsigned char *)v, len);
	return r->blobs[col];
}

/* ---- the session ---- */

/*
 * What every session of ours runs first, on each connection and again
 * after a reset: text in UTF-8 whatever the database's encoding, the busy
 * timeout as lock_timeout, and a read-only store's sessions read-only.
 */
static int
session_setup(struct pg *p)
{
	char	 sql[160];

	snprintf(sql, sizeof(sql), "SET client_encoding = 'UTF8'; "
	    "SET client_min_messages = warning; SET lock_timeout = %ld%s", p->busy_ms, p->readonly ?
	    "; SET default_transaction_read_only = on" : "");
	return pg_simple(p, sql, "session");
}

/* Forget what was prepared: a new session has none of it. */
static void
prepared_forget(struct pg *p)
{
	size_t	 i;

	for (i = 0; i < PF_SQL__PARTS; i++)
		if (p->prepared[i] != NULL)
			memset(p->prepared[i], 0, p->n[i]);
}

/* Connect again with the same parameters (PQreset), and set up. */
static int
pg_reset(struct pg *p)
{
	const char	*msg;

	prepared_forget(p);
	p->nsent = 0;		/* PQreset ends the pipeline */
	PQreset(p->conn);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		msg = PQerrorMessage(p->conn);
		pf_log(PF_LOG_WARN, "store: reconnect: %.*s",
		    (int)strcspn(msg, "\n"), msg);
		return PF_EBUSY;
	}
	pf_log(PF_LOG_INFO, "store: reconnected to the database");
	return session_setup(p);
}

/* ---- transactions ---- */

/* Milliseconds left until p's deadline, at least 1; -1 with none. */
static long
until_ms(const struct pg *p)
{
	struct timespec	 now;
	long		 ms;

	if (p->until.tv_sec == 0 && p->until.tv_nsec == 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long)(p->until.tv_sec - now.tv_sec) * 1000 +
	    (p->until.tv_nsec - now.tv_nsec) / 1000000;
	return ms < 1 ? 1 : ms;
}

/*
 * begin, and under a deadline the transaction's own timeouts: no wait
 * for a lock past the busy timeout or the deadline, and no statement
 * past the deadline.  One round trip.
 */
static void
begin_text(const struct pg *p, const char *begin, char *buf, size_t len)
{
	long	 ms = until_ms(p);

	if (ms < 0)
		snprintf(buf, len, "%s", begin);
	else
		snprintf(buf, len, "%s; SET LOCAL lock_timeout = %ld; "
		    "SET LOCAL statement_timeout = %ld", begin,
		    ms < p->busy_ms ? ms : p->busy_ms, ms);
}

/*
 * What was sent ahead is read and dropped, its failure and its ids and
 * counts written nowhere: a rollback (of the transaction or of a
 * savepoint) often follows a caller that failed and returned, and whose
 * variable such a pointer named is gone.
 */
static void
pipe_drop(struct pg *p)
{
	int	 i;

	for (i = 0; i < p->nsent; i++)
		p->outs[i] = NULL;
	(void)pipe_sync(p, NULL);
}

/* What was sent ahead is dropped (pipe_drop), then ROLLBACK. */
static void
pg_rollback(struct pf_store *st)
{
	struct pg		*p = pg(st);
	PGTransactionStatusType	 t;

	pipe_drop(p);
	/*
	 * A read that ended early (libpq out of memory, say) leaves results
	 * unread and the connection in pipeline mode, where no plain
	 * statement runs, the next BEGIN included: start afresh (the server
	 * rolls back what the old session had begun).
	 */
	if (PQpipelineStatus(p->conn) != PQ_PIPELINE_OFF &&
	    PQstatus(p->conn) == CONNECTION_OK &&
	    !PQexitPipelineMode(p->conn))
		(void)pg_reset(p);
	t = PQtransactionStatus(p->conn);
	p->in_txn = 0;
	p->xid = 0;
	if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR)
		(void)pg_simple(p, "ROLLBACK", "rollback");
}

/*
 * pf_store_rollback_ahead: the ROLLBACK queued (pipe_text), to go with
 * the statement its caller sends next; the transaction ends here as far
 * as this session's state goes.  Where anything is queued already, or
 * the connection or transaction is not as it should be, a rollback now.
 */
static void
pg_rollback_ahead(struct pf_store *st)
{
	struct pg	*p = pg(st);

	if (p->nsent > 0 || PQstatus(p->conn) != CONNECTION_OK ||
	    PQtransactionStatus(p->conn) != PQTRANS_INTRANS ||
	    pipe_text(p, "ROLLBACK", "rollback") != PF_OK) {
		pg_rollback(st);
		return;
	}
	p->in_txn = 0;
	p->xid = 0;
}

/*
 * Run sql, which begins a transaction; a write one (write set) also asks
 * for its id, in the same round trip: what pg_commit asks the server
 * about when the connection is lost while it commits.
 */
static int
begin_exec(struct pg *p, int write, const char *sql, const char *what)
{
	char		 text[256];
	PGresult	*res;
	int		 err;

	p->xid = 0;
	if (!write)
		return pg_simple(p, sql, what);
	snprintf(text, sizeof(text), "%s; SELECT txid_current()", sql);
	trip(p, what);
	res = PQexec(p->conn, text);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		err = pg_err(p, res, what);
	else {
		p->xid = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		p->backend = PQbackendPID(p->conn);
		err = PF_OK;
	}
	PQclear(res);
	return err;
}

/*
 * One try at a BEGIN (and what is sent with it): PF_OK, or why not.  A
 * try that has given rows to its caller clears *again: what the caller
 * did with them cannot be undone, so it is not tried a second time.
 */
typedef int begin_try_fn(struct pg *p, const void *arg, int *again);

/*
 * try(p, arg), which begins a transaction.  A connection that is broken,
 * or found broken by the try (the server restarted, or cut it), is reset
 * and the try made once more, unless the try gave rows to its caller: no
 * other statement of the request has run yet.  A failed try is rolled
 * back.
 */
static int
begin_tried(struct pg *p, begin_try_fn *try, const void *arg)
{
	int	 err = PF_EBUSY, tries, again = 1;

	/*
	 * Anything still queued (a ROLLBACK sent ahead with no statement
	 * after it) is read and dropped, leaving pipeline mode, or the
	 * connection is made again below: pipeline mode runs no BEGIN.
	 */
	if (p->nsent > 0)
		pg_rollback(&p->base);
	for (tries = 0; tries < 2 && again; tries++) {
		if (PQstatus(p->conn) != CONNECTION_OK &&
		    (err = pg_reset(p)) != PF_OK)
			return err;
		if ((err = try(p, arg, &again)) == PF_OK) {
			p->in_txn = 1;
			return PF_OK;
		}
		pg_rollback(&p->base);
		if (PQstatus(p->conn) == CONNECTION_OK)
			break;	/* the server refused it: no second try */
	}
	return err;
}

/* A BEGIN alone: begin_with's arguments. */
struct begin_plain {
	const char	*begin;
	int		 write;
	const char	*what;
};

static int
plain_try(struct pg *p, const void *arg, int *again)
{
	const struct begin_plain	*b = arg;
	char				 sql[192];

	(void)again;	/* a BEGIN alone gives no rows */
	begin_text(p, b->begin, sql, sizeof(sql));
	return begin_exec(p, b->write, sql, b->what);
}

/*
 * Begin with begin (write: a write transaction, whose id begin_exec
 * learns), tried again on a broken connection (begin_tried).
 */
static int
begin_with(struct pg *p, const char *begin, int write, const char *what)
{
	const struct begin_plain	 b = { begin, write, what };

	return begin_tried(p, plain_try, &b);
}

static int
pg_begin(struct pf_store *st)
{
	return begin_with(pg(st), SQL_BEGIN, 1, "begin");
}

/*
 * The results of a simple query that began a transaction: the tuples of
 * its i-th SELECT to fn[i] (*again cleared once any went); the first
 * error.
 */
static int
then_results(struct pg *p, int n, pf_row_fn *const *fn, void *ctx,
    int *again)
{
	PGresult	*res;
	int		 k = 0, err = PF_OK;

	while ((res = PQgetResult(p->conn)) != NULL) {
		if (PQresultStatus(res) == PGRES_TUPLES_OK) {
			if (err == PF_OK && k < n && PQntuples(res) > 0) {
				*again = 0;
				err = rows_walk(res, 0, PQntuples(res), fn[k],
				    ctx);
			}
			k++;
		} else if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		    err == PF_OK)
			err = pg_err(p, res, "begin then");
		PQclear(res);
	}
	if (err == PF_OK && k != n) {
		pf_log(PF_LOG_ERR, "store: begin then: %d results of %d", k, n);
		err = PF_ESTORE;
	}
	return err;
}

/* pf_sql_begin_then's arguments. */
struct begin_then {
	const struct pf_sql_ref	*q;
	int			 n;
	pf_row_fn *const	*fn;
	void			*ctx;
};

static int
then_try(struct pg *p, const void *arg, int *again)
{
	const struct begin_then	*b = arg;
	char			 sql[1024];
	size_t			 len;
	int			 i;

	begin_text(p, SQL_BEGIN, sql, sizeof(sql));
	for (i = 0; i < b->n; i++) {
		len = strlen(sql);
		if ((size_t)snprintf(sql + len, sizeof(sql) - len, "; %s",
		    b->q[i].set->sql[b->q[i].id].text) >= sizeof(sql) - len)
			return PF_ETOOBIG;	/* nothing sent */
	}
	trip(p, "begin then");
	if (!PQsendQuery(p->conn, sql))
		return pg_err(p, NULL, "begin then");
	return then_results(p, b->n, b->fn, b->ctx, again);
}

/*
 * pf_sql_begin_then: BEGIN (with its timeouts, begin_text) and the
 * statements as one simple query, whose statements run one after the
 * other, each with its own snapshot; tried again on a broken connection,
 * as a BEGIN alone is, while no rows have gone to fn (begin_tried).
 */
static int
pg_begin_then(struct pf_store *st, const struct pf_sql_ref *q, int n,
    pf_row_fn *const *fn, void *ctx)
{
	const struct begin_then	 b = { q, n, fn, ctx };

	return begin_tried(pg(st), then_try, &b);
}

static int
pg_begin_read(struct pf_store *st)
{
	return begin_with(pg(st), SQL_BEGIN_READ, 0, "begin read");
}

/*
 * Whether the write transaction p lost its connection while committing
 * did commit: once its server process has ended (asked to, waiting for
 * it: a commit under way completes first), the server's status of its
 * id is final.  PF_OK when committed; PF_EBUSY when it did not, or when
 * the server cannot say (not reachable again): the caller's answer is
 * then "try again", as for any failed commit.
 */
static int
commit_outcome(struct pg *p)
{
	char		 pid[16], wait[24], xid[24];
	const char	*v[3];
	PGresult	*res;
	int		 err = PF_EBUSY;

	if (p->xid == 0 || pg_reset(p) != PF_OK)
		goto unknown;
	snprintf(pid, sizeof(pid), "%d", p->backend);
	snprintf(wait, sizeof(wait), "%ld", p->busy_ms);
	snprintf(xid, sizeof(xid), "%lld", p->xid);
	v[0] = pid;
	v[1] = wait;
	v[2] = xid;
	/*
	 * Only while it is still in our transaction: after a restart or a
	 * failover the pid may be another session's.
	 */
	trip(p, "commit outcome");
	res = PQexecParams(p->conn, "SELECT pg_terminate_backend(pid, "
	    "CAST($2 AS bigint)) FROM pg_stat_activity WHERE pid = "
	    "CAST($1 AS integer) AND CAST(CAST(backend_xid AS text) AS "
	    "bigint) = mod(CAST($3 AS bigint), 4294967296)", 3, NULL, v, NULL,
	    NULL, 0);
	PQclear(res);
	v[0] = xid;
	trip(p, "commit outcome");
	res = PQexecParams(p->conn, "SELECT txid_status($1)", 1, NULL, v,
	    NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	    !PQgetisnull(res, 0, 0)) {
		err = strcmp(PQgetvalue(res, 0, 0), "committed") == 0 ?
		    PF_OK : PF_EBUSY;
		/* committed, aborted, or in progress (the wait ran out) */
		pf_log(PF_LOG_WARN, "store: commit: the connection was lost; "
		    "the transaction: %s", PQgetvalue(res, 0, 0));
		PQclear(res);
		return err;
	}
	PQclear(res);
unknown:
	pf_log(PF_LOG_WARN, "store: commit: the connection was lost; whether "
	    "the transaction committed is not known");
	return err;
}

/*
 * COMMIT of a transaction a statement failed in rolls it back and says
 * so only in its command tag: that is a failure here, as it would be for
 * the caller.  A connection lost while it commits is asked about
 * (commit_outcome): a commit that happened is not reported failed, so
 * that a visitor is not told to send again what was stored.
 */
static int
pg_commit(struct pf_store *st)
{
	struct pg	*p = pg(st);
	PGresult	*res;
	int		 err = PF_OK;

	if (p->nsent == 0 && PQtransactionStatus(p->conn) == PQTRANS_INERROR) {
		pf_log(PF_LOG_ERR, "store: commit: a statement of the "
		    "transaction failed");
		pg_rollback(st);
		return PF_ESTORE;
	}
	if (p->nsent > 0) {
		/* With what was sent ahead: its failure skips the COMMIT. */
		if ((err = pipe_text(p, "COMMIT", "commit")) == PF_OK)
			err = pipe_sync(p, &res);
		else
			res = NULL;
	} else {
		trip(p, "commit");
		res = PQexec(p->conn, "COMMIT");
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			err = pg_err(p, res, "commit");
	}
	if (err == PF_OK && strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		pf_log(PF_LOG_ERR, "store: commit: rolled back");
		err = PF_ESTORE;
	}
	PQclear(res);
	if (err != PF_OK && PQstatus(p->conn) == CONNECTION_BAD)
		err = commit_outcome(p);
	else if (err != PF_OK)
		pg_rollback(st);
	p->in_txn = 0;
	p->xid = 0;
	return err;
}

/* Sent ahead, with the savepoint's first statement. */
static int
pg_savepoint(struct pf_store *st)
{
	return pipe_text(pg(st), SQL_SAVEPOINT, "savepoint");
}

/*
 * RELEASE with what was sent ahead, in one round trip: a failure of
 * theirs (the savepoint's work) is then undone as the caller's is.
 */
static int
pg_savepoint_end(struct pf_store *st, int err)
{
	struct pg	*p = pg(st);

	if (err == PF_OK && (err = pipe_text(p, SQL_RELEASE, "release")) ==
	    PF_OK && (err = pipe_sync(p, NULL)) == PF_OK)
		return PF_OK;
	pipe_drop(p);
	/* Undoes the savepoint's work, and clears a failed statement. */
	(void)pg_simple(p, SQL_ROLLBACK_TO, "rollback to");
	(void)pg_simple(p, SQL_RELEASE, "release");
	return err;
}

static void
pg_until(struct pf_store *st, const struct timespec *until)
{
	if (until != NULL)
		pg(st)->until = *until;
	else
		pg(st)->until.tv_sec = pg(st)->until.tv_nsec = 0;
}

/* ---- settings and the schema version ---- */

/* The first column of sql's first row into buf: PF_ENOTFOUND if none. */
static int
query_text(struct pg *p, const char *sql, char *buf, size_t len)
{
	PGresult	*res;
	int		 err = PF_OK;

	trip(p, sql);
	res = PQexec(p->conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		err = pg_err(p, res, sql);
	else if (PQntuples(res) == 0)
		err = PF_ENOTFOUND;
	else
		snprintf(buf, len, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return err;
}

/* Version 0 until the runner has made the table and its row. */
static int
pg_schema_version(struct pf_store *st, int *version)
{
	char	 v[32];
	int	 err;

	*version = 0;
	if ((err = query_text(pg(st), "SELECT to_regclass('schema_version') "
	    "IS NOT NULL", v, sizeof(v))) != PF_OK || strcmp(v, "t") != 0)
		return err;
	err = query_text(pg(st), "SELECT version FROM schema_version", v,
	    sizeof(v));
	if (err == PF_OK)
		*version = atoi(v);
	return err == PF_ENOTFOUND ? PF_OK : err;
}

/*
 * synchronous_commit as SQLite's synchronous levels: 2 (FULL) when a
 * commit waits for its WAL flush on this server, 0 when it does not.
 */
static const struct {
	const char	*name;
	int		 level;
} sync_levels[] = {
	{ "off", 0 }, { "local", 2 }, { "remote_write", 2 }, { "on", 2 },
	{ "remote_apply", 2 },
};

static int
pg_synchronous(struct pf_store *st, int *level)
{
	char	 v[32];
	size_t	 i;
	int	 err;

	*level = 0;
	if ((err = query_text(pg(st), "SHOW synchronous_commit", v,
	    sizeof(v))) != PF_OK)
		return err == PF_ENOTFOUND ? PF_ESTORE : err;
	for (i = 0; i < nitems(sync_levels); i++)
		if (strcmp(v, sync_levels[i].name) == 0)
			*level = sync_levels[i].level;
	return PF_OK;
}

/* PostgreSQL's WAL is always on: there is no mode to choose. */
static const char *
pg_journal_mode(struct pf_store *st)
{
	(void)st;
	return "postgresql";
}

/* Every relation's files, indexes and TOAST included. */
static int
pg_size(struct pf_store *st, long long *bytes)
{
	char	 v[32];
	int	 err;

	*bytes = 0;
	if ((err = query_text(pg(st), "SELECT pg_database_size("
	    "current_database())", v, sizeof(v))) == PF_OK)
		*bytes = strtoll(v, NULL, 10);
	return err == PF_ENOTFOUND ? PF_ESTORE : err;
}

/* ---- migrations ---- */

/*
 * Apply migration m if the database lacks it: in one transaction, under
 * the migration lock, with the version read again inside (two workers
 * starting together apply it once).  The version table is made here, so
 * that a migration only ever updates it.
 */
static int
migrate_one(struct pg *p, const struct pf_migration *m)
{
	char	 sql[64];
	int	 err, v;

	if ((err = pg_begin(&p->base)) != PF_OK)
		return err;
	if ((err = pg_simple(p, "SELECT pg_advisory_xact_lock(" LOCK_MIGRATE
	    "); CREATE TABLE IF NOT EXISTS schema_version "
	    "(version integer NOT NULL); INSERT INTO schema_version "
	    "SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version)",
	    "schema version")) != PF_OK ||
	    (err = pg_schema_version(&p->base, &v)) != PF_OK)
		goto fail;
	if (v >= (int)m->version)
		return pg_commit(&p->base);
	snprintf(sql, sizeof(sql), "UPDATE schema_version SET version = %u",
	    m->version);
	if ((err = pg_simple(p, m->sql, m->name)) != PF_OK ||
	    (err = pg_simple(p, sql, m->name)) != PF_OK)
		goto fail;
	if ((err = pg_commit(&p->base)) != PF_OK)
		return err;
	pf_log(PF_LOG_INFO, "store: schema migrated to version %u (%s)",
	    m->version, m->name);
	return PF_OK;
fail:
	pg_rollback(&p->base);
	return err;
}

static unsigned
pg_ours(void)
{
	return pf_pg_nmigrations > 0 ?
	    pf_pg_migrations[pf_pg_nmigrations - 1].version : 0;
}

static int
pg_migrate(struct pg *p)
{
	unsigned	 i;
	int		 err, v;

	if ((err = pg_schema_version(&p->base, &v)) != PF_OK)
		return err;
	if (v > (int)pg_ours()) {
		pf_log(PF_LOG_ERR, "store: database schema version %d is newer "
		    "than this program's %u", v, pg_ours());
		return PF_ECONFIG;
	}
	for (i = 0; i < pf_pg_nmigrations; i++)
		if ((int)pf_pg_migrations[i].version > v &&
		    (err = migrate_one(p, &pf_pg_migrations[i])) != PF_OK)
			return err;
	return PF_OK;
}

/* ---- the connection ---- */

static void
pg_close(struct pf_store *st)
{
	struct pg	*p = pg(st);
	size_t		 i;

	for (i = 0; i < PF_SQL__PARTS; i++)
		free(p->prepared[i]);
	/* Ends the session, which rolls back an open transaction. */
	PQfinish(p->conn);
	free(p);
}

/*
 * libpq's connection to conninfo with our timeouts (the header, "the
 * connection gives up") as defaults: they come before the expanded
 * dbname, whose own values therefore override them.  PQreset reuses them.
 */
static PGconn *
connect_bounded(const char *conninfo, long busy_ms)
{
	static const char *const keys[] = { "connect_timeout", "keepalives",
	    "keepalives_idle", "keepalives_interval", "keepalives_count",
	    "tcp_user_timeout", "dbname", NULL };
	char		 secs[24];
	const char	*values[] = { secs, "1", "30", "10", "3", "30000",
	    conninfo, NULL };
	long		 s = (busy_ms + 999) / 1000;

	snprintf(secs, sizeof(secs), "%ld", s < 2 ? 2 : s);
	return PQconnectdbParams(keys, values, 1);
}

/*
 * A session on opts->path (a libpq connection string), set up.  A server
 * that cannot be reached is PF_EBUSY, like an SQLite file that cannot be
 * opened: the first request that needs it tries again.
 */
static int
pg_connect(const struct pf_store_opts *opts, int readonly, struct pg **out)
{
	struct pg	*p;
	const char	*msg;
	int		 err;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return PF_ENOMEM;
	p->base.ops = &pg_ops;
	p->busy_ms = opts->busy_timeout_ms > 0 ? opts->busy_timeout_ms :
	    BUSY_TIMEOUT_DEFAULT;
	p->readonly = readonly;
	p->trace = getenv("PRIVFORMS_PG_TRACE") != NULL;
	if ((p->conn = connect_bounded(opts->path, p->busy_ms)) == NULL) {
		free(p);
		return PF_ENOMEM;
	}
	if (PQstatus(p->conn) != CONNECTION_OK) {
		msg = PQerrorMessage(p->conn);
		pf_log(PF_LOG_WARN, "store: cannot connect to the database: "
		    "%.*s", (int)strcspn(msg, "\n"), msg);
		err = PF_EBUSY;
	} else
		err = session_setup(p);
	if (err != PF_OK) {
		pg_close(&p->base);
		return err;
	}
	*out = p;
	return PF_OK;
}

/*
 * The open checks that a commit waits for its flush, then migrates; an
 * existing database is one that has privforms' schema (version > 0).
 */
static int
pg_open(const struct pf_store_opts *opts, const struct timespec *until,
    int existing, struct pf_store **out)
{
	struct pg	*p;
	int		 err, level, v = 0;

	if ((err = pg_connect(opts, 0, &p)) != PF_OK)
		return err;
	pg_until(&p->base, until);
	if ((err = pg_synchronous(&p->base, &level)) == PF_OK && level != 2) {
		pf_log(PF_LOG_ERR, "store: synchronous_commit is off: a "
		    "commit would not wait for its flush (set it on)");
		err = PF_ECONFIG;
	}
	if (err == PF_OK && existing &&
	    (err = pg_schema_version(&p->base, &v)) == PF_OK && v == 0)
		err = PF_ENOTFOUND;
	if (err == PF_OK)
		err = pg_migrate(p);
	if (err != PF_OK) {
		pg_close(&p->base);
		return err;
	}
	pg_until(&p->base, NULL);
	*out = &p->base;
	return PF_OK;
}

static int
pg_open_readonly(const struct pf_store_opts *opts, struct pf_store **out)
{
	struct pg	*p;
	int		 err, v;

	if ((err = pg_connect(opts, 1, &p)) != PF_OK)
		return err;
	if ((err = pg_schema_version(&p->base, &v)) == PF_OK &&
	    v != (int)pg_ours()) {
		pf_log(PF_LOG_ERR, "store: database schema version %d, this "
		    "program's is %u: %s", v, pg_ours(), v < (int)pg_ours() ?
		    "run privforms init to bring it up to date" :
		    "a newer privforms wrote it");
		err = PF_ECONFIG;
	}
	if (err != PF_OK) {
		pg_close(&p->base);
		return err;
	}
	*out = &p->base;
	return PF_OK;
}

/* A copy of a PostgreSQL database is pg_dump's: named, never made here. */
static int
pg_backup(struct pf_store *st, const char *path, int replace,
    long long *bytes)
{
	const char	*host = PQhost(pg(st)->conn);

	(void)replace;
	(void)bytes;
	/* No host (NULL, or ""): libpq's default, as the connection's was. */
	if (host == NULL || host[0] == '\0')
		host = NULL;
	pf_log(PF_LOG_ERR, "store: backup: the database is PostgreSQL: use "
	    "pg_dump --format=custom --file=%s 'dbname=%s%s%s'", path,
	    PQdb(pg(st)->conn), host != NULL ? " host=" : "",
	    host != NULL ? host : "");
	return PF_ECONFIG;
}

/* ---- the configuration's check ---- */

#define BLANKS		" \t\n\r\f\v"
#define PASSWORD	"password"

static const char *const uri_schemes[] = { "postgresql://", "postgres://" };

/* The n bytes at s, percent-decoded as a URI's are, say "password". */
static int
is_password(const char *s, size_t n)
{
	char		 hex[3] = "";
	size_t		 i, k = 0;
	int		 c;

	for (i = 0; i < n; i++, k++) {
		c = (unsigned char)s[i];
		if (c == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			memcpy(hex, s + i + 1, 2);
			c = (int)strtol(hex, NULL, 16);
			i += 2;
		}
		if (k >= strlen(PASSWORD) || c != PASSWORD[k])
			return 0;
	}
	return k == strlen(PASSWORD);
}

/*
 * A URI (the text after its scheme) with a password: user:password@ (as
 * libpq reads it, an '@' before the first '/'; an empty password too) or
 * a query parameter password, its name percent-encoded or not.
 */
static int
uri_password(const char *rest)
{
	const char	*q;
	size_t		 auth = strcspn(rest, "@/"), key;

	if (rest[auth] == '@' && memchr(rest, ':', auth) != NULL)
		return 1;
	for (q = strchr(rest, '?'); q != NULL; q = strchr(q, '&')) {
		q++;
		key = strcspn(q, "=&");
		if (is_password(q, key))
			return 1;
	}
	return 0;
}

/* The end of the keyword form's value at s: bare, or single-quoted. */
static const char *
value_end(const char *s)
{
	int	 quoted = *s == '\'';

	for (s += quoted; *s != '\0'; s++)
		if (*s == '\\' && s[1] != '\0')
			s++;
		else if (quoted ? *s == '\'' : strchr(BLANKS, *s) != NULL)
			return s + quoted;
	return s;
}

/* The keyword form (key = value ...) with the key password, any value. */
static int
keyword_password(const char *s)
{
	size_t	 n;

	for (;;) {
		s += strspn(s, BLANKS);
		n = strcspn(s, "=" BLANKS);
		if (n == 0)
			return 0;
		if (n == strlen(PASSWORD) && strncmp(s, PASSWORD, n) == 0)
			return 1;
		s += n;
		s += strspn(s, BLANKS);
		if (*s != '=')
			return 0;
		s++;
		s = value_end(s + strspn(s, BLANKS));
	}
}

/*
 * Parsed by libpq itself (PQconninfoParse reads both the URI and the
 * keyword forms, as PQconnectdb will): a password in it is refused, since
 * the configuration file is readable by the web server's programs and
 * copied into backups; libpq's passfile or service file holds it instead.
 * libpq keeps only the last value of a repeated key (password=secret
 * password=, or user:secret@ then ?password=), so the text itself is read
 * for any password given, empty or not, wherever it is.
 */
static const char *
pg_check(const char *conninfo, char *buf, size_t len)
{
	PQconninfoOption	*opt;
	char			*why = NULL;
	const char		*rest = NULL;
	size_t			 i;

	if ((opt = PQconninfoParse(conninfo, &why)) == NULL) {
		/* libpq's message ends in a newline. */
		snprintf(buf, len, "is not a libpq connection string: %.*s",
		    why != NULL ? (int)strcspn(why, "\n") : 13,
		    why != NULL ? why : "out of memory");
		PQfreemem(why);
		return buf;
	}
	PQconninfoFree(opt);
	for (i = 0; i < nitems(uri_schemes) && rest == NULL; i++)
		if (strncmp(conninfo, uri_schemes[i],
		    strlen(uri_schemes[i])) == 0)
			rest = conninfo + strlen(uri_schemes[i]);
	if (rest != NULL ? !uri_password(rest) : !keyword_password(conninfo))
		return NULL;
	snprintf(buf, len, "carries a password: put it in libpq's password "
	    "file (~/.pgpass, or the file PGPASSFILE names) or a service file "
	    "(pg_service.conf), never in privforms.conf");
	return buf;
}

static long long
pg_round_trips(struct pf_store *st)
{
	return pg(st)->trips;
}

static const struct pf_store_ops pg_ops = {
	.audit_seals = 1,
	.round_trips = pg_round_trips,
	.open = pg_open,
	.open_readonly = pg_open_readonly,
	.close = pg_close,
	.until = pg_until,
	.exec = pg_exec,
	.insert = pg_insert,
	.insert_ahead = pg_insert_ahead,
	.exec_ahead = pg_exec_ahead,
	.each = pg_each,
	.one = pg_one,
	.prepare = pg_prepare,
	.dialect = pg_dialect,
	.begin = pg_begin,
	.begin_then = pg_begin_then,
	.begin_read = pg_begin_read,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.rollback_ahead = pg_rollback_ahead,
	.savepoint = pg_savepoint,
	.savepoint_end = pg_savepoint_end,
	.schema_version = pg_schema_version,
	.synchronous = pg_synchronous,
	.journal_mode = pg_journal_mode,
	.size = pg_size,
	.backup = pg_backup,
	.row_text = pg_row_text,
	.row_int = pg_row_int,
	.row_null = pg_row_null,
	.row_blob = pg_row_blob,
};

/* The module's one exported symbol (pg_module.h). */
__attribute__((visibility("default")))
const struct pf_pg_module pf_pg_module = { sizeof(pg_ops), &pg_ops,
    pg_check };
