/* tests/test_faults.c — faults (docs/ecs-model.md §2.4, §5.13, §8): instance
 * failures and their detection, repair and Auto Scaling replacement, AZ
 * outages (a 3-AZ service ends up in the surviving AZs), partial outages,
 * Spot notice timing with and without draining, failure metrics, and the
 * long-run availability of instances under exponential failure and repair
 * against MTBF / (MTBF + MTTR), the agent's reconnect back-off. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/service_int.h"

#define TIMING "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"heartbeatTimeoutSeconds\":60,\"heartbeatJitterSeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3},"

#define HEAD(name, dur) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," TIMING \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"],"

#define NEAR T_NEAR

/* A failed instance's tasks stop (InfrastructureHealth) when the backplane
 * notices, after the heartbeat timeout; a repaired one comes back empty;
 * a gone one (its agent silent) stays registered, ACTIVE and disconnected,
 * and Auto Scaling registers a replacement. */
static void test_instance_fail(void)
{
	int r;

	rs_write("if.json", HEAD("if", 2000)
		 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2,"
		 "\"autoScaling\":{\"replacementDelaySeconds\":300}}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"placement\":{\"tieBreak\":\"first\",\"strategy\":[{\"type\":\"binpack\",\"field\":\"memory\"}]},"
		 "\"workload\":{\"traces\":[\"if.csv\"]}}");
	rs_write("if.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,a,small,1,,\n"
		 "100,instance_fail,ci-00001,,,500,\n"
		 "700,run_task,b,small,1,,\n"
		 "800,instance_fail,ci-00001,,,,\n"
		 "1500,run_task,c,small,1,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("if.json", "if", NULL, NULL, NULL), 0);
	r = rs_find("if", "tasks.csv", "task_id", "a");
	RS_IS("if", "tasks.csv", r, "instance_id", "ci-00001");
	RS_IS("if", "tasks.csv", r, "stop_code", "InfrastructureHealth");
	NEAR(rs_num("if", "tasks.csv", r, "stopped_s"), 160);
	/* back at 600, empty: b binpacks onto it again (first registered) */
	r = rs_find("if", "tasks.csv", "task_id", "b");
	RS_IS("if", "tasks.csv", r, "instance_id", "ci-00001");
	NEAR(rs_num("if", "tasks.csv", r, "stopped_s"), 860);
	/* gone at 800: replacement ci-00003 registered at 1100 */
	r = rs_find("if", "tasks.csv", "task_id", "c");
	CU_ASSERT(rs_num("if", "tasks.csv", r, "placed_s") > 1500);
	T_EQ(rs_rows("if", "failures.csv"), 2);
	RS_IS("if", "failures.csv", 1, "kind", "instance_fail");
	RS_IS("if", "failures.csv", 1, "target", "ci-00001");
	RS_IS("if", "failures.csv", 1, "tasks_affected", "1");
	RS_IS("if", "failures.csv", 1, "duration_s", "500.000");
	RS_IS("if", "failures.csv", 2, "duration_s", "");
	/* 2 instances, one gone and one replacement: the gone one's agent was
	 * silent, so it stays registered, ACTIVE and disconnected
	 * (docs/ecs-model.md §2.4, choice E163): 3 active at the end */
	RS_IS("if", "timeseries.csv", -1, "instances_active", "3");
	RS_IS("if", "timeseries.csv", -1, "instances_registered", "3");
}

/* During an AZ outage a 3-AZ service ends up in the surviving AZs; after
 * recovery each of its tasks runs outside the failed AZ. */
struct az_check {
	int violations, samples;
	int32_t az_a_instances[16];
};

static void az_observe(struct backplane *bp, void *ctx)
{
	struct az_check *c = ctx;
	sim_time_t now = sim_now(bp->sim);
	struct svc *v;
	int64_t live_running = 0;

	/* between recovery (outage 600 + detection 60 + replacement ≤ 60) and the
	 * end of the outage (1800) */
	if (svc_sched(bp)->n_svcs < 1 || now < 800000 || now >= 1800000)
		return;
	v = &svc_sched(bp)->svcs[0];
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = &bp->tasks[v->tasks[k]];

		if (t->desired != TD_RUNNING || t->state != TS_RUNNING)
			continue;
		live_running++;
		if (strcmp(cluster_az(bp->cl, t->inst), "us-east-1a") == 0)
			c->violations++;
	}
	if (live_running != v->desired)
		c->violations++;
	c->samples++;
}

static void test_az_outage(void)
{
	struct az_check c = { 0 };

	rs_write("az.json", HEAD("az", 2400)
		 "\"instanceGroups\":["
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":2},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1c\",\"count\":2}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":6}],"
		 "\"workload\":{\"traces\":[\"az.csv\"]}}");
	rs_write("az.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "600,az_outage,us-east-1a,,,1200,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("az.json", "az", NULL, az_observe, &c), 0);
	CU_ASSERT(c.samples > 0);
	T_EQ(c.violations, 0);
	RS_IS("az", "failures.csv", 1, "kind", "az_outage");
	RS_IS("az", "failures.csv", 1, "target", "us-east-1a");
	RS_IS("az", "failures.csv", 1, "service_tasks_affected", "2");
	/* the default strategy spread 2 tasks per AZ: 2 lost, restored */
	RS_IS("az", "recovery.csv", 1, "service", "s");
	RS_IS("az", "recovery.csv", 1, "lost", "2");
	{
		double restored = rs_num("az", "recovery.csv", 1, "restored_s");

		/* detection 60 + report... scheduler 10 + placement 1 + 0.5 + pull 1 + 2 */
		CU_ASSERT(restored > 60 && restored < 120);
	}
	/* no rebalancing: after the AZ is back the tasks stay where they are (docs/ecs-model.md §8.2) */
	RS_IS("az", "services.csv", -1, "running", "6");
}

/* A partial outage fails that share of the AZ's instances. */
static void test_partial_outage(void)
{
	rs_write("po.json", HEAD("po", 1000)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":4}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":4,"
		 "\"placementConstraints\":[{\"type\":\"distinctInstance\"}]}],"
		 "\"azOutages\":[{\"availabilityZone\":\"us-east-1b\",\"atSeconds\":300,\"durationSeconds\":400,\"fraction\":0.5}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("po.json", "po", NULL, NULL, NULL), 0);
	RS_IS("po", "failures.csv", 1, "tasks_affected", "2");
	RS_IS("po", "recovery.csv", 1, "lost", "2");
	/* distinctInstance: only 2 instances left, so the service waits for the AZ */
	{
		double restored = rs_num("po", "recovery.csv", 1, "restored_s");

		CU_ASSERT(restored >= 400 && restored < 460);
	}
}

/* docs/ecs-model.md §5.13: notice at T, termination at T + 120 s. Without draining the tasks
 * die with the instance (SpotInterruption); with draining the service moves
 * its tasks first (ServiceSchedulerInitiated) and nothing is lost. */
static void test_spot(void)
{
	int r;

	rs_write("sp.json", HEAD("sp", 1200)
		 "\"instanceGroups\":["
		 "{\"name\":\"plain\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1,\"spot\":{}},"
		 "{\"name\":\"drain\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1,\"spot\":{\"draining\":true}},"
		 "{\"name\":\"od\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":4}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"placement\":{\"tieBreak\":\"first\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":4,"
		 "\"placementConstraints\":[{\"type\":\"distinctInstance\"}]}],"
		 "\"workload\":{\"traces\":[\"sp.csv\"]}}");
	rs_write("sp.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "300,spot_interruption,ci-00001,,,,\n"
		 "600,spot_interruption,ci-00002,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("sp.json", "sp", NULL, NULL, NULL), 0);
	r = rs_find("sp", "tasks.csv", "instance_id", "ci-00001");
	RS_IS("sp", "tasks.csv", r, "stop_code", "SpotInterruption");
	NEAR(rs_num("sp", "tasks.csv", r, "stopped_s"), 420);
	r = rs_find("sp", "tasks.csv", "instance_id", "ci-00002");
	RS_IS("sp", "tasks.csv", r, "stop_code", "ServiceSchedulerInitiated");
	CU_ASSERT(rs_num("sp", "tasks.csv", r, "stopped_s") < 720);
	RS_IS("sp", "failures.csv", 1, "kind", "spot_interruption");
	NEAR(rs_num("sp", "failures.csv", 1, "time_s"), 300);
	NEAR(rs_num("sp", "failures.csv", 2, "time_s"), 600);
	/* only the first interruption lost a running task */
	T_EQ(rs_rows("sp", "recovery.csv"), 1);
	RS_IS("sp", "recovery.csv", 1, "fault_id", "1");
}

/* The agent polls the instance metadata for a Spot notice every
 * `spot.pollSeconds` (1 s; docs/ecs-model.md §5.13, choice E204): 100 Spot
 * instances with draining, each noticed at 300 s, are each set DRAINING
 * after T + U(0, poll] (the old code: all at T + the agent's base delay).
 * `base` is when DRAINING is seen with no poll (pollSeconds 0). */
struct drain_seen {
	int64_t at[100];
};

static void drain_observe(struct backplane *bp, void *ctx)
{
	struct drain_seen *c = ctx;

	for (int32_t i = 0; i < 100 && i < cluster_count(bp->cl); i++)
		if (c->at[i] < 0 && cluster_status(bp->cl, i) == INST_DRAINING)
			c->at[i] = sim_now(bp->sim);
}

static void spot_poll_run(const char *tag, const char *poll, struct drain_seen *c)
{
	char buf[2048];

	snprintf(buf, sizeof buf, HEAD("%s", 600)
		 "\"instanceGroups\":[{\"name\":\"sp\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":100,"
		 "\"spot\":{\"draining\":true,\"timeToInterruptionSeconds\":300%s}}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"}}", tag, poll);
	rs_write("poll.json", buf);
	for (int i = 0; i < 100; i++)
		c->at[i] = -1;
	CU_ASSERT_EQUAL_FATAL(rs_run("poll.json", tag, NULL, drain_observe, c), 0);
}

static void test_spot_poll(void)
{
	struct drain_seen c;
	int64_t base, lo = INT64_MAX, hi = -1, sum = 0;
	char msg[256];

	spot_poll_run("poll0", ",\"pollSeconds\":0", &c);
	base = c.at[0];
	CU_ASSERT(base >= 300000 && base <= 301000);
	for (int i = 0; i < 100; i++)
		T_EQ(c.at[i], base);
	/* the default: 1 s; offsets uniform on (0, 1000] ms: mean 500.5, sd
	 * 288.7, the mean of 100 within 500.5 ± 4 × 28.9 */
	spot_poll_run("poll1", "", &c);
	for (int i = 0; i < 100; i++) {
		int64_t d = c.at[i] - base;

		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		sum += d;
	}
	snprintf(msg, sizeof msg, "poll 1 s: offsets %lld..%lld ms, mean %.1f", (long long)lo, (long long)hi,
		 sum / 100.0);
	if (lo < 1 || hi > 1000 || fabs(sum / 100.0 - 500.5) > 4 * 28.9)
		T_FAIL(msg);
	else
		CU_PASS(msg);
	/* pollSeconds 5: within (0, 5000] and spread over it */
	spot_poll_run("poll5", ",\"pollSeconds\":5", &c);
	lo = INT64_MAX;
	hi = -1;
	for (int i = 0; i < 100; i++) {
		int64_t d = c.at[i] - base;

		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	CU_ASSERT(lo >= 1 && hi <= 5000 && hi > 1000);
	/* the termination stays at T + warningSeconds, whatever the poll */
	RS_IS("poll5", "timeseries.csv", -1, "instances_active", "0");
}

/* pollSeconds out of 0..60 is refused with the file and JSON path. */
static void test_spot_poll_refused(void)
{
	static const char *const bad[] = { "-1", "61", "\"1\"" };
	char buf[2048], msg[512];

	for (int k = 0; k < 3; k++) {
		snprintf(buf, sizeof buf, HEAD("pb", 600)
			 "\"instanceGroups\":[{\"name\":\"sp\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1,"
			 "\"spot\":{\"pollSeconds\":%s}}],\"taskDefinitions\":{\"small\":\"small.json\"}}", bad[k]);
		rs_write("pb.json", buf);
		CU_ASSERT_EQUAL(rs_run_msg("pb.json", "pb", msg, sizeof msg), -1);
		CU_ASSERT(strstr(msg, "pb.json") != NULL);
		CU_ASSERT(strstr(msg, "$.instanceGroups[0].spot.pollSeconds") != NULL);
	}
}

/* Long-run availability of an instance under exponential failure (MTBF
 * 1000 s) and repair (MTTR 250 s) is MTBF / (MTBF + MTTR) = 0.8
 * (alternating renewal process).  200 instances × 200,000 s: the standard
 * error of the estimate is well under 0.005. */
static void test_steady_state_availability(void)
{
	int n;
	double down = 0, T = 200000, N = 200, avail;

	rs_write("ss.json", "{\"name\":\"ss\",\"seed\":3,\"durationSeconds\":200000,\"metricsIntervalSeconds\":10000,"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"t3.medium\",\"availabilityZone\":\"us-east-1a\",\"count\":200,"
		 "\"failures\":{\"timeToFailureSeconds\":{\"exponential\":{\"mean\":1000}},"
		 "\"timeToRepairSeconds\":{\"exponential\":{\"mean\":250}}}}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("ss.json", "ss", NULL, NULL, NULL), 0);
	n = rs_rows("ss", "failures.csv");
	CU_ASSERT(n > 25000 && n < 39000);    /* ≈ N·T / 1250 = 32,000 */
	{
		char p[400];
		FILE *f;
		char line[512];

		snprintf(p, sizeof p, "%s/out-ss/failures.csv", rs_dir());
		f = fopen(p, "r");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		if (!fgets(line, sizeof line, f))
			line[0] = 0;
		while (fgets(line, sizeof line, f)) {
			double t = strtod(line, NULL), d;
			char *last = strrchr(line, ','), *dur;

			/* duration_s, the column before requests_failed (the last) */
			if (last)
				*last = '\0';
			dur = strrchr(line, ',');
			d = dur ? strtod(dur + 1, NULL) : 0;
			down += t + d > T ? T - t : d;
		}
		fclose(f);
	}
	avail = 1 - down / (N * T);
	{
		char m[100];

		snprintf(m, sizeof m, "availability %.4f vs 0.8", avail);
		CU_assertImplementation(fabs(avail - 0.8) < 0.01, __LINE__, m, __FILE__, "", CU_FALSE);
	}
}

/* Stochastic AZ outages: a renewal process of outages. */
static void test_stochastic_outages(void)
{
	int n;

	rs_write("so.json", HEAD("so", 100000)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":1}],"
		 "\"azOutages\":[{\"interArrivalSeconds\":{\"exponential\":{\"mean\":900}},\"durationSeconds\":100}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("so.json", "so", NULL, NULL, NULL), 0);
	n = rs_rows("so", "failures.csv");
	/* one outage per 1000 s on average: 100 ± 5σ (σ ≈ 10) */
	CU_ASSERT(n > 50 && n < 150);
	RS_IS("so", "failures.csv", 1, "kind", "az_outage");
	RS_IS("so", "failures.csv", 1, "duration_s", "100.000");
}

/* docs/ecs-model.md §5.9: with AZ rebalancing on, once the AZ is back the service moves
 * tasks until the AZs differ by at most one. */
static void test_az_rebalancing(void)
{
	int n, per_az[3] = { 0 };

	rs_write("rb.json", HEAD("rb", 3600)
		 "\"instanceGroups\":["
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":2},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1c\",\"count\":2}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":6,"
		 "\"availabilityZoneRebalancing\":\"ENABLED\"}],"
		 "\"workload\":{\"traces\":[\"az.csv\"]}}");
	rs_write("az.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "600,az_outage,us-east-1a,,,1200,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("rb.json", "rb", NULL, NULL, NULL), 0);
	n = rs_rows("rb", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *stop = rs_cell("rb", "tasks.csv", r, "stop_s");
		char *az = rs_cell("rb", "tasks.csv", r, "az");

		if (stop && !*stop && az && *az)
			per_az[az[strlen(az) - 1] - 'a']++;
		free(stop);
		free(az);
	}
	T_EQ(per_az[0], 2);
	T_EQ(per_az[1], 2);
	T_EQ(per_az[2], 2);
	RS_IS("rb", "services.csv", -1, "running", "6");
}

/* Stochastic agent disconnects: instances go AGENT-unavailable and come
 * back; tasks keep running through them. */
struct disc_check {
	int seen_down, max_down;
};

static void disc_observe(struct backplane *bp, void *ctx)
{
	struct disc_check *c = ctx;
	int down = 0;

	for (int32_t i = 0; i < cluster_count(bp->cl); i++)
		down += !cluster_agent_connected(bp->cl, i);
	if (down)
		c->seen_down = 1;
	if (down > c->max_down)
		c->max_down = down;
}

static void test_stochastic_disconnects(void)
{
	struct disc_check c = { 0 };

	rs_write("dc.json", HEAD("dc", 20000)
		 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":3,"
		 "\"agentDisconnects\":{\"interArrivalSeconds\":{\"exponential\":{\"mean\":3000}},\"durationSeconds\":300}}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":3}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("dc.json", "dc", NULL, disc_observe, &c), 0);
	CU_ASSERT(c.seen_down);
	/* the service's tasks keep running through disconnects (docs/ecs-model.md §7.4) */
	RS_IS("dc", "service_summary.csv", 1, "tasks_started", "3");
	RS_IS("dc", "services.csv", -1, "running", "3");
}

/* The agent's reconnect back-off (docs/ecs-model.md §7.1, choice E111):
 * after an outage of D its tries come at waits of 0.25 s, × 1.5 each up to
 * 120 s, each plus up to 20 % more; the first try at or after D gets
 * through.  Four agents cut off at 100 s for 90, 400, 1,000 and 3,600 s
 * (each noticed at 160 s, so each return shows as agentConnected going
 * back to 1). */
struct reconn {
	int64_t back_ms[4];
	int was[4];
};

static void reconn_observe(struct backplane *bp, void *ctx)
{
	struct reconn *c = ctx;

	for (int i = 0; i < 4 && i < cluster_count(bp->cl); i++) {
		int up = cluster_agent_connected(bp->cl, i);

		if (up && !c->was[i] && c->back_ms[i] < 0)
			c->back_ms[i] = sim_now(bp->sim);
		c->was[i] = up;
	}
}

/* The schedule without jitter, written from the rule: the sum of the
 * first waits (each whole milliseconds) that reaches d_ms. */
static int64_t plain_schedule(int64_t d_ms)
{
	double w = 250;
	int64_t t = 0;

	while (t < d_ms) {
		t += (int64_t)w;
		w = fmin(w * 1.5, 120000);
	}
	return t;
}

static void reconn_run(const char *tag, const char *agent_extra, struct reconn *c)
{
	char buf[2048];

	snprintf(buf, sizeof buf,
		 "{\"name\":\"%s\",\"durationSeconds\":5000,"
		 "\"controlPlane\":{\"heartbeatTimeoutSeconds\":60,\"heartbeatJitterSeconds\":0},"
		 "\"agent\":{%s},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":4}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"workload\":{\"traces\":[\"rc.csv\"]}}", tag, agent_extra);
	rs_write("rc.json", buf);
	rs_write("rc.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "100,agent_disconnect,ci-00001,,,90,\n"
		 "100,agent_disconnect,ci-00002,,,400,\n"
		 "100,agent_disconnect,ci-00003,,,1000,\n"
		 "100,agent_disconnect,ci-00004,,,3600,\n");
	for (int i = 0; i < 4; i++) {
		c->back_ms[i] = -1;
		c->was[i] = 1;
	}
	CU_ASSERT_EQUAL_FATAL(rs_run("rc.json", tag, NULL, reconn_observe, c), 0);
}

static void test_reconnect_backoff(void)
{
	static const int64_t d_ms[4] = { 90000, 400000, 1000000, 3600000 };
	struct reconn c;
	int jittered = 0;
	char msg[512];

	/* no jitter: exactly the schedule */
	reconn_run("rc0", "\"reconnectJitter\":0", &c);
	for (int i = 0; i < 4; i++)
		T_EQ(c.back_ms[i] - 100000, plain_schedule(d_ms[i]));
	/* the defaults (jitter 20 %): at or after the outage's end, and no
	 * later than the plain schedule's tries each 20 % longer */
	reconn_run("rcd", "", &c);
	for (int i = 0; i < 4; i++) {
		int64_t back = c.back_ms[i] - 100000;

		CU_ASSERT(back >= d_ms[i]);
		CU_ASSERT(back <= plain_schedule(d_ms[i]) * 6 / 5);
		jittered += back != plain_schedule(d_ms[i]);
	}
	CU_ASSERT(jittered >= 3);
	/* an initial wait of 0: back the moment the outage ends */
	reconn_run("rcz", "\"reconnectInitialSeconds\":0", &c);
	for (int i = 0; i < 4; i++)
		T_EQ(c.back_ms[i] - 100000, d_ms[i]);
	/* a cap of 10 s: the last wait of a long outage is at most 12 s */
	reconn_run("rcc", "\"reconnectMaxSeconds\":10", &c);
	CU_ASSERT(c.back_ms[3] - 100000 >= d_ms[3] && c.back_ms[3] - 100000 < d_ms[3] + 12000);
	/* out of range: the file, the JSON path, exit 2 */
	rs_write("rcbad.json", "{\"name\":\"b\",\"durationSeconds\":10,\"agent\":{\"reconnectJitter\":2},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}]}");
	CU_ASSERT(rs_run_msg("rcbad.json", "rcbad", msg, sizeof msg) != 0);
	CU_ASSERT(strstr(msg, "rcbad.json") != NULL);
	CU_ASSERT(strstr(msg, "$.agent.reconnectJitter") != NULL);
}

/* Overlapping agent disconnects (docs/ecs-model.md §7.4, choices D8, E233):
 * the agent is silent over the union of its disconnects, and back at its
 * back-off's first try at or after the later end.  No reconnect jitter,
 * so each return is exactly 100 s + the plain schedule of an 1,100-s
 * outage: ci-00001 is cut off 100-400 s, then 300-1,200 s (the second
 * row extends the first; it came back at ~413 s when the second was
 * dropped); ci-00002 100-1,200 s, then 300-400 s (inside: no change);
 * ci-00003 100-1,200 s in one row (the reference); ci-00004's group draws
 * a disconnect at 100 s for 300 s and a trace row cuts it off 300-1,200 s
 * (the trace extends the stochastic one).  Then, the brief's case with
 * work: rows 100-400 s and 300-1,200 s on ci-00001 of two instances, ten
 * RunTasks at 500 s: nothing is placed on ci-00001 before 1,200 s, the
 * ones that waited go there when it is back. */
static void test_overlapping_disconnects(void)
{
	int64_t back = 100000 + plain_schedule(1100000);
	struct reconn c;
	int on1 = 0, rows;

	rs_write("ov.json", "{\"name\":\"ov\",\"durationSeconds\":5000,"
		 "\"controlPlane\":{\"heartbeatTimeoutSeconds\":60,\"heartbeatJitterSeconds\":0},"
		 "\"agent\":{\"reconnectJitter\":0},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"name\":\"a\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":3},"
		 "{\"name\":\"b\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1,"
		 "\"agentDisconnects\":{\"interArrivalSeconds\":100,\"durationSeconds\":300}}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"workload\":{\"traces\":[\"ov.csv\"]}}");
	rs_write("ov.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "100,agent_disconnect,ci-00001,,,300,\n"
		 "100,agent_disconnect,ci-00002,,,1100,\n"
		 "100,agent_disconnect,ci-00003,,,1100,\n"
		 "300,agent_disconnect,ci-00001,,,900,\n"
		 "300,agent_disconnect,ci-00002,,,100,\n"
		 "300,agent_disconnect,ci-00004,,,900,\n");
	for (int i = 0; i < 4; i++) {
		c.back_ms[i] = -1;
		c.was[i] = 1;
	}
	CU_ASSERT_EQUAL_FATAL(rs_run("ov.json", "ov", NULL, reconn_observe, &c), 0);
	for (int i = 0; i < 4; i++)
		T_EQ(c.back_ms[i], back);

	rs_write("ow.json", "{\"name\":\"ow\",\"durationSeconds\":2000,"
		 "\"controlPlane\":{\"heartbeatTimeoutSeconds\":60,\"heartbeatJitterSeconds\":0},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"workload\":{\"traces\":[\"ow.csv\"]}}");
	rs_write("ow.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "100,agent_disconnect,ci-00001,,,300,\n"
		 "300,agent_disconnect,ci-00001,,,900,\n"
		 "500,run_task,,small,10,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("ow.json", "ow", NULL, NULL, NULL), 0);
	rows = rs_rows("ow", "tasks.csv");
	T_EQ(rows, 10);
	for (int r = 1; r <= rows; r++) {
		char *inst = rs_cell("ow", "tasks.csv", r, "instance_id");

		if (inst && strcmp(inst, "ci-00001") == 0) {
			on1++;
			CU_ASSERT(rs_num("ow", "tasks.csv", r, "placed_s") >= 1200);
		}
		free(inst);
	}
	CU_ASSERT(on1 >= 2);
}

/* service_summary.csv mean_time_to_replace_s pairs a lost task with the
 * next start only while the service is short of tasks.  Desired 3 on three
 * instances; ci-00001 fails for good at 100 s, its task is lost at 160 s
 * (the heartbeat timeout).  Left alone, its replacement runs some 25 s
 * later.  With the desired count lowered to 2 at 162 s nothing replaces
 * it, and a scale-out to 3 at 1,000 s is no replacement: the figure is
 * empty (it read 855 s when the loss waited for any later start). */
static void test_time_to_replace_only_missing(void)
{
	char *v;

	rs_write("tr.json", HEAD("tr", 1500)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":3}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"placement\":{\"tieBreak\":\"first\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":3}],"
		 "\"workload\":{\"traces\":[\"tr.csv\"]}}");
	rs_write("tr.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "100,instance_fail,ci-00001,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("tr.json", "tr0", NULL, NULL, NULL), 0);
	{
		double m = rs_num("tr0", "service_summary.csv", 1, "mean_time_to_replace_s");

		CU_ASSERT(m > 10 && m < 60);
	}
	rs_write("tr.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "100,instance_fail,ci-00001,,,,\n"
		 "162,set_desired,s,,2,,\n"
		 "1000,set_desired,s,,3,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("tr.json", "tr1", NULL, NULL, NULL), 0);
	v = rs_cell("tr1", "service_summary.csv", 1, "mean_time_to_replace_s");
	T_STREQ(v, "");
	free(v);
	RS_IS("tr1", "services.csv", -1, "running", "3");
}

/* A second loss while the first one's replacement is still starting is a
 * loss too: the service is short of a live task, and its own replacement
 * starts after (scenarios/README.md, service_summary.csv).  Desired 2 on
 * ci-00001 and ci-00002 (RUNNING 13.75); ci-00003 joins at 50 s.
 * ci-00001 fails for good at 100 s: its task is lost at 160 s, the pass at
 * 170 s places its replacement on ci-00003 at 171 s (pulled: RUNNING
 * 183.5).  ci-00002 fails at 112 s: its task is lost at 172 s, while the
 * first replacement is placed but not RUNNING, so 1 live task of 2; the
 * pass at 182 s places the second at 183 s (cached: RUNNING 186.5).
 * First lost, first replaced: 183.5 - 160 = 23.5 s and 186.5 - 172 =
 * 14.5 s, mean 19 s, p99 14.5 + 0.99 × 9 = 23.41 s.  ecsim dropped the
 * second loss (it kept no more losses than tasks missing, counting the
 * starting replacement as present): 1 replacement, 23.5 s. */
static void test_time_to_replace_second_loss(void)
{
	rs_write("t2.json", HEAD("t2", 600)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":2}],"
		 "\"workload\":{\"traces\":[\"t2.csv\"]}}");
	rs_write("t2.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "50,register_instance,m5.large,,1,,us-east-1a\n"
		 "100,instance_fail,ci-00001,,,,\n"
		 "112,instance_fail,ci-00002,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("t2.json", "t2", NULL, NULL, NULL), 0);
	/* the instants above */
	RS_IS("t2", "tasks.csv", 1, "stopped_s", "160.000");
	RS_IS("t2", "tasks.csv", 2, "stopped_s", "172.000");
	RS_IS("t2", "tasks.csv", 3, "running_s", "186.500");
	RS_IS("t2", "tasks.csv", 4, "running_s", "183.500");
	RS_IS("t2", "service_summary.csv", 1, "replacements", "2");
	RS_IS("t2", "service_summary.csv", 1, "mean_time_to_replace_s", "19.000");
	RS_IS("t2", "service_summary.csv", 1, "p99_time_to_replace_s", "23.410");
}

/* recovery.csv counts a task lost to a fault only when ECS had not asked
 * it to stop when it noticed the host (scenarios/README.md, recovery.csv):
 * services s and k have a task each on ci-00001 and ci-00002 (RUNNING
 * 13.75).  ci-00001 fails for good at 100 s; s is deleted at 120 s, so its
 * task there is stopped (ServiceSchedulerInitiated) before ECS notices the
 * host at 160 s: the fault affected 2 service tasks, but only k lost one
 * (its replacement RUNNING at 174.5: restored after 74.5 s), and s has no
 * row and no replacement. */
static void test_recovery_stopped_before_noticed(void)
{
	rs_write("rb.json", HEAD("rb", 600)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":2},"
		 "{\"serviceName\":\"k\",\"taskDefinition\":\"small\",\"desiredCount\":2}],"
		 "\"workload\":{\"traces\":[\"rb.csv\"]}}");
	rs_write("rb.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "100,instance_fail,ci-00001,,,,\n"
		 "120,delete_service,s,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("rb.json", "rb", NULL, NULL, NULL), 0);
	RS_IS("rb", "failures.csv", 1, "service_tasks_affected", "2");
	T_EQ(rs_rows("rb", "recovery.csv"), 1);
	RS_IS("rb", "recovery.csv", 1, "service", "k");
	RS_IS("rb", "recovery.csv", 1, "lost", "1");
	RS_IS("rb", "recovery.csv", 1, "restored_s", "74.500");
	RS_IS("rb", "tasks.csv", 2, "stop_code", "ServiceSchedulerInitiated");
	RS_IS("rb", "tasks.csv", 2, "stopped_s", "160.000");
	RS_IS("rb", "service_summary.csv", 1, "service", "s");
	RS_IS("rb", "service_summary.csv", 1, "replacements", "0");
	RS_IS("rb", "service_summary.csv", 2, "replacements", "1");
}

/* summary.csv mean_cpu_reserved_pct is the time-weighted mean of
 * timeseries.csv's cpu_reserved_pct (scenarios/README.md), so an instance
 * that leaves the cluster changes it from that instant even when no task
 * moves.  Two m5.large (2,048 CPU units each), a 1,024-unit task on the
 * On-Demand ci-00001 from 1 s (25 %); the Spot ci-00002, empty, gets its
 * notice at 500 s and is terminated at 620 s (spot.warningSeconds 120):
 * 50 % from then on.  Mean = (25 × 619 + 50 × 380) / 1000 = 34.475 %
 * (memory the same way from the rows' own percentages).  ecsim kept the
 * percentage of the last task change until the next one: 24.975 %. */
static void test_reserved_mean_instance_leaves(void)
{
	double m25, m50;

	rs_write_def("big", 1024, 1024);
	rs_write("rl.json", "{\"name\":\"rl\",\"durationSeconds\":1000,\"metricsIntervalSeconds\":100," TIMING
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1,"
		 "\"spot\":{\"draining\":false}}],"
		 "\"taskDefinitions\":{\"big\":\"big.json\"},\"placement\":{\"tieBreak\":\"first\"},"
		 "\"workload\":{\"traces\":[\"rl.csv\"]}}");
	rs_write("rl.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,,big,1,,\n"
		 "500,spot_interruption,ci-00002,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("rl.json", "rl", NULL, NULL, NULL), 0);
	RS_IS("rl", "tasks.csv", 1, "instance_id", "ci-00001");
	RS_IS("rl", "tasks.csv", 1, "placed_s", "1.000");
	RS_IS("rl", "timeseries.csv", 7, "cpu_reserved_pct", "25.000");      /* 600 s */
	RS_IS("rl", "timeseries.csv", 8, "instances_registered", "1");       /* 700 s */
	RS_IS("rl", "timeseries.csv", 8, "cpu_reserved_pct", "50.000");
	T_NEAR(rs_num("rl", "summary.csv", 1, "mean_cpu_reserved_pct"), 34.475);
	m25 = rs_num("rl", "timeseries.csv", 7, "mem_reserved_pct");
	m50 = rs_num("rl", "timeseries.csv", 8, "mem_reserved_pct");
	CU_ASSERT(fabs(rs_num("rl", "summary.csv", 1, "mean_mem_reserved_pct") -
		       (m25 * 619 + m50 * 380) / 1000) < 0.002);
}

/* failures.csv requests_failed sums the requests.csv traffic rows whose
 * interval overlaps the fault's window; a row's interval starts at the
 * previous row's time_s, so the run's last, shorter interval (300, 330]
 * is not (270, 330] (scenarios/README.md, failures.csv).  Two instances
 * behind an ALB, 20 requests/s of 2 s each: ci-00001 fails from 250 to
 * 275 s (its in-flight requests 502 in (240, 300]), ci-00002 fails at
 * 310 s (502s in (300, 330]).  The first fault's window ends before 300:
 * only the 300 s row counts. */
static void test_requests_failed_last_interval(void)
{
	double f300, f330;

	rs_write("pfw.json", "{\"family\":\"pfw\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		 "\"cpu\":256,\"memory\":512,\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}");
	rs_write("pf.json", "{\"name\":\"pf\",\"durationSeconds\":330,\"metricsIntervalSeconds\":60,"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":1}],"
		 "\"taskDefinitions\":{\"web\":\"pfw.json\"},"
		 "\"loadBalancers\":[{\"name\":\"alb\",\"type\":\"application\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}],"
		 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\",\"targetType\":\"instance\",\"protocol\":\"HTTP\","
		 "\"port\":8080,\"traffic\":{\"mode\":\"perRequest\",\"arrivals\":{\"poisson\":{\"ratePerSecond\":20}},"
		 "\"serviceTimeSeconds\":{\"exponential\":{\"mean\":2}},\"workersPerTask\":50}}],"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"web\",\"desiredCount\":2,"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
		 "\"workload\":{\"traces\":[\"pf.csv\"]}}");
	rs_write("pf.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "250,instance_fail,ci-00001,,,25,\n"
		 "310,instance_fail,ci-00002,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("pf.json", "pf", NULL, NULL, NULL), 0);
	RS_IS("pf", "requests.csv", 5, "time_s", "300.000");
	RS_IS("pf", "requests.csv", 6, "time_s", "330.000");
	f300 = rs_num("pf", "requests.csv", 5, "http_502") + rs_num("pf", "requests.csv", 5, "http_503") +
	       rs_num("pf", "requests.csv", 5, "http_504");
	f330 = rs_num("pf", "requests.csv", 6, "http_502") + rs_num("pf", "requests.csv", 6, "http_503") +
	       rs_num("pf", "requests.csv", 6, "http_504");
	CU_ASSERT(f300 > 0);
	CU_ASSERT(f330 > 0);
	T_NEAR(rs_num("pf", "failures.csv", 1, "requests_failed"), f300);
	T_NEAR(rs_num("pf", "failures.csv", 2, "requests_failed"), f330);
}

/* Trace rows name instances by id (bp_find_instance: a map filled as the
 * look-ups come, an id's first instance kept): an instance registered
 * after a look-up is found too.  3 instances, a failure of the second at
 * 10 s, 2 more registered at 20 s, failures of the fifth at 30 s and of
 * the fourth at 40 s, the first at 50 s: each row's target and fault. */
static void test_instance_rows_by_id(void)
{
	rs_write("fi.json", "{\"name\":\"fi\",\"durationSeconds\":120,"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"workload\":{\"traces\":[\"fi.csv\"]}}");
	rs_write("fi.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,register_instance,m5.large,,3,,us-east-1a\n"
		 "10,instance_fail,ci-00002,,,5,\n"
		 "20,register_instance,m5.large,,2,,us-east-1a\n"
		 "30,instance_fail,ci-00005,,,5,\n"
		 "40,instance_fail,ci-00004,,,5,\n"
		 "50,instance_fail,ci-00001,,,5,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("fi.json", "fi", NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL(rs_rows("fi", "failures.csv"), 4);
	RS_IS("fi", "failures.csv", 1, "target", "ci-00002");
	RS_IS("fi", "failures.csv", 2, "target", "ci-00005");
	RS_IS("fi", "failures.csv", 3, "target", "ci-00004");
	RS_IS("fi", "failures.csv", 4, "target", "ci-00001");
	RS_IS("fi", "failures.csv", 2, "time_s", "30.000");
}

/* service_summary.csv replacements: a lost task counts while the service
 * is short of it, judged when it was lost (scenarios/README.md
 * mean_time_to_replace_s), also when its replacement was launched while
 * the lost task still stopped (its ENI detaching).  A FARGATE_SPOT service
 * of 2 (every task RUNNING by 86.504 s); the trace interrupts one at 200
 * s: STOPPING 200 s, DEPROVISIONING 202 s (shutdownSeconds 2), STOPPED
 * 207 s (eniDetachSeconds 5).  A set_desired at 203 s (the same count)
 * calls a pass at 203.25 s, which launches the replacement while the ENI
 * detaches; it runs at 281.281 s: 1 replacement, 74.281 s.  (Before: at
 * the STOPPED the starting replacement counted as live, the service was
 * not short, the loss was dropped: 0 replacements.) */
static void test_time_to_replace_eni_detaching(void)
{
	int r;

	rs_write("rd-fg.json", "{\"family\":\"fg1\",\"networkMode\":\"awsvpc\","
		 "\"requiresCompatibilities\":[\"FARGATE\"],\"cpu\":\"256\",\"memory\":\"512\","
		 "\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"a\"}]}");
	rs_write("rd.json", "{\"name\":\"rd\",\"durationSeconds\":600,"
		 /* the range of Fargate's provisioning, drawn: the times below */
		 "\"fargate\":{\"provisioningSeconds\":{\"uniform\":{\"min\":30,\"max\":90}}},"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25,"
		 "\"schedulerDelaySeconds\":1,\"heartbeatTimeoutSeconds\":60,\"heartbeatJitterSeconds\":0},"
		 "\"agent\":{\"networkDelaySeconds\":0.05,\"imagePullSeconds\":10,\"shutdownSeconds\":2,"
		 "\"eniDetachSeconds\":5},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"taskDefinitions\":{\"fg1\":\"rd-fg.json\"},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"fg1\",\"desiredCount\":2,"
		 "\"capacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":1}]}],"
		 "\"workload\":{\"traces\":[\"rd.csv\"]}}");
	rs_write("rd.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "200,fargate_spot_interruption,web,,1,,\n203,set_desired,web,,2,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("rd.json", "rd", NULL, NULL, NULL), 0);
	r = rs_find("rd", "tasks.csv", "stop_code", "TerminationNotice");
	RS_IS("rd", "tasks.csv", r, "deprovisioning_s", "202.000");
	RS_IS("rd", "tasks.csv", r, "stopped_s", "207.000");
	r = rs_find("rd", "tasks.csv", "task_id", "task-3");
	RS_IS("rd", "tasks.csv", r, "submit_s", "203.250");
	RS_IS("rd", "tasks.csv", r, "running_s", "281.281");
	RS_IS("rd", "service_summary.csv", 1, "replacements", "1");
	RS_IS("rd", "service_summary.csv", 1, "mean_time_to_replace_s", "74.281");

	/* The same when that replacement then finds no room.  One m5.large
	 * (2048 CPU units), awsvpc tasks of 1024, placementLatencySeconds 10:
	 * service task-1 (runtime 100 s) and standalone s1 fill it, s2 waits
	 * (pending.mode wait).  task-1's run ends at 126.3 s, its ENI detaches
	 * to 131.3 s (STOPPED); the set_desired at 127 s launches task-2 at
	 * 127.25 s, whose placement decision at 137.25 s finds no room (s2
	 * took task-1's at 131.35 s): RESOURCE:CPU.  Once s1 ends, task-3 runs
	 * (460.15 s) and replaces task-1's loss: 4 replacements (task-1, -3,
	 * -4, -5's losses), the longest 328.85 s.  (Before: task-1's loss was
	 * dropped at its STOPPED while task-2 was on its way, and task-2's
	 * failed launch did not bring it back: 3 replacements, 18.1 s each.) */
	rs_write("rn-half.json", "{\"family\":\"half\",\"networkMode\":\"awsvpc\","
		 "\"containerDefinitions\":[{\"name\":\"c\",\"image\":\"x\",\"cpu\":1024,\"memory\":512}]}");
	rs_write("rn.json", "{\"name\":\"rn\",\"durationSeconds\":900,"
		 "\"controlPlane\":{\"placementLatencySeconds\":10,\"apiLatencySeconds\":0.25,"
		 "\"schedulerDelaySeconds\":1,\"heartbeatTimeoutSeconds\":60,\"heartbeatJitterSeconds\":0},"
		 "\"agent\":{\"networkDelaySeconds\":0.05,\"imagePullSeconds\":10,\"shutdownSeconds\":2,"
		 "\"eniAttachSeconds\":5,\"eniDetachSeconds\":5},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"half\":\"rn-half.json\"},\"pending\":{\"mode\":\"wait\"},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"half\",\"desiredCount\":1,"
		 "\"runtimeSeconds\":100}],"
		 "\"workload\":{\"traces\":[\"rn.csv\"]}}");
	rs_write("rn.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "20,run_task,s1,half,1,400,\n30,run_task,s2,half,1,400,\n127,set_desired,web,,1,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("rn.json", "rn", NULL, NULL, NULL), 0);
	RS_IS("rn", "tasks.csv", rs_find("rn", "tasks.csv", "task_id", "task-1"), "stopped_s", "131.300");
	RS_IS("rn", "placement_failures.csv", 2, "task_id", "task-2");
	RS_IS("rn", "placement_failures.csv", 2, "time_s", "137.250");
	RS_IS("rn", "tasks.csv", rs_find("rn", "tasks.csv", "task_id", "task-3"), "running_s", "460.150");
	RS_IS("rn", "service_summary.csv", 1, "replacements", "4");
	RS_IS("rn", "service_summary.csv", 1, "mean_time_to_replace_s", "95.787");
}

static CU_TestInfo fault_tests[] = {
	{ "stochastic agent disconnects", test_stochastic_disconnects },
	{ "AZ rebalancing after recovery", test_az_rebalancing },
	{ "instance failure, repair and replacement", test_instance_fail },
	{ "AZ outage: tasks in the surviving AZs", test_az_outage },
	{ "partial AZ outage", test_partial_outage },
	{ "spot notice and draining", test_spot },
	{ "the agent's Spot notice poll (E204)", test_spot_poll },
	{ "spot.pollSeconds out of range refused", test_spot_poll_refused },
	{ "steady-state availability", test_steady_state_availability },
	{ "stochastic outages", test_stochastic_outages },
	{ "the agent's reconnect back-off", test_reconnect_backoff },
	{ "overlapping agent disconnects: the union", test_overlapping_disconnects },
	{ "time to replace: only tasks the service is short of", test_time_to_replace_only_missing },
	{ "time to replace: a second loss while the first replacement starts", test_time_to_replace_second_loss },
	{ "time to replace: a replacement launched while the ENI detaches, placed or not", test_time_to_replace_eni_detaching },
	{ "recovery: a task stopped before ECS noticed its host is not lost", test_recovery_stopped_before_noticed },
	{ "mean reserved %: an instance leaving changes it at once", test_reserved_mean_instance_leaves },
	{ "requests_failed: the last, shorter interval starts at the previous row", test_requests_failed_last_interval },
	{ "instance rows find instances registered after a look-up", test_instance_rows_by_id },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "faults", rs_setup_small, rs_teardown, NULL, NULL, fault_tests },
	CU_SUITE_INFO_NULL,
};
