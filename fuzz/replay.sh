#!/bin/sh
# fuzz/replay.sh BUILD_DIR TARGET... — run build/<variant>/fuzz/replay-T on
# fuzz/regress/T/ for each target; one line each and a closing line; exit 1
# when any replay fails (a sanitizer report, a leak, a crash).  Also checks
# that each target has the seeds and the dictionary `make fuzz` passes to
# libFuzzer (without fuzz/dict/T.dict the campaign does not start).
dir=$1; shift
fail=0
n=0
for t in "$@"; do
	for f in "fuzz/dict/$t.dict" "fuzz/seeds/$t"; do
		if [ -e "$f" ]; then
			n=$((n + 1))
		else
			fail=$((fail + 1))
			echo "FAIL fuzz target $t: no $f (make fuzz TARGET=$t needs it)"
		fi
	done
	[ -d "fuzz/regress/$t" ] || continue
	if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
		"$dir/replay-$t" "fuzz/regress/$t" >"$dir/replay-$t.log" 2>&1; then
		n=$((n + 1))
		echo "ok   fuzz regress $t: $(grep -o '[0-9]* inputs' "$dir/replay-$t.log")"
	else
		fail=$((fail + 1))
		echo "FAIL fuzz regress $t"
		grep -v '^ecsim: warning' "$dir/replay-$t.log" | tail -30 | sed 's/^/     /'
	fi
done
echo "fuzz-replay: $n passed, $fail failed"
[ $fail -eq 0 ]
