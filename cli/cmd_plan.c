/* cli/cmd_plan.c — `ecsim plan PLAN.json`: the smallest fleet that meets
 * an SLO.  The plan names a scenario, the dimensions that may vary (an
 * integer range written to one or more JSON pointers — instance counts per
 * group or AZ, a Spot group's count — a list of values, e.g. instance
 * types, or a managed-scaling provider's target capacity % on a grid), an
 * objective (fewest instances — the mean registered instances when the
 * fleet scales — or least cost) and constraints on
 * run metrics with a confidence level.  Each evaluated point is a set of
 * replications (seeds seed+r: common random numbers across points) run by
 * the experiments executor (cli/exp.c: --jobs processes or MPI ranks);
 * replications are added while a constraint is undecided (its one-sided
 * bound straddles the threshold).  Search: for each combination of the
 * listed values, galloping then bisection on each integer dimension from
 * the top of its range, then a local search over the ±1 neighbours and
 * one-for-one trades.  Outputs plan.csv and plan.png/svg.  PLAN.json is
 * documented in scenarios/README.md, "ecsim plan". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "exp.h"
#include "plan.h"
#include "models/scenario.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"
#include "sim/stats.h"

/* The text of dimension k's value at v (a number or the listed JSON). */
static void dim_text(const struct dim *d, int v, char *b, size_t n)
{
	if (d->is_int) {
		snprintf(b, n, "%d", dim_value(d, v));
	} else {
		const char *s = d->values[v];
		size_t len = strlen(s);

		if (len >= 2 && s[0] == '"')
			snprintf(b, n, "%.*s", (int)(len - 2), s + 1);
		else
			snprintf(b, n, "%s", s);
	}
}

static void point_label(const struct plan *w, const int *v, char *b, size_t n)
{
	*b = '\0';
	for (int k = 0; k < w->nd; k++) {
		char t[256];

		dim_text(&w->d[k], v[k], t, sizeof t);
		snprintf(b + strlen(b), n - strlen(b), "%s%s=%s", k ? " " : "", w->d[k].name, t);
	}
}

/* The --set assignments of a point (common first). */
static char **point_sets(const struct plan *w, const int *v, int *n)
{
	int total = w->n_common;
	char **a;

	for (int k = 0; k < w->nd; k++)
		total += w->d[k].n_ptrs;
	a = xcalloc((size_t)total + 1, sizeof *a);
	*n = 0;
	for (int i = 0; i < w->n_common; i++)
		a[(*n)++] = xstrdup(w->common[i]);
	for (int k = 0; k < w->nd; k++)
		for (int i = 0; i < w->d[k].n_ptrs; i++) {
			char t[64];
			const char *val = w->d[k].is_int ?
				(snprintf(t, sizeof t, "%d", dim_value(&w->d[k], v[k])), t) :
				w->d[k].values[v[k]];

			a[*n] = xmalloc(strlen(w->d[k].ptrs[i]) + strlen(val) + 2);
			sprintf(a[(*n)++], "%s=%s", w->d[k].ptrs[i], val);
		}
	return a;
}

static void free_sets(char **a, int n)
{
	for (int i = 0; i < n; i++)
		free(a[i]);
	free(a);
}

/* Instances configured at a point: the integer values (instance counts)
 * times their pointers; a target capacity is not a count. */
static double point_instances(const struct plan *w, const int *v)
{
	double s = 0;

	for (int k = 0; k < w->nd; k++)
		if (w->d[k].is_int && w->d[k].kind == DIM_PLAIN)
			s += (double)v[k] * w->d[k].n_ptrs;
	return s;
}

#define MEAN_INST "mean_instances"

/* A run's mean number of registered instances over the run, from its
 * timeseries.csv (instances_registered of each row held until the next
 * row): instance-hours ÷ run hours, what a fleet that scales is paid for.
 * NAN when the file cannot be read. */
static double run_mean_instances(const char *dir)
{
	char path[1300], line[1024];
	FILE *f;
	double acc = 0, t0 = NAN, tp = NAN, rp = 0;

	snprintf(path, sizeof path, "%s/timeseries.csv", dir);
	if (!(f = fopen(path, "r")))
		return NAN;
	if (!fgets(line, sizeof line, f) || strncmp(line, "time_s,instances_active,instances_registered,", 45)) {
		fclose(f);
		return NAN;
	}
	while (fgets(line, sizeof line, f)) {
		char *p = line, *end;
		double t = strtod(p, &end), r;

		if (end == p || !(p = strchr(end, ',')) || !(p = strchr(p + 1, ',')))
			break;
		r = strtod(p + 1, NULL);
		if (isnan(t0))
			t0 = t;
		else
			acc += rp * (t - tp);
		tp = t;
		rp = r;
	}
	fclose(f);
	if (isnan(t0))
		return NAN;
	return tp > t0 ? acc / (tp - t0) : rp;
}

/* Parse run r's metrics into the point, with mean_instances when the
 * scenario's fleet scales. */
static void parse_run(struct plan *w, struct point *p, int r)
{
	const char *m = p->jobs[r].metrics ? p->jobs[r].metrics : "";
	char *t;

	if (!w->scaling) {
		exp_parse(m, &w->nm, &p->vals[r]);
		return;
	}
	t = xmalloc(strlen(m) + 64);
	sprintf(t, "%s" MEAN_INST "\t%.17g\n", m, run_mean_instances(p->jobs[r].dir));
	exp_parse(t, &w->nm, &p->vals[r]);
	free(t);
}

static void metric_sum(const struct plan *w, const struct point *p, size_t m, struct stat_sum *s)
{
	double *x = xmalloc((size_t)(p->reps + 1) * sizeof *x);
	size_t k = 0;

	for (int r = 0; r < p->reps; r++) {
		double y = exp_val(&p->vals[r], m);

		if (!isnan(y))
			x[k++] = y;
	}
	/* a two-sided interval at 2c − 1 has the one-sided c bounds as ends */
	stats_summary(x, k, 2 * w->conf - 1, s);
	if (k >= 1 && isnan(s->lo))
		s->lo = s->hi = s->mean;
	free(x);
}

/* The metric columns of constraint c (indices into nm); returns the count. */
static int cons_metrics(const struct plan *w, const struct cons *c, size_t *idx, int cap)
{
	int n = 0;
	size_t len = strlen(c->metric);

	for (size_t i = 0; i < w->nm.n && n < cap; i++) {
		const char *nm = w->nm.name[i];

		if (!c->service) {
			if (!strcmp(nm, c->metric))
				idx[n++] = i;
		} else if (!strncmp(nm, c->metric, len) && nm[len] == '[') {
			if (!strcmp(c->service, "*") ||
			    (!strncmp(nm + len + 1, c->service, strlen(c->service)) &&
			     !strcmp(nm + len + 1 + strlen(c->service), "]")))
				idx[n++] = i;
		}
	}
	return n;
}

/* ST_OK, ST_FAIL or ST_UNDECIDED for one metric against constraint c;
 * *margin = the bound's distance on the good side (negative: violated). */
static int judge(const struct plan *w, const struct point *p, const struct cons *c, size_t m,
		 double *margin)
{
	struct stat_sum s;

	metric_sum(w, p, m, &s);
	if (s.n == 0) {
		*margin = NAN;
		return ST_UNDECIDED;
	}
	if (c->is_min) {
		*margin = s.lo - c->thr;
		return s.lo >= c->thr ? ST_OK : s.hi < c->thr ? ST_FAIL : ST_UNDECIDED;
	}
	*margin = c->thr - s.hi;
	return s.hi <= c->thr ? ST_OK : s.lo > c->thr ? ST_FAIL : ST_UNDECIDED;
}

static int point_status(const struct plan *w, const struct point *p)
{
	int fail = 0, und = 0;

	for (int k = 0; k < w->nc; k++) {
		size_t idx[256];
		int n = cons_metrics(w, &w->c[k], idx, 256);

		for (int i = 0; i < n; i++) {
			double mg;
			int st = judge(w, p, &w->c[k], idx[i], &mg);

			fail |= st == ST_FAIL;
			und |= st == ST_UNDECIDED;
		}
	}
	return fail ? ST_FAIL : und ? ST_UNDECIDED : ST_OK;
}

static double metric_mean(const struct plan *w, const struct point *p, const char *name)
{
	int m = exp_name_index(&w->nm, name);
	struct stat_sum s;

	if (m < 0)
		return NAN;
	metric_sum(w, p, (size_t)m, &s);
	return s.mean;
}

/* The instances a point pays for: configured, or with a managed-scaling
 * capacity provider (the fleet follows the load) the mean over the run and
 * the replications of mean_instances (instance-hours ÷ run hours). */
static double paid_instances(const struct plan *w, const struct point *p)
{
	return w->scaling ? metric_mean(w, p, MEAN_INST) : point_instances(w, p->v);
}

static double point_objective(const struct plan *w, const struct point *p)
{
	return w->obj_cost ? metric_mean(w, p, "cost_total_usd") : paid_instances(w, p);
}

/* Whether a is a better answer than b (objective, then the other measure,
 * then evaluation order). */
static int better(const struct plan *w, const struct point *a, const struct point *b)
{
	double ia = paid_instances(w, a), ib = paid_instances(w, b);

	if (a->objective != b->objective)
		return a->objective < b->objective;
	if (w->obj_cost && ia != ib)
		return ia < ib;
	if (!w->obj_cost) {
		/* fewest instances, ties: lower cost where the runs have one */
		double ca = metric_mean(w, a, "cost_total_usd"), cb = metric_mean(w, b, "cost_total_usd");

		if (!isnan(ca) && !isnan(cb) && ca != cb)
			return ca < cb;
	}
	return a < b;
}

static int check_constraints_exist(const struct plan *w)
{
	for (int k = 0; k < w->nc; k++) {
		size_t idx[4];

		if (!cons_metrics(w, &w->c[k], idx, 4)) {
			fprintf(stderr, "ecsim: error: %s: $.constraints[%d]: the runs have no metric \"%s%s%s%s\" "
				"(columns of summary.csv; with \"service\", of service_summary.csv)\n",
				w->file, k, w->c[k].metric, w->c[k].service ? "[" : "",
				w->c[k].service ? w->c[k].service : "", w->c[k].service ? "]" : "");
			return EXIT_INPUT;
		}
	}
	if (w->obj_cost && exp_name_index(&w->nm, "cost_total_usd") < 0) {
		fprintf(stderr, "ecsim: error: %s: $.objective: the runs have no cost_total_usd\n", w->file);
		return EXIT_INPUT;
	}
	return 0;
}

/* Evaluate point v (cached): its replications, added while undecided.
 * Returns its index, or -(exit code) − 1 on failure. */
static int evaluate(struct plan *w, const int *v)
{
	struct point *p;
	int i, rc, n_sets, done = 0;
	char **sets;

	for (i = 0; i < w->np; i++)
		if (!memcmp(w->p[i].v, v, sizeof w->p[i].v))
			return i;
	sets = point_sets(w, v, &n_sets);
	{
		struct err e;
		struct scenario *s;

		err_clear(&e);
		s = scenario_load_sets(w->scenario, (const char *const *)sets, n_sets, &e);
		if (!s) {
			char buf[2600], lab[1024];

			err_format(&e, buf, sizeof buf);
			point_label(w, v, lab, sizeof lab);
			fprintf(stderr, "ecsim: error: %s: point %s: %s\n", w->file, lab, buf);
			free_sets(sets, n_sets);
			return -EXIT_INPUT - 1;
		}
		if (!w->has_seed) {
			w->seed = s->seed;
			w->has_seed = 1;
		}
		scenario_free(s);
	}
	w->p = xrealloc(w->p, (size_t)(w->np + 1) * sizeof *w->p);
	p = &w->p[w->np];
	memset(p, 0, sizeof *p);
	memcpy(p->v, v, sizeof p->v);
	p->jobs = xcalloc((size_t)w->rmax, sizeof *p->jobs);
	p->vals = xcalloc((size_t)w->rmax, sizeof *p->vals);
	w->np++;
	p->reps = w->r0;
	for (;;) {
		char **extra = xcalloc((size_t)(2 * n_sets + 1), sizeof *extra);
		int ne = 0;

		if (!w->task_log)
			extra[ne++] = "--no-task-log";
		for (int k = 0; k < n_sets; k++) {
			extra[ne++] = "--set";
			extra[ne++] = sets[k];
		}
		for (int r = done; r < p->reps; r++) {
			char dir[1200];

			snprintf(dir, sizeof dir, "%s/runs/p%03d-r%03d", w->out, w->np - 1, r);
			exp_job_init(&p->jobs[r], w->scenario, dir, w->seed + (unsigned long long)r, extra, ne);
			p->jobs[r].reuse = 1;
		}
		free(extra);
		rc = exp_execute(p->jobs + done, (size_t)(p->reps - done), w->jobs, 1, "plan");
		if (rc) {
			free_sets(sets, n_sets);
			return -rc - 1;
		}
		w->runs += p->reps - done;
		for (int r = done; r < p->reps; r++)
			parse_run(w, p, r);
		done = p->reps;
		if (w->np == 1 && (rc = check_constraints_exist(w))) {
			free_sets(sets, n_sets);
			return -rc - 1;
		}
		p->status = point_status(w, p);
		if (p->status != ST_UNDECIDED || p->reps >= w->rmax)
			break;
		/* the next count depends only on this one (as compare --precision) */
		p->reps += p->reps / 2 > 2 ? p->reps / 2 : 2;
		if (p->reps > w->rmax)
			p->reps = w->rmax;
	}
	p->objective = point_objective(w, p);
	free_sets(sets, n_sets);
	if (!w->quiet) {
		char lab[1024];

		point_label(w, v, lab, sizeof lab);
		fprintf(stderr, "ecsim: plan: %s: %s after %d replications\n", lab,
			p->status == ST_OK ? "meets the SLO" : p->status == ST_FAIL ? "fails" :
			"undecided", p->reps);
	}
	return w->np - 1;
}

#define EVAL(res, v) do { if (((res) = evaluate(w, (v))) < 0) return (res); } while (0)
#define OK(i) (w->p[(i)].status == ST_OK)

/* Search the integer dimensions with the listed ones fixed at v; on
 * return v holds the best point found (or the top when none meets). */
static int search_combo(struct plan *w, int *v)
{
	int i, best;

	for (int k = 0; k < w->nd; k++)
		if (w->d[k].is_int)
			v[k] = (int)w->d[k].hi;
	EVAL(i, v);
	if (!OK(i))
		return 0;
	/* per dimension: gallop up from min, then bisect */
	for (int k = 0; k < w->nd; k++) {
		int bad, good = v[k], step = 1, x;

		if (!w->d[k].is_int)
			continue;
		bad = (int)w->d[k].lo - 1;
		for (x = (int)w->d[k].lo; x < good; x = bad + step) {
			v[k] = x;
			EVAL(i, v);
			if (OK(i)) {
				good = x;
				break;
			}
			bad = x;
			step *= 2;
		}
		while (good - bad > 1) {
			v[k] = bad + (good - bad) / 2;
			EVAL(i, v);
			if (OK(i))
				good = v[k];
			else
				bad = v[k];
		}
		v[k] = good;
	}
	EVAL(best, v);
	/* local search: ±1 on each dimension and one-for-one trades */
	for (int iter = 0; iter < 50; iter++) {
		int moved = 0, u[MAXD];

		for (int a = 0; a < w->nd; a++)
			for (int b = -1; b < w->nd; b++)
				for (int sgn = -1; sgn <= 1; sgn += 2) {
					if (!w->d[a].is_int || (b >= 0 && (b == a || !w->d[b].is_int)))
						continue;
					if (b >= 0 && sgn < 0)
						continue;
					memcpy(u, w->p[best].v, sizeof u);
					u[a] += sgn;
					if (b >= 0)
						u[b] -= 1;
					if (u[a] < w->d[a].lo || u[a] > w->d[a].hi ||
					    (b >= 0 && (u[b] < w->d[b].lo || u[b] > w->d[b].hi)))
						continue;
					EVAL(i, u);
					if (OK(i) && better(w, &w->p[i], &w->p[best])) {
						best = i;
						moved = 1;
					}
				}
		if (!moved)
			break;
	}
	memcpy(v, w->p[best].v, sizeof w->p[best].v);
	return 0;
}

static int search(struct plan *w)
{
	int v[MAXD] = { 0 };

	for (;;) {
		int rc = search_combo(w, v), k;

		if (rc)
			return rc;
		/* next combination of the listed values (last varies fastest) */
		for (k = w->nd - 1; k >= 0; k--) {
			if (w->d[k].is_int)
				continue;
			if (++v[k] < w->d[k].n_values)
				break;
			v[k] = 0;
		}
		if (k < 0)
			return 0;
	}
}

/* The metric columns plan.csv and the plot show: every constraint's, then
 * cost_total_usd, then (a fleet that scales) mean_instances. */
static int watched(const struct plan *w, size_t *idx, int *ci, int cap)
{
	int n = 0, cost = exp_name_index(&w->nm, "cost_total_usd");

	for (int k = 0; k < w->nc; k++) {
		int m = cons_metrics(w, &w->c[k], idx + n, cap - n);

		for (int i = 0; i < m; i++)
			ci[n + i] = k;
		n += m;
	}
	if (cost >= 0 && n < cap) {
		int dup = 0;

		for (int i = 0; i < n; i++)
			dup |= idx[i] == (size_t)cost;
		if (!dup) {
			ci[n] = -1;
			idx[n++] = (size_t)cost;
		}
	}
	if (w->scaling && n < cap && (cost = exp_name_index(&w->nm, MEAN_INST)) >= 0) {
		int dup = 0;

		for (int i = 0; i < n; i++)
			dup |= idx[i] == (size_t)cost;
		if (!dup) {
			ci[n] = -1;
			idx[n++] = (size_t)cost;
		}
	}
	return n;
}

static const char *status_name(int st)
{
	return st == ST_OK ? "meets" : st == ST_FAIL ? "fails" : "undecided";
}

static int write_csv(const struct plan *w, int ans, int run, struct err *e)
{
	char path[1200], b[64];
	size_t idx[256];
	int ci[256], nw = watched(w, idx, ci, 256);
	FILE *f;

	snprintf(path, sizeof path, "%s/plan.csv", w->out);
	if (!(f = exp_open(path, e)))
		return -1;
	fputs("point", f);
	for (int k = 0; k < w->nd; k++) {
		fputc(',', f);
		exp_csv_field(f, w->d[k].name);
	}
	fputs(",replications,status,choice,instances_configured,objective", f);
	for (int m = 0; m < nw; m++)
		for (int j = 0; j < 3; j++) {
			char col[300];

			snprintf(col, sizeof col, "%s_%s", w->nm.name[idx[m]],
				 j == 0 ? "mean" : j == 1 ? "low" : "high");
			fputc(',', f);
			exp_csv_field(f, col);
		}
	fputc('\n', f);
	for (int i = 0; i < w->np; i++) {
		const struct point *p = &w->p[i];

		fprintf(f, "%d", i);
		for (int k = 0; k < w->nd; k++) {
			char t[256];

			dim_text(&w->d[k], p->v[k], t, sizeof t);
			fputc(',', f);
			exp_csv_field(f, t);
		}
		exp_fmt(b, sizeof b, p->objective);
		fprintf(f, ",%d,%s,%s,%.0f,%s", p->reps, status_name(p->status),
			i == ans ? "answer" : i == run ? "runner-up" : "", point_instances(w, p->v), b);
		for (int m = 0; m < nw; m++) {
			struct stat_sum s;

			metric_sum(w, p, idx[m], &s);
			exp_fmt(b, sizeof b, s.mean);
			fprintf(f, ",%s", b);
			exp_fmt(b, sizeof b, s.lo);
			fprintf(f, ",%s", b);
			exp_fmt(b, sizeof b, s.hi);
			fprintf(f, ",%s", b);
		}
		fputc('\n', f);
	}
	return exp_commit(f, path, e);
}

/* The plot: each constraint metric against the plot dimension, over the
 * points that share the answer's (or the top's) other values. */
static void write_plot(const struct plan *w, int ans, int draw)
{
	char path[1200], vars[8192], mlist[2048] = "", tlist[1024] = "", slist[256] = "";
	size_t idx[256];
	int ci[256], nw = watched(w, idx, ci, 256), xd = w->plot_dim, ref = ans >= 0 ? ans : 0, nc = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/plot_plan.dat", w->out);
	if (!w->np || !(f = fopen(path, "w")))
		return;
	for (int m = 0; m < nw; m++) {
		int order[4096], n = 0;

		if (ci[m] < 0)
			continue;
		snprintf(mlist + strlen(mlist), sizeof mlist - strlen(mlist), "%s%s", nc ? " " : "",
			 w->nm.name[idx[m]]);
		snprintf(tlist + strlen(tlist), sizeof tlist - strlen(tlist), "%s%.10g", nc ? " " : "",
			 w->c[ci[m]].thr);
		snprintf(slist + strlen(slist), sizeof slist - strlen(slist), "%s%d", nc ? " " : "",
			 w->c[ci[m]].is_min);
		if (nc)
			fputs("\n\n", f);
		fprintf(f, "# %s\n", w->nm.name[idx[m]]);
		nc++;
		for (int i = 0; i < w->np && n < 4096; i++) {
			int same = 1;

			for (int k = 0; k < w->nd; k++)
				same &= k == xd || w->p[i].v[k] == w->p[ref].v[k];
			if (same)
				order[n++] = i;
		}
		for (int a = 1; a < n; a++)         /* by x */
			for (int b = a; b > 0 && dim_value(&w->d[xd], w->p[order[b]].v[xd]) <
			     dim_value(&w->d[xd], w->p[order[b - 1]].v[xd]); b--) {
				int t = order[b];

				order[b] = order[b - 1];
				order[b - 1] = t;
			}
		for (int j = 0; j < n; j++) {
			struct stat_sum s;
			char b1[64], b2[64], b3[64];

			metric_sum(w, &w->p[order[j]], idx[m], &s);
			exp_fmt(b1, sizeof b1, s.mean);
			exp_fmt(b2, sizeof b2, s.lo);
			exp_fmt(b3, sizeof b3, s.hi);
			fprintf(f, "%d %s %s %s %d\n", w->d[xd].is_int ?
				dim_value(&w->d[xd], w->p[order[j]].v[xd]) : w->p[order[j]].v[xd],
				b1, b2, b3, order[j] == ans);
		}
	}
	fclose(f);
	{
		char xn[300], ttl[600], xl[2048] = "";
		const char *pn[1] = { "plan" }, *pv[1] = { vars };
		const struct dim *d = &w->d[xd];

		if (!d->is_int)
			for (int k = 0; k < d->n_values; k++) {
				char t[256];

				dim_text(d, k, t, sizeof t);
				for (char *c = t; *c; c++)
					if (*c == ' ' || *c == '\'' || *c == '"')
						*c = '_';
				snprintf(xl + strlen(xl), sizeof xl - strlen(xl), "%s%s", k ? " " : "", t);
			}
		exp_gp_str(xn, sizeof xn, d->name);
		exp_gp_str(ttl, sizeof ttl, w->name);
		snprintf(vars, sizeof vars, "title=%s; xname=%s; xnumeric=%d; xlabels='%s'; metrics='%s'; "
			 "thresholds='%s'; ismin='%s'; conf=%g; chosen=%d;", ttl, xn, d->is_int, xl, mlist,
			 tlist, slist, w->conf * 100, ans < 0 ? -1 : d->is_int ?
			 dim_value(d, w->p[ans].v[xd]) : w->p[ans].v[xd]);
		exp_plots(w->out, "plan", pn, pv, 1, draw, w->quiet);
	}
}

static void print_point(const struct plan *w, const char *what, int i)
{
	const struct point *p = &w->p[i];
	char lab[1024], b[64];
	int cost = exp_name_index(&w->nm, "cost_total_usd");

	point_label(w, p->v, lab, sizeof lab);
	if (w->scaling)
		printf("%s: %s — %.4g mean instances", what, lab, paid_instances(w, p));
	else
		printf("%s: %s — %.0f instances", what, lab, point_instances(w, p->v));
	if (cost >= 0) {
		struct stat_sum s;

		metric_sum(w, p, (size_t)cost, &s);
		exp_fmt(b, sizeof b, s.mean);
		printf(", cost_total_usd %s", b);
	}
	printf(" (%d replications)\n", p->reps);
	for (int k = 0; k < w->nc; k++) {
		size_t idx[256];
		int n = cons_metrics(w, &w->c[k], idx, 256);

		for (int j = 0; j < n; j++) {
			struct stat_sum s;
			double mg;
			int st = judge(w, p, &w->c[k], idx[j], &mg);

			metric_sum(w, p, idx[j], &s);
			printf("  %s %s %.6g: mean %.6g, %g%% %s bound %.6g, margin %+.4g%s\n",
			       w->nm.name[idx[j]], w->c[k].is_min ? ">=" : "<=", w->c[k].thr, s.mean,
			       w->conf * 100, w->c[k].is_min ? "lower" : "upper",
			       w->c[k].is_min ? s.lo : s.hi, mg, st == ST_OK ? "" : st == ST_FAIL ?
			       "  (fails)" : "  (undecided)");
		}
	}
}

static void usage(void)
{
	printf("usage: ecsim plan <plan.json> [--jobs N] [--out DIR] [--no-task-log] [--no-plot] [--quiet]\n"
	       "  finds the point of the plan's dimensions that meets every constraint at the\n"
	       "  plan's confidence with the least objective (instances or cost): galloping and\n"
	       "  bisection per integer dimension, then a local search; each point runs\n"
	       "  replications (seed + r, common random numbers) in DIR/runs/pNNN-rNNN, more while\n"
	       "  a constraint is undecided (default DIR: results/<plan name>).  Under mpirun\n"
	       "  (ecsim built with MPI) rank 0 hands runs out.  Writes plan.csv and plan.png/svg.\n"
	       "  PLAN.json: scenarios/README.md, \"ecsim plan\".\n"
	       "  Exit codes: 0 an answer, 1 a run failed or no point meets the SLO, 2 bad input\n");
}

static int plan_main(int argc, char **argv)
{
	struct exp_opts o;
	const char *file, *outarg;
	int plot, rc, ans = -1, run = -1, und = 0;
	struct plan w = { 0 };
	struct err e;

	if ((rc = exp_file_args(argc, argv, "plan", usage, &o)) >= 0)
		return rc;
	file = o.file, outarg = o.out, plot = o.plot;
	w.jobs = o.jobs, w.quiet = o.quiet, w.task_log = o.task_log;
	err_clear(&e);
	if (plan_load(&w, file, &e)) {
		err_print(&e, stderr);
		plan_free(&w);
		return EXIT_INPUT;
	}
	snprintf(w.out, sizeof w.out, "%s", outarg ? outarg : "");
	if (!outarg)
		snprintf(w.out, sizeof w.out, "results/%s", w.name);
	if (exp_mkdirs(w.out)) {
		plan_free(&w);
		return cmd_usage_error("plan: cannot create '%s'", w.out);
	}
	rc = search(&w);
	if (rc < 0) {
		rc = -rc - 1;
		plan_free(&w);
		return rc;
	}
	for (int i = 0; i < w.np; i++) {
		und += w.p[i].status == ST_UNDECIDED;
		if (w.p[i].status != ST_OK)
			continue;
		if (ans < 0 || better(&w, &w.p[i], &w.p[ans])) {
			run = ans;
			ans = i;
		} else if (run < 0 || better(&w, &w.p[i], &w.p[run])) {
			run = i;
		}
	}
	err_clear(&e);
	if (write_csv(&w, ans, run, &e)) {
		err_print(&e, stderr);
		plan_free(&w);
		return EXIT_RUNTIME;
	}
	write_plot(&w, ans, plot);
	if (!w.quiet) {
		printf("ecsim plan %s: %d points, %d runs; objective: %s; constraints at %g%% confidence\n",
		       w.name, w.np, w.runs, w.obj_cost ? "least cost" :
		       w.scaling ? "fewest mean instances" : "fewest instances", w.conf * 100);
		if (ans >= 0)
			print_point(&w, "answer", ans);
		else
			printf("answer: none — no evaluated point meets every constraint\n");
		if (run >= 0)
			print_point(&w, "runner-up", run);
		if (und) {
			printf("undecided (the bound still straddles a threshold after %d replications):", w.rmax);
			for (int i = 0; i < w.np; i++)
				if (w.p[i].status == ST_UNDECIDED) {
					char lab[1024];

					point_label(&w, w.p[i].v, lab, sizeof lab);
					printf(" [%s]", lab);
				}
			printf("\n");
		}
		printf("results in %s/ (plan.csv%s)\n", w.out, plot && exp_have_gnuplot() ? ", plan.png" : "");
	}
	plan_free(&w);
	return ans >= 0 ? EXIT_OK : EXIT_RUNTIME;
}

int cmd_plan(int argc, char **argv)
{
	int rc;

	if (exp_begin(&rc))
		return rc;
	rc = plan_main(argc, argv);
	exp_end();
	return rc;
}
