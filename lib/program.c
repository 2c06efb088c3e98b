/* program.c -- the skeleton every form program runs (program.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "consent.h"
#include "err.h"
#include "lang.h"
#include "gpc.h"
#include "guard.h"
#include "lang.h"
#include "log.h"
#include "nitems.h"
#include "page.h"
#include "program.h"
#include "request.h"
#include "response.h"
#include "serve.h"
#include "utc.h"

#define METHOD_GET	0x1
#define METHOD_POST	0x2

/* The 405 for a sub-path routed only for other methods, by those methods. */
static const struct {
	unsigned		 methods;
	struct pf_header	 allow;
	const char		*text;
} not_allowed[] = {
	{ METHOD_GET, { "Allow", "GET, HEAD" },
	    N_("This page can only be read.") },
	{ METHOD_POST, { "Allow", "POST" },
	    N_("This page only takes a form sent to it.") },
	{ METHOD_GET | METHOD_POST, { "Allow", "GET, HEAD, POST" },
	    N_("This page accepts only GET and POST.") },
};

/* A route's method as a bit; HEAD is GET's. */
static unsigned
method_bit(const char *method)
{
	return strcmp(method, "POST") == 0 ? METHOD_POST : METHOD_GET;
}

/* Does req's query have what q asks for (program.h's pf_route query)? */
static int
query_has(const struct pf_request *req, const char *q)
{
	const struct pf_param	*p;
	const char		*eq;
	char			 key[32];
	size_t			 n;

	if (q == NULL)
		return 1;
	if ((eq = strchr(q, '=')) == NULL)
		return pf_request_query(req, q) != NULL;
	if ((n = (size_t)(eq - q)) >= sizeof(key))
		return 0;
	memcpy(key, q, n);
	key[n] = '\0';
	p = pf_request_query(req, key);
	return p != NULL && strcmp(p->value, eq + 1) == 0;
}

/*
 * The first route of p that takes req at sub-path sub (NULL: outside the
 * form's path), or NULL; *methods gets the methods p routes sub for, 0
 * for a sub-path it does not know.
 */
static const struct pf_route *
route_find(const struct pf_program *p, const struct pf_request *req,
    const char *sub, unsigned *methods)
{
	const struct pf_route	*r, *found = NULL;
	unsigned		 bit = method_bit(req->method);
	size_t			 i;

	*methods = 0;
	for (i = 0; sub != NULL && i < p->nroutes; i++) {
		r = &p->routes[i];
		if (strcmp(r->sub, sub) != 0)
			continue;
		*methods |= method_bit(r->method);
		if (found == NULL && method_bit(r->method) == bit &&
		    query_has(req, r->query))
			found = r;
	}
	return found;
}

/* 405 with the methods a known sub-path takes. */
static void
refuse_method(struct pf_app *app, struct pf_request *req, unsigned methods)
{
	size_t	 i;

	for (i = 0; i < nitems(not_allowed); i++)
		if (not_allowed[i].methods == methods)
			pf_page_message(app->pages, req, 405,
			    _("Method not allowed"), _(not_allowed[i].text),
			    &not_allowed[i].allow, 1);
}

/* app.h's committing for a POST with the signal: the GPC record. */
static int
gpc_committing(struct pf_app *app, void *arg)
{
	const struct pf_request	*req = arg;

	return pf_gpc_record(app, req, app->consent, app->device);
}

/*
 * Before a POST's handler, when it carries the GPC signal: the device
 * (the pf_consent cookie's, or one made now, which the handler's own
 * records share: pf_app_device_new), the GPC record for every write
 * transaction of the handler until one commits (app.h's committing), and the
 * cookie of every answer (pf_consent_gpc_fill: the browser's current
 * decision without the sale categories, or no decision, and g=1).  Non-zero (answered, 500) only if no
 * device could be made.
 */
static int
gpc_start(struct pf_app *app, struct pf_request *req)
{
	const struct pf_consent_table	*t = app->consent;
	struct pf_consent_cookie	 c;
	pf_consent_set			 set = 0;
	char				 value[PF_CONSENT_VALUE_MAX + 128];
	int				 current = 0;

	if (!req->gpc)
		return 0;
	memset(&c, 0, sizeof(c));
	if (pf_consent_cookie_read(req->cookie, &c) == PF_OK) {
		memcpy(app->device, c.device, sizeof(app->device));
		current = pf_consent_current(&c, t, time(NULL),
		    app->cfg->consent_max_age_days * PF_DAY, &set);
	} else if (pf_app_device_new(app, c.device) != PF_OK) {
		pf_app_fail(app, req);
		return 1;
	}
	pf_consent_gpc_fill(&c, t, current, set);
	if (pf_consent_set_cookie(&c, app->cfg->consent_max_age_days * PF_DAY,
	    strncmp(app->cfg->base_url, "https:", 6) == 0, value,
	    sizeof(value)) == PF_OK)
		req->set_cookie = strdup(value);
	app->committing = gpc_committing;
	app->committing_arg = req;
	return 0;
}

/*
 * After the handler: a GPC record no transaction of the handler committed
 * (it stored nothing: a form with something to fix, a refusal, a failure)
 * gets one of its own, within the form's per-client limit (guard.h's
 * pf_guard_gpc: over it, none).  Its failure is logged only: the answer
 * is sent, and the next POST of the day records it.
 */
static void
gpc_end(const struct pf_program *p, struct pf_app *app,
    struct pf_request *req)
{
	char	 client[PF_HEX_DIGEST_LEN + 1];
	int	 rc;

	if (app->committing != NULL &&
	    ((rc = pf_app_client(app, req, client, NULL)) != PF_OK ||
	    (rc = pf_app_begin(app)) != PF_OK ||
	    (rc = pf_guard_gpc(app, p->form, client)) != PF_OK ||
	    (rc = pf_app_commit(app)) != PF_OK)) {
		pf_app_rollback(app);
		if (rc != PF_ELIMIT)
			pf_log(PF_LOG_WARN, "request %s: the GPC record was "
			    "not stored: %s", req->id, pf_strerror(rc));
	}
	app->committing = NULL;
	app->committing_arg = NULL;
	app->device[0] = '\0';
}

/* A route's handler; a POST's with the GPC signal recorded (gpc_start). */
static void
route_run(const struct pf_program *p, const struct pf_route *r,
    struct pf_app *app, struct pf_request *req)
{
	int	 post = strcmp(req->method, "POST") == 0;

	if (post && gpc_start(app, req))
		return;
	r->fn(app, req);
	if (post)
		gpc_end(p, app, req);
}

/*
 * The request's language (program.h), made current: ?lang= when it names
 * an offered language, as the visitor's choice (lang.h's pf_lang_choose,
 * and req->lang_asked for the links of the page), else Accept-Language by
 * RFC 4647 lookup, else the site's default.  A POST's form (its stamp,
 * app.h's pf_app_read_form) and a signed link (its token) then switch to
 * the language they were made in, unless the visitor chose.  A ?lang=
 * that names none is ignored: a link to a language the site no longer
 * offers still shows its page.
 */
static void
choose_language(struct pf_request *req)
{
	const struct pf_param	*q = pf_request_query(req, PF_LANG_PARAM);
	const struct pf_lang	*asked = q != NULL ? pf_lang_find(q->value) :
	    NULL;
	const char		*tag = NULL;

	if ((req->lang_asked = asked != NULL) &&
	    pf_lang_choose(asked->tag) == PF_OK)
		return;
	tag = pf_lang_negotiate(req->accept_language);
	if (tag == NULL || pf_lang_use(tag) != PF_OK)
		(void)pf_lang_use(pf_lang_default());	/* checked at start */
}

/*
 * The hub's path, prefix "/": the httpd sends it to one program (etc/nginx,
 * etc/apache), so that the hub is in each visitor's language as every page
 * is.
 */
static int
is_hub(const struct pf_app *app, const struct pf_request *req)
{
	size_t	 n = strlen(app->cfg->prefix);

	return strncmp(req->path, app->cfg->prefix, n) == 0 &&
	    strcmp(req->path + n, "/") == 0;
}

void
pf_program_handle(const struct pf_program *p, struct pf_app *app,
    struct pf_request *req)
{
	const char		*path = pf_forms[p->form].path;
	const char		*sub;
	const struct pf_route	*r;
	unsigned		 methods;

	choose_language(req);	/* every page, the 400 and 405 too */
	req->gpc = pf_consent_gpc(req->sec_gpc);	/* every page says it */
	if (pf_app_screen(app, req))
		return;
	if (is_hub(app, req)) {
		if (method_bit(req->method) == METHOD_GET)
			pf_app_hub(app, req);
		else
			refuse_method(app, req, METHOD_GET);
		return;
	}
	if (pf_guard_challenge(app, req, path, p->form))
		return;
	sub = p->not_found == NULL ? "" : pf_app_subpath(app, req, path);
	r = route_find(p, req, sub, &methods);
	if ((r == NULL || !r->any_site) && pf_app_cross_site(app, req))
		return;
	if (methods == 0)
		pf_page_message(app->pages, req, 404, _("Page not found"),
		    _(p->not_found), NULL, 0);
	else if (p->screen != NULL && p->screen(app, req))
		return;
	else if (r == NULL)
		refuse_method(app, req, methods);
	else if (r->fn != NULL)
		route_run(p, r, app, req);
	else
		pf_app_page(app, req, 200, r->page);
}

/*
 * The consent categories (consent.h) every program needs for the GPC
 * signal, once per process: non-zero (logged, naming the file and line)
 * for a table or notice that cannot be used, which stops the program.
 */
static int
consent_load(struct pf_app *app, struct pf_consent_table **t)
{
	char	 err[512];

	if (pf_consent_load_config(app->cfg, t, err, sizeof(err)) == PF_OK) {
		app->consent = *t;
		return 0;
	}
	pf_log(PF_LOG_ERR, "consent_categories: %s", err);
	pf_serve_start_failed();
	return 1;
}

/* What pf_serve hands each request: the program and its app. */
struct run {
	const struct pf_program	*p;
	struct pf_app		*app;
};

static void
handle(struct pf_request *req, void *arg)
{
	const struct run	*run = arg;

	pf_program_handle(run->p, run->app, req);
}

/* p's selects filled, once per process: non-zero (logged) if one is missing. */
static int
fill_selects(const struct pf_program *p, struct pf_app *app)
{
	const char	*page = pf_forms[p->form].program;
	size_t		 i;

	for (i = 0; i < p->nselects; i++)
		if (pf_pages_select(app->pages, page, p->selects[i].control,
		    p->selects[i].options, p->selects[i].names,
		    p->selects[i].collate) != PF_OK) {
			pf_log(PF_LOG_ERR, "the %s template needs the select "
			    "%s", page, p->selects[i].control);
			return 1;
		}
	return 0;
}

/*
 * libcrypto set up for what a form program uses: algorithms fetched by
 * name from the default provider (keys.h, token.h), never the legacy
 * name tables (ADD_ALL_*), nor OpenSSL's error strings (nothing here
 * prints them), nor openssl.cnf (the programs make no TLS connection and
 * load no provider of their own; privforms mail run reads it), and no
 * clean-up at exit, which the process's end does.  Together 6 of a plain
 * CGI request's 21 M instructions (ARCHITECTURE.md).  Must come before
 * any other libcrypto call; non-zero (logged) on failure.
 */
static int
crypto_init(void)
{
	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG |
	    OPENSSL_INIT_NO_ADD_ALL_CIPHERS | OPENSSL_INIT_NO_ADD_ALL_DIGESTS |
	    OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS | OPENSSL_INIT_NO_ATEXIT,
	    NULL) == 1)
		return 0;
	pf_log(PF_LOG_ERR, "cannot initialise libcrypto");
	pf_serve_start_failed();
	return 1;
}

int
pf_program_main(const struct pf_program *p)
{
	struct pf_app		 app;
	struct run		 run = { p, &app };
	struct pf_consent_table	*consent = NULL;
	int			 rc;

	if (crypto_init() != 0)
		return 1;
	/* As plain CGI, one request: the store opened only if it needs it. */
	if ((pf_serve_cgi() ? pf_app_open_deferred : pf_app_open)(&app,
	    pf_forms[p->form].audit) != PF_OK)
		return 1;
	if (consent_load(&app, &consent) != 0 || fill_selects(p, &app) != 0 ||
	    (p->start != NULL && p->start(&app) != 0)) {
		pf_app_close(&app);
		pf_consent_table_free(consent);
		return 1;
	}
	rc = pf_serve(handle, &run, &app.limits);
	if (p->stop != NULL)
		p->stop();
	pf_app_close(&app);
	pf_consent_table_free(consent);
	return rc == 0 ? 0 : 1;
}
