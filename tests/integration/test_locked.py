"""A database another process holds locked (issue 27, item 10).

A second process holds BEGIN EXCLUSIVE on the site's database, as
`sqlite3 privforms.db` with `BEGIN EXCLUSIVE;` would, until the test
releases it.  A form page needs no database: it answers while the lock is
still held, also from a worker that starts meanwhile and as plain CGI.  A
submission answers 503 with the form kept within busy_timeout_ms, stores
nothing, and goes through once the lock is released.

No timing thresholds: "answered while the lock is held" is the order of
two events (the answer, then the release), and a wait for an answer that
would come only after the release ends at a deadline far longer than any
page takes and shorter than the busy timeout the site is given.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import unittest

from harness import (Site, SRC, cgi_status, children, read_pid, sqlite_only,
                     teardown)

FORM = "/privacy/unsubscribe"
# Far longer than a page takes on a loaded machine, and shorter than the
# busy timeout of LockedAtStart's site, so a page that waits for the lock
# is still waiting then.
PAGE_DEADLINE = 20

LOCKER = r"""
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
con.execute("BEGIN " + sys.argv[2])
print("locked", flush=True)
sys.stdin.readline()
con.execute("ROLLBACK")
con.close()
print("released", flush=True)
"""


class Lock:
    """BEGIN mode (EXCLUSIVE: no reader either; IMMEDIATE: no other
    writer) on path from another process, held until release()."""

    def __init__(self, path, mode="EXCLUSIVE"):
        self.proc = subprocess.Popen([sys.executable, "-c", LOCKER, path, mode],
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if line != "locked\n":
            self.proc.kill()
            raise AssertionError("the lock was not taken: %r" % line)
        self.held = True

    def release(self):
        if self.held:
            self.held = False
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            assert self.proc.stdout.readline() == "released\n"
            self.proc.wait(60)


class Answer(threading.Thread):
    """fn() in a thread; .result once done, and whether the lock was
    still held at that moment (the order of the two events)."""

    def __init__(self, fn, lock):
        super().__init__(daemon=True)
        self.fn, self.lock = fn, lock
        self.result = self.error = None
        self.while_held = None

    def run(self):
        try:
            self.result = self.fn()
        except Exception as e:      # reported by the test, not the thread
            self.error = e
        self.while_held = self.lock.held

    def wait(self, what):
        """The result, which must have come while the lock was held."""
        self.join(PAGE_DEADLINE)
        answered = not self.is_alive()
        self.lock.release()
        self.join(120)
        if self.error is not None:
            raise self.error
        if not answered or not self.while_held:
            raise AssertionError("%s waited for the lock" % what)
        return self.result


@sqlite_only("the busy lock: another writer holding the database file")
class LockedAtStart(unittest.TestCase):
    """Workers that start while the lock is held (a pool restarting one,
    plain CGI) serve form pages at once."""

    @classmethod
    def setUpClass(cls):
        # The longest busy timeout there is: a worker that waits for the
        # lock at start-up is still waiting at PAGE_DEADLINE.
        cls.site = Site(config={"busy_timeout_ms": "30000"}, workers=1).start()

    @classmethod
    def tearDownClass(cls):
        teardown(cls.site)

    def setUp(self):
        self.assertEqual(self.site.get(FORM).status, 200)
        self.lock = Lock(self.site.db_path)
        self.addCleanup(self.lock.release)

    def test_a_worker_started_under_the_lock_shows_the_form(self):
        pool = read_pid(os.path.join(self.site.dir, "run", "unsubscribe.pid"))
        old = children(pool)
        self.assertEqual(len(old), 1, old)
        # Wait for a worker that is not the killed one: the killed one is
        # listed until it is gone, and a request sent meanwhile could be
        # accepted by it just before it dies (a 502).
        os.kill(next(iter(old)), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while not children(pool) - old:
            self.assertLess(time.monotonic(), deadline, "no new worker")
            time.sleep(0.02)
        a = Answer(lambda: self.site.get(FORM), self.lock)
        a.start()
        r = a.wait("the form page of a new worker")
        self.assertEqual(r.status, 200, r)
        self.assertIn('name="email"', r.text)

    def test_a_page_that_reads_answers_503_without_waiting_it_out(self):
        self.lock.release()
        r = self.site.post("/privacy/feedback", {"type": "compliment",
                                                 "rating": "great"})
        self.assertEqual(r.status, 303, r)
        self.lock = Lock(self.site.db_path)
        self.addCleanup(self.lock.release)
        a = Answer(lambda: self.site.get(r.header("Location")), self.lock)
        a.start()
        r = a.wait("feedback's step 2")
        self.assertEqual(r.status, 503, r)
        self.assertEqual(r.header("Retry-After"), "60")

    def test_plain_cgi_shows_the_form(self):
        env = {"PATH": "/usr/bin:/bin", "PRIVFORMS_CONFIG": self.site.conf,
               "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET",
               "SCRIPT_NAME": FORM, "REMOTE_ADDR": "127.0.0.1"}
        env.update({k: v for k, v in os.environ.items()
                    if k.endswith("SAN_OPTIONS")})
        prog = os.path.join(SRC, "cgi-bin", "unsubscribe.fcgi")
        a = Answer(lambda: subprocess.run([prog], env=env, input=b"",
                                          capture_output=True, timeout=120),
                   self.lock)
        a.start()
        p = a.wait("the form page as plain CGI")
        self.assertEqual(cgi_status(p.stdout), 200, p.stdout[:300])


@sqlite_only("the busy lock: another writer holding the database file")
class Submissions(unittest.TestCase):
    """A submission under the lock: 503 with the form kept, nothing
    stored; the same submission after the release: 303, stored once."""

    @classmethod
    def setUpClass(cls):
        cls.site = Site(config={"busy_timeout_ms": "1000"}).start()

    @classmethod
    def tearDownClass(cls):
        teardown(cls.site)

    def test_busy_answers_503_then_the_same_post_goes_through(self):
        for mode in ("EXCLUSIVE", "IMMEDIATE"):
            with self.subTest(mode=mode):
                self.busy_then_through(mode, "held-%s@example.com" % mode.lower())

    def busy_then_through(self, mode, address):
        fields = {"channel": "email", "email": address}
        self.site.stamp(FORM)       # fetched before the lock, as a visitor has
        records = self.site.count("audit")
        optouts = self.site.count("optout")
        lock = Lock(self.site.db_path, mode)
        self.addCleanup(lock.release)
        r = self.site.post(FORM, fields)
        page = self.site.get(FORM)
        held = lock.held
        lock.release()
        self.assertTrue(held)
        self.assertEqual(r.status, 503, r)
        self.assertEqual(r.header("Retry-After"), "60")
        self.assertIn("Nothing was stored", r.text)
        self.assertIn('value="%s"' % address, r.text)
        self.assertEqual(page.status, 200, page)
        # Nothing half-written: no opt-out, no record, no file.
        self.assertEqual(self.site.count("optout"), optouts)
        self.assertEqual(self.site.count("audit"), records)
        self.assertEqual(len(self.site.audit_files()), records)
        r = self.site.post(FORM, fields)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(self.site.count("optout"), optouts + 1)
        self.assertEqual(self.site.count("audit"), records + 1)
        self.assertEqual(len(self.site.audit_files()), records + 1)


if __name__ == "__main__":
    unittest.main()
