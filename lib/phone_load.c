/*
 * phone_load.c -- phone.h's functions, from the phone module opened on
 * first use (phone_module.h says why).
 *
 * The programs are single-threaded (one request at a time per process), so
 * the module is looked up without a lock.  A module that cannot be opened
 * is logged once, with its path and the loader's reason, and every call
 * then fails with PF_ECONFIG.
 */
#include <dlfcn.h>
#include <stddef.h>

#include "err.h"
#include "log.h"
#include "phone.h"
#include "phone_module.h"

/* Where the module is: set by the Makefile, per build (INSTALL_PATHS). */
#ifndef PF_PHONE_MODULE
#error "PF_PHONE_MODULE (the phone module's path) is not defined"
#endif

/* phone.cc's table, when it is linked into the program itself. */
extern const struct pf_phone_module pf_phone_module __attribute__((weak));

static const struct pf_phone_module *
module(void)
{
	static const struct pf_phone_module	*m;
	static int				 tried;
	void					*h;

	if (m != NULL || tried)
		return m;
	tried = 1;
	if (&pf_phone_module != NULL)
		return m = &pf_phone_module;
	/* RTLD_LOCAL: its libraries' symbols stay out of everyone's way. */
	if ((h = dlopen(PF_PHONE_MODULE, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		pf_log(PF_LOG_ERR, "cannot load the phone module: %s",
		    dlerror());
		return NULL;
	}
	if ((m = dlsym(h, PF_PHONE_MODULE_SYMBOL)) == NULL)
		pf_log(PF_LOG_ERR, "%s: no %s in it", PF_PHONE_MODULE,
		    PF_PHONE_MODULE_SYMBOL);
	return m;
}

int
pf_phone_e164(const char *in, const char *region, char *out, size_t outlen)
{
	const struct pf_phone_module	*m = module();

	if (m != NULL)
		return m->e164(in, region, out, outlen);
	if (out != NULL && outlen > 0)
		*out = '\0';
	return PF_ECONFIG;
}

int
pf_phone_format(const char *e164, char *out, size_t outlen)
{
	const struct pf_phone_module	*m = module();

	if (m != NULL)
		return m->format(e164, out, outlen);
	if (out != NULL && outlen > 0)
		*out = '\0';
	return PF_ECONFIG;
}

int
pf_phone_region(const char *e164, char out[3])
{
	const struct pf_phone_module	*m = module();

	if (m != NULL)
		return m->region(e164, out);
	if (out != NULL)
		out[0] = '\0';
	return PF_ECONFIG;
}
