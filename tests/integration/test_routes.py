"""Each form program's header comment lists its routes (program.h): the
same rows, in the same order, as the route table the program serves by,
so that a reader can trust the comment.  No site is started."""

import glob
import os
import re
import unittest

from harness import FORM_TABLE, SRC

# "*	GET  unsubscribe?t=TOKEN	one confirm button ..." in the header.
COMMENT = re.compile(r"^ \*\t(GET|POST) +([a-z/-]+)(?:\?(\S+))?\t",
                     re.MULTILINE)
# '{ "GET", "/verify", "t", handler, NULL, 0 },' in routes[].
ROW = re.compile(r'^\t\{ "(GET|POST)", "([^"]*)", (?:"([^"]*)"|NULL),',
                 re.MULTILINE)
FORM = re.compile(r"PF_PROGRAM_MAIN\(\.form = PF_GUARD_(\w+)")


def routes(source):
    """The comment's rows and the table's, as (method, path, query key or
    key=value) for a program's source."""
    path = {f["id"]: f["path"] for f in FORM_TABLE}[FORM.search(source)[1]]
    table = source[source.index("static const struct pf_route routes[]"):]
    rows = [(m, path.lstrip("/") + sub, q) for m, sub, q in ROW.findall(table)]
    header = source[:source.index("*/")]
    said = [(m, p, q) for m, p, q in COMMENT.findall(header)]
    return said, rows


def same(said, row):
    """A comment's ?t=TOKEN stands for the route's query key t."""
    return said[:2] == row[:2] and (
        said[2] == row[2] or (row[2] and "=" not in row[2] and
                              said[2].startswith(row[2] + "=")))


class HeaderComments(unittest.TestCase):
    def test_each_programs_comment_lists_its_routes_in_order(self):
        sources = sorted(glob.glob(os.path.join(SRC, "cgi-bin", "*.c")))
        # One source per program that lib/forms.def names.
        with open(os.path.join(SRC, "lib", "forms.def")) as f:
            programs = set(re.findall(r'^PF_FORM\(\w+,\s*"([^"]+)"', f.read(),
                                      re.M))
        self.assertEqual({os.path.basename(n)[:-2] for n in sources}, programs)
        for name in sources:
            with open(name) as f:
                said, rows = routes(f.read())
            with self.subTest(program=os.path.basename(name)):
                self.assertTrue(rows)
                self.assertEqual(len(said), len(rows), (said, rows))
                for s, r in zip(said, rows):
                    self.assertTrue(same(s, r), (s, r))


if __name__ == "__main__":
    unittest.main()
