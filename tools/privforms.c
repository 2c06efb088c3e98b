/*
 * privforms -- the admin and auditor command line.
 *
 *	privforms [--config FILE] COMMAND [ARGS]
 *
 * Without --config it reads $PRIVFORMS_CONFIG, else the compiled-in default
 * (in a source tree, ./var/privforms.conf, the one `make run` uses).  Exit
 * status: 0 success, 1 failure (said on stderr), 2 usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "config.h"
#include "err.h"
#include "file.h"
#include "keys.h"
#include "optout.h"
#include "page.h"
#include "sender.h"
#include "store.h"
#include "validate.h"

struct ctx {
	const char		*config;	/* --config, or the default */
	struct pf_config	*cfg;
	struct pf_store		*st;
};

struct cmd {
	const char	*name;		/* "audit verify" */
	int		(*fn)(struct ctx *, int, char **);
	const char	*args;		/* synopsis after the name */
	const char	*help;		/* what it does, for --help */
};

static int	cmd_init(struct ctx *, int, char **);
static int	cmd_link(struct ctx *, int, char **);
static int	cmd_pseudonym(struct ctx *, int, char **);
static int	cmd_export(struct ctx *, int, char **);
static int	cmd_verify(struct ctx *, int, char **);
static int	cmd_show(struct ctx *, int, char **);
static int	cmd_sync(struct ctx *, int, char **);
static int	cmd_mail_run(struct ctx *, int, char **);
static int	cmd_mail_status(struct ctx *, int, char **);
static int	cmd_mail_retry(struct ctx *, int, char **);

static const struct cmd cmds[] = {
	{ "init", cmd_init, "",
	  "Create the database (or bring its schema up to date), the secret key\n"
	  "file (mode 0600, never overwritten), the audit directory, and render\n"
	  "the hub page with the links set in the configuration.  Safe to run\n"
	  "again, e.g. after editing the hub links or upgrading." },
	{ "unsubscribe-link", cmd_link, "--email ADDRESS [--list ID]",
	  "Print the RFC 8058 one-click unsubscribe URL for ADDRESS (and mailing\n"
	  "list ID), signed and valid for unsubscribe_link_days.  Put it in the\n"
	  "List-Unsubscribe header, with List-Unsubscribe-Post:\n"
	  "List-Unsubscribe=One-Click." },
	{ "pseudonym", cmd_pseudonym, "--email ADDRESS | --phone NUMBER",
	  "Print the pseudonym that stands for ADDRESS or NUMBER in the audit\n"
	  "records (HMAC-SHA256 under the key), to find a person's records:\n"
	  "grep -rl PSEUDONYM AUDIT_DIR.  Numbers without a country code are\n"
	  "read in the configured phone_region." },
	{ "unsubscribes export", cmd_export, "",
	  "Write the suppression list as CSV on standard output: address,\n"
	  "channel, list (empty: every list), time of the first opt-out (UTC)." },
	{ "audit verify", cmd_verify, "",
	  "Check every audit record file, in order: schema, its own digest, the\n"
	  "previous record's digest, and the copy in the database; no file\n"
	  "missing or extra.  Exit 0, or 1 naming the first record that fails." },
	{ "audit show", cmd_show, "SEQ",
	  "Print audit record SEQ as stored in the database." },
	{ "audit sync", cmd_sync, "",
	  "Write every audit record file that is missing (say, after a crash\n"
	  "between a commit and the file write) from the database." },
	{ "mail run", cmd_mail_run, "[--once]",
	  "Send the queued mail through the configured SMTP server (smtp_host,\n"
	  "smtp_port, smtp_starttls, smtp_user) and keep polling for more until\n"
	  "SIGTERM or Ctrl-C; with --once, send what is due and exit (for cron\n"
	  "or a systemd timer).  A temporary refusal (4xx) or a connection\n"
	  "failure is retried after mail_retry seconds, doubling each time; a\n"
	  "permanent refusal (5xx) or the last of mail_attempts marks the\n"
	  "message failed.  Sent and failed each leave an audit record.  One\n"
	  "line per message on stderr: its id, outcome and SMTP reply code." },
	{ "mail status", cmd_mail_status, "",
	  "Print how many messages are queued, being sent, sent and failed." },
	{ "mail retry", cmd_mail_retry, "ID",
	  "Queue failed message ID again, due now, with its attempts reset\n"
	  "(say, after fixing the template or the SMTP settings).  Exit 1 if\n"
	  "there is no failed message ID." },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void
usage(FILE *f)
{
	size_t	 i;

	fprintf(f, "usage: privforms [--config FILE] COMMAND [ARGS]\n\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  privforms %s %s\n", cmds[i].name, cmds[i].args);
	fprintf(f, "\n'privforms COMMAND --help' describes a command.\n");
}

static int
load(struct ctx *c)
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
	return 0;
}

static int
open_store(struct ctx *c)
{
	struct pf_store_opts	 o;
	int			 rc;

	if (c->cfg == NULL && load(c) != 0)
		return 1;
	o.path = c->cfg->database;
	o.journal_mode = c->cfg->journal_mode;
	o.busy_timeout_ms = c->cfg->busy_timeout_ms;
	if ((rc = pf_store_open(&o, &c->st)) != PF_OK) {
		fprintf(stderr, "privforms: %s: %s\n", c->cfg->database,
		    pf_strerror(rc));
		return 1;
	}
	return 0;
}

static int
load_keys(struct ctx *c, struct pf_keys *keys)
{
	int	 rc;

	if (c->cfg == NULL && load(c) != 0)
		return 1;
	if ((rc = pf_keys_load(c->cfg->key_file, keys)) != PF_OK) {
		fprintf(stderr, "privforms: %s: %s (run privforms init)\n",
		    c->cfg->key_file, pf_strerror(rc));
		return 1;
	}
	return 0;
}

/* The hub's configurable links: template ids and config values. */
static int
hub_links(struct pf_page *page, const struct pf_config *cfg)
{
	const struct { const char *li, *a, *url; } links[] = {
		{ "hub-support", "hub-support-link", cfg->support_url },
		{ "hub-dpa", "hub-dpa-link", cfg->dpa_url },
		{ "hub-account", "hub-account-link", cfg->account_url },
	};
	size_t	 i, shown = 0;
	int	 rc = PF_OK;

	for (i = 0; i < 3 && rc == PF_OK; i++) {
		if (links[i].url[0] == '\0')
			rc = pf_page_remove(page, links[i].li);
		else {
			rc = pf_page_attr(page, links[i].a, "href", links[i].url);
			shown++;
		}
	}
	if (rc == PF_OK && shown == 0)
		rc = pf_page_remove(page, "hub-more");
	return rc;
}

static int
render_hub(const struct pf_config *cfg)
{
	struct pf_pages	*pages = NULL;
	struct pf_page	*page = NULL;
	char		*buf = NULL, path[4096];
	size_t		 len;
	int		 rc;

	snprintf(path, sizeof(path), "%s/index.html", cfg->site_dir);
	if ((rc = pf_pages_open(cfg->templates, cfg->prefix, &pages)) != PF_OK ||
	    (rc = pf_page_new(pages, "hub", &page)) != PF_OK ||
	    (rc = hub_links(page, cfg)) != PF_OK ||
	    (rc = pf_page_render(page, &buf, &len)) != PF_OK)
		fprintf(stderr, "privforms: hub page from %s: %s\n",
		    cfg->templates, pf_strerror(rc));
	else if (pf_file_replace(path, buf, len, 0644) != PF_OK) {
		fprintf(stderr, "privforms: %s: %s\n", path, strerror(errno));
		rc = PF_EIO;
	} else
		printf("hub page:  %s\n", path);
	free(buf);
	pf_page_free(page);
	pf_pages_free(pages);
	return rc;
}

static int
cmd_init(struct ctx *c, int argc, char **argv)
{
	int		 v, rc;

	(void)argv;
	if (argc != 0)
		return 2;
	if (load(c) != 0)
		return 1;
	/* Data stays private to the service; the hub page is public. */
	if (pf_file_mkdirs(c->cfg->audit_dir, 0750) != PF_OK ||
	    pf_file_mkparent(c->cfg->database, 0750) != PF_OK ||
	    pf_file_mkparent(c->cfg->key_file, 0700) != PF_OK ||
	    pf_file_mkdirs(c->cfg->site_dir, 0755) != PF_OK ||
	    chmod(c->cfg->site_dir, 0755) == -1) {
		fprintf(stderr, "privforms: cannot create the data directories: "
		    "%s\n", strerror(errno));
		return 1;
	}
	if ((rc = pf_keys_create(c->cfg->key_file)) != PF_OK) {
		fprintf(stderr, "privforms: %s: %s\n", c->cfg->key_file,
		    pf_strerror(rc));
		return 1;
	}
	printf("key file:  %s\n", c->cfg->key_file);
	if (open_store(c) != 0 || pf_store_schema_version(c->st, &v) != PF_OK)
		return 1;
	printf("database:  %s (schema %d, journal %s)\n", c->cfg->database, v,
	    pf_store_journal_mode(c->st));
	printf("audit:     %s\n", c->cfg->audit_dir);
	return render_hub(c->cfg) == PF_OK ? 0 : 1;
}

static int
cmd_link(struct ctx *c, int argc, char **argv)
{
	struct pf_keys	 keys;
	const char	*email = NULL, *list = NULL, *why = NULL;
	char		*url = NULL;
	int		 i, rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--email") == 0 && i + 1 < argc)
			email = argv[++i];
		else if (strcmp(argv[i], "--list") == 0 && i + 1 < argc)
			list = argv[++i];
		else
			return 2;
	}
	if (email == NULL)
		return 2;
	if (load_keys(c, &keys) != 0)
		return 1;
	rc = pf_optout_link(c->cfg, &keys, email, list, time(NULL), &url, &why);
	if (rc != PF_OK)
		fprintf(stderr, "privforms: %s\n", why != NULL ? why :
		    pf_strerror(rc));
	else
		printf("%s\n", url);
	free(url);
	return rc == PF_OK ? 0 : 1;
}

static int
cmd_pseudonym(struct ctx *c, int argc, char **argv)
{
	struct pf_keys	 keys;
	const char	*why;
	char		*norm = NULL, *key = NULL, out[PF_HEX_DIGEST_LEN + 1];
	int		 email, rc = 1;

	if (argc != 2 || (strcmp(argv[0], "--email") != 0 &&
	    strcmp(argv[0], "--phone") != 0))
		return 2;
	email = strcmp(argv[0], "--email") == 0;
	if (load_keys(c, &keys) != 0)
		return 1;
	why = email ? pf_valid_email(argv[1], NULL, &norm) :
	    pf_valid_phone(argv[1], c->cfg->phone_region, &norm);
	if (why != NULL) {
		fprintf(stderr, "privforms: %s\n", why);
		goto out;
	}
	if (email && (key = pf_email_key(norm)) == NULL)
		goto out;
	if (pf_pseudonym(&keys, email ? "email" : "phone",
	    email ? key : norm, out) != PF_OK)
		goto out;
	printf("%s\n", out);
	rc = 0;
out:
	free(key);
	free(norm);
	return rc;
}

/* One CSV field (RFC 4180): quoted when it holds a comma, quote or newline. */
static void
csv_field(const char *s, const char *sep)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		printf("%s%s", s, sep);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	printf("\"%s", sep);
}

static int
export_row(const struct pf_optout *o, void *arg)
{
	(void)arg;
	csv_field(o->address, ",");
	csv_field(o->channel, ",");
	csv_field(o->list, ",");
	csv_field(o->created, "\r\n");
	return 0;
}

static int
cmd_export(struct ctx *c, int argc, char **argv)
{
	int	 rc;

	(void)argv;
	if (argc != 0)
		return 2;
	if (open_store(c) != 0)
		return 1;
	printf("address,channel,list,time\r\n");
	if ((rc = pf_store_optout_each(c->st, export_row, NULL)) != PF_OK) {
		fprintf(stderr, "privforms: export: %s\n", pf_strerror(rc));
		return 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
cmd_verify(struct ctx *c, int argc, char **argv)
{
	long long	 bad = 0;
	int		 rc;

	(void)argv;
	if (argc != 0)
		return 2;
	if (open_store(c) != 0)
		return 1;
	rc = pf_audit_verify(c->st, c->cfg->audit_dir, c->cfg->audit_schema,
	    stderr, &bad);
	if (rc == PF_OK) {
		printf("audit: every record verified\n");
		return 0;
	}
	if (bad > 0)
		fprintf(stderr, "privforms: audit verify: record %lld fails\n", bad);
	else
		fprintf(stderr, "privforms: audit verify: %s\n", pf_strerror(rc));
	return 1;
}

static int
show_row(const struct pf_audit_row *r, void *arg)
{
	(void)arg;
	return fwrite(r->xml, 1, r->xml_len, stdout) == r->xml_len ? 0 : PF_EIO;
}

/* s as a whole decimal number of at least 1, or 0 if it is not one. */
static long long
positive(const char *s)
{
	long long	 v;
	char		*end;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < 1)
		return 0;
	return v;
}

static int
cmd_show(struct ctx *c, int argc, char **argv)
{
	long long	 seq;
	int		 rc;

	if (argc != 1)
		return 2;
	if ((seq = positive(argv[0])) < 1) {
		fprintf(stderr, "privforms: audit show: not a record number: %s\n",
		    argv[0]);
		return 2;
	}
	if (open_store(c) != 0)
		return 1;
	if ((rc = pf_store_audit_get(c->st, seq, show_row, NULL)) != PF_OK) {
		fprintf(stderr, "privforms: audit show %lld: %s\n", seq,
		    pf_strerror(rc));
		return 1;
	}
	return 0;
}

static int
cmd_sync(struct ctx *c, int argc, char **argv)
{
	long long	 n = 0;
	int		 rc;

	(void)argv;
	if (argc != 0)
		return 2;
	if (open_store(c) != 0)
		return 1;
	if ((rc = pf_audit_sync(c->st, c->cfg->audit_dir, &n)) != PF_OK) {
		fprintf(stderr, "privforms: audit sync: %s\n", pf_strerror(rc));
		return 1;
	}
	printf("audit: %lld record file%s written\n", n, n == 1 ? "" : "s");
	return 0;
}

static int
cmd_mail_run(struct ctx *c, int argc, char **argv)
{
	struct pf_sender_stats	 n;
	int			 once = 0, rc;

	if (argc > 1 || (argc == 1 && strcmp(argv[0], "--once") != 0))
		return 2;
	once = argc == 1;
	if (open_store(c) != 0)
		return 1;
	if (c->cfg->mail_from[0] == '\0') {
		fprintf(stderr, "privforms: mail run: mail_from is not set in %s, "
		    "so no mail is sent; set it (and the smtp_ keys) first\n",
		    c->cfg->path);
		return 1;
	}
	rc = pf_sender_run(c->cfg, c->st, once, 1000, stderr, &n);
	fprintf(stderr, "privforms: mail run: %lld sent, %lld deferred, "
	    "%lld failed\n", n.sent, n.deferred, n.failed);
	if (rc != PF_OK)
		fprintf(stderr, "privforms: mail run: %s\n", pf_strerror(rc));
	return rc == PF_OK ? 0 : 1;
}

static int
cmd_mail_status(struct ctx *c, int argc, char **argv)
{
	long long	 queued, sending, sent, failed;
	int		 rc;

	(void)argv;
	if (argc != 0)
		return 2;
	if (open_store(c) != 0)
		return 1;
	rc = pf_store_outbox_counts(c->st, &queued, &sending, &sent, &failed);
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: mail status: %s\n", pf_strerror(rc));
		return 1;
	}
	printf("queued:  %lld\nsending: %lld\nsent:    %lld\nfailed:  %lld\n",
	    queued, sending, sent, failed);
	return 0;
}

static int
cmd_mail_retry(struct ctx *c, int argc, char **argv)
{
	long long	 id;
	char		 now[32];
	int		 rc;

	if (argc != 1)
		return 2;
	if ((id = positive(argv[0])) < 1) {
		fprintf(stderr, "privforms: mail retry: not a message id: %s\n",
		    argv[0]);
		return 2;
	}
	if (open_store(c) != 0 || pf_store_begin(c->st) != PF_OK)
		return 1;
	pf_store_now(now);
	if ((rc = pf_store_outbox_requeue(c->st, id, now)) == PF_OK)
		rc = pf_store_commit(c->st);
	else
		pf_store_rollback(c->st);
	if (rc == PF_ENOTFOUND) {
		fprintf(stderr, "privforms: mail retry: no failed message %lld\n",
		    id);
		return 1;
	}
	if (rc != PF_OK) {
		fprintf(stderr, "privforms: mail retry: %s\n", pf_strerror(rc));
		return 1;
	}
	printf("mail %lld queued again\n", id);
	return 0;
}

/* The command named by argv (one or two words); *used says how many. */
static const struct cmd *
find(int argc, char **argv, int *used)
{
	size_t	 i, n;

	for (i = 0; i < NCMDS; i++) {
		n = strcspn(cmds[i].name, " ");
		if (strncmp(cmds[i].name, argv[0], n) != 0 || argv[0][n] != '\0')
			continue;
		if (cmds[i].name[n] == '\0') {
			*used = 1;
			return &cmds[i];
		}
		if (argc > 1 && strcmp(cmds[i].name + n + 1, argv[1]) == 0) {
			*used = 2;
			return &cmds[i];
		}
	}
	return NULL;
}

static int
has_help(int argc, char **argv)
{
	int	 i;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct ctx	 c = { 0 };
	const struct cmd *cmd;
	int		 used, rc;

	/* Data files are the service's alone (the database 0640, not 0644). */
	umask(027);
	argc--, argv++;
	if (argc >= 2 && strcmp(argv[0], "--config") == 0) {
		c.config = argv[1];
		argc -= 2, argv += 2;
	}
	if (argc == 0 || strcmp(argv[0], "--help") == 0 ||
	    strcmp(argv[0], "-h") == 0) {
		usage(argc == 0 ? stderr : stdout);
		return argc == 0 ? 2 : 0;
	}
	if ((cmd = find(argc, argv, &used)) == NULL) {
		fprintf(stderr, "privforms: unknown command: %s\n", argv[0]);
		usage(stderr);
		return 2;
	}
	if (has_help(argc - used, argv + used)) {
		printf("usage: privforms %s %s\n\n%s\n", cmd->name, cmd->args,
		    cmd->help);
		return 0;
	}
	if (c.config == NULL)
		c.config = pf_config_default_path();
	rc = cmd->fn(&c, argc - used, argv + used);
	if (rc == 2)
		fprintf(stderr, "usage: privforms %s %s\n", cmd->name, cmd->args);
	pf_store_close(c.st);
	pf_config_free(c.cfg);
	return rc;
}
