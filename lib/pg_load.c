/*
 * pg_load.c -- the PostgreSQL backend (store_impl.h's pf_store_pg_ops and
 * pf_store_pg_check), from the PostgreSQL module opened on first use
 * (pg_module.h says why).
 *
 * The programs are single-threaded (one request at a time per process), so
 * the module is looked up without a lock.  A module that cannot be opened
 * is logged once, with its path and the loader's reason; the store then
 * refuses to open a PostgreSQL database (PF_ECONFIG) and a connection
 * string is refused with the same reason.
 */
#include <dlfcn.h>
#include <stdio.h>

#include "log.h"
#include "pg_module.h"
#include "store_impl.h"

/* Where the module is: set by the Makefile, per build (INSTALL_PATHS). */
#ifndef PF_PG_MODULE
#error "PF_PG_MODULE (the PostgreSQL module's path) is not defined"
#endif

static const struct pf_pg_module	*loaded;
static char				 failure[256];

static const struct pf_pg_module *
module(void)
{
	void	*h = NULL;

	if (loaded != NULL || failure[0] != '\0')
		return loaded;
	/* RTLD_LOCAL: libpq's libraries stay out of everyone's way. */
	if ((h = dlopen(PF_PG_MODULE, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(failure, sizeof(failure), "%s", dlerror());
	} else if ((loaded = dlsym(h, PF_PG_MODULE_SYMBOL)) == NULL) {
		snprintf(failure, sizeof(failure), "%s: no %s in it",
		    PF_PG_MODULE, PF_PG_MODULE_SYMBOL);
	} else if (loaded->ops_size != sizeof(struct pf_store_ops)) {
		snprintf(failure, sizeof(failure), "%s is of another build "
		    "than this program: install both from one", PF_PG_MODULE);
		loaded = NULL;
	}
	if (loaded == NULL) {
		if (h != NULL)
			dlclose(h);
		pf_log(PF_LOG_ERR, "cannot load the PostgreSQL module: %s",
		    failure);
	}
	return loaded;
}

const struct pf_store_ops *
pf_store_pg_ops(void)
{
	const struct pf_pg_module	*m = module();

	return m != NULL ? m->ops : NULL;
}

const char *
pf_store_pg_check(const char *conninfo, char *buf, size_t len)
{
	const struct pf_pg_module	*m = module();

	if (m != NULL)
		return m->check(conninfo, buf, len);
	snprintf(buf, len, "needs the PostgreSQL module, which cannot be "
	    "loaded: %s", failure);
	return buf;
}
