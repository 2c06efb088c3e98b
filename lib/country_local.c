/*
 * country_local.c -- country and US state names in the current language,
 * from Debian's iso-codes catalogues (country.h).
 */
#include <string.h>

#include "country.h"
#include "lang.h"
#include "nitems.h"

/* code's row of pf_country_msgids, or NULL. */
static const struct pf_country_msgids *
msgids_of(const char *code)
{
	const struct pf_country_msgids	*c;

	for (c = pf_country_msgids; code != NULL && c->code != NULL; c++)
		if (strcmp(c->code, code) == 0)
			return c;
	return NULL;
}

/*
 * The first of c's names the catalogue translates: gettext hands back the
 * very pointer it was given for a message it does not have.
 */
static const char *
translated(const struct pf_country_msgids *c)
{
	const char	*t;
	size_t		 i;

	for (i = 0; i < nitems(c->msgid); i++)
		if (c->msgid[i] != NULL && (t = dgettext(PF_COUNTRY_DOMAIN,
		    c->msgid[i])) != c->msgid[i])
			return t;
	return NULL;
}

const char *
pf_country_local(const char *code)
{
	const struct pf_country_msgids	*c = msgids_of(code);
	const char			*t = NULL;

	if (c == NULL)
		return NULL;
	if (strcmp(pf_lang_current(), PF_LANG_SOURCE) != 0)
		t = translated(c);
	return t != NULL ? t : pf_country_name(code);
}

const char *
pf_us_state_local(const char *code)
{
	const char	*name = pf_us_state_name(code);

	if (name == NULL || strcmp(pf_lang_current(), PF_LANG_SOURCE) == 0)
		return name;
	return dgettext(PF_US_STATE_DOMAIN, name);
}

const char *
pf_country_option(const char *code, const char *name)
{
	(void)name;
	return pf_country_local(code);
}

const char *
pf_us_state_option(const char *code, const char *name)
{
	(void)name;
	return pf_us_state_local(code);
}
