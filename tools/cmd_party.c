/*
 * cmd_party.c -- privforms party link, party show: which verified
 * addresses are one person.
 *
 * Each address that verified a request is a party (store.h).  When the
 * team learns that two addresses are the same person, it links them, so
 * that an export or an erasure (`request export`, `request erase`) covers
 * both.  The link is the team's judgement, so it leaves an audit record;
 * the record names the parties by number, never by address.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "err.h"
#include "keys.h"
#include "store.h"

static int	cmd_link(struct ctx *, const struct cli_args *);
static int	cmd_show(struct ctx *, const struct cli_args *);

static const struct cli_spec link_spec = { .min = 2, .max = 2 };

const struct cmd cmds_party[] = {
	{ "party link", cmd_link, &link_spec, "ID ID",
	  "Make the two parties one individual: every party already linked\n"
	  "to the second joins the first's individual, so an export or an\n"
	  "erasure of either covers all of them.  Leaves an audit record.\n"
	  "Linking parties that are already one individual changes nothing.\n"
	  "`request show` names a request's party." },
	{ "party show", cmd_show, &cli_id_spec, "ID",
	  "List the parties of ID's individual: each one's number, when it\n"
	  "was first verified, and its email key (\"(erased)\" once its data\n"
	  "has been erased).  Recorded in the audit trail first\n"
	  "(personal-data-read: how many parties, never their addresses)." },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* What the commands need of a party, copied out of its row. */
struct party {
	long long	 individual;
	int		 erased;
	char		 subject[PF_HEX_DIGEST_LEN + 1];
	const struct pf_keys *keys;
};

static int
copy_party(const struct pf_party *p, void *arg)
{
	struct party	*q = arg;

	q->individual = p->individual;
	q->erased = p->email == NULL;
	if (q->erased || q->keys == NULL)
		return 0;
	return pf_pseudonym(q->keys, "email", p->email, q->subject);
}

/* Party id into q: 0, or 1 said. */
static int
load(struct ctx *c, const char *cmd, long long id, struct party *q)
{
	int	 rc;

	if ((rc = pf_store_party_get(c->st, id, copy_party, q)) == PF_OK)
		return 0;
	if (rc == PF_ENOTFOUND)
		fprintf(stderr, "privforms: %s: there is no party %lld\n", cmd,
		    id);
	else
		fprintf(stderr, "privforms: %s: %s\n", cmd, pf_strerror(rc));
	return 1;
}

/*
 * The record's subject is the first party's pseudonym (as in its
 * requests' records), so an auditor can follow the person; none once
 * that party's address is erased.
 */
static int
cmd_link(struct ctx *c, const struct cli_args *args)
{
	struct pf_keys	 keys;
	struct pf_txn	 t = { 0 };
	struct party	 a = { 0 }, b = { 0 };
	const char	*details[] = { "party", NULL, "other", NULL, NULL };
	char		 sa[24], sb[24];
	long long	 ida, idb;
	int		 rc;

	if ((ida = cli_positive(args->pos[0])) == 0 ||
	    (idb = cli_positive(args->pos[1])) == 0)
		return CLI_USAGE;
	snprintf(sa, sizeof(sa), "%lld", ida);
	snprintf(sb, sizeof(sb), "%lld", idb);
	details[1] = sa;
	details[3] = sb;
	a.keys = &keys;
	if (cli_load_keys(c, &keys) != 0 || cli_begin(c, &t) != PF_OK)
		return 1;
	if (load(c, "party link", ida, &a) != 0 ||
	    load(c, "party link", idb, &b) != 0) {
		pf_txn_rollback(&t);
		return 1;
	}
	if ((rc = pf_store_party_link(c->st, ida, idb)) != PF_OK ||
	    (rc = pf_txn_audit(&t, NULL, "party-linked",
	    a.erased ? NULL : a.subject, details)) != PF_OK ||
	    (rc = pf_txn_commit(&t)) != PF_OK) {
		pf_txn_rollback(&t);
		fprintf(stderr, "privforms: party link: %s\n", pf_strerror(rc));
		return 1;
	}
	printf("parties %lld and %lld are one individual (%lld)\n", ida, idb,
	    a.individual);
	return 0;
}

/* What `party show` writes to, and how many parties it lists. */
struct listing {
	FILE		*f;
	long long	 rows;
};

static int
party_row(const struct pf_party *p, void *arg)
{
	struct listing	*l = arg;

	fprintf(l->f, "%-8lld  %-27s  %s\n", p->id, p->created,
	    p->email != NULL ? p->email : "(erased)");
	l->rows++;
	return 0;
}

struct show_job {
	const struct party	*q;
	long long		 rows;	/* parties listed, for the record */
};

static int
show_fill(struct ctx *c, FILE *f, void *arg)
{
	struct show_job		*j = arg;
	struct listing		 l = { f, 0 };
	int			 rc;

	fprintf(f, "individual %lld\n", j->q->individual);
	fprintf(f, "%-8s  %-27s  %s\n", "PARTY", "CREATED", "EMAIL");
	rc = pf_store_party_each(c->st, j->q->individual, party_row, &l);
	j->rows = l.rows;
	return rc;
}

static int
cmd_show(struct ctx *c, const struct cli_args *a)
{
	struct party	 q = { 0 };
	struct show_job	 j = { &q, 0 };
	long long	 id;

	if ((id = cli_positive(a->pos[0])) == 0)
		return CLI_USAGE;
	if (cli_open_store(c) != 0 || load(c, "party show", id, &q) != 0)
		return 1;
	return cli_buffered_read("party show", show_fill, c, &j, &j.rows);
}
