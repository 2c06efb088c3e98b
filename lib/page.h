/*
 * page.h -- HTML pages built from the templates in htdocs/.
 *
 * A template is a well-formed XHTML file.  C code never writes markup: it
 * finds elements by id (or form controls by name) and sets text and
 * attribute values through libxml2's tree API, which escapes them, so
 * escaping cannot be forgotten.  Every string set must have passed
 * pf_utf8_ok (libxml2 2.9.14 would write invalid XML otherwise); the setters
 * check and refuse (PF_EINVAL) anything else.
 *
 * Templates are parsed once per process and language (struct pf_pages),
 * when a page is first needed in that language (lang.h's current one), and
 * copied for each request.  A language's templates are the translated ones
 * the build makes in a subdirectory named for it (DIR/de/NAME.xhtml,
 * DIR/pt_BR/NAME.xhtml); the source language's are DIR/NAME.xhtml, and a
 * translation that is missing falls back to the source template (logged,
 * once).  Every page's <html> gets the language's tag as lang and its
 * direction as dir.  URLs in href, action and src attributes that start with
 * "/privacy/" are rewritten to the configured prefix when a template is
 * loaded, so templates are written for the default prefix.
 *
 * A template may pull in text the company edits apart from the form (a
 * privacy notice, say) with XInclude, resolved when the template is loaded:
 *
 *	<xi:include xmlns:xi="http://www.w3.org/2001/XInclude"
 *	    href="request-notice.xhtml"
 *	    xpointer="xpointer(/descendant::*[@id='request-notice'])"/>
 *
 * href is resolved relative to the including template.  Inclusion runs
 * with XML_PARSE_NONET (no network), XML_PARSE_NOXINCNODE (no marker nodes
 * left in the page) and XML_PARSE_NOBASEFIX (no xml:base attributes); an
 * include that fails (a missing file, a pointer that selects nothing) makes
 * the template fail to load (PF_EXML, logged).  The included file, a
 * complete XHTML document that can be previewed on its own, is trusted as
 * the templates are; its URLs are rewritten like theirs.
 */
#ifndef PF_PAGE_H
#define PF_PAGE_H

#include <stddef.h>

struct pf_request;
struct pf_pages;	/* the parsed templates of one process */
struct pf_page;		/* one page being built for one response */

/*
 * Prepare to load templates from dir (NAME.xhtml) with URL prefix (e.g.
 * "/privacy", no trailing slash; "" for the site root).  PF_EINVAL for a
 * prefix that is not such a path ("//host", a backslash, '?', '#', blanks).
 * The caller owns *out (pf_pages_free).
 */
int pf_pages_open(const char *dir, const char *prefix, struct pf_pages **out);
void pf_pages_free(struct pf_pages *pages);	/* accepts NULL */

/*
 * Add one <option value="CODE">NAME</option> per pair (code, name, code,
 * name, ..., NULL: country.h's tables) to every select called control in
 * template name, in the parsed template itself: once per process, before
 * serving, so each pf_page_new copies the full list instead of building it
 * again.  Options the template has already (a "Choose..." placeholder) stay
 * first.  PF_ENOTFOUND if the template has no such select; PF_EINVAL for a
 * string pf_utf8_ok refuses.
 */
int pf_pages_options(struct pf_pages *pages, const char *name,
    const char *control, const char *const *pairs);

/*
 * How a language sorts pairs (code, name, ..., npairs of them) by name,
 * for its locale (the gettext name, "pt_BR"): collate.h's
 * pf_collate_pairs.  PF_OK; anything else leaves the table's order.  A
 * pointer, so that only a program whose selects are sorted links the
 * collator (ICU's libicui18n, a millisecond of every plain-CGI start).
 */
typedef int pf_collate_fn(const char **pairs, size_t npairs,
    const char *locale);

/*
 * An option's name in the current language, given its code and the name
 * the table has (English): pf_name_message (the name's translation in
 * PF_TEXTDOMAIN), country.h's pf_country_option and pf_us_state_option
 * (Debian's iso-codes catalogues).  NULL, or text that is not one line of
 * UTF-8: the table's name is shown.
 */
typedef const char *pf_name_fn(const char *code, const char *name);
const char *pf_name_message(const char *code, const char *name);

/*
 * pf_pages_options, for every language: the names are translated by names
 * (NULL: shown as they are) in each language but the source one, in the
 * current language now and in each other language when its copy of the
 * template is parsed; with collate (NULL: none), sorted by it in each
 * language but the source one (which keeps the table's order).  pairs
 * must outlive pages.  The same errors as pf_pages_options, the select
 * then forgotten.
 */
int pf_pages_select(struct pf_pages *pages, const char *name,
    const char *control, const char *const *pairs, pf_name_fn *names,
    pf_collate_fn *collate);

/*
 * A new copy of template name (parsed on first use).  Names are [a-z0-9-]+,
 * at most 64 characters (PF_EINVAL otherwise).  PF_ENOTFOUND, PF_EXML.
 */
int pf_page_new(struct pf_pages *pages, const char *name, struct pf_page **out);
void pf_page_free(struct pf_page *page);	/* accepts NULL */

/* Replace the content of the element with this id by text. */
int pf_page_text(struct pf_page *page, const char *id, const char *text);

/* Set (value != NULL) or remove (value == NULL) an attribute of element id. */
int pf_page_attr(struct pf_page *page, const char *id, const char *attr,
    const char *value);

/*
 * Fill the table body (or list) with this id from a model row: its first
 * element child, whose element children are the cells (e.g. a <tr> of
 * <td>s, or an <li> of <span>s).  One copy of the model per row, cell j of
 * row i set to the text cells[i * ncols + j] (NULL: left empty); the model
 * itself is removed, so zero rows leave the element empty.  PF_ENOTFOUND
 * without such an element or model; PF_EINVAL if the model has fewer than
 * ncols cells or a text is refused.
 */
int pf_page_rows(struct pf_page *page, const char *id,
    const char *const *cells, size_t ncols, size_t nrows);

/*
 * Set attribute attr of cell col (from 0) of the first nrows rows of
 * element id, as pf_page_rows made them, to values[i] for row i (NULL:
 * removed): the datetime of a <time> cell, say.  PF_EINVAL for a refused
 * attribute name or value, PF_ENOTFOUND without such an element, or with
 * fewer rows or cells; the page is left as it was in both cases.
 */
int pf_page_rows_attr(struct pf_page *page, const char *id, size_t col,
    const char *attr, const char *const *values, size_t nrows);

/* Remove element id and its content.  PF_ENOTFOUND if there is none. */
int pf_page_remove(struct pf_page *page, const char *id);

/*
 * Set a form control's value: input value="", textarea content, the
 * selected option of a select, the checked radio or checkbox of that name
 * whose value matches.  PF_ENOTFOUND if no control has that name.
 */
int pf_page_value(struct pf_page *page, const char *name, const char *value);

/*
 * Show message beside the control called name: the element with id
 * "error-NAME" gets the text and loses its hidden attribute; every control
 * of that name gets aria-invalid="true".  The control's error summary, if
 * the page has one, is revealed and gets one list item per call, a link
 * to the first control of that name (by its id: a radio group's first
 * radio, since its fieldset cannot take focus).  A control's summary is
 * the element of class "error-summary" among the children of its nearest
 * ancestor that has one, so each of two forms on a page, each with its
 * summary beside it, keeps its errors to itself.  PF_ENOTFOUND (page
 * unchanged) without such a control or error element.
 */
int pf_page_error(struct pf_page *page, const char *name, const char *message);

/*
 * Serialise as XHTML that HTML parsers read correctly.  *buf is the
 * caller's.  A page that shows an error summary or a notice (an element
 * of class "error-summary" or "notice" without the hidden attribute) gets
 * "Error: " before its <title> first, once.
 */
int pf_page_render(struct pf_page *page, char **buf, size_t *len);

/*
 * Render and send with status (text/html; charset=utf-8) and the extra
 * headers (Retry-After, say; may be NULL).  When req carries the Global
 * Privacy Control signal (request.h's gpc: Sec-GPC: 1 exactly) the page says it was honoured: the element with id PF_PAGE_GPC of the
 * template of that name goes first into its <main>, unless the page says
 * so in its own words (an element of class PF_PAGE_GPC_OWN, which its
 * program keeps or removes); with any other value or none, nothing.
 * pf_page_message's pages the same.
 *
 * Every page is in the current language (lang.h) and says so: the
 * Content-Language header, and Vary: Accept-Language, since the language
 * is chosen by it.  When the site offers more than one language, the page
 * carries the language menu: the element with id PF_PAGE_MENU of the
 * template of that name (a <nav> whose first <ul> holds one model <li>
 * with an <a>), at the end of the page's <header class="site-header">, or
 * first in its <body>: its accessible name _("Language"), and one link
 * per language offered, in the configuration's order, to the same path
 * with the same query parameters (percent-encoded again from their
 * values) and lang=TAG, named in its own language, with hreflang and lang
 * its tag, and aria-current="true" on the current one.  A request whose
 * ?lang= chose the language (request.h's lang_asked) keeps it: every link
 * and form action of the page under the prefix (but its static files)
 * gets lang=TAG too.  At most 6 extra headers.
 */
#define PF_PAGE_MENU	"language-menu"
#define PF_PAGE_GPC	"gpc-notice"
#define PF_PAGE_GPC_OWN	"gpc"
struct pf_header;
int pf_page_send(struct pf_request *req, int status, struct pf_page *page,
    const struct pf_header *extra, size_t nextra);

/*
 * Send the "message" template with a title and a sentence: the page for
 * 400, 404, 405, 413, 415, 503 and the like.  title is the h1 and starts
 * the <title>, which goes on with the template's own (" – Privacy
 * requests").  extra headers (Allow,
 * Retry-After) may be NULL.  Falls back to plain text if even that fails.
 */
int pf_page_message(struct pf_pages *pages, struct pf_request *req, int status,
    const char *title, const char *text, const struct pf_header *extra,
    size_t nextra);

#endif
