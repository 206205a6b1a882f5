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
#include "models/run.h"
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
	/* an ordinary event scheduled for now, from a handler at t, is a
	 * consequence of that event: it runs next (before b, queued earlier)
	 * and still before the "last" events of t */
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
	T_STREQ(o.seen, "acbABd");
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

/* ---- placement strategies of services ---------------------------------- */

/* Two AZs with two m5.large each (2048 CPU units, ~7987 MiB), registered in
 * the order a1, a2, b1, b2; tie-break first so every decision is fixed.
 * `placement` is the scenario's placement members (after "tieBreak"),
 * `services` the services array. */
static const char *tie_break = "first";

static void write_svc_scenario(const char *name, const char *placement, const char *services)
{
	char json[4000];

	rs_write("small.json", small_td);
	snprintf(json, sizeof json,
		 "{\"name\":\"svc\",\"durationSeconds\":200,\"metricsIntervalSeconds\":100," NO_LATENCY
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":2}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"placement\":{\"tieBreak\":\"%s\"%s},"
		 "\"services\":%s}", tie_break, placement, services);
	rs_write(name, json);
}

static const char *svc5 =
	"[{\"serviceName\":\"web\",\"taskDefinition\":\"small\",\"desiredCount\":5}]";

/* Tasks of `service` running on instances of `az` at the end. */
static int on_az(const char *tag, const char *service, const char *az)
{
	int n = 0, rows = rs_rows(tag, "tasks.csv");

	for (int r = 1; r <= rows; r++) {
		char *sv = rs_cell(tag, "tasks.csv", r, "service");
		char *a = rs_cell(tag, "tasks.csv", r, "az");
		char *st = rs_cell(tag, "tasks.csv", r, "last_status");

		n += sv && a && st && !strcmp(sv, service) && !strcmp(a, az) && !strcmp(st, "RUNNING");
		free(sv);
		free(a);
		free(st);
	}
	return n;
}

/* One service of 5 small tasks under each console template given with
 * --strategy.  ECS's placements differ (docs/ecs-model.md §4.5, §4.6):
 *   binpack              all five on the first instance (1 instance);
 *   az-balanced-binpack  spread over the AZs, packed in each: 3 + 2 on 2;
 *   az-balanced-spread   spread over AZs then instances: 4 instances, 5 run;
 *   one-task-per-host    distinctInstance: 4 run, the 5th cannot be placed. */
static void test_templates_apply_to_services(void)
{
	static const struct {
		const char *strategy;
		const char *peak, *started, *failures_zero;
	} want[] = {
		{ "binpack", "1", "5", "1" },
		{ "az-balanced-binpack", "2", "5", "1" },
		{ "az-balanced-spread", "4", "5", "1" },
		{ "one-task-per-host", "4", "4", "0" },
	};

	write_svc_scenario("tpl.json", "", svc5);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		char tag[64], *f;

		snprintf(tag, sizeof tag, "tpl-%s", want[i].strategy);
		CU_ASSERT_EQUAL_FATAL(rs_run("tpl.json", tag, want[i].strategy, NULL, NULL), 0);
		RS_IS(tag, "summary.csv", 1, "strategy", want[i].strategy);
		RS_IS(tag, "summary.csv", 1, "peak_instances_used", want[i].peak);
		RS_IS(tag, "service_summary.csv", 1, "tasks_started", want[i].started);
		RS_IS(tag, "service_summary.csv", 1, "strategy", want[i].strategy);
		f = rs_cell(tag, "summary.csv", 1, "failures_distinct_instance");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(strcmp(f, "0") == 0, want[i].failures_zero[0] == '1');
		free(f);
	}
	/* the AZ balance: binpack keeps to one AZ, the AZ templates split 3/2 */
	T_EQ(on_az("tpl-binpack", "web", "us-east-1a"), 5);
	T_EQ(on_az("tpl-az-balanced-binpack", "web", "us-east-1a"), 3);
	T_EQ(on_az("tpl-az-balanced-binpack", "web", "us-east-1b"), 2);
	T_EQ(on_az("tpl-az-balanced-spread", "web", "us-east-1b"), 2);
}

/* The scenario's placement is the default of a service without its own
 * strategy; a service with its own keeps it; summary.csv says "mixed" and
 * service_summary.csv names each. */
static void test_scenario_placement_default(void)
{
	write_svc_scenario("def.json", ",\"strategy\":\"binpack\"",
		"[{\"serviceName\":\"web\",\"taskDefinition\":\"small\",\"desiredCount\":4},"
		"{\"serviceName\":\"api\",\"taskDefinition\":\"small\",\"desiredCount\":4,"
		"\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"},"
		"{\"type\":\"spread\",\"field\":\"instanceId\"}]}]");
	CU_ASSERT_EQUAL_FATAL(rs_run("def.json", "def", NULL, NULL, NULL), 0);
	/* web binpacks: all four in AZ a; api spreads: two per AZ */
	T_EQ(on_az("def", "web", "us-east-1a"), 4);
	T_EQ(on_az("def", "api", "us-east-1a"), 2);
	T_EQ(on_az("def", "api", "us-east-1b"), 2);
	RS_IS("def", "summary.csv", 1, "strategy", "mixed");
	RS_IS("def", "service_summary.csv", 1, "service", "web");
	RS_IS("def", "service_summary.csv", 1, "strategy", "binpack");
	RS_IS("def", "service_summary.csv", 2, "strategy",
	      "spread(attribute:ecs.availability-zone)+spread(instanceId)");

	/* --strategy replaces every strategy, the service's own included */
	CU_ASSERT_EQUAL_FATAL(rs_run("def.json", "def-cli", "binpack", NULL, NULL), 0);
	T_EQ(on_az("def-cli", "api", "us-east-1a"), 4);
	RS_IS("def-cli", "summary.csv", 1, "strategy", "binpack");
	RS_IS("def-cli", "service_summary.csv", 2, "strategy", "binpack");

	/* a JSON strategy: named by its chain, with no comma (one CSV field) */
	CU_ASSERT_EQUAL_FATAL(rs_run("def.json", "def-json",
		"[{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"},"
		"{\"type\":\"binpack\",\"field\":\"memory\"}]", NULL, NULL), 0);
	RS_IS("def-json", "summary.csv", 1, "strategy",
	      "spread(attribute:ecs.availability-zone)+binpack(memory)");
	T_EQ(on_az("def-json", "web", "us-east-1b"), 2);
	/* blanks before the array change nothing */
	CU_ASSERT_EQUAL_FATAL(rs_run("def.json", "def-json2", " [{\"type\":\"binpack\",\"field\":\"cpu\"}]",
				     NULL, NULL), 0);
	RS_IS("def-json2", "summary.csv", 1, "strategy", "binpack(cpu)");
}

/* Without a scenario strategy a service keeps ECS's service default (spread
 * AZ then instance), not RunTask's random. */
static void test_no_placement_keeps_service_default(void)
{
	write_svc_scenario("nod.json", "", svc5);
	CU_ASSERT_EQUAL_FATAL(rs_run("nod.json", "nod", NULL, NULL, NULL), 0);
	RS_IS("nod", "summary.csv", 1, "strategy", "default");
	RS_IS("nod", "summary.csv", 1, "peak_instances_used", "4");
	T_EQ(on_az("nod", "web", "us-east-1a"), 3);
}

/* The scenario's constraints are the default too: a service without its
 * own placementConstraints keeps to AZ b; one with its own (AZ a) keeps its
 * own. */
static void test_scenario_constraints_default(void)
{
	write_svc_scenario("con.json",
		",\"constraints\":[{\"type\":\"memberOf\",\"expression\":\"attribute:ecs.availability-zone == us-east-1b\"}]",
		"[{\"serviceName\":\"web\",\"taskDefinition\":\"small\",\"desiredCount\":3},"
		"{\"serviceName\":\"api\",\"taskDefinition\":\"small\",\"desiredCount\":3,"
		"\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"attribute:ecs.availability-zone == us-east-1a\"}]}]");
	CU_ASSERT_EQUAL_FATAL(rs_run("con.json", "con", NULL, NULL, NULL), 0);
	T_EQ(on_az("con", "web", "us-east-1b"), 3);
	T_EQ(on_az("con", "api", "us-east-1a"), 3);
	/* --strategy one-task-per-host adds distinctInstance to both, and keeps
	 * each one's constraints: 2 instances per AZ, so 2 tasks each */
	CU_ASSERT_EQUAL_FATAL(rs_run("con.json", "con-1ph", "one-task-per-host", NULL, NULL), 0);
	T_EQ(on_az("con-1ph", "web", "us-east-1b"), 2);
	T_EQ(on_az("con-1ph", "api", "us-east-1a"), 2);
	T_EQ(on_az("con-1ph", "web", "us-east-1a") + on_az("con-1ph", "api", "us-east-1b"), 0);
}

/* A DAEMON service takes no strategy: --strategy applies to the REPLICA
 * service and leaves the DAEMON one alone (one task on every instance);
 * service_summary.csv says "daemon" for it, summary.csv names the REPLICA
 * strategy. */
static void test_daemon_takes_no_strategy(void)
{
	struct err e;
	struct scenario *s;
	char p[400];

	write_svc_scenario("dmn.json", ",\"strategy\":\"az-balanced-spread\"",
		"[{\"serviceName\":\"logs\",\"taskDefinition\":\"small\",\"schedulingStrategy\":\"DAEMON\"},"
		"{\"serviceName\":\"web\",\"taskDefinition\":\"small\",\"desiredCount\":3}]");
	CU_ASSERT_EQUAL_FATAL(rs_run("dmn.json", "dmn", "binpack", NULL, NULL), 0);
	RS_IS("dmn", "summary.csv", 1, "strategy", "binpack");
	RS_IS("dmn", "service_summary.csv", 1, "service", "logs");
	RS_IS("dmn", "service_summary.csv", 1, "strategy", "daemon");
	RS_IS("dmn", "service_summary.csv", 1, "tasks_started", "4");
	RS_IS("dmn", "service_summary.csv", 2, "strategy", "binpack");
	T_EQ(on_az("dmn", "web", "us-east-1a"), 3);
	T_EQ(on_az("dmn", "logs", "us-east-1a") + on_az("dmn", "logs", "us-east-1b"), 4);

	/* a DAEMON service with a strategy of its own is refused at load */
	write_svc_scenario("dmn2.json", "",
		"[{\"serviceName\":\"logs\",\"taskDefinition\":\"small\",\"schedulingStrategy\":\"DAEMON\","
		"\"placementStrategy\":[{\"type\":\"binpack\",\"field\":\"memory\"}]}]");
	snprintf(p, sizeof p, "%s/dmn2.json", rs_dir());
	err_clear(&e);
	s = scenario_load(p, &e);
	CU_ASSERT_PTR_NULL(s);
	scenario_free(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.path, "services[0].placementStrategy"));
}

/* --tie-break reaches services too: with "first" every tie goes to the
 * earliest registered instance, whatever the seed. */
static void test_tie_break_applies_to_services(void)
{
	int first = 0;

	tie_break = "random";
	write_svc_scenario("tb.json", ",\"strategy\":\"binpack\"",
		"[{\"serviceName\":\"web\",\"taskDefinition\":\"small\",\"desiredCount\":1}]");
	tie_break = "first";
	for (int seed = 1; seed <= 8; seed++) {
		char p[400], out[400], *inst;
		struct err e;
		struct scenario *s;
		struct run_opts o;
		struct run_counts rn;

		snprintf(p, sizeof p, "%s/tb.json", rs_dir());
		snprintf(out, sizeof out, "%s/out-tb", rs_dir());
		err_clear(&e);
		s = scenario_load(p, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		/* the file says random; --tie-break first */
		CU_ASSERT_EQUAL(scenario_set_tie_break(s, "first", &e), 0);
		s->seed = (uint64_t)seed;
		o = (struct run_opts){ .out_dir = out, .task_log = 1 };
		CU_ASSERT_EQUAL(run_scenario(s, &o, &rn, &e), RUN_OK);
		scenario_free(s);
		inst = rs_cell("tb", "tasks.csv", 1, "instance_id");
		first += inst && strcmp(inst, "ci-00001") == 0;
		free(inst);
	}
	T_EQ(first, 8);
}

/* A service whose tasks all run on Fargate takes no strategy (no instance
 * to choose among, docs/ecs-model.md §4.11): service_summary.csv says
 * "fargate" for it (a Fargate-only definition, or a strategy of Fargate
 * capacity providers), whatever the scenario's or --strategy's strategy,
 * and summary.csv names the strategy of the tasks on instances, "fargate"
 * when only Fargate services run.  The old code showed the scenario's
 * strategy for them ("default", "binpack"), so summary.csv said "mixed"
 * beside an EC2 service with a strategy of its own. */
static void test_fargate_takes_no_strategy(void)
{
	static const char *head = "{\"name\":\"fgs\",\"durationSeconds\":200,\"metricsIntervalSeconds\":100,"
		NO_LATENCY "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
		"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		"\"taskDefinitions\":{\"small\":\"small.json\",\"fg\":\"fg.json\"},";
	static const char *fg_svcs =
		"{\"serviceName\":\"fg\",\"taskDefinition\":\"fg\",\"desiredCount\":1},"
		"{\"serviceName\":\"cp\",\"taskDefinition\":\"fg\",\"desiredCount\":1,"
		"\"capacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":1}]}";
	char json[3000];

	rs_write("small.json", small_td);
	rs_write("fg.json", "{\"family\":\"fg\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
		 "\"cpu\":\"256\",\"memory\":\"512\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		 "\"essential\":true}]}");
	snprintf(json, sizeof json, "%s\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"small\","
		 "\"desiredCount\":2,\"placementStrategy\":[{\"type\":\"binpack\",\"field\":\"memory\"}]},%s]}",
		 head, fg_svcs);
	rs_write("fgs.json", json);
	CU_ASSERT_EQUAL_FATAL(rs_run("fgs.json", "fgs", NULL, NULL, NULL), 0);
	RS_IS("fgs", "service_summary.csv", 1, "strategy", "binpack(memory)");
	RS_IS("fgs", "service_summary.csv", 2, "service", "fg");
	RS_IS("fgs", "service_summary.csv", 2, "strategy", "fargate");
	RS_IS("fgs", "service_summary.csv", 2, "tasks_fargate", "1");
	RS_IS("fgs", "service_summary.csv", 3, "strategy", "fargate");
	RS_IS("fgs", "service_summary.csv", 3, "tasks_fargate", "1");
	RS_IS("fgs", "summary.csv", 1, "strategy", "binpack(memory)");
	/* --strategy is for the tasks on instances only */
	CU_ASSERT_EQUAL_FATAL(rs_run("fgs.json", "fgs-cli", "binpack", NULL, NULL), 0);
	RS_IS("fgs-cli", "service_summary.csv", 1, "strategy", "binpack");
	RS_IS("fgs-cli", "service_summary.csv", 2, "strategy", "fargate");
	RS_IS("fgs-cli", "service_summary.csv", 3, "strategy", "fargate");
	RS_IS("fgs-cli", "summary.csv", 1, "strategy", "binpack");
	/* only Fargate services: summary.csv says so too */
	snprintf(json, sizeof json, "%s\"placement\":{\"strategy\":\"binpack\"},\"services\":[%s]}", head, fg_svcs);
	rs_write("fgo.json", json);
	CU_ASSERT_EQUAL_FATAL(rs_run("fgo.json", "fgo", NULL, NULL, NULL), 0);
	RS_IS("fgo", "service_summary.csv", 1, "strategy", "fargate");
	RS_IS("fgo", "service_summary.csv", 2, "strategy", "fargate");
	RS_IS("fgo", "summary.csv", 1, "strategy", "fargate");
}

static CU_TestInfo strategy_tests[] = {
	{ "console templates apply to services", test_templates_apply_to_services },
	{ "scenario placement is the services' default", test_scenario_placement_default },
	{ "no placement: ECS's service default", test_no_placement_keeps_service_default },
	{ "scenario constraints are the default", test_scenario_constraints_default },
	{ "DAEMON takes no strategy", test_daemon_takes_no_strategy },
	{ "a Fargate service takes no strategy", test_fargate_takes_no_strategy },
	{ "--tie-break applies to services", test_tie_break_applies_to_services },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo sampling_tests[] = {
	{ "engine: last-at-instant events", test_engine_last_at_instant },
	{ "first timeseries row is complete", test_first_row_complete },
	{ "a sample at t counts events at t", test_sample_counts_events_at_t },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "sampling", rs_setup, rs_teardown, NULL, NULL, sampling_tests },
	{ "strategy", rs_setup, rs_teardown, NULL, NULL, strategy_tests },
	CU_SUITE_INFO_NULL,
};
