/* tests/test_launch_rate.c — the rate at which one service launches tasks
 * (docs/ecs-model.md §7.5, choice E113): "Rate of tasks launched by one
 * service (Fargate; EC2/External): 500 each per minute".  ecsim reads it
 * as at most N = `serviceLaunchesPerWindow` launches of each class in any
 * W = `serviceLaunchWindowSeconds` (defaults 500 and 60 s).  Each case runs
 * a scenario and checks after every event that the launches of the last W
 * seconds are at most N, and asserts what the bound implies:
 *
 *   - a scale-out to 1,200 tasks launches 500 at once and needs two more
 *     windows (1,200 > 2 × 500), so 1,200 RUNNING no sooner than 2 W after
 *     the first launch, and not much later;
 *   - a service losing 600 tasks at once (an AZ outage) replaces them at
 *     most 500 per window;
 *   - DAEMON tasks count too: 600 instances joining at once get their
 *     daemon task over two windows;
 *   - with the limit off (0) or raised, 1,200 tasks launch at once; a
 *     small service's outputs are the same with and without the limit.
 *
 * And the DAEMON scheduler's other rule of §4.10 (choice E116): a DAEMON
 * task on an instance that no longer satisfies the service's constraints
 * is stopped, once, its own presence not counted. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/service_int.h"

#define TIMING(extra) "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatTimeoutSeconds\":60," \
	"\"heartbeatJitterSeconds\":0" extra "}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3},"
#define HEAD(name, dur, extra) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," TIMING(extra) \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"

/* a small task: 256 of them on an m5.4xlarge (16,384 CPU units) */
static const char *td_tiny =
	"{\"family\":\"tiny\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":64,\"memory\":64}]}";

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("tiny.json", td_tiny);
	return 0;
}

/* One service's launches, seen after every event: a task of the service
 * with a number above every one seen before is a new launch (numbers only
 * grow), at its submit time. */
struct obs {
	int64_t n_max;             /* the bound: launches in any window */
	sim_time_t window;         /* ms */
	int64_t target;            /* RUNNING count awaited */
	uint64_t max_no;
	sim_time_t *at;
	int n, cap;
	int samples, over;         /* events where the last window held more than n_max */
	int64_t max_in_window;     /* at most, over the run */
	int64_t max_after;         /* at most in a window, of launches at or after `after` */
	sim_time_t after;
	int64_t launched_after;
	sim_time_t reached;        /* first time `target` tasks RUNNING after `after`, -1 */
	int64_t running_end;
};

static void obs_init(struct obs *o, int64_t n_max, double window_s, int64_t target, double after_s)
{
	memset(o, 0, sizeof *o);
	o->n_max = n_max;
	o->window = (sim_time_t)(window_s * 1000 + 0.5);
	o->target = target;
	o->after = (sim_time_t)(after_s * 1000 + 0.5);
	o->reached = -1;
}

static void observe(struct backplane *bp, void *ctx)
{
	struct obs *o = ctx;
	struct svc *v;
	sim_time_t now = sim_now(bp->sim);
	uint64_t top = o->max_no;
	int64_t in = 0, in_after = 0;

	if (svc_sched(bp)->n_svcs < 1 || !svc_sched(bp)->svcs[0].active)
		return;
	v = &svc_sched(bp)->svcs[0];
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = &bp->tasks[v->tasks[k]];

		if (t->no <= o->max_no)
			continue;
		if (o->n == o->cap) {
			o->cap = o->cap ? o->cap * 2 : 1024;
			o->at = realloc(o->at, (size_t)o->cap * sizeof *o->at);
		}
		o->at[o->n++] = t->submit;
		o->launched_after += t->submit >= o->after;
		if (t->no > top)
			top = t->no;
	}
	o->max_no = top;
	o->samples++;
	/* the window ending now: launches at (now − W, now] (a launch at a
	 * counts in [a, a + W)); every launch is at an event's time, so
	 * checking the window that ends at every event checks every window */
	for (int i = o->n - 1; i >= 0 && o->at[i] > now - o->window; i--) {
		in++;
		in_after += o->at[i] >= o->after;
	}
	if (in > o->n_max)
		o->over++;
	if (in > o->max_in_window)
		o->max_in_window = in;
	if (in_after > o->max_after)
		o->max_after = in_after;
	if (o->reached < 0 && now >= o->after && v->running >= o->target)
		o->reached = now;
	o->running_end = v->running;
}

static double first_launch(const struct obs *o, sim_time_t from)
{
	for (int i = 0; i < o->n; i++)
		if (o->at[i] >= from)
			return (double)o->at[i] / 1000.0;
	return -1;
}

static int64_t launched_at(const struct obs *o, sim_time_t when)
{
	int64_t c = 0;

	for (int i = 0; i < o->n; i++)
		c += o->at[i] == when;
	return c;
}

static void report(const char *tag, const struct obs *o)
{
	if (o->over || o->reached < 0)
		fprintf(stderr, "\n  %s: %d launches, at most %lld in a window (bound %lld), %d events over, "
			"%lld RUNNING reached at %.3f s\n", tag, o->n, (long long)o->max_in_window,
			(long long)o->n_max, o->over, (long long)o->target, (double)o->reached / 1000.0);
}

/* One REPLICA service of `desired` tiny tasks on `per_az` m5.4xlarge
 * instances in each of the two AZs; `extra` adds to controlPlane. */
static void write_replica(const char *file, const char *name, int desired, int per_az, int dur, const char *extra,
			  const char *trace)
{
	char buf[4096];

	snprintf(buf, sizeof buf,
		 "{\"name\":\"%s\",\"durationSeconds\":%d,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25,"
		 "\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatTimeoutSeconds\":60,"
		 "\"heartbeatJitterSeconds\":0%s},"
		 "\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1,"
		 "\"containerStartSeconds\":2,\"shutdownSeconds\":3},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.4xlarge\",\"availabilityZone\":\"us-east-1a\",\"count\":%d},"
		 "{\"instanceType\":\"m5.4xlarge\",\"availabilityZone\":\"us-east-1b\",\"count\":%d}],"
		 "\"taskDefinitions\":{\"tiny\":\"tiny.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"tiny\",\"desiredCount\":%d}]%s%s%s}",
		 name, dur, extra, per_az, per_az, desired,
		 trace ? ",\"workload\":{\"traces\":[\"" : "", trace ? trace : "", trace ? "\"]}" : "");
	rs_write(file, buf);
}

/* CreateService with 1,200 tasks (default quota): 500 launched at once
 * with the first pass; then the bound: 500 more no sooner than W after
 * the first, the last 200 no sooner than 2 W after it (a window holding
 * the 1,001st launch cannot hold the first 500 nor all of the next 500).
 * So 1,200 RUNNING no sooner than 2 W after the first launch; and, as the
 * scheduler waits for the window only, not much later (a task starts in
 * about 15 s here). */
static void test_scale_out_1200(void)
{
	struct obs o;
	double t0;

	obs_init(&o, 500, 60, 1200, 0);
	write_replica("so.json", "so", 1200, 3, 600, "", NULL);
	CU_ASSERT_EQUAL_FATAL(rs_run("so.json", "so", NULL, observe, &o), 0);
	report("so", &o);
	CU_ASSERT(o.samples > 100);
	T_EQ(o.over, 0);
	T_EQ(o.max_in_window, 500);        /* the quota is used, never passed */
	T_EQ(o.n, 1200);                   /* no launch failed: every task ran */
	t0 = first_launch(&o, 0);
	CU_ASSERT_FATAL(t0 >= 0);
	T_EQ(launched_at(&o, (sim_time_t)(t0 * 1000 + 0.5)), 500);
	CU_ASSERT_FATAL(o.reached >= 0);
	CU_ASSERT((double)o.reached / 1000.0 >= t0 + 2 * 60);
	CU_ASSERT((double)o.reached / 1000.0 <= t0 + 2 * 60 + 60);
	T_EQ(o.running_end, 1200);
	free(o.at);
}

/* 1,200 tasks over two AZs (600 each); at 600 s us-east-1a goes out for
 * the rest of the run: its 600 tasks are lost at once (heartbeat timeout,
 * no jitter) and their replacements in us-east-1b come at most 500 per
 * window: 500 at once, the other 100 no sooner than W after. */
static void test_loss_600(void)
{
	struct obs o;
	double t1;

	obs_init(&o, 500, 60, 1200, 601);
	rs_write("loss.csv", TRACE_HDR "600,az_outage,us-east-1a,,,3000,\n");
	write_replica("loss.json", "loss", 1200, 5, 1500, "", "loss.csv");
	CU_ASSERT_EQUAL_FATAL(rs_run("loss.json", "loss", NULL, observe, &o), 0);
	report("loss", &o);
	T_EQ(o.over, 0);
	CU_ASSERT(o.launched_after >= 600);    /* the premise: 600 replaced */
	T_EQ(o.max_after, 500);
	t1 = first_launch(&o, 601000);
	CU_ASSERT_FATAL(t1 > 600);
	T_EQ(launched_at(&o, (sim_time_t)(t1 * 1000 + 0.5)), 500);
	CU_ASSERT_FATAL(o.reached >= 0);       /* back at 1,200 RUNNING */
	CU_ASSERT((double)o.reached / 1000.0 >= t1 + 60);
	CU_ASSERT((double)o.reached / 1000.0 <= t1 + 60 + 60);
	T_EQ(o.running_end, 1200);
	free(o.at);
}

/* A DAEMON service on 600 instances that join at once: one task each, at
 * most 500 per window, so the last 100 no sooner than W after the first
 * launch; every instance gets its task. */
static void test_daemon_600(void)
{
	struct obs o;
	double t0;

	obs_init(&o, 500, 60, 600, 0);
	rs_write("dm.json", HEAD("dm", 400, "")
		 "\"instanceGroups\":[{\"instanceType\":\"t3.medium\",\"availabilityZone\":\"us-east-1a\",\"count\":300},"
		 "{\"instanceType\":\"t3.medium\",\"availabilityZone\":\"us-east-1b\",\"count\":300}],"
		 "\"taskDefinitions\":{\"tiny\":\"tiny.json\"},"
		 "\"services\":[{\"serviceName\":\"d\",\"taskDefinition\":\"tiny\",\"schedulingStrategy\":\"DAEMON\"}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("dm.json", "dm", NULL, observe, &o), 0);
	report("dm", &o);
	T_EQ(o.over, 0);
	T_EQ(o.max_in_window, 500);
	T_EQ(o.n, 600);
	t0 = first_launch(&o, 0);
	CU_ASSERT_FATAL(t0 >= 0);
	CU_ASSERT_FATAL(o.reached >= 0);
	CU_ASSERT((double)o.reached / 1000.0 >= t0 + 60);
	CU_ASSERT((double)o.reached / 1000.0 <= t0 + 60 + 60);
	T_EQ(o.running_end, 600);
	free(o.at);
}

/* The parameters: a window of 30 s holding 100 launches; 1,200 tasks need
 * 12 windows (RUNNING no sooner than 11 W after the first launch). */
static void test_own_window(void)
{
	struct obs o;
	double t0;

	obs_init(&o, 100, 30, 1200, 0);
	write_replica("ow.json", "ow", 1200, 3, 900,
		      ",\"serviceLaunchesPerWindow\":100,\"serviceLaunchWindowSeconds\":30", NULL);
	CU_ASSERT_EQUAL_FATAL(rs_run("ow.json", "ow", NULL, observe, &o), 0);
	report("ow", &o);
	T_EQ(o.over, 0);
	T_EQ(o.max_in_window, 100);
	t0 = first_launch(&o, 0);
	CU_ASSERT_FATAL(o.reached >= 0);
	CU_ASSERT((double)o.reached / 1000.0 >= t0 + 11 * 30);
	CU_ASSERT((double)o.reached / 1000.0 <= t0 + 11 * 30 + 60);
	free(o.at);
}

/* The quota off (0) or raised above the launches: as before, all 1,200
 * at the first pass; both runs the same. */
static void test_off_or_raised(void)
{
	struct obs o;
	double t0;
	char a[512], b[512];

	obs_init(&o, 1200, 60, 1200, 0);
	write_replica("off.json", "off", 1200, 3, 300, ",\"serviceLaunchesPerWindow\":0", NULL);
	CU_ASSERT_EQUAL_FATAL(rs_run("off.json", "off", NULL, observe, &o), 0);
	t0 = first_launch(&o, 0);
	T_EQ(launched_at(&o, (sim_time_t)(t0 * 1000 + 0.5)), 1200);
	CU_ASSERT(o.reached >= 0 && (double)o.reached / 1000.0 < t0 + 60);
	free(o.at);
	write_replica("raised.json", "raised", 1200, 3, 300, ",\"serviceLaunchesPerWindow\":5000", NULL);
	CU_ASSERT_EQUAL_FATAL(rs_run("raised.json", "raised", NULL, NULL, NULL), 0);
	for (int i = 0; i < 3; i++) {
		static const char *const f[] = { "tasks.csv", "services.csv", "service_summary.csv" };

		snprintf(a, sizeof a, "cmp -s %s/out-off/%s %s/out-raised/%s", rs_dir(), f[i], rs_dir(), f[i]);
		snprintf(b, sizeof b, "off and raised differ in %s", f[i]);
		if (system(a) != 0)
			T_FAIL(b);
	}
}

/* A small service (desired 40 < 500; a deployment and a scale-out of 100
 * more later, each within one window): the default quota changes nothing. */
static void test_small_unchanged(void)
{
	char a[512], b[512];

	rs_write("sm.csv", TRACE_HDR "300,set_desired,s,,140,,\n");
	write_replica("sm-def.json", "sm", 40, 2, 900, "", "sm.csv");
	write_replica("sm-off.json", "sm", 40, 2, 900, ",\"serviceLaunchesPerWindow\":0", "sm.csv");
	CU_ASSERT_EQUAL_FATAL(rs_run("sm-def.json", "sm-def", NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(rs_run("sm-off.json", "sm-off", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("sm-def", "tasks.csv"), 140);
	for (int i = 0; i < 4; i++) {
		static const char *const f[] = { "tasks.csv", "services.csv", "service_summary.csv", "timeseries.csv" };

		snprintf(a, sizeof a, "cmp -s %s/out-sm-def/%s %s/out-sm-off/%s", rs_dir(), f[i], rs_dir(), f[i]);
		snprintf(b, sizeof b, "the default quota changed %s of a small service", f[i]);
		if (system(a) != 0)
			T_FAIL(b);
	}
}

/* Bad values: exit 2 with the file, the JSON path and the reason. */
static void test_bad_values(void)
{
	char msg[1024];

	write_replica("bad1.json", "bad1", 1, 1, 60, ",\"serviceLaunchesPerWindow\":-1", NULL);
	CU_ASSERT(rs_run_msg("bad1.json", "bad1", msg, sizeof msg) != 0);
	CU_ASSERT(strstr(msg, "bad1.json") && strstr(msg, "$.controlPlane.serviceLaunchesPerWindow"));
	write_replica("bad2.json", "bad2", 1, 1, 60, ",\"serviceLaunchWindowSeconds\":0", NULL);
	CU_ASSERT(rs_run_msg("bad2.json", "bad2", msg, sizeof msg) != 0);
	CU_ASSERT(strstr(msg, "bad2.json") && strstr(msg, "$.controlPlane.serviceLaunchWindowSeconds"));
	write_replica("bad3.json", "bad3", 1, 1, 60, ",\"serviceLaunchesPerWindow\":1.5", NULL);
	CU_ASSERT(rs_run_msg("bad3.json", "bad3", msg, sizeof msg) != 0);
	CU_ASSERT(strstr(msg, "$.controlPlane.serviceLaunchesPerWindow") != NULL);
}

/* ---- DAEMON tasks that no longer satisfy the constraints (§4.10) -------
 * "Tasks that no longer satisfy the constraints are stopped"; the DAEMON's
 * own task does not count against its constraints (choice E116).  Two
 * instances, one with attribute role=db; DAEMON "d" on instances running
 * no other task (`runningTasksCount == 0`) or no task of service db
 * (`task:group != service:db`); service db (desired 1, role=db) created at
 * 300 s.  The daemon starts on both (its own task not counted), the one on
 * the db instance is stopped once db's task is there, and neither is
 * started again: two daemon launches over the whole run. */
struct daemon_count {
	int launched, stopped, stopped_on_1, running_on_2;
};

static void daemon_rows(const char *tag, struct daemon_count *c)
{
	int n = rs_rows(tag, "tasks.csv");

	for (int r = 1; r <= n; r++) {
		char *svc = rs_cell(tag, "tasks.csv", r, "service");
		char *inst = rs_cell(tag, "tasks.csv", r, "instance_id");
		char *stop = rs_cell(tag, "tasks.csv", r, "stop_s");
		char *code = rs_cell(tag, "tasks.csv", r, "stop_code");

		if (svc && strcmp(svc, "d") == 0) {
			int on1 = inst && strcmp(inst, "ci-00001") == 0;

			c->launched++;
			if (stop && *stop) {
				c->stopped++;
				c->stopped_on_1 += on1 && code && strcmp(code, "ServiceSchedulerInitiated") == 0 &&
						   rs_num(tag, "tasks.csv", r, "stop_s") > 300;
			} else if (!on1) {
				c->running_on_2++;
			}
		}
		free(svc);
		free(inst);
		free(stop);
		free(code);
	}
}

static void daemon_violation(const char *tag, const char *expr)
{
	char buf[4096];
	struct daemon_count c = { 0 };

	snprintf(buf, sizeof buf, HEAD("%s", 1200, "")
		 "\"placement\":{\"tieBreak\":\"first\"},"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
		 "\"attributes\":{\"role\":\"db\"}},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"tiny\":\"tiny.json\"},"
		 "\"services\":[{\"serviceName\":\"d\",\"taskDefinition\":\"tiny\",\"schedulingStrategy\":\"DAEMON\","
		 "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"%s\"}]},"
		 "{\"serviceName\":\"db\",\"taskDefinition\":\"tiny\",\"desiredCount\":1,\"createdAtSeconds\":300,"
		 "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"attribute:role == db\"}]}]}",
		 tag, expr);
	{
		char file[64];

		snprintf(file, sizeof file, "%s.json", tag);
		rs_write(file, buf);
		CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, NULL, NULL), 0);
	}
	daemon_rows(tag, &c);
	T_EQ(c.launched, 2);               /* no stop/launch loop */
	T_EQ(c.stopped, 1);
	T_EQ(c.stopped_on_1, 1);           /* the one beside db's task, after 300 s */
	T_EQ(c.running_on_2, 1);
	/* the daemon's desired count at the end: the one instance it belongs on */
	for (int r = rs_rows(tag, "services.csv"); r >= 1; r--) {
		char *svc = rs_cell(tag, "services.csv", r, "service");
		int mine = svc && strcmp(svc, "d") == 0;

		free(svc);
		if (mine) {
			RS_IS(tag, "services.csv", r, "desired", "1");
			break;
		}
	}
}

/* The same rule with a standalone task (RunTask): DAEMON "d" with
 * `runningTasksCount == 0` on two instances; at 300 s a RunTask task whose
 * definition asks for role=db lands beside d's task on ci-00001 and runs
 * 300 s.  d's task there is stopped once the standalone task is placed
 * (the scheduler's delay after it, not later), and started again once it
 * has stopped: three launches, one stop.  The code before sent no news of
 * standalone tasks, and nothing else gave d a pass: it never stopped. */
static void test_daemon_violation_standalone(void)
{
	static const char *td_db =
		"{\"family\":\"job\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":64,"
		"\"memory\":64}],\"placementConstraints\":[{\"type\":\"memberOf\","
		"\"expression\":\"attribute:role == db\"}]}";
	struct daemon_count c = { 0 };
	int n, relaunched = 0;
	double stop_at = -1, job_placed = -1, job_stop = -1;

	rs_write("job.json", td_db);
	rs_write("dv-sa.json", HEAD("dv-sa", 1200, "")
		 "\"placement\":{\"tieBreak\":\"first\"},"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
		 "\"attributes\":{\"role\":\"db\"}},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"tiny\":\"tiny.json\",\"job\":\"job.json\"},"
		 "\"services\":[{\"serviceName\":\"d\",\"taskDefinition\":\"tiny\",\"schedulingStrategy\":\"DAEMON\","
		 "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"runningTasksCount == 0\"}]}],"
		 "\"workload\":{\"traces\":[\"dv-sa.csv\"]}}");
	rs_write("dv-sa.csv", TRACE_HDR "300,run_task,job-1,job,1,300,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("dv-sa.json", "dv-sa", NULL, NULL, NULL), 0);
	daemon_rows("dv-sa", &c);
	n = rs_rows("dv-sa", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *svc = rs_cell("dv-sa", "tasks.csv", r, "service");
		char *id = rs_cell("dv-sa", "tasks.csv", r, "task_id");
		char *inst = rs_cell("dv-sa", "tasks.csv", r, "instance_id");
		char *stop = rs_cell("dv-sa", "tasks.csv", r, "stop_s");

		if (id && strcmp(id, "job-1") == 0) {
			job_placed = rs_num("dv-sa", "tasks.csv", r, "placed_s");
			job_stop = rs_num("dv-sa", "tasks.csv", r, "stop_s");
			CU_ASSERT(inst && strcmp(inst, "ci-00001") == 0);
		} else if (svc && strcmp(svc, "d") == 0 && inst && strcmp(inst, "ci-00001") == 0) {
			if (stop && *stop)
				stop_at = rs_num("dv-sa", "tasks.csv", r, "stop_s");
			else
				relaunched++;
		}
		free(svc);
		free(id);
		free(inst);
		free(stop);
	}
	T_EQ(c.launched, 3);
	T_EQ(c.stopped, 1);
	T_EQ(c.stopped_on_1, 1);
	T_EQ(c.running_on_2, 1);
	T_EQ(relaunched, 1);
	CU_ASSERT(job_placed > 300 && job_stop > job_placed);
	/* stopped after the job is placed, within the scheduler's delay (10 s)
	 * and the stop's own latencies (well under a minute), long before the
	 * job ends */
	CU_ASSERT(stop_at > job_placed && stop_at < job_placed + 60);
}

static void test_daemon_violation_running(void)
{
	daemon_violation("dv-run", "runningTasksCount == 0");
}

static void test_daemon_violation_group(void)
{
	daemon_violation("dv-grp", "task:group != service:db");
}

static CU_TestInfo tests[] = {
	{ "1,200 tasks: at most 500 per window, two windows more", test_scale_out_1200 },
	{ "600 lost at once: replaced at most 500 per window", test_loss_600 },
	{ "DAEMON on 600 joining instances: at most 500 per window", test_daemon_600 },
	{ "serviceLaunchesPerWindow / serviceLaunchWindowSeconds", test_own_window },
	{ "quota off or raised: all at once, as before", test_off_or_raised },
	{ "small service: outputs unchanged by the quota", test_small_unchanged },
	{ "bad values refused with file and path", test_bad_values },
	{ "DAEMON: runningTasksCount violated, stopped once, its own task not counted",
	  test_daemon_violation_running },
	{ "DAEMON: task:group violated, stopped once", test_daemon_violation_group },
	{ "DAEMON: a standalone task beside it: stopped, then started again", test_daemon_violation_standalone },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "service launch rate", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
