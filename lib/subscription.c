/*
 * subscription.c -- subscribe, confirm, unsubscribe and stop all, each
 * with its store rows, its history row and its audit record
 * (subscription.h).
 */
#include <stdio.h>
#include <string.h>

#include "audit_events.h"
#include "err.h"
#include "nitems.h"
#include "store.h"
#include "subscription.h"
#include "utc.h"

#define MAX_EXTRA	(PF_AUDIT_MAX_DETAILS - 3)	/* beyond ours */
#define LIST_LABEL_MAX	64	/* a one-click link's list (validate.h) */

/* The methods each function takes (subscription.h). */
#define REQUEST_METHODS	"signup preferences"
#define CONFIRM_METHODS	"confirm"
#define DROP_METHODS	"preferences one-click unsubscribe"
/* Those that prove the request comes from the mailbox (subscription.h). */
#define PROVEN_METHODS	"preferences confirm"

/* Each history action and the audit event that records it. */
static const struct {
	const char	*action, *event;
} actions[] = {
	{ "requested", "subscription-requested" },
	{ "confirmed", "subscription-confirmed" },
	{ "subscribed", "subscribed" },
	{ "unsubscribed", "unsubscribed" },
};

/* A row as read, copied out of the callback. */
struct row {
	char	 state[16], requested[PF_TIME_SIZE], method[16];
	int	 found;
};

static int
row_copy(const struct pf_subscription *s, void *arg)
{
	struct row	*r = arg;

	snprintf(r->state, sizeof(r->state), "%s", s->state);
	snprintf(r->requested, sizeof(r->requested), "%s", s->requested);
	snprintf(r->method, sizeof(r->method), "%s", s->method);
	r->found = 1;
	return 0;
}

static int
row_get(struct pf_store *st, const struct pf_sub_change *c, struct row *r)
{
	int	 rc;

	memset(r, 0, sizeof(*r));
	rc = pf_store_sub_get(st, c->channel, c->address, c->list, row_copy, r);
	return rc == PF_ENOTFOUND ? PF_OK : rc;
}

/* The shape every change needs; methods: those the caller takes. */
static int
change_ok(const struct pf_sub_change *c, const char *methods)
{
	return c->channel != NULL && (strcmp(c->channel, "email") == 0 ||
	    strcmp(c->channel, "sms") == 0) && c->address != NULL &&
	    c->list != NULL && c->method != NULL && c->language != NULL &&
	    c->subject != NULL && pf_audit_code_in(c->method, methods);
}

/* The table's list of c, of c's channel, or NULL. */
static const struct pf_mlist *
list_of(const struct pf_lists *l, const struct pf_sub_change *c)
{
	const struct pf_mlist	*m = pf_lists_find(l, c->list);

	return m != NULL && strcmp(m->channel, c->channel) == 0 ? m : NULL;
}

/* The audit record of action: ours, then the caller's details. */
static int
audit(struct pf_txn *t, const struct pf_sub_change *c, const char *list,
    const char *action)
{
	const char	*d[2 * PF_AUDIT_MAX_DETAILS + 1] = { "channel",
	    c->channel, "list", list, "method", c->method };
	const char	*event = NULL;
	size_t		 i, n = 6;

	for (i = 0; i < nitems(actions); i++)
		if (strcmp(actions[i].action, action) == 0)
			event = actions[i].event;
	for (i = 0; c->details != NULL && c->details[i] != NULL &&
	    i < 2 * MAX_EXTRA; i += 2) {
		d[n++] = c->details[i];
		d[n++] = c->details[i + 1];
	}
	d[n] = NULL;
	return pf_txn_audit(t, c->request_id, event, c->subject, d);
}

/* One history row and one audit record of a change that happened. */
static int
evidence(struct pf_txn *t, const struct pf_sub_change *c, const char *list,
    const char *action, const char *notice, const char *requested,
    const char *now)
{
	const struct pf_sub_event	 e = { .channel = c->channel,
	    .address = c->address, .list = list, .action = action,
	    .method = c->method, .notice = notice, .language = c->language,
	    .requested = requested, .created = now };
	int				 rc;

	if ((rc = pf_store_sub_event_put(t->st, &e, NULL)) != PF_OK)
		return rc;
	return audit(t, c, list, action);
}

/* The opt-out of c on list, with c's reason and its source. */
static int
optout_put(struct pf_store *st, const struct pf_sub_change *c,
    const char *list, const char *now)
{
	const struct pf_optout	 o = { .channel = c->channel,
	    .address = c->address, .list = list, .reason = c->reason,
	    .source = strcmp(c->method, "unsubscribe") == 0 ? "form" :
	    c->method };

	return pf_store_optout_put(st, &o, now);
}

/*
 * c subscribed to m from now on: the row, and no opt-out of m.  An
 * opt-out of all stays: the row overrides it for m alone (subscription.h).
 */
static int
subscribe(struct pf_txn *t, const struct pf_mlist *m,
    const struct pf_sub_change *c, const char *requested, const char *method,
    const char *now)
{
	const struct pf_subscription	 s = { .channel = c->channel,
	    .address = c->address, .list = m->id, .state = "subscribed",
	    .requested = requested, .confirmed = now, .method = method,
	    .notice = m->notice, .language = c->language };
	int				 rc;

	if ((rc = pf_store_sub_put(t->st, &s)) == PF_OK)
		rc = pf_store_optout_delete(t->st, c->channel, c->address,
		    m->id, NULL);
	return rc;
}

/*
 * Every change of one person's subscriptions on one channel waits for
 * the one before it to commit (store.h's pf_store_lock; nothing to do on
 * SQLite), so that what it reads next is what that one wrote.
 */
static int
lock(struct pf_txn *t, const struct pf_sub_change *c)
{
	return pf_store_lock(t->st, "subscription", c->channel, c->address);
}

/* Is c suppressed on list already (an opt-out of it)?  *yes. */
static int
opted_out(struct pf_store *st, const struct pf_sub_change *c,
    const char *list, int *yes)
{
	return pf_store_optout_get(st, c->channel, c->address, list, NULL,
	    NULL, yes);
}

/*
 * Does c's request of m need the confirmation from the mailbox?  m's
 * double opt-in, or a method that proves nothing about the mailbox (not
 * PROVEN_METHODS) asking for someone who opted out of m or of all, or
 * who was erased (the pseudonym suppressed on the channel): *yes.
 */
static int
needs_proof(struct pf_store *st, const struct pf_mlist *m,
    const struct pf_sub_change *c, int *yes)
{
	int	 rc, one = 0, all = 0;

	*yes = m->double_opt_in;
	if (*yes || pf_audit_code_in(c->method, PROVEN_METHODS))
		return PF_OK;
	if ((rc = opted_out(st, c, m->id, &one)) != PF_OK ||
	    (rc = opted_out(st, c, "", &all)) != PF_OK)
		return rc;
	if (one || all) {
		*yes = 1;
		return PF_OK;
	}
	rc = pf_store_suppressed(st, strcmp(c->channel, "sms") == 0 ?
	    "phone" : "email", c->subject, c->channel);
	*yes = rc == PF_OK;
	return rc == PF_ENOTFOUND ? PF_OK : rc;
}

int
pf_sub_request(struct pf_txn *t, const struct pf_lists *l,
    const struct pf_sub_change *c, int *changed)
{
	const struct pf_mlist	*m;
	struct pf_subscription	 s;
	struct row		 r;
	char			 buf[PF_TIME_SIZE];
	const char		*now = pf_utc_now_or(c->now, buf);
	int			 rc, proof;

	*changed = 0;
	if (!change_ok(c, REQUEST_METHODS) || (m = list_of(l, c)) == NULL)
		return PF_EINVAL;
	if ((rc = lock(t, c)) != PF_OK || (rc = row_get(t->st, c, &r)) != PF_OK ||
	    strcmp(r.state, "subscribed") == 0 ||
	    (rc = needs_proof(t->st, m, c, &proof)) != PF_OK)
		return rc;
	if (proof && strcmp(r.state, "pending") == 0)
		return PF_OK;	/* the request stands, and its link */
	*changed = 1;
	if (!proof) {
		if ((rc = subscribe(t, m, c, now, c->method, now)) != PF_OK)
			return rc;
		return evidence(t, c, m->id, "subscribed", m->notice, now, now);
	}
	s = (struct pf_subscription){ .channel = c->channel,
	    .address = c->address, .list = m->id, .state = "pending",
	    .requested = now, .confirmed = NULL, .method = c->method,
	    .notice = m->notice, .language = c->language };
	if ((rc = pf_store_sub_put(t->st, &s)) != PF_OK)
		return rc;
	return evidence(t, c, m->id, "requested", m->notice, now, now);
}

int
pf_sub_confirm(struct pf_txn *t, const struct pf_lists *l,
    const struct pf_sub_change *c, const char *requested, int *changed)
{
	const struct pf_mlist	*m;
	struct row		 r;
	char			 buf[PF_TIME_SIZE];
	const char		*now = pf_utc_now_or(c->now, buf);
	int			 rc;

	*changed = 0;
	if (!change_ok(c, CONFIRM_METHODS) || (m = list_of(l, c)) == NULL ||
	    requested == NULL)
		return PF_EINVAL;
	if ((rc = lock(t, c)) != PF_OK || (rc = row_get(t->st, c, &r)) != PF_OK ||
	    strcmp(r.state, "pending") != 0 ||
	    strcmp(r.requested, requested) != 0)
		return rc;
	*changed = 1;
	if ((rc = subscribe(t, m, c, r.requested, r.method, now)) != PF_OK)
		return rc;
	return evidence(t, c, m->id, "confirmed", m->notice, r.requested, now);
}

int
pf_sub_drop(struct pf_txn *t, const struct pf_lists *l,
    const struct pf_sub_change *c, int *changed)
{
	const struct pf_mlist	*m;
	char			 buf[PF_TIME_SIZE];
	const char		*now = pf_utc_now_or(c->now, buf);
	long long		 n = 0;
	int			 rc, one = 0, all = 0;

	*changed = 0;
	if (!change_ok(c, DROP_METHODS) || c->list[0] == '\0' ||
	    strlen(c->list) > LIST_LABEL_MAX)
		return PF_EINVAL;
	m = list_of(l, c);
	if ((rc = lock(t, c)) != PF_OK ||
	    (rc = pf_store_sub_delete(t->st, c->channel, c->address, c->list,
	    &n)) != PF_OK ||
	    (rc = opted_out(t->st, c, c->list, &one)) != PF_OK ||
	    (rc = opted_out(t->st, c, "", &all)) != PF_OK)
		return rc;
	if (n == 0 && (one || all))
		return PF_OK;
	/* With a row gone, its own opt-out too, beside one of all. */
	if (!one && (rc = optout_put(t->st, c, c->list, now)) != PF_OK)
		return rc;
	*changed = 1;
	return evidence(t, c, c->list, "unsubscribed",
	    m != NULL ? m->notice : "", NULL, now);
}

int
pf_sub_stop_all(struct pf_txn *t, const struct pf_lists *l,
    const struct pf_sub_change *c, int *changed)
{
	char		 buf[PF_TIME_SIZE];
	const char	*now = pf_utc_now_or(c->now, buf);
	long long	 n = 0;
	int		 rc, all = 0;

	(void)l;
	*changed = 0;
	if (!change_ok(c, DROP_METHODS))
		return PF_EINVAL;
	if ((rc = lock(t, c)) != PF_OK ||
	    (rc = pf_store_sub_delete(t->st, c->channel, c->address, "",
	    &n)) != PF_OK || (rc = opted_out(t->st, c, "", &all)) != PF_OK)
		return rc;
	if (!all && (rc = optout_put(t->st, c, "", now)) != PF_OK)
		return rc;
	if (n == 0 && all)
		return PF_OK;
	*changed = 1;
	return evidence(t, c, "", "unsubscribed", "", NULL, now);
}

static int
state_of(const struct pf_subscription *s, void *arg)
{
	*(int *)arg = strcmp(s->state, "subscribed") == 0 ?
	    PF_SUB_SUBSCRIBED : PF_SUB_PENDING;
	return 0;
}

int
pf_sub_state(struct pf_store *st, const char *channel, const char *address,
    const char *list, int *state)
{
	int	 rc;

	*state = PF_SUB_NONE;
	rc = pf_store_sub_get(st, channel, address, list, state_of, state);
	return rc == PF_ENOTFOUND ? PF_OK : rc;
}

static int
requested_of(const struct pf_subscription *s, void *arg)
{
	if (strcmp(s->state, "pending") != 0)
		return PF_ENOTFOUND;
	snprintf(arg, PF_TIME_SIZE, "%s", s->requested);
	return 0;
}

int
pf_sub_requested(struct pf_store *st, const char *channel,
    const char *address, const char *list, char requested[PF_TIME_SIZE])
{
	requested[0] = '\0';
	return pf_store_sub_get(st, channel, address, list, requested_of,
	    requested);
}

int
pf_sub_subject(const struct pf_keys *keys, const char *channel,
    const char *address, char out[PF_HEX_DIGEST_LEN + 1])
{
	return pf_pseudonym(keys, strcmp(channel, "sms") == 0 ? "phone" :
	    "email", address, out);
}
