/* models/scenario.c — loading and checking a scenario file.
 *
 * Every member is read through sim/jsonrd's path-aware cursor, so a bad
 * value is reported as "FILE: $.instanceGroups[1].count: expected integer
 * in [1, 5000], got 0", and jr_end() refuses members nobody read.  Seconds
 * in the file become integer milliseconds here, once (rounded to nearest).
 * Defaults follow docs/ecs-model.md (§2.1 registered memory, §7.3 agent
 * settings) and are listed in scenarios/README.md.
 */
#include "scenario.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/hmap.h"
#include "sim/jsonptr.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

#define MAX_INSTANCES_PER_GROUP 100000
#define MAX_CUSTOM_ATTRS 10        /* docs/ecs-model.md §2.2 */

static int read_agent_into(struct scenario *s, const cJSON *obj, const char *path,
			   const struct scn_timing *base, struct scn_timing *out, int *own_pull,
			   struct err *e);

static sim_time_t sec_to_ms(double s)
{
	return sim_ms(s);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	return xstrndup(path, (size_t)(slash - path) + (slash == path));
}

static char *resolve(const char *dir, const char *rel)
{
	char *out;
	size_t n;

	if (rel[0] == '/' || !dir || strcmp(dir, ".") == 0)
		return xstrdup(rel);
	n = strlen(dir) + strlen(rel) + 2;
	out = xmalloc(n);
	snprintf(out, n, "%s/%s", dir, rel);
	return out;
}

static char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	const char *dot;

	b = b ? b + 1 : path;
	dot = strrchr(b, '.');
	return dot && dot != b ? xstrndup(b, (size_t)(dot - b)) : xstrdup(b);
}

static void settings_free(struct scn_instance_settings *st)
{
	free(st->ami_id);
	free(st->agent_version);
	free(st->os_family);
}

static void settings_copy(struct scn_instance_settings *d, const struct scn_instance_settings *s)
{
	*d = *s;
	d->ami_id = xstrdup(s->ami_id);
	d->agent_version = xstrdup(s->agent_version);
	d->os_family = xstrdup(s->os_family);
}

static int valid_attr_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 128)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_/\\.", *s))
			return 0;
	return 1;
}

static int valid_attr_value(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 128 || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_/\\.@: ", *s))
			return 0;
	return 1;
}

/* Attributes set from the instance itself (docs/ecs-model.md choice D1). */
static int builtin_attr(const char *name)
{
	static const char *const b[] = { "ecs.availability-zone", "ecs.instance-type",
		"ecs.os-type", "ecs.os-family", "ecs.cpu-architecture", "ecs.ami-id" };

	for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
		if (strcmp(name, b[i]) == 0)
			return 1;
	return 0;
}

static int read_settings(const cJSON *obj, const char *file, const char *path,
			 const struct scn_instance_settings *dflt,
			 struct scn_instance_settings *out, struct err *e)
{
	struct jr c;
	const char *ami, *agent, *osf;
	int rc;

	settings_copy(out, dflt);
	if (!obj)
		return 0;
	if (jr_open(&c, obj, file, path, e))
		return -1;
	rc = jr_opt_int(&c, "reservedMemoryMiB", dflt->reserved_memory_mib, 0, 1 << 30,
			&out->reserved_memory_mib) ||
	     jr_opt_num(&c, "memoryOsFactor", dflt->memory_os_factor, 0.5, 1.0,
			&out->memory_os_factor) ||
	     jr_opt_str(&c, "amiId", dflt->ami_id, &ami) ||
	     jr_opt_str(&c, "agentVersion", dflt->agent_version, &agent) ||
	     jr_opt_str(&c, "osFamily", dflt->os_family, &osf) ||
	     jr_opt_bool(&c, "taskEniCapability", dflt->task_eni, &out->task_eni) ||
	     jr_opt_bool(&c, "eniTrunking", dflt->trunking, &out->trunking) ||
	     jr_end(&c);
	if (rc)
		return -1;
	free(out->ami_id);
	free(out->agent_version);
	free(out->os_family);
	out->ami_id = xstrdup(ami);
	out->agent_version = xstrdup(agent);
	out->os_family = xstrdup(osf);
	if (strcmp(osf, "LINUX") != 0 && strncmp(osf, "WINDOWS_SERVER_", 15) != 0)
		return jr_fail(&c, "osFamily", "expected LINUX or WINDOWS_SERVER_*, got \"%s\"", osf);
	return 0;
}

static int read_instance_types(struct scenario *s, const cJSON *arr, struct err *e)
{
	int i = 0;

	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		char path[96];
		struct jr c;
		struct catalog_type t = { 0 };
		const char *name, *arch;
		int64_t vcpu, enis, trunk, gpus;
		double mem_gib;

		snprintf(path, sizeof path, "$.instanceTypes[%d]", i);
		if (jr_open(&c, it, s->file, path, e) ||
		    jr_req_str(&c, "name", &name) ||
		    jr_req_int(&c, "vcpu", 1, 4096, &vcpu) ||
		    jr_req_num(&c, "memoryGiB", 0.125, 65536, &mem_gib) ||
		    jr_opt_int(&c, "maxEnis", 2, 1, 1000, &enis) ||
		    jr_opt_int(&c, "trunkTasks", 0, 0, 10000, &trunk) ||
		    jr_opt_str(&c, "architecture", "x86_64", &arch) ||
		    jr_opt_int(&c, "gpus", 0, 0, 64, &gpus) ||
		    jr_end(&c))
			return -1;
		if (strcmp(arch, "x86_64") != 0 && strcmp(arch, "arm64") != 0)
			return jr_fail(&c, "architecture", "expected x86_64 or arm64, got \"%s\"", arch);
		t.name = (char *)name;
		t.vcpu = (int)vcpu;
		t.mem_mib = (int64_t)llround(mem_gib * 1024);
		t.max_enis = (int)enis;
		t.trunk_tasks = (int)trunk;
		t.arch = (char *)arch;
		t.gpus = (int)gpus;
		catalog_put(s->catalog, &t);
	}
	return 0;
}

static int read_attrs(const cJSON *obj, const char *file, const char *path,
		      struct scn_attr **out, int *n_out, struct err *e)
{
	int n = 0;

	*out = NULL;
	*n_out = 0;
	if (!obj)
		return 0;
	if (!cJSON_IsObject(obj))
		return err_at(e, file, 0, 0, path, "expected an object of attribute names to values, got %s",
			      jtype_name(obj));
	*out = xcalloc((size_t)cJSON_GetArraySize(obj) + 1, sizeof **out);
	for (const cJSON *a = obj->child; a; a = a->next) {
		char p[600];

		snprintf(p, sizeof p, "%s.%s", path, a->string);
		if (!valid_attr_name(a->string))
			return err_at(e, file, 0, 0, p,
				      "attribute names are 1-128 letters, digits, '-', '_', '/', '\\', '.'");
		if (builtin_attr(a->string))
			return err_at(e, file, 0, 0, p,
				      "built-in attribute: it is set from the instance itself");
		if (!cJSON_IsNull(a) && !cJSON_IsString(a))
			return err_at(e, file, 0, 0, p, "expected a string or null, got %s", jtype_name(a));
		if (cJSON_IsString(a) && !valid_attr_value(a->valuestring))
			return err_at(e, file, 0, 0, p,
				      "attribute values are 1-128 characters (letters, digits, '-_/\\.@: '), no leading or trailing space");
		if (strncmp(a->string, "ecs.", 4) != 0 && ++n > MAX_CUSTOM_ATTRS)
			return err_at(e, file, 0, 0, path, "at most %d custom attributes per instance",
				      MAX_CUSTOM_ATTRS);
		(*out)[*n_out].name = xstrdup(a->string);
		(*out)[*n_out].value = cJSON_IsString(a) ? xstrdup(a->valuestring) : NULL;
		(*n_out)++;
	}
	return 0;
}

/* A group's failure, Auto Scaling and Spot settings (docs/ecs-model.md §8.3,
 * §8.4, §5.13). */
static int read_group_faults(struct scenario *s, struct scn_group *g, const char *path,
			     const cJSON *fail, const cJSON *asg, const cJSON *spot,
			     struct err *e)
{
	char p[200];
	struct jr c;
	double delay;

	g->replace_delay = 120000;
	if (fail) {
		const cJSON *ttf, *ttr;

		snprintf(p, sizeof p, "%s.failures", path);
		if (jr_open(&c, fail, s->file, p, e))
			return -1;
		ttf = jr_get(&c, "timeToFailureSeconds");
		ttr = jr_get(&c, "timeToRepairSeconds");
		if (jr_end(&c))
			return -1;
		if (!ttf)
			return jr_fail(&c, "timeToFailureSeconds", "required member is missing");
		snprintf(p, sizeof p, "%s.failures.timeToFailureSeconds", path);
		if (dist_parse(&g->ttf, ttf, s->file, p, s->dir, e))
			return -1;
		g->has_failures = 1;
		if (ttr) {
			snprintf(p, sizeof p, "%s.failures.timeToRepairSeconds", path);
			if (dist_parse(&g->ttr, ttr, s->file, p, s->dir, e))
				return -1;
			g->has_repair = 1;
		}
	}
	if (asg) {
		snprintf(p, sizeof p, "%s.autoScaling", path);
		if (jr_open(&c, asg, s->file, p, e) ||
		    jr_opt_bool(&c, "replaceFailed", 1, &g->replace) ||
		    jr_opt_num(&c, "replacementDelaySeconds", 120, 0, 1e9, &delay) || jr_end(&c))
			return -1;
		g->replace_delay = sec_to_ms(delay);
	}
	if (spot) {
		const cJSON *tti;

		snprintf(p, sizeof p, "%s.spot", path);
		g->spot = 1;
		if (jr_open(&c, spot, s->file, p, e) ||
		    jr_opt_bool(&c, "draining", 0, &g->spot_draining))
			return -1;
		tti = jr_get(&c, "timeToInterruptionSeconds");
		if (jr_end(&c))
			return -1;
		if (tti) {
			snprintf(p, sizeof p, "%s.spot.timeToInterruptionSeconds", path);
			if (dist_parse(&g->tti, tti, s->file, p, s->dir, e))
				return -1;
			g->has_spot_rate = 1;
		}
	}
	return 0;
}

static int read_outages(struct scenario *s, const cJSON *arr, struct err *e)
{
	int i = 0;

	s->outages = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *s->outages);
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		char path[96], p2[160];
		struct jr c;
		struct scn_outage *o = &s->outages[s->n_outages];
		const char *az;
		const cJSON *ia, *len;
		double at, dur;

		snprintf(path, sizeof path, "$.azOutages[%d]", i);
		if (jr_open(&c, it, s->file, path, e) ||
		    jr_opt_str(&c, "availabilityZone", NULL, &az) ||
		    jr_opt_num(&c, "atSeconds", -1, 0, 1e11, &at) ||
		    jr_opt_num(&c, "fraction", 1, 0, 1, &o->fraction))
			return -1;
		ia = jr_get(&c, "interArrivalSeconds");
		len = jr_get(&c, "durationSeconds");
		if (jr_end(&c))
			return -1;
		s->n_outages++;
		if (az && !scenario_has_az(s, az))
			return jr_fail(&c, "availabilityZone",
				       "'%s' is not one of the scenario's availabilityZones", az);
		o->az = az ? xstrdup(az) : NULL;
		if (!len)
			return jr_fail(&c, "durationSeconds", "required member is missing");
		if (ia) {
			if (at >= 0)
				return jr_fail(&c, "atSeconds", "give atSeconds or interArrivalSeconds, not both");
			o->stochastic = 1;
			o->at = -1;
			snprintf(p2, sizeof p2, "%s.interArrivalSeconds", path);
			if (dist_parse(&o->interarrival, ia, s->file, p2, s->dir, e))
				return -1;
			snprintf(p2, sizeof p2, "%s.durationSeconds", path);
			if (dist_parse(&o->length, len, s->file, p2, s->dir, e))
				return -1;
		} else {
			char lp[160];

			if (at < 0)
				return jr_fail(&c, "atSeconds", "required member is missing (or give interArrivalSeconds)");
			if (!az)
				return jr_fail(&c, "availabilityZone", "required member is missing");
			snprintf(lp, sizeof lp, "%s.durationSeconds", path);
			if (jv_num(len, s->file, lp, 0, 1e11, &dur, e))
				return -1;
			o->at = sec_to_ms(at);
			o->duration = sec_to_ms(dur);
		}
	}
	return 0;
}

static int read_groups(struct scenario *s, const cJSON *arr, struct err *e)
{
	int i = 0;

	s->groups = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *s->groups);
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		char path[96], p2[160];
		struct jr c;
		struct scn_group *g = &s->groups[s->n_groups];
		const char *name, *type, *az;
		const cJSON *attrs, *settings, *fail, *asg, *spot, *disc, *gagent;
		int64_t count;

		snprintf(path, sizeof path, "$.instanceGroups[%d]", i);
		if (jr_open(&c, it, s->file, path, e))
			return -1;
		snprintf(p2, sizeof p2, "group-%d", i + 1);
		if (jr_opt_str(&c, "name", p2, &name) ||
		    jr_req_str(&c, "instanceType", &type) ||
		    jr_req_str(&c, "availabilityZone", &az) ||
		    jr_opt_int(&c, "count", 1, 0, MAX_INSTANCES_PER_GROUP, &count) ||
		    jr_opt_object(&c, "attributes", &attrs) ||
		    jr_opt_object(&c, "settings", &settings) ||
		    jr_opt_object(&c, "failures", &fail) ||
		    jr_opt_object(&c, "autoScaling", &asg) ||
		    jr_opt_object(&c, "spot", &spot) ||
		    jr_opt_object(&c, "agentDisconnects", &disc) ||
		    jr_opt_object(&c, "agent", &gagent) ||
		    jr_end(&c))
			return -1;
		s->n_groups++;
		if (gagent) {
			snprintf(p2, sizeof p2, "%s.agent", path);
			if (read_agent_into(s, gagent, p2, &s->timing, &g->timing, &g->own_pull, e))
				return -1;
			g->own_timing = 1;
		}
		if (disc) {
			struct jr dc;
			const cJSON *ia, *len;

			snprintf(p2, sizeof p2, "%s.agentDisconnects", path);
			if (jr_open(&dc, disc, s->file, p2, e))
				return -1;
			ia = jr_get(&dc, "interArrivalSeconds");
			len = jr_get(&dc, "durationSeconds");
			if (jr_end(&dc))
				return -1;
			if (!ia || !len)
				return jr_fail(&dc, ia ? "durationSeconds" : "interArrivalSeconds",
					       "required member is missing");
			snprintf(p2, sizeof p2, "%s.agentDisconnects.interArrivalSeconds", path);
			if (dist_parse(&g->disc_ia, ia, s->file, p2, s->dir, e))
				return -1;
			g->has_disconnects = 1;
			snprintf(p2, sizeof p2, "%s.agentDisconnects.durationSeconds", path);
			if (dist_parse(&g->disc_len, len, s->file, p2, s->dir, e))
				return -1;
		}
		if (read_group_faults(s, g, path, fail, asg, spot, e))
			return -1;
		g->name = xstrdup(name);
		g->az = xstrdup(az);
		g->count = (int)count;
		g->type = catalog_find(s->catalog, type);
		if (!g->type) {
			char *names = catalog_names(s->catalog);
			int rc = jr_fail(&c, "instanceType", "unknown instance type '%s'; known: %s", type, names);

			free(names);
			return rc;
		}
		if (!scenario_has_az(s, az))
			return jr_fail(&c, "availabilityZone",
				       "'%s' is not one of the scenario's availabilityZones", az);
		snprintf(p2, sizeof p2, "%s.attributes", path);
		if (read_attrs(attrs, s->file, p2, &g->attrs, &g->n_attrs, e))
			return -1;
		snprintf(p2, sizeof p2, "%s.settings", path);
		if (read_settings(settings, s->file, p2, &s->defaults, &g->settings, e))
			return -1;
	}
	return 0;
}

static void req_from_td(struct place_req *r, const struct taskdef *td)
{
	memset(r, 0, sizeof *r);
	r->cpu_units = td->cpu_units;
	r->mem_mib = td->memory_mib;
	r->ports_tcp = td->host_ports_tcp;
	r->n_ports_tcp = td->n_host_ports_tcp;
	r->ports_udp = td->host_ports_udp;
	r->n_ports_udp = td->n_host_ports_udp;
	r->eni = td->eni;
	r->gpus = td->gpu;
	r->os_family = td->os_family;
	r->cpu_arch = td->cpu_arch;
}

/* The policy a task definition places with: the scenario's strategies and
 * constraints, then the definition's own memberOf constraints (docs/ecs-model.md §1.10). */
static int build_policy(struct scenario *s, struct scn_taskdef *t, struct err *e)
{
	place_policy_free(&t->policy);
	place_policy_copy(&t->policy, &s->policy);
	for (int k = 0; k < t->td->n_constraints; k++) {
		char path[64];

		snprintf(path, sizeof path, "$.placementConstraints[%d].expression", k);
		if (place_add_member_of(&t->policy, t->td->constraints[k],
					t->path[0] ? t->path : s->file, path, e))
			return -1;
	}
	return 0;
}

/* A bare container array with the task-level members its deployment tool
 * declares elsewhere (Terraform's `cpu`, `memory`, `network_mode`,
 * `requires_compatibilities`): wrapped into the RegisterTaskDefinition shape
 * and checked by the same rules. */
static struct taskdef *load_with_task_level(const char *scn_file, const char *path,
					    const char *family, const cJSON *task_level,
					    const char *where, struct err *e)
{
	static const char *const members[] = { "cpu", "memory", "networkMode",
		"requiresCompatibilities", "runtimePlatform", NULL };
	struct jdoc d;
	struct jr c;
	cJSON *obj;
	struct taskdef *td;

	if (jr_open(&c, task_level, scn_file, where, e) || jr_only(&c, members))
		return NULL;
	if (jdoc_load(&d, path, e))
		return NULL;
	if (!cJSON_IsArray(d.root)) {
		jdoc_free(&d);
		err_at(e, scn_file, 0, 0, where,
		       "only for a bare array of container definitions ('%s' is a whole task definition)",
		       path);
		return NULL;
	}
	obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "family", family);
	cJSON_AddItemToObject(obj, "containerDefinitions", cJSON_Duplicate(d.root, 1));
	for (const cJSON *m = task_level->child; m; m = m->next)
		cJSON_AddItemToObject(obj, m->string, cJSON_Duplicate(m, 1));
	td = taskdef_from_json(obj, path, "$", family, e);
	cJSON_Delete(obj);
	jdoc_free(&d);
	return td;
}

static int add_taskdef(struct scenario *s, const char *name, const char *path,
		       const char *family, double fail_p, const cJSON *task_level,
		       const char *where, struct err *e)
{
	struct scn_taskdef *t;
	struct taskdef *td;

	if (task_level)
		td = load_with_task_level(s->file, path, family, task_level, where, e);
	else
		td = taskdef_load(path, family, e);
	if (!td)
		return -1;
	if (taskdef_check_ec2(td, path, e)) {   /* docs/ecs-model.md choice B22 */
		taskdef_free(td);
		return -1;
	}
	XGROW(s->taskdefs, s->cap_taskdefs, (size_t)s->n_taskdefs + 1);
	t = &s->taskdefs[s->n_taskdefs++];
	memset(t, 0, sizeof *t);
	t->name = xstrdup(name);
	t->path = xstrdup(path);
	t->td = td;
	t->start_failure_p = fail_p;
	place_policy_init(&t->policy);
	req_from_td(&t->req, td);
	return build_policy(s, t, e);
}

static int read_taskdefs(struct scenario *s, const cJSON *obj, struct err *e)
{
	for (const cJSON *it = obj->child; it; it = it->next) {
		char path[300];
		const char *file = NULL, *family = NULL;
		const cJSON *task_level = NULL;
		char *full, where[400];
		double fail_p = -1;
		int rc;

		snprintf(path, sizeof path, "$.taskDefinitions.%s", it->string);
		if (cJSON_IsString(it)) {
			file = it->valuestring;
		} else if (cJSON_IsObject(it)) {
			struct jr c;

			if (jr_open(&c, it, s->file, path, e) || jr_req_str(&c, "file", &file) ||
			    jr_opt_str(&c, "family", NULL, &family) ||
			    jr_opt_num(&c, "startFailureProbability", -1, 0, 1, &fail_p) ||
			    jr_opt_object(&c, "taskLevel", &task_level) || jr_end(&c))
				return -1;
		} else {
			return err_at(e, s->file, 0, 0, path,
				      "expected a file path or {\"file\": ..., \"family\": ...}, got %s",
				      jtype_name(it));
		}
		full = resolve(s->dir, file);
		snprintf(where, sizeof where, "%s.taskLevel", path);
		rc = add_taskdef(s, it->string, full, family ? family : it->string, fail_p, task_level,
				 where, e);
		free(full);
		if (rc)
			return -1;
	}
	return 0;
}

static int find_taskdef_name(const struct scenario *s, const char *name)
{
	for (int i = 0; i < s->n_taskdefs; i++)
		if (strcmp(s->taskdefs[i].name, name) == 0)
			return i;
	return -1;
}

static int read_generators(struct scenario *s, const cJSON *arr, struct err *e)
{
	int i = 0;

	s->gens = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *s->gens);
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		char path[96], p2[160];
		struct jr c;
		struct scn_generator *g = &s->gens[s->n_gens];
		const char *name, *group;
		const cJSON *ia, *mix, *rt;
		double start, stop;
		int64_t max_tasks, count;
		int k = 0;

		snprintf(path, sizeof path, "$.workload.generators[%d]", i);
		if (jr_open(&c, it, s->file, path, e))
			return -1;
		snprintf(p2, sizeof p2, "gen%d", i + 1);
		if (jr_opt_str(&c, "name", p2, &name) ||
		    jr_opt_num(&c, "startSeconds", 0, 0, 1e12, &start) ||
		    jr_opt_num(&c, "stopSeconds", -1, 0, 1e12, &stop) ||
		    jr_opt_int(&c, "maxTasks", 0, 0, INT64_C(1) << 50, &max_tasks) ||
		    jr_opt_str(&c, "group", NULL, &group) ||
		    jr_opt_int(&c, "count", 1, 1, 10, &count) ||
		    jr_req_array(&c, "taskDefinitions", &mix))
			return -1;
		ia = jr_get(&c, "interArrivalSeconds");
		rt = jr_get(&c, "runtimeSeconds");
		if (jr_end(&c))
			return -1;
		s->n_gens++;
		g->name = xstrdup(name);
		g->group = group ? xstrdup(group) : NULL;
		g->start = sec_to_ms(start);
		g->stop = stop < 0 ? SIM_TIME_MAX : sec_to_ms(stop);
		g->max_tasks = max_tasks;
		g->count = (int)count;
		if (!ia)
			return jr_fail(&c, "interArrivalSeconds", "required member is missing");
		snprintf(p2, sizeof p2, "%s.interArrivalSeconds", path);
		if (dist_parse(&g->interarrival, ia, s->file, p2, s->dir, e))
			return -1;
		if (dist_mean(&g->interarrival) <= 0 && g->interarrival.kind == DIST_CONSTANT)
			return jr_fail(&c, "interArrivalSeconds", "must be > 0");
		if (rt) {
			snprintf(p2, sizeof p2, "%s.runtimeSeconds", path);
			if (dist_parse(&g->runtime, rt, s->file, p2, s->dir, e))
				return -1;
			g->has_runtime = 1;
		}
		if (cJSON_GetArraySize(mix) == 0)
			return jr_fail(&c, "taskDefinitions", "needs at least one entry");
		g->mix = xcalloc((size_t)cJSON_GetArraySize(mix), sizeof *g->mix);
		for (const cJSON *m = mix->child; m; m = m->next, k++) {
			struct jr mc;
			const char *tdname;
			double w;

			snprintf(p2, sizeof p2, "%s.taskDefinitions[%d]", path, k);
			if (cJSON_IsString(m)) {
				tdname = m->valuestring;
				w = 1;
			} else if (jr_open(&mc, m, s->file, p2, e) ||
				   jr_req_str(&mc, "name", &tdname) ||
				   jr_opt_num(&mc, "weight", 1, 0, 1e9, &w) || jr_end(&mc)) {
				return -1;
			}
			g->mix[k].taskdef = find_taskdef_name(s, tdname);
			g->mix[k].weight = w;
			g->n_mix++;
			if (g->mix[k].taskdef < 0)
				return err_at(e, s->file, 0, 0, p2,
					      "unknown task definition '%s' (not in $.taskDefinitions)", tdname);
		}
	}
	return 0;
}

static int read_placement(struct scenario *s, const cJSON *obj, struct err *e)
{
	struct jr c;
	const cJSON *strat, *cons;
	const char *tb;

	s->strategy_label = xstrdup("default");
	if (!obj)
		return 0;
	if (jr_open(&c, obj, s->file, "$.placement", e))
		return -1;
	strat = jr_get(&c, "strategy");
	if (jr_opt_array(&c, "constraints", &cons) ||
	    jr_opt_str(&c, "tieBreak", "random", &tb) || jr_end(&c))
		return -1;
	if (strat && cJSON_IsString(strat)) {
		if (place_template(&s->policy, strat->valuestring, e)) {
			snprintf(e->path, sizeof e->path, "$.placement.strategy");
			snprintf(e->file, sizeof e->file, "%s", s->file);
			return -1;
		}
		free(s->strategy_label);
		s->strategy_label = xstrdup(strat->valuestring);
	} else if (strat) {
		if (place_parse_strategies(&s->policy, strat, s->file, "$.placement.strategy", e))
			return -1;
		free(s->strategy_label);
		s->strategy_label = place_policy_describe(&s->policy);
	}
	if (cons && place_parse_constraints(&s->policy, cons, s->file, "$.placement.constraints", e))
		return -1;
	if (strcmp(tb, "random") == 0)
		s->policy.tie_break = PT_RANDOM;
	else if (strcmp(tb, "first") == 0)
		s->policy.tie_break = PT_FIRST;
	else
		return jr_fail(&c, "tieBreak", "expected \"random\" or \"first\", got \"%s\"", tb);
	return 0;
}

/* {"format": "google2011", "taskEvents": ..., "machineEvents": ...} or
 * {"format": "alibaba2018", "batchTask": ..., "containerMeta": ...,
 * "machineMeta": ...}, with instanceType, timeScale, maxRows, machineCores. */
static int read_import(struct scenario *s, const cJSON *obj, const char *path, struct err *e)
{
	static const char *const keys[] = { "taskEvents", "machineEvents", "batchTask",
		"containerMeta", "machineMeta" };
	struct scn_import *im = &s->imports[s->n_imports];
	struct jr c;
	const char *fmt, *type, *v[5];
	double scale, cores;
	int64_t max_rows;
	int google;

	if (jr_open(&c, obj, s->file, path, e) || jr_req_str(&c, "format", &fmt) ||
	    jr_opt_str(&c, "instanceType", IMPORT_DEFAULT_TYPE, &type) ||
	    jr_opt_num(&c, "timeScale", 1, 1e-6, 1e6, &scale) ||
	    jr_opt_int(&c, "maxRows", 0, 0, INT64_MAX, &max_rows) ||
	    jr_opt_num(&c, "machineCores", 96, 1, 1e6, &cores))
		return -1;
	for (int k = 0; k < 5; k++)
		if (jr_opt_str(&c, keys[k], NULL, &v[k]))
			return -1;
	if (jr_end(&c))
		return -1;
	google = strcmp(fmt, "google2011") == 0;
	if (!google && strcmp(fmt, "alibaba2018") != 0)
		return jr_fail(&c, "format", "expected \"google2011\" or \"alibaba2018\", got \"%s\"", fmt);
	if (google ? (!v[0] && !v[1]) : !v[2] && !v[3] && !v[4])
		return jr_fail(&c, NULL, google ? "needs taskEvents and/or machineEvents"
					       : "needs batchTask, containerMeta and/or machineMeta");
	if (!catalog_find(s->catalog, type))
		return jr_fail(&c, "instanceType", "unknown instance type '%s'", type);
	s->n_imports++;
	im->format = xstrdup(fmt);
	im->instance_type = xstrdup(type);
	im->label = xstrdup(v[0] ? v[0] : v[1] ? v[1] : v[2] ? v[2] : v[3] ? v[3] : v[4]);
	for (int k = 0; k < 5; k++)
		im->paths[k] = v[k] ? resolve(s->dir, v[k]) : NULL;
	im->opts.task_events = im->paths[0];
	im->opts.machine_events = im->paths[1];
	im->opts.batch_task = im->paths[2];
	im->opts.container_meta = im->paths[3];
	im->opts.machine_meta = im->paths[4];
	im->opts.instance_type = im->instance_type;
	im->opts.n_azs = s->n_azs < IMPORT_MAX_AZS ? s->n_azs : IMPORT_MAX_AZS;
	for (int k = 0; k < im->opts.n_azs; k++)
		im->opts.azs[k] = s->azs[k];
	im->opts.time_scale = scale;
	im->opts.max_rows = max_rows;
	im->opts.machine_cores = cores;
	for (int g = 0; g < s->n_groups; g++)
		im->opts.first_instance += s->groups[g].count;
	return 0;
}

static int read_workload(struct scenario *s, const cJSON *obj, struct err *e)
{
	struct jr c;
	const cJSON *traces, *gens;
	int i = 0;

	if (!obj)
		return 0;
	if (jr_open(&c, obj, s->file, "$.workload", e) ||
	    jr_opt_array(&c, "traces", &traces) || jr_opt_array(&c, "generators", &gens) ||
	    jr_end(&c))
		return -1;
	if (traces) {
		s->traces = xcalloc((size_t)cJSON_GetArraySize(traces) + 1, sizeof *s->traces);
		s->imports = xcalloc((size_t)cJSON_GetArraySize(traces) + 1, sizeof *s->imports);
		for (const cJSON *t = traces->child; t; t = t->next, i++) {
			char p[64];
			const char *v;

			snprintf(p, sizeof p, "$.workload.traces[%d]", i);
			if (cJSON_IsObject(t)) {
				if (read_import(s, t, p, e))
					return -1;
				continue;
			}
			if (jv_str(t, s->file, p, &v, e))
				return -1;
			s->traces[s->n_traces++] = resolve(s->dir, v);
		}
	}
	if (gens && read_generators(s, gens, e))
		return -1;
	return 0;
}

static int opt_sec(struct jr *c, const char *key, double dflt, sim_time_t *out)
{
	double v;

	if (jr_opt_num(c, key, dflt, 0, 1e9, &v))
		return -1;
	*out = sec_to_ms(v);
	return 0;
}

/* The agent's settings (a scenario's $.agent, or a group's): `out` starts as
 * a copy of `base`; an imagePullSeconds given here is parsed into out (the
 * caller owns it then: *own_pull). */
static int read_agent_into(struct scenario *s, const cJSON *obj, const char *path,
			   const struct scn_timing *base, struct scn_timing *out, int *own_pull,
			   struct err *e)
{
	struct jr c;
	const cJSON *pull;
	char p[200];

	if (out != base)
		*out = *base;
	*own_pull = 0;
	if (jr_open(&c, obj, s->file, path, e) ||
	    opt_sec(&c, "networkDelaySeconds", (double)base->network_delay / 1000, &out->network_delay) ||
	    opt_sec(&c, "imagePullCachedSeconds", (double)base->image_pull_cached / 1000, &out->image_pull_cached) ||
	    opt_sec(&c, "containerStartSeconds", (double)base->container_start / 1000, &out->container_start) ||
	    jr_opt_num(&c, "startFailureProbability", base->start_failure_p, 0, 1, &out->start_failure_p) ||
	    opt_sec(&c, "shutdownSeconds", (double)base->shutdown / 1000, &out->shutdown) ||
	    opt_sec(&c, "stopTimeoutSeconds", (double)base->stop_timeout / 1000, &out->stop_timeout) ||
	    opt_sec(&c, "eniAttachSeconds", (double)base->eni_attach / 1000, &out->eni_attach) ||
	    opt_sec(&c, "eniDetachSeconds", (double)base->eni_detach / 1000, &out->eni_detach))
		return -1;
	pull = jr_get(&c, "imagePullSeconds");
	if (jr_end(&c))
		return -1;
	if (pull) {
		snprintf(p, sizeof p, "%s.imagePullSeconds", path);
		if (dist_parse(&out->image_pull, pull, s->file, p, s->dir, e))
			return -1;
		*own_pull = 1;
	}
	return 0;
}


/* controlPlane and agent timings; defaults: docs/ecs-model.md §10.2 */
static int read_timing(struct scenario *s, const cJSON *cp, const cJSON *agent, struct err *e)
{
	struct scn_timing *t = &s->timing;
	struct jr c;
	int64_t after = 3, bmin = 3;

	*t = (struct scn_timing){
		.placement_latency = 1000, .api_latency = 100, .scheduler_delay = 10000,
		.network_delay = 50, .image_pull_cached = 1000, .container_start = 1000,
		.start_failure_p = 0, .shutdown = 2000, .stop_timeout = 30000,
		.eni_attach = 5000, .eni_detach = 5000, .heartbeat_timeout = 60000,
		.heartbeat_jitter = 60000, .healthy_after = 40000, .health_check = 30000,
		.throttle_initial = 30000, .throttle_max = 900000,
	};
	t->image_pull.kind = DIST_CONSTANT;
	t->image_pull.a = 20;
	if (cp && (jr_open(&c, cp, s->file, "$.controlPlane", e) ||
		   opt_sec(&c, "placementLatencySeconds", 1, &t->placement_latency) ||
		   opt_sec(&c, "apiLatencySeconds", 0.1, &t->api_latency) ||
		   opt_sec(&c, "schedulerDelaySeconds", 10, &t->scheduler_delay) ||
		   opt_sec(&c, "healthyAfterSeconds", 40, &t->healthy_after) ||
		   opt_sec(&c, "healthCheckSeconds", 30, &t->health_check) ||
		   opt_sec(&c, "throttleInitialSeconds", 30, &t->throttle_initial) ||
		   opt_sec(&c, "throttleMaxSeconds", 900, &t->throttle_max) ||
		   jr_opt_int(&c, "throttleAfterFailures", 3, 1, 1000, &after) ||
		   jr_opt_int(&c, "circuitBreakerMinimum", 3, 1, 200, &bmin) ||
		   opt_sec(&c, "heartbeatTimeoutSeconds", 60, &t->heartbeat_timeout) ||
		   opt_sec(&c, "heartbeatJitterSeconds", 60, &t->heartbeat_jitter) ||
		   jr_end(&c)))
		return -1;
	t->throttle_after = (int)after;
	t->breaker_min = (int)bmin;
	if (agent) {
		int own;

		return read_agent_into(s, agent, "$.agent", t, t, &own, e);
	}
	return 0;
}

/* Append a copy of constraint c to p (D11's limit of 10 applies). */
static int add_constraint(struct place_policy *p, const struct place_constraint *c,
			  const char *file, const char *path, struct err *e)
{
	if (c->type == PC_MEMBER_OF)
		return place_add_member_of(p, c->expression, file, path, e);
	if (p->n_constraints == PLACE_MAX_CONSTRAINTS)
		return err_at(e, file, 0, 0, path,
			      "more than %d placement constraints (task definition and run time together)",
			      PLACE_MAX_CONSTRAINTS);
	p->constraints[p->n_constraints].type = PC_DISTINCT_INSTANCE;
	p->constraints[p->n_constraints].expression = NULL;
	p->constraints[p->n_constraints].expr = NULL;
	p->n_constraints++;
	return 0;
}

/* A service's placement policy.  The scenario's `placement` is the default
 * of every task that does not set its own: a service without its own
 * placementStrategy takes the scenario's strategy (none: ECS's service
 * default, docs/ecs-model.md §4.6), without its own placementConstraints
 * the scenario's constraints; the tie-break is always the scenario's.
 * --strategy replaces every strategy, the service's own included, and adds
 * its template's constraints (one-task-per-host: distinctInstance).  A
 * DAEMON service takes no strategy (docs/ecs-model.md §4.10): neither the scenario's nor
 * --strategy's.  The task definition's memberOf constraints come last
 * (models/service.c swaps them on a deployment of another definition). */
static int build_service_policy(struct scenario *s, struct scn_service *v, struct err *e)
{
	const struct place_policy *strat;
	int daemon = v->sched == SCHED_DAEMON, first;
	const struct scn_taskdef *t = &s->taskdefs[v->taskdef];
	char path[300];

	place_policy_free(&v->policy);
	if (daemon)
		strat = &v->own;                 /* empty: refused at load otherwise */
	else
		strat = s->cli_strategy || !v->own_strategy ? &s->policy : &v->own;
	place_policy_init(&v->policy);
	v->policy.n_strategies = strat->n_strategies;
	for (int k = 0; k < strat->n_strategies; k++) {
		v->policy.strategies[k].type = strat->strategies[k].type;
		v->policy.strategies[k].field = strat->strategies[k].field ?
			xstrdup(strat->strategies[k].field) : NULL;
	}
	v->policy.tie_break = s->policy.tie_break;
	snprintf(path, sizeof path, "$.services[%d].placementConstraints", (int)(v - s->services));
	first = daemon ? s->n_cli_constraints : 0;
	if (v->own_constraints) {
		/* the --strategy template's constraints, then the service's */
		for (int k = first; k < s->n_cli_constraints; k++)
			if (add_constraint(&v->policy, &s->policy.constraints[k], s->file, path, e))
				return -1;
		for (int k = 0; k < v->own.n_constraints; k++)
			if (add_constraint(&v->policy, &v->own.constraints[k], s->file, path, e))
				return -1;
	} else {
		for (int k = first; k < s->policy.n_constraints; k++)
			if (add_constraint(&v->policy, &s->policy.constraints[k], s->file, path, e))
				return -1;
	}
	for (int k = 0; k < t->td->n_constraints; k++)
		if (place_add_member_of(&v->policy, t->td->constraints[k],
					t->path[0] ? t->path : s->file, "$.placementConstraints", e))
			return -1;
	free(v->strategy_label);
	if (daemon)
		v->strategy_label = xstrdup("daemon");
	else if (s->cli_strategy || !v->own_strategy)
		v->strategy_label = xstrdup(s->strategy_label);
	else
		v->strategy_label = place_policy_describe(&v->own);
	return 0;
}

/* summary.csv's strategy: the one label shared by the standalone tasks
 * (counted when the scenario has a workload, or nothing else runs) and every
 * REPLICA service; "mixed" when they differ (service_summary.csv then names
 * each service's); "daemon" when only DAEMON services run. */
static void update_summary_label(struct scenario *s)
{
	const char *one = NULL;
	int mixed = 0, replica = 0;

	for (int i = 0; i < s->n_services; i++)
		replica += s->services[i].sched != SCHED_DAEMON;
	if (s->n_traces || s->n_imports || s->n_gens || (!replica && !s->n_services))
		one = s->strategy_label;
	for (int i = 0; i < s->n_services; i++) {
		const struct scn_service *v = &s->services[i];

		if (v->sched == SCHED_DAEMON)
			continue;
		if (!one)
			one = v->strategy_label;
		else if (strcmp(one, v->strategy_label) != 0)
			mixed = 1;
	}
	free(s->summary_label);
	s->summary_label = xstrdup(mixed ? "mixed" : one ? one : "daemon");
}

static int read_services(struct scenario *s, const cJSON *arr, struct err *e)
{
	int i = 0;

	s->services = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *s->services);
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		char path[96], p2[160];
		struct jr c, dc;
		struct scn_service *v = &s->services[s->n_services];
		const char *name, *tdname, *sched, *azr;
		const cJSON *dep, *strat, *cons, *rt, *cb;
		int64_t desired, minp, maxp;
		double create_at;
		int td;

		snprintf(path, sizeof path, "$.services[%d]", i);
		if (jr_open(&c, it, s->file, path, e) ||
		    jr_req_str(&c, "serviceName", &name) ||
		    jr_req_str(&c, "taskDefinition", &tdname) ||
		    jr_opt_str(&c, "schedulingStrategy", "REPLICA", &sched) ||
		    jr_opt_int(&c, "desiredCount", 0, 0, 5000, &desired) ||
		    jr_opt_object(&c, "deploymentConfiguration", &dep) ||
		    jr_opt_array(&c, "placementStrategy", &strat) ||
		    jr_opt_array(&c, "placementConstraints", &cons) ||
		    jr_opt_num(&c, "createdAtSeconds", 0, 0, 1e11, &create_at) ||
		    jr_opt_str(&c, "availabilityZoneRebalancing", "DISABLED", &azr))
			return -1;
		rt = jr_get(&c, "runtimeSeconds");
		if (jr_end(&c))
			return -1;
		for (int k = 0; k < s->n_services; k++)
			if (strcmp(s->services[k].name, name) == 0)
				return jr_fail(&c, "serviceName", "service '%s' is declared twice", name);
		s->n_services++;
		v->name = xstrdup(name);
		place_policy_init(&v->policy);
		if (strcmp(sched, "REPLICA") == 0)
			v->sched = SCHED_REPLICA;
		else if (strcmp(sched, "DAEMON") == 0)
			v->sched = SCHED_DAEMON;
		else
			return jr_fail(&c, "schedulingStrategy", "expected REPLICA or DAEMON, got \"%s\"", sched);
		if (v->sched == SCHED_DAEMON && (strat || jr_has(&c, "desiredCount")))
			return jr_fail(&c, v->sched == SCHED_DAEMON && strat ? "placementStrategy" : "desiredCount",
				       "not used by a DAEMON service (ECS refuses it, docs/ecs-model.md §4.10)");
		td = find_taskdef_name(s, tdname);
		if (td < 0)
			return jr_fail(&c, "taskDefinition", "unknown task definition '%s' (not in $.taskDefinitions)", tdname);
		v->taskdef = td;
		v->desired = desired;
		if (strcmp(azr, "ENABLED") == 0)
			v->az_rebalancing = 1;
		else if (strcmp(azr, "DISABLED") != 0)
			return jr_fail(&c, "availabilityZoneRebalancing",
				       "expected ENABLED or DISABLED, got \"%s\"", azr);
		v->create_at = sec_to_ms(create_at);
		/* docs/ecs-model.md §5.5: REPLICA 100/200, DAEMON 0/100 */
		minp = v->sched == SCHED_DAEMON ? 0 : 100;
		maxp = v->sched == SCHED_DAEMON ? 100 : 200;
		v->breaker = 0;
		v->rollback = 0;
		if (dep) {
			snprintf(p2, sizeof p2, "%s.deploymentConfiguration", path);
			if (jr_open(&dc, dep, s->file, p2, e) ||
			    jr_opt_int(&dc, "minimumHealthyPercent", minp, 0, 100, &minp) ||
			    jr_opt_int(&dc, "maximumPercent", maxp, 100, 200, &maxp) ||
			    jr_opt_object(&dc, "deploymentCircuitBreaker", &cb) || jr_end(&dc))
				return -1;
			if (cb) {
				struct jr bc;

				snprintf(p2, sizeof p2, "%s.deploymentConfiguration.deploymentCircuitBreaker", path);
				if (jr_open(&bc, cb, s->file, p2, e) ||
				    jr_opt_bool(&bc, "enable", 0, &v->breaker) ||
				    jr_opt_bool(&bc, "rollback", 0, &v->rollback) || jr_end(&bc))
					return -1;
			}
			if (v->sched == SCHED_DAEMON && maxp != 100)
				return jr_fail(&dc, "maximumPercent", "must be 100 for a DAEMON service (docs/ecs-model.md §4.10)");
		}
		v->min_healthy_pct = (int)minp;
		v->max_pct = (int)maxp;
		place_policy_init(&v->own);
		snprintf(p2, sizeof p2, "%s.placementStrategy", path);
		if (strat && place_parse_strategies(&v->own, strat, s->file, p2, e))
			return -1;
		snprintf(p2, sizeof p2, "%s.placementConstraints", path);
		if (cons && place_parse_constraints(&v->own, cons, s->file, p2, e))
			return -1;
		v->own_strategy = strat != NULL;
		v->own_constraints = cons != NULL;
		if (build_service_policy(s, v, e))
			return -1;
		if (rt) {
			snprintf(p2, sizeof p2, "%s.runtimeSeconds", path);
			if (dist_parse(&v->runtime, rt, s->file, p2, s->dir, e))
				return -1;
			v->has_runtime = 1;
		}
	}
	return 0;
}

static int read_azs(struct scenario *s, const cJSON *arr, struct err *e)
{
	int i = 0;

	if (cJSON_GetArraySize(arr) == 0)
		return err_at(e, s->file, 0, 0, "$.availabilityZones", "needs at least one zone");
	s->azs = xcalloc((size_t)cJSON_GetArraySize(arr), sizeof *s->azs);
	for (const cJSON *a = arr->child; a; a = a->next, i++) {
		char p[64];
		const char *v;

		snprintf(p, sizeof p, "$.availabilityZones[%d]", i);
		if (jv_str(a, s->file, p, &v, e))
			return -1;
		if (strncmp(v, s->region, strlen(s->region)) != 0 || strlen(v) == strlen(s->region))
			return err_at(e, s->file, 0, 0, p,
				      "zone '%s' is not in region '%s' (expected '%s' followed by a letter)",
				      v, s->region, s->region);
		if (scenario_has_az(s, v))
			return err_at(e, s->file, 0, 0, p, "zone '%s' is listed twice", v);
		s->azs[s->n_azs++] = xstrdup(v);
	}
	return 0;
}

/* $.limits: sizes that bound a run's memory (scenarios/README.md,
 * "Limits").  maxInstances defaults to ECS's quota of container instances
 * per cluster (docs/ecs-model.md §7.5); maxQueuedTasks, the tasks waiting
 * for placement, is a simulator limit.  The instance groups must fit. */
static int read_limits(struct scenario *s, const cJSON *limits, const cJSON *groups, struct err *e)
{
	struct jr c;
	int64_t total = 0;

	s->max_instances = SCN_DEFAULT_MAX_INSTANCES;
	s->max_queued = SCN_DEFAULT_MAX_QUEUED;
	if (limits && (jr_open(&c, limits, s->file, "$.limits", e) ||
		       jr_opt_int(&c, "maxInstances", SCN_DEFAULT_MAX_INSTANCES, 1, SCN_MAX_MAX_INSTANCES,
				  &s->max_instances) ||
		       jr_opt_int(&c, "maxQueuedTasks", SCN_DEFAULT_MAX_QUEUED, 1, SCN_MAX_MAX_QUEUED,
				  &s->max_queued) ||
		       jr_end(&c)))
		return -1;
	if (s->n_services > 5000)
		return err_at(e, s->file, 0, 0, "$.services",
			      "%d services, more than ECS's quota of 5000 services per cluster", s->n_services);
	for (int i = 0; i < s->n_groups; i++)
		total += s->groups[i].count;
	if (total > s->max_instances) {
		(void)groups;
		err_at(e, s->file, 0, 0, "$.instanceGroups",
			       "the instance groups hold %lld instances, more than the limit of %lld "
			       "container instances per cluster (ECS's quota; a simulation may raise it "
			       "with $.limits.maxInstances, up to %lld)",
			       (long long)total, (long long)s->max_instances, (long long)SCN_MAX_MAX_INSTANCES);
		return -1;
	}
	return 0;
}

static int load(struct scenario *s, struct jdoc *d, struct err *e)
{
	struct jr c;
	const char *name, *region, *desc;
	const cJSON *azs, *defaults, *types, *groups, *tds, *placement, *workload, *pending;
	const cJSON *services, *cp, *agent, *outages, *pricing, *limits = NULL;
	int64_t seed;
	double duration, interval, ptimeout = 0;
	static const struct scn_instance_settings base = {
		.reserved_memory_mib = 0, .memory_os_factor = 0.975,
		.ami_id = "ami-0ecsim000000000", .agent_version = "1.86.0",
		.os_family = "LINUX", .task_eni = 1, .trunking = 0,
	};
	char *dflt_name = base_name(s->file);
	int rc;

	static const char *const members[] = { "name", "description", "seed",
		"durationSeconds", "metricsIntervalSeconds", "region", "availabilityZones",
		"instanceDefaults", "instanceTypes", "instanceGroups", "taskDefinitions",
		"placement", "workload", "pending", "services", "controlPlane", "agent",
		"azOutages", "pricing", "limits", NULL };

	rc = jr_open(&c, d->root, s->file, "$", e) || jr_only(&c, members) ||
	     jr_opt_str(&c, "name", dflt_name, &name) ||
	     jr_opt_str(&c, "description", "", &desc) ||
	     jr_opt_int(&c, "seed", 1, 0, INT64_MAX, &seed) ||
	     jr_req_num(&c, "durationSeconds", 0.001, 1e11, &duration) ||
	     jr_opt_num(&c, "metricsIntervalSeconds", 60, 0.001, 1e11, &interval) ||
	     jr_req_str(&c, "region", &region) ||
	     jr_req_array(&c, "availabilityZones", &azs) ||
	     jr_opt_object(&c, "instanceDefaults", &defaults) ||
	     jr_opt_array(&c, "instanceTypes", &types) ||
	     jr_opt_array(&c, "instanceGroups", &groups) ||
	     jr_opt_object(&c, "taskDefinitions", &tds) ||
	     jr_opt_object(&c, "placement", &placement) ||
	     jr_opt_object(&c, "workload", &workload) ||
	     jr_opt_object(&c, "pending", &pending) ||
	     jr_opt_array(&c, "services", &services) ||
	     jr_opt_object(&c, "controlPlane", &cp) ||
	     jr_opt_object(&c, "agent", &agent) ||
	     jr_opt_array(&c, "azOutages", &outages) ||
	     jr_opt_object(&c, "pricing", &pricing) ||
	     jr_opt_object(&c, "limits", &limits) ||
	     jr_end(&c);
	s->name = xstrdup(rc ? dflt_name : name);
	free(dflt_name);
	if (rc)
		return -1;
	s->seed = (uint64_t)seed;
	s->duration = sec_to_ms(duration);
	s->metrics_interval = sec_to_ms(interval);
	s->region = xstrdup(region);
	if (read_azs(s, azs, e) ||
	    read_timing(s, cp, agent, e) ||
	    read_settings(defaults, s->file, "$.instanceDefaults", &base, &s->defaults, e) ||
	    (types && read_instance_types(s, types, e)) ||
	    pricing_config_read(s, pricing, e) ||
	    (groups && read_groups(s, groups, e)) ||
	    read_placement(s, placement, e) ||
	    (tds && read_taskdefs(s, tds, e)) ||
	    read_workload(s, workload, e) ||
	    (services && read_services(s, services, e)) ||
	    (outages && read_outages(s, outages, e)))
		return -1;
	if (pending) {
		struct jr pc;

		const char *mode;

		if (jr_open(&pc, pending, s->file, "$.pending", e) ||
		    jr_opt_num(&pc, "timeoutSeconds", 0, 0, 1e11, &ptimeout) ||
		    jr_opt_str(&pc, "mode", "wait", &mode) || jr_end(&pc))
			return -1;
		if (strcmp(mode, "fail") == 0)
			s->pending_fail = 1;
		else if (strcmp(mode, "wait") != 0)
			return jr_fail(&pc, "mode", "expected \"wait\" or \"fail\", got \"%s\"", mode);
	}
	s->pending_timeout = sec_to_ms(ptimeout);
	update_summary_label(s);
	return read_limits(s, limits, groups, e);
}

struct scenario *scenario_load(const char *path, struct err *e)
{
	struct scenario *s = xcalloc(1, sizeof *s);
	struct jdoc d;
	int rc;

	s->file = xstrdup(path);
	s->dir = dir_of(path);
	place_policy_init(&s->policy);
	s->catalog = catalog_builtin(e);
	if (!s->catalog || jdoc_load(&d, path, e)) {
		scenario_free(s);
		return NULL;
	}
	rc = load(s, &d, e);
	jdoc_free(&d);
	if (rc) {
		scenario_free(s);
		return NULL;
	}
	return s;
}

struct scenario *scenario_load_sets(const char *path, const char *const *sets, int n_sets,
				    struct err *e)
{
	struct scenario *s = xcalloc(1, sizeof *s);
	struct jdoc d;
	int rc = 0;

	s->file = xstrdup(path);
	s->dir = dir_of(path);
	place_policy_init(&s->policy);
	s->catalog = catalog_builtin(e);
	if (!s->catalog || jdoc_load(&d, path, e)) {
		scenario_free(s);
		return NULL;
	}
	for (int i = 0; i < n_sets && !rc; i++)
		rc = jsonptr_assign(d.root, sets[i], path, e);
	rc = rc || load(s, &d, e);
	jdoc_free(&d);
	if (rc) {
		scenario_free(s);
		return NULL;
	}
	return s;
}

void scenario_free(struct scenario *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n_groups; i++) {
		struct scn_group *g = &s->groups[i];

		free(g->name);
		free(g->az);
		for (int k = 0; k < g->n_attrs; k++) {
			free(g->attrs[k].name);
			free(g->attrs[k].value);
		}
		free(g->attrs);
		settings_free(&g->settings);
		if (g->has_failures)
			dist_free(&g->ttf);
		if (g->has_repair)
			dist_free(&g->ttr);
		if (g->has_spot_rate)
			dist_free(&g->tti);
		if (g->own_pull)
			dist_free(&g->timing.image_pull);
		if (g->has_disconnects) {
			dist_free(&g->disc_ia);
			dist_free(&g->disc_len);
		}
	}
	free(s->groups);
	pricing_free(s->pricing);
	for (int i = 0; i < s->n_taskdefs; i++) {
		free(s->taskdefs[i].name);
		free(s->taskdefs[i].path);
		taskdef_free(s->taskdefs[i].td);
		place_policy_free(&s->taskdefs[i].policy);
	}
	free(s->taskdefs);
	for (int i = 0; i < s->n_gens; i++) {
		free(s->gens[i].name);
		free(s->gens[i].group);
		free(s->gens[i].mix);
		dist_free(&s->gens[i].interarrival);
		if (s->gens[i].has_runtime)
			dist_free(&s->gens[i].runtime);
	}
	free(s->gens);
	for (int i = 0; i < s->n_services; i++) {
		free(s->services[i].name);
		place_policy_free(&s->services[i].policy);
		place_policy_free(&s->services[i].own);
		free(s->services[i].strategy_label);
		if (s->services[i].has_runtime)
			dist_free(&s->services[i].runtime);
	}
	free(s->services);
	for (int i = 0; i < s->n_outages; i++) {
		free(s->outages[i].az);
		if (s->outages[i].stochastic) {
			dist_free(&s->outages[i].interarrival);
			dist_free(&s->outages[i].length);
		}
	}
	free(s->outages);
	dist_free(&s->timing.image_pull);
	for (int i = 0; i < s->n_traces; i++)
		free(s->traces[i]);
	free(s->traces);
	for (int i = 0; i < s->n_imports; i++) {
		for (int k = 0; k < 5; k++)
			free(s->imports[i].paths[k]);
		free(s->imports[i].format);
		free(s->imports[i].instance_type);
		free(s->imports[i].label);
	}
	free(s->imports);
	hmap_free(s->synthetic);
	for (int i = 0; i < s->n_azs; i++)
		free(s->azs[i]);
	free(s->azs);
	settings_free(&s->defaults);
	place_policy_free(&s->policy);
	catalog_free(s->catalog);
	free(s->strategy_label);
	free(s->summary_label);
	free(s->region);
	free(s->name);
	free(s->dir);
	free(s->file);
	free(s);
}

static int rebuild_policies(struct scenario *s, struct err *e)
{
	for (int i = 0; i < s->n_taskdefs; i++)
		if (build_policy(s, &s->taskdefs[i], e))
			return -1;
	for (int i = 0; i < s->n_services; i++)
		if (build_service_policy(s, &s->services[i], e))
			return -1;
	update_summary_label(s);
	return 0;
}

int scenario_set_strategy(struct scenario *s, const char *arg, struct err *e)
{
	struct place_policy p;
	int n_template;

	place_policy_init(&p);
	if (place_parse_strategy_arg(&p, arg, e)) {
		place_policy_free(&p);
		return -1;
	}
	n_template = p.n_constraints;
	/* keep the scenario's constraints (not an earlier --strategy's template
	 * constraints) and tie-break; take the new strategies (and a template's
	 * constraints, e.g. one-task-per-host) */
	for (int i = s->n_cli_constraints; i < s->policy.n_constraints && p.n_constraints < PLACE_MAX_CONSTRAINTS; i++) {
		const struct place_constraint *c = &s->policy.constraints[i];

		if (c->type == PC_MEMBER_OF) {
			if (place_add_member_of(&p, c->expression, s->file, "$.placement.constraints", e)) {
				place_policy_free(&p);
				return -1;
			}
		} else if (p.n_constraints < PLACE_MAX_CONSTRAINTS) {
			p.constraints[p.n_constraints].type = PC_DISTINCT_INSTANCE;
			p.constraints[p.n_constraints].expression = NULL;
			p.constraints[p.n_constraints].expr = NULL;
			p.n_constraints++;
		}
	}
	p.tie_break = s->policy.tie_break;
	s->cli_strategy = 1;
	s->n_cli_constraints = n_template;
	place_policy_free(&s->policy);
	s->policy = p;
	free(s->strategy_label);
	/* a JSON array (possibly after blanks) is named by its chain */
	s->strategy_label = arg[strspn(arg, " \t\r\n")] == '[' ? place_policy_describe(&s->policy)
								 : xstrdup(arg);
	return rebuild_policies(s, e);
}

int scenario_set_tie_break(struct scenario *s, const char *arg, struct err *e)
{
	if (strcmp(arg, "first") == 0)
		s->policy.tie_break = PT_FIRST;
	else if (strcmp(arg, "random") == 0)
		s->policy.tie_break = PT_RANDOM;
	else
		return err_at(e, NULL, 0, 0, "--tie-break", "expected first or random, got '%s'", arg);
	return rebuild_policies(s, e);
}

int scenario_synthetic_taskdef(struct scenario *s, int64_t cpu_units, int64_t mem_mib,
			       struct err *e)
{
	(void)e;
	char key[64];
	uint64_t idx;
	struct taskdef *td;
	struct scn_taskdef *t;

	snprintf(key, sizeof key, "%lld/%lld", (long long)cpu_units, (long long)mem_mib);
	if (!s->synthetic)
		s->synthetic = hmap_new();
	if (hmap_get(s->synthetic, key, &idx))
		return (int)idx;
	/* built directly, not from JSON: imported requests (a Google task's few
	 * MiB) need not pass RegisterTaskDefinition's validation */
	td = xcalloc(1, sizeof *td);
	td->family = xstrdup("imported");
	td->shape = TD_SHAPE_REGISTER;
	td->launch = TD_LAUNCH_EC2;
	td->netmode = TD_NET_BRIDGE;
	td->task_cpu = td->cpu_units = cpu_units;
	td->task_memory_mib = td->memory_mib = mem_mib;
	td->stop_timeout_s = -1;
	td->containers = xcalloc(1, sizeof *td->containers);
	td->n_containers = td->n_essential = 1;
	td->containers[0].name = xstrdup("task");
	td->containers[0].image = xstrdup("imported");
	td->containers[0].essential = 1;
	td->containers[0].stop_timeout_s = -1;
	td->containers[0].start_timeout_s = -1;
	XGROW(s->taskdefs, s->cap_taskdefs, (size_t)s->n_taskdefs + 1);
	t = &s->taskdefs[s->n_taskdefs];
	memset(t, 0, sizeof *t);
	t->name = xstrdup(key);
	t->path = xstrdup("");
	t->td = td;
	t->start_failure_p = -1;
	place_policy_init(&t->policy);
	req_from_td(&t->req, td);
	if (build_policy(s, t, e)) {
		taskdef_free(td);
		free(t->name);
		free(t->path);
		return -1;
	}
	hmap_put(s->synthetic, key, (uint64_t)s->n_taskdefs);
	return s->n_taskdefs++;
}

int scenario_taskdef(struct scenario *s, const char *name_or_path, const char *base_dir,
		     struct err *e)
{
	int i = find_taskdef_name(s, name_or_path);
	char *full;

	if (i >= 0)
		return i;
	full = resolve(base_dir, name_or_path);
	for (i = 0; i < s->n_taskdefs; i++) {
		if (strcmp(s->taskdefs[i].path, full) == 0) {
			free(full);
			return i;
		}
	}
	if (!strstr(name_or_path, ".json")) {
		free(full);
		return err_at(e, NULL, 0, 0, NULL,
			      "unknown task definition '%s' (not a name in $.taskDefinitions nor a .json path)",
			      name_or_path);
	}
	i = add_taskdef(s, full, full, NULL, -1, NULL, NULL, e);
	free(full);
	return i ? -1 : s->n_taskdefs - 1;
}

void scenario_instance_spec(const struct scenario *s, const struct catalog_type *type,
			    const char *az, const struct scn_attr *attrs, int n_attrs,
			    const struct scn_instance_settings *st,
			    struct instance_spec *spec, struct inst_attr *scratch)
{
	int n = 0;
	int64_t mem;

	if (!st)
		st = &s->defaults;
	/* docs/ecs-model.md §2.1: registered CPU = vCPU × 1024; registered memory =
	 * what the OS reports (nominal × factor) less ECS_RESERVED_MEMORY. */
	mem = (int64_t)floor((double)type->mem_mib * st->memory_os_factor) - st->reserved_memory_mib;
	memset(spec, 0, sizeof *spec);
	spec->instance_type = type->name;
	spec->az = az;
	spec->os_family = st->os_family;
	spec->os_type = strncmp(st->os_family, "WINDOWS", 7) == 0 ? "windows" : "linux";
	spec->cpu_arch = type->arch;
	spec->ami_id = st->ami_id;
	spec->cpu_units = (int64_t)type->vcpu * 1024;
	spec->mem_mib = mem > 0 ? mem : 0;
	spec->gpus = type->gpus;
	/* docs/ecs-model.md choice D4: max ENIs − 1 (primary), or the trunking table */
	spec->eni_tasks = st->trunking && type->trunk_tasks ? type->trunk_tasks
							    : (type->max_enis > 0 ? type->max_enis - 1 : 0);
	spec->agent_version = st->agent_version;
	if (st->task_eni)
		scratch[n++] = (struct inst_attr){ "ecs.capability.task-eni", NULL };
	for (int i = 0; i < n_attrs && n < 63; i++)
		scratch[n++] = (struct inst_attr){ attrs[i].name, attrs[i].value };
	spec->attrs = scratch;
	spec->n_attrs = n;
}

int scenario_has_az(const struct scenario *s, const char *az)
{
	for (int i = 0; i < s->n_azs; i++)
		if (strcmp(s->azs[i], az) == 0)
			return 1;
	return 0;
}
