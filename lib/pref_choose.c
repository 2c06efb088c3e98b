/*
 * pref_choose.c -- the preference center's page of choices (see
 * pref_choose.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "lang.h"
#include "nitems.h"
#include "page.h"
#include "pref_ask.h"
#include "pref_choose.h"
#include "preflink.h"
#include "prefpage.h"
#include "request.h"
#include "token.h"

#define DONE_PURPOSE	"pref-done"
#define DONE_SECONDS	3600
#define IDS_MAX		(PF_LISTS_MAX * (PF_LIST_ID_MAX + 1) + 1)

/* What a forged or expired preference link gets: the ask form, saying so. */
static const struct pf_notice link_forged = { N_("This link to your "
    "preferences is not complete: it may have been cut short or changed. "
    "Enter your email address and we will send you a new one."), 0, 0 };
static const struct pf_notice link_expired = { N_("This link to your "
    "preferences has expired. Enter your email address and we will send "
    "you a new one."), 0, 0 };

/* A bad preference link: the ask form (400) saying why. */
static void
bad_pref(struct pf_app *app, struct pf_request *req, int rc)
{
	if (rc == PF_EFORGED || rc == PF_EEXPIRED)
		pf_prefask_show(app, req, 400, NULL, rc == PF_EEXPIRED ?
		    &link_expired : &link_forged);
	else
		pf_app_fail(app, req);
}

/* The preference link: how it is checked, and answered when bad. */
static const struct pf_prefp_link pref_link = { pf_pref_check, bad_pref, -1,
    PF_PREF_CHANNEL, PF_PREF_ADDRESS };

/* What the page shows of one list: its ids, for its attributes. */
struct row {
	char	 id[PF_LIST_ID_MAX + 6];	/* "list-" ID */
	char	 state_id[PF_LIST_ID_MAX + 12];
	char	 desc_id[PF_LIST_ID_MAX + 11];
	char	 described[2 * PF_LIST_ID_MAX + 24];
};

/* What the page says of each state (subscription.h's PF_SUB_*). */
static const struct {
	int		 state;
	const char	*text;
} state_texts[] = {
	{ PF_SUB_NONE, N_("Not subscribed") },
	{ PF_SUB_PENDING,
	    N_("Waiting for your confirmation: see the email we sent") },
	{ PF_SUB_SUBSCRIBED, N_("Subscribed") },
};

static const char *
state_text(int state)
{
	size_t	 i;

	for (i = 0; i < nitems(state_texts); i++)
		if (state_texts[i].state == state)
			return _(state_texts[i].text);
	return _(state_texts[0].text);
}

/* The cells of the lists of channel, their states read, and their ids. */
static int
read_lists(struct pf_app *app, const char *channel, const char *address,
    const char **cells, const char **checked, struct row *rows, size_t *n)
{
	const struct pf_lists	*lists = pf_prefp_lists();
	size_t			 i;
	int			 rc, state;

	*n = 0;
	if ((rc = pf_app_begin_read(app)) != PF_OK)
		return rc;
	for (i = 0; i < lists->n && rc == PF_OK; i++) {
		const struct pf_mlist *l = &lists->lists[i];
		struct row *r = &rows[*n];

		if (strcmp(l->channel, channel) != 0 ||
		    (rc = pf_sub_state(app->st, channel, address, l->id,
		    &state)) != PF_OK)
			continue;
		snprintf(r->id, sizeof(r->id), "list-%s", l->id);
		snprintf(r->state_id, sizeof(r->state_id), "list-%s-state",
		    l->id);
		snprintf(r->desc_id, sizeof(r->desc_id), "list-%s-desc", l->id);
		snprintf(r->described, sizeof(r->described),
		    "list-%s-state list-%s-desc", l->id, l->id);
		cells[*n * 4] = NULL;
		cells[*n * 4 + 1] = _(l->name);
		cells[*n * 4 + 2] = state_text(state);
		cells[*n * 4 + 3] = _(l->description);
		checked[*n] = state != PF_SUB_NONE ? "checked" : NULL;
		(*n)++;
	}
	pf_app_rollback(app);
	return rc;
}

/*
 * The page's rows for the lists of channel: a checkbox (list-ID, ticked
 * when subscribed or pending) labelled by the name, described by the
 * state and the description.
 */
static int
fill_lists(struct pf_app *app, struct pf_page *page, const char *channel,
    const char *address)
{
	const char	*cells[PF_LISTS_MAX * 4], *checked[PF_LISTS_MAX];
	const char	*ids[PF_LISTS_MAX], *states[PF_LISTS_MAX];
	const char	*descs[PF_LISTS_MAX], *described[PF_LISTS_MAX];
	const struct {
		size_t		 col;
		const char	*attr;
		const char	**values;
	} set[] = {
		{ 0, "id", ids }, { 0, "name", ids }, { 0, "checked", checked },
		{ 0, "aria-describedby", described }, { 1, "for", ids },
		{ 2, "id", states }, { 3, "id", descs },
	};
	struct row	 rows[PF_LISTS_MAX];
	size_t		 i, n;
	int		 rc;

	if ((rc = read_lists(app, channel, address, cells, checked, rows,
	    &n)) != PF_OK ||
	    (rc = pf_page_rows(page, "pref-lists", cells, 4, n)) != PF_OK)
		return rc;
	for (i = 0; i < n; i++) {
		ids[i] = rows[i].id;
		states[i] = rows[i].state_id;
		descs[i] = rows[i].desc_id;
		described[i] = rows[i].described;
	}
	for (i = 0; i < nitems(set) && rc == PF_OK; i++)
		rc = pf_page_rows_attr(page, "pref-lists", set[i].col,
		    set[i].attr, set[i].values, n);
	return rc;
}

/* The page of link tok (token t, its address masked): lists, states. */
static int
fill_choices(struct pf_app *app, struct pf_page *page,
    const struct pf_token *tok, const char *t, const char *masked)
{
	const char	*channel = tok->fields[PF_PREF_CHANNEL];
	int		 rc, sms = strcmp(channel, "sms") == 0;

	if ((rc = pf_page_text(page, "pref-address", masked)) != PF_OK ||
	    (rc = pf_page_attr(page, "pref-token", "value", t)) != PF_OK ||
	    (rc = pf_page_attr(page, "pref-stop-token", "value", t)) !=
	    PF_OK ||
	    (rc = pf_page_remove(page, sms ? "pref-stop-email" :
	    "pref-stop-sms")) != PF_OK)
		return rc;
	return fill_lists(app, page, channel, tok->fields[PF_PREF_ADDRESS]);
}

/* GET with a token: the lists and their states.  Changes nothing. */
void
pf_prefchoose_show(struct pf_app *app, struct pf_request *req)
{
	pf_prefp_link_page(app, req, &pref_link, "preferences-lists",
	    fill_choices);
}

/* What one save changed, for the done page: ids joined by spaces. */
struct outcome {
	char	 subscribed[IDS_MAX];
	char	 pending[IDS_MAX];
	char	 dropped[IDS_MAX];
	int	 stopped;
};

static void
add_id(char *ids, const char *id)
{
	size_t	 n = strlen(ids);

	snprintf(ids + n, IDS_MAX - n, "%s%s", n > 0 ? " " : "", id);
}

/* Whether the posted form ticks list id: a field "list-ID" of "yes". */
static int
ticked(const struct pf_request *req, const char *id)
{
	const struct pf_param	*f;
	char			 name[PF_LIST_ID_MAX + 6];

	snprintf(name, sizeof(name), "list-%s", id);
	f = pf_request_field(req, name);
	return f != NULL && strcmp(f->value, "yes") == 0;
}

/* Each list of w's channel as the form ticks it, inside the transaction. */
static int
apply(struct pf_app *app, const struct pf_request *req,
    const struct pf_prefp_who *w, struct outcome *out)
{
	const struct pf_lists	*lists = pf_prefp_lists();
	struct pf_sub_change	 c;
	size_t			 i;
	int			 rc = PF_OK, state, changed, pending;

	for (i = 0; i < lists->n && rc == PF_OK; i++) {
		const char *id = lists->lists[i].id;

		if (strcmp(lists->lists[i].channel, w->channel) != 0 ||
		    (rc = pf_sub_state(app->st, w->channel, w->address, id,
		    &state)) != PF_OK)
			continue;
		if (ticked(req, id) && state == PF_SUB_NONE) {
			rc = pf_prefp_subscribe(app, w, id, "preferences",
			    &pending);
			add_id(pending ? out->pending : out->subscribed, id);
		} else if (!ticked(req, id) && state != PF_SUB_NONE) {
			c = pf_prefp_change_of(w, id, "preferences", NULL);
			if ((rc = pf_sub_drop(&app->tx, lists, &c,
			    &changed)) == PF_OK && changed)
				add_id(out->dropped, id);
		}
	}
	return rc;
}

/* "Stop all": every list of w's channel, inside the transaction. */
static int
stop_all(struct pf_app *app, const struct pf_prefp_who *w, struct outcome *out)
{
	struct pf_sub_change	 c = pf_prefp_change_of(w, "", "preferences",
	    NULL);
	int			 changed;

	out->stopped = 1;
	return pf_sub_stop_all(&app->tx, pf_prefp_lists(), &c, &changed);
}

/* The done page's token for out (see pf_prefchoose_done), a new string. */
static int
done_token(struct pf_app *app, const char *channel, const struct outcome *out,
    char **token)
{
	const char	*fields[] = { channel, out->subscribed, out->pending,
	    out->dropped, out->stopped ? "yes" : "no", pf_lang_current() };

	return pf_token_make(app->keys.token, DONE_PURPOSE,
	    time(NULL) + DONE_SECONDS, fields, nitems(fields), token);
}

/* POST with a token: apply the form, 303 to the done page. */
void
pf_prefchoose_save(struct pf_app *app, struct pf_request *req)
{
	const struct pf_param	*action = pf_request_field(req, "action");
	const struct pf_param	*t = pf_request_field(req, "t");
	struct pf_token		 tok = { 0 };
	struct outcome		 out;
	struct pf_prefp_who	 w;
	char			*token = NULL, *path = NULL;
	int			 rc, stop;

	if (pf_prefp_check_link(app, req, &pref_link, t, &tok))
		return;
	memset(&out, 0, sizeof(out));
	stop = action != NULL && strcmp(action->value, "stop") == 0;
	if ((rc = pf_prefp_who_of(app, req, tok.fields[PF_PREF_CHANNEL],
	    tok.fields[PF_PREF_ADDRESS], &w)) == PF_OK &&
	    (rc = pf_app_begin(app)) == PF_OK) {
		if ((rc = stop ? stop_all(app, &w, &out) :
		    apply(app, req, &w, &out)) != PF_OK ||
		    (rc = pf_app_commit(app)) != PF_OK)
			pf_app_rollback(app);
	}
	if (rc == PF_OK && (rc = done_token(app, w.channel, &out, &token)) ==
	    PF_OK && (path = pf_prefp_joined("/preferences?done=",
	    token)) == NULL)
		rc = PF_ENOMEM;
	if (rc == PF_OK)
		pf_app_redirect(app, req, path);
	else
		pf_prefp_fail(app, req, rc);
	free(path);
	free(token);
	pf_token_clear(&tok);
}

/*
 * One of the done page's lists: the names of ids (space-separated) in
 * element list, or the block around it (block) removed when there are
 * none.
 */
static int
done_list(struct pf_page *page, const char *block, const char *list,
    char *ids)
{
	const char	*names[PF_LISTS_MAX];
	char		*id, *save = NULL;
	size_t		 n = 0;

	for (id = strtok_r(ids, " ", &save); id != NULL && n < PF_LISTS_MAX;
	    id = strtok_r(NULL, " ", &save))
		names[n++] = pf_prefp_list_name(id);
	if (n == 0)
		return pf_page_remove(page, block);
	return pf_page_rows(page, list, names, 1, n);
}

/* What the done page says, from a valid ?done= token; else "recorded". */
static int
fill_done(struct pf_app *app, struct pf_request *req, struct pf_page *page)
{
	const struct pf_param	*done = pf_request_query(req, "done");
	const char		*token = done->len > 0 ? done->value : NULL;
	static const char *const blocks[] = { "done-subscribed",
	    "done-pending", "done-dropped" };
	static const char *const lists_of[] = { "done-subscribed-list",
	    "done-pending-list", "done-dropped-list" };
	struct pf_token	 tok = { 0 };
	size_t		 i;
	int		 rc = PF_OK, stopped, any = 0, sms;

	if (token == NULL || pf_token_check(app->keys.token, DONE_PURPOSE,
	    token, time(NULL), &tok) != PF_OK || tok.nfields != 6 ||
	    pf_lang_follow(tok.fields[5]) != PF_OK) {
		pf_token_clear(&tok);
		for (i = 0; i < nitems(blocks) && rc == PF_OK; i++)
			rc = pf_page_remove(page, blocks[i]);
		if (rc == PF_OK && (rc = pf_page_remove(page,
		    "done-nothing")) == PF_OK &&
		    (rc = pf_page_remove(page, "done-stopped-email")) == PF_OK)
			rc = pf_page_remove(page, "done-stopped-sms");
		return rc;
	}
	sms = strcmp(tok.fields[0], "sms") == 0;
	stopped = strcmp(tok.fields[4], "yes") == 0;
	for (i = 0; i < nitems(blocks); i++)
		any |= tok.fields[i + 1][0] != '\0';
	for (i = 0; i < nitems(blocks) && rc == PF_OK; i++)
		rc = done_list(page, blocks[i], lists_of[i], tok.fields[i + 1]);
	if (rc == PF_OK)
		rc = pf_page_remove(page, "done-saved");
	if (rc == PF_OK && (any || stopped))
		rc = pf_page_remove(page, "done-nothing");
	if (rc == PF_OK && (!stopped || sms))
		rc = pf_page_remove(page, "done-stopped-email");
	if (rc == PF_OK && (!stopped || !sms))
		rc = pf_page_remove(page, "done-stopped-sms");
	pf_token_clear(&tok);
	return rc;
}

void
pf_prefchoose_done(struct pf_app *app, struct pf_request *req)
{
	pf_prefp_send_page(app, req, "preferences-done", fill_done);
}
