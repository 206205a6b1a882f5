/* tests/test_scalein_drain.c — a lower desired count while a task on a
 * DRAINING instance has its replacement launched but not yet healthy
 * (docs/ecs-model.md §4.6, §5.15, choices E20, E107, E240).  The drained
 * task is being replaced; the scale-in takes its replacement, not a healthy
 * task on an ACTIVE instance: the drained task goes within
 * minimumHealthyPercent, and the healthy tasks elsewhere stay.  Each run is
 * checked after every event: at most floor(desired × maximumPercent / 100)
 * tasks live, the scheduler never stops a healthy task when fewer than
 * ceil(desired × minimumHealthyPercent / 100) others stay healthy, never
 * stops a healthy task on an instance that is not DRAINING while a task of
 * the service on a DRAINING instance is still live; the whole-run
 * invariants hold.
 *
 * The scenario: four m5.large, ci-00001 and ci-00002 in us-east-1a,
 * ci-00003 and ci-00004 in us-east-1b; no strategy (AZ then instance
 * spread, E20), min 100 / max 200, healthy 40 s after RUNNING.  Desired 2:
 * task-1 on ci-00001, task-2 on ci-00003.  The drained instance is
 * ci-00003; task-2's replacement task-3 goes to ci-00002 (the AZ spread
 * counts the drained task, A9: the AZs tie, then the emptiest instance, the
 * lowest id), so after task-2's stop the scale-in's AZ and instance counts
 * tie and the last tie-break, the lowest task id, named task-1, a healthy
 * task on an ACTIVE instance, leaving none healthy until task-3's health
 * (the old code).  With desired 4 and two instances drained the same
 * count's floor let one drained task go and the scale-in took a healthy
 * task elsewhere, keeping the other drained one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/invariants.h"
#include "helpers/runscn.h"
#include "helpers/svcobs.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/service_int.h"

#define SCN(name, desired, trace) "{\"name\":\"" name "\",\"durationSeconds\":600," \
	"\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatTimeoutSeconds\":60," \
	"\"heartbeatJitterSeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3}," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}," \
	"{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":2}]," \
	"\"taskDefinitions\":{\"v1\":\"sd-v1.json\"}," \
	"\"placement\":{\"tieBreak\":\"first\"}," \
	"\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":" #desired "," \
	"\"deploymentConfiguration\":{\"minimumHealthyPercent\":100,\"maximumPercent\":200}}]," \
	"\"workload\":{\"traces\":[\"" trace "\"]}}"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("sd-v1.json",
		 "{\"family\":\"app\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":512,\"memory\":512}]}");
	return 0;
}

/* The rules, after every event: the bounds and the drained tasks
 * stopped first (so_bounds; maxTasks from the pass a count change calls,
 * choice E112), and the fewest healthy once the service first had its
 * count. */
struct obs {
	struct inv inv;
	struct so_bounds b;
	int64_t low_healthy;
	int started;
};

static void observe(struct backplane *bp, void *ctx)
{
	struct obs *o = ctx;
	struct svc *v;
	struct so_count n;

	inv_observe(bp, &o->inv);
	if (!(v = so_service(bp)))
		return;
	so_bounds_observe(bp, v, &o->b, &n);
	if (n.healthy >= v->desired)
		o->started = 1;
	if (o->started && n.healthy < o->low_healthy)
		o->low_healthy = n.healthy;
}

/* Run the scenario observed: every rule held throughout, the healthy count
 * never below `floor_healthy` once the service had its count. */
static void run_checked(const char *tag, const char *scenario, int64_t floor_healthy)
{
	struct obs o;
	char file[64];

	memset(&o, 0, sizeof o);
	inv_init(&o.inv);
	o.low_healthy = INT64_MAX;
	o.b.at_change = 1;
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scenario);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, observe, &o), 0);
	inv_report(&o.inv, tag);
	T_EQ(o.inv.violations, 0);
	/* the drained task first (§5.15), not a healthy one elsewhere */
	so_bounds_check(&o.b, 1);
	T_EQ(o.low_healthy, floor_healthy);
	inv_free(&o.inv);
}

/* Task `id` ran to the end of the run. */
static void is_running(const char *tag, const char *id)
{
	int r = rs_find(tag, "tasks.csv", "task_id", id);

	CU_ASSERT_FATAL(r > 0);
	RS_IS(tag, "tasks.csv", r, "last_status", "RUNNING");
}

/* Task `id` was stopped by the scheduler before `before` s. */
static void is_stopped(const char *tag, const char *id, double before)
{
	int r = rs_find(tag, "tasks.csv", "task_id", id);

	CU_ASSERT_FATAL(r > 0);
	RS_IS(tag, "tasks.csv", r, "stop_code", STOP_SCHEDULER);
	CU_ASSERT(rs_num(tag, "tasks.csv", r, "stop_s") < before);
}

/* Desired 2 -> 1 at 230 s: task-2's instance drained at 200 s, its
 * replacement task-3 launched by the pass at 210 s, RUNNING at ~224 s,
 * healthy only at ~264 s.  The pass at 240 s: task-2 goes within the floor
 * (2 healthy, 1 needed), and the scale-in takes task-3, not the healthy
 * task-1 (which left none healthy for 24 s). */
static void test_replacement_running(void)
{
	const char *tag = "sd-2-1";

	rs_write("sd-2-1.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "200,drain_instance,ci-00003,,,,\n230,set_desired,s,,1,,\n");
	run_checked(tag, SCN("sd-2-1", 2, "sd-2-1.csv"), 1);
	/* the premise: task-2 ran on the drained instance */
	RS_IS(tag, "tasks.csv", rs_find(tag, "tasks.csv", "task_id", "task-2"), "instance_id", "ci-00003");
	is_running(tag, "task-1");
	is_stopped(tag, "task-2", 250);
	is_stopped(tag, "task-3", 250);
	RS_IS(tag, "services.csv", -1, "healthy", "1");
}

/* The same with the replacement still PENDING at the lower count (the
 * count lowered at 212 s, the pass at 222 s): the tasks not yet running go
 * first already (E20); the outcome is the same. */
static void test_replacement_pending(void)
{
	const char *tag = "sd-2-1p";

	rs_write("sd-2-1p.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "200,drain_instance,ci-00003,,,,\n212,set_desired,s,,1,,\n");
	run_checked(tag, SCN("sd-2-1p", 2, "sd-2-1p.csv"), 1);
	is_running(tag, "task-1");
	is_stopped(tag, "task-2", 235);
	is_stopped(tag, "task-3", 235);
	RS_IS(tag, "services.csv", -1, "healthy", "1");
}

/* Desired 4 -> 3 at 230 s with both us-east-1b instances drained at
 * 200 s: task-2 and task-4 are replaced by task-5 and task-6 on the
 * us-east-1a instances (RUNNING ~224 s, healthy ~264 s).  The pass at
 * 230 s: the floor (3) lets one drained task go, and the scale-in takes a
 * replacement not yet healthy, not task-1 (3 healthy kept: task-1,
 * task-3 and the other drained task, which goes once the remaining
 * replacement is healthy). */
static void test_two_drained(void)
{
	const char *tag = "sd-4-3";
	int r2, r4, r5, r6;

	rs_write("sd-4-3.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "200,drain_instance,ci-00003,,,,\n200,drain_instance,ci-00004,,,,\n230,set_desired,s,,3,,\n");
	run_checked(tag, SCN("sd-4-3", 4, "sd-4-3.csv"), 3);
	is_running(tag, "task-1");
	is_running(tag, "task-3");
	r2 = rs_find(tag, "tasks.csv", "task_id", "task-2");
	r4 = rs_find(tag, "tasks.csv", "task_id", "task-4");
	r5 = rs_find(tag, "tasks.csv", "task_id", "task-5");
	r6 = rs_find(tag, "tasks.csv", "task_id", "task-6");
	CU_ASSERT_FATAL(r2 > 0 && r4 > 0 && r5 > 0 && r6 > 0);
	/* the premise: task-2 and task-4 on the drained instances */
	RS_IS(tag, "tasks.csv", r2, "az", "us-east-1b");
	RS_IS(tag, "tasks.csv", r4, "az", "us-east-1b");
	RS_IS(tag, "tasks.csv", r2, "stop_code", STOP_SCHEDULER);
	RS_IS(tag, "tasks.csv", r4, "stop_code", STOP_SCHEDULER);
	/* one replacement stopped at the lower count, the other kept */
	CU_ASSERT((rs_num(tag, "tasks.csv", r5, "stop_s") > 0) + (rs_num(tag, "tasks.csv", r6, "stop_s") > 0) == 1);
	RS_IS(tag, "services.csv", -1, "healthy", "3");
}

static CU_TestInfo tests[] = {
	{ "desired 2 -> 1, the drained task's replacement RUNNING, not healthy: it goes", test_replacement_running },
	{ "desired 2 -> 1, the drained task's replacement PENDING: it goes", test_replacement_pending },
	{ "desired 4 -> 3, two drained, replacements RUNNING: one goes, task-1 stays", test_two_drained },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "scale-in while an instance drains: the replacements first", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
