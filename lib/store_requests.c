/*
 * store_requests.c -- the queries of data subject requests, parties, the
 * erasure of a request's personal fields and the suppression list
 * (store.h; 004-requests.sql).
 *
 * Every query is one entry of sql[] below, run through store_sql.h: values
 * are only ever bound, never logged.
 *
 * A function that writes two rows (a request change and its event) runs
 * them inside a savepoint, so that it writes both or neither: inside the
 * caller's pf_store_begin transaction as a nested one, or on its own.
 */
#include "err.h"
#include "lang.h"
#include "nitems.h"
#include "store.h"
#include "store_impl.h"
#include "store_sql.h"
#include "utc.h"

#define DSR_COLS "id, type, relationship, organisation, first_name, " \
	"last_name, email, email_key, subject, country, state, details, " \
	"law, received, due, acknowledge, extension, extended, status, " \
	"party, verify_by, updated, appeal, appeal_due, appeal_reason, lang"

/* The status a list filters by: an appeal's state over a denial's. */
#define DSR_STATE_SQL "(CASE appeal WHEN 'open' THEN 'appealed' " \
	"WHEN 'denied' THEN 'appeal-denied' ELSE status END)"

#define PARTY_COLS "id, individual, email, created"

enum {
	DSR_PUT, DSR_RECENT, DSR_GET, DSR_EACH, DSR_OF_INDIVIDUAL,
	DSR_EXPIRED, DSR_SET_STATUS, DSR_REVISE, DSR_VERIFY, DSR_EXTEND,
	DSR_DELETE, DSR_PURGE, DSR_ERASE, DSR_APPEAL, DSR_APPEAL_GRANT, DSR_APPEAL_DENY,
	EVENT_ERASE, EVENT_PUT, EVENT_EACH,
	PARTY_GET, PARTY_LINK, PARTY_EACH, PARTY_ERASE, SUPPRESS_PUT,
	SUPPRESSED, SUPPRESS_COUNT, SUPPRESS_CONTACTS, DSR_ANSWERS, NSTMT
};

static const struct pf_sql sql[NSTMT] = {
	/* ?1 to ?18 in the order of dsr_insert's arguments. */
	[DSR_PUT] = { "request put",
	    "INSERT INTO request (type, relationship, organisation, "
	    "first_name, last_name, email, email_key, subject, country, "
	    "state, details, law, received, due, acknowledge, extension, "
	    "verify_by, updated, lang, extended, status, party) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	    "?14, ?15, ?16, ?17, ?18, ?19, 0, 'unverified', NULL)" },
	/* request_email answers it. */
	[DSR_RECENT] = { "request recent",
	    "SELECT id FROM request WHERE email_key = ?1 AND type = ?2 "
	    "AND received >= ?3 ORDER BY received DESC, id DESC LIMIT 1" },
	[DSR_GET] = { "request get",
	    "SELECT " DSR_COLS " FROM request WHERE id = ?1" },
	/* A NULL or 0 parameter does not filter. */
	[DSR_EACH] = { "request each",
	    "SELECT " DSR_COLS " FROM request "
	    "WHERE (CAST(?1 AS TEXT) IS NULL OR " DSR_STATE_SQL " = ?1) "
	    "AND (?2 = 0 OR " PF_DSR_OPEN_SQL ") "
	    "AND (CAST(?3 AS TEXT) IS NULL OR " PF_DSR_DUE_SQL " < ?3) "
	    "ORDER BY " PF_DSR_DUE_SQL ", id" },
	/*
	 * Each request received in [?1, ?2) that was verified, with the UTC
	 * days from its receipt to its answer (the event that closed it), or
	 * NULL while it is open; by type, then days (open ones first).  A
	 * request answered again after a granted appeal (012-appeals.sql)
	 * counts once, by its last answer.
	 */
	[DSR_ANSWERS] = { "request answers",
	    "SELECT r.type, r.status, e.reason, "
	    "CAST(julianday(substr(e.time, 1, 10)) - "
	    "julianday(substr(r.received, 1, 10)) AS INTEGER) "
	    "FROM request r LEFT JOIN request_event e ON e.request = r.id "
	    "AND r.status IN ('fulfilled', 'denied') "
	    "AND e.seq = (SELECT max(seq) FROM request_event WHERE "
	    "request = r.id AND status IN ('fulfilled', 'denied')) "
	    "WHERE r.received >= ?1 AND r.received < ?2 "
	    "AND r.status != 'unverified' "
	    "ORDER BY r.type, 4 NULLS FIRST" },
	[DSR_OF_INDIVIDUAL] = { "request of individual",
	    "SELECT " DSR_COLS " FROM request WHERE email_key IN "
	    "(SELECT email FROM party WHERE individual = ?1) "
	    "ORDER BY received, id" },
	[DSR_EXPIRED] = { "request expired",
	    "SELECT " DSR_COLS " FROM request "
	    "WHERE status = 'unverified' AND verify_by < ?1 "
	    "ORDER BY verify_by, id LIMIT ?2" },
	/*
	 * DSR_SET_STATUS, DSR_VERIFY and DSR_EXTEND: the expected status is
	 * part of the WHERE, so of two operators making the same change the
	 * second changes no row (and is told PF_ENOTFOUND).
	 */
	[DSR_SET_STATUS] = { "request change",
	    "UPDATE request SET status = ?3, updated = ?4 "
	    "WHERE id = ?1 AND status = ?2" },
	/*
	 * ?2 to ?14 in the order of pf_store_dsr_revise's arguments; only an
	 * unverified request, whose data nobody has acted on.
	 */
	[DSR_REVISE] = { "request revise",
	    "UPDATE request SET relationship = ?2, organisation = ?3, "
	    "first_name = ?4, last_name = ?5, email = ?6, country = ?7, "
	    "state = ?8, details = ?9, law = ?10, due = ?11, "
	    "acknowledge = ?12, extension = ?13, updated = ?14, lang = ?15 "
	    "WHERE id = ?1 AND status = 'unverified'" },
	[DSR_VERIFY] = { "request verify",
	    "UPDATE request SET status = 'verified', party = ?2, updated = ?3 "
	    "WHERE id = ?1 AND status = 'unverified'" },
	[DSR_EXTEND] = { "request change",
	    "UPDATE request SET status = 'extended', due = ?2, extended = 1, "
	    "updated = ?3 "
	    "WHERE id = ?1 AND status = 'verified' AND extended = 0" },
	/* Its events go with it (ON DELETE CASCADE). */
	[DSR_DELETE] = { "request delete",
	    "DELETE FROM request WHERE id = ?1" },
	/* Only while DSR_EXPIRED would still list it. */
	[DSR_PURGE] = { "request purge",
	    "DELETE FROM request WHERE id = ?1 AND status = 'unverified'" },
	/* Subject, dates, status and history stay. */
	[DSR_ERASE] = { "request erase",
	    "UPDATE request SET organisation = NULL, first_name = NULL, "
	    "last_name = NULL, email = NULL, email_key = NULL, details = NULL, "
	    "appeal_reason = NULL WHERE email_key = ?1" },
	/*
	 * Once, of a denial: the WHERE is the rule (PF_ENOTFOUND otherwise).
	 * Not of one the person closed by refusing its agent (agent.h): that
	 * is their answer, not the team's decision, and nothing may be done
	 * on it, so such an appeal could never be decided.
	 */
	[DSR_APPEAL] = { "request appeal",
	    "UPDATE request SET appeal = 'open', appeal_due = ?2, "
	    "appeal_reason = ?3, updated = ?4 "
	    "WHERE id = ?1 AND status = 'denied' AND appeal IS NULL "
	    "AND NOT EXISTS (SELECT 1 FROM request_agent "
	    "WHERE request = ?1 AND answer = 'refused')" },
	[DSR_APPEAL_GRANT] = { "request appeal grant",
	    "UPDATE request SET appeal = 'granted', status = 'verified', "
	    "due = appeal_due, updated = ?2 "
	    "WHERE id = ?1 AND appeal = 'open'" },
	[DSR_APPEAL_DENY] = { "request appeal deny",
	    "UPDATE request SET appeal = 'denied', updated = ?2 "
	    "WHERE id = ?1 AND appeal = 'open'" },
	/*
	 * The notes of those requests' histories (a denial's reason may name
	 * the person); run before DSR_ERASE, which blanks the key it finds
	 * them by.
	 */
	[EVENT_ERASE] = { "event erase",
	    "UPDATE request_event SET note = NULL WHERE note IS NOT NULL "
	    "AND request IN (SELECT id FROM request WHERE email_key = ?1)" },
	/* The next seq, read in the write's own lock. */
	[EVENT_PUT] = { "event put",
	    "INSERT INTO request_event (request, seq, time, status, note, "
	    "reason) SELECT ?1, coalesce(max(seq), 0) + 1, ?2, ?3, ?4, ?5 "
	    "FROM request_event WHERE request = ?1", .ahead = 1 },
	[EVENT_EACH] = { "event each",
	    "SELECT request, seq, time, status, note, reason FROM "
	    "request_event WHERE request = ?1 ORDER BY seq" },
	[PARTY_GET] = { "party get",
	    "SELECT " PARTY_COLS " FROM party WHERE id = ?1" },
	/*
	 * Every party of b's individual joins a's.  It matches at least b
	 * itself whenever both exist (even when already linked, the rows are
	 * matched and rewritten unchanged), and no row when either does
	 * not: the change count says which.
	 */
	[PARTY_LINK] = { "party link",
	    "UPDATE party SET individual = (SELECT individual FROM party "
	    "WHERE id = ?1) "
	    "WHERE individual = (SELECT individual FROM party WHERE id = ?2) "
	    "AND EXISTS (SELECT 1 FROM party WHERE id = ?1)" },
	[PARTY_EACH] = { "party each",
	    "SELECT " PARTY_COLS " FROM party WHERE individual = ?1 "
	    "ORDER BY id" },
	[PARTY_ERASE] = { "party erase",
	    "UPDATE party SET email = NULL WHERE id = ?1" },
	[SUPPRESS_PUT] = { "suppress put",
	    "INSERT INTO suppression (kind, hash, channel, created) "
	    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING" },
	[SUPPRESSED] = { "suppressed",
	    "SELECT 1 FROM suppression WHERE kind = ?1 AND hash = ?2 "
	    "AND channel = ?3" },
	[SUPPRESS_COUNT] = { "suppress count",
	    "SELECT count(*) FROM suppression" },
	[SUPPRESS_CONTACTS] = { "suppress contacts",
	    "SELECT count(*) FROM suppression WHERE channel <> 'sale'" },
};

const struct pf_sql_set pf_sql_set_requests = { PF_SQL_REQUESTS, NSTMT, sql };

#define Q(id)	PF_SQL_REF(&pf_sql_set_requests, id)

/* ---- data subject requests ---- */

typedef int dsr_fn(const struct pf_dsr *r, void *arg);

/* A row of DSR_COLS to the walk's callback. */
static int
dsr_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;
	const struct pf_dsr	 d = { .id = COL_I(0), .type = COL_T(1),
	    .relationship = COL_T(2), .organisation = COL_T(3),
	    .first_name = COL_T(4), .last_name = COL_T(5), .email = COL_T(6),
	    .email_key = COL_T(7), .subject = COL_T(8), .country = COL_T(9),
	    .state = COL_T(10), .details = COL_T(11), .law = COL_T(12),
	    .received = COL_T(13), .due = COL_T(14), .acknowledge = COL_T(15),
	    .extension = COL_T(16), .extended = (int)COL_I(17),
	    .status = COL_T(18), .party = COL_I(19) /* NULL reads as 0 */,
	    .verify_by = COL_T(20), .updated = COL_T(21),
	    .appeal = COL_T(22), .appeal_due = COL_T(23),
	    .appeal_reason = COL_T(24), .lang = COL_T(25) };

	return PF_WALK_CALL(dsr_fn, w, &d);
}

/* What an event records beside its time: status, and note or reason. */
struct event {
	const char	*status, *note, *reason;
};

/* Append event e, at time, to request id's history. */
static int
event_put(struct pf_store *st, long long id, const char *time,
    const struct event *e)
{
	return pf_sql_exec(st, Q(EVENT_PUT), PF_ARGS(PF_I(id), PF_T(time),
	    PF_T(e->status), PF_T(e->note), PF_T(e->reason)), NULL);
}

/* Insert r's row; its id in *id. */
static int
dsr_insert(struct pf_store *st, const struct pf_dsr *r, const char *now,
    long long *id)
{
	return pf_sql_insert(st, Q(DSR_PUT), PF_ARGS(PF_T(r->type),
	    PF_T(r->relationship), PF_T(r->organisation), PF_T(r->first_name),
	    PF_T(r->last_name), PF_T(r->email), PF_T(r->email_key),
	    PF_T(r->subject), PF_T(r->country), PF_T(r->state),
	    PF_T(r->details), PF_T(r->law), PF_T(r->received), PF_T(r->due),
	    PF_T(r->acknowledge), PF_T(r->extension), PF_T(r->verify_by),
	    PF_T(now), PF_T(pf_lang_current())), id);
}

int
pf_store_dsr_put(struct pf_store *st, const struct pf_dsr *r,
    const char *now, long long *id)
{
	char		 t[PF_TIME_SIZE];
	long long	 rid = 0;
	int		 err;

	now = pf_utc_now_or(now, t);
	if ((err = pf_sql_savepoint(st)) != PF_OK)
		return err;
	if ((err = dsr_insert(st, r, now, &rid)) == PF_OK)
		err = event_put(st, rid, r->received,
		    &(struct event){ "unverified", NULL, NULL });
	if ((err = pf_sql_savepoint_end(st, err)) == PF_OK && id != NULL)
		*id = rid;
	return err;
}

int
pf_store_dsr_recent(struct pf_store *st, const char *email_key,
    const char *type, const char *since, long long *id)
{
	int	 err;

	if ((err = pf_store_lock(st, "request", email_key, type)) != PF_OK)
		return err;
	return pf_sql_one(st, Q(DSR_RECENT), PF_ARGS(PF_T(email_key),
	    PF_T(type), PF_T(since)), pf_row_int0, id);
}

int
pf_store_dsr_get(struct pf_store *st, long long id,
    int (*fn)(const struct pf_dsr *r, void *arg), void *arg)
{
	return pf_sql_one(st, Q(DSR_GET), PF_ARGS(PF_I(id)),
	    dsr_row, PF_WALK(fn, arg));
}

int
pf_store_dsr_each(struct pf_store *st, const struct pf_dsr_filter *f,
    int (*fn)(const struct pf_dsr *r, void *arg), void *arg)
{
	static const struct pf_dsr_filter	 all;

	if (f == NULL)
		f = &all;
	return pf_sql_each(st, Q(DSR_EACH), PF_ARGS(PF_T(f->status),
	    PF_I(f->open != 0), PF_T(f->due_before)),
	    dsr_row, PF_WALK(fn, arg));
}

int
pf_store_dsr_of_individual(struct pf_store *st, long long individual,
    int (*fn)(const struct pf_dsr *r, void *arg), void *arg)
{
	return pf_sql_each(st, Q(DSR_OF_INDIVIDUAL), PF_ARGS(PF_I(individual)),
	    dsr_row, PF_WALK(fn, arg));
}

typedef int event_fn(const struct pf_dsr_event *e, void *arg);

static int
event_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk		*w = ctx;
	const struct pf_dsr_event	 e = { .request = COL_I(0),
	    .seq = (int)COL_I(1), .time = COL_T(2), .status = COL_T(3),
	    .note = COL_T(4), .reason = COL_T(5) };

	return PF_WALK_CALL(event_fn, w, &e);
}

int
pf_store_dsr_events(struct pf_store *st, long long id,
    int (*fn)(const struct pf_dsr_event *e, void *arg), void *arg)
{
	return pf_sql_each(st, Q(EVENT_EACH), PF_ARGS(PF_I(id)), event_row,
	    PF_WALK(fn, arg));
}

/*
 * Apply change q to request id (its WHERE requires the status it changes
 * from) and, if it applied, event e at now: both, or neither.
 */
static int
dsr_change(struct pf_store *st, long long id, struct pf_sql_ref q,
    struct pf_sql_args a, const struct event *e, const char *now)
{
	int	 err;

	if ((err = pf_sql_savepoint(st)) != PF_OK)
		return err;
	if ((err = pf_sql_change(st, q, a)) == PF_OK)
		err = event_put(st, id, now, e);
	return pf_sql_savepoint_end(st, err);
}

/* Move request id from status from to e's, with event e at now. */
static int
status_change(struct pf_store *st, long long id, const char *from,
    const struct event *e, const char *now)
{
	char	 t[PF_TIME_SIZE];

	now = pf_utc_now_or(now, t);
	return dsr_change(st, id, Q(DSR_SET_STATUS), PF_ARGS(PF_I(id),
	    PF_T(from), PF_T(e->status), PF_T(now)), e, now);
}

int
pf_store_dsr_set_status(struct pf_store *st, long long id,
    const char *from, const char *to, const char *note, const char *now)
{
	return status_change(st, id, from, &(struct event){ to, note, NULL },
	    now);
}

int
pf_store_dsr_deny(struct pf_store *st, long long id, const char *from,
    const char *reason, const char *now)
{
	return status_change(st, id, from,
	    &(struct event){ "denied", NULL, reason }, now);
}

int
pf_store_dsr_appeal(struct pf_store *st, long long id, const char *due,
    const char *reason, const char *now)
{
	char	 t[PF_TIME_SIZE];

	now = pf_utc_now_or(now, t);
	return dsr_change(st, id, Q(DSR_APPEAL), PF_ARGS(PF_I(id), PF_T(due),
	    PF_T(reason), PF_T(now)),
	    &(struct event){ "appealed", NULL, NULL }, now);
}

int
pf_store_dsr_appeal_decide(struct pf_store *st, long long id, int grant,
    const char *reason, const char *now)
{
	char	 t[PF_TIME_SIZE];

	now = pf_utc_now_or(now, t);
	return dsr_change(st, id, grant ? Q(DSR_APPEAL_GRANT) :
	    Q(DSR_APPEAL_DENY), PF_ARGS(PF_I(id), PF_T(now)),
	    &(struct event){ grant ? "appeal-granted" : "appeal-denied", NULL,
	    reason }, now);
}

int
pf_store_dsr_revise(struct pf_store *st, long long id,
    const struct pf_dsr *r, const char *now)
{
	return pf_sql_change(st, Q(DSR_REVISE), PF_ARGS(PF_I(id),
	    PF_T(r->relationship), PF_T(r->organisation), PF_T(r->first_name),
	    PF_T(r->last_name), PF_T(r->email), PF_T(r->country),
	    PF_T(r->state), PF_T(r->details), PF_T(r->law), PF_T(r->due),
	    PF_T(r->acknowledge), PF_T(r->extension),
	    PF_NOW(now), PF_T(pf_lang_current())));
}

int
pf_store_dsr_verify(struct pf_store *st, long long id, long long party,
    const char *now)
{
	char	 t[PF_TIME_SIZE];

	now = pf_utc_now_or(now, t);
	return dsr_change(st, id, Q(DSR_VERIFY), PF_ARGS(PF_I(id),
	    PF_I(party), PF_T(now)), &(struct event){ "verified", NULL, NULL },
	    now);
}

int
pf_store_dsr_extend(struct pf_store *st, long long id, const char *new_due,
    const char *note, const char *now)
{
	char	 t[PF_TIME_SIZE];

	now = pf_utc_now_or(now, t);
	return dsr_change(st, id, Q(DSR_EXTEND), PF_ARGS(PF_I(id),
	    PF_T(new_due), PF_T(now)), &(struct event){ "extended", note, NULL },
	    now);
}

int
pf_store_dsr_expired(struct pf_store *st, const char *before, int limit,
    int (*fn)(const struct pf_dsr *r, void *arg), void *arg)
{
	return pf_sql_stale(st, Q(DSR_EXPIRED), before, limit, dsr_row,
	    PF_WALK(fn, arg));
}

int
pf_store_dsr_delete(struct pf_store *st, long long id)
{
	return pf_sql_change(st, Q(DSR_DELETE), PF_ARGS(PF_I(id)));
}

int
pf_store_dsr_purge(struct pf_store *st, long long id)
{
	return pf_sql_change(st, Q(DSR_PURGE), PF_ARGS(PF_I(id)));
}

int
pf_store_dsr_erase(struct pf_store *st, const char *email_key, long long *n)
{
	long long	 changed = 0;
	int		 err;

	if ((err = pf_sql_savepoint(st)) != PF_OK)
		return err;
	if ((err = pf_sql_exec(st, Q(EVENT_ERASE), PF_ARGS(PF_T(email_key)),
	    NULL)) == PF_OK &&
	    (err = pf_store_agent_erase(st, email_key)) == PF_OK)
		err = pf_sql_exec(st, Q(DSR_ERASE), PF_ARGS(PF_T(email_key)),
		    &changed);
	if ((err = pf_sql_savepoint_end(st, err)) == PF_OK && n != NULL)
		*n = changed;
	return err;
}

/* ---- parties ---- */

int
pf_store_party_ensure(struct pf_store *st, const char *email_key,
    const char *now, long long *id)
{
	int	 err;

	/* A NULL key would make a new party of no address every time. */
	if (email_key == NULL)
		return PF_EINVAL;
	err = pf_sql_one(st, pf_sql_dialect(st, PF_DIALECT_PARTY_ENSURE),
	    PF_ARGS(PF_T(email_key), PF_NOW(now)),
	    pf_row_int0, id);
	/* An upsert that returns no row is the engine's fault. */
	return err == PF_ENOTFOUND ? PF_ESTORE : err;
}

typedef int party_fn(const struct pf_party *p, void *arg);

/* A row of PARTY_COLS to the walk's callback. */
static int
party_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;
	const struct pf_party	 p = { .id = COL_I(0), .individual = COL_I(1),
	    .email = COL_T(2), .created = COL_T(3) };

	return PF_WALK_CALL(party_fn, w, &p);
}

int
pf_store_party_get(struct pf_store *st, long long id,
    int (*fn)(const struct pf_party *p, void *arg), void *arg)
{
	return pf_sql_one(st, Q(PARTY_GET), PF_ARGS(PF_I(id)),
	    party_row, PF_WALK(fn, arg));
}

int
pf_store_party_each(struct pf_store *st, long long individual,
    int (*fn)(const struct pf_party *p, void *arg), void *arg)
{
	return pf_sql_each(st, Q(PARTY_EACH), PF_ARGS(PF_I(individual)),
	    party_row, PF_WALK(fn, arg));
}

int
pf_store_party_link(struct pf_store *st, long long a, long long b)
{
	int	 err;

	if ((err = pf_store_lock(st, "party link", NULL, NULL)) != PF_OK)
		return err;
	return pf_sql_change(st, Q(PARTY_LINK), PF_ARGS(PF_I(a), PF_I(b)));
}

int
pf_store_party_erase(struct pf_store *st, long long id)
{
	return pf_sql_change(st, Q(PARTY_ERASE), PF_ARGS(PF_I(id)));
}

/* ---- suppression ---- */

int
pf_store_suppress_put(struct pf_store *st, const char *kind,
    const char *hash, const char *channel, const char *now)
{
	return pf_sql_exec(st, Q(SUPPRESS_PUT), PF_ARGS(PF_T(kind), PF_T(hash),
	    PF_T(channel), PF_NOW(now)), NULL);
}

int
pf_store_suppressed(struct pf_store *st, const char *kind, const char *hash,
    const char *channel)
{
	return pf_sql_one(st, Q(SUPPRESSED), PF_ARGS(PF_T(kind), PF_T(hash),
	    PF_T(channel)), pf_row_any, NULL);
}

int
pf_store_suppress_count(struct pf_store *st, long long *n)
{
	return pf_sql_one(st, Q(SUPPRESS_COUNT), PF_NOARGS, pf_row_int0, n);
}

int
pf_store_suppress_contacts(struct pf_store *st, long long *n)
{
	return pf_sql_one(st, Q(SUPPRESS_CONTACTS), PF_NOARGS, pf_row_int0, n);
}

typedef int answer_fn(const struct pf_dsr_answer *a, void *arg);

static int
answer_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;
	const struct pf_dsr_answer	 a = { .type = COL_T(0),
	    .status = COL_T(1), .reason = COL_T(2),
	    .days = COL_T(3) != NULL ? COL_I(3) : -1 };

	return PF_WALK_CALL(answer_fn, w, &a);
}

int
pf_store_dsr_answers(struct pf_store *st, const char *since,
    const char *end, int (*fn)(const struct pf_dsr_answer *a, void *arg),
    void *arg)
{
	return pf_sql_each(st, Q(DSR_ANSWERS), PF_ARGS(PF_T(since), PF_T(end)),
	    answer_row, PF_WALK(fn, arg));
}
