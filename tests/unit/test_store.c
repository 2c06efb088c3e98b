/* test_store.c -- opening, pragmas, migrations, transactions, queries (store.h). */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check_main.h"
#include "busy.h"
#include "fixture.h"
#include "err.h"
#include "lang.h"
#include "schema.h"
#include "store.h"
#include "utc.h"

#define ZERO_DIGEST "0000000000000000000000000000000000000000000000000000000000000000"
#define T1 "2026-11-24T06:00:00.000001Z"
#define T2 "2026-11-24T07:00:00.000002Z"
#define T3 "2026-11-24T08:00:00.000003Z"

static struct pf_store *
open_mode(const char *mode)
{
	struct pf_store_opts	 o = { fx.db, mode, 50 };
	struct pf_store		*st = NULL;

	ck_assert_int_eq(pf_store_open(&o, &st), PF_OK);
	ck_assert_ptr_nonnull(st);
	return st;
}

/* A second connection, as another worker process would have. */
static sqlite3 *
raw_open(void)
{
	sqlite3	*h = NULL;

	ck_assert_int_eq(sqlite3_open(fx.db, &h), SQLITE_OK);
	return h;
}

static int
exists(const char *path)
{
	struct stat	 sb;

	return stat(path, &sb) == 0;
}

static struct pf_optout
optout(const char *address, const char *reason, const char *source)
{
	struct pf_optout	 o = { "email", address, "", reason, source,
	    NULL, NULL };

	return o;
}

START_TEST(test_open_applies_migrations_and_sets_user_version)
{
	struct pf_store	*st = open_mode("truncate");
	int		 v = -1;

	ck_assert_uint_gt(pf_nmigrations, 0);
	ck_assert_int_eq(pf_store_schema_version(st, &v), PF_OK);
	ck_assert_int_eq(v, (int)pf_migrations[pf_nmigrations - 1].version);
	pf_store_close(st);
	ck_assert_int_eq(pf_test_count("PRAGMA user_version"), v);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM sqlite_schema "
	    "WHERE type = 'table' AND name IN ('optout', 'audit', 'outbox')"), 3);
}
END_TEST

START_TEST(test_open_twice_keeps_schema_and_rows)
{
	struct pf_optout	 o = optout("a@example.com", NULL, "form");
	struct pf_store		*st = open_mode("truncate");
	long long		 n = 0;
	int			 v = -1;

	ck_assert_int_eq(pf_store_optout_put(st, &o, T1), PF_OK);
	pf_store_close(st);
	st = open_mode("truncate");
	ck_assert_int_eq(pf_store_schema_version(st, &v), PF_OK);
	ck_assert_int_eq(v, (int)pf_migrations[pf_nmigrations - 1].version);
	ck_assert_int_eq(pf_store_optout_count(st, &n), PF_OK);
	ck_assert_int_eq(n, 1);
	pf_store_close(st);
}
END_TEST

START_TEST(test_open_refuses_newer_schema)
{
	struct pf_store_opts	 o = { fx.db, "truncate", 50 };
	struct pf_store		*st = NULL;
	sqlite3			*h = raw_open();

	ck_assert_int_eq(sqlite3_exec(h, "PRAGMA user_version = 999", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	ck_assert_int_eq(pf_store_open(&o, &st), PF_ECONFIG);
	ck_assert_ptr_null(st);
}
END_TEST

/* Each asked mode, and what it leaves beside the database after a write. */
static const struct {
	const char	*asked;
	const char	*mode;
	int		 journal_file;
} modes[] = {
	{ "delete", "delete", 0 },
	{ "truncate", "truncate", 1 },
	{ NULL, "truncate", 1 },
};

START_TEST(test_journal_mode_as_asked_and_synchronous_full)
{
	struct pf_optout	 o = optout("a@example.com", NULL, "form");
	struct pf_store		*st = open_mode(modes[_i].asked);
	char			 journal[PF_TEST_PATH + 16];
	int			 level = -1;

	ck_assert_str_eq(pf_store_journal_mode(st), modes[_i].mode);
	ck_assert_int_eq(pf_store_synchronous(st, &level), PF_OK);
	ck_assert_int_eq(level, 2);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_optout_put(st, &o, T1), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	/* TRUNCATE keeps an empty journal; DELETE removes it. */
	snprintf(journal, sizeof(journal), "%s-journal", fx.db);
	ck_assert_int_eq(exists(journal), modes[_i].journal_file);
	pf_store_close(st);
}
END_TEST

START_TEST(test_wal_refused_on_affected_sqlite)
{
	struct pf_store_opts	 o = { fx.db, "wal", 50 };
	struct pf_store		*st = NULL;

	if (pf_store_wal_safe(sqlite3_libversion_number()))
		return;	/* a fixed SQLite: nothing to refuse */
	ck_assert_int_eq(pf_store_open(&o, &st), PF_ECONFIG);
	ck_assert_ptr_null(st);
	ck_assert_int_eq(exists(fx.db), 0);
}
END_TEST

static const char *const bad_modes[] = {
	"", "WAL", "memory", "off", "persist", "truncate ", "delete;",
};

START_TEST(test_unknown_journal_mode_refused)
{
	struct pf_store_opts	 o = { fx.db, bad_modes[_i], 50 };
	struct pf_store		*st = NULL;

	ck_assert_int_eq(pf_store_open(&o, &st), PF_ECONFIG);
	ck_assert_ptr_null(st);
	ck_assert_int_eq(exists(fx.db), 0);
}
END_TEST

static const struct {
	int	 version;
	int	 safe;
} wal_versions[] = {
	{ 3007000, 0 },
	{ 3040001, 0 },
	{ 3044005, 0 },
	{ 3044006, 1 },
	{ 3044099, 1 },
	{ 3045000, 0 },
	{ 3050006, 0 },
	{ 3050007, 1 },
	{ 3051000, 0 },
	{ 3051002, 0 },
	{ 3051003, 1 },
	{ 3060000, 1 },
};

START_TEST(test_wal_safe_versions)
{
	ck_assert_msg(pf_store_wal_safe(wal_versions[_i].version) ==
	    wal_versions[_i].safe, "version %d", wal_versions[_i].version);
}
END_TEST

START_TEST(test_open_unreachable_path_is_busy)
{
	struct pf_store_opts	 o = { "/nonexistent/dir/privforms.db",
	    "truncate", 50 };
	struct pf_store		*st = NULL;

	ck_assert_int_eq(pf_store_open(&o, &st), PF_EBUSY);
	ck_assert_ptr_null(st);
}
END_TEST

START_TEST(test_open_not_a_database_is_store_error)
{
	struct pf_store_opts	 o = { fx.db, "truncate", 50 };
	struct pf_store		*st = NULL;
	char			 junk[4096];
	int			 fd;

	memset(junk, 'x', sizeof(junk));
	fd = open(fx.db, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	ck_assert_int_eq(pf_store_open(&o, &st), PF_ESTORE);
	ck_assert_ptr_null(st);
}
END_TEST

START_TEST(test_now_is_utc_with_microseconds)
{
	char	 t[32];
	size_t	 i;

	pf_utc_now(t);
	ck_assert_uint_eq(strlen(t), 27);
	for (i = 0; i < 27; i++) {
		switch (i) {
		case 4: case 7:
			ck_assert_int_eq(t[i], '-');
			break;
		case 10:
			ck_assert_int_eq(t[i], 'T');
			break;
		case 13: case 16:
			ck_assert_int_eq(t[i], ':');
			break;
		case 19:
			ck_assert_int_eq(t[i], '.');
			break;
		case 26:
			ck_assert_int_eq(t[i], 'Z');
			break;
		default:
			ck_assert_msg(t[i] >= '0' && t[i] <= '9', "%s", t);
		}
	}
}
END_TEST

/* A time, a number of years, and the cutoff that many years before it. */
static const struct {
	const char	*now;
	long		 years;
	const char	*want;
} years_before[] = {
	{ "2026-11-24T06:00:00", 5, "2021-11-24T06:00:00.000000Z" },
	{ "2026-11-24T23:59:59", 5, "2021-11-24T23:59:59.000000Z" },
	{ "2026-01-01T00:00:00", 1, "2025-01-01T00:00:00.000000Z" },
	{ "2026-11-24T06:00:00", 0, "2026-11-24T06:00:00.000000Z" },
	/* 29 February into a year without one: the 28th, never 1 March. */
	{ "2028-02-29T12:00:00", 5, "2023-02-28T12:00:00.000000Z" },
	{ "2028-02-29T12:00:00", 1, "2027-02-28T12:00:00.000000Z" },
	{ "2000-02-29T12:00:00", 100, "1900-02-28T12:00:00.000000Z" },
	/* ... and into one that has it, the same day. */
	{ "2024-02-29T12:00:00", 4, "2020-02-29T12:00:00.000000Z" },
	{ "2400-02-29T12:00:00", 400, "2000-02-29T12:00:00.000000Z" },
	{ "2029-03-01T12:00:00", 5, "2024-03-01T12:00:00.000000Z" },
	{ "2028-02-28T12:00:00", 5, "2023-02-28T12:00:00.000000Z" },
	/* No four-digit year: the earliest time, so nothing is purged. */
	{ "2026-11-24T06:00:00", -1, "0000-01-01T00:00:00.000000Z" },
	{ "2026-11-24T06:00:00", 1026, "1000-11-24T06:00:00.000000Z" },
	{ "2026-11-24T06:00:00", 1027, "0000-01-01T00:00:00.000000Z" },
	{ "2026-11-24T06:00:00", 2026, "0000-01-01T00:00:00.000000Z" },
	{ "2026-11-24T06:00:00", 2027, "0000-01-01T00:00:00.000000Z" },
	{ "2026-11-24T06:00:00", 2147483647L, "0000-01-01T00:00:00.000000Z" },
};

START_TEST(test_years_before_same_day_and_time)
{
	char	 t[32];

	memset(t, 'x', sizeof(t));
	pf_utc_years_before(pf_test_utc(years_before[_i].now),
	    years_before[_i].years, t);
	ck_assert_msg(strcmp(t, years_before[_i].want) == 0,
	    "%s minus %ld: %s", years_before[_i].now, years_before[_i].years,
	    t);
}
END_TEST

struct seen {
	int	 n;
	char	 address[4][32];
	char	 created[4][32];
	char	 updated[4][32];
	char	 reason[4][32];
	char	 source[4][32];
	int	 stop_at;
};

static int
collect(const struct pf_optout *o, void *arg)
{
	struct seen	*s = arg;

	ck_assert_int_lt(s->n, 4);
	snprintf(s->address[s->n], 32, "%s", o->address);
	snprintf(s->created[s->n], 32, "%s", o->created);
	snprintf(s->updated[s->n], 32, "%s", o->updated);
	snprintf(s->reason[s->n], 32, "%s", o->reason ? o->reason : "(null)");
	snprintf(s->source[s->n], 32, "%s", o->source);
	s->n++;
	return s->n == s->stop_at ? 42 : 0;
}

START_TEST(test_optout_twice_keeps_one_row_and_updates)
{
	struct pf_optout	 a = optout("a@example.com", NULL, "form");
	struct pf_optout	 b = optout("a@example.com", "too many", "one-click");
	struct pf_store		*st = open_mode("truncate");
	struct seen		 s = { 0 };
	long long		 n = 0;

	ck_assert_int_eq(pf_store_optout_put(st, &a, T1), PF_OK);
	ck_assert_int_eq(pf_store_optout_put(st, &b, T2), PF_OK);
	ck_assert_int_eq(pf_store_optout_count(st, &n), PF_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(pf_store_optout_each(st, collect, &s), PF_OK);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.created[0], T1);
	ck_assert_str_eq(s.updated[0], T2);
	ck_assert_str_eq(s.reason[0], "too many");
	ck_assert_str_eq(s.source[0], "one-click");
	pf_store_close(st);
}
END_TEST

START_TEST(test_optout_other_list_or_channel_is_another_row)
{
	struct pf_optout	 a = optout("a@example.com", NULL, "form");
	struct pf_store		*st = open_mode("truncate");
	long long		 n = 0;

	ck_assert_int_eq(pf_store_optout_put(st, &a, T1), PF_OK);
	a.list = "news";
	ck_assert_int_eq(pf_store_optout_put(st, &a, T1), PF_OK);
	a.channel = "sms";
	a.address = "+15551234567";
	ck_assert_int_eq(pf_store_optout_put(st, &a, T1), PF_OK);
	ck_assert_int_eq(pf_store_optout_count(st, &n), PF_OK);
	ck_assert_int_eq(n, 3);
	pf_store_close(st);
}
END_TEST

START_TEST(test_optout_each_in_order_of_first_optout)
{
	struct pf_optout	 a = optout("a@example.com", NULL, "form");
	struct pf_optout	 b = optout("b@example.com", NULL, "form");
	struct pf_optout	 c = optout("c@example.com", NULL, "form");
	struct pf_store		*st = open_mode("truncate");
	struct seen		 s = { 0 };

	ck_assert_int_eq(pf_store_optout_put(st, &a, T3), PF_OK);
	ck_assert_int_eq(pf_store_optout_put(st, &b, T1), PF_OK);
	ck_assert_int_eq(pf_store_optout_put(st, &c, T2), PF_OK);
	/* A repeat moves updated, not the order. */
	ck_assert_int_eq(pf_store_optout_put(st, &b, T3), PF_OK);
	ck_assert_int_eq(pf_store_optout_each(st, collect, &s), PF_OK);
	ck_assert_int_eq(s.n, 3);
	ck_assert_str_eq(s.address[0], "b@example.com");
	ck_assert_str_eq(s.address[1], "c@example.com");
	ck_assert_str_eq(s.address[2], "a@example.com");
	ck_assert_str_eq(s.reason[0], "(null)");
	pf_store_close(st);
}
END_TEST

START_TEST(test_optout_each_stops_and_returns_callback_value)
{
	struct pf_optout	 a = optout("a@example.com", NULL, "form");
	struct pf_optout	 b = optout("b@example.com", NULL, "form");
	struct pf_store		*st = open_mode("truncate");
	struct seen		 s = { .stop_at = 1 };

	ck_assert_int_eq(pf_store_optout_put(st, &a, T1), PF_OK);
	ck_assert_int_eq(pf_store_optout_put(st, &b, T2), PF_OK);
	ck_assert_int_eq(pf_store_optout_each(st, collect, &s), 42);
	ck_assert_int_eq(s.n, 1);
	/* The statement was reset: a second walk sees every row. */
	s.n = 0;
	s.stop_at = 0;
	ck_assert_int_eq(pf_store_optout_each(st, collect, &s), PF_OK);
	ck_assert_int_eq(s.n, 2);
	pf_store_close(st);
}
END_TEST

START_TEST(test_optout_refuses_unknown_channel)
{
	struct pf_optout	 a = optout("a@example.com", NULL, "form");
	struct pf_store		*st = open_mode("truncate");
	long long		 n = -1;

	a.channel = "fax";
	ck_assert_int_eq(pf_store_optout_put(st, &a, T1), PF_ESTORE);
	ck_assert_int_eq(pf_store_optout_count(st, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	pf_store_close(st);
}
END_TEST

START_TEST(test_begin_busy_while_another_writer_holds_the_lock)
{
	struct pf_store	*st = open_mode("truncate");
	sqlite3		*h = raw_open();
	struct timespec	 t0, t1;
	double		 ms;

	ck_assert_int_eq(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(pf_store_begin(st), PF_EBUSY);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	ck_assert_msg(ms >= 40 && ms < 2000, "waited %.1f ms", ms);
	ck_assert_int_eq(sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	/* Once the other writer is gone, the same connection works. */
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	sqlite3_close(h);
	pf_store_close(st);
}
END_TEST

static double
ms_since(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * With until = now the open tries once: a worker started under a held lock
 * must not wait out a busy timeout (here a minute) before its first page.
 */
START_TEST(test_open_until_now_does_not_wait_for_the_lock)
{
	struct pf_store_opts	 o = { fx.db, "truncate", 60000 };
	struct pf_store		*st = open_mode("truncate");
	sqlite3			*h = raw_open();
	struct timespec		 t0, now;

	pf_store_close(st);
	st = NULL;
	ck_assert_int_eq(sqlite3_exec(h, "BEGIN EXCLUSIVE", NULL, NULL, NULL),
	    SQLITE_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pf_busy_deadline(0, &now);
	ck_assert_int_eq(pf_store_open_until(&o, &now, &st), PF_EBUSY);
	ck_assert_ptr_null(st);
	ck_assert_msg(ms_since(&t0) < 30000, "waited %.1f ms", ms_since(&t0));
	ck_assert_int_eq(sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(pf_store_open_until(&o, &now, &st), PF_OK);
	/* The open's deadline ends with it: later waits have the timeout. */
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	sqlite3_close(h);
	pf_store_close(st);
}
END_TEST

/* pf_store_until bounds BEGIN and COMMIT together, not each by the timeout. */
START_TEST(test_until_bounds_every_wait_of_a_transaction)
{
	struct pf_store_opts	 o = { fx.db, "truncate", 60000 };
	struct pf_store		*st = NULL;
	sqlite3			*h = raw_open();
	struct timespec		 t0, until;

	ck_assert_int_eq(pf_store_open(&o, &st), PF_OK);
	ck_assert_int_eq(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pf_busy_deadline(100, &until);
	pf_store_until(st, &until);
	ck_assert_int_eq(pf_store_begin(st), PF_EBUSY);
	ck_assert_msg(ms_since(&t0) >= 100 && ms_since(&t0) < 30000,
	    "waited %.1f ms", ms_since(&t0));
	/* The deadline has passed: the next wait gives up at once. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(pf_store_begin(st), PF_EBUSY);
	ck_assert_msg(ms_since(&t0) < 30000, "waited %.1f ms", ms_since(&t0));
	ck_assert_int_eq(sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	pf_store_until(st, NULL);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	sqlite3_close(h);
	pf_store_close(st);
}
END_TEST

/*
 * pf_store_open_existing makes no file where there is none; on one it
 * opens like pf_store_open.  pf_store_size is the file's size.
 */
START_TEST(test_open_existing_and_size)
{
	struct pf_store_opts	 o = { fx.db, "truncate", 50 };
	struct pf_store		*st = NULL;
	struct stat		 sb;
	long long		 size = 0;

	ck_assert_int_eq(pf_store_open_existing(&o, &st), PF_ENOTFOUND);
	ck_assert_ptr_null(st);
	ck_assert(!exists(fx.db));
	pf_store_close(open_mode("truncate"));
	ck_assert_int_eq(pf_store_open_existing(&o, &st), PF_OK);
	ck_assert_int_eq(pf_store_size(st, &size), PF_OK);
	ck_assert_int_eq(stat(fx.db, &sb), 0);
	ck_assert_int_eq(size, (long long)sb.st_size);
	ck_assert_int_gt(size, 0);
	pf_store_close(st);
}
END_TEST

/* Read-only: no file created, no migration, and reads that work. */
START_TEST(test_open_readonly_never_writes)
{
	struct pf_store_opts	 o = { fx.db, NULL, 50 };
	struct pf_store		*st = NULL;
	struct stat		 before, after;
	sqlite3			*h;
	long long		 n = -1;

	ck_assert_int_ne(pf_store_open_readonly(&o, &st), PF_OK);
	ck_assert_ptr_null(st);
	ck_assert(!exists(fx.db));
	pf_store_close(open_mode("truncate"));
	ck_assert_int_eq(stat(fx.db, &before), 0);
	ck_assert_int_eq(pf_store_open_readonly(&o, &st), PF_OK);
	ck_assert_int_eq(pf_store_optout_count(st, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_ne(pf_store_optout_put(st, &(struct pf_optout){ "email",
	    "a@example.com", "", NULL, "form", NULL, NULL }, T1), PF_OK);
	pf_store_rollback(st);
	pf_store_close(st);
	ck_assert_int_eq(stat(fx.db, &after), 0);
	ck_assert_int_eq(before.st_mtime, after.st_mtime);
	ck_assert_int_eq(before.st_size, after.st_size);
	/* An older schema is left for a form or privforms init to migrate. */
	h = raw_open();
	ck_assert_int_eq(sqlite3_exec(h, "PRAGMA user_version = 1", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	st = NULL;
	ck_assert_int_eq(pf_store_open_readonly(&o, &st), PF_ECONFIG);
	ck_assert_ptr_null(st);
	ck_assert_int_eq(pf_test_count("PRAGMA user_version"), 1);
}
END_TEST

static int
tally_into(const char *a, const char *b, long long n, void *arg)
{
	char	*out = arg;
	size_t	 len = strlen(out);

	snprintf(out + len, 256 - len, "%s/%s=%lld;", a, b != NULL ? b : "-", n);
	return 0;
}

static void
audit_row_put(struct pf_store *st, long long seq, const char *form,
    const char *event)
{
	struct pf_audit_row	 r = { seq, T1, event, form, ZERO_DIGEST,
	    ZERO_DIGEST, "<r/>", 4 };

	ck_assert_int_eq(pf_store_audit_put(st, &r), PF_OK);
}

/*
 * audit_count counts every record as it is stored (a trigger), and the
 * migration that made it counted the records already there.
 */
START_TEST(test_audit_tally_counts_records_by_form_and_event)
{
	struct pf_store	*st = open_mode("truncate");
	sqlite3		*h;
	char		 got[256] = "";

	audit_row_put(st, 1, "unsubscribe", "unsubscribed");
	audit_row_put(st, 2, "admin", "dnc-removed");
	audit_row_put(st, 3, "unsubscribe", "unsubscribed");
	ck_assert_int_eq(pf_store_audit_tally(st, tally_into, got), PF_OK);
	ck_assert_str_eq(got, "admin/dnc-removed=1;unsubscribe/unsubscribed=2;");
	pf_store_close(st);
	/*
	 * As a database from before 008: the counts made again from the rows
	 * (and what the later migrations made dropped, so they run again).
	 */
	h = raw_open();
	ck_assert_int_eq(sqlite3_exec(h, "DROP TRIGGER audit_count_put; "
	    "DROP TABLE audit_count; DROP TABLE consent_record; "
	    "DROP TABLE request_agent; "
	    "DROP TABLE sale_opt_out; "
	    "DROP TABLE subscription; DROP TABLE subscription_event; "
	    "ALTER TABLE request_event DROP COLUMN reason; "
	    "ALTER TABLE request DROP COLUMN reduced; "
	    "ALTER TABLE request DROP COLUMN appeal; "
	    "ALTER TABLE request DROP COLUMN appeal_due; "
	    "ALTER TABLE request DROP COLUMN appeal_reason; "
	    "ALTER TABLE request DROP COLUMN lang; "
	    "ALTER TABLE optout DROP COLUMN lang; "
	    "ALTER TABLE dnc DROP COLUMN lang; "
	    "ALTER TABLE feedback DROP COLUMN lang; "
	    "ALTER TABLE outbox DROP COLUMN lang; "
	    "PRAGMA user_version = 7", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(h);
	st = open_mode("truncate");
	got[0] = '\0';
	ck_assert_int_eq(pf_store_audit_tally(st, tally_into, got), PF_OK);
	ck_assert_str_eq(got, "admin/dnc-removed=1;unsubscribe/unsubscribed=2;");
	audit_row_put(st, 4, "admin", "dnc-removed");
	got[0] = '\0';
	ck_assert_int_eq(pf_store_audit_tally(st, tally_into, got), PF_OK);
	ck_assert_str_eq(got, "admin/dnc-removed=2;unsubscribe/unsubscribed=2;");
	pf_store_close(st);
}
END_TEST

START_TEST(test_rollback_leaves_nothing)
{
	struct pf_optout	 a = optout("a@example.com", NULL, "form");
	struct pf_store		*st = open_mode("truncate");
	long long		 n = -1;

	pf_store_rollback(st);	/* outside a transaction: nothing happens */
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_optout_put(st, &a, T1), PF_OK);
	pf_store_rollback(st);
	ck_assert_int_eq(pf_store_optout_count(st, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM optout"), 0);
	pf_store_close(st);
}
END_TEST

START_TEST(test_commit_is_seen_by_another_connection)
{
	struct pf_optout	 a = optout("a@example.com", NULL, "form");
	struct pf_store		*st = open_mode("truncate");

	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_optout_put(st, &a, T1), PF_OK);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM optout"), 0);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM optout"), 1);
	ck_assert_int_eq(pf_store_commit(st), PF_ESTORE);	/* none open */
	pf_store_close(st);
}
END_TEST

/* A read transaction ends with pf_store_rollback, and a write one may follow. */
START_TEST(test_begin_read_then_rollback_ends_it)
{
	struct pf_store	*st = open_mode("truncate");
	long long	 n = -1;

	ck_assert_int_eq(pf_store_begin_read(st), PF_OK);
	ck_assert_int_eq(pf_store_optout_count(st, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	pf_store_rollback(st);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	/* Without a read in between, too. */
	ck_assert_int_eq(pf_store_begin_read(st), PF_OK);
	pf_store_rollback(st);
	ck_assert_int_eq(pf_store_begin_read(st), PF_OK);
	pf_store_rollback(st);
	pf_store_close(st);
}
END_TEST

START_TEST(test_begin_read_inside_a_transaction_is_refused)
{
	struct pf_store	*st = open_mode("truncate");

	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_begin_read(st), PF_ESTORE);
	pf_store_rollback(st);
	ck_assert_int_eq(pf_store_begin_read(st), PF_OK);
	ck_assert_int_eq(pf_store_begin_read(st), PF_ESTORE);
	ck_assert_int_eq(pf_store_begin(st), PF_ESTORE);
	pf_store_rollback(st);
	pf_store_close(st);
}
END_TEST

/* Deferred: until its first read it holds no lock and no snapshot. */
START_TEST(test_begin_read_takes_no_lock_before_its_first_read)
{
	struct pf_optout	 a = optout("a@example.com", NULL, "form");
	struct pf_store		*st = open_mode("truncate");
	sqlite3			*h = raw_open();
	long long		 n = -1;

	ck_assert_int_eq(pf_store_begin_read(st), PF_OK);
	ck_assert_int_eq(sqlite3_exec(h, "BEGIN IMMEDIATE; INSERT INTO optout "
	    "(channel, address, list, reason, source, created, updated) VALUES ('email', 'b@example.com', '', NULL, 'form', '" T1 "', "
	    "'" T1 "'); COMMIT", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(pf_store_optout_count(st, &n), PF_OK);
	ck_assert_int_eq(n, 1);
	pf_store_rollback(st);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_optout_put(st, &a, T2), PF_OK);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	sqlite3_close(h);
	pf_store_close(st);
}
END_TEST

/*
 * Once it has read, every read sees the same database: another writer may
 * take the write lock and write, but (rollback journal) cannot commit
 * until the read transaction ends.
 */
START_TEST(test_begin_read_is_one_snapshot_a_commit_waits)
{
	struct pf_optout	 a = optout("a@example.com", NULL, "form");
	struct pf_store		*st = open_mode("truncate");
	sqlite3			*h = raw_open();
	long long		 n = -1;

	ck_assert_int_eq(pf_store_optout_put(st, &a, T1), PF_OK);
	ck_assert_int_eq(pf_store_begin_read(st), PF_OK);
	ck_assert_int_eq(pf_store_optout_count(st, &n), PF_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(sqlite3_exec(h, "BEGIN IMMEDIATE; INSERT INTO optout "
	    "(channel, address, list, reason, source, created, updated) VALUES ('email', 'b@example.com', '', NULL, 'form', '" T1 "', "
	    "'" T1 "')", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) & 0xff,
	    SQLITE_BUSY);
	ck_assert_int_eq(pf_store_optout_count(st, &n), PF_OK);
	ck_assert_int_eq(n, 1);
	pf_store_rollback(st);
	ck_assert_int_eq(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(pf_store_optout_count(st, &n), PF_OK);
	ck_assert_int_eq(n, 2);
	sqlite3_close(h);
	pf_store_close(st);
}
END_TEST

static struct pf_audit_row
row(long long seq, char c)
{
	static char		 digest[3][65];
	static const char	 xml[] = "<record/>\n";
	struct pf_audit_row	 r = { seq, T1, "unsubscribed", "unsubscribe",
	    ZERO_DIGEST, NULL, xml, sizeof(xml) - 1 };

	memset(digest[seq % 3], c, 64);
	digest[seq % 3][64] = '\0';
	r.digest = digest[seq % 3];
	return r;
}

static int
audit_collect(const struct pf_audit_row *r, void *arg)
{
	long long	*seqs = arg;

	ck_assert_str_eq(r->time, T1);
	ck_assert_str_eq(r->event, "unsubscribed");
	ck_assert_str_eq(r->form, "unsubscribe");
	ck_assert_uint_eq(r->xml_len, 10);
	ck_assert_int_eq(memcmp(r->xml, "<record/>\n", 10), 0);
	seqs[++seqs[0]] = r->seq;
	return 0;
}

START_TEST(test_audit_rows_put_last_get_each)
{
	struct pf_store		*st = open_mode("truncate");
	struct pf_audit_row	 r1 = row(1, 'a'), r2 = row(2, 'b');
	long long		 seq = -1, seqs[4] = { 0 };
	char			 d[65];

	ck_assert_int_eq(pf_store_audit_last(st, &seq, d), PF_OK);
	ck_assert_int_eq(seq, 0);
	ck_assert_str_eq(d, ZERO_DIGEST);
	ck_assert_int_eq(pf_store_audit_put(st, &r1), PF_OK);
	ck_assert_int_eq(pf_store_audit_put(st, &r2), PF_OK);
	ck_assert_int_eq(pf_store_audit_last(st, &seq, d), PF_OK);
	ck_assert_int_eq(seq, 2);
	ck_assert_str_eq(d, r2.digest);
	ck_assert_int_eq(pf_store_audit_get(st, 2, audit_collect, seqs), PF_OK);
	ck_assert_int_eq(seqs[0], 1);
	ck_assert_int_eq(seqs[1], 2);
	ck_assert_int_eq(pf_store_audit_get(st, 3, audit_collect, seqs),
	    PF_ENOTFOUND);
	seqs[0] = 0;
	ck_assert_int_eq(pf_store_audit_each(st, 1, audit_collect, seqs), PF_OK);
	ck_assert_int_eq(seqs[0], 2);
	ck_assert_int_eq(seqs[1], 1);
	ck_assert_int_eq(seqs[2], 2);
	pf_store_close(st);
}
END_TEST

/* Stops the walk (returns 7) at the record its arg names. */
static int
stop_at(const struct pf_audit_row *r, void *arg)
{
	long long	*seqs = arg;

	seqs[++seqs[0]] = r->seq;
	return r->seq == seqs[1000] ? 7 : 0;
}

/*
 * A walk reads the trail a page at a time (store.c): across pages it
 * sees every record once, in order, from where it starts, and a callback
 * that stops it ends it there, with its value.
 */
START_TEST(test_audit_each_across_pages)
{
	struct pf_store		*st = open_mode("truncate");
	struct pf_audit_row	 r;
	static long long	 seqs[1001];
	long long		 i;

	for (i = 1; i <= 513; i++) {
		r = row(i, 'a');
		ck_assert_int_eq(pf_store_audit_put(st, &r), PF_OK);
	}
	seqs[1000] = 0;
	ck_assert_int_eq(pf_store_audit_each(st, 1, stop_at, seqs), PF_OK);
	ck_assert_int_eq(seqs[0], 513);
	for (i = 1; i <= 513; i++)
		ck_assert_int_eq(seqs[i], i);
	seqs[0] = 0;
	ck_assert_int_eq(pf_store_audit_each(st, 256, stop_at, seqs), PF_OK);
	ck_assert_int_eq(seqs[0], 258);
	ck_assert_int_eq(seqs[1], 256);
	ck_assert_int_eq(seqs[258], 513);
	seqs[0] = 0;
	seqs[1000] = 300;
	ck_assert_int_eq(pf_store_audit_each(st, 1, stop_at, seqs), 7);
	ck_assert_int_eq(seqs[0], 300);
	pf_store_close(st);
}
END_TEST

START_TEST(test_audit_refuses_repeated_seq)
{
	struct pf_store		*st = open_mode("truncate");
	struct pf_audit_row	 r1 = row(1, 'a'), r1b = row(1, 'b');

	ck_assert_int_eq(pf_store_audit_put(st, &r1), PF_OK);
	ck_assert_int_eq(pf_store_audit_put(st, &r1), PF_ESTORE);
	ck_assert_int_eq(pf_store_audit_put(st, &r1b), PF_ESTORE);
	pf_store_close(st);
}
END_TEST

/* ---- the outbox ---- */

#define T4 "2026-11-24T09:00:00.000004Z"

/* A copy of the last outbox row a callback saw. */
struct orow {
	int		 n;
	long long	 id;
	char		 template[32], recipient[64], vals[64], subject[80];
	char		 state[16], next_try[32], last_error[64];
	char		 created[32], updated[32];
	int		 attempts;
};

static void
copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src != NULL ? src : "(null)");
}

static int
orow_collect(const struct pf_outbox_row *r, void *arg)
{
	struct orow	*o = arg;

	o->n++;
	o->id = r->id;
	copy(o->template, sizeof(o->template), r->template);
	copy(o->recipient, sizeof(o->recipient), r->recipient);
	copy(o->vals, sizeof(o->vals), r->vals);
	copy(o->subject, sizeof(o->subject), r->subject);
	copy(o->state, sizeof(o->state), r->state);
	copy(o->next_try, sizeof(o->next_try), r->next_try);
	copy(o->last_error, sizeof(o->last_error), r->last_error);
	copy(o->created, sizeof(o->created), r->created);
	copy(o->updated, sizeof(o->updated), r->updated);
	o->attempts = r->attempts;
	return 0;
}

/* Queue one message at now; its id. */
static long long
oput(struct pf_store *st, const char *recipient, const char *now)
{
	long long	 id = -1;

	ck_assert_int_eq(pf_store_outbox_put(st, "unsubscribed", recipient,
	    "channel=email&site=https%3A%2F%2Fexample.com%2F", NULL, "en", now,
	    &id), PF_OK);
	ck_assert_int_gt(id, 0);
	return id;
}

/* Claim at now with a lease to lease_end: the id, or 0 when none is due. */
static long long
oclaim(struct pf_store *st, const char *now, const char *lease_end)
{
	struct orow	 o = { 0 };
	int		 rc;

	rc = pf_store_outbox_claim(st, now, lease_end, orow_collect, &o);
	if (rc == PF_ENOTFOUND) {
		ck_assert_int_eq(o.n, 0);
		return 0;
	}
	ck_assert_int_eq(rc, PF_OK);
	ck_assert_int_eq(o.n, 1);
	ck_assert_str_eq(o.state, "sending");
	ck_assert_str_eq(o.next_try, lease_end);
	ck_assert_str_eq(o.updated, now);
	return o.id;
}

static struct orow
oget(struct pf_store *st, long long id)
{
	struct orow	 o = { 0 };

	ck_assert_int_eq(pf_store_outbox_get(st, id, orow_collect, &o), PF_OK);
	ck_assert_int_eq(o.n, 1);
	return o;
}

static void
ocounts(struct pf_store *st, long long queued, long long sending,
    long long sent, long long failed)
{
	long long	 q = -1, g = -1, s = -1, f = -1;

	ck_assert_int_eq(pf_store_outbox_counts(st, &q, &g, &s, &f), PF_OK);
	ck_assert_int_eq(q, queued);
	ck_assert_int_eq(g, sending);
	ck_assert_int_eq(s, sent);
	ck_assert_int_eq(f, failed);
}

START_TEST(test_outbox_put_then_get_every_column)
{
	struct pf_store	*st = open_mode("truncate");
	struct orow	 o;
	long long	 a, b = -1;

	ocounts(st, 0, 0, 0, 0);
	a = oput(st, "a@example.com", T1);
	ck_assert_int_eq(pf_store_outbox_put(st, "privacy-team",
	    "team@example.com", "", "c0ffee", "en", T2, &b), PF_OK);
	ck_assert_int_gt(b, a);
	ck_assert_int_eq(pf_store_outbox_put(st, "privacy-team",
	    "team@example.com", "", NULL, "en", T2, NULL), PF_OK);
	o = oget(st, a);
	ck_assert_int_eq(o.id, a);
	ck_assert_str_eq(o.template, "unsubscribed");
	ck_assert_str_eq(o.recipient, "a@example.com");
	ck_assert_str_eq(o.vals, "channel=email&site=https%3A%2F%2Fexample.com%2F");
	ck_assert_str_eq(o.subject, "(null)");
	ck_assert_str_eq(o.state, "queued");
	ck_assert_int_eq(o.attempts, 0);
	ck_assert_str_eq(o.next_try, T1);
	ck_assert_str_eq(o.last_error, "(null)");
	ck_assert_str_eq(o.created, T1);
	ck_assert_str_eq(o.updated, T1);
	o = oget(st, b);
	ck_assert_str_eq(o.subject, "c0ffee");
	ck_assert_str_eq(o.vals, "");
	ocounts(st, 3, 0, 0, 0);
	ck_assert_int_eq(pf_store_outbox_get(st, b + 100, orow_collect, &o),
	    PF_ENOTFOUND);
	pf_store_close(st);
}
END_TEST

START_TEST(test_outbox_claim_takes_due_first_and_nothing_not_yet_due)
{
	struct pf_store	*st = open_mode("truncate");
	long long	 a, b, c;

	a = oput(st, "a@example.com", T2);
	b = oput(st, "b@example.com", T1);
	c = oput(st, "c@example.com", T3);
	/* Before anything is due, nothing is taken. */
	ck_assert_int_eq(oclaim(st, "2026-11-24T05:59:59.999999Z", T4), 0);
	ocounts(st, 3, 0, 0, 0);
	ck_assert_int_eq(oclaim(st, T2, T4), b);
	ck_assert_int_eq(oclaim(st, T2, T4), a);
	ck_assert_int_eq(oclaim(st, T2, T4), 0);	/* c is due at T3 */
	ocounts(st, 1, 2, 0, 0);
	ck_assert_int_eq(oclaim(st, T3, T4), c);
	ocounts(st, 0, 3, 0, 0);
	pf_store_close(st);
}
END_TEST

START_TEST(test_outbox_same_due_time_claimed_in_id_order)
{
	struct pf_store	*st = open_mode("truncate");
	long long	 a, b;

	a = oput(st, "a@example.com", T1);
	b = oput(st, "b@example.com", T1);
	ck_assert_int_eq(oclaim(st, T1, T2), a);
	ck_assert_int_eq(oclaim(st, T1, T2), b);
	pf_store_close(st);
}
END_TEST

START_TEST(test_outbox_expired_lease_is_claimed_again)
{
	struct pf_store	*st = open_mode("truncate");
	struct orow	 o;
	long long	 a;

	a = oput(st, "a@example.com", T1);
	ck_assert_int_eq(oclaim(st, T1, T3), a);
	/* The lease runs to T3: a second sender at T2 finds nothing. */
	ck_assert_int_eq(oclaim(st, T2, T4), 0);
	/* The first sender died; at T3 the message is due again. */
	ck_assert_int_eq(oclaim(st, T3, T4), a);
	o = oget(st, a);
	ck_assert_str_eq(o.state, "sending");
	ck_assert_str_eq(o.next_try, T4);
	/* Each claim counts: the dead sender's attempt is not forgotten. */
	ck_assert_int_eq(o.attempts, 2);
	pf_store_close(st);
}
END_TEST

START_TEST(test_outbox_sent_is_final)
{
	struct pf_store	*st = open_mode("truncate");
	struct orow	 o;
	long long	 a;

	a = oput(st, "a@example.com", T1);
	ck_assert_int_eq(oclaim(st, T1, T2), a);
	ck_assert_int_eq(pf_store_outbox_sent(st, a, T2), PF_OK);
	o = oget(st, a);
	ck_assert_str_eq(o.state, "sent");
	ck_assert_str_eq(o.updated, T2);
	ck_assert_str_eq(o.created, T1);
	ocounts(st, 0, 0, 1, 0);
	ck_assert_int_eq(oclaim(st, T4, T4), 0);
	/* Recorded once: a second outcome finds no message being sent. */
	ck_assert_int_eq(pf_store_outbox_sent(st, a, T3), PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_outbox_failed(st, a, 1, "late", T3),
	    PF_ENOTFOUND);
	ck_assert_str_eq(oget(st, a).state, "sent");
	pf_store_close(st);
}
END_TEST

START_TEST(test_outbox_defer_requeues_for_later)
{
	struct pf_store	*st = open_mode("truncate");
	struct orow	 o;
	long long	 a;

	a = oput(st, "a@example.com", T1);
	ck_assert_int_eq(oclaim(st, T1, T2), a);
	ck_assert_int_eq(pf_store_outbox_defer(st, a, 1, T3,
	    "421 try again later", T1), PF_OK);
	o = oget(st, a);
	ck_assert_str_eq(o.state, "queued");
	ck_assert_int_eq(o.attempts, 1);
	ck_assert_str_eq(o.next_try, T3);
	ck_assert_str_eq(o.last_error, "421 try again later");
	ck_assert_str_eq(o.updated, T1);
	ocounts(st, 1, 0, 0, 0);
	ck_assert_int_eq(oclaim(st, T2, T4), 0);
	ck_assert_int_eq(oclaim(st, T3, T4), a);
	ck_assert_int_eq(oget(st, a).attempts, 2);	/* counted at the claim */
	pf_store_close(st);
}
END_TEST

START_TEST(test_outbox_failed_then_requeued)
{
	struct pf_store	*st = open_mode("truncate");
	struct orow	 o;
	long long	 a;

	a = oput(st, "a@example.com", T1);
	ck_assert_int_eq(oclaim(st, T1, T2), a);
	ck_assert_int_eq(pf_store_outbox_failed(st, a, 3, "550 no such user",
	    T2), PF_OK);
	o = oget(st, a);
	ck_assert_str_eq(o.state, "failed");
	ck_assert_int_eq(o.attempts, 3);
	ck_assert_str_eq(o.last_error, "550 no such user");
	ocounts(st, 0, 0, 0, 1);
	ck_assert_int_eq(oclaim(st, T4, T4), 0);
	ck_assert_int_eq(pf_store_outbox_requeue(st, a, T3), PF_OK);
	o = oget(st, a);
	ck_assert_str_eq(o.state, "queued");
	ck_assert_int_eq(o.attempts, 0);
	ck_assert_str_eq(o.next_try, T3);
	ck_assert_str_eq(o.updated, T3);
	ocounts(st, 1, 0, 0, 0);
	ck_assert_int_eq(oclaim(st, T3, T4), a);
	pf_store_close(st);
}
END_TEST

START_TEST(test_outbox_requeue_of_non_failed_is_not_found)
{
	struct pf_store	*st = open_mode("truncate");
	long long	 q, g, s;

	q = oput(st, "q@example.com", T1);
	g = oput(st, "g@example.com", T2);
	s = oput(st, "s@example.com", T2);
	ck_assert_int_eq(oclaim(st, T1, T3), q);	/* oldest first */
	ck_assert_int_eq(pf_store_outbox_sent(st, q, T2), PF_OK);
	ck_assert_int_eq(oclaim(st, T2, T3), g);
	ck_assert_int_eq(pf_store_outbox_requeue(st, q, T3), PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_outbox_requeue(st, g, T3), PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_outbox_requeue(st, s, T3), PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_outbox_requeue(st, s + 1, T3), PF_ENOTFOUND);
	ocounts(st, 1, 1, 1, 0);
	pf_store_close(st);
}
END_TEST

/* Every failed message comes back, due now and fresh; nothing else moves. */
START_TEST(test_outbox_requeue_all_takes_every_failed_one_only)
{
	struct pf_store	*st = open_mode("truncate");
	struct orow	 o;
	long long	 a, b, q, g, n = -1;

	a = oput(st, "a@example.com", T1);
	b = oput(st, "b@example.net", T1);
	q = oput(st, "q@example.com", T3);
	g = oput(st, "g@example.com", T1);
	ck_assert_int_eq(oclaim(st, T1, T2), a);
	ck_assert_int_eq(pf_store_outbox_failed(st, a, 1, "RCPT 550", T1),
	    PF_OK);
	ck_assert_int_eq(oclaim(st, T1, T2), b);
	ck_assert_int_eq(pf_store_outbox_failed(st, b, 8, "no connection",
	    T1), PF_OK);
	ck_assert_int_eq(oclaim(st, T1, T4), g);	/* being sent */
	ck_assert_int_eq(pf_store_outbox_requeue_all(st, T2, &n), PF_OK);
	ck_assert_int_eq(n, 2);
	o = oget(st, b);
	ck_assert_str_eq(o.state, "queued");
	ck_assert_int_eq(o.attempts, 0);
	ck_assert_str_eq(o.next_try, T2);
	ck_assert_str_eq(o.last_error, "(null)");
	ck_assert_str_eq(o.recipient, "b@example.net");
	ck_assert_str_eq(oget(st, a).state, "queued");
	ck_assert_str_eq(oget(st, q).next_try, T3);
	ck_assert_str_eq(oget(st, g).state, "sending");
	ocounts(st, 3, 1, 0, 0);
	ck_assert_int_eq(pf_store_outbox_requeue_all(st, T3, NULL), PF_OK);
	ck_assert_int_eq(pf_store_outbox_requeue_all(st, T3, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	pf_store_close(st);
}
END_TEST

START_TEST(test_outbox_outcome_needs_a_message_being_sent)
{
	struct pf_store	*st = open_mode("truncate");
	long long	 a;

	a = oput(st, "a@example.com", T1);
	ck_assert_int_eq(pf_store_outbox_sent(st, a, T2), PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_outbox_defer(st, a, 1, T3, "x", T2),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_outbox_failed(st, a, 1, "x", T2),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_outbox_sent(st, a + 1, T2), PF_ENOTFOUND);
	ocounts(st, 1, 0, 0, 0);
	ck_assert_str_eq(oget(st, a).updated, T1);
	pf_store_close(st);
}
END_TEST

START_TEST(test_outbox_claim_rolled_back_stays_queued)
{
	struct pf_store	*st = open_mode("truncate");
	long long	 a;

	a = oput(st, "a@example.com", T1);
	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(oclaim(st, T1, T2), a);
	pf_store_rollback(st);
	ck_assert_str_eq(oget(st, a).state, "queued");
	ck_assert_int_eq(oclaim(st, T1, T2), a);
	pf_store_close(st);
}
END_TEST

/*
 * Two senders, each a connection of its own, claiming in turn inside
 * BEGIN IMMEDIATE: every message is taken once, and while one holds its
 * transaction the other cannot start one.
 */
START_TEST(test_outbox_two_connections_never_claim_the_same_row)
{
	struct pf_store	*st[2] = { open_mode("truncate"), open_mode("truncate") };
	long long	 ids[5], got[6];
	size_t		 i, j;

	for (i = 0; i < 5; i++)
		ids[i] = oput(st[0], "a@example.com", T1);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(pf_store_begin(st[i % 2]), PF_OK);
		ck_assert_int_eq(pf_store_begin(st[(i + 1) % 2]), PF_EBUSY);
		got[i] = oclaim(st[i % 2], T2, T3);
		ck_assert_int_eq(pf_store_commit(st[i % 2]), PF_OK);
	}
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(got[i], ids[i]);
		for (j = 0; j < i; j++)
			ck_assert_int_ne(got[i], got[j]);
	}
	ck_assert_int_eq(got[5], 0);
	ocounts(st[1], 0, 5, 0, 0);
	pf_store_close(st[0]);
	pf_store_close(st[1]);
}
END_TEST

START_TEST(test_outbox_schema_refuses_unknown_state)
{
	struct pf_store	*st = open_mode("truncate");
	sqlite3		*h = raw_open();

	ck_assert_int_ne(sqlite3_exec(h, "INSERT INTO outbox (template, "
	    "recipient, vals, state, next_try, created, updated) VALUES "
	    "('t', 'a@example.com', '', 'lost', 'x', 'x', 'x')", NULL, NULL,
	    NULL), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(h, "INSERT INTO outbox (template, "
	    "recipient, vals, state, next_try, created, updated) VALUES "
	    "('t', 'a@example.com', NULL, 'queued', 'x', 'x', 'x')", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	ocounts(st, 0, 0, 0, 0);
	pf_store_close(st);
}
END_TEST

START_TEST(test_outbox_sent_forgets_recipient_and_values)
{
	struct pf_store	*st = open_mode("truncate");
	struct orow	 o;
	long long	 a;

	a = oput(st, "a@example.com", T1);
	ck_assert_int_eq(oclaim(st, T1, T2), a);
	ck_assert_int_eq(pf_store_outbox_sent(st, a, T2), PF_OK);
	o = oget(st, a);
	ck_assert_str_eq(o.state, "sent");
	ck_assert_str_eq(o.recipient, "");
	ck_assert_str_eq(o.vals, "");
	/* What the operator's record needs stays. */
	ck_assert_str_eq(o.template, "unsubscribed");
	ck_assert_str_eq(o.created, T1);
	pf_store_close(st);
}
END_TEST

/* A failed message may be requeued and sent again: it needs both. */
START_TEST(test_outbox_failed_and_deferred_keep_recipient_and_values)
{
	const char	*v = "channel=email&site=https%3A%2F%2Fexample.com%2F";
	struct pf_store	*st = open_mode("truncate");
	struct orow	 o;
	long long	 a, b;

	a = oput(st, "a@example.com", T1);
	b = oput(st, "b@example.com", T1);
	ck_assert_int_eq(oclaim(st, T1, T2), a);
	ck_assert_int_eq(pf_store_outbox_failed(st, a, 3, "550 no such user",
	    T2), PF_OK);
	ck_assert_int_eq(oclaim(st, T1, T2), b);
	ck_assert_int_eq(pf_store_outbox_defer(st, b, 1, T3, "421 later", T2),
	    PF_OK);
	o = oget(st, a);
	ck_assert_str_eq(o.state, "failed");
	ck_assert_str_eq(o.recipient, "a@example.com");
	ck_assert_str_eq(o.vals, v);
	o = oget(st, b);
	ck_assert_str_eq(o.state, "queued");
	ck_assert_str_eq(o.recipient, "b@example.com");
	ck_assert_str_eq(o.vals, v);
	pf_store_close(st);
}
END_TEST

/* ---- the Do-Not-Call register ---- */

#define DAY2 "2026-11-25T06:00:00.000005Z"
/* Valid numbers whose order as text is ND, NA, NB, NC. */
#define NA "+13037492110"	/* US */
#define NB "+442033181234"	/* GB */
#define NC "+61291234567"	/* AU */
#define ND "+12024561111"	/* US */

/* A copy of each entry a callback saw, up to 6. */
struct drow {
	char	 number[24], country[8];
	char	 first_name[32], last_name[32], company[32], email[64];
	char	 created[32], updated[32];
};

struct dseen {
	int		 n;
	int		 stop_at;	/* return 42 after this many; 0: never */
	struct drow	 r[6];
};

static int
dnc_collect(const struct pf_dnc *d, void *arg)
{
	struct dseen	*s = arg;
	struct drow	*r;

	ck_assert_int_lt(s->n, 6);
	r = &s->r[s->n++];
	copy(r->number, sizeof(r->number), d->number);
	copy(r->country, sizeof(r->country), d->country);
	copy(r->first_name, sizeof(r->first_name), d->first_name);
	copy(r->last_name, sizeof(r->last_name), d->last_name);
	copy(r->company, sizeof(r->company), d->company);
	copy(r->email, sizeof(r->email), d->email);
	copy(r->created, sizeof(r->created), d->created);
	copy(r->updated, sizeof(r->updated), d->updated);
	return s->n == s->stop_at ? 42 : 0;
}

/* The region of each test number, as libphonenumber gives it. */
static const char *
region(const char *number)
{
	if (number == NULL)
		return "US";
	if (strncmp(number, "+44", 3) == 0)
		return "GB";
	if (strncmp(number, "+61", 3) == 0)
		return "AU";
	return "US";
}

/* An entry with no optional fields. */
static struct pf_dnc
dnc(const char *number)
{
	struct pf_dnc	 d = { number, region(number), NULL, NULL, NULL, NULL,
	    NULL, NULL };

	return d;
}

static void
dput(struct pf_store *st, const char *number, const char *now)
{
	struct pf_dnc	 d = dnc(number);

	ck_assert_int_eq(pf_store_dnc_put(st, &d, now), PF_OK);
}

static struct drow
dget(struct pf_store *st, const char *number)
{
	struct dseen	 s = { 0 };

	ck_assert_int_eq(pf_store_dnc_get(st, number, dnc_collect, &s), PF_OK);
	ck_assert_int_eq(s.n, 1);
	return s.r[0];
}

/* The callback saw exactly the numbers of want (NULL-terminated), in order. */
static void
dnumbers(const struct dseen *s, const char *const *want)
{
	int	 i;

	for (i = 0; want[i] != NULL; i++) {
		ck_assert_int_lt(i, s->n);
		ck_assert_msg(strcmp(s->r[i].number, want[i]) == 0,
		    "entry %d is %s, not %s", i, s->r[i].number, want[i]);
	}
	ck_assert_int_eq(s->n, i);
}

static long long
dcount(struct pf_store *st)
{
	long long	 n = -1;

	ck_assert_int_eq(pf_store_dnc_count(st, &n), PF_OK);
	return n;
}

START_TEST(test_dnc_put_then_get_every_field)
{
	struct pf_dnc	 a = { NB, "GB", "Ada", "Lovelace",
	    "Analytical Engines Ltd", "ada@example.com", NULL, NULL };
	struct pf_dnc	 b = dnc(NA);
	struct pf_store	*st = open_mode("truncate");
	struct drow	 r;

	ck_assert_int_eq(dcount(st), 0);
	ck_assert_int_eq(pf_store_dnc_put(st, &a, T1), PF_OK);
	ck_assert_int_eq(pf_store_dnc_put(st, &b, T2), PF_OK);
	r = dget(st, NB);
	ck_assert_str_eq(r.number, NB);
	ck_assert_str_eq(r.country, "GB");
	ck_assert_str_eq(r.first_name, "Ada");
	ck_assert_str_eq(r.last_name, "Lovelace");
	ck_assert_str_eq(r.company, "Analytical Engines Ltd");
	ck_assert_str_eq(r.email, "ada@example.com");
	ck_assert_str_eq(r.created, T1);
	ck_assert_str_eq(r.updated, T1);
	r = dget(st, NA);
	ck_assert_str_eq(r.number, NA);
	ck_assert_str_eq(r.country, "US");
	ck_assert_str_eq(r.first_name, "(null)");
	ck_assert_str_eq(r.last_name, "(null)");
	ck_assert_str_eq(r.company, "(null)");
	ck_assert_str_eq(r.email, "(null)");
	ck_assert_str_eq(r.created, T2);
	ck_assert_int_eq(dcount(st), 2);
	pf_store_close(st);
}
END_TEST

START_TEST(test_dnc_put_without_time_stores_now)
{
	struct pf_dnc	 a = dnc(NA);
	struct pf_store	*st = open_mode("truncate");
	struct drow	 r;
	char		 before[32], after[32];

	pf_utc_now(before);
	ck_assert_int_eq(pf_store_dnc_put(st, &a, NULL), PF_OK);
	pf_utc_now(after);
	r = dget(st, NA);
	ck_assert_uint_eq(strlen(r.created), 27);
	ck_assert_str_le(before, r.created);
	ck_assert_str_le(r.created, after);
	ck_assert_str_eq(r.updated, r.created);
	pf_store_close(st);
}
END_TEST

START_TEST(test_dnc_put_again_keeps_created_and_replaces_the_rest)
{
	struct pf_dnc	 a = { NA, "US", "Ada", "Lovelace", "Engines",
	    "ada@example.com", NULL, NULL };
	struct pf_dnc	 b = { NA, "US", "Augusta", NULL, NULL,
	    "augusta@example.com", NULL, NULL };
	struct pf_dnc	 c = { NA, "US", NULL, NULL, NULL, NULL, NULL, NULL };
	struct pf_store	*st = open_mode("truncate");
	struct drow	 r;

	ck_assert_int_eq(pf_store_dnc_put(st, &a, T1), PF_OK);
	ck_assert_int_eq(pf_store_dnc_put(st, &b, T3), PF_OK);
	ck_assert_int_eq(dcount(st), 1);
	r = dget(st, NA);
	ck_assert_str_eq(r.created, T1);
	ck_assert_str_eq(r.updated, T3);
	ck_assert_str_eq(r.first_name, "Augusta");
	ck_assert_str_eq(r.last_name, "(null)");
	ck_assert_str_eq(r.company, "(null)");
	ck_assert_str_eq(r.email, "augusta@example.com");
	/* Without an email, the last registrant's is cleared too. */
	ck_assert_int_eq(pf_store_dnc_put(st, &c, T4), PF_OK);
	r = dget(st, NA);
	ck_assert_str_eq(r.first_name, "(null)");
	ck_assert_str_eq(r.email, "(null)");
	/* A further time fills them in again. */
	ck_assert_int_eq(pf_store_dnc_put(st, &a, DAY2), PF_OK);
	ck_assert_int_eq(dcount(st), 1);
	r = dget(st, NA);
	ck_assert_str_eq(r.created, T1);
	ck_assert_str_eq(r.updated, DAY2);
	ck_assert_str_eq(r.last_name, "Lovelace");
	ck_assert_str_eq(r.email, "ada@example.com");
	pf_store_close(st);
}
END_TEST

/* Numbers that are not the key of NA, though a person might read them so. */
static const char *const dnc_other[] = {
	NB,
	"+1303749211",		/* a prefix */
	"+130374921100",	/* longer */
	"13037492110",		/* without '+' */
	"+1 303 749 2110",	/* not E.164 */
	"(303) 749-2110",
	"",
};

START_TEST(test_dnc_get_other_number_is_not_found)
{
	struct pf_store	*st = open_mode("truncate");
	struct dseen	 s = { 0 };

	ck_assert_int_eq(pf_store_dnc_get(st, dnc_other[_i], dnc_collect, &s),
	    PF_ENOTFOUND);
	dput(st, NA, T1);
	ck_assert_int_eq(pf_store_dnc_get(st, dnc_other[_i], dnc_collect, &s),
	    PF_ENOTFOUND);
	ck_assert_int_eq(s.n, 0);
	ck_assert_str_eq(dget(st, NA).number, NA);
	pf_store_close(st);
}
END_TEST

/*
 * Entries first registered at T1 (NA), T2 (NB) and DAY2 (NC); NA registered
 * again on DAY2, which must not move it.  Each since, and what it lists.
 */
static const struct {
	const char	*since;
	const char	*want[4];	/* numbers in order, NULL-terminated */
} dnc_since[] = {
	{ NULL, { NA, NB, NC, NULL } },
	{ "2026", { NA, NB, NC, NULL } },
	{ "2026-11-24", { NA, NB, NC, NULL } },
	{ "2026-11-24T06:00:00.000001Z", { NA, NB, NC, NULL } },
	{ "2026-11-24T06:00:00.000002Z", { NB, NC, NULL } },
	{ "2026-11-24T07", { NB, NC, NULL } },
	{ T2, { NB, NC, NULL } },
	{ "2026-11-24T07:00:00.000003Z", { NC, NULL } },
	{ "2026-11-25", { NC, NULL } },
	{ "2026-11-25T06:00:00.000005Z", { NC, NULL } },
	{ "2026-11-25T06:00:00.000006Z", { NULL } },
	{ "2026-11-26", { NULL } },
	{ "2027", { NULL } },
};

START_TEST(test_dnc_each_since)
{
	struct pf_store	*st = open_mode("truncate");
	struct dseen	 s = { 0 };

	dput(st, NC, DAY2);
	dput(st, NB, T2);
	dput(st, NA, T1);
	dput(st, NA, DAY2);
	ck_assert_int_eq(pf_store_dnc_each(st, dnc_since[_i].since,
	    dnc_collect, &s), PF_OK);
	dnumbers(&s, dnc_since[_i].want);
	pf_store_close(st);
}
END_TEST

/*
 * since is about first registration: an entry registered again after since
 * was not new then, and an export of new entries must not list it.
 */
START_TEST(test_dnc_each_since_skips_entry_registered_again_after_it)
{
	struct pf_store	*st = open_mode("truncate");
	struct dseen	 s = { 0 };

	dput(st, NA, T1);
	dput(st, NA, DAY2);
	ck_assert_str_eq(dget(st, NA).updated, DAY2);
	ck_assert_int_eq(pf_store_dnc_each(st, "2026-11-25", dnc_collect, &s),
	    PF_OK);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(pf_store_dnc_each(st, T2, dnc_collect, &s), PF_OK);
	ck_assert_int_eq(s.n, 0);
	/* From before its first registration, it is listed once. */
	ck_assert_int_eq(pf_store_dnc_each(st, T1, dnc_collect, &s), PF_OK);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.r[0].created, T1);
	ck_assert_str_eq(s.r[0].updated, DAY2);
	pf_store_close(st);
}
END_TEST

START_TEST(test_dnc_each_same_time_in_number_order)
{
	struct pf_store	*st = open_mode("truncate");
	struct dseen	 s = { 0 };

	dput(st, NC, T1);
	dput(st, NA, T1);
	dput(st, ND, T1);
	dput(st, NB, T1);
	ck_assert_int_eq(pf_store_dnc_each(st, NULL, dnc_collect, &s), PF_OK);
	dnumbers(&s, (const char *const[]){ ND, NA, NB, NC, NULL });
	pf_store_close(st);
}
END_TEST

START_TEST(test_dnc_each_stops_and_returns_callback_value)
{
	struct pf_store	*st = open_mode("truncate");
	struct dseen	 s = { .stop_at = 2 };

	dput(st, NA, T1);
	dput(st, NB, T2);
	dput(st, NC, T3);
	ck_assert_int_eq(pf_store_dnc_each(st, NULL, dnc_collect, &s), 42);
	ck_assert_int_eq(s.n, 2);
	/* The statement was reset: a second walk sees every entry. */
	s.n = 0;
	s.stop_at = 0;
	ck_assert_int_eq(pf_store_dnc_each(st, NULL, dnc_collect, &s), PF_OK);
	ck_assert_int_eq(s.n, 3);
	pf_store_close(st);
}
END_TEST

/*
 * Entries last registered at T3 (NA), T1 (NB), T2 (NC) and DAY2 (ND).  Each
 * before and limit, and what a purge batch gets.
 */
static const struct {
	const char	*before;
	int		 limit;
	const char	*want[5];
} dnc_stale[] = {
	{ "2026-11-24T06:00:00.000001Z", 10, { NULL } },
	{ "2026-11-24T06:00:00.000002Z", 10, { NB, NULL } },
	{ T3, 10, { NB, NC, NULL } },
	{ T3, 2, { NB, NC, NULL } },
	{ T3, 1, { NB, NULL } },
	{ T3, 0, { NULL } },
	{ "2026-11-25", 10, { NB, NC, NA, NULL } },
	{ "2027", 10, { NB, NC, NA, ND, NULL } },
	{ "2027", 3, { NB, NC, NA, NULL } },
};

START_TEST(test_dnc_stale_oldest_first_within_limit)
{
	struct pf_store	*st = open_mode("truncate");
	struct dseen	 s = { 0 };

	dput(st, NA, T1);	/* registered first, then again: not stale */
	dput(st, ND, DAY2);
	dput(st, NB, T1);
	dput(st, NC, T2);
	dput(st, NA, T3);
	ck_assert_int_eq(pf_store_dnc_stale(st, dnc_stale[_i].before,
	    dnc_stale[_i].limit, dnc_collect, &s), PF_OK);
	dnumbers(&s, dnc_stale[_i].want);
	pf_store_close(st);
}
END_TEST

/*
 * The cutoff five years before 2026-11-24T06:00:00 is 2021-11-24T06:00:00:
 * an entry last registered a second earlier is past it, one registered at
 * that second (whatever its microseconds) is not yet.
 */
START_TEST(test_dnc_stale_at_years_before_cutoff)
{
	struct pf_store	*st = open_mode("truncate");
	struct dseen	 s = { 0 };
	char		 cutoff[32];

	pf_utc_years_before(pf_test_utc("2026-11-24T06:00:00"), 5, cutoff);
	dput(st, NA, "2021-11-24T05:59:59.000000Z");
	dput(st, NB, "2021-11-24T06:00:00.000000Z");
	dput(st, NC, "2021-11-24T06:00:00.999999Z");
	dput(st, ND, "2021-11-24T05:59:59.999999Z");
	ck_assert_int_eq(pf_store_dnc_stale(st, cutoff, 10, dnc_collect, &s),
	    PF_OK);
	dnumbers(&s, (const char *const[]){ NA, ND, NULL });
	pf_store_close(st);
}
END_TEST

START_TEST(test_dnc_stale_stops_and_refuses_negative_limit)
{
	struct pf_store	*st = open_mode("truncate");
	struct dseen	 s = { .stop_at = 1 };

	dput(st, NA, T1);
	dput(st, NB, T2);
	ck_assert_int_eq(pf_store_dnc_stale(st, T4, 10, dnc_collect, &s), 42);
	ck_assert_int_eq(s.n, 1);
	/* SQLite would read a negative limit as none at all. */
	s.n = 0;
	ck_assert_int_eq(pf_store_dnc_stale(st, T4, -1, dnc_collect, &s),
	    PF_EINVAL);
	ck_assert_int_eq(s.n, 0);
	pf_store_close(st);
}
END_TEST

START_TEST(test_dnc_remove_then_not_found)
{
	struct pf_store	*st = open_mode("truncate");
	struct dseen	 s = { 0 };

	dput(st, NA, T1);
	dput(st, NB, T1);
	ck_assert_int_eq(pf_store_dnc_remove(st, NA), PF_OK);
	ck_assert_int_eq(pf_store_dnc_get(st, NA, dnc_collect, &s),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_dnc_remove(st, NA), PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_dnc_remove(st, NC), PF_ENOTFOUND);
	/* Only the exact key removes. */
	ck_assert_int_eq(pf_store_dnc_remove(st, "+44203318123"), PF_ENOTFOUND);
	ck_assert_int_eq(dcount(st), 1);
	ck_assert_str_eq(dget(st, NB).number, NB);
	/* Registering again after a removal starts a new entry. */
	dput(st, NA, T2);
	ck_assert_str_eq(dget(st, NA).created, T2);
	pf_store_close(st);
}
END_TEST

/*
 * A purge removes only the entry it listed: one registered again since
 * (a form on another worker or node, between the list and the removal)
 * stays, and the purge is told so.
 */
START_TEST(test_dnc_purge_spares_a_renewed_entry)
{
	struct pf_store	*st = open_mode("truncate");

	dput(st, NA, T1);
	dput(st, NB, T1);
	dput(st, NA, T2);	/* registered again after the list said T1 */
	ck_assert_int_eq(pf_store_dnc_purge(st, NA, T1), PF_ENOTFOUND);
	ck_assert_str_eq(dget(st, NA).updated, T2);
	ck_assert_int_eq(pf_store_dnc_purge(st, NB, T1), PF_OK);
	ck_assert_int_eq(pf_store_dnc_purge(st, NB, T1), PF_ENOTFOUND);
	ck_assert_int_eq(pf_store_dnc_purge(st, NA, T2), PF_OK);
	ck_assert_int_eq(dcount(st), 0);
	pf_store_close(st);
}
END_TEST

/*
 * The key lock (store.h): inside a write transaction, with any parts;
 * SQLite's BEGIN IMMEDIATE is the lock, so it only has to run.
 */
START_TEST(test_lock_runs_inside_a_write)
{
	struct pf_store	*st = open_mode("truncate");

	ck_assert_int_eq(pf_store_begin(st), PF_OK);
	ck_assert_int_eq(pf_store_lock(st, "rate", "bucket", "subject"),
	    PF_OK);
	ck_assert_int_eq(pf_store_lock(st, "party link", NULL, NULL), PF_OK);
	ck_assert_int_eq(pf_store_lock(st, "rate", "bucket", "subject"),
	    PF_OK);
	dput(st, NA, T1);
	ck_assert_int_eq(pf_store_commit(st), PF_OK);
	ck_assert_int_eq(dcount(st), 1);
	pf_store_close(st);
}
END_TEST

/* Numbers the schema must refuse in an entry that is otherwise good. */
static const char *const dnc_bad_number[] = {
	"13037492110", "+1 303 749 2110", "+1-303-749-2110", "+1303749211x",
	"+13037492110 ", "+03037492110", "++13037492110",
	"+1234567890123456",	/* 16 digits */
	"+", "", NULL,
};

/* Countries the schema must refuse in an entry that is otherwise good. */
static const char *const dnc_bad_country[] = {
	"us", "USA", "U", "U1", "", NULL,
};

/* The entry number, country is refused, and the same one made good is not. */
static void
dnc_refused(const char *number, const char *country)
{
	struct pf_dnc	 d = dnc(number);
	struct pf_store	*st = open_mode("truncate");

	d.country = country;
	ck_assert_int_eq(pf_store_dnc_put(st, &d, T1), PF_ESTORE);
	ck_assert_int_eq(dcount(st), 0);
	/* The same entry with every field good is stored. */
	d = dnc("+123456789012345");	/* 15 digits, the most */
	ck_assert_int_eq(pf_store_dnc_put(st, &d, T1), PF_OK);
	ck_assert_int_eq(dcount(st), 1);
	pf_store_close(st);
}

START_TEST(test_dnc_schema_refuses_malformed_number)
{
	dnc_refused(dnc_bad_number[_i], "US");
}
END_TEST

START_TEST(test_dnc_schema_refuses_malformed_country)
{
	dnc_refused(NA, dnc_bad_country[_i]);
}
END_TEST

/*
 * A file made by the previous release (schema version 2, with rows) gains
 * the register on open and keeps what it had.
 */
/* The names in dir (not . and ..). */
static int
entries(const char *d)
{
	DIR		*dp = opendir(d);
	struct dirent	*e;
	int		 n = 0;

	ck_assert_ptr_nonnull(dp);
	while ((e = readdir(dp)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(dp);
	return n;
}

START_TEST(test_backup_is_a_checked_copy_mode_0600)
{
	struct pf_optout	 o = optout("a@example.com", NULL, "form");
	struct pf_store_opts	 co = { NULL, "truncate", 50 };
	struct pf_store		*st = open_mode("truncate"), *copy = NULL;
	struct stat		 sb;
	char			 path[160];
	long long		 n = 0, bytes = 0;

	ck_assert_int_eq(pf_store_optout_put(st, &o, T1), PF_OK);
	snprintf(path, sizeof(path), "%s/backup.db", fx.dir);
	ck_assert_int_eq(pf_store_backup(st, path, 0, &bytes), PF_OK);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0600);
	ck_assert_int_eq(bytes, (long long)sb.st_size);
	/* The database and its copy: no temporary, no journal left. */
	ck_assert_int_eq(entries(fx.dir), 3);
	co.path = path;
	ck_assert_int_eq(pf_store_open(&co, &copy), PF_OK);
	ck_assert_int_eq(pf_store_optout_count(copy, &n), PF_OK);
	ck_assert_int_eq(n, 1);
	pf_store_close(copy);
	pf_store_close(st);
}
END_TEST

START_TEST(test_backup_replaces_only_when_asked)
{
	struct pf_store	*st = open_mode("truncate");
	char		 path[160], buf[8] = "";
	FILE		*f;

	snprintf(path, sizeof(path), "%s/backup.db", fx.dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("keep", f);
	fclose(f);
	errno = 0;
	ck_assert_int_eq(pf_store_backup(st, path, 0, NULL), PF_EIO);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "keep");
	ck_assert_int_eq(pf_store_backup(st, path, 1, NULL), PF_OK);
	ck_assert_int_eq(entries(fx.dir), 3);
	pf_store_close(st);
}
END_TEST

START_TEST(test_backup_busy_past_the_timeout_leaves_nothing)
{
	struct pf_store	*st = open_mode("truncate");
	sqlite3		*h = raw_open();
	char		 path[160];

	snprintf(path, sizeof(path), "%s/backup.db", fx.dir);
	ck_assert_int_eq(sqlite3_exec(h, "BEGIN EXCLUSIVE", NULL, NULL, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(pf_store_backup(st, path, 0, NULL), PF_EBUSY);
	ck_assert_int_eq(access(path, F_OK), -1);
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(h);
	/* The database, and its journal from the other connection at most. */
	ck_assert_int_le(entries(fx.dir), 2);
	ck_assert_int_eq(pf_store_backup(st, path, 0, NULL), PF_OK);
	pf_store_close(st);
}
END_TEST

START_TEST(test_backup_into_a_missing_directory_is_eio)
{
	struct pf_store	*st = open_mode("truncate");
	char		 path[160];

	snprintf(path, sizeof(path), "%s/no/backup.db", fx.dir);
	errno = 0;
	ck_assert_int_eq(pf_store_backup(st, path, 0, NULL), PF_EIO);
	ck_assert_int_eq(errno, ENOENT);
	pf_store_close(st);
}
END_TEST

START_TEST(test_dnc_migration_from_version_2_keeps_rows)
{
	struct pf_store	*st;
	sqlite3		*h = raw_open();
	unsigned	 i;
	int		 v = -1;

	for (i = 0; i < pf_nmigrations && pf_migrations[i].version <= 2; i++)
		ck_assert_int_eq(sqlite3_exec(h, pf_migrations[i].sql, NULL,
		    NULL, NULL), SQLITE_OK);
	ck_assert_uint_eq(i, 2);
	ck_assert_str_eq(pf_migrations[i].name, "003-dnc.sql");
	ck_assert_int_eq(sqlite3_exec(h, "PRAGMA user_version = 2; "
	    "INSERT INTO optout VALUES ('email', 'a@example.com', '', NULL, "
	    "'form', '" T1 "', '" T1 "'); "
	    "INSERT INTO outbox (template, recipient, vals, state, next_try, "
	    "created, updated) VALUES ('unsubscribed', 'a@example.com', '', "
	    "'queued', '" T1 "', '" T1 "', '" T1 "')", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM sqlite_schema "
	    "WHERE name = 'dnc'"), 0);
	st = open_mode("truncate");
	ck_assert_int_eq(pf_store_schema_version(st, &v), PF_OK);
	ck_assert_int_eq(v, (int)pf_migrations[pf_nmigrations - 1].version);
	ck_assert_int_ge(v, 3);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM optout"), 1);
	ocounts(st, 1, 0, 0, 0);
	ck_assert_int_eq(dcount(st), 0);
	dput(st, NA, T2);
	ck_assert_int_eq(dcount(st), 1);
	pf_store_close(st);
}
END_TEST

#define H64(c)	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

/*
 * 011 makes suppression again to let it hold channel "sale": every row of
 * a database at version 10 is kept as it was, its key and its checks
 * with it, and the channel "sale" is taken after.
 */
START_TEST(test_sale_migration_from_version_10_keeps_suppression)
{
	static const char	 rows[] = "SELECT group_concat(kind || '/' || "
	    "hash || '/' || channel || '/' || created, ';') FROM (SELECT * "
	    "FROM suppression ORDER BY kind, hash, channel)";
	struct pf_store		*st;
	sqlite3			*h = raw_open();
	sqlite3_stmt		*q;
	char			*before;
	unsigned		 i;

	for (i = 0; i < pf_nmigrations && pf_migrations[i].version <= 10; i++)
		ck_assert_int_eq(sqlite3_exec(h, pf_migrations[i].sql, NULL,
		    NULL, NULL), SQLITE_OK);
	ck_assert_str_eq(pf_migrations[i].name, "011-sale-opt-out.sql");
	ck_assert_int_eq(sqlite3_exec(h, "PRAGMA user_version = 10; "
	    "INSERT INTO suppression VALUES ('email', '" H64("a") "', 'email', "
	    "'" T1 "'), ('email', '" H64("a") "', 'sms', '" T2 "'), "
	    "('phone', '" H64("b") "', 'call', '" T3 "'), "
	    "('phone', '" H64("c") "', 'sms', '" T1 "')", NULL, NULL, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, rows, -1, &q, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	before = strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	sqlite3_close(h);

	st = open_mode("truncate");
	ck_assert_int_eq(pf_test_count("PRAGMA user_version"),
	    (int)pf_migrations[pf_nmigrations - 1].version);
	h = raw_open();
	ck_assert_int_eq(sqlite3_prepare_v2(h, rows, -1, &q, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(q, 0), before);
	sqlite3_finalize(q);
	/* The key and the checks: no second row, no other channel or hash. */
	ck_assert_int_eq(sqlite3_exec(h, "INSERT INTO suppression VALUES "
	    "('email', '" H64("a") "', 'email', '" T3 "')", NULL, NULL, NULL),
	    SQLITE_CONSTRAINT);
	ck_assert_int_eq(sqlite3_exec(h, "INSERT INTO suppression VALUES "
	    "('email', '" H64("d") "', 'post', '" T3 "')", NULL, NULL, NULL),
	    SQLITE_CONSTRAINT);
	ck_assert_int_eq(sqlite3_exec(h, "INSERT INTO suppression VALUES "
	    "('email', 'short', 'sale', '" T3 "')", NULL, NULL, NULL),
	    SQLITE_CONSTRAINT);
	sqlite3_close(h);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM sqlite_schema "
	    "WHERE name = 'suppression' AND sql LIKE '%WITHOUT ROWID'"), 1);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM sqlite_schema "
	    "WHERE name LIKE 'suppression_%'"), 0);
	ck_assert_int_eq(pf_store_suppress_put(st, "email", H64("a"), "sale",
	    T3), PF_OK);
	ck_assert_int_eq(pf_store_suppressed(st, "email", H64("a"), "sale"),
	    PF_OK);
	ck_assert_int_eq(pf_store_suppressed(st, "phone", H64("b"), "call"),
	    PF_OK);
	pf_store_close(st);
	free(before);
}
END_TEST


/* The tables 015 gives a language, and a row of each at version 14. */
static const struct {
	const char	*table, *row;
} lang_rows[] = {
	{ "request", "INSERT INTO request (type, relationship, first_name, "
	    "email, subject, country, details, law, received, due, status, "
	    "verify_by, updated) VALUES ('access', 'customer', 'Ann', "
	    "'ann@example.com', '" H64("a") "', 'DE', 'my data', 'GDPR', '" T1
	    "', '2026-12-24', 'unverified', '" T2 "', '" T1 "')" },
	{ "optout", "INSERT INTO optout VALUES ('email', 'ann@example.com', "
	    "'', NULL, 'form', '" T1 "', '" T2 "')" },
	{ "sale_opt_out", "INSERT INTO sale_opt_out (channel, address, "
	    "device, created, source) VALUES ('email', 'ann@example.com', "
	    "'AAAAAAAAAAAAAAAAAAAAAA', '" T1 "', 'form')" },
	{ "dnc", "INSERT INTO dnc VALUES ('+4930123456', 'DE', 'Ann', NULL, "
	    "NULL, 'ann@example.com', '" T1 "', '" T1 "')" },
	{ "feedback", "INSERT INTO feedback (type, message, rating, created, "
	    "updated) VALUES ('complaint', 'slow', 2, '" T1 "', '" T1 "')" },
	{ "outbox", "INSERT INTO outbox (template, recipient, vals, state, "
	    "next_try, created, updated) VALUES ('request-verify', "
	    "'ann@example.com', 'id=1', 'queued', '" T1 "', '" T1 "', '" T1
	    "')" },
};

/* Run sql on a second connection: SQLite's answer. */
static int
raw_exec(const char *sql)
{
	sqlite3	*h = raw_open();
	int	 rc = sqlite3_exec(h, sql, NULL, NULL, NULL);

	sqlite3_close(h);
	return rc;
}

/*
 * 015 adds a language to each table whose rows a later mail is written
 * for: every row of a database at version 14 is kept as it was, in 'en'
 * (the only language there was), and a malformed tag is refused.
 */
START_TEST(test_lang_migration_from_version_14_keeps_rows)
{
	struct pf_store	*st;
	sqlite3		*h = raw_open();
	char		 q[256];
	size_t		 i;
	unsigned	 m;

	for (m = 0; m < pf_nmigrations && pf_migrations[m].version <= 14; m++)
		ck_assert_int_eq(sqlite3_exec(h, pf_migrations[m].sql, NULL,
		    NULL, NULL), SQLITE_OK);
	ck_assert_str_eq(pf_migrations[m].name, "015-lang.sql");
	ck_assert_int_eq(sqlite3_exec(h, "PRAGMA user_version = 14", NULL,
	    NULL, NULL), SQLITE_OK);
	for (i = 0; i < nitems(lang_rows); i++) {
		ck_assert_int_eq(sqlite3_exec(h, lang_rows[i].row, NULL, NULL,
		    NULL), SQLITE_OK);
		snprintf(q, sizeof(q), "CREATE TABLE was_%s AS SELECT * FROM %s",
		    lang_rows[i].table, lang_rows[i].table);
		ck_assert_int_eq(sqlite3_exec(h, q, NULL, NULL, NULL),
		    SQLITE_OK);
	}
	sqlite3_close(h);

	st = open_mode("truncate");
	ck_assert_int_eq(pf_test_count("PRAGMA user_version"),
	    (int)pf_migrations[pf_nmigrations - 1].version);
	pf_store_close(st);
	for (i = 0; i < nitems(lang_rows); i++) {
		snprintf(q, sizeof(q), "SELECT count(*) FROM %s WHERE lang = "
		    "'en'", lang_rows[i].table);
		ck_assert_int_eq(pf_test_count(q), 1);
		snprintf(q, sizeof(q), "UPDATE %s SET lang = 'x'",
		    lang_rows[i].table);
		ck_assert_msg(raw_exec(q) != SQLITE_OK, "%s", q);
		/* Without the language, the very rows that were there. */
		snprintf(q, sizeof(q), "ALTER TABLE %s DROP COLUMN lang",
		    lang_rows[i].table);
		ck_assert_int_eq(raw_exec(q), SQLITE_OK);
		snprintf(q, sizeof(q), "SELECT count(*) FROM (SELECT * FROM "
		    "was_%s EXCEPT SELECT * FROM %s)", lang_rows[i].table,
		    lang_rows[i].table);
		ck_assert_int_eq(pf_test_count(q), 0);
		snprintf(q, sizeof(q), "SELECT count(*) FROM %s",
		    lang_rows[i].table);
		ck_assert_int_eq(pf_test_count(q), 1);
	}
}
END_TEST

/* A put stores the current language, the request's (lang.h). */
START_TEST(test_puts_store_the_current_language)
{
	struct pf_store		*st = open_mode("truncate");
	const struct pf_optout	 o = { "email", "ann@example.com", "", NULL,
	    "form", NULL, NULL };
	const struct pf_dnc	 d = { "+4930123456", "DE", NULL, NULL, NULL,
	    NULL, NULL, NULL };
	const struct pf_sale_optout so = { 0, "email", "ann@example.com",
	    "AAAAAAAAAAAAAAAAAAAAAA", T1, "form" };
	const struct pf_feedback f = { .type = "complaint", .rating = 2,
	    .recommend = -1 };

	ck_assert_int_eq(pf_lang_use("pt-BR"), PF_OK);
	ck_assert_int_eq(pf_store_optout_put(st, &o, T1), PF_OK);
	ck_assert_int_eq(pf_store_dnc_put(st, &d, T1), PF_OK);
	ck_assert_int_eq(pf_store_sale_put(st, &so, NULL), PF_OK);
	ck_assert_int_eq(pf_store_feedback_put(st, &f, T1, NULL), PF_OK);
	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
	ck_assert_int_eq(pf_test_count("SELECT (SELECT count(*) FROM optout "
	    "WHERE lang = 'pt-BR') + (SELECT count(*) FROM dnc WHERE lang = "
	    "'pt-BR') + (SELECT count(*) FROM sale_opt_out WHERE lang = "
	    "'pt-BR') + (SELECT count(*) FROM feedback WHERE lang = 'pt-BR')"),
	    4);
	/* A repeat is the person's latest word: its language too. */
	ck_assert_int_eq(pf_lang_use("ja"), PF_OK);
	ck_assert_int_eq(pf_store_optout_put(st, &o, T2), PF_OK);
	ck_assert_int_eq(pf_store_dnc_put(st, &d, T2), PF_OK);
	ck_assert_int_eq(pf_lang_use(PF_LANG_SOURCE), PF_OK);
	ck_assert_int_eq(pf_test_count("SELECT (SELECT count(*) FROM optout "
	    "WHERE lang = 'ja') + (SELECT count(*) FROM dnc WHERE lang = "
	    "'ja')"), 2);
	pf_store_close(st);
}
END_TEST

PF_TEST_MAIN("store",
    pf_test_fixture(tc, PF_TEST_DIR, NULL, NULL, NULL),
    tcase_add_test(tc, test_open_applies_migrations_and_sets_user_version),
    tcase_add_test(tc, test_open_twice_keeps_schema_and_rows),
    tcase_add_test(tc, test_open_refuses_newer_schema),
    PF_LOOP(test_journal_mode_as_asked_and_synchronous_full, modes),
    tcase_add_test(tc, test_wal_refused_on_affected_sqlite),
    PF_LOOP(test_unknown_journal_mode_refused, bad_modes),
    PF_LOOP(test_wal_safe_versions, wal_versions),
    tcase_add_test(tc, test_open_unreachable_path_is_busy),
    tcase_add_test(tc, test_open_not_a_database_is_store_error),
    tcase_add_test(tc, test_now_is_utc_with_microseconds),
    PF_LOOP(test_years_before_same_day_and_time, years_before),
    tcase_add_test(tc, test_optout_twice_keeps_one_row_and_updates),
    tcase_add_test(tc, test_optout_other_list_or_channel_is_another_row),
    tcase_add_test(tc, test_optout_each_in_order_of_first_optout),
    tcase_add_test(tc, test_optout_each_stops_and_returns_callback_value),
    tcase_add_test(tc, test_optout_refuses_unknown_channel),
    tcase_add_test(tc, test_begin_busy_while_another_writer_holds_the_lock),
    tcase_add_test(tc, test_open_until_now_does_not_wait_for_the_lock),
    tcase_add_test(tc, test_until_bounds_every_wait_of_a_transaction),
    tcase_add_test(tc, test_open_readonly_never_writes),
    tcase_add_test(tc, test_audit_tally_counts_records_by_form_and_event),
    tcase_add_test(tc, test_rollback_leaves_nothing),
    tcase_add_test(tc, test_commit_is_seen_by_another_connection),
    tcase_add_test(tc, test_begin_read_then_rollback_ends_it),
    tcase_add_test(tc, test_begin_read_inside_a_transaction_is_refused),
    tcase_add_test(tc, test_begin_read_takes_no_lock_before_its_first_read),
    tcase_add_test(tc, test_begin_read_is_one_snapshot_a_commit_waits),
    tcase_add_test(tc, test_audit_rows_put_last_get_each),
    tcase_add_test(tc, test_audit_each_across_pages),
    tcase_add_test(tc, test_audit_refuses_repeated_seq),
    tcase_add_test(tc, test_outbox_put_then_get_every_column),
    tcase_add_test(tc, test_outbox_claim_takes_due_first_and_nothing_not_yet_due),
    tcase_add_test(tc, test_outbox_same_due_time_claimed_in_id_order),
    tcase_add_test(tc, test_outbox_expired_lease_is_claimed_again),
    tcase_add_test(tc, test_outbox_sent_is_final),
    tcase_add_test(tc, test_outbox_defer_requeues_for_later),
    tcase_add_test(tc, test_outbox_requeue_all_takes_every_failed_one_only),
    tcase_add_test(tc, test_outbox_failed_then_requeued),
    tcase_add_test(tc, test_outbox_requeue_of_non_failed_is_not_found),
    tcase_add_test(tc, test_outbox_outcome_needs_a_message_being_sent),
    tcase_add_test(tc, test_outbox_claim_rolled_back_stays_queued),
    tcase_add_test(tc, test_outbox_two_connections_never_claim_the_same_row),
    tcase_add_test(tc, test_outbox_schema_refuses_unknown_state),
    tcase_add_test(tc, test_outbox_sent_forgets_recipient_and_values),
    tcase_add_test(tc, test_outbox_failed_and_deferred_keep_recipient_and_values),
    tcase_add_test(tc, test_dnc_put_then_get_every_field),
    tcase_add_test(tc, test_dnc_put_without_time_stores_now),
    tcase_add_test(tc, test_dnc_put_again_keeps_created_and_replaces_the_rest),
    PF_LOOP(test_dnc_get_other_number_is_not_found, dnc_other),
    PF_LOOP(test_dnc_each_since, dnc_since),
    tcase_add_test(tc, test_dnc_each_since_skips_entry_registered_again_after_it),
    tcase_add_test(tc, test_dnc_each_same_time_in_number_order),
    tcase_add_test(tc, test_dnc_each_stops_and_returns_callback_value),
    PF_LOOP(test_dnc_stale_oldest_first_within_limit, dnc_stale),
    tcase_add_test(tc, test_dnc_stale_at_years_before_cutoff),
    tcase_add_test(tc, test_dnc_stale_stops_and_refuses_negative_limit),
    tcase_add_test(tc, test_dnc_remove_then_not_found),
    tcase_add_test(tc, test_dnc_purge_spares_a_renewed_entry),
    tcase_add_test(tc, test_lock_runs_inside_a_write),
    PF_LOOP(test_dnc_schema_refuses_malformed_number, dnc_bad_number),
    PF_LOOP(test_dnc_schema_refuses_malformed_country, dnc_bad_country),
    tcase_add_test(tc, test_dnc_migration_from_version_2_keeps_rows),
    tcase_add_test(tc, test_sale_migration_from_version_10_keeps_suppression),
    tcase_add_test(tc, test_lang_migration_from_version_14_keeps_rows),
    tcase_add_test(tc, test_puts_store_the_current_language),
    tcase_add_test(tc, test_backup_is_a_checked_copy_mode_0600),
    tcase_add_test(tc, test_backup_replaces_only_when_asked),
    tcase_add_test(tc, test_backup_busy_past_the_timeout_leaves_nothing),
    tcase_add_test(tc, test_backup_into_a_missing_directory_is_eio),
    tcase_add_test(tc, test_open_existing_and_size))
