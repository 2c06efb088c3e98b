"""Every form's 422 in German names the German field labels (issue 20
item 6): a visitor whose browser asks for "de-AT, de;q=0.9" posts each
form (unsubscribe, do-not-call and its status check, data request,
feedback and the article vote, opt-out, consent, appeal) empty or wrong,
and each line of the error summary is the German catalogue's translation
of that field's own message (the field tables' words in the C sources,
test_c_strings.field_words) or of a validator's message naming the field
by its German label ("%s must be %zu characters or fewer.") or naming no
field ("Enter the domain after the @ ..."), never the English.  The
consent form, whose one field is the button pressed, says it in its
notice.

The translations are read from the built catalogue (build/locale/de/
LC_MESSAGES/privforms.mo, through Python's gettext), not written here.
Until po/de.po is in the tree the same test runs in the pseudo-locale
en-XA (every message wrapped "⟦ ⟧"), which the build always makes."""

import gettext
import os
import re
import time
import unittest

from harness import (SRC, mail_site, request_submit, request_verify,
                     stamp_of, teardown, token_craft)
from htmlpage import Page
from test_c_strings import field_words

GERMAN = os.path.exists(os.path.join(SRC, "po", "de.po"))
TAG, NAME, ACCEPT = (("de", "de", "de-AT, de;q=0.9") if GERMAN else
                     ("en-XA", "en_XA", "en-XA"))
LOCALE = os.path.join(SRC, "build", "locale")
SITE = SMTP = None

# Each form: its path, the C file whose field tables it uses, and posts
# that fail (empty, and wrong in each way its fields can be).
FORMS = (
    ("/privacy/unsubscribe", "cgi-bin/unsubscribe.c",
     ({}, {"channel": "email", "email": "bad@"},
      {"channel": "sms", "phone": "12", "reason": "x" * 1001})),
    ("/privacy/do-not-call", "cgi-bin/do-not-call.c",
     ({}, {"phone": "12", "country": "XX", "email": "bad@"})),
    ("/privacy/do-not-call?check", "cgi-bin/do-not-call.c",
     ({}, {"check_phone": "12", "check_country": "XX"})),
    ("/privacy/request", "cgi-bin/data-request.c",
     ({}, {"type": "access", "relationship": "customer", "country": "US",
           "state": "CA", "email": "bad@", "on_behalf": "agent"})),
    ("/privacy/feedback", "cgi-bin/feedback.c",
     ({}, {"type": "nope", "rating": "nope"})),
    ("/privacy/feedback/article", "cgi-bin/feedback.c",
     ({}, {"article": "reset-password", "helpful": "maybe"})),
    ("/privacy/opt-out", "cgi-bin/opt-out.c",
     ({"optout": "yes", "email": "bad@", "phone": "12"},)),
    ("/privacy/consent", "cgi-bin/consent.c",
     ({"choice": "nope"},)),
)


def setUpModule():
    global SITE, SMTP
    SITE, SMTP = mail_site(languages="en " + TAG, locale_dir=LOCALE)


def tearDownModule():
    teardown(SITE, SMTP)


def catalogue():
    return gettext.translation("privforms", localedir=LOCALE,
                               languages=[NAME])


# A printf conversion in a message: %s, %1$s (a label), %2$zu (a number).
CONVERSION = re.compile(r"%(?:\d+\$)?[-+ #0']*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t)?"
                        r"([diouxXs])")


def said_by_the_catalogue(t, text, labels):
    """Is text one of the catalogue's translations, any %s in it one of
    labels (the field's translated label) and any number a number?"""
    for msgstr in t._catalog.values():
        if "%" not in msgstr:
            if msgstr == text:
                return True
            continue
        parts = CONVERSION.split(msgstr)
        pattern = ""
        for i, part in enumerate(parts):
            if i % 2 == 0:
                pattern += re.escape(part.replace("%%", "%"))
            else:
                pattern += ("(?:%s)" % "|".join(map(re.escape, labels))
                            if part == "s" else r"\d+")
        if re.fullmatch(pattern, text):
            return True
    return False


def words_of(path):
    """{control name: [label and messages]} of path's field tables."""
    out = {}
    for where, name, text in field_words():
        if where == path:
            out.setdefault(name, []).append(text)
    return out


def stamp(path):
    """The stamp of path's form as shown in the language: a POST is
    answered in the language its stamp seals (program.h)."""
    page = SITE.get(path.split("?")[0] + ("?article=reset-password"
                                          if "article" in path else ""),
                    headers={"Accept-Language": ACCEPT})
    return stamp_of(page.text)


class GermanErrors(unittest.TestCase):
    def assert_names_the_labels(self, r, words, what):
        """Each summary line of r is the catalogue's translation of its
        field's label or message (a form may name only some fields)."""
        t = catalogue()
        self.assertEqual(r.status, 422, what)
        self.assertEqual(r.header("content-language"), TAG, what)
        page = Page(r.text)
        lines = [l for s in page.summaries() for l in page.links(s)]
        if not lines:   # the consent form's one choice: its notice says it
            notice = page.byid["notice"].text.strip()
            self.assertTrue(said_by_the_catalogue(t, notice, []),
                            (what, notice))
            return
        for href, text in lines:
            control = page.byid.get(href[1:])   # a hidden field has none
            name = control.get("name") or control.get("id") \
                if control is not None else href[1:]
            theirs = [t.gettext(w) for w in words.get(name, ())]
            self.assertTrue(theirs, (what, name))
            self.assertTrue(all(w != t.gettext(w) for w in words[name]),
                            "%s: %s is not translated" % (what, name))
            # The field's own message, or a validator's naming the
            # field by its label in the language (or naming no field:
            # "Enter the domain after the @").
            self.assertTrue(text in theirs or
                            said_by_the_catalogue(t, text, theirs),
                            "%s: %r is not the catalogue's, naming one of "
                            "%r" % (what, text, theirs))

    def test_every_forms_422_names_its_fields_in_the_language(self):
        for path, source, posts in FORMS:
            words = words_of(source)
            for fields in posts:
                with self.subTest(form=path, fields=fields):
                    r = SITE.post(path, fields, stamp=stamp(path),
                                  headers={"Accept-Language": ACCEPT})
                    self.assert_names_the_labels(r, words, (path, fields))

    def test_the_appeal_forms_422(self):
        to = "appeal-lang@example.com"
        rid = request_submit(SITE, to, country="US", state="TX")
        request_verify(SITE, SMTP, to)
        SITE.privforms("request", "deny", str(rid), "--reason",
                       "no-data-held")
        SITE.send_mail(SMTP)
        t = token_craft(SITE, "dsr-status", int(time.time()) + 3600,
                        str(rid))
        page = SITE.get("/privacy/request/appeal?t=" + t,
                        headers={"Accept-Language": ACCEPT})
        self.assertEqual(page.status, 200, page)
        r = SITE.post("/privacy/request/appeal",
                      {"t": t, "reason": "x" * 2001},
                      stamp=stamp_of(page.text),
                      headers={"Accept-Language": ACCEPT})
        self.assert_names_the_labels(r, words_of("lib/appeal_pages.c"),
                                     "appeal")


if __name__ == "__main__":
    unittest.main()
