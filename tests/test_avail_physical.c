/* tests/test_avail_physical.c — service_summary.csv's two availabilities
 * (docs/ecs-model.md §7.4, choice E205; scenarios/README.md "Outputs").
 *
 * availability_pct is the control plane's view: a task on a host that
 * failed counts as running until ECS notices (the heartbeat timeout).
 * availability_physical_pct counts it as down from the host's failure
 * instant, so it is the one a reliability bound MTBF / (MTBF + MTTR) holds
 * for.  Checked (1) on instants computed by hand from the timing
 * parameters, (2) against that bound with a confidence interval over
 * exponential failures and repairs, and (3) at every event: the service's
 * count of running tasks on failed hosts equals the tasks the backplane
 * still sees RUNNING on an instance that is down. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/faults_int.h"
#include "models/service_int.h"

/* placement 1 s after the API's 0.25 s; on the instance: network 0.5 s,
 * pull 10 s (1 s cached), start 2 s; ECS notices a silent host after
 * exactly 60 s (no jitter) */
#define TIMING "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"heartbeatTimeoutSeconds\":60,\"heartbeatJitterSeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3},"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("small.json", "{\"family\":\"small\",\"containerDefinitions\":[{\"name\":\"a\","
		 "\"image\":\"x\",\"cpu\":256,\"memory\":512}]}");
	return 0;
}

/* At every event: the service's ghost count (running tasks on failed
 * hosts) equals the tasks of the service the backplane sees RUNNING on an
 * instance whose host is down, and never exceeds its running count. */
struct ghost_check {
	int events, bad, max_ghost;
};

static void ghost_observe(struct backplane *bp, void *ctx)
{
	struct ghost_check *c = ctx;
	struct sched *sc = svc_sched(bp);
	int64_t n = 0;

	if (!sc || sc->n_svcs < 1)
		return;
	for (size_t k = 0; k < bp->n_tasks; k++) {
		const struct task *t = &bp->tasks[k];

		if (t->used && !t->queued && t->svc == 0 && t->inst >= 0 && t->seen == TS_RUNNING &&
		    fault_inst_at(bp, t->inst)->dead)
			n++;
	}
	c->events++;
	if (sc->svcs[0].ghost != n || sc->svcs[0].ghost > sc->svcs[0].running || sc->svcs[0].ghost < 0)
		c->bad++;
	if (n > c->max_ghost)
		c->max_ghost = (int)n;
}

/* One instance, one task.  The service is created at 0.25 s (API latency).
 *   task-1: placed 1.25, RUNNING 1.25 + 0.5 + 10 + 2 = 13.75.
 *   500 s: the host fails, repaired after 30 s (before the 60 s heartbeat
 *     timeout): its reboot reports the task STOPPED at 530; the next pass,
 *     10 s later, places task-2 at 541, RUNNING 541 + 0.5 + 1 + 2 = 544.5.
 *   1200 s: the host fails for 500 s: ECS notices at 1260 (task-2 STOPPED),
 *     the instance is back at 1700, the pass at 1710 places task-3 at 1711,
 *     RUNNING 1714.5.
 * Physically up: (500 - 13.75) + (1200 - 544.5) + (2000 - 1714.5) = 1427.25 s;
 * the control plane counts 30 + 60 s more (to 530 and to 1260): 1517.25 s;
 * both over 2000 - 0.25 = 1999.75 s. */
static void test_hand_instants(void)
{
	struct ghost_check c = { 0 };
	double span = 1999.75;

	rs_write("ph.json", "{\"name\":\"ph\",\"durationSeconds\":2000," TIMING
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":1}],"
		 "\"workload\":{\"traces\":[\"ph.csv\"]}}");
	rs_write("ph.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "500,instance_fail,ci-00001,,,30,\n"
		 "1200,instance_fail,ci-00001,,,500,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("ph.json", "ph", NULL, ghost_observe, &c), 0);
	T_EQ(rs_rows("ph", "tasks.csv"), 3);
	T_NEAR(rs_num("ph", "tasks.csv", 1, "running_s"), 13.75);
	T_NEAR(rs_num("ph", "tasks.csv", 1, "stopped_s"), 530);
	T_NEAR(rs_num("ph", "tasks.csv", 2, "running_s"), 544.5);
	T_NEAR(rs_num("ph", "tasks.csv", 2, "stopped_s"), 1260);
	T_NEAR(rs_num("ph", "tasks.csv", 3, "running_s"), 1714.5);
	/* both tasks lost with their host (InfrastructureHealth) are lost
	 * tasks replaced: 544.5 - 530 = 14.5 s and 1714.5 - 1260 = 454.5 s;
	 * p99 of two values, interpolated: 14.5 + 0.99 * 440 */
	T_NEAR(rs_num("ph", "service_summary.csv", 1, "replacements"), 2);
	T_NEAR(rs_num("ph", "service_summary.csv", 1, "mean_time_to_replace_s"), 234.5);
	T_NEAR(rs_num("ph", "service_summary.csv", 1, "p99_time_to_replace_s"), 450.1);
	CU_ASSERT(fabs(rs_num("ph", "service_summary.csv", 1, "availability_physical_pct") -
		       100.0 * 1427.25 / span) < 0.001);
	CU_ASSERT(fabs(rs_num("ph", "service_summary.csv", 1, "availability_pct") -
		       100.0 * 1517.25 / span) < 0.001);
	CU_ASSERT(c.events > 0);
	T_EQ(c.bad, 0);
	T_EQ(c.max_ghost, 1);
}

/* 20 instances failing after Exp(3600 s) and repaired after Exp(400 s),
 * one task on each (distinctInstance), 2,000,000 s.  An instance is up
 * MTBF / (MTBF + MTTR) = 0.9 of the time.  A slot's task is physically
 * down from its host's failure until L = 14.5 s after the repair (the next
 * pass 10 s after the instance is back, placement 1 s, network 0.5 s,
 * cached pull 1 s, start 2 s: as task-3 above), so the expected physical
 * availability is (MTBF - L) / (MTBF + MTTR) = 0.896375, below the bound.
 * The up share of an alternating renewal process with exponential up
 * (mean a) and down (mean b) times has asymptotic variance
 * 2 a^2 b^2 / (a + b)^3 / T per instance: over 20 independent instances
 * the standard error is 0.00127; the test allows 3.29 of them (99.9 %).
 * The control plane keeps counting a lost task for min(60 s, TTR) after
 * each failure: E = 400 (1 - e^(-60/400)) = 55.72 s per failure, one
 * failure per (MTBF + MTTR), so availability_pct exceeds the physical
 * figure by 100 * 55.72 / 4000 = 1.393 points (about 1 % relative
 * spread over ~10,000 failures; the test allows 0.07 points). */
static void test_mtbf_bound(void)
{
	struct ghost_check c = { 0 };
	double a = 3600, b = 400, T = 2e6, L = 14.5;
	double se = sqrt(2 * a * a * b * b / pow(a + b, 3) / T / 20);
	double want = 100 * (a - L) / (a + b), phys, cp;
	double excess = 100 * b * (1 - exp(-60 / b)) / (a + b);

	rs_write("mb.json", "{\"name\":\"mb\",\"seed\":11,\"durationSeconds\":2000000,\"metricsIntervalSeconds\":3600,"
		 TIMING
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
		 "\"count\":20,\"failures\":{\"timeToFailureSeconds\":{\"exponential\":{\"mean\":3600}},"
		 "\"timeToRepairSeconds\":{\"exponential\":{\"mean\":400}}}}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":20,"
		 "\"placementConstraints\":[{\"type\":\"distinctInstance\"}]}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("mb.json", "mb", NULL, ghost_observe, &c), 0);
	phys = rs_num("mb", "service_summary.csv", 1, "availability_physical_pct");
	cp = rs_num("mb", "service_summary.csv", 1, "availability_pct");
	if (fabs(phys - want) > 3.29 * 100 * se || fabs(cp - phys - excess) > 0.07)
		fprintf(stderr, "physical %.3f (want %.3f ± %.3f), control plane %.3f (excess %.3f, want %.3f)\n",
			phys, want, 3.29 * 100 * se, cp, cp - phys, excess);
	CU_ASSERT(fabs(phys - want) <= 3.29 * 100 * se);
	/* so below the bound within the interval */
	CU_ASSERT(phys <= 100 * a / (a + b) + 3.29 * 100 * se);
	CU_ASSERT(fabs(cp - phys - excess) <= 0.07);
	T_EQ(c.bad, 0);
	CU_ASSERT(c.max_ghost >= 2);
}

/* A deleted service is measured, as any service, from its creation to the
 * end of the run, and its desired count is 0 once deleted, so it counts
 * as available from then on (scenarios/README.md, service_summary.csv).
 * Zero latencies, one host of 2048 CPU units, service `a` of 1536-unit
 * tasks with desired count 2: one task runs from 0, the other never fits;
 * DeleteService at 1000, the end at 2000.  availability 0.5 over [0, 1000)
 * and 1 over [1000, 2000]: 75 %; full capacity over [1000, 2000] only:
 * 50 %.  Service `b` (not deleted, desired 0) is 100 throughout. */
static void test_deleted_service(void)
{
	rs_write("big.json", "{\"family\":\"big\",\"containerDefinitions\":[{\"name\":\"a\","
		 "\"image\":\"x\",\"cpu\":1536,\"memory\":64}]}");
	rs_write("del.json", "{\"name\":\"del\",\"durationSeconds\":2000,\"metricsIntervalSeconds\":500,"
		 "\"controlPlane\":{\"placementLatencySeconds\":0,\"apiLatencySeconds\":0},"
		 "\"agent\":{\"networkDelaySeconds\":0,\"imagePullSeconds\":0,\"imagePullCachedSeconds\":0,"
		 "\"containerStartSeconds\":0,\"shutdownSeconds\":0},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceTypes\":[{\"name\":\"q.host\",\"vcpu\":2,\"memoryGiB\":8}],"
		 "\"instanceDefaults\":{\"memoryOsFactor\":1,\"reservedMemoryMiB\":0},"
		 "\"instanceGroups\":[{\"instanceType\":\"q.host\",\"availabilityZone\":\"us-east-1a\",\"count\":1}],"
		 "\"taskDefinitions\":{\"big\":\"big.json\"},"
		 "\"services\":[{\"serviceName\":\"a\",\"taskDefinition\":\"big\",\"desiredCount\":2},"
		 "{\"serviceName\":\"b\",\"taskDefinition\":\"big\",\"desiredCount\":0}],"
		 "\"workload\":{\"traces\":[\"del.csv\"]}}");
	rs_write("del.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "1000,delete_service,a,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("del.json", "del", NULL, NULL, NULL), 0);
	RS_IS("del", "service_summary.csv", 1, "service", "a");
	T_NEAR(rs_num("del", "service_summary.csv", 1, "availability_pct"), 75);
	T_NEAR(rs_num("del", "service_summary.csv", 1, "availability_physical_pct"), 75);
	T_NEAR(rs_num("del", "service_summary.csv", 1, "full_capacity_pct"), 50);
	T_NEAR(rs_num("del", "service_summary.csv", 2, "availability_pct"), 100);
	T_NEAR(rs_num("del", "service_summary.csv", 2, "full_capacity_pct"), 100);
}

static CU_TestInfo avail_tests[] = {
	{ "physical availability: hand-computed instants", test_hand_instants },
	{ "physical availability against MTBF / (MTBF + MTTR)", test_mtbf_bound },
	{ "a deleted service counts to the end of the run", test_deleted_service },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "availability_physical", setup, rs_teardown, NULL, NULL, avail_tests },
	CU_SUITE_INFO_NULL,
};
