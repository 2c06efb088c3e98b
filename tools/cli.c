/* cli.c -- what the privforms commands share (cli.h). */

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit_events.h"
#include "cli.h"
#include "config.h"
#include "csv.h"
#include "err.h"
#include "file.h"
#include "lang.h"
#include "laws.h"
#include "phone.h"
#include "store.h"
#include "utc.h"
#include "utf8.h"
#include "validate.h"
#include "xmlw.h"

int
cli_load(struct ctx *c)
{
	char	 err[256];

	if (pf_config_load(c->config, &c->cfg, err, sizeof(err)) != PF_OK) {
		fprintf(stderr, "privforms: %s\n", err);
		if (access(c->config, F_OK) != 0)
			fprintf(stderr, "privforms: name a configuration with "
			    "--config FILE or PRIVFORMS_CONFIG (in a source tree, "
			    "`make run` creates ./var/privforms.conf)\n");
		return 1;
	}
	/* A person's mail is written in their language (lang.h). */
	if (pf_lang_init(c->cfg->locale_dir) != PF_OK ||
	    pf_lang_site(c->cfg->languages, c->cfg->default_language, err,
	    sizeof(err)) != PF_OK) {
		fprintf(stderr, "privforms: languages: %s\n", err);
		return 1;
	}
	return 0;
}

int
cli_db_is_file(const struct ctx *c)
{
	return pf_store_engine(c->cfg->database) == PF_STORE_SQLITE;
}

/*
 * The store of c's configuration (admin_database, the team's connection),
 * opened read-write (pf_store_open, with
 * the journal mode) or, when readonly, with pf_store_open_readonly.
 */
static int
open_store(struct ctx *c, int readonly)
{
	struct pf_store_opts	 o;
	int			 rc;

	if (c->st != NULL)
		return 0;
	if (c->cfg == NULL && cli_load(c) != 0)
		return 1;
	if (!c->create && cli_db_is_file(c) &&
	    access(c->cfg->database, F_OK) != 0) {
		fprintf(stderr, "privforms: %s: %s (is database in %s right? "
		    "privforms init creates it)\n", c->cfg->database,
		    strerror(errno), c->cfg->path);
		return 1;
	}
	o.path = c->cfg->admin_database;
	o.journal_mode = readonly ? NULL : c->cfg->journal_mode;
	o.busy_timeout_ms = c->cfg->busy_timeout_ms;
	rc = readonly ? pf_store_open_readonly(&o, &c->st) : c->create ?
	    pf_store_open(&o, &c->st) : pf_store_open_existing(&o, &c->st);
	if (rc == PF_ENOTFOUND) {
		/* PostgreSQL: a database without privforms' schema. */
		fprintf(stderr, "privforms: %s has no privforms schema yet "
		    "(is admin_database in %s right? privforms init creates "
		    "it)\n", c->cfg->admin_database, c->cfg->path);
		return 1;
	}
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: %s: %s\n", c->cfg->database,
		    pf_strerror(rc));
		return 1;
	}
	return 0;
}

int
cli_open_store(struct ctx *c)
{
	return open_store(c, 0);
}

int
cli_open_store_readonly(struct ctx *c)
{
	return open_store(c, 1);
}

int
cli_open_laws(struct ctx *c, struct pf_laws **out)
{
	char	 err[256];

	if (cli_load(c) != 0)
		return 1;
	if (pf_laws_open(c->cfg->laws_file, c->cfg->laws_exempt, out, err,
	    sizeof(err)) != PF_OK) {
		fprintf(stderr, "privforms: %s\n", err);
		return 1;
	}
	return 0;
}

int
cli_load_keys(struct ctx *c, struct pf_keys *keys)
{
	int	 rc;

	if (c->cfg == NULL && cli_load(c) != 0)
		return 1;
	if ((rc = pf_keys_load(c->cfg->key_file, keys)) != PF_OK) {
		/* Why a key is refused, and the fix, is in the log line. */
		fprintf(stderr, "privforms: %s: %s%s\n", c->cfg->key_file,
		    pf_strerror(rc), rc == PF_ENOTFOUND ?
		    " (run privforms init)" : "");
		return 1;
	}
	return 0;
}

int
cli_link_lang(struct ctx *c, const char *tag)
{
	const struct pf_lang	*l;

	/* After the configuration is read: reading it makes default_language
	 * current (cli_load). */
	if (c->cfg == NULL && cli_load(c) != 0)
		return 1;
	if (tag != NULL && ((l = pf_lang_find(tag)) == NULL ||
	    strcmp(l->tag, tag) != 0 || pf_lang_use(l->tag) != PF_OK)) {
		fprintf(stderr, "privforms: --lang: %s is not one of the "
		    "languages offered (%s)\n", tag, c->cfg->languages);
		return 1;
	}
	return 0;
}

/* s as a whole decimal number of at least 1, or 0 if it is not one. */
long long
cli_positive(const char *s)
{
	long long	 v;
	char		*end;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < 1)
		return 0;
	return v;
}

int
cli_date(const char *s)
{
	time_t	 t;

	return pf_utc_parse_day(s, &t) == PF_OK;
}

const struct cli_spec cli_id_spec = { .min = 1, .max = 1 };

const struct cli_spec cli_export_spec = { .opt = {
	[CLI_EXPORT_SINCE] = { "--since", CLI_VALUE | CLI_ONCE },
	[CLI_EXPORT_FORMAT] = { "--format", CLI_VALUE | CLI_ONCE },
} };

/* The name of row i of a table cli_export_args reads. */
#define FORMAT_NAME(formats, i, stride) \
	(*(const char *const *)((const char *)(formats) + (i) * (stride)))

int
cli_export_args(const char *what, const struct cli_args *a,
    const void *formats, size_t n, size_t stride, size_t *row)
{
	const char	*since = a->opt[CLI_EXPORT_SINCE];
	const char	*format = a->opt[CLI_EXPORT_FORMAT];
	size_t		 i;

	if (since != NULL && !cli_date(since)) {
		fprintf(stderr, "privforms: %s: --since %s: not a date "
		    "YYYY-MM-DD\n", what, since);
		return CLI_USAGE;
	}
	for (*row = 0; format != NULL && *row < n &&
	    strcmp(format, FORMAT_NAME(formats, *row, stride)) != 0; (*row)++)
		continue;
	if (*row < n)
		return 0;
	fprintf(stderr, "privforms: %s: --format %s: must be", what, format);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%s", i == 0 ? " " : i + 1 < n ? ", " :
		    " or ", FORMAT_NAME(formats, i, stride));
	fputc('\n', stderr);
	return CLI_USAGE;
}

/* ---- arguments ---- */

/* The index of the option named arg in spec, or -1. */
static int
opt_index(const struct cli_spec *spec, const char *arg)
{
	int	 k;

	for (k = 0; k < CLI_NOPT; k++)
		if (spec->opt[k].name != NULL &&
		    strcmp(spec->opt[k].name, arg) == 0)
			return k;
	return -1;
}

/* After the arguments: enough operands, every required option. */
static int
parse_done(const struct cli_spec *spec, const struct cli_args *a)
{
	int	 k;

	if (a->npos < spec->min)
		return CLI_USAGE;
	for (k = 0; k < CLI_NOPT; k++)
		if ((spec->opt[k].flags & CLI_REQUIRED) && a->opt[k] == NULL)
			return CLI_USAGE;
	return 0;
}

int
cli_parse(const struct cli_spec *spec, int argc, char **argv,
    struct cli_args *a)
{
	static const struct cli_spec	 none;
	int				 i, k, flags;

	memset(a, 0, sizeof(*a));
	if (spec == NULL)
		spec = &none;
	for (i = 0; i < argc; i++) {
		if ((k = opt_index(spec, argv[i])) < 0) {
			if (a->npos >= spec->max || a->npos >= CLI_NPOS ||
			    (argv[i][0] == '-' && !spec->dash))
				return CLI_USAGE;
			a->pos[a->npos++] = argv[i];
			continue;
		}
		flags = spec->opt[k].flags;
		if ((flags & CLI_ONCE) && a->opt[k] != NULL)
			return CLI_USAGE;
		if (!(flags & CLI_VALUE))
			a->opt[k] = spec->opt[k].name;
		else if (i + 1 < argc)
			a->opt[k] = argv[++i];
		else
			return CLI_USAGE;
	}
	return parse_done(spec, a);
}

/* ---- reports and listings of a period ---- */

const struct cli_spec cli_report_spec = { .opt = {
	[CLI_SINCE] = { "--since", CLI_VALUE },
	[CLI_UNTIL] = { "--until", CLI_VALUE },
	[CLI_FORMAT] = { "--format", CLI_VALUE },
} };

/* The day after day (a cli_date) into out, or "" after 9999-12-31. */
static void
next_day(const char *day, char out[PF_DATE_SIZE])
{
	struct tm	 tm;
	time_t		 t;

	out[0] = '\0';
	if (pf_utc_parse_day(day, &t) != PF_OK)
		return;
	t += PF_DAY;
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    strftime(out, PF_DATE_SIZE, "%Y-%m-%d", &tm) == 0)
		out[0] = '\0';
}

int
cli_period_args(const char *cmd, const struct cli_args *a,
    struct cli_period *p)
{
	const char	*since = a->opt[CLI_SINCE], *until = a->opt[CLI_UNTIL];
	const char	*bad = NULL;

	memset(p, 0, sizeof(*p));
	if (since != NULL && !cli_date(since))
		bad = since;
	else if (until != NULL && !cli_date(until))
		bad = until;
	if (bad != NULL) {
		fprintf(stderr, "privforms: %s: %s: not a date YYYY-MM-DD\n",
		    cmd, bad);
		return CLI_USAGE;
	}
	if (since != NULL && until != NULL && strcmp(since, until) > 0) {
		fprintf(stderr, "privforms: %s: --since %s is after --until "
		    "%s\n", cmd, since, until);
		return CLI_USAGE;
	}
	p->since = since;
	p->until = until;
	if (until != NULL) {
		next_day(until, p->next);
		/* Nothing is stored after 9999-12-31: no end at all. */
		p->end = p->next[0] != '\0' ? p->next : NULL;
	}
	return 0;
}

void
cli_period_text(FILE *f, const char *title, const struct cli_period *p)
{
	fprintf(f, "%s\nPeriod: ", title);
	if (p->since != NULL && p->until != NULL)
		fprintf(f, "%s to %s", p->since, p->until);
	else if (p->since != NULL)
		fprintf(f, "from %s", p->since);
	else if (p->until != NULL)
		fprintf(f, "up to %s", p->until);
	else
		fprintf(f, "all time");
	fprintf(f, " (UTC days, inclusive)\n\n");
}

/* What cli_buffered hands report_fill. */
struct report_job {
	const struct cli_report	*r;
	const struct cli_format	*fmt;
	struct cli_period	 p;
	void			*data;
};

static int
report_fill(struct ctx *c, FILE *f, void *arg)
{
	struct report_job	*j = arg;
	int			 rc;

	if ((rc = j->r->read(c, &j->p, j->data)) == PF_OK)
		rc = j->fmt->write(f, j->data);
	j->r->free(j->data);
	return rc;
}

/* "not one of text, csv": every format's name, for the message. */
static void
say_formats(const struct cli_report *r, const char *format)
{
	const struct cli_format	*fmt;

	fprintf(stderr, "privforms: %s: --format %s: not one of ", r->name,
	    format);
	for (fmt = r->formats; fmt->name != NULL; fmt++)
		fprintf(stderr, "%s%s", fmt->name, fmt[1].name != NULL ?
		    ", " : "\n");
}

int
cli_report(struct ctx *c, const struct cli_report *r,
    const struct cli_args *a, void *data)
{
	struct report_job	 j = { .r = r, .fmt = r->formats, .data = data };
	const char		*format = a->opt[CLI_FORMAT];

	if (format != NULL) {
		for (; j.fmt->name != NULL; j.fmt++)
			if (strcmp(j.fmt->name, format) == 0)
				break;
		if (j.fmt->name == NULL) {
			say_formats(r, format);
			return CLI_USAGE;
		}
	}
	if (cli_period_args(r->name, a, &j.p) != 0)
		return CLI_USAGE;
	if (cli_open_store(c) != 0)
		return 1;
	return cli_buffered(r->name, report_fill, c, &j);
}

int
cli_report_run(struct ctx *c, const struct cli_report *r,
    const struct cli_args *a)
{
	void	*data;
	int	 rc;

	if ((data = calloc(1, r->size)) == NULL) {
		fprintf(stderr, "privforms: %s: %s\n", r->name,
		    pf_strerror(PF_ENOMEM));
		return 1;
	}
	rc = cli_report(c, r, a, data);
	free(data);
	return rc;
}

const char *
cli_operator(struct ctx *c)
{
	const char	*name = getenv("SUDO_USER");
	struct passwd	*pw;

	if (name == NULL || name[0] == '\0')
		name = (pw = getpwuid(getuid())) != NULL ? pw->pw_name : NULL;
	/* Whatever the environment says, only a login name's characters. */
	if (name == NULL ||
	    !pf_audit_detail_ok("personal-data-read", "operator", name))
		name = "unknown";
	snprintf(c->operator, sizeof(c->operator), "%s", name);
	return c->operator;
}

int
cli_begin(struct ctx *c, struct pf_txn *t)
{
	int	 rc;

	if (cli_open_store(c) != 0)
		return PF_ESTORE;
	if ((rc = pf_txn_begin(t, c->st, c->cfg->audit_dir, "admin")) != PF_OK)
		fprintf(stderr, "privforms: %s: %s\n", c->cfg->database,
		    pf_strerror(rc));
	else
		t->operator = cli_operator(c);
	return rc;
}

int
cli_read_audit(struct ctx *c, const char *what, long long rows)
{
	struct pf_txn	 t = { 0 };
	char		 code[32], n[24];
	const char	*details[] = { "what", code, "rows", n, NULL };
	size_t		 i;
	int		 rc;

	snprintf(code, sizeof(code), "%s", what);
	for (i = 0; code[i] != '\0'; i++)
		if (code[i] == ' ')
			code[i] = '-';
	snprintf(n, sizeof(n), "%lld", rows);
	if (cli_begin(c, &t) != PF_OK)
		return 1;
	if ((rc = pf_txn_audit_commit(&t, NULL, "personal-data-read", NULL,
	    details)) != PF_OK) {
		fprintf(stderr, "privforms: %s: the read cannot be recorded in "
		    "the audit trail: %s (nothing given out)\n", what,
		    pf_strerror(rc));
		return 1;
	}
	return 0;
}

int
cli_region(struct ctx *c, const char *country, const char **region)
{
	char	*norm = NULL;

	if (c->cfg == NULL && cli_load(c) != 0)
		return 1;
	if (country == NULL) {
		*region = c->cfg->phone_region;
		return 0;
	}
	if (pf_valid_country(country, NULL, &norm) != NULL) {
		fprintf(stderr, "privforms: --country %s: not an ISO 3166-1 "
		    "alpha-2 code (such as US, GB, DE)\n", country);
		return 1;
	}
	free(norm);	/* a valid code is exactly as given */
	*region = country;
	return 0;
}

int
cli_phone(struct ctx *c, const char *number, const char *country,
    char e164[PF_PHONE_E164_SIZE])
{
	const char	*why;
	char		*norm = NULL;

	if (cli_region(c, country, &country) != 0)
		return 1;
	if ((why = pf_valid_phone(number, country, &norm)) != NULL) {
		fprintf(stderr, "privforms: %s: %s\n", number, why);
		return 1;
	}
	snprintf(e164, PF_PHONE_E164_SIZE, "%s", norm);
	free(norm);
	return 0;
}

/*
 * cli_buffered, and with record (not NULL) record(c, rarg) between the
 * fill and the output: 0 lets the output go, anything else (said) keeps it.
 */
static int
buffered(const char *what, int (*fill)(struct ctx *, FILE *, void *),
    struct ctx *c, void *arg, int (*record)(struct ctx *, void *),
    void *rarg)
{
	FILE	*mem;
	char	*buf = NULL;
	size_t	 len = 0;
	int	 rc, bad;

	if ((mem = open_memstream(&buf, &len)) == NULL) {
		fprintf(stderr, "privforms: %s: %s\n", what, strerror(errno));
		return 1;
	}
	rc = fill(c, mem, arg);
	bad = ferror(mem);
	if (fclose(mem) != 0 || bad)
		rc = PF_ENOMEM;
	/* Stored before the forms refused them, or typed by hand. */
	if (rc == PF_OK)
		pf_utf8_bidi_mark(buf, len);
	if (rc == PF_OK && record != NULL && record(c, rarg) != 0) {
		free(buf);
		return 1;
	}
	if (rc == PF_OK && (fwrite(buf, 1, len, stdout) != len ||
	    fflush(stdout) != 0))
		rc = PF_EIO;
	free(buf);
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: %s: %s\n", what, pf_strerror(rc));
		return 1;
	}
	return 0;
}

int
cli_buffered(const char *what, int (*fill)(struct ctx *, FILE *, void *),
    struct ctx *c, void *arg)
{
	return buffered(what, fill, c, arg, NULL, NULL);
}

int
cli_buffered_audited(const char *what,
    int (*fill)(struct ctx *, FILE *, void *), struct ctx *c, void *arg,
    int (*record)(struct ctx *, void *))
{
	return buffered(what, fill, c, arg, record, arg);
}

struct read_job {
	const char		*what;
	const long long		*rows;
};

static int
read_record(struct ctx *c, void *arg)
{
	const struct read_job	*j = arg;

	return cli_read_audit(c, j->what, *j->rows);
}

int
cli_buffered_read(const char *what, int (*fill)(struct ctx *, FILE *, void *),
    struct ctx *c, void *arg, const long long *rows)
{
	struct read_job	 j = { what, rows };

	return buffered(what, fill, c, arg, read_record, &j);
}

int
cli_suppression_open(struct ctx *c, struct cli_suppression *s)
{
	int	 rc;

	memset(s, 0, sizeof(*s));
	if ((rc = pf_store_suppress_count(c->st, &s->n)) != PF_OK)
		return rc;
	if (s->n > 0 && cli_load_keys(c, &s->keys) != 0)
		return PF_ECONFIG;
	return PF_OK;
}

int
cli_suppression_has(struct ctx *c, const struct cli_suppression *s,
    const char *kind, const char *value, const char *channel)
{
	char	 hash[PF_HEX_DIGEST_LEN + 1];
	int	 rc;

	if (s->n == 0)
		return PF_ENOTFOUND;
	if ((rc = pf_pseudonym(&s->keys, kind, value, hash)) != PF_OK)
		return rc;
	return pf_store_suppressed(c->st, kind, hash, channel);
}

int
cli_suppressed(struct ctx *c, const char *kind, const char *value,
    const char *channel)
{
	struct cli_suppression	 s;
	int			 rc;

	if ((rc = cli_suppression_open(c, &s)) == PF_OK)
		rc = cli_suppression_has(c, &s, kind, value, channel);
	explicit_bzero(&s.keys, sizeof(s.keys));
	return rc;
}

/* Read all of f into *buf (a new buffer; *len bytes).  PF_OK or an error. */
static int
read_all(FILE *f, char **buf, size_t *len)
{
	char	*p = NULL, *np;
	size_t	 cap = 0, n = 0, r;

	*buf = NULL;
	*len = 0;
	do {
		if (n == cap) {
			cap = cap == 0 ? 65536 : cap * 2;
			if ((np = realloc(p, cap)) == NULL) {
				free(p);
				return PF_ENOMEM;
			}
			p = np;
		}
		n += r = fread(p + n, 1, cap - n, f);
	} while (r > 0);
	if (ferror(f)) {
		free(p);
		return PF_EIO;
	}
	*buf = p;
	*len = n;
	return PF_OK;
}

struct scrub {
	struct ctx			*c;
	const char			*what;
	cli_verdict			 verdict;
	void				*arg;
	struct cli_suppression		 sup;
	long long			 read, kept, removed, invalid;
};

/*
 * One line, text[0..n) without its line end, whole[0..wn) with it: the
 * verdict, and the whole line on out if it is kept.
 */
static int
scrub_line(struct scrub *x, const char *text, size_t n, const char *whole,
    size_t wn, FILE *out)
{
	const char	*why = NULL;
	char		*line;
	int		 keep = 0, rc;

	x->read++;
	if (memchr(text, '\0', n) != NULL) {
		rc = PF_EINVAL;
		why = "a NUL byte";
	} else if ((line = strndup(text, n)) == NULL)
		return PF_ENOMEM;
	else {
		rc = x->verdict(x->c, line, &x->sup, x->arg, &keep, &why);
		free(line);
	}
	if (rc == PF_EINVAL) {
		x->invalid++;
		fprintf(stderr, "privforms: %s: line %lld: %s\n", x->what,
		    x->read, why != NULL ? why : "not valid");
		return PF_OK;
	}
	if (rc != PF_OK)
		return rc;
	if (!keep) {
		x->removed++;
		return PF_OK;
	}
	x->kept++;
	return fwrite(whole, 1, wn, out) == wn ? PF_OK : PF_ENOMEM;
}

/* Each line of buf[0..len) (file.h's pf_file_line). */
static int
scrub_lines(struct scrub *x, const char *buf, size_t len, FILE *out)
{
	struct pf_line	 l;
	size_t		 pos = 0;
	int		 rc;

	while (pf_file_line(buf, len, &pos, &l))
		if ((rc = scrub_line(x, l.text, l.n, l.text, l.whole, out)) !=
		    PF_OK)
			return rc;
	return PF_OK;
}

/* The scrub in one read of the database, into out. */
static int
scrub_read(struct scrub *x, const char *buf, size_t len, FILE *out)
{
	int	 rc;

	if ((rc = pf_store_begin_read(x->c->st)) != PF_OK)
		return rc;
	if ((rc = cli_suppression_open(x->c, &x->sup)) == PF_OK)
		rc = scrub_lines(x, buf, len, out);
	pf_store_rollback(x->c->st);
	explicit_bzero(&x->sup.keys, sizeof(x->sup.keys));
	return rc;
}

const struct cli_spec cli_scrub_spec = { .opt = {
	{ "--country", CLI_VALUE | CLI_ONCE },
} };

int
cli_scrub(struct ctx *c, const char *what, cli_verdict verdict,
    const struct cli_args *a)
{
	struct scrub	 x = { .c = c, .what = what, .verdict = verdict };
	FILE		*mem = NULL;
	char		*in = NULL, *out = NULL;
	const char	*region;
	size_t		 inlen, outlen = 0;
	int		 rc, bad;

	if (cli_region(c, a->opt[0], &region) != 0 || cli_open_store(c) != 0)
		return 2;
	x.arg = (void *)region;
	if ((rc = read_all(stdin, &in, &inlen)) != PF_OK)
		goto fail;
	if ((mem = open_memstream(&out, &outlen)) == NULL) {
		rc = PF_ENOMEM;
		goto fail;
	}
	rc = scrub_read(&x, in, inlen, mem);
	bad = ferror(mem);
	if (fclose(mem) != 0 || bad)
		rc = rc == PF_OK ? PF_ENOMEM : rc;
	if (rc == PF_OK && (fwrite(out, 1, outlen, stdout) != outlen ||
	    fflush(stdout) != 0))
		rc = PF_EIO;
fail:
	free(in);
	free(out);
	if (rc != PF_OK) {
		if (rc != PF_ECONFIG)	/* said by cli_load_keys, phone_load */
			fprintf(stderr, "privforms: %s: %s\n", what,
			    pf_strerror(rc));
		return 2;
	}
	fprintf(stderr, "privforms: %s: %lld read, %lld kept, %lld removed, "
	    "%lld invalid\n", what, x.read, x.kept, x.removed, x.invalid);
	return 0;
}

int
cli_rows_begin(FILE *f, struct cli_rows *r)
{
	char	 now[PF_TIME_SIZE];
	size_t	 i;
	int	 rc;

	r->f = f;
	if (!r->xml) {
		for (i = 0; i < r->nfields; i++)
			pf_csv_field(f, r->fields[i].name, i + 1 < r->nfields ?
			    "," : "\r\n", PF_CSV_EXACT);
		return PF_OK;
	}
	if ((rc = pf_xmlw_open(f, &r->w)) != PF_OK)
		return rc;
	pf_utc_now(now);
	pf_xmlw_start(r->w, r->root, r->ns);
	pf_xmlw_attr(r->w, "version", "1");
	pf_xmlw_attr(r->w, "generated", now);
	pf_xmlw_attr(r->w, "since", r->since);
	if ((rc = pf_xmlw_status(r->w)) != PF_OK) {
		pf_xmlw_close(r->w);
		r->w = NULL;
	}
	return rc;
}

int
cli_rows_put(struct cli_rows *r, const void *row)
{
	const struct pf_xmlw_field	*fl;
	const char			*at, *v;
	char				 num[24];

	r->n++;
	if (r->xml)
		return pf_xmlw_record(r->w, r->element, row, r->fields,
		    r->nfields);
	for (fl = r->fields; fl < r->fields + r->nfields; fl++) {
		at = (const char *)row + fl->off;
		if (fl->kind == PF_XMLW_TEXT)
			v = *(const char *const *)at;
		else {
			snprintf(num, sizeof(num), "%lld", fl->kind ==
			    PF_XMLW_INT ? *(const int *)at :
			    *(const long long *)at);
			v = num;
		}
		pf_csv_field(r->f, v, fl + 1 < r->fields + r->nfields ? "," :
		    "\r\n", r->csv);
	}
	return PF_OK;
}

int
cli_rows_end(struct cli_rows *r, int rc)
{
	if (r->w == NULL)	/* CSV, or XML that did not begin */
		return rc;
	pf_xmlw_fail(r->w, rc);
	rc = pf_xmlw_close(r->w);
	r->w = NULL;
	return rc;
}
