"""make install and make uninstall, privforms init for a service user,
upgrades, and privforms backup while the forms serve.

Installs go to temporary trees: under DESTDIR, and as a consistent tree
(PREFIX, SYSCONFDIR, LOCALSTATEDIR, RUNSTATEDIR all under one directory)
whose installed programs read that tree's configuration.  Installing with
other directories relinks build/install/; tearDownModule builds it back
for the default ones.  The tests of init as root for another user need
root and are skipped otherwise."""

import glob
import grp
import os
import pwd
import re
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import threading
import unittest

from harness import PRIVFORMS, SRC, Site, install_tree, make, teardown

ROOT = os.geteuid() == 0
ME = pwd.getpwuid(os.geteuid()).pw_name
FORM = "/privacy/unsubscribe"
MIGRATIONS = sorted(glob.glob(os.path.join(SRC, "lib", "schema", "[0-9]*.sql")))
LATEST = int(os.path.basename(MIGRATIONS[-1]).split("-")[0])
PROGRAMS = sorted(os.path.basename(p)[:-2]
                  for p in glob.glob(os.path.join(SRC, "cgi-bin", "*.c")))
# The languages (po/i18n.mk): each po/NAME.po is installed; the
# pseudo-locales, built beside them for the tests, are not.
LANGS = sorted(os.path.basename(p)[:-3]
               for p in glob.glob(os.path.join(SRC, "po", "*.po")))
PSEUDO_LANGS = ("en_XA", "ar_XB")


def tmpdir(test):
    """A temporary directory others may traverse (the service user must
    reach the tree), removed after test (a test, or a test class)."""
    d = tempfile.mkdtemp(prefix="privforms-install-")
    os.chmod(d, 0o755)
    if isinstance(test, type):
        test.addClassCleanup(shutil.rmtree, d, True)
    else:
        test.addCleanup(shutil.rmtree, d, True)
    return d


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def files(root):
    """{path relative to root: mode} of every file (not directory)."""
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            out[os.path.relpath(p, root)] = mode(p)
    return out


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def run(argv, **kw):
    env = dict(os.environ)
    env.pop("PRIVFORMS_CONFIG", None)
    return subprocess.run(argv, capture_output=True, text=True, timeout=120,
                          env=env, **kw)


def service_user():
    """An existing unprivileged system user to hand the files to."""
    for name in ("nobody", "www-data", "daemon"):
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        return pw.pw_name, pw.pw_uid, pw.pw_gid, grp.getgrgid(pw.pw_gid).gr_name
    raise unittest.SkipTest("no system user such as nobody")


def tearDownModule():
    # Back to the programs built for the default directories.
    make("all")


class Layout(unittest.TestCase):
    """make install DESTDIR=...: what goes where, with which mode."""

    @classmethod
    def setUpClass(cls):
        cls.t = tempfile.mkdtemp(prefix="privforms-install-")
        make("install", "DESTDIR=" + cls.t)
        cls.usr = os.path.join(cls.t, "usr", "local")
        cls.conf = os.path.join(cls.t, "etc", "privforms")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.t, ignore_errors=True)

    def test_programs_are_0755(self):
        cgibin = os.path.join(self.usr, "lib", "cgi-bin", "privforms")
        want = {os.path.join(cgibin, p + ".fcgi") for p in PROGRAMS}
        want.add(os.path.join(self.usr, "sbin", "privforms"))
        for p in sorted(want):
            with self.subTest(path=p):
                self.assertEqual(mode(p), 0o755)
        self.assertEqual(set(glob.glob(cgibin + "/*")), want - {
            os.path.join(self.usr, "sbin", "privforms")})

    def test_modules_are_0644_beside_no_program(self):
        # issue 28: the programs open the phone module when a request
        # first reads a phone number (lib/phone_module.h), the PostgreSQL
        # one when the database is PostgreSQL (lib/pg_module.h); neither
        # is a program of CGIBIN.
        lib = os.path.join(self.usr, "lib", "privforms")
        self.assertEqual(files(lib), {"phone.so": 0o644, "pg.so": 0o644})

    def test_htdocs_and_schemas_are_0644(self):
        share = os.path.join(self.usr, "share", "privforms")
        self.assertEqual(files(os.path.join(share, "htdocs")),
                         {f: 0o644 for f in files(os.path.join(SRC, "htdocs"))
                          if not set(PSEUDO_LANGS) & set(f.split(os.sep)[:2])})
        for f in glob.glob(os.path.join(SRC, "etc", "*.xs[dl]")):
            with self.subTest(file=f):
                self.assertEqual(mode(os.path.join(share, os.path.basename(f))),
                                 0o644)

    def test_conffiles_are_0644(self):
        want = ["privforms.conf"] + [
            os.path.relpath(f, os.path.join(SRC, "etc"))
            for f in glob.glob(os.path.join(SRC, "etc", "*.tsv")) +
            glob.glob(os.path.join(SRC, "etc", "mail", "*.txt")) +
            [m for l in LANGS for m in
             glob.glob(os.path.join(SRC, "etc", "mail", l, "*.txt"))] +
            glob.glob(os.path.join(SRC, "etc", "nginx", "*.conf")) +
            glob.glob(os.path.join(SRC, "etc", "apache", "*.conf"))]
        self.assertEqual(files(self.conf), {f: 0o644 for f in want})

    def test_languages_but_not_the_pseudo_locales(self):
        # issue 20: each po/NAME.po's catalogue, templates and mails; the
        # pseudo-locales are built in the source tree (checked here) only.
        locale = os.path.join(self.usr, "share", "locale")
        htdocs = os.path.join(self.usr, "share", "privforms", "htdocs")
        self.assertEqual(files(locale) if os.path.isdir(locale) else {},
                         {os.path.join(l, "LC_MESSAGES", "privforms.mo"): 0o644
                          for l in LANGS})
        pages = {os.path.basename(f) for f in
                 glob.glob(os.path.join(SRC, "htdocs", "*.xhtml"))} - {
                     "request-notice.xhtml", "consent-notice.xhtml"}
        mails = {os.path.basename(f) for f in
                 glob.glob(os.path.join(SRC, "etc", "mail", "*.txt"))}
        for l in LANGS + list(PSEUDO_LANGS):
            installed = l in LANGS
            with self.subTest(language=l):
                self.assertTrue(os.path.exists(os.path.join(
                    SRC, "build", "locale", l, "LC_MESSAGES", "privforms.mo")))
                self.assertEqual(os.path.isdir(os.path.join(htdocs, l)),
                                 installed)
                self.assertEqual(
                    os.path.isdir(os.path.join(self.conf, "mail", l)), installed)
                if installed:
                    self.assertLessEqual(pages, set(os.listdir(
                        os.path.join(htdocs, l))))
                    self.assertEqual(mails, set(os.listdir(
                        os.path.join(self.conf, "mail", l))))

    def test_units_are_0644(self):
        units = os.path.join(self.usr, "lib", "systemd", "system")
        want = [os.path.basename(f) for f in
                glob.glob(os.path.join(SRC, "etc", "systemd", "*.service")) +
                glob.glob(os.path.join(SRC, "etc", "systemd", "*.socket")) +
                glob.glob(os.path.join(SRC, "etc", "systemd", "*.timer"))]
        self.assertTrue(want)
        self.assertEqual(files(units), {f: 0o644 for f in want})

    def test_man_pages_and_their_links(self):
        man = os.path.join(self.usr, "share", "man")
        for f in glob.glob(os.path.join(SRC, "man", "*.[0-9]")):
            sec = f.rsplit(".", 1)[1]
            with self.subTest(page=f):
                self.assertEqual(mode(os.path.join(man, "man" + sec,
                                                   os.path.basename(f))), 0o644)
        for p in PROGRAMS:
            link = os.path.join(man, "man8", p + ".fcgi.8")
            with self.subTest(link=link):
                self.assertEqual(read(link), ".so man8/privforms-forms.8\n")
                self.assertEqual(mode(link), 0o644)

    def test_no_data_is_made(self):
        self.assertFalse(os.path.exists(os.path.join(self.t, "var")))
        self.assertFalse(os.path.exists(os.path.join(self.t, "run")))

    def test_default_configuration_is_confdir(self):
        if os.path.exists("/etc/privforms/privforms.conf"):
            self.skipTest("this host has an /etc/privforms/privforms.conf")
        p = run([os.path.join(self.usr, "sbin", "privforms"), "mail", "status"])
        self.assertEqual(p.returncode, 1)
        self.assertIn("/etc/privforms/privforms.conf", p.stderr)


class Prefix(unittest.TestCase):
    """PREFIX=/usr: every installed text names the real directories."""

    def test_texts_name_the_installed_directories(self):
        t = tmpdir(self)
        make("install", "PREFIX=/usr", "DESTDIR=" + t)
        units = os.path.join(t, "usr", "lib", "systemd", "system")
        nginx = read(os.path.join(t, "etc", "privforms", "nginx",
                                  "privforms.conf"))
        self.assertIn("/usr/share/privforms/htdocs/static/", nginx)
        service = read(os.path.join(units, "privforms@.service"))
        self.assertIn("/usr/lib/cgi-bin/privforms/%i.fcgi", service)
        self.assertIn("/usr/sbin/privforms",
                      read(os.path.join(units, "privforms-mail.service")))
        for d in ("etc", "usr/lib/systemd", "usr/share/man",
                  "usr/share/privforms"):
            for f in files(os.path.join(t, d)):
                path = os.path.join(t, d, f)
                if path.endswith((".8", ".5", ".conf", ".service", ".socket",
                                  ".timer", ".txt", ".tsv", ".example")):
                    with self.subTest(file=path):
                        self.assertNotIn("/usr/local", read(path))
        self.assertTrue(os.path.isfile(
            os.path.join(t, "usr", "lib", "cgi-bin", "privforms",
                         "unsubscribe.fcgi")))


class PhoneModule(unittest.TestCase):
    """An installed tree's command reads phone numbers through the phone
    module installed beside it, not the source tree's."""

    def test_installed_command_reads_a_number(self):
        tree = Tree(self)
        args = ["init"] + (["--user", service_user()[0]] if ROOT else [])
        p = tree.run(*args)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = tree.run("dnc", "check", "(303) 749-2110", "--country", "US")
        self.assertIn("+13037492110", p.stdout, p.stderr)
        self.assertNotIn("phone module", p.stderr)

    def assert_scrub_fails_without_the_module(self, command, lines):
        """A scrub that cannot read numbers must not look like a list of
        which every number was removed (issue 28's review): exit 2, no
        output, the loader's reason said."""
        tree = Tree(self)
        args = ["init"] + (["--user", service_user()[0]] if ROOT else [])
        self.assertEqual(tree.run(*args).returncode, 0)
        os.remove(os.path.join(tree.t, "usr", "lib", "privforms",
                               "phone.so"))
        p = tree.run(command, "scrub", "--country", "US", input=lines)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertIn("cannot load the phone module", p.stderr)
        self.assertNotIn("kept", p.stderr)

    def test_scrub_without_the_module_fails_and_keeps_nothing(self):
        self.assert_scrub_fails_without_the_module(
            "dnc", "(303) 749-2110\n+44 20 7946 0958\n")

    def test_unsubscribes_scrub_without_the_module_fails(self):
        # Its email lines could be read: still nothing, not a list
        # without its numbers.
        self.assert_scrub_fails_without_the_module(
            "unsubscribes", "ada@example.com\n(303) 749-2110\n")


class Conffiles(unittest.TestCase):
    """An edited conffile is kept; ours beside it as .new when both changed;
    uninstall keeps only edited ones and never touches the data."""

    def test_upgrade_and_uninstall(self):
        t = tmpdir(self)
        dest = "DESTDIR=" + t
        make("install", dest)
        conf = os.path.join(t, "etc", "privforms")
        dist = os.path.join(t, "usr", "local", "share", "privforms", "dist")
        shipped = read(os.path.join(conf, "privforms.conf"))

        # Edited, ours unchanged: kept, nothing beside it.
        with open(os.path.join(conf, "privforms.conf"), "a") as f:
            f.write("base_url = https://example.org\n")
        edited = read(os.path.join(conf, "privforms.conf"))
        make("install", dest)
        self.assertEqual(read(os.path.join(conf, "privforms.conf")), edited)
        self.assertFalse(os.path.exists(os.path.join(conf, "privforms.conf.new")))

        # Ours changed since the last install (as if the dist copy were an
        # older release): the edited one kept, ours as .new; an unedited
        # one (the laws table, as the old release shipped it) replaced.
        laws = os.path.join(conf, "privacy-laws.tsv")
        new_laws = read(laws)
        for f in (os.path.join(dist, "privforms.conf"),
                  os.path.join(dist, "privacy-laws.tsv"), laws):
            with open(f, "a") as fh:
                fh.write("# from an older release\n")
        p = make("install", dest)
        self.assertEqual(read(os.path.join(conf, "privforms.conf")), edited)
        self.assertEqual(read(os.path.join(conf, "privforms.conf.new")), shipped)
        self.assertIn("privforms.conf.new", p.stdout)
        self.assertEqual(read(laws), new_laws)
        self.assertFalse(os.path.exists(laws + ".new"))

        # Data under STATEDIR survives uninstall untouched.
        state = os.path.join(t, "var", "lib", "privforms")
        os.makedirs(state)
        with open(os.path.join(state, "privforms.db"), "w") as f:
            f.write("data")
        p = make("uninstall", dest)
        self.assertIn("kept", p.stdout)
        self.assertEqual(sorted(files(t)), ["etc/privforms/privforms.conf",
                                            "var/lib/privforms/privforms.db"])
        self.assertEqual(read(os.path.join(conf, "privforms.conf")), edited)
        self.assertEqual(read(os.path.join(state, "privforms.db")), "data")


class PgModule(unittest.TestCase):
    """The PostgreSQL module (lib/pg_module.h) is loaded only for a
    PostgreSQL database: a site on SQLite runs without it, and one on
    PostgreSQL that cannot load it is told why."""

    def setUp(self):
        self.tree = Tree(self)
        args = ["init"] + (["--user", service_user()[0]] if ROOT else [])
        p = self.tree.run(*args)
        self.assertEqual(p.returncode, 0, p.stderr)
        os.remove(os.path.join(self.tree.t, "usr", "lib", "privforms",
                               "pg.so"))

    def test_a_site_on_sqlite_never_loads_it(self):
        p = self.tree.run("audit", "verify")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("PostgreSQL module", p.stderr)

    def test_a_postgresql_database_without_it_says_why(self):
        conf = os.path.join(self.tree.t, "etc", "privforms", "privforms.conf")
        self.assertTrue(os.path.exists(conf), conf)
        with open(conf, "a") as f:
            f.write("database = host=/nonexistent dbname=privforms\n")
        p = self.tree.run("audit", "verify")
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn("PostgreSQL module", p.stderr)
        self.assertIn("pg.so", p.stderr)


class Tree:
    """A consistent installed tree: its privforms reads its own config.
    Installing adds nothing under var/ (Layout), so clear() takes it back
    to as installed."""

    def __init__(self, test):
        self.t = tmpdir(test)
        install_tree(self.t)
        self.privforms = os.path.join(self.t, "usr", "sbin", "privforms")
        self.state = os.path.join(self.t, "var", "lib", "privforms")
        self.db = os.path.join(self.state, "privforms.db")

    def run(self, *args, **kw):
        return run([self.privforms] + list(args), **kw)

    def clear(self):
        shutil.rmtree(os.path.join(self.t, "var"), ignore_errors=True)


@unittest.skipUnless(ROOT, "init for another user needs root")
class InitAsRoot(unittest.TestCase):
    """Each test on the class's one tree, its data cleared before."""

    @classmethod
    def setUpClass(cls):
        cls.user, cls.uid, cls.gid, cls.group = service_user()
        cls.tree = Tree(cls)

    def setUp(self):
        self.tree.clear()

    def snapshot(self):
        out = {}
        for d, dirs, names in os.walk(self.tree.state):
            for n in dirs + names:
                p = os.path.join(d, n)
                st = os.lstat(p)
                out[os.path.relpath(p, self.tree.state)] = (
                    stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
        return out

    def test_files_belong_to_the_user_and_a_second_run_keeps_them(self):
        p = self.tree.run("init", "--user", self.user)
        self.assertEqual(p.returncode, 0, p.stderr)
        s = self.tree.state
        want = {s: 0o711, s + "/audit": 0o750, s + "/site": 0o755,
                s + "/site/404.html": 0o644, s + "/secret.key": 0o600}
        for path, m in want.items():
            with self.subTest(path=path):
                st = os.stat(path)
                self.assertEqual(stat.S_IMODE(st.st_mode), m)
                self.assertEqual((st.st_uid, st.st_gid), (self.uid, self.gid))
        self.assertEqual(mode(self.tree.db) & 0o137, 0, oct(mode(self.tree.db)))
        for path, (_, uid, gid) in self.snapshot().items():
            with self.subTest(path=path):
                self.assertEqual((uid, gid), (self.uid, self.gid))
        self.assertIn(s, p.stdout)
        self.assertIn("%s:%s" % (self.user, self.group), p.stdout)

        before, key = self.snapshot(), read(s + "/secret.key")
        again = self.tree.run("init", "--user", self.user)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertNotIn("created", again.stdout)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(read(s + "/secret.key"), key)

    def test_missing_user_is_refused_saying_how_to_make_one(self):
        p = self.tree.run("init", "--user", "no-such-privforms-user")
        self.assertEqual(p.returncode, 1)
        self.assertIn("adduser --system --group", p.stderr)
        self.assertIn("--user", p.stderr)
        self.assertFalse(os.path.exists(self.tree.state))
        try:
            pwd.getpwnam("privforms")
        except KeyError:    # the default user, when it is not there
            p = self.tree.run("init")
            self.assertEqual(p.returncode, 1)
            self.assertIn("no user privforms", p.stderr)

    def test_a_key_of_another_owner_is_refused(self):
        self.assertEqual(self.tree.run("init", "--user", self.user).returncode, 0)
        key = os.path.join(self.tree.state, "secret.key")
        os.chown(key, 0, 0)
        p = self.tree.run("init", "--user", self.user)
        self.assertEqual(p.returncode, 1)
        self.assertIn(key, p.stderr)
        self.assertIn("belongs to another user", p.stderr)
        self.assertEqual(os.stat(key).st_uid, 0)

    def test_a_home_directory_from_adduser_is_narrowed(self):
        # adduser --system --home makes the data directory 0755: listable.
        os.makedirs(self.tree.state, mode=0o755)
        os.chmod(self.tree.state, 0o755)
        os.chown(self.tree.state, self.uid, self.gid)
        p = self.tree.run("init", "--user", self.user)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(mode(self.tree.state), 0o711)
        self.assertIn("narrowed", p.stdout)

    def test_root_follows_no_link_the_user_planted(self):
        # The user owns the data directory and puts a link where the
        # audit directory goes: root must neither make nor chown anything
        # through it; the user's own pass then meets the link.
        os.makedirs(self.tree.state, mode=0o711)
        os.chown(self.tree.state, self.uid, self.gid)
        target = tmpdir(self)
        os.chmod(target, 0o755)
        link = os.path.join(self.tree.state, "audit")
        os.symlink(target, link)
        os.lchown(link, self.uid, self.gid)
        self.tree.run("init", "--user", self.user)
        st = os.stat(target)
        self.assertEqual((st.st_uid, stat.S_IMODE(st.st_mode)), (0, 0o755))

    def test_another_user_cannot_init_for_someone_else(self):
        p = self.tree.run("init", "--user", "root", user=self.uid,
                          group=self.gid, extra_groups=[])
        self.assertEqual(p.returncode, 1)
        self.assertIn("only root can", p.stderr)


class DefaultGoal(unittest.TestCase):
    """`make` with no target, in a clean copy of the tree (the files git
    tracks, nothing built, no Makefile.local), builds what the Makefile's
    header says: `all`, the library, the programs and the command."""

    def clean_copy(self):
        p = run(["git", "-C", SRC, "ls-files", "-z"])
        if p.returncode != 0:
            self.skipTest("not a git checkout: " + p.stderr)
        t = tmpdir(self)
        for f in p.stdout.split("\0"):
            if f and os.path.isfile(os.path.join(SRC, f)):
                os.makedirs(os.path.join(t, os.path.dirname(f)), exist_ok=True)
                shutil.copy2(os.path.join(SRC, f), os.path.join(t, f))
        return t

    def test_plain_make_builds_all(self):
        t = self.clean_copy()
        p = run(["make", "-C", t, "--no-print-directory", "-n", "-p"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(re.findall(r"^\.DEFAULT_GOAL := (.*)$", p.stdout, re.M),
                         ["all"])
        p = run(["make", "-C", t, "--no-print-directory", "-n"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("ar rcs lib/libprivforms.a ", p.stdout)
        for target in ["tools/privforms"] + [
                "cgi-bin/%s.fcgi" % name for name in PROGRAMS]:
            self.assertIn(" -o %s " % target, p.stdout)
        self.assertFalse([line for line in p.stdout.splitlines()
                          if "tests/fuzz/build" in line][:1])


class Upgrade(unittest.TestCase):
    """init on a database of an older schema: migrated, rows kept."""

    def test_old_schema_is_migrated_and_rows_kept(self):
        # The files but the last two, and the version the last of them
        # brings (numbers are one per piece of work: they may skip).
        files = MIGRATIONS[:max(1, len(MIGRATIONS) - 2)]
        old = int(os.path.basename(files[-1]).split("-")[0])
        tree = Tree(self)
        os.makedirs(tree.state)
        sql = "".join(read(f) for f in files)
        sql += ("PRAGMA user_version = %d;\n"
                "INSERT INTO optout (channel, address, list, reason, source, "
                "created, updated) VALUES ('email', 'old@example.com', '', "
                "NULL, 'form', '2020-01-01T00:00:00.000000Z', "
                "'2020-01-01T00:00:00.000000Z');\n" % old)
        subprocess.run(["sqlite3", "-bail", tree.db], input=sql, text=True,
                       check=True, capture_output=True, timeout=60)
        args = ["init"]
        if ROOT:
            user, uid, gid, _ = service_user()
            for p in (tree.state, tree.db):
                os.chown(p, uid, gid)
            args += ["--user", user]
        p = tree.run(*args)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("schema %d" % LATEST, p.stdout)
        self.assertIn("kept", p.stdout)
        con = sqlite3.connect(tree.db)
        try:
            self.assertEqual(con.execute("PRAGMA user_version").fetchone()[0],
                             LATEST)
            self.assertEqual(con.execute(
                "SELECT address, source FROM optout").fetchall(),
                [("old@example.com", "form")])
        finally:
            con.close()


SITE = None


class Backup(unittest.TestCase):
    """privforms backup against a site that keeps taking submissions."""

    @classmethod
    def setUpClass(cls):
        global SITE
        SITE = Site().start()

    @classmethod
    def tearDownClass(cls):
        teardown(SITE)

    def setUp(self):
        self.dir = tmpdir(self)

    def backup(self, *args, **kw):
        return run([PRIVFORMS, "--config", SITE.conf, "backup"] + list(args),
                   **kw)

    def check_copy(self, path):
        self.assertEqual(mode(path), 0o600)
        con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchall(),
                             [("ok",)])
            self.assertEqual(con.execute("PRAGMA user_version").fetchone()[0],
                             LATEST)
            return con.execute("SELECT count(*) FROM optout").fetchone()[0]
        finally:
            con.close()

    def leftovers(self):
        return [f for f in os.listdir(self.dir) if f.endswith(".tmp") or
                "-journal" in f]

    def test_backups_while_the_form_takes_posts(self):
        statuses = []
        done = threading.Event()

        def post():
            for i in range(40):
                r = SITE.post(FORM, {"channel": "email",
                                     "email": "backup%d@example.com" % i})
                statuses.append(r.status)
            done.set()

        def copy():
            path = os.path.join(self.dir, "copy%d.db" % len(copies))
            p = self.backup(path)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(path, p.stdout)
            copies.append(path)

        SITE.stamp(FORM)
        before = SITE.count("optout")
        th = threading.Thread(target=post)
        th.start()
        copies = []
        while not done.is_set() or len(copies) < 3:
            copy()
        th.join()
        # A copy started while the last POST was still being stored may
        # lack it; one started after every answer has everything.
        copy()
        self.assertEqual(statuses, [303] * 40)
        counts = [self.check_copy(c) for c in copies]
        self.assertEqual(counts, sorted(counts))
        self.assertGreaterEqual(counts[0], before)
        self.assertEqual(counts[-1], before + 40)
        self.assertEqual(counts[-1], SITE.count("optout"))
        self.assertEqual(self.leftovers(), [])

    def test_existing_file_needs_force(self):
        path = os.path.join(self.dir, "b.db")
        with open(path, "w") as f:
            f.write("precious")
        p = self.backup(path)
        self.assertEqual(p.returncode, 1)
        self.assertIn("exists", p.stderr)
        self.assertIn("--force", p.stderr)
        self.assertEqual(read(path), "precious")
        p = self.backup("--force", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.check_copy(path)
        self.assertEqual(self.leftovers(), [])

    def test_the_database_itself_is_refused(self):
        p = self.backup("--force", SITE.db_path)
        self.assertEqual(p.returncode, 1)
        self.assertIn("the database itself", p.stderr)

    def test_missing_directory_fails_leaving_nothing(self):
        path = os.path.join(self.dir, "no", "b.db")
        p = self.backup(path)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot write %s" % path, p.stderr)
        self.assertEqual(os.listdir(self.dir), [])

    def test_unwritable_directory_fails_leaving_nothing(self):
        os.chmod(self.dir, 0o555)
        self.addCleanup(os.chmod, self.dir, 0o755)
        argv = [PRIVFORMS, "--config", SITE.conf, "backup",
                os.path.join(self.dir, "b.db")]
        if ROOT:
            # Root writes anywhere; without these capabilities it cannot.
            if shutil.which("setpriv") is None:
                self.skipTest("no setpriv to drop root's file capabilities")
            argv = ["setpriv", "--bounding-set",
                    "-dac_override,-dac_read_search,-fowner", "--"] + argv
        p = run(argv)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("Permission denied", p.stderr)
        self.assertEqual(os.listdir(self.dir), [])

    def test_usage(self):
        for args in ([], ["a", "b"], ["--nope", "a"]):
            with self.subTest(args=args):
                self.assertEqual(self.backup(*args).returncode, 2)


if __name__ == "__main__":
    unittest.main()
