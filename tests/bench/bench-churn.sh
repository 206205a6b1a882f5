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
# some 750 bytes each); asserts nothing.  Then the same lengths of a
# capacity provider scaled out and in every two hours (managed scaling:
# 0 to ~75 m5.xlarge and back, 900 instances registered a day; its minute's
# passes must walk the group's instances still there, not every one it
# ever had), printing the instances launched instead of the faults.  Run
# from the repository root.
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

# run_days SCENARIO COLUMN: the scenario for each length; COLUMN is the
# count printed beside the figures: "faults" (failures.csv rows) or
# "instances" (instances registered: scaling.csv's launches are not rows)
run_days() {
printf '%6s %10s %10s %12s %12s\n' days "$2" cpu_s cpu_s/day peak_rss_kb
for d in $DAYS; do
	rm -rf "$T/out"
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%U %S %M' -o "$T/time" "$ECSIM" run "$1" --until $((d * 86400)) --quiet \
			--no-task-log --out "$T/out" || { echo "run failed"; exit 1; }
		read -r u sy rss < "$T/time"
	else
		"$ECSIM" run "$1" --until $((d * 86400)) --quiet --no-task-log --out "$T/out" ||
			{ echo "run failed"; exit 1; }
		u=; sy=; rss=
	fi
	col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i } NR == 2 { print (k ? $k : "?") }' "$1"; }
	if [ "$2" = faults ]; then
		f=$(($(wc -l < "$T/out/failures.csv") - 1))
	else
		# ids are ci-<registration number>: the highest in scaling.csv's
		# rows is not kept, so count the launches' new capacities instead
		f=$(awk -F, 'NR > 1 && $8 == "scale-out" { n += $7 - $6 } END { print n + 0 }' "$T/out/scaling.csv")
	fi
	awk -v d="$d" -v u="$u" -v sy="$sy" -v rss="$rss" -v w="$(col "$T/out/perf.csv" wall_seconds)" \
		-v f="$f" -v prss="$(col "$T/out/perf.csv" peak_rss_kb)" 'BEGIN {
		cpu = (u == "") ? w : u + sy;
		printf "%6d %10d %10.2f %12.3f %12s\n", d, f, cpu, cpu / d, rss == "" ? prss : rss }'
done
}

echo "== ecsim run: a Spot fleet churning (50 instances, interrupted every 600 s on average, replaced), a service and a DAEMON, --no-task-log"
run_days "$T/churn.json" faults

# a capacity provider scaled out and in every two hours: 300 standalone
# tasks (1 vCPU, 2 GB: 4 to an m5.xlarge) for 50 minutes, the group going
# from 0 to ~75 instances and back (managed scaling, managed draining)
cp scenarios/taskdefs/batch.json "$T/"
awk 'BEGIN { print "time_s,event,target,taskdef,count,duration_s,group";
	for (b = 0; b < 360; b++) for (k = 0; k < 30; k++)
		printf "%.3f,run_task,,batch,10,3000.000,burst\n", b * 7200 + k * 2 }' > "$T/cycle.csv"
cat > "$T/cycle.json" <<'JSON'
{ "name": "bench-cycle", "seed": 1, "durationSeconds": 2592000, "metricsIntervalSeconds": 300,
  "region": "us-east-1", "availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
  "capacityProviders": [
    { "name": "cp", "autoScalingGroup": { "instanceType": "m5.xlarge",
        "availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
        "minSize": 0, "maxSize": 10000, "desiredCapacity": 0 },
      "managedScaling": { "status": "ENABLED", "targetCapacity": 100 } } ],
  "defaultCapacityProviderStrategy": [{ "capacityProvider": "cp", "weight": 1 }],
  "taskDefinitions": { "batch": "batch.json" },
  "placement": { "strategy": "binpack" },
  "workload": { "traces": ["cycle.csv"] } }
JSON
echo "== ecsim run: a capacity provider scaled out and in every 2 hours (0 -> ~75 m5.xlarge -> 0, 300 tasks of 50 min), --no-task-log"
run_days "$T/cycle.json" instances
