/*
 * cmd_migrate.c -- privforms migrate --to postgresql: moving an SQLite
 * site into an empty PostgreSQL database.
 *
 * The copying of rows is the store's (pf_store_table_copy, store.h, over
 * the tables of pf_store_tables in their order), the check of the trail
 * audit's (pf_audit_verify_db).  Here: which databases, in which
 * transactions, and what is checked before the copy is committed -- the
 * source's trail before, the target empty, every table's rows counted
 * alike on both sides and the target's trail the source's after.  The
 * whole copy is one transaction of the target, so a copy that fails or is
 * interrupted leaves the target as it found it: empty.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "store.h"

static int	cmd_migrate(struct ctx *, const struct cli_args *);

enum { O_TO, O_DATABASE };

static const struct cli_spec migrate_spec = { .opt = {
	[O_TO] = { "--to", CLI_VALUE | CLI_ONCE | CLI_REQUIRED },
	[O_DATABASE] = { "--database", CLI_VALUE | CLI_ONCE },
} };

const struct cmd cmds_migrate[] = {
	{ "migrate", cmd_migrate, &migrate_spec,
	  "--to postgresql [--database CONNINFO]",
	  "Copy this site's SQLite database (database in the configuration)\n"
	  "into an empty PostgreSQL database: CONNINFO, a libpq connection\n"
	  "string without a password (default: admin_database, when that is\n"
	  "one).  The target gets privforms' schema first, as init makes it;\n"
	  "a target with any row in it is refused.  The source's audit trail\n"
	  "is checked first (what audit verify checks of the database's\n"
	  "copy), the copy is recorded in it (personal-data-read), then every\n"
	  "table is copied in one transaction of the target, ids included and\n"
	  "the id sequences moved past them; before that transaction commits,\n"
	  "every table must hold as many rows as the source's and the target's\n"
	  "trail must check and end in the same record.  Any failure, or an\n"
	  "interrupted copy, leaves the target empty.  Connect as the role\n"
	  "that is to own the tables (it turns their triggers off).  Stop the\n"
	  "forms, the mail sender, cron and the checkpoint timers first;\n"
	  "afterwards set database (and admin_database) to the PostgreSQL\n"
	  "connection and start them again.\n"
	  "The audit directory and the key stay as they are." },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* The two databases and the trail's end on the source. */
struct migrate {
	struct ctx		*c;
	const char		*target;	/* its connection string */
	struct pf_store		*to;
	long long		 records;	/* the source trail's last seq */
	char			 head[65];	/* and its digest */
};

/* The connection to copy into: --database, else admin_database. 0 or 1 said. */
static int
target_of(struct migrate *m, const struct cli_args *a)
{
	char		 why[256];
	const char	*t = a->opt[O_DATABASE] != NULL ? a->opt[O_DATABASE] :
	    m->c->cfg->admin_database;

	if (pf_store_engine(t) != PF_STORE_POSTGRESQL) {
		fprintf(stderr, "privforms: migrate: name the PostgreSQL "
		    "database to copy into with --database CONNINFO (a libpq "
		    "connection string)\n");
		return 1;
	}
	if (pf_store_database_check(t, why, sizeof(why)) != NULL) {
		fprintf(stderr, "privforms: migrate: %s: %s\n",
		    a->opt[O_DATABASE] != NULL ? "--database" :
		    "admin_database", why);
		return 1;
	}
	m->target = t;
	return 0;
}

/* The source: the configuration's SQLite file, opened as the forms open it. */
static int
open_source(struct migrate *m)
{
	struct pf_store_opts	 o;
	struct ctx		*c = m->c;
	int			 rc;

	if (!cli_db_is_file(c)) {
		fprintf(stderr, "privforms: migrate: the site's database is "
		    "PostgreSQL already (database in %s)\n", c->cfg->path);
		return 1;
	}
	if (access(c->cfg->database, F_OK) != 0) {
		fprintf(stderr, "privforms: migrate: %s: %s (is database in %s "
		    "right?)\n", c->cfg->database, strerror(errno), c->cfg->path);
		return 1;
	}
	o.path = c->cfg->database;
	o.journal_mode = c->cfg->journal_mode;
	o.busy_timeout_ms = c->cfg->busy_timeout_ms;
	if ((rc = pf_store_open(&o, &c->st)) != PF_OK) {
		fprintf(stderr, "privforms: migrate: %s: %s\n",
		    c->cfg->database, pf_strerror(rc));
		return 1;
	}
	return 0;
}

/* The target, with privforms' schema made (init's): 0 or 1 said. */
static int
open_target(struct migrate *m)
{
	struct pf_store_opts	 o = { m->target, NULL,
	    m->c->cfg->busy_timeout_ms };
	int			 rc;

	if ((rc = pf_store_open(&o, &m->to)) != PF_OK) {
		fprintf(stderr, "privforms: migrate: %s: %s (nothing copied)\n",
		    m->target, pf_strerror(rc));
		return 1;
	}
	return 0;
}

/* Both schemas hold the tables the copy knows, and no other. */
static int
tables_known(struct migrate *m)
{
	struct pf_store	*side[2] = { m->c->st, m->to };
	const char	*name[2] = { "the source", "the target" };
	char		 why[160];
	int		 i, rc;

	for (i = 0; i < 2; i++)
		if ((rc = pf_store_tables_check(side[i], why,
		    sizeof(why))) != PF_OK) {
			fprintf(stderr, "privforms: migrate: %s: %s (nothing "
			    "copied)\n", name[i], rc == PF_ECONFIG ? why :
			    pf_strerror(rc));
			return 1;
		}
	return 0;
}

/*
 * The trail of st (inside its transaction) checks: *records its last seq
 * and head that record's digest.  0, or 1 said with the report.
 */
static int
trail_ok(struct migrate *m, struct pf_store *st, const char *side,
    long long *records, char head[65])
{
	long long	 bad = 0;
	int		 rc;

	rc = pf_audit_verify_db(st, m->c->cfg->audit_schema, stderr, &bad,
	    records, head);
	if (rc == PF_OK)
		return 0;
	fprintf(stderr, "privforms: migrate: the audit trail in %s does not "
	    "check", side);
	if (rc == PF_EXML)
		fprintf(stderr, " from record %lld on (privforms audit verify "
		    "says more)", bad);
	else
		fprintf(stderr, ": %s", pf_strerror(rc));
	fprintf(stderr, " (nothing copied)\n");
	return 1;
}

/* table of the target has no row: 0, or 1 said. */
static int
table_empty(struct migrate *m, const char *table)
{
	long long	 n = 0;
	int		 rc;

	if ((rc = pf_store_table_rows(m->to, table, &n)) != PF_OK) {
		fprintf(stderr, "privforms: migrate: the target: %s "
		    "(nothing copied)\n", pf_strerror(rc));
		return 1;
	}
	if (n > 0) {
		fprintf(stderr, "privforms: migrate: the target is not "
		    "empty (table %s has %lld rows): migrate copies "
		    "into an empty database only (nothing copied)\n",
		    table, n);
		return 1;
	}
	return 0;
}

/*
 * The target has no row in any table, the site's (pf_store_tables) or
 * the engine's own (audit_pending: records of a site already served from
 * it), but schema_version, which init filled.
 */
static int
target_empty(struct migrate *m)
{
	const char *const *t;

	for (t = pf_store_tables; *t != NULL; t++)
		if (table_empty(m, *t))
			return 1;
	for (t = pf_store_tables_own; *t != NULL; t++)
		if (strcmp(*t, "schema_version") != 0 && table_empty(m, *t))
			return 1;
	return 0;
}

/* Copy one table and count it on both sides: 0, or 1 said. */
static int
copy_table(struct migrate *m, const char *table)
{
	long long	 copied = 0, from = 0, to = 0;
	int		 rc;

	if ((rc = pf_store_table_copy(m->c->st, m->to, table, &copied)) ==
	    PF_OK && (rc = pf_store_table_rows(m->c->st, table, &from)) ==
	    PF_OK)
		rc = pf_store_table_rows(m->to, table, &to);
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: migrate: copying table %s failed: "
		    "%s (the target is left empty)\n", table, pf_strerror(rc));
		return 1;
	}
	if (from != to || copied != from) {
		fprintf(stderr, "privforms: migrate: table %s: %lld rows in "
		    "the source, %lld copied, %lld in the target (the target "
		    "is left empty)\n", table, from, copied, to);
		return 1;
	}
	printf("  %-16s %lld rows\n", table, to);
	return 0;
}

/* Every table, then the target's trail against the source's: 0, or 1 said. */
static int
copy_all(struct migrate *m)
{
	const char *const *t;
	long long	 records = 0;
	char		 head[65];

	for (t = pf_store_tables; *t != NULL; t++)
		if (copy_table(m, *t) != 0)
			return 1;
	if (trail_ok(m, m->to, "the target", &records, head) != 0)
		return 1;
	if (records != m->records || strcmp(head, m->head) != 0) {
		fprintf(stderr, "privforms: migrate: the target's audit trail "
		    "ends at record %lld, the source's at %lld (the target is "
		    "left empty)\n", records, m->records);
		return 1;
	}
	return 0;
}

/*
 * In one snapshot of the source and one transaction of the target: the
 * source's trail, the target empty, the copy, the checks; then commit.
 */
static int
migrate_run(struct migrate *m)
{
	struct pf_store	*src = m->c->st;
	int		 rc;

	if ((rc = pf_store_begin_read(src)) != PF_OK) {
		fprintf(stderr, "privforms: migrate: %s: %s (nothing copied)\n",
		    m->c->cfg->database, pf_strerror(rc));
		return 1;
	}
	if (trail_ok(m, src, "the source", &m->records, m->head) != 0) {
		pf_store_rollback(src);
		return 1;
	}
	if ((rc = pf_store_begin(m->to)) != PF_OK) {
		pf_store_rollback(src);
		fprintf(stderr, "privforms: migrate: %s: %s (nothing copied)\n",
		    m->target, pf_strerror(rc));
		return 1;
	}
	if (target_empty(m) != 0 || copy_all(m) != 0)
		rc = PF_ESTORE;
	else if ((rc = pf_store_commit(m->to)) != PF_OK)
		fprintf(stderr, "privforms: migrate: committing the copy "
		    "failed: %s (the target is left empty)\n", pf_strerror(rc));
	if (rc != PF_OK)
		pf_store_rollback(m->to);
	pf_store_rollback(src);
	return rc == PF_OK ? 0 : 1;
}

/* The copy holds personal data: recorded first, as backup's is. */
static int
record_read(struct migrate *m)
{
	long long	 optouts = 0, dnc = 0;
	int		 rc;

	if ((rc = pf_store_optout_count(m->c->st, &optouts)) != PF_OK ||
	    (rc = pf_store_dnc_count(m->c->st, &dnc)) != PF_OK) {
		fprintf(stderr, "privforms: migrate: %s\n", pf_strerror(rc));
		return 1;
	}
	return cli_read_audit(m->c, "migrate", optouts + dnc);
}

static int
cmd_migrate(struct ctx *c, const struct cli_args *a)
{
	struct migrate	 m;
	int		 rc;

	memset(&m, 0, sizeof(m));
	m.c = c;
	if (strcmp(a->opt[O_TO], "postgresql") != 0) {
		fprintf(stderr, "privforms: migrate: --to: only postgresql\n");
		return CLI_USAGE;
	}
	if (c->cfg == NULL && cli_load(c) != 0)
		return 1;
	rc = target_of(&m, a) != 0 || open_source(&m) != 0 ||
	    open_target(&m) != 0 || tables_known(&m) != 0;
	/* Empty before the read is recorded; checked again in the copy's. */
	if (rc == 0 && (rc = target_empty(&m)) == 0 &&
	    (rc = record_read(&m)) == 0) {
		printf("migrate: %s -> %s\n", c->cfg->database, m.target);
		rc = migrate_run(&m);
	}
	pf_store_close(m.to);
	if (rc == 0)
		printf("audit trail: %lld records, the last %s, checked on both "
		    "sides\ndone: set database (and admin_database) in %s to "
		    "the new database, then start the site again\n",
		    m.records, m.head, c->cfg->path);
	return rc;
}
