/* models/gen.c — the trace generator behind `ecsim gen` (models/gen.h).
 *
 * The spec is read strictly (sim/jsonrd.h: unknown members are errors with
 * their JSON path) and kept with its cJSON tree, whose strings it uses.
 * Generation is a set of processes, each with exactly one pending event, in
 * a binary heap keyed by (time in ms, process index); the process index
 * follows declaration order (instance registrations, scheduled outages,
 * stochastic outage processes, instance failure processes by instance
 * number, task processes), so rows that tie in time come out in a fixed
 * order.  When a process's event is emitted it computes its next one.
 *
 *  - task arrivals: a non-homogeneous Poisson process by thinning
 *    (Lewis and Shedler 1979): candidates from a homogeneous process at the
 *    curve's maximum rate, each kept with probability rate(t) / max rate;
 *    exponential gaps and acceptance uniforms from "gen/<name>/arrivals",
 *    the task definition through gsl_ran_discrete from "gen/<name>/mix",
 *    the run time from "gen/<name>/runtime";
 *  - instance failures: an alternating renewal process per instance (up for
 *    a time-to-failure, down for a time-to-repair; never failed while down),
 *    stream "gen/failures/<instance id>";
 *  - stochastic AZ outages: an alternating renewal process per AZ
 *    (interArrivalSeconds up, durationSeconds down), stream
 *    "gen/outages/<k>/<az>".
 * Streams are created failures first, then outages, then tasks, so adding a
 * task process never changes failure or outage draws (sim/rng.h).
 */
#include "gen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/csvout.h"
#include "sim/dist.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"
#include "sim/rng.h"

#define MAX_SECONDS 1e12               /* the trace format's limit */
#define MAX_INSTANCES 1000000
#define HOURS 24

const char *const gen_columns[7] = { "time_s", "event", "target", "taskdef", "count",
				     "duration_s", "group" };

struct igroup {
	const char *type, *az;
	int64_t count;
};

enum curve { CURVE_NONE, CURVE_COSINE, CURVE_HOURLY };

struct tproc {
	const char *name, *group;
	char dflt_name[32];           /* "task<n>" when the spec gives no name */
	const char **tds;
	double *weights;
	size_t n_td;
	gsl_ran_discrete_t *table;
	double rate;
	enum curve curve;
	double amplitude, peak_hour, hourly[HOURS];
	double max_mult;
	struct dist runtime;
	int has_runtime;
	int64_t count;
};

struct sched {
	const char *az;
	double at, dur;
};

struct stoch {
	struct dist inter, dur;
	const char **azs;
	size_t n_azs;
};

struct gen_spec {
	struct jdoc doc;
	char *name, *dir;
	uint64_t seed;
	double duration;
	int64_t first_instance;
	struct igroup *groups;
	size_t n_groups;
	int64_t n_instances;
	const char **azs;              /* distinct AZs of the instances, first-seen order */
	size_t n_azs;
	struct tproc *tasks;
	size_t n_tasks;
	int has_failures, has_repair;
	struct dist ttf, ttr;
	const char **fail_types;
	size_t n_fail_types;
	struct sched *scheds;
	size_t n_scheds;
	struct stoch *stochs;
	size_t n_stochs;
};

/* ---- reading the spec ---- */

static int in_list(const char *const *list, size_t n, const char *s)
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

	if (s->n_instances == 0 || in_list(s->azs, s->n_azs, az))
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
		if (!in_list(s->azs, s->n_azs, g->az))
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
		    jr_opt_int(&c, "count", 1, 1, 10, &t->count))
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
			if (in_list(o->azs, o->n_azs, o->azs[o->n_azs]))
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

/* ---- generating ---- */

enum pkind { P_REGISTER, P_SCHED, P_STOCH, P_FAIL, P_TASK };

struct proc {
	enum pkind kind;
	size_t a, b;            /* group / outage / task index; AZ index; instance number */
	sim_time_t next;        /* time of the pending event, ms */
	double t;               /* task arrivals: the candidate time in seconds */
	gsl_rng *r, *mix, *rt;
};

struct gen {
	const struct gen_spec *s;
	struct rng_reg *rng;
	sim_time_t until;
	struct proc *p;
	size_t np;
	size_t *heap;
	size_t nh;
	char target[32];
};

static sim_time_t to_ms(double s)
{
	if (!(s > 0))
		return 0;
	if (s > MAX_SECONDS)
		s = MAX_SECONDS;
	return (sim_time_t)floor(s * 1000.0 + 0.5);
}

/* A drawn duration in ms, at least 1 ms. */
static sim_time_t draw_ms(const struct dist *d, gsl_rng *r)
{
	sim_time_t ms = to_ms(dist_sample(d, r));

	return ms > 0 ? ms : 1;
}

static double rate_at(const struct tproc *t, double sec)
{
	double hour = fmod(sec / 3600.0, HOURS);

	switch (t->curve) {
	case CURVE_COSINE:
		return t->rate * (1 + t->amplitude * cos(2 * M_PI * (hour - t->peak_hour) / HOURS));
	case CURVE_HOURLY:
		return t->rate * t->hourly[(int)hour % HOURS];
	default:
		return t->rate;
	}
}

/* Advance a task process to its next accepted arrival (thinning). */
static void next_arrival(struct gen *g, struct proc *p)
{
	const struct tproc *t = &g->s->tasks[p->a];
	double lmax = t->rate * t->max_mult;
	double until_s = (double)g->until / 1000.0;

	p->next = SIM_TIME_MAX;
	if (!(lmax > 0))
		return;
	for (;;) {
		p->t += gsl_ran_exponential(p->r, 1.0 / lmax);
		if (p->t >= until_s)
			return;
		if (gsl_rng_uniform(p->r) * lmax < rate_at(t, p->t)) {
			p->next = to_ms(p->t);
			return;
		}
	}
}

static int before(const struct gen *g, size_t x, size_t y)
{
	const struct proc *a = &g->p[x], *b = &g->p[y];

	return a->next < b->next || (a->next == b->next && x < y);
}

static void sift_up(struct gen *g, size_t i)
{
	while (i > 0) {
		size_t up = (i - 1) / 2, tmp;

		if (!before(g, g->heap[i], g->heap[up]))
			break;
		tmp = g->heap[i];
		g->heap[i] = g->heap[up];
		g->heap[up] = tmp;
		i = up;
	}
}

static void sift_down(struct gen *g, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i, tmp;

		if (l < g->nh && before(g, g->heap[l], g->heap[m]))
			m = l;
		if (l + 1 < g->nh && before(g, g->heap[l + 1], g->heap[m]))
			m = l + 1;
		if (m == i)
			break;
		tmp = g->heap[i];
		g->heap[i] = g->heap[m];
		g->heap[m] = tmp;
		i = m;
	}
}

static int fails(const struct gen_spec *s, const char *type)
{
	return s->has_failures && (s->n_fail_types == 0 ||
				   in_list(s->fail_types, s->n_fail_types, type));
}

static struct proc *add(struct gen *g, enum pkind kind, size_t a, size_t b, sim_time_t next)
{
	struct proc *p = &g->p[g->np++];

	p->kind = kind;
	p->a = a;
	p->b = b;
	p->next = next;
	return p;
}

struct gen *gen_open(const struct gen_spec *s, const struct gen_opts *o)
{
	struct gen *g = xcalloc(1, sizeof *g);
	size_t cap = 1 + s->n_scheds + s->n_tasks, inst = 0;
	char name[300];

	for (size_t i = 0; i < s->n_stochs; i++)
		cap += s->stochs[i].n_azs;
	if (s->has_failures)
		cap += (size_t)s->n_instances;
	g->s = s;
	g->rng = rng_new(o && o->has_seed ? o->seed : s->seed);
	g->until = to_ms(o && o->duration_s > 0 ? o->duration_s : s->duration);
	g->p = xcalloc(cap, sizeof *g->p);
	g->heap = xcalloc(cap, sizeof *g->heap);
	if (s->n_instances > 0) {
		size_t first = 0;

		while (s->groups[first].count == 0)
			first++;
		add(g, P_REGISTER, first, 0, 0);
	}
	for (size_t i = 0; i < s->n_scheds; i++)
		add(g, P_SCHED, i, 0, to_ms(s->scheds[i].at));
	/* streams: failures, then outages, then tasks (see the top) */
	for (size_t gi = 0; gi < s->n_groups; gi++) {
		for (int64_t k = 0; k < s->groups[gi].count; k++, inst++) {
			struct proc *p;

			if (!fails(s, s->groups[gi].type))
				continue;
			snprintf(name, sizeof name, "gen/failures/ci-%05lld",
				 (long long)(s->first_instance + (int64_t)inst));
			p = add(g, P_FAIL, gi, (size_t)s->first_instance + inst, 0);
			p->r = rng_stream(g->rng, name);
			p->next = to_ms(dist_sample(&s->ttf, p->r));
		}
	}
	for (size_t i = 0; i < s->n_stochs; i++) {
		for (size_t j = 0; j < s->stochs[i].n_azs; j++) {
			struct proc *p = add(g, P_STOCH, i, j, 0);

			snprintf(name, sizeof name, "gen/outages/%zu/%s", i, s->stochs[i].azs[j]);
			p->r = rng_stream(g->rng, name);
			p->next = to_ms(dist_sample(&s->stochs[i].inter, p->r));
		}
	}
	for (size_t i = 0; i < s->n_tasks; i++) {
		struct proc *p = add(g, P_TASK, i, 0, 0);

		snprintf(name, sizeof name, "gen/%s/arrivals", s->tasks[i].name);
		p->r = rng_stream(g->rng, name);
		snprintf(name, sizeof name, "gen/%s/mix", s->tasks[i].name);
		p->mix = rng_stream(g->rng, name);
		snprintf(name, sizeof name, "gen/%s/runtime", s->tasks[i].name);
		p->rt = rng_stream(g->rng, name);
		next_arrival(g, p);
	}
	for (size_t i = 0; i < g->np; i++) {
		if (g->p[i].next >= g->until)
			continue;
		g->heap[g->nh++] = i;
		sift_up(g, g->nh - 1);
	}
	return g;
}

void gen_close(struct gen *g)
{
	if (!g)
		return;
	rng_free(g->rng);
	free(g->p);
	free(g->heap);
	free(g);
}

size_t gen_memory(const struct gen *g)
{
	return sizeof *g + g->np * (sizeof *g->p + sizeof *g->heap);
}

/* Emit p's pending event into row and schedule its next one. */
static void fire(struct gen *g, struct proc *p, struct trace_row *row)
{
	const struct gen_spec *s = g->s;

	row->t = p->next;
	switch (p->kind) {
	case P_REGISTER:
		row->ev = TR_REGISTER_INSTANCE;
		row->target = s->groups[p->a].type;
		row->group = s->groups[p->a].az;
		row->count = s->groups[p->a].count;
		/* the next non-empty group, at the same time */
		do
			p->a++;
		while (p->a < s->n_groups && s->groups[p->a].count == 0);
		if (p->a >= s->n_groups)
			p->next = SIM_TIME_MAX;
		break;
	case P_SCHED:
		row->ev = TR_AZ_OUTAGE;
		row->target = s->scheds[p->a].az;
		row->duration = to_ms(s->scheds[p->a].dur);
		p->next = SIM_TIME_MAX;
		break;
	case P_STOCH: {
		const struct stoch *o = &s->stochs[p->a];

		row->ev = TR_AZ_OUTAGE;
		row->target = o->azs[p->b];
		row->duration = draw_ms(&o->dur, p->r);
		p->next += row->duration + draw_ms(&o->inter, p->r);
		break;
	}
	case P_FAIL:
		snprintf(g->target, sizeof g->target, "ci-%05lld", (long long)p->b);
		row->ev = TR_INSTANCE_FAIL;
		row->target = g->target;
		if (s->has_repair) {
			row->duration = draw_ms(&s->ttr, p->r);
			p->next += row->duration + draw_ms(&s->ttf, p->r);
		} else {
			p->next = SIM_TIME_MAX;
		}
		break;
	case P_TASK: {
		const struct tproc *t = &s->tasks[p->a];

		row->ev = TR_RUN_TASK;
		row->taskdef = t->tds[gsl_ran_discrete(p->mix, t->table)];
		row->group = t->group;
		row->count = t->count;
		if (t->has_runtime)
			row->duration = to_ms(dist_sample(&t->runtime, p->rt));
		next_arrival(g, p);
		break;
	}
	}
}

int gen_next(struct gen *g, struct trace_row *row)
{
	struct proc *p;

	if (g->nh == 0)
		return 0;
	memset(row, 0, sizeof *row);
	row->target = row->taskdef = row->group = "";
	row->count = 1;
	row->duration = -1;
	p = &g->p[g->heap[0]];
	fire(g, p, row);
	if (p->next >= g->until)
		g->heap[0] = g->heap[--g->nh];
	sift_down(g, 0);
	return 1;
}

/* An upper estimate of the rows a spec writes: every instance registered,
 * each task process at its curve's largest rate for the whole duration,
 * each instance failing once per mean time to failure, each scheduled
 * outage, each stochastic outage process once per mean inter-arrival. */
double gen_expected_rows(const struct gen_spec *s, const struct gen_opts *o)
{
	double dur = o && o->duration_s > 0 ? o->duration_s : s->duration;
	double n = (double)s->n_instances + (double)s->n_scheds;

	for (size_t i = 0; i < s->n_tasks; i++)
		n += s->tasks[i].rate * s->tasks[i].max_mult * dur;
	if (s->has_failures) {
		double m = dist_mean(&s->ttf);

		if (m > 0 && isfinite(m))
			n += (double)s->n_instances * dur / m;
	}
	for (size_t i = 0; i < s->n_stochs; i++) {
		double m = dist_mean(&s->stochs[i].inter);

		if (m > 0 && isfinite(m))
			n += dur / m;
	}
	return n;
}

int gen_write(const struct gen_spec *s, const struct gen_opts *o, const char *out,
	      int64_t *rows, struct err *e)
{
	struct csvout *w;
	struct trace_row r;
	struct gen *g;
	int64_t n = 0;

	w = strcmp(out, "-") == 0 ? csvout_open_stream(stdout, "stdout", gen_columns, 7, e)
				  : csvout_open(out, gen_columns, 7, e);
	if (!w)
		return -1;
	g = gen_open(s, o);
	while (gen_next(g, &r)) {
		csvout_ms(w, r.t);
		csvout_str(w, trace_event_name(r.ev));
		csvout_str(w, r.target);
		csvout_str(w, r.taskdef);
		if (r.ev == TR_RUN_TASK || r.ev == TR_REGISTER_INSTANCE)
			csvout_int(w, r.count);
		else
			csvout_empty(w);
		csvout_ms(w, r.duration);
		csvout_str(w, r.group);
		csvout_endrow(w);
		n++;
	}
	gen_close(g);
	if (rows)
		*rows = n;
	return csvout_close(w, e);
}
