/*
 * cmd_checkpoint.c -- privforms audit checkpoint and audit key rotate:
 * signed checkpoints of the audit trail and their witnesses
 * (lib/checkpoint.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "file.h"
#include "lang.h"
#include "mail.h"
#include "store.h"

static int	cmd_checkpoint(struct ctx *, const struct cli_args *);
static int	cmd_rotate(struct ctx *, const struct cli_args *);

#define TEMPLATE	"audit-checkpoint"

static const struct cli_spec checkpoint_spec = { .opt = {
	{ "--day-end", CLI_ONCE },
} };

const struct cmd cmds_checkpoint[] = {
	{ "audit checkpoint", cmd_checkpoint, &checkpoint_spec, "[--day-end]",
	  "Sign the audit trail's head (its record count and the last record's\n"
	  "digest) with the signing key (audit_signing_key) and write it as\n"
	  "AUDIT_DIR/checkpoints/NNNNNNNNNNNN.txt and latest.txt, if the trail\n"
	  "grew since the last checkpoint; otherwise say so and write nothing\n"
	  "(exit 0).  Then copy the newest checkpoint and its public key into\n"
	  "audit_witness_dir, if set, never replacing a file there.  With\n"
	  "--day-end (the day-end timer runs it just after 00:00 UTC), also queue\n"
	  "the newest checkpoint in a mail to each audit_witness_mail address;\n"
	  "`privforms mail run` sends it.  A trail with fewer records than the\n"
	  "latest checkpoint, or another head than the checkpoint of its count,\n"
	  "or an audit_origin other than the latest checkpoint's, is refused\n"
	  "(exit 1).  AUDIT.md says how auditors check a checkpoint." },
	{ "audit key rotate", cmd_rotate, NULL, "",
	  "Replace the signing key: make a new one, publish its public key as\n"
	  "AUDIT_DIR/keys/KEYID.pem, append an audit-key-rotated record (details\n"
	  "old-key and new-key), sign a checkpoint ending at that record with the\n"
	  "OLD key, and only then put the new key in place of the old, which is\n"
	  "gone (its public key stays published).  The checkpoint goes to\n"
	  "audit_witness_dir like any other.  If it is interrupted, run it again:\n"
	  "it finishes the same rotation (the new key left beside the old one),\n"
	  "with no second record." },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* The signing key, named by the configured origin: 0, or 1 said. */
static int
load_key(struct ctx *c, struct pf_checkpoint_key **k)
{
	int	 rc;

	if ((rc = pf_checkpoint_key_load(c->cfg->audit_signing_key,
	    c->cfg->audit_origin, k)) == PF_OK)
		return 0;
	fprintf(stderr, "privforms: signing key %s: %s%s\n",
	    c->cfg->audit_signing_key, pf_strerror(rc), rc == PF_ENOTFOUND ?
	    " (privforms init makes it)" : "");
	return 1;
}

/* Copy checkpoint ck and its key to audit_witness_dir, if set: 0, or 1 said. */
static int
witness_dir(struct ctx *c, const struct pf_checkpoint *ck)
{
	const char	*dir = c->cfg->audit_witness_dir;
	int		 rc, n;

	if (dir[0] == '\0')
		return 0;
	if ((rc = pf_checkpoint_witness(c->cfg->audit_dir, dir, ck, &n)) !=
	    PF_OK) {
		fprintf(stderr, "privforms: audit_witness_dir %s: %s\n", dir,
		    pf_strerror(rc));
		return 1;
	}
	printf("witness:    %s (%s)\n", dir, n > 0 ? "copied" : "already there");
	return 0;
}

/* The values of the witness mail for ck, whose file holds text. */
static void
mail_values(const struct pf_checkpoint *ck, const char *text, char count[24],
    char key[32], const char *v[15])
{
	snprintf(count, 24, "%lld", ck->count);
	snprintf(key, 32, "keys/%s.pem", ck->keyid);
	v[0] = "checkpoint", v[1] = text, v[2] = "origin", v[3] = ck->origin;
	v[4] = "count", v[5] = count, v[6] = "head", v[7] = ck->head;
	v[8] = "time", v[9] = ck->time, v[10] = "keyid", v[11] = ck->keyid;
	v[12] = "key_file", v[13] = key, v[14] = NULL;
}

/* Queue text to each address of list, in one transaction: how many, or -1. */
static int
enqueue_all(struct ctx *c, const char *list, const char *const *v)
{
	char	*copy, *p, *to, saved[PF_LANG_MAX];
	int	 rc, n = 0;

	if ((copy = strdup(list)) == NULL ||
	    (rc = pf_store_begin(c->st)) != PF_OK) {
		free(copy);
		return -1;
	}
	/* The witnesses are the team's: its language, not the command's. */
	rc = pf_lang_push(c->cfg->default_language, saved);
	for (p = copy; rc == PF_OK && (to = strsep(&p, ",")) != NULL; n++)
		rc = pf_mail_enqueue(c->st, TEMPLATE, pf_file_trim(to), v, NULL,
		    NULL);
	pf_lang_pop(saved);
	free(copy);
	if (rc == PF_OK && (rc = pf_store_commit(c->st)) == PF_OK)
		return n;
	pf_store_rollback(c->st);
	fprintf(stderr, "privforms: witness mail: %s\n", pf_strerror(rc));
	return -1;
}

/* --day-end: queue ck to each audit_witness_mail address: 0, or 1 said. */
static int
witness_mail(struct ctx *c, const struct pf_checkpoint *ck)
{
	char		 text[PF_CHECKPOINT_MAX + 1], count[24], key[32], *path;
	const char	*v[15];
	FILE		*f;
	size_t		 len = 0;
	int		 n;

	if (c->cfg->audit_witness_mail[0] == '\0')
		return 0;
	if ((path = pf_checkpoint_path(c->cfg->audit_dir, ck->count)) == NULL)
		return 1;
	if ((f = fopen(path, "re")) != NULL) {
		len = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
	}
	text[len] = '\0';
	if (f == NULL || len == 0)
		fprintf(stderr, "privforms: %s: cannot be read\n", path);
	free(path);
	if (f == NULL || len == 0)
		return 1;
	mail_values(ck, text, count, key, v);
	if ((n = enqueue_all(c, c->cfg->audit_witness_mail, v)) < 0)
		return 1;
	printf("mail:       queued for %d witness%s (privforms mail run sends "
	    "it)\n", n, n == 1 ? "" : "es");
	if (c->cfg->mail_from[0] == '\0')
		fprintf(stderr, "privforms: mail_from is not set: nothing is "
		    "sent until it is\n");
	return 0;
}

/* What ck says, and where it is. */
static void
print_checkpoint(struct ctx *c, const struct pf_checkpoint *ck, const char *how)
{
	char	*path = pf_checkpoint_path(c->cfg->audit_dir, ck->count);

	printf("checkpoint: %s (%s)\n", path ? path : "?", how);
	printf("records:    %lld, last digest %s\n", ck->count, ck->head);
	printf("signed:     %s by key %s (%s)\n", ck->time, ck->keyid,
	    ck->origin);
	free(path);
}

static int
cmd_checkpoint(struct ctx *c, const struct cli_args *a)
{
	struct pf_checkpoint_key	*k = NULL;
	struct pf_checkpoint		 ck;
	int				 rc, made, bad;

	if (cli_open_store(c) != 0 || load_key(c, &k) != 0)
		return 1;
	rc = pf_checkpoint_make(c->st, c->cfg->audit_dir, k, &ck, &made);
	pf_checkpoint_key_free(k);
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: audit checkpoint: %s\n",
		    pf_strerror(rc));
		return 1;
	}
	print_checkpoint(c, &ck, made ? "written" :
	    "nothing new since this one: no new checkpoint");
	bad = witness_dir(c, &ck);
	if (a->opt[0] != NULL)
		bad |= witness_mail(c, &ck);
	return bad;
}

static int
cmd_rotate(struct ctx *c, const struct cli_args *a)
{
	struct pf_checkpoint	 ck;
	char			 new_id[PF_CHECKPOINT_KEYID_SIZE];
	int			 rc;

	(void)a;
	if (cli_open_store(c) != 0)
		return 1;
	rc = pf_checkpoint_rotate(c->st, c->cfg->audit_dir,
	    c->cfg->audit_signing_key, c->cfg->audit_origin, cli_operator(c),
	    &ck, new_id);
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: audit key rotate: %s%s\n",
		    pf_strerror(rc), rc == PF_ENOTFOUND ?
		    " (no signing key: privforms init makes one)" : "");
		return 1;
	}
	printf("key:        %s replaces %s (%s/keys/%s.pem)\n", new_id,
	    ck.keyid, c->cfg->audit_dir, new_id);
	print_checkpoint(c, &ck, "written, by the old key");
	return witness_dir(c, &ck);
}
