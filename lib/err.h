/*
 * err.h -- the one error convention of libprivforms.
 *
 * Every library function that can fail returns 0 (PF_OK) on success or one
 * of the codes below.  Library code never exits and never prints to the
 * visitor; it reports, and the caller (a handler or tools/privforms) decides.
 */
#ifndef PF_ERR_H
#define PF_ERR_H

#include <stddef.h>

enum pf_err {
	PF_OK = 0,
	PF_ENOMEM,	/* out of memory */
	PF_EINVAL,	/* malformed input or argument (HTTP 400) */
	PF_ETOOBIG,	/* over a configured limit (HTTP 413) */
	PF_EMEDIA,	/* unsupported content type (HTTP 415) */
	PF_EIO,		/* reading or writing a file or stream failed */
	PF_EBUSY,	/* storage unavailable: locked, read-only, full (HTTP 503) */
	PF_ESTORE,	/* any other database error (HTTP 503 too) */
	PF_ECONFIG,	/* configuration missing or invalid */
	PF_ECRYPTO,	/* libcrypto failed */
	PF_EXML,	/* libxml2 failed, or XML is not valid */
	PF_ENOTFOUND,	/* no such row, file or template */
	PF_EEXPIRED,	/* a token was genuine but has expired */
	PF_EFORGED,	/* a token's signature does not match */
	PF_ELENGTH,	/* a body without a length (HTTP 411) */
	PF_ELIMIT,	/* over a rate limit (HTTP 429) */
	PF_EREFUSED,	/* refused by policy: no proof of work (HTTP 403) */
	PF__MAX
};

/* A short English description of err; never NULL, static storage. */
const char *pf_strerror(int err);

/*
 * Write a one-line message into a caller's err[errlen] (the message
 * out-parameter of pf_config_load and pf_laws_load); nothing when err is
 * NULL or errlen is 0.
 */
void pf_errmsg(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
