/*
 * params.c -- name=value parameters and urlencoded text (params.h).
 *
 * Every byte is hostile: the text is parsed in one pass without
 * recursion, each value decoded into its own allocation, and a failure
 * leaves nothing behind but the sentence in *why.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "lang.h"
#include "hex.h"
#include "params.h"
#include "utf8.h"

const struct pf_limits pf_params_limits = { 64 * 1024, 64, 4096 };

const char pf_params_msg_nomem[] =
    N_("The server is short of memory. Please try again in a moment.");
const char pf_params_msg_name[] =
    N_("The form contains a field with an invalid name.");
const char pf_params_msg_fieldlen[] =
    N_("A field of the form is longer than this page accepts.");

const struct pf_param *
pf_params_find(const struct pf_param *p, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0)
			return &p[i];
	return NULL;
}

char *
pf_params_encode(char *out, const char *s, size_t len)
{
	static const char	 keep[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._~-";
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*u = (const unsigned char *)s;

	for (; len-- > 0; u++)
		if (*u != '\0' && strchr(keep, *u) != NULL)
			*out++ = (char)*u;
		else {
			*out++ = '%';
			*out++ = hex[*u >> 4];
			*out++ = hex[*u & 0xf];
		}
	return out;
}

void
pf_params_free(struct pf_param *p, size_t n)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].value);
	}
	free(p);
}

/* PF_OK if name and a value of len bytes may join l; else why not. */
static int
plist_check(const struct pf_plist *l, const char *name, size_t len,
    const struct pf_limits *lim, const char **why)
{
	size_t	 nlen = strlen(name);

	if (nlen == 0 || nlen > PF_PARAM_NAME_MAX ||
	    !pf_utf8_ok(name, nlen, 0)) {
		*why = pf_params_msg_name;
		return PF_EINVAL;
	}
	if (pf_params_find(l->p, l->n, name) != NULL) {
		*why = N_("The form contains the same field more than once.");
		return PF_EINVAL;
	}
	if (l->n >= lim->max_fields) {
		*why = N_("The form has more fields than this page accepts.");
		return PF_ETOOBIG;
	}
	if (len > lim->max_field_len) {
		*why = pf_params_msg_fieldlen;
		return PF_ETOOBIG;
	}
	return PF_OK;
}

int
pf_plist_add(struct pf_plist *l, char *name, char *value, size_t len,
    const struct pf_limits *lim, const char **why)
{
	struct pf_param	*np;
	int		 rc;

	rc = plist_check(l, name, len, lim, why);
	if (rc == PF_OK && l->n == l->cap) {
		l->cap = l->cap == 0 ? 8 : l->cap * 2;
		if ((np = reallocarray(l->p, l->cap, sizeof(*np))) == NULL) {
			*why = pf_params_msg_nomem;
			rc = PF_ENOMEM;
		} else
			l->p = np;
	}
	if (rc != PF_OK) {
		free(name);
		free(value);
		return rc;
	}
	l->p[l->n].name = name;
	l->p[l->n].value = value;
	l->p[l->n].len = len;
	l->n++;
	return PF_OK;
}

void
pf_plist_free(struct pf_plist *l)
{
	pf_params_free(l->p, l->n);
	memset(l, 0, sizeof(*l));
}

/* Decode s[0..len) ('+' is a space) into a new NUL-terminated string. */
static int
url_decode(const char *s, size_t len, char **out, size_t *outlen,
    const char **why)
{
	char	*d;
	size_t	 i, j;
	int	 hi, lo;

	if ((d = malloc(len + 1)) == NULL) {
		*why = pf_params_msg_nomem;
		return PF_ENOMEM;
	}
	for (i = j = 0; i < len; i++) {
		if (s[i] == '+')
			d[j++] = ' ';
		else if (s[i] != '%')
			d[j++] = s[i];
		else if (len - i < 3 || (hi = pf_hex_value(s[i + 1])) == -1 ||
		    (lo = pf_hex_value(s[i + 2])) == -1) {
			free(d);
			*why = N_("The form contains a malformed "
			    "percent-encoding.");
			return PF_EINVAL;
		} else {
			d[j++] = (char)(hi << 4 | lo);
			i += 2;
		}
	}
	d[j] = '\0';
	*out = d;
	*outlen = j;
	return PF_OK;
}

/* One "name=value" or "name" pair, s[0..len), not empty. */
static int
url_pair(struct pf_plist *l, const char *s, size_t len,
    const struct pf_limits *lim, const char **why)
{
	const char	*eq = memchr(s, '=', len);
	size_t		 nlen = eq != NULL ? (size_t)(eq - s) : len;
	char		*name, *value;
	size_t		 dnlen, vlen;
	int		 rc;

	if ((rc = url_decode(s, nlen, &name, &dnlen, why)) != PF_OK)
		return rc;
	/* A NUL in a name would hide its end: refuse it with the rest. */
	if (dnlen != strlen(name)) {
		free(name);
		*why = pf_params_msg_name;
		return PF_EINVAL;
	}
	if (eq == NULL)
		rc = url_decode("", 0, &value, &vlen, why);
	else
		rc = url_decode(eq + 1, len - nlen - 1, &value, &vlen, why);
	if (rc != PF_OK) {
		free(name);
		return rc;
	}
	return pf_plist_add(l, name, value, vlen, lim, why);
}

int
pf_params_parse(const char *s, size_t len, const struct pf_limits *limits,
    struct pf_param **out, size_t *n, const char **why)
{
	struct pf_plist	 l = { NULL, 0, 0 };
	const char	*end = s + len, *amp;
	int		 rc;

	if (limits == NULL)
		limits = &pf_params_limits;
	*out = NULL;
	*n = 0;
	while (s < end) {
		if ((amp = memchr(s, '&', end - s)) == NULL)
			amp = end;
		/* Empty pairs ("a=1&&b=2", a trailing '&') carry nothing. */
		if (amp > s &&
		    (rc = url_pair(&l, s, amp - s, limits, why)) != PF_OK) {
			pf_plist_free(&l);
			return rc;
		}
		s = amp + 1;
	}
	*out = l.p;
	*n = l.n;
	return PF_OK;
}
