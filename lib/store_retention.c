/*
 * store_retention.c -- the queries that reduce a closed data subject
 * request to what the yearly metrics need (store.h, "retention";
 * 014-request-reduced.sql).
 *
 * A reduction is one list, below: the personal columns of request
 * (PERSONAL) and one statement per other table that holds a request's
 * personal data (CLEARS).  Whatever stays is what `privforms requests
 * report` reads (type, status, received, the closing event's time and
 * reason) and what placed the request under a law (country, state, law,
 * due, acknowledge, extension); the subject stays too: it is the pseudonym
 * the request's audit records already carry beside its number, which the
 * trail keeps for ever.
 *
 * Each request is reduced whole inside one savepoint (in the caller's
 * transaction), so an interrupted purge leaves it whole or reduced.
 */
#include <string.h>

#include "err.h"
#include "nitems.h"
#include "store.h"
#include "store_impl.h"
#include "store_sql.h"
#include "utc.h"

/*
 * A closed request, which no one acts on again: the one condition, so a
 * state that reopens one (an appeal still open) is one more "AND" here.
 */
#define CLOSED	"status IN ('fulfilled', 'denied') " \
	"AND (appeal IS NULL OR appeal != 'open')"

/*
 * What a reduction clears.  PERSONAL: the personal columns of request
 * (party too: the verified address is reached through it), emptied last.
 * CLEARS: one statement per table, run before with ?1 the request's id;
 * a table added with a request's personal data (an appeal's text, an
 * agent's name and contact) is one more line here, a personal column
 * added to request one more "col = NULL" in PERSONAL.
 *
 * A request's mail that never went (a failed one keeps its address and
 * values for a requeue: 002-outbox.sql; a sent one was blanked then) goes
 * too: every mail about a request has a request-* template, the person's
 * pseudonym as subject and the request's number as its first value
 * (dsr.h's pf_dsr_mail, pf_dsr_mail_team, agent.h's pf_agent_mail), which
 * the statement matches, so another request's mail stays.
 *
 * The party's address goes with the last request that has it: a request
 * verified by a party has that party's address as email_key, so when no
 * other request has that key (request_email answers it), nothing needs
 * the address any more.  The party row stays, as after an erasure.
 */
#define PERSONAL "organisation = NULL, first_name = NULL, " \
	"last_name = NULL, email = NULL, email_key = NULL, details = NULL, " \
	"appeal_reason = NULL, party = NULL"

#define CLEARS(X) \
	X(CLEAR_PARTY, "reduce party", "UPDATE party SET email = NULL " \
	    "WHERE id = (SELECT party FROM request WHERE id = ?1) " \
	    "AND NOT EXISTS (SELECT 1 FROM request r " \
	    "WHERE r.email_key = party.email AND r.id != ?1)") \
	X(CLEAR_NOTES, "reduce notes", "UPDATE request_event SET note = NULL " \
	    "WHERE request = ?1 AND note IS NOT NULL") \
	X(CLEAR_AGENT, "reduce agent", "UPDATE request_agent SET name = NULL, " \
	    "email = NULL WHERE request = ?1") \
	X(CLEAR_MAIL, "reduce mail", "DELETE FROM outbox " \
	    "WHERE state IN ('queued', 'sending', 'failed') " \
	    "AND substr(template, 1, 8) = 'request-' " \
	    "AND subject = (SELECT subject FROM request WHERE id = ?1) " \
	    "AND substr(vals, 1, length('id=' || ?1 || '&')) = " \
	    "'id=' || ?1 || '&'")

#define CLEAR_ENUM(id, what, text)	id,
#define CLEAR_ROW(id, what, text)	[id] = { what, text },

enum {
	REDUCE_PICK, REDUCE_CLAIM, REDUCE_REQUEST, REDUCED_ON,
	CLEARS(CLEAR_ENUM)
	NSTMT
};

#define CLEAR_FIRST	(REDUCED_ON + 1)

static const struct pf_sql sql[NSTMT] = {
	/* Oldest closed first; a scan, like the purge of expired ones. */
	[REDUCE_PICK] = { "reduce pick", "SELECT id FROM request WHERE "
	    CLOSED " AND reduced IS NULL AND updated < ?1 "
	    "ORDER BY updated, id LIMIT ?2" },
	/*
	 * The request's row locked before anything of it is cleared, if it
	 * is still closed: an appeal opened since the pick (on another
	 * worker or node) leaves it whole, and once locked none can open
	 * until the reduction commits.
	 */
	[REDUCE_CLAIM] = { "reduce claim",
	    "UPDATE request SET reduced = NULL "
	    "WHERE id = ?1 AND " CLOSED " AND reduced IS NULL" },
	/* The request's own row, last; only a closed one, once. */
	[REDUCE_REQUEST] = { "reduce request",
	    "UPDATE request SET " PERSONAL ", reduced = ?2 "
	    "WHERE id = ?1 AND " CLOSED " AND reduced IS NULL" },
	/* When it was reduced: no row while it is whole. */
	[REDUCED_ON] = { "reduced on",
	    "SELECT reduced FROM request WHERE id = ?1 "
	    "AND reduced IS NOT NULL" },
	CLEARS(CLEAR_ROW)
};

const struct pf_sql_set pf_sql_set_retention = { PF_SQL_RETENTION, NSTMT, sql };

#define Q(id)	PF_SQL_REF(&pf_sql_set_retention, id)

/*
 * The ids a batch reduces, collected before any is changed (a row is
 * not changed under the statement that reads it).
 */
struct picked {
	int		 n;
	long long	 id[PF_DSR_REDUCE_MAX];
};

static int
pick_row(const struct pf_row *r, void *ctx)
{
	struct picked	*p = ctx;

	if (p->n == (int)nitems(p->id))
		return PF_ETOOBIG;
	p->id[p->n++] = COL_I(0);
	return PF_OK;
}

/*
 * Every line of the list for request id, its own row last; PF_ENOTFOUND,
 * nothing changed, when it is no longer closed.
 */
static int
reduce_one(struct pf_store *st, long long id, const char *now)
{
	int	 i, err;

	err = pf_sql_change(st, Q(REDUCE_CLAIM), PF_ARGS(PF_I(id)));
	for (i = CLEAR_FIRST; err == PF_OK && i < NSTMT; i++)
		err = pf_sql_exec(st, Q(i), PF_ARGS(PF_I(id)), NULL);
	if (err == PF_OK)
		err = pf_sql_change(st, Q(REDUCE_REQUEST), PF_ARGS(PF_I(id),
		    PF_T(now)));
	return err;
}

int
pf_store_dsr_reduce(struct pf_store *st, const char *before,
    const char *now, int limit, long long *n)
{
	struct picked	 p = { .n = 0 };
	char		 t[PF_TIME_SIZE];
	long long	 done = 0;
	int		 i, err;

	*n = 0;
	if (limit < 1 || limit > PF_DSR_REDUCE_MAX)
		return PF_EINVAL;
	now = pf_utc_now_or(now, t);
	if ((err = pf_sql_savepoint(st)) != PF_OK)
		return err;
	err = pf_sql_each(st, Q(REDUCE_PICK), PF_ARGS(PF_T(before),
	    PF_I(limit)), pick_row, &p);
	for (i = 0; err == PF_OK && i < p.n; i++)
		if ((err = reduce_one(st, p.id[i], now)) == PF_OK)
			done++;
		else if (err == PF_ENOTFOUND)
			err = PF_OK;	/* appealed since the pick */
	if ((err = pf_sql_savepoint_end(st, err)) == PF_OK)
		*n = done;
	return err;
}

/* Column 0, a stored time, into ctx (PF_TIME_SIZE bytes). */
static int
time_row(const struct pf_row *r, void *ctx)
{
	const char	*s = COL_T(0);

	if (s == NULL || strlen(s) >= PF_TIME_SIZE)
		return PF_ESTORE;
	memcpy(ctx, s, strlen(s) + 1);
	return PF_OK;
}

int
pf_store_dsr_reduced(struct pf_store *st, long long id,
    char out[PF_TIME_SIZE])
{
	return pf_sql_one(st, Q(REDUCED_ON), PF_ARGS(PF_I(id)), time_row, out);
}
