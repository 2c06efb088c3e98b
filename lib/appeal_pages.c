/*
 * appeal_pages.c -- the pages that appeal a denied data subject request
 * (see appeal_pages.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "appeal_pages.h"
#include "badlink.h"
#include "dsr.h"
#include "dsrpage.h"
#include "err.h"
#include "form.h"
#include "guard.h"
#include "keys.h"
#include "lang.h"
#include "page.h"
#include "request.h"
#include "store.h"
#include "validate.h"

/* The program's laws table (pf_appeal_start). */
static const struct pf_laws *laws;

void
pf_appeal_start(const struct pf_laws *table)
{
	laws = table;
}

static int	appeal_check(const struct pf_app *, const struct pf_dsr *,
		    const struct pf_dsr_agent *, char [PF_DATE_SIZE]);

/* The status page's offer to appeal r until that day; t: its link's token. */
static int
appeal_offer(struct pf_app *app, struct pf_page *page, const char *t,
    const char *until)
{
	char	*href;
	int	 rc;

	if ((href = pf_app_path(app, "/request/appeal?t=", t)) == NULL)
		return PF_ENOMEM;
	if ((rc = pf_dsrp_time_text(page, "appeal-until", until,
	    pf_dsr_date)) == PF_OK)
		rc = pf_page_attr(page, "appeal-link", "href", href);
	free(href);
	return rc;
}

/*
 * The status page's appeal sections, each removed where it does not
 * apply: the offer while r may be appealed, the due date while the
 * appeal is open, the regulator once it is denied.
 */
int
pf_appeal_sections(struct pf_app *app, struct pf_page *page,
    const struct pf_dsr *r, const struct pf_dsr_agent *a, const char *t)
{
	const char	*state = pf_dsr_state(r), *regulator;
	char		 until[PF_DATE_SIZE];
	int		 rc;

	rc = appeal_check(app, r, a, until) < 0 ?
	    appeal_offer(app, page, t, until) :
	    pf_page_remove(page, "appeal-offer");
	if (rc == PF_OK)
		rc = strcmp(state, "appealed") == 0 ?
		    pf_dsrp_time_text(page, "appeal-due", r->appeal_due,
		    pf_dsr_date) :
		    pf_page_remove(page, "appeal-open");
	if (rc != PF_OK || strcmp(state, "appeal-denied") != 0)
		return rc != PF_OK ? rc : pf_page_remove(page,
		    "appeal-regulator");
	regulator = pf_dsr_regulator(laws, r);
	if ((rc = pf_page_text(page, "regulator", regulator != NULL ?
	    regulator : _("the authority that oversees privacy law where you "
	    "live"))) != PF_OK)
		return rc;
	return pf_page_text(page, "regulator-law", pf_dsrp_law_text(r));
}

/*
 * The appeal form: the status link's token, and what the requester wants
 * the team to know (kept with the request, never in a record or a log).
 */
#define APPEAL_REASON_MAX	2000

enum { A_T, A_REASON, A__MAX };

static const struct pf_field appeal_fields[A__MAX] = {
	[A_T] = { .name = "t", .required = 1, .maxlen = 1000,
	    .label = N_("Link") },
	[A_REASON] = { .name = "reason", .valid = pf_valid_text,
	    .maxlen = APPEAL_REASON_MAX, .multiline = 1,
	    .label = N_("Why we should change our decision") },
};

/* Why a request cannot be appealed, as the 409 page says it. */
enum { NO_APPEAL_MADE, NO_APPEAL_LATE, NO_APPEAL_NONE };

static const struct {
	const char	*title, *text;
} no_appeal[] = {
	[NO_APPEAL_MADE] = { N_("You have appealed already"),
	  N_("You appealed this decision already, and an appeal is made once. "
	  "Your request's status page shows when we will tell you what we "
	  "decided, and then what we decided.") },
	[NO_APPEAL_LATE] = { N_("The time to appeal has passed"),
	  N_("This decision could be appealed for a limited time after it was "
	  "made, and that time has passed. You can make a new request.") },
	[NO_APPEAL_NONE] = { N_("This request cannot be appealed"),
	  N_("Only a request we closed without carrying it out can be appealed, "
	  "where the law that applies to it gives an appeal. Your request's "
	  "status page shows where it stands.") },
};

/*
 * Whether r (made through agent a, or NULL) may be appealed now: -1 and
 * the last day in until, or why not (no_appeal's index).  A request the
 * person closed by refusing its agent is not: that was their answer, not
 * our decision (store.h's pf_store_dsr_appeal refuses it too); nor one
 * whose requester was erased, who could not be told the decision.
 */
static int
appeal_check(const struct pf_app *app, const struct pf_dsr *r,
    const struct pf_dsr_agent *a, char until[PF_DATE_SIZE])
{
	int	 rc = pf_dsr_appealable(laws, r, app->cfg->request_appeal_days,
	    time(NULL), until);

	if (rc == PF_OK && (r->email == NULL ||
	    (a != NULL && strcmp(a->answer, "refused") == 0)))
		return NO_APPEAL_NONE;
	if (rc == PF_OK)
		return -1;
	if (r->appeal != NULL)
		return NO_APPEAL_MADE;
	return rc == PF_EEXPIRED ? NO_APPEAL_LATE : NO_APPEAL_NONE;
}

/* The 409 page for why (no_appeal's index). */
static void
appeal_refused(struct pf_app *app, struct pf_request *req, int why)
{
	pf_page_message(app->pages, req, 409, _(no_appeal[why].title),
	    _(no_appeal[why].text), NULL, 0);
}

/* The appeal form's facts about r, the token, and until. */
static int
appeal_facts(struct pf_page *page, const struct pf_dsr *r, const char *t,
    const char *until)
{
	char		 id[24], due[PF_DATE_SIZE];
	int		 rc;

	snprintf(id, sizeof(id), "%lld", r->id);
	if ((rc = pf_dsr_appeal_due(laws, r, time(NULL), due)) != PF_OK ||
	    (rc = pf_page_text(page, "appeal-type",
	    pf_choice_label(pf_dsr_types, r->type))) != PF_OK ||
	    (rc = pf_page_text(page, "appeal-id", id)) != PF_OK ||
	    (rc = pf_page_text(page, "appeal-law",
	    pf_dsrp_law_text(r))) != PF_OK ||
	    (rc = pf_dsrp_time_text(page, "appeal-until", until,
	    pf_dsr_date)) != PF_OK ||
	    (rc = pf_dsrp_time_text(page, "appeal-due", due,
	    pf_dsr_date)) != PF_OK)
		return rc;
	return pf_page_value(page, "t", t);
}

/*
 * The appeal form for the request of status token t (checked: on a bad
 * link, its page), with form's values and errors and notice (both may be
 * NULL), or the 409 that says why it cannot be appealed.
 */
static void
appeal_form(struct pf_app *app, struct pf_request *req, int status,
    const char *t, const struct pf_form *form, const struct pf_notice *notice)
{
	struct pf_dsr_copy	 q;
	struct pf_agent_copy	 ag;
	struct pf_page		*page = NULL;
	char			 until[PF_DATE_SIZE];
	long long		 id;
	int			 rc, why;

	memset(&q, 0, sizeof(q));
	memset(&ag, 0, sizeof(ag));
	rc = t == NULL ? PF_EFORGED :
	    pf_dsr_link_check(&app->keys, PF_DSR_STATUS, t, time(NULL), &id);
	if (rc != PF_OK ||
	    (rc = pf_dsrp_read(app, id, &q, &ag, NULL, NULL)) == PF_ENOTFOUND)
		pf_badlink(app, req, PF_BADLINK_STATUS, rc);
	else if (rc == PF_EBUSY || rc == PF_ESTORE)
		pf_app_unavailable(app, req);
	else if (rc != PF_OK)
		pf_app_fail(app, req);
	else if ((why = appeal_check(app, &q.r, pf_dsrp_agent_of(&ag),
	    until)) >= 0)
		appeal_refused(app, req, why);
	else {
		if ((rc = pf_page_new(app->pages, "request-appeal", &page)) ==
		    PF_OK)
			rc = appeal_facts(page, &q.r, t, until);
		pf_app_send_prepared(app, req, rc, status, page, form, notice);
	}
	pf_agent_drop(&ag);
	pf_dsr_drop(&q);
}

/* GET: the appeal form.  Changes nothing. */
void
pf_appeal_show(struct pf_app *app, struct pf_request *req)
{
	const struct pf_param	*t = pf_request_query(req, "t");

	appeal_form(app, req, 200, t != NULL ? t->value : NULL, NULL, NULL);
}

/* The guard's "show the form again", for the posted token. */
static void
appeal_again(struct pf_app *app, struct pf_request *req, int status,
    const struct pf_form *form, const struct pf_notice *notice)
{
	appeal_form(app, req, status, form->v[A_T].value, form, notice);
}

/* GET appeal/challenge: the appeal form's proof of work (guard.js). */
void
pf_appeal_challenge(struct pf_app *app, struct pf_request *req)
{
	if (!pf_guard_challenge(app, req, "/request/appeal", PF_GUARD_REQUEST))
		pf_app_fail(app, req);
}

/*
 * Inside the transaction: open the appeal of r with reason (may be NULL),
 * record it, and tell the requester and the team.  *why is -1, or, when
 * r cannot be appealed (any more), why not (then nothing is done).
 */
static int
appeal_open(struct pf_app *app, struct pf_request *req, struct pf_dsr *r,
    const struct pf_dsr_agent *a, const char *reason, int *why)
{
	char		 until[PF_DATE_SIZE], due[PF_DATE_SIZE], id[24];
	const char	*details[] = { "request", id, "due", due, NULL };
	const char	*extra[] = { "appeal_due", due, NULL };
	int		 rc;

	snprintf(id, sizeof(id), "%lld", r->id);
	if ((*why = appeal_check(app, r, a, until)) >= 0)
		return PF_OK;
	if ((rc = pf_dsr_appeal_due(laws, r, time(NULL), due)) != PF_OK ||
	    (rc = pf_store_dsr_appeal(app->st, r->id, due, reason,
	    NULL)) != PF_OK ||
	    (rc = pf_app_audit(app, req, "request-appealed", r->subject,
	    details)) != PF_OK)
		return rc;
	r->appeal = "open";
	r->appeal_due = due;
	if ((rc = pf_dsr_mail(app->st, app->cfg, &app->keys, r,
	    "request-appealed", extra)) != PF_OK)
		return rc;
	r->due = due;	/* the team's mail: when the decision is due */
	return pf_dsr_mail_team(app->st, app->cfg, r, "request-team-appeal");
}

/*
 * The appeal of request id in one transaction, if the guard g admits it:
 * PF_OK with *why -1 (stored) or why it cannot be appealed (nothing
 * stored), PF_ENOTFOUND (no such request, or one erased), or a store or
 * guard error.
 */
static int
appeal_record(struct pf_app *app, struct pf_request *req, long long id,
    const char *reason, struct pf_guard *g, int *why)
{
	struct pf_dsr_copy	 q;
	struct pf_agent_copy	 ag;
	char			 mailed[PF_HEX_DIGEST_LEN + 1];
	int			 rc;

	memset(&q, 0, sizeof(q));
	memset(&ag, 0, sizeof(ag));
	*why = -1;
	if ((rc = pf_app_begin(app)) != PF_OK)
		return rc;
	rc = pf_store_dsr_get(app->st, id, pf_dsr_hold, &q);
	/* An erased request has no one left to answer. */
	if (rc == PF_OK && q.r.email == NULL)
		rc = PF_ENOTFOUND;
	if (rc == PF_OK && (rc = pf_agent_load(app->st, id, &ag)) ==
	    PF_ENOTFOUND)
		rc = PF_OK;
	if (rc == PF_OK &&
	    (rc = pf_guard_address(app, q.r.email, mailed)) == PF_OK &&
	    (rc = pf_guard_admit(app, g, mailed)) == PF_OK)
		rc = appeal_open(app, req, &q.r, pf_dsrp_agent_of(&ag), reason,
		    why);
	if (rc != PF_OK || *why >= 0 || (rc = pf_app_commit(app)) != PF_OK)
		pf_app_rollback(app);
	pf_agent_drop(&ag);
	pf_dsr_drop(&q);
	return rc;
}

/* "/request/status?t=" and token t (checked: URL-safe), a new string. */
static char *
status_path(const char *t)
{
	size_t	 n = sizeof("/request/status?t=") + strlen(t);
	char	*p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "/request/status?t=%s", t);
	return p;
}

/* POST: open the appeal, then 303 to the status page. */
void
pf_appeal_post(struct pf_app *app, struct pf_request *req)
{
	struct pf_form	 form = { 0 };
	struct pf_guard	 g;
	char		*done = NULL;
	long long	 id;
	int		 rc, why;

	if (pf_app_read_fields(app, req, appeal_fields, A__MAX, &form) !=
	    PF_OK || pf_dsrp_check_link(app, req, pf_request_field(req, "t"),
	    PF_DSR_STATUS, PF_BADLINK_STATUS, &id) != PF_OK)
		goto out;
	/* A trapped submission goes where a stored one does. */
	if ((done = status_path(pf_request_field(req, "t")->value)) == NULL) {
		pf_app_fail(app, req);
		goto out;
	}
	if (pf_guard_form(app, req, PF_GUARD_REQUEST, done, &form,
	    appeal_again, &g))
		goto out;
	rc = appeal_record(app, req, id, form.v[A_REASON].value, &g, &why);
	if (rc == PF_OK && why >= 0)
		appeal_refused(app, req, why);
	else if (rc == PF_OK)
		pf_dsrp_to_status(app, req, id);
	else if (rc == PF_ENOTFOUND)
		pf_badlink(app, req, PF_BADLINK_STATUS, rc);
	else
		pf_guard_failed(app, req, &form, appeal_again, &g, rc);
out:
	free(done);
	pf_form_free(&form);
}
