/*
 * store.c -- the queries of marketing opt-outs, the Do-Not-Call register,
 * audit records and the outbox (store.h; 001-initial.sql).
 *
 * Every query is one entry of sql[] below, run through store_sql.h: values
 * are only ever bound, and never logged.  The connection, the pragmas and
 * transactions are in store_sqlite.c and store_pg.c; the other tables' queries in
 * store_requests.c, store_feedback.c, store_guard.c and store_metrics.c.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "lang.h"
#include "store.h"
#include "store_impl.h"
#include "store_sql.h"
#include "utc.h"

#define OPTOUT_COLS "channel, address, list, reason, source, created, updated"

#define DNC_COLS "number, country, first_name, last_name, company, " \
	"email, created, updated"

#define AUDIT_COLS "seq, time, event, form, prev, digest, xml"

enum {
	OPTOUT_PUT, OPTOUT_EACH, OPTOUT_COUNT, OPTOUT_OF, OPTOUT_REMOVE,
	OPTOUT_GET, OPTOUT_DELETE,
	DNC_PUT, DNC_GET, DNC_EACH, DNC_STALE, DNC_REMOVE, DNC_PURGE, DNC_COUNT,
	DNC_OF_EMAIL, AUDIT_LAST, AUDIT_PUT, AUDIT_GET, AUDIT_EACH,
	AUDIT_LAST_OF,
	OUTBOX_PUT, OUTBOX_SENT, OUTBOX_DEFER, OUTBOX_FAILED,
	OUTBOX_REQUEUE, OUTBOX_REQUEUE_ALL, OUTBOX_COUNTS, OUTBOX_GET,
	OUTBOX_WAITING, OUTBOX_FAILED_EACH, OUTBOX_FORGET,
	OUTBOX_FORGET_SUBJECT, NSTMT
};

static const struct pf_sql sql[NSTMT] = {
	[OPTOUT_PUT] = { "optout put",
	    "INSERT INTO optout (channel, address, list, reason, source, "
	    "created, updated, lang) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7) "
	    "ON CONFLICT (channel, address, list) DO UPDATE SET "
	    "updated = excluded.updated, reason = excluded.reason, "
	    "source = excluded.source, lang = excluded.lang", .ahead = 1 },
	[OPTOUT_EACH] = { "optout each",
	    "SELECT " OPTOUT_COLS " FROM optout "
	    "ORDER BY created, channel, address, list" },
	[OPTOUT_COUNT] = { "optout count", "SELECT count(*) FROM optout" },
	/*
	 * OPTOUT_OF and OPTOUT_REMOVE, an erasure's: naming both channels
	 * lets the key (channel, address, list) find the rows without a scan.
	 */
	[OPTOUT_OF] = { "optout of",
	    "SELECT " OPTOUT_COLS " FROM optout "
	    "WHERE channel IN ('email', 'sms') AND address = ?1 "
	    "ORDER BY created, channel, list" },
	[OPTOUT_REMOVE] = { "optout remove",
	    "DELETE FROM optout WHERE channel IN ('email', 'sms') "
	    "AND address = ?1" },
	/* One row by its key (subscription.c). */
	[OPTOUT_GET] = { "optout get",
	    "SELECT " OPTOUT_COLS " FROM optout "
	    "WHERE channel = ?1 AND address = ?2 AND list = ?3" },
	[OPTOUT_DELETE] = { "optout delete",
	    "DELETE FROM optout WHERE channel = ?1 AND address = ?2 "
	    "AND list = ?3" },
	/* created is the one column a repeat leaves alone. */
	[DNC_PUT] = { "dnc put",
	    "INSERT INTO dnc (" DNC_COLS ", lang) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8) "
	    "ON CONFLICT (number) DO UPDATE SET country = excluded.country, "
	    "first_name = excluded.first_name, "
	    "last_name = excluded.last_name, company = excluded.company, "
	    "email = excluded.email, updated = excluded.updated, "
	    "lang = excluded.lang", .ahead = 1 },
	[DNC_GET] = { "dnc get",
	    "SELECT " DNC_COLS " FROM dnc WHERE number = ?1" },
	/*
	 * A prefix such as "2026-11-24" sorts before every time that starts
	 * with it, so >= takes that whole day.
	 */
	[DNC_EACH] = { "dnc each",
	    "SELECT " DNC_COLS " FROM dnc "
	    "WHERE CAST(?1 AS TEXT) IS NULL OR created >= ?1 "
	    "ORDER BY created, number" },
	[DNC_STALE] = { "dnc stale",
	    "SELECT " DNC_COLS " FROM dnc WHERE updated < ?1 "
	    "ORDER BY updated, number LIMIT ?2" },
	[DNC_REMOVE] = { "dnc remove", "DELETE FROM dnc WHERE number = ?1" },
	/* Only the row DNC_STALE listed: not one registered again since. */
	[DNC_PURGE] = { "dnc purge",
	    "DELETE FROM dnc WHERE number = ?1 AND updated = ?2" },
	[DNC_COUNT] = { "dnc count", "SELECT count(*) FROM dnc" },
	/* An export's and an erasure's, rare; a scan of the register. */
	[DNC_OF_EMAIL] = { "dnc of email",
	    "SELECT " DNC_COLS " FROM dnc WHERE email = ?1 "
	    "ORDER BY created, number" },
	[AUDIT_LAST] = { "audit last",
	    "SELECT seq, digest FROM audit ORDER BY seq DESC LIMIT 1" },
	[AUDIT_PUT] = { "audit put",
	    "INSERT INTO audit (" AUDIT_COLS ") "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)" },
	[AUDIT_GET] = { "audit get",
	    "SELECT " AUDIT_COLS " FROM audit WHERE seq = ?1" },
	/* A page of pf_store_audit_each's. */
	[AUDIT_EACH] = { "audit each",
	    "SELECT " AUDIT_COLS " FROM audit WHERE seq >= ?1 ORDER BY seq "
	    "LIMIT CAST(?2 AS INTEGER)" },
	/* From the end back: only after a restore, whose record is near it. */
	[AUDIT_LAST_OF] = { "audit last of",
	    "SELECT " AUDIT_COLS " FROM audit WHERE event = ?1 "
	    "ORDER BY seq DESC LIMIT 1" },
	[OUTBOX_PUT] = { "outbox put",
	    "INSERT INTO outbox (template, recipient, vals, subject, state, "
	    "attempts, next_try, created, updated, lang) "
	    "VALUES (?1, ?2, ?3, ?4, 'queued', 0, ?5, ?5, ?5, ?6)",
	    .ahead = 1 },
	/*
	 * The address and values are what made the message personal; once
	 * it has gone nothing needs them ('' because both columns are NOT
	 * NULL).  A failed message keeps them for a requeue.
	 */
	[OUTBOX_SENT] = { "outbox sent",
	    "UPDATE outbox SET state = 'sent', recipient = '', vals = '', "
	    "updated = ?2 WHERE id = ?1 AND state = 'sending'" },
	[OUTBOX_DEFER] = { "outbox defer",
	    "UPDATE outbox SET state = 'queued', attempts = ?2, "
	    "next_try = ?3, last_error = ?4, updated = ?5 "
	    "WHERE id = ?1 AND state = 'sending'" },
	[OUTBOX_FAILED] = { "outbox failed",
	    "UPDATE outbox SET state = 'failed', attempts = ?2, "
	    "last_error = ?3, updated = ?4 "
	    "WHERE id = ?1 AND state = 'sending'" },
	/* A fresh start, so no error of its past life. */
	[OUTBOX_REQUEUE] = { "outbox requeue",
	    "UPDATE outbox SET state = 'queued', attempts = 0, next_try = ?2, "
	    "last_error = NULL, updated = ?2 "
	    "WHERE id = ?1 AND state = 'failed'" },
	[OUTBOX_REQUEUE_ALL] = { "outbox requeue all",
	    "UPDATE outbox SET state = 'queued', attempts = 0, next_try = ?1, "
	    "last_error = NULL, updated = ?1 WHERE state = 'failed'" },
	[OUTBOX_COUNTS] = { "outbox counts",
	    "SELECT count(*) FILTER (WHERE state = 'queued'), "
	    "count(*) FILTER (WHERE state = 'sending'), "
	    "count(*) FILTER (WHERE state = 'sent'), "
	    "count(*) FILTER (WHERE state = 'failed') FROM outbox" },
	[OUTBOX_GET] = { "outbox get",
	    "SELECT " PF_OUTBOX_COLS " FROM outbox WHERE id = ?1" },
	/* Why queued messages wait, most common first. */
	[OUTBOX_WAITING] = { "outbox waiting",
	    "SELECT last_error, count(*), min(next_try) FROM outbox "
	    "WHERE state = 'queued' AND last_error IS NOT NULL "
	    "GROUP BY last_error ORDER BY 2 DESC, 1" },
	/* The recipient's domain, never the address. */
	[OUTBOX_FAILED_EACH] = { "outbox failed each",
	    "SELECT id, substr(recipient, instr(recipient, '@') + 1), "
	    "last_error, attempts, updated FROM outbox "
	    "WHERE state = 'failed' ORDER BY id" },
	/*
	 * recipient is the normalised address (domain lower-cased, local
	 * part as typed); lower() of both sides compares them as email keys
	 * do (addresses are ASCII, validate.h).  A message being sent goes
	 * too: its sender's outcome then finds no row (PF_ENOTFOUND) and is
	 * dropped.
	 */
	[OUTBOX_FORGET] = { "outbox forget",
	    "DELETE FROM outbox WHERE state IN ('queued', 'sending', 'failed') "
	    "AND lower(recipient) = lower(?1)" },
	/* An erasure's, rare; a scan of the outbox. */
	[OUTBOX_FORGET_SUBJECT] = { "outbox forget subject",
	    "DELETE FROM outbox WHERE state IN ('queued', 'sending', 'failed') "
	    "AND subject = ?1" },
};

const struct pf_sql_set pf_sql_set_core = { PF_SQL_CORE, NSTMT, sql };

#define Q(id)	PF_SQL_REF(&pf_sql_set_core, id)

/* ---- transactions ---- */

int
pf_row_any(const struct pf_row *row, void *ctx)
{
	(void)row;
	(void)ctx;
	return PF_OK;
}

int
pf_store_lock(struct pf_store *st, const char *kind, const char *a,
    const char *b)
{
	/* No row wanted: PostgreSQL sends it ahead of the read it guards. */
	return pf_sql_each(st, pf_sql_dialect(st, PF_DIALECT_KEY_LOCK),
	    PF_ARGS(PF_T(kind), PF_T(a), PF_T(b)), NULL, NULL);
}

/* ---- marketing opt-outs ---- */

typedef int optout_fn(const struct pf_optout *o, void *arg);

/* A row of OPTOUT_COLS to the walk's callback. */
static int
optout_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;
	const struct pf_optout		 o = { .channel = COL_T(0),
	    .address = COL_T(1), .list = COL_T(2), .reason = COL_T(3),
	    .source = COL_T(4), .created = COL_T(5), .updated = COL_T(6) };

	return PF_WALK_CALL(optout_fn, w, &o);
}

int
pf_store_optout_put(struct pf_store *st, const struct pf_optout *o,
    const char *now)
{
	return pf_sql_exec(st, Q(OPTOUT_PUT), PF_ARGS(PF_T(o->channel),
	    PF_T(o->address), PF_T(o->list != NULL ? o->list : ""),
	    PF_T(o->reason), PF_T(o->source), PF_NOW(now),
	    PF_T(pf_lang_current())), NULL);
}

int
pf_store_optout_each(struct pf_store *st,
    int (*fn)(const struct pf_optout *o, void *arg), void *arg)
{
	return pf_sql_each(st, Q(OPTOUT_EACH), PF_NOARGS,
	    optout_row, PF_WALK(fn, arg));
}

int
pf_store_optout_count(struct pf_store *st, long long *n)
{
	return pf_sql_one(st, Q(OPTOUT_COUNT), PF_NOARGS, pf_row_int0, n);
}

int
pf_store_optout_of(struct pf_store *st, const char *address,
    int (*fn)(const struct pf_optout *o, void *arg), void *arg)
{
	return pf_sql_each(st, Q(OPTOUT_OF), PF_ARGS(PF_T(address)),
	    optout_row, PF_WALK(fn, arg));
}

int
pf_store_optout_remove(struct pf_store *st, const char *address,
    long long *n)
{
	return pf_sql_exec(st, Q(OPTOUT_REMOVE), PF_ARGS(PF_T(address)), n);
}

int
pf_store_optout_get(struct pf_store *st, const char *channel,
    const char *address, const char *list, optout_fn *fn, void *arg, int *yes)
{
	int	 rc;

	*yes = 0;
	rc = pf_sql_one(st, Q(OPTOUT_GET), PF_ARGS(PF_T(channel),
	    PF_T(address), PF_T(list)), fn != NULL ? optout_row : pf_row_any,
	    fn != NULL ? PF_WALK(fn, arg) : NULL);
	if (rc == PF_ENOTFOUND)
		return PF_OK;
	*yes = rc == PF_OK;
	return rc;
}

int
pf_store_optout_delete(struct pf_store *st, const char *channel,
    const char *address, const char *list, long long *n)
{
	return pf_sql_exec(st, Q(OPTOUT_DELETE), PF_ARGS(PF_T(channel),
	    PF_T(address), PF_T(list)), n);
}

/* ---- the Do-Not-Call register ---- */

typedef int dnc_fn(const struct pf_dnc *d, void *arg);

/* A row of DNC_COLS to the walk's callback. */
static int
dnc_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;
	const struct pf_dnc	 d = { .number = COL_T(0), .country = COL_T(1),
	    .first_name = COL_T(2), .last_name = COL_T(3), .company = COL_T(4),
	    .email = COL_T(5), .created = COL_T(6), .updated = COL_T(7) };

	return PF_WALK_CALL(dnc_fn, w, &d);
}

int
pf_store_dnc_put(struct pf_store *st, const struct pf_dnc *d, const char *now)
{
	return pf_sql_exec(st, Q(DNC_PUT), PF_ARGS(PF_T(d->number),
	    PF_T(d->country), PF_T(d->first_name), PF_T(d->last_name),
	    PF_T(d->company), PF_T(d->email), PF_NOW(now),
	    PF_T(pf_lang_current())), NULL);
}

int
pf_store_dnc_get(struct pf_store *st, const char *number,
    int (*fn)(const struct pf_dnc *d, void *arg), void *arg)
{
	return pf_sql_one(st, Q(DNC_GET), PF_ARGS(PF_T(number)),
	    dnc_row, PF_WALK(fn, arg));
}

int
pf_store_dnc_each(struct pf_store *st, const char *since,
    int (*fn)(const struct pf_dnc *d, void *arg), void *arg)
{

	/* A NULL since binds NULL, which the statement reads as "all". */
	return pf_sql_each(st, Q(DNC_EACH), PF_ARGS(PF_T(since)),
	    dnc_row, PF_WALK(fn, arg));
}

int
pf_store_dnc_stale(struct pf_store *st, const char *before, int limit,
    int (*fn)(const struct pf_dnc *d, void *arg), void *arg)
{
	return pf_sql_stale(st, Q(DNC_STALE), before, limit, dnc_row,
	    PF_WALK(fn, arg));
}

int
pf_store_dnc_remove(struct pf_store *st, const char *number)
{
	return pf_sql_change(st, Q(DNC_REMOVE), PF_ARGS(PF_T(number)));
}

int
pf_store_dnc_purge(struct pf_store *st, const char *number,
    const char *updated)
{
	return pf_sql_change(st, Q(DNC_PURGE), PF_ARGS(PF_T(number),
	    PF_T(updated)));
}

int
pf_store_dnc_count(struct pf_store *st, long long *n)
{
	return pf_sql_one(st, Q(DNC_COUNT), PF_NOARGS, pf_row_int0, n);
}

int
pf_store_dnc_of_email(struct pf_store *st, const char *email,
    int (*fn)(const struct pf_dnc *d, void *arg), void *arg)
{
	return pf_sql_each(st, Q(DNC_OF_EMAIL), PF_ARGS(PF_T(email)), dnc_row,
	    PF_WALK(fn, arg));
}

/* ---- audit records ---- */

struct audit_last {
	long long	*seq;
	char		*digest;
};

static int
audit_last_row(const struct pf_row *r, void *ctx)
{
	const struct audit_last	*a = ctx;
	const char		*d = pf_row_text(r, 1);

	*a->seq = pf_row_int(r, 0);
	if (d == NULL || strlen(d) != 64) {
		pf_log(PF_LOG_ERR, "store: audit record %lld has a "
		    "malformed digest", *a->seq);
		return PF_ESTORE;
	}
	memcpy(a->digest, d, 65);
	return PF_OK;
}

int
pf_store_audit_last(struct pf_store *st, long long *seq, char digest[65])
{
	struct audit_last	 a = { seq, digest };
	int			 err;

	*seq = 0;
	memset(digest, '0', 64);
	digest[64] = '\0';
	err = pf_sql_one(st, Q(AUDIT_LAST), PF_NOARGS, audit_last_row, &a);
	return err == PF_ENOTFOUND ? PF_OK : err;
}

int
pf_store_audit_next(struct pf_store *st, long long *seq, char digest[65])
{
	int	 err;

	if ((err = pf_sql_each(st, pf_sql_dialect(st, PF_DIALECT_AUDIT_LOCK),
	    PF_NOARGS, NULL, NULL)) != PF_OK)
		return err;
	return pf_store_audit_last(st, seq, digest);
}

int
pf_store_audit_put(struct pf_store *st, const struct pf_audit_row *r)
{
	if (r->xml_len > INT_MAX)
		return PF_ETOOBIG;
	return pf_sql_exec(st, Q(AUDIT_PUT), PF_ARGS(PF_I(r->seq),
	    PF_T(r->time), PF_T(r->event), PF_T(r->form), PF_T(r->prev),
	    PF_T(r->digest), PF_BLOB(r->xml, r->xml_len)), NULL);
}

typedef int audit_fn(const struct pf_audit_row *r, void *arg);

/* A row of AUDIT_COLS to the walk's callback. */
int
pf_store_audit_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;
	struct pf_audit_row	 a = {
		.seq = COL_I(0),
		.time = COL_T(1),
		.event = COL_T(2),
		.form = COL_T(3),
		.prev = COL_T(4),
		.digest = COL_T(5),
	};

	a.xml = pf_row_blob(r, 6, &a.xml_len);
	return PF_WALK_CALL(audit_fn, w, &a);
}

int
pf_store_audit_get(struct pf_store *st, long long seq,
    int (*fn)(const struct pf_audit_row *r, void *arg), void *arg)
{
	return pf_sql_one(st, Q(AUDIT_GET), PF_ARGS(PF_I(seq)),
	    pf_store_audit_row, PF_WALK(fn, arg));
}

/*
 * The trail is read AUDIT_PAGE records a statement: libpq receives all
 * of a statement's rows before the first is read, so one open-ended read
 * would send the rest of the trail even when fn stops early, and a walk
 * in batches (audit_file.c: 256 a call) would move n * n / 512 rows.
 */
#define AUDIT_PAGE	256

struct audit_pages {
	int		(*fn)(const struct pf_audit_row *, void *);
	void		*arg;
	long long	 next;		/* the seq the next page starts at */
	int		 n;		/* rows of this page */
};

static int
audit_page_row(const struct pf_audit_row *r, void *arg)
{
	struct audit_pages	*ap = arg;

	ap->next = r->seq + 1;
	ap->n++;
	return ap->fn(r, ap->arg);
}

int
pf_store_audit_each(struct pf_store *st, long long from,
    int (*fn)(const struct pf_audit_row *r, void *arg), void *arg)
{
	struct audit_pages	 ap = { fn, arg, from, 0 };
	int			 rc;

	do {
		ap.n = 0;
		rc = pf_sql_each(st, Q(AUDIT_EACH), PF_ARGS(PF_I(ap.next),
		    PF_I(AUDIT_PAGE)), pf_store_audit_row,
		    PF_WALK(audit_page_row, &ap));
	} while (rc == PF_OK && ap.n == AUDIT_PAGE);
	return rc;
}

int
pf_store_audit_last_of(struct pf_store *st, const char *event,
    int (*fn)(const struct pf_audit_row *r, void *arg), void *arg)
{
	return pf_sql_one(st, Q(AUDIT_LAST_OF), PF_ARGS(PF_T(event)),
	    pf_store_audit_row, PF_WALK(fn, arg));
}

/* ---- the outbox ---- */

int
pf_store_outbox_put(struct pf_store *st, const char *template,
    const char *recipient, const char *vals, const char *subject,
    const char *lang, const char *now, long long *id)
{
	return pf_sql_insert(st, Q(OUTBOX_PUT), PF_ARGS(PF_T(template),
	    PF_T(recipient), PF_T(vals), PF_T(subject), PF_T(now),
	    PF_T(lang)), id);
}

typedef int outbox_fn(const struct pf_outbox_row *r, void *arg);

/* A row of PF_OUTBOX_COLS to the walk's callback. */
static int
outbox_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;
	const struct pf_outbox_row	 o = { .id = COL_I(0),
	    .template = COL_T(1), .recipient = COL_T(2), .vals = COL_T(3),
	    .subject = COL_T(4), .state = COL_T(5), .attempts = (int)COL_I(6),
	    .next_try = COL_T(7), .last_error = COL_T(8), .created = COL_T(9),
	    .updated = COL_T(10), .lang = COL_T(11) };

	return PF_WALK_CALL(outbox_fn, w, &o);
}

int
pf_store_outbox_claim(struct pf_store *st, const char *now,
    const char *lease_end, int (*fn)(const struct pf_outbox_row *r, void *arg),
    void *arg)
{
	return pf_sql_one(st, pf_sql_dialect(st, PF_DIALECT_OUTBOX_CLAIM),
	    PF_ARGS(PF_T(now), PF_T(lease_end)), outbox_row, PF_WALK(fn, arg));
}

int
pf_store_outbox_get(struct pf_store *st, long long id,
    int (*fn)(const struct pf_outbox_row *r, void *arg), void *arg)
{
	return pf_sql_one(st, Q(OUTBOX_GET), PF_ARGS(PF_I(id)), outbox_row,
	    PF_WALK(fn, arg));
}

int
pf_store_outbox_sent(struct pf_store *st, long long id, const char *now)
{
	return pf_sql_change(st, Q(OUTBOX_SENT), PF_ARGS(PF_I(id), PF_T(now)));
}

int
pf_store_outbox_defer(struct pf_store *st, long long id, int attempts,
    const char *next_try, const char *error, const char *now)
{
	return pf_sql_change(st, Q(OUTBOX_DEFER), PF_ARGS(PF_I(id),
	    PF_I(attempts), PF_T(next_try), PF_T(error), PF_T(now)));
}

int
pf_store_outbox_failed(struct pf_store *st, long long id, int attempts,
    const char *error, const char *now)
{
	return pf_sql_change(st, Q(OUTBOX_FAILED), PF_ARGS(PF_I(id),
	    PF_I(attempts), PF_T(error), PF_T(now)));
}

int
pf_store_outbox_requeue(struct pf_store *st, long long id, const char *now)
{
	return pf_sql_change(st, Q(OUTBOX_REQUEUE), PF_ARGS(PF_I(id),
	    PF_T(now)));
}

int
pf_store_outbox_requeue_all(struct pf_store *st, const char *now,
    long long *n)
{
	return pf_sql_exec(st, Q(OUTBOX_REQUEUE_ALL), PF_ARGS(PF_T(now)), n);
}

typedef int waiting_fn(const struct pf_outbox_waiting *w, void *arg);

static int
waiting_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;
	const struct pf_outbox_waiting	 o = { .error = COL_T(0),
	    .count = COL_I(1), .next_try = COL_T(2) };

	return PF_WALK_CALL(waiting_fn, w, &o);
}

int
pf_store_outbox_waiting(struct pf_store *st,
    int (*fn)(const struct pf_outbox_waiting *w, void *arg), void *arg)
{
	return pf_sql_each(st, Q(OUTBOX_WAITING), PF_NOARGS,
	    waiting_row, PF_WALK(fn, arg));
}

typedef int failure_fn(const struct pf_outbox_failure *f, void *arg);

static int
failure_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;
	const struct pf_outbox_failure	 f = { .id = COL_I(0),
	    .domain = COL_T(1), .error = COL_T(2), .attempts = (int)COL_I(3),
	    .updated = COL_T(4) };

	return PF_WALK_CALL(failure_fn, w, &f);
}

int
pf_store_outbox_failed_each(struct pf_store *st,
    int (*fn)(const struct pf_outbox_failure *f, void *arg), void *arg)
{
	return pf_sql_each(st, Q(OUTBOX_FAILED_EACH), PF_NOARGS, failure_row,
	    PF_WALK(fn, arg));
}

struct counts {
	long long	*queued, *sending, *sent, *failed;
};

static int
counts_row(const struct pf_row *r, void *ctx)
{
	const struct counts	*c = ctx;

	*c->queued = pf_row_int(r, 0);
	*c->sending = pf_row_int(r, 1);
	*c->sent = pf_row_int(r, 2);
	*c->failed = pf_row_int(r, 3);
	return PF_OK;
}

int
pf_store_outbox_counts(struct pf_store *st, long long *queued,
    long long *sending, long long *sent, long long *failed)
{
	struct counts	 c = { queued, sending, sent, failed };

	return pf_sql_one(st, Q(OUTBOX_COUNTS), PF_NOARGS, counts_row, &c);
}

int
pf_store_outbox_forget(struct pf_store *st, const char *recipient,
    long long *n)
{
	return pf_sql_exec(st, Q(OUTBOX_FORGET), PF_ARGS(PF_T(recipient)), n);
}

int
pf_store_outbox_forget_subject(struct pf_store *st, const char *subject,
    long long *n)
{
	return pf_sql_exec(st, Q(OUTBOX_FORGET_SUBJECT), PF_ARGS(PF_T(subject)),
	    n);
}
