/*
 * checkpoint_impl.h -- what the checkpoint module's two files share.
 *
 * PRIVATE to lib/checkpoint.c (the key, signing, the files) and
 * lib/checkpoint_read.c (parsing and verifying); everyone else uses
 * checkpoint.h.
 */
#ifndef PF_CHECKPOINT_IMPL_H
#define PF_CHECKPOINT_IMPL_H

#include <stddef.h>

#include <openssl/evp.h>

#define CKPT_DASH	"\xe2\x80\x94 "	/* U+2014 EM DASH and a space */
#define CKPT_RAW_PUB	32		/* an Ed25519 public key */
#define CKPT_SIG	64		/* an Ed25519 signature */
#define CKPT_ID		4		/* a key id's bytes */
#define CKPT_HEAD	32		/* a digest's bytes */
#define CKPT_KEYS	"keys"		/* under the audit directory */
#define CKPT_DIR	"checkpoints"
#define CKPT_LATEST	"latest.txt"

/*
 * The key id of an Ed25519 public key named name (C2SP signed-note: the
 * first 4 bytes of SHA-256(name, LF, 0x01, the raw key)) as 8 hex digits
 * in hex.  PF_OK, PF_ECRYPTO (pkey is not Ed25519) or PF_ENOMEM.
 */
int ckpt_key_id(const char *name, EVP_PKEY *pkey, char hex[9]);

/*
 * in[0..n) as standard padded base64 into out (4 * ((n + 2) / 3) + 1
 * bytes, NUL-terminated): EVP_EncodeBlock.
 */
void ckpt_b64(const unsigned char *in, size_t n, char *out);

/*
 * s[0..len) as the base64 of exactly want bytes, written in exactly the
 * form ckpt_b64 writes it (so one value has one text): 1 with out[0..want)
 * set, or 0.  want is at most 96.
 */
int ckpt_unb64(const char *s, size_t len, unsigned char *out, size_t want);

/* A new string: dir "/" sub "/" name (sub may be NULL), or NULL. */
char *ckpt_path(const char *dir, const char *sub, const char *name);

/* Up to size bytes of path into buf, *len of them: PF_OK or PF_EIO. */
int ckpt_read_file(const char *path, char *buf, size_t size, size_t *len);

#endif
