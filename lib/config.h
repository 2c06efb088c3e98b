/*
 * config.h -- reading privforms.conf.
 *
 * The file is lines of "key = value"; '#' starts a comment line; blank lines
 * are ignored; surrounding blanks are trimmed; values are not quoted.  An
 * unknown key, a repeated key, a bad number or a number out of range is an
 * error that names the line.  Every key has a default (see
 * etc/privforms.conf.example, which documents each one).  Relative paths are
 * taken relative to the directory of the configuration file, so a source tree's
 * var/privforms.conf can say "database = privforms.db".
 *
 * Read the configuration before the first FastCGI accept: nothing here reads
 * the environment after that (see ARCHITECTURE.md on libfcgi and environ).
 */
#ifndef PF_CONFIG_H
#define PF_CONFIG_H

#include <stddef.h>

#include "forms.h"

/* A rate limit: at most count in any window of seconds; count 0 = none. */
struct pf_rate {
	long	 count;
	long	 seconds;	/* 60, 3600 or PF_DAY */
};

/*
 * The forms guard.h protects, each with its own settings: keys
 * PREFIX_pow, PREFIX_limit and so on, PREFIX its config column in
 * forms.def ("unsubscribe", "dnc", ...), from which forms.h makes enum
 * pf_guard_form.
 */
struct pf_guard_conf {
	long		 pow;		/* the challenge's maxnumber (difficulty) */
	long		 refuse_nojs;	/* 1: no proof of work is refused (403) */
	struct pf_rate	 limit;		/* submissions per client network */
	struct pf_rate	 limit_nojs;	/* of those, without a proof of work */
	struct pf_rate	 limit_wide;	/* per IPv6 /48, besides its /64's */
	struct pf_rate	 limit_address;	/* naming one address that is mailed */
};

struct pf_config {
	char	*path;		/* the file that was read (absolute) */
	char	*base_url;	/* scheme://host[:port], no trailing slash */
	char	*prefix;	/* URL path of the hub, e.g. "/privacy" (no trailing slash) */
	char	*database;	/* SQLite file or libpq connection string (store.h) */
	char	*admin_database; /* the privforms command's; "" in the file:
				   the same as database */
	char	*journal_mode;	/* "delete", "truncate" or "wal" */
	long	 busy_timeout_ms;
	char	*audit_dir;	/* one file per audit record, by day */
	char	*audit_schema;	/* etc/audit.xsd */
	char	*audit_ticket_pattern;	/* POSIX ERE a ticket reference
					   matches whole; "" = no tickets */
	char	*key_file;	/* secret key, mode 0600, made by privforms init */
	/* Signed checkpoints of the audit trail (checkpoint.h). */
	char	*audit_origin;		/* names the trail and its key; "" in the
					   file: base_url's host "/privforms-audit" */
	char	*audit_signing_key;	/* Ed25519 private key, mode 0600 */
	long	 audit_checkpoint_minutes; /* make run's period (systemd: the timer's) */
	char	*audit_witness_mail;	/* auditors' addresses, comma-separated; "" = none */
	char	*audit_witness_dir;	/* a copy of each checkpoint; "" = none */
	char	*templates;	/* directory of the *.xhtml page templates */
	char	*site_dir;	/* where privforms init renders the hub page */
	long	 max_body;	/* bytes */
	long	 max_fields;	/* fields in one submission */
	long	 max_field_len;	/* bytes in one field value, before any field's own limit */
	long	 unsubscribe_link_days;	/* validity of RFC 8058 links */
	long	 preferences_link_days;	/* validity of preference page links (preflink.h) */
	long	 subscribe_confirm_days; /* validity of double opt-in links (preflink.h) */
	char	*support_url;	/* hub links: http(s) URL or absolute path; "" = not shown */
	char	*dpa_url;
	char	*account_url;
	char	*phone_region;	/* ISO 3166-1 alpha-2 assumed for numbers without +CC */

	/* Mail (mail.h, smtp.h, sender.h); see privforms.conf.example. */
	char	*mail_templates;	/* directory of NAME.txt templates */
	char	*mail_from;		/* From: "Name <addr>" or addr; "" = no mail */
	char	*mail_reply_to;		/* "" = none */
	char	*privacy_team;		/* notification address; "" = none */
	char	*smtp_host;
	long	 smtp_port;
	char	*smtp_starttls;		/* "required", "if-offered" or "off" */
	char	*smtp_ca_file;		/* "" = the system's CA store */
	char	*smtp_user;		/* "" = no AUTH */
	char	*smtp_password_file;	/* "" = none; mode 0600 or 0640 */
	long	 smtp_timeout;		/* seconds, for connect and each reply */
	long	 mail_attempts;		/* deliveries tried before "failed" */
	long	 mail_retry;		/* seconds before the first retry; doubles */
	long	 unsubscribe_confirmation; /* 1: offer a confirmation mail */
	long	 dnc_confirmation;	/* 1: the Do-Not-Call form asks for an email */
	long	 dnc_retention_years;	/* keep entries this long after their last registration */
	char	*laws_file;		/* laws.h: the privacy laws and their deadlines */
	char	*laws_exempt;		/* laws.h: laws that do not bind the company */
	long	 request_verify_days;	/* validity of the link that verifies a request */
	long	 request_status_days;	/* validity of a request's status link */
	long	 request_appeal_days;	/* a denial may be appealed this long */
	long	 request_repeat_minutes; /* one mail per address and type in this window */
	long	 request_retention_months; /* purge reduces requests closed longer ago */
	char	*personal_data_systems;	/* other systems holding personal data, for exports */
	char	*feedback_to;		/* forward site feedback here; "" = none */
	long	 feedback_step_hours;	/* validity of the feedback form's step-2 token */
	long	 article_vote_window_hours; /* one vote per client and article in this window */
	char	*consent_categories;	/* consent.h: the cookie categories */
	char	*mailing_lists;		/* lists.h: the marketing lists */
	long	 consent_max_age_days;	/* a decision is asked again after this */
	char	*consent_language;	/* the notice's language, in records */
	char	*consent_jurisdiction;	/* alpha-2 for records, "" = none */
	/* The visitor's language (lang.h); see privforms.conf.example. */
	char	*languages;		/* tags offered, blank-separated */
	char	*default_language;	/* one of them */
	char	*locale_dir;		/* LOCALE/NAME/LC_MESSAGES/privforms.mo */
	long	 consent_retention_years; /* purge deletes records older */

	/* Anti-automation (guard.h); see privforms.conf.example. */
	struct pf_guard_conf guard[PF_GUARD__MAX];
	struct pf_rate feedback_limit_revisions; /* step 1 again, per client and per entry */
	char	*trusted_proxies;	/* client.h: addresses and CIDR blocks, blank-separated */
	long	 form_min_seconds;	/* sent sooner after the form was shown: counted, shown again */
	long	 form_max_hours;	/* a form's stamp is good this long */
	long	 pow_minutes;		/* a challenge is good this long */
	char	*content_security_policy; /* "" = response.h's PF_RESPONSE_CSP */
};

/*
 * The configuration file to use when none is named: $PRIVFORMS_CONFIG if set
 * and not empty, else the compiled-in default (PF_CONFIG_DEFAULT).  Call it
 * before the first accept.  Static or environment storage: do not free.
 */
const char *pf_config_default_path(void);

/*
 * Read path into a new configuration owned by the caller (pf_config_free).
 * On failure returns PF_ECONFIG or PF_ENOMEM and, when err is not NULL,
 * writes a one-line message (with the line number) into err[errlen].
 */
int pf_config_load(const char *path, struct pf_config **out, char *err, size_t errlen);

/*
 * The same for the text of a configuration file, text[0..len) (NULs are
 * refused as in a file), in memory: name stands for the file in messages
 * and in cfg->path, and relative paths are resolved against dir (an
 * absolute directory).  For the fuzz harness and for tests, which must not
 * need a file.
 */
int pf_config_parse(const char *text, size_t len, const char *name,
    const char *dir, struct pf_config **out, char *err, size_t errlen);

/* Accepts NULL. */
void pf_config_free(struct pf_config *cfg);

/*
 * base_url + prefix + path ("/" for the hub): the absolute URL a mail
 * links to.  A new string, or NULL when out of memory.
 */
char *pf_config_url(const struct pf_config *cfg, const char *path);

#endif
