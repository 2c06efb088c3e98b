"""The PostgreSQL schema and the query files' SQL, against a real server.

lib/schema/pg/015-baseline.sql and the later migrations of lib/schema/pg/
(each applied as the store's runner applies it, schema_version set to its
number) must make the schema SQLite has after all of lib/schema/: the
same tables, each with the same columns in the
same order (name, kind, nullability, default), the same named indexes
(columns, unique, partial or not) and the same triggers.  The SQLite side
is what `privforms init` makes, so a migration added to one directory
and not the other fails here.

Every statement of the query files (lib/store*.c's sql[] tables, taken
from the preprocessed sources, so their macros are expanded as the
compiler expands them) must prepare on PostgreSQL against that schema
with ?N read as $N and no parameter types given: what lib/store_pg.c
does.  A parameter whose type no context gives, a function PostgreSQL
lacks or a clause it reads otherwise fails here, with the statement's
name.

The server is tools/pgtest.sh's, in a directory of this test's own; psql
reads it (no driver needed)."""

import os
import pwd
import re
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from harness import SRC, Site

PGTEST = os.path.join(SRC, "tools", "pgtest.sh")
PG_SCHEMA = os.path.join(SRC, "lib", "schema", "pg")
QUERY_FILES = ("store.c", "store_requests.c", "store_feedback.c",
               "store_guard.c", "store_metrics.c", "store_consent.c",
               "store_retention.c", "store_agents.c", "store_sale.c",
               "store_seal.c", "store_subscriptions.c")

# What only PostgreSQL has, by design (audit.h, "Sealing"; INSTALL,
# section 20): records pending until the seal, the pending id of a sealed
# record, and the trigger that refuses to change or delete a record.
PG_ONLY_TABLES = {"audit_pending"}
PG_ONLY_COLUMNS = {("audit", "pending")}
PG_ONLY_TRIGGERS = {("audit", "audit_refuse"),
                    ("audit", "audit_refuse_truncate")}

# SQLite's declared types and PostgreSQL's (015-baseline.sql's header).
KINDS = {"INTEGER": "bigint", "TEXT": "text", "BLOB": "bytea",
         "REAL": "double precision"}

# Tables one engine has for its own bookkeeping.
ENGINE_TABLES = {"sqlite_sequence", "schema_version"}

SERVER = None   # the directory of the test server
DB = "pgschema"


def setUpModule():
    global SERVER
    SERVER = tempfile.mkdtemp(prefix="privforms-pg-")
    unittest.addModuleCleanup(stop_server)
    subprocess.run(["sh", PGTEST, "start", SERVER], check=True, timeout=300)
    subprocess.run(["createdb", "-h", SERVER, "-U", "postgres", DB],
                   check=True, timeout=120)
    for name in sorted(os.listdir(PG_SCHEMA)):
        psql(DB, file=os.path.join(PG_SCHEMA, name))
        psql(DB, "UPDATE schema_version SET version = %d" %
             int(name.split("-")[0]))


def stop_server():
    subprocess.run(["sh", PGTEST, "stop", SERVER], check=True, timeout=300)
    shutil.rmtree(SERVER, ignore_errors=True)


def psql(db, sql=None, file=None, check=True):
    """Run sql (or the file) in one transaction on db, stopping at the
    first error: the CompletedProcess, rows as "|"-separated lines."""
    args = ["psql", "-X", "-q", "-A", "-t", "-F", "|", "-h", SERVER,
            "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-1"]
    args += ["-f", file] if file else ["-c", sql]
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError("psql: %s" % p.stderr)
    return p


def rows(sql):
    out = psql(DB, sql).stdout
    return [line.split("|") for line in out.splitlines() if line]


def words(s):
    """s without parentheses, casts to text and runs of blanks."""
    s = re.sub(r"::text\b", "", s or "")
    return " ".join(s.replace("(", " ").replace(")", " ").split()).lower()


# ---- each engine's schema, in one shape ----

def sqlite_schema(path):
    """{table: {"columns": [...], "indexes": {...}, "triggers": {...}}}."""
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        tables = [t for (t,) in con.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' "
            "ORDER BY name") if t not in ENGINE_TABLES]
        return {t: {"columns": sqlite_columns(con, t),
                    "indexes": sqlite_indexes(con, t),
                    "triggers": {n for (n,) in con.execute(
                        "SELECT name FROM sqlite_schema WHERE "
                        "type = 'trigger' AND tbl_name = ?", (t,))}}
                for t in tables}
    finally:
        con.close()


def sqlite_columns(con, table):
    # A key column is never NULL (all are INTEGER PRIMARY KEY or in a
    # WITHOUT ROWID table, which refuse NULL) though notnull says 0.
    return [(name, KINDS[kind.upper()], bool(notnull or pk),
             words(dflt) or None)
            for (_, name, kind, notnull, dflt, pk) in
            con.execute("SELECT * FROM pragma_table_info(?)", (table,))]


def sqlite_indexes(con, table):
    out = {}
    for (name, sql) in con.execute(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND "
            "tbl_name = ? AND sql IS NOT NULL", (table,)):
        cols = [c for (_, _, c) in con.execute(
            "SELECT * FROM pragma_index_info(?)", (name,))]
        where = re.search(r"\bWHERE\b(.*)$", sql, re.S | re.I)
        out[name] = (tuple(cols), " UNIQUE " in sql.upper(),
                     words(where.group(1)) if where else None)
    return out


def pg_schema():
    """sqlite_schema's shape, without what only PostgreSQL has."""
    tables = [t for (t,) in rows(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' ORDER BY 1")
        if t not in ENGINE_TABLES | PG_ONLY_TABLES]
    return {t: {"columns": pg_columns(t), "indexes": pg_indexes(t),
                "triggers": {n for (n,) in rows(
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                    "AND tgrelid = '%s'::regclass" % t)
                    if (t, n) not in PG_ONLY_TRIGGERS}}
            for t in tables}


def pg_columns(table):
    return [(name, kind, nullable == "NO", words(dflt) or None)
            for (name, kind, nullable, dflt) in rows(
                "SELECT column_name, data_type, is_nullable, "
                "column_default FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = '%s' "
                "ORDER BY ordinal_position" % table)
            if (table, name) not in PG_ONLY_COLUMNS]


def pg_indexes(table):
    # Indexes of their own, not those behind a key or UNIQUE constraint
    # (SQLite's sqlite_autoindex_*, which sqlite_indexes leaves out too).
    out = {}
    for (name, cols, unique, pred) in rows(
            "SELECT c.relname, "
            "(SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM "
            "unnest(i.indkey) WITH ORDINALITY AS k(att, n) JOIN "
            "pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = k.att), "
            "i.indisunique, pg_get_expr(i.indpred, i.indrelid) "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = '%s'::regclass AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid)"
            % table):
        out[name] = (tuple(cols.split(",")), unique == "t",
                     words(pred) or None)
    return out


# ---- the query files' statements ----

STRING = r'"(?:[^"\\\n]|\\.)*"'


def statements(path):
    """(what, text) of each entry of path's sql[] table, preprocessed."""
    src = subprocess.run(["cpp", "-P", "-I", os.path.join(SRC, "lib"), path],
                         capture_output=True, text=True, check=True).stdout
    start = re.search(r"struct pf_sql sql\[\w*\]\s*=\s*\{", src)
    if start is None:
        raise AssertionError("%s: no sql[] table" % path)
    body = src[start.end():src.index("\n};", start.end())]
    out = []
    # An entry may end with the member that lets it go ahead (.ahead).
    for entry in re.finditer(r"\[\w+\]\s*=\s*\{\s*(%s)\s*,((?:\s*%s)+)\s*"
                             r"(?:,\s*\.ahead\s*=\s*\d+\s*)?\}"
                             % (STRING, STRING), body):
        what = entry.group(1)[1:-1]
        text = "".join(s[1:-1] for s in re.findall(STRING, entry.group(2)))
        out.append((what, text.replace('\\"', '"').replace("\\\\", "\\")))
    if len(out) != body.count("] = {"):
        raise AssertionError("%s: read %d of %d statements" %
                             (path, len(out), body.count("] = {")))
    return out


def pg_text(text):
    """A query file's text as lib/store_pg.c prepares it: ?N as $N."""
    return re.sub(r"\?(\d+)", r"$\1", text)


class BaselineTest(unittest.TestCase):
    """015-baseline.sql against the schema `privforms init` makes."""

    @classmethod
    def setUpClass(cls):
        # SQLite whatever the pass: admin_database too (the PostgreSQL
        # pass's Site names the team's role there, and no db_path).
        site = Site(config={"database": "privforms.db",
                            "admin_database": "privforms.db",
                            "audit_signing_key": "audit-signing.key"})
        db_path = os.path.join(site.dir, "privforms.db")
        try:
            site.privforms("init", "--user",
                           pwd.getpwuid(os.geteuid()).pw_name)
            if not os.path.isfile(db_path):
                raise AssertionError("init made no SQLite file")
            cls.sqlite = sqlite_schema(db_path)
        finally:
            shutil.rmtree(site.dir, ignore_errors=True)
        cls.pg = pg_schema()

    def test_same_tables(self):
        self.assertEqual(sorted(self.sqlite), sorted(self.pg))

    def test_same_tables_alike(self):
        # Each table's columns, indexes and triggers.
        for t in self.sqlite:
            for aspect in ("columns", "indexes", "triggers"):
                with self.subTest(table=t, aspect=aspect):
                    self.assertEqual(self.sqlite[t][aspect],
                                     self.pg[t][aspect])

    def test_one_version_row(self):
        self.assertEqual(rows("SELECT version FROM schema_version"), [["16"]])
        p = psql(DB, "INSERT INTO schema_version VALUES (17)", check=False)
        self.assertNotEqual(p.returncode, 0)

    def test_text_compares_as_sqlite(self):
        # Byte order whatever the database's locale: 'Z' < 'a', '-' < '0'.
        self.assertEqual(rows(
            "SELECT string_agg(address, ' ' ORDER BY address) FROM "
            "(VALUES ('b'), ('a'), ('Z'), ('-1'), ('0')) AS v(x) "
            "CROSS JOIN LATERAL (SELECT x::text COLLATE \"C\" AS address) "
            "AS o"), [["-1 0 Z a b"]])
        cols = rows("SELECT count(*) FROM information_schema.columns WHERE "
                    "table_schema = 'public' AND data_type = 'text' AND "
                    "coalesce(collation_name, '') <> 'C'")
        self.assertEqual(cols, [["0"]])

    def test_checks_refuse_what_sqlite_refuses(self):
        ok = ("INSERT INTO dnc (number, country, created, updated) "
              "VALUES ('+442071838750', 'GB', 't', 't')")
        psql(DB, ok + "; ROLLBACK")
        for number, country in (("+0442071838750", "GB"),
                                ("+44 2071838750", "GB"),
                                ("442071838750", "GB"),
                                ("+4420718387501234", "GB"),
                                ("+442071838750", "gb"),
                                ("+442071838750", "GBR")):
            with self.subTest(number=number, country=country):
                p = psql(DB, ok.replace("+442071838750", number)
                         .replace("'GB'", "'%s'" % country), check=False)
                self.assertIn("violates check constraint", p.stderr)

    def test_audit_count_counts(self):
        psql(DB, "INSERT INTO audit VALUES "
             "(1, 't', 'ev', 'f', 'p', 'd', '\\x00'), "
             "(2, 't', 'ev', 'f', 'p', 'd', '\\x00'), "
             "(3, 't', 'other', 'f', 'p', 'd', '\\x00')")
        try:
            self.assertEqual(rows("SELECT form, event, n FROM audit_count "
                                  "ORDER BY event"),
                             [["f", "ev", "2"], ["f", "other", "1"]])
        finally:
            # Past the trigger that refuses it to everyone else.
            psql(DB, "SET session_replication_role = replica; "
                 "DELETE FROM audit; DELETE FROM audit_count")

    def test_append_only(self):
        for table, insert, message in (
                ("consent_record",
                 "INSERT INTO consent_record (device, notice, language, "
                 "allowed, refused, action, method, gpc, created) VALUES "
                 "(repeat('d', 22), repeat('n', 16), 'en', '', '', "
                 "'given', 'page', 0, 't')",
                 "consent records are never changed"),
                ("sale_opt_out",
                 "INSERT INTO sale_opt_out (channel, address, device, "
                 "created, source) VALUES ('email', 'a@b.example', "
                 "repeat('d', 22), 't', 'form')",
                 "sale opt-outs are never changed")):
            with self.subTest(table=table):
                p = psql(DB, insert + "; UPDATE %s SET created = 'u'" %
                         table, check=False)
                self.assertIn(message, p.stderr)

    def test_party_ids_from_a_sequence(self):
        # The statement 015-baseline.sql's header gives store_pg.c.
        ensure = ("INSERT INTO party (id, individual, email, created) "
                  "SELECT n, n, '%s', 't' FROM "
                  "(SELECT nextval('party_id_seq') AS n) AS s "
                  "ON CONFLICT (email) DO UPDATE SET email = excluded.email "
                  "RETURNING id")
        try:
            a = rows(ensure % "a@x.example")
            b = rows(ensure % "b@x.example")
            self.assertNotEqual(a, b)
            self.assertEqual(rows(ensure % "a@x.example"), a)
            self.assertEqual(rows("SELECT count(*) FROM party "
                                  "WHERE id = individual"), [["2"]])
        finally:
            psql(DB, "DELETE FROM party")


class QueriesTest(unittest.TestCase):
    """Every statement of the query files prepares on PostgreSQL."""

    def test_every_statement_prepares(self):
        n = 0
        for name in QUERY_FILES:
            for what, text in statements(os.path.join(SRC, "lib", name)):
                n += 1
                with self.subTest(file=name, statement=what):
                    p = psql(DB, "PREPARE q AS %s" % pg_text(text),
                             check=False)
                    self.assertEqual(p.returncode, 0, "%s\n%s" % (
                        text, p.stderr))
        self.assertGreater(n, 90)


def statement(name, what):
    """The text of query file name's statement what."""
    found = [t for (w, t) in statements(os.path.join(SRC, "lib", name))
             if w == what]
    if len(found) != 1:
        raise AssertionError("%s: %d statements %r" % (name, len(found), what))
    return found[0]


def execute(text, args):
    """Rows of text run once on PostgreSQL with args (SQL literals), in a
    transaction that is rolled back."""
    p = psql(DB, "PREPARE q AS %s; EXECUTE q(%s); ROLLBACK"
             % (pg_text(text), ", ".join(args)), check=False)
    return p


class MeaningTest(unittest.TestCase):
    """Where a statement's text was changed for PostgreSQL, it gives what
    SQLite gives."""

    def test_no_limit_is_taken(self):
        # store_feedback.c binds LLONG_MAX for "no limit"; PostgreSQL
        # refuses SQLite's -1.
        text = statement("store_feedback.c", "vote each")
        for limit, ok in (("9223372036854775807", True), ("-1", False)):
            with self.subTest(limit=limit):
                p = execute(text, ["NULL", "NULL", "NULL", limit])
                self.assertEqual(p.returncode == 0, ok, p.stderr)

    def test_answers_open_first_in_whole_days(self):
        text = statement("store_requests.c", "request answers")
        setup = (
            "INSERT INTO request (id, type, relationship, subject, country, "
            "law, received, due, status, verify_by, updated) VALUES "
            "(1, 'access', 'customer', 's', 'DE', 'gdpr', "
            "'2026-11-02T23:59:59.000000Z', '2026-12-02', 'fulfilled', "
            "'t', 't'), "
            "(2, 'access', 'customer', 's', 'DE', 'gdpr', "
            "'2026-11-03T00:00:00.000000Z', '2026-12-03', 'verified', "
            "'t', 't'); "
            "INSERT INTO request_event (request, seq, time, status) VALUES "
            "(1, 1, '2026-11-02T23:59:59.000000Z', 'unverified'), "
            "(1, 2, '2026-11-09T00:00:01.000000Z', 'fulfilled')")
        p = psql(DB, "%s; PREPARE q AS %s; EXECUTE q('2026-11-01', "
                 "'2026-12-01'); ROLLBACK" % (setup, pg_text(text)),
                 check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        # The open one first (NULL days), then 7 days from the 2nd to the
        # 9th: calendar days, as SQLite's julianday() of the two dates.
        self.assertEqual(p.stdout.split(),
                         ["access|verified||", "access|fulfilled||7"])


# store_sql.h's PF_DIALECT_KEY_LOCK as it gives it to store_pg.c.
KEY_LOCK = ("SELECT pg_advisory_xact_lock(21, hashtext(concat_ws(' ', "
            "CAST($1 AS TEXT), CAST($2 AS TEXT), CAST($3 AS TEXT))))")


def lock_args(kind, a, b):
    return ", ".join("NULL" if v is None else "'%s'" % v for v in (kind, a, b))


class KeyLockTest(unittest.TestCase):
    """pf_store_lock's PostgreSQL statement: a second transaction on the
    same key waits for the first to end; on another key it does not."""

    def hold(self, kind, a, b):
        """A session inside a transaction that holds the key's lock."""
        p = subprocess.Popen(
            ["psql", "-X", "-q", "-A", "-t", "-h", SERVER, "-U", "postgres",
             "-d", DB, "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(p.wait, 60)
        self.addCleanup(p.stdin.close)
        p.stdin.write("BEGIN;\nPREPARE k(text, text, text) AS %s;\n"
                      "EXECUTE k(%s);\n\\echo held\n"
                      % (KEY_LOCK, lock_args(kind, a, b)))
        p.stdin.flush()
        for line in p.stdout:
            if line.strip() == "held":
                return p
        self.fail("psql: %s" % p.stderr.read())

    def try_lock(self, kind, a, b):
        """Whether another session gets the key's lock: a lock_timeout
        ends its wait (a deadline, not a pause: a free key is taken at
        once)."""
        p = psql(DB, "SET lock_timeout = '500ms'; PREPARE k(text, text, "
                 "text) AS %s; EXECUTE k(%s)" % (KEY_LOCK,
                                                 lock_args(kind, a, b)),
                 check=False)
        if p.returncode != 0:
            self.assertIn("lock timeout", p.stderr)
        return p.returncode == 0

    def test_same_key_waits_until_the_holder_ends(self):
        holder = self.hold("rate", "request/client", "abc")
        self.assertFalse(self.try_lock("rate", "request/client", "abc"))
        self.assertTrue(self.try_lock("rate", "request/client", "abd"))
        self.assertTrue(self.try_lock("vote", "request/client", "abc"))
        holder.stdin.write("COMMIT;\n")
        holder.stdin.close()
        holder.wait(60)
        self.assertTrue(self.try_lock("rate", "request/client", "abc"))

    def test_null_parts_lock_too(self):
        holder = self.hold("party link", None, None)
        self.assertFalse(self.try_lock("party link", None, None))
        holder.stdin.write("ROLLBACK;\n")
        holder.stdin.close()
        holder.wait(60)
        self.assertTrue(self.try_lock("party link", None, None))


if __name__ == "__main__":
    unittest.main()
