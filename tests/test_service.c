/* tests/test_service.c — the control plane: the task lifecycle and its
 * timestamps, stop codes, agents (image cache, start failures, stop
 * timeout, disconnect and reconnect), and the service scheduler
 * (replacement, throttling, rolling deployments checked at every event,
 * the circuit breaker, DAEMON services, draining). */
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

/* Fixed, distinct latencies so every timestamp can be computed by hand (an
 * agent back the moment its outage ends: the back-off is test_faults.c's). */
#define TIMING "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatTimeoutSeconds\":60," \
	"\"heartbeatJitterSeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3,\"eniAttachSeconds\":5,\"eniDetachSeconds\":4,\"reconnectInitialSeconds\":0},"

#define HEAD(name, dur) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," TIMING \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"

static const char *td_small = TD_SMALL;
static const char *td_v2 = TD_SMALL_V2;
static const char *td_vpc =
	"{\"family\":\"vpc\",\"networkMode\":\"awsvpc\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"y\","
	"\"cpu\":256,\"memory\":512,\"stopTimeout\":20}]}";
static const char *td_big =
	"{\"family\":\"big\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"z\",\"cpu\":2048,\"memory\":4000}]}";

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("small.json", td_small);
	rs_write("small-v2.json", td_v2);
	rs_write("vpc.json", td_vpc);
	rs_write("big.json", td_big);
	return 0;
}

#define NUM(tag, file, row, col) rs_num(tag, file, row, col)
#define NEAR T_NEAR

/* docs/ecs-model.md §3.1: PROVISIONING (ENI attach 5) → PENDING (network 0.5 +
 * pull 10 + start 2) → ACTIVATING → RUNNING → (exit after 100 s)
 * DEACTIVATING → STOPPING (its only container has exited: no wait, §3.2) →
 * DEPROVISIONING (ENI detach 4) → STOPPED; placement 1 s after the call. */
static void test_lifecycle_timestamps(void)
{
	int r;

	rs_write("lc.json", HEAD("lc", 1000)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"vpc\":\"vpc.json\",\"small\":\"small.json\"},"
		 "\"workload\":{\"traces\":[\"lc.csv\"]}}");
	rs_write("lc.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,a,vpc,1,100,\n"
		 "200,run_task,b,vpc,1,,\n"
		 "300,stop_task,b,,,,\n"
		 "400,run_task,c,small,1,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("lc.json", "lc", NULL, NULL, NULL), 0);
	r = rs_find("lc", "tasks.csv", "task_id", "a");
	CU_ASSERT_FATAL(r > 0);
	NEAR(NUM("lc", "tasks.csv", r, "submit_s"), 0);
	NEAR(NUM("lc", "tasks.csv", r, "placed_s"), 1);
	NEAR(NUM("lc", "tasks.csv", r, "provisioning_s"), 1);
	NEAR(NUM("lc", "tasks.csv", r, "pending_s"), 6);
	NEAR(NUM("lc", "tasks.csv", r, "activating_s"), 18.5);
	NEAR(NUM("lc", "tasks.csv", r, "running_s"), 18.5);
	NEAR(NUM("lc", "tasks.csv", r, "start_s"), 18.5);
	NEAR(NUM("lc", "tasks.csv", r, "deactivating_s"), 118.5);
	NEAR(NUM("lc", "tasks.csv", r, "stopping_s"), 118.5);
	NEAR(NUM("lc", "tasks.csv", r, "deprovisioning_s"), 118.5);
	NEAR(NUM("lc", "tasks.csv", r, "stopped_s"), 122.5);
	NEAR(NUM("lc", "tasks.csv", r, "stop_s"), 122.5);
	RS_IS("lc", "tasks.csv", r, "stop_code", "EssentialContainerExited");
	RS_IS("lc", "tasks.csv", r, "desired_status", "STOPPED");
	RS_IS("lc", "tasks.csv", r, "last_status", "STOPPED");
	/* b: the image is cached now (1 s); StopTask at 300 takes effect at
	 * 300.25, reaches the agent at 300.75 */
	r = rs_find("lc", "tasks.csv", "task_id", "b");
	NEAR(NUM("lc", "tasks.csv", r, "running_s"), 201 + 5 + 0.5 + 1 + 2);
	NEAR(NUM("lc", "tasks.csv", r, "stopping_s"), 300.75);
	NEAR(NUM("lc", "tasks.csv", r, "stopped_s"), 300.75 + 3 + 4);
	RS_IS("lc", "tasks.csv", r, "stop_code", "UserInitiated");
	/* c: no ENI (PROVISIONING passes at once), still running at the end */
	r = rs_find("lc", "tasks.csv", "task_id", "c");
	NEAR(NUM("lc", "tasks.csv", r, "pending_s"), 401);
	NEAR(NUM("lc", "tasks.csv", r, "running_s"), 401 + 0.5 + 10 + 2);
	RS_IS("lc", "tasks.csv", r, "stop_s", "");
	RS_IS("lc", "tasks.csv", r, "stop_code", "");
	RS_IS("lc", "tasks.csv", r, "last_status", "RUNNING");
	RS_IS("lc", "tasks.csv", r, "desired_status", "RUNNING");
}

/* The stop timeout caps the wait for containers to exit (docs/ecs-model.md §3.2), and a task
 * whose containers fail to start is TaskFailedToStart without RUNNING. */
static void test_stop_timeout_and_start_failure(void)
{
	int r;

	rs_write("st.json", HEAD("st", 1000)
		 "\"agent\":{\"shutdownSeconds\":60,\"networkDelaySeconds\":0},"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"vpc\":\"vpc.json\",\"bad\":{\"file\":\"small.json\",\"startFailureProbability\":1}},"
		 "\"workload\":{\"traces\":[\"st.csv\"]}}");
	/* the second "agent" member would be a duplicate: use a scenario without TIMING */
	rs_write("st.json", "{\"name\":\"st\",\"durationSeconds\":1000,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0},"
		 "\"agent\":{\"shutdownSeconds\":60,\"networkDelaySeconds\":0,\"imagePullSeconds\":10,"
		 "\"containerStartSeconds\":2,\"eniAttachSeconds\":5,\"eniDetachSeconds\":4,\"reconnectInitialSeconds\":0},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"vpc\":\"vpc.json\",\"bad\":{\"file\":\"small.json\",\"startFailureProbability\":1}},"
		 "\"workload\":{\"traces\":[\"st.csv\"]}}");
	rs_write("st.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,a,vpc,1,,\n"
		 "0,run_task,f,bad,1,,\n"
		 "100,stop_task,a,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("st.json", "st", NULL, NULL, NULL), 0);
	r = rs_find("st", "tasks.csv", "task_id", "a");
	NEAR(NUM("st", "tasks.csv", r, "stopping_s"), 100);
	/* stopTimeout 20 (the definition's) < shutdown 60: killed at 120 */
	NEAR(NUM("st", "tasks.csv", r, "deprovisioning_s"), 120);
	NEAR(NUM("st", "tasks.csv", r, "stopped_s"), 124);
	r = rs_find("st", "tasks.csv", "task_id", "f");
	RS_IS("st", "tasks.csv", r, "stop_code", "TaskFailedToStart");
	RS_IS("st", "tasks.csv", r, "running_s", "");
	RS_IS("st", "tasks.csv", r, "last_status", "STOPPED");
	NEAR(NUM("st", "tasks.csv", r, "stopped_s"), 1 + 10 + 2);
}

/* A service replaces tasks that exit (docs/ecs-model.md §5.3); the time to replace is the
 * report (0.5) + scheduler delay (10) + placement (1) + start request (0.5)
 * + cached pull (1) + start (2) = 15 s. */
static void test_replacement(void)
{
	rs_write("rp.json", HEAD("rp", 600)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":3,"
		 "\"runtimeSeconds\":100}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("rp.json", "rp", NULL, NULL, NULL), 0);
	RS_IS("rp", "service_summary.csv", 1, "service", "s");
	CU_ASSERT(NUM("rp", "service_summary.csv", 1, "replacements") >= 9);
	NEAR(NUM("rp", "service_summary.csv", 1, "mean_time_to_replace_s"), 15);
	RS_IS("rp", "service_summary.csv", 1, "min_running", "0");
	RS_IS("rp", "service_summary.csv", 1, "tasks_failed_to_start", "0");
	RS_IS("rp", "services.csv", -1, "desired", "3");
	/* stopped service tasks carry the service name */
	RS_IS("rp", "tasks.csv", 1, "service", "s");
	RS_IS("rp", "tasks.csv", 1, "group", "service:s");
}

/* docs/ecs-model.md §5.4: after 3 start failures in a row, launches wait 30 s, then 60, 120,
 * ... capped at 900 s. */
static void test_throttle(void)
{
	int n;
	double prev = -1, gap_prev = 0, cycle = 0;

	rs_write("th.json", HEAD("th", 7200)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"bad\":{\"file\":\"small.json\",\"startFailureProbability\":1}},"
		 "\"services\":[{\"serviceName\":\"t\",\"taskDefinition\":\"bad\",\"desiredCount\":1}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("th.json", "th", NULL, NULL, NULL), 0);
	n = rs_rows("th", "tasks.csv");
	CU_ASSERT_FATAL(n >= 8);
	for (int r = 1; r <= n; r++) {
		double t = NUM("th", "tasks.csv", r, "submit_s");

		if (r < n)
			RS_IS("th", "tasks.csv", r, "stop_code", "TaskFailedToStart");
		if (prev >= 0) {
			double gap = t - prev;

			if (r == 2)
				NEAR(gap, 24);             /* first pull uncached: 1+0.5+10+2+0.5+10 */
			else if (r == 3) {
				cycle = gap;               /* cached pull: 15 s launch → failure → relaunch */
				NEAR(gap, 15);
			} else if (r == 4)
				NEAR(gap, cycle + 30 - 10);   /* throttle replaces the scheduler delay */
			else
				CU_ASSERT(gap >= gap_prev - 1e-6 && gap <= 900 + cycle);
			gap_prev = gap;
		}
		prev = t;
	}
	CU_ASSERT(gap_prev >= 900 - 1e-6);
	CU_ASSERT(NUM("th", "service_summary.csv", 1, "tasks_failed_to_start") >= 8);
}

/* docs/ecs-model.md §5.5, checked after every event of a rolling deployment:
 * tasks with desired RUNNING <= floor(desired × max%), healthy >=
 * ceil(desired × min%) once the service was steady. */
struct roll_check {
	int steady, violations_max, violations_min, samples;
	int64_t max_seen;
};

static void roll_observe(struct backplane *bp, void *ctx)
{
	struct roll_check *c = ctx;
	struct svc *v;
	int64_t live = 0, healthy = 0;

	if (svc_sched(bp)->n_svcs < 1 || !svc_sched(bp)->svcs[0].active)
		return;
	v = &svc_sched(bp)->svcs[0];
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = &bp->tasks[v->tasks[k]];

		if (t->desired == TD_RUNNING) {
			live++;
			healthy += t->healthy;
		}
	}
	if (healthy >= v->desired)
		c->steady = 1;
	c->samples++;
	if (live > c->max_seen)
		c->max_seen = live;
	if (live > (int64_t)floor((double)v->desired * v->cfg->max_pct / 100.0))
		c->violations_max++;
	if (c->steady && healthy < (int64_t)ceil((double)v->desired * v->cfg->min_healthy_pct / 100.0))
		c->violations_min++;
}

static void test_rolling_deployment(void)
{
	struct roll_check c = { 0 };
	int n, running_v2 = 0;

	rs_write("rd.json", HEAD("rd", 1800)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":3},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":3}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\",\"v2\":\"small-v2.json\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"small\",\"desiredCount\":8,"
		 "\"deploymentConfiguration\":{\"minimumHealthyPercent\":75,\"maximumPercent\":125}}],"
		 "\"workload\":{\"traces\":[\"rd.csv\"]}}");
	rs_write("rd.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "300,deploy,w,v2,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("rd.json", "rd", NULL, roll_observe, &c), 0);
	CU_ASSERT(c.samples > 100);
	T_EQ(c.violations_max, 0);
	T_EQ(c.violations_min, 0);
	T_EQ(c.max_seen, 10);              /* floor(8 × 1.25): the bound is used */
	n = rs_rows("rd", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *td = rs_cell("rd", "tasks.csv", r, "taskdef");
		char *stop = rs_cell("rd", "tasks.csv", r, "stop_s");

		if (stop && !*stop) {
			T_STREQ(td, "small:2");
			running_v2++;
		} else {
			T_STREQ(td, "small");
			RS_IS("rd", "tasks.csv", r, "stop_code", "ServiceSchedulerInitiated");
		}
		free(td);
		free(stop);
	}
	T_EQ(running_v2, 8);
	RS_IS("rd", "services.csv", -1, "deployments", "1");
}

/* docs/ecs-model.md §5.6: the broken revision fails to start; threshold clamp(ceil(0.5 × 4),
 * 3, 200) = 3; the deployment FAILS and rolls back to the last COMPLETED
 * definition. */
static void test_circuit_breaker(void)
{
	int n, live = 0;

	rs_write("bad-v2.json", td_v2);
	rs_write("cb.json", HEAD("cb", 3600)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":4}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\",\"broken\":{\"file\":\"bad-v2.json\",\"startFailureProbability\":1}},"
		 "\"services\":[{\"serviceName\":\"c\",\"taskDefinition\":\"small\",\"desiredCount\":4,"
		 "\"deploymentConfiguration\":{\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":true}}}],"
		 "\"workload\":{\"traces\":[\"cb.csv\"]}}");
	rs_write("cb.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "300,deploy,c,broken,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("cb.json", "cb", NULL, NULL, NULL), 0);
	n = rs_rows("cb", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *stop = rs_cell("cb", "tasks.csv", r, "stop_s");

		if (stop && !*stop) {
			RS_IS("cb", "tasks.csv", r, "taskdef", "small");
			live++;
		}
		free(stop);
	}
	T_EQ(live, 4);
	{
		double f = NUM("cb", "service_summary.csv", 1, "tasks_failed_to_start");

		CU_ASSERT(f >= 3 && f <= 4);   /* the launches in flight when it trips */
	}
	RS_IS("cb", "services.csv", -1, "deployments", "1");
	/* without the breaker, launches go on (throttled) for the whole run */
	rs_write("nb.json", HEAD("nb", 3600)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":4}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\",\"broken\":{\"file\":\"bad-v2.json\",\"startFailureProbability\":1}},"
		 "\"services\":[{\"serviceName\":\"c\",\"taskDefinition\":\"small\",\"desiredCount\":4}],"
		 "\"workload\":{\"traces\":[\"cb.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("nb.json", "nb", NULL, NULL, NULL), 0);
	CU_ASSERT(NUM("nb", "service_summary.csv", 1, "tasks_failed_to_start") > 6);
	RS_IS("nb", "services.csv", -1, "deployments", "2");
}

/* docs/ecs-model.md §4.10: one daemon task on every ACTIVE instance, including instances that
 * join later; none on a DRAINING one. */
static void test_daemon(void)
{
	int n, live = 0;
	char seen[8] = { 0 };

	rs_write("dm.json", HEAD("dm", 900)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"d\",\"taskDefinition\":\"small\",\"schedulingStrategy\":\"DAEMON\"}],"
		 "\"workload\":{\"traces\":[\"dm.csv\"]}}");
	rs_write("dm.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "100,register_instance,m5.large,,3,,us-east-1b\n"
		 "400,drain_instance,ci-00002,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("dm.json", "dm", NULL, NULL, NULL), 0);
	n = rs_rows("dm", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *stop = rs_cell("dm", "tasks.csv", r, "stop_s");
		char *inst = rs_cell("dm", "tasks.csv", r, "instance_id");

		if (stop && !*stop) {
			int k = atoi(inst + 3);

			CU_ASSERT(k >= 1 && k <= 5 && k != 2);
			if (k >= 1 && k <= 5) {
				CU_ASSERT(!seen[k]);
				seen[k] = 1;
			}
			live++;
		} else {
			T_STREQ(inst, "ci-00002");
			RS_IS("dm", "tasks.csv", r, "stop_code", "ServiceSchedulerInitiated");
		}
		free(stop);
		free(inst);
	}
	T_EQ(live, 4);
	RS_IS("dm", "services.csv", -1, "desired", "4");
	RS_IS("dm", "services.csv", -1, "running", "4");
}

/* docs/ecs-model.md §5.15: draining moves service tasks within min 100 / max 200 (healthy
 * never below desired once steady), standalone tasks stay. */
static void test_draining(void)
{
	struct roll_check c = { 0 };
	int n;

	rs_write("dr.json", HEAD("dr", 1200)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":3}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"placement\":{\"tieBreak\":\"first\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"small\",\"desiredCount\":3}],"
		 "\"workload\":{\"traces\":[\"dr.csv\"]}}");
	rs_write("dr.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,alone,small,1,,\n"
		 "300,drain_instance,ci-00001,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("dr.json", "dr", NULL, roll_observe, &c), 0);
	T_EQ(c.violations_min, 0);
	T_EQ(c.violations_max, 0);
	n = rs_rows("dr", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *stop = rs_cell("dr", "tasks.csv", r, "stop_s");
		char *inst = rs_cell("dr", "tasks.csv", r, "instance_id");
		char *svc = rs_cell("dr", "tasks.csv", r, "service");

		if (stop && !*stop && *svc)
			CU_ASSERT(strcmp(inst, "ci-00001") != 0);
		free(stop);
		free(inst);
		free(svc);
	}
	RS_IS("dr", "tasks.csv", rs_find("dr", "tasks.csv", "task_id", "alone"), "stop_s", "");
	RS_IS("dr", "services.csv", -1, "running", "3");
}

/* docs/ecs-model.md §7.4: a disconnected agent's instance takes no tasks (AGENT); its tasks
 * keep running; what happened meanwhile is reported on reconnection, and
 * only then are the resources released. */
static void test_agent_disconnect(void)
{
	int r;

	rs_write("ad.json", HEAD("ad", 1200)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\",\"big\":\"big.json\"},"
		 "\"workload\":{\"traces\":[\"ad.csv\"]}}");
	rs_write("ad.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,a,small,1,300,\n"
		 "100,agent_disconnect,ci-00001,,,400,\n"
		 "350,run_task,b,big,1,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("ad.json", "ad", NULL, NULL, NULL), 0);
	r = rs_find("ad", "tasks.csv", "task_id", "a");
	/* the agent ran and stopped it on time (running at 14, exit at 314) */
	NEAR(NUM("ad", "tasks.csv", r, "stopped_s"), 1 + 0.5 + 10 + 2 + 300);
	/* b: at 351 the instance is disconnected (since 160): AGENT */
	CU_ASSERT(rs_rows("ad", "placement_failures.csv") >= 1);
	RS_IS("ad", "placement_failures.csv", 1, "reason", "AGENT");
	RS_IS("ad", "placement_failures.csv", 1, "time_s", "351.000");
	/* after the reconnection at 500 the report of a's stop arrives (500.5),
	 * capacity frees, and b is placed */
	r = rs_find("ad", "tasks.csv", "task_id", "b");
	NEAR(NUM("ad", "tasks.csv", r, "placed_s"), 500.5);
}

/* DeleteService stops every task and launches none; a forced
 * DeregisterContainerInstance stops the instance's tasks (UserInitiated) and
 * services replace them elsewhere. */
static void test_delete_and_deregister(void)
{
	int n, live_b = 0;

	rs_write("dd.json", HEAD("dd", 1200)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":3}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"placement\":{\"tieBreak\":\"first\"},"
		 "\"services\":[{\"serviceName\":\"a\",\"taskDefinition\":\"small\",\"desiredCount\":3},"
		 "{\"serviceName\":\"b\",\"taskDefinition\":\"small\",\"desiredCount\":3}],"
		 "\"workload\":{\"traces\":[\"dd.csv\"]}}");
	rs_write("dd.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "300,delete_service,a,,,,\n"
		 "600,deregister_instance,ci-00001,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("dd.json", "dd", NULL, NULL, NULL), 0);
	n = rs_rows("dd", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *svc = rs_cell("dd", "tasks.csv", r, "service");
		char *stop = rs_cell("dd", "tasks.csv", r, "stop_s");
		char *inst = rs_cell("dd", "tasks.csv", r, "instance_id");

		if (strcmp(svc, "a") == 0) {
			RS_IS("dd", "tasks.csv", r, "stop_code", "ServiceSchedulerInitiated");
			CU_ASSERT(*stop);
		} else if (!*stop) {
			live_b++;
			CU_ASSERT(strcmp(inst, "ci-00001") != 0);
		} else {
			T_STREQ(inst, "ci-00001");
			RS_IS("dd", "tasks.csv", r, "stop_code", "UserInitiated");
		}
		free(svc);
		free(stop);
		free(inst);
	}
	T_EQ(live_b, 3);
	RS_IS("dd", "timeseries.csv", -1, "instances_registered", "2");
}

/* docs/ecs-model.md choice E239: DeleteService ends the deployment in
 * progress: a STOPPED row at the call, none after it (no COMPLETED, no
 * further traffic shift), and the older deployments INACTIVE (services.csv
 * counts 1).  The old code left it IN_PROGRESS to the end, counting 2, and a
 * linear deployment's row stayed at its last shift. */
static void dep_rows_end_at(const char *tag, const char *dep, const char *stopped_at, const char *pct)
{
	int n = rs_rows(tag, "deployments.csv");

	CU_ASSERT_FATAL(n >= 2);
	RS_IS(tag, "deployments.csv", n, "stage", "STOPPED");
	RS_IS(tag, "deployments.csv", n, "deployment", dep);
	RS_IS(tag, "deployments.csv", n, "time_s", stopped_at);
	RS_IS(tag, "deployments.csv", n, "green_traffic_pct", pct);
	if (*pct) {                 /* the share it had: the row before's */
		char *before = rs_cell(tag, "deployments.csv", n - 1, "green_traffic_pct");

		T_STREQ(before, pct);
		free(before);
	}
	RS_IS(tag, "services.csv", -1, "deployments", "1");
	RS_IS(tag, "services.csv", -1, "desired", "0");
}

static void test_delete_mid_deployment(void)
{
	rs_write("dm.json", HEAD("dm", 900)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":3},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":3}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\",\"v2\":\"small-v2.json\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"small\",\"desiredCount\":8,"
		 "\"deploymentConfiguration\":{\"minimumHealthyPercent\":75,\"maximumPercent\":125}}],"
		 "\"workload\":{\"traces\":[\"dm.csv\"]}}");
	rs_write("dm.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "300,deploy,w,v2,,,\n"
		 "330,delete_service,w,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("dm.json", "dm", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("dm", "deployments.csv"), 4);   /* 1 IN_PROGRESS, COMPLETED; 2 IN_PROGRESS, STOPPED */
	RS_IS("dm", "deployments.csv", 3, "stage", "IN_PROGRESS");
	dep_rows_end_at("dm", "2", "330.000", "");

	/* a linear deployment (headless, choice E124) deleted between shifts
	 * (20 % at 363.75 s, 40 % at 483.75 s, 60 % due at 603.75 s): STOPPED
	 * at its share then, no shift after */
	rs_write("dl.json", HEAD("dl", 1500)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":3},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":3}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\",\"v2\":\"small-v2.json\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"small\",\"desiredCount\":4,"
		 "\"deploymentConfiguration\":{\"strategy\":\"LINEAR\",\"bakeTimeInMinutes\":5,"
		 "\"linearConfiguration\":{\"stepPercent\":20,\"stepBakeTimeInMinutes\":2}}}],"
		 "\"workload\":{\"traces\":[\"dl.csv\"]}}");
	rs_write("dl.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "300,deploy,w,v2,,,\n"
		 "540,delete_service,w,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("dl.json", "dl", NULL, NULL, NULL), 0);
	RS_IS("dl", "deployments.csv", -2, "stage", "PRODUCTION_TRAFFIC_SHIFT");
	dep_rows_end_at("dl", "2", "540.000", "40.0");
}

/* Agent settings per instance group override the scenario's. */
static void test_group_agent_settings(void)
{
	int r;

	rs_write("ga.json", HEAD("ga", 600)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\","
		 "\"agent\":{\"imagePullSeconds\":{\"constant\":{\"value\":50}},\"containerStartSeconds\":4}}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"placement\":{\"tieBreak\":\"first\",\"strategy\":[{\"type\":\"spread\",\"field\":\"instanceId\"}]},"
		 "\"workload\":{\"traces\":[\"ga.csv\"]}}");
	rs_write("ga.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,a,small,1,,\n"
		 "0,run_task,b,small,1,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("ga.json", "ga", NULL, NULL, NULL), 0);
	r = rs_find("ga", "tasks.csv", "task_id", "a");
	RS_IS("ga", "tasks.csv", r, "instance_id", "ci-00001");
	NEAR(rs_num("ga", "tasks.csv", r, "running_s"), 1 + 0.5 + 10 + 2);
	r = rs_find("ga", "tasks.csv", "task_id", "b");
	RS_IS("ga", "tasks.csv", r, "instance_id", "ci-00002");
	NEAR(rs_num("ga", "tasks.csv", r, "running_s"), 1 + 0.5 + 50 + 4);
}

/* Service tasks are numbered (ids "task-<n>", written only when output).
 * docs/ecs-model.md §4.6: scale-in ties (all started, one AZ, one
 * instance) are broken by the task id as a string, so from task-1 ..
 * task-10 the victims run task-1, task-10, task-2, ..., task-8 and task-9
 * is the one left (by the number it would be task-10).  A StopTask naming
 * a service task by that id finds it. */
static void test_scale_in_id_order(void)
{
	int r, running = 0;

	rs_write("sn.json", HEAD("sn", 600)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.2xlarge\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":10}],"
		 "\"workload\":{\"traces\":[\"sn.csv\"]}}");
	rs_write("sn.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "200,stop_task,task-3,,,,\n"
		 "300,set_desired,s,,1,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("sn.json", "sn", NULL, NULL, NULL), 0);
	r = rs_find("sn", "tasks.csv", "task_id", "task-3");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("sn", "tasks.csv", r, "stop_code", "UserInitiated");
	NEAR(NUM("sn", "tasks.csv", r, "stopping_s"), 200.75);
	/* its replacement is task-11: victims task-1, task-10, task-11,
	 * task-2, task-4, ..., task-8 */
	CU_ASSERT(rs_find("sn", "tasks.csv", "task_id", "task-11") > 0);
	for (int i = 1; i <= rs_rows("sn", "tasks.csv"); i++) {
		char *d = rs_cell("sn", "tasks.csv", i, "desired_status");

		if (d && strcmp(d, "RUNNING") == 0) {
			running++;
			RS_IS("sn", "tasks.csv", i, "task_id", "task-9");
		}
		free(d);
	}
	CU_ASSERT_EQUAL(running, 1);
}

/* The scheduler's order of numbered task ids is the ids' string order:
 * task_no_before(a, b) agrees with strcmp("task-<a>", "task-<b>") < 0 on
 * every pair of 1..1200 and on pairs of long numbers up to 2^64-1. */
static void test_task_no_order(void)
{
	static const uint64_t big[] = { 1, 9, 10, 19, 99, 100, 101, 999999999, 1000000000, 1999999999,
					12345678901234567890u, 1234567890123456789u, 123456789012345678u,
					10000000000000000000u, 9999999999999999999u, 18446744073709551615u,
					1844674407370955161u, 18446744073709551614u };
	int nb = (int)(sizeof big / sizeof big[0]), bad = 0;
	char x[32], y[32];

	for (uint64_t a = 1; a <= 1200; a++)
		for (uint64_t b = 1; b <= 1200; b++) {
			snprintf(x, sizeof x, "task-%llu", (unsigned long long)a);
			snprintf(y, sizeof y, "task-%llu", (unsigned long long)b);
			bad += task_no_before(a, b) != (strcmp(x, y) < 0);
		}
	for (int i = 0; i < nb; i++)
		for (int j = 0; j < nb; j++) {
			snprintf(x, sizeof x, "task-%llu", (unsigned long long)big[i]);
			snprintf(y, sizeof y, "task-%llu", (unsigned long long)big[j]);
			bad += task_no_before(big[i], big[j]) != (strcmp(x, y) < 0);
		}
	CU_ASSERT_EQUAL(bad, 0);
}

static CU_TestInfo service_tests[] = {
	{ "agent settings per group", test_group_agent_settings },
	{ "delete service, deregister instance", test_delete_and_deregister },
	{ "DeleteService ends the deployment in progress (E239)", test_delete_mid_deployment },
	{ "lifecycle timestamps", test_lifecycle_timestamps },
	{ "stop timeout and start failure", test_stop_timeout_and_start_failure },
	{ "replacement", test_replacement },
	{ "throttle", test_throttle },
	{ "rolling deployment at every event", test_rolling_deployment },
	{ "circuit breaker", test_circuit_breaker },
	{ "daemon", test_daemon },
	{ "draining", test_draining },
	{ "agent disconnect", test_agent_disconnect },
	{ "scale-in by the id's string order, StopTask by id", test_scale_in_id_order },
	{ "numbered ids in string order", test_task_no_order },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "control plane", setup, rs_teardown, NULL, NULL, service_tests },
	CU_SUITE_INFO_NULL,
};
