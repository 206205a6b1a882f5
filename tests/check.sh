#!/bin/sh
# tests/check.sh ECSIM TEST_BIN... — what `make test` runs: every CUnit suite
# (tests/run-unit.sh), then the end-to-end runs (tests/e2e.sh), the
# experiment commands (tests/exp.sh), the planner (tests/plan.sh), the schema
# check (tests/schema.sh), the docs check (tests/docs.sh) and the setup
# script's check (tests/setup.sh), the fuzz regression corpus replayed
# under the sanitizers (make fuzz-replay) and the plain C paths behind the
# SSE2 and __int128 fast paths (tests/scalar.sh) and every C file through
# clang's checks (tests/clang.sh) — each part runs even when an earlier one
# failed — then one closing line over all of them, which CI reads:
# "test: N passed, N failed, N skipped".  Exits 1 when anything failed.
ecsim=$1
shift
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
rc=0
run_part() {     # NAME COMMAND...: its output is shown, its closing line kept
	name=$1
	shift
	"$@" >"$T/$name" 2>&1 || rc=1
	cat "$T/$name"
}
run_part unit sh tests/run-unit.sh "$@"
run_part e2e sh tests/e2e.sh "$ecsim"
run_part exp sh tests/exp.sh "$ecsim"
run_part plan sh tests/plan.sh "$ecsim"
run_part schema sh tests/schema.sh "$ecsim"
run_part docs sh tests/docs.sh "$ecsim"
run_part setup sh tests/setup.sh
run_part fuzz-replay ${MAKE:-make} --no-print-directory fuzz-replay
run_part scalar sh tests/scalar.sh
run_part clang ${MAKE:-make} --no-print-directory clang-check
p=0 f=0 s=0
for part in unit e2e exp plan schema docs setup fuzz-replay scalar clang; do
	line=$(grep "^$part: [0-9]* passed, [0-9]* failed" "$T/$part" | tail -n 1)
	if [ -z "$line" ]; then
		f=$((f + 1))   # it stopped before its closing line
		continue
	fi
	set -- $line
	p=$((p + $2))
	f=$((f + $4))
	[ "$6" ] && s=$((s + $6))
done
[ $rc -ne 0 ] && [ $f -eq 0 ] && f=1
echo "test: $p passed, $f failed, $s skipped"
[ $rc -eq 0 ]
