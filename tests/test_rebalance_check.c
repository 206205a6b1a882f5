/* tests/test_rebalance_check.c — AZ rebalancing's check interval
 * (docs/ecs-model.md §5.9, §10.2, choices E4 and E118): a service with AZ
 * rebalancing checks its AZs for imbalance every
 * `controlPlane.rebalanceCheckSeconds` (default 60 s) from its creation,
 * not at the scheduler's passes.  An imbalance is noticed at the first
 * check after it appears (so within the interval), never before it (not at
 * the pass an instance's arrival gives the service), and each rebalancing
 * step (one task started in the least loaded AZ) starts at a check.
 *
 * A service with a task on a DRAINING instance takes no rebalancing step
 * (§5.9, §5.15, choice E118): monitoring starts at steady state, and a
 * service with a task on a DRAINING instance is not steady (§5.2), even
 * once that task is only stopping; the step waits for the first check after
 * the drained tasks have stopped.
 *
 * The scenario: 3 AZs, two m5.large in us-east-1a and two in us-east-1b,
 * none in us-east-1c; six tasks of a service with no strategy (AZ spread,
 * rebalancing ENABLED by default), 3/3/0.  At 305 s an instance registers
 * in us-east-1c: once it is ACTIVE the AZs hold 3/3/0, imbalanced (max −
 * min > 1).  The imbalance is computed after every event from the rule
 * (E4: the AZs with an ACTIVE connected instance, the service's live tasks
 * in each). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/svcobs.h"
#include "helpers/tutil.h"
#include "models/backplane.h"
#include "models/backplane_int.h"
#include "models/cluster.h"
#include "models/service_int.h"

/* A scenario: its controlPlane members after the fixed latencies `extra`
 * ("" or ",\"...\":..."), the agent's after its latencies `agent`, the
 * instance groups `groups`, the trace file `trace`. */
#define SCN_OF(name, dur, extra, agent, groups, trace) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," \
	"\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatTimeoutSeconds\":60," \
	"\"heartbeatJitterSeconds\":0" extra "}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2," agent "}," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"]," \
	"\"instanceGroups\":[" groups "]," \
	"\"taskDefinitions\":{\"app\":\"rc-app.json\"}," \
	"\"placement\":{\"tieBreak\":\"first\"}," \
	"\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"app\",\"desiredCount\":6}]," \
	"\"workload\":{\"traces\":[\"" trace "\"]}}"
/* two m5.large in us-east-1a and two in us-east-1b */
#define GROUPS_AB "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}," \
	"{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":2}"
/* each task 200 s stopping */
#define SLOW_STOP "\"shutdownSeconds\":200,\"stopTimeoutSeconds\":300"

#define SCN(name, extra) SCN_OF(name, 900, extra, "\"shutdownSeconds\":3", GROUPS_AB, "rc.csv")

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("rc-app.json",
		 "{\"family\":\"app\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":256,\"memory\":512}]}");
	rs_write("rc.csv", "time_s,event,target,taskdef,count,duration_s,group\n305,register_instance,m5.large,,1,,us-east-1c\n");
	return 0;
}

/* After every event: when the imbalance (E4) first appears, and the launch
 * times of the service's tasks started after it. */
struct rc_obs {
	double appear;             /* -1 until imbalanced */
	double launch[16];
	int n_launch;
	uint64_t last_no;          /* the highest task number seen */
	double created;            /* the service's creation, -1 before */
};

static void rc_observe(struct backplane *bp, void *ctx)
{
	struct rc_obs *o = ctx;
	struct svc *v;
	const struct scenario *s = backplane_scenario(bp);
	int64_t count[8] = { 0 }, lo = -1, hi = -1;
	int usable[8] = { 0 };
	double now = (double)sim_now(bp->sim) / 1000.0;

	if (!(v = so_service(bp)))
		return;
	if (o->created < 0)
		o->created = now;
	for (int32_t i = 0; i < cluster_count(backplane_cluster(bp)); i++)
		if (cluster_status(backplane_cluster(bp), i) == INST_ACTIVE && cluster_agent_connected(backplane_cluster(bp), i))
			for (int a = 0; a < s->n_azs; a++)
				usable[a] |= strcmp(s->azs[a], cluster_az(backplane_cluster(bp), i)) == 0;
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = &bp->tasks[v->tasks[k]];
		const char *az = bp_task_az(bp, t);

		if (t->desired != TD_RUNNING)
			continue;
		if (t->no > o->last_no) {
			if (o->appear >= 0 && o->n_launch < 16)
				o->launch[o->n_launch++] = now;
			o->last_no = t->no;
		}
		for (int a = 0; az && a < s->n_azs; a++)
			count[a] += strcmp(s->azs[a], az) == 0;
	}
	for (int a = 0; a < s->n_azs; a++) {
		if (!usable[a])
			continue;
		if (lo < 0 || count[a] < count[lo])
			lo = a;
		if (hi < 0 || count[a] > count[hi])
			hi = a;
	}
	if (o->appear < 0 && lo >= 0 && count[hi] - count[lo] > 1)
		o->appear = now;
}

/* The service ends 2/2/2: its tasks in tasks.csv of `tag` not stopped,
 * per AZ. */
static void ends_2_2_2(const char *tag)
{
	int per[3];

	rs_live_per_az(tag, per, 3);
	T_EQ(per[0], 2);
	T_EQ(per[1], 2);
	T_EQ(per[2], 2);
}

/* Run rc-<tag>.json with `extra` controlPlane members; the check period
 * `period` s: the imbalance is noticed at the first check after it appears
 * (within the period, not before that check), each later step at a check
 * too, and the service ends 2/2/2. */
static void run_period(const char *tag, const char *scn, double period)
{
	struct rc_obs o = { .appear = -1, .created = -1 };
	char file[64];
	double first_check;

	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scn);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, rc_observe, &o), 0);
	/* the premise: imbalanced once the instance is ACTIVE, after 305 s */
	CU_ASSERT_FATAL(o.appear >= 305);
	CU_ASSERT_FATAL(o.n_launch >= 1);
	/* the first check after the imbalance appeared */
	first_check = o.created + ceil((o.appear - o.created) / period - 1e-9) * period;
	T_NEAR(o.launch[0], first_check);
	CU_ASSERT(o.launch[0] - o.appear <= period + 1e-6);
	/* not at the pass the new instance gave the service (10 s after it) */
	CU_ASSERT(o.launch[0] > o.appear + 10 + 1e-6);
	/* each step starts at a check */
	for (int k = 0; k < o.n_launch; k++) {
		double m = fmod(o.launch[k] - o.created + 1e-7, period);

		CU_ASSERT(m < 1e-5);
	}
	T_EQ(o.n_launch, 2);       /* 3/3/0 → 3/2/1 → 2/2/2 */
	ends_2_2_2(tag);
}

static void test_default_period(void)
{
	run_period("rc-60", SCN("rc-60", ""), 60);
}

static void test_own_period(void)
{
	run_period("rc-25", SCN("rc-25", ",\"rebalanceCheckSeconds\":25"), 25);
}

/* A bad value: exit 2 naming the file, the JSON path and the reason. */
static void test_bad_value(void)
{
	char msg[1024];

	rs_write("rc-bad.json", SCN("rc-bad", ",\"rebalanceCheckSeconds\":0"));
	T_EQ(rs_run_msg("rc-bad.json", "rc-bad", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "rc-bad.json") && strstr(msg, "$.controlPlane.rebalanceCheckSeconds"));
	rs_write("rc-bad2.json", SCN("rc-bad2", ",\"rebalanceCheckSeconds\":\"60\""));
	T_EQ(rs_run_msg("rc-bad2.json", "rc-bad2", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "$.controlPlane.rebalanceCheckSeconds") != NULL);
}

/* Three AZs with two m5.large each, six tasks 2/2/2 one per instance; at
 * 300 s ci-00005 (us-east-1c) is drained.  Its task's replacement is
 * started first (minimumHealthyPercent 100) and goes to us-east-1a (the
 * drained task still counts in us-east-1c for placement), then the drained
 * task is stopped, and takes 200 s to stop (shutdownSeconds): the live
 * tasks are 3/2/1 while it stops, imbalanced, with ci-00006 ACTIVE in
 * us-east-1c.  No step while it is on the DRAINING instance; the first
 * check after it has stopped takes one (3/2/1 → 2/2/2). */
#define SCN_DRAIN(name) SCN_OF(name, 1200, "", SLOW_STOP, GROUPS_AB "," \
	"{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1c\",\"count\":2}", "rc-drain.csv")

/* After every event: the rebalancing steps started (the service's
 * rebalancing task on its way, from none), those started while a task of
 * the service not yet seen STOPPED was on a DRAINING instance, and when the
 * last such task was seen; and the scheduler's stops of a task not on a
 * DRAINING instance while one is. */
struct rd_obs {
	int prev_rebalancing;
	int steps, steps_draining;
	double step_at;            /* the first step's instant */
	int stops_draining;        /* scheduler stops off a DRAINING instance while one is on it */
	int step_at_drain;         /* the step under way at the first event with a task on a DRAINING instance */
	int drained_seen;
	double drained_until;      /* the last event with a task on a DRAINING instance */
	double step_after;         /* the first step after that */
	double created;
	struct so_prev prev;       /* the tasks at the previous event */
};

static void rd_observe(struct backplane *bp, void *ctx)
{
	struct rd_obs *o = ctx;
	struct svc *v;
	int on_draining;
	double now = (double)sim_now(bp->sim) / 1000.0;

	if (!(v = so_service(bp)))
		return;
	if (o->created < 0)
		o->created = now;
	on_draining = so_n_on_draining(bp, v) > 0;
	if (on_draining) {
		if (!o->drained_seen++)
			o->step_at_drain = v->rebalancing;
		o->drained_until = now;
	}
	if (v->rebalancing && !o->prev_rebalancing) {
		if (o->steps++ == 0)
			o->step_at = now;
		o->steps_draining += on_draining;
		if (o->drained_seen && !on_draining && o->step_after < 0)
			o->step_after = now;
	}
	o->prev_rebalancing = v->rebalancing;
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = &bp->tasks[v->tasks[k]];

		if (so_sched_stop(so_was(&o->prev, v->tasks[k], t), t) && on_draining && !so_on_draining(bp, t))
			o->stops_draining++;
	}
	so_record(&o->prev, bp, v);
}

static void test_not_while_draining(void)
{
	struct rd_obs o = { .created = -1, .step_at = -1, .drained_until = -1, .step_after = -1 };
	double stopped;
	int r;

	rs_write("rc-drain.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "300,drain_instance,ci-00005,,,,\n");
	rs_write("rc-drain.json", SCN_DRAIN("rc-drain"));
	CU_ASSERT_EQUAL_FATAL(rs_run("rc-drain.json", "rc-drain", NULL, rd_observe, &o), 0);
	/* the premise: the drained task stopped by the scheduler, its stop
	 * taking the 200 s, over several checks */
	r = rs_find("rc-drain", "tasks.csv", "instance_id", "ci-00005");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("rc-drain", "tasks.csv", r, "stop_code", STOP_SCHEDULER);
	stopped = rs_num("rc-drain", "tasks.csv", r, "stop_s");
	CU_ASSERT_FATAL(stopped > 500);
	/* no step while a task was on the DRAINING instance */
	T_EQ(o.steps_draining, 0);
	/* one step, at the first check after it was seen STOPPED */
	T_EQ(o.steps, 1);
	CU_ASSERT(o.step_at > o.drained_until);
	T_NEAR(o.step_at, o.created + ceil((o.drained_until - o.created) / 60 + 1e-9) * 60);
	r = rs_find("rc-drain", "service_events.csv", "event_type", "SERVICE_REBALANCING_STARTED");
	CU_ASSERT_FATAL(r > 0);
	CU_ASSERT(rs_num("rc-drain", "service_events.csv", r, "time_s") >= stopped);
	ends_2_2_2("rc-drain");
	so_prev_free(&o.prev);
}

/* A rebalancing step under way when an instance starts DRAINING (§5.9,
 * §5.15, choice E118): the layout of the first tests (3/3/0, us-east-1c's
 * instance registered at 305 s), each task 200 s stopping
 * (shutdownSeconds).  The check at 360 s starts task-7 in us-east-1c
 * (RUNNING 373.75, healthy 413.75: the pass after it would stop one in
 * us-east-1a).  The instance drained meanwhile: the service, with a task on
 * it, is not steady, so no rebalancing stop while one is there (still
 * running, or stopped and still stopping); the drained tasks go within
 * minimumHealthyPercent (the rebalancing task counts as one of the desired
 * count: the step ends, §5.15's replacement done instead), and the first
 * check after they have stopped takes the step the zones then need; the
 * service ends 2/2/2.  After every event: the rebalancing steps started and
 * the scheduler's stops of a task not on a DRAINING instance (the
 * rebalancing's own: nothing else stops one here) while a task of the
 * service not yet seen STOPPED is on a DRAINING instance. */
#define SCN_STEP(name) SCN_OF(name, 1500, "", SLOW_STOP, GROUPS_AB, name ".csv")

/* Run rs-<tag> with `inst` drained at `at` s (the step under way), `n`
 * tasks on it: the rules above, and the service ends 2/2/2. */
static void run_step(const char *tag, const char *scn, const char *inst, double at, int n_on)
{
	struct rd_obs o = { .created = -1, .step_at = -1, .drained_until = -1, .step_after = -1 };
	char file[64], rows[256];
	int n, on = 0;
	double gone = 0;

	snprintf(file, sizeof file, "%s.csv", tag);
	snprintf(rows, sizeof rows, "time_s,event,target,taskdef,count,duration_s,group\n"
		 "305,register_instance,m5.large,,1,,us-east-1c\n%g,drain_instance,%s,,,,\n", at, inst);
	rs_write(file, rows);
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scn);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, rd_observe, &o), 0);
	/* the premise: the step (task-7 in us-east-1c) under way at the
	 * drain, the drained tasks stopped by the scheduler, over checks */
	T_EQ(o.step_at_drain, 1);
	CU_ASSERT(o.drained_seen > 0);
	RS_IS(tag, "tasks.csv", rs_find(tag, "tasks.csv", "task_id", "task-7"), "az", "us-east-1c");
	n = rs_rows(tag, "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *id = rs_cell(tag, "tasks.csv", r, "instance_id");

		if (strcmp(id, inst) == 0) {
			on++;
			RS_IS(tag, "tasks.csv", r, "stop_code", STOP_SCHEDULER);
			if (rs_num(tag, "tasks.csv", r, "stopped_s") > gone)
				gone = rs_num(tag, "tasks.csv", r, "stopped_s");
		}
		free(id);
	}
	T_EQ(on, n_on);
	CU_ASSERT(gone > at + 200);
	CU_ASSERT(o.drained_until < gone && o.drained_until > gone - 60);
	/* no rebalancing step nor stop while a task is on the DRAINING
	 * instance */
	T_EQ(o.steps_draining, 0);
	T_EQ(o.stops_draining, 0);
	/* the step the zones need after the drain, at the first check after
	 * the last drained task has stopped (the checks every 60 s from the
	 * service's creation, at 0.25 s) */
	T_EQ(o.steps, 2);
	T_NEAR(o.step_after, 0.25 + ceil((gone - 0.25) / 60) * 60);
	/* the service ends 2/2/2 */
	ends_2_2_2(tag);
	so_prev_free(&o.prev);
}

/* ci-00001 (us-east-1a: task-1, task-5) drained at 400 s, task-7 not yet
 * healthy: task-8 replaces one of them (in us-east-1c), both stopped
 * within the floor (STOPPED 624.25 and 665); 1/3/2 then: the check at 720
 * starts task-9 in us-east-1a, and task-2 (us-east-1b) goes. */
static void test_step_drain_starting(void)
{
	run_step("rs-start", SCN_STEP("rs-start"), "ci-00001", 400, 2);
}

/* ci-00004 (us-east-1b: task-4) drained at 418 s, task-7 healthy and the
 * pass that would stop one in us-east-1a due at 423.75: that pass stops
 * the drained task-4 instead (7 healthy, one may go), no rebalancing stop;
 * 3/2/1 once task-4 has stopped: the next check starts one in us-east-1c
 * and one in us-east-1a goes. */
static void test_step_drain_due(void)
{
	run_step("rs-due", SCN_STEP("rs-due"), "ci-00004", 418, 1);
}

static CU_TestInfo tests[] = {
	{ "imbalance noticed at the next 60-s check, not at a pass", test_default_period },
	{ "rebalanceCheckSeconds 25: noticed at the next 25-s check", test_own_period },
	{ "rebalanceCheckSeconds 0 or a string: exit 2 with its path", test_bad_value },
	{ "no rebalancing step while a task is on a DRAINING instance", test_not_while_draining },
	{ "a step under way, an instance drained, the rebalancing task starting: no rebalancing stop while a task is on it",
	  test_step_drain_starting },
	{ "a step under way, an instance drained as the step's stop is due: no rebalancing stop while a task is on it",
	  test_step_drain_due },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "AZ rebalancing check interval", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
