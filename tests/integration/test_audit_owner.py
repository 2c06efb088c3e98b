"""Admin commands INSTALL lets root run (privforms backup, from root's
crontab) write an audit record (personal-data-read) into a trail that
belongs to the programs' user: what root writes there must stay the
user's, or the forms cannot write the rest of the day's records."""

import os
import pwd
import shutil
import subprocess
import unittest

from harness import PRIVFORMS, Site, sqlite_only


def service_user():
    for name in ("nobody", "www-data", "daemon"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise unittest.SkipTest("no system user such as nobody")


@unittest.skipUnless(os.geteuid() == 0, "root writing for another user needs root")
@sqlite_only("privforms backup copies the SQLite file (on PostgreSQL it "
             "names pg_dump)")
class RootBackup(unittest.TestCase):
    def setUp(self):
        self.pw = service_user()
        # Never started: only the admin command (tools/stack.sh would
        # name the signing key; init needs it named here).
        self.site = Site(config={"audit_signing_key": "audit-signing.key"})
        self.addCleanup(shutil.rmtree, self.site.dir, ignore_errors=True)
        os.chmod(self.site.dir, 0o755)
        os.chown(self.site.dir, self.pw.pw_uid, self.pw.pw_gid)
        self.site.privforms("init", "--user", self.pw.pw_name)

    def as_user(self, *args):
        return subprocess.run([PRIVFORMS, "--config", self.site.conf] + list(args),
                              capture_output=True, text=True, timeout=60,
                              user=self.pw.pw_uid, group=self.pw.pw_gid,
                              extra_groups=[])

    def test_a_backup_by_root_leaves_the_trail_the_users(self):
        backup = os.path.join(self.site.dir, "backup.db")
        self.site.privforms("backup", backup)     # as root, as INSTALL's crontab
        for d, dirs, names in os.walk(self.site.audit_dir):
            for n in dirs + names:
                st = os.lstat(os.path.join(d, n))
                with self.subTest(path=os.path.join(d, n)):
                    self.assertEqual((st.st_uid, st.st_gid),
                                     (self.pw.pw_uid, self.pw.pw_gid))
        # The programs' user writes the day's next record, and checks them all.
        p = self.as_user("unsubscribes", "export")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("cannot be written", p.stderr)
        p = self.as_user("audit", "verify")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
