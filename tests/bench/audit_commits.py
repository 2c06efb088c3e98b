"""audit_commits.py -- commits per second that WORKERS processes reach
together, each transaction appending one audit record (audit-commits.c),
on a private PostgreSQL with fsync on (tools/pgtest.sh) and on SQLite
(rollback journal, synchronous FULL) on the same disk: issue 21's figure
for the audit chain.  A measurement, printed; nothing is asserted.

    python3 tests/bench/audit_commits.py [WORKERS [N [PROGRAM]]]

Run from the top of the tree after `make tests/bench/audit-commits`.  N
transactions per worker (default 300), WORKERS 8; PROGRAM another build
of audit-commits (the code before a change, to compare)."""

import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
PGTEST = os.path.join(SRC, "tools", "pgtest.sh")
CREATEDB = "/usr/lib/postgresql/15/bin/createdb"


def rate(prog, database, audit_dir, workers, n):
    os.mkdir(audit_dir)
    return subprocess.run([prog, database, audit_dir, str(workers), str(n)],
                          check=True, capture_output=True,
                          text=True).stdout.strip()


def main():
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    prog = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        SRC, "tests", "bench", "audit-commits")
    top = tempfile.mkdtemp(prefix="pfbench.")
    os.chmod(top, 0o755)    # the server runs as postgres when we are root
    pg = os.path.join(top, "pg")
    os.mkdir(pg)
    try:
        subprocess.run(["sh", PGTEST, "start", pg, "fsync"], check=True)
        subprocess.run([CREATEDB, "-h", pg, "-U", "postgres", "bench"],
                       check=True)
        on_pg = rate(prog, "postgresql:///bench?host=%s&user=postgres" % pg,
                     os.path.join(top, "audit-pg"), workers, n)
        on_lite = rate(prog, os.path.join(top, "bench.db"),
                       os.path.join(top, "audit-lite"), workers, n)
        print("audit-commits: %d writers x %d: PostgreSQL (fsync on) %s/s, "
              "SQLite %s/s" % (workers, n, on_pg, on_lite))
    finally:
        subprocess.run(["sh", PGTEST, "stop", pg])
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
