"""What an auditor reads: a day of records as a page (etc/audit-day.xsl,
through AUDIT.md's view-day block run literally), and `privforms
pseudonym` for every kind of subject the records name.

The site makes a day of real records: an opt-out by email, an SMS opt-out
(a number read in phone_region), a Do-Not-Call entry typed without its
country code in another country, and a complaint forwarded to the team at
step 1, whose mail records name the feedback entry.  The page is looked
at in chromium too (tests/browser/pages.mjs, as test_browser.py does):
axe-core finds no WCAG A or AA violation, at 320 px and in the dark, and
nothing is wider than the window.
"""

import os
import re
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

from harness import SRC, Site, mail_config, teardown
from smtp_server import Server

XSL = os.path.join(SRC, "etc", "audit-day.xsl")
NS = {"a": "urn:privforms:audit:1", "h": "http://www.w3.org/1999/xhtml"}
BROWSER = os.path.join(SRC, "tests", "browser", "node_modules",
                       "playwright-core")
EMAIL = "Audit.Reader@Example.COM"
SMS = "(201) 555-0123"                  # read in phone_region, US
DNC, DNC_COUNTRY = "020 7946 0958", "GB"
# A forged record's detail: what must come out as text, never markup.
HOSTILE = '</td><script>alert(1)</script> & "x" \' ]]> <!-- <b>'
SITE = SMTP = None


def setUpModule():
    global SITE, SMTP
    SMTP = Server().start()
    SITE = Site(config=mail_config(
        SMTP, feedback_to="team@example.com")).start()
    posts = [("/privacy/unsubscribe", {"channel": "email", "email": EMAIL}),
             ("/privacy/unsubscribe", {"channel": "sms", "phone": SMS}),
             ("/privacy/do-not-call", {"phone": DNC, "country": DNC_COUNTRY}),
             ("/privacy/feedback", {"type": "complaint", "rating": "bad"})]
    for path, fields in posts:
        r = SITE.post(path, fields)
        assert r.status == 303, (path, r)
    SITE.send_mail(SMTP)


def tearDownModule():
    teardown(SITE, SMTP)


def records():
    """Every record file of the trail, parsed: [(path, root)]."""
    return [(f, ET.parse(f).getroot()) for f in SITE.audit_files()]


def text(rec, name):
    e = rec.find("a:" + name, NS)
    return None if e is None else (e.text or "")


def details(rec):
    return [(d.get("name"), d.text or "") for d in rec.findall("a:detail", NS)]


def record_of(event, **detail):
    """The one record of event whose details include detail."""
    found = [r for _, r in records() if text(r, "event") == event and
             all((k, v) in details(r) for k, v in detail.items())]
    assert len(found) == 1, (event, detail, len(found))
    return found[0]


def pseudonym(*args, check=True):
    return SITE.privforms("pseudonym", *args, check=check)


def block(name):
    """AUDIT.md's ```sh NAME block, in a file of its own: its path."""
    with open(os.path.join(SRC, "AUDIT.md")) as f:
        m = re.search(r"^```sh %s\n(.*?)^```" % name, f.read(), re.S | re.M)
    assert m, "AUDIT.md has no ```sh %s block" % name
    fd, path = tempfile.mkstemp(suffix=".sh")
    with os.fdopen(fd, "w") as f:
        f.write(m.group(1))
    return path


def view_day(day, *pattern):
    """AUDIT.md's view-day on day: the CompletedProcess (page on stdout)."""
    script = block("view-day")
    try:
        return subprocess.run(["sh", script, day, XSL] + list(pattern),
                              capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(script)


def rows(page):
    """The page's table rows, each a list of its cells (elements)."""
    root = ET.fromstring(page)
    return [tr.findall("*") for tr in root.iterfind(".//h:tbody/h:tr", NS)]


def cell_text(cell):
    return "".join(cell.itertext())


def title(cell):
    """The whole value of a shortened hex cell."""
    abbr = cell.find("h:abbr", NS)
    return abbr.get("title") if abbr is not None else cell_text(cell)


class Pseudonyms(unittest.TestCase):
    """Each kind's pseudonym is the subject of a real record."""

    def test_an_address_is_the_subject_of_its_opt_out(self):
        rec = record_of("unsubscribed", channel="email")
        self.assertEqual(pseudonym("--email", EMAIL.lower()).stdout.strip(),
                         text(rec, "subject"))

    def test_a_number_read_in_phone_region_is_the_subject_of_its_opt_out(self):
        rec = record_of("unsubscribed", channel="sms")
        self.assertEqual(pseudonym("--phone", SMS).stdout.strip(),
                         text(rec, "subject"))

    def test_a_number_read_in_its_country_is_the_subject_of_its_entry(self):
        rec = record_of("dnc-registered", country=DNC_COUNTRY)
        p = pseudonym("--phone", DNC, "--country", DNC_COUNTRY).stdout.strip()
        self.assertEqual(p, text(rec, "subject"))
        # With the country code, the country does not matter.
        self.assertEqual(pseudonym("--phone", "+44 20 7946 0958", "--country",
                                   "US").stdout.strip(), p)
        # Read in phone_region (US) it is another number, or none at all.
        other = pseudonym("--phone", DNC, check=False)
        self.assertNotEqual(other.stdout.strip(), p)

    def test_a_feedback_entry_is_the_subject_of_its_forwarding_mail(self):
        entry = dict(details(record_of("feedback-received",
                                       type="complaint")))["feedback"]
        sent = record_of("mail-sent", template="feedback-forward")
        self.assertEqual(pseudonym("--feedback", entry).stdout.strip(),
                         text(sent, "subject"))
        self.assertNotEqual(pseudonym("--feedback", str(int(entry) + 1))
                            .stdout.strip(), text(sent, "subject"))

    def test_every_subject_in_the_trail_is_one_the_command_prints(self):
        entry = dict(details(record_of("feedback-received")))["feedback"]
        printed = {pseudonym(*args).stdout.strip() for args in (
            ("--email", EMAIL), ("--phone", SMS),
            ("--phone", DNC, "--country", DNC_COUNTRY),
            ("--feedback", entry))}
        subjects = {text(r, "subject") for _, r in records()} - {None}
        self.assertEqual(subjects - printed, set())
        self.assertEqual(len(printed), 4)

    def test_usage(self):
        for args in ([], ["--email", EMAIL, "--feedback", "1"],
                     ["--email", EMAIL, "--country", "GB"],
                     ["--feedback", "1", "--country", "GB"],
                     ["--country", "GB"]):
            self.assertEqual(pseudonym(*args, check=False).returncode, 2, args)
        for args, said in ((["--feedback", "0"], "--feedback 0"),
                           (["--feedback", "1x"], "--feedback 1x"),
                           (["--phone", DNC, "--country", "XX"], "XX"),
                           (["--phone", "12"], "12")):
            p = pseudonym(*args, check=False)
            self.assertEqual((p.returncode, p.stdout), (1, ""), args)
            self.assertIn(said, p.stderr)
        help = pseudonym("--help").stdout
        for option in ("--email", "--phone", "--country", "--feedback"):
            self.assertIn(option, help)


class DayPage(unittest.TestCase):
    """AUDIT.md's view-day with etc/audit-day.xsl on the site's day."""

    @classmethod
    def setUpClass(cls):
        files = SITE.audit_files()
        cls.day = os.path.dirname(files[-1])
        cls.files = [f for f in files if os.path.dirname(f) == cls.day]
        p = view_day(cls.day)
        if p.returncode != 0:
            raise AssertionError("view-day: " + p.stderr)
        cls.page = p.stdout

    def test_the_page_is_well_formed_xhtml_with_one_row_per_record(self):
        root = ET.fromstring(self.page)
        self.assertEqual(root.tag, "{%s}html" % NS["h"])
        self.assertEqual(len(rows(self.page)), len(self.files))
        self.assertGreaterEqual(len(self.files), 5)
        self.assertTrue(self.page.startswith("<!DOCTYPE html"))
        self.assertIn("Audit records of %s" % os.path.basename(self.day),
                      root.find(".//h:h1", NS).text)

    def test_each_row_holds_its_records_values(self):
        for f, row in zip(self.files, rows(self.page)):
            rec = ET.parse(f).getroot()
            with self.subTest(record=os.path.basename(f)):
                seq, time, event, form, req, subj, dets, prev, dig = row
                self.assertEqual(cell_text(seq), text(rec, "seq"))
                self.assertEqual(time.find("h:time", NS).get("datetime"),
                                 text(rec, "time"))
                self.assertEqual(cell_text(event), text(rec, "event"))
                self.assertEqual(cell_text(form), text(rec, "form"))
                self.assertEqual(cell_text(req), text(rec, "request") or "none")
                self.assertEqual(title(subj), text(rec, "subject") or "none")
                self.assertEqual(title(prev), text(rec, "prev"))
                self.assertEqual(title(dig), text(rec, "digest"))
                shown = [cell_text(li) for li in dets.iterfind(".//h:li", NS)]
                self.assertEqual(shown, ["%s: %s" % (n, v or "empty")
                                         for n, v in details(rec)])
                # Shortened, with the whole value in the title.
                self.assertEqual(cell_text(dig), text(rec, "digest")[:12] +
                                 "\u2026")

    def test_a_pattern_picks_some_of_the_days_files(self):
        p = view_day(self.day, "00000000000[12]")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([cell_text(r[0]) for r in rows(p.stdout)],
                         ["1", "2"])
        p = view_day(self.day, "nosuch")
        self.assertEqual((p.returncode, p.stdout), (1, ""))
        self.assertIn("no record files", p.stderr)

    def forged_day(self, tmp, record):
        """A copy of the day with record (text; its <seq>, if any, made
        the next record's) as the next record file: (day, seq)."""
        day = os.path.join(tmp, os.path.basename(self.day))
        shutil.copytree(self.day, day)
        seq = int(os.path.basename(self.files[-1])[:-4]) + 1
        with open(os.path.join(day, "%012d.xml" % seq), "w") as f:
            f.write(re.sub(r"<seq>\d*</seq>", "<seq>%d</seq>" % seq, record))
        return day, seq

    def test_hostile_values_of_a_forged_record_are_shown_as_text(self):
        # The forms take no such value; a forged file is the way in.
        with open(self.files[-1]) as f:
            real = f.read()
        value = (HOSTILE.replace("&", "&amp;").replace("<", "&lt;")
                 .replace(">", "&gt;"))
        attr = value.replace('"', "&quot;")
        forged = re.sub(r"<detail .*</detail>",
                        '<detail name="%s">%s</detail>' % (attr, value), real)
        forged = re.sub(r"<subject>[^<]*</subject>",
                        "<subject>%s</subject>" % value, forged)
        self.assertNotEqual(forged, real)
        with tempfile.TemporaryDirectory() as tmp:
            day, seq = self.forged_day(tmp, forged)
            p = view_day(day)
        self.assertEqual(p.returncode, 0, p.stderr)
        root = ET.fromstring(p.stdout)
        row = rows(p.stdout)[-1]
        self.assertEqual(cell_text(row[0]), str(seq))
        self.assertEqual([cell_text(li) for li in row[6].iterfind(".//h:li",
                                                                   NS)],
                         ["%s: %s" % (HOSTILE, HOSTILE)])
        self.assertEqual(title(row[5]), HOSTILE)
        # Nothing of it became markup.
        for tag in ("script", "b"):
            self.assertEqual(root.findall(".//h:" + tag, NS), [])
        self.assertEqual(len(row), 9)
        self.assertIn("&lt;/td&gt;&lt;script&gt;", p.stdout)

    def test_a_record_that_declares_an_entity_is_refused(self):
        # xsltproc would read a local file into the page for it.
        with open("/etc/hostname") as f:
            secret = f.read().strip() or "localhost"
        forged = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<!DOCTYPE record [<!ENTITY x SYSTEM "file:///etc/hostname">]>\n'
                  '<record xmlns="urn:privforms:audit:1" version="1">'
                  '<seq>99</seq><event>&x;</event></record>')
        with tempfile.TemporaryDirectory() as tmp:
            day, _ = self.forged_day(tmp, forged)
            p = view_day(day)
        self.assertNotEqual(p.returncode, 0)
        self.assertNotIn(secret, p.stdout)

    def test_the_stylesheet_never_writes_markup_from_a_value(self):
        # Nor reads another document, which xsltproc would parse with
        # its entities expanded.
        xsl = ET.parse(XSL).getroot()
        for e in xsl.iter():
            with self.subTest(element=e.tag):
                self.assertNotIn("disable-output-escaping", e.attrib)
                for attr in ("select", "test"):
                    self.assertNotIn("document(", e.get(attr, ""))


class DayPageInBrowser(unittest.TestCase):
    """The page in chromium, as test_browser.py looks at the forms."""

    @classmethod
    def setUpClass(cls):
        if not os.path.isdir(BROWSER):
            raise unittest.SkipTest("no tests/browser/node_modules: run "
                                    "`make integration` (or npm ci there)")
        from test_browser import look
        cls.tmp = tempfile.mkdtemp(prefix="privforms-day-")
        path = os.path.join(cls.tmp, "day.xhtml")
        p = view_day(os.path.dirname(SITE.audit_files()[-1]))
        if p.returncode != 0:
            raise AssertionError("view-day: " + p.stderr)
        with open(path, "w") as f:
            f.write(p.stdout)
        url = "file://" + path
        plan = [dict(url=url, width=320, js=True,
                     checks=["axe", "layout", "tab"]),
                dict(url=url, width=1024, js=True, dark=True,
                     checks=["axe", "layout"])]
        cls.seen = look(plan)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_looked_at(self):
        for r in self.seen:
            self.assertNotIn("failed", r)
            self.assertEqual(r["errors"], [])
            self.assertIn("Audit records of", r["title"])

    def test_axe_finds_no_violation_at_320px_nor_dark(self):
        for r in self.seen:
            self.assertEqual(r["axe"], [])

    def test_nothing_is_wider_than_the_window(self):
        for r in self.seen:
            self.assertLessEqual(r["layout"]["scrollWidth"],
                                 r["layout"]["innerWidth"])

    def test_the_table_scrolls_with_the_keyboard(self):
        # The table is wider than 320 px: its region takes focus, so that
        # the arrow keys scroll it.
        stops = self.seen[0]["tab"]
        self.assertEqual([(s["tag"], s["focusVisible"]) for s in stops],
                         [("div", True)])


if __name__ == "__main__":
    unittest.main()
