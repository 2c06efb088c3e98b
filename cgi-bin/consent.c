/*
 * consent.c -- /privacy/consent: the cookie consent manager's page, which
 * works without JavaScript, and the decision it posts (consent.h: the
 * categories and the pf_consent cookie; store.h: consent records).
 *
 * The routes (the table at the end, in its order):
 *
 *	GET  consent?version	the snippet's check (htdocs/static/consent.js):
 *				{"required", "sale", "version",
 *				"max_age_days", "gpc"} as JSON,
 *				cached by the browser for a day (Vary:
 *				Sec-GPC), so that a browser that has decided
 *				asks nothing on its page views
 *	GET  consent?dialog	what the snippet's dialog shows and posts:
 *				the same and the categories, every text
 *				the dialog shows in the request's language
 *				("texts") and a new stamp, as JSON, not
 *				cached
 *	GET  consent?done	what this browser's cookie says was saved (the
 *				303 target); no cookie: says none is saved
 *	GET  consent		the notice and the categories, ticked as the
 *				browser's current decision (none: only the
 *				required ones); "Opt-out preference signal
 *				honored" when it sends Sec-GPC: 1
 *	POST consent?gpc	the snippet's record of the signal, no fields:
 *				with Sec-GPC: 1, the GPC opt-out stored (once
 *				per device and UTC day, counted by the rate
 *				limits) and the cookie set with g=1 and the
 *				sale categories off (consent.h's
 *				pf_consent_gpc_fill); its t is the decision's,
 *				or 1 when there is none that holds (no
 *				decision: the dialog still asks); 204.  Without
 *				the signal, 204 and nothing done
 *	POST consent		choice=reject, accept or save (with allow-ID
 *				=yes per ticked category): the cookie set, a
 *				consent record and its audit record stored in
 *				one transaction, 303 to ?done; with Sec-GPC: 1
 *				and a sale category chosen, first the page
 *				again (200) asking to confirm, nothing of the
 *				decision stored (the signal's own record is the
 *				skeleton's, program.h), until it comes back
 *				with confirm=yes
 *
 * and, as every program (program.h), 400, 403 (another website's page),
 * 404, 405, 413, 415, the guard's 422 (no usable stamp) and 429, and 503.
 * A GET never sets a cookie or stores anything.  With Sec-GPC: 1 a POST
 * also stores the GPC opt-out (method gpc, the sale categories off) when
 * the device has none yet that UTC day, before the decision, so that a
 * confirmed choice that turns a sale category on follows the signal's
 * record.  The device id comes from the browser's cookie when it parses
 * (an old decision's too), else a new one; nothing of a cookie that does
 * not parse is used or shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "app.h"
#include "consent.h"
#include "err.h"
#include "form.h"
#include "gpc.h"
#include "guard.h"
#include "lang.h"
#include "log.h"
#include "nitems.h"
#include "page.h"
#include "program.h"
#include "request.h"
#include "response.h"
#include "store.h"
#include "utc.h"
#include "validate.h"

#define FIELD_PREFIX	"allow-"
#define TEXT_MAX	(PF_CONSENT_CATS_MAX * (PF_CONSENT_ID_MAX + 1) + 1)

enum { F_CHOICE, F_CONFIRM, F_CATS };

static const char *const choices[] = { "reject", "accept", "save", NULL };
static const char *const yes[] = { "yes", NULL };

/* The categories table: the program skeleton's (program.h), loaded once. */
static const struct pf_consent_table	*table;
static struct pf_field		 fields[F_CATS + PF_CONSENT_CATS_MAX] = {
	[F_CHOICE] = { "choice", pf_valid_enum, choices, 1, 8, 0,
	    N_("Your choice"),
	    N_("Choose Reject all, Accept all or Save choices.") },
	[F_CONFIRM] = { "confirm", pf_valid_enum, yes, 0, 3, 0,
	    N_("Confirmation") },
};
static char	 names[PF_CONSENT_CATS_MAX][sizeof(FIELD_PREFIX) +
    PF_CONSENT_ID_MAX];
static char	*cookie_list[PF_CONSENT_CATS_MAX];	/* "a, b" or "" */

/* What a request brings: its device, its current decision, the signal. */
struct visit {
	struct pf_consent_cookie c;
	int			 known;		/* c parsed: its device kept */
	int			 current;	/* c is a decision that holds */
	pf_consent_set		 set;		/* that decision's categories */
	int			 gpc;		/* Sec-GPC: 1 */
};

static void
visit_read(struct pf_app *app, const struct pf_request *req, struct visit *v)
{
	memset(v, 0, sizeof(*v));
	v->known = pf_consent_cookie_read(req->cookie, &v->c) == PF_OK;
	v->current = v->known && pf_consent_current(&v->c, table, time(NULL),
	    app->cfg->consent_max_age_days * PF_DAY, &v->set);
	v->gpc = pf_consent_gpc(req->sec_gpc);
}

/* The categories of a record's allowed ids (unknown ones are dropped). */
static pf_consent_set
set_of(const char *allowed)
{
	return pf_consent_set_of(table, allowed);
}

static int
last_set(const struct pf_consent_record *r, void *arg)
{
	*(pf_consent_set *)arg = set_of(r->allowed);
	return 0;
}

/*
 * The action a decision for set is, after the device's last record (none:
 * PF_ENOTFOUND in rc): the first, or the same again, is given when it
 * allows more than the required categories and refused when not; fewer
 * than before is withdrawn; anything else changed.
 */
static const char *
action_of(pf_consent_set set, int rc, pf_consent_set prev)
{
	pf_consent_set	 req = pf_consent_required(table);

	if (rc == PF_ENOTFOUND || (set | req) == (prev | req))
		return (set & ~req) != 0 ? "given" : "refused";
	if ((set & prev) == set)
		return "withdrawn";
	return "changed";
}

/* Store record r, whose categories are set, and its audit record. */
static int
put(struct pf_app *app, struct pf_request *req, struct pf_consent_record *r,
    pf_consent_set set)
{
	char		 allowed[TEXT_MAX], refused[TEXT_MAX], id[24];
	const char	*details[] = { "record", id, "action", r->action,
	    "method", r->method, "gpc", r->gpc ? "yes" : "no", NULL };
	long long	 rid;
	int		 rc;

	pf_consent_ids(table, set, 1, allowed, sizeof(allowed));
	pf_consent_ids(table, set, 0, refused, sizeof(refused));
	r->allowed = allowed;
	r->refused = refused;
	if ((rc = pf_store_consent_put(app->st, r, &rid)) != PF_OK)
		return rc;
	snprintf(id, sizeof(id), "%lld", rid);
	return pf_app_audit(app, req, "consent-recorded", NULL, details);
}

/*
 * Begin the transaction of v's records: *r made now (now's storage), the
 * device's last decision's categories in *prev; its rc (PF_ENOTFOUND:
 * none) in *last.  PF_OK, or an error with nothing begun.
 */
static int
begin(struct pf_app *app, const struct visit *v, struct pf_consent_record *r,
    char now[PF_TIME_SIZE], pf_consent_set *prev, int *last)
{
	int	 rc;

	*r = (struct pf_consent_record){ .device = v->c.device,
	    .notice = table->version, .language = app->cfg->consent_language,
	    .gpc = v->gpc };
	*prev = 0;
	if (app->cfg->consent_jurisdiction[0] != '\0')
		r->jurisdiction = app->cfg->consent_jurisdiction;
	if ((rc = pf_app_begin(app)) != PF_OK)
		return rc;
	pf_utc_now(now);
	r->created = now;
	/* The device's key first: store_sql.h's order of locks. */
	*last = pf_store_lock(app->st, "consent", v->c.device, NULL);
	if (*last == PF_OK)
		*last = pf_store_consent_last(app->st, v->c.device, last_set,
		    prev);
	if (*last != PF_OK && *last != PF_ENOTFOUND) {
		pf_app_rollback(app);
		return *last;
	}
	return PF_OK;
}

/*
 * The records of a decision for *set by v, in one transaction: the
 * signal's first, when v carries it; set NULL: the signal's alone (the
 * snippet's POST ?gpc).
 */
static int
record(struct pf_app *app, struct pf_request *req, const struct visit *v,
    const pf_consent_set *set, struct pf_guard *g)
{
	struct pf_consent_record	 r;
	pf_consent_set			 prev;
	char				 now[PF_TIME_SIZE];
	int				 rc, last;

	if ((rc = begin(app, v, &r, now, &prev, &last)) != PF_OK)
		return rc;
	if ((rc = pf_guard_admit(app, g, NULL)) != PF_OK ||
	    (v->gpc && (rc = pf_gpc_record(app, req, table,
	    v->c.device)) != PF_OK))
		goto fail;
	if (set != NULL) {
		/*
		 * Stamped now, after the signal's record: the decision is
		 * the device's last record (store.h's order is by time).
		 */
		pf_utc_now(now);
		r.method = "page";
		r.action = action_of(*set, last, prev);
		if ((rc = put(app, req, &r, *set)) != PF_OK)
			goto fail;
	}
	if ((rc = pf_app_commit(app)) == PF_OK)
		return PF_OK;
fail:
	pf_app_rollback(app);
	return rc;
}

/*
 * What category i's row says of its cookies, in the current language: a
 * new string, NULL without memory.
 */
static char *
cookie_text(size_t i)
{
	/* TRANSLATORS: %s is a list of cookie names, "_ga, _gid". */
	const char	*fmt = _("Cookies it sets: %s");
	char		*s;
	size_t		 n;

	if (cookie_list[i][0] == '\0')
		return strdup(_("It sets no cookies of its own."));
	n = strlen(fmt) + strlen(cookie_list[i]) + 1;
	if ((s = malloc(n)) != NULL)
		snprintf(s, n, fmt, cookie_list[i]);
	return s;
}

/* The required categories' rows and the others', with their checkboxes. */
static int
fill_categories(struct pf_page *page, pf_consent_set ticked)
{
	const char	*req[PF_CONSENT_CATS_MAX * 3], *opt[PF_CONSENT_CATS_MAX * 4];
	const char	*name[PF_CONSENT_CATS_MAX], *on[PF_CONSENT_CATS_MAX];
	char		*said[PF_CONSENT_CATS_MAX] = { NULL };
	size_t		 i, nr = 0, no = 0;
	int		 rc = PF_ENOMEM;

	for (i = 0; i < table->n; i++)
		if ((said[i] = cookie_text(i)) == NULL)
			goto done;
	for (i = 0; i < table->n; i++) {
		const struct pf_consent_category *c = &table->cats[i];
		const char	**row = c->required ? &req[3 * nr++] :
		    &opt[4 * no];

		if (!c->required) {
			*row++ = NULL;
			name[no] = names[i];
			on[no++] = (ticked >> i) & 1u ? "checked" : NULL;
		}
		row[0] = _(c->name);
		row[1] = _(c->description);
		row[2] = said[i];
	}
	if ((rc = pf_page_rows(page, "consent-required", req, 3, nr)) == PF_OK &&
	    (rc = pf_page_rows(page, "consent-optional", opt, 4, no)) == PF_OK &&
	    (rc = pf_page_rows_attr(page, "consent-optional", 0, "name", name,
	    no)) == PF_OK &&
	    (rc = pf_page_rows_attr(page, "consent-optional", 0, "id", name,
	    no)) == PF_OK &&
	    (rc = pf_page_rows_attr(page, "consent-optional", 1, "for", name,
	    no)) == PF_OK)
		rc = pf_page_rows_attr(page, "consent-optional", 0, "checked", on,
		    no);
done:
	for (i = 0; i < table->n; i++)
		free(said[i]);
	return rc;
}

/* The page: ticked categories, the signal's line, the confirmation's. */
static void
show_page(struct pf_app *app, struct pf_request *req, int status,
    pf_consent_set ticked, int gpc, int confirm)
{
	struct pf_page	*page = NULL;
	int		 rc;

	if ((rc = pf_page_new(app->pages, "consent", &page)) == PF_OK &&
	    (rc = fill_categories(page, ticked)) == PF_OK &&
	    (gpc || (rc = pf_page_remove(page, "consent-gpc")) == PF_OK) &&
	    !confirm)
		rc = pf_page_remove(page, "consent-confirm");
	pf_app_send_prepared(app, req, rc, status, page, NULL, NULL);
}

static void
form_page(struct pf_app *app, struct pf_request *req)
{
	struct visit	 v;

	visit_read(app, req, &v);
	/* A decision that turned a sale category on was confirmed. */
	show_page(app, req, 200, v.current ? v.set : 0, v.gpc, 0);
}

/*
 * What the page says above the form when the post had something to fix:
 * only a script or a forged form sends a choice or a category that is not
 * one of the page's, so one sentence says what the page takes.
 */
static const struct pf_notice bad_choice = {
	N_("Nothing was saved. Choose Reject all, Accept all, or tick the "
	"categories you allow and choose Save choices."), 0, 0 };

/*
 * The guard's "show the form again": its notice, or, for fields to fix,
 * bad_choice; nothing ticked, as nothing was saved.
 */
static void
show_again(struct pf_app *app, struct pf_request *req, int status,
    const struct pf_form *form, const struct pf_notice *notice)
{
	struct pf_page	*page = NULL;
	int		 rc;

	(void)form;
	if ((rc = pf_page_new(app->pages, "consent", &page)) == PF_OK &&
	    (rc = fill_categories(page, 0)) == PF_OK &&
	    (pf_consent_gpc(req->sec_gpc) ||
	    (rc = pf_page_remove(page, "consent-gpc")) == PF_OK))
		rc = pf_page_remove(page, "consent-confirm");
	pf_app_send_prepared(app, req, rc, status, page, NULL,
	    notice != NULL ? notice : &bad_choice);
}

/* The categories the posted choice allows, the required ones among them. */
static pf_consent_set
chosen(const struct pf_form *form)
{
	const char	*choice = form->v[F_CHOICE].value;
	pf_consent_set	 s = pf_consent_required(table);
	size_t		 i;

	if (strcmp(choice, "accept") == 0)
		return (1u << table->n) - 1;
	if (strcmp(choice, "save") == 0)
		for (i = 0; i < table->n; i++)
			if (form->v[F_CATS + i].value != NULL)
				s |= 1u << i;
	return s;
}

#define SET_COOKIE_SIZE	(PF_CONSENT_VALUE_MAX + 128)

/* The Set-Cookie value of c, for consent_max_age_days; Secure on https. */
static int
set_cookie(struct pf_app *app, const struct pf_consent_cookie *c,
    char value[SET_COOKIE_SIZE])
{
	return pf_consent_set_cookie(c, app->cfg->consent_max_age_days * PF_DAY,
	    strncmp(app->cfg->base_url, "https:", 6) == 0, value,
	    SET_COOKIE_SIZE);
}

/* The Set-Cookie of v's decision for set, made now, and the 303. */
static void
answer(struct pf_app *app, struct pf_request *req, struct visit *v,
    pf_consent_set set)
{
	char	 value[SET_COOKIE_SIZE];

	pf_consent_cookie_fill(&v->c, table, set);
	v->c.gpc = v->gpc;
	v->c.t = (long long)time(NULL);
	if (set_cookie(app, &v->c, value) != PF_OK)
		pf_app_fail(app, req);
	else
		pf_app_redirect_cookie(app, req, "/consent?done", value);
}

static void
submit(struct pf_app *app, struct pf_request *req)
{
	struct pf_form	 form;
	struct pf_guard	 g;
	struct visit	 v;
	pf_consent_set	 set;
	int		 rc;

	if (pf_app_read_fields(app, req, fields, F_CATS + table->n,
	    &form) != PF_OK)
		return;
	if (pf_guard_form(app, req, PF_GUARD_CONSENT, "/consent?done", &form,
	    show_again, &g))
		goto out;
	visit_read(app, req, &v);
	set = chosen(&form);
	if (v.gpc && (set & pf_consent_sale(table)) != 0 &&
	    form.v[F_CONFIRM].value == NULL) {
		show_page(app, req, 200, set, 1, 1);
		goto out;
	}
	/* A browser without a device id of ours gets one now. */
	if ((!v.known && (rc = pf_app_device_new(app, v.c.device)) != PF_OK) ||
	    (rc = record(app, req, &v, &set, &g)) != PF_OK)
		pf_guard_failed(app, req, &form, show_again, &g, rc);
	else
		answer(app, req, &v, set);
out:
	pf_form_free(&form);
}

/* The done page: what the browser's cookie says, if it holds. */
static void
show_done(struct pf_app *app, struct pf_request *req)
{
	const char	*allowed[PF_CONSENT_CATS_MAX], *refused[PF_CONSENT_CATS_MAX];
	struct pf_page	*page = NULL;
	struct visit	 v;
	size_t		 i, na = 0, nr = 0;
	int		 rc;

	visit_read(app, req, &v);
	for (i = 0; i < table->n; i++)
		if ((v.set >> i) & 1u)
			allowed[na++] = _(table->cats[i].name);
		else
			refused[nr++] = _(table->cats[i].name);
	if ((rc = pf_page_new(app->pages, "consent-done", &page)) == PF_OK)
		rc = !v.current ? pf_page_remove(page, "done-saved") :
		    pf_page_remove(page, "done-none");
	if (rc == PF_OK && v.current &&
	    (rc = pf_page_rows(page, "done-allowed", allowed, 1, na)) == PF_OK &&
	    (rc = pf_page_rows(page, "done-refused", refused, 1, nr)) == PF_OK &&
	    !v.c.gpc)
		rc = pf_page_remove(page, "done-gpc");
	pf_app_send_page(app, req, rc, page);
}

/* Add name: o to obj; o is obj's from then on, or freed.  0 or -1. */
static int
member(json_object *obj, const char *name, json_object *o)
{
	if (o == NULL || json_object_object_add(obj, name, o) != 0) {
		json_object_put(o);
		return -1;
	}
	return 0;
}

/* The ids of the rows of set, as a JSON array; NULL without memory. */
static json_object *
ids_json(pf_consent_set set)
{
	json_object	*a = json_object_new_array();
	size_t		 i;

	for (i = 0; a != NULL && i < table->n; i++)
		if (((set >> i) & 1u) && json_object_array_add(a,
		    json_object_new_string(table->cats[i].id)) != 0) {
			json_object_put(a);
			return NULL;
		}
	return a;
}

/*
 * What both of the snippet's GETs say: the notice version, how long a
 * decision holds, the required and the sale categories' ids, and whether
 * this request carries the signal.  NULL without memory.
 */
static json_object *
state_json(struct pf_app *app, const struct pf_request *req)
{
	json_object	*obj = json_object_new_object();

	if (obj == NULL || member(obj, "required",
	    ids_json(pf_consent_required(table))) != 0 ||
	    member(obj, "sale", ids_json(pf_consent_sale(table))) != 0 ||
	    member(obj, "version",
	    json_object_new_string(table->version)) != 0 ||
	    member(obj, "max_age_days",
	    json_object_new_int64(app->cfg->consent_max_age_days)) != 0 ||
	    member(obj, "gpc",
	    json_object_new_boolean(pf_consent_gpc(req->sec_gpc))) != 0) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

/* Send obj (NULL: 500), which is freed, as JSON, with h[0..nh). */
static void
send_json(struct pf_app *app, struct pf_request *req, json_object *obj,
    const struct pf_header *h, size_t nh)
{
	const char	*s = NULL;

	if (obj != NULL)
		s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s == NULL)
		pf_app_fail(app, req);
	else if (pf_respond(req, 200, "application/json", h, nh) == PF_OK)
		pf_respond_body(req, s, strlen(s));
	json_object_put(obj);
}

/*
 * GET ?version: the same for every browser but for the signal, so cached
 * for a day, kept apart per Sec-GPC value (Vary).  A browser that has
 * decided learns from it without a request whether its decision names
 * the current notice: an edited notice reaches it within a day.
 */
static void
show_version(struct pf_app *app, struct pf_request *req)
{
	static const struct pf_header	 h[] = {
		{ "Cache-Control", "max-age=86400" },
		{ "Vary", "Sec-GPC" },
	};

	send_json(app, req, state_json(app, req), h, nitems(h));
}

/*
 * Category i as the dialog shows it, its cookies as a list and as the
 * consent page's sentence (cookies_text); NULL without memory.
 */
static json_object *
category_json(size_t i)
{
	const struct pf_consent_category *c = &table->cats[i];
	json_object	*obj = json_object_new_object(), *cookies;
	char		*said = cookie_text(i);
	const char	*p;
	size_t		 k;

	if (obj == NULL || said == NULL ||
	    member(obj, "id", json_object_new_string(c->id)) ||
	    member(obj, "name", json_object_new_string(_(c->name))) ||
	    member(obj, "description",
	    json_object_new_string(_(c->description))) ||
	    member(obj, "required", json_object_new_boolean(c->required)) ||
	    member(obj, "sale", json_object_new_boolean(c->sale)) ||
	    member(obj, "cookies_text", json_object_new_string(said)) ||
	    member(obj, "cookies", cookies = json_object_new_array()))
		goto fail;
	for (p = c->cookies; *p != '\0'; p += k + (p[k] == ',')) {
		k = strcspn(p, ",");
		if (json_object_array_add(cookies,
		    json_object_new_string_len(p, (int)k)) != 0)
			goto fail;
	}
	free(said);
	return obj;
fail:
	free(said);
	json_object_put(obj);
	return NULL;
}

/*
 * Every text the snippet's dialog shows but the categories' own, by the
 * name "texts" gives it (privforms-forms(8), "The consent snippet"): the
 * script holds none, so the dialog is in the request's language.  The
 * ones the consent page also says are in its words.
 */
static const struct {
	const char	*name;
	const char	*msg;
} dialog_texts[] = {
	{ "title", N_("Cookie settings") },
	{ "intro", N_("We use cookies that the site needs, and others only if "
	    "you allow them. You can change your choice at any time.") },
	{ "gpc_title", N_("Opt-out preference signal honored.") },
	{ "gpc", N_("Your browser sends the Global Privacy Control signal, so "
	    "we do not sell or share your personal information or use it for "
	    "targeted advertising, and the categories that would are off.") },
	{ "confirm", N_("Your browser sends the Global Privacy Control signal, "
	    "which asks us not to sell or share your personal information or "
	    "use it for targeted advertising. You have chosen a category that "
	    "does. Press your choice again to confirm it; or choose Reject "
	    "all.") },
	{ "reject", N_("Reject all") },
	{ "accept", N_("Accept all") },
	{ "manage", N_("Manage") },
	{ "save", N_("Save choices") },
	/* TRANSLATORS: after a category's name, in the snippet's dialog. */
	{ "always_on", N_("(always on)") },
	{ "saving", N_("Saving your choice\xe2\x80\xa6") },
	{ "failed", N_("Your choice could not be saved. Please try again, or "
	    "use the link below.") },
	{ "more", N_("More about our cookies") },
};

/* The dialog's texts in the current language; NULL without memory. */
static json_object *
texts_json(void)
{
	json_object	*obj = json_object_new_object();
	size_t		 i;

	for (i = 0; obj != NULL && i < nitems(dialog_texts); i++)
		if (member(obj, dialog_texts[i].name,
		    json_object_new_string(_(dialog_texts[i].msg))) != 0) {
			json_object_put(obj);
			return NULL;
		}
	return obj;
}

/*
 * GET ?dialog: the categories, the texts and a new stamp, which the
 * dialog's POST carries back (guard.h); not cached, as the stamp is the
 * client's (and the texts are in the request's language).
 */
static void
show_dialog(struct pf_app *app, struct pf_request *req)
{
	json_object	*obj = state_json(app, req), *cats = NULL;
	char		*stamp = NULL;
	size_t		 i;

	if (obj == NULL || pf_app_stamp(app, req, &stamp) != PF_OK ||
	    member(obj, "stamp", json_object_new_string(stamp)) != 0 ||
	    member(obj, "texts", texts_json()) != 0 ||
	    member(obj, "categories", cats = json_object_new_array()) != 0)
		goto fail;
	for (i = 0; i < table->n; i++)
		if (json_object_array_add(cats, category_json(i)) != 0)
			goto fail;
	free(stamp);
	send_json(app, req, obj, NULL, 0);
	return;
fail:
	free(stamp);
	json_object_put(obj);
	pf_app_fail(app, req);
}

/*
 * The answer to POST ?gpc once stored: the cookie with g=1 and the sale
 * categories off, its t the decision's, or 1 when none holds (a cookie
 * that names the device and the signal but is no decision: the dialog
 * still asks), and 204.
 */
static void
gpc_answer(struct pf_app *app, struct pf_request *req, struct visit *v)
{
	char			 value[SET_COOKIE_SIZE];
	struct pf_header	 h = { "Set-Cookie", value };

	pf_consent_gpc_fill(&v->c, table, v->current, v->set);
	if (set_cookie(app, &v->c, value) != PF_OK)
		pf_app_fail(app, req);
	else
		pf_respond(req, 204, NULL, &h, 1);
}

/* POST ?gpc failed with rc: 429 over the rate limits, else 503. */
static void
gpc_failed(struct pf_app *app, struct pf_request *req,
    const struct pf_guard *g, int rc)
{
	const char		*body = _("Too many requests: try again later.\n");
	char			 secs[24];
	struct pf_header	 h = { "Retry-After", secs };

	if (rc != PF_ELIMIT) {
		pf_app_unavailable(app, req);
		return;
	}
	snprintf(secs, sizeof(secs), "%ld", g->notice.retry_after);
	if (pf_respond(req, 429, "text/plain; charset=utf-8", &h, 1) == PF_OK)
		pf_respond_body(req, body, strlen(body));
}

/*
 * POST ?gpc: the snippet's record of the signal (the header comment).
 * It takes no field: whatever a body holds is read within the limits
 * and ignored.  Counted by the consent form's rate limits, as a browser
 * without a cookie is a new device each time.
 */
static void
gpc_post(struct pf_app *app, struct pf_request *req)
{
	struct pf_guard	 g;
	struct visit	 v;
	int		 rc;

	if (pf_app_read_form(app, req) != PF_OK)
		return;
	visit_read(app, req, &v);
	if (!v.gpc) {
		pf_respond(req, 204, NULL, NULL, 0);
		return;
	}
	memset(&g, 0, sizeof(g));
	g.form = PF_GUARD_CONSENT;
	if ((!v.known && (rc = pf_app_device_new(app, v.c.device)) != PF_OK) ||
	    (rc = pf_app_client(app, req, g.client, g.wide)) != PF_OK ||
	    (rc = record(app, req, &v, NULL, &g)) != PF_OK) {
		/*
		 * This post is the signal's record, held to the consent
		 * form's limits: the skeleton must not store it anyway, nor
		 * answer with a cookie saying it was (g=1: the snippet would
		 * not ask again).
		 */
		app->committing = NULL;
		free(req->set_cookie);
		req->set_cookie = NULL;
		gpc_failed(app, req, &g, rc);
	} else
		gpc_answer(app, req, &v);
}

/* Each row's field, and its cookies as a list, "a, b" (cookie_text). */
static int
texts_make(void)
{
	size_t	 i, n;
	char	*p;

	for (i = 0; i < table->n; i++) {
		snprintf(names[i], sizeof(names[i]), FIELD_PREFIX "%s",
		    table->cats[i].id);
		fields[F_CATS + i] = (struct pf_field){ names[i], pf_valid_enum,
		    yes, 0, 3, 0, table->cats[i].name, NULL };
		n = strlen(table->cats[i].cookies) * 2 + 1;
		if ((cookie_list[i] = malloc(n)) == NULL)
			return 1;
		p = cookie_list[i];
		*p = '\0';
		for (const char *c = table->cats[i].cookies; *c != '\0'; c++)
			p += *c == ',' ? sprintf(p, ", ") : sprintf(p, "%c", *c);
	}
	return 0;
}

/* The categories table the skeleton loaded, and its cookie texts. */
static int
start(struct pf_app *app)
{
	table = app->consent;
	if (texts_make() != 0) {
		pf_log(PF_LOG_ERR, "consent: out of memory");
		return 1;
	}
	return 0;
}

static void
stop(void)
{
	size_t	 i;

	for (i = 0; table != NULL && i < table->n; i++)
		free(cookie_list[i]);
}

static const struct pf_route routes[] = {
	{ "GET", "", "version", show_version, NULL, 0 },
	{ "GET", "", "dialog", show_dialog, NULL, 0 },
	{ "GET", "", "done", show_done, NULL, 0 },
	{ "GET", "", NULL, form_page, NULL, 0 },
	{ "POST", "", "gpc", gpc_post, NULL, 0 },
	{ "POST", "", NULL, submit, NULL, 0 },
};

PF_PROGRAM_MAIN(.form = PF_GUARD_CONSENT, PF_ROUTES(routes),
    .start = start, .stop = stop)
