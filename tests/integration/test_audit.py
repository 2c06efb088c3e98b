"""The audit trail and the admin command, on a site of their own."""

import csv
import datetime
import io
import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

from harness import Site, SRC, sqlite_only, teardown

FORM = "/privacy/unsubscribe"
XSD = os.path.join(SRC, "etc", "audit.xsd")
XSL = os.path.join(SRC, "etc", "audit-unsealed.xsl")
SITE = None


def setUpModule():
    global SITE
    SITE = Site().start()
    for i in range(5):
        r = SITE.post(FORM, {"channel": "email", "email": "user%d@example.com" % i})
        assert r.status == 303, r


def tearDownModule():
    teardown(SITE)


def verify():
    return SITE.privforms("audit", "verify", check=False)


def procedure_script():
    """The auditor's procedure, exactly as AUDIT.md prints it."""
    with open(os.path.join(SRC, "AUDIT.md")) as f:
        text = f.read()
    m = re.search(r"^```sh verify-day\n(.*?)^```", text, re.S | re.M)
    assert m, "AUDIT.md has no ```sh verify-day block"
    fd, path = tempfile.mkstemp(suffix=".sh")
    with os.fdopen(fd, "w") as f:
        f.write(m.group(1))
    return path


def run_procedure(day, prevday=None):
    """Runs the procedure on day (and prevday); stdout and stderr in one."""
    script = procedure_script()
    args = ["sh", script, day, XSD, XSL] + ([prevday] if prevday else [])
    try:
        return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors="replace")
    finally:
        os.unlink(script)


def two_days(tmp, last):
    """Copies the trail into tmp as two days: the records up to last (a
    path) in a directory named for the day before, and the records after it
    on the next record's day.  Returns (day, prevday, last's copy)."""
    files = SITE.audit_files()
    i = files.index(last)
    next_dir = os.path.dirname(files[i + 1])
    name = os.path.basename(next_dir)
    prevname = (datetime.date.fromisoformat(name) - datetime.timedelta(days=1)).isoformat()
    day, prevday = os.path.join(tmp, name), os.path.join(tmp, prevname)
    os.mkdir(day)
    os.mkdir(prevday)
    for f in files[:i + 1]:
        shutil.copy(f, prevday)
    for f in files[i + 1:]:
        if os.path.dirname(f) == next_dir:
            shutil.copy(f, day)
    return day, prevday, os.path.join(prevday, os.path.basename(last))


def with_comment(record):
    """record (bytes, as privforms writes it) with a comment before <prev>."""
    return record.replace(b"<prev>", b"<!-- approved by legal: erase this subject's data --><prev>")


class Records(unittest.TestCase):
    def test_every_record_is_valid_against_the_schema(self):
        files = SITE.audit_files()
        self.assertGreaterEqual(len(files), 5)
        p = subprocess.run(["xmllint", "--noout", "--schema", XSD] + files,
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_records_are_numbered_in_order_one_per_file(self):
        names = [os.path.basename(f) for f in SITE.audit_files()]
        self.assertEqual(names, ["%012d.xml" % i for i in range(1, len(names) + 1)])

    def test_show_prints_the_record_in_the_file(self):
        out = SITE.privforms("audit", "show", "1").stdout
        with open(SITE.audit_files()[0]) as f:
            self.assertEqual(out, f.read())
        self.assertNotEqual(SITE.privforms("audit", "show", "999", check=False).returncode, 0)

    def test_verify_passes_on_a_real_chain(self):
        p = verify()
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_auditor_procedure_with_stock_tools_passes(self):
        script = procedure_script()
        try:
            day = os.path.dirname(SITE.audit_files()[0])
            p = subprocess.run(["sh", script, day, XSD, XSL], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        finally:
            os.unlink(script)


class Tampering(unittest.TestCase):
    """Each test breaks the trail, checks it is caught, and mends it."""

    def test_one_changed_byte_is_caught_by_verify_and_the_procedure(self):
        target = SITE.audit_files()[2]
        with open(target, "rb") as f:
            original = f.read()
        i = original.index(b"<event>") + len(b"<event>")
        changed = original[:i] + (b"U" if original[i:i + 1] != b"U" else b"V") + original[i + 1:]
        self.assert_third_record_caught(target, original, changed)

    def test_a_removed_record_is_caught_and_sync_rewrites_it(self):
        target = SITE.audit_files()[1]
        os.unlink(target)
        p = verify()
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("record 2", p.stderr)
        q = run_procedure(os.path.dirname(target))
        self.assertNotEqual(q.returncode, 0, "the procedure missed a gap in the chain")
        s = SITE.privforms("audit", "sync")
        self.assertIn("1 record file written", s.stdout)
        self.assertTrue(os.path.exists(target))
        self.assertEqual(verify().returncode, 0)


    def assert_third_record_caught(self, target, original, forged):
        """target (the third record's file, original its bytes) written
        as forged: verify and the procedure both name it; written back,
        verify passes again."""
        with open(target, "wb") as f:
            f.write(forged)
        try:
            p = verify()
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("record 3", p.stderr)
            q = run_procedure(os.path.dirname(target))
            self.assertNotEqual(q.returncode, 0, q.stdout)
            self.assertIn(os.path.basename(target), q.stdout)
        finally:
            with open(target, "wb") as f:
                f.write(original)
        self.assertEqual(verify().returncode, 0)

    def test_a_comment_in_utf16_is_caught_by_verify_and_the_procedure(self):
        # The digest does not cover comments, and grep sees no "<!--" in
        # UTF-16; only the UTF-8 and declaration checks stop this record.
        target = SITE.audit_files()[2]
        with open(target, "rb") as f:
            original = f.read()
        text = with_comment(original).decode("utf-8")
        text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
        self.assert_third_record_caught(target, original,
                                        text.encode("utf-16"))
        q = run_procedure(os.path.dirname(target))
        self.assertEqual(q.returncode, 0, q.stdout)

    def test_a_comment_in_utf8_is_caught_in_the_day_and_the_previous_day(self):
        target = SITE.audit_files()[2]
        with open(target, "rb") as f:
            original = f.read()
        self.assert_third_record_caught(target, original,
                                        with_comment(original))
        # The previous day's last file is read too, so it is checked too.
        tmp = tempfile.mkdtemp(prefix="privforms-audit-")
        try:
            day, prevday, last = two_days(tmp, target)
            q = run_procedure(day, prevday)
            self.assertEqual(q.returncode, 0, q.stdout)
            with open(last, "wb") as f:
                f.write(with_comment(original))
            q = run_procedure(day, prevday)
            self.assertNotEqual(q.returncode, 0, q.stdout)
            self.assertIn(last, q.stdout)
        finally:
            shutil.rmtree(tmp)

    def test_an_external_entity_in_the_previous_day_is_refused_unread(self):
        # xsltproc expands external entities, even with --nonet: the file
        # must be refused before any XML tool reads it.
        target = SITE.audit_files()[1]
        with open(target, "rb") as f:
            original = f.read()
        tmp = tempfile.mkdtemp(prefix="privforms-audit-")
        try:
            marker = "pf-marker-" + os.urandom(8).hex()
            secret = os.path.join(tmp, "secret.txt")
            with open(secret, "w") as f:
                f.write(marker)
            day, prevday, last = two_days(tmp, target)
            q = run_procedure(day, prevday)
            self.assertEqual(q.returncode, 0, q.stdout)
            decl, rest = original.split(b"\n", 1)
            doctype = b'<!DOCTYPE record [<!ENTITY x SYSTEM "file://%s">]>' % secret.encode()
            rest = re.sub(rb"(<detail [^>]*>)[^<]*", rb"\1&x;", rest, count=1)
            self.assertIn(b"&x;", rest)
            with open(last, "wb") as f:
                f.write(decl + b"\n" + doctype + b"\n" + rest)
            q = run_procedure(day, prevday)
            self.assertNotEqual(q.returncode, 0, q.stdout)
            self.assertIn(last, q.stdout)
            self.assertNotIn(marker, q.stdout)
            with open(last, "wb") as f:
                f.write(original)
            q = run_procedure(day, prevday)
            self.assertEqual(q.returncode, 0, q.stdout)
        finally:
            shutil.rmtree(tmp)
        self.assertEqual(verify().returncode, 0)


class Admin(unittest.TestCase):
    def test_init_twice_keeps_the_key_and_data(self):
        key = os.path.join(SITE.dir, "secret.key")
        with open(key) as f:
            before = f.read()
        rows = SITE.count("optout")
        SITE.privforms("init", "--user", pwd.getpwuid(os.geteuid()).pw_name)
        with open(key) as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
        self.assertEqual(SITE.count("optout"), rows)

    def test_data_is_private_and_the_error_pages_public(self):
        mode = lambda p: stat.S_IMODE(os.stat(os.path.join(SITE.dir, p)).st_mode)
        self.assertEqual(mode("secret.key"), 0o600)
        self.assertEqual(mode("audit"), 0o750)
        self.assertEqual(stat.S_IMODE(os.stat(SITE.audit_files()[0]).st_mode), 0o640)
        self.assertEqual(mode("site"), 0o755)
        self.assertEqual(mode("site/404.html"), 0o644)

    @sqlite_only("the database file's permissions")
    def test_the_database_file_is_private(self):
        self.assertEqual(stat.S_IMODE(os.stat(SITE.db_path).st_mode), 0o640)

    def test_export_is_a_csv_suppression_list(self):
        out = SITE.privforms("unsubscribes", "export").stdout
        rows = list(csv.reader(io.StringIO(out)))
        self.assertEqual(rows[0], ["address", "channel", "list", "time"])
        self.assertIn("user3@example.com", [r[0] for r in rows[1:]])
        for r in rows[1:]:
            self.assertRegex(r[3], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

    def test_pseudonym_finds_a_persons_records(self):
        p = SITE.privforms("pseudonym", "--email", "User3@EXAMPLE.com").stdout.strip()
        self.assertRegex(p, r"^[0-9a-f]{64}$")
        hits = [f for f in SITE.audit_files() if p in open(f).read()]
        self.assertEqual(len(hits), 1)
        other = SITE.privforms("pseudonym", "--email", "user4@example.com").stdout.strip()
        self.assertNotEqual(p, other)
        sms = SITE.privforms("pseudonym", "--phone", "(201) 555-0123").stdout.strip()
        self.assertEqual(sms, SITE.privforms("pseudonym", "--phone", "+12015550123").stdout.strip())
        bad = SITE.privforms("pseudonym", "--email", "nope", check=False)
        self.assertEqual((bad.returncode, bad.stdout), (1, ""))

    def test_every_command_has_help(self):
        for cmd in (["init"], ["unsubscribe-link"], ["pseudonym"], ["unsubscribes", "export"],
                    ["audit", "verify"], ["audit", "show"], ["audit", "sync"]):
            p = SITE.privforms(*(cmd + ["--help"]))
            self.assertIn("usage: privforms " + " ".join(cmd), p.stdout)

    def test_usage_errors_exit_2(self):
        for cmd in (["nosuch"], ["unsubscribe-link"], ["audit", "show", "x"]):
            self.assertEqual(SITE.privforms(*cmd, check=False).returncode, 2, cmd)

    def test_bad_address_for_a_link_is_refused(self):
        p = SITE.privforms("unsubscribe-link", "--email", "no at sign", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, "")


if __name__ == "__main__":
    unittest.main()
