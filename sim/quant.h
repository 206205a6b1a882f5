/* sim/quant.h — a streaming quantile whose memory does not grow with the
 * number of samples: exact (GSL's gsl_stats_quantile_from_sorted_data over
 * the kept samples) while there are at most QUANT_EXACT of them, then GSL's
 * P² estimator (gsl_rstat_quantile), fed with every sample from the start. */
#ifndef SIM_QUANT_H
#define SIM_QUANT_H

#include <stddef.h>

#include <gsl/gsl_rstat.h>

#define QUANT_EXACT 1024

struct quant {
	double p;
	double *kept;              /* the first QUANT_EXACT samples */
	size_t n;
	gsl_rstat_quantile_workspace *p2;
};

void quant_init(struct quant *q, double p);
void quant_free(struct quant *q);
void quant_add(struct quant *q, double x);
size_t quant_count(const struct quant *q);
/* The p-quantile of the samples (0 when there are none). */
double quant_get(const struct quant *q);

#endif
