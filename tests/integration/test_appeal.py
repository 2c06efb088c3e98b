"""Appeals of a denied data subject request, end to end: a request made
through the real form (nginx), verified by the link in the real mail
(aiosmtpd), denied with `privforms request deny`, appealed from the status
link (GET shows the form and changes nothing; POST opens the appeal), and
decided with `privforms request appeal-decide`; every mail read back from
the SMTP server, every page fetched over HTTP.

The shipped laws table decides who may appeal: Texas (TDPSA) gives 60 days
to decide an appeal and names the Texas Attorney General; Germany (GDPR)
gives no appeal.  request_appeal_days is 60 (the default)."""

import datetime
import html
import os
import re
import subprocess
import time
import unittest
import urllib.parse

from harness import SRC, address, mail_link as link, mail_site, stamp_of, \
    teardown, token_craft

FORM = "/privacy/request"
APPEAL = "/privacy/request/appeal"
TEAM = "privacy-team@example.com"
SITE = None
SMTP = None


def setUpModule():
    global SITE, SMTP
    SITE, SMTP = mail_site(privacy_team=TEAM)


def tearDownModule():
    teardown(SITE, SMTP)


# ---- helpers ----

def day(days=0):
    d = datetime.datetime.now(datetime.timezone.utc).date()
    return d + datetime.timedelta(days=days)


def long_date(d):
    """A date as the pages write it: "2 March 2027"."""
    return "%d %s %d" % (d.day, d.strftime("%B"), d.year)


def cli(*args):
    return SITE.privforms(*args, check=False)


def mails_to(to):
    return [m for m in SITE.send_mail(SMTP) if m["To"] == to]


def mail_to(to):
    got = mails_to(to)
    if len(got) != 1:
        raise AssertionError("%d messages to %s" % (len(got), to))
    return got[0]


def body(msg):
    return msg.get_body(preferencelist=("plain",)).get_content()


def flat(text):
    return " ".join(text.split())


def token(path):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["t"][0]


def row(rid, cols):
    return SITE.query("SELECT %s FROM request WHERE id = ?" % cols, (rid,))[0]


def made(to, country="US", state="TX", kind="access"):
    """A request from to made and verified: its id."""
    fields = {"type": kind, "relationship": "customer",
              "first_name": "Ada", "last_name": "Lovelace", "email": to,
              "country": country, "details": "All you hold on me."}
    if state is not None:
        fields["state"] = state
    r = SITE.post(FORM, fields)
    assert r.status == 303, r
    rid = SITE.query("SELECT max(id) FROM request WHERE email_key = ?",
                     (to,))[0][0]
    r = SITE.post(FORM + "/verify",
                  {"t": token(link(body(mail_to(to)), "verify"))})
    assert r.status == 303, r
    mails_to(to)     # "we have your request"
    return rid


def denied(country="US", state="TX", reason="no-data-held"):
    """A request made, verified and denied: (id, address, the deny mail's
    text)."""
    to = address("appeal")
    rid = made(to, country, state)
    p = cli("request", "deny", str(rid), "--reason", reason)
    assert p.returncode == 0, p.stderr
    return rid, to, body(mail_to(to))


def appeal_form(status_path):
    """GET the appeal page the status page links to: (response, fields)."""
    page = SITE.get(status_path)
    assert page.status == 200, page
    m = re.search(r'<a id="appeal-link"[^>]*href="([^"]*)"', page.text)
    assert m, "no appeal link on the status page"
    r = SITE.get(html.unescape(m.group(1)))
    return r, {"t": token(status_path), "pf_stamp": stamp_of(r.text) or ""}


def counts():
    return tuple(SITE.count(t) for t in ("request_event", "outbox", "audit"))


def last_record():
    return open(SITE.audit_files()[-1], encoding="utf-8").read()


class AppealTest(unittest.TestCase):
    def tearDown(self):
        p = cli("audit", "verify")
        self.assertEqual(p.returncode, 0, p.stderr)

    def assert_no_appeal(self, status, why):
        """The appeal form of status link status, and a POST to it, are a
        409 that says why; nothing is stored, recorded or mailed."""
        before = counts()
        self.assertNotIn('id="appeal-link"', SITE.get(status).text)
        for r in (SITE.get(APPEAL + "?t=" + token(status)),
                  SITE.post(APPEAL, {"t": token(status), "reason": "again"},
                            stamp=False)):
            self.assertEqual(r.status, 409, r)
            self.assertIn(why, r.text)
        self.assertEqual(counts(), before)

    def appealed(self, reason="You hold my orders."):
        """A Texas request denied and appealed: (id, address, status path)."""
        rid, to, text = denied()
        status = link(text, "status")
        _, fields = appeal_form(status)
        fields["reason"] = reason
        r = SITE.post(APPEAL, fields, stamp=False)
        self.assertEqual(r.status, 303, r)
        return rid, to, status


class Flow(AppealTest):
    def test_deny_appeal_and_deny_again_names_the_regulator(self):
        rid, to, text = denied()
        until = day(60)
        # The denial's mail offers the appeal, until when, and the link.
        self.assertIn("appeal this decision. You can do so until %s" %
                      until.isoformat(), flat(text))
        self.assertNotIn("{{", text)
        status = link(text, "status")
        page = SITE.get(status)
        self.assertEqual(page.status, 200)
        self.assertIn("Appeal this decision", page.text)
        self.assertIn('datetime="%s">%s</time>' % (until.isoformat(),
                                                   long_date(until)),
                      page.text)
        # GET shows the form and changes nothing.
        before = counts()
        r, fields = appeal_form(status)
        self.assertEqual(r.status, 200, r)
        self.assertIn('<form id="appeal-form"', r.text)
        self.assertIn(long_date(day(60)), r.text)   # we decide by
        self.assertEqual(counts(), before)
        self.assertEqual(row(rid, "appeal"), (None,))
        # POST opens it, with the requester's words kept on the request.
        fields["reason"] = "You hold my orders from 2024.\nPlease look again."
        r = SITE.post(APPEAL, fields, stamp=False)
        self.assertEqual(r.status, 303, r)
        self.assertRegex(r.header("location"),
                         r"^/privacy/request/status\?t=[\w.-]+$")
        due = day(60).isoformat()
        self.assertEqual(row(rid, "status, appeal, appeal_due, appeal_reason"),
                         ("denied", "open", due, fields["reason"]))
        xml = last_record()
        self.assertIn("<event>request-appealed</event>", xml)
        self.assertIn('<detail name="due">%s</detail>' % due, xml)
        self.assertNotIn("orders", xml)
        msgs = {m["To"]: body(m) for m in SITE.send_mail(SMTP)}
        self.assertIn("by %s at the latest" % due, flat(msgs[to]))
        self.assertNotIn("orders", msgs[to])
        self.assertIn("appeal-decide %d" % rid, msgs[TEAM])
        self.assertIn("Decide by: %s" % due, msgs[TEAM])
        self.assertNotIn("orders", msgs[TEAM])
        self.assertNotIn("Lovelace", msgs[TEAM])
        # Its due date: status page, list and show.
        page = SITE.get(r.header("location"))
        self.assertIn("Appealed: we are reviewing our decision", page.text)
        self.assertIn('<time id="appeal-due" datetime="%s"' % due, page.text)
        self.assertNotIn('id="appeal-link"', page.text)
        self.assertNotIn("orders", page.text)
        rows = cli("requests", "--status", "appealed").stdout
        self.assertRegex(rows, r"(?m)^%d\s+access\s+appealed\s+\S+\s+%s\s"
                         % (rid, due))
        shown = cli("request", "show", str(rid)).stdout
        self.assertRegex(shown, r"appeal\s+open")
        self.assertRegex(shown, r"appeal due\s+%s" % due)
        self.assertIn("  Please look again.", shown)
        # Decided: denied, the mail and the page name the regulator.
        p = cli("request", "appeal-decide", str(rid), "--deny", "--reason",
                "exempt-legal-claims")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("appeal-denied", p.stdout)
        xml = last_record()
        self.assertIn("<event>request-appeal-denied</event>", xml)
        self.assertIn('<detail name="reason">exempt-legal-claims</detail>',
                      xml)
        text = body(mail_to(to))
        self.assertIn("complain to the Texas Attorney General", flat(text))
        self.assertIn("We need this data to establish", text)
        page = SITE.get(link(text, "status"))
        self.assertIn("Closed: we have reviewed our decision", page.text)
        self.assertIn('<span id="regulator">the Texas Attorney General</span>',
                      page.text)
        self.assertNotIn('id="appeal-link"', page.text)
        self.assertEqual(SITE.query(
            "SELECT status, reason FROM request_event WHERE request = ? "
            "ORDER BY seq", (rid,))[-2:],
            [("appealed", None), ("appeal-denied", "exempt-legal-claims")])

    def test_a_granted_appeal_reopens_the_request_until_fulfilled(self):
        rid, to, _ = self.appealed()
        mails_to(to)
        due = day(60).isoformat()
        p = cli("request", "appeal-decide", str(rid), "--grant", "--note",
                "We found your orders.")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(row(rid, "status, appeal, due"),
                         ("verified", "granted", due))
        self.assertIn("<event>request-appeal-granted</event>", last_record())
        text = body(mail_to(to))
        self.assertIn("by %s at the latest" % due, flat(text))
        self.assertIn("We found your orders.", text)
        self.assertIn("%d " % rid, cli("requests", "--due-within",
                                         "61").stdout)
        p = cli("request", "extend", str(rid), "--reason", "More time.")
        self.assertEqual(p.returncode, 1)
        self.assertIn("reopened by its appeal", p.stderr)
        p = cli("request", "fulfil", str(rid))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(row(rid, "status"), ("fulfilled",))
        # Counted once in the year's metrics, by its last answer.
        p = cli("requests", "report", "--year", str(day().year), "--format",
                "csv")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_overdue_appeal_is_listed_as_overdue(self):
        rid, _, _ = self.appealed()
        # Undecided a day past its due date: only time could make that.
        SITE.write("UPDATE request SET appeal_due = ? WHERE id = ?",
                   (day(-1).isoformat(), rid))
        self.assertIn("%d " % rid, cli("requests", "--overdue").stdout)
        m = re.search(r"privforms_requests_overdue(?:\{[^}]*\})? (\d+)",
                      cli("metrics").stdout)
        if m:
            self.assertGreaterEqual(int(m.group(1)), 1)


class Refused(AppealTest):
    def test_no_appeal_where_the_law_gives_none(self):
        rid, to, text = denied(country="DE", state=None)
        self.assertNotIn("appeal this decision", flat(text).lower())
        self.assert_no_appeal(link(text, "status"), "cannot be appealed")
        self.assertEqual(row(rid, "appeal"), (None,))

    def test_no_appeal_after_the_window(self):
        rid, to, text = denied()
        status = link(text, "status")
        # The denial was made 61 days ago: only time could make that.
        SITE.write("UPDATE request SET updated = ? WHERE id = ?",
                   (day(-61).isoformat() + "T12:00:00.000000Z", rid))
        self.assert_no_appeal(status, "The time to appeal has passed")
        # The last day still is.
        SITE.write("UPDATE request SET updated = ? WHERE id = ?",
                   (day(-60).isoformat() + "T12:00:00.000000Z", rid))
        self.assertEqual(SITE.get(APPEAL + "?t=" + token(status)).status, 200)

    def test_double_appeal_is_refused_with_a_clear_page(self):
        rid, to, status = self.appealed()
        mails_to(to)
        self.assert_no_appeal(status, "You have appealed already")
        self.assertEqual(row(rid, "appeal_reason"), ("You hold my orders.",))

    def test_an_open_appeal_is_decided_not_denied_or_fulfilled(self):
        rid, to, _ = self.appealed()
        for args in (("deny", str(rid), "--reason", "no-data-held"),
                     ("fulfil", str(rid))):
            p = cli("request", *args)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("its denial is appealed", p.stderr)
        self.assertEqual(row(rid, "status, appeal"), ("denied", "open"))

    def test_decide_refuses_what_is_not_an_open_appeal(self):
        rid, to, _ = denied()
        for args, why in (
                (("--grant",), "not appealed"),
                (("--deny", "--reason", "no-data-held"), "not appealed")):
            p = cli("request", "appeal-decide", str(rid), *args)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn(why, p.stderr)
        for args in ((), ("--grant", "--deny"), ("--deny",),
                     ("--grant", "--reason", "no-data-held"),
                     ("--deny", "--reason", "because I say so")):
            p = cli("request", "appeal-decide", str(rid), *args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
        p = cli("requests", "--status", "appeal-granted")
        self.assertEqual(p.returncode, 2, p.stderr)
        p = cli("request", "appeal-decide", "--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("--grant", p.stdout)

    def test_expired_forged_and_wrong_purpose_links(self):
        rid, to, text = denied()
        good = token(link(text, "status"))
        before = counts()
        for t in (good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
                  "", "x" * 900,
                  token_craft(SITE, "dsr-status", int(time.time()) - 10,
                              str(rid)),
                  token_craft(SITE, "dsr-verify", int(time.time()) + 3600,
                              str(rid))):
            r = SITE.get(APPEAL + "?t=" + urllib.parse.quote(t))
            self.assertEqual(r.status, 400, (t, r))
            r = SITE.post(APPEAL, {"t": t, "reason": "x"}, stamp=False)
            self.assertEqual(r.status, 400, (t, r))
        self.assertEqual(counts(), before)

    def test_hostile_and_oversized_reasons(self):
        rid, to, text = denied()
        status = link(text, "status")
        before = counts()
        for reason, why in (("a" * 2001, "2000"),
                            ("bad\x01control", "")):
            _, fields = appeal_form(status)
            fields["reason"] = reason
            r = SITE.post(APPEAL, fields, stamp=False)
            self.assertEqual(r.status, 422, r)
            self.assertIn('id="appeal-form"', r.text)
            self.assertIn(why, r.text)
        self.assertEqual(counts(), before)
        # Markup is kept as text, never as markup.
        _, fields = appeal_form(status)
        fields["reason"] = "<script>alert(1)</script> & \"quotes\""
        r = SITE.post(APPEAL, fields, stamp=False)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(row(rid, "appeal_reason"), (fields["reason"],))
        self.assertNotIn("<script>alert", SITE.get(status).text)

    def test_the_honeypot_stores_nothing(self):
        rid, to, text = denied()
        status = link(text, "status")
        before = counts()[:2]
        _, fields = appeal_form(status)
        fields["website"] = "http://spam.example"
        r = SITE.post(APPEAL, fields, stamp=False)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(row(rid, "appeal"), (None,))
        self.assertEqual(counts()[:2], before)

    def test_without_a_stamp_the_form_comes_back(self):
        rid, to, text = denied()
        status = link(text, "status")
        r = SITE.post(APPEAL, {"t": token(status)}, stamp=False)
        self.assertEqual(r.status, 422, r)
        self.assertIn('id="appeal-form"', r.text)
        self.assertEqual(row(rid, "appeal"), (None,))

    def test_the_export_holds_the_appeal_and_is_valid(self):
        rid, to, _ = self.appealed("You hold my orders & <invoices>.")
        mails_to(to)
        p = cli("request", "appeal-decide", str(rid), "--deny", "--reason",
                "no-data-held")
        self.assertEqual(p.returncode, 0, p.stderr)
        mails_to(to)
        p = cli("request", "export", str(made(to, kind="portability")))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"<appeal>\s*<state>denied</state>\s*"
                         r"<due>%s</due>\s*<reason>You hold my orders "
                         r"&amp; &lt;invoices&gt;\.</reason>\s*</appeal>"
                         % day(60).isoformat())
        self.assertIn("<status>appeal-denied</status>", p.stdout)
        v = subprocess.run(["xmllint", "--noout", "--nonet", "--schema",
                            os.path.join(SRC, "etc", "request-export.xsd"),
                            "-"], input=p.stdout, capture_output=True,
                           text=True)
        self.assertEqual(v.returncode, 0, v.stderr)
        v = subprocess.run(["xsltproc", os.path.join(SRC, "etc",
                                                     "request-export.xsl"),
                            "-"], input=p.stdout, capture_output=True,
                           text=True)
        self.assertEqual(v.returncode, 0, v.stderr)
        self.assertIn("Closed: we have reviewed our decision and keep it",
                      v.stdout)
        self.assertIn("You hold my orders &amp; &lt;invoices&gt;.", v.stdout)
        # A decided appeal is not said to be still waiting for a decision.
        self.assertNotIn("to be decided", v.stdout)
        self.assertIn("Denied: we reviewed our decision and kept it",
                      flat(v.stdout))

    def test_an_erased_requester_is_offered_no_appeal(self):
        """Once the person's data is erased there is no one to mail: the
        status page offers no appeal and the form is a 409, rather than a
        form whose POST answers that the link is not valid."""
        rid, to, text = denied()
        p = cli("request", "erase", str(made(to, kind="deletion")))
        self.assertEqual(p.returncode, 0, p.stderr)
        mails_to(to)
        self.assert_no_appeal(link(text, "status"), "cannot be appealed")
        self.assertEqual(row(rid, "appeal"), (None,))

    def test_erasure_blanks_the_appeal_reason(self):
        rid, to, _ = self.appealed("My name is Ada Lovelace.")
        mails_to(to)
        p = cli("request", "erase", str(made(to, kind="deletion")))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(row(rid, "appeal, appeal_reason"), ("open", None))


if __name__ == "__main__":
    unittest.main()
