/*
 * store_seal.c -- audit records sealed after the commit: the pending rows
 * and the seal's statements (store.h, "records sealed after the commit").
 *
 * PostgreSQL only: audit_pending and audit.pending exist in
 * lib/schema/pg/015-baseline.sql, not in SQLite's schema, so these
 * statements run only where pf_store_audit_seals says so (store_impl.h
 * keeps them out of pf_sql_sets, whose SQL both engines read).
 */
#include <limits.h>
#include <string.h>

#include "err.h"
#include "store.h"
#include "store_impl.h"
#include "store_sql.h"

enum { PENDING_PUT, HEAD, PENDING_TAKE, SEAL_PUT, SEALED, TRY_LOCK, WAIT,
    NSTMT };

static const struct pf_sql sql[NSTMT] = {
	[PENDING_PUT] = { "audit pending put",
	    "INSERT INTO audit_pending (time, event, form, body) "
	    "VALUES (?1, ?2, ?3, ?4)" },
	[HEAD] = { "audit head",
	    "SELECT seq, digest, time FROM audit ORDER BY seq DESC LIMIT 1" },
	/*
	 * Deleting is taking: the rows returned are exactly the rows gone,
	 * whatever commits meanwhile (a SELECT, then a DELETE, would each
	 * see their own snapshot under READ COMMITTED).
	 */
	[PENDING_TAKE] = { "audit pending take",
	    "WITH t AS (DELETE FROM audit_pending WHERE id IN "
	    "(SELECT id FROM audit_pending ORDER BY id LIMIT ?1) "
	    "RETURNING id, time, event, form, body) "
	    "SELECT id, time, event, form, body FROM t ORDER BY id" },
	[SEAL_PUT] = { "audit seal put",
	    "INSERT INTO audit (seq, time, event, form, prev, digest, xml, "
	    "pending) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)" },
	[SEALED] = { "audit sealed",
	    "SELECT seq, time, event, form, prev, digest, xml FROM audit "
	    "WHERE pending = ?1" },
	/* Held to the end of the transaction, as PF_DIALECT_AUDIT_LOCK. */
	[TRY_LOCK] = { "audit try lock",
	    "SELECT pg_try_advisory_xact_lock(" PF_PG_LOCK_AUDIT ")" },
	/*
	 * Outside a transaction: granted once no seal holds the lock, and
	 * let go at the statement's end.  Shared, so every waiter wakes at
	 * once.
	 */
	[WAIT] = { "audit wait",
	    "SELECT pg_advisory_xact_lock_shared(" PF_PG_LOCK_AUDIT ")" },
};

const struct pf_sql_set pf_sql_set_seal = { PF_SQL_SEAL, NSTMT, sql };

#define Q(id)	PF_SQL_REF(&pf_sql_set_seal, id)

int
pf_store_audit_seals(struct pf_store *st)
{
	return st->ops->audit_seals;
}

int
pf_store_audit_pending_put(struct pf_store *st,
    const struct pf_audit_pending *p, long long *id)
{
	return pf_sql_insert(st, Q(PENDING_PUT), PF_ARGS(PF_T(p->time),
	    PF_T(p->event), PF_T(p->form), PF_BLOB(p->body, p->body_len)), id);
}

struct head {
	long long	*seq;
	char		*digest;
	char		*time;
};

static int
head_row(const struct pf_row *r, void *ctx)
{
	const struct head	*h = ctx;
	const char		*d = COL_T(1), *t = COL_T(2);

	if (d == NULL || strlen(d) != 64 || t == NULL ||
	    strlen(t) >= PF_TIME_SIZE)
		return PF_ESTORE;
	*h->seq = COL_I(0);
	memcpy(h->digest, d, 65);
	strcpy(h->time, t);
	return PF_OK;
}

/* The last record's seq, digest and time, the lock held. */
static int
head_read(struct pf_store *st, long long *seq, char digest[65],
    char time[PF_TIME_SIZE])
{
	struct head	 h = { seq, digest, time };
	int		 err;

	*seq = 0;
	memset(digest, '0', 64);
	digest[64] = '\0';
	time[0] = '\0';
	err = pf_sql_one(st, Q(HEAD), PF_NOARGS, head_row, &h);
	return err == PF_ENOTFOUND ? PF_OK : err;
}

int
pf_store_audit_head(struct pf_store *st, long long *seq, char digest[65],
    char time[PF_TIME_SIZE])
{
	int	 err;

	if ((err = pf_sql_each(st, pf_sql_dialect(st, PF_DIALECT_AUDIT_LOCK),
	    PF_NOARGS, NULL, NULL)) != PF_OK)
		return err;
	return head_read(st, seq, digest, time);
}

int
pf_store_audit_head_try(struct pf_store *st, long long *seq, char digest[65],
    char time[PF_TIME_SIZE], int *got)
{
	long long	 g = 0;
	int		 err;

	if ((err = pf_sql_one(st, Q(TRY_LOCK), PF_NOARGS, pf_row_int0, &g)) !=
	    PF_OK)
		return err;
	*got = g != 0;
	return *got ? head_read(st, seq, digest, time) : PF_OK;
}

int
pf_store_audit_wait(struct pf_store *st)
{
	return pf_sql_each(st, Q(WAIT), PF_NOARGS, NULL, NULL);
}

typedef int pending_fn(const struct pf_audit_pending *p, void *arg);

static int
pending_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;
	struct pf_audit_pending		 p = {
		.id = COL_I(0),
		.time = COL_T(1),
		.event = COL_T(2),
		.form = COL_T(3),
	};

	p.body = pf_row_blob(r, 4, &p.body_len);
	if (p.time == NULL || p.event == NULL || p.form == NULL ||
	    p.body == NULL)
		return PF_ESTORE;
	return PF_WALK_CALL(pending_fn, w, &p);
}

int
pf_store_audit_pending_take(struct pf_store *st, int limit,
    int (*fn)(const struct pf_audit_pending *p, void *arg), void *arg)
{
	return pf_sql_each(st, Q(PENDING_TAKE), PF_ARGS(PF_I(limit)),
	    pending_row, PF_WALK(fn, arg));
}

int
pf_store_audit_seal_put(struct pf_store *st, const struct pf_audit_row *r,
    long long pending)
{
	if (r->xml_len > INT_MAX)
		return PF_ETOOBIG;
	return pf_sql_exec(st, Q(SEAL_PUT), PF_ARGS(PF_I(r->seq),
	    PF_T(r->time), PF_T(r->event), PF_T(r->form), PF_T(r->prev),
	    PF_T(r->digest), PF_BLOB(r->xml, r->xml_len), PF_I(pending)),
	    NULL);
}

int
pf_store_audit_sealed(struct pf_store *st, long long pending,
    int (*fn)(const struct pf_audit_row *r, void *arg), void *arg)
{
	return pf_sql_one(st, Q(SEALED), PF_ARGS(PF_I(pending)),
	    pf_store_audit_row, PF_WALK(fn, arg));
}
