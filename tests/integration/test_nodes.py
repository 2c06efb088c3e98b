"""Several web nodes on one PostgreSQL database (issue 21; INSTALL,
"Several web nodes"): two complete stacks, each its own nginx, FastCGI
pools, directory, audit files and outbox sender (`privforms mail run`),
sharing the database and the key, as two hosts behind a load balancer.

The fault test posts to both nodes at once, kills one node with SIGKILL
(nginx, every pool and worker, its sender) mid-load and starts it again,
then restarts the PostgreSQL server mid-load.  Afterwards every
acknowledged submission (a redirect to the form's done page) is stored
once, each stored one with its audit record, `privforms audit sync` on
either node then `audit verify` pass over one gapless chain, and every
queued message reaches the SMTP server once.  Each step waits for an
event (so many submissions acknowledged), never for a time.

The sender test stops the server the moment the SMTP server accepts a
message, before its sender can record it: once the server is back the
message is recorded as sent, not left to its lease and sent again.

The guard test shows that what the anti-automation guard remembers is
the site's, not a node's: a proof of work spent on one node is spent on
the other, a rate limit reached through one holds on the other, a stamp
one node gave out is taken by the other, and an article vote's window
spans both.

PostgreSQL only (PRIVFORMS_TEST_BACKEND=postgresql): an SQLite file is
one host's.
"""

import base64
import collections
import contextlib
import hashlib
import itertools
import json
import os
import re
import signal
import subprocess
import threading
import unittest

from harness import (POSTGRESQL, SRC, Site, descendants, mail_config,
                     pg_server, pid_alive, program_env, read_pid, stamp_of,
                     teardown, wait_tcp, wait_until)
from smtp_server import Server

P = "/privacy"
# A form, where it is posted, what its fields are for a fresh value, the
# done page an acknowledged post is sent to, and where the value is stored
# with the audit event its submission records.
LOAD = {
    "unsubscribe": (P + "/unsubscribe",
                    lambda v: {"channel": "email", "email": v},
                    P + "/unsubscribe?done",
                    "SELECT count(*) FROM optout WHERE address = ?",
                    "unsubscribed", "optout"),
    "do-not-call": (P + "/do-not-call",
                    lambda v: {"phone": v, "country": "US"},
                    P + "/do-not-call?done",
                    "SELECT count(*) FROM dnc WHERE number = "
                    "'+1' || translate(?, '() -', '')",
                    "dnc-registered", "dnc"),
    "request": (P + "/request",
                lambda v: {"type": "access", "relationship": "customer",
                           "first_name": "Ada", "last_name": "Lovelace",
                           "email": v, "country": "DE"},
                P + "/request?sent",
                "SELECT count(*) FROM request WHERE email = ?",
                "request-received", "request"),
}
FEEDBACK = P + "/feedback"
ARTICLE = P + "/feedback/article"
# Both nodes' configuration: the load's forms unguarded (harness.GUARD_OFF),
# the feedback form and the article votes guarded for the guard test.
GUARD = {"trusted_proxies": "127.0.0.1", "feedback_without_js": "refuse",
         "feedback_pow": "1000", "feedback_limit": "2/hour",
         "vote_limit": "3/hour", "article_vote_window_hours": "2",
         "unsubscribe_confirmation": "yes", "mail_retry": "1"}
# Acknowledged submissions before each fault, and after it.
BEFORE_KILL, AFTER_RESTART, AFTER_PG = 24, 12, 12

SMTP = None
NODES = []
SENDERS = {}    # node -> its `privforms mail run` (subprocess.Popen)


def start_sender(node):
    """The node's outbox sender, its pid where tools/stack.sh stop finds
    it (run/mail.pid), so that the node's stop ends it too, its sanitizer
    reports where teardown looks."""
    log = open(os.path.join(node.dir, "run", "mail.log"), "ab")
    p = subprocess.Popen([os.path.join(SRC, "tools", "privforms"),
                          "--config", node.conf, "mail", "run"],
                         stdout=log, stderr=log, env=program_env(node))
    log.close()
    with open(os.path.join(node.dir, "run", "mail.pid"), "w") as f:
        f.write("%d\n" % p.pid)
    SENDERS[node] = p


def setUpModule():
    global SMTP
    if not POSTGRESQL:
        return
    SMTP = Server().start()
    a = Site(config=mail_config(SMTP, **GUARD)).start()
    NODES.append(a)
    NODES.append(Site(config=mail_config(SMTP, **GUARD), node_of=a).start())
    for node in NODES:
        start_sender(node)


def tearDownModule():
    if POSTGRESQL:
        try:
            teardown(*NODES, SMTP)
        finally:
            for p in SENDERS.values():
                p.kill()
                p.wait()


# ---- the database server and the senders ----

def a_node():
    return NODES[0]


def stop_postgresql():
    subprocess.run(["sh", os.path.join(SRC, "tools", "pgtest.sh"), "stop",
                    pg_server().dir], check=True, timeout=300)


def start_postgresql():
    subprocess.run(["sh", os.path.join(SRC, "tools", "pgtest.sh"), "start",
                    pg_server().dir], check=True, timeout=300)


def restart_postgresql():
    """pg_ctl's fast restart through tools/pgtest.sh: every session ended,
    the server back once it accepts connections."""
    stop_postgresql()
    start_postgresql()


def outbox_due(node):
    """How many queued messages are not sent yet."""
    return node.query("SELECT count(*) FROM outbox WHERE state IN "
                      "('queued', 'sending')")[0][0]


def outbox_sent(node):
    """Every queued message sent: how many there are (0 until then)."""
    return node.count("outbox") if outbox_due(node) == 0 else 0


def mail_logs():
    """What each node's sender has logged so far."""
    text = []
    for node in NODES:
        with open(os.path.join(node.dir, "run", "mail.log")) as f:
            text.append(f.read())
    return text


def sent_by(node):
    """How many messages node's sender has logged as sent."""
    with open(os.path.join(node.dir, "run", "mail.log")) as f:
        return len(re.findall(r"^privforms: mail \d+: sent ", f.read(), re.M))


def logged_since(before):
    """What the senders logged since mail_logs() gave before."""
    return "".join(now[len(then):] for now, then in zip(mail_logs(), before))


@unittest.skipUnless(POSTGRESQL, "the PostgreSQL server is restarted")
class Sender(unittest.TestCase):
    def test_an_outcome_is_recorded_once_the_database_is_back(self):
        # The server stops the moment the message is accepted, before the
        # sender records it: once it is back, the message is recorded as
        # sent, not left to its lease and sent again.
        a = a_node()
        wait_until(lambda: outbox_due(a) == 0, "earlier mail to be sent")
        before, logged = len(SMTP.messages), mail_logs()
        SMTP.on_accept = lambda: (setattr(SMTP, "on_accept", None),
                                  stop_postgresql())
        try:
            v = "record.%d@example.com" % os.getpid()
            self.assertEqual(a.post(LOAD["request"][0],
                                    LOAD["request"][1](v)).status, 303)
            SMTP.wait_for(before + 1)
            wait_until(lambda: re.search(r"outcome of 1 messages not "
                                         r"recorded", logged_since(logged)),
                       "the sender to fail recording it")
        finally:
            SMTP.on_accept = None
            start_postgresql()
        wait_until(lambda: a.query("SELECT state FROM outbox ORDER BY id "
                                   "DESC LIMIT 1") == [("sent",)],
                   "the message recorded as sent")
        self.assertEqual([r for m in SMTP.messages[before:]
                          for r in m.rcpt_tos], [v])


# ---- faults ----

def kill_node(node):
    """SIGKILL to all of a node at once, as a host that dies: nginx and
    its worker, each pool's multiwatch and workers (a process group each),
    the sender.  Returns once none of them runs."""
    run = os.path.join(node.dir, "run")
    victims = descendants([read_pid(os.path.join(run, name))
                           for name in os.listdir(run)
                           if name.endswith(".pid")])
    for name in os.listdir(run):
        if name.endswith(".pool"):
            pid = read_pid(os.path.join(run, name[:-5] + ".pid"))
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    SENDERS.pop(node).wait(timeout=30)
    wait_until(lambda: not any(pid_alive(p) for p in victims),
               "the killed node's processes to end")
    for name in os.listdir(run):
        if name.endswith((".pid", ".sock", ".pool")):
            os.unlink(os.path.join(run, name))
    node.started = False


@contextlib.contextmanager
def no_claim_held(node):
    """For a with block, no sender holds a claimed message, and none can
    claim one: the outbox locked against every change, taken once no
    message is being sent (polled: a claim lasts one SMTP session).

    A sender killed holding claims leaves them leased (sender.h): they
    are sent after the lease ends (smtp_timeout x 50 + 60 s), maybe twice,
    which the fault test would have to wait for; it kills a node at a
    moment that is not that."""
    con = node.connect()

    def free():
        con.execute("LOCK TABLE outbox IN SHARE ROW EXCLUSIVE MODE")
        if con.execute("SELECT count(*) FROM outbox WHERE state = "
                       "'sending'").fetchone()[0] == 0:
            return True
        con.rollback()
        return False
    try:
        wait_until(free, "a moment no message is being sent")
        yield
        con.commit()
    finally:
        con.close()


# ---- load ----

class Load:
    """Posts from threads to both nodes until stop(): each submission's
    form, node, value and answer ("ack", an HTTP status, or "down")."""

    def __init__(self):
        self.done = []
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.values = itertools.count(1)
        self.threads = [threading.Thread(target=self.run, args=(i, node))
                        for i, node in enumerate(NODES + NODES)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.halt.set()
        for t in self.threads:
            t.join(timeout=120)

    def value(self, form):
        n = next(self.values)
        if form == "do-not-call":
            return "(303) 749-%04d" % n
        return "node.%d.%d@example.com" % (os.getpid(), n)

    def run(self, i, node):
        forms = itertools.cycle(sorted(LOAD)[i % 3:] + sorted(LOAD)[:i % 3])
        stamps = {}
        while not self.halt.is_set():
            form = next(forms)
            path, fields, done = LOAD[form][:3]
            v = self.value(form)
            try:
                if stamps.get(form) is None:
                    stamps[form] = stamp_of(node.get(path).text)
                f = dict(fields(v), pf_stamp=stamps[form])
                r = node.post(path, f, stamp=False)
                got = "ack" if r.status == 303 and \
                    (r.header("location") or "").startswith(done) \
                    else r.status
            except OSError:
                got = "down"
                # Until it listens again (or the load ends).
                wait_tcp(node.port, alive=lambda: not self.halt.is_set())
            with self.lock:
                self.done.append((form, node, v, got))

    def acks(self, node=None, since=0):
        with self.lock:
            return sum(1 for form, n, v, got in self.done[since:]
                       if got == "ack" and node in (None, n))

    def mark(self):
        with self.lock:
            return len(self.done)


@unittest.skipUnless(POSTGRESQL, "several nodes share a PostgreSQL database")
class Faults(unittest.TestCase):
    def test_a_node_killed_and_the_server_restarted_lose_nothing(self):
        a, b = NODES
        mail = (a.count("outbox"), len(SMTP.messages))
        load = Load().start()
        try:
            wait_until(lambda: load.acks() >= BEFORE_KILL,
                       "submissions before the kill")
            with no_claim_held(a):
                kill_node(b)
            mark, sent = load.mark(), sent_by(b)
            b.start()
            start_sender(b)
            # Its sender too: one that finds the server down as it starts
            # exits, for systemd to start again (privforms-mail.service).
            wait_until(lambda: load.acks(b, mark) >= AFTER_RESTART and
                       sent_by(b) > sent,
                       "submissions and mail through the restarted node")
            mark = load.mark()
            restart_postgresql()
            wait_until(lambda: min(load.acks(a, mark), load.acks(b, mark))
                       >= AFTER_PG,
                       "submissions through both nodes after the restart")
        finally:
            load.stop()
        # Each sender rode the faults out (its node's kill aside).
        self.assertEqual([p.poll() for p in SENDERS.values()], [None, None])
        self.stored_once(load.done)
        # The senders write a record for each message they send: the
        # chain is complete once the outbox is.
        wait_until(lambda: outbox_sent(a_node()), "the outbox to be sent")
        self.chain_verifies()
        self.mail_sent_once(load.done, mail)

    def stored_once(self, done):
        answers = collections.Counter(got for *_, got in done)
        self.assertGreater(answers["ack"], BEFORE_KILL, answers)
        for form, node, v, got in done:
            n = a_node().query(LOAD[form][3], (v,))[0][0]
            if got == "ack":
                self.assertEqual(n, 1, (form, v, answers))
            else:
                self.assertLessEqual(n, 1, (form, v, got))

    def chain_verifies(self):
        for node in NODES:
            for args in (("audit", "sync"), ("audit", "verify")):
                p = node.privforms(*args, check=False)
                self.assertEqual(p.returncode, 0, (args, p.stderr))
        node = a_node()
        self.assertEqual(node.count("audit_pending"), 0)
        [(low, high, n)] = node.query("SELECT min(seq), max(seq), count(*) "
                                      "FROM audit")
        self.assertEqual((low, high), (1, n))
        # Nothing half-written: each stored submission has its record.
        for form, (*_, event, table) in LOAD.items():
            self.assertEqual(node.query("SELECT count(*) FROM audit WHERE "
                                        "event = ?", (event,))[0][0],
                             node.count(table), form)
        # Both nodes' audit directories hold every record's file.
        for node in NODES:
            self.assertEqual(len(node.audit_files()), n, node.dir)

    def mail_sent_once(self, done, before):
        """done's mail (the outbox had before[0] rows, the SMTP server
        before[1] messages) each sent once."""
        node = a_node()
        queued = wait_until(lambda: outbox_sent(node), "the outbox to be sent")
        self.assertEqual(node.query("SELECT count(*) FROM outbox WHERE "
                                    "state = 'sent'")[0][0], queued)
        messages = SMTP.wait_for(before[1] + queued - before[0])[before[1]:]
        self.assertEqual(len(messages), queued - before[0])
        to = collections.Counter(r for m in messages for r in m.rcpt_tos)
        self.assertEqual([r for r, k in to.items() if k > 1], [])
        for form, _, v, got in done:
            if got == "ack" and form == "request":
                self.assertEqual(to[v], 1, v)


# ---- the guard's memory is the site's ----

def challenge(node):
    r = node.get(FEEDBACK + "/challenge")
    if r.status != 200:
        raise AssertionError(r)
    c = json.loads(r.body)
    for n in range(c["maxnumber"] + 1):
        if hashlib.sha256((c["salt"] + str(n)).encode()).hexdigest() == \
                c["challenge"]:
            j = json.dumps({"algorithm": "SHA-256",
                            "challenge": c["challenge"], "number": n,
                            "salt": c["salt"], "signature": c["signature"]},
                           separators=(",", ":"))
            return base64.b64encode(j.encode()).decode()
    raise AssertionError("no solution for %r" % c)


_clients = itertools.count(1)


def client():
    """A client address of its own, as the proxy (127.0.0.1) reports it."""
    return "10.77.%d.%d" % divmod(next(_clients), 250)


def feedback(node, who, proof, stamp_from=None):
    """Feedback from client who with payload proof, with a stamp of the
    form page stamp_from (default node) showed who."""
    h = {"X-Forwarded-For": who}
    page = (stamp_from or node).get(FEEDBACK, headers=h)
    f = {"type": "compliment", "message": "Nice site", "rating": "great",
         "altcha": proof, "pf_stamp": stamp_of(page.text)}
    return node.post(FEEDBACK, f, headers=h, stamp=False)


def vote(node, who, article, helpful):
    return node.post(ARTICLE, {"article": article, "helpful": helpful},
                     headers={"X-Forwarded-For": who}, stamp=False)


@unittest.skipUnless(POSTGRESQL, "several nodes share a PostgreSQL database")
class Guard(unittest.TestCase):
    def test_a_proof_spent_on_one_node_is_spent_on_the_other(self):
        a, b = NODES
        proof = challenge(a)
        self.assertEqual(feedback(a, client(), proof).status, 303)
        before = a.count("feedback")
        r = feedback(b, client(), proof)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(a.count("feedback"), before)

    def test_a_limit_reached_through_one_node_holds_on_the_other(self):
        a, b = NODES
        who = client()
        for node in (a, b):
            self.assertEqual(feedback(node, who, challenge(node)).status, 303)
        before = a.count("feedback")
        r = feedback(b, who, challenge(b))
        self.assertEqual(r.status, 429, r)
        self.assertEqual(a.count("feedback"), before)
        self.assertEqual(feedback(b, client(), challenge(a)).status, 303)

    def test_one_nodes_stamp_is_taken_by_the_other(self):
        a, b = NODES
        r = feedback(b, client(), challenge(b), stamp_from=a)
        self.assertEqual(r.status, 303, r)

    def test_a_vote_window_spans_both_nodes(self):
        a, b = NODES
        who = client()
        self.assertEqual(vote(a, who, "nodes", "yes").status, 303)
        self.assertEqual(vote(b, who, "nodes", "no").status, 303)
        self.assertEqual(a.query("SELECT helpful FROM article_vote WHERE "
                                 "article = 'nodes'"), [(0,)])


if __name__ == "__main__":
    unittest.main()

