#!/bin/sh
# Run each CUnit suite binary; print one closing line over all of them:
# "unit: N passed, N failed, N skipped".  Skipped tests are the corpus tests
# that cannot run because the shared corpus is absent (tests/cu_main.c marks
# them inactive and says why; that line is repeated here once).
# $VALGRIND, when set, prefixes each run.
fail=0
total_pass=0
total_fail=0
total_skip=0
skip_note=
for t in "$@"; do
	out=$($VALGRIND "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^(  Run Summary| *(suites|tests|asserts)|ecsim-test:)' | sed "s|^|$(basename "$t"): |"
	p=$(printf '%s\n' "$out" | awk '$1=="tests"{print $4}' | tail -1)
	f=$(printf '%s\n' "$out" | awk '$1=="tests"{print $5}' | tail -1)
	s=$(printf '%s\n' "$out" | awk '$1=="tests"{print $6}' | tail -1)
	n=$(printf '%s\n' "$out" | grep -m1 '^corpus tests skipped: ')
	[ -n "$n" ] && skip_note=$n
	total_pass=$((total_pass + ${p:-0}))
	total_fail=$((total_fail + ${f:-0}))
	total_skip=$((total_skip + ${s:-0}))
	if [ $rc -ne 0 ]; then
		[ "${f:-0}" -eq 0 ] && total_fail=$((total_fail + 1))   # crashed, or exit 2
		printf '%s\n' "$out" | tail -40
		echo "FAILED: $t (exit $rc)"
		fail=1
	fi
done
[ -n "$skip_note" ] && echo "$skip_note"
echo "unit: $total_pass passed, $total_fail failed, $total_skip skipped"
exit $fail
