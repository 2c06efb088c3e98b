/*
 * store_metrics.c -- the read-only counts of `privforms metrics` (store.h,
 * "monitoring").
 *
 * Every query is one entry of sql[] below, run through store_sql.h.  Each
 * is cheap on a site that has run for years: the audit counts come from
 * audit_count (kept by a trigger, 008-audit-count.sql), the outbox's from
 * its (state, next_try) index, which skips the sent rows; the request and
 * trap tables are small.
 */
#include <stdio.h>

#include "err.h"
#include "store.h"
#include "store_impl.h"
#include "store_sql.h"
#include "utc.h"

enum {
	AUDIT_TALLY, TRAP_TALLY, OUTBOX_TALLY, OUTBOX_OLDEST, DSR_TALLY,
	DSR_DUE, NSTMT
};

static const struct pf_sql sql[NSTMT] = {
	[AUDIT_TALLY] = { "audit tally",
	    "SELECT form, event, n FROM audit_count ORDER BY form, event" },
	[TRAP_TALLY] = { "trap tally",
	    "SELECT form, reason, sum(n) FROM trap_count "
	    "GROUP BY form, reason ORDER BY form, reason" },
	/* The index outbox_due, never the sent rows. */
	[OUTBOX_TALLY] = { "outbox tally",
	    "SELECT state, NULL, count(*) FROM outbox "
	    "WHERE state IN ('queued', 'sending', 'failed') "
	    "GROUP BY state ORDER BY state" },
	[OUTBOX_OLDEST] = { "outbox oldest",
	    "SELECT min(created) FROM outbox "
	    "WHERE state IN ('queued', 'sending')" },
	[DSR_TALLY] = { "request tally",
	    "SELECT status, NULL, count(*) FROM request GROUP BY status "
	    "ORDER BY status" },
	[DSR_DUE] = { "request due",
	    "SELECT count(*) FILTER (WHERE " PF_DSR_DUE_SQL " < ?1), "
	    "count(*) FILTER (WHERE " PF_DSR_DUE_SQL " >= ?1 AND "
	    PF_DSR_DUE_SQL " <= ?2) "
	    "FROM request WHERE " PF_DSR_OPEN_SQL },
};

const struct pf_sql_set pf_sql_set_metrics = { PF_SQL_METRICS, NSTMT, sql };

#define Q(id)	PF_SQL_REF(&pf_sql_set_metrics, id)

/* A row (name, name or NULL, count) to the walk's callback. */
static int
tally_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;

	return PF_WALK_CALL(pf_store_tally_fn, w, COL_T(0), COL_T(1), COL_I(2));
}

/* Statement id's rows, each to fn. */
static int
tally(struct pf_store *st, int id, pf_store_tally_fn *fn, void *arg)
{
	return pf_sql_each(st, Q(id), PF_NOARGS, tally_row, PF_WALK(fn, arg));
}

int
pf_store_audit_tally(struct pf_store *st, pf_store_tally_fn *fn, void *arg)
{
	return tally(st, AUDIT_TALLY, fn, arg);
}

int
pf_store_trap_tally(struct pf_store *st, pf_store_tally_fn *fn, void *arg)
{
	return tally(st, TRAP_TALLY, fn, arg);
}

int
pf_store_outbox_tally(struct pf_store *st, pf_store_tally_fn *fn, void *arg)
{
	return tally(st, OUTBOX_TALLY, fn, arg);
}

int
pf_store_dsr_tally(struct pf_store *st, pf_store_tally_fn *fn, void *arg)
{
	return tally(st, DSR_TALLY, fn, arg);
}

/* min() of no rows is one row holding NULL: PF_ENOTFOUND. */
static int
oldest_row(const struct pf_row *r, void *ctx)
{
	const char	*t = pf_row_text(r, 0);

	if (t == NULL)
		return PF_ENOTFOUND;
	snprintf(ctx, 32, "%s", t);
	return PF_OK;
}

int
pf_store_outbox_oldest(struct pf_store *st, char out[PF_TIME_SIZE])
{
	return pf_sql_one(st, Q(OUTBOX_OLDEST), PF_NOARGS, oldest_row, out);
}

struct due {
	long long	*overdue, *soon;
};

static int
due_row(const struct pf_row *r, void *ctx)
{
	const struct due	*d = ctx;

	*d->overdue = pf_row_int(r, 0);
	*d->soon = pf_row_int(r, 1);
	return PF_OK;
}

int
pf_store_dsr_due(struct pf_store *st, const char *today, const char *last,
    long long *overdue, long long *soon)
{
	struct due	 d = { overdue, soon };

	return pf_sql_one(st, Q(DSR_DUE), PF_ARGS(PF_T(today), PF_T(last)),
	    due_row, &d);
}
