/*
 * dsrpage.c -- what the data request form's pages share (see
 * dsrpage.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsrpage.h"
#include "err.h"
#include "lang.h"
#include "page.h"
#include "request.h"
#include "response.h"
#include "utc.h"

int
pf_dsrp_check_link(struct pf_app *app, struct pf_request *req,
    const struct pf_param *t, const char *purpose, enum pf_badlink kind,
    long long *id)
{
	int	 rc;

	rc = t == NULL ? PF_EFORGED :
	    pf_dsr_link_check(&app->keys, purpose, t->value, time(NULL), id);
	if (rc != PF_OK)
		pf_badlink(app, req, kind, rc);
	return rc;
}

int
pf_dsrp_read(struct pf_app *app, long long id, struct pf_dsr_copy *q,
    struct pf_agent_copy *ag, pf_dsrp_more_fn *more, void *arg)
{
	int	 rc;

	memset(q, 0, sizeof(*q));
	memset(ag, 0, sizeof(*ag));
	if ((rc = pf_app_begin_read(app)) != PF_OK)
		return rc;
	if ((rc = pf_store_dsr_get(app->st, id, pf_dsr_hold, q)) == PF_OK &&
	    (rc = pf_agent_load(app->st, id, ag)) == PF_ENOTFOUND)
		rc = PF_OK;
	if (rc == PF_OK && more != NULL)
		rc = more(app, id, arg);
	pf_app_rollback(app);
	return rc;
}

const struct pf_dsr_agent *
pf_dsrp_agent_of(const struct pf_agent_copy *ag)
{
	return ag->a.relationship != NULL ? &ag->a : NULL;
}

void
pf_dsrp_show(struct pf_app *app, struct pf_request *req, const char *purpose,
    enum pf_badlink kind, pf_dsrp_more_fn *more, pf_dsrp_page_fn *page,
    void *arg)
{
	const struct pf_param	*t = pf_request_query(req, "t");
	struct pf_dsr_copy	 q;
	struct pf_agent_copy	 ag;
	long long		 id;
	int			 rc;

	if (pf_dsrp_check_link(app, req, t, purpose, kind, &id) != PF_OK)
		return;
	if ((rc = pf_dsrp_read(app, id, &q, &ag, more, arg)) == PF_ENOTFOUND)
		pf_badlink(app, req, kind, rc);
	else if (rc == PF_EBUSY || rc == PF_ESTORE)
		pf_app_unavailable(app, req);
	else if (rc != PF_OK || page(app, req, &q.r, pf_dsrp_agent_of(&ag),
	    t->value, arg) != PF_OK)
		pf_app_fail(app, req);
	pf_agent_drop(&ag);
	pf_dsr_drop(&q);
}

const char *
pf_dsrp_law_text(const struct pf_dsr *r)
{
	return strcmp(r->law, "none") == 0 ?
	    _("No specific law: our own deadline") : pf_dsr_law_words(r->law);
}

int
pf_dsrp_time_text(struct pf_page *page, const char *id, const char *s,
    int (*read)(const char *, struct pf_dsr_when *))
{
	struct pf_dsr_when	 w;
	int			 rc;

	if ((rc = read(s, &w)) != PF_OK ||
	    (rc = pf_page_text(page, id, w.text)) != PF_OK)
		return rc;
	return pf_page_attr(page, id, "datetime", w.datetime);
}

void
pf_dsrp_to_status(struct pf_app *app, struct pf_request *req, long long id)
{
	time_t	 expires = time(NULL) + app->cfg->request_status_days * PF_DAY;
	char	*url = NULL;

	if (pf_dsr_link(app->cfg, &app->keys, PF_DSR_STATUS, id, expires,
	    &url) != PF_OK ||
	    pf_redirect(req, url + strlen(app->cfg->base_url)) != PF_OK)
		pf_app_fail(app, req);
	free(url);
}
