/* sim/stats.c — see stats.h. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/mem.h"

void stats_summary(const double *x, size_t n, double level, struct stat_sum *s)
{
	s->n = n;
	s->mean = n ? gsl_stats_mean(x, 1, n) : NAN;
	s->sd = n >= 2 ? gsl_stats_sd_m(x, 1, n, s->mean) : 0.0;
	if (n >= 2) {
		double t = gsl_cdf_tdist_Pinv(1.0 - (1.0 - level) / 2.0, (double)(n - 1));

		s->half = t * s->sd / sqrt((double)n);
	} else {
		s->half = NAN;
	}
	s->lo = s->mean - s->half;
	s->hi = s->mean + s->half;
}

void stats_paired(const double *x, const double *y, size_t n, double level,
		  struct stat_sum *s)
{
	double *d = xmalloc((n ? n : 1) * sizeof *d);

	for (size_t i = 0; i < n; i++)
		d[i] = x[i] - y[i];
	stats_summary(d, n, level, s);
	free(d);
}

int stats_excludes_zero(const struct stat_sum *s)
{
	return s->n >= 2 && !isnan(s->half) && (s->lo > 0.0 || s->hi < 0.0);
}

double stats_rel_half(const struct stat_sum *s)
{
	if (isnan(s->half))
		return INFINITY;
	if (s->mean == 0.0)
		return s->half == 0.0 ? 0.0 : INFINITY;
	return s->half / fabs(s->mean);
}

double stats_quantile(double *x, size_t n, double p)
{
	if (!n)
		return 0.0;
	gsl_sort(x, 1, n);
	return gsl_stats_quantile_from_sorted_data(x, 1, n, p);
}
