"""The systemd units (etc/systemd), as `make install` installs them.

systemd is not PID 1 here (a container, and CI likewise), so the units are
checked in three ways:

- `systemd-analyze verify` loads them as systemd would, offline, from the
  installed tree (it checks every key and that each command exists);
- the unit's own ExecStart line runs under systemd-socket-activate, which
  in its non-accept --inetd mode binds the socket, waits for the first
  connection and execs the command with the listening socket as standard
  input, as StandardInput=socket does, and standard output and error
  together (the journal's place);
- their text: the socket's mode and group, Unix sockets only, and the
  sandbox keys of every service.

Every check runs against one tree made by `make install` with every
directory under a temporary one and `privforms init` done, so the paths
in the units are the installed ones.
"""

import os
import pwd
import re
import shlex
import shutil
import signal
import sqlite3
import stat
import struct
import subprocess
import tempfile
import time
import unittest

from harness import (GUARD_OFF, WAIT, children, fcgi_request, cgi_status,
                     stamp_of, install_tree, pid_alive, unix_listening, wait_until,
                     _sanitizer_env, sanitizer_reports)

FORM = "/privacy/unsubscribe"
PROGRAM = "unsubscribe"
PROGRAMS = ("unsubscribe", "do-not-call", "data-request", "feedback", "consent")
TREE = None     # the installed tree (Tree)
METRICS = "privforms-metrics.service"
# The checkpoint oneshots and their timers (tools/cmd_checkpoint.c).
CHECKPOINT = "privforms-checkpoint"
CHECKPOINT_DAY = "privforms-checkpoint-day"
ONESHOTS = (CHECKPOINT + ".service", CHECKPOINT_DAY + ".service")
PROM_DIR = "/var/lib/prometheus/node-exporter"   # Debian's textfile directory


def parse_unit(path):
    """{(section, key): [values]} of a unit file: continuation lines
    joined, comments dropped, a key set twice keeps both values."""
    out, section, pending = {}, None, ""
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not pending and (not line.strip() or line.lstrip()[0] in "#;"):
                continue
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            line, pending = (pending + line).strip(), ""
            if line.startswith("["):
                section = line.strip("[]")
                continue
            key, value = line.split("=", 1)
            out.setdefault((section, key.strip()), []).append(value.strip())
    return out


def one(unit, section, key):
    values = unit.get((section, key), [])
    if len(values) != 1:
        raise AssertionError("%s.%s: %r" % (section, key, values))
    return values[0]


def environment(unit):
    """The unit's Environment= assignments, as a dict."""
    env = {}
    for value in unit.get(("Service", "Environment"), []):
        for word in shlex.split(value):
            k, v = word.split("=", 1)
            env[k] = v
    return env


def exec_start(unit, instance, env):
    """The ExecStart command as systemd runs it for instance: %i and the
    unit's ${VAR} put in (systemd splits ${VAR} into words; $VAR alike)."""
    line = one(unit, "Service", "ExecStart").replace("%i", instance)
    line = re.sub(r"\$\{(\w+)\}|\$(\w+)",
                  lambda m: env[m.group(1) or m.group(2)], line)
    return shlex.split(line)


class Tree:
    """`make install` into a temporary directory, then `privforms init`."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="privforms-systemd-")
        self.usr = os.path.join(self.dir, "usr")
        self.unitdir = os.path.join(self.usr, "lib", "systemd", "system")
        self.conf = os.path.join(self.dir, "etc", "privforms", "privforms.conf")
        self.state = os.path.join(self.dir, "var", "lib", "privforms")
        self.run = os.path.join(self.dir, "run", "privforms")
        install_tree(self.dir)
        # The example configuration sets nothing; the guard is relaxed as
        # for every integration test (harness.GUARD_OFF).
        with open(self.conf, "a") as f:
            f.write("base_url = http://127.0.0.1\n")
            for k, v in GUARD_OFF.items():
                f.write("%s = %s\n" % (k, v))
        # The installed command finds its configuration by itself.
        subprocess.run([os.path.join(self.usr, "sbin", "privforms"), "init",
                        "--user", pwd.getpwuid(os.geteuid()).pw_name],
                       check=True, capture_output=True, timeout=60,
                       env=dict(os.environ, PRIVFORMS_CONFIG=""))

    def unit(self, name):
        return parse_unit(os.path.join(self.unitdir, name))

    def services(self):
        return sorted(n for n in os.listdir(self.unitdir) if n.endswith(".service"))

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def setUpModule():
    global TREE
    TREE = Tree()


def tearDownModule():
    TREE.remove()


class Units(unittest.TestCase):
    def test_systemd_analyze_verify_finds_nothing(self):
        if not shutil.which("systemd-analyze"):
            self.skipTest("systemd-analyze missing (Debian package systemd)")
        # Instances of the templates, for every program; the man pages the
        # units name are looked up in the tree.
        names = ["privforms@%s.%s" % (p, kind) for p in PROGRAMS
                 for kind in ("socket", "service")] + [
                     "privforms-mail.service", "privforms-metrics.service",
                     "privforms-metrics.timer"] + [
                         n + kind for n in (CHECKPOINT, CHECKPOINT_DAY)
                         for kind in (".service", ".timer")]
        env = dict(os.environ, SYSTEMD_UNIT_PATH=TREE.unitdir + ":",
                   MANPATH=os.path.join(TREE.usr, "share", "man") + ":")
        p = subprocess.run(["systemd-analyze", "verify"] + names, env=env,
                           capture_output=True, text=True, timeout=120)
        self.assertEqual((p.returncode, p.stdout + p.stderr), (0, ""))

    def test_socket_is_a_unix_socket_for_the_web_server_group_only(self):
        unit = TREE.unit("privforms@.socket")
        listen = unit[("Socket", "ListenStream")]
        self.assertEqual(listen, [TREE.run + "/%i.sock"])
        for key in ("ListenDatagram", "ListenSequentialPacket", "ListenFIFO"):
            self.assertNotIn(("Socket", key), unit)
        self.assertEqual(one(unit, "Socket", "SocketMode"), "0660")
        self.assertEqual(one(unit, "Socket", "SocketGroup"), "www-data")
        self.assertEqual(one(unit, "Socket", "SocketUser"), "privforms")
        self.assertEqual(one(unit, "Socket", "Accept"), "no")

    def test_every_service_is_sandboxed_and_unprivileged(self):
        wanted = {"NoNewPrivileges": "yes", "ProtectSystem": "strict",
                  "PrivateTmp": "yes", "ProtectHome": "yes",
                  "ReadWritePaths": TREE.state, "CapabilityBoundingSet": "",
                  "User": "privforms", "Group": "privforms", "UMask": "0027"}
        for name in TREE.services():
            if name == METRICS:
                continue    # a oneshot of its own: Metrics below
            unit = TREE.unit(name)
            got = {k: one(unit, "Service", k) for k in wanted}
            self.assertEqual(got, wanted, name)
            self.assertTrue(one(unit, "Service", "SyslogIdentifier")
                            .startswith("privforms-"), name)
            if name in ONESHOTS:
                continue    # run by a timer: Checkpoints below
            self.assertEqual(one(unit, "Service", "Restart"), "always", name)

    def test_form_service_takes_its_socket_on_standard_input(self):
        unit = TREE.unit("privforms@.service")
        self.assertEqual(one(unit, "Unit", "Requires"), "privforms@%i.socket")
        self.assertIn("privforms@%i.socket", one(unit, "Unit", "After").split())
        self.assertEqual(one(unit, "Service", "StandardInput"), "socket")
        self.assertEqual(one(unit, "Service", "RestrictAddressFamilies"), "AF_UNIX")
        self.assertEqual(one(unit, "Service", "KillMode"), "mixed")

    def test_commands_name_the_installed_programs(self):
        unit = TREE.unit("privforms@.service")
        env = environment(unit)
        self.assertEqual(env["PRIVFORMS_CONFIG"], TREE.conf)
        for p in PROGRAMS:
            argv = exec_start(unit, p, env)
            self.assertEqual(argv[:2], ["/usr/bin/multiwatch", "-f"])
            self.assertTrue(os.access(argv[-1], os.X_OK), argv)
        mail = TREE.unit("privforms-mail.service")
        self.assertEqual(shlex.split(one(mail, "Service", "ExecStart")),
                         [os.path.join(TREE.usr, "sbin", "privforms"), "mail", "run"])
        self.assertEqual(environment(mail)["PRIVFORMS_CONFIG"], TREE.conf)


    def test_mail_sender_has_a_whole_session_to_stop(self):
        # SIGTERM lets the session under way finish; killed before it has
        # recorded it, its messages go again when their lease ends.  A
        # session is up to ten messages, and each of its waits up to
        # smtp_timeout (30 s by default): the lease sender.c takes,
        # (10 + 4 x 10) x 30 s + 60 s.
        mail = TREE.unit("privforms-mail.service")
        stop = one(mail, "Service", "TimeoutStopSec")
        m = re.fullmatch(r"(\d+)(min|s)?", stop)
        self.assertIsNotNone(m, stop)
        seconds = int(m.group(1)) * (60 if m.group(2) == "min" else 1)
        self.assertGreaterEqual(seconds, (10 + 4 * 10) * 30 + 60)


class Metrics(unittest.TestCase):
    """privforms-metrics.service and its timer: read-only but for
    node_exporter's directory, and the file appears whole or not at all."""

    def test_a_sandboxed_oneshot_that_writes_only_node_exporters_directory(self):
        unit = TREE.unit(METRICS)
        wanted = {"Type": "oneshot", "NoNewPrivileges": "yes",
                  "ProtectSystem": "strict", "PrivateTmp": "yes",
                  "ProtectHome": "yes", "PrivateNetwork": "yes",
                  "ReadWritePaths": PROM_DIR,
                  "CapabilityBoundingSet": "CAP_DAC_READ_SEARCH",
                  "SyslogIdentifier": "privforms-metrics"}
        self.assertEqual({k: one(unit, "Service", k) for k in wanted}, wanted)
        self.assertEqual(environment(unit)["PROM_DIR"], PROM_DIR)
        # root, with ProtectHome: the team role's password is the
        # privforms user's (INSTALL, section 20)
        self.assertEqual(environment(unit)["PGPASSFILE"],
                         os.path.join(TREE.state, ".pgpass"))
        # and its CA for a remote server's certificate (section 22)
        self.assertEqual(environment(unit)["PGSSLROOTCERT"],
                         os.path.join(TREE.state, ".postgresql", "root.crt"))
        self.assertEqual(one(unit, "Unit", "ConditionPathIsDirectory"), PROM_DIR)
        timer = TREE.unit("privforms-metrics.timer")
        self.assertEqual(one(timer, "Timer", "OnUnitActiveSec"), "1min")
        self.assertEqual(one(timer, "Install", "WantedBy"), "timers.target")

    def run_unit(self, prom_dir, conf):
        """The unit's ExecStart as systemd runs it ($$ is a $), with its
        environment but PROM_DIR and PRIVFORMS_CONFIG."""
        unit = TREE.unit(METRICS)
        argv = shlex.split(one(unit, "Service", "ExecStart").replace("$$", "$"))
        env = dict(os.environ, **environment(unit))
        env.update(PROM_DIR=prom_dir, PRIVFORMS_CONFIG=conf)
        return subprocess.run(argv, env=env, capture_output=True, text=True,
                              timeout=120)

    def test_writes_the_snapshot_by_rename_and_keeps_the_last_on_failure(self):
        from test_metrics import parse
        d = tempfile.mkdtemp(prefix="privforms-prom-")
        self.addCleanup(shutil.rmtree, d, True)
        prom = os.path.join(d, "privforms.prom")
        p = self.run_unit(d, TREE.conf)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(os.listdir(d), ["privforms.prom"])
        with open(prom) as f:
            first = f.read()
        self.assertIn("privforms_database_size_bytes", parse(first))
        # A configuration naming no database: the run fails, the file stays.
        bad = os.path.join(d, "bad.conf")
        with open(bad, "w") as f:
            f.write("database = %s/none.db\n" % d)
        p = self.run_unit(d, bad)
        self.assertNotEqual(p.returncode, 0)
        with open(prom) as f:
            self.assertEqual(f.read(), first)


class Checkpoints(unittest.TestCase):
    """privforms-checkpoint.service every 10 minutes and
    privforms-checkpoint-day.service just after midnight UTC, each a
    oneshot started by its timer."""

    def run_unit(self, name):
        """The unit's ExecStart, with its environment (the tree's
        configuration): the CompletedProcess."""
        unit = TREE.unit(name)
        argv = shlex.split(one(unit, "Service", "ExecStart"))
        env = dict(os.environ, **environment(unit))
        return subprocess.run(argv, env=env, capture_output=True, text=True,
                              timeout=120)

    def test_timers_start_the_oneshots_on_the_clock(self):
        for name, args, calendar in (
                (CHECKPOINT, [], "*-*-* *:00/10:00 UTC"),
                (CHECKPOINT_DAY, ["--day-end"], "*-*-* 00:00:30 UTC")):
            with self.subTest(unit=name):
                unit = TREE.unit(name + ".service")
                self.assertEqual(one(unit, "Service", "Type"), "oneshot")
                self.assertEqual(one(unit, "Service", "PrivateNetwork"), "yes")
                self.assertEqual(
                    shlex.split(one(unit, "Service", "ExecStart")),
                    [os.path.join(TREE.usr, "sbin", "privforms"), "audit",
                     "checkpoint"] + args)
                timer = TREE.unit(name + ".timer")
                self.assertEqual(one(timer, "Timer", "OnCalendar"), calendar)
                self.assertEqual(one(timer, "Install", "WantedBy"),
                                 "timers.target")
        # A day-end missed while the machine was down is run at boot.
        self.assertEqual(one(TREE.unit(CHECKPOINT_DAY + ".timer"), "Timer",
                             "Persistent"), "true")

    def test_a_run_writes_a_checkpoint_and_the_next_finds_nothing_new(self):
        checkpoints = os.path.join(TREE.state, "audit", "checkpoints")
        p = self.run_unit(CHECKPOINT + ".service")
        self.assertEqual(p.returncode, 0, p.stderr)
        made = sorted(os.listdir(checkpoints))
        self.assertIn("latest.txt", made)
        p = self.run_unit(CHECKPOINT_DAY + ".service")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("nothing new", p.stdout)
        self.assertEqual(sorted(os.listdir(checkpoints)), made)


class Pool:
    """privforms@PROGRAM.service's ExecStart under systemd-socket-activate:
    the socket bound with the unit's mode, the command started on the
    first connection, its output (the journal's) in a file.  env: what
    `systemctl edit` would add to the unit's Environment=."""

    def __init__(self, program=PROGRAM, env=None):
        unit = TREE.unit("privforms@.service")
        sock_unit = TREE.unit("privforms@.socket")
        env = dict(environment(unit), **(env or {}))
        self.workers = int(env["WORKERS"])
        self.argv = exec_start(unit, program, env)
        self.sock = one(sock_unit, "Socket", "ListenStream").replace("%i", program)
        self.mode = int(one(sock_unit, "Socket", "SocketMode"), 8)
        os.makedirs(os.path.dirname(self.sock), exist_ok=True)
        os.chmod(os.path.dirname(self.sock),
                 int(one(sock_unit, "Socket", "DirectoryMode"), 8))
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        self.log_path = os.path.join(TREE.dir, "journal-%d.log" % time.monotonic_ns())
        self.sanitizer_dir = os.path.join(TREE.dir, "sanitizer")
        # The unit's environment, nothing inherited (as under systemd).
        run_env = {"PATH": "/usr/bin:/bin"}
        run_env.update(env)
        for word in _sanitizer_env(TREE.dir).split():
            k, v = word.split("=", 1)
            run_env[k] = v
        # systemd-socket-activate passes on only what -E names.
        setenv = ["-E%s=%s" % kv for kv in sorted(run_env.items())]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                ["systemd-socket-activate", "--inetd", "-l", self.sock] +
                setenv + ["--"] + self.argv, stdin=subprocess.DEVNULL,
                stdout=log, stderr=log, env=run_env)
        deadline = time.monotonic() + WAIT
        while not unix_listening(self.sock):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop(1)
                raise AssertionError("no socket: " + self.log())
            time.sleep(0.02)
        # What SocketMode= does; SocketGroup= too, where we may.
        os.chmod(self.sock, self.mode)

    def exe(self):
        return os.path.basename(os.readlink("/proc/%d/exe" % self.proc.pid))

    def children(self):
        """The main process's children that have not finished."""
        return children(self.proc.pid)

    def worker_pids(self):
        """The children running the program.  A child multiwatch has forked
        but not yet exec'd is none: a SIGUSR1 sent to it then reaches
        multiwatch's own handler (libev's) and is lost, and the program
        it becomes would never stop."""
        pids = set()
        for pid in self.children():
            try:
                if os.readlink("/proc/%d/exe" % pid) == self.argv[-1]:
                    pids.add(pid)
            except OSError:
                pass
        return pids

    def wait_workers(self, n, other_than=frozenset()):
        """Wait until n workers run, none of other_than among them."""
        def ready():
            pids = self.worker_pids()
            return pids if len(pids) == n and not pids & other_than else None
        try:
            return wait_until(ready, "%d workers" % n)
        except AssertionError as e:
            raise AssertionError("%s: %r, log: %s" % (e, self.children(),
                                                      self.log()))

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self, timeout=30, watch=frozenset()):
        """SIGTERM to the main process alone (KillMode=mixed): its exit
        status (None if it had to be killed) and those of the processes
        watch that it left running (killed now; once it is gone, its
        workers are no longer its children)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            status = None
        left = {p for p in watch | self.children() if pid_alive(p)}
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if os.path.exists(self.sock):
            os.unlink(self.sock)    # RemoveOnStop=yes
        return status, left


GET = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": FORM, "REMOTE_ADDR": "127.0.0.1"}
POST = {"REQUEST_METHOD": "POST", "SCRIPT_NAME": FORM, "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded"}

# One FCGI_PARAMS record whose name and value lengths are both 0x7ffffffe:
# Debian's libfcgi aborts the worker that reads it (CVE-2025-23016, half
# fixed); see test_unsubscribe.py.
_NV = struct.pack(">II", 0x7ffffffe | 0x80000000, 0x7ffffffe | 0x80000000)
CVE_RECORD = struct.pack(">BBHHBx", 1, 4, 1, len(_NV) + 8, 0) + _NV + b"\0" * 8


class SocketActivation(unittest.TestCase):
    def setUp(self):
        if not shutil.which("systemd-socket-activate"):
            self.skipTest("systemd-socket-activate missing (Debian package systemd)")
        self.pool = Pool()
        self.addresses = []     # every address a test sends

    def tearDown(self):
        status, _ = self.pool.stop()
        log = self.pool.log()
        self.assertEqual(status, 0, log)
        for address in self.addresses:
            self.assertNotIn(address, log)
        reports = sanitizer_reports(TREE.dir)
        self.assertEqual(reports, [])

    def get(self):
        out, done = fcgi_request(self.pool.sock, GET)
        self.assertTrue(done, self.pool.log())
        return cgi_status(out), out.decode("utf-8", "replace")

    def post(self, address):
        self.addresses.append(address)
        _, page = self.get()
        body = ("channel=email&email=%s&pf_stamp=%s" %
                (address, stamp_of(page))).encode()
        out, done = fcgi_request(self.pool.sock,
                                 dict(POST, CONTENT_LENGTH=str(len(body))), body)
        self.assertTrue(done, self.pool.log())
        return cgi_status(out)

    def stored(self, address):
        con = sqlite3.connect("file:%s?mode=ro" %
                              os.path.join(TREE.state, "privforms.db"), uri=True)
        try:
            return con.execute("SELECT channel, source FROM optout WHERE address = ?",
                               (address,)).fetchall()
        finally:
            con.close()

    def answered_after(self, dead):
        """The workers in dead are gone, a full pool is back, and the
        next request is answered."""
        self.pool.wait_workers(self.pool.workers, other_than=dead)
        self.assertEqual(self.get()[0], 200)

    def test_pool_starts_on_the_first_request(self):
        self.assertEqual(stat.S_IMODE(os.stat(self.pool.sock).st_mode), 0o660)
        self.assertEqual(self.pool.exe(), "systemd-socket-activate")
        status, page = self.get()
        self.assertEqual(status, 200, page[:300])
        self.assertIn('name="email"', page)
        self.assertEqual(self.pool.exe(), "multiwatch")
        self.pool.wait_workers(self.pool.workers)

    def test_post_is_stored_and_redirected(self):
        address = "systemd-post@example.com"
        self.assertEqual(self.post(address), 303)
        self.assertEqual(self.stored(address), [("email", "form")])

    def test_crafted_record_costs_a_worker_not_the_pool(self):
        self.get()
        before = self.pool.wait_workers(self.pool.workers)
        for _ in range(3):
            try:
                fcgi_request(self.pool.sock, raw_params=CVE_RECORD, timeout=3)
            except OSError:
                pass
        wait_until(lambda: not self.pool.worker_pids() >= before,
                   "a worker to die")
        self.answered_after(before - self.pool.worker_pids())
        self.assertEqual(self.post("systemd-cve@example.com"), 303)
        # What the worker and multiwatch said reached the journal's place.
        self.assertRegex(self.pool.log(), r"(?i)child\[\d+\]")

    def test_pool_never_gives_a_worker_up(self):
        # By default multiwatch gives a worker up after 4 deaths within
        # 10 s of a start, and exits once it has given up all of them: 16
        # crafted records emptied a pool of 4.  With the unit's -r, 20 in a
        # row cost 20 workers, and the pool still answers.
        self.get()
        for _ in range(20):
            try:
                fcgi_request(self.pool.sock, raw_params=CVE_RECORD, timeout=10)
            except OSError:
                pass
        self.assertIsNone(self.pool.proc.poll(), self.pool.log())
        self.pool.wait_workers(self.pool.workers)
        self.assertEqual(self.get()[0], 200)
        self.assertGreaterEqual(
            len(re.findall(r"(?i)child\[\d+\]", self.pool.log())), 20)

    def test_a_program_that_cannot_start_is_tried_once_a_second(self):
        # Never given up, and no busy loop either: a program whose
        # configuration cannot be read waits a second before it exits.
        self.pool.stop()
        self.pool = Pool(env={"WORKERS": "1",
                              "PRIVFORMS_CONFIG": TREE.conf + ".missing"})
        started = time.monotonic()
        self.assertFalse(fcgi_request(self.pool.sock, GET, timeout=1)[1])
        # Five starts (multiwatch's default would give up after four),
        # with a wait of a second at least after each of the first four.
        deadline = started + WAIT
        while self.pool.log().count(".missing") < 5:
            self.assertLess(time.monotonic(), deadline, self.pool.log())
            time.sleep(0.05)
        self.assertGreaterEqual(time.monotonic() - started, 4.0)
        self.assertIsNone(self.pool.proc.poll(), self.pool.log())

    def test_killed_worker_is_replaced(self):
        self.get()
        victim = min(self.pool.wait_workers(self.pool.workers))
        os.kill(victim, signal.SIGKILL)
        self.answered_after({victim})

    def test_stop_ends_every_worker_cleanly(self):
        self.get()
        workers = self.pool.wait_workers(self.pool.workers)
        timeout = int(one(TREE.unit("privforms@.service"), "Service",
                          "TimeoutStopSec").rstrip("s"))
        status, left = self.pool.stop(timeout, watch=workers)
        self.assertEqual(status, 0, self.pool.log())
        self.assertFalse(left, "left running: %s" % left)


if __name__ == "__main__":
    unittest.main()
