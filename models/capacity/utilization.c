/* models/capacity/utilization.c — per-task utilisation models. */
#include "models/capacity/utilization.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_randist.h>

#include "sim/jsonrd.h"
#include "sim/mem.h"

static int read_curve(struct util_model *m, const cJSON *arr, const char *file,
		      const char *path, struct err *e)
{
	int i = 0, n = cJSON_GetArraySize(arr);

	if (n < 1)
		return err_at(e, file, 0, 0, path, "a curve needs at least one [seconds, percent] point");
	m->t_s = xcalloc((size_t)n, sizeof *m->t_s);
	m->pct = xcalloc((size_t)n, sizeof *m->pct);
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		char p[800];

		snprintf(p, sizeof p, "%s[%d]", path, i);
		if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) != 2)
			return err_at(e, file, 0, 0, p, "expected [seconds, percent], got %s",
				      jtype_name(it));
		snprintf(p, sizeof p, "%s[%d][0]", path, i);
		if (jv_num(it->child, file, p, 0, 1e11, &m->t_s[i], e))
			return -1;
		snprintf(p, sizeof p, "%s[%d][1]", path, i);
		if (jv_num(it->child->next, file, p, 0, 1e6, &m->pct[i], e))
			return -1;
		if (i > 0 && m->t_s[i] <= m->t_s[i - 1]) {
			snprintf(p, sizeof p, "%s[%d][0]", path, i);
			return err_at(e, file, 0, 0, p, "times must increase (%g after %g)",
				      m->t_s[i], m->t_s[i - 1]);
		}
		m->n++;
	}
	return 0;
}

int util_read(struct util_model *m, const cJSON *v, const char *file, const char *path,
	      const char *base_dir, struct err *e)
{
	struct jr c;
	const cJSON *dist, *curve, *req;
	char p[600];

	memset(m, 0, sizeof *m);
	if (cJSON_IsNumber(v)) {
		m->kind = UTIL_DIST;
		return dist_parse(&m->d, v, file, path, base_dir, e);
	}
	if (jr_open(&c, v, file, path, e))
		return -1;
	dist = jr_get(&c, "distribution");
	curve = jr_get(&c, "curve");
	req = jr_get(&c, "fromRequests");
	if (jr_opt_num(&c, "periodSeconds", 0, 0, 1e11, &m->period_s) ||
	    jr_opt_num(&c, "noiseSd", 0, 0, 1e6, &m->noise_sd) || jr_end(&c))
		return -1;
	if (!!dist + !!curve + !!req != 1)
		return jr_fail(&c, NULL, "give exactly one of \"distribution\", \"curve\" or \"fromRequests\"");
	if (req) {
		struct jr rc;

		if (m->period_s > 0 || m->noise_sd > 0)
			return jr_fail(&c, m->period_s > 0 ? "periodSeconds" : "noiseSd",
				       "only with \"curve\"");
		m->kind = UTIL_REQUESTS;
		jr_path(&c, "fromRequests", p, sizeof p);
		if (jr_open(&rc, req, file, p, e) ||
		    jr_opt_num(&rc, "busyPercent", 100, 0, 1e6, &m->busy_pct) ||
		    jr_opt_num(&rc, "idlePercent", 0, 0, 1e6, &m->idle_pct) || jr_end(&rc))
			return -1;
		if (m->idle_pct > m->busy_pct)
			return jr_fail(&rc, "idlePercent", "%g is above busyPercent %g", m->idle_pct,
				       m->busy_pct);
		return 0;
	}
	if (dist) {
		if (m->period_s > 0 || m->noise_sd > 0)
			return jr_fail(&c, m->period_s > 0 ? "periodSeconds" : "noiseSd",
				       "only with \"curve\"");
		m->kind = UTIL_DIST;
		jr_path(&c, "distribution", p, sizeof p);
		return dist_parse(&m->d, dist, file, p, base_dir, e);
	}
	m->kind = UTIL_CURVE;
	jr_path(&c, "curve", p, sizeof p);
	if (!cJSON_IsArray(curve))
		return err_at(e, file, 0, 0, p, "expected an array of [seconds, percent], got %s",
			      jtype_name(curve));
	if (read_curve(m, curve, file, p, e))
		return -1;
	if (m->period_s > 0 && m->t_s[m->n - 1] > m->period_s)
		return jr_fail(&c, "periodSeconds", "the curve's last time (%g) is beyond the period (%g)",
			       m->t_s[m->n - 1], m->period_s);
	return 0;
}

void util_free(struct util_model *m)
{
	dist_free(&m->d);
	free(m->t_s);
	free(m->pct);
	m->t_s = m->pct = NULL;
	m->n = 0;
}

static double curve_at(const struct util_model *m, double t)
{
	if (m->period_s > 0)
		t = fmod(t, m->period_s);
	if (t <= m->t_s[0])
		return m->pct[0];
	for (int i = 1; i < m->n; i++)
		if (t <= m->t_s[i]) {
			double f = (t - m->t_s[i - 1]) / (m->t_s[i] - m->t_s[i - 1]);

			return m->pct[i - 1] + f * (m->pct[i] - m->pct[i - 1]);
		}
	return m->pct[m->n - 1];
}

double util_at(const struct util_model *m, int64_t now_ms, gsl_rng *r)
{
	double v;

	if (m->kind == UTIL_REQUESTS)
		return NAN;                 /* the scaler derives it from the requests */
	if (m->kind == UTIL_DIST) {
		v = dist_sample(&m->d, r);
	} else {
		v = curve_at(m, (double)now_ms / 1000.0);
		if (m->noise_sd > 0 && r)
			v += gsl_ran_gaussian(r, m->noise_sd);
	}
	return v > 0 ? v : 0;
}

double util_aggregate(const double *used, const double *reserved, int n)
{
	double u = 0, res = 0;

	for (int i = 0; i < n; i++) {
		u += used[i];
		res += reserved[i];
	}
	return res > 0 ? u / res * 100.0 : NAN;
}

double util_from_busy(const struct util_model *m, double busy)
{
	if (busy < 0)
		busy = 0;
	if (busy > 1)
		busy = 1;
	return m->idle_pct + (m->busy_pct - m->idle_pct) * busy;
}
