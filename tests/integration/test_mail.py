"""Mail: the unsubscribe confirmation through the outbox, `privforms mail
run` with libesmtp, and a real SMTP server (aiosmtpd) on loopback.

Messages are queued only through the public form (unsubscribe with
"send me a confirmation").  The sender reads the smtp_ keys at each run, so
each test points the site's configuration at an SMTP server of its own.
"""

import collections
import datetime
import email
import email.policy
import email.utils
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

from harness import PRIVFORMS, WAIT, Site, SRC, wait_tcp, wait_until, teardown
from smtp_server import Server, Silent, TestCert, free_port

FORM = "/privacy/unsubscribe"
FROM = "Privacy Team <privacy@example.com>"
REPLY_TO = "Help desk <help@example.com>"
HEADERS = ["Date", "Message-ID", "From", "Reply-To", "To", "Subject",
           "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
           "Auto-Submitted"]
SITE = None
TEMPLATES = None
CERT = None


def setUpModule():
    global SITE, TEMPLATES, CERT
    TEMPLATES = tempfile.mkdtemp(prefix="privforms-mail-")
    for name in os.listdir(os.path.join(SRC, "etc", "mail")):
        if name.endswith(".txt"):   # not each language's directory
            shutil.copy(os.path.join(SRC, "etc", "mail", name), TEMPLATES)
    CERT = TestCert(TEMPLATES)
    SITE = Site(config={
        "mail_templates": TEMPLATES, "mail_from": FROM,
        "mail_reply_to": REPLY_TO, "unsubscribe_confirmation": "yes",
        "smtp_host": "127.0.0.1", "smtp_port": str(free_port()),
        "smtp_starttls": "off", "smtp_timeout": "30", "mail_retry": "1",
        "mail_attempts": "8"}).start()


def tearDownModule():
    shutil.rmtree(TEMPLATES, ignore_errors=True)
    teardown(SITE)


def configure(**keys):
    """Set privforms.conf keys (the sender reads them at each run)."""
    with open(SITE.conf) as f:
        lines = [l for l in f if l.split("=")[0].strip() not in keys]
    lines += ["%s = %s\n" % kv for kv in keys.items()]
    with open(SITE.conf, "w") as f:
        f.writelines(lines)


def address(tag="person"):
    return "%s.%s@example.com" % (tag, uuid.uuid4().hex[:12])


def unsubscribe(to, **extra):
    fields = {"channel": "email", "email": to, "confirm": "yes"}
    fields.update(extra)
    return SITE.post(FORM, fields)


def queue(to):
    r = unsubscribe(to)
    if r.status != 303:
        raise AssertionError("not queued: %r" % r)


def run_once(timeout=60):
    """`privforms mail run --once`: (process, ids by outcome, seconds)."""
    start = time.monotonic()
    p = SITE.privforms("mail", "run", "--once", check=False)
    took = time.monotonic() - start
    ids = collections.defaultdict(list)
    for m in re.finditer(r"^privforms: mail (\d+): (\w+) ", p.stderr, re.M):
        ids[m.group(2)].append(int(m.group(1)))
    return p, ids, took


def when(stamp):
    """A time the sender stored (UTC, microseconds) as a datetime."""
    return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ") \
        .replace(tzinfo=datetime.timezone.utc)


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def due():
    """When the queued message may be tried again, and when it was last
    tried, from the outbox."""
    [(next_try, updated)] = SITE.query(
        "SELECT next_try, updated FROM outbox WHERE state = 'queued'")
    return when(next_try), when(updated)


def wait_due():
    """Wait until the queued message falls due (mail_retry after its
    first attempt, doubling after each), as the sender's clock counts."""
    at = due()[0]
    wait_until(lambda: now() >= at, "mail due at %s" % at)


def totals(p):
    """The counts of a run's last line: {"sent": n, "deferred": n, ...}."""
    line = re.search(r"^privforms: mail run: (\d+) sent, (\d+) deferred, "
                     r"(\d+) failed$", p.stderr, re.M)
    return dict(zip(("sent", "deferred", "failed"), map(int, line.groups())))


def status():
    out = SITE.privforms("mail", "status").stdout
    return {k: int(v) for k, v in re.findall(r"^(\w+):\s+(\d+)$", out, re.M)}


def status_text():
    return SITE.privforms("mail", "status").stdout


def make_due():
    """Every queued message due now, however long its backoff."""
    SITE.write("UPDATE outbox SET next_try = '2000-01-01T00:00:00.000000Z' "
               "WHERE state = 'queued'")


def audit_events():
    return SITE.query("SELECT event FROM audit ORDER BY seq")


def last_record():
    return open(SITE.audit_files()[-1], encoding="utf-8").read()


def header_names(data):
    head = data.split(b"\r\n\r\n", 1)[0]
    return [line.split(b":", 1)[0].decode("ascii")
            for line in head.split(b"\r\n") if line[:1] not in (b" ", b"\t")]


class MailTest(unittest.TestCase):
    """Each test starts with an empty queue and leaves the trail valid."""

    def setUp(self):
        self.servers = []
        configure(smtp_port=free_port(), smtp_starttls="off", smtp_ca_file="",
                  smtp_timeout=30, mail_attempts=8)
        s = status()
        self.assertEqual((s["queued"], s["sending"]), (0, 0))

    def tearDown(self):
        for srv in self.servers:
            srv.stop()
        self.drain()
        p = SITE.privforms("audit", "verify", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)

    def drain(self):
        """Send whatever a failing test left queued, so the next starts clean."""
        def empty():
            s = status()
            if s["queued"] == 0 and s["sending"] == 0:
                return True
            run_once()
            return False

        with Server() as srv:
            configure(smtp_port=srv.port, smtp_starttls="off", smtp_ca_file="")
            wait_until(empty, "an empty outbox")

    def one_run(self, outcome):
        """One message queued and one sender run: the message's outcome is
        outcome.  Returns the run and its ids."""
        queue(address())
        p, ids, _ = run_once()
        self.assertEqual(len(ids[outcome]), 1, p.stderr)
        return p, ids

    def server(self, **kwargs):
        srv = Server(**kwargs).start()
        self.servers.append(srv)
        configure(smtp_port=srv.port)
        return srv

    def check_message(self, data):
        """The exact header set, each once, CRLF only, lines within 78."""
        self.assertEqual(collections.Counter(header_names(data)),
                         collections.Counter(HEADERS), data[:600])
        self.assertIsNone(re.search(rb"(?<!\r)\n|\r(?!\n)", data))
        for line in data.split(b"\r\n"):
            self.assertLessEqual(len(line), 78, line)
        return email.message_from_bytes(data, policy=email.policy.default)


class Delivery(MailTest):

    def test_confirmation_arrives_well_formed(self):
        srv = self.server()
        to = address()
        queue(to)
        self.assertEqual(status()["queued"], 1)
        p, ids, _ = run_once()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(ids["sent"]), 1, p.stderr)
        self.assertNotIn("@", p.stderr)     # ids and codes, no addresses
        [m] = srv.wait_for(1)
        self.assertEqual(m.mail_from, "privacy@example.com")
        self.assertEqual(m.rcpt_tos, [to])
        msg = self.check_message(m.data)
        self.assertEqual(msg["From"], FROM)
        self.assertEqual(msg["Reply-To"], REPLY_TO)
        self.assertEqual(msg["To"], to)
        self.assertEqual(msg["Subject"], "You are unsubscribed")
        self.assertEqual(msg["MIME-Version"], "1.0")
        self.assertIn(b"\r\nContent-Type: text/plain; charset=UTF-8\r\n", m.data)
        self.assertEqual(msg["Content-Transfer-Encoding"], "quoted-printable")
        self.assertEqual(msg["Auto-Submitted"], "auto-generated")
        self.assertRegex(msg["Message-ID"], r"^<[^<>@\s]+@example\.com>$")
        sent = email.utils.parsedate_to_datetime(msg["Date"]).timestamp()
        self.assertLess(abs(sent - time.time()), 300)
        body = msg.get_content()
        self.assertIn("stop sending you email marketing", body)
        self.assertIn("all of our mailing lists", body)
        self.assertIn("http://127.0.0.1:%d/privacy/" % SITE.port, body)
        self.assertEqual(status()["sent"] >= 1 and status()["queued"], 0)
        self.assertEqual(audit_events()[-1], ("mail-sent",))
        record = last_record()
        self.assertIn("<form>mail</form>", record)
        self.assertIn('<detail name="smtp">250</detail>', record)
        self.assertNotIn(to.split("@")[0], record)

    def test_non_ascii_subject_is_rfc2047_encoded(self):
        path = os.path.join(TEMPLATES, "unsubscribed.txt")
        original = open(path, encoding="utf-8").read()
        subject = "Désinscription confirmée – ça marche, “{{channel}}” ✓"
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write("Subject: %s\n\nBonjour, déjà fait: {{channel}}.\n"
                        % subject)
            srv = self.server()
            queue(address())
            p, ids, _ = run_once()
        finally:
            with open(path, "w", encoding="utf-8") as f:
                f.write(original)
        self.assertEqual(len(ids["sent"]), 1, p.stderr)
        [m] = srv.wait_for(1)
        m.data.decode("ascii")      # 7-bit on the wire
        self.assertIn(b"=?UTF-8?", m.data.split(b"\r\n\r\n")[0])
        msg = self.check_message(m.data)
        self.assertEqual(msg["Subject"],
                         subject.replace("{{channel}}", "email marketing"))
        self.assertEqual(msg.get_content().replace("\r\n", "\n"),
                         "Bonjour, déjà fait: email marketing.\n")

    def test_one_message_one_connection(self):
        # The sender used to try the port first with a connection of its
        # own: two per message, each one a server's rate limit counts.
        srv = self.server()
        p, ids = self.one_run("sent")
        self.assertEqual(srv.connections(), 1)

    def test_due_messages_share_one_session_one_rcpt_each(self):
        srv = self.server()
        tos = [address() for _ in range(3)]
        for to in tos:
            queue(to)
        p, ids, _ = run_once()
        self.assertEqual(len(ids["sent"]), 3, p.stderr)
        msgs = srv.wait_for(3)
        self.assertEqual(sorted(m.rcpt_tos[0] for m in msgs), sorted(tos))
        self.assertTrue(all(len(m.rcpt_tos) == 1 for m in msgs))
        self.assertEqual(srv.connections(), 1)
        [cmds] = srv.commands()
        self.assertEqual(cmds.count("MAIL"), 3, cmds)
        self.assertEqual(cmds.count("RCPT"), 3, cmds)
        self.assertEqual(cmds.count("QUIT"), 1, cmds)

    def test_each_message_of_a_session_keeps_its_own_outcome(self):
        srv = self.server()
        later, refused, fine = address("later"), address("gone"), address()
        srv.rcpt_replies = {later: "451 4.2.1 Try again later",
                            refused: "550 5.1.1 No such mailbox"}
        for to in (later, refused, fine):
            queue(to)
        p, ids, _ = run_once()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(srv.connections(), 1)
        self.assertEqual(len(ids["deferred"]), 1, p.stderr)
        self.assertEqual(len(ids["failed"]), 1, p.stderr)
        self.assertEqual(len(ids["sent"]), 1, p.stderr)
        self.assertEqual([m.rcpt_tos for m in srv.wait_for(1)], [[fine]])
        self.assertIn("RCPT 451", p.stderr)
        self.assertIn("RCPT 550", p.stderr)
        s = status()
        self.assertEqual((s["queued"], s["sending"]), (1, 0))

    def test_rolled_back_or_refused_submission_queues_nothing(self):
        r = unsubscribe("not an address")
        self.assertEqual(r.status, 422)
        self.assertEqual(status()["queued"], 0)


    def test_a_message_sent_again_keeps_its_message_id(self):
        # A sender killed after the server took a message and before it
        # recorded it leaves the message claimed, to be claimed again
        # once its lease ends (sender.h: at least once; the lease's end
        # is brought forward here).  The copy has the first's Message-ID,
        # by which mailboxes drop copies; another message to the same
        # address has its own.
        srv = self.server()
        to = address()
        queue(to)
        sender = subprocess.Popen([PRIVFORMS, "--config", SITE.conf, "mail",
                                   "run", "--once"], stderr=subprocess.PIPE)
        srv.on_accept = lambda: (setattr(srv, "on_accept", None),
                                 sender.kill())
        sender.communicate(timeout=60)
        self.assertEqual(sender.returncode, -signal.SIGKILL)
        self.assertEqual(status()["sending"], 1)
        SITE.write("UPDATE outbox SET next_try = "
                   "'2000-01-01T00:00:00.000000Z' WHERE state = 'sending'")
        p, again, _ = run_once()
        self.assertEqual(len(again["sent"]), 1, p.stderr)
        queue(to)
        p, other, _ = run_once()
        self.assertEqual(len(other["sent"]), 1, p.stderr)
        first, copy, second = [
            email.message_from_bytes(m.data)["Message-ID"]
            for m in srv.wait_for(3)]
        self.assertRegex(first, r"^<[0-9a-f]{32}@example\.com>$")
        self.assertEqual(copy, first)
        self.assertNotEqual(second, first)


class Failures(MailTest):

    def first_run(self, mode, outcome):
        """One message queued, then a run against a server in mode: the
        message's outcome is outcome.  Returns the server, run and ids."""
        srv = self.server()
        srv.mode = mode
        return (srv,) + self.one_run(outcome)

    def test_server_down_keeps_message_queued_until_it_is_back(self):
        port = free_port()
        configure(smtp_port=port)
        to = address()
        queue(to)
        records = len(audit_events())
        p, ids, _ = run_once()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(ids["deferred"]), 1, p.stderr)
        self.assertIn("no connection", p.stderr)
        self.assertEqual(status()["queued"], 1)
        self.assertEqual(len(audit_events()), records)  # deferred: no record
        srv = Server(port=port).start()
        self.servers.append(srv)
        wait_due()                  # mail_retry = 1
        p, ids, _ = run_once()
        self.assertEqual(len(ids["sent"]), 1, p.stderr)
        p, ids, _ = run_once()      # nothing left: nothing sent twice
        self.assertEqual(dict(ids), {})
        self.assertEqual([m.rcpt_tos for m in srv.messages], [[to]])
        s = status()
        self.assertEqual((s["queued"], s["sending"]), (0, 0))

    def test_temporary_refusal_is_retried_then_delivered(self):
        srv, p, ids = self.first_run("tempfail", "deferred")
        self.assertIn("RCPT 451", p.stderr)
        self.assertEqual(status()["queued"], 1)
        before = len(audit_events())
        srv.mode = "tempfail-data"
        wait_due()
        p, ids, _ = run_once()
        self.assertEqual(len(ids["deferred"]), 1, p.stderr)
        self.assertIn("DATA 451", p.stderr)
        self.assertEqual(len(audit_events()), before)   # no record yet
        srv.mode = "accept"
        at, tried = due()           # backoff: 2 s after the second attempt
        self.assertTrue(2 <= (at - tried).total_seconds() < 3, (at, tried))
        p, ids, _ = run_once()
        if now() < at:              # the run was over before it was due
            self.assertEqual(dict(ids), {})
        wait_due()
        p, ids, _ = run_once()
        self.assertEqual(len(ids["sent"]), 1, p.stderr)
        self.assertEqual(len(srv.wait_for(1)), 1)
        self.assertEqual(audit_events()[-1], ("mail-sent",))
        self.assertIn('<detail name="attempts">3</detail>', last_record())

    def test_permanent_refusal_fails_with_audit_and_can_be_requeued(self):
        srv, p, ids = self.first_run("permfail", "failed")
        self.assertEqual(p.returncode, 0, p.stderr)
        [mid] = ids["failed"]
        self.assertIn("RCPT 550", p.stderr)
        s = status()
        self.assertEqual((s["queued"], s["failed"] >= 1), (0, True))
        self.assertEqual(audit_events()[-1], ("mail-failed",))
        record = last_record()
        self.assertIn('<detail name="smtp">550</detail>', record)
        self.assertIn('<detail name="reason">refused</detail>', record)
        self.assertEqual(srv.messages, [])
        # Not failed, not a number, no such message: refused.
        self.assertEqual(SITE.privforms("mail", "retry", "abc",
                                        check=False).returncode, 2)
        self.assertEqual(SITE.privforms("mail", "retry", "999999",
                                        check=False).returncode, 1)
        r = SITE.privforms("mail", "retry", str(mid), check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(status()["queued"], 1)
        r = SITE.privforms("mail", "retry", str(mid), check=False)
        self.assertEqual(r.returncode, 1)   # queued now, not failed
        self.assertIn("no failed message", r.stderr)
        srv.mode = "accept"
        p, ids, _ = run_once()
        self.assertEqual(ids["sent"], [mid], p.stderr)
        self.assertEqual(len(srv.wait_for(1)), 1)

    def test_permanent_refusal_after_data_fails(self):
        _, p, _ = self.first_run("permfail-data", "failed")
        self.assertIn("DATA 550", p.stderr)
        self.assertEqual(audit_events()[-1], ("mail-failed",))

    def test_last_attempt_marks_the_message_failed(self):
        configure(mail_attempts=2)
        self.first_run("tempfail", "deferred")
        wait_due()
        p, ids, _ = run_once()
        self.assertEqual(len(ids["failed"]), 1, p.stderr)
        self.assertEqual(audit_events()[-1], ("mail-failed",))
        self.assertIn('<detail name="reason">attempts</detail>', last_record())
        self.assertEqual(status()["queued"], 0)

    def test_a_message_whose_senders_all_died_fails_instead_of_looping(self):
        # Each claim counts an attempt, so a message that crashed its
        # sender mail_attempts times (simulated: the count a crash loop
        # leaves, with the lease run out) is failed, not sent again.
        configure(mail_attempts=2)
        srv = self.server()
        queue(address())
        con = SITE.connect()
        with con:
            con.execute("UPDATE outbox SET attempts = 2 WHERE state = 'queued'")
        con.close()
        p, ids, _ = run_once()
        self.assertEqual(len(ids["failed"]), 1, p.stderr)
        self.assertIn("claimed 3 times", p.stderr)
        self.assertEqual(srv.messages, [])
        self.assertIn('<detail name="reason">attempts</detail>', last_record())

    def test_missing_template_fails_for_good_with_audit(self):
        path = os.path.join(TEMPLATES, "unsubscribed.txt")
        os.rename(path, path + ".away")
        try:
            self.server()
            queue(address())
            p, ids, _ = run_once()
        finally:
            os.rename(path + ".away", path)
        self.assertEqual(len(ids["failed"]), 1, p.stderr)
        self.assertEqual(audit_events()[-1], ("mail-failed",))
        self.assertIn('<detail name="reason">template</detail>', last_record())

    def test_silent_server_does_not_hang_the_sender(self):
        silent = Silent().start()
        self.servers.append(silent)
        configure(smtp_port=silent.port, smtp_timeout=2)
        queue(address())
        p, ids, took = run_once()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertLess(took, WAIT)     # libesmtp's own waits are minutes
        self.assertGreaterEqual(silent.accepted, 1)
        self.assertEqual(len(ids["deferred"]), 1, p.stderr)
        self.assertEqual(status()["queued"], 1)

    def test_no_mail_from_refuses_to_run(self):
        configure(mail_from="", unsubscribe_confirmation="no")
        try:
            p = SITE.privforms("mail", "run", "--once", check=False)
        finally:
            configure(mail_from=FROM, unsubscribe_confirmation="yes")
        self.assertEqual(p.returncode, 1)
        self.assertIn("mail_from is not set", p.stderr)


class StartTLS(MailTest):

    def test_two_senders_at_once_send_each_message_once(self):
        srv = self.server()
        tos = [address("pair") for _ in range(12)]
        for to in tos:
            queue(to)
        senders = [subprocess.Popen(
            [PRIVFORMS, "--config", SITE.conf, "mail", "run", "--once"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
        sent = []
        for p in senders:
            err = p.communicate(timeout=60)[1]
            self.assertEqual(p.returncode, 0, err)
            sent += re.findall(r"^privforms: mail (\d+): sent ", err, re.M)
        # Both senders have ended: whatever they sent has arrived.
        self.assertEqual(sorted(m.rcpt_tos[0] for m in srv.messages), sorted(tos))
        self.assertEqual(len(sent), 12)
        self.assertEqual(len(set(sent)), 12, "a message was sent by both senders")

    def test_several_starttls_sessions_from_one_process(self):
        # libesmtp 1.1.0 crashed on the second STARTTLS session of a process
        # unless each session had an SSL_CTX of its own.  A session takes
        # at most ten messages: 25 make three.
        srv = self.server(tls=CERT)
        configure(smtp_starttls="required", smtp_ca_file=CERT.cert)
        tos = [address("tls") for _ in range(25)]
        for to in tos:
            queue(to)
        p, ids, _ = run_once()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(ids["sent"]), 25, p.stderr)
        msgs = srv.wait_for(25)
        self.assertEqual(sorted(m.rcpt_tos[0] for m in msgs), sorted(tos))
        self.assertEqual(srv.connections(), 3)
        for cmds in srv.commands():
            self.assertLess(cmds.index("STARTTLS"), cmds.index("MAIL"))
            self.assertEqual(cmds.count("RCPT"), cmds.count("MAIL"))
        for m in msgs:
            self.check_message(m.data)

    def test_untrusted_certificate_is_not_used(self):
        srv = self.server(tls=CERT)
        # The system store: the self-signed certificate fails.
        configure(smtp_starttls="required", smtp_ca_file="")
        p, ids = self.one_run("deferred")
        self.assertIn("certificate trusted", p.stderr)
        self.assertEqual(srv.messages, [])

    def test_an_address_as_smtp_host_is_said_to_need_a_dns_name(self):
        # libesmtp checks smtp_host against the certificate's DNS names
        # only: 127.0.0.1 passes here because the test certificate lists
        # the address as a DNS name too, which a CA's would not.
        srv = self.server(tls=CERT)
        configure(smtp_starttls="required", smtp_ca_file=CERT.cert)
        p, ids = self.one_run("sent")
        self.assertIn("smtp_host is an IP address", p.stderr)
        self.assertEqual(len(srv.wait_for(1)), 1)
        configure(smtp_starttls="off")
        queue(address())
        p, ids, _ = run_once()
        self.assertNotIn("smtp_host is an IP address", p.stderr)

    def test_a_ca_file_that_does_not_load_stops_the_sender_first(self):
        # Found at each send, it deferred every message, "smtp:
        # cryptography error", one attempt each, until all had failed.
        srv = self.server(tls=CERT)
        queue(address())
        for ca in (os.path.join(SITE.dir, "no-such-ca.pem"),
                   os.path.join(SRC, "etc", "audit.xsd")):   # not PEM
            configure(smtp_starttls="required", smtp_ca_file=ca)
            p, ids, _ = run_once()
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("smtp_ca_file: no CA certificate could be "
                          "loaded", p.stderr)
            self.assertEqual(dict(ids), {})
            # (Earlier tests of the shared site leave failed messages.)
            self.assertEqual(SITE.query("SELECT state, attempts FROM "
                                        "outbox WHERE state IN "
                                        "('queued', 'sending')"),
                             [("queued", 0)])
        self.assertEqual(srv.connections(), 0)
        configure(smtp_ca_file=CERT.cert)
        p, ids, _ = run_once()
        self.assertEqual(len(ids["sent"]), 1, p.stderr)

    def test_required_starttls_not_offered_sends_nothing(self):
        srv = self.server()
        configure(smtp_starttls="required")
        p, ids = self.one_run("deferred")
        self.assertIn("STARTTLS", p.stderr)
        self.assertEqual(srv.messages, [])

    def test_auth_over_starttls(self):
        pw = os.path.join(SITE.dir, "smtp-password")
        with open(pw, "w") as f:
            f.write("s3cret pass\n")
        os.chmod(pw, 0o600)
        srv = self.server(tls=CERT, auth=("privforms", "s3cret pass"))
        configure(smtp_starttls="required", smtp_ca_file=CERT.cert,
                  smtp_user="privforms", smtp_password_file=pw)
        try:
            p, ids = self.one_run("sent")
            self.assertNotIn("s3cret", p.stderr)
            self.assertIn("AUTH", srv.commands()[0])
            # A wrong password is a setting to fix, not a reason to give up.
            with open(pw, "w") as f:
                f.write("wrong\n")
            queue(address())
            p, ids, _ = run_once()
            self.assertEqual(totals(p)["deferred"], 1, p.stderr)
            # A password file others can read is refused outright.
            os.chmod(pw, 0o644)
            p = SITE.privforms("mail", "run", "--once", check=False)
            self.assertEqual(p.returncode, 1)
            self.assertIn("smtp_password_file", p.stderr)
        finally:
            configure(smtp_user="", smtp_password_file="")
            os.unlink(pw)


class Auth(MailTest):
    """AUTH as a submission server with SASL answers it (Postfix 3.7 on
    Debian, which the sender was tried against)."""

    USER = "privforms"
    GOOD = "s3cret pass"

    def setUp(self):
        super().setUp()
        self.pw = os.path.join(SITE.dir, "smtp-password")

    def tearDown(self):
        configure(smtp_user="", smtp_password_file="")
        if os.path.exists(self.pw):
            os.unlink(self.pw)
        super().tearDown()

    def use(self, password):
        with open(self.pw, "w") as f:
            f.write(password + "\n")
        os.chmod(self.pw, 0o600)
        configure(smtp_starttls="required", smtp_ca_file=CERT.cert,
                  smtp_user=self.USER, smtp_password_file=self.pw)

    def test_wrong_password_defers_every_message_and_says_so_once(self):
        srv = self.server(tls=CERT, auth=(self.USER, self.GOOD),
                          like_postfix=True)
        self.use("wrong")
        tos = [address() for _ in range(3)]
        for to in tos:
            queue(to)
        records = len(audit_events())
        p, ids, _ = run_once()
        self.assertEqual(p.returncode, 0, p.stderr)
        # Deferred, not failed: the settings are wrong, not the recipients.
        self.assertEqual(totals(p), {"sent": 0, "deferred": 3, "failed": 0},
                         p.stderr)
        self.assertEqual(p.stderr.count("535"), 1, p.stderr)
        self.assertIn("smtp_password_file", p.stderr)
        self.assertNotIn(self.GOOD, p.stderr)
        # One login, and the session ends there: no second mechanism, no
        # MAIL that the server would take and then refuse at RCPT.
        self.assertEqual(srv.connections(), 1)
        cmds = [c for c, _ in srv.transcripts[-1]]
        self.assertEqual(cmds.count("AUTH"), 1, cmds)
        self.assertNotIn("MAIL", cmds)
        self.assertNotIn("RCPT", cmds)
        self.assertEqual(srv.messages, [])
        self.assertEqual(len(audit_events()), records)
        s = status()
        self.assertEqual((s["queued"], s["failed"]), (3, 0))
        self.assertRegex(status_text(), r"(?m)^  3 +\d{4}-\d\d-\d\dT"
                         r"\d\d:\d\d:\d\dZ +AUTH 535 5\.7\.8: ")
        # Fixed: every message goes, and the refusal used no attempt.
        self.use(self.GOOD)
        make_due()
        p, ids, _ = run_once()
        self.assertEqual(totals(p)["sent"], 3, p.stderr)
        self.assertEqual(sorted(m.rcpt_tos[0] for m in srv.wait_for(3)),
                         sorted(tos))
        self.assertIn('<detail name="attempts">1</detail>', last_record())
        self.assertNotIn("AUTH", status_text())

    def test_once_logs_in_once_however_much_is_due(self):
        # A timer's `mail run --once` with more than one session's worth
        # due: after the refused login it stops, so the timer's interval
        # bounds the failed logins (INSTALL, privforms(8)).
        srv = self.server(tls=CERT, auth=(self.USER, self.GOOD),
                          like_postfix=True)
        self.use("wrong")
        for _ in range(12):
            queue(address())
        p, ids, _ = run_once()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(srv.connections(), 1, p.stderr)
        self.assertEqual([c for t in srv.transcripts for c, _ in t]
                         .count("AUTH"), 1)
        self.assertEqual(p.stderr.count("nothing sent"), 1, p.stderr)
        self.assertEqual(totals(p), {"sent": 0, "deferred": 10,
                                     "failed": 0}, p.stderr)
        self.assertEqual(status()["queued"], 12)

    def test_an_outage_between_refusals_is_no_acceptance(self):
        # A running sender says a refused login once.  A session that never
        # reached the login (the server down) used to count as the
        # settings accepted again: it said so, wrongly, and the next
        # refusal was said again, and waited for from the start.
        srv = self.server(tls=CERT, auth=(self.USER, self.GOOD),
                          like_postfix=True)
        self.use("wrong")
        queue(address())
        lines = []
        sender = subprocess.Popen(
            [PRIVFORMS, "--config", SITE.conf, "mail", "run"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        reader = threading.Thread(
            target=lambda: lines.extend(iter(sender.stderr.readline, "")))
        reader.start()
        try:
            def said(what, n=1):
                return lambda: sum(what in l for l in lines) >= n
            wait_until(said("nothing sent"), "the refusal")
            srv.stop()
            wait_until(said("deferred (no connection"), "a session "
                       "that finds the server down")
            srv = self.server(tls=CERT, auth=(self.USER, self.GOOD),
                              like_postfix=True, port=srv.port)
            wait_until(lambda: srv.connections() >= 1, "the next login")
            wait_until(lambda: status()["sending"] == 0, "its outcome")
        finally:
            sender.terminate()
            sender.wait(timeout=60)
            reader.join(timeout=60)
        out = "".join(lines)
        self.assertEqual(sender.returncode, 0, out)
        self.assertEqual(out.count("nothing sent"), 1, out)
        self.assertNotIn("accepts the settings again", out)

    def test_a_login_the_server_cannot_check_now_is_not_called_wrong(self):
        # Postfix answers 454 when its SASL backend is down: the password
        # may be right, so the operator is not sent to check it.
        srv = self.server(tls=CERT, auth=(self.USER, self.GOOD),
                          auth_reply="454 4.7.0 Temporary authentication "
                          "failure")
        self.use("wrong")
        queue(address())
        p, ids, _ = run_once()
        self.assertEqual(totals(p), {"sent": 0, "deferred": 1, "failed": 0},
                         p.stderr)
        self.assertIn("AUTH 454 4.7.0: the server cannot check", p.stderr)
        self.assertNotIn("smtp_password_file", p.stderr)
        cmds = [c for c, _ in srv.transcripts[-1]]
        self.assertEqual(cmds.count("AUTH"), 1, cmds)
        self.assertNotIn("MAIL", cmds)

    def test_a_mechanism_libesmtp_cannot_finish_is_passed_over(self):
        # libesmtp takes the server's first mechanism it has a plugin for;
        # NTLM asks what the sender cannot answer, and is cancelled before
        # any password is sent: that is no refusal of the password.
        srv = self.server(tls=CERT, auth=(self.USER, self.GOOD),
                          mechanisms=["NTLM", "PLAIN", "LOGIN"])
        self.use(self.GOOD)
        p, ids = self.one_run("sent")
        cmds = [c for c, _ in srv.transcripts[-1]]
        self.assertEqual(cmds.count("AUTH"), 2, cmds)
        self.assertEqual(cmds.count("MAIL"), 1, cmds)

    def test_no_auth_offered_sends_nothing_unauthenticated(self):
        srv = self.server(tls=CERT)         # STARTTLS, but no AUTH at all
        self.use(self.GOOD)
        queue(address())
        p, ids, _ = run_once()
        self.assertEqual(totals(p), {"sent": 0, "deferred": 1, "failed": 0},
                         p.stderr)
        self.assertIn("offered no AUTH", p.stderr)
        self.assertEqual(srv.messages, [])
        self.assertNotIn("MAIL", [c for t in srv.transcripts for c, _ in t])
        self.assertIn("offered no AUTH", status_text())


class TLS13(MailTest):
    """STARTTLS with TLS 1.3, whose servers may send session tickets
    after the handshake (OpenSSL's, Postfix's) or not (Exim's)."""

    BIG = None

    @classmethod
    def big_cert(cls, named):
        """A certificate with 3000 names (slow for libesmtp to read
        through, so a server's tickets arrive before the sender's next
        step): with the name 127.0.0.1 last, or without it."""
        names = ["DNS:h%04d.invalid" % i for i in range(3000)]
        tag = "big-named" if named else "big"
        return TestCert(TEMPLATES, names + (["DNS:127.0.0.1"] if named
                                            else []), tag=tag)

    def test_no_wait_for_session_tickets_that_never_come(self):
        # The sender used to wait a second for a ticket after each
        # handshake: with Exim, one message a second.
        srv = self.server(tls=CERT, tickets=0)
        configure(smtp_starttls="required", smtp_ca_file=CERT.cert)
        for _ in range(3):
            p, ids = self.one_run("sent")
        self.assertEqual(len(srv.after_tls), 3)
        self.assertLess(min(srv.after_tls), 0.5, srv.after_tls)

    def test_refused_certificate_ends_the_session_at_once(self):
        # Refused after the handshake (no name matches), with the
        # tickets already there: QUIT used to wait out smtp_timeout.
        cert = self.big_cert(named=False)
        srv = self.server(tls=cert)
        configure(smtp_starttls="required", smtp_ca_file=cert.cert,
                  smtp_timeout=10)
        queue(address())
        for _ in range(3):
            make_due()
            p, ids, took = run_once()
            self.assertEqual(len(ids["deferred"]), 1, p.stderr)
            self.assertIn("does not name the server", p.stderr)
            self.assertLess(took, 10, "waited out smtp_timeout")
        sessions = [[c for c, _ in t] for t in srv.transcripts[-3:]]
        self.assertEqual(srv.connections(), 3)
        for cmds in sessions:
            self.assertEqual(cmds, ["EHLO", "STARTTLS", "QUIT"])
        self.assertEqual(srv.messages, [])

    def test_tickets_before_ehlo_do_not_stall_the_session(self):
        cert = self.big_cert(named=True)
        srv = self.server(tls=cert)
        configure(smtp_starttls="required", smtp_ca_file=cert.cert,
                  smtp_timeout=10)
        for _ in range(3):
            queue(address())
            p, ids, took = run_once()
            self.assertEqual(len(ids["sent"]), 1, p.stderr)
            self.assertLess(took, 10, "waited out smtp_timeout")


class Status(MailTest):

    def test_failed_messages_are_listed_by_domain_and_retried_together(self):
        # The site is shared: earlier tests left failed messages of their own.
        before = status()["failed"]
        srv = self.server()
        srv.mode = "permfail"
        tos = [address(), "x.%s@mail.example.net" % uuid.uuid4().hex[:8]]
        for to in tos:
            queue(to)
        p, ids, _ = run_once()
        mine = sorted(ids["failed"])
        self.assertEqual(len(mine), 2, p.stderr)
        out = status_text()
        for mid, domain in zip(mine, ["example.com", "mail.example.net"]):
            self.assertRegex(out, r"(?m)^  %d +%s +1 +RCPT 550$"
                             % (mid, re.escape(domain)))
        self.assertNotIn("@", out)          # domains, never addresses
        r = SITE.privforms("mail", "retry", "--all-failed", check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "%d failed messages queued again\n"
                         % (before + 2))
        self.assertEqual((status()["queued"], status()["failed"]),
                         (before + 2, 0))
        self.assertNotIn("RCPT 550", status_text())
        srv.mode = "accept"
        while status()["queued"] > 0:
            make_due()
            p, ids, _ = run_once()
            self.assertTrue(ids["sent"], p.stderr)
            mine = [m for m in mine if m not in ids["sent"]]
        self.assertEqual(mine, [])
        r = SITE.privforms("mail", "retry", "--all-failed", check=False)
        self.assertEqual(r.stdout, "0 failed messages queued again\n")


class SlowResolver(MailTest):
    """A machine where the SMTP server cannot look up its own name quickly
    (a fresh Debian without /etc/hosts, a resolver that does not answer):
    aiosmtpd, asked for no host name, blocks its event loop in
    socket.getfqdn() for every connection, longer than smtp_timeout."""

    TIMEOUT = 10    # smtp_timeout, whatever setUp set
    STALL = 15      # seconds in socket.getfqdn(), more than TIMEOUT

    def setUp(self):
        super().setUp()
        configure(smtp_timeout=self.TIMEOUT)

    def test_the_test_server_does_not_resolve_its_own_name(self):
        real = socket.getfqdn

        def stalled(name=""):
            time.sleep(self.STALL)
            return real(name)

        socket.getfqdn = stalled
        try:
            srv = self.server()
            queue(address())
            p, ids, _ = run_once()
        finally:
            socket.getfqdn = real
        self.assertEqual(len(ids["sent"]), 1, p.stderr)
        self.assertEqual(len(srv.wait_for(1)), 1)

    def test_make_run_catcher_does_not_resolve_its_own_name(self):
        port = free_port()
        maildir = tempfile.mkdtemp(prefix="privforms-catcher-")
        stalled = ("import runpy, socket, sys, time\n"
                   "socket.getfqdn = lambda name='': time.sleep(%d) or 'x'\n"
                   "sys.argv = sys.argv[1:]\n"
                   "runpy.run_path(sys.argv[0], run_name='__main__')\n"
                   % self.STALL)
        catcher = subprocess.Popen(
            ["/usr/bin/python3", "-c", stalled,
             os.path.join(SRC, "tools", "mail-catcher.py"), "127.0.0.1",
             str(port), maildir], stderr=subprocess.PIPE, text=True)
        try:
            self.assertTrue(wait_tcp(port, lambda: catcher.poll() is None))
            configure(smtp_port=port)
            queue(address())
            p, ids, _ = run_once()
        finally:
            catcher.terminate()
            err = catcher.communicate(timeout=30)[1]
        try:
            self.assertEqual(len(ids["sent"]), 1, p.stderr + err)
            self.assertEqual(len(os.listdir(os.path.join(maildir, "new"))), 1)
        finally:
            shutil.rmtree(maildir, ignore_errors=True)


class HeaderInjection(MailTest):
    """No value a visitor sends can add or split a header."""

    BAD_EMAILS = [
        "a@example.com\r\nBcc: evil@example.com",
        "a@example.com\nBcc: evil@example.com",
        "a@example.com\rBcc: evil@example.com",
        "a@example.com\r\n\r\nbody",
        "a@example.com\r\n RCPT TO:<evil@example.com>",
        "a\r\n@example.com",
        "a@example.com\u2028Bcc: evil@example.com",
        "a@example.com\u0085Bcc: evil@example.com",
        "a@example.com\u2029Bcc: evil@example.com",
        "a@example.com\x00Bcc: evil@example.com",
        "a@example.com>\r\nBcc: <evil@example.com",
        "a@example.com,evil@example.com",
        "A <a@example.com>",
    ]

    def post_raw(self, body):
        return SITE.post(FORM, body.encode("ascii"))

    def test_bad_addresses_are_refused_and_queue_nothing(self):
        self.server()
        for bad in self.BAD_EMAILS:
            r = unsubscribe(bad)
            self.assertEqual(r.status, 422, repr(bad))
        # Raw encodings a browser would not send, decoded by the form parser.
        for enc in ["a%40example.com%0d%0aBcc:%20evil%40example.com",
                    "a%40example.com%0aBcc:%20evil%40example.com",
                    "a%40example.com%0D%0ABcc%3A+evil%40example.com",
                    "a%40example.com%E2%80%A8Bcc:evil%40example.com",
                    "a%40example.com%C2%85Bcc:evil%40example.com"]:
            r = self.post_raw("channel=email&confirm=yes&email=" + enc)
            self.assertIn(r.status, (400, 422), enc)
        self.assertEqual(status()["queued"], 0)

    def test_accepted_values_never_change_the_header_set(self):
        srv = self.server()
        # Valid addresses that merely look like encodings; injection tries
        # in the other fields (which reach no mail) are accepted as text.
        tos = ["x%0d%0abcc@example.com", "x%0abcc-evil@example.com",
               "=?UTF-8?Q?a=0D=0ABcc=3A_evil?=@example.com", address()]
        reasons = ["a\r\nBcc: evil@example.com", "b\nSubject: hijack",
                   "c\u2028Bcc: evil@example.com", "%0d%0aBcc: x@example.com"]
        for to, reason in zip(tos, reasons):
            r = unsubscribe(to, reason=reason)
            self.assertEqual(r.status, 303, (to, reason, r))
        p, ids, _ = run_once()
        self.assertEqual(len(ids["sent"]), len(tos), p.stderr)
        msgs = srv.wait_for(len(tos))
        # As sent: aiosmtpd's own parsing would decode the encoded word.
        rcpts = [a for t in srv.transcripts for c, a in t if c == "RCPT"]
        self.assertEqual(sorted(rcpts), sorted("TO:<%s>" % t for t in tos))
        for m in msgs:
            self.check_message(m.data)
            to = re.search(rb"\r\nTo: ([^\r\n]*)\r\n", m.data).group(1)
            self.assertIn(to.decode(), tos)
            self.assertNotIn(b"hijack", m.data)   # the reason is not mailed
        for cmds in srv.commands():     # one recipient per message
            self.assertEqual(cmds.count("RCPT"), cmds.count("MAIL"))


if __name__ == "__main__":
    unittest.main()
