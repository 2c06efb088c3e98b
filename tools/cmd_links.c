/*
 * cmd_links.c -- privforms links: for each recipient of a marketing mail,
 * the links and header values a mailer stamps on the message at send time
 * (RFC 2369's List-Unsubscribe, RFC 8058's one-click List-Unsubscribe-Post).
 *
 * Reads CSV (csv.h) on standard input, address,list per row, with an
 * optional header line "address,list"; writes CSV on standard output, a
 * header line and then per good row
 *
 *	address,list,preferences_url,unsubscribe_url,list_unsubscribe,
 *	list_unsubscribe_post
 *
 * address and list as they were read (the mailer joins on them), the
 * preference page's link (preflink.h), the one-click link for that list
 * (optout.h; an empty list: every list), "<" unsubscribe_url ">" and
 * "List-Unsubscribe=One-Click".  Written without the spreadsheet guard
 * (csv.h): a mailer must get each address back exactly as it sent it.
 *
 * A refused row is named on standard error by its number and what is
 * wrong with it, never by what it holds: an address is personal data,
 * and a row with its columns swapped has one where the list should be.
 * The good rows are written all the same; the exit status is then 1.
 * Nothing is stored and nothing is recorded: the links are made from the
 * key alone.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "csv.h"
#include "err.h"
#include "keys.h"
#include "lang.h"
#include "lists.h"
#include "nitems.h"
#include "optout.h"
#include "preflink.h"
#include "validate.h"

static int	cmd_links(struct ctx *, const struct cli_args *);

enum { O_FORMAT, O_LANG };

static const struct cli_spec links_spec = { .opt = {
	[O_FORMAT] = { "--format", CLI_VALUE | CLI_ONCE },
	[O_LANG] = { "--lang", CLI_VALUE | CLI_ONCE },
} };

const struct cmd cmds_links[] = {
	{ "links", cmd_links, &links_spec, "[--format csv] [--lang TAG]",
	  "For a mailer: read recipients as CSV (RFC 4180) on standard input,\n"
	  "one address,list per row (an optional first line address,list is\n"
	  "a header), and write CSV on standard output: a header line, then\n"
	  "per row address,list,preferences_url,unsubscribe_url,\n"
	  "list_unsubscribe,list_unsubscribe_post.  preferences_url is the\n"
	  "signed link to the address's preference page (valid\n"
	  "preferences_link_days); unsubscribe_url the RFC 8058 one-click link\n"
	  "that opts the address out of that list only (of every list when\n"
	  "the list is empty; valid unsubscribe_link_days); list_unsubscribe\n"
	  "and list_unsubscribe_post the values of the List-Unsubscribe and\n"
	  "List-Unsubscribe-Post headers.  list is the id of an email list of\n"
	  "mailing_lists.  The links' pages are in language TAG (one of the\n"
	  "languages offered, as spelt there; by default default_language).\n"
	  "A row with an unknown list, an SMS list, an invalid address or\n"
	  "broken CSV (a stray quote, a control character, invalid UTF-8, a\n"
	  "field over 1024 bytes, a row over 2048) is named on standard error\n"
	  "by its number (the header line is row 1), never by its contents;\n"
	  "the other rows are still written, and the exit status is 1.  A\n"
	  "blank line is skipped.  Exit 0 when every row was written." },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* A row: an address of 254 bytes and blanks around it, a list id. */
static const struct pf_csv_limits limits = { 1024, 2048, 2, 0 };

static const char *const header[] = { "address", "list", "preferences_url",
    "unsubscribe_url", "list_unsubscribe", "list_unsubscribe_post" };

/* RFC 8058's one value of List-Unsubscribe-Post. */
#define ONE_CLICK	"List-Unsubscribe=One-Click"

/* What a run holds and counts. */
struct run {
	struct ctx		*c;
	struct pf_keys		 keys;
	struct pf_lists		 lists;
	time_t			 now;
	unsigned long		 written, refused;
};

/* Say why row n is refused. */
static void __attribute__((format(printf, 3, 4)))
refuse(struct run *r, unsigned long n, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "privforms: links: row %lu: ", n);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	putc('\n', stderr);
	r->refused++;
}

/*
 * The email list a row names (NULL for "": every list), or NULL with the
 * row refused.  An id is shown only when it is one (a-z, 0-9, - and _):
 * what is not one may be an address in the wrong column.
 */
static int
row_list(struct run *r, const struct pf_csv_row *row,
    const struct pf_mlist **out)
{
	const char	*id = row->field[1];
	size_t		 n = strlen(id);

	*out = NULL;
	if (*id == '\0')
		return 0;
	if ((*out = pf_lists_find(&r->lists, id)) != NULL &&
	    strcmp((*out)->channel, "email") == 0)
		return 0;
	if (*out != NULL)
		refuse(r, row->number, "list %s is a list of text messages, "
		    "which carry no links", id);
	else if (n <= PF_LIST_ID_MAX && strspn(id, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == n)
		refuse(r, row->number, "no list %s in mailing_lists (%s)", id,
		    r->c->cfg->mailing_lists);
	else
		refuse(r, row->number, "the list is not a list id (a-z, 0-9, "
		    "- and _; is it in the second column?)");
	return 1;
}

/*
 * The links of one good row, written: PF_OK, or PF_EINVAL with the row
 * refused, or a failure (PF_ENOMEM) that ends the run.
 */
static int
row_links(struct run *r, const struct pf_csv_row *row,
    const struct pf_mlist *list)
{
	const char	*why = NULL, *v[nitems(header)];
	char		*pref = NULL, *unsub = NULL, *angle = NULL;
	size_t		 n;
	int		 rc;

	rc = pf_pref_link(r->c->cfg, &r->keys, "email", row->field[0], NULL,
	    r->now, &pref, &why);
	if (rc == PF_OK)
		rc = pf_optout_link(r->c->cfg, &r->keys, row->field[0],
		    list != NULL ? list->id : "", r->now, &unsub, &why);
	if (rc == PF_OK) {
		n = strlen(unsub) + 3;
		if ((angle = malloc(n)) == NULL)
			rc = PF_ENOMEM;
		else
			snprintf(angle, n, "<%s>", unsub);
	}
	if (rc == PF_EINVAL)
		refuse(r, row->number, "the address: %s", why != NULL ? why :
		    pf_strerror(rc));
	if (rc == PF_OK) {
		v[0] = row->field[0], v[1] = row->field[1], v[2] = pref;
		v[3] = unsub, v[4] = angle, v[5] = ONE_CLICK;
		pf_csv_row(stdout, v, nitems(v), PF_CSV_EXACT);
		r->written++;
	}
	free(angle);
	free(unsub);
	free(pref);
	return rc;
}

/* One record: skipped, written or refused.  PF_OK, or the run ends. */
static int
one_row(struct run *r, const struct pf_csv_row *row)
{
	const struct pf_mlist	*list;
	int			 rc;

	if (row->n == 1 && row->field[0][0] == '\0')
		return PF_OK;			/* a blank line */
	if (row->number == 1 && row->n == 2 &&
	    strcasecmp(row->field[0], "address") == 0 &&
	    strcasecmp(row->field[1], "list") == 0)
		return PF_OK;			/* the header */
	if (row->n != 2) {
		refuse(r, row->number, "one field; a row is address,list");
		return PF_OK;
	}
	if (row_list(r, row, &list) != 0)
		return PF_OK;
	rc = row_links(r, row, list);
	return rc == PF_EINVAL ? PF_OK : rc;
}

/* Every row of standard input.  PF_OK, or what ended the run. */
static int
all_rows(struct run *r)
{
	struct pf_csv		*in;
	struct pf_csv_row	 row;
	const char		*why;
	int			 rc;

	if ((rc = pf_csv_open(stdin, &limits, &in)) != PF_OK)
		return rc;
	pf_csv_row(stdout, header, nitems(header), PF_CSV_EXACT);
	while ((rc = pf_csv_read(in, &row, &why)) != PF_ENOTFOUND) {
		if (rc == PF_EINVAL || rc == PF_ETOOBIG)
			refuse(r, row.number, "%s", why);
		else if (rc != PF_OK || (rc = one_row(r, &row)) != PF_OK)
			break;
	}
	pf_csv_close(in);
	return rc == PF_ENOTFOUND ? PF_OK : rc;
}

static int
cmd_links(struct ctx *c, const struct cli_args *a)
{
	struct run	 r = { .c = c, .now = time(NULL) };
	char		*why = NULL;
	int		 rc;

	if (a->opt[O_FORMAT] != NULL && strcmp(a->opt[O_FORMAT], "csv") != 0) {
		fprintf(stderr, "privforms: links: --format %s: not one of "
		    "csv\n", a->opt[O_FORMAT]);
		return CLI_USAGE;
	}
	if (cli_link_lang(c, a->opt[O_LANG]) != 0 ||
	    cli_load_keys(c, &r.keys) != 0)
		return 1;
	if (pf_lists_load_config(c->cfg, &r.lists, &why) != PF_OK) {
		fprintf(stderr, "privforms: %s\n", why != NULL ? why :
		    pf_strerror(PF_ENOMEM));
		free(why);
		return 1;
	}
	rc = all_rows(&r);
	pf_lists_clear(&r.lists);
	if (rc == PF_EIO)
		fprintf(stderr, "privforms: links: standard input: %s\n",
		    pf_strerror(rc));
	else if (rc != PF_OK)
		fprintf(stderr, "privforms: links: %s\n", pf_strerror(rc));
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "privforms: links: standard output: %s\n",
		    pf_strerror(PF_EIO));
		return 1;
	}
	if (r.refused > 0)
		fprintf(stderr, "privforms: links: %lu rows written, %lu "
		    "refused\n", r.written, r.refused);
	return rc == PF_OK && r.refused == 0 ? 0 : 1;
}
