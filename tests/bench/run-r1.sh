#!/bin/sh
# tests/bench/run-r1.sh ECSIM BENCH_R1 — reference workload R1 v2 (binpack
# memory over H hosts of 4096 CPU / 15360 MiB, kinds small/medium/large/
# xlarge, Poisson arrivals for 70 % of the cpu, exponential run times of
# mean 600 s, integer milliseconds, a FIFO pending queue) through the whole
# of ecsim — `ecsim run --no-task-log` with every latency 0, tie-break
# first — side by side with the plain C reference simulation of
# tests/bench/bench_r1.c (2 events per task, arrays and a scan) on the same
# trace, at (H, N) = (100, 10^5) and (1000, 10^6) (R1_SIZES overrides, e.g.
# R1_SIZES="100:10000").  ecsim's figure is the whole run (reading the
# trace, every event, the outputs); the reference's is its simulation only.
# Prints, never asserts.  Run from the repository root.
ECSIM=${1:-./ecsim}
BENCH=${2:-build/release/bench/bench_r1}
SIZES=${R1_SIZES:-"100:100000 1000:1000000"}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

for k in small:256:512 medium:512:1024 large:1024:2048 xlarge:2048:4096; do
	IFS=: read -r name cpu mem <<EOF
$k
EOF
	printf '{"family":"%s","containerDefinitions":[{"name":"c","image":"x","cpu":%s,"memory":%s}]}\n' \
		"$name" "$cpu" "$mem" > "$T/$name.json"
done

# cpu seconds (user + system) and peak RSS of a command, when /usr/bin/time is there
timed() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%U %S %M' -o "$T/time" "$@"
	else
		echo "? ? ?" > "$T/time"; "$@"
	fi
}

echo "== R1 v2 through ecsim run (zero latencies) vs the plain C reference, same trace"
printf '%6s %9s %12s %10s %10s %12s %14s %16s %8s\n' hosts tasks events/task ecsim_cpu_s ecsim_wall \
	peak_rss_kb "ecsim tasks/s" "plain C tasks/s" ratio
for hn in $SIZES; do
	H=${hn%%:*} N=${hn#*:}
	"$BENCH" --write-v2 "$H" "$N" "$T/r1.csv" || { echo "trace failed"; exit 1; }
	cat > "$T/r1.json" <<JSON
{ "name": "r1v2", "durationSeconds": 100000000, "metricsIntervalSeconds": 3600,
  "controlPlane": { "placementLatencySeconds": 0, "apiLatencySeconds": 0 },
  "agent": { "networkDelaySeconds": 0, "imagePullSeconds": 0, "imagePullCachedSeconds": 0,
             "containerStartSeconds": 0, "shutdownSeconds": 0 },
  "region": "us-east-1", "availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
  "instanceTypes": [ { "name": "r1.host", "vcpu": 4, "memoryGiB": 15 } ],
  "instanceDefaults": { "memoryOsFactor": 1, "reservedMemoryMiB": 0 },
  "instanceGroups": [ { "instanceType": "r1.host", "availabilityZone": "us-east-1a", "count": $H } ],
  "taskDefinitions": { "small": "small.json", "medium": "medium.json", "large": "large.json",
                       "xlarge": "xlarge.json" },
  "placement": { "tieBreak": "first", "strategy": [ { "type": "binpack", "field": "memory" } ] },
  "workload": { "traces": ["r1.csv"] } }
JSON
	timed "$ECSIM" run "$T/r1.json" --quiet --no-task-log --out "$T/out" || { echo "ecsim run failed"; exit 1; }
	read -r u sy rss < "$T/time"
	ref=$("$BENCH" --ref-v2 "$H" "$T/r1.csv")
	awk -F, -v h="$H" -v n="$N" -v u="$u" -v sy="$sy" -v rss="$rss" -v ref="$ref" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
		NR == 2 { split(ref, r, " "); cpu = (u == "?") ? $c["wall_seconds"] : u + sy;
			  tps = n / cpu;
			  printf "%6d %9d %12.2f %10.2f %10.2f %12s %14.0f %16.0f %7.1fx\n", h, n,
				  $c["events"] / n, cpu, $c["wall_seconds"], rss == "?" ? $c["peak_rss_kb"] : rss,
				  tps, r[2], r[2] / tps }' "$T/out/perf.csv"
	rm -rf "$T/out"
	if [ -z "$checked" ]; then
		# once, at the first size: every task on the reference's host?
		checked=1
		"$ECSIM" run "$T/r1.json" --quiet --out "$T/out" || { echo "ecsim run failed"; exit 1; }
		R1_HOSTS_OUT="$T/ref.csv" "$BENCH" --ref-v2 "$H" "$T/r1.csv" > /dev/null
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			 { id = $c["task_id"]; sub("task-", "", id); h = $c["instance_id"]; sub("ci-0*", "", h);
			   print id "," h - 1 }' "$T/out/tasks.csv" | sort -t, -k1,1n > "$T/eco.csv"
		sort -t, -k1,1n "$T/ref.csv" > "$T/ref-sorted.csv"
		if cmp -s "$T/eco.csv" "$T/ref-sorted.csv"; then same=yes; else same=NO; fi
		summary="(H=$H, N=$N: every task on the reference's host: $same)"
		rm -rf "$T/out"
	fi
done
echo "$summary"
echo "(ratio = plain C tasks/s / ecsim tasks/s; ecsim tasks/s from CPU seconds when /usr/bin/time exists, else wall)"
