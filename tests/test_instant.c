/* tests/test_instant.c — the order of one instant (docs/ecs-model.md,
 * "Simultaneous events"): a task that stops at t frees its resources before
 * a task launched at t is placed, whatever the number of internal steps of
 * either; tasks that stop at the same t free in the order they were placed;
 * launches at t go in trace-row order; a stop's walk of the pending queue
 * runs to the end before the next event.
 *
 * Every case is a trace in the shape of reference workload R1 (binpack on
 * memory over H hosts of 4096 CPU units / 15360 MiB, kinds small / medium /
 * large / xlarge of 256 / 512 / 1024 / 2048 units and twice that in MiB,
 * ties to the earliest registered host, a FIFO pending queue, no queue
 * timeout) run through the whole of ecsim with every latency 0, compared
 * task by task with the expected placement (time and host).  The cases of
 * tests/data/instant/ are written by hand for this file; tests/data/r1/
 * holds copies of R1's own tie fixtures (see its README); R1's originals are
 * read too when present: in $ECSIM_R1, else in reference/r1 beside the
 * shared corpus folder (tests/helpers/corpus.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <CUnit/CUnit.h>

#include "helpers/corpus.h"
#include "helpers/runscn.h"
#include "helpers/tutil.h"


static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write_def("small", 256, 512);
	rs_write_def("medium", 512, 1024);
	rs_write_def("large", 1024, 2048);
	rs_write_def("xlarge", 2048, 4096);
	return 0;
}

static int teardown(void)
{
	return rs_teardown();
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = 0;
	fclose(f);
	return buf;
}

static long to_ms(const char *s)
{
	return lround(strtod(s, NULL) * 1000.0);
}

/* Run R1-format trace `trace` (time_s,event,taskdef,count,duration_s) on H
 * hosts and compare every task's placed time and host with `expected`
 * (task,submit_s,placed_s,host).  Returns the number of tasks that differ
 * (each reported), or -1 when something could not run. */
static int run_r1(const char *tag, const char *trace_path, const char *expected_path, int hosts)
{
	char *tr = slurp(trace_path), *ex = slurp(expected_path), *line, *save = NULL;
	size_t cap = strlen(tr ? tr : "") * 2 + 200;
	char *csv = malloc(cap), json[2000], fname[120];
	int n = 0, bad = 0, row = 0;
	size_t len = 0;

	if (!tr || !ex) {
		fprintf(stderr, "\n  %s: cannot read %s or %s\n", tag, trace_path, expected_path);
		free(tr);
		free(ex);
		free(csv);
		return -1;
	}
	/* the trace in ecsim's format, one named task per row: r<row> */
	len += (size_t)snprintf(csv + len, cap - len, "time_s,event,target,taskdef,count,duration_s,group\n");
	for (line = strtok_r(tr, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		char f[5][64];

		if (row++ == 0)
			continue;
		if (sscanf(line, "%63[^,],%63[^,],%63[^,],%63[^,],%63s", f[0], f[1], f[2], f[3], f[4]) != 5)
			continue;
		len += (size_t)snprintf(csv + len, cap - len, "%ld.%03ld,run_task,r%d,%s,1,%ld.%03ld,\n",
					to_ms(f[0]) / 1000, to_ms(f[0]) % 1000, n, f[2],
					to_ms(f[4]) / 1000, to_ms(f[4]) % 1000);
		n++;
	}
	snprintf(fname, sizeof fname, "%s.csv", tag);
	rs_write(fname, csv);
	snprintf(json, sizeof json,
		 "{\"name\":\"%s\",\"durationSeconds\":1000000,\"metricsIntervalSeconds\":100000,"
		 "\"controlPlane\":{\"placementLatencySeconds\":0,\"apiLatencySeconds\":0},"
		 "\"agent\":{\"networkDelaySeconds\":0,\"imagePullSeconds\":0,\"imagePullCachedSeconds\":0,"
		 "\"containerStartSeconds\":0,\"shutdownSeconds\":0},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceTypes\":[{\"name\":\"r1.host\",\"vcpu\":4,\"memoryGiB\":15}],"
		 "\"instanceDefaults\":{\"memoryOsFactor\":1,\"reservedMemoryMiB\":0},"
		 "\"instanceGroups\":[{\"instanceType\":\"r1.host\",\"availabilityZone\":\"us-east-1a\",\"count\":%d}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\",\"medium\":\"medium.json\","
		 "\"large\":\"large.json\",\"xlarge\":\"xlarge.json\"},"
		 "\"placement\":{\"tieBreak\":\"first\",\"strategy\":[{\"type\":\"binpack\",\"field\":\"memory\"}]},"
		 "\"workload\":{\"traces\":[\"%s\"]}}", tag, hosts, fname);
	snprintf(fname, sizeof fname, "%s.json", tag);
	rs_write(fname, json);
	if (rs_run(fname, tag, NULL, NULL, NULL) != 0) {
		fprintf(stderr, "\n  %s: ecsim run failed\n", tag);
		bad = -1;
		goto out;
	}
	save = NULL;
	row = 0;
	for (line = strtok_r(ex, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		int task, host, r;
		char sub[64], pl[64], id[32], want_inst[32];
		char *got_inst, *got_placed;

		if (row++ == 0 || sscanf(line, "%d,%63[^,],%63[^,],%d", &task, sub, pl, &host) != 4)
			continue;
		snprintf(id, sizeof id, "r%d", task);
		snprintf(want_inst, sizeof want_inst, "ci-%05d", host + 1);
		r = rs_find(tag, "tasks.csv", "task_id", id);
		got_inst = r ? rs_cell(tag, "tasks.csv", r, "instance_id") : NULL;
		got_placed = r ? rs_cell(tag, "tasks.csv", r, "placed_s") : NULL;
		if (!got_inst || !got_placed || strcmp(got_inst, want_inst) != 0 ||
		    to_ms(got_placed) != to_ms(pl)) {
			fprintf(stderr, "\n  %s: task %d: placed %s on %s, want %s on %s", tag, task,
				got_placed ? got_placed : "?", got_inst ? got_inst : "?", pl, want_inst);
			bad++;
		}
		free(got_inst);
		free(got_placed);
	}
out:
	free(tr);
	free(ex);
	free(csv);
	return bad;
}

static void check_case(const char *dir, const char *name, int hosts)
{
	char tp[400], ep[400], tag[100];

	snprintf(tp, sizeof tp, "%s/%s.trace.csv", dir, name);
	snprintf(ep, sizeof ep, "%s/%s.expected_H%d.csv", dir, name, hosts);
	snprintf(tag, sizeof tag, "%s", name);
	T_EQ(run_r1(tag, tp, ep, hosts), 0);
}

/* A task stops at 10 s on a full host; a task launched at 10 s sees the
 * freed host (binpack: the fuller of the two), not only the empty one. */
static void test_release_then_arrival(void)
{
	check_case("tests/data/instant", "release_then_arrival", 2);
}

/* Two tasks stop and two are launched at 10 s: both stops come first, then
 * the launches in row order, each against the state the one before left. */
static void test_completions_and_arrivals(void)
{
	check_case("tests/data/instant", "completions_and_arrivals", 2);
}

/* A pending task takes what the first stop at 10 s frees (its walk runs at
 * once); the second stop frees room that the launch of 10 s then takes,
 * rather than the other host it would have got before the stops. */
static void test_pending_takes_freed(void)
{
	check_case("tests/data/instant", "pending_takes_freed", 2);
}

static void test_r1_ties_a(void)
{
	check_case("tests/data/r1", "ties_a", 2);
}

static void test_r1_ties_b(void)
{
	check_case("tests/data/r1", "ties_b", 2);
}

/* R1's fixtures where R1 keeps them, when present: the copies under
 * tests/data/r1 must not drift from them. */
static void test_r1_shared(void)
{
	const char *dir = getenv("ECSIM_R1");
	char buf[1024];
	struct stat st;

	if (!dir || !*dir)
		dir = t_corpus_path(buf, sizeof buf, "../reference/r1");
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		printf("\n  R1 reference not found at %s (set ECSIM_R1=DIR): the copies in tests/data/r1 are tested instead ",
		       dir);
		return;
	}
	check_case(dir, "ties_a", 2);
	check_case(dir, "ties_b", 2);
}

/* Anonymous tasks are numbered, and named "task-<n>" only when written:
 * a StopTask naming one still finds it, and an explicit id equal to a live
 * anonymous task's is still refused (a guard for that representation). */
static void test_anonymous_ids(void)
{
	rs_write("anon.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,,small,2,,\n"
		 "5,stop_task,task-2,,,,\n");
	rs_write("anon.json", "{\"name\":\"anon\",\"durationSeconds\":100,"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},\"workload\":{\"traces\":[\"anon.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("anon.json", "anon", NULL, NULL, NULL), 0);
	RS_IS("anon", "tasks.csv", rs_find("anon", "tasks.csv", "task_id", "task-2"), "stop_code", "UserInitiated");
	RS_IS("anon", "tasks.csv", rs_find("anon", "tasks.csv", "task_id", "task-1"), "stop_code", "");
	rs_write("dup.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,,small,1,,\n"
		 "1,run_task,task-1,small,1,,\n");
	rs_write("dup.json", "{\"name\":\"dup\",\"durationSeconds\":100,"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},\"workload\":{\"traces\":[\"dup.csv\"]}}");
	CU_ASSERT_NOT_EQUAL(rs_run("dup.json", "dup", NULL, NULL, NULL), 0);
}

/* A scenario of one r1.host (4096 CPU units) with every latency 0, the
 * pending queue off (a launch that does not fit fails at once, so its row
 * tells), running trace `tag`.csv. */
static void run_zero_latency(const char *tag, const char *trace)
{
	char name[100], json[1600];

	snprintf(name, sizeof name, "%s.csv", tag);
	rs_write(name, trace);
	snprintf(json, sizeof json,
		 "{\"name\":\"%s\",\"durationSeconds\":100,\"metricsIntervalSeconds\":100,"
		 "\"controlPlane\":{\"placementLatencySeconds\":0,\"apiLatencySeconds\":0},"
		 "\"agent\":{\"networkDelaySeconds\":0,\"imagePullSeconds\":0,\"imagePullCachedSeconds\":0,"
		 "\"containerStartSeconds\":0,\"shutdownSeconds\":0},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceTypes\":[{\"name\":\"r1.host\",\"vcpu\":4,\"memoryGiB\":15}],"
		 "\"instanceDefaults\":{\"memoryOsFactor\":1,\"reservedMemoryMiB\":0},"
		 "\"instanceGroups\":[{\"instanceType\":\"r1.host\",\"availabilityZone\":\"us-east-1a\",\"count\":1}],"
		 "\"taskDefinitions\":{\"xlarge\":\"xlarge.json\"},\"pending\":{\"mode\":\"fail\"},"
		 "\"placement\":{\"tieBreak\":\"first\",\"strategy\":[{\"type\":\"binpack\",\"field\":\"memory\"}]},"
		 "\"workload\":{\"traces\":[\"%s.csv\"]}}", tag, tag);
	snprintf(name, sizeof name, "%s.json", tag);
	rs_write(name, json);
	CU_ASSERT_EQUAL_FATAL(rs_run(name, tag, NULL, NULL, NULL), 0);
}

/* Rule 1 however many steps a change takes: a StopTask row at 10 s stops
 * its task through several zero-delay steps (the stop's signal, the
 * containers' exit, the release); a RunTask row after it in the same
 * millisecond is decided once all of them have run, so it sees the room
 * freed (the rows in file order, each run to the end).  Two xlarge tasks
 * (2048 units each) fill the host; x1 is stopped and y launched at 10 s:
 * y is placed at 10 s on the host, no failure.  (Before, the next row ran
 * after the stop's first step only: y failed RESOURCE:CPU.)  Then two stops
 * and two launches at 10 s: both placed.  The other way round (the launch's
 * row first) the launch is decided before the stop: it fails, in file
 * order. */
static void test_stop_row_then_run_row(void)
{
	int r;

	run_zero_latency("stoprun", "time_s,event,target,taskdef,count,duration_s,group\n"
			 "0,run_task,x1,xlarge,1,,\n"
			 "0,run_task,x2,xlarge,1,,\n"
			 "10,stop_task,x1,,,,\n"
			 "10,run_task,y,xlarge,1,,\n");
	r = rs_find("stoprun", "tasks.csv", "task_id", "y");
	RS_IS("stoprun", "tasks.csv", r, "placed_s", "10.000");
	RS_IS("stoprun", "tasks.csv", r, "instance_id", "ci-00001");
	RS_IS("stoprun", "tasks.csv", rs_find("stoprun", "tasks.csv", "task_id", "x1"), "stop_s", "10.000");
	T_EQ(rs_rows("stoprun", "placement_failures.csv"), 0);

	run_zero_latency("stoprun2", "time_s,event,target,taskdef,count,duration_s,group\n"
			 "0,run_task,x1,xlarge,1,,\n"
			 "0,run_task,x2,xlarge,1,,\n"
			 "10,stop_task,x1,,,,\n"
			 "10,stop_task,x2,,,,\n"
			 "10,run_task,y1,xlarge,1,,\n"
			 "10,run_task,y2,xlarge,1,,\n");
	RS_IS("stoprun2", "tasks.csv", rs_find("stoprun2", "tasks.csv", "task_id", "y1"), "placed_s", "10.000");
	RS_IS("stoprun2", "tasks.csv", rs_find("stoprun2", "tasks.csv", "task_id", "y2"), "placed_s", "10.000");
	T_EQ(rs_rows("stoprun2", "placement_failures.csv"), 0);

	run_zero_latency("runstop", "time_s,event,target,taskdef,count,duration_s,group\n"
			 "0,run_task,x1,xlarge,1,,\n"
			 "0,run_task,x2,xlarge,1,,\n"
			 "10,run_task,y,xlarge,1,,\n"
			 "10,stop_task,x1,,,,\n");
	RS_IS("runstop", "tasks.csv", rs_find("runstop", "tasks.csv", "task_id", "y"), "placed_s", "");
	T_EQ(rs_rows("runstop", "placement_failures.csv"), 1);
	RS_IS("runstop", "placement_failures.csv", 1, "reason", "RESOURCE:CPU");
}

/* Failed attempts in out-<tag>/placement_failures.csv of task `task` at
 * time `t` (NULL: any time); and whether any task has two rows at one time
 * (the rule: one retry pass per instant, so one attempt per waiting task). */
static int fail_rows(const char *tag, const char *task, const char *t)
{
	int n = rs_rows(tag, "placement_failures.csv"), k = 0;

	for (int r = 1; r <= n; r++) {
		char *id = rs_cell(tag, "placement_failures.csv", r, "task_id");
		char *at = rs_cell(tag, "placement_failures.csv", r, "time_s");

		k += id && at && strcmp(id, task) == 0 && (!t || strcmp(at, t) == 0);
		free(id);
		free(at);
	}
	return k;
}

static int twice_at_one_time(const char *tag)
{
	int n = rs_rows(tag, "placement_failures.csv"), dup = 0;

	for (int r = 1; r <= n && !dup; r++) {
		char *id = rs_cell(tag, "placement_failures.csv", r, "task_id");
		char *at = rs_cell(tag, "placement_failures.csv", r, "time_s");

		if (id && at && fail_rows(tag, id, at) > 1) {
			fprintf(stderr, "\n  %s: task %s has %d failed attempts at %s", tag, id,
				fail_rows(tag, id, at), at);
			dup = 1;
		}
		free(id);
		free(at);
	}
	return dup;
}

/* scenarios/README.md, "Retry policy" (choice E166): every release walks
 * the pending queue (R1's order, "Simultaneous events" above), but a
 * waiting task's failed attempts at one instant are one row, the first
 * walk's.  One r1.host (4096 CPU units): `keep` (large) runs on, three
 * large tasks (1024 each) end at 10 s with every latency 0; `huge` (4096
 * units) waits from 1 s and can never fit while `keep` runs; `wide`
 * (xlarge, 2048) waits from 2 s.  At 10 s the first release (1024 free)
 * walks the queue: huge and wide fail, one row each; the second (2048
 * free) places wide at 10 s; every walk fails huge again, unlogged.  Rows:
 * huge at 1 and 10, wide at 2 and 10: 4, and placement_failures_total 4.
 * (Before, each walk logged: huge three times at 10 s, 6 rows.) */
static void test_one_failure_row_per_instant(void)
{
	rs_write("huge.json", "{\"family\":\"huge\",\"containerDefinitions\":[{\"name\":\"c\","
		 "\"image\":\"x\",\"cpu\":4096,\"memory\":1024}]}");
	rs_write("flood.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,keep,large,1,,\n"
		 "0,run_task,a,large,1,10,\n"
		 "0,run_task,b,large,1,10,\n"
		 "0,run_task,c,large,1,10,\n"
		 "1,run_task,huge,huge,1,,\n"
		 "2,run_task,wide,xlarge,1,,\n");
	rs_write("flood.json",
		 "{\"name\":\"flood\",\"durationSeconds\":100,\"metricsIntervalSeconds\":100,"
		 "\"controlPlane\":{\"placementLatencySeconds\":0,\"apiLatencySeconds\":0},"
		 "\"agent\":{\"networkDelaySeconds\":0,\"imagePullSeconds\":0,\"imagePullCachedSeconds\":0,"
		 "\"containerStartSeconds\":0,\"shutdownSeconds\":0},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceTypes\":[{\"name\":\"r1.host\",\"vcpu\":4,\"memoryGiB\":15}],"
		 "\"instanceDefaults\":{\"memoryOsFactor\":1,\"reservedMemoryMiB\":0},"
		 "\"instanceGroups\":[{\"instanceType\":\"r1.host\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"large\":\"large.json\",\"xlarge\":\"xlarge.json\",\"huge\":\"huge.json\"},"
		 "\"placement\":{\"tieBreak\":\"first\"},"
		 "\"workload\":{\"traces\":[\"flood.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("flood.json", "flood", NULL, NULL, NULL), 0);
	T_EQ(fail_rows("flood", "huge", "10.000"), 1);
	T_EQ(fail_rows("flood", "huge", NULL), 2);
	T_EQ(fail_rows("flood", "wide", NULL), 2);
	T_EQ(fail_rows("flood", "wide", "2.000"), 1);
	T_EQ(fail_rows("flood", "wide", "10.000"), 1);
	RS_IS("flood", "tasks.csv", rs_find("flood", "tasks.csv", "task_id", "wide"), "placed_s", "10.000");
	T_EQ(rs_rows("flood", "placement_failures.csv"), 4);
	T_EQ(rs_num("flood", "summary.csv", 1, "placement_failures_total"), 4);
	T_EQ(twice_at_one_time("flood"), 0);

	/* the same with ecsim's default latencies and six StopTask rows at one
	 * time (audit probe p2b): the six releases come at one instant (the
	 * stops are alike), and the waiting task fails once there */
	rs_write("small6.json", "{\"family\":\"small6\",\"containerDefinitions\":[{\"name\":\"c\","
		 "\"image\":\"x\",\"memory\":1024}]}");
	rs_write("big7.json", "{\"family\":\"big7\",\"containerDefinitions\":[{\"name\":\"c\","
		 "\"image\":\"x\",\"memory\":7000}]}");
	rs_write("stops.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,t0,small6,1,,\n0,run_task,t1,small6,1,,\n0,run_task,t2,small6,1,,\n"
		 "0,run_task,t3,small6,1,,\n0,run_task,t4,small6,1,,\n0,run_task,t5,small6,1,,\n"
		 "1,run_task,keep,small6,1,,\n"
		 "2,run_task,big,big7,1,,\n"
		 "100,stop_task,t0,,,,\n100,stop_task,t1,,,,\n100,stop_task,t2,,,,\n"
		 "100,stop_task,t3,,,,\n100,stop_task,t4,,,,\n100,stop_task,t5,,,,\n");
	rs_write("stops.json",
		 "{\"name\":\"stops\",\"durationSeconds\":200,\"metricsIntervalSeconds\":100,"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"small6\":\"small6.json\",\"big7\":\"big7.json\"},"
		 "\"placement\":{\"tieBreak\":\"first\"},"
		 "\"workload\":{\"traces\":[\"stops.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("stops.json", "stops", NULL, NULL, NULL), 0);
	T_EQ(fail_rows("stops", "big", NULL), 2);
	T_EQ(rs_num("stops", "summary.csv", 1, "placement_failures_total"), 2);
	T_EQ(twice_at_one_time("stops"), 0);
}

/* The same rule when the task's first attempt, at its launch, and a walk
 * come at one instant (audit xa: a random workload's differential run with
 * every latency 0): a task launched at t that fits nowhere has its row at
 * t, and a walk later in t (a StopTask row after it, whose release comes
 * after the launch in the instant's cause order) that fails it again adds
 * no second row, whatever reason that walk finds.  One r1.host (4096 CPU
 * units): `keep` (xlarge, 2048) and `a`, `b` (large, 1024 each) from 0 s;
 * at 5 s `huge` (4096 units) fails (RESOURCE:CPU), then StopTask `a`
 * frees 1024 and its walk fails `huge` again: one row at 5 s.  `big`
 * (xlarge) launched at 6 s fails, StopTask `b` then frees room for it:
 * placed at 6 s, one row at 6 s.  (Before: two rows for huge at 5 s and
 * placement_failures_total 4 instead of 3.) */
static void test_launch_then_walk_one_row(void)
{
	rs_write("huge.json", "{\"family\":\"huge\",\"containerDefinitions\":[{\"name\":\"c\","
		 "\"image\":\"x\",\"cpu\":4096,\"memory\":1024}]}");
	rs_write("lw.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,keep,xlarge,1,,\n"
		 "0,run_task,a,large,1,,\n"
		 "0,run_task,b,large,1,,\n"
		 "5,run_task,huge,huge,1,,\n"
		 "5,stop_task,a,,,,\n"
		 "6,run_task,big,xlarge,1,,\n"
		 "6,stop_task,b,,,,\n");
	rs_write("lw.json",
		 "{\"name\":\"lw\",\"durationSeconds\":100,\"metricsIntervalSeconds\":100,"
		 "\"controlPlane\":{\"placementLatencySeconds\":0,\"apiLatencySeconds\":0},"
		 "\"agent\":{\"networkDelaySeconds\":0,\"imagePullSeconds\":0,\"imagePullCachedSeconds\":0,"
		 "\"containerStartSeconds\":0,\"shutdownSeconds\":0},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceTypes\":[{\"name\":\"r1.host\",\"vcpu\":4,\"memoryGiB\":15}],"
		 "\"instanceDefaults\":{\"memoryOsFactor\":1,\"reservedMemoryMiB\":0},"
		 "\"instanceGroups\":[{\"instanceType\":\"r1.host\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"large\":\"large.json\",\"xlarge\":\"xlarge.json\",\"huge\":\"huge.json\"},"
		 "\"placement\":{\"tieBreak\":\"first\"},"
		 "\"workload\":{\"traces\":[\"lw.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("lw.json", "lw", NULL, NULL, NULL), 0);
	T_EQ(fail_rows("lw", "huge", "5.000"), 1);
	T_EQ(fail_rows("lw", "big", "6.000"), 1);
	RS_IS("lw", "tasks.csv", rs_find("lw", "tasks.csv", "task_id", "big"), "placed_s", "6.000");
	RS_IS("lw", "tasks.csv", rs_find("lw", "tasks.csv", "task_id", "huge"), "placed_s", "");
	T_EQ(rs_rows("lw", "placement_failures.csv"), 3);
	T_EQ(rs_num("lw", "summary.csv", 1, "placement_failures_total"), 3);
	T_EQ(twice_at_one_time("lw"), 0);
}

static CU_TestInfo instant_tests[] = {
	{ "anonymous tasks found by their written id", test_anonymous_ids },
	{ "a StopTask row then a RunTask row at one instant: the stop runs to the end first", test_stop_row_then_run_row },
	{ "a stop frees before a launch of the same ms", test_release_then_arrival },
	{ "several stops, then launches in row order", test_completions_and_arrivals },
	{ "a stop's walk places a pending task first", test_pending_takes_freed },
	{ "a waiting task fails once per instant, however many walks", test_one_failure_row_per_instant },
	{ "a launch's failure and a walk at one instant: one row", test_launch_then_walk_one_row },
	{ "R1 ties_a (copy)", test_r1_ties_a },
	{ "R1 ties_b (copy)", test_r1_ties_b },
	{ "R1 ties from the shared reference", test_r1_shared },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "instant", setup, teardown, NULL, NULL, instant_tests },
	CU_SUITE_INFO_NULL,
};
