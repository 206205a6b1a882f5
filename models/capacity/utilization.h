/* models/capacity/utilization.h — what a task uses of what it reserved, the
 * input of service auto scaling (docs/ecs-model.md §7.2, §5.10).
 *
 * A model per task definition and resource (CPU, memory), in percent of the
 * task's reservation:
 *   {"distribution": DIST}          a fresh draw each minute (sim/dist.h forms)
 *   {"curve": [[t, pct], ...], "periodSeconds": P, "noiseSd": S}
 *                                   piecewise linear in the simulation time t
 *                                   (seconds), repeated every P seconds when P
 *                                   > 0 (a diurnal load: P = 86400), plus
 *                                   normal noise of standard deviation S
 *   {"fromRequests": {"busyPercent": B, "idlePercent": I}}
 *                                   derived from the requests the task serves
 *                                   as a load-balancer target: I + (B − I) ×
 *                                   the share of its workers busy that minute
 *                                   (models/scaler.c computes it; util_at
 *                                   returns NaN for this kind)
 * A bare number is a constant.  Values are never below 0; above 100 is
 * allowed (a task may use more CPU than it reserved).  CloudWatch's service
 * metric is the sum of what the running tasks use over the sum of what they
 * reserve (util_aggregate).  Sampled once a minute per running task by
 * models/scaler.c (not by the agents). */
#ifndef MODELS_CAPACITY_UTILIZATION_H
#define MODELS_CAPACITY_UTILIZATION_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "sim/dist.h"
#include "sim/err.h"

struct cJSON;

enum util_kind { UTIL_DIST, UTIL_CURVE, UTIL_REQUESTS };

struct util_model {
	enum util_kind kind;
	struct dist d;
	int n;                  /* curve points */
	double *t_s, *pct;      /* owned */
	double period_s, noise_sd;
	double busy_pct, idle_pct;      /* UTIL_REQUESTS: all workers busy / none busy */
};
/* UTIL_REQUESTS: the percent for a share `busy` (0..1) of busy workers. */
double util_from_busy(const struct util_model *m, double busy);

int util_read(struct util_model *m, const struct cJSON *v, const char *file, const char *path,
	      const char *base_dir, struct err *e);
void util_free(struct util_model *m);                 /* members only */
/* Percent at time now (ms); r may be NULL for a curve without noise. */
double util_at(const struct util_model *m, int64_t now_ms, gsl_rng *r);
/* Σ used / Σ reserved × 100 over n tasks (NaN when nothing is reserved:
 * CloudWatch has no datapoint without running tasks). */
double util_aggregate(const double *used, const double *reserved, int n);

#endif
