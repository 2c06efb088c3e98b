/*
 * store_impl.h -- the backends behind struct pf_store (store.h).
 *
 * PRIVATE to lib/store*.c.  A struct pf_store is the first member of a
 * backend's own connection (lib/store_sqlite.c's, lib/store_pg.c's); its
 * ops are that backend's, and lib/store_ops.c dispatches every store.h
 * connection function and store_sql.h function through them, so the query
 * files (lib/store.c, store_requests.c, ...) run on either engine without
 * naming it.  A struct pf_row likewise starts the backend's row.
 *
 * The statement tables of the query files are here too, so that a test
 * can prepare every statement on an engine (pf_sql_prepare): the query
 * files' SQL must be valid in both.
 */
#ifndef PF_STORE_IMPL_H
#define PF_STORE_IMPL_H

#include <time.h>

#include "store.h"
#include "store_sql.h"

struct pf_store_ops {
	/*
	 * pf_store_open_until (existing 0) and pf_store_open_existing
	 * (existing 1: PF_ENOTFOUND rather than create a database), and
	 * pf_store_open_readonly, of the backend.
	 */
	int	(*open)(const struct pf_store_opts *opts,
		    const struct timespec *until, int existing,
		    struct pf_store **out);
	int	(*open_readonly)(const struct pf_store_opts *opts,
		    struct pf_store **out);
	void	(*close)(struct pf_store *st);
	void	(*until)(struct pf_store *st, const struct timespec *until);

	int	(*exec)(struct pf_store *st, struct pf_sql_ref q,
		    struct pf_sql_args a, long long *changed);
	int	(*insert)(struct pf_store *st, struct pf_sql_ref q,
		    struct pf_sql_args a, long long *id);
	/*
	 * pf_sql_insert_ahead, pf_sql_exec_ahead: a backend that sends
	 * nothing ahead gives its insert and exec here.
	 */
	int	(*insert_ahead)(struct pf_store *st, struct pf_sql_ref q,
		    struct pf_sql_args a, long long *id);
	int	(*exec_ahead)(struct pf_store *st, struct pf_sql_ref q,
		    struct pf_sql_args a, long long *changed);
	int	(*each)(struct pf_store *st, struct pf_sql_ref q,
		    struct pf_sql_args a, pf_row_fn *fn, void *ctx);
	int	(*one)(struct pf_store *st, struct pf_sql_ref q,
		    struct pf_sql_args a, pf_row_fn *fn, void *ctx);
	int	(*prepare)(struct pf_store *st, struct pf_sql_ref q);
	struct pf_sql_ref (*dialect)(enum pf_dialect id);

	int	(*begin)(struct pf_store *st);
	/* pf_sql_begin_then in one go; NULL: begin, then each in turn. */
	int	(*begin_then)(struct pf_store *st, const struct pf_sql_ref *q,
		    int n, pf_row_fn *const *fn, void *ctx);
	int	(*begin_read)(struct pf_store *st);
	int	(*commit)(struct pf_store *st);
	void	(*rollback)(struct pf_store *st);
	/* A backend that sends nothing ahead gives its rollback here. */
	void	(*rollback_ahead)(struct pf_store *st);
	int	(*savepoint)(struct pf_store *st);
	int	(*savepoint_end)(struct pf_store *st, int err);

	int	(*schema_version)(struct pf_store *st, int *version);
	int	(*synchronous)(struct pf_store *st, int *level);
	const char *(*journal_mode)(struct pf_store *st);
	int	(*size)(struct pf_store *st, long long *bytes);
	int	(*backup)(struct pf_store *st, const char *path, int replace,
		    long long *bytes);

	const char *(*row_text)(const struct pf_row *row, int col);
	long long (*row_int)(const struct pf_row *row, int col);
	int	(*row_null)(const struct pf_row *row, int col);
	const void *(*row_blob)(const struct pf_row *row, int col,
		    size_t *len);

	/* 1: audit records are sealed after the commit (store.h). */
	int	audit_seals;
	/*
	 * The round trips to the server so far (statements, or a batch of
	 * them sent together), for the tests that count what a change costs;
	 * NULL where there is no server (SQLite).
	 */
	long long (*round_trips)(struct pf_store *st);
};

struct pf_store {
	const struct pf_store_ops	*ops;
};

struct pf_row {
	const struct pf_store_ops	*ops;
};

extern const struct pf_store_ops pf_store_sqlite_ops;	/* store_sqlite.c */

/*
 * The PostgreSQL backend's ops (store_pg.c, in the module pg_load.c opens:
 * pg_module.h), or NULL when the module cannot be loaded (logged).
 */
const struct pf_store_ops *pf_store_pg_ops(void);

/*
 * NULL if the libpq connection string conninfo is fit for the
 * configuration, else what is wrong with it, written into buf (len bytes):
 * libpq cannot parse it, or it carries a password (store_pg.c), or the
 * module that reads it cannot be loaded (pg_load.c).
 */
const char	*pf_store_pg_check(const char *conninfo, char *buf,
		    size_t len);

/* The query files' statement tables, one per store_sql.h pf_sql_part. */
extern const struct pf_sql_set pf_sql_set_core, pf_sql_set_requests,
    pf_sql_set_feedback, pf_sql_set_guard, pf_sql_set_metrics,
    pf_sql_set_consent, pf_sql_set_retention, pf_sql_set_agents,
    pf_sql_set_sale, pf_sql_set_subs;

/*
 * PostgreSQL's advisory lock key of the audit chain, held to the end of
 * its transaction by whoever reads the chain's head to extend it (the
 * dialect's PF_DIALECT_AUDIT_LOCK; store_seal.c's try and wait).
 */
#define PF_PG_LOCK_AUDIT	"7061660001"

/*
 * store_seal.c's statements name tables only lib/schema/pg/ has: run on
 * PostgreSQL only (pf_store_audit_seals), so not in pf_sql_sets.
 */
extern const struct pf_sql_set pf_sql_set_seal;

/* A row of store.c's audit columns to a pf_sql_walk of audit rows. */
int	pf_store_audit_row(const struct pf_row *r, void *ctx);

/* Every one of them, NULL-ended (store_ops.c). */
extern const struct pf_sql_set *const pf_sql_sets[];

/*
 * Prepare q on st without running it: PF_OK, or the engine's refusal
 * (logged with q's what).  A test's way to find SQL one engine rejects.
 */
int	pf_sql_prepare(struct pf_store *st, struct pf_sql_ref q);

#endif
