/*
 * keys.h -- the secret key and what is derived from it.
 *
 * The key file holds 32 random bytes as 64 hex digits and a newline; it is
 * created by privforms init with mode 0600 and never leaves the machine.
 * Separate subkeys are derived per purpose with HMAC-SHA256 (key, label), so a
 * token key can never be used to compute pseudonyms and vice versa.
 */
#ifndef PF_KEYS_H
#define PF_KEYS_H

#include <stddef.h>

#define PF_KEY_LEN 32
#define PF_HEX_DIGEST_LEN 64	/* hex SHA-256, without the NUL */

struct pf_keys {
	unsigned char token[PF_KEY_LEN];	/* signs links in mails (token.h) */
	unsigned char pseudonym[PF_KEY_LEN];	/* subject pseudonyms in audit records */
	unsigned char pow[PF_KEY_LEN];		/* signs proof-of-work challenges (pow.h) */
};

/*
 * Create path with a fresh random key, mode 0600, unless it exists already
 * (then it is left alone and PF_OK returned: safe to run twice).
 */
int pf_keys_create(const char *path);

/*
 * Read path and derive the subkeys.  Refuses (PF_ECONFIG) a symbolic link
 * (the file is opened with O_NOFOLLOW: whoever can point a link at a file
 * of theirs would choose the key), anything but a regular file (a FIFO is
 * not waited on), a file owned by anyone but the user we run as or root,
 * one with any mode bit beyond 0600 (group or others, execute, set-id,
 * sticky), or one that is not 64 hex digits (and one optional newline);
 * PF_ENOTFOUND if it does not exist, PF_EIO if it cannot be read.  The
 * reason, with the path and the chmod or chown that fixes it, goes to the
 * log.  The master key itself is wiped once derived.
 */
int pf_keys_load(const char *path, struct pf_keys *out);

/*
 * The keyed pseudonym of a subject: hex HMAC-SHA256 under keys->pseudonym of
 * "kind:value", where value is already normalised (lower-case email, E.164
 * phone).  out receives 64 hex digits and a NUL.  kind must be non-empty and
 * without ':' (PF_EINVAL), so that "kind:value" is unambiguous.
 */
int pf_pseudonym(const struct pf_keys *keys, const char *kind, const char *value,
    char out[PF_HEX_DIGEST_LEN + 1]);

/*
 * The secret files (this key, and checkpoint.h's signing key) are made and
 * read alike.  pf_keys_write_secret creates path with buf[0..len), mode
 * 0600, never through a link, synced before it returns; an existing path is
 * left alone (PF_OK, *made 0); a failure (logged, PF_EIO) leaves no file.
 * pf_keys_read_secret reads up to size bytes of path into buf (*len) with
 * pf_keys_load's checks of the file (link, type, owner, mode), its errors
 * and messages; the caller wipes buf.
 */
int pf_keys_write_secret(const char *path, const void *buf, size_t len,
    int *made);
int pf_keys_read_secret(const char *path, void *buf, size_t size, size_t *len);

/* A piece of a message: len bytes at p. */
struct pf_bytes {
	const void	*p;
	size_t		 len;
};

/*
 * HMAC-SHA256 under key[PF_KEY_LEN] of parts[0..n), one after the other:
 * out receives PF_KEY_LEN bytes.  The pieces are fed one by one, so that
 * no copy of a (possibly personal) message is made.  The one HMAC path of
 * privforms (subkeys, pseudonyms, tokens, proof-of-work signatures and
 * per-form keys): OpenSSL's EVP_MAC, its algorithm fetched once per
 * process, since a fetch costs more than hashing our short inputs, and a
 * context kept per key (the last few), keyed once, since keying one
 * costs a third of a short HMAC.
 * PF_OK or PF_ECRYPTO.
 */
int pf_hmac(const unsigned char key[PF_KEY_LEN], const struct pf_bytes *parts,
    size_t n, unsigned char out[PF_KEY_LEN]);

/* Lower-case hex SHA-256 of buf[0..len); out receives 64 digits and a NUL. */
int pf_sha256_hex(const void *buf, size_t len, char out[PF_HEX_DIGEST_LEN + 1]);

/* Fill buf with len random bytes from libcrypto's CSPRNG. */
int pf_random(void *buf, size_t len);

#endif
