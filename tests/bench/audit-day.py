#!/usr/bin/env python3
"""A generated day of audit records in privforms' exact file layout, and
the rate of AUDIT.md's stock-tools procedure (verify-day) on it.

    python3 tests/bench/audit-day.py [--records N] [--keep DIR]

Each file is the XML declaration line and one line holding the record in
canonical form with <digest> before </record> (AUDIT.md, "The byte layout
the procedure relies on"); the digests are SHA-256 of that line without
<digest> and chain from record 1, so the procedure must pass."""

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DECL = b'<?xml version="1.0" encoding="UTF-8"?>\n'
DAY = "2026-11-24"


def record(seq, prev, i):
    """Record seq's file bytes and digest: an opt-out, as the forms write."""
    t = "%sT%02d:%02d:%02d.%06dZ" % (DAY, i * 86400 // N // 3600,
                                      i * 86400 // N // 60 % 60,
                                      i * 86400 // N % 60, i % 1000000)
    body = ('<record xmlns="urn:privforms:audit:1" version="1"><seq>%d</seq>'
            '<time>%s</time><event>unsubscribed</event><form>unsubscribe</form>'
            '<request>%032x</request><subject>%s</subject>'
            '<detail name="channel">email</detail><detail name="list">news &amp; offers</detail>'
            '<detail name="source">form</detail><detail name="confirmation">sent</detail>'
            '<prev>%s</prev>' % (seq, t, seq, hashlib.sha256(b"%d" % seq).hexdigest(),
                                 prev)).encode()
    unsealed = body + b"</record>"
    digest = hashlib.sha256(unsealed).hexdigest()
    return DECL + body + b"<digest>" + digest.encode() + b"</digest></record>\n", digest


def generate(top, n):
    day = os.path.join(top, DAY)
    os.makedirs(day)
    prev = "0" * 64
    for i in range(n):
        data, prev = record(i + 1, prev, i)
        with open(os.path.join(day, "%012d.xml" % (i + 1)), "wb") as f:
            f.write(data)
    return day


def procedure(tmp):
    with open(os.path.join(SRC, "AUDIT.md")) as f:
        m = re.search(r"^```sh verify-day\n(.*?)^```", f.read(), re.S | re.M)
    path = os.path.join(tmp, "verify-day")
    with open(path, "w") as f:
        f.write(m.group(1))
    return path


def main():
    global N
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=1000000)
    ap.add_argument("--keep", help="generate into DIR and keep it")
    a = ap.parse_args()
    N = a.records
    tmp = a.keep or tempfile.mkdtemp(prefix="privforms-auditday-")
    try:
        day = os.path.join(tmp, DAY)
        if not os.path.isdir(day):
            t0 = time.monotonic()
            generate(tmp, N)
            print("generated %d records in %.1f s" % (N, time.monotonic() - t0))
        script = procedure(tmp)
        t0 = time.monotonic()
        p = subprocess.run(["sh", script, day, os.path.join(SRC, "etc", "audit.xsd"),
                            os.path.join(SRC, "etc", "audit-unsealed.xsl")],
                           capture_output=True, text=True)
        secs = time.monotonic() - t0
        sys.stdout.write(p.stdout + p.stderr)
        if p.returncode != 0:
            sys.exit("verify-day failed")
        print("stock-tools procedure (verify-day): %d records in %.1f s, %.0f records/s"
              % (N, secs, N / secs))
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)


N = 0
if __name__ == "__main__":
    main()
