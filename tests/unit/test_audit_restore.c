/*
 * test_audit_restore.c -- record files are never replaced, and a restored
 * database takes back the records written since its backup (audit.h).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "fixture.h"
#include "audit.h"
#include "err.h"
#include "store.h"

#define XSD	"etc/audit.xsd"	/* tests run from the top of the tree */
#define OTHER	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<record>other</record>\n"

/* Records 1 to 3 of the test's trail, as pf_audit_append made them. */
static struct pf_audit_record recs[3];

static void
clear_recs(void)
{
	struct pf_audit_record	*r;

	for (r = recs; r < recs + nitems(recs); r++)
		pf_audit_record_clear(r);
}

#define SUBJECT	"101ea60632d74630e0cc5a3d7c6076ccfd779255a2de3b09fdc4381e5796c7c9"

/* Record i + 1 of the trail: an unsubscribe from source; its file written. */
static void
append(int i, const char *source)
{
	const char *const	 details[] = { "list", "news", "source", source,
	    NULL };
	struct pf_audit_event	 ev = { "unsubscribed", "unsubscribe", NULL,
	    SUBJECT, details };

	pf_audit_record_clear(&recs[i]);
	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(pf_audit_append(fx.st, &ev, &recs[i]), PF_OK);
	ck_assert_int_eq(pf_store_commit(fx.st), PF_OK);
	ck_assert_int_eq(pf_audit_write(fx.audit, &recs[i]), PF_OK);
}

static void
append3(void)
{
	int	 i;

	for (i = 0; i < 3; i++)
		append(i, "form");
}

#define FILE_PATH	(PF_TEST_PATH + 32)	/* audit/DAY/NNNNNNNNNNNN.xml */

/* Record i's file into out (FILE_PATH bytes). */
static char *
file_of(int i, char *out)
{
	char	*p = pf_audit_path(fx.audit, recs[i].seq, recs[i].time);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_lt(strlen(p), FILE_PATH);
	memcpy(out, p, strlen(p) + 1);
	free(p);
	return out;
}

/* The file at path holds exactly s[0..len). */
static void
assert_holds(const char *path, const char *s, size_t len)
{
	char	 buf[8192];
	size_t	 n = pf_test_read(path, buf, sizeof(buf));

	ck_assert_msg(n == len && memcmp(buf, s, len) == 0,
	    "%s holds %zu bytes: %s", path, n, buf);
}

/* The files under audit/displaced/ named NAME (a day's directory/file). */
static size_t
displaced(const char *name, glob_t *g)
{
	char	 pat[PF_TEST_PATH * 2];

	snprintf(pat, sizeof(pat), "%s/displaced/*/%s", fx.audit, name);
	memset(g, 0, sizeof(*g));
	if (glob(pat, 0, NULL, g) != 0)
		return 0;
	return g->gl_pathc;
}

static void
assert_verify_ok(void)
{
	long long	 bad = -1;
	char		*report = NULL;
	size_t		 len;
	FILE		*f = open_memstream(&report, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pf_audit_verify(fx.st, fx.audit, XSD, NULL, f, &bad), PF_OK);
	fclose(f);
	ck_assert_msg(bad == 0 && report[0] == '\0', "report: %s", report);
	free(report);
}

/* "YYYY-MM-DD/NNNNNNNNNNNN.xml" of record i. */
static const char *
rel_of(int i, char *buf, size_t len)
{
	snprintf(buf, len, "%.10s/%012lld.xml", recs[i].time, recs[i].seq);
	return buf;
}

START_TEST(test_write_moves_other_bytes_aside_and_keeps_both)
{
	glob_t	 g;
	char	 p[FILE_PATH], rel[64], log[2048];

	append3();
	file_of(1, p);
	pf_test_write(p, OTHER, strlen(OTHER));
	pf_test_capture();
	ck_assert_int_eq(pf_audit_write(fx.audit, &recs[1]), PF_OK);
	pf_test_captured(log, sizeof(log));
	assert_holds(p, recs[1].xml, recs[1].xml_len);
	ck_assert_uint_eq(displaced(rel_of(1, rel, sizeof(rel)), &g), 1);
	assert_holds(g.gl_pathv[0], OTHER, strlen(OTHER));
	/* Said once, naming both files. */
	ck_assert_msg(strstr(log, "moved aside") != NULL &&
	    strstr(log, p) != NULL && strstr(log, g.gl_pathv[0]) != NULL &&
	    strstr(strstr(log, "moved aside") + 1, "moved aside") == NULL,
	    "log: %s", log);
	globfree(&g);
	/* Not taken for a record, nor for an extra file. */
	assert_verify_ok();
}
END_TEST

START_TEST(test_write_of_the_same_bytes_again_moves_nothing)
{
	struct stat	 sb;
	char		 d[PF_TEST_PATH * 2], log[1024];

	append3();
	pf_test_capture();
	ck_assert_int_eq(pf_audit_write(fx.audit, &recs[1]), PF_OK);
	ck_assert_int_eq(pf_audit_sync(fx.st, fx.audit, NULL), PF_OK);
	pf_test_captured(log, sizeof(log));
	ck_assert_str_eq(log, "");
	snprintf(d, sizeof(d), "%s/displaced", fx.audit);
	ck_assert_int_eq(stat(d, &sb), -1);
	assert_verify_ok();
}
END_TEST

/*
 * Writers of one record that all find another file in its way (a worker
 * and `audit sync` after a restore): whichever moves it aside, the others
 * must still place the record, not fail because it went meanwhile.
 */
#define RACERS	4
#define ROUNDS	40

/* RACERS children write record 1 once the gate opens; how many failed. */
static int
race_once(void)
{
	pid_t	 kid[RACERS];
	int	 gate[2], i, st, failed = 0;
	char	 c;

	ck_assert_int_eq(pipe(gate), 0);
	for (i = 0; i < RACERS; i++) {
		ck_assert_int_ne(kid[i] = fork(), -1);
		if (kid[i] == 0) {
			close(gate[1]);
			(void)read(gate[0], &c, 1);	/* EOF: the gate opens */
			_exit(pf_audit_write(fx.audit, &recs[1]) == PF_OK ? 0 : 1);
		}
	}
	close(gate[0]);
	close(gate[1]);
	for (i = 0; i < RACERS; i++) {
		ck_assert_int_eq(waitpid(kid[i], &st, 0), kid[i]);
		failed += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	}
	return failed;
}

START_TEST(test_writers_racing_past_a_file_in_the_way_all_place_it)
{
	glob_t	 g;
	char	 p[FILE_PATH], rel[64], log[256];
	int	 round, failed = 0;

	append3();
	file_of(1, p);
	pf_test_capture();	/* each round's "moved aside" */
	for (round = 0; round < ROUNDS; round++) {
		ck_assert_int_eq(unlink(p), 0);
		pf_test_write(p, OTHER, strlen(OTHER));
		failed += race_once();
		assert_holds(p, recs[1].xml, recs[1].xml_len);
	}
	pf_test_captured(log, sizeof(log));
	ck_assert_msg(failed == 0, "%d of %d writes failed", failed,
	    RACERS * ROUNDS);
	/* Each round's file in the way kept, once. */
	ck_assert_uint_eq(displaced(rel_of(1, rel, sizeof(rel)), &g), ROUNDS);
	globfree(&g);
}
END_TEST

/* The database as a backup taken after record 1 left it. */
static void
restore_to_1(void)
{
	pf_test_exec("DELETE FROM audit WHERE seq > 1");
}

static void
recover(struct pf_audit_recovery *r)
{
	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(pf_audit_recover(fx.st, fx.audit, XSD, NULL, r),
	    PF_OK);
	ck_assert_int_eq(pf_store_commit(fx.st), PF_OK);
}

/* What each case does to the trail after the restore, and what follows. */
static void
tamper_none(void)
{
}

static void
tamper_byte(void)
{
	char	 p[FILE_PATH], *x = strdup(recs[1].xml);

	ck_assert_ptr_nonnull(x);
	memcpy(strstr(x, "<event>") + 7, "X", 1);
	pf_test_write(file_of(1, p), x, recs[1].xml_len);
	free(x);
}

/* The restored database's record 1 is another one: 2 and 3 follow no more. */
static void
tamper_fork(void)
{
	pf_test_exec("DELETE FROM audit");
	append(0, "one-click");
}

static void
tamper_gap(void)
{
	char	 p[FILE_PATH];

	ck_assert_int_eq(unlink(file_of(1, p)), 0);
}

static void
tamper_day(void)
{
	char	 to[PF_TEST_PATH * 3], dir[PF_TEST_PATH * 2], p[FILE_PATH];

	snprintf(dir, sizeof(dir), "%s/2000-01-01", fx.audit);
	snprintf(to, sizeof(to), "%s/%012lld.xml", dir, recs[2].seq);
	ck_assert_int_eq(mkdir(dir, 0750), 0);
	ck_assert_int_eq(rename(file_of(2, p), to), 0);
}

static const struct {
	const char	*what;
	void		(*tamper)(void);
	long long	 recovered, displaced;
} cases[] = {
	{ "every file chains on", tamper_none, 2, 0 },
	{ "record 2 changed", tamper_byte, 0, 2 },
	{ "another trail's record 1", tamper_fork, 0, 2 },
	{ "record 2's file lost", tamper_gap, 0, 1 },
	{ "record 3 in another day", tamper_day, 1, 1 },
};

/* How many lines of report contain what. */
static long long
lines_with(const char *report, const char *what)
{
	const char	*p;
	long long	 n = 0;

	for (p = report; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

START_TEST(test_recover_takes_back_what_chains_on_and_moves_the_rest)
{
	struct pf_audit_recovery	 r;
	char				 keep[3][FILE_PATH], *said = NULL;
	size_t				 len;
	FILE				*report;
	int				 i;

	append3();
	restore_to_1();
	cases[_i].tamper();
	for (i = 0; i < 3; i++)
		file_of(i, keep[i]);
	ck_assert_ptr_nonnull(report = open_memstream(&said, &len));
	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(pf_audit_recover(fx.st, fx.audit, XSD, report, &r),
	    PF_OK);
	ck_assert_int_eq(pf_store_commit(fx.st), PF_OK);
	fclose(report);
	/* Every file moved aside is said, with why (INSTALL, section 15). */
	ck_assert_msg(lines_with(said, "does not chain on") == r.displaced &&
	    lines_with(said, "moved aside to") == r.displaced, "%s: %s",
	    cases[_i].what, said);
	free(said);
	ck_assert_msg(r.backup_seq == 1 && r.recovered == cases[_i].recovered &&
	    r.displaced == cases[_i].displaced && r.checkpoint == -1 &&
	    r.restored, "%s: backup %lld, recovered %lld, displaced "
	    "%lld", cases[_i].what, r.backup_seq, r.recovered, r.displaced);
	ck_assert_int_eq(pf_test_count("SELECT max(seq) FROM audit"),
	    1 + cases[_i].recovered);
	/* What is not taken back is moved aside, never left in the way. */
	for (i = 1 + (int)cases[_i].recovered; i < 3; i++)
		ck_assert_int_eq(access(keep[i], F_OK), -1);
	if (cases[_i].tamper == tamper_fork)
		ck_assert_int_eq(pf_audit_write(fx.audit, &recs[0]), PF_OK);
	assert_verify_ok();
	/* A second look finds nothing left to do. */
	recover(&r);
	ck_assert(r.found == 0 && !r.restored);
}
END_TEST

START_TEST(test_a_file_that_does_not_chain_is_moved_aside_not_imported)
{
	struct pf_audit_recovery	 r;
	glob_t				 g;
	char				 p[FILE_PATH], *x, rel[64];

	append3();
	restore_to_1();
	tamper_byte();
	file_of(1, p);
	ck_assert_ptr_nonnull(x = malloc(recs[1].xml_len + 1));
	ck_assert_uint_eq(pf_test_read(p, x, recs[1].xml_len + 1),
	    recs[1].xml_len);
	recover(&r);
	ck_assert_int_eq(r.recovered, 0);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM audit "
	    "WHERE seq = 2"), 0);
	ck_assert_uint_eq(displaced(rel_of(1, rel, sizeof(rel)), &g), 1);
	ck_assert_msg(strstr(g.gl_pathv[0], r.stamp) != NULL, "%s", g.gl_pathv[0]);
	assert_holds(g.gl_pathv[0], x, recs[1].xml_len);
	globfree(&g);
	free(x);
}
END_TEST

/* A checkpoint file of count n, as the checkpoint writer names it. */
static void
checkpoint(long long n)
{
	char	 p[PF_TEST_PATH * 2];

	snprintf(p, sizeof(p), "%s/checkpoints", fx.audit);
	ck_assert(mkdir(p, 0750) == 0 || access(p, F_OK) == 0);
	snprintf(p, sizeof(p), "%s/checkpoints/%012lld.txt", fx.audit, n);
	pf_test_write(p, "x\n", 2);
}

/* The audit-restored record init appends, in recover's transaction. */
static void
restored_record(const struct pf_audit_recovery *r)
{
	struct pf_audit_event	 ev = { PF_AUDIT_RESTORED, "admin", NULL, NULL,
	    r->details };

	pf_audit_record_clear(&recs[1]);
	ck_assert_int_eq(pf_audit_append(fx.st, &ev, &recs[1]), PF_OK);
	ck_assert_int_eq(pf_store_commit(fx.st), PF_OK);
	ck_assert_int_eq(pf_audit_write(fx.audit, &recs[1]), PF_OK);
	ck_assert_ptr_nonnull(strstr(recs[1].xml, "<detail name=\"checkpoint\">"));
}

START_TEST(test_beyond_sees_a_restore_and_not_the_trail_itself)
{
	struct pf_audit_recovery	 r;
	int				 beyond = -1, i;
	char				 p[FILE_PATH];

	ck_assert_int_eq(pf_audit_beyond(fx.st, fx.audit, &beyond), PF_OK);
	ck_assert_int_eq(beyond, 0);
	append3();
	checkpoint(0);
	checkpoint(3);
	ck_assert_int_eq(pf_audit_beyond(fx.st, fx.audit, &beyond), PF_OK);
	ck_assert_int_eq(beyond, 0);
	restore_to_1();
	ck_assert_int_eq(pf_audit_beyond(fx.st, fx.audit, &beyond), PF_OK);
	ck_assert_int_eq(beyond, 1);
	/* The files gone too: the checkpoint still tells. */
	for (i = 1; i < 3; i++) {
		ck_assert_int_eq(unlink(file_of(i, p)), 0);
	}
	ck_assert_int_eq(pf_audit_beyond(fx.st, fx.audit, &beyond), PF_OK);
	ck_assert_int_eq(beyond, 1);
	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(pf_audit_recover(fx.st, fx.audit, XSD, NULL, &r),
	    PF_OK);
	ck_assert(r.found == 0 && r.checkpoint == 3 && r.restored);
	restored_record(&r);
	/* Said once: the trail stays behind that checkpoint, and that is known. */
	ck_assert_int_eq(pf_audit_beyond(fx.st, fx.audit, &beyond), PF_OK);
	ck_assert_int_eq(beyond, 0);
	recover(&r);
	ck_assert(!r.restored);
	checkpoint(4);
	ck_assert_int_eq(pf_audit_beyond(fx.st, fx.audit, &beyond), PF_OK);
	ck_assert_int_eq(beyond, 1);
}
END_TEST

PF_TEST_MAIN("audit_restore",
    pf_test_fixture(tc, PF_TEST_STORE, NULL, NULL, clear_recs),
    tcase_add_test(tc, test_write_moves_other_bytes_aside_and_keeps_both),
    tcase_add_test(tc, test_write_of_the_same_bytes_again_moves_nothing),
    tcase_add_test(tc, test_writers_racing_past_a_file_in_the_way_all_place_it),
    PF_LOOP(test_recover_takes_back_what_chains_on_and_moves_the_rest, cases),
    tcase_add_test(tc, test_a_file_that_does_not_chain_is_moved_aside_not_imported),
    tcase_add_test(tc, test_beyond_sees_a_restore_and_not_the_trail_itself))
