/*
 * store_requests.c -- the queries of data subject requests, parties, the
 * erasure and the suppression list (store.h; 004-requests.sql).
 *
 * Same rules as store.c, whose connection and helpers this file shares
 * through store_impl.h: every query is one entry of rstmts[], prepared on
 * first use and kept for the life of the connection; values are only ever
 * bound, never logged.
 *
 * A function that writes two rows (a request change and its event) runs
 * them inside a savepoint, so that it writes both or neither: inside the
 * caller's pf_store_begin transaction as a nested one, or on its own.
 */
#include <sqlite3.h>

#include "err.h"
#include "store.h"
#include "store_impl.h"

#define DSR_COLS "id, type, relationship, organisation, first_name, " \
	"last_name, email, email_key, subject, country, state, details, " \
	"law, received, due, acknowledge, extension, extended, status, " \
	"party, verify_by, updated"

#define PARTY_COLS "id, individual, email, created"

static const char *const rstmts[RSTMT__MAX] = {
	/* RSTMT_SAVEPOINT */
	"SAVEPOINT pf_requests",
	/* RSTMT_RELEASE */
	"RELEASE pf_requests",
	/* RSTMT_ROLLBACK_TO */
	"ROLLBACK TO pf_requests",
	/* RSTMT_DSR_PUT: ?1 to ?18 in the order of dsr_insert's v[]. */
	"INSERT INTO request (type, relationship, organisation, first_name, "
	"last_name, email, email_key, subject, country, state, details, law, "
	"received, due, acknowledge, extension, verify_by, updated, "
	"extended, status, party) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	"?15, ?16, ?17, ?18, 0, 'unverified', NULL)",
	/* RSTMT_DSR_RECENT: request_email answers it. */
	"SELECT id FROM request WHERE email_key = ?1 AND type = ?2 "
	"AND received >= ?3 ORDER BY received DESC, id DESC LIMIT 1",
	/* RSTMT_DSR_GET */
	"SELECT " DSR_COLS " FROM request WHERE id = ?1",
	/* RSTMT_DSR_EACH: a NULL or 0 parameter does not filter. */
	"SELECT " DSR_COLS " FROM request "
	"WHERE (?1 IS NULL OR status = ?1) "
	"AND (?2 = 0 OR status IN ('verified', 'extended')) "
	"AND (?3 IS NULL OR due < ?3) "
	"ORDER BY due, id",
	/* RSTMT_DSR_OF_INDIVIDUAL */
	"SELECT " DSR_COLS " FROM request WHERE email_key IN "
	"(SELECT email FROM party WHERE individual = ?1) "
	"ORDER BY received, id",
	/* RSTMT_DSR_EXPIRED */
	"SELECT " DSR_COLS " FROM request "
	"WHERE status = 'unverified' AND verify_by < ?1 "
	"ORDER BY verify_by, id LIMIT ?2",
	/*
	 * RSTMT_DSR_SET_STATUS and the two below: the expected status is
	 * part of the WHERE, so of two operators making the same change the
	 * second changes no row (and is told PF_ENOTFOUND).
	 */
	"UPDATE request SET status = ?3, updated = ?4 "
	"WHERE id = ?1 AND status = ?2",
	/*
	 * RSTMT_DSR_REVISE: ?2 to ?14 in the order of pf_store_dsr_revise's
	 * v[]; only an unverified request, whose data nobody has acted on.
	 */
	"UPDATE request SET relationship = ?2, organisation = ?3, "
	"first_name = ?4, last_name = ?5, email = ?6, country = ?7, "
	"state = ?8, details = ?9, law = ?10, due = ?11, acknowledge = ?12, "
	"extension = ?13, updated = ?14 "
	"WHERE id = ?1 AND status = 'unverified'",
	/* RSTMT_DSR_VERIFY */
	"UPDATE request SET status = 'verified', party = ?2, updated = ?3 "
	"WHERE id = ?1 AND status = 'unverified'",
	/* RSTMT_DSR_EXTEND */
	"UPDATE request SET status = 'extended', due = ?2, extended = 1, "
	"updated = ?3 WHERE id = ?1 AND status = 'verified' AND extended = 0",
	/* RSTMT_DSR_DELETE: its events go with it (ON DELETE CASCADE). */
	"DELETE FROM request WHERE id = ?1",
	/* RSTMT_DSR_ERASE: subject, dates, status and history stay. */
	"UPDATE request SET organisation = NULL, first_name = NULL, "
	"last_name = NULL, email = NULL, email_key = NULL, details = NULL "
	"WHERE email_key = ?1",
	/*
	 * RSTMT_EVENT_ERASE: the notes of those requests' histories (a
	 * denial's reason may name the person); run before RSTMT_DSR_ERASE,
	 * which blanks the key it finds them by.
	 */
	"UPDATE request_event SET note = NULL WHERE note IS NOT NULL "
	"AND request IN (SELECT id FROM request WHERE email_key = ?1)",
	/* RSTMT_EVENT_PUT: the next seq, read in the write's own lock. */
	"INSERT INTO request_event (request, seq, time, status, note) "
	"SELECT ?1, coalesce(max(seq), 0) + 1, ?2, ?3, ?4 "
	"FROM request_event WHERE request = ?1",
	/* RSTMT_EVENT_EACH */
	"SELECT request, seq, time, status, note FROM request_event "
	"WHERE request = ?1 ORDER BY seq",
	/*
	 * RSTMT_PARTY_ENSURE: one statement, so that two workers verifying
	 * the same address make one party.  A new party is an individual of
	 * its own: it takes the id SQLite would give (rows are never
	 * deleted, so max + 1 is never reused) and the same as individual.
	 * The no-op update on a conflict is what lets RETURNING give the
	 * existing row's id.  "WHERE true" tells the parser the ON belongs
	 * to the upsert, not to a join.
	 */
	"INSERT INTO party (id, individual, email, created) "
	"SELECT n, n, ?1, ?2 FROM "
	"(SELECT coalesce(max(id), 0) + 1 AS n FROM party) WHERE true "
	"ON CONFLICT (email) DO UPDATE SET email = excluded.email "
	"RETURNING id",
	/* RSTMT_PARTY_GET */
	"SELECT " PARTY_COLS " FROM party WHERE id = ?1",
	/*
	 * RSTMT_PARTY_LINK: every party of b's individual joins a's.  It
	 * matches at least b itself whenever both exist (even when already
	 * linked, the rows are matched and rewritten unchanged), and no row
	 * when either does not: the change count says which.
	 */
	"UPDATE party SET individual = (SELECT individual FROM party "
	"WHERE id = ?1) "
	"WHERE individual = (SELECT individual FROM party WHERE id = ?2) "
	"AND EXISTS (SELECT 1 FROM party WHERE id = ?1)",
	/* RSTMT_PARTY_EACH */
	"SELECT " PARTY_COLS " FROM party WHERE individual = ?1 ORDER BY id",
	/* RSTMT_PARTY_ERASE */
	"UPDATE party SET email = NULL WHERE id = ?1",
	/*
	 * RSTMT_OPTOUT_OF and RSTMT_OPTOUT_REMOVE: naming both channels lets
	 * the key (channel, address, list) find the rows without a scan.
	 */
	"SELECT " OPTOUT_COLS " FROM optout "
	"WHERE channel IN ('email', 'sms') AND address = ?1 "
	"ORDER BY created, channel, list",
	/* RSTMT_OPTOUT_REMOVE */
	"DELETE FROM optout WHERE channel IN ('email', 'sms') AND address = ?1",
	/* RSTMT_DNC_OF_EMAIL: an export's, rare; a scan of the register. */
	"SELECT " DNC_COLS " FROM dnc WHERE email = ?1 "
	"ORDER BY created, number",
	/*
	 * RSTMT_OUTBOX_FORGET: recipient is the normalised address (domain
	 * lower-cased, local part as typed); lower() of both sides compares
	 * them as email keys do (addresses are ASCII, validate.h).  A message
	 * being sent goes too: its sender's outcome then finds no row
	 * (PF_ENOTFOUND) and is dropped.
	 */
	"DELETE FROM outbox WHERE state IN ('queued', 'sending', 'failed') "
	"AND lower(recipient) = lower(?1)",
	/* RSTMT_OUTBOX_FORGET_SUBJECT: an erasure's, rare; a scan of the outbox. */
	"DELETE FROM outbox WHERE state IN ('queued', 'sending', 'failed') "
	"AND subject = ?1",
	/* RSTMT_SUPPRESS_PUT */
	"INSERT INTO suppression (kind, hash, channel, created) "
	"VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
	/* RSTMT_SUPPRESSED */
	"SELECT 1 FROM suppression WHERE kind = ?1 AND hash = ?2 "
	"AND channel = ?3",
	/* RSTMT_SUPPRESS_COUNT */
	"SELECT count(*) FROM suppression",
};

/* The prepared statement id, ready to bind; prepared on first use. */
static int
rstmt_get(struct pf_store *st, enum rstmt id, sqlite3_stmt **out)
{
	return pf_store_stmt(st, &st->rstmts[id], rstmts[id], out);
}

/* Run a statement that takes no values and returns no rows. */
static int
rstmt_exec(struct pf_store *st, enum rstmt id, const char *what)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = rstmt_get(st, id, &s)) != PF_OK)
		return err;
	rc = sqlite3_step(s);
	err = rc == SQLITE_DONE ? PF_OK : pf_store_err(st->db, rc, what);
	pf_store_stmt_done(s);
	return err;
}

/*
 * End the savepoint: keep what it wrote if err is PF_OK, else undo it.
 * Returns err, or the error of the release.
 */
static int
savepoint_end(struct pf_store *st, int err)
{
	if (err == PF_OK &&
	    (err = rstmt_exec(st, RSTMT_RELEASE, "release")) == PF_OK)
		return PF_OK;
	/*
	 * Both fail only when SQLite has already rolled the whole
	 * transaction back (a full disk, say), which undid the savepoint.
	 */
	rstmt_exec(st, RSTMT_ROLLBACK_TO, "rollback to");
	rstmt_exec(st, RSTMT_RELEASE, "release");
	return err;
}

/* Bind id as ?1 and then n texts as ?2 on. */
static int
bind_id_texts(sqlite3_stmt *s, long long id, const char *const *v, int n)
{
	int	 i, rc;

	if ((rc = sqlite3_bind_int64(s, 1, id)) != SQLITE_OK)
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = sqlite3_bind_text(s, i + 2, v[i], -1,
		    SQLITE_STATIC)) != SQLITE_OK)
			return rc;
	return SQLITE_OK;
}

/*
 * Run the change which with id as ?1 and n texts from ?2 on: PF_ENOTFOUND
 * when it changed no row.
 */
static int
rstmt_change(struct pf_store *st, enum rstmt which, long long id,
    const char *const *v, int n, const char *what)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = rstmt_get(st, which, &s)) != PF_OK)
		return err;
	if ((rc = bind_id_texts(s, id, v, n)) != SQLITE_OK)
		err = pf_store_err(st->db, rc, what);
	else
		err = pf_store_stmt_change(st, s, what);
	pf_store_stmt_done(s);
	return err;
}

/*
 * Run statement which (text values v bound from ?1) that changes rows, and
 * put the number it changed in *n if n is not NULL.
 */
static int
rstmt_count_changes(struct pf_store *st, enum rstmt which,
    const char *const *v, int nv, const char *what, long long *n)
{
	return pf_store_changes(st, &st->rstmts[which], rstmts[which], v, nv,
	    what, n);
}

/* ---- data subject requests ---- */

/* Read the current row of a SELECT of DSR_COLS. */
static void
dsr_row(sqlite3_stmt *s, struct pf_dsr *r)
{
	const char	**text[] = { &r->type, &r->relationship,
	    &r->organisation, &r->first_name, &r->last_name, &r->email,
	    &r->email_key, &r->subject, &r->country, &r->state, &r->details,
	    &r->law, &r->received, &r->due, &r->acknowledge, &r->extension };
	size_t		  i;

	r->id = sqlite3_column_int64(s, 0);
	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		*text[i] = (const char *)sqlite3_column_text(s, (int)i + 1);
	r->extended = sqlite3_column_int(s, 17);
	r->status = (const char *)sqlite3_column_text(s, 18);
	r->party = sqlite3_column_int64(s, 19);	/* NULL reads as 0 */
	r->verify_by = (const char *)sqlite3_column_text(s, 20);
	r->updated = (const char *)sqlite3_column_text(s, 21);
}

/*
 * Step the bound SELECT of DSR_COLS s to its end, calling fn with each
 * row: fn's first non-zero value, PF_OK, or the mapped error.
 */
static int
dsr_walk(struct pf_store *st, sqlite3_stmt *s, const char *what,
    int (*fn)(const struct pf_dsr *r, void *arg), void *arg)
{
	struct pf_dsr	 r;
	int		 rc, err;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		dsr_row(s, &r);
		if ((err = fn(&r, arg)) != 0)
			return err;
	}
	return rc == SQLITE_DONE ? PF_OK : pf_store_err(st->db, rc, what);
}

/* Append event (status, note, at time) to request id's history. */
static int
event_put(struct pf_store *st, long long id, const char *time,
    const char *status, const char *note)
{
	const char	*v[] = { time, status, note };
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = rstmt_get(st, RSTMT_EVENT_PUT, &s)) != PF_OK)
		return err;
	if ((rc = bind_id_texts(s, id, v, 3)) != SQLITE_OK)
		err = pf_store_err(st->db, rc, "event bind");
	else if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "event put");
	pf_store_stmt_done(s);
	return err;
}

/* Insert r's row; its id in *id. */
static int
dsr_insert(struct pf_store *st, const struct pf_dsr *r, const char *now,
    long long *id)
{
	const char	*v[] = { r->type, r->relationship, r->organisation,
	    r->first_name, r->last_name, r->email, r->email_key, r->subject,
	    r->country, r->state, r->details, r->law, r->received, r->due,
	    r->acknowledge, r->extension, r->verify_by, now };
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = rstmt_get(st, RSTMT_DSR_PUT, &s)) != PF_OK)
		return err;
	if ((rc = pf_store_bind_texts(s, v, sizeof(v) / sizeof(v[0]))) != SQLITE_OK)
		err = pf_store_err(st->db, rc, "request bind");
	else if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "request put");
	else
		*id = sqlite3_last_insert_rowid(st->db);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_dsr_put(struct pf_store *st, const struct pf_dsr *r,
    const char *now, long long *id)
{
	char		 t[32];
	long long	 rid = 0;
	int		 err;

	now = pf_store_now_or(now, t);
	if ((err = rstmt_exec(st, RSTMT_SAVEPOINT, "savepoint")) != PF_OK)
		return err;
	if ((err = dsr_insert(st, r, now, &rid)) == PF_OK)
		err = event_put(st, rid, r->received, "unverified", NULL);
	if ((err = savepoint_end(st, err)) == PF_OK && id != NULL)
		*id = rid;
	return err;
}

int
pf_store_dsr_recent(struct pf_store *st, const char *email_key,
    const char *type, const char *since, long long *id)
{
	const char	*v[] = { email_key, type, since };
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = rstmt_get(st, RSTMT_DSR_RECENT, &s)) != PF_OK)
		return err;
	if ((rc = pf_store_bind_texts(s, v, 3)) != SQLITE_OK)
		err = pf_store_err(st->db, rc, "request bind");
	else if ((err = pf_store_step_one(st, s, "request recent")) == PF_OK)
		*id = sqlite3_column_int64(s, 0);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_dsr_get(struct pf_store *st, long long id,
    int (*fn)(const struct pf_dsr *r, void *arg), void *arg)
{
	struct pf_dsr	 r;
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = rstmt_get(st, RSTMT_DSR_GET, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, id)) != SQLITE_OK)
		err = pf_store_err(st->db, rc, "request bind");
	else if ((err = pf_store_step_one(st, s, "request get")) == PF_OK) {
		dsr_row(s, &r);
		err = fn(&r, arg);
	}
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_dsr_each(struct pf_store *st, const struct pf_dsr_filter *f,
    int (*fn)(const struct pf_dsr *r, void *arg), void *arg)
{
	static const struct pf_dsr_filter	 all;
	sqlite3_stmt				*s = NULL;
	int					 rc, err;

	if (f == NULL)
		f = &all;
	if ((err = rstmt_get(st, RSTMT_DSR_EACH, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, f->status, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_int(s, 2, f->open != 0)) ||
	    (rc = sqlite3_bind_text(s, 3, f->due_before, -1, SQLITE_STATIC)))
		err = pf_store_err(st->db, rc, "request bind");
	else
		err = dsr_walk(st, s, "request each", fn, arg);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_dsr_of_individual(struct pf_store *st, long long individual,
    int (*fn)(const struct pf_dsr *r, void *arg), void *arg)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = rstmt_get(st, RSTMT_DSR_OF_INDIVIDUAL, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, individual)) != SQLITE_OK)
		err = pf_store_err(st->db, rc, "request bind");
	else
		err = dsr_walk(st, s, "request of individual", fn, arg);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_dsr_events(struct pf_store *st, long long id,
    int (*fn)(const struct pf_dsr_event *e, void *arg), void *arg)
{
	struct pf_dsr_event	 e;
	sqlite3_stmt		*s = NULL;
	int			 rc, err;

	if ((err = rstmt_get(st, RSTMT_EVENT_EACH, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, id)) != SQLITE_OK) {
		err = pf_store_err(st->db, rc, "event bind");
		goto done;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		e.request = sqlite3_column_int64(s, 0);
		e.seq = sqlite3_column_int(s, 1);
		e.time = (const char *)sqlite3_column_text(s, 2);
		e.status = (const char *)sqlite3_column_text(s, 3);
		e.note = (const char *)sqlite3_column_text(s, 4);
		if ((err = fn(&e, arg)) != 0)
			goto done;
	}
	if (rc != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "event each");
done:
	pf_store_stmt_done(s);
	return err;
}

/*
 * Apply the change which (?1 the request id, v bound from ?2 on; its WHERE
 * requires the status it changes from) and, if it applied, the event of
 * entering status with note at now: both, or neither.
 */
static int
dsr_change(struct pf_store *st, long long id, enum rstmt which,
    const char *const *v, int n, const char *status, const char *note,
    const char *now)
{
	int	 err;

	if ((err = rstmt_exec(st, RSTMT_SAVEPOINT, "savepoint")) != PF_OK)
		return err;
	if ((err = rstmt_change(st, which, id, v, n, "request change")) ==
	    PF_OK)
		err = event_put(st, id, now, status, note);
	return savepoint_end(st, err);
}

int
pf_store_dsr_set_status(struct pf_store *st, long long id,
    const char *from, const char *to, const char *note, const char *now)
{
	const char	*v[3];
	char		 t[32];

	v[0] = from;
	v[1] = to;
	v[2] = now = pf_store_now_or(now, t);
	return dsr_change(st, id, RSTMT_DSR_SET_STATUS, v, 3, to, note, now);
}

int
pf_store_dsr_revise(struct pf_store *st, long long id,
    const struct pf_dsr *r, const char *now)
{
	const char	*v[] = { r->relationship, r->organisation,
	    r->first_name, r->last_name, r->email, r->country, r->state,
	    r->details, r->law, r->due, r->acknowledge, r->extension, NULL };
	char		 t[32];

	v[12] = pf_store_now_or(now, t);
	return rstmt_change(st, RSTMT_DSR_REVISE, id, v,
	    sizeof(v) / sizeof(v[0]), "request revise");
}

int
pf_store_dsr_verify(struct pf_store *st, long long id, long long party,
    const char *now)
{
	sqlite3_stmt	*s = NULL;
	char		 t[32];
	int		 rc, err;

	now = pf_store_now_or(now, t);
	if ((err = rstmt_exec(st, RSTMT_SAVEPOINT, "savepoint")) != PF_OK)
		return err;
	if ((err = rstmt_get(st, RSTMT_DSR_VERIFY, &s)) != PF_OK)
		return savepoint_end(st, err);
	if ((rc = sqlite3_bind_int64(s, 1, id)) ||
	    (rc = sqlite3_bind_int64(s, 2, party)) ||
	    (rc = sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC)))
		err = pf_store_err(st->db, rc, "request bind");
	else
		err = pf_store_stmt_change(st, s, "request verify");
	pf_store_stmt_done(s);
	if (err == PF_OK)
		err = event_put(st, id, now, "verified", NULL);
	return savepoint_end(st, err);
}

int
pf_store_dsr_extend(struct pf_store *st, long long id, const char *new_due,
    const char *note, const char *now)
{
	const char	*v[2];
	char		 t[32];

	v[0] = new_due;
	v[1] = now = pf_store_now_or(now, t);
	return dsr_change(st, id, RSTMT_DSR_EXTEND, v, 2, "extended", note,
	    now);
}

int
pf_store_dsr_expired(struct pf_store *st, const char *before, int limit,
    int (*fn)(const struct pf_dsr *r, void *arg), void *arg)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	/* SQLite reads a negative LIMIT as none: a purge of everything. */
	if (limit < 0)
		return PF_EINVAL;
	if ((err = rstmt_get(st, RSTMT_DSR_EXPIRED, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, before, -1, SQLITE_STATIC)) ||
	    (rc = sqlite3_bind_int(s, 2, limit)))
		err = pf_store_err(st->db, rc, "request bind");
	else
		err = dsr_walk(st, s, "request expired", fn, arg);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_dsr_delete(struct pf_store *st, long long id)
{
	return rstmt_change(st, RSTMT_DSR_DELETE, id, NULL, 0,
	    "request delete");
}

int
pf_store_dsr_erase(struct pf_store *st, const char *email_key, long long *n)
{
	long long	 changed = 0;
	int		 err;

	if ((err = rstmt_exec(st, RSTMT_SAVEPOINT, "savepoint")) != PF_OK)
		return err;
	if ((err = rstmt_count_changes(st, RSTMT_EVENT_ERASE, &email_key, 1,
	    "event erase", NULL)) == PF_OK)
		err = rstmt_count_changes(st, RSTMT_DSR_ERASE, &email_key, 1,
		    "request erase", &changed);
	if ((err = savepoint_end(st, err)) == PF_OK && n != NULL)
		*n = changed;
	return err;
}

/* ---- parties ---- */

int
pf_store_party_ensure(struct pf_store *st, const char *email_key,
    const char *now, long long *id)
{
	const char	*v[2];
	sqlite3_stmt	*s = NULL;
	char		 t[32];
	int		 rc, err;

	/* A NULL key would make a new party of no address every time. */
	if (email_key == NULL)
		return PF_EINVAL;
	v[0] = email_key;
	v[1] = pf_store_now_or(now, t);
	if ((err = rstmt_get(st, RSTMT_PARTY_ENSURE, &s)) != PF_OK)
		return err;
	if ((rc = pf_store_bind_texts(s, v, 2)) != SQLITE_OK)
		err = pf_store_err(st->db, rc, "party bind");
	else if ((rc = sqlite3_step(s)) != SQLITE_ROW)
		err = pf_store_err(st->db, rc, "party ensure");
	else {
		*id = sqlite3_column_int64(s, 0);
		/* An INSERT ... RETURNING is complete only at its end. */
		if ((rc = sqlite3_step(s)) != SQLITE_DONE)
			err = pf_store_err(st->db, rc, "party ensure");
	}
	pf_store_stmt_done(s);
	return err;
}

/*
 * Step the bound SELECT of PARTY_COLS s to its end, calling fn with each
 * row: fn's first non-zero value, PF_OK, PF_ENOTFOUND if one is required
 * and there was none, or the mapped error.
 */
static int
party_walk(struct pf_store *st, sqlite3_stmt *s, int required,
    const char *what, int (*fn)(const struct pf_party *p, void *arg),
    void *arg)
{
	struct pf_party	 p;
	int		 rc, err, rows = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rows++;
		p.id = sqlite3_column_int64(s, 0);
		p.individual = sqlite3_column_int64(s, 1);
		p.email = (const char *)sqlite3_column_text(s, 2);
		p.created = (const char *)sqlite3_column_text(s, 3);
		if ((err = fn(&p, arg)) != 0)
			return err;
	}
	if (rc != SQLITE_DONE)
		return pf_store_err(st->db, rc, what);
	return required && rows == 0 ? PF_ENOTFOUND : PF_OK;
}

/* Statement which, with id bound, through party_walk. */
static int
party_query(struct pf_store *st, enum rstmt which, long long id,
    int required, const char *what,
    int (*fn)(const struct pf_party *p, void *arg), void *arg)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = rstmt_get(st, which, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, id)) != SQLITE_OK)
		err = pf_store_err(st->db, rc, "party bind");
	else
		err = party_walk(st, s, required, what, fn, arg);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_party_get(struct pf_store *st, long long id,
    int (*fn)(const struct pf_party *p, void *arg), void *arg)
{
	return party_query(st, RSTMT_PARTY_GET, id, 1, "party get", fn, arg);
}

int
pf_store_party_each(struct pf_store *st, long long individual,
    int (*fn)(const struct pf_party *p, void *arg), void *arg)
{
	return party_query(st, RSTMT_PARTY_EACH, individual, 0, "party each",
	    fn, arg);
}

int
pf_store_party_link(struct pf_store *st, long long a, long long b)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = rstmt_get(st, RSTMT_PARTY_LINK, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, a)) ||
	    (rc = sqlite3_bind_int64(s, 2, b)))
		err = pf_store_err(st->db, rc, "party bind");
	else
		err = pf_store_stmt_change(st, s, "party link");
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_party_erase(struct pf_store *st, long long id)
{
	return rstmt_change(st, RSTMT_PARTY_ERASE, id, NULL, 0, "party erase");
}

/* ---- what an erasure needs from the other tables ---- */

int
pf_store_optout_of(struct pf_store *st, const char *address,
    int (*fn)(const struct pf_optout *o, void *arg), void *arg)
{
	struct pf_optout	 o;
	sqlite3_stmt		*s = NULL;
	int			 rc, err;

	if ((err = rstmt_get(st, RSTMT_OPTOUT_OF, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, address, -1, SQLITE_STATIC)) !=
	    SQLITE_OK) {
		err = pf_store_err(st->db, rc, "optout bind");
		goto done;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		pf_store_optout_row(s, &o);
		if ((err = fn(&o, arg)) != 0)
			goto done;
	}
	if (rc != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "optout of");
done:
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_optout_remove(struct pf_store *st, const char *address,
    long long *n)
{
	return rstmt_count_changes(st, RSTMT_OPTOUT_REMOVE, &address, 1,
	    "optout remove", n);
}

int
pf_store_dnc_of_email(struct pf_store *st, const char *email,
    int (*fn)(const struct pf_dnc *d, void *arg), void *arg)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = rstmt_get(st, RSTMT_DNC_OF_EMAIL, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_text(s, 1, email, -1, SQLITE_STATIC)) !=
	    SQLITE_OK)
		err = pf_store_err(st->db, rc, "dnc bind");
	else
		err = pf_store_dnc_walk(st, s, "dnc of email", fn, arg);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_outbox_forget(struct pf_store *st, const char *recipient,
    long long *n)
{
	return rstmt_count_changes(st, RSTMT_OUTBOX_FORGET, &recipient, 1,
	    "outbox forget", n);
}

int
pf_store_outbox_forget_subject(struct pf_store *st, const char *subject,
    long long *n)
{
	return rstmt_count_changes(st, RSTMT_OUTBOX_FORGET_SUBJECT, &subject,
	    1, "outbox forget subject", n);
}

/* ---- suppression ---- */

int
pf_store_suppress_put(struct pf_store *st, const char *kind,
    const char *hash, const char *channel, const char *now)
{
	const char	*v[4];
	char		 t[32];

	v[0] = kind;
	v[1] = hash;
	v[2] = channel;
	v[3] = pf_store_now_or(now, t);
	return rstmt_count_changes(st, RSTMT_SUPPRESS_PUT, v, 4,
	    "suppress put", NULL);
}

int
pf_store_suppressed(struct pf_store *st, const char *kind, const char *hash,
    const char *channel)
{
	const char	*v[] = { kind, hash, channel };
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = rstmt_get(st, RSTMT_SUPPRESSED, &s)) != PF_OK)
		return err;
	if ((rc = pf_store_bind_texts(s, v, 3)) != SQLITE_OK)
		err = pf_store_err(st->db, rc, "suppress bind");
	else if ((rc = sqlite3_step(s)) == SQLITE_DONE)
		err = PF_ENOTFOUND;
	else if (rc != SQLITE_ROW)
		err = pf_store_err(st->db, rc, "suppressed");
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_suppress_count(struct pf_store *st, long long *n)
{
	return pf_store_count(st, &st->rstmts[RSTMT_SUPPRESS_COUNT],
	    rstmts[RSTMT_SUPPRESS_COUNT], "suppress count", n);
}
