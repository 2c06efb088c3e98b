/*
 * test_audit_restore.c -- record files are never replaced, and a restored
 * database takes back the records written since its backup (audit.h).
 */
#include <sys/stat.h>

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

static const char *const details[] = { "list", "news", NULL };

/* Record i + 1 of the trail: an unsubscribe; its file written. */
static void
append(int i, const char *event)
{
	struct pf_audit_event	 ev = { event, "unsubscribe", NULL, NULL,
	    details };

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
		append(i, "unsubscribed");
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
	ck_assert_int_eq(pf_audit_verify(fx.st, fx.audit, XSD, f, &bad), PF_OK);
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

PF_TEST_MAIN("audit_restore",
    pf_test_fixture(tc, PF_TEST_STORE, NULL, NULL, clear_recs),
    tcase_add_test(tc, test_write_moves_other_bytes_aside_and_keeps_both),
    tcase_add_test(tc, test_write_of_the_same_bytes_again_moves_nothing))
