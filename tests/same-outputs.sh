#!/bin/sh
# tests/same-outputs.sh REF_ECSIM NEW_ECSIM — runs every shipped scenario
# (scenarios/*.json) with both binaries, once with the default tie-break and
# once with `--tie-break first`, plus the default scenario under each console
# template, and compares every CSV they write except perf.csv (wall-clock
# timings) byte for byte.  For refactors that must not change behaviour.
# Prints one line per run and a closing count; exits 1 on any difference or
# failed run, 2 on bad usage.  Run from the repository root.
# NEW_FILES="a.csv b.csv": files the new binary is expected to add (absent
# from REF's outputs): not a difference when REF did not write them.
if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
	echo "usage: tests/same-outputs.sh REF_ECSIM NEW_ECSIM (two executables)" >&2
	exit 2
fi
REF=$1
NEW=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

# compare NAME ARGS...: run both binaries with `run ARGS --quiet --out DIR`
compare() {
	name=$1; shift
	"$REF" run "$@" --quiet --out "$T/ref" >"$T/ref.log" 2>&1; rc1=$?
	"$NEW" run "$@" --quiet --out "$T/new" >"$T/new.log" 2>&1; rc2=$?
	diffs=""
	if [ $rc1 -ne $rc2 ]; then diffs="exit $rc1 vs $rc2"; fi
	if [ $rc1 -ne 0 ] && [ $rc1 -eq $rc2 ] && ! cmp -s "$T/ref.log" "$T/new.log"; then
		diffs="$diffs messages"
	fi
	for f in "$T"/ref/*.csv "$T"/new/*.csv; do
		[ -e "$f" ] || continue
		b=$(basename "$f")
		[ "$b" = perf.csv ] && continue
		case " $NEW_FILES " in *" $b "*) [ -e "$T/ref/$b" ] || continue ;; esac
		case " $diffs " in *" $b "*) continue ;; esac
		cmp -s "$T/ref/$b" "$T/new/$b" || diffs="$diffs $b"
	done
	if [ -z "$diffs" ]; then
		pass=$((pass + 1)); echo "same $name"
	else
		fail=$((fail + 1)); echo "DIFF $name:$diffs"
	fi
	rm -rf "$T/ref" "$T/new"
}

for s in scenarios/*.json; do
	n=$(basename "$s" .json)
	[ "$n" = scenario.schema ] && continue
	compare "$n" "$s"
	compare "$n --tie-break first" "$s" --tie-break first
done
for tpl in az-balanced-spread az-balanced-binpack binpack one-task-per-host; do
	compare "default --strategy $tpl" scenarios/default.json --strategy "$tpl"
done

echo "same-outputs: $pass same, $fail different"
[ $fail -eq 0 ]
