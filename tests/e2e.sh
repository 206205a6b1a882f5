#!/bin/sh
# tests/e2e.sh ECSIM — end-to-end runs of the shipped scenarios and of the
# command line's error paths.  Prints one line per check and a closing
# "e2e: N passed, M failed, 0 skipped" line; exits 1 on any failure.
ECSIM=${1:-./ecsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
skip=0

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
	# service_events.csv (choices E171-E174): rows in time order, each
	# message naming its service first, and one deployment event per
	# IN_PROGRESS / COMPLETED / FAILED / ROLLED_BACK row of deployments.csv
	ev=$(awk -F, 'NR > 1 { if ($1 + 0 < t) bad++; t = $1 + 0
		m = $0; sub(/^[^,]*,[^,]*,[^,]*,"?/, "", m); if (index(m, "(service " $2 ")") != 1) bad++
		if ($3 ~ /^SERVICE_DEPLOYMENT_(IN_PROGRESS|COMPLETED|FAILED)$/) d++ }
		END { printf "%d %d", bad, d }' "$T/$n.a/service_events.csv" 2>/dev/null)
	dep=$(awk -F, 'NR > 1 && $6 ~ /^(IN_PROGRESS|COMPLETED|FAILED|ROLLED_BACK)$/ { d++ } END { printf "%d", d }' \
		"$T/$n.a/deployments.csv" 2>/dev/null)
	if [ "$ev" = "0 $dep" ]; then ok "$n: service_events.csv in order, one event per deployment row ($dep)"
	else ko "$n: service_events.csv in order, one event per deployment row (bad, events: $ev; deployment rows: $dep)"; fi
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
# no arguments: the usage on stderr, exit 2; every command takes -h like --help
# and lists its options one per line
expect_exit 2 "no arguments prints the usage" "usage: ecsim <command>" "$ECSIM"
for c in run validate inspect import gen; do
	"$ECSIM" $c --help >"$T/h1" 2>&1; r1=$?
	"$ECSIM" $c -h >"$T/h2" 2>&1; r2=$?
	if [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && cmp -s "$T/h1" "$T/h2"; then ok "$c -h is $c --help"; else ko "$c -h is $c --help (exit $r1, $r2)"; fi
	if grep -q '^  -h, --help ' "$T/h1" && [ "$(grep -c '^  --' "$T/h1")" -ge 1 -o $c = validate ]; then ok "$c --help lists its options"
	else ko "$c --help lists its options"; fi
done
# a FARGATE-only task definition runs on Fargate (no instance, launch_type
# FARGATE); EC2+FARGATE runs on the instances
check "FARGATE-only definition runs" "$ECSIM" run tests/data/scenarios/fargate-only.json --quiet --out "$T/fgo"
if [ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c["instance_id"] "|" $c["launch_type"] }' "$T/fgo/tasks.csv" | sort -u)" = "|FARGATE" ]; then ok "FARGATE-only tasks have no instance"
else ko "FARGATE-only tasks have no instance"; fi
check "EC2 and FARGATE definition runs" "$ECSIM" run tests/data/scenarios/fargate-and-ec2.json --quiet --out "$T/fg"
expect_exit 0 "inspect notes a FARGATE-only definition" "not EC2" "$ECSIM" inspect tests/data/scenarios/fargate-only-td.json
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
check "import swf" "$ECSIM" import swf --swf tests/data/import/swf/jobs.swf --out "$T/swf.csv" --quiet
check "validate imported swf trace" "$ECSIM" validate "$T/swf.csv"
check "import alibaba2017" "$ECSIM" import alibaba2017 --batch-task tests/data/import/alibaba2017/batch_task.csv \
	--server-event tests/data/import/alibaba2017/server_event.csv --out "$T/ali17.csv" --quiet
check "validate imported alibaba2017 trace" "$ECSIM" validate "$T/ali17.csv"
check "import openb" "$ECSIM" import openb --nodes tests/data/import/openb/nodes.csv \
	--pods tests/data/import/openb/pods.csv --out "$T/openb.csv" --quiet
check "validate imported openb trace" "$ECSIM" validate "$T/openb.csv"
# the three read directly by a scenario (workload.traces' public-trace form)
cat > "$T/direct.json" <<EOF2
{"name": "direct", "durationSeconds": 200, "region": "us-east-1", "availabilityZones": ["us-east-1a", "us-east-1b"],
 "limits": {"maxInstances": 100},
 "workload": {"traces": [{"format": "swf", "swf": "$PWD/tests/data/import/swf/jobs.swf"},
  {"format": "alibaba2017", "batchTask": "$PWD/tests/data/import/alibaba2017/batch_task.csv",
   "serverEvent": "$PWD/tests/data/import/alibaba2017/server_event.csv", "machineCores": 64},
  {"format": "openb", "nodes": "$PWD/tests/data/import/openb/nodes.csv", "pods": "$PWD/tests/data/import/openb/pods.csv"}]}}
EOF2
check "validate a scenario reading swf, alibaba2017 and openb" "$ECSIM" validate "$T/direct.json"
check "run a scenario reading swf, alibaba2017 and openb" "$ECSIM" run "$T/direct.json" --quiet --out "$T/direct"
# 12 + 8 + 1 swf tasks, 12 + 1 + 1 alibaba2017 tasks, 6 openb pods
n=$(($(wc -l <"$T/direct/tasks.csv") - 1))
[ "$n" -eq 41 ] && ok "direct import: 41 tasks" || ko "direct import: 41 tasks (got $n)"
expect_exit 2 "a table of another format" "not a table of the swf format" sh -c \
	"sed 's/\"swf\": \"/\"pods\": \"/' '$T/direct.json' > '$T/direct2.json'; '$ECSIM' validate '$T/direct2.json'"
cat > "$T/direct3.json" <<EOF2
{"name": "direct3", "durationSeconds": 200, "region": "us-east-1", "availabilityZones": ["us-east-1a"],
 "workload": {"traces": [{"format": "swf", "swf": "$PWD/tests/data/import/swf/jobs.swf", "machineMemory": 0.5}]}}
EOF2
expect_exit 2 "machineMemory of another format" "$.workload.traces[0].machineMemory: only for the alibaba2017 format" \
	"$ECSIM" validate "$T/direct3.json"
# a gzip file given to validate: said to be gzip, pointed to ecsim import
gzip -c tests/data/import/google/task_events.csv > "$T/te.csv.gz"
expect_exit 2 "validate a gzip file" "a gzip-compressed file: validate reads ecsim's own traces" \
	"$ECSIM" validate "$T/te.csv.gz"

# --strategy reaches services: the service scenario places differently under
# binpack and az-balanced-spread, and the summary names what was used
for tpl in binpack az-balanced-spread; do
	check "services under $tpl" "$ECSIM" run scenarios/service-rollout.json --quiet --strategy "$tpl" --out "$T/svc-$tpl"
done
cmp -s "$T/svc-binpack/tasks.csv" "$T/svc-az-balanced-spread/tasks.csv" \
	&& ko "services follow --strategy" || ok "services follow --strategy"
grep -q ',binpack,[0-9][0-9]*,[0-9][0-9]*$' "$T/svc-binpack/service_summary.csv" && ok "service_summary names the strategy" \
	|| ko "service_summary names the strategy"
# cross-zone off: an AZ outage costs more requests when binpack has packed
# the service into few AZs than under az-balanced-spread (README)
check "crosszone under binpack" "$ECSIM" run scenarios/crosszone.json --quiet --strategy binpack --out "$T/cz-binpack"
lost() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ print $c["arrivals"] - $c["served"] }' "$1/lb_summary.csv"; }
if [ -e "$T/crosszone.a/lb_summary.csv" ] && [ -e "$T/cz-binpack/lb_summary.csv" ] &&
   awk -v a="$(lost "$T/crosszone.a")" -v b="$(lost "$T/cz-binpack")" 'BEGIN { exit !(b > a + 1000) }'; then
	ok "crosszone: binpack loses more requests than az-balanced-spread"
else
	ko "crosszone: binpack loses more requests than az-balanced-spread"
fi
# blue-green.json (README, docs/ecs-model.md §5.7): the LINEAR deployment's
# production shifts are 20, 40, 60, 80, 100 % two minutes apart, CLEAN_UP five
# minutes (the bake time) after the last; the broken revision fails and the
# service rolls back: a new deployment 4 of revision 2 (choice E150),
# IN_PROGRESS at the failure, then COMPLETED, whose tasks were never stopped: the run
# ends with 6 tasks of web-v2 running and none of web-broken
bg="$T/blue-green.a"
got=$(awk -F, 'NR > 1 && $3 == 2 && $6 == "PRODUCTION_TRAFFIC_SHIFT" { if (n++) printf " "; printf "%s@%d", $7, $1 - t0; if (n == 1) t0 = $1 }
	NR > 1 && $3 == 2 && $6 == "CLEAN_UP" { c = $1 } END { printf " clean+%d", c - t0 }' "$bg/deployments.csv" 2>/dev/null)
# (the first shift's offset is printed before t0 is set: it is its own time)
want_tail="40.0@120 60.0@240 80.0@360 100.0@480 clean+780"
case "$got" in
	20.0@*" $want_tail") ok "blue-green: LINEAR shifts every 2 min, clean-up after the 5-min bake ($got)" ;;
	*) ko "blue-green: LINEAR shifts every 2 min, clean-up after the 5-min bake (got '$got', want 20.0@T $want_tail)" ;;
esac
if grep -q ',web,3,web-broken,LINEAR,FAILED,' "$bg/deployments.csv" 2>/dev/null &&
   fail_at=$(awk -F, '$3 == 3 && $6 == "FAILED" { print $1 }' "$bg/deployments.csv") &&
   grep -q "^$fail_at,web,4,web-v2,LINEAR,IN_PROGRESS,100.0\$" "$bg/deployments.csv" &&
   grep -q ',web,4,web-v2,LINEAR,COMPLETED,100.0$' "$bg/deployments.csv" &&
   [ "$(awk -F, 'NR > 1 && $2 == "web:2" && $8 == "" { n++ } END { print n + 0 }' "$bg/tasks.csv")" = 6 ] &&
   [ "$(awk -F, 'NR > 1 && $2 == "web:3" && $8 == "" { n++ } END { print n + 0 }' "$bg/tasks.csv")" = 0 ]; then
	ok "blue-green: the broken revision rolls back, revision 2 keeps its 6 tasks"
else
	ko "blue-green: the broken revision rolls back, revision 2 keeps its 6 tasks"
fi
# deploy-alarms.json (README, docs/ecs-model.md §5.6): revision 2 completes
# 180 s (the CPU alarm's 3 x 60 s, choice E137) after its BAKE_TIME row; the
# hot revision 3 fails when web-cpu-high enters ALARM (the row names web:3)
# and the service rolls back: a new deployment 4 of revision 2 (choice
# E150), IN_PROGRESS at that instant, then COMPLETED, ends with its 6 tasks
da="$T/deploy-alarms.a"
got=$(awk -F, 'NR > 1 && $3 == 2 && $6 == "BAKE_TIME" { b = $1 } NR > 1 && $3 == 2 && $6 == "COMPLETED" && !c { c = $1 }
	END { printf "%d", c - b }' "$da/deployments.csv" 2>/dev/null)
at=$(awk -F, '$2 == "web-cpu-high" && $3 == "ALARM" && $5 == "web:3" { print $1; exit }' "$da/alarms.csv" 2>/dev/null)
if [ "$got" = 180 ] && [ -n "$at" ] &&
   grep -q "^$at,web,3,web-hot,ROLLING,FAILED," "$da/deployments.csv" &&
   grep -q "^$at,web,4,web-v2,ROLLING,IN_PROGRESS," "$da/deployments.csv" &&
   grep -q ",web,4,web-v2,ROLLING,COMPLETED," "$da/deployments.csv" &&
   [ "$(awk -F, 'NR > 1 && $2 == "web:2" && $8 == "" { n++ } END { print n + 0 }' "$da/tasks.csv")" = 6 ] &&
   [ "$(awk -F, 'NR > 1 && $2 == "web:3" && $8 == "" { n++ } END { print n + 0 }' "$da/tasks.csv")" = 0 ]; then
	ok "deploy-alarms: 180-s bake, the CPU alarm fails revision 3 and rolls back to revision 2 ($at s)"
else
	ko "deploy-alarms: 180-s bake, the CPU alarm fails revision 3 and rolls back to revision 2 (bake '$got', ALARM at '$at')"
fi
# an alarm name that $.alarms lacks: exit 2 at its JSON path
sed 's/"alarmNames": \["web-cpu-high"/"alarmNames": ["web-cpu-hgh"/' scenarios/deploy-alarms.json >"$T/da-bad.json"
cp -r scenarios/taskdefs scenarios/traces "$T/" 2>/dev/null
"$ECSIM" run "$T/da-bad.json" --quiet --out "$T/da-bad" 2>"$T/da-bad.err"; rc=$?
if [ $rc = 2 ] && grep -q 'alarms.alarmNames\[0\]: unknown alarm .web-cpu-hgh.' "$T/da-bad.err"; then
	ok "deploy-alarms: an unknown alarm name exits 2 at its path"
else
	ko "deploy-alarms: an unknown alarm name exits 2 at its path (exit $rc: $(head -1 "$T/da-bad.err"))"
fi
# autoscaling.json runs on a managed-scaling capacity provider (README):
# scaling.csv has its scale-outs and scale-ins, every task names the
# provider, and the instances follow the load (2 at night, more at the peak,
# fewer again at midnight)
as="$T/autoscaling.a"
if [ -e "$as/scaling.csv" ] && grep -q ',capacity_provider,cp-web,CapacityProviderReservation,.*,scale-out,' "$as/scaling.csv" &&
   grep -q ',capacity_provider,cp-web,CapacityProviderReservation,.*,scale-in,' "$as/scaling.csv"; then
	ok "autoscaling: the capacity provider scales out and in (scaling.csv)"
else
	ko "autoscaling: the capacity provider scales out and in (scaling.csv)"
fi
if [ -e "$as/tasks.csv" ] && awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["capacity_provider"] != "cp-web" { bad = 1 } END { exit bad || NR < 2 }' "$as/tasks.csv"; then
	ok "autoscaling: every task ran on cp-web (tasks.csv capacity_provider)"
else
	ko "autoscaling: every task ran on cp-web (tasks.csv capacity_provider)"
fi
if [ -e "$as/timeseries.csv" ] && awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$1 == 7200 { night = $c["instances_registered"] } $1 == 43200 { peak = $c["instances_registered"] }
	{ last = $c["instances_registered"] } END { exit !(night == 2 && peak >= 8 && last < peak) }' "$as/timeseries.csv"; then
	ok "autoscaling: instances follow the load (2 at night, >= 8 at noon, fewer at the end)"
else
	ko "autoscaling: instances follow the load (2 at night, >= 8 at noon, fewer at the end)"
fi
# request-scaling.json scales on ALBRequestCountPerTarget (README): the
# desired count follows ceil(requests per minute / 1000) each hour — out
# 3 -> 9 -> 18 three datapoints after each step up, in 18 -> 12 -> 5 -> 3
# fifteen after each step down — and the CPU derived from the requests
# settles at 5 + 85 x (950 / 60 x 0.2 / 10) = 31.9 %
rq="$T/request-scaling.a"
if [ -e "$rq/scaling.csv" ] && [ "$(awk -F, 'NR > 1 { printf "%s:%s>%s ", $1, $6, $7 }' "$rq/scaling.csv")" = \
   "3780.000:3>9 7380.000:9>18 11700.000:18>12 15300.000:12>5 18900.000:5>3 " ] &&
   [ "$(awk -F, 'NR > 1 { print $4 }' "$rq/scaling.csv" | sort -u)" = ALBRequestCountPerTarget ]; then
	ok "request-scaling: the desired count follows the requests (3, 9, 18, 12, 5, 3)"
else
	ko "request-scaling: the desired count follows the requests (3, 9, 18, 12, 5, 3)"
fi
if [ -e "$rq/services.csv" ] && awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$1 == 3000 || $1 == 9000 { v = $c["cpu_utilization_pct"]; if (v < 31.8 || v > 32) bad = 1; n++ }
	END { exit bad || n != 2 }' "$rq/services.csv"; then
	ok "request-scaling: CPU derived from the requests (31.9 %)"
else
	ko "request-scaling: CPU derived from the requests (31.9 %)"
fi
# the AZ outage's row of failures.csv counts the requests it cost: > 0, and
# the 502/503/504 of requests.csv's traffic rows over the intervals that
# overlap [time_s, time_s + duration_s] (an interval (start, t] counts when
# t >= time_s and start < time_s + duration_s; start is the previous row's
# time)
cz_cost() { awk -F, -v want="$2" 'FNR == 1 { for (i = 1; i <= NF; i++) c[FILENAME, $i] = i; next }
	FILENAME ~ /failures/ && $c[FILENAME, "kind"] == "az_outage" { t0 = $1; t1 = $1 + $c[FILENAME, "duration_s"]; got = $c[FILENAME, "requests_failed"] }
	FILENAME ~ /requests/ && $3 == "" { t = $1; if (t != cur) { start = cur; cur = t }
		e = $6 + $7 + $8; if (t >= t0 && start < t1) sum += e }
	END { if (want == "got") print got; else printf "%.3f\n", sum }' "$1/failures.csv" "$1/requests.csv"; }
for d in crosszone.a cz-binpack; do
	got=$(cz_cost "$T/$d" got); want=$(cz_cost "$T/$d" want)
	if [ -n "$got" ] && awk -v g="$got" -v w="$want" 'BEGIN { exit !(g > 0 && g - w < 0.0015 && w - g < 0.0015) }'; then
		ok "$d: failures.csv requests_failed of the AZ outage ($got) = requests.csv over its window"
	else
		ko "$d: failures.csv requests_failed of the AZ outage ($got) = requests.csv over its window ($want)"
	fi
done
# summary.csv's cost per million requests: cost_total_usd × 10^6 ÷ the
# arrivals of requests.csv's all-AZ rows; a run without load balancers has
# no such column
for d in web-lb.a crosszone.a; do
	got=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ if (c["cost_per_million_requests_usd"]) print $c["cost_per_million_requests_usd"] "," $c["cost_total_usd"] }' "$T/$d/summary.csv")
	arr=$(awk -F, 'NR > 1 && $3 == "" { s += $4 } END { printf "%.6f\n", s }' "$T/$d/requests.csv")
	if [ -n "${got%%,*}" ] && awk -v g="${got%%,*}" -v t="${got#*,}" -v a="$arr" \
		'BEGIN { w = t * 1e6 / a; exit !(a > 0 && g - w < 0.00006 && w - g < 0.00006) }'; then
		ok "$d: cost_per_million_requests_usd = cost_total_usd x 10^6 / arrivals (${got%%,*})"
	else
		ko "$d: cost_per_million_requests_usd = cost_total_usd x 10^6 / arrivals (got '$got', arrivals $arr)"
	fi
done
if head -1 "$T/default.a/summary.csv" | grep -q cost_per_million_requests_usd; then
	ko "no cost_per_million_requests_usd without load balancers"
else
	ok "no cost_per_million_requests_usd without load balancers"
fi
grep -q '"lb_summary.csv"' "$T/crosszone.a/run.json" && ok "run.json lists the load balancer's outputs" \
	|| ko "run.json lists the load balancer's outputs"
# an AZ outage behind a load balancer: the targets stop answering at once,
# so ECS stops the tasks for failed ELB health checks before it notices the
# hosts; recovery.csv still has the fault's row for the service, one row,
# with every running task the fault took (failures.csv service_tasks_affected)
for d in web-lb.a crosszone.a cz-binpack; do
	want=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["kind"] == "az_outage" { print $c["fault_id"] "," $c["service_tasks_affected"] }' "$T/$d/failures.csv" 2>/dev/null)
	got=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ n++; r = $c["fault_id"] "," $c["lost"] } END { if (n == 1) print r }' "$T/$d/recovery.csv" 2>/dev/null)
	if [ -n "$want" ] && [ "$got" = "$want" ] && [ "${want#*,}" -gt 0 ]; then
		ok "$d: recovery.csv has the AZ outage's row, lost = its service tasks ($got)"
	else
		ko "$d: recovery.csv has the AZ outage's row, lost = its service tasks (got '$got', want '$want')"
	fi
done
# targets.csv is a log like tasks.csv: --no-task-log skips it (and a rerun
# removes an earlier one), the other load-balancer files stay
check "crosszone --no-task-log" "$ECSIM" run scenarios/crosszone.json --quiet --out "$T/cz-ntl"
check "crosszone rerun --no-task-log" "$ECSIM" run scenarios/crosszone.json --quiet --no-task-log --out "$T/cz-ntl"
if [ ! -e "$T/cz-ntl/targets.csv" ] && [ -s "$T/cz-ntl/requests.csv" ] && [ -s "$T/cz-ntl/lb_summary.csv" ] &&
   ! grep -q '"targets.csv"' "$T/cz-ntl/run.json"; then
	ok "--no-task-log skips targets.csv, keeps requests.csv and lb_summary.csv"
else
	ko "--no-task-log skips targets.csv, keeps requests.csv and lb_summary.csv"
fi
check "--strategy with a DAEMON service" "$ECSIM" run scenarios/daemon.json --quiet --strategy binpack --out "$T/dmn"
grep -q '^logs,.*,daemon,[0-9][0-9]*,[0-9][0-9]*$' "$T/dmn/service_summary.csv" && ok "DAEMON service takes no strategy" \
	|| ko "DAEMON service takes no strategy"
# ecsim validate finds what a run would fail on, without running
V=tests/data/validate
for f in bad-memberof.json bad-memberof-paren.json; do
	expect_exit 2 "validate refuses $f" "expression: column" "$ECSIM" validate "$V/$f"
	expect_exit 2 "inspect refuses $f" "expression: column" "$ECSIM" inspect "$V/$f"
done
expect_exit 2 "inspect names the column" "column 32: expected a value after '=~'" \
	"$ECSIM" inspect "$V/bad-memberof.json"
"$ECSIM" validate "$V/refs.json" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 2 ] && ok "validate refs: exit 2" || ko "validate refs: exit 2 (got $rc)"
for want in "refs.csv:3:4: taskdef: unknown task definition 'nosuch'" \
	"refs.csv:4:5: count: expected an integer >= 1" \
	"refs.csv:5:4: taskdef: task definition 'missing-file.json'" \
	"refs.csv:6:4: taskdef: task definition 'bad-memberof.json'" \
	"refs.csv:7:3: target: unknown service 'nosvc'" \
	"refs.csv:8:4: taskdef: unknown task definition 'nosuch2'" \
	"refs.csv:9:7: group: 'us-east-9z' is not one of the scenario's availabilityZones" \
	"refs.csv:10:3: target: unknown instance type 'm9.huge'" \
	"refs.csv:13:3: target: unknown instance 'ci-00004'" \
	"refs.csv:14:3: target: unknown instance 'ci-3'" \
	"refs.csv:15:3: target: 'us-west-2a' is not one of" \
	"refs.csv:16:3: target: unknown instance 'i-0abc'"; do
	grep -qF -- "$want" "$T/err" && ok "validate reports $want" || ko "validate reports $want"
done
n=$(grep -c "refs.csv" "$T/err")
[ "$n" -eq 12 ] && ok "validate refs: exactly the 12 bad rows" || ko "validate refs: exactly the 12 bad rows (got $n)"
# many bad rows: all counted, the first 100 printed
{
	echo "time_s,event,target,taskdef,count,duration_s,group"
	i=0; while [ $i -lt 150 ]; do echo "$i,run_task,,nosuch$i,1,10,"; i=$((i + 1)); done
} > "$T/many.csv"
sed 's|"count11.csv"|"many.csv"|; s|"../../../scenarios/taskdefs/web.json"|"'"$PWD"'/scenarios/taskdefs/web.json"|' \
	"$V/count11.json" > "$T/many.json"
"$ECSIM" validate "$T/many.json" >"$T/out" 2>"$T/err"
rc=$?
n=$(grep -c "unknown task definition" "$T/err")
[ $rc -eq 2 ] && [ "$n" -eq 100 ] && grep -qF "... and 50 more errors" "$T/err" &&
	ok "validate caps the printed errors at 100" || ko "validate caps the printed errors at 100 (exit $rc, $n printed)"
expect_exit 0 "validate recognises a generator spec" "ok (generator spec)" \
	"$ECSIM" validate scenarios/gen/google-shaped.json
# A13: a run_task count above 10 is allowed, as calls of 10 one after the
# other (E16): count 11 runs 11 tasks; a row of 25 gives every output of rows
# of 10, 10 and 5 at the same instant, on instances (a static host port:
# most of them wait) and through a capacity provider strategy whose base
# each call of 10 takes again (11 FARGATE of 25, not 8 as one call of 25)
expect_exit 0 "validate accepts count 11" "ok" "$ECSIM" validate "$V/count11.json"
check "run accepts count 11" "$ECSIM" run "$V/count11.json" --quiet --out "$T/c11"
[ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "tasks_submitted") c = i }
	NR == 2 { print $c }' "$T/c11/summary.csv")" = 21 ] && ok "count 11: 21 tasks submitted" ||
	ko "count 11: 21 tasks submitted"
check "run a count of 25" "$ECSIM" run tests/data/count25/one.json --quiet --out "$T/c25one"
check "run counts of 10, 10, 5" "$ECSIM" run tests/data/count25/split.json --quiet --out "$T/c25split"
same_outputs "$T/c25one" "$T/c25split" && ok "count 25 = calls of 10, 10, 5" || ko "count 25 = calls of 10, 10, 5"
[ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "capacity_provider") c = i }
	NR > 1 && $c == "FARGATE" { n++ } END { print n }' "$T/c25one/tasks.csv")" = 11 ] && ok "count 25: each call of 10 takes the base again" ||
	ko "count 25: each call of 10 takes the base again"
# a run failing on bad input at a trace row leaves no new folder behind
expect_exit 2 "run fails at a bad row" "unknown task definition 'nosuch'" \
	"$ECSIM" run "$V/refs.json" --quiet --out "$T/fresh/sub/out"
[ -e "$T/fresh" ] && ko "failed run leaves no new folder" || ok "failed run leaves no new folder"
expect_exit 2 "run with --explain fails at a bad row" "unknown task definition 'nosuch'" \
	"$ECSIM" run "$V/refs.json" --quiet --out "$T/fresh3/sub/out" --explain task-1,task-2,task-11
[ -e "$T/fresh3" ] && ko "failed run with --explain leaves no new folder" || ok "failed run with --explain leaves no new folder"
expect_exit 2 "run fails at load" "count" "$ECSIM" run tests/data/scenarios/bad-count.json --quiet --out "$T/fresh2/out"
[ -e "$T/fresh2" ] && ko "run failing at load leaves no new folder" || ok "run failing at load leaves no new folder"

# every output file belongs to the run: stale files removed, run.json written last
check "run for stale" "$ECSIM" run scenarios/default.json --quiet --out "$T/st"
echo keep > "$T/st/notes.txt"
check "rerun --no-task-log" "$ECSIM" run scenarios/default.json --quiet --no-task-log --out "$T/st"
[ -e "$T/st/tasks.csv" ] && ko "no stale tasks.csv after --no-task-log" || ok "no stale tasks.csv after --no-task-log"
[ -e "$T/st/placement_failures.csv" ] && ko "no stale placement_failures.csv" || ok "no stale placement_failures.csv"
[ -e "$T/st/notes.txt" ] && ok "a user's file is kept" || ko "a user's file is kept"
grep -q '"taskLog":[[:space:]]*false' "$T/st/run.json" 2>/dev/null && ok "run.json says no task log" || ko "run.json says no task log"
# run.json lists exactly the files in the folder (but itself and the user's)
got=$(ls "$T/st" | grep -v -e '^run.json$' -e '^notes.txt$' | sort | tr '\n' ' ')
listed=$(sed -n '/"files"/,$p' "$T/st/run.json" 2>/dev/null | grep -o '"[a-z_]*\.csv"' | tr -d '"' | sort | tr '\n' ' ')
[ -n "$got" ] && [ "$got" = "$listed" ] && ok "run.json lists the files written" || ko "run.json lists the files written ($listed vs $got)"
for field in '"ecsim":' '"command":' '"scenario":[[:space:]]*"scenarios/default.json"' '"scenarioHash":[[:space:]]*"fnv1a64:' \
	'"seed":[[:space:]]*42' '"strategy":' '"tieBreak":[[:space:]]*"random"' '"until":[[:space:]]*null'; do
	grep -q "$field" "$T/st/run.json" 2>/dev/null && ok "run.json has $field" || ko "run.json has $field"
done
cp "$T/st/run.json" "$T/run1.json" 2>/dev/null
check "same command again" "$ECSIM" run scenarios/default.json --quiet --no-task-log --out "$T/st"
cmp -s "$T/run1.json" "$T/st/run.json" && ok "run.json is deterministic" || ko "run.json is deterministic"
check "run with options" "$ECSIM" run scenarios/default.json --quiet --seed 9 --until 120 --tie-break first --out "$T/opt"
grep -q '"seed":[[:space:]]*9,' "$T/opt/run.json" && grep -q '"until":[[:space:]]*120' "$T/opt/run.json" &&
	grep -q '"tieBreak":[[:space:]]*"first"' "$T/opt/run.json" && ok "run.json records the options" || ko "run.json records the options"
ls "$T/opt" | grep -q '\.tmp$' && ko "run.json leaves no temporary file" || ok "run.json leaves no temporary file"

# --explain: explain.csv's chosen instance is the one tasks.csv says the task
# was placed on, for standalone, service and daemon tasks; explaining changes
# no other output; an id that never appears is a warning, not an error
for n in default service-rollout daemon az-outage; do
	check "run $n for explain" "$ECSIM" run scenarios/$n.json --quiet --out "$T/x0-$n"
	ids=$( (awk -F, 'NR > 1 && $4 == "" && $9 != "" { print $1 }' "$T/x0-$n/tasks.csv" | head -4;
		awk -F, 'NR > 1 && $4 != "" && $9 != "" { print $1 }' "$T/x0-$n/tasks.csv" | sed -n '1p;5p;9p;20p') | tr '\n' ',')
	expect_exit 0 "run $n --explain ($ids)" "task 'no-such-task' had no placement attempt" \
		"$ECSIM" run scenarios/$n.json --quiet --out "$T/x1-$n" --explain "$ids" --explain no-such-task
	same_outputs "$T/x0-$n" "$T/x1-$n" && ok "$n: --explain changes no other output" || ko "$n: --explain changes no other output"
	grep -q disagree "$T/err" && ko "$n: explanations agree with the engine" || ok "$n: explanations agree with the engine"
	want=$(echo "$ids" | tr ',' '\n' | while read -r id; do [ -n "$id" ] && awk -F, -v id="$id" 'NR > 1 && $1 == id { print $1 "=" $9 }' "$T/x0-$n/tasks.csv"; done | sort)
	got=$(awk -F, 'NR > 1 && $21 == "chosen" { print $1 "=" $9 }' "$T/x1-$n/explain.csv" | sort)
	[ -n "$want" ] && [ "$want" = "$got" ] && ok "$n: explain's chosen instance = tasks.csv's" || ko "$n: explain's chosen instance = tasks.csv's ($got vs $want)"
done
grep -q '"explain.csv"' "$T/x1-default/run.json" && ok "run.json lists explain.csv" || ko "run.json lists explain.csv"
check "rerun without --explain" "$ECSIM" run scenarios/default.json --quiet --out "$T/x1-default"
[ -e "$T/x1-default/explain.csv" ] && ko "no stale explain.csv" || ok "no stale explain.csv"
# every row of an attempt names the attempt's result; filtered rows a check
awk -F, 'NR > 1 && $21 == "filtered" && ($13 == "" || $14 == "") { bad = 1 } END { exit bad }' "$T/x1-daemon/explain.csv" &&
	ok "filtered rows name a check and a reason" || ko "filtered rows name a check and a reason"

# ecsim plot: a run's folder gives a non-empty PNG and SVG (gnuplot is
# installed by scripts/setup-deps.sh; skipped with a message without it)
if command -v gnuplot >/dev/null 2>&1; then
	for n in default az-outage; do
		check "run $n for plot" "$ECSIM" run scenarios/$n.json --quiet --out "$T/p-$n"
		check "plot $n" "$ECSIM" plot "$T/p-$n"
		[ -s "$T/p-$n/run.png" ] && head -c 8 "$T/p-$n/run.png" | grep -q PNG && ok "$n: run.png is a PNG" || ko "$n: run.png is a PNG"
		[ -s "$T/p-$n/run.svg" ] && grep -q '<svg' "$T/p-$n/run.svg" && ok "$n: run.svg is an SVG" || ko "$n: run.svg is an SVG"
	done
	# the title names scenario, strategy and seed; the AZ outages are labelled
	grep -q 'az-outage — strategy default — seed 21' "$T/p-az-outage/run.svg" && ok "plot title" || ko "plot title"
	grep -q 'AZ outage us-east-1a' "$T/p-az-outage/run.svg" && ok "plot labels the fault" || ko "plot labels the fault"
	# the newer kinds of failures.csv are drawn too (health checks, Fargate Spot)
	check "run health-check for plot" "$ECSIM" run scenarios/health-check.json --quiet --out "$T/p-health-check"
	check "plot health-check" "$ECSIM" plot "$T/p-health-check"
	grep -q 'health check failing, for good (3)' "$T/p-health-check/run.svg" &&
		ok "plot draws health_check_fail" || ko "plot draws health_check_fail"
	# a run with load balancers gets a second page, requests.png / .svg;
	# one without does not
	check "plot crosszone" "$ECSIM" plot "$T/crosszone.a"
	[ -s "$T/crosszone.a/requests.png" ] && head -c 8 "$T/crosszone.a/requests.png" | grep -q PNG &&
		ok "crosszone: requests.png is a PNG" || ko "crosszone: requests.png is a PNG"
	grep -q 'Error rate' "$T/crosszone.a/requests.svg" && grep -q 'AZ outage us-east-1b' "$T/crosszone.a/requests.svg" &&
		ok "crosszone: requests.svg draws the error rate and the fault" || ko "crosszone: requests.svg draws the error rate and the fault"
	[ ! -e "$T/p-default/requests.png" ] && ok "no requests page without load balancers" || ko "no requests page without load balancers"
else
	echo "skip ecsim plot: gnuplot is not installed (scripts/setup-deps.sh installs it)"
	skip=$((skip + 1))
fi
expect_exit 2 "plot: not a results folder" "not a results folder" "$ECSIM" plot scenarios
expect_exit 2 "plot: missing folder" "missing results folder" "$ECSIM" plot
ECSIM_ABS="$(cd "$(dirname "$ECSIM")" && pwd)/$(basename "$ECSIM")"
if [ ! -e plots/compare.gp ]; then
	mkdir -p "$T/cmp" && : > "$T/cmp/comparison.csv"
	expect_exit 1 "plot: a comparison folder is not plotted yet" "not yet" "$ECSIM" plot "$T/cmp"
fi
mkdir -p "$T/nognu"
expect_exit 1 "plot: gnuplot missing" "gnuplot is not installed" env PATH="$T/nognu" "$ECSIM_ABS" plot "$T/x0-default"

. tests/e2e-robust.sh

echo "e2e: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
