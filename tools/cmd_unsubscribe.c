/*
 * cmd_unsubscribe.c -- privforms unsubscribe-link, unsubscribes check,
 * export and scrub.
 *
 * An erased opt-out survives only as a keyed hash in the suppression
 * list, which no export can list: check and scrub answer for it, and
 * export says how many it leaves out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "csv.h"
#include "err.h"
#include "keys.h"
#include "nitems.h"
#include "optout.h"
#include "store.h"
#include "utc.h"
#include "validate.h"

static int	cmd_link(struct ctx *, const struct cli_args *);
static int	cmd_check(struct ctx *, const struct cli_args *);
static int	cmd_export(struct ctx *, const struct cli_args *);
static int	cmd_scrub(struct ctx *, const struct cli_args *);

enum { O_EMAIL, O_LIST, O_LANG };	/* unsubscribe-link */

static const struct cli_spec link_spec = { .opt = {
	[O_EMAIL] = { "--email", CLI_VALUE | CLI_REQUIRED },
	[O_LIST] = { "--list", CLI_VALUE },
	[O_LANG] = { "--lang", CLI_VALUE | CLI_ONCE },
} };
static const struct cli_spec check_spec = {
	.opt = { { "--country", CLI_VALUE } }, .min = 1, .max = 1,
};

const struct cmd cmds_unsubscribe[] = {
	{ "unsubscribe-link", cmd_link, &link_spec,
	  "--email ADDRESS [--list ID] [--lang TAG]",
	  "Print the RFC 8058 one-click unsubscribe URL for ADDRESS (and mailing\n"
	  "list ID), signed and valid for unsubscribe_link_days.  Put it in the\n"
	  "List-Unsubscribe header, with List-Unsubscribe-Post:\n"
	  "List-Unsubscribe=One-Click.  The link's page, and the opt-out it\n"
	  "records, are in language TAG (one of the languages offered, as\n"
	  "spelt there: de, pt-BR; by default default_language): the language\n"
	  "of the mail it is put in." },
	{ "unsubscribes check", cmd_check, &check_spec,
	  "ADDRESS [--country CC]",
	  "Has ADDRESS opted out of marketing?  Exit 0 if it has (do not send),\n"
	  "1 if it has not, 2 on an error (an invalid address or number, no\n"
	  "database).  ADDRESS is an email address or a phone number (for\n"
	  "SMS), read as the unsubscribe form reads them: a number without a\n"
	  "country code is read in --country (ISO 3166-1 alpha-2), by default\n"
	  "phone_region.  An opt-out of any list counts.  An address whose\n"
	  "opt-out was erased (`request erase`) has still opted out: it is\n"
	  "kept as a keyed pseudonym, and checking it needs the key file once\n"
	  "anything has been erased; a key that cannot be read is an error\n"
	  "(exit 2), never \"not opted out\"." },
	{ "unsubscribes export", cmd_export, NULL, "",
	  "Write the opt-outs as CSV on standard output: address, channel,\n"
	  "list (empty: every list), time of the first opt-out (UTC).\n"
	  "Opt-outs erased by `request erase` are kept only as keyed hashes\n"
	  "and cannot be exported: once there are any, standard error says\n"
	  "how many are left out, and a mailing list must be scrubbed with\n"
	  "`privforms unsubscribes scrub` (or each address checked with\n"
	  "`unsubscribes check`), not against an export.  The exit status\n"
	  "is the same." },
	{ "unsubscribes scrub", cmd_scrub, &cli_scrub_spec, "[--country CC]",
	  "Scrub a mailing list: read it on standard input, one email address\n"
	  "a line, or one phone number for an SMS list (read as the\n"
	  "unsubscribe form reads them; a number without a country code in\n"
	  "--country, by default phone_region), and write to standard output\n"
	  "only the lines that may be sent marketing, unchanged.  An address\n"
	  "that has opted out of any list, or whose opt-out was erased\n"
	  "(`request erase`), is left out, and so is a line that is neither a\n"
	  "valid address nor a valid number.  Standard error gets the line\n"
	  "number of each invalid line and a summary: lines read, kept,\n"
	  "removed, invalid.  Once anything has been erased the key file is\n"
	  "needed.  Exit 0, or 2 on an error (no database, a key that cannot\n"
	  "be read), and then nothing at all is written." },
	{ NULL, NULL, NULL, NULL, NULL },
};

static int
cmd_link(struct ctx *c, const struct cli_args *a)
{
	struct pf_keys		 keys;
	const char		*why = NULL;
	char			*url = NULL;
	int			 rc;

	if (cli_link_lang(c, a->opt[O_LANG]) != 0 ||
	    cli_load_keys(c, &keys) != 0)
		return 1;
	rc = pf_optout_link(c->cfg, &keys, a->opt[O_EMAIL], a->opt[O_LIST],
	    time(NULL), &url, &why);
	if (rc != PF_OK)
		fprintf(stderr, "privforms: %s\n", why != NULL ? why :
		    pf_strerror(rc));
	else
		printf("%s\n", url);
	free(url);
	return rc == PF_OK ? 0 : 1;
}

static int
copy_created(const struct pf_optout *o, void *arg)
{
	char	*since = arg;

	/* The day of the first opt-out (stored times sort as text). */
	if (since[0] == '\0' || strncmp(o->created, since, 10) < 0)
		snprintf(since, PF_DATE_SIZE, "%s", o->created);
	return 0;
}

/*
 * ADDRESS as the unsubscribe form stores it: the email key of an email
 * address, the E.164 form of a phone number.  *kind is the pseudonym's
 * kind, *channel what an erased opt-out of it suppresses.  0, or 1 said.
 */
static int
check_address(struct ctx *c, const char *address, const char *country,
    char **out, const char **kind, const char **channel)
{
	char		 e164[PF_PHONE_E164_SIZE], *norm = NULL;
	const char	*why;

	if (strchr(address, '@') == NULL) {
		*kind = "phone", *channel = "sms";
		if (cli_phone(c, address, country, e164) != 0)
			return 1;
		*out = strdup(e164);
	} else {
		*kind = *channel = "email";
		if ((why = pf_valid_email(address, NULL, &norm)) != NULL) {
			fprintf(stderr, "privforms: %s: %s\n", address, why);
			return 1;
		}
		*out = pf_email_key(norm);
		free(norm);
	}
	if (*out == NULL) {
		fprintf(stderr, "privforms: %s\n", pf_strerror(PF_ENOMEM));
		return 1;
	}
	return 0;
}

static int
cmd_check(struct ctx *c, const struct cli_args *a)
{
	const char	*kind, *channel;
	char		*key = NULL, since[PF_DATE_SIZE] = "";
	int		 rc, status = 2;

	if (check_address(c, a->pos[0], a->opt[0], &key, &kind,
	    &channel) != 0 ||
	    cli_open_store(c) != 0)
		goto out;
	if ((rc = pf_store_optout_of(c->st, key, copy_created,
	    since)) == PF_OK && since[0] != '\0') {
		printf("%s opted out since %s\n", key, since);
		status = 0;
	} else if (rc == PF_OK &&
	    (rc = cli_suppressed(c, kind, key, channel)) == PF_OK) {
		printf("%s opted out (erased entry)\n", key);
		status = 0;
	} else if (rc == PF_ENOTFOUND) {
		printf("%s not opted out\n", key);
		status = 1;
	} else if (rc != PF_ECONFIG)	/* said by cli_load_keys */
		fprintf(stderr, "privforms: unsubscribes check: %s\n",
		    pf_strerror(rc));
out:
	free(key);
	return status;
}

/* What an export writes to and counts. */
struct export {
	FILE		*f;
	long long	 rows;		/* opt-outs written */
	long long	 erased;	/* and left out */
};

static int
export_row(const struct pf_optout *o, void *arg)
{
	struct export	*x = arg;
	const char	*v[] = { o->address, o->channel, o->list,
	    o->created };

	pf_csv_row(x->f, v, nitems(v), PF_CSV_SHEET);
	x->rows++;
	return 0;
}

/*
 * The opt-outs and the count of what the export cannot hold (*arg), from
 * one snapshot: an erasure between the two would otherwise be neither
 * exported nor counted.
 */
static int
export_all(struct ctx *c, FILE *f, void *arg)
{
	struct export	*x = arg;
	int		 rc;

	x->f = f;
	if ((rc = pf_store_begin_read(c->st)) != PF_OK)
		return rc;
	fprintf(f, "address,channel,list,time\r\n");
	if ((rc = pf_store_suppress_contacts(c->st, &x->erased)) == PF_OK)
		rc = pf_store_optout_each(c->st, export_row, x);
	pf_store_rollback(c->st);
	return rc;
}

static int
cmd_export(struct ctx *c, const struct cli_args *a)
{
	struct export	 x = { NULL, 0, 0 };
	long long	 erased;

	(void)a;
	if (cli_open_store(c) != 0 ||
	    cli_buffered_read("unsubscribes export", export_all, c, &x,
	    &x.rows) != 0)
		return 1;
	if ((erased = x.erased) > 0)
		fprintf(stderr, "privforms: unsubscribes export: %lld erased "
		    "%s (of all channels: email, SMS, calls) %s kept only as "
		    "keyed hashes and not in this export; scrub mailing lists "
		    "with `privforms unsubscribes scrub`\n", erased,
		    erased == 1 ? "entry" : "entries", erased == 1 ? "is" : "are");
	return 0;
}

static int
optout_found(const struct pf_optout *o, void *arg)
{
	(void)o;
	*(int *)arg = 1;
	return 0;
}

/*
 * May line, an email address or a phone number, be sent marketing?  arg
 * is the region for numbers (cli_verdict).  An opt-out of any list, on any
 * channel, counts: a scrub does not know which list is being sent.
 */
static int
scrub_verdict(struct ctx *c, const char *line,
    const struct cli_suppression *s, void *arg, int *keep, const char **why)
{
	const char	*kind, *channel;
	char		*key = NULL;
	int		 found = 0, rc;

	if ((rc = pf_contact_key(line, arg, &kind, &key, why)) != PF_OK)
		return rc;
	channel = strcmp(kind, "phone") == 0 ? "sms" : "email";
	rc = pf_store_optout_of(c->st, key, optout_found, &found);
	if (rc == PF_ENOTFOUND || (rc == PF_OK && !found))
		rc = cli_suppression_has(c, s, kind, key, channel);
	/* PF_OK now: opted out, or erased and suppressed. */
	*keep = rc == PF_ENOTFOUND;
	if (rc == PF_ENOTFOUND)
		rc = PF_OK;
	free(key);
	return rc;
}

static int
cmd_scrub(struct ctx *c, const struct cli_args *a)
{
	return cli_scrub(c, "unsubscribes scrub", scrub_verdict, a);
}
