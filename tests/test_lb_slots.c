/* tests/test_lb_slots.c — the load balancer's memory grows with its live
 * targets, not with the targets ever registered: a run whose instances fail
 * every 10 minutes or so (each failure a new task, a new target), with
 * instances deregistered with force on the way (their tasks' targets
 * orphaned, drained or cut at their host's end: docs/ecs-model.md §2.4,
 * §6.3), registers over a hundred targets while the target group holds a few
 * slots: a target's slot is reused once it is unused and the control plane
 * names it no more (models/lb/lb.h, lb_target_release). */
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/lb/lb.h"

static const char *td_web =
	"{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\",\"cpu\":256,\"memory\":512,"
	"\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}";

#define FAILS "\"failures\":{\"timeToFailureSeconds\":{\"exponential\":{\"mean\":600}}," \
	"\"timeToRepairSeconds\":{\"constant\":{\"value\":60}}}"

static const char *scn =
	"{\"name\":\"lb-slots\",\"seed\":5,\"durationSeconds\":21600,\"metricsIntervalSeconds\":600,"
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
	"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":4," FAILS "},"
	"{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":4," FAILS "}],"
	"\"loadBalancers\":[{\"name\":\"alb\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}],"
	"\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\","
	"\"attributes\":{\"deregistration_delay.timeout_seconds\":30},"
	"\"traffic\":{\"arrivals\":{\"poisson\":{\"ratePerSecond\":0.5}},"
	"\"serviceTimeSeconds\":{\"exponential\":{\"mean\":20}},\"workersPerTask\":100}}],"
	"\"taskDefinitions\":{\"web\":\"sl-web.json\"},"
	"\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":4,"
	"\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
	"\"workload\":{\"traces\":[\"sl.csv\"]}}";

/* force-deregistered instances: the first's host ends 10 s later (its
 * orphans' drains cut), the others' run on (their orphans drain); requests
 * of 20 s on average: drains last to the 30-s delay */
static const char *trace =
	"time_s,event,target,taskdef,count,duration_s,group\n"
	"3600,deregister_instance,ci-00001,,,,\n"
	"3610,instance_fail,ci-00001,,,,\n"
	"7200,deregister_instance,ci-00005,,,,\n"
	"10800,deregister_instance,ci-00002,,,,\n";

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("sl-web.json", td_web);
	rs_write("sl.json", scn);
	rs_write("sl.csv", trace);
	return 0;
}

static void observe(struct backplane *bp, void *ctx)
{
	int *max = ctx;
	struct lb *lb = lb_actor_world(bp);

	if (lb && lb_target_slots(lb, 0) > *max)
		*max = lb_target_slots(lb, 0);
}

static void test_slots_bounded(void)
{
	int max = 0, registered;
	char msg[128];

	CU_ASSERT_EQUAL_FATAL(rs_run("sl.json", "sl", NULL, observe, &max), 0);
	registered = rs_count("sl", "targets.csv", "reason", "registered");
	snprintf(msg, sizeof msg, "%d targets registered, at most %d slots", registered, max);
	CU_PASS(msg);
	CU_ASSERT(registered >= 100);
	CU_ASSERT(max >= 4);
	CU_ASSERT(max <= 16);
	/* drains cut at the delay's end (requests in flight on a slot reused
	 * later), and the orphans of the instance whose host ended at 3610 s */
	CU_ASSERT(rs_count("sl", "targets.csv", "reason", "deregistration delay ended") > 0);
	CU_ASSERT(rs_count("sl", "targets.csv", "time_s", "3610.000") > 0);
}

static CU_TestInfo tests[] = {
	{ "target slots bounded by the live targets over a hundred and more registered", test_slots_bounded },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "lb target slots", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
