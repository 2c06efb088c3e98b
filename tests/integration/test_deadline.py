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
                               (["BR"], "LGPD", "2026-12-16 (15 days)"),
                               (["IN"], "none", "2026-12-31 (30 days)")):
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

    def test_texas_brazil_korea_with_appeal_and_regulator(self):
        p, f = deadline("US", "TX", "--received", "2024-02-15")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(f["law"], "TDPSA")
        self.assertEqual(f["due"], "2024-03-31 (45 days)")     # leap year
        self.assertEqual(f["extended"], "2024-05-15 (45 days)")
        self.assertEqual(f["acknowledge"], "-")
        self.assertEqual(f["appeal"], "60 days")
        self.assertEqual(f["regulator"], "the Texas Attorney General")
        self.assertEqual(f["scope"], "threshold")
        self.assertEqual(f["agents"], "-")
        self.assertIn("541.053", f["source"])
        _, f = deadline("US", "CA")
        self.assertEqual(f["agents"], "yes")
        _, f = deadline("BR", "--received", "2027-02-20")
        self.assertEqual((f["law"], f["due"], f["appeal"]),
                         ("LGPD", "2027-03-07 (15 days)", "-"))
        _, f = deadline("KR", "--received", "2024-02-25")
        self.assertEqual((f["law"], f["due"], f["scope"]),
                         ("PIPA", "2024-03-06 (10 days)", "all"))


def config_with(name, line):
    """A copy of the site's configuration plus line, as path name."""
    conf = os.path.join(SITE.dir, name)
    with open(SITE.conf) as f, open(conf, "w") as out:
        out.write(f.read() + line + "\n")
    return conf


def run(conf, *args):
    return subprocess.run([PRIVFORMS, "--config", conf] + list(args),
                          capture_output=True, text=True, timeout=60)


class Laws(unittest.TestCase):
    def rows(self, conf):
        p = run(conf, "laws")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["place", "law", "period",
                         "extension", "acknowledge", "appeal", "agents",
                         "applies"])
        return {l.split()[0]: l for l in lines[1:]}

    def test_lists_every_row_of_the_table(self):
        rows = self.rows(SITE.conf)
        for place in ("US-TX", "US-VA", "US-RI", "BR", "KR", "CH", "SG",
                      "NZ", "ZA", "DE", "*"):
            self.assertIn(place, rows)
            self.assertTrue(rows[place].endswith(" yes"), rows[place])
        self.assertRegex(rows["US-TX"], r"^US-TX +TDPSA +45 days +45 days +- +"
                         r"60 days +- +yes$")
        # Agents: the CCPA and the GDPR let someone ask for the person.
        self.assertRegex(rows["US-CA"], r" yes +yes$")
        self.assertRegex(rows["DE"], r" yes +yes$")
        self.assertRegex(rows["NZ"], r"20 business days")
        self.assertNotIn("IN", rows)     # the DPDP rights: May 2027

    def test_an_exempt_law_falls_back_to_the_star_row(self):
        conf = config_with("exempt.conf", "laws_exempt = TDPSA, CCPA")
        rows = self.rows(conf)
        self.assertTrue(rows["US-TX"].endswith(" exempt"))
        self.assertTrue(rows["US-CA"].endswith(" exempt"))
        self.assertTrue(rows["US-VA"].endswith(" yes"))
        p = run(conf, "deadline", "US", "TX", "--received", "2024-02-15")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("law           none\n", p.stdout)
        self.assertIn("due           2024-03-16 (30 days)\n", p.stdout)

    def test_a_law_binding_every_company_cannot_be_exempt(self):
        for value, why in (("GDPR", "'GDPR': the table says it binds every "
                            "company (scope all)"),
                           ("TDPSA, Nope", "'Nope': no law of that name")):
            conf = config_with("bad-exempt.conf", "laws_exempt = " + value)
            for args in (["laws"], ["deadline", "DE"]):
                p = run(conf, *args)
                self.assertEqual(p.returncode, 1, (value, args))
                self.assertEqual(p.stdout, "")
                self.assertIn("laws_exempt: " + why, p.stderr)


if __name__ == "__main__":
    unittest.main()
