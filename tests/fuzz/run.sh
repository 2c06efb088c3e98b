#!/bin/sh
# run.sh -- `make fuzz`: run each libFuzzer harness on a copy of its corpus,
# one after the other (one core), and print what each did.
#
#   sh tests/fuzz/run.sh BUILD_DIR NAME...
#
# From the environment (fuzz.mk passes them on):
#   FUZZ_SECONDS        seconds per harness (default 30)
#   FUZZ_TOTAL_SECONDS  instead, a budget for the whole run: each harness
#                       gets an equal share of what the ones before it left
#   FUZZ_TOTAL_RUNS     and/or a budget of executions, shared the same way
#                       (a fast harness stops at its share of runs, and the
#                       time it leaves goes to the slower ones after it)
#   FUZZ_MAX_LEN        libFuzzer's -max_len (default 20000)
#
# For each harness: its executions, libFuzzer's final coverage ("cov":
# edges covered; "ft": features) and the corpus it ended with, then the
# totals.  A crash, leak, timeout or failed invariant stops the run and
# fails it: libFuzzer's output is shown and the input is kept in
# BUILD_DIR/crashes/; the rest goes to BUILD_DIR/NAME.log.
set -u
b=$1
shift
dir=tests/fuzz
seconds=${FUZZ_SECONDS:-30}
left_s=${FUZZ_TOTAL_SECONDS:-}
left_r=${FUZZ_TOTAL_RUNS:-}
n=$#
total=0
mkdir -p "$b/crashes"
printf '%-14s %8s %12s %8s %8s %7s\n' harness seconds runs cov ft corpus
for name in "$@"; do
	secs=$seconds
	[ -n "$left_s" ] && secs=$(( left_s / n > 0 ? left_s / n : 1 ))
	runs=-1
	[ -n "$left_r" ] && runs=$(( left_r / n > 0 ? left_r / n : 1 ))
	dict=
	[ -f "$dir/$name.dict" ] && dict="-dict=$dir/$name.dict"
	run=$b/run/$name
	rm -rf "$run" && mkdir -p "$run" && cp "$dir/corpus/$name"/* "$run/" ||
	    exit 1
	start=$(date +%s)
	if ! "$b/fuzz_$name" -max_len="${FUZZ_MAX_LEN:-20000}" \
	    -max_total_time="$secs" -runs="$runs" -timeout=10 $dict \
	    -print_final_stats=1 -artifact_prefix="$b/crashes/$name-" \
	    "$run" > "$b/$name.log" 2>&1; then
		echo "fuzz_$name: FAILED"
		tail -n 60 "$b/$name.log"
		echo "input saved as $b/crashes/$name-*"
		exit 1
	fi
	took=$(( $(date +%s) - start ))
	done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    "$b/$name.log")
	# libFuzzer's last status line: "#N DONE cov: C ft: F corp: K/..."
	last=$(grep -E '^#[0-9]+.*cov: ' "$b/$name.log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	printf '%-14s %8s %12s %8s %8s %7s\n' "fuzz_$name" "$took" \
	    "${done_runs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}"
	total=$(( total + ${done_runs:-0} ))
	n=$(( n - 1 ))
	[ -n "$left_s" ] && left_s=$(( left_s - took ))
	[ -n "$left_r" ] && left_r=$(( left_r - ${done_runs:-0} ))
done
printf '%-14s %8s %12s   no finding\n' total "" "$total"
