/* tests/test_svc_events.c — service_events.csv (docs/ecs-model.md §5.2,
 * choices E171–E174), each row asserted from the rule that makes it:
 *
 *  - steady state: one row when a deployment completes (running = desired,
 *    all healthy, the old revision gone: the pass after the last change),
 *    not one per pass; none while the next deployment is in progress;
 *  - its repetition: the same row again at the first metrics interval 6 h
 *    or more after the last one while the service stays steady; the window
 *    is `controlPlane.serviceEventRepeatSeconds` (1000 s: every 1000 s);
 *  - TASKS_STARTED / TASKS_STOPPED: one row per instant with every task;
 *    a task is started when it exists (placed, or PROVISIONING for
 *    capacity): a launch that finds no room is no task (A3), not listed;
 *  - the throttle (§5.4): SERVICE_TASK_START_IMPAIRED once, when the
 *    third start failure in a row starts the back-off (the next launch 30 s
 *    later), not again at each later failure;
 *  - placement failures: one row per cause (placement_failures.csv has a
 *    row per attempt), again once the service was steady in between;
 *  - min 100 / max 100 (§5.5): the deployment-configuration row once, at
 *    the deploy's pass; no task started;
 *  - AZ rebalancing (§5.9): STARTED with the counts, COMPLETED balanced,
 *    both over the zones the service can use only;
 *  - protected tasks over the desired count (§5.14): one row at the pass
 *    after the desired count drops below them;
 *  - the Fargate launch bucket empty (choice E119): one
 *    ECS_OPERATION_THROTTLED row for many THROTTLED placement failures;
 *  - DeleteService: the tasks it stops in a TASKS_STOPPED row; a DAEMON
 *    task off its constraints: SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED
 *    (choice E184), an older revision's too (choice E188); a DAEMON task
 *    drained or deregistered: no violation row.
 * On main no run writes service_events.csv: every test here fails there. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"

#define EV "service_events.csv"
#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("app.json", "{ \"family\": \"app\", \"networkMode\": \"bridge\", \"requiresCompatibilities\": [\"EC2\"],"
		 "\"containerDefinitions\": [ { \"name\": \"app\", \"image\": \"x/app:1\", \"cpu\": 256, \"memory\": 512,"
		 "\"essential\": true, \"portMappings\": [{ \"containerPort\": 8080, \"hostPort\": 0 }] } ] }");
	rs_write("app2.json", "{ \"family\": \"app2\", \"networkMode\": \"bridge\", \"requiresCompatibilities\": [\"EC2\"],"
		 "\"containerDefinitions\": [ { \"name\": \"app\", \"image\": \"x/app:2\", \"cpu\": 256, \"memory\": 512,"
		 "\"essential\": true, \"portMappings\": [{ \"containerPort\": 8080, \"hostPort\": 0 }] } ] }");
	rs_write("big.json", "{ \"family\": \"big\", \"networkMode\": \"bridge\", \"requiresCompatibilities\": [\"EC2\"],"
		 "\"containerDefinitions\": [ { \"name\": \"app\", \"image\": \"x/big:1\", \"cpu\": 1024, \"memory\": 512,"
		 "\"essential\": true } ] }");
	return 0;
}

/* A one-AZ scenario: `n` m5.xlarge (or m5.large), task definitions v1, v2,
 * big, one service s, the trace `name`.csv when `trace`. */
static void scn(const char *name, int dur, const char *itype, int n, const char *svc_extra, const char *td,
		int desired, const char *trace)
{
	char buf[4096], tname[128];

	snprintf(tname, sizeof tname, "%s.csv", name);
	if (trace) {
		char t[1024];

		snprintf(t, sizeof t, TRACE_HDR "%s", trace);
		rs_write(tname, t);
	}
	snprintf(buf, sizeof buf,
		 "{ \"name\": \"%s\", \"seed\": 1, \"durationSeconds\": %d, \"region\": \"us-east-1\","
		 "\"availabilityZones\": [\"us-east-1a\"],"
		 "\"instanceGroups\": [ { \"instanceType\": \"%s\", \"availabilityZone\": \"us-east-1a\", \"count\": %d } ],"
		 "\"taskDefinitions\": { \"v1\": \"app.json\", \"v2\": \"app2.json\", \"big\": \"big.json\","
		 "\"bad\": { \"file\": \"app.json\", \"startFailureProbability\": 1 } },"
		 "\"services\": [ { \"serviceName\": \"s\", \"taskDefinition\": \"%s\", \"desiredCount\": %d%s } ]%s%s%s }",
		 name, dur, itype, n, td, desired, svc_extra, trace ? ", \"workload\": { \"traces\": [\"" : "",
		 trace ? tname : "", trace ? "\"] }" : "");
	snprintf(tname, sizeof tname, "%s.json", name);
	rs_write(tname, buf);
}

/* The rows of service_events.csv of type `type`: their number; times in
 * at[] (up to n). */
static int rows_of(const char *tag, const char *type, double *at, int n)
{
	int k = 0, rows = rs_rows(tag, EV);

	for (int r = 1; r <= rows; r++) {
		char *t = rs_cell(tag, EV, r, "event_type");

		if (t && strcmp(t, type) == 0) {
			if (k < n)
				at[k] = rs_num(tag, EV, r, "time_s");
			k++;
		}
		free(t);
	}
	return k;
}

/* The message of the k-th (0-based) row of `type`; malloc'd or NULL. */
static char *msg_of(const char *tag, const char *type, int k)
{
	int rows = rs_rows(tag, EV);

	for (int r = 1; r <= rows; r++) {
		char *t = rs_cell(tag, EV, r, "event_type");
		int hit = t && strcmp(t, type) == 0;

		free(t);
		if (hit && k-- == 0)
			return rs_cell(tag, EV, r, "message");
	}
	return NULL;
}

/* The largest `col` of tasks.csv over tasks task-a .. task-b. */
static double tasks_max(const char *tag, int a, int b, const char *col)
{
	double m = -1;

	for (int i = a; i <= b; i++) {
		char id[32];
		int r;

		snprintf(id, sizeof id, "task-%d", i);
		r = rs_find(tag, "tasks.csv", "task_id", id);
		CU_ASSERT_FATAL(r > 0);
		m = fmax(m, rs_num(tag, "tasks.csv", r, col));
	}
	return m;
}

/* A rolling deployment (desired 4, 100/200, v1 -> v2 at 300 s). */
static void test_steady_once(void)
{
	double at[8], done[4], last_up, old_gone;
	int n;

	scn("st", 900, "m5.xlarge", 4, "", "v1", 4, "300,deploy,s,v2,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("st.json", "st", NULL, NULL, NULL), 0);
	n = rows_of("st", "SERVICE_STEADY_STATE", at, 8);
	T_EQ(n, 2);
	/* first: the pass (schedulerDelaySeconds 10) after the last task's
	 * healthy instant (RUNNING + healthyAfterSeconds 40) */
	last_up = tasks_max("st", 1, 4, "start_s");
	T_NEAR(at[0], last_up + 40 + 10);
	/* second: the pass after the scheduler heard that the last old task
	 * STOPPED (the agent's report: networkDelaySeconds 0.05; the new ones
	 * were healthy before the old ones were stopped), not before: the
	 * passes between (each new task's healthy instant has one) write
	 * nothing */
	old_gone = tasks_max("st", 1, 4, "stop_s");
	T_NEAR(at[1], old_gone + 0.05 + 10);
	CU_ASSERT(tasks_max("st", 5, 8, "start_s") + 40 < old_gone);
	/* the deployment's COMPLETED rows, at the same instants */
	T_EQ(rows_of("st", "SERVICE_DEPLOYMENT_COMPLETED", done, 4), 2);
	T_NEAR(done[0], at[0]);
	T_NEAR(done[1], at[1]);
	T_EQ(rows_of("st", "SERVICE_DEPLOYMENT_IN_PROGRESS", done, 4), 2);
	T_NEAR(done[1], 300);
	/* one TASKS_STARTED row per launch instant, naming every task */
	RS_IS("st", EV, 2, "message",
	      "(service s) has started 4 tasks: (task task-1) (task task-2) (task task-3) (task task-4).");
	T_EQ(rows_of("st", "TASKS_STOPPED", done, 4), 1);
	{
		char *m = msg_of("st", "TASKS_STOPPED", 0);

		CU_ASSERT(m && strncmp(m, "(service s) has stopped 4 running tasks: ", 41) == 0);
		free(m);
	}
}

/* A service steady for 13 hours: the row again 6 h later, at a metrics
 * interval (60 s), and again 6 h after that. */
static void test_steady_repeat(void)
{
	double at[8], t1;
	int n;

	scn("rep", 13 * 3600, "m5.xlarge", 1, "", "v1", 1, NULL);
	CU_ASSERT_EQUAL_FATAL(rs_run("rep.json", "rep", NULL, NULL, NULL), 0);
	n = rows_of("rep", "SERVICE_STEADY_STATE", at, 8);
	T_EQ(n, 3);
	T_NEAR(at[0], tasks_max("rep", 1, 1, "start_s") + 40 + 10);
	t1 = ceil((at[0] + 6 * 3600) / 60) * 60;
	T_NEAR(at[1], t1);
	T_NEAR(at[2], ceil((t1 + 6 * 3600) / 60) * 60);
}

/* Every start fails (startFailureProbability 1): the throttle (E3: after 3
 * failures in a row, 30 s first) starts at the third failure. */
static void test_start_impaired(void)
{
	double at[4], started[16];
	int n, k;
	char *m;

	scn("thr", 3600, "m5.large", 2, "", "bad", 1, NULL);
	CU_ASSERT_EQUAL_FATAL(rs_run("thr.json", "thr", NULL, NULL, NULL), 0);
	n = rows_of("thr", "SERVICE_TASK_START_IMPAIRED", at, 4);
	T_EQ(n, 1);
	/* after the third task failed, before the fourth launch, which is the
	 * back-off's first 30 s later */
	CU_ASSERT(at[0] >= tasks_max("thr", 3, 3, "stop_s"));
	k = rows_of("thr", "TASKS_STARTED", started, 16);
	CU_ASSERT_FATAL(k >= 6);
	/* each row when its task exists: placed (choice E173) */
	T_NEAR(started[2], tasks_max("thr", 3, 3, "placed_s"));
	T_NEAR(tasks_max("thr", 4, 4, "submit_s"), at[0] + 30);
	T_NEAR(started[3], tasks_max("thr", 4, 4, "placed_s"));
	m = msg_of("thr", "SERVICE_TASK_START_IMPAIRED", 0);
	T_STREQ(m, "(service s) is unable to consistently start tasks successfully. "
		   "For more information, see the Troubleshooting section.");
	free(m);
}

/* Three tasks of 1024 CPU units on one m5.large (2048): the third never
 * fits.  At 600 s the desired count drops to 2 (steady: the cause is
 * gone), at 1200 s back to 3 (the failure again). */
static void test_placement_failure(void)
{
	double at[8];
	int n;
	char *m, *reason;

	scn("pf", 1800, "m5.large", 1, "", "big", 3, "600,set_desired,s,,2,,\n1200,set_desired,s,,3,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("pf.json", "pf", NULL, NULL, NULL), 0);
	CU_ASSERT(rs_rows("pf", "placement_failures.csv") > 2);
	n = rows_of("pf", "SERVICE_TASK_PLACEMENT_FAILURE", at, 8);
	T_EQ(n, 2);
	T_NEAR(at[0], rs_num("pf", "placement_failures.csv", 1, "time_s"));
	T_NEAR(at[1], rs_num("pf", "placement_failures.csv", -1, "time_s"));
	CU_ASSERT(at[1] > 1200);
	reason = rs_cell("pf", "placement_failures.csv", 1, "reason");
	T_STREQ(reason, "RESOURCE:CPU");
	free(reason);
	m = msg_of("pf", "SERVICE_TASK_PLACEMENT_FAILURE", 0);
	T_STREQ(m, "(service s) was unable to place a task because no container instance met all of its requirements. "
		   "The closest matching container-instance ci-00001 has insufficient CPU units available. "
		   "For more information, see the Troubleshooting section.");
	free(m);
	T_EQ(rows_of("pf", "SERVICE_STEADY_STATE", at, 8), 1);
	CU_ASSERT(at[0] > 600 && at[0] < 1200);
}

/* The placement failure names the closest instance (choice A4): of the
 * ACTIVE instances that passed the most checks, the earliest registered.
 * Tasks of 1024 CPU units and 3,072 MiB: two m5.large (ci-00001/2, 2,048
 * units) hold two each and then lack CPU; two c5.large (ci-00003/4, ~3.6
 * GiB) hold one each and then have CPU but lack memory, one check further.
 * The seventh task fails with RESOURCE:MEMORY naming ci-00003: not
 * ci-00001 (the earliest, which fails a check earlier), not ci-00004 (as
 * close, registered later). */
static void test_placement_failure_closest(void)
{
	char *m, *reason;
	double at[4];

	rs_write("cl3g.json", "{ \"family\": \"cl3g\", \"requiresCompatibilities\": [\"EC2\"],"
		 "\"containerDefinitions\": [ { \"name\": \"app\", \"image\": \"x/c:1\", \"cpu\": 1024,"
		 "\"memory\": 3072, \"essential\": true } ] }");
	rs_write("pfc.json", "{ \"name\": \"pfc\", \"seed\": 1, \"durationSeconds\": 600, \"region\": \"us-east-1\","
		 "\"availabilityZones\": [\"us-east-1a\"],"
		 "\"instanceGroups\": ["
		 "{ \"name\": \"m\", \"instanceType\": \"m5.large\", \"availabilityZone\": \"us-east-1a\", \"count\": 2 },"
		 "{ \"name\": \"c\", \"instanceType\": \"c5.large\", \"availabilityZone\": \"us-east-1a\", \"count\": 2 } ],"
		 "\"taskDefinitions\": { \"c\": \"cl3g.json\" },"
		 "\"services\": [ { \"serviceName\": \"s\", \"taskDefinition\": \"c\", \"desiredCount\": 7 } ] }");
	CU_ASSERT_EQUAL_FATAL(rs_run("pfc.json", "pfc", NULL, NULL, NULL), 0);
	/* six placed: two on each m5.large, one on each c5.large */
	T_EQ(rs_rows("pfc", "tasks.csv"), 6);
	reason = rs_cell("pfc", "placement_failures.csv", 1, "reason");
	T_STREQ(reason, "RESOURCE:MEMORY");
	free(reason);
	T_EQ(rows_of("pfc", "SERVICE_TASK_PLACEMENT_FAILURE", at, 4), 1);
	m = msg_of("pfc", "SERVICE_TASK_PLACEMENT_FAILURE", 0);
	T_STREQ(m, "(service s) was unable to place a task because no container instance met all of its requirements. "
		   "The closest matching container-instance ci-00003 has insufficient memory available. "
		   "For more information, see the Troubleshooting section.");
	free(m);
	/* the seventh launch, and its later tries (placement_failures.csv),
	 * made no task (A3): TASKS_STARTED names the six placed, once */
	CU_ASSERT(rs_rows("pfc", "placement_failures.csv") >= 2);
	T_EQ(rows_of("pfc", "TASKS_STARTED", at, 4), 1);
	m = msg_of("pfc", "TASKS_STARTED", 0);
	T_STREQ(m, "(service s) has started 6 tasks: (task task-1) (task task-2) (task task-3) (task task-4) "
		   "(task task-5) (task task-6).");
	free(m);
}

/* The third task of 1024 CPU units never fits on the one m5.large for 13
 * hours: the cause lasts, so the placement failure's row comes again at the
 * first metrics interval (60 s) 6 hours or more after the last one (AWS:
 * duplicates "are omitted until either the cause is resolved or six hours
 * passes"; choices E172, E181), the same message, though ecsim's scheduler
 * tries again only when capacity appears (E2: no new placement_failures.csv
 * row). */
static void test_placement_failure_repeat(void)
{
	double at[8], t1;
	int n;
	char *m0, *m2;

	scn("pfr", 13 * 3600, "m5.large", 1, "", "big", 3, NULL);
	CU_ASSERT_EQUAL_FATAL(rs_run("pfr.json", "pfr", NULL, NULL, NULL), 0);
	n = rows_of("pfr", "SERVICE_TASK_PLACEMENT_FAILURE", at, 8);
	T_EQ(n, 3);
	CU_ASSERT_FATAL(n >= 1);
	T_NEAR(at[0], rs_num("pfr", "placement_failures.csv", 1, "time_s"));
	if (n < 3)
		return;
	t1 = ceil((at[0] + 6 * 3600) / 60) * 60;
	T_NEAR(at[1], t1);
	T_NEAR(at[2], ceil((t1 + 6 * 3600) / 60) * 60);
	m0 = msg_of("pfr", "SERVICE_TASK_PLACEMENT_FAILURE", 0);
	m2 = msg_of("pfr", "SERVICE_TASK_PLACEMENT_FAILURE", 2);
	T_STREQ(m2, m0);
	free(m0);
	free(m2);
	CU_ASSERT(rs_num("pfr", "placement_failures.csv", -1, "time_s") < 3600);
	T_EQ(rows_of("pfr", "SERVICE_STEADY_STATE", at, 8), 0);
}

/* The one-AZ scenario of scn() with `controlPlane` `cp` (its members). */
static void scn_cp(const char *name, int dur, const char *itype, const char *cp, const char *td, int desired)
{
	char buf[2048], fname[128];

	snprintf(buf, sizeof buf,
		 "{ \"name\": \"%s\", \"seed\": 1, \"durationSeconds\": %d, \"region\": \"us-east-1\","
		 "\"controlPlane\": { %s }, \"availabilityZones\": [\"us-east-1a\"],"
		 "\"instanceGroups\": [ { \"instanceType\": \"%s\", \"availabilityZone\": \"us-east-1a\", \"count\": 1 } ],"
		 "\"taskDefinitions\": { \"v1\": \"app.json\", \"big\": \"big.json\" },"
		 "\"services\": [ { \"serviceName\": \"s\", \"taskDefinition\": \"%s\", \"desiredCount\": %d } ] }",
		 name, dur, cp, itype, td, desired);
	snprintf(fname, sizeof fname, "%s.json", name);
	rs_write(fname, buf);
}

/* The repetition window is `controlPlane.serviceEventRepeatSeconds` (ECS's
 * 6 hours, docs/ecs-model.md §4.9, choices E172, E181): at 1000 s, over
 * 2 h, a steady service's row comes again at the first metrics interval
 * (60 s) 1000 s or more after the last one (7 rows: 6 h would give 1), and
 * the lasting placement failure of test_placement_failure_repeat likewise;
 * an identical message less than 1000 s after the last is still not
 * written (one row per window, not one per pass).  0 or a string: exit 2
 * with the file and the JSON path. */
static void test_repeat_window(void)
{
	double at[16], t;
	int n, k;
	char msg[1024];

	scn_cp("rw", 7200, "m5.xlarge", "\"serviceEventRepeatSeconds\": 1000", "v1", 1);
	CU_ASSERT_EQUAL_FATAL(rs_run("rw.json", "rw", NULL, NULL, NULL), 0);
	n = rows_of("rw", "SERVICE_STEADY_STATE", at, 16);
	CU_ASSERT_FATAL(n >= 1 && n <= 16);
	/* the first at its pass, then every 1000 s rounded up to the next
	 * minute (the run's last interval, 7200 s, included) */
	t = at[0];
	k = 1;
	while ((t = ceil((t + 1000) / 60) * 60) <= 7200) {
		if (k < n)
			T_NEAR(at[k], t);
		k++;
	}
	T_EQ(n, k);
	CU_ASSERT(n >= 7);

	scn_cp("rwf", 7200, "m5.large", "\"serviceEventRepeatSeconds\": 1800", "big", 3);
	CU_ASSERT_EQUAL_FATAL(rs_run("rwf.json", "rwf", NULL, NULL, NULL), 0);
	n = rows_of("rwf", "SERVICE_TASK_PLACEMENT_FAILURE", at, 16);
	CU_ASSERT_FATAL(n >= 1 && n <= 16);
	T_NEAR(at[0], rs_num("rwf", "placement_failures.csv", 1, "time_s"));
	t = at[0];
	for (k = 1; k < n; k++) {
		t = ceil((t + 1800) / 60) * 60;
		T_NEAR(at[k], t);
	}
	T_EQ(n, 4);
	/* the failed tries within the first window wrote no row of their own */
	CU_ASSERT(rs_rows("rwf", "placement_failures.csv") >= 2);

	scn_cp("rw-bad", 600, "m5.xlarge", "\"serviceEventRepeatSeconds\": 0", "v1", 1);
	T_EQ(rs_run_msg("rw-bad.json", "rw-bad", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "rw-bad.json") && strstr(msg, "$.controlPlane.serviceEventRepeatSeconds"));
	scn_cp("rw-bad2", 600, "m5.xlarge", "\"serviceEventRepeatSeconds\": \"6h\"", "v1", 1);
	T_EQ(rs_run_msg("rw-bad2.json", "rw-bad2", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "rw-bad2.json") && strstr(msg, "$.controlPlane.serviceEventRepeatSeconds"));
}

/* min 100 / max 100, desired 2: ceil(2 × 100 %) = 2 must stay healthy and
 * floor(2 × 100 %) = 2 may run, so the deploy at 300 s can neither start
 * nor stop a task (§5.5). */
static void test_blocked(void)
{
	double at[8];
	char *m;

	scn("blk", 900, "m5.xlarge", 2, ", \"deploymentConfiguration\": { \"minimumHealthyPercent\": 100, "
	    "\"maximumPercent\": 100 }", "v1", 2, "300,deploy,s,v2,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("blk.json", "blk", NULL, NULL, NULL), 0);
	T_EQ(rows_of("blk", "SERVICE_DEPLOYMENT_CONFIGURATION_BLOCKED", at, 8), 1);
	/* the deploy's pass: UpdateService takes effect after the API latency
	 * (0.1 s), its pass at once */
	T_NEAR(at[0], 300.1);
	m = msg_of("blk", "SERVICE_DEPLOYMENT_CONFIGURATION_BLOCKED", 0);
	T_STREQ(m, "(service s) was unable to stop or start tasks during a deployment because of the service "
		   "deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.");
	free(m);
	T_EQ(rows_of("blk", "TASKS_STARTED", at, 8), 1);      /* the two first tasks only */
	T_EQ(rows_of("blk", "SERVICE_DEPLOYMENT_COMPLETED", at, 8), 1);
}

/* The same with max 200: no such row. */
static void test_not_blocked(void)
{
	double at[8];

	scn("nblk", 900, "m5.xlarge", 2, ", \"deploymentConfiguration\": { \"minimumHealthyPercent\": 100, "
	    "\"maximumPercent\": 200 }", "v1", 2, "300,deploy,s,v2,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("nblk.json", "nblk", NULL, NULL, NULL), 0);
	T_EQ(rows_of("nblk", "SERVICE_DEPLOYMENT_CONFIGURATION_BLOCKED", at, 8), 0);
	T_EQ(rows_of("nblk", "SERVICE_DEPLOYMENT_COMPLETED", at, 8), 2);
}

/* Three AZs, 2 + 2 + 2 instances, desired 6; us-east-1a out 300–900 s: its
 * two tasks are replaced in the others; after it returns the service is
 * 0 / 3 / 3 and rebalances to 2 / 2 / 2 (§5.9). */
static void test_rebalancing(void)
{
	double at[4], done[4];
	char *m;

	rs_write("azreb.csv", TRACE_HDR "300,az_outage,us-east-1a,,,600,\n");
	rs_write("azreb.json",
		 "{ \"name\": \"azreb\", \"seed\": 1, \"durationSeconds\": 2400, \"region\": \"us-east-1\","
		 "\"availabilityZones\": [\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"],"
		 "\"instanceGroups\": [ { \"instanceType\": \"m5.xlarge\", \"availabilityZone\": \"us-east-1a\", \"count\": 2 },"
		 "{ \"instanceType\": \"m5.xlarge\", \"availabilityZone\": \"us-east-1b\", \"count\": 2 },"
		 "{ \"instanceType\": \"m5.xlarge\", \"availabilityZone\": \"us-east-1c\", \"count\": 2 } ],"
		 "\"taskDefinitions\": { \"v1\": \"app.json\" },"
		 "\"services\": [ { \"serviceName\": \"s\", \"taskDefinition\": \"v1\", \"desiredCount\": 6 } ],"
		 "\"workload\": { \"traces\": [\"azreb.csv\"] } }");
	CU_ASSERT_EQUAL_FATAL(rs_run("azreb.json", "azreb", NULL, NULL, NULL), 0);
	T_EQ(rows_of("azreb", "SERVICE_REBALANCING_STARTED", at, 4), 1);
	T_EQ(rows_of("azreb", "SERVICE_REBALANCING_COMPLETED", done, 4), 1);
	CU_ASSERT(at[0] >= 900 && done[0] > at[0]);
	m = msg_of("azreb", "SERVICE_REBALANCING_STARTED", 0);
	T_STREQ(m, "(service s) is not AZ balanced with 0 tasks in us-east-1a, 3 tasks in us-east-1b, and 3 tasks "
		   "in us-east-1c. AZ Rebalancing in progress.");
	free(m);
	m = msg_of("azreb", "SERVICE_REBALANCING_COMPLETED", 0);
	T_STREQ(m, "(service s) is AZ balanced with 2 tasks in us-east-1a, 2 tasks in us-east-1b, and 2 tasks "
		   "in us-east-1c.");
	free(m);
}

/* The zones the service can use (docs/ecs-model.md §5.9, choices E4, E174):
 * the balance its rebalancing restores is over them, so its events count and
 * name them only.  Three AZs, three instances each; an awsvpc service of 4
 * whose subnets are in us-east-1a and us-east-1b only; us-east-1a out
 * 300–900 s moves its tasks to 1b (0 / 4), rebalanced to 2 / 2.  Then the
 * same with a bridge service and instances in 1a and 1b only.  Each run has
 * its COMPLETED row, and no row names us-east-1c (which holds none of the
 * service's tasks and never can). */
static void test_rebalancing_own_zones(void)
{
	static const char *const runs[][2] = {
		{ "azown", ", { \"instanceType\": \"m5.xlarge\", \"availabilityZone\": \"us-east-1c\", \"count\": 3 } ],"
			   "\"taskDefinitions\": { \"v\": \"vpc.json\" },"
			   "\"services\": [ { \"serviceName\": \"s\", \"taskDefinition\": \"v\", \"desiredCount\": 4,"
			   "\"availabilityZones\": [\"us-east-1a\",\"us-east-1b\"] } ]," },
		{ "azown2", " ],"
			    "\"taskDefinitions\": { \"v\": \"app.json\" },"
			    "\"services\": [ { \"serviceName\": \"s\", \"taskDefinition\": \"v\", \"desiredCount\": 4 } ]," },
	};
	char buf[2048], name[64];

	rs_write("vpc.json", "{ \"family\": \"vpc\", \"networkMode\": \"awsvpc\", \"requiresCompatibilities\": [\"EC2\"],"
		 "\"containerDefinitions\": [ { \"name\": \"app\", \"image\": \"x\", \"cpu\": 128, \"memory\": 128,"
		 "\"essential\": true } ] }");
	rs_write("azown.csv", TRACE_HDR "300,az_outage,us-east-1a,,,600,\n");
	for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		const char *tag = runs[i][0];
		double at[4], done[4];
		int rows;
		char *m;

		snprintf(buf, sizeof buf,
			 "{ \"name\": \"%s\", \"seed\": 1, \"durationSeconds\": 2400, \"region\": \"us-east-1\","
			 "\"availabilityZones\": [\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"],"
			 "\"instanceGroups\": [ { \"instanceType\": \"m5.xlarge\", \"availabilityZone\": \"us-east-1a\", \"count\": 3 },"
			 "{ \"instanceType\": \"m5.xlarge\", \"availabilityZone\": \"us-east-1b\", \"count\": 3 }%s"
			 "\"workload\": { \"traces\": [\"azown.csv\"] } }", tag, runs[i][1]);
		snprintf(name, sizeof name, "%s.json", tag);
		rs_write(name, buf);
		CU_ASSERT_EQUAL_FATAL(rs_run(name, tag, NULL, NULL, NULL), 0);
		T_EQ(rows_of(tag, "SERVICE_REBALANCING_STARTED", at, 4), 1);
		T_EQ(rows_of(tag, "SERVICE_REBALANCING_COMPLETED", done, 4), 1);
		CU_ASSERT(at[0] >= 900 && done[0] > at[0]);
		m = msg_of(tag, "SERVICE_REBALANCING_STARTED", 0);
		T_STREQ(m, "(service s) is not AZ balanced with 0 tasks in us-east-1a and 4 tasks in us-east-1b. "
			   "AZ Rebalancing in progress.");
		free(m);
		m = msg_of(tag, "SERVICE_REBALANCING_COMPLETED", 0);
		T_STREQ(m, "(service s) is AZ balanced with 2 tasks in us-east-1a and 2 tasks in us-east-1b.");
		free(m);
		rows = rs_rows(tag, EV);
		for (int r = 1; r <= rows; r++) {
			m = rs_cell(tag, EV, r, "message");
			CU_ASSERT(m && strstr(m, "us-east-1c") == NULL);
			free(m);
		}
	}
}

/* AZ rebalancing's own words (docs/ecs-model.md §5.9, choice E199;
 * [DG/service-rebalancing-event-messages-list.html]): the same run as
 * test_rebalancing.  Between STARTED and COMPLETED every TASKS_STARTED row
 * is "(service s) has started 1 tasks in us-east-1a to AZ Rebalance: (task
 * ID)." with ID a task of tasks.csv in us-east-1a, every TASKS_STOPPED row
 * "(service s) has stopped 1 running tasks in Z due to AZ rebalancing: (task
 * ID)." with ID a
 * task in Z (us-east-1b or us-east-1c): two of each (0 / 3 / 3 to
 * 2 / 2 / 2).  The replacements of 1a's tasks at the outage keep the plain
 * words.  Then a zone whose only instance (a t3.medium, 4 GiB) cannot hold
 * the service's task (6000 MiB): both tasks run in us-east-1b, the
 * rebalancing task pinned to us-east-1a fails its placement, and the row is
 * "(service r) is unable to place a task in Availability Zone us-east-1a
 * because no container instance met all of its requirements." */
static void test_rebalancing_words(void)
{
	double at[4], done[4];
	int rows, starts = 0, stops = 0, plain = 0;
	char *m;

	CU_ASSERT_EQUAL_FATAL(rs_run("azreb.json", "azrw", NULL, NULL, NULL), 0);
	T_EQ(rows_of("azrw", "SERVICE_REBALANCING_STARTED", at, 4), 1);
	T_EQ(rows_of("azrw", "SERVICE_REBALANCING_COMPLETED", done, 4), 1);
	rows = rs_rows("azrw", EV);
	for (int r = 1; r <= rows; r++) {
		double t = rs_num("azrw", EV, r, "time_s");
		char *type = rs_cell("azrw", EV, r, "event_type");
		char *msg = rs_cell("azrw", EV, r, "message");
		char id[64], zone[64], want[256];
		int tr;

		if (strcmp(type, "TASKS_STARTED") == 0 && t >= at[0] && t <= done[0]) {
			CU_ASSERT_FATAL(sscanf(msg, "(service s) has started 1 tasks in us-east-1a to AZ Rebalance: (task %63[^)]", id) == 1);
			snprintf(want, sizeof want, "(service s) has started 1 tasks in us-east-1a to AZ Rebalance: (task %s).", id);
			T_STREQ(msg, want);
			tr = rs_find("azrw", "tasks.csv", "task_id", id);
			CU_ASSERT_FATAL(tr > 0);
			RS_IS("azrw", "tasks.csv", tr, "az", "us-east-1a");
			starts++;
		} else if (strcmp(type, "TASKS_STOPPED") == 0 && t >= at[0] && t <= done[0]) {
			CU_ASSERT_FATAL(sscanf(msg, "(service s) has stopped 1 running tasks in %63s due to AZ rebalancing: (task %63[^)]",
					       zone, id) == 2);
			snprintf(want, sizeof want, "(service s) has stopped 1 running tasks in %s due to AZ rebalancing: (task %s).",
				 zone, id);
			T_STREQ(msg, want);
			CU_ASSERT(strcmp(zone, "us-east-1b") == 0 || strcmp(zone, "us-east-1c") == 0);
			tr = rs_find("azrw", "tasks.csv", "task_id", id);
			CU_ASSERT_FATAL(tr > 0);
			RS_IS("azrw", "tasks.csv", tr, "az", zone);
			stops++;
		} else if (strncmp(type, "TASKS_", 6) == 0) {
			CU_ASSERT(strstr(msg, "AZ Rebalance") == NULL && strstr(msg, "AZ rebalancing") == NULL);
			plain++;
		}
		free(type);
		free(msg);
	}
	T_EQ(starts, 2);
	T_EQ(stops, 2);
	CU_ASSERT(plain >= 2);     /* the first launch, the outage's replacements */

	rs_write("huge.json", "{ \"family\": \"huge\", \"containerDefinitions\": [ { \"name\": \"app\", \"image\": \"x\","
		 "\"cpu\": 1024, \"memory\": 6000, \"essential\": true } ] }");
	rs_write("azrf.json",
		 "{ \"name\": \"azrf\", \"seed\": 1, \"durationSeconds\": 300, \"region\": \"us-east-1\","
		 "\"availabilityZones\": [\"us-east-1a\",\"us-east-1b\"],"
		 "\"instanceGroups\": [ { \"instanceType\": \"t3.medium\", \"availabilityZone\": \"us-east-1a\", \"count\": 1 },"
		 "{ \"instanceType\": \"m5.large\", \"availabilityZone\": \"us-east-1b\", \"count\": 2 } ],"
		 "\"taskDefinitions\": { \"huge\": \"huge.json\" },"
		 "\"services\": [ { \"serviceName\": \"r\", \"taskDefinition\": \"huge\", \"desiredCount\": 2 } ] }");
	CU_ASSERT_EQUAL_FATAL(rs_run("azrf.json", "azrf", NULL, NULL, NULL), 0);
	T_EQ(rows_of("azrf", "SERVICE_REBALANCING_STARTED", at, 4), 1);
	T_EQ(rows_of("azrf", "SERVICE_TASK_PLACEMENT_FAILURE", done, 4), 1);
	CU_ASSERT(done[0] > at[0]);
	m = msg_of("azrf", "SERVICE_TASK_PLACEMENT_FAILURE", 0);
	T_STREQ(m, "(service r) is unable to place a task in Availability Zone us-east-1a because no container "
		   "instance met all of its requirements.");
	free(m);
	/* the rebalancing task that found no room never existed (A3): no
	 * TASKS_STARTED row names it, only the first launch's (E173) */
	T_EQ(rows_of("azrf", "TASKS_STARTED", done, 4), 1);
	m = msg_of("azrf", "TASKS_STARTED", 0);
	T_STREQ(m, "(service r) has started 2 tasks: (task task-1) (task task-2).");
	free(m);
}

/* Every task protects itself for 15 minutes; desired 3 -> 1 at 300 s. */
static void test_protected(void)
{
	double at[4], st[4];

	scn("prot", 1800, "m5.xlarge", 2, ", \"taskProtection\": { \"protectedFraction\": 1, \"expiresInMinutes\": 15 }",
	    "v1", 3, "300,set_desired,s,,1,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("prot.json", "prot", NULL, NULL, NULL), 0);
	T_EQ(rows_of("prot", "SERVICE_PROTECTED_TASKS_OVER_DESIRED", at, 4), 1);
	T_NEAR(at[0], 300.1);      /* SetDesired's API latency, then its pass */
	/* steady again only once the protection expired (RUNNING + 900 s)
	 * and two tasks were stopped */
	T_EQ(rows_of("prot", "SERVICE_STEADY_STATE", st, 4), 2);
	CU_ASSERT(st[1] > tasks_max("prot", 1, 3, "start_s") + 900);
}

/* 300 Fargate tasks at once: the launch bucket's 100 (choice E119) go
 * first, the rest find it empty (THROTTLED rows, one per task per pass):
 * one ECS_OPERATION_THROTTLED row, at the first. */
static void test_operation_throttled(void)
{
	double at[4];
	char *m;

	rs_write("tiny.json", "{\"family\":\"tiny\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
		 "\"cpu\":\"256\",\"memory\":\"512\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		 "\"essential\":true}]}");
	rs_write("fg.json", "{\"name\":\"fg\",\"durationSeconds\":300,\"seed\":5,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"schedulerDelaySeconds\":1},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"],"
		 "\"taskDefinitions\":{\"tiny\":\"tiny.json\"},\"fargate\":{\"provisioningSeconds\":10},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"tiny\",\"desiredCount\":300,"
		 "\"launchType\":\"FARGATE\"}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("fg.json", "fg", NULL, NULL, NULL), 0);
	CU_ASSERT_FATAL(rs_find("fg", "placement_failures.csv", "reason", "THROTTLED") > 0);
	CU_ASSERT(rs_rows("fg", "placement_failures.csv") > 2);
	T_EQ(rows_of("fg", "ECS_OPERATION_THROTTLED", at, 4), 1);
	T_NEAR(at[0], rs_num("fg", "placement_failures.csv", rs_find("fg", "placement_failures.csv", "reason", "THROTTLED"),
			     "time_s"));
	m = msg_of("fg", "ECS_OPERATION_THROTTLED", 0);
	T_STREQ(m, "(service web) operations are being throttled. Will try again later.");
	free(m);
	T_EQ(rows_of("fg", "SERVICE_TASK_PLACEMENT_FAILURE", at, 4), 0);
}

/* DeleteService (the trace's delete_service: with `force`, choice E151):
 * the scheduler stops the service's tasks (ServiceSchedulerInitiated), and
 * ECS lists a scheduler's stops in its TASKS_STOPPED row (choice E184): one
 * row naming all three, at the call's instant (300 s; each STOPPED a little
 * later).  main wrote none. */
static void test_delete_stops(void)
{
	double at[4];
	char *m;

	scn("del", 600, "m5.xlarge", 2, "", "v1", 3, "300,delete_service,s,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("del.json", "del", NULL, NULL, NULL), 0);
	T_EQ(rows_of("del", "TASKS_STOPPED", at, 4), 1);
	T_NEAR(at[0], 300);     /* the call's instant; they stop later */
	CU_ASSERT(tasks_max("del", 1, 3, "stop_s") > at[0]);
	m = msg_of("del", "TASKS_STOPPED", 0);
	T_STREQ(m, "(service s) has stopped 3 running tasks: (task task-1) (task task-2) (task task-3).");
	free(m);
	for (int i = 1; i <= 3; i++) {
		char id[24];

		snprintf(id, sizeof id, "task-%d", i);
		RS_IS("del", "tasks.csv", rs_find("del", "tasks.csv", "task_id", id), "stop_code",
		      "ServiceSchedulerInitiated");
	}
}

/* A DAEMON task without room on its instance (docs/ecs-model.md §4.10:
 * "the placement fails, an event is emitted and ECS keeps waiting for room
 * on that instance"; §4.9: the reason is the closest instance's, the event
 * names it, a duplicate is not repeated).  m5.large instances (2048 CPU
 * units); ci-00002 (and, in the second run, ci-00003) carry role=full and
 * are filled at 0 s by hog tasks (2048 units, constrained to role == full)
 * that run `hold` s; DAEMON d (128 units, a health check: its task's
 * health gives a second pass) is created at 50 s.  Each pass that finds an
 * instance full writes a placement_failures.csv row for it, as a REPLICA
 * launch that finds no room (service d, group service:d, RESOURCE:CPU of
 * that instance although ci-00001 has room, 1 instance considered, a task
 * id tasks.csv does not have: choice A3), the first at the creating pass
 * (50.1 s: CreateService's API latency); the service gets one
 * SERVICE_TASK_PLACEMENT_FAILURE row naming the first full instance, not
 * repeated by the later passes.  What is placed is unchanged: a task on
 * ci-00001 at once, one on each full instance only after its hog
 * stopped.  main wrote neither row. */
static void daemon_full_run(const char *tag, int n_full, int hold)
{
	char buf[2048], name[64];
	double at[4], hog_stop;
	int rows, n_rows = 0;
	char *m;

	rs_write("dfagent.json", "{\"family\":\"dfagent\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
		 "\"cpu\":128,\"memory\":256,\"essential\":true,\"healthCheck\":{\"command\":[\"CMD-SHELL\",\"true\"],"
		 "\"interval\":10,\"timeout\":5,\"retries\":3}}]}");
	rs_write("dfhog.json", "{\"family\":\"dfhog\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
		 "\"cpu\":2048,\"memory\":512,\"essential\":true}],"
		 "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"attribute:role == full\"}]}");
	snprintf(buf, sizeof buf, TRACE_HDR "0,run_task,,hog,%d,%d,\n", n_full, hold);
	snprintf(name, sizeof name, "%s.csv", tag);
	rs_write(name, buf);
	snprintf(buf, sizeof buf,
		 "{ \"name\": \"%s\", \"seed\": 1, \"durationSeconds\": 900, \"region\": \"us-east-1\","
		 "\"availabilityZones\": [\"us-east-1a\"],"
		 "\"instanceGroups\": [ { \"instanceType\": \"m5.large\", \"availabilityZone\": \"us-east-1a\" },"
		 "{ \"instanceType\": \"m5.large\", \"availabilityZone\": \"us-east-1a\", \"count\": %d,"
		 "\"attributes\": { \"role\": \"full\" } } ],"
		 "\"taskDefinitions\": { \"agent\": \"dfagent.json\", \"hog\": \"dfhog.json\" },"
		 "\"services\": [ { \"serviceName\": \"d\", \"taskDefinition\": \"agent\", \"schedulingStrategy\": \"DAEMON\","
		 "\"createdAtSeconds\": 50 } ],"
		 "\"workload\": { \"traces\": [\"%s.csv\"] } }", tag, n_full, tag);
	snprintf(name, sizeof name, "%s.json", tag);
	rs_write(name, buf);
	CU_ASSERT_EQUAL_FATAL(rs_run(name, tag, NULL, NULL, NULL), 0);

	/* the premise: the hogs on the full instances, stopped after `hold` */
	hog_stop = 0;
	for (int k = 1; k <= n_full; k++) {
		char id[24], want[24];
		int r;

		snprintf(id, sizeof id, "task-%d", k);
		r = rs_find(tag, "tasks.csv", "task_id", id);
		CU_ASSERT_FATAL(r > 0);
		RS_IS(tag, "tasks.csv", r, "taskdef", "dfhog");
		snprintf(want, sizeof want, "ci-%05d", k + 1);
		CU_ASSERT(rs_find(tag, "tasks.csv", "instance_id", want) > 0);
		hog_stop = fmax(hog_stop, rs_num(tag, "tasks.csv", r, "stop_s"));
	}
	CU_ASSERT_FATAL(hog_stop >= hold);

	/* placement_failures.csv: per pass, a row per full instance */
	rows = rs_rows(tag, "placement_failures.csv");
	CU_ASSERT_FATAL(rows >= 2 * n_full);      /* the creating pass, the health pass at least */
	for (int r = 1; r <= rows; r++) {
		double t = rs_num(tag, "placement_failures.csv", r, "time_s");
		char *id = rs_cell(tag, "placement_failures.csv", r, "task_id");

		RS_IS(tag, "placement_failures.csv", r, "service", "d");
		RS_IS(tag, "placement_failures.csv", r, "group", "service:d");
		RS_IS(tag, "placement_failures.csv", r, "taskdef", "dfagent");
		RS_IS(tag, "placement_failures.csv", r, "reason", "RESOURCE:CPU");
		RS_IS(tag, "placement_failures.csv", r, "instances_considered", "1");
		CU_ASSERT(t >= 50.1 - 1e-9 && t < hog_stop);
		CU_ASSERT(id && strncmp(id, "task-", 5) == 0 && rs_find(tag, "tasks.csv", "task_id", id) == 0);
		free(id);
		n_rows += fabs(t - 50.1) < 1e-6;
	}
	T_EQ(n_rows, n_full);                     /* the creating pass: each full instance */

	/* service_events.csv: the failure once, at the first row, naming the
	 * first full instance */
	T_EQ(rows_of(tag, "SERVICE_TASK_PLACEMENT_FAILURE", at, 4), 1);
	T_NEAR(at[0], 50.1);
	m = msg_of(tag, "SERVICE_TASK_PLACEMENT_FAILURE", 0);
	T_STREQ(m, "(service d) was unable to place a task because no container instance met all of its requirements. "
		   "The closest matching container-instance ci-00002 has insufficient CPU units available. "
		   "For more information, see the Troubleshooting section.");
	free(m);

	/* what is placed: one task per instance, on a full one only once its
	 * hog is gone (ECS waits for room there) */
	for (int k = 1; k <= n_full + 1; k++) {
		char inst[24];
		int found = 0, n = rs_rows(tag, "tasks.csv");

		snprintf(inst, sizeof inst, "ci-%05d", k);
		for (int r = 1; r <= n; r++) {
			char *svc = rs_cell(tag, "tasks.csv", r, "service");
			char *in = rs_cell(tag, "tasks.csv", r, "instance_id");

			if (strcmp(svc, "d") == 0 && strcmp(in, inst) == 0) {
				double placed = rs_num(tag, "tasks.csv", r, "placed_s");

				found++;
				if (k == 1)
					T_NEAR(placed, 51.1);
				else
					CU_ASSERT(placed > hog_stop);
			}
			free(svc);
			free(in);
		}
		T_EQ(found, 1);
	}
}

static void test_daemon_no_room(void)
{
	daemon_full_run("dfull", 1, 400);
	daemon_full_run("dfull2", 2, 400);
}

/* A DAEMON task whose instance no longer meets the service's constraints
 * (docs/ecs-model.md §4.10, choice E116): DAEMON d on instances running no
 * other task (`runningTasksCount == 0`), two instances, service db (role=db,
 * the first instance) created at 300 s.  d's task on ci-00001 is stopped
 * once db's task is there: one SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED
 * row naming it and its instance, at the pass that stops it, then that
 * instant's TASKS_STOPPED row naming it (choice E184).  main wrote only the
 * TASKS_STOPPED row. */
static void test_daemon_violated(void)
{
	double at[4], stop;
	char *m, id[32];
	int n, r, first_v = 0, first_s = 0;

	rs_write("tiny.json", "{\"family\":\"tiny\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
		 "\"cpu\":64,\"memory\":64}]}");
	rs_write("dv.json", "{ \"name\": \"dv\", \"seed\": 1, \"durationSeconds\": 900, \"region\": \"us-east-1\","
		 "\"availabilityZones\": [\"us-east-1a\"],"
		 "\"instanceGroups\": [ { \"instanceType\": \"m5.large\", \"availabilityZone\": \"us-east-1a\","
		 "\"attributes\": { \"role\": \"db\" } },"
		 "{ \"instanceType\": \"m5.large\", \"availabilityZone\": \"us-east-1a\" } ],"
		 "\"taskDefinitions\": { \"tiny\": \"tiny.json\" },"
		 "\"services\": [ { \"serviceName\": \"d\", \"taskDefinition\": \"tiny\", \"schedulingStrategy\": \"DAEMON\","
		 "\"placementConstraints\": [ { \"type\": \"memberOf\", \"expression\": \"runningTasksCount == 0\" } ] },"
		 "{ \"serviceName\": \"db\", \"taskDefinition\": \"tiny\", \"desiredCount\": 1, \"createdAtSeconds\": 300,"
		 "\"placementConstraints\": [ { \"type\": \"memberOf\", \"expression\": \"attribute:role == db\" } ] } ] }");
	CU_ASSERT_EQUAL_FATAL(rs_run("dv.json", "dv", NULL, NULL, NULL), 0);
	/* the premise: d's task on ci-00001 stopped after 300 s */
	r = 0;
	n = rs_rows("dv", "tasks.csv");
	for (int k = 1; k <= n && !r; k++) {
		char *svc = rs_cell("dv", "tasks.csv", k, "service");
		char *inst = rs_cell("dv", "tasks.csv", k, "instance_id");

		if (strcmp(svc, "d") == 0 && strcmp(inst, "ci-00001") == 0)
			r = k;
		free(svc);
		free(inst);
	}
	CU_ASSERT_FATAL(r > 0);
	stop = rs_num("dv", "tasks.csv", r, "stop_s");
	CU_ASSERT_FATAL(stop > 300);
	{
		char *tid = rs_cell("dv", "tasks.csv", r, "task_id");

		snprintf(id, sizeof id, "%s", tid);
		free(tid);
	}
	T_EQ(rows_of("dv", "SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED", at, 4), 1);
	CU_ASSERT(at[0] > 300 && at[0] < stop);   /* the pass that stops it */
	m = msg_of("dv", "SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED", 0);
	{
		char want[256];

		snprintf(want, sizeof want, "(service d) (task %s) no longer meets the placement constraints of the "
			 "service on (container-instance ci-00001).", id);
		T_STREQ(m, want);
	}
	free(m);
	/* then the scheduler's TASKS_STOPPED row for it, the same instant */
	n = rs_rows("dv", EV);
	for (int k = 1; k <= n; k++) {
		char *t = rs_cell("dv", EV, k, "event_type");
		char *msg = rs_cell("dv", EV, k, "message");

		if (!first_v && strcmp(t, "SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED") == 0)
			first_v = k;
		if (!first_s && strcmp(t, "TASKS_STOPPED") == 0 && strstr(msg, "(service d)")) {
			char want[128];

			first_s = k;
			snprintf(want, sizeof want, "(service d) has stopped 1 running tasks: (task %s).", id);
			T_STREQ(msg, want);
			T_NEAR(rs_num("dv", EV, k, "time_s"), at[0]);
		}
		free(t);
		free(msg);
	}
	CU_ASSERT(first_v > 0 && first_s > first_v);
}

/* The task id (into id) of service `svc`'s first tasks.csv row on
 * instance `inst`: its row, or 0. */
static int task_on(const char *tag, const char *svc, const char *inst, char *id, size_t n)
{
	int rows = rs_rows(tag, "tasks.csv");

	for (int k = 1; k <= rows; k++) {
		char *sv = rs_cell(tag, "tasks.csv", k, "service");
		char *in = rs_cell(tag, "tasks.csv", k, "instance_id");
		int hit = sv && in && strcmp(sv, svc) == 0 && strcmp(in, inst) == 0;

		free(sv);
		free(in);
		if (hit) {
			char *t = rs_cell(tag, "tasks.csv", k, "task_id");

			snprintf(id, n, "%s", t ? t : "");
			free(t);
			return k;
		}
	}
	return 0;
}

/* The rows of service_events.csv of `type` whose message contains
 * `needle`: their number; the first one's row in *first (0 when none). */
static int rows_naming(const char *tag, const char *type, const char *needle, int *first)
{
	int rows = rs_rows(tag, EV), k = 0;

	*first = 0;
	for (int r = 1; r <= rows; r++) {
		char *t = rs_cell(tag, EV, r, "event_type");
		char *m = rs_cell(tag, EV, r, "message");

		if (t && m && strcmp(t, type) == 0 && strstr(m, needle)) {
			if (!k)
				*first = r;
			k++;
		}
		free(t);
		free(m);
	}
	return k;
}

/* An older-revision DAEMON task on an instance the new revision's
 * constraints exclude (docs/ecs-model.md §4.10, choices E116, E188).
 * Instances ci-00001, ci-00002 (m5.large, role a), ci-00003 (m5.large,
 * role b), ci-00004 (m6g.large, arm64, role a); DAEMON d on tiny (no
 * constraint), minimumHealthyPercent 50; at 300 s `deploy` to tinyx: its
 * task definition adds `attribute:role == a` and runtimePlatform X86_64.
 * The deployment's pass, apiLatencySeconds (0.1) after the call, at
 * 300.1: d belongs on ci-00001 and ci-00002 (desired 2, at least
 * ceil(2 × 50 %) = 1 healthy), so it stops, in its order (misplaced ones
 * first, then healthy ones within the minimum, instance order), the task
 * on ci-00003 (off the role constraint: the violation row), the one on
 * ci-00004 (excluded by the revision's cpu architecture alone, not by a
 * constraint: no row) and the one on ci-00001 (replaced within the
 * minimum: no row).  So exactly one SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED
 * row in the run, at 300.1, naming ci-00003's task and instance, right
 * before that instant's TASKS_STOPPED row listing the three; ci-00002's
 * task, replaced later, gets none either.  main (E184 only for primary
 * tasks) wrote no violation row. */
static void test_daemon_violated_deploy(void)
{
	char t1[32], t2[32], t3[32], t4[32], want[512], *m;
	int first, stopped, rows;
	double at[4] = { 0 };

	rs_write("tiny.json", "{\"family\":\"tiny\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
		 "\"cpu\":64,\"memory\":64}]}");
	rs_write("tinyx.json", "{\"family\":\"tiny\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x:2\","
		 "\"cpu\":64,\"memory\":64}], \"runtimePlatform\": { \"cpuArchitecture\": \"X86_64\" },"
		 "\"placementConstraints\": [ { \"type\": \"memberOf\", \"expression\": \"attribute:role == a\" } ] }");
	rs_write("dvd.csv", TRACE_HDR "300,deploy,d,v2,,,\n");
	rs_write("dvd.json", "{ \"name\": \"dvd\", \"seed\": 1, \"durationSeconds\": 900, \"region\": \"us-east-1\","
		 "\"availabilityZones\": [\"us-east-1a\"],"
		 "\"instanceGroups\": [ { \"instanceType\": \"m5.large\", \"availabilityZone\": \"us-east-1a\","
		 "\"count\": 2, \"attributes\": { \"role\": \"a\" } },"
		 "{ \"instanceType\": \"m5.large\", \"availabilityZone\": \"us-east-1a\", \"attributes\": { \"role\": \"b\" } },"
		 "{ \"instanceType\": \"m6g.large\", \"availabilityZone\": \"us-east-1a\", \"attributes\": { \"role\": \"a\" } } ],"
		 "\"taskDefinitions\": { \"v1\": \"tiny.json\", \"v2\": \"tinyx.json\" },"
		 "\"services\": [ { \"serviceName\": \"d\", \"taskDefinition\": \"v1\", \"schedulingStrategy\": \"DAEMON\","
		 "\"deploymentConfiguration\": { \"minimumHealthyPercent\": 50, \"maximumPercent\": 100 } } ],"
		 "\"workload\": { \"traces\": [\"dvd.csv\"] } }");
	CU_ASSERT_EQUAL_FATAL(rs_run("dvd.json", "dvd", NULL, NULL, NULL), 0);
	/* the premise: d's first tasks, one per instance */
	CU_ASSERT_FATAL(task_on("dvd", "d", "ci-00001", t1, sizeof t1) > 0);
	CU_ASSERT_FATAL(task_on("dvd", "d", "ci-00002", t2, sizeof t2) > 0);
	CU_ASSERT_FATAL(task_on("dvd", "d", "ci-00003", t3, sizeof t3) > 0);
	CU_ASSERT_FATAL(task_on("dvd", "d", "ci-00004", t4, sizeof t4) > 0);
	/* one violation row in the run: ci-00003's task, at the pass */
	T_EQ(rows_of("dvd", "SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED", at, 4), 1);
	T_NEAR(at[0], 300.1);
	m = msg_of("dvd", "SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED", 0);
	snprintf(want, sizeof want, "(service d) (task %s) no longer meets the placement constraints of the "
		 "service on (container-instance ci-00003).", t3);
	T_STREQ(m, want);
	free(m);
	/* the next row: that instant's TASKS_STOPPED with the three */
	T_EQ(rows_naming("dvd", "SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED", "", &first), 1);
	rows = rs_rows("dvd", EV);
	CU_ASSERT_FATAL(first > 0 && first < rows);
	RS_IS("dvd", EV, first + 1, "event_type", "TASKS_STOPPED");
	T_NEAR(rs_num("dvd", EV, first + 1, "time_s"), 300.1);
	snprintf(want, sizeof want, "(service d) has stopped 3 running tasks: (task %s) (task %s) (task %s).", t3, t4,
		 t1);
	RS_IS("dvd", EV, first + 1, "message", want);
	/* ci-00002's task: stopped by the deployment later, no row */
	snprintf(want, sizeof want, "(task %s)", t2);
	T_EQ(rows_naming("dvd", "TASKS_STOPPED", want, &stopped), 1);
	CU_ASSERT(rs_num("dvd", EV, stopped, "time_s") > 300.1);
	RS_IS("dvd", "tasks.csv", rs_find("dvd", "tasks.csv", "task_id", t2), "stop_code",
	      "ServiceSchedulerInitiated");
}

/* A DAEMON task's other stops, each with the rows the docs give it
 * (docs/ecs-model.md §4.10, choices E23, E101, E116, E173, E188): four
 * m5.large; DAEMON d on instances whose agent is connected
 * (`agentConnected == true`), REPLICA r (4, one per instance).
 *  - drain_instance ci-00001 at 200: d's task there is stopped last, by the
 *    scheduler (a TASKS_STOPPED row naming it, after r's task there has
 *    stopped), and it is no constraint violation (no row);
 *  - deregister_instance ci-00002 at 400: the call stops d's task there
 *    (UserInitiated at 400), not the scheduler: no row names it;
 *  - agent_disconnect ci-00003 at 500 for 120 s: ECS marks it disconnected
 *    at 560 (heartbeatTimeoutSeconds 60, jitter 0), a change of the
 *    instance's agentConnected; the pass schedulerDelaySeconds (10) later,
 *    at 570, finds d's task there off its constraint: the violation row,
 *    then that instant's TASKS_STOPPED row naming it.
 * The one violation row of the run is the last. */
static void test_daemon_other_stops(void)
{
	char t1[32], t2[32], t3[32], r1[32], want[256], *m;
	double at[4] = { 0 };
	int first, stopped;

	rs_write("tiny.json", "{\"family\":\"tiny\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
		 "\"cpu\":64,\"memory\":64}]}");
	rs_write("dos.csv", TRACE_HDR "200,drain_instance,ci-00001,,,,\n400,deregister_instance,ci-00002,,,,\n"
		 "500,agent_disconnect,ci-00003,,,120,\n");
	rs_write("dos.json", "{ \"name\": \"dos\", \"seed\": 1, \"durationSeconds\": 900, \"region\": \"us-east-1\","
		 "\"availabilityZones\": [\"us-east-1a\"], \"controlPlane\": { \"heartbeatJitterSeconds\": 0 },"
		 "\"instanceGroups\": [ { \"instanceType\": \"m5.large\", \"availabilityZone\": \"us-east-1a\","
		 "\"count\": 4 } ],"
		 "\"taskDefinitions\": { \"tiny\": \"tiny.json\", \"v1\": \"app.json\" },"
		 "\"services\": [ { \"serviceName\": \"d\", \"taskDefinition\": \"tiny\", \"schedulingStrategy\": \"DAEMON\","
		 "\"placementConstraints\": [ { \"type\": \"memberOf\", \"expression\": \"agentConnected == true\" } ] },"
		 "{ \"serviceName\": \"r\", \"taskDefinition\": \"v1\", \"desiredCount\": 4,"
		 "\"placementStrategy\": [ { \"type\": \"spread\", \"field\": \"instanceId\" } ] } ],"
		 "\"workload\": { \"traces\": [\"dos.csv\"] } }");
	CU_ASSERT_EQUAL_FATAL(rs_run("dos.json", "dos", NULL, NULL, NULL), 0);
	CU_ASSERT_FATAL(task_on("dos", "d", "ci-00001", t1, sizeof t1) > 0);
	CU_ASSERT_FATAL(task_on("dos", "d", "ci-00002", t2, sizeof t2) > 0);
	CU_ASSERT_FATAL(task_on("dos", "d", "ci-00003", t3, sizeof t3) > 0);
	CU_ASSERT_FATAL(task_on("dos", "r", "ci-00001", r1, sizeof r1) > 0);
	/* drain: stopped last, by the scheduler, no violation */
	snprintf(want, sizeof want, "(service d) has stopped 1 running tasks: (task %s).", t1);
	T_EQ(rows_naming("dos", "TASKS_STOPPED", want, &stopped), 1);
	CU_ASSERT_FATAL(stopped > 0);
	CU_ASSERT(rs_num("dos", EV, stopped, "time_s") >
		  rs_num("dos", "tasks.csv", rs_find("dos", "tasks.csv", "task_id", r1), "stop_s"));
	snprintf(want, sizeof want, "(task %s)", t1);
	T_EQ(rows_naming("dos", "SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED", want, &first), 0);
	/* deregistration: the call's stop, no row */
	snprintf(want, sizeof want, "(task %s)", t2);
	T_EQ(rows_naming("dos", "TASKS_STOPPED", want, &first), 0);
	T_EQ(rows_naming("dos", "SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED", want, &first), 0);
	RS_IS("dos", "tasks.csv", rs_find("dos", "tasks.csv", "task_id", t2), "stop_code", "UserInitiated");
	T_NEAR(rs_num("dos", "tasks.csv", rs_find("dos", "tasks.csv", "task_id", t2), "stop_s"), 400);
	/* the agent's connection, a constraint: the violation row at 570,
	 * then TASKS_STOPPED */
	T_EQ(rows_of("dos", "SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED", at, 4), 1);
	T_NEAR(at[0], 570);
	m = msg_of("dos", "SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED", 0);
	snprintf(want, sizeof want, "(service d) (task %s) no longer meets the placement constraints of the "
		 "service on (container-instance ci-00003).", t3);
	T_STREQ(m, want);
	free(m);
	T_EQ(rows_naming("dos", "SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED", "", &first), 1);
	CU_ASSERT_FATAL(first > 0 && first < rs_rows("dos", EV));
	RS_IS("dos", EV, first + 1, "event_type", "TASKS_STOPPED");
	T_NEAR(rs_num("dos", EV, first + 1, "time_s"), 570);
	snprintf(want, sizeof want, "(service d) has stopped 1 running tasks: (task %s).", t3);
	RS_IS("dos", EV, first + 1, "message", want);
}

static CU_TestInfo tests[] = {
	{ "steady state: one row when the deployment completes, not one per pass", test_steady_once },
	{ "steady state repeated 6 h later at a metrics interval", test_steady_repeat },
	{ "SERVICE_TASK_START_IMPAIRED once, when the throttle's back-off starts", test_start_impaired },
	{ "placement failure: one row per cause, again after a steady state", test_placement_failure },
	{ "placement failure: the closest instance named (A4)", test_placement_failure_closest },
	{ "placement failure repeated 6 h later while the task still waits", test_placement_failure_repeat },
	{ "serviceEventRepeatSeconds: the repetition window (1000 s, 1800 s), bad values refused", test_repeat_window },
	{ "min 100 / max 100: the deployment-configuration row at the deploy's pass", test_blocked },
	{ "min 100 / max 200: no deployment-configuration row", test_not_blocked },
	{ "AZ rebalancing STARTED and COMPLETED with the AZ counts", test_rebalancing },
	{ "AZ rebalancing's tasks and placement failure in its own words (E199)", test_rebalancing_words },
	{ "AZ rebalancing over the service's own zones: COMPLETED, no other zone named", test_rebalancing_own_zones },
	{ "more protected tasks than desired: one row", test_protected },
	{ "Fargate launch bucket empty: one ECS_OPERATION_THROTTLED row", test_operation_throttled },
	{ "DeleteService: its stopped tasks in one TASKS_STOPPED row (E184)", test_delete_stops },
	{ "a DAEMON task without room on its instance: its failure rows, one event (§4.10)", test_daemon_no_room },
	{ "a DAEMON task off its constraints: the violation row, then TASKS_STOPPED (E184)", test_daemon_violated },
	{ "an older DAEMON task off the new revision's constraints: the violation row (E188)",
	  test_daemon_violated_deploy },
	{ "a DAEMON task drained, deregistered, off agentConnected: the rows the docs give", test_daemon_other_stops },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "service events (service_events.csv, §5.2)", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
