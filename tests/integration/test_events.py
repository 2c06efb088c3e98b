"""test_events.py -- every audit event, and nothing typed in the trail.

One site runs every event of lib/audit_events.def through the forms, the
command line and the mail sender, each step typing addresses, numbers,
names and free text (TYPED).  Then: every event of the table was written
(a table row no step triggers fails the test), the whole trail is valid
against etc/audit.xsd (xmllint, the auditor's tool) and passes `privforms
audit verify`, and none of what was typed is in a record file or in the
database's audit table.  Also: admin records name the operator, the bulk
reads of personal data each leave one record, `dnc remove` takes a code
and a ticket that matches audit_ticket_pattern, and AUDIT.md's event
table is the table's.
"""
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import (POSTGRESQL, PRIVFORMS, SRC, address, mail_site,
                     pg_server, request_submit, request_verify, stamp_of,
                     teardown, token_craft)

DEF = os.path.join(SRC, "lib", "audit_events.def")
XSD = os.path.join(SRC, "etc", "audit.xsd")
AUDIT_MD = os.path.join(SRC, "AUDIT.md")
TICKETS = "OPS-[0-9]{1,6}"

SITE = None
SMTP = None
TYPED = []          # every address, number, name and text the steps typed
WRITTEN = {}        # event -> the step that triggered it
RID = None          # a request that was verified, extended and fulfilled


def table():
    """(event, form) of each PF_AUDIT_EVENT row, in order."""
    with open(DEF) as f:
        return re.findall(r'^PF_AUDIT_EVENT\("([^"]+)", "([^"]+)"', f.read(),
                          re.M)


def typed(*values):
    TYPED.extend(values)
    return values[0]


def cli(*args, env=None, check=True):
    e = dict(os.environ, **(env or {}))
    p = subprocess.run([PRIVFORMS, "--config", SITE.conf] + list(args),
                       capture_output=True, text=True, env=e, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError("privforms %s: %s" % (" ".join(args), p.stderr))
    return p


def records(event):
    """The details of each record of event, as dicts, oldest first."""
    out = []
    for xml in SITE.audit_xml(event):
        d = dict(re.findall(r'<detail name="([^"]+)">([^<]*)</detail>', xml))
        d["_form"] = re.search(r"<form>([^<]*)</form>", xml).group(1)
        out.append(d)
    return out


# ---- the steps: each triggers the events it names ----

def forms_unsubscribe():
    to = typed(address("events-unsub"))
    r = SITE.post("/privacy/unsubscribe",
                  {"channel": "email", "email": to, "confirm": "yes"})
    assert r.status == 303, r


def forms_dnc():
    typed("303 749 2201", "+13037492201", "3037492201", "7492201")
    owner = typed(address("events-dnc-owner"))
    r = SITE.post("/privacy/do-not-call", {
        "phone": "303 749 2201", "country": "US", "email": owner,
        "first_name": typed("Grace"), "last_name": typed("Hopperfield"),
        "company": typed("Cobol Widgets")})
    assert r.status == 303, r
    r = SITE.post("/privacy/do-not-call?check",
                  {"check_phone": "303 749 2201", "check_country": "US"})
    assert r.status == 303, r


def forms_requests():
    """request-received, -revised, -verified, -repeated; its ids."""
    to = typed(address("events-request"))
    first = dict(first_name=typed("Katherine"), last_name=typed("Johnsonia"),
                 details=typed("Please send everything about my account"))
    rid = request_submit(SITE, to, **first)
    request_submit(SITE, to, **first)                     # revised
    request_verify(SITE, SMTP, to)
    request_submit(SITE, to, **first)                     # repeated
    return rid


def forms_agents():
    """request-agent-confirmed and -refused: two requests an agent made
    (lib/agent.h), one the person confirms and one they refuse."""
    for answer in ("confirm", "refuse"):
        to = typed(address("events-agent-person"))
        rid = request_submit(SITE, to, country="US", state="CA",
                             on_behalf="agent",
                             agent_name=typed("Bartholomew Agentsworth"),
                             agent_email=typed(address("events-agent")),
                             agent_relationship="power-of-attorney")
        [body] = [m.get_content() for m in SITE.send_mail(SMTP)
                  if m["To"] == to]
        t = re.search(r"/privacy/request/verify\?t=(\S+)", body).group(1)
        r = SITE.post("/privacy/request/verify", {"t": t, "answer": answer})
        assert r.status == 303, (rid, r)


def verified(kind="access", **extra):
    to = typed(address("events-" + kind))
    rid = request_submit(SITE, to, kind=kind,
                         first_name=typed("Dorothy"),
                         last_name=typed("Vaughanstein"), **extra)
    request_verify(SITE, SMTP, to)
    return rid


def forms_feedback():
    r = SITE.post("/privacy/feedback", {
        "type": "compliment", "rating": "great",
        "message": typed("Lovely site, call me on 020 7946 0321")})
    assert r.status == 303, r
    t = re.search(r"t=([A-Za-z0-9_.-]+)", r.header("location")).group(1)
    r = SITE.post("/privacy/feedback", {
        "type": "complaint", "rating": "bad", "t": t,
        "message": typed("Second thoughts from Ada Byronson")})
    assert r.status == 303, r
    t = re.search(r"t=([A-Za-z0-9_.-]+)", r.header("location")).group(1)
    r = SITE.post("/privacy/feedback?step=2", {
        "t": t, "email": typed(address("events-feedback")),
        "recommend": "7"})
    assert r.status in (200, 303), r
    r = SITE.request("POST", "/privacy/feedback/article",
                     body=b"article=reset-password&helpful=yes",
                     headers={"Content-Type":
                              "application/x-www-form-urlencoded"})
    assert r.status in (200, 303), r


def mail():
    """mail-sent for what is queued, then mail-failed for one refused."""
    SITE.send_mail(SMTP)
    refused = typed(address("events-refused"))
    SMTP.rcpt_replies[refused] = "550 5.1.1 no such user"
    r = SITE.post("/privacy/unsubscribe",
                  {"channel": "email", "email": refused, "confirm": "yes"})
    assert r.status == 303, r
    p = cli("mail", "run", "--once", check=False)
    assert re.search(r": failed ", p.stderr), p.stderr


def admin_requests(rid):
    cli("request", "extend", str(rid), "--reason",
        typed("Waiting for Grace's archive in Leeds"))
    with tempfile.TemporaryDirectory() as d:
        cli("request", "export", str(rid), "--output",
            os.path.join(d, "package.xml"))
    cli("request", "fulfil", str(rid), "--note",
        typed("Sent by post to 12 Acacia Avenue"))
    cli("request", "deny", str(verified()), "--reason",
        "identity-not-verified", "--note",
        typed("Identity of Mr Smithers not proven"))
    cli("request", "erase", str(verified("deletion")))
    a, b = verified(), verified()
    pa, pb = (SITE.query("SELECT party FROM request WHERE id = ?", (i,))[0][0]
              for i in (a, b))
    cli("party", "link", str(pa), str(pb))


def appeals():
    """Two Texas requests denied, each appealed from its status link with
    typed words, one appeal granted and one denied."""
    for decision in (["--grant"], ["--deny", "--reason", "no-data-held"]):
        rid = verified(country="US", state="TX")
        cli("request", "deny", str(rid), "--reason", "no-data-held")
        t = token_craft(SITE, "dsr-status", int(time.time()) + 3600,
                        str(rid))
        page = SITE.get("/privacy/request/appeal?t=" + t)
        assert page.status == 200, page
        r = SITE.post("/privacy/request/appeal",
                      {"t": t, "pf_stamp": stamp_of(page.text),
                       "reason": typed("Ask Mr Featherstonehaugh in Leeds")},
                      stamp=False)
        assert r.status == 303, r
        cli("request", "appeal-decide", str(rid), *decision)


def forms_consent():
    r = SITE.post("/privacy/consent", {"choice": "reject"})
    assert r.status == 303, r


def forms_optout():
    r = SITE.post("/privacy/opt-out", {
        "optout": "yes", "email": typed(address("events-optout"))})
    assert r.status == 303, r


def forms_preferences():
    """The preference center: a signup with double opt-in and its
    confirmation, one without, and a list dropped on the page."""
    to = typed(address("events-pref"))
    stamp = SITE.stamp("/privacy/preferences")
    for lst in ("news", "events"):
        r = SITE.post("/privacy/preferences/subscribe",
                      {"address": to, "list": lst}, stamp=stamp)
        assert r.status == 303, r
    [(asked,)] = SITE.query("SELECT requested FROM subscription WHERE "
                            "address = ? AND list = 'news'", (to.lower(),))
    soon = int(time.time()) + 600
    t = token_craft(SITE, "sub-confirm", soon, "email", to.lower(), "news",
                    asked, "en")
    r = SITE.post("/privacy/preferences/confirm", {"t": t}, stamp=False)
    assert r.status == 303, r
    t = token_craft(SITE, "pref", soon, "email", to.lower(), "en")
    r = SITE.post("/privacy/preferences", {"t": t, "list-news": "yes"},
                  stamp=False)
    assert r.status == 303, r


def admin_dnc():
    typed("303 749 2202", "+13037492202", "7492202")
    r = SITE.post("/privacy/do-not-call",
                  {"phone": "303 749 2202", "country": "US"})
    assert r.status == 303, r
    cli("dnc", "remove", "303 749 2202", "--reason", "number-reassigned",
        "--ticket", "OPS-4712")


def admin_purge():
    """dnc-purged, request-expired, vote-clients-forgotten, consent-purged,
    requests-reduced: one purge of rows aged by hand (the purge goes by the
    stored times; a consent record is never updated, so an aged copy is
    inserted; a request closed long ago has an old updated)."""
    typed("303 749 2203", "+13037492203", "7492203")
    r = SITE.post("/privacy/do-not-call",
                  {"phone": "303 749 2203", "country": "US"})
    assert r.status == 303, r
    old = "2000-01-01T00:00:00.000000Z"
    SITE.write("UPDATE dnc SET created = ?, updated = ? WHERE number = ?",
               (old, old, "+13037492203"))
    rid = request_submit(SITE, typed(address("events-expired")),
                         first_name=typed("Hedy"), last_name=typed("Lamarrow"))
    SITE.write("UPDATE request SET verify_by = ? WHERE id = ?", (old, rid))
    closed = verified()
    cli("request", "deny", str(closed), "--reason", "no-data-held")
    SITE.write("UPDATE request SET updated = ? WHERE id = ?", (old, closed))
    SITE.write("UPDATE article_vote SET created = ?", (old,))
    assert SITE.post("/privacy/consent", {"choice": "reject"}).status == 303
    SITE.write("INSERT INTO consent_record (device, notice, language, "
               "allowed, refused, action, method, gpc, jurisdiction, created) "
               "SELECT device, notice, language, allowed, refused, action, "
               "method, gpc, jurisdiction, ? FROM consent_record "
               "ORDER BY id DESC LIMIT 1", (old,))
    cli("purge")


def party_of(rid):
    return SITE.query("SELECT party FROM request WHERE id = ?", (rid,))[0][0]


def admin_reads(rid):
    cli("unsubscribes", "export")
    cli("dnc", "export")
    cli("consent", "export")
    cli("optouts", "export")
    cli("feedback", "list")
    cli("request", "show", str(rid))
    cli("party", "show", str(party_of(rid)))
    if not POSTGRESQL:      # privforms backup says to use pg_dump
        with tempfile.TemporaryDirectory() as d:
            cli("backup", os.path.join(d, "copy.db"))


def admin_rotate():
    cli("audit", "key", "rotate")


def admin_restore():
    """INSTALL's restore, in short: a backup, a submission after it, the
    stack stopped, the backup put back, and the stack's start (which runs
    privforms init) takes the trail up again."""
    with tempfile.TemporaryDirectory() as d:
        copy = os.path.join(d, "copy.db")
        if POSTGRESQL:      # privforms backup says to use pg_dump
            pg_server().dump(SITE.db_name, copy)
        else:
            cli("backup", copy)
        to = typed(address("events-after-backup"))
        r = SITE.post("/privacy/unsubscribe", {"channel": "email", "email": to})
        assert r.status == 303, r
        SITE.stop(remove=False)
        if POSTGRESQL:
            pg_server().restore(SITE.db_name, copy)
        else:
            for suffix in ("-journal", "-wal", "-shm"):
                if os.path.exists(SITE.db_path + suffix):
                    os.unlink(SITE.db_path + suffix)
            shutil.copy(copy, SITE.db_path)
    SITE.start()


def run_every_event():
    """Each step, and the events it must add to the trail."""
    steps = (
        (forms_unsubscribe, ["unsubscribed"]),
        (forms_dnc, ["dnc-registered", "dnc-status-checked"]),
        (forms_feedback, ["feedback-received", "feedback-revised",
                          "feedback-completed", "article-voted"]),
        (forms_consent, ["consent-recorded"]),
        (forms_optout, ["consent-recorded", "sale-opt-out-identified"]),
        (forms_preferences, ["subscription-requested",
                             "subscription-confirmed", "subscribed",
                             "unsubscribed"]),
    )
    for fn, events in steps:
        run_step(fn.__name__, fn, events)
    global RID
    RID = rid = run_step("forms_requests", forms_requests,
                   ["request-received", "request-revised",
                    "request-verified", "request-repeated"])
    run_step("forms_agents", forms_agents,
             ["request-agent-confirmed", "request-agent-refused"])
    run_step("mail", mail, ["mail-sent", "mail-failed"])
    run_step("admin_requests", lambda: admin_requests(rid),
             ["request-extended", "request-exported", "request-fulfilled",
              "request-denied", "request-erased", "party-linked"])
    run_step("appeals", appeals, ["request-appealed",
                                  "request-appeal-granted",
                                  "request-appeal-denied"])
    run_step("admin_dnc", admin_dnc, ["dnc-removed"])
    run_step("admin_reads", lambda: admin_reads(rid), ["personal-data-read"])
    run_step("admin_purge", admin_purge,
             ["dnc-purged", "request-expired", "vote-clients-forgotten",
              "consent-purged", "requests-reduced"])
    run_step("admin_rotate", admin_rotate, ["audit-key-rotated"])
    run_step("admin_restore", admin_restore, ["audit-restored"])


def run_step(name, fn, events):
    before = {e: len(SITE.audit_xml(e)) for e in events}
    out = fn()
    for e in events:
        if len(SITE.audit_xml(e)) > before[e]:
            WRITTEN[e] = name
    return out


def setUpModule():
    global SITE, SMTP
    SITE, SMTP = mail_site(audit_ticket_pattern=TICKETS,
                           unsubscribe_confirmation="yes",
                           feedback_to="team@example.com")
    run_every_event()


def tearDownModule():
    teardown(SITE, SMTP)


class EveryEvent(unittest.TestCase):
    def test_every_event_in_the_table_is_triggered(self):
        for event, form in table():
            with self.subTest(event=event):
                self.assertIn(event, WRITTEN, "no step triggers %s" % event)
                # An event of more than one form has a row for each.
                forms = {r["_form"] for r in records(event)}
                self.assertEqual(forms, {f for e, f in table()
                                         if e == event})

    def test_the_trail_is_valid_against_the_schema(self):
        files = SITE.audit_files()
        self.assertGreater(len(files), 30)
        p = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", XSD]
                           + files, capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])

    def test_audit_verify_passes(self):
        p = cli("audit", "verify", check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertNotIn("note:", p.stdout + p.stderr)

    def test_nothing_typed_is_in_the_trail(self):
        self.assertGreater(len(TYPED), 20)
        texts = []
        for path in SITE.audit_files():
            with open(path, encoding="utf-8") as f:
                texts.append((path, f.read()))
        for (xml,) in SITE.query("SELECT xml FROM audit"):
            texts.append(("audit table", xml.decode()
                          if isinstance(xml, bytes) else xml))
        for value in TYPED:
            for where, text in texts:
                with self.subTest(value=value):
                    self.assertNotIn(value.lower(), text.lower(), where)
        # grep, as an auditor would, over the records' files.
        for value in TYPED:
            p = subprocess.run(["grep", "-rilF", "--include=*.xml", "--",
                                value, SITE.audit_dir], capture_output=True)
            self.assertEqual(p.returncode, 1, (value, p.stdout))

    def test_nothing_typed_is_beside_the_trail(self):
        # Checkpoints and keys carry base64 (a signature, a digest, a key),
        # in which a short typed word turns up by chance once in a few
        # hundred runs: look at everything else in them.
        base64 = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")
        others = [os.path.join(root, f)
                  for root, _, files in os.walk(SITE.audit_dir)
                  for f in files if not f.endswith(".xml")]
        self.assertTrue(any("checkpoints" in p for p in others), others)
        for path in others:
            with open(path, encoding="utf-8") as f:
                text = base64.sub("", f.read()).lower()
            for value in TYPED:
                with self.subTest(path=path, value=value):
                    self.assertNotIn(value.lower(), text)


class Operator(unittest.TestCase):
    def test_admin_records_name_the_operator(self):
        me = pwd.getpwuid(os.getuid()).pw_name
        who = os.environ.get("SUDO_USER") or me
        admin = [e for e, f in table() if f == "admin" and e in WRITTEN]
        self.assertGreater(len(admin), 10)
        for event in admin:
            with self.subTest(event=event):
                for r in records(event):
                    self.assertEqual(r.get("operator"), who)
        for e, f in table():
            if f != "admin":
                for r in records(e):
                    self.assertNotIn("operator", r)

    def test_sudo_user_is_the_operator_when_it_is_a_login_name(self):
        for sudo, expect in (("alice", "alice"), ("bob.smith_2", "bob.smith_2"),
                             ("Eve Example <eve@example.com>", "unknown"),
                             ("-rf", "unknown")):
            with self.subTest(sudo=sudo):
                cli("dnc", "export", env={"SUDO_USER": sudo})
                self.assertEqual(records("personal-data-read")[-1]["operator"],
                                 expect)


class Reads(unittest.TestCase):
    def test_each_bulk_read_leaves_one_record_before_its_output(self):
        for args, what in ((("consent", "export"), "consent-export"),
                           (("optouts", "export"), "optouts-export"),
                           (("unsubscribes", "export"), "unsubscribes-export"),
                           (("dnc", "export", "--format", "xml"), "dnc-export"),
                           (("feedback", "list"), "feedback-list"),
                           (("request", "show", "1"), "request-show"),
                           (("party", "show", str(party_of(RID))),
                            "party-show")):
            with self.subTest(what=what):
                n = SITE.count("audit")
                p = cli(*args)
                self.assertEqual(SITE.count("audit"), n + 1)
                r = records("personal-data-read")[-1]
                self.assertEqual((r["what"], r["_form"]), (what, "admin"))
                self.assertTrue(r["rows"].isdigit())
                self.assertNotEqual(p.stdout, "")
        rows = [int(r["rows"]) for r in records("personal-data-read")[-3:]]
        self.assertEqual(rows, [SITE.count("feedback"), 1, 1])

    def test_the_dnc_export_counts_its_rows(self):
        p = cli("dnc", "export")
        r = records("personal-data-read")[-1]
        self.assertEqual(int(r["rows"]), len(p.stdout.splitlines()) - 1)

    def test_a_read_that_cannot_be_recorded_gives_nothing_out(self):
        # The read works; the record of it cannot be written.  On
        # PostgreSQL the command's transaction writes its record to
        # audit_pending, and the seal after its commit moves it to audit
        # (audit.h, "Sealing"): refuse where the transaction writes.
        table = "audit_pending" if POSTGRESQL else "audit"
        with SITE.refusing(table, "INSERT", "test"):
            runs = [cli(*args, check=False) for args in (
                ("unsubscribes", "export"), ("dnc", "export"),
                ("feedback", "list"), ("request", "show", str(RID)),
                ("party", "show", str(party_of(RID))),
                ("request", "export", str(RID)))]
        for p in runs:
            with self.subTest(args=p.args[3:]):
                self.assertEqual(p.returncode, 1)
                self.assertEqual(p.stdout, "")
        for p in runs[:5]:
            self.assertIn("cannot be recorded", p.stderr)
        # With the trigger gone, the export goes out with its record.
        n = len(records("request-exported"))
        self.assertIn("<data-export", cli("request", "export", str(RID)).stdout)
        self.assertEqual(len(records("request-exported")), n + 1)


class DncRemove(unittest.TestCase):
    def register(self, number, e164):
        r = SITE.post("/privacy/do-not-call",
                      {"phone": number, "country": "US"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(SITE.query("SELECT count(*) FROM dnc WHERE "
                                    "number = ?", (e164,)), [(1,)],
                         r.header("location"))

    def test_a_ticket_must_match_the_pattern_whole(self):
        self.register("303 749 2210", "+13037492210")
        for ticket in ("OPS-", "ops-12", "OPS-1234567", "x OPS-12",
                       "OPS-12 Grace", "OPS-12\n"):
            with self.subTest(ticket=ticket):
                p = cli("dnc", "remove", "303 749 2210", "--reason",
                        "subject-request", "--ticket", ticket, check=False)
                self.assertEqual(p.returncode, 1)
                self.assertIn("does not match audit_ticket_pattern", p.stderr)
        self.assertEqual(SITE.query("SELECT count(*) FROM dnc WHERE number "
                                    "= '+13037492210'"), [(1,)])
        cli("dnc", "remove", "303 749 2210", "--reason", "legal-obligation",
            "--ticket", "OPS-77")
        r = records("dnc-removed")[-1]
        self.assertEqual((r["reason"], r["ticket"]),
                         ("legal-obligation", "OPS-77"))


class Docs(unittest.TestCase):
    def test_audit_md_lists_the_tables_events_and_forms(self):
        with open(AUDIT_MD) as f:
            text = f.read()
        section = text[text.index("### Events"):]
        section = section[:section.index("\n\n", section.index("| ---"))]
        documented = set()
        for line in section.splitlines()[3:]:
            cells = line.split("|")
            forms = re.findall(r"`([^`]+)`", cells[1])
            for event in re.findall(r"`([^`]+)`", cells[2]):
                documented.add((event, forms[0]))
        self.assertEqual(documented, set(table()))


if __name__ == "__main__":
    unittest.main()
