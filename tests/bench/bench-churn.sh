#!/bin/sh
# tests/bench/bench-churn.sh ECSIM — a fleet that churns for a month: 50
# m5.large Spot instances interrupted every 10 minutes on average (two-minute
# notice with draining), each replaced by Auto Scaling 60 s later, running a
# REPLICA service of 40 tasks (scenarios/taskdefs/web.json) and a DAEMON
# beside it, for 1, 10 and 30 days of simulated time (BENCH_CHURN_DAYS,
# default "1 10 30").  Some 5,600 instances are registered a day, so what
# costs a pass over every instance ever registered (rather than over those
# still there) shows as CPU seconds per day growing with the run's length;
# a run that is linear in its length keeps them flat.  Prints per length
# the faults (failures.csv rows), CPU seconds (user + system, when
# /usr/bin/time exists; else wall), CPU seconds per simulated day and peak
# RSS (which does grow: every instance ever registered keeps its records,
# some 750 bytes each); asserts nothing.  Run from the repository root.
ECSIM=${1:-./ecsim}
DAYS=${BENCH_CHURN_DAYS:-"1 10 30"}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cp scenarios/taskdefs/web.json "$T/"
cat > "$T/churn.json" <<'JSON'
{ "name": "bench-churn", "seed": 3, "durationSeconds": 86400, "metricsIntervalSeconds": 300,
  "region": "us-west-2", "availabilityZones": ["us-west-2a", "us-west-2b"],
  "instanceGroups": [
    { "name": "spot", "instanceType": "m5.large", "availabilityZone": "us-west-2a", "count": 50,
      "spot": { "draining": true, "timeToInterruptionSeconds": { "exponential": { "mean": 600 } } },
      "autoScaling": { "replaceFailed": true, "replacementDelaySeconds": 60 } } ],
  "taskDefinitions": { "web": "web.json" },
  "services": [
    { "serviceName": "web", "taskDefinition": "web", "desiredCount": 40 },
    { "serviceName": "agent", "taskDefinition": "web", "schedulingStrategy": "DAEMON" } ] }
JSON

echo "== ecsim run: a Spot fleet churning (50 instances, interrupted every 600 s on average, replaced), a service and a DAEMON, --no-task-log"
printf '%6s %10s %10s %12s %12s\n' days faults cpu_s cpu_s/day peak_rss_kb
for d in $DAYS; do
	rm -rf "$T/out"
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%U %S %M' -o "$T/time" "$ECSIM" run "$T/churn.json" --until $((d * 86400)) --quiet \
			--no-task-log --out "$T/out" || { echo "run failed"; exit 1; }
		read -r u sy rss < "$T/time"
	else
		"$ECSIM" run "$T/churn.json" --until $((d * 86400)) --quiet --no-task-log --out "$T/out" ||
			{ echo "run failed"; exit 1; }
		u=; sy=; rss=
	fi
	col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i } NR == 2 { print (k ? $k : "?") }' "$1"; }
	awk -v d="$d" -v u="$u" -v sy="$sy" -v rss="$rss" -v w="$(col "$T/out/perf.csv" wall_seconds)" \
		-v f="$(($(wc -l < "$T/out/failures.csv") - 1))" -v prss="$(col "$T/out/perf.csv" peak_rss_kb)" 'BEGIN {
		cpu = (u == "") ? w : u + sy;
		printf "%6d %10d %10.2f %12.3f %12s\n", d, f, cpu, cpu / d, rss == "" ? prss : rss }'
done
