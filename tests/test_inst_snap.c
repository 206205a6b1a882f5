/* tests/test_inst_snap.c — the backplane's tasks by instance
 * (bp_inst_slots, backplane_int.h struct inst_snap), checked against a plain
 * pass over the task table at every event of runs where tasks come, go and
 * reuse slots while instances fail, come back, lose their agents and whole
 * AZs go out; and an AZ outage's instances looked up without a pass over
 * the table each (the cost that made an outage instances x table).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"

struct snap_check {
	long events, checked, tasks_seen, bad;
	long first_bad_event;
};

/* The tasks on instance i, as the table says: used, placed (not queued),
 * inst == i; each must be among bp_inst_slots' answer, and every slot
 * there that passes the same test must be one of them (no task twice). */
static void check_one(struct backplane *bp, int32_t i, struct snap_check *c)
{
	size_t n, want = 0, got = 0;
	const uint32_t *on = bp_inst_slots(bp, i, &n);

	for (size_t k = 0; k + 1 < n; k++)
		if (on[k] >= on[k + 1])
			c->bad++;          /* slot order, each once */
	for (size_t k = 0; k < n; k++) {
		const struct task *t = &bp->tasks[on[k]];

		got += t->used && !t->queued && t->inst == i;
	}
	for (size_t k = 0; k < bp->n_tasks; k++) {
		const struct task *t = &bp->tasks[k];
		int found = 0;

		if (!(t->used && !t->queued && t->inst == i))
			continue;
		want++;
		on = bp_inst_slots(bp, i, &n);
		for (size_t j = 0; j < n && !found; j++)
			found = on[j] == k;
		if (!found)
			c->bad++;
	}
	if (got != want)
		c->bad++;
	c->tasks_seen += (long)want;
}

static void snap_observe(struct backplane *bp, void *ctx)
{
	struct snap_check *c = ctx;
	int32_t ni = cluster_count(bp->cl);
	long before = c->bad;

	c->events++;
	if (ni == 0)
		return;
	/* one instance an event, in turn, and every instance every 97th */
	if (c->events % 97 == 0) {
		for (int32_t i = 0; i < ni; i++)
			check_one(bp, i, c);
		c->checked += ni;
	} else {
		check_one(bp, (int32_t)(c->events % ni), c);
		c->checked++;
	}
	if (c->bad != before && c->first_bad_event == 0)
		c->first_bad_event = c->events;
}

/* 24 instances in 2 AZs failing and coming back every few minutes, agents
 * disconnecting, an AZ outage, a service of 30 and a RunTask stream of
 * short tasks: slots are freed and reused all the time, tasks are placed
 * between and during the losses. */
static void test_snapshot_matches_table(void)
{
	struct snap_check c = { 0 };
	char msg[200];

	rs_write("sn.json", "{\"name\":\"sn\",\"seed\":7,\"durationSeconds\":10800,"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
		 "\"instanceGroups\":["
		 "{\"name\":\"a\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":12,"
		 "\"failures\":{\"timeToFailureSeconds\":{\"exponential\":{\"mean\":900}},"
		 "\"timeToRepairSeconds\":{\"exponential\":{\"mean\":120}}},"
		 "\"agentDisconnects\":{\"interArrivalSeconds\":{\"exponential\":{\"mean\":1500}},"
		 "\"durationSeconds\":{\"exponential\":{\"mean\":90}}}},"
		 "{\"name\":\"b\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":12,"
		 "\"failures\":{\"timeToFailureSeconds\":{\"exponential\":{\"mean\":1200}}}}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":30}],"
		 "\"workload\":{\"traces\":[\"sn.csv\"],\"generators\":[{\"name\":\"g\","
		 "\"interArrivalSeconds\":{\"exponential\":{\"mean\":2}},\"taskDefinitions\":[\"small\"],"
		 "\"runtimeSeconds\":{\"exponential\":{\"mean\":60}}}]}}");
	rs_write("sn.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "3000,az_outage,us-east-1a,,,600,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("sn.json", "sn", NULL, snap_observe, &c), 0);
	snprintf(msg, sizeof msg, "%ld events, %ld checks, %ld task look-ups, %ld wrong (first at event %ld)",
		 c.events, c.checked, c.tasks_seen, c.bad, c.first_bad_event);
	if (c.bad != 0)
		T_FAIL(msg);
	/* the run did what it is for: many events, tasks on the instances */
	CU_ASSERT(c.events > 20000);
	CU_ASSERT(c.tasks_seen > 20000);
	/* instances failed (failures.csv: a row each) */
	CU_ASSERT(rs_rows("sn", "failures.csv") > 10);
}

/* Counts the table passes the snapshot takes while an AZ's instances are
 * lost (struct inst_snap takes): far fewer than the instances. */
struct takes {
	uint64_t at_outage, after;
	int seen;
};

static void takes_observe(struct backplane *bp, void *ctx)
{
	struct takes *c = ctx;
	int64_t now = sim_now(bp->sim);

	if (now < 100000)
		c->at_outage = bp->snap.takes;
	else if (now <= 200000)
		c->after = bp->snap.takes;
}

/* 200 instances in us-east-1a, each running 2 tasks of a service, go out
 * at 100 s: the outage looks up each instance's tasks (their count for
 * failures.csv; their agents' quick paths; the tasks lost at the heartbeat
 * timeout, 60 s on; the service's running tasks there), 800 look-ups.
 * Nothing is placed on those instances meanwhile, so the snapshot of the
 * first look-up serves them all: a pass over the table per look-up (the old
 * cost) would be 800 passes. */
static void test_outage_few_passes(void)
{
	struct takes c = { 0 };
	char msg[120];

	rs_write("ao.json", "{\"name\":\"ao\",\"seed\":1,\"durationSeconds\":400,"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
		 "\"instanceGroups\":["
		 "{\"name\":\"a\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":200},"
		 "{\"name\":\"b\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":200}],"
		 "\"placement\":{\"strategy\":\"az-balanced-spread\"},"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":800}],"
		 "\"workload\":{\"traces\":[\"ao.csv\"]}}");
	rs_write("ao.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "100,az_outage,us-east-1a,,,1000,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("ao.json", "ao", NULL, takes_observe, &c), 0);
	snprintf(msg, sizeof msg, "passes over the table during the outage's first 100 s: %llu",
		 (unsigned long long)(c.after - c.at_outage));
	if (c.after - c.at_outage > 10)
		T_FAIL(msg);
	/* the outage did lose the tasks there: 400 replaced in us-east-1b */
	CU_ASSERT(rs_find("ao", "failures.csv", "az", "us-east-1a") > 0);
}

/* What the snapshot holds while a Spot fleet is interrupted and replaced
 * all day: the instances ever registered keep growing, the tasks do not. */
struct churn {
	struct snap_check sc;
	int32_t max_inst;
	size_t max_cap, max_table;
};

static void churn_observe(struct backplane *bp, void *ctx)
{
	struct churn *c = ctx;
	size_t cap = bp->snap.cap_start > bp->snap.num.cap ? bp->snap.cap_start : bp->snap.num.cap;

	snap_observe(bp, &c->sc);
	if (cluster_count(bp->cl) > c->max_inst)
		c->max_inst = cluster_count(bp->cl);
	if (cap > c->max_cap)
		c->max_cap = cap;
	if (bp->n_tasks > c->max_table)
		c->max_table = bp->n_tasks;
}

/* 6 Spot instances interrupted every 2 minutes on average (with draining)
 * and replaced 10 s later, a service of 6 tasks, for 18 hours: some 1,600
 * instances registered in all, a dozen of tasks at a time.  The snapshot
 * must agree with the table at every event and be sized by the tasks: it
 * was an array over every instance ever registered, built anew after each
 * placement (a month of such a fleet was quadratic in its interruptions). */
static void test_churn_sized_by_tasks(void)
{
	struct churn c = { 0 };
	char msg[200];

	rs_write("ch.json", "{\"name\":\"ch\",\"seed\":5,\"durationSeconds\":64800,"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
		 "\"instanceGroups\":["
		 "{\"name\":\"spot\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":6,"
		 "\"spot\":{\"draining\":true,\"timeToInterruptionSeconds\":{\"exponential\":{\"mean\":120}}},"
		 "\"autoScaling\":{\"replaceFailed\":true,\"replacementDelaySeconds\":10}}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":6}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("ch.json", "ch", NULL, churn_observe, &c), 0);
	snprintf(msg, sizeof msg, "%d instances, table %zu slots, snapshot capacity up to %zu; %ld wrong (first at event %ld)",
		 c.max_inst, c.max_table, c.max_cap, c.sc.bad, c.sc.first_bad_event);
	if (c.sc.bad != 0)
		T_FAIL(msg);
	/* the run did churn: many instances, the snapshot consulted */
	CU_ASSERT(c.max_inst > 1200);
	CU_ASSERT(c.sc.tasks_seen > 1000);
	/* sized by the table (the hash: 2 x its slots, rounded up to a
	 * power of two; the instances' own numbers only while they are at
	 * most 4 x the slots + 64, doubled as arrays grow): not by the
	 * instances */
	if (c.max_cap > 8 * c.max_table + 160 || c.max_cap * 10 > (size_t)c.max_inst)
		T_FAIL(msg);
}

static CU_TestInfo snap_tests[] = {
	{ "an instance's tasks agree with the table at every event", test_snapshot_matches_table },
	{ "an AZ outage looks up its instances without a pass each", test_outage_few_passes },
	{ "a Spot fleet's churn: sized by the tasks, not the instances", test_churn_sized_by_tasks },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "tasks by instance", rs_setup_small, rs_teardown, NULL, NULL, snap_tests },
	CU_SUITE_INFO_NULL,
};
