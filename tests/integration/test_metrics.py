"""`privforms metrics` (issue 27, item 12) and a full audit directory
(item 11).

Every line of the output is checked against Prometheus's text exposition
format (version 0.0.4) by the small parser below: HELP and TYPE once per
family and before its samples, a family's samples together, metric and
label names, label values quoted and escaped, counters named *_total, no
series twice.  The values are checked against rows the tests make.

A full audit directory: the forms keep answering 303 (the database is the
durable copy), the worker says so once, not once per request, and once
more when files can be written again; the metric counts the records
without their file until `privforms audit sync` writes them.
"""

import datetime
import hashlib
import os
import re
import sqlite3
import subprocess
import unittest

from harness import POSTGRESQL, Site, sqlite_only, teardown

FORM = "/privacy/unsubscribe"

# The exposition format's grammar, line by line.
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
VALUE = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|Inf|NaN)"
SAMPLE = re.compile(r"(%s)(?:\{(%s(?:,%s)*),?\})? (%s)(?: -?[0-9]+)?\Z"
                    % (NAME, LABEL, LABEL, VALUE))
HELP = re.compile(r"# HELP (%s) ((?:[^\\\n]|\\[\\n])*)\Z" % NAME)
TYPE = re.compile(r"# TYPE (%s) (counter|gauge|histogram|summary|untyped)\Z"
                  % NAME)


def parse(text):
    """{name: {"type", "help", "samples": {labels tuple: value}}}, or
    AssertionError naming the first line that breaks the format."""
    if text and not text.endswith("\n"):
        raise AssertionError("no line end after the last line")
    families, current, done = {}, None, set()
    for n, line in enumerate(text.splitlines(), 1):
        where = "line %d: %r" % (n, line)
        m = HELP.match(line) or TYPE.match(line)
        if m:
            name = m.group(1)
            if name != current:
                if name in families:
                    raise AssertionError("family again: " + where)
                if current is not None:
                    done.add(current)
                current = name
                families[name] = {"samples": {}}
            key = "help" if line.startswith("# HELP") else "type"
            if key in families[name] or families[name]["samples"]:
                raise AssertionError("HELP/TYPE repeated or late: " + where)
            families[name][key] = m.group(2)
            continue
        if line.startswith("#"):
            raise AssertionError("a comment we do not write: " + where)
        m = SAMPLE.match(line)
        if not m:
            raise AssertionError("not a sample: " + where)
        if m.group(1) != current or "type" not in families[current]:
            raise AssertionError("sample outside its family: " + where)
        labels = tuple(sorted(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"',
                                         m.group(2) or "")))
        if labels in families[current]["samples"]:
            raise AssertionError("series twice: " + where)
        families[current]["samples"][labels] = float(m.group(3))
    for name, f in families.items():
        if "help" not in f or "type" not in f:
            raise AssertionError("%s: no HELP or TYPE" % name)
        if (f["type"] == "counter") != name.endswith("_total"):
            raise AssertionError("%s: a counter, and only a counter, "
                                 "ends in _total" % name)
        if not name.startswith("privforms_"):
            raise AssertionError("%s: not privforms_" % name)
    return families


def value(families, name, **labels):
    return families[name]["samples"].get(tuple(sorted(labels.items())))


class Parser(unittest.TestCase):
    """The parser refuses what the format does not allow."""

    def test_refuses_broken_lines(self):
        good = "# HELP privforms_x_total X.\n# TYPE privforms_x_total counter\n"
        parse(good + 'privforms_x_total{a="b\\"c"} 1\n')
        for bad in ('privforms_x_total{a="b"c"} 1\n',
                    'privforms_x_total{a=b} 1\n',
                    "privforms_x_total 1 2 3\n",
                    "privforms_y 1\n",
                    'privforms_x_total{a="1"} 1\nprivforms_x_total{a="1"} 2\n'):
            with self.assertRaises(AssertionError, msg=bad):
                parse(good + bad)
        with self.assertRaises(AssertionError):
            parse("# HELP privforms_x X.\n# TYPE privforms_x counter\n")


class Metrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.site = Site().start()

    @classmethod
    def tearDownClass(cls):
        teardown(cls.site)

    def metrics(self):
        p = self.site.privforms("metrics", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        return parse(p.stdout)

    def pg_size(self):
        return self.site.query("SELECT pg_database_size(current_database())"
                               )[0][0]

    def request(self, status, due):
        """A request row of the test's own with status, due in due days."""
        day = (datetime.datetime.now(datetime.timezone.utc).date() +
               datetime.timedelta(days=due)).isoformat()
        self.site.write(
            "INSERT INTO request (type, relationship, subject, country, law, "
            "received, due, status, verify_by, updated) VALUES ('access', "
            "'customer', ?, 'DE', 'GDPR', '2026-01-01T00:00:00.000000Z', ?, "
            "?, '2026-01-08T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
            ("0" * 64, day, status))

    def outbox(self, state, created):
        self.site.write(
            "INSERT INTO outbox (template, recipient, vals, state, next_try, "
            "created, updated) VALUES ('unsubscribed', 'x@example.com', '', "
            "?, ?, ?, ?)", (state, created, created, created))

    def test_every_family_counts_what_the_database_holds(self):
        before = self.metrics()
        for i in range(2):
            r = self.site.post(FORM, {"channel": "email",
                                      "email": "m%d@example.com" % i})
            self.assertEqual(r.status, 303, r)
        r = self.site.post(FORM, {"channel": "email", "email": "t@example.com",
                                  "website": "http://spam.example/"})
        self.assertEqual(r.status, 303, r)
        old = (datetime.datetime.now(datetime.timezone.utc) -
               datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        self.outbox("queued", old)
        self.outbox("failed", "2026-01-01T00:00:00.000000Z")
        self.outbox("sent", "2020-01-01T00:00:00.000000Z")
        for status, due in (("verified", -1), ("extended", 0), ("verified", 7),
                            ("verified", 8), ("fulfilled", -3),
                            ("unverified", 2)):
            self.request(status, due)
        size = self.pg_size() if POSTGRESQL else None
        m = self.metrics()
        unsub = value(before, "privforms_audit_records_total",
                      form="unsubscribe", event="unsubscribed") or 0
        self.assertEqual(value(m, "privforms_audit_records_total",
                               form="unsubscribe", event="unsubscribed"),
                         unsub + 2)
        self.assertEqual(value(m, "privforms_trapped_submissions_total",
                               form="unsubscribe", reason="honeypot"), 1)
        self.assertEqual(value(m, "privforms_outbox_messages", state="queued"), 1)
        self.assertEqual(value(m, "privforms_outbox_messages", state="sending"), 0)
        self.assertEqual(value(m, "privforms_outbox_messages", state="failed"), 1)
        age = value(m, "privforms_outbox_oldest_unsent_age_seconds")
        self.assertGreaterEqual(age, 3600)
        self.assertLess(age, 86400)
        self.assertEqual(value(m, "privforms_requests", status="verified"), 3)
        self.assertEqual(value(m, "privforms_requests", status="denied"), 0)
        self.assertEqual(value(m, "privforms_requests_overdue"), 1)
        self.assertEqual(value(m, "privforms_requests_due_within_7_days"), 2)
        self.assertEqual(value(m, "privforms_audit_records_without_file"), 0)
        if POSTGRESQL:
            # pg_database_size, which autovacuum may grow meanwhile.
            got = value(m, "privforms_database_size_bytes")
            self.assertGreaterEqual(got, size)
            self.assertLessEqual(got, self.pg_size())
        else:
            self.assertEqual(value(m, "privforms_database_size_bytes"),
                             os.path.getsize(self.site.db_path))

    @sqlite_only("the database file's bytes, and SQLite's write and "
                 "exclusive locks")
    def test_only_reads(self):
        def digest():
            with open(self.site.db_path, "rb") as f:
                return hashlib.sha256(f.read()).hexdigest()
        before = digest()
        self.metrics()
        self.assertEqual(digest(), before)
        # Another writer in the middle of a transaction: a reader goes on.
        con = sqlite3.connect(self.site.db_path, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            self.metrics()
            con.execute("ROLLBACK")
            # Locked for readers too: it fails, and prints nothing.
            con.execute("BEGIN EXCLUSIVE")
            p = self.site.privforms("metrics", check=False)
            con.execute("ROLLBACK")
        finally:
            con.close()
        self.assertEqual((p.returncode, p.stdout), (1, ""), p.stderr)
        self.assertEqual(digest(), before)

    def test_an_older_schema_is_not_migrated(self):
        version = self.site.schema_version
        v = version()
        version(v - 1)
        try:
            p = self.site.privforms("metrics", check=False)
            after = version()
        finally:
            version(v)
        self.assertEqual((p.returncode, p.stdout), (1, ""))
        self.assertIn("privforms init", p.stderr)
        self.assertEqual(after, v - 1)


class Full:
    """The site's audit directory made unwritable: a full tmpfs mounted
    over it as root, mode 0555 otherwise (root writes through modes)."""

    def __init__(self, path):
        self.path, self.mounted = path, False
        os.makedirs(path, exist_ok=True)
        if os.geteuid() == 0:
            p = subprocess.run(["mount", "-t", "tmpfs", "-o",
                                "size=64k,mode=0750", "tmpfs", path],
                               capture_output=True, text=True)
            if p.returncode != 0:
                raise unittest.SkipTest("cannot mount a tmpfs: " + p.stderr)
            self.mounted = True
            self.filler = os.path.join(path, "filler")
            try:
                self.fill()
            except BaseException:
                self.remove()
                raise
        else:
            os.chmod(path, 0o555)

    def fill(self):
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while os.write(fd, b"x" * 4096) > 0:
                pass
        except OSError:
            pass
        finally:
            os.close(fd)

    def fix(self):
        if self.mounted:
            os.unlink(self.filler)
        else:
            os.chmod(self.path, 0o750)

    def remove(self):
        if self.mounted:
            subprocess.run(["umount", "-l", self.path], check=False)
            self.mounted = False
        else:
            os.chmod(self.path, 0o750)


class FullAuditDirectory(unittest.TestCase):
    def setUp(self):
        # One worker, so that its log is the one to read.
        self.site = Site(workers=1).start()
        self.addCleanup(teardown, self.site)
        self.full = Full(self.site.audit_dir)
        self.addCleanup(self.full.remove)

    def log(self, text):
        with open(os.path.join(self.site.dir, "run", "unsubscribe.log"),
                  errors="replace") as f:
            return sum(text in line for line in f)

    def missing(self):
        p = self.site.privforms("metrics", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        return value(parse(p.stdout), "privforms_audit_records_without_file")

    def test_submissions_stored_said_once_counted_and_synced(self):
        for i in range(3):
            r = self.site.post(FORM, {"channel": "email",
                                      "email": "full%d@example.com" % i})
            self.assertEqual(r.status, 303, r)
        self.assertEqual(self.site.count("optout"), 3)
        self.assertEqual(self.site.count("audit"), 3)
        self.assertEqual(self.site.audit_files(), [])
        self.assertEqual(self.log("record files cannot be written"), 1)
        self.assertEqual(self.missing(), 3)
        self.full.fix()
        r = self.site.post(FORM, {"channel": "email", "email": "ok@example.com"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(self.log("record files are written again"), 1)
        self.assertEqual(self.log("record files cannot be written"), 1)
        self.assertEqual(self.missing(), 3)
        p = self.site.privforms("audit", "sync")
        self.assertIn("3 record files written", p.stdout)
        self.assertEqual(self.missing(), 0)
        self.assertEqual(len(self.site.audit_files()), 4)
        self.assertEqual(self.site.privforms("audit", "verify",
                                             check=False).returncode, 0)


if __name__ == "__main__":
    unittest.main()
