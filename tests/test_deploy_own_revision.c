/* tests/test_deploy_own_revision.c — the 2025-11 rule of rolling
 * deployments (docs/ecs-model.md §5.3, choices E8 and E112): a task of the
 * currently running (older) revision lost during the rollout is replaced by
 * a task of its own revision, not of the new one, so the failure does not
 * rush the rollout; a lost task of the new revision is replaced by the new
 * one; outside a deployment nothing changes; a scale-out during the rollout
 * goes to both revisions.  Each run is checked after every event: at most
 * floor(desired × maximumPercent / 100) tasks live, and the scheduler never
 * stops a healthy task when fewer than ceil(desired ×
 * minimumHealthyPercent / 100) others stay healthy (a failure may take the
 * service below that floor; the scheduler may not).
 *
 * The scenario: four m5.large (2048 CPU units: four 512-unit tasks each),
 * binpack on CPU with the first-instance tie-break, so the four v1 tasks
 * fill ci-00001 and the new revision's first two go to ci-00002; desired
 * 4 at min 100 / max 150 (4 healthy at least, 6 live at most); tasks are
 * healthy 120 s after RUNNING, so the rollout (v2 at 300 s) takes a while.
 * A failed instance's tasks are lost when its heartbeat times out (60 s). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/svcobs.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/service_int.h"

#define HEAD(name) "{\"name\":\"" name "\",\"durationSeconds\":2400," \
	"\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":120,\"heartbeatTimeoutSeconds\":60," \
	"\"heartbeatJitterSeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3}," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}," \
	"{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":2}]," \
	"\"taskDefinitions\":{\"v1\":\"or-v1.json\",\"v2\":\"or-v2.json\"}," \
	"\"placement\":{\"tieBreak\":\"first\"}," \
	"\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":4," \
	"\"placementStrategy\":[{\"type\":\"binpack\",\"field\":\"cpu\"}]," \
	"\"deploymentConfiguration\":{\"minimumHealthyPercent\":100,\"maximumPercent\":150}}]," \
	"\"workload\":{\"traces\":[\"" name ".csv\"]}}"
#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"

static const char *td_v1 =
	"{\"family\":\"app\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":512,\"memory\":512}]}";
static const char *td_v2 =
	"{\"family\":\"app\",\"revision\":2,\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x:2\",\"cpu\":512,"
	"\"memory\":512}]}";

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("or-v1.json", td_v1);
	rs_write("or-v2.json", td_v2);
	return 0;
}

/* The bounds, after every event. */
struct obs {
	struct so_bounds b;
	int64_t max_live;
};

static void observe(struct backplane *bp, void *ctx)
{
	struct obs *o = ctx;
	struct svc *v;
	struct so_count n;

	if (!(v = so_service(bp)))
		return;
	so_bounds_observe(bp, v, &o->b, &n);
	if (n.live > o->max_live)
		o->max_live = n.live;
}

/* tasks.csv of out-<tag>: of revision `td` ("app" or "app:2"), how many
 * were submitted at or after `from` s, and how many never stopped. */
static void count_td(const char *tag, const char *td, double from, int *started, int *alive)
{
	int n = rs_rows(tag, "tasks.csv");

	*started = *alive = 0;
	for (int r = 1; r <= n; r++) {
		char *t = rs_cell(tag, "tasks.csv", r, "taskdef");
		char *stop = rs_cell(tag, "tasks.csv", r, "stop_s");

		if (t && strcmp(t, td) == 0) {
			*started += rs_num(tag, "tasks.csv", r, "submit_s") >= from;
			*alive += stop && !*stop;
		}
		free(t);
		free(stop);
	}
}

/* Run out-<tag> from <tag>.json and its trace <tag>.csv, observed; both
 * bounds held throughout. */
static void run_checked(const char *tag, const char *scenario, const char *trace, struct obs *o)
{
	char file[64];

	memset(o, 0, sizeof *o);
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scenario);
	snprintf(file, sizeof file, "%s.csv", tag);
	rs_write(file, trace);
	snprintf(file, sizeof file, "%s.json", tag);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, observe, o), 0);
	so_bounds_check(&o->b, 0);
}

/* ci-00001, holding the four v1 tasks, fails at 330 s, while v2's first two
 * tasks start on ci-00002: the four lost v1 tasks are replaced by four v1
 * tasks (room under maxTasks 6: 6 − 2), no v2 task is started for them
 * (main's code started two v2 tasks in their place and none of v1), and
 * the rollout still ends with the four v2 tasks alone. */
static void test_old_lost_replaced_by_old(void)
{
	struct obs o;
	int v1_started, v1_alive, v2_started, v2_alive;

	run_checked("or-old", HEAD("or-old"), TRACE_HDR "300,deploy,s,v2,,,\n330,instance_fail,ci-00001,,,,\n", &o);
	RS_IS("or-old", "tasks.csv", 1, "instance_id", "ci-00001");
	count_td("or-old", "app", 300, &v1_started, &v1_alive);
	count_td("or-old", "app:2", 300, &v2_started, &v2_alive);
	T_EQ(v1_started, 4);               /* the replacements, of their own revision */
	T_EQ(v1_alive, 0);                 /* the rollout replaced them in turn */
	T_EQ(v2_alive, 4);
	T_EQ(v2_started, 4);               /* no extra v2 task: the rollout's own four */
	RS_IS("or-old", "services.csv", -1, "deployments", "1");
	RS_IS("or-old", "services.csv", -1, "healthy", "4");
}

/* ci-00002, holding v2's first two tasks, fails at 330 s: they are replaced
 * by v2 tasks; no v1 task is started, and the four v1 tasks are stopped by
 * the rollout only (never lost). */
static void test_new_lost_replaced_by_new(void)
{
	struct obs o;
	int v1_started, v1_alive, v2_started, v2_alive, n, by_sched = 0;

	run_checked("or-new", HEAD("or-new"), TRACE_HDR "300,deploy,s,v2,,,\n330,instance_fail,ci-00002,,,,\n", &o);
	count_td("or-new", "app", 300, &v1_started, &v1_alive);
	count_td("or-new", "app:2", 300, &v2_started, &v2_alive);
	T_EQ(v1_started, 0);
	T_EQ(v1_alive, 0);
	T_EQ(v2_started, 6);               /* the rollout's four and two replacements */
	T_EQ(v2_alive, 4);
	n = rs_rows("or-new", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *t = rs_cell("or-new", "tasks.csv", r, "taskdef");
		char *code = rs_cell("or-new", "tasks.csv", r, "stop_code");

		by_sched += strcmp(t, "app") == 0 && code && strcmp(code, STOP_SCHEDULER) == 0;
		free(t);
		free(code);
	}
	T_EQ(by_sched, 4);
	RS_IS("or-new", "services.csv", -1, "deployments", "1");
}

/* No deployment: ci-00001's four tasks, lost at 390 s, are replaced by four
 * of the service's only revision, as before the rule. */
static void test_no_deployment_unchanged(void)
{
	struct obs o;
	int v1_started, v1_alive;

	run_checked("or-none", HEAD("or-none"), TRACE_HDR "330,instance_fail,ci-00001,,,,\n", &o);
	count_td("or-none", "app", 300, &v1_started, &v1_alive);
	T_EQ(v1_started, 4);
	T_EQ(v1_alive, 4);
	T_EQ(rs_rows("or-none", "tasks.csv"), 8);
	RS_IS("or-none", "services.csv", -1, "deployments", "1");
}

/* Scale-out mid-rollout (choice E112).  v2 at 300 s: its first two tasks
 * are healthy at 433.75 s and the pass at 443.75 s stops two v1 tasks (v1's
 * target 4 → 2).  At 500 s the desired count goes 4 → 8 while v1 still has
 * target 2 and v2 2: v1's becomes floor(2 × 8 / 4) = 4, so two v1 tasks are
 * started, as well as v2 tasks (main's code started v2 tasks only).  The
 * rollout then completes with eight v2 tasks. */
static void test_scale_out_both_revisions(void)
{
	struct obs o;
	int v1_started, v1_alive, v2_started, v2_alive;

	run_checked("or-scale", HEAD("or-scale"), TRACE_HDR "300,deploy,s,v2,,,\n500,set_desired,s,,8,,\n", &o);
	count_td("or-scale", "app", 500, &v1_started, &v1_alive);
	count_td("or-scale", "app:2", 500, &v2_started, &v2_alive);
	T_EQ(v1_started, 2);
	CU_ASSERT(v2_started >= 1);
	T_EQ(v1_alive, 0);
	T_EQ(v2_alive, 8);
	RS_IS("or-scale", "services.csv", -1, "deployments", "1");
	RS_IS("or-scale", "services.csv", -1, "healthy", "8");
}

/* A failing new revision (every v2 task fails to start) with the circuit
 * breaker (COUNT 8, with rollback), ci-00001's four v1 tasks lost at
 * 370 s: they are replaced by v1 tasks at once, while v2 still fails
 * (main's code started v1 tasks only after the rollback), and after the
 * rollback the service runs four v1 tasks.  Without rollback (COUNT 3: the
 * deployment is FAILED by 370 s), the lost v1 tasks are replaced by v1
 * tasks too (main's code left the service with none). */
struct rb_obs {
	struct obs o;
	double rollback_s;         /* the rollback's deployment (a third one, of
				    * the old revision: choice E150) primary, -1 before */
};

static void rb_observe(struct backplane *bp, void *ctx)
{
	struct rb_obs *r = ctx;
	struct svc *v;

	observe(bp, &r->o);
	if (!(v = so_service(bp)))
		return;
	if (r->rollback_s < 0 && v->n_deps == 3 && v->primary == 2 && v->deps[2].td == v->deps[0].td)
		r->rollback_s = (double)sim_now(bp->sim) / 1000.0;
}

/* or-broken.json: the scenario with v2 broken and the circuit breaker
 * `breaker`, its trace or-broken.csv. */
static void broken_scenario(const char *breaker)
{
	char buf[4096], head[4096], *p;

	snprintf(head, sizeof head, "%s", HEAD("or-broken"));
	p = strstr(head, "\"or-v2.json\"");
	CU_ASSERT_FATAL(p != NULL);
	snprintf(buf, sizeof buf, "%.*s{\"file\":\"or-v2.json\",\"startFailureProbability\":1}%s", (int)(p - head),
		 head, p + strlen("\"or-v2.json\""));
	p = strstr(buf, "\"maximumPercent\":150}");
	CU_ASSERT_FATAL(p != NULL);
	snprintf(head, sizeof head, "%.*s\"maximumPercent\":150,\"deploymentCircuitBreaker\":%s}%s", (int)(p - buf),
		 buf, breaker, p + strlen("\"maximumPercent\":150}"));
	rs_write("or-broken.json", head);
	rs_write("or-broken.csv", TRACE_HDR "300,deploy,s,v2,,,\n310,instance_fail,ci-00001,,,,\n");
}

static void test_failing_revision(void)
{
	struct rb_obs r = { .rollback_s = -1 };
	int v1_started, v1_alive, v2_started, v2_alive;
	double first_v1 = -1;
	int n;

	broken_scenario("{\"enable\":true,\"rollback\":true,"
			"\"thresholdConfiguration\":{\"type\":\"COUNT\",\"value\":8}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("or-broken.json", "or-rb", NULL, rb_observe, &r), 0);
	so_prev_free(&r.o.b.prev);
	T_EQ(r.o.b.over_max, 0);
	T_EQ(r.o.b.stop_under_min, 0);
	CU_ASSERT_FATAL(r.rollback_s > 0);
	n = rs_rows("or-rb", "tasks.csv");
	for (int k = 1; k <= n; k++) {
		char *t = rs_cell("or-rb", "tasks.csv", k, "taskdef");
		double at = rs_num("or-rb", "tasks.csv", k, "submit_s");

		if (strcmp(t, "app") == 0 && at >= 300 && (first_v1 < 0 || at < first_v1))
			first_v1 = at;
		free(t);
	}
	CU_ASSERT(first_v1 > 370 && first_v1 < r.rollback_s);
	count_td("or-rb", "app", 300, &v1_started, &v1_alive);
	count_td("or-rb", "app:2", 300, &v2_started, &v2_alive);
	T_EQ(v1_alive, 4);
	T_EQ(v2_alive, 0);
	RS_IS("or-rb", "services.csv", -1, "deployments", "1");

	memset(&r, 0, sizeof r);
	r.rollback_s = -1;
	broken_scenario("{\"enable\":true,\"rollback\":false,"
			"\"thresholdConfiguration\":{\"type\":\"COUNT\",\"value\":3}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("or-broken.json", "or-nr", NULL, rb_observe, &r), 0);
	so_prev_free(&r.o.b.prev);
	T_EQ(r.o.b.over_max, 0);
	T_EQ(r.o.b.stop_under_min, 0);
	T_EQ(r.rollback_s, -1);
	count_td("or-nr", "app", 300, &v1_started, &v1_alive);
	count_td("or-nr", "app:2", 300, &v2_started, &v2_alive);
	T_EQ(v1_started, 4);
	T_EQ(v1_alive, 4);
	T_EQ(v2_alive, 0);
}

/* The throttle is the deployment's own (docs/ecs-model.md §5.4, choice
 * E117): v2 fails to start every time (no circuit breaker), so its
 * launches back off, 30 s after its third failure in a row, doubling up to
 * 900 s (E3).  ci-00001, holding the four v1 tasks, fails at 600 s; ECS
 * learns of it at 660 s (heartbeat timeout) while v2 is throttled.  The
 * old revision's replacements are independent of the new revision's state
 * (the 2025-11 rule, §5.3): the four v1 tasks are started at the pass
 * after the loss, 10 s later (main's code held them until v2's throttle
 * ended, at 1539.25 s).  v2's own backoff is kept (checked from tasks.csv:
 * each v2 launch after n ≥ 3 failures comes at least min(30 · 2^(a−1), 900)
 * s after the last of them, a the launch attempts — distinct submit_s — of
 * the failures from the third on: one step per attempt, choice E226), and
 * v1 tasks reaching RUNNING do not reset it
 * (main's code launched v2 again at 1563.25 s, 10.5 s after its ninth
 * failure). */
static void test_throttle_own_deployment(void)
{
	struct obs o;
	double fail_at[64], fail_sub[64], first_v1 = -1;
	int n, n_fail = 0, early = 0, v2_launches = 0;

	broken_scenario("{\"enable\":false,\"rollback\":false}");
	rs_write("or-broken.csv", TRACE_HDR "300,deploy,s,v2,,,\n600,instance_fail,ci-00001,,,,\n");
	memset(&o, 0, sizeof o);
	CU_ASSERT_EQUAL_FATAL(rs_run("or-broken.json", "or-thr", NULL, observe, &o), 0);
	so_prev_free(&o.b.prev);
	T_EQ(o.b.over_max, 0);
	T_EQ(o.b.stop_under_min, 0);
	n = rs_rows("or-thr", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *td = rs_cell("or-thr", "tasks.csv", r, "taskdef");

		if (strcmp(td, "app:2") == 0 && n_fail < 64) {
			/* in stop order (insertion) */
			double at = rs_num("or-thr", "tasks.csv", r, "stop_s");
			double sub = rs_num("or-thr", "tasks.csv", r, "submit_s");
			int k = n_fail++;

			while (k > 0 && fail_at[k - 1] > at) {
				fail_at[k] = fail_at[k - 1];
				fail_sub[k] = fail_sub[k - 1];
				k--;
			}
			fail_at[k] = at;
			fail_sub[k] = sub;
		}
		else if (strcmp(td, "app") == 0 && rs_num("or-thr", "tasks.csv", r, "submit_s") > 600 &&
			 (first_v1 < 0 || rs_num("or-thr", "tasks.csv", r, "submit_s") < first_v1))
			first_v1 = rs_num("or-thr", "tasks.csv", r, "submit_s");
		free(td);
	}
	/* the four v1 tasks lost at 660 s, replaced by v1 at the next pass */
	RS_IS("or-thr", "tasks.csv", rs_find("or-thr", "tasks.csv", "task_id", "task-1"), "stop_s", "660.000");
	CU_ASSERT(first_v1 >= 660 && first_v1 <= 660 + 10 + 0.5);
	/* v2's backoff, from its own failures only */
	for (int r = 1; r <= n; r++) {
		char *td = rs_cell("or-thr", "tasks.csv", r, "taskdef");
		double at = rs_num("or-thr", "tasks.csv", r, "submit_s"), last = -1;
		int before = 0, attempts = 0;

		if (strcmp(td, "app:2") == 0) {
			v2_launches++;
			for (int k = 0; k < n_fail && fail_at[k] <= at; k++) {
				before++;
				last = fail_at[k];
				/* a new attempt from the third failure on */
				if (before >= 3 && (before == 3 || fail_sub[k] != fail_sub[k - 1]))
					attempts++;
			}
			if (before >= 3 && at < last + fmin(30.0 * pow(2.0, attempts - 1), 900.0))
				early++;
		}
		free(td);
	}
	CU_ASSERT(v2_launches >= 3);
	T_EQ(early, 0);
	RS_IS("or-thr", "services.csv", -1, "running", "4");
}

static CU_TestInfo tests[] = {
	{ "old-revision tasks lost mid-rollout: replaced by the old revision", test_old_lost_replaced_by_old },
	{ "new-revision tasks lost mid-rollout: replaced by the new revision", test_new_lost_replaced_by_new },
	{ "no deployment: lost tasks replaced as before", test_no_deployment_unchanged },
	{ "scale-out mid-rollout: both revisions get tasks", test_scale_out_both_revisions },
	{ "failing new revision, with and without rollback: old tasks replaced by the old revision",
	  test_failing_revision },
	{ "a failing new revision's throttle does not delay the old revision's replacements (E117)",
	  test_throttle_own_deployment },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "rolling deployment: replacement of its own revision", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
