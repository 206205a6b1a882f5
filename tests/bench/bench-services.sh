#!/bin/sh
# tests/bench/bench-services.sh ECSIM — the service scheduler under churn:
# S REPLICA services of D tasks each (scenarios/taskdefs/web.json, the
# service default strategy: spread over AZs, then instances) on 2,100
# m5.xlarge in 3 AZs, every task exiting after a lognormal runtime (mean
# 900 s, sd 600 s) and replaced by its service, for BENCH_SVC_SECONDS of
# simulated time (default 86400, 1 day: some 2 CPU s a run, long enough to
# read past this machine class's noise), at (S, D) = (50, 200) and (10,
# 1000): the same load in fewer, larger services, so that a cost per task
# that grows with a service's size (a look at all its tasks) shows in the
# second.  `ecsim run --no-task-log`; prints tasks/s,
# events/task, CPU seconds (user + system, when /usr/bin/time exists; else
# wall) and peak RSS; asserts nothing.  Run from the repository root.
ECSIM=${1:-./ecsim}
SECS=${BENCH_SVC_SECONDS:-86400}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cp scenarios/taskdefs/web.json "$T/"

echo "== ecsim run: services under churn (lognormal 900 s runtimes, 2,100 m5.xlarge), $SECS s, --no-task-log"
printf '%9s %9s %10s %12s %12s %10s %12s\n' services per_svc tasks tasks_per_s events/task cpu_s peak_rss_kb
for shape in "50 200" "10 1000"; do
	set -- $shape
	{
		printf '{ "name": "bench-services", "seed": 7, "durationSeconds": %s, "metricsIntervalSeconds": 60,\n' "$SECS"
		printf '  "region": "us-east-1", "availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],\n'
		printf '  "instanceGroups": ['
		for z in a b c; do
			[ $z = a ] || printf ','
			printf '\n    { "name": "g%s", "instanceType": "m5.xlarge", "availabilityZone": "us-east-1%s", "count": 700 }' $z $z
		done
		printf ' ],\n  "taskDefinitions": { "web": "web.json" },\n  "services": ['
		i=0
		while [ $i -lt "$1" ]; do
			[ $i = 0 ] || printf ','
			printf '\n    { "serviceName": "s%d", "taskDefinition": "web", "desiredCount": %d,' $i "$2"
			printf ' "runtimeSeconds": { "lognormal": { "mean": 900, "sd": 600 } } }'
			i=$((i + 1))
		done
		printf ' ] }\n'
	} > "$T/svc.json"
	rm -rf "$T/out"
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%U %S %M' -o "$T/time" "$ECSIM" run "$T/svc.json" --quiet --no-task-log --out "$T/out" ||
			{ echo "run failed"; exit 1; }
		read -r u sy rss < "$T/time"
	else
		"$ECSIM" run "$T/svc.json" --quiet --no-task-log --out "$T/out" || { echo "run failed"; exit 1; }
		u=; sy=; rss=
	fi
	# columns found by name in the header
	col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i } NR == 2 { print (k ? $k : "?") }' "$1"; }
	awk -v s="$1" -v d="$2" -v u="$u" -v sy="$sy" -v rss="$rss" -v w="$(col "$T/out/perf.csv" wall_seconds)" \
		-v ev="$(col "$T/out/perf.csv" events)" -v n="$(col "$T/out/summary.csv" tasks_submitted)" \
		-v prss="$(col "$T/out/perf.csv" peak_rss_kb)" 'BEGIN {
		cpu = (u == "") ? w : u + sy;
		printf "%9d %9d %10d %12.0f %12.2f %10.2f %12s\n", s, d, n, n / cpu, ev / n, cpu, rss == "" ? prss : rss }'
done
