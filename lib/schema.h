/*
 * schema.h -- the numbered migrations of lib/schema/, embedded by
 * tools/embed-schema.sh.  Migration i brings the database to version
 * pf_migrations[i].version; store.c applies the ones a file lacks, in order,
 * each in its own transaction with PRAGMA user_version.
 */
#ifndef PF_SCHEMA_H
#define PF_SCHEMA_H

struct pf_migration {
	unsigned	 version;
	const char	*name;
	const char	*sql;
};

extern const struct pf_migration pf_migrations[];
extern const unsigned pf_nmigrations;
extern const struct pf_migration pf_pg_migrations[];
extern const unsigned pf_pg_nmigrations;

#endif
