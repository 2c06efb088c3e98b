#!/bin/bash
# run.sh -- `make run`: serve privforms on 127.0.0.1:$PORT from ./var until
# Ctrl-C, then stop everything it started.  Mail goes to a local catcher on
# 127.0.0.1:$SMTP_PORT (a free port unless SMTP_PORT is given) and lands in
# ./var/mail.
#
# Two make runs on one machine share nothing: before it starts anything,
# it refuses a ./var that another make run of this tree is using, and a
# PORT or SMTP_PORT that something else listens on (a catcher on a taken
# port would hand this run's mail to whoever holds it).
set -eu
cd "$(dirname "$0")/.."
port=${PORT:-8080}
dir=var

die() { echo "privforms: $*" >&2; exit 1; }

# Nothing listens on 127.0.0.1:$1: it can be bound as nginx binds it
# (SO_REUSEADDR, so a closed connection's TIME_WAIT does not count).
port_free() {
	/usr/bin/python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}

# A loopback port nothing uses now.
free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

for p in "$port" ${SMTP_PORT:+"$SMTP_PORT"}; do
	case $p in
	''|*[!0-9]*) die "$p is not a port number" ;;
	esac
	[ "$p" -ge 1 ] && [ "$p" -le 65535 ] || die "$p is not a port number"
done
# Held by every process this run starts, so until the last one has gone.
mkdir -p "$dir/run"
exec 9> "$dir/run/make-run.lock"
flock -n 9 || die "$PWD/$dir is in use by another make run of this tree:" \
    "stop it first (Ctrl-C where it runs, or bash tools/stack.sh stop $dir)"
port_free "$port" || die "127.0.0.1:$port is in use (another make run?):" \
    "PORT=$((port + 1)) make run serves on another port"
if [ -n "${SMTP_PORT:-}" ]; then
	smtp_port=$SMTP_PORT
	port_free "$smtp_port" && [ "$smtp_port" != "$port" ] ||
	    die "127.0.0.1:$smtp_port is in use, so the mail catcher" \
	    "cannot listen there (SMTP_PORT): give another, or leave" \
	    "SMTP_PORT out to have a free one picked"
else
	smtp_port=$(free_port)
fi

stopped=0
stop() {
	[ $stopped = 1 ] && return
	stopped=1
	echo
	echo "privforms: stopping"
	bash tools/stack.sh stop "$dir"
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

STACK_LIMITS=on STACK_MAIL=$smtp_port STACK_CHECKPOINT=on \
    bash tools/stack.sh start "$dir" "$port"
cat <<MSG

  privforms is running:   http://127.0.0.1:$port/privacy/

  data and audit records: $PWD/$dir (database privforms.db, audit/)
  mail sent:              $PWD/$dir/mail/new/ (a Maildir: one file per mail;
                          SMTP catcher on 127.0.0.1:$smtp_port, sender log
                          $dir/run/mail.log; tools/privforms mail status)
  audit checkpoints:      $dir/audit/checkpoints/ (signed at start and every
                          audit_checkpoint_minutes; $dir/run/checkpoint.log)
  logs:                   $dir/nginx/error.log, $dir/run/*.log
  admin command:          tools/privforms --help

  Press Ctrl-C to stop.

MSG
while kill -0 "$(cat "$dir/run/nginx.pid")" 2>/dev/null; do
	# A pool whose multiwatch has gone is started again, saying so.
	bash tools/stack.sh revive "$dir" || true
	sleep 1
done
echo "privforms: nginx has stopped (see $dir/nginx/error.log)" >&2
exit 1
