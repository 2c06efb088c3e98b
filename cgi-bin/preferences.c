/*
 * preferences.c -- /privacy/preferences, the preference center (issue 22):
 * which of the company's mailing lists (lists.h) a person receives, by a
 * signed link (preflink.h), without an account; and a list's signup form,
 * with double opt-in where the list asks for it.
 *
 * The routes (the table at the end, in its order):
 *
 *	GET  preferences?t=TOKEN	every list of the link's channel with
 *				its state and a checkbox, "Save my choices" and
 *				"Stop all"; changes nothing (link scanners); a
 *				forged or expired link: the ask form, 400,
 *				saying so
 *	GET  preferences?done=TOKEN	what the last save changed (the 303
 *				target), from a token: nothing stored to look
 *				up; without a valid one, only that the choices
 *				are recorded
 *	GET  preferences?sent	"check your inbox", whether or not the
 *				address was known
 *	GET  preferences		the ask form: one email address
 *	POST preferences		with t (in the body): each difference
 *				applied at once (subscription.h), or with
 *				action=stop every list of the channel; 303 to
 *				?done.  Without t: the ask form, guarded; the
 *				link mailed only to an address that has a
 *				subscription or an opt-out; 303 to ?sent either
 *				way; 422, 429, 503
 *	GET  preferences/subscribe?subscribed=LIST	the signup's answer:
 *				"check your inbox" (double opt-in) or "you are
 *				subscribed", never whether the address was
 *				subscribed before
 *	GET  preferences/subscribe	the signup page of ?list=LIST; 404
 *				for a list that is not an email list of the table
 *	POST preferences/subscribe	address and list.  From the snippet
 *				(htdocs/snippets/subscribe.html, no stamp), on
 *				a page of any website: the signup page with
 *				them filled in, nothing stored; from that page
 *				(stamped; 403 from another website's page, see
 *				screen): guarded, pf_sub_request, the
 *				confirmation mail for a double opt-in list;
 *				303, 422, 429, 503
 *	GET  preferences/confirm?confirmed=LIST	"you are subscribed"
 *	GET  preferences/confirm	one button (?t=TOKEN); changes nothing;
 *				a bad link: badlink.h, 400
 *	POST preferences/confirm	t in the body: pf_sub_confirm, 303 to
 *				?confirmed (the same twice); a link whose
 *				subscription is not pending under it (dropped,
 *				asked for again since), 400
 *
 * and, as every program (program.h), GET preferences/challenge, 400, 403
 * (another website's page), 404, 405, 413, 415.  Links carry the language
 * they were made in; list names and descriptions are shown through
 * gettext.  A text-message list with double opt-in stays pending: there
 * is no way to send it a confirmation yet.
 *
 * The handlers are lib/'s, one module per page, each header documenting
 * its routes: the page of choices (pref_choose.h), the ask-for-a-link
 * form (pref_ask.h), the signup (pref_signup.h) and the double opt-in
 * confirmation (pref_confirm.h); what they share, the mailing lists table
 * among it, is prefpage.h.
 */

#include <string.h>

#include "app.h"
#include "err.h"
#include "forms.h"
#include "pref_ask.h"
#include "pref_choose.h"
#include "pref_confirm.h"
#include "pref_signup.h"
#include "prefpage.h"
#include "program.h"
#include "request.h"

/* POST preferences: a save (t in the body) or the ask form. */
static void
post(struct pf_app *app, struct pf_request *req)
{
	if (pf_app_read_form(app, req) != PF_OK)
		return;
	if (pf_request_field(req, "t") != NULL)
		pf_prefchoose_save(app, req);
	else
		pf_prefask_post(app, req);
}

/*
 * The signup's POST is routed from any website, for the snippet pasted
 * into pages of other hosts: without a stamp it only shows our signup
 * page filled in.  With one it is that page's, which stores: the
 * cross-site check, here, before the handler (and the GPC record around
 * it, program.h), as for every other form.
 */
static int
screen(struct pf_app *app, struct pf_request *req)
{
	const char	*sub = pf_app_subpath(app, req,
	    pf_forms[PF_GUARD_PREFERENCES].path);

	if (strcmp(req->method, "POST") != 0 || sub == NULL ||
	    strcmp(sub, "/subscribe") != 0)
		return 0;
	return pf_prefsignup_cross_site(app, req);
}

static const struct pf_route routes[] = {
	{ "GET", "", "t", pf_prefchoose_show, NULL, 0 },
	{ "GET", "", "done", pf_prefchoose_done, NULL, 0 },
	{ "GET", "", "sent", pf_prefask_sent, NULL, 0 },
	{ "GET", "", NULL, pf_prefask_page, NULL, 0 },
	{ "POST", "", NULL, post, NULL, 0 },
	{ "GET", "/subscribe", "subscribed", pf_prefsignup_answer, NULL, 0 },
	{ "GET", "/subscribe", NULL, pf_prefsignup_page, NULL, 0 },
	{ "POST", "/subscribe", NULL, pf_prefsignup_post, NULL,
	    PF_ROUTE_ANY_SITE },
	{ "GET", "/confirm", "confirmed", pf_prefconfirm_answer, NULL, 0 },
	{ "GET", "/confirm", NULL, pf_prefconfirm_show, NULL, 0 },
	{ "POST", "/confirm", NULL, pf_prefconfirm_post, NULL, 0 },
};

PF_PROGRAM_MAIN(.form = PF_GUARD_PREFERENCES, PF_ROUTES(routes),
    .start = pf_prefp_start, .stop = pf_prefp_stop, .screen = screen,
    .not_found = N_("There is no such page. Your mailing preferences are at "
    "the address the emails we send link to."))
