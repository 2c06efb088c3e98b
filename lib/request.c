/*
 * request.c -- one FastCGI or CGI request (see request.h).
 *
 * Everything a request keeps is copied out of libfcgi's buffers, and every
 * byte of the body is treated as hostile: the body is read only against the
 * limits, parsed without recursion, and each failure leaves a sentence for
 * the visitor in req->error.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <openssl/rand.h>

#include "err.h"
#include "hex.h"
#include "log.h"
#include "request.h"
#include "response.h"
#include "utf8.h"

#define NAME_MAX_LEN	64	/* bytes in a field name */
#define BOUNDARY_MAX	70	/* RFC 2046 section 5.1.1 */
#define PARAM_MAX	255	/* bytes in a header parameter we look at */

/* Used when a caller passes no limits: small, like a one-field form. */
static const struct pf_limits default_limits = { 64 * 1024, 64, 4096 };

static const char msg_nomem[] =
    "The server is short of memory. Please try again in a moment.";
static const char msg_media[] =
    "The form was sent in a format this page does not accept.";
static const char msg_charset[] =
    "The form was sent in a character set other than UTF-8.";
static const char msg_length[] =
    "The request announced a body length that is not a number.";
static const char msg_nolength[] =
    "The request did not say how long the form is. Please send it again.";
static const char msg_toobig[] =
    "The form is larger than this page accepts.";
static const char msg_short[] =
    "The request body was shorter than announced.";
static const char msg_io[] =
    "The connection was lost while the form was being sent.";
static const char msg_percent[] =
    "The form contains a malformed percent-encoding.";
static const char msg_name[] =
    "The form contains a field with an invalid name.";
static const char msg_repeat[] =
    "The form contains the same field more than once.";
static const char msg_fields[] =
    "The form has more fields than this page accepts.";
static const char msg_fieldlen[] =
    "A field of the form is longer than this page accepts.";
static const char msg_multipart[] =
    "The form's multipart encoding is malformed.";
static const char msg_file[] =
    "This form does not accept file uploads.";
static const char msg_parttype[] =
    "A form field was sent in a format other than plain UTF-8 text.";

enum body_kind { BODY_URLENCODED, BODY_MULTIPART };

/* A growing array of parameters; owns every name and value in it. */
struct plist {
	struct pf_param	*p;
	size_t		 n, cap;
};

/* One "name=value" parameter of a header value; points into the header. */
struct hparam {
	const char	*name, *value;
	size_t		 namelen, valuelen;
	int		 quoted;
};

/*
 * Environment and content length.
 */

/* The value of name in envp, or NULL; points into envp. */
static const char *
env_get(char *const *envp, const char *name)
{
	size_t	 len = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
			return *envp + len + 1;
	return NULL;
}

/* A new copy of name's value, "" when absent; NULL when out of memory. */
static char *
env_copy(char *const *envp, const char *name)
{
	const char	*v = env_get(envp, name);

	return strdup(v == NULL ? "" : v);
}

/*
 * CONTENT_LENGTH as a strict decimal: digits only, no sign, no blanks.
 * Absent or empty is -1; anything else that is not a number in range sets
 * *bad and is -1 too.
 */
static long long
parse_length(const char *s, int *bad)
{
	long long	 v = 0;

	*bad = 0;
	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (LLONG_MAX - (*s - '0')) / 10) {
			*bad = 1;
			return -1;
		}
		v = v * 10 + (*s - '0');
	}
	return v;
}

/*
 * The request's path: SCRIPT_NAME and PATH_INFO joined.  nginx's
 * fastcgi_params and Apache's mod_proxy_fcgi put the whole path in
 * SCRIPT_NAME; Apache's ScriptAlias (mod_fcgid, CGI) splits it at the
 * program's own path.  Joined, all say the same.
 */
static char *
path_copy(char *const *envp)
{
	const char	*script = env_get(envp, "SCRIPT_NAME");
	const char	*info = env_get(envp, "PATH_INFO");
	char		*s;

	if (script == NULL)
		script = "";
	if (info == NULL)
		info = "";
	if ((s = malloc(strlen(script) + strlen(info) + 1)) == NULL)
		return NULL;
	strcpy(s, script);
	strcat(s, info);
	return s;
}

/* 32 hex digits from libcrypto's CSPRNG; -1 if it has no entropy. */
static int
make_id(char id[33])
{
	unsigned char	 raw[16];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	pf_hex_encode(raw, sizeof(raw), id);
	return 0;
}

int
pf_request_init(struct pf_request *req, char *const *envp,
    struct pf_stream io, const struct pf_limits *limits)
{
	const char	*why;
	int		 rc = PF_ENOMEM;

	memset(req, 0, sizeof(*req));
	req->io = io;
	req->limits = limits != NULL ? limits : &default_limits;
	if ((req->method = env_copy(envp, "REQUEST_METHOD")) == NULL ||
	    (req->content_type = env_copy(envp, "CONTENT_TYPE")) == NULL ||
	    (req->query = env_copy(envp, "QUERY_STRING")) == NULL ||
	    (req->remote_addr = env_copy(envp, "REMOTE_ADDR")) == NULL ||
	    (req->forwarded_for = env_copy(envp,
	    "HTTP_X_FORWARDED_FOR")) == NULL ||
	    (req->fetch_site = env_copy(envp, "HTTP_SEC_FETCH_SITE")) == NULL ||
	    (req->origin = env_copy(envp, "HTTP_ORIGIN")) == NULL ||
	    (req->host = env_copy(envp, "HTTP_HOST")) == NULL ||
	    (req->path = path_copy(envp)) == NULL)
		goto fail;
	req->content_length = parse_length(env_get(envp, "CONTENT_LENGTH"),
	    &req->content_length_bad);
	req->head = strcmp(req->method, "HEAD") == 0;
	if (make_id(req->id) == -1) {
		pf_log(PF_LOG_ERR, "RAND_bytes failed: no request id");
		rc = PF_ECRYPTO;
		goto fail;
	}
	/* A bad query string is the handler's to judge, never fatal here. */
	switch (pf_params_parse(req->query, strlen(req->query), req->limits,
	    &req->query_params, &req->nquery, &why)) {
	case PF_OK:
		break;
	case PF_ENOMEM:
		goto fail;
	default:
		req->query_bad = 1;
		break;
	}
	return PF_OK;
fail:
	pf_request_free(req);
	return rc;
}

void
pf_request_free(struct pf_request *req)
{
	if (req == NULL)
		return;
	free(req->method);
	free(req->content_type);
	free(req->query);
	free(req->remote_addr);
	free(req->forwarded_for);
	free(req->fetch_site);
	free(req->origin);
	free(req->host);
	free(req->path);
	pf_params_free(req->query_params, req->nquery);
	free(req->body);
	pf_params_free(req->form, req->nform);
	memset(req, 0, sizeof(*req));
}

static const struct pf_param *
param_find(const struct pf_param *p, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0)
			return &p[i];
	return NULL;
}

const struct pf_param *
pf_request_field(const struct pf_request *req, const char *name)
{
	return param_find(req->form, req->nform, name);
}

const struct pf_param *
pf_request_query(const struct pf_request *req, const char *name)
{
	return param_find(req->query_params, req->nquery, name);
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

/*
 * The parameter list shared by both body encodings.
 */

/*
 * Append name and value (value[len] is NUL) to l, taking ownership of both
 * whatever happens.  Checks the name, repeats and the limits.
 */
static int
plist_add(struct plist *l, char *name, char *value, size_t len,
    const struct pf_limits *lim, const char **why)
{
	size_t		 nlen = strlen(name);
	struct pf_param	*np;
	int		 rc;

	if (nlen == 0 || nlen > NAME_MAX_LEN || !pf_utf8_ok(name, nlen, 0)) {
		*why = msg_name;
		rc = PF_EINVAL;
	} else if (param_find(l->p, l->n, name) != NULL) {
		*why = msg_repeat;
		rc = PF_EINVAL;
	} else if (l->n >= lim->max_fields) {
		*why = msg_fields;
		rc = PF_ETOOBIG;
	} else if (len > lim->max_field_len) {
		*why = msg_fieldlen;
		rc = PF_ETOOBIG;
	} else
		rc = PF_OK;
	if (rc == PF_OK && l->n == l->cap) {
		l->cap = l->cap == 0 ? 8 : l->cap * 2;
		if ((np = reallocarray(l->p, l->cap, sizeof(*np))) == NULL) {
			*why = msg_nomem;
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

static void
plist_free(struct plist *l)
{
	pf_params_free(l->p, l->n);
	memset(l, 0, sizeof(*l));
}

/*
 * application/x-www-form-urlencoded
 */

/* Decode s[0..len) ('+' is a space) into a new NUL-terminated string. */
static int
url_decode(const char *s, size_t len, char **out, size_t *outlen,
    const char **why)
{
	char	*d;
	size_t	 i, j;
	int	 hi, lo;

	if ((d = malloc(len + 1)) == NULL) {
		*why = msg_nomem;
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
			*why = msg_percent;
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
url_pair(struct plist *l, const char *s, size_t len,
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
		*why = msg_name;
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
	return plist_add(l, name, value, vlen, lim, why);
}

int
pf_params_parse(const char *s, size_t len, const struct pf_limits *limits,
    struct pf_param **out, size_t *n, const char **why)
{
	struct plist	 l = { NULL, 0, 0 };
	const char	*end = s + len, *amp;
	int		 rc;

	if (limits == NULL)
		limits = &default_limits;
	*out = NULL;
	*n = 0;
	while (s < end) {
		if ((amp = memchr(s, '&', end - s)) == NULL)
			amp = end;
		/* Empty pairs ("a=1&&b=2", a trailing '&') carry nothing. */
		if (amp > s &&
		    (rc = url_pair(&l, s, amp - s, limits, why)) != PF_OK) {
			plist_free(&l);
			return rc;
		}
		s = amp + 1;
	}
	*out = l.p;
	*n = l.n;
	return PF_OK;
}

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

	if (len == 0 || len > BOUNDARY_MAX || b[len - 1] == ' ')
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

static int
refuse(struct pf_request *req, int rc, const char *why)
{
	req->error = why;
	return rc;
}

/*
 * Which of the two form encodings req's Content-Type names (case does not
 * matter; a charset parameter must say UTF-8), and for multipart its
 * boundary, in boundary[BOUNDARY_MAX + 1].
 */
static int
body_media(struct pf_request *req, enum body_kind *kind, char *boundary)
{
	const char	*s = req->content_type, *end = s + strlen(s), *t;
	struct hparam	 hp;
	char		 val[PARAM_MAX + 1];
	int		 r, nboundary = 0;

	s = skip_ows(s, end);
	if ((t = media_type(s, end, 1)) == NULL)
		return refuse(req, PF_EMEDIA, msg_media);
	if (word_is(s, t, "application/x-www-form-urlencoded"))
		*kind = BODY_URLENCODED;
	else if (word_is(s, t, "multipart/form-data"))
		*kind = BODY_MULTIPART;
	else
		return refuse(req, PF_EMEDIA, msg_media);
	while ((r = hparam_next(&t, end, &hp)) == 1) {
		if (hparam_is(&hp, "charset") &&
		    (hparam_value(&hp, val, sizeof(val)) == -1 ||
		    strcasecmp(val, "utf-8") != 0))
			return refuse(req, PF_EMEDIA, msg_charset);
		if (*kind != BODY_MULTIPART || !hparam_is(&hp, "boundary"))
			continue;
		if (nboundary++ > 0 ||
		    hparam_value(&hp, boundary, BOUNDARY_MAX + 1) == -1 ||
		    !boundary_ok(boundary))
			return refuse(req, PF_EINVAL, msg_multipart);
	}
	if (r == -1)
		return refuse(req, PF_EMEDIA, msg_media);
	if (*kind == BODY_MULTIPART && nboundary == 0)
		return refuse(req, PF_EINVAL, msg_multipart);
	return PF_OK;
}

/*
 * Read exactly CONTENT_LENGTH bytes into req->body (NUL-terminated), never
 * more, and nothing at all if that is over the limit.
 */
static int
read_body(struct pf_request *req)
{
	long long	 cl = req->content_length;
	size_t		 want, got = 0;
	long		 n;

	if (req->content_length_bad)
		return refuse(req, PF_EINVAL, msg_length);
	/*
	 * Without a length the end of the body is unknown (a chunked body
	 * under plain CGI): refuse it rather than take it for an empty form
	 * and lose what the visitor typed.
	 */
	if (cl < 0)
		return refuse(req, PF_ELENGTH, msg_nolength);
	if ((unsigned long long)cl > req->limits->max_body)
		return refuse(req, PF_ETOOBIG, msg_toobig);
	want = (size_t)cl;
	if ((req->body = malloc(want + 1)) == NULL)
		return refuse(req, PF_ENOMEM, msg_nomem);
	while (got < want) {
		if (req->io.read == NULL)
			n = -1;
		else
			n = req->io.read(req->io.ctx, req->body + got,
			    want - got);
		if (n <= 0 || (size_t)n > want - got) {
			free(req->body);
			req->body = NULL;
			if (n == 0)
				return refuse(req, PF_EINVAL, msg_short);
			return refuse(req, PF_EIO, msg_io);
		}
		got += (size_t)n;
	}
	req->body[want] = '\0';
	req->body_len = want;
	return PF_OK;
}

/*
 * multipart/form-data (RFC 7578)
 */

struct mpart {
	const char	*p, *end;	/* what is left of the body */
	char		 delim[4 + BOUNDARY_MAX + 1]; /* CRLF "--" boundary */
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
		*why = msg_multipart;
		return PF_EINVAL;
	}
	while ((r = hparam_next(&t, vend, &hp)) == 1) {
		if (hparam_is(&hp, "filename") || hparam_is(&hp, "filename*")) {
			*why = msg_file;
			return PF_EINVAL;
		}
		if (!hparam_is(&hp, "name"))
			continue;
		if (nnames++ > 0 || hparam_value(&hp, name, size) == -1) {
			*why = msg_name;
			return PF_EINVAL;
		}
	}
	if (r == -1 || nnames == 0) {
		*why = msg_multipart;
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
		*why = msg_parttype;
		return PF_EINVAL;
	}
	while ((r = hparam_next(&t, vend, &hp)) == 1)
		if (hparam_is(&hp, "charset") &&
		    (hparam_value(&hp, val, sizeof(val)) == -1 ||
		    strcasecmp(val, "utf-8") != 0)) {
			*why = msg_parttype;
			return PF_EINVAL;
		}
	if (r == -1) {
		*why = msg_multipart;
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
		*why = msg_parttype;
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
			*why = msg_multipart;
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
	*why = msg_multipart;
	return PF_EINVAL;
}

/* One part, from after its delimiter line to the next delimiter. */
static int
mp_part(struct mpart *mp, const struct pf_limits *lim, struct plist *l,
    const char **why)
{
	char		 name[PARAM_MAX + 1], *n, *value;
	const char	*e;
	size_t		 len;
	int		 rc;

	if ((rc = mp_headers(mp, name, sizeof(name), why)) != PF_OK)
		return rc;
	if ((e = find(mp->p, mp->end, mp->delim, mp->dlen + 2)) == NULL) {
		*why = msg_multipart;
		return PF_EINVAL;
	}
	if ((len = e - mp->p) > lim->max_field_len) {
		*why = msg_fieldlen;
		return PF_ETOOBIG;
	}
	if ((value = malloc(len + 1)) == NULL || (n = strdup(name)) == NULL) {
		free(value);
		*why = msg_nomem;
		return PF_ENOMEM;
	}
	memcpy(value, mp->p, len);
	value[len] = '\0';
	mp->p = e + 2 + mp->dlen;
	return plist_add(l, n, value, len, lim, why);
}

static int
mp_parse(struct pf_request *req, const char *boundary, struct plist *l)
{
	struct mpart	 mp;
	int		 rc;

	if (mp_start(&mp, req->body, req->body_len, boundary) == -1)
		return refuse(req, PF_EINVAL, msg_multipart);
	for (;;) {
		/* After a delimiter: "--" closes; else padding and CRLF. */
		if (mp.end - mp.p >= 2 && memcmp(mp.p, "--", 2) == 0)
			return PF_OK;
		mp.p = skip_ows(mp.p, mp.end);
		if (mp.end - mp.p < 2 || memcmp(mp.p, "\r\n", 2) != 0)
			return refuse(req, PF_EINVAL, msg_multipart);
		mp.p += 2;
		if ((rc = mp_part(&mp, req->limits, l, &req->error)) != PF_OK)
			return rc;
	}
}

int
pf_request_read_form(struct pf_request *req)
{
	char		 boundary[BOUNDARY_MAX + 1];
	enum body_kind	 kind;
	struct plist	 l = { NULL, 0, 0 };
	int		 rc;

	if (req->body != NULL)
		return PF_OK;	/* read and parsed already */
	req->error = NULL;
	if ((rc = body_media(req, &kind, boundary)) != PF_OK ||
	    (rc = read_body(req)) != PF_OK)
		return rc;
	if (kind == BODY_URLENCODED)
		rc = pf_params_parse(req->body, req->body_len, req->limits,
		    &req->form, &req->nform, &req->error);
	else if ((rc = mp_parse(req, boundary, &l)) == PF_OK) {
		req->form = l.p;
		req->nform = l.n;
	} else
		plist_free(&l);
	if (rc != PF_OK) {
		free(req->body);
		req->body = NULL;
		req->body_len = 0;
	}
	return rc;
}

/*
 * The accept loop.
 */

extern char **environ;

/* libfcgi's streams; a failed write is remembered, later ones skipped. */
struct fcgx_io {
	FCGX_Stream	*in, *out;
	int		 broken;
};

static long
fcgx_read(void *ctx, void *buf, size_t len)
{
	struct fcgx_io	*io = ctx;
	int		 n;

	n = FCGX_GetStr(buf, len > INT_MAX ? INT_MAX : (int)len, io->in);
	if (n > 0)
		return n;
	return FCGX_GetError(io->in) != 0 ? -1 : 0;
}

static int
fcgx_write(void *ctx, const void *buf, size_t len)
{
	struct fcgx_io	*io = ctx;
	const char	*p = buf;
	int		 n;

	while (!io->broken && len > 0) {
		n = len > INT_MAX ? INT_MAX : (int)len;
		if (FCGX_PutStr(p, n, io->out) != n)
			io->broken = 1;
		p += n;
		len -= n;
	}
	return io->broken ? -1 : 0;
}

/* Plain CGI: standard input and output. */
struct stdio_io {
	FILE			*in, *out;
	unsigned long long	 got;	/* bytes read from in */
};

static long
stdio_read(void *ctx, void *buf, size_t len)
{
	struct stdio_io	*io = ctx;
	size_t		 n;

	n = fread(buf, 1, len > LONG_MAX ? LONG_MAX : len, io->in);
	if (n == 0 && ferror(io->in))
		return -1;
	io->got += n;
	return (long)n;
}

/*
 * Plain CGI: read and drop what the handler left of the body (all of it
 * after a 413, say) before exiting.  mod_cgid gives the program a socket,
 * and closing a socket with input unread resets the connection: Apache
 * loses the answer already written.  Never past CONTENT_LENGTH, nor past
 * DRAIN_MAX (4 times the body limit our httpd snippets set), so that a
 * client claiming a huge body cannot keep the process.
 */
#define DRAIN_MAX	(4LL << 20)
static void
stdio_drain(struct stdio_io *io)
{
	char		 buf[8192];
	long long	 cl;
	size_t		 n;
	int		 bad;

	cl = parse_length(getenv("CONTENT_LENGTH"), &bad);
	if (cl > DRAIN_MAX)
		cl = DRAIN_MAX;
	while (cl > 0 && io->got < (unsigned long long)cl) {
		n = sizeof(buf);
		if ((unsigned long long)cl - io->got < n)
			n = (size_t)((unsigned long long)cl - io->got);
		if ((n = fread(buf, 1, n, io->in)) == 0)
			break;
		io->got += n;
	}
}

static int
stdio_write(void *ctx, const void *buf, size_t len)
{
	struct stdio_io	*io = ctx;

	if (len > 0 && fwrite(buf, 1, len, io->out) != len)
		return -1;
	return fflush(io->out) == 0 ? 0 : -1;
}

/* The answer when there is no better one. */
static void
send_500(struct pf_request *req)
{
	static const char	 body[] = "Internal Server Error\n";

	if (pf_respond(req, 500, "text/plain; charset=utf-8", NULL, 0) ==
	    PF_OK)
		pf_respond_body(req, body, sizeof(body) - 1);
}

static void
serve_one(pf_handler *handler, void *arg, char *const *envp,
    struct pf_stream io, const struct pf_limits *limits)
{
	struct pf_request	 req;
	int			 rc;

	if ((rc = pf_request_init(&req, envp, io, limits)) != PF_OK) {
		pf_log(PF_LOG_ERR, "cannot set up a request: %s",
		    pf_strerror(rc));
		req.io = io;	/* req was zeroed: enough to answer */
		send_500(&req);
		return;
	}
	handler(&req, arg);
	if (!req.responded) {
		pf_log(PF_LOG_ERR, "request %s: the handler did not answer",
		    req.id);
		send_500(&req);
	}
	pf_request_free(&req);
}

/*
 * SIGTERM (from multiwatch, spawn-fcgi's supervisor, or systemd) ends the
 * accept loop; a request being served is finished first.  Leaving through
 * the normal path releases everything, so a leak checker sees a clean exit.
 */
static void
on_term(int sig)
{
	(void)sig;
	FCGX_ShutdownPending();
}

int
pf_serve(pf_handler *handler, void *arg, const struct pf_limits *limits)
{
	struct sigaction sa;
	FCGX_Request	 r;
	struct fcgx_io	 fio;
	struct stdio_io	 sio;
	struct pf_stream io;
	int		 cgi;

	/*
	 * FCGX_IsCGI initialises libfcgi, which installs its own SIGPIPE
	 * handler over whatever was there: ignore SIGPIPE only afterwards,
	 * so that a client leaving early is a write error, never a signal.
	 */
	cgi = FCGX_IsCGI();
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);	/* no SA_RESTART: accept returns */
	if (cgi) {
		sio.in = stdin;
		sio.out = stdout;
		sio.got = 0;
		io.read = stdio_read;
		io.write = stdio_write;
		io.ctx = &sio;
		/* The environment is this process's own here. */
		serve_one(handler, arg, environ, io, limits);
		stdio_drain(&sio);
		return 0;
	}
	if (FCGX_Init() != 0 ||
	    FCGX_InitRequest(&r, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		pf_log(PF_LOG_ERR, "cannot initialise libfcgi");
		return -1;
	}
	while (FCGX_Accept_r(&r) >= 0) {
		fio.in = r.in;
		fio.out = r.out;
		fio.broken = 0;
		io.read = fcgx_read;
		io.write = fcgx_write;
		io.ctx = &fio;
		serve_one(handler, arg, r.envp, io, limits);
		FCGX_Finish_r(&r);
	}
	FCGX_Free(&r, 1);
	return 0;
}

void
pf_serve_start_failed(void)
{
	if (!FCGX_IsCGI())
		sleep(PF_START_RETRY_SECONDS);
}
