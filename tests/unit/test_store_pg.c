/*
 * test_store_pg.c -- the PostgreSQL backend (lib/store_pg.c) against a real
 * server: every statement of every query file prepares, values round-trip,
 * transactions, savepoints, the error mapping and reconnection, and the
 * two statements that must hold across connections (the outbox claim, the
 * audit append); audit records sealed after the commit (audit.h, Sealing)
 * and INSTALL's roles (section 20), which only PostgreSQL has.
 *
 * The server is a private one, started once for the program with
 * tools/pgtest.sh (run from the top of the source tree, as `make unit`
 * does) and stopped at its end; each test gets a database of its own.  When
 * the server cannot start, every test says so on stdout and passes without
 * testing: the one case that is skipped, and never silently.  A second
 * connection of libpq's own plays the other node or the administrator.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "check_main.h"
#include "busy.h"
#include "err.h"
#include "fixture.h"
#include "nitems.h"
#include "store.h"
#include "store_impl.h"
#include "store_sql.h"
#include "subscription.h"
#include "txn.h"

#define T1	"2026-11-24T06:00:00.000001Z"
#define T2	"2026-11-24T07:00:00.000002Z"
#define LEASE	"2026-11-24T07:05:00.000002Z"

static char	 server[64];	/* the server's directory and socket */
static int	 no_server;	/* it did not start: every test is skipped */
static char	 dbname[64];	/* the running test's database */
static char	 conninfo[256];	/* to it */
static struct pf_store *st;	/* on it, opened (so migrated) by setup */

/* Run a shell command line; its exit status. */
static int
run(const char *fmt, const char *arg)
{
	char	 cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, arg);
	return system(cmd);
}

static void
server_start(void)
{
	strcpy(server, "/tmp/pfpg.XXXXXX");
	if (mkdtemp(server) == NULL ||
	    run("sh tools/pgtest.sh start %s", server) != 0) {
		no_server = 1;
		printf("test_store_pg: SKIPPED: the test PostgreSQL server "
		    "did not start (sh tools/pgtest.sh start %s: see its "
		    "messages above; install postgresql-15)\n", server);
		fflush(stdout);
	}
}

static void
server_stop(void)
{
	if (!no_server)
		ck_assert_int_eq(run("sh tools/pgtest.sh stop %s", server), 0);
	run("rm -rf %s", server);
}

/* A connection of the test's own to database db. */
static PGconn *
admin(const char *db)
{
	char	 ci[256];
	PGconn	*c;

	snprintf(ci, sizeof(ci), "host=%s dbname=%s user=postgres", server, db);
	c = PQconnectdb(ci);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	return c;
}

/* sql on c, which must succeed; its first value, or "". */
static void
sql_ok(PGconn *c, const char *sql, char *out, size_t len)
{
	PGresult	*r = PQexec(c, sql);

	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
	    PQerrorMessage(c));
	if (out != NULL)
		snprintf(out, len, "%s", PQntuples(r) > 0 ?
		    PQgetvalue(r, 0, 0) : "");
	PQclear(r);
}

/* A connection of the store's to the test's database. */
static struct pf_store *
store_open(long busy_ms)
{
	struct pf_store_opts	 o = { conninfo, NULL, busy_ms };
	struct pf_store		*s = NULL;

	ck_assert_int_eq(pf_store_open(&o, &s), PF_OK);
	return s;
}

static void
db_setup(void)
{
	static int	 n;
	char		 sql[128];
	PGconn		*c;

	if (no_server)
		return;
	snprintf(dbname, sizeof(dbname), "t%ld_%d", (long)getpid(), ++n);
	snprintf(conninfo, sizeof(conninfo),
	    "postgresql:///%s?host=%s&user=postgres", dbname, server);
	c = admin("postgres");
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", dbname);
	sql_ok(c, sql, NULL, 0);
	PQfinish(c);
	st = store_open(5000);
}

static void
db_teardown(void)
{
	char	 sql[128];
	PGconn	*c;

	if (no_server)
		return;
	pf_store_close(st);
	st = NULL;
	c = admin("postgres");
	snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", dbname);
	sql_ok(c, sql, NULL, 0);
	PQfinish(c);
}

#define SKIP_WITHOUT_SERVER()	do { if (no_server) return; } while (0)

/*
 * Every statement of every query file, and the engine's own, prepares on
 * PostgreSQL: SQL that only SQLite reads fails here, named.
 */
START_TEST(test_every_statement_prepares)
{
	const struct pf_sql_set	*const *s;
	char			 bad[4096] = "";
	size_t			 off = 0;
	int			 i;

	SKIP_WITHOUT_SERVER();
	for (s = pf_sql_sets; *s != NULL; s++)
		for (i = 0; i < (int)(*s)->n; i++)
			if (pf_sql_prepare(st, PF_SQL_REF(*s, i)) != PF_OK &&
			    off < sizeof(bad))
				off += (size_t)snprintf(bad + off,
				    sizeof(bad) - off, " [%s]",
				    (*s)->sql[i].what);
	for (i = 0; i < (int)pf_sql_set_seal.n; i++)
		if (pf_sql_prepare(st, PF_SQL_REF(&pf_sql_set_seal, i)) != PF_OK &&
		    off < sizeof(bad))
			off += (size_t)snprintf(bad + off, sizeof(bad) - off,
			    " [%s]", pf_sql_set_seal.sql[i].what);
	for (i = 0; i < PF_DIALECT__MAX; i++)
		if (pf_sql_prepare(st, pf_sql_dialect(st, i)) != PF_OK &&
		    off < sizeof(bad))
			off += (size_t)snprintf(bad + off, sizeof(bad) - off,
			    " [dialect %d]", i);
	ck_assert_msg(off == 0, "refused by PostgreSQL:%s", bad);
}
END_TEST

/*
 * The open: schema made, a commit waits for its flush, no journal mode;
 * a database without the schema is not "existing"; the size is the
 * server's count.
 */
START_TEST(test_open_migrates_and_checks)
{
	struct pf_store_opts	 o = { conninfo, NULL, 1000 };
	struct pf_store		*s = NULL;
	long long		 size = 0;
	char			 sql[128], ci[256];
	int			 v, level;
	PGconn			*c;

	SKIP_WITHOUT_SERVER();
	ck_assert_int_eq(pf_store_open_existing(&o, &s), PF_OK);
	ck_assert_int_eq(pf_store_size(s, &size), PF_OK);
	ck_assert_int_gt(size, 0);
	pf_store_close(s);
	c = admin("postgres");
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s_e", dbname);
	sql_ok(c, sql, NULL, 0);
	snprintf(ci, sizeof(ci), "postgresql:///%s_e?host=%s&user=postgres",
	    dbname, server);
	o.path = ci;
	ck_assert_int_eq(pf_store_open_existing(&o, &s), PF_ENOTFOUND);
	ck_assert_ptr_null(s);
	snprintf(sql, sizeof(sql), "DROP DATABASE %s_e", dbname);
	sql_ok(c, sql, NULL, 0);
	PQfinish(c);
	ck_assert_int_eq(pf_store_schema_version(st, &v), PF_OK);
	ck_assert_int_gt(v, 0);
	ck_assert_int_eq(pf_store_synchronous(st, &level), PF_OK);
	ck_assert_int_eq(level, 2);
	ck_assert_str_eq(pf_store_journal_mode(st), "postgresql");
	ck_assert_int_eq(pf_store_backup(st, "/tmp/x.db", 0, NULL),
	    PF_ECONFIG);
}
END_TEST

struct audit_got {
	long long	 seq;
	char		 prev[65];
	unsigned char	 xml[256];
	size_t		 len;
};

static int
audit_copy(const struct pf_audit_row *r, void *arg)
{
	struct audit_got	*g = arg;

	g->seq = r->seq;
	snprintf(g->prev, sizeof(g->prev), "%s", r->prev);
	ck_assert_uint_le(r->xml_len, sizeof(g->xml));
	memcpy(g->xml, r->xml, r->xml_len);
	g->len = r->xml_len;
	return 0;
}

/* A 64-digit digest that names n. */
static void
digest_of(long long n, char d[65])
{
	snprintf(d, 65, "%064lld", n);
}

/* Audit row seq, chained to prev, with a blob of every byte value. */
static int
audit_put(struct pf_store *s, long long seq, const char *prev,
    const char *form)
{
	unsigned char		 xml[256];
	char			 d[65];
	struct pf_audit_row	 r = { .seq = seq, .time = T1,
	    .event = "test", .form = form, .prev = prev, .digest = d,
	    .xml = (const char *)xml, .xml_len = sizeof(xml) };
	int			 i;

	for (i = 0; i < 256; i++)
		xml[i] = (unsigned char)i;
	digest_of(seq, d);
	return pf_store_audit_put(s, &r);
}

/* Integers past 32 bits and blobs with NUL bytes come back as put. */
START_TEST(test_values_round_trip)
{
	struct audit_got	 g;
	const long long		 big = 1LL << 40;
	char			 prev[65];
	int			 i;

	SKIP_WITHOUT_SERVER();
	digest_of(0, prev);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(audit_put(st, big, prev, "w"), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(pf_store_audit_get(st, big, audit_copy, &g), PF_OK);
	ck_assert_int_eq(g.seq, big);
	ck_assert_str_eq(g.prev, prev);
	ck_assert_uint_eq(g.len, 256);
	for (i = 0; i < 256; i++)
		ck_assert_int_eq(g.xml[i], i);
	ck_assert_int_eq(pf_store_audit_get(st, 7, audit_copy, &g),
	    PF_ENOTFOUND);
}
END_TEST

/* The message's state, and "!" if it has an error (NULL: none). */
static int
outbox_state(const struct pf_outbox_row *r, void *arg)
{
	snprintf(arg, 16, "%s%s", r->state, r->last_error == NULL ? "" : "!");
	return 0;
}

/* pf_sql_insert gives each new row's id; a change counts its rows; NULL. */
START_TEST(test_insert_ids_and_changes)
{
	long long	 a = 0, b = 0, n = -1;
	char		 state[16];

	SKIP_WITHOUT_SERVER();
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_outbox_put(st, "t", "a@example.com", "", NULL,
	    "en", T1, &a), PF_OK);
	ck_assert_int_eq(pf_store_outbox_put(st, "t", "b@example.com", "", NULL,
	    "en", T1, &b), PF_OK);
	ck_assert_int_gt(a, 0);
	ck_assert_int_eq(b, a + 1);
	ck_assert_int_eq(pf_store_outbox_forget(st, "A@example.com", &n),
	    PF_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(pf_store_outbox_sent(st, b, T2), PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	ck_assert_int_eq(pf_store_outbox_get(st, b, outbox_state, state),
	    PF_OK);
	ck_assert_str_eq(state, "queued");
	ck_assert_int_eq(pf_store_outbox_get(st, a, outbox_state, state),
	    PF_ENOTFOUND);
}
END_TEST

/* A savepoint ended with an error undoes its work, and only its work. */
START_TEST(test_savepoint_undo)
{
	struct audit_got g;
	long long	 id, n;
	char		 prev[65];

	SKIP_WITHOUT_SERVER();
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_outbox_put(st, "kept", "a@example.com", "",
	    NULL, "en", T1, &id), PF_OK);
	ck_assert_int_eq(pf_sql_savepoint(st), PF_OK);
	ck_assert_int_eq(pf_store_outbox_put(st, "undone", "b@example.com", "",
	    NULL, "en", T1, &id), PF_OK);
	ck_assert_int_eq(pf_sql_savepoint_end(st, PF_EINVAL), PF_EINVAL);
	/* A failed statement inside a savepoint is undone with it. */
	digest_of(0, prev);
	ck_assert_int_eq(pf_sql_savepoint(st), PF_OK);
	ck_assert_int_eq(audit_put(st, 1, prev, "w"), PF_OK);
	ck_assert_int_eq(audit_put(st, 1, prev, "w"), PF_ESTORE);
	ck_assert_int_eq(pf_sql_savepoint_end(st, PF_ESTORE), PF_ESTORE);
	ck_assert_int_eq(pf_sql_savepoint(st), PF_OK);
	ck_assert_int_eq(pf_store_outbox_put(st, "kept", "c@example.com", "",
	    NULL, "en", T1, &id), PF_OK);
	ck_assert_int_eq(pf_sql_savepoint_end(st, PF_OK), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	ck_assert_int_eq(pf_store_outbox_forget(st, "b@example.com", &n),
	    PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(pf_store_outbox_forget(st, "c@example.com", &n),
	    PF_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(pf_store_audit_get(st, 1, audit_copy, &g),
	    PF_ENOTFOUND);
}
END_TEST

/* End every other session on the test's database, as a restart would. */
static void
kill_sessions(void)
{
	char	 sql[256];
	PGconn	*c = admin("postgres");

	snprintf(sql, sizeof(sql), "SELECT count(pg_terminate_backend(pid)) "
	    "FROM pg_stat_activity WHERE datname = '%s'", dbname);
	sql_ok(c, sql, NULL, 0);
	PQfinish(c);
}

/* Rows given to it, counted. */
static int
count_rows(const struct pf_row *row, void *arg)
{
	(void)row;
	++*(int *)arg;
	return PF_OK;
}

/* A pending row taken: counted (pf_store_audit_begin_take's fn). */
static int
count_taken(const struct pf_audit_pending *p, void *arg)
{
	(void)p;
	++*(int *)arg;
	return PF_OK;
}

/*
 * A BEGIN sent with statements is tried again on a broken connection only
 * while no rows have gone to the caller: here the first statement's row
 * has, and the second ends the connection.  A second try would give the
 * row again (the seal would append its pending records twice).
 */
START_TEST(test_begin_then_is_not_tried_again_after_rows)
{
	static const struct pf_sql	 sql[] = {
		{ "one", "SELECT 1", 0 },
		{ "end", "SELECT pg_terminate_backend(pg_backend_pid())", 0 },
	};
	static const struct pf_sql_set	 set = { PF_SQL_FEEDBACK, 2, sql };
	const struct pf_sql_ref		 q[] = {
		PF_SQL_REF(&set, 0), PF_SQL_REF(&set, 1)
	};
	pf_row_fn *const		 fn[] = { count_rows, count_rows };
	long long			 n = -1;
	int				 rows = 0;

	SKIP_WITHOUT_SERVER();
	ck_assert_int_ne(pf_sql_begin_then(st, q, 2, fn, &rows), PF_OK);
	ck_assert_int_eq(rows, 1);
	ck_assert_int_eq(pf_store_dnc_count(st, &n), PF_OK);
	ck_assert_int_eq(n, 0);
}
END_TEST

/*
 * A rollback, of the transaction or of a savepoint, writes nothing where
 * a change sent ahead was to put its count: the caller that asked may
 * have failed and returned, its variable gone.
 */
START_TEST(test_rollback_writes_no_count_sent_ahead)
{
	long long	 n = 42;

	SKIP_WITHOUT_SERVER();
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_sub_delete(st, "email", "gone@example.com",
	    "", &n), PF_OK);
	pf_store_rollback(st);
	ck_assert_int_eq(n, 42);
	/* Nor does a savepoint ended with its caller's error. */
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_sql_savepoint(st), PF_OK);
	ck_assert_int_eq(pf_store_sub_delete(st, "email", "gone@example.com",
	    "", &n), PF_OK);
	ck_assert_int_eq(pf_sql_savepoint_end(st, PF_ENOTFOUND), PF_ENOTFOUND);
	ck_assert_int_eq(n, 42);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	/* The connection is out of the pipeline: the next reads work. */
	ck_assert_int_eq(pf_store_dnc_count(st, &n), PF_OK);
	ck_assert_int_eq(n, 0);
}
END_TEST

/*
 * A connection the server ended: a statement on it is PF_EBUSY (try
 * again); the next statement outside a transaction, or the next
 * transaction, reconnects and goes through; inside a transaction every
 * statement fails until it is rolled back.
 */
START_TEST(test_broken_connection_reconnects_at_begin)
{
	long long	 n = -1;

	SKIP_WITHOUT_SERVER();
	kill_sessions();
	ck_assert_int_eq(pf_store_dnc_count(st, &n), PF_EBUSY);
	ck_assert_int_eq(pf_store_dnc_count(st, &n), PF_OK);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	kill_sessions();
	ck_assert_int_eq(pf_store_dnc_count(st, &n), PF_EBUSY);
	ck_assert_int_eq(pf_store_dnc_count(st, &n), PF_EBUSY);
	pf_store_rollback(st);
	kill_sessions();
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_dnc_count(st, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	/* Found broken by BEGIN itself, and a read transaction too. */
	kill_sessions();
	ck_assert_int_eq(pf_store_begin_read(st), PF_OK);
	ck_assert_int_eq(pf_store_dnc_count(st, &n), PF_OK);
	pf_store_rollback(st);
}
END_TEST

/*
 * A constraint is a store error; a lock held past the busy timeout is
 * PF_EBUSY; a transaction with a failed statement does not commit.
 */
START_TEST(test_error_mapping)
{
	struct pf_store	*quick;
	long long	 seq;
	char		 prev[65];
	PGconn		*other;

	SKIP_WITHOUT_SERVER();
	digest_of(0, prev);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(audit_put(st, 1, prev, "w"), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(audit_put(st, 1, prev, "w"), PF_ESTORE);
	ck_assert_int_eq(pf_store_commit(st), PF_ESTORE);
	/* Another node appending holds the audit lock. */
	other = admin(dbname);
	sql_ok(other, "BEGIN", NULL, 0);
	sql_ok(other, "SELECT pg_advisory_xact_lock(7061660001)", NULL, 0);
	quick = store_open(100);
	ck_assert_int_eq(pf_store_begin(quick), PF_OK);
	ck_assert_int_eq(pf_store_audit_next(quick, &seq, prev), PF_EBUSY);
	pf_store_rollback(quick);
	sql_ok(other, "COMMIT", NULL, 0);
	ck_assert_int_eq(pf_store_begin(quick), PF_OK);
	ck_assert_int_eq(pf_store_audit_next(quick, &seq, prev), PF_OK);
	ck_assert_int_eq(seq, 1);
	pf_store_rollback(quick);
	pf_store_close(quick);
	PQfinish(other);
}
END_TEST

/*
 * pf_store_lock: a second transaction on the same key waits (here past
 * its busy timeout), one on another key does not.
 */
START_TEST(test_key_lock_holds_the_key_only)
{
	struct pf_store	*quick;
	long long	 n;

	SKIP_WITHOUT_SERVER();
	quick = store_open(100);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_lock(st, "consent", "device-1", NULL), PF_OK);
	/* Held once it has gone, with the statement after it. */
	ck_assert_int_eq(pf_store_dnc_count(st, &n), PF_OK);
	ck_assert_int_eq(pf_store_begin(quick), PF_OK);
	/* Sent ahead (store_sql.h): the read it guards cannot be had. */
	ck_assert_int_eq(pf_store_lock(quick, "consent", "device-1", NULL),
	    PF_OK);
	ck_assert_int_eq(pf_store_dnc_count(quick, &n), PF_EBUSY);
	pf_store_rollback(quick);
	ck_assert_int_eq(pf_store_begin(quick), PF_OK);
	ck_assert_int_eq(pf_store_lock(quick, "consent", "device-2", NULL),
	    PF_OK);
	ck_assert_int_eq(pf_store_commit(quick), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	ck_assert_int_eq(pf_store_begin(quick), PF_OK);
	ck_assert_int_eq(pf_store_lock(quick, "consent", "device-1", NULL),
	    PF_OK);
	ck_assert_int_eq(pf_store_commit(quick), PF_OK);
	pf_store_close(quick);
}
END_TEST

/*
 * pf_store_until bounds a wait inside the transaction (a lock another
 * node holds) by the deadline, not by the much longer busy timeout.
 */
START_TEST(test_until_bounds_a_wait)
{
	struct pf_store	*slow;
	struct timespec	 until;
	time_t		 t0;
	long long	 seq;
	char		 prev[65];
	PGconn		*other;

	SKIP_WITHOUT_SERVER();
	slow = store_open(60000);
	other = admin(dbname);
	sql_ok(other, "BEGIN", NULL, 0);
	sql_ok(other, "SELECT pg_advisory_xact_lock(7061660001)", NULL, 0);
	t0 = time(NULL);
	pf_busy_deadline(100, &until);
	pf_store_until(slow, &until);
	ck_assert_int_eq(pf_store_begin(slow), PF_OK);
	ck_assert_int_eq(pf_store_audit_next(slow, &seq, prev), PF_EBUSY);
	pf_store_rollback(slow);
	ck_assert_msg(time(NULL) - t0 < 30, "waited %lld s",
	    (long long)(time(NULL) - t0));
	sql_ok(other, "COMMIT", NULL, 0);
	pf_store_until(slow, NULL);
	ck_assert_int_eq(pf_store_begin(slow), PF_OK);
	ck_assert_int_eq(pf_store_audit_next(slow, &seq, prev), PF_OK);
	ck_assert_int_eq(pf_store_commit(slow), PF_OK);
	pf_store_close(slow);
	PQfinish(other);
}
END_TEST

static int
claimed_id(const struct pf_outbox_row *r, void *arg)
{
	*(long long *)arg = r->id;
	return 0;
}

/*
 * Two senders claim at once (each inside its open transaction): never
 * the same message, and neither waits for the other.
 */
START_TEST(test_outbox_claim_never_twice)
{
	enum { N = 6 };
	struct pf_store	*two = NULL;
	long long	 id, got[2], seen[N] = { 0 };
	int		 i, k, rc;

	SKIP_WITHOUT_SERVER();
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	for (i = 0; i < N; i++)
		ck_assert_int_eq(pf_store_outbox_put(st, "t", "a@example.com",
		    "", NULL, "en", T1, &id), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	two = store_open(1000);
	for (i = 0; i < N / 2; i++) {
		ck_assert_int_eq(pf_store_begin(st), PF_OK);
		ck_assert_int_eq(pf_store_outbox_claim(st, T2, LEASE,
		    claimed_id, &got[0]), PF_OK);
		ck_assert_int_eq(pf_store_begin(two), PF_OK);
		rc = pf_store_outbox_claim(two, T2, LEASE, claimed_id, &got[1]);
		ck_assert_int_eq(rc, PF_OK);
		ck_assert_int_ne(got[0], got[1]);
		ck_assert_int_eq(pf_store_commit(two), PF_OK);
		ck_assert_int_eq(pf_store_commit(st), PF_OK);
		for (k = 0; k < 2; k++) {
			ck_assert_int_eq(seen[got[k] - 1], 0);
			seen[got[k] - 1] = 1;
		}
	}
	/* Every message is leased now: nothing left to claim. */
	ck_assert_int_eq(pf_store_outbox_claim(two, T2, LEASE, claimed_id,
	    &id), PF_ENOTFOUND);
	pf_store_close(two);
}
END_TEST

/* A worker of its own: n appends, each in its own transaction. */
static int
appender(int n)
{
	struct pf_store	*s = NULL;
	long long	 seq;
	char		 prev[65];
	int		 i, err = PF_OK;

	struct pf_store_opts	 o = { conninfo, NULL, 30000 };

	if (pf_store_open(&o, &s) != PF_OK)
		return 1;
	for (i = 0; i < n && err == PF_OK; i++) {
		if ((err = pf_store_begin(s)) != PF_OK)
			break;
		if ((err = pf_store_audit_next(s, &seq, prev)) == PF_OK &&
		    (err = audit_put(s, seq + 1, prev, "w")) == PF_OK)
			err = pf_store_commit(s);
		else
			pf_store_rollback(s);
	}
	pf_store_close(s);
	return err == PF_OK ? 0 : 1;
}

struct chain {
	long long	 next;
	int		 broken;
};

static int
chain_row(const struct pf_audit_row *r, void *arg)
{
	struct chain	*c = arg;
	char		 d[65];

	digest_of(r->seq - 1, d);
	if (r->seq != c->next || strcmp(r->prev, d) != 0)
		c->broken = 1;
	c->next++;
	return 0;
}

#define WORKERS	2	/* processes writing at once */

/*
 * WORKERS processes, each running work(each) at once, waited for: the test
 * fails unless every one of them exits 0 (what names them in the message).
 */
static void
run_workers(int (*work)(int), int each, const char *what)
{
	pid_t	 pid[WORKERS];
	int	 i, status;

	for (i = 0; i < WORKERS; i++) {
		ck_assert_int_ne(pid[i] = fork(), -1);
		if (pid[i] == 0)
			_exit(work(each));
	}
	for (i = 0; i < WORKERS; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "%s %d failed", what, i);
	}
}

/*
 * A write transaction is READ COMMITTED whatever the server's default:
 * two submissions that put the same row (an opt-out twice, a count)
 * both go through, the second after the first commits; under a database
 * whose default is serializable, a transaction begun with a plain BEGIN
 * would fail the second (could not serialize).
 */
START_TEST(test_writes_read_committed_whatever_the_default)
{
	struct pf_optout oo = { "email", "twice@example.org", "", NULL, "form",
	    NULL, NULL };
	struct pf_store	*s;
	char		 sql[160], ready;
	int		 fd[2], status;
	pid_t		 pid;
	PGconn		*c;

	SKIP_WITHOUT_SERVER();
	c = admin(dbname);
	snprintf(sql, sizeof(sql), "ALTER DATABASE %s SET "
	    "default_transaction_isolation = 'serializable'", dbname);
	sql_ok(c, sql, NULL, 0);
	PQfinish(c);
	s = store_open(30000);
	ck_assert_int_eq(pf_store_begin(s), PF_OK);
	ck_assert_int_eq(pf_store_optout_put(s, &oo, T1), PF_OK);
	ck_assert_int_eq(pipe(fd), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {		/* begins before the first commits */
		struct pf_store	*t = store_open(30000);
		int		 err = pf_store_begin(t);

		if (write(fd[1], "r", 1) != 1 || err != PF_OK)
			_exit(2);
		if ((err = pf_store_optout_put(t, &oo, T2)) == PF_OK)
			err = pf_store_commit(t);
		_exit(err == PF_OK ? 0 : 1);
	}
	ck_assert_int_eq(read(fd[0], &ready, 1), 1);
	ck_assert_int_eq(pf_store_commit(s), PF_OK);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the second put refused: exit %d", WEXITSTATUS(status));
	close(fd[0]);
	close(fd[1]);
	pf_store_close(s);
}
END_TEST

/*
 * Two processes append at once: every append goes through, and the chain
 * has no gap and no fork (each record names the one before it).
 */
START_TEST(test_audit_append_gapless_across_connections)
{
	enum { EACH = 40 };
	struct chain	 c = { 1, 0 };

	SKIP_WITHOUT_SERVER();
	run_workers(appender, EACH, "appender");
	ck_assert_int_eq(pf_store_audit_each(st, 1, chain_row, &c), PF_OK);
	ck_assert_int_eq(c.next - 1, WORKERS * EACH);
	ck_assert_int_eq(c.broken, 0);
}
END_TEST


/* ---- records sealed after the commit (audit.h, Sealing) ---- */

#define XSD	"etc/audit.xsd"	/* tests run from the top of the tree */

static char	 audit_dir[64];

static void
audit_dir_make(void)
{
	strcpy(audit_dir, "/tmp/pfpga.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(audit_dir));
}

static void
audit_dir_remove(void)
{
	run("rm -rf %s", audit_dir);
}

/* One record with details in a transaction of its own, sealed, written. */
static int
txn_record(struct pf_store *s, const char *n)
{
	struct pf_txn	 t;
	const char	*details[] = { "requests", n, "closed-before",
	    T1, "retention-months", "6", NULL };
	int		 err;

	if ((err = pf_txn_begin(&t, s, audit_dir, "admin")) != PF_OK)
		return err;
	return pf_txn_audit_commit(&t, NULL, "requests-reduced", NULL, details);
}

/* A writer killed between its COMMIT and the seal: the record pending. */
static void
record_left_pending(void)
{
	struct pf_audit_event	 ev = { "audit-key-rotated", "admin", NULL,
	    NULL, NULL };
	struct pf_audit_record	 rec;

	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_audit_append(st, &ev, &rec), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	ck_assert_int_gt(rec.pending, 0);
	ck_assert_int_eq(rec.seq, 0);
	pf_audit_record_clear(&rec);
}

/* The first value of sql on the test's database, as a number. */
static long long
db_number(const char *sql)
{
	char	 v[64];
	PGconn	*c = admin(dbname);

	sql_ok(c, sql, v, sizeof(v));
	PQfinish(c);
	return atoll(v);
}

/* Does the trail verify against its files?  The first bad seq, or 0. */
static long long
trail_bad(void)
{
	long long	 bad = -2;
	int		 rc;

	rc = pf_audit_verify(st, audit_dir, XSD, NULL, NULL, &bad);
	ck_assert(rc == PF_OK || rc == PF_EXML);
	return rc == PF_OK ? 0 : bad;
}

/* The end of a test's trail: it verifies against its files, then goes. */
static void
audit_dir_verified_remove(void)
{
	ck_assert_int_eq(trail_bad(), 0);
	audit_dir_remove();
}

/* A worker of its own: n records through pf_txn, each sealed. */
static int
txn_writer(int n)
{
	struct pf_store_opts	 o = { conninfo, NULL, 30000 };
	struct pf_store		*s = NULL;
	char			 num[16];
	int			 i, err;

	if ((err = pf_store_open(&o, &s)) != PF_OK)
		return 1;
	for (i = 0; i < n && err == PF_OK; i++) {
		snprintf(num, sizeof(num), "%d", i);
		err = txn_record(s, num);
	}
	pf_store_close(s);
	return err == PF_OK ? 0 : 1;
}

/*
 * Two processes commit records at once, each sealed after its commit by
 * whichever seal takes it: gapless, chained, every file written, verify
 * passes, nothing left pending, and audit_count counted them all.
 */
START_TEST(test_seal_two_writers_gapless)
{
	enum { EACH = 30 };

	SKIP_WITHOUT_SERVER();
	audit_dir_make();
	run_workers(txn_writer, EACH, "writer");
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit"),
	    WORKERS * EACH);
	ck_assert_int_eq(db_number("SELECT max(seq) FROM audit"),
	    WORKERS * EACH);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit_pending"), 0);
	ck_assert_int_eq(db_number("SELECT sum(n) FROM audit_count"),
	    WORKERS * EACH);
	audit_dir_verified_remove();
}
END_TEST

/*
 * A record whose writer died after its COMMIT stays pending, uncounted;
 * the next writer's seal chains it first and writes its file too (the
 * sealer writes every file of its batch), and `audit sync`
 * (pf_audit_sync) seals one by itself and writes the missing file.
 */
START_TEST(test_seal_after_killed_writer)
{
	long long	 n;

	SKIP_WITHOUT_SERVER();
	audit_dir_make();
	record_left_pending();
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit"), 0);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit_count"), 0);
	ck_assert_int_eq(txn_record(st, "1"), PF_OK);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit_pending"), 0);
	ck_assert_int_eq(db_number("SELECT seq FROM audit "
	    "WHERE event = 'audit-key-rotated'"), 1);
	ck_assert_int_eq(db_number("SELECT seq FROM audit "
	    "WHERE event = 'requests-reduced'"), 2);
	ck_assert_int_eq(trail_bad(), 0);	/* its file written by the seal */
	record_left_pending();
	ck_assert_int_eq(pf_audit_sync(st, audit_dir, &n), PF_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit"), 3);
	ck_assert_int_eq(db_number("SELECT sum(n) FROM audit_count"), 3);
	audit_dir_verified_remove();
}
END_TEST

/*
 * A record from a node whose clock is behind (its time before the last
 * record's) takes the last record's time, so times never go back along
 * the chain, and verify passes.
 */
START_TEST(test_seal_time_never_goes_back)
{
	char		 t1[64], t2[64];
	long long	 n;
	PGconn		*c;

	SKIP_WITHOUT_SERVER();
	audit_dir_make();
	ck_assert_int_eq(txn_record(st, "1"), PF_OK);
	record_left_pending();
	c = admin(dbname);
	sql_ok(c, "UPDATE audit_pending SET body = convert_to(replace("
	    "convert_from(body, 'UTF8'), time, '2000-01-01T00:00:00.000000Z'), "
	    "'UTF8'), time = '2000-01-01T00:00:00.000000Z'", NULL, 0);
	ck_assert_int_eq(pf_audit_seal(st, &n), PF_OK);
	ck_assert_int_eq(n, 1);
	sql_ok(c, "SELECT time FROM audit WHERE seq = 1", t1, sizeof(t1));
	sql_ok(c, "SELECT time FROM audit WHERE seq = 2", t2, sizeof(t2));
	PQfinish(c);
	ck_assert_str_eq(t2, t1);
	ck_assert_int_eq(pf_audit_sync(st, audit_dir, &n), PF_OK);
	audit_dir_verified_remove();
}
END_TEST


/* Wait (60 s at most) until sql's first value on the test's database is want. */
static void
db_wait_for(const char *sql, long long want)
{
	struct timespec	 t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (db_number(sql) == want)
			return;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 60);
	ck_abort_msg("%s never gave %lld", sql, want);
}

/*
 * A writer that finds a seal running does not queue for the lock: it
 * waits for that seal to end (a shared request, not granted while the
 * lock is held), then looks, and seals its record itself when that seal
 * had not taken it.
 */
START_TEST(test_seal_waits_for_a_running_seal)
{
	long long	 seq;
	char		 d[65], t[PF_TIME_SIZE];
	pid_t		 pid;
	int		 status;

	SKIP_WITHOUT_SERVER();
	audit_dir_make();
	ck_assert_int_eq(pf_store_begin(st), PF_OK);	/* a seal running */
	ck_assert_int_eq(pf_store_audit_head(st, &seq, d, t), PF_OK);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0)
		_exit(txn_writer(1));
	db_wait_for("SELECT count(*) FROM pg_locks WHERE locktype = "
	    "'advisory' AND mode = 'ShareLock' AND NOT granted", 1);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit_pending"), 1);
	pf_store_rollback(st);				/* it ends */
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit"), 1);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit_pending"), 0);
	audit_dir_verified_remove();		/* its file written */
}
END_TEST

/*
 * A take rolled back (a seal killed, its COMMIT lost, a timeout) leaves
 * its transaction as the rows' xmax: they are pending again, not taken,
 * so a writer that asks sees them free and seals them itself.
 */
START_TEST(test_a_take_rolled_back_leaves_the_rows_free)
{
	long long	 id;
	int		 taken = -1;
	PGconn		*c;

	SKIP_WITHOUT_SERVER();
	record_left_pending();
	id = db_number("SELECT id FROM audit_pending");
	c = admin(dbname);
	sql_ok(c, "BEGIN", NULL, 0);
	sql_ok(c, "DELETE FROM audit_pending", NULL, 0);
	sql_ok(c, "ROLLBACK", NULL, 0);
	PQfinish(c);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit_pending"), 1);
	ck_assert_int_ne(db_number("SELECT CAST(CAST(xmax AS text) AS bigint) "
	    "FROM audit_pending"), 0);
	ck_assert_int_eq(pf_store_audit_taken(st, &id, 1, &taken), PF_OK);
	ck_assert_int_eq(taken, 0);
}
END_TEST

/* The round trips s has made to the server so far. */
static long long
trips(struct pf_store *s)
{
	return s->ops->round_trips(s);
}

/*
 * A writer whose record a running seal has taken (deleted from
 * audit_pending, not yet committed: here another connection that holds
 * the lock) returns at once, neither queueing for the lock nor waiting
 * for that seal's commit; the record is that seal's to chain, or, if it
 * rolls back, the next seal's.  Two round trips: its try (the lock, the
 * head, the take), then its ROLLBACK with the question whether its
 * record was taken.
 */
START_TEST(test_seal_taken_by_a_running_seal)
{
	struct pf_audit_event	 ev = { "audit-key-rotated", "admin", NULL,
	    NULL, NULL };
	struct pf_audit_record	 rec;
	struct pf_store		*w;
	struct timespec		 t0, t1;
	long long		 n, before;
	int			 taken;
	char			 sql[256];
	PGconn			*seal;

	SKIP_WITHOUT_SERVER();
	audit_dir_make();
	w = store_open(20000);	/* waiting would take 20 s, then fail */
	ck_assert_int_eq(pf_store_begin(w), PF_OK);
	ck_assert_int_eq(pf_audit_append(w, &ev, &rec), PF_OK);
	ck_assert_int_eq(pf_store_commit(w), PF_OK);
	ck_assert_int_eq(pf_store_audit_taken(w, &rec.pending, 1, &taken),
	    PF_OK);			/* prepared; free until the take */
	ck_assert_int_eq(taken, 0);
	seal = admin(dbname);
	sql_ok(seal, "BEGIN", NULL, 0);
	sql_ok(seal, "SELECT pg_advisory_xact_lock(" PF_PG_LOCK_AUDIT ")",
	    NULL, 0);
	sql_ok(seal, "DELETE FROM audit_pending", NULL, 0);	/* its take */
	before = trips(w);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(pf_audit_settle(w, audit_dir, &rec, 1), PF_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 10);
	ck_assert_int_eq(trips(w) - before, 2);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_stat_activity "
	    "WHERE datname = current_database() AND state LIKE "
	    "'idle in transaction%%' AND pid <> %d", PQbackendPID(seal));
	ck_assert_int_eq(db_number(sql), 0);	/* its try's ROLLBACK went */
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit"), 0);
	sql_ok(seal, "ROLLBACK", NULL, 0);	/* that seal failed: */
	PQfinish(seal);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit_pending"), 1);
	ck_assert_int_eq(pf_audit_sync(w, audit_dir, &n), PF_OK);
	ck_assert_int_eq(n, 1);			/* the next seal chains it */
	ck_assert_int_eq(trail_bad(), 0);
	pf_audit_record_clear(&rec);
	pf_store_close(w);
	audit_dir_remove();
}
END_TEST

/*
 * A transaction of more records than one seal batch: a running seal that
 * took only the first batch has not taken them all, so the writer does
 * not return as if it had (it waits for that seal: here, until its busy
 * timeout).
 */
START_TEST(test_seal_took_part_of_a_long_transaction)
{
	struct pf_audit_event	 ev = { "audit-key-rotated", "admin", NULL,
	    NULL, NULL };
	struct pf_audit_record	 rec[PF_AUDIT_TAKEN_MAX + 6];
	struct pf_store		*w;
	long long		 n;
	size_t			 i;
	PGconn			*seal;

	SKIP_WITHOUT_SERVER();
	audit_dir_make();
	w = store_open(2000);
	ck_assert_int_eq(pf_store_begin(w), PF_OK);
	for (i = 0; i < nitems(rec); i++)
		ck_assert_int_eq(pf_audit_append(w, &ev, &rec[i]), PF_OK);
	ck_assert_int_eq(pf_store_commit(w), PF_OK);
	seal = admin(dbname);
	sql_ok(seal, "BEGIN", NULL, 0);
	sql_ok(seal, "SELECT pg_advisory_xact_lock(" PF_PG_LOCK_AUDIT ")",
	    NULL, 0);
	sql_ok(seal, "DELETE FROM audit_pending WHERE id IN (SELECT id FROM "
	    "audit_pending ORDER BY id LIMIT 64)", NULL, 0);
	ck_assert_int_ne(pf_audit_settle(w, audit_dir, rec, nitems(rec)),
	    PF_OK);
	sql_ok(seal, "ROLLBACK", NULL, 0);
	PQfinish(seal);
	ck_assert_int_eq(pf_audit_sync(w, audit_dir, &n), PF_OK);
	ck_assert_int_eq(n, (long long)nitems(rec));
	ck_assert_int_eq(trail_bad(), 0);
	for (i = 0; i < nitems(rec); i++)
		pf_audit_record_clear(&rec[i]);
	pf_store_close(w);
	audit_dir_remove();
}
END_TEST

/*
 * A record whose pending id is not known (-1: its COMMIT's answer was
 * lost, and the server said it had committed) is not taken to be a
 * running seal's: the writer seals in turn (here it waits for that seal,
 * until its busy timeout), and the next seal chains it.
 */
START_TEST(test_seal_of_a_record_whose_id_was_lost)
{
	struct pf_audit_event	 ev = { "audit-key-rotated", "admin", NULL,
	    NULL, NULL };
	struct pf_audit_record	 rec;
	struct pf_store		*w;
	long long		 n;
	PGconn			*seal;

	SKIP_WITHOUT_SERVER();
	audit_dir_make();
	w = store_open(2000);
	ck_assert_int_eq(pf_store_begin(w), PF_OK);
	ck_assert_int_eq(pf_audit_append(w, &ev, &rec), PF_OK);
	ck_assert_int_eq(pf_store_commit(w), PF_OK);
	rec.pending = -1;	/* as pf_store_commit leaves it then */
	seal = admin(dbname);
	sql_ok(seal, "BEGIN", NULL, 0);
	sql_ok(seal, "SELECT pg_advisory_xact_lock(" PF_PG_LOCK_AUDIT ")",
	    NULL, 0);
	ck_assert_int_ne(pf_audit_settle(w, audit_dir, &rec, 1), PF_OK);
	sql_ok(seal, "ROLLBACK", NULL, 0);
	PQfinish(seal);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit_pending"), 1);
	ck_assert_int_eq(pf_audit_settle(w, audit_dir, &rec, 1), PF_OK);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit_pending"), 0);
	ck_assert_int_eq(pf_audit_sync(w, audit_dir, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(trail_bad(), 0);
	pf_audit_record_clear(&rec);
	pf_store_close(w);
	audit_dir_remove();
}
END_TEST

/*
 * The seal's begin, try, head and take in one go (pf_sql_begin_then):
 * with the lock free, got, the chain's last record read and the pending
 * row taken (rolled back: pending again); with another session holding
 * the lock, not got, the transaction begun all the same and nothing of
 * the chain taken.  A connection found broken by it is reset and the
 * whole tried once more, as for a BEGIN alone.
 */
START_TEST(test_seal_begin_take)
{
	long long	 seq;
	char		 d[65], t[PF_TIME_SIZE], want[65];
	int		 got, n = 0;
	PGconn		*other;

	SKIP_WITHOUT_SERVER();
	audit_dir_make();
	ck_assert_int_eq(txn_record(st, "1"), PF_OK);
	ck_assert_int_eq(txn_record(st, "2"), PF_OK);
	record_left_pending();
	kill_sessions();
	ck_assert_int_eq(pf_store_audit_begin_take(st, &seq, d, t, &got,
	    count_taken, &n), PF_OK);
	ck_assert_int_eq(got, 1);
	ck_assert_int_eq(seq, 2);
	ck_assert_int_eq(n, 1);
	other = admin(dbname);
	sql_ok(other, "SELECT digest FROM audit WHERE seq = 2", want,
	    sizeof(want));
	ck_assert_str_eq(d, want);
	ck_assert_int_eq(db_number("SELECT count(*) FROM pg_locks WHERE "
	    "locktype = 'advisory' AND granted"), 1);
	pf_store_rollback(st);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit_pending"), 1);
	sql_ok(other, "BEGIN", NULL, 0);
	sql_ok(other, "SELECT pg_advisory_xact_lock(" PF_PG_LOCK_AUDIT ")",
	    NULL, 0);
	n = 0;
	ck_assert_int_eq(pf_store_audit_begin_take(st, &seq, d, t, &got,
	    count_taken, &n), PF_OK);
	ck_assert_int_eq(got, 0);
	ck_assert_int_eq(n, 0);
	pf_store_rollback(st);
	sql_ok(other, "ROLLBACK", NULL, 0);
	PQfinish(other);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit_pending"), 1);
	audit_dir_remove();
}
END_TEST

/*
 * A transaction's records are chained by one seal, which writes all
 * their files: no seal transaction per record.
 */
START_TEST(test_seal_one_per_transaction)
{
	struct pf_txn	 t;
	int		 i;

	SKIP_WITHOUT_SERVER();
	audit_dir_make();
	ck_assert_int_eq(pf_txn_begin(&t, st, audit_dir, "admin"), PF_OK);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(pf_txn_audit(&t, NULL, "audit-key-rotated",
		    NULL, NULL), PF_OK);
	ck_assert_int_eq(pf_txn_commit(&t), PF_OK);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit"), 3);
	ck_assert_int_eq(db_number("SELECT count(DISTINCT xmin::text) "
	    "FROM audit"), 1);
	audit_dir_verified_remove();
}
END_TEST

/* A worker of its own: one record through pf_txn, committed past its deadline. */
static int
late_writer(void)
{
	struct pf_store_opts	 o = { conninfo, NULL, 30000 };
	struct pf_store		*s = NULL;
	struct pf_txn		 t;
	struct timespec		 now;
	int			 err;

	if (pf_store_open(&o, &s) != PF_OK)
		return 1;
	if ((err = pf_txn_begin(&t, s, audit_dir, "admin")) == PF_OK &&
	    (err = pf_txn_audit(&t, NULL, "audit-key-rotated", NULL,
	    NULL)) == PF_OK) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		pf_store_until(s, &now);		/* spent */
		err = pf_txn_commit(&t);
	} else
		pf_txn_rollback(&t);
	pf_store_close(s);
	return err == PF_OK ? 0 : 1;
}

/*
 * The seal after a commit is not bounded by the request's deadline, which
 * is spent: a seal that has to wait (here for a pending row another
 * connection holds) waits the busy timeout, and the record is sealed.
 */
START_TEST(test_seal_outlives_a_spent_deadline)
{
	struct timespec	 t0, t;
	PGconn		*other;
	pid_t		 pid;
	int		 status;

	SKIP_WITHOUT_SERVER();
	audit_dir_make();
	record_left_pending();
	other = admin(dbname);
	sql_ok(other, "BEGIN", NULL, 0);
	sql_ok(other, "SELECT id FROM audit_pending FOR UPDATE", NULL, 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0)
		_exit(late_writer());
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {	/* until the seal waits for the row, or gave up */
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = 0;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (db_number("SELECT count(*) FROM pg_locks WHERE NOT granted")
	    == 0 && t.tv_sec - t0.tv_sec < 60);
	sql_ok(other, "COMMIT", NULL, 0);
	PQfinish(other);
	if (pid != 0)
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit_pending"), 0);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit"), 2);
	audit_dir_remove();
}
END_TEST

/*
 * A server that takes the connection but never answers (a socket that
 * listens and never accepts: the kernel completes the handshake, nothing
 * reads the startup packet): the open gives up after connect_timeout,
 * the busy timeout, with PF_EBUSY, instead of waiting for ever.  Needs no
 * PostgreSQL server.
 */
START_TEST(test_connect_gives_up_on_a_silent_server)
{
	struct sockaddr_in	 a = { .sin_family = AF_INET };
	struct pf_store_opts	 o = { NULL, NULL, 2000 };
	struct pf_store		*s = NULL;
	struct timespec		 t0, t1;
	socklen_t		 len = sizeof(a);
	char			 ci[128];
	double			 took;
	int			 fd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	snprintf(ci, sizeof(ci), "host=127.0.0.1 port=%d dbname=x user=x "
	    "sslmode=disable", ntohs(a.sin_port));
	o.path = ci;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(pf_store_open(&o, &s), PF_EBUSY);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	took = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_ptr_null(s);
	/*
	 * 2 s of connect_timeout, which libpq counts in whole seconds of
	 * time(2): more than 1 s, at most 2; the rest is a generous margin.
	 */
	ck_assert_msg(took >= 0.9 && took < 20, "gave up after %.1f s", took);
	close(fd);
}
END_TEST

/* ---- one person's subscription changes, one at a time ---- */

static const char sub_lists[] = "events\temail\tno\tEvents\tInvitations.\n";
#define SUB_SUBJECT \
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

/* The preference page's request of events for one address, on t. */
static int
sub_request(struct pf_txn *t, const struct pf_lists *l, int *changed)
{
	const struct pf_sub_change	 c = { .channel = "email",
	    .address = "ann@example.org", .list = "events",
	    .method = "preferences", .language = "en",
	    .subject = SUB_SUBJECT };

	return pf_sub_request(t, l, &c, changed);
}

/* The same save on a connection of its own: exit 0 if it changed nothing. */
static int
sub_saver(const struct pf_lists *l)
{
	struct pf_store	*s = store_open(60000);
	struct pf_txn	 t;
	int		 changed = -1;

	if (pf_txn_begin(&t, s, audit_dir, "preferences") != PF_OK ||
	    sub_request(&t, l, &changed) != PF_OK ||
	    pf_txn_commit(&t) != PF_OK)
		return 2;
	pf_store_close(s);
	return changed;
}

/*
 * Two identical saves at once (read committed): the second waits for the
 * first's commit, then finds the change made; one event, one record.
 */
START_TEST(test_subscription_saves_at_once_change_once)
{
	struct pf_lists	 l;
	struct pf_txn	 t;
	pid_t		 pid;
	int		 status, changed = -1;

	SKIP_WITHOUT_SERVER();
	audit_dir_make();
	ck_assert_int_eq(pf_lists_parse(sub_lists, strlen(sub_lists), "t", &l,
	    NULL), PF_OK);
	ck_assert_int_eq(pf_txn_begin(&t, st, audit_dir, "preferences"),
	    PF_OK);
	ck_assert_int_eq(sub_request(&t, &l, &changed), PF_OK);
	ck_assert_int_eq(changed, 1);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0)
		_exit(sub_saver(&l));
	db_wait_for("SELECT count(*) FROM pg_locks WHERE NOT granted", 1);
	ck_assert_int_eq(pf_txn_commit(&t), PF_OK);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the second save changed again (%d)", WEXITSTATUS(status));
	ck_assert_int_eq(db_number("SELECT count(*) FROM subscription_event"),
	    1);
	ck_assert_int_eq(db_number("SELECT (SELECT count(*) FROM audit) + "
	    "(SELECT count(*) FROM audit_pending)"), 1);
	pf_lists_clear(&l);
	audit_dir_remove();
}
END_TEST

/* ---- INSTALL's roles (section 20) ---- */

/*
 * Run on c, one by one (CREATE DATABASE cannot share a transaction), the
 * lines of INSTALL's block that starts with the comment line first, up
 * to the blank line after it: each line is one statement.
 */
static void
install_run(PGconn *c, const char *first)
{
	FILE	*f = fopen("INSTALL", "r");
	char	 line[512], *p;
	int	 in = 0, n = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		for (p = line; *p == ' '; p++)
			;
		if (!in) {
			in = strncmp(p, first, strlen(first)) == 0;
			continue;
		}
		if (*p == '\n')
			break;
		sql_ok(c, p, NULL, 0);
		n++;
	}
	fclose(f);
	ck_assert_msg(n > 0, "INSTALL has no block \"%s\"", first);
}

/* A connection to the site's database as role. */
static PGconn *
as_role(const char *role)
{
	char	 ci[256];
	PGconn	*c;

	snprintf(ci, sizeof(ci), "host=%s dbname=privforms user=%s", server,
	    role);
	c = PQconnectdb(ci);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	return c;
}

/* sql on c must fail with SQLSTATE state. */
static void
sql_refused(PGconn *c, const char *sql, const char *state)
{
	PGresult	*r = PQexec(c, sql);
	const char	*got = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	ck_assert_msg(PQresultStatus(r) == PGRES_FATAL_ERROR &&
	    got != NULL && strcmp(got, state) == 0, "%s: not refused "
	    "with %s: %s", sql, state, PQerrorMessage(c));
	PQclear(r);
}

/* The store of the site's database as role (the owner's migrates it). */
static struct pf_store *
site_open(const char *role)
{
	struct pf_store_opts	 o = { NULL, NULL, 5000 };
	struct pf_store		*s = NULL;
	char			 ci[256];

	snprintf(ci, sizeof(ci), "host=%s dbname=privforms user=%s", server,
	    role);
	o.path = ci;
	ck_assert_int_eq(pf_store_open(&o, &s), PF_OK);
	return s;
}

/* What the web role and the team's must not do to the trail. */
static const char *const rewrites[] = {
	"UPDATE audit SET event = 'x' WHERE seq = 1",
	"DELETE FROM audit WHERE seq = 1",
	"TRUNCATE audit",
	"DELETE FROM schema_version",
	/* another node's committed, unsealed record, which the seal chains */
	"UPDATE audit_pending SET event = 'x'",
	/* counted by the trigger as the owner, never by hand */
	"UPDATE audit_count SET n = 0",
	"INSERT INTO audit_count (form, event, n) VALUES ('f', 'e', 1)",
};

/*
 * What only the team's role may do: the evidence of consent and of
 * subscriptions is appended by the forms and deleted whole only by an
 * erasure or a purge, which the privforms command runs.
 */
static const char *const web_never[] = {
	"DELETE FROM subscription_event",
	"UPDATE subscription_event SET list = 'x'",
	"DELETE FROM consent_record",
	"UPDATE consent_record SET id = id",
};

/*
 * The roles as INSTALL makes them: the web role (and the team's) stores
 * and seals records, and the forms' other writes go through, but it may
 * not update, delete or truncate a record (permission denied), and the
 * owner, who may, is stopped by the trigger.
 */
START_TEST(test_roles_cannot_rewrite_the_trail)
{
	static const char *const roles[] = { "privforms_web",
	    "privforms_team" };
	struct pf_optout oo = { "email", "a@example.org", "", NULL, "form",
	    NULL, NULL };
	const struct pf_sub_event ev = { 0, "email", "a@example.org", "news",
	    "subscribed", "signup", "0123456789abcdef", "en", T1, T1 };
	struct pf_store	*web;
	char		 n[16];
	long long	 id;
	size_t		 i, j;
	PGconn		*c, *c2;

	SKIP_WITHOUT_SERVER();
	audit_dir_make();
	c = admin("postgres");
	install_run(c, "-- privforms roles, as the superuser:");
	PQfinish(c);
	pf_store_close(site_open("privforms_owner"));	/* init's schema */
	c = as_role("privforms_owner");
	install_run(c, "-- privforms grants, as the owner after init:");
	web = site_open("privforms_web");
	ck_assert_int_eq(pf_store_begin(web), PF_OK);
	ck_assert_int_eq(pf_store_outbox_put(web, "t", "a@example.org",
	    "x=1", NULL, "en", T1, &id), PF_OK);
	/* an upsert: the second put updates the row (UPDATE granted) */
	ck_assert_int_eq(pf_store_optout_put(web, &oo, T1), PF_OK);
	ck_assert_int_eq(pf_store_optout_put(web, &oo, T2), PF_OK);
	ck_assert_int_eq(pf_store_sub_event_put(web, &ev, NULL), PF_OK);
	ck_assert_int_eq(pf_store_commit(web), PF_OK);
	ck_assert_int_eq(txn_record(web, "1"), PF_OK);
	ck_assert_int_eq(txn_record(web, "2"), PF_OK);
	pf_store_close(web);
	for (i = 0; i < nitems(roles); i++) {
		PGconn	*r = as_role(roles[i]);

		for (j = 0; j < nitems(rewrites); j++)
			sql_refused(r, rewrites[j], "42501");
		for (j = 0; i == 0 && j < nitems(web_never); j++)
			sql_refused(r, web_never[j], "42501");
		PQfinish(r);
	}
	/* An erasure (the team's) deletes a person's history. */
	c2 = as_role("privforms_team");
	sql_ok(c2, "DELETE FROM subscription_event", n, sizeof(n));
	sql_ok(c2, "DELETE FROM consent_record", n, sizeof(n));
	PQfinish(c2);
	for (j = 0; j < 3; j++) {	/* the owner's stopped by the trigger */
		sql_refused(c, rewrites[j], "42501");
		ck_assert_ptr_nonnull(strstr(PQerrorMessage(c),
		    "audit records are never changed or deleted"));
	}
	sql_ok(c, "SELECT count(*) FROM audit", n, sizeof(n));
	ck_assert_str_eq(n, "2");
	sql_ok(c, "SELECT sum(n) FROM audit_count", n, sizeof(n));
	ck_assert_str_eq(n, "2");	/* the web role's seal counted them */
	PQfinish(c);
	c = admin("postgres");
	sql_ok(c, "DROP DATABASE privforms WITH (FORCE)", NULL, 0);
	PQfinish(c);
	audit_dir_remove();
}
END_TEST

/* ---- moving a site (store_copy.c) ---- */

/* Every table of the PostgreSQL schema is in one of store.h's lists. */
START_TEST(test_every_table_is_in_a_list)
{
	char	 why[160] = "";
	PGconn	*c;

	SKIP_WITHOUT_SERVER();
	ck_assert_msg(pf_store_tables_check(st, why, sizeof(why)) == PF_OK,
	    "%s", why);
	c = admin(dbname);
	sql_ok(c, "CREATE TABLE newly_added (x bigint)", NULL, 0);
	PQfinish(c);
	ck_assert_int_eq(pf_store_tables_check(st, why, sizeof(why)),
	    PF_ECONFIG);
	ck_assert_str_eq(why, "table newly_added is in no list of "
	    "store_copy.c");
}
END_TEST

/* An SQLite database of the schema, with sql run on it: its path. */
static void
sqlite_source(char *path, size_t len, const char *sql)
{
	struct pf_store_opts	 o = { NULL, NULL, 0 };
	struct pf_store		*s = NULL;
	sqlite3			*db;

	snprintf(path, len, "%s/source.db", server);
	o.path = path;
	ck_assert_int_eq(pf_store_open(&o, &s), PF_OK);
	pf_store_close(s);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/*
 * A copy from SQLite: a blob's bytes as they were, the trigger's tally
 * once, and the identity sequence past the copied id.
 */
START_TEST(test_copy_from_sqlite)
{
	struct pf_store_opts	 o = { NULL, NULL, 0 };
	struct pf_store		*from = NULL;
	const char *const	*t;
	char			 path[128], got[128];
	PGconn			*c;

	SKIP_WITHOUT_SERVER();
	sqlite_source(path, sizeof(path), "INSERT INTO audit (seq, time, "
	    "event, form, prev, digest, xml) VALUES (1, '" T1 "', "
	    "'unsubscribed', 'unsubscribe', 'p', 'd', X'5c78ffc3a900'); "
	    "INSERT INTO feedback (id, type, rating, created, updated) "
	    "VALUES (7, 'question', 3, '" T1 "', '" T1 "')");
	o.path = path;
	ck_assert_int_eq(pf_store_open_readonly(&o, &from), PF_OK);
	ck_assert_int_eq(pf_store_begin_read(from), PF_OK);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	for (t = pf_store_tables; *t != NULL; t++)
		ck_assert_int_eq(pf_store_table_copy(from, st, *t, NULL), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	pf_store_close(from);
	unlink(path);
	c = admin(dbname);
	sql_ok(c, "SELECT encode(xml, 'hex') FROM audit", got, sizeof(got));
	ck_assert_str_eq(got, "5c78ffc3a900");
	sql_ok(c, "SELECT string_agg(n::text, ',') FROM audit_count", got,
	    sizeof(got));
	ck_assert_str_eq(got, "1");
	sql_ok(c, "INSERT INTO feedback (type, rating, created, updated) "
	    "VALUES ('question', 3, '" T2 "', '" T2 "') RETURNING id", got,
	    sizeof(got));
	ck_assert_str_eq(got, "8");
	PQfinish(c);
}
END_TEST

/*
 * Copy feedback from an SQLite source made by sql: the id PostgreSQL
 * hands out next.
 */
static long long
feedback_next_after_copy(const char *sql)
{
	struct pf_store_opts	 o = { NULL, NULL, 0 };
	struct pf_store		*from = NULL;
	char			 path[128], got[32];
	PGconn			*c;

	sqlite_source(path, sizeof(path), sql);
	o.path = path;
	ck_assert_int_eq(pf_store_open_readonly(&o, &from), PF_OK);
	ck_assert_int_eq(pf_store_begin_read(from), PF_OK);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_table_copy(from, st, "feedback", NULL),
	    PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	pf_store_close(from);
	unlink(path);
	c = admin(dbname);
	sql_ok(c, "INSERT INTO feedback (type, rating, created, updated) "
	    "VALUES ('question', 3, '" T2 "', '" T2 "') RETURNING id", got,
	    sizeof(got));
	PQfinish(c);
	return strtoll(got, NULL, 10);
}

#define FEEDBACK(id)	"INSERT INTO feedback (id, type, rating, created, " \
	"updated) VALUES (" #id ", 'question', 3, '" T1 "', '" T1 "'); "

/*
 * An id SQLite handed out is never handed out again after the copy: the
 * newest row deleted (purge), or every row, leaves sqlite_sequence above
 * the largest id left, and the sequence goes past it.
 */
START_TEST(test_copy_never_reuses_an_id)
{
	SKIP_WITHOUT_SERVER();
	ck_assert_int_eq(feedback_next_after_copy(FEEDBACK(7) FEEDBACK(9)
	    "DELETE FROM feedback WHERE id = 9"), 10);
}
END_TEST

START_TEST(test_copy_of_no_rows_never_reuses_an_id)
{
	SKIP_WITHOUT_SERVER();
	ck_assert_int_eq(feedback_next_after_copy(FEEDBACK(4)
	    "DELETE FROM feedback"), 5);
}
END_TEST

/*
 * A table of one batch and one row, and of two batches less one (the
 * last batch sent in each smaller size), from SQLite: every row once,
 * each as it was (its values say its id, so a row written from
 * another's values, lost or written twice at a batch's end shows).
 */
START_TEST(test_copy_keeps_every_row_at_a_batch_boundary)
{
	static const long long	 n[] = { PF_STORE_COPY_BATCH + 1,
	    2 * PF_STORE_COPY_BATCH - 1 };
	struct pf_store_opts	 o = { NULL, NULL, 0 };
	struct pf_store		*from = NULL;
	char			 path[128], sql[512], got[64], want[64];
	long long		 rows = -1;
	PGconn			*c;

	SKIP_WITHOUT_SERVER();
	snprintf(sql, sizeof(sql), "WITH RECURSIVE i(id) AS (SELECT 1 UNION "
	    "ALL SELECT id + 1 FROM i WHERE id < %lld) INSERT INTO feedback "
	    "(id, type, message, rating, created, updated) SELECT id, "
	    "'question', 'row ' || id, id %% 5 + 1, '" T1 "', '" T1 "' "
	    "FROM i", n[_i]);
	sqlite_source(path, sizeof(path), sql);
	o.path = path;
	ck_assert_int_eq(pf_store_open_readonly(&o, &from), PF_OK);
	ck_assert_int_eq(pf_store_begin_read(from), PF_OK);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_table_copy(from, st, "feedback", &rows),
	    PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	pf_store_close(from);
	unlink(path);
	ck_assert_int_eq(rows, n[_i]);
	c = admin(dbname);
	sql_ok(c, "SELECT count(*) || ' ' || count(DISTINCT id) FILTER (WHERE "
	    "message = 'row ' || id AND rating = id % 5 + 1 AND id BETWEEN 1 "
	    "AND (SELECT count(*) FROM feedback)) FROM feedback", got,
	    sizeof(got));
	PQfinish(c);
	snprintf(want, sizeof(want), "%lld %lld", n[_i], n[_i]);
	ck_assert_str_eq(got, want);
}
END_TEST

/* ---- statements sent ahead (store_sql.h's pf_sql.ahead) ---- */

/*
 * The round trips fn(st, n) makes, once fn(st, first) has prepared its
 * statements.
 */
static long long
trips_of(int (*fn)(struct pf_store *, const char *), const char *first,
    const char *n)
{
	long long	 before;

	ck_assert_int_eq(fn(st, first), PF_OK);	/* prepared */
	before = trips(st);
	ck_assert_int_eq(fn(st, n), PF_OK);
	return trips(st) - before;
}

/* The rows of rate_hit with subject. */
static long long
hits_of(const char *subject)
{
	char	 sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM rate_hit WHERE "
	    "subject = '%s'", subject);
	return db_number(sql);
}

/* A guarded form's writes: a key's lock, its hit, a trap counted. */
static int
ahead_writes(struct pf_store *s, const char *subject)
{
	int	 err;

	if ((err = pf_store_begin(s)) != PF_OK)
		return err;
	if ((err = pf_store_lock(s, "rate", "b", subject)) == PF_OK &&
	    (err = pf_store_rate_hit(s, "b", subject, 100, 50)) == PF_OK)
		err = pf_store_trap_count(s, "2026-11-24", "unsubscribe",
		    "honeypot");
	if (err != PF_OK) {
		pf_store_rollback(s);
		return err;
	}
	return pf_store_commit(s);
}

/*
 * Writes whose caller wants nothing back go with the COMMIT: BEGIN, then
 * the lock, the forget, the hit, the count and the COMMIT in one round
 * trip, each done.
 */
START_TEST(test_sent_ahead_go_with_the_commit)
{
	SKIP_WITHOUT_SERVER();
	ck_assert_int_eq(trips_of(ahead_writes, "s1", "s2"), 2);
	ck_assert_int_eq(hits_of("s2"), 1);
	ck_assert_int_eq(db_number("SELECT n FROM trap_count"), 2);
}
END_TEST

/*
 * A write sent ahead that fails is the next statement's failure, or the
 * COMMIT's: the transaction is aborted, nothing of it stored, and the
 * connection goes on.
 */
START_TEST(test_sent_ahead_failure_is_the_next_statements)
{
	long long	 n = -1;

	SKIP_WITHOUT_SERVER();
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_rate_hit(st, "b", "kept", 100, 50), PF_OK);
	/* rate_hit.bucket is NOT NULL: the call does not wait to know. */
	ck_assert_int_eq(pf_store_rate_hit(st, NULL, "s", 100, 50), PF_OK);
	ck_assert_int_eq(pf_store_dnc_count(st, &n), PF_ESTORE);
	ck_assert_int_eq(pf_store_commit(st), PF_ESTORE);
	ck_assert_int_eq(hits_of("kept"), 0);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_rate_hit(st, "b", "kept", 100, 50), PF_OK);
	ck_assert_int_eq(pf_store_rate_hit(st, NULL, "s", 100, 50), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_ESTORE);
	ck_assert_int_eq(hits_of("kept"), 0);
	ck_assert_int_eq(ahead_writes(st, "after"), PF_OK);
	ck_assert_int_eq(hits_of("after"), 1);
}
END_TEST

/*
 * A savepoint that fails, writes queued in it: its work is undone, and
 * only its work.  A write sent ahead inside it that fails is the
 * RELEASE's failure; the caller's error ends it with that error.
 */
static const struct savepoint_failure {
	int	 bad_write;	/* a write that fails queued last in it */
	int	 end_with;	/* the caller's err to pf_sql_savepoint_end */
	int	 want;		/* what pf_sql_savepoint_end returns */
} savepoint_failures[] = {
	{ 1, PF_OK, PF_ESTORE },		/* a write sent ahead fails */
	{ 0, PF_ENOTFOUND, PF_ENOTFOUND },	/* the caller's error */
};

START_TEST(test_savepoint_failure_undoes_its_work_only)
{
	const struct savepoint_failure	*f = &savepoint_failures[_i];

	SKIP_WITHOUT_SERVER();
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_rate_hit(st, "b", "kept", 100, 50), PF_OK);
	ck_assert_int_eq(pf_sql_savepoint(st), PF_OK);
	ck_assert_int_eq(pf_store_rate_hit(st, "b", "undone", 100, 50), PF_OK);
	if (f->bad_write)	/* rate_hit.bucket is NOT NULL */
		ck_assert_int_eq(pf_store_rate_hit(st, NULL, "s", 100, 50),
		    PF_OK);
	ck_assert_int_eq(pf_sql_savepoint_end(st, f->end_with), f->want);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	ck_assert_int_eq(hits_of("kept"), 1);
	ck_assert_int_eq(hits_of("undone"), 0);
}
END_TEST

/*
 * More statements sent ahead than the pipeline holds, a SAVEPOINT among
 * them where it is full: a full pipeline is read before one more goes,
 * and every write is done.
 */
START_TEST(test_sent_ahead_past_a_full_pipeline)
{
	char	 subject[16];
	int	 i, k;

	SKIP_WITHOUT_SERVER();
	/*
	 * A lock, then two statements a hit: the SAVEPOINT lands on each
	 * place around the full pipeline's (PIPE_MAX, 32).
	 */
	for (k = 13; k < 17; k++) {
		ck_assert_int_eq(pf_store_begin(st), PF_OK);
		ck_assert_int_eq(pf_store_lock(st, "rate", "b", "full"), PF_OK);
		for (i = 0; i < k; i++)
			ck_assert_int_eq(pf_store_rate_hit(st, "b", "full", 100,
			    50), PF_OK);
		ck_assert_int_eq(pf_sql_savepoint(st), PF_OK);
		for (i = 0; i < 40; i++) {
			snprintf(subject, sizeof(subject), "s%d", k);
			ck_assert_int_eq(pf_store_rate_hit(st, "b", subject,
			    100, 50), PF_OK);
		}
		ck_assert_int_eq(pf_sql_savepoint_end(st, PF_OK), PF_OK);
		ck_assert_int_eq(pf_store_commit(st), PF_OK);
		ck_assert_int_eq(hits_of(subject), 40);
	}
	ck_assert_int_eq(hits_of("full"), 13 + 14 + 15 + 16);
}
END_TEST

/*
 * A change whose count its caller reads after the next statement goes
 * with that statement (pf_sql_exec_ahead), the count there once it has
 * returned: BEGIN, the delete with the read, the COMMIT.
 */
START_TEST(test_count_sent_ahead)
{
	struct pf_subscription	 s = { "email", "ahead@example.com", "news",
	    "subscribed", T1, T1, "signup", "0123456789abcdef", "en" };
	long long		 n = -1, dnc = -1, before;

	SKIP_WITHOUT_SERVER();
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_sub_put(st, &s), PF_OK);
	s.list = "events";
	ck_assert_int_eq(pf_store_sub_put(st, &s), PF_OK);
	ck_assert_int_eq(pf_store_sub_delete(st, "email", "none@example.com",
	    "", &n), PF_OK);	/* prepared */
	ck_assert_int_eq(pf_store_dnc_count(st, &dnc), PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	before = trips(st);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_sub_delete(st, "email", "ahead@example.com",
	    "", &n), PF_OK);
	ck_assert_int_eq(pf_store_dnc_count(st, &dnc), PF_OK);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	ck_assert_int_eq(trips(st) - before, 3);
	ck_assert_int_eq(db_number("SELECT count(*) FROM subscription"), 0);
}
END_TEST


/* A transaction with a write sent ahead, its connection then cut. */
static void
cut_with_a_write_ahead(void)
{
	ck_assert_int_eq(ahead_writes(st, "s0"), PF_OK);	/* prepared */
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_rate_hit(st, "b", "cut", 100, 50), PF_OK);
	kill_sessions();
}

/* After the cut: nothing of that write stored, and the store goes on. */
static void
cut_stored_nothing(void)
{
	ck_assert_int_eq(hits_of("cut"), 0);
	ck_assert_int_eq(ahead_writes(st, "s9"), PF_OK);
	ck_assert_int_eq(hits_of("s9"), 1);
}

/* A connection cut with statements sent ahead, then a read. */
START_TEST(test_ahead_then_a_cut_then_a_read)
{
	long long	 n = -1;

	SKIP_WITHOUT_SERVER();
	cut_with_a_write_ahead();
	ck_assert_int_eq(pf_store_dnc_count(st, &n), PF_EBUSY);
	pf_store_rollback(st);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_dnc_count(st, &n), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	cut_stored_nothing();
}
END_TEST

/* A connection cut with statements sent ahead, then COMMIT. */
START_TEST(test_ahead_then_a_cut_then_the_commit)
{
	SKIP_WITHOUT_SERVER();
	cut_with_a_write_ahead();
	ck_assert_int_ne(pf_store_commit(st), PF_OK);
	cut_stored_nothing();
}
END_TEST

/* An ahead lock that times out, then straight to COMMIT. */
START_TEST(test_ahead_lock_timeout_then_the_commit)
{
	struct pf_store	*quick;

	SKIP_WITHOUT_SERVER();
	quick = store_open(100);
	ck_assert_int_eq(ahead_writes(quick, "p"), PF_OK);	/* prepared */
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_lock(st, "rate", "b", "x"), PF_OK);
	ck_assert_int_eq(pf_store_rate_hit(st, "b", "x", 100, 50), PF_OK);
	ck_assert_int_eq(pf_store_trap_count(st, "2026-11-24", "a", "b"), PF_OK);
	ck_assert_int_eq(pf_store_begin(quick), PF_OK);
	ck_assert_int_eq(pf_store_lock(quick, "rate", "b", "x"), PF_OK);
	ck_assert_int_eq(pf_store_rate_hit(quick, "b", "y", 100, 50), PF_OK);
	ck_assert_int_eq(pf_store_commit(quick), PF_EBUSY);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	ck_assert_int_eq(hits_of("y"), 0);
	ck_assert_int_eq(ahead_writes(quick, "z"), PF_OK);
	ck_assert_int_eq(hits_of("z"), 1);
	pf_store_close(quick);
}
END_TEST


/* A savepoint outside a transaction: refused, nothing stored. */
START_TEST(test_savepoint_outside_a_transaction)
{
	int	 a, b, c;

	SKIP_WITHOUT_SERVER();
	ck_assert_int_eq(ahead_writes(st, "s0"), PF_OK);	/* prepared */
	a = pf_sql_savepoint(st);
	b = pf_store_rate_hit(st, "b", "out", 100, 50);
	c = pf_sql_savepoint_end(st, b);
	/* As before the pipeline: refused, nothing stored. */
	ck_assert_int_eq(a, PF_OK);	/* sent with the next statement */
	ck_assert_int_eq(b, PF_ESTORE);
	ck_assert_int_eq(c, PF_ESTORE);
	ck_assert_int_eq(hits_of("out"), 0);
	ck_assert_int_eq(ahead_writes(st, "s9"), PF_OK);
}
END_TEST


/* The seal's INSERT fails; its COMMIT must not commit the take. */
START_TEST(test_a_failed_seal_put_commits_no_take)
{
	PGconn	*c;
	int	 err;

	SKIP_WITHOUT_SERVER();
	audit_dir_make();
	ck_assert_int_eq(txn_record(st, "1"), PF_OK);	/* prepared */
	c = admin(dbname);
	sql_ok(c, "CREATE FUNCTION no_audit_insert() RETURNS trigger LANGUAGE plpgsql "
	    "AS $$BEGIN RAISE EXCEPTION 'no'; END$$", NULL, 0);
	sql_ok(c, "CREATE TRIGGER no_audit_insert BEFORE INSERT ON audit FOR EACH ROW "
	    "EXECUTE FUNCTION no_audit_insert()", NULL, 0);
	err = txn_record(st, "2");
	ck_assert_int_eq(err, PF_OK);	/* committed; the seal's failure logged */
	ck_assert_int_eq(db_number("SELECT max(seq) FROM audit"), 1);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit_pending"), 1);
	sql_ok(c, "DROP TRIGGER no_audit_insert ON audit", NULL, 0);
	PQfinish(c);
	ck_assert_int_eq(txn_record(st, "3"), PF_OK);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit_pending"), 0);
	ck_assert_int_eq(db_number("SELECT max(seq) FROM audit"), 3);
	audit_dir_verified_remove();
}
END_TEST

/*
 * A record's transaction and its seal: BEGIN, then the pending record with
 * the COMMIT; the seal's BEGIN with its lock, head and take, then its
 * INSERT with its COMMIT.  Four round trips, the record sealed.
 */
START_TEST(test_seal_put_goes_with_its_commit)
{
	SKIP_WITHOUT_SERVER();
	audit_dir_make();
	ck_assert_int_eq(trips_of(txn_record, "1", "2"), 4);
	ck_assert_int_eq(db_number("SELECT count(*) FROM audit_pending"), 0);
	ck_assert_int_eq(db_number("SELECT max(seq) FROM audit"), 2);
	audit_dir_verified_remove();
}
END_TEST

/*
 * The pending records of a transaction go with its COMMIT, which sets
 * their ids: BEGIN, then the rest in one round trip.
 */
START_TEST(test_pending_ids_set_by_the_commit)
{
	struct pf_audit_event	 ev = { "audit-key-rotated", "admin", NULL,
	    NULL, NULL };
	struct pf_audit_record	 rec[3];
	long long		 before;
	size_t			 i;

	SKIP_WITHOUT_SERVER();
	record_left_pending();	/* prepared */
	before = trips(st);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	for (i = 0; i < nitems(rec); i++)
		ck_assert_int_eq(pf_audit_append(st, &ev, &rec[i]), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	ck_assert_int_eq(trips(st) - before, 2);
	ck_assert_int_eq(rec[0].pending, db_number("SELECT min(id) FROM "
	    "audit_pending WHERE id > (SELECT min(id) FROM audit_pending)"));
	for (i = 1; i < nitems(rec); i++)
		ck_assert_int_eq(rec[i].pending, rec[i - 1].pending + 1);
	ck_assert_int_eq(rec[2].pending,
	    db_number("SELECT max(id) FROM audit_pending"));
	for (i = 0; i < nitems(rec); i++)
		pf_audit_record_clear(&rec[i]);
}
END_TEST

/*
 * privforms backup on PostgreSQL refuses, naming the pg_dump command for
 * this database (its host: the socket directory the store connected to).
 */
START_TEST(test_backup_names_pg_dump)
{
	char	 got[1024], want[256];

	SKIP_WITHOUT_SERVER();
	snprintf(want, sizeof(want), "pg_dump --format=custom "
	    "--file=/nonexistent/pf.dump 'dbname=%s host=%s'\n", dbname,
	    server);
	pf_test_capture();
	ck_assert_int_eq(pf_store_backup(st, "/nonexistent/pf.dump", 0, NULL),
	    PF_ECONFIG);
	pf_test_captured(got, sizeof(got));
	ck_assert_msg(strstr(got, want) != NULL, "%s", got);
	ck_assert_ptr_null(strstr(got, "(null)"));
}
END_TEST

PF_TEST_MAIN("store_pg",
    tcase_add_unchecked_fixture(tc, server_start, server_stop),
    tcase_add_checked_fixture(tc, db_setup, db_teardown),
    tcase_add_test(tc, test_every_statement_prepares),
    tcase_add_test(tc, test_open_migrates_and_checks),
    tcase_add_test(tc, test_values_round_trip),
    tcase_add_test(tc, test_insert_ids_and_changes),
    tcase_add_test(tc, test_savepoint_undo),
    tcase_add_test(tc, test_broken_connection_reconnects_at_begin),
    tcase_add_test(tc, test_connect_gives_up_on_a_silent_server),
    tcase_add_test(tc, test_error_mapping),
    tcase_add_test(tc, test_until_bounds_a_wait),
    tcase_add_test(tc, test_key_lock_holds_the_key_only),
    tcase_add_test(tc, test_outbox_claim_never_twice),
    tcase_add_test(tc, test_writes_read_committed_whatever_the_default),
    tcase_add_test(tc, test_audit_append_gapless_across_connections),
    tcase_add_test(tc, test_seal_two_writers_gapless),
    tcase_add_test(tc, test_seal_after_killed_writer),
    tcase_add_test(tc, test_seal_time_never_goes_back),
    tcase_add_test(tc, test_seal_waits_for_a_running_seal),
    tcase_add_test(tc, test_seal_taken_by_a_running_seal),
    tcase_add_test(tc, test_a_take_rolled_back_leaves_the_rows_free),
    tcase_add_test(tc, test_seal_took_part_of_a_long_transaction),
    tcase_add_test(tc, test_seal_of_a_record_whose_id_was_lost),
    tcase_add_test(tc, test_seal_one_per_transaction),
    tcase_add_test(tc, test_seal_begin_take),
    tcase_add_test(tc, test_begin_then_is_not_tried_again_after_rows),
    tcase_add_test(tc, test_rollback_writes_no_count_sent_ahead),
    tcase_add_test(tc, test_seal_outlives_a_spent_deadline),
    tcase_add_test(tc, test_subscription_saves_at_once_change_once),
    tcase_add_test(tc, test_roles_cannot_rewrite_the_trail),
    tcase_add_test(tc, test_every_table_is_in_a_list),
    tcase_add_test(tc, test_copy_from_sqlite),
    tcase_add_test(tc, test_copy_never_reuses_an_id),
    tcase_add_test(tc, test_copy_of_no_rows_never_reuses_an_id),
    tcase_add_loop_test(tc, test_copy_keeps_every_row_at_a_batch_boundary,
	0, 2),
    tcase_add_test(tc, test_sent_ahead_go_with_the_commit),
    tcase_add_test(tc, test_sent_ahead_failure_is_the_next_statements),
    PF_LOOP(test_savepoint_failure_undoes_its_work_only, savepoint_failures),
    tcase_add_test(tc, test_sent_ahead_past_a_full_pipeline),
    tcase_add_test(tc, test_count_sent_ahead),
    tcase_add_test(tc, test_ahead_then_a_cut_then_a_read),
    tcase_add_test(tc, test_a_failed_seal_put_commits_no_take),
    tcase_add_test(tc, test_savepoint_outside_a_transaction),
    tcase_add_test(tc, test_ahead_then_a_cut_then_the_commit),
    tcase_add_test(tc, test_ahead_lock_timeout_then_the_commit),
    tcase_add_test(tc, test_seal_put_goes_with_its_commit),
    tcase_add_test(tc, test_pending_ids_set_by_the_commit),
    tcase_add_test(tc, test_backup_names_pg_dump))
