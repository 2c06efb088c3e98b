"""Every form's words are in the catalogue: each field table's label and
empty-field message (what a 422 names the field by), in cgi-bin/ and lib/,
is a message xgettext extracts with the project's keywords (_ N_
C_:1c,2 and its defaults ngettext ...), so that a translator sees it and a
page can say it in the visitor's language; and no call that writes a
visitor's page or a field's error (pf_page_message, pf_form_fail,
pf_page_text) passes an English literal past gettext.  That the words are
then said in the language (form.c, validate.c with a compiled catalogue)
is tests/unit/test_form_lang.c's.  The words of etc/'s tables that
visitors read (consent categories, law names, regulators) are messages
too, through tools/gen-table-pot.py."""

import glob
import os
import re
import subprocess
import tempfile
import unittest

from harness import SRC

LIT = r'"(?:[^"\\\n]|\\.)*"'
GROUP = LIT + r'(?:\s*' + LIT + r')*'
TABLE = re.compile(r"struct pf_field\s+\w+\[[^\]]*\]\s*=\s*\{(.*?)\n\};",
                   re.S)
ENTRY = re.compile(r"\[\w+\]\s*=\s*\{(.*?)\}\s*,", re.S)
# A call whose text argument is a bare literal: English past gettext.
BARE = re.compile(r"\b(pf_page_message\(app->pages, req, \d+,|"
                  r"pf_form_fail\([^,]+, [^,]+,|"
                  r"pf_page_text\([^,]+, \"[^\"]*\",)\s*\"")


def sources():
    return sorted(glob.glob(os.path.join(SRC, "cgi-bin", "*.c")) +
                  glob.glob(os.path.join(SRC, "lib", "*.c")) +
                  glob.glob(os.path.join(SRC, "lib", "*.h")) +
                  glob.glob(os.path.join(SRC, "lib", "*.def")))


def literal(group):
    """The C string a group of adjacent literals makes."""
    parts = re.findall(LIT, group)
    return "".join(p[1:-1] for p in parts).encode().decode("unicode_escape")


def catalogue():
    """The msgids xgettext finds in the sources."""
    with tempfile.TemporaryDirectory() as d:
        pot = os.path.join(d, "c.pot")
        subprocess.run(["xgettext", "--language=C", "--from-code=UTF-8",
                        "-k_", "-kN_", "-kC_:1c,2", "--force-po", "-o",
                        pot] + sources(),
                       check=True, timeout=120, capture_output=True)
        out = subprocess.run(["msgcat", "--no-wrap", pot],
                             check=True, timeout=60, capture_output=True,
                             text=True).stdout
    ids = set()
    for m in re.finditer(r'^msgid (".*")$', out, re.M):
        ids.add(m.group(1)[1:-1].encode().decode("unicode_escape"))
    return ids


def field_words():
    """(file, field name, text) of every label and message in a table."""
    for path in glob.glob(os.path.join(SRC, "cgi-bin", "*.c")) + \
            glob.glob(os.path.join(SRC, "lib", "*.c")):
        with open(path, encoding="utf-8") as f:
            src = f.read()
        for table in TABLE.finditer(src):
            for entry in ENTRY.finditer(table.group(1)):
                groups = re.findall(GROUP, entry.group(1))
                for g in groups[1:]:    # the first is the control's name
                    yield (os.path.relpath(path, SRC), literal(groups[0]),
                           literal(g))


class FieldWords(unittest.TestCase):
    def test_every_label_and_message_is_in_the_catalogue(self):
        ids = catalogue()
        words = list(field_words())
        # The forms' tables are found at all (the pattern still matches).
        self.assertGreater(len({w[0] for w in words}), 5)
        for path, name, text in words:
            with self.subTest(path=path, field=name):
                self.assertIn(text, ids)

    def test_no_english_literal_reaches_a_page_past_gettext(self):
        for path in sources():
            with open(path, encoding="utf-8") as f:
                src = f.read()
            for m in BARE.finditer(src):
                line = src.count("\n", 0, m.start()) + 1
                self.fail("%s:%d passes an English literal without _()" %
                          (os.path.relpath(path, SRC), line))


def table_pot():
    """The msgids tools/gen-table-pot.py makes of the shipped tables."""
    out = subprocess.run(
        ["/usr/bin/python3", os.path.join(SRC, "tools", "gen-table-pot.py"),
         os.path.join(SRC, "etc", "consent-categories.tsv"),
         os.path.join(SRC, "etc", "privacy-laws.tsv"),
         os.path.join(SRC, "etc", "mailing-lists.tsv")],
        check=True, timeout=60, capture_output=True, text=True).stdout
    checked = subprocess.run(["msgcat", "--no-wrap", "-"], input=out,
                             check=True, timeout=60, capture_output=True,
                             text=True).stdout
    return {m.group(1)[1:-1].replace('\\"', '"') for m in
            re.finditer(r'^msgid (".*")$', checked, re.M)}


def table_rows(name):
    with open(os.path.join(SRC, "etc", name), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                yield re.split(r"\t+", line.rstrip("\n"))


class TableWords(unittest.TestCase):
    """The tables' words visitors read are catalogue messages."""

    def assert_names_and_descriptions(self, table, row_is):
        """The name and description (columns 4 and 5) of each row of table
        are catalogue messages; a failure names the row's id as row_is."""
        ids = table_pot()
        for row in table_rows(table):
            with self.subTest(**{row_is: row[0]}):
                self.assertIn(row[3], ids)
                self.assertIn(row[4], ids)

    def test_consent_categories_names_and_descriptions(self):
        self.assert_names_and_descriptions("consent-categories.tsv",
                                           "category")

    def test_mailing_list_names_and_descriptions(self):
        self.assert_names_and_descriptions("mailing-lists.tsv",
                                           "mailing_list")

    def test_law_names_and_regulators(self):
        ids = table_pot()
        for row in table_rows("privacy-laws.tsv"):
            with self.subTest(place=row[0]):
                if row[1] != "none":
                    self.assertIn(row[1], ids)
                else:
                    self.assertNotIn("none", ids)
                if len(row) >= 9 and row[6] != "-":
                    self.assertIn(row[6], ids)


if __name__ == "__main__":
    unittest.main()
