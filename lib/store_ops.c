/*
 * store_ops.c -- which backend a database value means, and the dispatch
 * of store.h's connection functions and store_sql.h's statements to the
 * backend of the connection (store_impl.h's ops).
 *
 * A store is opened by the backend its database value selects
 * (pf_store_engine: the one place that reads the value's form); from then
 * on everything goes through st->ops, so nothing outside lib/store_sqlite.c
 * and lib/store_pg.c knows which engine it runs on.
 */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "store.h"
#include "store_impl.h"
#include "store_sql.h"

const struct pf_sql_set *const pf_sql_sets[] = {
	&pf_sql_set_core, &pf_sql_set_requests, &pf_sql_set_feedback,
	&pf_sql_set_guard, &pf_sql_set_metrics, &pf_sql_set_consent,
	&pf_sql_set_retention, &pf_sql_set_agents, &pf_sql_set_sale,
	&pf_sql_set_subs, NULL
};

static const struct pf_store_ops *
sqlite_ops(void)
{
	return &pf_store_sqlite_ops;
}

/*
 * The backends, indexed by enum pf_store_engine: each a function, since
 * PostgreSQL's comes from a module loaded on first use (pg_module.h).
 */
static const struct pf_store_ops *(*const engines[])(void) = {
	[PF_STORE_SQLITE] = sqlite_ops,
	[PF_STORE_POSTGRESQL] = pf_store_pg_ops,
};

/*
 * The forms of a libpq connection string (PQconnectdb): a URI with one of
 * these schemes, or keyword=value pairs.  A file path never needs "=" and
 * a relative one is resolved against the configuration's directory before
 * it gets here, so an absolute path is a path whatever it contains.
 */
static const char *const pg_schemes[] = { "postgresql://", "postgres://" };

enum pf_store_engine
pf_store_engine(const char *database)
{
	size_t	 i;

	if (database == NULL || database[0] == '/')
		return PF_STORE_SQLITE;
	for (i = 0; i < sizeof(pg_schemes) / sizeof(pg_schemes[0]); i++)
		if (strncmp(database, pg_schemes[i],
		    strlen(pg_schemes[i])) == 0)
			return PF_STORE_POSTGRESQL;
	return strchr(database, '=') != NULL ? PF_STORE_POSTGRESQL :
	    PF_STORE_SQLITE;
}

const char *
pf_store_database_check(const char *database, char *buf, size_t len)
{
	if (pf_store_engine(database) != PF_STORE_POSTGRESQL)
		return NULL;
	return pf_store_pg_check(database, buf, len);
}

/*
 * The backend of opts' database in *ops, *out cleared: PF_EINVAL without
 * a database, PF_ECONFIG when its backend's module cannot be loaded.
 */
static int
opts_ops(const struct pf_store_opts *opts, const struct pf_store_ops **ops,
    struct pf_store **out)
{
	*out = NULL;
	if (opts == NULL || opts->path == NULL)
		return PF_EINVAL;
	*ops = engines[pf_store_engine(opts->path)]();
	return *ops != NULL ? PF_OK : PF_ECONFIG;
}

/* ---- the connection (store.h) ---- */

/* How pf_store_open_until, _existing and _readonly open a connection. */
enum open_how { OPEN_CREATE, OPEN_EXISTING, OPEN_READONLY };

static int
store_open_as(const struct pf_store_opts *opts, const struct timespec *until,
    enum open_how how, struct pf_store **out)
{
	const struct pf_store_ops	*ops;
	int				 err;

	if ((err = opts_ops(opts, &ops, out)) != PF_OK)
		return err;
	if (how == OPEN_READONLY)
		return ops->open_readonly(opts, out);
	return ops->open(opts, until, how == OPEN_EXISTING, out);
}

int
pf_store_open_until(const struct pf_store_opts *opts,
    const struct timespec *until, struct pf_store **out)
{
	return store_open_as(opts, until, OPEN_CREATE, out);
}

int
pf_store_open_existing(const struct pf_store_opts *opts,
    struct pf_store **out)
{
	return store_open_as(opts, NULL, OPEN_EXISTING, out);
}

int
pf_store_open(const struct pf_store_opts *opts, struct pf_store **out)
{
	return pf_store_open_until(opts, NULL, out);
}

int
pf_store_open_readonly(const struct pf_store_opts *opts,
    struct pf_store **out)
{
	return store_open_as(opts, NULL, OPEN_READONLY, out);
}

void
pf_store_close(struct pf_store *st)
{
	if (st != NULL)
		st->ops->close(st);
}

void
pf_store_until(struct pf_store *st, const struct timespec *until)
{
	st->ops->until(st, until);
}

int
pf_store_begin(struct pf_store *st)
{
	return st->ops->begin(st);
}

int
pf_store_begin_read(struct pf_store *st)
{
	return st->ops->begin_read(st);
}

int
pf_store_commit(struct pf_store *st)
{
	return st->ops->commit(st);
}

void
pf_store_rollback(struct pf_store *st)
{
	if (st != NULL)
		st->ops->rollback(st);
}

void
pf_store_rollback_ahead(struct pf_store *st)
{
	if (st != NULL)
		st->ops->rollback_ahead(st);
}

int
pf_store_schema_version(struct pf_store *st, int *version)
{
	return st->ops->schema_version(st, version);
}

int
pf_store_synchronous(struct pf_store *st, int *level)
{
	return st->ops->synchronous(st, level);
}

const char *
pf_store_journal_mode(struct pf_store *st)
{
	return st->ops->journal_mode(st);
}

int
pf_store_size(struct pf_store *st, long long *bytes)
{
	return st->ops->size(st, bytes);
}

int
pf_store_backup(struct pf_store *st, const char *path, int replace,
    long long *bytes)
{
	return st->ops->backup(st, path, replace, bytes);
}

/* ---- statements (store_sql.h) ---- */

int
pf_sql_exec(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a,
    long long *changed)
{
	return st->ops->exec(st, q, a, changed);
}

int
pf_sql_change(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a)
{
	long long	 n = 0;
	int		 err;

	if ((err = pf_sql_exec(st, q, a, &n)) != PF_OK)
		return err;
	return n == 0 ? PF_ENOTFOUND : PF_OK;
}

int
pf_sql_insert(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a,
    long long *id)
{
	return st->ops->insert(st, q, a, id);
}

int
pf_sql_insert_ahead(struct pf_store *st, struct pf_sql_ref q,
    struct pf_sql_args a, long long *id)
{
	return st->ops->insert_ahead(st, q, a, id);
}

int
pf_sql_exec_ahead(struct pf_store *st, struct pf_sql_ref q,
    struct pf_sql_args a, long long *changed)
{
	return st->ops->exec_ahead(st, q, a, changed);
}

int
pf_sql_each(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a,
    pf_row_fn *fn, void *ctx)
{
	return st->ops->each(st, q, a, fn, ctx);
}

int
pf_sql_stale(struct pf_store *st, struct pf_sql_ref q, const char *before,
    int limit, pf_row_fn *fn, void *ctx)
{
	if (limit < 0)
		return PF_EINVAL;
	return pf_sql_each(st, q, PF_ARGS(PF_T(before), PF_I(limit)), fn, ctx);
}

int
pf_sql_begin_then(struct pf_store *st, const struct pf_sql_ref *q, int n,
    pf_row_fn *const *fn, void *ctx)
{
	int	 i, err;

	if (n < 0 || n > PF_SQL_THEN_MAX)
		return PF_EINVAL;
	if (st->ops->begin_then != NULL)
		return st->ops->begin_then(st, q, n, fn, ctx);
	if ((err = st->ops->begin(st)) != PF_OK)
		return err;
	for (i = 0; i < n && err == PF_OK; i++)
		err = st->ops->each(st, q[i], PF_NOARGS, fn[i], ctx);
	if (err != PF_OK)
		st->ops->rollback(st);
	return err;
}

int
pf_sql_one(struct pf_store *st, struct pf_sql_ref q, struct pf_sql_args a,
    pf_row_fn *fn, void *ctx)
{
	return st->ops->one(st, q, a, fn, ctx);
}

int
pf_sql_prepare(struct pf_store *st, struct pf_sql_ref q)
{
	return st->ops->prepare(st, q);
}

struct pf_sql_ref
pf_sql_dialect(struct pf_store *st, enum pf_dialect id)
{
	return st->ops->dialect(id);
}

int
pf_sql_savepoint(struct pf_store *st)
{
	return st->ops->savepoint(st);
}

int
pf_sql_savepoint_end(struct pf_store *st, int err)
{
	return st->ops->savepoint_end(st, err);
}

const char *
pf_row_text(const struct pf_row *row, int col)
{
	return row->ops->row_text(row, col);
}

long long
pf_row_int(const struct pf_row *row, int col)
{
	return row->ops->row_int(row, col);
}

int
pf_row_null(const struct pf_row *row, int col)
{
	return row->ops->row_null(row, col);
}

const void *
pf_row_blob(const struct pf_row *row, int col, size_t *len)
{
	return row->ops->row_blob(row, col, len);
}

int
pf_row_int0(const struct pf_row *row, void *ctx)
{
	*(long long *)ctx = pf_row_int(row, 0);
	return 0;
}
