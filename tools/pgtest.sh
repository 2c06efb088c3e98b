#!/bin/sh
# pgtest.sh -- a private PostgreSQL server for the tests and the bench,
# from Debian's postgresql-15 binaries: no system service, no TCP, only a
# Unix socket in DIR.
#
#   sh tools/pgtest.sh start DIR [fsync]   prints nothing on success
#   sh tools/pgtest.sh stop DIR
#
# start makes the cluster in DIR/data on first use (initdb, trust
# authentication, superuser postgres), starts the server with its socket in
# DIR and returns once it accepts connections; on an existing DIR it starts
# the server again (a test can restart it).  fsync: durable commits (the
# bench); without it fsync is off, which the tests do not need and which
# makes them quicker.  synchronous_commit stays on either way (privforms
# checks it).  Connect with  psql -h DIR -U postgres  or the connection
# string  postgresql:///NAME?host=DIR&user=postgres  (NAME made with
# createdb -h DIR -U postgres NAME).  The server log is DIR/server.log.
#
# stop stops the server (fast shutdown: sessions are ended) and returns
# once it is gone; nothing to do for a DIR that has no running server
# (never started, half started, already stopped).  DIR is left in place.
#
# initdb and postgres refuse to run as root: as root, they run as the
# postgres user (Debian's postgresql-common creates it), which then owns
# DIR, so DIR's parents must let it through.  Otherwise they run as the
# caller.  The collation is C (text compares byte by byte, as SQLite's
# default BINARY collation does) and the encoding UTF-8.
set -eu

bin=/usr/lib/postgresql/15/bin
# The socket's name is DIR/.s.PGSQL.5432; a Unix socket path has at most
# 107 bytes, so DIR at most 92.
socket_name=.s.PGSQL.5432
wait_seconds=120

die() { echo "pgtest: $*" >&2; exit 1; }

usage() { die "usage: pgtest.sh start DIR [fsync] | stop DIR"; }

# The last lines of a log of DIR's, after a failure: those after line $2
# (what this run wrote), 25 at most.
tail_of() {
	[ -f "$1" ] || return 0
	echo "pgtest: the end of $1:" >&2
	tail -n +$((${2:-0} + 1)) "$1" | tail -n 25 >&2
}

# How many lines a log has so far.
lines_of() {
	if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}

# Run a command as the cluster's owner: postgres when we are root.
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
	else
		"$@"
	fi
}

# DIR made (if need be), owned by the cluster's owner and reachable by it.
prepare_dir() {
	mkdir -p "$dir"
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 ||
		    die "as root, the server runs as the postgres user, and there is none (install postgresql-15)"
		chown postgres:postgres "$dir"
	fi
	# Others may reach the socket; data/ itself is 0700 (initdb).
	chmod 0711 "$dir"
	as_owner test -w "$dir" -a -x "$dir" ||
	    die "$dir: the postgres user cannot write there (its parent directories must let others through)"
}

initdb_once() {
	[ -f "$dir/data/PG_VERSION" ] && return 0
	rm -rf "$dir/data"
	# --no-sync: a test cluster need not survive a crash of the machine.
	as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
	    --locale=C --no-sync --no-instructions >"$dir/initdb.log" 2>&1 || {
		tail_of "$dir/initdb.log"
		die "initdb failed in $dir/data"
	}
	cat >>"$dir/data/postgresql.conf" <<CONF

# tools/pgtest.sh: a private test server, reached only through its socket.
listen_addresses = ''
unix_socket_directories = '$dir'
shared_buffers = 16MB
# Each site's workers hold one connection each (six pools of two by
# default), and a test may run several sites at once.
max_connections = 200
CONF
}

start() {
	[ ${#dir} -le 92 ] || die "$dir: too long for a Unix socket path (92 bytes at most)"
	prepare_dir
	initdb_once
	case $durable in
	fsync) fsync=on ;;
	"") fsync=off ;;
	*) usage ;;
	esac
	[ -f "$dir/data/postmaster.pid" ] && status && die "$dir: a server runs there already"
	seen=$(lines_of "$dir/server.log")
	# pg_ctl -w waits for the postmaster to say it is ready (and notices
	# one that died starting); pg_isready then proves that the socket
	# answers, as a client will reach it.
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	    -t $wait_seconds -o "-c fsync=$fsync" start >"$dir/pg_ctl.log" 2>&1 || {
		cat "$dir/pg_ctl.log" >&2
		tail_of "$dir/server.log" "$seen"
		die "the server in $dir did not start"
	}
	"$bin/pg_isready" -q -h "$dir" -U postgres -d postgres -t $wait_seconds || {
		tail_of "$dir/server.log" "$seen"
		die "the server in $dir does not answer on $dir/$socket_name"
	}
}

# True if a server runs on DIR's cluster.
status() {
	as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

stop() {
	[ -f "$dir/data/postmaster.pid" ] || return 0
	status || return 0
	# -w waits until the postmaster has removed its pid file, its very
	# last act: the server is gone.  A fast shutdown that does not end in
	# time is made immediate (no test waits on a stuck server).
	as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t $wait_seconds stop \
	    >"$dir/pg_ctl.log" 2>&1 && return 0
	as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t $wait_seconds \
	    stop >>"$dir/pg_ctl.log" 2>&1 && return 0
	status || return 0
	cat "$dir/pg_ctl.log" >&2
	tail_of "$dir/server.log"
	die "the server in $dir did not stop"
}

[ $# -ge 2 ] || usage
command=$1
case $2 in
/*) dir=$2 ;;
*) dir=$(pwd)/$2 ;;
esac
dir=${dir%/}
durable=${3:-}
case $command in
start) [ $# -le 3 ] || usage; start ;;
stop) [ $# -eq 2 ] || usage; [ -d "$dir" ] || exit 0; stop ;;
*) usage ;;
esac
