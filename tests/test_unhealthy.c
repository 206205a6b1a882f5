/* tests/test_unhealthy.c — an unhealthy service task is replaced first,
 * then stopped (docs/ecs-model.md §5.3), each written from the ECS rule:
 *
 *  - with room under maximumPercent, ECS starts a replacement and stops the
 *    unhealthy task only once the replacement is healthy: the service never
 *    has fewer than its desired count of tasks it means to keep running, and
 *    the unhealthy task's target starts draining only after a replacement's
 *    target is healthy;
 *  - with maximumPercent 100 there is no room: the unhealthy tasks are
 *    stopped one at a time, minimumHealthyPercent honoured at every event
 *    (stopping an unhealthy task never lowers the healthy count, so the
 *    floor never holds one back: AWS DeploymentConfiguration
 *    .minimumHealthyPercent, "stops the unhealthy tasks one-by-one — using
 *    the minimumHealthyPercent as a constraint — to clear up capacity");
 *  - an unhealthy task that recovers before its replacement is healthy is
 *    kept, and the surplus goes by the scale-in rule;
 *  - the stop code is ServiceSchedulerInitiated, the stoppedReason "Task
 *    failed ELB health checks in (target-group NAME)".
 *
 * The unhealthy targets are those of tasks on a failed instance (spread
 * over instances, the four tasks land on ci-00004, ci-00002, ci-00005 and
 * ci-00003; a failed instance holds one); the
 * heartbeat timeout is 300 s, so ECS learns of the host only at 600 s, long
 * after the scheduler has replaced and stopped its tasks.  The bounds are checked after every
 * event, alongside the whole-run invariants (tests/helpers/invariants.h). */
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

#define HEAD(name, dur) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," \
	"\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatTimeoutSeconds\":300," \
	"\"heartbeatJitterSeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3}," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":3}," \
	"{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":3}]," \
	"\"loadBalancers\":[{\"name\":\"alb\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}]," \
	"\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\"," \
	"\"healthCheckIntervalSeconds\":5,\"healthCheckTimeoutSeconds\":2," \
	"\"attributes\":{\"deregistration_delay.timeout_seconds\":5}}]," \
	"\"taskDefinitions\":{\"web\":\"unh-web.json\",\"web2\":\"unh-web2.json\"},"
#define SVC(min, max) "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":4," \
	"\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"instanceId\"}]," \
	"\"deploymentConfiguration\":{\"minimumHealthyPercent\":" #min ",\"maximumPercent\":" #max "}," \
	"\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"

static const char *td_web =
	"{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\",\"cpu\":256,\"memory\":512,"
	"\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}";

static const char *td_web2 =
	"{\"family\":\"web\",\"revision\":2,\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x:2\",\"cpu\":256,"
	"\"memory\":512,\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}";

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("unh-web.json", td_web);
	rs_write("unh-web2.json", td_web2);
	return 0;
}

/* Checked after every event: `keep` = the service's tasks whose desired
 * status is RUNNING, `healthy` = those of them ECS holds healthy. */
struct unh_check {
	struct inv inv;
	int steady;
	long samples;
	int64_t max_keep, min_keep, min_healthy;
	long over_max, under_floor;
};

static void unh_observe(struct backplane *bp, void *ctx)
{
	struct unh_check *c = ctx;
	struct svc *v;
	int64_t keep = 0, healthy = 0;

	inv_observe(bp, &c->inv);
	if (svc_sched(bp)->n_svcs < 1 || !svc_sched(bp)->svcs[0].active)
		return;
	v = &svc_sched(bp)->svcs[0];
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = &bp->tasks[v->tasks[k]];

		if (t->desired == TD_RUNNING) {
			keep++;
			healthy += t->healthy;
		}
	}
	if (healthy >= v->desired)
		c->steady = 1;
	if (!c->steady)
		return;
	c->samples++;
	if (keep > c->max_keep)
		c->max_keep = keep;
	if (keep < c->min_keep)
		c->min_keep = keep;
	if (healthy < c->min_healthy)
		c->min_healthy = healthy;
	if (keep > (int64_t)floor((double)v->desired * v->cfg->max_pct / 100.0))
		c->over_max++;
	if (healthy < (int64_t)ceil((double)v->desired * v->cfg->min_healthy_pct / 100.0))
		c->under_floor++;
}

static void unh_init(struct unh_check *c)
{
	memset(c, 0, sizeof *c);
	inv_init(&c->inv);
	c->max_keep = -1;
	c->min_keep = c->min_healthy = 1000000;
}

/* The tasks of out-<tag> on the failed instances (started before the fault
 * at 300 s; ci-00002, and ci-00003 when n_failed is 2): their draining times, sorted; the healthy times of the
 * replacements' targets (tasks started after 300 s), sorted.  Checks the
 * stop code and reason of the failed ones on the way. */
static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void collect(const char *tag, int n_failed, double *drain, int *n_drain, double *repl, int *n_repl)
{
	int n = rs_rows(tag, "tasks.csv");

	*n_drain = *n_repl = 0;
	for (int r = 1; r <= n; r++) {
		char *id = rs_cell(tag, "tasks.csv", r, "task_id");
		char *inst = rs_cell(tag, "tasks.csv", r, "instance_id");
		double running = rs_num(tag, "tasks.csv", r, "running_s");

		if (running < 300 && inst && (strcmp(inst, "ci-00002") == 0 || (n_failed > 1 && strcmp(inst, "ci-00003") == 0))) {
			char *code = rs_cell(tag, "tasks.csv", r, "stop_code");
			char *why = rs_cell(tag, "tasks.csv", r, "stopped_reason");

			/* ECS's stopCode and stoppedReason (docs/ecs-model.md §5.3) */
			T_STREQ(code, "ServiceSchedulerInitiated");
			T_STREQ(why, "Task failed ELB health checks in (target-group tg)");
			drain[(*n_drain)++] = rs_target_at(tag, id, "draining");
			free(code);
			free(why);
		} else if (running > 300 && *n_repl < 8) {
			repl[(*n_repl)++] = rs_target_at(tag, id, "healthy");
		}
		free(id);
		free(inst);
	}
	qsort(drain, (size_t)*n_drain, sizeof *drain, cmp_d);
	qsort(repl, (size_t)*n_repl, sizeof *repl, cmp_d);
}

/* maximumPercent 200: the unhealthy task stays until its replacement is
 * healthy; the service keeps its desired count of tasks meant to run at
 * every event, and loses at most the unhealthy one's health. */
static void test_replaced_first(void)
{
	struct unh_check c;
	double drain[8], repl[8];
	int n_drain, n_repl;

	unh_init(&c);
	rs_write("unh-a.json", HEAD("unh-a", 900) SVC(100, 200) "\"workload\":{\"traces\":[\"unh-a.csv\"]}}");
	rs_write("unh-a.csv", TRACE_HDR "300,instance_fail,ci-00002,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("unh-a.json", "unh-a", NULL, unh_observe, &c), 0);
	inv_report(&c.inv, "unh-a");
	T_EQ(c.inv.violations, 0);
	CU_ASSERT(c.samples > 50);
	T_EQ(c.over_max, 0);
	/* never fewer than desired tasks meant to run: the unhealthy one is
	 * stopped only after its replacement started (and is healthy) */
	T_EQ(c.min_keep, 4);
	T_EQ(c.max_keep, 5);                   /* the replacement beside it */
	T_EQ(c.min_healthy, 3);                /* only the unhealthy one is missing */
	collect("unh-a", 1, drain, &n_drain, repl, &n_repl);
	T_EQ(n_drain, 1);
	T_EQ(n_repl, 1);
	/* its target drains only once the replacement's target is healthy */
	CU_ASSERT(repl[0] > 300);
	CU_ASSERT(drain[0] >= repl[0]);
	RS_IS("unh-a", "services.csv", -1, "running", "4");
	RS_IS("unh-a", "services.csv", -1, "healthy", "4");
	inv_free(&c.inv);
}

/* maximumPercent 100, minimumHealthyPercent 50, two unhealthy tasks: no
 * room for a replacement beside them, so they are stopped one at a time —
 * the second only once the first one's replacement is healthy — and at
 * least ceil(4 × 50%) = 2 tasks stay healthy at every event. */
static void test_one_at_a_time(void)
{
	struct unh_check c;
	double drain[8], repl[8];
	int n_drain, n_repl;

	unh_init(&c);
	rs_write("unh-b.json", HEAD("unh-b", 900) SVC(50, 100) "\"workload\":{\"traces\":[\"unh-b.csv\"]}}");
	rs_write("unh-b.csv", TRACE_HDR "300,instance_fail,ci-00002,,,,\n300,instance_fail,ci-00003,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("unh-b.json", "unh-b", NULL, unh_observe, &c), 0);
	inv_report(&c.inv, "unh-b");
	T_EQ(c.inv.violations, 0);
	CU_ASSERT(c.samples > 50);
	T_EQ(c.over_max, 0);
	T_EQ(c.max_keep, 4);                   /* maximumPercent 100: never more */
	T_EQ(c.under_floor, 0);
	T_EQ(c.min_healthy, 2);
	/* one stopped at a time (its replacement launched at once) */
	CU_ASSERT(c.min_keep >= 3);
	collect("unh-b", 2, drain, &n_drain, repl, &n_repl);
	T_EQ(n_drain, 2);
	T_EQ(n_repl, 2);
	/* the second is stopped only once the first replacement is healthy */
	CU_ASSERT(drain[1] >= repl[0]);
	CU_ASSERT(drain[1] > drain[0]);
	RS_IS("unh-b", "services.csv", -1, "running", "4");
	RS_IS("unh-b", "services.csv", -1, "healthy", "4");
	inv_free(&c.inv);
}

/* Overload makes both targets fail their checks (they time out behind the
 * queue) and then pass again before the replacements, slow to pull their
 * image, are even running: the recovered tasks are kept, and the
 * replacements, now surplus, go by the scale-in rule (not-yet-running
 * first). */
static void test_recovered_kept(void)
{
	struct unh_check c;
	int n, kept = 0, surplus = 0;

	unh_init(&c);
	rs_write("unh-r-rate.csv", "time_s,rate_per_s\n0,8\n300,80\n330,8\n");
	rs_write("unh-r.json", "{\"name\":\"unh-r\",\"durationSeconds\":1200,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25,"
		 "\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatTimeoutSeconds\":300,"
		 "\"heartbeatJitterSeconds\":0},"
		 "\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":150,\"imagePullCachedSeconds\":150,"
		 "\"containerStartSeconds\":2,\"shutdownSeconds\":3},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":3},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":3}],"
		 "\"loadBalancers\":[{\"name\":\"alb\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}],"
		 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\","
		 "\"healthCheckIntervalSeconds\":5,\"healthCheckTimeoutSeconds\":2,"
		 "\"healthCheckTimesOutWhenOverloaded\":true,"
		 "\"traffic\":{\"arrivals\":{\"rateCurve\":{\"file\":\"unh-r-rate.csv\"}},"
		 "\"serviceTimeSeconds\":{\"constant\":{\"value\":1}},\"workersPerTask\":10},"
		 "\"attributes\":{\"deregistration_delay.timeout_seconds\":5}}],"
		 "\"taskDefinitions\":{\"web\":\"unh-web.json\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":2,"
		 "\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"instanceId\"}],"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("unh-r.json", "unh-r", NULL, unh_observe, &c), 0);
	inv_report(&c.inv, "unh-r");
	T_EQ(c.inv.violations, 0);
	T_EQ(c.over_max, 0);
	T_EQ(c.min_keep, 2);
	T_EQ(c.max_keep, 4);                   /* a replacement for each */
	n = rs_rows("unh-r", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *id = rs_cell("unh-r", "tasks.csv", r, "task_id");
		char *desired = rs_cell("unh-r", "tasks.csv", r, "desired_status");
		char *code = rs_cell("unh-r", "tasks.csv", r, "stop_code");
		char *why = rs_cell("unh-r", "tasks.csv", r, "stopped_reason");
		double submit = rs_num("unh-r", "tasks.csv", r, "submit_s");

		if (submit < 300) {
			double bad = rs_target_at("unh-r", id, "unhealthy");
			double ok = rs_target_at("unh-r", id, "healthy");   /* the first: at start */
			int nr = rs_rows("unh-r", "targets.csv");

			for (int k = 1; k <= nr; k++) {
				char *t = rs_cell("unh-r", "targets.csv", k, "target");
				char *to = rs_cell("unh-r", "targets.csv", k, "to");
				double at = rs_num("unh-r", "targets.csv", k, "time_s");

				if (t && to && strcmp(t, id) == 0 && strcmp(to, "healthy") == 0 && at > bad)
					ok = at;
				free(t);
				free(to);
			}
			/* unhealthy after the grace period, then healthy again: kept */
			CU_ASSERT(bad > 300);
			CU_ASSERT(ok > bad);
			T_STREQ(desired, "RUNNING");
			kept++;
		} else {
			/* the surplus replacement: a plain scale-in stop */
			T_STREQ(desired, "STOPPED");
			T_STREQ(code, "ServiceSchedulerInitiated");
			T_STREQ(why, "");
			surplus++;
		}
		free(id);
		free(desired);
		free(code);
		free(why);
	}
	T_EQ(kept, 2);
	T_EQ(surplus, 2);
	RS_IS("unh-r", "services.csv", -1, "running", "2");
	RS_IS("unh-r", "services.csv", -1, "healthy", "2");
	inv_free(&c.inv);
}

/* E103 for an older deployment's unhealthy tasks (docs/ecs-model.md §5.3,
 * choices E8 and E103), checked after every event from the rule: with no
 * room under maximumPercent, unhealthy tasks — of any deployment — are
 * stopped one at a time (at most one in an event, and none while a task of
 * the service is still on its way to healthy: the previous one's
 * replacement, or the rollout's), minimumHealthyPercent as the constraint:
 * no event where the scheduler stops a healthy task leaves fewer than
 * ceil(desired × minimumHealthyPercent / 100) healthy (an unhealthy task's
 * stop never lowers the healthy count, so the floor never holds it back).
 * `no`, `live_unhealthy`, `live_healthy`: each slot's task after the
 * previous event. */
struct old_check {
	struct inv inv;
	long samples;
	long many_at_once;         /* events stopping more than one unhealthy task, no room */
	long while_starting;       /* a no-room stop while a task was still starting */
	long under_floor;          /* a scheduler stop of a healthy task leaving healthy below the floor */
	long unhealthy_stops;
	uint64_t *no;
	uint8_t *live_unhealthy, *live_healthy;
	size_t n;
	int64_t prev_live, prev_starting;
};

static void old_observe(struct backplane *bp, void *ctx)
{
	struct old_check *c = ctx;
	struct svc *v;
	int64_t live = 0, healthy = 0, starting = 0, stops = 0, healthy_stops = 0, hi, lo;

	inv_observe(bp, &c->inv);
	if (svc_sched(bp)->n_svcs < 1 || !svc_sched(bp)->svcs[0].active)
		return;
	v = &svc_sched(bp)->svcs[0];
	if (bp->n_tasks > c->n) {
		size_t n = bp->n_tasks * 2;

		c->no = realloc(c->no, n * sizeof *c->no);
		c->live_unhealthy = realloc(c->live_unhealthy, n);
		c->live_healthy = realloc(c->live_healthy, n);
		memset(c->live_unhealthy + c->n, 0, n - c->n);
		memset(c->live_healthy + c->n, 0, n - c->n);
		c->n = n;
	}
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = &bp->tasks[v->tasks[k]];

		if (t->desired == TD_RUNNING) {
			live++;
			healthy += t->healthy;
			starting += !t->healthy && !t->unhealthy;
		} else if (c->no[v->tasks[k]] == t->no && t->stop_code &&
			   strcmp(t->stop_code, STOP_SCHEDULER) == 0) {
			stops += c->live_unhealthy[v->tasks[k]];
			healthy_stops += c->live_healthy[v->tasks[k]];
		}
	}
	hi = (int64_t)floor((double)v->desired * v->cfg->max_pct / 100.0);
	lo = (int64_t)ceil((double)v->desired * v->cfg->min_healthy_pct / 100.0);
	c->samples++;
	c->unhealthy_stops += stops;
	if (stops > 0 && c->prev_live >= hi) {
		if (stops > 1)
			c->many_at_once++;
		if (c->prev_starting > 0)
			c->while_starting++;
	}
	if (healthy_stops > 0 && healthy < lo)
		c->under_floor++;
	if (c->n > 0) {        /* (none yet before the first task: a NULL table) */
		memset(c->live_unhealthy, 0, c->n);
		memset(c->live_healthy, 0, c->n);
	}
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = &bp->tasks[v->tasks[k]];

		c->no[v->tasks[k]] = t->no;
		c->live_unhealthy[v->tasks[k]] = t->desired == TD_RUNNING && t->unhealthy;
		c->live_healthy[v->tasks[k]] = t->desired == TD_RUNNING && t->healthy;
	}
	c->prev_live = live;
	c->prev_starting = starting;
}

/* Desired 4 at minimumHealthyPercent 50 / maximumPercent 100, a deployment
 * of web:2 at 300 s: the rollout stops two web tasks (task-1, task-2; no
 * room to start first) and starts two web:2 tasks at 314.25 s.  The
 * instances of the other two web tasks (ci-00003, ci-00005) fail at 305 s:
 * their targets fail at 314.25 s, while the web:2 tasks are still
 * starting.  There is no room (4 live of 4), so the two unhealthy web tasks
 * go one at a time: the first once the web:2 tasks are healthy, replaced by
 * a web task (its own revision, choice E8), the second once that
 * replacement is healthy.  main's code stopped both at once at 324.25 s,
 * while the web:2 tasks were still starting. */
static void test_old_one_at_a_time(void)
{
	struct old_check c;
	double drain3, drain4, first, second, repl = -1;
	int n;

	memset(&c, 0, sizeof c);
	inv_init(&c.inv);
	rs_write("unh-o.json", HEAD("unh-o", 900)
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":4,"
		 "\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"instanceId\"}],"
		 "\"deploymentConfiguration\":{\"minimumHealthyPercent\":50,\"maximumPercent\":100},"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
		 "\"workload\":{\"traces\":[\"unh-o.csv\"]}}");
	rs_write("unh-o.csv", TRACE_HDR "300,deploy,w,web2,,,\n305,instance_fail,ci-00003,,,,\n"
		 "305,instance_fail,ci-00005,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("unh-o.json", "unh-o", NULL, old_observe, &c), 0);
	inv_report(&c.inv, "unh-o");
	T_EQ(c.inv.violations, 0);
	CU_ASSERT(c.samples > 50);
	T_EQ(c.unhealthy_stops, 2);
	T_EQ(c.many_at_once, 0);
	T_EQ(c.while_starting, 0);
	T_EQ(c.under_floor, 0);
	/* the two web tasks on the failed instances: unhealthy, then drained
	 * one at a time, the second after the first one's replacement (a web
	 * task started after 314.25 s) is healthy */
	RS_IS("unh-o", "tasks.csv", rs_find("unh-o", "tasks.csv", "task_id", "task-3"), "stopped_reason",
	      "Task failed ELB health checks in (target-group tg)");
	RS_IS("unh-o", "tasks.csv", rs_find("unh-o", "tasks.csv", "task_id", "task-4"), "stopped_reason",
	      "Task failed ELB health checks in (target-group tg)");
	drain3 = rs_target_at("unh-o", "task-3", "draining");
	drain4 = rs_target_at("unh-o", "task-4", "draining");
	first = drain3 < drain4 ? drain3 : drain4;
	second = drain3 < drain4 ? drain4 : drain3;
	CU_ASSERT(first > rs_target_at("unh-o", "task-5", "healthy"));
	CU_ASSERT(first > rs_target_at("unh-o", "task-6", "healthy"));
	n = rs_rows("unh-o", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *td = rs_cell("unh-o", "tasks.csv", r, "taskdef");
		char *id = rs_cell("unh-o", "tasks.csv", r, "task_id");

		if (strcmp(td, "web") == 0 && rs_num("unh-o", "tasks.csv", r, "submit_s") > 300 && repl < 0)
			repl = rs_target_at("unh-o", id, "healthy");
		free(td);
		free(id);
	}
	CU_ASSERT(repl > first);
	CU_ASSERT(second >= repl);
	/* the rollout completes with web:2 alone */
	RS_IS("unh-o", "services.csv", -1, "deployments", "1");
	RS_IS("unh-o", "services.csv", -1, "healthy", "4");
	free(c.no);
	free(c.live_unhealthy);
	free(c.live_healthy);
	inv_free(&c.inv);
}

/* The audit's case (docs/ecs-model.md §5.3, choice E103): desired 2 at
 * minimumHealthyPercent 100 / maximumPercent 100, task-1's container
 * health check fails for good from 300 s.  No room for a replacement
 * beside it (2 live of floor(2 × 100%) = 2), one healthy task of the
 * ceil(2 × 100%) = 2 the floor asks for: stopping the unhealthy task leaves
 * the healthy count at 1, so minimumHealthyPercent does not forbid it, and
 * the scheduler stops it and launches its replacement in the same pass.
 * main's code (E103's "below the floor, wait") kept it running for good.
 *
 * The instants, from the scenario's timings: CreateService takes effect at
 * 0.25 (apiLatency); placed at 1.25 (placement 1), at the agent 1.75
 * (network 0.5), pulled 11.75 (10), RUNNING 13.75 (start 2).  The checks
 * run every 10 s from RUNNING: the failing ones at 303.75, 313.75, 323.75;
 * the third (retries 3) makes the container UNHEALTHY at 323.75, and the
 * scheduler reacts 10 s later (schedulerDelay): task-1 desired STOPPED and
 * the replacement submitted at 333.75.  task-1 gets the stop at 334.25
 * (network 0.5), STOPPED at 337.25 (shutdown 3).  The replacement: placed
 * 334.75, at its agent 335.25, the image already there (cached pull 1)
 * 336.25, RUNNING 338.25. */
static void test_noroom_floor(void)
{
	struct old_check c;
	int r1, r3;

	memset(&c, 0, sizeof c);
	inv_init(&c.inv);
	rs_write("unh-hc.json", "{\"family\":\"hc\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		 "\"cpu\":256,\"memory\":512,\"healthCheck\":{\"command\":[\"CMD-SHELL\",\"true\"],"
		 "\"interval\":10,\"timeout\":5,\"retries\":3,\"startPeriod\":30}}]}");
	rs_write("unh-n.json", "{\"name\":\"unh-n\",\"durationSeconds\":900,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25,"
		 "\"schedulerDelaySeconds\":10},"
		 "\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1,"
		 "\"containerStartSeconds\":2,\"shutdownSeconds\":3},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.xlarge\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		 "\"taskDefinitions\":{\"hc\":\"unh-hc.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"hc\",\"desiredCount\":2,"
		 "\"deploymentConfiguration\":{\"minimumHealthyPercent\":100,\"maximumPercent\":100}}],"
		 "\"workload\":{\"traces\":[\"unh-n.csv\"]}}");
	rs_write("unh-n.csv", TRACE_HDR "300,health_check_fail,task-1,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("unh-n.json", "unh-n", NULL, old_observe, &c), 0);
	inv_report(&c.inv, "unh-n");
	T_EQ(c.inv.violations, 0);
	CU_ASSERT(c.samples > 20);
	T_EQ(c.unhealthy_stops, 1);
	T_EQ(c.many_at_once, 0);
	T_EQ(c.while_starting, 0);
	T_EQ(c.under_floor, 0);
	r1 = rs_find("unh-n", "tasks.csv", "task_id", "task-1");
	r3 = rs_find("unh-n", "tasks.csv", "task_id", "task-3");
	CU_ASSERT_FATAL(r1 > 0);
	CU_ASSERT_FATAL(r3 > 0);
	T_NEAR(rs_num("unh-n", "tasks.csv", r1, "running_s"), 13.75);
	RS_IS("unh-n", "tasks.csv", r1, "stop_code", "ServiceSchedulerInitiated");
	RS_IS("unh-n", "tasks.csv", r1, "stopped_reason", "Task failed container health checks");
	T_NEAR(rs_num("unh-n", "tasks.csv", r1, "deactivating_s"), 334.25);
	T_NEAR(rs_num("unh-n", "tasks.csv", r1, "stopped_s"), 337.25);
	T_NEAR(rs_num("unh-n", "tasks.csv", r3, "submit_s"), 333.75);
	T_NEAR(rs_num("unh-n", "tasks.csv", r3, "running_s"), 338.25);
	T_EQ(rs_rows("unh-n", "tasks.csv"), 3);      /* no other task */
	RS_IS("unh-n", "services.csv", -1, "running", "2");
	RS_IS("unh-n", "services.csv", -1, "healthy", "2");
	free(c.no);
	free(c.live_unhealthy);
	free(c.live_healthy);
	inv_free(&c.inv);
}

/* E103 with no deployment in progress and a full cluster (docs/ecs-model.md
 * §5.3, choices E103 and E149): desired 4 on two m5.large (2 vCPU each,
 * tasks of 1 vCPU: 4 fit, no more), maximumPercent 200 (the default), so
 * the pass that follows the UNHEALTHY mark has room under maximumPercent
 * and launches a replacement, which finds no instance.  No room for the
 * replacement: the scheduler stops the unhealthy task to clear up capacity,
 * at a pass schedulerDelaySeconds after the failed placement.  main's code
 * called no pass there (capacity never appeared), so task-1 ran unhealthy
 * to the end and the service stayed at 3 healthy.
 *
 * Checked after every event: no live unhealthy task is kept longer than
 * schedulerDelay (the pass after the mark) + placementLatency (its
 * replacement's failed placement) + schedulerDelay (the pass after that) =
 * 21 s after it is marked; one at a time, none while a task is starting,
 * the floor kept (old_observe).
 *
 * The instants, from the scenario's timings (those of test_noroom_floor):
 * task-1 RUNNING 13.75, UNHEALTHY 323.75 (failed checks at 303.75, 313.75,
 * 323.75; retries 3).  The pass at 333.75 submits task-5, whose placement
 * at 334.75 finds no CPU (placement_failures.csv).  The pass at 344.75
 * stops task-1 (desired STOPPED; at its agent 345.25, STOPPED 348.25) and
 * submits task-6, whose placement at 345.75 finds no CPU either (task-1
 * still holds its share).  ECS hears of task-1's stop at 348.75 (network
 * 0.5); the pass at 358.75 submits task-7: placed 359.75 on ci-00002, at
 * its agent 360.25, the image cached 361.25, RUNNING 363.25. */
struct full_check {
	struct old_check o;
	sim_time_t bound;         /* the longest an unhealthy task may be kept, ms */
	sim_time_t *since;        /* each slot's task: when first seen unhealthy, or -1 */
	uint64_t *no;
	size_t n;
	long kept_long;           /* events where one was kept past the bound */
	sim_time_t longest;       /* the longest an unhealthy task was kept, ms */
	/* one at a time: an unhealthy task stopped while the service, after
	 * the previous event, had fewer than its desired count healthy or
	 * unhealthy (the previous one's replacement not yet healthy) */
	long early;
	int64_t prev_healthy, prev_unhealthy;
};

static void full_observe(struct backplane *bp, void *ctx)
{
	struct full_check *c = ctx;
	sim_time_t now = sim_now(backplane_sim(bp));
	int64_t healthy = 0, unhealthy = 0, stops = 0;
	struct svc *v;

	old_observe(bp, &c->o);
	if (svc_sched(bp)->n_svcs < 1 || !svc_sched(bp)->svcs[0].active)
		return;
	v = &svc_sched(bp)->svcs[0];
	if (bp->n_tasks > c->n) {
		size_t n = bp->n_tasks * 2;

		c->since = realloc(c->since, n * sizeof *c->since);
		c->no = realloc(c->no, n * sizeof *c->no);
		for (size_t i = c->n; i < n; i++) {
			c->since[i] = -1;
			c->no[i] = UINT64_MAX;
		}
		c->n = n;
	}
	for (int k = 0; k < v->n_tasks; k++) {
		uint32_t slot = v->tasks[k];
		struct task *t = &bp->tasks[slot];

		if (c->no[slot] != t->no) {
			c->no[slot] = t->no;
			c->since[slot] = -1;
		}
		if (t->desired == TD_RUNNING) {
			healthy += t->healthy;
			unhealthy += t->unhealthy;
		}
		if (t->desired != TD_RUNNING || !t->unhealthy) {
			/* stopped (or healthy again) at this event: kept until now */
			if (c->since[slot] >= 0 && now - c->since[slot] > c->longest)
				c->longest = now - c->since[slot];
			stops += c->since[slot] >= 0 && t->desired != TD_RUNNING;
			c->since[slot] = -1;
			continue;
		}
		if (c->since[slot] < 0)
			c->since[slot] = now;
		if (now - c->since[slot] > c->bound)
			c->kept_long++;
	}
	if (stops > 0 && c->prev_healthy + c->prev_unhealthy < v->desired)
		c->early++;
	c->prev_healthy = healthy;
	c->prev_unhealthy = unhealthy;
}

/* The full cluster of the two tests below (2 × m5.large, desired 4 tasks
 * of 1 vCPU, checks every 10 s), the trace `rows` of health_check_fail
 * rows, run as `name` under full_observe with `bound`; the invariants both
 * tests hold (no unhealthy task kept past the bound, one stopped at a
 * time, none while a task starts, the floor kept) and the number of
 * unhealthy tasks the scheduler stopped checked. */
static void full_run(const char *name, const char *rows, sim_time_t bound, long stops, struct full_check *c)
{
	char scn[64], trace[64], json[1024], csv[256];

	memset(c, 0, sizeof *c);
	inv_init(&c->o.inv);
	c->bound = bound;
	snprintf(scn, sizeof scn, "%s.json", name);
	snprintf(trace, sizeof trace, "%s.csv", name);
	rs_write("unh-hc1.json", "{\"family\":\"hc1\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		 "\"cpu\":1024,\"memory\":512,\"healthCheck\":{\"command\":[\"CMD-SHELL\",\"true\"],"
		 "\"interval\":10,\"timeout\":5,\"retries\":3,\"startPeriod\":30}}]}");
	snprintf(json, sizeof json, "{\"name\":\"%s\",\"durationSeconds\":900,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25,"
		 "\"schedulerDelaySeconds\":10},"
		 "\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1,"
		 "\"containerStartSeconds\":2,\"shutdownSeconds\":3},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		 "\"taskDefinitions\":{\"hc\":\"unh-hc1.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"hc\",\"desiredCount\":4}],"
		 "\"workload\":{\"traces\":[\"%s\"]}}", name, trace);
	rs_write(scn, json);
	snprintf(csv, sizeof csv, "%s%s", TRACE_HDR, rows);
	rs_write(trace, csv);
	CU_ASSERT_EQUAL_FATAL(rs_run(scn, name, NULL, full_observe, c), 0);
	inv_report(&c->o.inv, name);
	T_EQ(c->o.inv.violations, 0);
	CU_ASSERT(c->o.samples > 20);
	T_EQ(c->kept_long, 0);
	T_EQ(c->early, 0);
	T_EQ(c->o.unhealthy_stops, stops);
	T_EQ(c->o.many_at_once, 0);
	T_EQ(c->o.while_starting, 0);
	T_EQ(c->o.under_floor, 0);
}

static void full_free(struct full_check *c)
{
	free(c->since);
	free(c->no);
	free(c->o.no);
	free(c->o.live_unhealthy);
	free(c->o.live_healthy);
	inv_free(&c->o.inv);
}

static void test_noroom_full(void)
{
	struct full_check c;
	int r1, r7, n;

	full_run("unh-f", "300,health_check_fail,task-1,,,,\n", 21000, 1, &c);
	T_EQ(c.longest, 21000);                /* 323.75 → 344.75 */
	r1 = rs_find("unh-f", "tasks.csv", "task_id", "task-1");
	r7 = rs_find("unh-f", "tasks.csv", "task_id", "task-7");
	CU_ASSERT_FATAL(r1 > 0);
	CU_ASSERT_FATAL(r7 > 0);
	T_NEAR(rs_num("unh-f", "tasks.csv", r1, "running_s"), 13.75);
	RS_IS("unh-f", "tasks.csv", r1, "stop_code", "ServiceSchedulerInitiated");
	RS_IS("unh-f", "tasks.csv", r1, "stopped_reason", "Task failed container health checks");
	T_NEAR(rs_num("unh-f", "tasks.csv", r1, "deactivating_s"), 345.25);
	T_NEAR(rs_num("unh-f", "tasks.csv", r1, "stopped_s"), 348.25);
	T_NEAR(rs_num("unh-f", "tasks.csv", r7, "submit_s"), 358.75);
	T_NEAR(rs_num("unh-f", "tasks.csv", r7, "placed_s"), 359.75);
	T_NEAR(rs_num("unh-f", "tasks.csv", r7, "running_s"), 363.25);
	/* the two replacements that found no room */
	n = rs_rows("unh-f", "placement_failures.csv");
	T_EQ(n, 2);
	if (n == 2) {
		RS_IS("unh-f", "placement_failures.csv", 1, "task_id", "task-5");
		T_NEAR(rs_num("unh-f", "placement_failures.csv", 1, "time_s"), 334.75);
		RS_IS("unh-f", "placement_failures.csv", 2, "task_id", "task-6");
		T_NEAR(rs_num("unh-f", "placement_failures.csv", 2, "time_s"), 345.75);
	}
	T_EQ(rs_rows("unh-f", "tasks.csv"), 5);      /* task-1..4 and task-7 */
	RS_IS("unh-f", "services.csv", -1, "running", "4");
	RS_IS("unh-f", "services.csv", -1, "healthy", "4");
	full_free(&c);
}

/* The same full cluster with task-1 and task-2 failing for good (choices
 * E103, E149): one at a time, the second only once the first one's
 * replacement is healthy; each within the bound after it could go.
 * task-1 as above: stopped 344.75 (its replacements task-5, task-6 at
 * 334.75 and task-7, task-8 at 345.75 find no CPU), STOPPED 348.25, heard
 * 348.75; the pass at 358.75 launches task-9 (RUNNING 363.25 on ci-00002)
 * and task-10 (no CPU: task-2 still holds its share; task-9 is starting,
 * so no pass of its own).  task-9's first check passes at 373.25 (RUNNING +
 * interval): healthy, and the pass at 383.25 stops task-2 (at its agent 383.75, STOPPED 386.75) and
 * launches task-11 (no CPU at 384.25; task-2 still stopping).  Heard
 * 387.25, the pass at 397.25 launches task-12: RUNNING 401.75 on
 * ci-00001.  main's code stopped neither. */
static void test_noroom_full_two(void)
{
	struct full_check c;
	int r2, r12;

	/* task-2: marked 323.75, stopped 383.25 (task-9 healthy 373.25 + 10) */
	full_run("unh-f2", "300,health_check_fail,task-1,,,,\n300,health_check_fail,task-2,,,,\n", 60000, 2, &c);
	T_EQ(c.longest, 59500);                /* task-2: 323.75 → 383.25 */
	RS_IS("unh-f2", "tasks.csv", rs_find("unh-f2", "tasks.csv", "task_id", "task-1"), "stopped_s", "348.250");
	r2 = rs_find("unh-f2", "tasks.csv", "task_id", "task-2");
	r12 = rs_find("unh-f2", "tasks.csv", "task_id", "task-12");
	CU_ASSERT_FATAL(r2 > 0);
	CU_ASSERT_FATAL(r12 > 0);
	RS_IS("unh-f2", "tasks.csv", r2, "stopped_reason", "Task failed container health checks");
	T_NEAR(rs_num("unh-f2", "tasks.csv", r2, "deactivating_s"), 383.75);
	T_NEAR(rs_num("unh-f2", "tasks.csv", r2, "stopped_s"), 386.75);
	T_NEAR(rs_num("unh-f2", "tasks.csv", rs_find("unh-f2", "tasks.csv", "task_id", "task-9"), "running_s"),
	       363.25);
	T_NEAR(rs_num("unh-f2", "tasks.csv", r12, "submit_s"), 397.25);
	T_NEAR(rs_num("unh-f2", "tasks.csv", r12, "running_s"), 401.75);
	T_EQ(rs_rows("unh-f2", "tasks.csv"), 6);     /* task-1..4, task-9, task-12 */
	T_EQ(rs_rows("unh-f2", "placement_failures.csv"), 6);
	RS_IS("unh-f2", "services.csv", -1, "healthy", "4");
	full_free(&c);
}

/* The same with a pass in the middle of task-1's stop (choices E103,
 * E149): a set_desired row (4, unchanged) at 346 calls a pass at 346.25
 * (apiLatency), while task-1 (stopped at 344.75) is still stopping
 * (STOPPED 348.25) and the last launches found no capacity (task-7,
 * task-8 at 345.75).  That pass launches the two missing replacements
 * again (task-9, task-10: no CPU at 347.25) but stops no second
 * unhealthy task: task-1 holds the CPU they lack until it has stopped,
 * and its stop calls its own pass, so task-2 goes only once task-1's
 * replacement is healthy, at 383.25 as above (the task numbers two
 * higher: task-11 RUNNING 363.25, task-12 and task-13 no CPU at 359.75
 * and 384.25, task-14 submitted 397.25, RUNNING 401.75).  The code before
 * "none still stopping" stopped task-2 in that pass (at its agent 346.75,
 * STOPPED 349.75: full_observe's `early`). */
static void test_noroom_pass_while_stopping(void)
{
	struct full_check c;
	int r2, r14, n;

	full_run("unh-fw", "300,health_check_fail,task-1,,,,\n300,health_check_fail,task-2,,,,\n"
		 "346,set_desired,s,,4,,\n", 60000, 2, &c);
	T_EQ(c.longest, 59500);                /* task-2: 323.75 → 383.25 */
	RS_IS("unh-fw", "tasks.csv", rs_find("unh-fw", "tasks.csv", "task_id", "task-1"), "stopped_s", "348.250");
	r2 = rs_find("unh-fw", "tasks.csv", "task_id", "task-2");
	CU_ASSERT_FATAL(r2 > 0);
	RS_IS("unh-fw", "tasks.csv", r2, "stopped_reason", "Task failed container health checks");
	T_NEAR(rs_num("unh-fw", "tasks.csv", r2, "deactivating_s"), 383.75);
	T_NEAR(rs_num("unh-fw", "tasks.csv", r2, "stopped_s"), 386.75);
	T_NEAR(rs_num("unh-fw", "tasks.csv", rs_find("unh-fw", "tasks.csv", "task_id", "task-11"), "running_s"),
	       363.25);
	r14 = rs_find("unh-fw", "tasks.csv", "task_id", "task-14");
	CU_ASSERT_FATAL(r14 > 0);
	T_NEAR(rs_num("unh-fw", "tasks.csv", r14, "submit_s"), 397.25);
	T_NEAR(rs_num("unh-fw", "tasks.csv", r14, "running_s"), 401.75);
	T_EQ(rs_rows("unh-fw", "tasks.csv"), 6);     /* task-1..4, task-11, task-14 */
	/* the pass at 346.25: its launches found no CPU, nothing stopped */
	n = rs_rows("unh-fw", "placement_failures.csv");
	T_EQ(n, 8);
	if (n == 8) {
		RS_IS("unh-fw", "placement_failures.csv", 5, "task_id", "task-9");
		T_NEAR(rs_num("unh-fw", "placement_failures.csv", 5, "time_s"), 347.25);
		RS_IS("unh-fw", "placement_failures.csv", 6, "task_id", "task-10");
		T_NEAR(rs_num("unh-fw", "placement_failures.csv", 6, "time_s"), 347.25);
		RS_IS("unh-fw", "placement_failures.csv", 7, "task_id", "task-12");
		T_NEAR(rs_num("unh-fw", "placement_failures.csv", 7, "time_s"), 359.75);
		RS_IS("unh-fw", "placement_failures.csv", 8, "task_id", "task-13");
		T_NEAR(rs_num("unh-fw", "placement_failures.csv", 8, "time_s"), 384.25);
	}
	RS_IS("unh-fw", "services.csv", -1, "healthy", "4");
	full_free(&c);
}

static CU_TestInfo unh_tests[] = {
	{ "unhealthy task replaced first (maximumPercent 200)", test_replaced_first },
	{ "no room: one at a time, minimumHealthyPercent kept", test_one_at_a_time },
	{ "a task that recovers first is kept, the surplus scaled in", test_recovered_kept },
	{ "no room: an older deployment's unhealthy tasks one at a time too (E103, E8)", test_old_one_at_a_time },
	{ "no room below minimumHealthyPercent: the unhealthy task still goes (E103)", test_noroom_floor },
	{ "a full cluster: a pass follows the failed placement, the unhealthy task goes (E103, E149)",
	  test_noroom_full },
	{ "a full cluster, two unhealthy: the second once the first one's replacement is healthy (E103, E149)",
	  test_noroom_full_two },
	{ "a full cluster: a pass while the stopped unhealthy task is stopping stops no second one (E103, E149)",
	  test_noroom_pass_while_stopping },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "unhealthy replacement", setup, rs_teardown, NULL, NULL, unh_tests },
	CU_SUITE_INFO_NULL,
};
