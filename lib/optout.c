/* optout.c -- RFC 8058 one-click links (optout.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "optout.h"
#include "validate.h"

#define PURPOSE	"unsub"
#define PATH	"/unsubscribe?t="

int
pf_optout_link(const struct pf_config *cfg, const struct pf_keys *keys,
    const char *address, const char *list, time_t now, char **url,
    const char **why)
{
	const char	*fields[3];
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
	rc = pf_token_make(keys->token, PURPOSE,
	    now + (time_t)cfg->unsubscribe_link_days * 86400, fields, 3, &tok);
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
	if (tok->nfields != 3 || strcmp(tok->fields[0], "email") != 0) {
		pf_token_clear(tok);
		return PF_EFORGED;
	}
	return PF_OK;
}
