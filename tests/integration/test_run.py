"""`make run` (tools/run.sh) beside other work on one machine.

Each test runs tools/run.sh as `make run` does once it has built, in a
checkout of its own: a temporary directory whose cgi-bin, etc, htdocs and
tools are links into this tree, so that its ./var is its own.  Ctrl-C is
SIGINT to run.sh's process group, as a terminal sends it.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from harness import (SRC, free_port, http_request, sanitizer_reports,
                     _sanitizer_env)

FORM = "/privacy/unsubscribe"
RUNNING = "privforms is running"


def checkout(test):
    """A directory that run.sh takes for a source tree of its own."""
    d = tempfile.mkdtemp(prefix="privforms-run-")
    for name in ("cgi-bin", "etc", "htdocs", "tools"):
        os.symlink(os.path.join(SRC, name), os.path.join(d, name))
    test.addCleanup(shutil.rmtree, d, True)
    return d


def children(pid):
    """Pids whose parent is pid."""
    out = set()
    for d in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % d) as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.add(int(d))
        except (OSError, IndexError, ValueError):
            continue
    return out


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


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

    def pid(self, name):
        with open(os.path.join(self.var, "run", name + ".pid")) as f:
            return int(f.read())

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
        left = [p for p in set(pools) | workers if alive(p)]
        self.assertEqual(left, [], run.output())


if __name__ == "__main__":
    unittest.main()
