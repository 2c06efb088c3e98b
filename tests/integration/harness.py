"""harness.py -- a real privforms site for integration tests.

Site() starts what `make run` starts (tools/stack.sh: nginx on a free
loopback port, the FastCGI programs under spawn-fcgi and multiwatch) in a
fresh temporary directory, and stop() ends all of it.  Helpers speak HTTP to
nginx, raw FastCGI to a program's socket, and read the SQLite file.

The anti-automation guard (lib/guard.h) is relaxed by default, so that a
test of something else is not taken for a script: no minimum time between
showing a form and sending it, and no rate limit (GUARD_OFF; a test sets
its own keys in config).  A form POST still needs the signed stamp
("pf_stamp") its page carries: Site.post adds one for the form paths
(FORMS) when the fields are a dict, a list of pairs or a str, taken from
the form's page, fetched once per program (a stamp is good for
form_max_hours).  stamp=False posts without one; stamp="..." posts that
one.  Raw bytes and multipart bodies are sent as they are: use
Site.stamp(path) to put one in.

A test waits for an event, never for a fixed time: wait_until(event, what)
polls until it happens or WAIT seconds (generous: the machine may be
loaded) have passed; wait_tcp and unix_listening tell when a server
listens.  Site.send_mail fails with the sender's words when a message
could not be handed over (it would be tried again only after mail_retry).

PRIVFORMS_TEST_BACKEND=postgresql puts every Site on PostgreSQL: one
server per test process (tools/pgtest.sh, started on first need, stopped
at exit), a database of its own per Site, run as INSTALL's section 20
says: owned by privforms_owner, whose init makes the schema, then its
grants (read from INSTALL), the programs connecting as privforms_web and
the privforms command as privforms_team; so every test on PostgreSQL also
says that those grants are enough.  Site.query, write, count,
audit_xml and connect speak to the backend in use, in SQLite's words (?
and ?N parameters, rows as sqlite3 gives them).  A test about SQLite
itself (its locks, journal, files) says so with @sqlite_only("why") and is
skipped on PostgreSQL.

A test module starts what it needs in setUpModule (mail_site: an SMTP
server and a site that mails through it; mail_config: those keys for a
site of its own) and ends with teardown(SITE, ..., SMTP), which stops
every site at once and fails on any sanitizer report.
"""

import atexit
import base64
import contextlib
import decimal
import email
import email.policy
import fcntl
import hashlib
import hmac
import html
import http.client
import itertools
import os
import pwd
import re
import shutil
import socket
import sqlite3
import struct
import subprocess
import tempfile
import time
import unittest
import urllib.parse

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PRIVFORMS = os.path.join(SRC, "tools", "privforms")

# The store the sites use: sqlite (the default) or postgresql.
BACKEND = os.environ.get("PRIVFORMS_TEST_BACKEND", "sqlite")
if BACKEND not in ("sqlite", "postgresql"):
    raise SystemExit("PRIVFORMS_TEST_BACKEND: sqlite or postgresql, not %r"
                     % BACKEND)
POSTGRESQL = BACKEND == "postgresql"


def sqlite_only(reason):
    """A test (method or class) about SQLite itself -- its locks, journal,
    files -- that has no meaning on PostgreSQL: skipped there, saying
    reason."""
    return unittest.skipIf(POSTGRESQL, "about SQLite: " + reason)


def sanitized():
    """The tree was built with the sanitizers (make SANITIZE=1)."""
    with open(os.path.join(SRC, ".build-flags")) as f:
        return "-fsanitize" in f.read()


def make(*args):
    """make ARGS in the source tree, with the flags its build was made
    with (or make would build it all again), as CompletedProcess.  One at
    a time, across processes too: `make install` builds the programs for
    its directories in the tree's build/install/, so two test runs from
    one tree (the suite twice at once) would install each other's."""
    flags = ["PRIVFORMS_NO_APT=1"] + (["SANITIZE=1"] if sanitized() else [])
    os.makedirs(os.path.join(SRC, "build"), exist_ok=True)
    with open(os.path.join(SRC, "build", "make.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        p = subprocess.run(["make", "--no-print-directory", "-C", SRC] +
                           flags + list(args), capture_output=True, text=True,
                           timeout=900)
    if p.returncode != 0:
        raise AssertionError("make %s:\n%s%s" % (" ".join(args), p.stdout,
                                                p.stderr))
    return p


def tree_vars(t):
    """make's directories for a whole installation under t."""
    return ["PREFIX=%s/usr" % t, "SYSCONFDIR=%s/etc" % t,
            "LOCALSTATEDIR=%s/var" % t, "RUNSTATEDIR=%s/run" % t]


def install_tree(t):
    """make install into t: t/usr/sbin/privforms reads t/etc/privforms/."""
    make("install", *tree_vars(t))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]



def read_forms():
    """lib/forms.def's rows, the one table of the forms' names, as dicts
    (program, path, audit, guard, config, and flags: a set of "CHALLENGE",
    "MAILS")."""
    row = re.compile(r'^PF_FORM\((\w+),' + r'\s*"([^"]*)",' * 5 +
                     r'\s*([\w |]+)\)\s*$')
    forms = []
    with open(os.path.join(SRC, "lib", "forms.def")) as f:
        for line in f:
            m = row.match(line)
            if m:
                forms.append(dict(zip(
                    ("id", "program", "path", "audit", "guard", "config"),
                    m.groups()[:6]), flags={
                        flag[len("PF_FORM_"):] for flag in
                        re.findall(r"PF_FORM_\w+", m.group(7))}))
    if not forms:
        raise AssertionError("lib/forms.def has no rows")
    return forms


FORM_TABLE = read_forms()

# What the guard does unless a test says otherwise (see the docstring):
# every form's rate limits off, those its flags give it (forms.def).
GUARD_OFF = dict(
    [("form_min_seconds", "0"), ("feedback_limit_revisions", "off")] +
    [("%s_%s" % (form["config"], kind), "off")
     for form in FORM_TABLE
     for kind, needs in (("limit", ""), ("limit_ipv6_48", ""),
                         ("limit_nojs", "CHALLENGE"),
                         ("limit_address", "MAILS"))
     if not needs or needs in form["flags"]])

# The forms whose first POST the guard screens: each page carries a stamp
# of its program, good for any POST to that path.
FORMS = tuple("/privacy" + form["path"] for form in FORM_TABLE
              if form["flags"] & {"CHALLENGE", "QUICK"})

STAMP = "pf_stamp"

# A site's own Strict-Transport-Security, as INSTALL (sections 5 and 6,
# HTTPS) sets it at server level: every path below must keep it, through
# nginx and Apache (test_nginx.py, test_apache.py).
SITE_HSTS = "max-age=63072000; includeSubDomains"
# Every kind of privforms path: the hub and its redirect, static files
# (and a missing one), each program's pages, challenges and sub-paths,
# and a path under /privacy/ that nothing serves.
PRIVFORMS_PATHS = (
    "/privacy/", "/privacy", "/privacy/static/privforms.css",
    "/privacy/static/guard.js", "/privacy/static/missing.css",
    "/privacy/unsubscribe", "/privacy/unsubscribe/challenge",
    "/privacy/unsubscribe?t=forged", "/privacy/do-not-call",
    "/privacy/do-not-call/challenge", "/privacy/request",
    "/privacy/request/challenge", "/privacy/request/status",
    "/privacy/request/verify", "/privacy/feedback",
    "/privacy/feedback/article?article=reset-password",
    "/privacy/consent", "/privacy/opt-out", "/privacy/preferences",
    "/privacy/preferences/subscribe?list=news", "/privacy/nothing-here",
    "/.well-known/gpc.json")


def form_value(page, name):
    """The value of the first <input> named name in page (text), or None."""
    for tag in re.findall(r"<input\b[^>]*>", page):
        attrs = dict(re.findall(r'([\w:-]+)="([^"]*)"', tag))
        if attrs.get("name") == name:
            return html.unescape(attrs.get("value", ""))
    return None


def stamp_of(page):
    """The pf_stamp a form page carries (text), or None."""
    return form_value(page, STAMP)


def _has_field(fields, name):
    if isinstance(fields, dict):
        return name in fields
    if isinstance(fields, str):
        return any(p.split("=", 1)[0] == name for p in fields.split("&"))
    return any(k == name for k, _ in fields)


def _with_field(fields, name, value):
    if isinstance(fields, dict):
        out = dict(fields)
        out[name] = value
        return out
    if isinstance(fields, str):
        pair = urllib.parse.urlencode({name: value})
        return fields + "&" + pair if fields else pair
    return list(fields) + [(name, value)]


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case names
        self.body = body
        self.text = body.decode("utf-8", "replace")

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return "<Response %d %r>" % (self.status, self.text[:300])


def http_request(port, method, path, body=None, headers=None, timeout=30):
    """One HTTP request to 127.0.0.1:port; a Response."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        return Response(r.status, hdrs, data)
    finally:
        conn.close()


# How long a test waits for something it expects: generous, because the
# machine may be loaded (builds beside it, the suite running twice at once).
# Every wait ends as soon as its event is seen, so only a failing test
# waits this long.
WAIT = 60


def wait_until(event, what, timeout=WAIT):
    """Poll event() until it returns something true, and return that; an
    AssertionError saying what was awaited after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        got = event()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError("waited %d s for %s" % (timeout, what))
        time.sleep(0.05)


def wait_tcp(port, alive=lambda: True, timeout=WAIT):
    """True once 127.0.0.1:port accepts a connection; False after timeout
    seconds, or as soon as alive() says the server has died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def unix_listening(path):
    """True if a socket bound to path listens (/proc/net/unix flags it
    __SO_ACCEPTCON); the file appears at bind(), before listen()."""
    with open("/proc/net/unix") as f:
        next(f)
        for line in f:
            fields = line.split()
            if len(fields) >= 8 and fields[7] == path and \
                    int(fields[3], 16) & 0x10000:
                return True
    return False


def pid_alive(pid):
    """pid runs (a zombie has finished)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def read_pid(path):
    """The process id in pid file path."""
    with open(path) as f:
        return int(f.read())


def parents():
    """Each running process's parent, by process id (from /proc; a
    zombie has finished, as for pid_alive)."""
    parent = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % name) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parent[int(name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            pass
    return parent


def children(pid):
    """The running processes whose parent is pid."""
    return {c for c, pp in parents().items() if pp == pid}


def descendants(pids):
    """pids and every running process below them."""
    parent = parents()
    found, todo = set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo += [c for c, pp in parent.items() if pp == pid]
    return found


class Site:
    """A running site.  config: extra privforms.conf lines (key -> value);
    env: extra environment for tools/stack.sh (STACK_LIMITS=on, say);
    node_of: a started Site (PostgreSQL) whose database and key this one
    shares, as a second web node of the same site."""

    def __init__(self, config=None, workers=2, env=None, node_of=None):
        self.dir = tempfile.mkdtemp(prefix="privforms-it-")
        self.port = free_port()
        self.workers = workers
        self.conf = os.path.join(self.dir, "privforms.conf")
        # PostgreSQL: a database of its own on the process's server, or
        # node_of's (a second web node of that site, with its key).
        self.db_name = (node_of.db_name if node_of else
                        pg_server().createdb()) if POSTGRESQL else None
        self.node_of = node_of
        settings = {
            "base_url": "http://127.0.0.1:%d" % self.port,
            "prefix": "/privacy",
            "database": pg_server().dsn(self.db_name, "privforms_web")
            if POSTGRESQL else "privforms.db",
            "key_file": "secret.key",
            # what tools/stack.sh would add, here for the owner's init
            # (Site._owner_init) to find them too
            "audit_signing_key": "audit-signing.key",
            "locale_dir": os.path.join(SRC, "build", "locale"),
            "audit_dir": "audit",
            "site_dir": "site",
            "templates": os.path.join(SRC, "htdocs"),
            "audit_schema": os.path.join(SRC, "etc", "audit.xsd"),
            "laws_file": os.path.join(SRC, "etc", "privacy-laws.tsv"),
            "consent_categories": os.path.join(SRC, "etc",
                                               "consent-categories.tsv"),
            "mailing_lists": os.path.join(SRC, "etc", "mailing-lists.tsv"),
        }
        if POSTGRESQL:  # the team's commands as INSTALL's other role
            settings["admin_database"] = pg_server().dsn(self.db_name,
                                                         "privforms_team")
        if node_of is not None:
            settings["key_file"] = os.path.join(node_of.dir, "secret.key")
        settings.update(GUARD_OFF)
        settings.update(config or {})
        with open(self.conf, "w") as f:
            for k, v in settings.items():
                f.write("%s = %s\n" % (k, v))
        # The SQLite file (None on PostgreSQL: what reads it is sqlite_only).
        self.db_path = None if POSTGRESQL else \
            os.path.join(self.dir, "privforms.db")
        self.audit_dir = os.path.join(self.dir, "audit")
        self.started = False
        self.stamps = {}    # form path -> its page's pf_stamp
        self.env = env or {}

    def start(self):
        env = dict(os.environ, **self.env)
        env["PRIVFORMS_ENV"] = _sanitizer_env(self.dir, "LD_PRELOAD" in self.env)
        if POSTGRESQL and self.node_of is None and not self.started:
            self._owner_init(env)
        subprocess.run(["bash", os.path.join(SRC, "tools", "stack.sh"), "start",
                        self.dir, str(self.port), str(self.workers)],
                       check=True, env=env, timeout=60)
        self.started = True
        _LIVE.add(self)
        return self

    def _owner_init(self, env):
        """INSTALL's section 20 on this site's database: init as the
        schema's owner, then the owner's grants to the web and team roles,
        which the programs and the privforms command then run as."""
        owner = pg_server().dsn(self.db_name, "privforms_owner")
        conf = self.conf_with("owner.conf", database=owner,
                              admin_database=owner)
        p = subprocess.run([PRIVFORMS, "--config", conf, "init", "--user",
                            pwd.getpwuid(os.getuid()).pw_name], env=env,
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise AssertionError("privforms init as the owner:\n" + p.stderr)
        pg_server().execute(self.db_name, "privforms_owner",
                            install_block(GRANTS_BLOCK))

    def stop(self, remove=True):
        """Stop the stack: its sanitizer reports (the directory is removed
        if remove and there are none)."""
        return stop_sites([self], remove)

    def _cleared(self, remove):
        reports = sanitizer_reports(self.dir)
        if remove and not reports:
            shutil.rmtree(self.dir, ignore_errors=True)
            if self.db_name:
                pg_server().dropdb(self.db_name)
        return reports

    def locked(self):
        """The database held under BEGIN EXCLUSIVE for a with block (SQLite
        only: a test using it is sqlite_only)."""
        return exclusive(self.db_path)

    def post_locked(self, path, fields):
        """post(path, fields) while another writer holds the database
        (locked, so SQLite only): the answer."""
        with self.locked():
            return self.post(path, fields)

    def conf_with(self, name, **keys):
        """A copy of the configuration, named name beside it, with keys set
        (each replacing its line): its path."""
        path = os.path.join(self.dir, name)
        with open(self.conf) as f, open(path, "w") as out:
            out.writelines(line for line in f
                           if line.split("=")[0].strip() not in keys)
            out.writelines("%s = %s\n" % kv for kv in keys.items())
        return path

    # ---- HTTP ----

    def request(self, method, path, body=None, headers=None):
        return http_request(self.port, method, path, body, headers)

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def stamp(self, path):
        """The stamp for a POST to path (its form's page's, fetched once per
        program), or None when path is no guarded form or its page has none
        (a program answering 404 without mail, say)."""
        form = urllib.parse.urlsplit(path).path
        if form not in FORMS:
            return None
        if form not in self.stamps:
            r = self.get(form)
            self.stamps[form] = stamp_of(r.text) if r.status == 200 else None
        return self.stamps[form]

    def post(self, path, fields, content_type="application/x-www-form-urlencoded",
             stamp=True, headers=None):
        """POST fields (a dict, a list of pairs, a str or raw bytes), with
        a stamp (see the module's docstring) unless stamp is False or
        fields already has one; headers: more request headers."""
        urlencoded = content_type == "application/x-www-form-urlencoded"
        if stamp is True and urlencoded and \
                isinstance(fields, (dict, list, tuple, str)) and \
                not _has_field(fields, STAMP) and \
                "t" not in urllib.parse.parse_qs(urllib.parse.urlsplit(path).query):
            stamp = self.stamp(path)
        if isinstance(stamp, str) and not isinstance(fields, (bytes, bytearray)):
            fields = _with_field(fields, STAMP, stamp)
        hdrs = {"Content-Type": content_type}
        hdrs.update(headers or {})
        if isinstance(fields, (bytes, bytearray)):
            body = bytes(fields)
        elif isinstance(fields, str):
            body = fields.encode("utf-8")
        else:
            body = urllib.parse.urlencode(fields).encode("ascii")
        return self.request("POST", path, body=body, headers=hdrs)

    # ---- the admin command ----

    def privforms(self, *args, check=True, input=None, text=True):
        return subprocess.run([PRIVFORMS, "--config", self.conf] + list(args),
                              capture_output=True, text=text, check=check,
                              input=input, timeout=60)

    def send_mail(self, smtp):
        """`privforms mail run --once`: the messages smtp (a
        smtp_server.Server) received meanwhile, parsed.  A message the
        sender could not hand over is an AssertionError with its reason
        (the sender would try again only after mail_retry)."""
        before = len(smtp.messages)
        p = self.privforms("mail", "run", "--once", check=False)
        if p.returncode != 0 or re.search(r": (deferred|failed) ", p.stderr):
            raise AssertionError("privforms mail run --once:\n" + p.stderr)
        return [email.message_from_bytes(m.data, policy=email.policy.default)
                for m in smtp.messages[before:]]

    # ---- the database: read-only, and a test's own rows ----

    def connect(self, readonly=False, timeout=5):
        """A connection to the site's database as sqlite3.connect gives
        one, whichever the backend (SQL with ? parameters; `with` commits
        or rolls back; close it): for a test's own rows."""
        if POSTGRESQL:
            return PgConnection(pg_server().dsn(self.db_name), readonly)
        if readonly:
            return sqlite3.connect("file:%s?mode=ro" % self.db_path,
                                   uri=True, timeout=timeout)
        return sqlite3.connect(self.db_path, timeout=timeout)

    def query(self, sql, args=()):
        if POSTGRESQL:
            return pg_server().read(self.db_name, sql, args)
        con = self.connect(readonly=True)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def count(self, table):
        return self.query("SELECT count(*) FROM %s" % table)[0][0]

    def audit_xml(self, event):
        """The XML (text) of each audit record of event, oldest first."""
        rows = self.query("SELECT xml FROM audit WHERE event = ? "
                          "ORDER BY seq", (event,))
        return [xml.decode() if isinstance(xml, bytes) else xml
                for (xml,) in rows]

    def write(self, sql, args=()):
        """One statement of a test's own, committed: its lastrowid."""
        con = self.connect()
        try:
            cur = con.execute(sql, args)
            con.commit()
            return cur.lastrowid
        finally:
            con.close()

    @contextlib.contextmanager
    def refusing(self, table, when, message="refused"):
        """For a with block, every `when` ("INSERT", "DELETE", "UPDATE OF
        column") on table fails, with message (a trigger, dropped after)."""
        if POSTGRESQL:
            self.write("CREATE FUNCTION pf_test_refuse() RETURNS trigger "
                       "LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION '%s'; "
                       "END$$" % message)
            self.write("CREATE TRIGGER pf_test_refuse BEFORE %s ON %s FOR "
                       "EACH ROW EXECUTE FUNCTION pf_test_refuse()"
                       % (when, table))
        else:
            self.write("CREATE TRIGGER pf_test_refuse BEFORE %s ON %s BEGIN "
                       "SELECT RAISE(ABORT, '%s'); END" % (when, table, message))
        try:
            yield
        finally:
            if POSTGRESQL:
                self.write("DROP FUNCTION pf_test_refuse() CASCADE")
            else:
                self.write("DROP TRIGGER pf_test_refuse")

    def schema_version(self, version=None):
        """The schema's version (SQLite's user_version, PostgreSQL's
        schema_version row); set to version if one is given."""
        con = self.connect()
        try:
            if version is not None:
                con.execute("UPDATE schema_version SET version = %d" % version
                            if POSTGRESQL else
                            "PRAGMA user_version = %d" % version)
                con.commit()
            return con.execute("SELECT version FROM schema_version"
                               if POSTGRESQL else
                               "PRAGMA user_version").fetchone()[0]
        finally:
            con.close()

    def audit_files(self):
        out = []
        for root, _, files in os.walk(self.audit_dir):
            out += [os.path.join(root, f) for f in files if f.endswith(".xml")]
        return sorted(out, key=os.path.basename)

    def socket_path(self, program):
        return os.path.join(self.dir, "run", program + ".sock")


# ---- what a test module shares: its mail settings, its teardown ----

# A small translated site for the language tests (issue 20), made apart
# from the build's po/: each language's template copies say the site's
# name in it (SITE_NAME), and its catalogue (msgfmt) gives its own name,
# its direction and the language menu's name.  The company's notices are
# left out of the copies, as a company that wrote none in that language.
SITE_NAME = {"de": "Datenschutzanfragen",
             "ar-XB": "\u27e6\u01a4\u0159\u012bv\u00e0\u00e7\u00ff "
                      "\u0159\u00e9q\u00fb\u00e9\u0161\u0163\u0161\u27e7"}
LANGUAGE_PO = {"de": ("Deutsch", "ltr", "Sprache"),
               "ar-XB": ("\u0639\u0631\u0628\u064a", "rtl",
                         "\u0627\u0644\u0644\u063a\u0629")}
NOTICES = ("request-notice.xhtml", "consent-notice.xhtml")


def language_config(directory, languages="en de ar-XB"):
    """The keys of a site in languages, its templates and catalogues made
    in directory: {templates, locale_dir, languages}."""
    src = os.path.join(SRC, "htdocs")
    htdocs = os.path.join(directory, "htdocs")
    locale = os.path.join(directory, "locale")
    os.makedirs(htdocs)
    names = [n for n in os.listdir(src) if n.endswith(".xhtml")]
    for n in names:
        shutil.copy(os.path.join(src, n), htdocs)
    for tag, (label, direction, menu) in LANGUAGE_PO.items():
        name = tag.replace("-", "_")
        os.makedirs(os.path.join(htdocs, name))
        for n in names:
            if n in NOTICES:
                continue
            with open(os.path.join(src, n), encoding="utf-8") as f:
                text = f.read().replace("Privacy requests", SITE_NAME[tag])
            with open(os.path.join(htdocs, name, n), "w",
                      encoding="utf-8") as f:
                f.write(text)
        po = os.path.join(directory, name + ".po")
        with open(po, "w", encoding="utf-8") as f:
            f.write('msgid ""\nmsgstr "Content-Type: text/plain; '
                    'charset=UTF-8\\n"\n\n'
                    'msgctxt "language-name"\nmsgid "English"\n'
                    'msgstr "%s"\n\nmsgctxt "language-direction"\n'
                    'msgid "ltr"\nmsgstr "%s"\n\nmsgid "Language"\n'
                    'msgstr "%s"\n' % (label, direction, menu))
        mo = os.path.join(locale, name, "LC_MESSAGES")
        os.makedirs(mo)
        subprocess.run(["msgfmt", "--check-format", "-o",
                        os.path.join(mo, "privforms.mo"), po], check=True)
    return {"templates": htdocs, "locale_dir": locale,
            "languages": languages}


def mail_config(smtp, **extra):
    """privforms.conf keys of a site that mails, in clear, through smtp (a
    smtp_server.Server), as a privacy team would set them; extra: more."""
    conf = {"mail_templates": os.path.join(SRC, "etc", "mail"),
            "mail_from": "Privacy Team <privacy@example.com>",
            "smtp_host": "127.0.0.1", "smtp_port": str(smtp.port),
            "smtp_starttls": "off", "smtp_timeout": "30"}
    conf.update(extra)
    return conf


def mail_site(**extra):
    """An SMTP server (smtp_server.Server) and a site that mails through
    it (mail_config and extra), both started: (site, server)."""
    from smtp_server import Server
    smtp = Server().start()
    return Site(config=mail_config(smtp, **extra)).start(), smtp


_addresses = itertools.count(1)


def address(tag="person"):
    """A fresh e-mail address (tag.PID.N@example.com), so that storm
    control and the rate limits never join two tests."""
    return "%s.%d.%d@example.com" % (tag, os.getpid(), next(_addresses))


def export_page(xml):
    """An export package (text) through etc/request-export.xsl, as a
    browser would show it: the CompletedProcess of xsltproc."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "package.xml")
        with open(path, "w") as f:
            f.write(xml)
        return subprocess.run(["xsltproc", "--nonet", os.path.join(
            SRC, "etc", "request-export.xsl"), path], capture_output=True,
            text=True)


def stop_sites(sites, remove=True):
    """Stop every site's stack at once (each stop waits for its processes,
    so one after another they would add up): their sanitizer reports."""
    stack = os.path.join(SRC, "tools", "stack.sh")
    stopping = [subprocess.Popen(["bash", stack, "stop", s.dir])
                for s in sites if s.started]
    for p in stopping:
        p.wait(timeout=60)
    reports = []
    for s in sites:
        s.started = False
        _LIVE.discard(s)
        reports += s._cleared(remove)
    return reports


# The sites started and not stopped yet: stopped when the tests' process
# ends, so a setUpModule or setUpClass that failed after starting one
# (its tearDown never runs) leaves no server running.
_LIVE = set()


def _at_exit():
    """The sites, then the PostgreSQL server they used."""
    try:
        stop_sites(list(_LIVE))
    finally:
        if _PG is not None:
            _PG.stop()


atexit.register(_at_exit)


def terminate(*procs, timeout=10):
    """SIGTERM to each of procs (subprocess.Popen; None for one never
    started) still running, then wait for them all, timeout seconds in
    all; SIGKILL to what is left.  Each is reaped."""
    live = [p for p in procs if p is not None and p.poll() is None]
    for p in live:
        p.terminate()
    deadline = time.monotonic() + timeout
    for p in live:
        try:
            p.wait(max(0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def teardown(*stacks):
    """A test module's (or class's) end: stop its sites (Site) all at once,
    then its other servers (their stop()), skipping None (never started);
    an AssertionError if a sanitizer reported anything."""
    reports = stop_sites([s for s in stacks if isinstance(s, Site)])
    for s in stacks:
        if s is not None and not isinstance(s, Site):
            s.stop()
    if reports:
        raise AssertionError("sanitizer reports:\n" + "\n".join(reports))


def assert_unchanged(test, counts, fn):
    """fn()'s answer, test failing unless counts() (row counts, say) is
    the same after it as before."""
    before = counts()
    r = fn()
    test.assertEqual(counts(), before, r)
    return r


class FormTest(unittest.TestCase):
    """What a form's tests of bad input assert."""

    def stored(self):
        """What a refused post must leave as it was (the form's tables' row
        counts, say): each subclass says."""
        raise NotImplementedError

    def assert_nothing_stored(self, fn):
        """fn()'s answer, which stored nothing."""
        return assert_unchanged(self, self.stored, fn)

    def assert_error(self, r, field):
        """r refuses the post (422) and says what is wrong with field."""
        self.assertEqual(r.status, 422, r)
        self.assertRegex(r.text, r'id="error-%s"[^>]*>[^<]+<' % field)


@contextlib.contextmanager
def exclusive(db_path):
    """db_path held under BEGIN EXCLUSIVE, as another writer would hold it,
    until the with block ends (then rolled back)."""
    con = sqlite3.connect(db_path, timeout=5, isolation_level=None)
    try:
        con.execute("BEGIN EXCLUSIVE")
        yield con
        con.execute("ROLLBACK")
    finally:
        con.close()


# ---- PostgreSQL (PRIVFORMS_TEST_BACKEND=postgresql) ----

# Debian's postgresql-15 programs, as tools/pgtest.sh runs them.
PG_BIN = "/usr/lib/postgresql/15/bin"

# INSTALL's blocks of SQL for PostgreSQL's roles (section 20).
ROLES_BLOCK = "-- privforms roles, as the superuser:"
GRANTS_BLOCK = "-- privforms grants, as the owner after init:"


def install_block(first):
    """The statements of INSTALL's block that starts with the comment line
    first: one per line, up to the blank line after it."""
    with open(os.path.join(SRC, "INSTALL")) as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        if line.strip() == first:
            block = []
            for stmt in lines[i + 1:]:
                if not stmt.strip():
                    return block
                block.append(stmt.strip())
    raise AssertionError("INSTALL has no block %r" % first)


class PgServer:
    """The test process's PostgreSQL server (tools/pgtest.sh) in a
    temporary directory: its socket there, no TCP."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="privforms-pg-")
        self.names = itertools.count(1)
        self.readers = {}   # database name -> its PgConnection for read
        p = subprocess.run(["sh", os.path.join(SRC, "tools", "pgtest.sh"),
                            "start", self.dir], capture_output=True,
                           text=True, timeout=300)
        if p.returncode != 0:
            self.stop()
            raise AssertionError("tools/pgtest.sh start:\n" + p.stderr)
        # INSTALL's three roles (section 20), made by its own lines; each
        # site's database is made by them too (createdb), its schema by
        # init as the owner and granted as INSTALL says (Site._owner_init).
        try:
            self._admin(*[stmt for stmt in install_block(ROLES_BLOCK)
                          if stmt.startswith("CREATE ROLE ")])
        except BaseException:
            self.stop()     # nothing else would: pg_server() never got it
            raise

    def dsn(self, name, user="postgres"):
        """The connection string of database name as user (the superuser
        by default), as a site's config gives it."""
        return "postgresql:///%s?host=%s&user=%s" % (name, self.dir, user)

    def execute(self, name, user, statements):
        """statements one by one, each committed, on database name as
        user."""
        import psycopg2
        con = psycopg2.connect(self.dsn(name, user))
        try:
            con.autocommit = True
            for stmt in statements:
                con.cursor().execute(stmt)
        finally:
            con.close()

    def _admin(self, *statements):
        self.execute("postgres", "postgres", statements)

    def read(self, name, sql, args=()):
        """The rows of one query on database name, on a read-only
        connection kept for it: each new connection is a new server process,
        and a form test's checks that nothing was stored made dozens a test.
        Each statement commits (autocommit), so it sees what is committed
        when it starts, as a new connection would; a connection lost (the
        server restarted) is made again, once."""
        import psycopg2
        for attempt in (1, 2):
            con = self.readers.get(name)
            if con is None:
                con = PgConnection(self.dsn(name), readonly=True)
                con.con.autocommit = True
                self.readers[name] = con
            try:
                return con.execute(sql, args).fetchall()
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                lost = con.con.closed != 0
                self._forget(name)
                if attempt == 2 or not lost:
                    raise

    def _forget(self, name):
        con = self.readers.pop(name, None)
        if con is not None:
            con.close()

    def createdb(self):
        """A new empty database: its name."""
        name = "site%d" % next(self.names)
        self._site_database(name)
        return name

    def _site_database(self, name):
        """Database name made as INSTALL makes "privforms" (its roles
        block's database lines, for that name)."""
        self._admin(*[re.sub(r"\bDATABASE privforms\b", "DATABASE " + name,
                             stmt) for stmt in install_block(ROLES_BLOCK)
                      if not stmt.startswith("CREATE ROLE ")])

    def dropdb(self, name):
        """Drop database name, ending what is still connected to it."""
        self._forget(name)
        self._admin("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)

    def dump(self, name, path):
        """pg_dump of database name into path (the custom format)."""
        subprocess.run([os.path.join(PG_BIN, "pg_dump"), "-h", self.dir,
                        "-U", "postgres", "-Fc", "-f", path, name],
                       check=True, capture_output=True, timeout=300)

    def restore(self, name, path):
        """Database name made anew from a pg_dump in path."""
        self.dropdb(name)
        self._site_database(name)
        subprocess.run([os.path.join(PG_BIN, "pg_restore"), "-h", self.dir,
                        "-U", "postgres", "--exit-on-error", "-d", name, path],
                       check=True, capture_output=True, timeout=300)

    def stop(self):
        for name in list(self.readers):
            self._forget(name)
        subprocess.run(["sh", os.path.join(SRC, "tools", "pgtest.sh"),
                        "stop", self.dir], timeout=300)
        shutil.rmtree(self.dir, ignore_errors=True)


_PG = None


def pg_server():
    """The process's PostgreSQL server, started on first need (and
    stopped at exit, after the sites)."""
    global _PG
    if _PG is None:
        _PG = PgServer()
    return _PG


def _pg_text(sql, args):
    """SQLite's parameters (? and ?N) in sql as psycopg2's (%(pN)s), its
    literal % doubled: (text, the arguments by name)."""
    out, n, i = [], 0, 0
    while i < len(sql):
        c = sql[i]
        if c in "'\"":
            end = i + 1
            while end < len(sql):
                if sql[end] == c:
                    if sql[end + 1:end + 2] != c:
                        break
                    end += 1
                end += 1
            out.append(sql[i:end + 1].replace("%", "%%"))
            i = end + 1
            continue
        if c == "?":
            # A bare ? is numbered after the highest so far, as in SQLite.
            m = re.match(r"\?(\d*)", sql[i:])
            k = int(m.group(1)) if m.group(1) else n + 1
            n = max(n, k)
            out.append("%%(p%d)s" % k)
            i += len(m.group(0))
            continue
        out.append("%%" if c == "%" else c)
        i += 1
    return "".join(out), {"p%d" % (k + 1): v for k, v in enumerate(args)}


def _sqlite_value(v):
    """A value as sqlite3 would give it: bytea as bytes, a boolean as 0
    or 1, a number as int (or float when it has a fraction)."""
    if isinstance(v, memoryview):
        return v.tobytes()
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


class PgCursor:
    """What PgConnection.execute returns: sqlite3's cursor's reading
    methods and lastrowid."""

    def __init__(self, cur, lastrowid):
        self.cur = cur
        self.lastrowid = lastrowid

    def fetchall(self):
        if self.cur.description is None:
            return []
        return [tuple(map(_sqlite_value, r)) for r in self.cur.fetchall()]

    def fetchone(self):
        r = self.cur.fetchone() if self.cur.description else None
        return None if r is None else tuple(map(_sqlite_value, r))

    def __iter__(self):
        return iter(self.fetchall())

    @property
    def rowcount(self):
        return self.cur.rowcount


# After rows a test wrote with ids of its own, each table's id sequence
# goes past them, as SQLite's next rowid would (max + 1); never back.
_PG_RESYNC = """
DO $$
DECLARE c record; seq text;
BEGIN
  FOR c IN SELECT table_name, column_name FROM information_schema.columns
           WHERE table_schema = current_schema() AND is_identity = 'YES'
  LOOP
    seq := pg_get_serial_sequence(quote_ident(c.table_name), c.column_name);
    EXECUTE format('SELECT setval(%L, greatest(coalesce(max(%I), 0) + 1, '
                   '(SELECT last_value + is_called::int FROM %s)), false) '
                   'FROM %I', seq, c.column_name, seq, c.table_name);
  END LOOP;
END $$"""


class PgConnection:
    """A connection to a PostgreSQL database that works as sqlite3's does
    for what the tests do with one: execute and executemany with ?
    parameters, commit, rollback, close, and `with` for a transaction."""

    def __init__(self, dsn, readonly=False):
        import psycopg2
        self.con = psycopg2.connect(dsn)
        self.con.set_session(readonly=readonly)
        self.error = psycopg2.Error
        self.inserted = False

    def execute(self, sql, args=()):
        text, named = _pg_text(sql, args)
        cur = self.con.cursor()
        cur.execute(text, named)
        lastrowid = None
        if re.match(r"\s*INSERT\b", sql, re.I):
            self.inserted = True
            lastrowid = self._lastval()
        return PgCursor(cur, lastrowid)

    def _lastval(self):
        """The id the last INSERT was given (None when it took none)."""
        cur = self.con.cursor()
        cur.execute("SAVEPOINT lastval")
        try:
            cur.execute("SELECT lastval()")
            return cur.fetchone()[0]
        except self.error:  # no sequence used yet in this session
            cur.execute("ROLLBACK TO SAVEPOINT lastval")
            return None

    def executemany(self, sql, seq):
        for args in seq:
            self.execute(sql, args)

    def commit(self):
        if self.inserted:
            self.con.cursor().execute(_PG_RESYNC)
            self.inserted = False
        self.con.commit()

    def rollback(self):
        self.inserted = False
        self.con.rollback()

    def close(self):
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is None:
            self.commit()
        else:
            self.rollback()
        return False


@contextlib.contextmanager
def key_away(site):
    """site's key file moved away for the with block: unreadable."""
    key = os.path.join(site.dir, "secret.key")
    os.rename(key, key + ".away")
    try:
        yield
    finally:
        os.rename(key + ".away", key)


def mail_link(body, page):
    """The path and query of the /privacy/request/PAGE?t=... link in a mail
    body (an AssertionError if there is none)."""
    m = re.search(r"http://127\.0\.0\.1:\d+(/privacy/request/%s\?t=[^\s]+)"
                  % page, body)
    if m is None:
        raise AssertionError("no %s link in:\n%s" % (page, body))
    return m.group(1)


# ---- sanitizer builds: reports land in files, and fail the test run ----

def request_submit(site, address, kind="access", **extra):
    """A data subject request from address (303 or AssertionError): its id."""
    fields = {"type": kind, "relationship": "customer", "first_name": "Ada",
              "last_name": "Lovelace", "email": address, "country": "DE"}
    fields.update(extra)
    r = site.post("/privacy/request", fields)
    if r.status != 303:
        raise AssertionError(r)
    return site.query("SELECT max(id) FROM request WHERE email_key = ?",
                      (address.lower(),))[0][0]


# ---- tokens (token.h) made and opened here, with a site's key ----

def _token_keys(site):
    """The MAC and cipher keys of site's tokens: each HKDF-SHA256 of the
    token key (openssl kdf, not this module's own HKDF)."""
    with open(os.path.join(site.dir, "secret.key")) as f:
        master = bytes.fromhex(f.read().strip())
    token = hmac.new(master, b"privforms token key v1", hashlib.sha256)
    keys = []
    for info in ("privforms token mac v2", "privforms token cipher v2"):
        keys.append(subprocess.run(
            ["openssl", "kdf", "-keylen", "32", "-kdfopt", "digest:SHA256",
             "-kdfopt", "hexkey:" + token.hexdigest(), "-kdfopt",
             "info:" + info, "-binary", "HKDF"],
            capture_output=True, check=True).stdout)
    return keys


def _aes_ctr(key, iv, data, decrypt=False):
    return subprocess.run(["openssl", "enc"] + (["-d"] if decrypt else []) +
                          ["-aes-256-ctr", "-nosalt", "-K", key.hex(),
                           "-iv", iv.hex()],
                          input=data, capture_output=True, check=True).stdout


def _b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def token_craft(site, purpose, expires, *fields):
    """A genuine token for purpose and fields, expiring at expires, as
    site would make it."""
    mac, cipher = _token_keys(site)
    payload = b"\0".join([b"v1", purpose.encode(), str(expires).encode()] +
                         [f.encode() for f in fields])
    iv = os.urandom(16)
    box = b"\x02" + iv + _aes_ctr(cipher, iv, payload)
    return _b64url(box) + "." + _b64url(hmac.new(mac, box,
                                                  hashlib.sha256).digest())


def token_open(site, t):
    """Decrypt token t (made by site): purpose, expiry, fields."""
    _, cipher = _token_keys(site)
    box = base64.urlsafe_b64decode(t.split(".")[0] + "==")
    if box[:1] != b"\x02":
        raise AssertionError("not a current token: %r" % t)
    parts = _aes_ctr(cipher, box[1:17], box[17:], decrypt=True).split(b"\0")
    if parts[0] != b"v1":
        raise AssertionError("not a token: %r" % parts)
    return (parts[1].decode(), int(parts[2]),
            [p.decode() for p in parts[3:]])


def request_verify(site, smtp, address):
    """Follow the verification link mailed to address, as a person would."""
    for m in site.send_mail(smtp):
        if m["To"] != address:
            continue
        url = re.search(r"(http://\S+/request/verify\?t=\S+)", m.get_content())
        if url is None:     # another mail to the address
            continue
        path = urllib.parse.urlsplit(url.group(1))
        page = site.get(path.path + "?" + path.query)
        if page.status != 200:
            raise AssertionError(page)
        token = re.search(r'name="t" value="([^"]+)"', page.text).group(1)
        r = site.post(path.path, {"t": token})
        if r.status not in (200, 303):
            raise AssertionError(r)
        return
    raise AssertionError("no verification mail to %s" % address)


def preloaded_asan_options():
    """ASAN_OPTIONS for a command run with a library (libfaketime)
    preloaded ahead of ASan's runtime, which ASan refuses unless told; the
    environment's own options (the Makefile's SANITIZE) kept."""
    return ":".join(filter(None, (os.environ.get("ASAN_OPTIONS"),
                                  "verify_asan_link_order=0")))


def _sanitizer_env(d, preloaded=False):
    logs = os.path.join(d, "sanitizer")
    os.makedirs(logs, exist_ok=True)
    # allocator_may_return_null: Debian's libfcgi answers a crafted record
    # with a huge malloc (CVE-2025-23016, half fixed); the test for it wants
    # libfcgi's own abort, not an allocator report.  preloaded: the site's
    # env preloads a library (libfaketime) ahead of ASan's runtime, which
    # ASan refuses unless told; this ASAN_OPTIONS replaces the site's own.
    # intercept_tls_get_addr: see the Makefile's SANITIZE.
    return ("ASAN_OPTIONS=log_path=%s/asan:detect_leaks=1:allocator_may_return_null=1"
            ":intercept_tls_get_addr=0%s "
            "UBSAN_OPTIONS=log_path=%s/ubsan:print_stacktrace=1"
            % (logs, ":verify_asan_link_order=0" if preloaded else "", logs))


def program_env(site):
    """The environment of site's programs (their sanitizer logs where
    teardown reads them), for a privforms program a test runs beside the
    stack, such as a second `privforms mail run`."""
    env = dict(os.environ)
    env.update(kv.split("=", 1) for kv in _sanitizer_env(site.dir).split())
    return env


def sanitizer_reports(d):
    logs = os.path.join(d, "sanitizer")
    if not os.path.isdir(logs):
        return []
    out = []
    for f in sorted(os.listdir(logs)):
        with open(os.path.join(logs, f), errors="replace") as fh:
            text = fh.read()
        # A failed huge allocation (see _sanitizer_env) is only a warning.
        if "ERROR:" in text or "runtime error" in text:
            out.append(text)
    return out


# ---- raw FastCGI, for what nginx would never send ----

FCGI_BEGIN, FCGI_END, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT = 1, 3, 4, 5, 6


def _record(rtype, content, rid=1):
    return struct.pack(">BBHHBx", 1, rtype, rid, len(content), 0) + content


def _nv(name, value):
    out = b""
    for n in (len(name), len(value)):
        out += struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)
    return out + name + value


def fcgi_begin():
    """FCGI_BEGIN_REQUEST for request 1, role responder."""
    return _record(FCGI_BEGIN, struct.pack(">HB5x", 1, 0))


def fcgi_stdin(data):
    """One FCGI_STDIN record (the empty one ends the body)."""
    return _record(FCGI_STDIN, data)


def fcgi_params(params):
    """Encode a dict of params as FCGI_PARAMS records (and the empty one)."""
    data = b"".join(_nv(k.encode(), v.encode()) for k, v in params.items())
    out = b""
    for i in range(0, len(data), 65535):
        out += _record(FCGI_PARAMS, data[i:i + 65535])
    return out + _record(FCGI_PARAMS, b"")


def fcgi_request(sock_path, params=None, body=b"", raw_params=None,
                 close_early=False, timeout=10):
    """Send one FastCGI request; return (stdout bytes, completed) ."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sock_path)
    try:
        msg = fcgi_begin()
        msg += raw_params if raw_params is not None else fcgi_params(params or {})
        for i in range(0, len(body), 65535):
            msg += fcgi_stdin(body[i:i + 65535])
        if not close_early:
            msg += fcgi_stdin(b"")
        s.sendall(msg)
        if close_early:
            return b"", False
        out, buf = b"", b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                return out, False
            if not chunk:
                return out, False
            buf += chunk
            while len(buf) >= 8:
                _, rtype, _, clen, plen = struct.unpack(">BBHHB", buf[:7])
                if len(buf) < 8 + clen + plen:
                    break
                content = buf[8:8 + clen]
                buf = buf[8 + clen + plen:]
                if rtype == FCGI_STDOUT:
                    out += content
                elif rtype == FCGI_END:
                    return out, True
    finally:
        s.close()


def sockets_of(pid, path):
    """How many of process pid's sockets are bound to path: a FastCGI
    worker's listener, and the connection of a request it serves (its
    other sockets, such as its PostgreSQL connection, do not count)."""
    inodes = set()
    try:
        fds = os.listdir("/proc/%s/fd" % pid)
    except OSError:
        return 0
    for fd in fds:
        try:
            link = os.readlink("/proc/%s/fd/%s" % (pid, fd))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:["):-1])
    with open("/proc/net/unix") as f:
        next(f)
        return sum(1 for line in f if len(line.split()) >= 8 and
                   line.split()[7] == path and line.split()[6] in inodes)


def cgi_status(raw):
    """The status code of a CGI response (Status: header; 200 if absent)."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    m = re.search(r"^Status: (\d{3})", head, re.M)
    return int(m.group(1)) if m else 200
