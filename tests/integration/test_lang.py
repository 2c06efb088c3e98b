"""The visitor's language through a real nginx (issue 20 items 2 and 5;
lib/lang.h, program.h, page.h): Accept-Language by RFC 4647 lookup
("de-AT, de;q=0.9" gets the German templates and <html lang="de">), ?lang=
over it, an unsupported language the site's default, Content-Language and
Vary: Accept-Language on every page, the language menu's links (the same
page and query in each language, hostile query values escaped), a chosen
language kept by the page's links, dir="rtl" for a language written right
to left, and style sheets that set sides only with logical properties.

The site offers en, de and ar-XB (harness.language_config: template
copies that say the site's name in the language, catalogues made with
msgfmt), ar-XB by default."""

import os
import re
import unittest
import urllib.parse

from harness import (Site, SRC, SITE_NAME, LANGUAGE_PO, language_config,
                     teardown)
from htmlpage import Page

SITE = None
# Pages of every program, and a program's own 404.
PATHS = ("/privacy/unsubscribe", "/privacy/do-not-call", "/privacy/request",
         "/privacy/feedback", "/privacy/feedback/article?article=a",
         "/privacy/consent", "/privacy/opt-out", "/privacy/request/nosuch")
HOSTILE = ('t=%22%3E%3Cscript%3Ealert(1)%3C/script%3E&x=a%26b%3Cc'
           '&lang=nope')


def setUpModule():
    global SITE
    import tempfile
    files = tempfile.mkdtemp(prefix="privforms-lang-")
    conf = language_config(files)
    conf["default_language"] = "ar-XB"
    SITE = Site(config=conf).start()
    SITE.files = files


def tearDownModule():
    teardown(SITE)
    import shutil
    shutil.rmtree(SITE.files, ignore_errors=True)


def get(path, accept=None):
    return SITE.get(path, headers={"Accept-Language": accept} if accept
                    else None)


class Negotiation(unittest.TestCase):

    def assert_language(self, r, tag, what):
        self.assertEqual(r.header("content-language"), tag, what)
        self.assertIn("Accept-Language", r.header("vary") or "", what)
        html = Page(r.text).all("html")[0]
        self.assertEqual(html.get("lang"), tag, what)
        self.assertEqual(html.get("dir"),
                         LANGUAGE_PO.get(tag, ("", "ltr"))[1], what)
        if tag in SITE_NAME:
            self.assertIn(SITE_NAME[tag], r.text, what)
        else:
            self.assertIn("Privacy requests", r.text, what)

    def test_de_at_then_de_gets_the_german_pages(self):
        for path in PATHS:
            r = get(path, "de-AT, de;q=0.9")
            self.assertIn(r.status, (200, 404), path)
            self.assert_language(r, "de", path)

    def test_lookup_by_weight_and_truncation(self):
        for accept, tag in (("fr-CH, en;q=0.5, de;q=0.7", "de"),
                            ("EN-gb", "en"), ("de;q=0, en-US", "en"),
                            ("de-AT, de;q=0", "ar-XB"), ("*", "ar-XB"),
                            ("ja, zh-CN;q=0.9", "ar-XB"),
                            ("de;q=bad, en;q=0.1", "en")):
            self.assert_language(get("/privacy/unsubscribe", accept), tag,
                                 accept)

    def test_lang_in_the_query_comes_first(self):
        r = get("/privacy/unsubscribe?lang=en", "de-AT, de;q=0.9")
        self.assert_language(r, "en", "lang=en")
        self.assertNotIn(SITE_NAME["de"], r.text)
        self.assert_language(get("/privacy/request?lang=de", "en"), "de",
                             "lang=de")

    def test_a_language_not_offered_is_the_default(self):
        for path in ("/privacy/unsubscribe?lang=ja",
                     "/privacy/unsubscribe?lang=%3Cscript%3E",
                     "/privacy/unsubscribe?lang="):
            r = get(path, "ja")
            self.assertEqual(r.status, 200, path)
            self.assert_language(r, "ar-XB", path)
            self.assertNotIn("<script>", r.text)
        self.assert_language(get("/privacy/unsubscribe"), "ar-XB", "none")

    def test_menu_links_every_language_with_the_query_escaped(self):
        path = "/privacy/request/status"
        r = get(path + "?" + HOSTILE, "de")
        self.assertNotIn("<script>alert", r.text)
        self.assertNotIn("a&b<c", r.text)
        page = Page(r.text)
        menu = page.byid["language-menu"]
        self.assertEqual(menu.tag, "nav")
        self.assertEqual(menu.get("aria-label"), LANGUAGE_PO["de"][2])
        self.assertIn(menu.parent.tag, ("header",))
        links = [a for a in menu.walk() if a.tag == "a"]
        names = {"en": "English", "de": "Deutsch",
                 "ar-XB": LANGUAGE_PO["ar-XB"][0]}
        self.assertEqual([a.get("hreflang") for a in links],
                         ["en", "de", "ar-XB"])
        query = ("t=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E"
                 "&x=a%26b%3Cc")
        for a in links:
            tag = a.get("hreflang")
            self.assertEqual(a.get("lang"), tag)
            self.assertEqual(a.text.strip(), names[tag])
            self.assertEqual(a.get("href"),
                             "%s?%s&lang=%s" % (path, query, tag))
            self.assertEqual(a.get("aria-current"),
                             "true" if tag == "de" else None)
            # Followed, the link is the same page in that language, its
            # query values as they were.
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(
                a.get("href")).query)
            self.assertEqual(q["t"], ['"><script>alert(1)</script>'])
            self.assertEqual(q["x"], ["a&b<c"])
            self.assert_language(get(a.get("href"), "en"), tag, tag)

    def test_a_chosen_language_is_kept_by_the_pages_links(self):
        page = Page(get("/privacy/unsubscribe?lang=de").text)
        form = page.byid["unsubscribe-form"]
        self.assertEqual(form.get("action"), "/privacy/unsubscribe?lang=de")
        hrefs = [a.get("href") for a in page.all("a")]
        self.assertIn("/privacy/?lang=de", hrefs)
        css = [l.get("href") for l in page.all("link")]
        self.assertIn("/privacy/static/privforms.css", css)
        # Negotiated, not chosen: the links stay as they are.
        page = Page(get("/privacy/unsubscribe", "de").text)
        self.assertEqual(page.byid["unsubscribe-form"].get("action"),
                         "/privacy/unsubscribe")

    def test_a_chosen_language_is_kept_after_a_post(self):
        fields = {"channel": "email", "email": "lang-kept@example.com"}
        r = SITE.post("/privacy/unsubscribe?lang=de", fields,
                      headers={"Accept-Language": "en"})
        self.assertEqual(r.status, 303, r)
        where = r.header("location")
        self.assertIn("lang=de", where)
        self.assert_language(get(where, "en"), "de", where)
        r = SITE.post("/privacy/unsubscribe", dict(
            fields, email="lang-not-chosen@example.com"),
            headers={"Accept-Language": "de"})
        self.assertEqual(r.status, 303, r)
        self.assertNotIn("lang=", r.header("location"))

    def test_every_answer_says_its_language(self):
        for method, path in (("PUT", "/privacy/unsubscribe"),
                             ("GET", "/privacy/unsubscribe?a=1&a=2"),
                             ("GET", "/privacy/request/nosuch")):
            r = SITE.request(method, path,
                             headers={"Accept-Language": "de"})
            self.assertIn(r.status, (400, 404, 405), path)
            self.assert_language(r, "de", path)


class Hub(unittest.TestCase):
    """/privacy/ is a program's page, negotiated as every page is."""

    def test_the_hub_in_each_visitors_language(self):
        for accept, query, tag in (("de-AT, de;q=0.9", "", "de"),
                                   ("de;q=0, en-GB", "", "en"),
                                   ("ja", "", "ar-XB"),
                                   ("de", "?lang=en", "en"),
                                   ("en", "?lang=ar-XB", "ar-XB")):
            r = get("/privacy/" + query, accept)
            self.assertEqual(r.status, 200, r)
            Negotiation.assert_language(self, r, tag, (accept, query))
            self.assertIn("What is your privacy related request?", r.text)
            self.assertIn('id="language-menu"', r.text)

    def test_the_hubs_links_keep_a_chosen_language(self):
        page = Page(get("/privacy/?lang=de").text)
        hrefs = {a.get("href") for a in page.all("a")}
        for form in ("/privacy/unsubscribe?lang=de",
                     "/privacy/request?type=other&lang=de",
                     "/privacy/feedback?lang=de"):
            self.assertIn(form, hrefs)
        # Followed, a form is in the language chosen.
        self.assert_german(get("/privacy/request?type=other&lang=de", "en"))
        hrefs = {a.get("href") for a in Page(get("/privacy/", "de").text)
                 .all("a")}
        self.assertIn("/privacy/unsubscribe", hrefs)

    def assert_german(self, r):
        self.assertEqual(r.header("content-language"), "de")

    def test_a_post_to_the_hub_is_refused(self):
        r = SITE.request("POST", "/privacy/", body=b"a=1", headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 405, r)
        self.assertEqual(r.header("allow"), "GET, HEAD")


class StyleSheets(unittest.TestCase):
    """Sides only through logical properties, so dir="rtl" mirrors."""

    PHYSICAL = re.compile(
        r"(?:^|[\s;{])(?:(?:margin|padding|border)-(?:left|right)"
        r"|left|right|float)\s*:|text-align\s*:\s*(?:left|right)"
        r"|(?:margin|padding|inset)[ \t]*:[ \t]*([^\s;]+)[ \t]+([^\s;]+)"
        r"[ \t]+([^\s;]+)[ \t]+([^\s;]+)[ \t]*;")

    def test_no_physical_side(self):
        for name in ("privforms.css", "consent.css"):
            path = os.path.join(SRC, "htdocs", "static", name)
            with open(path, encoding="utf-8") as f:
                text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
            bad = [m.group(0).strip() for m in self.PHYSICAL.finditer(text)
                   if m.group(1) is None or m.group(2) != m.group(4)]
            self.assertEqual(bad, [], name)


if __name__ == "__main__":
    unittest.main()
