/*
 * program.h -- the one skeleton of a form program (cgi-bin/NAME.c): its
 * row of forms.def, a table of routes, and what it does once before and
 * after serving.  A program is its handlers, its table of routes and
 *
 *	PF_PROGRAM_MAIN(.form = PF_GUARD_..., PF_ROUTES(routes), ...)
 *
 * Every request goes through these steps, in order; each that answers
 * ends it:
 *
 *	its language		made current (lang.h): ?lang=TAG when TAG
 *				is offered, as the visitor's choice
 *				(pf_lang_choose; req->lang_asked), else
 *				Accept-Language by RFC 4647 lookup, else
 *				default_language; a POST's form (its
 *				stamp, read by pf_app_read_form) and a
 *				signed link (its token) switch to their
 *				own unless the visitor chose
 *	pf_app_screen		405 for any method but GET, HEAD and POST, 400
 *				for a malformed query (app.h)
 *	the hub			the hub's path (prefix "/"), which the httpd
 *				sends to one of the programs: GET and HEAD
 *				its page in the request's language (app.h's
 *				pf_app_hub), anything else 405
 *	FORM/challenge		the form's proof-of-work challenge (guard.h)
 *	pf_app_cross_site	403 for a POST from another website's page,
 *				unless its route is any_site (a POST no
 *				route takes is refused too)
 *	404			a sub-path no route names: not_found's words
 *	screen			the program's own check, if it has one
 *	405			a sub-path routed only for the other method
 *	the route		its handler, or its page as it is (200);
 *				around a POST's handler with the Global
 *				Privacy Control signal (Sec-GPC: 1), the
 *				device's GPC record (gpc.h) in the handler's
 *				committed transaction or, when it commits
 *				none, one of its own after it, and the
 *				pf_consent cookie on its answer (sale off,
 *				g=1; consent.h's pf_consent_gpc_fill)
 *				unless the answer sets one
 *
 * Every page a program sends says the signal was honoured when the
 * request carries it (page.h); the consent categories it needs are read
 * once, before start, and a table that cannot be used stops the program
 * (its file and line logged).
 *
 * The route is the first row of the table whose method, sub-path and
 * query match, so a row with a query comes before the row without one
 * for the same method and sub-path; every method of a sub-path ends with
 * a row without a query.  The rows are what the program's header comment
 * lists, in the same order.
 */
#ifndef PF_PROGRAM_H
#define PF_PROGRAM_H

#include <stddef.h>

#include "app.h"
#include "forms.h"
#include "lang.h"
#include "nitems.h"
#include "page.h"

typedef void pf_route_fn(struct pf_app *app, struct pf_request *req);

struct pf_route {
	const char	*method;	/* "GET" (HEAD too) or "POST" */
	const char	*sub;		/* after the form's path: "", "/verify" */
	/*
	 * NULL: any query.  "done": the query has done (with any value or
	 * none); "step=2": its first step is 2.
	 */
	const char	*query;
	pf_route_fn	*fn;		/* the handler; NULL: send page */
	const char	*page;		/* a template sent as it is, with 200 */
	int		 any_site;	/* PF_ROUTE_ANY_SITE, or 0 */
};

/* A POST meant to come from any website: not refused as cross-site. */
#define PF_ROUTE_ANY_SITE	1

/*
 * A select of the program's form (its template, named after the program)
 * that gets its options once per language: before serving, and when its
 * template is first needed in another language (page.h's pf_pages_select).
 */
struct pf_select {
	const char		*control;	/* the select's name */
	const char *const	*options;	/* code, name, ..., NULL */
	/*
	 * The names' translations (page.h's pf_pages_select):
	 * pf_name_message, country.h's pf_country_option (Debian's
	 * iso-codes) and so on; NULL: the names as they are.
	 */
	pf_name_fn		*names;
	pf_collate_fn		*collate;	/* sorts them, or NULL */
};

struct pf_program {
	enum pf_guard_form	 form;	/* its path, audit name, guard */
	const struct pf_route	*routes;
	size_t			 nroutes;
	const struct pf_select	*selects;	/* may be NULL */
	size_t			 nselects;
	/*
	 * The 404's sentence for a sub-path no route names; NULL: the
	 * program has no sub-paths, and takes whatever path it is sent as
	 * its own (its server sends it only its path and FORM/challenge).
	 */
	const char		*not_found;	/* N_() (lang.h) */
	/*
	 * Once before serving: non-zero, logged, if the program cannot
	 * serve (having undone its own work).  May be NULL.
	 */
	int			(*start)(struct pf_app *app);
	/* Once after serving, when start succeeded.  May be NULL. */
	void			(*stop)(void);
	/*
	 * Before a route of a known sub-path: answer req and return non-zero
	 * to refuse it (a program that cannot serve now).  May be NULL.
	 */
	int			(*screen)(struct pf_app *app,
				    struct pf_request *req);
};

/* .routes and .nroutes of a pf_program, from the table r. */
#define PF_ROUTES(r)	.routes = (r), .nroutes = nitems(r)
/* .selects and .nselects, from the table s. */
#define PF_SELECTS(s)	.selects = (s), .nselects = nitems(s)

/*
 * A program's main(): pf_program_main of the pf_program whose members
 * follow, e.g. PF_PROGRAM_MAIN(.form = PF_GUARD_DNC, PF_ROUTES(routes)).
 */
#define PF_PROGRAM_MAIN(...)						\
int									\
main(void)								\
{									\
	static const struct pf_program program = { __VA_ARGS__ };	\
									\
	return pf_program_main(&program);				\
}

/*
 * Open the app for p's form (app.h), fill its selects, start, serve
 * every request through pf_program_handle until the server stops the
 * program, stop and close: main's exit status, 0 or 1.  A template
 * without one of the selects is logged, and the program does not serve.
 */
int pf_program_main(const struct pf_program *p);

/* One request through the steps above. */
void pf_program_handle(const struct pf_program *p, struct pf_app *app,
    struct pf_request *req);

#endif
