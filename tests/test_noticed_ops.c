/* tests/test_noticed_ops.c — behaviours users notice (docs/ecs-model.md
 * §9.7–§9.13), each reproduced as a scenario whose numbers are worked out by
 * hand from the rules the items point to:
 *
 *   9.7  crash loops are not throttled (§5.4): a task that reaches RUNNING
 *        and exits is relaunched on the scheduler's reaction, a task that
 *        fails to start waits 30, 60, 120 s … between attempts;
 *   9.8  the circuit breaker does not count tasks that exit after RUNNING
 *        (§5.6 stage 1), but does count failed health checks (stage 2);
 *   9.9  static host ports block a deployment with one instance per task at
 *        min 100 %; a spare instance or min < 100 % lets it through (§1.8,
 *        §5.5);
 *   9.10 a task waiting PROVISIONING for a capacity provider's capacity
 *        stops with TaskFailedToStart after pending.capacityWaitSeconds
 *        (§5.12, choice E60);
 *   9.11 managed scaling scales out on one datapoint above target and in
 *        only after 15 below, so a load that comes and goes cycles the
 *        instances; an empty group goes to two instances first (§5.12);
 *   9.12 after an AZ outage two Fargate tasks of a service share a zone and
 *        stay there when it returns (§4.11), unless AZ rebalancing (§5.9);
 *        a scale-in keeps the zones even;
 *   9.13 a rolling deployment behind an ALB: a new target is healthy one
 *        check (30 s) after registration, an old task with requests in
 *        flight drains the whole deregistration delay (300 s), one with
 *        none stops at once, and the deployment is COMPLETED once the old
 *        tasks have stopped (§6.2, §6.3, §5.5).
 *
 * The control plane's and agent's timings are fixed below, so every instant
 * is computed by hand in each test. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tdefs.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/service_int.h"

/* placement 1 s, API 0.25 s, scheduler reaction 10 s, agent network delay
 * 0.5 s, image pull 10 s (cached 1 s), container start 2 s, stop 3 s */
#define TIMING TIMING_BY_HAND
#define HEAD(name, dur) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," TIMING \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"

static const char *td_crash =
	"{\"family\":\"crash\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"c\",\"cpu\":256,\"memory\":512}]}";
static const char *td_bad =
	"{\"family\":\"bad\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"b\",\"cpu\":256,\"memory\":512}]}";

/* bridge mode, a dynamic host port for the load balancer's target */
static const char *td_web =
	"{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"w\",\"cpu\":256,"
	"\"memory\":512,\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}";

/* 4 vCPU: fits no m5.large (2 vCPU) */
static const char *td_huge =
	"{\"family\":\"huge\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"h\",\"cpu\":4096,\"memory\":512}]}";

/* 2 vCPU: a whole m5.large */
static const char *td_big =
	"{\"family\":\"big\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"g\",\"cpu\":2048,\"memory\":4096}]}";

static const char *td_fg =
	"{\"family\":\"fg\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
	"\"cpu\":\"256\",\"memory\":\"512\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"f\"}]}";

/* bridge mode, static host port 80: one task per instance (§1.8) */
static const char *td_port1 =
	"{\"family\":\"port\",\"networkMode\":\"bridge\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"p\","
	"\"cpu\":256,\"memory\":512,\"portMappings\":[{\"containerPort\":80,\"hostPort\":80}]}]}";
static const char *td_port2 =
	"{\"family\":\"port\",\"revision\":2,\"networkMode\":\"bridge\",\"containerDefinitions\":[{\"name\":\"a\","
	"\"image\":\"p:2\",\"cpu\":256,\"memory\":512,\"portMappings\":[{\"containerPort\":80,\"hostPort\":80}]}]}";

static const char *td_web2 =
	"{\"family\":\"web\",\"revision\":2,\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"w:2\","
	"\"cpu\":256,\"memory\":512,\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}";

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("crash.json", td_crash);
	rs_write("bad.json", td_bad);
	rs_write("web.json", td_web);
	rs_write("web-v2.json", td_web2);
	rs_write("huge.json", td_huge);
	rs_write("big.json", td_big);
	rs_write("fg.json", td_fg);
	rs_write("port1.json", td_port1);
	rs_write("port2.json", td_port2);
	return 0;
}

/* submit_s of the tasks of `service` in out-<tag>/tasks.csv, in row order
 * (the order they were launched); their number. */
static int submits(const char *tag, const char *service, double *at, int max)
{
	int n = rs_rows(tag, "tasks.csv"), got = 0;

	for (int r = 1; r <= n && got < max; r++) {
		char *sv = rs_cell(tag, "tasks.csv", r, "service");

		if (sv && strcmp(sv, service) == 0)
			at[got++] = rs_num(tag, "tasks.csv", r, "submit_s");
		free(sv);
	}
	return got;
}

/* ---- 9.7 crash loops are not throttled ----------------------------------- */

/* Two services of one task on one instance.  "loop": its container exits 5 s
 * after RUNNING (EssentialContainerExited); "fail": its containers never
 * start (TaskFailedToStart).  A launch's cycle is placement 1 + request 0.5 +
 * pull + start 2, then for "loop" the 5 s it runs, then the report 0.5 and
 * the scheduler's reaction 10: 29 s with the first (uncached) pull, 20 s
 * after.  "fail" goes the same way without the run: 24 s, 15 s; from its
 * third failure in a row (throttleAfterFailures 3) the next launch waits
 * 30 s instead of the reaction's 10, then 60, 120, 240, 480, 900 (the cap):
 * gaps 35, 65, 125, 245, 485, 905.  "loop" keeps its 20 s for the whole
 * hour: ECS's throttle is for tasks that never reach RUNNING (§5.4). */
static void test_crash_loop_not_throttled(void)
{
	double at[400];
	static const double fail_gaps[] = { 24, 15, 35, 65, 125, 245, 485, 905, 905 };
	int n, bad = 0;

	rs_write("cl.json", HEAD("cl", 3600)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"crash\":\"crash.json\","
		 "\"bad\":{\"file\":\"bad.json\",\"startFailureProbability\":1}},"
		 "\"services\":[{\"serviceName\":\"loop\",\"taskDefinition\":\"crash\",\"desiredCount\":1,"
		 "\"runtimeSeconds\":5},"
		 "{\"serviceName\":\"fail\",\"taskDefinition\":\"bad\",\"desiredCount\":1}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("cl.json", "cl", NULL, NULL, NULL), 0);

	n = submits("cl", "loop", at, 400);
	/* 29 s, then 20 s a launch: (3600 - first - 29) / 20 more */
	CU_ASSERT(n >= 175);
	for (int k = 1; k < n; k++) {
		double gap = at[k] - at[k - 1], want = k == 1 ? 29 : 20;

		if (fabs(gap - want) > 1e-6)
			bad++;
	}
	T_EQ(bad, 0);
	for (int r = 1; r <= rs_rows("cl", "tasks.csv"); r++) {
		char *sv = rs_cell("cl", "tasks.csv", r, "service");
		char *code = rs_cell("cl", "tasks.csv", r, "stop_code");

		if (strcmp(sv, "loop") == 0 && *code) {
			T_STREQ(code, "EssentialContainerExited");
			CU_ASSERT(rs_num("cl", "tasks.csv", r, "running_s") > 0);
		}
		free(sv);
		free(code);
	}
	RS_IS("cl", "service_summary.csv", rs_find("cl", "service_summary.csv", "service", "loop"),
	      "tasks_failed_to_start", "0");

	n = submits("cl", "fail", at, 400);
	T_EQ(n, 10);
	for (int k = 1; k < n && k <= 9; k++)
		T_NEAR(at[k] - at[k - 1], fail_gaps[k - 1]);
	/* ECS's warning for the throttled one only */
	{
		int rows = rs_rows("cl", "service_events.csv"), fail_ev = 0, loop_ev = 0;

		for (int r = 1; r <= rows; r++) {
			char *sv = rs_cell("cl", "service_events.csv", r, "service");
			char *ty = rs_cell("cl", "service_events.csv", r, "event_type");

			if (strcmp(ty, "SERVICE_TASK_START_IMPAIRED") == 0) {
				fail_ev += strcmp(sv, "fail") == 0;
				loop_ev += strcmp(sv, "loop") == 0;
			}
			free(sv);
			free(ty);
		}
		T_EQ(fail_ev, 1);
		T_EQ(loop_ev, 0);
	}
}

/* ---- 9.8 the circuit breaker does not count crashes after RUNNING -------- */

/* The largest circuit-breaker count of service 0's deployments, after every
 * event. */
static void breaker_observe(struct backplane *bp, void *ctx)
{
	int *max = ctx;
	const struct svc *v;

	if (svc_sched(bp)->n_svcs < 1)
		return;
	v = &svc_sched(bp)->svcs[0];
	for (int i = 0; i < v->n_deps; i++)
		if (v->deps[i].failed_tasks > *max)
			*max = v->deps[i].failed_tasks;
}

/* The deployment `dep`'s stages in out-<tag>/deployments.csv, joined by
 * spaces, and the time of its FAILED row (-1: none). */
static double dep_stages(const char *tag, const char *dep, char *out, size_t n)
{
	int rows = rs_rows(tag, "deployments.csv");
	double failed = -1;

	out[0] = '\0';
	for (int r = 1; r <= rows; r++) {
		char *d = rs_cell(tag, "deployments.csv", r, "deployment");
		char *st = rs_cell(tag, "deployments.csv", r, "stage");

		if (strcmp(d, dep) == 0) {
			if (*out)
				strncat(out, " ", n - strlen(out) - 1);
			strncat(out, st, n - strlen(out) - 1);
			if (strcmp(st, "FAILED") == 0)
				failed = rs_num(tag, "deployments.csv", r, "time_s");
		}
		free(d);
		free(st);
	}
	return failed;
}

/* A service of 3 with the circuit breaker (rollback on), threshold
 * clamp(ceil(0.5 × 3), 3, 200) = 3, each scenario on one instance.
 * (a) Its containers exit 5 s after RUNNING: every task reaches RUNNING, so
 *     none is a stage-1 failure and there is no health check (stage 2): the
 *     count stays 0 over the hour's ~500 crashes (3 tasks every 20 s, as in
 *     9.7), the deployment stays IN_PROGRESS, never FAILED — the users'
 *     "failedTasks stayed 0".
 * (b) Its containers fail to start: the 3 tasks launched at the first pass
 *     (t0) fail at t0 + 1 + 0.5 + 10 + 2, heard 0.5 s later: 3 stage-1
 *     failures, FAILED at t0 + 14.
 * (c) Its containers run, behind a target group whose checks they all fail
 *     (neverHealthy): RUNNING at t0 + 13.5, registered when ECS hears it
 *     (t0 + 14), the first check one interval (30 s) later fails for each
 *     of the 3 targets: 3 stage-2 failures, FAILED at t0 + 44. */
static void test_breaker_ignores_crashes(void)
{
	char st[256];
	int max = 0, n, crashed = 0;
	double t0;

	rs_write("cb-a.json", HEAD("cb-a", 3600)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"crash\":\"crash.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"crash\",\"desiredCount\":3,"
		 "\"runtimeSeconds\":5,"
		 "\"deploymentConfiguration\":{\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":true}}}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("cb-a.json", "cb-a", NULL, breaker_observe, &max), 0);
	T_EQ(max, 0);
	n = rs_rows("cb-a", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *code = rs_cell("cb-a", "tasks.csv", r, "stop_code");

		crashed += strcmp(code, "EssentialContainerExited") == 0;
		free(code);
	}
	CU_ASSERT(crashed >= 500);
	CU_ASSERT(dep_stages("cb-a", "1", st, sizeof st) < 0);
	T_STREQ(st, "IN_PROGRESS");
	T_EQ(rs_rows("cb-a", "deployments.csv"), 1);

	max = 0;
	rs_write("cb-b.json", HEAD("cb-b", 600)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"bad\":{\"file\":\"bad.json\",\"startFailureProbability\":1}},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"bad\",\"desiredCount\":3,"
		 "\"deploymentConfiguration\":{\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":true}}}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("cb-b.json", "cb-b", NULL, breaker_observe, &max), 0);
	T_EQ(max, 3);
	t0 = rs_num("cb-b", "tasks.csv", 1, "submit_s");
	T_NEAR(dep_stages("cb-b", "1", st, sizeof st), t0 + 14);
	T_STREQ(st, "IN_PROGRESS FAILED");
	T_EQ(rs_rows("cb-b", "tasks.csv"), 3);       /* FAILED launches nothing more */

	max = 0;
	rs_write("cb-c.json", HEAD("cb-c", 600)
		 "\"loadBalancers\":[{\"name\":\"alb\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}],"
		 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\",\"neverHealthy\":{\"web\":1}}],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"web\":\"web.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"web\",\"desiredCount\":3,"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}],"
		 "\"deploymentConfiguration\":{\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":true}}}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("cb-c.json", "cb-c", NULL, breaker_observe, &max), 0);
	T_EQ(max, 3);
	t0 = rs_num("cb-c", "tasks.csv", 1, "submit_s");
	T_NEAR(rs_num("cb-c", "tasks.csv", 1, "running_s"), t0 + 13.5);
	T_NEAR(dep_stages("cb-c", "1", st, sizeof st), t0 + 44);
	T_STREQ(st, "IN_PROGRESS FAILED");
}

/* ---- 9.9 static host ports block deployments ----------------------------- */

/* Service "s" of 3 tasks of `port1.json` (host port 80) on `count`
 * instances at min/max percent, port2.json deployed at 300 s; run for
 * 1800 s into out-<tag>. */
static void port_deploy(const char *tag, int count, int min_pct, int max_pct)
{
	char file[32], buf[2048];

	snprintf(file, sizeof file, "%s.json", tag);
	snprintf(buf, sizeof buf, HEAD("port", 1800)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":%d}],"
		 "\"taskDefinitions\":{\"v1\":\"port1.json\",\"v2\":\"port2.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":3,"
		 "\"deploymentConfiguration\":{\"minimumHealthyPercent\":%d,\"maximumPercent\":%d}}],"
		 "\"workload\":{\"traces\":[\"port.csv\"]}}", count, min_pct, max_pct);
	rs_write(file, buf);
	rs_write("port.csv", TRACE_HDR "300,deploy,s,v2,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, NULL, NULL), 0);
}

/* Rows of out-<tag>/service_events.csv of `type` whose message holds
 * `text`. */
static int events_with(const char *tag, const char *type, const char *text)
{
	int rows = rs_rows(tag, "service_events.csv"), got = 0;

	for (int r = 1; r <= rows; r++) {
		char *ty = rs_cell(tag, "service_events.csv", r, "event_type");
		char *m = rs_cell(tag, "service_events.csv", r, "message");

		got += strcmp(ty, type) == 0 && strstr(m, text) != NULL;
		free(ty);
		free(m);
	}
	return got;
}

/* Tasks of revision 2 (`port:2`) that reached RUNNING in out-<tag>. */
static int new_ran(const char *tag)
{
	int n = rs_rows(tag, "tasks.csv"), got = 0;

	for (int r = 1; r <= n; r++) {
		char *td = rs_cell(tag, "tasks.csv", r, "taskdef");
		char *run = rs_cell(tag, "tasks.csv", r, "running_s");

		got += strcmp(td, "port:2") == 0 && *run;
		free(td);
		free(run);
	}
	return got;
}

/* One instance per task (3 for 3), host port 80:
 * (a) min 100 / max 200: the pass at 300.25 may start 3 new tasks (floor(6)
 *     live) but every instance holds port 80, so their placement fails at
 *     301.25 with RESOURCE:PORTS ("is already using a port required by your
 *     task"), and min 100 (ceil(3) healthy) stops no old task: stuck for
 *     the remaining 25 minutes, no new task ever runs;
 * (b) min 100 / max 100: neither bound allows a step: the scheduler says
 *     so (the deployment-configuration event) and waits, with no
 *     placement tried.
 * The users' fixes (§5.5):
 * (c) a spare, fourth instance at max 200 %: the first new task takes it
 *     (placed 301.25, RUNNING 301.25 + 0.5 + 10 + 2 = 313.75, healthy 40 s
 *     later), the pass 10 s after (363.75) stops an old task (4 healthy,
 *     3 needed), whose host is free at 363.75 + 0.5 + 3 and heard 0.5 s
 *     later: the pass at 377.75 places the next new task there (378.75),
 *     and so on every 77.5 s; the last old task, stopped at 518.75, is
 *     gone at 522.75 and the pass at 532.75 finds the deployment COMPLETED;
 * (d) min 50 % (ceil(1.5) = 2 healthy) on the 3 instances: the pass at
 *     300.25 stops an old task at once, its host free at 303.75, heard at
 *     304.25, the new task placed at 315.25 (pass 314.25), RUNNING 327.75,
 *     healthy 367.75, the next old task stopped at 377.75, … the third new
 *     one healthy at 522.75 and the deployment COMPLETED at 532.75. */
static void test_static_ports_block(void)
{
	char st[256];

	port_deploy("pa", 3, 100, 200);
	dep_stages("pa", "2", st, sizeof st);
	T_STREQ(st, "IN_PROGRESS");
	T_EQ(new_ran("pa"), 0);
	CU_ASSERT(rs_rows("pa", "placement_failures.csv") >= 1);
	RS_IS("pa", "placement_failures.csv", 1, "reason", "RESOURCE:PORTS");
	T_NEAR(rs_num("pa", "placement_failures.csv", 1, "time_s"), 301.25);
	T_EQ(events_with("pa", "SERVICE_TASK_PLACEMENT_FAILURE", "is already using a port required by your task."), 1);
	RS_IS("pa", "services.csv", -1, "running", "3");

	port_deploy("pb", 3, 100, 100);
	dep_stages("pb", "2", st, sizeof st);
	T_STREQ(st, "IN_PROGRESS");
	T_EQ(new_ran("pb"), 0);
	T_EQ(rs_rows("pb", "placement_failures.csv"), 0);
	T_EQ(events_with("pb", "SERVICE_DEPLOYMENT_CONFIGURATION_BLOCKED",
			 "was unable to stop or start tasks during a deployment"), 1);

	port_deploy("pc", 4, 100, 200);
	dep_stages("pc", "2", st, sizeof st);
	T_STREQ(st, "IN_PROGRESS COMPLETED");
	T_NEAR(rs_num("pc", "deployments.csv", -1, "time_s"), 532.75);
	T_EQ(new_ran("pc"), 3);
	T_NEAR(rs_num("pc", "tasks.csv", rs_find("pc", "tasks.csv", "task_id", "task-1"), "stopping_s"), 364.25);
	RS_IS("pc", "services.csv", -1, "running", "3");

	port_deploy("pd", 3, 50, 200);
	dep_stages("pd", "2", st, sizeof st);
	T_STREQ(st, "IN_PROGRESS COMPLETED");
	T_NEAR(rs_num("pd", "deployments.csv", -1, "time_s"), 532.75);
	T_EQ(new_ran("pd"), 3);
	T_NEAR(rs_num("pd", "tasks.csv", rs_find("pd", "tasks.csv", "task_id", "task-1"), "stopping_s"), 300.75);
}

/* ---- 9.10 the PROVISIONING wait ------------------------------------------ */

/* A service of 1 on a capacity provider with managed scaling whose group
 * cannot grow (maxSize 0), `wait` the scenario's pending member ("" for
 * none), for 3000 s into out-<tag>. */
static void cp_wait_run(const char *tag, const char *wait)
{
	char file[32], buf[2048];

	snprintf(file, sizeof file, "%s.json", tag);
	snprintf(buf, sizeof buf, HEAD("wait", 3000) "%s"
		 "\"capacityProviders\":[{\"name\":\"cp\",\"autoScalingGroup\":{\"instanceType\":\"m5.large\","
		 "\"availabilityZones\":[\"us-east-1a\"],\"minSize\":0,\"maxSize\":0,\"desiredCapacity\":0,"
		 "\"launchTimeSeconds\":100},\"managedScaling\":{}}],"
		 "\"taskDefinitions\":{\"crash\":\"crash.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"crash\",\"desiredCount\":1,"
		 "\"capacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}]}]}", wait);
	rs_write(file, buf);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, NULL, NULL), 0);
}

/* The service's first pass launches its task at 0.25 (CreateService's API
 * latency); its placement (1.25) finds no capacity, and no scale-out can
 * bring any: it waits PROVISIONING, and stops with TaskFailedToStart after
 * the default wait of 1200 s (within the 10–30 minutes ECS shows), at
 * 1201.25; the scheduler's reaction relaunches at 1211.25, which stops at
 * 1211.25 + 1 + 1200 = 2412.25; the third, launched at 2422.25, still waits
 * PROVISIONING at the end.  The wait is a parameter in ecsim (none in ECS):
 * 1800 s stops the first at 1801.25.  A launch-type RunTask task that fits
 * no instance (4 vCPU on an m5.large) waits PENDING instead, to the end with
 * the defaults (pending.timeoutSeconds 0). */
static void test_provisioning_wait(void)
{
	cp_wait_run("wa", "");
	T_EQ(rs_rows("wa", "tasks.csv"), 3);
	T_NEAR(rs_num("wa", "tasks.csv", 1, "submit_s"), 0.25);
	T_NEAR(rs_num("wa", "tasks.csv", 1, "stop_s"), 1201.25);
	RS_IS("wa", "tasks.csv", 1, "stop_code", "TaskFailedToStart");
	RS_IS("wa", "tasks.csv", 1, "running_s", "");
	T_NEAR(rs_num("wa", "tasks.csv", 2, "submit_s"), 1211.25);
	T_NEAR(rs_num("wa", "tasks.csv", 2, "stop_s"), 2412.25);
	RS_IS("wa", "tasks.csv", 2, "stop_code", "TaskFailedToStart");
	T_NEAR(rs_num("wa", "tasks.csv", 3, "submit_s"), 2422.25);
	RS_IS("wa", "tasks.csv", 3, "last_status", "PROVISIONING");
	RS_IS("wa", "tasks.csv", 3, "stop_s", "");
	T_EQ(rs_rows("wa", "scaling.csv"), 0);

	cp_wait_run("wb", "\"pending\":{\"capacityWaitSeconds\":1800},");
	T_NEAR(rs_num("wb", "tasks.csv", 1, "stop_s"), 1801.25);
	RS_IS("wb", "tasks.csv", 1, "stop_code", "TaskFailedToStart");

	rs_write("wc.json", HEAD("wc", 3000)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"huge\":\"huge.json\"},\"workload\":{\"traces\":[\"wc.csv\"]}}");
	rs_write("wc.csv", TRACE_HDR "10,run_task,,huge,1,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("wc.json", "wc", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("wc", "tasks.csv"), 1);
	RS_IS("wc", "tasks.csv", 1, "last_status", "PENDING");
	RS_IS("wc", "tasks.csv", 1, "stop_s", "");
}

/* ---- 9.11 cluster auto scaling flapping ----------------------------------- */

/* A service of tasks of a whole m5.large on a provider with managed scaling
 * (target 100, group 1..10 starting at 1, instances registering 100 s
 * after their launch), its desired count set by `trace` (rows of
 * set_desired), for 4200 s into out-<tag>. */
static void cas_run_from(const char *tag, int size, const char *trace)
{
	char file[32], csv[32], buf[2048];

	snprintf(file, sizeof file, "%s.json", tag);
	snprintf(csv, sizeof csv, "%s.csv", tag);
	snprintf(buf, sizeof buf, HEAD("cas", 4200)
		 "\"capacityProviders\":[{\"name\":\"cp\",\"autoScalingGroup\":{\"instanceType\":\"m5.large\","
		 "\"availabilityZones\":[\"us-east-1a\"],\"minSize\":%d,\"maxSize\":10,\"desiredCapacity\":%d,"
		 "\"launchTimeSeconds\":100},\"managedScaling\":{}}],"
		 "\"taskDefinitions\":{\"big\":\"big.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"big\",\"desiredCount\":1,"
		 "\"capacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}]}],"
		 "\"workload\":{\"traces\":[\"%s\"]}}", size, size, csv);
	rs_write(file, buf);
	rs_write(csv, trace);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, NULL, NULL), 0);
}

static void cas_run(const char *tag, const char *trace)
{
	cas_run_from(tag, 1, trace);
}

/* One task runs on the group's one instance (M = 1, N = 1: 100 %).  The load
 * doubles for 10 minutes twice: desired 2 at 600 s and 2400 s, back to 1 at
 * 1200 s and 3000 s.  The second task's placement (601.25) finds no room
 * and waits PROVISIONING, so the datapoint at 660 s reads M = 2, N = 1:
 * 200 %, one datapoint above target is enough, scale-out to
 * ceil(2 × 100 / 100) = 2 at 660 s; the instance registers at 760 and takes
 * the task.  At 1200.25 the scheduler stops a task (gone at 1203.75), and
 * from 1260 every datapoint reads M = 1, N = 2: 50 %; the 15th (1260 + 14 ×
 * 60 = 2100) scales in to 1.  The second rise repeats it: out at 2460, in at
 * 3900.  So an instance is launched and terminated for each rise of the
 * load: 1 minute to scale out, 15 to scale in.  When the load comes back
 * within the 15 minutes (desired 2 again at 1800: the task fits the
 * instance still there, the datapoints read 100 % from 1860) the count of
 * low datapoints starts again, and nothing is scaled in. */
static void test_cas_cycles(void)
{
	static const double at[] = { 660, 2100, 2460, 3900 };
	static const char *const act[] = { "scale-out", "scale-in", "scale-out", "scale-in" };
	static const char *const to[] = { "2", "1", "2", "1" };

	cas_run("ca", TRACE_HDR "600,set_desired,s,,2,,\n1200,set_desired,s,,1,,\n"
		"2400,set_desired,s,,2,,\n3000,set_desired,s,,1,,\n");
	T_EQ(rs_rows("ca", "scaling.csv"), 4);
	for (int r = 1; r <= 4; r++) {
		T_NEAR(rs_num("ca", "scaling.csv", r, "time_s"), at[r - 1]);
		RS_IS("ca", "scaling.csv", r, "action", act[r - 1]);
		RS_IS("ca", "scaling.csv", r, "new", to[r - 1]);
	}
	T_NEAR(rs_num("ca", "tasks.csv", 2, "placed_s"), 760);

	cas_run("cb", TRACE_HDR "600,set_desired,s,,2,,\n1200,set_desired,s,,1,,\n1800,set_desired,s,,2,,\n");
	T_EQ(rs_rows("cb", "scaling.csv"), 1);
	T_NEAR(rs_num("cb", "scaling.csv", 1, "time_s"), 660);
	RS_IS("cb", "scaling.csv", 1, "action", "scale-out");
}

/* The same group empty (0..10 from 0): the service's task waits
 * PROVISIONING from its placement (1.25), and the first datapoint (60 s)
 * reads 200 % (no instance, a task needing one): from zero the group goes
 * to two instances first, which register at 160 and the task is placed
 * there at once — an empty cluster does start tasks.  The second instance
 * stays empty: from 180 every datapoint reads M = 1, N = 2, 50 %, and the
 * 15th (180 + 14 × 60 = 1020) scales in to 1. */
static void test_cas_from_zero(void)
{
	cas_run_from("cz", 0, TRACE_HDR);
	T_EQ(rs_rows("cz", "scaling.csv"), 2);
	T_NEAR(rs_num("cz", "scaling.csv", 1, "time_s"), 60);
	RS_IS("cz", "scaling.csv", 1, "old", "0");
	RS_IS("cz", "scaling.csv", 1, "new", "2");
	T_NEAR(rs_num("cz", "tasks.csv", 1, "placed_s"), 160);
	RS_IS("cz", "tasks.csv", 1, "last_status", "RUNNING");
	T_NEAR(rs_num("cz", "scaling.csv", 2, "time_s"), 1020);
	RS_IS("cz", "scaling.csv", 2, "action", "scale-in");
	RS_IS("cz", "scaling.csv", 2, "new", "1");
}

/* ---- 9.12 Fargate AZ placement -------------------------------------------- */

/* A Fargate service of 2 over us-east-1a and us-east-1b, AZ rebalancing
 * `rebalancing`, us-east-1b out from 600 s for 600 s, 3600 s into
 * out-<tag>. */
static void fg_az_run(const char *tag, const char *rebalancing)
{
	char file[32], buf[2048];

	snprintf(file, sizeof file, "%s.json", tag);
	snprintf(buf, sizeof buf, HEAD("fgaz", 3600)
		 "\"taskDefinitions\":{\"fg\":\"fg.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"fg\",\"desiredCount\":2,"
		 "\"availabilityZoneRebalancing\":\"%s\"}],"
		 "\"workload\":{\"traces\":[\"fgaz.csv\"]}}", rebalancing);
	rs_write(file, buf);
	rs_write("fgaz.csv", TRACE_HDR "600,az_outage,us-east-1b,,,600,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, NULL, NULL), 0);
}

/* The service's two tasks, launched at 0.25 and placed at 1.25, take a zone
 * each (the fewest of the service's tasks, ties to the first: task-1
 * us-east-1a, task-2 us-east-1b), RUNNING 60 s later.  us-east-1b goes out at
 * 600: task-2 is STOPPED then; its replacement, launched on the scheduler's
 * reaction (610), can only take us-east-1a (placed 611, RUNNING 671): two
 * tasks share the zone.  The zone returns at 1200 and nothing moves them:
 * at the end both are in us-east-1a.  The users' report predates AZ
 * rebalancing (2024-11): with it (CreateService's default since 2025-06),
 * the first check after the return (every 60 s from the creation: 1200.25)
 * starts a task in us-east-1b (placed 1201.25) and, once it is healthy,
 * stops one in us-east-1a, one task a zone again.  A scale-in does not
 * unbalance the zones (the users' other report, an imbalance after
 * scale-in): it takes from the zone with the most of the service's tasks. */
static void test_fargate_az_share(void)
{
	int r;

	fg_az_run("fa", "DISABLED");
	T_EQ(rs_rows("fa", "tasks.csv"), 3);
	r = rs_find("fa", "tasks.csv", "task_id", "task-1");
	RS_IS("fa", "tasks.csv", r, "az", "us-east-1a");
	RS_IS("fa", "tasks.csv", r, "last_status", "RUNNING");
	T_NEAR(rs_num("fa", "tasks.csv", r, "running_s"), 61.25);
	r = rs_find("fa", "tasks.csv", "task_id", "task-2");
	RS_IS("fa", "tasks.csv", r, "az", "us-east-1b");
	T_NEAR(rs_num("fa", "tasks.csv", r, "stopped_s"), 600);
	r = rs_find("fa", "tasks.csv", "task_id", "task-3");
	CU_ASSERT_FATAL(r > 0);
	T_NEAR(rs_num("fa", "tasks.csv", r, "submit_s"), 610);
	T_NEAR(rs_num("fa", "tasks.csv", r, "placed_s"), 611);
	RS_IS("fa", "tasks.csv", r, "az", "us-east-1a");
	RS_IS("fa", "tasks.csv", r, "last_status", "RUNNING");
	RS_IS("fa", "services.csv", -1, "running", "2");

	fg_az_run("fb", "ENABLED");
	r = rs_find("fb", "tasks.csv", "task_id", "task-3");
	RS_IS("fb", "tasks.csv", r, "az", "us-east-1a");
	r = rs_find("fb", "tasks.csv", "task_id", "task-4");
	CU_ASSERT_FATAL(r > 0);
	T_NEAR(rs_num("fb", "tasks.csv", r, "placed_s"), 1201.25);
	RS_IS("fb", "tasks.csv", r, "az", "us-east-1b");
	RS_IS("fb", "tasks.csv", r, "last_status", "RUNNING");
	T_NEAR(rs_num("fb", "service_events.csv",
		      rs_find("fb", "service_events.csv", "event_type", "SERVICE_REBALANCING_STARTED"), "time_s"), 1200.25);
	T_EQ(events_with("fb", "SERVICE_REBALANCING_STARTED", "2 tasks in us-east-1a and 0 tasks in us-east-1b"), 1);
	T_EQ(events_with("fb", "SERVICE_REBALANCING_COMPLETED", "1 tasks in us-east-1a and 1 tasks in us-east-1b"), 1);
	RS_IS("fb", "services.csv", -1, "running", "2");

	/* a scale-in from 4 (2 a zone) to 2 takes one task from each zone:
	 * the zone with the most of the service's tasks first (§4.11), so
	 * the zones stay balanced */
	rs_write("fc.json", HEAD("fc", 1200)
		 "\"taskDefinitions\":{\"fg\":\"fg.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"fg\",\"desiredCount\":4}],"
		 "\"workload\":{\"traces\":[\"fc.csv\"]}}");
	rs_write("fc.csv", TRACE_HDR "600,set_desired,s,,2,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("fc.json", "fc", NULL, NULL, NULL), 0);
	{
		int n = rs_rows("fc", "tasks.csv"), in_a = 0, in_b = 0;

		T_EQ(n, 4);
		for (int k = 1; k <= n; k++) {
			char *az = rs_cell("fc", "tasks.csv", k, "az");
			char *st = rs_cell("fc", "tasks.csv", k, "last_status");

			if (strcmp(st, "RUNNING") == 0) {
				in_a += strcmp(az, "us-east-1a") == 0;
				in_b += strcmp(az, "us-east-1b") == 0;
			}
			free(az);
			free(st);
		}
		T_EQ(in_a, 1);
		T_EQ(in_b, 1);
	}
}

/* ---- 9.13 slow deployments from load-balancer defaults -------------------- */

/* Service "w" of 2 tasks of web.json behind an ALB's target group with the
 * default health check (every 30 s) and deregistration delay (300 s), on
 * two instances, web-v2.json deployed at 300 s; `traffic` the target
 * group's traffic member ("" for none); 1200 s into out-<tag>. */
static void lb_deploy(const char *tag, const char *traffic)
{
	char file[32], buf[2048];

	snprintf(file, sizeof file, "%s.json", tag);
	snprintf(buf, sizeof buf, HEAD("lbd", 1200)
		 "\"loadBalancers\":[{\"name\":\"alb\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
		 "\"attributes\":{\"idle_timeout.timeout_seconds\":4000}}],"
		 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\"%s}],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		 "\"taskDefinitions\":{\"v1\":\"web.json\",\"v2\":\"web-v2.json\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"v1\",\"desiredCount\":2,"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
		 "\"workload\":{\"traces\":[\"lbd.csv\"]}}", traffic);
	rs_write(file, buf);
	rs_write("lbd.csv", TRACE_HDR "300,deploy,w,v2,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, NULL, NULL), 0);
}

/* The rollout (min 100 %, max 200 %): the pass at 300.25 launches both new
 * tasks (placed 301.25, RUNNING 301.25 + 0.5 + 10 + 2 = 313.75), registered
 * when ECS hears it (314.25); a new target needs one passing check, the
 * first one interval later: healthy at 344.25 (30 s, not 5 × 30 s: that is
 * an unhealthy target's way back).  The pass 10 s later (354.25) stops both
 * old tasks (4 healthy, 2 needed): their targets are deregistered then.
 * With requests in flight that outlast the delay (1000-s requests), each
 * drains the whole default delay: unused at 654.25, the agent signals the
 * containers at 654.75, they exit 3 s later (657.75), ECS hears it at
 * 658.25 and its pass at 668.25 finds the deployment COMPLETED: the delay's
 * 300 s are most of the rollout's 368.25 s.  With no request in flight a
 * target is unused at once: STOPPING 354.75, STOPPED 357.75, COMPLETED at
 * 368.25.  The deployment is COMPLETED at steady state, every old task
 * stopped (docs/ecs-model.md §5.5, choice E147), not while one drains. */
static void test_lb_deploy_time(void)
{
	static const char *const tags[] = { "lt", "ln" };
	static const double done[] = { 668.25, 368.25 }, unused[] = { 654.25, 354.25 };
	char st[256];

	lb_deploy("lt", ",\"traffic\":{\"arrivals\":{\"poisson\":{\"ratePerSecond\":0.5}},"
		  "\"serviceTimeSeconds\":{\"constant\":{\"value\":1000}},\"workersPerTask\":1000}");
	lb_deploy("ln", "");
	for (int k = 0; k < 2; k++) {
		const char *g = tags[k];

		for (int n = 3; n <= 4; n++) {
			char id[24];

			snprintf(id, sizeof id, "task-%d", n);
			T_NEAR(rs_num(g, "tasks.csv", rs_find(g, "tasks.csv", "task_id", id), "running_s"), 313.75);
			T_NEAR(rs_target_at(g, id, "initial"), 314.25);
			T_NEAR(rs_target_at(g, id, "healthy"), 344.25);
		}
		for (int n = 1; n <= 2; n++) {
			char id[24];
			int r;

			snprintf(id, sizeof id, "task-%d", n);
			r = rs_find(g, "tasks.csv", "task_id", id);
			T_NEAR(rs_target_at(g, id, "draining"), 354.25);
			T_NEAR(rs_target_at(g, id, "unused"), unused[k]);
			T_NEAR(rs_num(g, "tasks.csv", r, "stopping_s"), unused[k] + 0.5);
			T_NEAR(rs_num(g, "tasks.csv", r, "stopped_s"), unused[k] + 3.5);
		}
		dep_stages(g, "2", st, sizeof st);
		T_STREQ(st, "IN_PROGRESS COMPLETED");
		T_NEAR(rs_num(g, "deployments.csv", -1, "time_s"), done[k]);
	}
}

static CU_TestInfo noticed_tests[] = {
	{ "9.7 crash loops are not throttled, start failures are", test_crash_loop_not_throttled },
	{ "9.8 the circuit breaker counts start failures and failed checks, not crashes after RUNNING",
	  test_breaker_ignores_crashes },
	{ "9.9 static host ports block a deployment at min 100 %; a spare host or min 50 % lets it through",
	  test_static_ports_block },
	{ "9.10 a task waiting PROVISIONING stops with TaskFailedToStart after 20 minutes", test_provisioning_wait },
	{ "9.11 managed scaling: out after one datapoint above target, in after 15 below", test_cas_cycles },
	{ "9.11 managed scaling from an empty group: two instances first, the task started", test_cas_from_zero },
	{ "9.12 after an AZ outage two Fargate tasks share a zone and stay there; a scale-in keeps the zones even",
	  test_fargate_az_share },
	{ "9.13 a rollout behind an ALB: one check to healthy, the old tasks' drain held by requests in flight",
	  test_lb_deploy_time },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "behaviours users notice (operations)", setup, rs_teardown, NULL, NULL, noticed_tests },
	CU_SUITE_INFO_NULL,
};
