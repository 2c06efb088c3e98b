/*
 * dsr.c -- data subject requests: codes, labels, deadlines, links and
 * mails (see dsr.h).
 *
 * A link carries only the request's number, inside a sealed token
 * (token.h): whoever holds the link holds the request's status page, so
 * it must not be guessable, and the number alone would be.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "copy.h"
#include "country.h"
#include "datefmt.h"
#include "denials.h"
#include "dsr.h"
#include "err.h"
#include "keys.h"
#include "lang.h"
#include "laws.h"
#include "mail.h"
#include "nitems.h"
#include "store.h"
#include "token.h"
#include "utc.h"
#include "validate.h"

#define ID_MAX_LEN	20	/* decimal digits of a positive long long */
#define FIXED_VALUES	8	/* pairs every requester mail has */

const char *const pf_dsr_types[] = {
	"access",	N_("A copy of my personal data"),
	"deletion",	N_("Delete my personal data"),
	"correction",	N_("Correct my personal data"),
	"portability",	N_("A portable copy of my data"),
	"restriction",	N_("Restrict the processing of my data"),
	"objection",	N_("Object to the processing of my data"),
	"opt-out-sale",	N_("Do not sell or share my personal information"),
	"other",	N_("Another privacy question"),
	NULL,
};

const char *const pf_dsr_relationships[] = {
	"employee",		N_("Employee"),
	"job-applicant",	N_("Job applicant"),
	"prospect",		N_("Prospect"),
	"customer",		N_("Customer"),
	"website-user",		N_("Website user"),
	"partner",		N_("Partner"),
	"supplier",		N_("Supplier"),
	"learning-platform-user", N_("Learning platform user"),
	"marketing-recipient",	N_("Recipient of marketing communications"),
	"service-user",		N_("User of the company's services"),
	"other",		N_("Other"),
	NULL,
};

#define DENIAL_WORDS(code, words, source)	code, words,
#define DENIAL_SOURCE(code, words, source)	code, source,
const char *const pf_dsr_denials[] = { PF_DENIALS(DENIAL_WORDS) NULL };
const char *const pf_dsr_denial_sources[] = { PF_DENIALS(DENIAL_SOURCE) NULL };
#undef DENIAL_WORDS
#undef DENIAL_SOURCE

const char *const pf_dsr_statuses[] = {
	"unverified",	N_("Waiting for you to confirm your email address"),
	"verified",	N_("Verified: we are working on it"),
	"extended",	N_("Extended: we need more time, as the law allows"),
	"fulfilled",	N_("Done: we have answered your request"),
	"denied",	N_("Closed: we could not carry out your request"),
	"appealed",	N_("Appealed: we are reviewing our decision"),
	"appeal-granted", N_("Appeal granted: we will carry out your request"),
	"appeal-denied", N_("Closed: we have reviewed our decision and keep it"),
	NULL,
};

/* The label of code, or the code itself when the table has none. */
static const char *
label_or_code(const char *const *table, const char *code)
{
	const char	*label = pf_choice_label(table, code);

	return label != NULL ? label : code;
}

/* The page a link of purpose opens, below the prefix; NULL if none. */
static const char *
link_path(const char *purpose)
{
	if (purpose == NULL)
		return NULL;
	if (strcmp(purpose, PF_DSR_VERIFY) == 0)
		return "/request/verify";
	if (strcmp(purpose, PF_DSR_STATUS) == 0)
		return "/request/status";
	return NULL;
}

int
pf_dsr_link(const struct pf_config *cfg, const struct pf_keys *keys,
    const char *purpose, long long id, time_t expires, char **url)
{
	const char	*path = link_path(purpose);
	const char	*fields[2];
	char		 num[ID_MAX_LEN + 1], *tok = NULL;
	size_t		 n;
	int		 rc;

	*url = NULL;
	if (path == NULL || id <= 0)
		return PF_EINVAL;
	snprintf(num, sizeof(num), "%lld", id);
	fields[0] = num;
	fields[1] = pf_lang_current();
	if ((rc = pf_token_make(keys->token, purpose, expires, fields, 2,
	    &tok)) != PF_OK)
		return rc;
	n = strlen(cfg->base_url) + strlen(cfg->prefix) + strlen(path) +
	    sizeof("?t=") + strlen(tok);
	if ((*url = malloc(n)) == NULL)
		rc = PF_ENOMEM;
	else
		snprintf(*url, n, "%s%s%s?t=%s", cfg->base_url, cfg->prefix,
		    path, tok);
	free(tok);
	return rc;
}

/*
 * The token check's own errors pass through: PF_EFORGED, PF_EEXPIRED, and
 * PF_ENOMEM or PF_ECRYPTO when the check itself could not be made.
 */
int
pf_dsr_link_check(const struct pf_keys *keys, const char *purpose,
    const char *text, time_t now, long long *id)
{
	struct pf_token	 tok;
	int		 rc;

	*id = 0;
	if (link_path(purpose) == NULL)
		return PF_EFORGED;
	if ((rc = pf_token_check(keys->token, purpose, text, now, &tok)) != PF_OK)
		return rc;
	/* A link mailed before links had a language has the id alone. */
	rc = tok.nfields == 1 || tok.nfields == 2 ?
	    pf_token_id(tok.fields[0], id) : PF_EFORGED;
	if (rc == PF_OK && tok.nfields == 2 &&
	    pf_lang_follow(tok.fields[1]) != PF_OK)
		rc = PF_EFORGED;
	if (rc != PF_OK)
		*id = 0;
	pf_token_clear(&tok);
	return rc;
}

/* out is period p after t, or "" when the law sets no such period. */
static int
due_or_none(time_t t, const struct pf_period *p, char out[PF_DATE_SIZE])
{
	if (p->unit == PF_PERIOD_NONE) {
		out[0] = '\0';
		return PF_OK;
	}
	return pf_period_due(t, p, out);
}

int
pf_dsr_terms(const struct pf_laws *laws, const char *country,
    const char *state, time_t received, struct pf_dsr_terms *out)
{
	const struct pf_law	*law;
	int			 rc;

	memset(out, 0, sizeof(*out));
	if (laws == NULL)
		return PF_EINVAL;
	law = pf_laws_find(laws, country, state);
	out->law = law->law;
	if ((rc = pf_period_due(received, &law->period, out->due)) != PF_OK ||
	    (rc = due_or_none(received, &law->acknowledge,
	    out->acknowledge)) != PF_OK)
		return rc;
	if (law->extension.unit != PF_PERIOD_NONE)
		pf_period_text(&law->extension, out->extension);
	return PF_OK;
}

int
pf_dsr_extended_due(const char *due, const char *extension, char out[PF_DATE_SIZE])
{
	struct pf_period	 p;
	time_t			 t;

	out[0] = '\0';
	if (pf_utc_parse_day(due, &t) != PF_OK || extension == NULL ||
	    pf_period_parse(extension, &p) != PF_OK ||
	    p.unit == PF_PERIOD_NONE)
		return PF_EINVAL;
	return pf_period_due(t, &p, out);
}

/* ---- appeals ---- */

const char *
pf_dsr_state(const struct pf_dsr *r)
{
	if (r->appeal != NULL && strcmp(r->appeal, "open") == 0)
		return "appealed";
	if (r->appeal != NULL && strcmp(r->appeal, "denied") == 0)
		return "appeal-denied";
	return r->status;
}

const char *
pf_dsr_due_by(const struct pf_dsr *r)
{
	return strcmp(pf_dsr_state(r), "appealed") == 0 ? r->appeal_due :
	    r->due;
}

/*
 * The row of r's place if it is still r's law (a request keeps the law it
 * was given; a place since moved to another, or exempted, gives no appeal
 * the table cannot vouch for), else NULL.
 */
static const struct pf_law *
law_of(const struct pf_laws *laws, const struct pf_dsr *r)
{
	const struct pf_law	*law;

	if (laws == NULL || r->country == NULL || r->law == NULL)
		return NULL;
	law = pf_laws_find(laws, r->country, r->state);
	return strcmp(law->law, r->law) == 0 ? law : NULL;
}

int
pf_dsr_appealable(const struct pf_laws *laws, const struct pf_dsr *r,
    long window_days, time_t now, char until[PF_DATE_SIZE])
{
	const struct pf_law	*law = law_of(laws, r);
	struct pf_period	 window = { PF_PERIOD_DAYS, (int)window_days };
	char			 today[PF_TIME_SIZE];
	time_t			 denied;
	int			 rc;

	until[0] = '\0';
	if (law == NULL || law->appeal.unit == PF_PERIOD_NONE ||
	    strcmp(r->status, "denied") != 0 || r->appeal != NULL)
		return PF_ENOTFOUND;
	if ((rc = pf_utc_parse_time(r->updated, &denied)) != PF_OK ||
	    (rc = pf_period_due(denied, &window, until)) != PF_OK)
		return rc;
	pf_utc_time(now, today);
	return strncmp(today, until, PF_DATE_SIZE - 1) <= 0 ? PF_OK :
	    PF_EEXPIRED;
}

int
pf_dsr_appeal_due(const struct pf_laws *laws, const struct pf_dsr *r,
    time_t now, char out[PF_DATE_SIZE])
{
	const struct pf_law	*law = law_of(laws, r);

	out[0] = '\0';
	if (law == NULL || law->appeal.unit == PF_PERIOD_NONE)
		return PF_ENOTFOUND;
	return pf_period_due(now, &law->appeal, out);
}

const char *
pf_dsr_regulator(const struct pf_laws *laws, const struct pf_dsr *r)
{
	const struct pf_law	*law = law_of(laws, r);

	return law != NULL && law->regulator != NULL ? _(law->regulator) :
	    NULL;
}

const char *
pf_dsr_law_words(const char *law)
{
	return law == NULL || strcmp(law, "none") == 0 ? law : _(law);
}

/*
 * s as people read it, in the current language, into out: its day (which
 * must exist), then, with hm, the time of day from the stored time s is
 * (utc.h reads both), and that it is UTC.
 */
static int
when(const char *s, int hm, struct pf_dsr_when *out)
{
	char		 day[PF_DATE_SIZE], date[PF_DATEFMT_SIZE];
	char		 hour[PF_DATEFMT_SIZE];
	struct tm	 tm;
	time_t		 t;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return PF_EINVAL;
	snprintf(day, sizeof(day), "%s", s);
	rc = hm ? pf_utc_parse_time(s, &t) : pf_utc_parse_day(day, &t);
	if (rc != PF_OK || gmtime_r(&t, &tm) == NULL)
		return PF_EINVAL;
	strftime(out->datetime, sizeof(out->datetime),
	    hm ? "%Y-%m-%dT%H:%MZ" : "%Y-%m-%d", &tm);
	if ((rc = pf_datefmt_day(t, date)) != PF_OK ||
	    (hm && (rc = pf_datefmt_time(t, hour)) != PF_OK)) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	if (!hm)
		snprintf(out->text, sizeof(out->text), "%s", date);
	else
		snprintf(out->text, sizeof(out->text),
		    /* TRANSLATORS: %1$s is a date ("2 March 2027"), %2$s a
		     * time of day ("14:05"), always in UTC. */
		    C_("date and time", "%1$s, %2$s UTC"), date, hour);
	return PF_OK;
}

int
pf_dsr_date(const char *s, struct pf_dsr_when *out)
{
	return when(s, 0, out);
}

int
pf_dsr_time(const char *s, struct pf_dsr_when *out)
{
	return when(s, 1, out);
}

const char *
pf_dsr_mail_date(const char *s, struct pf_dsr_when *out)
{
	if (s == NULL || strcmp(pf_lang_current(), PF_LANG_SOURCE) == 0)
		return s;
	if ((strlen(s) == PF_DATE_SIZE - 1 ? pf_dsr_date(s, out) :
	    pf_dsr_time(s, out)) != PF_OK)
		return s;
	return out->text;
}

/* The values of a mail that are dates, in every mail that has them. */
static const char *const mail_dates[] = { "received", "due", "appeal_due",
    "previous_due", NULL };

/*
 * v[0..2n) (name, value pairs) with each date value as the mail says it
 * (pf_dsr_mail_date), each kept in when[i].
 */
static void
mail_dates_said(const char **v, int n, struct pf_dsr_when *when)
{
	int	 i, k;

	for (i = 0; i < n; i++)
		for (k = 0; mail_dates[k] != NULL; k++)
			if (strcmp(v[2 * i], mail_dates[k]) == 0)
				v[2 * i + 1] = pf_dsr_mail_date(v[2 * i + 1],
				    &when[i]);
}

/* The UTC day of a stored time, "YYYY-MM-DD". */
static void
day_of(const char *stored, char out[PF_DATE_SIZE])
{
	snprintf(out, 11, "%s", stored);
}

/*
 * 1 if r has what every mail about it says: a NULL among a mail's values
 * would end the list early and drop the rest.
 */
static int
complete(const struct pf_dsr *r)
{
	return r->id > 0 && r->type != NULL && r->due != NULL &&
	    r->law != NULL && r->received != NULL;
}

/* Count the pairs of extra; -1 if there are more than the mail can take. */
static int
extra_pairs(const char *const *extra)
{
	int	 n = 0;

	if (extra == NULL)
		return 0;
	while (extra[2 * n] != NULL)
		if (++n > PF_MAIL_MAX_VALUES - FIXED_VALUES)
			return -1;
	return n;
}

int
pf_dsr_mail(struct pf_store *st, const struct pf_config *cfg,
    const struct pf_keys *keys, const struct pf_dsr *r, const char *template,
    const char *const *extra)
{
	const char	*v[2 * PF_MAIL_MAX_VALUES + 1];
	char		 id[ID_MAX_LEN + 1], received[PF_DATE_SIZE];
	char		*status_url = NULL, *site = NULL, saved[PF_LANG_MAX];
	struct pf_dsr_when when[PF_MAIL_MAX_VALUES];
	int		 i, n, rc;

	if (!complete(r) || r->email == NULL || r->status == NULL ||
	    (n = extra_pairs(extra)) < 0)
		return PF_EINVAL;
	/* In r's language, the link too; the current one before r is stored. */
	if ((rc = pf_lang_push(r->lang != NULL ? r->lang : pf_lang_current(),
	    saved)) != PF_OK)
		goto done;
	rc = pf_dsr_link(cfg, keys, PF_DSR_STATUS, r->id,
	    time(NULL) + cfg->request_status_days * PF_DAY, &status_url);
	if (rc != PF_OK)
		goto done;
	rc = PF_ENOMEM;
	if ((site = pf_config_url(cfg, "/")) == NULL)
		goto done;
	snprintf(id, sizeof(id), "%lld", r->id);
	day_of(r->received, received);
	v[0] = "id";		v[1] = id;
	v[2] = "type";		v[3] = label_or_code(pf_dsr_types, r->type);
	v[4] = "received";	v[5] = received;
	v[6] = "due";		v[7] = r->due;
	v[8] = "law";		v[9] = pf_dsr_law_words(r->law);
	v[10] = "status";	v[11] = label_or_code(pf_dsr_statuses, r->status);
	v[12] = "status_url";	v[13] = status_url;
	v[14] = "site";		v[15] = site;
	for (i = 0; i < 2 * n; i++)
		v[2 * FIXED_VALUES + i] = extra[i];
	v[2 * FIXED_VALUES + 2 * n] = NULL;
	mail_dates_said(v, FIXED_VALUES + n, when);
	rc = pf_mail_enqueue(st, template, r->email, v, r->subject, NULL);
done:
	pf_lang_pop(saved);
	free(status_url);
	free(site);
	return rc;
}

/*
 * "Germany (DE)", "California, United States (US-CA)": the names in the
 * current language (the team's, pf_dsr_mail_team).
 */
static void
place_text(const struct pf_dsr *r, char *out, size_t len)
{
	const char	*country = pf_country_local(r->country);
	const char	*state = r->state != NULL ?
	    pf_us_state_local(r->state) : NULL;

	if (country == NULL)
		country = r->country;
	if (state != NULL)
		snprintf(out, len, "%s, %s (%s-%s)", state, country,
		    r->country, r->state);
	else
		snprintf(out, len, "%s (%s)", country, r->country);
}

int
pf_dsr_mail_team(struct pf_store *st, const struct pf_config *cfg,
    const struct pf_dsr *r, const char *template)
{
	char		 id[ID_MAX_LEN + 1], received[PF_DATE_SIZE], place[160];
	char		 command[64], *site, saved[PF_LANG_MAX];
	const char	*v[] = { "id", id, "type", NULL, "received", received,
	    "due", r->due, "law", NULL, "site", NULL,
	    "country", place,
	    "command", command, NULL };
	int		 rc;

	if (cfg->privacy_team == NULL || cfg->privacy_team[0] == '\0')
		return PF_OK;
	if (!complete(r) || r->country == NULL)
		return PF_EINVAL;
	if ((site = pf_config_url(cfg, "/")) == NULL)
		return PF_ENOMEM;
	snprintf(id, sizeof(id), "%lld", r->id);
	snprintf(command, sizeof(command), "privforms request show %lld",
	    r->id);
	day_of(r->received, received);
	/* The team's words, whatever the requester's language. */
	if ((rc = pf_lang_push(cfg->default_language, saved)) == PF_OK) {
		place_text(r, place, sizeof(place));
		v[3] = label_or_code(pf_dsr_types, r->type);
		v[9] = pf_dsr_law_words(r->law);
		v[11] = site;
		rc = pf_mail_enqueue(st, template, cfg->privacy_team, v,
		    r->subject, NULL);
	}
	pf_lang_pop(saved);
	free(site);
	return rc;
}

/* ---- a request copied out of the store ---- */

static const size_t held[] = {
	offsetof(struct pf_dsr, type), offsetof(struct pf_dsr, relationship),
	offsetof(struct pf_dsr, organisation),
	offsetof(struct pf_dsr, first_name), offsetof(struct pf_dsr, last_name),
	offsetof(struct pf_dsr, email), offsetof(struct pf_dsr, email_key),
	offsetof(struct pf_dsr, subject), offsetof(struct pf_dsr, country),
	offsetof(struct pf_dsr, state), offsetof(struct pf_dsr, details),
	offsetof(struct pf_dsr, law), offsetof(struct pf_dsr, received),
	offsetof(struct pf_dsr, due), offsetof(struct pf_dsr, acknowledge),
	offsetof(struct pf_dsr, extension), offsetof(struct pf_dsr, status),
	offsetof(struct pf_dsr, verify_by), offsetof(struct pf_dsr, updated),
	offsetof(struct pf_dsr, appeal), offsetof(struct pf_dsr, appeal_due),
	offsetof(struct pf_dsr, appeal_reason), offsetof(struct pf_dsr, lang),
};

PF_COPY_GENERATE(pf_dsr, pf_dsr_copy, pf_dsr, r, held, PF_DSR_NSTRINGS)
