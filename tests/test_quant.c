/* tests/test_quant.c — sim/quant.c, the streaming quantile behind
 * summary.csv's p99_pending_s and services.csv's p99_time_to_replace_s.
 * The oracle is GSL's own definition over every sample kept and sorted
 * (gsl_stats_quantile_from_sorted_data): while the samples take at most
 * QUANT_DISTINCT distinct values the result must be that value exactly,
 * whatever the number of samples; past that it is GSL's P² estimate, held
 * to the distribution's true quantile within a tolerance. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/quant.h"
#include "helpers/tutil.h"

static const double ps[] = { 0.0, 0.5, 0.9, 0.99, 0.999, 1.0 };

static double oracle(const double *x, size_t n, double p)
{
	double *s = malloc(n * sizeof *s), v;

	memcpy(s, x, n * sizeof *s);
	gsl_sort(s, 1, n);
	v = gsl_stats_quantile_from_sorted_data(s, 1, n, p);
	free(s);
	return v;
}

/* 100 random cases: up to 20,000 samples over up to QUANT_DISTINCT
 * distinct values (waits on an integer millisecond clock, in seconds, some
 * values far more frequent than others): the result equals the oracle's,
 * bit for bit, at every p. */
static void test_exact_oracle(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	double *x = malloc(20000 * sizeof *x), *s = malloc(20000 * sizeof *s);
	int bad = 0;

	gsl_rng_set(r, 7);
	for (int c = 0; c < 100; c++) {
		size_t n = 1 + gsl_rng_uniform_int(r, c < 20 ? 2000 : 20000);
		unsigned long d = 1 + gsl_rng_uniform_int(r, QUANT_DISTINCT);
		int skew = (int)gsl_rng_uniform_int(r, 3);

		for (size_t pi = 0; pi < sizeof ps / sizeof *ps; pi++) {
			struct quant q;

			quant_init(&q, ps[pi]);
			if (pi == 0)
				for (size_t i = 0; i < n; i++) {
					unsigned long v = gsl_rng_uniform_int(r, d);

					if (skew == 1 && gsl_rng_uniform(r) < 0.9)
						v = 0;           /* mostly one value (a fixed latency) */
					else if (skew == 2)
						v = (unsigned long)((double)v * gsl_rng_uniform(r));
					x[i] = (double)(1000 + 37 * v) / 1000.0;
				}
			if (pi == 0) {
				memcpy(s, x, n * sizeof *s);
				gsl_sort(s, 1, n);
			}
			for (size_t i = 0; i < n; i++)
				quant_add(&q, x[i]);
			T_EQ(quant_count(&q), n);
			CU_ASSERT(quant_exact(&q));
			if (quant_get(&q) != gsl_stats_quantile_from_sorted_data(s, 1, n, ps[pi]))
				bad++;
			quant_free(&q);
		}
	}
	T_EQ(bad, 0);
	free(x);
	free(s);
	gsl_rng_free(r);
}

/* Exact up to QUANT_DISTINCT distinct values, P² from the next one on. */
static void test_overflow_edge(void)
{
	struct quant q;

	quant_init(&q, 0.99);
	for (int k = 0; k < 3; k++)
		for (int v = 0; v < QUANT_DISTINCT; v++)
			quant_add(&q, (double)v);
	CU_ASSERT(quant_exact(&q));
	/* 3 × 4096 samples 0..4095: index 0.99 × 12287 = 12164.13, so x[12164]
	 * = 4054 and x[12165] = 4055 (each value three times) */
	CU_ASSERT(fabs(quant_get(&q) - (4054 + 0.13 * 1)) < 1e-9);
	quant_add(&q, 1e6);
	CU_ASSERT(!quant_exact(&q));
	T_EQ(quant_count(&q), 3 * QUANT_DISTINCT + 1);
	/* P² fed with the counted samples, then the new one: near 4054 */
	CU_ASSERT(fabs(quant_get(&q) - 4054.13) < 0.02 * 4054.13);
	quant_free(&q);
}

/* Continuous samples overflow at once: P²'s estimate of the 99th
 * percentile of Exp(1) (−ln 0.01 = 4.60517) over 200,000 samples, and the
 * samples' own, agree within 3 %. */
static void test_continuous(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	size_t n = 200000;
	double *x = malloc(n * sizeof *x);
	struct quant q;

	gsl_rng_set(r, 11);
	quant_init(&q, 0.99);
	for (size_t i = 0; i < n; i++) {
		x[i] = gsl_ran_exponential(r, 1.0);
		quant_add(&q, x[i]);
	}
	CU_ASSERT(!quant_exact(&q));
	CU_ASSERT(fabs(quant_get(&q) - 4.60517) < 0.03 * 4.60517);
	CU_ASSERT(fabs(quant_get(&q) - oracle(x, n, 0.99)) < 0.03 * 4.60517);
	quant_free(&q);
	free(x);
	gsl_rng_free(r);
}

/* None: 0; one: itself. */
static void test_small(void)
{
	struct quant q;

	quant_init(&q, 0.99);
	CU_ASSERT(quant_get(&q) == 0.0);
	quant_add(&q, 2.5);
	CU_ASSERT(quant_get(&q) == 2.5);
	quant_free(&q);
}

/* Memory follows the samples: none before the first, the kept samples
 * grown as they come (never more than twice those held, at most
 * QUANT_EXACT) and freed past QUANT_EXACT; the answer at every count from
 * 1 to 2 x QUANT_EXACT + 50, across that edge, equals GSL's over every
 * sample so far, bit for bit. */
static void test_memory(void)
{
	enum { N = 2 * QUANT_EXACT + 50 };
	double *x = malloc(N * sizeof *x), *s = malloc(N * sizeof *s);
	struct quant q;
	int bad = 0, big = 0;
	uint64_t v = 1;

	quant_init(&q, 0.9);
	CU_ASSERT(q.kept == NULL);
	CU_ASSERT(q.cell == NULL);
	for (size_t n = 1; n <= N; n++) {
		v = v * 6364136223846793005ULL + 1442695040888963407ULL;
		x[n - 1] = (double)(v >> 54) / 8.0;      /* 1,024 values: stays exact */
		quant_add(&q, x[n - 1]);
		if (n <= QUANT_EXACT)
			big += q.kept == NULL || q.cap_kept < n || q.cap_kept > 2 * n + 8 || q.cap_kept > QUANT_EXACT;
		else
			big += q.kept != NULL;
		memcpy(s, x, n * sizeof *s);
		gsl_sort(s, 1, n);
		bad += quant_get(&q) != gsl_stats_quantile_from_sorted_data(s, 1, n, 0.9);
	}
	CU_ASSERT(quant_exact(&q));
	T_EQ(big, 0);
	T_EQ(bad, 0);
	quant_free(&q);
	free(x);
	free(s);
}

static CU_TestInfo quant_tests[] = {
	{ "exact against GSL over every sample (100 random cases)", test_exact_oracle },
	{ "exact up to QUANT_DISTINCT values, then P2", test_overflow_edge },
	{ "continuous samples: P2 near the true quantile", test_continuous },
	{ "no sample, one sample", test_small },
	{ "memory follows the samples; exact across QUANT_EXACT", test_memory },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "quant", NULL, NULL, NULL, NULL, quant_tests },
	CU_SUITE_INFO_NULL,
};
