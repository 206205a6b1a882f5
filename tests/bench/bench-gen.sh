#!/bin/sh
# tests/bench/bench-gen.sh ECSIM — `ecsim gen` and a full replay of what it
# generates: scenarios/gen/google-shaped.json (12,500 instances in 3 AZs,
# registered by the trace's register_instance rows) sized by --duration to
# about 10^6 rows (BENCH_GEN_SECONDS, default 69000 s ~ 1.0e6 rows), then
# `ecsim run --no-task-log` on it with az-balanced-binpack and the task
# definitions of scenarios/taskdefs/ (api's static host port made dynamic).
# Prints rows/s of generation, events/s and peak RSS of the run; asserts
# nothing.  Run from the repository root.
ECSIM=${1:-./ecsim}
SECS=${BENCH_GEN_SECONDS:-69000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

echo "== ecsim gen: scenarios/gen/google-shaped.json, --duration $SECS"
"$ECSIM" gen scenarios/gen/google-shaped.json --duration "$SECS" --out "$T/trace.csv" \
	2> "$T/gen.err" || { cat "$T/gen.err"; echo "gen failed"; exit 1; }
sed -n 's/^ecsim: gen: \([0-9]*\) rows to .* in \([0-9.]*\) s (\([0-9]*\) rows\/s)$/rows \1, wall_s \2, rows_per_s \3/p' "$T/gen.err"

cp scenarios/taskdefs/web.json scenarios/taskdefs/batch.json "$T/"
sed 's/"hostPort": 8443/"hostPort": 0/' scenarios/taskdefs/api.json > "$T/api.json"
cat > "$T/bench.json" <<JSON
{ "name": "bench-gen", "seed": 1, "durationSeconds": $SECS, "metricsIntervalSeconds": 60,
  "region": "us-east-1", "availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
  "taskDefinitions": { "web": "web.json", "api": "api.json", "batch": "batch.json" },
  "placement": { "strategy": "az-balanced-binpack" },
  "workload": { "traces": ["trace.csv"] } }
JSON
echo "== ecsim run: the generated trace on 12,500 instances, az-balanced-binpack, --no-task-log"
"$ECSIM" run "$T/bench.json" --quiet --no-task-log --out "$T/out" || { echo "run failed"; exit 1; }
# columns found by name in the header, so added columns do not shift them
col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i } NR == 2 { print (k ? $k : "?") }' "$1"; }
P="$T/out/perf.csv" S="$T/out/summary.csv"
printf '%10s %12s %14s %12s\n' wall_s events events_per_s peak_rss_kb
printf '%10s %12s %14s %12s\n' "$(col "$P" wall_seconds)" "$(col "$P" events)" \
	"$(col "$P" events_per_second)" "$(col "$P" peak_rss_kb)"
echo "placed $(col "$S" tasks_placed) of $(col "$S" tasks_submitted) tasks," \
	"mean cpu reserved $(col "$S" mean_cpu_reserved_pct) %, peak instances used $(col "$S" peak_instances_used)"
