/*
 * store_metrics.c -- the read-only counts of `privforms metrics` (store.h,
 * "monitoring").
 *
 * Same rules as store.c, whose connection and helpers this file shares
 * through store_impl.h: every query is one entry of mstmts[], prepared on
 * first use and kept for the life of the connection.  Each is cheap on a
 * site that has run for years: the audit counts come from audit_count
 * (kept by a trigger, 008-audit-count.sql), the outbox's from its
 * (state, next_try) index, which skips the sent rows; the request and trap
 * tables are small.
 */
#include <stdio.h>

#include <sqlite3.h>

#include "err.h"
#include "store.h"
#include "store_impl.h"

static const char *const mstmts[MSTMT__MAX] = {
	/* MSTMT_AUDIT_TALLY */
	"SELECT form, event, n FROM audit_count ORDER BY form, event",
	/* MSTMT_TRAP_TALLY */
	"SELECT form, reason, sum(n) FROM trap_count GROUP BY form, reason "
	"ORDER BY form, reason",
	/* MSTMT_OUTBOX_TALLY: the index outbox_due, never the sent rows. */
	"SELECT state, NULL, count(*) FROM outbox "
	"WHERE state IN ('queued', 'sending', 'failed') "
	"GROUP BY state ORDER BY state",
	/* MSTMT_OUTBOX_OLDEST */
	"SELECT min(created) FROM outbox WHERE state IN ('queued', 'sending')",
	/* MSTMT_DSR_TALLY */
	"SELECT status, NULL, count(*) FROM request GROUP BY status "
	"ORDER BY status",
	/* MSTMT_DSR_DUE */
	"SELECT count(*) FILTER (WHERE due < ?1), "
	"count(*) FILTER (WHERE due >= ?1 AND due <= ?2) "
	"FROM request WHERE status IN ('verified', 'extended')",
};

/* The prepared statement id, ready to bind; prepared on first use. */
static int
mstmt_get(struct pf_store *st, enum mstmt id, sqlite3_stmt **out)
{
	return pf_store_stmt(st, &st->mstmts[id], mstmts[id], out);
}

/* Step statement id (name, name or NULL, count) to its end, calling fn. */
static int
tally(struct pf_store *st, enum mstmt id, const char *what,
    int (*fn)(const char *a, const char *b, long long n, void *arg),
    void *arg)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = mstmt_get(st, id, &s)) != PF_OK)
		return err;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((err = fn((const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1),
		    sqlite3_column_int64(s, 2), arg)) != 0)
			break;
	if (err == PF_OK && rc != SQLITE_DONE)
		err = pf_store_err(st->db, rc, what);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_audit_tally(struct pf_store *st,
    int (*fn)(const char *a, const char *b, long long n, void *arg),
    void *arg)
{
	return tally(st, MSTMT_AUDIT_TALLY, "audit tally", fn, arg);
}

int
pf_store_trap_tally(struct pf_store *st,
    int (*fn)(const char *a, const char *b, long long n, void *arg),
    void *arg)
{
	return tally(st, MSTMT_TRAP_TALLY, "trap tally", fn, arg);
}

int
pf_store_outbox_tally(struct pf_store *st,
    int (*fn)(const char *a, const char *b, long long n, void *arg),
    void *arg)
{
	return tally(st, MSTMT_OUTBOX_TALLY, "outbox tally", fn, arg);
}

int
pf_store_dsr_tally(struct pf_store *st,
    int (*fn)(const char *a, const char *b, long long n, void *arg),
    void *arg)
{
	return tally(st, MSTMT_DSR_TALLY, "request tally", fn, arg);
}

int
pf_store_outbox_oldest(struct pf_store *st, char out[32])
{
	sqlite3_stmt	*s = NULL;
	const char	*t;
	int		 err;

	if ((err = mstmt_get(st, MSTMT_OUTBOX_OLDEST, &s)) != PF_OK)
		return err;
	/* min() of no rows is one row holding NULL. */
	if ((err = pf_store_step_one(st, s, "outbox oldest")) == PF_OK) {
		if ((t = (const char *)sqlite3_column_text(s, 0)) == NULL)
			err = PF_ENOTFOUND;
		else
			snprintf(out, 32, "%s", t);
	}
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_dsr_due(struct pf_store *st, const char *today, const char *last,
    long long *overdue, long long *soon)
{
	sqlite3_stmt	*s = NULL;
	const char	*v[2];
	int		 rc, err;

	if ((err = mstmt_get(st, MSTMT_DSR_DUE, &s)) != PF_OK)
		return err;
	v[0] = today;
	v[1] = last;
	if ((rc = pf_store_bind_texts(s, v, 2)) != SQLITE_OK)
		err = pf_store_err(st->db, rc, "request due bind");
	else if ((err = pf_store_step_one(st, s, "request due")) == PF_OK) {
		*overdue = sqlite3_column_int64(s, 0);
		*soon = sqlite3_column_int64(s, 1);
	}
	pf_store_stmt_done(s);
	return err;
}
