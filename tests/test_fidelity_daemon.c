/* tests/test_fidelity_daemon.c — DAEMON services as ECS runs them
 * (docs/ecs-model.md §4.10, §5.5, §5.15, §2.3), each rule checked after
 * every event of a scenario through the run's observer hook:
 *   - on a DRAINING instance the daemon task is stopped only once every
 *     other (non-daemon) task there has stopped: it serves them;
 *   - a DAEMON's desired count is the ACTIVE instances that satisfy its
 *     constraints (an instance without room or with a silent agent still
 *     counts: the daemon belongs there);
 *   - a DAEMON redeployment keeps ceil(desired × minimumHealthyPercent)
 *     healthy daemon tasks, and never has two tasks on one instance (the
 *     old task stops before the new one starts: maximumPercent 100);
 *   - ten placement constraints of its own leave room for the pin of each
 *     task to its instance;
 *   - a deployment FAILED without rollback stops no more older tasks.
 * The scenarios are tests/data/scenarios/fid-daemon-*. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/daemon_drain.h"
#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/service_int.h"

/* Copy a fixture into the run folder. */
static void fx(const char *name)
{
	CU_ASSERT_FATAL(rs_fixture(name) == 0);
}

static int setup(void)
{
	if (rs_setup())
		return 1;
	return 0;
}

/* ---- 4: daemon tasks on a DRAINING instance are stopped last ----------- */
/* (the observer: tests/helpers/daemon_drain.c) */

/* ci-00001 runs a daemon task, a replica task of `app` and the standalone
 * `batch` (exits at 613.5 s and, having no other container to stop, is STOPPED
 * at once); ci-00004 only a daemon
 * task.  Both are drained at 300 s.  The daemon on ci-00001 may be asked to
 * stop only after both others have stopped; the one on ci-00004 has nothing
 * to wait for. */
static void test_drain_daemon_last(void)
{
	struct drain_check c = { 0 };
	int n, r_batch, daemon1 = 0, daemon4 = 0;
	double last_other_stop = -1;

	fx("fid-daemon-drain.json");
	fx("fid-daemon-drain.csv");
	fx("fid-daemon-td-agent.json");
	fx("fid-daemon-td-app.json");
	CU_ASSERT_EQUAL_FATAL(rs_run("fid-daemon-drain.json", "drain", NULL, drain_observe, &c), 0);
	CU_ASSERT(c.samples > 50);
	if (c.violations)
		fprintf(stderr, "\n  daemon task on DRAINING %s asked to stop at %.3f s while other tasks still run\n",
			c.where, c.when);
	T_EQ(c.violations, 0);
	T_EQ(c.held_off_active, 0);           /* §4.10, choice E133 */
	CU_ASSERT(c.daemon_stops_seen > 0);    /* the check saw the daemon stops */
	/* precondition: batch is on the drained instance */
	r_batch = rs_find("drain", "tasks.csv", "task_id", "batch");
	CU_ASSERT_FATAL(r_batch > 0);
	RS_IS("drain", "tasks.csv", r_batch, "instance_id", "ci-00001");
	n = rs_rows("drain", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *inst = rs_cell("drain", "tasks.csv", r, "instance_id");
		char *svc = rs_cell("drain", "tasks.csv", r, "service");

		if (strcmp(inst, "ci-00001") == 0 && strcmp(svc, "agent") != 0) {
			double s = rs_num("drain", "tasks.csv", r, "stopped_s");

			CU_ASSERT(s > 0);
			if (s > last_other_stop)
				last_other_stop = s;
		}
		free(inst);
		free(svc);
	}
	T_NEAR(last_other_stop, 613.5);
	for (int r = 1; r <= n; r++) {
		char *inst = rs_cell("drain", "tasks.csv", r, "instance_id");
		char *svc = rs_cell("drain", "tasks.csv", r, "service");

		if (strcmp(svc, "agent") == 0 && strcmp(inst, "ci-00001") == 0) {
			double asked = rs_num("drain", "tasks.csv", r, "deactivating_s");

			daemon1++;
			RS_IS("drain", "tasks.csv", r, "stop_code", "ServiceSchedulerInitiated");
			/* after the last other task stopped: its report (0.5 s), the
			 * scheduler's pass (10 s), the stop message (0.5 s) */
			CU_ASSERT(asked >= last_other_stop);
			CU_ASSERT(asked <= last_other_stop + 0.5 + 10 + 0.5 + 1e-6);
		}
		if (strcmp(svc, "agent") == 0 && strcmp(inst, "ci-00004") == 0) {
			double asked = rs_num("drain", "tasks.csv", r, "deactivating_s");

			daemon4++;
			RS_IS("drain", "tasks.csv", r, "stop_code", "ServiceSchedulerInitiated");
			CU_ASSERT(asked >= 300 && asked <= 300 + 0.25 + 10 + 1);
		}
		free(inst);
		free(svc);
	}
	T_EQ(daemon1, 1);      /* not restarted there */
	T_EQ(daemon4, 1);
}

/* ---- 5: a DAEMON's desired count --------------------------------------- */

/* Expected desired count: ACTIVE instances in the constraint's AZ.  Right
 * after a change the scheduler's pass may not have run yet: allow one pass
 * (schedulerDelaySeconds 10 + margin). */
struct desired_check {
	const char *az;
	int64_t expected;
	sim_time_t changed_at;
	int samples, violations;
	int64_t got, want;
	double when;
};

static void desired_observe(struct backplane *bp, void *ctx)
{
	struct desired_check *c = ctx;
	struct svc *v = &svc_sched(bp)->svcs[0];
	sim_time_t now = sim_now(bp->sim);
	int64_t e = 0;

	for (int32_t i = 0; i < cluster_count(bp->cl); i++)
		e += cluster_status(bp->cl, i) == INST_ACTIVE && strcmp(cluster_az(bp->cl, i), c->az) == 0;
	if (c->samples == 0 || e != c->expected) {
		c->expected = e;
		c->changed_at = now;
	}
	c->samples++;
	if (!v->active || now - c->changed_at <= 11000 || now < 1000)
		return;
	if (v->desired != e) {
		if (!c->violations) {
			c->got = v->desired;
			c->want = e;
			c->when = (double)now / 1000.0;
		}
		c->violations++;
	}
}

static void report_desired(const struct desired_check *c)
{
	if (c->violations)
		fprintf(stderr, "\n  daemon desired %lld, want %lld at %.3f s (%d events off)\n",
			(long long)c->got, (long long)c->want, c->when, c->violations);
}

/* Constrained to us-east-1a, 2 of 4 instances: desired 2, running 2, and
 * the service is at full capacity but for its start. */
static void test_desired_follows_constraints(void)
{
	struct desired_check c = { .az = "us-east-1a" };
	int n, bad = 0;

	fx("fid-daemon-constrained.json");
	fx("fid-daemon-td-agent.json");
	CU_ASSERT_EQUAL_FATAL(rs_run("fid-daemon-constrained.json", "cons", NULL, desired_observe, &c), 0);
	report_desired(&c);
	T_EQ(c.violations, 0);
	n = rs_rows("cons", "services.csv");
	CU_ASSERT_FATAL(n > 10);
	for (int r = 2; r <= n; r++) {
		char *d = rs_cell("cons", "services.csv", r, "desired");

		bad += !d || strcmp(d, "2") != 0;
		free(d);
	}
	T_EQ(bad, 0);                 /* every sample after the first (0 s): desired 2 */
	RS_IS("cons", "services.csv", -1, "desired", "2");
	RS_IS("cons", "services.csv", -1, "running", "2");
	/* running from 13.75 s of 1800 s (created at 0.25) */
	CU_ASSERT(rs_num("cons", "service_summary.csv", 1, "availability_pct") > 99);
	CU_ASSERT(rs_num("cons", "service_summary.csv", 1, "full_capacity_pct") > 99);
}

/* Instances join and leave; ci-00005 (us-east-1a) has no CPU left until the
 * hog task stops (≈ 917 s) — the hog is placed before the service is
 * created at 5 s, so there was no room to hold for the daemon (§4.10); ci-00006 joins at 200 s with a silent agent
 * (reconnects at 600 s); ci-00007 joins in us-east-1b; ci-00002 is drained
 * at 1200 s.  Desired counts every ACTIVE us-east-1a instance, with room or
 * not, agent connected or not: 3, then 4, then 3. */
static void test_desired_room_and_agent(void)
{
	struct desired_check c = { .az = "us-east-1a" };
	int r;

	fx("fid-daemon-desired.json");
	fx("fid-daemon-desired.csv");
	fx("fid-daemon-td-agent.json");
	fx("fid-daemon-td-hog.json");
	CU_ASSERT_EQUAL_FATAL(rs_run("fid-daemon-desired.json", "des", NULL, desired_observe, &c), 0);
	report_desired(&c);
	T_EQ(c.violations, 0);
	/* the samples (every 60 s): 3 before 200 s, 4 from 240 s to 1200 s
	 * (ci-00006 counts while its agent is silent and before its daemon
	 * runs), 3 from 1260 s */
	r = rs_find("des", "services.csv", "time_s", "120.000");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("des", "services.csv", r, "desired", "3");
	RS_IS("des", "services.csv", r, "running", "2");       /* ci-00005 has no room */
	r = rs_find("des", "services.csv", "time_s", "480.000");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("des", "services.csv", r, "desired", "4");
	RS_IS("des", "services.csv", r, "running", "2");       /* ci-00006 silent */
	r = rs_find("des", "services.csv", "time_s", "1140.000");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("des", "services.csv", r, "desired", "4");
	RS_IS("des", "services.csv", r, "running", "4");
	RS_IS("des", "services.csv", -1, "desired", "3");
	RS_IS("des", "services.csv", -1, "running", "3");
	/* one daemon task on ci-00005 once the hog left, on ci-00006 after the
	 * reconnection; none in us-east-1b */
	r = rs_find("des", "tasks.csv", "instance_id", "ci-00005");
	CU_ASSERT_FATAL(r > 0);
	CU_ASSERT(rs_find("des", "tasks.csv", "instance_id", "ci-00003") == 0);
	CU_ASSERT(rs_find("des", "tasks.csv", "instance_id", "ci-00004") == 0);
	CU_ASSERT(rs_find("des", "tasks.csv", "instance_id", "ci-00007") == 0);
}

/* ---- 6: a DAEMON redeployment within minimumHealthyPercent ------------- */

/* After every event, once all daemon tasks were healthy: healthy daemon
 * tasks (desired RUNNING, on ACTIVE instances) >= ceil(desired ×
 * minimumHealthyPercent / 100), desired being computed here from the rule
 * (the ACTIVE m5.large instances: the service's constraint); and no
 * instance ever holds two tasks of the service (placed or on their way,
 * not yet STOPPED): maximumPercent 100. */
struct redeploy_check {
	int steady, samples, violations_min, violations_one;
	int64_t min_seen, bound;
	double when;
};

static void redeploy_observe(struct backplane *bp, void *ctx)
{
	struct redeploy_check *c = ctx;
	struct svc *v = &svc_sched(bp)->svcs[0];
	int32_t n = cluster_count(bp->cl);
	int *per = calloc((size_t)n + 1, sizeof *per);
	int64_t healthy = 0, bound, desired = 0;

	if (!v->active || !per) {
		free(per);
		return;
	}
	for (size_t k = 0; k < bp->n_tasks; k++) {
		const struct task *t = &bp->tasks[k];
		int32_t at = t->inst >= 0 ? t->inst : t->pin;

		if (!t->used || t->svc != 0)
			continue;
		/* every task of the service not yet STOPPED, placed or on its way */
		if (at >= 0 && t->state != TS_STOPPED)
			per[at]++;
		if (t->desired == TD_RUNNING && t->healthy && t->inst >= 0 &&
		    cluster_status(bp->cl, t->inst) == INST_ACTIVE)
			healthy++;
	}
	for (int32_t i = 0; i < n; i++) {
		if (per[i] > 1)
			c->violations_one++;
		/* the instances it belongs on: ACTIVE m5.large (its constraint) */
		desired += cluster_status(bp->cl, i) == INST_ACTIVE &&
			   strcmp(cluster_type(bp->cl, i), "m5.large") == 0;
	}
	free(per);
	if (healthy >= desired && desired > 0)
		c->steady = 1;
	if (!c->steady)
		return;
	c->samples++;
	bound = (int64_t)ceil((double)desired * v->cfg->min_healthy_pct / 100.0);
	c->bound = bound;
	if (healthy < c->min_seen || c->min_seen < 0)
		c->min_seen = healthy;
	if (healthy < bound) {
		if (!c->violations_min)
			c->when = (double)sim_now(bp->sim) / 1000.0;
		c->violations_min++;
	}
}

static void check_redeploy(const char *file, const char *tag, int64_t want_min)
{
	struct redeploy_check c = { .min_seen = -1 };
	int n, live = 0;
	char seen[8] = { 0 };

	fx(file);
	fx("fid-daemon-redeploy.csv");
	fx("fid-daemon-td-agent.json");
	fx("fid-daemon-td-agent-v2.json");
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, redeploy_observe, &c), 0);
	if (c.violations_min)
		fprintf(stderr, "\n  %s: healthy daemon tasks below %lld at %.3f s (min seen %lld)\n",
			tag, (long long)c.bound, c.when, (long long)c.min_seen);
	CU_ASSERT(c.samples > 50);
	T_EQ(c.violations_min, 0);
	T_EQ(c.violations_one, 0);
	T_EQ(c.bound, want_min);
	T_EQ(c.min_seen, want_min);         /* the bound is used, not exceeded */
	n = rs_rows(tag, "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *stop = rs_cell(tag, "tasks.csv", r, "stop_s");
		char *inst = rs_cell(tag, "tasks.csv", r, "instance_id");
		char *td = rs_cell(tag, "tasks.csv", r, "taskdef");

		if (stop && !*stop) {
			int k = atoi(inst + 3);

			T_STREQ(td, "agent:2");
			CU_ASSERT(k >= 1 && k <= 4);
			if (k >= 1 && k <= 4) {
				CU_ASSERT(!seen[k]);
				seen[k] = 1;
			}
			live++;
		} else {
			T_STREQ(td, "agent");
			RS_IS(tag, "tasks.csv", r, "stop_code", "ServiceSchedulerInitiated");
		}
		free(stop);
		free(inst);
		free(td);
	}
	T_EQ(live, 4);
	T_EQ(n, 8);
	/* the deployment completes: only the new one is left */
	RS_IS(tag, "services.csv", -1, "deployments", "1");
	RS_IS(tag, "services.csv", -1, "desired", "4");
	RS_IS(tag, "services.csv", -1, "healthy", "4");
}

/* 4 daemon instances (and a c5.large outside the constraint, drained at
 * 305 s to call a pass while the old tasks take 30 s to stop), minimum
 * 50 %: two instances at a time (2 healthy). */
static void test_redeploy_min_50(void)
{
	check_redeploy("fid-daemon-redeploy-50.json", "rd50", 2);
}

/* minimum 75 %: one instance at a time (3 healthy). */
static void test_redeploy_min_75(void)
{
	check_redeploy("fid-daemon-redeploy-75.json", "rd75", 3);
}

/* D11 (docs/ecs-model.md): a DAEMON service may carry ten placement
 * constraints of its own; the scheduler's pin of each task to its
 * instance comes on top of them, so the daemon still runs on every
 * instance (three here). */
static void test_ten_constraints(void)
{
	char buf[4096], cons[1024];
	size_t len = 0;
	int n, running = 0;

	fx("fid-daemon-td-agent.json");
	for (int k = 0; k < 10; k++)
		len += (size_t)snprintf(cons + len, sizeof cons - len,
					"%s{\"type\":\"memberOf\",\"expression\":\"attribute:ecs.instance-type == m5.large\"}",
					k ? "," : "");
	snprintf(buf, sizeof buf,
		 "{\"name\":\"d10\",\"durationSeconds\":600,\"region\":\"us-east-1\","
		 "\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\"}],"
		 "\"taskDefinitions\":{\"agent\":\"fid-daemon-td-agent.json\"},"
		 "\"services\":[{\"serviceName\":\"agent\",\"taskDefinition\":\"agent\",\"schedulingStrategy\":\"DAEMON\","
		 "\"placementConstraints\":[%s]}]}", cons);
	rs_write("d10.json", buf);
	CU_ASSERT_EQUAL_FATAL(rs_run("d10.json", "d10", NULL, NULL, NULL), 0);
	n = rs_rows("d10", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *last = rs_cell("d10", "tasks.csv", r, "last_status");

		running += strcmp(last, "RUNNING") == 0;
		free(last);
	}
	T_EQ(running, 3);
}

/* A DAEMON deployment FAILED without rollback is over (docs/ecs-model.md
 * §5.6, choices E19, E155): it launches nothing, and it stops no more
 * tasks of the older revision on the instances the service belongs on.
 * Ten m5.xlarge, minimumHealthyPercent 80 (8 healthy: two instances at a
 * time), the breaker at COUNT 3 without rollback; task-12 (revision 2 on
 * ci-00002) fails its checks from 350 s and trips the breaker while
 * task-13 and task-14 (ci-00003, ci-00004) are starting.  Checked after
 * every event: from the failure on, the count of live older tasks never
 * falls.  main stopped task-5 (ci-00005) after the failure, when task-13
 * and task-14 turned healthy, and left ci-00005 without a daemon. */
struct dfail_check {
	double failed_at;
	int64_t old_at_fail, old_min;
};

static void dfail_observe(struct backplane *bp, void *ctx)
{
	struct dfail_check *c = ctx;
	struct svc *v = &svc_sched(bp)->svcs[0];
	int64_t old = 0;

	if (!v->active || v->n_deps < 2)
		return;
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = &bp->tasks[v->tasks[k]];

		old += t->desired == TD_RUNNING && t->dep == 0;
	}
	if (c->failed_at < 0) {
		if (v->deps[1].rollout != ROLL_FAILED)
			return;
		c->failed_at = (double)sim_now(bp->sim) / 1000.0;
		c->old_at_fail = c->old_min = old;
	}
	if (old < c->old_min)
		c->old_min = old;
}

static void test_failed_keeps_old(void)
{
	struct dfail_check c = { -1, -1, -1 };
	int r;

	rs_write("fd-hc.json", "{\"family\":\"hc\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		 "\"cpu\":256,\"memory\":512,\"healthCheck\":{\"command\":[\"CMD-SHELL\",\"true\"],"
		 "\"interval\":10,\"timeout\":5,\"retries\":3}}]}");
	rs_write("fd-hc2.json", "{\"family\":\"hc\",\"revision\":2,\"containerDefinitions\":[{\"name\":\"app\","
		 "\"image\":\"x:2\",\"cpu\":256,\"memory\":512,\"healthCheck\":{\"command\":[\"CMD-SHELL\",\"true\"],"
		 "\"interval\":10,\"timeout\":5,\"retries\":3}}]}");
	rs_write("fd-fail.json", "{\"name\":\"fd-fail\",\"durationSeconds\":1200,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25,"
		 "\"schedulerDelaySeconds\":10},"
		 "\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1,"
		 "\"containerStartSeconds\":2,\"shutdownSeconds\":3},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.xlarge\",\"availabilityZone\":\"us-east-1a\",\"count\":10}],"
		 "\"taskDefinitions\":{\"hc\":\"fd-hc.json\",\"hc2\":\"fd-hc2.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"hc\",\"schedulingStrategy\":\"DAEMON\","
		 "\"deploymentConfiguration\":{\"minimumHealthyPercent\":80,\"maximumPercent\":100,"
		 "\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":false,"
		 "\"thresholdConfiguration\":{\"type\":\"COUNT\",\"value\":3}}}}],"
		 "\"workload\":{\"traces\":[\"fd-fail.csv\"]}}");
	rs_write("fd-fail.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "300,deploy,s,hc2,,,\n350,health_check_fail,task-12,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("fd-fail.json", "fd-fail", NULL, dfail_observe, &c), 0);
	/* the premise: FAILED with older tasks left */
	CU_ASSERT_FATAL(c.failed_at > 350);
	CU_ASSERT_FATAL(c.old_at_fail > 0);
	T_EQ(c.old_min, c.old_at_fail);
	r = rs_find("fd-fail", "tasks.csv", "task_id", "task-5");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("fd-fail", "tasks.csv", r, "last_status", "RUNNING");
	RS_IS("fd-fail", "services.csv", -1, "running", "9");
}

static CU_TestInfo daemon_tests[] = {
	{ "draining: daemon stopped after the other tasks", test_drain_daemon_last },
	{ "desired: constrained daemon", test_desired_follows_constraints },
	{ "desired: no room, silent agent, joins, drain", test_desired_room_and_agent },
	{ "redeploy within minimumHealthyPercent 50", test_redeploy_min_50 },
	{ "redeploy within minimumHealthyPercent 75", test_redeploy_min_75 },
	{ "ten constraints of its own, and the pin", test_ten_constraints },
	{ "FAILED without rollback: no more older tasks stopped (E19, E155)", test_failed_keeps_old },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "DAEMON fidelity", setup, rs_teardown, NULL, NULL, daemon_tests },
	CU_SUITE_INFO_NULL,
};
