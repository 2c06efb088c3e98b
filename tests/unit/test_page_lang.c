/*
 * test_page_lang.c -- pages in the visitor's language (page.h, lang.h):
 * each language's templates, <html lang dir>, the language menu, the
 * headers, translated and sorted country names, and the company's notice
 * per language with its fallback.
 *
 * The fixture's scratch directory holds a small site: templates in the
 * source language and a German translation of some, and catalogues made
 * with msgfmt (the build's po/ is another engineer's; these tests need
 * only the two messages about a language and the menu's name).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "fixture.h"
#include "collate.h"
#include "country.h"
#include "err.h"
#include "lang.h"
#include "page.h"
#include "request.h"
#include "response.h"

#define XHTML_OPEN(lang, title) \
	"<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"" lang "\">" \
	"<head><title>" title "</title></head><body>" \
	"<header class=\"site-header\"><p><a href=\"/privacy/\">Home</a></p>" \
	"</header><main>"
#define XHTML_CLOSE "</main></body></html>\n"

/* Run a command, which must succeed. */
static void
run(const char *cmd)
{
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

/* text as the file name (a path in fx.dir, directories made). */
static void
put(const char *name, const char *text)
{
	char	 path[PF_TEST_PATH], cmd[PF_TEST_PATH + 16];

	pf_test_path(path, sizeof(path), name);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", path);
	*strrchr(cmd, '/') = '\0';
	run(cmd);
	pf_test_write(path, text, strlen(text));
}

/* A catalogue for gettext name: its own name, direction, the menu's name. */
static void
catalogue(const char *name, const char *label, const char *dir,
    const char *menu)
{
	char	 text[1024], cmd[3 * PF_TEST_PATH];

	snprintf(text, sizeof(text), "msgid \"\"\nmsgstr \"Content-Type: "
	    "text/plain; charset=UTF-8\\n\"\n\n"
	    "msgctxt \"language-name\"\nmsgid \"English\"\nmsgstr \"%s\"\n\n"
	    "msgctxt \"language-direction\"\nmsgid \"ltr\"\nmsgstr \"%s\"\n\n"
	    "msgid \"Language\"\nmsgstr \"%s\"\n", label, dir, menu);
	put("po/x.po", text);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/locale/%s/LC_MESSAGES && "
	    "msgfmt --check-format -o %s/locale/%s/LC_MESSAGES/privforms.mo "
	    "%s/po/x.po", fx.dir, name, fx.dir, name, fx.dir);
	run(cmd);
}

/* The languages en de fr ar-XB (fr without templates), en current. */
static void
site(const char *languages)
{
	char	 dir[PF_TEST_PATH];

	catalogue("de", "Deutsch", "ltr", "Sprache");
	catalogue("ar_XB", "\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a", "rtl",
	    "\xd8\xa7\xd9\x84\xd9\x84\xd8\xba\xd8\xa9");
	catalogue("fr", "Fran\xc3\xa7" "ais", "ltr", "Langue");
	pf_test_path(dir, sizeof(dir), "locale");
	ck_assert_int_eq(pf_lang_init(dir), PF_OK);
	ck_assert_msg(pf_lang_site(languages, "en", fx.err, sizeof(fx.err)) ==
	    PF_OK, "%s", fx.err);
	put("htdocs/p.xhtml", XHTML_OPEN("en", "Page")
	    "<p id=\"say\">Hello</p><a id=\"form\" href=\"/privacy/request?"
	    "type=other#top\">Ask</a><a id=\"css\" href=\"/privacy/static/"
	    "a.css\">css</a><a id=\"out\" href=\"https://example.com/\">o</a>"
	    "<form id=\"f\" method=\"post\" action=\"/privacy/x\"></form>"
	    XHTML_CLOSE);
	put("htdocs/de/p.xhtml", XHTML_OPEN("en", "Seite")
	    "<p id=\"say\">Hallo</p>" XHTML_CLOSE);
	put("htdocs/language-menu.xhtml", XHTML_OPEN("en", "m")
	    "<nav id=\"language-menu\"><ul><li><a href=\"/privacy/\">x</a>"
	    "</li></ul></nav>" XHTML_CLOSE);
}

static struct pf_pages *
open_pages(void)
{
	struct pf_pages	*pages = NULL;
	char		 dir[PF_TEST_PATH];

	pf_test_path(dir, sizeof(dir), "htdocs");
	ck_assert_int_eq(pf_pages_open(dir, "/privacy", &pages), PF_OK);
	return pages;
}

/* Template name rendered in the current language; the caller frees it. */
static char *
rendered(struct pf_pages *pages, const char *name)
{
	struct pf_page	*page = NULL;
	char		*buf = NULL;
	size_t		 len;

	ck_assert_int_eq(pf_page_new(pages, name, &page), PF_OK);
	ck_assert_int_eq(pf_page_render(page, &buf, &len), PF_OK);
	pf_page_free(page);
	return buf;
}

static void
has(const char *html, const char *needle)
{
	ck_assert_msg(strstr(html, needle) != NULL, "missing %s in %s",
	    needle, html);
}

static void
lacks(const char *html, const char *needle)
{
	ck_assert_msg(strstr(html, needle) == NULL, "present: %s", needle);
}

/*
 * Template name rendered in language tag shows want (and want2, if not
 * NULL), with no XInclude left.
 */
static void
shows(struct pf_pages *pages, const char *tag, const char *name,
    const char *want, const char *want2)
{
	char	*html;

	ck_assert_int_eq(pf_lang_use(tag), PF_OK);
	html = rendered(pages, name);
	has(html, want);
	if (want2 != NULL)
		has(html, want2);
	lacks(html, "xi:");
	free(html);
}

START_TEST(test_each_language_its_templates_lang_and_dir)
{
	struct pf_pages	*pages;

	site("en de fr ar-XB");
	pages = open_pages();
	shows(pages, "en", "p", "<html xmlns=\"http://www.w3.org/1999/xhtml\" "
	    "lang=\"en\" dir=\"ltr\" xml:lang=\"en\">", "Hello");
	shows(pages, "de", "p", "lang=\"de\" dir=\"ltr\"", "Hallo");
	/* No French templates: the source ones, in French's lang. */
	shows(pages, "fr", "p", "lang=\"fr\" dir=\"ltr\"", "Hello");
	shows(pages, "ar-XB", "p", "lang=\"ar-XB\" dir=\"rtl\"", NULL);
	/* Each language's copy is its own: German again is German. */
	shows(pages, "de", "p", "Hallo", NULL);
	pf_pages_free(pages);
}
END_TEST

/* pf_stream's write into the FILE ctx. */
static int
file_write(void *ctx, const void *buf, size_t len)
{
	return fwrite(buf, 1, len, ctx) == len ? 0 : -1;
}

/* Template name sent for a GET of path?query: the answer, to free. */
static char *
sent(struct pf_pages *pages, const char *name, const char *path,
    const char *query, int asked)
{
	char			 q[512], p[512];
	char *const		 env[] = { "REQUEST_METHOD=GET", q, p, NULL };
	struct pf_request	 req;
	struct pf_page		*page = NULL;
	char			*out = NULL;
	size_t			 len;
	FILE			*f = open_memstream(&out, &len);
	struct pf_stream	 io = { NULL, file_write, f };

	snprintf(q, sizeof(q), "QUERY_STRING=%s", query);
	snprintf(p, sizeof(p), "SCRIPT_NAME=%s", path);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pf_request_init(&req, env, io, NULL), PF_OK);
	req.lang_asked = asked;
	ck_assert_int_eq(pf_page_new(pages, name, &page), PF_OK);
	ck_assert_int_eq(pf_page_send(&req, 200, page, NULL, 0), PF_OK);
	pf_page_free(page);
	pf_request_free(&req);
	ck_assert_int_eq(fclose(f), 0);
	return out;
}

/* sent() on a site of languages, alone: the answer, to free. */
static char *
sent_alone(const char *languages, const char *path)
{
	struct pf_pages	*pages;
	char		*html;

	site(languages);
	pages = open_pages();
	html = sent(pages, "p", path, "", 0);
	pf_pages_free(pages);
	return html;
}

START_TEST(test_menu_links_each_language_keeping_the_query)
{
	struct pf_pages	*pages;
	char		*html;

	site("en de ar-XB");
	pages = open_pages();
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	html = sent(pages, "p", "/privacy/request/status",
	    "t=a%26b%3C%22%3E&lang=fr&q=%C3%A9+x", 0);
	has(html, "Content-Language: de\r\n");
	has(html, "Vary: Accept-Language\r\n");
	has(html, "<nav id=\"language-menu\" aria-label=\"Sprache\">");
	/* In the header, the configuration's order, own names. */
	has(html, "</p><nav id=\"language-menu\"");
	has(html, "<li><a href=\"/privacy/request/status?t=a%26b%3C%22%3E&amp;"
	    "q=%C3%A9%20x&amp;lang=en\" hreflang=\"en\" lang=\"en\" xml:lang=\"en\">English"
	    "</a></li><li><a href=\"/privacy/request/status?t=a%26b%3C%22%3E"
	    "&amp;q=%C3%A9%20x&amp;lang=de\" hreflang=\"de\" lang=\"de\" "
	    "aria-current=\"true\" xml:lang=\"de\">Deutsch</a></li><li><a href=\"/privacy/"
	    "request/status?t=a%26b%3C%22%3E&amp;q=%C3%A9%20x&amp;lang=ar-XB\" "
	    "hreflang=\"ar-XB\" lang=\"ar-XB\" xml:lang=\"ar-XB\">\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a"
	    "</a></li></ul></nav>");
	ck_assert_ptr_eq(strstr(strstr(html, "aria-current") + 1,
	    "aria-current"), NULL);
	free(html);
	pf_pages_free(pages);
}
END_TEST

/* A path that would read as another site's, or with markup, is escaped. */
START_TEST(test_menu_links_escape_a_hostile_path)
{
	char	*html = sent_alone("en de", "//evil.example///\"><script>x");

	has(html, "href=\"/%2Fevil.example/%2F/%22%3E%3Cscript%3Ex?lang=en\"");
	lacks(html, "<script");
	lacks(html, "href=\"//");
	free(html);
}
END_TEST

START_TEST(test_one_language_no_menu)
{
	char	*html = sent_alone("en", "/privacy/x");

	lacks(html, "language-menu");
	has(html, "Content-Language: en\r\n");
	has(html, "Vary: Accept-Language\r\n");
	free(html);
}
END_TEST

/* ?lang= chose it: the page's own links and forms keep it. */
START_TEST(test_a_chosen_language_is_kept_by_the_links)
{
	struct pf_pages	*pages;
	char		*html;

	site("en de");
	pages = open_pages();
	ck_assert_int_eq(pf_lang_use("fr"), PF_OK);	/* not offered */
	ck_assert_int_eq(pf_lang_use("en"), PF_OK);
	html = sent(pages, "p", "/privacy/x", "lang=en", 1);
	has(html, "href=\"/privacy/request?type=other&amp;lang=en#top\"");
	has(html, "action=\"/privacy/x?lang=en\"");
	has(html, "href=\"/privacy/static/a.css\"");
	has(html, "href=\"https://example.com/\"");
	has(html, "href=\"/privacy/?lang=en\">Home");
	free(html);
	html = sent(pages, "p", "/privacy/x", "", 0);
	has(html, "href=\"/privacy/request?type=other#top\"");
	free(html);
	pf_pages_free(pages);
}
END_TEST

/* The value of the option for code in html, up to its "<". */
static const char *
option(const char *html, const char *code, char *out, size_t len)
{
	char		 key[32];
	const char	*p;
	size_t		 n;

	snprintf(key, sizeof(key), "<option value=\"%s\">", code);
	ck_assert_ptr_nonnull(p = strstr(html, key));
	p += strlen(key);
	n = strcspn(p, "<");
	ck_assert_uint_lt(n, len);
	memcpy(out, p, n);
	out[n] = '\0';
	return strstr(html, key);
}

START_TEST(test_country_names_translated_and_sorted_per_language)
{
	struct pf_pages	*pages;
	char		*html, name[128];
	const char	*at, *ch, *eg, *al;

	site("en de ja");
	put("htdocs/f.xhtml", XHTML_OPEN("en", "f") "<form><select "
	    "name=\"country\"><option value=\"\">Choose</option></select>"
	    "<select name=\"state\"></select></form>" XHTML_CLOSE);
	pages = open_pages();
	ck_assert_int_eq(pf_pages_select(pages, "f", "country", pf_countries,
	    pf_country_option, pf_collate_pairs), PF_OK);
	ck_assert_int_eq(pf_pages_select(pages, "f", "state", pf_us_states,
	    pf_us_state_option, pf_collate_pairs), PF_OK);
	html = rendered(pages, "f");
	option(html, "DE", name, sizeof(name));
	ck_assert_str_eq(name, "Germany");
	free(html);
	ck_assert_int_eq(pf_lang_use("de"), PF_OK);
	html = rendered(pages, "f");
	has(html, "<option value=\"\">Choose</option>");
	option(html, "DE", name, sizeof(name));
	ck_assert_str_eq(name, "Deutschland");
	option(html, "CA", name, sizeof(name));
	ck_assert_str_eq(name, "Kanada");
	/* German order: Ä with the A's, Ö with the O's. */
	eg = option(html, "EG", name, sizeof(name));
	ck_assert_str_eq(name, "\xc3\x84gypten");
	al = option(html, "AL", name, sizeof(name));
	ck_assert_msg((eg) < (al), "out of order");
	at = option(html, "AT", name, sizeof(name));
	ck_assert_str_eq(name, "\xc3\x96sterreich");
	ck_assert_msg((option(html, "OM", name, sizeof(name))) < (at), "out of order");
	ch = option(html, "PK", name, sizeof(name));
	ck_assert_msg((at) < (ch), "out of order");
	free(html);
	ck_assert_int_eq(pf_lang_use("ja"), PF_OK);
	html = rendered(pages, "f");
	option(html, "JP", name, sizeof(name));
	ck_assert_str_eq(name, "\xe6\x97\xa5\xe6\x9c\xac");	/* 日本 */
	/* No translation of "North Korea": its name's. */
	option(html, "KP", name, sizeof(name));
	ck_assert_str_eq(name, "\xe6\x9c\x9d\xe9\xae\xae\xe6\xb0\x91"
	    "\xe4\xb8\xbb\xe4\xb8\xbb\xe7\xbe\xa9\xe4\xba\xba\xe6\xb0\x91"
	    "\xe5\x85\xb1\xe5\x92\x8c\xe5\x9b\xbd");	/* 朝鮮民主主義人民共和国 */
	free(html);
	pf_pages_free(pages);
}
END_TEST

/* The source templates' notice include, with its fallback to the source one. */
#define NOTICE_INCLUDE \
	"<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" " \
	"href=\"notice.xhtml\" xpointer=\"xpointer(/descendant::*" \
	"[@id='notice'])\"><xi:fallback><xi:include href=\"../notice.xhtml\"" \
	" xpointer=\"xpointer(/descendant::*[@id='notice'])\"/>" \
	"</xi:fallback></xi:include>"

START_TEST(test_notice_per_language_with_fallback)
{
	struct pf_pages	*pages;

	site("en de fr");
	put("htdocs/n.xhtml", XHTML_OPEN("en", "n") NOTICE_INCLUDE
	    XHTML_CLOSE);
	put("htdocs/de/n.xhtml", XHTML_OPEN("de", "n") NOTICE_INCLUDE
	    XHTML_CLOSE);
	put("htdocs/fr/n.xhtml", XHTML_OPEN("fr", "n") NOTICE_INCLUDE
	    XHTML_CLOSE);
	put("htdocs/notice.xhtml", XHTML_OPEN("en", "n")
	    "<p id=\"notice\">Our notice</p>" XHTML_CLOSE);
	put("htdocs/de/notice.xhtml", XHTML_OPEN("de", "n")
	    "<p id=\"notice\">Unser Hinweis</p>" XHTML_CLOSE);
	pages = open_pages();
	shows(pages, "en", "n", "<p id=\"notice\">Our notice</p>", NULL);
	shows(pages, "de", "n", "<p id=\"notice\">Unser Hinweis</p>", NULL);
	/* None of its own: the source one. */
	shows(pages, "fr", "n", "<p id=\"notice\">Our notice</p>", NULL);
	pf_pages_free(pages);
}
END_TEST

PF_TEST_MAIN("page_lang",
    pf_test_fixture(tc, PF_TEST_DIR, NULL, NULL, NULL),
    tcase_add_test(tc, test_each_language_its_templates_lang_and_dir),
    tcase_add_test(tc, test_menu_links_each_language_keeping_the_query),
    tcase_add_test(tc, test_menu_links_escape_a_hostile_path),
    tcase_add_test(tc, test_one_language_no_menu),
    tcase_add_test(tc, test_a_chosen_language_is_kept_by_the_links),
    tcase_add_test(tc, test_country_names_translated_and_sorted_per_language),
    tcase_add_test(tc, test_notice_per_language_with_fallback))
