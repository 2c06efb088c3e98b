/*
 * request.h -- one FastCGI or CGI request.
 *
 * pf_serve() runs the accept loop: under a FastCGI server (spawn-fcgi,
 * systemd socket, mod_fcgid) it serves requests until the listener closes;
 * started as plain CGI (FCGX_IsCGI()), it serves the one request in its
 * environment and returns.  Each request lives in one struct pf_request that
 * is built at the top of the loop and freed at the bottom: every parameter it
 * keeps is copied, since libfcgi reuses its buffers.
 *
 * The body is read only when the handler asks (pf_request_read_form), against
 * the limits it was given; nothing is trusted before that.
 */
#ifndef PF_REQUEST_H
#define PF_REQUEST_H

#include <stddef.h>

/* One name=value pair from a query string or a form body. */
struct pf_param {
	char	*name;
	char	*value;		/* NUL-terminated; may contain NUL bytes before len */
	size_t	 len;		/* bytes in value, without the terminating NUL */
};

struct pf_limits {
	size_t	 max_body;	/* bytes; larger bodies are refused unread */
	size_t	 max_fields;	/* pairs in one body or query string */
	size_t	 max_field_len;	/* bytes in one value */
};

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
	char		*path;		/* SCRIPT_NAME + PATH_INFO: "/privacy/request/verify" */
	long long	 content_length; /* -1 when absent or empty */
	int		 content_length_bad; /* present but not a decimal number */
	char		 id[33];	/* random request id, 32 hex digits */

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
	int		 responded;	/* headers written (response.h) */
	int		 head;		/* HEAD request: headers only */
};

/*
 * Build req from envp (a NULL-terminated "NAME=value" array, as FastCGI
 * gives it) and io; nothing is read from io yet.  req is overwritten.
 * limits must outlive req; NULL means small built-in ones.  Returns PF_OK,
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
 * On failure req->error says what was wrong, in words for the visitor.
 * Field values are not checked for UTF-8 here: form.h does that per field,
 * so each error can be shown beside its field.
 */
int pf_request_read_form(struct pf_request *req);

/* The body field or query parameter called name, or NULL. */
const struct pf_param *pf_request_field(const struct pf_request *req, const char *name);
const struct pf_param *pf_request_query(const struct pf_request *req, const char *name);

/*
 * Parse application/x-www-form-urlencoded text s[0..len) into a new array
 * (*out, *n; free with pf_params_free).  Same return values as above.
 */
int pf_params_parse(const char *s, size_t len, const struct pf_limits *limits,
    struct pf_param **out, size_t *n, const char **why);
void pf_params_free(struct pf_param *p, size_t n);

/*
 * Run handler for each request until the FastCGI listener closes (or once,
 * as plain CGI).  SIGPIPE is ignored so a client that disconnects early
 * cannot kill the worker.  The handler must answer (response.h); if it did
 * not, a 500 is sent.  Returns 0 when the loop ends normally.
 */
typedef void pf_handler(struct pf_request *req, void *arg);
int pf_serve(pf_handler *handler, void *arg, const struct pf_limits *limits);

/*
 * For a program that cannot start: on a FastCGI socket, wait
 * PF_START_RETRY_SECONDS before returning, so that a supervisor that
 * restarts it without limit (multiwatch in INSTALL, tools/stack.sh and the
 * systemd unit never gives a worker up) tries again once a second rather
 * than in a busy loop; as plain CGI, return at once.
 */
#define PF_START_RETRY_SECONDS	1
void pf_serve_start_failed(void);

#endif
