/*
 * pref_ask.h -- the preference center's ask-for-a-link form (issue 22),
 * pages of the preferences program (cgi-bin/preferences.c routes to
 * them):
 *
 *	GET  preferences		pf_prefask_page: one field, the email
 *				address
 *	POST preferences		pf_prefask_post, without t (its form
 *				read already): guarded (guard.h: stamp, proof
 *				of work, honeypot, limits per client and per
 *				address); the preference link (preflink.h)
 *				mailed (etc/mail/preferences-link.txt) only to
 *				an address that has a subscription or an
 *				opt-out; 303 to ?sent either way, so the
 *				answer never tells whether the address is
 *				known; 422, 429, 503
 *	GET  preferences?sent	pf_prefask_sent: "check your inbox", how
 *				long the link lasts
 *
 * and pf_prefask_show, the form with any status and notice: also what a
 * forged or expired preference link gets (pref_choose.h).
 */
#ifndef PF_PREF_ASK_H
#define PF_PREF_ASK_H

#include "app.h"
#include "program.h"
#include "form.h"
#include "page.h"

struct pf_request;

/* The handlers of the routes above (program.h). */
pf_route_fn pf_prefask_page, pf_prefask_post, pf_prefask_sent;

/*
 * The ask form with status, form's values and errors (NULL: none) and
 * notice (NULL: none); a failure is answered 500.
 */
void pf_prefask_show(struct pf_app *app, struct pf_request *req, int status,
    const struct pf_form *form, const struct pf_notice *notice);

#endif
