/*
 * dsrpage.h -- what the data request form's pages share
 * (cgi-bin/data-request.c and appeal_pages.h): a request read with its
 * agent, its signed links, and its law and dates as the pages show them.
 *
 * Every function runs inside a handler (program.h) of the form's program:
 * those given the request (req) answer it themselves where they say so.
 */
#ifndef PF_DSRPAGE_H
#define PF_DSRPAGE_H

#include "agent.h"
#include "app.h"
#include "badlink.h"
#include "dsr.h"

struct pf_page;
struct pf_param;
struct pf_request;

/*
 * The token of link ?t= (a GET's query) or t= (a POST's field), checked
 * for purpose (dsr.h: PF_DSR_VERIFY, PF_DSR_STATUS): PF_OK and the
 * request's number in *id, or the link's page sent (badlink.h: kind) and
 * why.  t may be NULL (no token: forged).
 */
int pf_dsrp_check_link(struct pf_app *app, struct pf_request *req,
    const struct pf_param *t, const char *purpose, enum pf_badlink kind,
    long long *id);

/* What else a page reads of request id in the same read transaction. */
typedef int pf_dsrp_more_fn(struct pf_app *app, long long id, void *arg);

/*
 * Read request id into q and its agent, if any, into ag (the caller drops
 * both, also on an error), then more(app, id, arg) unless more is NULL, in
 * one read transaction: PF_OK, PF_ENOTFOUND, or a store error (or more's).
 */
int pf_dsrp_read(struct pf_app *app, long long id, struct pf_dsr_copy *q,
    struct pf_agent_copy *ag, pf_dsrp_more_fn *more, void *arg);

/*
 * What sends request r's page (r made through agent a, or NULL; t its
 * link's token; arg pf_dsrp_show's): PF_OK once it is sent, else an error
 * (req not answered).
 */
typedef int pf_dsrp_page_fn(struct pf_app *app, struct pf_request *req,
    const struct pf_dsr *r, const struct pf_dsr_agent *a, const char *t,
    void *arg);

/*
 * GET by a signed link (?t=) for purpose: the request it names read as
 * pf_dsrp_read reads it (more, arg), then its page sent by page.  A bad
 * link, or a request no longer there: the link's page (kind); the store
 * busy or failing: 503; any other failure: 500.  Changes nothing.
 */
void pf_dsrp_show(struct pf_app *app, struct pf_request *req,
    const char *purpose, enum pf_badlink kind, pf_dsrp_more_fn *more,
    pf_dsrp_page_fn *page, void *arg);

/* The agent ag holds, or NULL when the person asked (none loaded). */
const struct pf_dsr_agent *pf_dsrp_agent_of(const struct pf_agent_copy *ag);

/*
 * 303 to request id's status page by a fresh status link's path (valid
 * request_status_days), so the visitor stays on the host they used; the
 * failure page when the link cannot be made.
 */
void pf_dsrp_to_status(struct pf_app *app, struct pf_request *req,
    long long id);

/* The law of r as the pages name it (its own deadline for "none"). */
const char *pf_dsrp_law_text(const struct pf_dsr *r);

/*
 * The <time> element id of page: stored date or time s, read by read
 * (dsr.h's pf_dsr_date or pf_dsr_time), as people read it and as its
 * datetime attribute.  PF_OK, or the reader's or the page's error.
 */
int pf_dsrp_time_text(struct pf_page *page, const char *id, const char *s,
    int (*read)(const char *, struct pf_dsr_when *));

#endif
