/*
 * cmd_optouts.c -- privforms optouts export: the people who opted out of
 * sale, sharing and targeted advertising on /privacy/opt-out and gave an
 * address (store.h, "sale opt-outs"), for the ad platforms' customer-match
 * suppression lists.
 *
 * Only those opt-outs: a marketing unsubscribe (`unsubscribes export`)
 * asks for no more mail or texts, not for no advertising, and sending it
 * to an ad platform would share the address for a purpose it was not
 * given for.  Each address once, at its first opt-out (of the period).
 *
 * sha256 and sha256-meta are the customer lists Google's Customer Match and
 * Meta's custom audiences take: a header naming the platform's columns
 * (its upload needs to know an email hash from a phone hash) and the
 * SHA-256 (keys.h's pf_sha256_hex, OpenSSL's EVP) of each address,
 * normalised as stored, in its column: an email address lower-cased and
 * trimmed (its email key, validate.h) for both; a number in E.164 with its
 * '+' for Google, its digits only (no '+') for Meta, whose rules remove
 * every symbol.  An erased person's opt-out is kept only as a keyed
 * pseudonym (erasure.h), which no hash the platforms take can be made
 * from: the export leaves them out and says how many on standard error.
 *
 * The addresses are personal data: the export is recorded as a
 * personal-data-read (what optouts-export) before anything is written.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "csv.h"
#include "err.h"
#include "keys.h"
#include "nitems.h"
#include "store.h"

static int	cmd_export(struct ctx *, const struct cli_args *);

/* What --help prints; privforms(8) says the same at more length. */
const struct cmd cmds_optouts[] = {
	{ "optouts export", cmd_export, &cli_export_spec,
	  "[--format csv|sha256|sha256-meta] [--since DATE]",
	  "Write the people who opted out of the sale and sharing of their\n"
	  "personal information and of targeted advertising on the opt-out\n"
	  "page and gave an email address or phone number, each once, oldest\n"
	  "first; with --since YYYY-MM-DD only those who opted out on or after\n"
	  "that UTC day.  csv (the default): channel (email or phone),\n"
	  "address, time of the first opt-out (UTC), with a header line.\n"
	  "sha256: Google Customer Match's customer list, CSV with the\n"
	  "columns Email and Phone, each address's lower-case hex SHA-256 in\n"
	  "its column: an email address lower-cased and trimmed, a number in\n"
	  "E.164 with its '+'.  sha256-meta: Meta's, the columns email and\n"
	  "phone, a number hashed as its digits only (no '+').\n"
	  "Marketing unsubscribes are not included (`unsubscribes export`).\n"
	  "The opt-outs of people erased by `request erase` are kept only as\n"
	  "keyed hashes and cannot be exported: standard error says how many\n"
	  "are left out.  The export is recorded as a personal-data-read (what\n"
	  "optouts-export) before it is written." },
	{ NULL, NULL, NULL, NULL, NULL },
};

struct export;

/*
 * A --format: its name, header line and row writer.  plus: a hashed
 * list's phone numbers are hashed with their '+' (E.164, Google's rule)
 * or without it (Meta's, which removes every symbol).
 */
struct format {
	const char	*name;
	const char	*header;
	int		(*row)(const struct export *,
			    const struct pf_sale_optout *);
	int		 plus;
};

/*
 * What an export is asked for, and what it has written and left out:
 * erased counts the erased people's opt-outs (suppression, channel
 * "sale"), less those of them who opted out again with the same address
 * and so are in the export after all (sup, its key read only if any).
 */
struct export {
	const char		*since;		/* NULL: every opt-out */
	const struct format	*fmt;
	FILE			*f;
	struct ctx		*c;
	long long		 rows;
	long long		 erased;
	struct cli_suppression	 sup;
};

static int
csv_row(const struct export *x, const struct pf_sale_optout *o)
{
	const char	*v[] = { o->channel, o->address, o->created };

	pf_csv_row(x->f, v, nitems(v), PF_CSV_SHEET);
	return PF_OK;
}

/* The hash of o's address in its column: Email (or email), then Phone. */
static int
sha256_row(const struct export *x, const struct pf_sale_optout *o)
{
	char		 hex[PF_HEX_DIGEST_LEN + 1];
	const char	*a = o->address;
	int		 phone = strcmp(o->channel, "phone") == 0, rc;

	if (phone && !x->fmt->plus && a[0] == '+')
		a++;
	if ((rc = pf_sha256_hex(a, strlen(a), hex)) == PF_OK)
		fprintf(x->f, "%s%s%s\r\n", phone ? "," : "", hex,
		    phone ? "" : ",");
	return rc;
}

/* struct export's walk: each row, and an erased person back in it. */
static int
each_row(const struct pf_sale_optout *o, void *arg)
{
	struct export	*x = arg;
	int		 rc;

	x->rows++;
	if (x->erased > 0 && strcmp(o->channel, "email") == 0) {
		rc = cli_suppression_has(x->c, &x->sup, "email", o->address,
		    "sale");
		if (rc != PF_OK && rc != PF_ENOTFOUND)
			return rc;
		x->erased -= rc == PF_OK;
	}
	return x->fmt->row(x, o);
}

/*
 * cli_buffered_read's fill: the rows and the count of what they leave
 * out, from one snapshot.
 */
static int
fill(struct ctx *c, FILE *f, void *arg)
{
	struct export	*x = arg;
	int		 rc;

	x->f = f;
	x->c = c;
	if ((rc = pf_store_begin_read(c->st)) != PF_OK)
		return rc;
	fprintf(f, "%s\r\n", x->fmt->header);
	if ((rc = pf_store_sale_erased(c->st, &x->erased)) == PF_OK &&
	    (x->erased == 0 ||
	    (rc = cli_suppression_open(c, &x->sup)) == PF_OK))
		rc = pf_store_sale_each(c->st, x->since, each_row, x);
	pf_store_rollback(c->st);
	return rc;
}

/* --format's names; [0] is the default. */
static const struct format formats[] = {
	{ "csv", "channel,address,time", csv_row, 0 },
	{ "sha256", "Email,Phone", sha256_row, 1 },
	{ "sha256-meta", "email,phone", sha256_row, 0 },
};

static int
cmd_export(struct ctx *c, const struct cli_args *a)
{
	struct export	 x = { .since = a->opt[CLI_EXPORT_SINCE] };
	size_t		 i;
	int		 rc;

	if ((rc = cli_export_args("optouts export", a, formats,
	    nitems(formats), sizeof(formats[0]), &i)) != 0)
		return rc;
	x.fmt = &formats[i];
	rc = cli_open_store(c) != 0 ||
	    cli_buffered_read("optouts export", fill, c, &x, &x.rows) != 0;
	explicit_bzero(&x.sup.keys, sizeof(x.sup.keys));
	if (rc != 0)
		return 1;
	if (x.erased > 0)
		fprintf(stderr, "privforms: optouts export: %lld erased "
		    "%s kept only as keyed hashes and not in this export\n",
		    x.erased, x.erased == 1 ? "person's opt-out is" :
		    "people's opt-outs are");
	return 0;
}
