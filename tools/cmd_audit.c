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

static int	cmd_pseudonym(struct ctx *, const struct cli_args *);
static int	cmd_verify(struct ctx *, const struct cli_args *);
static int	cmd_show(struct ctx *, const struct cli_args *);
static int	cmd_sync(struct ctx *, const struct cli_args *);

enum { O_EMAIL, O_PHONE };

static const struct cli_spec pseudonym_spec = { .opt = {
	[O_EMAIL] = { "--email", CLI_VALUE | CLI_ONCE },
	[O_PHONE] = { "--phone", CLI_VALUE | CLI_ONCE },
} };
/* SEQ: one that is not a number is named in the message. */
static const struct cli_spec show_spec = { .min = 1, .max = 1, .dash = 1 };

const struct cmd cmds_audit[] = {
	{ "pseudonym", cmd_pseudonym, &pseudonym_spec,
	  "--email ADDRESS | --phone NUMBER",
	  "Print the pseudonym that stands for ADDRESS or NUMBER in the audit\n"
	  "records (HMAC-SHA256 under the key), to find a person's records:\n"
	  "grep -rl PSEUDONYM AUDIT_DIR.  Numbers without a country code are\n"
	  "read in the configured phone_region." },
	{ "audit verify", cmd_verify, NULL, "",
	  "Check every audit record file, in order: schema, its own digest, the\n"
	  "previous record's digest, and the copy in the database; no file\n"
	  "missing or extra.  Exit 0, or 1 naming the first record that fails." },
	{ "audit show", cmd_show, &show_spec, "SEQ",
	  "Print audit record SEQ as stored in the database." },
	{ "audit sync", cmd_sync, NULL, "",
	  "Write every audit record file that is missing (say, after a crash\n"
	  "between a commit and the file write) from the database." },
	{ NULL, NULL, NULL, NULL, NULL },
};

static int
cmd_pseudonym(struct ctx *c, const struct cli_args *a)
{
	struct pf_keys	 keys;
	const char	*why;
	char		*norm = NULL, *key = NULL, out[PF_HEX_DIGEST_LEN + 1];
	const char	*value;
	int		 email, rc = 1;

	/* One of the two, not both. */
	if ((a->opt[O_EMAIL] == NULL) == (a->opt[O_PHONE] == NULL))
		return CLI_USAGE;
	email = a->opt[O_EMAIL] != NULL;
	value = email ? a->opt[O_EMAIL] : a->opt[O_PHONE];
	if (cli_load_keys(c, &keys) != 0)
		return 1;
	why = email ? pf_valid_email(value, NULL, &norm) :
	    pf_valid_phone(value, c->cfg->phone_region, &norm);
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
cmd_verify(struct ctx *c, const struct cli_args *a)
{
	long long	 bad = 0;
	int		 rc;

	(void)a;
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
cmd_show(struct ctx *c, const struct cli_args *a)
{
	long long	 seq;
	int		 rc;

	if ((seq = cli_positive(a->pos[0])) < 1) {
		fprintf(stderr, "privforms: audit show: not a record number: %s\n",
		    a->pos[0]);
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
cmd_sync(struct ctx *c, const struct cli_args *a)
{
	long long	 n = 0;
	int		 rc;

	(void)a;
	if (cli_open_store(c) != 0)
		return 1;
	if ((rc = pf_audit_sync(c->st, c->cfg->audit_dir, &n)) != PF_OK) {
		fprintf(stderr, "privforms: audit sync: %s\n", pf_strerror(rc));
		return 1;
	}
	printf("audit: %lld record file%s written\n", n, n == 1 ? "" : "s");
	return 0;
}
