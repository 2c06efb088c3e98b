"""Bidirectional controls in free text (utf8.h): the embeddings and
overrides U+202A..U+202E and the isolates U+2066..U+2069 make a line read
other than it is wherever it is shown.  The forms refuse them in every
field, with a message and the text shown again with each as U+FFFD; the
operator's reasons and notes refuse them too; what was stored or queued
before reaches the team's terminal and every mail with each as U+FFFD.
The marks U+200E, U+200F and U+061C, which people who write Arabic or
Hebrew type, pass."""

import time
import unittest
import urllib.parse

from harness import teardown, mail_site

SITE = None
SMTP = None
RLO, LRI, PDI, RLM = "\u202e", "\u2066", "\u2069", "\u200f"
SHOWN = "\ufffd"


def setUpModule():
    global SITE, SMTP
    SITE, SMTP = mail_site(privacy_team="team@example.com",
                           feedback_to="feedback@example.com",
                           smtp_timeout="5")


def tearDownModule():
    teardown(SITE, SMTP)


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())


class Forms(unittest.TestCase):
    def test_an_override_in_a_name_is_refused_and_shown_where_it_was(self):
        rows, records = SITE.count("dnc"), SITE.count("audit")
        r = SITE.post("/privacy/do-not-call", {
            "phone": "303 749 5110", "country": "US",
            "company": "Evil " + RLO + "cod.exe"})
        self.assertEqual(r.status, 422, r)
        self.assertRegex(r.text, r'id="error-company"[^>]*>[^<]*direction')
        self.assertIn('value="Evil %scod.exe"' % SHOWN, r.text)
        self.assertNotIn(RLO, r.text)
        self.assertEqual((SITE.count("dnc"), SITE.count("audit")),
                         (rows, records))

    def test_an_isolate_in_a_message_is_refused(self):
        rows = SITE.count("feedback")
        r = SITE.post("/privacy/feedback", {
            "type": "complaint", "rating": "bad",
            "message": "Refund " + LRI + "me now" + PDI + "\nplease"})
        self.assertEqual(r.status, 422, r)
        self.assertRegex(r.text, r'id="error-message"[^>]*>[^<]*direction')
        self.assertNotIn(LRI, r.text)
        self.assertEqual(SITE.count("feedback"), rows)

    def test_a_right_to_left_mark_is_how_people_write_and_passes(self):
        name = "\u05e9\u05dc\u05d5\u05dd" + RLM + " 2"
        r = SITE.post("/privacy/do-not-call", {
            "phone": "303 749 5111", "country": "US", "first_name": name})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(SITE.query("SELECT first_name FROM dnc WHERE number "
                                    "= '+13037495111'"), [(name,)])


class Command(unittest.TestCase):
    def test_a_reason_with_an_override_is_refused(self):
        SITE.post("/privacy/do-not-call", {"phone": "303 749 5120",
                                           "country": "US"})
        p = SITE.privforms("dnc", "remove", "303 749 5120", "--reason",
                           "ticket " + RLO + "1174", check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--reason must be one of", p.stderr)
        self.assertNotIn(RLO, p.stderr)
        self.assertEqual(SITE.privforms("dnc", "check", "3037495120",
                                        check=False).returncode, 0)

    def test_stored_text_reaches_the_terminal_marked(self):
        # As a release that let it through would have stored it.
        SITE.write("INSERT INTO feedback (type, message, rating, created, "
                   "updated) VALUES ('complaint', ?, 1, ?, ?)",
                   ("Invoice " + RLO + "fdp.exe", now(), now()))
        p = SITE.privforms("feedback", "list", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Invoice " + SHOWN + "fdp.exe", p.stdout)
        self.assertNotIn(RLO, p.stdout)


class Mail(unittest.TestCase):
    def test_a_value_queued_before_reaches_the_mail_marked(self):
        to = "bidi.queued@example.com"
        vals = urllib.parse.urlencode({
            "number": "+1 303-749-5130 " + RLO + "evil",
            "site": "http://127.0.0.1:%d/privacy/" % SITE.port},
            quote_via=urllib.parse.quote)
        SITE.write("INSERT INTO outbox (template, recipient, vals, state, "
                   "next_try, created, updated) VALUES ('dnc-registered', "
                   "?, ?, 'queued', ?, ?, ?)", (to, vals, now(), now(), now()))
        msgs = [m for m in SITE.send_mail(SMTP) if m["To"] == to]
        self.assertEqual(len(msgs), 1)
        body = msgs[0].get_content()
        self.assertIn("+1 303-749-5130 " + SHOWN + "evil", body)
        self.assertNotIn(RLO, body)


if __name__ == "__main__":
    unittest.main()
