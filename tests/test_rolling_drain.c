/* tests/test_rolling_drain.c — a Spot interruption during a rolling
 * deployment that does not progress (docs/ecs-model.md §5.5, §5.13, §5.15):
 * the service's tasks on the DRAINING instance are replaced within
 * minimumHealthyPercent / maximumPercent, and the scheduler stops those
 * first, before an older revision's healthy tasks running elsewhere.  When
 * the floor lets it stop one healthy task, it is the drained one: stopping a
 * healthy task elsewhere instead leaves the drained one to die with its
 * instance, and the service falls below the floor when the instance is
 * reclaimed.  Each run is checked after every event: at most floor(desired ×
 * maximumPercent / 100) tasks live, the scheduler never stops a healthy task
 * when fewer than ceil(desired × minimumHealthyPercent / 100) others stay
 * healthy, never stops a healthy task on an instance that is not DRAINING
 * while a task of the service on a DRAINING instance is still live, and
 * (the instance's termination taking no task the scheduler could have
 * replaced) the healthy count never falls below the floor once the
 * deployment's first pass is over; the whole-run invariants hold.
 *
 * The scenario: three on-demand m5.large (ci-00001 in us-east-1a,
 * ci-00003 and ci-00004 in us-east-1b) and one Spot m5.large with Spot
 * draining (ci-00002, us-east-1a, its notice at 400 s, DRAINING a poll
 * later, terminated at 520 s).  Desired 4, no strategy (AZ then instance
 * spread): task-1..task-4 one per instance, task-3 on ci-00002, listed by
 * the service after a healthy older task on an on-demand instance (the
 * order the pass meets them in).  At 300 s v2 is deployed with a placement
 * constraint no instance meets, so the rollout cannot progress (no v2 task
 * ever exists).  At the drain the older revision's drained task is replaced
 * by one of its own revision (§5.3, choice E8); once that is healthy the
 * floor lets one healthy task go: task-3, not an older task elsewhere. */
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

#define SCN(name, min, max) "{\"name\":\"" name "\",\"durationSeconds\":900," \
	"\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatTimeoutSeconds\":60," \
	"\"heartbeatJitterSeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3}," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1}," \
	"{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1," \
	"\"spot\":{\"draining\":true,\"timeToInterruptionSeconds\":400}}," \
	"{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":2}]," \
	"\"taskDefinitions\":{\"v1\":\"rd-v1.json\",\"v2\":\"rd-v2.json\"}," \
	"\"placement\":{\"tieBreak\":\"first\"}," \
	"\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":4," \
	"\"deploymentConfiguration\":{\"minimumHealthyPercent\":" #min ",\"maximumPercent\":" #max "}}]," \
	"\"workload\":{\"traces\":[\"rd.csv\"]}}"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("rd-v1.json",
		 "{\"family\":\"app\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":512,\"memory\":512}]}");
	/* placeable nowhere: every instance is an m5.large */
	rs_write("rd-v2.json",
		 "{\"family\":\"app\",\"revision\":2,\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x:2\","
		 "\"cpu\":512,\"memory\":512}],\"placementConstraints\":[{\"type\":\"memberOf\","
		 "\"expression\":\"attribute:ecs.instance-type == c5.large\"}]}");
	rs_write("rd.csv", "time_s,event,target,taskdef,count,duration_s,group\n300,deploy,s,v2,,,\n");
	return 0;
}

/* The rules, after every event. */
struct obs {
	struct inv inv;
	struct so_bounds b;        /* the bounds, and the drained tasks stopped first */
	int64_t low_healthy;       /* the fewest healthy after the deployment's first pass */
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
	/* the deployment's first pass is 10 s after it (300 s) */
	if ((double)sim_now(bp->sim) / 1000.0 > 311 && n.healthy < o->low_healthy)
		o->low_healthy = n.healthy;
}

/* Run rd-<min>-<max> observed: every rule held throughout. */
static void run_checked(const char *tag, const char *scenario, int64_t floor_healthy)
{
	struct obs o;
	char file[64];
	int r;

	memset(&o, 0, sizeof o);
	inv_init(&o.inv);
	o.low_healthy = INT64_MAX;
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scenario);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, observe, &o), 0);
	inv_report(&o.inv, tag);
	T_EQ(o.inv.violations, 0);
	/* the drained task first (§5.15), not an older healthy one elsewhere */
	so_bounds_check(&o.b, 1);
	/* so the Spot termination takes nothing from the floor */
	T_EQ(o.low_healthy, floor_healthy);
	/* the premise: task-3 ran on the Spot instance, the rollout never
	 * progressed (no v2 task) */
	r = rs_find(tag, "tasks.csv", "task_id", "task-3");
	CU_ASSERT_FATAL(r > 0);
	RS_IS(tag, "tasks.csv", r, "instance_id", "ci-00002");
	for (int k = 1; k <= rs_rows(tag, "tasks.csv"); k++)
		RS_IS(tag, "tasks.csv", k, "taskdef", "app");
	/* the scheduler stopped it before the instance was reclaimed (520 s) */
	RS_IS(tag, "tasks.csv", r, "stop_code", STOP_SCHEDULER);
	CU_ASSERT(rs_num(tag, "tasks.csv", r, "stop_s") < 520);
	/* and the service ends with the floor healthy, none of v2 */
	RS_IS(tag, "services.csv", -1, "healthy", floor_healthy == 4 ? "4" : "2");
	RS_IS(tag, "services.csv", -1, "deployments", "2");
	inv_free(&o.inv);
}

/* min 100 / max 200: the floor is the desired count; the drained task's
 * replacement (v1, E8) healthy lets exactly one healthy task go */
static void test_min100(void)
{
	run_checked("rd-100-200", SCN("rd-100-200", 100, 200), 4);
}

/* min 50 / max 200: the deployment's pass stopped task-1 and task-2 down to
 * the floor (2); task-3 and task-4 are left, and task-3's replacement
 * healthy lets one of them go: task-3 */
static void test_min50(void)
{
	run_checked("rd-50-200", SCN("rd-50-200", 50, 200), 2);
}

static CU_TestInfo tests[] = {
	{ "stuck rollout at 100/200, Spot drain: the drained task stopped first", test_min100 },
	{ "stuck rollout at 50/200, Spot drain: the drained task stopped first", test_min50 },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "rolling deployment and a Spot drain: drained tasks first", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
