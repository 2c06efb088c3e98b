/* err.c -- descriptions of the error codes in err.h, and error messages. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "err.h"

static const char *const messages[PF__MAX] = {
	[PF_OK] = "success",
	[PF_ENOMEM] = "out of memory",
	[PF_EINVAL] = "invalid input",
	[PF_ETOOBIG] = "over a configured limit",
	[PF_EMEDIA] = "unsupported content type",
	[PF_EIO] = "input/output error",
	[PF_EBUSY] = "storage unavailable",
	[PF_ESTORE] = "database error",
	[PF_ECONFIG] = "configuration error",
	[PF_ECRYPTO] = "cryptography error",
	[PF_EXML] = "XML error",
	[PF_ENOTFOUND] = "not found",
	[PF_EEXPIRED] = "expired",
	[PF_EFORGED] = "signature does not match",
	[PF_ELENGTH] = "length required",
	[PF_ELIMIT] = "over a rate limit",
	[PF_EREFUSED] = "refused by policy",
};

const char *
pf_strerror(int err)
{
	if (err < 0 || err >= PF__MAX || messages[err] == NULL)
		return "unknown error";
	return messages[err];
}

void
pf_errmsg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
