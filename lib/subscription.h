/*
 * subscription.h -- the one place that applies a change to a person's
 * mailing list subscriptions (lists.h), with its evidence.
 *
 * Who is subscribed: a row of state "subscribed" (store.h).  The optout
 * table stays the suppression truth:
 *  - subscribing to list L (a list without double opt-in, at once; one
 *    with it, when confirmed) deletes the opt-out of (channel, address, L)
 *    and, if the person had opted out of every list (list ""), replaces
 *    that opt-out with one for every OTHER list of the channel in the
 *    table, so they stay suppressed everywhere they did not choose;
 *  - asking for a double opt-in list stores it "pending" and changes no
 *    opt-out: nothing is sent to them until they confirm;
 *  - unsubscribing from L deletes its row and puts an opt-out of L;
 *  - "stop all" deletes every row of (channel, address) and puts the
 *    opt-out of every list ("").
 * A person opted out of all therefore has no row: never shown subscribed,
 * never in an export.
 *
 * Each function runs inside the caller's write transaction (txn.h; a
 * program's app->tx) and, when it changed something, appends one
 * subscription_event row and one audit record (form: the transaction's;
 * events subscription-requested, subscription-confirmed, subscribed,
 * unsubscribed with details channel, list, method and the caller's own,
 * AUDIT.md), then sets *changed to 1.  A no-op (unsubscribing from a list
 * one is neither on nor missing the opt-out of, subscribing again) stores
 * and appends nothing: *changed 0.  Returns PF_OK, PF_EINVAL for a change
 * the rules do not allow (an unknown channel, a list not in the table or
 * of the other channel where one must be, a method the function does not
 * take), or the store's error (the caller rolls back).
 */
#ifndef PF_SUBSCRIPTION_H
#define PF_SUBSCRIPTION_H

#include "keys.h"
#include "lists.h"
#include "txn.h"

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
 * Ask for list: a double opt-in list becomes pending (requested = now;
 * asking again while pending is a new request, whose time replaces the
 * old one, so only the newest confirmation link confirms); a list without
 * one is subscribed at once.  Already subscribed: a no-op.
 */
int pf_sub_request(struct pf_txn *t, const struct pf_lists *l,
    const struct pf_sub_change *c, int *changed);

/*
 * Confirm a pending subscription whose requested time is requested (the
 * confirmation link's): subscribed, confirmed = now.  No pending row of
 * that time (confirmed already, dropped, asked for again since): a no-op.
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
 * The subject of the audit records about address on channel: its keyed
 * pseudonym (keys.h; kind "email", or "phone" for sms), as every other
 * record names the person.  Compute it before the transaction begins.
 */
int pf_sub_subject(const struct pf_keys *keys, const char *channel,
    const char *address, char out[PF_HEX_DIGEST_LEN + 1]);

#endif
