#!/bin/sh
# tests/bench/run-ecsim.sh ECSIM — times `ecsim run` on a generated trace of
# 10^5 tasks (300 instances in 3 AZs, a mix of three task definitions,
# az-balanced-binpack), with and without the task log.  Prints, never asserts.
ECSIM=${1:-./ecsim}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
N=${BENCH_TASKS:-100000}
awk -v n="$N" 'BEGIN {
	srand(42); print "time_s,event,target,taskdef,count,duration_s,group";
	t = 0; split("web api batch", td, " ");
	for (i = 0; i < n; i++) { t += -log(1 - rand()) * 0.25;
		printf "%.3f,run_task,,%s,1,%d,\n", t, td[1 + int(rand() * 3)], 30 + int(rand() * 600) }
}' > "$T/trace.csv"
cp scenarios/taskdefs/web.json scenarios/taskdefs/batch.json "$T/"
sed 's/"hostPort": 8443/"hostPort": 0/' scenarios/taskdefs/api.json > "$T/api.json"
cat > "$T/bench.json" <<JSON
{ "name": "bench", "seed": 1, "durationSeconds": $((N / 4 + 1000)), "metricsIntervalSeconds": 60,
  "region": "us-east-1", "availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
  "instanceGroups": [
    { "instanceType": "m5.xlarge", "availabilityZone": "us-east-1a", "count": 100 },
    { "instanceType": "m5.xlarge", "availabilityZone": "us-east-1b", "count": 100 },
    { "instanceType": "m5.xlarge", "availabilityZone": "us-east-1c", "count": 100 } ],
  "taskDefinitions": { "web": "web.json", "api": "api.json", "batch": "batch.json" },
  "placement": { "strategy": "az-balanced-binpack" },
  "workload": { "traces": ["trace.csv"] } }
JSON
echo "== ecsim run: $N tasks, 300 instances, az-balanced-binpack"
printf '%-22s %10s %12s %14s %12s\n' run wall_s events events_per_s peak_rss_kb
for mode in task-log no-task-log; do
	flag=""; [ $mode = no-task-log ] && flag=--no-task-log
	"$ECSIM" run "$T/bench.json" --quiet $flag --out "$T/out-$mode" || { echo "run failed"; exit 1; }
	tail -1 "$T/out-$mode/perf.csv" | awk -F, -v m="$mode" '{ printf "%-22s %10s %12s %14s %12s\n", m, $1, $2, $3, $4 }'
done
tail -1 "$T/out-task-log/summary.csv" | awk -F, '{ printf "placed %s of %s tasks, mean pending %s s\n", $6, $5, $8 }'
