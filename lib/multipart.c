/*
 * multipart.c -- form encodings by Content-Type, and multipart/form-data
 * bodies (multipart.h).
 *
 * The body is in memory, read against the limits (request.h); it is
 * walked from delimiter to delimiter without recursion, and every header
 * value is parsed by the one grammar below, the Content-Type's and each
 * part's alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "lang.h"
#include "multipart.h"
#include "params.h"

#define PARAM_MAX	255	/* bytes in a header parameter we look at */

/* Messages for the visitor, N_(): request.h's req->error. */
#define MSG_MEDIA \
    N_("The form was sent in a format this page does not accept.")
#define MSG_MULTIPART	N_("The form's multipart encoding is malformed.")
#define MSG_PARTTYPE \
    N_("A form field was sent in a format other than plain UTF-8 text.")

/* One "name=value" parameter of a header value; points into the header. */
struct hparam {
	const char	*name, *value;
	size_t		 namelen, valuelen;
	int		 quoted;
};

/*
 * Header values: "type/subtype; name=value; name=\"value\"".
 */

static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static const char *
skip_ows(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static const char *
skip_token(const char *s, const char *end)
{
	while (s < end && is_tchar((unsigned char)*s))
		s++;
	return s;
}

/* 1 if s[0..e) is name, ignoring case. */
static int
word_is(const char *s, const char *e, const char *name)
{
	size_t	 len = strlen(name);

	return (size_t)(e - s) == len && strncasecmp(s, name, len) == 0;
}

/*
 * The end of the "type/subtype" (or, without slash, the token) that s
 * starts with, or NULL.
 */
static const char *
media_type(const char *s, const char *end, int slash)
{
	const char	*t = skip_token(s, end);

	if (t == s)
		return NULL;
	if (!slash)
		return t;
	if (t == end || *t != '/')
		return NULL;
	s = t + 1;
	t = skip_token(s, end);
	return t == s ? NULL : t;
}

/* Control characters other than tab end a quoted string badly. */
static int
is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/*
 * The next "; name=value" parameter at *sp, value a token or a quoted
 * string: 1 with hp filled and *sp moved past it, 0 at the end, -1 if the
 * text is malformed.
 */
static int
hparam_next(const char **sp, const char *end, struct hparam *hp)
{
	const char	*s = skip_ows(*sp, end);

	if (s == end)
		return 0;
	if (*s != ';')
		return -1;
	while (s < end && *s == ';')
		s = skip_ows(s + 1, end);
	if (s == end)
		return 0;
	hp->name = s;
	s = skip_token(s, end);
	hp->namelen = s - hp->name;
	if (hp->namelen == 0 || s == end || *s != '=')
		return -1;
	hp->quoted = ++s < end && *s == '"';
	if (!hp->quoted) {
		hp->value = s;
		s = skip_token(s, end);
		if ((hp->valuelen = s - hp->value) == 0)
			return -1;
	} else {
		hp->value = ++s;
		for (; s < end && *s != '"'; s++)
			if ((*s == '\\' && ++s == end) || is_ctl(*s))
				return -1;
		if (s == end)
			return -1;
		hp->valuelen = s++ - hp->value;
	}
	*sp = s;
	return 1;
}

/* hp's value, unquoted, in buf[size]; -1 if it does not fit. */
static int
hparam_value(const struct hparam *hp, char *buf, size_t size)
{
	size_t	 i, j;

	for (i = j = 0; i < hp->valuelen; i++, j++) {
		if (hp->quoted && hp->value[i] == '\\')
			i++;
		if (j + 1 >= size)
			return -1;
		buf[j] = hp->value[i];
	}
	buf[j] = '\0';
	return 0;
}

static int
hparam_is(const struct hparam *hp, const char *name)
{
	return word_is(hp->name, hp->name + hp->namelen, name);
}

/* RFC 2046 section 5.1.1: 1 to 70 bchars, not ending in a space. */
static int
boundary_ok(const char *b)
{
	static const char	 extra[] = "'()+_,-./:=? ";
	size_t			 i, len = strlen(b);
	char			 c;

	if (len == 0 || len > PF_BOUNDARY_MAX || b[len - 1] == ' ')
		return 0;
	for (i = 0; i < len; i++) {
		c = b[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr(extra, c) != NULL)
			continue;
		return 0;
	}
	return 1;
}

/* why, and rc: the way every refusal here returns. */
static int
refuse(const char **why, int rc, const char *msg)
{
	*why = msg;
	return rc;
}

int
pf_multipart_media(const char *content_type, enum pf_body_kind *kind,
    char boundary[PF_BOUNDARY_MAX + 1], const char **why)
{
	const char	*s = content_type, *end = s + strlen(s), *t;
	struct hparam	 hp;
	char		 val[PARAM_MAX + 1];
	int		 r, nboundary = 0;

	s = skip_ows(s, end);
	if ((t = media_type(s, end, 1)) == NULL)
		return refuse(why, PF_EMEDIA, MSG_MEDIA);
	if (word_is(s, t, "application/x-www-form-urlencoded"))
		*kind = PF_BODY_URLENCODED;
	else if (word_is(s, t, "multipart/form-data"))
		*kind = PF_BODY_MULTIPART;
	else
		return refuse(why, PF_EMEDIA, MSG_MEDIA);
	while ((r = hparam_next(&t, end, &hp)) == 1) {
		if (hparam_is(&hp, "charset") &&
		    (hparam_value(&hp, val, sizeof(val)) == -1 ||
		    strcasecmp(val, "utf-8") != 0))
			return refuse(why, PF_EMEDIA, N_("The form was sent "
			    "in a character set other than UTF-8."));
		if (*kind != PF_BODY_MULTIPART || !hparam_is(&hp, "boundary"))
			continue;
		if (nboundary++ > 0 ||
		    hparam_value(&hp, boundary, PF_BOUNDARY_MAX + 1) == -1 ||
		    !boundary_ok(boundary))
			return refuse(why, PF_EINVAL, MSG_MULTIPART);
	}
	if (r == -1)
		return refuse(why, PF_EMEDIA, MSG_MEDIA);
	if (*kind == PF_BODY_MULTIPART && nboundary == 0)
		return refuse(why, PF_EINVAL, MSG_MULTIPART);
	return PF_OK;
}

/*
 * The body, part by part
 */

struct mpart {
	const char	*p, *end;	/* what is left of the body */
	char		 delim[4 + PF_BOUNDARY_MAX + 1]; /* CRLF "--" boundary */
	size_t		 dlen;		/* the delimiter, without CRLF */
};

/* The first needle[0..nlen) in s[0..end), or NULL. */
static const char *
find(const char *s, const char *end, const char *needle, size_t nlen)
{
	while ((size_t)(end - s) >= nlen) {
		if ((s = memchr(s, needle[0], end - s - nlen + 1)) == NULL)
			return NULL;
		if (memcmp(s, needle, nlen) == 0)
			return s;
		s++;
	}
	return NULL;
}

/* Position mp just after the first delimiter; -1 if there is none. */
static int
mp_start(struct mpart *mp, const char *body, size_t len, const char *boundary)
{
	size_t		 blen = strlen(boundary);
	const char	*d;

	mp->end = body + len;
	mp->dlen = blen + 2;
	snprintf(mp->delim, sizeof(mp->delim), "\r\n--%s", boundary);
	if (len >= mp->dlen && memcmp(body, mp->delim + 2, mp->dlen) == 0) {
		mp->p = body + mp->dlen;
		return 0;
	}
	/* A preamble before the first delimiter is allowed and ignored. */
	if ((d = find(body, mp->end, mp->delim, mp->dlen + 2)) != NULL) {
		mp->p = d + 2 + mp->dlen;
		return 0;
	}
	/*
	 * RFC 8058 section 8.3, as printed, declares boundary=---Form...
	 * and writes its delimiter lines as that bare value, without the
	 * "--" of RFC 2046 (errata 5117 and 8927 correct the parameter).  A
	 * mail receiver that copied the example sends exactly this, and a
	 * one-click unsubscription must not fail on it; nothing conforming
	 * was found, so the reading is unambiguous.
	 */
	if (blen > 2 && strncmp(boundary, "--", 2) == 0 && len >= blen &&
	    memcmp(body, boundary, blen) == 0) {
		mp->dlen = blen;
		snprintf(mp->delim, sizeof(mp->delim), "\r\n%s", boundary);
		mp->p = body + blen;
		return 0;
	}
	return -1;
}

/* Content-Disposition: form-data; name="..." -- and no filename. */
static int
mp_disposition(const char *v, const char *vend, char *name, size_t size,
    const char **why)
{
	const char	*t = media_type(v, vend, 0);
	struct hparam	 hp;
	int		 r, nnames = 0;

	if (t == NULL || !word_is(v, t, "form-data")) {
		*why = MSG_MULTIPART;
		return PF_EINVAL;
	}
	while ((r = hparam_next(&t, vend, &hp)) == 1) {
		if (hparam_is(&hp, "filename") || hparam_is(&hp, "filename*")) {
			*why = N_("This form does not accept file uploads.");
			return PF_EINVAL;
		}
		if (!hparam_is(&hp, "name"))
			continue;
		if (nnames++ > 0 || hparam_value(&hp, name, size) == -1) {
			*why = pf_params_msg_name;
			return PF_EINVAL;
		}
	}
	if (r == -1 || nnames == 0) {
		*why = MSG_MULTIPART;
		return PF_EINVAL;
	}
	return PF_OK;
}

/* A part's Content-Type: text/plain, in UTF-8 if a charset is named. */
static int
mp_type(const char *v, const char *vend, const char **why)
{
	const char	*t = media_type(v, vend, 1);
	struct hparam	 hp;
	char		 val[PARAM_MAX + 1];
	int		 r;

	if (t == NULL || !word_is(v, t, "text/plain")) {
		*why = MSG_PARTTYPE;
		return PF_EINVAL;
	}
	while ((r = hparam_next(&t, vend, &hp)) == 1)
		if (hparam_is(&hp, "charset") &&
		    (hparam_value(&hp, val, sizeof(val)) == -1 ||
		    strcasecmp(val, "utf-8") != 0)) {
			*why = MSG_PARTTYPE;
			return PF_EINVAL;
		}
	if (r == -1) {
		*why = MSG_MULTIPART;
		return PF_EINVAL;
	}
	return PF_OK;
}

/* Content-Transfer-Encoding (deprecated by RFC 7578): identity only. */
static int
mp_encoding(const char *v, const char *vend, const char **why)
{
	const char	*t = skip_token(v, vend);

	if (skip_ows(t, vend) != vend || !(word_is(v, t, "7bit") ||
	    word_is(v, t, "8bit") || word_is(v, t, "binary"))) {
		*why = MSG_PARTTYPE;
		return PF_EINVAL;
	}
	return PF_OK;
}

/* One header line h[0..colon) ":" v[0..vend) of a part. */
static int
mp_header(const char *h, const char *colon, const char *vend, char *name,
    size_t size, int *ndisp, const char **why)
{
	const char	*v = skip_ows(colon + 1, vend);

	if (word_is(h, colon, "Content-Disposition")) {
		if ((*ndisp)++ > 0) {
			*why = MSG_MULTIPART;
			return PF_EINVAL;
		}
		return mp_disposition(v, vend, name, size, why);
	}
	if (word_is(h, colon, "Content-Type"))
		return mp_type(v, vend, why);
	if (word_is(h, colon, "Content-Transfer-Encoding"))
		return mp_encoding(v, vend, why);
	return PF_OK;	/* nothing else says anything about a field */
}

/* A part's header lines up to the blank line; the field name into name. */
static int
mp_headers(struct mpart *mp, char *name, size_t size, const char **why)
{
	const char	*line, *eol, *colon;
	int		 rc, ndisp = 0;

	for (;;) {
		if ((eol = find(mp->p, mp->end, "\r\n", 2)) == NULL)
			break;
		line = mp->p;
		mp->p = eol + 2;
		if (eol == line) {
			if (ndisp == 1)
				return PF_OK;
			break;	/* no Content-Disposition */
		}
		/* Folded lines (obsolete) and lines without a name. */
		colon = skip_token(line, eol);
		if (colon == line || colon == eol || *colon != ':')
			break;
		if ((rc = mp_header(line, colon, eol, name, size, &ndisp,
		    why)) != PF_OK)
			return rc;
	}
	*why = MSG_MULTIPART;
	return PF_EINVAL;
}

/* One part, from after its delimiter line to the next delimiter. */
static int
mp_part(struct mpart *mp, const struct pf_limits *lim, struct pf_plist *l,
    const char **why)
{
	char		 name[PARAM_MAX + 1], *n, *value;
	const char	*e;
	size_t		 len;
	int		 rc;

	if ((rc = mp_headers(mp, name, sizeof(name), why)) != PF_OK)
		return rc;
	if ((e = find(mp->p, mp->end, mp->delim, mp->dlen + 2)) == NULL) {
		*why = MSG_MULTIPART;
		return PF_EINVAL;
	}
	if ((len = e - mp->p) > lim->max_field_len) {
		*why = pf_params_msg_fieldlen;
		return PF_ETOOBIG;
	}
	if ((value = malloc(len + 1)) == NULL || (n = strdup(name)) == NULL) {
		free(value);
		*why = pf_params_msg_nomem;
		return PF_ENOMEM;
	}
	memcpy(value, mp->p, len);
	value[len] = '\0';
	mp->p = e + 2 + mp->dlen;
	return pf_plist_add(l, n, value, len, lim, why);
}

/* The parts after the first delimiter, into l, up to the closing one. */
static int
mp_parts(struct mpart *mp, const struct pf_limits *lim, struct pf_plist *l,
    const char **why)
{
	int	 rc;

	for (;;) {
		/* After a delimiter: "--" closes; else padding and CRLF. */
		if (mp->end - mp->p >= 2 && memcmp(mp->p, "--", 2) == 0)
			return PF_OK;
		mp->p = skip_ows(mp->p, mp->end);
		if (mp->end - mp->p < 2 || memcmp(mp->p, "\r\n", 2) != 0)
			return refuse(why, PF_EINVAL, MSG_MULTIPART);
		mp->p += 2;
		if ((rc = mp_part(mp, lim, l, why)) != PF_OK)
			return rc;
	}
}

int
pf_multipart_parse(const char *body, size_t len, const char *boundary,
    const struct pf_limits *limits, struct pf_param **out, size_t *n,
    const char **why)
{
	struct pf_plist	 l = { NULL, 0, 0 };
	struct mpart	 mp;
	int		 rc;

	if (limits == NULL)
		limits = &pf_params_limits;
	*out = NULL;
	*n = 0;
	if (mp_start(&mp, body, len, boundary) == -1)
		return refuse(why, PF_EINVAL, MSG_MULTIPART);
	if ((rc = mp_parts(&mp, limits, &l, why)) != PF_OK) {
		pf_plist_free(&l);
		return rc;
	}
	*out = l.p;
	*n = l.n;
	return PF_OK;
}
