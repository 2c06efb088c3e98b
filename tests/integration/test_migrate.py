"""test_migrate.py -- privforms migrate --to postgresql (issue 21, item 5).

One SQLite site gets rows in every table through its forms (every audit
event's steps of test_events.py: every form, the team's commands, mail
sent), a honeypot and rate limits; then it is stopped and moved onto a
database on the test process's PostgreSQL server (harness.pg_server) as
INSTALL's section 21 says: the database and roles by section 20's block,
migrate connecting as privforms_owner, section 20's grants run as the
owner, then served with database the web role's and admin_database the
team's.  The team's exports, reports and the status page say the same as
on SQLite, audit verify passes, a new request takes a new number; the
sender sends, the team erases and purges migrated rows, the web and team
roles are refused the migrated trail by the grants and the owner by its
trigger.  A target with rows is refused; a copy that fails on a row, or
is killed midway, leaves the target empty.

The source is SQLite whatever PRIVFORMS_TEST_BACKEND says: the test is
skipped in the PostgreSQL pass (its site would be PostgreSQL already).
"""
import os
import pwd
import re
import shlex
import signal
import sqlite3
import subprocess
import tempfile
import time
import unittest

import test_events as steps
from harness import (GRANTS_BLOCK, PG_BIN, PRIVFORMS, address,
                     install_block, mail_site, pg_server, request_submit,
                     request_verify, sqlite_only, teardown, token_craft,
                     wait_until)

SITE = None
SMTP = None
BEFORE = None       # the answers on SQLite
AFTER = None        # and on PostgreSQL, before any test changes a thing
COUNTS = None       # rows per table in the SQLite file when migrated
TARGET = None       # the migrated database's name
MIGRATED = None     # migrate's run
MAX_REQUEST = None
COPIED = {}         # rows per table in the target, before it served
TALLIES = {}        # audit_count on each side when migrated
TRAIL_END = None    # the migrated trail's last seq
AUDIT_COUNT = "SELECT form, event, n FROM audit_count ORDER BY form, event"

# Answers that hold a time of their own making, blanked before comparing.
VOLATILE = (r'generated="[^"]*"', r'name="pf_stamp" value="[^"]*"',
            r"\?t=[\w.-]+",
            r"^Generated: .*$", r"generated,[^\r\n]*")


def tables():
    """The tables of the SQLite schema."""
    con = sqlite3.connect("file:%s?mode=ro" % SITE.db_path, uri=True)
    try:
        return [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    finally:
        con.close()


def sqlite_counts():
    con = sqlite3.connect("file:%s?mode=ro" % SITE.db_path, uri=True)
    try:
        return {t: con.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                for t in tables()}
    finally:
        con.close()


def sqlite_audit_count():
    con = sqlite3.connect("file:%s?mode=ro" % SITE.db_path, uri=True)
    try:
        return con.execute(AUDIT_COUNT).fetchall()
    finally:
        con.close()


def pg(name, sql, args=()):
    import psycopg2
    con = psycopg2.connect(pg_server().dsn(name))
    try:
        cur = con.cursor()
        cur.execute(sql, args)
        rows = cur.fetchall() if cur.description else None
        con.commit()
        return rows
    finally:
        con.close()


def pg_counts(name):
    return {t: pg(name, "SELECT count(*) FROM %s" % t)[0][0]
            for t in tables()}


def cli(conf, *args, check=True):
    p = subprocess.run([PRIVFORMS, "--config", conf] + list(args),
                       capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError("privforms %s: %s" % (" ".join(args), p.stderr))
    return p


def migrate(conf, name, user="postgres"):
    return cli(conf, "migrate", "--to", "postgresql", "--database",
               pg_server().dsn(name, user), check=False)


def fill():
    """Every form, command and mail (test_events's steps), then what those
    leave empty: a trapped submission, rate-limit hits, a spent challenge
    (the test's own row: solving one is test_browser's)."""
    steps.SITE, steps.SMTP = SITE, SMTP
    steps.run_every_event()
    r = SITE.post("/privacy/unsubscribe", {"channel": "email",
                  "email": "trap@example.com", "website": "http://x.example/"})
    assert r.status == 303, r
    r = SITE.post("/privacy/unsubscribe", {"channel": "email",
                  "email": "limited@example.com", "confirm": "yes"})
    assert r.status == 303, r
    # An erasure of someone who had opted out keeps the opt-out in force
    # by a suppression entry.
    who = "erased@example.com"
    r = SITE.post("/privacy/unsubscribe", {"channel": "email", "email": who,
                                           "confirm": "yes"})
    assert r.status == 303, r
    rid = request_submit(SITE, who, kind="deletion")
    request_verify(SITE, SMTP, who)
    cli(SITE.conf, "request", "erase", str(rid))
    SITE.write("INSERT INTO pow_spent (challenge, expires) VALUES (?, ?)",
               ("migrate-test-challenge", "2099-01-01T00:00:00Z"))
    # A subscription as lib/subscription.c stores it (the preference
    # page's test steps make their own once they run here).
    SITE.write("INSERT INTO subscription (channel, address, list, state, "
               "requested, confirmed, method, notice, language) VALUES "
               "('email', 'migrate-sub@example.com', 'news', 'subscribed', "
               "?, ?, 'signup', '0123456789abcdef', 'en')",
               ("2026-11-24T06:00:00.000001Z", "2026-11-24T06:00:00.000001Z"))


def answers(conf):
    """What the team and a requester see: exports, reports, lists, a
    status page; each with its own times blanked."""
    year = time.strftime("%Y", time.gmtime())
    out = {}
    for args in (("dnc", "export"), ("dnc", "export", "--format", "xml"),
                 ("consent", "export"), ("optouts", "export"),
                 ("unsubscribes", "export"), ("requests",),
                 ("requests", "report", "--year", year, "--format", "csv"),
                 ("feedback", "report", "--format", "csv"),
                 ("feedback", "list", "--articles"), ("guard", "report"),
                 ("lists",), ("lists", "export", "news"),
                 ("request", "show", str(steps.RID)), ("mail", "status")):
        out[" ".join(args)] = cli(conf, *args).stdout
    t = token_craft(SITE, "dsr-status", int(time.time()) + 3600,
                    str(steps.RID))
    r = SITE.get("/privacy/request/status?t=" + t)
    out["status page"] = (r.status, r.text)
    for k, v in out.items():
        text = v[1] if isinstance(v, tuple) else v
        for pat in VOLATILE:
            text = re.sub(pat, "", text, flags=re.M)
        out[k] = (v[0], text) if isinstance(v, tuple) else text
    return out


def setUpModule():
    global SITE, SMTP, BEFORE, AFTER, COUNTS, TARGET, MIGRATED, MAX_REQUEST
    global TRAIL_END
    if steps.POSTGRESQL:
        return
    SITE, SMTP = mail_site(audit_ticket_pattern=steps.TICKETS,
                           unsubscribe_confirmation="yes",
                           feedback_to="team@example.com",
                           unsubscribe_limit="100/hour")
    fill()
    BEFORE = answers(SITE.conf)
    MAX_REQUEST = SITE.query("SELECT max(id) FROM request")[0][0]
    SITE.stop(remove=False)
    # INSTALL's section 21 as written.  1: the database and roles by
    # section 20's block (createdb runs its lines), no init.
    TARGET = pg_server().createdb()
    # 3: migrate connecting as the owner role.
    MIGRATED = migrate(SITE.conf, TARGET, "privforms_owner")
    COUNTS = sqlite_counts()
    COPIED.update(pg_counts(TARGET))
    TRAIL_END = pg(TARGET, "SELECT max(seq) FROM audit")[0][0]
    for name, rows in (("sqlite", sqlite_audit_count()),
                       ("target", pg(TARGET, AUDIT_COUNT))):
        TALLIES[name] = [tuple(r) for r in rows]
    # 4: section 20's grants block, as the owner.
    pg_server().execute(TARGET, "privforms_owner",
                        install_block(GRANTS_BLOCK))
    # 5: database the web role's connection, admin_database the team's.
    with open(SITE.conf) as f:
        lines = [line for line in f
                 if line.split("=")[0].strip() not in ("database",
                                                       "admin_database")]
    with open(SITE.conf, "w") as f:
        f.writelines(lines + [
            "database = %s\n" % pg_server().dsn(TARGET, "privforms_web"),
            "admin_database = %s\n" % pg_server().dsn(TARGET,
                                                       "privforms_team")])
    SITE.start()
    AFTER = answers(SITE.conf)


def tearDownModule():
    teardown(SITE, SMTP)
    if TARGET is not None:
        pg_server().dropdb(TARGET)


def sqlite_conf(**keys):
    """A configuration of the site's SQLite file, now that the site is
    served from PostgreSQL, with an audit directory of its own: a migrate
    from it records its read in the file's trail, which must not write
    into the served trail's directory."""
    return SITE.conf_with("sqlite.conf", database="privforms.db",
                          admin_database="privforms.db",
                          audit_dir="audit-sqlite", **keys)


def pg_conf(name):
    """A configuration of database name as the superuser, with an audit
    directory of its own (not the served site's)."""
    dsn = pg_server().dsn(name)
    return SITE.conf_with("pg.conf", database=dsn, admin_database=dsn,
                          audit_dir="audit-pg")


@sqlite_only("migrate copies an SQLite site; its target is the pass's "
             "own server")
class Migrated(unittest.TestCase):
    def test_migrate_says_done_and_names_every_table(self):
        self.assertEqual(MIGRATED.returncode, 0, MIGRATED.stderr)
        self.assertIn("checked on both sides", MIGRATED.stdout)
        said = dict(re.findall(r"^  (\w+) +(\d+) rows$", MIGRATED.stdout,
                               re.M))
        self.assertEqual({t: int(n) for t, n in said.items()}, COUNTS)

    def test_every_table_had_rows_and_has_them_all(self):
        self.assertEqual(sorted(t for t, n in COUNTS.items() if n == 0), [])
        self.assertEqual(COPIED, COUNTS)

    def test_the_audit_tally_is_the_sources_not_counted_twice(self):
        # audit_count is written by a trigger on audit as well as copied.
        self.assertEqual(TALLIES["target"], TALLIES["sqlite"])

    def test_the_answers_are_the_same_on_postgresql(self):
        for k in BEFORE:
            with self.subTest(answer=k):
                self.assertEqual(AFTER[k], BEFORE[k])

    def test_audit_verify_passes(self):
        p = cli(SITE.conf, "audit", "verify", check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_a_new_request_takes_a_new_number(self):
        # (Site.query reads the SQLite file: the site's rows are asked of
        # the target here.)
        r = SITE.post("/privacy/request", {
            "type": "access", "relationship": "customer", "country": "DE",
            "email": "after-migrate@example.com", "first_name": "Ada",
            "last_name": "Lovelace"})
        self.assertEqual(r.status, 303, r)
        [(rid,)] = pg(TARGET, "SELECT id FROM request WHERE email_key = %s",
                      ("after-migrate@example.com",))
        self.assertGreater(rid, MAX_REQUEST)


@sqlite_only("migrate copies an SQLite site")
class UnderTheRoles(unittest.TestCase):
    """The migrated site served as INSTALL's section 21 leaves it: the
    forms as privforms_web, the sender and the team's commands as
    privforms_team, on the trail and rows the owner copied."""

    def test_the_sender_sends_a_queued_message(self):
        to = address("migrated-mail")
        r = SITE.post("/privacy/unsubscribe",
                      {"channel": "email", "email": to, "confirm": "yes"})
        self.assertEqual(r.status, 303, r)
        count = "SELECT count(*) FROM outbox WHERE state = 'sent'"
        [(before,)] = pg(TARGET, count)
        sent = SITE.send_mail(SMTP)
        self.assertEqual([m["To"] for m in sent].count(to), 1)
        # each recorded as sent, by the team's role
        self.assertEqual(pg(TARGET, count), [(before + len(sent),)])

    def test_the_timers_commands_run(self):
        # privforms-checkpoint.timer's and privforms-metrics.timer's, as
        # the team: a checkpoint of the migrated trail, which carries on
        # from the SQLite site's checkpoints.
        before = set(os.listdir(os.path.join(SITE.audit_dir,
                                             "checkpoints")))
        p = cli(SITE.conf, "audit", "checkpoint")
        after = set(os.listdir(os.path.join(SITE.audit_dir, "checkpoints")))
        self.assertTrue(after - before, p.stdout)
        p = cli(SITE.conf, "metrics")
        self.assertIn("privforms_audit_records_without_file 0", p.stdout)

    def test_the_team_erases_a_migrated_subscriber(self):
        # A subscriber whose history the owner copied: only the team's
        # role may delete it (INSTALL's grants).
        [(who,)] = pg(TARGET, "SELECT address FROM subscription_event "
                      "WHERE address LIKE 'events-pref%%' GROUP BY address")
        # (request_submit's id is read from the SQLite file: asked of
        # the target here.)
        request_submit(SITE, who, kind="deletion")
        [(rid,)] = pg(TARGET, "SELECT id FROM request WHERE email_key = %s",
                      (who,))
        request_verify(SITE, SMTP, who)
        cli(SITE.conf, "request", "erase", str(rid))
        for table in ("subscription", "subscription_event"):
            self.assertEqual(pg(TARGET, "SELECT count(*) FROM %s WHERE "
                                "address = %%s" % table, (who,)), [(0,)])
        self.assertEqual(pg(TARGET, "SELECT count(*) FROM audit WHERE "
                            "event = 'request-erased' AND seq > %s",
                            (TRAIL_END,)), [(1,)])
        p = cli(SITE.conf, "audit", "verify", check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_the_team_purges_a_migrated_row(self):
        number = "+13037492201"     # test_events's forms_dnc registered it
        old = "2000-01-01T00:00:00.000000Z"
        count = "SELECT count(*) FROM dnc WHERE number = %s"
        # migrated, or the purge below has nothing to prove
        self.assertEqual(pg(TARGET, count, (number,)), [(1,)])
        pg(TARGET, "UPDATE dnc SET created = %s, updated = %s "
           "WHERE number = %s", (old, old, number))
        cli(SITE.conf, "purge")
        self.assertEqual(pg(TARGET, count, (number,)), [(0,)])

    def test_the_team_backs_it_up_as_privforms_backup_says(self):
        # INSTALL keeps the SQLite file until the new database has its
        # own backups: privforms backup names the pg_dump command, with
        # admin_database, the team's role.
        d = tempfile.mkdtemp(prefix="privforms-dump-", dir=SITE.dir)
        path = os.path.join(d, "privforms.dump")
        p = cli(SITE.conf, "backup", path, check=False)
        self.assertEqual(p.returncode, 1, p.stdout)
        said = re.search(r"pg_dump, e\.g\. (pg_dump .*)$", p.stderr, re.M)
        self.assertIsNotNone(said, p.stderr)
        argv = shlex.split(said.group(1))
        self.assertIn("user=privforms_team", argv[-1])
        argv[0] = os.path.join(PG_BIN, "pg_dump")
        dump = subprocess.run(argv, capture_output=True, text=True,
                              timeout=120)
        self.assertEqual(dump.returncode, 0, dump.stderr)
        listed = subprocess.run([os.path.join(PG_BIN, "pg_restore"), "-l",
                                 path], capture_output=True, text=True,
                                check=True, timeout=60).stdout
        self.assertRegex(listed, r"TABLE DATA public audit ")

    def refusals(self, role):
        """What role is told when it updates, deletes and truncates the
        migrated trail's first record: one error message each, nothing
        changed."""
        import psycopg2
        first = pg(TARGET, "SELECT min(seq) FROM audit")[0][0]
        said = []
        for sql, args in (
                ("UPDATE audit SET event = event WHERE seq = %s", (first,)),
                ("DELETE FROM audit WHERE seq = %s", (first,)),
                ("TRUNCATE audit", ())):
            con = psycopg2.connect(pg_server().dsn(TARGET, role))
            con.autocommit = True   # a statement let through would stay
            try:
                with self.assertRaises(psycopg2.Error) as e:
                    con.cursor().execute(sql, args)
                self.assertEqual(e.exception.pgcode, "42501")
                said.append(e.exception.pgerror.splitlines()[0])
            finally:
                con.close()
        self.assertEqual(pg(TARGET, "SELECT count(*) FROM audit WHERE "
                            "seq <= %s", (TRAIL_END,)), [(TRAIL_END,)])
        return said

    def test_neither_role_rewrites_the_migrated_trail(self):
        # Refused by the grants, before audit's trigger (which refuses
        # every role, with the same SQLSTATE) is reached.
        for role in ("privforms_web", "privforms_team"):
            with self.subTest(role=role):
                self.assertEqual(self.refusals(role), 3 * [
                    "ERROR:  permission denied for table audit"])

    def test_the_web_role_deletes_no_migrated_evidence(self):
        # Consent records and subscription histories are deleted only by
        # the team's erasures and purges (INSTALL, section 20).
        import psycopg2
        for table in ("consent_record", "subscription_event"):
            with self.subTest(table=table):
                before = pg(TARGET, "SELECT count(*) FROM %s" % table)
                self.assertNotEqual(before, [(0,)])
                con = psycopg2.connect(pg_server().dsn(TARGET,
                                                       "privforms_web"))
                con.autocommit = True   # a delete let through would stay
                try:
                    with self.assertRaises(psycopg2.Error) as e:
                        con.cursor().execute("DELETE FROM %s" % table)
                    self.assertEqual(e.exception.pgerror.splitlines()[0],
                                     "ERROR:  permission denied for table "
                                     + table)
                finally:
                    con.close()
                self.assertEqual(pg(TARGET, "SELECT count(*) FROM %s"
                                    % table), before)

    def test_the_owner_meets_the_trigger_migrate_turned_on_again(self):
        # migrate copies with the tables' triggers off: they are on again
        # when it commits, audit's refusal among them.
        self.assertEqual(self.refusals("privforms_owner"), 3 * [
            "ERROR:  audit records are never changed or deleted"])


@sqlite_only("migrate copies an SQLite site")
class Refused(unittest.TestCase):
    def test_a_target_with_rows_is_refused(self):
        before = pg_counts(TARGET)
        p = migrate(sqlite_conf(), TARGET)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("not empty", p.stderr)
        self.assertEqual(pg_counts(TARGET), before)

    def test_a_target_with_pending_audit_records_is_refused(self):
        # audit_pending is no table migrate copies, but a row there is a
        # record of a site already served from the target.
        name = pg_server().createdb()
        try:
            cli(pg_conf(name), "init", "--user",
                pwd.getpwuid(os.geteuid()).pw_name)
            pg(name, "INSERT INTO audit_pending (time, event, form, body) "
               "VALUES ('2026-01-01T00:00:00Z', 'unsubscribed', "
               "'unsubscribe', '\\x00')")
            before = pg_counts(name)
            p = migrate(sqlite_conf(), name)
            self.assertEqual(p.returncode, 1, p.stdout)
            self.assertIn("table audit_pending has 1 rows", p.stderr)
            self.assertEqual(pg_counts(name), before)
            self.assertEqual(pg(name, "SELECT count(*) FROM audit_pending"),
                             [(1,)])
        finally:
            pg_server().dropdb(name)

    def test_a_role_that_does_not_own_the_tables_copies_nothing(self):
        # INSTALL, section 21: migrate connects as the owner.  The team's
        # role can make no schema; on one the owner made (init), it may
        # not turn a table's triggers off.
        name = pg_server().createdb()
        try:
            p = migrate(sqlite_conf(), name, "privforms_team")
            self.assertEqual(p.returncode, 1, p.stdout)
            self.assertIn("permission denied for schema public", p.stderr)
            self.assertIn("nothing copied", p.stderr)
            owner = pg_server().dsn(name, "privforms_owner")
            cli(SITE.conf_with("owner.conf", database=owner,
                               admin_database=owner, audit_dir="audit-pg"),
                "init", "--user", pwd.getpwuid(os.geteuid()).pw_name)
            pg_server().execute(name, "privforms_owner",
                                install_block(GRANTS_BLOCK))
            before = pg_counts(name)
            p = migrate(sqlite_conf(), name, "privforms_team")
            self.assertEqual(p.returncode, 1, p.stdout)
            self.assertRegex(p.stderr, r"must be owner of table \w+")
            self.assertIn("the target is left empty", p.stderr)
            self.assertEqual(pg_counts(name), before)
        finally:
            pg_server().dropdb(name)

    def test_a_password_on_the_command_line_is_refused(self):
        # libpq keeps a repeated key's last value: an empty password after
        # the secret is refused too, and the string is never printed.
        for conninfo in ("host=/tmp dbname=x user=u password=secret",
                         "host=/tmp dbname=x password=secret password=",
                         "postgresql://u:secret@localhost/x?password=",
                         "postgresql:///x?host=/tmp&p%61ssword=secret"):
            with self.subTest(conninfo=conninfo):
                p = cli(sqlite_conf(), "migrate", "--to", "postgresql",
                        "--database", conninfo, check=False)
                self.assertEqual(p.returncode, 1)
                self.assertIn("carries a password", p.stderr)
                self.assertNotIn("secret", p.stderr + p.stdout)

    def test_only_postgresql_is_a_target(self):
        p = cli(sqlite_conf(), "migrate", "--to", "mysql", check=False)
        self.assertEqual(p.returncode, 2)
        p = cli(sqlite_conf(), "migrate", check=False)
        self.assertEqual(p.returncode, 2)

    def test_the_site_on_postgresql_is_no_source(self):
        name = pg_server().createdb()
        try:
            p = migrate(SITE.conf, name)
            self.assertEqual(p.returncode, 1)
            self.assertIn("PostgreSQL already", p.stderr)
        finally:
            pg_server().dropdb(name)


@sqlite_only("migrate copies an SQLite site")
class Interrupted(unittest.TestCase):
    """A copy that stops midway leaves the target empty."""

    def setUp(self):
        self.name = pg_server().createdb()

    def tearDown(self):
        pg_server().dropdb(self.name)

    def assert_empty(self):
        counts = pg_counts(self.name)
        self.assertEqual({t: n for t, n in counts.items() if n}, {})

    def test_a_row_the_target_refuses_undoes_the_whole_copy(self):
        # SQLite keeps any bytes as text; PostgreSQL refuses a text that
        # is not UTF-8, at rate_hit, after a dozen tables were copied.
        con = sqlite3.connect(SITE.db_path)
        try:
            con.execute("INSERT INTO rate_hit (bucket, subject, at) "
                        "VALUES ('test', CAST(X'FF' AS TEXT), 1)")
            con.commit()
            p = migrate(sqlite_conf(), self.name)
        finally:
            con.execute("DELETE FROM rate_hit WHERE bucket = 'test'")
            con.commit()
            con.close()
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("copying table rate_hit failed", p.stderr)
        self.assertIn("the target is left empty", p.stderr)
        self.assert_empty()

    def test_a_copy_killed_midway_leaves_the_target_empty(self):
        # The schema made first (init), then the last table locked
        # against writes but not reads: the copy passes the check that the
        # target is empty, copies every table before it and waits there,
        # where it is killed.
        import psycopg2
        cli(pg_conf(self.name), "init", "--user",
            pwd.getpwuid(os.geteuid()).pw_name)
        last = "sale_opt_out"
        con = psycopg2.connect(pg_server().dsn(self.name))
        # Another session watches (pg_stat_activity is one snapshot per
        # transaction, and con's stays open).
        watch = psycopg2.connect(pg_server().dsn(self.name))
        watch.autocommit = True
        err = tempfile.TemporaryFile(mode="w+")
        proc = None
        try:
            con.cursor().execute("LOCK TABLE %s IN SHARE MODE" % last)
            cur = watch.cursor()
            proc = subprocess.Popen(
                [PRIVFORMS, "--config", sqlite_conf(busy_timeout_ms="30000"),
                 "migrate", "--to", "postgresql", "--database",
                 pg_server().dsn(self.name)],
                stdout=subprocess.DEVNULL, stderr=err)

            def waiting():
                if proc.poll() is not None:
                    err.seek(0)
                    raise AssertionError("migrate ended: %s" % err.read())
                cur.execute("SELECT c.relname, l.mode FROM pg_locks l "
                            "JOIN pg_class c ON c.oid = l.relation "
                            "WHERE NOT l.granted")
                return cur.fetchall()
            # Waiting at the last table: every one before it copied (the
            # lock it waits for: its triggers' stop, ShareRowExclusiveLock,
            # which comes before its rows' RowExclusiveLock).
            self.assertEqual([rel for rel, _ in
                              wait_until(waiting, "the copy waiting at " +
                                         last)], [last])
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
            con.rollback()

            def gone():
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE "
                            "datname = %s AND pid NOT IN (%s, %s)",
                            (self.name, con.get_backend_pid(),
                             watch.get_backend_pid()))
                return cur.fetchone()[0] == 0
            wait_until(gone, "the killed copy's session to end")
        finally:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
            con.close()
            watch.close()
            err.close()
        self.assert_empty()
