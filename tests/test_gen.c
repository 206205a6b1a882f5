/* tests/test_gen.c — the trace generator (models/gen.h).
 *
 * Every statistical check uses a fixed seed, so it passes or fails the same
 * way on every run; tolerances are 5 standard deviations (or a chi-square
 * quantile at 1e-4), loose enough that a correct generator passes for
 * nearly every seed and tight enough to catch a wrong rate, curve or mix.
 * Checked: rows in time order and read back by the trace reader with every
 * event kind on; arrival counts against the integral of the rate, per hour
 * of the day for both curve forms; the mix by chi-square; run-time means;
 * the long-run up fraction MTBF / (MTBF + MTTR) computed from the emitted
 * failure rows, and no failure while down; failure and outage instants
 * at the exact sums of the draws; determinism; adding a task
 * process leaves failure and outage rows alone; constant memory; spec
 * errors with their exact JSON paths.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "models/gen.h"
#include "models/trace.h"
#include "sim/rng.h"
#include "helpers/tutil.h"

#define ALL_EVENTS ((1u << TR_N_EVENTS) - 1)

static char tmpdir[64];

static int suite_init(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/ecsim-gen-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int suite_clean(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct gen_spec *spec(const char *text)
{
	struct err e;
	struct gen_spec *s;

	err_clear(&e);
	s = gen_spec_parse("spec.json", text, strlen(text), NULL, &e);
	if (!s) {
		char buf[2048];

		err_format(&e, buf, sizeof buf);
		fprintf(stderr, "\nunexpected spec error: %s\n", buf);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s;
}

/* Everything at once: instances, two task processes, failures with
 * repair, a scheduled and a stochastic outage. */
static const char FULL[] =
	"{\"seed\": 7, \"durationSeconds\": 20000,"
	" \"instances\": [{\"instanceType\": \"m5.xlarge\", \"availabilityZone\": \"us-east-1a\", \"count\": 20},"
	"                 {\"instanceType\": \"c5.large\", \"availabilityZone\": \"us-east-1b\", \"count\": 0},"
	"                 {\"instanceType\": \"c5.large\", \"availabilityZone\": \"us-east-1b\", \"count\": 10}],"
	" \"tasks\": [{\"name\": \"web\", \"taskDefinitions\": [{\"name\": \"web\", \"weight\": 3}, \"api\"],"
	"              \"ratePerSecond\": 0.5, \"diurnal\": {\"amplitude\": 0.5, \"peakHour\": 14},"
	"              \"runtimeSeconds\": {\"exponential\": {\"mean\": 300}}, \"group\": \"g, \\\"quoted\\\"\"},"
	"            {\"name\": \"batch\", \"taskDefinitions\": [\"batch\"], \"ratePerSecond\": 0.2, \"count\": 3}],"
	" \"instanceFailures\": {\"timeToFailureSeconds\": {\"exponential\": {\"mean\": 4000}},"
	"                        \"timeToRepairSeconds\": {\"exponential\": {\"mean\": 600}}},"
	" \"azOutages\": [{\"availabilityZone\": \"us-east-1a\", \"atSeconds\": 3600, \"durationSeconds\": 1800},"
	"               {\"interArrivalSeconds\": {\"exponential\": {\"mean\": 5000}}, \"durationSeconds\": 900}]}";

static void test_order_and_read_back(void)
{
	struct gen_spec *s = spec(FULL);
	struct gen *g;
	struct trace *t;
	struct trace_row a, b;
	struct err e;
	char path[128];
	int64_t rows = 0, n = 0, kinds[TR_N_EVENTS] = { 0 };
	sim_time_t prev = 0;

	snprintf(path, sizeof path, "%s/full.csv", tmpdir);
	err_clear(&e);
	T_EQ(gen_write(s, NULL, path, &rows, &e), 0);
	t = trace_open(path, ALL_EVENTS, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	g = gen_open(s, NULL);
	for (;;) {
		int rt = trace_next(t, &b, &e), rg = gen_next(g, &a);

		if (rt < 0) {
			char buf[1200];

			err_format(&e, buf, sizeof buf);
			T_STREQ(buf, "");
		}
		T_EQ(rt, rg);
		if (rt != 1 || rg != 1)
			break;
		n++;
		kinds[a.ev]++;
		CU_ASSERT(a.t >= prev);
		prev = a.t;
		T_EQ(b.t, a.t);
		T_EQ(b.ev, a.ev);
		T_STREQ(b.target, a.target);
		T_STREQ(b.taskdef, a.taskdef);
		T_STREQ(b.group, a.group);
		T_EQ(b.count, a.count);
		T_EQ(b.duration, a.duration);
		CU_ASSERT(a.t < 20000 * 1000);
	}
	T_EQ(n, rows);
	T_EQ(kinds[TR_REGISTER_INSTANCE], 2);       /* the empty group is skipped */
	CU_ASSERT(kinds[TR_RUN_TASK] > 9000);
	CU_ASSERT(kinds[TR_INSTANCE_FAIL] > 50);
	CU_ASSERT(kinds[TR_AZ_OUTAGE] >= 2);
	gen_close(g);
	trace_close(t);
	gen_spec_free(s);
}

/* Register rows first, numbered as the simulator numbers instances. */
static void test_instances_and_ids(void)
{
	struct gen_spec *s = spec(
		"{\"durationSeconds\": 100000, \"firstInstance\": 11,"
		" \"instances\": [{\"instanceType\": \"m5.large\", \"availabilityZone\": \"a\", \"count\": 2},"
		"                 {\"instanceType\": \"c5.large\", \"availabilityZone\": \"b\", \"count\": 3}],"
		" \"instanceFailures\": {\"timeToFailureSeconds\": 10, \"instanceTypes\": [\"c5.large\"]}}");
	struct gen *g = gen_open(s, NULL);
	struct trace_row r;
	const char *want[] = { "ci-00013", "ci-00014", "ci-00015" };

	T_EQ(gen_next(g, &r), 1);
	T_EQ(r.ev, TR_REGISTER_INSTANCE);
	T_STREQ(r.target, "m5.large");
	T_STREQ(r.group, "a");
	T_EQ(r.count, 2);
	T_EQ(gen_next(g, &r), 1);
	T_STREQ(r.target, "c5.large");
	T_EQ(r.count, 3);
	/* constant time to failure, no repair: each c5 fails once at 10 s, in order */
	for (int i = 0; i < 3; i++) {
		T_EQ(gen_next(g, &r), 1);
		T_EQ(r.ev, TR_INSTANCE_FAIL);
		T_EQ(r.t, 10000);
		T_STREQ(r.target, want[i]);
		T_EQ(r.duration, -1);
	}
	T_EQ(gen_next(g, &r), 0);
	gen_close(g);
	gen_spec_free(s);
}

/* Arrival times of one task process, bucketed by hour of the day. */
static int64_t hourly_counts(struct gen_spec *s, int64_t per_hour[24])
{
	struct gen *g = gen_open(s, NULL);
	struct trace_row r;
	int64_t n = 0;

	memset(per_hour, 0, 24 * sizeof *per_hour);
	while (gen_next(g, &r)) {
		if (r.ev != TR_RUN_TASK)
			continue;
		per_hour[(r.t / 3600000) % 24]++;
		n++;
	}
	gen_close(g);
	return n;
}

static void within(double got, double want, double sd, const char *what)
{
	char m[256];

	snprintf(m, sizeof m, "%s: got %.1f, want %.1f +- 5 x %.1f", what, got, want, sd);
	CU_assertImplementation(fabs(got - want) <= 5 * sd, __LINE__, m, __FILE__, "", CU_FALSE);
}

static void test_constant_rate(void)
{
	struct gen_spec *s = spec("{\"seed\": 3, \"durationSeconds\": 100000, \"tasks\": [{\"taskDefinitions\": [\"x\"], \"ratePerSecond\": 2}]}");
	int64_t h[24], n = hourly_counts(s, h);

	within((double)n, 200000, sqrt(200000), "arrivals");
	gen_spec_free(s);
}

static void test_diurnal_cosine(void)
{
	const double rate = 0.2, a = 0.8, peak = 14, days = 20;
	struct gen_spec *s = spec("{\"seed\": 5, \"durationSeconds\": 1728000, \"tasks\": [{\"taskDefinitions\": [\"x\"],"
				  " \"ratePerSecond\": 0.2, \"diurnal\": {\"amplitude\": 0.8, \"peakHour\": 14}}]}");
	int64_t h[24], n = hourly_counts(s, h);
	double w = 2 * M_PI / 24;

	within((double)n, rate * days * 86400, sqrt(rate * days * 86400), "arrivals");
	for (int k = 0; k < 24; k++) {
		/* days x 3600 x rate x (1 + a x mean of the cosine over hour k) */
		double mean_cos = (sin(w * (k + 1 - peak)) - sin(w * (k - peak))) / w;
		double want = days * 3600 * rate * (1 + a * mean_cos);
		char what[32];

		snprintf(what, sizeof what, "hour %d", k);
		within((double)h[k], want, sqrt(want), what);
	}
	CU_ASSERT(h[14] > 5 * h[2]);
	gen_spec_free(s);
}

static void test_diurnal_hourly(void)
{
	static const double mult[24] = { 0, 0, 0, 0, 0, 0, 0.5, 1, 2, 3, 3, 3,
					 3, 3, 3, 3, 2, 1, 0.5, 0.5, 0.25, 0, 0, 0 };
	struct gen_spec *s = spec("{\"seed\": 9, \"durationSeconds\": 864000, \"tasks\": [{\"taskDefinitions\": [\"x\"],"
				  " \"ratePerSecond\": 0.1, \"diurnal\": {\"hourly\": [0, 0, 0, 0, 0, 0, 0.5, 1, 2, 3, 3, 3,"
				  " 3, 3, 3, 3, 2, 1, 0.5, 0.5, 0.25, 0, 0, 0]}}]}");
	int64_t h[24];

	hourly_counts(s, h);
	for (int k = 0; k < 24; k++) {
		double want = 10 * 3600 * 0.1 * mult[k];
		char what[32];

		snprintf(what, sizeof what, "hour %d", k);
		if (mult[k] == 0)
			T_EQ(h[k], 0);
		else
			within((double)h[k], want, sqrt(want), what);
	}
	gen_spec_free(s);
}

static void test_mix_and_runtime(void)
{
	static const double w[4] = { 1, 2, 3, 4 };
	static const char *const names[4] = { "a", "b", "c", "d" };
	struct gen_spec *s = spec("{\"seed\": 11, \"durationSeconds\": 40000, \"tasks\": [{\"taskDefinitions\":"
				  " [{\"name\": \"a\"}, {\"name\": \"b\", \"weight\": 2}, {\"name\": \"c\", \"weight\": 3},"
				  "  {\"name\": \"d\", \"weight\": 4}, {\"name\": \"never\", \"weight\": 0}],"
				  " \"ratePerSecond\": 1, \"runtimeSeconds\": {\"exponential\": {\"mean\": 100}}, \"count\": 2}]}");
	struct gen *g = gen_open(s, NULL);
	struct trace_row r;
	int64_t n = 0, c[4] = { 0 };
	double chi2 = 0, sum_rt = 0;

	while (gen_next(g, &r)) {
		int k = 0;

		while (k < 4 && strcmp(r.taskdef, names[k]) != 0)
			k++;
		CU_ASSERT_FATAL(k < 4);
		c[k]++;
		n++;
		T_EQ(r.count, 2);
		T_STREQ(r.group, "");
		sum_rt += (double)r.duration / 1000.0;
	}
	for (int k = 0; k < 4; k++) {
		double e = (double)n * w[k] / 10;

		chi2 += ((double)c[k] - e) * ((double)c[k] - e) / e;
	}
	CU_ASSERT(chi2 < gsl_cdf_chisq_Qinv(1e-4, 3));
	within(sum_rt / (double)n, 100, 100 / sqrt((double)n), "mean runtime");
	gen_close(g);
	gen_spec_free(s);
}

#define N_INST 200

static void test_availability(void)
{
	const double mtbf = 1000, mttr = 250, horizon = 200000;
	struct gen_spec *s = spec(
		"{\"seed\": 13, \"durationSeconds\": 200000,"
		" \"instances\": [{\"instanceType\": \"m5.large\", \"availabilityZone\": \"a\", \"count\": 200}],"
		" \"instanceFailures\": {\"timeToFailureSeconds\": {\"exponential\": {\"mean\": 1000}},"
		"                        \"timeToRepairSeconds\": {\"exponential\": {\"mean\": 250}}}}");
	struct gen *g = gen_open(s, NULL);
	struct trace_row r;
	sim_time_t back[N_INST + 1] = { 0 };
	double down = 0;
	int64_t fails = 0, while_down = 0;

	while (gen_next(g, &r)) {
		int id;

		if (r.ev != TR_INSTANCE_FAIL)
			continue;
		id = atoi(r.target + 3);
		CU_ASSERT_FATAL(id >= 1 && id <= N_INST);
		CU_ASSERT_FATAL(r.duration > 0);
		while_down += r.t <= back[id];
		back[id] = r.t + r.duration;
		down += fmin((double)back[id] / 1000.0, horizon) - (double)r.t / 1000.0;
		fails++;
	}
	T_EQ(while_down, 0);
	/* about N x horizon / (mtbf + mttr) = 32,000 cycles: the up fraction's
	 * standard error is well under 0.002 */
	within(1 - down / (N_INST * horizon), mtbf / (mtbf + mttr), 0.002, "up fraction x 1000");
	within((double)fails, N_INST * horizon / (mtbf + mttr), sqrt(N_INST * horizon / (mtbf + mttr)),
	       "failures");
	gen_close(g);
	gen_spec_free(s);
}

/* Failures and stochastic outages: each row's start and end are the exact
 * sums of the drawn times, each rounded to the ms once.  Rounding every
 * draw instead adds the rounding errors up: constant 1.4-ms times became
 * 1 ms each, a failure every 2 ms (1,000 in 2 s) where the process drawn
 * has one every 2.8 ms (714, the last at 1,998 ms).  With exponential
 * times of a few ms the rows are checked against the same stream's draws
 * (gen/failures/ci-00001: time to failure, time to repair, ...; an
 * outage's gen/outages/0/<AZ>: gap, length, ...). */
static int64_t ms_of(double s)
{
	return (int64_t)floor(s * 1000.0 + 0.5);
}

static void exact_rows(const char *text, enum trace_event ev, const char *stream, double first_mean,
		       double second_mean)
{
	struct gen_spec *s = spec(text);
	struct gen *g = gen_open(s, NULL);
	struct rng_reg *reg = rng_new(7);
	gsl_rng *r = rng_stream(reg, stream);
	struct trace_row row;
	double t = 0;
	int64_t prev_end = -1;
	int n = 0, off = 0, checked = 0;

	while (gen_next(g, &row)) {
		double start, end;

		if (row.ev != ev)
			continue;
		start = t + gsl_ran_exponential(r, first_mean);
		end = start + gsl_ran_exponential(r, second_mean);
		t = end;
		/* a row where a 1-ms floor applied (a length rounded to 0, a
		 * start rounded onto the previous end) is not checked: its
		 * instants are moved by the floor, the later rows' are not */
		{
			int64_t s_ms = ms_of(start), e_ms = ms_of(end), floored = 0;

			if (s_ms <= prev_end) {
				s_ms = prev_end + 1;
				floored = 1;
			}
			if (e_ms <= s_ms) {
				e_ms = s_ms + 1;
				floored = 1;
			}
			if (!floored) {
				off += row.t != s_ms || row.duration != e_ms - s_ms;
				checked++;
			}
			prev_end = e_ms;
		}
		n++;
	}
	CU_ASSERT(n > 200);
	CU_ASSERT(checked > n / 2);
	T_EQ(off, 0);
	rng_free(reg);
	gen_close(g);
	gen_spec_free(s);
}

static void test_exact_sums(void)
{
	struct gen_spec *s = spec(
		"{\"seed\": 7, \"durationSeconds\": 2,"
		" \"instances\": [{\"instanceType\": \"m5.large\", \"availabilityZone\": \"a\", \"count\": 1}],"
		" \"instanceFailures\": {\"timeToFailureSeconds\": 0.0014, \"timeToRepairSeconds\": 0.0014}}");
	struct gen *g = gen_open(s, NULL);
	struct trace_row r;
	int64_t n = 0, last = -1, bad = 0;

	while (gen_next(g, &r)) {
		if (r.ev != TR_INSTANCE_FAIL)
			continue;
		/* failure k at 1.4 + 2.8k ms, back 1.4 ms later, each rounded */
		bad += r.t != ms_of(0.0014 + 0.0028 * (double)n) ||
		       r.duration != ms_of(0.0028 + 0.0028 * (double)n) - r.t;
		last = r.t;
		n++;
	}
	T_EQ(n, 714);
	T_EQ(last, 1998);
	T_EQ(bad, 0);
	gen_close(g);
	gen_spec_free(s);
	exact_rows("{\"seed\": 7, \"durationSeconds\": 2,"
		   " \"instances\": [{\"instanceType\": \"m5.large\", \"availabilityZone\": \"a\", \"count\": 1}],"
		   " \"instanceFailures\": {\"timeToFailureSeconds\": {\"exponential\": {\"mean\": 0.005}},"
		   " \"timeToRepairSeconds\": {\"exponential\": {\"mean\": 0.003}}}}",
		   TR_INSTANCE_FAIL, "gen/failures/ci-00001", 0.005, 0.003);
	exact_rows("{\"seed\": 7, \"durationSeconds\": 2,"
		   " \"instances\": [{\"instanceType\": \"m5.large\", \"availabilityZone\": \"a\", \"count\": 1}],"
		   " \"azOutages\": [{\"interArrivalSeconds\": {\"exponential\": {\"mean\": 0.004}},"
		   " \"durationSeconds\": {\"exponential\": {\"mean\": 0.003}}}]}",
		   TR_AZ_OUTAGE, "gen/outages/0/a", 0.004, 0.003);
}

static void test_no_repair(void)
{
	struct gen_spec *s = spec(
		"{\"seed\": 17, \"durationSeconds\": 1000,"
		" \"instances\": [{\"instanceType\": \"m5.large\", \"availabilityZone\": \"a\", \"count\": 2000}],"
		" \"instanceFailures\": {\"timeToFailureSeconds\": {\"exponential\": {\"mean\": 1000}},"
		"                        \"timeToRepairSeconds\": null}}");
	struct gen *g = gen_open(s, NULL);
	struct trace_row r;
	static unsigned char seen[2001];
	int64_t fails = 0, twice = 0;
	double p = 1 - exp(-1.0);

	memset(seen, 0, sizeof seen);
	while (gen_next(g, &r)) {
		int id;

		if (r.ev != TR_INSTANCE_FAIL)
			continue;
		id = atoi(r.target + 3);
		T_EQ(r.duration, -1);
		twice += seen[id];
		seen[id] = 1;
		fails++;
	}
	T_EQ(twice, 0);
	within((double)fails, 2000 * p, sqrt(2000 * p * (1 - p)), "instances gone");
	gen_close(g);
	gen_spec_free(s);
}

static int files_equal(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int ca, cb, eq = fa && fb;

	while (eq) {
		ca = getc(fa);
		cb = getc(fb);
		eq = ca == cb;
		if (ca == EOF || cb == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return eq;
}

static void test_determinism(void)
{
	struct gen_spec *s = spec(FULL);
	struct gen_opts o = { 1, 7, 0 }, o2 = { 1, 8, 0 };
	char p1[128], p2[128], p3[128], p4[128];
	struct err e;

	snprintf(p1, sizeof p1, "%s/d1.csv", tmpdir);
	snprintf(p2, sizeof p2, "%s/d2.csv", tmpdir);
	snprintf(p3, sizeof p3, "%s/d3.csv", tmpdir);
	snprintf(p4, sizeof p4, "%s/d4.csv", tmpdir);
	err_clear(&e);
	T_EQ(gen_write(s, NULL, p1, NULL, &e), 0);
	T_EQ(gen_write(s, NULL, p2, NULL, &e), 0);
	T_EQ(gen_write(s, &o, p3, NULL, &e), 0);     /* --seed 7 = the spec's seed */
	T_EQ(gen_write(s, &o2, p4, NULL, &e), 0);
	CU_ASSERT(files_equal(p1, p2));
	CU_ASSERT(files_equal(p1, p3));
	CU_ASSERT(!files_equal(p1, p4));
	gen_spec_free(s);
}

/* A --duration prefix is the prefix of the longer trace. */
static void test_duration_prefix(void)
{
	struct gen_spec *s = spec(FULL);
	struct gen_opts o = { 0, 0, 5000 };
	struct gen *g = gen_open(s, NULL), *h = gen_open(s, &o);
	struct trace_row a, b;
	int64_t n = 0;

	while (gen_next(h, &b)) {
		T_EQ(gen_next(g, &a), 1);
		T_EQ(a.t, b.t);
		T_EQ(a.ev, b.ev);
		T_STREQ(a.target, b.target);
		T_EQ(a.duration, b.duration);
		n++;
	}
	T_EQ(gen_next(g, &a), 1);
	CU_ASSERT(a.t >= 5000000);
	CU_ASSERT(n > 100);
	gen_close(g);
	gen_close(h);
	gen_spec_free(s);
}

/* Adding a task process leaves failures, outages and other tasks alone. */
static void test_stream_independence(void)
{
	static const char base[] =
		"{\"seed\": 21, \"durationSeconds\": 50000,"
		" \"instances\": [{\"instanceType\": \"m5.large\", \"availabilityZone\": \"a\", \"count\": 30},"
		"                 {\"instanceType\": \"m5.large\", \"availabilityZone\": \"b\", \"count\": 30}],"
		" \"tasks\": [{\"name\": \"web\", \"taskDefinitions\": [\"web\", \"api\"], \"ratePerSecond\": 0.3,"
		"              \"runtimeSeconds\": {\"lognormal\": {\"mu\": 4, \"sigma\": 1}}}%s],"
		" \"instanceFailures\": {\"timeToFailureSeconds\": {\"weibull\": {\"shape\": 1.5, \"scale\": 8000}},"
		"                        \"timeToRepairSeconds\": {\"uniform\": {\"min\": 60, \"max\": 900}}},"
		" \"azOutages\": [{\"interArrivalSeconds\": {\"exponential\": {\"mean\": 9000}},"
		"                  \"durationSeconds\": {\"exponential\": {\"mean\": 600}}}]}";
	char t1[2048], t2[2048];
	struct gen_spec *s1, *s2;
	struct gen *g1, *g2;
	struct trace_row a, b;
	int64_t n = 0, extra = 0;

	snprintf(t1, sizeof t1, base, "");
	snprintf(t2, sizeof t2, base, ", {\"name\": \"batch\", \"taskDefinitions\": [\"batch\"], \"ratePerSecond\": 1,"
		 " \"runtimeSeconds\": 30}");
	s1 = spec(t1);
	s2 = spec(t2);
	g1 = gen_open(s1, NULL);
	g2 = gen_open(s2, NULL);
	/* the rows of s2 without batch's must be exactly the rows of s1 */
	while (gen_next(g1, &a)) {
		for (;;) {
			CU_ASSERT_FATAL(gen_next(g2, &b) == 1);
			if (b.ev != TR_RUN_TASK || strcmp(b.taskdef, "batch") != 0)
				break;
			extra++;
		}
		T_EQ(b.t, a.t);
		T_EQ(b.ev, a.ev);
		T_STREQ(b.target, a.target);
		T_STREQ(b.taskdef, a.taskdef);
		T_EQ(b.duration, a.duration);
		n += a.ev == TR_INSTANCE_FAIL || a.ev == TR_AZ_OUTAGE;
	}
	CU_ASSERT(n > 200);
	CU_ASSERT(extra > 40000);
	gen_close(g1);
	gen_close(g2);
	gen_spec_free(s1);
	gen_spec_free(s2);
}

static void test_memory_flat(void)
{
	struct gen_spec *s = spec(FULL);
	struct gen *g = gen_open(s, NULL);
	struct trace_row r;
	size_t m0 = gen_memory(g);
	int64_t n = 0;

	while (gen_next(g, &r))
		n++;
	CU_ASSERT(n > 9000);
	T_EQ(gen_memory(g), m0);
	CU_ASSERT(m0 < 16384);
	gen_close(g);
	gen_spec_free(s);
}

struct bad {
	const char *json, *msg;
};

#define TASK "\"taskDefinitions\": [\"x\"], \"ratePerSecond\": 1"
#define INST "\"instances\": [{\"instanceType\": \"m5.large\", \"availabilityZone\": \"us-east-1a\"}]"

static const struct bad bads[] = {
	{ "{\"durationSecond\": 10}", "spec.json: $.durationSecond: unknown member 'durationSecond'" },
	{ "{}", "spec.json: $.durationSeconds: required member is missing" },
	{ "{\"durationSeconds\": 0}", "spec.json: $.durationSeconds: expected number in [0.001, 1e+09], got 0" },
	{ "{\"durationSeconds\": 10, \"seed\": -1}", "spec.json: $.seed: expected integer in [0, 9223372036854775807], got -1" },
	{ "{\"durationSeconds\": 10, \"instances\": [{\"instanceType\": \"m5.large\", \"availabilityZone\": \"a\", \"count\": -1}]}",
	  "spec.json: $.instances[0].count: expected integer in [0, 1000000], got -1" },
	{ "{\"durationSeconds\": 10, \"instances\": [{\"instanceType\": \"m5.large\"}]}",
	  "spec.json: $.instances[0].availabilityZone: required member is missing" },
	{ "{\"durationSeconds\": 10, \"tasks\": [{" TASK ", \"frequency\": 2}]}",
	  "spec.json: $.tasks[0].frequency: unknown member 'frequency'" },
	{ "{\"durationSeconds\": 10, \"tasks\": [{\"taskDefinitions\": [\"x\"], \"ratePerSecond\": -1}]}",
	  "spec.json: $.tasks[0].ratePerSecond: expected number in [0, 1e+06], got -1" },
	{ "{\"durationSeconds\": 10, \"tasks\": [{\"taskDefinitions\": [], \"ratePerSecond\": 1}]}",
	  "spec.json: $.tasks[0].taskDefinitions: expected at least one task definition" },
	{ "{\"durationSeconds\": 10, \"tasks\": [{\"taskDefinitions\": [\"x\", {\"name\": \"y\", \"weight\": -2}], \"ratePerSecond\": 1}]}",
	  "spec.json: $.tasks[0].taskDefinitions[1].weight: expected number in [0, 1e+09], got -2" },
	{ "{\"durationSeconds\": 10, \"tasks\": [{\"taskDefinitions\": [{\"name\": \"y\", \"weight\": 0}], \"ratePerSecond\": 1}]}",
	  "spec.json: $.tasks[0].taskDefinitions: expected a weight > 0 somewhere, got all 0" },
	{ "{\"durationSeconds\": 10, \"tasks\": [{\"taskDefinitions\": [3], \"ratePerSecond\": 1}]}",
	  "spec.json: $.tasks[0].taskDefinitions[0]: expected a task definition name or {\"name\": ..., \"weight\": w}, got number" },
	{ "{\"durationSeconds\": 10, \"tasks\": [{" TASK "}, {\"name\": \"task1\", " TASK "}]}",
	  "spec.json: $.tasks[1].name: duplicate task process name 'task1' (also $.tasks[0])" },
	{ "{\"durationSeconds\": 10, \"tasks\": [{\"name\": \"a/b\", " TASK "}]}",
	  "spec.json: $.tasks[0].name: expected a non-empty name without '/', got \"a/b\"" },
	{ "{\"durationSeconds\": 10, \"tasks\": [{" TASK ", \"diurnal\": {\"amplitude\": 1.5}}]}",
	  "spec.json: $.tasks[0].diurnal.amplitude: expected number in [0, 1], got 1.5" },
	{ "{\"durationSeconds\": 10, \"tasks\": [{" TASK ", \"diurnal\": {\"amplitude\": 0.5, \"peakHour\": 24}}]}",
	  "spec.json: $.tasks[0].diurnal.peakHour: expected number in [0, 24), got 24" },
	{ "{\"durationSeconds\": 10, \"tasks\": [{" TASK ", \"diurnal\": {\"hourly\": [1, 2]}}]}",
	  "spec.json: $.tasks[0].diurnal.hourly: expected 24 multipliers (one per hour), got 2" },
	{ "{\"durationSeconds\": 10, \"tasks\": [{" TASK ", \"diurnal\": {\"hourly\": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,-1]}}]}",
	  "spec.json: $.tasks[0].diurnal.hourly[23]: expected number in [0, 1e+06], got -1" },
	{ "{\"durationSeconds\": 10, \"tasks\": [{" TASK ", \"diurnal\": {\"hourly\": [], \"amplitude\": 1}}]}",
	  "spec.json: $.tasks[0].diurnal: expected either hourly or amplitude and peakHour, not both" },
	{ "{\"durationSeconds\": 10, \"tasks\": [{" TASK ", \"runtimeSeconds\": {\"lognormal\": {\"mu\": 1, \"sigma\": 0}}}]}",
	  "spec.json: $.tasks[0].runtimeSeconds.lognormal.sigma: expected number in (0, inf), got 0" },
	{ "{\"durationSeconds\": 10, \"tasks\": [{" TASK ", \"count\": 0}]}",
	  "spec.json: $.tasks[0].count: expected integer in [1, 1000000000], got 0" },
	{ "{\"durationSeconds\": 10, " INST ", \"instanceFailures\": {\"timeToRepairSeconds\": 5}}",
	  "spec.json: $.instanceFailures.timeToFailureSeconds: required member is missing" },
	{ "{\"durationSeconds\": 10, " INST ", \"instanceFailures\": {\"timeToFailureSeconds\": 5, \"timeToRepairSeconds\": {\"gamma\": {}}}}",
	  "spec.json: $.instanceFailures.timeToRepairSeconds.gamma: unknown distribution 'gamma' (expected one of constant, uniform, exponential, normal, lognormal, weibull, pareto, empirical)" },
	{ "{\"durationSeconds\": 10, " INST ", \"instanceFailures\": {\"timeToFailureSeconds\": 5, \"instanceTypes\": [\"m5.large\", \"c5.large\"]}}",
	  "spec.json: $.instanceFailures.instanceTypes[1]: instance type 'c5.large' is not used by any of $.instances" },
	{ "{\"durationSeconds\": 10, " INST ", \"azOutages\": [{\"availabilityZone\": \"us-east-1b\", \"atSeconds\": 5, \"durationSeconds\": 5}]}",
	  "spec.json: $.azOutages[0].availabilityZone: unknown availability zone 'us-east-1b' (the instances use us-east-1a)" },
	{ "{\"durationSeconds\": 10, " INST ", \"azOutages\": [{\"availabilityZone\": \"us-east-1a\", \"atSeconds\": 5}]}",
	  "spec.json: $.azOutages[0].durationSeconds: required member is missing" },
	{ "{\"durationSeconds\": 10, " INST ", \"azOutages\": [{\"availabilityZone\": \"us-east-1a\", \"atSeconds\": 5, \"durationSeconds\": 5, \"interArrivalSeconds\": 5}]}",
	  "spec.json: $.azOutages[0].interArrivalSeconds: unknown member 'interArrivalSeconds'" },
	{ "{\"durationSeconds\": 10, " INST ", \"azOutages\": [{\"interArrivalSeconds\": 5, \"durationSeconds\": 5}, {\"availabilityZone\": \"us-east-1a\"}]}",
	  "spec.json: $.azOutages[1]: expected atSeconds (a scheduled outage) or interArrivalSeconds (stochastic outages)" },
	{ "{\"durationSeconds\": 10, \"azOutages\": [{\"interArrivalSeconds\": 5, \"durationSeconds\": 5}]}",
	  "spec.json: $.azOutages[0].availabilityZones: required when $.instances names no availability zone" },
	{ "{\"durationSeconds\": 10, " INST ", \"azOutages\": [{\"interArrivalSeconds\": 5, \"durationSeconds\": 5, \"availabilityZones\": [\"us-east-1a\", \"us-east-1a\"]}]}",
	  "spec.json: $.azOutages[0].availabilityZones[1]: availability zone 'us-east-1a' listed twice" },
	{ "{\"durationSeconds\": 10,\n \"tasks\": [}", "spec.json:2:12: " },
};

static void test_spec_errors(void)
{
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		struct err e;
		struct gen_spec *s;
		char buf[1200];

		err_clear(&e);
		s = gen_spec_parse("spec.json", bads[i].json, strlen(bads[i].json), NULL, &e);
		CU_ASSERT_PTR_NULL(s);
		gen_spec_free(s);
		err_format(&e, buf, sizeof buf);
		if (i + 1 == sizeof bads / sizeof bads[0])   /* syntax: the place, whatever cJSON says */
			buf[strlen(bads[i].msg)] = '\0';
		T_STREQ(buf, bads[i].msg);
	}
}

static void test_shipped_spec(void)
{
	struct err e;
	struct gen_spec *s;
	struct gen_opts o = { 0, 0, 600 };
	struct gen *g;
	struct trace_row r;
	int64_t inst = 0, tasks = 0;

	err_clear(&e);
	s = gen_spec_load("scenarios/gen/google-shaped.json", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	T_STREQ(gen_spec_name(s), "google-shaped");
	g = gen_open(s, &o);
	while (gen_next(g, &r)) {
		if (r.ev == TR_REGISTER_INSTANCE)
			inst += r.count;
		tasks += r.ev == TR_RUN_TASK;
	}
	T_EQ(inst, 12500);
	CU_ASSERT(tasks > 4000);
	gen_close(g);
	gen_spec_free(s);
}

static CU_TestInfo gen_tests[] = {
	{ "rows in time order, read back by the trace reader", test_order_and_read_back },
	{ "instances registered first, failures name them", test_instances_and_ids },
	{ "constant rate: count = rate x time", test_constant_rate },
	{ "cosine curve: counts per hour of day", test_diurnal_cosine },
	{ "hourly curve: counts per hour of day", test_diurnal_hourly },
	{ "task mix (chi-square) and mean runtime", test_mix_and_runtime },
	{ "up fraction = MTBF/(MTBF+MTTR), never failed while down", test_availability },
	{ "failures and outages: instants the exact sums of the draws", test_exact_sums },
	{ "no repair: each instance fails at most once", test_no_repair },
	{ "same seed same bytes, other seed other bytes", test_determinism },
	{ "a shorter --duration gives a prefix", test_duration_prefix },
	{ "adding a task process changes no other rows", test_stream_independence },
	{ "memory does not grow with the trace", test_memory_flat },
	{ "spec errors with JSON paths", test_spec_errors },
	{ "the shipped Google-shaped spec", test_shipped_spec },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "gen", suite_init, suite_clean, NULL, NULL, gen_tests },
	CU_SUITE_INFO_NULL,
};
