/* tests/test_erlang_pending.c — summary.csv's waiting figures against
 * queueing theory (scenarios/README.md, "`summary.csv`" and "`pending`").
 *
 * RunTask tasks arriving as a Poisson process and running an exponential
 * time on c identical slots, every latency 0, the ones that fit nowhere
 * waiting PENDING first in, first out (`pending.mode` `wait`, the default)
 * until a task stops: an M/M/c queue.  A task's wait from submission to
 * placement is then the queue's waiting time W, whose law is Erlang C's:
 * P(W > 0) = C(c, a), E[W] = C / (c mu - lambda) (a = lambda / mu).
 * mean_pending_s is E[W], and the time-weighted mean_cpu_reserved_pct is
 * 100 lambda / (c mu) (the mean number of busy slots is a).  Each figure
 * is checked over independent seeds with a Student-t interval (GSL) at
 * 99.9 %.  p99_pending_s is not: over this many distinct waits it is GSL's
 * P² estimate (scenarios/README.md), which on a queue's correlated waits
 * strays from the exact percentile by up to ~10 % per run. */
#include <math.h>
#include <stdio.h>

#include <CUnit/CUnit.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_statistics_double.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"

#define N_SEEDS 20

static int setup(void)
{
	if (rs_setup())
		return 1;
	/* four of them fill the host's 2048 CPU units: c = 4 */
	rs_write_def("slot", 512, 64);
	return 0;
}

/* Erlang's C formula: P(wait) for c servers at offered load a < c. */
static double erlang_c(int c, double a)
{
	double s = 0, top;

	for (int k = 0; k < c; k++)
		s += exp(k * log(a) - gsl_sf_lnfact((unsigned)k));
	top = exp(c * log(a) - gsl_sf_lnfact((unsigned)c)) * c / (c - a);
	return top / (s + top);
}

/* |mean of xs - want| within the 99.9 % Student-t interval of the seeds;
 * the interval itself under `rel` of want, so the check has teeth. */
static void check(const char *what, const double *xs, double want, double rel)
{
	double m = gsl_stats_mean(xs, 1, N_SEEDS);
	double half = gsl_cdf_tdist_Pinv(0.9995, N_SEEDS - 1) * gsl_stats_sd(xs, 1, N_SEEDS) / sqrt(N_SEEDS);
	char msg[200];

	snprintf(msg, sizeof msg, "%s: %.3f ± %.3f over %d seeds, theory %.3f", what, m, half, N_SEEDS, want);
	CU_assertImplementation(fabs(m - want) <= half, __LINE__, msg, __FILE__, "", CU_FALSE);
	CU_assertImplementation(half < rel * want, __LINE__, msg, __FILE__, "", CU_FALSE);
}

/* c = 4, 1/mu = 100 s, 1/lambda = 31.25 s: a = 3.2, load 0.8,
 * C = 0.5964, E[W] = 74.554 s;
 * 20 seeds of 10^6 s (32,000 tasks each; the queue forgets its empty start
 * within a few thousand seconds). */
static void test_mmc_wait(void)
{
	const int c = 4;
	const double mu = 0.01, lambda = 0.032, a = lambda / mu;
	double pw = erlang_c(c, a), mean[N_SEEDS], cpu[N_SEEDS];

	for (int i = 0; i < N_SEEDS; i++) {
		char json[1600], tag[16];

		snprintf(json, sizeof json,
			 "{\"name\":\"mmc\",\"seed\":%d,\"durationSeconds\":1000000,\"metricsIntervalSeconds\":100000,"
			 "\"controlPlane\":{\"placementLatencySeconds\":0,\"apiLatencySeconds\":0},"
			 "\"agent\":{\"networkDelaySeconds\":0,\"imagePullSeconds\":0,\"imagePullCachedSeconds\":0,"
			 "\"containerStartSeconds\":0,\"shutdownSeconds\":0},"
			 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
			 "\"instanceTypes\":[{\"name\":\"q.host\",\"vcpu\":2,\"memoryGiB\":8}],"
			 "\"instanceDefaults\":{\"memoryOsFactor\":1,\"reservedMemoryMiB\":0},"
			 "\"instanceGroups\":[{\"instanceType\":\"q.host\",\"availabilityZone\":\"us-east-1a\",\"count\":1}],"
			 "\"taskDefinitions\":{\"slot\":\"slot.json\"},"
			 "\"workload\":{\"generators\":[{\"interArrivalSeconds\":{\"exponential\":{\"mean\":%g}},"
			 "\"taskDefinitions\":[\"slot\"],\"runtimeSeconds\":{\"exponential\":{\"mean\":%g}}}]}}",
			 101 + i, 1 / lambda, 1 / mu);
		snprintf(tag, sizeof tag, "mmc%d", i);
		rs_write("mmc.json", json);
		CU_ASSERT_EQUAL_FATAL(rs_run("mmc.json", tag, NULL, NULL, NULL), 0);
		mean[i] = rs_num(tag, "summary.csv", 1, "mean_pending_s");
		cpu[i] = rs_num(tag, "summary.csv", 1, "mean_cpu_reserved_pct");
	}
	check("mean_pending_s", mean, pw / (c * mu - lambda), 0.1);
	check("mean_cpu_reserved_pct", cpu, 100 * lambda / (c * mu), 0.01);
}

static CU_TestInfo erlang_tests[] = {
	{ "M/M/c: mean wait against Erlang C, reservation against the load", test_mmc_wait },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "erlang_pending", setup, rs_teardown, NULL, NULL, erlang_tests },
	CU_SUITE_INFO_NULL,
};
