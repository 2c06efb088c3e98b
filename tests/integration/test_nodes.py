"""Several web nodes on one PostgreSQL database (issue 21; INSTALL,
"Several web nodes"): two complete stacks, each its own nginx, FastCGI
pools, directory, audit files and outbox sender (`privforms mail run`),
sharing the database and the key, as two hosts behind a load balancer.

The sender test stops the server the moment the SMTP server accepts a
message, before its sender can record it: once the server is back the
message is recorded as sent, not left to its lease and sent again.

PostgreSQL only (PRIVFORMS_TEST_BACKEND=postgresql): an SQLite file is
one host's.
"""

import os
import re
import subprocess
import unittest

from harness import (POSTGRESQL, SRC, Site, mail_config, pg_server,
                     teardown, wait_until)
from smtp_server import Server

P = "/privacy"
# A form, where it is posted, what its fields are for a fresh value, the
# done page an acknowledged post is sent to, and where the value is stored
# with the audit event its submission records.
LOAD = {
    "request": (P + "/request",
                lambda v: {"type": "access", "relationship": "customer",
                           "first_name": "Ada", "last_name": "Lovelace",
                           "email": v, "country": "DE"},
                P + "/request?sent",
                "SELECT count(*) FROM request WHERE email = ?",
                "request-received", "request"),
}
# Both nodes' configuration.
GUARD = {"mail_retry": "1"}

SMTP = None
NODES = []
SENDERS = {}    # node -> its `privforms mail run` (subprocess.Popen)


def start_sender(node):
    """The node's outbox sender, its pid where tools/stack.sh stop finds
    it (run/mail.pid), so that the node's stop ends it too."""
    log = open(os.path.join(node.dir, "run", "mail.log"), "ab")
    p = subprocess.Popen([os.path.join(SRC, "tools", "privforms"),
                          "--config", node.conf, "mail", "run"],
                         stdout=log, stderr=log)
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


def outbox_due(node):
    """How many queued messages are not sent yet."""
    return node.query("SELECT count(*) FROM outbox WHERE state IN "
                      "('queued', 'sending')")[0][0]


def mail_logs():
    """What each node's sender has logged so far."""
    text = []
    for node in NODES:
        with open(os.path.join(node.dir, "run", "mail.log")) as f:
            text.append(f.read())
    return text


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
