/*
 * cmd_backup.c -- privforms backup: an online copy of the database.
 *
 * The copying itself is pf_store_backup (store.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "config.h"
#include "err.h"
#include "store.h"

static int	cmd_backup(struct ctx *, const struct cli_args *);

static const struct cli_spec backup_spec = {
	.opt = { { "--force", 0 } }, .min = 1, .max = 1,
};

const struct cmd cmds_backup[] = {
	{ "backup", cmd_backup, &backup_spec, "[--force] FILE",
	  "Copy the database to FILE while the forms keep serving (SQLite's\n"
	  "backup API, one consistent snapshot).  The copy is written beside FILE\n"
	  "under a temporary name, checked (PRAGMA integrity_check), synced and\n"
	  "only then renamed to FILE, mode 0600: FILE is the whole checked copy\n"
	  "or nothing.  An existing FILE is refused unless --force.  The key file\n"
	  "is not in the copy: back it up too, once.  The copy holds personal\n"
	  "data, so it is recorded first (event personal-data-read, rows: the\n"
	  "opt-outs and Do-Not-Call entries it copies), and the copy holds\n"
	  "that record." },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* 1 (said) if file is the database itself: replacing it would lose writes. */
static int
is_database(struct ctx *c, const char *file)
{
	struct stat	 a, b;

	if (stat(file, &a) == -1 || stat(c->cfg->database, &b) == -1 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return 0;
	fprintf(stderr, "privforms: backup: %s is the database itself\n", file);
	return 1;
}

/* Why pf_store_backup failed, in the operator's terms. */
static void
say_failure(struct ctx *c, const char *file, int rc)
{
	if (rc == PF_EIO && errno == EEXIST)
		fprintf(stderr, "privforms: backup: %s exists (--force replaces "
		    "it)\n", file);
	else if (rc == PF_EIO)
		fprintf(stderr, "privforms: backup: cannot write %s: %s (nothing "
		    "written)\n", file, strerror(errno));
	else
		fprintf(stderr, "privforms: backup: copying %s failed: %s "
		    "(nothing written)\n", c->cfg->database, pf_strerror(rc));
}

/*
 * The audit record of the copy, committed before the copy is made: a
 * failed copy leaves a record of the attempt, never a copy without one.
 * rows: the opt-outs and Do-Not-Call entries, the registers of personal
 * data (requests and feedback are copied too, uncounted).  0, or 1 said.
 */
static int
record_read(struct ctx *c)
{
	long long	 optouts = 0, dnc = 0;
	int		 rc;

	if ((rc = pf_store_optout_count(c->st, &optouts)) != PF_OK ||
	    (rc = pf_store_dnc_count(c->st, &dnc)) != PF_OK) {
		fprintf(stderr, "privforms: backup: %s\n", pf_strerror(rc));
		return 1;
	}
	return cli_read_audit(c, "backup", optouts + dnc);
}

static int
cmd_backup(struct ctx *c, const struct cli_args *a)
{
	const char	*file = a->pos[0];
	long long	 bytes = 0;
	int		 force = a->opt[0] != NULL, rc;

	if (file[0] == '\0')
		return CLI_USAGE;
	if (c->cfg == NULL && cli_load(c) != 0)
		return 1;
	if (!cli_db_is_file(c)) {
		fprintf(stderr, "privforms: backup: the database is PostgreSQL: "
		    "copy it with pg_dump, e.g. pg_dump --format=custom "
		    "--file=%s '%s'\n", file, c->cfg->admin_database);
		return 1;
	}
	if (cli_open_store(c) != 0 || is_database(c, file) ||
	    record_read(c) != 0)
		return 1;
	if ((rc = pf_store_backup(c->st, file, force, &bytes)) != PF_OK) {
		say_failure(c, file, rc);
		return 1;
	}
	printf("backup:    %s (%lld bytes, mode 0600, integrity ok)\n", file,
	    bytes);
	printf("key file:  %s is not in it: keep a copy of the key too\n",
	    c->cfg->key_file);
	return 0;
}
