/* cli/plan_file.c — reading PLAN.json for `ecsim plan`: the scenario, the
 * dimensions that may vary, the objective, the constraints and the
 * replication settings (scenarios/README.md, "ecsim plan"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

static char *dir_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? xstrndup(p, (size_t)(s - p)) : xstrdup(".");
}

static int read_pointers(struct jr *c, struct dim *d)
{
	const cJSON *arr = jr_get(c, "pointers"), *it;

	if (!arr)
		return jr_fail(c, NULL, "missing member \"pointers\" (the JSON pointers the value is written to)");
	if (cJSON_IsString(arr)) {
		d->ptrs = xcalloc(1, sizeof *d->ptrs);
		d->ptrs[d->n_ptrs++] = xstrdup(arr->valuestring);
	} else if (cJSON_IsArray(arr) && cJSON_GetArraySize(arr) > 0) {
		d->ptrs = xcalloc((size_t)cJSON_GetArraySize(arr), sizeof *d->ptrs);
		cJSON_ArrayForEach(it, arr) {
			if (!cJSON_IsString(it))
				return jr_fail(c, "pointers", "expected JSON pointer strings");
			d->ptrs[d->n_ptrs++] = xstrdup(it->valuestring);
		}
	} else {
		return jr_fail(c, "pointers", "expected a JSON pointer or a non-empty array of them");
	}
	for (int k = 0; k < d->n_ptrs; k++)
		if (d->ptrs[k][0] != '/')
			return jr_fail(c, "pointers", "\"%s\": a JSON pointer starts with '/'", d->ptrs[k]);
	return 0;
}

int dim_value(const struct dim *d, int v)
{
	return d->kind == DIM_TARGET ? d->tmax - v * d->step : v;
}

/* Whether provider object cp has managed scaling (a "managedScaling" object
 * whose "status" is not "DISABLED"; ECS's default status is ENABLED). */
static int has_managed_scaling(const cJSON *cp)
{
	const cJSON *ms = cJSON_GetObjectItemCaseSensitive(cp, "managedScaling");
	const cJSON *st = ms ? cJSON_GetObjectItemCaseSensitive(ms, "status") : NULL;

	return cJSON_IsObject(ms) && !(cJSON_IsString(st) && !strcmp(st->valuestring, "DISABLED"));
}

/* The scenario's "capacityProviders" array (NULL when none); *d must be
 * freed by the caller when the call returned 0. */
static int scenario_providers(const struct plan *w, struct jdoc *d, const cJSON **cps, struct err *e)
{
	if (jdoc_load(d, w->scenario, e))
		return -1;
	*cps = cJSON_GetObjectItemCaseSensitive(d->root, "capacityProviders");
	if (!cJSON_IsArray(*cps))
		*cps = NULL;
	return 0;
}

/* A targetCapacity dimension: {"name", "targetCapacity": PROVIDER, "min",
 * "max", "step"}; the pointer is the provider's managedScaling member. */
static int read_target(struct plan *w, struct jr *c, struct dim *d, struct err *e)
{
	const cJSON *tc = jr_get(c, "targetCapacity"), *cps, *it;
	struct jdoc sd;
	int64_t lo, hi, step;
	int i = 0, found = -1, ms = 0;
	char ptr[64];

	if (!cJSON_IsString(tc))
		return jr_fail(c, "targetCapacity", "expected the name of a capacity provider of the "
			       "scenario (a string)");
	if (jr_has(c, "pointers") || jr_has(c, "values"))
		return jr_fail(c, jr_has(c, "pointers") ? "pointers" : "values", "a targetCapacity "
			       "dimension takes \"min\", \"max\" and \"step\"; its pointer is the provider's");
	if (jr_opt_int(c, "min", 1, 1, 100, &lo) || jr_opt_int(c, "max", 100, 1, 100, &hi) ||
	    jr_opt_int(c, "step", 1, 1, 99, &step))
		return -1;
	if (lo > hi)
		return jr_fail(c, "min", "min %lld is above max %lld", (long long)lo, (long long)hi);
	if ((hi - lo) % step)
		return jr_fail(c, "step", "max − min (%lld) is not a multiple of step %lld",
			       (long long)(hi - lo), (long long)step);
	if (scenario_providers(w, &sd, &cps, e))
		return -1;
	cJSON_ArrayForEach(it, cps) {
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(it, "name");

		if (found < 0 && cJSON_IsString(nm) && !strcmp(nm->valuestring, tc->valuestring)) {
			found = i;
			ms = has_managed_scaling(it);
		}
		i++;
	}
	jdoc_free(&sd);
	if (found < 0)
		return jr_fail(c, "targetCapacity", "\"%s\" is not a capacity provider of the scenario "
			       "(its $.capacityProviders[*].name)", tc->valuestring);
	if (!ms)
		return jr_fail(c, "targetCapacity", "capacity provider \"%s\" has no managed scaling "
			       "(managedScaling with status ENABLED): its target capacity changes nothing",
			       tc->valuestring);
	snprintf(ptr, sizeof ptr, "/capacityProviders/%d/managedScaling/targetCapacity", found);
	d->ptrs = xcalloc(1, sizeof *d->ptrs);
	d->ptrs[d->n_ptrs++] = xstrdup(ptr);
	d->kind = DIM_TARGET;
	d->is_int = 1;
	d->tmin = (int)lo;
	d->tmax = (int)hi;
	d->step = (int)step;
	d->lo = 0;
	d->hi = (hi - lo) / step;
	return 0;
}

static int read_vary(struct plan *w, const cJSON *arr, struct err *e)
{
	const cJSON *it;
	int i = 0;

	cJSON_ArrayForEach(it, arr) {
		struct jr c;
		char path[64];
		const char *name;
		const cJSON *values = NULL, *v;
		int64_t lo = -1, hi = -1;
		struct dim *d;
		static const char *const keys[] = { "name", "pointers", "min", "max", "values",
			"targetCapacity", "spotShare", "step", NULL };

		snprintf(path, sizeof path, "$.vary[%d]", i++);
		if (jr_open(&c, it, w->file, path, e) || jr_only(&c, keys))
			return -1;
		if (jr_has(&c, "spotShare"))
			return jr_fail(&c, "spotShare", "a Spot share is varied as the count of a Spot "
				       "instance group (\"pointers\" to its count, \"min\", \"max\"): an Auto "
				       "Scaling group capacity provider is On-Demand in ecsim, so no strategy "
				       "mixes an On-Demand and a Spot group provider whose weights could vary");
		if (w->nd == MAXD)
			return jr_fail(&c, NULL, "at most %d dimensions", MAXD);
		d = &w->d[w->nd++];
		if (jr_req_str(&c, "name", &name))
			return -1;
		d->name = xstrdup(name);
		if (jr_has(&c, "targetCapacity")) {
			if (read_target(w, &c, d, e) || jr_end(&c))
				return -1;
			goto named;
		}
		if (jr_has(&c, "step"))
			return jr_fail(&c, "step", "only a targetCapacity dimension has a step");
		if (read_pointers(&c, d) || jr_opt_int(&c, "min", -1, 0, 1000000, &lo) ||
		    jr_opt_int(&c, "max", -1, 0, 1000000, &hi) || jr_opt_array(&c, "values", &values))
			return -1;
		if (!values == (lo < 0 || hi < 0) || (values && (lo >= 0 || hi >= 0)))
			return jr_fail(&c, NULL, "a dimension is either an integer range {\"min\", \"max\"} "
				       "or a list {\"values\": [...]}");
		if (values) {
			if (!cJSON_GetArraySize(values))
				return jr_fail(&c, "values", "expected at least one value");
			cJSON_ArrayForEach(v, values) {
				d->values = xrealloc(d->values, (size_t)(d->n_values + 1) * sizeof *d->values);
				d->values[d->n_values++] = cJSON_PrintUnformatted(v);
			}
		} else {
			if (lo > hi)
				return jr_fail(&c, "min", "min %lld is above max %lld", (long long)lo, (long long)hi);
			d->is_int = 1;
			d->lo = lo;
			d->hi = hi;
		}
		if (jr_end(&c))
			return -1;
named:
		for (int k = 0; k < w->nd - 1; k++)
			if (!strcmp(w->d[k].name, name))
				return jr_fail(&c, "name", "dimension \"%s\" named twice", name);
	}
	if (!w->nd)
		return err_at(e, w->file, 0, 0, "$.vary", "expected at least one dimension");
	return 0;
}

static int read_constraints(struct plan *w, const cJSON *arr, struct err *e)
{
	const cJSON *it;
	int i = 0;

	w->c = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *w->c);
	cJSON_ArrayForEach(it, arr) {
		struct jr c;
		char path[64];
		const char *metric, *svc = NULL;
		double mn = NAN, mx = NAN;
		struct cons *k = &w->c[w->nc];
		static const char *const keys[] = { "metric", "service", "min", "max", NULL };

		snprintf(path, sizeof path, "$.constraints[%d]", i++);
		if (jr_open(&c, it, w->file, path, e) || jr_only(&c, keys) ||
		    jr_req_str(&c, "metric", &metric) || jr_opt_str(&c, "service", NULL, &svc) ||
		    jr_opt_num(&c, "min", NAN, -1e300, 1e300, &mn) ||
		    jr_opt_num(&c, "max", NAN, -1e300, 1e300, &mx) || jr_end(&c))
			return -1;
		if (isnan(mn) == isnan(mx))
			return jr_fail(&c, NULL, "give exactly one of \"min\" (metric >= min) or \"max\" (metric <= max)");
		if (strchr(metric, '[') || strchr(metric, ' '))
			return jr_fail(&c, "metric", "\"%s\": name the column; the service goes in \"service\"", metric);
		k->metric = xstrdup(metric);
		k->service = svc ? xstrdup(svc) : NULL;
		k->is_min = !isnan(mn);
		k->thr = k->is_min ? mn : mx;
		w->nc++;
	}
	if (!w->nc)
		return err_at(e, w->file, 0, 0, "$.constraints", "expected at least one constraint");
	return 0;
}

int plan_load(struct plan *w, const char *file, struct err *e)
{
	struct jdoc d;
	struct jr c;
	const char *scn, *name, *obj, *px = NULL;
	const cJSON *vary = NULL, *cons = NULL, *sets = NULL, *reps = NULL, *plot = NULL, *m;
	int64_t seed = -1, r0 = 10, rmax = 40;
	char *base;
	int rc;
	static const char *const keys[] = { "name", "scenario", "seed", "set", "vary", "objective",
		"confidence", "replications", "constraints", "plot", NULL };

	w->file = xstrdup(file);
	if (jdoc_load(&d, file, e))
		return -1;
	base = xstrdup(strrchr(file, '/') ? strrchr(file, '/') + 1 : file);
	if (strlen(base) > 5 && !strcmp(base + strlen(base) - 5, ".json"))
		base[strlen(base) - 5] = '\0';
	rc = jr_open(&c, d.root, file, "$", e) || jr_only(&c, keys) ||
	     jr_opt_str(&c, "name", base, &name) || jr_req_str(&c, "scenario", &scn) ||
	     jr_opt_int(&c, "seed", -1, 0, INT64_MAX, &seed) || jr_opt_object(&c, "set", &sets) ||
	     jr_req_array(&c, "vary", &vary) || jr_opt_str(&c, "objective", "instances", &obj) ||
	     jr_opt_num(&c, "confidence", 0.95, 0.5, 0.9999, &w->conf) ||
	     jr_opt_object(&c, "replications", &reps) ||
	     jr_req_array(&c, "constraints", &cons) || jr_opt_object(&c, "plot", &plot) || jr_end(&c);
	if (!rc && strcmp(obj, "instances") && strcmp(obj, "cost"))
		rc = jr_fail(&c, "objective", "expected \"instances\" (fewest) or \"cost\" (least "
			     "cost_total_usd), got \"%s\"", obj);
	if (!rc) {
		char *dir = dir_of(file);

		w->name = xstrdup(name);
		w->obj_cost = !strcmp(obj, "cost");
		w->scenario = xmalloc(strlen(dir) + strlen(scn) + 2);
		if (scn[0] == '/')
			strcpy(w->scenario, scn);
		else
			sprintf(w->scenario, "%s/%s", dir, scn);
		free(dir);
		w->has_seed = seed >= 0;
		w->seed = (unsigned long long)(seed >= 0 ? seed : 0);
	}
	if (!rc && reps) {
		struct jr rcur;
		static const char *const rkeys[] = { "initial", "max", NULL };

		rc = jr_open(&rcur, reps, file, "$.replications", e) || jr_only(&rcur, rkeys) ||
		     jr_opt_int(&rcur, "initial", 10, 2, 10000, &r0) ||
		     jr_opt_int(&rcur, "max", 40, 2, 10000, &rmax) || jr_end(&rcur);
		if (!rc && rmax < r0)
			rc = jr_fail(&rcur, "max", "max %lld is below initial %lld", (long long)rmax, (long long)r0);
	}
	w->r0 = (int)r0;
	w->rmax = (int)rmax;
	if (!rc && sets) {
		if (!cJSON_IsObject(sets))
			rc = err_at(e, file, 0, 0, "$.set", "expected an object of \"/pointer\": value");
		cJSON_ArrayForEach(m, sets) {
			char *t;

			if (rc)
				break;
			if (m->string[0] != '/') {
				rc = err_at(e, file, 0, 0, "$.set", "member \"%s\": a JSON pointer starts with '/'",
					    m->string);
				break;
			}
			t = cJSON_PrintUnformatted(m);
			w->common = xrealloc(w->common, (size_t)(w->n_common + 1) * sizeof *w->common);
			w->common[w->n_common] = xmalloc(strlen(m->string) + strlen(t) + 2);
			sprintf(w->common[w->n_common++], "%s=%s", m->string, t);
			free(t);
		}
	}
	if (!rc)
		rc = read_vary(w, vary, e) || read_constraints(w, cons, e);
	if (!rc) {
		struct jdoc sd;
		struct err e2;
		const cJSON *cps, *it;

		/* a scenario that does not load is reported at its first point */
		err_clear(&e2);
		if (!scenario_providers(w, &sd, &cps, &e2)) {
			cJSON_ArrayForEach(it, cps)
				w->scaling |= has_managed_scaling(it);
			jdoc_free(&sd);
		}
	}
	w->plot_dim = 0;
	for (int k = w->nd - 1; k >= 0; k--)
		if (w->d[k].is_int)
			w->plot_dim = k;
	if (!rc && plot) {
		struct jr pc;
		static const char *const pkeys[] = { "x", NULL };

		rc = jr_open(&pc, plot, file, "$.plot", e) || jr_only(&pc, pkeys) ||
		     jr_opt_str(&pc, "x", NULL, &px) || jr_end(&pc);
		if (!rc && px) {
			int k;

			for (k = 0; k < w->nd && strcmp(w->d[k].name, px); k++)
				;
			if (k == w->nd)
				rc = jr_fail(&pc, "x", "no dimension named \"%s\"", px);
			w->plot_dim = k;
		}
	}
	free(base);
	jdoc_free(&d);
	return rc ? -1 : 0;
}

void plan_free(struct plan *w)
{
	for (int k = 0; k < w->nd; k++) {
		for (int i = 0; i < w->d[k].n_ptrs; i++)
			free(w->d[k].ptrs[i]);
		for (int i = 0; i < w->d[k].n_values; i++)
			free(w->d[k].values[i]);
		free(w->d[k].ptrs);
		free(w->d[k].values);
		free(w->d[k].name);
	}
	for (int k = 0; k < w->nc; k++) {
		free(w->c[k].metric);
		free(w->c[k].service);
	}
	free(w->c);
	for (int k = 0; k < w->n_common; k++)
		free(w->common[k]);
	free(w->common);
	for (int i = 0; i < w->np; i++) {
		for (int r = 0; r < w->rmax; r++) {
			if (w->p[i].jobs[r].argv)
				exp_job_free(&w->p[i].jobs[r]);
			free(w->p[i].vals[r].v);
		}
		free(w->p[i].jobs);
		free(w->p[i].vals);
	}
	free(w->p);
	exp_names_free(&w->nm);
	free(w->file);
	free(w->name);
	free(w->scenario);
}
