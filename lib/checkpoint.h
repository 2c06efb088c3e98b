/*
 * checkpoint.h -- signed checkpoints of the audit trail.
 *
 * A hash chain proves nothing once its head can be replaced: whoever runs
 * the host could rewrite the last records and the database alike.  A
 * checkpoint is a statement, signed with an Ed25519 key of its own (not the
 * secret key of keys.h), that the trail had COUNT records and its last one
 * had digest HEAD at TIME; copies held off the host (witnesses) let an
 * auditor catch any later rewrite or truncation.  The text is a C2SP
 * signed note whose body is like a tlog checkpoint (UTF-8, LF line ends):
 *
 *	<origin>
 *	<count, decimal, no leading zero>
 *	<head: base64 (padded) of the 32 raw bytes of the last digest; zeros for 0>
 *	time <YYYY-MM-DDTHH:MM:SS.ffffffZ>
 *	<empty line>
 *	\u2014 <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>
 *
 * The signature covers the four lines above the empty one, each with its
 * LF.  The key name is the origin (config key audit_origin).  The key id is
 * the first 4 bytes of SHA-256(name || 0x0A || 0x01 || raw public key), and
 * is written as 8 lower-case hex digits wherever a file or a record names
 * a key.  AUDIT.md shows an auditor how to check one with openssl alone.
 *
 * The files, under the audit directory AUDIT_DIR:
 *	keys/<keyid>.pem		each public key ever used (SPKI PEM); never removed
 *	checkpoints/<count, 12 digits>.txt	one per count; never replaced
 *	checkpoints/latest.txt		a copy of the newest (temporary file, rename)
 * Everything is done through OpenSSL's EVP interface; nothing here knows
 * the configuration: callers pass its paths and the origin.  Each function
 * returns PF_OK or an err.h code; what went wrong is logged (log.h) or, for
 * the reader, written to its report.
 */
#ifndef PF_CHECKPOINT_H
#define PF_CHECKPOINT_H

#include <stdio.h>

#include "utc.h"

struct pf_store;

#define PF_CHECKPOINT_KEYID_SIZE	9	/* 8 hex digits and a NUL */
#define PF_CHECKPOINT_ORIGIN_MAX	255	/* bytes of an origin */
#define PF_CHECKPOINT_MAX		1024	/* bytes of a checkpoint file */

/* What a checkpoint says; the reader fills all of it, the signer all but keyid. */
struct pf_checkpoint {
	char		 origin[PF_CHECKPOINT_ORIGIN_MAX + 1];
	long long	 count;
	char		 head[65];	/* lower-case hex of the last digest */
	char		 time[PF_TIME_SIZE];
	char		 keyid[PF_CHECKPOINT_KEYID_SIZE];
};

/*
 * 1 if s may be an origin (and so a key name): 1 to PF_CHECKPOINT_ORIGIN_MAX
 * bytes of UTF-8 without spaces, control characters or '+' (C2SP
 * signed-note's rule for key names).
 */
int pf_checkpoint_origin_ok(const char *s);

/* ---- the signing key ---- */

struct pf_checkpoint_key;	/* a private key, its name and id */

/*
 * Create path with a new Ed25519 private key (PEM, PKCS#8), mode 0600,
 * unless it exists (*made 0; it is left alone).  keys.h's
 * pf_keys_write_secret does the writing.
 */
int pf_checkpoint_key_create(const char *path, int *made);

/*
 * Read path (refused, as keys.h's key file is, when it is a link, not a
 * regular file, someone else's, or open beyond 0600: PF_ECONFIG, said in
 * the log; PF_ENOTFOUND when missing) as an Ed25519 key named origin.  *out
 * is the caller's, freed with pf_checkpoint_key_free (which accepts NULL).
 */
int pf_checkpoint_key_load(const char *path, const char *origin,
    struct pf_checkpoint_key **out);
void pf_checkpoint_key_free(struct pf_checkpoint_key *k);

/* k's key id, 8 hex digits; points into k. */
const char *pf_checkpoint_key_id(const struct pf_checkpoint_key *k);

/*
 * Write k's public key as AUDIT_DIR/keys/<keyid>.pem (mode 0644) unless it
 * is there already with the same bytes.  PF_EINVAL (logged) when a
 * different file has that name: nothing is replaced.
 */
int pf_checkpoint_publish(const struct pf_checkpoint_key *k,
    const char *audit_dir);

/* ---- writing checkpoints ---- */

/* AUDIT_DIR/checkpoints/<count, 12 digits>.txt: a new string, or NULL. */
char *pf_checkpoint_path(const char *audit_dir, long long count);

/*
 * The signed text of c (count, head and time; origin and keyid are k's,
 * and are set in c) as a new NUL-terminated string *text of *len bytes.
 * PF_EINVAL when c's head is not 64 hex digits or its count is negative.
 */
int pf_checkpoint_sign(const struct pf_checkpoint_key *k,
    struct pf_checkpoint *c, char **text, size_t *len);

/*
 * Sign the trail's head as it is now (pf_store_audit_last) with k and
 * write it to AUDIT_DIR/checkpoints (publishing k's public key first),
 * unless a checkpoint of that count is there: then *made is 0 and out is
 * the existing one, read back.  PF_EINVAL (logged) when the trail is not
 * the one the checkpoints describe: fewer records than the latest, or a
 * checkpoint of this count with another head; or when the latest names
 * the trail otherwise than k (the origin changed: k's id would be one no
 * rotation announced).  out is filled either way.
 */
int pf_checkpoint_make(struct pf_store *st, const char *audit_dir,
    const struct pf_checkpoint_key *k, struct pf_checkpoint *out, int *made);

/*
 * Replace the signing key at key_path with a new one: the new public key
 * published, an audit record `audit-key-rotated` (form admin; details
 * old-key and new-key, the key ids), a checkpoint ending at that record
 * signed by the OLD key (into *out), and only then the new private key
 * renamed into place (the old one is gone; its public key stays
 * published).  Refused (PF_EINVAL, nothing written) when the trail or the
 * origin is not what the checkpoints say, as pf_checkpoint_make refuses
 * it.  Interrupted before the rename, it leaves the old key in use and
 * the new one at key_path.new: run again, it finishes that rotation (the
 * same new key; no second record if the first was committed, found as
 * the last audit-key-rotated record naming both ids).  origin names both keys; operator (may be NULL) is
 * the record's `operator` detail (txn.h).
 */
int pf_checkpoint_rotate(struct pf_store *st, const char *audit_dir,
    const char *key_path, const char *origin, const char *operator,
    struct pf_checkpoint *out, char new_id[PF_CHECKPOINT_KEYID_SIZE]);

/*
 * Copy checkpoint c (AUDIT_DIR/checkpoints/<count>.txt) and the public key
 * that signed it into witness_dir, under the same names, never replacing a
 * file there: a file already there with the same bytes is fine, one with
 * other bytes is PF_EINVAL (logged: someone holds a different checkpoint
 * of that count).  *copied counts the files written.
 */
int pf_checkpoint_witness(const char *audit_dir, const char *witness_dir,
    const struct pf_checkpoint *c, int *copied);

/* ---- reading and verifying ---- */

/*
 * Parse text[0..len) as a checkpoint in exactly the format above (no CR,
 * no line more or less, canonical base64, a time as utc.h writes it) and
 * verify its signature with the public key keys_dir/<keyid>.pem, whose id
 * must be the one the file names for its key name, and its key name must
 * be the origin.  name stands for the file in messages.  On PF_OK out holds
 * what it says; otherwise PF_EINVAL (malformed, or the signature does not
 * verify), PF_ENOTFOUND (no such public key), or PF_ECRYPTO, with one line
 * per problem on report (may be NULL), naming name and the line.
 */
int pf_checkpoint_parse(const char *text, size_t len, const char *name,
    const char *keys_dir, struct pf_checkpoint *out, FILE *report);

/*
 * pf_checkpoint_parse of the file at path (at most PF_CHECKPOINT_MAX bytes,
 * else PF_EINVAL); PF_EIO when it cannot be read.  For `privforms audit
 * verify --since-checkpoint FILE`, with keys_dir AUDIT_DIR/keys.
 */
int pf_checkpoint_read(const char *path, const char *keys_dir,
    struct pf_checkpoint *out, FILE *report);

#endif
