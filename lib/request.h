/*
 * request.h -- one FastCGI or CGI request.
 *
 * The accept loop (serve.h) builds one struct pf_request per request at the
 * top of the loop and frees it at the bottom: every parameter it keeps is
 * copied, since libfcgi reuses its buffers.
 *
 * The body is read only when the handler asks (pf_request_read_form), against
 * the limits it was given; nothing is trusted before that.  Its Content-Type
 * and a multipart body are read by multipart.h, a urlencoded body and the
 * query string by params.h.
 */
#ifndef PF_REQUEST_H
#define PF_REQUEST_H

#include <stddef.h>

#include "params.h"

/* Where the body comes from and the response goes to. */
struct pf_stream {
	/* Read at most len bytes: count read, 0 at end of input, -1 on error. */
	long	(*read)(void *ctx, void *buf, size_t len);
	/* Write all of buf: 0, or -1 when the client has gone. */
	int	(*write)(void *ctx, const void *buf, size_t len);
	void	*ctx;
};

struct pf_request {
	/* From the CGI parameters, copied; never NULL ("" when absent). */
	char		*method;
	char		*content_type;	/* as sent, parameters included */
	char		*query;		/* QUERY_STRING */
	char		*remote_addr;
	char		*forwarded_for;	/* HTTP_X_FORWARDED_FOR: client.h judges it */
	char		*fetch_site;	/* HTTP_SEC_FETCH_SITE: app.h judges it */
	char		*origin;	/* HTTP_ORIGIN */
	char		*host;		/* HTTP_HOST */
	char		*cookie;	/* HTTP_COOKIE: consent.h reads it */
	char		*sec_gpc;	/* HTTP_SEC_GPC, repeats joined by ", " */
	char		*accept_language; /* HTTP_ACCEPT_LANGUAGE: lang.h reads it */
	int		 lang_asked;	/* ?lang= named an offered language, which
					   is current: set by program.h */
	int		 gpc;		/* sec_gpc is the GPC signal (consent.h's
					   pf_consent_gpc): set by program.h */
	char		*path;		/* SCRIPT_NAME + PATH_INFO: "/privacy/request/verify" */
	long long	 content_length; /* -1 when absent or empty */
	int		 content_length_bad; /* present but not a decimal number */
	char		 id[33];	/* random request id, 32 hex digits: in its
					   audit records and X-Request-Id */

	struct pf_param	*query_params;	/* parsed QUERY_STRING (see query_bad) */
	size_t		 nquery;
	int		 query_bad;	/* the query string was malformed */

	char		*body;		/* after pf_request_read_form */
	size_t		 body_len;
	struct pf_param	*form;
	size_t		 nform;

	/* Why pf_request_read_form failed, for the visitor; static storage. */
	const char	*error;

	struct pf_stream io;
	const struct pf_limits *limits;
	/*
	 * A Set-Cookie value every answer carries unless it sets a cookie of
	 * its own (response.h); NULL for none.  Owned: pf_request_free frees
	 * it.  The skeleton sets it for a POST with the GPC signal (program.h).
	 */
	char		*set_cookie;
	int		 responded;	/* headers written (response.h) */
	int		 head;		/* HEAD request: headers only */
};

/*
 * Build req from envp (a NULL-terminated "NAME=value" array, as FastCGI
 * gives it) and io; nothing is read from io yet.  req is overwritten.
 * limits must outlive req; NULL means params.h's pf_params_limits.  Returns PF_OK,
 * or PF_ENOMEM or PF_ECRYPTO (no random id), req then freed already.
 */
int pf_request_init(struct pf_request *req, char *const *envp,
    struct pf_stream io, const struct pf_limits *limits);

/* Release everything req holds; accepts a freed or zeroed req. */
void pf_request_free(struct pf_request *req);

/*
 * Read and parse the body.  application/x-www-form-urlencoded and
 * multipart/form-data (fields only; a part with a filename is refused) are
 * understood.  Returns:
 *   PF_OK	 req->form holds the fields (possibly none)
 *   PF_EMEDIA	 another content type (HTTP 415)
 *   PF_ETOOBIG	 CONTENT_LENGTH over max_body, too many fields, or a value
 *		 over max_field_len (HTTP 413)
 *   PF_ELENGTH	 no CONTENT_LENGTH (HTTP 411)
 *   PF_EINVAL	 bad CONTENT_LENGTH, a body shorter than announced, bad
 *		 percent-encoding, a repeated or invalid field name, broken
 *		 multipart (HTTP 400)
 *   PF_EIO	 the client went away
 * On failure req->error says what was wrong, in words for the visitor:
 * an English message marked N_() (lang.h), which the page that shows it
 * translates with _().
 * Field values are not checked for UTF-8 here: form.h does that per field,
 * so each error can be shown beside its field.
 */
int pf_request_read_form(struct pf_request *req);

/* The body field or query parameter called name, or NULL. */
const struct pf_param *pf_request_field(const struct pf_request *req, const char *name);
const struct pf_param *pf_request_query(const struct pf_request *req, const char *name);

/*
 * CONTENT_LENGTH as a strict decimal: digits only, no sign, no blanks.
 * Absent (s NULL) or empty is -1; anything else that is not a number in
 * range sets *bad and is -1 too.
 */
long long pf_request_length(const char *s, int *bad);

#endif
