/* test_config.c -- reading privforms.conf (config.h). */
#include <sys/stat.h>

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "fixture.h"
#include "config.h"
#include "err.h"
#include "nitems.h"
#include "store.h"

/* fx.dir as the loader resolves it. */
static const char *
real_dir(void)
{
	static char	 real[PATH_MAX];

	ck_assert_ptr_nonnull(realpath(fx.dir, real));
	return real;
}

static void
write_conf(const char *text, size_t len)
{
	pf_test_write(fx.conf, text, len);
}

/* Write text as the file and load it. */
static int
load(const char *text, struct pf_config **cfg)
{
	write_conf(text, strlen(text));
	return pf_config_load(fx.conf, cfg, fx.err, sizeof(fx.err));
}

/* Load text, which must fail, and check the message. */
static void
refused(const char *text, const char *want)
{
	struct pf_config	*cfg = (struct pf_config *)1;
	char			 full[PATH_MAX + 128];

	ck_assert_msg(load(text, &cfg) == PF_ECONFIG, "accepted: %s", text);
	ck_assert_ptr_null(cfg);
	snprintf(full, sizeof(full), "%s:%s", fx.conf, want);
	ck_assert_msg(strcmp(fx.err, full) == 0,
	    "for '%s': got '%s', want '%s'", text, fx.err, full);
}

#define PG_PASSWORD	"carries a password: put it in libpq's password " \
	"file (~/.pgpass, or the file PGPASSFILE names) or a service file " \
	"(pg_service.conf), never in privforms.conf"

/*
 * Each key config.h keeps as one string or number: its default, and a
 * value test_every_key_can_be_set writes (text) and reads back.
 */
struct key_case {
	const char	*key;
	size_t		 off;	/* of its field in struct pf_config */
	const char	*text;	/* the value as written in the file */
	const char	*sdef, *sset;	/* a string key, or NULL */
	long		 ldef, lset;
};

#define S(k, d, v)	{ #k, offsetof(struct pf_config, k), v, d, v, 0, 0 }
#define N(k, d, v)	\
	{ #k, offsetof(struct pf_config, k), #v, NULL, NULL, d, v }
#define YN(k, d, t, v)	\
	{ #k, offsetof(struct pf_config, k), t, NULL, NULL, d, v }

static const struct key_case keys[] = {
	S(base_url, "http://127.0.0.1:8080", "https://example.com"),
	S(prefix, "/privacy", "/legal/privacy"),
	S(database, "/var/lib/privforms/privforms.db", "/srv/pf.db"),
	S(journal_mode, "truncate", "delete"),
	S(audit_dir, "/var/lib/privforms/audit", "/srv/audit"),
	S(audit_schema, "/usr/local/share/privforms/audit.xsd",
	    "/srv/audit.xsd"),
	S(key_file, "/var/lib/privforms/secret.key", "/srv/secret.key"),
	S(audit_origin, "127.0.0.1/privforms-audit", "example.com/audit"),
	S(audit_signing_key, "/var/lib/privforms/audit-signing.key",
	    "/srv/audit-signing.key"),
	S(audit_witness_mail, "", "a@example.com, b@example.com"),
	S(audit_witness_dir, "", "/srv/witness"),
	S(templates, "/usr/local/share/privforms/htdocs", "/srv/htdocs"),
	S(site_dir, "/var/lib/privforms/site", "/srv/site"),
	S(support_url, "", "https://example.com/help"),
	S(dpa_url, "", "/dpa.html"),
	S(account_url, "", "http://example.com/account?tab=privacy"),
	S(phone_region, "US", "GB"),
	S(mail_templates, "/etc/privforms/mail", "/srv/mail"),
	S(mail_from, "", "Example Privacy <privacy@example.com>"),
	S(mail_reply_to, "", "dpo@example.com"),
	S(privacy_team, "", "team@example.com"),
	S(smtp_host, "localhost", "mail.example.com"),
	S(smtp_starttls, "if-offered", "required"),
	S(smtp_ca_file, "", "/srv/ca.pem"),
	S(smtp_user, "", "privforms"),
	S(smtp_password_file, "", "/srv/smtp.password"),
	S(laws_file, "/etc/privforms/privacy-laws.tsv", "/srv/laws.tsv"),
	S(laws_exempt, "", "CCPA, TDPSA"),
	S(feedback_to, "", "feedback@example.com"),
	S(trusted_proxies, "", "127.0.0.1 ::1 10.0.0.0/8"),
	S(languages, PF_LANGUAGES, "en de pt-BR"),
	S(default_language, "en", "pt-BR"),
	S(locale_dir, "/usr/local/share/locale", "/srv/locale"),
	N(busy_timeout_ms, 5000, 1), N(max_body, 65536, 1048576),
	N(max_fields, 32, 1000), N(max_field_len, 20000, 65536),
	N(unsubscribe_link_days, 365, 3650), N(smtp_port, 25, 587),
	N(preferences_link_days, 90, 30), N(subscribe_confirm_days, 7, 30),
	N(smtp_timeout, 30, 600), N(mail_attempts, 8, 50),
	N(mail_retry, 60, 86400), N(dnc_retention_years, 5, 100),
	N(feedback_step_hours, 24, 720), N(article_vote_window_hours, 24, 8760),
	N(audit_checkpoint_minutes, 10, 1440),
	N(consent_retention_years, 5, 100),
	N(request_retention_months, 24, 36),
	YN(unsubscribe_confirmation, 0, "yes", 1),
	YN(dnc_confirmation, 1, "no", 0),
};

/* The key's field in cfg is its default (set 0) or its set value (set 1). */
static void
key_is(const struct pf_config *cfg, const struct key_case *k, int set)
{
	const char	*field = (const char *)cfg + k->off;

	if (k->sdef != NULL)
		ck_assert_msg(strcmp(*(char *const *)field,
		    set ? k->sset : k->sdef) == 0, "%s is '%s'", k->key,
		    *(char *const *)field);
	else
		ck_assert_msg(*(const long *)field ==
		    (set ? k->lset : k->ldef), "%s is %ld", k->key,
		    *(const long *)field);
}

/* The string key's field in cfg (the test fails if keys has none). */
static const char *
str_field(const struct pf_config *cfg, const char *key)
{
	size_t	 i;

	for (i = 0; i < nitems(keys); i++)
		if (keys[i].sdef != NULL && strcmp(keys[i].key, key) == 0)
			return *(char *const *)((const char *)cfg +
			    keys[i].off);
	ck_abort_msg("no string key %s", key);
	return NULL;
}

START_TEST(test_empty_file_gives_defaults)
{
	struct pf_config	*cfg;
	char			 want[PATH_MAX + 32];
	size_t			 i;

	ck_assert_int_eq(load("", &cfg), PF_OK);
	snprintf(want, sizeof(want), "%s/privforms.conf", real_dir());
	ck_assert_str_eq(cfg->path, want);
	for (i = 0; i < nitems(keys); i++)
		key_is(cfg, &keys[i], 0);
	pf_config_free(cfg);
}
END_TEST

/* A form's guard settings, as config.h keeps them. */
struct guard_want {
	enum pf_guard_form	 form;
	long			 pow, refuse_nojs;
	long			 limit[2], limit_nojs[2], limit_address[2];
	long			 limit_wide[2];
};

static void
guard_is(const struct pf_config *cfg, const struct guard_want *w)
{
	const struct pf_guard_conf	*g = &cfg->guard[w->form];

	ck_assert_msg(g->pow == w->pow && g->refuse_nojs == w->refuse_nojs,
	    "form %d: pow %ld refuse %ld", w->form, g->pow, g->refuse_nojs);
	ck_assert_msg(g->limit.count == w->limit[0] &&
	    g->limit.seconds == w->limit[1], "form %d: limit %ld/%ld",
	    w->form, g->limit.count, g->limit.seconds);
	ck_assert_msg(g->limit_nojs.count == w->limit_nojs[0] &&
	    g->limit_nojs.seconds == w->limit_nojs[1],
	    "form %d: limit_nojs %ld/%ld", w->form, g->limit_nojs.count,
	    g->limit_nojs.seconds);
	ck_assert_msg(g->limit_address.count == w->limit_address[0] &&
	    g->limit_address.seconds == w->limit_address[1],
	    "form %d: limit_address %ld/%ld", w->form,
	    g->limit_address.count, g->limit_address.seconds);
	ck_assert_msg(g->limit_wide.count == w->limit_wide[0] &&
	    g->limit_wide.seconds == w->limit_wide[1],
	    "form %d: limit_wide %ld/%ld", w->form, g->limit_wide.count,
	    g->limit_wide.seconds);
}

/* The guard's settings after reading text: every form's and the shared ones. */
struct guard_case {
	const char		*text;
	struct guard_want	 want[5];
	long			 revisions[2];	/* feedback_limit_revisions */
	const char		*trusted_proxies;
	long			 form_min_seconds, form_max_hours;
	long			 pow_minutes;
};

static const struct guard_case guard_cases[] = {
	/* An empty file gives the defaults. */
	{ "", {
		{ PF_GUARD_UNSUBSCRIBE, 50000, 0, { 30, 3600 }, { 10, 3600 },
		    { 3, 3600 }, { 300, 3600 } },
		{ PF_GUARD_DNC, 50000, 0, { 20, 3600 }, { 5, 3600 },
		    { 3, 3600 }, { 200, 3600 } },
		{ PF_GUARD_REQUEST, 100000, 0, { 10, 3600 }, { 2, 3600 },
		    { 3, 3600 }, { 100, 3600 } },
		{ PF_GUARD_FEEDBACK, 50000, 0, { 20, 3600 }, { 5, 3600 },
		    { 0, 0 }, { 200, 3600 } },
		{ PF_GUARD_VOTE, 0, 0, { 60, 3600 }, { 0, 0 }, { 0, 0 },
		    { 600, 3600 } },
	    }, { 20, 3600 }, "", 3, 24, 20 },
	/* Every guard key can be set. */
	{
	    "unsubscribe_pow = 1000\n"
	    "unsubscribe_without_js = refuse\n"
	    "unsubscribe_limit = 1/minute\n"
	    "unsubscribe_limit_nojs = 2/day\n"
	    "unsubscribe_limit_address = 3/minute\n"
	    "unsubscribe_limit_ipv6_48 = 11/hour\n"
	    "dnc_pow = 10000000\n"
	    "dnc_without_js = accept\n"
	    "dnc_limit = 4/hour\n"
	    "dnc_limit_nojs = off\n"
	    "dnc_limit_address = 5/day\n"
	    "dnc_limit_ipv6_48 = off\n"
	    "request_pow = 2000\n"
	    "request_without_js = refuse\n"
	    "request_limit = off\n"
	    "request_limit_nojs = 6/minute\n"
	    "request_limit_address = 1000000/hour\n"
	    "request_limit_ipv6_48 = 12/day\n"
	    "feedback_pow = 3000\n"
	    "feedback_without_js = refuse\n"
	    "feedback_limit = 7/day\n"
	    "feedback_limit_nojs = 8/hour\n"
	    "feedback_limit_ipv6_48 = 13/minute\n"
	    "feedback_limit_revisions = 15/day\n"
	    "vote_limit = 9/minute\n"
	    "vote_limit_ipv6_48 = 14/hour\n"
	    "trusted_proxies = 127.0.0.1 ::1 10.0.0.0/8\n"
	    "form_min_seconds = 0\n"
	    "form_max_hours = 720\n"
	    "pow_minutes = 1440\n", {
		{ PF_GUARD_UNSUBSCRIBE, 1000, 1,
		    { 1, 60 }, { 2, 86400 }, { 3, 60 }, { 11, 3600 } },
		{ PF_GUARD_DNC, 10000000, 0,
		    { 4, 3600 }, { 0, 0 }, { 5, 86400 }, { 0, 0 } },
		{ PF_GUARD_REQUEST, 2000, 1,
		    { 0, 0 }, { 6, 60 }, { 1000000, 3600 }, { 12, 86400 } },
		{ PF_GUARD_FEEDBACK, 3000, 1,
		    { 7, 86400 }, { 8, 3600 }, { 0, 0 }, { 13, 60 } },
		{ PF_GUARD_VOTE, 0, 0,
		    { 9, 60 }, { 0, 0 }, { 0, 0 }, { 14, 3600 } },
	    }, { 15, 86400 }, "127.0.0.1 ::1 10.0.0.0/8", 0, 720, 1440 },
};

START_TEST(test_guard_settings)
{
	const struct guard_case	*c = &guard_cases[_i];
	struct pf_config	*cfg;
	size_t			 i;

	ck_assert_msg(load(c->text, &cfg) == PF_OK, "%s", fx.err);
	for (i = 0; i < nitems(c->want); i++)
		guard_is(cfg, &c->want[i]);
	ck_assert_int_eq(cfg->feedback_limit_revisions.count, c->revisions[0]);
	ck_assert_int_eq(cfg->feedback_limit_revisions.seconds,
	    c->revisions[1]);
	ck_assert_str_eq(cfg->trusted_proxies, c->trusted_proxies);
	ck_assert_int_eq(cfg->form_min_seconds, c->form_min_seconds);
	ck_assert_int_eq(cfg->form_max_hours, c->form_max_hours);
	ck_assert_int_eq(cfg->pow_minutes, c->pow_minutes);
	pf_config_free(cfg);
}
END_TEST

START_TEST(test_every_key_can_be_set)
{
	struct pf_config	*cfg;
	char			 text[4096];
	size_t			 i, len = 0;

	for (i = 0; i < nitems(keys); i++) {
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "%s = %s\n", keys[i].key, keys[i].text);
		ck_assert_uint_lt(len, sizeof(text));
	}
	ck_assert_msg(load(text, &cfg) == PF_OK, "%s", fx.err);
	for (i = 0; i < nitems(keys); i++)
		key_is(cfg, &keys[i], 1);
	pf_config_free(cfg);
}
END_TEST

/* Load "key = value", which must succeed: the configuration. */
static struct pf_config *
accepted(const char *key, const char *value)
{
	struct pf_config	*cfg;
	char			 line[256];

	snprintf(line, sizeof(line), "%s = %s\n", key, value);
	ck_assert_msg(load(line, &cfg) == PF_OK, "%s: %s", line, fx.err);
	return cfg;
}

/* "key = v" for each v of bad refused with the message "1: " why. */
static void
refused_values(const char *key, const char *const *bad, size_t n,
    const char *why)
{
	char	 line[256], msg[256];
	size_t	 i;

	snprintf(msg, sizeof(msg), "1: %s", why);
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%s = %s\n", key, bad[i]);
		refused(line, msg);
	}
}

/* "key = v" for each v of bad refused with a message that starts "1: key". */
static void
refused_key(const char *key, const char *const *bad, size_t n,
    const char *after)
{
	struct pf_config	*cfg;
	char			 line[256], msg[128];
	size_t			 i;

	snprintf(msg, sizeof(msg), ":1: %s %s", key, after);
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%s = %s\n", key, bad[i]);
		cfg = NULL;
		ck_assert_msg(load(line, &cfg) == PF_ECONFIG, "accepted %s",
		    bad[i]);
		ck_assert_msg(strstr(fx.err, msg) != NULL, "%s", fx.err);
	}
}

/*
 * Files refused, each with the line and the reason.
 */
static const struct pf_test_case refusals[] = {
	/* Forms without a challenge, or an address, have no such key. */
	{ "feedback_limit_address = 3/hour\n",
	    "1: unknown key 'feedback_limit_address'" },
	{ "vote_pow = 1000\n", "1: unknown key 'vote_pow'" },
	{ "vote_without_js = refuse\n", "1: unknown key 'vote_without_js'" },
	{ "vote_limit_nojs = 1/hour\n", "1: unknown key 'vote_limit_nojs'" },
	{ "vote_limit_address = 1/hour\n",
	    "1: unknown key 'vote_limit_address'" },
	{ "# comment\nmax_body = 2048\nfoo = 1\n", "3: unknown key 'foo'" },
	{ "Max_Body = 2048\n", "1: unknown key 'Max_Body'" },
	{ "max body = 2048\n", "1: unknown key 'max body'" },
	{ "= 2048\n", "1: unknown key ''" },
	{ "max_body = 2048\n\nmax_body = 2048\n", "3: max_body is set twice" },
	{ "prefix = /a\nprefix = /a\n", "2: prefix is set twice" },
	{ "max_body 2048\n", "1: expected 'key = value'" },
	{ "\n\n[section]\n", "3: expected 'key = value'" },
	{ "prefix = privacy\n", "1: prefix must start with '/'" },
	{ "prefix =\n", "1: prefix must start with '/'" },
	{ "prefix = /\n", "1: prefix must not be '/' alone" },
	{ "prefix = //\n", "1: prefix must not be '/' alone" },
	{ "prefix = /a b\n",
	    "1: prefix may contain only letters, digits and / - . _ ~" },
	{ "prefix = /a?b\n",
	    "1: prefix may contain only letters, digits and / - . _ ~" },
	{ "prefix = /a\"b\n",
	    "1: prefix may contain only letters, digits and / - . _ ~" },
	{ "prefix = /a//b\n",
	    "1: prefix must not contain empty, '.' or '..' segments" },
	{ "prefix = /a/../b\n",
	    "1: prefix must not contain empty, '.' or '..' segments" },
	{ "prefix = /a/./b\n",
	    "1: prefix must not contain empty, '.' or '..' segments" },
	{ "prefix = /..\n",
	    "1: prefix must not contain empty, '.' or '..' segments" },
	{ "prefix = /a/.\n",
	    "1: prefix must not contain empty, '.' or '..' segments" },
	{ "audit_ticket_pattern = OPS-(\n",
	    "1: audit_ticket_pattern must be a POSIX extended regular "
	    "expression" },
	{ "audit_ticket_pattern = a\tb\n",
	    "1: audit_ticket_pattern must be UTF-8 text without control "
	    "characters" },
	{ "journal_mode = memory\n",
	    "1: journal_mode must be delete, truncate or wal" },
	{ "journal_mode = off\n",
	    "1: journal_mode must be delete, truncate or wal" },
	{ "journal_mode =\n",
	    "1: journal_mode must be delete, truncate or wal" },
	{ "database =\n", "1: database: empty path" },
	/* A PostgreSQL password belongs in libpq's files, never here. */
	{ "database = postgresql://pf:secret@db.example/pf\n",
	    "1: database " PG_PASSWORD },
	{ "database = host=db.example dbname=pf password=secret\n",
	    "1: database " PG_PASSWORD },
	{ "admin_database = service=pf password = x\n",
	    "1: admin_database " PG_PASSWORD },
	/* libpq keeps a repeated key's last value: an empty one after. */
	{ "database = postgresql://pf:secret@db.example/pf?password=\n",
	    "1: database " PG_PASSWORD },
	{ "database = host=x password=secret password=\n",
	    "1: database " PG_PASSWORD },
	{ "admin_database = host=x password = 'a b' password=''\n",
	    "1: admin_database " PG_PASSWORD },
	{ "database = postgres://pf:@db.example/pf\n",
	    "1: database " PG_PASSWORD },
	{ "database = postgresql:///pf?host=/tmp&p%61ssword=\n",
	    "1: database " PG_PASSWORD },
	{ "database = host=db dbname\n", "1: database is not a libpq "
	    "connection string: missing \"=\" after \"dbname\" in "
	    "connection info string" },
	{ "\naudit_dir = \t\n", "2: audit_dir: empty path" },
	{ "mail_templates =\n", "1: mail_templates: empty path" },
	{ "dnc_confirmation = 0\n", "1: dnc_confirmation must be yes or no" },
	{ "audit_origin = a b\n", "1: audit_origin must be a name without "
	    "blanks, control characters or '+' (e.g. "
	    "privacy.example.com/privforms-audit)" },
	{ "audit_origin = a+b\n", "1: audit_origin must be a name without "
	    "blanks, control characters or '+' (e.g. "
	    "privacy.example.com/privforms-audit)" },
	{ "audit_witness_mail = a@example.com; b@example.com\n",
	    "1: audit_witness_mail must be email addresses separated by commas" },
	{ "audit_witness_mail = a@example.com,\n",
	    "1: audit_witness_mail must be email addresses separated by commas" },
	{ "audit_witness_mail = a@example.com b@example.com\n",
	    "1: audit_witness_mail must be email addresses separated by commas" },
	{ "audit_checkpoint_minutes = 0\n",
	    "1: audit_checkpoint_minutes must be between 1 and 1440" },
	{ "trusted_proxies = proxy.example.com\n", "1: trusted_proxies has "
	    "an entry that is not an IP address or CIDR block" },
	{ "trusted_proxies = 10.0.0.1, 10.0.0.2\n", "1: trusted_proxies has "
	    "an entry that is not an IP address or CIDR block" },
	{ "trusted_proxies = 10.0.0.0/33\n", "1: trusted_proxies has a bad "
	    "prefix length (0 to 32 for IPv4, 0 to 128 for IPv6)" },
	{ "trusted_proxies = 10.0.0.1/8\n", "1: trusted_proxies has a block "
	    "with host bits set: give its network address (10.0.0.0/8, not "
	    "10.0.0.1/8)" },
	{ "trusted_proxies = ::ffff:10.0.0.1\n", "1: trusted_proxies has an "
	    "IPv4-mapped IPv6 entry: write it as IPv4" },
};

START_TEST(test_refused_with_line_and_reason)
{
	refused(refusals[_i].in, refusals[_i].want);
}
END_TEST

/*
 * String values read back as given, or normalised (by key, each key's
 * kept values first).
 */
struct value_case {
	const char	*key, *in, *out;
};

#define V(k, in, out)	{ #k, in, out }	/* normalised */
#define KEEP(k, in)	{ #k, in, in }	/* kept as given */

static const struct value_case values[] = {
	KEEP(prefix, "/a.b_c~d"),
	KEEP(prefix, "/legal/privacy-center"),
	KEEP(prefix, "/privacy"),
	V(prefix, "/privacy/", "/privacy"),
	V(prefix, "/privacy//", "/privacy"),
	KEEP(journal_mode, "delete"),
	KEEP(journal_mode, "truncate"),
	KEEP(journal_mode, "wal"),
	V(journal_mode, "Truncate", "truncate"),
	V(journal_mode, "WAL", "wal"),
	KEEP(phone_region, "DE"),
	KEEP(smtp_host, "192.0.2.25"),
	KEEP(smtp_host, "localhost"),
	KEEP(smtp_host, "mail.example.com"),
	KEEP(smtp_host, "smtp-relay.example.co.uk"),
	KEEP(base_url, "http://127.0.0.1:8080"),
	KEEP(base_url, "http://[2001:db8::1]"),
	KEEP(base_url, "http://[::1]:8080"),
	KEEP(base_url, "http://localhost:65535"),
	KEEP(base_url, "https://example.com"),
	KEEP(base_url, "https://www.example.co.uk:443"),
	V(base_url, "https://example.com/", "https://example.com"),
	KEEP(privacy_team, ""),
	V(privacy_team, "Team@Example.COM", "Team@example.com"),
	/* Forwarded feedback goes to one plain address, as privacy_team. */
	KEEP(feedback_to, ""),
	V(feedback_to, "Feedback@Example.COM", "Feedback@example.com"),
	KEEP(trusted_proxies, "192.0.2.10\t2001:db8::/32"),
	KEEP(smtp_starttls, "if-offered"),
	KEEP(smtp_starttls, "off"),
	KEEP(smtp_starttls, "required"),
	V(smtp_starttls, "IF-OFFERED", "if-offered"),
	V(smtp_starttls, "Required", "required"),
};

START_TEST(test_value_read_back)
{
	const struct value_case	*v = &values[_i];
	struct pf_config	*cfg = accepted(v->key, v->in);

	ck_assert_str_eq(str_field(cfg, v->key), v->out);
	pf_config_free(cfg);
}
END_TEST

/*
 * Keys whose accepted values are read back as given, in each of the
 * fields listed, and whose refused values name the key.
 */
static const char *const hub_ok[] = {
	"", "https://example.com/help", "http://example.com",
	"/help", "/", "/help?topic=privacy&x=1",
};

static const char *const hub_bad[] = {
	"help", "//evil.example/x", "javascript:alert(1)", "http://",
	"https://", "mailto:dpo@example.com", "https://a b", "/a\tb",
	"/caf\xc3\xa9", "data:text/html,x",
};

/* mail_from and mail_reply_to: "", an address, or "Name <address>". */
static const char *const mailbox_ok[] = {
	"", "privacy@example.com", "Privacy Team <privacy@example.com>",
	"<privacy@example.com>", "Example, Inc. <a.b+c@mail.example.com>",
	"Datenschutz M\xc3\xbcller <dpo@example.de>",
	"Privacy <PRIVACY@Example.COM>",
};

static const char *const mailbox_bad[] = {
	"privacy", "privacy@example", "Privacy Team privacy@example.com",
	"Privacy <privacy@example.com", "Privacy privacy@example.com>",
	"\"Privacy Team\" <privacy@example.com>",
	"Pri\\vacy <privacy@example.com>", "A <b> <privacy@example.com>",
	"Privacy <privacy@example.com>x",
	    "Privacy < privacy@example.com>",
	"Privacy\t<privacy@example.com>", "Privacy\x7f <a@example.com>",
	"Privacy \x1b[31m <a@example.com>", "M\xfcller <a@example.com>",
	"Privacy <pr ivacy@example.com>", "a@example.com, b@example.com",
	"Privacy <a@example.com>, <b@example.com>",
	"Privacy \xc2\x85 <a@example.com>",
};

static const struct {
	const char		*key;
	const char *const	*ok, *const *bad;
	size_t			 nok, nbad;
	const char		*after;	/* what follows "1: key " */
} kept[] = {
#define K(k, ok, bad, after)						\
	{ #k, ok, bad, nitems(ok), nitems(bad), after }
	K(support_url, hub_ok, hub_bad, ""),
	K(dpa_url, hub_ok, hub_bad, ""),
	K(account_url, hub_ok, hub_bad, ""),
	K(mail_from, mailbox_ok, mailbox_bad, "must be "),
	K(mail_reply_to, mailbox_ok, mailbox_bad, "must be "),
#undef K
};

START_TEST(test_kept_as_given_or_refused)
{
	struct pf_config	*cfg;
	size_t			 i;

	for (i = 0; i < kept[_i].nok; i++) {
		cfg = accepted(kept[_i].key, kept[_i].ok[i]);
		ck_assert_str_eq(str_field(cfg, kept[_i].key), kept[_i].ok[i]);
		pf_config_free(cfg);
	}
	refused_key(kept[_i].key, kept[_i].bad, kept[_i].nbad,
	    kept[_i].after);
}
END_TEST

START_TEST(test_base_url_refused)
{
	static const char *const bad[] = {
		"", "example.com", "ftp://example.com", "http://", "https:///",
		"https://example.com/privacy", "https://example.com//",
		"http://user@example.com", "http://example.com:0",
		"http://example.com:65536", "http://example.com:",
		"http://example.com:80a", "http://exa mple.com",
		"http://example.com?x", "http://example.com#x", "http://[::1",
		"http://::1", "HTTP://example.com",
	};

	refused_key("base_url", bad, nitems(bad), "");
}
END_TEST

/*
 * Keys that give one reason for every value they refuse.
 */
static const char *const region_bad[] = {
	"us", "Us", "USA", "U", "1A", "", "U1",
};

static const char *const team_bad[] = {
	"team", "Team <team@example.com>", "team@example",
	"team@exa mple.com", "te am@example.com", "team@[192.0.2.1]",
	"t\xc3\xa9" "am@example.com", "team@example.com,x@example.com",
};

static const char *const feedback_bad[] = {
	"feedback", "Feedback <feedback@example.com>",
	"feedback@example", "feedback@exa mple.com",
	"feed back@example.com", "feedback@[192.0.2.1]",
	"f\xc3\xa9" "edback@example.com",
	"feedback@example.com,x@example.com",
	"feedback@example.com x@example.com",
};

static const char *const host_bad[] = {
	"", "mail example.com", "mail.example.com:25", "::1", "[::1",
	"[::1]", "[2001:db8::25]", "[192.0.2.25]",
	"smtp://mail.example.com", "m\xc3\xa4il.example.com",
	"mail/example", "user@mail.example.com",
};

static const char *const starttls_bad[] = {
	"", "yes", "no", "on", "if_offered", "ifoffered", "tls",
	"required tls", "starttls",
};

static const char *const user_bad[] = {
	"us\ter", "user\x01", "us\x7f" "er", "\xff", "us\xc2\x80" "er",
};

static const char *const languages_bad[] = {
	"EN", "en_US", "e", "english", "en-", "-en", "en--us", "de-",
	"en-toolongsubtag", "de,fr", "en;q=1", "\xc3\xa9n", "a1 b2",
	"zh-Hant-TW", "de DE", "*",
};

static const char *const yes_no_bad[] = {
	"", "1", "0", "true", "false", "on", "off", "Yes", "NO", "y",
};

static const struct {
	const char		*key;
	const char *const	*bad;
	size_t			 n;
	const char		*why;
} one_reason[] = {
#define R(k, bad, why)	{ #k, bad, nitems(bad), why }
	R(phone_region, region_bad,
	    "phone_region must be two upper-case letters (ISO 3166-1 alpha-2)"),
	R(privacy_team, team_bad, "privacy_team must be an email address"),
	R(feedback_to, feedback_bad, "feedback_to must be an email address"),
	R(smtp_host, host_bad, "smtp_host must be a host name or an IPv4 "
	    "address (the SMTP library cannot use an IPv6 literal: name the "
	    "host)"),
	R(smtp_starttls, starttls_bad,
	    "smtp_starttls must be required, if-offered or off"),
	R(smtp_user, user_bad,
	    "smtp_user must be UTF-8 text without control characters"),
	R(languages, languages_bad, "languages must be language tags such as "
	    "en de pt-BR, separated by blanks"),
	R(unsubscribe_confirmation, yes_no_bad,
	    "unsubscribe_confirmation must be yes or no"),
#undef R
};

START_TEST(test_one_reason_for_each_bad_value)
{
	refused_values(one_reason[_i].key, one_reason[_i].bad,
	    one_reason[_i].n, one_reason[_i].why);
}
END_TEST

START_TEST(test_rate_spellings)
{
	static const struct {
		const char	*in;
		struct pf_rate	 want;
	} t[] = {
		{ "off", { 0, 0 } }, { "1/minute", { 1, 60 } },
		{ "1/hour", { 1, 3600 } }, { "1/day", { 1, 86400 } },
		{ "1000000/minute", { 1000000, 60 } },
		{ "1000000/day", { 1000000, 86400 } },
		{ "0000007/hour", { 7, 3600 } }, { "42/day", { 42, 86400 } },
	};
	struct pf_config	*cfg;
	char			 line[128];
	size_t			 i;

	for (i = 0; i < nitems(t); i++) {
		snprintf(line, sizeof(line), "dnc_limit = %s\n", t[i].in);
		ck_assert_msg(load(line, &cfg) == PF_OK, "%s: %s", t[i].in,
		    fx.err);
		ck_assert_int_eq(cfg->guard[PF_GUARD_DNC].limit.count,
		    t[i].want.count);
		ck_assert_int_eq(cfg->guard[PF_GUARD_DNC].limit.seconds,
		    t[i].want.seconds);
		pf_config_free(cfg);
	}
}
END_TEST

START_TEST(test_bad_rates_refused)
{
	static const char *const bad[] = {
		"", "0/hour", "1000001/hour", "10000000/day", "99999999999/hour",
		"-1/hour", "+1/hour", "1.5/hour", "1e3/hour", "0x10/hour",
		"10", "10/", "/hour", "10/hours", "10/Hour", "10/HOUR",
		"10/second", "10/week", "10 / hour", "10/ hour", "10 per hour",
		"10/hour/day", "Off", "OFF", "none", "no", "0", "unlimited",
		"10/hourx",
	};
	static const char *const keys[] = {
		"unsubscribe_limit", "dnc_limit_nojs", "request_limit_address",
		"vote_limit",
	};
	char	 why[192];
	size_t	 k;

	for (k = 0; k < nitems(keys); k++) {
		snprintf(why, sizeof(why), "%s must be off, or N/minute, "
		    "N/hour or N/day with N from 1 to 1000000", keys[k]);
		refused_values(keys[k], bad, nitems(bad), why);
	}
}
END_TEST

START_TEST(test_without_js_is_accept_or_refuse)
{
	static const char *const bad[] = {
		"", "yes", "no", "Accept", "REFUSE", "refused", "accepted",
		"deny", "allow", "0", "1", "accept refuse",
	};
	static const char *const form[] = {
		"unsubscribe", "dnc", "request", "feedback",
	};
	static const enum pf_guard_form which[] = {
		PF_GUARD_UNSUBSCRIBE, PF_GUARD_DNC, PF_GUARD_REQUEST,
		PF_GUARD_FEEDBACK,
	};
	struct pf_config	*cfg;
	char			 key[64], why[128];
	size_t			 f;

	for (f = 0; f < nitems(form); f++) {
		snprintf(key, sizeof(key), "%s_without_js", form[f]);
		cfg = accepted(key, "refuse");
		ck_assert_int_eq(cfg->guard[which[f]].refuse_nojs, 1);
		pf_config_free(cfg);
		cfg = accepted(key, "accept");
		ck_assert_int_eq(cfg->guard[which[f]].refuse_nojs, 0);
		pf_config_free(cfg);
		snprintf(why, sizeof(why), "%s must be accept or refuse", key);
		refused_values(key, bad, nitems(bad), why);
	}
}
END_TEST

START_TEST(test_comments_blanks_and_crlf)
{
	struct pf_config	*cfg;

	ck_assert_int_eq(load("# a comment\n\n   \n\t# indented comment\n"
	    "  max_fields\t=\t 7  \r\n"
	    "dpa_url=https://example.com/dpa#section\n"
	    "max_body = 2048", &cfg), PF_OK);
	ck_assert_int_eq(cfg->max_fields, 7);
	ck_assert_int_eq(cfg->max_body, 2048);
	/* '#' after the start of a line is part of the value. */
	ck_assert_str_eq(cfg->dpa_url, "https://example.com/dpa#section");
	pf_config_free(cfg);
}
END_TEST

START_TEST(test_relative_paths_resolve_against_config_dir)
{
	struct pf_config	*cfg;
	char			 want[PATH_MAX + 64];

	ck_assert_int_eq(load("database = privforms.db\n"
	    "audit_dir = ./audit\n"
	    "templates = ../htdocs\n"
	    "key_file = /abs/secret.key\n", &cfg), PF_OK);
	snprintf(want, sizeof(want), "%s/privforms.db", real_dir());
	ck_assert_str_eq(cfg->database, want);
	snprintf(want, sizeof(want), "%s/./audit", real_dir());
	ck_assert_str_eq(cfg->audit_dir, want);
	snprintf(want, sizeof(want), "%s/../htdocs", real_dir());
	ck_assert_str_eq(cfg->templates, want);
	ck_assert_str_eq(cfg->key_file, "/abs/secret.key");
	pf_config_free(cfg);
}
END_TEST

/*
 * A PostgreSQL connection string is kept as written, not resolved as a
 * path; admin_database is database's unless set.
 */
START_TEST(test_database_postgresql)
{
	static const char *const conninfo[] = {
		"postgresql:///pf?host=/run/postgresql",
		"postgres://pf@db.example:5433/pf?sslmode=verify-full",
		"service=privforms",
		"host=/run/postgresql dbname=pf user=pf",
		/* "password" in a value, or as part of a key, is no password. */
		"host=/run/postgresql application_name='password=x' dbname=pf",
		"postgresql:///pf?application_name=password%3Dx",
	};
	struct pf_config	*cfg;
	char			 text[256], want[PATH_MAX + 32];
	size_t			 i;

	for (i = 0; i < nitems(conninfo); i++) {
		snprintf(text, sizeof(text), "database = %s\n", conninfo[i]);
		ck_assert_msg(load(text, &cfg) == PF_OK, "%s", fx.err);
		ck_assert_str_eq(cfg->database, conninfo[i]);
		ck_assert_str_eq(cfg->admin_database, conninfo[i]);
		ck_assert_int_eq(pf_store_engine(cfg->database),
		    PF_STORE_POSTGRESQL);
		pf_config_free(cfg);
	}
	ck_assert_int_eq(load("database = service=web\n"
	    "admin_database = service=team\n", &cfg), PF_OK);
	ck_assert_str_eq(cfg->database, "service=web");
	ck_assert_str_eq(cfg->admin_database, "service=team");
	pf_config_free(cfg);
	ck_assert_int_eq(load("database = pf.db\n", &cfg), PF_OK);
	snprintf(want, sizeof(want), "%s/pf.db", real_dir());
	ck_assert_str_eq(cfg->admin_database, want);
	ck_assert_int_eq(pf_store_engine(cfg->database), PF_STORE_SQLITE);
	pf_config_free(cfg);
}
END_TEST

START_TEST(test_path_is_made_absolute_through_links)
{
	struct pf_config	*cfg;
	char			 link[PATH_MAX + 16], cwd[PATH_MAX], want[PATH_MAX + 32];

	write_conf("database = x.db\n", 16);
	snprintf(link, sizeof(link), "%s/link.conf", fx.dir);
	ck_assert_int_eq(symlink("privforms.conf", link), 0);
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(fx.dir), 0);
	ck_assert_int_eq(pf_config_load("link.conf", &cfg, fx.err,
	    sizeof(fx.err)), PF_OK);
	ck_assert_int_eq(chdir(cwd), 0);
	snprintf(want, sizeof(want), "%s/privforms.conf", real_dir());
	ck_assert_str_eq(cfg->path, want);
	snprintf(want, sizeof(want), "%s/x.db", real_dir());
	ck_assert_str_eq(cfg->database, want);
	pf_config_free(cfg);
}
END_TEST

START_TEST(test_nul_byte_refused)
{
	static const char text[] = "max_body = 20\0" "48\n";
	struct pf_config	*cfg;

	write_conf(text, sizeof(text) - 1);
	ck_assert_int_eq(pf_config_load(fx.conf, &cfg, fx.err, sizeof(fx.err)),
	    PF_ECONFIG);
	ck_assert_ptr_nonnull(strstr(fx.err, ":1: NUL byte"));
}
END_TEST

/* Every numeric key at its limits and one past them. */
START_TEST(test_number_ranges)
{
	static const struct {
		const char	*key;
		long		 min, max;
	} t[] = {
		{ "busy_timeout_ms", 1, 30000 },
		{ "max_body", 1024, 1048576 },
		{ "max_fields", 1, 1000 },
		{ "max_field_len", 64, 65536 },
		{ "unsubscribe_link_days", 1, 3650 },
		{ "preferences_link_days", 1, 3650 },
		{ "subscribe_confirm_days", 1, 30 },
		{ "smtp_port", 1, 65535 },
		{ "smtp_timeout", 1, 600 },
		{ "mail_attempts", 1, 50 },
		{ "mail_retry", 1, 86400 },
		{ "dnc_retention_years", 5, 100 },
		{ "consent_retention_years", 2, 100 },
		{ "request_retention_months", 24, 120 },
		{ "feedback_step_hours", 1, 720 },
		{ "article_vote_window_hours", 1, 8760 },
		{ "unsubscribe_pow", 1000, 10000000 },
		{ "dnc_pow", 1000, 10000000 },
		{ "request_pow", 1000, 10000000 },
		{ "feedback_pow", 1000, 10000000 },
		{ "form_min_seconds", 0, 300 },
		{ "form_max_hours", 1, 720 },
		{ "pow_minutes", 1, 1440 },
	};
	struct pf_config	*cfg;
	char			 line[128], msg[128];
	size_t			 i;

	for (i = 0; i < nitems(t); i++) {
		snprintf(line, sizeof(line), "%s = %ld\n", t[i].key, t[i].min);
		ck_assert_int_eq(load(line, &cfg), PF_OK);
		pf_config_free(cfg);
		snprintf(line, sizeof(line), "%s = %ld\n", t[i].key, t[i].max);
		ck_assert_int_eq(load(line, &cfg), PF_OK);
		pf_config_free(cfg);
		snprintf(msg, sizeof(msg), "1: %s must be between %ld and %ld",
		    t[i].key, t[i].min, t[i].max);
		snprintf(line, sizeof(line), "%s = %ld\n", t[i].key, t[i].min - 1);
		refused(line, msg);
		snprintf(line, sizeof(line), "%s = %ld\n", t[i].key, t[i].max + 1);
		refused(line, msg);
	}
}
END_TEST

START_TEST(test_bad_numbers_refused)
{
	static const char *const bad[] = {
		"", "abc", "12abc", "1e3", "0x10", "+5", "5 5", "2048.0",
		"99999999999999999999", "-99999999999999999999", "--5",
	};
	char	 line[128], msg[128];
	size_t	 i;

	for (i = 0; i < nitems(bad); i++) {
		snprintf(line, sizeof(line), "max_fields = %s\n", bad[i]);
		snprintf(msg, sizeof(msg), "1: max_fields: '%s' is not a number",
		    bad[i]);
		refused(line, msg);
	}
}
END_TEST

/* smtp_ca_file and smtp_password_file: "" is unset, not the config's directory. */
START_TEST(test_optional_paths_empty_or_resolved)
{
	static const char *const keys[] = { "smtp_ca_file", "smtp_password_file" };
	struct pf_config	*cfg;
	char			 line[128], want[PATH_MAX + 64];
	size_t			 k;

	for (k = 0; k < 2; k++) {
		snprintf(line, sizeof(line), "%s =\n", keys[k]);
		ck_assert_int_eq(load(line, &cfg), PF_OK);
		ck_assert_str_eq(k == 0 ? cfg->smtp_ca_file :
		    cfg->smtp_password_file, "");
		pf_config_free(cfg);
		snprintf(line, sizeof(line), "%s = secret/x\n", keys[k]);
		ck_assert_int_eq(load(line, &cfg), PF_OK);
		snprintf(want, sizeof(want), "%s/secret/x", real_dir());
		ck_assert_str_eq(k == 0 ? cfg->smtp_ca_file :
		    cfg->smtp_password_file, want);
		pf_config_free(cfg);
		snprintf(line, sizeof(line), "%s = /etc/x.pem\n", keys[k]);
		ck_assert_int_eq(load(line, &cfg), PF_OK);
		ck_assert_str_eq(k == 0 ? cfg->smtp_ca_file :
		    cfg->smtp_password_file, "/etc/x.pem");
		pf_config_free(cfg);
	}
}
END_TEST

START_TEST(test_mail_templates_relative_resolves)
{
	struct pf_config	*cfg;
	char			 want[PATH_MAX + 64];

	ck_assert_int_eq(load("mail_templates = ../etc/mail\n", &cfg), PF_OK);
	snprintf(want, sizeof(want), "%s/../etc/mail", real_dir());
	ck_assert_str_eq(cfg->mail_templates, want);
	pf_config_free(cfg);
}
END_TEST

START_TEST(test_smtp_user)
{
	struct pf_config	*cfg;

	ck_assert_int_eq(load("smtp_starttls = required\n"
	    "smtp_user = privforms@example.com\n", &cfg), PF_OK);
	ck_assert_str_eq(cfg->smtp_user, "privforms@example.com");
	pf_config_free(cfg);
	ck_assert_int_eq(load("smtp_starttls = required\n"
	    "smtp_user = J\xc3\xb6rg Smith\n", &cfg), PF_OK);
	ck_assert_str_eq(cfg->smtp_user, "J\xc3\xb6rg Smith");
	pf_config_free(cfg);
	/* A password only ever inside TLS. */
	ck_assert_int_eq(load("smtp_user = privforms\n", &cfg), PF_ECONFIG);
	ck_assert_ptr_nonnull(strstr(fx.err,
	    "smtp_starttls must be \"required\""));
	ck_assert_int_eq(load("smtp_starttls = off\nsmtp_user = p\n", &cfg),
	    PF_ECONFIG);
}
END_TEST

/* languages: some, each once, default_language among them. */
START_TEST(test_languages_and_default_language)
{
	static const struct pf_test_case bad[] = {
		{ "languages =\n", "languages must name at least one language" },
		{ "languages = de pt-BR pt-br\n",
		    "languages must not name a language twice" },
		{ "languages = de\tde\n",
		    "languages must not name a language twice" },
		{ "languages = aa ab ac ad ae af ag ah ai aj ak al am an ao ap "
		    "aq ar as at au av aw ax ay az ba bb bc bd be bf bg\n",
		    "languages must name at most 32 languages" },
		/* qaa: ISO 639's private use, never a shipped catalogue. */
		{ "default_language = qaa\n", "default_language must be one "
		    "of the languages offered (the key languages)" },
		{ "languages = de fr\n", "default_language must be one "
		    "of the languages offered (the key languages)" },
		{ "languages = en pt-BR\ndefault_language = pt-br\n",
		    "default_language must be one of the languages offered" },
	};
	struct pf_config	*cfg;
	size_t			 i;

	for (i = 0; i < nitems(bad); i++) {
		ck_assert_msg(load(bad[i].in, &cfg) == PF_ECONFIG, "%s",
		    bad[i].in);
		ck_assert_msg(strstr(fx.err, bad[i].want) != NULL,
		    "%s: got '%s'", bad[i].in, fx.err);
	}
	ck_assert_int_eq(load(" languages =  fr   en-XA\tar-XB \n"
	    "default_language = ar-XB\n", &cfg), PF_OK);
	ck_assert_str_eq(cfg->languages, "fr   en-XA\tar-XB");
	ck_assert_str_eq(cfg->default_language, "ar-XB");
	pf_config_free(cfg);
}
END_TEST

/* The confirmation keys are yes or no (refusals: one_reason, refusals). */
START_TEST(test_confirmation_is_yes_or_no)
{
	struct pf_config	*cfg;

	cfg = accepted("unsubscribe_confirmation", "yes");
	ck_assert_int_eq(cfg->unsubscribe_confirmation, 1);
	pf_config_free(cfg);
	cfg = accepted("unsubscribe_confirmation", "no");
	ck_assert_int_eq(cfg->unsubscribe_confirmation, 0);
	pf_config_free(cfg);
	cfg = accepted("dnc_confirmation", "no");
	ck_assert_int_eq(cfg->dnc_confirmation, 0);
	pf_config_free(cfg);
}
END_TEST

START_TEST(test_missing_file_names_it)
{
	struct pf_config	*cfg;
	char			 p[PATH_MAX + 16], want[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/none.conf", fx.dir);
	ck_assert_int_eq(pf_config_load(p, &cfg, fx.err, sizeof(fx.err)),
	    PF_ECONFIG);
	ck_assert_ptr_null(cfg);
	snprintf(want, sizeof(want), "%s: No such file or directory", p);
	ck_assert_str_eq(fx.err, want);
	/* No message buffer: still refused, nothing written. */
	ck_assert_int_eq(pf_config_load(p, &cfg, NULL, 0), PF_ECONFIG);
}
END_TEST

START_TEST(test_default_path_from_environment)
{
	const char	*p;

	ck_assert_int_eq(setenv("PRIVFORMS_CONFIG", "/srv/pf/privforms.conf", 1), 0);
	ck_assert_str_eq(pf_config_default_path(), "/srv/pf/privforms.conf");
	ck_assert_int_eq(setenv("PRIVFORMS_CONFIG", "", 1), 0);
	p = pf_config_default_path();
	ck_assert_str_ne(p, "");
	ck_assert_int_eq(unsetenv("PRIVFORMS_CONFIG"), 0);
	ck_assert_str_eq(pf_config_default_path(), p);
	ck_assert_int_eq(p[0], '/');
	ck_assert_str_eq(p + strlen(p) - strlen("/privforms.conf"), "/privforms.conf");
}
END_TEST

/* Run from the top of the source tree, as `make check` does. */
#ifndef EXAMPLE
#define EXAMPLE "etc/privforms.conf.example"
#endif

/* Copy the "# key = value" lines of the example, uncommented; count them. */
static size_t
uncomment_example(void)
{
	FILE	*in, *out;
	char	 line[512];
	size_t	 k, n = 0;

	ck_assert_msg((in = fopen(EXAMPLE, "r")) != NULL, "cannot open %s", EXAMPLE);
	ck_assert_ptr_nonnull(out = fopen(fx.conf, "w"));
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strncmp(line, "# ", 2) != 0)
			continue;
		k = strspn(line + 2, "abcdefghijklmnopqrstuvwxyz_0123456789");
		if (k == 0 || strncmp(line + 2 + k, " =", 2) != 0)
			continue;
		fputs(line + 2, out);
		n++;
	}
	fclose(in);
	fclose(out);
	return n;
}

/*
 * etc/privforms.conf.example shows every key commented out with its
 * default: uncommented, it must load (so it names no unknown key and none
 * twice), name all 105 keys, and give exactly the built-in defaults.
 */
START_TEST(test_example_documents_every_default)
{
	struct pf_config	*ex, *def;

	ck_assert_uint_eq(uncomment_example(), 105);
	ck_assert_msg(pf_config_load(fx.conf, &ex, fx.err,
	    sizeof(fx.err)) == PF_OK, "%s", fx.err);
	write_conf("", 0);
	ck_assert_int_eq(pf_config_load(fx.conf, &def, fx.err, sizeof(fx.err)),
	    PF_OK);
#define SAME_STR(f) ck_assert_str_eq(ex->f, def->f)
#define SAME_LONG(f) ck_assert_int_eq(ex->f, def->f)
	SAME_STR(base_url);
	SAME_STR(prefix);
	SAME_STR(database);
	SAME_STR(admin_database);
	SAME_STR(journal_mode);
	SAME_LONG(busy_timeout_ms);
	SAME_STR(audit_dir);
	SAME_STR(audit_schema);
	SAME_STR(audit_ticket_pattern);
	SAME_STR(key_file);
	SAME_STR(audit_origin);
	SAME_STR(audit_signing_key);
	SAME_LONG(audit_checkpoint_minutes);
	SAME_STR(audit_witness_mail);
	SAME_STR(audit_witness_dir);
	SAME_STR(templates);
	SAME_STR(site_dir);
	SAME_LONG(max_body);
	SAME_LONG(max_fields);
	SAME_LONG(max_field_len);
	SAME_LONG(unsubscribe_link_days);
	SAME_LONG(preferences_link_days);
	SAME_LONG(subscribe_confirm_days);
	SAME_STR(support_url);
	SAME_STR(dpa_url);
	SAME_STR(account_url);
	SAME_STR(phone_region);
	SAME_STR(mail_templates);
	SAME_STR(mail_from);
	SAME_STR(mail_reply_to);
	SAME_STR(privacy_team);
	SAME_STR(smtp_host);
	SAME_LONG(smtp_port);
	SAME_STR(smtp_starttls);
	SAME_STR(smtp_ca_file);
	SAME_STR(smtp_user);
	SAME_STR(smtp_password_file);
	SAME_LONG(smtp_timeout);
	SAME_LONG(mail_attempts);
	SAME_LONG(mail_retry);
	SAME_LONG(unsubscribe_confirmation);
	SAME_LONG(dnc_confirmation);
	SAME_LONG(dnc_retention_years);
	SAME_STR(laws_file);
	SAME_STR(laws_exempt);
	SAME_LONG(request_verify_days);
	SAME_LONG(request_status_days);
	SAME_LONG(request_appeal_days);
	SAME_LONG(request_repeat_minutes);
	SAME_LONG(request_retention_months);
	SAME_STR(personal_data_systems);
	SAME_STR(feedback_to);
	SAME_LONG(feedback_step_hours);
	SAME_LONG(article_vote_window_hours);
	SAME_STR(consent_categories);
	SAME_STR(mailing_lists);
	SAME_LONG(consent_max_age_days);
	SAME_STR(consent_language);
	SAME_STR(consent_jurisdiction);
	SAME_LONG(consent_retention_years);
	/* languages: the example lists the shipped catalogues, the built-in
	 * default the po/ files of this build (test_empty_file...). */
	SAME_STR(default_language);
	SAME_STR(locale_dir);
	ck_assert_mem_eq(ex->guard, def->guard, sizeof(ex->guard));
	ck_assert_mem_eq(&ex->feedback_limit_revisions,
	    &def->feedback_limit_revisions,
	    sizeof(ex->feedback_limit_revisions));
	SAME_STR(trusted_proxies);
	SAME_LONG(form_min_seconds);
	SAME_LONG(form_max_hours);
	SAME_LONG(pow_minutes);
#undef SAME_STR
#undef SAME_LONG
	pf_config_free(ex);
	pf_config_free(def);
}
END_TEST

/*
 * An audit_origin left out names base_url's host, without its port: each
 * base_url, then the origin it gives.
 */
static const char *const origins[][2] = {
	{ "https://privacy.example.com", "privacy.example.com/privforms-audit" },
	{ "https://www.example.co.uk:443", "www.example.co.uk/privforms-audit" },
	{ "http://127.0.0.1:8080", "127.0.0.1/privforms-audit" },
	{ "http://[::1]:8080", "[::1]/privforms-audit" },
};

START_TEST(test_audit_origin_defaults_to_the_host_of_base_url)
{
	struct pf_config	*cfg = accepted("base_url", origins[_i][0]);

	ck_assert_str_eq(cfg->audit_origin, origins[_i][1]);
	pf_config_free(cfg);
}
END_TEST

START_TEST(test_free_accepts_null)
{
	pf_config_free(NULL);
}
END_TEST

START_TEST(test_parse_reads_text_as_load_reads_a_file)
{
	static const char	 text[] = "base_url = https://www.example.com/\n"
	    "database = data/pf.db\nmax_body = 2048\n";
	struct pf_config	*a = NULL, *b = NULL;

	ck_assert_int_eq(load(text, &a), PF_OK);
	ck_assert_int_eq(pf_config_parse(text, strlen(text), "mem.conf",
	    "/srv/pf", &b, fx.err, sizeof(fx.err)), PF_OK);
	ck_assert_str_eq(b->path, "mem.conf");
	ck_assert_str_eq(b->base_url, a->base_url);
	ck_assert_str_eq(b->database, "/srv/pf/data/pf.db");
	ck_assert_int_eq(b->max_body, a->max_body);
	pf_config_free(a);
	pf_config_free(b);
	ck_assert_int_eq(pf_config_parse("max_body = 1\n", 13, "mem.conf",
	    "/srv/pf", &b, fx.err, sizeof(fx.err)), PF_ECONFIG);
	ck_assert_ptr_null(b);
	ck_assert_str_eq(fx.err,
	    "mem.conf:1: max_body must be between 1024 and "
	    "1048576");
	ck_assert_int_eq(pf_config_parse("", 0, "mem.conf", "/srv/pf", &b,
	    fx.err, sizeof(fx.err)), PF_OK);
	pf_config_free(b);
}
END_TEST

PF_TEST_MAIN("config",
    pf_test_fixture(tc, PF_TEST_DIR, NULL, NULL, NULL),
    tcase_add_test(tc, test_empty_file_gives_defaults),
    tcase_add_test(tc, test_parse_reads_text_as_load_reads_a_file),
    PF_LOOP(test_guard_settings, guard_cases),
    PF_LOOP(test_refused_with_line_and_reason, refusals),
    PF_LOOP(test_value_read_back, values),
    PF_LOOP(test_kept_as_given_or_refused, kept),
    PF_LOOP(test_one_reason_for_each_bad_value, one_reason),
    tcase_add_test(tc, test_base_url_refused),
    tcase_add_test(tc, test_rate_spellings),
    tcase_add_test(tc, test_bad_rates_refused),
    tcase_add_test(tc, test_without_js_is_accept_or_refuse),
    tcase_add_test(tc, test_comments_blanks_and_crlf),
    tcase_add_test(tc, test_every_key_can_be_set),
    tcase_add_test(tc, test_relative_paths_resolve_against_config_dir),
    tcase_add_test(tc, test_database_postgresql),
    tcase_add_test(tc, test_path_is_made_absolute_through_links),
    tcase_add_test(tc, test_nul_byte_refused),
    tcase_add_test(tc, test_number_ranges),
    tcase_add_test(tc, test_bad_numbers_refused),
    tcase_add_test(tc, test_optional_paths_empty_or_resolved),
    tcase_add_test(tc, test_mail_templates_relative_resolves),
    tcase_add_test(tc, test_smtp_user),
    tcase_add_test(tc, test_confirmation_is_yes_or_no),
    tcase_add_test(tc, test_languages_and_default_language),
    tcase_add_test(tc, test_missing_file_names_it),
    tcase_add_test(tc, test_default_path_from_environment),
    tcase_add_test(tc, test_example_documents_every_default),
    tcase_add_test(tc, test_free_accepts_null),
    PF_LOOP(test_audit_origin_defaults_to_the_host_of_base_url, origins))
