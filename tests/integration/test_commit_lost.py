"""A connection to PostgreSQL lost while a submission commits (issue 21:
a request that can still be answered is answered).

The site reaches its database through a proxy of the test's own, which
passes PostgreSQL's protocol through untouched until it is told to cut
the next COMMIT: after the server has committed it and before the answer
reaches the form ("after"), or before the server gets it ("before").  A
commit that happened is answered as stored (the program asks the server
what became of its transaction, lib/store_pg.c), not with "try again",
which would have the visitor send it a second time; one that did not is
answered "try again" and nothing is stored.

PostgreSQL only (PRIVFORMS_TEST_BACKEND=postgresql).
"""

import os
import select
import socket
import tempfile
import threading
import unittest

from harness import POSTGRESQL, Site, pg_server, teardown, wait_until

SOCKET = ".s.PGSQL.5432"
# The messages libpq sends for a COMMIT: the simple query of
# PQexec(conn, "COMMIT"), or, when it goes with the statements sent ahead
# of it (lib/store_pg.c's pipeline), the Parse of an unnamed statement
# "COMMIT" with no parameter; and the server's CommandComplete for either
# (PostgreSQL's protocol, "Message Formats").
COMMIT_QUERIES = (b"Q\x00\x00\x00\x0bCOMMIT\x00",
                  b"P\x00\x00\x00\x0e\x00COMMIT\x00\x00\x00")
COMMIT_DONE = b"C\x00\x00\x00\x0bCOMMIT\x00"


class Proxy:
    """A Unix socket in a directory of its own that forwards each
    connection to the test server's; cut() arms it to drop the next
    connection that sends a COMMIT, "after" or "before" the server has
    it.  cuts counts the connections it dropped."""

    def __init__(self, server_dir):
        self.dir = tempfile.mkdtemp(prefix="pf-proxy-")
        self.target = os.path.join(server_dir, SOCKET)
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(os.path.join(self.dir, SOCKET))
        self.listener.listen(64)
        self.lock = threading.Lock()
        self.armed = None
        self.cuts = 0
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self, when):
        with self.lock:
            self.armed = when

    def _take(self, data):
        """The armed mode, disarmed, when data holds a COMMIT."""
        with self.lock:
            when = self.armed if any(q in data for q in COMMIT_QUERIES) \
                else None
            if when:
                self.armed = None
            return when

    def _accept(self):
        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.socket(socket.AF_UNIX)
            server.connect(self.target)
            threading.Thread(target=self._pipe, args=(client, server),
                             daemon=True).start()

    def _pipe(self, client, server):
        cutting = None
        try:
            while True:
                ready, _, _ = select.select([client, server], [], [])
                if client in ready:
                    data = client.recv(65536)
                    if not data:
                        return
                    cutting = cutting or self._take(data)
                    if cutting == "before":
                        return
                    server.sendall(data)
                if server in ready:
                    data = server.recv(65536)
                    if not data:
                        return
                    if cutting == "after" and COMMIT_DONE in data:
                        return
                    client.sendall(data)
        except OSError:
            pass
        finally:
            if cutting:
                with self.lock:
                    self.cuts += 1
            client.close()
            server.close()

    def stop(self):
        self.stopped = True
        self.listener.close()


SITE = PROXY = None


def setUpModule():
    global SITE, PROXY
    if not POSTGRESQL:
        return
    PROXY = Proxy(pg_server().dir)
    SITE = Site(workers=1)
    # The programs (the web role) through the proxy; the owner's init and
    # the privforms command straight to the server.
    os.replace(SITE.conf_with(
        "proxied.conf", database="postgresql:///%s?host=%s&user=privforms_web"
        % (SITE.db_name, PROXY.dir)), SITE.conf)
    SITE.start()


def tearDownModule():
    if PROXY is not None:
        PROXY.stop()
    if SITE is not None:
        teardown(SITE)


@unittest.skipUnless(POSTGRESQL, "a PostgreSQL connection is cut")
class CommitLost(unittest.TestCase):

    def unsubscribe(self, address):
        return SITE.post("/privacy/unsubscribe",
                         {"channel": "email", "email": address})

    def stored(self, address):
        return SITE.query("SELECT count(*) FROM optout WHERE address = ?",
                          (address,))[0][0]

    def cut_unsubscribe(self, when, address):
        """Unsubscribe address with the proxy cutting its COMMIT when."""
        cuts = PROXY.cuts
        PROXY.cut(when)
        r = self.unsubscribe(address)
        self.assertEqual(PROXY.cuts, cuts + 1, "no COMMIT was cut")
        return r

    def test_a_commit_that_happened_is_answered_as_stored(self):
        r = self.cut_unsubscribe("after", "after@example.com")
        self.assertEqual(r.status, 303, r)
        self.assertRegex(r.header("location"),
                         r"^/privacy/unsubscribe\?done=[\w.-]+$")
        self.assertEqual(self.stored("after@example.com"), 1)
        # Its record is sealed into the chain as any other.
        wait_until(lambda: SITE.count("audit_pending") == 0,
                   "the record sealed")
        SITE.privforms("audit", "verify")

    def test_a_commit_that_did_not_happen_says_try_again(self):
        r = self.cut_unsubscribe("before", "before@example.com")
        self.assertEqual(r.status, 503, r)
        self.assertEqual(self.stored("before@example.com"), 0)
        r = self.unsubscribe("before@example.com")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(self.stored("before@example.com"), 1)

if __name__ == "__main__":
    unittest.main()
