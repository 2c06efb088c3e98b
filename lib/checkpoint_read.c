/*
 * checkpoint_read.c -- parsing a checkpoint and verifying its signature
 * (checkpoint.h).
 *
 * The format is read exactly as it is written, and anything else is
 * refused with the line that is wrong: a checkpoint that a tool could read
 * two ways would let two parties believe two different things.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "checkpoint.h"
#include "checkpoint_impl.h"
#include "err.h"
#include "hex.h"

#define LINES		6	/* origin, count, head, time, "", signature */
#define COUNT_DIGITS	15	/* past any trail; no overflow to check */
#define PEM_MAX		4096
#define B64_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="

/* A checkpoint being read: its lines, and where to say what is wrong. */
struct reading {
	const char	*name;		/* the file, in messages */
	FILE		*report;
	const char	*line[LINES];	/* into the text; not NUL-terminated */
	size_t		 len[LINES];
};

/* One line of report: "name: line N: why" (line 0: the whole file). */
static int
bad(const struct reading *r, int line, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
bad(const struct reading *r, int line, int rc, const char *fmt, ...)
{
	va_list	 ap;

	if (r->report == NULL)
		return rc;
	if (line > 0)
		fprintf(r->report, "%s: line %d: ", r->name, line);
	else
		fprintf(r->report, "%s: ", r->name);
	va_start(ap, fmt);
	vfprintf(r->report, fmt, ap);
	va_end(ap);
	fputc('\n', r->report);
	return rc;
}

int
ckpt_unb64(const char *s, size_t len, unsigned char *out, size_t want)
{
	unsigned char	 buf[96 + 3];
	char		 again[4 * (96 + 2) / 3 + 1];
	size_t		 i;
	int		 n;

	if (want > 96 || len != 4 * ((want + 2) / 3))
		return 0;
	for (i = 0; i < len; i++)
		if (strchr(B64_CHARS, s[i]) == NULL || s[i] == '\0')
			return 0;
	/* EVP_DecodeBlock keeps the padding's zero bytes in its count. */
	if ((n = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)len)) < 0 ||
	    (size_t)n < want)
		return 0;
	/* One text per value: padding and unused bits as ckpt_b64 writes them. */
	ckpt_b64(buf, want, again);
	if (strlen(again) != len || memcmp(again, s, len) != 0)
		return 0;
	memcpy(out, buf, want);
	return 1;
}

/* text[0..len) split into r's lines: exactly LINES, each ending in LF. */
static int
split(struct reading *r, const char *text, size_t len)
{
	const char	*p = text, *end = text + len, *nl;
	int		 i;

	if (len == 0)
		return bad(r, 0, PF_EINVAL, "empty");
	if (memchr(text, '\r', len) != NULL)
		return bad(r, 0, PF_EINVAL, "has a CR: a checkpoint's lines end "
		    "in LF alone (a copy saved from a mail? tr -d '\\r')");
	if (memchr(text, '\0', len) != NULL)
		return bad(r, 0, PF_EINVAL, "has a NUL byte");
	for (i = 0; i < LINES; i++) {
		if (p == end || (nl = memchr(p, '\n', (size_t)(end - p))) ==
		    NULL)
			return bad(r, 0, PF_EINVAL, "truncated: %d complete "
			    "lines, a checkpoint has %d", i, LINES);
		r->line[i] = p;
		r->len[i] = (size_t)(nl - p);
		p = nl + 1;
	}
	if (p != end)
		return bad(r, LINES + 1, PF_EINVAL, "more after the signature "
		    "line: a checkpoint has %d lines and one signature", LINES);
	return PF_OK;
}

/* Line 1, the origin, into c. */
static int
read_origin(const struct reading *r, struct pf_checkpoint *c)
{
	if (r->len[0] > PF_CHECKPOINT_ORIGIN_MAX)
		return bad(r, 1, PF_EINVAL, "the origin is longer than %d bytes",
		    PF_CHECKPOINT_ORIGIN_MAX);
	memcpy(c->origin, r->line[0], r->len[0]);
	c->origin[r->len[0]] = '\0';
	if (!pf_checkpoint_origin_ok(c->origin))
		return bad(r, 1, PF_EINVAL, "not an origin: empty, or with a "
		    "blank, control character, '+' or invalid UTF-8");
	return PF_OK;
}

/* Line 2, the record count, into c. */
static int
read_count(const struct reading *r, struct pf_checkpoint *c)
{
	const char	*s = r->line[1];
	size_t		 n = r->len[1], i;

	if (n == 0 || n > COUNT_DIGITS || (n > 1 && s[0] == '0'))
		return bad(r, 2, PF_EINVAL, "the record count must be a "
		    "decimal number without leading zeros");
	c->count = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return bad(r, 2, PF_EINVAL, "the record count must be "
			    "a decimal number without leading zeros");
		c->count = c->count * 10 + (s[i] - '0');
	}
	return PF_OK;
}

/* Line 3, the head digest, into c as hex. */
static int
read_head(const struct reading *r, struct pf_checkpoint *c)
{
	unsigned char	 raw[CKPT_HEAD];

	if (!ckpt_unb64(r->line[2], r->len[2], raw, sizeof(raw)))
		return bad(r, 3, PF_EINVAL, "the head digest must be the "
		    "padded base64 of 32 bytes");
	pf_hex_encode(raw, sizeof(raw), c->head);
	return PF_OK;
}

/* Line 4, "time YYYY-MM-DDTHH:MM:SS.ffffffZ", into c. */
static int
read_time(const struct reading *r, struct pf_checkpoint *c)
{
	static const char	 shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	const char		*s = r->line[3] + 5;
	size_t			 i;
	time_t			 t;

	if (r->len[3] != 5 + sizeof(shape) - 1 ||
	    memcmp(r->line[3], "time ", 5) != 0)
		goto fail;
	for (i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i])
			goto fail;
	memcpy(c->time, s, sizeof(shape) - 1);
	c->time[sizeof(shape) - 1] = '\0';
	if (pf_utc_parse_time(c->time, &t) == PF_OK)
		return PF_OK;
fail:
	return bad(r, 4, PF_EINVAL, "must be \"time \" and a UTC time "
	    "YYYY-MM-DDTHH:MM:SS.ffffffZ");
}

/*
 * Line 6, the signature line: U+2014, a space, the key name (the origin),
 * a space, and base64 of the key id and the signature, into id and sig.
 */
static int
read_signature(const struct reading *r, const struct pf_checkpoint *c,
    unsigned char blob[CKPT_ID + CKPT_SIG])
{
	const char	*s = r->line[5], *sp;
	size_t		 n = r->len[5], dash = sizeof(CKPT_DASH) - 1, name;

	if (r->len[4] != 0)
		return bad(r, 5, PF_EINVAL, "must be empty: the signed text "
		    "has four lines");
	if (n < dash || memcmp(s, CKPT_DASH, dash) != 0)
		return bad(r, 6, PF_EINVAL, "a signature line starts with "
		    "U+2014 (an em dash) and a space");
	if ((sp = memchr(s + dash, ' ', n - dash)) == NULL)
		return bad(r, 6, PF_EINVAL, "no signature after the key name");
	name = (size_t)(sp - s) - dash;
	if (name != strlen(c->origin) || memcmp(s + dash, c->origin, name) != 0)
		return bad(r, 6, PF_EINVAL, "signed by a key named other than "
		    "the origin, %s", c->origin);
	if (!ckpt_unb64(sp + 1, n - dash - name - 1, blob, CKPT_ID + CKPT_SIG))
		return bad(r, 6, PF_EINVAL, "the signature must be the padded "
		    "base64 of a 4-byte key id and a 64-byte Ed25519 signature");
	return PF_OK;
}

/* keys_dir/<id>.pem: the public key, whose id for c's origin is id. */
static int
load_key(const struct reading *r, const char *keys_dir,
    const struct pf_checkpoint *c, EVP_PKEY **out)
{
	EVP_PKEY	*pkey = NULL;
	BIO		*bio;
	char		*path, name[PF_CHECKPOINT_KEYID_SIZE + 4], buf[PEM_MAX];
	char		 id[PF_CHECKPOINT_KEYID_SIZE];
	size_t		 len;
	int		 rc;

	snprintf(name, sizeof(name), "%s.pem", c->keyid);
	if ((path = ckpt_path(keys_dir, NULL, name)) == NULL)
		return PF_ENOMEM;
	if (ckpt_read_file(path, buf, sizeof(buf), &len) != PF_OK)
		rc = bad(r, 6, errno == ENOENT ? PF_ENOTFOUND : PF_EIO,
		    "signed by key %s, and %s cannot be read: %s", c->keyid,
		    path, strerror(errno));
	else if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL)
		rc = PF_ENOMEM;
	else {
		pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
		BIO_free(bio);
		if (pkey == NULL || ckpt_key_id(c->origin, pkey, id) != PF_OK)
			rc = bad(r, 6, PF_EINVAL, "%s is not an Ed25519 public "
			    "key in PEM", path);
		else if (strcmp(id, c->keyid) != 0)
			rc = bad(r, 6, PF_EINVAL, "%s is the key %s for %s, not "
			    "the %s that the signature names", path, id,
			    c->origin, c->keyid);
		else
			rc = PF_OK;
	}
	free(path);
	if (rc == PF_OK)
		*out = pkey;
	else
		EVP_PKEY_free(pkey);
	return rc;
}

/* Does sig sign the note (lines 1 to 4, with their LFs) under pkey? */
static int
verify(const struct reading *r, EVP_PKEY *pkey, const unsigned char *sig)
{
	EVP_MD_CTX	*ctx;
	size_t		 n = (size_t)(r->line[4] - r->line[0]);
	int		 ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return PF_ENOMEM;
	ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
	    EVP_DigestVerify(ctx, sig, CKPT_SIG,
	    (const unsigned char *)r->line[0], n) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return bad(r, 6, PF_EINVAL, "the signature does not verify: "
		    "the text was changed, or another key signed it");
	return PF_OK;
}

int
pf_checkpoint_parse(const char *text, size_t len, const char *name,
    const char *keys_dir, struct pf_checkpoint *out, FILE *report)
{
	struct reading	 r = { name, report, { 0 }, { 0 } };
	struct pf_checkpoint c;
	unsigned char	 blob[CKPT_ID + CKPT_SIG];
	EVP_PKEY	*pkey = NULL;
	int		 rc;

	memset(&c, 0, sizeof(c));
	if (len > PF_CHECKPOINT_MAX)
		return bad(&r, 0, PF_EINVAL, "longer than a checkpoint can be "
		    "(%d bytes)", PF_CHECKPOINT_MAX);
	if ((rc = split(&r, text, len)) != PF_OK ||
	    (rc = read_origin(&r, &c)) != PF_OK ||
	    (rc = read_count(&r, &c)) != PF_OK ||
	    (rc = read_head(&r, &c)) != PF_OK ||
	    (rc = read_time(&r, &c)) != PF_OK ||
	    (rc = read_signature(&r, &c, blob)) != PF_OK)
		return rc;
	pf_hex_encode(blob, CKPT_ID, c.keyid);
	if ((rc = load_key(&r, keys_dir, &c, &pkey)) != PF_OK)
		return rc;
	rc = verify(&r, pkey, blob + CKPT_ID);
	EVP_PKEY_free(pkey);
	if (rc == PF_OK)
		*out = c;
	return rc;
}

int
pf_checkpoint_read(const char *path, const char *keys_dir,
    struct pf_checkpoint *out, FILE *report)
{
	char	 buf[PF_CHECKPOINT_MAX + 1];
	size_t	 len;

	if (ckpt_read_file(path, buf, sizeof(buf), &len) != PF_OK) {
		if (report != NULL)
			fprintf(report, "%s: %s\n", path, strerror(errno));
		return PF_EIO;
	}
	return pf_checkpoint_parse(buf, len, path, keys_dir, out, report);
}
