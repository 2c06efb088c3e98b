/*
 * lang.c -- the current language and gettext's view of it (lang.h).
 */
#include <ctype.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "lang.h"

/* gettext's cache generation: the manual's way to say LANGUAGE changed. */
extern int _nl_msg_cat_cntr;

static char current[PF_LANG_MAX] = PF_LANG_SOURCE;
static int chosen;	/* pf_lang_choose's, until pf_lang_use */

int
pf_lang_init(const char *dir)
{
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return PF_EINVAL;
	if (dir != NULL && bindtextdomain(PF_TEXTDOMAIN, dir) == NULL)
		return PF_EINVAL;
	if (bind_textdomain_codeset(PF_TEXTDOMAIN, "UTF-8") == NULL ||
	    textdomain(PF_TEXTDOMAIN) == NULL)
		return PF_EINVAL;
	current[0] = '\0';	/* so that a LANGUAGE from outside is replaced */
	return pf_lang_use(PF_LANG_SOURCE);
}

/* n letters (alpha) or letters and digits, lower-case only if lower. */
static int
run_of(const char *s, size_t n, int digits, int lower)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(isalpha(c) || (digits && isdigit(c))) || !isascii(c) ||
		    (lower && isupper(c)))
			return 0;
	}
	return 1;
}

int
pf_lang_name(const char *tag, char name[PF_LANG_MAX])
{
	size_t len = tag == NULL ? 0 : strlen(tag);
	size_t primary = tag == NULL ? 0 : strcspn(tag, "-");

	if (len >= PF_LANG_MAX || primary < 2 || primary > 3 ||
	    !run_of(tag, primary, 0, 1))
		return PF_EINVAL;
	if (primary < len && (len - primary - 1 < 2 || len - primary - 1 > 8 ||
	    !run_of(tag + primary + 1, len - primary - 1, 1, 0)))
		return PF_EINVAL;
	memcpy(name, tag, len + 1);
	if (primary < len)
		name[primary] = '_';
	return PF_OK;
}

/* tag made current; the choice (pf_lang_chosen) is left alone. */
static int
switch_to(const char *tag)
{
	char name[PF_LANG_MAX];

	if (pf_lang_name(tag, name) != PF_OK)
		return PF_EINVAL;
	if (strcmp(tag, current) == 0)
		return PF_OK;
	/* "en" too: LANGUAGE=en finds no catalogue, so msgids come out. */
	if (setenv("LANGUAGE", name, 1) != 0)
		return PF_EINVAL;
	++_nl_msg_cat_cntr;
	memcpy(current, tag, strlen(tag) + 1);
	return PF_OK;
}

int
pf_lang_use(const char *tag)
{
	int	 rc = switch_to(tag);

	chosen = chosen && rc != PF_OK;	/* a failed switch changes nothing */
	return rc;
}

int
pf_lang_choose(const char *tag)
{
	if (switch_to(tag) != PF_OK)
		return PF_EINVAL;
	chosen = 1;
	return PF_OK;
}

int
pf_lang_chosen(void)
{
	return chosen;
}

int
pf_lang_follow(const char *tag)
{
	char	 name[PF_LANG_MAX];

	if (pf_lang_name(tag, name) != PF_OK)
		return PF_EINVAL;
	return chosen ? PF_OK : switch_to(tag);
}

int
pf_lang_push(const char *tag, char saved[PF_LANG_MAX])
{
	memcpy(saved, current, sizeof(current));
	return switch_to(tag);
}

void
pf_lang_pop(const char saved[PF_LANG_MAX])
{
	(void)switch_to(saved);	/* a tag that was current: well-formed */
}

const char *
pf_lang_current(void)
{
	return current;
}

const char *
pf_lang_pgettext(const char *key, const char *msgid)
{
	const char *t = gettext(key);

	return t == key ? msgid : t;
}
