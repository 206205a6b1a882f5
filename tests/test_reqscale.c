/* tests/test_reqscale.c — service auto scaling fed by the load balancer
 * (models/scaler.c with models/lb/; docs/ecs-model.md §5.10, §6, choices
 * E90–E93), each written from the rule:
 *   - ALBRequestCountPerTarget = the requests the target group received in
 *     the minute ÷ its healthy targets; target tracking on it brings the
 *     desired count to ceil(total rate ÷ target) within 3 datapoints of a
 *     step (the high alarm), holds it inside [min, max], and a second
 *     scale-in waits for the scale-in cooldown; with a datapoint every 30 s
 *     the count is scaled to a minute and the alarms count datapoints
 *     (choice E236);
 *   - a policy names its target group (resourceLabel) or the service's only
 *     one is used; none, an ambiguous one or an NLB's is refused;
 *   - utilisation `fromRequests`: idle + (busy − idle) × the share of the
 *     task's workers busy, whose mean is ρ = λ·E[S] / c (Little's law). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/scenario.h"
#include "sim/err.h"

#define HEAD(dur) "{\"durationSeconds\":" #dur ",\"region\":\"us-east-1\"," \
	"\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.4xlarge\",\"availabilityZone\":\"us-east-1a\",\"count\":2}," \
	"{\"instanceType\":\"m5.4xlarge\",\"availabilityZone\":\"us-east-1b\",\"count\":2}]," \
	"\"taskDefinitions\":{\"web\":\"rq-web.json\"},"
#define ALB "{\"name\":\"alb\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}"
#define NLB "{\"name\":\"nlb\",\"type\":\"network\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}"
#define BIND(tg) "{\"targetGroupName\":\"" tg "\",\"containerName\":\"app\",\"containerPort\":8080}"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("rq-web.json", "{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\","
		 "\"image\":\"x\",\"cpu\":256,\"memory\":512,"
		 "\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}");
	/* requests/s: 20 until 1200 s, 95 until 2400 s, 40 until 3360 s, then 10 */
	rs_write("rq-rate.csv", "time_s,rate_per_s\n0,20\n1200,95\n2400,40\n3360,10\n");
	return 0;
}

/* A service of 2 tasks behind an ALB fed by rq-rate.csv, target tracking on
 * ALBRequestCountPerTarget at 1000 requests per target per minute; `cp`:
 * members of $.controlPlane. */
static void step_scenario_cp(const char *name, int max, const char *tt, const char *cp)
{
	char buf[4096];

	snprintf(buf, sizeof buf, HEAD(3900) "\"controlPlane\":{%s},"
		 "\"loadBalancers\":[" ALB "],"
		 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\","
		 "\"traffic\":{\"arrivals\":{\"rateCurve\":{\"file\":\"rq-rate.csv\"}},"
		 "\"serviceTimeSeconds\":{\"exponential\":{\"mean\":0.05}},\"workersPerTask\":50}}],"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"web\",\"desiredCount\":2,"
		 "\"loadBalancers\":[" BIND("tg") "],"
		 "\"autoScaling\":{\"minCapacity\":1,\"maxCapacity\":%d,\"targetTracking\":[{"
		 "\"predefinedMetricType\":\"ALBRequestCountPerTarget\",\"targetValue\":1000%s}]}}]}",
		 cp, max, tt);
	rs_write(name, buf);
}

static void step_scenario(const char *name, int max, const char *tt)
{
	step_scenario_cp(name, max, tt, "");
}

/* Worked out from the rules (datapoints every 60 s from 60 s; high alarm
 * after 3 above 1000, low after 15 below 900):
 *   0–1200 s: 1200 requests/min over 2 targets = 600: below 900, but
 *     ceil(2 × 600 / 1000) = 2 — no change;
 *   step at 1200 s to 5700/min = 2850 per target: datapoints 1260, 1320,
 *     1380 above → at 1380 s ceil(2 × 2850 / 1000) = 6 = ceil(5700 / 1000),
 *     within 180 s of the step; then 950 per target: inside the band, still;
 *   2400 s: 2400/min = 400 per target, 15 datapoints 2460 … 3300 below →
 *     at 3300 s ceil(6 × 400 / 1000) = 3;
 *   3360 s: 600/min = 200 per target from the 3420 s datapoint → wants
 *     ceil(3 × 200 / 1000) = 1 but the scale-in cooldown (300 s) holds it
 *     to 3600 s.
 * Poisson noise: 5700 ± 75 a minute, far from every boundary. */
static void test_alb_target_tracking_step(void)
{
	const char *tag = "step";

	step_scenario("rq-step.json", 10, "");
	T_EQ(rs_run("rq-step.json", tag, NULL, NULL, NULL), 0);
	T_EQ(rs_rows(tag, "scaling.csv"), 3);
	RS_IS(tag, "scaling.csv", 1, "metric", "ALBRequestCountPerTarget");
	RS_IS(tag, "scaling.csv", 1, "action", "scale-out");
	T_NEAR(rs_num(tag, "scaling.csv", 1, "time_s"), 1380);
	T_NEAR(rs_num(tag, "scaling.csv", 1, "old"), 2);
	T_NEAR(rs_num(tag, "scaling.csv", 1, "new"), 6);
	/* the datapoint: ~2850 requests per target in the minute */
	CU_ASSERT(fabs(rs_num(tag, "scaling.csv", 1, "value") - 2850) < 150);
	RS_IS(tag, "scaling.csv", 2, "action", "scale-in");
	T_NEAR(rs_num(tag, "scaling.csv", 2, "time_s"), 3300);
	T_NEAR(rs_num(tag, "scaling.csv", 2, "new"), 3);
	CU_ASSERT(fabs(rs_num(tag, "scaling.csv", 2, "value") - 400) < 40);
	RS_IS(tag, "scaling.csv", 3, "action", "scale-in");
	T_NEAR(rs_num(tag, "scaling.csv", 3, "time_s"), 3600);
	T_NEAR(rs_num(tag, "scaling.csv", 3, "new"), 1);
}

/* The same with a 60 s scale-in cooldown: the second scale-in comes at the
 * first datapoint that wants it (3420 s), so the 300 s above held it. */
static void test_alb_scale_in_cooldown(void)
{
	step_scenario("rq-cool.json", 10, ",\"scaleInCooldown\":60");
	T_EQ(rs_run("rq-cool.json", "cool", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("cool", "scaling.csv"), 3);
	T_NEAR(rs_num("cool", "scaling.csv", 2, "time_s"), 3300);
	T_NEAR(rs_num("cool", "scaling.csv", 3, "time_s"), 3420);
	T_NEAR(rs_num("cool", "scaling.csv", 3, "new"), 1);
}

/* maxCapacity 4: the scale-out stops at 4 although 2850 per target asks for
 * 6, and 1425 per target afterwards moves nothing; the desired count never
 * leaves [1, 4]. */
static void test_alb_within_bounds(void)
{
	int n;

	step_scenario("rq-max.json", 4, "");
	T_EQ(rs_run("rq-max.json", "max", NULL, NULL, NULL), 0);
	T_NEAR(rs_num("max", "scaling.csv", 1, "time_s"), 1380);
	T_NEAR(rs_num("max", "scaling.csv", 1, "new"), 4);
	n = rs_rows("max", "services.csv");
	CU_ASSERT(n > 30);
	for (int r = 1; r <= n; r++) {
		double d = rs_num("max", "services.csv", r, "desired");

		if (rs_num("max", "services.csv", r, "time_s") > 0)   /* the row before CreateService: 0 */
			CU_ASSERT(d >= 1 && d <= 4);
	}
	n = rs_rows("max", "scaling.csv");
	for (int r = 1; r <= n; r++)
		CU_ASSERT(rs_num("max", "scaling.csv", r, "new") <= 4);
}

/* The same with a datapoint every 30 s (controlPlane.serviceAutoScalingPeriodSeconds,
 * choice E236): each datapoint is the requests of its 30 s per target,
 * scaled to a minute (the target keeps its unit), and the alarms count
 * datapoints: 3 above, 15 below.  Worked out from the rules:
 *   step at 1200 s to 5700/min: datapoints 1230, 1260, 1290 at 2850 per
 *     target → at 1290 s ceil(2 × 2850 / 1000) = 6 (unscaled, 1425 per
 *     target would give 3);
 *   2400 s: 400 per target from the 2430 s datapoint (the 2400 s one still
 *     covers 95/s), 15 below 900: 2430 … 2850 → at 2850 s ceil(6 × 400 /
 *     1000) = 3;
 *   then 800 per target (3 tasks) until 3360 s, 200 from the 3390 s
 *     datapoint → ceil(3 × 200 / 1000) = 1 at 3390 s, the scale-in cooldown
 *     (2850 + 300 = 3150 s) over.
 * Poisson noise: 2850 ± 110 and 800 ± 25 per target, far from every
 * boundary. */
static void test_alb_datapoint_period(void)
{
	const char *tag = "period";

	step_scenario_cp("rq-period.json", 10, "", "\"serviceAutoScalingPeriodSeconds\":30");
	T_EQ(rs_run("rq-period.json", tag, NULL, NULL, NULL), 0);
	T_EQ(rs_rows(tag, "scaling.csv"), 3);
	RS_IS(tag, "scaling.csv", 1, "action", "scale-out");
	T_NEAR(rs_num(tag, "scaling.csv", 1, "time_s"), 1290);
	T_NEAR(rs_num(tag, "scaling.csv", 1, "new"), 6);
	CU_ASSERT(fabs(rs_num(tag, "scaling.csv", 1, "value") - 2850) < 300);
	RS_IS(tag, "scaling.csv", 2, "action", "scale-in");
	T_NEAR(rs_num(tag, "scaling.csv", 2, "time_s"), 2850);
	T_NEAR(rs_num(tag, "scaling.csv", 2, "new"), 3);
	CU_ASSERT(fabs(rs_num(tag, "scaling.csv", 2, "value") - 400) < 60);
	RS_IS(tag, "scaling.csv", 3, "action", "scale-in");
	T_NEAR(rs_num(tag, "scaling.csv", 3, "time_s"), 3390);
	T_NEAR(rs_num(tag, "scaling.csv", 3, "new"), 1);
}

/* ---- refusals ------------------------------------------------------------ */

static void refused(const char *name, const char *text, const char *path_part, const char *msg_part)
{
	char p[1024];
	struct err e;
	struct scenario *s;

	rs_write(name, text);
	snprintf(p, sizeof p, "%s/%s", rs_dir(), name);
	err_clear(&e);
	s = scenario_load(p, &e);
	CU_ASSERT_PTR_NULL(s);
	scenario_free(s);
	if (!strstr(e.path, path_part) || !strstr(e.msg, msg_part))
		fprintf(stderr, "\n%s: got %s: %s\n", name, e.path, e.msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.path, path_part));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, msg_part));
}

#define POLICY(extra) "\"autoScaling\":{\"minCapacity\":1,\"maxCapacity\":10,\"targetTracking\":[{" \
	"\"predefinedMetricType\":\"ALBRequestCountPerTarget\",\"targetValue\":1000" extra "}]}"
#define TGS "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\"},{\"name\":\"tg2\",\"loadBalancer\":\"alb\"}," \
	"{\"name\":\"ntg\",\"loadBalancer\":\"nlb\",\"protocol\":\"TCP\"}],"
#define SVC(lbs, pol) "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"web\",\"desiredCount\":2," \
	lbs pol "}]}"

static void test_alb_refusals(void)
{
	refused("rq-r1.json", HEAD(60) "\"loadBalancers\":[" ALB "," NLB "]," TGS SVC("", POLICY("")),
		"targetTracking[0]", "has no loadBalancers");
	refused("rq-r2.json", HEAD(60) "\"loadBalancers\":[" ALB "," NLB "]," TGS
		SVC("\"loadBalancers\":[" BIND("tg") "," BIND("tg2") "],", POLICY("")),
		"targetTracking[0]", "ambiguous");
	refused("rq-r3.json", HEAD(60) "\"loadBalancers\":[" ALB "," NLB "]," TGS
		SVC("\"loadBalancers\":[" BIND("ntg") "],", POLICY("")),
		"targetTracking[0]", "Network Load Balancer nlb");
	refused("rq-r4.json", HEAD(60) "\"loadBalancers\":[" ALB "," NLB "]," TGS
		SVC("\"loadBalancers\":[" BIND("tg") "," BIND("ntg") "],",
		    POLICY(",\"resourceLabel\":\"net/nlb/1234/targetgroup/ntg/5678\"")),
		"resourceLabel", "Network Load Balancer");
	refused("rq-r5.json", HEAD(60) "\"loadBalancers\":[" ALB "," NLB "]," TGS
		SVC("\"loadBalancers\":[" BIND("tg") "],", POLICY(",\"resourceLabel\":\"app/alb/1/targetgroup/tg2/2\"")),
		"resourceLabel", "not one of service 'web'");
	refused("rq-r6.json", HEAD(60) "\"loadBalancers\":[" ALB "," NLB "]," TGS
		SVC("\"loadBalancers\":[" BIND("tg") "],", "\"autoScaling\":{\"minCapacity\":1,\"maxCapacity\":10,"
		    "\"targetTracking\":[{\"predefinedMetricType\":\"ECSServiceAverageCPUUtilization\","
		    "\"targetValue\":50,\"resourceLabel\":\"tg\"}]}"),
		"resourceLabel", "only with ALBRequestCountPerTarget");
}

/* §5.10: ALBRequestCountPerTarget is not for blue/green (choice E197: nor for
 * LINEAR and CANARY, ECS's blue/green deployments that shift in steps):
 * a target-tracking policy on it is refused at load for the three, naming
 * the policy; ROLLING is accepted, and so is a step scaling policy on the
 * metric (an alarm the user makes on the one target group it names). */
#define BIND_DC(dc) "\"loadBalancers\":[" BIND("tg") "],\"deploymentConfiguration\":" dc ","
static void test_alb_not_blue_green(void)
{
	char p[1024];
	struct err e;
	struct scenario *s;

	refused("rq-bg1.json", HEAD(60) "\"loadBalancers\":[" ALB "," NLB "]," TGS
		SVC(BIND_DC("{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":5}"),
		    POLICY(",\"policyName\":\"rpt\"")),
		"targetTracking[0]", "(policy 'rpt') is not supported for a blue/green deployment");
	refused("rq-bg2.json", HEAD(60) "\"loadBalancers\":[" ALB "," NLB "]," TGS
		SVC(BIND_DC("{\"strategy\":\"LINEAR\"}"), POLICY("")),
		"targetTracking[0]", "strategy LINEAR");
	refused("rq-bg3.json", HEAD(60) "\"loadBalancers\":[" ALB "," NLB "]," TGS
		SVC(BIND_DC("{\"strategy\":\"CANARY\"}"), POLICY("")),
		"targetTracking[0]", "strategy CANARY");
	/* accepted: ROLLING target tracking; BLUE_GREEN step scaling */
	rs_write("rq-bg4.json", HEAD(60) "\"loadBalancers\":[" ALB "," NLB "]," TGS
		 SVC(BIND_DC("{\"strategy\":\"ROLLING\"}"), POLICY("")));
	rs_write("rq-bg5.json", HEAD(60) "\"loadBalancers\":[" ALB "," NLB "]," TGS
		 SVC(BIND_DC("{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":5}"),
		     "\"autoScaling\":{\"minCapacity\":1,\"maxCapacity\":10,\"stepScaling\":[{"
		     "\"metric\":\"ALBRequestCountPerTarget\",\"threshold\":1000,"
		     "\"comparisonOperator\":\"GreaterThanThreshold\","
		     "\"stepAdjustments\":[{\"metricIntervalLowerBound\":0,\"scalingAdjustment\":1}]}]}"));
	for (int k = 4; k <= 5; k++) {
		snprintf(p, sizeof p, "%s/rq-bg%d.json", rs_dir(), k);
		err_clear(&e);
		s = scenario_load(p, &e);
		if (!s)
			fprintf(stderr, "\nrq-bg%d.json: %s: %s\n", k, e.path, e.msg);
		CU_ASSERT_PTR_NOT_NULL(s);
		scenario_free(s);
	}
}

/* Two target groups, the policy names the second by AWS's resourceLabel:
 * it reads that group's requests (each ALB sends to one group here).  tg gets 50 requests/s, tg2 5/s; with 2
 * targets, tg2 is 150 per target per minute — below 900 (15 datapoints)
 * but ceil(2 × 150 / 1000) = 1 → scale-in to 1 at 900 s.  Reading tg
 * (1500 per target) it would scale out instead. */
static void test_alb_resource_label(void)
{
	rs_write("rq-label.json", HEAD(1000) "\"loadBalancers\":[" ALB ",{\"name\":\"alb2\","
		 "\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}],"
		 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\",\"traffic\":{\"arrivals\":"
		 "{\"poisson\":{\"ratePerSecond\":50}},\"serviceTimeSeconds\":{\"constant\":{\"value\":0.01}}}},"
		 "{\"name\":\"tg2\",\"loadBalancer\":\"alb2\",\"traffic\":{\"arrivals\":"
		 "{\"poisson\":{\"ratePerSecond\":5}},\"serviceTimeSeconds\":{\"constant\":{\"value\":0.01}}}}],"
		 SVC("\"loadBalancers\":[" BIND("tg") "," BIND("tg2") "],",
		     POLICY(",\"resourceLabel\":\"app/alb2/50dc6c495c0c9188/targetgroup/tg2/73e2d6bc24d8a067\"")));
	T_EQ(rs_run("rq-label.json", "label", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("label", "scaling.csv"), 1);
	T_NEAR(rs_num("label", "scaling.csv", 1, "time_s"), 900);
	T_NEAR(rs_num("label", "scaling.csv", 1, "new"), 1);
	CU_ASSERT(rs_num("label", "scaling.csv", 1, "value") < 200);
}

/* ---- utilisation derived from requests ---------------------------------- */

/* 4 tasks, 40 requests/s Poisson, exponential service of mean 0.5 s, 10
 * workers a task: each target is offered λ = 10/s, so λ·E[S] = 5 busy
 * workers of 10, ρ = 0.5, and the model (idle 10 %, busy 80 %) gives
 * 10 + 70 × 0.5 = 45 %.  min = max = 4 keeps the count. */
static void util_scenario(const char *name, const char *mode)
{
	char buf[4096];

	snprintf(buf, sizeof buf, HEAD(3660)
		 "\"loadBalancers\":[" ALB "],"
		 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\","
		 "\"traffic\":{%s\"arrivals\":{\"poisson\":{\"ratePerSecond\":40}},"
		 "\"serviceTimeSeconds\":{\"exponential\":{\"mean\":0.5}},\"workersPerTask\":10}}],"
		 "\"utilization\":{\"web\":{\"cpu\":{\"fromRequests\":{\"busyPercent\":80,\"idlePercent\":10}}}},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"web\",\"desiredCount\":4,"
		 "\"loadBalancers\":[" BIND("tg") "],"
		 "\"autoScaling\":{\"minCapacity\":4,\"maxCapacity\":4,\"targetTracking\":[{"
		 "\"predefinedMetricType\":\"ECSServiceAverageCPUUtilization\",\"targetValue\":50}]}}]}",
		 mode);
	rs_write(name, buf);
}

/* Mean and standard error of cpu_utilization_pct over the rows from 600 s
 * (every target long healthy). */
static int util_rows(const char *tag, double *mean, double *se)
{
	int n = rs_rows(tag, "services.csv"), k = 0;
	double s = 0, s2 = 0;

	for (int r = 1; r <= n; r++) {
		double t = rs_num(tag, "services.csv", r, "time_s");
		double v = rs_num(tag, "services.csv", r, "cpu_utilization_pct");

		if (t < 600 || isnan(v))
			continue;
		s += v;
		s2 += v * v;
		k++;
	}
	*mean = k ? s / k : NAN;
	*se = k > 1 ? sqrt((s2 - s * s / k) / (k - 1) / k) : NAN;
	return k;
}

static void test_util_from_requests_is_rho(void)
{
	double mean, se;

	util_scenario("rq-util.json", "");
	T_EQ(rs_run("rq-util.json", "util", NULL, NULL, NULL), 0);
	CU_ASSERT(util_rows("util", &mean, &se) >= 40);
	/* 99.9 % confidence interval around the analytic 45 %; se ≈ 0.1 */
	if (!(fabs(mean - 45) <= 3.3 * se + 0.05))
		fprintf(stderr, "\nutil: mean %.3f se %.3f\n", mean, se);
	CU_ASSERT(fabs(mean - 45) <= 3.3 * se + 0.05);
	CU_ASSERT(se < 0.5);
	/* aggregate mode: the expected value itself, every minute */
	util_scenario("rq-utila.json", "\"mode\":\"aggregate\",");
	T_EQ(rs_run("rq-utila.json", "utila", NULL, NULL, NULL), 0);
	CU_ASSERT(util_rows("utila", &mean, &se) >= 40);
	CU_ASSERT(fabs(mean - 45) < 1e-6);
	CU_ASSERT(se < 1e-6);
}

/* The busy share rises with the offered load: twice the rate, 10 busy
 * workers of 10 → 80 %; sharedBy is refused with fromRequests. */
static void test_util_from_requests_saturates(void)
{
	double mean, se;
	char buf[4096];

	snprintf(buf, sizeof buf, HEAD(1260)
		 "\"loadBalancers\":[" ALB "],"
		 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\","
		 "\"traffic\":{\"mode\":\"aggregate\",\"arrivals\":{\"poisson\":{\"ratePerSecond\":120}},"
		 "\"serviceTimeSeconds\":{\"exponential\":{\"mean\":0.5}},\"workersPerTask\":10}}],"
		 "\"utilization\":{\"web\":{\"cpu\":{\"fromRequests\":{\"busyPercent\":80,\"idlePercent\":10}}}},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"web\",\"desiredCount\":4,"
		 "\"loadBalancers\":[" BIND("tg") "],"
		 "\"autoScaling\":{\"minCapacity\":4,\"maxCapacity\":4,\"targetTracking\":[{"
		 "\"predefinedMetricType\":\"ECSServiceAverageCPUUtilization\",\"targetValue\":50}]}}]}");
	rs_write("rq-sat.json", buf);
	T_EQ(rs_run("rq-sat.json", "sat", NULL, NULL, NULL), 0);
	CU_ASSERT(util_rows("sat", &mean, &se) >= 5);
	CU_ASSERT(fabs(mean - 80) < 1e-6);
	refused("rq-r7.json", HEAD(60) "\"utilization\":{\"web\":{\"sharedBy\":4,"
		"\"cpu\":{\"fromRequests\":{}}}},\"services\":[]}", "sharedBy", "fromRequests");
}

static CU_TestInfo reqscale_tests[] = {
	{ "ALBRequestCountPerTarget tracking follows a step", test_alb_target_tracking_step },
	{ "ALBRequestCountPerTarget scale-in waits its cooldown", test_alb_scale_in_cooldown },
	{ "ALBRequestCountPerTarget within min/max", test_alb_within_bounds },
	{ "ALBRequestCountPerTarget every 30 s: per minute, datapoints counted", test_alb_datapoint_period },
	{ "ALBRequestCountPerTarget target group refusals", test_alb_refusals },
	{ "ALBRequestCountPerTarget target tracking refused for blue/green, linear, canary", test_alb_not_blue_green },
	{ "resourceLabel picks the target group", test_alb_resource_label },
	{ "utilisation from requests is rho", test_util_from_requests_is_rho },
	{ "utilisation from requests saturates", test_util_from_requests_saturates },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "reqscale", setup, rs_teardown, NULL, NULL, reqscale_tests },
	CU_SUITE_INFO_NULL,
};
