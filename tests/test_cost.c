/* tests/test_cost.c — cost (scenarios/README.md, "Cost"): the catalog's
 * On-Demand prices, per-second billing with the 60 s minimum per launch, the
 * Spot discount (fixed and drawn), what stops billing (termination,
 * deregistration) and what does not (a failure the instance is repaired
 * from), the scenario's `pricing` overrides, Fargate's prices, and bad
 * pricing refused with its JSON path.  Expected dollars are worked out by
 * hand from the list prices, never read back from the code. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/catalog.h"
#include "models/pricing.h"
#include "models/scenario.h"

#define HEAD(name, dur) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"

#define GROUP(name, type, n, extra) "{\"name\":\"" name "\",\"instanceType\":\"" type "\"," \
	"\"availabilityZone\":\"us-east-1a\",\"count\":" #n extra "}"

/* The built-in catalog carries the us-east-1 Linux On-Demand list prices. */
static void test_catalog_prices(void)
{
	struct err e;
	struct catalog *c = catalog_builtin(&e);
	static const struct { const char *type; double usd; } want[] = {
		{ "t3.medium", 0.0416 }, { "t3.2xlarge", 0.3328 }, { "m5.large", 0.096 },
		{ "m5.4xlarge", 0.768 }, { "c5.large", 0.085 }, { "c5.2xlarge", 0.34 },
		{ "c5.4xlarge", 0.68 }, { "r5.large", 0.126 }, { "r5.4xlarge", 1.008 },
		{ "m6g.large", 0.077 }, { "m6g.4xlarge", 0.616 },
	};

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct catalog_type *t = catalog_find(c, want[i].type);

		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		T_EQ(t->priced, 1);
		T_NEAR(t->usd_per_hour, want[i].usd);
	}
	/* every built-in type has a price */
	for (int i = 0; i < catalog_count(c); i++)
		T_EQ(catalog_at(c, i)->priced, 1);
	catalog_free(c);
}

/* EC2: per second, rounded up, at least 60 s per launch. */
static void test_billing_rule(void)
{
	T_EQ(pricing_billed_seconds(0), 60);
	T_EQ(pricing_billed_seconds(30000), 60);
	T_EQ(pricing_billed_seconds(59999), 60);
	T_EQ(pricing_billed_seconds(60000), 60);
	T_EQ(pricing_billed_seconds(60001), 61);
	T_EQ(pricing_billed_seconds(90500), 91);
	T_EQ(pricing_billed_seconds(3600000), 3600);
	/* 30 s of an m5.large is billed as a minute: 0.096 / 60 */
	T_NEAR(pricing_period_usd(0.096, 30000), 0.0016);
	T_NEAR(pricing_period_usd(0.096, 3600000), 0.096);
	/* Fargate: 1 vCPU + 2 GB for an hour = 0.04048 + 2 × 0.004445 */
	T_NEAR(pricing_fargate_usd(NULL, 1, 2, 3600000), 0.04937);
	/* 0.25 vCPU + 0.5 GB for 10 s: the 60 s minimum */
	T_NEAR(pricing_fargate_usd(NULL, 0.25, 0.5, 10000),
	       (0.25 * 0.04048 + 0.5 * 0.004445) / 60);
}

/* The fleet of the issue: 3 × m5.large for the whole hour, one more for
 * 30 s (billed 60 s: it fails for good, that is EC2 terminates it; a
 * deregistration would not end its billing, docs/ecs-model.md §2.4), one
 * Spot m5.large at the default 70 % discount.
 *   3 × 0.096                 = 0.2880
 *   0.096 × 60 / 3600         = 0.0016
 *   0.096 × 0.30              = 0.0288
 *   total                     = 0.3184 USD; 4 tasks placed → 79.60 per 1,000 */
static void test_hand_fleet(void)
{
	rs_write("fleet.json", HEAD("fleet", 3600)
		 "\"instanceGroups\":[" GROUP("od", "m5.large", 3, "") ","
		 GROUP("sp", "m5.large", 1, ",\"spot\":{}") "],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"workload\":{\"traces\":[\"fleet.csv\"]}}");
	rs_write("fleet.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,,small,4,,\n"
		 "100,register_instance,m5.large,,1,,us-east-1b\n"
		 "130,instance_fail,ci-00005,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("fleet.json", "fleet", NULL, NULL, NULL), 0);
	RS_IS("fleet", "summary.csv", 1, "tasks_placed", "4");
	RS_IS("fleet", "summary.csv", 1, "cost_instances_usd", "0.3184");
	RS_IS("fleet", "summary.csv", 1, "cost_fargate_usd", "0.0000");
	RS_IS("fleet", "summary.csv", 1, "cost_total_usd", "0.3184");
	RS_IS("fleet", "summary.csv", 1, "cost_per_1000_tasks_usd", "79.6000");
}

/* The 60 s minimum applies to every launch: ten m5.large each up for 1 s
 * (then terminated) cost ten minutes, not ten seconds (10 × 0.096 / 60 =
 * 0.016). */
static void test_minimum_per_launch(void)
{
	char csv[2000];
	size_t n;

	n = (size_t)snprintf(csv, sizeof csv, "time_s,event,target,taskdef,count,duration_s,group\n"
			     "0,register_instance,m5.large,,10,,us-east-1a\n");
	for (int i = 1; i <= 10; i++)
		n += (size_t)snprintf(csv + n, sizeof csv - n, "1,instance_fail,ci-%05d,,,,\n", i);
	rs_write("min.json", HEAD("min", 7200) "\"workload\":{\"traces\":[\"min.csv\"]}}");
	rs_write("min.csv", csv);
	CU_ASSERT_EQUAL_FATAL(rs_run("min.json", "min", NULL, NULL, NULL), 0);
	RS_IS("min", "summary.csv", 1, "cost_instances_usd", "0.0160");
	/* no task placed: no cost per 1,000 tasks */
	RS_IS("min", "summary.csv", 1, "cost_per_1000_tasks_usd", "");
}

/* What ends a billed period.  c5.large ($0.085/h), one hour:
 *   ci-00001 fails at 600 s and is repaired after 300 s: the instance is
 *            kept, so it is billed the whole hour               3600 s
 *   ci-00002 fails at 900 s for good (terminated)                900 s
 *   ci-00003 runs the hour                                       3600 s
 *   ci-00005 Auto Scaling's replacement of ci-00002, registered
 *            120 s after the failure (1020 s) until the end      2580 s
 *   ci-00004 Spot (70 % off: $0.0255/h), notice at 1000 s,
 *            terminated at 1120 s                                1120 s
 * on demand 0.085 × 10680 / 3600 = 0.252166…, Spot 0.0255 × 1120 / 3600
 * = 0.007933…, total 0.260100 USD. */
static void test_what_stops_billing(void)
{
	rs_write("stop.json", HEAD("stop", 3600)
		 "\"instanceGroups\":[" GROUP("od", "c5.large", 3,
					      ",\"autoScaling\":{\"replaceFailed\":true,\"replacementDelaySeconds\":120}") ","
		 GROUP("sp", "c5.large", 1, ",\"spot\":{}") "],"
		 "\"workload\":{\"traces\":[\"stop.csv\"]}}");
	rs_write("stop.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "600,instance_fail,ci-00001,,,300,\n"
		 "900,instance_fail,ci-00002,,,,\n"
		 "1000,spot_interruption,ci-00004,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("stop.json", "stop", NULL, NULL, NULL), 0);
	RS_IS("stop", "summary.csv", 1, "cost_instances_usd", "0.2601");
	RS_IS("stop", "summary.csv", 1, "cost_total_usd", "0.2601");
}

/* A deregistered instance's host runs on, billed (docs/ecs-model.md §2.4,
 * choice E101), until EC2 ends it.  One hour, c5.large:
 *   ci-00001 deregistered at 600 s, fails for good at 1800 s   1800 s
 *   ci-00002 Spot (70 % off), deregistered at 300 s, notice at
 *            1000 s, terminated at 1120 s                        1120 s
 * 0.085 × 1800 / 3600 = 0.0425, 0.0255 × 1120 / 3600 = 0.007933…, total
 * 0.050433 USD (the whole hour for both, 0.1105, if the termination of a
 * deregistered host went unseen). */
static void test_deregistered_then_terminated(void)
{
	rs_write("dt.json", HEAD("dt", 3600)
		 "\"instanceGroups\":[" GROUP("od", "c5.large", 1, "") "," GROUP("sp", "c5.large", 1, ",\"spot\":{}") "],"
		 "\"workload\":{\"traces\":[\"dt.csv\"]}}");
	rs_write("dt.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "300,deregister_instance,ci-00002,,,,\n"
		 "600,deregister_instance,ci-00001,,,,\n"
		 "1000,spot_interruption,ci-00002,,,,\n"
		 "1800,instance_fail,ci-00001,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("dt.json", "dt", NULL, NULL, NULL), 0);
	RS_IS("dt", "summary.csv", 1, "cost_instances_usd", "0.0504");
	/* the same Spot host interrupted by its group's own draw (notice at
	 * 1000 s), deregistered at 300 s: terminated at 1120 s all the same,
	 * 0.0255 × 1120 / 3600 = 0.0079 USD (the whole hour, 0.0255, if the
	 * deregistration dropped the notice) */
	rs_write("dn.json", HEAD("dn", 3600)
		 "\"instanceGroups\":[" GROUP("sp", "c5.large", 1,
		 ",\"spot\":{\"timeToInterruptionSeconds\":{\"constant\":{\"value\":1000}}}") "],"
		 "\"workload\":{\"traces\":[\"dn.csv\"]}}");
	rs_write("dn.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "300,deregister_instance,ci-00001,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("dn.json", "dn", NULL, NULL, NULL), 0);
	RS_IS("dn", "summary.csv", 1, "cost_instances_usd", "0.0079");
}

/* The scenario's prices replace the catalog's: m5.large at $0.20/h, Spot
 * 50 % off, and a type of the scenario's own priced there.  Half an hour:
 *   m5.large      0.20 × 0.5        = 0.100
 *   m5.large Spot 0.10 × 0.5        = 0.050
 *   x9.large      1.00 × 0.5 × 2    = 1.000
 *   total                             1.1500 USD */
static void test_overrides(void)
{
	rs_write("ov.json", HEAD("ov", 1800)
		 "\"instanceTypes\":[{\"name\":\"x9.large\",\"vcpu\":2,\"memoryGiB\":8}],"
		 "\"instanceGroups\":[" GROUP("od", "m5.large", 1, "") ","
		 GROUP("sp", "m5.large", 1, ",\"spot\":{}") ","
		 GROUP("x9", "x9.large", 2, "") "],"
		 "\"pricing\":{\"onDemandPerHour\":{\"m5.large\":0.2,\"x9.large\":1},"
		 "\"spot\":{\"discountPct\":50},"
		 "\"fargate\":{\"perVcpuHour\":0.05,\"perGbHour\":0.005}}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("ov.json", "ov", NULL, NULL, NULL), 0);
	RS_IS("ov", "summary.csv", 1, "cost_instances_usd", "1.1500");
	RS_IS("ov", "summary.csv", 1, "cost_total_usd", "1.1500");
}

/* A scenario's own type with no price makes the cost unknown: the cost
 * columns are empty rather than a wrong 0.  A type redefined under a
 * built-in name keeps that name's price (two r5.large for an hour at
 * $0.126 = 0.2520). */
static void test_unpriced_and_redefined(void)
{
	rs_write("np.json", HEAD("np", 3600)
		 "\"instanceTypes\":[{\"name\":\"x9.large\",\"vcpu\":2,\"memoryGiB\":8}],"
		 "\"instanceGroups\":[" GROUP("a", "m5.large", 1, "") "," GROUP("b", "x9.large", 1, "") "]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("np.json", "np", NULL, NULL, NULL), 0);
	RS_IS("np", "summary.csv", 1, "cost_instances_usd", "");
	RS_IS("np", "summary.csv", 1, "cost_total_usd", "");
	RS_IS("np", "summary.csv", 1, "cost_fargate_usd", "0.0000");

	rs_write("rd.json", HEAD("rd", 3600)
		 "\"instanceTypes\":[{\"name\":\"r5.large\",\"vcpu\":2,\"memoryGiB\":15}],"
		 "\"instanceGroups\":[" GROUP("a", "r5.large", 2, "") "]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("rd.json", "rd", NULL, NULL, NULL), 0);
	RS_IS("rd", "summary.csv", 1, "cost_instances_usd", "0.2520");
}

/* A Spot discount drawn per launch: uniform in [60, 80] % over 200 Spot
 * m5.large for an hour.  The mean price is 0.096 × 0.30 × 200 = 5.76 USD;
 * the sd of the sum is 0.096 × 200 × 0.0577 / √200 ≈ 0.078, so ±0.30 is
 * about 4 sd.  Each draw lies in [0.0192, 0.0384] per instance: the
 * total lies in [3.84, 7.68] always.  The same seed gives the same bytes;
 * a draw, not the constant default, is used (the default would give 5.76
 * exactly, which two seeds both hitting is out of the question). */
static void test_spot_distribution(void)
{
	double a, b;
	char *ca, *cb;

	rs_write("sd.json", HEAD("sd", 3600)
		 "\"instanceGroups\":[" GROUP("sp", "m5.large", 200, ",\"spot\":{}") "],"
		 "\"pricing\":{\"spot\":{\"discountPct\":{\"uniform\":{\"min\":60,\"max\":80}}}}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("sd.json", "sd1", NULL, NULL, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(rs_run("sd.json", "sd2", NULL, NULL, NULL), 0);
	a = rs_num("sd1", "summary.csv", 1, "cost_instances_usd");
	b = rs_num("sd2", "summary.csv", 1, "cost_instances_usd");
	CU_ASSERT(fabs(a - 5.76) < 0.30);
	T_NEAR(a, b);
	rs_write("sd3.json", HEAD("sd3", 3600) "\"seed\":7,"
		 "\"instanceGroups\":[" GROUP("sp", "m5.large", 200, ",\"spot\":{}") "],"
		 "\"pricing\":{\"spot\":{\"discountPct\":{\"uniform\":{\"min\":60,\"max\":80}}}}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("sd3.json", "sd3", NULL, NULL, NULL), 0);
	ca = rs_cell("sd1", "summary.csv", 1, "cost_instances_usd");
	cb = rs_cell("sd3", "summary.csv", 1, "cost_instances_usd");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cb);
	CU_ASSERT(strcmp(ca, "5.7600") != 0 || strcmp(cb, "5.7600") != 0);
	CU_ASSERT(strcmp(ca, cb) != 0);
	free(ca);
	free(cb);
}

/* Bad pricing is refused with its JSON path and reason. */
static void test_refused(void)
{
	static const struct { const char *pricing, *path, *reason; } bad[] = {
		{ "{\"onDemandPerHour\":{\"m5.large\":-1}}", "$.pricing.onDemandPerHour.m5.large", "expected" },
		{ "{\"onDemandPerHour\":{\"m5.large\":\"cheap\"}}", "$.pricing.onDemandPerHour.m5.large", "expected" },
		{ "{\"onDemandPerHour\":{\"m9.huge\":0.1}}", "$.pricing.onDemandPerHour.m9.huge", "unknown instance type" },
		{ "{\"onDemandPerHour\":0.1}", "$.pricing.onDemandPerHour", "expected an object" },
		{ "{\"spot\":{\"discountPct\":120}}", "$.pricing.spot.discountPct", "[0, 100]" },
		{ "{\"spot\":{\"discountPct\":-5}}", "$.pricing.spot.discountPct", "" },
		{ "{\"spot\":{\"discountPct\":{\"uniform\":{\"min\":50,\"max\":150}}}}", "$.pricing.spot.discountPct", "[0, 100]" },
		{ "{\"spot\":{\"discount\":70}}", "$.pricing.spot", "discount" },
		{ "{\"fargate\":{\"perVcpuHour\":\"x\"}}", "$.pricing.fargate.perVcpuHour", "expected" },
		{ "{\"fargate\":{\"perGbHour\":-0.1}}", "$.pricing.fargate.perGbHour", "expected" },
		{ "{\"fargat\":{}}", "$.pricing", "fargat" },
		{ "[]", "$.pricing", "" },
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[800], p[400];
		struct err e;
		struct scenario *s;

		snprintf(text, sizeof text, HEAD("bad", 60) "\"pricing\":%s}", bad[i].pricing);
		rs_write("bad.json", text);
		snprintf(p, sizeof p, "%s/bad.json", rs_dir());
		err_clear(&e);
		s = scenario_load(p, &e);
		CU_ASSERT_PTR_NULL(s);
		scenario_free(s);
		if (strncmp(e.path, bad[i].path, strlen(bad[i].path)) != 0 ||
		    (!strstr(e.msg, bad[i].reason) && !strstr(e.path, bad[i].reason))) {
			char m[1600];

			snprintf(m, sizeof m, "pricing %s: got \"%.200s: %.300s\", want path %s and \"%s\"",
				 bad[i].pricing, e.path, e.msg, bad[i].path, bad[i].reason);
			CU_FAIL(m);
			fprintf(stderr, "%s\n", m);
		} else {
			CU_PASS("refused");
		}
	}
}

static CU_TestInfo cost_tests[] = {
	{ "catalog prices", test_catalog_prices },
	{ "billing rule", test_billing_rule },
	{ "hand-computed fleet to the cent", test_hand_fleet },
	{ "60 s minimum per launch", test_minimum_per_launch },
	{ "what stops billing", test_what_stops_billing },
	{ "a deregistered host billed until EC2 ends it", test_deregistered_then_terminated },
	{ "scenario overrides", test_overrides },
	{ "unpriced and redefined types", test_unpriced_and_redefined },
	{ "Spot discount drawn per launch", test_spot_distribution },
	{ "bad pricing refused with its path", test_refused },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "cost", rs_setup_small, rs_teardown, NULL, NULL, cost_tests },
	CU_SUITE_INFO_NULL,
};
