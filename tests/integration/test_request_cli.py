"""The privacy team's side of the data subject requests: `privforms
requests`, `request show/extend/deny/fulfil`, `party link/show` and the purge
of expired unverified requests, on requests made through the real form
(nginx), verified through the link in the real mail (aiosmtpd), with the
mails of each change read back from the SMTP server and their status links
followed."""

import datetime
import html
import os
import re
import subprocess
import unittest
import uuid

from harness import PRIVFORMS, SRC, mail_link as link, teardown, mail_site

FORM = "/privacy/request"
SITE = None
SMTP = None


def setUpModule():
    global SITE, SMTP
    SITE, SMTP = mail_site()


def tearDownModule():
    teardown(SITE, SMTP)


# ---- helpers ----

def address(tag="req"):
    return "%s.%s@example.com" % (tag, uuid.uuid4().hex[:12])


def today(days=0):
    d = datetime.datetime.now(datetime.timezone.utc).date()
    return (d + datetime.timedelta(days=days)).isoformat()


def cli(*args):
    return SITE.privforms(*args, check=False)


def send_mail(site=None):
    """Send what is queued; return the messages the server received."""
    return (site or SITE).send_mail(SMTP)


def body(msg):
    return msg.get_body(preferencelist=("plain",)).get_content()


def mail_to(to):
    """Send the queue and return the one message it held for to."""
    got = [m for m in send_mail() if m["To"] == to]
    if len(got) != 1:
        raise AssertionError("%d messages to %s" % (len(got), to))
    return got[0]


def submit(to, country="DE", state=None, type_="access", **extra):
    fields = {"type": type_, "relationship": "customer", "first_name": "Ada",
              "last_name": "Lovelace", "email": to, "country": country,
              "details": "Everything you hold on me, please."}
    if state is not None:
        fields["state"] = state
    fields.update(extra)
    r = SITE.post(FORM, fields)
    if r.status != 303:
        raise AssertionError("not accepted: %r" % r)
    return SITE.query("SELECT max(id) FROM request WHERE email_key = ?",
                      (to.lower(),))[0][0]


def confirm(verify_path):
    """GET the verify link, then press the one button its page shows."""
    page = SITE.get(verify_path)
    if page.status != 200:
        raise AssertionError("verify page: %r" % page)
    form = re.search(r"<form[^>]*>.*?</form>", page.text, re.S).group(0)
    action = html.unescape(re.search(r'action="([^"]*)"', form).group(1))
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        attrs = dict(re.findall(r'([a-z]+)="([^"]*)"', tag))
        if "name" in attrs:
            fields[html.unescape(attrs["name"])] = html.unescape(
                attrs.get("value", ""))
    r = SITE.post(action or verify_path, fields)
    if r.status not in (200, 303):
        raise AssertionError("confirm: %r" % r)


def new_request(country="DE", state=None, verified=True, to=None, **extra):
    """A request made through the form (and verified by its link): its id."""
    to = to or address()
    rid = submit(to, country, state, **extra)
    text = body(mail_to(to))
    if verified:
        confirm(link(text, "verify"))
        send_mail()         # the "we have your request" mail
        assert status_of(rid) == "verified", status_of(rid)
    return rid


def status_of(rid):
    return SITE.query("SELECT status FROM request WHERE id = ?", (rid,))[0][0]


def row(rid, cols):
    return SITE.query("SELECT %s FROM request WHERE id = ?" % cols, (rid,))[0]


def write(sql, args=()):
    """Change the database directly, for what the form cannot make (a
    request received long ago); every such use says why."""
    con = SITE.connect(timeout=10)
    try:
        with con:
            con.execute(sql, args)
    finally:
        con.close()


def listing(*args):
    p = cli("requests", *args)
    if p.returncode != 0:
        raise AssertionError(p.stderr)
    lines = p.stdout.splitlines()
    return lines[0], {int(l.split()[0]): l for l in lines[1:]}


def last_record():
    return open(SITE.audit_files()[-1], encoding="utf-8").read()


def queued():
    """Messages ever queued: sent ones keep their row."""
    return SITE.count("outbox")


class RequestTest(unittest.TestCase):
    def tearDown(self):
        p = cli("audit", "verify")
        self.assertEqual(p.returncode, 0, p.stderr)

    def deny(self, tag, note, reason="no-data-held"):
        """A new request from a fresh address denied for reason (a code)
        with note: (its id, the address)."""
        to = address(tag)
        rid = new_request(to=to)
        p = cli("request", "deny", str(rid), "--reason", reason, "--note",
                note)
        self.assertEqual(p.returncode, 0, p.stderr)
        return rid, to

    def assert_refused(self, args, why, code=1):
        """Refused with why on stderr, and nothing changed or queued."""
        records, mails = SITE.count("audit"), queued()
        events = SITE.count("request_event")
        p = cli(*args)
        self.assertEqual(p.returncode, code, (args, p.stdout, p.stderr))
        self.assertIn(why, p.stderr)
        self.assertEqual((SITE.count("audit"), queued(),
                          SITE.count("request_event")),
                         (records, mails, events))
        return p


# ---- requests ----

class Listing(RequestTest):
    def test_every_request_by_due_date_without_personal_data(self):
        to = address("private")
        de = new_request("DE", to=to, organisation="Analytical Engines")
        ca = new_request("US", "CA")
        jp = new_request("JP")
        waiting = new_request("AU", verified=False)
        head, rows = listing()
        self.assertEqual(head.split(), ["ID", "TYPE", "STATUS", "RECEIVED",
                                        "DUE", "LAW", "PLACE", "AGENT"])
        self.assertEqual(rows[de].split(), [
            str(de), "access", "verified", today(), row(de, "due")[0],
            "GDPR", "DE", "-"])
        self.assertEqual(rows[ca].split()[-4:],
                         [row(ca, "due")[0], "CCPA", "US-CA", "-"])
        self.assertEqual(rows[waiting].split()[2], "unverified")
        self.assertIn("Privacy Act 1988  AU", rows[waiting])
        ids = list(rows)
        dues = [rows[i].split()[4] for i in ids]
        self.assertEqual(dues, sorted(dues))
        self.assertLess(ids.index(jp), ids.index(ca))   # 14 days, 45 days
        out = cli("requests").stdout
        for personal in (to, "Ada", "Lovelace", "Analytical", "Everything"):
            self.assertNotIn(personal, out)

    def test_status_filter(self):
        done = new_request()
        cli("request", "fulfil", str(done))
        waiting = new_request(verified=False)
        open_ = new_request()
        for status, inside, outside in (
                ("verified", open_, waiting), ("unverified", waiting, open_),
                ("fulfilled", done, open_)):
            _, rows = listing("--status", status)
            self.assertIn(inside, rows, status)
            self.assertNotIn(outside, rows, status)
            self.assertEqual({r.split()[2] for r in rows.values()}, {status})

    def test_overdue_lists_open_requests_due_before_today(self):
        late, late_closed, due_today = (new_request(), new_request(),
                                        new_request())
        waiting = new_request(verified=False)
        # The form can only make requests received now: make three late.
        for rid, due in ((late, today(-1)), (late_closed, today(-30)),
                         (due_today, today()), (waiting, today(-1))):
            write("UPDATE request SET due = ? WHERE id = ?", (due, rid))
        cli("request", "deny", str(late_closed), "--reason", "no-data-held")
        _, rows = listing("--overdue")
        self.assertIn(late, rows)
        for rid in (late_closed, due_today, waiting):
            self.assertNotIn(rid, rows)
        _, rows = listing("--overdue", "--status", "verified")
        self.assertIn(late, rows)
        _, rows = listing("--overdue", "--status", "extended")
        self.assertNotIn(late, rows)

    def test_due_within_counts_days_from_today(self):
        jp = new_request("JP")                  # 14 days
        de = new_request("DE")                  # a month: 28 days or more
        ca = new_request("CA")                  # 30 days
        waiting = new_request("JP", verified=False)
        _, rows = listing("--due-within", "14")
        self.assertIn(jp, rows)
        for rid in (de, ca, waiting):
            self.assertNotIn(rid, rows)
        _, rows = listing("--due-within", "13")
        self.assertNotIn(jp, rows)
        _, rows = listing("--due-within", "30")
        self.assertIn(ca, rows)
        # Overdue requests are due within any number of days.
        write("UPDATE request SET due = ? WHERE id = ?", (today(-3), de))
        _, rows = listing("--due-within", "0")
        self.assertIn(de, rows)
        self.assertNotIn(jp, rows)

    def test_usage_errors_exit_2(self):
        for args in (("requests", "--status"), ("requests", "--status", "open"),
                     ("requests", "--due-within", "-1"),
                     ("requests", "--due-within", "x"),
                     ("requests", "--due-within", "99999"),
                     ("requests", "--overdue", "--status", "fulfilled"),
                     ("requests", "extra"),
                     ("request", "show"), ("request", "show", "abc"),
                     ("request", "show", "0"), ("request", "show", "1", "2"),
                     ("request", "extend", "1"),
                     ("request", "extend", "--reason", "x"),
                     ("request", "extend", "1", "--reason"),
                     ("request", "deny", "1"),
                     ("request", "deny", "1", "--note", "x"),
                     ("request", "deny", "1", "--reason", "no-data-held",
                      "--note"),
                     ("request", "fulfil"), ("request", "fulfil", "1", "2"),
                     ("request", "fulfil", "1", "--note"),
                     ("party", "link", "1"), ("party", "link", "1", "x"),
                     ("party", "show"), ("party", "show", "-1")):
            p = cli(*args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn("usage", p.stderr.lower(), args)

    def test_help_says_what_each_command_does(self):
        for args, text in ((("requests",), "--overdue"),
                           (("request", "extend"), "extension"),
                           (("party", "link"), "individual"),
                           (("purge",), "unverified")):
            p = cli(*args, "--help")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(text, p.stdout + p.stderr)


# ---- request show ----

class Show(RequestTest):
    def test_every_field_the_dates_party_and_history(self):
        to = address("show")
        rid = new_request("US", "CA", to=to, organisation="Analytical Engines",
                          details="Line one.\nLine two.")
        p = cli("request", "show", str(rid))
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout
        due, ack, party = row(rid, "due, acknowledge, party")
        for want in (r"request\s+%d\n" % rid, r"type\s+access \(",
                     r"status\s+verified \(Verified", r"relationship\s+customer",
                     r"organisation\s+Analytical Engines", r"first name\s+Ada",
                     r"last name\s+Lovelace", r"email\s+%s" % re.escape(to),
                     r"place\s+US-CA", r"law\s+CCPA", r"received\s+%s" % today(),
                     r"acknowledge by\s+%s" % ack, r"due\s+%s" % due,
                     r"extension\s+45 days, not used",
                     r"party\s+%d \(individual %d\)" % (party, party),
                     r"other parties\s+none",
                     r"details\n  Line one\.\n  Line two\.\n",
                     r"history\n  \S+Z  unverified\s*\n  \S+Z  verified"):
            self.assertRegex(out, want)

    def test_law_without_acknowledgement_or_extension_says_so(self):
        rid = new_request("AU", verified=False)
        out = cli("request", "show", str(rid)).stdout
        self.assertRegex(out, r"acknowledge by\s+- \(Privacy Act 1988 sets")
        self.assertRegex(out, r"extension\s+none under Privacy Act 1988")
        self.assertRegex(out, r"party\s+none \(not verified\)")
        self.assertRegex(out, r"verify by\s+\d{4}-")

    def test_unknown_request(self):
        p = self.assert_refused(("request", "show", "999999"), "no request")
        self.assertEqual(p.stdout, "")


# ---- request extend ----

class Extend(RequestTest):
    def test_extension_moves_due_across_a_month_end_and_is_mailed(self):
        to = address("extend")
        rid = new_request("DE", to=to)
        # Only a request received on 31 October is due on 31 December; set
        # it, so the two months land on the last day of a leap February.
        write("UPDATE request SET due = '2031-12-31' WHERE id = ?", (rid,))
        reason = "We are gathering your data from three archives."
        p = cli("request", "extend", str(rid), "--reason", reason)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("due 2032-02-29 (was 2031-12-31)", p.stdout)
        self.assertEqual(row(rid, "status, due, extended"),
                         ("extended", "2032-02-29", 1))
        xml = last_record()
        self.assertIn("<event>request-extended</event>", xml)
        self.assertIn('<detail name="request">%d</detail>' % rid, xml)
        self.assertIn('<detail name="due">2032-02-29</detail>', xml)
        self.assertIn('<detail name="previous-due">2031-12-31</detail>', xml)
        self.assertIn("<subject>%s</subject>" % row(rid, "subject")[0], xml)
        self.assertNotIn("archives", xml)
        self.assertNotIn(to, xml)
        msg = mail_to(to)
        self.assertIn(str(rid), msg["Subject"])
        text = body(msg)
        self.assertNotIn("{{", text)
        for want in ("2031-12-31", "2032-02-29", reason, "GDPR"):
            self.assertIn(want, text)
        page = SITE.get(link(text, "status"))
        self.assertEqual(page.status, 200, page)
        self.assertIn("2032-02-29", page.text)
        self.assertIn(reason, page.text)
        self.assertNotIn(to, page.text)
        # Once only.
        self.assert_refused(("request", "extend", str(rid), "--reason", "x"),
                            "already extended")

    def test_days_extension_counts_from_the_due_date(self):
        rid = new_request("CA")                 # PIPEDA: 30 + 30 days
        due = row(rid, "due")[0]
        p = cli("request", "extend", str(rid), "--reason", "Archives.")
        self.assertEqual(p.returncode, 0, p.stderr)
        want = (datetime.date.fromisoformat(due) +
                datetime.timedelta(days=30)).isoformat()
        self.assertEqual(row(rid, "due")[0], want)

    def test_law_without_extension_is_refused(self):
        rid = new_request("AU")
        self.assert_refused(("request", "extend", str(rid), "--reason", "x"),
                            "no extension under Privacy Act 1988")
        self.assertEqual(status_of(rid), "verified")

    def test_unverified_closed_and_unknown_are_refused(self):
        waiting = new_request(verified=False)
        self.assert_refused(("request", "extend", str(waiting), "--reason",
                             "x"), "not verified")
        done = new_request()
        self.assertEqual(cli("request", "fulfil", str(done)).returncode, 0)
        self.assert_refused(("request", "extend", str(done), "--reason", "x"),
                            "already closed")
        self.assert_refused(("request", "extend", "999999", "--reason", "x"),
                            "no such request")


# ---- request deny, fulfil ----

class Close(RequestTest):
    def test_deny_mails_the_reason_and_the_status_page_shows_it(self):
        note = "Send us a copy of your customer card, please."
        words = ("We could not confirm that you are the person the request "
                 "is about")
        rid, to = self.deny("deny", note, "identity-not-verified")
        self.assertEqual(status_of(rid), "denied")
        xml = last_record()
        self.assertIn("<event>request-denied</event>", xml)
        self.assertIn('<detail name="request">%d</detail>' % rid, xml)
        self.assertIn('<detail name="reason">identity-not-verified</detail>',
                      xml)
        self.assertNotIn("customer card", xml)
        # The store keeps the code, never the note.
        self.assertEqual(SITE.query(
            "SELECT note, reason FROM request_event WHERE request = ? AND "
            "status = 'denied'", (rid,)), [(None, "identity-not-verified")])
        self.assertEqual(SITE.query(
            "SELECT count(*) FROM request_event WHERE note LIKE "
            "'%customer card%'"), [(0,)])
        text = body(mail_to(to))
        self.assertIn(words, " ".join(text.split()))
        self.assertIn(note, text)
        self.assertNotIn("{{", text)
        page = SITE.get(link(text, "status"))
        self.assertIn(words, " ".join(page.text.split()))
        self.assertNotIn("customer card", page.text)
        self.assertIn("reason: identity-not-verified",
                      cli("request", "show", str(rid)).stdout)
        self.assert_refused(("request", "deny", str(rid), "--reason",
                             "no-data-held"), "already closed")
        self.assert_refused(("request", "fulfil", str(rid)), "already closed")

    def test_fulfil_with_a_note_and_without(self):
        for note in ("Your data was sent by registered post.", None):
            to = address("fulfil")
            rid = new_request(to=to)
            args = ["request", "fulfil", str(rid)]
            if note:
                args += ["--note", note]
            p = cli(*args)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(status_of(rid), "fulfilled")
            self.assertIn("<event>request-fulfilled</event>", last_record())
            msg = mail_to(to)
            text = body(msg)
            self.assertIn("is done", msg["Subject"])
            self.assertNotIn("{{", text)
            if note:
                self.assertIn(note, text)
            self.assert_refused(("request", "fulfil", str(rid)),
                                "already closed")

    def test_an_extended_request_can_be_fulfilled(self):
        rid = new_request("DE")
        cli("request", "extend", str(rid), "--reason", "Archives.")
        send_mail()
        self.assertEqual(cli("request", "fulfil", str(rid)).returncode, 0)
        events = SITE.query("SELECT status FROM request_event WHERE request = "
                            "? ORDER BY seq", (rid,))
        self.assertEqual([e[0] for e in events],
                         ["unverified", "verified", "extended", "fulfilled"])

    def test_every_code_denies_with_its_words_and_no_note(self):
        codes = cli("request", "deny", "--help").stdout.split("one of:")[1]
        codes = [c.strip() for c in codes.splitlines() if c.startswith("  ")]
        self.assertEqual(len(codes), 12)     # agent-not-authorised: 12
        for code in codes:
            rid = new_request(to=address(code))
            p = cli("request", "deny", str(rid), "--reason", code)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn('<detail name="reason">%s</detail>' % code,
                          last_record())
        send_mail()

    def test_a_reason_that_is_not_a_code_is_refused(self):
        rid = new_request()
        for bad in ("We hold no data.", "No-Data-Held", "no-data-held ", "",
                    "exempt", "x" * 2000):
            p = self.assert_refused(("request", "deny", str(rid), "--reason",
                                     bad), "--reason must be one of:", code=2)
            self.assertIn("no-data-held", p.stderr)
        self.assertEqual(status_of(rid), "verified")

    def test_unverified_and_unknown_are_refused(self):
        waiting = new_request(verified=False)
        self.assert_refused(("request", "deny", str(waiting), "--reason",
                             "no-data-held"), "not verified")
        self.assert_refused(("request", "fulfil", str(waiting)),
                            "not verified")
        self.assert_refused(("request", "fulfil", "999999"), "no such request")


class Hostile(RequestTest):
    def test_reasons_that_could_reach_a_header_or_break_a_line_are_refused(self):
        rid = new_request()
        for bad in ("line\r\nBcc: x@example.com", "line\nnext", "cr\ronly",
                    "", "   ", "x" * 1001, "bell\x07", "esc\x1b[31m",
                    "c1\u0085"):
            self.assert_refused(("request", "extend", str(rid), "--reason",
                                 bad), "one line", code=2)
            if bad.strip():
                self.assert_refused(("request", "deny", str(rid), "--reason",
                                     "no-data-held", "--note", bad),
                                    "one line", code=2)
                self.assert_refused(("request", "fulfil", str(rid),
                                     "--note", bad), "one line", code=2)
        self.assertEqual(status_of(rid), "verified")

    def test_invalid_utf8_is_refused(self):
        rid = new_request()
        p = subprocess.run([PRIVFORMS, "--config", SITE.conf, "request",
                            "deny", str(rid), "--reason", "no-data-held",
                            "--note", b"caf\xe9"],
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(status_of(rid), "verified")

    def test_longest_reason_is_taken(self):
        rid = new_request()
        p = cli("request", "deny", str(rid), "--reason", "no-data-held",
                "--note", "é" * 500)
        self.assertEqual(p.returncode, 0, p.stderr)
        send_mail()

    def test_markup_in_a_reason_comes_back_escaped(self):
        reason = '<script>alert(1)</script> & <b>"bold"</b>'
        to = address("markup")
        rid = new_request(to=to)
        p = cli("request", "extend", str(rid), "--reason", reason)
        self.assertEqual(p.returncode, 0, p.stderr)
        text = body(mail_to(to))
        self.assertIn(reason, text)             # plain text mail: as written
        page = SITE.get(link(text, "status"))
        self.assertEqual(page.status, 200)
        self.assertNotIn("<script>alert", page.text)
        self.assertNotIn('<b>"bold"', page.text)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page.text)


# ---- requests report ----

class Report(RequestTest):
    """A year's metrics on a hand-computed set of requests made through
    the form and closed through the command, received in 2023 (set in the
    database: the form only makes requests received now, and no other
    test's request falls in that year)."""

    # (type, received, how it ends: None open, "fulfil" or a reason code,
    #  answered, verified)
    SET = (("access", "2023-01-10T09:00:00.000000Z", "fulfil",
            "2023-01-20T17:00:00.000000Z", True),            # 10 days
           ("access", "2023-02-27T23:59:59.000000Z", "identity-not-verified",
            "2023-03-01T00:00:00.000000Z", True),            # 2
           ("access", "2023-12-30T12:00:00.000000Z", "fulfil",
            "2024-01-04T08:00:00.000000Z", True),            # 5, next year
           ("access", "2023-06-01T12:00:00.000000Z", None, None, True),
           ("access", "2023-05-05T12:00:00.000000Z", None, None, False),
           ("deletion", "2023-03-01T00:00:00.000000Z",
            "exempt-legal-obligation", "2023-03-31T10:00:00.000000Z", True),
           ("deletion", "2023-04-01T10:00:00.000000Z",
            "exempt-legal-obligation", "2023-04-02T10:00:00.000000Z", True),
           ("deletion", "2024-01-01T00:00:00.000000Z", "fulfil",
            "2024-01-02T00:00:00.000000Z", True),            # not 2023
           ("deletion", "2022-12-31T23:59:59.999999Z", "fulfil",
            "2023-01-02T00:00:00.000000Z", True))            # not 2023

    @classmethod
    def setUpClass(cls):
        for type_, received, end, answered, verified in cls.SET:
            rid = new_request(type_=type_, verified=verified)
            if end == "fulfil":
                cli("request", "fulfil", str(rid))
            elif end is not None:
                cli("request", "deny", str(rid), "--reason", end)
            write("UPDATE request SET received = ? WHERE id = ?",
                  (received, rid))
            write("UPDATE request_event SET time = ? WHERE request = ? AND "
                  "status IN ('fulfilled', 'denied')", (answered, rid))
        send_mail()

    def report(self, *args):
        p = cli("requests", "report", "--year", "2023", *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def test_csv_is_the_hand_computed_figures(self):
        rows = {l.split(",")[1]: l for l in self.report("--format",
                                                        "csv").splitlines()}
        head = rows.pop("type").split(",")
        self.assertEqual(head[:8], ["year", "type", "received", "complied",
                                    "denied", "open", "mean_days",
                                    "median_days"])
        self.assertEqual(len(rows), 8)
        got = {t: dict(zip(head, l.split(","))) for t, l in rows.items()}
        access, deletion = got["access"], got["deletion"]
        self.assertEqual([access[k] for k in head[2:8]],
                         ["4", "2", "1", "1", "5.7", "5.0"])
        self.assertEqual(access["denied_identity-not-verified"], "1")
        self.assertEqual([deletion[k] for k in head[2:8]],
                         ["2", "0", "2", "0", "15.5", "15.5"])
        self.assertEqual(deletion["denied_exempt-legal-obligation"], "2")
        self.assertEqual(got["other"]["received"], "0")
        self.assertEqual(got["other"]["mean_days"], "")

    def test_text_lists_each_type_and_its_reasons(self):
        text = self.report()
        self.assertIn("received in 2023", text)
        self.assertRegex(text, r"(?m)^access +4 +2 +1 +1 +5\.7 +5\.0$")
        self.assertRegex(text, r"(?m)^deletion +2 +0 +2 +0 +15\.5 +15\.5$")
        self.assertRegex(text, r"(?m)^ +denied, exempt-legal-obligation +2$")
        self.assertRegex(text, r"(?m)^portability +0 +0 +0 +0 +- +-$")

    def test_xml_is_valid_and_has_the_same_figures(self):
        xml = self.report("--format", "xml")
        p = subprocess.run(["xmllint", "--noout", "--schema",
                            os.path.join(SRC, "etc", "requests-report.xsd"),
                            "-"], input=xml, capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('year="2023"', xml)
        access = re.search(r'<type code="access">.*?</type>', xml, re.S)[0]
        for part in ("<received>4</received>", "<complied>2</complied>",
                     '<denied count="1">', '<reason code="identity-not-'
                     'verified" count="1"/>', "<open>1</open>",
                     '<days answered="3" mean="5.7" median="5.0"/>'):
            self.assertIn(part, access)
        other = re.search(r'<type code="other">.*?</type>', xml, re.S)[0]
        self.assertIn('<days answered="0"/>', other)

    def test_bad_arguments_are_usage_errors(self):
        for args in (("--year", "23"), ("--year", "2023x"), ("--year", ""),
                     ("--year", "2023", "--format", "pdf"), (),
                     ("--year", "2023", "--year", "2024")):
            p = cli("requests", "report", *args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertEqual(p.stdout, "")


# ---- party link, party show ----

class Parties(RequestTest):
    def test_link_makes_one_individual_and_show_lists_it(self):
        a_to, b_to = address("first"), address("second")
        a = row(new_request(to=a_to), "party")[0]
        b_req = new_request(to=b_to)
        b = row(b_req, "party")[0]
        self.assertNotEqual(a, b)
        p = cli("party", "link", str(a), str(b))
        self.assertEqual(p.returncode, 0, p.stderr)
        xml = last_record()
        self.assertIn("<event>party-linked</event>", xml)
        self.assertIn('<detail name="party">%d</detail>' % a, xml)
        self.assertIn('<detail name="other">%d</detail>' % b, xml)
        self.assertNotIn(a_to, xml)
        self.assertNotIn(b_to, xml)
        for pid in (a, b):
            out = cli("party", "show", str(pid)).stdout
            self.assertIn("individual %d" % a, out)
            self.assertRegex(out, r"(?m)^%d\s+\S+Z\s+%s$" % (a, re.escape(a_to)))
            self.assertRegex(out, r"(?m)^%d\s+\S+Z\s+%s$" % (b, re.escape(b_to)))
        self.assertRegex(cli("request", "show", str(b_req)).stdout,
                         r"other parties\s+%d\n" % a)
        # Again: nothing to change, still fine (and recorded).
        self.assertEqual(cli("party", "link", str(b), str(a)).returncode, 0)

    def test_a_third_party_joins_with_everything_linked_to_it(self):
        a, b, c = (row(new_request(), "party")[0] for _ in range(3))
        cli("party", "link", str(b), str(c))
        cli("party", "link", str(a), str(b))
        out = cli("party", "show", str(c)).stdout
        self.assertIn("individual %d" % a, out)
        self.assertEqual(len(re.findall(r"(?m)^\d+\s", out)), 3)

    def test_unknown_party_is_refused(self):
        a = row(new_request(), "party")[0]
        self.assert_refused(("party", "link", str(a), "999999"),
                            "no party 999999")
        self.assert_refused(("party", "link", "999999", str(a)),
                            "no party 999999")
        self.assert_refused(("party", "show", "999999"), "no party 999999")


# ---- purge ----

class Purge(RequestTest):
    def test_purge_deletes_expired_unverified_requests_only(self):
        expired = new_request(verified=False)
        fresh = new_request(verified=False)
        verified = new_request()
        # A verify link lasts request_verify_days: age two requests past it.
        for rid in (expired, verified):
            write("UPDATE request SET verify_by = '2020-01-01T00:00:00.000000Z'"
                  " WHERE id = ?", (rid,))
        subject = row(expired, "subject")[0]
        records = SITE.count("audit")
        p = cli("purge")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("purge: 1 unverified request ", p.stdout)
        self.assertEqual(SITE.query("SELECT count(*) FROM request WHERE id = ?",
                                    (expired,))[0][0], 0)
        self.assertEqual(SITE.query("SELECT count(*) FROM request_event WHERE "
                                    "request = ?", (expired,))[0][0], 0)
        self.assertEqual(status_of(fresh), "unverified")
        self.assertEqual(status_of(verified), "verified")
        self.assertEqual(SITE.count("audit"), records + 1)
        xml = last_record()
        self.assertIn("<event>request-expired</event>", xml)
        self.assertIn("<subject>%s</subject>" % subject, xml)
        self.assertIn('<detail name="request">%d</detail>' % expired, xml)
        self.assertIn("purge: 0 unverified requests", cli("purge").stdout)

    def test_purge_takes_more_than_one_batch(self):
        # Made through the form; their verify mails need not be read.
        ids = [submit(address("batch")) for _ in range(66)]
        write("UPDATE request SET verify_by = '2020-01-01T00:00:00.000000Z' "
              "WHERE id >= ? AND status = 'unverified'", (ids[0],))
        p = cli("purge")
        self.assertEqual(p.returncode, 0, p.stderr)
        n = int(re.search(r"purge: (\d+) unverified", p.stdout).group(1))
        self.assertGreaterEqual(n, 66)
        self.assertEqual(SITE.query("SELECT count(*) FROM request WHERE id "
                                    "IN (%s)" % ",".join(map(str, ids)))[0][0],
                         0)


if __name__ == "__main__":
    unittest.main()
