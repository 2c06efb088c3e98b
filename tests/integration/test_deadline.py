"""privforms deadline: the privacy laws table (etc/privacy-laws.tsv) as the
team and legal read it, through the command."""

import os
import shutil
import subprocess
import unittest

from harness import PRIVFORMS, Site, SRC

SITE = None


def setUpModule():
    global SITE
    SITE = Site()     # a configuration only: nothing to serve


def tearDownModule():
    shutil.rmtree(SITE.dir, ignore_errors=True)


def deadline(*args):
    p = SITE.privforms("deadline", *args, check=False)
    fields = dict(line.split(None, 1) for line in p.stdout.splitlines()
                  if " " in line and not line.startswith("extended"))
    for line in p.stdout.splitlines():
        if line.startswith("extended to"):
            fields["extended"] = line[len("extended to"):].strip()
    return p, fields


class Deadline(unittest.TestCase):
    def test_gdpr_month_ends_on_the_last_day_of_february(self):
        p, f = deadline("DE", "--received", "2026-01-31")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(f["law"], "GDPR")
        self.assertEqual(f["due"], "2026-02-28 (1 month)")
        self.assertEqual(f["extended"], "2026-04-28 (2 months)")
        self.assertIn("2016/679", f["source"])
        _, f = deadline("FR", "--received", "2028-01-31")
        self.assertEqual(f["due"], "2028-02-29 (1 month)")

    def test_eea_and_uk(self):
        for country, law in (("NO", "GDPR"), ("IS", "GDPR"), ("LI", "GDPR"),
                             ("GB", "UK GDPR"), ("HU", "GDPR")):
            _, f = deadline(country)
            self.assertEqual(f["law"], law, country)

    def test_california_acknowledgement_counts_business_days(self):
        p, f = deadline("US", "CA", "--received", "2026-11-27")   # a Friday
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(f["law"], "CCPA")
        self.assertEqual(f["acknowledge"], "2026-12-11 (10 business days)")
        self.assertEqual(f["due"], "2027-01-11 (45 days)")
        self.assertEqual(f["extended"], "2027-02-25 (45 days)")

    def test_canada_australia_japan_and_the_rest(self):
        for args, law, due in ((["CA"], "PIPEDA", "2026-12-31 (30 days)"),
                               (["AU"], "Privacy Act 1988", None),
                               (["JP"], "APPI", None),
                               (["US", "NY"], "none", None),
                               (["BR"], "none", "2026-12-31 (30 days)")):
            p, f = deadline(*args, "--received", "2026-12-01")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(f["law"].startswith(law), (args, f))
            if due:
                self.assertEqual(f["due"], due, args)

    def test_bad_places_and_dates_are_usage_errors(self):
        for args in (["XX"], ["us"], ["DE", "CA"], ["US", "ZZ"], [],
                     ["DE", "--received", "2026-02-30"]):
            p, _ = deadline(*args)
            self.assertEqual(p.returncode, 2, args)

    def test_a_malformed_table_is_refused_naming_its_line(self):
        bad = os.path.join(SITE.dir, "laws.tsv")
        conf = os.path.join(SITE.dir, "bad-laws.conf")
        with open(os.path.join(SRC, "etc", "privacy-laws.tsv")) as f:
            text = f.read()
        with open(bad, "w") as f:
            f.write(text + "XX\tGDPR\t1 month\t-\t-\tnowhere\n")
        with open(SITE.conf) as f, open(conf, "w") as out:
            out.writelines(l for l in f if not l.startswith("laws_file"))
            out.write("laws_file = %s\n" % bad)
        p = subprocess.run([PRIVFORMS, "--config", conf, "deadline", "DE"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"laws\.tsv:\d+: unknown place XX")

if __name__ == "__main__":
    unittest.main()
