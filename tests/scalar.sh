#!/bin/sh
# tests/scalar.sh — the portable paths behind ecsim's SSE2 fast paths.
# A few hot loops (sim/csvin.c's line splitting, models/cluster_index.c's
# leaf scans) use SSE2 intrinsics under `#ifdef __SSE2__` and have a plain
# C path for every other machine (ARM: Graviton, Apple silicon).  x86-64
# compilers always define __SSE2__, so `make test` would never compile the
# plain paths: here the suites that exercise them are built again with
# -U__SSE2__ (build/scalar/) and run.  A source file that uses __SSE2__ must
# be listed below with the suites that cover it, or this check fails.
# Closing line: "scalar: N passed, N failed, N skipped".
MAKE=${MAKE:-make}
covered="sim/csvin.c models/cluster_index.c"
suites="test_csvio test_trace test_cluster test_placement"
bad=0
for f in $(grep -l '__SSE2__' sim/*.c sim/*.h models/*.c models/*.h models/*/*.c models/*/*.h 2>/dev/null); do
	case " $covered " in
	*" $f "*) ;;
	*) echo "scalar: $f uses __SSE2__ but tests/scalar.sh names no suite for its plain path"; bad=1 ;;
	esac
done
mkdir -p build
bins=
for s in $suites; do bins="$bins build/scalar/tests/$s"; done
if ! $MAKE --no-print-directory -j2 VARIANT=scalar OPT="-O2 -g -U__SSE2__" $bins >build/scalar.log 2>&1; then
	tail -20 build/scalar.log
	echo "scalar: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
sh tests/run-unit.sh $bins >build/scalar.out 2>&1
rc=$?
grep -v '^unit: ' build/scalar.out
line=$(grep '^unit: ' build/scalar.out | sed 's/^unit: //')
set -- $line
echo "scalar: $1 passed, $(( $3 + bad )) failed, $5 skipped"
[ $rc -eq 0 ] && [ $bad -eq 0 ]
