"""The browser scripts' words in the visitor's language, through a real
nginx, with the build's pseudo-locale en-XA (po/i18n.mk: every message
wrapped in "⟦…⟧"): the consent snippet's ?dialog gives every text the
dialog shows translated, for ?lang= and for Accept-Language alike, and a
guarded form carries the proof-of-work widget's words translated (the
scripts themselves hold none: test_js_strings.py)."""

import json
import os
import unittest

from harness import Site, SRC, teardown
from htmlpage import Page

SITE = None
WRAPPED = ("\u27e6", "\u27e7")


def setUpModule():
    global SITE
    SITE = Site(config={"languages": "en en-XA",
                        "locale_dir": os.path.join(SRC, "build",
                                                   "locale")}).start()


def tearDownModule():
    teardown(SITE)


def wrapped(text):
    return text.startswith(WRAPPED[0]) and text.endswith(WRAPPED[1])


class Dialog(unittest.TestCase):
    def dialog(self, query, headers=None):
        r = SITE.get("/privacy/consent?dialog" + query, headers=headers)
        self.assertEqual(r.status, 200, r)
        return json.loads(r.text)

    def test_every_text_is_in_the_language_asked_for(self):
        for query, headers in (("&lang=en-XA", None),
                               ("", {"Accept-Language": "en-XA"})):
            d = self.dialog(query, headers)
            texts = list(d["texts"].values())
            for c in d["categories"]:
                texts += [c["name"], c["description"], c["cookies_text"]]
            for t in texts:
                self.assertTrue(wrapped(t), (query, headers, t))

    def test_english_without_a_choice(self):
        d = self.dialog("&lang=en")
        self.assertEqual(d["texts"]["reject"], "Reject all")
        self.assertFalse(any(wrapped(t) for t in d["texts"].values()))


class Widget(unittest.TestCase):
    def test_a_guarded_form_carries_the_widget_words_translated(self):
        r = SITE.get("/privacy/feedback?lang=en-XA")
        self.assertEqual(r.status, 200, r)
        said = {p.get("data-state"): p.text
                for p in Page(r.text).all("p", "pf-guard-text")}
        self.assertEqual(sorted(said), ["failed", "solving", "verified"])
        for state, text in said.items():
            self.assertTrue(wrapped(text), (state, text))


if __name__ == "__main__":
    unittest.main()
