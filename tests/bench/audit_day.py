"""audit_day.py -- the audit part of `make bench`: a generated day of audit
records, and how fast `privforms audit verify` and AUDIT.md's stock-tools
procedure check it.

A busy day is a million records; making them through the forms would take
hours, so they are generated here: rows in the site's database (one
transaction) and files in AUDIT_DIR/YYYY-MM-DD/, byte for byte what
privforms writes (lib/audit.c: the declaration, the canonical record with
its <digest> added, a newline; the digest is SHA-256 of the canonical
record without <digest>, and each record's <prev> is the digest before it).
A generator that drifted from privforms would measure nothing, so first
one record made by the library itself (tests/bench/audit-record, through
pf_audit_append as the forms make theirs) must equal the generator's for
the same values, and `privforms audit verify` must pass on a small
generated trail; the timed run on the day must pass too.

Environment (all optional):
  BENCH_AUDIT_RECORDS  records in the day (default 1000000; 0 skips this part)
  BENCH_AUDIT_DIR      where the generated site goes, as audit-day/
                       (default BENCH_DIR); a day already generated there
                       with the same count is reused (about 5 GB a million)
  BENCH_AUDIT_STOCK    records the stock-tools procedure is given (default:
                       the whole day): the first ones of the day, linked
                       into a day directory of their own
  BENCH_AUDIT_STOCK_SECONDS  time limit of the procedure (default 300, the
                       issue's aim for a whole day): past it, it is stopped
                       and its rate is that of the records it had checked
                       (those before the file it was reading)

Run alone: python3 tests/bench/audit_day.py (after make all
tests/bench/audit-record).
"""

import hashlib
import os
import pwd
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PRIVFORMS = os.path.join(SRC, "tools", "privforms")
XSD = os.path.join(SRC, "etc", "audit.xsd")
XSL = os.path.join(SRC, "etc", "audit-unsealed.xsl")
DAY = "2026-11-24"
NS = "urn:privforms:audit:1"
DECL = b'<?xml version="1.0" encoding="UTF-8"?>\n'
ZERO = "0" * 64
FORMAT = 1           # of the generated day: one made by another is made again

# What the day holds, in turn: (event, form, request?, subject?, details).
# Shaped as the forms' records (AUDIT.md's event table).
KINDS = [
    ("unsubscribed", "unsubscribe", True, True,
     [("channel", "email"), ("list", "news"), ("source", "form"), ("confirmation", "requested")]),
    ("dnc-registered", "do-not-call", True, True, [("country", "US"), ("confirmation", "none")]),
    ("mail-sent", "mail", False, True,
     [("template", "unsubscribe-confirmation"), ("attempts", "1"), ("smtp", "250")]),
    ("article-voted", "feedback", True, False,
     [("article", "kb-1234"), ("helpful", "yes"), ("counted", "new")]),
    ("feedback-received", "feedback", True, False,
     [("feedback", "4711"), ("type", "compliment"), ("rating", "great")]),
]


def canonical(seq, when, kind, i, prev):
    """The canonical form (C14N) of record seq without its <digest>: what
    lib/audit.c digests.  Every value is ASCII with nothing to escape."""
    event, form, request, subject, details = kind
    parts = ['<record xmlns="%s" version="1"><seq>%d</seq><time>%s</time>'
             '<event>%s</event><form>%s</form>' % (NS, seq, when, event, form)]
    if request:
        parts.append("<request>%032x</request>" % (i * 2654435761 % (1 << 128)))
    if subject:
        parts.append("<subject>%s</subject>" % hashlib.sha256(b"s%d" % (i % 50000)).hexdigest())
    for name, value in details:
        parts.append('<detail name="%s">%s</detail>' % (name, value))
    parts.append("<prev>%s</prev></record>" % prev)
    return "".join(parts).encode()


def sealed(canon):
    """(digest, file bytes) of a canonical record, as lib/audit.c seals it."""
    digest = hashlib.sha256(canon).hexdigest()
    body = canon[:-len(b"</record>")]
    return digest, DECL + body + b"<digest>" + digest.encode() + b"</digest></record>\n"


def time_of(i, n):
    """Record i's time (0-based) of n spread over the day, microseconds."""
    us = i * (86400 * 10**6 - 1) // max(1, n)
    s, us = divmod(us, 10**6)
    return "%sT%02d:%02d:%02d.%06dZ" % (DAY, s // 3600, s // 60 % 60, s % 60, us)


def write_config(site):
    os.makedirs(site, exist_ok=True)
    conf = os.path.join(site, "privforms.conf")
    with open(conf, "w") as f:
        f.write("base_url = http://127.0.0.1:1\nprefix = /privacy\n"
                "database = privforms.db\nkey_file = secret.key\naudit_dir = audit\n"
                "audit_signing_key = audit-signing.key\n"
                "site_dir = site\ntemplates = %s/htdocs\nlaws_file = %s/etc/privacy-laws.tsv\n"
                "audit_schema = %s\n" % (SRC, SRC, XSD))
    return conf


def privforms(conf, *args, check=True):
    return subprocess.run([PRIVFORMS, "--config", conf] + list(args), check=check,
                          capture_output=True, text=True)


def generate(site, n):
    """A fresh site in site with n generated records, all on DAY."""
    shutil.rmtree(site, ignore_errors=True)
    conf = write_config(site)
    privforms(conf, "init", "--user", pwd.getpwuid(os.getuid()).pw_name)
    day = os.path.join(site, "audit", DAY)
    os.makedirs(day, exist_ok=True)
    con = sqlite3.connect(os.path.join(site, "privforms.db"))
    prev = ZERO
    with con:
        rows = []
        for i in range(n):
            seq, when, kind = i + 1, time_of(i, n), KINDS[i % len(KINDS)]
            digest, xml = sealed(canonical(seq, when, kind, i, prev))
            rows.append((seq, when, kind[0], kind[1], prev, digest, xml))
            with open(os.path.join(day, "%012d.xml" % seq), "wb") as f:
                f.write(xml)
            prev = digest
            if len(rows) == 10000:
                con.executemany("INSERT INTO audit (seq, time, event, form, prev, digest, xml) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                rows = []
        con.executemany("INSERT INTO audit (seq, time, event, form, prev, digest, xml) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    con.close()
    return conf


def same_as_privforms(tmp):
    """Record 1 as privforms makes it (tests/bench/audit-record: the
    library's pf_audit_append, as the forms call it) against this
    generator's bytes for the same values.  Raises if they differ."""
    conf = write_config(tmp)
    privforms(conf, "init", "--user", pwd.getpwuid(os.getuid()).pw_name)
    db = os.path.join(tmp, "privforms.db")
    kind = KINDS[0]
    want = canonical(1, "TIME", kind, 0, ZERO).decode()
    request = want.split("<request>", 1)[1][:32]
    subject = want.split("<subject>", 1)[1][:64]
    r = subprocess.run([os.path.join(SRC, "tests", "bench", "audit-record"), db, kind[0],
                        kind[1], request, subject] + [v for d in kind[4] for v in d],
                       capture_output=True)
    if r.returncode != 0:
        raise SystemExit("bench: audit-record: %s" % r.stderr.decode(errors="replace"))
    con = sqlite3.connect(db)
    when, xml = con.execute("SELECT time, xml FROM audit WHERE seq = 1").fetchone()
    con.close()
    made = sealed(canonical(1, when, kind, 0, ZERO))[1]
    if made != r.stdout or made != bytes(xml):
        raise SystemExit("bench: the generator's record differs from privforms':\n%r\n%r" % (
            made, r.stdout))


def verify_rate(conf, n):
    """Seconds, records/s and CPU seconds (user and system, every thread)
    of `privforms audit verify` on the trail of n records."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    r = privforms(conf, "audit", "verify", check=False)
    secs = time.monotonic() - t0
    ru2 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit("bench: audit verify fails on the generated day:\n%s" % r.stderr[-2000:])
    cpu = ru2.ru_utime + ru2.ru_stime - ru.ru_utime - ru.ru_stime
    return secs, n / secs, cpu


def procedure(tmp):
    """AUDIT.md's verify-day block, as tests/integration/test_audit.py
    extracts it, into a file; its path."""
    with open(os.path.join(SRC, "AUDIT.md")) as f:
        m = re.search(r"^```sh verify-day\n(.*?)^```", f.read(), re.S | re.M)
    if not m:
        raise SystemExit("bench: AUDIT.md has no ```sh verify-day block")
    path = os.path.join(tmp, "verify-day")
    with open(path, "w") as f:
        f.write(m.group(1))
    return path


def reading(sid, day):
    """The highest record number among the day's files named in the
    arguments of the processes of session sid now (which record the
    procedure has reached), or 0."""
    best = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                if int(f.read().rsplit(")", 1)[1].split()[3]) != sid:
                    continue
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                args = f.read().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue     # gone meanwhile
        for a in args:
            name = os.path.basename(a.decode(errors="replace"))
            if a.startswith(day.encode()) and name.endswith(".xml") and name[:12].isdigit():
                best = max(best, int(name[:12]))
    return best


def stock_day(site, n):
    """The day's directory holding its first n records: the day itself, or
    a directory of links to them beside it."""
    day = os.path.join(site, "audit", DAY)
    if n >= total_records(site):
        return day
    part = os.path.join(site, "stock-part", DAY)
    shutil.rmtree(os.path.dirname(part), ignore_errors=True)
    os.makedirs(part)
    for seq in range(1, n + 1):
        name = "%012d.xml" % seq
        os.link(os.path.join(day, name), os.path.join(part, name))
    return part


def stock_rate(site, n, limit, tmp):
    """Seconds and records/s of the procedure on the first n records of the
    day: (secs, rate, checked, finished).  Past limit seconds it is
    stopped, and the records it had checked are those before the file it
    was reading (sampled from its processes' arguments)."""
    day = stock_day(site, n)
    script = procedure(tmp)
    t0 = time.monotonic()
    p = subprocess.Popen(["sh", script, day, XSD, XSL], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    seen = 0
    while p.poll() is None and time.monotonic() - t0 < limit:
        seen = max(seen, reading(p.pid, day))
        time.sleep(0.2)
    secs = time.monotonic() - t0
    finished = p.poll() is not None
    if not finished:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait()
        checked = max(0, seen - 1)
    else:
        out = p.stdout.read().decode(errors="replace")
        if p.returncode != 0:
            raise SystemExit("bench: the stock-tools procedure fails on the day:\n%s" % out[-2000:])
        checked = n
    p.stdout.close()
    shutil.rmtree(os.path.join(site, "stock-part"), ignore_errors=True)
    return secs, checked / secs if secs > 0 else 0.0, checked, finished


def total_records(site):
    con = sqlite3.connect(os.path.join(site, "privforms.db"))
    try:
        return con.execute("SELECT count(*) FROM audit").fetchone()[0]
    finally:
        con.close()


def site_for(base, n):
    """The site with a generated day of n records, made unless there."""
    site = os.path.join(base, "audit-day")
    mark = os.path.join(site, "generated")
    conf = os.path.join(site, "privforms.conf")
    want = "%d records, format %d" % (n, FORMAT)
    if os.path.exists(mark) and open(mark).read().strip() == want:
        return site, conf, False
    conf = generate(site, n)
    with open(mark, "w") as f:
        f.write(want + "\n")
    return site, conf, True


def run(base):
    """Generate (or reuse) the day, time both checks; a dict of figures,
    or None when BENCH_AUDIT_RECORDS is 0."""
    n = int(os.environ.get("BENCH_AUDIT_RECORDS", 1000000))
    if n <= 0:
        return None
    base = os.environ.get("BENCH_AUDIT_DIR", base)
    stock_n = min(n, int(os.environ.get("BENCH_AUDIT_STOCK", n)))
    limit = float(os.environ.get("BENCH_AUDIT_STOCK_SECONDS", 300))
    tmp = tempfile.mkdtemp(prefix="privforms-audit-bench-")
    try:
        same_as_privforms(os.path.join(tmp, "one"))
        small = os.path.join(tmp, "small")
        verify_rate(generate(small, 600), 600)   # the generator as privforms reads it
        t0 = time.monotonic()
        site, conf, made = site_for(base, n)
        gen = time.monotonic() - t0
        print("audit: a day of %d records in %s (%s in %.0f s)" % (
            n, site, "generated" if made else "reused", gen), flush=True)
        secs, rate, cpu = verify_rate(conf, n)
        print("  privforms audit verify  %8.1f s  %9.0f records/s  (CPU %.1f s, %d cores)" % (
            secs, rate, cpu, os.cpu_count() or 1), flush=True)
        ssecs, srate, checked, finished = stock_rate(site, stock_n, limit, tmp)
        print("  stock-tools procedure   %8.1f s  %9.0f records/s  (%d of %d records%s)" % (
            ssecs, srate, checked, stock_n,
            "" if finished else ", stopped at the %d s limit" % limit), flush=True)
        return {"records": n, "verify_s": secs, "verify_rps": rate, "verify_cpu_s": cpu,
                "stock_records": stock_n, "stock_checked": checked, "stock_s": ssecs,
                "stock_rps": srate, "stock_finished": finished}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    run(os.environ.get("BENCH_DIR", os.path.join(SRC, "var", "bench")))
