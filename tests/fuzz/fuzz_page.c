/*
 * fuzz_page.c -- hostile text through the page setters (page.h), rendered
 * and parsed again.
 *
 * The input, up to its first NUL, is set as the text of an element, as the
 * value of an input, a textarea, a radio group and a checkbox, as an
 * attribute, as an error message, and as the name of the control an error
 * belongs to.  Each
 * setter must accept it exactly when pf_utf8_ok does (and, for everything
 * but text and a textarea, only on one line), and refuse it otherwise.
 * The rendered page, less its DOCTYPE line, must be well-formed XML with
 * the same elements as the template plus the error items added, and what
 * was set must come back unchanged: text can never become markup.
 */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "err.h"
#include "fuzz.h"
#include "nitems.h"
#include "page.h"
#include "utf8.h"

#define TEMPLATE	"unsubscribe"
#define NAME_MAX_LEN	64	/* page.c's limit on control names */

/* The template's controls that have an error-NAME element. */
static const char *const controls[] = { "channel", "email", "phone", "reason",
    "confirm" };

struct outcome {
	int	 text, email, reason, channel, confirm, attr, error, error_name;
};

static size_t
count_elements(xmlNodePtr n)
{
	size_t	 c = 0;

	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			c += 1 + count_elements(n->children);
	return c;
}

/* The element of doc with attribute attr equal to value, or NULL. */
static xmlNodePtr
find(xmlNodePtr n, const char *attr, const char *value)
{
	xmlNodePtr	 hit;
	xmlChar		*v;
	int		 eq;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if ((v = xmlGetProp(n, (const xmlChar *)attr)) != NULL) {
			eq = strcmp((char *)v, value) == 0;
			xmlFree(v);
			if (eq)
				return n;
		}
		if ((hit = find(n->children, attr, value)) != NULL)
			return hit;
	}
	return NULL;
}

/* Render page and parse it as XML; the caller frees the document. */
static xmlDocPtr
reparse(struct pf_page *page)
{
	xmlDocPtr	 doc;
	char		*buf;
	size_t		 len, skip = sizeof(FUZZ_DOCTYPE) - 1;

	FUZZ_ASSERT(pf_page_render(page, &buf, &len) == PF_OK);
	FUZZ_ASSERT(len > skip && memcmp(buf, FUZZ_DOCTYPE, skip) == 0);
	FUZZ_ASSERT(strlen(buf) == len);
	doc = xmlReadMemory(buf + skip, (int)(len - skip), NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		fprintf(stderr, "not well-formed:\n%s\n", buf);
	FUZZ_ASSERT(doc != NULL);
	free(buf);
	return doc;
}

/* The template, loaded once; and how many elements it renders to. */
static struct pf_pages *
pages(size_t *base)
{
	static struct pf_pages	*pp;
	static size_t		 nbase;
	struct pf_page		*page;
	xmlDocPtr		 doc;

	if (pp == NULL) {
		FUZZ_ASSERT(pf_pages_open("htdocs", "/privacy", &pp) == PF_OK);
		FUZZ_ASSERT(pf_page_new(pp, TEMPLATE, &page) == PF_OK);
		doc = reparse(page);
		nbase = count_elements(xmlDocGetRootElement(doc));
		xmlFreeDoc(doc);
		pf_page_free(page);
	}
	*base = nbase;
	return pp;
}

/* What pf_page_error must answer for a control called name. */
static int
expected_name(const char *name, size_t len, int ok0)
{
	size_t	 i;

	if (!ok0 || len == 0 || len > NAME_MAX_LEN)
		return PF_EINVAL;
	for (i = 0; i < nitems(controls); i++)
		if (strcmp(name, controls[i]) == 0)
			return PF_OK;
	return PF_ENOTFOUND;
}

/* Every setter, each answering as the contract says. */
static void
set_all(struct pf_page *page, const char *s, size_t len, struct outcome *o)
{
	int	 ok0 = pf_utf8_ok(s, len, 0), ok1 = pf_utf8_ok(s, len, 1);
	int	 want0 = ok0 ? PF_OK : PF_EINVAL, want1 = ok1 ? PF_OK : PF_EINVAL;

	FUZZ_ASSERT((o->text = pf_page_text(page, "notice", s)) == want1);
	FUZZ_ASSERT((o->email = pf_page_value(page, "email", s)) == want0);
	FUZZ_ASSERT((o->reason = pf_page_value(page, "reason", s)) == want1);
	FUZZ_ASSERT((o->channel = pf_page_value(page, "channel", s)) == want0);
	FUZZ_ASSERT((o->confirm = pf_page_value(page, "confirm", s)) == want0);
	FUZZ_ASSERT((o->attr = pf_page_attr(page, "email", "placeholder",
	    s)) == want0);
	FUZZ_ASSERT((o->error = pf_page_error(page, "phone", s)) == want0);
	FUZZ_ASSERT((o->error_name = pf_page_error(page, s,
	    "Please check this field.")) == expected_name(s, len, ok0));
	/* Unknown targets are not found, whatever the text. */
	FUZZ_ASSERT(pf_page_text(page, "no-such-id", "x") == PF_ENOTFOUND);
}

/* n's attribute attr is value. */
static void
attr_is(xmlNodePtr n, const char *attr, const char *value)
{
	xmlChar	*v;

	FUZZ_ASSERT(n != NULL);
	v = xmlGetProp(n, (const xmlChar *)attr);
	FUZZ_ASSERT(v != NULL && strcmp((char *)v, value) == 0);
	xmlFree(v);
}

/* Element n has attribute attr exactly when on is set. */
static void
flag_is(xmlNodePtr n, const char *attr, int on)
{
	FUZZ_ASSERT(n != NULL);
	FUZZ_ASSERT((xmlHasProp(n, (const xmlChar *)attr) != NULL) == on);
}

/* n's text content is value (after prefix, which it must start with). */
static void
content_is(xmlNodePtr n, const char *prefix, const char *value)
{
	xmlChar	*v;
	size_t	 plen = strlen(prefix);

	FUZZ_ASSERT(n != NULL);
	v = xmlNodeGetContent(n);
	FUZZ_ASSERT(v != NULL && strncmp((char *)v, prefix, plen) == 0 &&
	    strcmp((char *)v + plen, value) == 0);
	xmlFree(v);
}

/* What was accepted is in the rendered page, as text, and nothing more. */
static void
check_render(struct pf_page *page, const char *s, size_t base,
    const struct outcome *o)
{
	xmlDocPtr	 doc = reparse(page);
	xmlNodePtr	 root = xmlDocGetRootElement(doc);
	size_t		 added = 0;

	/* Each error adds <li><a>...</a></li> to the summary. */
	added += o->error == PF_OK ? 2 : 0;
	added += o->error_name == PF_OK ? 2 : 0;
	FUZZ_ASSERT(count_elements(root) == base + added);
	if (o->text == PF_OK)
		content_is(find(root, "id", "notice"), "", s);
	if (o->email == PF_OK) {
		attr_is(find(root, "id", "email"), "value", s);
		attr_is(find(root, "id", "email"), "placeholder", s);
	}
	/* A radio or checkbox is checked when its value is the one set. */
	if (o->channel == PF_OK) {
		flag_is(find(root, "id", "channel-email"), "checked",
		    strcmp(s, "email") == 0);
		flag_is(find(root, "id", "channel-sms"), "checked",
		    strcmp(s, "sms") == 0);
	}
	if (o->confirm == PF_OK)
		flag_is(find(root, "id", "confirm"), "checked",
		    strcmp(s, "yes") == 0);
	if (o->reason == PF_OK)
		content_is(find(root, "id", "reason"), s[0] == '\n' ? "\n" : "",
		    s);
	if (o->error == PF_OK) {
		/* Unless the second error, for the control named s, was too. */
		content_is(find(root, "id", "error-phone"), "",
		    strcmp(s, "phone") == 0 ? "Please check this field." : s);
		attr_is(find(root, "id", "phone"), "aria-invalid", "true");
	}
	xmlFreeDoc(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_pages	*pp;
	struct pf_page	*page;
	struct outcome	 o;
	char		*s;
	size_t		 base;

	pp = pages(&base);
	s = fuzz_text(data, size);
	FUZZ_ASSERT(pf_page_new(pp, TEMPLATE, &page) == PF_OK);
	set_all(page, s, strlen(s), &o);
	check_render(page, s, base, &o);
	pf_page_free(page);
	free(s);
	return 0;
}
