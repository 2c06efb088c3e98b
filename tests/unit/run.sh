#!/bin/sh
# run.sh -- run each unit test program.  Check's summary line goes to the
# terminal; what the library logs on stderr (expected, for the error paths
# under test) goes to tests/unit/NAME.log and is shown only if the program
# fails.  Exits non-zero if any program fails.
#
# UNIT_JOBS programs (default 4) run at once, each in its own scratch
# directories (fixture.h), and their lines are printed in the order given
# once all have ended.  The programs mostly wait for the disk (a store's
# commits are fsync'd), not the processor: one at a time they took 34 s
# of which 6 s of processor time.
jobs=${UNIT_JOBS:-4}
printf '%s\n' "$@" | xargs -P "$jobs" -I '{}' \
    sh -c '"./$1" > "$1.out" 2> "$1.log"; echo $? > "$1.rc"' sh '{}'
status=0
for t in "$@"; do
	printf '%s: ' "${t##*/}"
	cat "$t.out"
	if [ "$(cat "$t.rc" 2>/dev/null)" != 0 ]; then
		status=1
		cat "$t.log"
	fi
	rm -f "$t.out" "$t.rc"
done
exit $status
