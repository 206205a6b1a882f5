/* models/gen_spec.c — reading a generator spec for `ecsim gen` (models/gen.h):
 * strictly (sim/jsonrd.h: unknown members are errors with their JSON path),
 * kept with its cJSON tree, whose strings it uses.  Generating: gen.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/gen_int.h"
#include "sim/mem.h"

int gen_in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

static void az_list_text(const struct gen_spec *s, char *buf, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n_azs && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", s->azs[i]);
}

static int check_az(const struct gen_spec *s, const char *az, const char *path, struct err *e)
{
	char list[400];

	if (s->n_instances == 0 || gen_in_list(s->azs, s->n_azs, az))
		return 0;
	az_list_text(s, list, sizeof list);
	return err_at(e, s->doc.file, 0, 0, path,
		      "unknown availability zone '%s' (the instances use %s)", az, list);
}

static int read_instances(struct gen_spec *s, const cJSON *arr, struct err *e)
{
	static const char *const keys[] = { "instanceType", "availabilityZone", "count", NULL };
	const cJSON *m;
	char path[64];
	size_t k = 0;

	if (!arr)
		return 0;
	s->groups = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *s->groups);
	s->azs = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *s->azs);
	cJSON_ArrayForEach(m, arr) {
		struct igroup *g = &s->groups[k];
		struct jr c;

		snprintf(path, sizeof path, "$.instances[%zu]", k);
		if (jr_open(&c, m, s->doc.file, path, e) || jr_only(&c, keys) ||
		    jr_req_str(&c, "instanceType", &g->type) ||
		    jr_req_str(&c, "availabilityZone", &g->az) ||
		    jr_opt_int(&c, "count", 1, 0, MAX_INSTANCES, &g->count) || jr_end(&c))
			return -1;
		if (!*g->type)
			return jr_fail(&c, "instanceType", "expected a non-empty string");
		if (!*g->az)
			return jr_fail(&c, "availabilityZone", "expected a non-empty string");
		s->n_instances += g->count;
		if (s->n_instances > MAX_INSTANCES)
			return jr_fail(&c, "count", "too many instances in all (at most %d)",
				       MAX_INSTANCES);
		if (!gen_in_list(s->azs, s->n_azs, g->az))
			s->azs[s->n_azs++] = g->az;
		s->n_groups = ++k;
	}
	return 0;
}

static int read_curve(struct tproc *t, const cJSON *obj, const char *file, const char *path,
		      struct err *e)
{
	static const char *const keys[] = { "amplitude", "peakHour", "hourly", NULL };
	const cJSON *h, *v;
	struct jr c;
	char p2[600];
	size_t k = 0;

	t->curve = CURVE_NONE;
	t->max_mult = 1;
	if (!obj)
		return 0;
	if (jr_open(&c, obj, file, path, e) || jr_only(&c, keys))
		return -1;
	if (jr_has(&c, "hourly")) {
		if (jr_has(&c, "amplitude") || jr_has(&c, "peakHour"))
			return jr_fail(&c, NULL, "expected either hourly or amplitude and peakHour, not both");
		if (jr_req_array(&c, "hourly", &h))
			return -1;
		if (cJSON_GetArraySize(h) != HOURS)
			return jr_fail(&c, "hourly", "expected %d multipliers (one per hour), got %d",
				       HOURS, cJSON_GetArraySize(h));
		t->curve = CURVE_HOURLY;
		t->max_mult = 0;
		cJSON_ArrayForEach(v, h) {
			snprintf(p2, sizeof p2, "%s.hourly[%zu]", path, k);
			if (jv_num(v, file, p2, 0, 1e6, &t->hourly[k], e))
				return -1;
			if (t->hourly[k] > t->max_mult)
				t->max_mult = t->hourly[k];
			k++;
		}
	} else {
		if (jr_req_num(&c, "amplitude", 0, 1, &t->amplitude) ||
		    jr_opt_num(&c, "peakHour", 0, 0, 24, &t->peak_hour))
			return -1;
		if (t->peak_hour >= 24)
			return jr_fail(&c, "peakHour", "expected number in [0, 24), got 24");
		t->curve = CURVE_COSINE;
		t->max_mult = 1 + t->amplitude;
	}
	return jr_end(&c);
}

static int read_mix(struct tproc *t, const cJSON *arr, const char *file, const char *path,
		    struct err *e)
{
	static const char *const keys[] = { "name", "weight", NULL };
	const cJSON *m;
	char p2[600];
	double sum = 0;
	size_t k = 0;

	t->n_td = (size_t)cJSON_GetArraySize(arr);
	if (t->n_td == 0)
		return err_at(e, file, 0, 0, path, "expected at least one task definition");
	t->tds = xcalloc(t->n_td, sizeof *t->tds);
	t->weights = xcalloc(t->n_td, sizeof *t->weights);
	cJSON_ArrayForEach(m, arr) {
		snprintf(p2, sizeof p2, "%s[%zu]", path, k);
		if (cJSON_IsString(m)) {
			t->tds[k] = m->valuestring;
			t->weights[k] = 1;
		} else {
			struct jr c;

			if (!cJSON_IsObject(m))
				return err_at(e, file, 0, 0, p2,
					      "expected a task definition name or {\"name\": ..., \"weight\": w}, got %s",
					      jtype_name(m));
			if (jr_open(&c, m, file, p2, e) || jr_only(&c, keys) ||
			    jr_req_str(&c, "name", &t->tds[k]) ||
			    jr_opt_num(&c, "weight", 1, 0, 1e9, &t->weights[k]) || jr_end(&c))
				return -1;
		}
		if (!*t->tds[k])
			return err_at(e, file, 0, 0, p2, "expected a non-empty task definition name");
		sum += t->weights[k];
		k++;
	}
	if (!(sum > 0))
		return err_at(e, file, 0, 0, path, "expected a weight > 0 somewhere, got all 0");
	t->table = gsl_ran_discrete_preproc(t->n_td, t->weights);
	return 0;
}

static int read_tasks(struct gen_spec *s, const cJSON *arr, struct err *e)
{
	static const char *const keys[] = { "name", "taskDefinitions", "ratePerSecond", "diurnal",
					    "runtimeSeconds", "group", "count", NULL };
	const cJSON *m;
	char path[64], p2[128];
	size_t k = 0;

	if (!arr)
		return 0;
	s->tasks = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *s->tasks);
	cJSON_ArrayForEach(m, arr) {
		struct tproc *t = &s->tasks[k];
		const cJSON *mix, *curve, *rt;
		struct jr c;

		s->n_tasks = k + 1;
		snprintf(path, sizeof path, "$.tasks[%zu]", k);
		if (jr_open(&c, m, s->doc.file, path, e) || jr_only(&c, keys) ||
		    jr_opt_str(&c, "name", NULL, &t->name) ||
		    jr_req_array(&c, "taskDefinitions", &mix) ||
		    jr_req_num(&c, "ratePerSecond", 0, 1e6, &t->rate) ||
		    jr_opt_object(&c, "diurnal", &curve) ||
		    jr_opt_str(&c, "group", "", &t->group) ||
		    jr_opt_int(&c, "count", 1, 1, 1000000000, &t->count))
			return -1;
		rt = jr_get(&c, "runtimeSeconds");
		if (jr_end(&c))
			return -1;
		if (!t->name) {
			snprintf(t->dflt_name, sizeof t->dflt_name, "task%zu", k + 1);
			t->name = t->dflt_name;
		}
		if (!*t->name || strchr(t->name, '/'))
			return jr_fail(&c, "name", "expected a non-empty name without '/', got \"%s\"",
				       t->name);
		for (size_t j = 0; j < k; j++)
			if (strcmp(s->tasks[j].name, t->name) == 0)
				return jr_fail(&c, "name", "duplicate task process name '%s' (also $.tasks[%zu])",
					       t->name, j);
		jr_path(&c, "taskDefinitions", p2, sizeof p2);
		if (read_mix(t, mix, s->doc.file, p2, e))
			return -1;
		jr_path(&c, "diurnal", p2, sizeof p2);
		if (read_curve(t, curve, s->doc.file, p2, e))
			return -1;
		if (rt) {
			jr_path(&c, "runtimeSeconds", p2, sizeof p2);
			if (dist_parse(&t->runtime, rt, s->doc.file, p2, s->dir, e))
				return -1;
			t->has_runtime = 1;
		}
		k++;
	}
	return 0;
}

static int read_failures(struct gen_spec *s, const cJSON *obj, struct err *e)
{
	static const char *const keys[] = { "timeToFailureSeconds", "timeToRepairSeconds",
					    "instanceTypes", NULL };
	const cJSON *ttf, *ttr, *types, *m;
	struct jr c;
	char p2[128];
	size_t k = 0;

	if (!obj)
		return 0;
	if (jr_open(&c, obj, s->doc.file, "$.instanceFailures", e) || jr_only(&c, keys))
		return -1;
	ttf = jr_get(&c, "timeToFailureSeconds");
	ttr = jr_get(&c, "timeToRepairSeconds");
	if (jr_opt_array(&c, "instanceTypes", &types) || jr_end(&c))
		return -1;
	if (!ttf)
		return jr_fail(&c, "timeToFailureSeconds", "required member is missing");
	s->has_failures = 1;
	jr_path(&c, "timeToFailureSeconds", p2, sizeof p2);
	if (dist_parse(&s->ttf, ttf, s->doc.file, p2, s->dir, e))
		return -1;
	if (ttr) {
		jr_path(&c, "timeToRepairSeconds", p2, sizeof p2);
		if (dist_parse(&s->ttr, ttr, s->doc.file, p2, s->dir, e))
			return -1;
		s->has_repair = 1;
	}
	if (!types)
		return 0;
	s->fail_types = xcalloc((size_t)cJSON_GetArraySize(types) + 1, sizeof *s->fail_types);
	cJSON_ArrayForEach(m, types) {
		const char *ty;
		int known = 0;

		snprintf(p2, sizeof p2, "$.instanceFailures.instanceTypes[%zu]", k);
		if (jv_str(m, s->doc.file, p2, &ty, e))
			return -1;
		for (size_t g = 0; g < s->n_groups; g++)
			known |= strcmp(s->groups[g].type, ty) == 0;
		if (!known)
			return err_at(e, s->doc.file, 0, 0, p2,
				      "instance type '%s' is not used by any of $.instances", ty);
		s->fail_types[k++] = ty;
		s->n_fail_types = k;
	}
	return 0;
}

static int read_outage(struct gen_spec *s, const cJSON *m, size_t k, struct err *e)
{
	static const char *const sched_keys[] = { "availabilityZone", "atSeconds",
						  "durationSeconds", NULL };
	static const char *const stoch_keys[] = { "interArrivalSeconds", "durationSeconds",
						  "availabilityZones", NULL };
	char path[64], p2[128];
	struct jr c;

	snprintf(path, sizeof path, "$.azOutages[%zu]", k);
	if (jr_open(&c, m, s->doc.file, path, e))
		return -1;
	if (jr_has(&c, "atSeconds")) {
		struct sched *o = &s->scheds[s->n_scheds];

		if (jr_only(&c, sched_keys) || jr_req_str(&c, "availabilityZone", &o->az) ||
		    jr_req_num(&c, "atSeconds", 0, MAX_SECONDS, &o->at) ||
		    jr_req_num(&c, "durationSeconds", 0.001, MAX_SECONDS, &o->dur) || jr_end(&c))
			return -1;
		jr_path(&c, "availabilityZone", p2, sizeof p2);
		if (check_az(s, o->az, p2, e))
			return -1;
		s->n_scheds++;
		return 0;
	}
	if (jr_has(&c, "interArrivalSeconds")) {
		struct stoch *o = &s->stochs[s->n_stochs];
		const cJSON *inter, *dur, *azs, *a;
		size_t j = 0;

		if (jr_only(&c, stoch_keys))
			return -1;
		inter = jr_get(&c, "interArrivalSeconds");
		dur = jr_get(&c, "durationSeconds");
		if (jr_opt_array(&c, "availabilityZones", &azs) || jr_end(&c))
			return -1;
		if (!dur)
			return jr_fail(&c, "durationSeconds", "required member is missing");
		s->n_stochs++;
		jr_path(&c, "interArrivalSeconds", p2, sizeof p2);
		if (dist_parse(&o->inter, inter, s->doc.file, p2, s->dir, e))
			return -1;
		jr_path(&c, "durationSeconds", p2, sizeof p2);
		if (dist_parse(&o->dur, dur, s->doc.file, p2, s->dir, e))
			return -1;
		if (!azs) {
			if (s->n_azs == 0)
				return jr_fail(&c, "availabilityZones",
					       "required when $.instances names no availability zone");
			o->azs = xcalloc(s->n_azs, sizeof *o->azs);
			memcpy(o->azs, s->azs, s->n_azs * sizeof *o->azs);
			o->n_azs = s->n_azs;
			return 0;
		}
		o->azs = xcalloc((size_t)cJSON_GetArraySize(azs) + 1, sizeof *o->azs);
		cJSON_ArrayForEach(a, azs) {
			snprintf(p2, sizeof p2, "%s.availabilityZones[%zu]", path, j++);
			if (jv_str(a, s->doc.file, p2, &o->azs[o->n_azs], e) ||
			    check_az(s, o->azs[o->n_azs], p2, e))
				return -1;
			if (gen_in_list(o->azs, o->n_azs, o->azs[o->n_azs]))
				return err_at(e, s->doc.file, 0, 0, p2,
					      "availability zone '%s' listed twice", o->azs[o->n_azs]);
			o->n_azs++;
		}
		if (o->n_azs == 0)
			return jr_fail(&c, "availabilityZones", "expected at least one availability zone");
		return 0;
	}
	return jr_fail(&c, NULL, "expected atSeconds (a scheduled outage) or interArrivalSeconds "
		       "(stochastic outages)");
}

static int read_outages(struct gen_spec *s, const cJSON *arr, struct err *e)
{
	const cJSON *m;
	size_t k = 0, n;

	if (!arr)
		return 0;
	n = (size_t)cJSON_GetArraySize(arr) + 1;
	s->scheds = xcalloc(n, sizeof *s->scheds);
	s->stochs = xcalloc(n, sizeof *s->stochs);
	cJSON_ArrayForEach(m, arr)
		if (read_outage(s, m, k++, e))
			return -1;
	return 0;
}

static char *base_name(const char *file)
{
	const char *b = strrchr(file, '/');
	size_t n;

	b = b ? b + 1 : file;
	n = strlen(b);
	if (n > 5 && strcmp(b + n - 5, ".json") == 0)
		n -= 5;
	return xstrndup(b, n);
}

static int read_spec(struct gen_spec *s, struct err *e)
{
	static const char *const keys[] = { "name", "description", "seed", "durationSeconds",
					    "firstInstance", "instances", "tasks",
					    "instanceFailures", "azOutages", NULL };
	const cJSON *inst, *tasks, *fail, *outages;
	const char *name, *desc;
	int64_t seed;
	struct jr c;

	if (jr_open(&c, s->doc.root, s->doc.file, "$", e) || jr_only(&c, keys) ||
	    jr_opt_str(&c, "name", NULL, &name) || jr_opt_str(&c, "description", "", &desc) ||
	    jr_opt_int(&c, "seed", 1, 0, INT64_MAX, &seed) ||
	    jr_req_num(&c, "durationSeconds", 0.001, 1e9, &s->duration) ||
	    jr_opt_int(&c, "firstInstance", 1, 1, 99999999, &s->first_instance) ||
	    jr_opt_array(&c, "instances", &inst) || jr_opt_array(&c, "tasks", &tasks) ||
	    jr_opt_object(&c, "instanceFailures", &fail) ||
	    jr_opt_array(&c, "azOutages", &outages) || jr_end(&c))
		return -1;
	if (name && (!*name || strchr(name, '/')))
		return jr_fail(&c, "name", "expected a non-empty name without '/', got \"%s\"", name);
	s->name = name ? xstrdup(name) : base_name(s->doc.file);
	s->seed = (uint64_t)seed;
	return read_instances(s, inst, e) || read_tasks(s, tasks, e) ||
	       read_failures(s, fail, e) || read_outages(s, outages, e) ? -1 : 0;
}

static char *dir_of(const char *file)
{
	const char *slash = strrchr(file, '/');

	return slash ? xstrndup(file, (size_t)(slash - file)) : NULL;
}

static struct gen_spec *finish_load(struct gen_spec *s, int rc, const char *base_dir,
				    struct err *e)
{
	if (rc == 0) {
		s->dir = base_dir ? xstrdup(base_dir) : NULL;
		if (read_spec(s, e) == 0)
			return s;
	}
	gen_spec_free(s);
	return NULL;
}

struct gen_spec *gen_spec_load(const char *path, struct err *e)
{
	struct gen_spec *s = xcalloc(1, sizeof *s);
	char *dir = dir_of(path);
	int rc = jdoc_load(&s->doc, path, e);

	s = finish_load(s, rc, dir, e);
	free(dir);
	return s;
}

struct gen_spec *gen_spec_parse(const char *file, const char *text, size_t len,
				const char *base_dir, struct err *e)
{
	struct gen_spec *s = xcalloc(1, sizeof *s);

	return finish_load(s, jdoc_parse(&s->doc, file, text, len, e), base_dir, e);
}

void gen_spec_free(struct gen_spec *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_tasks; i++) {
		free(s->tasks[i].tds);
		free(s->tasks[i].weights);
		if (s->tasks[i].table)
			gsl_ran_discrete_free(s->tasks[i].table);
		dist_free(&s->tasks[i].runtime);
	}
	for (size_t i = 0; i < s->n_stochs; i++) {
		dist_free(&s->stochs[i].inter);
		dist_free(&s->stochs[i].dur);
		free(s->stochs[i].azs);
	}
	dist_free(&s->ttf);
	dist_free(&s->ttr);
	free(s->tasks);
	free(s->groups);
	free(s->azs);
	free(s->fail_types);
	free(s->scheds);
	free(s->stochs);
	free(s->name);
	free(s->dir);
	jdoc_free(&s->doc);
	free(s);
}

const char *gen_spec_name(const struct gen_spec *s)
{
	return s->name;
}
