#!/bin/sh
# tests/e2e.sh ECSIM — end-to-end runs of the shipped scenarios and of the
# command line's error paths.  Prints one line per check and a closing
# "e2e: N passed, M failed" line; exits 1 on any failure.
ECSIM=${1:-./ecsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { name=$1; shift; if "$@" >"$T/out" 2>"$T/err"; then ok "$name"; else ko "$name"; sed 's/^/     /' "$T/err" | head -5; fi; }

# same_outputs DIR1 DIR2: every CSV but perf.csv byte-identical
same_outputs() {
	for f in "$1"/*.csv; do
		b=$(basename "$f")
		[ "$b" = perf.csv ] && continue
		cmp -s "$f" "$2/$b" || return 1
	done
	return 0
}

expect_exit() { # expect_exit CODE NAME PATTERN CMD...
	code=$1; name=$2; pat=$3; shift 3
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -eq "$code" ] && grep -qF -- "$pat" "$T/err" "$T/out"; then ok "$name"
	else ko "$name (exit $rc)"; sed 's/^/     /' "$T/err" | head -3; fi
}

for s in scenarios/*.json; do
	n=$(basename "$s" .json)
	[ "$n" = scenario.schema ] && continue
	check "validate $n" "$ECSIM" validate "$s"
	check "run $n" "$ECSIM" run "$s" --quiet --out "$T/$n.a"
	for f in tasks.csv timeseries.csv summary.csv perf.csv placement_failures.csv services.csv service_summary.csv; do
		[ -e "$T/$n.a/$f" ] || { ko "$n writes $f"; continue; }
	done
	ls "$T/$n.a" | grep -q '\.tmp$' && ko "$n leaves no temporary files"
	check "rerun $n" "$ECSIM" run "$s" --quiet --out "$T/$n.b"
	if same_outputs "$T/$n.a" "$T/$n.b"; then ok "$n is deterministic"; else ko "$n is deterministic"; fi
done

# a different seed gives a different run
"$ECSIM" run scenarios/default.json --quiet --seed 7 --out "$T/seed7" >/dev/null 2>&1
if same_outputs "$T/default.a" "$T/seed7"; then ko "seed changes the run"; else ok "seed changes the run"; fi

# every console template runs on the default scenario
for tpl in az-balanced-spread az-balanced-binpack binpack one-task-per-host; do
	check "template $tpl" "$ECSIM" run scenarios/default.json --quiet --strategy "$tpl" --out "$T/tpl-$tpl"
	grep -q "$tpl" "$T/tpl-$tpl/summary.csv" && ok "summary names $tpl" || ko "summary names $tpl"
done
check "strategy as JSON" "$ECSIM" run scenarios/default.json --quiet --out "$T/json" \
	--strategy '[{"type":"binpack","field":"cpu"}]' --tie-break first

# bad usage and bad input: exit 2, a clear message, no output left behind
expect_exit 2 "no command" "missing command" "$ECSIM"
expect_exit 2 "unknown command" "unknown command 'frobnicate'" "$ECSIM" frobnicate
expect_exit 2 "unknown option" "unknown option '--sed'" "$ECSIM" run scenarios/default.json --sed 3
expect_exit 2 "bad seed" "expected an integer" "$ECSIM" run scenarios/default.json --seed x
expect_exit 2 "bad template" "unknown" "$ECSIM" run scenarios/default.json --strategy binpak --out "$T/bad1"
[ -e "$T/bad1" ] && ls "$T/bad1" | grep -q . && ko "no output after bad input" || ok "no output after bad input"
expect_exit 2 "missing scenario file" "cannot open" "$ECSIM" run "$T/nope.json"
for b in tests/data/scenarios/bad-*.json; do
	[ -e "$b" ] || continue
	want=$(cat "${b%.json}.err")
	expect_exit 2 "bad scenario $(basename "$b")" "$want" "$ECSIM" run "$b" --out "$T/badrun"
done
[ -d "$T/badrun" ] && ls "$T/badrun" | grep -q . && ko "bad scenarios leave no output" || ok "bad scenarios leave no output"
expect_exit 0 "help" "usage: ecsim" "$ECSIM" --help
expect_exit 0 "version" "ecsim 0" "$ECSIM" --version
expect_exit 0 "inspect" '"family"' "$ECSIM" inspect scenarios/taskdefs/web.json

# ecsim gen: a generated trace replays; the same seed gives the same bytes
check "gen" "$ECSIM" gen scenarios/gen/google-shaped.json --duration 60 --quiet --out "$T/g1.csv"
check "gen again" "$ECSIM" gen scenarios/gen/google-shaped.json --duration 60 --quiet --out "$T/g2.csv"
cmp -s "$T/g1.csv" "$T/g2.csv" && ok "gen is deterministic" || ko "gen is deterministic"
check "validate generated trace" "$ECSIM" validate "$T/g1.csv"
expect_exit 2 "gen bad spec" "unknown member" "$ECSIM" gen tests/data/scenarios/bad-unknown-key.json --out "$T/g3.csv"

# ecsim import: the public schemas to ecsim's trace, then a replay
check "import google2011" "$ECSIM" import google2011 --task-events tests/data/import/google/task_events.csv \
	--machine-events tests/data/import/google/machine_events.csv --out "$T/google.csv" --quiet
check "validate imported trace" "$ECSIM" validate "$T/google.csv"
check "import alibaba2018" "$ECSIM" import alibaba2018 --batch-task tests/data/import/alibaba/batch_task.csv \
	--out "$T/ali.csv" --quiet
expect_exit 2 "import missing file" "nope.csv" "$ECSIM" import google2011 --task-events "$T/nope.csv" --out "$T/x.csv"

. tests/e2e-robust.sh

echo "e2e: $pass passed, $fail failed"
[ $fail -eq 0 ]
