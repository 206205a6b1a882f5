/* tests/test_theory.c — ecsim's stochastic models against exact results of
 * queueing and reliability theory (scenarios/README.md, "`workload`",
 * "`pending`", "Faults", "`fargate`", "`service_summary.csv`").
 *
 * Each scenario is one where theory gives the answer exactly: a Poisson
 * arrival count; a generator's run times and gaps against their CDFs
 * (Kolmogorov-Smirnov); M/G/1 waits (Pollaczek-Khinchine) and Little's
 * law; Erlang's loss formula for `pending.mode` `fail` (insensitive to the
 * run-time distribution); the M/M/c queue with deterministic patience
 * (`pending.timeoutSeconds`); the alternating renewal of an instance's
 * failures and repairs with non-exponential laws; the binomial k-out-of-n
 * availability of a service on hosts that fail and are repaired or
 * replaced; the mean time to replace; the control plane's excess
 * availability under a jittered heartbeat; the EC2 Spot renewal rate; the
 * FARGATE_SPOT share of interrupted tasks.  Figures over independent seeds
 * are checked with a Student-t interval at 99.9 % (GSL), whose width is
 * also bounded so the check has teeth.  Every latency is 0 but the
 * heartbeat's where the check is about it.  None of these
 * found a deviation but the first (see its comment). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_statistics_double.h>

#include <gsl/gsl_randist.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "sim/rng.h"

#define MAX_SEEDS 20

#define ZERO_CP "\"controlPlane\":{\"placementLatencySeconds\":0,\"apiLatencySeconds\":0,\"schedulerDelaySeconds\":0," \
	"\"heartbeatTimeoutSeconds\":0,\"heartbeatJitterSeconds\":0,\"healthyAfterSeconds\":0},"
#define ZERO_AGENT "\"agent\":{\"networkDelaySeconds\":0,\"imagePullSeconds\":0,\"imagePullCachedSeconds\":0," \
	"\"containerStartSeconds\":0,\"shutdownSeconds\":0},"
/* one host of 2048 CPU units: `one` (2048 units) fills it, `slot` (512) a quarter */
#define QHOST "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"]," \
	"\"instanceTypes\":[{\"name\":\"q.host\",\"vcpu\":2,\"memoryGiB\":8}]," \
	"\"instanceDefaults\":{\"memoryOsFactor\":1,\"reservedMemoryMiB\":0}," \
	"\"instanceGroups\":[{\"instanceType\":\"q.host\",\"availabilityZone\":\"us-east-1a\",\"count\":1}],"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write_def("one", 2048, 64);
	rs_write_def("slot", 512, 64);
	rs_write_def("small", 256, 512);
	return 0;
}

/* |mean of xs - want| within the 99.9 % Student-t interval of the n seeds;
 * the interval itself under `rel` of want. */
static void check(const char *what, const double *xs, int n, double want, double rel)
{
	double m = gsl_stats_mean(xs, 1, (size_t)n);
	double half = gsl_cdf_tdist_Pinv(0.9995, n - 1) * gsl_stats_sd(xs, 1, (size_t)n) / sqrt(n);
	char msg[240];

	snprintf(msg, sizeof msg, "%s: %.4f ± %.4f over %d seeds, theory %.4f", what, m, half, n, want);
	CU_assertImplementation(fabs(m - want) <= half, __LINE__, msg, __FILE__, "", CU_FALSE);
	CU_assertImplementation(half < rel * want, __LINE__, msg, __FILE__, "", CU_FALSE);
}

/* Every value of column `col` of out-<tag>/file (empty = NAN) into a
 * malloc'd array; *n gets the count.  The outputs have no quoted fields. */
static double *column(const char *tag, const char *file, const char *col, int *n)
{
	char path[600], line[4096];
	FILE *f;
	int k = -1, cap = 1024;
	double *v = malloc((size_t)cap * sizeof *v);

	*n = 0;
	snprintf(path, sizeof path, "%s/out-%s/%s", rs_dir(), tag, file);
	f = fopen(path, "r");
	if (!f || !v || !fgets(line, sizeof line, f)) {
		if (f)
			fclose(f);
		return v;
	}
	line[strcspn(line, "\r\n")] = 0;
	{
		char *p = line;

		for (int i = 0; p; i++) {
			char *c = strchr(p, ',');

			if (c)
				*c = 0;
			if (strcmp(p, col) == 0)
				k = i;
			p = c ? c + 1 : NULL;
		}
	}
	while (k >= 0 && fgets(line, sizeof line, f)) {
		char *p = line;

		for (int i = 0; i < k && p; i++) {
			p = strchr(p, ',');
			p = p ? p + 1 : NULL;
		}
		if (*n == cap) {
			double *w = realloc(v, (size_t)(cap *= 2) * sizeof *v);

			if (!w)
				break;
			v = w;
		}
		v[(*n)++] = p && *p && *p != ',' && *p != '\n' && *p != '\r' ? strtod(p, NULL) : NAN;
	}
	fclose(f);
	return v;
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

/* Run `json` (with "%s" for the name and "%d" for the seed) for seeds
 * 100..100+n-1, each into out-<stem> (the folder is reused: each run's
 * figures are read before the next); `read` takes what it needs from it
 * for seed index i. */
static int run_seeds(const char *stem, const char *json, int n, void (*read)(const char *tag, int i, void *ctx),
		     void *ctx)
{
	for (int i = 0; i < n; i++) {
		char text[4000], name[64];

		snprintf(name, sizeof name, "%s.json", stem);
		snprintf(text, sizeof text, json, stem, 100 + i);
		rs_write(name, text);
		if (rs_run(name, stem, NULL, NULL, NULL) != 0)
			return -1;
		read(stem, i, ctx);
	}
	return 0;
}

/* Reads row 1's column `col` of `file` into xs[i]. */
struct cell {
	const char *file, *col;
	double *xs;
};

static void read_cell(const char *tag, int i, void *ctx)
{
	struct cell *c = ctx;

	c->xs[i] = rs_num(tag, c->file, 1, c->col);
}

/* summary.csv's tasks_never_placed / tasks_submitted into xs[i] */
static void read_lost(const char *tag, int i, void *ctx)
{
	double *xs = ctx;

	xs[i] = rs_num(tag, "summary.csv", 1, "tasks_never_placed") / rs_num(tag, "summary.csv", 1, "tasks_submitted");
}

/* M/G/1: tasks that fill the one host, Poisson arrivals at lambda = 0.008/s,
 * waiting FIFO.  Pollaczek-Khinchine: E[W] = lambda E[S^2] / (2 (1 - rho)),
 * rho = lambda E[S] = 0.8.  Constant 100 s (M/D/1): E[W] = 200 s; lognormal
 * of mean 100 s and sd 150 s: E[S^2] = 32,500, E[W] = 650 s.  Little's law
 * on the sampled timeseries: mean tasks_pending = lambda E[W] = 1.6 for
 * M/D/1, mean tasks_running = rho. */
/* mean_pending_s into w[i]; for M/D/1 also the sampled means of
 * tasks_pending and tasks_running (the first row is time 0, before any
 * arrival) */
struct pk {
	double w[MAX_SEEDS], lq[MAX_SEEDS], busy[MAX_SEEDS];
};

static void read_pk(const char *tag, int i, void *ctx)
{
	struct pk *c = ctx;
	int n, m;
	double *p = column(tag, "timeseries.csv", "tasks_pending", &n);
	double *r = column(tag, "timeseries.csv", "tasks_running", &m);

	c->w[i] = rs_num(tag, "summary.csv", 1, "mean_pending_s");
	c->lq[i] = n > 1 ? gsl_stats_mean(p + 1, 1, (size_t)(n - 1)) : NAN;
	c->busy[i] = m > 1 ? gsl_stats_mean(r + 1, 1, (size_t)(m - 1)) : NAN;
	free(p);
	free(r);
}

static void test_pollaczek_khinchine(void)
{
	static const char *const json[2] = {
		"{\"name\":\"%s\",\"seed\":%d,\"durationSeconds\":1000000,\"metricsIntervalSeconds\":97," ZERO_CP ZERO_AGENT QHOST
		"\"taskDefinitions\":{\"one\":\"one.json\"},\"workload\":{\"generators\":[{\"interArrivalSeconds\":"
		"{\"exponential\":{\"mean\":125}},\"taskDefinitions\":[\"one\"],\"runtimeSeconds\":100}]}}",
		"{\"name\":\"%s\",\"seed\":%d,\"durationSeconds\":1000000,\"metricsIntervalSeconds\":100000," ZERO_CP ZERO_AGENT QHOST
		"\"taskDefinitions\":{\"one\":\"one.json\"},\"workload\":{\"generators\":[{\"interArrivalSeconds\":"
		"{\"exponential\":{\"mean\":125}},\"taskDefinitions\":[\"one\"],"
		"\"runtimeSeconds\":{\"lognormal\":{\"mean\":100,\"sd\":150}}}]}}",
	};
	const double lambda = 0.008, es2[2] = { 10000, 32500 }, rel[2] = { 0.12, 0.2 };
	struct pk c;

	for (int k = 0; k < 2; k++) {
		CU_ASSERT_EQUAL_FATAL(run_seeds("pk", json[k], 20, read_pk, &c), 0);
		check(k ? "M/G/1 mean wait" : "M/D/1 mean wait", c.w, 20, lambda * es2[k] / (2 * (1 - 0.8)), rel[k]);
		if (k == 0) {
			check("M/D/1 mean tasks_pending (Little)", c.lq, 20, lambda * lambda * es2[0] / (2 * (1 - 0.8)), 0.12);
			check("M/D/1 mean tasks_running", c.busy, 20, 0.8, 0.02);
		}
	}
}

/* Erlang's loss formula: with `pending.mode` `fail` a task that fits
 * nowhere is refused at once, so 4 slots under Poisson arrivals (lambda =
 * 0.032/s) and mean run time 100 s (a = 3.2) lose the share
 * B(4, 3.2) = 0.22814 of the tasks (tasks_never_placed / tasks_submitted),
 * whatever the run-time distribution (M/G/c/c is insensitive): exponential,
 * lognormal of sd 200 s, constant.  The mean reservation is
 * 100 a (1 - B) / 4 = 61.748 %. */
/* the lost share into w[i], mean_cpu_reserved_pct into busy[i] */
static void read_eb(const char *tag, int i, void *ctx)
{
	struct pk *c = ctx;

	read_lost(tag, i, c->w);
	c->busy[i] = rs_num(tag, "summary.csv", 1, "mean_cpu_reserved_pct");
}

static void test_erlang_b(void)
{
	static const char *const rt[3] = { "{\"exponential\":{\"mean\":100}}", "{\"lognormal\":{\"mean\":100,\"sd\":200}}",
					   "100" };
	const double a = 3.2;
	double b = 1;
	struct pk c;

	for (int k = 1; k <= 4; k++)
		b = a * b / (k + a * b);
	for (int d = 0; d < 3; d++) {
		char json[2000], what[80];

		snprintf(json, sizeof json, "{\"name\":\"%%s\",\"seed\":%%d,\"durationSeconds\":200000,\"metricsIntervalSeconds\":100000,"
			 ZERO_CP ZERO_AGENT "\"pending\":{\"mode\":\"fail\"}," QHOST
			 "\"taskDefinitions\":{\"slot\":\"slot.json\"},\"workload\":{\"generators\":[{\"interArrivalSeconds\":"
			 "{\"exponential\":{\"mean\":31.25}},\"taskDefinitions\":[\"slot\"],\"runtimeSeconds\":%s}]}}", rt[d]);
		CU_ASSERT_EQUAL_FATAL(run_seeds("eb", json, 20, read_eb, &c), 0);
		snprintf(what, sizeof what, "blocking, run time %s", rt[d]);
		check(what, c.w, 20, b, 0.05);
		snprintf(what, sizeof what, "mean_cpu_reserved_pct, run time %s", rt[d]);
		check(what, c.busy, 20, 100 * a * (1 - b) / 4, 0.02);
	}
}

/* M/M/c+D: `pending.timeoutSeconds` is a deterministic patience tau; a
 * task still waiting then stops, never placed.  c = 4, mu = 0.01/s,
 * lambda = 0.05/s (overloaded: only abandonment keeps it stable).  With
 * J = (e^((lambda - c mu) tau) - 1) / (lambda - c mu) + e^((lambda - c mu) tau) / (c mu),
 * P(W > 0) = t / (sum_{j<c} a^j/j! + t), t = a^c/(c-1)! mu J, and
 * P(abandon) = P(W > 0) (1 + (lambda - c mu) J) / (lambda J) (Mandelbaum
 * and Zeltyn's M/M/n+G with G deterministic; checked against a separate
 * simulation): 0.28653 at tau = 50 s, 0.21445 at tau = 200 s. */
static void test_patience(void)
{
	const int c = 4;
	const double lambda = 0.05, mu = 0.01, a = lambda / mu, taus[2] = { 50, 200 };
	double lost[MAX_SEEDS];

	for (int k = 0; k < 2; k++) {
		double tau = taus[k], d = lambda - c * mu, e = 0, t, pw, want;
		double j = (exp(d * tau) - 1) / d + exp(d * tau) / (c * mu);
		char json[2000], what[80];

		for (int i = 0; i < c; i++)
			e += exp(i * log(a) - gsl_sf_lnfact((unsigned)i));
		t = exp(c * log(a) - gsl_sf_lnfact((unsigned)(c - 1))) * mu * j;
		pw = t / (e + t);
		want = pw * (1 + d * j) / (lambda * j);
		snprintf(json, sizeof json, "{\"name\":\"%%s\",\"seed\":%%d,\"durationSeconds\":300000,\"metricsIntervalSeconds\":100000,"
			 ZERO_CP ZERO_AGENT "\"pending\":{\"mode\":\"wait\",\"timeoutSeconds\":%g}," QHOST
			 "\"taskDefinitions\":{\"slot\":\"slot.json\"},\"workload\":{\"generators\":[{\"interArrivalSeconds\":"
			 "{\"exponential\":{\"mean\":20}},\"taskDefinitions\":[\"slot\"],"
			 "\"runtimeSeconds\":{\"exponential\":{\"mean\":100}}}]}}", tau);
		CU_ASSERT_EQUAL_FATAL(run_seeds("ab", json, 20, read_lost, lost), 0);
		snprintf(what, sizeof what, "abandoned share at tau %g s", tau);
		check(what, lost, 20, want, 0.05);
	}
}

/* An instance's failures with repair form an alternating renewal process
 * whatever the distributions: up MTBF / (MTBF + MTTR) of the time, failing
 * 1 / (MTBF + MTTR) times a second.  Weibull times to failure (shape 2,
 * scale 1000: mean 886.23 s) and lognormal repairs (mean 250, sd 300):
 * up 0.77997, 8.8011 failures per 10^4 s; 50 instances over 2·10^5 s,
 * 10 seeds, from failures.csv's instants and durations. */
struct renewal {
	double up[10], rate[10];
};

static void read_renewal(const char *tag, int i, void *ctx)
{
	struct renewal *c = ctx;
	const double T = 200000, N = 50;
	int n, m;
	double *t = column(tag, "failures.csv", "time_s", &n);
	double *d = column(tag, "failures.csv", "duration_s", &m);
	double down = 0;

	CU_ASSERT(n == m && n > 0);
	for (int k = 0; k < n && n == m; k++)
		down += fmin(t[k] + d[k], T) - t[k];
	c->up[i] = 1 - down / (N * T);
	c->rate[i] = n / (N * T) * 1e4;
	free(t);
	free(d);
}

static void test_alternating_renewal(void)
{
	const double mtbf = 1000 * gsl_sf_gamma(1.5), mttr = 250;
	struct renewal c;

	CU_ASSERT_EQUAL_FATAL(run_seeds("ar",
		"{\"name\":\"%s\",\"seed\":%d,\"durationSeconds\":200000,\"metricsIntervalSeconds\":10000," ZERO_CP ZERO_AGENT
		"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		"\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"t3.medium\",\"availabilityZone\":\"us-east-1a\",\"count\":50,"
		"\"failures\":{\"timeToFailureSeconds\":{\"weibull\":{\"shape\":2,\"scale\":1000}},"
		"\"timeToRepairSeconds\":{\"lognormal\":{\"mean\":250,\"sd\":300}}}}]}", 10, read_renewal, &c), 0);
	check("up fraction", c.up, 10, mtbf / (mtbf + mttr), 0.01);
	check("failures per 10^4 s", c.rate, 10, 1e4 / (mtbf + mttr), 0.03);
}

/* k-out-of-n: a service of desired 3 (distinctInstance) on 5 hosts, each
 * up with probability p independently (alternating renewal), runs
 * min(U, 3) tasks, U ~ Binomial(5, p), every latency 0:
 * availability_physical_pct = 100 E[min(U, 3)] / 3 and full_capacity_pct
 * = 100 P(U >= 3).  (1) repair, exponential TTF 1000 s and TTR 500 s:
 * p = 2/3, 91.358 and 79.012; (2) Weibull TTF (shape 2, scale 1000) and a
 * constant 400-s repair: p = 0.68901, 92.801; (3) no repair, the Auto
 * Scaling group's replacement 500 s after the failure, with the quota
 * raised (a host failed for good stays registered, choice E163): p = 2/3
 * again.  Each host (or its replacement) fails (1 - p) / MTTR times a
 * second. */
/* availability_physical_pct into w[i], full_capacity_pct into busy[i],
 * failures.csv's rows per 10^4 s of 5 hosts' time into lq[i] */
static void read_avail(const char *tag, int i, void *ctx)
{
	struct pk *c = ctx;

	c->w[i] = rs_num(tag, "service_summary.csv", 1, "availability_physical_pct");
	c->busy[i] = rs_num(tag, "service_summary.csv", 1, "full_capacity_pct");
	c->lq[i] = rs_rows(tag, "failures.csv") / (5 * rs_num(tag, "summary.csv", 1, "sim_seconds")) * 1e4;
}

static void test_k_out_of_n(void)
{
	static const char *const grp[3] = {
		"\"failures\":{\"timeToFailureSeconds\":{\"exponential\":{\"mean\":1000}},"
		"\"timeToRepairSeconds\":{\"exponential\":{\"mean\":500}}}",
		"\"failures\":{\"timeToFailureSeconds\":{\"weibull\":{\"shape\":2,\"scale\":1000}},\"timeToRepairSeconds\":400}",
		"\"failures\":{\"timeToFailureSeconds\":{\"exponential\":{\"mean\":1000}}},"
		"\"autoScaling\":{\"replaceFailed\":true,\"replacementDelaySeconds\":500}",
	};
	const double ps[3] = { 2.0 / 3, 0, 2.0 / 3 }, mttr[3] = { 500, 400, 500 };
	struct pk c;

	for (int k = 0; k < 3; k++) {
		double p = k == 1 ? 1000 * gsl_sf_gamma(1.5) / (1000 * gsl_sf_gamma(1.5) + 400) : ps[k], want = 0, wfull = 0;
		char json[2000], what[80];

		for (int u = 0; u <= 5; u++) {
			double pu = gsl_sf_choose(5, (unsigned)u) * pow(p, u) * pow(1 - p, 5 - u);

			want += pu * fmin(u, 3) / 3;
			wfull += u >= 3 ? pu : 0;
		}
		snprintf(json, sizeof json, "{\"name\":\"%%s\",\"seed\":%%d,\"durationSeconds\":1000000,\"metricsIntervalSeconds\":100000,"
			 ZERO_CP ZERO_AGENT "\"limits\":{\"maxInstances\":100000},"
			 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
			 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
			 "\"count\":5,%s}],\"taskDefinitions\":{\"small\":\"small.json\"},"
			 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":3,"
			 "\"placementConstraints\":[{\"type\":\"distinctInstance\"}]}]}", grp[k]);
		CU_ASSERT_EQUAL_FATAL(run_seeds("kn", json, 10, read_avail, &c), 0);
		snprintf(what, sizeof what, "availability_physical_pct, case %d", k + 1);
		check(what, c.w, 10, 100 * want, 0.01);
		snprintf(what, sizeof what, "full_capacity_pct, case %d", k + 1);
		check(what, c.busy, 10, 100 * wfull, 0.03);
		snprintf(what, sizeof what, "failures per host per 10^4 s, case %d", k + 1);
		check(what, c.lq, 10, 1e4 * (1 - p) / mttr[k], 0.03);
	}
}

/* Time to replace with no spare host: desired 3 on 3 hosts (distinct), a
 * lost task waits for a host to come back.  Whatever the pairing of losses
 * and returns (first lost, first replaced), the sum of the waits is the
 * sum of the returns minus the sum of the losses, so
 * mean_time_to_replace_s is the mean repair time: Weibull (shape 1.5,
 * scale 300) = 270.82 s.  With replacement instead of repair (Auto
 * Scaling, 150 s; EC2 Spot hosts interrupted, terminated 120 s after the
 * notice and replaced 150 s later) it is 150 s exactly. */
static void test_time_to_replace(void)
{
	static const char *const grp[3] = {
		"\"failures\":{\"timeToFailureSeconds\":{\"exponential\":{\"mean\":1000}},"
		"\"timeToRepairSeconds\":{\"weibull\":{\"shape\":1.5,\"scale\":300}}}",
		"\"failures\":{\"timeToFailureSeconds\":{\"exponential\":{\"mean\":1000}}},"
		"\"autoScaling\":{\"replaceFailed\":true,\"replacementDelaySeconds\":150}",
		"\"spot\":{\"timeToInterruptionSeconds\":{\"exponential\":{\"mean\":1000}},\"pollSeconds\":0},"
		"\"autoScaling\":{\"replaceFailed\":true,\"replacementDelaySeconds\":150}",
	};
	double ttr[MAX_SEEDS];
	struct cell c = { "service_summary.csv", "mean_time_to_replace_s", ttr };

	for (int k = 0; k < 3; k++) {
		char json[2000];

		snprintf(json, sizeof json, "{\"name\":\"%%s\",\"seed\":%%d,\"durationSeconds\":300000,\"metricsIntervalSeconds\":100000,"
			 ZERO_CP ZERO_AGENT "\"limits\":{\"maxInstances\":100000},"
			 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
			 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
			 "\"count\":3,%s}],\"taskDefinitions\":{\"small\":\"small.json\"},"
			 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":3,"
			 "\"placementConstraints\":[{\"type\":\"distinctInstance\"}]}]}", grp[k]);
		CU_ASSERT_EQUAL_FATAL(run_seeds("tr", json, 10, read_cell, &c), 0);
		if (k == 0) {
			check("mean_time_to_replace_s, Weibull repairs", ttr, 10, 300 * gsl_sf_gamma(1 + 1 / 1.5), 0.06);
			continue;
		}
		for (int i = 0; i < 10; i++)
			T_NEAR(ttr[i], 150);
	}
}

/* The control plane's view with a jittered heartbeat timeout
 * (docs/ecs-model.md choice E205): ECS notices a failed host D = 60 s +
 * uniform[0, 60) s after the failure, or not at all when it is repaired
 * first, so availability_pct exceeds availability_physical_pct by
 * 100 E[min(D, TTR)] / (MTBF + MTTR), E[min(D, TTR)] =
 * b (1 - e^(-60/b) (b/J) (1 - e^(-J/b))) for TTR ~ Exp(mean b = 400 s),
 * J = 60: 2.0073 points (tests/test_avail_physical.c checks J = 0).  20
 * hosts, one task each (desired 20, distinctInstance), MTBF 3600 s: the
 * physical figure is 90 %. */
static void read_excess(const char *tag, int i, void *ctx)
{
	struct pk *c = ctx;

	c->w[i] = rs_num(tag, "service_summary.csv", 1, "availability_physical_pct");
	c->busy[i] = rs_num(tag, "service_summary.csv", 1, "availability_pct") - c->w[i];
}

static void test_heartbeat_jitter(void)
{
	const double a = 3600, b = 400, j = 60;
	struct pk c;

	CU_ASSERT_EQUAL_FATAL(run_seeds("hb",
		"{\"name\":\"%s\",\"seed\":%d,\"durationSeconds\":1000000,\"metricsIntervalSeconds\":100000,"
		"\"controlPlane\":{\"placementLatencySeconds\":0,\"apiLatencySeconds\":0,\"schedulerDelaySeconds\":0,"
		"\"heartbeatTimeoutSeconds\":60,\"heartbeatJitterSeconds\":60,\"healthyAfterSeconds\":0}," ZERO_AGENT
		"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		"\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":20,"
		"\"failures\":{\"timeToFailureSeconds\":{\"exponential\":{\"mean\":3600}},"
		"\"timeToRepairSeconds\":{\"exponential\":{\"mean\":400}}}}],"
		"\"taskDefinitions\":{\"small\":\"small.json\"},"
		"\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":20,"
		"\"placementConstraints\":[{\"type\":\"distinctInstance\"}]}]}", 10, read_excess, &c), 0);
	check("availability_physical_pct", c.w, 10, 100 * a / (a + b), 0.01);
	check("availability_pct - physical", c.busy, 10,
	      100 * b * (1 - exp(-60 / b) * (b / j) * (1 - exp(-j / b))) / (a + b), 0.05);
}

/* EC2 Spot: each host of the group is a renewal process of notice (drawn
 * from registration, exponential mean 1000 s), termination 120 s later and
 * a replacement registering 100 s after that: 10^4 / 1220 = 8.1967 notices
 * per host per 10^4 s (5 hosts, 10^6 s, 10 seeds).  A service of desired 3
 * on them (no draining, distinctInstance) is then up as in
 * test_k_out_of_n with p = 1120 / 1220: 99.8311 %. */
static void test_spot_rate(void)
{
	const double p = 1120.0 / 1220;
	struct pk c;
	double want = 0;

	for (int u = 0; u <= 5; u++)
		want += gsl_sf_choose(5, (unsigned)u) * pow(p, u) * pow(1 - p, 5 - u) * fmin(u, 3) / 3;
	CU_ASSERT_EQUAL_FATAL(run_seeds("sp",
		"{\"name\":\"%s\",\"seed\":%d,\"durationSeconds\":1000000,\"metricsIntervalSeconds\":100000," ZERO_CP ZERO_AGENT
		"\"limits\":{\"maxInstances\":100000},\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		"\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":5,"
		"\"spot\":{\"timeToInterruptionSeconds\":{\"exponential\":{\"mean\":1000}},\"warningSeconds\":120,\"pollSeconds\":0},"
		"\"autoScaling\":{\"replaceFailed\":true,\"replacementDelaySeconds\":100}}],"
		"\"taskDefinitions\":{\"small\":\"small.json\"},"
		"\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":3,"
		"\"placementConstraints\":[{\"type\":\"distinctInstance\"}]}]}",
		10, read_avail, &c), 0);
	check("Spot notices per host per 10^4 s", c.lq, 10, 1e4 / 1220, 0.03);
	check("availability_physical_pct on Spot hosts", c.w, 10, 100 * want, 0.001);
}

/* FARGATE_SPOT: interruptions are a Poisson process of rate r per task-hour
 * from RUNNING, so a task running R s is interrupted with probability
 * 1 - e^(-r R / 3600): 0.39347 at r = 3, R = 600 s.  Standalone tasks on
 * the FARGATE_SPOT provider, submitted until 1000 s before the end (all
 * done by then): the interruptions (failures.csv) over the tasks placed. */
static void read_share(const char *tag, int i, void *ctx)
{
	double *xs = ctx;

	xs[i] = rs_rows(tag, "failures.csv") / rs_num(tag, "summary.csv", 1, "tasks_placed");
}

static void test_fargate_spot_share(void)
{
	double share[10];

	rs_write("fg.json", "{\"family\":\"fg\",\"requiresCompatibilities\":[\"FARGATE\"],\"networkMode\":\"awsvpc\","
		 "\"cpu\":\"256\",\"memory\":\"512\",\"containerDefinitions\":[{\"name\":\"c\",\"image\":\"x\"}]}");
	CU_ASSERT_EQUAL_FATAL(run_seeds("fs",
		"{\"name\":\"%s\",\"seed\":%d,\"durationSeconds\":200000,\"metricsIntervalSeconds\":100000," ZERO_CP ZERO_AGENT
		"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		"\"fargate\":{\"provisioningSeconds\":0,\"launchesPerSecond\":0,\"spot\":{\"interruptionsPerTaskHour\":3}},"
		"\"taskDefinitions\":{\"fg\":\"fg.json\"},"
		"\"workload\":{\"generators\":[{\"interArrivalSeconds\":{\"exponential\":{\"mean\":20}},\"stopSeconds\":199000,"
		"\"taskDefinitions\":[\"fg\"],\"runtimeSeconds\":600,"
		"\"capacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":1}]}]}}",
		10, read_share, share), 0);
	check("FARGATE_SPOT interrupted share", share, 10, 1 - exp(-3.0 * 600 / 3600), 0.03);
}

/* A generator's run times are draws of its distribution: Weibull (shape
 * 0.8, scale 50) read back from tasks.csv (stop_s - running_s, every
 * latency 0 and room for all), Kolmogorov-Smirnov at 0.1 %: D below
 * 1.949 / sqrt(n) (its asymptotic critical value).  The gaps between
 * submissions, exponential of mean 4 s, the same way. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double ks_d(double *x, int n, double (*cdf)(double))
{
	double d = 0;

	qsort(x, (size_t)n, sizeof *x, cmp_double);
	for (int i = 0; i < n; i++) {
		double f = cdf(x[i]);

		d = fmax(d, fmax((i + 1.0) / n - f, f - (double)i / n));
	}
	return d;
}

static double weibull_cdf(double x)
{
	return x <= 0 ? 0 : 1 - exp(-pow(x / 50, 0.8));
}

static double exp4_cdf(double x)
{
	return x <= 0 ? 0 : 1 - exp(-x / 4);
}

static void test_runtime_ks(void)
{
	int n1, n2, n3, k = 0;
	double *start, *stop, *sub, d;
	char msg[120];

	rs_write("ks.json", "{\"name\":\"ks\",\"seed\":9,\"durationSeconds\":20000,\"metricsIntervalSeconds\":10000," ZERO_CP ZERO_AGENT
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.4xlarge\",\"availabilityZone\":\"us-east-1a\",\"count\":10}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"workload\":{\"generators\":[{\"interArrivalSeconds\":{\"exponential\":{\"mean\":4}},"
		 "\"taskDefinitions\":[\"small\"],\"runtimeSeconds\":{\"weibull\":{\"shape\":0.8,\"scale\":50}}}]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("ks.json", "ks", NULL, NULL, NULL), 0);
	start = column("ks", "tasks.csv", "running_s", &n1);
	stop = column("ks", "tasks.csv", "stop_s", &n2);
	sub = column("ks", "tasks.csv", "submit_s", &n3);
	CU_ASSERT_FATAL(n1 == n2 && n2 == n3 && n1 > 4000);
	T_EQ(rs_num("ks", "summary.csv", 1, "tasks_never_placed"), 0);
	/* the tasks still running at the end (their run time cut) are left out:
	 * under 0.1 % of them */
	for (int i = 0; i < n1; i++)
		if (!isnan(stop[i]))
			start[k++] = stop[i] - start[i];
	d = ks_d(start, k, weibull_cdf);
	snprintf(msg, sizeof msg, "run times: KS D %.4f over %d, critical %.4f", d, k, 1.949 / sqrt(k));
	CU_assertImplementation(d < 1.949 / sqrt(k), __LINE__, msg, __FILE__, "", CU_FALSE);
	qsort(sub, (size_t)n3, sizeof *sub, cmp_double);
	for (int i = 0; i + 1 < n3; i++)
		sub[i] = sub[i + 1] - sub[i];
	d = ks_d(sub, n3 - 1, exp4_cdf);
	snprintf(msg, sizeof msg, "gaps: KS D %.4f over %d, critical %.4f", d, n3 - 1, 1.949 / sqrt(n3 - 1));
	CU_assertImplementation(d < 1.949 / sqrt(n3 - 1), __LINE__, msg, __FILE__, "", CU_FALSE);
	free(start);
	free(stop);
	free(sub);
}

/* The fault processes (scenarios/README.md, "Faults", "Agent disconnect";
 * docs/ecs-model.md choice E86) keep their instants exact, the sums of
 * their drawn times, each rounded to the millisecond once.  The tests draw
 * the same streams themselves (seed 7, exponential times of a few ms) and
 * want every instant at the exact sum of the draws, rounded.  The old code
 * rounded every draw on its own, so the instants drifted off the sums (by
 * the accumulated rounding errors, tens of ms within a few seconds). */
#define FAULT_HEAD(name) "{\"name\":\"" name "\",\"seed\":7,\"durationSeconds\":2,\"metricsIntervalSeconds\":1," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],\"taskDefinitions\":{\"slot\":\"slot.json\"},"

/* The `n` instants and lengths (ms) at[] / len[] are want_at[] /
 * want_len[]; else a failure naming the first that differs, how many do,
 * and how far off the last instant is. */
static void check_instants(const char *what, int n, const int64_t *at, const int64_t *len,
			   const int64_t *want_at, const int64_t *want_len)
{
	char msg[300];
	int bad = 0, first = -1;

	for (int i = 0; i < n; i++)
		if (at[i] != want_at[i] || len[i] != want_len[i]) {
			bad++;
			if (first < 0)
				first = i;
		}
	if (bad) {
		snprintf(msg, sizeof msg, "%s %d: at %lld ms for %lld ms, want %lld for %lld (exact sums); "
			 "%d of %d off, the last by %lld ms", what, first + 1, (long long)at[first],
			 (long long)len[first], (long long)want_at[first], (long long)want_len[first], bad, n,
			 (long long)(at[n - 1] - want_at[n - 1]));
		T_FAIL(msg);
	} else {
		CU_PASS("every instant the exact sum");
	}
}

/* failures.csv's `n` rows (n <= 500) against want_at[] / want_len[]. */
static void check_rows(const char *tag, int n, const int64_t *want_at, const int64_t *want_len)
{
	int64_t at[500], len[500];

	for (int i = 0; i < n; i++) {
		at[i] = llround(rs_num(tag, "failures.csv", i + 1, "time_s") * 1000);
		len[i] = llround(rs_num(tag, "failures.csv", i + 1, "duration_s") * 1000);
	}
	check_instants(tag, n, at, len, want_at, want_len);
}

/* The expected instants of an alternating renewal process drawn from
 * stream `name` of seed 7, exponential times of mean m1 then m2, n cycles:
 * cycle k from S_k = E_(k-1) + X_k (E_0 = 0) to E_k = S_k + Y_k, at[k] =
 * S_k and len[k] = E_k - S_k, each instant rounded to the ms. */
static void renewal_instants(const char *name, double m1, double m2, int n, int64_t *at, int64_t *len)
{
	struct rng_reg *reg = rng_new(7);
	gsl_rng *r = rng_stream(reg, name);
	double t = 0;

	for (int k = 0; k < n; k++) {
		double s = t + gsl_ran_exponential(r, m1);

		t = s + gsl_ran_exponential(r, m2);
		at[k] = sim_ms(s);
		len[k] = sim_ms(t) - sim_ms(s);
	}
	rng_free(reg);
}

/* One instance of group g (registered at 0) failing after an exponential
 * time of mean 5 ms, repaired after one of mean 3 ms, from its stream
 * fault/group/g: time to failure, time to repair, time to failure, ...
 * Failure k at F_k = B_(k-1) + T_k (B_0 = 0), back at B_k = F_k + R_k;
 * failures.csv row k: time_s = F_k and duration_s = B_k - F_k, each
 * instant rounded to the ms. */
static void test_failure_instants(void)
{
	int64_t at[400], len[400];
	int n;

	rs_write("fi.json", FAULT_HEAD("fi")
		 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
		 "\"count\":1,\"failures\":{\"timeToFailureSeconds\":{\"exponential\":{\"mean\":0.005}},"
		 "\"timeToRepairSeconds\":{\"exponential\":{\"mean\":0.003}}}}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("fi.json", "fi", NULL, NULL, NULL), 0);
	renewal_instants("fault/group/g", 0.005, 0.003, 400, at, len);
	n = rs_rows("fi", "failures.csv");
	CU_ASSERT(n > 200 && n < 400);   /* 250 expected over 2 s */
	if (n > 0 && n < 400) {
		check_rows("fi", n, at, len);
		CU_ASSERT(at[n] > 2000);   /* the next one past the end */
	}
}

/* A stochastic whole-AZ outage of us-east-1a: gaps of mean 4 ms, lengths
 * of mean 3 ms, from the stream fault/az-outage (gap, length, gap, ...):
 * outage k from S_k = E_(k-1) + G_k (E_0 = 0) to E_k = S_k + L_k. */
static void test_outage_instants(void)
{
	int64_t at[500], len[500];
	int n;

	rs_write("oi.json", FAULT_HEAD("oi")
		 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1}],"
		 "\"azOutages\":[{\"availabilityZone\":\"us-east-1a\",\"interArrivalSeconds\":{\"exponential\":{\"mean\":0.004}},"
		 "\"durationSeconds\":{\"exponential\":{\"mean\":0.003}}}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("oi.json", "oi", NULL, NULL, NULL), 0);
	renewal_instants("fault/az-outage", 0.004, 0.003, 500, at, len);
	n = rs_rows("oi", "failures.csv");
	CU_ASSERT(n > 200 && n < 500);   /* 286 expected over 2 s */
	if (n > 0 && n < 500) {
		check_rows("oi", n, at, len);
		CU_ASSERT(at[n] > 2000);
	}
	/* constant gaps and lengths of 1.4 ms: an outage every 2.8 ms, from
	 * 1.4 ms (rounded to 1) to 1,997.8 ms (1,998): 714 in 2 s; the old
	 * code made both 1 ms, 1,000 outages (40 % more) */
	rs_write("or.json", FAULT_HEAD("or")
		 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1}],"
		 "\"azOutages\":[{\"availabilityZone\":\"us-east-1a\",\"interArrivalSeconds\":0.0014,\"durationSeconds\":0.0014}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("or.json", "or", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("or", "failures.csv"), 714);
	T_NEAR(rs_num("or", "failures.csv", -1, "time_s"), 1.998);
}

/* The agent disconnects the fault injector asks for (BN_AGENT_SILENT): at
 * which ms, for how long. */
struct silences {
	int subscribed, n;
	int64_t at[1000], len[1000];
};

static void on_silent(struct backplane *bp, void *ctx, const struct bp_note *n)
{
	struct silences *c = ctx;

	if (c->n < 1000) {
		c->at[c->n] = sim_now(bp->sim);
		c->len[c->n++] = n->len;
	}
}

static void silences_observe(struct backplane *bp, void *ctx)
{
	struct silences *c = ctx;

	if (!c->subscribed) {
		c->subscribed = 1;
		bp_subscribe(bp, BN_BIT(BN_AGENT_SILENT), on_silent, c);
	}
}

/* One instance's agent disconnects: gaps of mean 4 ms, lengths of mean
 * 3 ms, from fault/group/g (gap, length, gap, ...): disconnect k from
 * S_k = E_(k-1) + G_k (E_0 = 0, its registration) to E_k = S_k + L_k. */
static void test_disconnect_instants(void)
{
	static struct silences c;
	int64_t at[1000], len[1000];

	memset(&c, 0, sizeof c);
	rs_write("di.json", FAULT_HEAD("di")
		 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
		 "\"count\":1,\"agentDisconnects\":{\"interArrivalSeconds\":{\"exponential\":{\"mean\":0.004}},"
		 "\"durationSeconds\":{\"exponential\":{\"mean\":0.003}}}}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("di.json", "di", NULL, silences_observe, &c), 0);
	renewal_instants("fault/group/g", 0.004, 0.003, 1000, at, len);
	CU_ASSERT(c.n > 200 && c.n < 1000);   /* 286 expected over 2 s */
	if (c.n > 0 && c.n < 1000) {
		check_instants("disconnect", c.n, c.at, c.len, at, len);
		CU_ASSERT(at[c.n] > 2000);
	}
}

static CU_TestInfo theory_tests[] = {
	{ "generator: a Poisson count at a 1-ms mean gap", test_poisson_count },
	{ "instance failures: instants are the exact sums of the draws", test_failure_instants },
	{ "stochastic AZ outages: instants are the exact sums of the draws", test_outage_instants },
	{ "agent disconnects: instants are the exact sums of the draws", test_disconnect_instants },
	{ "generator: run times and gaps (Kolmogorov-Smirnov)", test_runtime_ks },
	{ "M/D/1 and M/G/1: Pollaczek-Khinchine, Little's law", test_pollaczek_khinchine },
	{ "pending.mode fail: Erlang B, insensitive to the run time", test_erlang_b },
	{ "pending timeout: M/M/c with deterministic patience", test_patience },
	{ "instance failures: alternating renewal, non-exponential", test_alternating_renewal },
	{ "service on failing hosts: k-out-of-n availability", test_k_out_of_n },
	{ "mean time to replace = mean repair or replacement delay", test_time_to_replace },
	{ "heartbeat jitter: the control plane's excess availability", test_heartbeat_jitter },
	{ "EC2 Spot: renewal rate and service availability", test_spot_rate },
	{ "FARGATE_SPOT: interrupted share 1 - e^(-rR)", test_fargate_spot_share },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "theory", setup, rs_teardown, NULL, NULL, theory_tests },
	CU_SUITE_INFO_NULL,
};
