/* tests/test_lb_reason.c — targets.csv's reason when a draining target
 * becomes unused (docs/ecs-model.md §6.3: a deregistered target drains
 * "until in-flight requests finish or the delay ends"; scenarios/README.md
 * "Outputs": `drained: no request in flight`, `deregistration delay
 * ended`).  When the delay ends with requests in flight, they are cut
 * (502) and the reason is the delay's, also with a delay of 0; before, the
 * cut emptied the target first and it was logged as drained.  Driven by
 * the engine alone (tests/helpers/lb_harness.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "models/lb/lb.h"
#include "sim/sim.h"
#include "tests/helpers/badfiles.h"
#include "tests/helpers/lb_harness.h"
#include "tests/helpers/tutil.h"

static struct lbh H;

/* One target t0 in us-east-1a, registered at 0 (healthy at 30 s), Poisson
 * traffic 2/s from 30 s, a constant service of `service_s`, room for every
 * request; deregistered at 40 s with a delay of `delay_s`; run to 100 s.
 * Returns targets.csv (malloc'd) and the counts. */
static char *run(int delay_s, const char *service_s, struct lb_counts *k)
{
	char dir[] = "/tmp/ecsim-lbreason-XXXXXX", j[2048], path[256];
	struct err e;
	char *tgt, *raw;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(j, sizeof j,
		 "{\"loadBalancers\": [{\"name\": \"alb\", \"type\": \"application\","
		 " \"availabilityZones\": [\"us-east-1a\", \"us-east-1b\"]}],"
		 " \"targetGroups\": [{\"name\": \"tg\", \"loadBalancer\": \"alb\","
		 " \"attributes\": {\"deregistration_delay.timeout_seconds\": %d},"
		 " \"traffic\": {\"arrivals\": {\"poisson\": {\"ratePerSecond\": 2}},"
		 " \"serviceTimeSeconds\": %s, \"workersPerTask\": 100000, \"queueLimit\": 0,"
		 " \"clientTimeoutSeconds\": 4000}}]}", delay_s, service_s);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(lbh_init(&H, j, 51, 60000, &e), 0);
	CU_ASSERT_EQUAL_FATAL(lb_open_outputs(H.lb, dir, &e), 0);
	lb_target_register(H.lb, 0, 0, "t0", "us-east-1a", NULL, 0);
	sim_run(H.s, 30000);
	CU_ASSERT_EQUAL_FATAL(lb_start(H.lb, 30000, &e), 0);
	sim_run(H.s, 40000);
	CU_ASSERT(lb_target_outstanding(H.lb, 0, 0) > 0);
	lb_target_deregister(H.lb, 0, 0, 40000);
	sim_run(H.s, 100000);
	CU_ASSERT_EQUAL_FATAL(lb_close(H.lb, 100000, &e), 0);
	lb_tg_counts(H.lb, 0, k);
	lbh_free(&H);
	snprintf(path, sizeof path, "%s/targets.csv", dir);
	raw = t_slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(raw);
	tgt = malloc(strlen(raw) + 2);     /* t_slurp drops the last newline */
	sprintf(tgt, "%s\n", raw);
	free(raw);
	snprintf(path, sizeof path, "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(path), 0);
	return tgt;
}

/* 1000-s requests, a 10-s delay: the delay ends first (50 s), the requests
 * in flight are cut */
static void test_delay_ends_first(void)
{
	struct lb_counts k;
	char *tgt = run(10, "1000", &k);

	CU_ASSERT_PTR_NOT_NULL(strstr(tgt, "\n40.000,tg,t0,us-east-1a,healthy,draining,deregistered\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tgt, "\n50.000,tg,t0,us-east-1a,draining,unused,deregistration delay ended\n"));
	CU_ASSERT_PTR_NULL(strstr(tgt, "drained: no request in flight"));
	CU_ASSERT(k.e502 > 5);
	T_EQ(k.served, 0);
	free(tgt);
}

/* a delay of 0 with requests in flight: cut at once, the delay's reason */
static void test_zero_delay(void)
{
	struct lb_counts k;
	char *tgt = run(0, "1000", &k);

	CU_ASSERT_PTR_NOT_NULL(strstr(tgt, "\n40.000,tg,t0,us-east-1a,draining,unused,deregistration delay ended\n"));
	CU_ASSERT_PTR_NULL(strstr(tgt, "drained: no request in flight"));
	CU_ASSERT(k.e502 > 5);
	free(tgt);
}

/* 1-s requests, a 300-s delay: the last in-flight request ends within 1 s
 * of the deregistration, which ends the drain, nothing cut */
static void test_requests_end_first(void)
{
	struct lb_counts k;
	char *tgt = run(300, "1", &k);
	const char *p = strstr(tgt, ",draining,unused,drained: no request in flight\n");

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	while (p > tgt && p[-1] != '\n')
		p--;
	CU_ASSERT(strtod(p, NULL) > 40 && strtod(p, NULL) <= 41);
	CU_ASSERT_PTR_NULL(strstr(tgt, "deregistration delay ended"));
	T_EQ(k.e502, 0);
	free(tgt);
}

CU_TestInfo lb_reason_tests[] = {
	{ "the delay ends with requests in flight: its reason", test_delay_ends_first },
	{ "a delay of 0 with requests in flight: its reason", test_zero_delay },
	{ "the requests end first: drained", test_requests_end_first },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "lb-reason", NULL, NULL, NULL, NULL, lb_reason_tests },
	CU_SUITE_INFO_NULL,
};
