/* tests/test_lb.c — models/lb: queueing theory (Erlang C, M/M/c/K, M/M/1
 * under weighted random routing), health-check and deregistration timing
 * (docs/ecs-model.md §6.2, §6.3), aggregate vs per-request mode, the
 * health-check timeout's defaults (6 s for HTTP checks, 10 s for HTTPS and
 * TCP ones, choice E152), and the configuration's errors.  Driven by the engine alone
 * (tests/helpers/lb_harness.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <gsl/gsl_cdf.h>

#include "models/lb/lb.h"
#include "models/taskdef.h"
#include "sim/sim.h"
#include "tests/helpers/lb_harness.h"
#include "tests/helpers/tutil.h"

/* An ALB over two AZs; one target group `tg` whose extra members,
 * attributes and traffic the test gives. */
static char *docf(const char *tg_extra, const char *attrs, const char *traffic)
{
	char *s = malloc(8192);

	snprintf(s, 8192,
		 "{\"loadBalancers\": [{\"name\": \"alb\", \"type\": \"application\","
		 " \"availabilityZones\": [\"us-east-1a\", \"us-east-1b\"]}],"
		 " \"targetGroups\": [{\"name\": \"tg\", \"loadBalancer\": \"alb\", %s%s"
		 " \"attributes\": {%s}, \"traffic\": {%s}}]}",
		 tg_extra ? tg_extra : "", tg_extra && *tg_extra ? "," : "", attrs, traffic);
	return s;
}

static struct lbh H;

static void setup(const char *tg_extra, const char *attrs, const char *traffic, uint64_t seed)
{
	char *j = docf(tg_extra, attrs, traffic);
	struct err e;

	err_clear(&e);
	if (lbh_init(&H, j, seed, 60000, &e)) {
		char m[2048];

		err_format(&e, m, sizeof m);
		fprintf(stderr, "setup: %s\n", m);
		abort();
	}
	free(j);
}

/* Register n targets in us-east-1a at 0, run to the first health check, then
 * start the traffic. */
static void register_and_start(int n)
{
	struct err e;

	for (int i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof name, "t%d", i);
		lb_target_register(H.lb, 0, (uint64_t)i, name, "us-east-1a", NULL, 0);
	}
	sim_run(H.s, 30000);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(lb_start(H.lb, 30000, &e), 0);
}

/* --- batch means over served requests --- */

struct bm {
	sim_time_t warm;            /* ignore requests arriving before */
	int target;                 /* -1 = all */
	long per_batch;
	long n;                     /* in the current batch */
	double sum_w, sum_q, sum_r; /* current batch */
	double *bw, *bq, *br;       /* batch means: wait, P(queued), response */
	int nb, cap;
};

static void bm_req(void *ctx, int tg, int target, enum lb_outcome o, sim_time_t arr,
		   sim_time_t start, sim_time_t end, int queued)
{
	struct bm *b = ctx;

	(void)tg;
	if (o != LB_SERVED || arr < b->warm || (b->target >= 0 && target != b->target))
		return;
	b->sum_w += (double)(start - arr) / 1000;
	b->sum_q += queued;
	b->sum_r += (double)(end - arr) / 1000;
	if (++b->n == b->per_batch) {
		if (b->nb == b->cap) {
			b->cap = b->cap ? 2 * b->cap : 64;
			b->bw = realloc(b->bw, sizeof(double) * (size_t)b->cap);
			b->bq = realloc(b->bq, sizeof(double) * (size_t)b->cap);
			b->br = realloc(b->br, sizeof(double) * (size_t)b->cap);
		}
		b->bw[b->nb] = b->sum_w / (double)b->n;
		b->bq[b->nb] = b->sum_q / (double)b->n;
		b->br[b->nb] = b->sum_r / (double)b->n;
		b->nb++;
		b->n = 0;
		b->sum_w = b->sum_q = b->sum_r = 0;
	}
}

/* mean and 95% CI half-width of batch means x[0..n) */
static void ci(const double *x, int n, double *mean, double *half)
{
	double m = 0, v = 0;

	for (int i = 0; i < n; i++)
		m += x[i];
	m /= n;
	for (int i = 0; i < n; i++)
		v += (x[i] - m) * (x[i] - m);
	v /= (n - 1);
	*mean = m;
	*half = gsl_cdf_tdist_Pinv(0.975, n - 1) * sqrt(v / n);
}

/* CI inside ±2% of the theory's value */
static void check_band(const char *what, const double *x, int n, double want)
{
	double m, h;
	char msg[256];

	ci(x, n, &m, &h);
	snprintf(msg, sizeof msg, "%s: %.5f ± %.5f (%d batches), theory %.5f", what, m, h, n, want);
	if (!(m - h >= 0.98 * want && m + h <= 1.02 * want))
		T_FAIL(msg);
	else
		CU_PASS(msg);
}

/* Erlang C: P(wait) for c servers at offered load a = lambda/mu */
static double erlang_c(int c, double a)
{
	double term = 1, sum = 1, top;

	for (int k = 1; k < c; k++) {
		term *= a / k;
		sum += term;
	}
	top = term * a / c * c / (c - a);
	return top / (sum + top);
}

/* (a) one target, c workers, Poisson arrivals, exponential service */
static void test_erlang_c(void)
{
	const int c = 2;
	const double lambda = 1.0, mu = 1.0;       /* rho = 0.5 */
	struct bm b = { .warm = 100000, .target = -1, .per_batch = 20000 };
	double pw = erlang_c(c, lambda / mu), wq = pw / (c * mu - lambda);

	setup("", "\"load_balancing.algorithm.type\": \"round_robin\"",
	      "\"arrivals\": {\"poisson\": {\"ratePerSecond\": 1.0}},"
	      " \"serviceTimeSeconds\": {\"exponential\": {\"mean\": 1}},"
	      " \"workersPerTask\": 2, \"queueLimit\": 100000, \"clientTimeoutSeconds\": 1000000", 11);
	H.on_request = bm_req;
	H.req_ctx = &b;
	register_and_start(1);
	sim_run(H.s, 30000 + (sim_time_t)(3.0e6 / lambda * 1000));
	check_band("P(wait > 0)", b.bq, b.nb, pw);
	/* 3 million requests, yet the pool holds only what was in flight */
	CU_ASSERT(lb_request_slots(H.lb) <= 1024);
	check_band("mean wait (s)", b.bw, b.nb, wq);
	lbh_free(&H);
	free(b.bw); free(b.bq); free(b.br);
}

/* M/M/c/K blocking, written out from the birth-death balance */
static double mmck_block(int c, int k, double a)
{
	double p = 1, sum = 1;

	for (int n = 1; n <= c + k; n++) {
		p *= n <= c ? a / n : a / c;
		sum += p;
	}
	return p / sum;
}

/* (b) with a queue limit: blocking probability (503s) */
static void test_mmck_blocking(void)
{
	struct lb_counts k;
	double want = mmck_block(2, 3, 2.0), got, sd;
	char msg[200];

	setup("", "", "\"arrivals\": {\"poisson\": {\"ratePerSecond\": 2}},"
	      " \"serviceTimeSeconds\": {\"exponential\": {\"mean\": 1}},"
	      " \"workersPerTask\": 2, \"queueLimit\": 3, \"clientTimeoutSeconds\": 1000000", 12);
	register_and_start(1);
	sim_run(H.s, 30000 + 600000000);           /* 1.2e6 arrivals */
	lb_tg_counts(H.lb, 0, &k);
	got = k.e503 / k.arrivals;
	sd = sqrt(want * (1 - want) / k.arrivals) * 3;    /* correlation allowance */
	snprintf(msg, sizeof msg, "blocking %.5f, M/M/2/5 %.5f, 2%% band", got, want);
	if (fabs(got - want) > 0.02 * want || sd > 0.01 * want)
		T_FAIL(msg);
	else
		CU_PASS(msg);
	T_EQ(k.e502 + k.e504, 0);
	lbh_free(&H);
}

/* (c) weighted_random over n single-worker targets: each an M/M/1 */
static void multi_req(void *ctx, int tg, int target, enum lb_outcome o, sim_time_t arr,
		      sim_time_t start, sim_time_t end, int queued)
{
	struct bm *b = ctx;

	if (target >= 0 && target < 4)
		bm_req(&b[target], tg, target, o, arr, start, end, queued);
}

static void test_weighted_random_mm1(void)
{
	const int n = 4;
	const double lambda_i = 0.5, mu = 1;
	struct bm b[4];

	memset(b, 0, sizeof b);
	for (int i = 0; i < n; i++) {
		b[i].warm = 100000;
		b[i].target = i;
		b[i].per_batch = 10000;
	}
	setup("", "\"load_balancing.algorithm.type\": \"weighted_random\"",
	      "\"arrivals\": {\"poisson\": {\"ratePerSecond\": 2.0}},"
	      " \"serviceTimeSeconds\": {\"exponential\": {\"mean\": 1}},"
	      " \"workersPerTask\": 1, \"queueLimit\": 100000, \"clientTimeoutSeconds\": 1000000", 13);
	H.on_request = multi_req;
	H.req_ctx = b;
	register_and_start(n);
	sim_run(H.s, 30000 + (sim_time_t)(2.4e6 / (n * lambda_i) * 1000));
	for (int i = 0; i < n; i++) {
		char what[64];

		snprintf(what, sizeof what, "target %d mean response (s)", i);
		check_band(what, b[i].br, b[i].nb, 1 / (mu - lambda_i));
		free(b[i].bw); free(b[i].bq); free(b[i].br);
	}
	lbh_free(&H);
}

/* (d) health-check timing with ELB's defaults (interval 30 s, healthy 5,
 * unhealthy 2): healthy after the first passing check; a dead target keeps
 * getting its share until two failed checks, then none. */
static void test_health_timing(void)
{
	struct lb_counts k0, k1;
	uint64_t before, after;
	double want, got, sd;
	char msg[200];

	setup("", "", "\"arrivals\": {\"poisson\": {\"ratePerSecond\": 100}},"
	      " \"serviceTimeSeconds\": {\"constant\": {\"value\": 0.01}}, \"workersPerTask\": 10", 14);
	lb_target_register(H.lb, 0, 0, "t0", "us-east-1a", NULL, 0);
	lb_target_register(H.lb, 0, 1, "t1", "us-east-1a", NULL, 0);
	sim_run(H.s, 29999);
	T_EQ(lb_target_state(H.lb, 0, 0), LB_T_INITIAL);
	sim_run(H.s, 30000);
	T_EQ(lb_target_state(H.lb, 0, 0), LB_T_HEALTHY);
	T_EQ(H.t_healthy, 30000);
	{
		struct err e;

		err_clear(&e);
		CU_ASSERT_EQUAL_FATAL(lb_start(H.lb, 30000, &e), 0);
	}
	sim_run(H.s, 60001);
	lb_tg_counts(H.lb, 0, &k0);
	T_EQ(k0.e502, 0);
	lb_target_dead(H.lb, 0, 0, 60001);        /* just after the check at 60 s */
	sim_run(H.s, 90000);
	T_EQ(lb_target_state(H.lb, 0, 0), LB_T_HEALTHY);     /* one failure only */
	sim_run(H.s, 119999);
	T_EQ(lb_target_state(H.lb, 0, 0), LB_T_HEALTHY);
	sim_run(H.s, 120000);
	T_EQ(lb_target_state(H.lb, 0, 0), LB_T_UNHEALTHY);
	T_EQ(H.t_unhealthy, 120000);
	T_EQ(H.n_check_failed, 2);
	lb_tg_counts(H.lb, 0, &k1);
	/* rate x share x window: 100/s x 1/2 x 59.999 s */
	want = 100 * 0.5 * 59.999;
	got = k1.e502;
	sd = sqrt(want);
	snprintf(msg, sizeof msg, "502s in the window %.0f, want %.0f ± %.0f", got, want, 4 * sd);
	if (fabs(got - want) > 4 * sd)
		T_FAIL(msg);
	else
		CU_PASS(msg);
	before = lb_target_received(H.lb, 0, 0);
	sim_run(H.s, 300000);
	after = lb_target_received(H.lb, 0, 0);
	T_EQ(after, before);                      /* no traffic once unhealthy */
	lb_tg_counts(H.lb, 0, &k0);
	T_EQ(k0.e502, k1.e502);
	T_EQ(k0.e503 + k0.e504, 0);
	lbh_free(&H);
}

/* (d') a revision that never becomes healthy: unhealthy after 2 checks,
 * and traffic fails open to it when it is the only target */
static void test_never_healthy(void)
{
	struct lb_counts k;

	setup("\"neverHealthy\": {\"web-v2\": 1.0}", "",
	      "\"arrivals\": {\"poisson\": {\"ratePerSecond\": 10}},"
	      " \"serviceTimeSeconds\": {\"constant\": {\"value\": 0.01}}", 15);
	lb_target_register(H.lb, 0, 7, "bad", "us-east-1a", "web-v2", 0);
	sim_run(H.s, 59999);
	T_EQ(lb_target_state(H.lb, 0, 0), LB_T_INITIAL);
	sim_run(H.s, 60000);
	T_EQ(lb_target_state(H.lb, 0, 0), LB_T_UNHEALTHY);
	T_EQ(H.n_unhealthy, 1);
	{
		struct err e;

		err_clear(&e);
		CU_ASSERT_EQUAL_FATAL(lb_start(H.lb, 60000, &e), 0);
	}
	sim_run(H.s, 160000);
	lb_tg_counts(H.lb, 0, &k);
	/* fail open (fewer healthy than the minimum of 1): served, not 503 */
	CU_ASSERT(k.served > 900);
	T_EQ(k.e503, 0);
	lbh_free(&H);
}

/* (e) deregistration: a delay longer than the longest request loses none;
 * a delay shorter than the requests cuts them (502) */
static int run_scale_in(int delay_s, struct lb_counts *k, sim_time_t *drained_at)
{
	char attrs[128];

	snprintf(attrs, sizeof attrs, "\"deregistration_delay.timeout_seconds\": %d", delay_s);
	setup("", attrs, "\"arrivals\": {\"poisson\": {\"ratePerSecond\": 20}},"
	      " \"serviceTimeSeconds\": {\"uniform\": {\"min\": 2, \"max\": 4}},"
	      " \"workersPerTask\": 50, \"queueLimit\": 100", 16);
	register_and_start(3);
	sim_run(H.s, 200000);
	lb_target_deregister(H.lb, 0, 1, 200000);
	T_EQ(lb_target_state(H.lb, 0, 1), LB_T_DRAINING);
	sim_run(H.s, 400000);
	lb_tg_counts(H.lb, 0, k);
	*drained_at = H.t_drained;
	T_EQ(lb_target_state(H.lb, 0, 1), LB_T_UNUSED);
	T_EQ(H.n_drained, 1);
	lbh_free(&H);
	return 0;
}

static void test_deregistration(void)
{
	struct lb_counts k;
	sim_time_t at;

	run_scale_in(10, &k, &at);
	T_EQ(k.e502 + k.e503 + k.e504, 0);
	CU_ASSERT(k.served > 5000);
	CU_ASSERT(at > 200000 && at <= 204000);   /* in-flight requests finish within 4 s */
	run_scale_in(1, &k, &at);
	CU_ASSERT(k.e502 > 0);                    /* cut at the end of a 1 s delay */
	T_EQ(at, 201000);
}

/* (f) aggregate vs per-request on the same settings */
static void run_mode(const char *mode, struct lb_counts *k)
{
	char traffic[512];

	snprintf(traffic, sizeof traffic,
		 "\"mode\": \"%s\", \"arrivals\": {\"poisson\": {\"ratePerSecond\": 7.2}},"
		 " \"serviceTimeSeconds\": {\"exponential\": {\"mean\": 1}},"
		 " \"workersPerTask\": 2, \"queueLimit\": 4, \"clientTimeoutSeconds\": 1000000", mode);
	setup("", "\"load_balancing.algorithm.type\": \"weighted_random\"", traffic, 17);
	register_and_start(4);
	sim_run(H.s, 30000 + 100000000);
	{
		struct err e;

		err_clear(&e);
		lb_close(H.lb, 30000 + 100000000, &e);
	}
	lb_tg_counts(H.lb, 0, k);
	lbh_free(&H);
}

static void test_aggregate_vs_request(void)
{
	struct lb_counts a, r;
	double av_a, av_r, lat_a, lat_r;
	char msg[200];

	run_mode("perRequest", &r);
	run_mode("aggregate", &a);
	av_r = 100 * r.served / r.arrivals;
	av_a = 100 * a.served / a.arrivals;
	lat_r = r.latency_sum_ms / r.served;
	lat_a = a.latency_sum_ms / a.served;
	snprintf(msg, sizeof msg, "availability %.3f%% vs %.3f%%, mean latency %.1f vs %.1f ms",
		 av_r, av_a, lat_r, lat_a);
	if (fabs(av_r - av_a) > 0.5 || fabs(lat_r - lat_a) > 0.05 * lat_r || av_r > 99.9)
		T_FAIL(msg);
	else
		CU_PASS(msg);
}

/* --- (g) configuration errors, with their JSON paths --- */

static void expect_err(const char *json, const char *want)
{
	struct lb_config cfg;
	struct jdoc d;
	struct err e;
	char m[2048];

	memset(&d, 0, sizeof d);
	err_clear(&e);
	if (lbh_config(&cfg, &d, json, &e) == 0) {
		snprintf(m, sizeof m, "accepted: %s", json);
		T_FAIL(m);
	} else {
		err_format(&e, m, sizeof m);
		T_STREQ(m, want);
	}
	lb_config_free(&cfg);
	jdoc_free(&d);
}

#define LBS "\"loadBalancers\": [{\"name\": \"alb\", \"availabilityZones\": [\"us-east-1a\", \"us-east-1b\"]}, {\"name\": \"nlb\", \"type\": \"network\", \"availabilityZones\": [\"us-east-1a\"]}]"

static void test_config_errors(void)
{
	expect_err("{\"loadBalancers\": [{\"name\": \"a\", \"availabilityZones\": [\"us-east-1a\"]}]}",
		   "lb.json: $.loadBalancers[0].availabilityZones: an Application Load Balancer needs subnets in at least two Availability Zones, got 1");
	/* CreateLoadBalancer's name rule: no leading or trailing hyphen, not
	 * beginning with "internal-" */
	expect_err("{\"loadBalancers\": [{\"name\": \"internal-web\", \"availabilityZones\": [\"us-east-1a\", \"us-east-1b\"]}]}",
		   "lb.json: $.loadBalancers[0].name: a load balancer name must not begin with \"internal-\", got \"internal-web\"");
	expect_err("{\"loadBalancers\": [{\"name\": \"web-\", \"availabilityZones\": [\"us-east-1a\", \"us-east-1b\"]}]}",
		   "lb.json: $.loadBalancers[0].name: expected 1-32 letters, digits or hyphens, not starting or ending with a hyphen, got \"web-\"");
	expect_err("{\"loadBalancers\": [{\"name\": \"a\", \"type\": \"gateway\", \"availabilityZones\": [\"us-east-1a\"]}]}",
		   "lb.json: $.loadBalancers[0].type: expected application or network, got \"gateway\" (gateway and classic load balancers are not modelled)");
	expect_err("{\"loadBalancers\": [{\"name\": \"a\", \"availabilityZones\": [\"us-east-1a\", \"us-west-2a\"]}]}",
		   "lb.json: $.loadBalancers[0]: availability zone 'us-west-2a' is not one of the scenario's availabilityZones");
	expect_err("{" LBS ", \"targetGroups\": [{\"name\": \"t\", \"loadBalancer\": \"alb\", \"healthCheckIntervalSeconds\": 4}]}",
		   "lb.json: $.targetGroups[0].healthCheckIntervalSeconds: expected integer in [5, 300], got 4");
	expect_err("{" LBS ", \"targetGroups\": [{\"name\": \"t\", \"loadBalancer\": \"alb\", \"healthCheckIntervalSeconds\": 10, \"healthCheckTimeoutSeconds\": 10}]}",
		   "lb.json: $.targetGroups[0].healthCheckTimeoutSeconds: the health check timeout must be smaller than the interval (10 s), got 10");
	expect_err("{" LBS ", \"targetGroups\": [{\"name\": \"t\", \"loadBalancer\": \"alb\", \"attributes\": {\"deregistration_delay.timeout_seconds\": 3601}}]}",
		   "lb.json: $.targetGroups[0].attributes.deregistration_delay.timeout_seconds: expected an integer in [0, 3600], got 3601");
	expect_err("{" LBS ", \"targetGroups\": [{\"name\": \"t\", \"loadBalancer\": \"alb\", \"attributes\": {\"slow_start.duration_seconds\": \"20\"}}]}",
		   "lb.json: $.targetGroups[0].attributes.slow_start.duration_seconds: expected 0 (off) or 30-900 seconds, got 20");
	expect_err("{" LBS ", \"targetGroups\": [{\"name\": \"t\", \"loadBalancer\": \"nlb\", \"attributes\": {\"load_balancing.algorithm.type\": \"round_robin\"}}]}",
		   "lb.json: $.targetGroups[0].attributes.load_balancing.algorithm.type: a Network Load Balancer picks targets by flow hash; the attribute is for Application Load Balancers");
	expect_err("{" LBS ", \"targetGroups\": [{\"name\": \"t\", \"loadBalancer\": \"alb\", \"protocol\": \"TCP\"}]}",
		   "lb.json: $.targetGroups[0].protocol: an Application Load Balancer's target group uses HTTP or HTTPS, got TCP");
	expect_err("{" LBS ", \"targetGroups\": [{\"name\": \"t\", \"loadBalancer\": \"elb\"}]}",
		   "lb.json: $.targetGroups[0].loadBalancer: no load balancer named 'elb' in $.loadBalancers");
	expect_err("{" LBS ", \"targetGroups\": [{\"name\": \"t\", \"loadBalancer\": \"alb\", \"traffic\": {\"arrivals\": {\"poisson\": {\"ratePerSecond\": 1}}}}]}",
		   "lb.json: $.targetGroups[0].traffic.serviceTimeSeconds: required member is missing");
	expect_err("{" LBS ", \"targetGroups\": [{\"name\": \"t\", \"loadBalancer\": \"alb\", \"traffic\": {\"arrivals\": {\"burst\": {}}, \"serviceTimeSeconds\": 1}}]}",
		   "lb.json: $.targetGroups[0].traffic.arrivals.burst: unknown arrival process 'burst' (expected poisson, rateCurve, daily or trace)");
	expect_err("{" LBS ", \"targetGroups\": [{\"name\": \"t\", \"loadBalancer\": \"alb\", \"slo\": {\"availabilityPct\": 100}}]}",
		   "lb.json: $.targetGroups[0].slo.availabilityPct: expected an objective below 100 (100 leaves no error budget), got 100");
	expect_err("{" LBS ", \"targetGroups\": [{\"name\": \"t\", \"loadBalancer\": \"alb\", \"attributes\": {\"load_balancing.algorithm.type\": \"weighted_random\", \"slow_start.duration_seconds\": 60}}]}",
		   "lb.json: $.targetGroups[0].attributes: slow start is not supported with the weighted_random algorithm");
}

/* a service's loadBalancers against its task definition */
static const char *TD_AWSVPC = "{\"family\": \"web\", \"networkMode\": \"awsvpc\", \"containerDefinitions\": [{\"name\": \"app\", \"image\": \"x\", \"memory\": 512, \"portMappings\": [{\"containerPort\": 8080}]}]}";
static const char *TD_BRIDGE = "{\"family\": \"web\", \"networkMode\": \"bridge\", \"containerDefinitions\": [{\"name\": \"app\", \"image\": \"x\", \"memory\": 512, \"portMappings\": [{\"containerPort\": 8080, \"hostPort\": 0}]}]}";

static void svc_expect(const char *tdjson, const char *lbs_json, const char *want)
{
	struct lb_config cfg;
	struct jdoc d, tdd, sd;
	struct taskdef *td;
	struct lb_service_cfg out;
	struct err e;
	char m[2048];
	int rc;

	memset(&d, 0, sizeof d);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(lbh_config(&cfg, &d, "{" LBS ", \"targetGroups\": [{\"name\": \"inst\", \"loadBalancer\": \"alb\"}, {\"name\": \"ip\", \"loadBalancer\": \"alb\", \"targetType\": \"ip\"}, {\"name\": \"lonely\"}]}", &e), 0);
	CU_ASSERT_EQUAL_FATAL(jdoc_parse(&tdd, "td.json", tdjson, strlen(tdjson), &e), 0);
	td = taskdef_from_json(tdd.root, "td.json", "$", NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(td);
	CU_ASSERT_EQUAL_FATAL(jdoc_parse(&sd, "s.json", lbs_json, strlen(lbs_json), &e), 0);
	rc = lb_service_read(&cfg, cJSON_GetObjectItemCaseSensitive(sd.root, "loadBalancers"),
			     cJSON_GetObjectItemCaseSensitive(sd.root, "healthCheckGracePeriodSeconds"),
			     td, "scn.json", "$.services[0]", &out, &e);
	if (!want) {
		T_EQ(rc, 0);
	} else if (rc == 0) {
		T_FAIL("accepted");
	} else {
		err_format(&e, m, sizeof m);
		T_STREQ(m, want);
	}
	taskdef_free(td);
	jdoc_free(&tdd);
	jdoc_free(&sd);
	lb_config_free(&cfg);
	jdoc_free(&d);
}

/* The health check's timeout default follows the check's protocol, as
 * CreateTargetGroup gives it (docs/ecs-model.md §6.2, choice E152): 6 s for
 * HTTP checks, 10 s for HTTPS and TCP checks; the check's protocol is HTTP
 * for an ALB's target group and TCP for an NLB's unless given; a given
 * timeout holds.  Returns the timeout in ms, -1 when refused. */
static int64_t tg_timeout(const char *members)
{
	struct lb_config cfg;
	struct jdoc d;
	struct err e;
	char j[2048];
	int64_t t = -1;

	snprintf(j, sizeof j, "{" LBS ", \"targetGroups\": [{\"name\": \"t\"%s}]}", members);
	memset(&d, 0, sizeof d);
	err_clear(&e);
	if (lbh_config(&cfg, &d, j, &e) == 0)
		t = cfg.tgs[0].hc_timeout;
	lb_config_free(&cfg);
	jdoc_free(&d);
	return t;
}

static void test_hc_timeout_defaults(void)
{
	T_EQ(tg_timeout(", \"loadBalancer\": \"alb\""), 6000);                              /* HTTP checks */
	T_EQ(tg_timeout(", \"loadBalancer\": \"alb\", \"protocol\": \"HTTPS\""), 6000);     /* still HTTP checks */
	T_EQ(tg_timeout(", \"loadBalancer\": \"alb\", \"healthCheckProtocol\": \"HTTPS\""), 10000);
	T_EQ(tg_timeout(", \"loadBalancer\": \"alb\", \"protocol\": \"HTTPS\", \"healthCheckProtocol\": \"HTTP\""), 6000);
	T_EQ(tg_timeout(", \"loadBalancer\": \"alb\", \"healthCheckIntervalSeconds\": 7"), 6000);
	T_EQ(tg_timeout(", \"loadBalancer\": \"alb\", \"healthCheckTimeoutSeconds\": 5"), 5000);
	T_EQ(tg_timeout(", \"loadBalancer\": \"nlb\""), 10000);                             /* TCP checks */
	T_EQ(tg_timeout(", \"loadBalancer\": \"nlb\", \"protocol\": \"TLS\""), 10000);
	T_EQ(tg_timeout(", \"loadBalancer\": \"nlb\", \"protocol\": \"UDP\""), 10000);
	T_EQ(tg_timeout(", \"loadBalancer\": \"nlb\", \"healthCheckProtocol\": \"HTTP\""), 6000);
	T_EQ(tg_timeout(", \"loadBalancer\": \"nlb\", \"healthCheckProtocol\": \"HTTPS\""), 10000);
	T_EQ(tg_timeout(", \"loadBalancer\": \"nlb\", \"healthCheckProtocol\": \"HTTP\", \"healthCheckTimeoutSeconds\": 8"), 8000);
	T_EQ(tg_timeout(""), 6000);                                                          /* no LB: HTTP */
	T_EQ(tg_timeout(", \"protocol\": \"TCP\""), 10000);
	/* the default must stay below the interval; the checks' protocols */
	expect_err("{" LBS ", \"targetGroups\": [{\"name\": \"t\", \"loadBalancer\": \"alb\", \"healthCheckIntervalSeconds\": 6}]}",
		   "lb.json: $.targetGroups[0].healthCheckIntervalSeconds: the interval must be larger than the health check timeout, 6 s by default for HTTP checks (give healthCheckTimeoutSeconds), got 6");
	expect_err("{" LBS ", \"targetGroups\": [{\"name\": \"t\", \"loadBalancer\": \"nlb\", \"healthCheckIntervalSeconds\": 10}]}",
		   "lb.json: $.targetGroups[0].healthCheckIntervalSeconds: the interval must be larger than the health check timeout, 10 s by default for TCP checks (give healthCheckTimeoutSeconds), got 10");
	expect_err("{" LBS ", \"targetGroups\": [{\"name\": \"t\", \"loadBalancer\": \"alb\", \"healthCheckProtocol\": \"TCP\"}]}",
		   "lb.json: $.targetGroups[0].healthCheckProtocol: a target group of protocol HTTP is checked with HTTP or HTTPS, got TCP");
	expect_err("{" LBS ", \"targetGroups\": [{\"name\": \"t\", \"loadBalancer\": \"nlb\", \"healthCheckProtocol\": \"TLS\"}]}",
		   "lb.json: $.targetGroups[0].healthCheckProtocol: expected HTTP, HTTPS or TCP (TLS, UDP and TCP_UDP are not health-check protocols), got \"TLS\"");
}

static void test_service_bindings(void)
{
	svc_expect(TD_AWSVPC, "{\"loadBalancers\": [{\"targetGroupArn\": \"arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/ip/abc\", \"containerName\": \"app\", \"containerPort\": 8080}], \"healthCheckGracePeriodSeconds\": 60}", NULL);
	svc_expect(TD_BRIDGE, "{\"loadBalancers\": [{\"targetGroupName\": \"inst\", \"containerName\": \"app\", \"containerPort\": 8080}]}", NULL);
	svc_expect(TD_AWSVPC, "{\"loadBalancers\": [{\"targetGroupName\": \"inst\", \"containerName\": \"app\", \"containerPort\": 8080}]}",
		   "scn.json: $.services[0].loadBalancers[0].targetGroupName: the provided target group inst has target type instance, which is incompatible with the awsvpc network mode specified in the task definition");
	svc_expect(TD_BRIDGE, "{\"loadBalancers\": [{\"targetGroupName\": \"ip\", \"containerName\": \"app\", \"containerPort\": 8080}]}",
		   "scn.json: $.services[0].loadBalancers[0].targetGroupName: the provided target group ip has target type ip, which is incompatible with the bridge network mode specified in the task definition");
	svc_expect(TD_BRIDGE, "{\"loadBalancers\": [{\"targetGroupName\": \"inst\", \"containerName\": \"web\", \"containerPort\": 8080}]}",
		   "scn.json: $.services[0].loadBalancers[0].containerName: the container web does not exist in the task definition");
	svc_expect(TD_BRIDGE, "{\"loadBalancers\": [{\"targetGroupName\": \"inst\", \"containerName\": \"app\", \"containerPort\": 80}]}",
		   "scn.json: $.services[0].loadBalancers[0].containerPort: the container app does not have a container port 80 defined");
	svc_expect(TD_BRIDGE, "{\"loadBalancers\": [{\"targetGroupName\": \"lonely\", \"containerName\": \"app\", \"containerPort\": 8080}]}",
		   "scn.json: $.services[0].loadBalancers[0].targetGroupName: the target group lonely does not have an associated load balancer");
	svc_expect(TD_BRIDGE, "{\"loadBalancers\": [{\"targetGroupName\": \"inst\", \"containerName\": \"app\", \"containerPort\": 8080},"
		   "{\"targetGroupName\": \"inst\", \"containerName\": \"app\", \"containerPort\": 8081},{\"targetGroupName\": \"inst\", \"containerName\": \"app\", \"containerPort\": 8082},"
		   "{\"targetGroupName\": \"inst\", \"containerName\": \"app\", \"containerPort\": 8083},{\"targetGroupName\": \"inst\", \"containerName\": \"app\", \"containerPort\": 8084},"
		   "{\"targetGroupName\": \"inst\", \"containerName\": \"app\", \"containerPort\": 8085}]}",
		   "scn.json: $.services[0].loadBalancers: a service can use at most 5 target groups, got 6");
}

/* cross-zone off: each node routes only within its AZ; an AZ with no
 * healthy target is dropped from DNS, its share goes to the others */
static void test_cross_zone_off(void)
{
	struct lb_counts k;

	setup("", "\"load_balancing.cross_zone.enabled\": \"false\"",
	      "\"arrivals\": {\"poisson\": {\"ratePerSecond\": 100}},"
	      " \"serviceTimeSeconds\": {\"constant\": {\"value\": 0.01}}", 18);
	lb_target_register(H.lb, 0, 0, "a0", "us-east-1a", NULL, 0);
	lb_target_register(H.lb, 0, 1, "a1", "us-east-1a", NULL, 0);
	lb_target_register(H.lb, 0, 2, "a2", "us-east-1a", NULL, 0);
	lb_target_register(H.lb, 0, 3, "b0", "us-east-1b", NULL, 0);
	sim_run(H.s, 30000);
	{
		struct err e;

		err_clear(&e);
		CU_ASSERT_EQUAL_FATAL(lb_start(H.lb, 30000, &e), 0);
	}
	sim_run(H.s, 230000);
	/* each node gets half: b0 alone carries half the traffic */
	{
		double tb = (double)lb_target_received(H.lb, 0, 3);
		double ta = (double)lb_target_received(H.lb, 0, 0);

		CU_ASSERT(fabs(tb / (100 * 200) - 0.5) < 0.02);
		CU_ASSERT(fabs(ta / (100 * 200) - 0.5 / 3) < 0.02);
	}
	lb_tg_counts(H.lb, 0, &k);
	T_EQ(k.e503 + k.e502, 0);
	lbh_free(&H);
}


static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = 0;
	fclose(f);
	return buf;
}

/* requests.csv, targets.csv and lb_summary.csv: columns, per-AZ rows with
 * cross-zone off, state changes, SLO budget */
static void test_outputs(void)
{
	char dir[] = "/tmp/ecsim-lb-XXXXXX", path[256];
	char *req, *tgt, *sum;
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	setup("\"slo\": {\"availabilityPct\": 99.9, \"latencyP99Ms\": 50}",
	      "\"load_balancing.cross_zone.enabled\": false",
	      "\"arrivals\": {\"poisson\": {\"ratePerSecond\": 20}},"
	      " \"serviceTimeSeconds\": {\"constant\": {\"value\": 0.01}}", 19);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(lb_open_outputs(H.lb, dir, &e), 0);
	lb_tg_set_service(H.lb, 0, "web");
	lb_target_register(H.lb, 0, 0, "task-a", "us-east-1a", NULL, 0);
	lb_target_register(H.lb, 0, 1, "task-b", "us-east-1b", NULL, 0);
	lb_target_register(H.lb, 0, 2, "task-c", "us-east-1c", NULL, 0);   /* AZ not enabled */
	CU_ASSERT_EQUAL(lb_target_state(H.lb, 0, 2), LB_T_UNUSED);
	CU_ASSERT_EQUAL_FATAL(lb_start(H.lb, 0, &e), 0);
	sim_run(H.s, 120001);
	lb_target_dead(H.lb, 0, 1, 120001);
	sim_run(H.s, 300000);
	CU_ASSERT_EQUAL_FATAL(lb_close(H.lb, 300000, &e), 0);
	snprintf(path, sizeof path, "%s/requests.csv", dir);
	req = slurp(path);
	snprintf(path, sizeof path, "%s/targets.csv", dir);
	tgt = slurp(path);
	snprintf(path, sizeof path, "%s/lb_summary.csv", dir);
	sum = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tgt);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
	CU_ASSERT(strncmp(req, "time_s,target_group,az,arrivals,served,http_502,http_503,http_504,availability_pct,latency_mean_ms,latency_p50_ms,latency_p95_ms,latency_p99_ms,healthy,unhealthy,initial,draining\n", 170) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(req, "\n60.000,tg,,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(req, "\n60.000,tg,us-east-1a,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(req, "\n60.000,tg,us-east-1b,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tgt, "30.000,tg,task-a,us-east-1a,initial,healthy,health check passed"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tgt, "180.000,tg,task-b,us-east-1b,healthy,unhealthy,target not responding"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tgt, "\n0.000,tg,task-a,us-east-1a,,initial,registered\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(tgt, "\n0.000,tg,task-c,,,unused,availability zone not enabled\n"));
	CU_ASSERT(strncmp(sum, "service,target_group,mode,", 26) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(sum, "\nweb,tg,perRequest,"));
	free(req); free(tgt); free(sum);
	snprintf(path, sizeof path, "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(path), 0);
	lbh_free(&H);
}

/* least outstanding requests avoids a dead target (its connections hang);
 * round robin keeps sending it its share until the checks mark it */
static void test_lor_dead(void)
{
	struct lb_counts k;

	setup("", "\"load_balancing.algorithm.type\": \"least_outstanding_requests\"",
	      "\"arrivals\": {\"poisson\": {\"ratePerSecond\": 50}},"
	      " \"serviceTimeSeconds\": {\"exponential\": {\"mean\": 0.05}}", 20);
	register_and_start(3);
	lb_target_dead(H.lb, 0, 0, 30000);
	sim_run(H.s, 90000);
	lb_tg_counts(H.lb, 0, &k);
	T_EQ(k.e502, 0);
	CU_ASSERT(k.served > 2500);
	lbh_free(&H);
}

/* arrivals from a rate curve (CSV) and from a request trace (streamed) */
static void test_arrival_files(void)
{
	char dir[] = "/tmp/ecsim-lbarr-XXXXXX", curve[128], trace[128], traffic[512];
	struct lb_counts k;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(curve, sizeof curve, "%s/rate.csv", dir);
	snprintf(trace, sizeof trace, "%s/req.csv", dir);
	f = fopen(curve, "w");
	fprintf(f, "time_s,rate_per_s\n0,0\n30,100\n130,10\n");
	fclose(f);
	f = fopen(trace, "w");
	fprintf(f, "time_s\n");
	for (int i = 0; i < 1000; i++)
		fprintf(f, "%.3f\n", 30 + i * 0.05);
	fclose(f);
	/* 100/s for 100 s, then 10/s: 10,000 + 10 x 70 by t = 200 s */
	snprintf(traffic, sizeof traffic, "\"arrivals\": {\"rateCurve\": {\"file\": \"%s\"}},"
		 " \"serviceTimeSeconds\": 0.01", curve);
	setup("", "", traffic, 21);
	register_and_start(1);
	sim_run(H.s, 200000);
	lb_tg_counts(H.lb, 0, &k);
	CU_ASSERT(fabs(k.arrivals - 10700) < 4 * sqrt(10700));
	lbh_free(&H);
	snprintf(traffic, sizeof traffic, "\"arrivals\": {\"trace\": {\"file\": \"%s\"}},"
		 " \"serviceTimeSeconds\": 0.01", trace);
	setup("", "", traffic, 22);
	register_and_start(1);
	sim_run(H.s, 200000);
	lb_tg_counts(H.lb, 0, &k);
	T_EQ(k.arrivals, 1000);
	T_EQ(k.served, 1000);
	lbh_free(&H);
	snprintf(traffic, sizeof traffic, "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(traffic), 0);
}

/* slow start: a new target's share ramps up linearly over the duration */
static void test_slow_start(void)
{
	uint64_t r0, r1;
	double want;
	char msg[160];

	setup("", "\"slow_start.duration_seconds\": 100",
	      "\"arrivals\": {\"poisson\": {\"ratePerSecond\": 100}},"
	      " \"serviceTimeSeconds\": 0.01", 23);
	register_and_start(1);
	sim_run(H.s, 40000);
	lb_target_register(H.lb, 0, 1, "new", "us-east-1a", NULL, 40000);
	sim_run(H.s, 70000);                    /* healthy at 70 s */
	T_EQ(lb_target_state(H.lb, 0, 1), LB_T_HEALTHY);
	r0 = lb_target_received(H.lb, 0, 1);
	sim_run(H.s, 170000);
	r1 = lb_target_received(H.lb, 0, 1);
	/* picked every other request, kept with weight t/100: about
	 * 100/2 x 100 x 1/2 = 2,500 in the ramp (vs 5,000 without it) */
	want = 2500;
	snprintf(msg, sizeof msg, "new target got %llu in the ramp, want about %.0f",
		 (unsigned long long)(r1 - r0), want);
	if (fabs((double)(r1 - r0) - want) > 0.1 * want)
		T_FAIL(msg);
	else
		CU_PASS(msg);
	lbh_free(&H);
}

/* NLB: cross-zone off by default, flow hash within each AZ's node */
static void test_nlb_flow_hash(void)
{
	const char *j = "{\"loadBalancers\": [{\"name\": \"nlb\", \"type\": \"network\","
		" \"availabilityZones\": [\"us-east-1a\", \"us-east-1b\"]}],"
		" \"targetGroups\": [{\"name\": \"tg\", \"loadBalancer\": \"nlb\", \"traffic\": {"
		"\"arrivals\": {\"poisson\": {\"ratePerSecond\": 100}}, \"serviceTimeSeconds\": 0.01,"
		" \"flows\": 100000}}]}";
	struct err e;
	double a0, a1, b0;

	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(lbh_init(&H, j, 24, 60000, &e), 0);
	CU_ASSERT_EQUAL(H.cfg.tgs[0].algo, LB_ALGO_FLOW_HASH);
	CU_ASSERT_EQUAL(H.cfg.tgs[0].hc_timeout, 10000);     /* TCP checks */
	lb_target_register(H.lb, 0, 0, "a0", "us-east-1a", NULL, 0);
	lb_target_register(H.lb, 0, 1, "a1", "us-east-1a", NULL, 0);
	lb_target_register(H.lb, 0, 2, "b0", "us-east-1b", NULL, 0);
	sim_run(H.s, 30000);
	CU_ASSERT_EQUAL_FATAL(lb_start(H.lb, 30000, &e), 0);
	sim_run(H.s, 230000);
	a0 = (double)lb_target_received(H.lb, 0, 0) / 20000;
	a1 = (double)lb_target_received(H.lb, 0, 1) / 20000;
	b0 = (double)lb_target_received(H.lb, 0, 2) / 20000;
	CU_ASSERT(fabs(b0 - 0.5) < 0.03);
	CU_ASSERT(fabs(a0 - 0.25) < 0.03);
	CU_ASSERT(fabs(a1 - 0.25) < 0.03);
	lbh_free(&H);
}

/* Per-request speed: the request events live in the lb's own queue, so
 * the engine runs far fewer events than two per request, and its queue
 * holds a handful of events while hundreds of requests are in flight. */
static void test_engine_events_per_request(void)
{
	struct lb_counts k;
	uint64_t ev0;
	size_t pending = 0;
	int out = 0;

	setup("", "\"load_balancing.algorithm.type\": \"least_outstanding_requests\"",
	      "\"arrivals\": {\"poisson\": {\"ratePerSecond\": 5000}},"
	      " \"serviceTimeSeconds\": {\"exponential\": {\"mean\": 0.1}},"
	      " \"workersPerTask\": 10, \"queueLimit\": 100", 31);
	register_and_start(10);
	ev0 = sim_events(H.s);
	for (int step = 1; step <= 20; step++) {
		sim_run(H.s, 30000 + step * 1000);
		if (sim_pending(H.s) > pending)
			pending = sim_pending(H.s);
	}
	for (int i = 0; i < 10; i++)
		out += lb_target_outstanding(H.lb, 0, i);
	lb_tg_counts(H.lb, 0, &k);
	CU_ASSERT(k.arrivals > 90000);
	CU_ASSERT(out > 200);                       /* ~500 in flight */
	/* one wake per millisecond at most, plus health checks and ticks */
	CU_ASSERT((double)(sim_events(H.s) - ev0) < 0.25 * k.arrivals);
	CU_ASSERT(pending < 64);
	lbh_free(&H);
}

/* Aggregate mode under a daily curve (docs/ecs-model.md choice E71): the
 * rate is held for each minute of the clock at the curve's value at the
 * middle of the minute, so the arrivals are exactly that step function's
 * integral, and the pieces that staggered health checks cut within a
 * minute share one solution of the queue (a new rate per piece made a
 * 4-hour run take seconds). */
static void test_aggregate_daily_steps(void)
{
	const double r = 120, amp = 0.6, peak = 3;
	const sim_time_t start = 30000, end = 30000 + 4 * 3600000;
	struct lb_counts k;
	double want = 0;
	struct err e;

	setup("", "\"load_balancing.algorithm.type\": \"round_robin\"",
	      "\"mode\": \"aggregate\","
	      " \"arrivals\": {\"daily\": {\"ratePerSecond\": 120, \"amplitude\": 0.6, \"peakHour\": 3}},"
	      " \"serviceTimeSeconds\": {\"exponential\": {\"mean\": 0.05}},"
	      " \"workersPerTask\": 4, \"queueLimit\": 50", 33);
	/* 9 targets registered 3.3 s apart: their checks cut every minute
	 * into several pieces */
	for (int i = 0; i < 9; i++) {
		char name[16];

		snprintf(name, sizeof name, "t%d", i);
		sim_run(H.s, i * 3300);
		lb_target_register(H.lb, 0, (uint64_t)i, name, i % 2 ? "us-east-1b" : "us-east-1a", NULL,
				   i * 3300);
	}
	sim_run(H.s, start);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(lb_start(H.lb, start, &e), 0);
	sim_run(H.s, end);
	lb_tg_counts(H.lb, 0, &k);
	for (sim_time_t m = 0; m < end; m += 60000) {
		sim_time_t a = m > start ? m : start, b = m + 60000 < end ? m + 60000 : end;
		double hour = (double)(m + 30000) / 3600000;

		if (b > a)
			want += r * (1 + amp * cos(2 * M_PI * (hour - peak) / 24)) * (double)(b - a) / 1000;
	}
	CU_ASSERT_DOUBLE_EQUAL(k.arrivals, want, 1e-6 * want);
	/* one solution per minute (all targets at one rate), not per piece */
	CU_ASSERT(lb_agg_solves(H.lb) <= 2 * 4 * 60);
	CU_ASSERT(lb_agg_solves(H.lb) >= 4 * 60);
	lbh_free(&H);
}

/* Memory grows with the live targets, not with those ever registered: 2,000
 * targets registered 10 s apart behind a group with traffic, each
 * deregistered as the fifth comes (draining 5 s with requests in flight,
 * cut at its end; every third in an AZ the ALB does not enable, unused at
 * once).  With `release` each is released at its deregistration, as the
 * control plane does once its task is gone: the group then holds a few
 * slots, whose indices come back, and the queues and names of the few live
 * targets only.  Without, every slot stays (indices never come back).  One
 * target stays throughout: the retired slots lie between it and the live
 * ones in the order of registration. */
struct churn_out {
	struct lb_counts k;
	uint64_t digest;             /* of every request's outcome and times, in order */
	size_t bytes10, bytes;       /* lb_target_buffer_bytes after 10 and at the end */
	int slots, reused, drained;
};

static void churn_req(void *ctx, int tg, int target, enum lb_outcome o, sim_time_t arr, sim_time_t start,
		      sim_time_t end, int queued)
{
	uint64_t *d = ctx;
	int64_t v[5] = { o, arr, start, end, queued };

	(void)tg;
	(void)target;          /* a slot's index: the runs differ there */
	for (int i = 0; i < 5; i++)
		*d = (*d ^ (uint64_t)v[i]) * UINT64_C(0x100000001b3);
}

static void churn_targets(const char *mode, int ncycle, int release, struct churn_out *o)
{
	char traffic[512];
	int live[4], n = 0;
	struct err e;

	memset(o, 0, sizeof *o);
	snprintf(traffic, sizeof traffic,
		 "\"mode\": \"%s\", \"arrivals\": {\"poisson\": {\"ratePerSecond\": 2.5}},"
		 " \"serviceTimeSeconds\": {\"exponential\": {\"mean\": 2}},"
		 " \"workersPerTask\": 2, \"queueLimit\": 1000", mode);
	setup("", "\"deregistration_delay.timeout_seconds\": \"5\"", traffic, 41);
	o->digest = UINT64_C(0xcbf29ce484222325);
	H.on_request = churn_req;
	H.req_ctx = &o->digest;
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(lb_start(H.lb, 0, &e), 0);
	/* one target stays throughout: the slots retired after it lie
	 * between it and the live ones */
	lb_target_register(H.lb, 0, 99999, "stays", "us-east-1a", NULL, 0);
	for (int i = 0; i < ncycle; i++) {
		char name[32];
		sim_time_t now = (sim_time_t)i * 10000;
		int ti;

		sim_run(H.s, now);
		snprintf(name, sizeof name, "churn-target-%d", i);
		if (n == 4) {
			lb_target_deregister(H.lb, 0, live[0], now);
			if (release)
				lb_target_release(H.lb, 0, live[0]);
			memmove(live, live + 1, 3 * sizeof *live);
			n--;
		}
		ti = lb_target_register(H.lb, 0, (uint64_t)i, name,
					i % 3 == 1 ? "us-east-1c" : i % 2 ? "us-east-1b" : "us-east-1a", NULL, now);
		o->reused += ti <= i;
		live[n++] = ti;
		if (i == 10)
			o->bytes10 = lb_target_buffer_bytes(H.lb);
	}
	sim_run(H.s, (sim_time_t)ncycle * 10000);
	lb_tg_counts(H.lb, 0, &o->k);
	o->bytes = lb_target_buffer_bytes(H.lb);
	o->slots = lb_target_slots(H.lb, 0);
	o->drained = H.n_drained;
	lbh_free(&H);
}

static void test_churn_memory(void)
{
	static const char *const modes[] = { "perRequest", "aggregate" };

	for (int m = 0; m < 2; m++) {
		struct churn_out kept, rel;

		churn_targets(modes[m], 2000, 0, &kept);
		churn_targets(modes[m], 2000, 1, &rel);
		/* the queues and names of 4 live targets and 1 draining at most
		 * at the end: no more than after the first 10 */
		CU_ASSERT(kept.bytes10 > 0);
		CU_ASSERT(rel.bytes <= rel.bytes10);
		/* released: 1 + 4 live, 1 draining, 1 to retire at most */
		CU_ASSERT(rel.slots <= 8);
		CU_ASSERT(rel.reused >= 1990);
		CU_ASSERT_EQUAL(kept.slots, 2001);
		CU_ASSERT_EQUAL(kept.reused, 0);
		/* the same run bit for bit: a slot's stale health checks, drain
		 * ends and requests do not touch the target that holds it now,
		 * and the passes over the targets keep their order */
		CU_ASSERT(kept.k.arrivals > 5000);
		CU_ASSERT(kept.k.e502 > 0);
		CU_ASSERT_EQUAL(rel.drained, kept.drained);
		CU_ASSERT(memcmp(&rel.k, &kept.k, sizeof rel.k) == 0);
		CU_ASSERT_EQUAL(rel.digest, kept.digest);
	}
}

CU_TestInfo lb_tests[] = {
	{ "(a) Erlang C: one target, c workers", test_erlang_c },
	{ "(b) M/M/c/K blocking", test_mmck_blocking },
	{ "(c) weighted_random: each target an M/M/1", test_weighted_random_mm1 },
	{ "(d) health-check timing, dead target's lost requests", test_health_timing },
	{ "(d) a revision that never becomes healthy; fail open", test_never_healthy },
	{ "(e) deregistration delay", test_deregistration },
	{ "(f) aggregate vs per-request", test_aggregate_vs_request },
	{ "cross-zone off: per-AZ nodes", test_cross_zone_off },
	{ "requests.csv, targets.csv, lb_summary.csv", test_outputs },
	{ "least outstanding requests avoids a dead target", test_lor_dead },
	{ "arrivals from a rate curve and a request trace", test_arrival_files },
	{ "slow start ramps a new target's share", test_slow_start },
	{ "NLB: cross-zone off, flow hash", test_nlb_flow_hash },
	{ "request events: few engine events per request", test_engine_events_per_request },
	{ "aggregate mode: a daily curve in one-minute steps", test_aggregate_daily_steps },
	{ "targets' memory bounded by the live ones, not those ever registered", test_churn_memory },
	CU_TEST_INFO_NULL,
};

CU_TestInfo lb_config_tests[] = {
	{ "(g) config errors with JSON paths", test_config_errors },
	{ "health-check timeout defaults by the checks' protocol", test_hc_timeout_defaults },
	{ "service loadBalancers vs task definition", test_service_bindings },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "lb", NULL, NULL, NULL, NULL, lb_tests },
	{ "lb-config", NULL, NULL, NULL, NULL, lb_config_tests },
	CU_SUITE_INFO_NULL,
};
