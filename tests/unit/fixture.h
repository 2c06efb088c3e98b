/*
 * fixture.h -- what the unit tests share: one scratch fixture (a fresh
 * directory per test with the paths a program uses in it, test keys, a
 * configuration and an opened store), and reading back a message a test
 * has queued in the outbox.  tests/unit/fixture.c is linked into every
 * tests/unit/test_* program.
 */
#ifndef PF_TEST_FIXTURE_H
#define PF_TEST_FIXTURE_H

#include <time.h>

#include <check.h>

#include "config.h"
#include "keys.h"
#include "mail.h"
#include "store.h"

#define PF_TEST_PATH	160	/* room for any path in the scratch directory */

/* What pf_test_fixture sets up beyond the directory, per program. */
enum pf_test_needs {
	PF_TEST_DIR	= 0,		/* the directory and the paths only */
	PF_TEST_STORE	= 1 << 0,	/* fx.st open on fx.db */
};

/*
 * The scratch fixture of the running test.  Setup makes dir fresh (mode
 * 0700, under /tmp), fills keys and other_keys, opens st on a migrated
 * database when the program asked for PF_TEST_STORE (a copy of one made
 * by the real migrations once per program: the same file a fresh open
 * writes, without its fsyncs), and loads the configuration given to
 * pf_test_fixture into cfg.  Teardown closes st, frees cfg, unsets
 * PRIVFORMS_CONFIG and removes dir with everything in it (the test fails
 * if it cannot); a test that closes st itself sets it NULL.
 *
 * The paths are names in dir; only db exists before the test (with
 * PF_TEST_STORE), and conf once pf_test_conf wrote it.
 */
struct pf_test_fx {
	char			 dir[64];
	char			 db[PF_TEST_PATH];	/* privforms.db */
	char			 conf[PF_TEST_PATH];	/* privforms.conf */
	char			 keyfile[PF_TEST_PATH];	/* secret.key */
	char			 audit[PF_TEST_PATH];	/* audit */
	char			 laws[PF_TEST_PATH];	/* privacy-laws.tsv */
	char			 err[512];	/* a loader's message: "" */
	struct pf_store		*st;	/* NULL unless PF_TEST_STORE */
	struct pf_config	*cfg;	/* last pf_test_conf, or NULL */
	struct pf_keys		 keys;		/* every byte 0x11 */
	struct pf_keys		 other_keys;	/* every byte 0x22 */
};

extern struct pf_test_fx fx;

/*
 * Run each test of tc inside the fixture; needs: enum pf_test_needs ORed;
 * conf: a configuration each test starts with (pf_test_conf), or NULL;
 * setup and teardown: the program's own, or NULL, run inside it (setup
 * after the fixture is made, teardown before it is taken down).
 */
void pf_test_fixture(TCase *tc, unsigned needs, const char *conf,
    void (*setup)(void), void (*teardown)(void));

/* Close fx.st and open fx.db again, as the next process would: fx.st. */
struct pf_store *pf_test_reopen(void);

/* dir/name as a path in out (the test fails if it does not fit). */
void pf_test_path(char *out, size_t len, const char *name);

/* Write len bytes of text to path, replacing what it held. */
void pf_test_write(const char *path, const char *text, size_t len);

/* Write text as fx.conf and load it into fx.cfg (the test fails if not). */
void pf_test_conf(const char *text);

/* Remove dir and everything below it; 0, or -1 with errno set. */
int pf_test_rmdir(const char *dir);

/* An outbox message as a test reads it back. */
struct pf_test_queued {
	struct pf_mail	 m;		/* cleared by the caller (pf_mail_clear) */
	char		 recipient[256];
	char		 subject[80];	/* "" when the row has none */
};

/* Outbox message id of st, loaded into q (the test fails if there is none). */
void pf_test_queued(struct pf_store *st, long long id,
    struct pf_test_queued *q);

/* An outbox message rendered as the sender would. */
struct pf_test_rendered {
	struct pf_test_queued	 q;
	char			*subject, *body;
};

/*
 * Outbox message id of fx.st rendered with the templates in dir into r
 * (the test fails unless it renders); pf_test_rendered_clear frees it.
 */
void pf_test_render(long long id, const char *dir, struct pf_test_rendered *r);
void pf_test_rendered_clear(struct pf_test_rendered *r);

/* The value called name of m, or NULL. */
const char *pf_test_value(const struct pf_mail *m, const char *name);

/* Each name, value pair of want (a NULL name ends it) stands so in m. */
void pf_test_values(const struct pf_mail *m, const char *const *want);

/* Messages in the outbox of st, in every state. */
long long pf_test_outbox_total(struct pf_store *st);

/* One number sql gives, on a connection of its own to fx.db. */
long long pf_test_count(const char *sql);

/* Run sql on a connection of its own to fx.db; the test fails on an error. */
void pf_test_exec(const char *sql);

/*
 * Make fx.db the file the release at schema version made: fx.st closed
 * and the file removed, then the migrations up to version run on a new
 * one (the test fails unless next is the name of the one after).
 */
void pf_test_old_schema(unsigned version, const char *next);

/* "YYYY-MM-DD HH:MM:SS" (or with a T) UTC as a time_t; nothing may follow. */
time_t pf_test_utc(const char *s);

/* The n bytes b as lower-case hex in out (2n + 1 bytes). */
void pf_test_hex(const unsigned char *b, size_t n, char *out);

/* Up to size - 1 bytes of path into buf, NUL-terminated: how many. */
size_t pf_test_read(const char *path, char *buf, size_t size);

/*
 * What the library writes on stderr between pf_test_capture and
 * pf_test_captured, which returns it in out (NUL-terminated, cut to fit).
 */
void pf_test_capture(void);
void pf_test_captured(char *out, size_t len);

/*
 * The site offers languages (lang.h's pf_lang_site, default en), whose
 * catalogues are the ones the build makes (PF_TEST_LOCALE: make all);
 * then gettext reads the catalogues it read before again and en is
 * current.  For a test of what follows a link's or a stamp's language.
 */
#define PF_TEST_LOCALE	"build/locale"
void pf_test_offer(const char *languages);

/*
 * A private PostgreSQL server for a test case that runs a program's tests
 * on that engine too (tools/pgtest.sh, in a new directory under /tmp):
 * pf_test_pg_start and pf_test_pg_stop are the case's unchecked fixture
 * (once per program); pf_test_pg_open, in a test's setup, makes a new
 * database on it, opens a store on it (so migrates it) and returns that
 * store, or NULL when the server could not start (said once on stdout:
 * the test then tests nothing and must return at once);
 * pf_test_pg_close, in its teardown, closes the store and drops the
 * database.
 */
void pf_test_pg_start(void);
void pf_test_pg_stop(void);
struct pf_store *pf_test_pg_open(void);
void pf_test_pg_close(struct pf_store *st);

#endif
