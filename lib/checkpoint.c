/*
 * checkpoint.c -- the signing key, signing, and the checkpoint files
 * (checkpoint.h).  Reading and verifying is checkpoint_read.c's.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "checkpoint.h"
#include "checkpoint_impl.h"
#include "err.h"
#include "file.h"
#include "hex.h"
#include "keys.h"
#include "log.h"
#include "store.h"
#include "txn.h"
#include "utf8.h"

#define KEY_FILE_MAX	4096	/* an Ed25519 PEM is about 120 bytes */

struct pf_checkpoint_key {
	EVP_PKEY	*pkey;
	char		 name[PF_CHECKPOINT_ORIGIN_MAX + 1];
	char		 id[PF_CHECKPOINT_KEYID_SIZE];
};

int
pf_checkpoint_origin_ok(const char *s)
{
	size_t	 n = strlen(s);

	return n > 0 && n <= PF_CHECKPOINT_ORIGIN_MAX && pf_utf8_graphic(s) &&
	    strchr(s, '+') == NULL;
}

int
ckpt_key_id(const char *name, EVP_PKEY *pkey, char hex[9])
{
	unsigned char	 raw[CKPT_RAW_PUB];
	char		*buf, digest[65];
	size_t		 n = strlen(name), len = sizeof(raw);
	int		 rc = PF_ECRYPTO;

	if (!EVP_PKEY_is_a(pkey, "ED25519") ||
	    !EVP_PKEY_get_raw_public_key(pkey, raw, &len) || len != sizeof(raw))
		return PF_ECRYPTO;
	if ((buf = malloc(n + 2 + sizeof(raw))) == NULL)
		return PF_ENOMEM;
	memcpy(buf, name, n);
	buf[n] = '\n';
	buf[n + 1] = 0x01;	/* the signature type: Ed25519 */
	memcpy(buf + n + 2, raw, sizeof(raw));
	if (pf_sha256_hex(buf, n + 2 + sizeof(raw), digest) == PF_OK) {
		memcpy(hex, digest, 2 * CKPT_ID);
		hex[2 * CKPT_ID] = '\0';
		rc = PF_OK;
	}
	free(buf);
	return rc;
}

void
ckpt_b64(const unsigned char *in, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

char *
ckpt_path(const char *dir, const char *sub, const char *name)
{
	size_t	 n = strlen(dir) + (sub ? strlen(sub) : 0) + strlen(name) + 3;
	char	*s;

	if ((s = malloc(n)) != NULL)
		snprintf(s, n, "%s/%s%s%s", dir, sub ? sub : "", sub ? "/" : "",
		    name);
	return s;
}

int
ckpt_read_file(const char *path, char *buf, size_t size, size_t *len)
{
	FILE	*f;
	int	 rc = PF_OK;

	if ((f = fopen(path, "re")) == NULL)
		return PF_EIO;
	*len = fread(buf, 1, size, f);
	if (ferror(f))
		rc = PF_EIO;
	fclose(f);
	return rc;
}

/* ---- the key ---- */

/* The PEM that bio holds, as pf_keys_write_secret writes it. */
static int
write_bio(const char *path, BIO *bio, int *made)
{
	char	*p;
	long	 n;

	if ((n = BIO_get_mem_data(bio, &p)) <= 0)
		return PF_ECRYPTO;
	return pf_keys_write_secret(path, p, (size_t)n, made);
}

/* A new Ed25519 key, written to path (mode 0600) unless path exists. */
static int
new_key(const char *path, EVP_PKEY **out, int *made)
{
	EVP_PKEY	*pkey;
	BIO		*bio;
	int		 rc = PF_ECRYPTO;

	*made = 0;
	if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL)
		return PF_ECRYPTO;
	/* Secure memory: the PEM is the private key. */
	if ((bio = BIO_new(BIO_s_secmem())) != NULL &&
	    PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL))
		rc = write_bio(path, bio, made);
	BIO_free(bio);
	if (rc == PF_OK && out != NULL)
		*out = pkey;
	else
		EVP_PKEY_free(pkey);
	return rc;
}

int
pf_checkpoint_key_create(const char *path, int *made)
{
	return new_key(path, NULL, made);
}

/* Never ask for a passphrase: the key is read by a timer, unattended. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

/* k for pkey (taken over) named origin. */
static int
key_new(EVP_PKEY *pkey, const char *origin, struct pf_checkpoint_key **out)
{
	struct pf_checkpoint_key	*k;
	int				 rc;

	if (!pf_checkpoint_origin_ok(origin)) {
		EVP_PKEY_free(pkey);
		return PF_EINVAL;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		EVP_PKEY_free(pkey);
		return PF_ENOMEM;
	}
	k->pkey = pkey;
	snprintf(k->name, sizeof(k->name), "%s", origin);
	if ((rc = ckpt_key_id(origin, pkey, k->id)) != PF_OK) {
		pf_checkpoint_key_free(k);
		return rc;
	}
	*out = k;
	return PF_OK;
}

int
pf_checkpoint_key_load(const char *path, const char *origin,
    struct pf_checkpoint_key **out)
{
	EVP_PKEY	*pkey = NULL;
	BIO		*bio;
	char		 buf[KEY_FILE_MAX];
	size_t		 len;
	int		 rc;

	*out = NULL;
	if ((rc = pf_keys_read_secret(path, buf, sizeof(buf), &len)) != PF_OK)
		return rc;
	if ((bio = BIO_new_mem_buf(buf, (int)len)) != NULL)
		pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (pkey == NULL || !EVP_PKEY_is_a(pkey, "ED25519")) {
		pf_log(PF_LOG_ERR, "%s: not an unencrypted Ed25519 private key "
		    "in PEM (openssl genpkey -algorithm ed25519 makes one)",
		    path);
		EVP_PKEY_free(pkey);
		return PF_ECONFIG;
	}
	return key_new(pkey, origin, out);
}

void
pf_checkpoint_key_free(struct pf_checkpoint_key *k)
{
	if (k != NULL)
		EVP_PKEY_free(k->pkey);
	free(k);
}

const char *
pf_checkpoint_key_id(const struct pf_checkpoint_key *k)
{
	return k->id;
}

/* ---- files that are never replaced ---- */

/* Does path hold exactly buf[0..len)?  PF_OK, PF_EINVAL or PF_EIO. */
static int
same_bytes(const char *path, const char *buf, size_t len)
{
	char	 old[PF_CHECKPOINT_MAX + 1];
	size_t	 got;

	if (ckpt_read_file(path, old, sizeof(old), &got) != PF_OK)
		return PF_EIO;
	return got == len && memcmp(old, buf, len) == 0 ? PF_OK : PF_EINVAL;
}

/*
 * Create path with buf[0..len), mode mode, all or nothing: written and
 * synced under a temporary name, then linked to path, which fails if path
 * exists.  Then a file with the same bytes is fine (*made 0), another is
 * PF_EINVAL (logged).  PF_EIO (logged) when it cannot be written.
 */
static int
create_once(const char *path, const char *buf, size_t len, mode_t mode,
    int *made)
{
	char	*tmp;
	size_t	 n = strlen(path) + sizeof(".XXXXXX.tmp");
	int	 fd, rc = PF_OK;

	*made = 0;
	if ((tmp = malloc(n)) == NULL)
		return PF_ENOMEM;
	snprintf(tmp, n, "%s.XXXXXX.tmp", path);
	if ((fd = mkstemps(tmp, 4)) == -1) {
		pf_log(PF_LOG_ERR, "%s: %s", path, strerror(errno));
		free(tmp);
		return PF_EIO;
	}
	if (fchmod(fd, mode) == -1 || pf_file_write_all(fd, buf, len) != PF_OK ||
	    fsync(fd) == -1)
		rc = PF_EIO;
	else if (link(tmp, path) == 0)
		*made = 1;
	else
		rc = errno == EEXIST ? same_bytes(path, buf, len) : PF_EIO;
	if (rc == PF_EIO)
		pf_log(PF_LOG_ERR, "%s: %s", path, strerror(errno));
	else if (rc == PF_EINVAL)
		pf_log(PF_LOG_ERR, "%s: there already, with other contents: "
		    "left as it is", path);
	close(fd);
	unlink(tmp);
	free(tmp);
	if (*made && pf_file_sync_dir(path) != PF_OK)
		pf_log(PF_LOG_WARN, "%s: directory not synced: %s", path,
		    strerror(errno));
	return rc;
}

/* The public key's PEM (SubjectPublicKeyInfo) into a new bio. */
static BIO *
public_pem(EVP_PKEY *pkey)
{
	BIO	*bio;

	if ((bio = BIO_new(BIO_s_mem())) != NULL &&
	    !PEM_write_bio_PUBKEY(bio, pkey)) {
		BIO_free(bio);
		bio = NULL;
	}
	return bio;
}

/* The directory dir/sub, made if missing (mode 0755 less the umask). */
static int
subdir(const char *dir, const char *sub)
{
	char	*p;
	int	 rc = PF_ENOMEM;

	if ((p = ckpt_path(dir, NULL, sub)) != NULL &&
	    (rc = pf_file_mkdirs(p, 0755)) != PF_OK)
		pf_log(PF_LOG_ERR, "%s: %s", p, strerror(errno));
	free(p);
	return rc;
}

/* pkey's public key (SPKI PEM) as dir/sub/<id>.pem, never replaced. */
static int
put_key(EVP_PKEY *pkey, const char *id, const char *dir, const char *sub,
    int *made)
{
	BIO	*bio = NULL;
	char	*path, name[PF_CHECKPOINT_KEYID_SIZE + 4], *p;
	long	 n;
	int	 rc = PF_ENOMEM;

	snprintf(name, sizeof(name), "%s.pem", id);
	if ((path = ckpt_path(dir, sub, name)) == NULL)
		return PF_ENOMEM;
	if ((bio = public_pem(pkey)) == NULL)
		rc = PF_ECRYPTO;
	else if ((n = BIO_get_mem_data(bio, &p)) > 0)
		rc = create_once(path, p, (size_t)n, 0644, made);
	BIO_free(bio);
	free(path);
	return rc;
}

int
pf_checkpoint_publish(const struct pf_checkpoint_key *k, const char *audit_dir)
{
	int	 rc, made;

	if ((rc = subdir(audit_dir, CKPT_KEYS)) != PF_OK)
		return rc;
	return put_key(k->pkey, k->id, audit_dir, CKPT_KEYS, &made);
}

/* ---- signing ---- */

/* hex (64 digits) as 32 bytes: 1, or 0 if it is not hex. */
static int
unhex(const char *hex, unsigned char out[CKPT_HEAD])
{
	size_t	 i;
	int	 hi, lo;

	if (strlen(hex) != 2 * CKPT_HEAD)
		return 0;
	for (i = 0; i < CKPT_HEAD; i++) {
		if ((hi = pf_hex_value(hex[2 * i])) < 0 ||
		    (lo = pf_hex_value(hex[2 * i + 1])) < 0)
			return 0;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 1;
}

/* Ed25519 over msg[0..len) into sig: EVP_DigestSign with no digest. */
static int
ed25519_sign(EVP_PKEY *pkey, const char *msg, size_t len,
    unsigned char sig[CKPT_SIG])
{
	EVP_MD_CTX	*ctx;
	size_t		 n = CKPT_SIG;
	int		 ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return PF_ENOMEM;
	ok = EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
	    EVP_DigestSign(ctx, sig, &n, (const unsigned char *)msg, len) == 1 &&
	    n == CKPT_SIG;
	EVP_MD_CTX_free(ctx);
	return ok ? PF_OK : PF_ECRYPTO;
}

int
pf_checkpoint_sign(const struct pf_checkpoint_key *k, struct pf_checkpoint *c,
    char **text, size_t *len)
{
	unsigned char	 head[CKPT_HEAD], blob[CKPT_ID + CKPT_SIG];
	char		 head64[4 * (CKPT_HEAD + 2) / 3 + 1];
	char		 sig64[4 * (sizeof(blob) + 2) / 3 + 1];
	char		*note = NULL;
	size_t		 i, n;
	int		 rc;

	*text = NULL;
	if (c->count < 0 || !unhex(c->head, head))
		return PF_EINVAL;
	snprintf(c->origin, sizeof(c->origin), "%s", k->name);
	snprintf(c->keyid, sizeof(c->keyid), "%s", k->id);
	ckpt_b64(head, sizeof(head), head64);
	n = strlen(c->origin) + strlen(head64) + strlen(c->time) + 32;
	if ((note = malloc(n + sizeof(CKPT_DASH) + strlen(k->name) +
	    sizeof(sig64) + 16)) == NULL)
		return PF_ENOMEM;
	n = (size_t)snprintf(note, n, "%s\n%lld\n%s\ntime %s\n", c->origin,
	    c->count, head64, c->time);
	for (i = 0; i < CKPT_ID; i++)
		blob[i] = (unsigned char)(pf_hex_value(k->id[2 * i]) << 4 |
		    pf_hex_value(k->id[2 * i + 1]));
	if ((rc = ed25519_sign(k->pkey, note, n, blob + CKPT_ID)) != PF_OK) {
		free(note);
		return rc;
	}
	ckpt_b64(blob, sizeof(blob), sig64);
	*len = n + (size_t)sprintf(note + n, "\n" CKPT_DASH "%s %s\n", k->name,
	    sig64);
	*text = note;
	return PF_OK;
}

/* ---- the files of the checkpoints ---- */

/*
 * Hold the checkpoints directory (made if missing) locked for one
 * checkpoint or rotation at a time, so that two runs (the timer and an
 * operator) never sign the same count twice nor put an older checkpoint
 * in latest.txt after a newer one.  The descriptor to unlock(), or -1.
 */
static int
lock_dir(const char *audit_dir)
{
	char	*p;
	int	 fd = -1;

	if (subdir(audit_dir, CKPT_DIR) != PF_OK ||
	    subdir(audit_dir, CKPT_KEYS) != PF_OK)
		return -1;
	if ((p = ckpt_path(audit_dir, NULL, CKPT_DIR)) == NULL)
		return -1;
	if ((fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    flock(fd, LOCK_EX) == -1) {
		pf_log(PF_LOG_ERR, "%s: %s", p, strerror(errno));
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	free(p);
	return fd;
}

static void
unlock(int fd)
{
	if (fd != -1)
		close(fd);
}

/* "NNNNNNNNNNNN.txt": the file name of checkpoint count. */
static void
ckpt_name(long long count, char name[32])
{
	snprintf(name, 32, "%012lld.txt", count);
}

char *
pf_checkpoint_path(const char *audit_dir, long long count)
{
	char	 name[32];

	ckpt_name(count, name);
	return ckpt_path(audit_dir, CKPT_DIR, name);
}

/* Checkpoint count of audit_dir, read and verified into c. */
static int
read_existing(const char *audit_dir, const char *name, struct pf_checkpoint *c)
{
	char	*path, *keys;
	int	 rc = PF_ENOMEM;

	path = ckpt_path(audit_dir, CKPT_DIR, name);
	keys = ckpt_path(audit_dir, NULL, CKPT_KEYS);
	if (path != NULL && keys != NULL)
		rc = access(path, F_OK) == -1 ? PF_ENOTFOUND :
		    pf_checkpoint_read(path, keys, c, stderr);
	free(path);
	free(keys);
	return rc;
}

/*
 * Is the trail (count records, the last with digest head) the one the
 * checkpoints describe, under the name origin?  Not if the latest has
 * more records, nor if the one of this count has another head.  Nor if
 * the latest names the trail otherwise: the key id depends on the name,
 * so a new one (base_url moved to another host, audit_origin left empty)
 * would publish a key id no rotation record announced, which witnesses
 * holding the old one cannot verify.  PF_OK (*have: that one exists,
 * into c), or PF_EINVAL said.
 */
static int
trail_matches(const char *audit_dir, const char *origin, long long count,
    const char *head, struct pf_checkpoint *c, int *have)
{
	struct pf_checkpoint	 latest;
	char			 name[32];
	int			 rc;

	*have = 0;
	if (read_existing(audit_dir, CKPT_LATEST, &latest) != PF_OK)
		latest.count = -1;	/* none yet, or unreadable: said */
	else if (strcmp(latest.origin, origin) != 0) {
		pf_log(PF_LOG_ERR, "the latest checkpoint names the trail %s, "
		    "the configuration %s: set audit_origin = %s to keep its "
		    "name (witnesses know its key by it)", latest.origin,
		    origin, latest.origin);
		return PF_EINVAL;
	}
	if (latest.count > count) {
		pf_log(PF_LOG_ERR, "the audit trail has %lld records, fewer "
		    "than the %lld of the latest checkpoint: records were "
		    "removed (privforms audit verify)", count, latest.count);
		return PF_EINVAL;
	}
	ckpt_name(count, name);
	if ((rc = read_existing(audit_dir, name, c)) == PF_ENOTFOUND)
		return PF_OK;
	if (rc == PF_OK && strcmp(c->head, head) != 0) {
		pf_log(PF_LOG_ERR, "checkpoint %s says record %lld has digest "
		    "%s, the trail has %s: the record was rewritten "
		    "(privforms audit verify)", name, count, c->head, head);
		return PF_EINVAL;
	}
	*have = rc == PF_OK;
	return rc;
}

/* The trail's head now, and trail_matches of it: into count and head. */
static int
check_trail(struct pf_store *st, const char *audit_dir, const char *origin,
    long long *count, char head[65], struct pf_checkpoint *c, int *have)
{
	int	 rc;

	if ((rc = pf_store_audit_last(st, count, head)) != PF_OK)
		return rc;
	return trail_matches(audit_dir, origin, *count, head, c, have);
}

/*
 * Write text as checkpoint c's file, then as latest.txt unless that one
 * counts more records: a rotation finished late signs an older count
 * than checkpoints made meanwhile, and latest.txt is the newest.
 */
static int
write_checkpoint(const char *audit_dir, const struct pf_checkpoint *c,
    const char *text, size_t len)
{
	struct pf_checkpoint	 now;
	char			 name[32], *path, *latest;
	int			 rc = PF_ENOMEM, made;

	ckpt_name(c->count, name);
	path = ckpt_path(audit_dir, CKPT_DIR, name);
	latest = ckpt_path(audit_dir, CKPT_DIR, CKPT_LATEST);
	if (path != NULL && latest != NULL &&
	    (rc = create_once(path, text, len, 0644, &made)) == PF_OK &&
	    !(read_existing(audit_dir, CKPT_LATEST, &now) == PF_OK &&
	    now.count > c->count) &&
	    (rc = pf_file_replace(latest, text, len, 0644)) != PF_OK)
		pf_log(PF_LOG_ERR, "%s: %s", latest, strerror(errno));
	free(path);
	free(latest);
	return rc;
}

/* Sign count and head now with k, and write it: into out. */
static int
sign_and_write(const char *audit_dir, const struct pf_checkpoint_key *k,
    long long count, const char *head, struct pf_checkpoint *out)
{
	char	*text = NULL;
	size_t	 len;
	int	 rc;

	memset(out, 0, sizeof(*out));
	out->count = count;
	snprintf(out->head, sizeof(out->head), "%s", head);
	pf_utc_now(out->time);
	if ((rc = pf_checkpoint_sign(k, out, &text, &len)) == PF_OK)
		rc = write_checkpoint(audit_dir, out, text, len);
	free(text);
	return rc;
}

int
pf_checkpoint_make(struct pf_store *st, const char *audit_dir,
    const struct pf_checkpoint_key *k, struct pf_checkpoint *out, int *made)
{
	char		 head[65];
	long long	 count;
	int		 fd, rc, have;

	*made = 0;
	if ((fd = lock_dir(audit_dir)) == -1)
		return PF_EIO;
	if ((rc = check_trail(st, audit_dir, k->name, &count, head, out,
	    &have)) == PF_OK &&
	    (rc = pf_checkpoint_publish(k, audit_dir)) == PF_OK &&
	    !have && (rc = sign_and_write(audit_dir, k, count, head, out)) ==
	    PF_OK)
		*made = 1;
	unlock(fd);
	return rc;
}

/* ---- rotation ---- */

/*
 * The rotation's record, committed.  The details are the two key ids,
 * which are public.
 */
static int
record_rotation(struct pf_store *st, const char *audit_dir,
    const char *operator, const char *old_id, const char *new_id)
{
	const char	*details[] = { "old-key", old_id, "new-key", new_id,
			    NULL };
	struct pf_txn	 t;
	int		 rc;

	if ((rc = pf_txn_begin(&t, st, audit_dir, "admin")) != PF_OK)
		return rc;
	t.operator = operator;
	return pf_txn_audit_commit(&t, NULL, "audit-key-rotated", NULL,
	    details);
}

/*
 * The new key: the one a rotation that stopped half-way left at tmp (it
 * may have been announced already), or a new one there.
 */
static int
next_key(const char *tmp, const char *origin, struct pf_checkpoint_key **k)
{
	EVP_PKEY	*pkey = NULL;
	int		 rc, made;

	if (access(tmp, F_OK) == 0 &&
	    pf_checkpoint_key_load(tmp, origin, k) == PF_OK)
		return PF_OK;
	unlink(tmp);	/* half-written, or not a key: never used */
	if ((rc = new_key(tmp, &pkey, &made)) != PF_OK)
		return rc;
	return key_new(pkey, origin, k);
}

/* The last rotation record, and whether it names want's two keys. */
struct announced {
	char		 want[128];
	struct pf_checkpoint *c;	/* its count and head, when it does */
	int		 found;
};

static int
announced_row(const struct pf_audit_row *r, void *arg)
{
	struct announced	*a = arg;
	char			*xml;

	if ((xml = strndup(r->xml, r->xml_len)) == NULL)
		return PF_ENOMEM;
	a->found = strstr(xml, a->want) != NULL;
	free(xml);
	if (a->found) {
		a->c->count = r->seq;
		snprintf(a->c->head, sizeof(a->c->head), "%s", r->digest);
	}
	return 0;
}

/*
 * Record the rotation from old to k into c, unless the last rotation
 * record already says it (a run that stopped before the rename): then c
 * is that record, so that a second run announces no second key.
 */
static int
record_once(struct pf_store *st, const char *audit_dir, const char *operator,
    const struct pf_checkpoint_key *old, const struct pf_checkpoint_key *k,
    struct pf_checkpoint *c)
{
	struct announced	 a = { "", c, 0 };
	int			 rc;

	snprintf(a.want, sizeof(a.want), "<detail name=\"old-key\">%s</detail>"
	    "<detail name=\"new-key\">%s</detail>", old->id, k->id);
	/* PostgreSQL: a record left pending is one of the trail (audit.h). */
	if ((rc = pf_audit_seal(st, NULL)) != PF_OK)
		return rc;
	rc = pf_store_audit_last_of(st, "audit-key-rotated", announced_row, &a);
	if (rc != PF_OK && rc != PF_ENOTFOUND)
		return rc;
	if (a.found)
		return PF_OK;
	/*
	 * The record's seq and digest are read back after the commit: on
	 * PostgreSQL it has them only once sealed (audit.h, Sealing).
	 */
	if ((rc = record_rotation(st, audit_dir, operator, old->id, k->id)) !=
	    PF_OK)
		return rc;
	rc = pf_store_audit_last_of(st, "audit-key-rotated", announced_row, &a);
	return rc == PF_OK && !a.found ? PF_ESTORE : rc;
}

/* c's checkpoint by k, unless that run wrote it already: into out. */
static int
sign_once(const char *audit_dir, const struct pf_checkpoint_key *k,
    const struct pf_checkpoint *c, struct pf_checkpoint *out)
{
	char	 name[32];

	ckpt_name(c->count, name);
	if (read_existing(audit_dir, name, out) == PF_OK &&
	    strcmp(out->head, c->head) == 0 && strcmp(out->keyid, k->id) == 0)
		return PF_OK;
	return sign_and_write(audit_dir, k, c->count, c->head, out);
}

/* The rotation's steps once the old key is loaded and the dir locked. */
static int
rotate(struct pf_store *st, const char *audit_dir, const char *key_path,
    const char *tmp, const struct pf_checkpoint_key *old, const char *operator,
    struct pf_checkpoint *out, char new_id[PF_CHECKPOINT_KEYID_SIZE])
{
	struct pf_checkpoint_key	*k = NULL;
	struct pf_checkpoint		 c;
	char				 head[65];
	long long			 count;
	int				 rc, have;

	/* The old key vouches only for a trail its checkpoints describe. */
	if ((rc = check_trail(st, audit_dir, old->name, &count, head, &c,
	    &have)) != PF_OK)
		return rc;
	if ((rc = next_key(tmp, old->name, &k)) != PF_OK)
		goto done;
	snprintf(new_id, PF_CHECKPOINT_KEYID_SIZE, "%s", k->id);
	memset(&c, 0, sizeof(c));
	if ((rc = pf_checkpoint_publish(old, audit_dir)) != PF_OK ||
	    (rc = pf_checkpoint_publish(k, audit_dir)) != PF_OK ||
	    (rc = record_once(st, audit_dir, operator, old, k, &c)) != PF_OK ||
	    (rc = sign_once(audit_dir, old, &c, out)) != PF_OK)
		goto done;
	if (rename(tmp, key_path) == -1 || pf_file_sync_dir(key_path) != PF_OK) {
		pf_log(PF_LOG_ERR, "%s: %s", key_path, strerror(errno));
		rc = PF_EIO;
	}
done:
	pf_checkpoint_key_free(k);
	return rc;
}

int
pf_checkpoint_rotate(struct pf_store *st, const char *audit_dir,
    const char *key_path, const char *origin, const char *operator,
    struct pf_checkpoint *out, char new_id[PF_CHECKPOINT_KEYID_SIZE])
{
	struct pf_checkpoint_key	*old = NULL;
	char				*tmp;
	int				 fd, rc;

	/* The new key is written beside the old one, then renamed over it. */
	if ((tmp = malloc(strlen(key_path) + sizeof(".new"))) == NULL)
		return PF_ENOMEM;
	sprintf(tmp, "%s.new", key_path);
	if ((rc = pf_checkpoint_key_load(key_path, origin, &old)) != PF_OK) {
		free(tmp);
		return rc;
	}
	if ((fd = lock_dir(audit_dir)) == -1)
		rc = PF_EIO;
	else
		rc = rotate(st, audit_dir, key_path, tmp, old, operator, out,
		    new_id);
	unlock(fd);
	pf_checkpoint_key_free(old);
	free(tmp);
	return rc;
}

/* ---- witnesses ---- */

int
pf_checkpoint_witness(const char *audit_dir, const char *witness_dir,
    const struct pf_checkpoint *c, int *copied)
{
	char		 names[2][32];
	char		*from = NULL, *to = NULL, buf[PF_CHECKPOINT_MAX + 1];
	const char	*subs[2] = { CKPT_KEYS, CKPT_DIR };
	size_t		 i, len;
	int		 rc = PF_OK, made;

	*copied = 0;
	snprintf(names[0], sizeof(names[0]), "%s.pem", c->keyid);
	ckpt_name(c->count, names[1]);
	for (i = 0; i < 2 && rc == PF_OK; i++) {
		from = ckpt_path(audit_dir, subs[i], names[i]);
		to = ckpt_path(witness_dir, NULL, names[i]);
		if (from == NULL || to == NULL)
			rc = PF_ENOMEM;
		else if (ckpt_read_file(from, buf, sizeof(buf), &len) != PF_OK) {
			pf_log(PF_LOG_ERR, "%s: %s", from, strerror(errno));
			rc = PF_EIO;
		} else if ((rc = create_once(to, buf, len, 0644, &made)) ==
		    PF_OK)
			*copied += made;
		free(from);
		free(to);
	}
	return rc;
}
