/* tests/test_hcfail.c — failing container health checks (docs/ecs-model.md
 * §1.4, §5.2, §5.3, choices E110, E114, E115), each written from the rule:
 *
 *  - Docker's counting: a container is UNHEALTHY after `retries`
 *    consecutive failed checks, its checks running every `interval` from
 *    the start (the first one `interval` after it); a failing command
 *    fails at once (E114).  The service task with it is unhealthy at the
 *    third failed check (interval 10, retries 3), not earlier or later;
 *    ECS starts a replacement first (maximumPercent 200) and stops the
 *    unhealthy task only once the replacement is healthy; checked after
 *    every event: the tasks meant to run never fall below the desired
 *    count, the healthy ones below ceil(desired × min% / 100), the live
 *    ones above floor(desired × max% / 100);
 *  - failures inside `startPeriod` are not counted, but a success ends the
 *    start period;
 *  - a fault shorter than retries × interval never makes the task
 *    unhealthy; one that ends after it went unhealthy makes it healthy
 *    again at the first passing check, and it is kept (its replacement
 *    then is the surplus, which the scale-in rule removes);
 *  - a standalone task is not stopped for being unhealthy (ECS reports the
 *    health only; the service scheduler replaces service tasks);
 *  - a task id no live task has (stopped, or never run) has no effect, as
 *    for stop_task;
 *  - a bad row (a definition without a check on an essential container, a
 *    non-essential container, a count with a task id) stops the run with
 *    exit 2 at file:line.
 *
 * The scenario: two m5.large, no jitter; a service task is RUNNING at
 * 13.75 s (placement 1 s, network 0.5 s, pull 10 s, start 2 s), so its
 * checks run at 23.75, 33.75, …; the scheduler reacts 10 s after a change. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/invariants.h"
#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/service_int.h"

#define HEAD(name, dur) HEADN(name, dur, 2)
#define HEADN(name, dur, n) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," \
	"\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"heartbeatTimeoutSeconds\":60,\"heartbeatJitterSeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3}," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":" #n "}]," \
	"\"taskDefinitions\":{\"web\":\"hc-web.json\",\"slow\":\"hc-slow.json\",\"plain\":\"hc-plain.json\"," \
	"\"side\":\"hc-side.json\",\"lbweb\":\"hc-lbweb.json\",\"fg\":\"hc-fg.json\"," \
	"\"web20\":\"hc-web20.json\"},"
#define SVC(td, n, min) "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"" td "\",\"desiredCount\":" #n "," \
	"\"deploymentConfiguration\":{\"minimumHealthyPercent\":" #min ",\"maximumPercent\":200}}],"
#define TRACE(name) "\"workload\":{\"traces\":[\"" name ".csv\"]}}"
#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"
/* with the column that says how the command fails (exit or hang) */
#define HANG_HDR "time_s,event,target,taskdef,count,duration_s,group,command\n"

/* interval 10, retries 3, no startPeriod */
static const char *td_web =
	"{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\",\"cpu\":256,\"memory\":512,"
	"\"healthCheck\":{\"command\":[\"CMD-SHELL\",\"curl -f localhost\"],\"interval\":10,\"retries\":3}}]}";
/* the same with startPeriod 60 */
static const char *td_slow =
	"{\"family\":\"slow\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\",\"cpu\":256,\"memory\":512,"
	"\"healthCheck\":{\"command\":[\"CMD-SHELL\",\"curl -f localhost\"],\"interval\":10,\"retries\":3,"
	"\"startPeriod\":60}}]}";
/* no health check */
static const char *td_plain =
	"{\"family\":\"plain\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\",\"cpu\":256,\"memory\":512}]}";
/* the check on a non-essential sidecar only */
static const char *td_side =
	"{\"family\":\"side\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\",\"cpu\":256,\"memory\":512},"
	"{\"name\":\"log\",\"image\":\"y\",\"essential\":false,\"memory\":64,"
	"\"healthCheck\":{\"command\":[\"CMD\",\"true\"],\"interval\":10}}]}";

/* interval 10, retries 3, timeout 20 (a hanging command's probe lasts it) */
static const char *td_web20 =
	"{\"family\":\"web20\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\",\"cpu\":256,\"memory\":512,"
	"\"healthCheck\":{\"command\":[\"CMD-SHELL\",\"curl -f localhost\"],\"interval\":10,\"retries\":3,"
	"\"timeout\":20}}]}";

/* behind a load balancer: the port its target uses */
static const char *td_lbweb =
	"{\"family\":\"lbweb\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\",\"cpu\":256,"
	"\"memory\":512,\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}],"
	"\"healthCheck\":{\"command\":[\"CMD-SHELL\",\"curl -f localhost\"],\"interval\":10,\"retries\":3}}]}";
/* on Fargate */
static const char *td_fg =
	"{\"family\":\"fg\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
	"\"cpu\":\"512\",\"memory\":\"1024\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
	"\"healthCheck\":{\"command\":[\"CMD\",\"true\"],\"interval\":10,\"retries\":3}}]}";

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("hc-web.json", td_web);
	rs_write("hc-slow.json", td_slow);
	rs_write("hc-plain.json", td_plain);
	rs_write("hc-side.json", td_side);
	rs_write("hc-lbweb.json", td_lbweb);
	rs_write("hc-fg.json", td_fg);
	rs_write("hc-web20.json", td_web20);
	return 0;
}

/* After every event.  Per task number (1..31): when it was first seen
 * unhealthy and healthy again after that (-1: never), and the bounds of
 * the service once it was first at its desired count of healthy tasks. */
#define MAXNO 32
struct hc_obs {
	struct inv inv;
	double unhealthy_at[MAXNO], healthy_again_at[MAXNO], healthy_at[MAXNO];
	int steady;
	long samples, over_max, under_keep, under_floor;
	int64_t min_healthy;
};

static void hc_init(struct hc_obs *o)
{
	memset(o, 0, sizeof *o);
	inv_init(&o->inv);
	for (int k = 0; k < MAXNO; k++)
		o->unhealthy_at[k] = o->healthy_again_at[k] = o->healthy_at[k] = -1;
	o->min_healthy = 1000;
}

static void hc_observe(struct backplane *bp, void *ctx)
{
	struct hc_obs *o = ctx;
	double now = (double)sim_now(bp->sim) / 1000.0;
	struct svc *v;
	int64_t keep = 0, healthy = 0, live = 0;

	inv_observe(bp, &o->inv);
	for (size_t i = 0; i < bp->n_tasks; i++) {
		struct task *t = &bp->tasks[i];

		if (!t->used || t->no == 0 || t->no >= MAXNO)
			continue;
		if (t->unhealthy && o->unhealthy_at[t->no] < 0)
			o->unhealthy_at[t->no] = now;
		if (t->healthy && o->healthy_at[t->no] < 0)
			o->healthy_at[t->no] = now;
		if (t->healthy && o->unhealthy_at[t->no] >= 0 && o->healthy_again_at[t->no] < 0)
			o->healthy_again_at[t->no] = now;
	}
	if (svc_sched(bp)->n_svcs < 1 || !svc_sched(bp)->svcs[0].active)
		return;
	v = &svc_sched(bp)->svcs[0];
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = &bp->tasks[v->tasks[k]];

		live += t->state < TS_STOPPED;
		if (t->desired == TD_RUNNING) {
			keep++;
			healthy += t->healthy;
		}
	}
	if (healthy >= v->desired)
		o->steady = 1;
	if (!o->steady)
		return;
	o->samples++;
	if (healthy < o->min_healthy)
		o->min_healthy = healthy;
	if (keep < v->desired)
		o->under_keep++;
	if (healthy < (int64_t)ceil((double)v->desired * v->cfg->min_healthy_pct / 100.0))
		o->under_floor++;
	if (live > (int64_t)floor((double)v->desired * v->cfg->max_pct / 100.0))
		o->over_max++;
}

/* Run <tag>.json (scenario text) with trace <tag>.csv, observed. */
static void hc_run(const char *tag, const char *scenario, const char *trace, struct hc_obs *o)
{
	char file[64];

	hc_init(o);
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scenario);
	snprintf(file, sizeof file, "%s.csv", tag);
	rs_write(file, trace);
	snprintf(file, sizeof file, "%s.json", tag);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, hc_observe, o), 0);
	inv_report(&o->inv, tag);
	T_EQ(o->inv.violations, 0);
	inv_free(&o->inv);
}

/* tasks.csv row of task `id` in out-<tag> (0 when none). */
static int row_of(const char *tag, const char *id)
{
	return rs_find(tag, "tasks.csv", "task_id", id);
}

/* Desired 3 (min 50 %: 2 healthy; max 200 %: 6 live), the row at 300 s
 * fails the command of the lowest-numbered task, task-1, for good.  Its
 * checks at 303.75, 313.75 and 323.75 s fail: unhealthy at 323.75 s
 * exactly.  The scheduler (10 s later) starts task-4, RUNNING at 338.25
 * s, healthy at its first check 348.25 s; then, not before, task-1 is
 * stopped (ServiceSchedulerInitiated, "Task failed container health
 * checks").  Main's code had no such event: the row was refused. */
static void test_unhealthy_replaced(void)
{
	struct hc_obs o;
	int r;

	hc_run("hc-a", HEAD("hc-a", 900) SVC("web", 3, 50) TRACE("hc-a"),
	       TRACE_HDR "300,health_check_fail,w,,,,\n", &o);
	T_NEAR(o.healthy_at[1], 23.75);
	T_NEAR(o.unhealthy_at[1], 323.75);
	T_EQ(o.unhealthy_at[2], -1);
	T_EQ(o.unhealthy_at[3], -1);
	T_NEAR(o.healthy_at[4], 348.25);
	r = row_of("hc-a", "task-1");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("hc-a", "tasks.csv", r, "stop_code", "ServiceSchedulerInitiated");
	RS_IS("hc-a", "tasks.csv", r, "stopped_reason", "Task failed container health checks");
	/* stopped only once the replacement is healthy: the pass 10 s later
	 * sends the stop, which reaches the agent 0.5 s after */
	T_NEAR(rs_num("hc-a", "tasks.csv", r, "deactivating_s"), 358.75);
	T_NEAR(rs_num("hc-a", "tasks.csv", row_of("hc-a", "task-4"), "submit_s"), 333.75);
	T_EQ(rs_rows("hc-a", "tasks.csv"), 4);
	/* the bounds at every event: the replacement first, one unhealthy */
	CU_ASSERT(o.samples > 10);
	T_EQ(o.under_keep, 0);
	T_EQ(o.under_floor, 0);
	T_EQ(o.over_max, 0);
	T_EQ(o.min_healthy, 2);
	/* failures.csv: the task whose command fails, for good */
	RS_IS("hc-a", "failures.csv", 1, "kind", "health_check_fail");
	RS_IS("hc-a", "failures.csv", 1, "target", "task-1");
	RS_IS("hc-a", "failures.csv", 1, "service_tasks_affected", "1");
	RS_IS("hc-a", "failures.csv", 1, "duration_s", "");
	RS_IS("hc-a", "services.csv", -1, "healthy", "3");
}

/* startPeriod 60, the command failing from before RUNNING (task-1 named by
 * its id at 5 s): the failed checks at 10 … 50 s after RUNNING are not
 * counted, those at 60, 70 and 80 s are: unhealthy at 13.75 + 80 = 93.75
 * s (without startPeriod it would be 43.75 s, which the second run shows).
 * A success ends the start period: failing from 40 s, after the pass at
 * 23.75 s, the failures at 43.75, 53.75 and 63.75 s count although they
 * are inside the 60 s: unhealthy at 63.75 s. */
static void test_start_period(void)
{
	struct hc_obs o;

	hc_run("hc-sp", HEAD("hc-sp", 300) SVC("slow", 2, 50) TRACE("hc-sp"),
	       TRACE_HDR "5,health_check_fail,task-1,,,,\n", &o);
	T_EQ(o.healthy_at[1], -1);
	T_NEAR(o.unhealthy_at[1], 93.75);
	T_EQ(o.unhealthy_at[2], -1);

	hc_run("hc-sp0", HEAD("hc-sp0", 300) SVC("web", 2, 50) TRACE("hc-sp0"),
	       TRACE_HDR "5,health_check_fail,task-1,,,,\n", &o);
	T_NEAR(o.unhealthy_at[1], 43.75);

	hc_run("hc-sp1", HEAD("hc-sp1", 300) SVC("slow", 2, 50) TRACE("hc-sp1"),
	       TRACE_HDR "40,health_check_fail,task-1,,,,app\n", &o);
	T_NEAR(o.healthy_at[1], 23.75);
	T_NEAR(o.unhealthy_at[1], 63.75);
}

/* A fault that covers fewer than `retries` checks never makes the task
 * unhealthy: 20 s (300-320 s: the checks at 303.75 and 313.75 s fail, the
 * one at 323.75 s passes); any fault of at most (retries - 1) × interval
 * does so, while one of 25 s, shorter than retries × interval, may still
 * cover three checks (303.75 to 323.75 s) and does.  A fault of 35 s (to
 * 335 s), desired 2: unhealthy at 323.75 s, the replacement task-3 is
 * started at 333.75 s, the check at 343.75 s passes: task-1 is healthy
 * again and kept (never stopped); one task is then the surplus, which the
 * scale-in rule stops (task-2, the other instance being as loaded), and
 * the service ends at its desired count. */
static void test_fault_ends(void)
{
	struct hc_obs o;
	int r;

	hc_run("hc-short", HEAD("hc-short", 600) SVC("web", 3, 50) TRACE("hc-short"),
	       TRACE_HDR "300,health_check_fail,w,,,20,\n", &o);
	for (int k = 1; k < MAXNO; k++)
		T_EQ(o.unhealthy_at[k], -1);
	T_EQ(rs_rows("hc-short", "tasks.csv"), 3);
	RS_IS("hc-short", "failures.csv", 1, "duration_s", "20.000");

	hc_run("hc-25", HEAD("hc-25", 600) SVC("web", 3, 50) TRACE("hc-25"),
	       TRACE_HDR "300,health_check_fail,w,,,25,\n", &o);
	T_NEAR(o.unhealthy_at[1], 323.75);

	hc_run("hc-back", HEAD("hc-back", 600) SVC("web", 2, 50) TRACE("hc-back"),
	       TRACE_HDR "300,health_check_fail,w,,,35,\n", &o);
	T_NEAR(o.unhealthy_at[1], 323.75);
	T_NEAR(o.healthy_again_at[1], 343.75);
	r = row_of("hc-back", "task-1");
	RS_IS("hc-back", "tasks.csv", r, "stop_s", "");
	T_NEAR(rs_num("hc-back", "tasks.csv", row_of("hc-back", "task-3"), "submit_s"), 333.75);
	T_EQ(rs_rows("hc-back", "tasks.csv"), 3);
	RS_IS("hc-back", "tasks.csv", row_of("hc-back", "task-2"), "stopped_reason", "");
	T_EQ(o.under_keep, 0);
	T_EQ(o.over_max, 0);
	RS_IS("hc-back", "services.csv", -1, "running", "2");
	RS_IS("hc-back", "services.csv", -1, "healthy", "2");
}

/* A standalone task whose command fails for good runs on to the end of its
 * essential container (600 s after RUNNING): ECS does not stop it. */
static void test_standalone_runs_on(void)
{
	struct hc_obs o;
	int r;

	hc_run("hc-solo", HEAD("hc-solo", 900) "\"services\":[]," TRACE("hc-solo"),
	       TRACE_HDR "0,run_task,solo,web,,600,\n100,health_check_fail,solo,,,,\n", &o);
	r = row_of("hc-solo", "solo");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("hc-solo", "tasks.csv", r, "stop_code", "EssentialContainerExited");
	T_NEAR(rs_num("hc-solo", "tasks.csv", r, "deactivating_s") - rs_num("hc-solo", "tasks.csv", r, "running_s"),
	       600);
	T_EQ(rs_rows("hc-solo", "tasks.csv"), 1);
	RS_IS("hc-solo", "failures.csv", 1, "target", "solo");
	RS_IS("hc-solo", "failures.csv", 1, "service_tasks_affected", "0");
}

/* healthCheckGracePeriodSeconds 400 (§5.8): the scheduler ignores the
 * container's UNHEALTHY (from 323.75 s) until RUNNING + 400 = 413.75 s. */
static void test_grace_period(void)
{
	struct hc_obs o;

	hc_run("hc-gr", HEAD("hc-gr", 600) "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\","
	       "\"desiredCount\":2,\"healthCheckGracePeriodSeconds\":400,"
	       "\"deploymentConfiguration\":{\"minimumHealthyPercent\":50,\"maximumPercent\":200}}],"
	       TRACE("hc-gr"), TRACE_HDR "300,health_check_fail,w,,,,\n", &o);
	T_NEAR(o.unhealthy_at[1], 413.75);
	RS_IS("hc-gr", "tasks.csv", row_of("hc-gr", "task-1"), "stopped_reason", "Task failed container health checks");
}

/* Behind a load balancer whose target checks keep passing, the container
 * check decides too (§5.2): unhealthy at 323.75 s, replaced, stopped with
 * the container's reason. */
static void test_behind_lb(void)
{
	struct hc_obs o;
	int r;

	hc_run("hc-lb", HEAD("hc-lb", 900)
	       "\"loadBalancers\":[{\"name\":\"alb\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}],"
	       "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\",\"healthCheckIntervalSeconds\":5,"
	       "\"healthCheckTimeoutSeconds\":2,\"attributes\":{\"deregistration_delay.timeout_seconds\":5}}],"
	       "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"lbweb\",\"desiredCount\":2,"
	       "\"deploymentConfiguration\":{\"minimumHealthyPercent\":50,\"maximumPercent\":200},"
	       "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
	       TRACE("hc-lb"), TRACE_HDR "300,health_check_fail,w,,,,\n", &o);
	T_NEAR(o.unhealthy_at[1], 323.75);
	T_EQ(o.unhealthy_at[2], -1);
	r = row_of("hc-lb", "task-1");
	RS_IS("hc-lb", "tasks.csv", r, "stopped_reason", "Task failed container health checks");
	CU_ASSERT(o.healthy_at[3] > 323.75);
	CU_ASSERT(rs_num("hc-lb", "tasks.csv", r, "deactivating_s") > o.healthy_at[3]);
	T_EQ(o.under_keep, 0);
	RS_IS("hc-lb", "services.csv", -1, "healthy", "2");
}

/* On Fargate the same counting: the command failing from before RUNNING,
 * unhealthy 30 s after RUNNING (checks at 10, 20, 30 s). */
static void test_fargate(void)
{
	struct hc_obs o;
	int r;

	hc_run("hc-far", HEAD("hc-far", 600) "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"fg\","
	       "\"desiredCount\":2,\"launchType\":\"FARGATE\","
	       "\"deploymentConfiguration\":{\"minimumHealthyPercent\":50,\"maximumPercent\":200}}],"
	       TRACE("hc-far"), TRACE_HDR "1,health_check_fail,task-2,,,,\n", &o);
	r = row_of("hc-far", "task-2");
	CU_ASSERT_FATAL(r > 0);
	T_NEAR(o.unhealthy_at[2] - rs_num("hc-far", "tasks.csv", r, "running_s"), 30);
	T_EQ(o.unhealthy_at[1], -1);
	RS_IS("hc-far", "tasks.csv", r, "stopped_reason", "Task failed container health checks");
	RS_IS("hc-far", "tasks.csv", r, "launch_type", "FARGATE");
}

/* A task id no live task has — one that stopped (here task-1, stopped by
 * the trace before the row) or never ran — has no effect, as for stop_task
 * (choice E115): the run goes on and the service's tasks stay healthy. */
static void test_gone_task(void)
{
	struct hc_obs o;

	hc_run("hc-gone", HEAD("hc-gone", 600) "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\","
	       "\"desiredCount\":2}]," TRACE("hc-gone"),
	       TRACE_HDR "100,stop_task,task-1,,,,\n200,health_check_fail,task-1,,,,\n"
	       "210,health_check_fail,task-99,,,,\n", &o);
	for (int k = 0; k < MAXNO; k++)
		T_EQ(o.unhealthy_at[k], -1);
	T_EQ(rs_find("hc-gone", "failures.csv", "kind", "health_check_fail"), 0);
}

/* The run stops at the row (after the trace header hdr), exit 2, naming
 * file:line and the reason. */
static void bad_row_in(const char *tag, const char *svc_td, const char *hdr, const char *row, const char *want)
{
	char scn[4096], trace[512], file[64], msg[2400];

	snprintf(scn, sizeof scn, HEAD("%s", 300) "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"%s\","
		 "\"desiredCount\":2}]," "\"workload\":{\"traces\":[\"%s.csv\"]}}", tag, svc_td, tag);
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scn);
	snprintf(trace, sizeof trace, "%s%s\n", hdr, row);
	snprintf(file, sizeof file, "%s.csv", tag);
	rs_write(file, trace);
	snprintf(file, sizeof file, "%s.json", tag);
	T_EQ(rs_run_msg(file, tag, msg, sizeof msg), -1);
	if (!strstr(msg, want)) {
		char m[3000];

		snprintf(m, sizeof m, "got \"%s\", want it to contain \"%s\"", msg, want);
		T_FAIL(m);
	}
}

static void bad_row(const char *tag, const char *svc_td, const char *row, const char *want)
{
	bad_row_in(tag, svc_td, TRACE_HDR, row, want);
}

static void test_bad_rows(void)
{
	bad_row("hc-b3", "plain", "50,health_check_fail,w,,,,",
		"hc-b3.csv:2: task definition 'plain' has no essential container with a healthCheck");
	bad_row("hc-b4", "side", "50,health_check_fail,w,,,,log",
		"hc-b4.csv:2: container 'log' of task definition 'side' is not essential");
	bad_row("hc-b5", "web", "50,health_check_fail,w,,,,db",
		"hc-b5.csv:2: task definition 'web' has no container 'db'");
	bad_row("hc-b6", "web", "50,health_check_fail,task-1,,2,,",
		"hc-b6.csv:2: count 2: a row naming a task fails that task alone");
}

/* A HANGING command (a `hang` row; docs/ecs-model.md choices E142, E143),
 * Docker's rule (its HEALTHCHECK reference: "If a single run of the check
 * takes longer than timeout seconds then the check is considered to have
 * failed"; the next one runs "interval seconds after each previous check
 * completes").  Desired 3, task-1 RUNNING at 13.75 s, interval 10, retries
 * 3, timeout 5 (ECS's default), the row at 300 s for good.  By hand: the
 * probes run on RUNNING's grid until then, the first at or after 300 s
 * starts at 303.75 s (13.75 + 29 × 10); it hangs and is killed at 308.75
 * (failure 1); the next starts 10 s after that end, 318.75, and fails at
 * 323.75 (2); the next 333.75 → 338.75 (3): UNHEALTHY at 338.75 s =
 * 303.75 + 3 × timeout + 2 × interval (an exiting command: 323.75).  The
 * replacement: the scheduler reacts 10 s later, task-4 submitted at
 * 348.75, RUNNING at 353.25 (placement 1, network 0.5, cached pull 1,
 * start 2), healthy at its first check 363.25; task-1 stopped at the pass
 * 10 s after, reaching the agent 0.5 s later: 373.75 s.  With timeout 20:
 * 303.75 → 323.75, 333.75 → 353.75, 363.75 → 383.75: UNHEALTHY at 383.75.
 * Main's code refused the row (no `command` column). */
static void test_hang_unhealthy(void)
{
	struct hc_obs o;
	int r;

	hc_run("hc-h", HEAD("hc-h", 900) SVC("web", 3, 50) TRACE("hc-h"),
	       HANG_HDR "300,health_check_fail,w,,,,,hang\n", &o);
	T_NEAR(o.unhealthy_at[1], 338.75);
	T_EQ(o.unhealthy_at[2], -1);
	T_EQ(o.unhealthy_at[3], -1);
	T_NEAR(rs_num("hc-h", "tasks.csv", row_of("hc-h", "task-4"), "submit_s"), 348.75);
	T_NEAR(o.healthy_at[4], 363.25);
	r = row_of("hc-h", "task-1");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("hc-h", "tasks.csv", r, "stopped_reason", "Task failed container health checks");
	T_NEAR(rs_num("hc-h", "tasks.csv", r, "deactivating_s"), 373.75);
	T_EQ(rs_rows("hc-h", "tasks.csv"), 4);
	T_EQ(o.under_keep, 0);
	T_EQ(o.under_floor, 0);
	T_EQ(o.over_max, 0);

	hc_run("hc-h20", HEAD("hc-h20", 900) SVC("web20", 3, 50) TRACE("hc-h20"),
	       HANG_HDR "300,health_check_fail,w,,,,,hang\n", &o);
	T_NEAR(o.unhealthy_at[1], 383.75);

	/* `exit`, written out, is the empty value's failing-at-once command */
	hc_run("hc-hx", HEAD("hc-hx", 900) SVC("web", 3, 50) TRACE("hc-hx"),
	       HANG_HDR "300,health_check_fail,w,,,,,exit\n", &o);
	T_NEAR(o.unhealthy_at[1], 323.75);
}

/* startPeriod 60 with a hanging command from before RUNNING (13.75 s):
 * Docker decides by the probe's START whether a failure counts.  Probes
 * start at 23.75, 38.75, 53.75, 68.75 (RUNNING + 10, 25, 40, 55: not
 * counted, although the fourth ENDS at RUNNING + 60), 83.75, 98.75,
 * 113.75 (counted), each 5 s long: UNHEALTHY at 118.75 s (by the end
 * time it would be 103.75). */
static void test_hang_start_period(void)
{
	struct hc_obs o;

	hc_run("hc-hsp", HEAD("hc-hsp", 300) SVC("slow", 2, 50) TRACE("hc-hsp"),
	       HANG_HDR "5,health_check_fail,task-1,,,,,hang\n", &o);
	T_EQ(o.healthy_at[1], -1);
	T_NEAR(o.unhealthy_at[1], 118.75);
	T_EQ(o.unhealthy_at[2], -1);
}

/* A hang that ends while a probe hangs (choice E143): the probe in
 * flight still times out, a failure.  task-1 hangs 300–306 s: its probe
 * 303.75 → 308.75 fails (1); then the command fails at once from 310 s
 * for good: the probes, 10 s after each end, at 318.75 (2) and 328.75
 * (3): UNHEALTHY at 328.75 s (had the probe in flight passed when the
 * fault ended: 338.75; on RUNNING's grid: 333.75).  And the moved
 * probe times stay: hanging 300–306 s only, the probe at 318.75 passes,
 * the next ones at 328.75, 338.75, …; a failing-at-once row at 400 s
 * fails those at 408.75, 418.75, 428.75: UNHEALTHY at 428.75 (on
 * RUNNING's grid: 423.75). */
static void test_hang_fault_ends(void)
{
	struct hc_obs o;

	hc_run("hc-he", HEAD("hc-he", 600) SVC("web", 2, 50) TRACE("hc-he"),
	       HANG_HDR "300,health_check_fail,task-1,,,6,,hang\n310,health_check_fail,task-1,,,,,\n", &o);
	T_NEAR(o.unhealthy_at[1], 328.75);
	T_EQ(o.unhealthy_at[2], -1);

	hc_run("hc-hd", HEAD("hc-hd", 600) SVC("web", 2, 50) TRACE("hc-hd"),
	       HANG_HDR "300,health_check_fail,task-1,,,6,,hang\n400,health_check_fail,task-1,,,,,\n", &o);
	T_NEAR(o.unhealthy_at[1], 428.75);
	T_EQ(o.unhealthy_at[2], -1);
}

/* Many faults at once (the table of faults found by task slot): 24 tasks
 * on 6 instances, task-k's command failing from 200 + 7k s, hanging for
 * odd k, for good except every fourth task's (1 s: at most one failed
 * probe).  Each task's UNHEALTHY instant, brute force from the rule and
 * its RUNNING time in tasks.csv: the first probe P on its grid at or
 * after the row; exiting: P + 2 × interval; hanging: P + 3 × timeout +
 * 2 × interval; a 1 s fault: never. */
static void test_many_faults(void)
{
	struct hc_obs o;
	char trace[4096], id[32];
	size_t n = 0;

	n += (size_t)snprintf(trace + n, sizeof trace - n, HANG_HDR);
	for (int k = 1; k <= 24; k++)
		n += (size_t)snprintf(trace + n, sizeof trace - n, "%d,health_check_fail,task-%d,,,%s,,%s\n",
				      200 + 7 * k, k, k % 4 == 0 ? "1" : "", k % 2 ? "hang" : "exit");
	hc_run("hc-many", HEADN("hc-many", 900, 6) SVC("web", 24, 50) TRACE("hc-many"), trace, &o);
	for (int k = 1; k <= 24; k++) {
		double run, row = 200 + 7 * k, p, want;

		snprintf(id, sizeof id, "task-%d", k);
		run = rs_num("hc-many", "tasks.csv", row_of("hc-many", id), "running_s");
		p = run + 10 * ceil((row - run) / 10);
		want = k % 4 == 0 ? -1 : k % 2 ? p + 3 * 5 + 2 * 10 : p + 2 * 10;
		if (want < 0)
			T_EQ(o.unhealthy_at[k], -1);
		else
			T_NEAR(o.unhealthy_at[k], want);
	}
	T_EQ(o.under_keep, 0);
}

/* A bad `command` value, or one on another event: exit 2 at
 * file:line:column. */
static void bad_hang_row(const char *tag, const char *row, const char *want)
{
	bad_row_in(tag, "web", HANG_HDR, row, want);
}

static void test_bad_hang_rows(void)
{
	bad_hang_row("hc-bh1", "50,health_check_fail,w,,,,,sleep",
		     "hc-bh1.csv:2:8: command: expected exit (the command exits non-zero at once) or hang");
	bad_hang_row("hc-bh2", "50,stop_task,task-1,,,,,hang",
		     "hc-bh2.csv:2:8: command: not used by event 'stop_task' (leave it empty), got \"hang\"");
}

static CU_TestInfo hc_tests[] = {
	{ "unhealthy at the retries-th failed check, replaced first", test_unhealthy_replaced },
	{ "startPeriod: failures not counted until a check passes", test_start_period },
	{ "a short fault changes nothing; a recovered task is kept", test_fault_ends },
	{ "a standalone task runs on", test_standalone_runs_on },
	{ "the grace period holds the verdict", test_grace_period },
	{ "behind a load balancer the container check decides too", test_behind_lb },
	{ "on Fargate", test_fargate },
	{ "a task id no live task has: no effect", test_gone_task },
	{ "bad rows: exit 2 at file:line", test_bad_rows },
	{ "a hanging command: UNHEALTHY at retries x (timeout + interval), replaced", test_hang_unhealthy },
	{ "a hanging command: startPeriod by the probe's start", test_hang_start_period },
	{ "a hang ending mid-probe: the probe still times out", test_hang_fault_ends },
	{ "many concurrent faults: each at its brute-force instant", test_many_faults },
	{ "bad command values: exit 2 at file:line:column", test_bad_hang_rows },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "failing container health checks", setup, rs_teardown, NULL, NULL, hc_tests },
	CU_SUITE_INFO_NULL,
};
