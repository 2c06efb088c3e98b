/* fixture.c -- what the unit tests share (fixture.h). */
#define _GNU_SOURCE	/* nftw, program_invocation_short_name */
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "err.h"
#include "fixture.h"
#include "lang.h"
#include "schema.h"

struct pf_test_fx	 fx;

static unsigned		 fx_needs;
static const char	*fx_conf;	/* loaded before each test, or NULL */
static void		(*own_setup)(void);	/* the program's, or NULL */
static void		(*own_teardown)(void);
static char		 tmpl_dir[64];	/* its database is copied per test */
static char		 tmpl_db[PF_TEST_PATH];

static void
scratch_dir(char *dir, size_t len)
{
	ck_assert_int_lt(snprintf(dir, len, "/tmp/%s.XXXXXX",
	    program_invocation_short_name), (int)len);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
open_store(const char *path, struct pf_store **st)
{
	struct pf_store_opts	 o = { path, "truncate", 50 };

	*st = NULL;
	ck_assert_int_eq(pf_store_open(&o, st), PF_OK);
	ck_assert_ptr_nonnull(*st);
}

/* Copy the template database to fx.db. */
static void
copy_template(void)
{
	FILE	*in, *out;
	char	 buf[8192];
	size_t	 n;

	ck_assert_ptr_nonnull(in = fopen(tmpl_db, "rb"));
	ck_assert_ptr_nonnull(out = fopen(fx.db, "wb"));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
	ck_assert_int_eq(ferror(in), 0);
	fclose(in);
	ck_assert_int_eq(fclose(out), 0);
}

/* Once per program: the database the real migrations make. */
static void
template_setup(void)
{
	struct pf_store	*st;

	if (!(fx_needs & PF_TEST_STORE) || tmpl_dir[0] != '\0')
		return;
	scratch_dir(tmpl_dir, sizeof(tmpl_dir));
	snprintf(tmpl_db, sizeof(tmpl_db), "%s/privforms.db", tmpl_dir);
	open_store(tmpl_db, &st);
	pf_store_close(st);
}

static void
template_teardown(void)
{
	if (tmpl_dir[0] != '\0')
		pf_test_rmdir(tmpl_dir);
	tmpl_dir[0] = '\0';
}

struct pf_store *
pf_test_reopen(void)
{
	pf_store_close(fx.st);
	open_store(fx.db, &fx.st);
	return fx.st;
}

void
pf_test_path(char *out, size_t len, const char *name)
{
	ck_assert_int_lt(snprintf(out, len, "%s/%s", fx.dir, name), (int)len);
}

static void
setup(void)
{
	memset(&fx, 0, sizeof(fx));
	scratch_dir(fx.dir, sizeof(fx.dir));
	pf_test_path(fx.db, sizeof(fx.db), "privforms.db");
	pf_test_path(fx.conf, sizeof(fx.conf), "privforms.conf");
	pf_test_path(fx.keyfile, sizeof(fx.keyfile), "secret.key");
	pf_test_path(fx.audit, sizeof(fx.audit), "audit");
	pf_test_path(fx.laws, sizeof(fx.laws), "privacy-laws.tsv");
	memset(&fx.keys, 0x11, sizeof(fx.keys));
	memset(&fx.other_keys, 0x22, sizeof(fx.other_keys));
	if (fx_needs & PF_TEST_STORE) {
		copy_template();
		open_store(fx.db, &fx.st);
	}
	if (fx_conf != NULL)
		pf_test_conf(fx_conf);
	if (own_setup != NULL)
		own_setup();
}

static void
teardown(void)
{
	if (own_teardown != NULL)
		own_teardown();
	pf_store_close(fx.st);
	fx.st = NULL;
	pf_config_free(fx.cfg);
	fx.cfg = NULL;
	unsetenv("PRIVFORMS_CONFIG");	/* a test set it to a file in dir */
	ck_assert_msg(pf_test_rmdir(fx.dir) == 0, "%s: %s", fx.dir,
	    strerror(errno));
}

void
pf_test_fixture(TCase *tc, unsigned needs, const char *conf,
    void (*setup_fn)(void), void (*teardown_fn)(void))
{
	fx_needs = needs;
	fx_conf = conf;
	own_setup = setup_fn;
	own_teardown = teardown_fn;
	tcase_add_unchecked_fixture(tc, template_setup, template_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
}

void
pf_test_write(const char *path, const char *text, size_t len)
{
	FILE	*f;

	ck_assert_msg((f = fopen(path, "w")) != NULL, "%s: %s", path,
	    strerror(errno));
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

void
pf_test_conf(const char *text)
{
	char	 err[256];

	pf_config_free(fx.cfg);
	fx.cfg = NULL;
	pf_test_write(fx.conf, text, strlen(text));
	ck_assert_msg(pf_config_load(fx.conf, &fx.cfg, err, sizeof(err)) ==
	    PF_OK, "%s", err);
}

static int
rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int
pf_test_rmdir(const char *dir)
{
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int
load_row(const struct pf_outbox_row *r, void *arg)
{
	struct pf_test_queued	*q = arg;

	snprintf(q->recipient, sizeof(q->recipient), "%s", r->recipient);
	snprintf(q->subject, sizeof(q->subject), "%s",
	    r->subject != NULL ? r->subject : "");
	return pf_mail_load(r, &q->m);
}

void
pf_test_queued(struct pf_store *st, long long id, struct pf_test_queued *q)
{
	memset(q, 0, sizeof(*q));
	ck_assert_int_eq(pf_store_outbox_get(st, id, load_row, q), PF_OK);
}

void
pf_test_render(long long id, const char *dir, struct pf_test_rendered *r)
{
	r->subject = r->body = NULL;
	pf_test_queued(fx.st, id, &r->q);
	ck_assert_int_eq(pf_mail_render(dir, &r->q.m, &r->subject, &r->body),
	    PF_OK);
}

void
pf_test_rendered_clear(struct pf_test_rendered *r)
{
	free(r->subject);
	free(r->body);
	pf_mail_clear(&r->q.m);
}

const char *
pf_test_value(const struct pf_mail *m, const char *name)
{
	size_t	 i;

	for (i = 0; m->values[i] != NULL; i += 2)
		if (strcmp(m->values[i], name) == 0)
			return m->values[i + 1];
	return NULL;
}

void
pf_test_values(const struct pf_mail *m, const char *const *want)
{
	for (; want[0] != NULL; want += 2)
		ck_assert_str_eq(pf_test_value(m, want[0]), want[1]);
}

long long
pf_test_outbox_total(struct pf_store *st)
{
	long long	 q = 0, g = 0, s = 0, f = 0;

	ck_assert_int_eq(pf_store_outbox_counts(st, &q, &g, &s, &f), PF_OK);
	return q + g + s + f;
}

long long
pf_test_count(const char *sql)
{
	sqlite3		*h = NULL;
	sqlite3_stmt	*s = NULL;
	long long	 n;

	ck_assert_int_eq(sqlite3_open(fx.db, &h), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(h));
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return n;
}

void
pf_test_exec(const char *sql)
{
	sqlite3	*h = NULL;
	char	*msg = NULL;
	int	 rc;

	ck_assert_int_eq(sqlite3_open(fx.db, &h), SQLITE_OK);
	rc = sqlite3_exec(h, sql, NULL, NULL, &msg);
	ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, msg ? msg : "");
	sqlite3_free(msg);
	sqlite3_close(h);
}

void
pf_test_old_schema(unsigned version, const char *next)
{
	unsigned	 i;
	char		 sql[64];

	pf_store_close(fx.st);
	fx.st = NULL;
	ck_assert_int_eq(unlink(fx.db), 0);
	for (i = 0; i < pf_nmigrations && pf_migrations[i].version <= version;
	    i++)
		pf_test_exec(pf_migrations[i].sql);
	ck_assert_uint_eq(i, version);
	ck_assert_uint_lt(i, pf_nmigrations);
	ck_assert_str_eq(pf_migrations[i].name, next);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %u", version);
	pf_test_exec(sql);
}

time_t
pf_test_utc(const char *s)
{
	struct tm	 tm;
	char		 sep = '\0';
	int		 n = 0;

	memset(&tm, 0, sizeof(tm));
	ck_assert_msg(sscanf(s, "%d-%d-%d%c%d:%d:%d%n", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &sep, &tm.tm_hour, &tm.tm_min,
	    &tm.tm_sec, &n) == 7 && (sep == ' ' || sep == 'T') &&
	    s[n] == '\0', "bad test time %s", s);
	tm.tm_year -= 1900;
	tm.tm_mon--;
	return timegm(&tm);
}

void
pf_test_hex(const unsigned char *b, size_t n, char *out)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

size_t
pf_test_read(const char *path, char *buf, size_t size)
{
	FILE	*f;
	size_t	 n;

	ck_assert_msg((f = fopen(path, "rb")) != NULL, "%s: %s", path,
	    strerror(errno));
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

static FILE	*capture_file;	/* stderr goes here while capturing */
static int	 capture_saved = -1;	/* the real stderr */

void
pf_test_capture(void)
{
	ck_assert_ptr_nonnull(capture_file = tmpfile());
	fflush(stderr);
	ck_assert_int_ne(capture_saved = dup(2), -1);
	ck_assert_int_ne(dup2(fileno(capture_file), 2), -1);
}

void
pf_test_captured(char *out, size_t len)
{
	size_t	 n;

	fflush(stderr);
	dup2(capture_saved, 2);
	close(capture_saved);
	capture_saved = -1;
	rewind(capture_file);
	n = fread(out, 1, len - 1, capture_file);
	out[n] = '\0';
	fclose(capture_file);
	capture_file = NULL;
}

void
pf_test_offer(const char *languages)
{
	const char	*was = bindtextdomain(PF_TEXTDOMAIN, NULL);
	char		 dir[PF_TEST_PATH], err[256];

	ck_assert_ptr_nonnull(was);
	ck_assert_uint_lt(strlen(was), sizeof(dir));
	memcpy(dir, was, strlen(was) + 1);
	ck_assert_int_eq(pf_lang_init(PF_TEST_LOCALE), PF_OK);
	ck_assert_msg(pf_lang_site(languages, PF_LANG_SOURCE, err,
	    sizeof(err)) == PF_OK, "%s (make all)", err);
	ck_assert_int_eq(pf_lang_init(dir), PF_OK);
}

/* ---- a private PostgreSQL server ---- */

static struct {
	char	 dir[64];	/* the server's directory and socket */
	char	 db[64];	/* the running test's database */
	int	 up;		/* 1 running, -1 did not start, 0 not asked */
	int	 n;		/* databases made */
} pg;

/* "sh tools/pgtest.sh VERB DIR": its exit status. */
static int
pgtest(const char *verb)
{
	char	 cmd[160];

	snprintf(cmd, sizeof(cmd), "sh tools/pgtest.sh %s %s", verb, pg.dir);
	return system(cmd);
}

void
pf_test_pg_start(void)
{
	snprintf(pg.dir, sizeof(pg.dir), "/tmp/pfpgu.XXXXXX");
	pg.up = mkdtemp(pg.dir) != NULL && pgtest("start") == 0 ? 1 : -1;
	if (pg.up < 0)
		printf("PostgreSQL case SKIPPED: sh tools/pgtest.sh start %s "
		    "failed (see its messages above; install postgresql-15)\n",
		    pg.dir);
	fflush(stdout);
}

void
pf_test_pg_stop(void)
{
	if (pg.up > 0)
		ck_assert_int_eq(pgtest("stop"), 0);
	pf_test_rmdir(pg.dir);
	pg.up = 0;
}

/*
 * sql on the server's postgres database, as its superuser: through psql,
 * so that no unit test but test_store_pg links libpq (the store loads it
 * as its PostgreSQL module).  sql is the fixture's own, without quotes.
 */
static void
pg_admin(const char *sql)
{
	char	 cmd[256];

	snprintf(cmd, sizeof(cmd), "psql -X -q -v ON_ERROR_STOP=1 -h %s "
	    "-U postgres -d postgres -c '%s' >/dev/null", pg.dir, sql);
	ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
}

struct pf_store *
pf_test_pg_open(void)
{
	char			 ci[192], sql[96];
	struct pf_store_opts	 o = { ci, NULL, 5000 };
	struct pf_store		*st = NULL;

	if (pg.up <= 0)
		return NULL;
	snprintf(pg.db, sizeof(pg.db), "u%ld_%d", (long)getpid(), ++pg.n);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", pg.db);
	pg_admin(sql);
	snprintf(ci, sizeof(ci), "postgresql:///%s?host=%s&user=postgres",
	    pg.db, pg.dir);
	ck_assert_int_eq(pf_store_open(&o, &st), PF_OK);
	return st;
}

void
pf_test_pg_close(struct pf_store *st)
{
	char	 sql[96];

	if (st == NULL)
		return;
	pf_store_close(st);
	snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", pg.db);
	pg_admin(sql);
}
