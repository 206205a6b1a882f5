/* tests/test_noticed_sched.c — the scheduling behaviours users notice
 * (docs/ecs-model.md §9.1–§9.6), each reproduced with a scenario whose
 * numbers follow by hand from the rules it points to:
 *
 *  9.1 spread counts the old revision during a rolling deployment (§4.5,
 *      §4.6, §5.5; choices A9, A12);
 *  9.2 replacements for a drained instance and the AZ balance (§4.5,
 *      §5.15; choices A9, A11, D6);
 *  9.3 no rebalancing when capacity returns, unless AZ rebalancing, and
 *      that only for an AZ-spread service (§5.9, §8.2; choices E4, E6, E118);
 *  9.4 binpack's result depends on the order tasks arrive in (§4.5, D12);
 *  9.5 an agent disconnect strands service tasks until the instance is
 *      deregistered (§2.4, §7.4; choice D8);
 *  9.6 throttled restarts: the back-off, its 15-minute cap, the event
 *      SERVICE_TASK_START_IMPAIRED, and a new revision's reset (§5.4;
 *      choices E3, E117, E226).
 *
 * Every timing is fixed (TIMING below, the placement tie-break `first`), so
 * each instant and each count is exact. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tdefs.h"
#include "helpers/tutil.h"
#include "models/backplane.h"
#include "models/backplane_int.h"
#include "models/service_int.h"

#define TIMING TIMING_BY_HAND_AGENT(",\"reconnectInitialSeconds\":0")

#define HEAD(name, dur) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," TIMING \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"]," \
	"\"placement\":{\"tieBreak\":\"first\"},"

#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("small.json", TD_SMALL);
	rs_write("small-v2.json", TD_SMALL_V2);
	/* 1024 CPU units, 128 MiB: an instance's vCPUs are its slots (9.2) */
	rs_write("cpu1.json", "{\"family\":\"cpu1\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
		 "\"cpu\":1024,\"memory\":128}]}");
	rs_write("bad.json", "{\"family\":\"bad\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
		 "\"cpu\":256,\"memory\":512}]}");
	rs_write("good.json", "{\"family\":\"bad\",\"revision\":2,\"containerDefinitions\":[{\"name\":\"a\","
		 "\"image\":\"x:2\",\"cpu\":256,\"memory\":512}]}");
	return 0;
}

/* The tasks of tasks.csv of out-<tag> placed at or before `at` and not
 * stopped by then, per AZ (us-east-1a, b, c), of task definition `td`
 * (NULL: any). */
static void live_per_az(const char *tag, double at, const char *td, int per[3])
{
	int n = rs_rows(tag, "tasks.csv");

	per[0] = per[1] = per[2] = 0;
	for (int r = 1; r <= n; r++) {
		char *placed = rs_cell(tag, "tasks.csv", r, "placed_s");
		char *stop = rs_cell(tag, "tasks.csv", r, "stop_s");
		char *az = rs_cell(tag, "tasks.csv", r, "az");
		char *def = rs_cell(tag, "tasks.csv", r, "taskdef");

		if (placed && *placed && atof(placed) <= at + 1e-9 && (!*stop || atof(stop) > at + 1e-9) &&
		    (!td || strcmp(def, td) == 0) && strlen(az) > 0)
			per[az[strlen(az) - 1] - 'a']++;
		free(placed);
		free(stop);
		free(az);
		free(def);
	}
}

#define PER_AZ(tag, at, td, a, b, c) do { int p_[3]; live_per_az(tag, at, td, p_); \
	T_EQ(p_[0], a); T_EQ(p_[1], b); T_EQ(p_[2], c); } while (0)

/* Rows of tasks.csv of out-<tag> whose `col` (a time) is in (from, to]. */
static int rows_between(const char *tag, const char *col, double from, double to)
{
	int n = rs_rows(tag, "tasks.csv"), k = 0;

	for (int r = 1; r <= n; r++) {
		char *v = rs_cell(tag, "tasks.csv", r, col);

		if (v && *v && atof(v) > from + 1e-9 && atof(v) <= to + 1e-9)
			k++;
		free(v);
	}
	return k;
}

/* ---- 9.1 -----------------------------------------------------------------
 * An AZ-spread service (ECS's default strategy: spread AZ, then instance)
 * of 6 tasks, availabilityZoneRebalancing DISABLED.  At the start only
 * us-east-1a (ci-00001) and us-east-1b (ci-00002) have an instance, 8 slots
 * each (m5.large, 256 CPU units a task): the 6 tasks are 3/3/0.  At 100 s
 * ci-00003 registers in us-east-1c.  At 200 s a deploy to small:2 (min
 * 100 %, max 200 %): the pass at 200.25 launches 6 new tasks at once (12 ≤
 * floor(6 × 200 / 100)), placed one after the other at 201.25.  Spread
 * counts every task of the group service:s, the old revision's included
 * (choice A9): from 3/3/0 the new tasks go c, c, c (3/3/3), then the AZs
 * tie and the instances tie (3 each), so ci-00001 (a), then b (4/3/3 → b, c
 * tie → ci-00002), then c: 4/4/4, the new ones 1/1/4.  They run at 213.75
 * (the new image pulled: 0.5 + 10 + 2), are healthy at 253.75, and the
 * pass at 263.75 stops the 6 old ones (12 healthy ≥ 6): 1/1/4 to the end.
 * Were only the new revision counted, they would go 2/2/2. */
static void test_spread_counts_old(void)
{
	int n, old_stopped = 0;

	rs_write("n91.json", HEAD("n91", 600)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\"}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\",\"small2\":\"small-v2.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":6,"
		 "\"availabilityZoneRebalancing\":\"DISABLED\"}],"
		 "\"workload\":{\"traces\":[\"n91.csv\"]}}");
	rs_write("n91.csv", TRACE_HDR "100,register_instance,m5.large,,1,,us-east-1c\n200,deploy,s,small2,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("n91.json", "n91", NULL, NULL, NULL), 0);
	/* before the deployment: 3/3/0 */
	PER_AZ("n91", 199, NULL, 3, 3, 0);
	/* the 6 new tasks, all placed at 201.25, by the rule above */
	T_EQ(rows_between("n91", "placed_s", 200, 201.25), 6);
	PER_AZ("n91", 201.25, "small:2", 1, 1, 4);
	PER_AZ("n91", 201.25, NULL, 4, 4, 4);
	/* the old ones stop after the new ones are healthy: 1/1/4 remains */
	PER_AZ("n91", 263, "small", 3, 3, 0);
	PER_AZ("n91", 600, NULL, 1, 1, 4);
	PER_AZ("n91", 600, "small:2", 1, 1, 4);
	n = rs_rows("n91", "tasks.csv");
	T_EQ(n, 12);
	for (int r = 1; r <= n; r++) {
		char *def = rs_cell("n91", "tasks.csv", r, "taskdef");

		if (strcmp(def, "small") == 0) {
			RS_IS("n91", "tasks.csv", r, "stop_code", "ServiceSchedulerInitiated");
			T_NEAR(rs_num("n91", "tasks.csv", r, "deactivating_s"), 263.75 + 0.5);
			old_stopped++;
		}
		free(def);
	}
	T_EQ(old_stopped, 6);
}

/* ---- 9.2 -----------------------------------------------------------------
 * The report's cluster: spread AZ, then binpack CPU; tasks of 1024 CPU
 * units, instances of 8, 3, 5 and 5 vCPUs (8, 3, 5, 5 slots): ci-00001
 * and ci-00002 in us-east-1a, ci-00003 in b, ci-00004 in c.  The 18 tasks,
 * placed one after the other (AZ counts first; among tied AZs the instance
 * with the least CPU left; then the earliest registered): ci-00002 (a),
 * ci-00003 (b), ci-00004 (c), ci-00002, b, c, ci-00002 (now full), b, c;
 * at 3/3/3 ci-00003 (1024 left, before ci-00004's equal), then c, then a
 * (ci-00001), b, c, a: 5/5/5 with b and c full, so the last 3 go to
 * ci-00001: ci-00001 5, ci-00002 3, b 5, c 5 — the report's 8/5/5.
 * At 200 s ci-00002 is drained (min 100 %, max 200 %): the pass at 210
 * launches its 3 replacements before stopping its tasks.  Spread still
 * counts ci-00002's 3 tasks in us-east-1a (choices A9, D6):
 *  - "full": b and c have no room, so all 3 go to ci-00001 (3 slots
 *    left): 8/5/5, as reported — spread is best effort;
 *  - "room": ci-00005 (b) and ci-00006 (c), 5 vCPUs each, registered at
 *    100 s: a counts 8, b 5, c 5, so b (ci-00005, before ci-00006), c,
 *    then b again (6/6 tied, ci-00005 first): once ci-00002's tasks stop,
 *    5/7/6, not the 6/6/6 a spread of the 3 moved tasks would give. */
static void drain_run(const char *tag, const char *trace)
{
	char name[64], csv[64], scn[4096];

	snprintf(name, sizeof name, "%s.json", tag);
	snprintf(csv, sizeof csv, "%s.csv", tag);
	snprintf(scn, sizeof scn, HEAD("n92", 600)
		 "\"instanceTypes\":[{\"name\":\"x8.large\",\"vcpu\":8,\"memoryGiB\":16},"
		 "{\"name\":\"x3.large\",\"vcpu\":3,\"memoryGiB\":16},{\"name\":\"x5.large\",\"vcpu\":5,\"memoryGiB\":16}],"
		 "\"instanceGroups\":[{\"instanceType\":\"x8.large\",\"availabilityZone\":\"us-east-1a\"},"
		 "{\"instanceType\":\"x3.large\",\"availabilityZone\":\"us-east-1a\"},"
		 "{\"instanceType\":\"x5.large\",\"availabilityZone\":\"us-east-1b\"},"
		 "{\"instanceType\":\"x5.large\",\"availabilityZone\":\"us-east-1c\"}],"
		 "\"taskDefinitions\":{\"cpu1\":\"cpu1.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"cpu1\",\"desiredCount\":18,"
		 "\"availabilityZoneRebalancing\":\"DISABLED\","
		 "\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"},"
		 "{\"type\":\"binpack\",\"field\":\"cpu\"}]}],"
		 "\"workload\":{\"traces\":[\"%s\"]}}", csv);
	rs_write(name, scn);
	rs_write(csv, trace);
	CU_ASSERT_EQUAL_FATAL(rs_run(name, tag, NULL, NULL, NULL), 0);
}

/* Tasks of out-<tag> live at `at` on instance `id`. */
static int live_on(const char *tag, double at, const char *id)
{
	int n = rs_rows(tag, "tasks.csv"), k = 0;

	for (int r = 1; r <= n; r++) {
		char *placed = rs_cell(tag, "tasks.csv", r, "placed_s");
		char *stop = rs_cell(tag, "tasks.csv", r, "stop_s");
		char *inst = rs_cell(tag, "tasks.csv", r, "instance_id");

		if (*placed && atof(placed) <= at + 1e-9 && (!*stop || atof(stop) > at + 1e-9) && strcmp(inst, id) == 0)
			k++;
		free(placed);
		free(stop);
		free(inst);
	}
	return k;
}

static void test_drained_replacements(void)
{
	/* the report's cluster, no room elsewhere */
	drain_run("n92f", TRACE_HDR "200,drain_instance,ci-00002,,,,\n");
	T_EQ(live_on("n92f", 199, "ci-00001"), 5);
	T_EQ(live_on("n92f", 199, "ci-00002"), 3);
	PER_AZ("n92f", 199, NULL, 8, 5, 5);
	/* the replacements, placed at 211 */
	T_EQ(rows_between("n92f", "placed_s", 200, 211), 3);
	T_EQ(live_on("n92f", 211, "ci-00001"), 8);
	T_EQ(live_on("n92f", 600, "ci-00001"), 8);
	T_EQ(live_on("n92f", 600, "ci-00002"), 0);
	PER_AZ("n92f", 600, NULL, 8, 5, 5);

	/* room in b and c: the drained AZ's tasks still count there */
	drain_run("n92r", TRACE_HDR "100,register_instance,x5.large,,1,,us-east-1b\n"
		  "100,register_instance,x5.large,,1,,us-east-1c\n"
		  "200,drain_instance,ci-00002,,,,\n");
	PER_AZ("n92r", 199, NULL, 8, 5, 5);
	T_EQ(rows_between("n92r", "placed_s", 200, 211), 3);
	T_EQ(live_on("n92r", 211, "ci-00005"), 2);
	T_EQ(live_on("n92r", 211, "ci-00006"), 1);
	T_EQ(live_on("n92r", 211, "ci-00001"), 5);
	/* ci-00002's tasks run (and count) until the replacements are healthy
	 * (223.5 + 40), the pass 10 s later stops them: 0.5 + 3 */
	T_EQ(live_on("n92r", 276.999, "ci-00002"), 3);
	T_EQ(live_on("n92r", 277, "ci-00002"), 0);
	PER_AZ("n92r", 600, NULL, 5, 7, 6);
}

/* ---- 9.3 -----------------------------------------------------------------
 * An AZ-spread service of 6 on one m5.large per AZ (ci-00001 a, ci-00002
 * b, ci-00003 c): 2/2/2.  us-east-1c fails from 100 s for 200 s: its host
 * is noticed lost at 160 (heartbeat timeout 60, no jitter), its 2 tasks
 * STOPPED, and the pass at 170 places 2 replacements in a and b (c has no
 * connected instance): 3/3/0.  At 300 s the zone is back, its instance
 * empty.
 *  - DISABLED: nothing moves; 3/3/0 to the end, 8 tasks in all.
 *  - ENABLED (the default): at the first check (every 60 s from the
 *    creation, which takes effect at 0.25 s) after c is back the service
 *    is imbalanced (3 − 0 > 1, choice E4): 300.25 s starts one task in c,
 *    and once it is healthy one is stopped in a (a and b tie); at 360.25
 *    (3/2/1) the same, a task stopped in b: 2/2/2.
 *  - a binpack service, ENABLED: rebalancing applies only to services that
 *    spread over AZs first (§5.9): its 6 tasks all on ci-00001 (a); a
 *    fails from 100 s for 200 s, they go to ci-00002 (b) and stay there. */
static void rebalance_run(const char *tag, const char *svc_extra, const char *az)
{
	char name[64], csv[64], scn[4096], trace[256];

	snprintf(name, sizeof name, "%s.json", tag);
	snprintf(csv, sizeof csv, "%s.csv", tag);
	snprintf(scn, sizeof scn, HEAD("n93", 1200)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\"},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1c\"}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":6%s}],"
		 "\"workload\":{\"traces\":[\"%s\"]}}", svc_extra, csv);
	snprintf(trace, sizeof trace, TRACE_HDR "100,az_outage,%s,,,200,\n", az);
	rs_write(name, scn);
	rs_write(csv, trace);
	CU_ASSERT_EQUAL_FATAL(rs_run(name, tag, NULL, NULL, NULL), 0);
}

static void test_no_rebalance(void)
{
	int n;

	rebalance_run("n93d", ",\"availabilityZoneRebalancing\":\"DISABLED\"", "us-east-1c");
	PER_AZ("n93d", 99, NULL, 2, 2, 2);
	PER_AZ("n93d", 171, NULL, 3, 3, 0);
	PER_AZ("n93d", 1200, NULL, 3, 3, 0);
	T_EQ(rs_rows("n93d", "tasks.csv"), 8);
	T_EQ(rows_between("n93d", "submit_s", 171, 1200), 0);

	rebalance_run("n93e", "", "us-east-1c");
	PER_AZ("n93e", 171, NULL, 3, 3, 0);
	PER_AZ("n93e", 300.25, NULL, 3, 3, 0);
	T_EQ(rows_between("n93e", "submit_s", 171, 300), 0);
	/* the first step, at the check of 300.25 s: a task in c, healthy at
	 * 301.25 + 3.5 + 40, the pass 10 s later stops one in a (a and b tie:
	 * the lowest task id, task-1); a stop takes 0.5 + 3 */
	n = rs_find("n93e", "tasks.csv", "submit_s", "300.250");
	CU_ASSERT_FATAL(n > 0);
	RS_IS("n93e", "tasks.csv", n, "az", "us-east-1c");
	PER_AZ("n93e", 301.25, NULL, 3, 3, 1);
	T_NEAR(rs_num("n93e", "tasks.csv", rs_find("n93e", "tasks.csv", "task_id", "task-1"), "stop_s"), 358.25);
	PER_AZ("n93e", 358.25, NULL, 2, 3, 1);
	/* the second, at the check of 360.25 (3 − 1 > 1 still): one more in c,
	 * one stopped in b */
	n = rs_find("n93e", "tasks.csv", "submit_s", "360.250");
	CU_ASSERT_FATAL(n > 0);
	RS_IS("n93e", "tasks.csv", n, "az", "us-east-1c");
	T_NEAR(rs_num("n93e", "tasks.csv", rs_find("n93e", "tasks.csv", "task_id", "task-2"), "stop_s"), 418.25);
	PER_AZ("n93e", 418.25, NULL, 2, 2, 2);
	PER_AZ("n93e", 1200, NULL, 2, 2, 2);
	/* two steps: two tasks started, two stopped */
	T_EQ(rs_rows("n93e", "tasks.csv"), 10);

	rebalance_run("n93b", ",\"placementStrategy\":[{\"type\":\"binpack\",\"field\":\"cpu\"}]", "us-east-1a");
	PER_AZ("n93b", 99, NULL, 6, 0, 0);
	PER_AZ("n93b", 171, NULL, 0, 6, 0);
	PER_AZ("n93b", 1200, NULL, 0, 6, 0);
	T_EQ(rs_rows("n93b", "tasks.csv"), 12);
	T_EQ(rows_between("n93b", "submit_s", 171, 1200), 0);
}

/* ---- 9.4 -----------------------------------------------------------------
 * binpack on CPU, instances of 10 vCPUs (10,240 CPU units; three of
 * them), two services: X of 2 tasks of 6144 units, Y of 2 tasks of 4096.
 *  - X created first (0 s), then Y (100 s): X's tasks take ci-00001 (all
 *    empty: the earliest), then ci-00002 (4096 left on ci-00001 is too
 *    little); Y's take ci-00001 (4096 left each, the earliest), then
 *    ci-00002: 2 instances, both full.
 *  - Y first: Y's take ci-00001 twice (6144 left, then 2048); X's then
 *    ci-00002 and ci-00003 (2048 and 4096 left on the others are too
 *    little): 3 instances, 6144 units unused. */
static void order_run(const char *tag, int x_at, int y_at)
{
	char name[64], scn[4096];

	snprintf(name, sizeof name, "%s.json", tag);
	snprintf(scn, sizeof scn, HEAD("n94", 600)
		 "\"instanceTypes\":[{\"name\":\"x10.large\",\"vcpu\":10,\"memoryGiB\":16}],"
		 "\"instanceGroups\":[{\"instanceType\":\"x10.large\",\"availabilityZone\":\"us-east-1a\",\"count\":3}],"
		 "\"taskDefinitions\":{\"big\":\"n94-big.json\",\"mid\":\"n94-mid.json\"},"
		 "\"services\":[{\"serviceName\":\"x\",\"taskDefinition\":\"big\",\"desiredCount\":2,\"createdAtSeconds\":%d,"
		 "\"placementStrategy\":[{\"type\":\"binpack\",\"field\":\"cpu\"}]},"
		 "{\"serviceName\":\"y\",\"taskDefinition\":\"mid\",\"desiredCount\":2,\"createdAtSeconds\":%d,"
		 "\"placementStrategy\":[{\"type\":\"binpack\",\"field\":\"cpu\"}]}]}", x_at, y_at);
	rs_write(name, scn);
	CU_ASSERT_EQUAL_FATAL(rs_run(name, tag, NULL, NULL, NULL), 0);
}

/* Instances of out-<tag> with a task on them at the end. */
static int instances_used(const char *tag)
{
	int n = rs_rows(tag, "tasks.csv"), used[8] = { 0 }, k = 0;

	for (int r = 1; r <= n; r++) {
		char *inst = rs_cell(tag, "tasks.csv", r, "instance_id");
		char *stop = rs_cell(tag, "tasks.csv", r, "stop_s");
		int no = strlen(inst) >= 5 ? (int)strtol(inst + strlen(inst) - 5, NULL, 10) : 0;

		if (!*stop && no >= 1 && no < 8 && !used[no]++)
			k++;
		free(inst);
		free(stop);
	}
	return k;
}

/* Tasks of service `svc` of out-<tag> placed on instance `id`. */
static int on(const char *tag, const char *svc, const char *id)
{
	int n = rs_rows(tag, "tasks.csv"), k = 0;

	for (int r = 1; r <= n; r++) {
		char *s = rs_cell(tag, "tasks.csv", r, "service");
		char *inst = rs_cell(tag, "tasks.csv", r, "instance_id");

		k += strcmp(s, svc) == 0 && strcmp(inst, id) == 0;
		free(s);
		free(inst);
	}
	return k;
}

static void test_binpack_order(void)
{
	rs_write("n94-big.json", "{\"family\":\"big\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
		 "\"cpu\":6144,\"memory\":128}]}");
	rs_write("n94-mid.json", "{\"family\":\"mid\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"y\","
		 "\"cpu\":4096,\"memory\":128}]}");
	order_run("n94xy", 0, 100);
	T_EQ(rs_rows("n94xy", "tasks.csv"), 4);
	T_EQ(on("n94xy", "x", "ci-00001"), 1);
	T_EQ(on("n94xy", "x", "ci-00002"), 1);
	T_EQ(on("n94xy", "y", "ci-00001"), 1);
	T_EQ(on("n94xy", "y", "ci-00002"), 1);
	T_EQ(instances_used("n94xy"), 2);
	order_run("n94yx", 100, 0);
	T_EQ(rs_rows("n94yx", "tasks.csv"), 4);
	T_EQ(on("n94yx", "y", "ci-00001"), 2);
	T_EQ(on("n94yx", "x", "ci-00002"), 1);
	T_EQ(on("n94yx", "x", "ci-00003"), 1);
	T_EQ(instances_used("n94yx"), 3);
}

/* ---- 9.5 -----------------------------------------------------------------
 * A service of 2 (spread AZ, then instance): task-1 on ci-00001 (a),
 * task-2 on ci-00002 (b); ci-00003 (a) spare.  At 100 s ci-00001's agent
 * goes silent for good (5000 s) and ci-00002's for 300 s: both are marked
 * disconnected at 160 s.  Their tasks keep running, the service counts
 * them RUNNING and launches nothing: not at the disconnect, not while
 * ci-00002's agent is away, not when it reconnects (400 s).  At 1000 s
 * ci-00001 is deregistered (force): task-1 STOPPED for ECS (UserInitiated),
 * and the pass at 1010 launches its replacement on ci-00003 (us-east-1a
 * holds none now), placed at 1011, RUNNING at 1011 + 0.5 + 10 + 2. */
struct n95_obs {
	double from, to;           /* the window watched */
	int64_t min_running;
	int64_t max_tasks;
};

static void n95_observe(struct backplane *bp, void *ctx)
{
	struct n95_obs *o = ctx;
	double now = (double)sim_now(bp->sim) / 1000.0;
	struct svc *v;

	if (svc_sched(bp)->n_svcs < 1 || now < o->from || now >= o->to)
		return;
	v = &svc_sched(bp)->svcs[0];
	if (v->running < o->min_running)
		o->min_running = v->running;
	if (v->n_tasks > o->max_tasks)
		o->max_tasks = v->n_tasks;
}

static void test_disconnect_strands(void)
{
	struct n95_obs o = { .from = 100, .to = 1000, .min_running = INT64_MAX, .max_tasks = 0 };
	int r;

	rs_write("n95.json", HEAD("n95", 1500)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\"},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":2,"
		 "\"availabilityZoneRebalancing\":\"DISABLED\"}],"
		 "\"workload\":{\"traces\":[\"n95.csv\"]}}");
	rs_write("n95.csv", TRACE_HDR "100,agent_disconnect,ci-00001,,,5000,\n"
		 "100,agent_disconnect,ci-00002,,,300,\n1000,deregister_instance,ci-00001,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("n95.json", "n95", NULL, n95_observe, &o), 0);
	/* the backplane's view: both RUNNING, no third task, 100 s to 1000 s */
	T_EQ(o.min_running, 2);
	T_EQ(o.max_tasks, 2);
	T_EQ(rows_between("n95", "submit_s", 1, 1000), 0);
	r = rs_find("n95", "tasks.csv", "instance_id", "ci-00001");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("n95", "tasks.csv", r, "stop_code", "UserInitiated");
	T_NEAR(rs_num("n95", "tasks.csv", r, "stop_s"), 1000);
	r = rs_find("n95", "tasks.csv", "instance_id", "ci-00002");
	RS_IS("n95", "tasks.csv", r, "stop_s", "");
	RS_IS("n95", "tasks.csv", r, "last_status", "RUNNING");
	/* the replacement, only after the deregistration */
	T_EQ(rs_rows("n95", "tasks.csv"), 3);
	r = rs_find("n95", "tasks.csv", "instance_id", "ci-00003");
	CU_ASSERT_FATAL(r > 0);
	T_NEAR(rs_num("n95", "tasks.csv", r, "submit_s"), 1010);
	T_NEAR(rs_num("n95", "tasks.csv", r, "placed_s"), 1011);
	T_NEAR(rs_num("n95", "tasks.csv", r, "running_s"), 1023.5);
}

/* ---- 9.6 -----------------------------------------------------------------
 * A service of 1 whose containers always fail to start, on one instance.
 * Each attempt: launch, placed 1 s later, start request 0.5, pull (10 s the
 * first time, 1 s cached), start 2 s fails, report 0.5: the failure is
 * known 24 s (then 5 s) after the launch.  The first two failures are
 * replaced after the scheduler's 10 s; from the third (choice E3) the next
 * launch waits 30 s from the failure, doubled each attempt up to 900 s
 * (15 minutes): gaps between launches 24, 15, 35, 65, 125, 245, 485, 905,
 * 905, ... — ECS never gives up.  SERVICE_TASK_START_IMPAIRED is written
 * once, at the third failure (39.25 + 5).  At 3000 s a deploy to a good
 * revision resets the throttle: launched by the pass at 3000.25, not at
 * the 3709.25 the back-off would give, and RUNNING. */
static void test_throttled_restarts(void)
{
	static const double gap[] = { 24, 15, 35, 65, 125, 245, 485, 905, 905 };
	double prev = 0.25, at;
	int n, r, k, found = 0;
	char *m;

	rs_write("n96.json", HEAD("n96", 3600)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"bad\":{\"file\":\"bad.json\",\"startFailureProbability\":1},\"good\":\"good.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"bad\",\"desiredCount\":1}],"
		 "\"workload\":{\"traces\":[\"n96.csv\"]}}");
	rs_write("n96.csv", TRACE_HDR "3000,deploy,s,good,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("n96.json", "n96", NULL, NULL, NULL), 0);
	n = rs_rows("n96", "tasks.csv");
	T_EQ(n, 11);
	/* tasks.csv rows are in task order here: no row left before the next
	 * task was made (each attempt's task has left when the next starts) */
	T_NEAR(rs_num("n96", "tasks.csv", 1, "submit_s"), 0.25);
	for (k = 0; k < 9; k++) {
		char id[32];

		snprintf(id, sizeof id, "task-%d", k + 2);
		r = rs_find("n96", "tasks.csv", "task_id", id);
		CU_ASSERT_FATAL(r > 0);
		at = rs_num("n96", "tasks.csv", r, "submit_s");
		T_NEAR(at - prev, gap[k]);
		RS_IS("n96", "tasks.csv", r, "stop_code", "TaskFailedToStart");
		prev = at;
	}
	/* the cap: the last gap is 900 s of wait after the failure (5 s) */
	T_NEAR(prev, 2804.25);
	/* the new revision's task: launched at once, RUNNING */
	r = rs_find("n96", "tasks.csv", "task_id", "task-11");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("n96", "tasks.csv", r, "taskdef", "bad:2");
	T_NEAR(rs_num("n96", "tasks.csv", r, "submit_s"), 3000.25);
	T_NEAR(rs_num("n96", "tasks.csv", r, "running_s"), 3000.25 + 1 + 0.5 + 10 + 2);
	/* the event, once, at the third failure */
	n = rs_rows("n96", "service_events.csv");
	for (r = 1; r <= n; r++) {
		char *type = rs_cell("n96", "service_events.csv", r, "event_type");

		if (strcmp(type, "SERVICE_TASK_START_IMPAIRED") == 0) {
			found++;
			T_NEAR(rs_num("n96", "service_events.csv", r, "time_s"), 44.25);
			m = rs_cell("n96", "service_events.csv", r, "message");
			T_STREQ(m, "(service s) is unable to consistently start tasks successfully. "
				   "For more information, see the Troubleshooting section.");
			free(m);
		}
		free(type);
	}
	T_EQ(found, 1);
}

static CU_TestInfo tests[] = {
	{ "9.1 spread counts the old revision: 3/3/0 deployed gives 1/1/4", test_spread_counts_old },
	{ "9.2 a drained instance's replacements: 8/5/5 without room, 5/7/6 with", test_drained_replacements },
	{ "9.3 no rebalancing when capacity returns, except AZ rebalancing of an AZ spread",
	  test_no_rebalance },
	{ "9.4 binpack depends on arrival order: 2 instances or 3", test_binpack_order },
	{ "9.5 a disconnected agent's tasks stay RUNNING until deregistration", test_disconnect_strands },
	{ "9.6 throttled restarts: 30 s doubling to 900 s, START_IMPAIRED, reset by a deploy",
	  test_throttled_restarts },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "behaviours users notice: scheduling (docs/ecs-model.md §9.1-9.6)", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
