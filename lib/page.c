/*
 * page.c -- HTML pages built from the XHTML templates in htdocs/ (page.h).
 *
 * Every value reaches the document as a libxml2 text node or attribute
 * value, never as markup, and the serialiser escapes both; every string is
 * checked with pf_utf8_ok first, because libxml2 2.9.14 would otherwise
 * write control bytes and broken UTF-8 raw (ARCHITECTURE.md, library
 * defects).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xinclude.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>

#include "err.h"
#include "lang.h"
#include "log.h"
#include "nitems.h"
#include "page.h"
#include "request.h"
#include "response.h"
#include "utf8.h"

#define NAME_MAX_LEN	64		/* template and field names */
#define TEMPLATE_URL	"/privacy"	/* the prefix templates are written for */
#define XHTML_NS	"http://www.w3.org/1999/xhtml"
#define DOCTYPE		"<!DOCTYPE html>\n"
#define HTML_TYPE	"text/html; charset=utf-8"
#define TITLE_SEP	" \u2013 "	/* "Page not found – Privacy requests" */

/*
 * One parsed template, modified after loading only by pf_pages_options
 * (before serving): pages copy it.
 */
struct template {
	char		 lang[PF_LANG_MAX];	/* the language it was parsed for */
	char		 name[NAME_MAX_LEN + 1];
	xmlDocPtr	 doc;
};

/*
 * A select pf_pages_options filled: filled again, in the language's own
 * words, in each language's copy of its template as it is parsed.
 */
struct select {
	char			 name[NAME_MAX_LEN + 1];	/* the template */
	const char		*control;
	const char *const	*pairs;		/* code, English name, ... */
	pf_name_fn		*names;		/* that translates them */
	pf_collate_fn		*collate;	/* sorts by name, or NULL */
};

struct pf_pages {
	char		*dir;
	char		*prefix;
	struct template	*tmpl;
	size_t		 ntmpl;
	struct select	*sel;
	size_t		 nsel;
};

struct pf_page {
	xmlDocPtr	 doc;
	struct pf_pages	*pages;	/* its template's: the GPC notice's too */
};

/* Template names become file names: [a-z0-9-]+ only, so no "../". */
static int
name_ok(const char *name)
{
	size_t	 i;

	for (i = 0; name[i] != '\0'; i++)
		if (i >= NAME_MAX_LEN || !((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '-'))
			return 0;
	return i > 0;
}

/*
 * A URL path without trailing slash, or "" for the site root.  "//" and a
 * backslash are refused: browsers read "//host/..." and "/\host/..." as
 * another site, so a bad prefix would send every form there.
 */
static int
prefix_ok(const char *prefix)
{
	size_t	 len = strlen(prefix);

	if (len == 0)
		return 1;
	if (!pf_utf8_ok(prefix, len, 0) || prefix[0] != '/' ||
	    prefix[len - 1] == '/' || prefix[1] == '/')
		return 0;
	return strpbrk(prefix, "\\?# \t\"<>") == NULL;
}

/* Attribute names a caller may set: [a-z][a-z0-9-]*, no event handlers. */
static int
attr_name_ok(const char *attr)
{
	size_t	 i;

	if (attr[0] < 'a' || attr[0] > 'z' || strncmp(attr, "on", 2) == 0)
		return 0;
	for (i = 1; attr[i] != '\0'; i++)
		if (!((attr[i] >= 'a' && attr[i] <= 'z') ||
		    (attr[i] >= '0' && attr[i] <= '9') || attr[i] == '-'))
			return 0;
	return i <= NAME_MAX_LEN;
}

static int
text_ok(const char *s, int multiline)
{
	return s != NULL && pf_utf8_ok(s, strlen(s), multiline);
}

/* The node after n in document order within root, or NULL. */
static xmlNodePtr
next_node(xmlNodePtr root, xmlNodePtr n)
{
	if (n->type == XML_ELEMENT_NODE && n->children != NULL)
		return n->children;
	while (n != root) {
		if (n->next != NULL)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

static int
is_element(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    xmlStrEqual(n->name, (const xmlChar *)name);
}

/* 1 if element n has attribute attr (no namespace) equal to value. */
static int
attr_is(xmlNodePtr n, const char *attr, const char *value, int nocase)
{
	xmlChar	*v;
	int	 eq;

	if ((v = xmlGetNoNsProp(n, (const xmlChar *)attr)) == NULL)
		return 0;
	eq = nocase ? xmlStrcasecmp(v, (const xmlChar *)value) == 0 :
	    xmlStrEqual(v, (const xmlChar *)value);
	xmlFree(v);
	return eq;
}

/* The first node of doc, in document order, that match(n, arg) takes. */
static xmlNodePtr
find_first(xmlDocPtr doc, int (*match)(xmlNodePtr n, const char *arg),
    const char *arg)
{
	xmlNodePtr	 root, n;

	root = xmlDocGetRootElement(doc);
	for (n = root; n != NULL; n = next_node(root, n))
		if (match(n, arg))
			return n;
	return NULL;
}

/* 1 if n is the element with this id. */
static int
has_id(xmlNodePtr n, const char *id)
{
	return n->type == XML_ELEMENT_NODE && attr_is(n, "id", id, 0);
}

/* The element with this id.  Walked, since without a DTD nothing is an ID. */
static xmlNodePtr
find_id(xmlDocPtr doc, const char *id)
{
	return find_first(doc, has_id, id);
}

/* A control whose value can be set: input (not a button), textarea, select. */
static int
is_control(xmlNodePtr n, const char *name)
{
	static const char *const buttons[] =
	    { "submit", "button", "reset", "image", "file" };
	size_t	 i;

	if (is_element(n, "textarea") || is_element(n, "select"))
		return attr_is(n, "name", name, 0);
	if (!is_element(n, "input") || !attr_is(n, "name", name, 0))
		return 0;
	for (i = 0; i < nitems(buttons); i++)
		if (attr_is(n, "type", buttons[i], 1))
			return 0;
	return 1;
}

/* Set n's attribute attr to value, or remove it when value is NULL. */
static int
set_attr(xmlNodePtr n, const char *attr, const char *value)
{
	if (value == NULL) {
		xmlUnsetProp(n, (const xmlChar *)attr);
		return PF_OK;
	}
	if (xmlSetProp(n, (const xmlChar *)attr, (const xmlChar *)value) == NULL)
		return PF_ENOMEM;
	return PF_OK;
}

/* Set (on) or remove a boolean attribute such as checked="checked". */
static int
set_flag(xmlNodePtr n, const char *attr, int on)
{
	return set_attr(n, attr, on ? attr : NULL);
}

/*
 * Replace n's content by one text node.  The node is made first, so a
 * failure leaves n as it was.  xmlNewDocText stores text as it is (the
 * serialiser escapes it); xmlNodeSetContent with text would read entity
 * references in it instead, hence the NULL.
 */
static int
set_text(xmlNodePtr n, const char *text)
{
	xmlNodePtr	 t;

	if ((t = xmlNewDocText(n->doc, (const xmlChar *)text)) == NULL)
		return PF_ENOMEM;
	xmlNodeSetContent(n, NULL);
	if (xmlAddChild(n, t) == NULL) {
		xmlFreeNode(t);
		return PF_ENOMEM;
	}
	return PF_OK;
}

/*
 * The rewritten form of a template URL, or NULL when url does not start with
 * TEMPLATE_URL "/" (or memory ran out: *rc says which).
 */
static char *
rewrite_url(const xmlChar *url, const char *prefix, int *rc)
{
	const char	*rest;
	char		*out;
	size_t		 plen, rlen;

	*rc = PF_OK;
	if (strncmp((const char *)url, TEMPLATE_URL "/",
	    sizeof(TEMPLATE_URL)) != 0)
		return NULL;
	rest = (const char *)url + sizeof(TEMPLATE_URL) - 1;
	plen = strlen(prefix);
	rlen = strlen(rest);
	if ((out = malloc(plen + rlen + 1)) == NULL) {
		*rc = PF_ENOMEM;
		return NULL;
	}
	memcpy(out, prefix, plen);
	memcpy(out + plen, rest, rlen + 1);
	return out;
}

/* Point every href, action and src under TEMPLATE_URL at prefix instead. */
static int
rewrite_urls(xmlDocPtr doc, const char *prefix)
{
	static const char *const attrs[] = { "href", "action", "src" };
	xmlNodePtr	 root, n;
	xmlChar		*url;
	char		*new;
	size_t		 i;
	int		 rc;

	root = xmlDocGetRootElement(doc);
	for (n = root; n != NULL; n = next_node(root, n)) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (i = 0; i < nitems(attrs); i++) {
			url = xmlGetNoNsProp(n, (const xmlChar *)attrs[i]);
			if (url == NULL)
				continue;
			new = rewrite_url(url, prefix, &rc);
			xmlFree(url);
			if (new != NULL && xmlSetProp(n,
			    (const xmlChar *)attrs[i], (xmlChar *)new) == NULL)
				rc = PF_ENOMEM;
			free(new);
			if (rc != PF_OK)
				return rc;
		}
	}
	return PF_OK;
}

/* Tell the operator why a template did not parse (its text, not PII). */
static void
log_parse_error(const char *path)
{
	const xmlError	*e = xmlGetLastError();
	char		 msg[160];
	size_t		 len;

	if (e == NULL || e->message == NULL) {
		pf_log(PF_LOG_ERR, "%s: not well-formed XML", path);
		return;
	}
	snprintf(msg, sizeof(msg), "%s", e->message);
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	pf_log(PF_LOG_ERR, "%s:%d: %s", path, e->line, msg);
}

/* Point n and everything under it that uses namespace ns at to instead. */
static void
ns_replace(xmlNodePtr top, xmlNsPtr ns, xmlNsPtr to)
{
	xmlNodePtr	 n;
	xmlAttrPtr	 a;

	for (n = top; n != NULL; n = next_node(top, n)) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (n->ns == ns)
			n->ns = to;
		for (a = n->properties; a != NULL; a = a->next)
			if (a->ns == ns)
				a->ns = to;
	}
}

/*
 * Drop element n's namespace declarations that repeat one in scope at its
 * parent.  libxml2 declares the namespace again on each node it copies
 * into a document (XInclude, pf_page_rows), so every row or included
 * section would otherwise carry its own xmlns="...".
 */
static void
ns_tidy(xmlNodePtr n)
{
	xmlNsPtr	*p = &n->nsDef, def, outer;

	if (n->parent == NULL || n->parent->type != XML_ELEMENT_NODE)
		return;
	while ((def = *p) != NULL) {
		outer = xmlSearchNs(n->doc, n->parent, def->prefix);
		if (outer == NULL || !xmlStrEqual(outer->href, def->href)) {
			p = &def->next;
			continue;
		}
		ns_replace(n, def, outer);
		*p = def->next;
		def->next = NULL;
		xmlFreeNs(def);
	}
}

/*
 * Replace doc's xi:include elements by what they name, relative to path.
 * The included files are parsed as the template is (no network) and leave
 * no trace: no XInclude marker nodes (NOXINCNODE), no xml:base attributes
 * (NOBASEFIX), which an HTML reader would not understand.
 */
static int
include(xmlDocPtr doc, const char *path)
{
	xmlNodePtr	 root, n;

	xmlResetLastError();
	if (xmlXIncludeProcessFlags(doc, XML_PARSE_NONET |
	    XML_PARSE_NOXINCNODE | XML_PARSE_NOBASEFIX | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING) < 0) {
		log_parse_error(path);
		return PF_EXML;
	}
	root = xmlDocGetRootElement(doc);
	for (n = root; n != NULL; n = next_node(root, n))
		if (n->type == XML_ELEMENT_NODE && n->nsDef != NULL)
			ns_tidy(n);
	return PF_OK;
}

/*
 * Parse path: no network, no DTD loading, no entity substitution.  A
 * template must be a DOCTYPE-less XHTML document (the DOCTYPE is written at
 * render time), so it cannot declare entities either.  Its XIncludes are
 * resolved here, once per process.
 */
static int
parse(const char *path, xmlDocPtr *out)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root;
	int		 fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return PF_ENOTFOUND;
		pf_log(PF_LOG_ERR, "%s: %s", path, strerror(errno));
		return PF_EIO;
	}
	xmlResetLastError();
	doc = xmlReadFd(fd, path, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	close(fd);
	if (doc == NULL) {
		log_parse_error(path);
		return PF_EXML;
	}
	if (include(doc, path) != PF_OK) {
		xmlFreeDoc(doc);
		return PF_EXML;
	}
	root = xmlDocGetRootElement(doc);
	if (doc->intSubset != NULL || root == NULL ||
	    !is_element(root, "html") || root->ns == NULL ||
	    !xmlStrEqual(root->ns->href, (const xmlChar *)XHTML_NS)) {
		pf_log(PF_LOG_ERR, "%s: not an XHTML template "
		    "(html root in the XHTML namespace, no DOCTYPE)", path);
		xmlFreeDoc(doc);
		return PF_EXML;
	}
	*out = doc;
	return PF_OK;
}

/*
 * The file of template name in language tag, a new string (NULL: out of
 * memory): DIR/NAME.xhtml in the source language, DIR/GETTEXT-NAME/NAME.xhtml
 * in another (lang.h: "pt-BR" is in pt_BR/).
 */
static char *
template_path(const struct pf_pages *pages, const char *tag, const char *name)
{
	char	 sub[PF_LANG_MAX + 1] = "";
	char	*path;
	size_t	 len;

	if (strcmp(tag, PF_LANG_SOURCE) != 0) {
		if (pf_lang_name(tag, sub) != PF_OK)
			return NULL;	/* pf_lang_use took it: never */
		strcat(sub, "/");
	}
	len = strlen(pages->dir) + strlen(sub) + strlen(name) +
	    sizeof("/.xhtml");
	if ((path = malloc(len)) != NULL)
		snprintf(path, len, "%s/%s%s.xhtml", pages->dir, sub, name);
	return path;
}

/*
 * Parse template name in language tag: its translation, or the source
 * template where the language has none (logged; once per process, since
 * what is parsed is cached).
 */
static int
parse_in(const struct pf_pages *pages, const char *tag, const char *name,
    xmlDocPtr *doc)
{
	char	*path;
	int	 rc;

	if ((path = template_path(pages, tag, name)) == NULL)
		return PF_ENOMEM;
	rc = parse(path, doc);
	if (rc == PF_ENOTFOUND && strcmp(tag, PF_LANG_SOURCE) != 0) {
		pf_log(PF_LOG_WARN, "%s: no such file: the %s page is shown "
		    "from its source template", path, name);
		free(path);
		if ((path = template_path(pages, PF_LANG_SOURCE, name)) == NULL)
			return PF_ENOMEM;
		rc = parse(path, doc);
	}
	free(path);
	return rc;
}

/* The page's language and writing direction on its root (lang.h). */
static int
set_language(xmlDocPtr doc, const char *tag)
{
	xmlNodePtr	 root = xmlDocGetRootElement(doc);
	int		 rc;

	if ((rc = set_attr(root, "lang", tag)) != PF_OK)
		return rc;
	return set_attr(root, "dir", pf_lang_dir());
}

static int fill_select(xmlDocPtr doc, const struct select *sel);

/*
 * Parse template name in the current language into the cache, its URLs
 * under the prefix, its language said, its selects filled; *out points
 * into the cache.
 */
static int
load(struct pf_pages *pages, const char *tag, const char *name,
    xmlDocPtr *out)
{
	struct template	*t;
	xmlDocPtr	 doc = NULL;
	size_t		 i;
	int		 rc;

	if ((rc = parse_in(pages, tag, name, &doc)) != PF_OK ||
	    (rc = rewrite_urls(doc, pages->prefix)) != PF_OK ||
	    (rc = set_language(doc, tag)) != PF_OK)
		goto done;
	for (i = 0; i < pages->nsel; i++)
		if (strcmp(pages->sel[i].name, name) == 0 &&
		    (rc = fill_select(doc, &pages->sel[i])) != PF_OK) {
			pf_log(PF_LOG_ERR, "the %s template in %s: its select "
			    "%s: %s", name, tag, pages->sel[i].control,
			    pf_strerror(rc));
			goto done;
		}
	t = reallocarray(pages->tmpl, pages->ntmpl + 1, sizeof(*t));
	if (t == NULL) {
		rc = PF_ENOMEM;
		goto done;
	}
	pages->tmpl = t;
	t = &pages->tmpl[pages->ntmpl++];
	snprintf(t->lang, sizeof(t->lang), "%s", tag);
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->doc = *out = doc;
	doc = NULL;
done:
	xmlFreeDoc(doc);
	return rc;
}

int
pf_pages_open(const char *dir, const char *prefix, struct pf_pages **out)
{
	struct pf_pages	*pages;

	*out = NULL;
	if (dir == NULL || prefix == NULL || *dir == '\0' || !prefix_ok(prefix))
		return PF_EINVAL;
	xmlInitParser();
	if ((pages = calloc(1, sizeof(*pages))) == NULL)
		return PF_ENOMEM;
	if ((pages->dir = strdup(dir)) == NULL ||
	    (pages->prefix = strdup(prefix)) == NULL) {
		pf_pages_free(pages);
		return PF_ENOMEM;
	}
	*out = pages;
	return PF_OK;
}

void
pf_pages_free(struct pf_pages *pages)
{
	size_t	 i;

	if (pages == NULL)
		return;
	for (i = 0; i < pages->ntmpl; i++)
		xmlFreeDoc(pages->tmpl[i].doc);
	free(pages->tmpl);
	free(pages->sel);
	free(pages->dir);
	free(pages->prefix);
	free(pages);
}

/* Template name in language tag, if it is cached; NULL if not. */
static xmlDocPtr
find_cached(const struct pf_pages *pages, const char *tag, const char *name)
{
	size_t	 i;

	for (i = 0; i < pages->ntmpl; i++)
		if (strcmp(pages->tmpl[i].name, name) == 0 &&
		    strcmp(pages->tmpl[i].lang, tag) == 0)
			return pages->tmpl[i].doc;
	return NULL;
}

/*
 * The cached template name in the current language, parsed now if it was
 * not yet: once per process and language.
 */
static int
cached(struct pf_pages *pages, const char *name, xmlDocPtr *out)
{
	const char	*tag = pf_lang_current();

	if (pages == NULL || name == NULL || !name_ok(name))
		return PF_EINVAL;
	if ((*out = find_cached(pages, tag, name)) != NULL)
		return PF_OK;
	return load(pages, tag, name, out);
}

/* 1 if n is a select called control. */
static int
is_select(xmlNodePtr n, const char *control)
{
	return is_element(n, "select") && attr_is(n, "name", control, 0);
}

/*
 * A detached list of <option value="CODE">NAME</option> siblings for select
 * s, one per pair, or NULL (out of memory).  The caller owns the list.
 */
static xmlNodePtr
option_list(xmlNodePtr s, const char *const *pairs)
{
	xmlNodePtr	 first = NULL, last = NULL, opt;

	for (; pairs[0] != NULL; pairs += 2) {
		opt = xmlNewDocNode(s->doc, s->ns, (const xmlChar *)"option",
		    NULL);
		if (opt == NULL)
			goto fail;
		if (first == NULL)
			first = opt;
		else if (xmlAddNextSibling(last, opt) == NULL) {
			xmlFreeNode(opt);
			goto fail;
		}
		last = opt;
		if (xmlNewProp(opt, (const xmlChar *)"value",
		    (const xmlChar *)pairs[0]) == NULL ||
		    set_text(opt, pairs[1]) != PF_OK)
			goto fail;
	}
	return first;
fail:
	xmlFreeNodeList(first);
	return NULL;
}

/* Check every string of pairs first, so a refusal changes nothing. */
static int
pairs_ok(const char *const *pairs)
{
	for (; pairs[0] != NULL; pairs += 2)
		if (!text_ok(pairs[0], 0) || !text_ok(pairs[1], 0))
			return 0;
	return 1;
}

/*
 * Add pairs' options to every select called control in doc.  Every list
 * is built before any is added, so that running out of memory leaves the
 * template as it was; adding an element cannot fail.
 */
static int
add_options(xmlDocPtr doc, const char *control, const char *const *pairs)
{
	xmlNodePtr	 root, n, *lists = NULL;
	size_t		 i, nsel = 0;
	int		 rc;

	root = xmlDocGetRootElement(doc);
	for (n = root; n != NULL; n = next_node(root, n))
		nsel += is_select(n, control);
	if (nsel == 0)
		return PF_ENOTFOUND;
	if (pairs[0] == NULL)
		return PF_OK;
	if ((lists = calloc(nsel, sizeof(*lists))) == NULL)
		return PF_ENOMEM;
	rc = PF_ENOMEM;
	for (i = 0, n = root; n != NULL; n = next_node(root, n))
		if (is_select(n, control) &&
		    (lists[i++] = option_list(n, pairs)) == NULL)
			goto done;
	/* This walk goes on into the options it adds: none is a select. */
	for (i = 0, n = root; n != NULL; n = next_node(root, n))
		if (is_select(n, control)) {
			xmlAddChildList(n, lists[i]);
			lists[i++] = NULL;
		}
	rc = PF_OK;
done:
	for (i = 0; i < nsel; i++)
		xmlFreeNodeList(lists[i]);
	free(lists);
	return rc;
}

const char *
pf_name_message(const char *code, const char *name)
{
	(void)code;
	return _(name);
}

/*
 * The name of code in sel in the current language: sel->names's, when it
 * has one that is acceptable text, else the name as the table has it.
 */
static const char *
option_name(const struct select *sel, const char *code, const char *name)
{
	const char	*t;

	if (sel->names == NULL || strcmp(pf_lang_current(),
	    PF_LANG_SOURCE) == 0)
		return name;
	t = sel->names(code, name);
	return t != NULL && text_ok(t, 0) ? t : name;
}

/*
 * sel's options in doc, in the current language: names translated and,
 * for a sorted list in another language than the table's, sorted as
 * that language sorts them (sel->collate).
 */
static int
fill_select(xmlDocPtr doc, const struct select *sel)
{
	const char	**pairs;
	char		  locale[PF_LANG_MAX];
	size_t		  n, i;
	int		  rc;

	for (n = 0; sel->pairs[2 * n] != NULL; n++)
		continue;
	if ((pairs = calloc(2 * n + 1, sizeof(*pairs))) == NULL)
		return PF_ENOMEM;
	for (i = 0; i < n; i++) {
		pairs[2 * i] = sel->pairs[2 * i];
		pairs[2 * i + 1] = option_name(sel, sel->pairs[2 * i],
		    sel->pairs[2 * i + 1]);
	}
	rc = PF_OK;
	if (sel->collate != NULL &&
	    strcmp(pf_lang_current(), PF_LANG_SOURCE) != 0 &&
	    pf_lang_name(pf_lang_current(), locale) == PF_OK)
		rc = sel->collate(pairs, n, locale);
	if (rc != PF_ENOMEM)	/* no collator for it: the table's order */
		rc = add_options(doc, sel->control, pairs);
	free(pairs);
	return rc;
}

int
pf_pages_options(struct pf_pages *pages, const char *name,
    const char *control, const char *const *pairs)
{
	return pf_pages_select(pages, name, control, pairs, NULL, NULL);
}

/*
 * The select is kept (pages->sel) for the languages parsed later, and
 * filled now in the current language's template: in the cached one, or
 * by parsing it, which fills every select kept.  A failure forgets it.
 */
int
pf_pages_select(struct pf_pages *pages, const char *name,
    const char *control, const char *const *pairs, pf_name_fn *names,
    pf_collate_fn *collate)
{
	struct select	*sel;
	xmlDocPtr	 doc;
	int		 rc;

	if (pages == NULL || name == NULL || !name_ok(name) ||
	    control == NULL || pairs == NULL || !pairs_ok(pairs))
		return PF_EINVAL;
	if ((sel = reallocarray(pages->sel, pages->nsel + 1,
	    sizeof(*sel))) == NULL)
		return PF_ENOMEM;
	pages->sel = sel;
	sel = &pages->sel[pages->nsel++];
	snprintf(sel->name, sizeof(sel->name), "%s", name);
	sel->control = control;
	sel->pairs = pairs;
	sel->names = names;
	sel->collate = collate;
	if ((doc = find_cached(pages, pf_lang_current(), name)) != NULL)
		rc = fill_select(doc, sel);
	else
		rc = cached(pages, name, &doc);
	if (rc != PF_OK)
		pages->nsel--;
	return rc;
}

int
pf_page_new(struct pf_pages *pages, const char *name, struct pf_page **out)
{
	struct pf_page	*page;
	xmlDocPtr	 tmpl = NULL;
	int		 rc;

	*out = NULL;
	if ((rc = cached(pages, name, &tmpl)) != PF_OK)
		return rc;
	if ((page = calloc(1, sizeof(*page))) == NULL)
		return PF_ENOMEM;
	if ((page->doc = xmlCopyDoc(tmpl, 1)) == NULL) {
		free(page);
		return PF_ENOMEM;
	}
	page->pages = pages;
	*out = page;
	return PF_OK;
}

void
pf_page_free(struct pf_page *page)
{
	if (page == NULL)
		return;
	xmlFreeDoc(page->doc);
	free(page);
}

int
pf_page_text(struct pf_page *page, const char *id, const char *text)
{
	xmlNodePtr	 n;

	if (page == NULL || id == NULL || !text_ok(text, 1))
		return PF_EINVAL;
	if ((n = find_id(page->doc, id)) == NULL)
		return PF_ENOTFOUND;
	return set_text(n, text);
}

int
pf_page_attr(struct pf_page *page, const char *id, const char *attr,
    const char *value)
{
	xmlNodePtr	 n;

	if (page == NULL || id == NULL || attr == NULL || !attr_name_ok(attr))
		return PF_EINVAL;
	if (value != NULL && !text_ok(value, 0))
		return PF_EINVAL;
	if ((n = find_id(page->doc, id)) == NULL)
		return PF_ENOTFOUND;
	return set_attr(n, attr, value);
}

/* n, or the first element among the siblings after it, or NULL. */
static xmlNodePtr
element_from(xmlNodePtr n)
{
	while (n != NULL && n->type != XML_ELEMENT_NODE)
		n = n->next;
	return n;
}

/* The first element child of n, or NULL. */
static xmlNodePtr
first_element(xmlNodePtr n)
{
	return element_from(n->children);
}

/* The element after n among its siblings, or NULL. */
static xmlNodePtr
next_element(xmlNodePtr n)
{
	return element_from(n->next);
}

/*
 * A copy of model with its first ncols element children set to cells
 * (NULL: emptied), or NULL when out of memory.  The caller owns it.
 */
static xmlNodePtr
row_copy(xmlNodePtr model, const char *const *cells, size_t ncols)
{
	xmlNodePtr	 row, cell;
	size_t		 j;

	if ((row = xmlDocCopyNode(model, model->doc, 1)) == NULL)
		return NULL;
	for (j = 0, cell = first_element(row); j < ncols;
	    j++, cell = next_element(cell)) {
		if (cells[j] == NULL)
			xmlNodeSetContent(cell, NULL);
		else if (set_text(cell, cells[j]) != PF_OK) {
			xmlFreeNode(row);
			return NULL;
		}
	}
	return row;
}

/*
 * Every row is built, detached, before the page changes, so a refusal or
 * running out of memory leaves the page as it was.  The rows take the
 * model's place, among the whitespace around it.
 */
int
pf_page_rows(struct pf_page *page, const char *id,
    const char *const *cells, size_t ncols, size_t nrows)
{
	xmlNodePtr	 body, model, cell, *rows;
	size_t		 i, n;
	int		 rc = PF_OK;

	if (page == NULL || id == NULL ||
	    nrows >= SIZE_MAX / sizeof(*rows) ||
	    (ncols > 0 && nrows > SIZE_MAX / ncols / sizeof(*cells)) ||
	    (ncols > 0 && nrows > 0 && cells == NULL))
		return PF_EINVAL;
	if ((body = find_id(page->doc, id)) == NULL ||
	    (model = first_element(body)) == NULL)
		return PF_ENOTFOUND;
	for (n = 0, cell = first_element(model); cell != NULL && n < ncols;
	    cell = next_element(cell))
		n++;
	if (n < ncols)
		return PF_EINVAL;
	for (i = 0; i < nrows * ncols; i++)
		if (cells[i] != NULL && !text_ok(cells[i], 1))
			return PF_EINVAL;
	if ((rows = calloc(nrows + 1, sizeof(*rows))) == NULL)
		return PF_ENOMEM;
	for (i = 0; i < nrows; i++)
		if ((rows[i] = row_copy(model, ncols > 0 ? cells + i * ncols :
		    NULL, ncols)) == NULL) {
			rc = PF_ENOMEM;
			break;
		}
	for (i = 0; i < nrows && rc == PF_OK; i++) {
		xmlAddPrevSibling(model, rows[i]);
		ns_tidy(rows[i]);
	}
	if (rc == PF_OK) {
		xmlUnlinkNode(model);
		xmlFreeNode(model);
	} else
		for (i = 0; i < nrows; i++)
			xmlFreeNode(rows[i]);
	free(rows);
	return rc;
}

/* Cell col (from 0) of row: its element child, or NULL. */
static xmlNodePtr
row_cell(xmlNodePtr row, size_t col)
{
	xmlNodePtr	 cell = first_element(row);

	while (cell != NULL && col-- > 0)
		cell = next_element(cell);
	return cell;
}

/*
 * Every cell is found before any is changed (the first pass), so that a
 * missing row or cell leaves the page as it was.
 */
int
pf_page_rows_attr(struct pf_page *page, const char *id, size_t col,
    const char *attr, const char *const *values, size_t nrows)
{
	xmlNodePtr	 body, row, cell;
	size_t		 i;
	int		 set;

	if (page == NULL || id == NULL || attr == NULL ||
	    !attr_name_ok(attr) || (nrows > 0 && values == NULL))
		return PF_EINVAL;
	for (i = 0; i < nrows; i++)
		if (values[i] != NULL && !text_ok(values[i], 0))
			return PF_EINVAL;
	if ((body = find_id(page->doc, id)) == NULL)
		return PF_ENOTFOUND;
	for (set = 0; set < 2; set++)
		for (i = 0, row = first_element(body); i < nrows;
		    i++, row = next_element(row)) {
			if (row == NULL || (cell = row_cell(row, col)) == NULL)
				return PF_ENOTFOUND;
			if (!set)
				continue;
			if (values[i] == NULL)
				xmlUnsetProp(cell, (const xmlChar *)attr);
			else if (xmlSetProp(cell, (const xmlChar *)attr,
			    (const xmlChar *)values[i]) == NULL)
				return PF_ENOMEM;
		}
	return PF_OK;
}

/* Take n out and free it, with the indentation before it: no blank line. */
static void
remove_node(xmlNodePtr n)
{
	xmlNodePtr	 prev = n->prev;

	if (prev != NULL && prev->type == XML_TEXT_NODE && xmlIsBlankNode(prev)) {
		xmlUnlinkNode(prev);
		xmlFreeNode(prev);
	}
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

int
pf_page_remove(struct pf_page *page, const char *id)
{
	xmlNodePtr	 n;

	if (page == NULL || id == NULL)
		return PF_EINVAL;
	if ((n = find_id(page->doc, id)) == NULL)
		return PF_ENOTFOUND;
	remove_node(n);
	return PF_OK;
}

/* Select the option of select s whose value (or, lacking one, text) matches. */
static int
select_option(xmlNodePtr s, const char *value)
{
	xmlNodePtr	 n;
	xmlChar		*v;
	int		 rc, match;

	for (n = s; n != NULL; n = next_node(s, n)) {
		if (!is_element(n, "option"))
			continue;
		if ((v = xmlGetNoNsProp(n, (const xmlChar *)"value")) == NULL)
			v = xmlNodeGetContent(n);
		match = v != NULL && xmlStrEqual(v, (const xmlChar *)value);
		xmlFree(v);
		if ((rc = set_flag(n, "selected", match)) != PF_OK)
			return rc;
	}
	return PF_OK;
}

static int
set_value(xmlNodePtr n, const char *value)
{
	char	*text;
	size_t	 len;
	int	 rc;

	if (is_element(n, "select"))
		return select_option(n, value);
	if (is_element(n, "textarea")) {
		/* An HTML parser drops one newline right after <textarea>. */
		if (value[0] != '\n')
			return set_text(n, value);
		len = strlen(value);
		if ((text = malloc(len + 2)) == NULL)
			return PF_ENOMEM;
		text[0] = '\n';
		memcpy(text + 1, value, len + 1);
		rc = set_text(n, text);
		free(text);
		return rc;
	}
	if (attr_is(n, "type", "radio", 1) || attr_is(n, "type", "checkbox", 1))
		return set_flag(n, "checked", attr_is(n, "value", value, 0) ||
		    (strcmp(value, "on") == 0 && xmlHasProp(n,
		    (const xmlChar *)"value") == NULL));
	if (xmlSetProp(n, (const xmlChar *)"value", (const xmlChar *)value) == NULL)
		return PF_ENOMEM;
	return PF_OK;
}

int
pf_page_value(struct pf_page *page, const char *name, const char *value)
{
	xmlNodePtr	 root, n;
	size_t		 found = 0;
	int		 rc, multiline;

	if (page == NULL || name == NULL || !text_ok(value, 1))
		return PF_EINVAL;
	multiline = strchr(value, '\n') != NULL;
	root = xmlDocGetRootElement(page->doc);
	/* Check every control first, so a refusal leaves the page unchanged. */
	for (n = root; n != NULL; n = next_node(root, n)) {
		if (!is_control(n, name))
			continue;
		if (multiline && !is_element(n, "textarea"))
			return PF_EINVAL;
		found++;
	}
	if (found == 0)
		return PF_ENOTFOUND;
	for (n = root; n != NULL; n = next_node(root, n))
		if (is_control(n, name) && (rc = set_value(n, value)) != PF_OK)
			return rc;
	return PF_OK;
}

/* 1 if element n's class attribute holds the class cls. */
static int
has_class(xmlNodePtr n, const char *cls)
{
	static const char blank[] = " \t\r\n\f";
	const char	*p;
	xmlChar		*v;
	size_t		 len = strlen(cls), w;
	int		 hit = 0;

	if (n->type != XML_ELEMENT_NODE ||
	    (v = xmlGetNoNsProp(n, (const xmlChar *)"class")) == NULL)
		return 0;
	for (p = (const char *)v; !hit; p += w) {
		p += strspn(p, blank);
		if ((w = strcspn(p, blank)) == 0)
			break;
		hit = w == len && strncmp(p, cls, len) == 0;
	}
	xmlFree(v);
	return hit;
}

/*
 * The error summary of control n: an element of class "error-summary"
 * among the children of n's nearest ancestor that has one.  So each of
 * two forms on one page, its summary placed beside it, keeps its errors
 * there, and a page with one summary above its form finds that one.
 */
static xmlNodePtr
summary_of(xmlNodePtr n)
{
	xmlNodePtr	 a, c;

	for (a = n->parent; a != NULL && a->type == XML_ELEMENT_NODE;
	    a = a->parent)
		for (c = first_element(a); c != NULL; c = next_element(c))
			if (has_class(c, "error-summary"))
				return c;
	return NULL;
}

/* The list a summary holds its items in: its first ul or ol, or NULL. */
static xmlNodePtr
summary_list(xmlNodePtr summary)
{
	xmlNodePtr	 n;

	for (n = summary; n != NULL; n = next_node(summary, n))
		if (is_element(n, "ul") || is_element(n, "ol"))
			return n;
	return NULL;
}

/*
 * <li><a href="#target">message</a></li> in the XHTML namespace of list,
 * target the id of the field's first control (a radio group's first
 * radio: its fieldset cannot take focus), or its name if it has no id.
 */
static xmlNodePtr
summary_item(xmlNodePtr list, xmlNodePtr control, const char *name,
    const char *message)
{
	xmlNodePtr	 li, a;
	xmlChar		*id;
	char		*href;
	size_t		 n;

	id = xmlGetNoNsProp(control, (const xmlChar *)"id");
	n = strlen(id != NULL && *id != '\0' ? (char *)id : name) + 2;
	if ((href = malloc(n)) != NULL)
		snprintf(href, n, "#%s", id != NULL && *id != '\0' ?
		    (char *)id : name);
	xmlFree(id);
	li = href == NULL ? NULL : xmlNewDocNode(list->doc, list->ns,
	    (const xmlChar *)"li", NULL);
	a = li == NULL ? NULL : xmlNewDocNode(list->doc, list->ns,
	    (const xmlChar *)"a", NULL);
	if (a == NULL || xmlAddChild(li, a) == NULL) {
		xmlFreeNode(a);
		xmlFreeNode(li);
		li = NULL;
	} else if (xmlNewProp(a, (const xmlChar *)"href", (xmlChar *)href) ==
	    NULL || set_text(a, message) != PF_OK) {
		xmlFreeNode(li);
		li = NULL;
	}
	free(href);
	return li;
}

int
pf_page_error(struct pf_page *page, const char *name, const char *message)
{
	xmlNodePtr	 root, n, first, err, summary, list = NULL, li = NULL;
	char		 id[sizeof("error-") + NAME_MAX_LEN];
	int		 rc;

	if (page == NULL || !text_ok(name, 0) || !text_ok(message, 0) ||
	    *name == '\0' || strlen(name) > NAME_MAX_LEN)
		return PF_EINVAL;
	snprintf(id, sizeof(id), "error-%s", name);
	if ((first = find_first(page->doc, is_control, name)) == NULL ||
	    (err = find_id(page->doc, id)) == NULL)
		return PF_ENOTFOUND;
	if ((summary = summary_of(first)) != NULL &&
	    (list = summary_list(summary)) != NULL &&
	    (li = summary_item(list, first, name, message)) == NULL)
		return PF_ENOMEM;
	if ((rc = set_text(err, message)) != PF_OK) {
		xmlFreeNode(li);
		return rc;
	}
	xmlUnsetProp(err, (const xmlChar *)"hidden");
	root = xmlDocGetRootElement(page->doc);
	for (n = root; n != NULL; n = next_node(root, n))
		if (is_control(n, name) && xmlSetProp(n,
		    (const xmlChar *)"aria-invalid", (const xmlChar *)"true") == NULL)
			rc = PF_ENOMEM;
	if (summary != NULL)
		xmlUnsetProp(summary, (const xmlChar *)"hidden");
	if (li != NULL && xmlAddChild(list, li) == NULL) {
		xmlFreeNode(li);
		rc = PF_ENOMEM;
	}
	return rc;
}

/* 1 if doc shows an error summary or a notice (one not hidden). */
static int
shows_errors(xmlDocPtr doc)
{
	xmlNodePtr	 root, n;

	root = xmlDocGetRootElement(doc);
	for (n = root; n != NULL; n = next_node(root, n))
		if ((has_class(n, "error-summary") || has_class(n, "notice")) &&
		    xmlHasProp(n, (const xmlChar *)"hidden") == NULL)
			return 1;
	return 0;
}

/*
 * Put before <title>'s text: prefix, unless it starts with it already.
 * PF_OK (also for a page without a title), or PF_ENOMEM.
 */
static int
title_prefix(xmlDocPtr doc, const char *prefix)
{
	xmlNodePtr	 t = find_first(doc, is_element, "title");
	xmlChar		*old;
	char		*s;
	size_t		 n;
	int		 rc = PF_OK;

	if (t == NULL)
		return PF_OK;
	if ((old = xmlNodeGetContent(t)) == NULL)
		return PF_ENOMEM;
	n = strlen(prefix) + strlen((char *)old) + 1;
	if (strncmp((char *)old, prefix, strlen(prefix)) == 0)
		;	/* shown again: said once is enough */
	else if ((s = malloc(n)) == NULL)
		rc = PF_ENOMEM;
	else {
		snprintf(s, n, "%s%s", prefix, (char *)old);
		rc = set_text(t, s);
		free(s);
	}
	xmlFree(old);
	return rc;
}

/*
 * XML_SAVE_XHTML follows the HTML compatibility guidelines of XHTML 1.0:
 * void elements as "<br />", every other empty element as "<p></p>" (an
 * HTML parser reads "<p/>" as an open tag), no XML declaration.  It also
 * adds a Content-Type meta unless the head has one, which is why the
 * templates declare their charset with http-equiv rather than <meta charset>.
 */
int
pf_page_render(struct pf_page *page, char **buf, size_t *len)
{
	xmlBufferPtr	 xb;
	xmlSaveCtxtPtr	 save;
	size_t		 n;
	int		 rc;

	*buf = NULL;
	*len = 0;
	if (page == NULL)
		return PF_EINVAL;
	/* GOV.UK's way: the title, read out first, says something went wrong. */
	if (shows_errors(page->doc) &&
	    /* TRANSLATORS: before the title of a page with errors to fix. */
	    (rc = title_prefix(page->doc, _("Error: "))) != PF_OK)
		return rc;
	rc = PF_EXML;
	if ((xb = xmlBufferCreate()) == NULL)
		return PF_ENOMEM;
	save = xmlSaveToBuffer(xb, "UTF-8", XML_SAVE_NO_DECL | XML_SAVE_XHTML);
	if (save == NULL)
		goto done;
	if (xmlSaveDoc(save, page->doc) < 0) {
		xmlSaveClose(save);
		goto done;
	}
	if (xmlSaveClose(save) < 0)
		goto done;
	n = (size_t)xmlBufferLength(xb);
	if ((*buf = malloc(sizeof(DOCTYPE) + n)) == NULL) {
		rc = PF_ENOMEM;
		goto done;
	}
	memcpy(*buf, DOCTYPE, sizeof(DOCTYPE) - 1);
	memcpy(*buf + sizeof(DOCTYPE) - 1, xmlBufferContent(xb), n);
	*len = sizeof(DOCTYPE) - 1 + n;
	(*buf)[*len] = '\0';
	rc = PF_OK;
done:
	xmlBufferFree(xb);
	return rc;
}

/*
 * The Global Privacy Control notice (page.h): when req carries the signal
 * (request.h's gpc), a copy of the element PF_PAGE_GPC of the template of that
 * name first in the page's <main>, unless the page says it in words of
 * its own (an element of class PF_PAGE_GPC_OWN).  Nothing otherwise.
 */
static int
gpc_notice(struct pf_page *page, const struct pf_request *req)
{
	xmlDocPtr	 tmpl;
	xmlNodePtr	 main, from, copy;
	int		 rc;

	if (!req->gpc ||
	    find_first(page->doc, has_class, PF_PAGE_GPC_OWN) != NULL)
		return PF_OK;
	if ((rc = cached(page->pages, PF_PAGE_GPC, &tmpl)) != PF_OK)
		return rc;
	if ((main = find_first(page->doc, is_element, "main")) == NULL ||
	    (from = find_id(tmpl, PF_PAGE_GPC)) == NULL)
		return PF_ENOTFOUND;
	if ((copy = xmlDocCopyNode(from, page->doc, 1)) == NULL)
		return PF_ENOMEM;
	if (main->children != NULL)
		xmlAddPrevSibling(main->children, copy);
	else
		xmlAddChild(main, copy);
	ns_tidy(copy);
	return PF_OK;
}

/*
 * The path s percent-encoded at p (params.h) but for its slashes, never
 * two in a row ("//host" would name another site: the second is %2F);
 * where the copy ends.  p has room for 3 * strlen(s) bytes.
 */
static char *
encode_path(char *p, const char *s)
{
	size_t	 run;
	int	 slash = 0;	/* the last byte written is a '/' */

	for (; *s != '\0'; s += run) {
		if ((run = strcspn(s, "/")) > 0 || slash) {
			run += run == 0;
			p = pf_params_encode(p, s, run);
			slash = 0;
		} else {
			*p++ = '/';
			run = 1;
			slash = 1;
		}
	}
	return p;
}

/*
 * The start of req's page's link in another language, a new string (NULL:
 * out of memory): its path, "?", and each query parameter but lang
 * followed by "&" (a signed link's t= too), all percent-encoded again
 * from their values, so nothing of the request reaches the page as it
 * came.  The caller adds "lang=TAG".
 */
static char *
link_base(const struct pf_request *req)
{
	const struct pf_param	*q = req->query_params;
	size_t			 n = 3 * strlen(req->path) + 2, i;
	char			*s, *p;

	for (i = 0; i < req->nquery; i++)
		n += 3 * (strlen(q[i].name) + q[i].len) + 2;
	if ((s = p = malloc(n)) == NULL)
		return NULL;
	p = encode_path(p, req->path);
	*p++ = '?';
	for (i = 0; i < req->nquery; i++) {
		if (strcmp(q[i].name, PF_LANG_PARAM) == 0)
			continue;
		p = pf_params_encode(p, q[i].name, strlen(q[i].name));
		*p++ = '=';
		p = pf_params_encode(p, q[i].value, q[i].len);
		*p++ = '&';
	}
	*p = '\0';
	return s;
}

/* The first element called name in n's subtree, n included, or NULL. */
static xmlNodePtr
first_in(xmlNodePtr n, const char *name)
{
	xmlNodePtr	 c;

	for (c = n; c != NULL; c = next_node(n, c))
		if (is_element(c, name))
			return c;
	return NULL;
}

/*
 * Item model (an <li> whose first element is an <a>) made into language
 * l's link: base "lang=" its tag, hreflang and lang its tag, its own name,
 * aria-current on the current language's.
 */
static int
menu_item(xmlNodePtr li, const char *base, const struct pf_lang *l)
{
	xmlNodePtr	 a = first_element(li);
	char		*href;
	size_t		 n = strlen(base) + sizeof(PF_LANG_PARAM "=") +
	    strlen(l->tag);
	int		 rc;

	if (a == NULL || !is_element(a, "a"))
		return PF_ENOTFOUND;
	if ((href = malloc(n)) == NULL)
		return PF_ENOMEM;
	snprintf(href, n, "%s" PF_LANG_PARAM "=%s", base, l->tag);
	if ((rc = set_attr(a, "href", href)) == PF_OK &&
	    (rc = set_attr(a, "hreflang", l->tag)) == PF_OK &&
	    (rc = set_attr(a, "lang", l->tag)) == PF_OK &&
	    (rc = set_attr(a, "aria-current", strcmp(l->tag,
	    pf_lang_current()) == 0 ? "true" : NULL)) == PF_OK)
		rc = set_text(a, l->label);
	free(href);
	return rc;
}

/* menu's list (its first <ul>) made one item per language offered. */
static int
menu_items(xmlNodePtr menu, const struct pf_request *req)
{
	const struct pf_lang	*l;
	xmlNodePtr		 ul, model, li;
	char			*base;
	size_t			 n, i;
	int			 rc = PF_OK;

	if ((ul = first_in(menu, "ul")) == NULL ||
	    (model = first_element(ul)) == NULL)
		return PF_ENOTFOUND;
	if ((base = link_base(req)) == NULL)
		return PF_ENOMEM;
	l = pf_lang_offered(&n);
	for (i = 0; i < n && rc == PF_OK; i++) {
		if ((li = xmlDocCopyNode(model, model->doc, 1)) == NULL)
			rc = PF_ENOMEM;
		else if (xmlAddPrevSibling(model, li) == NULL) {
			xmlFreeNode(li);
			rc = PF_ENOMEM;
		} else {
			ns_tidy(li);
			rc = menu_item(li, base, &l[i]);
		}
	}
	free(base);
	remove_node(model);
	return rc;
}

/* 1 if n is a <header> of class site-header. */
static int
is_site_header(xmlNodePtr n, const char *arg)
{
	return is_element(n, "header") && has_class(n, arg);
}

/*
 * The language menu (page.h): when the site offers more than one
 * language, a copy of the element PF_PAGE_MENU of the template of that
 * name, in the current language, at the end of the page's site header
 * (or first in its <body>), with its accessible name and one link per
 * language.
 */
static int
language_menu(struct pf_page *page, const struct pf_request *req)
{
	xmlDocPtr	 tmpl;
	xmlNodePtr	 from, menu, at;
	size_t		 n;
	int		 rc;

	if (pf_lang_offered(&n), n < 2)
		return PF_OK;
	if ((rc = cached(page->pages, PF_PAGE_MENU, &tmpl)) != PF_OK)
		return rc;
	if ((from = find_id(tmpl, PF_PAGE_MENU)) == NULL)
		return PF_ENOTFOUND;
	if ((menu = xmlDocCopyNode(from, page->doc, 1)) == NULL)
		return PF_ENOMEM;
	if ((rc = menu_items(menu, req)) != PF_OK ||
	    (rc = set_attr(menu, "aria-label", _("Language"))) != PF_OK) {
		xmlFreeNode(menu);
		return rc;
	}
	if ((at = find_first(page->doc, is_site_header, "site-header")) != NULL)
		xmlAddChild(at, menu);
	else if ((at = find_first(page->doc, is_element, "body")) != NULL &&
	    at->children != NULL)
		xmlAddPrevSibling(at->children, menu);
	else if (at != NULL)
		xmlAddChild(at, menu);
	else {
		xmlFreeNode(menu);
		return PF_ENOTFOUND;
	}
	ns_tidy(menu);
	return PF_OK;
}

/* 1 if url is one of the site's forms (under prefix, not its files). */
static int
is_form_url(const char *url, const char *prefix)
{
	size_t	 n = strlen(prefix);

	return strncmp(url, prefix, n) == 0 && url[n] == '/' &&
	    strncmp(url + n, "/static/", 8) != 0 &&
	    !pf_lang_url_has(url);
}

/*
 * A visitor who chose a language with ?lang= keeps it: every link and
 * form of the page to another of the site's pages says it too.
 */
static int
keep_language(struct pf_page *page, const struct pf_request *req)
{
	static const char *const attrs[] = { "href", "action" };
	xmlNodePtr	 root, n;
	xmlChar		*url;
	char		*new;
	size_t		 i;
	int		 rc = PF_OK;

	if (!req->lang_asked)
		return PF_OK;
	root = xmlDocGetRootElement(page->doc);
	for (n = root; n != NULL && rc == PF_OK; n = next_node(root, n))
		for (i = 0; n->type == XML_ELEMENT_NODE && i < nitems(attrs) &&
		    rc == PF_OK; i++) {
			if ((url = xmlGetNoNsProp(n,
			    (const xmlChar *)attrs[i])) == NULL)
				continue;
			new = NULL;
			if (is_form_url((char *)url, page->pages->prefix) &&
			    (new = pf_lang_url((char *)url,
			    pf_lang_current())) == NULL)
				rc = PF_ENOMEM;
			else if (new != NULL)
				rc = set_attr(n, attrs[i], new);
			free(new);
			xmlFree(url);
		}
	return rc;
}

/*
 * extra, then Content-Language (the current language) and Vary:
 * Accept-Language (a page's language depends on it), into all: how many,
 * or (size_t)-1 if they do not fit.
 */
#define HEADERS_MAX	8
static size_t
language_headers(const struct pf_header *extra, size_t nextra,
    struct pf_header all[HEADERS_MAX])
{
	if (nextra > HEADERS_MAX - 2)
		return (size_t)-1;
	if (nextra > 0)
		memcpy(all, extra, nextra * sizeof(*extra));
	all[nextra++] = (struct pf_header){ "Content-Language",
	    pf_lang_current() };
	all[nextra++] = (struct pf_header){ "Vary", "Accept-Language" };
	return nextra;
}

/* What every page a program sends gets: the notices, the menu, the links. */
static int
page_finish(struct pf_page *page, const struct pf_request *req)
{
	int	 rc;

	if ((rc = gpc_notice(page, req)) == PF_OK &&
	    (rc = keep_language(page, req)) == PF_OK)
		rc = language_menu(page, req);
	return rc;
}

/* status, then buf as the body, with extra and the language headers. */
static int
send_html(struct pf_request *req, int status, const char *buf, size_t len,
    const struct pf_header *extra, size_t nextra)
{
	struct pf_header	 all[HEADERS_MAX];
	size_t			 n = language_headers(extra, nextra, all);
	int			 rc;

	if (n == (size_t)-1)
		return PF_EINVAL;
	if ((rc = pf_respond(req, status, HTML_TYPE, all, n)) == PF_OK)
		rc = pf_respond_body(req, buf, len);
	return rc;
}

int
pf_page_send(struct pf_request *req, int status, struct pf_page *page,
    const struct pf_header *extra, size_t nextra)
{
	char	*buf;
	size_t	 len;
	int	 rc;

	if ((rc = page_finish(page, req)) != PF_OK ||
	    (rc = pf_page_render(page, &buf, &len)) != PF_OK)
		return rc;
	rc = send_html(req, status, buf, len, extra, nextra);
	free(buf);
	return rc;
}

/* The last resort of pf_page_message: the same words as plain text. */
static int
send_plain(struct pf_request *req, int status, const char *title,
    const char *text, const struct pf_header *extra, size_t nextra)
{
	struct pf_header	 all[HEADERS_MAX];
	size_t			 n = language_headers(extra, nextra, all);
	int			 rc;

	rc = n == (size_t)-1 ? PF_EINVAL : pf_respond(req, status,
	    "text/plain; charset=utf-8", all, n);
	if (rc != PF_OK)
		return rc;
	if (!text_ok(title, 0) || !text_ok(text, 1)) {
		title = pf_status_text(status);
		text = "";
	}
	if ((rc = pf_respond_body(req, title, strlen(title))) == PF_OK &&
	    (rc = pf_respond_body(req, "\n\n", 2)) == PF_OK &&
	    (rc = pf_respond_body(req, text, strlen(text))) == PF_OK)
		rc = pf_respond_body(req, "\n", 1);
	return rc;
}

/*
 * The message page's <title>: title, then what the template's title says
 * (the site's name), as every page's title ends.
 */
static int
message_title(struct pf_page *page, const char *title)
{
	char	*s;
	size_t	 n;
	int	 rc;

	if (!text_ok(title, 0))
		return PF_EINVAL;
	n = strlen(title) + sizeof(TITLE_SEP);
	if ((s = malloc(n)) == NULL)
		return PF_ENOMEM;
	snprintf(s, n, "%s" TITLE_SEP, title);
	rc = title_prefix(page->doc, s);
	free(s);
	return rc;
}

int
pf_page_message(struct pf_pages *pages, struct pf_request *req, int status,
    const char *title, const char *text, const struct pf_header *extra,
    size_t nextra)
{
	struct pf_page	*page = NULL;
	char		*buf = NULL;
	size_t		 len;
	int		 rc;

	if ((rc = pf_page_new(pages, "message", &page)) == PF_OK &&
	    (rc = message_title(page, title)) == PF_OK &&
	    (rc = pf_page_text(page, "title", title)) == PF_OK &&
	    (rc = pf_page_text(page, "message", text)) == PF_OK &&
	    (rc = page_finish(page, req)) == PF_OK)
		rc = pf_page_render(page, &buf, &len);
	pf_page_free(page);
	if (rc != PF_OK) {
		pf_log(PF_LOG_WARN, "message page for status %d: %s; "
		    "sending plain text", status, pf_strerror(rc));
		return send_plain(req, status, title, text, extra, nextra);
	}
	rc = send_html(req, status, buf, len, extra, nextra);
	free(buf);
	return rc;
}
