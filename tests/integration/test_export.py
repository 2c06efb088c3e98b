"""Fulfilment from privforms's own data: `request export` and `request
erase`, and the suppression list that keeps an erased person from being
mailed, texted or called (`dnc check`, `unsubscribes check`).

The data is made through the public paths only: the unsubscribe and
Do-Not-Call forms, a data request submitted and verified through its mail
link, and `party link`.  Mail goes through the real SMTP server."""

import os
import re
import sqlite3
import stat
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

from harness import (POSTGRESQL, PRIVFORMS, Site, SRC, sqlite_only, request_submit, request_verify, key_away,
                     teardown, export_page, mail_site)

XSD = os.path.join(SRC, "etc", "request-export.xsd")
XSL = os.path.join(SRC, "etc", "request-export.xsl")
NS = "urn:privforms:export:1"
SYSTEMS = " CRM (Salesforce), billing ,, support desk "
ERASED = "Your personal data held by this service has been erased."
HOSTILE = '<b>"bold"</b> & more'
SMS_REASON = "texts at night"
SITE = None
PLAIN = None    # no erasure ever: the key-free fast path
SMTP = None


def setUpModule():
    global SITE, PLAIN, SMTP
    SITE, SMTP = mail_site(busy_timeout_ms="300", dnc_confirmation="yes",
                           personal_data_systems=SYSTEMS)
    PLAIN = Site().start()


def tearDownModule():
    teardown(SITE, PLAIN, SMTP)


def run(*args, site=None, **kw):
    return (site or SITE).privforms(*args, check=False, **kw)


def send_mail(site=None):
    """Send what is queued; return the messages the server received."""
    return (site or SITE).send_mail(SMTP)


def submit(address, kind="access", **extra):
    return request_submit(SITE, address, kind, **extra)


def verify(address):
    request_verify(SITE, SMTP, address)


def party_of(request_id):
    return SITE.query("SELECT party FROM request WHERE id = ?",
                      (request_id,))[0][0]


def make_person(tag, number):
    """Two addresses of one person, each with a verified request, linked;
    an email opt-out, an SMS opt-out and a Do-Not-Call entry.  The SMS
    opt-out is tied to the person only by the entry, which proves nothing
    about who owns the number: export and erasure leave it alone."""
    one = "%s.one@example.com" % tag
    two = "%s.two@example.org" % tag
    e164 = "+1" + re.sub(r"\D", "", number)
    for fields in ({"channel": "email", "email": one, "reason": HOSTILE},
                   {"channel": "sms", "phone": e164, "reason": SMS_REASON}):
        r = SITE.post("/privacy/unsubscribe", fields)
        assert r.status == 303, r
    r = SITE.post("/privacy/do-not-call", {
        "phone": number, "country": "US", "first_name": "Ada",
        "last_name": "Lovelace", "company": "Engines & Co", "email": one})
    assert r.status == 303, r
    first = submit(one, details="first " + HOSTILE)
    verify(one)
    second = submit(two, "deletion", first_name="Augusta")
    verify(two)
    p = run("party", "link", str(party_of(first)), str(party_of(second)))
    assert p.returncode == 0, p.stderr
    send_mail()     # the verified and team mails, out of the way
    return {"one": one, "two": two, "number": e164,
            "first": first, "second": second}


def export(request_id, *args):
    return run("request", "export", str(request_id), *args)


def schema_check(xml):
    v = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", XSD, "-"],
                       input=xml, capture_output=True, text=True)
    return v.returncode, v.stderr


def detail(xml, name):
    return re.search(r'<detail name="%s">([^<]*)</detail>' % name,
                     xml).group(1)


def pseudonym(kind, value):
    return run("pseudonym", "--" + kind, value).stdout.strip()


def without_digests(xml):
    """A record without its 64-hex-digit pseudonym and hashes, in which a
    number's last four digits turn up by chance (about one record in 300)."""
    return re.sub(r"\b[0-9a-f]{64}\b", "", xml)


class Export(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = make_person("export", "303 749 3110")
        r = export(cls.p["first"])
        assert r.returncode == 0, r.stderr
        cls.xml = r.stdout

    def test_package_is_valid_against_its_schema(self):
        rc, err = schema_check(self.xml)
        self.assertEqual(rc, 0, err)

    def test_package_names_its_stylesheet_first(self):
        self.assertTrue(self.xml.startswith('<?xml version="1.0" '
                                            'encoding="UTF-8"?>\n'
                                            '<?xml-stylesheet type="text/xsl" '
                                            'href="request-export.xsl"?>'),
                        self.xml[:200])
        root = ET.fromstring(self.xml.encode())
        self.assertEqual(root.tag, "{%s}data-export" % NS)
        self.assertEqual(root.get("version"), "1")

    def test_package_holds_the_request_it_answers(self):
        answers = self.xml.split("<answers>")[1].split("</answers>")[0]
        self.assertIn("<id>%d</id>" % self.p["first"], answers)
        self.assertIn("<type>access</type>", answers)
        self.assertIn("<law>GDPR</law>", answers)
        self.assertRegex(answers, r"<due>\d{4}-\d\d-\d\d</due>")

    def test_package_holds_both_linked_parties(self):
        parties = self.xml.split("<parties>")[1].split("</parties>")[0]
        self.assertIn("<email>%s</email>" % self.p["one"], parties)
        self.assertIn("<email>%s</email>" % self.p["two"], parties)
        self.assertEqual(parties.count("<first-seen>"), 2)

    def test_package_holds_the_opt_outs_escaped(self):
        optouts = self.xml.split("<opt-outs>")[1].split("</opt-outs>")[0]
        self.assertIn("<address>%s</address>" % self.p["one"], optouts)
        self.assertIn("&lt;b&gt;", optouts)
        self.assertNotIn("<b>", self.xml)
        reasons = ET.fromstring(self.xml.encode()).findall(
            ".//e:opt-out/e:reason", {"e": NS})
        self.assertEqual([r.text for r in reasons], [HOSTILE])

    def test_sms_opt_out_of_the_registered_number_is_not_exported(self):
        optouts = self.xml.split("<opt-outs>")[1].split("</opt-outs>")[0]
        self.assertNotIn("<address>%s</address>" % self.p["number"], optouts)
        self.assertNotIn("<channel>sms</channel>", self.xml)
        self.assertNotIn(SMS_REASON, self.xml)
        self.assertEqual(SITE.query("SELECT count(*) FROM optout WHERE "
                                    "channel = 'sms' AND address = ?",
                                    (self.p["number"],))[0][0], 1)

    def test_package_holds_the_do_not_call_entry(self):
        dnc = self.xml.split("<do-not-call>")[1].split("</do-not-call>")[0]
        self.assertIn("<number>%s</number>" % self.p["number"], dnc)
        self.assertIn("<first-name>Ada</first-name>", dnc)
        self.assertIn("<company>Engines &amp; Co</company>", dnc)
        self.assertIn("<country>US</country>", dnc)

    def test_package_holds_every_request_with_its_history(self):
        reqs = self.xml.split("<requests>")[1].split("</requests>")[0]
        self.assertIn("<id>%d</id>" % self.p["first"], reqs)
        self.assertIn("<id>%d</id>" % self.p["second"], reqs)
        self.assertIn("<first-name>Augusta</first-name>", reqs)
        self.assertIn("<type>deletion</type>", reqs)
        self.assertIn("<details>first &lt;b&gt;", reqs)
        self.assertEqual(reqs.count("<history>"), 2)
        self.assertEqual(reqs.count("<status>unverified</status>"), 2)
        self.assertEqual(reqs.count("<status>verified</status>"), 4)

    def test_package_names_the_other_systems(self):
        where = self.xml.split("<elsewhere>")[1].split("</elsewhere>")[0]
        self.assertEqual(re.findall(r"<system>([^<]*)</system>", where),
                         ["CRM (Salesforce)", "billing", "support desk"])
        self.assertIn("answered separately", where)

    def test_times_are_utc_as_stored(self):
        stored = SITE.query("SELECT received FROM request WHERE id = ?",
                            (self.p["first"],))[0][0]
        self.assertIn("<received>%s</received>" % stored, self.xml)
        self.assertRegex(stored, r"Z$")

    def test_the_stylesheet_renders_a_readable_page(self):
        r = export_page(self.xml)
        self.assertEqual(r.returncode, 0, r.stderr)
        page = r.stdout
        for heading in ("The request this answers", "Your email addresses",
                        "Marketing opt-outs", "Do-Not-Call register",
                        "Your privacy requests",
                        "Personal data held elsewhere"):
            self.assertIn("<h2>%s</h2>" % heading, page)
        self.assertIn(self.p["one"], page)
        self.assertIn(self.p["number"], page)
        self.assertIn("Delete my personal data", page)
        self.assertIn("&lt;b&gt;", page)
        self.assertNotIn("<b>", page)
        self.assertNotRegex(page, r'(src|href)="(https?:)?//')

    def test_export_is_audited_without_personal_data(self):
        before = len(SITE.audit_xml("request-exported"))
        self.assertEqual(export(self.p["first"]).returncode, 0)
        recs = SITE.audit_xml("request-exported")
        self.assertEqual(len(recs), before + 1)
        xml = recs[-1]
        self.assertEqual(detail(xml, "request"), str(self.p["first"]))
        self.assertEqual(detail(xml, "parties"), "2")
        self.assertEqual(detail(xml, "opt-outs"), "1")
        self.assertEqual(detail(xml, "dnc-entries"), "1")
        self.assertEqual(detail(xml, "requests"), "2")
        self.assertIn("<subject>%s</subject>" % pseudonym(
            "email", self.p["one"]), xml)
        for secret in ("export.", "3110", "Ada", "Augusta"):
            self.assertNotIn(secret, without_digests(xml))
        self.assertEqual(run("audit", "verify").returncode, 0)

    def test_the_other_partys_request_gives_the_same_individual(self):
        r = export(self.p["second"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("<email>%s</email>" % self.p["one"], r.stdout)

    def test_output_is_a_new_file_of_mode_0600_never_overwritten(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "package.xml")
            r = export(self.p["first"], "--output", path)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            with open(path) as f:
                written = f.read()
            self.assertEqual(schema_check(written)[0], 0)
            self.assertIn(self.p["one"], written)
            n = len(SITE.audit_xml("request-exported"))
            again = export(self.p["first"], "--output", path)
            self.assertEqual(again.returncode, 1)
            self.assertIn("exists", again.stderr)
            with open(path) as f:
                self.assertEqual(f.read(), written)
            self.assertEqual(len(SITE.audit_xml("request-exported")), n)
            missing = os.path.join(d, "no", "such", "dir.xml")
            self.assertEqual(export(self.p["first"], "--output",
                                    missing).returncode, 1)

    @sqlite_only("SQLite's write lock (BEGIN IMMEDIATE) keeping the record from committing")
    def test_output_holds_nothing_before_the_export_is_recorded(self):
        # Another writer holds the database's write lock, so the record
        # cannot commit (busy_timeout_ms is 300 here): all the while the
        # file must hold no personal data, and it goes with the failure.
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "package.xml")
            n = len(SITE.audit_xml("request-exported"))
            con = sqlite3.connect(SITE.db_path, isolation_level=None)
            con.execute("BEGIN IMMEDIATE")
            seen = 0
            try:
                p = subprocess.Popen(
                    [PRIVFORMS, "--config", SITE.conf, "request", "export",
                     str(self.p["first"]), "--output", path],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                while True:
                    try:
                        seen = max(seen, os.path.getsize(path))
                    except FileNotFoundError:
                        pass
                    try:
                        p.wait(timeout=0.002)
                        break
                    except subprocess.TimeoutExpired:
                        continue
                _, err = p.communicate(timeout=60)
            finally:
                con.execute("ROLLBACK")
                con.close()
            self.assertEqual(p.returncode, 1, err)
            self.assertEqual(seen, 0)
            self.assertFalse(os.path.exists(path))
            self.assertEqual(len(SITE.audit_xml("request-exported")), n)
            # The lock gone, the same export is recorded and written.
            self.assertEqual(export(self.p["first"], "--output",
                                    path).returncode, 0)
            self.assertEqual(len(SITE.audit_xml("request-exported")), n + 1)
            self.assertGreater(os.path.getsize(path), 0)

    def test_an_unverified_request_is_refused(self):
        rid = submit("export.unverified@example.com")
        n = SITE.count("audit")
        r = export(rid)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertIn("unverified", r.stderr)
        self.assertEqual(SITE.count("audit"), n)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "package.xml")
            self.assertEqual(export(rid, "--output", path).returncode, 1)
            self.assertFalse(os.path.exists(path))

    def test_bad_ids_and_usage(self):
        for args, status in ((["999999"], 1), (["abc"], 1), (["0"], 1),
                             ([], 2), (["1", "2"], 2), (["--output"], 2),
                             (["-1"], 2)):
            r = run("request", "export", *args)
            self.assertEqual(r.returncode, status, (args, r.stderr))
            self.assertEqual(r.stdout, "")

    def test_help_says_the_stylesheet_must_sit_beside_the_file(self):
        r = run("request", "export", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("request-export.xsl", r.stdout)
        self.assertIn("same directory", r.stdout)


class Erase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = p = make_person("erase", "303 749 3120")
        # A note the team wrote that names the person, which goes too.
        r = run("request", "extend", str(p["second"]), "--reason",
                "Ada Lovelace's records are archived.")
        assert r.returncode == 0, r.stderr
        send_mail()
        # A message still queued to the person, which the erasure forgets.
        r = SITE.post("/privacy/do-not-call", {
            "phone": "303 749 3120", "country": "US", "email": p["one"]})
        assert r.status == 303, r
        # Someone else, who must be left alone.
        r = SITE.post("/privacy/unsubscribe", {"channel": "email",
                                               "email": "bystander@example.com"})
        assert r.status == 303, r
        if not POSTGRESQL:
            with SITE.locked():
                cls.locked = run("request", "erase", str(p["first"]))
        cls.before = SITE.count("audit")
        cls.result = run("request", "erase", str(p["first"]))
        cls.after = SITE.count("audit")
        assert cls.result.returncode == 0, cls.result.stderr

    def keys(self):
        return [self.p["one"], self.p["two"]]

    @sqlite_only("the busy lock: another writer holding the database file")
    def test_a_locked_database_erases_nothing(self):
        self.assertEqual(self.locked.returncode, 1)

    def test_it_says_what_was_erased(self):
        out = self.result.stdout
        self.assertIn("request %d" % self.p["first"], out)
        self.assertIn("2 parties", out)
        self.assertIn("1 opt-out", out)
        self.assertIn("1 Do-Not-Call entry", out)
        self.assertNotIn("SMS", out)
        self.assertIn("fulfilled", out)

    def test_opt_outs_and_dnc_entries_are_gone(self):
        for addr in self.keys():
            self.assertEqual(SITE.query("SELECT count(*) FROM optout WHERE "
                                        "address = ?", (addr,))[0][0], 0, addr)
        self.assertEqual(SITE.query("SELECT count(*) FROM dnc WHERE number = ? "
                                    "OR email IN (?, ?)", (self.p["number"],
                                    *self.keys()))[0][0], 0)

    def test_the_sms_opt_out_of_the_registered_number_stays(self):
        rows = SITE.query("SELECT channel, reason FROM optout WHERE "
                          "address = ?", (self.p["number"],))
        self.assertEqual(rows, [("sms", SMS_REASON)])

    def test_history_notes_are_blanked(self):
        self.assertEqual(SITE.query("SELECT count(*) FROM request_event "
                                    "WHERE request = ? AND status = "
                                    "'extended'", (self.p["second"],))[0][0],
                         1)
        for rid in (self.p["first"], self.p["second"]):
            notes = SITE.query("SELECT note FROM request_event WHERE "
                               "request = ? AND status != 'fulfilled'",
                               (rid,))
            self.assertTrue(notes)
            self.assertEqual(set(notes), {(None,)}, rid)

    def test_requests_keep_no_personal_field(self):
        for rid in (self.p["first"], self.p["second"]):
            row = SITE.query("SELECT organisation, first_name, last_name, "
                             "email, email_key, details, subject, due, law "
                             "FROM request WHERE id = ?", (rid,))[0]
            self.assertEqual(row[:6], (None,) * 6, rid)
            self.assertRegex(row[6], r"^[0-9a-f]{64}$")
            self.assertIsNotNone(row[7])

    def test_parties_keep_no_address(self):
        for rid in (self.p["first"], self.p["second"]):
            self.assertIsNone(SITE.query(
                "SELECT email FROM party WHERE id = ?",
                (party_of(rid),))[0][0])

    def test_the_bystander_is_untouched(self):
        self.assertEqual(SITE.query("SELECT count(*) FROM optout WHERE "
                                    "address = 'bystander@example.com'")[0][0],
                         1)

    def test_suppression_holds_the_pseudonyms(self):
        rows = set(SITE.query("SELECT kind, hash, channel FROM suppression"))
        mail = pseudonym("email", self.p["one"])
        phone = pseudonym("phone", self.p["number"])
        self.assertIn(("email", mail, "email"), rows)
        self.assertIn(("phone", phone, "call"), rows)
        # The SMS opt-out was left as it is: it still answers for itself.
        self.assertNotIn(("phone", phone, "sms"), rows)
        # The second address had no opt-out: nothing to suppress.
        self.assertNotIn(("email", pseudonym("email", self.p["two"]), "email"),
                         rows)

    def test_dnc_check_still_answers_registered(self):
        r = run("dnc", "check", "(303) 749-3120")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("%s registered (erased entry)" % self.p["number"],
                      r.stdout)
        self.assertEqual(run("dnc", "check", "303 749 3121").returncode, 1)

    def test_unsubscribes_check_still_answers_opted_out(self):
        r = run("unsubscribes", "check", "Erase.One@Example.COM")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("opted out (erased entry)", r.stdout)
        for addr in ("bystander@example.com", "+1 303 749 3120"):
            r = run("unsubscribes", "check", addr)
            self.assertEqual(r.returncode, 0, (addr, r.stderr))
            self.assertIn("opted out since", r.stdout)
        for addr in ("unrelated@example.com", self.p["two"], "303 749 3121"):
            r = run("unsubscribes", "check", addr)
            self.assertEqual(r.returncode, 1, (addr, r.stderr))
            self.assertIn("not opted out", r.stdout)
        for bad in (["no-at-sign@"], ["12"], ["a@b.c", "x"], []):
            self.assertEqual(run("unsubscribes", "check", *bad).returncode,
                             2, bad)

    def test_an_unreadable_key_is_an_error_never_a_no(self):
        with key_away(SITE):
            erased = run("dnc", "check", "303 749 3120")
            unknown = run("dnc", "check", "303 749 3122")
            mail = run("unsubscribes", "check", "unrelated@example.com")
        self.assertEqual(erased.returncode, 2, erased.stdout)
        self.assertEqual(unknown.returncode, 2, unknown.stdout)
        self.assertEqual(mail.returncode, 2, mail.stdout)
        self.assertIn("secret.key", erased.stderr)
        self.assertNotIn("not registered", erased.stdout + unknown.stdout)

    def test_the_request_is_fulfilled_with_the_note(self):
        status = SITE.query("SELECT status FROM request WHERE id = ?",
                            (self.p["first"],))[0][0]
        self.assertEqual(status, "fulfilled")
        last = SITE.query("SELECT status, note FROM request_event WHERE "
                          "request = ? ORDER BY seq DESC LIMIT 1",
                          (self.p["first"],))[0]
        self.assertEqual(last, ("fulfilled", ERASED))

    def test_queued_messages_to_the_person_are_forgotten(self):
        rows = SITE.query("SELECT template FROM outbox WHERE state IN "
                          "('queued', 'failed') AND recipient LIKE 'erase.%'")
        self.assertEqual([r[0] for r in rows if r[0] != "request-fulfilled"],
                         [])

    def test_the_fulfilled_mail_reaches_the_address_given(self):
        msgs = [m for m in send_mail() if m["To"] == self.p["one"]]
        self.assertEqual(len(msgs), 1)
        self.assertIn("is done", msgs[0]["Subject"])
        self.assertIn(ERASED, msgs[0].get_content())

    def test_audit_records_say_what_was_done_without_personal_data(self):
        erased = SITE.audit_xml("request-erased")[-1]
        self.assertEqual(detail(erased, "request"), str(self.p["first"]))
        self.assertEqual(detail(erased, "parties"), "2")
        self.assertEqual(detail(erased, "opt-outs"), "1")
        self.assertEqual(detail(erased, "dnc-entries"), "1")
        self.assertNotIn("sms-opt-outs", erased)
        self.assertEqual(detail(erased, "requests"), "2")
        self.assertEqual(detail(erased, "messages"), "1")
        self.assertIn("<subject>%s</subject>" % pseudonym(
            "email", self.p["one"]), erased)
        fulfilled = SITE.audit_xml("request-fulfilled")[-1]
        self.assertIn("<subject>", fulfilled)
        for xml in (erased, fulfilled):
            for secret in ("erase.", "3120", "Ada", "Augusta"):
                self.assertNotIn(secret, without_digests(xml))
        self.assertEqual(run("audit", "verify").returncode, 0)

    def test_the_audit_trail_is_kept_and_grows_by_two_records(self):
        self.assertEqual(self.after, self.before + 2)
        seqs = [r[0] for r in SITE.query("SELECT seq FROM audit ORDER BY seq")]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)))

    def test_the_export_after_erasure_holds_no_personal_data(self):
        r = export(self.p["first"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(schema_check(r.stdout)[0], 0)
        for secret in ("erase.", "3120", "Ada", "Lovelace", "Augusta",
                       "Engines", "bold"):
            self.assertNotIn(secret, r.stdout)
        self.assertNotIn("<opt-out>", r.stdout)
        self.assertNotIn("<entry>", r.stdout)

    def test_erasing_again_or_an_unverified_request_is_refused(self):
        rid = submit("unverified.eraser@example.com")
        n = SITE.count("audit")
        again = run("request", "erase", str(self.p["first"]))
        self.assertEqual(again.returncode, 1)
        self.assertIn("fulfilled", again.stderr)
        r = run("request", "erase", str(rid))
        self.assertEqual(r.returncode, 1)
        self.assertIsNotNone(SITE.query("SELECT email FROM request WHERE "
                                        "id = ?", (rid,))[0][0])
        for args, status in ((["999999"], 1), (["x"], 1), ([], 2),
                             (["1", "2"], 2)):
            self.assertEqual(run("request", "erase", *args).returncode,
                             status, args)
        self.assertEqual(SITE.count("audit"), n)


COOKIE_DEVICE = re.compile(r"^pf_consent=(v=1&d=([A-Za-z0-9_-]{22})&[^;]*);")


def opt_out_of_sale(fields, cookie=None):
    """An opt-out on /privacy/opt-out: (its pf_consent value, device id)."""
    r = SITE.post("/privacy/opt-out", dict(optout="yes", **fields),
                  headers={"Cookie": "pf_consent=" + cookie} if cookie else {})
    assert r.status == 303, r
    m = COOKIE_DEVICE.match(r.header("Set-Cookie"))
    return m.group(1), m.group(2)


class SaleOptOut(unittest.TestCase):
    """Opt-outs of sale made with a person's address: in the package with
    the consent records of the browsers they were made in, and erased
    into a suppression entry that keeps them in force."""

    @classmethod
    def setUpClass(cls):
        cls.one = "sale.one@example.com"
        rid = submit(cls.one)
        verify(cls.one)
        send_mail()
        cls.rid = rid
        # Browser A: a consent choice, then an opt-out with the address
        # (typed as people do), then one with a number; browser B: one
        # more with the address; browser C: someone else.
        r = SITE.post("/privacy/consent", {"choice": "accept"})
        assert r.status == 303, r
        a = COOKIE_DEVICE.match(r.header("Set-Cookie")).group(1)
        a, cls.dev_a = opt_out_of_sale({"email": " Sale.One@Example.COM "}, a)
        opt_out_of_sale({"phone": "303 749 3140"}, a)
        _, cls.dev_b = opt_out_of_sale({"email": cls.one})
        _, cls.dev_c = opt_out_of_sale({"email": "sale.other@example.com"})
        cls.records = SITE.query(
            "SELECT count(*) FROM consent_record WHERE device IN (?, ?)",
            (cls.dev_a, cls.dev_b))[0][0]
        r = export(rid)
        assert r.returncode == 0, r.stderr
        cls.xml = r.stdout
        cls.exported = SITE.audit_xml("request-exported")[-1]
        cls.erase = run("request", "erase", str(rid))
        assert cls.erase.returncode == 0, cls.erase.stderr
        cls.after = run("optouts", "export")

    def test_the_package_holds_them_and_their_browsers_records(self):
        self.assertEqual(schema_check(self.xml), (0, "- validates\n"))
        root = ET.fromstring(self.xml.encode())
        ns = {"e": NS}
        sales = root.findall("e:sale-opt-outs/e:opt-out", ns)
        self.assertEqual([(o.find("e:address", ns).text,
                           o.find("e:device", ns).text) for o in sales],
                         [(self.one, self.dev_a), (self.one, self.dev_b)])
        devices = [r.find("e:device", ns).text for r in
                   root.findall("e:consent-records/e:record", ns)]
        self.assertEqual(len(devices), self.records)
        self.assertEqual(set(devices), {self.dev_a, self.dev_b})
        self.assertGreaterEqual(self.records, 4)
        self.assertNotIn("+13037493140", self.xml)
        self.assertNotIn("sale.other", self.xml)
        self.assertNotIn(self.dev_c, self.xml)
        self.assertEqual(detail(self.exported, "sale-opt-outs"), "2")
        self.assertEqual(detail(self.exported, "consent-records"),
                         str(self.records))
        page = export_page(self.xml)
        self.assertEqual(page.returncode, 0, page.stderr)
        self.assertIn("Opt-outs of the sale and sharing", page.stdout)

    def test_erasure_keeps_the_opt_out_as_a_pseudonym_only(self):
        self.assertIn("2 opt-outs of sale", self.erase.stdout)
        self.assertEqual(SITE.query("SELECT count(*) FROM sale_opt_out "
                                    "WHERE address = ?", (self.one,))[0][0], 0)
        self.assertIn(("email", pseudonym("email", self.one), "sale"),
                      set(SITE.query("SELECT kind, hash, channel "
                                     "FROM suppression")))
        erased = SITE.audit_xml("request-erased")[-1]
        self.assertEqual(detail(erased, "sale-opt-outs"), "2")
        self.assertNotIn("sale.one", erased)
        # The number and the other person's stay; the records stay as
        # evidence, tied to no one now.
        left = SITE.query("SELECT address FROM sale_opt_out")
        self.assertIn(("+13037493140",), left)
        self.assertIn(("sale.other@example.com",), left)
        self.assertEqual(SITE.query(
            "SELECT count(*) FROM consent_record WHERE device IN (?, ?)",
            (self.dev_a, self.dev_b))[0][0], self.records)

    def test_optouts_export_leaves_the_erased_out_and_says_so(self):
        self.assertEqual(self.after.returncode, 0, self.after.stderr)
        self.assertNotIn("sale.one", self.after.stdout)
        self.assertIn("sale.other@example.com", self.after.stdout)
        self.assertIn("1 erased person's opt-out is kept only as keyed "
                      "hashes", self.after.stderr)
        r = export(self.rid)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("sale.one", r.stdout)
        self.assertNotIn("<record>", r.stdout)

    def test_the_contact_lists_do_not_count_it_as_theirs(self):
        # unsubscribes export and dnc export say how many erased entries
        # of their channels (email, SMS, calls) they leave out: an opt-out
        # of sale is none of them, and never was in either list.
        theirs = SITE.query("SELECT count(*) FROM suppression "
                            "WHERE channel <> 'sale'")[0][0]
        for args in (("unsubscribes", "export"), ("dnc", "export")):
            with self.subTest(args=args):
                p = run(*args)
                self.assertEqual(p.returncode, 0, p.stderr)
                m = re.search(r": (\d+) erased entr", p.stderr)
                self.assertEqual(int(m[1]) if m else 0, theirs, p.stderr)


class SaleOptOutAgain(unittest.TestCase):
    """An erased person who opts out of sale again with the same address
    is in optouts export once more, and not also counted as left out."""

    def test_the_new_opt_out_is_exported_and_not_counted_as_erased(self):
        again = "sale.again@example.com"
        rid = submit(again, "deletion")
        verify(again)
        send_mail()
        opt_out_of_sale({"email": again})
        p = run("request", "erase", str(rid))
        self.assertEqual(p.returncode, 0, p.stderr)
        send_mail()
        erased = SITE.query("SELECT count(*) FROM suppression "
                            "WHERE channel = 'sale'")[0][0]
        p = run("optouts", "export")
        self.assertNotIn(again, p.stdout)
        m = re.search(r": (\d+) erased", p.stderr)
        self.assertEqual(int(m[1]) if m else 0, erased, p.stderr)
        opt_out_of_sale({"email": again})
        p = run("optouts", "export")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(again, p.stdout)
        m = re.search(r": (\d+) erased", p.stderr)
        self.assertEqual(int(m[1]) if m else 0, erased - 1, p.stderr)


class MultiLine(unittest.TestCase):
    """What a textarea takes may span lines, and the package stays valid."""

    def test_multi_line_reason_and_details_make_a_valid_package(self):
        addr = "multi.line@example.com"
        reason = "Too many mails.\r\nAnd one more line."
        details = "Line one.\r\nLine two & <three>."
        r = SITE.post("/privacy/unsubscribe", {"channel": "email",
                                               "email": addr,
                                               "reason": reason})
        self.assertEqual(r.status, 303, r)
        rid = submit(addr, details=details)
        verify(addr)
        r = export(rid)
        self.assertEqual(r.returncode, 0, r.stderr)
        rc, err = schema_check(r.stdout)
        self.assertEqual(rc, 0, err)
        root = ET.fromstring(r.stdout.encode())
        got = root.find(".//e:opt-out/e:reason", {"e": NS}).text
        self.assertEqual(got.replace("\r\n", "\n"),
                         "Too many mails.\nAnd one more line.")
        got = root.find(".//e:request/e:details", {"e": NS}).text
        self.assertEqual(got.replace("\r\n", "\n"),
                         "Line one.\nLine two & <three>.")


class FastPath(unittest.TestCase):
    """A site that never erased anything answers without its key."""

    def test_checks_need_no_key_while_nothing_is_suppressed(self):
        r = PLAIN.post("/privacy/unsubscribe", {"channel": "email",
                                                "email": "fast@example.com"})
        self.assertEqual(r.status, 303, r)
        with key_away(PLAIN):
            yes = run("unsubscribes", "check", "Fast@Example.com", site=PLAIN)
            no = run("unsubscribes", "check", "slow@example.com", site=PLAIN)
            dnc = run("dnc", "check", "303 749 3130", site=PLAIN)
        self.assertEqual(yes.returncode, 0, yes.stderr)
        self.assertEqual(no.returncode, 1, no.stderr)
        self.assertEqual(dnc.returncode, 1, dnc.stderr)


if __name__ == "__main__":
    unittest.main()
