/* tests/test_lb_clock.c — per-request mode keeps each request's times
 * exact (microseconds) inside the load balancer and runs its request events
 * in the order of those times (docs/ecs-model.md choice E215), so the
 * queues match queueing theory at millisecond-scale service times, where
 * a 1-ms clock made the blocking 5–9% too low (an arrival and a
 * completion of the same millisecond ran in the order scheduled, and 9.5%
 * of Exp(5 ms) service draws became 0 ms).
 *
 * The theory: M/M/c/K from the birth-death balance (Erlang B when K = 0,
 * insensitive to the service distribution); the simulated values are batch
 * means over equal stretches of simulated time, with a 99% confidence
 * interval (Student t).  Driven by the engine alone
 * (tests/helpers/lb_harness.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <gsl/gsl_cdf.h>

#include "models/lb/lb.h"
#include "sim/sim.h"
#include "tests/helpers/lb_harness.h"
#include "tests/helpers/tutil.h"

static struct lbh H;

/* An ALB over two AZs, one target group `tg` with this traffic; one target
 * in us-east-1a, healthy at its first check (30 s), traffic from 30 s. */
static void setup_one(const char *traffic, uint64_t seed)
{
	char j[2048];
	struct err e;

	snprintf(j, sizeof j,
		 "{\"loadBalancers\": [{\"name\": \"alb\", \"type\": \"application\","
		 " \"availabilityZones\": [\"us-east-1a\", \"us-east-1b\"]}],"
		 " \"targetGroups\": [{\"name\": \"tg\", \"loadBalancer\": \"alb\","
		 " \"attributes\": {}, \"traffic\": {%s}}]}", traffic);
	err_clear(&e);
	if (lbh_init(&H, j, seed, 60000, &e)) {
		char m[2048];

		err_format(&e, m, sizeof m);
		fprintf(stderr, "setup: %s\n", m);
		abort();
	}
	lb_target_register(H.lb, 0, 0, "t0", "us-east-1a", NULL, 0);
	sim_run(H.s, 30000);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(lb_start(H.lb, 30000, &e), 0);
}

/* M/M/c/K (K waiting places) at offered load a = lambda/mu: the blocking
 * probability and the mean number in the system, from the balance
 * p(n) = p(n-1) a / min(n, c). */
static void mmck(int c, int k, double a, double *block, double *l)
{
	double p = 1, sum = 1, ln = 0;

	for (int n = 1; n <= c + k; n++) {
		p *= n <= c ? a / n : a / c;
		sum += p;
		ln += n * p;
	}
	*block = p / sum;
	*l = ln / sum;
}

/* mean and 99% CI half-width of batch means x[0..n) */
static void ci99(const double *x, int n, double *mean, double *half)
{
	double m = 0, v = 0;

	for (int i = 0; i < n; i++)
		m += x[i];
	m /= n;
	for (int i = 0; i < n; i++)
		v += (x[i] - m) * (x[i] - m);
	v /= (n - 1);
	*mean = m;
	*half = gsl_cdf_tdist_Pinv(0.995, n - 1) * sqrt(v / n);
}

/* The theory's value inside the batch means' 99% CI, and the CI narrower
 * than `max_half` (so that the test can tell). */
static void check_ci(const char *what, const double *x, int n, double want, double max_half)
{
	double m, h;
	char msg[256];

	ci99(x, n, &m, &h);
	snprintf(msg, sizeof msg, "%s: %.5f ± %.5f (99%%, %d batches), theory %.5f", what, m, h, n, want);
	if (!(fabs(m - want) <= h) || !(h < max_half))
		T_FAIL(msg);
	else
		CU_PASS(msg);
}

#define NB 100

/* Run NB batches of `batch` ms from 30 s (after `warm` ms); per batch the
 * share of arrivals blocked (503) and the mean latency of the served (ms). */
static void run_batches(sim_time_t warm, sim_time_t batch, double *blk, double *lat)
{
	struct lb_counts a, b;
	sim_time_t t = 30000 + warm;

	sim_run(H.s, t);
	lb_tg_counts(H.lb, 0, &a);
	for (int i = 0; i < NB; i++) {
		t += batch;
		sim_run(H.s, t);
		lb_tg_counts(H.lb, 0, &b);
		blk[i] = (b.e503 - a.e503) / (b.arrivals - a.arrivals);
		lat[i] = (b.latency_sum_ms - a.latency_sum_ms) / (b.served - a.served);
		a = b;
	}
}

/* Erlang B at 1/mu = 5 ms: lambda = 300/s, c = 2, no queue (a = 1.5):
 * B = (a²/2) / (1 + a + a²/2) = 0.310345.  The 1-ms clock gave 0.2836. */
static void test_erlang_b_5ms(void)
{
	double blk[NB], lat[NB], want, l;
	struct lb_counts k;

	mmck(2, 0, 1.5, &want, &l);
	CU_ASSERT_DOUBLE_EQUAL(want, 1.125 / 3.625, 1e-12);
	setup_one("\"arrivals\": {\"poisson\": {\"ratePerSecond\": 300}},"
		  " \"serviceTimeSeconds\": {\"exponential\": {\"mean\": 0.005}},"
		  " \"workersPerTask\": 2, \"queueLimit\": 0, \"clientTimeoutSeconds\": 1000000", 41);
	run_batches(1000, 10000, blk, lat);        /* 300,000 arrivals */
	check_ci("Erlang B blocking, 1/mu = 5 ms", blk, NB, want, 0.005);
	/* no queue: a served request's latency is its service time */
	check_ci("mean latency (ms), no queue", lat, NB, 5.0, 0.05);
	lb_tg_counts(H.lb, 0, &k);
	T_EQ(k.e502 + k.e504, 0);
	T_EQ(k.waited, 0);
	lbh_free(&H);
}

/* M/M/2/5 at 1/mu = 5 ms: lambda = 300/s, c = 2, K = 3 (a = 1.5): blocking
 * 0.085114 and mean response L / (lambda (1 - B)) = 7.309 ms (Little).
 * The 1-ms clock gave 0.0811 and 7.389 ms. */
static void test_mmck_5ms(void)
{
	double blk[NB], lat[NB], want, l, w;

	mmck(2, 3, 1.5, &want, &l);
	w = l / (300 * (1 - want)) * 1000;
	CU_ASSERT_DOUBLE_EQUAL(want, 0.085114, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(w, 7.309, 1e-3);
	setup_one("\"arrivals\": {\"poisson\": {\"ratePerSecond\": 300}},"
		  " \"serviceTimeSeconds\": {\"exponential\": {\"mean\": 0.005}},"
		  " \"workersPerTask\": 2, \"queueLimit\": 3, \"clientTimeoutSeconds\": 1000000", 42);
	run_batches(1000, 30000, blk, lat);        /* 900,000 arrivals */
	check_ci("M/M/2/5 blocking, 1/mu = 5 ms", blk, NB, want, 0.002);
	check_ci("M/M/2/5 mean response (ms)", lat, NB, w, 0.05);
	lbh_free(&H);
}

/* Sub-millisecond order, worked by hand: one worker, a constant 0.4 ms
 * service, requests from a trace at 30.0001, 30.0003 and 30.0010 s (all in
 * the millisecond 30000).  The second arrives while the first is in
 * service (until 30.0005): it waits 0.2 ms and ends at 30.0009; the third
 * finds the worker free.  Latencies 0.4 + 0.6 + 0.4 = 1.4 ms, one waited.
 * Without a queue (queueLimit 0) the second is a 503.  On a 1-ms clock
 * every service took 0 ms and none waited. */
static void trace_case(const char *dir, int queue, struct lb_counts *k)
{
	char path[256], traffic[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/req.csv", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "time_s\n30.0001\n30.0003\n30.0010\n");
	fclose(f);
	snprintf(traffic, sizeof traffic, "\"arrivals\": {\"trace\": {\"file\": \"%s\"}},"
		 " \"serviceTimeSeconds\": 0.0004, \"workersPerTask\": 1, \"queueLimit\": %d", path, queue);
	setup_one(traffic, 43);
	sim_run(H.s, 31000);
	lb_tg_counts(H.lb, 0, k);
	lbh_free(&H);
}

static void test_sub_ms_order(void)
{
	char dir[] = "/tmp/ecsim-lbclock-XXXXXX", cmd[128];
	struct lb_counts k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	trace_case(dir, 10, &k);
	T_EQ(k.arrivals, 3);
	T_EQ(k.served, 3);
	T_EQ(k.waited, 1);
	CU_ASSERT_DOUBLE_EQUAL(k.wait_sum_ms, 0.2, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(k.latency_sum_ms, 1.4, 1e-9);
	trace_case(dir, 0, &k);
	T_EQ(k.served, 2);
	T_EQ(k.e503, 1);
	CU_ASSERT_DOUBLE_EQUAL(k.latency_sum_ms, 0.8, 1e-9);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

CU_TestInfo lb_clock_tests[] = {
	{ "Erlang B at 5 ms service times", test_erlang_b_5ms },
	{ "M/M/2/5 at 5 ms service times", test_mmck_5ms },
	{ "request events in exact order within a millisecond", test_sub_ms_order },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "lb-clock", NULL, NULL, NULL, NULL, lb_clock_tests },
	CU_SUITE_INFO_NULL,
};
