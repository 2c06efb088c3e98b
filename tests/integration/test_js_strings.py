"""The browser scripts hold no words of their own: every text the consent
snippet (htdocs/static/consent.js) and the proof-of-work widget
(htdocs/static/guard.js) show comes from privforms in the visitor's
language, so the catalogue reaches it.  The snippet's texts are
GET consent?dialog's "texts" (test_consent.py checks that they are all
there); the widget's are guard.xhtml's hidden .pf-guard-text paragraphs,
which itstool extracts with the rest of the template (the pseudo-locale's
copy shows them translated).

A literal counts as words a visitor reads when it holds two words with a
space between them, or is one capitalised word ("Verified", "Manage").
Error messages (new Error(...)) are for the console, not the visitor, and
'use strict' is for the engine."""

import os
import re
import unittest
import xml.etree.ElementTree as ET

from harness import SRC

SCRIPTS = ("consent.js", "guard.js")
XHTML = "{http://www.w3.org/1999/xhtml}"
LITERAL = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|"
                     r"`(?:[^`\\]|\\.)*`")
WORDS = re.compile(r"[A-Za-z]{2,}[,.:;!?\u2026]* +[A-Za-z]{2,}")
WORD = re.compile(r"[A-Z][a-z]+")
COMMENT = re.compile(r"/\*.*?\*/|^\s*//[^\n]*", re.S | re.M)
ERROR = re.compile(r"Error\(\s*$")


def english(source):
    """The literals of a script's source that read as English words."""
    code = COMMENT.sub("", source)
    found = []
    for m in LITERAL.finditer(code):
        text = m.group(0)[1:-1]
        if (text == "use strict" or
                ERROR.search(code[max(0, m.start() - 40):m.start()])):
            continue
        if WORDS.search(text) or WORD.fullmatch(text):
            found.append(text)
    return found


def read(name):
    with open(os.path.join(SRC, "htdocs", "static", name),
              encoding="utf-8") as f:
        return f.read()


class Scripts(unittest.TestCase):
    def test_the_scan_finds_english(self):
        # What the scripts held before their texts moved to privforms.
        self.assertEqual(english(
            "const A = 'Verified';\n"
            "b.textContent = 'Saving your choice\u2026';\n"
            "/* 'Not this' */ el('h2', {}, \"Cookie settings\");\n"
            "throw new Error('challenge: no solution');\n"
            "fetch(u, { cache: 'no-store', credentials: 'same-origin' });\n"
            "q('input[type=\"hidden\"][name=\"altcha\"]');\n"),
            ["Verified", "Saving your choice\u2026", "Cookie settings"])

    def test_no_script_holds_english(self):
        for name in SCRIPTS:
            with self.subTest(name):
                self.assertEqual(english(read(name)), [])

    def test_the_widget_reads_every_state_the_block_has(self):
        tree = ET.parse(os.path.join(SRC, "htdocs", "guard.xhtml"))
        texts = {p.get("data-state"): p.text
                 for p in tree.iter(XHTML + "p")
                 if p.get("class") == "pf-guard-text"}
        self.assertEqual(sorted(texts), ["failed", "solving", "verified"])
        self.assertEqual(texts["verified"], "Verified")
        said = set(re.findall(r"this\.say\('(\w+)'\)", read("guard.js")))
        self.assertEqual(said - {"idle"}, set(texts))

    def test_the_pseudo_locale_translates_the_widget_texts(self):
        # Built by `make all`: the texts are messages of the catalogue.
        path = os.path.join(SRC, "htdocs", "en_XA", "guard.xhtml")
        tree = ET.parse(path)
        paras = [p for p in tree.iter(XHTML + "p")
                 if p.get("class") == "pf-guard-text"]
        self.assertEqual(len(paras), 3)
        for p in paras:
            self.assertEqual(p.get("hidden"), "hidden")
            self.assertTrue(p.text.startswith("\u27e6") and
                            p.text.endswith("\u27e7"), p.text)


if __name__ == "__main__":
    unittest.main()
