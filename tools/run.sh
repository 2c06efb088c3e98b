#!/bin/bash
# run.sh -- `make run`: serve privforms on 127.0.0.1:$PORT from ./var until
# Ctrl-C, then stop everything it started.  Mail goes to a local catcher on
# 127.0.0.1:$SMTP_PORT (default 8025) and lands in ./var/mail.
set -eu
cd "$(dirname "$0")/.."
port=${PORT:-8080}
smtp_port=${SMTP_PORT:-8025}
dir=var

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

STACK_MAIL=$smtp_port bash tools/stack.sh start "$dir" "$port"
cat <<MSG

  privforms is running:   http://127.0.0.1:$port/privacy/

  data and audit records: $PWD/$dir (database privforms.db, audit/)
  mail sent:              $PWD/$dir/mail/new/ (a Maildir: one file per mail;
                          SMTP catcher on 127.0.0.1:$smtp_port, sender log
                          $dir/run/mail.log; tools/privforms mail status)
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
