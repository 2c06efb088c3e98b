/* gpc.c -- the Global Privacy Control opt-out record (gpc.h). */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "consent.h"
#include "err.h"
#include "forms.h"
#include "gpc.h"
#include "store.h"
#include "utc.h"

#define IDS_MAX	(PF_CONSENT_CATS_MAX * (PF_CONSENT_ID_MAX + 1) + 1)

/*
 * What the device's last record allowed, for the walk's one row, and
 * whether it came with the signal.
 */
struct last {
	const struct pf_consent_table	*t;
	pf_consent_set			 set;
	int				 gpc;
};

static int
last_allowed(const struct pf_consent_record *r, void *arg)
{
	struct last	*l = arg;

	l->set = pf_consent_set_of(l->t, r->allowed);
	l->gpc = r->gpc;
	return 0;
}

/*
 * Store r and its consent-recorded audit record, written with the consent
 * manager's form whichever program this is (audit_events.def lists the
 * event under that form only).
 */
static int
store(struct pf_app *app, const struct pf_request *req,
    const struct pf_consent_record *r)
{
	const char	*form = app->tx.form;
	char		 id[24];
	const char	*details[] = { "record", id, "action", r->action,
	    "method", "gpc", "gpc", "yes", NULL };
	long long	 rid;
	int		 rc;

	if ((rc = pf_store_consent_put(app->st, r, &rid)) != PF_OK)
		return rc;
	snprintf(id, sizeof(id), "%lld", rid);
	app->tx.form = pf_forms[PF_GUARD_CONSENT].audit;
	rc = pf_app_audit(app, req, "consent-recorded", NULL, details);
	app->tx.form = form;
	return rc;
}

int
pf_gpc_record(struct pf_app *app, const struct pf_request *req,
    const struct pf_consent_table *t, const char *device)
{
	struct last			 last = { t, 0, 0 };
	char				 now[PF_TIME_SIZE], day[sizeof("YYYY-MM-DD")];
	char				 on[IDS_MAX], off[IDS_MAX];
	struct pf_consent_record	 r = { .device = device,
	    .notice = t->version, .language = app->cfg->consent_language,
	    .allowed = on, .refused = off, .method = "gpc", .gpc = 1,
	    .created = now };
	pf_consent_set			 keep;
	long long			 n;
	int				 rc;

	pf_utc_now(now);
	snprintf(day, sizeof(day), "%.10s", now);
	/*
	 * The device's key lock (store_sql.h) is the consent program's,
	 * taken before this; from program.c's hook, after the handler's
	 * audit records, taking it would be out of order.  So on PostgreSQL
	 * two POSTs at once from one browser, not to the consent page, may
	 * both find no record today and both store one: the same refusal
	 * twice.
	 */
	if ((rc = pf_store_consent_count(app->st, device, "gpc", day,
	    &n)) != PF_OK || n > 0)
		return rc;
	rc = pf_store_consent_last(app->st, device, last_allowed, &last);
	if (rc != PF_OK && rc != PF_ENOTFOUND)
		return rc;
	/* A sale category confirmed under the signal: the visitor's choice. */
	if (last.gpc && (last.set & pf_consent_sale(t)) != 0)
		return PF_OK;
	keep = (last.set & ~pf_consent_sale(t)) | pf_consent_required(t);
	pf_consent_ids(t, keep, 1, on, sizeof(on));
	pf_consent_ids(t, keep, 0, off, sizeof(off));
	r.action = (last.set & pf_consent_sale(t)) != 0 ? "withdrawn" :
	    "refused";
	if (app->cfg->consent_jurisdiction[0] != '\0')
		r.jurisdiction = app->cfg->consent_jurisdiction;
	return store(app, req, &r);
}
