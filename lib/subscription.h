/*
 * subscription.h -- the one place that applies a change to a person's
 * mailing list subscriptions (lists.h), with its evidence.
 *
 * Who is subscribed: a row of state "subscribed" (store.h), unless an
 * opt-out of its own list says otherwise.  The optout table stays the
 * suppression truth, and a row overrides an opt-out of all ("") for its
 * list only:
 *  - subscribing to list L (a list without double opt-in, at once; one
 *    with it, when confirmed) deletes the opt-out of (channel, address, L)
 *    and nothing else: an opt-out of all stays, so that every other list,
 *    those added to the table later included, and marketing mail outside
 *    the lists (`unsubscribes check`) stay suppressed;
 *  - asking for a double opt-in list stores it "pending" and changes no
 *    opt-out: nothing is sent to them until they confirm;
 *  - what proves nothing about the mailbox (method "signup", the signup
 *    form anyone can fill in with any address) never lifts an opt-out:
 *    for an address opted out of L or of all, or erased (its pseudonym,
 *    c->subject, suppressed on the channel: store.h's pf_store_suppressed),
 *    a request is handled as double opt-in whatever the table says.  Only
 *    the preference page ("preferences", reached by a signed link mailed
 *    to the address) and the confirmation ("confirm") lift one;
 *  - unsubscribing from L deletes its row and puts an opt-out of L;
 *  - "stop all" deletes every row of (channel, address) and puts the
 *    opt-out of every list ("").
 * So the subscribed export of L (store.h's pf_store_sub_list) is the
 * subscribed rows of L with no opt-out of L, and its suppressed export
 * (pf_store_sub_suppressed) the opt-outs of L and those of all without a
 * subscribed row of L: a person opted out of all and subscribed to
 * nothing is never shown subscribed, never in a subscribed export.
 *
 * Each function runs inside the caller's write transaction (txn.h; a
 * program's app->tx), first takes the person's lock (store.h's
 * pf_store_lock, kind "subscription", channel and address: two saves at
 * once on PostgreSQL make the change once; take a lock of your own before
 * it, never after, store_sql.h) and, when it changed something, appends one
 * subscription_event row and one audit record (form: the transaction's;
 * events subscription-requested, subscription-confirmed, subscribed,
 * unsubscribed with details channel, list, method and the caller's own,
 * AUDIT.md), then sets *changed to 1.  A no-op (unsubscribing from a list
 * one is neither on nor missing the opt-out of, subscribing again, asking
 * again for a list that is pending) stores and appends nothing: *changed
 * 0.  Returns PF_OK, PF_EINVAL for a change
 * the rules do not allow (an unknown channel, a list not in the table or
 * of the other channel where one must be, a method the function does not
 * take), or the store's error (the caller rolls back).
 */
#ifndef PF_SUBSCRIPTION_H
#define PF_SUBSCRIPTION_H

#include "keys.h"
#include "lists.h"
#include "txn.h"
#include "utc.h"

struct pf_store;

struct pf_sub_change {
	const char	*channel;	/* "email" or "sms" */
	const char	*address;	/* email key (validate.h) or E.164 */
	const char	*list;		/* a list id; "" only for stop-all */
	/*
	 * How: "signup" (the signup snippet's form) and "preferences" (the
	 * preference page) request; "confirm" (the confirmation link's POST)
	 * confirms; "preferences", "one-click" (RFC 8058) and "unsubscribe"
	 * (the unsubscribe form) drop and stop all.
	 */
	const char	*method;
	const char	*language;	/* lang.h tag of the page */
	const char	*subject;	/* pf_sub_subject's pseudonym */
	const char	*request_id;	/* the request's, in the record; NULL */
	const char	*now;		/* the change's time (utc.h); NULL: now.
					   A request's is its "requested" */
	const char	*reason;	/* the opt-out's reason, or NULL */
	/* More audit details (name, value, ..., NULL), or NULL. */
	const char *const *details;
};

enum { PF_SUB_NONE, PF_SUB_PENDING, PF_SUB_SUBSCRIBED };

/*
 * Ask for list: a list that needs the confirmation (its double opt-in, or
 * the rule above for "signup") becomes pending, requested = c->now (or
 * now); one without is subscribed at once.  Already subscribed, or
 * pending and still needing the confirmation: a no-op, and the pending
 * row keeps its requested time, so the link already mailed still
 * confirms.
 *
 * The caller decides the mail from what follows (pf_sub_state):
 *  - *changed 1 and the row now pending: a new request; mail the
 *    confirmation link for requested = c->now (set c->now, so that the
 *    link and the row carry the same time);
 *  - *changed 0 and the row pending: nothing new; the caller may mail the
 *    same link again, for pf_sub_requested's time (its own per-address
 *    mail limit applies), or not;
 *  - the row subscribed: nothing to confirm.
 */
int pf_sub_request(struct pf_txn *t, const struct pf_lists *l,
    const struct pf_sub_change *c, int *changed);

/*
 * Confirm a pending subscription whose requested time is requested (the
 * confirmation link's): subscribed, confirmed = now.  No pending row of
 * that time (confirmed already, or dropped and asked for again since):
 * a no-op.
 */
int pf_sub_confirm(struct pf_txn *t, const struct pf_lists *l,
    const struct pf_sub_change *c, const char *requested, int *changed);

/*
 * Unsubscribe from list (any list id a one-click link may carry, in the
 * table or not): its row deleted, an opt-out of it put.  A no-op when
 * there was no row and the person was suppressed already (an opt-out of
 * the list or of all).
 */
int pf_sub_drop(struct pf_txn *t, const struct pf_lists *l,
    const struct pf_sub_change *c, int *changed);

/*
 * Stop all marketing on the channel (c->list ignored): every row deleted,
 * the opt-out of every list put; one event row and one record, list "".
 * A no-op when there was no row and that opt-out existed already.
 */
int pf_sub_stop_all(struct pf_txn *t, const struct pf_lists *l,
    const struct pf_sub_change *c, int *changed);

/* The state of (channel, address, list) into *state: PF_SUB_... */
int pf_sub_state(struct pf_store *st, const char *channel,
    const char *address, const char *list, int *state);

/*
 * The requested time (utc.h) of the pending row of (channel, address,
 * list), the one its confirmation link must carry, into requested:
 * PF_OK, or PF_ENOTFOUND when there is no pending row (requested "").
 */
int pf_sub_requested(struct pf_store *st, const char *channel,
    const char *address, const char *list, char requested[PF_TIME_SIZE]);

/*
 * The subject of the audit records about address on channel: its keyed
 * pseudonym (keys.h; kind "email", or "phone" for sms), as every other
 * record names the person.  Compute it before the transaction begins.
 */
int pf_sub_subject(const struct pf_keys *keys, const char *channel,
    const char *address, char out[PF_HEX_DIGEST_LEN + 1]);

#endif
