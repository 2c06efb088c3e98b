/*
 * appeal_pages.h -- the pages that appeal a denied data subject request
 * (dsr.h, "Appeals"), served by the data request form's program
 * (cgi-bin/data-request.c, which routes to them):
 *
 *	GET  request/appeal		pf_appeal_show: the form (?t=, the
 *					status link's token); changes nothing
 *	POST request/appeal		pf_appeal_post: open the appeal, 303
 *					to the status page; guarded as the
 *					request form is (guard.h)
 *	GET  request/appeal/challenge	pf_appeal_challenge: its proof of work
 *
 * and the status page's appeal sections (pf_appeal_sections).  A request
 * may be appealed once, while dsr.h's pf_dsr_appealable allows it under
 * the laws table given to pf_appeal_start, unless the person closed it by
 * refusing its agent (agent.h) or their data was erased (no one is left
 * to tell); otherwise the form and the POST answer 409 with why.  The
 * requester's reason (at most 2000 characters) is kept on the request,
 * never in an audit record or a log.  Opening an appeal is recorded
 * (request-appealed: the number and due date) and mailed to the requester
 * (request-appealed) and the team (request-team-appeal) in one
 * transaction.
 */
#ifndef PF_APPEAL_PAGES_H
#define PF_APPEAL_PAGES_H

#include "agent.h"
#include "app.h"
#include "program.h"
#include "laws.h"

struct pf_page;
struct pf_request;

/*
 * The laws table the pages read (laws.h), from the program's start until
 * it stops; the program owns it.
 */
void pf_appeal_start(const struct pf_laws *laws);

/* The handlers of the routes above (program.h). */
pf_route_fn pf_appeal_show, pf_appeal_post, pf_appeal_challenge;

/*
 * The status page's (page's) appeal sections for request r (made through
 * agent a, or NULL), whose status link's token is t, each removed where it
 * does not apply: the offer ("appeal-offer": until when, the link) while r
 * may be appealed, the due date ("appeal-open") while its appeal is open,
 * the regulator the table names ("appeal-regulator") once it is denied.
 * PF_OK, or the page's error.
 */
int pf_appeal_sections(struct pf_app *app, struct pf_page *page,
    const struct pf_dsr *r, const struct pf_dsr_agent *a, const char *t);

#endif
