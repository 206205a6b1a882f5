#!/bin/sh
# tests/bench/run.sh BENCH... — run each benchmark binary and print its table
# under a heading.  Speed is reported, never asserted; a benchmark that fails
# is reported and the others still run.  To add a section, add a binary to
# the arguments (tests/bench/bench_*.c are built and passed by `make bench`)
# or append a block below the loop.
status=0
for b in "$@"; do
	echo "== $(basename "$b")"
	"$b"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "$(basename "$b"): failed (exit $rc)"
		status=1
	fi
	echo
done
exit $status
