/*
 * store_agents.c -- the queries of requests' agents (store.h, "agents";
 * 013-agents.sql).
 *
 * Every query is one entry of sql[] below, run through store_sql.h: values
 * are only ever bound, never logged.
 */
#include "err.h"
#include "store.h"
#include "store_impl.h"
#include "store_sql.h"
#include "utc.h"

#define AGENT_COLS "request, name, email, relationship, answer, answered"

enum { AGENT_SET, AGENT_CLEAR, AGENT_GET, AGENT_ANSWER, AGENT_ERASE, NSTMT };

static const struct pf_sql sql[NSTMT] = {
	/* A revision asks again: the person answers what was asked last. */
	[AGENT_SET] = { "agent set",
	    "INSERT INTO request_agent (request, name, email, relationship, "
	    "answer, answered) VALUES (?1, ?2, ?3, ?4, 'asked', NULL) "
	    "ON CONFLICT (request) DO UPDATE SET name = excluded.name, "
	    "email = excluded.email, relationship = excluded.relationship, "
	    "answer = 'asked', answered = NULL" },
	[AGENT_CLEAR] = { "agent clear",
	    "DELETE FROM request_agent WHERE request = ?1", .ahead = 1 },
	[AGENT_GET] = { "agent get",
	    "SELECT " AGENT_COLS " FROM request_agent WHERE request = ?1" },
	[AGENT_ANSWER] = { "agent answer",
	    "UPDATE request_agent SET answer = ?2, answered = ?3 "
	    "WHERE request = ?1 AND answer = 'asked'" },
	/* Before pf_store_dsr_erase blanks the key it finds them by. */
	[AGENT_ERASE] = { "agent erase",
	    "UPDATE request_agent SET name = NULL, email = NULL WHERE request "
	    "IN (SELECT id FROM request WHERE email_key = ?1)" },
};

typedef int agent_fn(const struct pf_dsr_agent *a, void *arg);

const struct pf_sql_set pf_sql_set_agents = { PF_SQL_AGENTS, NSTMT, sql };

#define Q(id)	PF_SQL_REF(&pf_sql_set_agents, id)

int
pf_store_agent_set(struct pf_store *st, long long request,
    const struct pf_dsr_agent *a)
{
	if (a == NULL)
		return pf_sql_exec(st, Q(AGENT_CLEAR), PF_ARGS(PF_I(request)),
		    NULL);
	return pf_sql_exec(st, Q(AGENT_SET), PF_ARGS(PF_I(request),
	    PF_T(a->name), PF_T(a->email), PF_T(a->relationship)), NULL);
}

/* A row of AGENT_COLS to the walk's callback. */
static int
agent_row(const struct pf_row *r, void *ctx)
{
	const struct pf_sql_walk	*w = ctx;
	const struct pf_dsr_agent	 a = { .request = COL_I(0),
	    .name = COL_T(1), .email = COL_T(2), .relationship = COL_T(3),
	    .answer = COL_T(4), .answered = COL_T(5) };

	return PF_WALK_CALL(agent_fn, w, &a);
}

int
pf_store_agent_get(struct pf_store *st, long long request, agent_fn *fn,
    void *arg)
{
	return pf_sql_one(st, Q(AGENT_GET), PF_ARGS(PF_I(request)), agent_row,
	    PF_WALK(fn, arg));
}

int
pf_store_agent_answer(struct pf_store *st, long long request,
    const char *answer, const char *now)
{
	return pf_sql_change(st, Q(AGENT_ANSWER), PF_ARGS(PF_I(request),
	    PF_T(answer), PF_NOW(now)));
}

int
pf_store_agent_erase(struct pf_store *st, const char *email_key)
{
	return pf_sql_exec(st, Q(AGENT_ERASE), PF_ARGS(PF_T(email_key)), NULL);
}
