/*
 * feedback.c -- /privacy/feedback: site feedback in two steps, and the
 * "Did this article solve your issue?" votes of the help pages.
 *
 * The routes (the table at the end, in its order):
 *
 *	POST feedback?step=2		submit: 303 to ?done, also when the
 *					entry was complete before; 422, 503.
 *					action=back: step 1 again (200), from
 *					the entry, with step 2's typing kept
 *	POST feedback			step 1 stored (or revised): 303 to ?t=T,
 *					422, 503; 400 for a forged t
 *	GET  feedback?done		"Feedback received!"
 *	GET  feedback?t			step 2 (?t=T): email, recommend (the
 *					done page once the entry is complete)
 *	GET  feedback			step 1: type, message, rating
 *	POST feedback/article		a vote: 303 to ?thanks, 422, 503; from
 *					any website (help pages anywhere)
 *	GET  feedback/article?thanks	"Thank you"
 *	GET  feedback/article		the vote page (?article=A), for help
 *					pages that cannot hold the snippet
 *
 * and, as every program (program.h), GET feedback/challenge: a
 * proof-of-work challenge (guard.h).  Also 400 (a forged or expired
 * step-2 token, an entry that is gone: badlink.h; a vote page without a
 * valid article), 404 (any other sub-path), 405, 411, 413, 415 (app.h),
 * 403 for either step POSTed from another website's page (app.h), and
 * the guard's 403, 422 and 429 (guard.h) for a new entry's step 1 and a
 * vote, and its 422 and 429 for a revised step 1.
 *
 * Step 1 is stored as soon as it is posted, so an abandoned step 2 still
 * keeps the rating; step 2 completes the same entry through a signed token
 * (feedback.h) in the page, never a cookie.  The token also carries what
 * the visitor typed into step 2 before going Back, and step 1 carries it
 * on in hidden fields, so Back and Next lose nothing.  A token of an entry
 * that is complete or gone, or an expired one, makes step 1 a new entry:
 * the visitor has more to say.  A vote's client is the keyed pseudonym of
 * the network it came from (app.h's pf_app_client: X-Forwarded-For only
 * from trusted proxies, so a header the visitor sends cannot make one
 * client many).  Answers are pages of ours, never a redirect to anything
 * the visitor sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "badlink.h"
#include "err.h"
#include "feedback.h"
#include "form.h"
#include "guard.h"
#include "keys.h"
#include "lang.h"
#include "page.h"
#include "program.h"
#include "request.h"
#include "response.h"
#include "store.h"
#include "utc.h"
#include "validate.h"

#define HOUR		(60L * 60)
#define MESSAGE_MAX	5000	/* characters */
#define COMMENT_MAX	1000

/* Step 1. */
enum { S1_TYPE, S1_MESSAGE, S1_RATING, S1__MAX };

static const struct pf_field step1[S1__MAX] = {
	[S1_TYPE] = { "type", pf_valid_choice, pf_feedback_types, 1, 32, 0,
	    N_("What your feedback is about"),
	    N_("Select what your feedback is about.") },
	[S1_MESSAGE] = { "message", pf_valid_text, NULL, 0, MESSAGE_MAX, 1,
	    N_("Your message") },
	[S1_RATING] = { "rating", pf_valid_choice, pf_feedback_ratings, 1, 16,
	    0, N_("Your rating"),
	    N_("Select how you rate your experience with our website.") },
};

/*
 * What step 1 carries in hidden fields after a Back: the token and step
 * 2's typing, as typed (step 2 checks it).  The base check only, and step
 * 2's lengths, so that the typing always fits in a token (token.h's
 * PF_TOKEN_MAX_LEN); maxlen 0 leaves the token's to max_field_len.
 */
enum { C_T, C_EMAIL, C_RECOMMEND, C__MAX };

static const struct pf_field carried[C__MAX] = {
	[C_T] = { "t", NULL, NULL, 0, 0, 0, N_("Token") },
	[C_EMAIL] = { "email", NULL, NULL, 0, 254, 0, N_("Email address") },
	[C_RECOMMEND] = { "recommend", NULL, NULL, 0, 2, 0, N_("Recommend") },
};

/* Step 2. */
enum { S2_EMAIL, S2_RECOMMEND, S2_T, S2__MAX };

static const struct pf_field step2[S2__MAX] = {
	[S2_EMAIL] = { "email", pf_valid_email, NULL, 0, 254, 0,
	    N_("Email address") },
	[S2_RECOMMEND] = { "recommend", pf_valid_enum, pf_feedback_scores, 0,
	    2, 0, N_("How likely you are to recommend our website") },
	[S2_T] = { "t", NULL, NULL, 0, 0, 0, N_("Token") },
};

/* An article vote. */
enum { V_ARTICLE, V_HELPFUL, V_COMMENT, V__MAX };

static const char *const answers[] = { "yes", "no", NULL };

static const struct pf_field vote_fields[V__MAX] = {
	[V_ARTICLE] = { "article", pf_valid_token, NULL, 1, 64, 0,
	    N_("The article"), N_("Go back to the article and answer the question "
	    "at its end.") },
	[V_HELPFUL] = { "helpful", pf_valid_enum, answers, 1, 3, 0,
	    N_("Your answer"), N_("Select Yes if the article solved your issue, or "
	    "No if it did not.") },
	[V_COMMENT] = { "comment", pf_valid_text, NULL, 0, COMMENT_MAX, 1,
	    N_("Your comment") },
};

static const struct pf_notice busy = { .text = N_("We could not save your "
    "feedback just now. Nothing was stored. Please try again in a minute."),
    .retry_after = 60 };


/* ---- pages ---- */

/*
 * Step 1 with status: the visitor's values and errors from form (may be
 * NULL), step 2's typing and the token from carry (may be NULL).
 */
static void
show_step1(struct pf_app *app, struct pf_request *req, int status,
    const struct pf_form *form, const struct pf_form *carry,
    const struct pf_notice *notice)
{
	struct pf_page	*page = NULL;
	int		 rc;

	if ((rc = pf_page_new(app->pages, "feedback", &page)) == PF_OK &&
	    carry != NULL)
		rc = pf_form_fill(carry, page);
	pf_app_send_prepared(app, req, rc, status, page, form, notice);
}

/*
 * Step 2 with status: the token t and the typing it carried in s (may be
 * NULL), or the visitor's values and errors from form (may be NULL).
 */
static void
show_step2(struct pf_app *app, struct pf_request *req, int status,
    const char *t, const struct pf_feedback_step *s,
    const struct pf_form *form, const struct pf_notice *notice)
{
	struct pf_page	*page = NULL;
	int		 rc;

	if ((rc = pf_page_new(app->pages, "feedback-more", &page)) == PF_OK &&
	    t != NULL)
		rc = pf_page_value(page, "t", t);
	if (rc == PF_OK && s != NULL && s->email != NULL)
		rc = pf_page_value(page, "email", s->email);
	if (rc == PF_OK && s != NULL && s->recommend != NULL)
		rc = pf_page_value(page, "recommend", s->recommend);
	pf_app_send_prepared(app, req, rc, status, page, form, notice);
}

/* ---- step 1 ---- */

/* The stored entry a new or revised step 1 makes; strings point into form. */
static void
entry_of(const struct pf_form *form, struct pf_feedback *f)
{
	memset(f, 0, sizeof(*f));
	f->type = form->v[S1_TYPE].value;
	f->message = form->v[S1_MESSAGE].value;
	f->rating = pf_feedback_rating(form->v[S1_RATING].value);
	f->recommend = -1;
}

/* The record of step 1 of entry f: codes and the entry's number. */
static int
audit_step1(struct pf_app *app, struct pf_request *req, const char *event,
    const struct pf_feedback *f)
{
	char		 num[24];
	const char	*details[] = { "feedback", num, "type", f->type,
	    "rating", pf_feedback_rating_code(f->rating), NULL };

	snprintf(num, sizeof(num), "%lld", f->id);
	return pf_app_audit(app, req, event, NULL, details);
}

/*
 * Forward step 1 of entry f if it is a complaint and has not been
 * forwarded yet: going Back and forth through the types sends it once.
 * Later edits reach the team with step 2 when an address is left, and
 * always through `privforms feedback list`.
 */
static int
forward_step1(struct pf_app *app, const struct pf_feedback *f,
    const char *now)
{
	char	 subject[PF_HEX_DIGEST_LEN + 1];
	int	 rc;

	if (!pf_feedback_forwards(app->cfg, f, 1))
		return PF_OK;
	if ((rc = pf_store_feedback_forwarded(app->st, f->id, now)) != PF_OK)
		return rc == PF_ENOTFOUND ? PF_OK : rc;
	if ((rc = pf_feedback_subject(&app->keys, f->id, subject)) != PF_OK)
		return rc;
	return pf_feedback_forward(app->st, app->cfg, f, subject);
}

/* A new entry: stored, recorded, and forwarded if it is a complaint. */
static int
put_entry(struct pf_app *app, struct pf_request *req, struct pf_feedback *f)
{
	char	 now[PF_TIME_SIZE];
	int	 rc;

	pf_utc_now(now);
	f->created = f->updated = now;
	if ((rc = pf_store_feedback_put(app->st, f, now, &f->id)) != PF_OK ||
	    (rc = audit_step1(app, req, "feedback-received", f)) != PF_OK)
		return rc;
	return forward_step1(app, f, now);
}

/* Open entry prev revised with f (Back, then Next). */
static int
revise_entry(struct pf_app *app, struct pf_request *req,
    struct pf_feedback *f, const struct pf_feedback *prev)
{
	char	 now[PF_TIME_SIZE];
	int	 rc;

	pf_utc_now(now);
	f->id = prev->id;
	f->created = prev->created;
	f->updated = now;
	if ((rc = pf_store_feedback_revise(app->st, f->id, f, now)) != PF_OK ||
	    (rc = audit_step1(app, req, "feedback-revised", f)) != PF_OK)
		return rc;
	return forward_step1(app, f, now);
}

/*
 * Store step 1 in one transaction: a revision of entry id (0: none)
 * while it is open, else a new entry, if the guard g admits it (a
 * revision under limits of its own, pf_guard_revise: the same visitor
 * going Back, but each one an audit record).  f->id gets the entry.
 */
static int
record_step1(struct pf_app *app, struct pf_request *req,
    struct pf_feedback *f, long long id, struct pf_guard *g)
{
	struct pf_feedback_copy prev;
	int		 rc;

	memset(&prev, 0, sizeof(prev));
	if ((rc = pf_app_begin(app)) != PF_OK)
		return rc;
	rc = id > 0 ? pf_store_feedback_get(app->st, id, pf_feedback_hold,
	    &prev) : PF_ENOTFOUND;
	if (rc == PF_OK && prev.f.completed == NULL) {
		if ((rc = pf_guard_revise(app, g, id)) == PF_OK)
			rc = revise_entry(app, req, f, &prev.f);
	}
	else if ((rc == PF_OK || rc == PF_ENOTFOUND) &&
	    (rc = pf_guard_admit(app, g, NULL)) == PF_OK)
		rc = put_entry(app, req, f);
	rc = pf_app_end(app, rc);
	pf_feedback_drop(&prev);
	return rc;
}

/*
 * 303 to step 2 of entry id, its token carrying step 2's typing and
 * valid until expires.
 */
static void
to_step2(struct pf_app *app, struct pf_request *req, long long id,
    const struct pf_form *carry, time_t expires)
{
	char	*t = NULL, *path = NULL;
	size_t	 n;

	if (pf_feedback_step_make(&app->keys, id, carry->v[C_EMAIL].value,
	    carry->v[C_RECOMMEND].value, expires, &t) != PF_OK) {
		pf_app_fail(app, req);
		return;
	}
	n = strlen("/feedback?t=") + strlen(t) + 1;
	if ((path = malloc(n)) == NULL)
		pf_app_fail(app, req);
	else {
		snprintf(path, n, "/feedback?t=%s", t);
		pf_app_redirect(app, req, path);
	}
	free(path);
	free(t);
}

/*
 * The entry a carried token names and the token's expiry: PF_OK and *id
 * (0 when there is no token, or an expired one: a new entry) and
 * *expires, or a 400 page sent.
 */
static int
carried_entry(struct pf_app *app, struct pf_request *req,
    const struct pf_form *carry, long long *id, time_t *expires)
{
	struct pf_feedback_step s;
	int		 rc;

	memset(&s, 0, sizeof(s));
	*id = 0;
	*expires = 0;
	if (carry->v[C_T].value == NULL)
		return PF_OK;
	rc = pf_feedback_step_check(&app->keys, carry->v[C_T].value,
	    time(NULL), &s);
	if (rc == PF_OK) {
		*id = s.id;
		*expires = s.expires;
	}
	pf_feedback_step_clear(&s);
	if (rc == PF_OK || rc == PF_EEXPIRED)
		return PF_OK;
	pf_badlink(app, req, PF_BADLINK_FEEDBACK, rc);
	return rc;
}

/*
 * Validate the carried fields into carry (the caller frees it): PF_OK, or
 * non-zero once answered (a token that fails the base check is no token
 * of ours).  Typing that fails it is dropped, never shown again.
 */
static int
read_carried(struct pf_app *app, struct pf_request *req,
    struct pf_form *carry)
{
	if (pf_form_validate(carried, C__MAX, req, carry) != PF_OK) {
		pf_app_fail(app, req);
		return PF_ENOMEM;
	}
	if (carry->v[C_T].error[0] != '\0') {
		pf_badlink(app, req, PF_BADLINK_FEEDBACK, PF_EFORGED);
		return PF_EFORGED;
	}
	if (carry->v[C_EMAIL].error[0] != '\0')
		pf_form_ignore(carry, C_EMAIL);
	if (carry->v[C_RECOMMEND].error[0] != '\0')
		pf_form_ignore(carry, C_RECOMMEND);
	return PF_OK;
}

static void
submit_step1(struct pf_app *app, struct pf_request *req)
{
	struct pf_form		 form = { 0 }, carry = { 0 };
	struct pf_feedback	 f;
	struct pf_guard		 g;
	long long		 id;
	time_t			 expires;
	int			 rc;

	if (pf_app_read_form(app, req) != PF_OK ||
	    read_carried(app, req, &carry) != PF_OK)
		goto out;
	if (pf_form_validate(step1, S1__MAX, req, &form) != PF_OK) {
		pf_app_fail(app, req);
		goto out;
	}
	if (form.nerrors > 0) {
		show_step1(app, req, 422, &form, &carry, NULL);
		goto out;
	}
	if (carried_entry(app, req, &carry, &id, &expires) != PF_OK)
		goto out;
	/*
	 * A token may name an entry that is complete or gone, which makes a
	 * new one: every step 1 is screened.  Only coming "too fast" is left
	 * to new entries, so that Back and a quick Next is no trap.
	 */
	if (pf_guard_screen(app, req, PF_GUARD_FEEDBACK, "/feedback?done",
	    id == 0, &g))
		goto out;
	if (g.notice.text != NULL) {
		show_step1(app, req, g.status, &form, &carry, &g.notice);
		goto out;
	}
	entry_of(&form, &f);
	rc = record_step1(app, req, &f, id, &g);
	/* A revision's token keeps the first one's expiry: no renewing it. */
	if (rc == PF_OK && f.id != id)
		expires = time(NULL) + app->cfg->feedback_step_hours * HOUR;
	if (rc == PF_OK)
		to_step2(app, req, f.id, &carry, expires);
	else if (rc == PF_ELIMIT || rc == PF_EREFUSED)
		show_step1(app, req, g.status, &form, &carry, &g.notice);
	else
		show_step1(app, req, 503, &form, &carry, &busy);
out:
	pf_form_free(&carry);
	pf_form_free(&form);
}

/* ---- step 2 ---- */

/*
 * Check token text (NULL: none): PF_OK and s filled (the caller clears
 * it), or a 400 page sent.
 */
static int
check_step(struct pf_app *app, struct pf_request *req, const char *text,
    struct pf_feedback_step *s)
{
	int	 rc;

	memset(s, 0, sizeof(*s));
	rc = text == NULL ? PF_EFORGED :
	    pf_feedback_step_check(&app->keys, text, time(NULL), s);
	if (rc != PF_OK)
		pf_badlink(app, req, PF_BADLINK_FEEDBACK, rc);
	return rc;
}

/*
 * Read entry id into c (the caller drops it) in a read transaction:
 * PF_OK, PF_ENOTFOUND, or a store error.
 */
static int
read_entry(struct pf_app *app, long long id, struct pf_feedback_copy *c)
{
	int	 rc;

	memset(c, 0, sizeof(*c));
	if ((rc = pf_app_begin_read(app)) != PF_OK)
		return rc;
	rc = pf_store_feedback_get(app->st, id, pf_feedback_hold, c);
	pf_app_rollback(app);
	return rc;
}

/*
 * Read the entry of token t for a page: PF_OK with c filled (the caller
 * drops it), or non-zero once answered: 400 (gone), the done page (the
 * entry is complete), 503.
 */
static int
open_entry(struct pf_app *app, struct pf_request *req, long long id,
    struct pf_feedback_copy *c)
{
	int	 rc;

	if ((rc = read_entry(app, id, c)) == PF_ENOTFOUND)
		pf_badlink(app, req, PF_BADLINK_FEEDBACK, PF_ENOTFOUND);
	else if (rc == PF_EBUSY || rc == PF_ESTORE)
		pf_app_unavailable(app, req);
	else if (rc != PF_OK)
		pf_app_fail(app, req);
	else if (c->f.completed != NULL) {
		pf_app_page(app, req, 200, "feedback-done");
		rc = PF_ENOTFOUND;
	}
	return rc;
}

/* GET ?t=: step 2, with what the token carried.  Changes nothing. */
static void
show_more(struct pf_app *app, struct pf_request *req)
{
	const struct pf_param	*t = pf_request_query(req, "t");
	struct pf_feedback_step	 s;
	struct pf_feedback_copy	 c;

	memset(&c, 0, sizeof(c));
	if (check_step(app, req, t->value, &s) == PF_OK &&
	    open_entry(app, req, s.id, &c) == PF_OK)
		show_step2(app, req, 200, t->value, &s, NULL, NULL);
	pf_feedback_drop(&c);
	pf_feedback_step_clear(&s);
}

/*
 * Back: step 1 from the stored entry, step 2's typing carried, and a
 * stamp (pf_app_send_form) for its Next.  Changes nothing.
 */
static void
back(struct pf_app *app, struct pf_request *req)
{
	struct pf_form		 carry = { 0 };
	struct pf_feedback_step	 s;
	struct pf_feedback_copy	 c;
	struct pf_page		*page = NULL;
	const struct pf_feedback *f = &c.f;

	memset(&s, 0, sizeof(s));
	memset(&c, 0, sizeof(c));
	if (read_carried(app, req, &carry) != PF_OK ||
	    check_step(app, req, carry.v[C_T].value, &s) != PF_OK ||
	    open_entry(app, req, s.id, &c) != PF_OK)
		goto out;
	if (pf_page_new(app->pages, "feedback", &page) != PF_OK ||
	    pf_page_value(page, "type", f->type) != PF_OK ||
	    (f->message != NULL &&
	    pf_page_value(page, "message", f->message) != PF_OK) ||
	    pf_page_value(page, "rating",
	    pf_feedback_rating_code(f->rating)) != PF_OK ||
	    pf_form_fill(&carry, page) != PF_OK)
		pf_app_fail(app, req);
	else {
		pf_app_send_form(app, req, 200, page, NULL, NULL);
		page = NULL;	/* pf_app_send_form freed it */
	}
out:
	pf_page_free(page);
	pf_feedback_drop(&c);
	pf_feedback_step_clear(&s);
	pf_form_free(&carry);
}

/* The record of step 2 of entry f: whether an address was left, the score. */
static int
audit_step2(struct pf_app *app, struct pf_request *req,
    const struct pf_feedback *f, const char *subject)
{
	char		 num[24], score[16];
	const char	*details[] = { "feedback", num,
	    "email", f->email != NULL ? "given" : "none",
	    "recommend", score, NULL };

	snprintf(num, sizeof(num), "%lld", f->id);
	if (f->recommend >= 0)
		snprintf(score, sizeof(score), "%d", f->recommend);
	else
		snprintf(score, sizeof(score), "none");
	return pf_app_audit(app, req, "feedback-completed", subject, details);
}

/*
 * Complete open entry id with f, record it and forward it: inside the
 * transaction.  subject: the pseudonym of the address left, or NULL.
 */
static int
complete_entry(struct pf_app *app, struct pf_request *req, long long id,
    const struct pf_feedback *f, const char *subject)
{
	struct pf_feedback_copy c;
	char		 now[PF_TIME_SIZE];
	int		 rc;

	memset(&c, 0, sizeof(c));
	pf_utc_now(now);
	if ((rc = pf_store_feedback_complete(app->st, id, f, now)) != PF_OK ||
	    (rc = pf_store_feedback_get(app->st, id, pf_feedback_hold,
	    &c)) != PF_OK ||
	    (rc = audit_step2(app, req, &c.f, subject)) != PF_OK)
		goto out;
	if (pf_feedback_forwards(app->cfg, &c.f, 2))
		rc = pf_feedback_forward(app->st, app->cfg, &c.f, subject);
out:
	pf_feedback_drop(&c);
	return rc;
}

/*
 * Step 2 in one transaction: PF_OK (completed now, or before: then
 * nothing changes), PF_ENOTFOUND (the entry is gone), or a store error.
 */
static int
record_step2(struct pf_app *app, struct pf_request *req, long long id,
    const struct pf_feedback *f, const char *subject)
{
	struct pf_feedback_copy c;
	int		 rc;

	memset(&c, 0, sizeof(c));
	if ((rc = pf_app_begin(app)) != PF_OK)
		return rc;
	rc = pf_store_feedback_get(app->st, id, pf_feedback_hold, &c);
	if (rc == PF_OK && c.f.completed != NULL) {
		pf_app_rollback(app);
		pf_feedback_drop(&c);
		return PF_OK;
	}
	if (rc == PF_OK)
		rc = complete_entry(app, req, id, f, subject);
	rc = pf_app_end(app, rc);
	pf_feedback_drop(&c);
	return rc;
}

/*
 * Fill f from a valid step 2: the address, its key (*key, the caller's
 * to free) and pseudonym, the score.
 */
static int
prepare_step2(struct pf_app *app, const struct pf_form *form,
    struct pf_feedback *f, char **key, char subject[PF_HEX_DIGEST_LEN + 1])
{
	const char	*email = form->v[S2_EMAIL].value;
	const char	*score = form->v[S2_RECOMMEND].value;

	memset(f, 0, sizeof(*f));
	*key = NULL;
	f->recommend = score != NULL ? atoi(score) : -1;
	if (email == NULL)
		return PF_OK;
	if ((*key = pf_email_key(email)) == NULL)
		return PF_ENOMEM;
	f->email = email;
	f->email_key = *key;
	return pf_pseudonym(&app->keys, "email", *key, subject);
}

static void
submit_step2(struct pf_app *app, struct pf_request *req)
{
	struct pf_form		 form = { 0 };
	struct pf_feedback_step	 s;
	struct pf_feedback	 f;
	char			*key = NULL, subject[PF_HEX_DIGEST_LEN + 1];
	int			 rc;

	memset(&s, 0, sizeof(s));
	if (pf_form_validate(step2, S2__MAX, req, &form) != PF_OK) {
		pf_app_fail(app, req);
		goto out;
	}
	if (form.v[S2_T].error[0] != '\0') {
		pf_badlink(app, req, PF_BADLINK_FEEDBACK, PF_EFORGED);
		goto out;
	}
	if (check_step(app, req, form.v[S2_T].value, &s) != PF_OK)
		goto out;
	if (form.nerrors > 0) {
		show_step2(app, req, 422, NULL, NULL, &form, NULL);
		goto out;
	}
	if (prepare_step2(app, &form, &f, &key, subject) != PF_OK) {
		pf_app_fail(app, req);
		goto out;
	}
	rc = record_step2(app, req, s.id, &f, key != NULL ? subject : NULL);
	if (rc == PF_OK)
		pf_app_redirect(app, req, "/feedback?done");
	else if (rc == PF_ENOTFOUND)
		pf_badlink(app, req, PF_BADLINK_FEEDBACK, PF_ENOTFOUND);
	else
		show_step2(app, req, 503, NULL, NULL, &form, &busy);
out:
	free(key);
	pf_feedback_step_clear(&s);
	pf_form_free(&form);
}

/* POST ?step=2: Back, or Submit (also Enter in the email field). */
static void
post_step2(struct pf_app *app, struct pf_request *req)
{
	const struct pf_param	*action;

	if (pf_app_read_form(app, req) != PF_OK)
		return;
	action = pf_request_field(req, "action");
	if (action != NULL && strcmp(action->value, "back") == 0)
		back(app, req);
	else
		submit_step2(app, req);
}

/* ---- article votes ---- */

/*
 * The vote page with status: the article of a link (GET), or the
 * visitor's values and errors from form; the question names the article
 * (its id: the only name privforms knows, and safe to show).
 */
static void
show_vote(struct pf_app *app, struct pf_request *req, int status,
    const char *article, const struct pf_form *form,
    const struct pf_notice *notice)
{
	struct pf_page	*page = NULL;
	char		 name[PF_FORM_ERRLEN];
	int		 rc;

	if (article == NULL && form != NULL)
		article = form->v[V_ARTICLE].value;
	snprintf(name, sizeof(name),
	    /* TRANSLATORS: %s is the article's name, as the site gives it. */
	    _("the article \u201c%s\u201d"), article != NULL ? article : "");
	if ((rc = pf_page_new(app->pages, "article-vote", &page)) == PF_OK &&
	    article != NULL &&
	    (rc = pf_page_value(page, "article", article)) == PF_OK)
		rc = pf_page_text(page, "article-name", name);
	pf_app_send_prepared(app, req, rc, status, page, form, notice);
}

/* GET: the vote page for ?article=, a valid one only. */
static void
vote_page(struct pf_app *app, struct pf_request *req)
{
	const struct pf_param	*a = pf_request_query(req, "article");
	const char		*why;
	char			*norm = NULL;

	why = a == NULL || strlen(a->value) != a->len || a->len == 0 ?
	    "" : pf_valid_token(a->value, NULL, &norm);
	if (why == NULL)
		show_vote(app, req, 200, norm, NULL, NULL);
	else
		pf_page_message(app->pages, req, 400, _("No such article"),
		    _("This page needs the article you want to rate. Please use "
		    "the question at the end of the article."), NULL, 0);
	free(norm);
}

/* The record of a counted vote: the article and the answer only. */
static int
audit_vote(struct pf_app *app, struct pf_request *req,
    const struct pf_vote *v, int replaced)
{
	const char	*details[] = { "article", v->article,
	    "helpful", v->helpful ? "yes" : "no",
	    "counted", replaced ? "replaced" : "new", NULL };

	return pf_app_audit(app, req, "article-voted", NULL, details);
}

/*
 * Count v in one transaction, once per client and article in the window,
 * if the guard g admits it.
 */
static int
record_vote(struct pf_app *app, struct pf_request *req,
    const struct pf_vote *v, struct pf_guard *g)
{
	char	 since[PF_TIME_SIZE];
	int	 rc, replaced = 0;

	pf_utc_time(time(NULL) - app->cfg->article_vote_window_hours * HOUR,
	    since);
	if ((rc = pf_app_begin(app)) != PF_OK)
		return rc;
	if ((rc = pf_guard_admit(app, g, NULL)) == PF_OK &&
	    (rc = pf_store_vote_put(app->st, v, since, NULL, NULL,
	    &replaced)) == PF_OK)
		rc = audit_vote(app, req, v, replaced);
	return pf_app_end(app, rc);
}

static void
vote(struct pf_app *app, struct pf_request *req)
{
	struct pf_form	 form = { 0 };
	struct pf_vote	 v;
	struct pf_guard	 g;
	int		 rc;

	if (pf_app_read_fields(app, req, vote_fields, V__MAX, &form) != PF_OK)
		goto out;
	/* No challenge, no stamp (guard.h): only traps and limits. */
	if (pf_guard_screen(app, req, PF_GUARD_VOTE,
	    "/feedback/article?thanks", form.nerrors == 0, &g))
		goto out;
	if (form.nerrors > 0) {
		show_vote(app, req, 422, NULL, &form, NULL);
		goto out;
	}
	memset(&v, 0, sizeof(v));
	v.article = form.v[V_ARTICLE].value;
	v.helpful = strcmp(form.v[V_HELPFUL].value, "yes") == 0;
	v.comment = form.v[V_COMMENT].value;
	/* Without an address, the one "unknown" client (app.h). */
	v.client = g.client;
	if ((rc = record_vote(app, req, &v, &g)) == PF_OK)
		pf_app_redirect(app, req, "/feedback/article?thanks");
	else if (rc == PF_ELIMIT)
		show_vote(app, req, 429, NULL, &form, &g.notice);
	else
		show_vote(app, req, 503, NULL, &form, &busy);
out:
	pf_form_free(&form);
}

/* ---- routing ---- */

static void
step1_page(struct pf_app *app, struct pf_request *req)
{
	show_step1(app, req, 200, NULL, NULL, NULL);
}

static const struct pf_route routes[] = {
	{ "POST", "", "step=2", post_step2, NULL, 0 },
	{ "POST", "", NULL, submit_step1, NULL, 0 },
	{ "GET", "", "done", NULL, "feedback-done", 0 },
	{ "GET", "", "t", show_more, NULL, 0 },
	{ "GET", "", NULL, step1_page, NULL, 0 },
	{ "POST", "/article", NULL, vote, NULL, PF_ROUTE_ANY_SITE },
	{ "GET", "/article", "thanks", NULL, "article-vote-done", 0 },
	{ "GET", "/article", NULL, vote_page, NULL, 0 },
};

PF_PROGRAM_MAIN(.form = PF_GUARD_FEEDBACK, PF_ROUTES(routes),
    .not_found = N_("There is no such page. The feedback form is at the "
    "address the site links to."))
