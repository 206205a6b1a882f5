/* tests/test_alarms.c — CloudWatch alarms that fail a deployment
 * (docs/ecs-model.md §5.6, choices E135–E139), each written from the rule
 * and, where it is a bound, checked after every event:
 *
 *  - FAILED launches nothing: no task of the failed deployment is started
 *    after the instant its alarm entered ALARM;
 *  - with rollback, the last COMPLETED revision is the primary again and
 *    the service ends on it alone, at its desired count;
 *  - M of N: the rule's next state against hand-computed series, for each
 *    treatMissingData;
 *  - every datapoint as computed by hand when it is made: the service's CPU
 *    (the mean of its RUNNING tasks' utilisation), a target group's
 *    HealthyHostCount and RequestCount;
 *  - the bake time: a rolling deployment with alarms is IN_PROGRESS from its
 *    steady state until the bake time (the longest period × evaluation
 *    periods) is over, at every event, and COMPLETED from then on;
 *  - a task lost during the bake: COMPLETED only once the service is
 *    steady again (its replacement healthy), not at the bake end;
 *  - an alarm already in ALARM before the deployment's first RUNNING task
 *    does not fail it (ECS watches from that task); one entering ALARM
 *    after it does;
 *  - breaker and alarm both on: whichever trips first fails it;
 *  - a LINEAR deployment: an alarm during the shifts rolls traffic back to
 *    blue, green stopped, blue untouched;
 *  - a DAEMON service: rollback and bake time as a rolling deployment's;
 *  - bad fields exit 2 naming the JSON path.
 * On main every scenario here is refused (unknown member `alarms`): every
 * test fails there. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/lb/lb_int.h"
#include "models/scenario.h"
#include "models/service_int.h"

#define HEAD(name, dur, pull) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," \
	"\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatJitterSeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":" #pull ",\"imagePullCachedSeconds\":" #pull "," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3}," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":3}," \
	"{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":3}]," \
	"\"taskDefinitions\":{\"web\":\"al-web.json\",\"cool\":\"al-web2.json\",\"hot\":\"al-web3.json\"," \
	"\"broken\":{\"file\":\"al-web3.json\",\"startFailureProbability\":1}}," \
	"\"utilization\":{\"web\":{\"cpu\":30},\"cool\":{\"cpu\":30},\"hot\":{\"cpu\":90},\"broken\":{\"cpu\":90}},"
#define LB "\"loadBalancers\":[{\"name\":\"alb\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}]," \
	"\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\"," \
	"\"healthCheckIntervalSeconds\":5,\"healthCheckTimeoutSeconds\":2," \
	"\"attributes\":{\"deregistration_delay.timeout_seconds\":5}," \
	"\"traffic\":{\"mode\":\"perRequest\",\"arrivals\":{\"poisson\":{\"ratePerSecond\":50}}," \
	"\"serviceTimeSeconds\":{\"exponential\":{\"mean\":0.02}},\"workersPerTask\":4,\"queueLimit\":50}}],"
/* the alarm: the service's CPU above 80 % in 2 of 3 one-minute periods */
#define CPU_ALARM(svc) "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"CPUUtilization\",\"service\":\"" svc "\"," \
	"\"evaluationPeriods\":3,\"datapointsToAlarm\":2,\"threshold\":80," \
	"\"comparisonOperator\":\"GreaterThanThreshold\"}],"
#define ALARMS(rb) "\"alarms\":{\"alarmNames\":[\"cpu\"],\"enable\":true,\"rollback\":" rb "}"
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

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("al-web.json", td_web);
	rs_write("al-web2.json", td_web2);
	rs_write("al-web3.json", td_web3);
	return 0;
}

/* What the rules watch after every event, for deployment `dep` (index) of
 * service 0 and alarm 0. */
struct ao {
	int dep;
	long samples;
	double first_running_s;     /* first task of `dep` RUNNING, -1 */
	double alarm_s;             /* alarm 0 first seen in ALARM, -1 */
	uint64_t max_no;            /* the largest task number of `dep` at alarm_s */
	long started_after_alarm;   /* tasks of `dep` that appeared after alarm_s */
	double failed_s, completed_s;   /* `dep` first FAILED / COMPLETED, -1 */
	double steady_s;            /* first event with `dep` primary at the desired count healthy and
				     * every task of other deployments stopped */
	long not_in_progress;       /* events from steady_s before completed_s with `dep` not IN_PROGRESS */
	long rollout_off;           /* of those, events where the scheduler did not tell a rollout in progress */
	int last_head, last_n;      /* alarm 0's datapoint ring as last seen */
	long dp_checked, dp_bad;    /* its CPU datapoints, and those that differ from the hand computation */
	int split_seen;             /* the target group split traffic at some point */
	double split_off_s;         /* the split last went off, -1 */
};

static void ao_init(struct ao *o, int dep)
{
	memset(o, 0, sizeof *o);
	o->dep = dep;
	o->first_running_s = o->alarm_s = o->failed_s = o->completed_s = o->steady_s = o->split_off_s = -1;
}

/* The utilisation each task definition's tasks report (HEAD's `utilization`). */
static double pct_of(const char *td)
{
	return strcmp(td, "hot") == 0 || strcmp(td, "broken") == 0 ? 90 : 30;
}

/* Alarm 0 just made a datapoint (its ring moved): with a one-minute
 * period the datapoint is the one sample, the mean of its service's
 * RUNNING tasks' utilisation (their reservations are equal), missing
 * without one.  Checked at every datapoint. */
static void check_datapoint(struct backplane *bp, struct ao *o)
{
	struct alarm_rt *a = &svc_sched(bp)->alarms[0];
	struct svc *v = &svc_sched(bp)->svcs[a->cfg->service];
	double sum = 0, want, got;
	int n = 0, k = a->cfg->eval_periods;

	if (a->head == o->last_head && a->n_dp == o->last_n)
		return;
	o->last_head = a->head;
	o->last_n = a->n_dp;
	if (a->n_dp == 0 || a->cfg->metric != AM_CPU || a->cfg->period_s != 60)
		return;
	for (int i = 0; i < v->n_tasks; i++) {
		struct task *t = &bp->tasks[v->tasks[i]];

		if (t->seen == TS_RUNNING) {
			sum += pct_of(backplane_scenario(bp)->taskdefs[t->td].name);
			n++;
		}
	}
	want = n ? sum / n : NAN;
	got = a->dp[(a->head - 1 + k) % k];
	o->dp_checked++;
	if (isnan(want) ? !isnan(got) : fabs(got - want) > 1e-9)
		o->dp_bad++;
}

static void observe(struct backplane *bp, void *ctx)
{
	struct ao *o = ctx;
	struct svc *v;
	double now = (double)sim_now(backplane_sim(bp)) / 1000.0;
	int64_t mine_healthy = 0, others = 0;   /* `dep`'s live tasks healthy; other deployments' tasks */
	uint64_t max_no = 0;
	struct lb *lb = lb_actor_world(bp);

	if (svc_sched(bp)->n_svcs < 1 || !svc_sched(bp)->svcs[0].active)
		return;
	v = &svc_sched(bp)->svcs[0];
	o->samples++;
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = &bp->tasks[v->tasks[k]];

		if (t->dep == o->dep && t->no > max_no)
			max_no = t->no;
		if (t->dep == o->dep && t->seen == TS_RUNNING && o->first_running_s < 0)
			o->first_running_s = now;
		if (t->dep != o->dep)
			others++;          /* not yet stopped */
		else if (svc_live(t))
			mine_healthy += t->healthy;
	}
	if (svc_sched(bp)->n_alarms > 0)
		check_datapoint(bp, o);
	if (svc_sched(bp)->n_alarms > 0 && svc_sched(bp)->alarms[0].state == AL_ALARM && o->alarm_s < 0) {
		o->alarm_s = now;
		o->max_no = max_no;
	} else if (o->alarm_s >= 0 && max_no > o->max_no) {
		o->started_after_alarm++;
		o->max_no = max_no;
	}
	if (v->n_deps <= o->dep)
		return;
	if (o->failed_s < 0 && v->deps[o->dep].rollout == ROLL_FAILED)
		o->failed_s = now;
	if (o->completed_s < 0 && v->deps[o->dep].rollout == ROLL_COMPLETED)
		o->completed_s = now;
	if (o->steady_s < 0 && v->primary == o->dep && others == 0 && mine_healthy == v->desired)
		o->steady_s = now;
	if (o->steady_s >= 0 && o->completed_s < 0) {
		o->not_in_progress += v->deps[o->dep].rollout != ROLL_IN_PROGRESS;
		o->rollout_off += !v->rollout_told;
	}
	if (lb) {
		struct lb_tg *g = &lb->tg[0];

		if (g->split)
			o->split_seen = 1;
		else if (o->split_seen && o->split_off_s < 0)
			o->split_off_s = now;
	}
}

static void run_checked(const char *tag, const char *scenario, const char *trace, struct ao *o, int dep)
{
	char file[64];

	ao_init(o, dep);
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scenario);
	snprintf(file, sizeof file, "%s.csv", tag);
	rs_write(file, trace);
	snprintf(file, sizeof file, "%s.json", tag);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, observe, o), 0);
	CU_ASSERT(o->samples > 20);
}

/* deployments.csv of out-<tag>: time_s of the first row of deployment
 * `dep` (1-based, as written) at `stage` (the last with `last`), -1 when
 * none. */
static double stage_find(const char *tag, int dep, const char *stage, int last)
{
	int n = rs_rows(tag, "deployments.csv");
	double at = -1;
	char d[16];

	snprintf(d, sizeof d, "%d", dep);
	for (int r = 1; r <= n; r++) {
		char *st = rs_cell(tag, "deployments.csv", r, "stage");
		char *dp = rs_cell(tag, "deployments.csv", r, "deployment");
		int hit = st && dp && strcmp(st, stage) == 0 && strcmp(dp, d) == 0;

		free(st);
		free(dp);
		if (hit) {
			at = rs_num(tag, "deployments.csv", r, "time_s");
			if (!last)
				return at;
		}
	}
	return at;
}

static double stage_at(const char *tag, int dep, const char *stage)
{
	return stage_find(tag, dep, stage, 0);
}

/* Rows of deployments.csv at `stage`. */
static int stage_rows(const char *tag, const char *stage)
{
	int n = rs_rows(tag, "deployments.csv"), c = 0;

	for (int r = 1; r <= n; r++) {
		char *st = rs_cell(tag, "deployments.csv", r, "stage");

		c += st && strcmp(st, stage) == 0;
		free(st);
	}
	return c;
}

/* A rollback at `at` is a NEW deployment, number `dep`, of the last
 * COMPLETED revision `taskdef` (docs/ecs-model.md §5.6, choice E150): its
 * first row IN_PROGRESS at `at`, then COMPLETED after it (it is not
 * watched and does not bake, E137); no older deployment revived. */
static void rollback_dep(const char *tag, int dep, const char *taskdef, double at)
{
	int n = rs_rows(tag, "deployments.csv"), first = 0;
	char d[16];

	snprintf(d, sizeof d, "%d", dep);
	T_EQ(stage_rows(tag, "ROLLED_BACK"), 0);
	T_NEAR(stage_at(tag, dep, "IN_PROGRESS"), at);
	CU_ASSERT(stage_at(tag, dep, "COMPLETED") > at);
	CU_ASSERT(stage_at(tag, dep, "BAKE_TIME") < 0);
	for (int r = 1; r <= n; r++) {
		char *dp = rs_cell(tag, "deployments.csv", r, "deployment");
		char *td = rs_cell(tag, "deployments.csv", r, "taskdef");

		if (strcmp(dp, d) == 0) {
			T_STREQ(td, taskdef);
			if (!first++)
				RS_IS(tag, "deployments.csv", r, "stage", "IN_PROGRESS");
		}
		free(dp);
		free(td);
	}
	T_EQ(first, 2);
}

/* The service's live tasks at the end of the run, and those of deployment
 * `dep` (1-based) among them, from tasks.csv's taskdef column. */
static void live_at_end(const char *tag, const char *taskdef, int *live, int *of)
{
	int n = rs_rows(tag, "tasks.csv");

	*live = *of = 0;
	for (int r = 1; r <= n; r++) {
		char *st = rs_cell(tag, "tasks.csv", r, "last_status");
		char *td = rs_cell(tag, "tasks.csv", r, "taskdef");
		char *sv = rs_cell(tag, "tasks.csv", r, "service");

		if (st && sv && strcmp(sv, "w") == 0 && strcmp(st, "RUNNING") == 0) {
			(*live)++;
			*of += td && strstr(td, taskdef) != NULL;
		}
		free(st);
		free(td);
		free(sv);
	}
}

/* A rolling deployment of a revision whose tasks use 90 % of their CPU:
 * the alarm enters ALARM, the deployment FAILS (nothing of it started
 * after that instant) and rolls back to revision 2 (COMPLETED before). */
static void test_rollback(void)
{
	struct ao o;
	int live, of;

	run_checked("al-rb", HEAD("al-rb", 1800, 10) CPU_ALARM("w")
		    SVC("{\"minimumHealthyPercent\":50,\"maximumPercent\":150," ALARMS("true") "}")
		    TAIL("al-rb"), TRACE_HDR "300,deploy,w,hot,,,\n", &o, 1);
	CU_ASSERT(o.first_running_s > 300);
	CU_ASSERT(o.alarm_s > o.first_running_s);
	T_NEAR(o.failed_s, o.alarm_s);
	T_EQ(o.started_after_alarm, 0);           /* FAILED launches nothing */
	T_EQ(o.dp_checked, 7);                    /* 4 of CreateService's deployment, 3 of the deploy's */
	T_EQ(o.dp_bad, 0);                        /* every datapoint as computed by hand */
	T_NEAR(stage_at("al-rb", 2, "FAILED"), o.alarm_s);
	rollback_dep("al-rb", 3, "web", o.alarm_s);
	/* the ALARM row names the deployment it failed */
	T_NEAR(rs_num("al-rb", "alarms.csv", rs_find("al-rb", "alarms.csv", "state", "ALARM"), "time_s"), o.alarm_s);
	RS_IS("al-rb", "alarms.csv", rs_find("al-rb", "alarms.csv", "state", "ALARM"), "deployments_failed", "w:2");
	/* the service ends on revision 1 alone, at its desired count */
	live_at_end("al-rb", "web", &live, &of);
	T_EQ(live, 4);
	T_EQ(of, 4);
	live_at_end("al-rb", "web:3", &live, &of);
	T_EQ(of, 0);
	/* the rollback's deployment is not watched (E137): COMPLETED, no bake */
	T_EQ(stage_rows("al-rb", "BAKE_TIME"), 2);
	T_EQ(stage_rows("al-rb", "COMPLETED"), 2);   /* CreateService's, the rollback's */
	T_EQ(stage_rows("al-rb", "FAILED"), 1);
	/* two COMPLETED revisions before it: back to the last, revision 2 */
	run_checked("al-rb2", HEAD("al-rb2", 2400, 10) CPU_ALARM("w")
		    SVC("{\"minimumHealthyPercent\":50,\"maximumPercent\":150," ALARMS("true") "}")
		    TAIL("al-rb2"), TRACE_HDR "300,deploy,w,cool,,,\n900,deploy,w,hot,,,\n", &o, 2);
	CU_ASSERT(o.alarm_s > o.first_running_s && o.first_running_s > 900);
	T_NEAR(o.failed_s, o.alarm_s);
	T_EQ(o.started_after_alarm, 0);
	CU_ASSERT(stage_at("al-rb2", 2, "COMPLETED") < 900);
	T_NEAR(stage_at("al-rb2", 3, "FAILED"), o.alarm_s);
	rollback_dep("al-rb2", 4, "cool", o.alarm_s);
	live_at_end("al-rb2", "web:2", &live, &of);
	T_EQ(live, 4);
	T_EQ(of, 4);
}

/* Without rollback: FAILED, nothing more launched, revision 3 kept. */
static void test_failed_no_rollback(void)
{
	struct ao o;

	run_checked("al-nrb", HEAD("al-nrb", 1800, 10) CPU_ALARM("w")
		    SVC("{\"minimumHealthyPercent\":50,\"maximumPercent\":150," ALARMS("false") "}")
		    TAIL("al-nrb"), TRACE_HDR "300,deploy,w,hot,,,\n", &o, 1);
	CU_ASSERT(o.alarm_s > o.first_running_s && o.first_running_s > 300);
	T_NEAR(o.failed_s, o.alarm_s);
	T_EQ(o.started_after_alarm, 0);
	T_EQ(stage_rows("al-nrb", "IN_PROGRESS"), 2);   /* no rollback deployment */
	T_EQ(stage_rows("al-nrb", "COMPLETED"), 1);   /* CreateService's only */
}

/* M of N against hand-computed series (CloudWatch's rule, E136): 2 of 3,
 * GreaterThanThreshold 80; N = missing. */
static void test_m_of_n(void)
{
	struct scn_alarm c = { .eval_periods = 3, .to_alarm = 2, .threshold = 80, .cmp = AC_GT };
	double n = NAN;
	static const struct { double dp[3]; int n_dp; int missing, from, want; } cases[] = {
		{ { 90, 70, 85 }, 3, AMD_MISSING, AL_OK, AL_ALARM },          /* 2 breaching of 3 */
		{ { 90, 70, 75 }, 3, AMD_MISSING, AL_ALARM, AL_OK },          /* 1 of 3 */
		{ { 80, 80, 80 }, 3, AMD_MISSING, AL_OK, AL_OK },             /* at, not above */
		{ { 90 }, 1, AMD_MISSING, AL_INSUFFICIENT, AL_OK },           /* 1 present, not 2 */
		{ { 90, 95 }, 2, AMD_MISSING, AL_INSUFFICIENT, AL_ALARM },    /* 2 of the first 2 */
		{ { 0 }, 0, AMD_MISSING, AL_OK, AL_INSUFFICIENT },            /* none yet */
		{ { 0 }, 0, AMD_IGNORE, AL_OK, AL_OK },                       /* ignore: kept */
		{ { 0 }, 0, AMD_NOT_BREACHING, AL_INSUFFICIENT, AL_OK },
		{ { 90 }, 1, AMD_BREACHING, AL_OK, AL_ALARM },                /* 1 + 2 missing as bad */
		{ { 90, 70, 70 }, 3, AMD_BREACHING, AL_OK, AL_OK },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		c.missing = cases[i].missing;
		T_EQ(alarm_eval(&c, cases[i].dp, cases[i].n_dp, cases[i].from), cases[i].want);
	}
	/* missing datapoints inside the range */
	{
		double dp[3] = { 90, n, 95 };

		c.missing = AMD_MISSING;
		T_EQ(alarm_eval(&c, dp, 3, AL_OK), AL_ALARM);
		c.missing = AMD_NOT_BREACHING;
		T_EQ(alarm_eval(&c, dp, 3, AL_OK), AL_ALARM);
		dp[2] = 50;
		T_EQ(alarm_eval(&c, dp, 3, AL_ALARM), AL_OK);
		c.missing = AMD_BREACHING;
		T_EQ(alarm_eval(&c, dp, 3, AL_OK), AL_ALARM);
		dp[0] = dp[1] = dp[2] = n;
		c.missing = AMD_IGNORE;
		T_EQ(alarm_eval(&c, dp, 3, AL_ALARM), AL_ALARM);
		c.missing = AMD_MISSING;
		T_EQ(alarm_eval(&c, dp, 3, AL_ALARM), AL_INSUFFICIENT);
	}
	/* 3 of 5, LessThanOrEqualToThreshold 10 */
	{
		struct scn_alarm d = { .eval_periods = 5, .to_alarm = 3, .threshold = 10, .cmp = AC_LE };
		double a[5] = { 10, 20, 5, 30, 11 }, b[5] = { 10, 20, 5, 30, 9 };

		T_EQ(alarm_eval(&d, a, 5, AL_OK), AL_OK);
		T_EQ(alarm_eval(&d, b, 5, AL_OK), AL_ALARM);
	}
}

/* The bake time: a good revision, two alarms (the longest 2 × 120 s):
 * IN_PROGRESS from its steady state at every event, COMPLETED 240 s after
 * its BAKE_TIME row, which comes with the pass that finds it steady. */
static void test_bake(void)
{
	struct ao o;
	double bake;

	run_checked("al-bake", HEAD("al-bake", 1800, 10)
		    "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"CPUUtilization\",\"service\":\"w\","
		    "\"evaluationPeriods\":3,\"threshold\":80,\"comparisonOperator\":\"GreaterThanThreshold\"},"
		    "{\"alarmName\":\"mem\",\"metric\":\"CPUUtilization\",\"service\":\"w\",\"statistic\":\"Maximum\","
		    "\"periodSeconds\":120,\"evaluationPeriods\":2,\"threshold\":99,"
		    "\"comparisonOperator\":\"GreaterThanOrEqualToThreshold\"}],"
		    SVC("{\"alarms\":{\"alarmNames\":[\"cpu\",\"mem\"],\"enable\":true,\"rollback\":true}}")
		    TAIL("al-bake"), TRACE_HDR "600,deploy,w,cool,,,\n", &o, 1);
	bake = stage_at("al-bake", 2, "BAKE_TIME");
	CU_ASSERT(o.steady_s > 600);
	CU_ASSERT(bake >= o.steady_s && bake <= o.steady_s + 10 + 1e-9);
	T_NEAR(o.completed_s, bake + 240);
	T_NEAR(stage_at("al-bake", 2, "COMPLETED"), bake + 240);
	T_EQ(o.not_in_progress, 0);
	T_EQ(o.rollout_off, 0);     /* a deployment in progress for the other actors too (§5.5) */
	T_EQ(o.failed_s, -1);
	T_EQ(o.alarm_s, -1);
	/* CreateService's deployment bakes as well */
	T_NEAR(stage_at("al-bake", 1, "COMPLETED") - stage_at("al-bake", 1, "BAKE_TIME"), 240);
}

/* The bake end is COMPLETED only at steady state (§5.5: "When the service
 * reaches a steady state, the deployment transitions to a COMPLETED
 * state"; choice E147).  CreateService's deployment of 2 tasks on one
 * m5.large, one alarm of 3 one-minute periods (bake 180 s).  The tasks:
 * submitted 0.25 s (API latency), placed 1.25 (placement latency 1), RUNNING
 * 13.75 (pull 10 + start 2 + network 0.5), healthy 53.75 (healthyAfter 40);
 * the pass that finds it steady 63.75 (schedulerDelay 10): BAKE_TIME, the
 * bake ends 243.75.  task-1 is stopped at 220: its desired status STOPPED
 * at 220.75 (API 0.25 + network 0.5), STOPPED 223.75 (shutdown 3); its
 * replacement is submitted at 234.25 (the report 0.5 + schedulerDelay 10
 * + API 0.25), placed 235.25, RUNNING 247.75, healthy 287.75; the pass then
 * (10 s on) finds the service steady: COMPLETED at 297.75, not at the bake
 * end (243.75, where main completed it), IN_PROGRESS at every event
 * between, with no second BAKE_TIME.  `daemon`: the same for a DAEMON
 * service on two m5.large (one task each, the same timings: task-1's
 * replacement on its instance). */
static void bake_needs_steady(const char *tag, int daemon)
{
	struct ao o;
	char scn[2048], trace[128];

	snprintf(scn, sizeof scn, "{\"name\":\"%s\",\"durationSeconds\":600,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25,"
		 "\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatJitterSeconds\":0},"
		 "\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":10,"
		 "\"containerStartSeconds\":2,\"shutdownSeconds\":3},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":%d}],"
		 "\"taskDefinitions\":{\"web\":\"al-web.json\"},\"utilization\":{\"web\":{\"cpu\":30}},"
		 CPU_ALARM("w")
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",%s"
		 "\"deploymentConfiguration\":{" ALARMS("true") "}}],"
		 "\"workload\":{\"traces\":[\"%s.csv\"]}}",
		 tag, daemon ? 2 : 1, daemon ? "\"schedulingStrategy\":\"DAEMON\"," : "\"desiredCount\":2,", tag);
	snprintf(trace, sizeof trace, TRACE_HDR "220,stop_task,task-1,,,,\n");
	run_checked(tag, scn, trace, &o, 0);
	T_NEAR(stage_at(tag, 1, "BAKE_TIME"), 63.75);
	if (!daemon)    /* (the observer's steady count is a REPLICA's desired count) */
		T_NEAR(o.steady_s, 53.75);
	T_NEAR(rs_num(tag, "tasks.csv", rs_find(tag, "tasks.csv", "task_id", "task-3"), "submit_s"), 234.25);
	T_NEAR(o.completed_s, 297.75);
	T_NEAR(stage_at(tag, 1, "COMPLETED"), 297.75);
	T_EQ(stage_rows(tag, "BAKE_TIME"), 1);
	T_EQ(stage_rows(tag, "COMPLETED"), 1);
	T_EQ(o.not_in_progress, 0);     /* IN_PROGRESS from steady to COMPLETED, the bake end included */
	T_EQ(o.rollout_off, 0);
	T_EQ(o.failed_s, -1);
}

static void test_bake_needs_steady(void)
{
	bake_needs_steady("al-bks", 0);
	bake_needs_steady("al-bkd", 1);
}

/* An alarm on another service (always 90 % CPU; missing datapoints
 * breaching) that enters ALARM before the deployment's first RUNNING task
 * (image pulls of 200 s) does not fail it; with pulls of 10 s the same
 * ALARM comes after that task: FAILED. */
#define HOT_ALARM "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"CPUUtilization\",\"service\":\"h\"," \
	"\"evaluationPeriods\":3,\"datapointsToAlarm\":2,\"threshold\":80,\"treatMissingData\":\"breaching\"," \
	"\"comparisonOperator\":\"GreaterThanThreshold\"}],"
static void test_before_running(void)
{
	struct ao o;
	const char *svcs = "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":2,"
		"\"deploymentConfiguration\":{" ALARMS("true") "}},"
		"{\"serviceName\":\"h\",\"taskDefinition\":\"hot\",\"desiredCount\":2}],";
	char scn[8192];

	snprintf(scn, sizeof scn, "%s%s%s", HEAD("al-slow", 2400, 200) HOT_ALARM, svcs, TAIL("al-slow"));
	run_checked("al-slow", scn, TRACE_HDR "900,deploy,w,cool,,,\n", &o, 1);
	CU_ASSERT(o.first_running_s > 1000);
	/* at the deploy the evaluation starts afresh (E138): ALARM again
	 * before the first RUNNING task of deployment 2, at its second
	 * breaching datapoint (2 of 3; the periods before the start are
	 * outside the range, E141) */
	T_NEAR(rs_num("al-slow", "alarms.csv", rs_rows("al-slow", "alarms.csv"), "time_s"), 1020);
	RS_IS("al-slow", "alarms.csv", rs_rows("al-slow", "alarms.csv"), "state", "ALARM");
	RS_IS("al-slow", "alarms.csv", rs_rows("al-slow", "alarms.csv"), "deployments_failed", "");
	/* and the first one, during CreateService's deployment, before its
	 * tasks ran (OK at the first datapoint, ALARM at the second: E141) */
	RS_IS("al-slow", "alarms.csv", 1, "state", "OK");
	RS_IS("al-slow", "alarms.csv", 2, "state", "ALARM");
	CU_ASSERT(rs_num("al-slow", "alarms.csv", 2, "time_s") < 200);
	T_EQ(o.failed_s, -1);
	CU_ASSERT(o.completed_s > o.first_running_s);
	CU_ASSERT(o.dp_checked >= 6);
	T_EQ(o.dp_bad, 0);
	T_EQ(stage_rows("al-slow", "FAILED"), 0);
	T_EQ(stage_rows("al-slow", "COMPLETED"), 3);   /* w's two, h's */
	/* the same with fast pulls: the ALARM comes after the first RUNNING task */
	snprintf(scn, sizeof scn, "%s%s%s", HEAD("al-fast", 2400, 10) HOT_ALARM, svcs, TAIL("al-fast"));
	run_checked("al-fast", scn, TRACE_HDR "900,deploy,w,cool,,,\n", &o, 0);
	CU_ASSERT(o.first_running_s > 0 && o.alarm_s > o.first_running_s);
	T_NEAR(o.failed_s, o.alarm_s);
	T_NEAR(stage_at("al-fast", 1, "FAILED"), o.alarm_s);
}

/* Breaker and alarm both on: whichever trips first.  A revision that
 * never starts: the breaker (COUNT 3) at its third start failure, the
 * alarm never (no datapoint: none of its tasks runs).  A hot revision that
 * runs: the alarm, the breaker's count staying 0. */
static void test_first_to_trip(void)
{
	struct ao o;
	int n, fails = 0;
	double third = -1;

	run_checked("al-brk", HEAD("al-brk", 1800, 10) CPU_ALARM("w")
		    SVC("{\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":true,"
			"\"thresholdConfiguration\":{\"type\":\"COUNT\",\"value\":3}}," ALARMS("true") "}")
		    TAIL("al-brk"), TRACE_HDR "300,deploy,w,broken,,,\n", &o, 1);
	n = rs_rows("al-brk", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *code = rs_cell("al-brk", "tasks.csv", r, "stop_code");

		if (code && strcmp(code, "TaskFailedToStart") == 0 && ++fails == 3)
			third = rs_num("al-brk", "tasks.csv", r, "stop_s");
		free(code);
	}
	CU_ASSERT(third > 300);
	T_NEAR(stage_at("al-brk", 2, "FAILED"), o.failed_s);
	CU_ASSERT(o.failed_s >= third && o.failed_s <= third + 1);   /* as the scheduler hears of it */
	T_EQ(o.alarm_s, -1);
	T_EQ(stage_rows("al-brk", "FAILED"), 1);
	run_checked("al-hot", HEAD("al-hot", 1800, 10) CPU_ALARM("w")
		    SVC("{\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":true,"
			"\"thresholdConfiguration\":{\"type\":\"COUNT\",\"value\":3}}," ALARMS("true") "}")
		    TAIL("al-hot"), TRACE_HDR "300,deploy,w,hot,,,\n", &o, 1);
	CU_ASSERT(o.alarm_s > 300);
	T_NEAR(o.failed_s, o.alarm_s);
	T_EQ(stage_rows("al-hot", "FAILED"), 1);
	RS_IS("al-hot", "alarms.csv", rs_find("al-hot", "alarms.csv", "state", "ALARM"), "deployments_failed", "w:2");
}

/* A LINEAR deployment (25 % every 2 minutes) of the hot revision behind an
 * ALB: the alarm (the service's CPU above 50 %: blue's 30 and green's 90
 * average 60 while both run) trips during the shifts; rollback sends traffic back to
 * blue at that instant, green's tasks stop, blue's 4 are untouched. */
static void test_linear(void)
{
	struct ao o;
	int live, of;

	run_checked("al-lin", HEAD("al-lin", 2400, 10) LB
		    "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"CPUUtilization\",\"service\":\"w\","
		    "\"evaluationPeriods\":3,\"datapointsToAlarm\":2,\"threshold\":50,"
		    "\"comparisonOperator\":\"GreaterThanThreshold\"}],"
		    "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":4,"
		    "\"deploymentConfiguration\":{\"strategy\":\"LINEAR\",\"bakeTimeInMinutes\":5,"
		    "\"linearConfiguration\":{\"stepPercent\":25,\"stepBakeTimeInMinutes\":2}," ALARMS("true") "},"
		    "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
		    TAIL("al-lin"), TRACE_HDR "300,deploy,w,hot,,,\n", &o, 1);
	CU_ASSERT(o.alarm_s > o.first_running_s && o.first_running_s > 300);
	T_NEAR(o.failed_s, o.alarm_s);
	T_NEAR(stage_at("al-lin", 2, "FAILED"), o.alarm_s);
	rollback_dep("al-lin", 3, "web", o.alarm_s);
	T_NEAR(o.split_off_s, o.alarm_s);
	T_EQ(o.started_after_alarm, 0);
	T_EQ(stage_rows("al-lin", "CLEAN_UP"), 0);
	live_at_end("al-lin", "web", &live, &of);
	T_EQ(live, 4);
	live_at_end("al-lin", "web:3", &live, &of);
	T_EQ(of, 0);
}

/* A target group's metrics, each datapoint checked by hand when it is made:
 * HealthyHostCount (Minimum of one sample a minute) is the group's HEALTHY
 * targets at that instant; RequestCount (Sum) the requests its targets
 * received since the previous datapoint, missing when none. */
struct tgo {
	int head[2], n[2];
	double received_at_dp;      /* requests received at the previous RequestCount datapoint */
	long checked[2], bad[2];
	long samples;
};

static void tg_observe(struct backplane *bp, void *ctx)
{
	struct tgo *o = ctx;
	struct lb *lb = lb_actor_world(bp);
	struct lb_tg *g;
	double received = 0;
	int healthy = 0;

	if (!lb || svc_sched(bp)->n_alarms < 2)
		return;
	o->samples++;
	g = &lb->tg[0];
	for (int i = 0; i < g->nt; i++) {
		received += (double)g->t[i].received;
		healthy += g->t[i].state == LB_T_HEALTHY;
	}
	for (int k = 0; k < 2; k++) {
		struct alarm_rt *a = &svc_sched(bp)->alarms[k];
		double got, want;

		if (a->head == o->head[k] && a->n_dp == o->n[k])
			continue;
		o->head[k] = a->head;
		o->n[k] = a->n_dp;
		if (a->n_dp == 0) {         /* a fresh evaluation: the counts start now */
			if (a->cfg->metric == AM_REQUESTS)
				o->received_at_dp = received;
			continue;
		}
		got = a->dp[(a->head - 1 + a->cfg->eval_periods) % a->cfg->eval_periods];
		if (a->cfg->metric == AM_HEALTHY) {
			want = healthy;
		} else {
			want = received - o->received_at_dp > 0 ? received - o->received_at_dp : NAN;
			o->received_at_dp = received;
		}
		o->checked[k]++;
		if (isnan(want) ? !isnan(got) : fabs(got - want) > 1e-9)
			o->bad[k]++;
	}
}

static void test_tg_metrics(void)
{
	struct tgo o;

	memset(&o, 0, sizeof o);
	rs_write("al-tg.json", HEAD("al-tg", 1200, 10) LB
		 "\"alarms\":[{\"alarmName\":\"hosts\",\"metric\":\"HealthyHostCount\",\"service\":\"w\","
		 "\"statistic\":\"Minimum\",\"evaluationPeriods\":5,\"threshold\":0,"
		 "\"comparisonOperator\":\"LessThanThreshold\"},"
		 "{\"alarmName\":\"reqs\",\"metric\":\"RequestCount\",\"service\":\"w\",\"targetGroup\":\"tg\","
		 "\"evaluationPeriods\":5,\"threshold\":1e9,\"comparisonOperator\":\"GreaterThanThreshold\"}],"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":4,"
		 "\"deploymentConfiguration\":{\"alarms\":{\"alarmNames\":[\"hosts\",\"reqs\"],\"enable\":true,"
		 "\"rollback\":true}},"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
		 TAIL("al-tg"));
	rs_write("al-tg.csv", TRACE_HDR "400,deploy,w,cool,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("al-tg.json", "al-tg", NULL, tg_observe, &o), 0);
	CU_ASSERT(o.checked[0] >= 10);            /* two deployments of a 5-minute bake each */
	CU_ASSERT(o.checked[1] >= 10);
	T_EQ(o.bad[0], 0);
	T_EQ(o.bad[1], 0);
	T_EQ(stage_rows("al-tg", "FAILED"), 0);
	T_EQ(stage_rows("al-tg", "COMPLETED"), 2);
}

/* Bad members exit 2 naming the member's path and the reason. */
static void test_bad_fields(void)
{
	static const struct { const char *alarms, *dc, *want; } cases[] = {
		{ CPU_ALARM("w"), "{\"alarms\":{\"alarmNames\":[\"nope\"],\"enable\":true,\"rollback\":true}}",
		  "$.services[0].deploymentConfiguration.alarms.alarmNames[0]: unknown alarm 'nope'" },
		{ CPU_ALARM("w"), "{\"alarms\":{\"alarmNames\":[\"cpu\"],\"rollback\":true}}",
		  "$.services[0].deploymentConfiguration.alarms.enable: required" },
		{ CPU_ALARM("w"), "{\"alarms\":{\"alarmNames\":[\"cpu\"],\"enable\":true}}",
		  "$.services[0].deploymentConfiguration.alarms.rollback: required" },
		{ CPU_ALARM("w"), "{\"alarms\":{\"enable\":true,\"rollback\":true}}",
		  "$.services[0].deploymentConfiguration.alarms.alarmNames" },
		{ CPU_ALARM("w"), "{\"alarms\":{\"alarmNames\":[\"cpu\"],\"enable\":true,\"rollback\":true,\"x\":1}}",
		  "$.services[0].deploymentConfiguration.alarms.x" },
		{ "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"Bogus\",\"service\":\"w\",\"evaluationPeriods\":1,"
		  "\"threshold\":1,\"comparisonOperator\":\"GreaterThanThreshold\"}],", "{}", "$.alarms[0].metric: expected" },
		{ "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"HTTPCode_Target_5XX_Count\",\"service\":\"w\","
		  "\"evaluationPeriods\":1,\"threshold\":1,\"comparisonOperator\":\"GreaterThanThreshold\"}],", "{}",
		  "$.alarms[0].metric: HTTPCode_Target_5XX_Count is not modelled" },
		{ "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"RequestCount\",\"service\":\"w\",\"evaluationPeriods\":1,"
		  "\"threshold\":1,\"comparisonOperator\":\"GreaterThanThreshold\"}],", "{}",
		  "$.alarms[0].metric: RequestCount is a target group's metric and service 'w' has no load balancer" },
		{ "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"CPUUtilization\",\"service\":\"v\",\"evaluationPeriods\":1,"
		  "\"threshold\":1,\"comparisonOperator\":\"GreaterThanThreshold\"}],", "{}",
		  "$.alarms[0].service: unknown service 'v'" },
		{ "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"CPUUtilization\",\"service\":\"w\",\"evaluationPeriods\":2,"
		  "\"datapointsToAlarm\":3,\"threshold\":1,\"comparisonOperator\":\"GreaterThanThreshold\"}],", "{}",
		  "$.alarms[0].datapointsToAlarm: must be at most evaluationPeriods" },
		{ "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"CPUUtilization\",\"service\":\"w\",\"evaluationPeriods\":1,"
		  "\"periodSeconds\":90,\"threshold\":1,\"comparisonOperator\":\"GreaterThanThreshold\"}],", "{}",
		  "$.alarms[0].periodSeconds: must be a multiple of 60" },
		{ "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"CPUUtilization\",\"service\":\"w\",\"evaluationPeriods\":1,"
		  "\"threshold\":1,\"comparisonOperator\":\"Above\"}],", "{}", "$.alarms[0].comparisonOperator: expected" },
		{ "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"CPUUtilization\",\"service\":\"w\",\"evaluationPeriods\":1,"
		  "\"statistic\":\"Sum\",\"threshold\":1,\"comparisonOperator\":\"GreaterThanThreshold\"}],", "{}",
		  "$.alarms[0].statistic: Sum of CPUUtilization is not computed" },
		{ "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"CPUUtilization\",\"service\":\"w\",\"evaluationPeriods\":1,"
		  "\"threshold\":1,\"comparisonOperator\":\"GreaterThanThreshold\",\"treatMissingData\":\"zero\"}],", "{}",
		  "$.alarms[0].treatMissingData: expected" },
		{ "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"CPUUtilization\",\"service\":\"w\","
		  "\"threshold\":1,\"comparisonOperator\":\"GreaterThanThreshold\"}],", "{}",
		  "$.alarms[0].evaluationPeriods" },
		{ "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"CPUUtilization\",\"service\":\"w\",\"evaluationPeriods\":1,"
		  "\"targetGroup\":\"tg\",\"threshold\":1,\"comparisonOperator\":\"GreaterThanThreshold\"}],", "{}",
		  "$.alarms[0].targetGroup: only for a target group's metric" },
		{ "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"CPUUtilization\",\"service\":\"w\",\"evaluationPeriods\":1,"
		  "\"threshold\":1,\"comparisonOperator\":\"GreaterThanThreshold\"},{\"alarmName\":\"cpu\","
		  "\"metric\":\"CPUUtilization\",\"service\":\"w\",\"evaluationPeriods\":1,"
		  "\"threshold\":1,\"comparisonOperator\":\"GreaterThanThreshold\"}],", "{}",
		  "$.alarms[1].alarmName: alarm 'cpu' is declared twice" },
	};
	char scn[8192], msg[1024];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(scn, sizeof scn, HEAD("al-bad", 100, 10) "%s\"services\":[{\"serviceName\":\"w\","
			 "\"taskDefinition\":\"web\",\"desiredCount\":1,\"deploymentConfiguration\":%s}]}",
			 cases[i].alarms, cases[i].dc);
		rs_write("al-bad.json", scn);
		T_EQ(rs_run_msg("al-bad.json", "al-bad", msg, sizeof msg), -1);
		if (!strstr(msg, cases[i].want))
			T_FAIL(msg);
	}
	/* every member, accepted; enable false watches nothing and writes no row */
	snprintf(scn, sizeof scn, HEAD("al-ok", 300, 10) "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"CPUUtilization\","
		 "\"service\":\"w\",\"statistic\":\"Maximum\",\"periodSeconds\":120,\"evaluationPeriods\":3,"
		 "\"datapointsToAlarm\":1,\"threshold\":1,\"comparisonOperator\":\"LessThanThreshold\","
		 "\"treatMissingData\":\"breaching\"}],\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\","
		 "\"desiredCount\":1,\"deploymentConfiguration\":{\"alarms\":{\"alarmNames\":[\"cpu\"],"
		 "\"enable\":false,\"rollback\":false}}}]}");
	rs_write("al-ok.json", scn);
	T_EQ(rs_run_msg("al-ok.json", "al-ok", msg, sizeof msg), 0);
	T_EQ(rs_rows("al-ok", "alarms.csv"), 0);
}

/* A DAEMON service's deployment alarms (choice E139) work as a rolling
 * deployment's: a revision whose tasks use 90 % of their CPU deployed to
 * the daemon on six instances: the alarm enters ALARM, the deployment
 * FAILS at that instant (nothing of it started after) and rolls back to
 * revision 1, which ends on every instance; a good revision bakes (IN_PROGRESS
 * from its steady state for the longest period x N, 3 minutes) and is
 * COMPLETED then.  Before, enabled alarms on a DAEMON service were refused
 * (exit 2) and both runs failed. */
#define DAEMON_SVC(dc) "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\"," \
	"\"schedulingStrategy\":\"DAEMON\",\"deploymentConfiguration\":" dc "}],"
static void test_daemon(void)
{
	struct ao o;
	int live, of;
	double done;

	run_checked("al-dmn", HEAD("al-dmn", 1800, 10) CPU_ALARM("w") DAEMON_SVC("{" ALARMS("true") "}")
		    TAIL("al-dmn"), TRACE_HDR "300,deploy,w,hot,,,\n", &o, 1);
	CU_ASSERT(o.first_running_s > 300);
	CU_ASSERT(o.alarm_s > o.first_running_s);
	T_NEAR(o.failed_s, o.alarm_s);
	T_EQ(o.started_after_alarm, 0);           /* FAILED launches nothing */
	T_EQ(o.dp_bad, 0);
	T_NEAR(stage_at("al-dmn", 2, "FAILED"), o.alarm_s);
	rollback_dep("al-dmn", 3, "web", o.alarm_s);
	RS_IS("al-dmn", "alarms.csv", rs_find("al-dmn", "alarms.csv", "state", "ALARM"), "deployments_failed", "w:2");
	live_at_end("al-dmn", "web", &live, &of);
	T_EQ(live, 6);                            /* one on each instance */
	live_at_end("al-dmn", "web:3", &live, &of);
	T_EQ(of, 0);

	run_checked("al-dmn2", HEAD("al-dmn2", 1800, 10) CPU_ALARM("w") DAEMON_SVC("{" ALARMS("true") "}")
		    TAIL("al-dmn2"), TRACE_HDR "300,deploy,w,cool,,,\n", &o, 1);
	CU_ASSERT(o.steady_s > 300);
	T_EQ(o.not_in_progress, 0);               /* IN_PROGRESS through the bake */
	T_EQ(o.rollout_off, 0);
	done = stage_at("al-dmn2", 2, "COMPLETED");
	T_NEAR(stage_at("al-dmn2", 2, "BAKE_TIME"), done - 180);
	T_NEAR(o.completed_s, done);
	CU_ASSERT(done - o.steady_s >= 180 && done - o.steady_s < 200);
	T_EQ(o.alarm_s, -1);
	live_at_end("al-dmn2", "web:2", &live, &of);
	T_EQ(of, 6);
}

/* DeleteService during a deployment's bake time (the desired count 0
 * first, so the service has no task left when it is deleted): the alarm
 * is evaluated only while a deployment listing it is in progress (choice
 * E138), and a deleted service's is not; its ELB 5XX alarm, breaching
 * from the 503s once the service has no target, has no row after the
 * deletion.  Before the fix DeleteService did not tell the alarms (only a
 * task's STOPPED report did, and none came): the alarm went on, a row of
 * it after the deletion. */
static void test_deleted(void)
{
	struct ao o;
	int n;

	run_checked("al-del", HEAD("al-del", 1200, 10) LB
		    "\"alarms\":[{\"alarmName\":\"5xx\",\"metric\":\"HTTPCode_ELB_5XX_Count\",\"service\":\"w\","
		    "\"targetGroup\":\"tg\",\"evaluationPeriods\":2,\"datapointsToAlarm\":2,\"threshold\":10,"
		    "\"comparisonOperator\":\"GreaterThanThreshold\"}],"
		    "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":4,"
		    "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}],"
		    "\"deploymentConfiguration\":{\"alarms\":{\"alarmNames\":[\"5xx\"],\"enable\":true,\"rollback\":true}}}],"
		    TAIL("al-del"), TRACE_HDR "300,deploy,w,cool,,,\n310,set_desired,w,,0,,\n360,delete_service,w,,,,\n",
		    &o, 1);
	n = rs_rows("al-del", "alarms.csv");
	CU_ASSERT(n >= 1);
	for (int r = 1; r <= n; r++)
		CU_ASSERT(rs_num("al-del", "alarms.csv", r, "time_s") <= 360);
	T_EQ(stage_rows("al-del", "FAILED"), 0);
}

/* treatMissingData `breaching` at the start of an evaluation: ecsim
 * evaluates an alarm only while a deployment needs it (choice E138), where
 * CloudWatch evaluates it all the time; the periods before the evaluation
 * started are outside its range (choice E141), not missing datapoints that
 * breach.  A good revision (30 % CPU, threshold 80, 2 of 3) deployed to a
 * service whose every datapoint is good: no ALARM, nothing FAILED (the
 * CreateService deployment neither), both deployments COMPLETED.  Before
 * the fix the two periods before the first datapoint counted as breaching:
 * ALARM at each evaluation's first datapoint, both deployments FAILED. */
static void test_breaching_start(void)
{
	struct ao o;

	run_checked("al-brs", HEAD("al-brs", 1200, 10)
		    "\"alarms\":[{\"alarmName\":\"cpu\",\"metric\":\"CPUUtilization\",\"service\":\"w\","
		    "\"evaluationPeriods\":3,\"datapointsToAlarm\":2,\"threshold\":80,"
		    "\"comparisonOperator\":\"GreaterThanThreshold\",\"treatMissingData\":\"breaching\"}],"
		    SVC("{" ALARMS("true") "}") TAIL("al-brs"), TRACE_HDR "300,deploy,w,cool,,,\n", &o, 1);
	T_EQ(o.dp_bad, 0);
	CU_ASSERT(o.dp_checked >= 4);
	CU_ASSERT(o.alarm_s < 0);
	T_EQ(stage_rows("al-brs", "FAILED"), 0);
	CU_ASSERT(stage_at("al-brs", 1, "COMPLETED") > 0);
	CU_ASSERT(stage_at("al-brs", 2, "COMPLETED") > 300);
	/* an evaluation whose datapoints are missing still breaches: 2 of
	 * the first 2 periods (the pure rule: test_m_of_n) */
	{
		struct scn_alarm c = { .eval_periods = 3, .to_alarm = 2, .threshold = 80, .cmp = AC_GT,
				       .missing = AMD_BREACHING };
		double dp[2] = { NAN, NAN };

		T_EQ(alarm_eval_started(&c, dp, 1, AL_INSUFFICIENT), AL_OK);
		T_EQ(alarm_eval_started(&c, dp, 2, AL_OK), AL_ALARM);
	}
}

static CU_TestInfo tests[] = {
	{ "an alarm in ALARM fails a rolling deployment: nothing launched after, rollback to the last COMPLETED",
	  test_rollback },
	{ "FAILED without rollback: nothing launched after the ALARM", test_failed_no_rollback },
	{ "M of N against hand-computed series, each treatMissingData", test_m_of_n },
	{ "bake time: IN_PROGRESS until steady + longest period x N, COMPLETED after", test_bake },
	{ "bake time: a task lost during it, COMPLETED once steady again (E147)", test_bake_needs_steady },
	{ "ALARM before the first RUNNING task does not fail the deployment; after it does", test_before_running },
	{ "breaker and alarm both on: the first to trip", test_first_to_trip },
	{ "LINEAR: an alarm during the shifts rolls traffic back to blue", test_linear },
	{ "a target group's HealthyHostCount and RequestCount datapoints, by hand", test_tg_metrics },
	{ "a DAEMON service's alarms: rollback, and the bake time (E139)", test_daemon },
	{ "a deleted service's deployment: its alarm no longer evaluated (E138)", test_deleted },
	{ "breaching: the periods before an evaluation's start are not missing datapoints (E141)",
	  test_breaching_start },
	{ "bad alarm fields exit 2 at their path", test_bad_fields },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "CloudWatch deployment alarms (§5.6)", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
