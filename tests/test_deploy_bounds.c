/* tests/test_deploy_bounds.c — the rolling deployment's two bounds
 * (docs/ecs-model.md §5.5), each case of the rule's own examples run as a
 * scenario and checked after every event:
 *
 *   minHealthy = ceil(desired × minimumHealthyPercent / 100)
 *   maxTasks   = floor(desired × maximumPercent / 100)
 *
 * desired 2 at min 75 % cannot stop a task before a new one is healthy;
 * desired 3 at max 125 % cannot start one before an old one stops;
 * desired 2 at 75 % / 125 %, and min 100 / max 100, can do neither: the
 * deployment waits for ever, and so does draining at min 100 / max 100
 * (§5.15); static host ports with one instance per task wait too.  A
 * lower desired count mid-deployment lowers the bound from the next pass
 * (choice E112).  A task stopped for a DRAINING instance counts toward
 * maximumPercent until it has stopped (§5.15, choice E237): at max 100 %
 * its replacement waits for its stop, at max 200 % it does not.
 * test_service.c's rolling-deployment test is the general case. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/svcobs.h"
#include "helpers/tdefs.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/service_int.h"

#define TIMING TIMING_BY_HAND

#define BODY TIMING "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
#define HEAD(name, dur) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," BODY

static const char *td_v1 =
	"{\"family\":\"app\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":256,\"memory\":512}]}";
static const char *td_v2 =
	"{\"family\":\"app\",\"revision\":2,\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x:2\",\"cpu\":256,"
	"\"memory\":512}]}";
/* bridge mode, host port 80: one such task per instance (§1.8) */
static const char *td_port1 =
	"{\"family\":\"web\",\"networkMode\":\"bridge\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"w\","
	"\"cpu\":256,\"memory\":512,\"portMappings\":[{\"containerPort\":80,\"hostPort\":80}]}]}";
static const char *td_port2 =
	"{\"family\":\"web\",\"revision\":2,\"networkMode\":\"bridge\",\"containerDefinitions\":[{\"name\":\"a\","
	"\"image\":\"w:2\",\"cpu\":256,\"memory\":512,\"portMappings\":[{\"containerPort\":80,\"hostPort\":80}]}]}";

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("v1.json", td_v1);
	rs_write("v2.json", td_v2);
	rs_write("p1.json", td_port1);
	rs_write("p2.json", td_port2);
	return 0;
}

/* What one service's tasks did, sampled after every event.  Live: desired
 * status RUNNING (what maximumPercent bounds); healthy: live and healthy
 * (what minimumHealthyPercent bounds); new: of a deployment after the
 * first.  `steady` once the first deployment had all its tasks healthy. */
struct obs {
	int steady, samples;
	int over_max, under_min;           /* events breaking a bound */
	int64_t max_live, min_healthy;     /* extremes seen once steady */
	int64_t max_new_live;              /* new tasks live at once, at most */
	int old_stopped_early;             /* an old task stopped with fewer than minHealthy others healthy */
	int64_t old_live_end, new_live_end;
	/* events with more live tasks than maxTasks more than 1 s after the
	 * desired count last changed (the pass after a change comes
	 * apiLatencySeconds later: until then the tasks are the old count's) */
	int late_over;
	int64_t last_desired;
	sim_time_t changed_at;
};

static void observe(struct backplane *bp, void *ctx)
{
	struct obs *o = ctx;
	struct svc *v;
	struct so_count n;

	if (!(v = so_service(bp)))
		return;
	so_count(bp, v, &n);
	if (!o->steady && n.healthy >= v->desired) {
		o->steady = 1;
		o->min_healthy = n.healthy;
	}
	o->samples++;
	if (n.live > n.max_tasks)
		o->over_max++;
	if (v->desired != o->last_desired) {
		o->last_desired = v->desired;
		o->changed_at = sim_now(bp->sim);
	}
	if (n.live > n.max_tasks && sim_now(bp->sim) - o->changed_at > 1000)
		o->late_over++;
	if (o->steady) {
		if (n.healthy < n.min_healthy)
			o->under_min++;
		if (n.live > o->max_live)
			o->max_live = n.live;
		if (n.healthy < o->min_healthy)
			o->min_healthy = n.healthy;
	}
	if (n.new_live > o->max_new_live)
		o->max_new_live = n.new_live;
	o->old_live_end = n.live - n.new_live;
	o->new_live_end = n.new_live;
}

/* Run scenario `name` (written by the caller) into tag, observed. */
static void run(const char *name, const char *tag, struct obs *o)
{
	memset(o, 0, sizeof *o);
	CU_ASSERT_EQUAL_FATAL(rs_run(name, tag, NULL, observe, o), 0);
	CU_ASSERT(o->samples > 10);
	CU_ASSERT(o->steady);
}

/* A scenario: `groups` instance groups, service "s" of v1 (or the port
 * definitions) at `desired`, min/max percent, a deploy to v2 at 300 s. */
static void write_deploy(const char *file, const char *trace, int count, int desired, int min_pct, int max_pct,
			 int ports, int dur)
{
	char buf[2048], tr[256];

	snprintf(buf, sizeof buf,
		 "{\"name\":\"db\",\"durationSeconds\":%d," BODY
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":%d}],"
		 "\"taskDefinitions\":{\"v1\":\"%s\",\"v2\":\"%s\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":%d,"
		 "\"deploymentConfiguration\":{\"minimumHealthyPercent\":%d,\"maximumPercent\":%d}}],"
		 "\"workload\":{\"traces\":[\"%s\"]}}",
		 dur, count, ports ? "p1.json" : "v1.json", ports ? "p2.json" : "v2.json", desired, min_pct, max_pct,
		 trace);
	rs_write(file, buf);
	snprintf(tr, sizeof tr, "time_s,event,target,taskdef,count,duration_s,group\n300,deploy,s,v2,,,\n");
	rs_write(trace, tr);
}

/* Deploy v2 to service "s" of `desired` tasks at min/max percent over two
 * instances, for `dur` seconds, into out-<tag>: neither bound is ever
 * passed. */
static void deploy_run(const char *tag, int desired, int min_pct, int max_pct, int dur, struct obs *o)
{
	char file[32], trace[32];

	snprintf(file, sizeof file, "%s.json", tag);
	snprintf(trace, sizeof trace, "%s.csv", tag);
	write_deploy(file, trace, 2, desired, min_pct, max_pct, 0, dur);
	run(file, tag, o);
	T_EQ(o->over_max, 0);
	T_EQ(o->under_min, 0);
}

/* A deployment that completes: desired `desired` at min/max percent over
 * two instances, never past either bound; at most `max_live` tasks live at
 * once and at least `min_healthy` healthy (each bound is used), then only
 * new tasks. */
static void completes(const char *tag, int desired, int min_pct, int max_pct, int64_t max_live, int64_t min_healthy)
{
	struct obs o;

	deploy_run(tag, desired, min_pct, max_pct, 1200, &o);
	T_EQ(o.max_live, max_live);
	T_EQ(o.min_healthy, min_healthy);
	T_EQ(o.old_live_end, 0);
	T_EQ(o.new_live_end, desired);
	RS_IS(tag, "services.csv", -1, "deployments", "1");
}

/* desired 2, min 75 %: ceil(1.5) = 2, so no old task may stop before a
 * new one is healthy (never one below 2); max 200 % lets both new ones
 * start first (4 live). */
static void test_min_blocks_stops(void)
{
	completes("a", 2, 75, 200, 4, 2);
}

/* desired 3, max 125 %: floor(3.75) = 3, so no new task may start before
 * an old one stops (never one above 3); min 50 % (ceil(1.5) = 2) lets one
 * stop at a time. */
static void test_max_blocks_starts(void)
{
	completes("b", 3, 50, 125, 3, 2);
}

/* desired 4, min 50 %, max 100 %: "may stop 2 old tasks first" — the
 * deployment goes down to 2 healthy, never above 4 live. */
static void test_min_50_stops_two(void)
{
	completes("c", 4, 50, 100, 4, 2);
}

/* maximumPercent bounds the RUNNING/PENDING tasks only (§5.5): a task the
 * pass stops holds no room, so the pass that stops old tasks launches
 * their replacements at once ("may stop 2 old tasks first", then start 2
 * new ones), however long the old ones take to stop.  Desired 4 over two
 * m5.large, min 50 % (2 healthy), a deploy at 300 s, acted on after the
 * API latency: 300.25.  By hand, with this file's timings:
 *
 *   max 100 % (4): 300.25 stop 2 old (DEACTIVATING 300.75), launch 2 new;
 *     placed 301.25, RUNNING 313.75 (network 0.5 + pull 10 + start 2),
 *     healthy 353.75 (40 s), pass 363.75: stop the other 2 (364.25),
 *     launch 2 (placed 364.75, image cached: RUNNING 368.25), healthy
 *     408.25, pass 418.25: COMPLETED.
 *   max 150 % (6): 300.25 launch 2 (6 live), stop 2 old, then 2 more in
 *     the same pass (4 new + 2 old = 6); all RUNNING 313.75, healthy
 *     353.75, pass 363.75 stops the last 2 old; their stop seen 0.5 s
 *     after it ends (shutdown 30 s: 394.25 + 0.5), pass 10 s later,
 *     404.75: COMPLETED.
 *
 * The old code launched only at the pass after the stops ended
 * (stop + scheduler delay: 314.25 at shutdown 3 s, 341.25 at 30 s).  Both
 * bounds are checked after every event. */
static void same_pass(const char *tag, int max_pct, int shutdown, const double *submits, int n_submits,
		      double completed, int64_t max_live)
{
	char buf[2048], file[32], trace[32];
	struct obs o;
	double deact[2] = { 300.75, 364.25 };
	int n, n_new = 0, n_old[2] = { 0, 0 }, r;

	snprintf(file, sizeof file, "%s.json", tag);
	snprintf(trace, sizeof trace, "%s.csv", tag);
	snprintf(buf, sizeof buf,
		 "{\"name\":\"sp\",\"durationSeconds\":1200,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25,"
		 "\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatTimeoutSeconds\":60,"
		 "\"heartbeatJitterSeconds\":0},"
		 "\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1,"
		 "\"containerStartSeconds\":2,\"shutdownSeconds\":%d},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		 "\"taskDefinitions\":{\"v1\":\"v1.json\",\"v2\":\"v2.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":4,"
		 "\"deploymentConfiguration\":{\"minimumHealthyPercent\":50,\"maximumPercent\":%d}}],"
		 "\"workload\":{\"traces\":[\"%s\"]}}",
		 shutdown, max_pct, trace);
	rs_write(file, buf);
	rs_write(trace, "time_s,event,target,taskdef,count,duration_s,group\n300,deploy,s,v2,,,\n");
	run(file, tag, &o);
	T_EQ(o.over_max, 0);
	T_EQ(o.under_min, 0);
	T_EQ(o.max_live, max_live);
	T_EQ(o.min_healthy, 2);
	n = rs_rows(tag, "tasks.csv");
	T_EQ(n, 8);
	for (r = 1; r <= n; r++) {
		char *td = rs_cell(tag, "tasks.csv", r, "taskdef");

		if (td && strcmp(td, "app:2") == 0) {
			double s = rs_num(tag, "tasks.csv", r, "submit_s");
			int hit = 0;

			for (int k = 0; k < n_submits; k++)
				hit += fabs(s - submits[k]) < 1e-6;
			if (!hit) {
				char m[120];

				snprintf(m, sizeof m, "new task submitted at %.3f", s);
				T_FAIL(m);
			}
			n_new++;
		} else {
			double d = rs_num(tag, "tasks.csv", r, "deactivating_s");

			n_old[0] += fabs(d - deact[0]) < 1e-6;
			n_old[1] += fabs(d - deact[1]) < 1e-6;
		}
		free(td);
	}
	T_EQ(n_new, 4);
	T_EQ(n_old[0], 2);
	T_EQ(n_old[1], 2);
	RS_IS(tag, "deployments.csv", -1, "stage", "COMPLETED");
	T_NEAR(rs_num(tag, "deployments.csv", -1, "time_s"), completed);
}

static void test_max_100_launch_with_stops(void)
{
	const double at[] = { 300.25, 363.75 };

	same_pass("sp1", 100, 3, at, 2, 418.25, 4);
	same_pass("sp2", 100, 30, at, 2, 418.25, 4);   /* a slow stop changes nothing */
}

static void test_max_150_launch_with_stops(void)
{
	const double at[] = { 300.25 };

	same_pass("sp3", 150, 30, at, 1, 404.75, 6);
}

/* A lower desired count during a rolling deployment (docs/ecs-model.md
 * §5.5, choice E112): the bound is floor(new desired × maximumPercent /
 * 100) from the pass that follows.  Desired 7 at min 50 / max 100, a
 * deploy at 300 s (3 old tasks stopped, 3 new launched), desired 2 at
 * 325 s, before the new tasks are healthy: the older target falls to
 * floor(4 × 2 / 7) = 1, that task stays (1 healthy = ceil(2 × 50 %)), so
 * only one new task may be live beside it (maxTasks 2): the others not
 * yet healthy go at the pass.  The old code stopped only the primary's
 * tasks above the desired count 2 and left 3 live for 38 s (until the new
 * ones were healthy).  Then the rollout completes with 2 new tasks. */
static void test_lower_desired_mid_deploy(void)
{
	struct obs o;

	write_deploy("ld.json", "ld.csv", 2, 7, 50, 100, 0, 1200);
	rs_write("ld.csv", "time_s,event,target,taskdef,count,duration_s,group\n300,deploy,s,v2,,,\n"
		 "325,set_desired,s,,2,,\n");
	run("ld.json", "ld", &o);
	T_EQ(o.late_over, 0);
	T_EQ(o.under_min, 0);
	T_EQ(o.old_live_end, 0);
	T_EQ(o.new_live_end, 2);
	RS_IS("ld", "deployments.csv", -1, "stage", "COMPLETED");
	RS_IS("ld", "services.csv", -1, "deployments", "1");
}

/* The same at max 150 % down to desired 1: ceil(1 × 50 %) = 1 and
 * floor(1 × 150 %) = 1, the guide's case of a deployment that can
 * neither stop nor start a task (§5.5).  The old task is the one healthy
 * task and stays; the new ones, not yet healthy, go; the deployment
 * waits, and says so.  The old code kept a new task beside the old one
 * (2 live above maxTasks 1) until it was healthy, then completed. */
static void test_lower_desired_to_stuck(void)
{
	struct obs o;

	write_deploy("lk.json", "lk.csv", 2, 7, 50, 150, 0, 1200);
	rs_write("lk.csv", "time_s,event,target,taskdef,count,duration_s,group\n300,deploy,s,v2,,,\n"
		 "325,set_desired,s,,1,,\n");
	run("lk.json", "lk", &o);
	T_EQ(o.late_over, 0);
	T_EQ(o.under_min, 0);
	T_EQ(o.old_live_end, 1);
	T_EQ(o.new_live_end, 0);
	RS_IS("lk", "deployments.csv", -1, "stage", "IN_PROGRESS");
	CU_ASSERT(rs_find("lk", "service_events.csv", "event_type", "SERVICE_DEPLOYMENT_CONFIGURATION_BLOCKED") > 0);
}

/* Neither bound lets the scheduler start or stop a task: the deployment
 * waits (for the whole hour) with the old tasks running and no new one. */
static void stuck(const char *tag, int desired, int min_pct, int max_pct)
{
	struct obs o;

	deploy_run(tag, desired, min_pct, max_pct, 3600, &o);
	T_EQ(o.max_new_live, 0);
	T_EQ(o.old_live_end, desired);
	T_EQ(o.min_healthy, desired);
	RS_IS(tag, "services.csv", -1, "deployments", "2");
}

static void test_stuck_75_125(void)
{
	stuck("d", 2, 75, 125);            /* ceil(1.5) = 2 = floor(2.5) */
}

static void test_stuck_100_100(void)
{
	stuck("e", 3, 100, 100);
}

/* Static host ports, one instance per task: max 200 % would allow new
 * tasks but no instance has the port free, and min 100 % stops no old
 * one: stuck, each launch failing on the port (RESOURCE:PORTS). */
static void test_stuck_static_ports(void)
{
	struct obs o;

	write_deploy("f.json", "f.csv", 3, 3, 100, 200, 1, 3600);
	run("f.json", "f", &o);
	T_EQ(o.over_max, 0);
	T_EQ(o.under_min, 0);
	T_EQ(o.old_live_end, 3);
	T_EQ(o.min_healthy, 3);
	CU_ASSERT(rs_rows("f", "placement_failures.csv") >= 1);
	RS_IS("f", "placement_failures.csv", 1, "reason", "RESOURCE:PORTS");
	RS_IS("f", "services.csv", -1, "deployments", "2");
	{
		/* no new task ever ran */
		int n = rs_rows("f", "tasks.csv"), v2_ran = 0;

		for (int r = 1; r <= n; r++) {
			char *td = rs_cell("f", "tasks.csv", r, "taskdef");
			char *st = rs_cell("f", "tasks.csv", r, "started_s");

			v2_ran += strcmp(td, "web:2") == 0 && st && *st;
			free(td);
			free(st);
		}
		T_EQ(v2_ran, 0);
	}
}

/* §5.15: draining at min 100 / max 100 cannot stop the draining task
 * (no healthy replacement yet) nor start its replacement (max): the
 * instance keeps its task for the whole run.  At max 200 the same drain
 * completes (test_service.c's draining test). */
static void test_drain_stuck_100_100(void)
{
	struct obs o;
	int n, on1 = 0;

	rs_write("g.json", HEAD("g", 1800)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":3}],"
		 "\"taskDefinitions\":{\"v1\":\"p1.json\"},"
		 "\"placement\":{\"tieBreak\":\"first\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":2,"
		 "\"deploymentConfiguration\":{\"minimumHealthyPercent\":100,\"maximumPercent\":100}}],"
		 "\"workload\":{\"traces\":[\"g.csv\"]}}");
	rs_write("g.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "300,drain_instance,ci-00001,,,,\n");
	run("g.json", "g", &o);
	T_EQ(o.over_max, 0);
	T_EQ(o.under_min, 0);
	T_EQ(o.max_live, 2);
	n = rs_rows("g", "tasks.csv");
	T_EQ(n, 2);                        /* no replacement was ever launched */
	for (int r = 1; r <= n; r++) {
		char *stop = rs_cell("g", "tasks.csv", r, "stop_s");
		char *inst = rs_cell("g", "tasks.csv", r, "instance_id");

		CU_ASSERT(stop && !*stop);
		on1 += inst && strcmp(inst, "ci-00001") == 0;
		free(stop);
		free(inst);
	}
	T_EQ(on1, 1);                      /* the draining instance still holds its task */
}

/* §5.15: a service task still PENDING on an instance that starts draining
 * is stopped at once (it never reaches RUNNING there), and its replacement
 * goes elsewhere.  Placed at 1 s on ci-00001 (tie-break first), PENDING
 * from 1.5 s until RUNNING at 13.5 s (network 0.5 + pull 10 + start 2);
 * the drain at 5 s. */
static void test_drain_stops_pending(void)
{
	int r;

	rs_write("h.json", HEAD("h", 600)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		 "\"taskDefinitions\":{\"v1\":\"v1.json\"},"
		 "\"placement\":{\"tieBreak\":\"first\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":1}],"
		 "\"workload\":{\"traces\":[\"h.csv\"]}}");
	rs_write("h.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "5,drain_instance,ci-00001,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("h.json", "h", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("h", "tasks.csv"), 2);
	r = rs_find("h", "tasks.csv", "instance_id", "ci-00001");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("h", "tasks.csv", r, "running_s", "");
	RS_IS("h", "tasks.csv", r, "stop_code", "ServiceSchedulerInitiated");
	CU_ASSERT(rs_num("h", "tasks.csv", r, "deactivating_s") <= 5.0 + 1e-9 ||
		  rs_num("h", "tasks.csv", r, "stopping_s") <= 5.0 + 1e-9);
	r = rs_find("h", "tasks.csv", "instance_id", "ci-00002");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("h", "tasks.csv", r, "stop_s", "");
}

/* §5.15: a RUNNING service task stopped because its instance is DRAINING
 * counts toward maximumPercent until it has stopped (choice E237), so at
 * max 100 % its replacement starts only after it has stopped ("the
 * scheduler can't start replacement tasks until the draining tasks have
 * stopped"); at max 200 % the replacements start first.  Sampled after
 * every event: the service's live tasks (RUNNING or PENDING) plus its
 * tasks on the drained instance (ci-00001) still stopping, at most. */
struct drain_obs {
	int samples;
	int64_t max_held;           /* live + drained still stopping, at most */
};

static void drain_observe(struct backplane *bp, void *ctx)
{
	struct drain_obs *o = ctx;
	const struct cluster *cl = backplane_cluster(bp);
	struct svc *v;
	int64_t held = 0;

	if (!(v = so_service(bp)))
		return;
	/* a listed task has not yet been seen STOPPED */
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = &bp->tasks[v->tasks[k]];

		held += t->desired == TD_RUNNING || (t->inst >= 0 && strcmp(cluster_id(cl, t->inst), "ci-00001") == 0);
	}
	o->samples++;
	if (held > o->max_held)
		o->max_held = held;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Desired 4 at min `min_pct` / max `max_pct` over two m5.large (one per
 * AZ: 2 tasks each, placed 1.25, RUNNING 13.75), ci-00001 drained at 300
 * s; its pass at 310 (scheduler delay 10).  A drained task the pass stops
 * is STOPPING 0.5 s later (the agent's network delay), STOPPED 3 s after
 * (shutdown), seen 0.5 s after that; the pass follows 10 s later.  The
 * replacements (tasks submitted after 300 s, all on ci-00002) are
 * submitted at `submits` (ascending), the drained tasks STOPPED at
 * `stopped` (ascending); at most `max_held` live + drained stopping. */
static void drain_bound_at(const char *tag, int min_pct, int max_pct, int shutdown, const char *more,
			   const double *stopped, const double *submits, int64_t max_held, int before_stop);

static void drain_bound(const char *tag, int min_pct, int max_pct, const double *stopped, const double *submits,
			int64_t max_held, int before_stop)
{
	drain_bound_at(tag, min_pct, max_pct, 3, NULL, stopped, submits, max_held, before_stop);
}

/* drain_bound with a shutdown of `shutdown` s and `more` trace rows after
 * the drain's (NULL: none). */
static void drain_bound_at(const char *tag, int min_pct, int max_pct, int shutdown, const char *more,
			   const double *stopped, const double *submits, int64_t max_held, int before_stop)
{
	char buf[2048], file[32], trace[32], tr[256];
	struct drain_obs o = { 0 };
	double st[2], sub[2];
	int n, n_st = 0, n_sub = 0;

	snprintf(file, sizeof file, "%s.json", tag);
	snprintf(trace, sizeof trace, "%s.csv", tag);
	snprintf(buf, sizeof buf,
		 "{\"name\":\"%s\",\"durationSeconds\":900,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25,"
		 "\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatTimeoutSeconds\":60,"
		 "\"heartbeatJitterSeconds\":0},"
		 "\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1,"
		 "\"containerStartSeconds\":2,\"shutdownSeconds\":%d},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":1}],"
		 "\"taskDefinitions\":{\"v1\":\"v1.json\"},"
		 "\"placement\":{\"tieBreak\":\"first\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":4,"
		 "\"deploymentConfiguration\":{\"minimumHealthyPercent\":%d,\"maximumPercent\":%d}}],"
		 "\"workload\":{\"traces\":[\"%s\"]}}",
		 tag, shutdown, min_pct, max_pct, trace);
	rs_write(file, buf);
	snprintf(tr, sizeof tr, "time_s,event,target,taskdef,count,duration_s,group\n300,drain_instance,ci-00001,,,,\n%s",
		 more ? more : "");
	rs_write(trace, tr);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, drain_observe, &o), 0);
	CU_ASSERT(o.samples > 10);
	T_EQ(o.max_held, max_held);
	n = rs_rows(tag, "tasks.csv");
	T_EQ(n, 6);
	for (int r = 1; r <= n; r++) {
		char *inst = rs_cell(tag, "tasks.csv", r, "instance_id");
		double submit = rs_num(tag, "tasks.csv", r, "submit_s");

		if (inst && strcmp(inst, "ci-00001") == 0 && n_st < 2)
			st[n_st++] = rs_num(tag, "tasks.csv", r, "stopped_s");
		else if (submit > 300 && n_sub < 2)
			sub[n_sub++] = submit;
		free(inst);
	}
	T_EQ(n_st, 2);
	T_EQ(n_sub, 2);
	if (n_st != 2 || n_sub != 2)
		return;
	qsort(st, 2, sizeof st[0], cmp_double);
	qsort(sub, 2, sizeof sub[0], cmp_double);
	for (int i = 0; i < 2; i++) {
		T_NEAR(st[i], stopped[i]);
		T_NEAR(sub[i], submits[i]);
		/* each replacement after its drained task's STOPPED (seen 0.5 s
		 * later) and the pass's delay; at max 200 before it */
		if (before_stop) {
			CU_ASSERT(sub[i] < st[i]);
		} else {
			CU_ASSERT(sub[i] >= st[i] + 0.5 + 10 - 1e-9);
		}
	}
	RS_IS(tag, "services.csv", -1, "running", "4");
}

/* Min 50 / max 100: the pass at 310 stops both drained tasks (4 healthy,
 * 2 may go) and launches nothing: 2 live + 2 stopping = 4.  They are
 * STOPPING 310.5, STOPPED 313.5, seen 314; the pass at 324 launches both
 * replacements (placed 325, RUNNING 328.5).  The old code counted the
 * stopping ones toward no bound and launched both at 310 (6 held). */
static void test_drain_max_100_waits_for_stop(void)
{
	const double stopped[] = { 313.5, 313.5 }, submits[] = { 324, 324 };

	drain_bound("dr1", 50, 100, stopped, submits, 4, 0);
}

/* Min 75 / max 100: one drained task at a time (3 must stay healthy).
 * 310 stops the first (STOPPED 313.5, seen 314), 324 launches its
 * replacement (placed 325, RUNNING 328.5, healthy 368.5), the pass at
 * 378.5 stops the second (STOPPING 379, STOPPED 382, seen 382.5), 392.5
 * launches its replacement.  The old code launched each replacement with
 * its drained task's stop: at 310, and (that one healthy 354.5) at 364.5. */
static void test_drain_max_100_one_at_a_time(void)
{
	const double stopped[] = { 313.5, 382 }, submits[] = { 324, 392.5 };

	drain_bound("dr2", 75, 100, stopped, submits, 4, 0);
}

/* Min 50 / max 200: both replacements launched at 310, in the pass that
 * stops the drained tasks, before they stop (unchanged): 4 live + 2
 * stopping = 6, within the bound 8. */
static void test_drain_max_200_starts_first(void)
{
	const double stopped[] = { 313.5, 313.5 }, submits[] = { 310, 310 };

	drain_bound("dr3", 50, 200, stopped, submits, 6, 1);
}

/* The drained instance set ACTIVE again while its tasks still stop
 * (shutdown 30 s): they hold their room until they have stopped all the
 * same.  Min 50 / max 100: 310 stops both (STOPPING 310.5, STOPPED 340.5,
 * seen 341); ACTIVE at 311, its pass at 321 launches nothing (2 live + 2
 * stopping); the pass at 351 launches both.  The old code launched both at
 * 310. */
static void test_drain_reactivated_still_holds(void)
{
	const double stopped[] = { 340.5, 340.5 }, submits[] = { 351, 351 };

	drain_bound_at("dr4", 50, 100, 30, "311,activate_instance,ci-00001,,,,\n", stopped, submits, 4, 0);
}

static CU_TestInfo tests[] = {
	{ "desired 2 at min 75%: no stop before a healthy start", test_min_blocks_stops },
	{ "desired 3 at max 125%: no start before a stop", test_max_blocks_starts },
	{ "desired 4 at min 50%, max 100%: two stopped first", test_min_50_stops_two },
	{ "max 100%: the new tasks launch in the pass that stops the old", test_max_100_launch_with_stops },
	{ "max 150%: the room the stops free is used in the same pass", test_max_150_launch_with_stops },
	{ "desired 2 at 75%/125%: stuck", test_stuck_75_125 },
	{ "min 100 / max 100: stuck", test_stuck_100_100 },
	{ "static host ports, one instance per task: stuck", test_stuck_static_ports },
	{ "draining at min 100 / max 100: stuck", test_drain_stuck_100_100 },
	{ "draining stops a PENDING service task at once", test_drain_stops_pending },
	{ "draining at max 100%: a replacement after its drained task stopped", test_drain_max_100_waits_for_stop },
	{ "draining at min 75 / max 100: one drained task at a time", test_drain_max_100_one_at_a_time },
	{ "draining at max 200%: the replacements start first", test_drain_max_200_starts_first },
	{ "draining: set ACTIVE again, the stopping tasks still hold room", test_drain_reactivated_still_holds },
	{ "a lower desired count mid-deployment: maxTasks from the next pass", test_lower_desired_mid_deploy },
	{ "a lower desired count mid-deployment down to a stuck 1 at 50/150", test_lower_desired_to_stuck },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "deployment bounds", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
