/* tests/test_fidelity_deploy.c — control-plane fidelity around deployments
 * and load-balancer targets, each written from the ECS rule
 * (docs/ecs-model.md): Application Auto Scaling's scale-in suspended while
 * a deployment is in progress, scale-out not (§5.5, §5.10); a failed
 * host's targets dying with it at once (§8.2); a host deregistered with
 * force leaving its tasks running, orphaned, their targets draining (§2.4,
 * §6.3); failed checks inside the health-check grace period not counting
 * toward the circuit breaker, those after it counting (§5.8, §5.6).  Rules with a bound are checked after every event through the
 * observer hook. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tdefs.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/capacity/app_scaling.h"
#include "models/service_int.h"

#define TIMING "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatTimeoutSeconds\":60," \
	"\"heartbeatJitterSeconds\":0},"
#define AGENT "\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3,\"eniAttachSeconds\":5,\"eniDetachSeconds\":4},"
#define HEAD(name, dur) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," TIMING AGENT \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"
#define INSTANCES "\"instanceGroups\":[{\"instanceType\":\"m5.xlarge\",\"availabilityZone\":\"us-east-1a\",\"count\":2}," \
	"{\"instanceType\":\"m5.xlarge\",\"availabilityZone\":\"us-east-1b\",\"count\":2}],"

static const char *td_small = TD_SMALL;
static const char *td_v2 = TD_SMALL_V2;

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("dep-small.json", td_small);
	rs_write("dep-small-v2.json", td_v2);
	return 0;
}

static double sec(const struct backplane *bp)
{
	return (double)sim_now(bp->sim) / 1000.0;
}

/* ---- §5.5: scale-in suspended during a deployment ------------------------ */

struct aas_check {
	int64_t last;              /* desired count after the previous event, -1 before */
	int in_progress;           /* the service's PRIMARY deployment after the previous event */
	int lowered_in_progress;   /* events that lowered it while a deployment was in progress */
	int raised_in_progress;    /* ... that raised it */
	double deploy_done;        /* the second deployment COMPLETED, -1 before */
	double first_in;           /* the first decrease, -1 before */
	int64_t first_in_to;
};

static void aas_observe(struct backplane *bp, void *ctx)
{
	struct aas_check *c = ctx;
	struct svc *v = &svc_sched(bp)->svcs[0];
	int on;

	if (!v->active || v->n_deps == 0)
		return;
	on = v->deps[v->primary].rollout == ROLL_IN_PROGRESS;
	if (c->last >= 0 && v->desired < c->last) {
		/* the deployment in progress before the event, or started by it */
		if (c->in_progress || on)
			c->lowered_in_progress++;
		if (c->first_in < 0) {
			c->first_in = sec(bp);
			c->first_in_to = v->desired;
		}
	}
	if (c->last >= 0 && v->desired > c->last && (c->in_progress || on))
		c->raised_in_progress++;
	if (v->n_deps == 2 && v->deps[1].rollout == ROLL_COMPLETED && c->deploy_done < 0)
		c->deploy_done = sec(bp);
	c->last = v->desired;
	c->in_progress = on;
}

#define SCALED(name, cpu) HEAD(name, 2400) INSTANCES \
	"\"taskDefinitions\":{\"small\":\"dep-small.json\",\"v2\":\"dep-small-v2.json\"}," \
	"\"utilization\":{\"small\":{\"cpu\":" #cpu "},\"v2\":{\"cpu\":" #cpu "}}," \
	"\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"small\",\"desiredCount\":6," \
	"\"deploymentConfiguration\":{\"minimumHealthyPercent\":100,\"maximumPercent\":120}," \
	"\"autoScaling\":{\"minCapacity\":1,\"maxCapacity\":10,\"targetTracking\":[{\"policyName\":\"cpu\"," \
	"\"predefinedMetricType\":\"ECSServiceAverageCPUUtilization\",\"targetValue\":50}]}}]," \
	"\"workload\":{\"traces\":[\"dep-aas.csv\"]}}"

/* Target tracking at 10 % CPU (target 50): the low alarm's 15th datapoint
 * is at 900 s.  A deployment at 800 s replaces the 6 tasks one at a time
 * (maximumPercent 120: 7 tasks at most), past 900 s.  The desired count
 * never falls while it is in progress; the scale-in comes at the first
 * datapoint after it completes (the alarms stayed in ALARM), 6 → 2
 * (ceil(6 × 10 / 50)), with no cooldown started by the suspended one. */
static void test_scale_in_waits_for_deployment(void)
{
	struct aas_check c = { -1, 0, 0, 0, -1, -1, 0 };

	rs_write("dep-aas.json", SCALED("dep-aas", 10));
	rs_write("dep-aas.csv", TRACE_HDR "800,deploy,web,v2,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("dep-aas.json", "dep-aas", NULL, aas_observe, &c), 0);
	T_EQ(c.lowered_in_progress, 0);
	CU_ASSERT(c.deploy_done > 900);          /* it spans the due scale-in */
	CU_ASSERT_FATAL(c.first_in > 0);
	CU_ASSERT(c.first_in > c.deploy_done && c.first_in <= c.deploy_done + 60);
	T_NEAR(fmod(c.first_in, 60), 0);         /* at a datapoint */
	T_EQ(c.first_in_to, 2);
	RS_IS("dep-aas", "scaling.csv", 1, "action", "scale-in");
	RS_IS("dep-aas", "scaling.csv", 1, "old", "6");
	RS_IS("dep-aas", "scaling.csv", 1, "new", "2");
	T_NEAR(rs_num("dep-aas", "scaling.csv", 1, "time_s"), c.first_in);
	/* the next one 300 s later (the scale-in cooldown of the first) */
	T_NEAR(rs_num("dep-aas", "scaling.csv", 2, "time_s"), c.first_in + 300);
	RS_IS("dep-aas", "scaling.csv", 2, "new", "1");
}

/* Scale-out goes on during a deployment: at 90 % CPU the high alarm's third
 * datapoint (180 s) raises the count while the deployment made at 120 s is
 * in progress. */
static void test_scale_out_during_deployment(void)
{
	struct aas_check c = { -1, 0, 0, 0, -1, -1, 0 };

	rs_write("dep-aso.json", SCALED("dep-aso", 90));
	rs_write("dep-aas.csv", TRACE_HDR "120,deploy,web,v2,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("dep-aso.json", "dep-aso", NULL, aas_observe, &c), 0);
	CU_ASSERT(c.raised_in_progress > 0);
	T_EQ(c.lowered_in_progress, 0);
	RS_IS("dep-aso", "scaling.csv", 1, "action", "scale-out");
	T_NEAR(rs_num("dep-aso", "scaling.csv", 1, "time_s"), 180);
}

/* The state machine itself: a suspended scale-in changes nothing and starts
 * no cooldown; once resumed it acts at the next datapoint still low; a
 * scale-out and a scheduled action are not suspended. */
static void test_aas_suspended_state(void)
{
	struct aas_config c = { 1, 100, 1, 1, NULL, NULL };
	struct aas_state s;
	struct aas_decision d;
	double lo[AAS_N_METRICS] = { 10, NAN, NAN }, hi[AAS_N_METRICS] = { 90, NAN, NAN };
	int r;

	c.policies = calloc(1, sizeof *c.policies);
	c.sched = calloc(1, sizeof *c.sched);
	aas_policy_default(&c.policies[0], AAS_TARGET_TRACKING);
	c.policies[0].target = 50;
	c.sched[0] = (struct aas_sched){ NULL, 40 * 60000, 0, -1, 8 };
	aas_state_init(&s, &c);
	T_EQ(s.in_suspended, 0);
	s.in_suspended = 1;
	for (int m = 1; m <= 20; m++) {
		r = aas_datapoint(&c, &s, (int64_t)m * 60000, lo, 10, &d);
		T_EQ(r, -1);
	}
	T_STREQ(d.reason, "scale-in suspended");
	s.in_suspended = 0;
	T_EQ(aas_datapoint(&c, &s, 21 * 60000, lo, 10, &d), 2);
	/* suspended again: scale-out acts */
	s.in_suspended = 1;
	for (int m = 22; m <= 23; m++)
		T_EQ(aas_datapoint(&c, &s, (int64_t)m * 60000, hi, 2, &d), -1);
	T_EQ(aas_datapoint(&c, &s, 24 * 60000, hi, 2, &d), 4);
	/* a scheduled action lowering the maximum still pulls the count in */
	T_EQ(aas_scheduled(&c, &s, 40 * 60000, 10, &d), 8);
	aas_state_free(&s);
	aas_config_free(&c);
}

/* ---- §2.4, §6.3: the targets of a host that leaves -------------------- */

static const char *td_web =
	"{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\",\"cpu\":256,"
	"\"memory\":512,\"portMappings\":[{\"containerPort\":8080}]}]}";

/* A web service of 4 tasks, one per m5.xlarge (spread over instances, first
 * tie-break: task-1 on ci-00001), behind an ALB target group with 40
 * requests/s of 2 s each (per request), deregistration delay 60 s. */
#define LB_SCN(name) HEAD(name, 900) INSTANCES \
	"\"metricsIntervalSeconds\":10,\"placement\":{\"tieBreak\":\"first\"}," \
	"\"taskDefinitions\":{\"web\":\"dep-web.json\"}," \
	"\"loadBalancers\":[{\"name\":\"alb\",\"type\":\"application\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}]," \
	"\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\",\"targetType\":\"instance\",\"protocol\":\"HTTP\"," \
	"\"port\":8080,\"attributes\":{\"deregistration_delay.timeout_seconds\":\"60\"}," \
	"\"traffic\":{\"arrivals\":{\"poisson\":{\"ratePerSecond\":40}},\"serviceTimeSeconds\":{\"exponential\":{\"mean\":2}}," \
	"\"workersPerTask\":50,\"queueLimit\":100}}]," \
	"\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"web\",\"desiredCount\":4," \
	"\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]," \
	"\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"instanceId\"}]}]," \
	"\"workload\":{\"traces\":[\"" name ".csv\"]}}"

/* Sum of `col` over requests.csv's traffic rows (az empty) whose interval
 * ends in (from, to]. */
static double req_sum(const char *tag, const char *col, double from, double to)
{
	int n = rs_rows(tag, "requests.csv");
	double sum = 0;

	for (int r = 1; r <= n; r++) {
		char *az = rs_cell(tag, "requests.csv", r, "az");
		double t = rs_num(tag, "requests.csv", r, "time_s");

		if (az && !*az && t > from && t <= to)
			sum += rs_num(tag, "requests.csv", r, col);
		free(az);
	}
	return sum;
}

/* §8.2 / §6: a host that fails takes its targets with it at once, the first
 * task of the run's (its task reference is 0) as well as the others: the
 * requests in flight there fail at the failure (502), not a heartbeat
 * timeout later when ECS notices (the task's target answered until then). */
static void test_failed_host_targets_die_at_once(void)
{
	rs_write("dep-web.json", td_web);
	rs_write("dep-hf.json", LB_SCN("dep-hf"));
	rs_write("dep-hf.csv", TRACE_HDR "400,instance_fail,ci-00001,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("dep-hf.json", "dep-hf", NULL, NULL, NULL), 0);
	RS_IS("dep-hf", "tasks.csv", rs_find("dep-hf", "tasks.csv", "task_id", "task-1"), "instance_id", "ci-00001");
	T_EQ(req_sum("dep-hf", "http_502", 0, 390), 0);
	CU_ASSERT(req_sum("dep-hf", "http_502", 390, 400) > 0);   /* cut at 400 s */
}

/* §2.4, §6.3: DeregisterContainerInstance (force) of a host that runs a
 * web task: ECS marks the task STOPPED (UserInitiated) and the service
 * replaces it elsewhere, but the task runs on, orphaned: its target is
 * deregistered and drains, so the requests in flight finish — no 502 or
 * 504 — and it is `unused` once they have, before the 60 s delay.  EC2
 * does not terminate the instance: it is billed to the end of the run. */
static void test_deregistered_host_drains(void)
{
	int n, live = 0, r;

	rs_write("dep-web.json", td_web);
	rs_write("dep-dr.json", LB_SCN("dep-dr"));
	rs_write("dep-dr.csv", TRACE_HDR "400,deregister_instance,ci-00001,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("dep-dr.json", "dep-dr", NULL, NULL, NULL), 0);
	r = rs_find("dep-dr", "tasks.csv", "task_id", "task-1");
	RS_IS("dep-dr", "tasks.csv", r, "instance_id", "ci-00001");
	RS_IS("dep-dr", "tasks.csv", r, "stop_code", "UserInitiated");
	T_NEAR(rs_num("dep-dr", "tasks.csv", r, "stop_s"), 400);
	RS_IS("dep-dr", "lb_summary.csv", 1, "http_502", "0");
	RS_IS("dep-dr", "lb_summary.csv", 1, "http_504", "0");
	CU_ASSERT(req_sum("dep-dr", "served", 390, 410) > 0);
	/* draining from 400 s, with requests in flight, until they finished */
	r = rs_find("dep-dr", "targets.csv", "reason", "deregistered");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("dep-dr", "targets.csv", r, "target", "task-1");
	T_NEAR(rs_num("dep-dr", "targets.csv", r, "time_s"), 400);
	RS_IS("dep-dr", "targets.csv", r + 1, "target", "task-1");
	RS_IS("dep-dr", "targets.csv", r + 1, "to", "unused");
	RS_IS("dep-dr", "targets.csv", r + 1, "reason", "drained: no request in flight");
	CU_ASSERT(rs_num("dep-dr", "targets.csv", r + 1, "time_s") > 400);
	/* the service runs 4 tasks again, none on the deregistered host */
	n = rs_rows("dep-dr", "tasks.csv");
	for (r = 1; r <= n; r++) {
		char *stop = rs_cell("dep-dr", "tasks.csv", r, "stop_s");
		char *inst = rs_cell("dep-dr", "tasks.csv", r, "instance_id");

		if (!*stop) {
			live++;
			CU_ASSERT(strcmp(inst, "ci-00001") != 0);
		}
		free(stop);
		free(inst);
	}
	T_EQ(live, 4);
	RS_IS("dep-dr", "timeseries.csv", -1, "instances_registered", "3");
	/* 4 × m5.xlarge ($0.192/h) for the 900 s: 0.192 */
	RS_IS("dep-dr", "summary.csv", 1, "cost_instances_usd", "0.1920");
}

/* ---- §5.8, §5.6: the breaker's stage 2 and the grace period ------------- */

struct cb_check {
	double failed_at;          /* a deployment FAILED, -1 before */
	double first_new;          /* the first v2 task RUNNING, -1 before */
	double done;               /* deployment 1 COMPLETED, -1 before */
};

static void cb_observe(struct backplane *bp, void *ctx)
{
	struct cb_check *c = ctx;
	struct svc *v = &svc_sched(bp)->svcs[0];

	if (!v->active)
		return;
	for (int i = 0; i < v->n_deps; i++)
		if (v->deps[i].rollout == ROLL_FAILED && c->failed_at < 0)
			c->failed_at = sec(bp);
	if (v->n_deps > 1 && v->deps[1].rollout == ROLL_COMPLETED && c->done < 0)
		c->done = sec(bp);
	for (int k = 0; k < v->n_tasks && c->first_new < 0; k++) {
		struct task *t = bp_task_at(bp, v->tasks[k]);

		if (t->dep == 1 && t->seen == TS_RUNNING)
			c->first_new = sec(bp);
	}
}

/* A web service of 4 tasks behind an ALB target group checked every 10 s,
 * healthCheckGracePeriodSeconds 300, circuit breaker with rollback
 * (threshold clamp(ceil(0.5 × 4), 3, 200) = 3); `v2` deployed at 300 s. */
#define CB_SCN(name, tg_extra, traffic) HEAD(name, 1800) INSTANCES \
	"\"metricsIntervalSeconds\":10," \
	"\"taskDefinitions\":{\"web\":\"dep-web.json\",\"v2\":\"dep-web-v2.json\"}," \
	"\"loadBalancers\":[{\"name\":\"alb\",\"type\":\"application\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}]," \
	"\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\",\"healthCheckIntervalSeconds\":10," \
	"\"attributes\":{\"deregistration_delay.timeout_seconds\":\"5\"}" tg_extra traffic "}]," \
	"\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"web\",\"desiredCount\":4," \
	"\"healthCheckGracePeriodSeconds\":300," \
	"\"deploymentConfiguration\":{\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":true}}," \
	"\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}]," \
	"\"workload\":{\"traces\":[\"dep-cb.csv\"]}}"

static const char *td_web_v2 =
	"{\"family\":\"web\",\"revision\":2,\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x:2\",\"cpu\":256,"
	"\"memory\":512,\"portMappings\":[{\"containerPort\":8080}]}]}";

/* Slow to become healthy: 2000 requests/s from 250 s to 400 s (each task
 * serves 100/s) make every target's checks time out behind its queue
 * (healthCheckTimesOutWhenOverloaded); with no healthy target the ALB
 * sends to all of them (fail open), so the new revision's targets fail
 * from their first check (334 s) until the load falls back to 40/s and
 * they pass again.  Those failures come inside the new tasks' grace
 * period: they do not count toward the breaker (on the old code it trips
 * at 334 s and rolls back), and the deployment completes. */
static void test_breaker_ignores_checks_in_grace(void)
{
	struct cb_check c = { -1, -1, -1 };

	rs_write("dep-web.json", td_web);
	rs_write("dep-web-v2.json", td_web_v2);
	rs_write("dep-rate.csv", "time_s,rate_per_s\n0,40\n250,2000\n400,40\n");
	rs_write("dep-cbs.json", CB_SCN("dep-cbs", ",\"healthCheckTimesOutWhenOverloaded\":true",
		",\"traffic\":{\"arrivals\":{\"rateCurve\":{\"file\":\"dep-rate.csv\"}},"
		"\"serviceTimeSeconds\":{\"constant\":{\"value\":0.1}},\"workersPerTask\":10,\"queueLimit\":2000}"));
	rs_write("dep-cb.csv", TRACE_HDR "300,deploy,web,v2,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("dep-cbs.json", "dep-cbs", NULL, cb_observe, &c), 0);
	CU_ASSERT(c.first_new > 300 && c.first_new < 400);
	/* the new revision's checks did fail, inside its grace period */
	for (int k = 5; k <= 8; k++) {
		char id[24];
		double bad, good;

		snprintf(id, sizeof id, "task-%d", k);
		RS_IS("dep-cbs", "tasks.csv", rs_find("dep-cbs", "tasks.csv", "task_id", id), "taskdef", "web:2");
		bad = rs_target_at("dep-cbs", id, "unhealthy");
		good = rs_target_at("dep-cbs", id, "healthy");
		CU_ASSERT(bad > c.first_new && bad < c.first_new + 300);
		CU_ASSERT(good > 400 && good < c.first_new + 300);
	}
	CU_ASSERT(c.failed_at < 0);
	CU_ASSERT(c.done > 400);
}

/* A revision whose targets never pass: its failed checks count once the
 * grace period since its task started is over, so the breaker trips then,
 * not before (three checks 10 s apart after 300 s). */
static void test_breaker_counts_checks_after_grace(void)
{
	struct cb_check c = { -1, -1, -1 };

	rs_write("dep-web.json", td_web);
	rs_write("dep-web-v2.json", td_web_v2);
	rs_write("dep-cbn.json", CB_SCN("dep-cbn", ",\"neverHealthy\":{\"v2\":1}", ""));
	rs_write("dep-cb.csv", TRACE_HDR "300,deploy,web,v2,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("dep-cbn.json", "dep-cbn", NULL, cb_observe, &c), 0);
	CU_ASSERT_FATAL(c.first_new > 300);
	CU_ASSERT(c.failed_at >= c.first_new + 300);
	CU_ASSERT(c.failed_at <= c.first_new + 300 + 40);
	T_EQ(c.done, -1);
}

static CU_TestInfo dep_tests[] = {
	{ "scale-in waits for the deployment (5.5)", test_scale_in_waits_for_deployment },
	{ "scale-out during a deployment (5.5)", test_scale_out_during_deployment },
	{ "suspended scale-in: the state machine", test_aas_suspended_state },
	{ "a failed host's targets die at once (slot 0 too)", test_failed_host_targets_die_at_once },
	{ "deregistered host: orphaned tasks' targets drain (2.4)", test_deregistered_host_drains },
	{ "breaker ignores failed checks in the grace period (5.8)", test_breaker_ignores_checks_in_grace },
	{ "breaker counts failed checks after the grace period (5.8)", test_breaker_counts_checks_after_grace },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "deployment fidelity", setup, rs_teardown, NULL, NULL, dep_tests },
	CU_SUITE_INFO_NULL,
};
