/*
 * pg_module.h -- between pg_load.c and the PostgreSQL module (store_pg.c).
 *
 * libpq brings a score of libraries with it (OpenSSL's libssl, GSSAPI
 * and Kerberos, LDAP, SASL, GnuTLS), whose loading and relocation cost a
 * plain-CGI request about as much as the rest of an unsubscribe, and a
 * site on SQLite never calls any of them.  So store_pg.c is built as a
 * shared object of its own (lib/pg.so in the tree, PKGLIBDIR/pg.so
 * installed; see INSTALL) that pg_load.c opens the first time a database
 * value names PostgreSQL (store_impl.h's pf_store_pg_ops).
 *
 * The module exports one symbol, PF_PG_MODULE_SYMBOL: the backend's ops
 * table and its connection-string check, with the contracts store_impl.h
 * gives them.  It calls back into the program for what it shares with the
 * rest of the store, the symbols lib/pg_module.syms lists (the log and the
 * embedded PostgreSQL migrations): every program exports those, and only
 * those, to the modules it opens.
 */
#ifndef PF_PG_MODULE_H
#define PF_PG_MODULE_H

#include <stddef.h>

#define PF_PG_MODULE_SYMBOL	"pf_pg_module"

/*
 * The ops table's layout, which a module from another build may not
 * share (a partial upgrade): the module carries the size it was built
 * with, and one of another size is refused rather than called.
 */
struct pf_store_ops;

struct pf_pg_module {
	size_t				 ops_size;	/* sizeof(struct pf_store_ops) */
	const struct pf_store_ops	*ops;
	const char			*(*check)(const char *conninfo,
					    char *buf, size_t len);
};

#endif
