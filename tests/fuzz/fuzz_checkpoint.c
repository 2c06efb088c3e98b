/*
 * fuzz_checkpoint.c -- a checkpoint as a witness or an auditor hands it
 * back (pf_checkpoint_parse, the reader `privforms audit verify
 * --since-checkpoint` uses).
 *
 * Whatever the bytes: accepted, or refused with a report that names the
 * text, never both.  The one key the harness publishes is a test key whose
 * private half it holds too (the unit tests' known answer), and Ed25519
 * signatures are deterministic; so a text it accepts must be exactly the
 * text that key signs for what the reader says it read: no second
 * spelling of a checkpoint (another base64 of the same bytes, a leading
 * zero, a CR) gets through.
 */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "err.h"
#include "fuzz.h"

/* The PKCS#8 Ed25519 key of seed 00 01 .. 1f, and its public key. */
static const char key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f\n"
    "-----END PRIVATE KEY-----\n";
static const char pub_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAA6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=\n"
    "-----END PUBLIC KEY-----\n";
/* Its key ids under the origins of the seeds. */
static const char *const key_ids[] = { "e1e48ec2", "a1652902" };

static char	 dir[64], keys[96], key_path[96];

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*f;

	FUZZ_ASSERT((f = fopen(path, "w")) != NULL);
	FUZZ_ASSERT(fputs(text, f) >= 0);
	FUZZ_ASSERT(fclose(f) == 0);
	FUZZ_ASSERT(chmod(path, mode) == 0);
}

static void
remove_dir(void)
{
	char	 path[128];
	size_t	 i;

	for (i = 0; i < sizeof(key_ids) / sizeof(key_ids[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.pem", keys, key_ids[i]);
		unlink(path);
	}
	unlink(key_path);
	rmdir(keys);
	rmdir(dir);
}

/* Once per process: the key and its published public key, in /tmp. */
static void
setup(void)
{
	char	 path[128];
	size_t	 i;

	snprintf(dir, sizeof(dir), "/tmp/fuzz_checkpoint.XXXXXX");
	FUZZ_ASSERT(mkdtemp(dir) != NULL);
	snprintf(keys, sizeof(keys), "%s/keys", dir);
	snprintf(key_path, sizeof(key_path), "%s/signing.key", dir);
	FUZZ_ASSERT(mkdir(keys, 0700) == 0);
	for (i = 0; i < sizeof(key_ids) / sizeof(key_ids[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.pem", keys, key_ids[i]);
		write_file(path, pub_pem, 0600);
	}
	write_file(key_path, key_pem, 0600);
	atexit(remove_dir);
}

/* What the key writes for c: the whole text, compared with the input. */
static void
check_canonical(const struct pf_checkpoint *c, const uint8_t *data,
    size_t size)
{
	struct pf_checkpoint_key	*k = NULL;
	struct pf_checkpoint		 again = *c;
	char				*text = NULL;
	size_t				 len;

	FUZZ_ASSERT(pf_checkpoint_key_load(key_path, c->origin, &k) == PF_OK);
	FUZZ_ASSERT(strcmp(pf_checkpoint_key_id(k), c->keyid) == 0);
	FUZZ_ASSERT(pf_checkpoint_sign(k, &again, &text, &len) == PF_OK);
	FUZZ_ASSERT(len == size && memcmp(text, data, size) == 0);
	free(text);
	pf_checkpoint_key_free(k);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_checkpoint	 c;
	char			*report = NULL;
	size_t			 rlen = 0;
	FILE			*f;
	int			 rc;

	if (dir[0] == '\0')
		setup();
	memset(&c, 0, sizeof(c));
	FUZZ_ASSERT((f = open_memstream(&report, &rlen)) != NULL);
	rc = pf_checkpoint_parse((const char *)data, size, "CKPT", keys, &c, f);
	FUZZ_ASSERT(fclose(f) == 0);
	if (rc == PF_OK) {
		FUZZ_ASSERT(rlen == 0);
		check_canonical(&c, data, size);
	} else
		FUZZ_ASSERT(rlen > 0 && strncmp(report, "CKPT: ", 6) == 0 &&
		    strchr(report, '\n') == report + rlen - 1);
	free(report);
	return 0;
}
