"""The project explains itself: every document that the code, the tests
and the docs point a reader at is in the repository, and each pointer to
a section of ARCHITECTURE.md ("ARCHITECTURE.md, library defects") names a
heading that is there.  A comment citing a file that only exists
elsewhere fails here.  ARCHITECTURE.md's module tables have a row for
every module of lib/ and every file of tools/, and README's layout list
names every top-level file and directory of the tree, and nothing else."""

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


def table_names(doc, heading):
    """The first-column names (`name`) of the table under the Markdown
    heading that contains heading, up to the next heading."""
    m = re.search(r"^#+ [^\n]*%s[^\n]*\n(.*?)(?=^#|\Z)" % re.escape(heading),
                  text(doc), re.M | re.S)
    if m is None:
        return None
    return set(re.findall(r"^\| `([^`]+)` \|", m.group(1), re.M))


def generated(path):
    """Is path written by the build (its opening comment says so)?"""
    with open(path, encoding="utf-8") as f:
        return "do not edit" in f.read(400)


def layout_entries():
    """The names README's Layout list starts its lines with ("lib/",
    "lib/schema/", "Makefile"), its continuation lines left out."""
    m = re.search(r"^## Layout\n(.*?)(?=^#|\Z)", text("README.md"),
                  re.M | re.S)
    if m is None:
        return None
    return re.findall(r"^    (\S+)", m.group(1), re.M)


class Modules(unittest.TestCase):
    """ARCHITECTURE.md lets a newcomer find any module: one row each."""

    def test_every_lib_module_has_a_row(self):
        rows = table_names("ARCHITECTURE.md", "(lib/)")
        self.assertIsNotNone(rows, "no module table headed (lib/)")
        lib = os.path.join(SRC, "lib")
        modules = {os.path.splitext(f)[0] for f in os.listdir(lib)
                   if f.endswith((".c", ".cc"))
                   and not generated(os.path.join(lib, f))}
        self.assertEqual(sorted(modules - rows), [],
                         "lib/ modules without a row in ARCHITECTURE.md")
        self.assertEqual(sorted(n for n in rows - modules if not
                                os.path.exists(os.path.join(lib, n + ".h"))),
                         [], "rows in ARCHITECTURE.md for no lib/ module")

    def test_every_tools_file_has_a_row(self):
        rows = table_names("ARCHITECTURE.md", "(tools/)")
        self.assertIsNotNone(rows, "no module table headed (tools/)")
        files = set()
        for f in os.listdir(os.path.join(SRC, "tools")):
            stem, ext = os.path.splitext(f)
            if ext in (".c", ".h"):
                files.add(stem)
            elif ext in (".sh", ".py"):
                files.add(f)
        self.assertEqual(sorted(files - rows), [],
                         "tools/ files without a row in ARCHITECTURE.md")
        self.assertEqual(sorted(rows - files), [],
                         "rows in ARCHITECTURE.md for no tools/ file")


class Layout(unittest.TestCase):
    """README's Layout list against the tree."""

    def setUp(self):
        if not os.path.exists(os.path.join(SRC, ".git")):
            self.skipTest("not a git checkout")
        self.listed = layout_entries()
        self.assertIsNotNone(self.listed, "README.md has no ## Layout")

    def test_every_top_level_entry_is_listed(self):
        out = subprocess.run(["git", "-C", SRC, "ls-files"],
                             capture_output=True, text=True, check=True,
                             timeout=60).stdout.split()
        top = {p.split("/")[0] + ("/" if "/" in p else "") for p in out}
        # Hidden files (.gitignore) go unlisted; a hidden directory not.
        top = {t for t in top if not t.startswith(".") or t.endswith("/")}
        listed = {e for e in self.listed if "/" not in e.rstrip("/")}
        self.assertEqual(sorted(top - listed), [],
                         "top-level entries missing from README's Layout")
        self.assertEqual(sorted(listed - top), [],
                         "README's Layout lists what the tree lacks")

    def test_every_listed_path_exists(self):
        missing = [e for e in self.listed
                   if not os.path.exists(os.path.join(SRC, e))]
        self.assertEqual(missing, [])


if __name__ == "__main__":
    unittest.main()
