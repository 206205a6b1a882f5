/* tests/test_lb_drain.c — a task whose load-balancer targets drain, each
 * test written from the rule (docs/ecs-model.md §3.1, §6.1, §6.3, choice
 * E220):
 *
 *   - ECS deregisters the targets and waits until they are `unused`
 *     before it signals the containers (§6.3); the deregistration is the
 *     task's pre-stop work, DEACTIVATING (§3.1, §6.1: "deregistration in
 *     DEACTIVATING"), so the task is DEACTIVATING from the deregistration
 *     and STOPPING only after the drain;
 *   - a task that is not RUNNING is neither running nor healthy for its
 *     service (§5.2: healthy is said of a RUNNING task whose targets are
 *     healthy; a draining target is not): the service's counts leave it
 *     out from the deregistration, at every event;
 *   - the scheduler replaces it on its usual reaction (schedulerDelaySeconds
 *     after the task left RUNNING), not after the whole drain;
 *   - a rolling deployment keeps maximumPercent (tasks RUNNING or PENDING)
 *     and minimumHealthyPercent (RUNNING and healthy) at every event, and
 *     launches the new tasks while the old ones drain (a DEACTIVATING task
 *     is neither RUNNING nor PENDING).
 *
 * The timings (controlPlane, agent) are fixed below, so the instants are
 * computed by hand in each test. */
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

/* API 0.25 s, scheduler reaction 10 s, agent network delay 0.5 s,
 * shutdown 3 s; the instances in one AZ, so AZ rebalancing never moves
 * a task (the load balancer needs two) */
#define TIMING TIMING_BY_HAND
#define HEAD(name, dur) "{\"name\":\"" name "\",\"durationSeconds\":" #dur ",\"metricsIntervalSeconds\":5," \
	TIMING "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," \
	"\"loadBalancers\":[{\"name\":\"alb\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," \
	"\"attributes\":{\"idle_timeout.timeout_seconds\":4000}}],"
#define EC2 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
/* requests of 1000 s outlast any deregistration delay below: each drain
 * lasts the whole delay */
#define TG(name, delay, type) "{\"name\":\"" name "\",\"loadBalancer\":\"alb\"," type \
	"\"attributes\":{\"deregistration_delay.timeout_seconds\":" #delay "}," \
	"\"traffic\":{\"arrivals\":{\"poisson\":{\"ratePerSecond\":0.5}}," \
	"\"serviceTimeSeconds\":{\"constant\":{\"value\":1000}},\"workersPerTask\":1000}}"
#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"
#define EPS 1e-6

static const char *td_v1 =
	"{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\",\"cpu\":256,\"memory\":512,"
	"\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}";
static const char *td_v2 =
	"{\"family\":\"web\",\"revision\":2,\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x:2\",\"cpu\":256,"
	"\"memory\":512,\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}";
static const char *td_fg =
	"{\"family\":\"fg\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
	"\"cpu\":\"256\",\"memory\":\"512\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
	"\"essential\":true,\"stopTimeout\":5,\"portMappings\":[{\"containerPort\":8080}]}]}";

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("ld-v1.json", td_v1);
	rs_write("ld-v2.json", td_v2);
	rs_write("ld-fg.json", td_fg);
	return 0;
}

/* What the service's tasks were after every event (service 0). */
struct obs {
	int samples;
	int bad_counts;        /* the service's running/healthy counts not those of its tasks */
	int deact_counted;     /* a DEACTIVATING task healthy, or its desired status RUNNING */
	int over_max, under_min;
	int steady;
	int64_t max_pct, min_pct;   /* the bounds' percentages, 0: not checked */
	int64_t min_healthy_seen;
	int deact_seen;        /* events with a task DEACTIVATING */
};

static void observe(struct backplane *bp, void *ctx)
{
	struct obs *o = ctx;
	struct svc *v;
	int64_t running = 0, healthy = 0, run_or_pend = 0, lo, hi;

	if (svc_sched(bp)->n_svcs < 1 || !svc_sched(bp)->svcs[0].active)
		return;
	v = &svc_sched(bp)->svcs[0];
	o->samples++;
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = &bp->tasks[v->tasks[k]];

		running += t->seen == TS_RUNNING;
		/* healthy is said of a RUNNING task (§5.2) */
		healthy += t->seen == TS_RUNNING && t->healthy;
		/* maximumPercent's count: tasks RUNNING or PENDING (§5.5) */
		run_or_pend += t->seen <= TS_RUNNING && t->desired == TD_RUNNING;
		if (t->seen == TS_DEACTIVATING) {
			o->deact_seen++;
			if (t->healthy || t->desired != TD_STOPPED)
				o->deact_counted++;
		}
	}
	if (v->running != running || v->healthy != healthy)
		o->bad_counts++;
	if (o->max_pct <= 0)
		return;
	lo = (int64_t)ceil((double)v->desired * (double)o->min_pct / 100.0);
	hi = (int64_t)floor((double)v->desired * (double)o->max_pct / 100.0);
	if (!o->steady && healthy >= v->desired) {
		o->steady = 1;
		o->min_healthy_seen = healthy;
	}
	if (run_or_pend > hi)
		o->over_max++;
	if (o->steady) {
		if (healthy < lo)
			o->under_min++;
		if (healthy < o->min_healthy_seen)
			o->min_healthy_seen = healthy;
	}
}

static void check_counts(const struct obs *o)
{
	CU_ASSERT(o->samples > 100);
	T_EQ(o->bad_counts, 0);
	T_EQ(o->deact_counted, 0);
	CU_ASSERT(o->deact_seen > 0);
}

/* tasks.csv row of task `id` in out-<tag> */
static int row_of(const char *tag, const char *id)
{
	int r = rs_find(tag, "tasks.csv", "task_id", id);

	CU_ASSERT_FATAL(r > 0);
	return r;
}

/* A StopTask on an EC2 service task behind a target group with a 100 s
 * deregistration delay.  The stop takes effect at 300.25 (API latency):
 * the target is deregistered and the task DEACTIVATING then; its target is
 * unused at 400.25 (the delay), the agent hears the stop 0.5 s later
 * (STOPPING 400.75).  The service counts it out at 300.25 and its pass
 * 10 s later launches the replacement: submitted at 310.25 (the old code:
 * DEACTIVATING and STOPPING both 400.75, counted running and healthy
 * until then, the replacement 10 s after the STOPPED report, 414.25). */
static void test_stop_deactivating(void)
{
	struct obs o;
	int r, n, found = 0;

	rs_write("ld-a.json", HEAD("ld-a", 700) EC2
		 "\"targetGroups\":[" TG("tg", 100, "") "],"
		 "\"taskDefinitions\":{\"web\":\"ld-v1.json\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":2,"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
		 "\"workload\":{\"traces\":[\"ld-a.csv\"]}}");
	rs_write("ld-a.csv", TRACE_HDR "300,stop_task,task-1,,,,\n");
	memset(&o, 0, sizeof o);
	CU_ASSERT_EQUAL_FATAL(rs_run("ld-a.json", "ld-a", NULL, observe, &o), 0);
	check_counts(&o);
	r = row_of("ld-a", "task-1");
	T_NEAR(rs_target_at("ld-a", "task-1", "draining"), 300.25);
	T_NEAR(rs_num("ld-a", "tasks.csv", r, "deactivating_s"), 300.25);
	T_NEAR(rs_target_at("ld-a", "task-1", "unused"), 400.25);
	T_NEAR(rs_num("ld-a", "tasks.csv", r, "stopping_s"), 400.75);
	CU_ASSERT(rs_num("ld-a", "tasks.csv", r, "stopped_s") >= 403.75 - EPS);
	RS_IS("ld-a", "tasks.csv", r, "stop_code", "UserInitiated");
	/* the replacement: the scheduler's pass 10 s after the task left RUNNING */
	n = rs_rows("ld-a", "tasks.csv");
	T_EQ(n, 3);
	for (int k = 1; k <= n; k++) {
		double submit = rs_num("ld-a", "tasks.csv", k, "submit_s");

		if (submit > 300) {
			found++;
			T_NEAR(submit, 310.25);
		}
	}
	T_EQ(found, 1);
	/* services.csv every 5 s: at 305 the draining task is counted
	 * neither running nor healthy (the old code: 2 and 2 until 400.75) */
	r = rs_find("ld-a", "services.csv", "time_s", "305.000");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("ld-a", "services.csv", r, "running", "1");
	RS_IS("ld-a", "services.csv", r, "healthy", "1");
}

/* A rolling deployment behind a target group (60 s delay, requests that
 * outlast it): `desired` tasks at min/max percent, v2 deployed at 300.
 * maximumPercent (tasks RUNNING or PENDING) and minimumHealthyPercent
 * (RUNNING and healthy) hold at every event; each old task is DEACTIVATING
 * from its deregistration and STOPPING 0.5 s after the delay; the first new
 * task is launched before the first old one's drain ends (at max 100 % it
 * takes the room the DEACTIVATING task left). */
static void rolling(const char *tag, int desired, int min_pct, int max_pct, int64_t want_min_healthy)
{
	char file[32], trace[32], buf[2048];
	struct obs o;
	int n, olds = 0;
	double first_new = 1e9, first_unused = 1e9;

	snprintf(file, sizeof file, "%s.json", tag);
	snprintf(trace, sizeof trace, "%s.csv", tag);
	snprintf(buf, sizeof buf, HEAD("roll", 1500) EC2
		 "\"targetGroups\":[" TG("tg", 60, "") "],"
		 "\"taskDefinitions\":{\"v1\":\"ld-v1.json\",\"v2\":\"ld-v2.json\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"v1\",\"desiredCount\":%d,"
		 "\"deploymentConfiguration\":{\"minimumHealthyPercent\":%d,\"maximumPercent\":%d},"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
		 "\"workload\":{\"traces\":[\"%s\"]}}", desired, min_pct, max_pct, trace);
	rs_write(file, buf);
	rs_write(trace, TRACE_HDR "300,deploy,w,v2,,,\n");
	memset(&o, 0, sizeof o);
	o.max_pct = max_pct;
	o.min_pct = min_pct;
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, observe, &o), 0);
	check_counts(&o);
	T_EQ(o.over_max, 0);
	T_EQ(o.under_min, 0);
	CU_ASSERT(o.steady);
	T_EQ(o.min_healthy_seen, want_min_healthy);
	n = rs_rows(tag, "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *id = rs_cell(tag, "tasks.csv", r, "task_id");
		char *td = rs_cell(tag, "tasks.csv", r, "taskdef");

		if (td && strstr(td, ":2")) {
			double s = rs_num(tag, "tasks.csv", r, "submit_s");

			if (s < first_new)
				first_new = s;
		} else if (rs_num(tag, "tasks.csv", r, "stopped_s") > 0) {
			double drain = rs_target_at(tag, id, "draining");
			double unused = rs_target_at(tag, id, "unused");

			olds++;
			T_NEAR(rs_num(tag, "tasks.csv", r, "deactivating_s"), drain);
			T_NEAR(unused, drain + 60);
			T_NEAR(rs_num(tag, "tasks.csv", r, "stopping_s"), unused + 0.5);
			if (unused < first_unused)
				first_unused = unused;
		}
		free(id);
		free(td);
	}
	T_EQ(olds, desired);
	CU_ASSERT(first_new < first_unused);
	RS_IS(tag, "services.csv", -1, "deployments", "1");
	RS_IS(tag, "deployments.csv", -1, "stage", "COMPLETED");
}

/* desired 2, min 50 % (ceil 1), max 100 % (floor 2): one old task stops
 * first, its replacement comes while it drains */
static void test_rolling_min50_max100(void)
{
	rolling("ld-r1", 2, 50, 100, 1);
}

/* desired 2, min 100 %, max 200 %: both new tasks first; an old one
 * drains only while two others are healthy */
static void test_rolling_min100_max200(void)
{
	rolling("ld-r2", 2, 100, 200, 2);
}

/* On Fargate (ip targets): DEACTIVATING from the deregistration at 300.25,
 * the drain's 30 s, then the stop (no agent: STOPPING at 330.25, the
 * container's stopTimeout of 5 s is its shutdown's bound). */
static void test_fargate_drain(void)
{
	struct obs o;
	int r;

	rs_write("ld-f.json", HEAD("ld-f", 600)
		 "\"targetGroups\":[" TG("tg", 30, "\"targetType\":\"ip\",") "],"
		 "\"taskDefinitions\":{\"fg\":\"ld-fg.json\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"fg\",\"desiredCount\":1,"
		 "\"launchType\":\"FARGATE\","
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
		 "\"workload\":{\"traces\":[\"ld-f.csv\"]}}");
	rs_write("ld-f.csv", TRACE_HDR "300,stop_task,task-1,,,,\n");
	memset(&o, 0, sizeof o);
	CU_ASSERT_EQUAL_FATAL(rs_run("ld-f.json", "ld-f", NULL, observe, &o), 0);
	check_counts(&o);
	r = row_of("ld-f", "task-1");
	T_NEAR(rs_num("ld-f", "tasks.csv", r, "deactivating_s"), 300.25);
	T_NEAR(rs_target_at("ld-f", "task-1", "unused"), 330.25);
	T_NEAR(rs_num("ld-f", "tasks.csv", r, "stopping_s"), 330.25);
	RS_IS("ld-f", "tasks.csv", r, "last_status", "STOPPED");
	/* its replacement: 10 s after the task left RUNNING */
	r = row_of("ld-f", "task-2");
	T_NEAR(rs_num("ld-f", "tasks.csv", r, "submit_s"), 310.25);
}

/* Two target groups, the load balancer's traffic on the first (100 s
 * delay, requests that outlast it), none on the second: both targets are
 * deregistered at the stop (300.25), the task DEACTIVATING from then
 * ("deregistration in DEACTIVATING", §6.1) until the later drain ends
 * (400.25), STOPPING when the agent hears it (400.75); the second group's
 * target, with no request in flight, is unused at once and the task stays
 * DEACTIVATING. */
static void test_two_target_groups(void)
{
	struct obs o;
	int r;

	rs_write("ld-t.json", HEAD("ld-t", 600) EC2
		 "\"targetGroups\":[" TG("tg", 100, "") ",{\"name\":\"tg2\",\"loadBalancer\":\"alb\"}],"
		 "\"taskDefinitions\":{\"web\":\"ld-v1.json\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":2,"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080},"
		 "{\"targetGroupName\":\"tg2\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
		 "\"workload\":{\"traces\":[\"ld-t.csv\"]}}");
	rs_write("ld-t.csv", TRACE_HDR "300,stop_task,task-1,,,,\n");
	memset(&o, 0, sizeof o);
	CU_ASSERT_EQUAL_FATAL(rs_run("ld-t.json", "ld-t", NULL, observe, &o), 0);
	check_counts(&o);
	r = row_of("ld-t", "task-1");
	T_NEAR(rs_num("ld-t", "tasks.csv", r, "deactivating_s"), 300.25);
	T_NEAR(rs_target_at("ld-t", "task-1", "draining"), 300.25);
	T_NEAR(rs_target_at("ld-t", "task-1", "unused"), 300.25);
	T_NEAR(rs_num("ld-t", "tasks.csv", r, "stopping_s"), 400.75);
	r = row_of("ld-t", "task-3");
	T_NEAR(rs_num("ld-t", "tasks.csv", r, "submit_s"), 310.25);
}

/* The reason targets.csv gives when `target` became unused ("" if never). */
static char *unused_reason(const char *tag, const char *target)
{
	int n = rs_rows(tag, "targets.csv");

	for (int r = 1; r <= n; r++) {
		char *t = rs_cell(tag, "targets.csv", r, "target");
		char *to = rs_cell(tag, "targets.csv", r, "to");
		int hit = t && to && strcmp(t, target) == 0 && strcmp(to, "unused") == 0;

		free(t);
		free(to);
		if (hit)
			return rs_cell(tag, "targets.csv", r, "reason");
	}
	return NULL;
}

/* Aggregate traffic (docs/ecs-model.md §6.3, scenarios/README.md
 * "aggregate"): a draining target lasts E[T] x H(L), at most the
 * deregistration delay, and targets.csv says which ended it: its requests
 * finished, or the delay.  Poisson 20/s on 2 targets, exponential service
 * of mean 0.5 s, 50 workers each: about 5 requests in flight per target,
 * so the drain takes about 0.5 x H(5) = 1.14 s.  With a 100-s delay the
 * requests end it, `drained: no request in flight`, at about 301.4 s;
 * with a 0-s delay the delay ends it at once (300.25 s), `deregistration
 * delay ended`.  (Before: every timed drain said `deregistration delay
 * ended` — web-lb.json's targets with a 60-s delay, unused 0.05 s after
 * their deregistration — and a delay of 0 `drained: no request in flight`.) */
static void test_aggregate_drain_reason(void)
{
	static const int delays[] = { 100, 0 };
	char scn[2048], tag[32], file[64];
	double at;
	char *why;

	for (int k = 0; k < 2; k++) {
		snprintf(tag, sizeof tag, "ld-agg%d", delays[k]);
		snprintf(file, sizeof file, "%s.json", tag);
		snprintf(scn, sizeof scn, HEAD("ld-agg", 400) EC2
			 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\","
			 "\"attributes\":{\"deregistration_delay.timeout_seconds\":\"%d\"},"
			 "\"traffic\":{\"mode\":\"aggregate\",\"arrivals\":{\"poisson\":{\"ratePerSecond\":20}},"
			 "\"serviceTimeSeconds\":{\"exponential\":{\"mean\":0.5}},\"workersPerTask\":50}}],"
			 "\"taskDefinitions\":{\"web\":\"ld-v1.json\"},"
			 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":2,"
			 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\","
			 "\"containerPort\":8080}]}],"
			 "\"workload\":{\"traces\":[\"ld-agg.csv\"]}}", delays[k]);
		rs_write(file, scn);
		rs_write("ld-agg.csv", TRACE_HDR "300,stop_task,task-1,,,,\n");
		CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, NULL, NULL), 0);
		T_NEAR(rs_target_at(tag, "task-1", "draining"), 300.25);
		at = rs_target_at(tag, "task-1", "unused");
		why = unused_reason(tag, "task-1");
		if (delays[k]) {
			CU_ASSERT(at > 300.25 + 0.5 && at < 300.25 + 3);
			T_STREQ(why, "drained: no request in flight");
		} else {
			T_NEAR(at, 300.25);
			T_STREQ(why, "deregistration delay ended");
		}
		free(why);
	}
}

/* A Spot instance's task whose target drains when EC2 terminates the
 * instance (docs/ecs-model.md §5.13, §5.15, §6.3): the notice at 300 s
 * sets ci-00001 DRAINING at once (pollSeconds 0); the scheduler's pass
 * 10 s later launches task-1's replacement on ci-00003 (distinctInstance),
 * healthy at 354 s, and the pass 10 s after that stops task-1: its target
 * drains from 364 s, 300 s of delay, requests of 1,000 s in flight.  At
 * 420 s (the notice's 120 s) the instance is terminated: the task's
 * containers are gone, so its target serves no more: its requests in
 * flight fail (502) at 420 s and the drain ends then.  The old code
 * served them on to the end of the delay: unused at 664 s, the 502s in
 * requests.csv's row of 665 s.  In aggregate mode the drain ends at 420 s
 * too (before: 664 s, "deregistration delay ended").  A forced
 * deregistration instead (the task runs on, orphaned, §2.4) of an
 * instance whose task's target drains already leaves the drain as it was:
 * StopTask at 300 s (draining from 300.25 s), deregister_instance at 350 s,
 * unused at 600.25 s, the delay's end. */
static void spot_run(const char *tag, const char *mode, const char *trace)
{
	char file[32], tr[32], buf[4096];

	snprintf(file, sizeof file, "%s.json", tag);
	snprintf(tr, sizeof tr, "%s.csv", tag);
	snprintf(buf, sizeof buf, HEAD("ld-spot", 900)
		 "\"instanceGroups\":[{\"name\":\"spot\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
		 "\"count\":1,\"spot\":{\"draining\":true,\"pollSeconds\":0}},"
		 "{\"name\":\"od\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		 "\"placement\":{\"tieBreak\":\"first\"},"
		 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\","
		 "\"attributes\":{\"deregistration_delay.timeout_seconds\":300},"
		 "\"traffic\":{%s\"arrivals\":{\"poisson\":{\"ratePerSecond\":0.5}},"
		 "\"serviceTimeSeconds\":{\"constant\":{\"value\":1000}},\"workersPerTask\":1000}}],"
		 "\"taskDefinitions\":{\"web\":\"ld-v1.json\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":2,"
		 "\"placementConstraints\":[{\"type\":\"distinctInstance\"}],"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
		 "\"workload\":{\"traces\":[\"%s\"]}}", mode, tr);
	rs_write(file, buf);
	rs_write(tr, trace);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, NULL, NULL), 0);
}

static void test_spot_termination_cuts_drain(void)
{
	double e502_by_420 = 0, e502_after = 0, draining_after = 0;
	int r, n;
	char *why;

	spot_run("ld-sp", "", TRACE_HDR "300,spot_interruption,ci-00001,,,,\n");
	r = row_of("ld-sp", "task-1");
	RS_IS("ld-sp", "tasks.csv", r, "instance_id", "ci-00001");
	T_NEAR(rs_target_at("ld-sp", "task-1", "draining"), 364);
	T_NEAR(rs_num("ld-sp", "tasks.csv", r, "stopped_s"), 420);
	T_NEAR(rs_target_at("ld-sp", "task-1", "unused"), 420);
	/* requests.csv every 5 s: the cut requests are the 502s of (415, 420] */
	n = rs_rows("ld-sp", "requests.csv");
	for (int k = 1; k <= n; k++) {
		double at = rs_num("ld-sp", "requests.csv", k, "time_s");
		double e = rs_num("ld-sp", "requests.csv", k, "http_502");

		if (at <= 420 + EPS)
			e502_by_420 += e;
		else {
			e502_after += e;
			draining_after += rs_num("ld-sp", "requests.csv", k, "draining");
		}
	}
	CU_ASSERT(e502_by_420 > 0);
	T_NEAR(e502_after, 0);
	T_NEAR(draining_after, 0);
	T_NEAR(rs_num("ld-sp", "lb_summary.csv", 1, "http_502"), e502_by_420);

	spot_run("ld-spa", "\"mode\":\"aggregate\",", TRACE_HDR "300,spot_interruption,ci-00001,,,,\n");
	T_NEAR(rs_target_at("ld-spa", "task-1", "draining"), 364);
	T_NEAR(rs_target_at("ld-spa", "task-1", "unused"), 420);

	spot_run("ld-spd", "", TRACE_HDR "300,stop_task,task-1,,,,\n350,deregister_instance,ci-00001,,,,\n");
	r = row_of("ld-spd", "task-1");
	T_NEAR(rs_num("ld-spd", "tasks.csv", r, "stopped_s"), 350);
	T_NEAR(rs_target_at("ld-spd", "task-1", "draining"), 300.25);
	T_NEAR(rs_target_at("ld-spd", "task-1", "unused"), 600.25);
	why = unused_reason("ld-spd", "task-1");
	T_STREQ(why, "deregistration delay ended");
	free(why);
}

/* EC2 ending the host of an instance deregistered with force (docs/ecs-model.md
 * §2.4, §6.3, choice E101): the deregistration leaves task-1 running there,
 * orphaned, its target draining from 300 s under the 300-s delay, requests
 * of 1,000 s in flight.  When the host is gone (a failure for good at
 * 400 s; a Spot notice at 310 s, terminated 120 s later at 430 s) or down
 * (a reboot at 400 s, back empty 60 s later) the task's containers are gone
 * with it: the target serves no more, its requests in flight fail (502)
 * then and the drain ends there, `drained: no request in flight`, as for a
 * task that stops mid-drain.  The old code no longer
 * followed the orphaned task (STOPPED for ECS at the deregistration) and
 * let its target drain to the delay's end, 600 s.  Aggregate mode: the
 * drain ends at 400 s too. */
static void check_orphan_cut(const char *tag, double dereg, double gone)
{
	double e502_by = 0, e502_after = 0, draining_after = 0;
	int n;
	char *why;

	T_NEAR(rs_target_at(tag, "task-1", "draining"), dereg);
	T_NEAR(rs_target_at(tag, "task-1", "unused"), gone);
	why = unused_reason(tag, "task-1");
	T_STREQ(why, "drained: no request in flight");
	free(why);
	n = rs_rows(tag, "requests.csv");
	for (int k = 1; k <= n; k++) {
		double at = rs_num(tag, "requests.csv", k, "time_s");
		double e = rs_num(tag, "requests.csv", k, "http_502");

		if (at <= gone + EPS)
			e502_by += e;
		else {
			e502_after += e;
			draining_after += rs_num(tag, "requests.csv", k, "draining");
		}
	}
	CU_ASSERT(e502_by > 0);
	T_NEAR(e502_after, 0);
	T_NEAR(draining_after, 0);
}

static void test_orphan_host_gone_cuts_drain(void)
{
	spot_run("ld-or", "", TRACE_HDR "300,deregister_instance,ci-00001,,,,\n400,instance_fail,ci-00001,,,,\n");
	T_NEAR(rs_num("ld-or", "tasks.csv", row_of("ld-or", "task-1"), "stopped_s"), 300);
	check_orphan_cut("ld-or", 300, 400);

	spot_run("ld-ors", "", TRACE_HDR "300,deregister_instance,ci-00001,,,,\n310,spot_interruption,ci-00001,,,,\n");
	check_orphan_cut("ld-ors", 300, 430);

	/* a reboot (instance_fail with a repair) ends the orphaned task too:
	 * the host comes back empty */
	spot_run("ld-orr", "", TRACE_HDR "300,deregister_instance,ci-00001,,,,\n400,instance_fail,ci-00001,,,60,\n");
	check_orphan_cut("ld-orr", 300, 400);

	spot_run("ld-ora", "\"mode\":\"aggregate\",",
		 TRACE_HDR "300,deregister_instance,ci-00001,,,,\n400,instance_fail,ci-00001,,,,\n");
	T_NEAR(rs_target_at("ld-ora", "task-1", "draining"), 300);
	T_NEAR(rs_target_at("ld-ora", "task-1", "unused"), 400);
}

static CU_TestInfo ld_tests[] = {
	{ "StopTask: DEACTIVATING from the deregistration, replaced at once", test_stop_deactivating },
	{ "rolling min 50 / max 100 behind a target group: bounds, DEACTIVATING", test_rolling_min50_max100 },
	{ "rolling min 100 / max 200 behind a target group: bounds, DEACTIVATING", test_rolling_min100_max200 },
	{ "Fargate: DEACTIVATING from the deregistration", test_fargate_drain },
	{ "two target groups: DEACTIVATING until the later drain", test_two_target_groups },
	{ "aggregate traffic: the drain's end says what ended it", test_aggregate_drain_reason },
	{ "a Spot termination cuts its task's draining target", test_spot_termination_cuts_drain },
	{ "the host of a force-deregistered instance gone: its draining targets cut", test_orphan_host_gone_cuts_drain },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "load-balancer drain", setup, rs_teardown, NULL, NULL, ld_tests },
	CU_SUITE_INFO_NULL,
};
