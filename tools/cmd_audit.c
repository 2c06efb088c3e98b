/* cmd_audit.c -- privforms pseudonym and audit verify, show, sync: the auditor's commands. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "checkpoint.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "feedback.h"
#include "keys.h"
#include "nitems.h"
#include "store.h"
#include "validate.h"

static int	cmd_pseudonym(struct ctx *, const struct cli_args *);
static int	cmd_verify(struct ctx *, const struct cli_args *);
static int	cmd_show(struct ctx *, const struct cli_args *);
static int	cmd_sync(struct ctx *, const struct cli_args *);

enum { O_EMAIL, O_PHONE, O_COUNTRY, O_FEEDBACK };

static const struct cli_spec pseudonym_spec = { .opt = {
	[O_EMAIL] = { "--email", CLI_VALUE | CLI_ONCE },
	[O_PHONE] = { "--phone", CLI_VALUE | CLI_ONCE },
	[O_COUNTRY] = { "--country", CLI_VALUE | CLI_ONCE },
	[O_FEEDBACK] = { "--feedback", CLI_VALUE | CLI_ONCE },
} };
enum { V_SINCE, V_KEYS };

static const struct cli_spec verify_spec = { .opt = {
	[V_SINCE] = { "--since-checkpoint", CLI_VALUE | CLI_ONCE },
	[V_KEYS] = { "--keys", CLI_VALUE | CLI_ONCE },
} };
/* SEQ: one that is not a number is named in the message. */
static const struct cli_spec show_spec = { .min = 1, .max = 1, .dash = 1 };

const struct cmd cmds_audit[] = {
	{ "pseudonym", cmd_pseudonym, &pseudonym_spec,
	  "--email ADDRESS | --phone NUMBER [--country CC] | --feedback N",
	  "Print the pseudonym that stands for a subject in the audit records\n"
	  "(HMAC-SHA256 under the key), to find its records:\n"
	  "grep -rl PSEUDONYM AUDIT_DIR.  ADDRESS: an email address; NUMBER: a\n"
	  "phone number, read in country CC (ISO 3166-1 alpha-2) when it has no\n"
	  "country code, in the configured phone_region without --country;\n"
	  "N: a site feedback entry's number (the subject of the mails about an\n"
	  "entry that name no address).  These are every kind of subject the\n"
	  "records name." },
	{ "audit verify", cmd_verify, &verify_spec,
	  "[--since-checkpoint FILE [--keys DIR]]",
	  "Check every audit record file, in order: schema, its own digest, the\n"
	  "previous record's digest, the copy in the database, and a time no\n"
	  "earlier than the record before; no file missing or extra.  Uses\n"
	  "every core.  With --since-checkpoint, FILE is a signed checkpoint\n"
	  "(an auditor's or witness's own copy): its signature must verify with\n"
	  "a public key in DIR (default AUDIT_DIR/keys; give your own copy), its\n"
	  "origin must be this trail's (audit_origin), and the trail must extend\n"
	  "it: its records all there, the last one's digest its head.  Exit 0,\n"
	  "or 1 naming the first record that fails." },
	{ "audit show", cmd_show, &show_spec, "SEQ",
	  "Print audit record SEQ as stored in the database." },
	{ "audit sync", cmd_sync, NULL, "",
	  "Write every audit record file that is missing (say, after a crash\n"
	  "between a commit and the file write) from the database." },
	{ NULL, NULL, NULL, NULL, NULL },
};

/*
 * ---- pseudonym ----
 *
 * One row per kind of subject the records name (AUDIT.md): the option
 * that gives it and how the forms and commands make its pseudonym from
 * what was typed.  Each answers 0 with out filled, or 1 said.  The
 * "client" pseudonyms of lib/app.c (rate limits, article votes) are in
 * no record, so there is no row for them.
 */
typedef int (*subject_fn)(struct ctx *, const struct cli_args *,
    const struct pf_keys *, char out[PF_HEX_DIGEST_LEN + 1]);

static int
subject_email(struct ctx *c, const struct cli_args *a,
    const struct pf_keys *keys, char out[PF_HEX_DIGEST_LEN + 1])
{
	const char	*why;
	char		*norm = NULL, *key = NULL;
	int		 rc = 1;

	(void)c;
	if ((why = pf_valid_email(a->opt[O_EMAIL], NULL, &norm)) != NULL)
		fprintf(stderr, "privforms: %s\n", why);
	else if ((key = pf_email_key(norm)) != NULL &&
	    pf_pseudonym(keys, "email", key, out) == PF_OK)
		rc = 0;
	free(key);
	free(norm);
	return rc;
}

/* Read as the forms read it: the chosen country, else phone_region. */
static int
subject_phone(struct ctx *c, const struct cli_args *a,
    const struct pf_keys *keys, char out[PF_HEX_DIGEST_LEN + 1])
{
	char	 e164[PF_PHONE_E164_SIZE];

	if (cli_phone(c, a->opt[O_PHONE], a->opt[O_COUNTRY], e164) != 0)
		return 1;
	return pf_pseudonym(keys, "phone", e164, out) == PF_OK ? 0 : 1;
}

/* The entry's number, as pf_feedback_subject makes it for its mails. */
static int
subject_feedback(struct ctx *c, const struct cli_args *a,
    const struct pf_keys *keys, char out[PF_HEX_DIGEST_LEN + 1])
{
	long long	 id;

	(void)c;
	if ((id = cli_positive(a->opt[O_FEEDBACK])) < 1) {
		fprintf(stderr, "privforms: --feedback %s: not an entry number "
		    "(1, 2, 3, ...)\n", a->opt[O_FEEDBACK]);
		return 1;
	}
	return pf_feedback_subject(keys, id, out) == PF_OK ? 0 : 1;
}

static const struct {
	int		 opt;
	subject_fn	 fn;
} subjects[] = {
	{ O_EMAIL, subject_email },
	{ O_PHONE, subject_phone },
	{ O_FEEDBACK, subject_feedback },
};

static int
cmd_pseudonym(struct ctx *c, const struct cli_args *a)
{
	struct pf_keys	 keys;
	char		 out[PF_HEX_DIGEST_LEN + 1];
	size_t		 i, given = 0, which = 0;
	int		 rc;

	for (i = 0; i < nitems(subjects); i++)
		if (a->opt[subjects[i].opt] != NULL) {
			given++;
			which = i;
		}
	/* One subject; a country only for a phone number. */
	if (given != 1 || (a->opt[O_COUNTRY] != NULL &&
	    subjects[which].opt != O_PHONE))
		return CLI_USAGE;
	if (cli_load_keys(c, &keys) != 0)
		return 1;
	if ((rc = subjects[which].fn(c, a, &keys, out)) == 0)
		printf("%s\n", out);
	return rc;
}

/*
 * The checkpoint the trail must extend, into vo (which keeps pointing at
 * ck->head): 0, or 1 said.
 */
static int
verify_since(struct ctx *c, const struct cli_args *a, struct pf_checkpoint *ck,
    struct pf_audit_verify_opts *vo)
{
	char		 dir[PATH_MAX];
	const char	*keys = a->opt[V_KEYS];
	int		 rc;

	if (keys == NULL) {
		if ((size_t)snprintf(dir, sizeof(dir), "%s/keys",
		    c->cfg->audit_dir) >= sizeof(dir)) {
			fprintf(stderr, "privforms: audit verify: %s/keys: "
			    "name too long\n", c->cfg->audit_dir);
			return 1;
		}
		keys = dir;
	}
	rc = pf_checkpoint_read(a->opt[V_SINCE], keys, ck, stderr);
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: audit verify: %s: %s\n",
		    a->opt[V_SINCE], pf_strerror(rc));
		return 1;
	}
	if (strcmp(ck->origin, c->cfg->audit_origin) != 0) {
		fprintf(stderr, "privforms: audit verify: %s is a checkpoint of "
		    "%s, not of this trail (%s)\n", a->opt[V_SINCE], ck->origin,
		    c->cfg->audit_origin);
		return 1;
	}
	vo->since_count = ck->count;
	vo->since_head = ck->head;
	return 0;
}

static int
cmd_verify(struct ctx *c, const struct cli_args *a)
{
	struct pf_audit_verify_opts	 vo = { 0, NULL, NULL, 0 };
	struct pf_store_opts		 so;
	struct pf_checkpoint		 ck;
	long long			 bad = 0;
	int				 rc;

	if (a->opt[V_KEYS] != NULL && a->opt[V_SINCE] == NULL)
		return CLI_USAGE;
	/* The store opens after the checkpoint is read: one that does not
	 * verify is said before the trail is read at all. */
	if (c->cfg == NULL && cli_load(c) != 0)
		return 1;
	if (a->opt[V_SINCE] != NULL && verify_since(c, a, &ck, &vo) != 0)
		return 1;
	if (cli_open_store(c) != 0)
		return 1;
	/* PostgreSQL: records committed but not chained yet are chained
	 * first (audit.h, Sealing); a role that may not is told so. */
	if ((rc = pf_audit_seal(c->st, NULL)) != PF_OK)
		fprintf(stderr, "privforms: audit verify: pending records not "
		    "sealed (%s); verifying the sealed trail\n",
		    pf_strerror(rc));
	/* A connection of its own for each core's share of the trail. */
	so.path = c->cfg->admin_database;
	so.journal_mode = c->cfg->journal_mode;
	so.busy_timeout_ms = c->cfg->busy_timeout_ms;
	vo.store = &so;
	rc = pf_audit_verify(c->st, c->cfg->audit_dir, c->cfg->audit_schema,
	    &vo, stderr, &bad);
	if (rc == PF_OK) {
		if (vo.since_count > 0)
			printf("audit: the trail extends checkpoint %lld (signed "
			    "by key %s at %s)\n", ck.count, ck.keyid, ck.time);
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
