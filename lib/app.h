/*
 * app.h -- what every form program holds for its whole life, and the steps
 * every handler shares.
 *
 * pf_app_open reads the configuration (before the first accept: libfcgi swaps
 * environ later), the keys and the templates, and opens the store.  A store
 * that cannot be opened is not fatal: the program serves 503 pages and tries
 * again on the next request, so a worker survives a database being restored
 * or a disk filling up.  Nor does the open wait for the lock: a form page
 * needs no database, so a worker that starts while another process holds
 * the lock serves pages at once and opens the store when a request needs it.
 *
 * Lock waits: a transaction (pf_app_begin to pf_app_commit, the open
 * included) waits at most busy_timeout_ms for the lock in all, then
 * answers PF_EBUSY (503); a read (pf_app_begin_read) at most a second.
 *
 * A submission is one transaction:
 *
 *	pf_pseudonym(&app->keys, ...)		the subject, before the lock
 *	pf_app_begin(app)			BEGIN IMMEDIATE
 *	pf_store_...(app->st, ...)		the change itself
 *	pf_app_audit(app, req, event, subject, ...)	its audit record
 *	pf_app_commit(app)			COMMIT, then the record files
 *
 * and pf_app_rollback on any failure: txn.h's steps, with the program's
 * store, its form name and the request's id filled in.  Every function here returns PF_OK or an
 * err.h code; the pf_app_... functions that take a request answer it
 * themselves when they fail, as their comments say.
 */
#ifndef PF_APP_H
#define PF_APP_H

#include "audit.h"
#include "client.h"
#include "config.h"
#include "consent.h"
#include "keys.h"
#include "request.h"
#include "stamp.h"
#include "txn.h"

struct pf_field;
struct pf_form;
struct pf_page;
struct pf_pages;
struct pf_store;

/*
 * Why a form is shown again with nothing stored, in words above the form:
 * text, the seconds to send as Retry-After (0: none), and whether the
 * form gets a new stamp instead of the one it was sent with (stamp.h).
 * text is an English message marked N_() (lang.h), translated with _()
 * where the form is sent, or text already in the current language (which
 * gettext gives back as it is).
 */
struct pf_notice {
	const char	*text;
	long		 retry_after;
	int		 restamp;
};

struct pf_app {
	const char		*form;	/* "unsubscribe": the form in audit records */
	struct pf_config	*cfg;
	struct pf_keys		 keys;
	struct pf_pages		*pages;
	struct pf_store		*st;	/* NULL while the database is unavailable */
	struct pf_limits	 limits;
	struct pf_proxies	 proxies;	/* trusted_proxies, read */
	struct pf_txn		 tx;	/* the submission's transaction (txn.h) */
	/* The consent categories (consent.h), loaded once by program.h. */
	const struct pf_consent_table *consent;
	/*
	 * Run by pf_app_commit in each write transaction, before COMMIT,
	 * with committing_arg, until one commits (then cleared); its failure
	 * rolls back and is pf_app_commit's.  Last, so that what it writes
	 * follows the handler's own rows (a consent decision reads the
	 * device's history first).  Set by program.h for a POST with the
	 * GPC signal.  May be NULL.
	 */
	int			(*committing)(struct pf_app *app, void *arg);
	void			*committing_arg;
	/* The device made for this request (pf_app_device_new), or "". */
	char			 device[PF_CONSENT_DEVICE_LEN + 1];
	/* The stamp a request posted, and that request's id: pf_app_posted_stamp. */
	struct pf_stamp_seen	 stamp;
	char			 stamp_of[sizeof(((struct pf_request *)0)->id)];
};

/*
 * Set up app for form; logs why and returns non-zero if it cannot serve at
 * all (on a FastCGI socket, a second later: pf_serve_start_failed).
 */
int pf_app_open(struct pf_app *app, const char *form);

/*
 * pf_app_open without opening the store: the first pf_app_begin or
 * pf_app_begin_read opens it (and migrates it), as after a store that
 * could not be opened.  For a process that serves one request (plain CGI,
 * program.h), so that a page that needs no database (a form) does not pay
 * for reading its schema.
 */
int pf_app_open_deferred(struct pf_app *app, const char *form);
void pf_app_close(struct pf_app *app);

/*
 * (Re)open the store if needed and BEGIN IMMEDIATE, every wait for the lock
 * until pf_app_commit or pf_app_rollback bounded by busy_timeout_ms in
 * all.  PF_EBUSY, PF_ESTORE.
 */
int pf_app_begin(struct pf_app *app);

/*
 * (Re)open the store if needed and begin a read (pf_store_begin_read): one
 * snapshot without the write lock, for a page that only shows something,
 * so that link scanners fetching it never hold up a submission.  End it
 * with pf_app_rollback; it has nothing to audit or commit.  Its waits for
 * the lock end after a second (or busy_timeout_ms, if shorter).  PF_EBUSY,
 * PF_ESTORE.
 */
int pf_app_begin_read(struct pf_app *app);

/*
 * Append an audit record for event inside the open transaction.  subject is
 * the subject's pseudonym (keys.h; computed before pf_app_begin, since the
 * database is locked from then on), or NULL.  details as in audit.h.
 */
int pf_app_audit(struct pf_app *app, const struct pf_request *req,
    const char *event, const char *subject, const char *const *details);

/* COMMIT, then write the audit files (a failure there is logged only: the
 * database holds the durable copy and `privforms audit sync` rewrites it). */
int pf_app_commit(struct pf_app *app);
void pf_app_rollback(struct pf_app *app);

/*
 * The end of a transaction whose steps went rc: PF_OK commits, and a
 * failed commit or any other rc rolls back.  Returns the outcome (rc, or
 * the commit's failure).
 */
int pf_app_end(struct pf_app *app, int rc);

/*
 * What every form path refuses before looking further: a method other than
 * GET, HEAD and POST (405 with Allow) and a malformed query string (400: a
 * link cut or pasted wrong is never guessed at).  Non-zero if it answered.
 */
int pf_app_screen(struct pf_app *app, struct pf_request *req);

/*
 * A POST that another website's page made the visitor's browser send:
 * answer 403 with a page that says so, and return non-zero.  What the
 * browser says decides: Sec-Fetch-Site "cross-site" is refused, and
 * "same-origin", "same-site" and "none" (typed, a bookmark) pass.  A
 * browser too old to send it is judged by Origin: refused unless it is
 * base_url's origin or names the Host the request came to (a site with
 * several names, or a proxy that rewrites Host, is not taken for
 * another); "null" and none at all (curl, scripts) pass, since they tell
 * nothing.  Call it for every form POST but those meant to come from
 * elsewhere: an article vote (a snippet for help pages), RFC 8058
 * one-click (a mail client) and the signup snippet's stampless POST
 * (which only shows the signup page filled in).
 */
int pf_app_cross_site(struct pf_app *app, struct pf_request *req);

/*
 * Read and parse the body; on failure answer 400, 411, 413 or 415 with a page that
 * says what was wrong (nothing if the client has gone) and return non-zero.
 * Once read, the language the form was shown in (its stamp's, stamp.h)
 * becomes the request's, as the visitor's choice (lang.h's
 * pf_lang_choose), unless they chose one with ?lang= or the site no
 * longer offers it (lang.h's pf_lang_find).
 */
int pf_app_read_form(struct pf_app *app, struct pf_request *req);

/*
 * The stamp req posted (stamp.h), opened once per request: by
 * pf_app_read_form, or here on the first call after the form was read;
 * the language follows it there and the guard judges it (guard.h).
 */
const struct pf_stamp_seen *pf_app_posted_stamp(struct pf_app *app,
    const struct pf_request *req);

/*
 * Read the body (pf_app_read_form) and validate it against fields[0..n)
 * into form (form.h's pf_form_validate).  PF_OK with form filled, its
 * nerrors saying whether the visitor has something to fix; or non-zero
 * once answered (pf_app_read_form's page, or 500 if validating fails).
 * The caller frees form either way (pf_form_free).
 */
int pf_app_read_fields(struct pf_app *app, struct pf_request *req,
    const struct pf_field *fields, size_t n, struct pf_form *form);

/* prefix + path + suffix (suffix may be NULL): a new string. */
char *pf_app_path(const struct pf_app *app, const char *path, const char *suffix);

/*
 * What follows prefix + path in the request's path: "" for the form's own
 * path, "/verify" for a sub-path, or NULL when the request is not for
 * path at all (a server configured to send it elsewhere).
 */
const char *pf_app_subpath(const struct pf_app *app,
    const struct pf_request *req, const char *path);

/* base_url + prefix + path, the absolute URL for a mail: a new string. */
char *pf_app_url(const struct pf_app *app, const char *path);

/* 303 See Other to prefix + path. */
void pf_app_redirect(struct pf_app *app, struct pf_request *req, const char *path);
/* The same, setting a cookie: set_cookie is the Set-Cookie value (NULL: none). */
void pf_app_redirect_cookie(struct pf_app *app, struct pf_request *req,
    const char *path, const char *set_cookie);

/* Answer 500 (something that should not fail did; logged) if not answered yet. */
void pf_app_fail(struct pf_app *app, struct pf_request *req);

/* Answer 503 "try again" with Retry-After, as a message page. */
void pf_app_unavailable(struct pf_app *app, struct pf_request *req);

/*
 * Send page, a form's template the caller has prepared, with status: the
 * visitor's values and what to fix from form (may be NULL), notice (may be
 * NULL), why nothing was stored, shown above the form, and a stamp
 * (stamp.h's pf_stamp_page: the one posted, or a new one when there is
 * none usable or notice says restamp).  Frees page; answers 500 if it
 * cannot build it.
 */
void pf_app_send_form(struct pf_app *app, struct pf_request *req, int status,
    struct pf_page *page, const struct pf_form *form,
    const struct pf_notice *notice);

/*
 * The end of a form page: rc is how preparing page went.  PF_OK sends it
 * as pf_app_send_form does; anything else frees page (may be NULL) and
 * answers 500.
 */
void pf_app_send_prepared(struct pf_app *app, struct pf_request *req, int rc,
    int status, struct pf_page *page, const struct pf_form *form,
    const struct pf_notice *notice);

/*
 * The end of a page that is not a form (a "done" or "sent" page): rc is
 * how preparing page went.  PF_OK sends it, 200; anything else answers
 * 500.  Frees page (may be NULL) either way.
 */
void pf_app_send_page(struct pf_app *app, struct pf_request *req, int rc,
    struct pf_page *page);

/* "We could not save ... try again in a minute", Retry-After 60: for 503. */
extern const struct pf_notice pf_app_busy;

/*
 * The keyed pseudonym (keys.h, kind "client") of the network req comes
 * from (client.h: trusted proxies applied, then pf_client_net), into
 * client, and, when wide is not NULL, that of its wider network
 * (pf_client_wide: an IPv6 /48) into wide, "" when there is none (IPv4).
 * When REMOTE_ADDR is missing or not an IP address (a server that does
 * not pass it, a proxy on a Unix socket), client is the pseudonym of
 * PF_APP_UNKNOWN_CLIENT: all such requests share one client, so limits,
 * stamps and votes still hold, and the log says once how to fix the
 * server.  PF_OK, or PF_ECRYPTO.
 */
#define PF_APP_UNKNOWN_CLIENT	"unknown"
int pf_app_client(const struct pf_app *app, const struct pf_request *req,
    char client[PF_HEX_DIGEST_LEN + 1], char wide[PF_HEX_DIGEST_LEN + 1]);

/*
 * A new stamp (stamp.h) of app's form for req's client network, into *out
 * (the caller frees it; NULL on failure): for a form that is not one of
 * the program's pages (the consent snippet's dialog).  PF_OK, PF_ECRYPTO
 * or PF_ENOMEM.
 */
int pf_app_stamp(const struct pf_app *app, const struct pf_request *req,
    char **out);

/*
 * A device id for a browser without one of ours (consent.h): the one the
 * skeleton made for this request (program.h, the GPC signal), so that a
 * handler's record names the same device, else a new one, kept for the
 * rest of the request.  PF_OK or PF_ECRYPTO.
 */
int pf_app_device_new(struct pf_app *app,
    char out[PF_CONSENT_DEVICE_LEN + 1]);

/*
 * The hub (htdocs/hub.xhtml, "What is your privacy related request?"),
 * 200, in the request's language: its "Something else?" links from the
 * configuration (support_url, dpa_url, account_url; the section left
 * out when none is set).  A failure answers 500.
 */
void pf_app_hub(struct pf_app *app, struct pf_request *req);

/* Send template name as it is, with status. */
void pf_app_page(struct pf_app *app, struct pf_request *req, int status,
    const char *name);

#endif
