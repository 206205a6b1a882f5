/* tests/test_lb_agg.c — aggregate traffic mode (models/lb/mmck.c,
 * traffic.c's agg_add) with a client timeout that matters
 * (docs/ecs-model.md §6.4, choice E210), and which routing algorithms
 * aggregate mode agrees with (choice E211).
 *
 * The rule: a request still waiting at the client timeout leaves the queue
 * (a 504 that takes no service), one in service then is a 504, and a served
 * request is one answered within the timeout, so no served latency is above
 * it.  The expected values are written here from the theory: M/M/1 with
 * deterministic patience (the virtual waiting time's level crossing,
 * f(x) = p0 lam e^{-(mu - lam) x} below tau), and its c-server form; the
 * served latencies' mean and distribution by numerical integration of the
 * truncated distribution, not by the code's closed forms. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "models/lb/lb.h"
#include "models/lb/lb_int.h"
#include "models/lb/mmck.h"
#include "sim/sim.h"
#include "tests/helpers/lb_harness.h"
#include "tests/helpers/tutil.h"

static void near(const char *what, double got, double want, double tol)
{
	char msg[256];

	snprintf(msg, sizeof msg, "%s: got %.9g, want %.9g (tolerance %.3g)", what, got, want, tol);
	if (!(fabs(got - want) <= tol))
		T_FAIL(msg);
	else
		CU_PASS(msg);
}

/* --- the theory, M/M/c with deterministic patience tau (FIFO, unlimited
 * queue): P(n busy) = p0 (lam/mu)^n / n! for n < c; the virtual wait's
 * density f(x) = lam P(c-1 busy) e^{(lam - c mu) x} for 0 < x < tau, and
 * f(tau) e^{-c mu (x - tau)} above; an arrival at x < tau waits x, one at
 * x >= tau leaves at tau (Baccelli & Hebuterne's M/M/c+D). --- */
struct th {
	double lam, mu, tau, pfree, a, b, cm;
	int c;
};

static void th_init(struct th *t, double lam, double mu, int c, double tau)
{
	double w = 1, sum = 1, z;

	t->lam = lam;
	t->mu = mu;
	t->c = c;
	t->tau = tau;
	t->cm = c * mu;
	t->b = lam - c * mu;
	for (int n = 1; n < c; n++) {
		w *= lam / (n * mu);
		sum += w;
	}
	t->a = lam * w;               /* density at 0+, before normalising */
	z = sum + t->a * (t->b == 0 ? tau : (exp(t->b * tau) - 1) / t->b) +
	    t->a * exp(t->b * tau) / t->cm;
	t->pfree = sum / z;
	t->a /= z;
}

static double th_f(const struct th *t, double x)
{
	return t->a * exp(t->b * x);
}

static double th_abandon(const struct th *t)
{
	return th_f(t, t->tau) / t->cm;
}

/* P(served, T <= s), s <= tau, by Simpson's rule over the wait x */
static double th_cdf(const struct th *t, double s)
{
	int n = 4000;
	double h = s / n, sum = 0;

	for (int i = 0; i <= n; i++) {
		double x = i * h, v = th_f(t, x) * (1 - exp(-t->mu * (s - x)));

		sum += v * (i == 0 || i == n ? 1 : i % 2 ? 4 : 2);
	}
	return t->pfree * (1 - exp(-t->mu * s)) + sum * h / 3;
}

/* E[T; served] = no wait: E[S; S <= tau]; a wait x: integral of
 * (x + s) mu e^{-mu s} over s in [0, tau - x] */
static double th_lat_sum(const struct th *t)
{
	int n = 4000;
	double h = t->tau / n, sum = 0, mu = t->mu, tau = t->tau;
	double free_part = (1 - exp(-mu * tau) * (1 + mu * tau)) / mu;

	for (int i = 0; i <= n; i++) {
		double x = i * h, r = tau - x;
		double v = th_f(t, x) * (x * (1 - exp(-mu * r)) + (1 - exp(-mu * r) * (1 + mu * r)) / mu);

		sum += v * (i == 0 || i == n ? 1 : i % 2 ? 4 : 2);
	}
	return t->pfree * free_part + sum * h / 3;
}

/* (1) M/M/1, lam 9 and 12, mu 10, tau 1 s: the auditor's mm1d.py
 * closed form (availability 90.043% and 66.275%) */
static void test_mm1_patience(void)
{
	const double lams[2] = { 9, 12 }, mu = 10, tau = 1;

	for (int k = 0; k < 2; k++) {
		double lam = lams[k];
		double p0 = 1 / (1 + lam / (mu - lam) * (1 - exp(-(mu - lam) * tau)) +
				 lam / mu * exp((lam - mu) * tau));
		double aband = p0 * lam / mu * exp((lam - mu) * tau), late = p0 * exp((lam - mu) * tau);
		struct mmck q;
		struct mmck_to o;
		struct th t;
		double served, mean;

		CU_ASSERT_EQUAL_FATAL(mmck_solve(&q, lam, mu, 1, 100000), 0);
		mmck_timeout(&o, &q, tau);
		T_EQ(o.model, MMCK_TO_D);
		near("M/M/1+D abandoned", o.abandon, aband, 1e-9);
		near("M/M/1+D late", o.late, late, 1e-9);
		near("M/M/1+D served", o.served, 1 - aband - late, 1e-9);
		near("M/M/1+D 503", o.block, 0, 0);
		near("availability (mm1d.py)", 100 * o.served, k == 0 ? 90.043 : 66.275, 0.0005);
		th_init(&t, lam, mu, 1, tau);
		served = th_cdf(&t, tau);
		near("served, by integration", o.served, served, 1e-7);
		mean = th_lat_sum(&t) / served;
		near("mean served latency (s)", o.lat_mean, mean, 1e-6 * mean);
		CU_ASSERT(o.lat_mean < tau);
		/* the served latencies' distribution, truncated at tau */
		for (double s = 0.1; s < tau; s += 0.2)
			near("P(T > s | served)", mmck_to_tail(&o, &q, s), 1 - th_cdf(&t, s) / served, 1e-6);
		near("P(T > tau | served)", mmck_to_tail(&o, &q, tau), 0, 0);
		near("P(T > 2 tau | served)", mmck_to_tail(&o, &q, 2 * tau), 0, 0);
		mmck_free(&q);
	}
}

/* (2) c = 2 (the auditor's q4: lam 18, mu 10, K 100, tau 1): M/M/2+D */
static void test_mm2_patience(void)
{
	struct mmck q;
	struct mmck_to o;
	struct th t;
	double served, mean;

	CU_ASSERT_EQUAL_FATAL(mmck_solve(&q, 18, 10, 2, 100), 0);
	mmck_timeout(&o, &q, 1);
	T_EQ(o.model, MMCK_TO_D);
	th_init(&t, 18, 10, 2, 1);
	served = th_cdf(&t, 1);
	near("M/M/2+D abandoned", o.abandon, th_abandon(&t), 1e-9);
	near("M/M/2+D served", o.served, served, 1e-7);
	near("M/M/2+D late", o.late, 1 - served - th_abandon(&t), 1e-7);
	mean = th_lat_sum(&t) / served;
	near("M/M/2+D mean served latency (s)", o.lat_mean, mean, 1e-6 * mean);
	/* per-request mode measured 95.3887% with 394 503s at the start,
	 * i.e. 346801 / (346801 + 16371) = 95.494% of the requests routed */
	near("availability against the per-request run", 100 * o.served, 95.494, 0.15);
	mmck_free(&q);
}

/* (3) the queue limit binds, the timeout matters too (c 2, K 3, lam 3,
 * mu 1, tau 2): M/M/c/K, the served conditioned on T <= tau.  The mean
 * and wait against numerical integration of the response-time tail and of
 * the waiting time's density. */
static void test_mmck_conditioned(void)
{
	struct mmck q;
	struct mmck_to o;
	const double tau = 2, mu = 1, a = 2;
	double tail_to, itail = 0, ew = 0, h;
	int n = 4000;

	CU_ASSERT_EQUAL_FATAL(mmck_solve(&q, 3, mu, 2, 3), 0);
	mmck_timeout(&o, &q, tau);
	T_EQ(o.model, MMCK_TO_K);
	tail_to = mmck_resp_tail(&q, tau);
	near("503", o.block, q.block, 0);
	near("served", o.served, (1 - q.block) * (1 - tail_to), 1e-9);
	near("504", o.late + o.abandon, (1 - q.block) * tail_to, 1e-9);
	h = tau / n;
	for (int i = 0; i <= n; i++) {
		double x = i * h, wgt = i == 0 || i == n ? 1 : i % 2 ? 4 : 2, g = 0;

		itail += wgt * mmck_resp_tail(&q, x);
		for (int k = q.c; k < q.c + q.k; k++)
			g += q.p[k] * gsl_ran_gamma_pdf(x, k - q.c + 1, 1 / a);
		ew += wgt * x * g * (1 - exp(-mu * (tau - x)));
	}
	itail *= h / 3;
	ew *= h / 3;
	/* E[T | T <= tau] = (int_0^tau P(T > t) dt - tau P(T > tau)) / P(T <= tau) */
	near("mean served latency (s)", o.lat_mean, (itail - tau * tail_to) / (1 - tail_to), 1e-7);
	near("mean wait of the served (s)", o.wait_mean, ew / o.served, 1e-7);
	CU_ASSERT(o.lat_mean < tau);
	near("P(T > 1 | served)", mmck_to_tail(&o, &q, 1),
	     (mmck_resp_tail(&q, 1) - tail_to) / (1 - tail_to), 1e-12);
	near("P(T > tau | served)", mmck_to_tail(&o, &q, tau), 0, 0);
	mmck_free(&q);
}

/* (4) a timeout out of reach changes nothing: the M/M/c/K figures */
static void test_timeout_out_of_reach(void)
{
	struct mmck q;
	struct mmck_to o;

	CU_ASSERT_EQUAL_FATAL(mmck_solve(&q, 300, 200, 2, 3), 0);
	mmck_timeout(&o, &q, 60);
	T_EQ(o.model, MMCK_TO_NONE);
	near("served", o.served, 1 - q.block, 1e-12);
	near("mean", o.lat_mean, q.wq + 1 / q.mu, 0);
	near("tail", mmck_to_tail(&o, &q, 0.01), mmck_resp_tail(&q, 0.01), 0);
	mmck_free(&q);
}

/* --- whole runs: one ALB target group, aggregate vs per-request --- */

static struct lbh H;

static void start(const char *algo, const char *traffic, int n_targets, int nlb, uint64_t seed)
{
	char j[2048];
	struct err e;

	if (nlb)
		snprintf(j, sizeof j,
			 "{\"loadBalancers\": [{\"name\": \"nlb\", \"type\": \"network\","
			 " \"availabilityZones\": [\"us-east-1a\"]}],"
			 " \"targetGroups\": [{\"name\": \"tg\", \"loadBalancer\": \"nlb\","
			 " \"traffic\": {%s}}]}", traffic);
	else
		snprintf(j, sizeof j,
			 "{\"loadBalancers\": [{\"name\": \"alb\", \"type\": \"application\","
			 " \"availabilityZones\": [\"us-east-1a\", \"us-east-1b\"]}],"
			 " \"targetGroups\": [{\"name\": \"tg\", \"loadBalancer\": \"alb\","
			 " \"attributes\": {\"load_balancing.algorithm.type\": \"%s\"},"
			 " \"traffic\": {%s}}]}", algo, traffic);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(lbh_init(&H, j, seed, 60000, &e), 0);
	for (int i = 0; i < n_targets; i++) {
		char name[32];

		snprintf(name, sizeof name, "t%d", i);
		lb_target_register(H.lb, 0, (uint64_t)i, name, "us-east-1a", NULL, 0);
	}
	sim_run(H.s, 30000);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(lb_start(H.lb, 30000, &e), 0);
}

static void finish(sim_time_t end, struct lb_counts *k, double *p99)
{
	struct err e;

	sim_run(H.s, end);
	err_clear(&e);
	lb_close(H.lb, end, &e);
	lb_tg_counts(H.lb, 0, k);
	if (p99)
		*p99 = lb_lat_quantile(H.lb, &H.lb->tg[0].run.lat, 0.99);
	lbh_free(&H);
}

/* (5) aggregate mode, one target, c = 1, 1/mu = 1 s, tau = 10 s: the
 * scaled r9/r12 probes.  Before the fix: 63.2% and 0% served, and a mean
 * served latency of the timeout and of 9 999 600 ms. */
static void test_aggregate_run_patience(void)
{
	const double lams[2] = { 0.9, 1.2 };

	for (int k = 0; k < 2; k++) {
		char traffic[512];
		struct lb_counts c;
		struct th t;
		double p99, served, done;

		snprintf(traffic, sizeof traffic,
			 "\"mode\": \"aggregate\", \"arrivals\": {\"poisson\": {\"ratePerSecond\": %g}},"
			 " \"serviceTimeSeconds\": {\"exponential\": {\"mean\": 1}},"
			 " \"workersPerTask\": 1, \"queueLimit\": 100000, \"clientTimeoutSeconds\": 10",
			 lams[k]);
		start("round_robin", traffic, 1, 0, 31);
		finish(30000 + 100000000, &c, &p99);
		th_init(&t, lams[k], 1, 1, 10);
		served = th_cdf(&t, 10);
		done = c.served + c.e502 + c.e503 + c.e504;
		near("availability (%)", 100 * c.served / done, 100 * served, 1e-4);
		near("mean served latency (ms)", c.latency_sum_ms / c.served, 1000 * th_lat_sum(&t) / served,
		     1e-3);
		CU_ASSERT(p99 <= 10000);
		CU_ASSERT(p99 > 9000);
	}
}

/* (6) aggregate against per-request with a timeout that matters (M/M/2+D,
 * scaled q4: lam 1.8, 1/mu 1 s, tau 10 s; the 1-s service keeps the
 * per-request clock's bias far below the tolerance) */
static void run_q4(const char *mode, struct lb_counts *k, double *p99)
{
	char traffic[512];

	snprintf(traffic, sizeof traffic,
		 "\"mode\": \"%s\", \"arrivals\": {\"poisson\": {\"ratePerSecond\": 1.8}},"
		 " \"serviceTimeSeconds\": {\"exponential\": {\"mean\": 1}},"
		 " \"workersPerTask\": 2, \"queueLimit\": 100, \"clientTimeoutSeconds\": 10", mode);
	start("round_robin", traffic, 1, 0, 32);
	finish(30000 + 500000000, k, p99);
}

static void test_aggregate_vs_request_timeout(void)
{
	struct lb_counts a, r;
	double pa, pr, av_a, av_r, la, lr;
	char msg[256];

	run_q4("perRequest", &r, &pr);
	run_q4("aggregate", &a, &pa);
	av_r = 100 * r.served / (r.served + r.e502 + r.e503 + r.e504);
	av_a = 100 * a.served / (a.served + a.e502 + a.e503 + a.e504);
	lr = r.latency_sum_ms / r.served;
	la = a.latency_sum_ms / a.served;
	snprintf(msg, sizeof msg, "availability %.3f%% vs %.3f%%, mean %.1f vs %.1f ms, p99 %.0f vs %.0f ms",
		 av_r, av_a, lr, la, pr, pa);
	if (fabs(av_r - av_a) > 0.5 || fabs(lr - la) > 0.03 * lr || pa > 10000 || fabs(pa - pr) > 0.03 * pr)
		T_FAIL(msg);
	else
		CU_PASS(msg);
}

/* (7) choice E211: aggregate mode is a Poisson split, which per-request
 * mode is for weighted_random (tests/test_lb.c (f)) and for an NLB's flow
 * hash; round_robin and least_outstanding_requests balance better, so their
 * per-request runs have fewer 503s than aggregate mode says (4 targets,
 * lam 6, 1/mu 1 s, c 2, K 3: M/M/2/5 per target, 8.5% blocked). */
static double run_split(const char *algo, const char *mode, int nlb)
{
	char traffic[512];
	struct lb_counts k;

	snprintf(traffic, sizeof traffic,
		 "\"mode\": \"%s\", \"arrivals\": {\"poisson\": {\"ratePerSecond\": 6}},"
		 " \"serviceTimeSeconds\": {\"exponential\": {\"mean\": 1}},"
		 " \"workersPerTask\": 2, \"queueLimit\": 3, \"clientTimeoutSeconds\": 1000000%s", mode,
		 nlb ? ", \"flows\": 100000" : "");
	start(algo, traffic, 4, nlb, 33);
	finish(30000 + 100000000, &k, NULL);
	return 100 * k.served / (k.served + k.e502 + k.e503 + k.e504);
}

static void test_split_agreement(void)
{
	double agg = run_split("round_robin", "aggregate", 0);
	double nlb = run_split("", "perRequest", 1), nlb_a = run_split("", "aggregate", 1);
	double rr = run_split("round_robin", "perRequest", 0);
	double lor = run_split("least_outstanding_requests", "perRequest", 0);
	char msg[256];

	snprintf(msg, sizeof msg, "availability: aggregate %.3f%% (NLB %.3f%%), NLB flow hash %.3f%%,"
		 " round_robin %.3f%%, least_outstanding_requests %.3f%%", agg, nlb_a, nlb, rr, lor);
	near("aggregate: the same for every algorithm", nlb_a, agg, 1e-9);
	if (fabs(nlb - agg) > 0.5 || !(rr > agg + 2) || !(lor > agg + 5))
		T_FAIL(msg);
	else
		CU_PASS(msg);
}

/* (9) mmck_drain_left against the pure-death chain itself, by
 * uniformisation: from the stationary distribution, each step at rate
 * c mu takes one request out with probability min(n, c) / c; E[N(t)] is
 * the Poisson(c mu t) mixture of the steps' means. */
static double drain_left_uniform(const struct mmck *q, double t)
{
	int n_max = q->c + q->k;
	double *v = malloc(sizeof *v * (size_t)(n_max + 1)), *w = malloc(sizeof *w * (size_t)(n_max + 1));
	double lt = q->c * q->mu * t, left = 0, got = 0;

	for (int n = 0; n <= n_max; n++)
		v[n] = q->p[n];
	for (unsigned j = 0; got < 1 - 1e-13 && j < 100000; j++) {
		double pj = gsl_ran_poisson_pdf(j, lt), mean = 0;

		for (int n = 0; n <= n_max; n++)
			mean += n * v[n];
		left += pj * mean;
		got += pj;
		for (int n = 0; n <= n_max; n++)
			w[n] = 0;
		for (int n = 0; n <= n_max; n++) {
			double out = (double)(n < q->c ? n : q->c) / q->c;

			w[n] += v[n] * (1 - out);
			if (n > 0)
				w[n - 1] += v[n] * out;
		}
		for (int n = 0; n <= n_max; n++)
			v[n] = w[n];
	}
	free(v);
	free(w);
	return left;
}

static void test_drain_left(void)
{
	static const struct { double lam, mu; int c, k; double t; } cs[] = {
		{ 0.8, 1, 1, 5, 0.5 }, { 0.8, 1, 1, 5, 3 }, { 1.5, 1, 2, 20, 1 }, { 1.5, 1, 2, 20, 2 },
		{ 2.5, 1, 3, 10, 4 }, { 5, 1, 3, 30, 2 }, { 1, 0.05, 1000, 0, 10 },
	};

	for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
		struct mmck q;
		char what[128];

		CU_ASSERT_EQUAL_FATAL(mmck_solve(&q, cs[i].lam, cs[i].mu, cs[i].c, cs[i].k), 0);
		snprintf(what, sizeof what, "M/M/%d/%d lam %g mu %g, left at %g s", cs[i].c, cs[i].c + cs[i].k,
			 cs[i].lam, cs[i].mu, cs[i].t);
		near(what, mmck_drain_left(&q, cs[i].t), drain_left_uniform(&q, cs[i].t), 1e-9);
		near("left at 0 s: the mean in system", mmck_drain_left(&q, 0), q.l, 0);
		mmck_free(&q);
	}
}

/* (8) the requests a drain leaves in flight (docs/ecs-model.md §6.3):
 * those still in flight when the deregistration delay ends, or when the
 * target dies before it (its task gone: 58601d1), are cut, 502s.  Per
 * request each is counted; aggregate mode counts their expected number,
 * so the two agree in expectation.  10 targets with a Poisson split
 * (weighted_random, choice E211), healthy from 30 s; at 330 s (far past
 * the queues' warm-up) targets 0..4 are deregistered, and either their
 * delay ends (delay D) or they die s after the deregistration (delay
 * 300 s).  Per-request mode over many seeds against aggregate mode's one
 * deterministic run. */
struct drain_case {
	const char *what;
	double rate, mean;        /* requests/s over the group; service mean, s */
	int workers, queue;
	int delay;                /* s */
	double cut;               /* s after the deregistration; < 0: none */
	int seeds;
	double tol;               /* relative */
};

static double drain_502(const struct drain_case *d, const char *mode, uint64_t seed)
{
	char j[2048];
	struct err e;
	struct lb_counts k;
	sim_time_t dereg = 330000, end = dereg + 400000;

	snprintf(j, sizeof j,
		 "{\"loadBalancers\": [{\"name\": \"alb\", \"type\": \"application\","
		 " \"availabilityZones\": [\"us-east-1a\", \"us-east-1b\"]}],"
		 " \"targetGroups\": [{\"name\": \"tg\", \"loadBalancer\": \"alb\","
		 " \"attributes\": {\"load_balancing.algorithm.type\": \"weighted_random\","
		 " \"deregistration_delay.timeout_seconds\": %d},"
		 " \"traffic\": {\"mode\": \"%s\", \"arrivals\": {\"poisson\": {\"ratePerSecond\": %g}},"
		 " \"serviceTimeSeconds\": {\"exponential\": {\"mean\": %g}},"
		 " \"workersPerTask\": %d, \"queueLimit\": %d, \"clientTimeoutSeconds\": 1000000}}]}",
		 d->delay, mode, d->rate, d->mean, d->workers, d->queue);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(lbh_init(&H, j, seed, 60000, &e), 0);
	for (int i = 0; i < 10; i++) {
		char name[32];

		snprintf(name, sizeof name, "t%d", i);
		lb_target_register(H.lb, 0, (uint64_t)i, name, "us-east-1a", NULL, 0);
	}
	sim_run(H.s, 30000);
	CU_ASSERT_EQUAL_FATAL(lb_start(H.lb, 30000, &e), 0);
	sim_run(H.s, dereg);
	for (int i = 0; i < 5; i++)
		lb_target_deregister(H.lb, 0, i, dereg);
	if (d->cut >= 0) {
		sim_time_t at = dereg + (sim_time_t)llround(d->cut * 1000);

		sim_run(H.s, at);
		for (int i = 0; i < 5; i++)
			lb_target_dead(H.lb, 0, i, at);
	}
	sim_run(H.s, end);
	lb_close(H.lb, end, &e);
	lb_tg_counts(H.lb, 0, &k);
	lbh_free(&H);
	return k.e502;
}

static const struct drain_case drain_cases[] = {
	/* no queueing (1,000 workers): 20 in flight per target, each
	 * request's rest Exp(1/20 s): 5 x 20 e^{-1.5} = 22.3 at a 30-s delay,
	 * 5 x 20 e^{-0.5} = 60.7 cut 10 s in */
	{ "M/M/1000/1000, the delay ends", 10, 20, 1000, 0, 30, -1, 40, 0.10 },
	{ "M/M/1000/1000, cut", 10, 20, 1000, 0, 300, 10, 40, 0.10 },
	/* a drain aggregate mode ends early: 20 in flight, 20-s service,
	 * E[T] x H(20) = 72 s before the 75-s delay; per request the
	 * requests still in flight at 75 s are cut, 5 x 20 e^{-3.75} = 2.35
	 * (the old aggregate mode counted none) */
	{ "M/M/1000/1000, ended before the delay", 10, 20, 1000, 0, 75, -1, 400, 0.10 },
	/* queueing: M/M/2/22 at 1.5/s, 1-s service (about 3.4 in flight) */
	{ "M/M/2/22, the delay ends", 15, 1, 2, 20, 2, -1, 200, 0.10 },
	{ "M/M/2/22, cut", 15, 1, 2, 20, 300, 1, 200, 0.10 },
};

static void test_drain_cut_agreement(void)
{
	for (size_t c = 0; c < sizeof drain_cases / sizeof drain_cases[0]; c++) {
		const struct drain_case *d = &drain_cases[c];
		double agg = drain_502(d, "aggregate", 41), req = 0;
		char msg[256];

		for (int s = 0; s < d->seeds; s++)
			req += drain_502(d, "perRequest", 100 + (uint64_t)s);
		req /= d->seeds;
		/* aggregate: 5 times what mmck_drain_left leaves at the cut */
		{
			struct mmck q;

			CU_ASSERT_EQUAL_FATAL(mmck_solve(&q, d->rate / 10, 1 / d->mean, d->workers, d->queue), 0);
			near("aggregate: 5 drains' expected 502s", agg,
			     5 * mmck_drain_left(&q, d->cut >= 0 ? d->cut : d->delay), 1e-6);
			mmck_free(&q);
		}
		snprintf(msg, sizeof msg, "%s: 502s per request %.3f (mean of %d seeds), aggregate %.3f",
			 d->what, req, d->seeds, agg);
		if (!(req > 1) || !(fabs(agg - req) <= d->tol * req))
			T_FAIL(msg);
		else
			CU_PASS(msg);
	}
}

CU_TestInfo lb_agg_tests[] = {
	{ "M/M/1 with the client timeout as patience (mm1d.py)", test_mm1_patience },
	{ "M/M/2 with the client timeout as patience", test_mm2_patience },
	{ "M/M/c/K conditioned on T <= timeout", test_mmck_conditioned },
	{ "a timeout out of reach: M/M/c/K as it is", test_timeout_out_of_reach },
	{ "aggregate run: availability and served latency with a timeout", test_aggregate_run_patience },
	{ "aggregate vs per-request with a timeout that matters", test_aggregate_vs_request_timeout },
	{ "aggregate agrees with weighted_random / flow hash only", test_split_agreement },
	{ "a drain's expected requests left: the pure-death chain", test_drain_left },
	{ "a drain's requests cut at the delay's end or its death: aggregate as per request", test_drain_cut_agreement },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "lb-agg", NULL, NULL, NULL, NULL, lb_agg_tests },
	CU_SUITE_INFO_NULL,
};
