/* cli/compare.c — `ecsim compare`: run variants of one scenario over R
 * replications with common random numbers and report each metric's mean
 * and 95% confidence interval, and each variant's paired difference from
 * the first (scenarios/README.md, "ecsim compare").
 *
 * Replication r of every variant runs with seed base + r, so the variants
 * see the same random streams (arrivals, durations, faults): the paired
 * differences cancel most of the run-to-run noise.  --no-crn gives variant
 * v the seeds base + r + 1000003·v instead (independent runs, for checking
 * what common random numbers buy). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "exp.h"
#include "models/scenario.h"
#include "sim/mem.h"
#include "sim/stats.h"

#define LEVEL 0.95

struct variant {
	char *name;
	char *strategy;        /* NULL = the scenario's */
	char **sets;
	int n_sets;
};

struct copts {
	const char *scenario;
	struct variant *var;
	int n_var;
	char **sets;           /* common to every variant */
	int n_sets;
	int reps, max_reps, jobs, crn, task_log, quiet, plot, has_seed;
	unsigned long long seed;
	double precision;      /* relative half-width wanted, 0 = fixed reps */
	const char *out, *tie_break, *until;
	const char **metrics;  /* --metric, the table's and --precision's */
	int n_metrics;
};

static void usage(void)
{
	printf("usage: ecsim compare <scenario.json> [--strategy NAME|JSON]... [--variant NAME[:SETTING]]...\n"
	       "                     [--set POINTER=VALUE]... [--reps R] [--seed N] [--jobs N] [--out DIR]\n"
	       "                     [--precision P%%] [--max-reps N] [--metric NAME]... [--no-crn]\n"
	       "                     [--tie-break first|random] [--until SECONDS] [--no-task-log]\n"
	       "                     [--no-plot] [--quiet]\n"
	       "  --strategy S          a variant named S using placement strategy S\n"
	       "  --variant N:SETTING   a variant N; SETTING is /pointer=json or strategy=S;\n"
	       "                        repeat with the same N for several settings\n"
	       "  --set P=V             applies to every variant\n"
	       "  --reps R              replications per variant (default 10); replication r\n"
	       "                        of every variant uses seed N+r (common random numbers)\n"
	       "  --precision 5%%        add replications until each --metric's 95%% half-width\n"
	       "                        is below 5%% of its mean (at most --max-reps, default 100)\n"
	       "exit codes: 0 ok, 1 a run failed, 2 bad input\n");
}

static struct variant *variant_get(struct copts *o, const char *name, size_t len)
{
	struct variant *v;

	for (int i = 0; i < o->n_var; i++)
		if (strlen(o->var[i].name) == len && strncmp(o->var[i].name, name, len) == 0)
			return &o->var[i];
	o->var = xrealloc(o->var, (size_t)(o->n_var + 1) * sizeof *o->var);
	v = &o->var[o->n_var++];
	memset(v, 0, sizeof *v);
	v->name = xstrndup(name, len);
	return v;
}

static void add_set(char ***sets, int *n, const char *s)
{
	*sets = xrealloc(*sets, (size_t)(*n + 1) * sizeof **sets);
	(*sets)[(*n)++] = xstrdup(s);
}

static int parse_int(const char *opt, const char *v, int lo, int hi, int *out)
{
	char *end;
	long x = strtol(v, &end, 10);

	if (!*v || *end || x < lo || x > hi)
		return cmd_usage_error("compare: %s: expected an integer in [%d, %d], got '%s'",
				       opt, lo, hi, v);
	*out = (int)x;
	return 0;
}

static int parse_args(int argc, char **argv, struct copts *o)
{
	o->reps = 10;
	o->max_reps = 100;
	o->jobs = exp_default_jobs();
	o->crn = 1;
	o->task_log = 1;
	o->plot = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;

		if (!strcmp(a, "--help")) {
			usage();
			exit(EXIT_OK);
		} else if (!strcmp(a, "--no-crn")) {
			o->crn = 0;
			continue;
		} else if (!strcmp(a, "--no-task-log")) {
			o->task_log = 0;
			continue;
		} else if (!strcmp(a, "--no-plot")) {
			o->plot = 0;
			continue;
		} else if (!strcmp(a, "--quiet")) {
			o->quiet = 1;
			continue;
		} else if (!strcmp(a, "--antithetic")) {
			return cmd_usage_error("compare: --antithetic is not supported: the models draw "
					       "through GSL's samplers, which give no generic u -> 1-u "
					       "(scenarios/README.md, \"ecsim compare\")");
		} else if (a[0] == '-' && a[1]) {
			static const char *const valued[] = { "--strategy", "--variant", "--set", "--reps",
				"--seed", "--jobs", "--out", "--precision", "--max-reps", "--metric",
				"--tie-break", "--until", NULL };
			int k;

			for (k = 0; valued[k] && strcmp(valued[k], a); k++)
				;
			if (!valued[k])
				return cmd_usage_error("compare: unknown option '%s'", a);
			if (i + 1 >= argc)
				return cmd_usage_error("compare: %s needs a value", a);
			v = argv[++i];
		} else if (o->scenario) {
			return cmd_usage_error("compare: one scenario at a time (got '%s' and '%s')",
					       o->scenario, a);
		} else {
			o->scenario = a;
			continue;
		}
		if (!strcmp(a, "--strategy")) {
			struct variant *var = variant_get(o, v, strlen(v));

			free(var->strategy);
			var->strategy = xstrdup(v);
		} else if (!strcmp(a, "--variant")) {
			const char *colon = strchr(v, ':');
			struct variant *var;

			if (colon == v || !*v)
				return cmd_usage_error("compare: --variant '%s': expected NAME or NAME:SETTING", v);
			var = variant_get(o, v, colon ? (size_t)(colon - v) : strlen(v));
			if (!colon)
				continue;
			if (!strncmp(colon + 1, "strategy=", 9)) {
				free(var->strategy);
				var->strategy = xstrdup(colon + 10);
			} else if (colon[1] == '/') {
				add_set(&var->sets, &var->n_sets, colon + 1);
			} else {
				return cmd_usage_error("compare: --variant '%s': the setting after ':' is "
						       "/pointer=value or strategy=NAME", v);
			}
		} else if (!strcmp(a, "--set")) {
			add_set(&o->sets, &o->n_sets, v);
		} else if (!strcmp(a, "--reps")) {
			if (parse_int(a, v, 2, 100000, &o->reps))
				return EXIT_INPUT;
		} else if (!strcmp(a, "--max-reps")) {
			if (parse_int(a, v, 2, 100000, &o->max_reps))
				return EXIT_INPUT;
		} else if (!strcmp(a, "--jobs")) {
			if (parse_int(a, v, 1, 4096, &o->jobs))
				return EXIT_INPUT;
		} else if (!strcmp(a, "--seed")) {
			char *end;

			o->seed = strtoull(v, &end, 10);
			if (!*v || *end || v[0] == '-')
				return cmd_usage_error("compare: --seed: expected an integer >= 0, got '%s'", v);
			o->has_seed = 1;
		} else if (!strcmp(a, "--precision")) {
			char *end;
			double p = strtod(v, &end);

			if (*end == '%')
				end++;
			else
				p *= 100.0;     /* 0.05 = 5% */
			if (!*v || *end || !(p > 0) || p >= 100)
				return cmd_usage_error("compare: --precision: expected a percentage in "
						       "(0, 100), e.g. 5%%, got '%s'", v);
			o->precision = p / 100.0;
		} else if (!strcmp(a, "--metric")) {
			o->metrics = xrealloc(o->metrics, (size_t)(o->n_metrics + 1) * sizeof *o->metrics);
			o->metrics[o->n_metrics++] = v;
		} else if (!strcmp(a, "--out")) {
			o->out = v;
		} else if (!strcmp(a, "--tie-break")) {
			o->tie_break = v;
		} else {
			o->until = v;
		}
	}
	if (!o->scenario)
		return cmd_usage_error("compare: missing scenario file");
	if (o->n_var == 0)
		variant_get(o, "scenario", 8);
	if (o->precision == 0 && o->reps > o->max_reps)
		o->max_reps = o->reps;
	if (o->reps > o->max_reps)
		return cmd_usage_error("compare: --reps %d is above --max-reps %d", o->reps, o->max_reps);
	return 0;
}

/* Extra `ecsim run` arguments of variant v. */
static char **variant_args(const struct copts *o, const struct variant *v, int *n)
{
	char **a = xcalloc((size_t)(2 * (o->n_sets + v->n_sets) + 8), sizeof *a);
	int k = 0;

	if (v->strategy) {
		a[k++] = "--strategy";
		a[k++] = v->strategy;
	}
	if (o->tie_break) {
		a[k++] = "--tie-break";
		a[k++] = (char *)o->tie_break;
	}
	if (o->until) {
		a[k++] = "--until";
		a[k++] = (char *)o->until;
	}
	if (!o->task_log)
		a[k++] = "--no-task-log";
	for (int i = 0; i < o->n_sets; i++) {
		a[k++] = "--set";
		a[k++] = o->sets[i];
	}
	for (int i = 0; i < v->n_sets; i++) {
		a[k++] = "--set";
		a[k++] = v->sets[i];
	}
	*n = k;
	return a;
}

/* Load every variant once: bad input is reported before any run. */
static int check_variants(struct copts *o, char **scn_name)
{
	for (int i = 0; i < o->n_var; i++) {
		struct variant *v = &o->var[i];
		const char **sets = xcalloc((size_t)(o->n_sets + v->n_sets + 1), sizeof *sets);
		struct scenario *s;
		struct err e;
		int n = 0;

		for (int k = 0; k < o->n_sets; k++)
			sets[n++] = o->sets[k];
		for (int k = 0; k < v->n_sets; k++)
			sets[n++] = v->sets[k];
		err_clear(&e);
		s = scenario_load_sets(o->scenario, sets, n, &e);
		free(sets);
		if (!s || (v->strategy && scenario_set_strategy(s, v->strategy, &e)) ||
		    (o->tie_break && scenario_set_tie_break(s, o->tie_break, &e))) {
			char buf[2600];

			err_format(&e, buf, sizeof buf);
			fprintf(stderr, "ecsim: error: compare: variant '%s': %s\n", v->name, buf);
			scenario_free(s);
			return EXIT_INPUT;
		}
		if (i == 0) {
			*scn_name = xstrdup(s->name);
			if (!o->has_seed)
				o->seed = s->seed;
		}
		scenario_free(s);
	}
	if (o->until) {
		char *end;
		double u = strtod(o->until, &end);

		/* as run's --until: the range of durationSeconds */
		if (!*o->until || *end || !(u >= 0.001) || u > 1e11)
			return cmd_usage_error("compare: --until: expected seconds in [0.001, 1e11], got '%s'",
					       o->until);
	}
	return 0;
}

struct result {
	struct exp_names names;
	struct exp_vals *vals;     /* [r * n_var + v] */
};

static double *column(const struct copts *o, const struct result *res, int v, size_t m,
		      int reps, double *buf)
{
	for (int r = 0; r < reps; r++)
		buf[r] = exp_val(&res->vals[(size_t)r * (size_t)o->n_var + (size_t)v], m);
	return buf;
}

/* Summary of metric m of variant v over the replications where it exists. */
static void summarise(const struct copts *o, const struct result *res, int v, size_t m,
		      int reps, struct stat_sum *s)
{
	double *x = xmalloc((size_t)reps * sizeof *x);
	size_t k = 0;

	column(o, res, v, m, reps, x);
	for (int r = 0; r < reps; r++)
		if (!isnan(x[r]))
			x[k++] = x[r];
	stats_summary(x, k, LEVEL, s);
	free(x);
}

static void paired(const struct copts *o, const struct result *res, int v, size_t m, int reps,
		   struct stat_sum *s)
{
	double *x = xmalloc((size_t)reps * sizeof *x), *y = xmalloc((size_t)reps * sizeof *y);
	size_t k = 0;

	for (int r = 0; r < reps; r++) {
		double a = exp_val(&res->vals[(size_t)r * (size_t)o->n_var + (size_t)v], m);
		double b = exp_val(&res->vals[(size_t)r * (size_t)o->n_var], m);

		if (!isnan(a) && !isnan(b)) {
			x[k] = a;
			y[k++] = b;
		}
	}
	stats_paired(x, y, k, LEVEL, s);
	free(x);
	free(y);
}

/* The metrics the table shows and --precision watches. */
static size_t chosen_metrics(const struct copts *o, const struct exp_names *names, size_t *idx)
{
	size_t n = 0;

	if (o->n_metrics) {
		for (int i = 0; i < o->n_metrics; i++) {
			int k = exp_name_index(names, o->metrics[i]);

			if (k >= 0)
				idx[n++] = (size_t)k;
		}
		return n;
	}
	for (int i = 0; exp_key_metrics[i]; i++) {
		int k = exp_name_index(names, exp_key_metrics[i]);

		if (k >= 0)
			idx[n++] = (size_t)k;
	}
	for (size_t k = 0; k < names->n; k++)
		if (!strncmp(names->name[k], "availability_pct[", 17) ||
		    !strncmp(names->name[k], "lb_availability_pct[", 20) ||
		    !strncmp(names->name[k], "lb_latency_p99_ms[", 18))
			idx[n++] = k;
	return n;
}

static void num(char *b, size_t n, double x, int sign)
{
	double a = fabs(x);
	int prec = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 1 ? 2 : 3;

	if (isnan(x))
		snprintf(b, n, "-");
	else
		snprintf(b, n, sign ? "%+.*f" : "%.*f", prec, x == 0 ? 0.0 : x);
}

static void print_table(const struct copts *o, const struct result *res, int reps,
			const size_t *idx, size_t n_idx)
{
	size_t rows = n_idx * (size_t)o->n_var, k = 0;
	char (*cell)[5][200] = xcalloc(rows + 1, sizeof *cell);
	int w[5] = { 0 };
	int any_sig = 0;

	snprintf(cell[0][0], 200, "metric");
	snprintf(cell[0][1], 200, "variant");
	snprintf(cell[0][2], 200, "mean");
	snprintf(cell[0][3], 200, "95%% CI");
	if (o->n_var > 1)             /* (else empty: the cells are zeroed) */
		snprintf(cell[0][4], 200, "difference vs %s (95%% CI)", o->var[0].name);
	for (size_t i = 0; i < n_idx; i++)
		for (int v = 0; v < o->n_var; v++) {
			struct stat_sum s, d;
			char a[64], b[64], c[64];
			const char *unit = exp_unit(res->names.name[idx[i]]);

			k++;
			summarise(o, res, v, idx[i], reps, &s);
			snprintf(cell[k][0], 200, "%s", v ? "" : res->names.name[idx[i]]);
			if (!v && *unit)
				snprintf(cell[k][0] + strlen(cell[k][0]), 60, " (%s)", unit);
			snprintf(cell[k][1], 200, "%s", o->var[v].name);
			num(a, sizeof a, s.mean, 0);
			snprintf(cell[k][2], 200, "%s", a);
			num(a, sizeof a, s.lo, 0);
			num(b, sizeof b, s.hi, 0);
			snprintf(cell[k][3], 200, "[%s, %s]", a, b);
			if (v) {
				int sig;

				paired(o, res, v, idx[i], reps, &d);
				sig = stats_excludes_zero(&d);
				any_sig |= sig;
				num(a, sizeof a, d.mean, 1);
				num(b, sizeof b, d.lo, 1);
				num(c, sizeof c, d.hi, 1);
				snprintf(cell[k][4], 200, "%s [%s, %s]%s", a, b, c, sig ? " *" : "");
			}
		}
	for (size_t r = 0; r <= rows; r++)
		for (int c = 0; c < 5; c++) {
			int l = (int)strlen(cell[r][c]);

			if (l > w[c])
				w[c] = l;
		}
	for (size_t r = 0; r <= rows; r++) {
		if (r > 1 && cell[r][0][0])
			putchar('\n');
		printf("%-*s  %-*s  %*s  %-*s  %s\n", w[0], cell[r][0], w[1], cell[r][1], w[2],
		       cell[r][2], w[3], cell[r][3], cell[r][4]);
		if (r == 0) {
			int total = w[0] + w[1] + w[2] + w[3] + w[4] + 8;

			for (int i = 0; i < total; i++)
				putchar('-');
			putchar('\n');
		}
	}
	printf("\n%d replications per variant, %s; * = the 95%% interval of the paired "
	       "difference excludes 0\n", reps, o->crn ? "common random numbers" : "independent seeds");
	(void)any_sig;
	free(cell);
}

static int write_outputs(const struct copts *o, const struct result *res, int reps,
			 const struct exp_job *jobs, const char *out, struct err *e)
{
	char path[1200], b[64];
	FILE *f;
	const struct exp_names *nm = &res->names;

	/* runs.csv */
	snprintf(path, sizeof path, "%s/runs.csv", out);
	if (!(f = exp_open(path, e)))
		return -1;
	fputs("variant,replication,seed", f);
	for (size_t m = 0; m < nm->n; m++) {
		fputc(',', f);
		exp_csv_field(f, nm->name[m]);
	}
	fputc('\n', f);
	for (int v = 0; v < o->n_var; v++)
		for (int r = 0; r < reps; r++) {
			const struct exp_job *j = &jobs[(size_t)r * (size_t)o->n_var + (size_t)v];

			exp_csv_field(f, o->var[v].name);
			fprintf(f, ",%d,%s", r, j->argv[4]);
			for (size_t m = 0; m < nm->n; m++) {
				exp_fmt(b, sizeof b, exp_val(&res->vals[(size_t)r * (size_t)o->n_var + (size_t)v], m));
				fprintf(f, ",%s", b);
			}
			fputc('\n', f);
		}
	if (exp_commit(f, path, e))
		return -1;
	/* comparison.csv */
	snprintf(path, sizeof path, "%s/comparison.csv", out);
	if (!(f = exp_open(path, e)))
		return -1;
	fputs("variant,metric,unit,n,mean,sd,ci95_low,ci95_high,half_width\n", f);
	for (int v = 0; v < o->n_var; v++)
		for (size_t m = 0; m < nm->n; m++) {
			struct stat_sum s;
			double vals[5];

			summarise(o, res, v, m, reps, &s);
			exp_csv_field(f, o->var[v].name);
			fputc(',', f);
			exp_csv_field(f, nm->name[m]);
			fprintf(f, ",%s,%zu", *exp_unit(nm->name[m]) ? exp_unit(nm->name[m]) : "count", s.n);
			vals[0] = s.mean, vals[1] = s.sd, vals[2] = s.lo, vals[3] = s.hi, vals[4] = s.half;
			for (int k = 0; k < 5; k++) {
				exp_fmt(b, sizeof b, vals[k]);
				fprintf(f, ",%s", b);
			}
			fputc('\n', f);
		}
	if (exp_commit(f, path, e))
		return -1;
	/* differences.csv */
	snprintf(path, sizeof path, "%s/differences.csv", out);
	if (!(f = exp_open(path, e)))
		return -1;
	fputs("variant,baseline,metric,unit,n,mean_diff,sd_diff,ci95_low,ci95_high,significant\n", f);
	for (int v = 1; v < o->n_var; v++)
		for (size_t m = 0; m < nm->n; m++) {
			struct stat_sum s;
			double vals[4];

			paired(o, res, v, m, reps, &s);
			exp_csv_field(f, o->var[v].name);
			fputc(',', f);
			exp_csv_field(f, o->var[0].name);
			fputc(',', f);
			exp_csv_field(f, nm->name[m]);
			fprintf(f, ",%s,%zu", *exp_unit(nm->name[m]) ? exp_unit(nm->name[m]) : "count", s.n);
			vals[0] = s.mean, vals[1] = s.sd, vals[2] = s.lo, vals[3] = s.hi;
			for (int k = 0; k < 4; k++) {
				exp_fmt(b, sizeof b, vals[k]);
				fprintf(f, ",%s", b);
			}
			fprintf(f, ",%s\n", stats_excludes_zero(&s) ? "yes" : "no");
		}
	if (exp_commit(f, path, e))
		return -1;
	/* pending_cdf.csv: per variant, the mean over replications of each
	 * percentile of placed tasks' pending time */
	snprintf(path, sizeof path, "%s/pending_cdf.csv", out);
	if (!(f = exp_open(path, e)))
		return -1;
	fputs("variant,percentile,pending_s\n", f);
	for (int v = 0; v < o->n_var; v++)
		for (int q = 0; q <= 100; q++) {
			double sum = 0;
			int n = 0;

			for (int r = 0; r < reps; r++) {
				const struct exp_vals *x = &res->vals[(size_t)r * (size_t)o->n_var + (size_t)v];

				if (x->has_pq) {
					sum += x->pq[q];
					n++;
				}
			}
			if (!n)
				continue;
			exp_csv_field(f, o->var[v].name);
			exp_fmt(b, sizeof b, sum / n);
			fprintf(f, ",%d,%s\n", q, b);
		}
	return exp_commit(f, path, e);
}

/* Plot data (gnuplot blocks) and the plots: compare.png/svg (a panel per key
 * metric, a bar per variant with its 95% CI), compare_availability.* (per
 * service) and compare_pending_cdf.*. */
static void plots(const struct copts *o, const struct result *res, int reps, const size_t *idx,
		  size_t n_idx, const char *out, const char *scn_name)
{
	char path[1200], vars[4096], names[1024] = "", mlist[2048] = "", alist[2048] = "";
	FILE *f;
	int nm = 0, na = 0;

	for (int v = 0; v < o->n_var; v++) {
		char clean[200];
		size_t k = 0;

		for (const char *p = o->var[v].name; *p && k < sizeof clean - 1; p++)
			clean[k++] = (*p == ' ' || *p == '"' || *p == '\'') ? '_' : *p;
		clean[k] = '\0';
		snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", v ? " " : "", clean);
	}
	for (int pass = 0; pass < 2; pass++) {
		snprintf(path, sizeof path, "%s/%s", out, pass ? "plot_availability.dat" : "plot_metrics.dat");
		if (!(f = fopen(path, "w")))
			return;
		for (size_t i = 0; i < n_idx; i++) {
			const char *name = res->names.name[idx[i]];
			int avail = !strncmp(name, "availability_pct[", 17) ||
				    !strncmp(name, "lb_availability_pct[", 20);

			if (avail != pass)
				continue;
			if (pass ? na++ : nm++)
				fputs("\n\n", f);
			snprintf(pass ? alist + strlen(alist) : mlist + strlen(mlist), 2000 - strlen(pass ? alist : mlist),
				 "%s%s", (pass ? na : nm) > 1 ? " " : "", name);
			fprintf(f, "# %s\n", name);
			for (int v = 0; v < o->n_var; v++) {
				struct stat_sum s;

				summarise(o, res, v, idx[i], reps, &s);
				fprintf(f, "%d %.6g %.6g %.6g\n", v, s.mean, isnan(s.lo) ? s.mean : s.lo,
					isnan(s.hi) ? s.mean : s.hi);
			}
		}
		fclose(f);
	}
	{
		char t[600];

		exp_gp_str(t, sizeof t, scn_name);
		snprintf(vars, sizeof vars, "nv=%d; vnames='%s'; reps=%d; scenario=%s;", o->n_var,
			 names, reps, t);
	}
	{
		static char v[3][8192];
		const char *pn[3], *pv[3];
		int k = 0;

		if (nm) {
			snprintf(v[k], sizeof v[k], "%s mode='bars'; zoom=0; dat='plot_metrics.dat'; "
				 "base='compare'; metrics='%s'; heading='mean and 95%% CI';", vars, mlist);
			pn[k] = "comparison", pv[k] = v[k], k++;
		}
		if (na) {
			snprintf(v[k], sizeof v[k], "%s mode='bars'; zoom=1; dat='plot_availability.dat'; "
				 "base='compare_availability'; metrics='%s'; "
				 "heading='service availability, mean and 95%% CI';", vars, alist);
			pn[k] = "availability", pv[k] = v[k], k++;
		}
		snprintf(path, sizeof path, "%s/plot_pending.dat", out);
		if (o->task_log && (f = fopen(path, "w"))) {
			for (int vv = 0; vv < o->n_var; vv++) {
				fprintf(f, "%s# %s\n", vv ? "\n\n" : "", o->var[vv].name);
				for (int qq = 0; qq <= 100; qq++) {
					double sum = 0;
					int n = 0;

					for (int r = 0; r < reps; r++) {
						const struct exp_vals *x = &res->vals[(size_t)r * (size_t)o->n_var + (size_t)vv];

						if (x->has_pq) {
							sum += x->pq[qq];
							n++;
						}
					}
					if (n)
						fprintf(f, "%d %.6g\n", qq, sum / n);
				}
			}
			fclose(f);
			snprintf(v[k], sizeof v[k], "%s mode='cdf'; dat='plot_pending.dat'; "
				 "base='compare_pending_cdf';", vars);
			pn[k] = "pending-time CDF", pv[k] = v[k], k++;
		}
		exp_plots(out, "compare", pn, pv, k, o->plot, o->quiet);
	}
}

static void copts_free(struct copts *o)
{
	for (int v = 0; v < o->n_var; v++) {
		free(o->var[v].name);
		free(o->var[v].strategy);
		for (int k = 0; k < o->var[v].n_sets; k++)
			free(o->var[v].sets[k]);
		free(o->var[v].sets);
	}
	free(o->var);
	for (int k = 0; k < o->n_sets; k++)
		free(o->sets[k]);
	free(o->sets);
	free(o->metrics);
}

static int compare_main(int argc, char **argv)
{
	struct copts o = { 0 };
	char *scn_name = NULL, out[1024];
	struct exp_job *jobs;
	struct result res = { 0 };
	int rc, reps, done = 0;
	size_t *idx = NULL, n_idx = 0;
	struct err e;

	if ((rc = parse_args(argc, argv, &o)) || (rc = check_variants(&o, &scn_name))) {
		copts_free(&o);
		free(scn_name);
		return rc;
	}
	if (o.out)
		snprintf(out, sizeof out, "%s", o.out);
	else
		snprintf(out, sizeof out, "results/%s-compare", scn_name);
	if (exp_mkdirs(out)) {
		free(scn_name);
		copts_free(&o);
		return cmd_usage_error("compare: cannot create '%s'", out);
	}
	jobs = xcalloc((size_t)o.max_reps * (size_t)o.n_var, sizeof *jobs);
	res.vals = xcalloc((size_t)o.max_reps * (size_t)o.n_var, sizeof *res.vals);
	reps = o.reps;
	for (;;) {
		for (int r = done; r < reps; r++)
			for (int v = 0; v < o.n_var; v++) {
				char dir[1200];
				int n;
				char **extra = variant_args(&o, &o.var[v], &n);
				unsigned long long seed = o.seed + (unsigned long long)r +
					(o.crn ? 0ULL : 1000003ULL * (unsigned long long)v);

				snprintf(dir, sizeof dir, "%s/runs/v%d-r%03d", out, v, r);
				exp_job_init(&jobs[(size_t)r * (size_t)o.n_var + (size_t)v], o.scenario, dir,
					     seed, extra, n);
				free(extra);
			}
		rc = exp_execute(jobs + (size_t)done * (size_t)o.n_var,
				 (size_t)(reps - done) * (size_t)o.n_var, o.jobs, o.quiet, "compare");
		if (rc)
			goto out;
		for (size_t k = (size_t)done * (size_t)o.n_var; k < (size_t)reps * (size_t)o.n_var; k++)
			exp_parse(jobs[k].metrics, &res.names, &res.vals[k]);
		done = reps;
		free(idx);
		idx = xcalloc(res.names.n + 1, sizeof *idx);
		n_idx = chosen_metrics(&o, &res.names, idx);
		if (o.precision <= 0 || reps >= o.max_reps)
			break;
		{
			int ok = 1;

			for (size_t i = 0; i < n_idx && ok; i++)
				for (int v = 0; v < o.n_var && ok; v++) {
					struct stat_sum s;

					summarise(&o, &res, v, idx[i], reps, &s);
					ok = stats_rel_half(&s) <= o.precision;
				}
			if (ok)
				break;
		}
		/* the next count depends only on this one, never on --jobs */
		reps += reps / 2 > 2 ? reps / 2 : 2;
		if (reps > o.max_reps)
			reps = o.max_reps;
	}
	err_clear(&e);
	if (write_outputs(&o, &res, reps, jobs, out, &e)) {
		err_print(&e, stderr);
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (!o.quiet) {
		print_table(&o, &res, reps, idx, n_idx);
		if (o.precision > 0) {
			int met = 1;

			for (size_t i = 0; i < n_idx; i++)
				for (int v = 0; v < o.n_var; v++) {
					struct stat_sum s;

					summarise(&o, &res, v, idx[i], reps, &s);
					met &= stats_rel_half(&s) <= o.precision;
				}
			printf("precision %.3g%%: %s after %d replications\n", o.precision * 100,
			       met ? "reached" : "NOT reached (--max-reps)", reps);
		}
	}
	plots(&o, &res, reps, idx, n_idx, out, scn_name);
	if (!o.quiet)
		printf("results in %s/ (runs.csv, comparison.csv, differences.csv%s)\n", out,
		       o.plot && exp_have_gnuplot() ? ", compare.png" : "");
out:
	free(scn_name);
	for (size_t k = 0; k < (size_t)o.max_reps * (size_t)o.n_var; k++) {
		if (jobs[k].argv)
			exp_job_free(&jobs[k]);
		free(res.vals[k].v);
	}
	free(jobs);
	free(res.vals);
	free(idx);
	exp_names_free(&res.names);
	copts_free(&o);
	return rc;
}

int cmd_compare(int argc, char **argv)
{
	int rc;

	if (exp_begin(&rc))
		return rc;
	rc = compare_main(argc, argv);
	exp_end();
	return rc;
}
