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
}

void quant_free(struct quant *q)
{
	free(q->kept);
	free(q->cell);
	if (q->p2)
		gsl_rstat_quantile_free(q->p2);
	q->kept = NULL;
	q->cell = NULL;
	q->p2 = NULL;
}

static size_t cell_slot(const struct quant_cell *t, size_t cap, double x)
{
	uint64_t b;
	size_t k;

	memcpy(&b, &x, sizeof b);
	b ^= b >> 29;
	b *= UINT64_C(0xbf58476d1ce4e5b9);
	b ^= b >> 32;
	for (k = (size_t)b & (cap - 1); t[k].n != 0 && memcmp(&t[k].x, &x, sizeof x) != 0; k = (k + 1) & (cap - 1))
		;
	return k;
}

/* The distinct values and their counts, ascending (*m of them). */
static void cells_sorted(const struct quant *q, double **xs, double **cs, size_t *m)
{
	size_t j = 0;

	*xs = xmalloc((q->n_cell + 1) * sizeof **xs);
	*cs = xmalloc((q->n_cell + 1) * sizeof **cs);
	for (size_t k = 0; k < q->cap_cell; k++)
		if (q->cell[k].n != 0) {
			(*xs)[j] = q->cell[k].x;
			(*cs)[j++] = (double)q->cell[k].n;
		}
	gsl_sort2(*xs, 1, *cs, 1, j);
	*m = j;
}

/* Too many distinct values: P² from now on, first fed with the samples
 * counted so far in a fixed mix (quant.h). */
static void overflow(struct quant *q)
{
	double *xs, *cs;
	size_t m;

	cells_sorted(q, &xs, &cs, &m);
	q->p2 = gsl_rstat_quantile_alloc(q->p);
	while (m > 0) {
		size_t left = 0;

		for (size_t j = 0; j < m; j++) {
			gsl_rstat_quantile_add(xs[j], q->p2);
			if ((cs[j] -= 1) > 0) {
				xs[left] = xs[j];
				cs[left++] = cs[j];
			}
		}
		m = left;
	}
	free(xs);
	free(cs);
	free(q->cell);
	q->cell = NULL;
	q->n_cell = q->cap_cell = 0;
}

static void cells_grow(struct quant *q)
{
	size_t cap = q->cap_cell * 2;
	struct quant_cell *t = xcalloc(cap, sizeof *t);

	for (size_t k = 0; k < q->cap_cell; k++)
		if (q->cell[k].n != 0)
			t[cell_slot(t, cap, q->cell[k].x)] = q->cell[k];
	free(q->cell);
	q->cell = t;
	q->cap_cell = cap;
}

void quant_add(struct quant *q, double x)
{
	size_t k;

	if (q->n < QUANT_EXACT) {
		XGROW(q->kept, q->cap_kept, q->n + 1);
		q->kept[q->n] = x;
	} else if (q->kept) {
		/* past QUANT_EXACT the counts answer (quant_get): the kept
		 * samples are read no more */
		free(q->kept);
		q->kept = NULL;
		q->cap_kept = 0;
	}
	q->n++;
	if (q->p2) {
		gsl_rstat_quantile_add(x, q->p2);
		return;
	}
	if (!q->cell) {
		q->cap_cell = 64;
		q->cell = xcalloc(q->cap_cell, sizeof *q->cell);
	}
	k = cell_slot(q->cell, q->cap_cell, x);

	if (q->cell[k].n != 0) {
		q->cell[k].n++;
		return;
	}
	if (q->n_cell == QUANT_DISTINCT) {
		overflow(q);
		gsl_rstat_quantile_add(x, q->p2);
		return;
	}
	q->cell[k].x = x;
	q->cell[k].n = 1;
	if (++q->n_cell * 2 > q->cap_cell)
		cells_grow(q);
}

size_t quant_count(const struct quant *q)
{
	return q->n;
}

int quant_exact(const struct quant *q)
{
	return q->p2 == NULL;
}

/* gsl_stats_quantile_from_sorted_data's value over every sample, from the
 * sorted distinct values and their counts. */
static double cells_quantile(const struct quant *q)
{
	double *xs, *cs, index, delta, lo = 0, hi = 0, v;
	size_t m, lhs, seen = 0;
	int got_lo = 0;

	cells_sorted(q, &xs, &cs, &m);
	index = q->p * (double)(q->n - 1);
	lhs = (size_t)index;
	delta = index - (double)lhs;
	for (size_t j = 0; j < m; j++) {
		seen += (size_t)cs[j];
		if (!got_lo && lhs < seen) {
			lo = xs[j];
			got_lo = 1;
		}
		if (lhs + 1 < seen) {
			hi = xs[j];
			break;
		}
	}
	if (lhs == q->n - 1)
		v = lo;
	else
		v = (1 - delta) * lo + delta * hi;
	free(xs);
	free(cs);
	return v;
}

double quant_get(const struct quant *q)
{
	double *s, v;

	if (q->n == 0)
		return 0;
	if (q->p2)
		return gsl_rstat_quantile_get(q->p2);
	if (q->n > QUANT_EXACT)
		return cells_quantile(q);
	s = xmalloc(q->n * sizeof *s);
	memcpy(s, q->kept, q->n * sizeof *s);
	gsl_sort(s, 1, q->n);
	v = gsl_stats_quantile_from_sorted_data(s, 1, q->n, q->p);
	free(s);
	return v;
}
