/* tests/test_fault_rows.c — failures.csv's rows are held only until they
 * can be written, not to the end of the run: memory grows with the faults
 * whose requests_failed window is still open, not with the faults of the
 * run.  A 6-h run whose instances fail every 10 minutes or so (each repaired
 * after 60 s) writes hundreds of rows; behind a load balancer a row waits
 * until the metrics intervals cover its window (the fault and its repair),
 * without one it is written at once (models/metrics.h,
 * metrics_fault_rows_held).  A fault with no end (an instance gone, replaced
 * by Auto Scaling) has a window to the end of the run: its row is set aside
 * and the rows after it wait in a temporary file, not in memory
 * (metrics_fault_rows_open).  The requests_failed columns of failures.csv
 * and recovery.csv are checked against requests.csv's intervals, as
 * scenarios/README.md defines them (per-request mode: integers, exact), so
 * the rows' order and values are those of the whole run's sums. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane.h"
#include "models/metrics.h"

static const char *td_web =
	"{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\",\"cpu\":256,\"memory\":512,"
	"\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}";

#define FAILS "\"failures\":{\"timeToFailureSeconds\":{\"exponential\":{\"mean\":600}}," \
	"\"timeToRepairSeconds\":{\"constant\":{\"value\":60}}}"

#define GROUPS "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":4," \
	FAILS "},{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":4," FAILS "}],"

/* the ALB, its target group and the service behind it, closing the
 * scenario */
#define LB_TAIL "\"loadBalancers\":[{\"name\":\"alb\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}]," \
	"\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\"," \
	"\"attributes\":{\"deregistration_delay.timeout_seconds\":30}," \
	"\"traffic\":{\"arrivals\":{\"poisson\":{\"ratePerSecond\":2}}," \
	"\"serviceTimeSeconds\":{\"exponential\":{\"mean\":5}},\"workersPerTask\":100}}]," \
	"\"taskDefinitions\":{\"web\":\"fr-web.json\"}," \
	"\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":4," \
	"\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}]}"

static const char *scn_lb =
	"{\"name\":\"fr-lb\",\"seed\":11,\"durationSeconds\":21600,\"metricsIntervalSeconds\":300,"
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," GROUPS
	LB_TAIL;

/* the second group's instances are gone when they fail (no repair),
 * replaced after 60 s */
#define GONE "\"failures\":{\"timeToFailureSeconds\":{\"exponential\":{\"mean\":1800}}}," \
	"\"autoScaling\":{\"replaceFailed\":true,\"replacementDelaySeconds\":60}"

static const char *scn_gone =
	"{\"name\":\"fr-gone\",\"seed\":12,\"durationSeconds\":21600,\"metricsIntervalSeconds\":300,"
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
	"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":4," FAILS "},"
	"{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":4," GONE "}],"
	LB_TAIL;

/* a trickle of quick requests: the faults fail none */
static const char *scn_quiet =
	"{\"name\":\"fr-quiet\",\"seed\":11,\"durationSeconds\":21600,\"metricsIntervalSeconds\":300,"
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," GROUPS
	"\"loadBalancers\":[{\"name\":\"alb\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}],"
	"\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\","
	"\"traffic\":{\"arrivals\":{\"poisson\":{\"ratePerSecond\":0.0001}},"
	"\"serviceTimeSeconds\":{\"constant\":{\"value\":0.001}},\"workersPerTask\":100}}],"
	"\"taskDefinitions\":{\"web\":\"fr-web.json\"},"
	"\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":4,"
	"\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}]}";

static const char *scn_plain =
	"{\"name\":\"fr-plain\",\"seed\":11,\"durationSeconds\":21600,\"metricsIntervalSeconds\":300,"
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," GROUPS
	"\"taskDefinitions\":{\"web\":\"fr-web.json\"},"
	"\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":4}]}";

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("fr-web.json", td_web);
	rs_write("fr-lb.json", scn_lb);
	rs_write("fr-plain.json", scn_plain);
	rs_write("fr-gone.json", scn_gone);
	rs_write("fr-quiet.json", scn_quiet);
	return 0;
}

/* the most rows held, and set aside */
static void observe(struct backplane *bp, void *ctx)
{
	size_t *max = ctx;
	struct metrics *m = backplane_metrics(bp);

	if (m && metrics_fault_rows_held(m) > max[0])
		max[0] = metrics_fault_rows_held(m);
	if (m && metrics_fault_rows_open(m) > max[1])
		max[1] = metrics_fault_rows_open(m);
}

/* requests.csv's traffic rows (az empty): interval ends and failures */
struct ivs {
	double *end, *failed;
	int n;
};

static void read_ivs(const char *tag, struct ivs *v)
{
	int rows = rs_rows(tag, "requests.csv");

	v->end = calloc((size_t)rows + 1, sizeof *v->end);
	v->failed = calloc((size_t)rows + 1, sizeof *v->failed);
	v->n = 0;
	for (int r = 1; r <= rows; r++) {
		char *az = rs_cell(tag, "requests.csv", r, "az");

		if (az && !*az) {
			v->end[v->n] = rs_num(tag, "requests.csv", r, "time_s");
			v->failed[v->n++] = rs_num(tag, "requests.csv", r, "http_502") +
					    rs_num(tag, "requests.csv", r, "http_503") +
					    rs_num(tag, "requests.csv", r, "http_504");
		}
		free(az);
	}
}

/* The failures of the intervals (a, b] with b >= t0 and a < t1. */
static double window_failed(const struct ivs *v, double t0, double t1)
{
	double sum = 0, a = 0;

	for (int i = 0; i < v->n; a = v->end[i++])
		if (v->end[i] >= t0 - 1e-9 && a < t1 - 1e-9)
			sum += v->failed[i];
	return sum;
}

/* requests_failed of every row of failures.csv and recovery.csv of
 * out-<tag> against requests.csv's intervals */
static void check_failed(const char *tag)
{
	int faults = rs_rows(tag, "failures.csv"), bad = 0, bad_rec = 0, recs, any = 0;
	double end = 21600;
	struct ivs v;
	char msg[160];

	read_ivs(tag, &v);
	CU_ASSERT(v.n == 72);
	for (int r = 1; r <= faults; r++) {
		double t0 = rs_num(tag, "failures.csv", r, "time_s");
		double d = rs_num(tag, "failures.csv", r, "duration_s");
		double got = rs_num(tag, "failures.csv", r, "requests_failed");
		double want = window_failed(&v, t0, d >= 0 && t0 + d < end ? t0 + d : end);

		any += want > 0;
		if (got != want && bad++ < 3) {
			snprintf(msg, sizeof msg, "failures.csv row %d: requests_failed %.3f, want %.3f", r, got, want);
			T_FAIL(msg);
		}
	}
	T_EQ(bad, 0);
	CU_ASSERT(any >= 10);
	/* recovery.csv: from the fault's time (failures.csv) until restored_s */
	recs = rs_rows(tag, "recovery.csv");
	CU_ASSERT(recs >= 50);
	for (int r = 1; r <= recs; r++) {
		char *id = rs_cell(tag, "recovery.csv", r, "fault_id");
		int f = rs_find(tag, "failures.csv", "fault_id", id);
		double t0 = f ? rs_num(tag, "failures.csv", f, "time_s") : end;
		double d = rs_num(tag, "recovery.csv", r, "restored_s");
		double got = rs_num(tag, "recovery.csv", r, "requests_failed");
		double want = window_failed(&v, t0, d >= 0 && t0 + d < end ? t0 + d : end);
		/* behind a load balancer every row has a number, 0 included
		 * (empty is for a service without one) */
		char *cell = rs_cell(tag, "recovery.csv", r, "requests_failed");
		int empty = !cell || !*cell;

		free(cell);
		if ((!f || got != want || empty) && bad_rec++ < 3) {
			snprintf(msg, sizeof msg, "recovery.csv row %d (fault %s): requests_failed %.3f, want %.3f",
				 r, id, got, want);
			T_FAIL(msg);
		}
		free(id);
	}
	T_EQ(bad_rec, 0);
	free(v.end);
	free(v.failed);
}

static void test_held_lb(void)
{
	size_t max[2] = { 0, 0 };
	int faults;
	char msg[160];

	CU_ASSERT_EQUAL_FATAL(rs_run("fr-lb.json", "lb", NULL, observe, max), 0);
	faults = rs_rows("lb", "failures.csv");
	snprintf(msg, sizeof msg, "%d faults, at most %zu failures.csv rows held", faults, max[0]);
	CU_PASS(msg);
	CU_ASSERT(faults >= 200);
	CU_ASSERT(max[0] >= 1);
	CU_ASSERT(max[0] <= 24);
	T_EQ(max[1], 0);
	check_failed("lb");
}

static void test_held_gone(void)
{
	size_t max[2] = { 0, 0 };
	int faults, gone;
	char msg[160];

	CU_ASSERT_EQUAL_FATAL(rs_run("fr-gone.json", "gone", NULL, observe, max), 0);
	faults = rs_rows("gone", "failures.csv");
	gone = rs_count("gone", "failures.csv", "duration_s", "");
	snprintf(msg, sizeof msg, "%d faults, %d with no end, at most %zu rows held and %zu set aside", faults,
		 gone, max[0], max[1]);
	CU_PASS(msg);
	CU_ASSERT(faults >= 150);
	CU_ASSERT(gone >= 30);
	/* the first fault with no end comes early: every row after it
	 * waited to the end of the run, before */
	CU_ASSERT(max[0] <= 24);
	T_EQ(max[1], gone);
	check_failed("gone");
}

static void test_held_plain(void)
{
	size_t max[2] = { 0, 0 };
	int faults;
	char msg[160], *cell;

	CU_ASSERT_EQUAL_FATAL(rs_run("fr-plain.json", "plain", NULL, observe, max), 0);
	faults = rs_rows("plain", "failures.csv");
	snprintf(msg, sizeof msg, "%d faults, at most %zu failures.csv rows held", faults, max[0]);
	CU_PASS(msg);
	CU_ASSERT(faults >= 200);
	/* no load balancer: each row is written as its fault comes */
	CU_ASSERT(max[0] <= 1);
	T_EQ(max[1], 0);
	cell = rs_cell("plain", "failures.csv", faults, "requests_failed");
	T_STREQ(cell, "");
	free(cell);
	CU_ASSERT(rs_rows("plain", "recovery.csv") >= 100);
	/* nor in recovery.csv: empty, not 0 */
	T_EQ(rs_count("plain", "recovery.csv", "requests_failed", ""), rs_rows("plain", "recovery.csv"));
}

/* Behind a load balancer whose faults fail no request: recovery.csv's
 * requests_failed is 0 on every row (the service has a target group),
 * not empty (a service without one), though no interval of the run
 * failed a request. */
static void test_quiet_lb(void)
{
	int recs, total = 0;

	CU_ASSERT_EQUAL_FATAL(rs_run("fr-quiet.json", "quiet", NULL, NULL, NULL), 0);
	for (int r = 1; r <= rs_rows("quiet", "requests.csv"); r++)
		total += (int)(rs_num("quiet", "requests.csv", r, "http_502") + rs_num("quiet", "requests.csv", r, "http_503") +
			       rs_num("quiet", "requests.csv", r, "http_504"));
	T_EQ(total, 0);
	recs = rs_rows("quiet", "recovery.csv");
	CU_ASSERT(recs >= 100);
	T_EQ(rs_count("quiet", "recovery.csv", "requests_failed", "0"), recs);
}

static CU_TestInfo tests[] = {
	{ "behind a load balancer, a failures.csv row is held until its window is covered", test_held_lb },
	{ "a fault with no end behind a load balancer: its row set aside, the rows after it not held",
	  test_held_gone },
	{ "without a load balancer, a failures.csv row is written as its fault comes", test_held_plain },
	{ "behind a load balancer whose faults fail no request, recovery.csv says 0", test_quiet_lb },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "fault rows", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
