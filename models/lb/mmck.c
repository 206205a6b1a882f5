/* models/lb/mmck.c — M/M/c/K stationary distribution and response-time
 * tail (standard birth-death results; FIFO, exponential service), and the
 * outcomes with a client timeout: M/M/c/K conditioned on T <= tau, or
 * M/M/c+D (deterministic patience) by the virtual waiting time's
 * level-crossing equation (docs/ecs-model.md §6.4, choice E210). */
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

/* A drain (docs/ecs-model.md §6.3): the expected number still in the
 * system t s after arrivals stop, from the stationary distribution (FIFO,
 * exponential service; no one leaves the queue).  From n <= c each of the
 * n finishes on its own, Exp(mu); from n > c the k-th departure, k <= n -
 * c + 1, comes at Erlang(k, c mu), and the c - 1 then left in service each
 * finish Exp(mu) later. */
double mmck_drain_left(const struct mmck *q, double t)
{
	int n_max = q->c + q->k;
	double a = q->c * q->mu, left = 0, sum_q = 0, mass = q->p[0];

	if (!(t > 0))
		return q->l;
	for (int n = 1; n <= n_max && (1 - mass) * n_max > 1e-12; n++) {
		int m = n - q->c + 1;

		mass += q->p[n];
		if (m <= 1) {
			left += q->p[n] * n * exp(-q->mu * t);
			continue;
		}
		/* sum_q: P(Erlang(k, c mu) > t) over k = 1..m */
		if (m == 2)
			sum_q = gsl_cdf_gamma_Q(t, 1, 1 / a);
		sum_q += gsl_cdf_gamma_Q(t, m, 1 / a);
		left += q->p[n] * (sum_q + (q->c - 1) * erl_exp_tail(m, a, q->mu, t));
	}
	return left;
}

/* --- the client timeout (docs/ecs-model.md §6.4, choice E210) --- */

/* (e^{kt} - 1) / k, t at k = 0 */
static double em1k(double k, double t)
{
	return k == 0 ? t : expm1(k * t) / k;
}

/* integral over [0, t] of exp(lc + k x) dx, without overflow when the
 * integrand stays finite */
static double int_exp(double lc, double k, double t)
{
	if (k <= 0)
		return exp(lc) * em1k(k, t);
	return exp(lc + k * t) * em1k(-k, t);
}

static double logaddexp(double x, double y)
{
	if (x < y) {
		double s = x;

		x = y;
		y = s;
	}
	return y == -INFINITY ? x : x + log1p(exp(y - x));
}

/* M/M/c+D: P(served with T <= t), t <= tau.  An arrival that finds a
 * free worker is served at once; one that finds the virtual wait x < tau
 * waits exactly x (FIFO, and those ahead leave no later than it would);
 * x >= tau leaves at tau. */
static double d_cdf(const struct mmck_to *o, double mu, double t)
{
	double v = o->pfree * -expm1(-mu * t) + int_exp(o->log_a, o->beta, t) -
		   int_exp(o->log_a - mu * t, o->beta + mu, t);

	return v > 0 ? v : 0;
}

/* Simpson's rule on [lo, hi], with enough intervals for the scales 1/mu
 * and, where the waiting-time density varies (vary), 1/|beta| */
static double simpson(double (*f)(const struct mmck_to *, double, double), const struct mmck_to *o,
		      double mu, double lo, double hi, int vary)
{
	double len = hi - lo, fin = 16 * (1 + len * (mu + (vary ? fabs(o->beta) : 0))), h, s;
	int n = fin > 100000 ? 200000 : 2 * (int)ceil(fin);

	if (n < 64)
		n = 64;
	if (!(len > 0))
		return 0;
	h = len / n;
	s = f(o, mu, lo) + f(o, mu, hi);
	for (int i = 1; i < n; i++)
		s += f(o, mu, lo + i * h) * (i % 2 ? 4 : 2);
	return s * h / 3;
}

/* the integral over [0, tau], cut where the density e^{beta x} has fallen
 * by e^-40 (near 0 when beta < 0, near tau when beta > 0), so the part
 * where it varies gets its own fine steps */
static double integrate(double (*f)(const struct mmck_to *, double, double), const struct mmck_to *o,
			double mu, double tau)
{
	double b = o->beta, cut;

	if (!(fabs(b) * tau > 80))
		return simpson(f, o, mu, 0, tau, 1);
	cut = b > 0 ? tau - 40 / b : 40 / -b;
	return simpson(f, o, mu, 0, cut, b < 0) + simpson(f, o, mu, cut, tau, b > 0);
}

static double d_cdf_f(const struct mmck_to *o, double mu, double t)
{
	return d_cdf(o, mu, t);
}

/* x f(x) P(S <= tau - x): the waits of the served */
static double d_wait_f(const struct mmck_to *o, double mu, double x)
{
	return x * exp(o->log_a + o->beta * x) * -expm1(-mu * (o->tau - x));
}

static void solve_d(struct mmck_to *o, const struct mmck *q, double tau)
{
	double lam = q->lambda, mu = q->mu, cm = q->c * mu, b = lam - cm;
	double lm = -INFINITY, ld = -INFINITY, lcont, lz;
	double *lw = xmalloc(sizeof *lw * (size_t)q->c);

	/* P(n busy) for n < c is proportional to (lam/mu)^n / n! */
	for (int i = 0; i < q->c; i++) {
		lw[i] = i * log(lam / mu) - lgamma(i + 1.0);
		if (lw[i] > lm)
			lm = lw[i];
	}
	for (int i = 0; i < q->c; i++)
		ld = logaddexp(ld, lw[i] - lm);
	/* the virtual wait's density: lam P(c-1 busy) e^{b x} below tau,
	 * then e^{-c mu (x - tau)} times its value at tau */
	o->log_a = log(lam) + lw[q->c - 1] - lm;
	free(lw);
	o->beta = b;
	if (b <= 0)
		lcont = o->log_a + log(em1k(b, tau) + exp(b * tau) / cm);
	else
		lcont = o->log_a + b * tau + log(-expm1(-b * tau) / b + 1 / cm);
	lz = logaddexp(ld, lcont);
	o->pfree = exp(ld - lz);
	o->log_a -= lz;
	o->tau = tau;
	o->block = 0;
	o->abandon = exp(o->log_a + b * tau) / cm;
	o->served = d_cdf(o, mu, tau);
	o->late = 1 - o->abandon - o->served;
	if (o->late < 0)
		o->late = 0;
	if (o->served > 0) {
		o->lat_mean = (tau * o->served - integrate(d_cdf_f, o, mu, tau)) / o->served;
		if (o->lat_mean < 0)
			o->lat_mean = 0;
		o->wait_mean = integrate(d_wait_f, o, mu, tau) / o->served;
		o->pwait = (o->served - o->pfree * -expm1(-mu * tau)) / o->served;
		if (o->pwait < 0)
			o->pwait = 0;
	} else {
		o->lat_mean = o->wait_mean = o->pwait = 0;
	}
}

/* M/M/c/K, served = T <= tau: per state found, closed forms of
 * E[min(T, tau)], P(T <= tau) and E[W; T <= tau], W ~ Erlang(j, a),
 * T = W + Exp(mu) */
static void solve_k(struct mmck_to *o, const struct mmck *q, double tau)
{
	int n_max = q->c + q->k;
	double a = q->c * q->mu, mu = q->mu, served = 0, emin = 0, ew = 0, pw = 0;

	o->tau = tau;
	o->block = q->block;
	o->abandon = 0;
	for (int n = 0; n < n_max; n++) {
		double p = q->p[n], ok, m, w;
		int j = n - q->c + 1;

		if (p < 1e-14)
			continue;
		if (n < q->c) {
			ok = -expm1(-mu * tau);
			served += p * ok;
			emin += p * ok / mu;
			continue;
		}
		ok = 1 - erl_exp_tail(j, a, mu, tau);
		m = j / a * gsl_cdf_gamma_P(tau, j + 1, 1 / a) + tau * gsl_cdf_gamma_Q(tau, j, 1 / a) +
		    ok / mu;
		/* E[W e^{mu W}; W < tau] */
		if (fabs(a - mu) < 1e-12 * mu)
			w = exp(j * log(a) + (j + 1) * log(tau) - log(j + 1.0) - lgamma(j) - mu * tau);
		else {
			double pp = gsl_cdf_gamma_P(tau, j + 1, 1 / (a - mu));

			w = pp > 0 ? exp(log(j) + j * log(a) - (j + 1) * log(a - mu) - mu * tau + log(pp)) : 0;
		}
		w = j / a * gsl_cdf_gamma_P(tau, j + 1, 1 / a) - w;
		served += p * ok;
		emin += p * m;
		ew += p * (w > 0 ? w : 0);
		pw += p * ok;
	}
	o->served = served;
	o->late = 1 - o->block - served;
	if (o->late < 0)
		o->late = 0;
	if (served > 0) {
		/* E[T; T <= tau] = E[min(T, tau)] - tau P(T > tau) */
		o->lat_mean = (emin - tau * o->late) / served;
		if (o->lat_mean < 0)
			o->lat_mean = 0;
		if (o->lat_mean > tau)
			o->lat_mean = tau;
		o->wait_mean = ew / served;
		o->pwait = pw / served;
	} else {
		o->lat_mean = o->wait_mean = o->pwait = 0;
	}
}

void mmck_timeout(struct mmck_to *o, const struct mmck *q, double tau)
{
	double adm = 1 - q->block, waits = 0;

	o->tau = tau;
	o->tail_to = mmck_resp_tail(q, tau);
	o->pfree = o->log_a = o->beta = 0;
	o->err_k = o->err_d = 0;
	if (!(o->tail_to > 1e-12) || !(tau > 0)) {
		o->model = MMCK_TO_NONE;
		o->block = q->block;
		o->abandon = 0;
		o->late = adm * o->tail_to;
		o->served = adm - o->late;
		o->lat_mean = q->wq + 1 / q->mu;
		o->wait_mean = q->wq;
		o->pwait = q->pwait;
		return;
	}
	/* M/M/c/K is exact unless a request waits tau; M/M/c+D unless the
	 * queue reaches K, which needs K arrivals within tau */
	for (int n = q->c; n < q->c + q->k; n++)
		if (q->p[n] >= 1e-14)
			waits += q->p[n] * gsl_cdf_gamma_Q(tau, n - q->c + 1, 1 / (q->c * q->mu));
	o->err_k = adm > 0 ? waits / adm : 0;
	o->err_d = q->k == 0 ? 1 : gsl_cdf_poisson_Q((unsigned)(q->k - 1), q->lambda * tau);
	if (o->err_d < o->err_k && q->lambda > 0) {
		o->model = MMCK_TO_D;
		solve_d(o, q, tau);
	} else {
		o->model = MMCK_TO_K;
		solve_k(o, q, tau);
	}
}

double mmck_to_tail(const struct mmck_to *o, const struct mmck *q, double t)
{
	if (o->model == MMCK_TO_NONE)
		return mmck_resp_tail(q, t);
	if (t >= o->tau || !(o->served > 0))
		return 0;
	if (o->model == MMCK_TO_K) {
		double ok = 1 - o->tail_to, v;

		if (!(ok > 0))
			return 0;
		v = (mmck_resp_tail(q, t) - o->tail_to) / ok;
		return v < 0 ? 0 : v > 1 ? 1 : v;
	}
	{
		double v = (o->served - d_cdf(o, q->mu, t)) / o->served;

		return v < 0 ? 0 : v > 1 ? 1 : v;
	}
}
