"""What an auditor reads: `privforms pseudonym` for every kind of subject
the records name.

The site makes a day of real records: an opt-out by email, an SMS opt-out
(a number read in phone_region), a Do-Not-Call entry typed without its
country code in another country, and a complaint forwarded to the team at
step 1, whose mail records name the feedback entry.
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


if __name__ == "__main__":
    unittest.main()
