/*
 * cli.h -- what the privforms commands share.
 *
 * Each group of commands lives in its own tools/cmd_GROUP.c and exports a
 * table of them; privforms.c finds the command named on the command line
 * and runs it.  A command returns its exit status (0 success, 1 failure
 * said on stderr; some, like `dnc check`, give 1 and 2 their own meaning)
 * or CLI_USAGE, after which privforms.c prints the synopsis and exits 2.
 */
#ifndef PF_CLI_H
#define PF_CLI_H

#include <stdio.h>

#include "keys.h"
#include "phone.h"
#include "txn.h"

struct pf_config;
struct pf_store;

#define CLI_USAGE (-1)

struct ctx {
	const char		*config;	/* --config, or the default */
	struct pf_config	*cfg;		/* loaded on first use */
	struct pf_store		*st;		/* opened on first use */
	int			 create;	/* init: make the database if missing */
};

struct cmd {
	const char	*name;		/* "audit verify": one or two words */
	int		(*fn)(struct ctx *, int, char **);
	const char	*args;		/* synopsis after the name */
	const char	*help;		/* what it does, for --help */
};

/* The command tables, each ending with a { NULL } row. */
extern const struct cmd cmds_init[], cmds_unsubscribe[], cmds_dnc[],
    cmds_laws[], cmds_audit[], cmds_mail[], cmds_purge[],
    cmds_request[], cmds_party[], cmds_export[], cmds_feedback[],
    cmds_guard[], cmds_backup[], cmds_metrics[];

/*
 * Load the configuration, open the store, read the keys: 0, or 1 said.
 * Only init creates a missing database: for any other command a missing
 * file is a wrong path, and an empty register must never answer for it.
 */
int cli_load(struct ctx *c);
int cli_open_store(struct ctx *c);
int cli_load_keys(struct ctx *c, struct pf_keys *keys);

/* s as a whole decimal number of at least 1, or 0 if it is not one. */
long long cli_positive(const char *s);

/* 1 if s is a day "YYYY-MM-DD" that pf_date_parse (date.h) takes. */
int cli_date(const char *s);

/*
 * --since and --until of command cmd ("feedback report"), either NULL:
 * 0 when each is a cli_date and since is not after until, else
 * CLI_USAGE, said on stderr.
 */
int cli_period(const char *cmd, const char *since, const char *until);

/* One CSV field (RFC 4180) on f, then sep: quoted when it must be. */
void cli_csv_field(FILE *f, const char *s, const char *sep);

/*
 * Open the store and begin a change the operator makes: txn.h's steps, with
 * "admin" as the form of its audit records.  PF_OK or an err.h code.
 */
int cli_begin(struct ctx *c, struct pf_txn *t);

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
 * summary: read, kept, removed, invalid.  argv is the command's
 * arguments, [--country CC]: verdict's arg is the region numbers without a
 * country code are read in (cli_region).  0, or 2 said, and then nothing
 * is written to standard output; CLI_USAGE for other arguments.
 */
int cli_scrub(struct ctx *c, const char *what, cli_verdict verdict,
    int argc, char **argv);

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

#endif
