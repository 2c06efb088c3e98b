"""privforms.conf's languages checked at start (lang.h's pf_lang_site):
a language without a catalogue (a typo, "fx") stops every program and the
privforms command, with a message naming the file looked for, rather than
serving English under its tag; a tag in any case ("pt-br") is taken as
BCP 47 spells it, so that it finds its catalogue (build/locale/pt_BR).
No server is started: the programs run once as CGI would run them."""

import glob
import os
import subprocess
import tempfile
import unittest

from harness import PRIVFORMS, SRC, cgi_once

LOCALE = os.path.join(SRC, "build", "locale")


class LanguagesAtStart(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="privforms-langs-")
        self.addCleanup(self.dir.cleanup)

    def conf(self, languages):
        path = os.path.join(self.dir.name, "privforms.conf")
        with open(path, "w") as f:
            f.write("locale_dir = %s\nlanguages = %s\nlaws_file = %s\n" %
                    (LOCALE, languages,
                     os.path.join(SRC, "etc", "privacy-laws.tsv")))
        return path

    def command(self, conf):
        return subprocess.run([PRIVFORMS, "--config", conf, "laws"],
                              capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)

    def test_a_language_without_catalogue_stops_everything(self):
        conf = self.conf("en de fx")
        looked = os.path.join(LOCALE, "fx", "LC_MESSAGES", "privforms.mo")
        p = self.command(conf)
        self.assertEqual(p.returncode, 1, p)
        self.assertIn("fx has no catalogue: %s cannot be read" % looked,
                      p.stderr)
        programs = sorted(glob.glob(os.path.join(SRC, "cgi-bin", "*.fcgi")))
        self.assertTrue(programs)
        for program in programs:
            with self.subTest(program=os.path.basename(program)):
                p = cgi_once(program, conf)
                self.assertEqual(p.returncode, 1, p)
                self.assertEqual(p.stdout, b"")
                self.assertIn(("fx has no catalogue: %s" % looked).encode(),
                              p.stderr)

    def test_a_tag_in_any_case_still_starts(self):
        p = self.command(self.conf("en pt-br"))
        self.assertEqual(p.returncode, 0, p)


if __name__ == "__main__":
    unittest.main()
