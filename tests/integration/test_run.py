"""`make run` (tools/run.sh) beside other work on one machine.

Each test runs tools/run.sh as `make run` does once it has built, in a
checkout of its own: a temporary directory whose cgi-bin, etc, htdocs and
tools are links into this tree, so that its ./var is its own.  Ctrl-C is
SIGINT to run.sh's process group, as a terminal sends it.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import uuid

from harness import (GUARD_OFF, SRC, children, free_port, http_request,
                     pid_alive, sanitizer_reports, stamp_of, _sanitizer_env)

FORM = "/privacy/unsubscribe"
RUNNING = "privforms is running"


def checkout(test):
    """A directory that run.sh takes for a source tree of its own."""
    d = tempfile.mkdtemp(prefix="privforms-run-")
    for name in ("cgi-bin", "etc", "htdocs", "tools"):
        os.symlink(os.path.join(SRC, name), os.path.join(d, name))
    test.addCleanup(shutil.rmtree, d, True)
    return d


def relaxed(tree):
    """tree/var/privforms.conf as make run writes it, with the guard
    relaxed as for every integration test (harness.GUARD_OFF), so that a
    test can post at once."""
    os.makedirs(os.path.join(tree, "var"))
    settings = dict(prefix="/privacy", database="privforms.db",
                    key_file="secret.key", audit_dir="audit", site_dir="site",
                    templates=os.path.join(SRC, "htdocs"),
                    laws_file=os.path.join(SRC, "etc", "privacy-laws.tsv"),
                    audit_schema=os.path.join(SRC, "etc", "audit.xsd"),
                    base_url="http://127.0.0.1:8080", **GUARD_OFF)
    with open(os.path.join(tree, "var", "privforms.conf"), "w") as f:
        f.writelines("%s = %s\n" % kv for kv in settings.items())


def read(path):
    with open(path) as f:
        return f.read()


def listener(test):
    """A port something else listens on, for as long as test runs."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    test.addCleanup(s.close)
    return s.getsockname()[1]


def wait(test, what, timeout=60, message=None):
    """Wait until what() is true, for at most timeout seconds."""
    deadline = time.monotonic() + timeout
    while not what():
        if time.monotonic() > deadline:
            test.fail(message() if callable(message) else message)
        time.sleep(0.1)


class Run:
    """bash tools/run.sh in tree (a checkout), with env added to ours.
    owner: it may stop what is left under tree/var when the test ends."""

    def __init__(self, test, tree, owner=True, **env):
        self.test, self.tree, self.owner = test, tree, owner
        self.var = os.path.join(tree, "var")
        self.port = int(env.get("PORT", 8080))
        full = dict(os.environ, PRIVFORMS_ENV=_sanitizer_env(tree))
        for k in ("PORT", "SMTP_PORT"):
            full.pop(k, None)
        full.update({k: str(v) for k, v in env.items()})
        fd, self.log = tempfile.mkstemp(prefix="run-", suffix=".log", dir=tree)
        self.proc = subprocess.Popen(
            ["bash", os.path.join(tree, "tools", "run.sh")], cwd=tree,
            env=full, stdin=subprocess.DEVNULL, stdout=fd,
            stderr=subprocess.STDOUT, start_new_session=True)
        os.close(fd)
        test.addCleanup(self.cleanup)

    def output(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def wait_running(self):
        wait(self.test, lambda: RUNNING in self.output() or
             self.proc.poll() is not None, 180, self.output)
        self.test.assertIsNone(self.proc.poll(), self.output())

    def wait_exit(self, timeout=60):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.test.fail("run.sh still runs:\n" + self.output())

    def get(self, path=FORM):
        return http_request(self.port, "GET", path, timeout=30)

    def unsubscribe_with_confirmation(self, address):
        page = self.get()
        self.test.assertEqual(page.status, 200, page)
        body = urllib.parse.urlencode({
            "channel": "email", "email": address, "confirm": "yes",
            "pf_stamp": stamp_of(page.text)}).encode()
        r = http_request(self.port, "POST", FORM, body, {
            "Content-Type": "application/x-www-form-urlencoded"})
        self.test.assertEqual(r.status, 303, r)

    def mail(self):
        """The messages in ./var/mail/new, as text."""
        out = []
        for path in glob.glob(os.path.join(self.var, "mail", "new", "*")):
            with open(path, errors="replace") as f:
                out.append(f.read())
        return out

    def setting(self, key):
        with open(os.path.join(self.var, "privforms.conf")) as f:
            for line in f:
                k, _, v = line.partition("=")
                if k.strip() == key:
                    return v.strip()
        return None

    def refused(self, *words):
        """run.sh stopped before starting anything, saying words."""
        self.test.assertNotEqual(self.wait_exit(), 0, self.output())
        out = self.output()
        self.test.assertNotIn(RUNNING, out)
        for w in words:
            self.test.assertIn(w, out)
        self.test.assertEqual(glob.glob(os.path.join(self.var, "run", "*.pid")),
                              [], out)

    def pid(self, name):
        return int(read(os.path.join(self.var, "run", name + ".pid")))

    def interrupt(self):
        """Ctrl-C: its exit status."""
        os.killpg(self.proc.pid, signal.SIGINT)
        return self.wait_exit()

    def cleanup(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.owner and os.path.isdir(os.path.join(self.var, "run")):
            subprocess.run(["bash", os.path.join(self.tree, "tools", "stack.sh"),
                            "stop", self.var], timeout=120, check=False)
        reports = sanitizer_reports(self.tree)
        if reports:
            raise AssertionError("sanitizer reports:\n" + "\n".join(reports))


class Pools(unittest.TestCase):
    def test_a_pool_that_dies_is_started_again(self):
        run = Run(self, checkout(self), PORT=free_port(), SMTP_PORT=free_port())
        run.wait_running()
        self.assertEqual(run.get().status, 200)
        # The whole pool: multiwatch and its workers, as an OOM kill or a
        # careless kill might leave it.
        pool = run.pid("unsubscribe")
        for pid in {pool} | children(pool):
            os.kill(pid, signal.SIGKILL)
        wait(self, lambda: "unsubscribe pool had stopped" in run.output(), 60,
             lambda: "make run did not notice:\n" + run.output())
        wait(self, lambda: run.get().status == 200, 60, run.output)
        self.assertNotEqual(run.pid("unsubscribe"), pool)
        # Ctrl-C ends everything it started, the new pool's workers too.
        pools = [run.pid(n) for n in ("unsubscribe", "feedback")]
        workers = set().union(*(children(p) for p in pools))
        self.assertTrue(workers)
        self.assertEqual(run.interrupt(), 0, run.output())
        left = [p for p in set(pools) | workers if pid_alive(p)]
        self.assertEqual(left, [], run.output())


class Ports(unittest.TestCase):
    def test_two_checkouts_each_get_their_own_mail(self):
        # Without SMTP_PORT each catcher gets a free port of its own (it
        # was 8025 for both, so the second one's mail went to the first).
        runs = []
        for _ in range(2):
            tree = checkout(self)
            relaxed(tree)
            # One after the other: the second's port is picked once the
            # first's listen, which a port picked before could be.
            runs.append(Run(self, tree, PORT=free_port()))
            runs[-1].wait_running()
        ports = [run.setting("smtp_port") for run in runs]
        self.assertNotEqual(ports[0], ports[1])
        for run, port in zip(runs, ports):
            self.assertIn("127.0.0.1:%s" % port, run.output())
        addresses = ["run-%s@example.org" % uuid.uuid4().hex[:8] for _ in runs]
        for run, address in zip(runs, addresses):
            run.unsubscribe_with_confirmation(address)
        for run, address, other in zip(runs, addresses, reversed(addresses)):
            wait(self, lambda: any(address in m for m in run.mail()), 90,
                 lambda: "no mail in %s:\n%s" % (run.var, run.output()))
            self.assertFalse(any(other in m for m in run.mail()))

    def test_smtp_port_in_use_is_refused_before_anything_starts(self):
        taken = listener(self)
        run = Run(self, checkout(self), PORT=free_port(), SMTP_PORT=taken)
        run.refused("127.0.0.1:%d is in use" % taken, "SMTP_PORT")

    def test_port_in_use_is_refused_before_anything_starts(self):
        taken = listener(self)
        run = Run(self, checkout(self), PORT=taken)
        run.refused("127.0.0.1:%d is in use" % taken, "PORT=")
        self.assertFalse(os.path.exists(os.path.join(run.var, "privforms.conf")))


class Checkpoints(unittest.TestCase):
    def test_a_checkpoint_at_start_then_every_audit_checkpoint_minutes(self):
        tree = checkout(self)
        relaxed(tree)
        with open(os.path.join(tree, "var", "privforms.conf"), "a") as f:
            f.write("audit_checkpoint_minutes = 1\n")
        run = Run(self, tree, PORT=free_port())
        run.wait_running()
        ckdir = os.path.join(run.var, "audit", "checkpoints")
        first = os.path.join(ckdir, "000000000000.txt")
        wait(self, lambda: os.path.exists(first), 60, run.output)
        loop = run.pid("checkpoint")
        run.unsubscribe_with_confirmation("run-ckpt@example.org")
        # The next run of the loop, a minute on, signs the new records.
        wait(self, lambda: len([n for n in os.listdir(ckdir)
                                if n != "latest.txt"]) > 1, 150,
             lambda: "no second checkpoint:\n" + run.output())
        # Ctrl-C ends the loop and the sleep it waits on.
        waiting = children(loop)
        self.assertEqual(run.interrupt(), 0, run.output())
        self.assertEqual([p for p in {loop} | waiting if pid_alive(p)], [],
                         run.output())


class Var(unittest.TestCase):
    def test_a_second_run_of_one_tree_is_refused_and_the_first_serves_on(self):
        tree = checkout(self)
        first = Run(self, tree, PORT=free_port())
        first.wait_running()
        pids = sorted(glob.glob(os.path.join(first.var, "run", "*.pid")))
        before = {p: read(p) for p in pids}
        second = Run(self, tree, owner=False, PORT=free_port(),
                     SMTP_PORT=free_port())
        second.wait_exit()
        out = second.output()
        self.assertNotEqual(second.proc.returncode, 0, out)
        self.assertNotIn(RUNNING, out)
        self.assertIn("in use by another make run", out)
        self.assertEqual({p: read(p) for p in pids}, before)
        self.assertEqual(first.get().status, 200)
        self.assertIsNone(first.proc.poll(), first.output())


if __name__ == "__main__":
    unittest.main()
