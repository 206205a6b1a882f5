/* tests/test_scaler.c — service auto scaling in a run (models/scaler.c;
 * docs/ecs-model.md §5.10, §7.2): the per-minute CloudWatch datapoint of the
 * service's average CPU utilisation drives target tracking, which acts
 * through UpdateService; scaling.csv records each decision.  Expected
 * counts and times are worked out by hand from the rules: the high alarm
 * after 3 datapoints above the target, the low alarm after 15 below 90 % of
 * it, the new capacity ceil(current × metric / target), the cooldowns. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("web.json", "{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"a\","
		 "\"image\":\"x\",\"cpu\":256,\"memory\":512}]}");
	return 0;
}

/* One service of 4 tasks on ample instances; `util` is its utilisation
 * model, `tt` the target tracking policy's extra members. */
static void scenario(const char *name, int dur, const char *util, const char *tt)
{
	char buf[4096];

	snprintf(buf, sizeof buf,
		 "{\"durationSeconds\":%d,\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.4xlarge\",\"availabilityZone\":\"us-east-1a\",\"count\":4}],"
		 "\"taskDefinitions\":{\"web\":\"web.json\"},"
		 "\"utilization\":{\"web\":%s},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"web\",\"desiredCount\":4,"
		 "\"autoScaling\":{\"minCapacity\":1,\"maxCapacity\":40,\"targetTracking\":[{"
		 "\"predefinedMetricType\":\"ECSServiceAverageCPUUtilization\",\"targetValue\":50%s}]}}]}",
		 dur, util, tt);
	rs_write(name, buf);
}

/* The service's load is 4 tasks × 25 % until 1800 s, then 4 × 100 %,
 * shared by the running tasks.  Low alarm: 15 datapoints (60 s … 900 s)
 * below 45 % → ceil(4 × 25 / 50) = 2 at 900 s, which sits at 50 %.  The step:
 * 2 tasks at 200 % from the 1800 s datapoint, high alarm on the third (1920 s)
 * → ceil(2 × 200 / 50) = 8, where each task is at 50 %: converged within
 * 120 s of the step's first datapoint, and nothing moves after it. */
static void test_tracking_follows_step(void)
{
	scenario("step.json", 3600,
		 "{\"sharedBy\":4,\"cpu\":{\"curve\":[[0,25],[1799,25],[1800,100],[3600,100]]}}", "");
	T_EQ(rs_run("step.json", "step", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("step", "scaling.csv"), 2);
	T_NEAR(rs_num("step", "scaling.csv", 1, "time_s"), 900);
	T_NEAR(rs_num("step", "scaling.csv", 1, "old"), 4);
	T_NEAR(rs_num("step", "scaling.csv", 1, "new"), 2);
	RS_IS("step", "scaling.csv", 1, "action", "scale-in");
	RS_IS("step", "scaling.csv", 1, "metric", "ECSServiceAverageCPUUtilization");
	T_NEAR(rs_num("step", "scaling.csv", 1, "value"), 25);
	T_NEAR(rs_num("step", "scaling.csv", 2, "time_s"), 1920);
	T_NEAR(rs_num("step", "scaling.csv", 2, "value"), 200);
	T_NEAR(rs_num("step", "scaling.csv", 2, "new"), 8);
	RS_IS("step", "scaling.csv", 2, "action", "scale-out");
	/* the service follows: 8 desired and 8 running at the end */
	T_NEAR(rs_num("step", "services.csv", -1, "desired"), 8);
	T_NEAR(rs_num("step", "services.csv", -1, "running"), 8);
	/* services.csv's utilisation: 4 × 100 % shared by 8 = 50 %; no memory model */
	T_NEAR(rs_num("step", "services.csv", -1, "cpu_utilization_pct"), 50);
	RS_IS("step", "services.csv", -1, "memory_utilization_pct", "");
}

/* A load that does not shrink with the task count (each task at 25 %):
 * every low alarm halves the count, but no scale-in comes within
 * scaleInCooldown (600 s) of the previous one. */
static void test_scale_in_cooldown(void)
{
	scenario("cool.json", 3000, "{\"cpu\":25}", ",\"scaleInCooldown\":600");
	T_EQ(rs_run("cool.json", "cool", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("cool", "scaling.csv"), 2);
	T_NEAR(rs_num("cool", "scaling.csv", 1, "new"), 2);
	T_NEAR(rs_num("cool", "scaling.csv", 2, "new"), 1);
	CU_ASSERT(rs_num("cool", "scaling.csv", 2, "time_s") - rs_num("cool", "scaling.csv", 1, "time_s") >= 600);
	/* a shorter cooldown lets the second come sooner: the 600 s held it */
	scenario("cool2.json", 3000, "{\"cpu\":25}", ",\"scaleInCooldown\":60");
	T_EQ(rs_run("cool2.json", "cool2", NULL, NULL, NULL), 0);
	CU_ASSERT(rs_num("cool2", "scaling.csv", 2, "time_s") < rs_num("cool", "scaling.csv", 2, "time_s"));
}

/* No datapoint without a model: a service whose task definition has no
 * utilisation model never scales (CloudWatch has no data). */
static void test_no_model_no_scaling(void)
{
	scenario("nomodel.json", 1800, "{\"memory\":10}", "");
	T_EQ(rs_run("nomodel.json", "nomodel", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("nomodel", "scaling.csv"), 0);
	T_NEAR(rs_num("nomodel", "services.csv", -1, "desired"), 4);
}

/* One scale-in, 4 → 2 at 900 s (25 % each, target 50; a 3000 s cooldown
 * keeps it the only one); `prot` is the service's taskProtection.  Returns
 * the running count at 1500 s (tasks protected at ~60 s for 30 minutes are
 * still protected) and, in *end, at the end (every protection expired). */
static double running_after_scale_in(const char *tag, const char *prot, double *end)
{
	char buf[4096], name[64];
	int row;

	snprintf(name, sizeof name, "%s.json", tag);
	snprintf(buf, sizeof buf,
		 "{\"durationSeconds\":3000,\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.4xlarge\",\"availabilityZone\":\"us-east-1a\",\"count\":4}],"
		 "\"taskDefinitions\":{\"web\":\"web.json\"},\"utilization\":{\"web\":{\"cpu\":25}},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"web\",\"desiredCount\":4%s,"
		 "\"autoScaling\":{\"minCapacity\":1,\"maxCapacity\":40,\"targetTracking\":[{"
		 "\"predefinedMetricType\":\"ECSServiceAverageCPUUtilization\",\"targetValue\":50,"
		 "\"scaleInCooldown\":3000}]}}]}", prot);
	rs_write(name, buf);
	T_EQ(rs_run(name, tag, NULL, NULL, NULL), 0);
	T_EQ(rs_rows(tag, "scaling.csv"), 1);
	T_NEAR(rs_num(tag, "scaling.csv", 1, "new"), 2);
	row = rs_find(tag, "services.csv", "time_s", "1500.000");
	CU_ASSERT_FATAL(row > 0);
	T_NEAR(rs_num(tag, "services.csv", row, "desired"), 2);
	*end = rs_num(tag, "services.csv", -1, "running");
	return rs_num(tag, "services.csv", row, "running");
}

/* Protected tasks are not chosen for scale-in: unprotected, two of four
 * stop; every task protected, none does until the protection expires;
 * three of four protected (fraction 0.75), only the fourth stops. */
static void test_protected_not_scaled_in(void)
{
	double end;

	T_NEAR(running_after_scale_in("prot0", "", &end), 2);
	T_NEAR(end, 2);
	T_NEAR(running_after_scale_in("prot1", ",\"taskProtection\":{\"protectedFraction\":1,\"expiresInMinutes\":30}", &end), 4);
	T_NEAR(end, 2);
	T_NEAR(running_after_scale_in("prot75", ",\"taskProtection\":{\"protectedFraction\":0.75,\"expiresInMinutes\":30}", &end), 3);
	T_NEAR(end, 2);
}

static CU_TestInfo scaler_tests[] = {
	{ "protected tasks are not chosen for scale-in", test_protected_not_scaled_in },
	{ "target tracking follows a step of load", test_tracking_follows_step },
	{ "scale-in cooldown respected in a run", test_scale_in_cooldown },
	{ "no utilisation model, no datapoint", test_no_model_no_scaling },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "scaler", setup, rs_teardown, NULL, NULL, scaler_tests },
	CU_SUITE_INFO_NULL,
};
