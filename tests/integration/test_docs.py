"""The project explains itself: every document that the code, the tests
and the docs point a reader at is in the repository, and each pointer to
a section of ARCHITECTURE.md ("ARCHITECTURE.md, library defects") names a
heading that is there.  A comment citing a file that only exists
elsewhere fails here."""

import os
import re
import subprocess
import unittest

from harness import SRC

# A Markdown file named as a word; "ARCHITECTURE.md, library defects".
DOC = re.compile(r"\b([A-Za-z][A-Za-z0-9_-]*\.md)\b")
SECTION = re.compile(r"ARCHITECTURE\.md,\s+([a-z][a-z ]+[a-z])")
WHERE = ("lib", "cgi-bin", "tools", "tests", "etc", "man", "htdocs")


def tracked():
    out = subprocess.run(["git", "-C", SRC, "ls-files", "--"] + list(WHERE) +
                         ["README.md", "ARCHITECTURE.md", "AUDIT.md",
                          "INSTALL", "Makefile"],
                         capture_output=True, text=True, check=True,
                         timeout=60).stdout.split()
    return [p for p in out if not p.startswith("tests/fuzz/corpus/")]


def text(path):
    try:
        with open(os.path.join(SRC, path), encoding="utf-8") as f:
            return f.read()
    except (UnicodeDecodeError, FileNotFoundError):
        return ""


class Pointers(unittest.TestCase):
    def setUp(self):
        # A file in a worktree made by git worktree add, a directory else.
        if not os.path.exists(os.path.join(SRC, ".git")):
            self.skipTest("not a git checkout")
        self.files = tracked()

    def test_every_cited_document_is_in_the_repository(self):
        names = {os.path.basename(p) for p in self.files}
        missing = []
        for path in self.files:
            for doc in DOC.findall(text(path)):
                if doc not in names:
                    missing.append("%s cites %s" % (path, doc))
        self.assertEqual(missing, [])

    def test_architecture_sections_cited_exist(self):
        headings = [h.lower() for h in re.findall(
            r"^#+ (.+)$", text("ARCHITECTURE.md"), re.M)]
        wrong = []
        for path in self.files:
            flat = re.sub(r"\s+(?:[*#]\s+)?", " ", text(path))
            for name in SECTION.findall(flat):
                if not any(h.startswith(name) for h in headings):
                    wrong.append("%s: %s" % (path, name))
        self.assertEqual(wrong, [])


if __name__ == "__main__":
    unittest.main()
