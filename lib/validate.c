/*
 * validate.c -- validators for form fields (see validate.h and form.h).
 *
 * Each is pure: it looks at its input and returns a message for the visitor
 * or a normalised copy.  Messages are static and say what to do.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "country.h"
#include "err.h"
#include "phone.h"
#include "validate.h"

#define EMAIL_MAX 254
#define LOCAL_MAX 64
#define DOMAIN_MAX 253
#define LABEL_MAX 63
#define TOKEN_MAX 64

/* RFC 5322 atext, the characters of an unquoted local part besides dots. */
static const char atext[] = "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~";

/* Letters, digits, hyphen: what a DNS label (or an IDN's xn-- form) holds. */
static const char ldh[] = "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";

/* A new copy of in without its surrounding blanks (and newlines). */
static char *
trimmed(const char *in)
{
	size_t	 n;

	in += strspn(in, " \t\n");
	n = strlen(in);
	while (n > 0 && strchr(" \t\n", in[n - 1]) != NULL)
		n--;
	return strndup(in, n);
}

/* Dot-separated runs of atext: no leading, trailing or double dot. */
static int
local_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > LOCAL_MAX || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (strchr(atext, s[i]) == NULL)
			return 0;
	}
	return 1;
}

/*
 * Two or more labels of letters, digits and inner hyphens, the last not all
 * digits (so no IP address passes for a domain).
 */
static int
domain_ok(const char *s)
{
	const char	*label;
	size_t		 n, labels = 0;

	if (strlen(s) > DOMAIN_MAX)
		return 0;
	for (;;) {
		label = s;
		n = strspn(s, ldh);
		if (n == 0 || n > LABEL_MAX || s[0] == '-' || s[n - 1] == '-')
			return 0;
		labels++;
		if (s[n] == '\0')
			break;
		if (s[n] != '.')
			return 0;
		s += n + 1;
	}
	return labels >= 2 && strspn(label, "0123456789") != n;
}

const char *
pf_valid_email(const char *in, const void *arg, char **norm)
{
	char	*s, *at, *p;

	(void)arg;
	*norm = NULL;
	if ((s = trimmed(in)) == NULL)
		return "Could not check this address; please try again.";
	if (*s == '\0') {
		free(s);
		return "Enter an email address, like name@example.com.";
	}
	if ((at = strchr(s, '@')) == NULL || strchr(at + 1, '@') != NULL) {
		free(s);
		return "Enter an email address with one @, "
		    "like name@example.com.";
	}
	if (strlen(s) > EMAIL_MAX || !local_ok(s, (size_t)(at - s)) ||
	    !domain_ok(at + 1)) {
		free(s);
		return "Enter an email address like name@example.com, "
		    "without spaces or accented letters.";
	}
	for (p = at + 1; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	*norm = s;
	return NULL;
}

/* in, if it is one of the strings at opt, opt + step, ... up to NULL. */
static const char *
choose(const char *in, const char *const *opt, size_t step, char **norm)
{
	*norm = NULL;
	for (; opt != NULL && *opt != NULL; opt += step) {
		if (strcmp(in, *opt) != 0)
			continue;
		if ((*norm = strdup(in)) == NULL)
			return "Could not check this choice; please try again.";
		return NULL;
	}
	return "Choose one of the options offered.";
}

const char *
pf_valid_enum(const char *in, const void *arg, char **norm)
{
	return choose(in, arg, 1, norm);
}

const char *
pf_valid_text(const char *in, const void *arg, char **norm)
{
	char	*s;

	(void)arg;
	*norm = NULL;
	if ((s = trimmed(in)) == NULL)
		return "Could not check this text; please try again.";
	if (*s == '\0') {
		free(s);
		return "Enter some text, not only spaces.";
	}
	*norm = s;
	return NULL;
}

const char *
pf_valid_phone(const char *in, const void *arg, char **norm)
{
	const char	*region = arg != NULL ? arg : "ZZ";
	char		 buf[PF_PHONE_E164_SIZE];

	*norm = NULL;
	switch (pf_phone_e164(in, region, buf, sizeof(buf))) {
	case PF_OK:
		break;
	case PF_ENOMEM:
		return "Could not check this number; please try again.";
	default:
		return "Enter a phone number with its area code, or with + and "
		    "the country code, like +44 20 7946 0958.";
	}
	if ((*norm = strdup(buf)) == NULL)
		return "Could not check this number; please try again.";
	return NULL;
}

/* in if lookup knows it as a code (a copy in *norm), or message. */
static const char *
valid_code(const char *in, const char *(*lookup)(const char *), char **norm,
    const char *message)
{
	*norm = NULL;
	if (lookup(in) == NULL)
		return message;
	if ((*norm = strdup(in)) == NULL)
		return "Could not check this choice; please try again.";
	return NULL;
}

const char *
pf_valid_choice(const char *in, const void *arg, char **norm)
{
	return choose(in, arg, 2, norm);	/* codes, not labels */
}

const char *
pf_choice_label(const char *const *table, const char *code)
{
	if (table == NULL || code == NULL)
		return NULL;
	for (; table[0] != NULL; table += 2)
		if (strcmp(table[0], code) == 0)
			return table[1];
	return NULL;
}

const char *
pf_valid_country(const char *in, const void *arg, char **norm)
{
	(void)arg;
	return valid_code(in, pf_country_name, norm,
	    "Choose a country from the list.");
}

const char *
pf_valid_us_state(const char *in, const void *arg, char **norm)
{
	(void)arg;
	return valid_code(in, pf_us_state_name, norm,
	    "Choose a state from the list.");
}

const char *
pf_valid_token(const char *in, const void *arg, char **norm)
{
	size_t	 n = strlen(in);

	(void)arg;
	*norm = NULL;
	if (n == 0 || n > TOKEN_MAX ||
	    strspn(in, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
		return "This value is not valid; "
		    "please start again from the form.";
	if ((*norm = strdup(in)) == NULL)
		return "Could not check this value; please try again.";
	return NULL;
}

char *
pf_email_key(const char *normalised)
{
	char	*s, *p;

	if (normalised == NULL || (s = strdup(normalised)) == NULL)
		return NULL;
	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}
