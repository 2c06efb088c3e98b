/*
 * response.c -- the one place that writes HTTP response headers.
 *
 * Output is CGI's: a "Status:" line, header lines, a blank line, all ending
 * in CRLF.  Every header name and value is checked before a byte is
 * written, so a refused response leaves the stream untouched and the caller
 * can still send another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "lang.h"
#include "nitems.h"
#include "request.h"
#include "response.h"

static const struct {
	int		 code;
	const char	*text;
} statuses[] = {
	{ 200, "OK" },
	{ 201, "Created" },
	{ 204, "No Content" },
	{ 303, "See Other" },
	{ 400, "Bad Request" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 409, "Conflict" },
	{ 410, "Gone" },
	{ 411, "Length Required" },
	{ 413, "Content Too Large" },
	{ 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" },
	{ 429, "Too Many Requests" },
	{ 500, "Internal Server Error" },
	{ 503, "Service Unavailable" },
};

/*
 * On every response.  Pages may show what a visitor typed, so nothing is
 * cached, framed, sniffed or leaked through a Referer.  The form guard's
 * widget (htdocs/static/guard.js) fetches its challenge and solves it in
 * a worker started from its own file: connect-src and worker-src 'self'.
 */
static struct pf_header security[] = {
	{ "Content-Security-Policy", PF_RESPONSE_CSP },	/* first: pf_response_csp */
	{ "X-Content-Type-Options", "nosniff" },
	{ "Referrer-Policy", "no-referrer" },
	{ "X-Frame-Options", "DENY" },
	{ "Cache-Control", "no-store" },
};

#define NSECURITY nitems(security)
#define CACHE_HEADER "Cache-Control"

/* Does extra[0..n) name header? */
static int
has_header(const struct pf_header *extra, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcasecmp(extra[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * The request's id (request.h), on every response: the audit record of a
 * submission carries the same id, and the httpd's access log records the
 * header (etc/nginx/privforms-http.conf, etc/apache/), so that an auditor
 * can match a record to its log line (AUDIT.md).
 */
#define ID_HEADER "X-Request-Id"

const char *
pf_status_text(int status)
{
	size_t	 i;

	for (i = 0; i < nitems(statuses); i++)
		if (statuses[i].code == status)
			return statuses[i].text;
	return "Unknown";
}

/* An RFC 9110 token. */
static int
is_token(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') ||
		    strchr("!#$%&'*+-.^_`|~", *s) != NULL))
			return 0;
	return 1;
}

/* No control character at all (tab included) can end or split a line. */
static int
is_value(const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

/* Headers pf_respond writes itself may not come twice from extra. */
static int
is_reserved(const char *name)
{
	size_t	 i;

	if (strcasecmp(name, CACHE_HEADER) == 0)
		return 0;	/* replaces no-store (response.h) */
	if (strcasecmp(name, "Status") == 0 ||
	    strcasecmp(name, "Content-Type") == 0 ||
	    strcasecmp(name, ID_HEADER) == 0)
		return 1;
	for (i = 0; i < NSECURITY; i++)
		if (strcasecmp(name, security[i].name) == 0)
			return 1;
	return 0;
}

static int
headers_ok(int status, const char *content_type,
    const struct pf_header *extra, size_t nextra)
{
	size_t	 i;

	if (status < 100 || status > 599)
		return 0;
	if (content_type != NULL && !is_value(content_type))
		return 0;
	for (i = 0; i < nextra; i++)
		if (!is_token(extra[i].name) || is_reserved(extra[i].name) ||
		    !is_value(extra[i].value))
			return 0;
	return 1;
}

/* "name: value\r\n" at p, or only counted if p is NULL; its length. */
static size_t
header_put(char *p, const char *name, const char *value)
{
	size_t	 n = strlen(name), v = strlen(value);

	if (p != NULL) {
		memcpy(p, name, n);
		memcpy(p + n, ": ", 2);
		memcpy(p + n + 2, value, v);
		memcpy(p + n + 2 + v, "\r\n", 2);
	}
	return n + v + 4;
}

/*
 * The header block at p, or only counted if p is NULL; its length.  id is
 * the request's, "" for a request that could not be set up (no header).
 */
static size_t
headers_put(char *p, const char *status, const char *content_type,
    const char *id, const struct pf_header *extra, size_t nextra)
{
	size_t	 len, i;

	len = header_put(p, "Status", status);
	if (content_type != NULL)
		len += header_put(p == NULL ? NULL : p + len, "Content-Type",
		    content_type);
	if (*id != '\0')
		len += header_put(p == NULL ? NULL : p + len, ID_HEADER, id);
	for (i = 0; i < NSECURITY; i++)
		if (strcmp(security[i].name, CACHE_HEADER) != 0 ||
		    !has_header(extra, nextra, CACHE_HEADER))
			len += header_put(p == NULL ? NULL : p + len,
			    security[i].name, security[i].value);
	for (i = 0; i < nextra; i++)
		len += header_put(p == NULL ? NULL : p + len, extra[i].name,
		    extra[i].value);
	if (p != NULL)
		memcpy(p + len, "\r\n", 2);
	return len + 2;
}

/*
 * The whole header block in a new buffer (*buf, *len); -1 without memory.
 * Counted, then copied: a memory stream and a printf per header cost a
 * warm worker more than the rest of the response (ARCHITECTURE.md).
 */
static int
headers_build(int status, const char *content_type, const char *id,
    const struct pf_header *extra, size_t nextra, char **buf, size_t *len)
{
	char	 line[64];

	snprintf(line, sizeof(line), "%d %s", status, pf_status_text(status));
	*len = headers_put(NULL, line, content_type, id, extra, nextra);
	if ((*buf = malloc(*len)) == NULL)
		return -1;
	headers_put(*buf, line, content_type, id, extra, nextra);
	return 0;
}

#define EXTRA_MAX	8	/* extra headers a caller passes, and more */

/*
 * extra, and req's own Set-Cookie (request.h) unless extra sets one, into
 * all: how many, or (size_t)-1 if they do not fit.
 */
static size_t
with_cookie(const struct pf_request *req, const struct pf_header *extra,
    size_t nextra, struct pf_header all[EXTRA_MAX])
{
	size_t	 i;

	if (nextra >= EXTRA_MAX)
		return (size_t)-1;
	for (i = 0; i < nextra; i++) {
		all[i] = extra[i];
		if (extra[i].name != NULL &&
		    strcasecmp(extra[i].name, "Set-Cookie") == 0)
			return nextra;
	}
	if (req->set_cookie != NULL)
		all[nextra++] = (struct pf_header){ "Set-Cookie",
		    req->set_cookie };
	return nextra;
}

int
pf_respond(struct pf_request *req, int status, const char *content_type,
    const struct pf_header *given, size_t ngiven)
{
	struct pf_header	 extra[EXTRA_MAX];
	char			*buf = NULL;
	size_t			 len, nextra;
	int			 rc;

	nextra = with_cookie(req, given, ngiven, extra);
	if (req->responded || nextra == (size_t)-1 ||
	    !headers_ok(status, content_type, extra, nextra))
		return PF_EINVAL;
	if (headers_build(status, content_type, req->id, extra, nextra, &buf,
	    &len) == -1) {
		free(buf);
		return PF_ENOMEM;
	}
	/* Even if the client is gone, nothing else may be sent now. */
	req->responded = 1;
	if (req->io.write == NULL || req->io.write(req->io.ctx, buf, len) != 0)
		rc = PF_EIO;
	else
		rc = PF_OK;
	free(buf);
	return rc;
}

int
pf_respond_body(struct pf_request *req, const void *buf, size_t len)
{
	if (!req->responded)
		return PF_EINVAL;	/* a body before headers is a bug */
	if (req->head || len == 0)
		return PF_OK;
	if (req->io.write == NULL || req->io.write(req->io.ctx, buf, len) != 0)
		return PF_EIO;
	return PF_OK;
}

/* A path ("/privacy/...") or an absolute http(s) URL; never "//host". */
static int
is_location(const char *s)
{
	if (s[0] == '/')
		return s[1] != '/' && s[1] != '\\';
	return strncasecmp(s, "https://", 8) == 0 ||
	    strncasecmp(s, "http://", 7) == 0;
}

int
pf_redirect(struct pf_request *req, const char *location)
{
	return pf_redirect_cookie(req, location, NULL);
}

/*
 * location with lang=TAG added to its query (before any fragment) when
 * the request chose its language with ?lang= (request.h's lang_asked) and
 * location is one of the site's paths without a lang of its own: a new
 * string in *with, or NULL (location stays as it is).  PF_ENOMEM.
 */
static int
keep_language(const struct pf_request *req, const char *location,
    char **with)
{
	*with = NULL;
	if (!req->lang_asked || location[0] != '/' ||
	    pf_lang_url_has(location))
		return PF_OK;
	if ((*with = pf_lang_url(location, pf_lang_current())) == NULL)
		return PF_ENOMEM;
	return PF_OK;
}

int
pf_redirect_cookie(struct pf_request *req, const char *location,
    const char *set_cookie)
{
	static const char	 body[] = "See Other\n";
	struct pf_header	 h[2] = { { "Location", location },
	    { "Set-Cookie", set_cookie } };
	char			*with = NULL;
	int			 rc;

	if (location == NULL || !is_location(location))
		return PF_EINVAL;
	if ((rc = keep_language(req, location, &with)) != PF_OK)
		return rc;
	if (with != NULL)
		h[0].value = with;
	rc = pf_respond(req, 303, "text/plain; charset=utf-8", h,
	    set_cookie != NULL ? 2 : 1);
	free(with);
	if (rc != PF_OK)
		return rc;
	return pf_respond_body(req, body, sizeof(body) - 1);
}

int
pf_response_csp(const char *policy)
{
	if (policy == NULL || *policy == '\0')
		policy = PF_RESPONSE_CSP;
	if (!is_value(policy))
		return PF_EINVAL;
	security[0].value = policy;
	return PF_OK;
}
