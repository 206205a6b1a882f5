/* sim/quant.c — see quant.h. */
#include "quant.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "mem.h"

void quant_init(struct quant *q, double p)
{
	memset(q, 0, sizeof *q);
	q->p = p;
	q->kept = xmalloc(QUANT_EXACT * sizeof *q->kept);
	q->p2 = gsl_rstat_quantile_alloc(p);
}

void quant_free(struct quant *q)
{
	free(q->kept);
	gsl_rstat_quantile_free(q->p2);
	q->kept = NULL;
	q->p2 = NULL;
}

void quant_add(struct quant *q, double x)
{
	if (q->n < QUANT_EXACT)
		q->kept[q->n] = x;
	q->n++;
	gsl_rstat_quantile_add(x, q->p2);
}

size_t quant_count(const struct quant *q)
{
	return q->n;
}

double quant_get(const struct quant *q)
{
	double *s, v;

	if (q->n == 0)
		return 0;
	if (q->n > QUANT_EXACT)
		return gsl_rstat_quantile_get(q->p2);
	s = xmalloc(q->n * sizeof *s);
	memcpy(s, q->kept, q->n * sizeof *s);
	gsl_sort(s, 1, q->n);
	v = gsl_stats_quantile_from_sorted_data(s, 1, q->n, q->p);
	free(s);
	return v;
}
