/*
 * store_consent.c -- the queries of consent records (store.h;
 * 009-consent.sql).
 *
 * Every query is one entry of sql[] below, run through store_sql.h: values
 * are only ever bound, never logged.  There is no UPDATE: a record is
 * appended once and only ever deleted whole (pf_store_consent_purge;
 * the table's trigger refuses any change).
 */
#include "err.h"
#include "store.h"
#include "store_impl.h"
#include "store_sql.h"

#define CR_COLS "id, device, notice, language, allowed, refused, action, " \
	"method, gpc, jurisdiction, created"

/* The only write but purge: a record is never changed. */
#define PUT_SQL "INSERT INTO consent_record (device, notice, language, " \
	"allowed, refused, action, method, gpc, jurisdiction, created) " \
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
/* The index on (device, created) finds it; id breaks a tie. */
#define LAST_SQL "SELECT " CR_COLS " FROM consent_record " \
	"WHERE device = ?1 ORDER BY created DESC, id DESC LIMIT 1"
/* ?3 a stored time or a day: "2026-11-24" counts that whole day. */
#define COUNT_SQL "SELECT count(*) FROM consent_record WHERE " \
	"device = ?1 AND method = ?2 AND created >= ?3"
/* In the order they were made; ?1 NULL: all. */
#define EACH_SQL "SELECT " CR_COLS " FROM consent_record " \
	"WHERE CAST(?1 AS TEXT) IS NULL OR created >= ?1 ORDER BY created, id"
/* The browsers an address opted out of sale in (011-sale-opt-out.sql). */
#define OF_ADDRESS_SQL "SELECT " CR_COLS " FROM consent_record WHERE " \
	"device IN (SELECT device FROM sale_opt_out WHERE address = ?1) " \
	"ORDER BY created, id"
/* Whole rows: no part of a record outlives its retention. */
#define PURGE_SQL "DELETE FROM consent_record WHERE created < ?1"

enum { CR_PUT, CR_LAST, CR_COUNT, CR_EACH, CR_PURGE, CR_OF_ADDRESS,
    NSTMT };

static const struct pf_sql sql[NSTMT] = {
	[CR_PUT] = { "consent put", PUT_SQL },
	[CR_LAST] = { "consent last", LAST_SQL },
	[CR_COUNT] = { "consent count", COUNT_SQL },
	[CR_EACH] = { "consent each", EACH_SQL },
	[CR_PURGE] = { "consent purge", PURGE_SQL },
	[CR_OF_ADDRESS] = { "consent of address", OF_ADDRESS_SQL },
};

typedef int cr_fn(const struct pf_consent_record *r, void *arg);

const struct pf_sql_set pf_sql_set_consent = { PF_SQL_CONSENT, NSTMT, sql };

#define Q(id)	PF_SQL_REF(&pf_sql_set_consent, id)

/* A row of CR_COLS to the walk's callback. */
static int
cr_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;
	const struct pf_consent_record	 c = { .id = COL_I(0),
	    .device = COL_T(1), .notice = COL_T(2), .language = COL_T(3),
	    .allowed = COL_T(4), .refused = COL_T(5), .action = COL_T(6),
	    .method = COL_T(7), .gpc = (int)COL_I(8),
	    .jurisdiction = COL_T(9), .created = COL_T(10) };

	return PF_WALK_CALL(cr_fn, w, &c);
}

/*
 * q, whose one parameter is key, with each row it returns to fn: all of
 * them (pf_sql_each) or the first (pf_sql_one, PF_ENOTFOUND for none).
 */
static int
walk(struct pf_store *st, int q, const char *key, int first, cr_fn *fn,
    void *arg)
{
	int	(*run)(struct pf_store *, struct pf_sql_ref, struct pf_sql_args,
	    pf_row_fn *, void *) = first ? pf_sql_one : pf_sql_each;

	return run(st, Q(q), PF_ARGS(PF_T(key)), cr_row, PF_WALK(fn, arg));
}

int
pf_store_consent_put(struct pf_store *st, const struct pf_consent_record *r,
    long long *id)
{
	return pf_sql_insert(st, Q(CR_PUT), PF_ARGS(PF_T(r->device),
	    PF_T(r->notice), PF_T(r->language), PF_T(r->allowed),
	    PF_T(r->refused), PF_T(r->action), PF_T(r->method), PF_I(r->gpc),
	    PF_T(r->jurisdiction), PF_T(r->created)), id);
}

int
pf_store_consent_last(struct pf_store *st, const char *device,
    int (*fn)(const struct pf_consent_record *r, void *arg), void *arg)
{
	return walk(st, CR_LAST, device, 1, fn, arg);
}

int
pf_store_consent_count(struct pf_store *st, const char *device,
    const char *method, const char *since, long long *n)
{
	*n = 0;
	return pf_sql_one(st, Q(CR_COUNT), PF_ARGS(PF_T(device), PF_T(method),
	    PF_T(since)), pf_row_int0, n);
}

int
pf_store_consent_each(struct pf_store *st, const char *since,
    int (*fn)(const struct pf_consent_record *r, void *arg), void *arg)
{
	return walk(st, CR_EACH, since, 0, fn, arg);
}

int
pf_store_consent_of_address(struct pf_store *st, const char *address,
    int (*fn)(const struct pf_consent_record *r, void *arg), void *arg)
{
	return walk(st, CR_OF_ADDRESS, address, 0, fn, arg);
}

int
pf_store_consent_purge(struct pf_store *st, const char *before, long long *n)
{
	return pf_sql_exec(st, Q(CR_PURGE), PF_ARGS(PF_T(before)), n);
}
