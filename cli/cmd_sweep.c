/* cli/cmd_sweep.c — `ecsim sweep SWEEP.json`: a grid (or list) of settings
 * of one scenario × replications, each a full `ecsim run` in its own folder;
 * sweep.csv (one row per run) and sweep_summary.csv (mean and 95% CI over
 * the replications of each setting), a plot of each key metric against the
 * swept parameter.  Locally over --jobs processes, or under mpirun (rank 0
 * hands runs out).  Resumable: a run whose folder holds a complete run.json
 * of the same command is not run again.  SWEEP.json is documented in
 * scenarios/README.md, "ecsim sweep". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "exp.h"
#include "models/scenario.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"
#include "sim/stats.h"

#define LEVEL 0.95

struct param {
	char *name;
	char *pointer;          /* NULL: a strategy parameter */
	char **values;          /* as text: JSON for a pointer, the name for a strategy */
	int n_values;
};

struct setting {
	char **cols;            /* one text per column of `colnames` */
	char **sets;            /* POINTER=VALUE */
	int n_sets;
	char *strategy;         /* NULL = the scenario's */
	int x, line;            /* plot position */
};

struct sweep {
	char *file, *name, *scenario;
	unsigned long long seed;
	int has_seed, reps;
	char **common;          /* "set" of the sweep, applied first */
	int n_common;
	struct param *params;
	int n_params;
	char **colnames;        /* the parameter columns of sweep.csv */
	int n_cols;
	struct setting *set;
	int n_set;
	/* plot */
	int x_col;              /* column of the x axis */
	char **xlabels;
	int n_x, x_numeric;
	char **lines;
	int n_lines;
	const char **pmetrics;
	int n_pmetrics;
	char *tie_break;
};

static char *json_text(const cJSON *v)
{
	return cJSON_IsString(v) ? xstrdup(v->valuestring) : cJSON_PrintUnformatted(v);
}

static char *assignment(const char *ptr, const cJSON *v)
{
	char *t = cJSON_PrintUnformatted(v), *a = xmalloc(strlen(ptr) + strlen(t) + 2);

	sprintf(a, "%s=%s", ptr, t);
	free(t);
	return a;
}

static int read_set_object(const cJSON *obj, const char *file, const char *path,
			   char ***out, int *n, struct err *e)
{
	const cJSON *m;

	if (!cJSON_IsObject(obj))
		return err_at(e, file, 0, 0, path, "expected an object of \"/pointer\": value");
	cJSON_ArrayForEach(m, obj) {
		if (m->string[0] != '/')
			return err_at(e, file, 0, 0, path, "member \"%s\": a JSON pointer starts with '/'",
				      m->string);
		*out = xrealloc(*out, (size_t)(*n + 1) * sizeof **out);
		(*out)[(*n)++] = assignment(m->string, m);
	}
	return 0;
}

static char *dir_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? xstrndup(p, (size_t)(s - p)) : xstrdup(".");
}

static int add_value(struct param *p, char *text)
{
	p->values = xrealloc(p->values, (size_t)(p->n_values + 1) * sizeof *p->values);
	p->values[p->n_values++] = text;
	return 0;
}

static int read_params(struct sweep *w, const cJSON *arr, struct err *e)
{
	const cJSON *it;
	int i = 0;

	cJSON_ArrayForEach(it, arr) {
		struct jr c;
		char path[64];
		const char *name, *ptr = NULL;
		const cJSON *values = NULL, *strategies = NULL, *v;
		struct param *p;
		static const char *const keys[] = { "name", "pointer", "values", "strategy", NULL };

		snprintf(path, sizeof path, "$.parameters[%d]", i++);
		if (jr_open(&c, it, w->file, path, e) || jr_only(&c, keys) ||
		    jr_req_str(&c, "name", &name) ||
		    jr_opt_str(&c, "pointer", NULL, &ptr) ||
		    jr_opt_array(&c, "values", &values) ||
		    jr_opt_array(&c, "strategy", &strategies) || jr_end(&c))
			return -1;
		if (!!ptr + !!strategies != 1 || (ptr && !values) || (strategies && values))
			return jr_fail(&c, NULL, "a parameter is either {\"pointer\", \"values\"} or "
				       "{\"strategy\": [names...]}");
		if (ptr && ptr[0] != '/')
			return jr_fail(&c, "pointer", "a JSON pointer starts with '/'");
		if (!cJSON_GetArraySize(ptr ? values : strategies))
			return jr_fail(&c, ptr ? "values" : "strategy", "expected at least one value");
		w->params = xrealloc(w->params, (size_t)(w->n_params + 1) * sizeof *w->params);
		p = &w->params[w->n_params++];
		memset(p, 0, sizeof *p);
		p->name = xstrdup(name);
		p->pointer = ptr ? xstrdup(ptr) : NULL;
		{
			const cJSON *list = ptr ? values : strategies;

		cJSON_ArrayForEach(v, list) {
			if (!ptr && !cJSON_IsString(v) && !cJSON_IsArray(v))
				return jr_fail(&c, "strategy", "expected template names or strategy arrays");
			add_value(p, ptr ? assignment(ptr, v) : json_text(v));
		}
		}
		for (int k = 0; k < w->n_params - 1; k++)
			if (!strcmp(w->params[k].name, name))
				return jr_fail(&c, "name", "parameter \"%s\" named twice", name);
	}
	return 0;
}

/* The grid: the first parameter varies slowest. */
static void build_grid(struct sweep *w)
{
	int total = 1;

	for (int k = 0; k < w->n_params; k++)
		total *= w->params[k].n_values;
	w->n_cols = w->n_params;
	w->colnames = xcalloc((size_t)w->n_cols, sizeof *w->colnames);
	for (int k = 0; k < w->n_params; k++)
		w->colnames[k] = xstrdup(w->params[k].name);
	w->set = xcalloc((size_t)total, sizeof *w->set);
	w->n_set = total;
	for (int i = 0; i < total; i++) {
		struct setting *s = &w->set[i];
		int rest = i;

		s->cols = xcalloc((size_t)w->n_cols, sizeof *s->cols);
		s->sets = xcalloc((size_t)w->n_params + 1, sizeof *s->sets);
		for (int k = w->n_params - 1; k >= 0; k--) {
			struct param *p = &w->params[k];
			const char *val = p->values[rest % p->n_values];

			rest /= p->n_values;
			if (p->pointer) {
				s->cols[k] = xstrdup(strchr(val, '=') + 1);
				s->sets[s->n_sets++] = xstrdup(val);
			} else {
				s->cols[k] = xstrdup(val);
				free(s->strategy);
				s->strategy = xstrdup(val);
			}
		}
	}
}

static int read_settings(struct sweep *w, const cJSON *arr, struct err *e)
{
	const cJSON *it;
	int i = 0;

	w->n_cols = 1;
	w->colnames = xcalloc(1, sizeof *w->colnames);
	w->colnames[0] = xstrdup("name");
	w->set = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *w->set);
	cJSON_ArrayForEach(it, arr) {
		struct jr c;
		char path[64], sp[80];
		const char *name;
		const cJSON *sets = NULL, *strat;
		struct setting *s = &w->set[w->n_set++];
		static const char *const keys[] = { "name", "set", "strategy", NULL };

		snprintf(path, sizeof path, "$.settings[%d]", i++);
		s->cols = xcalloc(1, sizeof *s->cols);
		s->cols[0] = NULL;
		if (jr_open(&c, it, w->file, path, e) || jr_only(&c, keys) ||
		    jr_req_str(&c, "name", &name) || jr_opt_object(&c, "set", &sets))
			return -1;
		s->cols[0] = xstrdup(name);
		strat = jr_get(&c, "strategy");
		if (strat && !cJSON_IsString(strat) && !cJSON_IsArray(strat))
			return jr_fail(&c, "strategy", "expected a template name or a strategy array");
		if (strat)
			s->strategy = json_text(strat);
		snprintf(sp, sizeof sp, "%s.set", path);
		if ((sets && read_set_object(sets, w->file, sp, &s->sets, &s->n_sets, e)) || jr_end(&c))
			return -1;
	}
	if (!w->n_set)
		return err_at(e, w->file, 0, 0, "$.settings", "expected at least one setting");
	return 0;
}

static int find_col(const struct sweep *w, const char *name)
{
	for (int k = 0; k < w->n_cols; k++)
		if (!strcmp(w->colnames[k], name))
			return k;
	return -1;
}

/* Where each setting goes on the plot: x = its value of the x column, line =
 * its values of the other columns. */
static void plot_layout(struct sweep *w)
{
	w->x_numeric = 1;
	for (int i = 0; i < w->n_set; i++) {
		struct setting *s = &w->set[i];
		char key[1024] = "";
		int k;

		for (k = 0; k < w->n_x && strcmp(w->xlabels[k], s->cols[w->x_col]); k++)
			;
		if (k == w->n_x) {
			char *end;

			w->xlabels = xrealloc(w->xlabels, (size_t)(k + 1) * sizeof *w->xlabels);
			w->xlabels[w->n_x++] = xstrdup(s->cols[w->x_col]);
			strtod(s->cols[w->x_col], &end);
			if (*end || !*s->cols[w->x_col])
				w->x_numeric = 0;
		}
		s->x = k;
		for (int c = 0; c < w->n_cols; c++)
			if (c != w->x_col)
				snprintf(key + strlen(key), sizeof key - strlen(key), "%s%s=%s",
					 *key ? "," : "", w->colnames[c], s->cols[c]);
		if (!*key)
			snprintf(key, sizeof key, "mean");
		for (k = 0; k < w->n_lines && strcmp(w->lines[k], key); k++)
			;
		if (k == w->n_lines) {
			w->lines = xrealloc(w->lines, (size_t)(k + 1) * sizeof *w->lines);
			w->lines[w->n_lines++] = xstrdup(key);
		}
		s->line = k;
	}
}

static int load_sweep(struct sweep *w, const char *file, struct err *e)
{
	struct jdoc d;
	struct jr c;
	const char *scn, *name, *tb = NULL;
	const cJSON *params = NULL, *settings = NULL, *sets = NULL, *plot = NULL;
	int64_t reps, seed = -1;
	char *base, *dir;
	int rc;
	static const char *const keys[] = { "name", "scenario", "replications", "seed", "set",
		"parameters", "settings", "plot", "tieBreak", NULL };

	w->file = xstrdup(file);
	if (jdoc_load(&d, file, e))
		return -1;
	base = xstrdup(strrchr(file, '/') ? strrchr(file, '/') + 1 : file);
	if (strlen(base) > 5 && !strcmp(base + strlen(base) - 5, ".json"))
		base[strlen(base) - 5] = '\0';
	rc = jr_open(&c, d.root, file, "$", e) || jr_only(&c, keys) ||
	     jr_opt_str(&c, "name", base, &name) ||
	     jr_req_str(&c, "scenario", &scn) ||
	     jr_opt_int(&c, "replications", 3, 1, 100000, &reps) ||
	     jr_opt_int(&c, "seed", -1, 0, INT64_MAX, &seed) ||
	     jr_opt_object(&c, "set", &sets) ||
	     jr_opt_array(&c, "parameters", &params) ||
	     jr_opt_array(&c, "settings", &settings) ||
	     jr_opt_object(&c, "plot", &plot) ||
	     jr_opt_str(&c, "tieBreak", NULL, &tb) || jr_end(&c);
	if (!rc && !!params == !!settings)
		rc = jr_fail(&c, NULL, "give either \"parameters\" (a grid) or \"settings\" (a list)");
	if (!rc) {
		w->name = xstrdup(name);
		dir = dir_of(file);
		if (scn[0] == '/') {
			w->scenario = xstrdup(scn);
		} else {
			w->scenario = xmalloc(strlen(dir) + strlen(scn) + 2);
			sprintf(w->scenario, "%s/%s", dir, scn);
		}
		free(dir);
		w->reps = (int)reps;
		w->has_seed = seed >= 0;
		w->seed = (unsigned long long)(seed >= 0 ? seed : 0);
		w->tie_break = tb ? xstrdup(tb) : NULL;
		rc = (sets && read_set_object(sets, file, "$.set", &w->common, &w->n_common, e)) ||
		     (params && read_params(w, params, e)) ||
		     (settings && read_settings(w, settings, e));
		if (!rc && params)
			build_grid(w);
		if (!rc && params && !w->n_params)
			rc = err_at(e, file, 0, 0, "$.parameters", "expected at least one parameter");
	}
	if (!rc) {
		const char *x = NULL;
		const cJSON *metrics = NULL, *m;
		struct jr pc;
		static const char *const pkeys[] = { "x", "metrics", NULL };

		w->x_col = 0;
		if (plot) {
			rc = jr_open(&pc, plot, file, "$.plot", e) || jr_only(&pc, pkeys) ||
			     jr_opt_str(&pc, "x", NULL, &x) || jr_opt_array(&pc, "metrics", &metrics) ||
			     jr_end(&pc);
			if (!rc && x && (w->x_col = find_col(w, x)) < 0)
				rc = jr_fail(&pc, "x", "no parameter named \"%s\"", x);
			cJSON_ArrayForEach(m, metrics) {
				if (rc)
					break;
				if (!cJSON_IsString(m)) {
					rc = jr_fail(&pc, "metrics", "expected metric names (strings)");
					break;
				}
				w->pmetrics = xrealloc(w->pmetrics, (size_t)(w->n_pmetrics + 1) * sizeof *w->pmetrics);
				w->pmetrics[w->n_pmetrics++] = xstrdup(m->valuestring);
			}
		}
		if (!rc)
			plot_layout(w);
	}
	free(base);
	jdoc_free(&d);
	return rc ? -1 : 0;
}

static void sweep_free(struct sweep *w)
{
	for (int i = 0; i < w->n_set; i++) {
		for (int k = 0; k < w->n_cols; k++)
			free(w->set[i].cols ? w->set[i].cols[k] : NULL);
		free(w->set[i].cols);
		for (int k = 0; k < w->set[i].n_sets; k++)
			free(w->set[i].sets[k]);
		free(w->set[i].sets);
		free(w->set[i].strategy);
	}
	free(w->set);
	for (int k = 0; k < w->n_params; k++) {
		for (int j = 0; j < w->params[k].n_values; j++)
			free(w->params[k].values[j]);
		free(w->params[k].values);
		free(w->params[k].name);
		free(w->params[k].pointer);
	}
	free(w->params);
	for (int k = 0; k < w->n_cols; k++)
		free(w->colnames[k]);
	free(w->colnames);
	for (int k = 0; k < w->n_common; k++)
		free(w->common[k]);
	free(w->common);
	for (int k = 0; k < w->n_x; k++)
		free(w->xlabels[k]);
	free(w->xlabels);
	for (int k = 0; k < w->n_lines; k++)
		free(w->lines[k]);
	free(w->lines);
	for (int k = 0; k < w->n_pmetrics; k++)
		free((char *)w->pmetrics[k]);
	free(w->pmetrics);
	free(w->file);
	free(w->name);
	free(w->scenario);
	free(w->tie_break);
}

static char **setting_args(const struct sweep *w, const struct setting *s, int task_log, int *n)
{
	char **a = xcalloc((size_t)(2 * (w->n_common + s->n_sets) + 6), sizeof *a);
	int k = 0;

	if (s->strategy) {
		a[k++] = "--strategy";
		a[k++] = s->strategy;
	}
	if (w->tie_break) {
		a[k++] = "--tie-break";
		a[k++] = w->tie_break;
	}
	if (!task_log)
		a[k++] = "--no-task-log";
	for (int i = 0; i < w->n_common; i++) {
		a[k++] = "--set";
		a[k++] = w->common[i];
	}
	for (int i = 0; i < s->n_sets; i++) {
		a[k++] = "--set";
		a[k++] = s->sets[i];
	}
	*n = k;
	return a;
}

static int check_settings(struct sweep *w)
{
	for (int i = 0; i < w->n_set; i++) {
		struct setting *st = &w->set[i];
		const char **sets = xcalloc((size_t)(w->n_common + st->n_sets + 1), sizeof *sets);
		struct scenario *s;
		struct err e;
		int n = 0;

		for (int k = 0; k < w->n_common; k++)
			sets[n++] = w->common[k];
		for (int k = 0; k < st->n_sets; k++)
			sets[n++] = st->sets[k];
		err_clear(&e);
		s = scenario_load_sets(w->scenario, sets, n, &e);
		free(sets);
		if (!s || (st->strategy && scenario_set_strategy(s, st->strategy, &e)) ||
		    (w->tie_break && scenario_set_tie_break(s, w->tie_break, &e))) {
			char buf[2600];

			err_format(&e, buf, sizeof buf);
			fprintf(stderr, "ecsim: error: %s: setting %d: %s\n", w->file, i, buf);
			scenario_free(s);
			return EXIT_INPUT;
		}
		if (i == 0 && !w->has_seed)
			w->seed = s->seed;
		scenario_free(s);
	}
	return 0;
}

static void usage(void)
{
	printf("usage: ecsim sweep <sweep.json> [--jobs N] [--out DIR] [--no-task-log] [--no-plot] [--quiet]\n"
	       "  runs every setting of the sweep file x its replications (seed + r), each in\n"
	       "  DIR/runs/sNNN-rNNN (default DIR: results/<sweep name>); a rerun skips the runs\n"
	       "  already complete.  Under mpirun (ecsim built with MPI) rank 0 hands runs out.\n"
	       "  Writes sweep.csv, sweep_summary.csv and sweep.png/svg.  SWEEP.json:\n"
	       "  scenarios/README.md, \"ecsim sweep\".  Exit codes: 0 ok, 1 a run failed, 2 bad input\n"
	       "  MPI: %s\n", exp_mpi_built() ? "built in (run under mpirun or srun)" :
	       "not built in (make MPI=1 with OpenMPI installed)");
}

static void write_plots(const struct sweep *w, const struct exp_names *nm, const struct exp_vals *vals,
			const char *out, int draw, int quiet)
{
	char path[1200], q[1400], vars[16384], mlist[2048] = "", xl[2048] = "", ll[4096] = "";
	FILE *f;
	int np = 0;
	size_t *idx = xcalloc(nm->n + 8, sizeof *idx);

	if (w->n_pmetrics) {
		for (int i = 0; i < w->n_pmetrics; i++) {
			int k = exp_name_index(nm, w->pmetrics[i]);

			if (k >= 0)
				idx[np++] = (size_t)k;
		}
	} else {
		static const char *const dflt[] = { "mean_pending_s", "p99_pending_s",
			"mean_cpu_reserved_pct", "tasks_never_placed", NULL };

		for (int i = 0; dflt[i]; i++) {
			int k = exp_name_index(nm, dflt[i]);

			if (k >= 0)
				idx[np++] = (size_t)k;
		}
	}
	snprintf(path, sizeof path, "%s/plot_sweep.dat", out);
	if (!np || !(f = fopen(path, "w"))) {
		free(idx);
		return;
	}
	/* block (panel * n_lines + line): x mean lo hi, in x order */
	for (int p = 0; p < np; p++) {
		snprintf(mlist + strlen(mlist), sizeof mlist - strlen(mlist), "%s%s", p ? " " : "",
			 nm->name[idx[p]]);
		for (int l = 0; l < w->n_lines; l++) {
			if (p || l)
				fputs("\n\n", f);
			fprintf(f, "# %s %s\n", nm->name[idx[p]], w->lines[l]);
			for (int x = 0; x < w->n_x; x++)
				for (int i = 0; i < w->n_set; i++) {
					struct stat_sum s;
					double *v;

					if (w->set[i].x != x || w->set[i].line != l)
						continue;
					v = xmalloc((size_t)w->reps * sizeof *v);
					{
						size_t k = 0;

						for (int r = 0; r < w->reps; r++) {
							double y = exp_val(&vals[(size_t)i * (size_t)w->reps + (size_t)r], idx[p]);

							if (!isnan(y))
								v[k++] = y;
						}
						stats_summary(v, k, LEVEL, &s);
					}
					free(v);
					fprintf(f, "%s %.6g %.6g %.6g\n",
						w->x_numeric ? w->xlabels[x] : (sprintf(q, "%d", x), q), s.mean,
						isnan(s.lo) ? s.mean : s.lo, isnan(s.hi) ? s.mean : s.hi);
				}
		}
	}
	fclose(f);
	for (int x = 0; x < w->n_x; x++) {
		char c[200];
		size_t k = 0;

		for (const char *s = w->xlabels[x]; *s && k < sizeof c - 1; s++)
			c[k++] = (*s == ' ' || *s == '\'' || *s == '"') ? '_' : *s;
		c[k] = '\0';
		snprintf(xl + strlen(xl), sizeof xl - strlen(xl), "%s%s", x ? " " : "", c);
	}
	for (int l = 0; l < w->n_lines; l++) {
		char c[400];
		size_t k = 0;

		for (const char *s = w->lines[l]; *s && k < sizeof c - 1; s++)
			c[k++] = (*s == ' ' || *s == '\'' || *s == '"') ? '_' : *s;
		c[k] = '\0';
		snprintf(ll + strlen(ll), sizeof ll - strlen(ll), "%s%s", l ? " " : "", c);
	}
	{
		char xn[300], ttl[600];
		const char *pn[1] = { "sweep" }, *pv[1] = { vars };

		exp_gp_str(xn, sizeof xn, w->colnames[w->x_col]);
		exp_gp_str(ttl, sizeof ttl, w->name);
		snprintf(vars, sizeof vars, "title=%s; xname=%s; xnumeric=%d; xlabels='%s'; "
			 "nlines=%d; lnames='%s'; metrics='%s'; reps=%d;", ttl, xn, w->x_numeric, xl,
			 w->n_lines, ll, mlist, w->reps);
		exp_plots(out, "sweep", pn, pv, 1, draw, quiet);
	}
	free(idx);
}

static int write_outputs(const struct sweep *w, struct exp_job *jobs, const char *out, int quiet,
			 int plot, struct err *e)
{
	struct exp_names nm = { 0 };
	size_t n = (size_t)w->n_set * (size_t)w->reps;
	struct exp_vals *vals = xcalloc(n, sizeof *vals);
	char path[1200], b[64];
	FILE *f;
	int rc = -1;

	for (size_t k = 0; k < n; k++)
		exp_parse(jobs[k].metrics, &nm, &vals[k]);
	snprintf(path, sizeof path, "%s/sweep.csv", out);
	if (!(f = exp_open(path, e)))
		goto out;
	fputs("setting", f);
	for (int c = 0; c < w->n_cols; c++) {
		fputc(',', f);
		exp_csv_field(f, w->colnames[c]);
	}
	fputs(",replication,seed", f);
	for (size_t m = 0; m < nm.n; m++) {
		fputc(',', f);
		exp_csv_field(f, nm.name[m]);
	}
	fputc('\n', f);
	for (int i = 0; i < w->n_set; i++)
		for (int r = 0; r < w->reps; r++) {
			size_t k = (size_t)i * (size_t)w->reps + (size_t)r;

			fprintf(f, "%d", i);
			for (int c = 0; c < w->n_cols; c++) {
				fputc(',', f);
				exp_csv_field(f, w->set[i].cols[c]);
			}
			fprintf(f, ",%d,%s", r, jobs[k].argv[4]);
			for (size_t m = 0; m < nm.n; m++) {
				exp_fmt(b, sizeof b, exp_val(&vals[k], m));
				fprintf(f, ",%s", b);
			}
			fputc('\n', f);
		}
	if (exp_commit(f, path, e))
		goto out;
	snprintf(path, sizeof path, "%s/sweep_summary.csv", out);
	if (!(f = exp_open(path, e)))
		goto out;
	fputs("setting", f);
	for (int c = 0; c < w->n_cols; c++) {
		fputc(',', f);
		exp_csv_field(f, w->colnames[c]);
	}
	fputs(",metric,unit,n,mean,sd,ci95_low,ci95_high,half_width\n", f);
	for (int i = 0; i < w->n_set; i++)
		for (size_t m = 0; m < nm.n; m++) {
			double *x = xmalloc((size_t)w->reps * sizeof *x), v5[5];
			size_t k = 0;
			struct stat_sum s;

			for (int r = 0; r < w->reps; r++) {
				double y = exp_val(&vals[(size_t)i * (size_t)w->reps + (size_t)r], m);

				if (!isnan(y))
					x[k++] = y;
			}
			stats_summary(x, k, LEVEL, &s);
			free(x);
			fprintf(f, "%d", i);
			for (int c = 0; c < w->n_cols; c++) {
				fputc(',', f);
				exp_csv_field(f, w->set[i].cols[c]);
			}
			fputc(',', f);
			exp_csv_field(f, nm.name[m]);
			fprintf(f, ",%s,%zu", *exp_unit(nm.name[m]) ? exp_unit(nm.name[m]) : "count", s.n);
			v5[0] = s.mean, v5[1] = s.sd, v5[2] = s.lo, v5[3] = s.hi, v5[4] = s.half;
			for (int j = 0; j < 5; j++) {
				exp_fmt(b, sizeof b, v5[j]);
				fprintf(f, ",%s", b);
			}
			fputc('\n', f);
		}
	if (exp_commit(f, path, e))
		goto out;
	write_plots(w, &nm, vals, out, plot, quiet);
	rc = 0;
out:
	for (size_t k = 0; k < n; k++)
		free(vals[k].v);
	free(vals);
	exp_names_free(&nm);
	return rc;
}

static int sweep_main(int argc, char **argv)
{
	struct exp_opts o;
	const char *file, *outarg;
	int jobs_n, quiet, plot, task_log, rc, reused = 0;
	struct sweep w = { 0 };
	struct err e;
	char out[1024];
	struct exp_job *jobs = NULL;
	size_t n = 0;

	if ((rc = exp_file_args(argc, argv, "sweep", usage, &o)) >= 0)
		return rc;
	file = o.file, outarg = o.out, jobs_n = o.jobs, quiet = o.quiet, plot = o.plot, task_log = o.task_log;
	err_clear(&e);
	if (load_sweep(&w, file, &e)) {
		err_print(&e, stderr);
		sweep_free(&w);
		return EXIT_INPUT;
	}
	if ((rc = check_settings(&w))) {
		sweep_free(&w);
		return rc;
	}
	if (outarg)
		snprintf(out, sizeof out, "%s", outarg);
	else
		snprintf(out, sizeof out, "results/%s", w.name);
	if (exp_mkdirs(out)) {
		sweep_free(&w);
		return cmd_usage_error("sweep: cannot create '%s'", out);
	}
	n = (size_t)w.n_set * (size_t)w.reps;
	jobs = xcalloc(n, sizeof *jobs);
	for (int i = 0; i < w.n_set; i++)
		for (int r = 0; r < w.reps; r++) {
			char dir[1200];
			int ne;
			char **extra = setting_args(&w, &w.set[i], task_log, &ne);
			struct exp_job *j = &jobs[(size_t)i * (size_t)w.reps + (size_t)r];

			snprintf(dir, sizeof dir, "%s/runs/s%03d-r%03d", out, i, r);
			exp_job_init(j, w.scenario, dir, w.seed + (unsigned long long)r, extra, ne);
			j->reuse = 1;
			free(extra);
		}
	rc = exp_execute(jobs, n, jobs_n, quiet, "sweep");
	for (size_t k = 0; k < n; k++)
		reused += jobs[k].reused;
	if (!rc) {
		err_clear(&e);
		if (write_outputs(&w, jobs, out, quiet, plot, &e)) {
			err_print(&e, stderr);
			rc = EXIT_RUNTIME;
		}
	}
	if (!rc && !quiet)
		printf("ecsim: sweep %s: %d settings x %d replications = %zu runs (%d already complete); "
		       "results in %s/ (sweep.csv, sweep_summary.csv%s)\n", w.name, w.n_set, w.reps, n,
		       reused, out, plot && exp_have_gnuplot() ? ", sweep.png" : "");
	for (size_t k = 0; k < n; k++)
		exp_job_free(&jobs[k]);
	free(jobs);
	sweep_free(&w);
	return rc;
}

int cmd_sweep(int argc, char **argv)
{
	int rc;

	if (exp_begin(&rc))
		return rc;
	rc = sweep_main(argc, argv);
	exp_end();
	return rc;
}
