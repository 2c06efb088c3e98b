"""tools/check-includes.py, which `make check` runs first: lib/'s modules
form a graph without cycles, and a cycle fails the check by name."""

import os
import subprocess
import tempfile
import unittest

from harness import SRC

SCRIPT = os.path.join(SRC, "tools", "check-includes.py")

# store.c, store_impl.h and store_guard.c are one module, as in lib/.
STORE = {"store.h": "", "store.c": '#include "store_impl.h"\n',
         "store_impl.h": '#include "store.h"\n',
         "store_guard.c": '#include "store_impl.h"\n#include "txn.h"\n',
         "txn.h": ""}

# A scratch lib/ ({file: text}), the exit status, what the output says
# and what it must not.
CASES = [
    ("three modules in a ring, one more outside it",
     {"a.h": "#include <stdio.h>\n", "a.c": '#include "a.h"\n#include "b.h"\n',
      "b.h": '#include "c.h"\n', "b.c": '#include "b.h"\n',
      "c.h": "", "c.c": ' #  include "a.h"\n',
      "d.h": "", "d.c": '#include "a.h"\n#include "d.h"\n'},
     1, ["a -> b -> c -> a", "c.c includes a.h"], ["d ->"]),
    ("two cycles",
     {"a.h": '#include "b.h"\n', "b.c": '#include "a.h"\n', "b.h": "",
      "x.h": "", "x.c": '#include "y.h"\n', "y.h": '#include "x.h"\n'},
     1, ["a -> b -> a", "x -> y -> x", "2 include cycle(s)"], []),
    ("a module's parts with another module", STORE,
     0, ["2 modules, no include cycle"], []),
    ("a module's parts in a cycle",
     dict(STORE, **{"txn.c": '#include "store.h"\n'}),
     1, ["store -> txn -> store"], []),
]


def check(top):
    return subprocess.run(["/usr/bin/python3", SCRIPT, top],
                          capture_output=True, text=True, timeout=60)


class IncludeCycles(unittest.TestCase):
    def test_lib_has_no_cycle(self):
        r = check(os.path.join(SRC, "lib"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("no include cycle", r.stdout)

    def test_scratch_trees(self):
        for what, files, status, says, never in CASES:
            with self.subTest(what), tempfile.TemporaryDirectory() as top:
                for name, text in files.items():
                    with open(os.path.join(top, name), "w") as f:
                        f.write(text)
                r = check(top)
                self.assertEqual(r.returncode, status, r.stdout + r.stderr)
                for s in says:
                    self.assertIn(s, r.stdout)
                for s in never:
                    self.assertNotIn(s, r.stdout)


if __name__ == "__main__":
    unittest.main()
