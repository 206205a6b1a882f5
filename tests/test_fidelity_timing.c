/* tests/test_fidelity_timing.c — timings of the task lifecycle and of the
 * control plane that come from a task definition or that the rules give
 * as defaults, each written from the rule (docs/ecs-model.md):
 *
 *  - a service task with container health checks is healthy when every
 *    essential container with a check has passed its first check: checks
 *    every `interval` from RUNNING, the first passing one at or after
 *    `healthCheckSeconds` (§1.4, §5.2, choice E110), on EC2 and on
 *    Fargate; a rolling deployment bounded by minimumHealthyPercent
 *    follows those instants;
 *  - a task stops when its last container does: each container is killed at
 *    its own stopTimeout, else at the agent's default (§3.2), on EC2 (a
 *    StopTask, an essential container's exit) and on Fargate;
 *  - the timings the rules give that are parameters: an EC2 Spot instance
 *    terminated `spot.warningSeconds` (120) after its notice (§5.13, §8.4);
 *    managed scaling's datapoint period (60 s) and scale-in datapoints (15)
 *    (§5.12); Service Auto Scaling's datapoint period (60 s; §5.10, choice
 *    E236), its alarms counting datapoints; the circuit breaker's thresholdConfiguration (BOUNDED_PERCENT
 *    50, §5.6); each with a value that is not the default, and refused out
 *    of range with the file and the JSON path.
 *
 * Each rule's time is observed after every event through the observer
 * hook. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/service_int.h"
#include "models/scenario.h"
#include "models/tracecheck.h"

#define TIMING "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatTimeoutSeconds\":60," \
	"\"heartbeatJitterSeconds\":0},"
/* TIMING with a scheduler delay of 1 s (rollout_end) */
#define TIMING_D1 "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":1,\"healthyAfterSeconds\":40,\"heartbeatTimeoutSeconds\":60," \
	"\"heartbeatJitterSeconds\":0},"
#define AGENT "\"agent\":{\"networkDelaySeconds\":0.05,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3,\"eniAttachSeconds\":5,\"eniDetachSeconds\":4},"
#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"

/* The example definition of docs/ecs-model.md §1.12 with its health check
 * (interval 15, startPeriod 30); `%d` is the revision, `%s` the check's
 * timing members. */
#define EXAMPLE_TD "{\"family\":\"sim-web\",\"revision\":%d,\"networkMode\":\"bridge\"," \
	"\"requiresCompatibilities\":[\"EC2\"],\"containerDefinitions\":[" \
	"{\"name\":\"app\",\"image\":\"example/app:1.%d\",\"cpu\":256,\"memory\":512," \
	"\"memoryReservation\":256,\"essential\":true," \
	"\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0,\"protocol\":\"tcp\"}]," \
	"\"healthCheck\":{\"command\":[\"CMD-SHELL\",\"curl -fs http://localhost:8080/ping || exit 1\"]%s}," \
	"\"stopTimeout\":20}," \
	"{\"name\":\"log-sidecar\",\"image\":\"example/logger:2\",\"cpu\":64,\"memoryReservation\":64," \
	"\"essential\":false,\"dependsOn\":[{\"containerName\":\"app\",\"condition\":\"START\"}]}]," \
	"\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"attribute:ecs.instance-type =~ m5.*\"}]}"

#define HC_EXAMPLE ",\"interval\":15,\"timeout\":5,\"retries\":3,\"startPeriod\":30"
#define HC_FIVE ",\"interval\":5,\"timeout\":2,\"retries\":3"

static double sec(const struct backplane *bp)
{
	return (double)sim_now(bp->sim) / 1000.0;
}

static void write_example(const char *name, int revision, const char *hc)
{
	char buf[4096];

	snprintf(buf, sizeof buf, EXAMPLE_TD, revision, revision, hc);
	rs_write(name, buf);
}

static int setup(void)
{
	if (rs_setup())
		return 1;
	write_example("tm-example.json", 1, HC_EXAMPLE);
	write_example("tm-example-v2.json", 2, HC_EXAMPLE);
	write_example("tm-five.json", 1, HC_FIVE);
	write_example("tm-five-v2.json", 2, HC_FIVE);
	write_example("tm-default.json", 1, "");        /* interval: the API's 30 s */
	write_example("tm-default-v2.json", 2, "");
	/* two essential containers with checks (10 s, 25 s) and a non-essential
	 * one whose slow check does not count (§1.4: task health is over the
	 * essential containers) */
	rs_write("tm-two.json",
		 "{\"family\":\"two\",\"containerDefinitions\":["
		 "{\"name\":\"a\",\"image\":\"a\",\"cpu\":128,\"memory\":128,"
		 "\"healthCheck\":{\"command\":[\"CMD\",\"true\"],\"interval\":10}},"
		 "{\"name\":\"b\",\"image\":\"b\",\"cpu\":128,\"memory\":128,"
		 "\"healthCheck\":{\"command\":[\"CMD\",\"true\"],\"interval\":25,\"startPeriod\":300}},"
		 "{\"name\":\"c\",\"image\":\"c\",\"cpu\":128,\"memory\":128,\"essential\":false,"
		 "\"healthCheck\":{\"command\":[\"CMD\",\"true\"],\"interval\":300}}]}");
	rs_write("tm-none.json",
		 "{\"family\":\"none\",\"containerDefinitions\":["
		 "{\"name\":\"a\",\"image\":\"a\",\"cpu\":128,\"memory\":128},"
		 "{\"name\":\"c\",\"image\":\"c\",\"cpu\":128,\"memory\":128,\"essential\":false,"
		 "\"healthCheck\":{\"command\":[\"CMD\",\"true\"],\"interval\":5}}]}");
	rs_write("tm-fargate.json",
		 "{\"family\":\"fg\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
		 "\"cpu\":\"256\",\"memory\":\"512\",\"containerDefinitions\":["
		 "{\"name\":\"a\",\"image\":\"a\",\"essential\":true,"
		 "\"healthCheck\":{\"command\":[\"CMD\",\"true\"],\"interval\":5}}]}");
	return 0;
}

/* ---- §5.2: when a task with container health checks is healthy ---------- */

#define MAX_WATCH 64

/* Per task number: when the task was first seen RUNNING (the agent's
 * state) and first seen healthy (the backplane's). */
struct hwatch {
	double running[MAX_WATCH], healthy[MAX_WATCH];
	int bad;                 /* healthy while not RUNNING, or a number out of range */
};

static void health_observe(struct backplane *bp, void *ctx)
{
	struct hwatch *w = ctx;

	for (size_t i = 0; i < bp->n_tasks; i++) {
		const struct task *t = &bp->tasks[i];

		if (!t->used || t->svc < 0 || t->id)
			continue;
		if (t->no >= MAX_WATCH) {
			w->bad++;
			continue;
		}
		if (t->state == TS_RUNNING && w->running[t->no] < 0)
			w->running[t->no] = sec(bp);
		if (t->healthy && w->healthy[t->no] < 0) {
			w->healthy[t->no] = sec(bp);
			if (w->running[t->no] < 0)
				w->bad++;
		}
	}
}

/* Run one service of `desired` tasks of `td` (a file written by setup)
 * for 300 s, `cp` the extra controlPlane members, and check that every task
 * that ran is healthy `want` s after its RUNNING. */
static void check_healthy_after(const char *tag, const char *td, const char *cp, int fargate,
				double want)
{
	struct hwatch w;
	char scn[4096], file[200];
	int seen = 0;

	for (int i = 0; i < MAX_WATCH; i++)
		w.running[i] = w.healthy[i] = -1;
	w.bad = 0;
	snprintf(scn, sizeof scn,
		 "{\"name\":\"%s\",\"durationSeconds\":300,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"schedulerDelaySeconds\":10,"
		 "\"healthyAfterSeconds\":40%s},"
		 AGENT
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		 "\"taskDefinitions\":{\"td\":\"%s\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"td\",\"desiredCount\":3%s}]}",
		 tag, cp, td, fargate ? ",\"launchType\":\"FARGATE\"" : "");
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scn);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, health_observe, &w), 0);
	T_EQ(w.bad, 0);
	for (int i = 0; i < MAX_WATCH; i++) {
		if (w.running[i] < 0)
			continue;
		seen++;
		CU_ASSERT(w.healthy[i] >= 0);
		if (w.healthy[i] >= 0)
			T_NEAR(w.healthy[i] - w.running[i], want);
	}
	T_EQ(seen, 3);
}

/* The §1.12 example's log-sidecar depends on app (START): app starts
 * first, the sidecar containerStartSeconds (2 s) later, and the task is
 * RUNNING then (docs/ecs-model.md §1.4, choice E156); app's checks run from
 * its own start, so each instant below is 2 s less after RUNNING than
 * after app's start (CSTART). */
#define CSTART 2.0

/* The §1.12 example (interval 15, startPeriod 30): the first check, 15 s
 * after app's start, passes (a success during startPeriod counts at once);
 * interval 5: 5 s; no interval: the API's default 30 s. */
static void test_healthy_at_first_check(void)
{
	check_healthy_after("tm-h15", "tm-example.json", "", 0, 15 - CSTART);
	check_healthy_after("tm-h5", "tm-five.json", "", 0, 5 - CSTART);
	check_healthy_after("tm-h30", "tm-default.json", "", 0, 30 - CSTART);
}

/* healthCheckSeconds is when the check command starts passing (from the
 * container's start): the task is healthy at the first check at or after
 * it (k × interval). */
static void test_healthy_after_ready(void)
{
	check_healthy_after("tm-r15", "tm-example.json", ",\"healthCheckSeconds\":20", 0, 30 - CSTART);
	check_healthy_after("tm-r5", "tm-five.json", ",\"healthCheckSeconds\":20", 0, 20 - CSTART);
	check_healthy_after("tm-r5b", "tm-five.json", ",\"healthCheckSeconds\":21", 0, 25 - CSTART);
	check_healthy_after("tm-r30", "tm-default.json", ",\"healthCheckSeconds\":30", 0, 30 - CSTART);
}

/* Every essential container with a check must pass: the latest first check
 * (25 s); a non-essential container's check does not count, and a task
 * whose only check is on a non-essential container waits the 40 s. */
static void test_healthy_essential_only(void)
{
	check_healthy_after("tm-h-two", "tm-two.json", "", 0, 25);
	check_healthy_after("tm-h-none", "tm-none.json", "", 0, 40);
}

static void test_healthy_fargate(void)
{
	check_healthy_after("tm-fg", "tm-fargate.json", "", 1, 5);
}

/* A rolling deployment of 4 tasks at minimumHealthyPercent 100,
 * maximumPercent 125: one new task at a time, each old one stopped once
 * its replacement is healthy, and the next new one launched in the same
 * pass (§5.5: a stopping task holds no room).  The last old task stops 4
 * health delays after the deployment, so interval 5 ends it 4 × 10 s
 * before interval 15 (the §1.12 example), and that 4 × 15 s before the
 * default 30 s.  The scheduler delay is 1 s here: the pass an old task's
 * stop calls (STOPPED ~6 s after the step's pass, + 1 s) then comes before
 * the new task can be healthy (>= 9 s after its launch), so each step waits
 * for the health check alone; with 10 s that pass could find the new task
 * healthy before its own pass and the steps would no longer differ by the
 * interval only. */
static double rollout_end(const char *tag, const char *v1, const char *v2)
{
	char scn[4096], file[200];
	double end = -1;
	int n, old = 0;

	snprintf(scn, sizeof scn,
		 "{\"name\":\"%s\",\"durationSeconds\":1200," TIMING_D1 AGENT
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		 "\"taskDefinitions\":{\"v1\":\"%s\",\"v2\":\"%s\"},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"v1\",\"desiredCount\":4,"
		 "\"deploymentConfiguration\":{\"minimumHealthyPercent\":100,\"maximumPercent\":125}}],"
		 "\"workload\":{\"traces\":[\"tm-deploy.csv\"]}}", tag, v1, v2);
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scn);
	rs_write("tm-deploy.csv", TRACE_HDR "200,deploy,web,v2,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, NULL, NULL), 0);
	n = rs_rows(tag, "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *td = rs_cell(tag, "tasks.csv", r, "taskdef");

		if (td && strcmp(td, "sim-web:1") == 0) {
			double s = rs_num(tag, "tasks.csv", r, "stop_s");

			old++;
			if (s > end)
				end = s;
		} else {
			RS_IS(tag, "tasks.csv", r, "stop_s", "");   /* the new ones run on */
		}
		free(td);
	}
	T_EQ(old, 4);
	return end;
}

static void test_rollout_follows_health(void)
{
	double e30 = rollout_end("tm-ro30", "tm-default.json", "tm-default-v2.json");
	double e15 = rollout_end("tm-ro15", "tm-example.json", "tm-example-v2.json");
	double e5 = rollout_end("tm-ro5", "tm-five.json", "tm-five-v2.json");

	CU_ASSERT(e5 > 200 && e15 > e5 && e30 > e15);
	T_NEAR(e30 - e15, 4 * 15);
	T_NEAR(e15 - e5, 4 * 10);
}

/* ---- §3.2: the stop grace of a task with mixed stopTimeout ------------- */

/* Containers `a` and `b` with the given stopTimeout members ("" = none), on
 * EC2 with `agent` members, or on Fargate: the STOPPING time (stop signal
 * to the last container's exit or kill) of a task stopped by StopTask, of
 * one whose essential container exited (`want_exit`: a has exited, b's
 * time alone), and (Fargate) of a service task scaled in. */
static void stop_graces_exit(const char *tag, const char *a, const char *b, const char *agent,
			     int fargate, double want, double want_exit)
{
	char td[1024], scn[4096], file[200], tdfile[200];
	int n, seen = 0;

	snprintf(td, sizeof td,
		 "{\"family\":\"mix\",%s\"containerDefinitions\":["
		 "{\"name\":\"a\",\"image\":\"a\",\"cpu\":128,\"memory\":256%s},"
		 "{\"name\":\"b\",\"image\":\"b\",\"cpu\":128,\"memory\":256,\"essential\":false%s}]}",
		 fargate ? "\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
		 "\"cpu\":\"256\",\"memory\":\"512\"," : "", a, b);
	snprintf(tdfile, sizeof tdfile, "%s-td.json", tag);
	rs_write(tdfile, td);
	snprintf(scn, sizeof scn,
		 "{\"name\":\"%s\",\"durationSeconds\":400," TIMING
		 "\"agent\":{\"networkDelaySeconds\":0.05,\"imagePullSeconds\":10%s},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"mix\":\"%s\"},"
		 "%s"
		 "\"workload\":{\"traces\":[\"%s.csv\"]}}",
		 tag, agent, tdfile,
		 fargate ? "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"mix\","
		 "\"desiredCount\":1,\"launchType\":\"FARGATE\"}]," : "", tag);
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scn);
	snprintf(td, sizeof td, "%s.csv", tag);
	rs_write(td, fargate
		 ? TRACE_HDR "0,run_task,stopped,mix,1,,\n0,run_task,exited,mix,1,150,\n"
		 "200,stop_task,stopped,,,,\n250,set_desired,s,,0,,\n"
		 : TRACE_HDR "0,run_task,stopped,mix,1,,\n0,run_task,exited,mix,1,50,\n"
		 "100,stop_task,stopped,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, NULL, NULL), 0);
	n = rs_rows(tag, "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *id = rs_cell(tag, "tasks.csv", r, "task_id");

		seen++;
		T_NEAR(rs_num(tag, "tasks.csv", r, "deprovisioning_s") -
		       rs_num(tag, "tasks.csv", r, "stopping_s"), id && strcmp(id, "exited") == 0 ? want_exit : want);
		free(id);
	}
	T_EQ(seen, fargate ? 3 : 2);
}

static void stop_graces(const char *tag, const char *a, const char *b, const char *agent,
			int fargate, double want)
{
	stop_graces_exit(tag, a, b, agent, fargate, want, want);
}

/* Containers A (stopTimeout 5) and B (none), shutdownSeconds 20: B waits
 * the agent's 30 s, so the task stops when B exits, at 20 s, not 5 s. */
static void test_stop_grace_mixed(void)
{
	stop_graces("tm-sg-mix", ",\"stopTimeout\":5", "", ",\"shutdownSeconds\":20", 0, 20);
	/* B killed at the agent's default, 8 s, after A at 5 s */
	stop_graces("tm-sg-mix8", ",\"stopTimeout\":5", "",
		    ",\"shutdownSeconds\":20,\"stopTimeoutSeconds\":8", 0, 8);
	/* A at 5 s and B at its own 3 s: the agent's default is nobody's;
	 * when A's exit stopped the task, B's 3 s alone */
	stop_graces_exit("tm-sg-own", ",\"stopTimeout\":5", ",\"stopTimeout\":3",
			 ",\"shutdownSeconds\":20,\"stopTimeoutSeconds\":30", 0, 5, 3);
	stop_graces("tm-sg-none", "", "", ",\"shutdownSeconds\":20,\"stopTimeoutSeconds\":8", 0, 8);
	/* the containers exit by themselves first: shutdownSeconds decides */
	stop_graces("tm-sg-quick", ",\"stopTimeout\":5", "", ",\"shutdownSeconds\":2", 0, 2);
	/* Fargate: the same rule, its default 30 s */
	stop_graces("tm-sg-fg", ",\"stopTimeout\":5", "", ",\"shutdownSeconds\":20", 1, 20);
}

/* §3.2: the stop signal, then the grace; "if the process exits within the
 * grace, no SIGKILL is sent": a container whose own run ends while it
 * ignores the signal has exited then, and with it the task (audit xa: a
 * differential run against an independent simulator).  One container of
 * 2048 CPU units (all of an m5.large's), run time 30 s, shutdownSeconds
 * 20: RUNNING at 1 + 0.05 + 10 + 1 = 12.05 s, its run ends at 42.05 s.
 * StopTask at 40 s reaches the agent at 40.3 s (STOPPING); the signal
 * would end it at 60.3 s, but the container exits at 42.05 s: STOPPED
 * then, UserInitiated (the first reason, §3.3), the room free at 42.1 s
 * (the report), where `next`, waiting since 41 s, is placed.  (Before: the
 * exit was ignored, STOPPED at 60.3 s, next placed at 60.35 s.) */
static void test_stop_ends_at_own_exit(void)
{
	rs_write("tm-own-td.json", "{\"family\":\"own\",\"containerDefinitions\":[{\"name\":\"a\","
		 "\"image\":\"a\",\"cpu\":2048,\"memory\":512}]}");
	rs_write("tm-own.csv", TRACE_HDR "0,run_task,one,own,1,30,\n40,stop_task,one,,,,\n"
		 "41,run_task,next,own,1,,\n");
	rs_write("tm-own.json",
		 "{\"name\":\"tm-own\",\"durationSeconds\":200," TIMING
		 "\"agent\":{\"networkDelaySeconds\":0.05,\"imagePullSeconds\":10,\"shutdownSeconds\":20},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"own\":\"tm-own-td.json\"},"
		 "\"placement\":{\"tieBreak\":\"first\"},"
		 "\"workload\":{\"traces\":[\"tm-own.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("tm-own.json", "tm-own", NULL, NULL, NULL), 0);
	RS_IS("tm-own", "tasks.csv", rs_find("tm-own", "tasks.csv", "task_id", "one"), "running_s", "12.050");
	RS_IS("tm-own", "tasks.csv", rs_find("tm-own", "tasks.csv", "task_id", "one"), "stopping_s", "40.300");
	RS_IS("tm-own", "tasks.csv", rs_find("tm-own", "tasks.csv", "task_id", "one"), "stopped_s", "42.050");
	RS_IS("tm-own", "tasks.csv", rs_find("tm-own", "tasks.csv", "task_id", "one"), "stop_code", "UserInitiated");
	RS_IS("tm-own", "tasks.csv", rs_find("tm-own", "tasks.csv", "task_id", "next"), "placed_s", "42.100");
}

/* §3.2: each container is killed at its own stopTimeout, else the
 * default, and exits when its own run ends if that comes first; the task
 * has stopped when its last container has (an exited one no longer
 * counts), on EC2 and Fargate alike.  Containers a (essential, run = the
 * task's duration, no stopTimeout) and b (not essential, stopTimeout 3),
 * shutdownSeconds 20.  EC2 (RUNNING 12.05 s): `exited` (run 50 s) exits
 * at 62.05 s, b is killed 3 s later: STOPPED 65.05 s (before: 82.05 s,
 * a's 20 s counted though a had exited); `stopped`, StopTask at 30 s
 * (STOPPING 30.3 s), its run ending at 31.3 s: a has exited, b is killed
 * at 33.3 s (before: 50.3 s).  Fargate, one container (RUNNING at
 * 86.254 s, run 100 s), StopTask at 180 s (STOPPING 180.25 s): its run
 * ends at 186.254 s, DEPROVISIONING then and STOPPED after the 5-s ENI
 * detach, 191.254 s (before: 200.25 s / 205.25 s).  Fargate with a and b
 * as above: the exited task waits b's 3 s (before: 20 s). */
static void test_stop_grace_own_runs(void)
{
	const char *id;
	double grace;
	int r;

	rs_write("tm-or-mix.json", "{\"family\":\"mix\",\"containerDefinitions\":["
		 "{\"name\":\"a\",\"image\":\"a\",\"cpu\":128,\"memory\":256},"
		 "{\"name\":\"b\",\"image\":\"b\",\"cpu\":128,\"memory\":256,\"essential\":false,"
		 "\"stopTimeout\":3}]}");
	rs_write("tm-or-fg1.json", "{\"family\":\"fg1\",\"networkMode\":\"awsvpc\","
		 "\"requiresCompatibilities\":[\"FARGATE\"],\"cpu\":\"256\",\"memory\":\"512\","
		 "\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"a\"}]}");
	rs_write("tm-or-fgmix.json", "{\"family\":\"fgmix\",\"networkMode\":\"awsvpc\","
		 "\"requiresCompatibilities\":[\"FARGATE\"],\"cpu\":\"256\",\"memory\":\"512\","
		 "\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"a\",\"cpu\":128,\"memory\":256},"
		 "{\"name\":\"b\",\"image\":\"b\",\"cpu\":128,\"memory\":256,\"essential\":false,"
		 "\"stopTimeout\":3}]}");
	rs_write("tm-or.csv", TRACE_HDR "0,run_task,exited,mix,1,50,\n0,run_task,stopped,mix,1,19.25,\n"
		 "0,run_task,fgstop,fg1,1,100,\n0,run_task,fgexit,fgmix,1,50,\n"
		 "30,stop_task,stopped,,,,\n180,stop_task,fgstop,,,,\n");
	rs_write("tm-or.json",
		 "{\"name\":\"tm-or\",\"durationSeconds\":400," TIMING
		 /* the range of Fargate's provisioning, drawn: the times below */
		 "\"fargate\":{\"provisioningSeconds\":{\"uniform\":{\"min\":30,\"max\":90}}},"
		 "\"agent\":{\"networkDelaySeconds\":0.05,\"imagePullSeconds\":10,\"shutdownSeconds\":20},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"mix\":\"tm-or-mix.json\",\"fg1\":\"tm-or-fg1.json\","
		 "\"fgmix\":\"tm-or-fgmix.json\"},"
		 "\"workload\":{\"traces\":[\"tm-or.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("tm-or.json", "tm-or", NULL, NULL, NULL), 0);
	id = "exited";
	RS_IS("tm-or", "tasks.csv", rs_find("tm-or", "tasks.csv", "task_id", id), "stopping_s", "62.050");
	RS_IS("tm-or", "tasks.csv", rs_find("tm-or", "tasks.csv", "task_id", id), "stopped_s", "65.050");
	RS_IS("tm-or", "tasks.csv", rs_find("tm-or", "tasks.csv", "task_id", id), "stop_code",
	      "EssentialContainerExited");
	id = "stopped";
	RS_IS("tm-or", "tasks.csv", rs_find("tm-or", "tasks.csv", "task_id", id), "stopping_s", "30.300");
	RS_IS("tm-or", "tasks.csv", rs_find("tm-or", "tasks.csv", "task_id", id), "stopped_s", "33.300");
	RS_IS("tm-or", "tasks.csv", rs_find("tm-or", "tasks.csv", "task_id", id), "stop_code", "UserInitiated");
	id = "fgstop";
	RS_IS("tm-or", "tasks.csv", rs_find("tm-or", "tasks.csv", "task_id", id), "running_s", "86.254");
	RS_IS("tm-or", "tasks.csv", rs_find("tm-or", "tasks.csv", "task_id", id), "stopping_s", "180.250");
	RS_IS("tm-or", "tasks.csv", rs_find("tm-or", "tasks.csv", "task_id", id), "deprovisioning_s", "186.254");
	RS_IS("tm-or", "tasks.csv", rs_find("tm-or", "tasks.csv", "task_id", id), "stopped_s", "191.254");
	RS_IS("tm-or", "tasks.csv", rs_find("tm-or", "tasks.csv", "task_id", id), "stop_code", "UserInitiated");
	r = rs_find("tm-or", "tasks.csv", "task_id", "fgexit");
	grace = rs_num("tm-or", "tasks.csv", r, "deprovisioning_s") - rs_num("tm-or", "tasks.csv", r, "stopping_s");
	T_NEAR(grace, 3);
	RS_IS("tm-or", "tasks.csv", r, "stop_code", "EssentialContainerExited");
}

/* ---- §5.13, §8.4: the EC2 Spot notice's lead --------------------------- */

/* Two Spot groups get a notice at 100 s: the one with warningSeconds 30 is
 * terminated (its task stopped, SpotInterruption) at 130 s, the other at
 * the default two minutes, 220 s. */
static void test_spot_warning(void)
{
	char msg[600];
	int r;

	rs_write("tm-spot-td.json", "{\"family\":\"one\",\"containerDefinitions\":["
		 "{\"name\":\"a\",\"image\":\"a\",\"cpu\":128,\"memory\":128}]}");
	rs_write("tm-spot.json", "{\"name\":\"tm-spot\",\"durationSeconds\":400," TIMING AGENT
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
		 "\"spot\":{\"warningSeconds\":30}},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"spot\":{}}],"
		 "\"placement\":{\"strategy\":[{\"type\":\"spread\",\"field\":\"instanceId\"}]},"
		 "\"taskDefinitions\":{\"one\":\"tm-spot-td.json\"},"
		 "\"workload\":{\"traces\":[\"tm-spot.csv\"]}}");
	rs_write("tm-spot.csv", TRACE_HDR "0,run_task,t1,one,1,,\n0,run_task,t2,one,1,,\n"
		 "100,spot_interruption,ci-00001,,,,\n100,spot_interruption,ci-00002,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("tm-spot.json", "tm-spot", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("tm-spot", "tasks.csv"), 2);
	r = rs_find("tm-spot", "tasks.csv", "instance_id", "ci-00001");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("tm-spot", "tasks.csv", r, "stop_code", "SpotInterruption");
	T_NEAR(rs_num("tm-spot", "tasks.csv", r, "stopped_s"), 130);
	r = rs_find("tm-spot", "tasks.csv", "instance_id", "ci-00002");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("tm-spot", "tasks.csv", r, "stop_code", "SpotInterruption");
	T_NEAR(rs_num("tm-spot", "tasks.csv", r, "stopped_s"), 220);
	/* out of range: the file, the JSON path and the reason */
	rs_write("tm-spot-bad.json", "{\"name\":\"bad\",\"durationSeconds\":10,\"region\":\"us-east-1\","
		 "\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
		 "\"spot\":{\"warningSeconds\":3601}}]}");
	T_EQ(rs_run_msg("tm-spot-bad.json", "tm-spot-bad", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "tm-spot-bad.json") != NULL);
	CU_ASSERT(strstr(msg, "$.instanceGroups[0].spot.warningSeconds") != NULL);
}

/* ---- §5.12: managed scaling's period and scale-in datapoints -------------- */

/* A managed-scaling group of 2 idle instances (the metric is 0 %) scales in
 * at its scaleInDatapoints-th datapoint, one every managedScalingPeriodSeconds
 * from the start; a service needing the provider's capacity from an empty
 * group gets its scale-out at the first datapoint.  Returns the time of the
 * first scaling.csv row of `action`. */
static double cas_first(const char *tag, const char *cp, const char *ms, int service,
			const char *action)
{
	char scn[4096], file[200];
	int n;

	snprintf(scn, sizeof scn,
		 "{\"name\":\"%s\",\"durationSeconds\":1200,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"schedulerDelaySeconds\":10%s},"
		 AGENT
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"taskDefinitions\":{\"one\":\"tm-spot-td.json\"},"
		 "\"capacityProviders\":[{\"name\":\"cp\",\"autoScalingGroup\":{\"instanceType\":\"m5.large\","
		 "\"availabilityZones\":[\"us-east-1a\"],\"minSize\":0,\"maxSize\":4,\"desiredCapacity\":%d,"
		 "\"launchTimeSeconds\":30},\"managedScaling\":{\"targetCapacity\":100%s}}]%s}",
		 tag, cp, service ? 0 : 2, ms,
		 service ? ",\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"one\",\"desiredCount\":1,"
		 "\"capacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}]}]" : "");
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scn);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, NULL, NULL), 0);
	n = rs_rows(tag, "scaling.csv");
	for (int r = 1; r <= n; r++) {
		char *a = rs_cell(tag, "scaling.csv", r, "action");
		int hit = a && strcmp(a, action) == 0;

		free(a);
		if (hit)
			return rs_num(tag, "scaling.csv", r, "time_s");
	}
	return -1;
}

static void test_managed_scaling_timing(void)
{
	char msg[600];

	T_NEAR(cas_first("tm-cas", "", "", 0, "scale-in"), 15 * 60);
	T_NEAR(cas_first("tm-cas-p", ",\"managedScalingPeriodSeconds\":20", "", 0, "scale-in"), 15 * 20);
	T_NEAR(cas_first("tm-cas-d", "", ",\"scaleInDatapoints\":5", 0, "scale-in"), 5 * 60);
	T_NEAR(cas_first("tm-cas-pd", ",\"managedScalingPeriodSeconds\":20", ",\"scaleInDatapoints\":5", 0,
			 "scale-in"), 5 * 20);
	T_NEAR(cas_first("tm-cas-o", "", "", 1, "scale-out"), 60);
	T_NEAR(cas_first("tm-cas-op", ",\"managedScalingPeriodSeconds\":20", "", 1, "scale-out"), 20);
	rs_write("tm-cas-bad.json", "{\"name\":\"bad\",\"durationSeconds\":10,\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"controlPlane\":{\"managedScalingPeriodSeconds\":0}}");
	T_EQ(rs_run_msg("tm-cas-bad.json", "tm-cas-bad", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "tm-cas-bad.json") && strstr(msg, "$.controlPlane.managedScalingPeriodSeconds"));
	rs_write("tm-cas-bad2.json", "{\"name\":\"bad\",\"durationSeconds\":10,\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"capacityProviders\":[{\"name\":\"cp\",\"autoScalingGroup\":{\"instanceType\":\"m5.large\","
		 "\"availabilityZones\":[\"us-east-1a\"],\"maxSize\":4},\"managedScaling\":{\"scaleInDatapoints\":0}}]}");
	T_EQ(rs_run_msg("tm-cas-bad2.json", "tm-cas-bad2", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "tm-cas-bad2.json") &&
		  strstr(msg, "$.capacityProviders[0].managedScaling.scaleInDatapoints"));
}

/* ---- §5.10: Service Auto Scaling's datapoint period ----------------------- */

/* A service of `desired` tasks at a constant `cpu` percent with
 * autoScaling `as` (min 1, max 10, then the policies and actions given),
 * the service fields `svc`, the controlPlane fields `cp` and the trace
 * rows `trace` (none when empty), run for 1200 s; its outputs are read by
 * the caller (tag). */
static void aas_run(const char *tag, const char *cp, int desired, int cpu, const char *svc, const char *as,
		    const char *trace)
{
	char wl[300] = "";
	char scn[4096], file[200];

	rs_write("tm-aas-td.json", "{\"family\":\"one\",\"containerDefinitions\":["
		 "{\"name\":\"a\",\"image\":\"a\",\"cpu\":128,\"memory\":128}]}");
	if (trace[0]) {
		snprintf(file, sizeof file, "%s.csv", tag);
		rs_write(file, trace);
		snprintf(wl, sizeof wl, ",\"workload\":{\"traces\":[\"%s\"]}", file);
	}
	snprintf(scn, sizeof scn,
		 "{\"name\":\"%s\",\"durationSeconds\":1200,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"schedulerDelaySeconds\":10%s},"
		 AGENT
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		 "\"taskDefinitions\":{\"one\":\"tm-aas-td.json\"},"
		 "\"utilization\":{\"one\":{\"cpu\":%d}},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"one\",\"desiredCount\":%d%s,"
		 "\"autoScaling\":{\"minCapacity\":1,\"maxCapacity\":10%s}}]%s}",
		 tag, cp, cpu, desired, svc, as, wl);
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scn);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, NULL, NULL), 0);
}

/* A service of `desired` tasks (running from about 13 s) whose CPU
 * utilisation is a constant `cpu` percent, target tracking at 50 %: the
 * scaler takes a datapoint every serviceAutoScalingPeriodSeconds from the
 * start (60 s by default), and the alarms count datapoints, not minutes
 * (choice E236): 3 above the target to scale out, 15 below 90 % of it to
 * scale in.  Returns the time of the first scaling.csv row of `action`,
 * its `new` in *to. */
static double aas_first(const char *tag, const char *cp, int desired, int cpu, const char *tt,
			const char *action, int *to)
{
	char as[600];
	int n;

	snprintf(as, sizeof as, ",\"targetTracking\":[{\"predefinedMetricType\":\"ECSServiceAverageCPUUtilization\","
		 "\"targetValue\":50%s}]", tt);
	aas_run(tag, cp, desired, cpu, "", as, "");
	n = rs_rows(tag, "scaling.csv");
	for (int r = 1; r <= n; r++) {
		char *a = rs_cell(tag, "scaling.csv", r, "action");
		int hit = a && strcmp(a, action) == 0;

		free(a);
		if (hit) {
			*to = (int)rs_num(tag, "scaling.csv", r, "new");
			return rs_num(tag, "scaling.csv", r, "time_s");
		}
	}
	*to = -1;
	return -1;
}

/* Worked out by hand: 2 tasks at 90 % scale out to ceil(2 × 90 / 50) = 4 at
 * the third datapoint, 3P; 4 tasks at 10 % scale in to ceil(4 × 10 / 50) = 1
 * at the fifteenth, 15P; scaleOutDatapoints 2 at P = 20: 40 s.  P = 60 (the
 * default, given or not): 180 s and 900 s; P = 20: 60 s and 300 s; P = 45:
 * 135 s and 675 s (the tasks run from about 13 s, before the first). */
static void test_service_scaling_period(void)
{
	char msg[600];
	int to;

	T_NEAR(aas_first("tm-aas", "", 2, 90, "", "scale-out", &to), 3 * 60);
	T_EQ(to, 4);
	T_NEAR(aas_first("tm-aas-60", ",\"serviceAutoScalingPeriodSeconds\":60", 2, 90, "", "scale-out", &to), 180);
	T_NEAR(aas_first("tm-aas-p", ",\"serviceAutoScalingPeriodSeconds\":20", 2, 90, "", "scale-out", &to), 3 * 20);
	T_EQ(to, 4);
	T_NEAR(aas_first("tm-aas-p45", ",\"serviceAutoScalingPeriodSeconds\":45", 2, 90, "", "scale-out", &to), 3 * 45);
	T_NEAR(aas_first("tm-aas-pd", ",\"serviceAutoScalingPeriodSeconds\":20", 2, 90, ",\"scaleOutDatapoints\":2",
			 "scale-out", &to), 2 * 20);
	T_NEAR(aas_first("tm-aas-in", "", 4, 10, "", "scale-in", &to), 15 * 60);
	T_EQ(to, 1);
	T_NEAR(aas_first("tm-aas-pin", ",\"serviceAutoScalingPeriodSeconds\":20", 4, 10, "", "scale-in", &to), 15 * 20);
	T_EQ(to, 1);
	T_NEAR(aas_first("tm-aas-p45in", ",\"serviceAutoScalingPeriodSeconds\":45", 4, 10, "", "scale-in", &to), 15 * 45);
	/* out of range: the file, the JSON path and the reason */
	rs_write("tm-aas-bad.json", "{\"name\":\"bad\",\"durationSeconds\":10,\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"controlPlane\":{\"serviceAutoScalingPeriodSeconds\":0.5}}");
	T_EQ(rs_run_msg("tm-aas-bad.json", "tm-aas-bad", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "tm-aas-bad.json") && strstr(msg, "$.controlPlane.serviceAutoScalingPeriodSeconds") &&
		  strstr(msg, "0.5"));
	rs_write("tm-aas-bad2.json", "{\"name\":\"bad\",\"durationSeconds\":10,\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"controlPlane\":{\"serviceAutoScalingPeriodSeconds\":86401}}");
	T_EQ(rs_run_msg("tm-aas-bad2.json", "tm-aas-bad2", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "tm-aas-bad2.json") && strstr(msg, "$.controlPlane.serviceAutoScalingPeriodSeconds"));
}

/* ---- §5.10: scheduled actions at their own time ------------------------- */

/* The service's desired count in services.csv's row at `t` s. */
static int desired_at(const char *tag, double t)
{
	int n = rs_rows(tag, "services.csv");

	for (int r = 1; r <= n; r++)
		if (fabs(rs_num(tag, "services.csv", r, "time_s") - t) < 1e-6)
			return (int)rs_num(tag, "services.csv", r, "desired");
	return -1;
}

/* "At the specified time, Application Auto Scaling scales based on the new
 * capacity values" (scheduled scaling, docs/ecs-model.md §5.10, choice
 * E236): an action acts at its atSeconds and at each everySeconds after,
 * not at the next datapoint (every 60 s).  Worked out by hand: A (90 s,
 * every 300 s) sets min 5, B (240 s, every 300 s) max 2, each lifting the
 * other's bound: desired 2 → 5 at 90 s, 5 → 2 at 240 s, again at 390 s and
 * 540 s, ...: eight rows up to 1200 s (at 60 s datapoints they were at 120,
 * 240, 420, 540 s). */
static void test_service_scheduled_at_time(void)
{
	static const double at[] = { 90, 240, 390, 540, 690, 840, 990, 1140 };
	const char *tag = "tm-aas-sch";

	aas_run(tag, "", 2, 10, "",
	        ",\"scheduledActions\":[{\"name\":\"A\",\"atSeconds\":90,\"everySeconds\":300,"
	        "\"minCapacity\":5,\"maxCapacity\":10},"
	        "{\"name\":\"B\",\"atSeconds\":240,\"everySeconds\":300,\"minCapacity\":1,\"maxCapacity\":2}]", "");
	T_EQ(rs_rows(tag, "scaling.csv"), 8);
	for (int r = 1; r <= 8 && r <= rs_rows(tag, "scaling.csv"); r++) {
		char *a = rs_cell(tag, "scaling.csv", r, "action");

		CU_ASSERT(a && strcmp(a, "scheduled") == 0);
		free(a);
		T_NEAR(rs_num(tag, "scaling.csv", r, "time_s"), at[r - 1]);
		T_EQ((int)rs_num(tag, "scaling.csv", r, "new"), r % 2 ? 5 : 2);
	}
	/* the service follows: desired 5 in services.csv's row at 120 s */
	T_EQ(desired_at(tag, 120), 5);
}

/* An action and a datapoint at the same instant: the action first, so the
 * datapoint's policies see its bounds.  4 tasks at 10 % CPU, target 50 %:
 * the fifteenth datapoint (900 s) scales in to ceil(4 × 10 / 50) = 1; an
 * action at 900 s setting min 3 leaves 4 inside [3, 10] (no row), and the
 * scale-in stops at 3: one row, scale-in 4 → 3 at 900 s.  (Datapoint
 * first: 4 → 1, then the action 1 → 3.) */
static void test_service_scheduled_same_instant(void)
{
	const char *tag = "tm-aas-sch2";

	aas_run(tag, "", 4, 10, "",
	        ",\"targetTracking\":[{\"predefinedMetricType\":\"ECSServiceAverageCPUUtilization\","
	        "\"targetValue\":50}],"
	        "\"scheduledActions\":[{\"name\":\"floor\",\"atSeconds\":900,\"minCapacity\":3}]", "");
	T_EQ(rs_rows(tag, "scaling.csv"), 1);
	{
		char *a = rs_cell(tag, "scaling.csv", 1, "action");

		CU_ASSERT(a && strcmp(a, "scale-in") == 0);
		free(a);
	}
	T_NEAR(rs_num(tag, "scaling.csv", 1, "time_s"), 900);
	T_EQ((int)rs_num(tag, "scaling.csv", 1, "old"), 4);
	T_EQ((int)rs_num(tag, "scaling.csv", 1, "new"), 3);
}

/* The scalable target exists once CreateService has taken effect
 * (createdAtSeconds 300 + apiLatencySeconds 0.1 s): an action due before
 * acts then, right after the creation (an earlier version applied it to
 * the service not yet created, and the creation's desired count undid
 * it: desired 2 for good); one due after, at its time; no datapoint
 * before (none to take). */
static void test_service_scheduled_before_create(void)
{
	const char *tag = "tm-aas-sch3";

	aas_run(tag, "", 2, 10, ",\"createdAtSeconds\":300",
	        ",\"scheduledActions\":[{\"name\":\"early\",\"atSeconds\":0,\"minCapacity\":5},"
	        "{\"name\":\"late\",\"atSeconds\":450,\"minCapacity\":6}]", "");
	T_EQ(rs_rows(tag, "scaling.csv"), 2);
	T_NEAR(rs_num(tag, "scaling.csv", 1, "time_s"), 300.1);
	T_EQ((int)rs_num(tag, "scaling.csv", 1, "old"), 2);
	T_EQ((int)rs_num(tag, "scaling.csv", 1, "new"), 5);
	T_NEAR(rs_num(tag, "scaling.csv", 2, "time_s"), 450);
	T_EQ((int)rs_num(tag, "scaling.csv", 2, "new"), 6);
	T_EQ(desired_at(tag, 360), 5);
	T_EQ(desired_at(tag, 480), 6);
}

/* A deleted service is not ACTIVE: Application Auto Scaling's UpdateService
 * would fail (ServiceNotActiveException, docs/ecs-model.md choice E238),
 * so no scaling acts after DeleteService.  2 tasks at 90 % CPU, target
 * 50 %, a scheduled action at 600 s (min 5): without the delete the
 * service scales (tm-aas-del3: two rows or more); deleted at 100 s, its
 * tasks gone (no data, no scale-out), the action does nothing either:
 * scaling.csv stays empty, desired 0 (an earlier version wrote the
 * action's row, "2 → 5", for a service held at desired 0).  A delete
 * inside CreateService's latency drops the action held for the creation
 * too (an earlier version wrote it at the creation). */
static void test_service_scaling_after_delete(void)
{
	const char *tt = ",\"targetTracking\":[{\"predefinedMetricType\":\"ECSServiceAverageCPUUtilization\","
			 "\"targetValue\":50}],\"scheduledActions\":[{\"name\":\"up\",\"atSeconds\":600,\"minCapacity\":5}]";

	aas_run("tm-aas-del", "", 2, 90, "", tt, TRACE_HDR "100,delete_service,s,,,,\n");
	T_EQ(rs_rows("tm-aas-del", "scaling.csv"), 0);
	T_EQ(desired_at("tm-aas-del", 660), 0);
	aas_run("tm-aas-del2", "", 2, 10, ",\"createdAtSeconds\":300",
	        ",\"scheduledActions\":[{\"name\":\"early\",\"atSeconds\":0,\"minCapacity\":5}]",
	        TRACE_HDR "300.05,delete_service,s,,,,\n");
	T_EQ(rs_rows("tm-aas-del2", "scaling.csv"), 0);
	T_EQ(desired_at("tm-aas-del2", 360), 0);
	/* the same without the delete: the rows it stops */
	aas_run("tm-aas-del3", "", 2, 90, "", tt, "");
	CU_ASSERT(rs_rows("tm-aas-del3", "scaling.csv") >= 2);
}

/* ---- §7.7: UpdateService and DeleteService around CreateService ---------- */

/* `ecsim validate`'s errors (tracecheck_scenario's report), the first
 * `max` formatted into msg. */
struct vseen {
	char (*msg)[600];
	int max, n;
};

static void vcollect(const struct err *e, void *ctx)
{
	struct vseen *v = ctx;

	if (v->n < v->max)
		err_format(e, v->msg[v->n], sizeof v->msg[0]);
	v->n++;
}

/* A service `s` (2 tasks of `one`, createdAtSeconds `created`; API latency
 * 0.25 s) and the traces `traces` (a JSON list of file names): 0 when the
 * run succeeded, else -1 with its message in msg. */
static int svc_run(const char *tag, double created, const char *traces, char *msg, size_t n)
{
	char scn[4096], file[200];

	rs_write("tm-aas-td.json", "{\"family\":\"one\",\"containerDefinitions\":["
		 "{\"name\":\"a\",\"image\":\"a\",\"cpu\":128,\"memory\":128}]}");
	snprintf(scn, sizeof scn,
		 "{\"name\":\"%s\",\"durationSeconds\":600," TIMING AGENT
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		 "\"taskDefinitions\":{\"one\":\"tm-aas-td.json\",\"two\":\"tm-aas-td.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"one\",\"desiredCount\":2,"
		 "\"createdAtSeconds\":%g}],\"workload\":{\"traces\":[%s]}}",
		 tag, created, traces);
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scn);
	return rs_run_msg(file, tag, msg, n);
}

/* svc_run with the one trace `rows` (tag.csv). */
static int early_run(const char *tag, double created, const char *rows, char *msg, size_t n)
{
	char trace[200], list[220];

	snprintf(trace, sizeof trace, "%s.csv", tag);
	rs_write(trace, rows);
	snprintf(list, sizeof list, "\"%s\"", trace);
	return svc_run(tag, created, list, msg, n);
}

/* A call made after CreateService but before it takes effect (its API
 * latency, 0.25 s here) acts right after the creation, in call order: a
 * trace's `0,set_desired,s,,5` at the scenario's start gives 5 tasks (an
 * earlier version applied it to the service not yet created, whose
 * creation reset it: 2), a deploy at 100.1 s of a service created at
 * 100 s makes its second deployment at 100.25 s (it was dropped).  A call
 * before CreateService finds no service: the row is refused (file, line,
 * the reason; exit 2 from the command line). */
static void test_update_before_create(void)
{
	char msg[600];
	int n, deps = 0;

	T_EQ(early_run("tm-early", 0, TRACE_HDR "0,set_desired,s,,5,,\n", msg, sizeof msg), 0);
	n = rs_rows("tm-early", "services.csv");
	CU_ASSERT(n > 2);
	T_EQ((int)rs_num("tm-early", "services.csv", n, "desired"), 5);
	T_EQ((int)rs_num("tm-early", "services.csv", n, "running"), 5);

	T_EQ(early_run("tm-early2", 100, TRACE_HDR "100.1,deploy,s,two,,,\n", msg, sizeof msg), 0);
	n = rs_rows("tm-early2", "deployments.csv");
	for (int r = 1; r <= n; r++) {
		char *st = rs_cell("tm-early2", "deployments.csv", r, "stage");

		if (st && strcmp(st, "IN_PROGRESS") == 0) {
			T_NEAR(rs_num("tm-early2", "deployments.csv", r, "time_s"), 100.25);
			deps++;
		}
		free(st);
	}
	T_EQ(deps, 2);

	T_EQ(early_run("tm-early3", 100, TRACE_HDR "50,set_desired,s,,5,,\n", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "tm-early3.csv:2") && strstr(msg, "createdAtSeconds") &&
		  strstr(msg, "UpdateService") && strstr(msg, "ServiceNotFoundException"));
	T_EQ(early_run("tm-early4", 100, TRACE_HDR "99.999,delete_service,s,,,,\n", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "tm-early4.csv:2") && strstr(msg, "DeleteService"));
	/* a DAEMON service has no desired count: ECS refuses one in
	 * UpdateService as in CreateService (it was dropped silently) */
	rs_write("tm-early5.csv", TRACE_HDR "10,set_desired,d,,5,,\n");
	rs_write("tm-early5.json", "{\"name\":\"tm-early5\",\"durationSeconds\":60,"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1}],"
		 "\"taskDefinitions\":{\"one\":\"tm-aas-td.json\"},"
		 "\"services\":[{\"serviceName\":\"d\",\"taskDefinition\":\"one\",\"schedulingStrategy\":\"DAEMON\"}],"
		 "\"workload\":{\"traces\":[\"tm-early5.csv\"]}}");
	T_EQ(rs_run_msg("tm-early5.json", "tm-early5", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "tm-early5.csv:2") && strstr(msg, "DAEMON") && strstr(msg, "desired count"));
}

/* The errors `ecsim validate` (models/tracecheck.c) reports for early_run's
 * scenario `tag`, formatted into got (n of them), without running it. */
static int early_validate(const char *tag, char got[][600], int max)
{
	struct scenario *s;
	struct err e;
	char p[400];
	struct vseen v = { got, max, 0 };
	long rows = 0;

	snprintf(p, sizeof p, "%s/%s.json", rs_dir(), tag);
	err_clear(&e);
	s = scenario_load(p, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	tracecheck_scenario(s, vcollect, &v, &rows);
	scenario_free(s);
	return v.n;
}

/* UpdateService on a service already deleted fails: "The specified service
 * isn't active. You can't update a service that's inactive"
 * (ServiceNotActiveException, docs/ecs-model.md choice E238).  A set_desired
 * or deploy row after the service's delete_service row is refused (file,
 * line, the deletion's time and the exception), also at the same instant
 * (the calls are made in row order) and by `ecsim validate` at the target
 * column; a second delete_service is taken and changes nothing (AWS answers
 * DeleteService on a deleted service with the service).  Before, both rows
 * were taken and dropped silently (the service stayed at desired 0), and a
 * deploy on a DRAINING service started a deployment. */
static void test_update_after_delete(void)
{
	char msg[600], got[4][600];
	int n;

	T_EQ(early_run("tm-del1", 0, TRACE_HDR "10,delete_service,s,,,,\n20,set_desired,s,,5,,\n", msg, sizeof msg),
	     -1);
	CU_ASSERT(strstr(msg, "tm-del1.csv:3") && strstr(msg, "deleted at 10.000 s") &&
		  strstr(msg, "ServiceNotActiveException"));
	T_EQ(early_run("tm-del2", 0, TRACE_HDR "10,delete_service,s,,,,\n10,deploy,s,two,,,\n", msg, sizeof msg),
	     -1);
	CU_ASSERT(strstr(msg, "tm-del2.csv:3") && strstr(msg, "ServiceNotActiveException"));
	n = early_validate("tm-del2", got, 4);
	T_EQ(n, 1);
	if (n >= 1)
		CU_ASSERT(strstr(got[0], "tm-del2.csv:3:3: target: ") && strstr(got[0], "ServiceNotActiveException"));
	/* inside CreateService's latency (0.25 s): the delete is queued for
	 * the creation, the update after it is refused all the same */
	T_EQ(early_run("tm-del3", 0, TRACE_HDR "0,delete_service,s,,,,\n0.1,set_desired,s,,3,,\n", msg, sizeof msg),
	     -1);
	CU_ASSERT(strstr(msg, "tm-del3.csv:3") && strstr(msg, "ServiceNotActiveException"));
	/* an update before the delete is taken; a second delete changes nothing */
	T_EQ(early_run("tm-del4", 0,
		       TRACE_HDR "5,set_desired,s,,4,,\n10,delete_service,s,,,,\n30,delete_service,s,,,,\n", msg,
		       sizeof msg), 0);
	n = rs_rows("tm-del4", "services.csv");
	CU_ASSERT(n > 2);
	T_EQ((int)rs_num("tm-del4", "services.csv", n, "desired"), 0);
	T_EQ((int)rs_num("tm-del4", "services.csv", n, "running"), 0);
	T_EQ(early_validate("tm-del4", got, 4), 0);
}

/* svc_run (created at 0 s) with two traces, `a` then `b` (tag-a.csv,
 * tag-b.csv). */
static int two_run(const char *tag, const char *a, const char *b, char *msg, size_t n)
{
	char ta[200], tb[200], list[420];

	snprintf(ta, sizeof ta, "%s-a.csv", tag);
	snprintf(tb, sizeof tb, "%s-b.csv", tag);
	rs_write(ta, a);
	rs_write(tb, b);
	snprintf(list, sizeof list, "\"%s\",\"%s\"", ta, tb);
	return svc_run(tag, 0, list, msg, n);
}

/* `ecsim validate` decides an UpdateService after a DeleteService made in
 * another trace of the scenario as the run does (choice E238; an earlier
 * version checked each trace alone and passed what the run refused): the
 * rows in the run's order (choice E40): by time; at one instant the traces
 * in the order their row of the instant was scheduled (the first rows in
 * file order, a later row when the row before it in its file ran), a trace
 * going on with its rows of the instant before another's.  Each case: the
 * run's outcome, and validate reporting the same row or nothing. */
static void test_update_after_delete_across_traces(void)
{
	static const struct {
		const char *a, *b;
		const char *where;        /* the refused row, NULL when the run succeeds */
	} cases[] = {
		/* later, in another trace */
		{ TRACE_HDR "10,delete_service,s,,,,\n", TRACE_HDR "20,set_desired,s,,5,,\n", "-b.csv:2" },
		/* the same instant, first rows: file order */
		{ TRACE_HDR "10,delete_service,s,,,,\n", TRACE_HDR "10,set_desired,s,,5,,\n", "-b.csv:2" },
		{ TRACE_HDR "10,set_desired,s,,5,,\n", TRACE_HDR "10,delete_service,s,,,,\n", NULL },
		/* b's row of 10 s was scheduled at the start, a's when its row
		 * of 5 s ran: b's first */
		{ TRACE_HDR "5,set_desired,s,,3,,\n10,deploy,s,two,,,\n", TRACE_HDR "10,delete_service,s,,,,\n",
		  "-a.csv:3" },
		/* a's rows of one instant run together, before b's */
		{ TRACE_HDR "10,set_desired,s,,3,,\n10,set_desired,s,,4,,\n", TRACE_HDR "10,delete_service,s,,,,\n",
		  NULL },
		/* the same, the delete first */
		{ TRACE_HDR "10,delete_service,s,,,,\n10,delete_service,s,,,,\n", TRACE_HDR "10,set_desired,s,,4,,\n",
		  "-b.csv:2" },
	};
	char msg[600], got[4][600], tag[40], want[80];

	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		int rc, n;

		snprintf(tag, sizeof tag, "tm-xdel%zu", c);
		rc = two_run(tag, cases[c].a, cases[c].b, msg, sizeof msg);
		n = early_validate(tag, got, 4);
		if (!cases[c].where) {
			T_EQ(rc, 0);
			T_EQ(n, 0);
			continue;
		}
		snprintf(want, sizeof want, "%s%s", tag, cases[c].where);
		T_EQ(rc, -1);
		CU_ASSERT(strstr(msg, want) && strstr(msg, "ServiceNotActiveException"));
		T_EQ(n, 1);
		snprintf(want, sizeof want, "%s%s:3: target: ", tag, cases[c].where);
		if (n >= 1)
			CU_ASSERT(strstr(got[0], want) && strstr(got[0], "ServiceNotActiveException"));
	}
}

/* ---- §5.6: the circuit breaker's thresholdConfiguration ------------------- */

struct brk {
	int failed_at_trip;      /* the count when the deployment went FAILED, -1 = never */
};

static void brk_observe(struct backplane *bp, void *ctx)
{
	struct brk *b = ctx;
	const struct svc *v;

	if (b->failed_at_trip >= 0 || svc_sched(bp)->n_svcs < 1 || !svc_sched(bp)->svcs[0].active)
		return;
	v = &svc_sched(bp)->svcs[0];
	for (int i = 0; i < v->n_deps; i++)
		if (v->deps[i].rollout == ROLL_FAILED)
			b->failed_at_trip = v->deps[i].failed_tasks;
}

/* A service of 10 deploys a revision whose tasks never start: the
 * deployment FAILS when its count of failures reaches the threshold. */
static int breaker_trips_at(const char *tag, const char *threshold)
{
	struct brk b = { -1 };
	char scn[4096], file[200];

	snprintf(scn, sizeof scn,
		 "{\"name\":\"%s\",\"durationSeconds\":1500," TIMING AGENT
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":4}],"
		 "\"taskDefinitions\":{\"one\":\"tm-spot-td.json\","
		 "\"broken\":{\"file\":\"tm-none.json\",\"startFailureProbability\":1}},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"one\",\"desiredCount\":10,"
		 "\"deploymentConfiguration\":{\"deploymentCircuitBreaker\":{\"enable\":true%s}}}],"
		 "\"workload\":{\"traces\":[\"tm-brk.csv\"]}}", tag, threshold);
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scn);
	rs_write("tm-brk.csv", TRACE_HDR "200,deploy,s,broken,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, brk_observe, &b), 0);
	return b.failed_at_trip;
}

static void test_breaker_threshold(void)
{
	char msg[600];

	/* BOUNDED_PERCENT 50 by default: clamp(ceil(0.5 × 10), 3, 200) = 5 */
	T_EQ(breaker_trips_at("tm-brk", ""), 5);
	T_EQ(breaker_trips_at("tm-brk-b", ",\"thresholdConfiguration\":{\"type\":\"BOUNDED_PERCENT\",\"value\":50}"), 5);
	/* 20 % of 10 = 2, raised to the minimum 3 */
	T_EQ(breaker_trips_at("tm-brk-b20", ",\"thresholdConfiguration\":{\"type\":\"BOUNDED_PERCENT\",\"value\":20}"), 3);
	T_EQ(breaker_trips_at("tm-brk-b70", ",\"thresholdConfiguration\":{\"type\":\"BOUNDED_PERCENT\",\"value\":70}"), 7);
	/* unbounded: 2 */
	T_EQ(breaker_trips_at("tm-brk-u20", ",\"thresholdConfiguration\":{\"type\":\"UNBOUNDED_PERCENT\",\"value\":20}"), 2);
	/* COUNT: the value itself */
	T_EQ(breaker_trips_at("tm-brk-c", ",\"thresholdConfiguration\":{\"type\":\"COUNT\",\"value\":7}"), 7);
	rs_write("tm-brk-bad.json", "{\"name\":\"bad\",\"durationSeconds\":10,\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"taskDefinitions\":{\"one\":\"tm-spot-td.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"one\",\"desiredCount\":1,"
		 "\"deploymentConfiguration\":{\"deploymentCircuitBreaker\":{\"enable\":true,"
		 "\"thresholdConfiguration\":{\"type\":\"PERCENT\",\"value\":50}}}}]}");
	T_EQ(rs_run_msg("tm-brk-bad.json", "tm-brk-bad", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "tm-brk-bad.json") && strstr(msg, "$.services[0].deploymentConfiguration."
							    "deploymentCircuitBreaker.thresholdConfiguration.type"));
	rs_write("tm-brk-bad2.json", "{\"name\":\"bad\",\"durationSeconds\":10,\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"taskDefinitions\":{\"one\":\"tm-spot-td.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"one\",\"desiredCount\":1,"
		 "\"deploymentConfiguration\":{\"deploymentCircuitBreaker\":{\"enable\":true,"
		 "\"thresholdConfiguration\":{\"type\":\"COUNT\",\"value\":0}}}}]}");
	T_EQ(rs_run_msg("tm-brk-bad2.json", "tm-brk-bad2", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "thresholdConfiguration.value") != NULL);
}

static CU_TestInfo timing_tests[] = {
	{ "healthy at the first container check (interval)", test_healthy_at_first_check },
	{ "healthy at the first check after healthCheckSeconds", test_healthy_after_ready },
	{ "healthy: essential containers only", test_healthy_essential_only },
	{ "healthy on Fargate by the same rule", test_healthy_fargate },
	{ "rolling deployment follows the health checks", test_rollout_follows_health },
	{ "stop grace: every container's stopTimeout or the default", test_stop_grace_mixed },
	{ "stop grace: a container whose run ends first has exited", test_stop_ends_at_own_exit },
	{ "stop grace: each container's own exit, the task with its last", test_stop_grace_own_runs },
	{ "EC2 Spot: terminated spot.warningSeconds after the notice", test_spot_warning },
	{ "managed scaling: period and scale-in datapoints", test_managed_scaling_timing },
	{ "service auto scaling: datapoint period", test_service_scaling_period },
	{ "service auto scaling: a scheduled action at its own time", test_service_scheduled_at_time },
	{ "service auto scaling: a scheduled action before a datapoint", test_service_scheduled_same_instant },
	{ "service auto scaling: a scheduled action before the service exists", test_service_scheduled_before_create },
	{ "UpdateService and DeleteService before CreateService takes effect", test_update_before_create },
	{ "UpdateService after DeleteService", test_update_after_delete },
	{ "UpdateService after DeleteService in another trace", test_update_after_delete_across_traces },
	{ "no scaling after DeleteService", test_service_scaling_after_delete },
	{ "circuit breaker: thresholdConfiguration", test_breaker_threshold },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "timing fidelity", setup, rs_teardown, NULL, NULL, timing_tests },
	CU_SUITE_INFO_NULL,
};
