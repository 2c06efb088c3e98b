/*
 * cmd_dnc.c -- privforms dnc check, export, remove: the dialer's and the
 * team's side of the Do-Not-Call register.
 *
 * Numbers are read exactly as the form reads them (phone.h), so a dialer
 * can pass a number in whatever format its call list has.  The web can
 * only add numbers; removing one takes `dnc remove` and leaves an audit
 * record with the operator's reason: a code from a fixed list, and a
 * ticket reference that matches audit_ticket_pattern, never free text.
 * An erased entry survives only as a keyed hash in the suppression list,
 * which no export can list: check and scrub answer for it, and export
 * says how many it leaves out.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_events.h"
#include "cli.h"
#include "config.h"
#include "csv.h"
#include "err.h"
#include "keys.h"
#include "nitems.h"
#include "phone.h"
#include "store.h"
#include "utc.h"
#include "validate.h"
#include "xmlw.h"

#define DNC_NS		"urn:privforms:dnc:1"

static int	cmd_check(struct ctx *, const struct cli_args *);
static int	cmd_export(struct ctx *, const struct cli_args *);
static int	cmd_remove(struct ctx *, const struct cli_args *);
static int	cmd_scrub(struct ctx *, const struct cli_args *);

enum { O_COUNTRY, O_REASON, O_TICKET };	/* dnc check and dnc remove */
enum { E_SINCE, E_FORMAT };		/* dnc export */

static const struct cli_spec check_spec = {
	.opt = { [O_COUNTRY] = { "--country", CLI_VALUE } }, .min = 1, .max = 1,
};
static const struct cli_spec remove_spec = { .opt = {
	[O_COUNTRY] = { "--country", CLI_VALUE },
	[O_REASON] = { "--reason", CLI_VALUE | CLI_ONCE | CLI_REQUIRED },
	[O_TICKET] = { "--ticket", CLI_VALUE | CLI_ONCE },
}, .min = 1, .max = 1 };
static const struct cli_spec export_spec = { .opt = {
	[E_SINCE] = { "--since", CLI_VALUE },
	[E_FORMAT] = { "--format", CLI_VALUE },
} };

const struct cmd cmds_dnc[] = {
	{ "dnc check", cmd_check, &check_spec, "NUMBER [--country CC]",
	  "Is NUMBER on the Do-Not-Call register?  Exit 0 if it is (do not\n"
	  "call), 1 if it is not, 2 on an error (an invalid number, no\n"
	  "database).  NUMBER may be written any way the form accepts:\n"
	  "\"(303) 749-2110\", \"+44 20 3318 1234\", \"011 44 ...\"; without a\n"
	  "country code it is read in --country (ISO 3166-1 alpha-2), by\n"
	  "default phone_region.  Prints the number in E.164 and the answer.\n"
	  "A number whose entry was erased (`request erase`) is still\n"
	  "registered: it is kept as a keyed pseudonym, and checking it needs\n"
	  "the key file once any entry has been erased; a key that cannot be\n"
	  "read is an error (exit 2), never \"not registered\"." },
	{ "dnc export", cmd_export, &export_spec,
	  "[--since DATE] [--format csv|xml]",
	  "Write the register on standard output: each number in E.164, the\n"
	  "country it belongs to, and when it was first and last\n"
	  "registered (UTC).  Names, companies and email addresses are not\n"
	  "exported: a dialer needs only the numbers.  --since YYYY-MM-DD\n"
	  "lists only numbers first registered on or after that day (to add\n"
	  "to a list; take a full export to replace one, since removals and\n"
	  "purges do not show in a --since export).  CSV (RFC 4180, the\n"
	  "default) or XML (namespace " DNC_NS ", etc/dnc-export.xsd).\n"
	  "Entries erased by `request erase` are kept only as keyed hashes\n"
	  "and cannot be exported: once there are any, standard error says\n"
	  "how many are left out, and a call list must be scrubbed with\n"
	  "`privforms dnc scrub` (or each number checked with `dnc check`),\n"
	  "not against an export.  The exit status is the same." },
	{ "dnc remove", cmd_remove, &remove_spec,
	  "NUMBER --reason CODE [--ticket REF] [--country CC]",
	  "Take NUMBER off the register (the web never can), leaving an audit\n"
	  "record with the reason, one of: subject-request (the number's\n"
	  "holder asked), registered-in-error (the holder never asked for\n"
	  "it), number-reassigned (the number now belongs to someone else),\n"
	  "legal-obligation (a court or regulator requires it).  --ticket\n"
	  "names the ticket that holds the rest (it must match\n"
	  "audit_ticket_pattern).  No free text reaches the record.  Exit 1\n"
	  "if NUMBER is not registered." },
	{ "dnc scrub", cmd_scrub, &cli_scrub_spec, "[--country CC]",
	  "Scrub a call list: read it on standard input, one number a line\n"
	  "written any way the form accepts (without a country code, read in\n"
	  "--country, by default phone_region), and write to standard output\n"
	  "only the lines that may be called, unchanged.  A number on the\n"
	  "register, or whose entry was erased (`request erase`), is left\n"
	  "out, and so is a line that is not a valid number.  Standard error\n"
	  "gets the line number of each invalid line and a summary: lines\n"
	  "read, kept, removed, invalid.  Once any entry has been erased the\n"
	  "key file is needed.  Exit 0, or 2 on an error (no database, a key\n"
	  "that cannot be read), and then nothing at all is written." },
	{ NULL, NULL, NULL, NULL, NULL },
};

static int
copy_created(const struct pf_dnc *d, void *arg)
{
	snprintf(arg, PF_DATE_SIZE, "%s", d->created);	/* the day: YYYY-MM-DD */
	return 0;
}

/*
 * The register is keyed by the number: the key file is read only for
 * numbers whose entry was erased (cli_suppressed).
 */
static int
cmd_check(struct ctx *c, const struct cli_args *a)
{
	char		 e164[PF_PHONE_E164_SIZE], since[PF_DATE_SIZE];
	int		 rc;

	if (cli_phone(c, a->pos[0], a->opt[O_COUNTRY], e164) != 0 ||
	    cli_open_store(c) != 0)
		return 2;
	rc = pf_store_dnc_get(c->st, e164, copy_created, since);
	if (rc == PF_OK) {
		printf("%s registered since %s\n", e164, since);
		return 0;
	}
	if (rc == PF_ENOTFOUND && (rc = cli_suppressed(c, "phone", e164, "call")) == PF_OK) {
		printf("%s registered (erased entry)\n", e164);
		return 0;
	}
	if (rc == PF_ENOTFOUND) {
		printf("%s not registered\n", e164);
		return 1;
	}
	if (rc != PF_ECONFIG)	/* said by cli_load_keys */
		fprintf(stderr, "privforms: dnc check: %s\n", pf_strerror(rc));
	return 2;
}

/* What an export writes, and what it leaves out. */
struct export {
	struct cli_rows	 rows;		/* the entries written */
	long long	 erased;	/* suppression rows: not exportable */
};

/*
 * What a dialer needs of an entry, no names, no address: the CSV columns
 * and the XML elements.
 */
static const struct pf_xmlw_field entry_fields[] = {
	PF_XMLW_FIELD(struct pf_dnc, number, "number"),
	PF_XMLW_FIELD(struct pf_dnc, country, "country"),
	PF_XMLW_FIELD(struct pf_dnc, created, "registered"),
	PF_XMLW_FIELD(struct pf_dnc, updated, "updated"),
};

static int
entry_row(const struct pf_dnc *d, void *arg)
{
	return cli_rows_put(arg, d);
}

/*
 * The export and the count of what it cannot hold, from one snapshot: an
 * erasure between the two would otherwise be neither exported nor counted.
 * Every string written passed the store's checks on the way in (E.164, an
 * ISO code, stored times), and xmlw.h checks again.
 */
static int
export_fill(struct ctx *c, FILE *f, void *arg)
{
	struct export	*x = arg;
	int		 rc;

	if ((rc = pf_store_begin_read(c->st)) != PF_OK)
		return rc;
	if ((rc = pf_store_suppress_contacts(c->st, &x->erased)) == PF_OK &&
	    (rc = cli_rows_begin(f, &x->rows)) == PF_OK)
		rc = pf_store_dnc_each(c->st, x->rows.since, entry_row,
		    &x->rows);
	pf_store_rollback(c->st);
	return cli_rows_end(&x->rows, rc);
}

static int
cmd_export(struct ctx *c, const struct cli_args *a)
{
	struct export	 x = { .rows = { .fields = entry_fields,
	    .nfields = nitems(entry_fields), .csv = PF_CSV_SHEET,
	    .root = "dnc-register", .ns = DNC_NS, .element = "entry" } };
	const char	*since = a->opt[E_SINCE], *format = "csv";

	if (a->opt[E_FORMAT] != NULL)
		format = a->opt[E_FORMAT];
	if (since != NULL && !cli_date(since)) {
		fprintf(stderr, "privforms: dnc export: --since %s: not a date "
		    "YYYY-MM-DD\n", since);
		return CLI_USAGE;
	}
	if (strcmp(format, "csv") != 0 && strcmp(format, "xml") != 0)
		return CLI_USAGE;
	if (cli_open_store(c) != 0)
		return 1;
	x.rows.since = since;
	x.rows.xml = strcmp(format, "xml") == 0;
	if (cli_buffered_read("dnc export", export_fill, c, &x,
	    &x.rows.n) != 0)
		return 1;
	if (x.erased > 0)
		fprintf(stderr, "privforms: dnc export: %lld erased %s (of all "
		    "channels: calls, SMS, email) %s kept only as keyed hashes "
		    "and not in this export; scrub call lists with `privforms "
		    "dnc scrub`\n", x.erased, x.erased == 1 ? "entry" :
		    "entries", x.erased == 1 ? "is" : "are");
	return 0;
}

/* --reason: one of PF_AUDIT_DNC_REASONS.  0, or CLI_USAGE said. */
static int
reason_ok(const char *reason)
{
	if (pf_audit_code_in(reason, PF_AUDIT_DNC_REASONS))
		return 0;
	fprintf(stderr, "privforms: dnc remove: --reason must be one of: %s "
	    "(a code, not free text: the rest belongs in a ticket, named "
	    "with --ticket)\n", PF_AUDIT_DNC_REASONS);
	return CLI_USAGE;
}

/*
 * --ticket, when given: the whole of it matches audit_ticket_pattern (a
 * POSIX ERE the configuration checked) and is a reference the record can
 * hold.  0, or 1 said, ticket never repeated: it may be anything.
 */
static int
ticket_ok(struct ctx *c, const char *ticket)
{
	const char	*pattern = c->cfg->audit_ticket_pattern;
	regex_t		 re;
	regmatch_t	 m;
	int		 ok;

	if (ticket == NULL)
		return 0;
	if (pattern[0] == '\0') {
		fprintf(stderr, "privforms: dnc remove: --ticket needs "
		    "audit_ticket_pattern in %s, the form ticket references "
		    "take; without it, leave --ticket out\n", c->cfg->path);
		return 1;
	}
	if (regcomp(&re, pattern, REG_EXTENDED) != 0) {
		fprintf(stderr, "privforms: dnc remove: audit_ticket_pattern "
		    "cannot be compiled\n");
		return 1;
	}
	ok = regexec(&re, ticket, 1, &m, 0) == 0 && m.rm_so == 0 &&
	    (size_t)m.rm_eo == strlen(ticket) &&
	    pf_audit_detail_ok("dnc-removed", "ticket", ticket);
	regfree(&re);
	if (!ok)
		fprintf(stderr, "privforms: dnc remove: --ticket does not match "
		    "audit_ticket_pattern (%s) as a whole, or is not a "
		    "reference (at most 64 letters, digits and . _ : / # -)\n",
		    pattern);
	return ok ? 0 : 1;
}

static int
cmd_remove(struct ctx *c, const struct cli_args *a)
{
	struct pf_keys	 keys;
	struct pf_txn	 t = { 0 };
	const char	*ticket = a->opt[O_TICKET];
	const char	*details[] = { "reason", a->opt[O_REASON], "ticket",
	    ticket, NULL };
	char		 e164[PF_PHONE_E164_SIZE], subject[PF_HEX_DIGEST_LEN + 1];
	int		 rc;

	if (reason_ok(details[1]) != 0)
		return CLI_USAGE;
	if (ticket == NULL)
		details[2] = NULL;
	if (cli_load(c) != 0 || ticket_ok(c, ticket) != 0 ||
	    cli_load_keys(c, &keys) != 0 ||
	    cli_phone(c, a->pos[0], a->opt[O_COUNTRY], e164) != 0 ||
	    pf_pseudonym(&keys, "phone", e164, subject) != PF_OK ||
	    cli_begin(c, &t) != PF_OK)
		return 1;
	if ((rc = pf_store_dnc_remove(c->st, e164)) != PF_OK ||
	    (rc = pf_txn_audit(&t, NULL, "dnc-removed", subject,
	    details)) != PF_OK ||
	    (rc = pf_txn_commit(&t)) != PF_OK)
		pf_txn_rollback(&t);
	if (rc == PF_ENOTFOUND) {
		fprintf(stderr, "privforms: dnc remove: %s is not registered\n",
		    e164);
		return 1;
	}
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: dnc remove: %s\n", pf_strerror(rc));
		return 1;
	}
	printf("%s removed from the Do-Not-Call register\n", e164);
	return 0;
}

static int
dnc_found(const struct pf_dnc *d, void *arg)
{
	(void)d;
	(void)arg;
	return 0;
}

/* May the number on line be called?  arg is the region (cli_verdict). */
static int
scrub_verdict(struct ctx *c, const char *line,
    const struct cli_suppression *s, void *arg, int *keep, const char **why)
{
	char	 e164[PF_PHONE_E164_SIZE];
	int	 rc;

	if ((rc = pf_list_phone(line, arg, e164, why)) != PF_OK)
		return rc;
	rc = pf_store_dnc_get(c->st, e164, dnc_found, NULL);
	if (rc == PF_ENOTFOUND)
		rc = cli_suppression_has(c, s, "phone", e164, "call");
	*keep = rc == PF_ENOTFOUND;
	return rc == PF_ENOTFOUND ? PF_OK : rc;
}

static int
cmd_scrub(struct ctx *c, const struct cli_args *a)
{
	return cli_scrub(c, "dnc scrub", scrub_verdict, a);
}
