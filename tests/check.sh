#!/bin/sh
# tests/check.sh ECSIM TEST_BIN... — what `make test` runs: every CUnit suite
# (tests/run-unit.sh), then the end-to-end runs (tests/e2e.sh) even when a
# suite failed, then one closing line over both, which CI reads:
# "test: N passed, N failed, N skipped".  Exits 1 when anything failed.
ecsim=$1
shift
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
sh tests/run-unit.sh "$@" >"$T/unit" 2>&1
u=$?
cat "$T/unit"
sh tests/e2e.sh "$ecsim" >"$T/e2e" 2>&1
e=$?
cat "$T/e2e"
p=0 f=0 s=0
for part in unit e2e; do
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
[ $u -ne 0 ] || [ $e -ne 0 ] && [ $f -eq 0 ] && f=1
echo "test: $p passed, $f failed, $s skipped"
[ $u -eq 0 ] && [ $e -eq 0 ]
