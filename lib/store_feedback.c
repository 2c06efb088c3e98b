/*
 * store_feedback.c -- the queries of site feedback and article votes
 * (store.h; 005-feedback.sql).
 *
 * Every query is one entry of sql[] below, run through store_sql.h: values
 * are only ever bound, never logged.
 *
 * A recommend score of -1 (not given) is NULL in the table, and NULL reads
 * back as -1.  Any other value is bound as it is, so that the table's
 * CHECK refuses it (PF_ESTORE) instead of the store storing something else.
 */
#include <limits.h>

#include "err.h"
#include "lang.h"
#include "store.h"
#include "store_impl.h"
#include "store_sql.h"
#include "utc.h"

#define FB_COLS "id, type, message, rating, email, email_key, recommend, " \
	"created, completed, updated"

#define VOTE_COLS "id, article, helpful, comment, client, created, updated"

/*
 * The window of a filter, ?1 since and ?2 until, each NULL for unbounded.
 * A prefix such as "2026-11-24" sorts before every time that starts with
 * it, so since takes that whole day and until stops before it.  (The
 * CASTs give PostgreSQL the type of a parameter tested for NULL.)
 */
#define WINDOW "(CAST(?1 AS TEXT) IS NULL OR created >= ?1) " \
	"AND (CAST(?2 AS TEXT) IS NULL OR created < ?2)"

/*
 * A listing of table's cols in the window, newest first: ?3 the value of
 * the column col to keep (NULL: any), ?4 the LIMIT.
 */
#define NEWEST(cols, table, col) "SELECT " cols " FROM " table " WHERE " \
	WINDOW " AND (CAST(?3 AS TEXT) IS NULL OR " col " = ?3) " \
	"ORDER BY created DESC, id DESC LIMIT ?4"

enum {
	FB_PUT, FB_REVISE, FB_COMPLETE, FB_FORWARDED, FB_GET, FB_EACH,
	FB_TALLY, FB_OF_EMAIL, FB_ERASE, VOTE_FIND, VOTE_UPDATE,
	VOTE_INSERT, VOTE_EACH, VOTE_TALLY, VOTE_FORGET, NSTMT
};

static const struct pf_sql sql[NSTMT] = {
	[FB_PUT] = { "feedback put",
	    "INSERT INTO feedback (type, message, rating, created, updated, "
	    "lang) VALUES (?1, ?2, ?3, ?4, ?4, ?5)" },
	/*
	 * FB_REVISE and FB_COMPLETE: only an open entry, so a replayed
	 * step-2 token finds no row (PF_ENOTFOUND).
	 */
	[FB_REVISE] = { "feedback revise",
	    "UPDATE feedback SET type = ?2, message = ?3, rating = ?4, "
	    "updated = ?5, lang = ?6 WHERE id = ?1 AND completed IS NULL" },
	[FB_COMPLETE] = { "feedback complete",
	    "UPDATE feedback SET email = ?2, email_key = ?3, recommend = ?4, "
	    "completed = ?5, updated = ?5 "
	    "WHERE id = ?1 AND completed IS NULL" },
	[FB_FORWARDED] = { "feedback forwarded",
	    "UPDATE feedback SET forwarded = ?2 "
	    "WHERE id = ?1 AND forwarded IS NULL" },
	[FB_GET] = { "feedback get",
	    "SELECT " FB_COLS " FROM feedback WHERE id = ?1" },
	[FB_EACH] = { "feedback each", NEWEST(FB_COLS, "feedback", "type") },
	[FB_TALLY] = { "feedback tally",
	    "SELECT type, rating, coalesce(recommend, -1), "
	    "CASE WHEN completed IS NULL THEN 0 ELSE 1 END, count(*) "
	    "FROM feedback WHERE " WINDOW " "
	    "GROUP BY 1, 2, 3, 4" },
	[FB_OF_EMAIL] = { "feedback of email",
	    "SELECT " FB_COLS " FROM feedback WHERE email_key = ?1 "
	    "ORDER BY created, id" },
	/* The figures stay, unlinked from anyone. */
	[FB_ERASE] = { "feedback erase",
	    "UPDATE feedback SET message = NULL, email = NULL, "
	    "email_key = NULL WHERE email_key = ?1" },
	/*
	 * The newest vote of the client on the article in the window (the
	 * index on (client, article) finds it).
	 */
	[VOTE_FIND] = { "vote find",
	    "SELECT id FROM article_vote WHERE client = ?1 AND article = ?2 "
	    "AND created >= ?3 ORDER BY created DESC, id DESC LIMIT 1" },
	/* created stays, the vote counts once. */
	[VOTE_UPDATE] = { "vote update",
	    "UPDATE article_vote SET helpful = ?2, comment = ?3, updated = ?4 "
	    "WHERE id = ?1" },
	[VOTE_INSERT] = { "vote put",
	    "INSERT INTO article_vote (article, helpful, comment, client, "
	    "created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?5)", .ahead = 1 },
	[VOTE_EACH] = { "vote each",
	    NEWEST(VOTE_COLS, "article_vote", "article") },
	[VOTE_TALLY] = { "vote tally",
	    "SELECT article, count(*), sum(helpful) FROM article_vote "
	    "WHERE " WINDOW " GROUP BY article "
	    "ORDER BY count(*) DESC, article" },
	[VOTE_FORGET] = { "vote forget",
	    "UPDATE article_vote SET client = NULL "
	    "WHERE client IS NOT NULL AND created < ?1" },
};

const struct pf_sql_set pf_sql_set_feedback = { PF_SQL_FEEDBACK, NSTMT, sql };

#define Q(id)	PF_SQL_REF(&pf_sql_set_feedback, id)

/* since, until (?1, ?2) of f, NULL: unbounded. */
#define SINCE(f)	PF_T((f) != NULL ? (f)->since : NULL)
#define UNTIL(f)	PF_T((f) != NULL ? (f)->until : NULL)

/*
 * The limit (?4) of f.  None is the largest LIMIT there is: SQLite reads
 * a negative one as none, but PostgreSQL refuses it.
 */
#define LIMIT(f)	PF_I((f) != NULL && (f)->limit > 0 ? (f)->limit : \
	LLONG_MAX)

/* A recommend score: -1 (not given) is NULL. */
static struct pf_sql_val
recommend_val(int recommend)
{
	const struct pf_sql_val	 null = PF_SQLNULL, score = PF_I(recommend);

	return recommend == -1 ? null : score;
}

/* ---- site feedback ---- */

typedef int fb_fn(const struct pf_feedback *f, void *arg);

/* A row of FB_COLS to the walk's callback. */
static int
fb_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk		*w = ctx;
	const struct pf_feedback	 f = { .id = COL_I(0),
	    .type = COL_T(1), .message = COL_T(2), .rating = (int)COL_I(3),
	    .email = COL_T(4), .email_key = COL_T(5),
	    .recommend = pf_row_null(r, 6) ? -1 : (int)COL_I(6),
	    .created = COL_T(7), .completed = COL_T(8), .updated = COL_T(9) };

	return PF_WALK_CALL(fb_fn, w, &f);
}

int
pf_store_feedback_put(struct pf_store *st, const struct pf_feedback *f,
    const char *now, long long *id)
{
	return pf_sql_insert(st, Q(FB_PUT), PF_ARGS(PF_T(f->type),
	    PF_T(f->message), PF_I(f->rating), PF_NOW(now),
	    PF_T(pf_lang_current())), id);
}

int
pf_store_feedback_revise(struct pf_store *st, long long id,
    const struct pf_feedback *f, const char *now)
{
	return pf_sql_change(st, Q(FB_REVISE), PF_ARGS(PF_I(id),
	    PF_T(f->type), PF_T(f->message), PF_I(f->rating),
	    PF_NOW(now), PF_T(pf_lang_current())));
}

int
pf_store_feedback_complete(struct pf_store *st, long long id,
    const struct pf_feedback *f, const char *now)
{
	return pf_sql_change(st, Q(FB_COMPLETE), PF_ARGS(PF_I(id),
	    PF_T(f->email), PF_T(f->email_key), recommend_val(f->recommend),
	    PF_NOW(now)));
}

int
pf_store_feedback_forwarded(struct pf_store *st, long long id,
    const char *now)
{
	return pf_sql_change(st, Q(FB_FORWARDED), PF_ARGS(PF_I(id),
	    PF_NOW(now)));
}

int
pf_store_feedback_get(struct pf_store *st, long long id,
    int (*fn)(const struct pf_feedback *f, void *arg), void *arg)
{
	return pf_sql_one(st, Q(FB_GET), PF_ARGS(PF_I(id)),
	    fb_row, PF_WALK(fn, arg));
}

int
pf_store_feedback_each(struct pf_store *st,
    const struct pf_feedback_filter *f,
    int (*fn)(const struct pf_feedback *f, void *arg), void *arg)
{
	return pf_sql_each(st, Q(FB_EACH), PF_ARGS(SINCE(f), UNTIL(f),
	    PF_T(f != NULL ? f->type : NULL), LIMIT(f)),
	    fb_row, PF_WALK(fn, arg));
}

typedef int tally_fn(const char *type, int rating, int recommend,
    int completed, long long n, void *arg);

static int
tally_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;

	return PF_WALK_CALL(tally_fn, w, COL_T(0), (int)COL_I(1),
	    (int)COL_I(2), (int)COL_I(3), COL_I(4));
}

int
pf_store_feedback_tally(struct pf_store *st,
    const struct pf_feedback_filter *f,
    int (*fn)(const char *type, int rating, int recommend, int completed,
    long long n, void *arg), void *arg)
{
	return pf_sql_each(st, Q(FB_TALLY), PF_ARGS(SINCE(f), UNTIL(f)),
	    tally_row, PF_WALK(fn, arg));
}

int
pf_store_feedback_of_email(struct pf_store *st, const char *email_key,
    int (*fn)(const struct pf_feedback *f, void *arg), void *arg)
{
	return pf_sql_each(st, Q(FB_OF_EMAIL), PF_ARGS(PF_T(email_key)),
	    fb_row, PF_WALK(fn, arg));
}

int
pf_store_feedback_erase(struct pf_store *st, const char *email_key,
    long long *n)
{
	return pf_sql_exec(st, Q(FB_ERASE), PF_ARGS(PF_T(email_key)), n);
}

/* ---- article votes ---- */

/*
 * The find and the write are two statements: the client's key lock
 * (pf_store_lock; on SQLite the caller's BEGIN IMMEDIATE) is held across
 * both, so no other worker or node can count the same client's vote
 * between them.
 */
int
pf_store_vote_put(struct pf_store *st, const struct pf_vote *v,
    const char *window_start, const char *now, long long *id, int *replaced)
{
	long long	 vid = 0;
	char		 t[PF_TIME_SIZE];
	int		 err, again = 0;

	now = pf_utc_now_or(now, t);
	err = v->client == NULL ? PF_ENOTFOUND :
	    pf_store_lock(st, "vote", v->client, v->article);
	if (err == PF_OK)
		err = pf_sql_one(st, Q(VOTE_FIND), PF_ARGS(PF_T(v->client),
		    PF_T(v->article), PF_T(window_start)), pf_row_int0, &vid);
	if (err == PF_OK) {
		again = 1;
		err = pf_sql_change(st, Q(VOTE_UPDATE), PF_ARGS(PF_I(vid),
		    PF_I(v->helpful), PF_T(v->comment), PF_T(now)));
	} else if (err == PF_ENOTFOUND)	/* no id wanted: it goes ahead */
		err = pf_sql_insert(st, Q(VOTE_INSERT), PF_ARGS(
		    PF_T(v->article), PF_I(v->helpful), PF_T(v->comment),
		    PF_T(v->client), PF_T(now)), id != NULL ? &vid : NULL);
	if (err != PF_OK)
		return err;
	if (id != NULL)
		*id = vid;
	if (replaced != NULL)
		*replaced = again;
	return PF_OK;
}

typedef int vote_fn(const struct pf_vote *v, void *arg);

/* A row of VOTE_COLS to the walk's callback. */
static int
vote_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;
	const struct pf_vote	 v = { .id = COL_I(0), .article = COL_T(1),
	    .helpful = (int)COL_I(2), .comment = COL_T(3), .client = COL_T(4),
	    .created = COL_T(5), .updated = COL_T(6) };

	return PF_WALK_CALL(vote_fn, w, &v);
}

int
pf_store_vote_each(struct pf_store *st, const struct pf_feedback_filter *f,
    int (*fn)(const struct pf_vote *v, void *arg), void *arg)
{
	return pf_sql_each(st, Q(VOTE_EACH), PF_ARGS(SINCE(f), UNTIL(f),
	    PF_T(f != NULL ? f->article : NULL), LIMIT(f)),
	    vote_row, PF_WALK(fn, arg));
}

typedef int vote_tally_fn(const char *article, long long votes,
    long long helpful, void *arg);

static int
vote_tally_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;

	return PF_WALK_CALL(vote_tally_fn, w, COL_T(0), COL_I(1), COL_I(2));
}

int
pf_store_vote_tally(struct pf_store *st, const struct pf_feedback_filter *f,
    int (*fn)(const char *article, long long votes, long long helpful,
    void *arg), void *arg)
{
	return pf_sql_each(st, Q(VOTE_TALLY), PF_ARGS(SINCE(f), UNTIL(f)),
	    vote_tally_row, PF_WALK(fn, arg));
}

int
pf_store_vote_forget_clients(struct pf_store *st, const char *before,
    long long *n)
{
	return pf_sql_exec(st, Q(VOTE_FORGET), PF_ARGS(PF_T(before)), n);
}
