#!/bin/sh
# Run each CUnit suite binary; print one closing line over all of them.
# $VALGRIND, when set, prefixes each run.
fail=0
total_pass=0
total_fail=0
for t in "$@"; do
	out=$($VALGRIND "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^(  Run Summary| *(suites|tests|asserts)|ecsim-test:)' | sed "s|^|$(basename "$t"): |"
	p=$(printf '%s\n' "$out" | awk '$1=="tests"{print $4}' | tail -1)
	f=$(printf '%s\n' "$out" | awk '$1=="tests"{print $5}' | tail -1)
	total_pass=$((total_pass + ${p:-0}))
	total_fail=$((total_fail + ${f:-0}))
	if [ $rc -ne 0 ]; then
		printf '%s\n' "$out" | tail -40
		echo "FAILED: $t (exit $rc)"
		fail=1
	fi
done
echo "unit: $total_pass passed, $total_fail failed"
exit $fail
