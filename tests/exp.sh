#!/bin/sh
# tests/exp.sh ECSIM — the experiment commands: compare, sweep, check, run
# --set / --fail-on-unplaced, and the statistics behind them:
#   coverage  200 independent experiments of 5 replications on a model with
#             a known answer; their 95% intervals must cover it 90-99% of times
#   CRN       the variance of a paired difference with common random numbers
#             against independent seeds (ratio printed)
#   determinism  outputs byte-identical across --jobs 1, --jobs 2 and, when
#             ecsim is built with MPI and mpirun exists, mpirun -np 3
# Small scenarios and short horizons: the whole file takes seconds.
. "$(dirname "$0")/lib.sh"
same() { # same NAME DIR1 DIR2 FILES...
	name=$1; a=$2; b=$3; shift 3
	for f in "$@"; do
		if ! cmp -s "$a/$f" "$b/$f"; then ko "$name ($f differs)"; return; fi
	done
	ok "$name"
}

ROOT=$(pwd)
cd "$T" || exit 1
# the M/M/4 queue of the Erlang C test (tests/test_world.c): four instances
# that each fit one task, Poisson arrivals (mean gap 1.25 s), exponential run
# times (mean 4 s), no latencies
cp "$ROOT/tests/data/mmc/whole.json" "$ROOT/tests/data/mmc/mmc.json" .

# ---- compare --------------------------------------------------------------------
check "compare runs" "$ECSIM" compare mmc.json --variant c4 --variant c3:/instanceGroups/0/count=3 \
	--reps 6 --jobs 1 --out cmp1 --no-plot
for f in runs.csv comparison.csv differences.csv pending_cdf.csv; do
	[ -s "cmp1/$f" ] && ok "compare writes $f" || ko "compare writes $f"
done
grep -q "difference vs c4" "$T/out" && grep -q "^mean_pending_s (s) " "$T/out" &&
	ok "compare prints the table" || ko "compare prints the table"
# 6 replications x 2 variants, replication r of each with seed 1 + r
[ "$(wc -l < cmp1/runs.csv)" -eq 13 ] && ok "runs.csv has a row per run" || ko "runs.csv has a row per run"
awk -F, 'NR>1{s[$1]=s[$1] $3 " "} END{exit !(s["c4"]==s["c3"] && s["c4"]=="1 2 3 4 5 6 ")}' cmp1/runs.csv &&
	ok "common random numbers: replication r of every variant has seed base+r" || ko "CRN seeds"
grep -q '^c3,c4,tasks_submitted,count,6,0,0,0,0,no$' cmp1/differences.csv &&
	ok "same arrivals under CRN: tasks_submitted difference is exactly 0" || ko "CRN arrivals"
# three instances cannot keep up (0.8 tasks/s, 0.75 served): the wait grows,
# the paired difference's interval lies above 0
awk -F, '$1=="c3" && $3=="mean_pending_s"{f=1; exit !($8 > 0 && $10=="yes")} END{if (!f) exit 1}' cmp1/differences.csv &&
	ok "significant difference marked" || ko "significant difference marked"
check "compare --jobs 2" "$ECSIM" compare mmc.json --variant c4 --variant c3:/instanceGroups/0/count=3 \
	--reps 6 --jobs 2 --out cmp2 --no-plot --quiet
same "compare outputs identical across --jobs 1 and 2" cmp1 cmp2 runs.csv comparison.csv differences.csv pending_cdf.csv

MPIRUN=""
if command -v mpirun >/dev/null 2>&1 && "$ECSIM" sweep --help | grep -q "MPI: built in"; then
	MPIRUN="mpirun --oversubscribe -np 3"
	[ "$(id -u)" = 0 ] && MPIRUN="mpirun --allow-run-as-root --oversubscribe -np 3"
	# OpenMPI's own allocations at MPI_Init are never freed: under an
	# AddressSanitizer build, leak reports would be OpenMPI's, not ecsim's
	MPIRUN="env ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 $MPIRUN"
fi
if [ -n "$MPIRUN" ]; then
	check "compare under $MPIRUN" $MPIRUN "$ECSIM" compare mmc.json --variant c4 \
		--variant c3:/instanceGroups/0/count=3 --reps 6 --out cmp3 --no-plot --quiet
	same "compare outputs identical under MPI (3 ranks)" cmp1 cmp3 runs.csv comparison.csv differences.csv pending_cdf.csv
else
	echo "skip compare and sweep under MPI (ecsim built without MPI or no mpirun)"
	skip=$((skip + 4))
fi

# sequential mode: more replications until the half-width is below 5%
check "compare --precision" "$ECSIM" compare mmc.json --reps 4 --precision 5% --max-reps 40 \
	--metric tasks_submitted --out prec --no-plot
awk -F, '$2=="tasks_submitted"{exit !($4 > 4 && $9 <= 0.05 * $5)}' prec/comparison.csv &&
	ok "--precision adds replications until half-width <= 5% of the mean" || ko "--precision"
grep -q "precision 5%: reached after" "$T/out" && ok "--precision reports" || ko "--precision reports"

# ---- statistics: coverage ---------------------------------------------------------
# 200 experiments (variants without changes, --no-crn: independent seeds) of
# 5 replications, 50 s each.  A generator submits at 0 and then after each
# exponential gap: tasks_submitted = 1 + Poisson(0.8 * 50), mean 41.
args=""
i=1
while [ $i -le 200 ]; do args="$args --variant e$i"; i=$((i + 1)); done
check "coverage experiments" "$ECSIM" compare mmc.json $args --reps 5 --no-crn --no-task-log --no-plot \
	--quiet --set /durationSeconds=50 --out cov
cover=$(awk -F, '$2=="tasks_submitted"{n++; if ($7 <= 41 && 41 <= $8) c++} END{print c + 0, n + 0}' cov/comparison.csv)
echo "     coverage of the 95% intervals: $cover (covered, experiments)"
set -- $cover
[ "$2" -eq 200 ] && [ "$1" -ge 180 ] && [ "$1" -le 198 ] &&
	ok "95% intervals cover the true mean in 90-99% of 200 experiments" || ko "coverage"

# ---- statistics: common random numbers -------------------------------------------
for m in crn ind; do
	flag=""; [ $m = ind ] && flag=--no-crn
	"$ECSIM" compare mmc.json --variant c4 --variant c5:/instanceGroups/0/count=5 --reps 30 $flag \
		--no-task-log --no-plot --quiet --set /durationSeconds=300 --out $m >/dev/null 2>&1
done
ratio=$(awk -F, 'FNR==1{f++} $3=="mean_cpu_reserved_pct"{sd[f]=$7} END{if (sd[2] > 0) printf "%.4f", (sd[1]/sd[2])^2; else print "nan"}' \
	crn/differences.csv ind/differences.csv)
ratio_p=$(awk -F, 'FNR==1{f++} $3=="mean_pending_s"{sd[f]=$7} END{if (sd[2] > 0) printf "%.4f", (sd[1]/sd[2])^2; else print "nan"}' \
	crn/differences.csv ind/differences.csv)
echo "     variance ratio CRN / independent seeds: mean_cpu_reserved_pct $ratio, mean_pending_s $ratio_p"
awk -v r="$ratio" 'BEGIN{exit !(r + 0 > 0 && r + 0 < 0.25)}' &&
	ok "common random numbers shrink the variance of the paired difference" || ko "CRN variance ratio $ratio"

# ---- sweep -----------------------------------------------------------------------
cat > mmc-sweep.json <<'J'
{"name":"mmc-sweep","scenario":"mmc.json","replications":3,
 "set":{"/durationSeconds":60},
 "parameters":[{"name":"instances","pointer":"/instanceGroups/0/count","values":[3,4,5]},
               {"name":"tie","pointer":"/placement","values":[{"tieBreak":"first"},{"tieBreak":"random"}]}],
 "plot":{"x":"instances","metrics":["mean_pending_s"]}}
J
check "sweep --jobs 1" "$ECSIM" sweep mmc-sweep.json --jobs 1 --out sw1 --no-plot
[ "$(wc -l < sw1/sweep.csv)" -eq 19 ] && ok "sweep.csv: 6 settings x 3 replications" || ko "sweep.csv rows"
head -1 sw1/sweep.csv | grep -q '^setting,instances,tie,replication,seed,' && ok "sweep.csv names its parameters" || ko "sweep.csv header"
sed -n 2p sw1/sweep.csv | grep -q '^0,3,"{""tieBreak"":""first""}",0,1,' && ok "grid order: first parameter slowest" || ko "grid order"
[ -s sw1/sweep_summary.csv ] && ok "sweep writes sweep_summary.csv" || ko "sweep_summary.csv"
check "sweep --jobs 2" "$ECSIM" sweep mmc-sweep.json --jobs 2 --out sw2 --no-plot --quiet
same "sweep outputs identical across --jobs 1 and 2" sw1 sw2 sweep.csv sweep_summary.csv
if [ -n "$MPIRUN" ]; then
	check "sweep under $MPIRUN" $MPIRUN "$ECSIM" sweep mmc-sweep.json --out sw3 --no-plot --quiet
	same "sweep outputs identical under MPI (3 ranks)" sw1 sw3 sweep.csv sweep_summary.csv
fi
# resume: a killed sweep leaves runs without run.json (in flight) — only those rerun
rm sw2/runs/s001-r002/run.json sw2/runs/s004-r000/run.json
rm -r sw2/runs/s005-r001
rm sw2/sweep.csv
check "sweep resumes" "$ECSIM" sweep mmc-sweep.json --jobs 2 --out sw2 --no-plot
grep -q "(15 already complete)" "$T/out" && ok "resume reruns only the unfinished runs" || ko "resume count: $(cat "$T/out")"
same "resumed sweep gives the same outputs" sw1 sw2 sweep.csv sweep_summary.csv
# a changed sweep (other duration) does not reuse runs of another command
sed 's/Seconds":60/Seconds":61/' mmc-sweep.json > mmc-sweep2.json
check "changed sweep" "$ECSIM" sweep mmc-sweep2.json --jobs 2 --out sw2 --no-plot
grep -q "(0 already complete)" "$T/out" && ok "runs of another command are not reused" || ko "reuse of another command"
cat > list-sweep.json <<'J'
{"name":"list","scenario":"mmc.json","replications":2,"set":{"/durationSeconds":30},
 "settings":[{"name":"three","set":{"/instanceGroups/0/count":3}},
             {"name":"four binpack","strategy":"binpack"}]}
J
check "sweep over a list of settings" "$ECSIM" sweep list-sweep.json --out swl --no-plot --quiet
[ "$(cut -d, -f1-4 swl/sweep.csv | tr '\n' ';')" = "setting,name,replication,seed;0,three,0,1;0,three,1,2;1,four binpack,0,1;1,four binpack,1,2;" ] &&
	ok "a list sweep: one row per setting and replication, named" || ko "list sweep rows"
grep -q '"--strategy", "binpack"' swl/runs/s001-r000/run.json && ok "a setting's strategy reaches its runs" || ko "setting strategy"
check "shipped example sweep" "$ECSIM" sweep "$ROOT/scenarios/sweeps/default-sweep.json" --out ex --no-plot --quiet

# ---- plots -------------------------------------------------------------------------
if command -v gnuplot >/dev/null 2>&1; then
	check "compare draws its plots" "$ECSIM" compare mmc.json --variant c4 --variant c3:/instanceGroups/0/count=3 \
		--reps 3 --out cmpplot --quiet
	for f in compare.png compare.svg compare_pending_cdf.png compare_pending_cdf.svg; do
		[ -s "cmpplot/$f" ] && ok "compare draws $f" || ko "compare draws $f"
	done
	# --no-plot folders are drawn later by ecsim plot
	check "ecsim plot on a compare folder" "$ECSIM" plot cmp1
	[ -s cmp1/compare.png ] && [ -s cmp1/compare_pending_cdf.svg ] && ok "ecsim plot draws a comparison" ||
		ko "ecsim plot draws a comparison"
	check "ecsim plot on a sweep folder" "$ECSIM" plot sw1
	[ -s sw1/sweep.png ] && [ -s sw1/sweep.svg ] && ok "ecsim plot draws a sweep" || ko "ecsim plot draws a sweep"
else
	echo "skip plots (no gnuplot)"
	skip=$((skip + 9))
fi

expect_exit 0 "without gnuplot compare notes it and succeeds" "gnuplot not found" \
	env PATH=/nonexistent "$ECSIM" compare mmc.json --reps 2 --out nognuplot
[ -s nognuplot/comparison.csv ] && ok "without gnuplot the CSVs are written" || ko "CSVs without gnuplot"

# ---- check -----------------------------------------------------------------------
"$ECSIM" run mmc.json --quiet --tie-break first --out base >/dev/null 2>&1
"$ECSIM" run mmc.json --quiet --tie-break first --out same >/dev/null 2>&1
"$ECSIM" run "$ROOT/scenarios/default.json" --quiet --tie-break first --set /durationSeconds=600 --out dbase >/dev/null 2>&1
"$ECSIM" run "$ROOT/scenarios/default.json" --quiet --tie-break first --set /durationSeconds=600 --out dsame >/dev/null 2>&1
"$ECSIM" run "$ROOT/scenarios/default.json" --quiet --tie-break first --set /durationSeconds=600 \
	--strategy binpack --out dchanged >/dev/null 2>&1
expect_exit 0 "check passes an unchanged run" "check: pass (exact mode" "$ECSIM" check dbase dsame
expect_exit 3 "check fails a changed strategy (exit 3)" "check: REGRESSION (exact mode" "$ECSIM" check dbase dchanged
grep -q "first difference in tasks.csv, line " "$T/out" && ok "check shows the first differing row of tasks.csv" || ko "first difference"
grep -q "DIFFERS" "$T/out" && ok "check lists what moved" || ko "check table"
# tolerance mode, on a move known by construction: 600 s against 900 s
"$ECSIM" run "$ROOT/scenarios/default.json" --quiet --tie-break first --set /durationSeconds=900 \
	--out dlong >/dev/null 2>&1
echo '{"metrics":{"sim_seconds":{"absolute":400}}}' > tol.json
expect_exit 0 "check with tolerances passes a move within them" "check: pass (tolerance mode; 1 metric moved)" \
	"$ECSIM" check dbase dlong --tolerance tol.json
echo '{"metrics":{"sim_seconds":{"absolute":100,"relative":0.4}}}' > tol2.json
expect_exit 3 "check with tolerances fails a move beyond them" "check: REGRESSION (tolerance mode" \
	"$ECSIM" check dbase dlong --tolerance tol2.json
grep -q "sim_seconds .* 600 .* 900 .*|change| <= 240 .*REGRESSION" "$T/out" &&
	ok "the table shows the allowed change max(absolute, relative x baseline)" || ko "tolerance table"
echo '{"metrics":{"sim_seconds":{"absolute":100}},"ignore":["sim_seconds"]}' > tol3.json
expect_exit 0 "ignored metrics are not checked" "check: pass (tolerance mode; 0 metrics moved)" \
	"$ECSIM" check dbase dlong --tolerance tol3.json
expect_exit 0 "check passes an unchanged comparison (CIs overlap)" "check: pass (interval mode" \
	"$ECSIM" check cmp1 cmp2
"$ECSIM" compare mmc.json --variant c4 --variant c3:/instanceGroups/0/count=3 --reps 6 --no-plot --quiet \
	--set '/instanceGroups/0/count=2' --out cmpbad >/dev/null 2>&1
expect_exit 3 "check fails a comparison whose CI moved away" "check: REGRESSION (interval mode" \
	"$ECSIM" check cmp1 cmpbad

# load-balancer metrics (lb_summary.csv, when a run has load balancers) are
# metrics too, named lb_<column>[<target group>]
cp -r base lb1 && cp -r base lb2
printf 'service,target_group,mode,availability_pct,latency_p99_ms\nweb,tg-web,perRequest,99.5000,120.000\n' > lb1/lb_summary.csv
printf 'service,target_group,mode,availability_pct,latency_p99_ms\nweb,tg-web,perRequest,97.0000,121.000\n' > lb2/lb_summary.csv
echo '{"metrics":{"lb_availability_pct":{"absolute":1},"lb_latency_p99_ms":{"relative":0.05}}}' > tollb.json
expect_exit 3 "check reads lb_summary.csv" "lb_availability_pct[tg-web]" "$ECSIM" check lb1 lb2 --tolerance tollb.json
grep -q "lb_latency_p99_ms\[tg-web\] .*moved, within" "$T/out" && ok "lb metrics within tolerance pass" || ko "lb latency row"

# ---- run --set and --fail-on-unplaced ----------------------------------------------
check "run --set" "$ECSIM" run mmc.json --quiet --set /durationSeconds=10 --set /name='"short"' --out setrun
grep -q '^short,.*,10.000,' setrun/summary.csv && ok "--set changes the scenario" || ko "--set: $(sed -n 2p setrun/summary.csv)"
expect_exit 0 "--fail-on-unplaced passes when every task is placed" "results in" \
	"$ECSIM" run mmc.json --set /instanceGroups/0/count=20 --fail-on-unplaced --out up0
expect_exit 3 "--fail-on-unplaced exits 3" "never placed" \
	"$ECSIM" run mmc.json --quiet --set /instanceGroups/0/count=1 --fail-on-unplaced --out up1

# ---- bad input: exit 2 with file, place and reason -------------------------------------
expect_exit 2 "bad --set pointer" "mmc.json: --set /instanceGroups/7/count: no element '7' (the array has 1" \
	"$ECSIM" compare mmc.json --variant a:/instanceGroups/7/count=2 --out bad1
expect_exit 2 "bad --set value" "mmc.json: --set /durationSeconds: value '{x' is not valid JSON" \
	"$ECSIM" run mmc.json --set '/durationSeconds={x' --out bad2
expect_exit 2 "--set breaking the scenario" "mmc.json: \$.durationSeconds: " \
	"$ECSIM" compare mmc.json --set /durationSeconds=-5 --out bad3
expect_exit 2 "bad strategy variant" "variant 'frobnicate'" "$ECSIM" compare mmc.json --strategy frobnicate --out bad4
expect_exit 2 "bad --precision" "--precision: expected a percentage" "$ECSIM" compare mmc.json --precision x
expect_exit 2 "--antithetic refused with the reason" "--antithetic is not supported" "$ECSIM" compare mmc.json --antithetic
echo '{"scenario":"mmc.json","paramters":[]}' > badsweep.json
expect_exit 2 "sweep: unknown member" "badsweep.json" "$ECSIM" sweep badsweep.json --out bad5
grep -q 'paramters' "$T/err" && ok "sweep error names the member" || ko "sweep error names the member"
echo '{"scenario":"mmc.json","parameters":[{"name":"n","pointer":"/instanceGroups/0/count","values":[1,"x"]}]}' > badsweep2.json
expect_exit 2 "sweep: a setting the scenario refuses" "badsweep2.json: setting 1: " "$ECSIM" sweep badsweep2.json --out bad6
[ -e bad6/sweep.csv ] && ko "a refused sweep runs nothing" || ok "a refused sweep runs nothing"
expect_exit 2 "check: not a results folder" "not a results folder" "$ECSIM" check base "$T/nowhere"
expect_exit 2 "check: run vs compare" "is a run folder but" "$ECSIM" check base cmp1
echo '{"default":{"relativ":0.1}}' > badtol.json
expect_exit 2 "check: bad tolerance file" "badtol.json" "$ECSIM" check base same --tolerance badtol.json

echo "exp: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
