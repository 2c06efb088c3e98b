/*
 * pref_signup.h -- a mailing list's signup (issue 22), pages of the
 * preferences program (cgi-bin/preferences.c routes to them):
 *
 *	GET  preferences/subscribe?subscribed=LIST	pf_prefsignup_answer:
 *				"check your inbox" (double opt-in) or "you are
 *				subscribed", never whether the address was
 *				subscribed before
 *	GET  preferences/subscribe	pf_prefsignup_page: the signup page of
 *				?list=LIST; 404 for a list that is not an
 *				email list of the table
 *	POST preferences/subscribe	pf_prefsignup_post: address and list.
 *				From the snippet (no stamp;
 *				htdocs/snippets/subscribe.html), on a page of
 *				any website: the signup
 *				page with them filled in, nothing stored (200,
 *				422, 404).  From that page (stamped): guarded
 *				(guard.h), pf_sub_request (method "signup"), the
 *				confirmation mail
 *				(etc/mail/subscribe-confirm.txt) for a double
 *				opt-in list; 303 to ?subscribed,
 *				422, 429, 503
 *
 * The stamped POST stores, so it keeps the cross-site check that the
 * route, open to any website for the snippet, skips:
 * pf_prefsignup_cross_site, which the program calls before the route.
 */
#ifndef PF_PREF_SIGNUP_H
#define PF_PREF_SIGNUP_H

#include "app.h"
#include "program.h"

struct pf_request;

/* The handlers of the routes above (program.h). */
pf_route_fn pf_prefsignup_page, pf_prefsignup_post, pf_prefsignup_answer;

/*
 * Before POST preferences/subscribe's handler (and the GPC record around
 * it, program.h): its form read, and a stamped one from another website's
 * page refused (app.h's pf_app_cross_site, 403).  Non-zero once req is
 * answered (that 403, or the form could not be read).
 */
int pf_prefsignup_cross_site(struct pf_app *app, struct pf_request *req);

#endif
