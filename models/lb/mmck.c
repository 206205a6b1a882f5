/* models/lb/mmck.c — M/M/c/K stationary distribution and response-time
 * tail (standard birth-death results; FIFO, exponential service). */
#include "mmck.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "sim/mem.h"

int mmck_solve(struct mmck *q, double lambda, double mu, int c, int k)
{
	double a = lambda / mu, sum = 0, adm, wsum = 0, l = 0;
	int n_max = c + k;

	q->p = NULL;
	if (!(lambda >= 0) || !(mu > 0) || c < 1 || k < 0)
		return -1;
	q->lambda = lambda;
	q->mu = mu;
	q->c = c;
	q->k = k;
	q->p = xmalloc(sizeof *q->p * (size_t)(n_max + 1));
	/* p[n] relative to p[0] = 1, by the balance equations; rescaled when
	 * they grow large, normalised at the end */
	q->p[0] = 1;
	for (int n = 1; n <= n_max; n++) {
		q->p[n] = q->p[n - 1] * a / (n < c ? n : c);
		if (q->p[n] > 1e250)
			for (int j = 0; j <= n; j++)
				q->p[j] *= 1e-250;
	}
	for (int n = 0; n <= n_max; n++)
		sum += q->p[n];
	for (int n = 0; n <= n_max; n++) {
		q->p[n] /= sum;
		l += n * q->p[n];
	}
	q->block = q->p[n_max];
	adm = 1 - q->block;
	q->pwait = 0;
	for (int n = c; n < n_max; n++) {
		q->pwait += q->p[n];
		wsum += q->p[n] * (n - c + 1) / (c * mu);
	}
	q->pwait = adm > 0 ? q->pwait / adm : 0;
	q->wq = adm > 0 ? wsum / adm : 0;
	q->l = l;
	return 0;
}

void mmck_free(struct mmck *q)
{
	free(q->p);
	q->p = NULL;
}

/* P(Erlang(j, a) + Exp(mu) > t) */
static double erl_exp_tail(int j, double a, double mu, double t)
{
	double qw, pp;

	if (fabs(a - mu) < 1e-12 * mu)
		return gsl_cdf_gamma_Q(t, j + 1, 1 / mu);
	qw = gsl_cdf_gamma_Q(t, j, 1 / a);
	if (a > mu) {
		pp = gsl_cdf_gamma_P(t, j, 1 / (a - mu));
		if (pp <= 0)
			return qw;
		return qw + exp(j * log(a / (a - mu)) - mu * t + log(pp));
	}
	return qw;     /* a < mu cannot happen for c >= 1 (a = c mu) */
}

double mmck_resp_tail(const struct mmck *q, double t)
{
	int n_max = q->c + q->k;
	double adm = 1 - q->block, tail = 0, a = q->c * q->mu;

	if (!(adm > 0))
		return 0;
	for (int n = 0; n < n_max; n++) {
		if (q->p[n] < 1e-14)
			continue;
		if (n < q->c)
			tail += q->p[n] * exp(-q->mu * t);
		else
			tail += q->p[n] * erl_exp_tail(n - q->c + 1, a, q->mu, t);
	}
	return tail / adm;
}
