/*
 * params.h -- name=value parameters: the list both form encodings build,
 * and application/x-www-form-urlencoded text.
 *
 * pf_params_parse reads a query string or a urlencoded body (request.h
 * calls it for both) and the values of a mail template's link (mail.h).
 * multipart.h builds its list with pf_plist_add, so that both encodings
 * refuse the same things with the same sentences:
 *
 *	a name that is empty, longer than PF_PARAM_NAME_MAX bytes, or not
 *	acceptable text (utf8.h, one line)		PF_EINVAL
 *	a name given twice				PF_EINVAL
 *	more than max_fields pairs, or a value longer
 *	than max_field_len bytes			PF_ETOOBIG
 *
 * Values are kept as sent (NUL bytes and broken UTF-8 included): form.h
 * checks each field, so that each error can be shown beside its field.
 * Every failure leaves a sentence for the visitor in *why (static storage).
 */
#ifndef PF_PARAMS_H
#define PF_PARAMS_H

#include <stddef.h>

#define PF_PARAM_NAME_MAX	64	/* bytes in a field name */

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

/* Used when a caller passes no limits: small, like a one-field form. */
extern const struct pf_limits pf_params_limits;

/* The visitor's sentences the parsers share (static storage). */
extern const char pf_params_msg_nomem[];	/* PF_ENOMEM */
extern const char pf_params_msg_name[];		/* an invalid field name */
extern const char pf_params_msg_fieldlen[];	/* a value over max_field_len */

/*
 * Parse application/x-www-form-urlencoded text s[0..len) ('+' is a space,
 * %XX a byte; empty pairs are skipped; ';' is no separator) into a new
 * array (*out, *n; free with pf_params_free), in the text's order.
 * limits NULL means pf_params_limits.  PF_OK; PF_EINVAL (bad percent-
 * encoding, or a name refused as above), PF_ETOOBIG or PF_ENOMEM with
 * *out NULL, *n 0 and *why set.
 */
int pf_params_parse(const char *s, size_t len, const struct pf_limits *limits,
    struct pf_param **out, size_t *n, const char **why);

/* Free p[0..n) and every name and value in it; accepts NULL. */
void pf_params_free(struct pf_param *p, size_t n);

/*
 * s[0..len) percent-encoded at out, every byte but RFC 3986's unreserved
 * characters ([A-Za-z0-9._~-]) as %XX: a name or value of a query string
 * that pf_params_parse reads back as it was.  out has room for 3 * len
 * bytes; returns where the copy ends (no NUL is written).
 */
char *pf_params_encode(char *out, const char *s, size_t len);

/* The pair called name in p[0..n), or NULL; points into p. */
const struct pf_param *pf_params_find(const struct pf_param *p, size_t n,
    const char *name);

/* A growing list of pairs; owns every name and value in it. */
struct pf_plist {
	struct pf_param	*p;
	size_t		 n, cap;
};

/*
 * Append name and value (value[len] is NUL; both allocated) to l, taking
 * ownership of both whatever happens, after the checks above against lim.
 * PF_OK, PF_EINVAL, PF_ETOOBIG or PF_ENOMEM (*why set; l unchanged).
 */
int pf_plist_add(struct pf_plist *l, char *name, char *value, size_t len,
    const struct pf_limits *lim, const char **why);

/* Free what l holds and empty it. */
void pf_plist_free(struct pf_plist *l);

#endif
