"""Restoring a backup under load, by INSTALL's steps (section 15): no record
file is replaced, no record number used twice, and the trail says what
happened (an audit-restored record, AUDIT.md)."""

import os
import pwd
import re
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import unittest

from harness import PRIVFORMS, SRC, Site, sqlite_only, teardown, wait_until

FORM = "/privacy/unsubscribe"
DISPLACED = re.compile(r"^displaced/[0-9]{8}T[0-9]{6}\.[0-9]{6}Z/"
                       r"[0-9]{4}-[0-9]{2}-[0-9]{2}/[0-9]{12}\.xml$")


def restore_steps():
    """The command lines of INSTALL's "To restore:" steps, in order."""
    with open(os.path.join(SRC, "INSTALL")) as f:
        text = f.read()
    part = text[text.index("To restore:\n"):text.index("16. Monitoring")]
    return [line.strip() for line in part.splitlines()
            if line.startswith("    ") and not line.startswith("     ")]


class Load:
    """Submissions to the unsubscribe form from a thread, one after another,
    until stop(); each answer's status is kept."""

    def __init__(self, site, tag):
        self.site, self.tag = site, tag
        self.statuses = []
        self.halt = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        i = 0
        while not self.halt.is_set():
            r = self.site.post(FORM, {"channel": "email",
                                      "email": "%s%d@example.com" % (self.tag, i)})
            self.statuses.append(r.status)
            i += 1

    def __enter__(self):
        self.site.stamp(FORM)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.halt.set()
        self.thread.join(timeout=120)

    def answered(self):
        return len(self.statuses)


def last_seq(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return con.execute("SELECT coalesce(max(seq), 0) FROM audit").fetchone()[0]
    finally:
        con.close()


def old_vote(db):
    """An article vote in db old enough for the nightly `privforms purge`
    (INSTALL, section 9) to forget its client, with an audit record."""
    con = sqlite3.connect(db)
    try:
        with con:
            con.execute("INSERT INTO article_vote (article, helpful, client, "
                        "created, updated) VALUES ('a', 1, 'c', ?1, ?1)",
                        ("2000-01-01T00:00:00.000000Z",))
    finally:
        con.close()


def details(xml):
    return dict(re.findall(r'<detail name="([a-z-]+)">([^<]*)</detail>', xml))


@sqlite_only("privforms backup's copy of the database file and INSTALL's "
             "steps that put it back")
class Restore(unittest.TestCase):

    def setUp(self):
        self.site = Site().start()
        self.addCleanup(teardown, self.site)
        self.backups = tempfile.mkdtemp(prefix="privforms-backups-")
        self.addCleanup(shutil.rmtree, self.backups, True)

    def files(self):
        """Every record file (in a day's directory or displaced/; not the
        checkpoints or keys): relative path -> bytes."""
        out = {}
        top = self.site.audit_dir
        for root, _, names in os.walk(top):
            for n in names:
                p = os.path.join(root, n)
                if not re.fullmatch(r"[0-9]{12}\.xml", n):
                    continue
                with open(p, "rb") as f:
                    out[os.path.relpath(p, top)] = f.read()
        return out

    def backup_under_load(self):
        """INSTALL's backup (its step 1 and the key's, step 2) while
        submissions keep arriving, and more of them after it: the backup's
        last record, and every audit file's bytes once the load stopped."""
        with Load(self.site, "before") as load:
            wait_until(lambda: load.answered() >= 10, "10 submissions")
            p = self.site.privforms("backup", os.path.join(self.backups,
                                                          "privforms.db"))
            during = load.answered()
            self.assertIn("integrity ok", p.stdout)
            for key in ("secret.key", "audit-signing.key"):
                shutil.copy(os.path.join(self.site.dir, key), self.backups)
            wait_until(lambda: load.answered() >= during + 10,
                       "10 submissions after the backup")
        self.assertEqual(set(load.statuses), {303}, load.statuses)
        backup = os.path.join(self.backups, "privforms.db")
        backup_seq = last_seq(backup)
        old_vote(backup)
        last = last_seq(self.site.db_path)
        self.assertGreater(last, backup_seq)
        before = self.files()
        self.assertEqual(len(before), last)
        return backup_seq, last, before

    def restore(self):
        """INSTALL's restore steps, literally: sudo and the service user
        left out (the test's user owns the site), the systemd units being
        the test's stack, the paths the site's.  init's output."""
        me = subprocess.run(["id", "-un"], capture_output=True, text=True,
                            check=True).stdout.strip()
        said = ""
        cron = True     # the system's cron, running the nightly purge
        for step in restore_steps():
            if step.startswith("sudo systemctl stop"):
                self.site.stop(remove=False)
                cron = cron and "cron" not in step.split()
                continue
            if step.startswith("sudo systemctl start"):
                self.site.start()
                continue
            if step.startswith("cd "):
                continue    # the site's directory, below
            cmd = step.replace("sudo -u privforms ", "").replace("sudo ", "")
            cmd = cmd.replace("-o privforms -g privforms ", "")
            cmd = cmd.replace("/var/backups/", self.backups + "/")
            if cmd.startswith("privforms "):
                cmd = "%s --config %s %s" % (
                    shlex.quote(PRIVFORMS), shlex.quote(self.site.conf),
                    cmd[len("privforms "):])
                if cmd.endswith(" init"):
                    cmd += " --user " + shlex.quote(me)
            p = subprocess.run(cmd, shell=True, cwd=self.site.dir,
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(p.returncode, 0, "%s:\n%s%s" % (step, p.stdout,
                                                             p.stderr))
            said += p.stdout + p.stderr
            if cron and " privforms.db" in cmd and cmd.startswith("install "):
                # The nightly purge, had cron reached its minute now.
                self.site.privforms("purge")
        return said

    def restored_record(self):
        xmls = self.site.audit_xml("audit-restored")
        self.assertEqual(len(xmls), 1, xmls)
        return xmls[0], details(xmls[0])

    def newest_checkpoint(self):
        d = os.path.join(self.site.audit_dir, "checkpoints")
        counts = [int(n[:12]) for n in (os.listdir(d) if os.path.isdir(d) else [])
                  if re.fullmatch(r"[0-9]{12}\.txt", n)]
        return str(max(counts)) if counts else "none"

    def assert_more_submissions_follow(self, first):
        with Load(self.site, "after") as load:
            wait_until(lambda: load.answered() >= 5, "5 submissions")
        self.assertEqual(set(load.statuses), {303}, load.statuses)
        seqs = [s for (s,) in self.site.query("SELECT seq FROM audit ORDER BY seq")]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)))
        self.assertGreaterEqual(len(seqs), first + 5)
        p = self.site.privforms("audit", "verify", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_restore_under_load_keeps_every_record(self):
        backup_seq, last, before = self.backup_under_load()
        said = self.restore()
        self.assertIn("records %d to %d taken back" % (backup_seq + 1, last),
                      said)
        self.assertNotIn("moved aside", said)
        self.assert_more_submissions_follow(last + 1)
        # No file replaced: every one is there with the bytes it had, and
        # is the record the database has under its number (none reused).
        after = self.files()
        rows = dict(self.site.query("SELECT seq, xml FROM audit"))
        for rel, data in before.items():
            self.assertEqual(after.get(rel), data, rel)
            self.assertEqual(rows[int(os.path.basename(rel)[:12])], data, rel)
        xml, d = self.restored_record()
        self.assertIn("<seq>%d</seq>" % (last + 1), xml)
        self.assertIn("<form>admin</form>", xml)
        self.assertEqual(d, {"backup-seq": str(backup_seq),
                             "recovered": str(last - backup_seq),
                             "displaced": "0",
                             "checkpoint": self.newest_checkpoint(),
                             "operator": os.environ.get("SUDO_USER") or
                             pwd.getpwuid(os.getuid()).pw_name})
        self.assertEqual([r for r in after if r.startswith("displaced/")], [])

    def test_a_file_that_does_not_chain_on_is_moved_aside(self):
        backup_seq, last, before = self.backup_under_load()
        # The last record's file changed by hand since: its digest fails.
        rel = max(before, key=lambda r: os.path.basename(r))
        changed = before[rel].replace(b"<event>unsubscribed<",
                                      b"<event>unsubscribeD<")
        self.assertNotEqual(changed, before[rel])
        with open(os.path.join(self.site.audit_dir, rel), "wb") as f:
            f.write(changed)
        said = self.restore()
        self.assertIn("moved aside", said)
        self.assert_more_submissions_follow(last)
        xml, d = self.restored_record()
        self.assertIn("<seq>%d</seq>" % last, xml)
        self.assertEqual(d["recovered"], str(last - 1 - backup_seq))
        self.assertEqual(d["displaced"], "1")
        # Kept, byte for byte, where AUDIT.md says.
        after = self.files()
        aside = [r for r in after if r.startswith("displaced/")]
        self.assertEqual(len(aside), 1, aside)
        self.assertRegex(aside[0], DISPLACED)
        self.assertTrue(aside[0].endswith("/" + rel), aside)
        self.assertEqual(after[aside[0]], changed)
        for r, data in before.items():
            if r != rel:
                self.assertEqual(after.get(r), data, r)


if __name__ == "__main__":
    unittest.main()
