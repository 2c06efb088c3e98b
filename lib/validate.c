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
#include "lang.h"
#include "nitems.h"
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

/*
 * Letters, digits, hyphen: what a DNS label (or an IDN's xn-- form)
 * holds; and the dots between labels.
 */
static const char ldh_dot[] = "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.";

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

/*
 * in trimmed, into *s (the caller's): NULL, or why not with *s NULL --
 * oom when out of memory, empty when nothing but blanks is left.
 */
static const char *
trimmed_some(const char *in, char **s, const char *oom, const char *empty)
{
	if ((*s = trimmed(in)) == NULL)
		return oom;
	if (**s == '\0') {
		free(*s);
		*s = NULL;
		return empty;
	}
	return NULL;
}

/*
 * An address being checked: s (trimmed), its first '@' (NULL: none), the
 * part before it and the domain after it.
 */
struct email {
	const char	*s, *at, *domain;
	size_t		 local_len;
};

/* 1 if s[0..n) has a byte of set, or (set NULL) one outside ASCII. */
static int
any_of(const char *s, size_t n, const char *set)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (set == NULL ? (unsigned char)s[i] >= 0x80 :
		    strchr(set, s[i]) != NULL)
			return 1;
	return 0;
}

static int
has_blank(const struct email *e)
{
	return any_of(e->s, strlen(e->s), " \t\n");
}

static int
not_ascii(const struct email *e)
{
	return any_of(e->s, strlen(e->s), NULL);
}

static int
no_at(const struct email *e)
{
	return e->at == NULL;
}

/* From here on, every rule may take e->at to be the one '@'. */
static int
two_at(const struct email *e)
{
	return strchr(e->at + 1, '@') != NULL;
}

static int
no_local(const struct email *e)
{
	return e->local_len == 0;
}

static int
no_domain(const struct email *e)
{
	return *e->domain == '\0';
}

static int
too_long(const struct email *e)
{
	return strlen(e->s) > EMAIL_MAX;
}

static int
local_long(const struct email *e)
{
	return e->local_len > LOCAL_MAX;
}

/* A leading, trailing or double dot: in the local part or the domain. */
static int
bad_dots(const char *s, size_t n)
{
	size_t	 i;

	if (s[0] == '.' || s[n - 1] == '.')
		return 1;
	for (i = 0; i + 1 < n; i++)
		if (s[i] == '.' && s[i + 1] == '.')
			return 1;
	return 0;
}

static int
local_dots(const struct email *e)
{
	return bad_dots(e->s, e->local_len);
}

/* Anything but atext and dots (quoted local parts are refused). */
static int
local_chars(const struct email *e)
{
	size_t	 i;

	for (i = 0; i < e->local_len; i++)
		if (e->s[i] != '.' && strchr(atext, e->s[i]) == NULL)
			return 1;
	return 0;
}

/* An IP address: a literal ("[192.0.2.1]") or digits and dots only. */
static int
ip_domain(const struct email *e)
{
	return e->domain[0] == '[' ||
	    strspn(e->domain, "0123456789.") == strlen(e->domain);
}

/* A last label of digits only ("example.123"): no top-level domain. */
static int
digit_tld(const struct email *e)
{
	const char	*last = strrchr(e->domain, '.');

	last = last != NULL ? last + 1 : e->domain;
	return *last != '\0' && strspn(last, "0123456789") == strlen(last);
}

static int
domain_long(const struct email *e)
{
	return strlen(e->domain) > DOMAIN_MAX;
}

static int
domain_dots(const struct email *e)
{
	return bad_dots(e->domain, strlen(e->domain));
}

static int
domain_chars(const struct email *e)
{
	size_t	 n = strlen(e->domain);

	return strspn(e->domain, ldh_dot) != n;
}

/* A label (between dots) over 63 octets, or starting or ending with '-'. */
static int
label_wrong(const struct email *e, int (*wrong)(const char *, size_t))
{
	const char	*p = e->domain;
	size_t		 n;

	for (;; p += n + 1) {
		n = strcspn(p, ".");
		if (wrong(p, n))
			return 1;
		if (p[n] == '\0')
			return 0;
	}
}

static int
long_label(const char *p, size_t n)
{
	(void)p;
	return n > LABEL_MAX;
}

static int
hyphen_label(const char *p, size_t n)
{
	return n > 0 && (p[0] == '-' || p[n - 1] == '-');
}

static int
label_long(const struct email *e)
{
	return label_wrong(e, long_label);
}

static int
label_hyphen(const struct email *e)
{
	return label_wrong(e, hyphen_label);
}

static int
one_label(const struct email *e)
{
	return strchr(e->domain, '.') == NULL;
}

/*
 * What can be wrong with an address, in the order it is checked, each
 * with what to tell the person: the first that applies is what they fix
 * first.  Each rule may take the ones before it as passed.
 */
static const struct {
	int		(*wrong)(const struct email *);
	const char	*message;
} email_rules[] = {
	{ has_blank, N_("Enter the email address without spaces.") },
	{ not_ascii, N_("Enter an email address without accented or "
	    "non-Latin letters: we cannot send email to those.") },
	{ no_at, N_("Enter an email address with an @, like "
	    "name@example.com.") },
	{ two_at, N_("Enter an email address with only one @, like "
	    "name@example.com.") },
	{ no_local, N_("Enter the part of the email address before the @, "
	    "like the name in name@example.com.") },
	{ no_domain, N_("Enter the domain after the @, like the example.com "
	    "in name@example.com.") },
	{ too_long, N_("Enter an email address of 254 characters or fewer.") },
	{ local_long, N_("The part before the @ must be 64 characters or "
	    "fewer.") },
	{ local_dots, N_("The part before the @ cannot start or end with a "
	    "dot, or have two dots in a row.") },
	{ local_chars, N_("The part before the @ cannot contain double "
	    "quotes, brackets, or any of , : ; \\.") },
	{ ip_domain, N_("Enter a domain after the @, like example.com, not an "
	    "IP address.") },
	{ domain_long, N_("The domain after the @ must be 253 characters or "
	    "fewer.") },
	{ domain_dots, N_("The domain after the @ cannot start or end with a "
	    "dot, or have two dots in a row.") },
	{ domain_chars, N_("The domain after the @ can only have letters, "
	    "digits, hyphens and dots, like example.com.") },
	{ label_long, N_("Each part of the domain between dots must be 63 "
	    "characters or fewer.") },
	{ label_hyphen, N_("A part of the domain cannot start or end with a "
	    "hyphen.") },
	{ one_label, N_("Enter the whole domain after the @, with its dot, "
	    "like example.com.") },
	{ digit_tld, N_("The last part of the domain, after its last dot, "
	    "needs letters, like the com in example.com.") },
};

const char *
pf_valid_email(const char *in, const void *arg, char **norm)
{
	struct email	 e;
	const char	*why;
	char		*s, *p;
	size_t		 i;

	(void)arg;
	*norm = NULL;
	if ((why = trimmed_some(in, &s,
	    _("Could not check this address; please try again."),
	    _("Enter an email address, like name@example.com."))) != NULL)
		return why;
	e.s = s;
	e.at = strchr(s, '@');
	e.local_len = e.at != NULL ? (size_t)(e.at - s) : strlen(s);
	e.domain = e.at != NULL ? e.at + 1 : "";
	for (i = 0; i < nitems(email_rules); i++)
		if (email_rules[i].wrong(&e)) {
			free(s);
			return _(email_rules[i].message);
		}
	for (p = s + e.local_len + 1; *p != '\0'; p++)
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
			return _("Could not check this choice; please try "
			    "again.");
		return NULL;
	}
	return _("Select one of the options offered.");
}

const char *
pf_valid_enum(const char *in, const void *arg, char **norm)
{
	return choose(in, arg, 1, norm);
}

const char *
pf_valid_text(const char *in, const void *arg, char **norm)
{
	(void)arg;
	return trimmed_some(in, norm,
	    _("Could not check this text; please try again."),
	    _("Enter some text, not only spaces."));
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
	case PF_ECONFIG:	/* no phone module: logged, the number unread */
		return _("Could not check this number; please try again.");
	default:
		return _(PF_PHONE_HOW);
	}
	if ((*norm = strdup(buf)) == NULL)
		return _("Could not check this number; please try again.");
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
		return _("Could not check this choice; please try again.");
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
			return table[1][0] != '\0' ? _(table[1]) : table[1];
	return NULL;
}

const char *
pf_valid_country(const char *in, const void *arg, char **norm)
{
	(void)arg;
	return valid_code(in, pf_country_name, norm,
	    _("Select a country from the list."));
}

const char *
pf_valid_us_state(const char *in, const void *arg, char **norm)
{
	(void)arg;
	return valid_code(in, pf_us_state_name, norm,
	    _("Select a state from the list."));
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
		return _("This value is not valid; "
		    "please start again from the form.");
	if ((*norm = strdup(in)) == NULL)
		return _("Could not check this value; please try again.");
	return NULL;
}

int
pf_id_ok(const char *s, size_t max)
{
	size_t	 n = strlen(s);

	return n >= 1 && n <= max && s[0] >= 'a' && s[0] <= 'z' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
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

int
pf_list_phone(const char *line, const char *region,
    char e164[PF_PHONE_E164_SIZE], const char **why)
{
	int	 rc;

	rc = pf_phone_e164(line, region != NULL ? region : "ZZ", e164,
	    PF_PHONE_E164_SIZE);
	if (rc == PF_EINVAL)
		*why = _(PF_PHONE_HOW);
	return rc;
}

/* pf_contact_key's number: pf_list_phone's, as a new string. */
static int
contact_phone(const char *line, const char *region, char **key,
    const char **why)
{
	char	 buf[PF_PHONE_E164_SIZE];
	int	 rc;

	if ((rc = pf_list_phone(line, region, buf, why)) != PF_OK)
		return rc;
	return (*key = strdup(buf)) != NULL ? PF_OK : PF_ENOMEM;
}

int
pf_contact_key(const char *line, const char *region, const char **kind,
    char **key, const char **why)
{
	char	*norm = NULL;

	*key = NULL;
	*why = NULL;
	if (strchr(line, '@') == NULL) {
		*kind = "phone";
		return contact_phone(line, region, key, why);
	}
	*kind = "email";
	if ((*why = pf_valid_email(line, NULL, &norm)) != NULL)
		return PF_EINVAL;
	*key = pf_email_key(norm);
	free(norm);
	return *key != NULL ? PF_OK : PF_ENOMEM;
}
