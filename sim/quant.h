/* sim/quant.h — a streaming quantile whose memory does not grow with the
 * number of samples.
 *
 * Exact while it can be: the first QUANT_EXACT samples are kept, and then,
 * while the samples take at most QUANT_DISTINCT distinct values, each
 * distinct value with its count (a simulation's samples mostly repeat: a
 * wait that is a fixed latency, times on an integer clock).  The quantile
 * is then the one GSL's gsl_stats_quantile_from_sorted_data gives over
 * every sample sorted: (1 − δ) × x[⌊(n − 1)p⌋] + δ × x[⌊(n − 1)p⌋ + 1], δ
 * the fraction, read off the sorted distinct values' cumulative counts.
 * Past QUANT_DISTINCT distinct values: GSL's P² estimator
 * (gsl_rstat_quantile), fed first with the samples counted so far — one of
 * each distinct value in ascending order, round after round, until each
 * value's count is used up (a deterministic mix, not the samples' own
 * order) — then with every new sample as it comes. */
/* Memory: nothing until the first sample (a quantile per service, per
 * target group: most see few samples, some none), then what the samples
 * need: the kept ones grow as they come up to QUANT_EXACT and are freed
 * past them, the table of distinct values grows from 64 cells up to
 * QUANT_DISTINCT's, P²'s workspace is fixed. */
#ifndef SIM_QUANT_H
#define SIM_QUANT_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rstat.h>

#define QUANT_EXACT 1024
#define QUANT_DISTINCT 4096

struct quant_cell {
	double x;
	uint64_t n;                /* 0: an empty cell */
};

struct quant {
	double p;
	double *kept;              /* the first QUANT_EXACT samples (grown as they
				    * come, freed past them: then unread) */
	size_t n, cap_kept;
	struct quant_cell *cell;   /* the distinct values (open addressing; NULL
				    * until the first sample) */
	size_t n_cell, cap_cell;   /* distinct values held, table size (a power of two) */
	gsl_rstat_quantile_workspace *p2;    /* NULL until the values overflow */
};

void quant_init(struct quant *q, double p);
void quant_free(struct quant *q);
void quant_add(struct quant *q, double x);
size_t quant_count(const struct quant *q);
/* The p-quantile of the samples (0 when there are none). */
double quant_get(const struct quant *q);
/* Whether quant_get is exact (else GSL's P² estimate). */
int quant_exact(const struct quant *q);

#endif
