/*
 * guard.c -- keeping automated submissions off the forms (guard.h).
 *
 * Everything a trap or a limit decides is answered the way the form
 * answers people: the honeypot's trap gets the form's own 303 (only a
 * script fills it in), a form sent too fast or a limit the form with what
 * was typed and what to do.  What is kept is counts and keyed pseudonyms
 * of networks and addresses, never the things themselves, and hits for
 * one day at most (FORGET).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "err.h"
#include "lang.h"
#include "form.h"
#include "guard.h"
#include "page.h"
#include "request.h"
#include "response.h"
#include "stamp.h"
#include "store.h"
#include "utc.h"
#include "validate.h"

#define FORGET		PF_DAY	/* the longest window a rate can have */

/*
 * Each form's rate-limit buckets, one per kind, from its guard name in
 * forms.def (which names its trap counts too); addresses share one
 * bucket across forms.
 */
static const struct {
	const char	*client, *nojs, *wide, *gpc;
} buckets[PF_GUARD__MAX] = {
#define PF_FORM(id, program, path, audit, guard, config, flags) \
	[PF_GUARD_##id] = { guard "/client", guard "/nojs", guard "/ipv6-48", \
	    guard "/gpc" },
#include "forms.def"
#undef PF_FORM
};
#define ADDRESS_BUCKET	"mail/address"
#define REVISE_BUCKET	"feedback/revise"	/* per client network */
#define REVISE_ENTRY_BUCKET "feedback/revise-entry" /* per entry number */

static const struct pf_header get_only[] = { { "Allow", "GET, HEAD" } };

/* The notices, N_(): translated where they are shown (app.h). */
static const char stale_text[] = N_("Please check the form and send it "
    "again. It was open for a long time, or it came from an old copy of "
    "this page, so nothing was stored yet.");
static const char fast_text[] = N_("Please check the form and send it "
    "again: it was sent very soon after the page opened, so nothing was "
    "stored yet.");
static const char moved_text[] = N_("Please check the form and send it "
    "again: your connection changed while it was open (another network, or "
    "a VPN turned on or off), so nothing was stored yet.");
/*
 * TRANSLATORS: "Verified" is what the form's check says once it is done
 * (the message "Verified" of htdocs/guard.xhtml): use the same word.
 */
static const char refused_text[] = N_("This form checks in your browser "
    "that it is not being sent by a program, and that check needs "
    "JavaScript, which did not run. Please turn JavaScript on for this "
    "site, wait until the form says \xe2\x80\x9cVerified\xe2\x80\x9d, and "
    "send it again. Nothing was stored; what you typed is kept below.");
static const char kept_text[] = N_("Nothing was stored; what you typed is "
    "kept below.");

static const struct pf_guard_conf *
conf_of(const struct pf_app *app, enum pf_guard_form form)
{
	return &app->cfg->guard[form];
}

/*
 * The key form's challenges are signed with: HMAC-SHA256 of its name
 * under the pow key, so that a solution to the easiest form's challenge
 * is no proof on a harder one.  PF_ECRYPTO if libcrypto fails.
 */
static int
pow_key(const struct pf_app *app, enum pf_guard_form form,
    unsigned char key[PF_KEY_LEN])
{
	const char		*guard = pf_forms[form].guard;
	const struct pf_bytes	 name = { guard, strlen(guard) };

	return pf_hmac(app->keys.pow, &name, 1, key);
}

int
pf_guard_challenge(struct pf_app *app, struct pf_request *req,
    const char *path, enum pf_guard_form form)
{
	const char	*sub = pf_app_subpath(app, req, path);
	unsigned char	 key[PF_KEY_LEN];
	struct pf_pow	 c;
	char		*json = NULL;
	time_t		 expires = time(NULL) + app->cfg->pow_minutes * 60;

	if (sub == NULL || strcmp(sub, "/challenge") != 0)
		return 0;
	if (strcmp(req->method, "POST") == 0) {
		pf_page_message(app->pages, req, 405, _("Method not allowed"),
		    _("This address only gives out challenges, with GET."),
		    get_only, 1);
		return 1;
	}
	if (pow_key(app, form, key) != PF_OK ||
	    pf_pow_make(key, conf_of(app, form)->pow, expires,
	    &c) != PF_OK || pf_pow_json(&c, &json) != PF_OK ||
	    pf_respond(req, 200, "application/json", NULL, 0) != PF_OK)
		pf_app_fail(app, req);
	else
		pf_respond_body(req, json, strlen(json));
	OPENSSL_cleanse(key, sizeof(key));
	free(json);
	return 1;
}

/* The stamp req posted, as seen by client (pf_app_client): stamp.h. */
static enum pf_stamp
stamp_read(struct pf_app *app, const struct pf_request *req,
    const char *client, time_t now, long long *age)
{
	return pf_stamp_judge(pf_app_posted_stamp(app, req), client, now,
	    age);
}

/*
 * text: an N_() message, or one already in the current language (app.h's
 * pf_notice: translated where it is shown).
 */
static void
set_notice(struct pf_guard *g, int status, const char *text, long retry)
{
	snprintf(g->text, sizeof(g->text), "%s", text);
	g->status = status;
	g->notice.text = g->text;
	g->notice.retry_after = retry;
	g->notice.restamp = 0;
}

/*
 * "... Please try again after 14:05 UTC (in about 12 minutes)." and,
 * with kept, that what was typed is kept, for a 429.  Each sentence is
 * its own message; the one with the time takes the count as its plural.
 */
static void
set_limited(struct pf_guard *g, long retry, int kept)
{
	time_t		 at = time(NULL) + retry;
	struct tm	 tm;
	char		 when[16], again[160], text[PF_GUARD_NOTICE_SIZE];
	long		 minutes = (retry + 59) / 60;

	gmtime_r(&at, &tm);
	strftime(when, sizeof(when), "%H:%M UTC", &tm);
	if (minutes <= 1)
		snprintf(again, sizeof(again),
		    /* TRANSLATORS: %s is a time of day, "14:05 UTC". */
		    _("Please try again after %s (in a minute)."), when);
	else if (minutes < 120)
		snprintf(again, sizeof(again),
		    /* TRANSLATORS: %1$s is a time of day, "14:05 UTC". */
		    ngettext("Please try again after %1$s (in about %2$ld "
		    "minute).", "Please try again after %1$s (in about %2$ld "
		    "minutes).", minutes), when, minutes);
	else
		snprintf(again, sizeof(again),
		    /* TRANSLATORS: %1$s is a time of day, "14:05 UTC". */
		    ngettext("Please try again after %1$s (in about %2$ld "
		    "hour).", "Please try again after %1$s (in about %2$ld "
		    "hours).", (minutes + 59) / 60), when,
		    (minutes + 59) / 60);
	snprintf(text, sizeof(text), "%s %s%s%s", _("This form has been sent "
	    "many times in a short while, from your network or to this "
	    "address."), again, kept ? " " : "", kept ? _(kept_text) : "");
	set_notice(g, 429, text, retry);
}

/* A limit that may apply to a submission: its bucket, key and rate. */
struct limit {
	const char		*bucket;
	const char		*subject;
	const struct pf_rate	*rate;
};

#define MAX_LIMITS	4

/*
 * The limits that apply to g, into l: how many.  nojs: the no-proof limit
 * too; address: that address's (may be NULL).
 */
static size_t
limits_of(const struct pf_app *app, const struct pf_guard *g, int nojs,
    const char *address, struct limit l[MAX_LIMITS])
{
	const struct pf_guard_conf	*conf = conf_of(app, g->form);
	size_t				 n = 0;

	if (conf->limit.count > 0)
		l[n++] = (struct limit){ buckets[g->form].client, g->client,
		    &conf->limit };
	if (nojs && conf->limit_nojs.count > 0)
		l[n++] = (struct limit){ buckets[g->form].nojs, g->client,
		    &conf->limit_nojs };
	if (g->wide[0] != '\0' && conf->limit_wide.count > 0)
		l[n++] = (struct limit){ buckets[g->form].wide, g->wide,
		    &conf->limit_wide };
	if (address != NULL && conf->limit_address.count > 0)
		l[n++] = (struct limit){ ADDRESS_BUCKET, address,
		    &conf->limit_address };
	return n;
}

/*
 * Inside a transaction: check every limit of l, and count one hit against
 * each if none is reached.  PF_ELIMIT with *retry, the seconds until the
 * last of the reached ones lets one more through.
 */
static int
count_limits(struct pf_app *app, const struct limit *l, size_t n,
    long *retry)
{
	long long	 now = (long long)time(NULL), at;
	size_t		 i;
	int		 rc;

	*retry = 0;
	for (i = 0; i < n; i++) {
		/*
		 * Reached when the count-th newest hit is inside the window;
		 * once it leaves, one more fits.  Not the oldest: the address
		 * bucket is shared by forms with limits of their own, and a
		 * limit lowered in the configuration leaves more hits than it.
		 */
		rc = pf_store_rate_nth(app->st, l[i].bucket, l[i].subject,
		    now - l[i].rate->seconds + 1, l[i].rate->count, &at);
		if (rc == PF_ENOTFOUND)
			continue;
		if (rc != PF_OK)
			return rc;
		if (at + l[i].rate->seconds - now > *retry)
			*retry = (long)(at + l[i].rate->seconds - now);
	}
	if (*retry > 0)
		return PF_ELIMIT;
	for (i = 0; i < n; i++)
		if ((rc = pf_store_rate_hit(app->st, l[i].bucket, l[i].subject,
		    now, now - FORGET)) != PF_OK)
			return rc;
	return PF_OK;
}

/* Count the trap (within the client's limit) in one transaction. */
static int
count_trap(struct pf_app *app, struct pf_guard *g, const char *reason,
    long *retry)
{
	struct limit	 l[MAX_LIMITS];
	size_t		 n;
	char		 day[PF_TIME_SIZE];
	int		 rc;

	/* Only the client's limit: the no-proof one would tell a script. */
	n = limits_of(app, g, 0, NULL, l);
	pf_utc_now(day);
	day[10] = '\0';
	if ((rc = pf_app_begin(app)) != PF_OK)
		return rc;
	if ((rc = count_limits(app, l, n, retry)) != PF_OK ||
	    (rc = pf_store_trap_count(app->st, day, pf_forms[g->form].guard,
	    reason)) != PF_OK ||
	    (rc = pf_app_commit(app)) != PF_OK)
		pf_app_rollback(app);
	return rc;
}

/*
 * A trapped submission (the honeypot, which only scripts fill in): the
 * form's own success answer, nothing stored but the count.  The limit
 * still applies, so a script that keeps trying is slowed like anyone else.
 */
static void
trap(struct pf_app *app, struct pf_request *req, struct pf_guard *g,
    const char *reason, const char *done)
{
	struct pf_header	 h = { "Retry-After", NULL };
	char			 secs[24];
	long			 retry = 0;
	int			 rc;

	rc = count_trap(app, g, reason, &retry);
	if (rc == PF_OK)
		pf_app_redirect(app, req, done);
	else if (rc == PF_ELIMIT) {
		set_limited(g, retry, 0);
		snprintf(secs, sizeof(secs), "%ld", retry);
		h.value = secs;
		pf_page_message(app->pages, req, 429,
		    _("Please try again later"), g->text, &h, 1);
	} else
		pf_app_unavailable(app, req);
}

/*
 * A form sent too soon after it was shown, every field valid: a person
 * who autofilled and pressed Enter as likely as a script.  Counted like a
 * trap, but the form comes back with what was typed, a new stamp and a
 * sentence (g->notice), so nobody is told that something was done which
 * was not; or 429 once the client is over its limit, or 503.
 */
static void
too_fast(struct pf_app *app, struct pf_guard *g)
{
	long	 retry = 0;
	int	 rc;

	if ((rc = count_trap(app, g, "too-fast", &retry)) == PF_OK)
		set_notice(g, 422, fast_text, 0);
	else if (rc == PF_ELIMIT)
		set_limited(g, retry, 1);
	else
		set_notice(g, 503, pf_app_busy.text, pf_app_busy.retry_after);
	g->notice.restamp = 1;
}

/* Is the posted payload a valid, current proof?  Spent in pf_guard_admit. */
static void
prove(struct pf_app *app, const struct pf_request *req, struct pf_guard *g)
{
	const struct pf_param	*p = pf_request_field(req, PF_GUARD_PAYLOAD);
	unsigned char		 key[PF_KEY_LEN];

	g->proved = p != NULL && p->value[0] != '\0' &&
	    pow_key(app, g->form, key) == PF_OK &&
	    pf_pow_verify(key, p->value, time(NULL), &g->pow) == PF_OK;
	OPENSSL_cleanse(key, sizeof(key));
}

int
pf_guard_screen(struct pf_app *app, struct pf_request *req,
    enum pf_guard_form form, const char *done, int valid, struct pf_guard *g)
{
	const struct pf_param	*hp = pf_request_field(req, PF_GUARD_HONEYPOT);
	long long		 age = 0;
	enum pf_stamp		 st = PF_STAMP_OK;

	memset(g, 0, sizeof(*g));
	g->form = form;
	if (pf_app_client(app, req, g->client, g->wide) != PF_OK) {
		pf_app_fail(app, req);
		return 1;
	}
	/* Votes come from a snippet pasted into help pages: no stamp there. */
	if (form != PF_GUARD_VOTE)
		st = stamp_read(app, req, g->client, time(NULL), &age);
	if (hp != NULL && hp->value[0] != '\0') {
		trap(app, req, g, "honeypot", done);
		return 1;
	}
	if (valid && form != PF_GUARD_VOTE && st == PF_STAMP_OK &&
	    !(pf_forms[form].flags & PF_FORM_QUICK) &&
	    age < app->cfg->form_min_seconds) {
		too_fast(app, g);
		return 0;
	}
	if (conf_of(app, form)->pow > 0)
		prove(app, req, g);
	if (st == PF_STAMP_MOVED)
		set_notice(g, 422, moved_text, 0);
	else if (st != PF_STAMP_OK)
		set_notice(g, 422, stale_text, 0);
	else if (!g->proved && conf_of(app, form)->refuse_nojs)
		set_notice(g, 403, refused_text, 0);
	return 0;
}

int
pf_guard_form(struct pf_app *app, struct pf_request *req,
    enum pf_guard_form which, const char *done, const struct pf_form *form,
    pf_guard_show *show, struct pf_guard *g)
{
	if (pf_guard_screen(app, req, which, done, form->nerrors == 0, g))
		return 1;
	if (form->nerrors == 0 && g->notice.text == NULL)
		return 0;
	show(app, req, form->nerrors > 0 ? 422 : g->status, form,
	    g->notice.text != NULL ? &g->notice : NULL);
	return 1;
}

void
pf_guard_failed(struct pf_app *app, struct pf_request *req,
    const struct pf_form *form, pf_guard_show *show,
    const struct pf_guard *g, int rc)
{
	if (rc == PF_ELIMIT || rc == PF_EREFUSED)
		show(app, req, g->status, form, &g->notice);
	else
		show(app, req, 503, form, &pf_app_busy);
}

/* Spend g's proof, if it has one: a replay leaves it with none. */
static int
spend(struct pf_app *app, struct pf_guard *g)
{
	char	 expires[PF_TIME_SIZE];
	int	 rc;

	if (!g->proved)
		return PF_OK;
	pf_utc_time(g->pow.expires, expires);
	rc = pf_store_pow_spend(app->st, g->pow.challenge, expires);
	if (rc == PF_EFORGED)
		g->proved = 0;	/* a replay: as good as no proof */
	return rc == PF_EFORGED ? PF_OK : rc;
}

/* count_limits, and the 429's notice when one is reached. */
static int
admit(struct pf_app *app, struct pf_guard *g, const struct limit *l,
    size_t n)
{
	long	 retry;
	int	 rc;

	if ((rc = count_limits(app, l, n, &retry)) == PF_ELIMIT)
		set_limited(g, retry, 1);
	return rc;
}

int
pf_guard_admit(struct pf_app *app, struct pf_guard *g, const char *address)
{
	struct limit	 l[MAX_LIMITS];
	int		 rc;

	if ((rc = spend(app, g)) != PF_OK)
		return rc;
	if (!g->proved && conf_of(app, g->form)->refuse_nojs) {
		set_notice(g, 403, refused_text, 0);
		return PF_EREFUSED;
	}
	return admit(app, g, l, limits_of(app, g, !g->proved, address, l));
}

int
pf_guard_revise(struct pf_app *app, struct pf_guard *g, long long entry)
{
	const struct pf_rate	*rate = &app->cfg->feedback_limit_revisions;
	struct limit		 l[2];
	char			 num[24];
	int			 rc;

	if ((rc = spend(app, g)) != PF_OK || rate->count == 0)
		return rc;
	/* An entry's number is no personal data: it is its own key. */
	snprintf(num, sizeof(num), "%lld", entry);
	l[0] = (struct limit){ REVISE_BUCKET, g->client, rate };
	l[1] = (struct limit){ REVISE_ENTRY_BUCKET, num, rate };
	return admit(app, g, l, 2);
}

/* Drop a "+tag" from the local part of key (a pf_email_key), in place. */
static void
untag(char *key)
{
	char	*at = strrchr(key, '@'), *plus;

	if (at == NULL || (plus = memchr(key, '+', (size_t)(at - key))) ==
	    NULL || plus == key)
		return;
	memmove(plus, at, strlen(at) + 1);
}

int
pf_guard_address_quota(struct pf_app *app, const struct pf_guard *g,
    const char *address)
{
	const struct pf_guard_conf	*conf = conf_of(app, g->form);
	struct limit			 l = { ADDRESS_BUCKET, address,
					    &conf->limit_address };
	long				 retry;

	if (conf->limit_address.count == 0)
		return PF_OK;
	return count_limits(app, &l, 1, &retry);
}

int
pf_guard_address(const struct pf_app *app, const char *email,
    char out[PF_HEX_DIGEST_LEN + 1])
{
	char	*key;
	int	 rc;

	if ((key = pf_email_key(email)) == NULL)
		return PF_ENOMEM;
	untag(key);
	rc = pf_pseudonym(&app->keys, "email", key, out);
	free(key);
	return rc;
}

int
pf_guard_gpc(struct pf_app *app, enum pf_guard_form form, const char *client)
{
	const struct pf_guard_conf	*conf = conf_of(app, form);
	const struct limit		 l = { buckets[form].gpc, client,
					    &conf->limit };
	long				 retry;

	if (conf->limit.count == 0)
		return PF_OK;
	return count_limits(app, &l, 1, &retry);
}
