/*
 * test_page.c -- HTML pages from the htdocs templates (page.h).
 *
 * Run from the top of the source tree: the real templates are read from
 * htdocs/.  Templates for cases htdocs has no example of (a select, a
 * checkbox, broken files) are written to the fixture's scratch directory.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "fixture.h"
#include "country.h"
#include "err.h"
#include "nitems.h"
#include "page.h"
#include "request.h"
#include "response.h"

#define HTDOCS	"htdocs"

#define XHTML_OPEN \
	"<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">" \
	"<head><title id=\"t\">t</title></head><body>"
#define XHTML_CLOSE "</body></html>\n"

/* A template with the controls htdocs has no example of. */
static const char controls_xhtml[] = XHTML_OPEN
	"<form id=\"f\" method=\"post\" action=\"/privacy/x\">"
	"<select id=\"country\" name=\"country\">"
	"<option value=\"\">Choose</option>"
	"<optgroup label=\"A\"><option value=\"US\">United States</option>"
	"<option value=\"FR\" selected=\"selected\">France</option></optgroup>"
	"<option>Other</option></select>"
	"<input type=\"checkbox\" id=\"agree\" name=\"agree\" value=\"yes\"/>"
	"<input type=\"checkbox\" id=\"news\" name=\"news\"/>"
	"<input type=\"submit\" name=\"go\" value=\"Go\"/>"
	"<p id=\"error-country\" hidden=\"hidden\"></p>"
	"</form>"
	"<a id=\"ext\" href=\"https://example.com/privacy/\">e</a>"
	"<a id=\"near\" href=\"/privacyx/y\">n</a>"
	"<a id=\"bare\" href=\"/privacy\">b</a>"
	"<img id=\"img\" src=\"/privacy/i.png\" alt=\"\"/>"
	XHTML_CLOSE;

/* Two selects called country (one empty) and one called state. */
static const char options_xhtml[] = XHTML_OPEN
	"<form method=\"post\" action=\"/privacy/x\">"
	"<select id=\"country\" name=\"country\">"
	"<option value=\"\">Choose a country</option></select>"
	"<select id=\"state\" name=\"state\">"
	"<option value=\"\">Choose a state</option></select>"
	"<select id=\"country-2\" name=\"country\"></select>"
	"<input id=\"email\" name=\"email\"/>"
	"</form>"
	XHTML_CLOSE;

static const char *const some_countries[] = { "DE", "Germany",
    "US", "United States", NULL };

static struct pf_pages *
open_pages(const char *where, const char *prefix)
{
	struct pf_pages	*pages = NULL;

	ck_assert_int_eq(pf_pages_open(where, prefix, &pages), PF_OK);
	ck_assert_ptr_nonnull(pages);
	return pages;
}

static struct pf_page *
new_page(struct pf_pages *pages, const char *name)
{
	struct pf_page	*page = NULL;

	ck_assert_int_eq(pf_page_new(pages, name, &page), PF_OK);
	ck_assert_ptr_nonnull(page);
	return page;
}

/* The rendered page; the caller frees it. */
static char *
render(struct pf_page *page)
{
	char	*buf = NULL;
	size_t	 len = 0;

	ck_assert_int_eq(pf_page_render(page, &buf, &len), PF_OK);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(strlen(buf), len);
	return buf;
}

static void
assert_contains(const char *html, const char *needle)
{
	ck_assert_msg(strstr(html, needle) != NULL, "missing: %s", needle);
}

static void
assert_lacks(const char *html, const char *needle)
{
	ck_assert_msg(strstr(html, needle) == NULL, "present: %s", needle);
}

static int
count(const char *html, const char *needle)
{
	int	 n = 0;

	while ((html = strstr(html, needle)) != NULL) {
		html++;
		n++;
	}
	return n;
}

/* Write dir/name, a file beside the templates (dir exists). */
static void
add_file(const char *where, const char *name, const char *text)
{
	char	 path[PF_TEST_PATH + 32];

	snprintf(path, sizeof(path), "%s/%s", where, name);
	pf_test_write(path, text, strlen(text));
}

/* The template name.xhtml in the test's directory. */
static void
write_template(const char *name, const char *text)
{
	char	 file[64];

	snprintf(file, sizeof(file), "%s.xhtml", name);
	add_file(fx.dir, file, text);
}

/* A text a test gives, and the name its failure message calls it by. */
struct named_text {
	const char	*name;
	const char	*text;
};

/* Text that pf_utf8_ok refuses, single-line or not. */
static const struct named_text bad_text[] = {
	{ "invalid byte FF", "a\xff" },
	{ "lone continuation byte", "\x80" },
	{ "truncated sequence", "caf\xc3" },
	{ "overlong slash", "\xc0\xaf" },
	{ "surrogate", "\xed\xa0\x80" },
	{ "U+FFFE", "\xef\xbf\xbe" },
	{ "C0 control SOH", "a\x01" },
	{ "escape", "\x1b[31m" },
	{ "DEL", "a\x7f" },
	{ "C1 control NEL", "\xc2\x85" },
	{ "CR", "a\rb" },
};

#define NBAD (nitems(bad_text))

START_TEST(test_every_template_parses)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page;
	struct dirent	*e;
	DIR		*d;
	char		 name[256], *html, *dot;
	int		 n = 0;

	ck_assert_ptr_nonnull(d = opendir(HTDOCS));
	while ((e = readdir(d)) != NULL) {
		if ((dot = strrchr(e->d_name, '.')) == NULL ||
		    strcmp(dot, ".xhtml") != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s",
		    (int)(dot - e->d_name), e->d_name);
		page = new_page(pages, name);
		html = render(page);
		assert_contains(html, "<!DOCTYPE html>\n<html");
		assert_contains(html, "/privacy/static/privforms.css");
		free(html);
		pf_page_free(page);
		n++;
	}
	closedir(d);
	ck_assert_int_ge(n, 6);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_render_is_html_compatible)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "unsubscribe");
	char		*html = render(page);

	ck_assert_int_eq(strncmp(html, "<!DOCTYPE html>\n", 16), 0);
	assert_lacks(html, "<?xml");
	/* An HTML parser reads <p/> or <textarea/> as an open tag. */
	assert_lacks(html, "\"/>");
	assert_contains(html, "hidden=\"hidden\"></p>");
	assert_contains(html, "></textarea>");
	assert_contains(html, "<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\" />");
	/* Exactly one charset declaration: libxml2 adds none of its own. */
	ck_assert_int_eq(count(html, "charset="), 1);
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_text_markup_is_escaped)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "message");
	char		*html;

	ck_assert_int_eq(pf_page_text(page, "message",
	    "<script>alert(1)</script> & \"quotes\""), PF_OK);
	html = render(page);
	assert_contains(html, "<p id=\"message\">&lt;script&gt;alert(1)"
	    "&lt;/script&gt; &amp; \"quotes\"</p>");
	assert_lacks(html, "<script");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_text_entities_are_not_interpreted)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "message");
	char		*html;

	ck_assert_int_eq(pf_page_text(page, "message", "&lt;b&gt; &amp; &#60;"),
	    PF_OK);
	html = render(page);
	assert_contains(html, ">&amp;lt;b&amp;gt; &amp;amp; &amp;#60;</p>");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_text_replaces_content)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "message");
	char		*html;

	ck_assert_int_eq(pf_page_text(page, "title", "First"), PF_OK);
	ck_assert_int_eq(pf_page_text(page, "title", "Second\nline"), PF_OK);
	html = render(page);
	assert_contains(html, "<h1 id=\"title\">Second\nline</h1>");
	assert_lacks(html, "First");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_attr_value_is_escaped)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "one-click");
	char		*html;

	ck_assert_int_eq(pf_page_attr(page, "oc-form", "action",
	    "/privacy/unsubscribe?t=a&b\"><script>x</script>"), PF_OK);
	html = render(page);
	assert_contains(html, "action=\"/privacy/unsubscribe?t=a&amp;b&quot;"
	    "&gt;&lt;script&gt;x&lt;/script&gt;\"");
	assert_lacks(html, "<script");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_attr_remove)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "unsubscribe");
	char		*html;

	ck_assert_int_eq(pf_page_attr(page, "notice", "hidden", NULL), PF_OK);
	/* Removing an attribute that is not there is no error. */
	ck_assert_int_eq(pf_page_attr(page, "notice", "hidden", NULL), PF_OK);
	html = render(page);
	assert_contains(html, "<p id=\"notice\" class=\"notice\" "
	    "role=\"alert\" tabindex=\"-1\"></p>");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_attr_bad_name_refused)
{
	static const char *const names[] = { "", "onclick", "onload",
	    "Href", "1x", "a b", "a\"b", "xml:lang", "a=b" };
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "message");
	size_t		 i;

	for (i = 0; i < nitems(names); i++)
		ck_assert_msg(pf_page_attr(page, "title", names[i], "x") ==
		    PF_EINVAL, "accepted: %s", names[i]);
	ck_assert_int_eq(pf_page_attr(page, "title", "data-x1", "x"), PF_OK);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_bad_text_refused_page_unchanged)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "unsubscribe");
	char		*before, *after;
	size_t		 i;

	before = render(page);
	for (i = 0; i < NBAD; i++) {
		ck_assert_msg(pf_page_text(page, "notice", bad_text[i].text) ==
		    PF_EINVAL, "text accepted: %s", bad_text[i].name);
		ck_assert_msg(pf_page_attr(page, "notice", "title",
		    bad_text[i].text) == PF_EINVAL, "attr accepted: %s",
		    bad_text[i].name);
		ck_assert_msg(pf_page_value(page, "reason", bad_text[i].text) ==
		    PF_EINVAL, "value accepted: %s", bad_text[i].name);
		ck_assert_msg(pf_page_error(page, "email", bad_text[i].text) ==
		    PF_EINVAL, "error accepted: %s", bad_text[i].name);
	}
	ck_assert_int_eq(pf_page_text(page, "notice", NULL), PF_EINVAL);
	after = render(page);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_newline_only_where_multiline)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "unsubscribe");
	char		*before, *after;

	before = render(page);
	ck_assert_int_eq(pf_page_attr(page, "notice", "title", "a\nb"),
	    PF_EINVAL);
	ck_assert_int_eq(pf_page_value(page, "email", "a@example.com\nBcc: x"),
	    PF_EINVAL);
	ck_assert_int_eq(pf_page_value(page, "channel", "sms\n"), PF_EINVAL);
	ck_assert_int_eq(pf_page_error(page, "email", "two\nlines"), PF_EINVAL);
	after = render(page);
	ck_assert_str_eq(before, after);
	ck_assert_int_eq(pf_page_value(page, "reason", "two\nlines"), PF_OK);
	ck_assert_int_eq(pf_page_text(page, "notice", "two\nlines"), PF_OK);
	free(before);
	free(after);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_value_input)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "unsubscribe");
	char		*html;

	ck_assert_int_eq(pf_page_value(page, "email", "a\"b@example.com"),
	    PF_OK);
	ck_assert_int_eq(pf_page_value(page, "phone", "+1 202 555 0123"), PF_OK);
	html = render(page);
	assert_contains(html, "value=\"a&quot;b@example.com\"");
	assert_contains(html, "value=\"+1 202 555 0123\"");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_value_hidden_input)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "one-click");
	char		*html;

	ck_assert_int_eq(pf_page_value(page, "List-Unsubscribe", "Other"),
	    PF_OK);
	html = render(page);
	assert_contains(html, "name=\"List-Unsubscribe\" value=\"Other\"");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_value_textarea)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "unsubscribe");
	char		*html;

	ck_assert_int_eq(pf_page_value(page, "reason",
	    "Too many </textarea><b>mails</b>\nreally"), PF_OK);
	html = render(page);
	assert_contains(html, ">Too many &lt;/textarea&gt;&lt;b&gt;mails"
	    "&lt;/b&gt;\nreally</textarea>");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

/* An HTML parser drops a newline right after <textarea>: keep the visitor's. */
START_TEST(test_value_textarea_leading_newline_kept)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "unsubscribe");
	char		*html;

	ck_assert_int_eq(pf_page_value(page, "reason", "\nsecond line"), PF_OK);
	html = render(page);
	assert_contains(html, "\">\n\nsecond line</textarea>");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_value_radio)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "unsubscribe");
	char		*html;

	ck_assert_int_eq(pf_page_value(page, "channel", "sms"), PF_OK);
	html = render(page);
	assert_contains(html, "id=\"channel-email\" name=\"channel\" "
	    "value=\"email\" />");
	assert_contains(html, "id=\"channel-sms\" name=\"channel\" "
	    "value=\"sms\" checked=\"checked\" />");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_value_radio_unknown_checks_none)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "unsubscribe");
	char		*html;

	ck_assert_int_eq(pf_page_value(page, "channel", "fax"), PF_OK);
	html = render(page);
	assert_lacks(html, "checked");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_value_select)
{
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*html;

	write_template("controls", controls_xhtml);
	pages = open_pages(fx.dir, "/privacy");
	page = new_page(pages, "controls");
	ck_assert_int_eq(pf_page_value(page, "country", "US"), PF_OK);
	html = render(page);
	assert_contains(html, "<option value=\"US\" selected=\"selected\">");
	assert_contains(html, "<option value=\"FR\">France");
	free(html);
	/* An option without a value attribute is matched by its text. */
	ck_assert_int_eq(pf_page_value(page, "country", "Other"), PF_OK);
	html = render(page);
	assert_contains(html, "<option selected=\"selected\">Other</option>");
	assert_lacks(html, "\"US\" selected");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_value_checkbox)
{
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*html;

	write_template("controls", controls_xhtml);
	pages = open_pages(fx.dir, "/privacy");
	page = new_page(pages, "controls");
	ck_assert_int_eq(pf_page_value(page, "agree", "yes"), PF_OK);
	ck_assert_int_eq(pf_page_value(page, "news", "on"), PF_OK);
	html = render(page);
	assert_contains(html, "value=\"yes\" checked=\"checked\"");
	assert_contains(html, "name=\"news\" checked=\"checked\"");
	free(html);
	ck_assert_int_eq(pf_page_value(page, "agree", ""), PF_OK);
	html = render(page);
	assert_lacks(html, "value=\"yes\" checked");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_value_unknown_name)
{
	struct pf_pages	*pages;
	struct pf_page	*page;

	write_template("controls", controls_xhtml);
	pages = open_pages(fx.dir, "/privacy");
	page = new_page(pages, "controls");
	ck_assert_int_eq(pf_page_value(page, "nosuch", "x"), PF_ENOTFOUND);
	/* A submit button is not a control whose value a form keeps. */
	ck_assert_int_eq(pf_page_value(page, "go", "x"), PF_ENOTFOUND);
	/* An id is not a name. */
	ck_assert_int_eq(pf_page_value(page, "f", "x"), PF_ENOTFOUND);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

/* pages with the options template and some_countries in its country selects. */
static struct pf_pages *
options_pages(void)
{
	struct pf_pages	*pages;

	write_template("options", options_xhtml);
	pages = open_pages(fx.dir, "/privacy");
	ck_assert_int_eq(pf_pages_options(pages, "options", "country",
	    some_countries), PF_OK);
	return pages;
}

START_TEST(test_options_appended_after_placeholder)
{
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*html;

	pages = options_pages();
	page = new_page(pages, "options");
	html = render(page);
	assert_contains(html, "<select id=\"country\" name=\"country\">"
	    "<option value=\"\">Choose a country</option>"
	    "<option value=\"DE\">Germany</option>"
	    "<option value=\"US\">United States</option></select>");
	assert_lacks(html, "selected");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_options_every_select_of_that_name)
{
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*html;

	pages = options_pages();
	page = new_page(pages, "options");
	html = render(page);
	assert_contains(html, "<select id=\"country-2\" name=\"country\">"
	    "<option value=\"DE\">Germany</option>"
	    "<option value=\"US\">United States</option></select>");
	ck_assert_int_eq(count(html, "<option value=\"DE\">"), 2);
	/* Another select keeps only its own options. */
	assert_contains(html, "<select id=\"state\" name=\"state\">"
	    "<option value=\"\">Choose a state</option></select>");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

/* Every page copies the options; choosing one in a page touches no other. */
START_TEST(test_options_selectable_in_each_copy)
{
	struct pf_pages	*pages;
	struct pf_page	*a, *b;
	char		*html;

	pages = options_pages();
	a = new_page(pages, "options");
	b = new_page(pages, "options");
	ck_assert_int_eq(pf_page_value(a, "country", "DE"), PF_OK);
	html = render(a);
	ck_assert_int_eq(count(html,
	    "<option value=\"DE\" selected=\"selected\">Germany</option>"), 2);
	assert_lacks(html, "\"US\" selected");
	free(html);
	html = render(b);
	assert_lacks(html, "selected");
	ck_assert_int_eq(count(html, "<option value=\"US\">"), 2);
	free(html);
	pf_page_free(a);
	pf_page_free(b);
	pf_pages_free(pages);
}
END_TEST

/* The generated table as the forms use it: every name passes the checks. */
START_TEST(test_options_country_table)
{
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*html;

	write_template("options", options_xhtml);
	pages = open_pages(fx.dir, "/privacy");
	ck_assert_int_eq(pf_pages_options(pages, "options", "country",
	    pf_countries), PF_OK);
	ck_assert_int_eq(pf_pages_options(pages, "options", "state",
	    pf_us_states), PF_OK);
	page = new_page(pages, "options");
	ck_assert_int_eq(pf_page_value(page, "country", "AX"), PF_OK);
	html = render(page);
	ck_assert_int_ge(count(html, "<option"), 2 * 240 + 51);
	assert_contains(html, "<option value=\"AX\" selected=\"selected\">"
	    "\xc3\x85land Islands</option>");
	assert_contains(html, "<option value=\"DC\">District of Columbia"
	    "</option>");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_options_empty_list_changes_nothing)
{
	static const char *const empty[] = { NULL };
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*html;

	write_template("options", options_xhtml);
	pages = open_pages(fx.dir, "/privacy");
	ck_assert_int_eq(pf_pages_options(pages, "options", "country", empty),
	    PF_OK);
	page = new_page(pages, "options");
	html = render(page);
	ck_assert_int_eq(count(html, "<option"), 2);
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_options_unknown_template_or_control)
{
	struct pf_pages	*pages;

	write_template("options", options_xhtml);
	pages = open_pages(fx.dir, "/privacy");
	ck_assert_int_eq(pf_pages_options(pages, "nosuch", "country",
	    some_countries), PF_ENOTFOUND);
	ck_assert_int_eq(pf_pages_options(pages, "options", "nosuch",
	    some_countries), PF_ENOTFOUND);
	/* Only a select takes options: not an input, not an id. */
	ck_assert_int_eq(pf_pages_options(pages, "options", "email",
	    some_countries), PF_ENOTFOUND);
	ck_assert_int_eq(pf_pages_options(pages, "options", "country-2",
	    some_countries), PF_ENOTFOUND);
	ck_assert_int_eq(pf_pages_options(pages, "options", "Country",
	    some_countries), PF_ENOTFOUND);
	ck_assert_int_eq(pf_pages_options(pages, "../options", "country",
	    some_countries), PF_EINVAL);
	ck_assert_int_eq(pf_pages_options(pages, "options", NULL,
	    some_countries), PF_EINVAL);
	ck_assert_int_eq(pf_pages_options(pages, "options", "country", NULL),
	    PF_EINVAL);
	ck_assert_int_eq(pf_pages_options(NULL, "options", "country",
	    some_countries), PF_EINVAL);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_options_bad_text_refused_template_unchanged)
{
	static const char *const no_name[] = { "DE", "Germany", "US", NULL };
	static const char *const newline[] = { "DE", "Germ\nany", NULL };
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*before, *after;
	size_t		 i;

	write_template("options", options_xhtml);
	pages = open_pages(fx.dir, "/privacy");
	page = new_page(pages, "options");
	before = render(page);
	pf_page_free(page);
	for (i = 0; i < NBAD; i++) {
		const char *const as_code[] = { bad_text[i].text, "Name", NULL };
		const char *const as_name[] = { "DE", "Germany",
		    "XX", bad_text[i].text, NULL };

		ck_assert_msg(pf_pages_options(pages, "options", "country",
		    as_code) == PF_EINVAL, "code accepted: %s", bad_text[i].name);
		ck_assert_msg(pf_pages_options(pages, "options", "country",
		    as_name) == PF_EINVAL, "name accepted: %s",
		    bad_text[i].name);
	}
	/* A code without its name, and a name on two lines. */
	ck_assert_int_eq(pf_pages_options(pages, "options", "country",
	    no_name), PF_EINVAL);
	ck_assert_int_eq(pf_pages_options(pages, "options", "country",
	    newline), PF_EINVAL);
	page = new_page(pages, "options");
	after = render(page);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_options_markup_escaped)
{
	static const char *const hostile[] = {
	    "a\"><script>x</script>", "<b>Bold</b> & \"quoted\" &amp;",
	    NULL };
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*html;

	write_template("options", options_xhtml);
	pages = open_pages(fx.dir, "/privacy");
	ck_assert_int_eq(pf_pages_options(pages, "options", "state", hostile),
	    PF_OK);
	page = new_page(pages, "options");
	html = render(page);
	assert_contains(html, "<option value=\"a&quot;&gt;&lt;script&gt;x"
	    "&lt;/script&gt;\">&lt;b&gt;Bold&lt;/b&gt; &amp; \"quoted\" "
	    "&amp;amp;</option>");
	assert_lacks(html, "<script");
	assert_lacks(html, "<b>");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_error_reveals_summary_and_marks_control)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "unsubscribe");
	char		*html;

	html = render(page);
	assert_contains(html, "<div id=\"errors\" class=\"error-summary\" "
	    "role=\"alert\" tabindex=\"-1\" hidden=\"hidden\">");
	assert_contains(html, "<title>Unsubscribe from marketing");
	free(html);
	ck_assert_int_eq(pf_page_error(page, "email", "Enter <an> address"),
	    PF_OK);
	ck_assert_int_eq(pf_page_error(page, "reason", "Too long & wrong"),
	    PF_OK);
	html = render(page);
	assert_contains(html, "<p class=\"error\" id=\"error-email\">"
	    "Enter &lt;an&gt; address</p>");
	assert_contains(html, "id=\"email\" name=\"email\"");
	assert_contains(html, "aria-describedby=\"email-hint error-email\" "
	    "aria-invalid=\"true\" />");
	assert_contains(html, "<div id=\"errors\" class=\"error-summary\" "
	    "role=\"alert\" tabindex=\"-1\">");
	/* Said once in the title, however many errors and renders. */
	assert_contains(html, "<title>Error: Unsubscribe from marketing");
	assert_contains(html, "<li><a href=\"#email\">Enter &lt;an&gt; "
	    "address</a></li><li><a href=\"#reason\">Too long &amp; wrong"
	    "</a></li>");
	/* Fields without an error stay as they were. */
	assert_contains(html, "<p class=\"error\" id=\"error-phone\" "
	    "hidden=\"hidden\"></p>");
	assert_contains(html, "aria-describedby=\"phone-hint error-phone\" />");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_error_radio_group_marks_all)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "unsubscribe");
	char		*html;

	ck_assert_int_eq(pf_page_error(page, "channel", "Choose one"), PF_OK);
	html = render(page);
	assert_contains(html, "value=\"email\" checked=\"checked\" "
	    "aria-invalid=\"true\" />");
	assert_contains(html, "value=\"sms\" aria-invalid=\"true\" />");
	assert_contains(html, "<p class=\"error\" id=\"error-channel\">"
	    "Choose one</p>");
	/* The first radio, not the fieldset, which cannot take focus. */
	assert_contains(html, "<a href=\"#channel-email\">Choose one</a>");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_error_without_summary)
{
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*html;

	write_template("controls", controls_xhtml);
	pages = open_pages(fx.dir, "/privacy");
	page = new_page(pages, "controls");
	ck_assert_int_eq(pf_page_error(page, "country", "Choose"), PF_OK);
	html = render(page);
	assert_contains(html, "<p id=\"error-country\">Choose</p>");
	assert_contains(html, "name=\"country\" aria-invalid=\"true\"");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

/* Two forms, each with its summary beside it; one form without any. */
static const char two_forms_xhtml[] = XHTML_OPEN
	"<div id=\"s1\" class=\"error-summary\" hidden=\"hidden\"><ul></ul></div>"
	"<form id=\"f1\"><input id=\"a\" name=\"a\"/><p id=\"error-a\"/>"
	"<fieldset><input type=\"radio\" id=\"r-1\" name=\"r\" value=\"1\"/>"
	"<input type=\"radio\" id=\"r-2\" name=\"r\" value=\"2\"/>"
	"<p id=\"error-r\"/></fieldset></form>"
	"<section><h2>Check</h2>"
	"<div id=\"s2\" class=\"box error-summary\" hidden=\"hidden\"><h2>x</h2>"
	"<ol></ol></div>"
	"<form id=\"f2\"><div><input name=\"b\"/><p id=\"error-b\"/></div>"
	"</form></section>"
	XHTML_CLOSE;

START_TEST(test_error_goes_to_its_own_forms_summary)
{
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*html, *s2;

	write_template("two", two_forms_xhtml);
	pages = open_pages(fx.dir, "/privacy");
	page = new_page(pages, "two");
	ck_assert_int_eq(pf_page_error(page, "b", "Enter b"), PF_OK);
	html = render(page);
	/* The first form's summary stays hidden and empty. */
	assert_contains(html, "<div id=\"s1\" class=\"error-summary\" "
	    "hidden=\"hidden\"><ul></ul></div>");
	/* A control without an id is linked by its name. */
	assert_contains(html, "<div id=\"s2\" class=\"box error-summary\">"
	    "<h2>x</h2><ol><li><a href=\"#b\">Enter b</a></li></ol></div>");
	assert_contains(html, "<title id=\"t\">Error: t</title>");
	free(html);
	ck_assert_int_eq(pf_page_error(page, "r", "Select r"), PF_OK);
	ck_assert_int_eq(pf_page_error(page, "a", "Enter a"), PF_OK);
	html = render(page);
	assert_contains(html, "<div id=\"s1\" class=\"error-summary\"><ul>"
	    "<li><a href=\"#r-1\">Select r</a></li>"
	    "<li><a href=\"#a\">Enter a</a></li></ul></div>");
	ck_assert_ptr_nonnull(s2 = strstr(html, "id=\"s2\""));
	ck_assert_int_eq(count(s2, "<li>"), 1);
	ck_assert_int_eq(count(html, "Error: "), 1);
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

/* A notice shown (why nothing was stored) is an error too. */
START_TEST(test_notice_marks_the_title)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "feedback");
	char		*html;

	ck_assert_int_eq(pf_page_text(page, "notice", "Not stored."), PF_OK);
	html = render(page);
	assert_contains(html, "<title>Site feedback, step 1");
	free(html);
	ck_assert_int_eq(pf_page_attr(page, "notice", "hidden", NULL), PF_OK);
	html = render(page);
	assert_contains(html, "<title>Error: Site feedback, step 1");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_error_unknown_field)
{
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*before, *after;

	write_template("controls", controls_xhtml);
	pages = open_pages(fx.dir, "/privacy");
	page = new_page(pages, "controls");
	before = render(page);
	ck_assert_int_eq(pf_page_error(page, "nosuch", "x"), PF_ENOTFOUND);
	/* A control without an error-NAME element to show the message. */
	ck_assert_int_eq(pf_page_error(page, "agree", "x"), PF_ENOTFOUND);
	ck_assert_int_eq(pf_page_error(page, "", "x"), PF_EINVAL);
	after = render(page);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_unknown_id)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "message");

	ck_assert_int_eq(pf_page_text(page, "nosuch", "x"), PF_ENOTFOUND);
	ck_assert_int_eq(pf_page_attr(page, "nosuch", "class", "x"),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_page_remove(page, "nosuch"), PF_ENOTFOUND);
	/* Matching is exact. */
	ck_assert_int_eq(pf_page_text(page, "titl", "x"), PF_ENOTFOUND);
	ck_assert_int_eq(pf_page_text(page, "TITLE", "x"), PF_ENOTFOUND);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_remove)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "hub");
	char		*html;

	ck_assert_int_eq(pf_page_attr(page, "hub-dpa-link", "href",
	    "https://example.com/dpa"), PF_OK);
	ck_assert_int_eq(pf_page_remove(page, "hub-support"), PF_OK);
	ck_assert_int_eq(pf_page_remove(page, "hub-account"), PF_OK);
	ck_assert_int_eq(pf_page_remove(page, "hub-account"), PF_ENOTFOUND);
	html = render(page);
	assert_lacks(html, "Technical support");
	assert_lacks(html, "Customer account");
	assert_contains(html, "<a id=\"hub-dpa-link\" "
	    "href=\"https://example.com/dpa\">");
	free(html);
	ck_assert_int_eq(pf_page_remove(page, "hub-more"), PF_OK);
	html = render(page);
	assert_lacks(html, "Something else");
	assert_lacks(html, "hub-dpa");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_pages_are_independent_copies)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*a = new_page(pages, "message");
	struct pf_page	*b;
	char		*html;

	ck_assert_int_eq(pf_page_text(a, "message", "for a only"), PF_OK);
	b = new_page(pages, "message");
	html = render(b);
	assert_lacks(html, "for a only");
	free(html);
	pf_page_free(a);
	pf_page_free(b);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_prefix_rewrite)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/help");
	struct pf_page	*page = new_page(pages, "unsubscribe");
	char		*html;

	html = render(page);
	assert_contains(html, "action=\"/help/unsubscribe\"");
	assert_contains(html, "href=\"/help/static/privforms.css\"");
	assert_contains(html, "<a href=\"/help/\">");
	assert_lacks(html, "/privacy/");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_prefix_rewrite_only_template_urls)
{
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*html;

	write_template("controls", controls_xhtml);
	pages = open_pages(fx.dir, "/help/me");
	page = new_page(pages, "controls");
	html = render(page);
	assert_contains(html, "action=\"/help/me/x\"");
	assert_contains(html, "src=\"/help/me/i.png\"");
	assert_contains(html, "href=\"https://example.com/privacy/\"");
	assert_contains(html, "href=\"/privacyx/y\"");
	assert_contains(html, "href=\"/privacy\"");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_prefix_root)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "");
	struct pf_page	*page = new_page(pages, "unsubscribe");
	char		*html;

	html = render(page);
	assert_contains(html, "action=\"/unsubscribe\"");
	assert_contains(html, "href=\"/static/privforms.css\"");
	assert_contains(html, "<a href=\"/\">");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_bad_prefix_refused)
{
	static const char *const bad[] = { "privacy", "/privacy/", "/",
	    "//evil.example", "/\\evil.example", "/a b", "/a?x", "/a#x",
	    "/a\"b", "/a<b", "/a\nb", "/a\xff" };
	struct pf_pages	*pages;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		pages = (struct pf_pages *)1;
		ck_assert_msg(pf_pages_open(HTDOCS, bad[i], &pages) ==
		    PF_EINVAL, "accepted: %s", bad[i]);
		ck_assert_ptr_null(pages);
	}
	ck_assert_int_eq(pf_pages_open(HTDOCS, NULL, &pages), PF_EINVAL);
	ck_assert_int_eq(pf_pages_open("", "/privacy", &pages), PF_EINVAL);
}
END_TEST

START_TEST(test_bad_template_name_refused)
{
	static const char *const bad[] = { "", "../htdocs/message",
	    "../../etc/passwd", "/etc/passwd", "a/b", "message.xhtml",
	    "Message", "mess age", "message\n", "message%2f",
	    /* 65 characters, one over the limit */
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		page = (struct pf_page *)1;
		ck_assert_msg(pf_page_new(pages, bad[i], &page) == PF_EINVAL,
		    "accepted: %s", bad[i]);
		ck_assert_ptr_null(page);
	}
	/* 64 characters is a valid name; there is just no such template. */
	ck_assert_int_eq(pf_page_new(pages, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &page), PF_ENOTFOUND);
	ck_assert_int_eq(pf_page_new(pages, "no-such-2", &page), PF_ENOTFOUND);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_bad_template_refused)
{
	static const struct named_text bad[] = {
		{ "not well-formed", XHTML_OPEN "<p>open" XHTML_CLOSE },
		{ "not XML", "hello\n" },
		{ "empty", "" },
		{ "DOCTYPE", "<!DOCTYPE html>\n" XHTML_OPEN XHTML_CLOSE },
		{ "entity", "<!DOCTYPE html [<!ENTITY x \"y\">]>\n"
		    XHTML_OPEN "&x;" XHTML_CLOSE },
		{ "external entity", "<!DOCTYPE html [<!ENTITY x SYSTEM "
		    "\"file:///etc/passwd\">]>\n" XHTML_OPEN "&x;" XHTML_CLOSE },
		{ "no namespace", "<html><body/></html>" },
		{ "other root", "<div xmlns=\"http://www.w3.org/1999/xhtml\"/>" },
	};
	struct pf_pages	*pages;
	struct pf_page	*page;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		write_template("bad", bad[i].text);
		pages = open_pages(fx.dir, "/privacy");
		ck_assert_msg(pf_page_new(pages, "bad", &page) == PF_EXML,
		    "accepted: %s", bad[i].name);
		ck_assert_ptr_null(page);
		pf_pages_free(pages);
	}
}
END_TEST

/* ---- rows ---- */

/* A table and a list, each with a model row and text around it. */
static const char rows_xhtml[] = XHTML_OPEN
	"<table><tbody id=\"rows\">\n"
	"<tr class=\"r\"><td>model a</td><td>model b</td><td>model c</td></tr>\n"
	"</tbody></table>"
	"<ul id=\"list\"> <li><span>x</span> and <span>y</span></li> </ul>"
	"<div id=\"two\"><p><b>1</b><i>2</i></p></div>"
	"<div id=\"bare\">text only</div>"
	XHTML_CLOSE;

/* A fresh page from rows_xhtml in the test's directory. */
static struct pf_page *
rows_page(struct pf_pages **pages)
{
	write_template("rows", rows_xhtml);
	*pages = open_pages(fx.dir, "/privacy");
	return new_page(*pages, "rows");
}

START_TEST(test_rows_one_copy_of_the_model_per_row)
{
	static const char *const cells[] = { "2027-01-31", "Received", NULL,
	    "2027-02-01", "Verified", "a <b>note</b> & more" };
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*html;

	page = rows_page(&pages);
	ck_assert_int_eq(pf_page_rows(page, "rows", cells, 3, 2), PF_OK);
	html = render(page);
	assert_contains(html, "<tbody id=\"rows\">\n"
	    "<tr class=\"r\"><td>2027-01-31</td><td>Received</td><td></td></tr>"
	    "<tr class=\"r\"><td>2027-02-01</td><td>Verified</td>"
	    "<td>a &lt;b&gt;note&lt;/b&gt; &amp; more</td></tr>\n</tbody>");
	assert_lacks(html, "model");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_rows_zero_rows_leave_the_element_empty)
{
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*html;

	page = rows_page(&pages);
	ck_assert_int_eq(pf_page_rows(page, "rows", NULL, 3, 0), PF_OK);
	html = render(page);
	assert_lacks(html, "<tr");
	assert_contains(html, "<tbody id=\"rows\">\n\n</tbody>");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

/* Cells are element children only: text between them stays. */
START_TEST(test_rows_list_items_of_spans)
{
	static const char *const cells[] = { "one", "1", "two", "2",
	    "three", "3" };
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*html;

	page = rows_page(&pages);
	ck_assert_int_eq(pf_page_rows(page, "list", cells, 2, 3), PF_OK);
	/* Fewer columns than the model has: the rest are kept as they are. */
	ck_assert_int_eq(pf_page_rows(page, "two", cells, 1, 1), PF_OK);
	html = render(page);
	assert_contains(html, "<ul id=\"list\"> "
	    "<li><span>one</span> and <span>1</span></li>"
	    "<li><span>two</span> and <span>2</span></li>"
	    "<li><span>three</span> and <span>3</span></li> </ul>");
	assert_contains(html, "<p><b>one</b><i>2</i></p>");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_rows_multiline_cell_keeps_its_lines)
{
	static const char *const cells[] = { "a", "b", "line 1\nline 2" };
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*html;

	page = rows_page(&pages);
	ck_assert_int_eq(pf_page_rows(page, "rows", cells, 3, 1), PF_OK);
	html = render(page);
	assert_contains(html, "<td>line 1\nline 2</td>");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

/* Every refusal leaves the page as it was. */
START_TEST(test_rows_refused_page_unchanged)
{
	const char	*cells[6] = { "a", "b", "c", "d", "e", NULL };
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*before, *after;
	size_t		 i;

	page = rows_page(&pages);
	before = render(page);
	ck_assert_int_eq(pf_page_rows(page, "nosuch", cells, 3, 2),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_page_rows(page, "bare", cells, 1, 1),
	    PF_ENOTFOUND);
	/* The model has three cells, not four. */
	ck_assert_int_eq(pf_page_rows(page, "rows", cells, 4, 1), PF_EINVAL);
	ck_assert_int_eq(pf_page_rows(page, "rows", NULL, 3, 1), PF_EINVAL);
	ck_assert_int_eq(pf_page_rows(page, "rows", cells, 3,
	    (size_t)-1 / 2), PF_EINVAL);
	ck_assert_int_eq(pf_page_rows(page, "rows", cells, 0, (size_t)-1),
	    PF_EINVAL);
	ck_assert_int_eq(pf_page_rows(NULL, "rows", cells, 3, 1), PF_EINVAL);
	ck_assert_int_eq(pf_page_rows(page, NULL, cells, 3, 1), PF_EINVAL);
	/* A bad text in the last row refuses every row. */
	for (i = 0; i < NBAD; i++) {
		cells[5] = bad_text[i].text;
		ck_assert_msg(pf_page_rows(page, "rows", cells, 3, 2) ==
		    PF_EINVAL, "accepted %s", bad_text[i].name);
	}
	after = render(page);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_rows_attr_sets_one_cell_of_each_row)
{
	static const char *const cells[] = { "a", "1", "b", "2", "c", "3" };
	static const char *const ids[] = { "x-1", NULL, "x-3" };
	static const char *const four[] = { "x-1", NULL, "x-3", "x-4" };
	static const char *const quote[] = { "\"><b>", "y", "z" };
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		*before, *after;

	page = rows_page(&pages);
	ck_assert_int_eq(pf_page_rows(page, "list", cells, 2, 3), PF_OK);
	ck_assert_int_eq(pf_page_rows_attr(page, "list", 1, "title", ids, 3),
	    PF_OK);
	ck_assert_int_eq(pf_page_rows_attr(page, "list", 0, "class", quote, 1),
	    PF_OK);
	after = render(page);
	assert_contains(after, "<li><span class=\"&quot;&gt;&lt;b&gt;\">a"
	    "</span> and <span title=\"x-1\">1</span></li>"
	    "<li><span>b</span> and <span>2</span></li>"
	    "<li><span>c</span> and <span title=\"x-3\">3</span></li>");
	/* Too many rows, a cell that is not there, refused values. */
	ck_assert_int_eq(pf_page_rows_attr(page, "list", 1, "title", four, 4),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_page_rows_attr(page, "list", 2, "title", ids, 3),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_page_rows_attr(page, "nosuch", 0, "title", ids, 1),
	    PF_ENOTFOUND);
	ck_assert_int_eq(pf_page_rows_attr(page, "list", 0, "onclick", ids, 1),
	    PF_EINVAL);
	ck_assert_int_eq(pf_page_rows_attr(page, "list", 0, "title", NULL, 1),
	    PF_EINVAL);
	before = after;
	after = render(page);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_rows_status_page_history)
{
	static const char *const cells[] = { "Waiting", "2 March 2027", NULL,
	    "Verified", "3 March 2027", "ok" };
	static const char *const when[] = { "2027-03-02", "2027-03-03" };
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "request-status");
	char		*html;

	ck_assert_int_eq(pf_page_rows(page, "history", cells, 3, 2), PF_OK);
	ck_assert_int_eq(pf_page_rows_attr(page, "history", 1, "datetime",
	    when, 2), PF_OK);
	html = render(page);
	ck_assert_int_eq(count(html, "<li>"), 2);
	assert_contains(html, "<time class=\"event-when\" datetime=\"2027-03-03"
	    "\">3 March 2027</time>");
	assert_lacks(html, "<table");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

/* ---- XInclude ---- */

#define XI_OPEN "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
#define XI_NOTICE "xpointer=\"xpointer(/descendant::*[@id='notice'])\"/>"

/* The part to include: a whole page, of which one section is wanted. */
static const char part_xhtml[] = XHTML_OPEN
	"<p>not this</p>"
	"<section id=\"notice\"><p>Edited &amp; kept</p>"
	"<a href=\"/privacy/more\">more</a></section>"
	XHTML_CLOSE;

START_TEST(test_include_the_real_notice)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "data-request");
	char		*html = render(page);

	assert_contains(html, "<section id=\"request-notice\"");
	assert_contains(html, "supervisory authority");
	assert_contains(html, "controller");
	assert_lacks(html, "XInclude");
	assert_lacks(html, "xi:");
	assert_lacks(html, "xml:base");
	/* The notice comes after the form. */
	ck_assert(strstr(html, "</form>") < strstr(html, "request-notice"));
	ck_assert_int_eq(count(html, "<html"), 1);
	ck_assert_int_eq(count(html, "<body"), 1);
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_include_relative_to_the_template_with_urls_rewritten)
{
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		 sub[96], *html;

	write_template("main", XHTML_OPEN "<main>" XI_OPEN
	    "href=\"parts/part.xhtml\" " XI_NOTICE "</main>" XHTML_CLOSE);
	snprintf(sub, sizeof(sub), "%s/parts", fx.dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	add_file(sub, "part.xhtml", part_xhtml);
	pages = open_pages(fx.dir, "/help");
	page = new_page(pages, "main");
	html = render(page);
	assert_contains(html, "<main><section id=\"notice\">"
	    "<p>Edited &amp; kept</p><a href=\"/help/more\">more</a>"
	    "</section></main>");
	assert_lacks(html, "not this");
	assert_lacks(html, "xml:base");
	/* The page can be edited like any other. */
	ck_assert_int_eq(pf_page_text(page, "notice", "<x>"), PF_OK);
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

/* Any include that cannot be made stops the template from loading. */
START_TEST(test_include_failures_refuse_the_template)
{
	static const char *const bad[] = {
		"href=\"missing.xhtml\" " XI_NOTICE,
		"href=\"part.xhtml\" "
		    "xpointer=\"xpointer(/descendant::*[@id='none'])\"/>",
		"href=\"broken.xhtml\" " XI_NOTICE,
		"href=\"http://127.0.0.1:9/part.xhtml\" " XI_NOTICE,
		"href=\"main.xhtml\"/>",	/* itself */
	};
	struct pf_pages	*pages;
	struct pf_page	*page;
	char		 text[512];
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		snprintf(text, sizeof(text), "%s%s%s%s", XHTML_OPEN, XI_OPEN,
		    bad[i], XHTML_CLOSE);
		write_template("main", text);
		add_file(fx.dir, "part.xhtml", part_xhtml);
		add_file(fx.dir, "broken.xhtml", XHTML_OPEN "<p>" XHTML_CLOSE);
		pages = open_pages(fx.dir, "/privacy");
		ck_assert_msg(pf_page_new(pages, "main", &page) == PF_EXML,
		    "accepted: %s", bad[i]);
		ck_assert_ptr_null(page);
		pf_pages_free(pages);
	}
}
END_TEST

START_TEST(test_utf8_output)
{
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page	*page = new_page(pages, "message");
	char		*html;

	ck_assert_int_eq(pf_page_text(page, "message",
	    "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), PF_OK);
	html = render(page);
	assert_contains(html, ">Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80</p>");
	free(html);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

/* A response stream into memory. */
struct sink {
	char	*buf;
	size_t	 len;
	FILE	*f;
};

static int
sink_write(void *ctx, const void *buf, size_t len)
{
	struct sink	*s = ctx;

	return fwrite(buf, 1, len, s->f) == len ? 0 : -1;
}

static void
sink_open(struct sink *s, struct pf_request *req)
{
	memset(s, 0, sizeof(*s));
	memset(req, 0, sizeof(*req));
	ck_assert_ptr_nonnull(s->f = open_memstream(&s->buf, &s->len));
	req->io.write = sink_write;
	req->io.ctx = s;
}

static void
sink_close(struct sink *s)
{
	ck_assert_int_eq(fclose(s->f), 0);
}

START_TEST(test_send)
{
	struct pf_pages		*pages = open_pages(HTDOCS, "/privacy");
	struct pf_page		*page = new_page(pages, "unsubscribe");
	struct pf_request	 req;
	struct sink		 s;

	sink_open(&s, &req);
	ck_assert_int_eq(pf_page_send(&req, 422, page, NULL, 0), PF_OK);
	sink_close(&s);
	ck_assert_int_eq(strncmp(s.buf, "Status: 422 ", 12), 0);
	assert_contains(s.buf, "Content-Type: text/html; charset=utf-8\r\n");
	assert_contains(s.buf, "\r\n\r\n<!DOCTYPE html>\n<html");
	assert_contains(s.buf, "</html>\n");
	free(s.buf);
	pf_page_free(page);
	pf_pages_free(pages);
}
END_TEST

/* page sent for req with the GPC signal or not: the answer, to free. */
static char *
sent(struct pf_pages *pages, const char *name, int gpc)
{
	struct pf_page		*page = new_page(pages, name);
	struct pf_request	 req;
	struct sink		 s;

	sink_open(&s, &req);
	req.gpc = gpc;
	ck_assert_int_eq(pf_page_send(&req, 200, page, NULL, 0), PF_OK);
	sink_close(&s);
	pf_page_free(page);
	return s.buf;
}

/* How often needle stands in hay. */
static int
occurrences(const char *hay, const char *needle)
{
	int	 n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

START_TEST(test_send_says_the_gpc_signal_was_honored_first_in_main)
{
	static const char *const names[] = { "unsubscribe", "do-not-call",
	    "data-request", "feedback", "consent-done", "not-found" };
	struct pf_pages	*pages = open_pages(HTDOCS, "/privacy");
	struct pf_request req;
	struct sink	 s;
	char		*buf;
	size_t		 i;

	for (i = 0; i < nitems(names); i++) {
		buf = sent(pages, names[i], 1);
		ck_assert_msg(occurrences(buf, "Opt-out preference signal "
		    "honored") == 1, "%s", names[i]);
		ck_assert_msg(strstr(buf, "<main>\n<p id=\"gpc-notice\"") !=
		    NULL || strstr(buf, "<main><p id=\"gpc-notice\"") != NULL,
		    "%s: %s", names[i], buf);
		free(buf);
		buf = sent(pages, names[i], 0);
		ck_assert_ptr_null(strstr(buf, "gpc-notice"));
		free(buf);
	}
	/* A page that says it in its own words gets no second line. */
	buf = sent(pages, "opt-out", 1);
	ck_assert_int_eq(occurrences(buf, "Opt-out preference signal "
	    "honored"), 1);
	ck_assert_ptr_null(strstr(buf, "gpc-notice"));
	free(buf);
	/* Nor any xmlns of its own: it is one of the page's elements. */
	buf = sent(pages, "unsubscribe", 1);
	ck_assert_ptr_null(strstr(buf, "<p xmlns"));
	free(buf);
	sink_open(&s, &req);
	req.gpc = 1;
	ck_assert_int_eq(pf_page_message(pages, &req, 404, "Not here",
	    "Gone.", NULL, 0), PF_OK);
	sink_close(&s);
	assert_contains(s.buf, "id=\"gpc-notice\"");
	free(s.buf);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_message)
{
	static const struct pf_header retry[] = { { "Retry-After", "60" } };
	struct pf_pages		*pages = open_pages(HTDOCS, "/privacy");
	struct pf_request	 req;
	struct sink		 s;

	sink_open(&s, &req);
	ck_assert_int_eq(pf_page_message(pages, &req, 503, "Try <again>",
	    "Nothing & nobody", retry, 1), PF_OK);
	sink_close(&s);
	ck_assert_int_eq(strncmp(s.buf, "Status: 503 ", 12), 0);
	assert_contains(s.buf, "Retry-After: 60\r\n");
	assert_contains(s.buf, "Content-Type: text/html; charset=utf-8\r\n");
	/* The title ends as every page's does. */
	assert_contains(s.buf, "<title>Try &lt;again&gt; \u2013 Privacy "
	    "requests</title>");
	assert_contains(s.buf, "<h1 id=\"title\">Try &lt;again&gt;</h1>");
	assert_contains(s.buf, "<p id=\"message\">Nothing &amp; nobody</p>");
	free(s.buf);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_message_falls_back_to_plain_text)
{
	struct pf_pages		*pages;
	struct pf_request	 req;
	struct sink		 s;

	/* No templates at all (configuration not read yet). */
	sink_open(&s, &req);
	ck_assert_int_eq(pf_page_message(NULL, &req, 503, "Try again",
	    "Nothing was stored.", NULL, 0), PF_OK);
	sink_close(&s);
	assert_contains(s.buf, "Content-Type: text/plain; charset=utf-8\r\n");
	assert_contains(s.buf, "\r\n\r\nTry again\n\nNothing was stored.\n");
	free(s.buf);

	/* A broken message template. */
	write_template("message", "<html");
	pages = open_pages(fx.dir, "/privacy");
	sink_open(&s, &req);
	ck_assert_int_eq(pf_page_message(pages, &req, 404, "Not here",
	    "Gone.", NULL, 0), PF_OK);
	sink_close(&s);
	assert_contains(s.buf, "text/plain");
	assert_contains(s.buf, "\r\n\r\nNot here\n\nGone.\n");
	free(s.buf);
	pf_pages_free(pages);
}
END_TEST

START_TEST(test_message_bad_text_not_echoed)
{
	struct pf_pages		*pages = open_pages(HTDOCS, "/privacy");
	struct pf_request	 req;
	struct sink		 s;

	sink_open(&s, &req);
	ck_assert_int_eq(pf_page_message(pages, &req, 400, "Bad\x1b[31m",
	    "x", NULL, 0), PF_OK);
	sink_close(&s);
	assert_contains(s.buf, "text/plain");
	assert_contains(s.buf, "\r\n\r\nBad Request\n\n\n");
	assert_lacks(s.buf, "\x1b");
	free(s.buf);
	pf_pages_free(pages);
}
END_TEST

PF_TEST_MAIN("page",
    pf_test_fixture(tc, PF_TEST_DIR, NULL, NULL, NULL),
    tcase_add_test(tc, test_every_template_parses),
    tcase_add_test(tc, test_send_says_the_gpc_signal_was_honored_first_in_main),
    tcase_add_test(tc, test_render_is_html_compatible),
    tcase_add_test(tc, test_text_markup_is_escaped),
    tcase_add_test(tc, test_text_entities_are_not_interpreted),
    tcase_add_test(tc, test_text_replaces_content),
    tcase_add_test(tc, test_attr_value_is_escaped),
    tcase_add_test(tc, test_attr_remove),
    tcase_add_test(tc, test_attr_bad_name_refused),
    tcase_add_test(tc, test_bad_text_refused_page_unchanged),
    tcase_add_test(tc, test_newline_only_where_multiline),
    tcase_add_test(tc, test_value_input),
    tcase_add_test(tc, test_value_hidden_input),
    tcase_add_test(tc, test_value_textarea),
    tcase_add_test(tc, test_value_textarea_leading_newline_kept),
    tcase_add_test(tc, test_value_radio),
    tcase_add_test(tc, test_value_radio_unknown_checks_none),
    tcase_add_test(tc, test_value_select),
    tcase_add_test(tc, test_value_checkbox),
    tcase_add_test(tc, test_value_unknown_name),
    tcase_add_test(tc, test_options_appended_after_placeholder),
    tcase_add_test(tc, test_options_every_select_of_that_name),
    tcase_add_test(tc, test_options_selectable_in_each_copy),
    tcase_add_test(tc, test_options_country_table),
    tcase_add_test(tc, test_options_empty_list_changes_nothing),
    tcase_add_test(tc, test_options_unknown_template_or_control),
    tcase_add_test(tc, test_options_bad_text_refused_template_unchanged),
    tcase_add_test(tc, test_options_markup_escaped),
    tcase_add_test(tc, test_error_reveals_summary_and_marks_control),
    tcase_add_test(tc, test_error_radio_group_marks_all),
    tcase_add_test(tc, test_error_without_summary),
    tcase_add_test(tc, test_error_unknown_field),
    tcase_add_test(tc, test_unknown_id),
    tcase_add_test(tc, test_remove),
    tcase_add_test(tc, test_pages_are_independent_copies),
    tcase_add_test(tc, test_prefix_rewrite),
    tcase_add_test(tc, test_prefix_rewrite_only_template_urls),
    tcase_add_test(tc, test_prefix_root),
    tcase_add_test(tc, test_bad_prefix_refused),
    tcase_add_test(tc, test_bad_template_name_refused),
    tcase_add_test(tc, test_bad_template_refused),
    tcase_add_test(tc, test_rows_one_copy_of_the_model_per_row),
    tcase_add_test(tc, test_rows_zero_rows_leave_the_element_empty),
    tcase_add_test(tc, test_rows_list_items_of_spans),
    tcase_add_test(tc, test_rows_multiline_cell_keeps_its_lines),
    tcase_add_test(tc, test_rows_refused_page_unchanged),
    tcase_add_test(tc, test_rows_status_page_history),
    tcase_add_test(tc, test_include_the_real_notice),
    tcase_add_test(tc, test_include_relative_to_the_template_with_urls_rewritten),
    tcase_add_test(tc, test_include_failures_refuse_the_template),
    tcase_add_test(tc, test_utf8_output),
    tcase_add_test(tc, test_send),
    tcase_add_test(tc, test_message),
    tcase_add_test(tc, test_rows_attr_sets_one_cell_of_each_row),
    tcase_add_test(tc, test_error_goes_to_its_own_forms_summary),
    tcase_add_test(tc, test_notice_marks_the_title),
    tcase_add_test(tc, test_message_falls_back_to_plain_text),
    tcase_add_test(tc, test_message_bad_text_not_echoed))
