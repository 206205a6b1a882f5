/* sim/dist.c — distributions declared in JSON, validated at load, sampled
 * through GSL.
 *
 * dist_parse accepts a bare number (a constant) or an object with exactly
 * one member naming the family; the family's object is read through a
 * struct jr, so every parameter error names its JSON path and unknown
 * members are refused (jr_end).  Every value a distribution can produce is
 * >= 0 (they are durations and intervals), and every parameter is checked so
 * that GSL never sees one it would reject.
 *
 * Parameters in struct dist, per kind:
 *   constant     a = value
 *   uniform      a = min, b = max
 *   exponential  a = mean
 *   normal       a = mean, b = sd   (of the untruncated normal)
 *   lognormal    a = mu, b = sigma  ({mean, sd} is converted at load)
 *   weibull      a = shape, b = scale
 *   pareto       a = shape, b = scale (the minimum)
 *   empirical    values[0 .. n_values-1]
 *
 * The normal is truncated at 0: a draw below 0 is redrawn, at most
 * NORMAL_TRIES times; after that (or at once when the mean is more than one
 * sd below 0, where redrawing would mostly fail) the draw comes from
 * gsl_ran_gaussian_tail, which samples the same truncated distribution
 * exactly by a method whose cost does not grow with how far the mean is
 * below 0.  Either way the result follows the truncated normal exactly.
 *
 * Empirical files are read with libcsv: a header row, then one value per
 * record in the chosen column; values must be numbers >= 0.  Errors name
 * file:line:column (the column is the 1-based field index).
 */
#include "dist.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "jsonrd.h"
#include "mem.h"

#define NORMAL_TRIES 64

static const char *const family_names[] = {
	[DIST_CONSTANT] = "constant", [DIST_UNIFORM] = "uniform",
	[DIST_EXPONENTIAL] = "exponential", [DIST_NORMAL] = "normal",
	[DIST_LOGNORMAL] = "lognormal", [DIST_WEIBULL] = "weibull",
	[DIST_PARETO] = "pareto", [DIST_EMPIRICAL] = "empirical",
};
#define N_FAMILIES (sizeof family_names / sizeof family_names[0])
#define FAMILY_LIST "constant, uniform, exponential, normal, lognormal, weibull, pareto, empirical"

/* A number strictly greater than `lo` (finite). */
static int num_gt(struct jr *c, const char *key, double lo, double *out)
{
	const cJSON *v = jr_get(c, key);

	if (!v)
		return jr_fail(c, key, "required member is missing");
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || !(v->valuedouble > lo)) {
		if (cJSON_IsNumber(v)) {
			char got[40];

			jr_fmt_num(v->valuedouble, got, sizeof got);
			return jr_fail(c, key, "expected number in (%g, inf), got %s", lo, got);
		}
		return jr_fail(c, key, "expected number in (%g, inf), got %s", lo, jtype_name(v));
	}
	*out = v->valuedouble;
	return 0;
}

/* ---- empirical files ---- */

struct csvrd {
	const char *path;
	const char *colname;    /* wanted column, NULL = the only one */
	struct err *e;
	long line;              /* line being fed to the parser */
	long rec_line;          /* line where the current record started */
	int field;              /* 0-based index of the next field */
	int ncols;              /* header fields; 0 until the header is done */
	int col;                /* wanted column index, -1 = none */
	char **header;
	size_t hcap;
	double *values;
	size_t n, cap;
	int failed;
};

static void on_field(void *s, size_t len, void *data)
{
	struct csvrd *c = data;
	const char *f = s ? s : "";
	char *end;
	double x;

	if (c->failed)
		return;
	if (c->field == 0)
		c->rec_line = c->line;
	if (c->ncols == 0) {
		XGROW(c->header, c->hcap, (size_t)c->field + 1);
		c->header[c->field++] = xstrndup(f, len);
		return;
	}
	if (c->field++ != c->col)
		return;
	errno = 0;
	x = strtod(f, &end);
	while (*end == ' ' || *end == '\t' || *end == '\r')
		end++;
	if (len == 0 || end == f || *end != '\0' || errno == ERANGE || !isfinite(x) || x < 0) {
		err_at(c->e, c->path, c->rec_line, c->col + 1, c->header[c->col],
		       "expected number >= 0, got \"%.60s\"", f);
		c->failed = 1;
		return;
	}
	XGROW(c->values, c->cap, c->n + 1);
	c->values[c->n++] = x;
}

static void on_record(int term, void *data)
{
	struct csvrd *c = data;

	(void)term;
	if (c->failed)
		return;
	if (c->ncols == 0) {
		c->ncols = c->field;
		c->col = -1;
		for (int i = 0; i < c->ncols && c->colname; i++)
			if (strcmp(c->header[i], c->colname) == 0)
				c->col = i;
		if (!c->colname && c->ncols == 1)
			c->col = 0;
		if (c->col < 0) {
			if (c->colname)
				err_at(c->e, c->path, 1, 0, NULL, "no column '%s' in the header",
				       c->colname);
			else
				err_at(c->e, c->path, 1, 0, NULL,
				       "the file has %d columns: say which one with \"column\"",
				       c->ncols);
			c->failed = 1;
		}
	} else if (c->field != c->ncols) {
		err_at(c->e, c->path, c->rec_line, 0, NULL,
		       "expected %d fields as in the header, got %d", c->ncols, c->field);
		c->failed = 1;
	}
	c->field = 0;
}

static int read_empirical(struct dist *d, const char *path, const char *colname,
			  struct err *e)
{
	struct csvrd c = { .path = path, .colname = colname, .e = e, .col = -1 };
	struct csv_parser p;
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t bufcap = 0;
	ssize_t len;
	int rc = -1;

	if (!f)
		return err_at(e, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		fclose(f);
		return err_at(e, path, 0, 0, NULL, "cannot initialise the CSV parser");
	}
	/* Fed one line at a time so that c.line is the line being parsed. */
	while (!c.failed && (len = getline(&buf, &bufcap, f)) > 0) {
		c.line++;
		if (csv_parse(&p, buf, (size_t)len, on_field, on_record, &c) != (size_t)len) {
			err_at(e, path, c.line, 0, NULL, "malformed CSV: %s",
			       csv_strerror(csv_error(&p)));
			c.failed = 1;
		}
	}
	if (!c.failed && ferror(f)) {
		err_at(e, path, 0, 0, NULL, "read error: %s", strerror(errno));
		c.failed = 1;
	}
	if (!c.failed && csv_fini(&p, on_field, on_record, &c) != 0) {
		err_at(e, path, c.line, 0, NULL, "malformed CSV: %s", csv_strerror(csv_error(&p)));
		c.failed = 1;
	}
	if (!c.failed && c.ncols == 0)
		err_at(e, path, 0, 0, NULL, "empty file: expected a header row");
	else if (!c.failed && c.n == 0)
		err_at(e, path, 0, 0, NULL, "no values after the header");
	else if (!c.failed && c.n > 0xffffffffUL)
		err_at(e, path, 0, 0, NULL, "too many values (at most 4294967295)");
	else if (!c.failed)
		rc = 0;
	csv_free(&p);
	free(buf);
	fclose(f);
	for (int i = 0; i < (c.ncols ? c.ncols : c.field); i++)
		free(c.header[i]);
	free(c.header);
	if (rc == 0) {
		d->values = c.values;
		d->n_values = c.n;
	} else {
		free(c.values);
	}
	return rc;
}

/* ---- parsing ---- */

static int parse_family(struct dist *d, struct jr *c, const char *base_dir)
{
	const char *fname, *colname;
	double x, y;

	switch (d->kind) {
	case DIST_CONSTANT:
		return jr_req_num(c, "value", 0, HUGE_VAL, &d->a);
	case DIST_UNIFORM:
		if (jr_req_num(c, "min", 0, HUGE_VAL, &d->a) ||
		    jr_req_num(c, "max", 0, HUGE_VAL, &d->b))
			return -1;
		if (d->b < d->a)
			return jr_fail(c, "max", "expected max >= min (%g), got %g", d->a, d->b);
		return 0;
	case DIST_EXPONENTIAL:
		return num_gt(c, "mean", 0, &d->a);
	case DIST_NORMAL:
		return jr_req_num(c, "mean", -HUGE_VAL, HUGE_VAL, &d->a) ||
		       num_gt(c, "sd", 0, &d->b) ? -1 : 0;
	case DIST_LOGNORMAL:
		if (jr_has(c, "mu") || jr_has(c, "sigma")) {
			if (jr_has(c, "mean") || jr_has(c, "sd"))
				return jr_fail(c, NULL, "give either {mu, sigma} or {mean, sd}, not both");
			return jr_req_num(c, "mu", -HUGE_VAL, HUGE_VAL, &d->a) ||
			       num_gt(c, "sigma", 0, &d->b) ? -1 : 0;
		}
		if (num_gt(c, "mean", 0, &x) || num_gt(c, "sd", 0, &y))
			return -1;
		/* mean = exp(mu + sigma^2/2), sd^2 = (exp(sigma^2) - 1) mean^2 */
		d->b = sqrt(log1p((y / x) * (y / x)));
		d->a = log(x) - d->b * d->b / 2;
		return 0;
	case DIST_WEIBULL:
	case DIST_PARETO:
		return num_gt(c, "shape", 0, &d->a) || num_gt(c, "scale", 0, &d->b) ? -1 : 0;
	case DIST_EMPIRICAL: {
		char *full = NULL;
		int rc;

		if (jr_req_str(c, "file", &fname) || jr_opt_str(c, "column", NULL, &colname))
			return -1;
		if (fname[0] == '\0')
			return jr_fail(c, "file", "expected a file name, got \"\"");
		if (fname[0] != '/' && base_dir && base_dir[0]) {
			size_t n = strlen(base_dir) + strlen(fname) + 2;

			full = xmalloc(n);
			snprintf(full, n, "%s/%s", base_dir, fname);
		}
		rc = read_empirical(d, full ? full : fname, colname, c->e);
		free(full);
		return rc;
	}
	}
	return -1;
}

int dist_parse(struct dist *d, const struct cJSON *v, const char *file, const char *path,
	       const char *base_dir, struct err *e)
{
	struct jr outer, inner;
	const cJSON *fv = NULL;
	char fpath[600];
	size_t k, found = N_FAMILIES;

	memset(d, 0, sizeof *d);
	if (cJSON_IsNumber(v)) {
		d->kind = DIST_CONSTANT;
		return jv_num(v, file, path, 0, HUGE_VAL, &d->a, e);
	}
	if (!cJSON_IsObject(v))
		return err_at(e, file, 0, 0, path,
			      "expected a number or an object naming a distribution (%s), got %s",
			      FAMILY_LIST, jtype_name(v));
	if (jr_open(&outer, v, file, path, e))
		return -1;
	for (k = 0; k < N_FAMILIES; k++) {
		if (!jr_has(&outer, family_names[k]))
			continue;
		if (found != N_FAMILIES)
			return jr_fail(&outer, NULL, "expected one distribution, got both '%s' and '%s'",
				       family_names[found], family_names[k]);
		found = k;
	}
	if (found == N_FAMILIES) {
		if (v->child)
			return jr_fail(&outer, v->child->string,
				       "unknown distribution '%s' (expected one of %s)",
				       v->child->string, FAMILY_LIST);
		return jr_fail(&outer, NULL, "expected one member naming a distribution (%s)",
			       FAMILY_LIST);
	}
	d->kind = (enum dist_kind)found;
	fv = jr_get(&outer, family_names[found]);
	if (jr_end(&outer))
		return -1;
	jr_path(&outer, family_names[found], fpath, sizeof fpath);
	if (jr_open(&inner, fv, file, fpath, e) || parse_family(d, &inner, base_dir) ||
	    jr_end(&inner)) {
		dist_free(d);
		return -1;
	}
	return 0;
}

void dist_free(struct dist *d)
{
	if (!d)
		return;
	free(d->values);
	d->values = NULL;
	d->n_values = 0;
}

/* ---- sampling ---- */

static double normal_trunc(double mean, double sd, gsl_rng *r)
{
	double x;

	if (mean >= -sd) {
		for (int i = 0; i < NORMAL_TRIES; i++) {
			x = mean + gsl_ran_gaussian(r, sd);
			if (x >= 0)
				return x;
		}
	}
	x = mean + gsl_ran_gaussian_tail(r, -mean, sd);
	return x < 0 ? 0 : x;
}

double dist_sample(const struct dist *d, gsl_rng *r)
{
	switch (d->kind) {
	case DIST_CONSTANT:
		return d->a;
	case DIST_UNIFORM:
		return d->a + (d->b - d->a) * gsl_rng_uniform(r);
	case DIST_EXPONENTIAL:
		return gsl_ran_exponential(r, d->a);
	case DIST_NORMAL:
		return normal_trunc(d->a, d->b, r);
	case DIST_LOGNORMAL:
		return gsl_ran_lognormal(r, d->a, d->b);
	case DIST_WEIBULL:
		return gsl_ran_weibull(r, d->b, d->a);
	case DIST_PARETO:
		return gsl_ran_pareto(r, d->a, d->b);
	case DIST_EMPIRICAL:
		return d->values[gsl_rng_uniform_int(r, (unsigned long)d->n_values)];
	}
	return 0;
}

/* ---- theory ---- */

/* The inverse Mills ratio phi(x) / (1 - Phi(x)) of the standard normal:
 * directly while the tail probability is representable, by its continued
 * fraction (x + 1/(x + 2/(x + 3/...)))^-1 inverted, beyond. */
static double inv_mills(double x)
{
	double f = x;

	if (x < 5)
		return exp(-x * x / 2) / sqrt(2 * M_PI) / (0.5 * erfc(x / M_SQRT2));
	for (int k = 80; k >= 1; k--)
		f = x + k / f;
	return f;
}

static void moments(const struct dist *d, double *mean, double *var)
{
	double m, s, al, lam, g1, g2, sum = 0, sq = 0;

	switch (d->kind) {
	case DIST_CONSTANT:
		*mean = d->a;
		*var = 0;
		return;
	case DIST_UNIFORM:
		*mean = (d->a + d->b) / 2;
		*var = (d->b - d->a) * (d->b - d->a) / 12;
		return;
	case DIST_EXPONENTIAL:
		*mean = d->a;
		*var = d->a * d->a;
		return;
	case DIST_NORMAL:
		m = d->a;
		s = d->b;
		al = -m / s;
		lam = inv_mills(al);
		*mean = m + s * lam;
		*var = s * s * (1 + al * lam - lam * lam);
		return;
	case DIST_LOGNORMAL:
		s = d->b * d->b;
		*mean = exp(d->a + s / 2);
		*var = expm1(s) * exp(2 * d->a + s);
		return;
	case DIST_WEIBULL:
		g1 = tgamma(1 + 1 / d->a);
		g2 = tgamma(1 + 2 / d->a);
		*mean = d->b * g1;
		*var = d->b * d->b * (g2 - g1 * g1);
		return;
	case DIST_PARETO:
		*mean = d->a > 1 ? d->a * d->b / (d->a - 1) : NAN;
		*var = d->a > 2 ? d->b * d->b * d->a / ((d->a - 1) * (d->a - 1) * (d->a - 2)) : NAN;
		return;
	case DIST_EMPIRICAL:
		for (size_t i = 0; i < d->n_values; i++)
			sum += d->values[i];
		m = sum / (double)d->n_values;
		for (size_t i = 0; i < d->n_values; i++)
			sq += (d->values[i] - m) * (d->values[i] - m);
		*mean = m;
		*var = sq / (double)d->n_values;
		return;
	}
	*mean = *var = NAN;
}

double dist_mean(const struct dist *d)
{
	double m, v;

	moments(d, &m, &v);
	return m;
}

double dist_variance(const struct dist *d)
{
	double m, v;

	moments(d, &m, &v);
	return v;
}

/* P(draw < x) (docs/ecs-model.md choice E86 uses it to refuse arrival
 * processes whose gaps mostly round to 0 ms). */
double dist_cdf(const struct dist *d, double x)
{
	double q0, q, n = 0;

	switch (d->kind) {
	case DIST_CONSTANT:
		return d->a < x ? 1 : 0;
	case DIST_UNIFORM:
		return x <= d->a ? 0 : x >= d->b ? 1 : (x - d->a) / (d->b - d->a);
	case DIST_EXPONENTIAL:
		return x <= 0 ? 0 : gsl_cdf_exponential_P(x, d->a);
	case DIST_NORMAL:
		/* truncated at 0: 1 - Q((x - m) / sd) / Q(-m / sd) */
		if (x <= 0)
			return 0;
		q0 = gsl_cdf_gaussian_Q(-d->a, d->b);
		q = gsl_cdf_gaussian_Q(x - d->a, d->b);
		return q0 > 0 ? 1 - q / q0 : 1;
	case DIST_LOGNORMAL:
		return x <= 0 ? 0 : gsl_cdf_lognormal_P(x, d->a, d->b);
	case DIST_WEIBULL:
		return x <= 0 ? 0 : gsl_cdf_weibull_P(x, d->b, d->a);
	case DIST_PARETO:
		return x <= d->b ? 0 : gsl_cdf_pareto_P(x, d->a, d->b);
	case DIST_EMPIRICAL:
		for (size_t i = 0; i < d->n_values; i++)
			n += d->values[i] < x;
		return n / (double)d->n_values;
	}
	return NAN;
}
