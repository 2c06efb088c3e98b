"""Apache 2.4 from Debian serving an installed privforms three ways.

`make install` puts a complete tree in a temporary directory T (prefix,
configuration, data and sockets all under it), and one Apache serves
three virtual hosts on loopback ports, each Including one of the installed
snippets unchanged: etc/apache/privforms-proxy-fcgi.conf (the programs
under spawn-fcgi and multiwatch on Unix sockets), privforms-fcgid.conf
(mod_fcgid runs them) and privforms-cgi.conf (plain CGI through mod_cgid).
The same checks run through each; then what is particular to each path:
a crafted FastCGI record sent straight to a socket, a killed mod_fcgid
worker.  At the end no address a test sent may be in Apache's logs.

As root, Apache's children and the programs run as www-data (the data
belongs to it: `privforms init --user www-data`) and the
sockets are root:www-data 0660; otherwise everything runs as the current
user.  PRIVFORMS_KEEP=1 keeps T (logs in T/apache) for a look afterwards.
"""

import csv
import io
import json
import os
import pwd
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import uuid

from harness import (GUARD_OFF, PRIVFORMS_PATHS, SITE_HSTS, SRC, WAIT,
                     fcgi_request, free_port, http_request, install_tree,
                     unix_listening, wait_until, sanitizer_reports, stamp_of,
                     wait_tcp, _sanitizer_env, exclusive, terminate)
from htmlpage import Page

APACHE = "/usr/sbin/apache2"
MODDIR = "/usr/lib/apache2/modules"
# Loaded unless compiled in (Debian's apache2 has unixd and log_config).
MODULES = ("mpm_event", "authz_core", "unixd", "mime", "alias", "headers",
           "log_config", "env", "proxy", "proxy_fcgi", "fcgid", "cgid")
PROGRAMS = ("unsubscribe", "do-not-call", "data-request", "feedback", "consent",
            "opt-out", "preferences")
# Virtual host -> the installed snippet it Includes.
SNIPPETS = {"proxy": "privforms-proxy-fcgi.conf",
            "fcgid": "privforms-fcgid.conf",
            "cgi": "privforms-cgi.conf"}
ROOT = os.geteuid() == 0
WWW = "www-data"
FORM = "/privacy/unsubscribe"
# What every page of the programs carries.
FORM_HEADERS = {
    "content-security-policy": "default-src 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}

BUILTIN = set()     # modules compiled into apache2
T = None            # the tree
PORTS = {}          # virtual host -> port
APACHE_PROC = None
POOLS = []          # spawn-fcgi/multiwatch processes
EMAILS = []         # every address sent, looked for in the logs at the end


def run(args, check=True, **kw):
    return subprocess.run(args, capture_output=True, text=True, check=check,
                          timeout=120, **kw)


def as_programs_user(args):
    """args as the user the programs run as (www-data when root)."""
    return ["runuser", "-u", WWW, "--"] + args if ROOT else args


def privforms(*args, check=True):
    return run(as_programs_user([os.path.join(T, "usr", "sbin", "privforms")] +
                                list(args)), check=check)


def sanitizer_env():
    return dict(kv.split("=", 1) for kv in _sanitizer_env(T).split())


def install():
    install_tree(T)
    # The data request form is offered only with mail set up; nothing is
    # sent (no `privforms mail run`).
    settings = dict(GUARD_OFF, base_url="http://127.0.0.1:%d" % PORTS["proxy"],
                    mail_from="privforms <privforms@privforms.localhost>",
                    privacy_team="team@privforms.localhost")
    with open(os.path.join(T, "etc", "privforms", "privforms.conf"), "a") as f:
        f.write("\n# test_apache.py\n")
        for k, v in settings.items():
            f.write("%s = %s\n" % (k, v))


def own(path):
    """path belongs to the programs' user."""
    if ROOT:
        pw = pwd.getpwnam(WWW)
        os.chown(path, pw.pw_uid, pw.pw_gid)


def init_data():
    # As a sysadmin does for mod_fcgid and plain CGI: the data for
    # Apache's user, made by root.
    os.makedirs(os.path.join(T, "sanitizer"))
    own(os.path.join(T, "sanitizer"))
    user = ["--user", WWW] if ROOT else []
    run([os.path.join(T, "usr", "sbin", "privforms"), "init"] + user)


def recipe_multiwatch(workers):
    """multiwatch's options as INSTALL's spawn-fcgi recipe (section 4) gives
    them, with workers for its -f."""
    with open(os.path.join(SRC, "INSTALL")) as f:
        m = re.search(r"-- /usr/bin/multiwatch ((?:-\w \S+ )+)--", f.read())
    opts = m.group(1).split()
    opts[opts.index("-f") + 1] = str(workers)
    return opts


def start_pools():
    rundir = os.path.join(T, "run", "privforms")
    os.makedirs(rundir)
    env = dict(os.environ, **sanitizer_env())
    owner = ["-u", WWW, "-g", WWW, "-G", WWW] if ROOT else []
    for name in PROGRAMS:
        sock = os.path.join(rundir, name + ".sock")
        log = open(os.path.join(T, "run", name + ".log"), "ab")
        POOLS.append(subprocess.Popen(
            ["spawn-fcgi", "-n", "-s", sock, "-M", "0660"] + owner +
            ["--", "/usr/bin/multiwatch"] + recipe_multiwatch(2) +
            ["--", os.path.join(T, "usr", "lib", "cgi-bin", "privforms",
                                name + ".fcgi")],
            stdout=log, stderr=log, env=env))
        log.close()
        deadline = time.monotonic() + WAIT
        while not unix_listening(sock):
            if time.monotonic() > deadline or POOLS[-1].poll() is not None:
                raise AssertionError("no socket %s" % sock)
            time.sleep(0.05)


def apache_conf():
    a = os.path.join(T, "apache")
    san = sanitizer_env()
    lines = ["# Generated by test_apache.py",
             'ServerRoot "%s"' % a,
             "ServerName localhost",
             'PidFile "%s/apache.pid"' % a,
             'DefaultRuntimeDir "%s/run"' % a,
             'Mutex file:%s/run default' % a]
    lines += ['LoadModule %s_module "%s/mod_%s.so"' % (m, MODDIR, m)
              for m in MODULES if m not in BUILTIN]
    if ROOT:
        lines += ["User %s" % WWW, "Group %s" % WWW]
    lines += [
        'ErrorLog "%s/error.log"' % a,
        "LogLevel info",
        'LogFormat "%h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" '
        '\\"%{User-Agent}i\\"" combined',
        'CustomLog "%s/access.log" combined' % a,
        # What Debian's envvars sets: the snippets' own log goes there.
        'Define APACHE_LOG_DIR "%s"' % a,
        "TypesConfig /etc/mime.types",
        "StartServers 1", "ServerLimit 2", "ThreadsPerChild 8",
        "MaxRequestWorkers 16", "MinSpareThreads 4", "MaxSpareThreads 16",
        'ScriptSock "%s/run/cgid.sock"' % a,
        'FcgidIPCDir "%s/fcgid"' % a,
        'FcgidProcessTableFile "%s/fcgid/shm"' % a,
        # As Debian's fcgid.conf has it: privforms-cgi.conf must still run
        # the programs as CGI.
        "AddHandler fcgid-script .fcgi",
        "<Directory />", "\tAllowOverride None", "\tRequire all denied",
        "</Directory>",
        # A site of its own, as the snippets' hosts have: Apache looks
        # PATH_INFO (/challenge, /status) up in it for PATH_TRANSLATED.
        'DocumentRoot "%s/htdocs"' % a,
        '<Directory "%s/htdocs">' % a, "\tRequire all granted",
        "</Directory>"]
    for host, port in PORTS.items():
        lines += ["Listen 127.0.0.1:%d" % port,
                  "<VirtualHost 127.0.0.1:%d>" % port,
                  '\tHeader always set Strict-Transport-Security "%s"' % SITE_HSTS]
        # The sanitizer's options, where the programs take environment
        # from Apache (the pools have theirs from spawn-fcgi).
        if host == "fcgid":
            lines += ["\tFcgidInitialEnv %s %s" % kv for kv in san.items()]
        if host == "cgi":
            lines += ["\tSetEnv %s %s" % kv for kv in san.items()]
        lines += ['\tInclude "%s/etc/privforms/apache/%s"' % (T, SNIPPETS[host]),
                  "</VirtualHost>"]
    return "\n".join(lines) + "\n"


def start_apache():
    global APACHE_PROC
    a = os.path.join(T, "apache")
    # Not fcgid/: mod_fcgid makes it, for Apache's user.
    for d in ("run", "htdocs"):
        os.makedirs(os.path.join(a, d))
    conf = os.path.join(a, "apache.conf")
    with open(conf, "w") as f:
        f.write(apache_conf())
    p = run([APACHE, "-t", "-f", conf], check=False)
    if p.returncode != 0:
        raise AssertionError("apache2 -t:\n" + p.stdout + p.stderr)
    out = open(os.path.join(a, "stderr.log"), "ab")
    APACHE_PROC = subprocess.Popen([APACHE, "-f", conf, "-DFOREGROUND"],
                                   stdout=out, stderr=out)
    out.close()
    for port in PORTS.values():
        if not wait_tcp(port, lambda: APACHE_PROC.poll() is None):
            raise AssertionError("Apache did not start:\n" + read_logs())


def read_logs():
    text = ""
    for name in ("error.log", "access.log", "privforms-access.log",
                 "stderr.log"):
        path = os.path.join(T, "apache", name)
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                text += "==> %s <==\n%s" % (name, f.read())
    return text


def builtin_modules():
    """The modules compiled into apache2 (apache2 -l), by short name."""
    out = run([APACHE, "-l"]).stdout
    return {line.strip()[4:-2] for line in out.splitlines()
            if line.strip().startswith("mod_")}


def setUpModule():
    global T
    if not os.access(APACHE, os.X_OK):
        raise unittest.SkipTest("needs apache2 (Debian package apache2)")
    BUILTIN.update(builtin_modules())
    missing = [m for m in MODULES if m not in BUILTIN and
               not os.path.exists(os.path.join(MODDIR, "mod_%s.so" % m))]
    if missing:
        raise unittest.SkipTest("needs libapache2-mod-fcgid and apache2's "
                                "modules (missing: %s)" % missing)
    T = tempfile.mkdtemp(prefix="privforms-apache-")
    os.chmod(T, 0o755)      # www-data traverses it to the programs and data
    try:
        for host in SNIPPETS:
            PORTS[host] = free_port()
        install()
        init_data()
        start_pools()
        start_apache()
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    terminate(APACHE_PROC, *POOLS)
    if T is None:
        return
    logs = read_logs().lower()
    leaked = [e for e in EMAILS if e.lower() in logs]
    reports = sanitizer_reports(T)
    if os.environ.get("PRIVFORMS_KEEP"):
        print("kept", T)
        return
    if leaked or reports:
        raise AssertionError("kept %s: addresses in Apache's logs: %s; "
                             "sanitizer reports:\n%s"
                             % (T, leaked, "\n".join(reports)))
    shutil.rmtree(T, ignore_errors=True)


def address(tag):
    """A fresh address, remembered for the log check."""
    a = "%s-%s@example.org" % (tag, uuid.uuid4().hex[:8])
    EMAILS.append(a)
    return a


def optouts():
    """(address, channel, list) of every opt-out, from the installed command."""
    rows = csv.reader(io.StringIO(privforms("unsubscribes", "export").stdout))
    return {tuple(r[:3]) for r in rows if r and "@" in r[0]}


def records_of(rid):
    """The audit records (text) whose <request> is rid."""
    audit = os.path.join(T, "var", "lib", "privforms", "audit")
    out = []
    for root, _, files in os.walk(audit):
        for name in sorted(files):
            with open(os.path.join(root, name)) as f:
                text = f.read()
            if "<request>%s</request>" % rid in text:
                out.append(text)
    return out


def access_line(rid):
    """The line of privforms-access.log that ends with request=rid, or
    None (yet)."""
    try:
        with open(os.path.join(T, "apache", "privforms-access.log")) as f:
            lines = [ln for ln in f if ln.rstrip("\n").endswith(
                " request=" + rid)]
    except FileNotFoundError:
        return None
    return lines[0] if len(lines) == 1 else None


class Through:
    """The checks made through each virtual host (HOST)."""
    HOST = None

    def req(self, method, path, body=None, headers=None):
        return http_request(PORTS[self.HOST], method, path, body, headers)

    def get(self, path):
        return self.req("GET", path)

    def post(self, path, fields, stamp=True):
        if isinstance(fields, dict):
            fields = dict(fields, website="")
            if stamp:
                page = self.get(path)
                self.assertEqual(page.status, 200, page)
                fields["pf_stamp"] = stamp_of(page.text)
            fields = urllib.parse.urlencode(fields).encode()
        return self.req("POST", path, fields,
                        {"Content-Type": "application/x-www-form-urlencoded"})

    def assert_headers(self, r, expected, exact=False):
        for name, value in expected.items():
            got = r.header(name) or ""
            if exact:
                self.assertEqual(got, value, (name, r))
            else:
                self.assertIn(value, got, (name, r))

    def test_hub_page_with_its_headers(self):
        # A program's page (the unsubscribe program's), in the visitor's
        # language (issue 20): the programs' headers.
        r = self.get("/privacy/")
        self.assertEqual(r.status, 200, r)
        self.assertIn("What is your privacy related request?", r.text)
        self.assertEqual(r.header("content-type"), "text/html; charset=utf-8")
        self.assert_headers(r, FORM_HEADERS)
        self.assertEqual(r.header("content-language"), "en")
        self.assertEqual(r.header("vary"), "Accept-Language")
        r = self.get("/privacy")
        self.assertEqual(r.status, 301, r)
        self.assertTrue(r.header("location").endswith("/privacy/"), r.headers)

    def test_every_privforms_path_keeps_the_hosts_hsts(self):
        missing = []
        for path in PRIVFORMS_PATHS:
            r = self.get(path)
            if r.header("strict-transport-security") != SITE_HSTS:
                missing.append((path, r.status))
        r = self.post(FORM, b"channel=x")
        if r.header("strict-transport-security") != SITE_HSTS:
            missing.append(("POST " + FORM, r.status))
        self.assertEqual(missing, [])

    def test_gpc_json_says_the_signal_is_honoured(self):
        r = self.get("/.well-known/gpc.json")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("content-type"), "application/json")
        doc = json.loads(r.text)
        self.assertIs(doc["gpc"], True)
        self.assertRegex(doc["lastUpdate"], r"^\d{4}-\d{2}-\d{2}$")

    def test_static_css(self):
        r = self.get("/privacy/static/privforms.css")
        self.assertEqual(r.status, 200, r)
        self.assertIn("text/css", r.header("content-type"))
        self.assertEqual(r.header("x-content-type-options"), "nosniff")

    def test_the_consent_snippet_is_cached_a_week(self):
        for name in ("consent.js", "consent.css"):
            r = self.get("/privacy/static/" + name)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.header("cache-control"), "max-age=604800")
            self.assertEqual(r.header("x-content-type-options"), "nosniff")
        r = self.get("/privacy/static/privforms.css")
        self.assertEqual(r.header("cache-control"), "max-age=3600")

    def test_form_page_with_its_headers(self):
        r = self.get(FORM)
        self.assertEqual(r.status, 200, r)
        self.assertIn('name="email"', r.text)
        self.assert_headers(r, FORM_HEADERS)

    def test_post_stores_and_redirects(self):
        email = address(self.HOST)
        r = self.post(FORM, {"channel": "email", "email": email, "reason": "x"})
        self.assertEqual(r.status, 303, r)
        location = r.header("location")
        self.assertRegex(location, r"/privacy/unsubscribe\?done=[\w.-]+$")
        done = self.get(urllib.parse.urlsplit(location)._replace(
            scheme="", netloc="").geturl())
        self.assertEqual(done.status, 200, done)
        self.assertIn((email, "email", ""), optouts())

    def test_request_id_is_in_the_record_and_the_access_log(self):
        # AUDIT.md: a record's <request> matches the access log's line of
        # the request that made it (the snippet's privforms-access.log).
        r = self.post(FORM, {"channel": "email",
                             "email": address(self.HOST + "-id")})
        self.assertEqual(r.status, 303, r)
        rid = r.header("x-request-id") or ""
        self.assertRegex(rid, r"^[0-9a-f]{32}$")
        self.assertEqual([re.search(r"<event>([^<]*)", x).group(1)
                          for x in records_of(rid)], ["unsubscribed"])
        line = wait_until(lambda: access_line(rid),
                          "request=%s in privforms-access.log" % rid)
        self.assertIn('"POST /privacy/unsubscribe" 303 ', line)

    def test_hostile_value_comes_back_escaped_in_a_422(self):
        hostile = '"><script>alert(1)</script>'
        r = self.post(FORM, {"channel": "email", "email": hostile})
        self.assertEqual(r.status, 422, r)
        self.assertNotIn("<script>alert(1)", r.text)
        self.assertIn("&lt;script&gt;alert(1)", r.text)

    def test_oversized_body_is_the_programs_413(self):
        email = address(self.HOST + "-big")
        r = self.post(FORM, {"channel": "email", "email": email,
                             "reason": "z" * (100 * 1024)})
        self.assertEqual(r.status, 413, r)
        self.assert_headers(r, FORM_HEADERS)    # the program's page
        self.assertNotIn(email, {o[0] for o in optouts()})

    def test_one_click_get_confirms_and_post_stores(self):
        email = address(self.HOST + "-oneclick")
        url = privforms("unsubscribe-link", "--email", email,
                        "--list", "news").stdout.strip()
        u = urllib.parse.urlsplit(url)
        self.assertTrue(u.query.startswith("t="), url)
        path = u.path + "?" + u.query
        r = self.get(path)
        self.assertEqual(r.status, 200, r)
        self.assertIn("One-Click", r.text)
        self.assertNotIn(email, {o[0] for o in optouts()})
        r = self.req("POST", path, b"List-Unsubscribe=One-Click",
                     {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 200, r)
        self.assertIn((email, "email", "news"), optouts())

    def test_challenges_are_json(self):
        for path in ("/privacy/do-not-call/challenge",
                     "/privacy/unsubscribe/challenge"):
            r = self.get(path)
            self.assertEqual(r.status, 200, (path, r))
            self.assertIn("application/json", r.header("content-type"))
            self.assertIn("challenge", json.loads(r.text))

    def assert_ours(self, r, status, title):
        """One of the pages Apache answers with itself (ErrorDocument)."""
        self.assertEqual(r.status, status, r)
        page = Page(r.text)
        self.assertEqual(page.title, title + " \u2013 Privacy requests")
        self.assertEqual(page.all("html")[0].get("lang"), "en")
        self.assertIn('href="/privacy/static/privforms.css"', r.text)
        self.assertIn('<a href="/privacy/">', r.text)      # a way back
        self.assertEqual(r.header("content-type"), "text/html; charset=utf-8")
        self.assert_headers(r, {"content-security-policy": "default-src "
                                "'none'", "x-content-type-options": "nosniff"})
        # The host's own header too: ErrorDocument is a redirect inside
        # Apache, into a location with headers of its own.
        self.assertEqual(r.header("strict-transport-security"), SITE_HSTS)

    def test_a_mistyped_address_gets_our_404(self):
        for path in ("/privacy/nosuch", "/privacy/unsubscribex",
                     "/privacy/static/nosuch.css"):
            with self.subTest(path=path):
                self.assert_ours(self.get(path), 404, "Page not found")

    def test_a_programs_own_answers_pass_through(self):
        r = self.get("/privacy/request/nosuch")
        self.assertEqual(r.status, 404, r)
        self.assertIn("The form is at the address the privacy page links to",
                      r.text)
        self.assert_headers(r, FORM_HEADERS)
        # A 503 keeps the form and what was typed, not Apache's 50x page.
        email = address(self.HOST + "-locked")
        with exclusive(os.path.join(T, "var", "lib", "privforms",
                                    "privforms.db")):
            r = self.post(FORM, {"channel": "email", "email": email})
        self.assertEqual(r.status, 503, r)
        self.assertIn('value="%s"' % email, r.text)

    def test_request_and_feedback_are_the_programs(self):
        for path in ("/privacy/request", "/privacy/feedback",
                     "/privacy/do-not-call"):
            r = self.get(path)
            self.assertEqual(r.status, 200, (path, r))
            self.assertIn("pf_stamp", r.text, path)
        # No token: the program's own answer, not Apache's 404.
        r = self.get("/privacy/request/status")
        self.assert_headers(r, FORM_HEADERS)
        self.assertLess(r.status, 500, r)


def pids_running(program, parent_name=None):
    """Pids of processes running program (a path), optionally only those
    whose parent's command name is parent_name."""
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink("/proc/%s/exe" % pid) != program:
                continue
            with open("/proc/%s/stat" % pid) as f:
                ppid = f.read().rsplit(")", 1)[1].split()[1]
            if parent_name is not None:
                with open("/proc/%s/comm" % ppid) as f:
                    if f.read().strip() != parent_name:
                        continue
            out.append(int(pid))
        except OSError:
            continue
    return out


def program_path(name):
    return os.path.join(T, "usr", "lib", "cgi-bin", "privforms", name + ".fcgi")


class ProxyFcgi(Through, unittest.TestCase):
    HOST = "proxy"

    def test_sockets_are_for_the_web_servers_group_only(self):
        for name in PROGRAMS:
            st = os.stat(os.path.join(T, "run", "privforms", name + ".sock"))
            self.assertEqual(st.st_mode & 0o777, 0o660, name)
            if ROOT:
                self.assertEqual(st.st_gid, pwd.getpwnam(WWW).pw_gid, name)

    def test_cve_2025_23016_records_do_not_take_the_site_down(self):
        # FCGI_PARAMS records whose name and value lengths are both
        # 0x7ffffffe: Debian's libfcgi aborts the worker that reads one;
        # multiwatch, with the options of INSTALL's recipe, starts another
        # every time (its default gives up after 4 quick deaths) and
        # Apache's next request is answered.
        before = set(pids_running(program_path("unsubscribe"), "multiwatch"))
        nv = struct.pack(">II", 0x7ffffffe | 0x80000000, 0x7ffffffe | 0x80000000)
        rec = struct.pack(">BBHHBx", 1, 4, 1, len(nv) + 8, 0) + nv + b"\0" * 8
        sock = os.path.join(T, "run", "privforms", "unsubscribe.sock")
        for _ in range(20):
            try:
                fcgi_request(sock, raw_params=rec, timeout=10)
            except OSError:
                pass
        deadline = time.monotonic() + 60
        while True:
            r = self.get(FORM)
            if r.status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(r.status, 200, r)
        after = set(pids_running(program_path("unsubscribe"), "multiwatch"))
        self.assertTrue(before - after, "no worker died: %s %s" % (before, after))


    def test_a_program_that_cannot_answer_gets_our_50x(self):
        sock = os.path.join(T, "run", "privforms", "unsubscribe.sock")
        os.rename(sock, sock + ".away")
        try:
            r = self.get(FORM)
        finally:
            os.rename(sock + ".away", sock)
        self.assert_ours(r, 503, "Sorry, there is a problem with the service")
        self.assertEqual(self.get(FORM).status, 200)


class Fcgid(Through, unittest.TestCase):
    HOST = "fcgid"

    def test_killed_worker_is_replaced(self):
        # mod_fcgid finds a dead process when it next scans for them
        # (FcgidErrorScanInterval, 3 s); a request sent to it before then
        # gets 500.  Once it is gone, the next request starts another.
        self.assertEqual(self.get(FORM).status, 200)
        program = program_path("unsubscribe")
        pids = pids_running(program, "apache2")
        self.assertTrue(pids, "no mod_fcgid process runs %s" % program)
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not any(os.path.exists("/proc/%d" % p)
                                   for p in pids), "%s reaped" % pids)
        r = self.get(FORM)
        self.assertEqual(r.status, 200, r)
        self.assertFalse(set(pids) & set(pids_running(program, "apache2")))


class Cgi(Through, unittest.TestCase):
    HOST = "cgi"

    def test_each_request_is_a_process_of_its_own(self):
        # Gone once it has answered: the snippet's SetHandler wins over
        # the server's "AddHandler fcgid-script .fcgi" (Debian's).
        program = program_path("unsubscribe")
        before = set(pids_running(program, "apache2"))
        self.assertEqual(self.get(FORM).status, 200)
        wait_until(lambda: not set(pids_running(program, "apache2")) - before,
                   "the request's process to end")


if __name__ == "__main__":
    unittest.main()
