/*
 * phone_module.h -- between phone_load.c and the phone module (phone.cc).
 *
 * libphonenumber drags in protobuf, abseil and ICU's i18n library, whose
 * start-up (relocations, C++ static constructors) costs a plain-CGI
 * request more than everything else it does, and an email unsubscribe
 * never reads a phone number.  So phone.cc is built as a shared object of
 * its own (lib/phone.so in the tree, PKGLIBDIR/phone.so installed; see
 * INSTALL) that phone_load.c opens the first time a number is read.
 *
 * The module exports one symbol, PF_PHONE_MODULE_SYMBOL: a table of the
 * functions behind phone.h, with the contracts phone.h gives them.  A
 * program may instead link phone.cc's object itself (the libFuzzer
 * harnesses do, for coverage): phone_load.c then uses that copy.
 */
#ifndef PF_PHONE_MODULE_H
#define PF_PHONE_MODULE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PF_PHONE_MODULE_SYMBOL	"pf_phone_module"

struct pf_phone_module {
	int	(*e164)(const char *in, const char *region, char *out,
		    size_t outlen);
	int	(*format)(const char *e164, char *out, size_t outlen);
	int	(*region)(const char *e164, char out[3]);
};

extern const struct pf_phone_module pf_phone_module;

#ifdef __cplusplus
}
#endif

#endif
