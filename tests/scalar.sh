#!/bin/sh
# tests/scalar.sh — the portable paths behind ecsim's fast paths.
# A few hot loops (sim/csvin.c's line splitting, models/cluster_index.c's
# leaf scans) use SSE2 intrinsics under `#ifdef __SSE2__`, and the event
# heap (sim/evq.c) compares keys as one `__int128` under
# `#ifdef __SIZEOF_INT128__`, and the index's search steps and the
# spread's level and tie steps (models/cluster_index.c) are inline
# assembly under `__x86_64__`; each
# has a plain C path for other machines (ARM: Graviton, Apple silicon;
# 32-bit targets).  An x86-64 compiler always takes the fast ones, so `make test`
# would never compile the plain paths: here the suites that exercise them
# are built again with both macros undefined and ECSIM_PORTABLE defined
# (build/scalar/) and run.  A source file that tests any of these macros
# must be listed below, or this check fails.
# Closing line: "scalar: N passed, N failed, N skipped".
MAKE=${MAKE:-make}
covered="sim/csvin.c models/cluster_index.c sim/evq.c models/trace.c models/placement/spread.c"
suites="test_csvio test_trace test_cluster test_placement test_engine test_instant"
bad=0
for f in $(grep -rlE '__SSE2__|__SIZEOF_INT128__|__x86_64__' sim models cli --include='*.[ch]'); do
	case " $covered " in
	*" $f "*) ;;
	*) echo "scalar: $f tests __SSE2__, __SIZEOF_INT128__ or __x86_64__ but tests/scalar.sh names no suite for its plain path"; bad=1 ;;
	esac
done
mkdir -p build
bins=
for s in $suites; do bins="$bins build/scalar/tests/$s"; done
if ! $MAKE --no-print-directory -j2 VARIANT=scalar OPT="-O2 -g -U__SSE2__ -U__SIZEOF_INT128__ -DECSIM_PORTABLE" $bins >build/scalar.log 2>&1; then
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
