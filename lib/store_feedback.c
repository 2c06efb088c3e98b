/*
 * store_feedback.c -- the queries of site feedback and article votes
 * (store.h; 005-feedback.sql).
 *
 * Same rules as store.c, whose connection and helpers this file shares
 * through store_impl.h: every query is one entry of fstmts[], prepared on
 * first use and kept for the life of the connection; values are only ever
 * bound, never logged.
 *
 * A recommend score of -1 (not given) is NULL in the table, and NULL reads
 * back as -1.  Any other value is bound as it is, so that the table's
 * CHECK refuses it (PF_ESTORE) instead of the store storing something else.
 */
#include <sqlite3.h>

#include "err.h"
#include "store.h"
#include "store_impl.h"

#define FB_COLS "id, type, message, rating, email, email_key, recommend, " \
	"created, completed, updated"

#define VOTE_COLS "id, article, helpful, comment, client, created, updated"

/*
 * The window of a filter, ?1 since and ?2 until, each NULL for unbounded.
 * A prefix such as "2026-11-24" sorts before every time that starts with
 * it, so since takes that whole day and until stops before it.
 */
#define WINDOW "(?1 IS NULL OR created >= ?1) AND (?2 IS NULL OR created < ?2)"

static const char *const fstmts[FSTMT__MAX] = {
	/* FSTMT_PUT */
	"INSERT INTO feedback (type, message, rating, created, updated) "
	"VALUES (?1, ?2, ?3, ?4, ?4)",
	/*
	 * FSTMT_REVISE and FSTMT_COMPLETE: only an open entry, so a
	 * replayed step-2 token finds no row (PF_ENOTFOUND).
	 */
	"UPDATE feedback SET type = ?2, message = ?3, rating = ?4, "
	"updated = ?5 WHERE id = ?1 AND completed IS NULL",
	/* FSTMT_COMPLETE */
	"UPDATE feedback SET email = ?2, email_key = ?3, recommend = ?4, "
	"completed = ?5, updated = ?5 WHERE id = ?1 AND completed IS NULL",
	/* FSTMT_FORWARDED */
	"UPDATE feedback SET forwarded = ?2 WHERE id = ?1 AND forwarded IS NULL",
	/* FSTMT_GET */
	"SELECT " FB_COLS " FROM feedback WHERE id = ?1",
	/* FSTMT_EACH: ?3 type (NULL: any); a negative ?4 is no LIMIT. */
	"SELECT " FB_COLS " FROM feedback WHERE " WINDOW " "
	"AND (?3 IS NULL OR type = ?3) "
	"ORDER BY created DESC, id DESC LIMIT ?4",
	/* FSTMT_TALLY */
	"SELECT type, rating, coalesce(recommend, -1), "
	"completed IS NOT NULL, count(*) FROM feedback WHERE " WINDOW " "
	"GROUP BY 1, 2, 3, 4",
	/* FSTMT_OF_EMAIL */
	"SELECT " FB_COLS " FROM feedback WHERE email_key = ?1 "
	"ORDER BY created, id",
	/* FSTMT_ERASE: the figures stay, unlinked from anyone. */
	"UPDATE feedback SET message = NULL, email = NULL, email_key = NULL "
	"WHERE email_key = ?1",
	/*
	 * FSTMT_VOTE_FIND: the newest vote of the client on the article in
	 * the window (the index on (client, article) finds it).
	 */
	"SELECT id FROM article_vote WHERE client = ?1 AND article = ?2 "
	"AND created >= ?3 ORDER BY created DESC, id DESC LIMIT 1",
	/* FSTMT_VOTE_UPDATE: created stays, the vote counts once. */
	"UPDATE article_vote SET helpful = ?2, comment = ?3, updated = ?4 "
	"WHERE id = ?1",
	/* FSTMT_VOTE_INSERT */
	"INSERT INTO article_vote (article, helpful, comment, client, "
	"created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
	/* FSTMT_VOTE_EACH: ?3 article (NULL: any); negative ?4: no LIMIT. */
	"SELECT " VOTE_COLS " FROM article_vote WHERE " WINDOW " "
	"AND (?3 IS NULL OR article = ?3) "
	"ORDER BY created DESC, id DESC LIMIT ?4",
	/* FSTMT_VOTE_TALLY */
	"SELECT article, count(*), sum(helpful) FROM article_vote "
	"WHERE " WINDOW " GROUP BY article ORDER BY count(*) DESC, article",
	/* FSTMT_VOTE_FORGET */
	"UPDATE article_vote SET client = NULL "
	"WHERE client IS NOT NULL AND created < ?1",
};

/* The prepared statement id, ready to bind; prepared on first use. */
static int
fstmt_get(struct pf_store *st, enum fstmt id, sqlite3_stmt **out)
{
	return pf_store_stmt(st, &st->fstmts[id], fstmts[id], out);
}

static int
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* A recommend score: -1 (not given) is NULL. */
static int
bind_recommend(sqlite3_stmt *s, int i, int recommend)
{
	return recommend == -1 ? sqlite3_bind_null(s, i) :
	    sqlite3_bind_int(s, i, recommend);
}

/* since as ?1 and until as ?2 of f (NULL: unbounded). */
static int
bind_window(sqlite3_stmt *s, const struct pf_feedback_filter *f)
{
	int	 rc;

	if (f == NULL)
		return SQLITE_OK;	/* unbound parameters are NULL */
	if ((rc = bind_text(s, 1, f->since)) != SQLITE_OK)
		return rc;
	return bind_text(s, 2, f->until);
}

/* The window, then what (type or article) as ?3 and the limit as ?4. */
static int
bind_filter(sqlite3_stmt *s, const struct pf_feedback_filter *f,
    const char *what)
{
	int	 rc;

	if ((rc = bind_window(s, f)) != SQLITE_OK ||
	    (rc = bind_text(s, 3, what)) != SQLITE_OK)
		return rc;
	/* SQLite reads a negative LIMIT as none. */
	return sqlite3_bind_int64(s, 4, f != NULL && f->limit > 0 ?
	    f->limit : -1);
}

/* ---- site feedback ---- */

/* Read the current row of a SELECT of FB_COLS. */
static void
fb_row(sqlite3_stmt *s, struct pf_feedback *f)
{
	f->id = sqlite3_column_int64(s, 0);
	f->type = (const char *)sqlite3_column_text(s, 1);
	f->message = (const char *)sqlite3_column_text(s, 2);
	f->rating = sqlite3_column_int(s, 3);
	f->email = (const char *)sqlite3_column_text(s, 4);
	f->email_key = (const char *)sqlite3_column_text(s, 5);
	f->recommend = sqlite3_column_type(s, 6) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(s, 6);
	f->created = (const char *)sqlite3_column_text(s, 7);
	f->completed = (const char *)sqlite3_column_text(s, 8);
	f->updated = (const char *)sqlite3_column_text(s, 9);
}

/*
 * Step the bound SELECT of FB_COLS s to its end, calling fn with each row:
 * fn's first non-zero value, PF_OK, or the mapped error.
 */
static int
fb_walk(struct pf_store *st, sqlite3_stmt *s, const char *what,
    int (*fn)(const struct pf_feedback *f, void *arg), void *arg)
{
	struct pf_feedback	 f;
	int			 rc, err;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		fb_row(s, &f);
		if ((err = fn(&f, arg)) != 0)
			return err;
	}
	return rc == SQLITE_DONE ? PF_OK : pf_store_err(st->db, rc, what);
}

int
pf_store_feedback_put(struct pf_store *st, const struct pf_feedback *f,
    const char *now, long long *id)
{
	sqlite3_stmt	*s = NULL;
	char		 t[32];
	int		 rc, err;

	now = pf_store_now_or(now, t);
	if ((err = fstmt_get(st, FSTMT_PUT, &s)) != PF_OK)
		return err;
	if ((rc = bind_text(s, 1, f->type)) ||
	    (rc = bind_text(s, 2, f->message)) ||
	    (rc = sqlite3_bind_int(s, 3, f->rating)) ||
	    (rc = bind_text(s, 4, now)))
		err = pf_store_err(st->db, rc, "feedback bind");
	else if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "feedback put");
	else if (id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_feedback_revise(struct pf_store *st, long long id,
    const struct pf_feedback *f, const char *now)
{
	sqlite3_stmt	*s = NULL;
	char		 t[32];
	int		 rc, err;

	now = pf_store_now_or(now, t);
	if ((err = fstmt_get(st, FSTMT_REVISE, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, id)) ||
	    (rc = bind_text(s, 2, f->type)) ||
	    (rc = bind_text(s, 3, f->message)) ||
	    (rc = sqlite3_bind_int(s, 4, f->rating)) ||
	    (rc = bind_text(s, 5, now)))
		err = pf_store_err(st->db, rc, "feedback bind");
	else
		err = pf_store_stmt_change(st, s, "feedback revise");
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_feedback_complete(struct pf_store *st, long long id,
    const struct pf_feedback *f, const char *now)
{
	sqlite3_stmt	*s = NULL;
	char		 t[32];
	int		 rc, err;

	now = pf_store_now_or(now, t);
	if ((err = fstmt_get(st, FSTMT_COMPLETE, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, id)) ||
	    (rc = bind_text(s, 2, f->email)) ||
	    (rc = bind_text(s, 3, f->email_key)) ||
	    (rc = bind_recommend(s, 4, f->recommend)) ||
	    (rc = bind_text(s, 5, now)))
		err = pf_store_err(st->db, rc, "feedback bind");
	else
		err = pf_store_stmt_change(st, s, "feedback complete");
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_feedback_forwarded(struct pf_store *st, long long id,
    const char *now)
{
	sqlite3_stmt	*s = NULL;
	char		 t[32];
	int		 rc, err;

	if ((err = fstmt_get(st, FSTMT_FORWARDED, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, id)) ||
	    (rc = bind_text(s, 2, pf_store_now_or(now, t))))
		err = pf_store_err(st->db, rc, "feedback bind");
	else
		err = pf_store_stmt_change(st, s, "feedback forwarded");
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_feedback_get(struct pf_store *st, long long id,
    int (*fn)(const struct pf_feedback *f, void *arg), void *arg)
{
	struct pf_feedback	 f;
	sqlite3_stmt		*s = NULL;
	int			 rc, err;

	if ((err = fstmt_get(st, FSTMT_GET, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, id)) != SQLITE_OK)
		err = pf_store_err(st->db, rc, "feedback bind");
	else if ((err = pf_store_step_one(st, s, "feedback get")) == PF_OK) {
		fb_row(s, &f);
		err = fn(&f, arg);
	}
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_feedback_each(struct pf_store *st,
    const struct pf_feedback_filter *f,
    int (*fn)(const struct pf_feedback *f, void *arg), void *arg)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = fstmt_get(st, FSTMT_EACH, &s)) != PF_OK)
		return err;
	if ((rc = bind_filter(s, f, f != NULL ? f->type : NULL)) != SQLITE_OK)
		err = pf_store_err(st->db, rc, "feedback bind");
	else
		err = fb_walk(st, s, "feedback each", fn, arg);
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_feedback_tally(struct pf_store *st,
    const struct pf_feedback_filter *f,
    int (*fn)(const char *type, int rating, int recommend, int completed,
    long long n, void *arg), void *arg)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = fstmt_get(st, FSTMT_TALLY, &s)) != PF_OK)
		return err;
	if ((rc = bind_window(s, f)) != SQLITE_OK) {
		err = pf_store_err(st->db, rc, "feedback bind");
		goto done;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((err = fn((const char *)sqlite3_column_text(s, 0),
		    sqlite3_column_int(s, 1), sqlite3_column_int(s, 2),
		    sqlite3_column_int(s, 3), sqlite3_column_int64(s, 4),
		    arg)) != 0)
			goto done;
	if (rc != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "feedback tally");
done:
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_feedback_of_email(struct pf_store *st, const char *email_key,
    int (*fn)(const struct pf_feedback *f, void *arg), void *arg)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = fstmt_get(st, FSTMT_OF_EMAIL, &s)) != PF_OK)
		return err;
	if ((rc = bind_text(s, 1, email_key)) != SQLITE_OK)
		err = pf_store_err(st->db, rc, "feedback bind");
	else
		err = fb_walk(st, s, "feedback of email", fn, arg);
	pf_store_stmt_done(s);
	return err;
}

/*
 * Run statement which (text values v[0..nv) bound from ?1) that changes
 * rows, and put the number it changed in *n if n is not NULL.
 */
static int
fstmt_count_changes(struct pf_store *st, enum fstmt which,
    const char *const *v, int nv, const char *what, long long *n)
{
	return pf_store_changes(st, &st->fstmts[which], fstmts[which], v, nv,
	    what, n);
}

int
pf_store_feedback_erase(struct pf_store *st, const char *email_key,
    long long *n)
{
	return fstmt_count_changes(st, FSTMT_ERASE, &email_key, 1,
	    "feedback erase", n);
}

/* ---- article votes ---- */

/*
 * The id of v's client's newest vote on v's article created at or after
 * window_start in *id: PF_OK, PF_ENOTFOUND, or the mapped error.
 */
static int
vote_find(struct pf_store *st, const struct pf_vote *v,
    const char *window_start, long long *id)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = fstmt_get(st, FSTMT_VOTE_FIND, &s)) != PF_OK)
		return err;
	if ((rc = bind_text(s, 1, v->client)) ||
	    (rc = bind_text(s, 2, v->article)) ||
	    (rc = bind_text(s, 3, window_start)))
		err = pf_store_err(st->db, rc, "vote bind");
	else if ((err = pf_store_step_one(st, s, "vote find")) == PF_OK)
		*id = sqlite3_column_int64(s, 0);
	pf_store_stmt_done(s);
	return err;
}

/* Replace helpful and comment of vote id with v's. */
static int
vote_update(struct pf_store *st, long long id, const struct pf_vote *v,
    const char *now)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = fstmt_get(st, FSTMT_VOTE_UPDATE, &s)) != PF_OK)
		return err;
	if ((rc = sqlite3_bind_int64(s, 1, id)) ||
	    (rc = sqlite3_bind_int(s, 2, v->helpful)) ||
	    (rc = bind_text(s, 3, v->comment)) ||
	    (rc = bind_text(s, 4, now)))
		err = pf_store_err(st->db, rc, "vote bind");
	else
		err = pf_store_stmt_change(st, s, "vote update");
	pf_store_stmt_done(s);
	return err;
}

/* Insert v as a new vote created at now; its id in *id. */
static int
vote_insert(struct pf_store *st, const struct pf_vote *v, const char *now,
    long long *id)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = fstmt_get(st, FSTMT_VOTE_INSERT, &s)) != PF_OK)
		return err;
	if ((rc = bind_text(s, 1, v->article)) ||
	    (rc = sqlite3_bind_int(s, 2, v->helpful)) ||
	    (rc = bind_text(s, 3, v->comment)) ||
	    (rc = bind_text(s, 4, v->client)) ||
	    (rc = bind_text(s, 5, now)))
		err = pf_store_err(st->db, rc, "vote bind");
	else if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "vote put");
	else
		*id = sqlite3_last_insert_rowid(st->db);
	pf_store_stmt_done(s);
	return err;
}

/*
 * The find and the write are two statements: the caller's transaction
 * (pf_store_begin, BEGIN IMMEDIATE) holds the write lock across both, so
 * no other worker can count the same client's vote between them.
 */
int
pf_store_vote_put(struct pf_store *st, const struct pf_vote *v,
    const char *window_start, const char *now, long long *id, int *replaced)
{
	long long	 vid = 0;
	char		 t[32];
	int		 err, again = 0;

	now = pf_store_now_or(now, t);
	err = v->client == NULL ? PF_ENOTFOUND :
	    vote_find(st, v, window_start, &vid);
	if (err == PF_OK) {
		again = 1;
		err = vote_update(st, vid, v, now);
	} else if (err == PF_ENOTFOUND)
		err = vote_insert(st, v, now, &vid);
	if (err != PF_OK)
		return err;
	if (id != NULL)
		*id = vid;
	if (replaced != NULL)
		*replaced = again;
	return PF_OK;
}

int
pf_store_vote_each(struct pf_store *st, const struct pf_feedback_filter *f,
    int (*fn)(const struct pf_vote *v, void *arg), void *arg)
{
	struct pf_vote	 v;
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = fstmt_get(st, FSTMT_VOTE_EACH, &s)) != PF_OK)
		return err;
	if ((rc = bind_filter(s, f, f != NULL ? f->article : NULL)) !=
	    SQLITE_OK) {
		err = pf_store_err(st->db, rc, "vote bind");
		goto done;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		v.id = sqlite3_column_int64(s, 0);
		v.article = (const char *)sqlite3_column_text(s, 1);
		v.helpful = sqlite3_column_int(s, 2);
		v.comment = (const char *)sqlite3_column_text(s, 3);
		v.client = (const char *)sqlite3_column_text(s, 4);
		v.created = (const char *)sqlite3_column_text(s, 5);
		v.updated = (const char *)sqlite3_column_text(s, 6);
		if ((err = fn(&v, arg)) != 0)
			goto done;
	}
	if (rc != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "vote each");
done:
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_vote_tally(struct pf_store *st, const struct pf_feedback_filter *f,
    int (*fn)(const char *article, long long votes, long long helpful,
    void *arg), void *arg)
{
	sqlite3_stmt	*s = NULL;
	int		 rc, err;

	if ((err = fstmt_get(st, FSTMT_VOTE_TALLY, &s)) != PF_OK)
		return err;
	if ((rc = bind_window(s, f)) != SQLITE_OK) {
		err = pf_store_err(st->db, rc, "vote bind");
		goto done;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((err = fn((const char *)sqlite3_column_text(s, 0),
		    sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2),
		    arg)) != 0)
			goto done;
	if (rc != SQLITE_DONE)
		err = pf_store_err(st->db, rc, "vote tally");
done:
	pf_store_stmt_done(s);
	return err;
}

int
pf_store_vote_forget_clients(struct pf_store *st, const char *before,
    long long *n)
{
	return fstmt_count_changes(st, FSTMT_VOTE_FORGET, &before, 1,
	    "vote forget", n);
}
