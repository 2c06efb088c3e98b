"""bench.py -- `make bench`: every form's throughput and latency beside two
reference responders, on the disk and on tmpfs, in one run; the consent
decision and the Global Privacy Control signal's record with them; then
the forms on both engines, SQLite and PostgreSQL, durable on the disk with
2, 8 and 32 workers, each beside its engine's minimal store responder.

Environment (all optional):
  BENCH_DIR          data directory on the disk (default ./var/bench)
  BENCH_TMPFS        data directory on tmpfs (default /dev/shm/privforms-bench;
                     "none" skips the tmpfs run)
  BENCH_WORKERS      FastCGI workers per program (default: the core count)
  BENCH_CONNECTIONS  wrk connections (default 8)
  BENCH_SECONDS      seconds flat out per target, split over the rounds (default 9)
  BENCH_ROUNDS       rounds in which every target is measured in turn (default 3)
  BENCH_PORT         nginx port (default: a free one)
  BENCH_SCALE_WORKERS  worker counts of the engines part (default "2 8 32")
  BENCH_SCALE_SECONDS  seconds per target and round there (default 3)
  BENCH_SCALE_ROUNDS   its rounds (default 2)
  BENCH_ONLY         "engines": that part alone (no disk, tmpfs, callgrind
                     or audit parts)
  BENCH_ENGINES      with BENCH_ONLY=engines, its engines (default "sqlite
                     postgresql"; "postgresql" measures a change to the
                     PostgreSQL path in minutes)
  BENCH_AUDIT_*      the audit trail's part, last (audit_day.py)

The site measured has the guard's traps and limits off (GUARD, below):
the bench measures what a submission costs, not how fast the guard refuses
one.  Each form still needs a stamp (guard.h: a form POSTed without one is
shown again, 422), so the bench GETs each form page once per site and
posts its stamp with every submission; a stamp is good for form_max_hours.

Prints a table and writes BENCH_DIR/bench.json.  Exits non-zero if a run
lost writes (fewer rows than successful responses, or rows where nothing
may be stored) or got errors.
"""

import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
from harness import (fcgi_request, free_port, sockets_of,  # noqa: E402
                     unix_listening)
import audit_day  # noqa: E402

BENCH = os.path.join(SRC, "tests", "bench")
PRIVFORMS = os.path.join(SRC, "tools", "privforms")
CORES = os.cpu_count() or 1
WORKERS = int(os.environ.get("BENCH_WORKERS", CORES))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 8))
SECONDS = int(os.environ.get("BENCH_SECONDS", 9))   # flat out, split in rounds
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
LINKS = 200          # one-click links to cycle through
CALLGRIND_REQUESTS = 300
CGI_REQUESTS = 100   # plain-CGI runs per method

# The guard off (etc/privforms.conf.example): no trap for a form sent at
# once, no rate limit, so that wrk's unique submissions from one address are
# all stored.  Feedback mails no visitor, so it has no *_limit_address.
GUARD = {"form_min_seconds": "0", "vote_limit": "off", "consent_limit": "off"}
for _form in ("unsubscribe", "dnc", "request", "feedback"):
    for _limit in ("limit", "limit_nojs") + (("limit_address",) if _form != "feedback" else ()):
        GUARD["%s_%s" % (_form, _limit)] = "off"

# What each target sends (POST unless "method" says otherwise), which
# tables must grow by one per success, which must not change at all, and
# the form page whose stamp (guard.h) goes into the body.
TARGETS = [
    {"name": "null responder", "path": "/bench/null", "body": "email=bench-%s@example.com",
     "tables": []},
    {"name": "store responder", "path": "/bench/store", "body": "email=bench-%s@example.com",
     "tables": ["bench_store"]},
    {"name": "unsubscribe form", "path": "/privacy/unsubscribe",
     "body": "channel=email&email=bench-%s@example.com&reason=bench",
     "tables": ["optout", "audit"], "stamp": "/privacy/unsubscribe"},
    {"name": "do-not-call form", "path": "/privacy/do-not-call",
     "body": "country=US&phone=303%d&first_name=Bench", "tables": ["audit"],
     "stamp": "/privacy/do-not-call"},
    {"name": "data request form", "path": "/privacy/request",
     "body": "type=access&relationship=customer&first_name=Bench&last_name=Mark"
             "&email=bench-%s@example.com&country=DE", "tables": ["request", "audit"],
     "stamp": "/privacy/request"},
    {"name": "feedback form", "path": "/privacy/feedback",
     "body": "type=compliment&rating=great&message=Bench+%s", "tables": ["feedback", "audit"],
     "stamp": "/privacy/feedback"},
    {"name": "article vote", "path": "/privacy/feedback/article",
     "body": "article=kb-%s&helpful=yes", "tables": ["article_vote", "audit"]},
    {"name": "one-click (RFC 8058)", "paths": True, "body": "List-Unsubscribe=One-Click",
     "tables": ["audit"]},
    # Reject all from the consent page without JavaScript: a browser with
    # no decision yet, so each is a new device's first record.
    {"name": "consent decision", "path": "/privacy/consent",
     "body": "choice=reject", "tables": ["consent_record", "audit"],
     "stamp": "/privacy/consent"},
    # The unsubscribe form again, with the GPC signal (program.h): from a
    # browser without a cookie (a new device, so a GPC record in the
    # submission's transaction each time), and from one whose device has
    # today's record already (only the check; the cookie set again).
    {"name": "GPC, new device", "path": "/privacy/unsubscribe",
     "body": "channel=email&email=bench-%s@example.com&reason=bench",
     "headers": {"Sec-GPC": "1"}, "tables": ["optout", "consent_record"],
     "stamp": "/privacy/unsubscribe"},
    {"name": "GPC, recorded today", "path": "/privacy/unsubscribe",
     "body": "channel=email&email=bench-%s@example.com&reason=bench",
     "headers": {"Sec-GPC": "1"}, "recorded": True, "tables": ["optout"],
     "untouched": ["consent_record"], "stamp": "/privacy/unsubscribe"},
    # A proof-of-work challenge is signed, not stored: a GET writes nothing.
    {"name": "pow challenge (GET)", "path": "/privacy/unsubscribe/challenge",
     "method": "GET", "body": "", "tables": [], "untouched": ["audit", "pow_spent"]},
]

# A language other than the default (issue 20): the first shipped
# catalogue (po/*.po), else the pseudo-locale en-XA that every build makes.
# The unsubscribe POST in it (its stamp, taken from the form shown in that
# language, makes the answer that language's) and the data request form's
# GET, each beside the same in English: the cost per request of a
# non-default language is the difference.
_PO = sorted(n[:-3] for n in os.listdir(os.path.join(SRC, "po")) if n.endswith(".po"))
LANG = _PO[0].replace("_", "-") if _PO else "en-XA"
TARGETS += [
    {"name": "unsubscribe in " + LANG, "path": "/privacy/unsubscribe",
     "body": "channel=email&email=bench-%s@example.com&reason=bench",
     "tables": ["optout", "audit"], "stamp": "/privacy/unsubscribe?lang=" + LANG,
     "lang": LANG},
    {"name": "request GET in en", "path": "/privacy/request", "method": "GET",
     "body": "", "tables": [], "untouched": ["audit"], "lang": "en"},
    {"name": "request GET in " + LANG, "path": "/privacy/request?lang=" + LANG,
     "method": "GET", "body": "", "tables": [], "untouched": ["audit"], "lang": LANG},
]

# The value of a page's <input name="pf_stamp">, whatever the attribute order.
STAMP_INPUT = re.compile(r'<input\b[^>]*\bname="pf_stamp"[^>]*>')
STAMP_VALUE = re.compile(r'\bvalue="([A-Za-z0-9_.-]+)"')


def sh(*args, **kw):
    return subprocess.run(list(args), check=True, capture_output=True, text=True, **kw)


class Site:
    """A bench site in directory on port, with workers FastCGI workers per
    program; its data in SQLite (privforms.db there), or in PostgreSQL
    when dsn (a connection string) is given.  /bench/store is the minimal
    store responder of the site's engine."""

    def __init__(self, directory, port, workers=WORKERS, dsn=None):
        self.dir = os.path.abspath(directory)
        self.port = port
        self.nworkers = workers
        self.dsn = dsn
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.conf = os.path.join(self.dir, "privforms.conf")
        self.db = os.path.join(self.dir, "privforms.db")

    def stack_start(self, extra):
        sh("bash", os.path.join(SRC, "tools", "stack.sh"), "start", self.dir,
           str(self.port), str(self.nworkers), env=dict(os.environ, STACK_EXTRA=extra))

    def start(self):
        store = "pgstore-responder" if self.dsn else "store-responder"
        extra = "null=%s store=%s" % (os.path.join(BENCH, "null-responder"),
                                      os.path.join(BENCH, store))
        # The first start writes the configuration (and an SQLite store,
        # which a PostgreSQL site then leaves unused).
        self.stack_start("")
        # The data request form serves only a site that sends mail (its
        # requests are verified by mail): give it a sender, then restart
        # with it.  Nothing drains the outbox while measuring.
        if self.dsn:
            with open(self.conf) as f:
                text = f.read()
            with open(self.conf, "w") as f:
                f.write(re.sub(r"(?m)^database = .*$", "database = " + self.dsn, text))
        with open(self.conf, "a") as f:
            f.write("mail_from = bench <bench@example.com>\n")
            if not _PO:     # the pseudo-locale is offered only where listed
                f.write("languages = en %s\n" % LANG)
            for k, v in GUARD.items():
                f.write("%s = %s\n" % (k, v))
        self.stop()
        self.stack_start(extra)
        # The store responder creates its table on first open; touch it now.
        self.post("/bench/store", "email=warmup@example.com")

    def stop(self):
        subprocess.run(["bash", os.path.join(SRC, "tools", "stack.sh"), "stop", self.dir],
                       check=False, capture_output=True)

    def request(self, method, path, body=None, headers=None, cookie=None):
        """(status, body as text) of one request with headers (may be
        None); cookie: a list that gets its Set-Cookie, if any."""
        import http.client
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = dict(headers or {})
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        text = r.read().decode("utf-8", "replace")
        if cookie is not None and r.getheader("Set-Cookie"):
            cookie.append(r.getheader("Set-Cookie").split(";", 1)[0])
        c.close()
        return r.status, text

    def post(self, path, body):
        return self.request("POST", path, body)[0]

    def stamp(self, page):
        """The stamp of form page (a path): fetched once, then reused."""
        status, text = self.request("GET", page)
        m = STAMP_INPUT.search(text)
        m = m and STAMP_VALUE.search(m.group(0))
        if status != 200 or not m:
            raise SystemExit("bench: GET %s: %d, no pf_stamp in the form" % (page, status))
        return m.group(1)   # token.h: URL-safe as it is

    def targets(self, chosen=TARGETS):
        """chosen (TARGETS by default) with this site's stamps in their
        bodies; self.stamps keeps them by form page."""
        self.stamps, out = {}, []
        for t in chosen:
            t = dict(t)
            if "lang" in t:
                self.in_language(t.get("stamp", t["path"]), t["lang"])
            if "stamp" in t:
                self.stamps[t["stamp"]] = self.stamp(t["stamp"])
                t["body"] += "&pf_stamp=" + self.stamps[t["stamp"]]
            if t.get("recorded"):
                t["headers"] = dict(t["headers"], Cookie=self.recorded(t))
            out.append(t)
        return out

    def in_language(self, page, lang):
        """Stop unless page is served in lang (a row would measure English)."""
        status, text = self.request("GET", page)
        if status != 200 or not re.search(r'<html\b[^>]*\blang="%s"' % lang, text):
            raise SystemExit("bench: GET %s: %d, not in %s" % (page, status, lang))

    def recorded(self, t):
        """The pf_consent cookie of a device that has today's GPC record:
        one submission of t made for it now."""
        cookie = []
        status = self.request("POST", t["path"], t["body"].replace(
            "%s", "gpc-warmup-%d" % time.time()), t["headers"], cookie)[0]
        if status != 303 or not cookie:
            raise SystemExit("bench: POST %s with Sec-GPC: 1: %d, no cookie"
                             % (t["path"], status))
        return cookie[0]

    def rows(self, table):
        if self.dsn:
            return pg_rows(self.dsn, table)
        con = sqlite3.connect(self.db, timeout=30)
        try:
            return con.execute("SELECT count(*) FROM %s" % table).fetchone()[0]
        except sqlite3.OperationalError:
            return 0
        finally:
            con.close()

    def links(self):
        path = os.path.join(self.dir, "links.txt")
        with open(path, "w") as f:
            for i in range(LINKS):
                url = sh(PRIVFORMS, "--config", self.conf, "unsubscribe-link",
                         "--email", "link%d@example.com" % i, "--list", "bench").stdout.strip()
                f.write(url.split("127.0.0.1:%d" % self.port, 1)[1] + "\n")
        return path

    def workers(self, prog):
        """The process ids of prog's workers (the children of its multiwatch)."""
        with open(os.path.join(self.dir, "run", prog + ".pid")) as f:
            parent = f.read().strip()
        return subprocess.run(["pgrep", "-P", parent], capture_output=True,
                              text=True).stdout.split()

    def worker_memory_kb(self):
        """Memory of the largest worker of each program, from smaps_rollup:
        Rss (shared library pages included), Pss (shared pages divided among
        the processes that map them) and Private (what one more worker costs)."""
        out = {}
        for name in os.listdir(os.path.join(self.dir, "run")):
            if not name.endswith(".pid") or name == "nginx.pid":
                continue
            with open(os.path.join(self.dir, "run", name)) as f:
                parent = f.read().strip()
            kids = subprocess.run(["pgrep", "-P", parent], capture_output=True,
                                  text=True).stdout.split()
            best = None
            for k in kids:
                with open("/proc/%s/smaps_rollup" % k) as f:
                    text = f.read()
                field = lambda key: int(re.search(r"^%s:\s+(\d+) kB" % key, text, re.M).group(1))
                m = {"rss": field("Rss"), "pss": field("Pss"),
                     "private": field("Private_Clean") + field("Private_Dirty")}
                if best is None or m["rss"] > best["rss"]:
                    best = m
            out[name[:-4]] = best or {"rss": 0, "pss": 0, "private": 0}
        return out


RUNS = [0]   # wrk runs so far: part of every submitted address, so none repeats


def wrk(site, target, links, delay_ms=0, seconds=SECONDS, connections=CONNECTIONS):
    RUNS[0] += 1
    env = dict(os.environ, BENCH_BODY=target["body"], BENCH_PATH=target.get("path", ""),
               BENCH_METHOD=target.get("method", "POST"),
               BENCH_PATHS=links if target.get("paths") else "",
               BENCH_DELAY=str(delay_ms), BENCH_RUN="%d-%d" % (time.time(), RUNS[0]),
               BENCH_HEADERS="\n".join("%s: %s" % kv for kv in
                                        target.get("headers", {}).items()))
    p = sh("wrk", "-t", str(min(2, connections)), "-c", str(connections),
           "-d", "%ds" % seconds, "-s", os.path.join(BENCH, "post.lua"),
           "http://127.0.0.1:%d" % site.port, env=env)
    res = json.loads(p.stdout.strip().splitlines()[-1])
    errors = sum(res[k] for k in ("connect", "read", "write", "status", "timeout"))
    res["ok"] = res["requests"] - res["status"]
    res["errors"] = errors
    res["rps"] = res["ok"] / (res["duration_us"] / 1e6)
    return res


def program(target):
    """The name of the program (its run/NAME.pid) that answers target."""
    return {"/bench/store": "store", "/bench/null": "null",
            "/privacy/do-not-call": "do-not-call",
            "/privacy/request": "data-request", "/privacy/feedback": "feedback",
            "/privacy/feedback/article": "feedback",
            "/privacy/consent": "consent"}.get(target.get("path", "").split("?")[0],
                                               "unsubscribe")


def cpu_seconds(pids):
    """User and system CPU time so far of the processes pids, in seconds."""
    ticks = 0
    for pid in pids:
        try:
            with open("/proc/%s/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:     # a worker gone: multiwatch restarts it
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def flat_out(site, target, links, seconds, connections=CONNECTIONS):
    """One flat-out measurement (connections at once), with the rows it
    stored checked, and the CPU time its program's workers spent per
    successful request (user and system: what a busy machine's other load
    changes least)."""
    untouched = target.get("untouched", [])
    before = {t: site.rows(t) for t in target["tables"] + untouched}
    workers = site.workers(program(target))
    idle = idle_sockets(site, program(target))
    cpu = cpu_seconds(workers)
    r = wrk(site, target, links, seconds=seconds, connections=connections)
    settle(site, program(target), idle)
    r["cpu_us"] = (cpu_seconds(workers) - cpu) / max(1, r["ok"]) * 1e6
    stored = {t: site.rows(t) - before[t] for t in target["tables"]}
    # A request still in flight when wrk stops may be stored without being
    # counted, so up to one more row per connection than successes is not a loss.
    r["stored"] = stored
    r["lost"] = any(n < r["ok"] or n > r["ok"] + connections for n in stored.values()) or \
        any(site.rows(t) != before[t] for t in untouched)
    return r


def program_socket(site, prog):
    """prog's FastCGI listening socket."""
    return os.path.join(site.dir, "run", prog + ".sock")


def idle_sockets(site, prog):
    """How many sockets bound to prog's socket each of its workers holds
    between requests (its listener), by process id."""
    sock = program_socket(site, prog)
    return {w: max(1, sockets_of(w, sock)) for w in site.workers(prog)}


def settle(site, prog, idle):
    """Wait until the requests wrk left in flight have been answered: none
    queued on prog's socket, none held by one of its workers (idle:
    idle_sockets before the run; a request's connection is one more).
    Counted before that, their rows would land in the next target's count
    (several targets count the audit table; the challenge GET must write
    nothing)."""
    sock = program_socket(site, prog)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if queued(sock) == 0 and all(sockets_of(w, sock) <= n for w, n in idle.items()):
            return
        time.sleep(0.01)
    raise SystemExit("bench: %s still serving 60 s after wrk stopped" % prog)


def queued(sock):
    """Connections waiting to be accepted on listening Unix socket sock
    (ss: a listener's Recv-Q)."""
    out = sh("ss", "-xlnH", "src", sock).stdout.split()
    return int(out[2]) if len(out) > 2 else 0


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


def measure_all(site, links, targets):
    """Every target, ROUNDS times in turn, so that a disk whose speed drifts
    during the run affects every target alike; then each at half its rate.
    Ratios are taken within a round and the median reported."""
    rounds = [[flat_out(site, t, links, max(1, SECONDS // ROUNDS)) for t in targets]
              for _ in range(ROUNDS)]
    results = {}
    for i, t in enumerate(targets):
        runs = [rnd[i] for rnd in rounds]
        rps = median([r["rps"] for r in runs])
        delay = max(1, int(CONNECTIONS / (rps / 2) * 1000 -
                           median([r["mean_us"] for r in runs]) / 1000))
        half = wrk(site, t, links, delay_ms=delay, seconds=max(2, SECONDS // ROUNDS))
        stored = {k: sum(r["stored"][k] for r in runs) for k in t["tables"]}
        results[t["name"]] = {
            "rps": rps, "p50_ms": median([r["p50_us"] for r in runs]) / 1000,
            "p99_ms": median([r["p99_us"] for r in runs]) / 1000,
            "half_rps": half["rps"], "half_p99_ms": half["p99_us"] / 1000,
            "x_null": median([r["rps"] / rnd[0]["rps"] for r, rnd in zip(runs, rounds)]),
            "x_store": median([r["rps"] / rnd[1]["rps"] for r, rnd in zip(runs, rounds)]),
            "cpu_us": median([r["cpu_us"] for r in runs]),
            "ok": sum(r["ok"] for r in runs), "errors": sum(r["errors"] for r in runs) + half["errors"],
            "stored": stored, "lost_writes": any(r["lost"] for r in runs),
            "rounds_rps": [r["rps"] for r in runs]}
        r = results[t["name"]]
        print("  %-22s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  (rounds: %s)" % (
            t["name"], r["rps"], r["p50_ms"], r["p99_ms"],
            " ".join("%.0f" % x for x in r["rounds_rps"])), flush=True)
    return results


def commit_rate(directory, mode):
    db = os.path.join(directory, "commit-rate.db")
    for suffix in ("", "-journal"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    rate = float(sh(os.path.join(BENCH, "commit-rate"), db, mode, "300").stdout)
    for suffix in ("", "-journal"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    return rate


def plain_cgi_ms(site, stamp, n=100):
    """Median wall time of one request to unsubscribe.fcgi run as plain CGI
    (an email unsubscribe), and the mean CPU time (user and system) of one
    such process as times[METHOD + "_cpu"]; stamp: the unsubscribe form's.
    times["start"] and ["start_cpu"]: the same for the null responder run
    the same way (it finds no FastCGI socket and exits), what starting a
    process linked with libfcgi costs on this machine, the floor under
    any plain-CGI request."""
    prog = os.path.join(SRC, "cgi-bin", "unsubscribe.fcgi")
    env = {"PATH": "/usr/bin:/bin", "PRIVFORMS_CONFIG": site.conf, "GATEWAY_INTERFACE": "CGI/1.1",
           "REMOTE_ADDR": "127.0.0.1", "SCRIPT_NAME": "/privacy/unsubscribe"}
    times = {}
    for method in ("GET", "POST", "start"):
        walls = []
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = ru.ru_utime + ru.ru_stime
        for i in range(n):
            t0 = time.perf_counter()
            body = ("channel=email&email=cgi%d-%d@example.com&pf_stamp=%s" % (
                i, time.time(), stamp)).encode()
            e = dict(env, REQUEST_METHOD=method)
            if method == "POST":
                e.update(CONTENT_TYPE="application/x-www-form-urlencoded",
                         CONTENT_LENGTH=str(len(body)))
            if method == "start":
                p = subprocess.run([os.path.join(BENCH, "null-responder")], input=b"",
                                   env=dict(env, REQUEST_METHOD="GET"), capture_output=True)
                assert p.returncode == 0, p.stderr[:200]
            else:
                p = subprocess.run([prog], input=body if method == "POST" else b"", env=e,
                                   capture_output=True)
                assert p.returncode == 0 and (b"Status: 303" in p.stdout or method == "GET"), \
                    p.stdout[:200]
            walls.append(time.perf_counter() - t0)
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        times[method] = median(walls) * 1000
        times[method + "_cpu"] = (ru.ru_utime + ru.ru_stime - cpu) / n * 1000
    return times


def callgrind(site, stamp):
    """Instructions per unsubscribe POST in a warm worker, and the top
    functions; stamp: the unsubscribe form's."""
    params = {"REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded",
              "SCRIPT_NAME": "/privacy/unsubscribe", "REMOTE_ADDR": "127.0.0.1"}
    requests = []
    for i in range(CALLGRIND_REQUESTS):
        body = ("channel=email&email=cg%d@example.com&pf_stamp=%s" % (i, stamp)).encode()
        requests.append((dict(params, CONTENT_LENGTH=str(len(body))), body))
    return callgrind_run(site, "unsubscribe", requests)


def callgrind_languages(site):
    """Instructions per data request GET in a warm worker (its template
    in that language parsed by a first GET), in English and in LANG."""
    out = {}
    for lang in ("en", LANG):
        params = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "/privacy/request",
                  "QUERY_STRING": "lang=" + lang, "REMOTE_ADDR": "127.0.0.1"}
        out[lang] = callgrind_run(site, "data-request", [(params, b"")] * CALLGRIND_REQUESTS,
                                  warm=[(params, b"")])["ir_per_request"]
    return out


def callgrind_run(site, prog, requests, warm=()):
    """Instructions per request of requests ((FastCGI params, body) each)
    to program prog in one worker under callgrind, after warm (not
    counted), and the top functions."""
    out = os.path.join(site.dir, "callgrind.out")
    sock = os.path.join(site.dir, "run", "callgrind.sock")
    env = dict(os.environ, PRIVFORMS_CONFIG=site.conf)
    if os.path.exists(sock):
        os.unlink(sock)
    p = subprocess.Popen(["spawn-fcgi", "-n", "-s", sock, "-M", "0600", "--",
                          shutil.which("valgrind"), "--tool=callgrind", "--collect-atstart=no",
                          "--toggle-collect=serve_one", "--callgrind-out-file=" + out,
                          os.path.join(SRC, "cgi-bin", prog + ".fcgi")],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if unix_listening(sock):
                break
            time.sleep(0.1)
        for params, body in warm:
            fcgi_request(sock, params, body, timeout=60)
        if warm:    # what warming cost is not the requests'
            sh("callgrind_control", "--zero", str(p.pid))
        for params, body in requests:
            fcgi_request(sock, params, body, timeout=60)
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=120)
    ann = sh("callgrind_annotate", "--inclusive=no", out).stdout
    n = len(requests)
    total = int(re.search(r"^([\d,]+) .*PROGRAM TOTALS", ann, re.M).group(1).replace(",", ""))
    top = []
    for line in ann.splitlines():
        m = re.match(r"^\s*([\d,]+) \(\s*([\d.]+)%\)\s+(.*)$", line) or \
            re.match(r"^\s*([\d,]+)\s+(.*)$", line)
        if m and "PROGRAM TOTALS" not in line and ":" in line:
            ir = int(m.group(1).replace(",", ""))
            fn = m.groups()[-1].strip()
            top.append({"function": fn, "ir_per_request": ir // n})
        if len(top) == 12:
            break
    return {"ir_per_request": total // n, "top": top}


def syscalls(site, target, links, n=200):
    """System calls per request of one worker of target's program (strace -c)."""
    prog = program(target)
    workers = site.workers(prog)
    out = os.path.join(site.dir, "strace-%s.txt" % prog)
    tracer = subprocess.Popen(["strace", "-f", "-c", "-o", out] +
                              sum((["-p", w] for w in workers), []),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    paths = open(links).read().split() if target.get("paths") else None
    for i in range(n):
        body = target["body"].replace("%s", "sys%d-%d" % (time.time(), i))
        body = body.replace("%d", "%07d" % (8000000 + i))
        method = target.get("method", "POST")
        site.request(method, paths[i % len(paths)] if paths else target["path"],
                     body if method == "POST" else None, target.get("headers"))
    tracer.send_signal(signal.SIGINT)
    tracer.wait(timeout=30)
    counts = {}
    with open(out) as f:
        for line in f:
            m = re.match(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)$", line)
            if m:
                counts[m.group(2)] = int(m.group(1)) / n
    return {"fsync": counts.get("fdatasync", 0) + counts.get("fsync", 0),
            "pwrite": counts.get("pwrite64", 0) + counts.get("write", 0),
            "all": sum(counts.values())}


def run_site(label, directory, port):
    site = Site(directory, port)
    site.start()
    try:
        links = site.links()
        targets = site.targets()
        results = measure_all(site, links, targets)
        for t in targets[1:]:
            results[t["name"]]["syscalls"] = syscalls(site, t, links)
        rss = site.worker_memory_kb()
        return site, {"label": label, "dir": site.dir, "targets": results, "memory_kb": rss,
                      "commit_rate": commit_rate(site.dir, "truncate")}
    finally:
        site.stop()


def table(run):
    t = run["targets"]
    lines = ["%s  (%s)  raw SQLite commit rate, one process: %.0f/s" % (
        run["label"], run["dir"], run["commit_rate"]),
        "  %-22s %9s %8s %8s %14s %8s %9s %7s  %s" % (
            "target", "req/s", "p50 ms", "p99 ms", "p99 @ half", "x null", "x store",
            "cpu us", "stored")]
    for name, r in t.items():
        stored = ", ".join("%s +%d" % kv for kv in r["stored"].items()) or "-"
        verdict = "LOST WRITES" if r["lost_writes"] else ("errors %d" % r["errors"] if r["errors"] else "ok")
        lines.append("  %-22s %9.0f %8.2f %8.2f %7.2f@%-6.0f %8.2f %9.2f %7.0f  %s (%s)" % (
            name, r["rps"], r["p50_ms"], r["p99_ms"], r["half_p99_ms"], r["half_rps"],
            r["x_null"], r["x_store"], r["cpu_us"], stored, verdict))
    for name, r in t.items():
        if "syscalls" in r:
            lines.append("  %-22s per request: %.1f fsync, %.1f writes, %.1f system calls" % (
                name, r["syscalls"]["fsync"], r["syscalls"]["pwrite"], r["syscalls"]["all"]))
    lines.append("  memory of the largest worker after the run, kB (RSS / PSS / private):")
    for name, m in sorted(run["memory_kb"].items()):
        lines.append("  %-22s %6d / %6d / %6d" % (name, m["rss"], m["pss"], m["private"]))
    return "\n".join(lines)


# The forms a visitor posts, whose throughput is held against the store
# responder's (ARCHITECTURE.md, "Where a submission's time goes").
FORMS = ("unsubscribe form", "do-not-call form", "data request form",
         "feedback form", "article vote", "one-click (RFC 8058)")


def summary(runs, cgi):
    """The lines that say where privforms stands against its aims: each
    form at 0.8 of the store responder or more, a plain-CGI request under
    5 ms.  Measured and printed, never asserted: they depend on the machine
    and on what else it runs."""
    lines = []
    for r in runs:
        x = {n: r["targets"][n]["x_store"] for n in FORMS}
        lines.append("%s: forms x store %s; lowest %.2f (aim: 0.8 or more)" % (
            r["label"], ", ".join("%s %.2f" % (n.split()[0], v) for n, v in x.items()),
            min(x.values())))
    for r in runs:
        t = r["targets"]
        base = t["unsubscribe form"]
        lines.append("%s: consent decision %.0f req/s, x store %.2f, %.0f cpu us; "
                     "the GPC signal on the unsubscribe form: new device %.0f req/s "
                     "(%+.0f cpu us), recorded today %.0f req/s (%+.0f cpu us)" % (
                         r["label"], t["consent decision"]["rps"],
                         t["consent decision"]["x_store"], t["consent decision"]["cpu_us"],
                         t["GPC, new device"]["rps"],
                         t["GPC, new device"]["cpu_us"] - base["cpu_us"],
                         t["GPC, recorded today"]["rps"],
                         t["GPC, recorded today"]["cpu_us"] - base["cpu_us"]))
    for r in runs:
        t = r["targets"]
        pairs = (("unsubscribe form", "unsubscribe in " + LANG),
                 ("request GET in en", "request GET in " + LANG))
        lines.append("%s: in %s beside English (aim: no measurable cost): %s" % (
            r["label"], LANG, "; ".join(
                "%s %.0f vs %.0f req/s, %+.0f cpu us, p50 %+.2f ms" % (
                    b.rsplit(" in ", 1)[0], t[b]["rps"], t[a]["rps"],
                    t[b]["cpu_us"] - t[a]["cpu_us"], t[b]["p50_ms"] - t[a]["p50_ms"])
                for a, b in pairs)))
    lines.append("plain CGI unsubscribe: GET %.2f ms, POST %.2f ms (aim: under 5 ms); "
                 "a process start here (the null responder as plain CGI) %.2f ms" % (
                     cgi["GET"], cgi["POST"], cgi["start"]))
    return "\n".join(lines)


# ---- Both engines, durable on the disk (issue 21, item 7) ----
#
# Each form and the minimal store responder of each engine, with
# SCALE_WORKERS workers per program (and twice as many connections, so
# that every worker has a request waiting), on the disk: SQLite in its
# rollback journal with synchronous=FULL, PostgreSQL from tools/pgtest.sh
# with fsync on and synchronous_commit on.  PostgreSQL's figures are held
# against the SQLite rollback ceiling (commit-rate's single-process rate)
# measured on the same disk next to them (before and after each worker
# count's sites).

SCALE_WORKERS = [int(w) for w in os.environ.get("BENCH_SCALE_WORKERS", "2 8 32").split()]
SCALE_SECONDS = int(os.environ.get("BENCH_SCALE_SECONDS", max(1, SECONDS // ROUNDS)))
SCALE_ROUNDS = int(os.environ.get("BENCH_SCALE_ROUNDS", 2))
SCALE_TARGETS = ("store responder",) + FORMS
ENGINES = ("sqlite", "postgresql")
REFERENCE = {"sqlite": "store responder", "postgresql": "libpq store responder"}
PG_BIN = "/usr/lib/postgresql/15/bin"
PG_SAMPLE_S = 0.02     # how often the wait events are sampled


def pg_connect(dsn):
    import psycopg2
    con = psycopg2.connect(dsn)
    con.autocommit = True
    return con


def pg_rows(dsn, table):
    """Rows in table of the database dsn names (0 if there is no such table)."""
    import psycopg2
    con = pg_connect(dsn)
    try:
        cur = con.cursor()
        cur.execute("SELECT count(*) FROM %s" % table)
        return cur.fetchone()[0]
    except psycopg2.errors.UndefinedTable:
        return 0
    finally:
        con.close()


class PgServer:
    """The bench's PostgreSQL: tools/pgtest.sh's private server in
    directory (on the disk) with fsync on; pg_stat_statements loaded, WAL
    syncs timed, and connections enough for every pool of the largest
    site (six programs and the two references, one connection per worker)."""

    def __init__(self, directory, max_workers):
        self.dir = os.path.abspath(directory)
        self.pgtest("stop")
        shutil.rmtree(self.dir, ignore_errors=True)
        self.pgtest("start", "fsync")
        for setting in ("max_connections = %d" % (10 * max_workers + 20),
                        "shared_preload_libraries = 'pg_stat_statements'",
                        "track_wal_io_timing = on"):
            self.sql("ALTER SYSTEM SET " + setting)
        self.pgtest("stop")
        self.pgtest("start", "fsync")
        self.sql("CREATE EXTENSION pg_stat_statements")
        self.settings = {k: self.sql("SHOW " + k)[0][0] for k in (
            "server_version", "fsync", "synchronous_commit", "wal_sync_method",
            "shared_buffers", "max_connections")}
        if self.settings["fsync"] != "on" or self.settings["synchronous_commit"] != "on":
            raise SystemExit("bench: PostgreSQL is not durable: %s" % self.settings)

    def pgtest(self, *args):
        sh("sh", os.path.join(SRC, "tools", "pgtest.sh"), args[0], self.dir, *args[1:])

    def dsn(self, name):
        return "postgresql:///%s?host=%s&user=postgres" % (name, self.dir)

    def sql(self, text, args=None):
        """Rows of text run in the postgres database (none for a command)."""
        con = pg_connect(self.dsn("postgres"))
        try:
            cur = con.cursor()
            cur.execute(text, args)
            return cur.fetchall() if cur.description else []
        finally:
            con.close()

    def createdb(self, name):
        self.sql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
        self.sql("CREATE DATABASE %s" % name)
        return self.dsn(name)

    def wal(self):
        """pg_stat_wal's WAL syncs (every fsync of the WAL, group commit's
        included) and their time in ms so far."""
        return self.sql("SELECT wal_sync, wal_sync_time FROM pg_stat_wal")[0]

    def processes(self):
        """The server's processes: the postmaster and its children."""
        with open(os.path.join(self.dir, "data", "postmaster.pid")) as f:
            parent = f.readline().strip()
        return [parent] + subprocess.run(["pgrep", "-P", parent], capture_output=True,
                                         text=True).stdout.split()

    def statements(self, db):
        """Database db's statements since the last reset, those that took
        the most server time first: (calls, total ms, text) each."""
        return self.sql("SELECT calls, total_exec_time, left(regexp_replace(query, "
                        "'\\s+', ' ', 'g'), 90) FROM pg_stat_statements WHERE dbid = "
                        "(SELECT oid FROM pg_database WHERE datname = %s) "
                        "ORDER BY total_exec_time DESC", (db,))

    def stop(self):
        self.pgtest("stop")


class WaitSampler:
    """What the database's busy client backends are doing, sampled every
    PG_SAMPLE_S while a measurement runs: how many are busy on average
    ("busy"), and the share of their samples in each state and wait event
    (CPU when active and waiting for nothing; "idle in transaction" is a
    backend waiting on its worker mid-transaction).  Idle backends are
    left out: every pool of the site holds connections, one is measured."""

    def __init__(self, server, db):
        import threading
        self.con = pg_connect(server.dsn("postgres"))
        self.db, self.counts, self.stopped = db, {}, threading.Event()
        self.thread = threading.Thread(target=self.loop)
        self.thread.start()

    def loop(self):
        cur = self.con.cursor()
        self.samples = 0
        while not self.stopped.wait(PG_SAMPLE_S):
            self.samples += 1
            cur.execute("SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                        "WHERE datname = %s AND backend_type = 'client backend' "
                        "AND state <> 'idle'", (self.db,))
            for state, kind, event in cur.fetchall():
                key = "%s %s" % (state, "%s:%s" % (kind, event) if kind else "CPU")
                self.counts[key] = self.counts.get(key, 0) + 1

    def stop(self):
        self.stopped.set()
        self.thread.join()
        self.con.close()
        total = sum(self.counts.values()) or 1
        out = {"busy": total / max(1, self.samples)}
        out.update((k, v / total) for k, v in sorted(self.counts.items(), key=lambda kv: -kv[1]))
        return out


def scale_one(site, target, links, connections, server, db):
    """flat_out, and on PostgreSQL what the server did meanwhile: WAL
    syncs per submission and their mean time, the server's CPU time per
    submission, its wait events and its costliest statements."""
    if server is None:
        return flat_out(site, target, links, SCALE_SECONDS, connections)
    server.sql("SELECT pg_stat_statements_reset()")
    procs = server.processes()
    wal0, cpu0 = server.wal(), cpu_seconds(procs)
    sampler = WaitSampler(server, db)
    try:
        r = flat_out(site, target, links, SCALE_SECONDS, connections)
    finally:
        r_waits = sampler.stop()
    wal1, cpu1 = server.wal(), cpu_seconds(procs)
    syncs = wal1[0] - wal0[0]
    r.update(fsync=syncs / max(1, r["ok"]),
             wal_sync_ms=(wal1[1] - wal0[1]) / max(1, syncs),
             server_cpu_us=(cpu1 - cpu0) / max(1, r["ok"]) * 1e6,
             waits=r_waits)
    stmts = server.statements(db)
    r.update(statements=stmts[:12],
             calls=sum(s[0] for s in stmts) / max(1, r["ok"]),
             statement_ms=sum(s[1] for s in stmts) / max(1, r["ok"]))
    return r


def scale_site(engine, workers, directory, port, server):
    """Every SCALE_TARGETS target on a new site of engine with workers
    workers per program, SCALE_ROUNDS times in turn; the medians, each
    target's ratio to the engine's store responder within a round, and
    (SQLite) the fsyncs per submission from strace."""
    db = "bench%d" % workers
    dsn = server.createdb(db) if server else None
    site = Site(os.path.join(directory, "%s-%d" % (engine, workers)), port, workers, dsn)
    site.start()
    try:
        links = site.links()
        targets = site.targets([t for t in TARGETS if t["name"] in SCALE_TARGETS])
        conns = max(CONNECTIONS, 2 * workers)
        # Every worker warmed first (its first request loads what it
        # needs: 32 cold workers of a 1 s round would measure loading).
        for t in targets:
            idle = idle_sockets(site, program(t))
            wrk(site, t, links, seconds=1, connections=conns)
            settle(site, program(t), idle)
        rounds = [[scale_one(site, t, links, conns, server, db) for t in targets]
                  for _ in range(SCALE_ROUNDS)]
        out = {}
        for i, t in enumerate(targets):
            runs = [rnd[i] for rnd in rounds]
            name = REFERENCE[engine] if i == 0 else t["name"]
            r = runs[len(runs) // 2]     # the waits and statements of one round
            out[name] = {
                "rps": median([x["rps"] for x in runs]),
                "p99_ms": median([x["p99_us"] for x in runs]) / 1000,
                "x_ref": median([x["rps"] / rnd[0]["rps"] for x, rnd in zip(runs, rounds)]),
                "cpu_us": median([x["cpu_us"] for x in runs]),
                "ok": sum(x["ok"] for x in runs),
                "errors": sum(x["errors"] for x in runs),
                "lost_writes": any(x["lost"] for x in runs),
                "rounds_rps": [x["rps"] for x in runs]}
            if server:
                out[name].update(
                    fsync=median([x["fsync"] for x in runs]),
                    wal_sync_ms=median([x["wal_sync_ms"] for x in runs]),
                    server_cpu_us=median([x["server_cpu_us"] for x in runs]),
                    calls=median([x["calls"] for x in runs]),
                    statement_ms=median([x["statement_ms"] for x in runs]),
                    waits=r["waits"], statements=r["statements"])
            elif workers == SCALE_WORKERS[0]:
                # A commit of SQLite's costs the same fsyncs whoever waits
                # for the lock: counted once, at the fewest workers.
                out[name]["fsync"] = syscalls(site, t, links, 100)["fsync"]
            print("  %-10s %2d workers  %-22s %7.0f req/s  p99 %7.2f ms  x ref %.2f" % (
                engine, workers, name, out[name]["rps"], out[name]["p99_ms"],
                out[name]["x_ref"]), flush=True)
        return site, out
    finally:
        site.stop()


def ceiling(directory):
    """The SQLite rollback ceiling on this disk: commit-rate's single
    process, journal truncate, synchronous=FULL; the median of three."""
    return median([commit_rate(directory, "truncate") for _ in range(3)])


def run_engines(directory, port):
    """The engines section: (its report, the last PostgreSQL site, whose
    database the server still holds, and the server, to stop)."""
    os.makedirs(directory, exist_ok=True)
    server = PgServer(os.path.join(directory, "pg"), max(SCALE_WORKERS))
    try:
        return engines_measured(directory, port, server) + (server,)
    except BaseException:
        server.stop()
        raise


def engines_measured(directory, port, server):
    """run_engines's measurements, on server: (the report, the first
    PostgreSQL site)."""
    report = {"dir": directory, "postgresql": server.settings, "workers": SCALE_WORKERS,
              "seconds": SCALE_SECONDS, "rounds": SCALE_ROUNDS, "results": {}}
    # The ceiling before and after each worker count's sites: a shared
    # disk's speed drifts, and each figure is held against its own.
    points, pg_site = [ceiling(directory)], None
    for workers in SCALE_WORKERS:
        for engine in ENGINES:
            site, out = scale_site(engine, workers, directory, port,
                                   server if engine == "postgresql" else None)
            report["results"].setdefault(engine, {})[str(workers)] = out
            if engine == "postgresql" and pg_site is None:
                pg_site = site
        points.append(ceiling(directory))
        for out in (report["results"][e][str(workers)] for e in ENGINES):
            for r in out.values():
                r["x_ceiling"] = r["rps"] / ((points[-2] + points[-1]) / 2)
    report["ceilings"] = points
    for workers, out in report["results"].get("sqlite", {}).items():
        for name, r in out.items():
            r.setdefault("fsync", report["results"]["sqlite"][str(SCALE_WORKERS[0])][name]["fsync"])
    return report, pg_site


def engines_table(rep):
    """The engines section's table and the lines that hold it against the aims."""
    s = rep["postgresql"]
    lines = ["both engines, durable on the disk (%s): SQLite %s, journal truncate, synchronous "
             "FULL; PostgreSQL %s, fsync %s, synchronous_commit %s, wal_sync_method %s; "
             "wrk connections: twice the workers, %d at least; %d rounds of %d s" % (
                 rep["dir"], sqlite3.sqlite_version, s["server_version"].split()[0], s["fsync"],
                 s["synchronous_commit"], s["wal_sync_method"], CONNECTIONS, rep["rounds"],
                 rep["seconds"]),
             "SQLite rollback ceiling (commit-rate, one process, on this disk), before "
             "and after each worker count's sites (x ceiling: the mean of the two): %s /s" % (
                 ", ".join("%.0f" % c for c in rep["ceilings"])),
             "  %-10s %7s  %-22s %9s %8s %7s %7s %9s %7s %9s  %s" % (
                 "engine", "workers", "target", "req/s", "p99 ms", "fsync", "x ref",
                 "x ceiling", "cpu us", "server us", "stored")]
    for engine in ENGINES:
        for workers, out in rep["results"][engine].items():
            for name, r in out.items():
                verdict = "LOST WRITES" if r["lost_writes"] else (
                    "errors %d" % r["errors"] if r["errors"] else "ok")
                lines.append("  %-10s %7s  %-22s %9.0f %8.2f %7.2f %7.2f %9.2f %7.0f %9s  %s" % (
                    engine, workers, name, r["rps"], r["p99_ms"], r["fsync"], r["x_ref"],
                    r["x_ceiling"], r["cpu_us"],
                    "%.0f" % r["server_cpu_us"] if "server_cpu_us" in r else "-", verdict))
    return "\n".join(lines)


def engines_summary(rep):
    """Where each engine stands against issue 21's aims, and where
    PostgreSQL's time goes.  Printed, never asserted."""
    lines = []
    if "postgresql" not in rep["results"]:
        return ""
    for workers, out in rep["results"]["postgresql"].items():
        forms = {n: out[n] for n in FORMS}
        lines.append("PostgreSQL, %s workers: forms x the SQLite ceiling %s; lowest %.2f "
                     "(aim: 5 or more); x the libpq responder %s; lowest %.2f (aim: 0.8 or more)" % (
                         workers, ", ".join("%s %.2f" % (n.split()[0], r["x_ceiling"])
                                            for n, r in forms.items()),
                         min(r["x_ceiling"] for r in forms.values()),
                         ", ".join("%s %.2f" % (n.split()[0], r["x_ref"]) for n, r in forms.items()),
                         min(r["x_ref"] for r in forms.values())))
    top = str(max(SCALE_WORKERS))
    lines.append("where PostgreSQL's time goes at %s workers (WAL syncs per submission, "
                 "mean ms per sync; statements per submission and their server time; "
                 "client backends busy on average, and the share of their samples in "
                 "each state; the costliest "
                 "statements, calls and total ms):" % top)
    for name, r in rep["results"]["postgresql"][top].items():
        waits = dict(r["waits"])
        busy = waits.pop("busy")
        lines.append("  %-22s %.2f syncs of %.2f ms; %.1f statements, %.2f ms; %.1f busy: %s" % (
            name, r["fsync"], r["wal_sync_ms"], r["calls"], r["statement_ms"], busy, ", ".join(
                "%s %.0f%%" % (k, v * 100) for k, v in list(waits.items())[:4])))
        for calls, ms, text in r["statements"][:3]:
            lines.append("      %6d calls %8.0f ms  %s" % (calls, ms, text))
    return "\n".join(lines)


def engines_bad(engines):
    """The targets of the engines part that lost writes or got errors."""
    return [("%s, %s workers" % (e, w), n) for e, ws in engines["results"].items()
            for w, out in ws.items() for n, t in out.items() if t["lost_writes"] or t["errors"]]


def main_engines(disk, port):
    """BENCH_ONLY=engines: the engines part alone (BENCH_ENGINES's), its
    table and summary."""
    global ENGINES
    ENGINES = tuple(os.environ.get("BENCH_ENGINES", " ".join(ENGINES)).split())
    engines, pg_site, server = run_engines(os.path.join(disk, "engines"), port)
    server.stop()
    print()
    print(engines_table(engines))
    print()
    print(engines_summary(engines))
    path = os.path.join(disk, "bench-engines.json")
    with open(path, "w") as f:
        json.dump(engines, f, indent=2)
    print("\nwritten: %s" % path)
    if engines_bad(engines):
        print("FAILED: lost writes or errors in %s" % engines_bad(engines), file=sys.stderr)
        return 1
    return 0


def main():
    disk = os.environ.get("BENCH_DIR", os.path.join(SRC, "var", "bench"))
    tmpfs = os.environ.get("BENCH_TMPFS", "/dev/shm/privforms-bench")
    port = int(os.environ.get("BENCH_PORT", free_port()))
    if os.environ.get("BENCH_ONLY") == "engines":
        return main_engines(disk, port)
    print("privforms bench: %d cores, SQLite %s (journal truncate, synchronous FULL), "
          "%d workers per program, %d connections, %d rounds of %d s per target" % (
              CORES, sqlite3.sqlite_version, WORKERS, CONNECTIONS, ROUNDS, max(1, SECONDS // ROUNDS)), flush=True)
    runs = []
    print("disk:", flush=True)
    site, r = run_site("disk", disk, port)
    runs.append(r)
    if tmpfs != "none":
        print("tmpfs:", flush=True)
        runs.append(run_site("tmpfs", tmpfs, port)[1])
    print("both engines, durable on the disk:", flush=True)
    engines, pg_site, server = run_engines(os.path.join(disk, "engines"), port)
    try:
        cg_pg = callgrind(pg_site, pg_site.stamps["/privacy/unsubscribe"])
    finally:
        server.stop()
    # Plain CGI and instruction counts, on the disk site's data (restarted).
    stamp = site.stamps["/privacy/unsubscribe"]
    cgi = plain_cgi_ms(site, stamp, CGI_REQUESTS)
    cg = callgrind(site, stamp)
    cg_lang = callgrind_languages(site)
    report = {"cores": CORES, "sqlite": sqlite3.sqlite_version, "journal_mode": "truncate",
              "synchronous": "FULL", "workers": WORKERS, "connections": CONNECTIONS,
              "seconds": SECONDS, "rounds": ROUNDS, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "runs": runs, "plain_cgi_ms": cgi, "callgrind": cg,
              "callgrind_request_get": cg_lang, "engines": engines,
              "callgrind_postgresql": cg_pg}
    print()
    for r in runs:
        print(table(r))
        print()
    print("plain CGI (process start included), median of %d: GET %.2f ms (CPU %.2f ms), "
          "POST %.2f ms (CPU %.2f ms) per request; the null responder's start %.2f ms "
          "(CPU %.2f ms)" % (CGI_REQUESTS, cgi["GET"], cgi["GET_cpu"], cgi["POST"],
                             cgi["POST_cpu"], cgi["start"], cgi["start_cpu"]))
    print("instructions per unsubscribe POST (callgrind, warm worker): %d" % cg["ir_per_request"])
    for f in cg["top"]:
        print("  %10d  %s" % (f["ir_per_request"], f["function"]))
    print("instructions per unsubscribe POST on PostgreSQL (callgrind, warm worker): %d" %
          cg_pg["ir_per_request"])
    for f in cg_pg["top"]:
        print("  %10d  %s" % (f["ir_per_request"], f["function"]))
    print("instructions per data request GET (callgrind, warm worker): en %d, %s %d (%+.1f %%)" % (
        cg_lang["en"], LANG, cg_lang[LANG], (cg_lang[LANG] / cg_lang["en"] - 1) * 100))
    print()
    print(summary(runs, cgi))
    print()
    print(engines_table(engines))
    print()
    print(engines_summary(engines))
    print()
    report["audit"] = audit_day.run(disk)
    path = os.path.join(disk, "bench.json")
    with open(path, "w") as f:
        json.dump(report, f, indent=2)
    print("\nwritten: %s" % path)
    bad = [(r["label"], n) for r in runs for n, t in r["targets"].items()
           if t["lost_writes"] or t["errors"]]
    bad += engines_bad(engines)
    if bad:
        print("FAILED: lost writes or errors in %s" % bad, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
