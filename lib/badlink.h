/*
 * badlink.h -- the one page for a link that cannot be used: a link in a
 * mail, or the token a page carries to its next step.  It is not ours
 * (cut short, changed, forged), it has expired, or what it names is gone;
 * each kind of link says so in words of its own, from one table.
 *
 * A page that shows something without a token of its own (unsubscribe's
 * ?done) never gets here: an expired or forged token there shows the
 * page without what the token would have said (unsubscribe.c).
 */
#ifndef PF_BADLINK_H
#define PF_BADLINK_H

#include "app.h"

enum pf_badlink {
	PF_BADLINK_ONE_CLICK,	/* unsubscribe?t=: RFC 8058 one-click */
	PF_BADLINK_VERIFY,	/* request/verify: confirm a data request */
	PF_BADLINK_STATUS,	/* request/status: a data request's status */
	PF_BADLINK_FEEDBACK,	/* feedback?t=, ?step=2: feedback step 2 */
	PF_BADLINK_SUBSCRIBE,	/* preferences/confirm?t=: double opt-in */
	PF_BADLINK__MAX
};

/*
 * Answer req for a link of kind that failed with rc: PF_EFORGED,
 * PF_EEXPIRED or PF_ENOTFOUND (what it names is gone) get kind's page,
 * 400 (404 for a status link whose request is gone); any other rc, or
 * one kind has no page for, is answered as a failure (pf_app_fail: 500).
 */
void pf_badlink(struct pf_app *app, struct pf_request *req,
    enum pf_badlink kind, int rc);

#endif
