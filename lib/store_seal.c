/*
 * store_seal.c -- audit records sealed after the commit: the pending rows
 * and the seal's statements (store.h, "records sealed after the commit").
 *
 * PostgreSQL only: audit_pending and audit.pending exist in
 * lib/schema/pg/015-baseline.sql, not in SQLite's schema, so these
 * statements run only where pf_store_audit_seals says so (store_impl.h
 * keeps them out of pf_sql_sets, whose SQL both engines read).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "hex.h"
#include "store.h"
#include "store_impl.h"
#include "store_sql.h"

enum { PENDING_PUT, HEAD, PENDING_TAKE, SEAL_PUT, TRY_LOCK, WAIT, FREE,
    TAKE_IF_GOT, NSTMT };

#define STR(x)	#x
#define STR_OF(x)	STR(x)

static const struct pf_sql sql[NSTMT] = {
	/* Sent ahead, with the writer's COMMIT: its id is wanted after it. */
	[PENDING_PUT] = { "audit pending put",
	    "INSERT INTO audit_pending (time, event, form, body) "
	    "VALUES (?1, ?2, ?3, ?4)", .ahead = 1 },
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
	/*
	 * A batch in one statement: one array per column, in seq order
	 * (unnest keeps it), so the lock is held one round trip per batch,
	 * not one per record; sent ahead, with the seal's COMMIT.
	 */
	[SEAL_PUT] = { "audit seal put",
	    "INSERT INTO audit (seq, time, event, form, prev, digest, xml, "
	    "pending) SELECT * FROM unnest(CAST(?1 AS bigint[]), "
	    "CAST(?2 AS text[]), CAST(?3 AS text[]), CAST(?4 AS text[]), "
	    "CAST(?5 AS text[]), CAST(?6 AS text[]), CAST(?7 AS bytea[]), "
	    "CAST(?8 AS bigint[]))", .ahead = 1 },
	/*
	 * Held to the end of the transaction, as PF_DIALECT_AUDIT_LOCK; the
	 * answer also kept, to the same end, as privforms.seal (on, off)
	 * for TAKE_IF_GOT, sent with it in one round trip.
	 */
	[TRY_LOCK] = { "audit try lock",
	    "SELECT set_config('privforms.seal', CASE WHEN "
	    "pg_try_advisory_xact_lock(" PF_PG_LOCK_AUDIT ") THEN 'on' "
	    "ELSE 'off' END, true)" },
	/*
	 * PENDING_TAKE of a batch, if TRY_LOCK had the lock (else nothing):
	 * a statement of its own after it, so its snapshot sees every seal
	 * that ended before the lock was had.
	 */
	[TAKE_IF_GOT] = { "audit pending take if got",
	    "WITH t AS (DELETE FROM audit_pending WHERE "
	    "current_setting('privforms.seal') = 'on' AND id IN "
	    "(SELECT id FROM audit_pending ORDER BY id LIMIT "
	    STR_OF(PF_AUDIT_SEAL_BATCH) ") "
	    "RETURNING id, time, event, form, body) "
	    "SELECT id, time, event, form, body FROM t ORDER BY id" },
	/*
	 * Outside a transaction: granted once no seal holds the lock, and
	 * let go at the statement's end.  Shared, so every waiter wakes at
	 * once.
	 */
	[WAIT] = { "audit wait",
	    "SELECT pg_advisory_xact_lock_shared(" PF_PG_LOCK_AUDIT ")" },

	/*
	 * Outside a transaction: how many of the ids are pending rows that
	 * no transaction has taken.  A seal's take deletes the rows it
	 * seals: until it commits, every other session still sees them, with
	 * the seal's transaction as xmax; a take rolled back (a seal killed,
	 * its COMMIT lost, a timeout) leaves its transaction there too, and
	 * the rows are free again.  So a row is free with xmax 0 or an
	 * aborted xmax.  xmax is a 32-bit xid; txid_status wants it with its
	 * epoch, the snapshot's next xid's, or the one before when xmax is
	 * above that (the epoch turned since).  (No row lock: FOR ... SKIP
	 * LOCKED would need UPDATE on audit_pending, which the web role has
	 * not.)
	 */
	[FREE] = { "audit pending free",
	    "SELECT count(*) FROM audit_pending AS p CROSS JOIN (SELECT "
	    "CAST(txid_snapshot_xmax(txid_current_snapshot()) AS bigint) AS "
	    "next) AS s CROSS JOIN LATERAL (SELECT CAST(CAST(p.xmax AS text) "
	    "AS bigint) AS low) AS x WHERE p.id = ANY(CAST(?1 AS bigint[])) "
	    "AND (x.low = 0 OR txid_status(s.next - mod(s.next, 4294967296) + "
	    "x.low - CASE WHEN x.low > mod(s.next, 4294967296) THEN 4294967296 "
	    "ELSE 0 END) = 'aborted')" },
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
	return pf_sql_insert_ahead(st, Q(PENDING_PUT), PF_ARGS(PF_T(p->time),
	    PF_T(p->event), PF_T(p->form), PF_BLOB(p->body, p->body_len)), id);
}

struct head {
	long long	*seq;
	char		*digest;
	char		*time;
	int		*got;	/* the try's: had the lock */
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

/* The head of an empty chain. */
static void
head_none(long long *seq, char digest[65], char time[PF_TIME_SIZE])
{
	*seq = 0;
	memset(digest, '0', 64);
	digest[64] = '\0';
	time[0] = '\0';
}

/* The last record's seq, digest and time, the lock held. */
static int
head_read(struct pf_store *st, long long *seq, char digest[65],
    char time[PF_TIME_SIZE])
{
	struct head	 h = { seq, digest, time, NULL };
	int		 err;

	head_none(seq, digest, time);
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

/* The try, the head and the take of pf_store_audit_begin_take. */
struct try {
	struct head		 h;
	struct pf_sql_walk	*take;
};

/* The try's answer into got (pf_sql_begin_then's rows, all three). */
static int
try_row(const struct pf_row *r, void *ctx)
{
	struct try	*t = ctx;
	const char	*v = COL_T(0);

	*t->h.got = v != NULL && strcmp(v, "on") == 0;
	return PF_OK;
}

static int
try_head_row(const struct pf_row *r, void *ctx)
{
	return head_row(r, &((struct try *)ctx)->h);
}

static int	pending_row(const struct pf_row *r, void *ctx);

static int
try_take_row(const struct pf_row *r, void *ctx)
{
	return pending_row(r, ((struct try *)ctx)->take);
}

int
pf_store_audit_begin_take(struct pf_store *st, long long *seq,
    char digest[65], char time[PF_TIME_SIZE], int *got,
    int (*fn)(const struct pf_audit_pending *p, void *arg), void *arg)
{
	/*
	 * Each its own statement, after the try: their snapshots then see
	 * every seal that ended before the lock was had.
	 */
	const struct pf_sql_ref	 q[] = { Q(TRY_LOCK), Q(HEAD),
	    Q(TAKE_IF_GOT) };
	pf_row_fn *const	 fns[] = { try_row, try_head_row, try_take_row };
	struct try		 t = { { seq, digest, time, got },
	    PF_WALK(fn, arg) };

	head_none(seq, digest, time);
	*got = 0;
	return pf_sql_begin_then(st, q, 3, fns, &t);
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

/*
 * The columns of a batch, each an array literal (its text form), all in
 * one buffer: written twice by the same code, first only counted (p NULL),
 * then into a buffer of the size counted.  (open_memstream would give
 * each column a zeroed 8 KiB buffer at every seal: on PostgreSQL a
 * seventh of a submission's instructions in the worker.)
 */
enum { C_SEQ, C_TIME, C_EVENT, C_FORM, C_PREV, C_DIGEST, C_XML, C_PENDING,
    NCOL };

struct lit {
	char	*p;	/* the buffer, or NULL while counting */
	size_t	 n;	/* bytes so far */
};

static void
lit_put(struct lit *l, const char *s, size_t len)
{
	if (l->p != NULL)
		memcpy(l->p + l->n, s, len);
	l->n += len;
}

static void
lit_int(struct lit *l, long long v)
{
	char	 s[24];

	lit_put(l, s, (size_t)snprintf(s, sizeof(s), "%lld", v));
}

/* A text element: quoted, with " and \ escaped. */
static void
elem_text(struct lit *l, const char *v)
{
	lit_put(l, "\"", 1);
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			lit_put(l, "\\", 1);
		lit_put(l, v, 1);
	}
	lit_put(l, "\"", 1);
}

/* A bytea element: bytea's hex form, its backslash escaped. */
static void
elem_bytea(struct lit *l, const char *v, size_t len)
{
	lit_put(l, "\"\\\\x", 4);
	if (l->p != NULL)
		pf_hex_encode((const unsigned char *)v, len, l->p + l->n);
	l->n += 2 * len;
	lit_put(l, "\"", 1);
}

/* Row i's element of column k. */
static void
elem(struct lit *l, int k, const struct pf_audit_row *r, long long pending)
{
	switch (k) {
	case C_SEQ:	lit_int(l, r->seq); break;
	case C_TIME:	elem_text(l, r->time); break;
	case C_EVENT:	elem_text(l, r->event); break;
	case C_FORM:	elem_text(l, r->form); break;
	case C_PREV:	elem_text(l, r->prev); break;
	case C_DIGEST:	elem_text(l, r->digest); break;
	case C_XML:	elem_bytea(l, r->xml, r->xml_len); break;
	default:	lit_int(l, pending); break;
	}
}

/* Every column, each NUL-terminated, its start into at[k]. */
static void
cols_write(struct lit *l, const struct pf_audit_row *r,
    const long long *pending, size_t n, size_t at[NCOL])
{
	size_t	 i;
	int	 k;

	for (k = 0; k < NCOL; k++) {
		at[k] = l->n;
		for (i = 0; i < n; i++) {
			lit_put(l, i == 0 ? "{" : ",", 1);
			elem(l, k, &r[i], pending[i]);
		}
		lit_put(l, "}", 2);	/* and its NUL */
	}
}

int
pf_store_audit_seal_put(struct pf_store *st, const struct pf_audit_row *r,
    const long long *pending, size_t n)
{
	struct lit	 l = { NULL, 0 };
	size_t		 at[NCOL];
	int		 err;

	if (n == 0)
		return PF_OK;
	cols_write(&l, r, pending, n, at);
	if ((l.p = malloc(l.n)) == NULL)
		return PF_ENOMEM;
	l.n = 0;
	cols_write(&l, r, pending, n, at);
	err = pf_sql_exec(st, Q(SEAL_PUT), PF_ARGS(PF_T(l.p + at[C_SEQ]),
	    PF_T(l.p + at[C_TIME]), PF_T(l.p + at[C_EVENT]),
	    PF_T(l.p + at[C_FORM]), PF_T(l.p + at[C_PREV]),
	    PF_T(l.p + at[C_DIGEST]), PF_T(l.p + at[C_XML]),
	    PF_T(l.p + at[C_PENDING])), NULL);
	free(l.p);
	return err;
}

int
pf_store_audit_taken(struct pf_store *st, const long long *ids, size_t n,
    int *taken)
{
	char		 list[PF_AUDIT_TAKEN_MAX * 21 + 3];
	size_t		 i, len = 0;
	long long	 free_n = 0;
	int		 err;

	if (n == 0 || n > PF_AUDIT_TAKEN_MAX)
		return PF_EINVAL;
	list[len++] = '{';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%lld",
		    i > 0 ? "," : "", ids[i]);
	list[len++] = '}';
	list[len] = '\0';
	if ((err = pf_sql_one(st, Q(FREE), PF_ARGS(PF_T(list)), pf_row_int0,
	    &free_n)) != PF_OK)
		return err;
	*taken = free_n == 0;
	return PF_OK;
}
