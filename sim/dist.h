/* sim/dist.h — probability distributions declared in JSON and sampled
 * through GSL.
 *
 * JSON forms (one member naming the family):
 *   {"constant": {"value": 30}}
 *   {"uniform": {"min": 10, "max": 60}}
 *   {"exponential": {"mean": 600}}
 *   {"normal": {"mean": 300, "sd": 60}}            truncated at 0 (resampled)
 *   {"lognormal": {"mu": 5.0, "sigma": 1.2}}       or {"mean": m, "sd": s}
 *   {"weibull": {"shape": 1.5, "scale": 3600}}
 *   {"pareto": {"shape": 2.5, "scale": 100}}       (scale = minimum)
 *   {"empirical": {"file": "runtimes.csv", "column": "seconds"}}  draws one of the values uniformly
 * A bare number is shorthand for a constant.  Parameters are validated at
 * load (sd > 0, sigma > 0, shape > 0, ...), so GSL never sees a value it
 * would reject.  Units are the caller's (seconds, usually).
 */
#ifndef SIM_DIST_H
#define SIM_DIST_H

#include <gsl/gsl_rng.h>

#include "err.h"

struct cJSON;

enum dist_kind { DIST_CONSTANT, DIST_UNIFORM, DIST_EXPONENTIAL, DIST_NORMAL,
		 DIST_LOGNORMAL, DIST_WEIBULL, DIST_PARETO, DIST_EMPIRICAL };

struct dist {
	enum dist_kind kind;
	double a, b;            /* parameters, meaning per kind */
	double *values;         /* empirical sample */
	size_t n_values;
};

/* Parse a distribution; relative empirical file paths are resolved against
 * `base_dir` (the scenario's folder; NULL = current directory). */
int dist_parse(struct dist *d, const struct cJSON *v, const char *file, const char *path,
	       const char *base_dir, struct err *e);
void dist_free(struct dist *d);             /* frees members, not d */
double dist_sample(const struct dist *d, gsl_rng *r);
/* Theoretical mean and variance (for tests and docs); NAN when infinite. */
double dist_mean(const struct dist *d);
double dist_variance(const struct dist *d);
/* The probability of a draw below x. */
double dist_cdf(const struct dist *d, double x);

#endif
