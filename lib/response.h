/*
 * response.h -- the one place that writes HTTP response headers.
 *
 * pf_respond writes the CGI Status line, Content-Type, the security headers
 * every privforms page carries (Content-Security-Policy,
 * X-Content-Type-Options, Referrer-Policy, X-Frame-Options, Cache-Control:
 * no-store, since pages may show personal data), X-Request-Id (the
 * request's id, request.h: the one its audit records carry, for the httpd's
 * access log) and the caller's extra headers.  It refuses any header name
 * or value with a control character, so a CR or LF can never split a
 * header (Location included).  Handlers then write only bodies.
 */
#ifndef PF_RESPONSE_H
#define PF_RESPONSE_H

#include <stddef.h>

struct pf_request;

struct pf_header {
	const char *name;
	const char *value;
};

/* The Content-Security-Policy of every response, unless configured. */
#define PF_RESPONSE_CSP	"default-src 'none'; style-src 'self'; " \
	"img-src 'self'; script-src 'self'; connect-src 'self'; " \
	"worker-src 'self'; form-action 'self'; frame-ancestors 'none'; " \
	"base-uri 'none'"

/*
 * Send policy (config content_security_policy; NULL or "" for
 * PF_RESPONSE_CSP) as the Content-Security-Policy from now on, once,
 * before serving; policy must outlive the program's responses.  PF_EINVAL
 * (nothing changed) for a value with control characters.
 */
int pf_response_csp(const char *policy);

/* "OK", "See Other", ...; "Unknown" for a code it does not know. */
const char *pf_status_text(int status);

/*
 * Write the status line and headers.  content_type may be NULL (no body).
 * extra may not repeat a header written here (Status, Content-Type, the
 * security headers, X-Request-Id), but for Cache-Control, which replaces
 * no-store: for an answer that holds nothing personal and is meant to be
 * cached (the consent snippet's notice version); at most 7.  req's own
 * Set-Cookie (request.h) is added unless extra has one.  Returns PF_OK,
 * PF_EINVAL (bad header
 * text, a status outside 100-599, or headers already sent: nothing
 * written), PF_ENOMEM (nothing written) or PF_EIO (the client is gone).
 */
int pf_respond(struct pf_request *req, int status, const char *content_type,
    const struct pf_header *extra, size_t nextra);

/*
 * Write body bytes (nothing for HEAD).  PF_OK, PF_EIO, or PF_EINVAL if no
 * headers were sent.
 */
int pf_respond_body(struct pf_request *req, const void *buf, size_t len);

/*
 * 303 See Other to location, with a short body.  location must be a path
 * ("/privacy/...", not "//host") or an http(s) URL, else PF_EINVAL.  A
 * request whose ?lang= chose its language (request.h's lang_asked) keeps
 * it: a path without a lang of its own gets lang=TAG (lang.h).
 */
int pf_redirect(struct pf_request *req, const char *location);

/* The same with a Set-Cookie header whose value is set_cookie (NULL: none). */
int pf_redirect_cookie(struct pf_request *req, const char *location,
    const char *set_cookie);

#endif
