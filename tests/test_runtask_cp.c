/* tests/test_runtask_cp.c — a RunTask call's own capacity provider
 * strategy or launch type (docs/ecs-model.md §5.11): trace run_task rows
 * with `capacity_provider_strategy` / `launch_type`, generators with
 * capacityProviderStrategy / launchType, the refusals (a strategy and a
 * launch type together, bad syntax, unknown providers, the strategy rules,
 * a task definition that does not list where the call sends it), and the
 * launch-type counts of summary.csv and service_summary.csv.
 *
 * The rules: a call gives a launchType or a strategy, never both; with
 * neither the cluster default strategy applies; each call's tasks split on
 * their own, the base first, then by weight (weights 1 and 4 → 1 : 4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/capacity/cp_strategy.h"
#include "models/run.h"
#include "models/scenario.h"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("small.json", "{\"family\":\"small\",\"containerDefinitions\":[{\"name\":\"a\","
		 "\"image\":\"x\",\"cpu\":16,\"memory\":32}]}");
	/* EC2 or Fargate (awsvpc, a Fargate size) */
	rs_write("both.json", "{\"family\":\"both\",\"networkMode\":\"awsvpc\","
		 "\"requiresCompatibilities\":[\"EC2\",\"FARGATE\"],\"cpu\":\"256\",\"memory\":\"512\","
		 "\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"essential\":true}]}");
	rs_write("fgonly.json", "{\"family\":\"fgonly\",\"networkMode\":\"awsvpc\","
		 "\"requiresCompatibilities\":[\"FARGATE\"],\"cpu\":\"256\",\"memory\":\"512\","
		 "\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"essential\":true}]}");
	return 0;
}

#define HEAD(dur) "{\"durationSeconds\":" #dur ",\"metricsIntervalSeconds\":60,\"region\":\"us-east-1\"," \
	"\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," \
	"\"taskDefinitions\":{\"small\":\"small.json\",\"both\":\"both.json\",\"fgonly\":\"fgonly.json\"},"

/* Two Auto Scaling group providers (no managed scaling), 2 + 4 large
 * instances: room for every task of the tests. */
#define PROVIDERS "\"capacityProviders\":[" \
	"{\"name\":\"cp-a\",\"autoScalingGroup\":{\"instanceType\":\"m5.4xlarge\"," \
	"\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],\"minSize\":0,\"maxSize\":10," \
	"\"desiredCapacity\":2,\"launchTimeSeconds\":100}}," \
	"{\"name\":\"cp-b\",\"autoScalingGroup\":{\"instanceType\":\"m5.4xlarge\"," \
	"\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],\"minSize\":0,\"maxSize\":10," \
	"\"desiredCapacity\":4,\"launchTimeSeconds\":100}}],"

/* Tasks in out-<tag>/tasks.csv whose column `col` is `want`. */
static int count_col(const char *tag, const char *col, const char *want)
{
	int n = rs_rows(tag, "tasks.csv"), got = 0;

	for (int r = 1; r <= n; r++) {
		char *c = rs_cell(tag, "tasks.csv", r, col);

		got += c && strcmp(c, want) == 0;
		free(c);
	}
	return got;
}

#define CONTAINS(hay, needle) do { const char *h_ = (hay), *n_ = (needle); \
	if (!strstr(h_, n_)) { char m_[1600]; snprintf(m_, sizeof m_, "\"%.700s\" contains \"%.700s\"", h_, n_); \
	T_FAIL(m_); } else CU_PASS(n_); } while (0)

/* ---- a row's own strategy ------------------------------------------------ */

/* 20 run_task rows of 10 tasks, each with capacity_provider_strategy
 * cp-a:2:1;cp-b:0:4 (base 2 on cp-a, then weights 1 : 4), while the
 * cluster default strategy is cp-b alone.  Each call splits on its own:
 * its first 2 tasks on cp-a (the base), the 8 others 1 : 4 as cps_choose
 * gives them (2 : 6: cp-a's share 1/5 of 8 is 1.6, the earlier item takes
 * the tie) — 4 : 6 per call, 80 : 120 in all; were the calls split as one
 * group the base would count once (2 + 40 : 158).  A last row without a
 * strategy follows the default: its 5 tasks all on cp-b. */
static void test_row_strategy_split(void)
{
	char buf[4096];
	char *trace = malloc(21 * 80 + 200);
	size_t len = 0;
	struct cp_strategy st = { 2, { { 0, 2, 1 }, { 1, 0, 4 } } };
	int counts[2] = { 0, 0 }, order[10];
	const char *names[2] = { "cp-a", "cp-b" };

	snprintf(buf, sizeof buf, HEAD(600) PROVIDERS
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp-b\",\"weight\":1}],"
		 "\"workload\":{\"traces\":[\"own.csv\"]}}");
	rs_write("own.json", buf);
	len += (size_t)sprintf(trace + len, "time_s,event,taskdef,count,duration_s,capacity_provider_strategy\n");
	for (int k = 0; k < 20; k++)
		len += (size_t)sprintf(trace + len, "%d,run_task,small,10,30,cp-a:2:1;cp-b:0:4\n", k + 1);
	len += (size_t)sprintf(trace + len, "30,run_task,small,5,30,\n");
	rs_write("own.csv", trace);
	free(trace);
	T_EQ(rs_run("own.json", "own", NULL, NULL, NULL), 0);
	/* the oracle: cps_choose over one call of 10 */
	for (int k = 0; k < 10; k++) {
		order[k] = cps_choose(&st, counts, NULL);
		counts[order[k]]++;
	}
	T_EQ(counts[0], 4);
	T_EQ(counts[1], 6);
	T_EQ(order[0], 0);
	T_EQ(order[1], 0);
	T_EQ(count_col("own", "capacity_provider", "cp-a"), 20 * counts[0]);
	T_EQ(count_col("own", "capacity_provider", "cp-b"), 20 * counts[1] + 5);
	/* every call in the order cps gives: task-(10c+k) is the call's k-th */
	for (int c = 0; c < 20; c += 19)
		for (int k = 0; k < 10; k++) {
			char id[32];
			int r;

			snprintf(id, sizeof id, "task-%d", 10 * c + k + 1);
			r = rs_find("own", "tasks.csv", "task_id", id);
			CU_ASSERT_FATAL(r > 0);
			RS_IS("own", "tasks.csv", r, "capacity_provider", names[order[k]]);
		}
	for (int k = 201; k <= 205; k++) {
		char id[32];
		int r;

		snprintf(id, sizeof id, "task-%d", k);
		r = rs_find("own", "tasks.csv", "task_id", id);
		CU_ASSERT_FATAL(r > 0);
		RS_IS("own", "tasks.csv", r, "capacity_provider", "cp-b");
	}
}

/* launch_type FARGATE runs the row's tasks on Fargate (no instance, no
 * capacity provider) even though the task definition also lists EC2 and
 * instances have room; launch_type EC2 keeps a row off the cluster's
 * default strategy (FARGATE_SPOT): its task is on an instance. */
static void test_row_launch_type(void)
{
	char buf[4096];

	snprintf(buf, sizeof buf, HEAD(300)
		 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"count\":2,"
		 "\"availabilityZone\":\"us-east-1a\"}],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":1}],"
		 "\"workload\":{\"traces\":[\"lt.csv\"]}}");
	rs_write("lt.json", buf);
	rs_write("lt.csv", "time_s,event,target,taskdef,count,duration_s,launch_type\n"
		 "1,run_task,fg1,both,1,30,FARGATE\n"
		 "2,run_task,ec1,both,1,30,EC2\n"
		 "3,run_task,dflt,both,1,30,\n");
	T_EQ(rs_run("lt.json", "lt", NULL, NULL, NULL), 0);
	{
		int r = rs_find("lt", "tasks.csv", "task_id", "fg1");

		CU_ASSERT_FATAL(r > 0);
		RS_IS("lt", "tasks.csv", r, "launch_type", "FARGATE");
		RS_IS("lt", "tasks.csv", r, "instance_id", "");
		RS_IS("lt", "tasks.csv", r, "capacity_provider", "");
		RS_IS("lt", "tasks.csv", r, "last_status", "STOPPED");
		r = rs_find("lt", "tasks.csv", "task_id", "ec1");
		CU_ASSERT_FATAL(r > 0);
		RS_IS("lt", "tasks.csv", r, "launch_type", "EC2");
		RS_IS("lt", "tasks.csv", r, "capacity_provider", "");
		{
			char *i = rs_cell("lt", "tasks.csv", r, "instance_id");

			CU_ASSERT(i && strncmp(i, "ci-", 3) == 0);
			free(i);
		}
		r = rs_find("lt", "tasks.csv", "task_id", "dflt");
		CU_ASSERT_FATAL(r > 0);
		RS_IS("lt", "tasks.csv", r, "capacity_provider", "FARGATE_SPOT");
		RS_IS("lt", "tasks.csv", r, "launch_type", "FARGATE");
	}
}

/* A generator's own strategy splits each of its calls as a row's does:
 * 5 calls of 10 with FARGATE base 2 weight 1 + FARGATE_SPOT weight 4 give
 * 4 : 6 each (20 : 30); a generator with launchType FARGATE puts its 4
 * tasks on Fargate with no provider. */
static void test_generator_strategy(void)
{
	char buf[4096];

	snprintf(buf, sizeof buf, HEAD(300)
		 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"count\":2,"
		 "\"availabilityZone\":\"us-east-1a\"}],"
		 "\"workload\":{\"generators\":["
		 "{\"name\":\"a\",\"count\":10,\"maxTasks\":50,\"interArrivalSeconds\":{\"constant\":{\"value\":10}},"
		 "\"runtimeSeconds\":{\"constant\":{\"value\":20}},\"taskDefinitions\":[\"both\"],"
		 "\"capacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE\",\"base\":2,\"weight\":1},"
		 "{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":4}]},"
		 "{\"name\":\"b\",\"count\":2,\"maxTasks\":4,\"interArrivalSeconds\":{\"constant\":{\"value\":10}},"
		 "\"runtimeSeconds\":{\"constant\":{\"value\":20}},\"taskDefinitions\":[\"both\"],"
		 "\"launchType\":\"FARGATE\"}]}}");
	rs_write("gen.json", buf);
	T_EQ(rs_run("gen.json", "gen", NULL, NULL, NULL), 0);
	T_EQ(count_col("gen", "capacity_provider", "FARGATE"), 20);
	T_EQ(count_col("gen", "capacity_provider", "FARGATE_SPOT"), 30);
	T_EQ(count_col("gen", "launch_type", "FARGATE"), 54);
	T_EQ(count_col("gen", "launch_type", "EC2"), 0);
}

/* ---- refusals ------------------------------------------------------------ */

struct refusal {
	const char *taskdef, *cps, *lt;   /* the row's cells */
	const char *where, *what;         /* expected in the message */
};

static void test_refusals(void)
{
	static const struct refusal cases[] = {
		{ "both", "FARGATE:1:1", "EC2", "bad.csv:2:7: launch_type:",
		  "give either launch_type or capacity_provider_strategy, not both" },
		{ "both", "FARGATE:1", "", "bad.csv:2:6: capacity_provider_strategy:",
		  "expected PROVIDER:BASE:WEIGHT" },
		{ "both", "FARGATE:x:1", "", "bad.csv:2:6: capacity_provider_strategy:",
		  "base must be an integer from 0 to 100000" },
		{ "both", "FARGATE:0:1001", "", "bad.csv:2:6: capacity_provider_strategy:",
		  "weight must be an integer from 0 to 1000" },
		{ "both", "FARGATE:0:1,FARGATE_SPOT:0:1", "", "bad.csv:2:6",
		  "expected ';' between items" },
		{ "both", "NOPE:0:1", "", "bad.csv:2:6: capacity_provider_strategy:",
		  "unknown capacity provider 'NOPE'" },
		{ "both", "FARGATE:0:1;cp-a:0:1", "", "bad.csv:2:6: capacity_provider_strategy:",
		  "may not mix Fargate and Auto Scaling group capacity providers" },
		{ "both", "FARGATE:1:1;FARGATE_SPOT:1:1", "", "bad.csv:2:6",
		  "only one item of a strategy may set a base" },
		{ "both", "FARGATE:0:0;FARGATE_SPOT:0:0", "", "bad.csv:2:6",
		  "at least one item needs a weight above 0" },
		{ "both", "FARGATE:0:1;FARGATE:0:2", "", "bad.csv:2:6", "listed twice" },
		{ "small", "FARGATE_SPOT:0:1", "", "bad.csv:2:6: capacity_provider_strategy:",
		  "does not list FARGATE" },
		{ "fgonly", "cp-a:0:1", "", "bad.csv:2:6: capacity_provider_strategy:",
		  "does not list EC2" },
		{ "small", "", "FARGATE", "bad.csv:2:7: launch_type:", "does not list FARGATE" },
		{ "fgonly", "", "EC2", "bad.csv:2:7: launch_type:", "does not list EC2" },
		{ "both", "", "EXTERNAL", "bad.csv:2:7: launch_type:", "expected EC2 or FARGATE" },
	};
	char buf[4096], row[400], msg[2200];

	snprintf(buf, sizeof buf, HEAD(60) PROVIDERS "\"workload\":{\"traces\":[\"bad.csv\"]}}");
	rs_write("bad.json", buf);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct refusal *c = &cases[i];

		snprintf(row, sizeof row, "time_s,event,taskdef,count,duration_s,"
			 "capacity_provider_strategy,launch_type\n1,run_task,%s,1,30,\"%s\",%s\n",
			 c->taskdef, c->cps, c->lt);
		rs_write("bad.csv", row);
		T_EQ(rs_run_msg("bad.json", "bad", msg, sizeof msg), -1);
		CONTAINS(msg, c->where);
		CONTAINS(msg, c->what);
	}
	/* only run_task takes them */
	rs_write("bad.csv", "time_s,event,target,launch_type\n1,stop_task,t-1,EC2\n");
	T_EQ(rs_run_msg("bad.json", "bad", msg, sizeof msg), -1);
	CONTAINS(msg, "bad.csv:2:4: launch_type: not used by event 'stop_task'");
	/* a generator: both members refused, a task definition not listing
	 * where it is sent refused */
	snprintf(buf, sizeof buf, HEAD(60) "\"workload\":{\"generators\":[{\"interArrivalSeconds\":1,"
		 "\"taskDefinitions\":[\"both\"],\"launchType\":\"EC2\","
		 "\"capacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE\",\"weight\":1}]}]}}");
	rs_write("badgen.json", buf);
	T_EQ(rs_run_msg("badgen.json", "badgen", msg, sizeof msg), -1);
	CONTAINS(msg, "$.workload.generators[0].launchType: give either launchType or "
		      "capacityProviderStrategy, not both");
	snprintf(buf, sizeof buf, HEAD(60) "\"workload\":{\"generators\":[{\"interArrivalSeconds\":1,"
		 "\"taskDefinitions\":[\"small\"],\"launchType\":\"FARGATE\"}]}}");
	rs_write("badgen.json", buf);
	T_EQ(rs_run_msg("badgen.json", "badgen", msg, sizeof msg), -1);
	CONTAINS(msg, "$.workload.generators[0].taskDefinitions[0]: task definition 'small' is sent "
		      "to launchType FARGATE but its requiresCompatibilities does not list FARGATE");
}

/* ---- the summaries -------------------------------------------------------- */

/* summary.csv's tasks_ec2 / tasks_fargate / tasks_fargate_spot /
 * tasks_capacity_provider and service_summary.csv's tasks_ec2 /
 * tasks_fargate equal the counts of tasks.csv's rows (every task placed
 * once: placed_s set).  The run mixes a Fargate service (FARGATE base 2 +
 * FARGATE_SPOT), an EC2 service, and rows on EC2, on Fargate by launch
 * type, and on cp-a. */
static void test_summary_counts(void)
{
	char buf[4096];
	int n, ec2 = 0, fg = 0, spot = 0, cp = 0, svc_fg = 0, svc_ec2 = 0, r;

	snprintf(buf, sizeof buf, HEAD(600) PROVIDERS
		 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"count\":2,"
		 "\"availabilityZone\":\"us-east-1a\"}],"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"fgonly\",\"desiredCount\":6,"
		 "\"capacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE\",\"base\":2,\"weight\":1},"
		 "{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":1}]},"
		 "{\"serviceName\":\"app\",\"taskDefinition\":\"small\",\"desiredCount\":3,\"launchType\":\"EC2\"}],"
		 "\"workload\":{\"traces\":[\"sum.csv\"]}}");
	rs_write("sum.json", buf);
	rs_write("sum.csv", "time_s,event,taskdef,count,duration_s,capacity_provider_strategy,launch_type\n"
		 "1,run_task,small,3,30,,\n"
		 "2,run_task,both,4,30,,FARGATE\n"
		 "3,run_task,small,5,30,cp-a:0:1,\n"
		 "4,run_task,both,2,30,FARGATE_SPOT:0:1,\n");
	T_EQ(rs_run("sum.json", "sum", NULL, NULL, NULL), 0);
	n = rs_rows("sum", "tasks.csv");
	for (r = 1; r <= n; r++) {
		char *pl = rs_cell("sum", "tasks.csv", r, "placed_s");
		char *lt = rs_cell("sum", "tasks.csv", r, "launch_type");
		char *c = rs_cell("sum", "tasks.csv", r, "capacity_provider");
		char *sv = rs_cell("sum", "tasks.csv", r, "service");

		if (pl && *pl) {
			int f = strcmp(lt, "FARGATE") == 0;

			fg += f;
			ec2 += !f;
			spot += strcmp(c, "FARGATE_SPOT") == 0;
			cp += *c != '\0';
			svc_fg += f && strcmp(sv, "web") == 0;
			svc_ec2 += !f && strcmp(sv, "app") == 0;
		}
		free(pl);
		free(lt);
		free(c);
		free(sv);
	}
	/* by hand: EC2 3 (app) + 3 + 5 rows; Fargate 6 (web) + 4 + 2 */
	T_EQ(ec2, 11);
	T_EQ(fg, 12);
	T_EQ(spot, 2 + 2);
	T_EQ(cp, 6 + 5 + 2);
	T_EQ(rs_num("sum", "summary.csv", 1, "tasks_ec2"), ec2);
	T_EQ(rs_num("sum", "summary.csv", 1, "tasks_fargate"), fg);
	T_EQ(rs_num("sum", "summary.csv", 1, "tasks_fargate_spot"), spot);
	T_EQ(rs_num("sum", "summary.csv", 1, "tasks_capacity_provider"), cp);
	T_EQ(rs_num("sum", "summary.csv", 1, "tasks_ec2") + rs_num("sum", "summary.csv", 1, "tasks_fargate"),
	     rs_num("sum", "summary.csv", 1, "tasks_placed"));
	r = rs_find("sum", "service_summary.csv", "service", "web");
	CU_ASSERT_FATAL(r > 0);
	T_EQ(rs_num("sum", "service_summary.csv", r, "tasks_fargate"), svc_fg);
	T_EQ(rs_num("sum", "service_summary.csv", r, "tasks_ec2"), 0);
	T_EQ(svc_fg, 6);
	r = rs_find("sum", "service_summary.csv", "service", "app");
	CU_ASSERT_FATAL(r > 0);
	T_EQ(rs_num("sum", "service_summary.csv", r, "tasks_ec2"), svc_ec2);
	T_EQ(rs_num("sum", "service_summary.csv", r, "tasks_fargate"), 0);
	T_EQ(svc_ec2, 3);
}

/* A service task waiting PROVISIONING for a capacity provider's capacity
 * is a task (docs/ecs-model.md A3, E60), so summary.csv counts it in
 * tasks_submitted and, when it never gets an instance, in
 * tasks_never_placed (scenarios/README.md).  A group fixed at one m5.large
 * (2,048 CPU units), a service of three 1,024-unit tasks: two run, the
 * third waits 100 s (capacityWaitSeconds) and stops TaskFailedToStart, and
 * each next launch does the same (launches at 0.1, 111.1, 222.1, 353.1,
 * 514.1 s; the last still waits at 600 s).  7 tasks in tasks.csv, 2
 * placed, 5 never; ecsim counted a service task only at its placement:
 * 2 submitted, 0 never placed. */
static void test_summary_counts_cp_wait(void)
{
	int rows, never = 0;

	rs_write("big.json", "{\"family\":\"big\",\"containerDefinitions\":[{\"name\":\"a\","
		 "\"image\":\"x\",\"cpu\":1024,\"memory\":1024}]}");
	rs_write("cpw.json", "{\"name\":\"cpw\",\"durationSeconds\":600,\"region\":\"us-east-1\","
		 "\"availabilityZones\":[\"us-east-1a\"],\"pending\":{\"capacityWaitSeconds\":100},"
		 "\"capacityProviders\":[{\"name\":\"cp\",\"autoScalingGroup\":{\"instanceType\":\"m5.large\","
		 "\"availabilityZones\":[\"us-east-1a\"],\"minSize\":1,\"maxSize\":1,\"desiredCapacity\":1},"
		 "\"managedScaling\":{\"status\":\"ENABLED\",\"targetCapacity\":100}}],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 "\"taskDefinitions\":{\"big\":\"big.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"big\",\"desiredCount\":3}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("cpw.json", "cpw", NULL, NULL, NULL), 0);
	rows = rs_rows("cpw", "tasks.csv");
	T_EQ(rows, 7);
	for (int r = 1; r <= rows; r++) {
		char *v = rs_cell("cpw", "tasks.csv", r, "placed_s");

		never += v && !*v;
		free(v);
	}
	T_EQ(never, 5);
	RS_IS("cpw", "service_summary.csv", 1, "tasks_failed_to_start", "4");
	T_EQ(rs_num("cpw", "summary.csv", 1, "tasks_submitted"), 7);
	T_EQ(rs_num("cpw", "summary.csv", 1, "tasks_placed"), 2);
	T_EQ(rs_num("cpw", "summary.csv", 1, "tasks_never_placed"), 5);
	T_EQ(rs_num("cpw", "summary.csv", 1, "tasks_capacity_provider"), 2);
}

/* summary.csv and tasks.csv agree: one row per task counted in
 * tasks_submitted (scenarios/README.md tasks.csv).  A service's launch
 * awaiting its placement decision (placementLatencySeconds 1) is no task
 * yet (A3): stopped then, or still waiting at the end, it has no row, as
 * it is not counted.  desired 2 at 0.25 s, set_desired 0 at 0.5 s (its
 * pass at 0.75 s stops both launches before their decisions at 1.25 s);
 * set_desired 1 at 50 s: task-3 launched at 50.25 s, placed 51.25 s, a
 * row; set_desired 2 at 100 s: a launch at 100.25 s, still awaiting its
 * decision at the end (101 s): no row; a RunTask task submitted at 100.5
 * s, awaiting its decision too: a row (counted at its call), PENDING, never
 * placed.  Rows 2 = submitted 2, placed 1, never placed 1.  (Before: the
 * two stopped launches had rows, STOPPED, ServiceSchedulerInitiated, and
 * the launch at the end a row, PENDING: 5 rows for 2 submitted.) */
static void test_rows_agree_with_summary(void)
{
	int r;

	rs_write("ra-small.json", "{\"family\":\"small\",\"containerDefinitions\":[{\"name\":\"c\","
		 "\"image\":\"x\",\"cpu\":256,\"memory\":512}]}");
	rs_write("ra.json", "{\"name\":\"ra\",\"durationSeconds\":101,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25,"
		 "\"schedulerDelaySeconds\":1},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"taskDefinitions\":{\"small\":\"ra-small.json\"},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"small\",\"desiredCount\":2}],"
		 "\"workload\":{\"traces\":[\"ra.csv\"]}}");
	rs_write("ra.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0.5,set_desired,web,,0,,\n50,set_desired,web,,1,,\n100,set_desired,web,,2,,\n"
		 "100.5,run_task,solo,small,1,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("ra.json", "ra", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("ra", "tasks.csv"), 2);
	RS_IS("ra", "summary.csv", 1, "tasks_submitted", "2");
	RS_IS("ra", "summary.csv", 1, "tasks_placed", "1");
	RS_IS("ra", "summary.csv", 1, "tasks_never_placed", "1");
	r = rs_find("ra", "tasks.csv", "service", "web");
	RS_IS("ra", "tasks.csv", r, "task_id", "task-3");
	RS_IS("ra", "tasks.csv", r, "placed_s", "51.250");
	r = rs_find("ra", "tasks.csv", "task_id", "solo");
	RS_IS("ra", "tasks.csv", r, "placed_s", "");
	RS_IS("ra", "tasks.csv", r, "last_status", "PENDING");
}

static CU_TestInfo rt_tests[] = {
	{ "a row's strategy splits each call base first, then by weight", test_row_strategy_split },
	{ "a row's launch type: FARGATE on Fargate, EC2 off the default strategy", test_row_launch_type },
	{ "a generator's strategy and launch type", test_generator_strategy },
	{ "refusals with file:line:col and the reason", test_refusals },
	{ "summary columns equal tasks.csv's counts", test_summary_counts },
	{ "a service task waiting for a provider's capacity is submitted, never placed", test_summary_counts_cp_wait },
	{ "tasks.csv has a row per task submitted: none for a service launch not placed", test_rows_agree_with_summary },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "RunTask's own strategy and launch type", setup, rs_teardown, NULL, NULL, rt_tests },
	CU_SUITE_INFO_NULL,
};
