#!/bin/sh
# run.sh -- run each unit test program.  Check's summary line goes to the
# terminal; what the library logs on stderr (expected, for the error paths
# under test) goes to tests/unit/NAME.log and is shown only if the program
# fails.  Exits non-zero if any program fails.
status=0
for t in "$@"; do
	printf '%s: ' "${t##*/}"
	if ! "./$t" 2> "$t.log"; then
		status=1
		cat "$t.log"
	fi
done
exit $status
