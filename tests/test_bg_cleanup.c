/* tests/test_bg_cleanup.c — when a blue/green, linear or canary deployment
 * is COMPLETED (docs/ecs-model.md §5.7, choice E241): CLEAN_UP is the stage
 * in which blue scales down to 0 tasks, and the deployment is COMPLETED
 * once it has, as a rolling deployment is once its older tasks have
 * stopped (choice E147): blue's tasks stopped at CLEAN_UP, their targets
 * drained and their containers stopped, heard STOPPED; the pass the last
 * one's stop calls (`schedulerDelaySeconds` later) completes it.  Each run
 * is checked after every event: the deployment is never COMPLETED while a
 * blue task is still listed (live, or stopping: DEACTIVATING while its
 * targets drain, STOPPING, DEPROVISIONING), and CLEAN_UP came first.
 *
 * The scenario: four m5.large in two zones, service w (desired 4, 0.25
 * vCPU a task), a `deploy` of web:2 at 300 s.  A headless BLUE_GREEN one
 * whose containers take 20 s to shut down (agent shutdownSeconds), and one
 * behind an ALB with bakeTimeInMinutes 0, CLEAN_UP at the shift: blue's
 * targets still have requests in flight (4 s each), a 30 s deregistration
 * delay.  The old code wrote COMPLETED in CLEAN_UP's own event, while
 * blue's four tasks were still stopping. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/bgfull.h"
#include "helpers/invariants.h"
#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/service_int.h"

#define HEAD(name, shutdown) "{\"name\":\"" name "\",\"durationSeconds\":1200," \
	"\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatJitterSeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":" #shutdown "}," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}," \
	"{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":2}]," \
	"\"taskDefinitions\":{\"web\":\"bc-web.json\",\"web2\":\"bc-web2.json\"},"
#define LB "\"loadBalancers\":[{\"name\":\"alb\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}]," \
	"\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\"," \
	"\"healthCheckIntervalSeconds\":5,\"healthCheckTimeoutSeconds\":2," \
	"\"attributes\":{\"deregistration_delay.timeout_seconds\":30}," \
	"\"traffic\":{\"mode\":\"perRequest\",\"arrivals\":{\"poisson\":{\"ratePerSecond\":4}}," \
	"\"serviceTimeSeconds\":4,\"workersPerTask\":16,\"queueLimit\":50}}],"
#define SVC(dc, lb) "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":4," \
	"\"deploymentConfiguration\":" dc lb "}],"
#define SVC_LB ",\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]"
#define TAIL(name) "\"workload\":{\"traces\":[\"" name ".csv\"]}}"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("bc-web.json",
		 "{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\",\"cpu\":256,"
		 "\"memory\":512,\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}");
	rs_write("bc-web2.json",
		 "{\"family\":\"web\",\"revision\":2,\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x:2\","
		 "\"cpu\":256,\"memory\":512,\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}");
	return 0;
}

/* After every event.  Blue is deployment 0, green deployment 1. */
struct obs {
	struct inv inv;
	int samples;
	int early;                 /* events with green COMPLETED and a blue task still listed */
	double clean_s;            /* the first event in CLEAN_UP (or past it), -1 */
	double done_s;             /* the first event with green COMPLETED, -1 */
	double blue_gone_s;        /* the first event after the deploy with no blue task listed, -1 */
};

static void observe(struct backplane *bp, void *ctx)
{
	struct obs *o = ctx;
	struct svc *v;
	double now = (double)sim_now(bp->sim) / 1000.0;
	int blue = 0;

	inv_observe(bp, &o->inv);
	if (svc_sched(bp)->n_svcs < 1 || !svc_sched(bp)->svcs[0].active)
		return;
	v = &svc_sched(bp)->svcs[0];
	o->samples++;
	if (v->n_deps < 2)
		return;
	for (int k = 0; k < v->n_tasks; k++)
		blue += bp->tasks[v->tasks[k]].dep == 0;
	if (o->clean_s < 0 && (v->bg.stage == BG_CLEANUP || v->deps[1].rollout == ROLL_COMPLETED))
		o->clean_s = now;
	if (o->done_s < 0 && v->deps[1].rollout == ROLL_COMPLETED)
		o->done_s = now;
	if (o->blue_gone_s < 0 && blue == 0)
		o->blue_gone_s = now;
	if (v->deps[1].rollout == ROLL_COMPLETED && blue > 0)
		o->early++;
}

/* The largest stopped_s of blue's tasks (web), asserted four. */
static double blue_stopped(const char *tag)
{
	int n = rs_rows(tag, "tasks.csv"), seen = 0;
	double last = -1;

	for (int r = 1; r <= n; r++) {
		char *td = rs_cell(tag, "tasks.csv", r, "taskdef");

		if (td && strcmp(td, "web") == 0) {
			double s = rs_num(tag, "tasks.csv", r, "stopped_s");

			seen++;
			if (s > last)
				last = s;
			CU_ASSERT(s > 0);
		}
		free(td);
	}
	T_EQ(seen, 4);
	return last;
}

static void run_checked(const char *tag, const char *scenario, struct obs *o)
{
	char file[64];

	memset(o, 0, sizeof *o);
	inv_init(&o->inv);
	o->clean_s = o->done_s = o->blue_gone_s = -1;
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scenario);
	snprintf(file, sizeof file, "%s.csv", tag);
	rs_write(file, "time_s,event,target,taskdef,count,duration_s,group\n300,deploy,w,web2,,,\n");
	snprintf(file, sizeof file, "%s.json", tag);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, observe, o), 0);
	inv_report(&o->inv, tag);
	T_EQ(o->inv.violations, 0);
	CU_ASSERT(o->samples > 20);
	/* never COMPLETED while a blue task is still there */
	T_EQ(o->early, 0);
	CU_ASSERT(o->clean_s > 300);
	CU_ASSERT(o->blue_gone_s > o->clean_s);
	CU_ASSERT(o->done_s >= o->blue_gone_s);
	/* the rows: CLEAN_UP, then COMPLETED after blue's last STOPPED */
	T_NEAR(bgf_stage_at(tag, "CLEAN_UP", 1), o->clean_s);
	T_NEAR(bgf_stage_at(tag, "COMPLETED", 1), o->done_s);
	CU_ASSERT(bgf_stage_at(tag, "COMPLETED", 1) > blue_stopped(tag));
	RS_IS(tag, "services.csv", -1, "running", "4");
	RS_IS(tag, "services.csv", -1, "deployments", "1");
	inv_free(&o->inv);
}

/* Headless, BLUE_GREEN, bake 1 minute, containers 20 s to stop: blue's
 * tasks are stopped at CLEAN_UP (at their agent 0.5 s later, STOPPED 20 s
 * after that), heard STOPPED 0.5 s on; the pass schedulerDelay (10 s) after
 * completes the deployment: CLEAN_UP + 31 s. */
static void test_headless(void)
{
	struct obs o;
	double clean;

	run_checked("bc-hl", HEAD("bc-hl", 20) SVC("{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":1}", "")
		    TAIL("bc-hl"), &o);
	clean = bgf_stage_at("bc-hl", "CLEAN_UP", 1);
	T_NEAR(blue_stopped("bc-hl"), clean + 20.5);
	T_NEAR(bgf_stage_at("bc-hl", "COMPLETED", 1), clean + 31);
}

/* Behind an ALB, BLUE_GREEN with bakeTimeInMinutes 0: CLEAN_UP at the
 * shift to 100 %, blue's targets still serving their requests in flight
 * (4 s each): they drain, then blue's tasks stop (3 s), the last STOPPED
 * about 7.4 s after CLEAN_UP, heard 0.5 s later; COMPLETED at the first
 * pass after that: the one CLEAN_UP called, schedulerDelay (10 s) after
 * it (the passes the stops call come later: the earliest is kept). */
static void test_lb_drain(void)
{
	struct obs o;
	double clean, stopped;

	run_checked("bc-lb", HEAD("bc-lb", 3) LB SVC("{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":0}", SVC_LB)
		    TAIL("bc-lb"), &o);
	clean = bgf_stage_at("bc-lb", "CLEAN_UP", 1);
	T_NEAR(bgf_stage_at("bc-lb", "PRODUCTION_TRAFFIC_SHIFT", 1), clean);
	stopped = blue_stopped("bc-lb");
	/* the drain held some of blue's tasks: more than the stop alone
	 * (0.5 s to the agent, 3 s) */
	CU_ASSERT(stopped > clean + 3.5 + 0.5);
	CU_ASSERT(stopped + 0.5 < clean + 10);
	T_NEAR(bgf_stage_at("bc-lb", "COMPLETED", 1), clean + 10);
}

static CU_TestInfo tests[] = {
	{ "BLUE_GREEN headless: COMPLETED once blue's tasks have stopped", test_headless },
	{ "BLUE_GREEN behind an ALB, bake 0: COMPLETED once blue's targets drained and its tasks stopped", test_lb_drain },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "blue/green CLEAN_UP: COMPLETED after blue has scaled down", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
