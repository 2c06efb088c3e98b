/*
 * guard.h -- keeping automated submissions off the forms, without a
 * third party and without tracking anyone.
 *
 * Four things guard a form (config.h's pf_guard_conf, per form):
 *
 *   a proof of work (pow.h)	the form's page offers a challenge at
 *				FORM/challenge; our widget (htdocs/static/
 *				guard.js) or ALTCHA's solves it and posts the
 *				payload as "altcha".  A valid, unexpired,
 *				unspent payload "proves" the submission.
 *				Each form signs with a key of its own
 *				(HMAC of its name under keys.h's pow key), so
 *				the easiest form's solution proves nothing on
 *				a harder one.
 *   what no proof gets		a submission without one (JavaScript off, a
 *				replay, an expired challenge) is accepted under
 *				the tighter limit_nojs, or, where refuse_nojs is
 *				set, refused (403) with the form kept and a
 *				notice that says how to proceed.
 *   a honeypot and a stamp	"website", a field people never see, and
 *				"pf_stamp", a sealed stamp (stamp.h) of when the
 *				form was shown and to which client network (the
 *				pseudonym of pf_app_client), so that one page
 *				fetch is good for one network only.  A filled
 *				honeypot gets the normal success answer while
 *				nothing is stored or mailed, and is counted
 *				(pf_store_trap_count).  A stamp younger than
 *				form_min_seconds on a valid form is counted too,
 *				but shows the form again (422) with a new stamp
 *				and a sentence: it may be a person who
 *				autofilled and pressed Enter, who must never be
 *				told that something was done.  A missing,
 *				forged or expired stamp shows the form again
 *				(422) to be sent once more: a page cached from
 *				long ago, or a script that never loaded it; so
 *				does another network's, with a new stamp and a
 *				sentence saying why: a visitor whose address
 *				changed while the form was open.
 *   rate limits		per client network (client.h: an IPv4 address,
 *				an IPv6 /64; X-Forwarded-For only from
 *				trusted_proxies), and, higher, per IPv6 /48;
 *				and per address a submission will mail,
 *				whatever the client (its +tag dropped): over
 *				any, 429 with Retry-After and the form kept.
 *				Hits are kept under keyed pseudonyms, one day
 *				at most.
 *
 * A handler uses it in three places:
 *
 *	pf_guard_challenge(app, req, "/unsubscribe", PF_GUARD_UNSUBSCRIBE)
 *				in routing: answers GET FORM/challenge
 *	pf_guard_form(app, req, PF_GUARD_UNSUBSCRIBE, "/unsubscribe?done",
 *	    &form, show_form, &g)
 *				after validating (pf_guard_screen and the
 *				422/403 that follow): answers a trapped
 *				submission itself
 *	pf_guard_admit(app, &g, address)
 *				inside the submission's transaction, after
 *				pf_app_begin: spends the proof and counts the
 *				limits; on PF_ELIMIT or PF_EREFUSED the
 *				caller rolls back and pf_guard_failed shows
 *				the form with g.notice (status g.status);
 *				pf_guard_revise instead for a feedback entry's
 *				step 1 sent again
 *
 * and pf_app_send_form stamps every form page it sends (stamp.h).
 * Only the first POST of a form is guarded: what follows it (a verify
 * link, feedback step 2, RFC 8058 one-click) carries a signed token of
 * its own, and a mail provider posting one-click for many people from
 * one address must never be limited.  Feedback's step 1 posted again
 * (Back, then Next) is a form POST, though, each one an audit record:
 * it is screened, and limited on its own (pf_guard_revise).
 */
#ifndef PF_GUARD_H
#define PF_GUARD_H

#include "app.h"
#include "config.h"
#include "keys.h"
#include "pow.h"

struct pf_form;

#define PF_GUARD_HONEYPOT	"website"
#define PF_GUARD_PAYLOAD	"altcha"	/* ALTCHA's widget posts this */
#define PF_GUARD_NOTICE_SIZE	1024

/* One submission's standing, from pf_guard_screen to pf_guard_admit. */
struct pf_guard {
	enum pf_guard_form	 form;
	char			 client[PF_HEX_DIGEST_LEN + 1]; /* pf_app_client */
	char			 wide[PF_HEX_DIGEST_LEN + 1];	/* its /48, or "" */
	int			 proved;	/* a valid payload, not yet spent */
	struct pf_pow		 pow;		/* its challenge, when proved */
	int			 status;	/* 403, 422 or 429 with notice */
	struct pf_notice	 notice;	/* .text NULL: nothing to say */
	char			 text[PF_GUARD_NOTICE_SIZE]; /* notice.text's storage */
};

/*
 * If req is GET or HEAD for prefix + path + "/challenge", answer it with
 * a new challenge for form (pow.h's JSON, application/json, not cached;
 * valid for pow_minutes) and return 1; POST there is a 405.  Return 0
 * for any other path.  Nothing is stored: the challenge is signed.
 */
int pf_guard_challenge(struct pf_app *app, struct pf_request *req,
    const char *path, enum pf_guard_form form);

/*
 * Screen a posted form for form, once its fields are validated (valid:
 * nothing to fix).  Returns 1 when it has answered: a filled honeypot
 * (303 to done, the form's own success path, counted; or 429 if the
 * client is over its limit; or 503), whatever the fields say, or a
 * failure (500).  Returns 0 otherwise, with g set: g->notice.text is not
 * NULL when the form must be shown again instead of stored (g->status
 * 422: no usable stamp, another client network's, or sent sooner than
 * form_min_seconds after it was shown with valid fields, which is counted
 * as a trap and restamps the form; 429 or 503 when that count could not
 * be made; 403: no proof and this form refuses that), with the visitor's
 * values and errors.  Coming too fast counts only with valid fields, so
 * that a person who sends an empty form at once is told what to fill in.
 */
int pf_guard_screen(struct pf_app *app, struct pf_request *req,
    enum pf_guard_form form, const char *done, int valid, struct pf_guard *g);

/* A handler's "show the form again": its values, errors and a notice. */
typedef void pf_guard_show(struct pf_app *app, struct pf_request *req,
    int status, const struct pf_form *form, const struct pf_notice *notice);

/*
 * pf_guard_screen for a validated form, and what a handler does next:
 * 0 to go on and store; non-zero once answered (the honeypot's trap; or,
 * through show, the form again with what to fix, 422, or with the
 * guard's notice).
 */
int pf_guard_form(struct pf_app *app, struct pf_request *req,
    enum pf_guard_form which, const char *done, const struct pf_form *form,
    pf_guard_show *show, struct pf_guard *g);

/*
 * The answer when storing failed with rc: through show, the form again
 * with the guard's notice (PF_ELIMIT, PF_EREFUSED) or, for any other
 * failure, pf_app_busy's (503).
 */
void pf_guard_failed(struct pf_app *app, struct pf_request *req,
    const struct pf_form *form, pf_guard_show *show,
    const struct pf_guard *g, int rc);

/*
 * Inside the submission's transaction: spend g's proof (a replay counts
 * as no proof), then check and count every limit that applies: the
 * client's, its no-proof limit when unproved, and, when address is not
 * NULL (the pseudonym, keys.h kind "email", of an address this
 * submission will mail), that address's.  PF_OK; PF_ELIMIT (g->status
 * 429, g->notice with when to try again and Retry-After) or PF_EREFUSED
 * (g->status 403: a replay on a form that refuses no proof), after which
 * the caller rolls back and shows the form with g->notice; or a store
 * error.
 */
int pf_guard_admit(struct pf_app *app, struct pf_guard *g,
    const char *address);

/*
 * pf_guard_admit for a revision of feedback entry entry (step 1 posted
 * again after Back): inside its transaction, spend g's proof if it has
 * one, and check and count feedback_limit_revisions, per client network
 * and per entry, so that neither one client's revisions of many entries
 * nor many clients' of one go unchecked.  A revision carries the entry's
 * token, so no other limit applies.  PF_OK; PF_ELIMIT (g->status 429,
 * g->notice as pf_guard_admit's); or a store error.
 */
int pf_guard_revise(struct pf_app *app, struct pf_guard *g, long long entry);

/*
 * Inside the transaction, after pf_guard_admit: count one mail to address
 * (as pf_guard_admit's) against that address's limit without telling
 * anyone: PF_OK when it may be mailed (counted), PF_ELIMIT when it has had
 * its share (nothing counted, g untouched), or a store error.  For mail to
 * an address the visitor did not give (the Do-Not-Call status check
 * answers the entry's registrant), where a 429 would say that there is
 * one.
 */
int pf_guard_address_quota(struct pf_app *app, const struct pf_guard *g,
    const char *address);

/*
 * Inside the transaction of a GPC record that a post which stored nothing
 * of its own makes (program.h): count one against form's per-client
 * limit (its _limit key) in a bucket of its own, for client (pf_app_client's
 * pseudonym): PF_OK when it may be stored (counted), PF_ELIMIT when that
 * client has had its share (nothing counted), or a store error.  A
 * script that sends no cookie is a new device each time: without this,
 * each refused post would be one more record.
 */
int pf_guard_gpc(struct pf_app *app, enum pf_guard_form form,
    const char *client);

/*
 * What pf_guard_admit limits an address by: the pseudonym (keys.h, kind
 * "email") of email's key (validate.h's pf_email_key; email normalised)
 * without a "+tag" in its local part, so that jane+1@, jane+2@ ... share
 * jane@'s allowance; the same whichever form mails it.  Only the limit's
 * key: what is stored and mailed is the address as given.  PF_OK,
 * PF_ENOMEM or PF_ECRYPTO.
 */
int pf_guard_address(const struct pf_app *app, const char *email,
    char out[PF_HEX_DIGEST_LEN + 1]);

#endif
