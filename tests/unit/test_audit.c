/* test_audit.c -- building, chaining, writing and verifying records (audit.h). */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "check_main.h"
#include "fixture.h"
#include "audit.h"
#include "err.h"
#include "hex.h"
#include "store.h"

#define XSD "etc/audit.xsd"	/* tests run from the top of the tree */
#define ZERO_DIGEST "0000000000000000000000000000000000000000000000000000000000000000"
#define REQ "0123456789abcdef0123456789abcdef"
#define SUBJ "101ea60632d74630e0cc5a3d7c6076ccfd779255a2de3b09fdc4381e5796c7c9"
#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

static struct pf_audit_record recs[3];

/* The checkpoint verify() makes the trail extend: count and head (0: none). */
static long long	 since_count;
static const char	*since_head;

/* The records a test built, cleared after it, and its checkpoint. */
static void
clear_recs(void)
{
	size_t	 i;

	for (i = 0; i < 3; i++)
		pf_audit_record_clear(&recs[i]);
	since_count = 0;
	since_head = NULL;
}

static const char *const details_a[] = { "list", "news", "channel", "email",
    NULL };
static const char *const details_b[] = { "attempts", "1", NULL };
static const char *const details_c[] = { "feedback", "12", "rating", "okay",
    NULL };
/* Record 2's detail a forger changes (to "2": the same length). */
#define ATTEMPTS	"<detail name=\"attempts\">"

static const struct pf_audit_event events[3] = {
	{ "unsubscribed", "unsubscribe", REQ, SUBJ, details_a },
	{ "mail-sent", "mail", NULL, NULL, details_b },
	{ "feedback-received", "feedback", REQ, NULL, details_c },
};

/* Append the three events in one transaction and write their files. */
static void
append3(int write)
{
	size_t	 i;

	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(pf_audit_append(fx.st, &events[i], &recs[i]),
		    PF_OK);
	ck_assert_int_eq(pf_store_commit(fx.st), PF_OK);
	for (i = 0; write && i < 3; i++)
		ck_assert_int_eq(pf_audit_write(fx.audit, &recs[i]), PF_OK);
}

/* pf_audit_verify with jobs threads (0: one, no store options). */
static int
verify_jobs(int jobs, long long *bad, char **report)
{
	struct pf_store_opts		 so = { fx.db, NULL, 0 };
	struct pf_audit_verify_opts	 vo = { since_count, since_head,
					    jobs > 0 ? &so : NULL, jobs };
	size_t				 len;
	FILE				*f = open_memstream(report, &len);
	int				 err;

	ck_assert_ptr_nonnull(f);
	err = pf_audit_verify(fx.st, fx.audit, XSD, &vo, f, bad);
	fclose(f);
	return err;
}

/*
 * pf_audit_verify with the report in a string; returns its result.  The
 * trail is checked in one thread and again split between two and three,
 * which must say exactly the same.
 */
static int
verify(long long *bad, char **report)
{
	static const int	 jobs[] = { 2, 3 };
	long long		 b;
	char			*r;
	size_t			 i;
	int			 err = verify_jobs(0, bad, report);

	for (i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
		ck_assert_int_eq(verify_jobs(jobs[i], &b, &r), err);
		ck_assert_int_eq(b, *bad);
		ck_assert_str_eq(r, *report);
		free(r);
	}
	return err;
}

static void
assert_verify_ok(void)
{
	long long	 bad = -1;
	char		*report = NULL;

	ck_assert_int_eq(verify(&bad, &report), PF_OK);
	ck_assert_int_eq(bad, 0);
	ck_assert_str_eq(report, "");
	free(report);
}

static void
assert_verify_fails(long long seq, const char *says)
{
	long long	 bad = 0;
	char		*report = NULL;

	ck_assert_int_eq(verify(&bad, &report), PF_EXML);
	ck_assert_msg(bad == seq, "bad %lld, expected %lld: %s", bad, seq,
	    report);
	ck_assert_msg(strstr(report, says) != NULL, "report: %s", report);
	free(report);
}

static int
schema_valid(const char *xml, size_t len)
{
	xmlSchemaParserCtxtPtr	 p = xmlSchemaNewParserCtxt(XSD);
	xmlSchemaPtr		 s = xmlSchemaParse(p);
	xmlSchemaValidCtxtPtr	 v = xmlSchemaNewValidCtxt(s);
	xmlDocPtr		 doc = xmlReadMemory(xml, (int)len, NULL, NULL,
	    XML_PARSE_NONET);
	int			 ok;

	ck_assert_ptr_nonnull(s);
	ok = doc != NULL && xmlSchemaValidateDoc(v, doc) == 0;
	xmlFreeDoc(doc);
	xmlSchemaFreeValidCtxt(v);
	xmlSchemaFree(s);
	xmlSchemaFreeParserCtxt(p);
	return ok;
}

static void
sha256_hex(const char *s, char out[65])
{
	unsigned char	 md[32];
	unsigned int	 n;
	int		 i;

	ck_assert_int_eq(EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL), 1);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	char	*buf = malloc(65536);

	ck_assert_ptr_nonnull(f);
	*len = fread(buf, 1, 65535, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void
spit(const char *path, const char *buf, size_t len)
{
	FILE	*f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static char *
path_of(int i)
{
	char	*p = pf_audit_path(fx.audit, recs[i].seq, recs[i].time);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* Replace record seq's digest and bytes in the database, as a forger would. */
static void
raw_forge(long long seq, const char *digest, const char *xml, size_t len)
{
	sqlite3		*h = NULL;
	sqlite3_stmt	*s = NULL;

	ck_assert_int_eq(sqlite3_open(fx.db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, "UPDATE audit SET digest = ?1, "
	    "xml = ?2 WHERE seq = ?3", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, digest, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, xml, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, seq);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
	ck_assert_int_eq(sqlite3_changes(h), 1);
	sqlite3_finalize(s);
	sqlite3_close(h);
}

/* Record i's file and row replaced with xml and its digest, as forged. */
static void
forge(int i, const char *xml, size_t len, const char *digest)
{
	char	*p = path_of(i);

	spit(p, xml, len);
	free(p);
	raw_forge(i + 1, digest, xml, len);
}

START_TEST(test_append_writes_exact_record_and_digest)
{
	char	 expect[2048], canon[2048], digest[65];

	append3(0);
	snprintf(canon, sizeof(canon), "<record xmlns=\"urn:privforms:audit:1\" "
	    "version=\"1\"><seq>1</seq><time>%s</time><event>unsubscribed"
	    "</event><form>unsubscribe</form><request>" REQ "</request>"
	    "<subject>" SUBJ "</subject><detail name=\"list\">news</detail>"
	    "<detail name=\"channel\">email</detail><prev>" ZERO_DIGEST
	    "</prev></record>", recs[0].time);
	sha256_hex(canon, digest);
	ck_assert_str_eq(recs[0].digest, digest);
	snprintf(expect, sizeof(expect), DECL "%.*s<digest>%s</digest>"
	    "</record>\n", (int)(strlen(canon) - 9), canon, digest);
	ck_assert_str_eq(recs[0].xml, expect);
	ck_assert_uint_eq(recs[0].xml_len, strlen(expect));
}
END_TEST

START_TEST(test_append_chains_three_valid_records)
{
	char		 prev[65], d[65];
	const char	*p;
	size_t		 i;

	append3(0);
	snprintf(prev, sizeof(prev), "%s", ZERO_DIGEST);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(recs[i].seq, (long long)i + 1);
		ck_assert_msg(schema_valid(recs[i].xml, recs[i].xml_len),
		    "record %zu: %s", i, recs[i].xml);
		p = strstr(recs[i].xml, "<prev>");
		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq(strncmp(p + 6, prev, 64), 0);
		ck_assert_int_eq(pf_audit_digest(recs[i].xml, recs[i].xml_len,
		    d), PF_OK);
		ck_assert_str_eq(d, recs[i].digest);
		memcpy(prev, recs[i].digest, 65);
	}
	ck_assert_ptr_null(strstr(recs[1].xml, "<request>"));
	ck_assert_ptr_null(strstr(recs[1].xml, "<subject>"));
	/* Its one detail is the one it was given. */
	ck_assert_ptr_eq(strstr(recs[1].xml, "<detail"),
	    strstr(recs[1].xml, ATTEMPTS));
	ck_assert_ptr_null(strstr(strstr(recs[1].xml, ATTEMPTS) + 1, "<detail"));
	ck_assert_ptr_null(strstr(recs[2].xml, "<subject>"));
}
END_TEST

START_TEST(test_append_then_rollback_records_nothing)
{
	struct pf_audit_record	 r;
	long long		 seq = -1;
	char			 d[65];

	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(pf_audit_append(fx.st, &events[0], &r), PF_OK);
	pf_store_rollback(fx.st);
	pf_audit_record_clear(&r);
	ck_assert_int_eq(pf_store_audit_last(fx.st, &seq, d), PF_OK);
	ck_assert_int_eq(seq, 0);
}
END_TEST

/*
 * No kind of detail value takes markup or free text (audit_events.h), so
 * what the serialiser would have to escape never reaches a record.
 */
START_TEST(test_detail_free_text_is_refused)
{
	static const char	 value[] = "a & b <c> ]]> \"q\" 'a'";
	const char *const	 details[] = { "law", value, NULL };
	struct pf_audit_event	 ev = { "request-received", "data-request",
	    NULL, SUBJ, details };

	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(pf_audit_append(fx.st, &ev, &recs[0]), PF_EINVAL);
	pf_store_rollback(fx.st);
}
END_TEST

static const char *const bad_detail_value[] = { "list", "a\x01" "b", NULL };
static const char *const bad_detail_utf8[] = { "list", "\xc3\x28", NULL };
static const char *const bad_detail_cr[] = { "list", "a\rb", NULL };
static const char *const bad_detail_fffe[] = { "list", "\xef\xbf\xbe", NULL };
static const char *const bad_detail_c1[] = { "list", "\xc2\x85", NULL };
static const char *const bad_detail_name[] = { "List", "v", NULL };
static const char *const bad_detail_space[] = { "li st", "v", NULL };
static const char *const bad_detail_empty[] = { "", "v", NULL };
static const char *const bad_detail_novalue[] = { "list", NULL };

static const struct pf_audit_event bad_events[] = {
	{ "un\x01subscribed", "unsubscribe", NULL, NULL, NULL },
	{ "unsubscribed\n", "unsubscribe", NULL, NULL, NULL },
	{ "Unsubscribed", "unsubscribe", NULL, NULL, NULL },
	{ "1st", "unsubscribe", NULL, NULL, NULL },
	{ "", "unsubscribe", NULL, NULL, NULL },
	{ NULL, "unsubscribe", NULL, NULL, NULL },
	{ "unsubscribed", NULL, NULL, NULL, NULL },
	{ "unsubscribed", "un\xffsubscribe", NULL, NULL, NULL },
	{ "unsubscribed", "unsubscribe", REQ "0", NULL, NULL },
	{ "unsubscribed", "unsubscribe", "0123456789abcdef0123456789abcde",
	    NULL, NULL },
	{ "unsubscribed", "unsubscribe", "0123456789ABCDEF0123456789ABCDEF",
	    NULL, NULL },
	{ "unsubscribed", "unsubscribe", NULL, SUBJ "0", NULL },
	{ "unsubscribed", "unsubscribe", NULL, SUBJ + 1, NULL },
	{ "unsubscribed", "unsubscribe", NULL, "alice@example.com", NULL },
	{ "unsubscribed", "unsubscribe", NULL, SUBJ, bad_detail_value },
	{ "unsubscribed", "unsubscribe", NULL, SUBJ, bad_detail_utf8 },
	{ "unsubscribed", "unsubscribe", NULL, SUBJ, bad_detail_cr },
	{ "unsubscribed", "unsubscribe", NULL, SUBJ, bad_detail_fffe },
	{ "unsubscribed", "unsubscribe", NULL, SUBJ, bad_detail_c1 },
	{ "unsubscribed", "unsubscribe", NULL, SUBJ, bad_detail_name },
	{ "unsubscribed", "unsubscribe", NULL, SUBJ, bad_detail_space },
	{ "unsubscribed", "unsubscribe", NULL, SUBJ, bad_detail_empty },
	{ "unsubscribed", "unsubscribe", NULL, SUBJ, bad_detail_novalue },
};

START_TEST(test_append_refuses_bad_text)
{
	long long	 seq = -1;
	char		 d[65];

	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(pf_audit_append(fx.st, &bad_events[_i], &recs[0]),
	    PF_EINVAL);
	ck_assert_ptr_null(recs[0].xml);
	ck_assert_int_eq(pf_store_commit(fx.st), PF_OK);
	ck_assert_int_eq(pf_store_audit_last(fx.st, &seq, d), PF_OK);
	ck_assert_int_eq(seq, 0);
}
END_TEST

static const char *const good_detail[] = { "votes", "0", NULL };
static const char *const empty_list[] = { "list", "", NULL };

static const struct pf_audit_event good_events[] = {
	{ "mail-sent", "mail", REQ, SUBJ, NULL },
	{ "vote-clients-forgotten", "admin", NULL, NULL, good_detail },
	{ "unsubscribed", "unsubscribe", NULL, SUBJ, empty_list },
};

START_TEST(test_append_accepts_boundary_text)
{
	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(pf_audit_append(fx.st, &good_events[_i], &recs[0]),
	    PF_OK);
	ck_assert_int_eq(pf_store_commit(fx.st), PF_OK);
	ck_assert(schema_valid(recs[0].xml, recs[0].xml_len));
}
END_TEST

START_TEST(test_digest_changes_with_content)
{
	char	*copy, *p, d[65];

	append3(0);
	copy = strdup(recs[0].xml);
	p = strstr(copy, ">news<");
	ck_assert_ptr_nonnull(p);
	p[1] = 'm';
	ck_assert_int_eq(pf_audit_digest(copy, recs[0].xml_len, d), PF_OK);
	ck_assert_str_ne(d, recs[0].digest);
	free(copy);
}
END_TEST

static const char *const not_records[] = {
	"",
	"not xml",
	"<record xmlns=\"urn:privforms:audit:1\"><seq>1</seq></record>",
	"<record><digest>00</digest></record>",
	"<other xmlns=\"urn:privforms:audit:1\"><digest>00</digest></other>",
	"<record xmlns=\"urn:privforms:audit:1\"><digest>00</digest>",
};

START_TEST(test_digest_refuses_non_records)
{
	char	 d[65];

	ck_assert_int_eq(pf_audit_digest(not_records[_i],
	    strlen(not_records[_i]), d), PF_EXML);
}
END_TEST

static const struct {
	long long	 seq;
	const char	*time;
	const char	*path;
} paths[] = {
	{ 1, "2026-11-24T06:30:00.000000Z", "a/2026-11-24/000000000001.xml" },
	{ 12, "2026-01-02T00:00:00.000000Z", "a/2026-01-02/000000000012.xml" },
	{ 999999999999LL, "2026-11-24T06:30:00.000000Z",
	    "a/2026-11-24/999999999999.xml" },
	{ 0, "2026-11-24T06:30:00.000000Z", NULL },
	{ -1, "2026-11-24T06:30:00.000000Z", NULL },
	{ 1000000000000LL, "2026-11-24T06:30:00.000000Z", NULL },
	{ 1, "../../etc/passwd", NULL },
	{ 1, "2026-11-2", NULL },
	{ 1, "2026/11/24T06:30:00.000000Z", NULL },
	{ 1, NULL, NULL },
};

START_TEST(test_path_by_day_and_seq)
{
	char	*p = pf_audit_path("a", paths[_i].seq, paths[_i].time);

	if (paths[_i].path == NULL)
		ck_assert_ptr_null(p);
	else
		ck_assert_str_eq(p, paths[_i].path);
	free(p);
}
END_TEST

START_TEST(test_write_makes_files_and_verify_passes)
{
	struct stat	 sb;
	char		*p, *buf;
	size_t		 i, len;

	append3(1);
	for (i = 0; i < 3; i++) {
		p = path_of(i);
		ck_assert_int_eq(stat(p, &sb), 0);
		ck_assert_int_eq(sb.st_mode & 0777, 0640);
		buf = slurp(p, &len);
		ck_assert_uint_eq(len, recs[i].xml_len);
		ck_assert_int_eq(memcmp(buf, recs[i].xml, len), 0);
		free(buf);
		free(p);
	}
	assert_verify_ok();
}
END_TEST

START_TEST(test_verify_empty_trail_passes)
{
	assert_verify_ok();
}
END_TEST

START_TEST(test_verify_flipped_byte_names_its_record)
{
	char	*p = NULL, *buf, *q;
	size_t	 len;

	append3(1);
	p = path_of(1);
	buf = slurp(p, &len);
	/* A digit of the time's fraction: still valid, no longer sealed. */
	q = strstr(buf, "<time>");
	ck_assert_ptr_nonnull(q);
	q[6 + 20] = q[6 + 20] == '0' ? '1' : '0';
	spit(p, buf, len);
	assert_verify_fails(2, "record 2: digest does not match its content");
	assert_verify_fails(2, "record 2: file differs from the database copy");
	free(buf);
	free(p);
}
END_TEST

START_TEST(test_verify_broken_xml_stays_off_stderr)
{
	char	*p, *buf, errfile[160];
	size_t	 len;
	int	 fd, saved;
	struct stat sb;

	append3(1);
	p = path_of(0);
	buf = slurp(p, &len);
	spit(p, buf, len / 2);
	snprintf(errfile, sizeof(errfile), "%s/stderr", fx.dir);
	fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ne(fd, -1);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	close(fd);
	assert_verify_fails(1, "record 1: not well-formed XML: line 2");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ck_assert_int_eq(stat(errfile, &sb), 0);
	ck_assert_int_eq(sb.st_size, 0);
	free(buf);
	free(p);
}
END_TEST

START_TEST(test_verify_missing_file_then_sync_rewrites_it)
{
	long long	 written = -1;
	char		*p;

	append3(1);
	p = path_of(2);
	ck_assert_int_eq(unlink(p), 0);
	assert_verify_fails(3, "record 3: file missing");
	ck_assert_int_eq(pf_audit_sync(fx.st, fx.audit, &written), PF_OK);
	ck_assert_int_eq(written, 1);
	assert_verify_ok();
	ck_assert_int_eq(pf_audit_sync(fx.st, fx.audit, &written), PF_OK);
	ck_assert_int_eq(written, 0);
	free(p);
}
END_TEST

/*
 * pf_audit_missing counts the records without their file: none, then one
 * deleted, all three with no directory at all, and none after a sync;
 * files that are no records' (a stray name, a record the database does
 * not have) count for nothing.
 */
START_TEST(test_missing_counts_records_without_their_file)
{
	long long	 n = -1, written;
	char		*p, *stray;
	FILE		*f;

	ck_assert_int_eq(pf_audit_missing(fx.st, fx.audit, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	append3(1);
	ck_assert_int_eq(pf_audit_missing(fx.st, fx.audit, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	p = path_of(2);
	ck_assert_int_eq(unlink(p), 0);
	stray = strdup(p);
	strcpy(strrchr(stray, '/') + 1, "000000000009.xml");
	ck_assert_ptr_nonnull(f = fopen(stray, "w"));
	fclose(f);
	ck_assert_int_eq(pf_audit_missing(fx.st, fx.audit, &n), PF_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(pf_audit_sync(fx.st, fx.audit, &written), PF_OK);
	ck_assert_int_eq(pf_audit_missing(fx.st, fx.audit, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	pf_test_rmdir(fx.audit);
	ck_assert_int_eq(pf_audit_missing(fx.st, fx.audit, &n), PF_OK);
	ck_assert_int_eq(n, 3);
	free(stray);
	free(p);
}
END_TEST

START_TEST(test_sync_writes_every_file)
{
	long long	 written = -1;

	append3(0);
	assert_verify_fails(1, "record 1: file missing");
	ck_assert_int_eq(pf_audit_sync(fx.st, fx.audit, &written), PF_OK);
	ck_assert_int_eq(written, 3);
	assert_verify_ok();
}
END_TEST

static const char *const extra_names[] = {
	"000000000004.xml",
	"000000000002.xml",	/* record 2 exists, but on another day */
	"forged.xml",
};
static const long long extra_bad[] = { 4, 2, -1 };
static const char *const extra_says[] = {
	"record 4: extra file: the database has no such record",
	"record 2: extra file: the record's file is in another directory",
	"extra file: not a record file name",
};

START_TEST(test_verify_reports_extra_file)
{
	char	*p = NULL, *buf, extra[256];
	size_t	 len;

	append3(1);
	p = path_of(0);
	buf = slurp(p, &len);
	if (_i == 1)
		snprintf(extra, sizeof(extra), "%s/1999-01-01", fx.audit);
	else
		snprintf(extra, sizeof(extra), "%s", p);
	*strrchr(extra, '/') = '\0';
	mkdir(extra, 0750);
	snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "/%s",
	    extra_names[_i]);
	spit(extra, buf, len);
	assert_verify_fails(extra_bad[_i], extra_names[_i]);
	assert_verify_fails(extra_bad[_i], extra_says[_i]);
	ck_assert_int_eq(unlink(extra), 0);
	assert_verify_ok();
	free(buf);
	free(p);
}
END_TEST

START_TEST(test_verify_record_removed_from_chain)
{
	char	*p;

	append3(1);
	p = path_of(1);
	ck_assert_int_eq(unlink(p), 0);
	pf_test_exec("DELETE FROM audit WHERE seq = 2");
	assert_verify_fails(3, "record 3: prev does not match");
	assert_verify_fails(3, "record 3: follows record 1");
	free(p);
}
END_TEST

START_TEST(test_verify_rewritten_record_breaks_chain)
{
	char	*p, *buf, *q, d[65];
	size_t	 len;

	append3(1);
	/* Forge record 2 with a correct digest of its own, file and row. */
	p = path_of(1);
	buf = slurp(p, &len);
	q = strstr(buf, ATTEMPTS);
	q[strlen(ATTEMPTS)] = '2';
	ck_assert_int_eq(pf_audit_digest(buf, len, d), PF_OK);
	q = strstr(buf, "<digest>");
	memcpy(q + 8, d, 64);
	forge(1, buf, len, d);
	assert_verify_fails(3, "record 3: prev does not match");
	free(buf);
	free(p);
}
END_TEST

/* Sync and verify read the trail in batches; cross their boundaries. */
START_TEST(test_sync_and_verify_span_many_records)
{
	struct pf_audit_record	 r;
	long long		 i, written = -1;
	char			*p = NULL;

	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	for (i = 1; i <= 600; i++) {
		ck_assert_int_eq(pf_audit_append(fx.st, &events[i % 3], &r),
		    PF_OK);
		if (i == 400)
			p = pf_audit_path(fx.audit, r.seq, r.time);
		pf_audit_record_clear(&r);
	}
	ck_assert_int_eq(pf_store_commit(fx.st), PF_OK);
	ck_assert_int_eq(pf_audit_sync(fx.st, fx.audit, &written), PF_OK);
	ck_assert_int_eq(written, 600);
	assert_verify_ok();
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(unlink(p), 0);
	assert_verify_fails(400, "record 400: file missing");
	free(p);
}
END_TEST

/* A comment is outside the digest; file and row changed alike. */
START_TEST(test_verify_refuses_comment_outside_digest)
{
	char	*p, *buf, *q, forged[4096], d[65];
	size_t	 len;

	append3(1);
	p = path_of(1);
	buf = slurp(p, &len);
	q = strstr(buf, "<seq>");
	snprintf(forged, sizeof(forged), "%.*s<!-- ok -->%s", (int)(q - buf),
	    buf, q);
	len = strlen(forged);
	ck_assert_int_eq(pf_audit_digest(forged, len, d), PF_OK);
	ck_assert_str_eq(d, recs[1].digest);
	forge(1, forged, len, d);
	assert_verify_fails(2, "record 2: has a comment");
	free(buf);
	free(p);
}
END_TEST

START_TEST(test_verify_without_schema_cannot_run)
{
	long long	 bad = -1;

	append3(1);
	ck_assert_int_eq(pf_audit_verify(fx.st, fx.audit, "/nonexistent.xsd",
	    NULL, NULL, &bad), PF_ECONFIG);
	ck_assert_int_eq(bad, 0);
}
END_TEST

START_TEST(test_check_takes_a_record_as_verify_does)
{
	static const char	 zeros[] = "0000000000000000000000000000000000"
	    "000000000000000000000000000000";
	struct pf_audit_schema	*s = NULL;
	char			*report = NULL, *bad;
	size_t			 len;
	FILE			*f;

	append3(0);
	ck_assert_int_eq(pf_audit_schema_load(XSD, &s), PF_OK);
	ck_assert_int_eq(pf_audit_check(s, recs[0].xml, recs[0].xml_len, 1,
	    zeros, recs[0].digest, NULL), PF_OK);
	ck_assert_int_eq(pf_audit_check(s, recs[1].xml, recs[1].xml_len, 2,
	    recs[0].digest, recs[1].digest, NULL), PF_OK);
	/* Out of its place in the chain, or changed. */
	ck_assert_int_eq(pf_audit_check(s, recs[1].xml, recs[1].xml_len, 2,
	    zeros, recs[1].digest, NULL), PF_EXML);
	ck_assert_ptr_nonnull(bad = strdup(recs[0].xml));
	memcpy(strstr(bad, ">news<") + 1, "x", 1);
	ck_assert_ptr_nonnull(f = open_memstream(&report, &len));
	ck_assert_int_eq(pf_audit_check(s, bad, recs[0].xml_len, 1, zeros,
	    recs[0].digest, f), PF_EXML);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(report, "record 1: digest does not "
	    "match its content"));
	free(report);
	free(bad);
	pf_audit_schema_free(s);
	pf_audit_schema_free(NULL);
	ck_assert_int_eq(pf_audit_schema_load("/nonexistent.xsd", &s),
	    PF_ECONFIG);
	ck_assert_ptr_null(s);
}
END_TEST

/* ---- consistency across time, checkpoints, the digest over the bytes ---- */

/* Put text (as long as what it replaces) after the first tag in buf. */
static void
set_field(char *buf, const char *tag, const char *text)
{
	char	*q = strstr(buf, tag);

	ck_assert_ptr_nonnull(q);
	memcpy(q + strlen(tag), text, strlen(text));
}

/* Digest buf again and write the digest into its <digest>: out. */
static void
reseal(char *buf, size_t len, char out[65])
{
	ck_assert_int_eq(pf_audit_digest(buf, len, out), PF_OK);
	set_field(buf, "<digest>", out);
}

/*
 * Record i's file with <tag> set to text, sealed again and stored as file
 * and row (a forger with write access to both); *digest the new digest.
 */
static void
forge_field(int i, const char *tag, const char *text, char digest[65])
{
	char	*p = path_of(i), *buf;
	size_t	 len;

	buf = slurp(p, &len);
	set_field(buf, tag, text);
	reseal(buf, len, digest);
	forge(i, buf, len, digest);
	free(buf);
	free(p);
}

/* Record 2 backdated before record 1, file, row and chain made to agree. */
START_TEST(test_verify_time_going_backwards_is_caught)
{
	char	 when[PF_TIME_SIZE], sql[256], d2[65], d3[65];

	append3(1);
	/* Midnight of record 1's day: the same directory, an earlier time. */
	snprintf(when, sizeof(when), "%.10sT00:00:00.000000Z", recs[0].time);
	ck_assert_str_lt(when, recs[0].time);
	forge_field(1, "<time>", when, d2);
	snprintf(sql, sizeof(sql), "UPDATE audit SET time = '%s' WHERE seq = 2",
	    when);
	pf_test_exec(sql);
	forge_field(2, "<prev>", d2, d3);
	assert_verify_fails(2, "record 2: time ");
	assert_verify_fails(2, " is before record 1's");
}
END_TEST

/*
 * Record 2's time moved to another day in its file and the database's
 * copy, sealed again and chained, while the database's time (which names
 * the directory the file is in) stays.
 */
START_TEST(test_verify_time_against_its_day_directory)
{
	char	 d2[65], d3[65];

	append3(1);
	forge_field(1, "<time>", "2999-01-01T00:00:00.000000Z", d2);
	forge_field(2, "<prev>", d2, d3);
	assert_verify_fails(2, "record 2: its time element says "
	    "2999-01-01T00:00:00.000000Z, the database's copy 20");
}
END_TEST

/* The trail extends a checkpoint of its own, at its end or before. */
START_TEST(test_verify_extends_its_checkpoints)
{
	append3(1);
	since_count = 3;
	since_head = recs[2].digest;
	assert_verify_ok();
	since_count = 2;
	since_head = recs[1].digest;
	assert_verify_ok();
}
END_TEST

/* A record removed, file and row, below a checkpoint: what is said. */
static const struct {
	int		 removed;	/* recs[] index */
	long long	 count;		/* the checkpoint's */
	const char	*says;
} cuts[] = {
	/* The last record: the trail is shorter than the checkpoint. */
	{ 2, 3, "the trail does not extend checkpoint 3: the trail ends at "
	    "record 2" },
	/* The checkpoint's last record, while the trail goes on past it. */
	{ 1, 2, "the trail does not extend checkpoint 2: record 2 is missing" },
};

START_TEST(test_verify_cut_below_checkpoint)
{
	char	*p, sql[64];

	append3(1);
	since_count = cuts[_i].count;
	since_head = recs[cuts[_i].count - 1].digest;
	p = path_of(cuts[_i].removed);
	ck_assert_int_eq(unlink(p), 0);
	snprintf(sql, sizeof(sql), "DELETE FROM audit WHERE seq = %d",
	    cuts[_i].removed + 1);
	pf_test_exec(sql);
	assert_verify_fails(cuts[_i].count, cuts[_i].says);
	free(p);
}
END_TEST

/*
 * Record 2 rewritten and sealed again, record 3 chained to it: every
 * record checks out on its own, only the checkpoint's head gives it away.
 */
START_TEST(test_verify_rechained_trail_differs_from_checkpoint)
{
	char	 d2[65], d3[65], *report = NULL;
	long long bad = -1;

	append3(1);
	forge_field(1, ATTEMPTS, "2", d2);
	forge_field(2, "<prev>", d2, d3);
	since_count = 0;
	ck_assert_int_eq(verify(&bad, &report), PF_OK);	/* the chain alone */
	free(report);
	since_count = 2;
	since_head = recs[1].digest;
	assert_verify_fails(2, "the trail does not extend checkpoint 2: "
	    "record 2's digest is ");
	since_count = 3;
	since_head = recs[2].digest;
	assert_verify_fails(3, "the trail does not extend checkpoint 3: "
	    "record 3's digest is ");
}
END_TEST

/*
 * File and database copy edited alike, the digest left as it was: the
 * digest taken over the bytes (they keep privforms' layout) catches it.
 */
START_TEST(test_verify_bytes_digest_catches_edit_without_reseal)
{
	char	*p = NULL, *buf;
	size_t	 len;

	append3(1);
	p = path_of(1);
	buf = slurp(p, &len);
	set_field(buf, ATTEMPTS, "2");
	forge(1, buf, len, recs[1].digest);
	assert_verify_fails(2, "record 2: digest does not match its content");
	free(buf);
	free(p);
}
END_TEST

/* Hex SHA-256 of from[0..n) followed by "</record>". */
static void
bytes_digest(const char *from, size_t n, char out[65])
{
	EVP_MD_CTX	*c = EVP_MD_CTX_new();
	unsigned char	 md[32];
	unsigned int	 len;

	ck_assert_ptr_nonnull(c);
	ck_assert(EVP_DigestInit_ex(c, EVP_sha256(), NULL));
	ck_assert(EVP_DigestUpdate(c, from, n));
	ck_assert(EVP_DigestUpdate(c, "</record>", 9));
	ck_assert(EVP_DigestFinal_ex(c, md, &len));
	EVP_MD_CTX_free(c);
	pf_hex_encode(md, len, out);
}

/*
 * Bytes laid out otherwise than privforms writes them (the attributes of
 * <record> swapped): digested through C14N, as before, so a digest of
 * the canonical form passes and a digest of these very bytes does not.
 */
START_TEST(test_verify_other_layout_digested_through_c14n)
{
	static const char	 swapped[] = "<record version=\"1\" "
	    "xmlns=\"urn:privforms:audit:1\">";
	char			*p = NULL, *buf, *q, d[65];
	size_t			 len, body;

	append3(1);
	p = path_of(1);
	buf = slurp(p, &len);
	q = strstr(buf, "<record ");
	memcpy(q, swapped, strlen(swapped));	/* as long as before */
	forge(1, buf, len, recs[1].digest);
	assert_verify_ok();
	/* sha256 of the bytes from <record to <digest>, then </record>. */
	body = (size_t)(strstr(buf, "<digest>") - q);
	bytes_digest(q, body, d);
	set_field(buf, "<digest>", d);
	forge(1, buf, len, d);
	assert_verify_fails(2, "record 2: digest does not match its content");
	free(buf);
	free(p);
}
END_TEST

/*
 * Escaped text, as privforms wrote it before reasons were codes (a
 * dnc-removed record's free-text reason, which verify notes), checks out
 * over the bytes too.
 */
START_TEST(test_verify_escaped_text_passes)
{
	static const char	 canon[] = "a &amp; b &lt;c&gt; ]]&gt; \"q\" "
				    "'a' caf\xc3\xa9";
	const char *const	 details[] = { "reason", "subject-request", NULL };
	struct pf_audit_event	 ev = { "dnc-removed", "admin", NULL, SUBJ,
	    details };
	char			*p, *buf, *old, *q, digest[65], *report = NULL;
	size_t			 len, n;
	long long		 bad = -1;

	ck_assert_int_eq(pf_store_begin(fx.st), PF_OK);
	ck_assert_int_eq(pf_audit_append(fx.st, &ev, &recs[0]), PF_OK);
	ck_assert_int_eq(pf_store_commit(fx.st), PF_OK);
	ck_assert_int_eq(pf_audit_write(fx.audit, &recs[0]), PF_OK);
	p = path_of(0);
	old = slurp(p, &len);
	q = strstr(old, "subject-request");
	ck_assert_ptr_nonnull(q);
	n = (size_t)(q - old);
	buf = calloc(1, len + sizeof(canon));
	memcpy(buf, old, n);
	memcpy(buf + n, canon, sizeof(canon) - 1);
	memcpy(buf + n + sizeof(canon) - 1, q + 15, len - n - 15);
	len += sizeof(canon) - 1 - 15;
	reseal(buf, len, digest);
	forge(0, buf, len, digest);
	ck_assert_msg(verify(&bad, &report) == PF_OK, "%s", report);
	ck_assert_int_eq(bad, 0);
	ck_assert_ptr_nonnull(strstr(report, "record 1: note: "));
	free(report);
	free(buf);
	free(old);
	free(p);
}
END_TEST

PF_TEST_MAIN("audit",
    pf_test_fixture(tc, PF_TEST_STORE, NULL, NULL, clear_recs),
    tcase_add_test(tc, test_append_writes_exact_record_and_digest),
    tcase_add_test(tc, test_missing_counts_records_without_their_file),
    tcase_add_test(tc, test_check_takes_a_record_as_verify_does),
    tcase_add_test(tc, test_append_chains_three_valid_records),
    tcase_add_test(tc, test_append_then_rollback_records_nothing),
    tcase_add_test(tc, test_detail_free_text_is_refused),
    PF_LOOP(test_append_refuses_bad_text, bad_events),
    PF_LOOP(test_append_accepts_boundary_text, good_events),
    tcase_add_test(tc, test_digest_changes_with_content),
    PF_LOOP(test_digest_refuses_non_records, not_records),
    PF_LOOP(test_path_by_day_and_seq, paths),
    tcase_add_test(tc, test_write_makes_files_and_verify_passes),
    tcase_add_test(tc, test_verify_empty_trail_passes),
    tcase_add_test(tc, test_verify_flipped_byte_names_its_record),
    tcase_add_test(tc, test_verify_broken_xml_stays_off_stderr),
    tcase_add_test(tc, test_verify_missing_file_then_sync_rewrites_it),
    tcase_add_test(tc, test_sync_writes_every_file),
    PF_LOOP(test_verify_reports_extra_file, extra_names),
    tcase_add_test(tc, test_verify_record_removed_from_chain),
    tcase_add_test(tc, test_verify_rewritten_record_breaks_chain),
    tcase_add_test(tc, test_sync_and_verify_span_many_records),
    tcase_add_test(tc, test_verify_refuses_comment_outside_digest),
    tcase_add_test(tc, test_verify_without_schema_cannot_run),
    tcase_add_test(tc, test_verify_time_going_backwards_is_caught),
    tcase_add_test(tc, test_verify_time_against_its_day_directory),
    tcase_add_test(tc, test_verify_extends_its_checkpoints),
    PF_LOOP(test_verify_cut_below_checkpoint, cuts),
    tcase_add_test(tc, test_verify_rechained_trail_differs_from_checkpoint),
    tcase_add_test(tc, test_verify_bytes_digest_catches_edit_without_reseal),
    tcase_add_test(tc, test_verify_other_layout_digested_through_c14n),
    tcase_add_test(tc, test_verify_escaped_text_passes))
