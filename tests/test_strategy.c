/* tests/test_strategy.c — which placement strategy each task really gets
 * (the scenario's `placement` as the default for standalone tasks and
 * services, `--strategy` replacing every strategy, DAEMON services taking
 * none) and what summary.csv / service_summary.csv say about it; and the
 * metrics sampling rule: a sample at time t reflects every event at or
 * before t. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/scenario.h"
#include "sim/sim.h"

#define NO_LATENCY "\"controlPlane\":{\"placementLatencySeconds\":0,\"apiLatencySeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0,\"imagePullSeconds\":0,\"imagePullCachedSeconds\":0," \
	"\"containerStartSeconds\":0,\"shutdownSeconds\":0},"

static const char *small_td =
	"{\"family\":\"small\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
	"\"cpu\":256,\"memory\":512}]}";

/* ---- sampling: the state at t includes every event at t ---------------- */

struct order {
	int n;
	char seen[8];
};

static void h_normal(struct sim *s, void *ctx, const struct event *ev)
{
	struct order *o = ctx;

	o->seen[o->n++] = (char)('a' + (int)ev->arg);
	/* an ordinary event scheduled for now, from a handler at t, still runs
	 * before the "last" event of t */
	if (ev->arg == 0)
		sim_at(s, sim_now(s), 0, NULL, 2);
}

static void h_last(struct sim *s, void *ctx, const struct event *ev)
{
	struct order *o = ctx;

	(void)s;
	o->seen[o->n++] = (char)('A' + (int)ev->arg);
}

static void test_engine_last_at_instant(void)
{
	struct sim *s = sim_new();
	struct order o = { 0, { 0 } };
	uint32_t n = sim_on(s, "normal", h_normal, &o);
	uint32_t l = sim_on(s, "last", h_last, &o);

	/* scheduled first, still run after every ordinary event at t = 5 */
	sim_at_last(s, 5, l, NULL, 0);
	sim_at_last(s, 5, l, NULL, 1);
	sim_at(s, 5, n, NULL, 0);
	sim_at(s, 5, n, NULL, 1);
	sim_at(s, 6, n, NULL, 3);
	sim_run(s, SIM_TIME_MAX);
	T_STREQ(o.seen, "abcABd");
	sim_free(s);
}

/* Three instances registered by the trace at t = 0 (none from groups): the
 * first timeseries row, at t = 0, shows all three. */
static void test_first_row_complete(void)
{
	rs_write("small.json", small_td);
	rs_write("t0.json", "{\"name\":\"t0\",\"durationSeconds\":300,\"metricsIntervalSeconds\":100," NO_LATENCY
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"workload\":{\"traces\":[\"t0.csv\"]}}");
	rs_write("t0.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,register_instance,m5.large,,1,,us-east-1a\n"
		 "0,register_instance,m5.large,,1,,us-east-1a\n"
		 "0,register_instance,m5.large,,1,,us-east-1a\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("t0.json", "t0", NULL, NULL, NULL), 0);
	RS_IS("t0", "timeseries.csv", 1, "time_s", "0.000");
	RS_IS("t0", "timeseries.csv", 1, "instances_active", "3");
	RS_IS("t0", "timeseries.csv", 1, "instances_registered", "3");
}

/* Events at exactly a sample time count in that sample: an instance and
 * two tasks at t = 100 (zero latencies, so placed at 100) show in the row of
 * t = 100, not only in the row of t = 200. */
static void test_sample_counts_events_at_t(void)
{
	rs_write("small.json", small_td);
	rs_write("t1.json", "{\"name\":\"t1\",\"durationSeconds\":300,\"metricsIntervalSeconds\":100," NO_LATENCY
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"workload\":{\"traces\":[\"t1.csv\"]}}");
	rs_write("t1.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,a,small,1,,\n"
		 "100,register_instance,m5.large,,2,,us-east-1a\n"
		 "100,run_task,b,small,1,,\n"
		 "100,run_task,c,small,1,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("t1.json", "t1", NULL, NULL, NULL), 0);
	RS_IS("t1", "timeseries.csv", 1, "instances_active", "1");
	RS_IS("t1", "timeseries.csv", 1, "tasks_placed_total", "1");
	RS_IS("t1", "timeseries.csv", 2, "time_s", "100.000");
	RS_IS("t1", "timeseries.csv", 2, "instances_active", "3");
	RS_IS("t1", "timeseries.csv", 2, "tasks_placed_total", "3");
	RS_IS("t1", "timeseries.csv", 2, "tasks_running", "3");
}

static CU_TestInfo sampling_tests[] = {
	{ "engine: last-at-instant events", test_engine_last_at_instant },
	{ "first timeseries row is complete", test_first_row_complete },
	{ "a sample at t counts events at t", test_sample_counts_events_at_t },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "sampling", rs_setup, rs_teardown, NULL, NULL, sampling_tests },
	CU_SUITE_INFO_NULL,
};
