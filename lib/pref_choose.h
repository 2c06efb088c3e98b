/*
 * pref_choose.h -- the preference center's page of choices (issue 22),
 * opened by a signed preference link (preflink.h), pages of the
 * preferences program (cgi-bin/preferences.c routes to them):
 *
 *	GET  preferences?t=TOKEN	pf_prefchoose_show: every list of the
 *				link's channel with its state (subscribed,
 *				waiting for confirmation, not subscribed) and
 *				a checkbox, "Save my choices", "Stop all" and
 *				the line that transactional mail continues;
 *				changes nothing (link scanners); 503
 *	POST preferences	pf_prefchoose_save, with t (its form read
 *				already): each difference applied at once
 *				(subscription.h, method "preferences"), or
 *				with action=stop every list of the channel
 *				(pf_sub_stop_all); 303 to ?done; 503
 *	GET  preferences?done=TOKEN	pf_prefchoose_done: what that save
 *				changed, from a token valid an hour (nothing
 *				stored to look up); without a valid one, only
 *				that the choices are recorded
 *
 * A forged or expired link (GET or POST): the ask form (pref_ask.h), 400,
 * saying so.  The page is in the link's language.  Its POST needs no
 * stamp nor proof of work: the signed link is the proof.
 */
#ifndef PF_PREF_CHOOSE_H
#define PF_PREF_CHOOSE_H

#include "program.h"

/* The handlers of the routes above (program.h). */
pf_route_fn pf_prefchoose_show, pf_prefchoose_save, pf_prefchoose_done;

#endif
