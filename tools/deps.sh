#!/bin/sh
# deps.sh -- install the Debian 12 packages privforms needs to build, run
# and test, if any are missing.  Prints what it installs.  Uses apt-get as
# root, or through sudo.  PRIVFORMS_NO_APT=1 skips this step entirely.
#
#   sh tools/deps.sh            build and run
#   sh tools/deps.sh check      the same, plus what the tests drive: chromium,
#                               Node.js, Apache with mod_fcgid, systemd's tools,
#                               PostgreSQL 15
#   sh tools/deps.sh bench      the same, plus what `make bench` measures with,
#                               PostgreSQL 15 included
#   sh tools/deps.sh fuzz       the same, plus clang and libFuzzer for `make fuzz`
#   sh tools/deps.sh fresh      only what `make check-fresh` needs on the host:
#                               debootstrap and git (it builds nothing here)
set -eu

[ "${PRIVFORMS_NO_APT:-0}" = 1 ] && exit 0

# Building: compilers and the libraries linked.
pkgs="gcc g++ make pkg-config libfcgi-dev libxml2-dev libsqlite3-dev libicu-dev
    libesmtp-dev libssl-dev libjson-c-dev libphonenumber-dev check iso-codes"
# The PostgreSQL backend (lib/store_pg.c) links libpq.
pkgs="$pkgs libpq-dev"
# The translations (po/i18n.mk): GNU gettext for the C messages and the
# catalogues, itstool for the XHTML templates, po4a for the mail templates.
pkgs="$pkgs gettext itstool po4a"
# Serving: the httpd, the FastCGI spawner and supervisor, the mail catcher.
pkgs="$pkgs nginx spawn-fcgi multiwatch python3 python3-aiosmtpd"
# Testing and auditing with stock tools.
pkgs="$pkgs libxml2-utils xsltproc curl sqlite3 faketime mandoc"
# The widget's test: a headless browser and Node.js (tests/browser,
# playwright-core from npm).  Debian's nodejs comes without npm;
# NodeSource's bundles it and conflicts with Debian's npm package, so
# that is installed only when there is no npm.  The Apache test: Apache
# (mod_proxy_fcgi, mod_cgid) and mod_fcgid.  The systemd test:
# systemd-analyze and systemd-socket-activate (systemd need not be
# running), and man-db, with which verify checks the units' man: links.
# The auditor's procedure (AUDIT.md), which the audit tests run as printed:
# openssl's command line checks checkpoints' signatures.
if [ "${1:-}" = check ]; then
	pkgs="$pkgs chromium nodejs apache2 libapache2-mod-fcgid systemd man-db"
	pkgs="$pkgs openssl"
	# A worker stopped by gdb at the one moment a test must reach (a
	# SIGTERM just before accept: test_unsubscribe.py).
	pkgs="$pkgs gdb"
	command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
fi
# The PostgreSQL pass of the tests (tools/pgtest.sh starts its own server):
# the server's binaries, not the postgresql metapackage, which would start
# a system cluster; and the driver the harness reads the database with.
if [ "${1:-}" = check ]; then
	pkgs="$pkgs postgresql-15 python3-psycopg2"
fi
[ "${1:-}" = bench ] && pkgs="$pkgs wrk valgrind strace procps iproute2"
# The bench measures both engines: a private PostgreSQL server with fsync on
# (tools/pgtest.sh), read through psycopg2 (row counts, pg_stat_wal,
# pg_stat_statements from the server's contrib).
[ "${1:-}" = bench ] && pkgs="$pkgs postgresql-15 python3-psycopg2"
[ "${1:-}" = fuzz ] && pkgs="$pkgs clang-14 libclang-rt-14-dev"
[ "${1:-}" = fresh ] && pkgs="debootstrap git"

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "privforms: installing Debian packages:$missing"
if [ "$(id -u)" = 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "privforms: need root or sudo to install:$missing" >&2
	echo "privforms: install them, or set PRIVFORMS_NO_APT=1 if they are there" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
