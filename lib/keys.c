/*
 * keys.c -- the secret key file and the subkeys derived from it (keys.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "algos.h"
#include "err.h"
#include "file.h"
#include "hex.h"
#include "keys.h"
#include "log.h"

#define HEX_KEY_LEN (2 * PF_KEY_LEN)
#define LABEL_TOKEN "privforms token key v1"
#define LABEL_PSEUDONYM "privforms pseudonym key v1"
#define LABEL_POW "privforms pow key v1"

/*
 * A worker HMACs under a handful of keys all its life (the token,
 * pseudonym and proof-of-work subkeys, each form's key), and keying a
 * context hashes the key's two pads: about a third of one of our short
 * HMACs.  So a context is kept per key, keyed once, and started over
 * with the key it holds (EVP_MAC_init with a NULL key, EVP_MAC-HMAC(7)).
 * KEYED of them, the oldest keyed again when another key comes, so a
 * caller with many keys costs what it did with one context.  The keys
 * kept are those the callers hold, or HMACs of them, for the process's
 * life.  One request at a time per process, and pf_hmac finishes with
 * its context before it returns: no lock.
 */
#define KEYED 8

struct keyed {
	unsigned char	 key[PF_KEY_LEN];
	EVP_MAC_CTX	*ctx;		/* keyed with key; NULL: not yet */
};

/* A new HMAC-SHA256 context, its digest set: NULL if libcrypto fails. */
static EVP_MAC_CTX *
hmac_new(void)
{
	EVP_MAC_CTX	*ctx;
	OSSL_PARAM	 params[2];

	if (pf_algos()->hmac == NULL ||
	    (ctx = EVP_MAC_CTX_new(pf_algos()->hmac)) == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_CTX_set_params(ctx, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * The context for key, started: the one kept for it, or the oldest slot's
 * keyed with it.  NULL if libcrypto fails (the slot is then left unkeyed,
 * so that a failed keying is never taken for a key).
 */
static EVP_MAC_CTX *
hmac_ctx(const unsigned char key[PF_KEY_LEN])
{
	static struct keyed	 kept[KEYED];
	static size_t		 oldest;
	struct keyed		*k;
	size_t			 i;

	for (i = 0; i < KEYED; i++) {
		k = &kept[i];
		if (k->ctx != NULL &&
		    CRYPTO_memcmp(k->key, key, PF_KEY_LEN) == 0)
			break;
	}
	if (i < KEYED && EVP_MAC_init(k->ctx, NULL, 0, NULL))
		return k->ctx;
	if (i == KEYED) {
		k = &kept[oldest];
		oldest = (oldest + 1) % KEYED;
	}
	if (k->ctx == NULL && (k->ctx = hmac_new()) == NULL)
		return NULL;
	if (!EVP_MAC_init(k->ctx, key, PF_KEY_LEN, NULL)) {
		EVP_MAC_CTX_free(k->ctx);
		k->ctx = NULL;
		return NULL;
	}
	memcpy(k->key, key, PF_KEY_LEN);
	return k->ctx;
}

int
pf_hmac(const unsigned char key[PF_KEY_LEN], const struct pf_bytes *parts,
    size_t n, unsigned char out[PF_KEY_LEN])
{
	EVP_MAC_CTX	*ctx;
	size_t		 i, outlen = 0;

	if ((ctx = hmac_ctx(key)) == NULL)
		return PF_ECRYPTO;
	for (i = 0; i < n; i++)
		if (!EVP_MAC_update(ctx, parts[i].p, parts[i].len))
			return PF_ECRYPTO;
	if (EVP_MAC_final(ctx, out, &outlen, PF_KEY_LEN) &&
	    outlen == PF_KEY_LEN)
		return PF_OK;
	return PF_ECRYPTO;
}

/* A subkey: pf_hmac of label under the master key. */
static int
subkey(const unsigned char master[PF_KEY_LEN], const char *label,
    unsigned char out[PF_KEY_LEN])
{
	const struct pf_bytes	 part = { label, strlen(label) };

	return pf_hmac(master, &part, 1, out);
}

int
pf_keys_write_secret(const char *path, const void *buf, size_t len, int *made)
{
	int	 fd, rc = PF_OK;

	*made = 0;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1 && errno == EEXIST)
		return PF_OK;
	if (fd == -1) {
		pf_log(PF_LOG_ERR, "%s: %s", path, strerror(errno));
		return PF_EIO;
	}
	if (pf_file_write_all(fd, buf, len) != PF_OK || fsync(fd) == -1) {
		pf_log(PF_LOG_ERR, "%s: %s", path, strerror(errno));
		rc = PF_EIO;
	}
	if (close(fd) == -1 && rc == PF_OK) {
		pf_log(PF_LOG_ERR, "%s: %s", path, strerror(errno));
		rc = PF_EIO;
	}
	/* A half-written key must not be taken for a key on the next run. */
	if (rc != PF_OK)
		unlink(path);
	*made = rc == PF_OK;
	return rc;
}

int
pf_keys_create(const char *path)
{
	unsigned char	 key[PF_KEY_LEN];
	char		 hex[HEX_KEY_LEN + 2];
	int		 rc, made;

	if ((rc = pf_random(key, sizeof(key))) == PF_OK) {
		pf_hex_encode(key, sizeof(key), hex);
		hex[HEX_KEY_LEN] = '\n';
		rc = pf_keys_write_secret(path, hex, HEX_KEY_LEN + 1, &made);
	}
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(hex, sizeof(hex));
	return rc;
}

/*
 * Open the key file itself, never through a link (someone who can point a
 * link at a file of their own would choose our key), and not waiting on a
 * FIFO.  The descriptor, or -1 said.
 */
static int
open_key(const char *path, int *rc)
{
	int	 fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd != -1)
		return fd;
	err = errno;	/* pf_log may change it */
	if (err == ELOOP) {
		pf_log(PF_LOG_ERR, "%s: a symbolic link: the key is read only "
		    "from the file itself; put the file there in its place "
		    "(mv \"$(readlink -f %s)\" %s)", path, path, path);
		*rc = PF_ECONFIG;
	} else {
		pf_log(PF_LOG_ERR, "%s: %s", path, strerror(err));
		*rc = err == ENOENT ? PF_ENOTFOUND : PF_EIO;
	}
	return -1;
}

/*
 * Is st, the key file's, one only we can have written and only we can
 * read?  A regular file of our user's (or root's), with no permission
 * beyond 0600: privforms init makes it so, and the programs and the
 * admin command all run as that user.  Else said, with what to run.
 */
static int
key_file_ok(const char *path, const struct stat *st)
{
	unsigned long	 me = (unsigned long)geteuid();

	if (!S_ISREG(st->st_mode)) {
		pf_log(PF_LOG_ERR, "%s: not a regular file", path);
		return 0;
	}
	if (st->st_uid != geteuid() && st->st_uid != 0) {
		pf_log(PF_LOG_ERR, "%s: owned by uid %lu, not by uid %lu, which "
		    "privforms runs as here: run privforms as the key's owner, "
		    "or give the key to this user (chown %lu %s)", path,
		    (unsigned long)st->st_uid, me, me, path);
		return 0;
	}
	if ((st->st_mode & 07777 & ~(mode_t)0600) != 0) {
		pf_log(PF_LOG_ERR, "%s: mode %04o: group or others may access "
		    "the key file, or it has bits a key never needs; chmod 600 "
		    "%s", path, (unsigned)(st->st_mode & 07777), path);
		return 0;
	}
	return 1;
}

int
pf_keys_read_secret(const char *path, void *buf, size_t size, size_t *len)
{
	struct stat	 st;
	ssize_t		 n;
	int		 fd, rc = PF_ECONFIG;

	*len = 0;
	if ((fd = open_key(path, &rc)) == -1)
		return rc;
	if (fstat(fd, &st) == -1 || !key_file_ok(path, &st))
		goto done;
	while (*len < size &&
	    (n = read(fd, (char *)buf + *len, size - *len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			pf_log(PF_LOG_ERR, "%s: %s", path, strerror(errno));
			rc = PF_EIO;
			goto done;
		}
		*len += (size_t)n;
	}
	rc = PF_OK;
done:
	close(fd);
	return rc;
}

/*
 * Read the key file into key: exactly 64 hex digits, optionally followed by
 * one newline, in a file key_file_ok accepts.
 */
static int
read_master(const char *path, unsigned char key[PF_KEY_LEN])
{
	char		 buf[HEX_KEY_LEN + 2];
	size_t		 len = 0, i;
	int		 rc;

	if ((rc = pf_keys_read_secret(path, buf, sizeof(buf), &len)) != PF_OK)
		goto done;
	rc = PF_ECONFIG;
	if (len != HEX_KEY_LEN && !(len == HEX_KEY_LEN + 1 &&
	    buf[HEX_KEY_LEN] == '\n')) {
		pf_log(PF_LOG_ERR, "%s: not %d hex digits", path, HEX_KEY_LEN);
		goto done;
	}
	for (i = 0; i < PF_KEY_LEN; i++) {
		if (pf_hex_value(buf[2 * i]) < 0 || pf_hex_value(buf[2 * i + 1]) < 0) {
			pf_log(PF_LOG_ERR, "%s: not %d hex digits", path,
			    HEX_KEY_LEN);
			goto done;
		}
		key[i] = (unsigned char)(pf_hex_value(buf[2 * i]) << 4 |
		    pf_hex_value(buf[2 * i + 1]));
	}
	rc = PF_OK;
done:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int
pf_keys_load(const char *path, struct pf_keys *out)
{
	unsigned char	 master[PF_KEY_LEN];
	int		 rc;

	if ((rc = read_master(path, master)) == PF_OK &&
	    (rc = subkey(master, LABEL_TOKEN, out->token)) == PF_OK &&
	    (rc = subkey(master, LABEL_PSEUDONYM, out->pseudonym)) == PF_OK)
		rc = subkey(master, LABEL_POW, out->pow);
	OPENSSL_cleanse(master, sizeof(master));
	if (rc != PF_OK)
		OPENSSL_cleanse(out, sizeof(*out));
	return rc;
}

int
pf_pseudonym(const struct pf_keys *keys, const char *kind, const char *value,
    char out[PF_HEX_DIGEST_LEN + 1])
{
	unsigned char	 mac[PF_KEY_LEN];
	struct pf_bytes	 parts[3];
	int		 rc;

	out[0] = '\0';
	/* A ':' in kind would make "a:b" + "c" collide with "a" + "b:c". */
	if (kind == NULL || *kind == '\0' || strchr(kind, ':') != NULL ||
	    value == NULL)
		return PF_EINVAL;
	parts[0] = (struct pf_bytes){ kind, strlen(kind) };
	parts[1] = (struct pf_bytes){ ":", 1 };
	parts[2] = (struct pf_bytes){ value, strlen(value) };
	if ((rc = pf_hmac(keys->pseudonym, parts, 3, mac)) == PF_OK)
		pf_hex_encode(mac, sizeof(mac), out);
	return rc;
}

/*
 * The process's one SHA-256 context, as hmac_ctx: each digest only starts
 * it again, where EVP_Digest makes and frees a context every time.
 */
static EVP_MD_CTX *
sha256_ctx(void)
{
	static EVP_MD_CTX	*ctx;

	if (ctx == NULL)
		ctx = EVP_MD_CTX_new();
	return ctx;
}

int
pf_sha256_hex(const void *buf, size_t len, char out[PF_HEX_DIGEST_LEN + 1])
{
	EVP_MD_CTX	*ctx = sha256_ctx();
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;

	out[0] = '\0';
	if (ctx == NULL || pf_algos()->sha256 == NULL ||
	    !EVP_DigestInit_ex2(ctx, pf_algos()->sha256, NULL) ||
	    !EVP_DigestUpdate(ctx, buf, len) ||
	    !EVP_DigestFinal_ex(ctx, md, &mdlen) ||
	    mdlen != PF_HEX_DIGEST_LEN / 2)
		return PF_ECRYPTO;
	pf_hex_encode(md, mdlen, out);
	return PF_OK;
}

int
pf_random(void *buf, size_t len)
{
	if (len > INT_MAX)
		return PF_EINVAL;
	if (RAND_bytes(buf, (int)len) != 1)
		return PF_ECRYPTO;
	return PF_OK;
}
