/* tests/test_bluegreen.c — ECS-native blue/green, linear and canary
 * deployments (docs/ecs-model.md §5.7, choices E121–E127), each written from
 * the rule and checked after every event:
 *
 *  - zero downtime: from the deploy until CLEAN_UP the blue revision keeps
 *    its desired count of tasks RUNNING (green is scaled up beside it);
 *  - no production request reaches a green target before green has the
 *    desired count of healthy tasks;
 *  - the share of production traffic sent to green changes at exactly the
 *    strategy's step times (LINEAR 25 % / 1 min: 25, 50, 75, 100 at t,
 *    t + 60 s, t + 120 s, t + 180 s; CANARY 10 % then 100 % after its bake;
 *    BLUE_GREEN 100 % at once), and the requests follow it;
 *  - blue's tasks are stopped only when the bake time after the last shift
 *    is over, the deployment COMPLETED once they have stopped (E241);
 *  - rollback (circuit breaker): production traffic back to blue at once,
 *    green's tasks stopped, blue's count unchanged;
 *  - a headless service goes through the same stages;
 *  - a green task lost during the bake: CLEAN_UP and COMPLETED wait for
 *    green to be steady again (choice E183);
 *  - FAILED without rollback: a pass follows the failure and green's
 *    unhealthy task goes (choice E182);
 *  - bad fields exit 2 naming the JSON path.
 * On main every scenario here is refused (unknown member `strategy`,
 * `deploymentController`): every test fails there. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/bgfull.h"
#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/lb/lb_int.h"
#include "models/service_int.h"

#define HEAD(name, dur) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," \
	"\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatJitterSeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3}," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":3}," \
	"{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":3}]," \
	"\"taskDefinitions\":{\"web\":\"bg-web.json\",\"web2\":\"bg-web2.json\"," \
	"\"broken\":{\"file\":\"bg-web2.json\",\"startFailureProbability\":1}," \
	"\"web3\":\"bg-web3.json\",\"hc\":\"bg-hc.json\"},"
#define LB(mode) "\"loadBalancers\":[{\"name\":\"alb\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}]," \
	"\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\"," \
	"\"healthCheckIntervalSeconds\":5,\"healthCheckTimeoutSeconds\":2," \
	"\"attributes\":{\"deregistration_delay.timeout_seconds\":5}," \
	"\"traffic\":{\"mode\":\"" mode "\",\"arrivals\":{\"poisson\":{\"ratePerSecond\":50}}," \
	"\"serviceTimeSeconds\":{\"exponential\":{\"mean\":0.02}},\"workersPerTask\":4,\"queueLimit\":50}}],"
#define SVC_LB(dc) "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":4," \
	"\"deploymentConfiguration\":" dc "," \
	"\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
#define SVC(dc) "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":4," \
	"\"deploymentConfiguration\":" dc "}],"
#define TAIL(name) "\"workload\":{\"traces\":[\"" name ".csv\"]}}"
#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"

static const char *td_web =
	"{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\",\"cpu\":256,\"memory\":512,"
	"\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}";

static const char *td_web2 =
	"{\"family\":\"web\",\"revision\":2,\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x:2\",\"cpu\":256,"
	"\"memory\":512,\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}";

static const char *td_web3 =
	"{\"family\":\"web\",\"revision\":3,\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x:3\",\"cpu\":256,"
	"\"memory\":512,\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}";

/* revision 4: a container health check, which a trace's row can make fail */
static const char *td_hc =
	"{\"family\":\"web\",\"revision\":4,\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x:4\",\"cpu\":256,"
	"\"memory\":512,\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}],"
	"\"healthCheck\":{\"command\":[\"CMD\",\"true\"],\"interval\":5,\"retries\":3}}]}";

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("bg-web.json", td_web);
	rs_write("bg-web2.json", td_web2);
	rs_write("bg-web3.json", td_web3);
	rs_write("bg-hc.json", td_hc);
	return 0;
}

#define MAX_SHIFTS 16

/* What the rules watch, after every event.  Blue is the service's first
 * deployment (index 0), green its second (1). */
struct bgo {
	long samples;
	double deploy_s;            /* the deploy's time (from the trace), s */
	double green_healthy_s;     /* first time green had the desired count healthy, -1 */
	double blue_stop_s;         /* first time a blue task was no longer to run, -1 */
	long blue_short;            /* events after the deploy, before blue_stop_s, with fewer than
				     * desired blue tasks RUNNING */
	long green_early;           /* events where a green target had received a request
				     * before green_healthy_s, or before the first shift */
	int n_shift;                /* changes of the green share while split */
	double shift_s[MAX_SHIFTS], shift_w[MAX_SHIFTS];
	double shift_green[MAX_SHIFTS], shift_all[MAX_SHIFTS];   /* requests received so far */
	double last_w;
	int split;                  /* the target group's split as last seen */
	double split_off_s;         /* last time the split went off, -1 */
	double failed_s;            /* the time green's rollout turned FAILED, -1 */
	int64_t blue_tasks_max;     /* blue tasks ever seen (slots with dep 0 started after the deploy) */
	long blue_started_after;    /* blue tasks submitted after the deploy */
	uint64_t max_blue_no;       /* the largest task number of a blue task at the deploy */
	double green_recv, all_recv;
};

static void bgo_init(struct bgo *o, double deploy_s)
{
	memset(o, 0, sizeof *o);
	o->deploy_s = deploy_s;
	o->green_healthy_s = o->blue_stop_s = o->split_off_s = o->failed_s = -1;
	o->last_w = 0;              /* the split at 0 (SCALE_UP) is no shift */
}

static void observe(struct backplane *bp, void *ctx)
{
	struct bgo *o = ctx;
	struct svc *v;
	double now = (double)sim_now(backplane_sim(bp)) / 1000.0;
	int64_t blue_running = 0, blue_live = 0, green_healthy = 0;
	struct lb *lb = lb_actor_world(bp);
	int blue = 0;

	if (svc_sched(bp)->n_svcs < 1 || !svc_sched(bp)->svcs[0].active)
		return;
	v = &svc_sched(bp)->svcs[0];
	o->samples++;
	/* blue: deployment 0, or after a rollback the new deployment of its
	 * revision that adopted its tasks (choice E150) */
	if (v->deps[0].adopted)
		for (int i = 2; i < v->n_deps; i++)
			if (v->deps[i].rolled_back && v->deps[i].td == v->deps[0].td)
				blue = i;
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = &bp->tasks[v->tasks[k]];

		if (!svc_live(t))
			continue;
		if (t->dep == blue) {
			blue_live++;
			blue_running += t->seen == TS_RUNNING;
			if (now < o->deploy_s && t->no > o->max_blue_no)
				o->max_blue_no = t->no;
			if (now >= o->deploy_s && t->no > o->max_blue_no && t->seen < TS_RUNNING)
				o->blue_started_after++;
		} else if (t->dep == 1) {
			green_healthy += t->healthy;
		}
	}
	if (now < o->deploy_s || v->n_deps < 2)
		return;
	if (o->failed_s < 0 && v->deps[1].rollout == ROLL_FAILED)
		o->failed_s = now;
	if (o->green_healthy_s < 0 && green_healthy >= v->desired)
		o->green_healthy_s = now;
	/* blue's tasks go at CLEAN_UP (the deployment COMPLETED once they
	 * have stopped, choice E241) */
	if (o->blue_stop_s < 0 && blue_live < v->desired &&
	    (v->deps[blue].status == DEP_INACTIVE || v->bg.stage == BG_CLEANUP))
		o->blue_stop_s = now;
	if (o->blue_stop_s < 0 && blue_running < v->desired)
		o->blue_short++;
	if (lb) {
		struct lb_tg *g = &lb->tg[0];
		double gr = 0, all = 0;

		for (int i = 0; i < g->nt; i++) {
			all += (double)g->t[i].received;
			if (g->t[i].dep == 1)
				gr += (double)g->t[i].received;
		}
		o->green_recv = gr;
		o->all_recv = all;
		/* before the first production shift (and so before green is
		 * all healthy) green's targets take no production request */
		if ((o->green_healthy_s < 0 || (o->n_shift == 0 && !(g->split && g->w_green > 0))) && gr > 0)
			o->green_early++;
		if (g->split && g->w_green != o->last_w && o->n_shift < MAX_SHIFTS) {
			o->shift_s[o->n_shift] = now;
			o->shift_w[o->n_shift] = g->w_green;
			o->shift_green[o->n_shift] = gr;
			o->shift_all[o->n_shift] = all;
			o->n_shift++;
			o->last_w = g->w_green;
		}
		if (o->split && !g->split)
			o->split_off_s = now;
		o->split = g->split;
	}
}

static void run_checked(const char *tag, const char *scenario, const char *trace, struct bgo *o, double deploy_s)
{
	char file[64];

	bgo_init(o, deploy_s);
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scenario);
	snprintf(file, sizeof file, "%s.csv", tag);
	rs_write(file, trace);
	snprintf(file, sizeof file, "%s.json", tag);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, observe, o), 0);
	CU_ASSERT(o->samples > 20);
}

/* A rollback is a NEW deployment (docs/ecs-model.md §5.6, choice E150):
 * deployment 3, of blue's revision (web), IN_PROGRESS in the failure's
 * event, then COMPLETED at steady state: blue still has its desired count
 * healthy and green's tasks are stopped at once, so the scheduler's next
 * pass completes it.  No row revives an older deployment. */
static void rollback_rows(const char *tag, double failed_s)
{
	int n = rs_rows(tag, "deployments.csv"), seen = 0;
	double started = -1, done = -1;

	for (int r = 1; r <= n; r++) {
		char *st = rs_cell(tag, "deployments.csv", r, "stage");
		char *dep = rs_cell(tag, "deployments.csv", r, "deployment");
		char *td = rs_cell(tag, "deployments.csv", r, "taskdef");
		double at = rs_num(tag, "deployments.csv", r, "time_s");

		CU_ASSERT(strcmp(st, "ROLLED_BACK") != 0);
		if (strcmp(dep, "1") == 0)
			CU_ASSERT(at < 300);   /* deployment 1 has no row after the deploy */
		if (strcmp(dep, "3") == 0) {
			T_STREQ(td, "web");
			seen++;
			if (strcmp(st, "IN_PROGRESS") == 0)
				started = at;
			else if (strcmp(st, "COMPLETED") == 0)
				done = at;
		}
		free(st);
		free(dep);
		free(td);
	}
	T_EQ(seen, 2);
	T_NEAR(started, failed_s);
	/* the pass comes at the latest schedulerDelay after green's tasks
	 * have stopped (the stop 0.5 s to the agent, shutdown 3 s, STOPPED
	 * 0.5 s back): bg-rb's failure schedules one 10 s on, bg-rbb's (a
	 * failed health check) none */
	CU_ASSERT(done >= failed_s && done <= failed_s + 0.5 + 3 + 0.5 + 10 + 1e-6);
}

/* LINEAR 25 % every minute, bake 2 minutes, per-request traffic. */
static void test_linear(void)
{
	struct bgo o;
	double t;

	run_checked("bg-lin",
		    HEAD("bg-lin", 1500) LB("perRequest")
		    SVC_LB("{\"strategy\":\"LINEAR\",\"bakeTimeInMinutes\":2,"
			   "\"linearConfiguration\":{\"stepPercent\":25,\"stepBakeTimeInMinutes\":1}}")
		    TAIL("bg-lin"), TRACE_HDR "300,deploy,w,web2,,,\n", &o, 300);
	T_EQ(o.blue_short, 0);                 /* zero downtime */
	T_EQ(o.green_early, 0);                /* no production request to green before it is healthy */
	CU_ASSERT(o.green_healthy_s > 300);
	T_EQ(o.n_shift, 4);
	t = o.shift_s[0];
	CU_ASSERT(t >= o.green_healthy_s);
	for (int i = 0; i < 4 && i < o.n_shift; i++) {
		T_NEAR(o.shift_s[i], t + 60.0 * i);
		T_NEAR(o.shift_w[i], 0.25 * (i + 1));
	}
	/* blue stopped only when the bake time after the last shift is over */
	T_NEAR(o.blue_stop_s, t + 180 + 120);
	T_NEAR(bgf_stage_at("bg-lin", "PRODUCTION_TRAFFIC_SHIFT", 1), t);
	T_NEAR(bgf_stage_at("bg-lin", "PRODUCTION_TRAFFIC_SHIFT", 4), t + 180);
	T_NEAR(bgf_stage_at("bg-lin", "BAKE_TIME", 1), t + 180);
	T_NEAR(bgf_stage_at("bg-lin", "CLEAN_UP", 1), t + 300);
	/* COMPLETED once blue has stopped (0.5 s to the agent, shutdown 3 s,
	 * heard 0.5 s on), at the pass CLEAN_UP called (choice E241); the
	 * split ends with it */
	T_NEAR(bgf_stage_at("bg-lin", "COMPLETED", 1), t + 310);
	CU_ASSERT(bgf_stage_at("bg-lin", "SCALE_UP", 1) >= 300);
	T_NEAR(o.split_off_s, t + 310);
	/* the requests follow the weight: half of them to green between the
	 * second and third shifts (about 3000 requests) */
	if (o.n_shift == 4) {
		double f = (o.shift_green[2] - o.shift_green[1]) / (o.shift_all[2] - o.shift_all[1]);

		CU_ASSERT(o.shift_all[2] - o.shift_all[1] > 2000);
		CU_ASSERT(f > 0.45 && f < 0.55);
		f = (o.shift_green[1] - o.shift_green[0]) / (o.shift_all[1] - o.shift_all[0]);
		CU_ASSERT(f > 0.20 && f < 0.30);
	}
	T_EQ(o.blue_started_after, 0);
	RS_IS("bg-lin", "services.csv", -1, "running", "4");
	RS_IS("bg-lin", "services.csv", -1, "deployments", "1");
}

/* CANARY 10 % for 2 minutes, bake 1 minute, aggregate traffic: the rate
 * is split by the weight. */
static void test_canary(void)
{
	struct bgo o;
	double t;

	run_checked("bg-can",
		    HEAD("bg-can", 1500) LB("aggregate")
		    SVC_LB("{\"strategy\":\"CANARY\",\"bakeTimeInMinutes\":1,"
			   "\"canaryConfiguration\":{\"canaryPercent\":10,\"canaryBakeTimeInMinutes\":2}}")
		    TAIL("bg-can"), TRACE_HDR "300,deploy,w,web2,,,\n", &o, 300);
	T_EQ(o.blue_short, 0);
	T_EQ(o.n_shift, 2);
	t = o.shift_s[0];
	CU_ASSERT(t >= o.green_healthy_s && o.green_healthy_s > 0);
	T_NEAR(o.shift_w[0], 0.1);
	T_NEAR(o.shift_s[1], t + 120);
	T_NEAR(o.shift_w[1], 1.0);
	T_NEAR(o.blue_stop_s, t + 180);
	T_NEAR(bgf_stage_at("bg-can", "CLEAN_UP", 1), t + 180);
	RS_IS("bg-can", "services.csv", -1, "running", "4");
}

/* BLUE_GREEN: all production traffic at once, bake 1 minute. */
static void test_blue_green(void)
{
	struct bgo o;
	double t;

	run_checked("bg-bg",
		    HEAD("bg-bg", 1200) LB("perRequest") SVC_LB("{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":1}")
		    TAIL("bg-bg"), TRACE_HDR "300,deploy,w,web2,,,\n", &o, 300);
	T_EQ(o.blue_short, 0);
	T_EQ(o.green_early, 0);
	T_EQ(o.n_shift, 1);
	t = o.shift_s[0];
	T_NEAR(o.shift_w[0], 1.0);
	CU_ASSERT(t >= o.green_healthy_s && o.green_healthy_s > 0);
	T_NEAR(o.blue_stop_s, t + 60);
	T_NEAR(bgf_stage_at("bg-bg", "TEST_TRAFFIC_SHIFT", 1), t);
	T_EQ(o.blue_started_after, 0);
}

/* A broken revision (every green task fails to start), the breaker with
 * rollback (COUNT 3): the deployment fails, production traffic is back on
 * blue at once (the split off at the failure's instant), green's tasks are
 * all stopped, and blue's tasks are never stopped nor started again. */
static void test_rollback(void)
{
	struct bgo o;
	int n, green_live = 0;

	run_checked("bg-rb",
		    HEAD("bg-rb", 1500) LB("perRequest")
		    SVC_LB("{\"strategy\":\"LINEAR\",\"bakeTimeInMinutes\":1,"
			   "\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":true,"
			   "\"thresholdConfiguration\":{\"type\":\"COUNT\",\"value\":3}}}")
		    TAIL("bg-rb"), TRACE_HDR "300,deploy,w,broken,,,\n", &o, 300);
	CU_ASSERT(o.failed_s > 300);
	T_NEAR(o.split_off_s, o.failed_s);     /* w = 0 at once */
	T_EQ(o.n_shift, 0);                    /* it never took production traffic */
	T_EQ(o.blue_short, 0);
	T_EQ(o.blue_started_after, 0);
	CU_ASSERT(o.blue_stop_s < 0);          /* blue never stopped */
	CU_ASSERT(bgf_stage_at("bg-rb", "FAILED", 1) > 0);
	n = rs_rows("bg-rb", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *td = rs_cell("bg-rb", "tasks.csv", r, "taskdef");
		char *stop = rs_cell("bg-rb", "tasks.csv", r, "stop_s");

		green_live += td && strcmp(td, "web:2") == 0 && stop && !*stop;
		free(td);
		free(stop);
	}
	T_EQ(green_live, 0);
	RS_IS("bg-rb", "services.csv", -1, "running", "4");
	RS_IS("bg-rb", "services.csv", -1, "deployments", "1");
	rollback_rows("bg-rb", o.failed_s);
}

/* A failure during BAKE_TIME: green's first task (task-5) fails its
 * container check for good from 30 s into the bake; its counted failed
 * checks (every 5 s) reach the breaker's COUNT 3.  With rollback the
 * production traffic, all on green until then, is back on blue in the
 * failure's event, green's tasks are stopped and blue's never were. */
static void test_rollback_in_bake(void)
{
	struct bgo o;
	double t;

	run_checked("bg-rbb",
		    HEAD("bg-rbb", 1500) LB("perRequest")
		    SVC_LB("{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":10,"
			   "\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":true,"
			   "\"thresholdConfiguration\":{\"type\":\"COUNT\",\"value\":3}}}")
		    TAIL("bg-rbb"), TRACE_HDR "300,deploy,w,hc,,,\n500,health_check_fail,task-5,,,,app\n", &o, 300);
	T_EQ(o.n_shift, 1);
	t = o.shift_s[0];
	CU_ASSERT(t < 500);                    /* the failure comes in BAKE_TIME */
	CU_ASSERT(o.failed_s > 500 && o.failed_s < t + 600);
	T_NEAR(o.split_off_s, o.failed_s);     /* w back to 0 at once */
	T_EQ(o.blue_short, 0);
	T_EQ(o.blue_started_after, 0);
	CU_ASSERT(o.blue_stop_s < 0);          /* blue untouched */
	T_NEAR(bgf_stage_at("bg-rbb", "FAILED", 1), o.failed_s);
	CU_ASSERT(bgf_stage_at("bg-rbb", "CLEAN_UP", 1) < 0);
	rollback_rows("bg-rbb", o.failed_s);
	RS_IS("bg-rbb", "services.csv", -1, "running", "4");
	RS_IS("bg-rbb", "services.csv", -1, "deployments", "1");
}

/* The same failure without rollback (choice E125): the deployment is
 * FAILED, the stages stop where they are (no CLEAN_UP: blue is never
 * stopped, the split stays on at 100 %), and green launches nothing more:
 * its unhealthy task is not replaced by a green one, and is stopped (choice
 * E182; main kept it RUNNING to the end). */
static void test_failed_no_rollback(void)
{
	struct bgo o;
	int n, green_started = 0;

	run_checked("bg-nrb",
		    HEAD("bg-nrb", 1500) LB("perRequest")
		    SVC_LB("{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":10,"
			   "\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":false,"
			   "\"thresholdConfiguration\":{\"type\":\"COUNT\",\"value\":3}}}")
		    TAIL("bg-nrb"), TRACE_HDR "300,deploy,w,hc,,,\n500,health_check_fail,task-5,,,,app\n", &o, 300);
	CU_ASSERT(o.failed_s > 500);
	T_EQ(o.n_shift, 1);
	CU_ASSERT(o.split_off_s < 0);
	CU_ASSERT(o.blue_stop_s < 0);
	T_EQ(o.blue_short, 0);
	CU_ASSERT(bgf_stage_at("bg-nrb", "CLEAN_UP", 1) < 0);
	n = rs_rows("bg-nrb", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *td = rs_cell("bg-nrb", "tasks.csv", r, "taskdef");

		green_started += td && strcmp(td, "web:4") == 0;
		free(td);
	}
	T_EQ(green_started, 4);
	/* its unhealthy task is stopped, not kept (choice E182): nothing of
	 * its revision can replace it */
	n = rs_find("bg-nrb", "tasks.csv", "task_id", "task-5");
	CU_ASSERT_FATAL(n > 0);
	RS_IS("bg-nrb", "tasks.csv", n, "last_status", "STOPPED");
	RS_IS("bg-nrb", "tasks.csv", n, "stopped_reason", "Task failed container health checks");
	RS_IS("bg-nrb", "services.csv", -1, "running", "7");
}

/* A new revision during the shifts (choice E126): the deployment in
 * progress is STOPPED (its tasks stopped, its share back to 0), the new
 * revision starts from blue, which keeps its tasks until the new
 * deployment's CLEAN_UP; the run ends on revision 3 alone. */
static void test_deploy_during(void)
{
	struct bgo o;
	int n, alive3 = 0, alive2 = 0;

	run_checked("bg-dd",
		    HEAD("bg-dd", 1800) LB("perRequest")
		    SVC_LB("{\"strategy\":\"LINEAR\",\"bakeTimeInMinutes\":1,"
			   "\"linearConfiguration\":{\"stepPercent\":25,\"stepBakeTimeInMinutes\":1}}")
		    TAIL("bg-dd"), TRACE_HDR "300,deploy,w,web2,,,\n420,deploy,w,web3,,,\n", &o, 300);
	T_EQ(o.blue_short, 0);
	CU_ASSERT(o.shift_s[0] < 420);
	CU_ASSERT(rs_find("bg-dd", "deployments.csv", "stage", "STOPPED") > 0);
	n = rs_rows("bg-dd", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *td = rs_cell("bg-dd", "tasks.csv", r, "taskdef");
		char *stop = rs_cell("bg-dd", "tasks.csv", r, "stop_s");

		alive3 += td && strcmp(td, "web:3") == 0 && stop && !*stop;
		alive2 += td && strcmp(td, "web:2") == 0 && stop && !*stop;
		free(td);
		free(stop);
	}
	T_EQ(alive3, 4);
	T_EQ(alive2, 0);
	/* deployment 2 stopped at the second deploy; deployment 3 completed */
	{
		int rows = rs_rows("bg-dd", "deployments.csv"), stopped = 0, done3 = 0;
		double clean3 = -1;

		for (int r = 1; r <= rows; r++) {
			char *st = rs_cell("bg-dd", "deployments.csv", r, "stage");
			char *dep = rs_cell("bg-dd", "deployments.csv", r, "deployment");

			if (st && dep && strcmp(st, "STOPPED") == 0 && strcmp(dep, "2") == 0) {
				stopped++;
				T_NEAR(rs_num("bg-dd", "deployments.csv", r, "time_s"), 420);
			}
			done3 += st && dep && strcmp(st, "COMPLETED") == 0 && strcmp(dep, "3") == 0;
			if (st && dep && strcmp(st, "CLEAN_UP") == 0 && strcmp(dep, "3") == 0)
				clean3 = rs_num("bg-dd", "deployments.csv", r, "time_s");
			free(st);
			free(dep);
		}
		T_EQ(stopped, 1);
		T_EQ(done3, 1);
		/* blue's first stop is deployment 3's CLEAN_UP, the split's end
		 * its COMPLETED, CLEAN_UP's pass (choice E241) */
		T_NEAR(o.blue_stop_s, clean3);
		T_NEAR(o.split_off_s, clean3 + 10);
	}
	RS_IS("bg-dd", "services.csv", -1, "running", "4");
}

/* The desired count to 0 and back to 4 in one instant during SCALE_UP:
 * blue is production and its target is the desired count itself until
 * CLEAN_UP (§5.7, choice E123), so it keeps (or gets back) its 4 tasks;
 * the requests meanwhile are served.  Before the fix blue's target,
 * scaled in proportion to the desired count, stayed at 0 from 4 → 0 (no
 * proportion of 0): its tasks were all stopped while production traffic
 * was still all on blue (2505 requests got 503 in that minute). */
static void test_desired_through_zero(void)
{
	struct bgo o;

	run_checked("bg-zero",
		    HEAD("bg-zero", 1200) LB("perRequest")
		    SVC_LB("{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":2}")
		    TAIL("bg-zero"), TRACE_HDR "300,deploy,w,web2,,,\n310,set_desired,w,,0,,\n310,set_desired,w,,4,,\n",
		    &o, 300);
	T_EQ(o.blue_short, 0);                 /* blue RUNNING at the desired count until CLEAN_UP */
	T_EQ(o.green_early, 0);
	T_EQ(o.n_shift, 1);
	T_NEAR(o.blue_stop_s, bgf_stage_at("bg-zero", "CLEAN_UP", 1));
	RS_IS("bg-zero", "requests.csv", 6, "http_503", "0");    /* the minute to 360 s */
	RS_IS("bg-zero", "services.csv", -1, "running", "4");
}

/* ---- task scale-in protection (§5.14) ----------------------------------- */

/* Protected tasks are not stopped by a deployment nor by a scale-in
 * (docs/ecs-model.md §5.14): after every event, no task of the service that
 * is still protected has been asked to stop (none is unhealthy, none on a
 * DRAINING instance here); and after the last production shift no blue
 * target receives a production request (traffic is all on green). */
struct prot {
	struct bgo o;
	long violations, blue_recv_after;
	double first_s, blue_recv_at_shift;
	int shifted;
};

static void prot_observe(struct backplane *bp, void *ctx)
{
	struct prot *p = ctx;
	sim_time_t now = sim_now(backplane_sim(bp));
	struct lb *lb = lb_actor_world(bp);

	observe(bp, &p->o);
	for (size_t k = 0; k < bp->n_tasks; k++) {
		const struct task *t = &bp->tasks[k];

		if (t->svc == 0 && t->used && t->desired == TD_STOPPED && t->protected_until > now &&
		    !t->unhealthy && !t->lost) {
			if (!p->violations)
				p->first_s = (double)now / 1000.0;
			p->violations++;
		}
	}
	if (lb && lb->tg[0].split && lb->tg[0].w_green >= 1) {
		double br = 0;

		for (int i = 0; i < lb->tg[0].nt; i++)
			if (lb->tg[0].t[i].dep == 0)
				br += (double)lb->tg[0].t[i].received;
		if (!p->shifted) {
			p->shifted = 1;
			p->blue_recv_at_shift = br;
		} else if (br > p->blue_recv_at_shift) {
			p->blue_recv_after++;
		}
	}
}

/* BLUE_GREEN, bake 2 minutes; every second task protects itself for 15
 * minutes when it starts (blue's two protected tasks until about 920 s).
 * At the bake's end (about 490 s) CLEAN_UP stops blue's two unprotected
 * tasks; the protected two keep running, with no production traffic,
 * until their protection expires; the deployment is COMPLETED then.  At
 * 320 s the desired count drops to 2 (a scale-in during SCALE_UP): blue's
 * excess tasks are its unprotected ones.  On the code before the fix the
 * protected blue tasks were stopped at CLEAN_UP. */
static void test_protected_blue(void)
{
	struct prot p;
	double clean, done;
	int n, blue_left = 0;

	memset(&p, 0, sizeof p);
	bgo_init(&p.o, 300);
	rs_write("bg-prot.json",
		 HEAD("bg-prot", 1500) LB("perRequest")
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":4,"
		 "\"taskProtection\":{\"protectedFraction\":0.5,\"expiresInMinutes\":15},"
		 "\"deploymentConfiguration\":{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":2},"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
		 TAIL("bg-prot"));
	rs_write("bg-prot.csv", TRACE_HDR "300,deploy,w,web2,,,\n320,set_desired,w,,2,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("bg-prot.json", "bg-prot", NULL, prot_observe, &p), 0);
	if (p.violations)
		fprintf(stderr, "\n  a protected task was asked to stop at %.3f s (%ld events)\n", p.first_s,
			p.violations);
	T_EQ(p.violations, 0);
	T_EQ(p.blue_recv_after, 0);
	clean = bgf_stage_at("bg-prot", "CLEAN_UP", 1);
	done = bgf_stage_at("bg-prot", "COMPLETED", 1);
	CU_ASSERT(clean > 300 && clean < 700);
	/* COMPLETED once the last protected blue task may go (15 min after
	 * it started, about 920 s) */
	CU_ASSERT(done > 900 && done < 1000);
	n = rs_rows("bg-prot", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *td = rs_cell("bg-prot", "tasks.csv", r, "taskdef");
		double stop = rs_num("bg-prot", "tasks.csv", r, "stop_s");

		blue_left += td && strcmp(td, "web") == 0 && stop > clean + 1;
		free(td);
	}
	T_EQ(blue_left, 2);             /* the protected two, stopped after CLEAN_UP */
	RS_IS("bg-prot", "services.csv", -1, "running", "2");
}

/* A headless service (no load balancer): the same stages, blue kept until
 * the bake time is over. */
static void test_headless(void)
{
	struct bgo o;
	double t;

	run_checked("bg-hl", HEAD("bg-hl", 1200) SVC("{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":2}")
		    TAIL("bg-hl"), TRACE_HDR "300,deploy,w,web2,,,\n", &o, 300);
	T_EQ(o.blue_short, 0);
	t = bgf_stage_at("bg-hl", "PRODUCTION_TRAFFIC_SHIFT", 1);
	CU_ASSERT(t >= o.green_healthy_s && o.green_healthy_s > 0);
	T_NEAR(bgf_stage_at("bg-hl", "BAKE_TIME", 1), t);
	T_NEAR(o.blue_stop_s, t + 120);
	T_NEAR(bgf_stage_at("bg-hl", "CLEAN_UP", 1), t + 120);
	RS_IS("bg-hl", "services.csv", -1, "running", "4");
}

/* A green task lost during the bake (docs/ecs-model.md §5.7, choice E183,
 * as E147 for a rolling deployment: COMPLETED only at steady state).
 * Headless BLUE_GREEN, bake 2 min, desired 4: green (task-5 … task-8) is
 * healthy 40 s after RUNNING (healthyAfterSeconds), the next pass shifts
 * production at t, BAKE_TIME until t + 120.  task-5 is stopped at 470 s,
 * inside the bake; its replacement (of green's revision) is RUNNING a few
 * seconds after the pass that follows the stop and healthy 40 s later.  At
 * t + 120 green is 3 healthy + 1 starting: CLEAN_UP waits, blue kept whole,
 * until the first pass that finds green at 4 healthy; then CLEAN_UP, with
 * no second BAKE_TIME row, and COMPLETED at its pass, blue's tasks stopped
 * (choice E241).  Checked after every event: blue
 * keeps its desired count RUNNING until CLEAN_UP, and at CLEAN_UP and at
 * COMPLETED green has its desired count live and healthy.  main cleaned up
 * and COMPLETED at t + 120 with 3 green tasks healthy. */
struct bake_obs {
	struct bgo o;
	double clean_s, done_s;
	int64_t clean_green, done_green, done_other;
};

static void bake_observe(struct backplane *bp, void *ctx)
{
	struct bake_obs *b = ctx;
	struct svc *v;
	int64_t green = 0, other = 0;
	double now = (double)sim_now(backplane_sim(bp)) / 1000.0;

	observe(bp, &b->o);
	if (svc_sched(bp)->n_svcs < 1 || !svc_sched(bp)->svcs[0].active)
		return;
	v = &svc_sched(bp)->svcs[0];
	if (v->n_deps < 2)
		return;
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = &bp->tasks[v->tasks[k]];

		if (!svc_live(t))
			continue;
		if (t->dep == 1)
			green += t->healthy && !t->unhealthy;
		else
			other++;
	}
	if (b->clean_s < 0 && (v->bg.stage == BG_CLEANUP || v->deps[1].rollout == ROLL_COMPLETED)) {
		b->clean_s = now;
		b->clean_green = green;
	}
	if (b->done_s < 0 && v->deps[1].rollout == ROLL_COMPLETED) {
		b->done_s = now;
		b->done_green = green;
		b->done_other = other;
	}
}

static void test_bake_lost_task(void)
{
	struct bake_obs b;
	double t, clean, r9;
	int r;

	memset(&b, 0, sizeof b);
	bgo_init(&b.o, 300);
	b.clean_s = b.done_s = -1;
	rs_write("bg-bk.json", HEAD("bg-bk", 1200) SVC("{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":2}")
		 TAIL("bg-bk"));
	rs_write("bg-bk.csv", TRACE_HDR "300,deploy,w,web2,,,\n470,stop_task,task-5,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("bg-bk.json", "bg-bk", NULL, bake_observe, &b), 0);
	t = bgf_stage_at("bg-bk", "BAKE_TIME", 1);
	/* the premise: task-5 was stopped inside the bake */
	CU_ASSERT_FATAL(t > 300 && t < 470 && t + 120 > 475);
	T_EQ(b.o.blue_short, 0);                /* blue whole until CLEAN_UP */
	T_EQ(bgf_stage_at("bg-bk", "BAKE_TIME", 2), -1);   /* no second bake */
	clean = bgf_stage_at("bg-bk", "CLEAN_UP", 1);
	T_NEAR(b.clean_s, clean);
	T_NEAR(bgf_stage_at("bg-bk", "COMPLETED", 1), clean + 10);   /* blue stopped: E241 */
	T_EQ(b.clean_green, 4);
	T_EQ(b.done_green, 4);
	T_EQ(b.done_other, 0);
	/* CLEAN_UP at the pass after green's replacement turned healthy
	 * (RUNNING + healthyAfter 40 s, then within schedulerDelay 10 s) */
	r = rs_find("bg-bk", "tasks.csv", "task_id", "task-9");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("bg-bk", "tasks.csv", r, "taskdef", "web:2");
	r9 = rs_num("bg-bk", "tasks.csv", r, "running_s");
	CU_ASSERT(r9 > 470);
	CU_ASSERT(clean >= r9 + 40 && clean <= r9 + 40 + 10 + 1e-6);
	RS_IS("bg-bk", "services.csv", -1, "running", "4");
	RS_IS("bg-bk", "services.csv", -1, "deployments", "1");
}

/* A BLUE_GREEN deployment FAILED without rollback after its unhealthy
 * green task's pass (docs/ecs-model.md §5.6, choices E125, E182): the
 * scheduler acts on the failure, green's unhealthy task goes at the pass
 * schedulerDelay (10 s) after it.  Four m5.large, tasks of 1024 CPU units
 * (two each): blue 4 + green 4 fill them.  task-5's check command fails
 * from 320 s (interval 10, retries 3): UNHEALTHY at its third failure,
 * whose pass launches a replacement that finds no room and keeps task-5
 * (green has not its target healthy without it); the breaker (COUNT 5)
 * trips at the fifth failed check, with no pass of its own.  main kept
 * task-5 RUNNING and unhealthy to the end (8 running, 7 healthy): nothing
 * called a pass after the failure. */
static void test_failed_unhealthy_pass(void)
{
	double failed;
	int r;

	rs_write("bg-hcb.json", "{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		 "\"cpu\":1024,\"memory\":512,\"healthCheck\":{\"command\":[\"CMD-SHELL\",\"true\"],"
		 "\"interval\":10,\"timeout\":5,\"retries\":3}}]}");
	rs_write("bg-hcb2.json", "{\"family\":\"web\",\"revision\":2,\"containerDefinitions\":[{\"name\":\"app\","
		 "\"image\":\"x:2\",\"cpu\":1024,\"memory\":512,\"healthCheck\":{\"command\":[\"CMD-SHELL\",\"true\"],"
		 "\"interval\":10,\"timeout\":5,\"retries\":3}}]}");
	rs_write("bg-fup.json", "{\"name\":\"bg-fup\",\"durationSeconds\":900,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25,"
		 "\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatJitterSeconds\":0},"
		 "\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1,"
		 "\"containerStartSeconds\":2,\"shutdownSeconds\":3},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":2}],"
		 "\"taskDefinitions\":{\"hc\":\"bg-hcb.json\",\"hc2\":\"bg-hcb2.json\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"hc\",\"desiredCount\":4,"
		 "\"deploymentConfiguration\":{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":5,"
		 "\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":false,"
		 "\"thresholdConfiguration\":{\"type\":\"COUNT\",\"value\":5}}}}],"
		 TAIL("bg-fup"));
	rs_write("bg-fup.csv", TRACE_HDR "300,deploy,w,hc2,,,\n320,health_check_fail,task-5,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("bg-fup.json", "bg-fup", NULL, NULL, NULL), 0);
	failed = bgf_stage_at("bg-fup", "FAILED", 1);
	CU_ASSERT_FATAL(failed > 320);
	T_EQ(bgf_stage_at("bg-fup", "PRODUCTION_TRAFFIC_SHIFT", 1), -1);    /* failed in SCALE_UP */
	r = rs_find("bg-fup", "tasks.csv", "task_id", "task-5");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("bg-fup", "tasks.csv", r, "stopped_reason", "Task failed container health checks");
	/* the pass schedulerDelay after the failure, then networkDelay and
	 * shutdown */
	CU_ASSERT(rs_num("bg-fup", "tasks.csv", r, "stop_s") <= failed + 10 + 0.5 + 3 + 1e-6);
	RS_IS("bg-fup", "services.csv", -1, "running", "7");
	RS_IS("bg-fup", "services.csv", -1, "healthy", "7");
}

/* Bad members exit 2 naming the member's path and the reason. */
static void test_bad_fields(void)
{
	static const struct {
		const char *dc, *ctl, *want;
	} cases[] = {
		{ "{}", "{\"type\":\"CODE_DEPLOY\"}", "$.services[0].deploymentController.type: the CODE_DEPLOY" },
		{ "{}", "{\"type\":\"EXTERNAL\"}", "$.services[0].deploymentController.type: the EXTERNAL" },
		{ "{}", "{\"type\":\"NOPE\"}", "deploymentController.type: expected ECS" },
		{ "{\"strategy\":\"BLUE_GREEN\"}", NULL, "deploymentConfiguration.bakeTimeInMinutes: required" },
		{ "{\"strategy\":\"ROLLING\",\"bakeTimeInMinutes\":3}", NULL, "deploymentConfiguration.bakeTimeInMinutes" },
		{ "{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":1441}", NULL, "bakeTimeInMinutes" },
		{ "{\"strategy\":\"SIDEWAYS\"}", NULL, "deploymentConfiguration.strategy: expected ROLLING" },
		{ "{\"strategy\":\"LINEAR\",\"linearConfiguration\":{\"stepPercent\":2.9}}", NULL,
		  "linearConfiguration.stepPercent" },
		{ "{\"strategy\":\"LINEAR\",\"linearConfiguration\":{\"stepPercent\":10.05}}", NULL,
		  "linearConfiguration.stepPercent: must be a multiple of 0.1" },
		{ "{\"strategy\":\"LINEAR\",\"linearConfiguration\":{\"stepBakeTimeInMinutes\":1441}}", NULL,
		  "linearConfiguration.stepBakeTimeInMinutes" },
		{ "{\"strategy\":\"CANARY\",\"canaryConfiguration\":{\"canaryPercent\":0}}", NULL,
		  "canaryConfiguration.canaryPercent" },
		{ "{\"strategy\":\"LINEAR\",\"canaryConfiguration\":{}}", NULL,
		  "deploymentConfiguration.canaryConfiguration: only valid with the CANARY" },
		{ "{\"strategy\":\"CANARY\",\"linearConfiguration\":{}}", NULL,
		  "deploymentConfiguration.linearConfiguration: only valid with the LINEAR" },
		{ "{\"lifecycleHooks\":[]}", NULL, "deploymentConfiguration.lifecycleHooks: deployment lifecycle hooks" },
	};
	char scn[4096], msg[1024];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(scn, sizeof scn,
			 HEAD("bg-bad", 100) "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\","
			 "\"desiredCount\":1,\"deploymentConfiguration\":%s%s%s}]}",
			 cases[i].dc, cases[i].ctl ? ",\"deploymentController\":" : "", cases[i].ctl ? cases[i].ctl : "");
		rs_write("bg-bad.json", scn);
		T_EQ(rs_run_msg("bg-bad.json", "bg-bad", msg, sizeof msg), -1);
		if (!strstr(msg, cases[i].want))
			T_FAIL(msg);
	}
	/* a DAEMON service: refused (choice E122) */
	snprintf(scn, sizeof scn, HEAD("bg-bad", 100) "\"services\":[{\"serviceName\":\"d\",\"taskDefinition\":\"web\","
		 "\"schedulingStrategy\":\"DAEMON\",\"deploymentConfiguration\":{\"strategy\":\"BLUE_GREEN\","
		 "\"bakeTimeInMinutes\":1}}]}");
	rs_write("bg-bad.json", scn);
	T_EQ(rs_run_msg("bg-bad.json", "bg-bad", msg, sizeof msg), -1);
	if (!strstr(msg, "$.services[0].deploymentConfiguration.strategy: BLUE_GREEN deployments are for REPLICA"))
		T_FAIL(msg);
	/* and the ECS controller, with every member, is accepted */
	snprintf(scn, sizeof scn, HEAD("bg-ok", 100) "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\","
		 "\"desiredCount\":1,\"deploymentController\":{\"type\":\"ECS\"},\"deploymentConfiguration\":"
		 "{\"strategy\":\"LINEAR\",\"bakeTimeInMinutes\":0,\"linearConfiguration\":{\"stepPercent\":3.3,"
		 "\"stepBakeTimeInMinutes\":0}}}]}");
	rs_write("bg-ok.json", scn);
	T_EQ(rs_run_msg("bg-ok.json", "bg-ok", msg, sizeof msg), 0);
}

static CU_TestInfo tests[] = {
	{ "LINEAR 25 %/1 min: zero downtime, no early traffic, shifts at t+0/60/120/180, blue after the bake",
	  test_linear },
	{ "CANARY 10 %/2 min (aggregate): shifts at t and t+120, blue after the bake", test_canary },
	{ "BLUE_GREEN: all traffic at once, blue after the bake", test_blue_green },
	{ "rollback: traffic back to blue at once, green stopped, blue untouched", test_rollback },
	{ "headless BLUE_GREEN: the same stages", test_headless },
	{ "rollback in BAKE_TIME: traffic back to blue at once, blue untouched", test_rollback_in_bake },
	{ "FAILED without rollback: the stages stop, both revisions kept (E125)", test_failed_no_rollback },
	{ "a deploy during the shifts: the deployment in progress stopped, the new one from blue (E126)",
	  test_deploy_during },
	{ "desired 4 -> 0 -> 4 during SCALE_UP: blue keeps its desired count (E123)", test_desired_through_zero },
	{ "task scale-in protection: CLEAN_UP and a scale-in leave protected tasks (§5.14)", test_protected_blue },
	{ "a green task lost in the bake: CLEAN_UP and COMPLETED once green is steady (E183)", test_bake_lost_task },
	{ "FAILED without rollback: a pass follows, green's unhealthy task goes (E182)", test_failed_unhealthy_pass },
	{ "bad deployment fields exit 2 at their path", test_bad_fields },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "blue/green, linear and canary deployments (§5.7)", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
