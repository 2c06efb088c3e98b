/*
 * pref_confirm.h -- the double opt-in confirmation (issue 22), pages of
 * the preferences program (cgi-bin/preferences.c routes to them), opened
 * by the link of the mail a pending subscription sends (preflink.h,
 * "sub-confirm"):
 *
 *	GET  preferences/confirm?confirmed=LIST	pf_prefconfirm_answer:
 *				"you are subscribed"
 *	GET  preferences/confirm	pf_prefconfirm_show: one button
 *				(?t=TOKEN), "Confirm my subscription to NAME";
 *				changes nothing (link scanners)
 *	POST preferences/confirm	pf_prefconfirm_post, t in the body:
 *				pf_sub_confirm (method "confirm"), 303 to
 *				?confirmed (the same twice); a link whose
 *				subscription is not pending under it (dropped,
 *				asked for again since), 400; 503
 *
 * A forged or expired link, or one of a list no longer in the table: the
 * bad-link page (badlink.h, PF_BADLINK_SUBSCRIBE), 400.  The pages are in
 * the link's language.
 */
#ifndef PF_PREF_CONFIRM_H
#define PF_PREF_CONFIRM_H

#include "program.h"

/* The handlers of the routes above (program.h). */
pf_route_fn pf_prefconfirm_show, pf_prefconfirm_post, pf_prefconfirm_answer;

#endif
