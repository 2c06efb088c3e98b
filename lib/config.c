/*
 * config.c -- reading privforms.conf (see config.h).
 *
 * Every key is one row of a const table: its type, where it lives in struct
 * pf_config, its default and its range or check.  Adding a key is adding a
 * row (and a paragraph to etc/privforms.conf.example).
 */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checkpoint.h"
#include "client.h"
#include "config.h"
#include "country.h"
#include "err.h"
#include "file.h"
#include "lang.h"
#include "mail.h"
#include "nitems.h"
#include "store.h"
#include "utc.h"
#include "utf8.h"
#include "validate.h"

/*
 * Where an installed privforms keeps things (the Makefile's CONFDIR,
 * DATADIR, HTDOCS and STATEDIR; `make install` builds with its own).
 */
#ifndef PF_CONFDIR
#define PF_CONFDIR	"/etc/privforms"
#endif
#ifndef PF_DATADIR
#define PF_DATADIR	"/usr/local/share/privforms"
#endif
#ifndef PF_HTDOCS
#define PF_HTDOCS	PF_DATADIR "/htdocs"
#endif
#ifndef PF_STATEDIR
#define PF_STATEDIR	"/var/lib/privforms"
#endif
/*
 * The languages offered when the configuration names none: "en" and one
 * per po/NAME.po the build found (the Makefile's PF_LANGUAGES), and where
 * their catalogues are (its LOCALEDIR: the source tree's build/locale,
 * or the installed one).
 */
#ifndef PF_LANGUAGES
#define PF_LANGUAGES	"en"
#endif
#ifndef PF_LOCALEDIR
#define PF_LOCALEDIR	"/usr/local/share/locale"
#endif
#ifndef PF_CONFIG_DEFAULT
#define PF_CONFIG_DEFAULT PF_CONFDIR "/privforms.conf"
#endif

/*
 * CFG_OPT_PATH is a path that may be left empty ("" = unset): an empty one
 * stays "" instead of naming the configuration's directory.  CFG_BOOL is
 * one of two words (the key's words: "no" or "yes" unless it says
 * otherwise), stored as a long 0 or 1.  CFG_RATE is a struct pf_rate
 * written "off" or "N/minute", "N/hour", "N/day"; its default is written
 * the same way.  CFG_DATABASE is an SQLite file, a path, or a PostgreSQL
 * connection string, kept as written (store.h's pf_store_engine decides
 * which, and pf_store_database_check refuses a password in it); it may be
 * empty only when its default is ("": another key's value).
 */
enum cfg_type { CFG_STRING, CFG_PATH, CFG_OPT_PATH, CFG_LONG, CFG_BOOL,
    CFG_RATE, CFG_DATABASE };

/*
 * A check looks at a string value, may normalise it in place (only ever
 * shortening it) and returns NULL or what is wrong with it.
 */
typedef const char *cfg_check(char *val);

struct cfg_key {
	const char	*name;	/* a guard key's after its form's prefix and "_" */
	enum cfg_type	 type;
	size_t		 off;	/* of the member in pf_config */
	const char	*def;	/* string and path keys */
	long		 ldef;	/* long and bool keys: default; long: range */
	long		 min;
	long		 max;
	cfg_check	*check;	/* string keys, may be NULL */
	const char *const *words; /* bool keys: for 0, for 1, the message */
	const struct pf_form_def *form;	/* a guard key's form, else NULL */
};

static const char *const yes_no[3] = { "no", "yes", "yes or no" };
static const char *const accept_refuse[3] = { "accept", "refuse",
    "accept or refuse" };
/* The words of journal_mode and smtp_starttls (NULL-ended), any case. */
static const char *const journal_modes[] = { "delete", "truncate", "wal",
    NULL };
static const char *const tls_modes[] = { "required", "if-offered", "off",
    NULL };

static cfg_check check_base_url, check_prefix, check_journal, check_link,
    check_region, check_mailbox, check_address, check_host, check_starttls,
    check_text, check_proxies, check_origin, check_addresses, check_ere,
    check_language, check_jurisdiction, check_languages;

#define OFF(k)		offsetof(struct pf_config, k)
#define STR(k, d, c)	{ #k, CFG_STRING, OFF(k), d, 0, 0, 0, c, NULL, NULL }
#define PATH(k, d)	{ #k, CFG_PATH, OFF(k), d, 0, 0, 0, NULL, NULL, NULL }
#define OPT_PATH(k)	{ #k, CFG_OPT_PATH, OFF(k), "", 0, 0, 0, NULL, NULL, \
			    NULL }
#define LONG(k, d, lo, hi) { #k, CFG_LONG, OFF(k), NULL, d, lo, hi, NULL, \
			    NULL, NULL }
#define BOOL(k, d)	{ #k, CFG_BOOL, OFF(k), NULL, d, 0, 1, NULL, yes_no, \
			    NULL }
#define RATE(k, d)	{ #k, CFG_RATE, OFF(k), d, 0, 0, 0, NULL, NULL, NULL }
#define DATABASE(k, d)	{ #k, CFG_DATABASE, OFF(k), d, 0, 0, 0, NULL, NULL, \
			    NULL }

/*
 * A form's guard keys (guard.h), named PREFIX_pow and so on, PREFIX its
 * config name in forms.def.  The vote form has only its limit: no
 * challenge, so nothing else applies.
 */
#define GOFF(f, m)	offsetof(struct pf_config, guard[f].m)
#define GRATE(n, f, m, d) { n, CFG_RATE, GOFF(f, m), d, 0, 0, 0, NULL, NULL, \
			    &pf_forms[f] }
#define GUARD(f, work, lim, nojs, wide) \
	{ "pow", CFG_LONG, GOFF(f, pow), NULL, work, 1000, POW_MAX, \
	    NULL, NULL, &pf_forms[f] }, \
	{ "without_js", CFG_BOOL, GOFF(f, refuse_nojs), NULL, 0, 0, 1, \
	    NULL, accept_refuse, &pf_forms[f] }, \
	GRATE("limit", f, limit, lim), \
	GRATE("limit_nojs", f, limit_nojs, nojs), \
	GRATE("limit_ipv6_48", f, limit_wide, wide)
#define POW_MAX		10000000	/* pow.h's maximum maxnumber */
#define RATE_MAX	1000000

static const struct cfg_key keys[] = {
	STR(base_url, "http://127.0.0.1:8080", check_base_url),
	STR(prefix, "/privacy", check_prefix),
	DATABASE(database, PF_STATEDIR "/privforms.db"),
	/* The privforms command's connection (issue 21's team role). */
	DATABASE(admin_database, ""),
	STR(journal_mode, "truncate", check_journal),
	LONG(busy_timeout_ms, 5000, 1, 30000),
	PATH(audit_dir, PF_STATEDIR "/audit"),
	PATH(audit_schema, PF_DATADIR "/audit.xsd"),
	STR(audit_ticket_pattern, "", check_ere),
	PATH(key_file, PF_STATEDIR "/secret.key"),
	STR(audit_origin, "", check_origin),
	PATH(audit_signing_key, PF_STATEDIR "/audit-signing.key"),
	LONG(audit_checkpoint_minutes, 10, 1, 1440),
	STR(audit_witness_mail, "", check_addresses),
	OPT_PATH(audit_witness_dir),
	PATH(templates, PF_HTDOCS),
	PATH(site_dir, PF_STATEDIR "/site"),
	LONG(max_body, 65536, 1024, 1048576),
	LONG(max_fields, 32, 1, 1000),
	LONG(max_field_len, 20000, 64, 65536),
	LONG(unsubscribe_link_days, 365, 1, 3650),
	LONG(preferences_link_days, 90, 1, 3650),
	LONG(subscribe_confirm_days, 7, 1, 30),
	STR(support_url, "", check_link),
	STR(dpa_url, "", check_link),
	STR(account_url, "", check_link),
	STR(phone_region, "US", check_region),
	PATH(mail_templates, PF_CONFDIR "/mail"),
	STR(mail_from, "", check_mailbox),
	STR(mail_reply_to, "", check_mailbox),
	STR(privacy_team, "", check_address),
	STR(smtp_host, "localhost", check_host),
	LONG(smtp_port, 25, 1, 65535),
	STR(smtp_starttls, "if-offered", check_starttls),
	OPT_PATH(smtp_ca_file),
	STR(smtp_user, "", check_text),
	OPT_PATH(smtp_password_file),
	LONG(smtp_timeout, 30, 1, 600),
	LONG(mail_attempts, 8, 1, 50),
	LONG(mail_retry, 60, 1, PF_DAY),
	BOOL(unsubscribe_confirmation, 0),
	BOOL(dnc_confirmation, 1),
	/* The US Telemarketing Sales Rule: honour a request for 5 years. */
	LONG(dnc_retention_years, 5, 5, 100),
	PATH(laws_file, PF_CONFDIR "/privacy-laws.tsv"),
	STR(laws_exempt, "", check_text),
	LONG(request_verify_days, 7, 1, 30),
	LONG(request_status_days, 400, 30, 3650),
	/* The laws say "a reasonable period": see privforms.conf(5). */
	LONG(request_appeal_days, 60, 1, 366),
	LONG(request_repeat_minutes, 60, 0, 1440),
	/*
	 * Months a closed request is kept whole before purge reduces it.  The
	 * CCPA regulations (s. 7101(a)) have a business keep its records of
	 * requests and how it answered them for at least 24 months; beyond
	 * ten years no limitation period or audit needs the personal data.
	 */
	LONG(request_retention_months, 24, 24, 120),
	STR(personal_data_systems, "", check_text),
	STR(feedback_to, "", check_address),
	LONG(feedback_step_hours, 24, 1, 720),
	LONG(article_vote_window_hours, 24, 1, 8760),
	PATH(consent_categories, PF_CONFDIR "/consent-categories.tsv"),
	PATH(mailing_lists, PF_CONFDIR "/mailing-lists.tsv"),
	/* ePrivacy guidance (CNIL): ask again after at most 13 months. */
	LONG(consent_max_age_days, 365, 1, 395),
	STR(consent_language, "en", check_language),
	STR(consent_jurisdiction, "", check_jurisdiction),
	STR(languages, PF_LANGUAGES, check_languages),
	STR(default_language, "en", check_language),
	PATH(locale_dir, PF_LOCALEDIR),
	/* The evidence outlives the consent (at most 13 months) and the
	 * limitation period of a claim about it. */
	LONG(consent_retention_years, 5, 2, 100),
	/* A consent page answered at once: the vote's limits, no stamp age. */
	GRATE("limit", PF_GUARD_CONSENT, limit, "60/hour"),
	GRATE("limit_ipv6_48", PF_GUARD_CONSENT, limit_wide, "600/hour"),
	/* An opt-out is answered at once too: the consent page's limits. */
	GRATE("limit", PF_GUARD_OPTOUT, limit, "60/hour"),
	GRATE("limit_ipv6_48", PF_GUARD_OPTOUT, limit_wide, "600/hour"),
	/* Its confirmation mails a typed address: the other forms' limit. */
	GRATE("limit_address", PF_GUARD_OPTOUT, limit_address, "3/hour"),
	/* An IPv6 /48 is one site's: ten times what one of its /64s gets. */
	GUARD(PF_GUARD_UNSUBSCRIBE, 50000, "30/hour", "10/hour", "300/hour"),
	GRATE("limit_address", PF_GUARD_UNSUBSCRIBE, limit_address, "3/hour"),
	/* Asking for a preference link, or signing up: as unsubscribing. */
	GUARD(PF_GUARD_PREFERENCES, 50000, "30/hour", "10/hour", "300/hour"),
	GRATE("limit_address", PF_GUARD_PREFERENCES, limit_address, "3/hour"),
	GUARD(PF_GUARD_DNC, 50000, "20/hour", "5/hour", "200/hour"),
	GRATE("limit_address", PF_GUARD_DNC, limit_address, "3/hour"),
	/* A request costs the team real work: the hardest challenge. */
	GUARD(PF_GUARD_REQUEST, 100000, "10/hour", "2/hour", "100/hour"),
	GRATE("limit_address", PF_GUARD_REQUEST, limit_address, "3/hour"),
	/* Feedback mails only feedback_to: no address limit. */
	GUARD(PF_GUARD_FEEDBACK, 50000, "20/hour", "5/hour", "200/hour"),
	/* Back, then Next: a person revises a few times, never this often. */
	RATE(feedback_limit_revisions, "20/hour"),
	GRATE("limit", PF_GUARD_VOTE, limit, "60/hour"),
	GRATE("limit_ipv6_48", PF_GUARD_VOTE, limit_wide, "600/hour"),
	STR(trusted_proxies, "", check_proxies),
	LONG(form_min_seconds, 3, 0, 300),
	LONG(form_max_hours, 24, 1, 720),
	LONG(pow_minutes, 20, 1, 1440),
	STR(content_security_policy, "", check_text),
};

#define NKEYS nitems(keys)

static char **
str_at(struct pf_config *cfg, const struct cfg_key *k)
{
	return (char **)((char *)cfg + k->off);
}

static long *
long_at(struct pf_config *cfg, const struct cfg_key *k)
{
	return (long *)((char *)cfg + k->off);
}

static struct pf_rate *
rate_at(struct pf_config *cfg, const struct cfg_key *k)
{
	return (struct pf_rate *)((char *)cfg + k->off);
}

/* 1 if k's value is an allocated string. */
static int
is_string(const struct cfg_key *k)
{
	return k->type == CFG_STRING || k->type == CFG_PATH ||
	    k->type == CFG_OPT_PATH || k->type == CFG_DATABASE;
}

/* 1 if s[0..n) is a host name, an IPv4 address or a bracketed IPv6 one. */
static int
hostok(const char *s, size_t n)
{
	size_t	 ok;

	if (n == 0)
		return 0;
	if (s[0] == '[') {
		ok = strspn(s + 1, "0123456789abcdefABCDEF:.");
		return n > 2 && ok == n - 2 && s[n - 1] == ']';
	}
	ok = strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
	return ok >= n;
}

static const char *
check_base_url(char *val)
{
	const char	*host, *port;
	size_t		 len;

	if (strncmp(val, "http://", 7) == 0)
		host = val + 7;
	else if (strncmp(val, "https://", 8) == 0)
		host = val + 8;
	else
		return "must start with http:// or https://";
	len = strlen(val);
	if (len > 0 && val[len - 1] == '/')
		val[--len] = '\0';
	/* scheme://host[:port] only: a path, query or user would be lost. */
	if ((port = strrchr(host, ':')) != NULL && strchr(port, ']') == NULL) {
		if (port[1] == '\0' || strlen(port + 1) > 5 ||
		    strspn(port + 1, "0123456789") != strlen(port + 1) ||
		    atol(port + 1) < 1 || atol(port + 1) > 65535)
			return "has a bad port";
	} else
		port = val + len;
	if (!hostok(host, (size_t)(port - host)))
		return "must be scheme://host[:port] with no path";
	return NULL;
}

static const char *
check_prefix(char *val)
{
	size_t	 len = strlen(val);

	if (val[0] != '/')
		return "must start with '/'";
	while (len > 1 && val[len - 1] == '/')
		val[--len] = '\0';
	if (len == 1)
		return "must not be '/' alone";
	if (strspn(val, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-._~") != len)
		return "may contain only letters, digits and / - . _ ~";
	if (strstr(val, "//") != NULL || strstr(val, "/./") != NULL ||
	    strstr(val, "/../") != NULL ||
	    strcmp(val + len - 2, "/.") == 0 || (len >= 3 &&
	    strcmp(val + len - 3, "/..") == 0))
		return "must not contain empty, '.' or '..' segments";
	return NULL;
}

/* val lower-cased in place: NULL if it is one of words (NULL-ended), or why. */
static const char *
one_of(char *val, const char *const *words, const char *why)
{
	char	*p;

	for (p = val; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	for (; *words != NULL; words++)
		if (strcmp(val, *words) == 0)
			return NULL;
	return why;
}

static const char *
check_journal(char *val)
{
	return one_of(val, journal_modes, "must be delete, truncate or wal");
}

static const char *
check_link(char *val)
{
	if (*val == '\0')
		return NULL;
	if (!pf_utf8_graphic(val))
		return "must not contain blanks or control characters";
	if (strncmp(val, "http://", 7) == 0 && val[7] != '\0')
		return NULL;
	if (strncmp(val, "https://", 8) == 0 && val[8] != '\0')
		return NULL;
	/* "//host/..." would be a link to another site. */
	if (val[0] == '/' && val[1] != '/')
		return NULL;
	return "must be an http(s) URL or an absolute path";
}

static const char *
check_region(char *val)
{
	if (strlen(val) != 2 || val[0] < 'A' || val[0] > 'Z' ||
	    val[1] < 'A' || val[1] > 'Z')
		return "must be two upper-case letters (ISO 3166-1 alpha-2)";
	return NULL;
}

/* A language tag of the plain kind: "en", "pt-BR", "zh-Hant". */
static const char *
check_language(char *val)
{
	size_t	 n = strspn(val, "abcdefghijklmnopqrstuvwxyz");

	if (n < 2 || n > 3 || (val[n] != '\0' && (val[n] != '-' ||
	    strlen(val) > 35 || strspn(val + n, "-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(val + n) ||
	    strstr(val, "--") != NULL || val[strlen(val) - 1] == '-')))
		return "must be a language tag such as en or pt-BR (RFC 5646)";
	return NULL;
}

/*
 * Tags as lang.h's pf_lang_name takes them ("de pt-BR en-XA"), separated by
 * blanks, each once; pf_lang_site checks the same when a program starts.
 */
static const char *
check_languages(char *val)
{
	static const char bad[] = "must be language tags such as en de pt-BR, "
	    "separated by blanks";
	const char	*p = val, *seen[PF_LANG_OFFER_MAX];
	char		 tag[PF_LANG_MAX], name[PF_LANG_MAX];
	size_t		 len, n = 0, i;

	for (; *(p += strspn(p, " \t")) != '\0'; p += len) {
		len = strcspn(p, " \t");
		if (len >= sizeof(tag))
			return bad;
		memcpy(tag, p, len);
		tag[len] = '\0';
		if (pf_lang_name(tag, name) != PF_OK)
			return bad;
		for (i = 0; i < n; i++)
			if (strncasecmp(seen[i], tag, len) == 0 &&
			    strcspn(seen[i], " \t") == len)
				return "must not name a language twice";
		if (n == PF_LANG_OFFER_MAX)
			return "must name at most 32 languages";
		seen[n++] = p;
	}
	return n == 0 ? "must name at least one language" : NULL;
}

/* Is tag one of the blank-separated tags of list (as written)? */
static int
listed(const char *list, const char *tag)
{
	size_t	 len = strlen(tag), n;

	for (; *(list += strspn(list, " \t")) != '\0'; list += n)
		if ((n = strcspn(list, " \t")) == len &&
		    strncmp(list, tag, len) == 0)
			return 1;
	return 0;
}

/* "" (none) or an ISO 3166-1 alpha-2 country. */
static const char *
check_jurisdiction(char *val)
{
	if (*val == '\0' || (strlen(val) == 2 && pf_country_name(val) != NULL))
		return NULL;
	return "must be empty or an ISO 3166-1 alpha-2 country (DE, FR, US)";
}

/* "" or a mailbox as mail.h writes it: "addr" or "Display Name <addr>". */
static const char *
check_mailbox(char *val)
{
	char	*addr = NULL;
	int	 rc;

	if (*val == '\0')
		return NULL;
	rc = pf_mail_mailbox(val, NULL, &addr);
	free(addr);
	if (rc == PF_ENOMEM)
		return "could not be checked: out of memory";
	if (rc != PF_OK)
		return "must be an email address or 'Display Name <address>' "
		    "without quotes or control characters";
	return NULL;
}

/* "" or an email address, normalised by pf_valid_email (never longer). */
static const char *
check_address(char *val)
{
	char	*norm = NULL;

	if (*val == '\0')
		return NULL;
	if (strcspn(val, " \t") != strlen(val) ||
	    pf_valid_email(val, NULL, &norm) != NULL)
		return "must be an email address";
	memcpy(val, norm, strlen(norm) + 1);
	free(norm);
	return NULL;
}

/* "" (derived from base_url after the file is read) or an origin. */
static const char *
check_origin(char *val)
{
	if (*val != '\0' && !pf_checkpoint_origin_ok(val))
		return "must be a name without blanks, control characters or "
		    "'+' (e.g. privacy.example.com/privforms-audit)";
	return NULL;
}

/* "" or email addresses separated by commas (and blanks). */
static const char *
check_addresses(char *val)
{
	char	*copy, *p, *tok, *norm = NULL;
	int	 ok = 1;

	if (*val == '\0')
		return NULL;
	if ((copy = strdup(val)) == NULL)
		return "could not be checked: out of memory";
	for (p = copy; ok && (tok = strsep(&p, ",")) != NULL; ) {
		tok = pf_file_trim(tok);
		ok = *tok != '\0' && strcspn(tok, " \t") == strlen(tok) &&
		    pf_valid_email(tok, NULL, &norm) == NULL;
		free(norm);
		norm = NULL;
	}
	free(copy);
	return ok ? NULL : "must be email addresses separated by commas";
}

/* libesmtp splits "host:port" at the first colon: no IPv6 literal. */
static const char *
check_host(char *val)
{
	if (val[0] == '[' || !hostok(val, strlen(val)))
		return "must be a host name or an IPv4 address (the SMTP "
		    "library cannot use an IPv6 literal: name the host)";
	return NULL;
}

/*
 * Rules between keys, after the whole file is read.  A password may only
 * travel inside TLS: with STARTTLS "if-offered" a server that does not
 * offer it (or an attacker who strips the offer) would receive it in clear.
 */
static const char *
check_together(const struct pf_config *cfg)
{
	if (cfg->smtp_user[0] != '\0' &&
	    strcmp(cfg->smtp_starttls, "required") != 0)
		return "smtp_user is set: smtp_starttls must be \"required\", "
		    "so that the password is never sent in clear";
	if (!listed(cfg->languages, cfg->default_language))
		return "default_language must be one of the languages "
		    "offered (the key languages)";
	return NULL;
}

static const char *
check_starttls(char *val)
{
	return one_of(val, tls_modes, "must be required, if-offered or off");
}

/* Blank-separated addresses and CIDR blocks, as client.h reads them. */
static const char *
check_proxies(char *val)
{
	struct pf_proxies	 p;
	const char		*why;

	if (pf_client_proxies(val, &p, &why) != PF_OK)
		return why;
	return NULL;
}

/* UTF-8 text on one line, without tabs or other control characters. */
static const char *
check_text(char *val)
{
	if (!pf_utf8_ok(val, strlen(val), 0) || strchr(val, '\t') != NULL)
		return "must be UTF-8 text without control characters";
	return NULL;
}

/*
 * audit_ticket_pattern: "" (no tickets), or a POSIX extended regular
 * expression (regcomp) on one line, that `dnc remove --ticket` matches
 * whole.
 */
static const char *
check_ere(char *val)
{
	regex_t		 re;
	const char	*why;

	if ((why = check_text(val)) != NULL)
		return why;
	if (val[0] == '\0')
		return NULL;
	if (regcomp(&re, val, REG_EXTENDED | REG_NOSUB) != 0)
		return "must be a POSIX extended regular expression";
	regfree(&re);
	return NULL;
}

/* A new string: val if absolute, else dir "/" val. */
static char *
resolve(const char *dir, const char *val)
{
	char	*s;
	size_t	 n;

	if (val[0] == '/')
		return strdup(val);
	n = strlen(dir) + 1 + strlen(val) + 1;
	if ((s = malloc(n)) == NULL)
		return NULL;
	snprintf(s, n, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", val);
	return s;
}

/*
 * The setters: val into k's member of cfg, or PF_ECONFIG with msg naming
 * the key as the file wrote it (name: a guard key's prefix included).
 */
static int
set_long(struct pf_config *cfg, const struct cfg_key *k, const char *name,
    const char *val, char *msg, size_t msglen)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(val, &end, 10);
	if (!(isdigit((unsigned char)val[0]) || val[0] == '-') ||
	    *end != '\0' || errno == ERANGE) {
		pf_errmsg(msg, msglen, "%s: '%s' is not a number", name, val);
		return PF_ECONFIG;
	}
	if (n < k->min || n > k->max) {
		pf_errmsg(msg, msglen, "%s must be between %ld and %ld",
		    name, k->min, k->max);
		return PF_ECONFIG;
	}
	*long_at(cfg, k) = n;
	return PF_OK;
}

static int
set_bool(struct pf_config *cfg, const struct cfg_key *k, const char *name,
    const char *val, char *msg, size_t msglen)
{
	if (strcmp(val, k->words[1]) == 0)
		*long_at(cfg, k) = 1;
	else if (strcmp(val, k->words[0]) == 0)
		*long_at(cfg, k) = 0;
	else {
		pf_errmsg(msg, msglen, "%s must be %s", name, k->words[2]);
		return PF_ECONFIG;
	}
	return PF_OK;
}

static const struct {
	const char	*unit;
	long		 seconds;
} rate_units[] = {
	{ "minute", 60 },
	{ "hour", 3600 },
	{ "day", PF_DAY },
};

/* "off" or "N/unit" into r: 1, or 0 if val is neither. */
static int
parse_rate(const char *val, struct pf_rate *r)
{
	const char	*slash;
	size_t		 i, digits;

	if (strcmp(val, "off") == 0) {
		r->count = r->seconds = 0;
		return 1;
	}
	digits = strspn(val, "0123456789");
	slash = val + digits;
	/* Seven digits hold RATE_MAX; strtol never sees more. */
	if (digits == 0 || digits > 7 || *slash != '/')
		return 0;
	r->count = strtol(val, NULL, 10);
	if (r->count < 1 || r->count > RATE_MAX)
		return 0;
	for (i = 0; i < nitems(rate_units); i++)
		if (strcmp(slash + 1, rate_units[i].unit) == 0) {
			r->seconds = rate_units[i].seconds;
			return 1;
		}
	return 0;
}

static int
set_rate(struct pf_config *cfg, const struct cfg_key *k, const char *name,
    const char *val, char *msg, size_t msglen)
{
	struct pf_rate	 r;

	if (!parse_rate(val, &r)) {
		pf_errmsg(msg, msglen, "%s must be off, or N/minute, N/hour or "
		    "N/day with N from 1 to %d", name, RATE_MAX);
		return PF_ECONFIG;
	}
	*rate_at(cfg, k) = r;
	return PF_OK;
}

static int
set_string(struct pf_config *cfg, const struct cfg_key *k, const char *name,
    const char *val, const char *dir, char *msg, size_t msglen)
{
	const char	*why;
	char		*s, buf[256];
	int		 db = k->type == CFG_DATABASE;

	if (*val == '\0' && (k->type == CFG_PATH || (db && k->def[0] != '\0'))) {
		pf_errmsg(msg, msglen, "%s: empty path", name);
		return PF_ECONFIG;
	}
	if (k->type == CFG_STRING || *val == '\0' ||
	    (db && pf_store_engine(val) != PF_STORE_SQLITE))
		s = strdup(val);
	else
		s = resolve(dir, val);
	if (s == NULL)
		return PF_ENOMEM;
	if ((db && (why = pf_store_database_check(s, buf, sizeof(buf))) !=
	    NULL) || (k->check != NULL && (why = k->check(s)) != NULL)) {
		pf_errmsg(msg, msglen, "%s %s", name, why);
		free(s);
		return PF_ECONFIG;
	}
	free(*str_at(cfg, k));
	*str_at(cfg, k) = s;
	return PF_OK;
}

static int
set_defaults(struct pf_config *cfg)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++) {
		if (is_string(&keys[i])) {
			if ((*str_at(cfg, &keys[i]) = strdup(keys[i].def)) ==
			    NULL)
				return PF_ENOMEM;
		} else if (keys[i].type == CFG_RATE)
			/* test_config.c checks every default parses. */
			(void)parse_rate(keys[i].def, rate_at(cfg, &keys[i]));
		else
			*long_at(cfg, &keys[i]) = keys[i].ldef;
	}
	return PF_OK;
}

/* Is key k's name: its own, or its form's prefix, "_" and its own? */
static int
key_is(const struct cfg_key *k, const char *key)
{
	size_t	 n;

	if (k->form != NULL) {
		n = strlen(k->form->config);
		if (strncmp(key, k->form->config, n) != 0 || key[n] != '_')
			return 0;
		key += n + 1;
	}
	return strcmp(key, k->name) == 0;
}

/* A file being read: into cfg, paths against dir, seen[] the keys set. */
struct config_parse {
	struct pf_config	*cfg;
	const char		*dir;
	int			 seen[NKEYS];
};

/*
 * Apply one line to arg, a struct config_parse, as a pf_file_line_fn
 * (file.h); repeated keys are refused.  On PF_ECONFIG msg says why.
 */
static int
parse_line(char *line, size_t len, void *arg, char *msg, size_t msglen)
{
	struct config_parse	*p = arg;
	struct pf_config	*cfg = p->cfg;
	char			*eq, *key, *val;
	size_t			 i;

	(void)len;

	line = pf_file_trim(line);
	if (*line == '\0' || *line == '#')
		return PF_OK;
	if ((eq = strchr(line, '=')) == NULL) {
		pf_errmsg(msg, msglen, "expected 'key = value'");
		return PF_ECONFIG;
	}
	*eq = '\0';
	key = pf_file_trim(line);
	val = pf_file_trim(eq + 1);
	for (i = 0; i < NKEYS; i++)
		if (key_is(&keys[i], key))
			break;
	if (i == NKEYS) {
		pf_errmsg(msg, msglen, "unknown key '%s'", key);
		return PF_ECONFIG;
	}
	if (p->seen[i]) {
		pf_errmsg(msg, msglen, "%s is set twice", key);
		return PF_ECONFIG;
	}
	p->seen[i] = 1;
	if (keys[i].type == CFG_LONG)
		return set_long(cfg, &keys[i], key, val, msg, msglen);
	if (keys[i].type == CFG_BOOL)
		return set_bool(cfg, &keys[i], key, val, msg, msglen);
	if (keys[i].type == CFG_RATE)
		return set_rate(cfg, &keys[i], key, val, msg, msglen);
	return set_string(cfg, &keys[i], key, val, p->dir, msg, msglen);
}

/* Read every line of f; on failure err names the file and the line. */
static int
parse_file(struct pf_config *cfg, FILE *f, const char *name, const char *dir,
    char *err, size_t errlen)
{
	struct config_parse	 p = { cfg, dir, { 0 } };
	long			 lineno;

	return pf_file_lines(f, name, parse_line, &p, &lineno, err, errlen);
}

const char *
pf_config_default_path(void)
{
	const char	*p = getenv("PRIVFORMS_CONFIG");

	return p != NULL && *p != '\0' ? p : PF_CONFIG_DEFAULT;
}

/*
 * An audit_origin left empty names the site: base_url's host (without
 * scheme and port) and "/privforms-audit", as checkpoint.h's origins go.
 */
static int
default_origin(struct pf_config *cfg)
{
	const char	*host = strstr(cfg->base_url, "://") + 3;
	size_t		 n;
	char		*s;

	if (cfg->audit_origin[0] != '\0')
		return PF_OK;
	n = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":");
	if ((s = malloc(n + sizeof("/privforms-audit"))) == NULL)
		return PF_ENOMEM;
	snprintf(s, n + sizeof("/privforms-audit"), "%.*s/privforms-audit",
	    (int)n, host);
	free(cfg->audit_origin);
	cfg->audit_origin = s;
	return PF_OK;
}

/* An admin_database left empty is the database. */
static int
default_admin(struct pf_config *cfg)
{
	char	*s;

	if (cfg->admin_database[0] != '\0')
		return PF_OK;
	if ((s = strdup(cfg->database)) == NULL)
		return PF_ENOMEM;
	free(cfg->admin_database);
	cfg->admin_database = s;
	return PF_OK;
}

/*
 * A configuration of defaults, then f's lines (named name in messages,
 * relative paths resolved against dir), then the checks of keys together;
 * cfg->path becomes path.  *out only on PF_OK.
 */
static int
config_read(FILE *f, const char *path, const char *name, const char *dir,
    struct pf_config **out, char *err, size_t errlen)
{
	struct pf_config	*cfg;
	const char		*why;
	int			 rc = PF_ENOMEM;

	if ((cfg = calloc(1, sizeof(*cfg))) == NULL ||
	    set_defaults(cfg) != PF_OK || (cfg->path = strdup(path)) == NULL) {
		pf_errmsg(err, errlen, "%s: out of memory", name);
		goto fail;
	}
	if ((rc = parse_file(cfg, f, name, dir, err, errlen)) != PF_OK)
		goto fail;
	if ((why = check_together(cfg)) != NULL) {
		rc = PF_ECONFIG;
		pf_errmsg(err, errlen, "%s: %s", name, why);
		goto fail;
	}
	if ((rc = default_origin(cfg)) != PF_OK ||
	    (rc = default_admin(cfg)) != PF_OK) {
		pf_errmsg(err, errlen, "%s: out of memory", name);
		goto fail;
	}
	*out = cfg;
	return PF_OK;
fail:
	pf_config_free(cfg);
	return rc;
}

int
pf_config_load(const char *path, struct pf_config **out, char *err,
    size_t errlen)
{
	FILE	*f = NULL;
	char	*real, *dir = NULL, *slash;
	int	 rc = PF_ECONFIG;

	*out = NULL;
	if ((real = realpath(path, NULL)) == NULL ||
	    (f = fopen(real, "re")) == NULL) {
		pf_errmsg(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	if ((dir = strdup(real)) == NULL) {
		rc = PF_ENOMEM;
		pf_errmsg(err, errlen, "%s: out of memory", path);
		goto done;
	}
	slash = strrchr(dir, '/');
	slash[slash == dir ? 1 : 0] = '\0';
	rc = config_read(f, real, path, dir, out, err, errlen);
done:
	if (f != NULL)
		fclose(f);
	free(dir);
	free(real);
	return rc;
}

/* Where pf_config_parse's text is read: the directory and the result. */
struct config_text {
	const char		 *dir;
	struct pf_config	**out;
};

/* config_read of a text in memory, as a pf_file_reader (file.h). */
static int
config_text_read(FILE *f, const char *name, void *arg, char *err,
    size_t errlen)
{
	const struct config_text	*t = arg;

	return config_read(f, name, name, t->dir, t->out, err, errlen);
}

int
pf_config_parse(const char *text, size_t len, const char *name,
    const char *dir, struct pf_config **out, char *err, size_t errlen)
{
	struct config_text	 t = { dir, out };

	*out = NULL;
	return pf_file_read_text(text, len, name, config_text_read, &t, err,
	    errlen);
}

void
pf_config_free(struct pf_config *cfg)
{
	size_t	 i;

	if (cfg == NULL)
		return;
	for (i = 0; i < NKEYS; i++)
		if (is_string(&keys[i]))
			free(*str_at(cfg, &keys[i]));
	free(cfg->path);
	free(cfg);
}

char *
pf_config_url(const struct pf_config *cfg, const char *path)
{
	size_t	 n;
	char	*s;

	n = strlen(cfg->base_url) + strlen(cfg->prefix) + strlen(path) + 1;
	if ((s = malloc(n)) != NULL)
		snprintf(s, n, "%s%s%s", cfg->base_url, cfg->prefix, path);
	return s;
}
