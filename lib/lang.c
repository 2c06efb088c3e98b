/*
 * lang.c -- the current language and gettext's view of it (lang.h).
 */
#include <ctype.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "lang.h"
#include "utf8.h"

/* gettext's cache generation: the manual's way to say LANGUAGE changed. */
extern int _nl_msg_cat_cntr;

static char current[PF_LANG_MAX] = PF_LANG_SOURCE;
static int chosen;	/* pf_lang_choose's, until pf_lang_use */

/* The site's languages (pf_lang_site), for the process's whole life. */
static struct pf_lang offered[PF_LANG_OFFER_MAX] = {
	{ PF_LANG_SOURCE, "English", "ltr" },
};
static size_t noffered = 1;
static char default_tag[PF_LANG_MAX] = PF_LANG_SOURCE;

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
	char			 name[PF_LANG_MAX];
	const struct pf_lang	*l;

	if (pf_lang_name(tag, name) != PF_OK)
		return PF_EINVAL;
	/* A language the site stopped offering since the link was mailed. */
	if (chosen || (l = pf_lang_find(tag)) == NULL)
		return PF_OK;
	return switch_to(l->tag);
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

/*
 * The catalogue's words for the current language into l: its own name (a
 * name that is not one line of UTF-8 text, or too long, is the tag) and
 * its direction.
 */
static void
describe(struct pf_lang *l)
{
	const char	*label = C_("language-name", "English");
	const char	*dir = C_("language-direction", "ltr");
	size_t		 n = strlen(label);

	if (n == 0 || n >= sizeof(l->label) || !pf_utf8_ok(label, n, 0))
		label = l->tag;
	memcpy(l->label, label, strlen(label) + 1);
	memcpy(l->dir, strcmp(dir, "rtl") == 0 ? "rtl" : "ltr", 4);
}

/* Tags of languages (blank-separated) into list; its length, or 0 (err). */
static size_t
split(const char *languages, struct pf_lang *list, char *err, size_t errlen)
{
	char		 name[PF_LANG_MAX];
	size_t		 n = 0, len, i;
	const char	*p = languages;

	for (;;) {
		p += strspn(p, " \t");
		if ((len = strcspn(p, " \t")) == 0)
			break;
		if (n == PF_LANG_OFFER_MAX) {
			pf_errmsg(err, errlen, "languages: more than %d",
			    PF_LANG_OFFER_MAX);
			return 0;
		}
		if (len >= PF_LANG_MAX || (memcpy(list[n].tag, p, len),
		    list[n].tag[len] = '\0', pf_lang_name(list[n].tag,
		    name) != PF_OK)) {
			pf_errmsg(err, errlen, "languages: '%.*s' is not a "
			    "language tag such as de or pt-BR", (int)len, p);
			return 0;
		}
		for (i = 0; i < n; i++)
			if (strcasecmp(list[i].tag, list[n].tag) == 0) {
				pf_errmsg(err, errlen, "languages: %s is "
				    "listed twice", list[n].tag);
				return 0;
			}
		n++;
		p += len;
	}
	if (n == 0)
		pf_errmsg(err, errlen, "languages: none listed");
	return n;
}

int
pf_lang_site(const char *languages, const char *def, char *err,
    size_t errlen)
{
	struct pf_lang	 list[PF_LANG_OFFER_MAX];
	size_t		 n, i;

	if (languages == NULL || def == NULL ||
	    (n = split(languages, list, err, errlen)) == 0)
		return PF_EINVAL;
	for (i = 0; i < n && strcmp(list[i].tag, def) != 0; i++)
		continue;
	if (i == n) {
		pf_errmsg(err, errlen, "default_language %s is not one of "
		    "the languages offered (%s)", def, languages);
		return PF_EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (pf_lang_use(list[i].tag) != PF_OK)
			return PF_EINVAL;	/* split checked every tag */
		describe(&list[i]);
	}
	memcpy(offered, list, n * sizeof(*list));
	noffered = n;
	memcpy(default_tag, def, strlen(def) + 1);
	return pf_lang_use(default_tag);
}

const struct pf_lang *
pf_lang_offered(size_t *n)
{
	*n = noffered;
	return offered;
}

const char *
pf_lang_default(void)
{
	return default_tag;
}

const struct pf_lang *
pf_lang_find(const char *tag)
{
	size_t	 i;

	for (i = 0; tag != NULL && i < noffered; i++)
		if (strcasecmp(offered[i].tag, tag) == 0)
			return &offered[i];
	return NULL;
}

const char *
pf_lang_dir(void)
{
	const struct pf_lang	*l = pf_lang_find(current);

	return l != NULL ? l->dir : "ltr";
}

char *
pf_lang_url(const char *url, const char *tag)
{
	size_t	 at = strcspn(url, "#"), n;
	char	*s;

	n = strlen(url) + sizeof("&" PF_LANG_PARAM "=") + strlen(tag);
	if ((s = malloc(n)) != NULL)
		snprintf(s, n, "%.*s%c" PF_LANG_PARAM "=%s%s", (int)at, url,
		    memchr(url, '?', at) != NULL ? '&' : '?', tag, url + at);
	return s;
}

int
pf_lang_url_has(const char *url)
{
	static const char	 name[] = PF_LANG_PARAM "=";
	size_t			 end = strcspn(url, "#");
	const char		*q = memchr(url, '?', end);

	while (q != NULL) {
		q++;
		if ((size_t)(url + end - q) >= sizeof(name) - 1 &&
		    strncmp(q, name, sizeof(name) - 1) == 0)
			return 1;
		q = memchr(q, '&', end - (size_t)(q - url));
	}
	return 0;
}

/* One language range of a header: s[0..len), its weight in thousandths. */
struct range {
	const char	*s;
	size_t		 len;
	int		 q;
};

#define OWS	" \t"

/* s[0..len) without the blanks around it. */
static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && strchr(OWS, (*s)[0]) != NULL)
		(*s)++, (*len)--;
	while (*len > 0 && strchr(OWS, (*s)[*len - 1]) != NULL)
		(*len)--;
}

/* RFC 4647's language-range: "*" or 1*8ALPHA *("-" 1*8alphanum). */
static int
range_ok(const char *s, size_t len)
{
	size_t	 i, run = 0, first = 1;

	if (len == 1 && s[0] == '*')
		return 1;
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '-') {
			if (run == 0 || run > 8)
				return 0;
			run = 0;
			first = 0;
			continue;
		}
		if (!isascii((unsigned char)s[i]) ||
		    !(isalpha((unsigned char)s[i]) ||
		    (!first && isdigit((unsigned char)s[i]))))
			return 0;
		run++;
	}
	return 1;
}

/* RFC 9110's weight, ";q=" and a qvalue, in thousandths; -1 if malformed. */
static int
weight(const char *s, size_t len)
{
	size_t	 i;
	int	 q, scale = 100;

	trim(&s, &len);
	if (len < 3 || (s[0] != 'q' && s[0] != 'Q') || s[1] != '=')
		return -1;
	s += 2;
	len -= 2;
	if ((s[0] != '0' && s[0] != '1') || (len > 1 && (s[1] != '.' ||
	    len > 5)))
		return -1;
	q = (s[0] - '0') * 1000;
	for (i = 2; i < len; i++, scale /= 10) {
		if (!isdigit((unsigned char)s[i]) || (q == 1000 && s[i] != '0'))
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q;
}

/*
 * The well-formed ranges of header, at most PF_LANG_RANGES_MAX parts read,
 * into r, by weight, equal weights in the header's order: how many.
 */
static size_t
ranges(const char *header, struct range r[PF_LANG_RANGES_MAX])
{
	const char	*p = header, *semi;
	size_t		 n = 0, parts, len, i;
	struct range	 cur;

	for (parts = 0; parts < PF_LANG_RANGES_MAX; parts++) {
		len = strcspn(p, ",");
		cur.s = p;
		cur.q = 1000;
		if ((semi = memchr(p, ';', len)) != NULL) {
			cur.q = weight(semi + 1, len - (size_t)(semi - p) - 1);
			cur.len = (size_t)(semi - p);
		} else
			cur.len = len;
		trim(&cur.s, &cur.len);
		if (cur.q >= 0 && range_ok(cur.s, cur.len)) {
			/* Insertion by weight, after those of equal weight. */
			for (i = n; i > 0 && r[i - 1].q < cur.q; i--)
				r[i] = r[i - 1];
			r[i] = cur;
			n++;
		}
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	return n;
}

/* The tag of tags equal to s[0..len) without regard to case, or NULL. */
static const char *
tag_equal(const char *s, size_t len, const char *const *tags, size_t ntags)
{
	size_t	 i;

	for (i = 0; i < ntags; i++)
		if (strlen(tags[i]) == len && strncasecmp(tags[i], s, len) == 0)
			return tags[i];
	return NULL;
}

/* Does a range of weight 0 among r[0..n) name tag exactly? */
static int
refused(const char *tag, const struct range *r, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (r[i].q == 0 && r[i].len == strlen(tag) &&
		    strncasecmp(r[i].s, tag, r[i].len) == 0)
			return 1;
	return 0;
}

/* RFC 4647 3.4's truncation: the last subtag, and a singleton before it. */
static size_t
truncate_range(const char *s, size_t len)
{
	while (len > 0 && s[len - 1] != '-')
		len--;
	if (len > 0)
		len--;
	if (len >= 2 && s[len - 2] == '-')
		len -= 2;
	return len;
}

const char *
pf_lang_lookup(const char *header, const char *const *tags, size_t ntags)
{
	struct range	 r[PF_LANG_RANGES_MAX];
	const char	*tag;
	size_t		 n, i, len;

	if (header == NULL || tags == NULL)
		return NULL;
	n = ranges(header, r);
	for (i = 0; i < n && r[i].q > 0; i++) {
		if (r[i].len == 1 && r[i].s[0] == '*')
			continue;
		for (len = r[i].len; len > 0; len = truncate_range(r[i].s, len))
			if ((tag = tag_equal(r[i].s, len, tags, ntags)) !=
			    NULL && !refused(tag, r, n))
				return tag;
	}
	return NULL;
}

const char *
pf_lang_negotiate(const char *header)
{
	const char	*tags[PF_LANG_OFFER_MAX];
	size_t		 i;

	for (i = 0; i < noffered; i++)
		tags[i] = offered[i].tag;
	return pf_lang_lookup(header, tags, noffered);
}
