/* sim/stats.h — summaries of independent replications: mean, standard
 * deviation and a Student-t confidence interval for the mean (GSL).  Knows
 * nothing of what the numbers measure.
 *
 * A paired difference is the summary of the per-replication differences
 * x[i] − y[i]; under common random numbers its variance is what shrinks. */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <stddef.h>

struct stat_sum {
	size_t n;
	double mean;
	double sd;        /* sample standard deviation (n − 1); 0 when n < 2 */
	double half;      /* half-width of the two-sided interval; NAN when n < 2 */
	double lo, hi;    /* mean ∓ half */
};

/* Summary of x[0..n) with a two-sided interval at `level` (0.95).  n may
 * be 0 (mean NAN). */
void stats_summary(const double *x, size_t n, double level, struct stat_sum *s);

/* Summary of the differences x[i] − y[i]. */
void stats_paired(const double *x, const double *y, size_t n, double level,
		  struct stat_sum *s);

/* Whether the interval excludes 0 (a significant difference at its level). */
int stats_excludes_zero(const struct stat_sum *s);

/* Relative precision: half-width / |mean| (INFINITY when the mean is 0 and
 * the half-width is not, 0 when both are 0). */
double stats_rel_half(const struct stat_sum *s);

/* The p-quantile (0 <= p <= 1) of x[0..n), sorted in place (GSL's
 * interpolated definition); 0 when n is 0. */
double stats_quantile(double *x, size_t n, double p);

#endif
