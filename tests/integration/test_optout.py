"""The opt-out page (/privacy/opt-out, "Your Privacy Choices") through a
real nginx: opting out of sale, sharing and targeted advertising without
any identity, the pf_consent cookie it sets (sale categories off, the
others kept), the consent and audit records, and the Global Privacy
Control line; an email address or phone number that extends it to the
person (never verified), the confirmation mail only when asked for, and
what bad input gets."""

import hashlib
import re
import unittest

from harness import Site, teardown, FormTest, mail_site, address

FORM = "/privacy/opt-out"
SITE = None
SMTP = None
COOKIE = re.compile(
    r"^pf_consent=(v=1&d=([A-Za-z0-9_-]{21}[AQgw])&n=([0-9a-f]{16})"
    r"&c=([a-z0-9_+-]*)&g=([01])&t=([1-9][0-9]{0,9})); Path=/; "
    r"Max-Age=(\d+); SameSite=Lax$")
HONORED = "Opt-out preference signal honored"


def setUpModule():
    global SITE, SMTP
    SITE, SMTP = mail_site()


def tearDownModule():
    teardown(SITE, SMTP)


def people(device=None):
    """The sale opt-outs that named a person (of device, or all)."""
    if device is None:
        return SITE.query("SELECT channel, address, source FROM sale_opt_out "
                          "ORDER BY id")
    return SITE.query("SELECT channel, address, source FROM sale_opt_out "
                      "WHERE device = ? ORDER BY id", (device,))


def records(device):
    return SITE.query("SELECT action, method, allowed, refused, gpc "
                      "FROM consent_record WHERE device = ? ORDER BY id",
                      (device,))


def opt_out(fields=None, cookie=None, gpc=None):
    headers = {}
    if cookie is not None:
        headers["Cookie"] = cookie
    if gpc is not None:
        headers["Sec-GPC"] = gpc
    return SITE.post(FORM, {"optout": "yes"} if fields is None else fields,
                     headers=headers)


class OptOut(FormTest):
    def stored(self):
        return (SITE.count("consent_record"), SITE.count("audit"),
                SITE.count("sale_opt_out"), SITE.count("outbox"))

    def cookie_of(self, r, page=FORM):
        """The Set-Cookie of a 303 to page's done page, matched whole."""
        self.assertEqual(r.status, 303, r)
        self.assertTrue(r.header("Location").endswith(page + "?done"))
        m = COOKIE.match(r.header("Set-Cookie") or "")
        self.assertIsNotNone(m, r.header("Set-Cookie"))
        return m

    def changes(self, fn):
        before = self.stored()
        r = fn()
        self.assertEqual(self.stored(), (before[0] + 1, before[1] + 1,
                                         before[2], before[3]), r)
        return r

    def test_get_shows_the_page_and_changes_nothing(self):
        r = self.assert_nothing_stored(lambda: SITE.get(FORM))
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.header("Set-Cookie"))
        self.assertIn("Do Not Sell or Share My Personal Information", r.text)
        self.assertIn('name="optout"', r.text)
        for name in ("email", "phone", "confirm"):
            self.assertIn('name="%s"' % name, r.text)
        self.assertNotIn(HONORED, r.text)
        r = self.assert_nothing_stored(lambda: SITE.get(FORM + "?done"))
        self.assertIn("No opt-out is saved", r.text)

    def test_the_hub_offers_it_as_the_audience_choice(self):
        r = SITE.get("/privacy/")
        self.assertEqual(r.status, 200)
        self.assertRegex(r.text, r'<a href="/privacy/opt-out">Opt out of '
                                 r'targeted advertising</a>')

    def test_opt_out_without_identity_is_recorded(self):
        r = self.changes(lambda: opt_out())
        m = self.cookie_of(r)
        self.assertEqual(m[4], "required")
        self.assertEqual(m[5], "0")
        self.assertEqual(records(m[2]),
                         [("refused", "page", "required",
                           "functional advertising", 0)])
        events = SITE.audit_xml("consent-recorded")
        self.assertNotIn(m[2], "".join(events))
        r = SITE.get(FORM + "?done", headers={"Cookie": "pf_consent=" + m[1]})
        self.assertIn("You have opted out", r.text)
        self.assertNotIn(HONORED, r.text)

    def test_other_categories_are_kept(self):
        m = self.cookie_of(SITE.post("/privacy/consent", {"choice": "accept"}),
                           "/privacy/consent")
        self.assertEqual(m[4], "required+functional+advertising")
        r = self.changes(lambda: opt_out(cookie="pf_consent=" + m[1]))
        m2 = self.cookie_of(r)
        self.assertEqual(m2[2], m[2], "the device id is kept")
        self.assertEqual(m2[4], "required+functional")
        self.assertEqual(records(m[2])[-1],
                         ("withdrawn", "page", "required functional",
                          "advertising", 0))
        # What the consent page ticks now: functional, not advertising.
        r = SITE.get("/privacy/consent",
                     headers={"Cookie": "pf_consent=" + m2[1]})
        for cat, on in (("functional", True), ("advertising", False)):
            tag = re.search(r'<input[^>]*name="allow-%s"[^>]*>' % cat, r.text)
            self.assertEqual("checked" in tag[0], on, cat)

    def test_a_hostile_cookie_is_ignored(self):
        hostile = ('v=1&d=<script>alert(1)</script>&n=0123456789abcdef'
                   '&c=functional&g=0&t=1')
        m = self.cookie_of(self.changes(
            lambda: opt_out(cookie="pf_consent=" + hostile)))
        self.assertEqual(m[4], "required")
        r = SITE.get(FORM + "?done", headers={"Cookie": "pf_consent=" + hostile})
        self.assertNotIn("alert(1)", r.text)

    def test_bad_input_stores_nothing(self):
        for fields in ({}, {"optout": "no"}, {"optout": "<b>x</b>"},
                       {"optout": "yes" * 2000}):
            r = self.assert_nothing_stored(lambda: opt_out(fields))
            self.assertEqual(r.status, 422, (fields, r))
            self.assertIsNone(r.header("Set-Cookie"))
            self.assertNotIn("<b>x</b>", r.text)
            self.assertIn("Nothing was changed.", r.text)
        r = self.assert_nothing_stored(
            lambda: SITE.post(FORM, {"optout": "yes"}, stamp=False))
        self.assertEqual(r.status, 422)
        self.assertIsNone(r.header("Set-Cookie"))

    def test_the_signal_is_shown_and_recorded(self):
        r = self.assert_nothing_stored(
            lambda: SITE.get(FORM, headers={"Sec-GPC": "1"}))
        self.assertIn(HONORED, r.text)
        for value in ("0", "true"):
            self.assertNotIn(HONORED, SITE.get(
                FORM, headers={"Sec-GPC": value}).text)
        # The opt-out, and the signal's own GPC record (every program
        # stores it: privforms-forms(8), "Global Privacy Control").
        before = self.stored()
        m = self.cookie_of(opt_out(gpc="1"))
        self.assertEqual(self.stored()[:2], (before[0] + 2, before[1] + 2))
        self.assertEqual(m[5], "1")
        self.assertEqual([(row[1], row[4]) for row in records(m[2])],
                         [("page", 1), ("gpc", 1)])
        r = SITE.get(FORM + "?done", headers={"Cookie": "pf_consent=" + m[1]})
        self.assertIn(HONORED, r.text)


class Identity(FormTest):
    """An address given with the opt-out: stored with the consent record,
    in one transaction, never verified, and mailed only when asked."""

    def stored(self):
        return (SITE.count("consent_record"), SITE.count("audit"),
                SITE.count("sale_opt_out"), SITE.count("outbox"))

    def post(self, **fields):
        return SITE.post(FORM, dict(optout="yes", **fields))

    def device(self, r):
        self.assertEqual(r.status, 303, r)
        self.assertTrue(r.header("Location").endswith(FORM + "?done"))
        return COOKIE.match(r.header("Set-Cookie"))[2]

    def test_an_email_address_extends_the_opt_out_to_the_person(self):
        before = self.stored()
        typed = "  Jane.Doe.%s@Example.COM " % address("x").split("@")[0]
        d = self.device(self.post(email=typed))
        key = typed.strip().lower()
        self.assertEqual(people(d), [("email", key, "form")])
        self.assertEqual(self.stored(), (before[0] + 1, before[1] + 2,
                                         before[2] + 1, before[3]))
        pseudonym = SITE.privforms("pseudonym", "--email", key).stdout.strip()
        rec = SITE.audit_xml("sale-opt-out-identified")[-1]
        self.assertIn("<subject>%s</subject>" % pseudonym, rec)
        self.assertIn('<detail name="channel">email</detail>', rec)
        self.assertIn('<detail name="confirmation">none</detail>', rec)
        record = SITE.query("SELECT max(id) FROM consent_record")[0][0]
        self.assertIn('<detail name="record">%d</detail>' % record, rec)
        self.assertNotIn("example.com", rec.lower())
        self.assertNotIn(d, rec)

    def test_a_phone_number_is_stored_in_e164(self):
        d = self.device(self.post(phone="(303) 749-2110"))
        self.assertEqual(people(d), [("phone", "+13037492110", "form")])
        rec = SITE.audit_xml("sale-opt-out-identified")[-1]
        pseudonym = SITE.privforms("pseudonym", "--phone",
                                   "+13037492110").stdout.strip()
        self.assertIn("<subject>%s</subject>" % pseudonym, rec)
        self.assertIn('<detail name="channel">phone</detail>', rec)

    def test_the_same_answer_whether_known_or_not(self):
        to = address("twice")
        a, b = self.post(email=to), self.post(email=to)
        self.assertEqual((a.status, a.header("Location")),
                         (b.status, b.header("Location")))
        self.assertEqual(len([p for p in people() if p[1] == to]), 2)

    def test_the_browser_keeps_its_device_id(self):
        first = self.post()
        d = self.device(first)
        cookie = "pf_consent=" + COOKIE.match(first.header("Set-Cookie"))[1]
        r = SITE.post(FORM, {"optout": "yes", "phone": "+44 20 7946 0958"},
                      headers={"Cookie": cookie})
        self.assertEqual(self.device(r), d)
        self.assertEqual(people(d), [("phone", "+442079460958", "form")])

    def test_a_confirmation_only_when_asked_and_nothing_typed_in_a_header(self):
        to = address("confirm")
        self.device(self.post(email=to))
        self.assertEqual(SITE.send_mail(SMTP), [])
        self.device(self.post(email=to, confirm="yes"))
        rec = SITE.audit_xml("sale-opt-out-identified")[-1]
        self.assertIn('<detail name="confirmation">requested</detail>', rec)
        msgs = SITE.send_mail(SMTP)
        self.assertEqual(len(msgs), 1)
        m = msgs[0]
        self.assertEqual(m["To"], to)
        self.assertEqual(m["Subject"], "You have opted out of the sale and "
                         "sharing of your information")
        body = m.get_body().get_content()
        self.assertIn("http://127.0.0.1:%d/privacy/" % SITE.port, body)
        for name, value in m.items():
            if name != "To":
                self.assertNotIn(to.split("@")[0], value, name)

    def test_bad_input_comes_back_with_what_to_fix(self):
        evil = '<script>alert(1)</script>"\'&'
        long_local = "a" * 65 + "@example.com"
        cases = (
            ({"email": "not-an-address"}, "email", "not-an-address"),
            ({"phone": "12"}, "phone", None),
            ({"email": "a@example.com", "phone": "(303) 749-2110"}, "phone",
             "a@example.com"),
            ({"confirm": "yes"}, "confirm", None),
            ({"phone": "(303) 749-2110", "confirm": "yes"}, "confirm",
             "(303) 749-2110"),
            ({"email": evil}, "email", None),
            ({"phone": evil}, "phone", None),
            ({"email": long_local}, "email", long_local),
            ({"email": "x" * 255 + "@example.com"}, "email", None),
            ({"confirm": "please", "email": "b@example.com"}, "confirm",
             "b@example.com"),
        )
        for fields, field, kept in cases:
            with self.subTest(fields=fields):
                r = self.assert_nothing_stored(lambda: self.post(**fields))
                self.assert_error(r, field)
                self.assertIsNone(r.header("Set-Cookie"))
                # The summary is shown, and lists the field.
                self.assertRegex(r.text, r'<div id="errors"(?![^>]*hidden)')
                self.assertRegex(r.text, r'<li><a href="#%s">' % field)
                self.assertNotIn("<script>alert", r.text)
                if kept is not None:
                    self.assertIn('value="%s"' % kept.replace("&", "&amp;"),
                                  r.text)
        r = self.post(email=evil)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", r.text)

    def test_hostile_bytes_are_refused_and_never_reflected(self):
        for raw in (b"%ff%fe", b"a%00b", b"a%0d%0aBcc:x", b"%1b[31m",
                    b"%e2%80%aeb"):
            with self.subTest(raw=raw):
                body = (b"optout=yes&confirm=yes&email=" + raw +
                        b"@example.com")
                r = self.assert_nothing_stored(lambda: SITE.post(FORM, body))
                self.assert_error(r, "email")
                self.assertNotIn("Bcc:", r.text)
                self.assertNotIn("\x1b", r.text)

    def test_the_longest_address_is_taken(self):
        domain = "a" * 63 + "." + "b" * 63 + "." + "c" * 57 + ".com"
        longest = "l" * 64 + "@" + domain
        self.assertEqual(len(longest), 254)
        d = self.device(self.post(email=longest))
        self.assertEqual(people(d), [("email", longest, "form")])
        r = self.assert_nothing_stored(lambda: self.post(email="m" + longest))
        self.assert_error(r, "email")


def export(*args, check=True):
    return SITE.privforms("optouts", "export", *args, check=check)


class Export(unittest.TestCase):
    """`privforms optouts export`: each person once, as CSV or as the
    SHA-256 of the normalised address, and a record of the read."""

    @classmethod
    def setUpClass(cls):
        cls.email = address("export")
        for fields in ({"email": "  " + cls.email.upper() + " "},
                       {"email": cls.email},
                       {"phone": "(303) 749-2111"}):
            r = SITE.post(FORM, dict(optout="yes", **fields))
            assert r.status == 303, r

    def test_csv_has_each_person_once_with_the_first_time(self):
        # Text mode: the CRLF of each record reads as "\n".
        rows = export().stdout.split("\n")
        self.assertEqual(rows[0], "channel,address,time")
        self.assertEqual(rows[-1], "")
        mine = [r for r in rows if self.email in r]
        self.assertEqual(len(mine), 1)
        first = SITE.query("SELECT min(created) FROM sale_opt_out WHERE "
                           "address = ?", (self.email,))[0][0]
        self.assertEqual(mine[0], "email,%s,%s" % (self.email, first))
        self.assertEqual(len([r for r in rows if "+13037492111" in r]), 1)
        self.assertEqual(export("--format", "csv").stdout,
                         "\n".join(rows))
        distinct = SITE.query("SELECT count(DISTINCT address) "
                              "FROM sale_opt_out")[0][0]
        self.assertEqual(len(rows) - 2, distinct)

    def test_csv_cannot_hold_a_spreadsheet_formula(self):
        # An address may start with = + or -, which a spreadsheet opening
        # the CSV would run as a formula: such a field is quoted and starts
        # with ' (a number, as E.164 is, is no formula and stays as it is).
        tag = address("formula").split("@")[0]
        typed = ("=1+%s@example.com" % tag, "+cmd|'/c%s'!a0@example.com" % tag,
                 "-2+%s@example.com" % tag)
        for a in typed:
            r = SITE.post(FORM, {"optout": "yes", "email": a})
            self.assertEqual(r.status, 303, r)
        rows = export().stdout.split("\n")
        for a in typed:
            self.assertIn("email,\"'%s\"," % a, "\n".join(rows))
        for row in rows[1:-1]:
            if row.startswith("email,"):
                self.assertNotIn(row.split(",")[1].lstrip('"')[0], "=+-@",
                                 row)
        self.assertEqual(len([r for r in rows
                              if r.startswith("phone,+13037492111,")]), 1)
        # The hash is of the address itself, not of what the CSV shows.
        self.assertIn(hashlib.sha256(typed[0].encode()).hexdigest() + ",",
                      export("--format", "sha256").stdout)

    def hashed(self, fmt):
        """The list of --format fmt: its header and its (email, phone)
        columns, each line ended by CRLF."""
        p = SITE.privforms("optouts", "export", "--format", fmt, text=False)
        self.assertEqual(p.returncode, 0, p)
        lines = p.stdout.decode().split("\r\n")
        self.assertEqual(lines[-1], "")
        return lines[0], [tuple(line.split(",")) for line in lines[1:-1]]

    def test_sha256_is_googles_list_of_the_normalised_addresses(self):
        # Google's Customer Match: the columns Email and Phone, a number
        # hashed in E.164 with its '+'.
        header, rows = self.hashed("sha256")
        self.assertEqual(header, "Email,Phone")
        sha = lambda a: hashlib.sha256(a.encode()).hexdigest()
        want = {(sha(a), "") if c == "email" else ("", sha(a)) for (c, a) in
                SITE.query("SELECT DISTINCT channel, address "
                           "FROM sale_opt_out")}
        self.assertEqual(sorted(rows), sorted(want))
        self.assertIn((sha(self.email), ""), rows)
        self.assertIn(("", sha("+13037492111")), rows)
        for row in rows:
            self.assertRegex(",".join(row), r"^([0-9a-f]{64},|,[0-9a-f]{64})$")

    def test_sha256_meta_hashes_a_number_without_its_plus(self):
        # Meta's custom audiences: the columns email and phone, and a
        # number's digits only, since its rules remove every symbol.
        header, rows = self.hashed("sha256-meta")
        self.assertEqual(header, "email,phone")
        sha = lambda a: hashlib.sha256(a.encode()).hexdigest()
        self.assertIn((sha(self.email), ""), rows)
        self.assertIn(("", sha("13037492111")), rows)
        self.assertNotIn(("", sha("+13037492111")), rows)
        self.assertEqual(len(rows), len(self.hashed("sha256")[1]))

    def test_since_keeps_the_later_opt_outs(self):
        self.assertEqual(export("--since", "2999-01-01").stdout,
                         "channel,address,time\n")
        self.assertIn(self.email, export("--since", "2000-01-01").stdout)

    def test_bad_arguments_are_usage_errors(self):
        for args in (("--format", "xml"), ("--since", "2026-02-30"),
                     ("--since", "yesterday")):
            with self.subTest(args=args):
                n = SITE.count("audit")
                p = export(*args, check=False)
                self.assertEqual(p.returncode, 2, p)
                self.assertEqual(p.stdout, "")
                self.assertEqual(SITE.count("audit"), n)

    def test_each_export_is_recorded_as_a_read(self):
        n = len(SITE.audit_xml("personal-data-read"))
        rows = len(export("--format", "sha256").stdout.splitlines()) - 1
        recs = SITE.audit_xml("personal-data-read")
        self.assertEqual(len(recs), n + 1)
        self.assertIn('<detail name="what">optouts-export</detail>', recs[-1])
        self.assertIn('<detail name="rows">%d</detail>' % rows, recs[-1])
        self.assertNotIn(self.email, recs[-1])

    def test_help_says_what_it_writes(self):
        p = export("--help")
        for words in ("csv", "sha256", "sha256-meta", "Google", "Meta",
                      "--since", "E.164", "erased",
                      "personal-data-read"):
            self.assertIn(words, p.stdout)


class AddressLimit(unittest.TestCase):
    """optout_limit_address counts the confirmations mailed to an address,
    with the other forms' mails (one bucket), and only those; over it the
    opt-out is still made, without its mail."""

    @classmethod
    def setUpClass(cls):
        cls.site = Site(config={"optout_limit_address": "1/hour",
                                "unsubscribe_limit_address": "1/hour",
                                "unsubscribe_confirmation": "yes"}).start()

    @classmethod
    def tearDownClass(cls):
        teardown(cls.site)

    def counts(self):
        return tuple(self.site.count(t) for t in
                     ("consent_record", "sale_opt_out", "outbox"))

    def test_over_the_limit_the_opt_out_is_kept_and_the_mail_withheld(self):
        # The limit guards the address's mailbox, not the opt-out, which
        # the law wants honoured at once: over it, the opt-out is stored
        # and the confirmation alone is left out, whoever used the share.
        site, to = self.site, address("limit")
        ok = site.post(FORM, {"optout": "yes", "email": to, "confirm": "yes"})
        self.assertEqual(ok.status, 303, ok)
        rec = site.audit_xml("sale-opt-out-identified")[-1]
        self.assertIn('<detail name="confirmation">requested</detail>', rec)
        before = self.counts()
        r = site.post(FORM, {"optout": "yes", "email": to.upper(),
                             "confirm": "yes"})
        self.assertEqual(r.status, 303, r)
        self.assertTrue(r.header("Location").endswith(FORM + "?done"))
        self.assertEqual(self.counts(), (before[0] + 1, before[1] + 1,
                                         before[2]))
        rec = site.audit_xml("sale-opt-out-identified")[-1]
        self.assertIn('<detail name="confirmation">withheld</detail>', rec)
        # The bucket is the other forms': the unsubscribe form is over too.
        r = site.post("/privacy/unsubscribe", {"channel": "email",
                                               "email": to, "confirm": "yes"})
        self.assertEqual(r.status, 429, r)

    def test_another_forms_mail_does_not_block_the_opt_out(self):
        site, to = self.site, address("other")
        r = site.post("/privacy/unsubscribe", {"channel": "email",
                                               "email": to, "confirm": "yes"})
        self.assertEqual(r.status, 303, r)
        before = self.counts()
        r = site.post(FORM, {"optout": "yes", "email": to, "confirm": "yes"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(self.counts(), (before[0] + 1, before[1] + 1,
                                         before[2]))


if __name__ == "__main__":
    unittest.main()
