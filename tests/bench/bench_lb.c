/* tests/bench/bench_lb.c — simulated requests per second of CPU through
 * models/lb: 100 targets (10 workers each, exponential service of mean
 * 0.1 s, so 10,000 requests/s of capacity) at 7,000 requests/s Poisson,
 * with round_robin and least_outstanding_requests, per request (2*10^6
 * requests) and in aggregate mode (30 simulated days, 60 s intervals).
 * Prints a table; asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "models/lb/lb.h"
#include "sim/sim.h"
#include "tests/helpers/lb_harness.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int run(const char *algo, const char *mode, double sim_seconds)
{
	char json[2048];
	struct lbh h;
	struct err e;
	struct lb_counts k;
	double t0, t1;
	uint64_t ev0;

	snprintf(json, sizeof json,
		 "{\"loadBalancers\": [{\"name\": \"alb\", \"availabilityZones\": [\"us-east-1a\", \"us-east-1b\"]}],"
		 " \"targetGroups\": [{\"name\": \"tg\", \"loadBalancer\": \"alb\","
		 " \"attributes\": {\"load_balancing.algorithm.type\": \"%s\"},"
		 " \"traffic\": {\"mode\": \"%s\", \"arrivals\": {\"poisson\": {\"ratePerSecond\": 7000}},"
		 " \"serviceTimeSeconds\": {\"exponential\": {\"mean\": 0.1}}, \"workersPerTask\": 10,"
		 " \"queueLimit\": 100}}]}", algo, mode);
	err_clear(&e);
	if (lbh_init(&h, json, 1, 60000, &e)) {
		char m[1024];

		err_format(&e, m, sizeof m);
		fprintf(stderr, "bench_lb: %s\n", m);
		return 1;
	}
	for (int i = 0; i < 100; i++) {
		char name[16];

		snprintf(name, sizeof name, "t%d", i);
		lb_target_register(h.lb, 0, (uint64_t)i, name, i % 2 ? "us-east-1b" : "us-east-1a", NULL, 0);
	}
	sim_run(h.s, 30000);
	lb_start(h.lb, 30000, &e);
	ev0 = sim_events(h.s);
	t0 = now_s();
	sim_run(h.s, 30000 + (sim_time_t)(sim_seconds * 1000));
	t1 = now_s();
	lb_tg_counts(h.lb, 0, &k);
	printf("%-28s %-10s %12.0f %10.3f %14.0f %12.0f  %.3f%%\n", algo, mode, k.arrivals, t1 - t0,
	       k.arrivals / (t1 - t0), (double)(sim_events(h.s) - ev0) / (t1 - t0),
	       100 * k.served / k.arrivals);
	lbh_free(&h);
	return 0;
}

int main(void)
{
	int rc = 0;

	printf("%-28s %-10s %12s %10s %14s %12s  %s\n", "algorithm", "mode", "requests", "cpu_s",
	       "requests/s", "events/s", "served");
	rc |= run("round_robin", "perRequest", 2e6 / 7000);
	rc |= run("least_outstanding_requests", "perRequest", 2e6 / 7000);
	rc |= run("round_robin", "aggregate", 30 * 86400);
	rc |= run("least_outstanding_requests", "aggregate", 30 * 86400);
	return rc;
}
