/* preflink.c -- the preference page's and the confirmation's links (preflink.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "lang.h"
#include "preflink.h"
#include "utc.h"
#include "validate.h"

/* What each kind of link is: its token's purpose, path, fields, validity. */
struct kind {
	const char	*purpose;
	const char	*path;
	size_t		 nfields;
	size_t		 lang;		/* index of its language field */
};

static const struct kind pref = {
	"pref", "/preferences?t=", PF_PREF_NFIELDS, PF_PREF_LANG,
};
static const struct kind confirm = {
	"sub-confirm", "/preferences/confirm?t=", PF_CONFIRM_NFIELDS,
	PF_CONFIRM_LANG,
};

static int
known_channel(const char *channel)
{
	return channel != NULL && (strcmp(channel, "email") == 0 ||
	    strcmp(channel, "sms") == 0);
}

/*
 * address on channel as a link carries it (the email key, or E.164),
 * a new string in *key; or *why.
 */
static int
address_key(const struct pf_config *cfg, const char *channel,
    const char *address, char **key, const char **why)
{
	char	*norm = NULL;

	*key = NULL;
	if (!known_channel(channel)) {
		*why = "the channel must be email or sms";
		return PF_EINVAL;
	}
	if (strcmp(channel, "sms") == 0) {
		*why = pf_valid_phone(address, cfg->phone_region, key);
		return *why == NULL ? PF_OK : PF_EINVAL;
	}
	if ((*why = pf_valid_email(address, NULL, &norm)) != NULL)
		return PF_EINVAL;
	*key = pf_email_key(norm);
	free(norm);
	return *key != NULL ? PF_OK : PF_ENOMEM;
}

/* language, or the current one; NULL (and *why) if malformed. */
static const char *
language_of(const char *language, const char **why)
{
	char	 name[PF_LANG_MAX];

	if (language == NULL)
		return pf_lang_current();
	if (pf_lang_name(language, name) != PF_OK) {
		*why = "the language must be a tag such as en or pt-BR";
		return NULL;
	}
	return language;
}

/* The token of kind for fields, valid days from now, as its URL. */
static int
make_url(const struct pf_config *cfg, const struct pf_keys *keys,
    const struct kind *k, const char **fields, long days, time_t now,
    char **url)
{
	char	*tok = NULL;
	size_t	 n;
	int	 rc;

	rc = pf_token_make(keys->token, k->purpose, now + (time_t)days * PF_DAY,
	    fields, k->nfields, &tok);
	if (rc != PF_OK)
		return rc;
	n = strlen(cfg->base_url) + strlen(cfg->prefix) + strlen(k->path) +
	    strlen(tok) + 1;
	if ((*url = malloc(n)) != NULL)
		snprintf(*url, n, "%s%s%s%s", cfg->base_url, cfg->prefix,
		    k->path, tok);
	free(tok);
	return *url != NULL ? PF_OK : PF_ENOMEM;
}

/*
 * Check a token of kind: PF_OK with its fields in tok (the channel known,
 * the language followed), else PF_EFORGED or PF_EEXPIRED, tok zeroed.
 */
static int
check(const struct pf_keys *keys, const struct kind *k, const char *token,
    time_t now, struct pf_token *tok)
{
	int	 rc;

	rc = pf_token_check(keys->token, k->purpose, token, now, tok);
	if (rc != PF_OK)
		return rc;
	if (tok->nfields != k->nfields || !known_channel(tok->fields[0]) ||
	    pf_lang_follow(tok->fields[k->lang]) != PF_OK) {
		pf_token_clear(tok);
		return PF_EFORGED;
	}
	return PF_OK;
}

/*
 * The link of kind for address on channel in language, fields[] holding
 * the kind's other fields (set here: the channel, address and language).
 */
static int
link(const struct pf_config *cfg, const struct pf_keys *keys,
    const struct kind *k, const char *channel, const char *address,
    const char *language, const char **fields, long days, time_t now,
    char **url, const char **why)
{
	char	*key;
	int	 rc;

	if ((rc = address_key(cfg, channel, address, &key, why)) != PF_OK)
		return rc;
	fields[0] = channel;
	fields[1] = key;
	if ((fields[k->lang] = language_of(language, why)) == NULL)
		rc = PF_EINVAL;
	else
		rc = make_url(cfg, keys, k, fields, days, now, url);
	free(key);
	return rc;
}

int
pf_pref_link(const struct pf_config *cfg, const struct pf_keys *keys,
    const char *channel, const char *address, const char *language,
    time_t now, char **url, const char **why)
{
	const char	*fields[PF_PREF_NFIELDS];

	*url = NULL;
	*why = NULL;
	return link(cfg, keys, &pref, channel, address, language, fields,
	    cfg->preferences_link_days, now, url, why);
}

int
pf_pref_check(const struct pf_keys *keys, const char *token, time_t now,
    struct pf_token *tok)
{
	return check(keys, &pref, token, now, tok);
}

int
pf_pref_confirm_link(const struct pf_config *cfg,
    const struct pf_keys *keys, const char *channel, const char *address,
    const char *list, const char *requested, const char *language,
    time_t now, char **url, const char **why)
{
	const char	*fields[PF_CONFIRM_NFIELDS];
	time_t		 t;

	*url = NULL;
	*why = NULL;
	if (list == NULL || !pf_id_ok(list, PF_PREF_LIST_MAX)) {
		*why = "a list id is 1 to 32 of a-z 0-9 - _, a letter first";
		return PF_EINVAL;
	}
	if (requested == NULL || strlen(requested) >= PF_TIME_SIZE ||
	    pf_utc_parse_time(requested, &t) != PF_OK) {
		*why = "the time requested must be a UTC time";
		return PF_EINVAL;
	}
	fields[PF_CONFIRM_LIST] = list;
	fields[PF_CONFIRM_REQUESTED] = requested;
	return link(cfg, keys, &confirm, channel, address, language, fields,
	    cfg->subscribe_confirm_days, now, url, why);
}

int
pf_pref_confirm_check(const struct pf_keys *keys, const char *token,
    time_t now, struct pf_token *tok)
{
	return check(keys, &confirm, token, now, tok);
}
