/*
 * cli.h -- what the privforms commands share.
 *
 * Each group of commands lives in its own tools/cmd_GROUP.c and exports a
 * table of them; privforms.c finds the command named on the command line,
 * parses its arguments with the command's option table (cli_parse) and
 * runs it.  A command returns its exit status (0 success, 1 failure said
 * on stderr; some, like `dnc check`, give 1 and 2 their own meaning) or
 * CLI_USAGE, after which privforms.c prints the synopsis and exits 2.
 */
#ifndef PF_CLI_H
#define PF_CLI_H

#include <stdio.h>

#include "keys.h"
#include "phone.h"
#include "txn.h"
#include "utc.h"

struct pf_config;
struct pf_store;

#define CLI_USAGE (-1)

struct ctx {
	const char		*config;	/* --config, or the default */
	struct pf_config	*cfg;		/* loaded on first use */
	struct pf_store		*st;		/* opened on first use */
	int			 create;	/* init: make the database if missing */
	char			 operator[33];	/* cli_operator's, once asked */
};

/*
 * ---- arguments ----
 *
 * A command declares what may follow its name as data, a struct cli_spec:
 * its options, each at an index of the command's own enum, and how many
 * operands (the arguments that are not options) it takes.  cli_parse
 * reads argv against it into a struct cli_args.  Anything the table does
 * not allow is CLI_USAGE, with nothing said: privforms.c prints the
 * synopsis.  What a value means (a date, a number) the command checks.
 */
#define CLI_NOPT	6	/* options of one command, at most */
#define CLI_NPOS	2	/* operands of one command, at most */

enum {
	CLI_VALUE = 1 << 0,	/* takes the next argument as its value */
	CLI_ONCE = 1 << 1,	/* twice is a usage error (else the last wins) */
	CLI_REQUIRED = 1 << 2,	/* missing is a usage error */
};

struct cli_opt {
	const char	*name;		/* "--since"; NULL: an unused index */
	int		 flags;		/* CLI_VALUE, CLI_ONCE, CLI_REQUIRED */
};

struct cli_spec {
	struct cli_opt	 opt[CLI_NOPT];
	int		 min, max;	/* operands, max at most CLI_NPOS */
	int		 dash;		/* 1: an operand may begin with '-' */
};

struct cli_args {
	const char	*opt[CLI_NOPT];	/* by index: the value, or the name
					   of a flag; NULL when not given */
	const char	*pos[CLI_NPOS];	/* the operands, in order */
	int		 npos;
};

/*
 * argv[0..argc) against spec (NULL: no arguments at all) into *a, whose
 * strings point into argv.  An argument equal to an option's name is that
 * option, and a CLI_VALUE option takes the next argument whatever it is;
 * any other argument is an operand.  0, or CLI_USAGE for an operand
 * beyond max or below min, an operand beginning with '-' (unless dash),
 * a value missing at the end, a CLI_ONCE option given twice or a
 * CLI_REQUIRED one not given.
 */
int cli_parse(const struct cli_spec *spec, int argc, char **argv,
    struct cli_args *a);

struct cmd {
	const char		*name;	/* "audit verify": one or two words */
	int			(*fn)(struct ctx *, const struct cli_args *);
	const struct cli_spec	*spec;	/* its arguments; NULL: none */
	const char		*args;	/* synopsis after the name */
	const char		*help;	/* what it does, for --help */
};

/* The command tables, each ending with a { NULL } row. */
extern const struct cmd cmds_init[], cmds_unsubscribe[], cmds_dnc[],
    cmds_laws[], cmds_audit[], cmds_mail[], cmds_purge[],
    cmds_request[], cmds_party[], cmds_export[], cmds_feedback[],
    cmds_guard[], cmds_backup[], cmds_metrics[], cmds_checkpoint[],
    cmds_requests_report[], cmds_consent[], cmds_optouts[], cmds_migrate[],
    cmds_lists[], cmds_links[];

/*
 * Load the configuration, open the store, read the keys: 0, or 1 said.
 * Only init creates a missing database: for any other command a missing
 * file is a wrong path, and an empty register must never answer for it.
 */
int cli_load(struct ctx *c);
int cli_open_store(struct ctx *c);
/* The same, read-only and never created (pf_store_open_readonly). */
int cli_open_store_readonly(struct ctx *c);
/* 1 if c's database is an SQLite file (store.h's pf_store_engine), 0 if not. */
int cli_db_is_file(const struct ctx *c);
int cli_load_keys(struct ctx *c, struct pf_keys *keys);
/*
 * The language of the links a command makes (unsubscribe-link, links):
 * tag, which must be one of the site's languages spelt as the site spells
 * it (a link's page is in the templates of that spelling), made current;
 * NULL keeps default_language.  Loads the configuration if it is not yet.
 * 0, or 1 said.
 */
int cli_link_lang(struct ctx *c, const char *tag);
/* The laws table, laws_exempt applied, into *out (pf_laws_free): 0, or 1 said. */
struct pf_laws;
int cli_open_laws(struct ctx *c, struct pf_laws **out);

/* ID: one operand, no option (`request show`, `request erase`, `party
 * show`). */
extern const struct cli_spec cli_id_spec;

/* s as a whole decimal number of at least 1, or 0 if it is not one. */
long long cli_positive(const char *s);

/* 1 if s is a day "YYYY-MM-DD" that pf_utc_parse_day (utc.h) takes. */
int cli_date(const char *s);

/*
 * An export's [--since DATE] [--format NAME] (`consent export`, `optouts
 * export`): cli_export_spec's options, at CLI_EXPORT_SINCE and
 * CLI_EXPORT_FORMAT.  cli_export_args checks them for what (the command's
 * words): --since a cli_date, --format the name of one of the n rows of
 * formats, each stride bytes long and starting with its name (a const
 * char *); no --format is row 0.  0 with *row set, or CLI_USAGE said.
 */
enum { CLI_EXPORT_SINCE, CLI_EXPORT_FORMAT };

extern const struct cli_spec cli_export_spec;

int cli_export_args(const char *what, const struct cli_args *a,
    const void *formats, size_t n, size_t stride, size_t *row);

/*
 * ---- reports and listings of a period ----
 *
 * `feedback report`, `feedback list` and `guard report` cover the UTC days
 * --since to --until, both included, each at its index CLI_SINCE and
 * CLI_UNTIL of the command's options.  A report also takes --format
 * (CLI_FORMAT) and has a writer per format; cli_report does the rest:
 * the checks and their messages, one snapshot, the buffered output.
 */
enum { CLI_SINCE, CLI_UNTIL, CLI_FORMAT };

/* [--since DATE] [--until DATE] [--format F]: a report's arguments. */
extern const struct cli_spec cli_report_spec;

struct cli_period {
	const char	*since;		/* NULL: from the first */
	const char	*until;		/* NULL: to the last */
	char		 next[PF_DATE_SIZE];	/* the day after until */
	const char	*end;		/* next as an exclusive end, or NULL:
					   none (no until, or 9999-12-31) */
};

/*
 * --since and --until of a (either may be absent) for command cmd
 * ("feedback report") into *p: 0 when each is a cli_date and since is not
 * after until, else CLI_USAGE, said on stderr.
 */
int cli_period_args(const char *cmd, const struct cli_args *a,
    struct cli_period *p);

/* title, then "Period: ... (UTC days, inclusive)" and a blank line. */
void cli_period_text(FILE *f, const char *title, const struct cli_period *p);

struct cli_format {
	const char	*name;		/* what --format names it */
	int		(*write)(FILE *, void *);	/* PF_OK or err.h's */
};

struct cli_report {
	const char		*name;		/* "guard report" */
	const struct cli_format	*formats;	/* [0] the default; ends
						   with a { NULL } row */
	/* Read the period's figures into data (one snapshot): PF_OK or
	 * err.h's; free then drops them, whether read returned PF_OK or not. */
	int			(*read)(struct ctx *, const struct cli_period *,
				    void *data);
	void			(*free)(void *data);
	size_t			 size;		/* of data, for cli_report_run */
};

/*
 * Run report r with arguments a (cli_report_spec's): an unknown --format
 * or a bad period is CLI_USAGE, said; then the store is opened, read and
 * the chosen format written through cli_buffered.  0, or 1 said.
 */
int cli_report(struct ctx *c, const struct cli_report *r,
    const struct cli_args *a, void *data);

/*
 * cli_report with data of r->size bytes, zeroed, that it owns: what a
 * report that needs nothing but its period and format runs.  0, 1 said, or
 * CLI_USAGE said.
 */
int cli_report_run(struct ctx *c, const struct cli_report *r,
    const struct cli_args *a);

/*
 * ---- the records of an export ----
 *
 * `dnc export` (CSV or XML) and `consent export` (XML) write each row a
 * store walk hands them as one record.  One table of PF_XMLW_FIELD rows
 * (xmlw.h: a member of the row's struct, and its name) says what a record
 * holds in either format: the CSV header and columns, or the XML record's
 * elements.  The command fills in what the export is; cli_rows_begin,
 * cli_rows_put and cli_rows_end do the rest.
 */
struct pf_xmlw;
struct pf_xmlw_field;

struct cli_rows {
	const struct pf_xmlw_field *fields;	/* a record's, in order */
	size_t			 nfields;
	int			 xml;		/* 1: XML, 0: CSV */
	int			 csv;		/* CSV: pf_csv_row's flags */
	const char		*root;		/* XML: the document element */
	const char		*ns;		/* XML: its namespace */
	const char		*element;	/* XML: each record's */
	const char		*since;		/* --since (the walk's and the
						   XML root's), or NULL */
	FILE			*f;		/* set by cli_rows_begin */
	struct pf_xmlw		*w;		/* set by cli_rows_begin */
	long long		 n;		/* records written */
};

/*
 * Start r's export on f: in CSV the header (the fields' names); in XML the
 * element root in namespace ns with version="1", generated (now, UTC) and
 * since (left out when NULL).  PF_OK or an err.h code; either way
 * cli_rows_end ends it.
 */
int cli_rows_begin(FILE *f, struct cli_rows *r);

/*
 * row, a struct of the fields' type, as one record, counted in r->n:
 * PF_OK or xmlw.h's first failure, so that a walk's callback can return
 * it.
 */
int cli_rows_put(struct cli_rows *r, const void *row);

/*
 * End r's export, rc being how the walk went: an XML document begun is
 * closed (xmlw.h), CSV needs nothing.  PF_OK, else rc's failure or the
 * first failure writing.
 */
int cli_rows_end(struct cli_rows *r, int rc);

/*
 * Open the store and begin a change the operator makes: txn.h's steps, with
 * "admin" as the form of its audit records, each of which names the
 * operator (cli_operator).  PF_OK or an err.h code.
 */
int cli_begin(struct ctx *c, struct pf_txn *t);

/*
 * Who runs this command, for the audit records: SUDO_USER when it is set
 * (run through sudo: the login name that ran sudo), else the login name
 * of the real user id (getpwuid(getuid())); "unknown" when there is none
 * or it has a character no portable login name has.  SUDO_USER is what
 * the environment says: a user who can run privforms without sudo can
 * set it (AUDIT.md).  Into c->operator, which it returns.
 */
const char *cli_operator(struct ctx *c);

/*
 * A bulk read of personal data, recorded (issue 19): one record of event
 * personal-data-read, form admin, details what (the command's words
 * joined with '-': "dnc-export"), rows and operator, in a transaction of
 * its own, never the data itself.  0, or 1 said: then the caller gives
 * nothing out.
 */
int cli_read_audit(struct ctx *c, const char *what, long long rows);

/*
 * A phone number given on the command line, read as the forms read it
 * (country: ISO 3166-1 alpha-2, NULL for phone_region): its E.164 form.
 * 0, or 1 with the reason said on stderr.
 */
int cli_phone(struct ctx *c, const char *number, const char *country,
    char e164[PF_PHONE_E164_SIZE]);

/*
 * The country a number without a country code is read in: country (ISO
 * 3166-1 alpha-2) if it is one, phone_region for NULL.  0 with *region
 * set, or 1 said.
 */
int cli_region(struct ctx *c, const char *country, const char **region);

/*
 * Is value (an email key or an E.164 number; kind "email" or "phone", as
 * keys.h names pseudonyms) one whose opt-out or entry was erased and is
 * kept as a keyed hash for channel ("email", "sms", "call")?  PF_OK if so,
 * PF_ENOTFOUND if not, PF_ECONFIG if the key file cannot be read (said),
 * or another error: never "not suppressed" when it cannot tell.  The key
 * is read only once anything has been erased, so a site that never erased
 * anything answers without it.
 */
int cli_suppressed(struct ctx *c, const char *kind, const char *value,
    const char *channel);

/*
 * The same for many values: cli_suppression_open counts the suppression
 * list and, only if it is not empty, reads the key, once (PF_OK, PF_ECONFIG
 * said, or another error); cli_suppression_has then answers as
 * cli_suppressed does.
 */
struct cli_suppression {
	struct pf_keys	 keys;
	long long	 n;		/* rows; keys is read only if n > 0 */
};

int cli_suppression_open(struct ctx *c, struct cli_suppression *s);
int cli_suppression_has(struct ctx *c, const struct cli_suppression *s,
    const char *kind, const char *value, const char *channel);

/*
 * What a scrub asks about each line (its line end removed): PF_OK with
 * *keep 1 (may be contacted) or 0 (may not), PF_EINVAL if the line is not
 * a valid entry (why, when not NULL, says why in a few words), or another
 * error, which ends the scrub.  The store is open and inside one read.
 */
typedef int (*cli_verdict)(struct ctx *c, const char *line,
    const struct cli_suppression *s, void *arg, int *keep, const char **why);

/*
 * `dnc scrub`, `unsubscribes scrub`: read standard input whole, then, in
 * one read of the database (pf_store_begin_read), ask verdict about each
 * line, and only once every line is decided write the kept lines to
 * standard output exactly as they came, line ends included.  Standard
 * error gets each invalid line's number and why (never its text) and a
 * summary: read, kept, removed, invalid.  a is the command's arguments,
 * cli_scrub_spec's [--country CC]: verdict's arg is the region numbers
 * without a country code are read in (cli_region).  0, or 2 said, and then
 * nothing is written to standard output.
 */
extern const struct cli_spec cli_scrub_spec;

int cli_scrub(struct ctx *c, const char *what, cli_verdict verdict,
    const struct cli_args *a);

/*
 * Write what fill writes to a memory stream, then copy it to stdout: the
 * database is read (and its shared lock held, which holds up every form's
 * commit) only as long as reading takes, not as long as a slow pipe does.
 * Every bidirectional control (utf8.h) in it is written as U+FFFD, so no
 * stored text can make a terminal, a spreadsheet or a viewer show the
 * team something other than what it is.  0, or 1 said.
 */
int cli_buffered(const char *what, int (*fill)(struct ctx *, FILE *, void *),
    struct ctx *c, void *arg);

/*
 * cli_buffered for a bulk read of personal data: once fill has written
 * everything (and ended any read of its own), the read is recorded
 * (cli_read_audit, what and *rows, which fill set) and committed, and only
 * then is the output copied to stdout; if the record cannot be made,
 * nothing is.  0, or 1 said.
 */
int cli_buffered_read(const char *what,
    int (*fill)(struct ctx *, FILE *, void *), struct ctx *c, void *arg,
    const long long *rows);

/*
 * The same with the command's own record: record(c, arg) runs once fill
 * has written everything, and the output is copied to stdout only if it
 * returns 0 (else it has said why).  `request export` records
 * request-exported so.
 */
int cli_buffered_audited(const char *what,
    int (*fill)(struct ctx *, FILE *, void *), struct ctx *c, void *arg,
    int (*record)(struct ctx *, void *));

#endif
