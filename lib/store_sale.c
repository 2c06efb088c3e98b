/*
 * store_sale.c -- the queries of opt-outs of sale that named a person
 * (store.h, "sale opt-outs"; 011-sale-opt-out.sql).
 *
 * Every query is one entry of sql[] below, run through store_sql.h.
 * There is no UPDATE: a row is appended once and only ever deleted
 * (pf_store_sale_remove, an erasure; the table's trigger refuses any
 * change).
 */
#include "err.h"
#include "lang.h"
#include "store.h"
#include "store_impl.h"
#include "store_sql.h"

#define SO_COLS	"id, channel, address, device, created, source"

enum { SO_PUT, SO_EACH, SO_OF, SO_REMOVE, SO_ERASED, NSTMT };

static const struct pf_sql sql[NSTMT] = {
	[SO_PUT] = { "sale put", "INSERT INTO sale_opt_out (channel, "
	    "address, device, created, source, lang) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)" },
	/* Each address once, at its first opt-out since ?1 (NULL: all). */
	[SO_EACH] = { "sale each", "SELECT min(id), channel, address, NULL, "
	    "min(created), 'form' FROM sale_opt_out "
	    "WHERE CAST(?1 AS TEXT) IS NULL OR "
	    "created >= ?1 GROUP BY channel, address ORDER BY 5, 1" },
	[SO_OF] = { "sale of", "SELECT " SO_COLS " FROM sale_opt_out "
	    "WHERE address = ?1 ORDER BY created, id" },
	[SO_REMOVE] = { "sale remove",
	    "DELETE FROM sale_opt_out WHERE address = ?1" },
	[SO_ERASED] = { "sale erased",
	    "SELECT count(*) FROM suppression WHERE channel = 'sale'" },
};

const struct pf_sql_set pf_sql_set_sale = { PF_SQL_SALE, NSTMT, sql };

#define Q(id)	PF_SQL_REF(&pf_sql_set_sale, id)

typedef int so_fn(const struct pf_sale_optout *o, void *arg);

/* A row of SO_COLS to the walk's callback. */
static int
so_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sale_optout	 o = { .id = COL_I(0),
	    .channel = COL_T(1), .address = COL_T(2), .device = COL_T(3),
	    .created = COL_T(4), .source = COL_T(5) };

	return PF_WALK_CALL(so_fn, (const struct pf_sql_walk *)ctx, &o);
}

int
pf_store_sale_put(struct pf_store *st, const struct pf_sale_optout *o,
    long long *id)
{
	return pf_sql_insert(st, Q(SO_PUT), PF_ARGS(PF_T(o->channel),
	    PF_T(o->address), PF_T(o->device), PF_T(o->created),
	    PF_T(o->source), PF_T(pf_lang_current())), id);
}

int
pf_store_sale_each(struct pf_store *st, const char *since, so_fn *fn,
    void *arg)
{
	return pf_sql_each(st, Q(SO_EACH), PF_ARGS(PF_T(since)), so_row,
	    PF_WALK(fn, arg));
}

int
pf_store_sale_of(struct pf_store *st, const char *address, so_fn *fn,
    void *arg)
{
	return pf_sql_each(st, Q(SO_OF), PF_ARGS(PF_T(address)), so_row,
	    PF_WALK(fn, arg));
}

int
pf_store_sale_remove(struct pf_store *st, const char *address, long long *n)
{
	return pf_sql_exec(st, Q(SO_REMOVE), PF_ARGS(PF_T(address)), n);
}

int
pf_store_sale_erased(struct pf_store *st, long long *n)
{
	*n = 0;
	return pf_sql_one(st, Q(SO_ERASED), PF_NOARGS, pf_row_int0, n);
}
