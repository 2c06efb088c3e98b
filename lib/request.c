/*
 * request.c -- one FastCGI or CGI request (see request.h).
 *
 * Everything a request keeps is copied out of libfcgi's buffers, and every
 * byte of the body is treated as hostile: the body is read only against the
 * limits, parsed by params.h or multipart.h, and each failure leaves a
 * sentence for the visitor in req->error.
 */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "err.h"
#include "lang.h"
#include "hex.h"
#include "log.h"
#include "multipart.h"
#include "nitems.h"
#include "params.h"
#include "request.h"

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
 * Every value of name in envp joined by ", ", as HTTP joins repeated
 * header lines (RFC 9110 section 5.3): "" when absent; NULL when out of
 * memory.  nginx before 1.23 passes a repeated header to FastCGI as
 * repeated parameters, Apache and later nginx as one joined value.
 */
static char *
env_join(char *const *envp, const char *name)
{
	size_t		 len = strlen(name), n = 0, k, seen = 0;
	char		*out, *p;
	char *const	*e;

	for (e = envp; e != NULL && *e != NULL; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			n += strlen(*e + len + 1) + 2;
	if ((out = p = calloc(1, n + 1)) == NULL)
		return NULL;
	for (e = envp; e != NULL && *e != NULL; e++) {
		if (strncmp(*e, name, len) != 0 || (*e)[len] != '=')
			continue;
		k = strlen(*e + len + 1);
		if (seen++ > 0) {
			memcpy(p, ", ", 2);
			p += 2;
		}
		memcpy(p, *e + len + 1, k);
		p += k;
	}
	return out;
}

long long
pf_request_length(const char *s, int *bad)
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

/*
 * The CGI parameters a request copies (request.h), each into its char *
 * member: the first value, or every value joined (env_join) where a
 * server may pass a repeated header line as repeated parameters.
 */
#define PARAM(name, m)	{ name, offsetof(struct pf_request, m), 0 }
#define JOINED(name, m)	{ name, offsetof(struct pf_request, m), 1 }

static const struct {
	const char	*name;
	size_t		 off;
	int		 joined;
} params[] = {
	PARAM("REQUEST_METHOD", method),
	PARAM("CONTENT_TYPE", content_type),
	PARAM("QUERY_STRING", query),
	PARAM("REMOTE_ADDR", remote_addr),
	PARAM("HTTP_X_FORWARDED_FOR", forwarded_for),
	PARAM("HTTP_SEC_FETCH_SITE", fetch_site),
	PARAM("HTTP_ORIGIN", origin),
	PARAM("HTTP_HOST", host),
	PARAM("HTTP_COOKIE", cookie),
	JOINED("HTTP_SEC_GPC", sec_gpc),
	JOINED("HTTP_ACCEPT_LANGUAGE", accept_language),
};

/* The member of req at off, one of params[]'s. */
static char **
member(struct pf_request *req, size_t off)
{
	return (char **)((char *)req + off);
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
	size_t		 i;
	int		 rc = PF_ENOMEM;

	memset(req, 0, sizeof(*req));
	req->io = io;
	req->limits = limits != NULL ? limits : &pf_params_limits;
	for (i = 0; i < nitems(params); i++)
		if ((*member(req, params[i].off) = params[i].joined ?
		    env_join(envp, params[i].name) :
		    env_copy(envp, params[i].name)) == NULL)
			goto fail;
	if ((req->path = path_copy(envp)) == NULL)
		goto fail;
	req->content_length = pf_request_length(env_get(envp, "CONTENT_LENGTH"),
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
	size_t	 i;

	if (req == NULL)
		return;
	for (i = 0; i < nitems(params); i++)
		free(*member(req, params[i].off));
	free(req->set_cookie);
	free(req->path);
	pf_params_free(req->query_params, req->nquery);
	free(req->body);
	pf_params_free(req->form, req->nform);
	memset(req, 0, sizeof(*req));
}

const struct pf_param *
pf_request_field(const struct pf_request *req, const char *name)
{
	return pf_params_find(req->form, req->nform, name);
}

const struct pf_param *
pf_request_query(const struct pf_request *req, const char *name)
{
	return pf_params_find(req->query_params, req->nquery, name);
}

static int
refuse(struct pf_request *req, int rc, const char *why)
{
	req->error = why;
	return rc;
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
		return refuse(req, PF_EINVAL, N_("The request announced a "
		    "body length that is not a number."));
	/*
	 * Without a length the end of the body is unknown (a chunked body
	 * under plain CGI): refuse it rather than take it for an empty form
	 * and lose what the visitor typed.
	 */
	if (cl < 0)
		return refuse(req, PF_ELENGTH, N_("The request did not say "
		    "how long the form is. Please send it again."));
	if ((unsigned long long)cl > req->limits->max_body)
		return refuse(req, PF_ETOOBIG,
		    N_("The form is larger than this page accepts."));
	want = (size_t)cl;
	if ((req->body = malloc(want + 1)) == NULL)
		return refuse(req, PF_ENOMEM, pf_params_msg_nomem);
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
				return refuse(req, PF_EINVAL, N_("The "
				    "request body was shorter than "
				    "announced."));
			return refuse(req, PF_EIO, N_("The connection was "
			    "lost while the form was being sent."));
		}
		got += (size_t)n;
	}
	req->body[want] = '\0';
	req->body_len = want;
	return PF_OK;
}

int
pf_request_read_form(struct pf_request *req)
{
	char			 boundary[PF_BOUNDARY_MAX + 1];
	enum pf_body_kind	 kind;
	int			 rc;

	if (req->body != NULL)
		return PF_OK;	/* read and parsed already */
	req->error = NULL;
	if ((rc = pf_multipart_media(req->content_type, &kind, boundary,
	    &req->error)) != PF_OK || (rc = read_body(req)) != PF_OK)
		return rc;
	if (kind == PF_BODY_URLENCODED)
		rc = pf_params_parse(req->body, req->body_len, req->limits,
		    &req->form, &req->nform, &req->error);
	else
		rc = pf_multipart_parse(req->body, req->body_len, boundary,
		    req->limits, &req->form, &req->nform, &req->error);
	if (rc != PF_OK) {
		free(req->body);
		req->body = NULL;
		req->body_len = 0;
	}
	return rc;
}
