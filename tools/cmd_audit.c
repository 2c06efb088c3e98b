/* cmd_audit.c -- privforms pseudonym and audit verify, show, sync: the auditor's commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "keys.h"
#include "store.h"
#include "validate.h"

static int	cmd_pseudonym(struct ctx *, int, char **);
static int	cmd_verify(struct ctx *, int, char **);
static int	cmd_show(struct ctx *, int, char **);
static int	cmd_sync(struct ctx *, int, char **);

const struct cmd cmds_audit[] = {
	{ "pseudonym", cmd_pseudonym, "--email ADDRESS | --phone NUMBER",
	  "Print the pseudonym that stands for ADDRESS or NUMBER in the audit\n"
	  "records (HMAC-SHA256 under the key), to find a person's records:\n"
	  "grep -rl PSEUDONYM AUDIT_DIR.  Numbers without a country code are\n"
	  "read in the configured phone_region." },
	{ "audit verify", cmd_verify, "",
	  "Check every audit record file, in order: schema, its own digest, the\n"
	  "previous record's digest, and the copy in the database; no file\n"
	  "missing or extra.  Exit 0, or 1 naming the first record that fails." },
	{ "audit show", cmd_show, "SEQ",
	  "Print audit record SEQ as stored in the database." },
	{ "audit sync", cmd_sync, "",
	  "Write every audit record file that is missing (say, after a crash\n"
	  "between a commit and the file write) from the database." },
	{ NULL, NULL, NULL, NULL },
};

static int
cmd_pseudonym(struct ctx *c, int argc, char **argv)
{
	struct pf_keys	 keys;
	const char	*why;
	char		*norm = NULL, *key = NULL, out[PF_HEX_DIGEST_LEN + 1];
	int		 email, rc = 1;

	if (argc != 2 || (strcmp(argv[0], "--email") != 0 &&
	    strcmp(argv[0], "--phone") != 0))
		return CLI_USAGE;
	email = strcmp(argv[0], "--email") == 0;
	if (cli_load_keys(c, &keys) != 0)
		return 1;
	why = email ? pf_valid_email(argv[1], NULL, &norm) :
	    pf_valid_phone(argv[1], c->cfg->phone_region, &norm);
	if (why != NULL) {
		fprintf(stderr, "privforms: %s\n", why);
		goto out;
	}
	if (email && (key = pf_email_key(norm)) == NULL)
		goto out;
	if (pf_pseudonym(&keys, email ? "email" : "phone",
	    email ? key : norm, out) != PF_OK)
		goto out;
	printf("%s\n", out);
	rc = 0;
out:
	free(key);
	free(norm);
	return rc;
}

static int
cmd_verify(struct ctx *c, int argc, char **argv)
{
	long long	 bad = 0;
	int		 rc;

	(void)argv;
	if (argc != 0)
		return CLI_USAGE;
	if (cli_open_store(c) != 0)
		return 1;
	rc = pf_audit_verify(c->st, c->cfg->audit_dir, c->cfg->audit_schema,
	    stderr, &bad);
	if (rc == PF_OK) {
		printf("audit: every record verified\n");
		return 0;
	}
	if (bad > 0)
		fprintf(stderr, "privforms: audit verify: record %lld fails\n", bad);
	else
		fprintf(stderr, "privforms: audit verify: %s\n", pf_strerror(rc));
	return 1;
}

static int
show_row(const struct pf_audit_row *r, void *arg)
{
	(void)arg;
	return fwrite(r->xml, 1, r->xml_len, stdout) == r->xml_len ? 0 : PF_EIO;
}

static int
cmd_show(struct ctx *c, int argc, char **argv)
{
	long long	 seq;
	int		 rc;

	if (argc != 1)
		return CLI_USAGE;
	if ((seq = cli_positive(argv[0])) < 1) {
		fprintf(stderr, "privforms: audit show: not a record number: %s\n",
		    argv[0]);
		return CLI_USAGE;
	}
	if (cli_open_store(c) != 0)
		return 1;
	if ((rc = pf_store_audit_get(c->st, seq, show_row, NULL)) != PF_OK) {
		fprintf(stderr, "privforms: audit show %lld: %s\n", seq,
		    pf_strerror(rc));
		return 1;
	}
	return 0;
}

static int
cmd_sync(struct ctx *c, int argc, char **argv)
{
	long long	 n = 0;
	int		 rc;

	(void)argv;
	if (argc != 0)
		return CLI_USAGE;
	if (cli_open_store(c) != 0)
		return 1;
	if ((rc = pf_audit_sync(c->st, c->cfg->audit_dir, &n)) != PF_OK) {
		fprintf(stderr, "privforms: audit sync: %s\n", pf_strerror(rc));
		return 1;
	}
	printf("audit: %lld record file%s written\n", n, n == 1 ? "" : "s");
	return 0;
}
