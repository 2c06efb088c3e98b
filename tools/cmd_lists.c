/*
 * cmd_lists.c -- privforms lists: the mailing lists (lists.h) with their
 * subscriber counts, and a list's subscribed or suppressed addresses for
 * the mail system (subscription.h).
 *
 * The subscribed export is the rows of state subscribed (a pending
 * double opt-in is not subscribed), less anyone with an opt-out of the
 * list, which the rules never leave beside a subscription but which no
 * export may contradict.  The suppressed export is the optout table's
 * answer for the list: everyone opted out of it, or of every list on its
 * channel and not subscribed to it (a subscription overrides an opt-out
 * of all for its own list, subscription.h).  An erased person's opt-out survives only as a keyed
 * pseudonym (erasure.h), which is no address: it cannot be in either
 * export, and standard error says how many there are (scrub a list with
 * `privforms unsubscribes scrub`, which knows them).
 *
 * Both exports are personal data in bulk: each is recorded as a
 * personal-data-read (what lists-export) before anything is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csv.h"
#include "err.h"
#include "lists.h"
#include "nitems.h"
#include "store.h"

static int	cmd_lists(struct ctx *, const struct cli_args *);
static int	cmd_export(struct ctx *, const struct cli_args *);

enum { O_FORMAT, O_SUPPRESSED };

static const struct cli_spec export_spec = {
	.opt = {
		[O_FORMAT] = { "--format", CLI_VALUE | CLI_ONCE },
		[O_SUPPRESSED] = { "--suppressed", CLI_ONCE },
	},
	.min = 1, .max = 1,
};

/* What --help prints; privforms(8) says the same at more length. */
const struct cmd cmds_lists[] = {
	{ "lists export", cmd_export, &export_spec,
	  "LIST [--format csv] [--suppressed]",
	  "Write the addresses subscribed to LIST (an id of mailing_lists), as\n"
	  "CSV with a header line: address (the email key, or the number in\n"
	  "E.164 for an SMS list), list, confirmed (when the subscription\n"
	  "began, UTC), method (signup or preferences).  A subscription that\n"
	  "waits for its double opt-in confirmation is not in it, nor is\n"
	  "anyone opted out of LIST.  With --suppressed, instead those never\n"
	  "to be sent LIST: every address opted out of it, or of every list\n"
	  "on its channel and not subscribed to LIST (address, list); a\n"
	  "subscription overrides an opt-out of every list for its own list\n"
	  "only, which `unsubscribes check` still counts.  People erased\n"
	  "by `request erase` are kept only as keyed pseudonyms, which are not\n"
	  "addresses and are in neither export: standard error says how many,\n"
	  "and `privforms unsubscribes scrub` removes them from a list of\n"
	  "addresses.  The export is recorded as a personal-data-read (what\n"
	  "lists-export) before it is written." },
	{ "lists", cmd_lists, NULL, "",
	  "Print the mailing lists of mailing_lists, one line each, separated\n"
	  "by tabs after a header line: id, channel (email or sms), double\n"
	  "opt-in (yes or no), and how many are subscribed (confirmed, and not\n"
	  "opted out)." },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* c's mailing lists into *l: 0, or 1 said. */
static int
lists_load(struct ctx *c, struct pf_lists *l)
{
	char	*why = NULL;

	if (c->cfg == NULL && cli_load(c) != 0)
		return 1;
	if (pf_lists_load_config(c->cfg, l, &why) == PF_OK)
		return 0;
	fprintf(stderr, "privforms: mailing_lists: %s\n",
	    why != NULL ? why : "out of memory");
	free(why);
	return 1;
}

/* The table and its counts, from one snapshot. */
static int
table_fill(struct ctx *c, FILE *f, void *arg)
{
	const struct pf_lists	*l = arg;
	long long		 n;
	size_t			 i;
	int			 rc;

	if ((rc = pf_store_begin_read(c->st)) != PF_OK)
		return rc;
	fprintf(f, "id\tchannel\tdouble_opt_in\tsubscribers\n");
	for (i = 0; i < l->n && rc == PF_OK; i++)
		if ((rc = pf_store_sub_count(c->st, l->lists[i].id,
		    &n)) == PF_OK)
			fprintf(f, "%s\t%s\t%s\t%lld\n", l->lists[i].id,
			    l->lists[i].channel,
			    l->lists[i].double_opt_in ? "yes" : "no", n);
	pf_store_rollback(c->st);
	return rc;
}

static int
cmd_lists(struct ctx *c, const struct cli_args *a)
{
	struct pf_lists	 l;
	int		 rc;

	(void)a;
	if (lists_load(c, &l) != 0)
		return 1;
	rc = cli_open_store(c) != 0 ||
	    cli_buffered("lists", table_fill, c, &l) != 0;
	pf_lists_clear(&l);
	return rc;
}

/*
 * What an export is asked for, and what it wrote and left out.  Its rows
 * are for a mail system, not a spreadsheet: an address is written exactly
 * (PF_CSV_EXACT), since one changed to defuse a formula would be mailed,
 * or not suppressed, as another address.
 */
struct export {
	const struct pf_mlist	*m;
	int			 suppressed;
	FILE			*f;
	long long		 rows;
	long long		 erased;
};

static int
sub_row(const struct pf_subscription *s, void *arg)
{
	struct export	*x = arg;
	const char	*v[] = { s->address, s->list, s->confirmed, s->method };

	pf_csv_row(x->f, v, nitems(v), PF_CSV_EXACT);
	x->rows++;
	return 0;
}

static int
suppressed_row(const char *address, void *arg)
{
	struct export	*x = arg;
	const char	*v[] = { address, x->m->id };

	pf_csv_row(x->f, v, nitems(v), PF_CSV_EXACT);
	x->rows++;
	return 0;
}

/* The rows and the count of what they leave out, from one snapshot. */
static int
export_fill(struct ctx *c, FILE *f, void *arg)
{
	struct export	*x = arg;
	int		 rc;

	x->f = f;
	if ((rc = pf_store_begin_read(c->st)) != PF_OK)
		return rc;
	fprintf(f, "%s\r\n", x->suppressed ? "address,list" :
	    "address,list,confirmed,method");
	if ((rc = pf_store_sub_erased(c->st, x->m->channel,
	    &x->erased)) == PF_OK)
		rc = x->suppressed ? pf_store_sub_suppressed(c->st,
		    x->m->channel, x->m->id, suppressed_row, x) :
		    pf_store_sub_list(c->st, x->m->id, sub_row, x);
	pf_store_rollback(c->st);
	return rc;
}

static int
cmd_export(struct ctx *c, const struct cli_args *a)
{
	struct export	 x = { .suppressed = a->opt[O_SUPPRESSED] != NULL };
	struct pf_lists	 l;
	int		 rc = 1;

	if (a->opt[O_FORMAT] != NULL && strcmp(a->opt[O_FORMAT], "csv") != 0) {
		fprintf(stderr, "privforms: lists export: --format must be "
		    "csv\n");
		return CLI_USAGE;
	}
	if (lists_load(c, &l) != 0)
		return 1;
	if ((x.m = pf_lists_find(&l, a->pos[0])) == NULL)
		fprintf(stderr, "privforms: lists export: no such list in "
		    "mailing_lists (%s); `privforms lists` names them\n",
		    c->cfg->mailing_lists);
	else if (cli_open_store(c) == 0 && cli_buffered_read("lists export",
	    export_fill, c, &x, &x.rows) == 0) {
		rc = 0;
		if (x.erased > 0)
			fprintf(stderr, "privforms: lists export: %lld erased "
			    "%s kept only as keyed pseudonyms and not in this "
			    "export; scrub with `privforms unsubscribes "
			    "scrub`\n", x.erased, x.erased == 1 ?
			    "person's opt-out is" : "people's opt-outs are");
	}
	pf_lists_clear(&l);
	return rc;
}
