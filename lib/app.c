/* app.c -- a form program's lifetime state and shared handler steps (app.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "app.h"
#include "busy.h"
#include "err.h"
#include "lang.h"
#include "form.h"
#include "keys.h"
#include "lang.h"
#include "log.h"
#include "nitems.h"
#include "page.h"
#include "request.h"
#include "response.h"
#include "serve.h"
#include "stamp.h"
#include "store.h"

static const struct pf_header retry_after[] = { { "Retry-After", "60" } };

const struct pf_notice pf_app_busy = { .text = N_("We could not save your "
    "request just now. Nothing was stored. Please try again in a minute."),
    .retry_after = 60 };
static const struct pf_header allow[] = { { "Allow", "GET, HEAD, POST" } };

/*
 * The most a page that only shows something (a status page, the verify
 * page) waits for the lock, within busy_timeout_ms: a commit holds it for
 * milliseconds, so a longer wait means something holds it on purpose, and
 * the page answers 503 rather than keep a worker from the next visitor.
 */
#define READ_WAIT_MS	1000L

/*
 * Open the store if it is not open, no wait for the lock going past until.
 * startup: a database that cannot be opened yet (locked, or not there) is
 * a warning, not an error: the first request that needs it tries again.
 */
static int
store_open(struct pf_app *app, const struct timespec *until, int startup)
{
	struct pf_store_opts	 o;
	int			 rc;

	if (app->st != NULL)
		return PF_OK;
	o.path = app->cfg->database;
	o.journal_mode = app->cfg->journal_mode;
	o.busy_timeout_ms = app->cfg->busy_timeout_ms;
	rc = pf_store_open_until(&o, until, &app->st);
	if (rc == PF_EBUSY && startup)
		pf_log(PF_LOG_WARN, "cannot open the database yet (%s): trying "
		    "again on the first request that needs it", pf_strerror(rc));
	else if (rc != PF_OK)
		pf_log(PF_LOG_ERR, "cannot open the database: %s", pf_strerror(rc));
	return rc;
}

/*
 * Open the store if needed and bound every wait for its lock from now on
 * by ms in all (the open, BEGIN, COMMIT), until pf_app_commit or
 * pf_app_rollback.
 */
static int
store_ready(struct pf_app *app, long ms)
{
	struct timespec	 until;
	int		 rc;

	pf_busy_deadline(ms, &until);
	if ((rc = store_open(app, &until, 0)) == PF_OK)
		pf_store_until(app->st, &until);
	return rc;
}

/*
 * The catalogues of locale_dir and the site's languages (lang.h), each
 * one's own name and direction read now, once per process; logged.
 */
static int
lang_open(const struct pf_config *cfg)
{
	char	 err[256];

	if (pf_lang_init(cfg->locale_dir) != PF_OK) {
		pf_log(PF_LOG_ERR, "cannot set the C.UTF-8 locale or read the "
		    "catalogues of locale_dir");
		return PF_ECONFIG;
	}
	if (pf_lang_site(cfg->languages, cfg->default_language, err,
	    sizeof(err)) != PF_OK) {
		pf_log(PF_LOG_ERR, "%s", err);
		return PF_ECONFIG;
	}
	return PF_OK;
}

/* pf_app_open, pf_app_open_deferred: the store opened now unless defer. */
static int
app_open(struct pf_app *app, const char *form, int defer)
{
	struct timespec	 now;
	char		 err[256];
	const char	*why;
	int		 rc;

	memset(app, 0, sizeof(*app));
	app->form = form;
	app->stamp.verdict = PF_STAMP_NONE;	/* of no request yet */
	/* Files the program creates (the database, audit files) are private. */
	umask(027);
	pf_log_init(form);
	rc = pf_config_load(pf_config_default_path(), &app->cfg, err, sizeof(err));
	if (rc != PF_OK) {
		pf_log(PF_LOG_ERR, "%s", err);
		goto fail;
	}
	if ((rc = lang_open(app->cfg)) != PF_OK)
		goto fail;
	if ((rc = pf_keys_load(app->cfg->key_file, &app->keys)) != PF_OK) {
		pf_log(PF_LOG_ERR, "cannot read the key file (run privforms init): %s",
		    pf_strerror(rc));
		goto fail;
	}
	rc = pf_pages_open(app->cfg->templates, app->cfg->prefix, &app->pages);
	if (rc != PF_OK) {
		pf_log(PF_LOG_ERR, "cannot read the templates: %s", pf_strerror(rc));
		goto fail;
	}
	app->limits.max_body = (size_t)app->cfg->max_body;
	app->limits.max_fields = (size_t)app->cfg->max_fields;
	app->limits.max_field_len = (size_t)app->cfg->max_field_len;
	if (pf_response_csp(app->cfg->content_security_policy) != PF_OK) {
		pf_log(PF_LOG_ERR, "content_security_policy is not a header value");
		rc = PF_ECONFIG;
		goto fail;
	}
	/* config.c has checked it: a failure here is a bug, and fatal. */
	if (pf_client_proxies(app->cfg->trusted_proxies, &app->proxies,
	    &why) != PF_OK) {
		pf_log(PF_LOG_ERR, "trusted_proxies: %s", why);
		rc = PF_ECONFIG;
		goto fail;
	}
	/*
	 * Not fatal: requests get 503 until the database can be opened.  No
	 * wait for its lock either: a form page needs no database, and a
	 * worker started while another process holds the lock must not keep
	 * its first visitor waiting for it.
	 */
	pf_busy_deadline(0, &now);
	if (!defer && store_open(app, &now, 1) == PF_ECONFIG)
		goto fail;
	return PF_OK;
fail:
	pf_app_close(app);
	pf_serve_start_failed();
	return rc == PF_OK ? PF_ECONFIG : rc;
}

int
pf_app_open(struct pf_app *app, const char *form)
{
	return app_open(app, form, 0);
}

int
pf_app_open_deferred(struct pf_app *app, const char *form)
{
	return app_open(app, form, 1);
}

void
pf_app_close(struct pf_app *app)
{
	pf_app_rollback(app);
	pf_store_close(app->st);
	pf_pages_free(app->pages);
	pf_config_free(app->cfg);
	memset(app, 0, sizeof(*app));
}

int
pf_app_begin(struct pf_app *app)
{
	int	 rc;

	if ((rc = store_ready(app, app->cfg->busy_timeout_ms)) != PF_OK)
		return rc;
	return pf_txn_begin(&app->tx, app->st, app->cfg->audit_dir, app->form);
}

int
pf_app_begin_read(struct pf_app *app)
{
	int	 rc;

	if ((rc = store_ready(app, app->cfg->busy_timeout_ms < READ_WAIT_MS ?
	    app->cfg->busy_timeout_ms : READ_WAIT_MS)) != PF_OK)
		return rc;
	/* So that pf_app_rollback ends it: a read has no records to drop. */
	app->tx.st = app->st;
	return pf_store_begin_read(app->st);
}

int
pf_app_audit(struct pf_app *app, const struct pf_request *req,
    const char *event, const char *subject, const char *const *details)
{
	return pf_txn_audit(&app->tx, req != NULL ? req->id : NULL, event,
	    subject, details);
}

int
pf_app_commit(struct pf_app *app)
{
	int	 rc;

	if (app->committing != NULL && (rc = app->committing(app,
	    app->committing_arg)) != PF_OK) {
		pf_app_rollback(app);
		return rc;
	}
	rc = pf_txn_commit(&app->tx);
	pf_store_until(app->st, NULL);
	if (rc == PF_OK)
		app->committing = NULL;	/* what it wrote is committed */
	return rc;
}

void
pf_app_rollback(struct pf_app *app)
{
	pf_txn_rollback(&app->tx);
	if (app->st != NULL)
		pf_store_until(app->st, NULL);
}

int
pf_app_end(struct pf_app *app, int rc)
{
	if (rc != PF_OK || (rc = pf_app_commit(app)) != PF_OK)
		pf_app_rollback(app);
	return rc;
}

int
pf_app_screen(struct pf_app *app, struct pf_request *req)
{
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0 &&
	    strcmp(req->method, "POST") != 0) {
		pf_page_message(app->pages, req, 405, _("Method not allowed"),
		    _("This page accepts only GET and POST."), allow, 1);
		return 1;
	}
	if (req->query_bad) {
		pf_page_message(app->pages, req, 400,
		    _("This address is not valid"), _("The link may have been "
		    "cut short or changed. Open it again from the email, or "
		    "use the form on this site."), NULL, 0);
		return 1;
	}
	return 0;
}

#define ORIGIN_MAX	300	/* base_url's longest is well under */

/* What a browser leaves out of an origin: the scheme's own port. */
static const struct {
	const char	*scheme;
	const char	*port;
} default_ports[] = {
	{ "http://", ":80" },
	{ "https://", ":443" },
};

/*
 * s ("scheme://host[:port]": an Origin, or base_url) as a browser writes
 * an origin, lower-case and without a default port, into out: 1, or 0 if
 * it is no such thing or too long.
 */
static int
origin_norm(const char *s, char out[ORIGIN_MAX])
{
	size_t	 i, len = strlen(s), sl, pl;

	if (len >= ORIGIN_MAX || strstr(s, "://") == NULL)
		return 0;
	for (i = 0; i <= len; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	for (i = 0; i < nitems(default_ports); i++) {
		sl = strlen(default_ports[i].scheme);
		pl = strlen(default_ports[i].port);
		if (strncmp(out, default_ports[i].scheme, sl) == 0 &&
		    len > sl + pl && strcmp(out + len - pl,
		    default_ports[i].port) == 0)
			out[len - pl] = '\0';
	}
	return 1;
}

/*
 * Is req's Origin ours: base_url's, or naming the Host the request came
 * to, whatever the scheme (TLS may end at a proxy before us)?  In a
 * browser a page can set neither header, so neither can be made to match.
 */
static int
own_origin(const struct pf_app *app, const struct pf_request *req)
{
	char	 o[ORIGIN_MAX], b[ORIGIN_MAX];

	if (!origin_norm(req->origin, o))
		return 0;
	if (origin_norm(app->cfg->base_url, b) && strcmp(o, b) == 0)
		return 1;
	return req->host[0] != '\0' &&
	    strcasecmp(strstr(o, "://") + 3, req->host) == 0;
}

int
pf_app_cross_site(struct pf_app *app, struct pf_request *req)
{
	int	 foreign;

	if (strcmp(req->method, "POST") != 0)
		return 0;
	if (req->fetch_site[0] != '\0')
		foreign = strcmp(req->fetch_site, "cross-site") == 0;
	else
		foreign = req->origin[0] != '\0' &&
		    strcmp(req->origin, "null") != 0 && !own_origin(app, req);
	if (!foreign)
		return 0;
	pf_page_message(app->pages, req, 403, _("This form was sent from "
	    "another website"), _("Your browser sent this form from a page of "
	    "another website, and we take it only from our own page, so "
	    "nothing was stored. If you meant to send it, open the form on "
	    "this site, fill it in there and send it."), NULL, 0);
	return 1;
}

const struct pf_stamp_seen *
pf_app_posted_stamp(struct pf_app *app, const struct pf_request *req)
{
	const struct pf_param	*p;

	if (strcmp(app->stamp_of, req->id) != 0) {
		p = pf_request_field(req, PF_STAMP_FIELD);
		pf_stamp_open(app->keys.token, app->form, p != NULL ?
		    p->value : NULL, time(NULL), &app->stamp);
		memcpy(app->stamp_of, req->id, sizeof(app->stamp_of));
	}
	return &app->stamp;
}

/* The posted form's language, when the visitor chose none (lang.h). */
static void
follow_stamp(struct pf_app *app, const struct pf_request *req)
{
	const struct pf_stamp_seen	*s = pf_app_posted_stamp(app, req);
	const struct pf_lang		*l;

	/* Only a language still offered: the site's may have changed. */
	if (s->verdict == PF_STAMP_OK && s->lang[0] != '\0' &&
	    !pf_lang_chosen() && (l = pf_lang_find(s->lang)) != NULL)
		pf_lang_choose(l->tag);
}

int
pf_app_read_form(struct pf_app *app, struct pf_request *req)
{
	static const struct {
		int		 err;
		int		 status;
		const char	*title;
	} answers[] = {
		{ PF_EINVAL, 400, N_("The form could not be read") },
		{ PF_ETOOBIG, 413, N_("The form is too large") },
		{ PF_EMEDIA, 415,
		    N_("The form was sent in a format we do not accept") },
		{ PF_ELENGTH, 411, N_("The form could not be read") },
	};
	size_t	 i;
	int	 rc;

	if ((rc = pf_request_read_form(req)) == PF_OK) {
		follow_stamp(app, req);
		return PF_OK;
	}
	for (i = 0; i < nitems(answers); i++)
		if (answers[i].err == rc)
			pf_page_message(app->pages, req, answers[i].status,
			    _(answers[i].title), req->error != NULL ?
			    _(req->error) : _("Please go back and try again."),
			    NULL, 0);
	return rc;	/* PF_EIO: the client has gone, nobody to answer */
}

int
pf_app_read_fields(struct pf_app *app, struct pf_request *req,
    const struct pf_field *fields, size_t n, struct pf_form *form)
{
	int	 rc;

	memset(form, 0, sizeof(*form));
	if ((rc = pf_app_read_form(app, req)) != PF_OK)
		return rc;
	if ((rc = pf_form_validate(fields, n, req, form)) != PF_OK)
		pf_app_fail(app, req);
	return rc;
}

char *
pf_app_path(const struct pf_app *app, const char *path, const char *suffix)
{
	size_t	 n;
	char	*s;

	if (suffix == NULL)
		suffix = "";
	n = strlen(app->cfg->prefix) + strlen(path) + strlen(suffix) + 1;
	if ((s = malloc(n)) == NULL)
		return NULL;
	strcpy(s, app->cfg->prefix);
	strcat(s, path);
	strcat(s, suffix);
	return s;
}

char *
pf_app_url(const struct pf_app *app, const char *path)
{
	return pf_config_url(app->cfg, path);
}

void
pf_app_redirect(struct pf_app *app, struct pf_request *req, const char *path)
{
	pf_app_redirect_cookie(app, req, path, NULL);
}

void
pf_app_redirect_cookie(struct pf_app *app, struct pf_request *req,
    const char *path, const char *set_cookie)
{
	char	*to;

	if ((to = pf_app_path(app, path, NULL)) == NULL ||
	    pf_redirect_cookie(req, to, set_cookie) != PF_OK)
		pf_app_fail(app, req);
	free(to);
}

void
pf_app_fail(struct pf_app *app, struct pf_request *req)
{
	if (req->responded)
		return;
	pf_log(PF_LOG_ERR, "request %s: internal error", req->id);
	pf_page_message(app->pages, req, 500, _("Something went wrong"),
	    _("Your request was not stored. Please try again later."), NULL,
	    0);
}

void
pf_app_unavailable(struct pf_app *app, struct pf_request *req)
{
	pf_page_message(app->pages, req, 503, _("Please try again in a minute"),
	    _("We could not save your request just now. Nothing was stored."),
	    retry_after, 1);
}

/* The stamper of app's form for req's client network (stamp.h). */
static int
stamper(const struct pf_app *app, const struct pf_request *req,
    char client[PF_HEX_DIGEST_LEN + 1], struct pf_stamper *s)
{
	*s = (struct pf_stamper){ app->keys.token, app->form, client,
	    app->cfg->form_min_seconds, app->cfg->form_max_hours };
	return pf_app_client(app, req, client, NULL);
}

/* Stamp page for app's form and req's client network (stamp.h). */
static int
stamp(const struct pf_app *app, const struct pf_request *req, int fresh,
    struct pf_page *page)
{
	const struct pf_param	*posted = pf_request_field(req, PF_STAMP_FIELD);
	char			 client[PF_HEX_DIGEST_LEN + 1];
	struct pf_stamper	 s;
	int			 rc;

	if ((rc = stamper(app, req, client, &s)) != PF_OK)
		return rc;
	return pf_stamp_page(&s, posted != NULL ? posted->value : NULL, fresh,
	    page);
}

int
pf_app_stamp(const struct pf_app *app, const struct pf_request *req,
    char **out)
{
	char			 client[PF_HEX_DIGEST_LEN + 1];
	struct pf_stamper	 s;
	int			 rc;

	*out = NULL;
	if ((rc = stamper(app, req, client, &s)) != PF_OK)
		return rc;
	return pf_stamp_make(&s, time(NULL), out);
}

void
pf_app_send_form(struct pf_app *app, struct pf_request *req, int status,
    struct pf_page *page, const struct pf_form *form,
    const struct pf_notice *notice)
{
	struct pf_header	 h = { "Retry-After", NULL };
	char			 secs[24];

	if ((form != NULL && pf_form_fill(form, page) != PF_OK) ||
	    stamp(app, req, notice != NULL && notice->restamp, page) !=
	    PF_OK ||
	    (notice != NULL && (pf_page_text(page, "notice",
	    _(notice->text)) != PF_OK ||
	    pf_page_attr(page, "notice", "hidden", NULL) != PF_OK)))
		pf_app_fail(app, req);
	else {
		snprintf(secs, sizeof(secs), "%ld",
		    notice != NULL ? notice->retry_after : 0);
		h.value = secs;
		pf_page_send(req, status, page, &h, notice != NULL &&
		    notice->retry_after > 0 ? 1 : 0);
	}
	pf_page_free(page);
}

void
pf_app_send_prepared(struct pf_app *app, struct pf_request *req, int rc,
    int status, struct pf_page *page, const struct pf_form *form,
    const struct pf_notice *notice)
{
	if (rc != PF_OK) {
		pf_page_free(page);
		pf_app_fail(app, req);
		return;
	}
	pf_app_send_form(app, req, status, page, form, notice);
}

void
pf_app_send_page(struct pf_app *app, struct pf_request *req, int rc,
    struct pf_page *page)
{
	if (rc == PF_OK)
		pf_page_send(req, 200, page, NULL, 0);
	else
		pf_app_fail(app, req);
	pf_page_free(page);
}

/*
 * Said once per process: a server that does not pass the visitor's
 * address in REMOTE_ADDR puts every visitor into one bucket.
 */
static void
warn_unknown(const char *remote)
{
	static int	 said;

	if (said)
		return;
	said = 1;
	pf_log(PF_LOG_WARN, "REMOTE_ADDR is %s: every such request counts as "
	    "one client, \"%s\", for rate limits, form stamps and article "
	    "votes; have the web server pass the visitor's IP address in "
	    "REMOTE_ADDR (behind a proxy of yours: its realip or remoteip "
	    "module, or trusted_proxies; see INSTALL, \"Client addresses\")",
	    remote[0] == '\0' ? "missing" : "not an IP address",
	    PF_APP_UNKNOWN_CLIENT);
}

int
pf_app_client(const struct pf_app *app, const struct pf_request *req,
    char client[PF_HEX_DIGEST_LEN + 1], char wide[PF_HEX_DIGEST_LEN + 1])
{
	char		 addr[PF_CLIENT_ADDR_SIZE], net[PF_CLIENT_NET_SIZE];
	char		 wnet[PF_CLIENT_NET_SIZE];
	int		 rc;

	client[0] = '\0';
	if (wide != NULL)
		wide[0] = '\0';
	if (pf_client_addr(req->remote_addr, req->forwarded_for,
	    &app->proxies, addr) != PF_OK ||
	    pf_client_net(addr, net) != PF_OK) {
		warn_unknown(req->remote_addr);
		/* No network's text is a word: this cannot name a real one. */
		snprintf(net, sizeof(net), "%s", PF_APP_UNKNOWN_CLIENT);
	}
	if ((rc = pf_pseudonym(&app->keys, "client", net, client)) != PF_OK ||
	    wide == NULL || pf_client_wide(addr, wnet) != PF_OK)
		return rc;
	return pf_pseudonym(&app->keys, "client", wnet, wide);
}

int
pf_app_device_new(struct pf_app *app, char out[PF_CONSENT_DEVICE_LEN + 1])
{
	int	 rc;

	if (app->device[0] == '\0' &&
	    (rc = pf_consent_device_new(app->device)) != PF_OK)
		return rc;
	memcpy(out, app->device, sizeof(app->device));
	return PF_OK;
}

/* The hub's configurable links: template ids and config values. */
static int
hub_links(struct pf_page *page, const struct pf_config *cfg)
{
	const struct { const char *li, *a, *url; } links[] = {
		{ "hub-support", "hub-support-link", cfg->support_url },
		{ "hub-dpa", "hub-dpa-link", cfg->dpa_url },
		{ "hub-account", "hub-account-link", cfg->account_url },
	};
	size_t	 i, shown = 0;
	int	 rc = PF_OK;

	for (i = 0; i < nitems(links) && rc == PF_OK; i++) {
		if (links[i].url[0] == '\0')
			rc = pf_page_remove(page, links[i].li);
		else {
			rc = pf_page_attr(page, links[i].a, "href", links[i].url);
			shown++;
		}
	}
	if (rc == PF_OK && shown == 0)
		rc = pf_page_remove(page, "hub-more");
	return rc;
}

void
pf_app_hub(struct pf_app *app, struct pf_request *req)
{
	struct pf_page	*page = NULL;

	if (pf_page_new(app->pages, "hub", &page) != PF_OK ||
	    hub_links(page, app->cfg) != PF_OK)
		pf_app_fail(app, req);
	else
		pf_page_send(req, 200, page, NULL, 0);
	pf_page_free(page);
}

void
pf_app_page(struct pf_app *app, struct pf_request *req, int status,
    const char *name)
{
	struct pf_page	*page = NULL;

	if (pf_page_new(app->pages, name, &page) != PF_OK)
		pf_app_fail(app, req);
	else
		pf_page_send(req, status, page, NULL, 0);
	pf_page_free(page);
}

const char *
pf_app_subpath(const struct pf_app *app, const struct pf_request *req,
    const char *path)
{
	const char	*prefix = app->cfg->prefix;
	size_t		 n = strlen(prefix), m = strlen(path);
	const char	*rest;

	if (strncmp(req->path, prefix, n) != 0 ||
	    strncmp(req->path + n, path, m) != 0)
		return NULL;
	rest = req->path + n + m;
	return *rest == '\0' || *rest == '/' ? rest : NULL;
}
