/* tests/test_theory.c — ecsim's stochastic models against exact results of
 * queueing and reliability theory (scenarios/README.md, "`workload`",
 * "`pending`", "Faults", "`fargate`", "`service_summary.csv`").
 *
 * Each scenario is one where theory gives the answer exactly: a Poisson
 * arrival count.  Every latency is 0. */
#include <math.h>
#include <stdio.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"

#define ZERO_CP "\"controlPlane\":{\"placementLatencySeconds\":0,\"apiLatencySeconds\":0,\"schedulerDelaySeconds\":0," \
	"\"heartbeatTimeoutSeconds\":0,\"heartbeatJitterSeconds\":0,\"healthyAfterSeconds\":0},"
#define ZERO_AGENT "\"agent\":{\"networkDelaySeconds\":0,\"imagePullSeconds\":0,\"imagePullCachedSeconds\":0," \
	"\"containerStartSeconds\":0,\"shutdownSeconds\":0},"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write_def("slot", 512, 64);
	return 0;
}

/* A generator with exponential gaps of mean 1 ms (the least the scenario
 * accepts, docs/ecs-model.md choice E86) is a Poisson process of rate
 * 1000/s: over 100 s, 1 + Poisson(100,000) submissions (the first at
 * `startSeconds`), sd 316.  The old code rounded each gap to the
 * millisecond on its own, a renewal process of mean gap
 * e^-0.5 / (1 - e^-1) = 0.9595 ms: 104,220 submissions (13 sd over). */
static void test_poisson_count(void)
{
	double n, want = 1 + 100000;
	char msg[160];

	rs_write("pc.json", "{\"name\":\"pc\",\"seed\":4,\"durationSeconds\":100,\"metricsIntervalSeconds\":100,"
		 ZERO_CP ZERO_AGENT "\"pending\":{\"mode\":\"fail\"},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"taskDefinitions\":{\"slot\":\"slot.json\"},"
		 "\"workload\":{\"generators\":[{\"interArrivalSeconds\":{\"exponential\":{\"mean\":0.001}},"
		 "\"taskDefinitions\":[\"slot\"],\"runtimeSeconds\":1}]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("pc.json", "pc", NULL, NULL, NULL), 0);
	n = rs_num("pc", "summary.csv", 1, "tasks_submitted");
	snprintf(msg, sizeof msg, "tasks_submitted %.0f, Poisson %.0f ± 5 x %.0f", n, want, sqrt(want));
	CU_assertImplementation(fabs(n - want) <= 5 * sqrt(want), __LINE__, msg, __FILE__, "", CU_FALSE);
}

static CU_TestInfo theory_tests[] = {
	{ "generator: a Poisson count at a 1-ms mean gap", test_poisson_count },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "theory", setup, rs_teardown, NULL, NULL, theory_tests },
	CU_SUITE_INFO_NULL,
};
