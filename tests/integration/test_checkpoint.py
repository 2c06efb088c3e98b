"""Signed checkpoints of the audit trail, through the privforms command:
`init` makes the signing key, `audit checkpoint` writes a checkpoint that
the stock openssl commands verify (the very lines AUDIT.md gives an
auditor, run as they are written), nothing new writes nothing, the
witness directory gets a copy and keeps its own files, the day-end run
mails every witness through the outbox and a real SMTP server (aiosmtpd),
and `audit key rotate` leaves a record, a checkpoint signed by the old key,
and the new key in use.
"""

import base64
import hashlib
import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

from harness import SRC, Site, mail_config, teardown
from smtp_server import Server

FORM = "/privacy/unsubscribe"
ORIGIN = "127.0.0.1/privforms-audit"    # base_url's host (audit_origin unset)
WITNESSES = ("auditor-one@example.org", "auditor-two@example.net")
SITE = SMTP = WITNESS_DIR = None

# The auditor's commands, exactly as the brief of the format gives them
# and AUDIT.md prints them: CKPT, AUDIT_DIR and KEYID are the words an
# auditor replaces.
VERIFY = """\
sed -n '1,4p' CKPT > note
sed -n '6p' CKPT | cut -d' ' -f3 | base64 -d > keyid_sig
tail -c 64 keyid_sig > sig
openssl pkeyutl -verify -pubin -inkey AUDIT_DIR/keys/KEYID.pem -rawin -in note -sigfile sig
"""
KEY_ID = "head -c 4 keyid_sig | od -An -tx1 | tr -d ' \\n'"
HEAD = "sed -n 3p CKPT | base64 -d | od -An -v -tx1 | tr -d ' \\n'"


def setUpModule():
    global SITE, SMTP, WITNESS_DIR
    SMTP = Server().start()
    WITNESS_DIR = tempfile.mkdtemp(prefix="privforms-witness-")
    SITE = Site(config=mail_config(
        SMTP, audit_witness_dir=WITNESS_DIR,
        audit_witness_mail=", ".join(WITNESSES))).start()


def tearDownModule():
    shutil.rmtree(WITNESS_DIR, ignore_errors=True)
    teardown(SITE, SMTP)


def post(site, n=1):
    for _ in range(n):
        r = site.post(FORM, {"channel": "email",
                             "email": "ckpt.%s@example.com" % os.urandom(6).hex()})
        assert r.status == 303, r


def last_record(site):
    """(seq, digest) of the trail's last record, from the database."""
    return site.query("SELECT seq, digest FROM audit ORDER BY seq DESC "
                      "LIMIT 1")[0]


def checkpoints(site):
    return os.path.join(site.audit_dir, "checkpoints")


def ckpt_path(site, count):
    return os.path.join(checkpoints(site), "%012d.txt" % count)


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def shell(script, cwd):
    return subprocess.run(["sh", "-c", script], cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def stock_verify(test, ckpt, audit_dir, keyid=None):
    """The auditor's commands on ckpt against audit_dir's published keys:
    (openssl's CompletedProcess, the key id it names, the head in hex)."""
    d = tempfile.mkdtemp(prefix="privforms-auditor-")
    test.addCleanup(shutil.rmtree, d, True)
    first = VERIFY.splitlines()
    p = shell("\n".join(first[:3]).replace("CKPT", ckpt), d)
    test.assertEqual(p.returncode, 0, p.stderr)
    test.assertEqual(os.path.getsize(os.path.join(d, "keyid_sig")), 68)
    named = shell(KEY_ID, d).stdout
    line = first[3].replace("AUDIT_DIR", audit_dir).replace(
        "KEYID", keyid or named)
    head = shell(HEAD.replace("CKPT", ckpt), d).stdout
    return shell(line, d), named, head


class Help(unittest.TestCase):
    def test_each_command_says_what_it_does(self):
        for args, words in (
                (["audit", "checkpoint"], ["--day-end", "audit_witness_dir",
                                            "audit_witness_mail", "exit 0"]),
                (["audit", "key", "rotate"], ["audit-key-rotated", "OLD key",
                                              "keys/KEYID.pem"]),
                (["init"], ["signing key", "audit_signing_key"])):
            with self.subTest(command=args):
                p = SITE.privforms(*(args + ["--help"]))
                self.assertEqual(p.returncode, 0, p.stderr)
                text = re.sub(r"\s+", " ", p.stdout)
                for w in words:
                    self.assertIn(w, text)


class Checkpoint(unittest.TestCase):
    def test_init_made_the_signing_key_and_published_its_public_key(self):
        # tools/stack.sh names it beside the database, as the default
        # (statedir) does in an installed site.
        key = os.path.join(SITE.dir, "audit-signing.key")
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
        self.assertTrue(read(key).startswith("-----BEGIN PRIVATE KEY-----\n"))
        pub = subprocess.run(["openssl", "pkey", "-in", key, "-pubout"],
                             capture_output=True, text=True, check=True).stdout
        der = subprocess.run(["openssl", "pkey", "-in", key, "-pubout",
                              "-outform", "DER"], capture_output=True,
                             check=True).stdout
        # C2SP signed-note's key id: SHA-256(name, LF, 0x01, raw key)[:4].
        keyid = hashlib.sha256(ORIGIN.encode() + b"\n\x01" +
                               der[-32:]).hexdigest()[:8]
        self.assertEqual(read(os.path.join(SITE.audit_dir, "keys",
                                           keyid + ".pem")), pub)

    def test_checkpoint_verifies_with_the_stock_openssl_commands(self):
        post(SITE, 2)
        p = SITE.privforms("audit", "checkpoint")
        seq, digest = last_record(SITE)
        ckpt = ckpt_path(SITE, seq)
        self.assertIn(ckpt + " (written)", p.stdout)
        text = read(ckpt)
        self.assertEqual(read(os.path.join(checkpoints(SITE), "latest.txt")),
                         text)
        lines = text.split("\n")
        self.assertEqual(lines[:2], [ORIGIN, str(seq)])
        self.assertEqual(base64.b64decode(lines[2]).hex(), digest)
        self.assertRegex(lines[3], r"^time \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertEqual(lines[4], "")
        self.assertTrue(lines[5].startswith("\u2014 " + ORIGIN + " "))
        v, keyid, head = stock_verify(self, ckpt, SITE.audit_dir)
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        self.assertIn("Signature Verified Successfully", v.stdout)
        self.assertEqual(head, digest)
        self.assertIn("by key %s" % keyid, p.stdout)
        # One record more in the count, and openssl says no.
        forged = os.path.join(tempfile.mkdtemp(), "forged.txt")
        self.addCleanup(shutil.rmtree, os.path.dirname(forged), True)
        with open(forged, "w") as f:
            f.write(text.replace("\n%d\n" % seq, "\n%d\n" % (seq + 1), 1))
        v, _, _ = stock_verify(self, forged, SITE.audit_dir, keyid)
        self.assertNotEqual(v.returncode, 0, v.stdout)
        self.assertNotIn("Verified Successfully", v.stdout)

    def test_nothing_new_writes_nothing(self):
        post(SITE)
        SITE.privforms("audit", "checkpoint")
        before = sorted(os.listdir(checkpoints(SITE)))
        latest = read(os.path.join(checkpoints(SITE), "latest.txt"))
        p = SITE.privforms("audit", "checkpoint")
        self.assertEqual(p.returncode, 0)
        self.assertIn("nothing new", p.stdout)
        self.assertEqual(sorted(os.listdir(checkpoints(SITE))), before)
        self.assertEqual(read(os.path.join(checkpoints(SITE), "latest.txt")),
                         latest)

    def test_witness_dir_gets_a_copy_and_keeps_its_own_files(self):
        post(SITE)
        p = SITE.privforms("audit", "checkpoint")
        seq, _ = last_record(SITE)
        name = "%012d.txt" % seq
        self.assertIn("witness:    %s (copied)" % WITNESS_DIR, p.stdout)
        self.assertEqual(read(os.path.join(WITNESS_DIR, name)),
                         read(ckpt_path(SITE, seq)))
        keyid = re.search(r"by key ([0-9a-f]{8})", p.stdout).group(1)
        self.assertEqual(read(os.path.join(WITNESS_DIR, keyid + ".pem")),
                         read(os.path.join(SITE.audit_dir, "keys",
                                           keyid + ".pem")))
        # A witness that holds another checkpoint of the next count keeps
        # it, and the run fails saying so; the site's own is written.
        post(SITE)
        seq, _ = last_record(SITE)
        theirs = os.path.join(WITNESS_DIR, "%012d.txt" % seq)
        with open(theirs, "w") as f:
            f.write("what the witness holds\n")
        p = SITE.privforms("audit", "checkpoint", check=False)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("other contents", p.stderr)
        self.assertEqual(read(theirs), "what the witness holds\n")
        self.assertTrue(os.path.exists(ckpt_path(SITE, seq)))

    def test_day_end_mails_the_checkpoint_to_every_witness(self):
        post(SITE)
        outbox = SITE.count("outbox")
        SITE.privforms("audit", "checkpoint")
        self.assertEqual(SITE.count("outbox"), outbox)   # not without --day-end
        post(SITE)
        p = SITE.privforms("audit", "checkpoint", "--day-end")
        self.assertIn("queued for 2 witnesses", p.stdout)
        seq, _ = last_record(SITE)
        text = read(ckpt_path(SITE, seq))
        keyid = re.search(r"by key ([0-9a-f]{8})", p.stdout).group(1)
        msgs = SITE.send_mail(SMTP)
        self.assertEqual(sorted(m["To"] for m in msgs), sorted(WITNESSES))
        for m in msgs:
            self.assertIn(ORIGIN, m["Subject"])
            body = m.get_content().replace("\r\n", "\n")
            self.assertIn("keys/%s.pem" % keyid, body)
            # The lines between the dashes are the checkpoint, byte for byte.
            got = re.search(r"^-{72}\n(.*?)^-{72}$", body, re.M | re.S).group(1)
            self.assertEqual(got, text)
            saved = os.path.join(tempfile.mkdtemp(), "from-mail.txt")
            self.addCleanup(shutil.rmtree, os.path.dirname(saved), True)
            with open(saved, "w") as f:
                f.write(got)
            v, named, _ = stock_verify(self, saved, SITE.audit_dir)
            self.assertEqual((v.returncode, named), (0, keyid), v.stderr)


class OwnSite(unittest.TestCase):
    """On a site of its own: the key each test changes is the site's."""

    def setUp(self):
        self.site = Site().start()
        self.addCleanup(teardown, self.site)

    def test_rotation_is_a_record_signed_off_by_the_old_key(self):
        site = self.site
        post(site)
        old = re.search(r"by key ([0-9a-f]{8})",
                        site.privforms("audit", "checkpoint").stdout).group(1)
        p = site.privforms("audit", "key", "rotate")
        new = re.search(r"key: +([0-9a-f]{8}) replaces %s" % old,
                        p.stdout).group(1)
        seq, digest = last_record(site)
        xml = site.audit_xml("audit-key-rotated")
        self.assertEqual(len(xml), 1)
        self.assertIn("<seq>%d</seq>" % seq, xml[0])
        self.assertIn("<form>admin</form>", xml[0])
        self.assertIn('<detail name="old-key">%s</detail>'
                      '<detail name="new-key">%s</detail>' % (old, new), xml[0])
        # The checkpoint that covers the record: the old key signed it.
        v, named, head = stock_verify(self, ckpt_path(site, seq),
                                      site.audit_dir)
        self.assertEqual((v.returncode, named, head), (0, old, digest),
                         v.stderr)
        # The new key signs from now on; the old public key stays.
        post(site)
        site.privforms("audit", "checkpoint")
        seq, _ = last_record(site)
        v, named, _ = stock_verify(self, ckpt_path(site, seq), site.audit_dir)
        self.assertEqual((v.returncode, named), (0, new), v.stderr)
        self.assertTrue(os.path.exists(os.path.join(site.audit_dir, "keys",
                                                    old + ".pem")))
        self.assertEqual(site.privforms("audit", "verify").returncode, 0)


    def test_init_will_not_replace_a_signing_key_checkpoints_need(self):
        site = self.site
        site.privforms("audit", "checkpoint")
        key = os.path.join(site.dir, "audit-signing.key")
        away = key + ".away"
        os.rename(key, away)
        p = site.privforms("init", "--user", pwd.getpwuid(os.geteuid()).pw_name,
                           check=False)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("restore it from the backup", p.stderr)
        self.assertFalse(os.path.exists(key))
        os.rename(away, key)
        p = site.privforms("init", "--user", pwd.getpwuid(os.geteuid()).pw_name)
        self.assertIn("audit key: %s (0600" % key, p.stdout)
        self.assertIn("kept", p.stdout)


class Docs(unittest.TestCase):
    def test_audit_md_gives_the_commands_this_test_runs(self):
        text = read(os.path.join(SRC, "AUDIT.md"))
        for line in VERIFY.splitlines() + [KEY_ID, HEAD]:
            self.assertIn("    " + line + "\n", text)


if __name__ == "__main__":
    unittest.main()
