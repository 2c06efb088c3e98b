/*
 * test_checkpoint.c -- signed checkpoints of the audit trail
 * (checkpoint.h): the key, signing, parsing and verifying, the files,
 * rotation and witnesses.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "fixture.h"
#include "checkpoint.h"
#include "err.h"
#include "file.h"
#include "store.h"
#include "txn.h"

#define ORIGIN	"example.com/privforms-audit"
/*
 * A known answer, computed with the openssl command line alone: the
 * PKCS#8 key of seed 00 01 .. 1f, its key id for ORIGIN
 * (sha256sum of ORIGIN, LF, 0x01 and the raw public key), and
 * `openssl pkeyutl -sign -rawin` of the four lines of KAT_NOTE.
 */
#define KAT_KEY	"-----BEGIN PRIVATE KEY-----\n" \
	"MC4CAQAwBQYDK2VwBCIEIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f\n" \
	"-----END PRIVATE KEY-----\n"
#define KAT_PUB	"-----BEGIN PUBLIC KEY-----\n" \
	"MCowBQYDK2VwAyEAA6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=\n" \
	"-----END PUBLIC KEY-----\n"
#define KAT_ID	"e1e48ec2"
#define KAT_HEAD "abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd"
#define KAT_TIME "2026-11-24T06:41:21.709856Z"
#define KAT_NOTE ORIGIN "\n3\nq83vq83vq83vq83vq83vq83vq83vq83vq83vq83vq80=\n" \
	"time " KAT_TIME "\n"
#define KAT_SIG "\xe2\x80\x94 " ORIGIN " 4eSOwnKUd4T+xXxvrHcURIO4oiKQE4q/Ljccd5" \
	"h4X/DzPYGXsX3krP+4rwy94TsVrLkheeiseuwJg4ieIuroqZPZaQc=\n"
#define KAT	KAT_NOTE "\n" KAT_SIG

static char	 keypath[PF_TEST_PATH], keys[PF_TEST_PATH];

static void
setup(void)
{
	pf_test_path(keypath, sizeof(keypath), "audit-signing.key");
	pf_test_path(keys, sizeof(keys), "audit/keys");
}

/* The known-answer key, its public key published in keys. */
static struct pf_checkpoint_key *
kat_key(void)
{
	struct pf_checkpoint_key	*k = NULL;
	char				 pub[PF_TEST_PATH + 16];

	pf_test_write(keypath, KAT_KEY, strlen(KAT_KEY));
	ck_assert_int_eq(chmod(keypath, 0600), 0);
	ck_assert_int_eq(pf_file_mkdirs(keys, 0755), PF_OK);
	snprintf(pub, sizeof(pub), "%s/%s.pem", keys, KAT_ID);
	pf_test_write(pub, KAT_PUB, strlen(KAT_PUB));
	ck_assert_int_eq(pf_checkpoint_key_load(keypath, ORIGIN, &k), PF_OK);
	return k;
}

/* Parse text against keys, the report into out: the result. */
static int
parse(const char *text, size_t len, struct pf_checkpoint *c, char *out,
    size_t size)
{
	FILE	*f = fmemopen(out, size, "w");
	int	 rc;

	ck_assert_ptr_nonnull(f);
	rc = pf_checkpoint_parse(text, len, "CKPT", keys, c, f);
	fclose(f);
	return rc;
}

START_TEST(test_create_makes_a_0600_pkcs8_key_once)
{
	struct stat	 sb;
	char		 a[512], b[512];
	int		 made;

	ck_assert_int_eq(pf_checkpoint_key_create(keypath, &made), PF_OK);
	ck_assert_int_eq(made, 1);
	ck_assert_int_eq(stat(keypath, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0600);
	pf_test_read(keypath, a, sizeof(a));
	ck_assert_ptr_nonnull(strstr(a, "-----BEGIN PRIVATE KEY-----\n"));
	ck_assert_int_eq(pf_checkpoint_key_create(keypath, &made), PF_OK);
	ck_assert_int_eq(made, 0);
	pf_test_read(keypath, b, sizeof(b));
	ck_assert_str_eq(a, b);
}
END_TEST

/* Key files refused: a key others may read, a public key (no private one). */
static const struct {
	const char	*pem;
	mode_t		 mode;
} not_keys[] = {
	{ KAT_KEY, 0640 },
	{ KAT_PUB, 0600 },
	{ "", 0600 },
};

START_TEST(test_load_refuses_what_is_no_signing_key)
{
	struct pf_checkpoint_key	*k = NULL;

	pf_test_write(keypath, not_keys[_i].pem, strlen(not_keys[_i].pem));
	ck_assert_int_eq(chmod(keypath, not_keys[_i].mode), 0);
	ck_assert_int_eq(pf_checkpoint_key_load(keypath, ORIGIN, &k),
	    PF_ECONFIG);
	ck_assert_ptr_null(k);
}
END_TEST

START_TEST(test_key_id_and_signature_are_the_known_answer)
{
	struct pf_checkpoint_key	*k = kat_key();
	struct pf_checkpoint		 c = { .count = 3 };
	char				*text = NULL;
	size_t				 len;

	ck_assert_str_eq(pf_checkpoint_key_id(k), KAT_ID);
	strcpy(c.head, KAT_HEAD);
	strcpy(c.time, KAT_TIME);
	ck_assert_int_eq(pf_checkpoint_sign(k, &c, &text, &len), PF_OK);
	ck_assert_str_eq(text, KAT);
	ck_assert_uint_eq(len, strlen(KAT));
	ck_assert_str_eq(c.origin, ORIGIN);
	ck_assert_str_eq(c.keyid, KAT_ID);
	free(text);
	pf_checkpoint_key_free(k);
}
END_TEST

START_TEST(test_parse_reads_back_what_was_signed)
{
	struct pf_checkpoint_key	*k = NULL;
	struct pf_checkpoint		 c = { .count = 0 }, back;
	char				*text = NULL, report[512];
	size_t				 len;
	int				 made;

	ck_assert_int_eq(pf_checkpoint_key_create(keypath, &made), PF_OK);
	ck_assert_int_eq(pf_checkpoint_key_load(keypath, ORIGIN, &k), PF_OK);
	ck_assert_int_eq(pf_file_mkdirs(keys, 0755), PF_OK);
	ck_assert_int_eq(pf_checkpoint_publish(k, fx.audit), PF_OK);
	memset(c.head, '0', 64);
	pf_utc_now(c.time);
	ck_assert_int_eq(pf_checkpoint_sign(k, &c, &text, &len), PF_OK);
	ck_assert_int_eq(parse(text, len, &back, report, sizeof(report)), PF_OK);
	ck_assert_str_eq(back.origin, ORIGIN);
	ck_assert_int_eq(back.count, 0);
	ck_assert_str_eq(back.head, c.head);
	ck_assert_str_eq(back.time, c.time);
	ck_assert_str_eq(back.keyid, pf_checkpoint_key_id(k));
	free(text);
	pf_checkpoint_key_free(k);
}
END_TEST

/* A change to the known answer, and what the report must say. */
static const struct {
	const char	*from, *to;	/* the first from in KAT becomes to */
	int		 rc;
	const char	*says;
} tampered[] = {
	{ "\n3\n", "\n4\n", PF_EINVAL, "line 6: the signature does not verify" },
	{ "q80=", "q84=", PF_EINVAL, "line 6: the signature does not verify" },
	{ "21.709856Z", "21.709857Z", PF_EINVAL, "signature does not verify" },
	{ "4eSOwnKU", "4eSOwnKV", PF_EINVAL, "signature does not verify" },
	{ "ZaQc=", "ZaQd=", PF_EINVAL, "line 6: the signature must be" },
	/* Another key id: no such public key. */
	{ "4eSOwn", "5eSOwn", PF_ENOTFOUND, "signed by key e5e48ec2" },
	{ "\n3\n", "\n03\n", PF_EINVAL, "line 2: the record count" },
	{ "\n3\n", "\n3x\n", PF_EINVAL, "line 2: the record count" },
	{ "\n3\n", "\n-3\n", PF_EINVAL, "line 2: the record count" },
	{ "q80=\n", "q80\n", PF_EINVAL, "line 3: the head digest" },
	{ "q80=\n", "q8==\n", PF_EINVAL, "line 3: the head digest" },
	{ "q80=\n", "q81=\n", PF_EINVAL, "line 3: the head digest" },
	{ "time ", "time  ", PF_EINVAL, "line 4: must be \"time \"" },
	{ "56Z\n", "56\n", PF_EINVAL, "line 4" },
	{ "T06:", "T26:", PF_EINVAL, "line 4" },
	{ "\n\n\xe2\x80\x94", "\nx\n\xe2\x80\x94", PF_EINVAL, "line 5: must be empty" },
	{ "\xe2\x80\x94 ", "- ", PF_EINVAL, "line 6: a signature line starts" },
	{ "\xe2\x80\x94 example.com", "\xe2\x80\x94 example.org", PF_EINVAL,
	  "key named other than the origin" },
	{ "ZaQc=\n", "ZaQc=\r\n", PF_EINVAL, "has a CR" },
	{ "\n3\n", "\r\n3\n", PF_EINVAL, "has a CR" },
	{ "ZaQc=\n", "ZaQc=\n\n", PF_EINVAL, "line 7: more after the signature" },
	{ "ZaQc=\n", "ZaQc=\n\xe2\x80\x94 other 4eSOwn\n", PF_EINVAL,
	  "more after the signature line" },
	{ "ZaQc=\n", "ZaQc=", PF_EINVAL, "truncated: 5 complete lines" },
	{ "\n\n\xe2\x80\x94", "\n", PF_EINVAL, "truncated: 5 complete lines" },
	{ "example.com/privforms-audit\n3", "example.com/privforms audit\n3",
	  PF_EINVAL, "line 1: not an origin" },
};

START_TEST(test_parse_refuses_a_changed_checkpoint)
{
	struct pf_checkpoint_key	*k = kat_key();
	struct pf_checkpoint		 c;
	char				 text[1024], report[512];
	const char			*at;
	size_t				 n;

	at = strstr(KAT, tampered[_i].from);
	ck_assert_ptr_nonnull(at);
	n = (size_t)(at - KAT);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)n, KAT, tampered[_i].to,
	    at + strlen(tampered[_i].from));
	ck_assert_int_eq(parse(text, strlen(text), &c, report, sizeof(report)),
	    tampered[_i].rc);
	ck_assert_msg(strstr(report, tampered[_i].says) != NULL,
	    "row %d: %s", _i, report);
	ck_assert_ptr_nonnull(strstr(report, "CKPT: "));
	pf_checkpoint_key_free(k);
}
END_TEST

START_TEST(test_parse_refuses_every_truncation)
{
	struct pf_checkpoint_key	*k = kat_key();
	struct pf_checkpoint		 c;
	char				 report[512];
	size_t				 n;

	for (n = 0; n < strlen(KAT); n++)
		ck_assert_int_ne(parse(KAT, n, &c, report, sizeof(report)),
		    PF_OK);
	ck_assert_int_eq(parse(KAT, strlen(KAT), &c, report, sizeof(report)),
	    PF_OK);
	ck_assert_int_eq(c.count, 3);
	ck_assert_str_eq(c.head, KAT_HEAD);
	ck_assert_str_eq(c.keyid, KAT_ID);
	pf_checkpoint_key_free(k);
}
END_TEST

START_TEST(test_parse_refuses_a_key_file_of_another_key)
{
	struct pf_checkpoint_key	*k = kat_key();
	struct pf_checkpoint		 c;
	char				 report[512], other[PF_TEST_PATH + 16];
	int				 made;
	struct pf_checkpoint_key	*o = NULL;

	/* Another key's public key under the known answer's id. */
	snprintf(other, sizeof(other), "%s/other.key", fx.dir);
	ck_assert_int_eq(pf_checkpoint_key_create(other, &made), PF_OK);
	ck_assert_int_eq(pf_checkpoint_key_load(other, ORIGIN, &o), PF_OK);
	ck_assert_int_eq(pf_checkpoint_publish(o, fx.audit), PF_OK);
	snprintf(report, sizeof(report), "%s/%s.pem", keys,
	    pf_checkpoint_key_id(o));
	snprintf(other, sizeof(other), "%s/%s.pem", keys, KAT_ID);
	ck_assert_int_eq(rename(report, other), 0);
	ck_assert_int_eq(parse(KAT, strlen(KAT), &c, report, sizeof(report)),
	    PF_EINVAL);
	ck_assert_ptr_nonnull(strstr(report, "not the " KAT_ID " that the "
	    "signature names"));
	pf_checkpoint_key_free(o);
	pf_checkpoint_key_free(k);
}
END_TEST

/* One audit record, committed and written. */
static void
append(const char *event)
{
	struct pf_txn	 t;

	ck_assert_int_eq(pf_txn_begin(&t, fx.st, fx.audit, "admin"), PF_OK);
	ck_assert_int_eq(pf_txn_audit(&t, NULL, event, NULL, NULL), PF_OK);
	ck_assert_int_eq(pf_txn_commit(&t), PF_OK);
}

/* The checkpoint of the trail now: made or not. */
static int
make(struct pf_checkpoint_key *k, struct pf_checkpoint *c)
{
	int	 made = -1;

	ck_assert_int_eq(pf_checkpoint_make(fx.st, fx.audit, k, c, &made), PF_OK);
	return made;
}

START_TEST(test_make_writes_a_checkpoint_only_when_the_trail_grew)
{
	struct pf_checkpoint_key	*k = kat_key();
	struct pf_checkpoint		 c, again, back;
	char				 path[PF_TEST_PATH + 32], a[1100], b[1100];
	long long			 seq;
	char				 digest[65];

	ck_assert_int_eq(make(k, &c), 1);
	ck_assert_int_eq(c.count, 0);
	ck_assert_int_eq(make(k, &again), 0);
	ck_assert_str_eq(again.time, c.time);
	append("vote-clients-forgotten");
	append("vote-clients-forgotten");
	ck_assert_int_eq(make(k, &c), 1);
	ck_assert_int_eq(pf_store_audit_last(fx.st, &seq, digest), PF_OK);
	ck_assert_int_eq(c.count, seq);
	ck_assert_str_eq(c.head, digest);
	snprintf(path, sizeof(path), "%s/checkpoints/%012lld.txt", fx.audit, seq);
	ck_assert_int_eq(pf_checkpoint_read(path, keys, &back, stderr), PF_OK);
	ck_assert_str_eq(back.head, digest);
	pf_test_read(path, a, sizeof(a));
	snprintf(path, sizeof(path), "%s/checkpoints/latest.txt", fx.audit);
	pf_test_read(path, b, sizeof(b));
	ck_assert_str_eq(a, b);
	snprintf(path, sizeof(path), "%s/checkpoints/000000000000.txt", fx.audit);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(make(k, &again), 0);
	pf_checkpoint_key_free(k);
}
END_TEST

/*
 * Trails that are not what their checkpoints say: records appended, then
 * the known answer (3 records, another head) put in as checkpoint file.
 * The latest says 3 records where the trail has 1 (cut short); the
 * checkpoint of 3 records has another head (rewritten).
 */
static const struct { int records; const char *file; } rewritten[] = {
	{ 1, "latest.txt" }, { 3, "000000000003.txt" },
};

START_TEST(test_make_refuses_a_trail_its_checkpoints_do_not_describe)
{
	struct pf_checkpoint_key	*k = kat_key();
	struct pf_checkpoint		 c;
	char				 path[PF_TEST_PATH + 32];
	char				 id[PF_CHECKPOINT_KEYID_SIZE];
	int				 i, made;

	for (i = 0; i < rewritten[_i].records; i++)
		append("vote-clients-forgotten");
	snprintf(path, sizeof(path), "%s/checkpoints", fx.audit);
	ck_assert_int_eq(pf_file_mkdirs(path, 0755), PF_OK);
	snprintf(path, sizeof(path), "%s/checkpoints/%s", fx.audit,
	    rewritten[_i].file);
	pf_test_write(path, KAT, strlen(KAT));
	ck_assert_int_eq(pf_checkpoint_make(fx.st, fx.audit, k, &c, &made),
	    PF_EINVAL);
	ck_assert_int_eq(made, 0);
	/* Nor does the old key vouch for it by a rotation. */
	ck_assert_int_eq(pf_checkpoint_rotate(fx.st, fx.audit, keypath, ORIGIN,
	    "alice", &c, id), PF_EINVAL);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM audit WHERE "
	    "event = 'audit-key-rotated'"), 0);
	pf_checkpoint_key_free(k);
}
END_TEST

/*
 * A trail checkpointed under one name, signed under another (base_url
 * moved, audit_origin empty): the same key has another id under it,
 * which no rotation record announced.  Refused, and nothing published.
 */
START_TEST(test_make_and_rotate_refuse_another_origin)
{
	struct pf_checkpoint_key	*k = kat_key(), *other = NULL;
	struct pf_checkpoint		 c;
	char				 id[PF_CHECKPOINT_KEYID_SIZE];
	char				 pem[PF_TEST_PATH + 32];
	int				 made;

	ck_assert_int_eq(make(k, &c), 1);
	append("vote-clients-forgotten");
	ck_assert_int_eq(pf_checkpoint_key_load(keypath,
	    "moved.example/privforms-audit", &other), PF_OK);
	ck_assert_int_eq(pf_checkpoint_make(fx.st, fx.audit, other, &c, &made),
	    PF_EINVAL);
	ck_assert_int_eq(made, 0);
	snprintf(pem, sizeof(pem), "%s/%s.pem", keys,
	    pf_checkpoint_key_id(other));
	ck_assert_int_eq(access(pem, F_OK), -1);
	ck_assert_int_eq(pf_checkpoint_rotate(fx.st, fx.audit, keypath,
	    "moved.example/privforms-audit", "alice", &c, id), PF_EINVAL);
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM audit WHERE "
	    "event = 'audit-key-rotated'"), 0);
	/* Under its own name the trail goes on. */
	ck_assert_int_eq(make(k, &c), 1);
	pf_checkpoint_key_free(other);
	pf_checkpoint_key_free(k);
}
END_TEST

START_TEST(test_rotate_records_and_signs_with_the_old_key)
{
	struct pf_checkpoint_key	*k = kat_key(), *now = NULL;
	struct pf_checkpoint		 c;
	char				 id[PF_CHECKPOINT_KEYID_SIZE];
	char				 pem[PF_TEST_PATH + 32], want[512];
	long long			 seq;
	char				 digest[65];

	append("vote-clients-forgotten");
	ck_assert_int_eq(pf_checkpoint_rotate(fx.st, fx.audit, keypath, ORIGIN,
	    "alice", &c, id), PF_OK);
	ck_assert_int_eq(pf_store_audit_last(fx.st, &seq, digest), PF_OK);
	ck_assert_int_eq(seq, 2);
	ck_assert_int_eq(c.count, 2);
	ck_assert_str_eq(c.head, digest);
	ck_assert_str_eq(c.keyid, KAT_ID);
	ck_assert_str_ne(id, KAT_ID);
	/* The record names both keys and who rotated them. */
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM audit WHERE "
	    "seq = 2 AND event = 'audit-key-rotated' AND form = 'admin'"), 1);
	snprintf(want, sizeof(want), "SELECT count(*) FROM audit WHERE seq = 2 "
	    "AND instr(CAST(xml AS TEXT), '<detail name=\"old-key\">%s</detail>"
	    "<detail name=\"new-key\">%s</detail>"
	    "<detail name=\"operator\">alice</detail>') > 0", KAT_ID, id);
	ck_assert_int_eq(pf_test_count(want), 1);
	/* Its checkpoint verifies under the old key. */
	snprintf(pem, sizeof(pem), "%s/checkpoints/000000000002.txt", fx.audit);
	ck_assert_int_eq(pf_checkpoint_read(pem, keys, &c, stderr), PF_OK);
	ck_assert_str_eq(c.keyid, KAT_ID);
	/* The new key is the current one; both public keys are published. */
	ck_assert_int_eq(pf_checkpoint_key_load(keypath, ORIGIN, &now), PF_OK);
	ck_assert_str_eq(pf_checkpoint_key_id(now), id);
	snprintf(pem, sizeof(pem), "%s/%s.pem", keys, id);
	ck_assert_int_eq(access(pem, F_OK), 0);
	snprintf(pem, sizeof(pem), "%s/%s.pem", keys, KAT_ID);
	ck_assert_int_eq(access(pem, F_OK), 0);
	snprintf(pem, sizeof(pem), "%s.new", keypath);
	ck_assert_int_eq(access(pem, F_OK), -1);
	pf_checkpoint_key_free(now);
	pf_checkpoint_key_free(k);
}
END_TEST

/*
 * A rotation that stopped after its record, before the new key was put
 * in place (its key left at KEY.new), while the trail went on: run again,
 * it finishes that one, with its key and its record, and announces no
 * second key.
 */
START_TEST(test_rotate_again_finishes_the_one_that_stopped)
{
	struct pf_checkpoint_key	*k = kat_key(), *next = NULL, *now = NULL;
	struct pf_checkpoint		 c;
	struct pf_txn			 t;
	char				 id[PF_CHECKPOINT_KEYID_SIZE];
	char				 tmp[PF_TEST_PATH + 8];
	char				 latest[PF_TEST_PATH + 32];
	const char			*details[] = { "old-key", KAT_ID,
					    "new-key", NULL, NULL };
	int				 made;

	snprintf(tmp, sizeof(tmp), "%s.new", keypath);
	ck_assert_int_eq(pf_checkpoint_key_create(tmp, &made), PF_OK);
	ck_assert_int_eq(pf_checkpoint_key_load(tmp, ORIGIN, &next), PF_OK);
	details[3] = pf_checkpoint_key_id(next);
	ck_assert_int_eq(pf_txn_begin(&t, fx.st, fx.audit, "admin"), PF_OK);
	ck_assert_int_eq(pf_txn_audit(&t, NULL, "audit-key-rotated", NULL,
	    details), PF_OK);
	ck_assert_int_eq(pf_txn_commit(&t), PF_OK);
	append("vote-clients-forgotten");
	/* The timer signed the trail meanwhile, with the old key. */
	ck_assert_int_eq(make(k, &c), 1);
	ck_assert_int_eq(c.count, 2);
	ck_assert_int_eq(pf_checkpoint_rotate(fx.st, fx.audit, keypath, ORIGIN,
	    "alice", &c, id), PF_OK);
	ck_assert_str_eq(id, pf_checkpoint_key_id(next));
	ck_assert_int_eq(pf_test_count("SELECT count(*) FROM audit WHERE "
	    "event = 'audit-key-rotated'"), 1);
	/* The checkpoint by the old key ends at the rotation's record. */
	ck_assert_int_eq(c.count, 1);
	ck_assert_str_eq(c.keyid, KAT_ID);
	/* latest.txt stays the newest. */
	snprintf(latest, sizeof(latest), "%s/checkpoints/latest.txt", fx.audit);
	ck_assert_int_eq(pf_checkpoint_read(latest, keys, &c, stderr), PF_OK);
	ck_assert_int_eq(c.count, 2);
	ck_assert_int_eq(pf_checkpoint_key_load(keypath, ORIGIN, &now), PF_OK);
	ck_assert_str_eq(pf_checkpoint_key_id(now), id);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	pf_checkpoint_key_free(now);
	pf_checkpoint_key_free(next);
	pf_checkpoint_key_free(k);
}
END_TEST

START_TEST(test_witness_copies_once_and_never_replaces)
{
	struct pf_checkpoint_key	*k = kat_key();
	struct pf_checkpoint		 c;
	char				 w[PF_TEST_PATH], path[PF_TEST_PATH + 32];
	char				 a[1100], b[1100];
	int				 n;

	pf_test_path(w, sizeof(w), "witness");
	ck_assert_int_eq(mkdir(w, 0700), 0);
	append("vote-clients-forgotten");
	ck_assert_int_eq(make(k, &c), 1);
	ck_assert_int_eq(pf_checkpoint_witness(fx.audit, w, &c, &n), PF_OK);
	ck_assert_int_eq(n, 2);
	snprintf(path, sizeof(path), "%s/000000000001.txt", w);
	pf_test_read(path, a, sizeof(a));
	snprintf(path, sizeof(path), "%s/checkpoints/000000000001.txt", fx.audit);
	pf_test_read(path, b, sizeof(b));
	ck_assert_str_eq(a, b);
	snprintf(path, sizeof(path), "%s/%s.pem", w, KAT_ID);
	pf_test_read(path, a, sizeof(a));
	ck_assert_str_eq(a, KAT_PUB);
	ck_assert_int_eq(pf_checkpoint_witness(fx.audit, w, &c, &n), PF_OK);
	ck_assert_int_eq(n, 0);
	/* A witness holding another checkpoint of that count keeps it. */
	snprintf(path, sizeof(path), "%s/000000000001.txt", w);
	pf_test_write(path, KAT, strlen(KAT));
	ck_assert_int_eq(pf_checkpoint_witness(fx.audit, w, &c, &n), PF_EINVAL);
	pf_test_read(path, a, sizeof(a));
	ck_assert_str_eq(a, KAT);
	pf_checkpoint_key_free(k);
}
END_TEST

/* Origins (key names) taken, then refused. */
static const char *const origins_ok[] = {
	"example.com/privforms-audit", "privacy.example.com", "[::1]/x",
};
static const char *const origins_bad[] = {
	"", "a b", "a+b", "a\tb", "a\nb", "\xff",
};

START_TEST(test_origin_ok)
{
	size_t	 i;

	for (i = 0; i < nitems(origins_ok); i++)
		ck_assert_msg(pf_checkpoint_origin_ok(origins_ok[i]), "%s",
		    origins_ok[i]);
	for (i = 0; i < nitems(origins_bad); i++)
		ck_assert_msg(!pf_checkpoint_origin_ok(origins_bad[i]), "%s",
		    origins_bad[i]);
}
END_TEST

PF_TEST_MAIN("checkpoint",
    pf_test_fixture(tc, PF_TEST_STORE, NULL, setup, NULL),
    tcase_add_test(tc, test_create_makes_a_0600_pkcs8_key_once),
    PF_LOOP(test_load_refuses_what_is_no_signing_key, not_keys),
    tcase_add_test(tc, test_key_id_and_signature_are_the_known_answer),
    tcase_add_test(tc, test_parse_reads_back_what_was_signed),
    PF_LOOP(test_parse_refuses_a_changed_checkpoint, tampered),
    tcase_add_test(tc, test_parse_refuses_every_truncation),
    tcase_add_test(tc, test_parse_refuses_a_key_file_of_another_key),
    tcase_add_test(tc, test_make_writes_a_checkpoint_only_when_the_trail_grew),
    PF_LOOP(test_make_refuses_a_trail_its_checkpoints_do_not_describe,
	rewritten),
    tcase_add_test(tc, test_make_and_rotate_refuse_another_origin),
    tcase_add_test(tc, test_rotate_records_and_signs_with_the_old_key),
    tcase_add_test(tc, test_rotate_again_finishes_the_one_that_stopped),
    tcase_add_test(tc, test_witness_copies_once_and_never_replaces),
    tcase_add_test(tc, test_origin_ok))
