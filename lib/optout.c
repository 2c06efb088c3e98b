/* optout.c -- RFC 8058 one-click links, the done page's token (optout.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "lang.h"
#include "optout.h"
#include "utc.h"
#include "validate.h"

#define PURPOSE	"unsub"
#define PATH	"/unsubscribe?t="
#define DONE	"unsub-done"
#define ELLIPSIS "\u2026"
#define DIGITS_SHOWN 4	/* of a number: the last four */
#define FIELDS	3	/* a link's or done page's, then its language */

/*
 * tok's language (its field FIELDS, absent from a token made before
 * tokens had one) followed (lang.h): PF_OK, or PF_EFORGED (tok cleared)
 * for a wrong number of fields or a malformed tag.
 */
static int
follow(struct pf_token *tok)
{
	if ((tok->nfields == FIELDS + 1 &&
	    pf_lang_follow(tok->fields[FIELDS]) == PF_OK) ||
	    tok->nfields == FIELDS)
		return PF_OK;
	pf_token_clear(tok);
	return PF_EFORGED;
}

int
pf_optout_link(const struct pf_config *cfg, const struct pf_keys *keys,
    const char *address, const char *list, time_t now, char **url,
    const char **why)
{
	const char	*fields[FIELDS + 1];
	char		*norm = NULL, *key = NULL, *listn = NULL, *tok = NULL;
	size_t		 n;
	int		 rc = PF_EINVAL;

	*url = NULL;
	if ((*why = pf_valid_email(address, NULL, &norm)) != NULL)
		goto out;
	if (list != NULL && *list != '\0' &&
	    (*why = pf_valid_token(list, NULL, &listn)) != NULL)
		goto out;
	rc = PF_ENOMEM;
	if ((key = pf_email_key(norm)) == NULL)
		goto out;
	fields[0] = "email";
	fields[1] = key;
	fields[2] = listn != NULL ? listn : "";
	fields[3] = pf_lang_current();
	rc = pf_token_make(keys->token, PURPOSE,
	    now + (time_t)cfg->unsubscribe_link_days * PF_DAY, fields,
	    FIELDS + 1, &tok);
	if (rc != PF_OK)
		goto out;
	n = strlen(cfg->base_url) + strlen(cfg->prefix) + strlen(PATH) +
	    strlen(tok) + 1;
	if ((*url = malloc(n)) == NULL) {
		rc = PF_ENOMEM;
		goto out;
	}
	snprintf(*url, n, "%s%s%s%s", cfg->base_url, cfg->prefix, PATH, tok);
	rc = PF_OK;
out:
	free(tok);
	free(key);
	free(listn);
	free(norm);
	return rc;
}

int
pf_optout_check(const struct pf_keys *keys, const char *token, time_t now,
    struct pf_token *tok)
{
	int	 rc;

	if ((rc = pf_token_check(keys->token, PURPOSE, token, now, tok)) != PF_OK)
		return rc;
	if (tok->nfields < FIELDS || strcmp(tok->fields[0], "email") != 0) {
		pf_token_clear(tok);
		return PF_EFORGED;
	}
	return follow(tok);
}

char *
pf_optout_mask(const char *channel, const char *address)
{
	const char	*keep, *at;
	char		*out;
	size_t		 n, head;

	if (strcmp(channel, "sms") == 0) {
		n = strlen(address);
		keep = address + (n > DIGITS_SHOWN ? n - DIGITS_SHOWN : n);
		head = 0;
	} else if ((at = strrchr(address, '@')) != NULL && at != address) {
		keep = at;
		head = 1;
	} else {
		keep = "";
		head = 0;
	}
	n = head + strlen(ELLIPSIS) + strlen(keep) + 1;
	if ((out = malloc(n)) == NULL)
		return NULL;
	snprintf(out, n, "%.*s" ELLIPSIS "%s", (int)head, address, keep);
	return out;
}

int
pf_optout_done_make(const struct pf_keys *keys, const char *channel,
    const char *address, int confirm, time_t now, char **token)
{
	const char	*fields[FIELDS + 1];
	char		*masked;
	int		 rc;

	*token = NULL;
	if ((masked = pf_optout_mask(channel, address)) == NULL)
		return PF_ENOMEM;
	fields[0] = channel;
	fields[1] = masked;
	fields[2] = confirm ? "yes" : "no";
	fields[3] = pf_lang_current();
	rc = pf_token_make(keys->token, DONE, now + PF_OPTOUT_DONE_SECONDS,
	    fields, FIELDS + 1, token);
	free(masked);
	return rc;
}

int
pf_optout_done_check(const struct pf_keys *keys, const char *token,
    time_t now, struct pf_token *tok)
{
	int	 rc;

	if ((rc = pf_token_check(keys->token, DONE, token, now, tok)) != PF_OK)
		return rc;
	if (tok->nfields < FIELDS || (strcmp(tok->fields[0], "email") != 0 &&
	    strcmp(tok->fields[0], "sms") != 0)) {
		pf_token_clear(tok);
		return PF_EFORGED;
	}
	return follow(tok);
}
