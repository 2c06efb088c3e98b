"""The insider: someone with write access to the database and the audit
directory rewrites the trail, files and database alike, so that the chain
still holds.  An auditor who holds an earlier signed checkpoint catches
each rewrite with AUDIT.md's stock-tools procedure (verify-day and
verify-checkpoint, run exactly as AUDIT.md prints them)."""

import glob
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import (POSTGRESQL, Site, SRC, pid_alive, preloaded_asan_options,
                     teardown)

FORM = "/privacy/unsubscribe"
XSD = os.path.join(SRC, "etc", "audit.xsd")
XSL = os.path.join(SRC, "etc", "audit-unsealed.xsl")
COLS = "seq, time, event, form, prev, digest, xml"
SITE = None
AUDITOR = None      # the auditor's own directory: the procedure, keys, checkpoints
EARLY = None        # a checkpoint the auditor got before the last 3 records
LATEST = None       # one they got when the trail ended at its last record
SAVED = None        # the audit rows as privforms wrote them


def faketime_env(offset):
    """Environment that runs a whole stack offset in time (libfaketime)."""
    lib = glob.glob("/usr/lib/*/faketime/libfaketime.so.1")
    assert lib, "libfaketime is missing (tools/deps.sh installs faketime)"
    return {"LD_PRELOAD": lib[0], "FAKETIME": offset,
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            # libfaketime is preloaded ahead of ASan's runtime in a sanitizer build.
            "ASAN_OPTIONS": preloaded_asan_options()}


def faketime_litter():
    """libfaketime's shared memory and semaphores, named by the pid of the
    process that made them; a stopped stack's daemons never remove theirs."""
    return set(glob.glob("/dev/shm/faketime_shm_*") +
               glob.glob("/dev/shm/sem.faketime_sem_*"))


def submit(n, tag):
    for i in range(n):
        r = SITE.post(FORM, {"channel": "email", "email": "%s%d@example.com" % (tag, i)})
        assert r.status == 303, r


def checkpoint():
    """`privforms audit checkpoint`, as its timer runs it: the new
    checkpoint's path (AUDIT_DIR/checkpoints/COUNT.txt)."""
    p = SITE.privforms("audit", "checkpoint")
    count = SITE.query("SELECT max(seq) FROM audit")[0][0]
    path = os.path.join(SITE.audit_dir, "checkpoints", "%012d.txt" % count)
    assert os.path.exists(path), p.stdout
    return path


def received(ckpt):
    """The auditor's copy of a checkpoint and of the published keys, taken
    out of band, so that rewriting AUDIT_DIR cannot change them."""
    shutil.copytree(os.path.join(SITE.audit_dir, "keys"), os.path.join(AUDITOR, "keys"),
                    dirs_exist_ok=True)
    return shutil.copy(ckpt, AUDITOR)


def procedure():
    """verify-day and verify-checkpoint, exactly as AUDIT.md prints them,
    saved side by side in the auditor's directory."""
    with open(os.path.join(SRC, "AUDIT.md")) as f:
        text = f.read()
    for name in ("verify-day", "verify-checkpoint"):
        m = re.search(r"^```sh %s\n(.*?)^```" % name, text, re.S | re.M)
        assert m, "AUDIT.md has no ```sh %s block" % name
        with open(os.path.join(AUDITOR, name), "w") as f:
            f.write(m.group(1))


def setUpModule():
    global SITE, AUDITOR, EARLY, LATEST, SAVED
    AUDITOR = tempfile.mkdtemp(prefix="privforms-auditor-")
    procedure()
    # Yesterday's records, then today's: a trail across two days.
    litter = faketime_litter()
    SITE = Site(env=faketime_env("-1d")).start()
    submit(6, "yesterday")
    SITE.stop(remove=False)
    for f in faketime_litter() - litter:
        if not pid_alive(int(f.rsplit("_", 1)[1])):
            os.unlink(f)
    SITE.env = {}
    SITE.stamps = {}
    SITE.start()
    submit(6, "today")
    EARLY = received(checkpoint())
    submit(3, "later")
    LATEST = received(checkpoint())
    SITE.stop(remove=False)
    SAVED = SITE.query("SELECT %s FROM audit ORDER BY seq" % COLS)
    shutil.copytree(SITE.audit_dir, os.path.join(AUDITOR, "original"))


def tearDownModule():
    teardown(SITE)
    shutil.rmtree(AUDITOR, ignore_errors=True)


def days():
    """The trail's day directories, in order."""
    return sorted(d for d in glob.glob(os.path.join(SITE.audit_dir, "*"))
                  if re.fullmatch(r"\d{4}-\d\d-\d\d", os.path.basename(d)))


def run(*args):
    p = subprocess.run(["sh"] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    return p.returncode, p.stdout


def privforms_since(ckpt):
    """privforms' own check given the auditor's checkpoint and keys."""
    return SITE.privforms("audit", "verify", "--since-checkpoint", ckpt,
                          "--keys", os.path.join(AUDITOR, "keys"), check=False)


def verify_checkpoint(ckpt):
    """AUDIT.md's procedure: the checkpoint, then every day in order."""
    return run(os.path.join(AUDITOR, "verify-checkpoint"), ckpt,
               os.path.join(AUDITOR, "keys"), XSD, XSL, *days())


def verify_days():
    """AUDIT.md's procedure without a checkpoint: each day linked to the
    one before it: all that a hash chain alone can prove."""
    out, prev = "", None
    for d in days():
        rc, o = run(os.path.join(AUDITOR, "verify-day"), d, XSD, XSL, *([prev] if prev else []))
        out += o
        if rc != 0:
            return rc, out
        prev = d
    return 0, out


# ---- the insider's tools: rewrite a record, in its file and its row ----

def unsealed(xml):
    """The record's canonical bytes without <digest> (AUDIT.md's layout)."""
    line = xml.split(b"\n")[1]
    return line[:line.index(b"<digest>")] + b"</record>"


def sealed(body):
    """The file's bytes for unsealed canonical bytes body, and its digest."""
    digest = hashlib.sha256(body).hexdigest()
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n' +
            body[:-len(b"</record>")] + b"<digest>" + digest.encode() +
            b"</digest></record>\n", digest)


def field(xml, name):
    """The text of the record's element name (a str)."""
    n = name.encode()
    return re.search(rb"<%s>([^<]*)</%s>" % (n, n), xml).group(1).decode()


def put(body, name, value):
    """body with the text of its element name replaced by value."""
    n = name.encode()
    return re.sub(rb"<%s>[^<]*</%s>" % (n, n), b"<%s>%s</%s>" % (n, value.encode(), n),
                  body, count=1)


def rows():
    return {r[0]: list(r) for r in SITE.query("SELECT %s FROM audit" % COLS)}


def file_of(seq, time):
    return os.path.join(SITE.audit_dir, time[:10], "%012d.xml" % seq)


def insider():
    """A connection as the forger: on PostgreSQL the superuser, who can
    switch off the trigger that refuses UPDATE and DELETE on audit (the
    web and team roles cannot: INSTALL, section 20)."""
    con = SITE.connect()
    if POSTGRESQL:
        con.execute("SET session_replication_role = replica")
    return con


def rewrite(records, drop=()):
    """Writes records (seq -> edited unsealed bytes) re-sealed and every
    later record re-chained (prev and digest recomputed, seq renumbered to
    close the gap of the seqs in drop), in the files and the database,
    as an insider who knows the format would."""
    old = rows()
    con = insider()
    with con:
        con.execute("DELETE FROM audit WHERE seq >= ?", (min(list(records) + list(drop)),))
        prev, seq = None, 0
        for s in sorted(old):
            r = old[s]
            xml = bytes(r[6])
            if s in drop:
                os.unlink(file_of(s, r[1]))
                continue
            seq += 1
            body = records.get(s, unsealed(xml))
            if s >= min(list(records) + list(drop)):
                os.unlink(file_of(s, r[1]))
                body = put(put(body, "seq", str(seq)), "prev", prev)
                xml, digest = sealed(body)
                time = field(xml, "time")
                with open(file_of(seq, time), "wb") as f:
                    f.write(xml)
                con.execute("INSERT INTO audit (%s) VALUES (?, ?, ?, ?, ?, ?, ?)" % COLS,
                            (seq, time, r[2], r[3], prev, digest, xml))
            prev = field(xml, "digest")
    con.close()


def truncate(n):
    """Removes the last n records, files and rows."""
    old = rows()
    for s in sorted(old)[-n:]:
        os.unlink(file_of(s, old[s][1]))
    con = insider()
    with con:
        con.execute("DELETE FROM audit WHERE seq > ?", (max(old) - n,))
    con.close()


def last_seq(ckpt):
    with open(ckpt) as f:
        return int(f.read().split("\n")[1])


class Insider(unittest.TestCase):
    """Each test rewrites the trail, checks the forgery holds together as
    a chain, and that the procedure given the checkpoint catches it."""

    def tearDown(self):
        # The trail as privforms wrote it, files and rows.
        con = insider()
        with con:
            con.execute("DELETE FROM audit")
            con.executemany("INSERT INTO audit (%s) VALUES (?, ?, ?, ?, ?, ?, ?)" % COLS,
                            SAVED)
        con.close()
        shutil.rmtree(SITE.audit_dir)
        shutil.copytree(os.path.join(AUDITOR, "original"), SITE.audit_dir)

    def assert_caught(self, ckpt, *expected):
        """The forged trail passes the procedure without a checkpoint (the
        chain holds), and the procedure given ckpt exits 1 saying each of
        expected; so does `privforms audit verify --since-checkpoint`."""
        rc, out = verify_days()
        self.assertEqual(rc, 0, "the forgery does not hold together:\n" + out)
        rc, out = verify_checkpoint(ckpt)
        self.assertEqual(rc, 1, out)
        self.assertNotIn("extends the checkpoint", out)
        for e in expected:
            self.assertIn(e, out)
        p = privforms_since(ckpt)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("the trail does not extend checkpoint %d" % last_seq(ckpt),
                      p.stderr)

    def test_the_trail_spans_two_days(self):
        self.assertEqual(len(days()), 2)
        self.assertEqual(len(SAVED), 15)

    def test_a_clean_trail_extends_both_checkpoints(self):
        for ckpt in (EARLY, LATEST):
            rc, out = verify_checkpoint(ckpt)
            self.assertEqual(rc, 0, out)
            p = privforms_since(ckpt)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("the trail extends checkpoint %d" % last_seq(ckpt),
                          p.stdout)
            self.assertIn("signed by key", out)
            self.assertIn("the trail extends the checkpoint (record %d has its head)"
                          % last_seq(ckpt), out)

    def test_a_day_checked_alone_says_its_first_record_is_not_linked(self):
        rc, out = run(os.path.join(AUDITOR, "verify-day"), days()[1], XSD, XSL)
        self.assertEqual(rc, 0, out)
        self.assertIn("first record, seq 7, is not linked to anything", out)

    def test_a_changed_checkpoint_is_refused(self):
        with open(LATEST) as f:
            text = f.read()
        forged = os.path.join(AUDITOR, "forged.txt")
        with open(forged, "w") as f:
            f.write(text.replace("\n15\n", "\n10\n", 1))
        rc, out = verify_checkpoint(forged)
        self.assertEqual(rc, 1, out)
        self.assertIn("does not verify", out)
        p = privforms_since(forged)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn(forged, p.stderr)
        self.assertNotIn("every record verified", p.stdout)

    def test_editing_and_resealing_the_last_record_is_caught(self):
        last = max(rows())
        body = unsealed(bytes(rows()[last][6]))
        self.assertIn(b"<detail name=\"channel\">email</detail>", body)
        rewrite({last: body.replace(b">email</detail>", b">sms</detail>")})
        self.assert_caught(LATEST, "%012d.xml" % last,
                           "is not the checkpoint's head", "was rewritten")

    def test_removing_the_last_five_records_is_caught(self):
        truncate(5)
        self.assertEqual(max(rows()), 10)
        self.assert_caught(LATEST, "record 15, the checkpoint's last, is in none of the days")
        self.assert_caught(EARLY, "record 12, the checkpoint's last, is in none of the days")

    def test_dropping_three_records_and_rechaining_the_rest_is_caught(self):
        rewrite({}, drop=(8, 9, 10))
        self.assertEqual(max(rows()), 12)
        # The early checkpoint's record 12 exists again, with another digest.
        self.assert_caught(EARLY, "%012d.xml" % 12, "is not the checkpoint's head")
        self.assert_caught(LATEST, "record 15, the checkpoint's last, is in none of the days")

    def test_a_line_feed_inside_a_detail_is_refused(self):
        # Canonical bytes (C14N keeps a line feed in text), re-sealed and
        # re-chained: the layout check reads the two lines as one record,
        # and the schema refuses a detail of more than one line.
        last = max(rows())
        body = unsealed(bytes(rows()[last][6]))
        rewrite({last: body.replace(b">email</detail>", b">em\nail</detail>")})
        rc, out = verify_days()
        self.assertEqual(rc, 1, out)
        self.assertIn("%012d.xml: not valid against the schema" % last, out)
        rc, out = verify_checkpoint(EARLY)
        self.assertEqual(rc, 1, out)
        self.assertNotIn("extends the checkpoint", out)

    def test_backdating_a_record_is_caught(self):
        # Record 9 moved back to record 8's time: times still never go
        # backwards, and everything after it is re-chained.
        r = rows()
        body = put(unsealed(bytes(r[9][6])), "time", r[8][1])
        rewrite({9: body})
        self.assertEqual(rows()[9][1], r[8][1])
        self.assert_caught(EARLY, "%012d.xml" % 12, "is not the checkpoint's head")
        self.assert_caught(LATEST, "%012d.xml" % 15, "is not the checkpoint's head")


if __name__ == "__main__":
    unittest.main()
