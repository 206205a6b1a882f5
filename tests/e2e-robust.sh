# tests/e2e-robust.sh — sourced by tests/e2e.sh (uses its ECSIM, T, ok, ko,
# check, expect_exit): hostile inputs and careless operators (issue 14).

# Run alone, $T would be empty and every "$T/..." below a path under /
# ("$T/bin/gzip" is the system's gzip): refuse.
if [ -z "${T:-}" ] || [ ! -d "$T" ]; then
	echo "tests/e2e-robust.sh: sourced by tests/e2e.sh only (run: sh tests/e2e.sh ./ecsim)" >&2
	return 1 2>/dev/null || exit 1
fi

# Outputs never clobber what is not theirs.  A FIFO stands for /dev/null
# (renaming over the real device would break the machine on a regression).
mkfifo "$T/fifo"
cat "$T/fifo" > "$T/fifo.got" & rpid=$!
check "gen --out FIFO" "$ECSIM" gen scenarios/gen/google-shaped.json --duration 5 --quiet --out "$T/fifo"
if [ -p "$T/fifo" ]; then ok "gen --out FIFO leaves the FIFO a FIFO"
else ko "gen --out FIFO leaves the FIFO a FIFO"; kill $rpid; rm -f "$T/fifo"; mkfifo "$T/fifo"; fi
wait $rpid
grep -q '^time' "$T/fifo.got" && ok "gen --out FIFO writes through it" || ko "gen --out FIFO writes through it"
cat "$T/fifo" > "$T/fifo.got" & rpid=$!
check "import --out FIFO" "$ECSIM" import alibaba2018 --batch-task tests/data/import/alibaba/batch_task.csv \
	--out "$T/fifo" --quiet
[ -p "$T/fifo" ] || kill $rpid
wait $rpid
[ -p "$T/fifo" ] && ok "import --out FIFO leaves the FIFO a FIFO" || ko "import --out FIFO leaves the FIFO a FIFO"
mkdir "$T/real"
echo old > "$T/real/g.csv"
ln -s real/g.csv "$T/link.csv"
check "gen --out symlink" "$ECSIM" gen scenarios/gen/google-shaped.json --duration 5 --quiet --out "$T/link.csv"
[ -L "$T/link.csv" ] && ok "gen --out symlink keeps the link" || ko "gen --out symlink keeps the link"
grep -q '^time' "$T/real/g.csv" && ok "gen --out symlink writes the target" || ko "gen --out symlink writes the target"
ls "$T" "$T/real" | grep -q '\.tmp$' && ko "symlink output leaves no temporary file" || ok "symlink output leaves no temporary file"
check "import --out symlink" "$ECSIM" import alibaba2018 --batch-task tests/data/import/alibaba/batch_task.csv \
	--out "$T/link.csv" --quiet
[ -L "$T/link.csv" ] && ok "import --out symlink keeps the link" || ko "import --out symlink keeps the link"
mkdir "$T/runout"
ln -s ../real/g.csv "$T/runout/tasks.csv"
check "run --out with a symlinked tasks.csv" "$ECSIM" run scenarios/default.json --quiet --out "$T/runout"
[ -L "$T/runout/tasks.csv" ] && grep -q '^task' "$T/real/g.csv" && ok "run follows a symlinked output" || ko "run follows a symlinked output"
"$ECSIM" gen scenarios/gen/google-shaped.json --duration 5 --quiet --out - > "$T/stdout.csv" 2>/dev/null
grep -q '^time' "$T/stdout.csv" && [ ! -e ./- ] && ok "gen --out - is stdout" || ko "gen --out - is stdout"

# Sizes that cannot fit are refused, naming the limit.  `guard` bounds
# memory and file size so that a regression fails instead of eating the
# machine (it asserts no time).
# (no address-space cap under AddressSanitizer, which reserves terabytes of
# shadow memory up front: make asan sets ASAN_OPTIONS)
if [ -n "${ASAN_OPTIONS:-}" ]; then
	guard() { sh -c 'ulimit -f 400000; exec "$@"' guard "$@"; }
else
	guard() { sh -c 'ulimit -v 4000000; ulimit -f 400000; exec "$@"' guard "$@"; }
fi
awk 'BEGIN { printf "{\"durationSeconds\": 60, \"region\": \"us-east-1\", \"availabilityZones\": [\"us-east-1a\"], \"instanceGroups\": [";
	for (i = 0; i < 1000; i++) printf "%s{\"instanceType\": \"m5.large\", \"availabilityZone\": \"us-east-1a\", \"count\": 100000}", i ? "," : "";
	print "]}" }' > "$T/groups.json"
expect_exit 2 "1000 groups of 100000 instances refused" \
	'$.instanceGroups: the instance groups hold 100000000 instances, more than the limit of 5000' guard "$ECSIM" validate "$T/groups.json"
mk_scn() { # mk_scn FILE WORKLOAD-JSON [LIMITS-JSON]
	printf '{"durationSeconds": 600, "region": "us-east-1", "availabilityZones": ["us-east-1a"],
	 "instanceGroups": [{"instanceType": "m5.large", "availabilityZone": "us-east-1a", "count": 2}],
	 "taskDefinitions": {"web": "%s/scenarios/taskdefs/web.json"}, "workload": %s %s}\n' "$PWD" "$2" "${3:+, \"limits\": $3}" > "$1"
}
printf 'time_s,event,target,count,group\n1,register_instance,m5.large,1000000000,us-east-1a\n' > "$T/reg.csv"
mk_scn "$T/reg.json" '{"traces": ["reg.csv"]}'
expect_exit 2 "register_instance count 1e9 refused" \
	'reg.csv:2: 1000000002 container instances would be registered at once, more than the limit of 5000' \
	guard "$ECSIM" run "$T/reg.json" --quiet --out "$T/reg.out"
printf 'time_s,event,target,count,group\n1,register_instance,m5.large,5000,us-east-1a\n' > "$T/reg2.csv"
mk_scn "$T/reg2.json" '{"traces": ["reg2.csv"]}' '{"maxInstances": 5002}'
check "maxInstances raises the limit" guard "$ECSIM" run "$T/reg2.json" --quiet --out "$T/reg2.out"
mk_scn "$T/us.json" '{"generators": [{"name": "us", "interArrivalSeconds": {"constant": {"value": 0.000001}}, "taskDefinitions": ["web"]}]}'
expect_exit 2 "generator every microsecond refused" \
	'the mean gap between arrivals is 1e-06 s; expected a finite mean of at least 0.001 s' \
	guard "$ECSIM" validate "$T/us.json"
mk_scn "$T/ms.json" '{"generators": [{"name": "ms", "interArrivalSeconds": {"constant": {"value": 0.001}}, "taskDefinitions": ["web"]}]}'
expect_exit 2 "generator every millisecond stops at maxQueuedTasks" \
	'more than the limit of 100000 (a simulator limit: raise it with $.limits.maxQueuedTasks)' \
	guard "$ECSIM" run "$T/ms.json" --quiet --out "$T/ms.out"
# A run cannot spin at one instant (docs/ecs-model.md choices E85, E86):
# an arrival process whose gaps are 0 ms is refused at load, and a loop of
# zero delays ends at $.limits.maxEventsPerInstant (bounded by events, not
# by time: the old code refused the member).
mk_scn "$T/sigma.json" '{"generators": [{"name": "g", "interArrivalSeconds": {"lognormal": {"mu": 0, "sigma": 1e30}}, "taskDefinitions": ["web"], "runtimeSeconds": 0}]}'
expect_exit 2 "generator lognormal sigma 1e30 refused" \
	'$.workload.generators[0].interArrivalSeconds: the mean gap between arrivals is inf s; expected a finite mean of at least 0.001 s' \
	guard "$ECSIM" validate "$T/sigma.json"
printf '{"durationSeconds": 600, "region": "us-east-1", "availabilityZones": ["us-east-1a"],
 "instanceGroups": [{"instanceType": "m5.large", "availabilityZone": "us-east-1a", "count": 2}],
 "taskDefinitions": {"web": "%s/scenarios/taskdefs/web.json"},
 "controlPlane": {"placementLatencySeconds": 0, "apiLatencySeconds": 0, "schedulerDelaySeconds": 0},
 "agent": {"networkDelaySeconds": 0, "imagePullSeconds": 0, "imagePullCachedSeconds": 0, "containerStartSeconds": 0, "shutdownSeconds": 0},
 "services": [{"serviceName": "s", "taskDefinition": "web", "desiredCount": 2, "runtimeSeconds": 0}],
 "limits": {"maxEventsPerInstant": 5000}}\n' "$PWD" > "$T/loop.json"
expect_exit 2 "a zero-delay crash loop ends at maxEventsPerInstant" \
	'more than 5000 events at the simulated time 0.000 s (the next: ' guard "$ECSIM" run "$T/loop.json" --quiet --out "$T/loop.out"
grep -qF 'raise it with $.limits.maxEventsPerInstant (up to 1000000000000)' "$T/err" && ok "... and says how to raise it" || ko "... and says how to raise it"
[ -e "$T/loop.out" ] && ko "a stopped loop leaves no output" || ok "a stopped loop leaves no output"
printf 'M1,66666666666,j_1,1,Terminated,5,12,100,0.5\n' > "$T/ali.csv"
expect_exit 2 "alibaba instance_num 66,666,666,666 refused" \
	'ali.csv:1:2: instance_num: expected at most 1000000 instances (an importer limit: raise it with --max-instance-num' \
	guard "$ECSIM" import alibaba2018 --batch-task "$T/ali.csv" --out "$T/ali.out"
[ -e "$T/ali.out" ] && ko "refused import leaves no output" || ok "refused import leaves no output"
expect_exit 2 "gen refuses a spec too large" 'more than the limit of 10000000 (raise it with --max-rows N' \
	guard "$ECSIM" gen scenarios/gen/google-shaped.json --duration 1000000000 --out "$T/huge.csv"
[ -e "$T/huge.csv" ] || [ -e "$T/huge.csv.tmp" ] && ko "refused gen leaves no output" || ok "refused gen leaves no output"
check "gen --max-rows raises the limit" "$ECSIM" gen scenarios/gen/google-shaped.json --duration 10 --max-rows 100000 --quiet --out "$T/small.csv"

# No silent changes of values
sed 's/"name": "app"/"name": "we\\u0000b"/' scenarios/taskdefs/web.json > "$T/nul.json"
expect_exit 2 "\\u0000 in a task definition refused" 'nul.json:7:' "$ECSIM" inspect "$T/nul.json"
grep -qF 'which ecsim cannot keep' "$T/err" && ok "\\u0000 message says why" || ko "\\u0000 message says why"
printf 'time_s,event,target,taskdef,count,duration_s,group\n0,run_task,,web,1,,ab\377c\n' > "$T/utf.csv"
expect_exit 2 "invalid UTF-8 in a trace refused" 'utf.csv:2:7: group: invalid UTF-8 byte 0xff' "$ECSIM" validate "$T/utf.csv"
printf 'time_s,event,target,taskdef,count,duration_s,group\n0,run_task,,web,1,,bat' > "$T/cut.csv"
expect_exit 0 "a last row without line end is read" 'ok (trace, 1 row)' "$ECSIM" validate "$T/cut.csv"
grep -qF 'warning: '"$T"'/cut.csv:2: the last row has no line end' "$T/err" && ok "... and warned about" || ko "... and warned about"
expect_exit 2 "run --seed 2^64 refused" 'expected an integer in [0, 9223372036854775807]' \
	"$ECSIM" run scenarios/default.json --seed 18446744073709551616 --out "$T/s64"
expect_exit 2 "run --seed 2^63 refused" 'expected an integer in [0, 9223372036854775807]' \
	"$ECSIM" run scenarios/default.json --seed 9223372036854775808 --out "$T/s63"
expect_exit 2 "gen --seed 2^64 refused" 'expected an integer in [0, 18446744073709551615]' \
	"$ECSIM" gen scenarios/gen/google-shaped.json --seed 18446744073709551616 --out "$T/s.csv"
expect_exit 2 "--until states its range" 'expected seconds in [0.001, 1e11]' \
	"$ECSIM" run scenarios/default.json --until 100000000001 --out "$T/u"
# the range of the durationSeconds it overrides: under 1 ms would run 0 ms
expect_exit 2 "--until under 1 ms refused" 'run: --until: expected seconds in [0.001, 1e11], got '"'"'0.0004'"'" \
	"$ECSIM" run scenarios/default.json --until 0.0004 --out "$T/u"
expect_exit 2 "compare --until under 1 ms refused" 'compare: --until: expected seconds in [0.001, 1e11]' \
	"$ECSIM" compare scenarios/default.json --until 0.0004 --reps 2 --out "$T/uc"
expect_exit 2 "--time-scale states its range" 'expected a number in (0, 1e9]' \
	"$ECSIM" import alibaba2018 --batch-task tests/data/import/alibaba/batch_task.csv --time-scale 1e300
expect_exit 2 "--first-instance states its range" 'expected an integer in [0, 1000000000]' \
	"$ECSIM" import alibaba2018 --batch-task tests/data/import/alibaba/batch_task.csv --first-instance 1000000000000000000
printf '0,,10,0,,0,u,3,9,1e308,0.25,0.0004244,0\n' > "$T/te.csv"
expect_exit 2 "Google CPU request 1e308 refused" "te.csv:1:10: CPU request: a request of" \
	"$ECSIM" import google2011 --task-events "$T/te.csv" --out "$T/te.out"

# A gzip child killed by a signal is said as such
mkdir -p "$T/bin"
printf '#!/bin/sh\nkill -9 $$\n' > "$T/bin/gzip"
chmod +x "$T/bin/gzip"
gzip -c tests/data/import/google/task_events.csv > "$T/te.csv.gz"
expect_exit 2 "gzip killed by a signal is said" 'gzip -dc was killed by signal 9' \
	env PATH="$T/bin:$PATH" "$ECSIM" import google2011 --task-events "$T/te.csv.gz" --out "$T/gz.out"
awk -v pwd="$PWD" 'BEGIN { printf "{\"durationSeconds\": 60, \"region\": \"us-east-1\", \"availabilityZones\": [\"us-east-1a\"], \"taskDefinitions\": {\"web\": \"%s/scenarios/taskdefs/web.json\"}, \"services\": [", pwd;
	for (i = 0; i < 5001; i++) printf "%s{\"serviceName\": \"s%d\", \"taskDefinition\": \"web\", \"desiredCount\": 0}", i ? "," : "", i;
	print "]}" }' > "$T/svc.json"
expect_exit 2 "5001 services refused (ECS quota)" "\$.services: 5001 services, more than ECS's quota of 5000 services per cluster" \
	guard "$ECSIM" validate "$T/svc.json"
