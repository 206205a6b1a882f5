/* tests/test_queue_walk.c — the walk of the tasks waiting for capacity
 * (scenarios/README.md, "Retry policy"): every release walks the queue in
 * order, a task that does not fit does not block the ones behind it, and a
 * (task definition, group) that failed in a walk is not tried again in it.
 * The walk looks its failed kinds up in a hash set and stops once every
 * kind in the queue has failed (backplane_int.h, struct kind_set and struct
 * kind_tally); these tests hold it to the rule on cases where that could go
 * wrong: kinds failing and fitting in turn, more kinds than the tables'
 * first size, and entries of stopped tasks left behind a kind that never
 * fits.  Zero latencies, so that every instant follows from the rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write_def("fill", 2048, 64);
	rs_write_def("a", 1536, 64);
	rs_write_def("b", 1024, 64);
	rs_write_def("k", 1024, 64);
	rs_write_def("small", 256, 64);
	rs_write_def("huge", 256, 16384);
	return 0;
}

static int teardown(void)
{
	return rs_teardown();
}

/* Scenario `tag` on one host of 2048 CPU units and 8192 MiB, zero
 * latencies, trace tag.csv (written by the caller), the pending timeout
 * `timeout` seconds. */
static void write_scenario(const char *tag, int timeout)
{
	char json[2000], name[64];

	snprintf(json, sizeof json,
		 "{\"name\":\"%s\",\"durationSeconds\":20000,\"metricsIntervalSeconds\":10000,"
		 "\"controlPlane\":{\"placementLatencySeconds\":0,\"apiLatencySeconds\":0},"
		 "\"agent\":{\"networkDelaySeconds\":0,\"imagePullSeconds\":0,\"imagePullCachedSeconds\":0,"
		 "\"containerStartSeconds\":0,\"shutdownSeconds\":0},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceTypes\":[{\"name\":\"q.host\",\"vcpu\":2,\"memoryGiB\":8}],"
		 "\"instanceDefaults\":{\"memoryOsFactor\":1,\"reservedMemoryMiB\":0},"
		 "\"instanceGroups\":[{\"instanceType\":\"q.host\",\"availabilityZone\":\"us-east-1a\",\"count\":1}],"
		 "\"taskDefinitions\":{\"fill\":\"fill.json\",\"a\":\"a.json\",\"b\":\"b.json\",\"k\":\"k.json\","
		 "\"small\":\"small.json\",\"huge\":\"huge.json\"},"
		 "\"pending\":{\"timeoutSeconds\":%d},"
		 "\"placement\":{\"tieBreak\":\"first\",\"strategy\":[{\"type\":\"binpack\",\"field\":\"cpu\"}]},"
		 "\"workload\":{\"traces\":[\"%s.csv\"]}}", tag, timeout, tag);
	snprintf(name, sizeof name, "%s.json", tag);
	rs_write(name, json);
}

/* placed_s of task `id` in out-<tag>/tasks.csv, -1 when never placed or
 * missing. */
static double placed(const char *tag, const char *id)
{
	int r = rs_find(tag, "tasks.csv", "task_id", id);
	char *v = r ? rs_cell(tag, "tasks.csv", r, "placed_s") : NULL;
	double x = v && *v ? strtod(v, NULL) : -1;

	free(v);
	return x;
}

/* The queue's tally of kinds against a count over its entries, at every
 * event: each entry's kind counted, the counts summing to the queue's
 * length, `used` the number of kinds there.  Also the queue's peak length
 * and the peak number of its entries whose task still waits. */
struct tally_check {
	long events, bad;
	size_t peak_len, peak_live;
};

static void tally_observe(struct backplane *bp, void *ctx)
{
	struct tally_check *c = ctx;
	const struct kind_tally *kt = &bp->queue_kinds;
	size_t live = 0, sum = 0, used = 0;

	c->events++;
	for (size_t j = 0; j < kt->cap; j++) {
		if (kt->e[j].n == 0)
			continue;
		used++;
		sum += kt->e[j].n;
		{
			uint32_t n = 0;

			for (size_t i = 0; i < bp->q_len; i++) {
				const struct qent *q = &bp->queue[i];

				n += q->td == kt->e[j].td && q->group == kt->e[j].group && q->cp == kt->e[j].cp;
			}
			if (n != kt->e[j].n)
				c->bad++;
		}
	}
	if (used != kt->used || sum != bp->q_len)
		c->bad++;
	for (size_t i = 0; i < bp->q_len; i++) {
		const struct task *t = bp_task(bp, bp->queue[i].ref);

		live += t && t->queued;
	}
	if (bp->q_len > c->peak_len)
		c->peak_len = bp->q_len;
	if (live > c->peak_live)
		c->peak_live = live;
}

/* A kind that fits and one that does not take turns: the queue's order
 * holds through walks that stop early (each once both kinds failed).
 * One host of 2048 CPU units: "fill" takes all of it until 100 s; a (1536)
 * and b (1024) tasks arrive between, in the order a1 b1 a2 b2 a3 b3, 50 s
 * each.  By the rule: at 100 s a1 (512 left: b1 and a2 fail, the walk
 * ends); at 150 s b1 and b2 (a2 fails between them, a3 skipped, b3
 * fails); at 200 s b1 and b2 end together, each release a walk: the first
 * places b3; at 250 s a2 (a3 fails); at 300 s a3. */
static void test_order_through_early_stops(void)
{
	struct tally_check c = { 0 };
	static const struct {
		const char *id;
		double at;
	} want[] = {
		{ "f", 0 }, { "a1", 100 }, { "b1", 150 }, { "a2", 250 }, { "b2", 150 }, { "a3", 300 }, { "b3", 200 },
	};

	rs_write("ord.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,f,fill,1,100,\n"
		 "1,run_task,a1,a,1,50,\n"
		 "2,run_task,b1,b,1,50,\n"
		 "3,run_task,a2,a,1,50,\n"
		 "4,run_task,b2,b,1,50,\n"
		 "5,run_task,a3,a,1,50,\n"
		 "6,run_task,b3,b,1,50,\n");
	write_scenario("ord", 0);
	CU_ASSERT_EQUAL_FATAL(rs_run("ord.json", "ord", NULL, tally_observe, &c), 0);
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		double got = placed("ord", want[k].id);

		if (got != want[k].at) {
			char msg[120];

			snprintf(msg, sizeof msg, "%s placed at %g s, the rule says %g s", want[k].id, got, want[k].at);
			T_FAIL(msg);
		}
	}
	T_EQ(c.bad, 0);
	T_EQ(c.peak_len, 6);
}

/* 150 tasks of one definition in 150 groups (kinds), more than the hash
 * tables' first size: two run at a time, each 10 s, the rest wait; every
 * release's walk tries the waiting ones in order and places the first that
 * fits, the other kinds failing.  Task k<i> is placed at 10 × (i / 2) s. */
static void test_many_kinds_first_in_first_out(void)
{
	struct tally_check c = { 0 };
	char *csv = malloc(150 * 64 + 100), id[16];
	size_t len = 0;
	int bad = 0;

	len += (size_t)sprintf(csv + len, "time_s,event,target,taskdef,count,duration_s,group\n");
	for (int i = 0; i < 150; i++)
		len += (size_t)sprintf(csv + len, "0,run_task,k%03d,k,1,10,g%03d\n", i, i);
	rs_write("many.csv", csv);
	free(csv);
	write_scenario("many", 0);
	CU_ASSERT_EQUAL_FATAL(rs_run("many.json", "many", NULL, tally_observe, &c), 0);
	for (int i = 0; i < 150; i++) {
		double got;

		snprintf(id, sizeof id, "k%03d", i);
		got = placed("many", id);
		if (got != 10.0 * (i / 2) && bad++ < 5) {
			char msg[120];

			snprintf(msg, sizeof msg, "%s placed at %g s, the rule says %d s", id, got, 10 * (i / 2));
			T_FAIL(msg);
		}
	}
	T_EQ(bad, 0);
	T_EQ(c.bad, 0);
	T_EQ(c.peak_len, 148);
}

/* A task that never fits (16 GiB on an 8 GiB host) waits at the head of
 * the queue for good; behind it 3,000 more of its kind arrive, 3 s apart,
 * each stopped (stop_task) 30 s later, while small tasks come and go (a
 * release, hence a walk, every 10 s).  Each walk fails at the head and
 * every kind in the queue has then failed, so it stops there: the stopped
 * tasks' entries behind it are dropped only by the walks over the whole
 * queue that come once it has doubled.  The queue's length stays within a
 * few times the tasks really waiting (about 11), not the 3,000 that came. */
static void test_stopped_entries_do_not_pile_up(void)
{
	struct tally_check c = { 0 };
	char *csv = malloc(8000 * 48), id[16];
	size_t len = 0;
	char msg[160];

	len += (size_t)sprintf(csv + len, "time_s,event,target,taskdef,count,duration_s,group\n"
			       "0,run_task,h0,huge,1,10,\n");
	/* rows in time order: arrivals at 3 s steps, stops 30 s after,
	 * small tasks at 10 s steps */
	for (int s = 1; s <= 9100; s++) {
		if (s % 3 == 0 && s / 3 <= 3000)
			len += (size_t)sprintf(csv + len, "%d,run_task,h%d,huge,1,10,\n", s, s / 3);
		if (s >= 33 && (s - 30) % 3 == 0 && (s - 30) / 3 <= 3000)
			len += (size_t)sprintf(csv + len, "%d,stop_task,h%d,,,,\n", s, (s - 30) / 3);
		if (s % 10 == 0)
			len += (size_t)sprintf(csv + len, "%d,run_task,,small,1,5,\n", s);
	}
	rs_write("pile.csv", csv);
	free(csv);
	write_scenario("pile", 0);
	CU_ASSERT_EQUAL_FATAL(rs_run("pile.json", "pile", NULL, tally_observe, &c), 0);
	snprintf(msg, sizeof msg, "queue peak %zu entries, %zu of them waiting at most", c.peak_len, c.peak_live);
	if (!(c.peak_live >= 10 && c.peak_live <= 12 && c.peak_len <= 3 * c.peak_live + 64))
		T_FAIL(msg);
	T_EQ(c.bad, 0);
	/* the head never ran; the stopped ones stopped without an instance */
	CU_ASSERT(placed("pile", "h0") < 0);
	snprintf(id, sizeof id, "h%d", 1500);
	CU_ASSERT(placed("pile", id) < 0);
	CU_ASSERT(rs_find("pile", "tasks.csv", "task_id", id) > 0);
}

static CU_TestInfo walk_tests[] = {
	{ "kinds failing and fitting in turn keep the queue's order", test_order_through_early_stops },
	{ "150 kinds wait and are placed first in, first out", test_many_kinds_first_in_first_out },
	{ "stopped tasks' entries do not pile up behind a kind that never fits", test_stopped_entries_do_not_pile_up },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "queue walk", setup, teardown, NULL, NULL, walk_tests },
	CU_SUITE_INFO_NULL,
};
