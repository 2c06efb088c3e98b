/*
 * store_subscriptions.c -- the queries of mailing list subscriptions and
 * their history (store.h, "mailing list subscriptions";
 * 016-subscriptions.sql).
 *
 * Every query is one entry of sql[] below, run through store_sql.h on
 * either engine: values are only ever bound, never logged.  A history row
 * is appended once and only ever deleted whole (an erasure); the table's
 * trigger refuses any change.
 */
#include "err.h"
#include "store.h"
#include "store_impl.h"
#include "store_sql.h"
#include "utc.h"

#define SUB_COLS "channel, address, list, state, requested, confirmed, " \
	"method, notice, language"
/*
 * Nobody opted out of the row's list is ever counted subscribed; an
 * opt-out of all is overridden by the row, for its list alone
 * (subscription.h).
 */
#define NOT_OPTED_OUT "NOT EXISTS (SELECT 1 FROM optout o WHERE " \
	"o.channel = subscription.channel AND o.address = " \
	"subscription.address AND o.list = subscription.list)"
#define EV_COLS "id, channel, address, list, action, method, notice, " \
	"language, requested, created"

enum { SUB_PUT, SUB_GET, SUB_DELETE, SUB_OF, SUB_LIST, SUB_COUNT, EV_PUT,
    EV_OF, SUB_REMOVE, EV_REMOVE, SUPPRESSED, ERASED, NSTMT };

static const struct pf_sql sql[NSTMT] = {
	[SUB_PUT] = { "subscription put", "INSERT INTO subscription ("
	    SUB_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
	    "ON CONFLICT (channel, address, list) DO UPDATE SET "
	    "state = excluded.state, requested = excluded.requested, "
	    "confirmed = excluded.confirmed, method = excluded.method, "
	    "notice = excluded.notice, language = excluded.language" },
	[SUB_GET] = { "subscription get", "SELECT " SUB_COLS " FROM "
	    "subscription WHERE channel = ?1 AND address = ?2 AND list = ?3" },
	/* ?3 '': every list of the person on that channel. */
	[SUB_DELETE] = { "subscription delete", "DELETE FROM subscription "
	    "WHERE channel = ?1 AND address = ?2 AND (CAST(?3 AS TEXT) = '' OR list = ?3)",
	    .ahead = 1 },
	[SUB_OF] = { "subscription of", "SELECT " SUB_COLS " FROM "
	    "subscription WHERE address = ?2 AND "
	    "(CAST(?1 AS TEXT) IS NULL OR channel = ?1) ORDER BY channel, list" },
	[SUB_LIST] = { "subscription list", "SELECT " SUB_COLS " FROM "
	    "subscription WHERE list = ?1 AND state = 'subscribed' AND "
	    NOT_OPTED_OUT " ORDER BY address" },
	[SUB_COUNT] = { "subscription count", "SELECT count(*) FROM "
	    "subscription WHERE list = ?1 AND state = 'subscribed' AND "
	    NOT_OPTED_OUT },
	[EV_PUT] = { "subscription event put", "INSERT INTO "
	    "subscription_event (channel, address, list, action, method, "
	    "notice, language, requested, created) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", .ahead = 1 },
	[EV_OF] = { "subscription events of", "SELECT " EV_COLS " FROM "
	    "subscription_event WHERE address = ?1 ORDER BY id" },
	[SUB_REMOVE] = { "subscription remove",
	    "DELETE FROM subscription WHERE address = ?1" },
	[EV_REMOVE] = { "subscription events remove",
	    "DELETE FROM subscription_event WHERE address = ?1" },
	/* Opted out of ?2, or of all and not subscribed to ?2. */
	[SUPPRESSED] = { "subscription suppressed", "SELECT DISTINCT address "
	    "FROM optout o WHERE channel = ?1 AND (list = ?2 OR (list = '' "
	    "AND NOT EXISTS (SELECT 1 FROM subscription s WHERE s.channel = "
	    "o.channel AND s.address = o.address AND s.list = ?2 AND "
	    "s.state = 'subscribed'))) ORDER BY address" },
	[ERASED] = { "subscription erased", "SELECT count(*) FROM "
	    "suppression WHERE channel = ?1" },
};

const struct pf_sql_set pf_sql_set_subs = { PF_SQL_SUBS, NSTMT, sql };

#define Q(id)	PF_SQL_REF(&pf_sql_set_subs, id)

/* A row of SUB_COLS to the walk's callback. */
static int
sub_row(const struct pf_row *r, void *ctx)
{
	const struct pf_subscription	 s = { .channel = COL_T(0),
	    .address = COL_T(1), .list = COL_T(2), .state = COL_T(3),
	    .requested = COL_T(4), .confirmed = COL_T(5), .method = COL_T(6),
	    .notice = COL_T(7), .language = COL_T(8) };

	return PF_WALK_CALL(pf_sub_fn, (const struct pf_sql_walk *)ctx, &s);
}

/* A row of EV_COLS to the walk's callback. */
static int
ev_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sub_event	 e = { .id = COL_I(0),
	    .channel = COL_T(1), .address = COL_T(2), .list = COL_T(3),
	    .action = COL_T(4), .method = COL_T(5), .notice = COL_T(6),
	    .language = COL_T(7), .requested = COL_T(8), .created = COL_T(9) };

	return PF_WALK_CALL(pf_sub_event_fn, (const struct pf_sql_walk *)ctx,
	    &e);
}

typedef int text_fn(const char *text, void *arg);

/* Column 0 as text to a text_fn. */
static int
text_row(const struct pf_row *r, void *ctx)
{
	return PF_WALK_CALL(text_fn, (const struct pf_sql_walk *)ctx,
	    COL_T(0));
}

int
pf_store_sub_put(struct pf_store *st, const struct pf_subscription *s)
{
	return pf_sql_exec(st, Q(SUB_PUT), PF_ARGS(PF_T(s->channel),
	    PF_T(s->address), PF_T(s->list), PF_T(s->state),
	    PF_T(s->requested), PF_T(s->confirmed), PF_T(s->method),
	    PF_T(s->notice), PF_T(s->language)), NULL);
}

int
pf_store_sub_get(struct pf_store *st, const char *channel,
    const char *address, const char *list, pf_sub_fn *fn, void *arg)
{
	return pf_sql_one(st, Q(SUB_GET), PF_ARGS(PF_T(channel),
	    PF_T(address), PF_T(list)), sub_row, PF_WALK(fn, arg));
}

int
pf_store_sub_delete(struct pf_store *st, const char *channel,
    const char *address, const char *list, long long *n)
{
	return pf_sql_exec_ahead(st, Q(SUB_DELETE), PF_ARGS(PF_T(channel),
	    PF_T(address), PF_T(list)), n);
}

int
pf_store_sub_of(struct pf_store *st, const char *channel,
    const char *address, pf_sub_fn *fn, void *arg)
{
	return pf_sql_each(st, Q(SUB_OF), PF_ARGS(PF_T(channel),
	    PF_T(address)), sub_row, PF_WALK(fn, arg));
}

int
pf_store_sub_list(struct pf_store *st, const char *list, pf_sub_fn *fn,
    void *arg)
{
	return pf_sql_each(st, Q(SUB_LIST), PF_ARGS(PF_T(list)), sub_row,
	    PF_WALK(fn, arg));
}

int
pf_store_sub_count(struct pf_store *st, const char *list, long long *n)
{
	*n = 0;
	return pf_sql_one(st, Q(SUB_COUNT), PF_ARGS(PF_T(list)), pf_row_int0,
	    n);
}

int
pf_store_sub_event_put(struct pf_store *st, const struct pf_sub_event *e,
    long long *id)
{
	return pf_sql_insert(st, Q(EV_PUT), PF_ARGS(PF_T(e->channel),
	    PF_T(e->address), PF_T(e->list), PF_T(e->action), PF_T(e->method),
	    PF_T(e->notice), PF_T(e->language), PF_T(e->requested),
	    PF_NOW(e->created)), id);
}

int
pf_store_sub_events_of(struct pf_store *st, const char *address,
    pf_sub_event_fn *fn, void *arg)
{
	return pf_sql_each(st, Q(EV_OF), PF_ARGS(PF_T(address)), ev_row,
	    PF_WALK(fn, arg));
}

int
pf_store_sub_remove(struct pf_store *st, const char *address,
    long long *subs, long long *events)
{
	int	 rc;

	if ((rc = pf_sql_exec(st, Q(SUB_REMOVE), PF_ARGS(PF_T(address)),
	    subs)) != PF_OK)
		return rc;
	return pf_sql_exec(st, Q(EV_REMOVE), PF_ARGS(PF_T(address)), events);
}

int
pf_store_sub_suppressed(struct pf_store *st, const char *channel,
    const char *list, int (*fn)(const char *address, void *arg), void *arg)
{
	return pf_sql_each(st, Q(SUPPRESSED), PF_ARGS(PF_T(channel),
	    PF_T(list)), text_row, PF_WALK(fn, arg));
}

int
pf_store_sub_erased(struct pf_store *st, const char *channel, long long *n)
{
	*n = 0;
	return pf_sql_one(st, Q(ERASED), PF_ARGS(PF_T(channel)), pf_row_int0,
	    n);
}
