/* models/config/workload.c — the standalone tasks a scenario submits
 * ($.workload): traces (models/trace.h), public traces read directly
 * (models/import.h) and synthetic generators (arrival process,
 * task-definition mix, run time).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/capacity/capacity_config.h"
#include "models/config/sections.h"
#include "models/scenario.h"
#include "models/task.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

#define GEN_MIN_MEAN_GAP 0.001            /* s */
#define GEN_MAX_ZERO_GAPS 0.5             /* probability */

int config_sane_arrivals(const struct jr *c, const char *key, const struct dist *d)
{
	double mean = dist_mean(d), zero = dist_cdf(d, 0.0005);

	if (!isfinite(mean) || mean < GEN_MIN_MEAN_GAP)
		return jr_fail(c, key,
			       "the mean gap between arrivals is %g s; expected a finite mean of at least "
			       "%g s, the simulator's time step (docs/ecs-model.md choice E86)",
			       mean, GEN_MIN_MEAN_GAP);
	if (!(zero <= GEN_MAX_ZERO_GAPS))
		return jr_fail(c, key,
			       "%.4g%% of the gaps between arrivals are under 0.5 ms, that is 0 ms at the "
			       "simulator's time step (arrivals at one instant); at most %g%% may be "
			       "(docs/ecs-model.md choice E86)",
			       100 * zero, 100 * GEN_MAX_ZERO_GAPS);
	return 0;
}

/* A generator's own launch type or strategy: every task definition of its
 * mix must list where it sends it (ECS refuses the RunTask call). */
static int gen_launch_check(const struct scenario *s, const struct scn_generator *g, int td,
			    const char *path, struct err *e)
{
	unsigned l = s->taskdefs[td].td->launch, need;
	const char *why;

	if (g->launch_type >= 0) {
		need = g->launch_type == TL_FARGATE ? TD_LAUNCH_FARGATE : TD_LAUNCH_EC2;
		why = g->launch_type == TL_FARGATE ? "launchType FARGATE" : "launchType EC2";
	} else if (g->cp_strategy && g->cp_strategy->n > 0) {
		int fg = s->capacity->providers[g->cp_strategy->items[0].provider].kind != CAP_ASG;

		need = fg ? TD_LAUNCH_FARGATE : TD_LAUNCH_EC2;
		why = fg ? "a Fargate capacity provider" : "an Auto Scaling group capacity provider";
	} else {
		return 0;
	}
	if (l & need)
		return 0;
	return err_at(e, s->file, 0, 0, path, "task definition '%s' is sent to %s but its "
		      "requiresCompatibilities does not list %s (ECS refuses the RunTask call)",
		      s->taskdefs[td].name, why, need == TD_LAUNCH_FARGATE ? "FARGATE" : "EC2");
}

/* Characters of a UTF-8 string (bytes that do not continue a character). */
static size_t utf8_chars(const char *p)
{
	size_t n = 0;

	for (; *p; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	return n;
}

static int read_generators(struct scenario *s, const cJSON *arr, struct err *e)
{
	int i = 0;

	s->gens = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *s->gens);
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		char path[96], p2[160];
		struct jr c;
		struct scn_generator *g = &s->gens[s->n_gens];
		const char *name, *group, *lt;
		const cJSON *ia, *mix, *rt, *cps;
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
		    jr_opt_int(&c, "count", 1, 1, 1000000000, &count) ||
		    jr_opt_str(&c, "launchType", NULL, &lt) ||
		    jr_req_array(&c, "taskDefinitions", &mix))
			return -1;
		cps = jr_get(&c, "capacityProviderStrategy");
		ia = jr_get(&c, "interArrivalSeconds");
		rt = jr_get(&c, "runtimeSeconds");
		if (jr_end(&c))
			return -1;
		if (group && utf8_chars(group) > 255)
			return jr_fail(&c, "group", "a task group of %zu characters; ECS allows at most 255 "
				       "(docs/ecs-model.md §4.7)", utf8_chars(group));
		s->n_gens++;
		g->name = xstrdup(name);
		g->group = group ? xstrdup(group) : NULL;
		g->start = sim_ms(start);
		g->stop = stop < 0 ? SIM_TIME_MAX : sim_ms(stop);
		g->max_tasks = max_tasks;
		g->count = (int)count;
		g->launch_type = -1;
		if (lt && cps)
			return jr_fail(&c, "launchType", "give either launchType or "
				       "capacityProviderStrategy, not both (RunTask refuses the two together)");
		if (lt && strcmp(lt, "EC2") != 0 && strcmp(lt, "FARGATE") != 0)
			return jr_fail(&c, "launchType", "expected EC2 or FARGATE, got \"%s\"", lt);
		if (lt)
			g->launch_type = strcmp(lt, "FARGATE") == 0 ? TL_FARGATE : TL_EC2;
		if (cps) {
			snprintf(p2, sizeof p2, "%s.capacityProviderStrategy", path);
			if (capacity_config_read_strategy(s, cps, p2, &g->cp_strategy, e))
				return -1;
		}
		if (!ia)
			return jr_fail(&c, "interArrivalSeconds", "required member is missing");
		snprintf(p2, sizeof p2, "%s.interArrivalSeconds", path);
		if (dist_parse(&g->interarrival, ia, s->file, p2, s->dir, e))
			return -1;
		if (dist_mean(&g->interarrival) <= 0 && g->interarrival.kind == DIST_CONSTANT)
			return jr_fail(&c, "interArrivalSeconds", "must be > 0");
		if (config_sane_arrivals(&c, "interArrivalSeconds", &g->interarrival))
			return -1;
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
			g->mix[k].taskdef = taskdefs_config_find(s, tdname);
			g->mix[k].weight = w;
			g->n_mix++;
			if (g->mix[k].taskdef < 0)
				return err_at(e, s->file, 0, 0, p2,
					      "unknown task definition '%s' (not in $.taskDefinitions)", tdname);
			if (gen_launch_check(s, g, g->mix[k].taskdef, p2, e))
				return -1;
		}
	}
	return 0;
}

/* {"format": "google2011", "taskEvents": ..., "machineEvents": ...},
 * {"format": "alibaba2018", "batchTask": ..., "containerMeta": ...,
 * "machineMeta": ...}, {"format": "alibaba2017", "batchTask": ...,
 * "serverEvent": ...}, {"format": "swf", "swf": ..., "machines": bool} or
 * {"format": "openb", "nodes": ..., "pods": ...}, with instanceType,
 * timeScale, maxRows, machineCores, machineMemory. */
static int read_import(struct scenario *s, const cJSON *obj, const char *path, struct err *e)
{
	static const char *const keys[SCN_IMPORT_TABLES] = { "taskEvents", "machineEvents", "batchTask",
		"containerMeta", "machineMeta", "serverEvent", "swf", "nodes", "pods" };
	/* per format: its name, the tables it takes (bits of keys[]) and what
	 * to say when none is given */
	static const struct { const char *name; unsigned tables; const char *need; } fmts[] = {
		{ "google2011", 0x3, "needs taskEvents and/or machineEvents" },
		{ "alibaba2018", 0x1c, "needs batchTask, containerMeta and/or machineMeta" },
		{ "alibaba2017", 0x24, "needs batchTask and/or serverEvent" },
		{ "swf", 0x40, "needs swf (the job log)" },
		{ "openb", 0x180, "needs nodes and/or pods" },
	};
	struct scn_import *im = &s->imports[s->n_imports];
	struct jr c;
	const char *fmt, *type, *v[SCN_IMPORT_TABLES];
	double scale, cores, mem;
	int64_t max_rows;
	int f, machines, given = 0, has_cores, has_mem;

	if (jr_open(&c, obj, s->file, path, e) || jr_req_str(&c, "format", &fmt) ||
	    jr_opt_str(&c, "instanceType", IMPORT_DEFAULT_TYPE, &type) ||
	    jr_opt_num(&c, "timeScale", 1, 1e-6, 1e6, &scale) ||
	    jr_opt_int(&c, "maxRows", 0, 0, INT64_MAX, &max_rows) ||
	    jr_opt_bool(&c, "machines", 1, &machines))
		return -1;
	has_cores = cJSON_GetObjectItemCaseSensitive(obj, "machineCores") != NULL;
	if (jr_opt_num(&c, "machineCores", 0, 1, 1e6, &cores))
		return -1;
	has_mem = cJSON_GetObjectItemCaseSensitive(obj, "machineMemory") != NULL;
	if (jr_opt_num(&c, "machineMemory", IMPORT_ALIBABA2017_MACHINE_MEMORY, 1e-6, 1, &mem))
		return -1;
	for (int k = 0; k < SCN_IMPORT_TABLES; k++)
		if (jr_opt_str(&c, keys[k], NULL, &v[k]))
			return -1;
	if (jr_end(&c))
		return -1;
	for (f = 0; f < (int)(sizeof fmts / sizeof fmts[0]); f++)
		if (strcmp(fmt, fmts[f].name) == 0)
			break;
	if (f == (int)(sizeof fmts / sizeof fmts[0]))
		return jr_fail(&c, "format", "expected \"google2011\", \"alibaba2018\", \"alibaba2017\", "
			       "\"swf\" or \"openb\", got \"%s\"", fmt);
	for (int k = 0; k < SCN_IMPORT_TABLES; k++) {
		if (!v[k])
			continue;
		if (!(fmts[f].tables & 1u << k))
			return jr_fail(&c, keys[k], "not a table of the %s format", fmt);
		given++;
	}
	if (!given)
		return jr_fail(&c, NULL, "%s", fmts[f].need);
	if (!machines && strcmp(fmt, "swf") != 0)
		return jr_fail(&c, "machines", "only for the swf format");
	if (has_cores && strncmp(fmt, "alibaba", 7) != 0)
		return jr_fail(&c, "machineCores", "only for the alibaba2018 and alibaba2017 formats");
	if (has_mem && strcmp(fmt, "alibaba2017") != 0)
		return jr_fail(&c, "machineMemory", "only for the alibaba2017 format");
	if (!catalog_find(s->catalog, type))
		return jr_fail(&c, "instanceType", "unknown instance type '%s'", type);
	s->n_imports++;
	im->format = xstrdup(fmt);
	im->instance_type = xstrdup(type);
	for (int k = 0; k < SCN_IMPORT_TABLES && !im->label; k++)
		if (v[k])
			im->label = xstrdup(v[k]);
	for (int k = 0; k < SCN_IMPORT_TABLES; k++)
		im->paths[k] = v[k] ? scenario_resolve(s->dir, v[k]) : NULL;
	im->opts.task_events = im->paths[0];
	im->opts.machine_events = im->paths[1];
	im->opts.batch_task = im->paths[2];
	im->opts.container_meta = im->paths[3];
	im->opts.machine_meta = im->paths[4];
	im->opts.server_event = im->paths[5];
	im->opts.swf = im->paths[6];
	im->opts.openb_nodes = im->paths[7];
	im->opts.openb_pods = im->paths[8];
	im->opts.swf_no_machines = !machines;
	im->opts.instance_type = im->instance_type;
	im->opts.n_azs = s->n_azs < IMPORT_MAX_AZS ? s->n_azs : IMPORT_MAX_AZS;
	for (int k = 0; k < im->opts.n_azs; k++)
		im->opts.azs[k] = s->azs[k];
	im->opts.time_scale = scale;
	im->opts.max_rows = max_rows;
	im->opts.machine_cores = has_cores ? cores : 0;
	im->opts.machine_memory = has_mem ? mem : 0;
	for (int g = 0; g < s->n_groups; g++)
		im->opts.first_instance += s->groups[g].count;
	return 0;
}

int workload_config_read(struct scenario *s, const cJSON *obj, struct err *e)
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
			s->traces[s->n_traces++] = scenario_resolve(s->dir, v);
		}
	}
	if (gens && read_generators(s, gens, e))
		return -1;
	return 0;
}

void workload_config_free(struct scenario *s)
{
	for (int i = 0; i < s->n_gens; i++) {
		free(s->gens[i].name);
		free(s->gens[i].group);
		free(s->gens[i].mix);
		dist_free(&s->gens[i].interarrival);
		if (s->gens[i].has_runtime)
			dist_free(&s->gens[i].runtime);
		free(s->gens[i].cp_strategy);
	}
	free(s->gens);
	for (int i = 0; i < s->n_traces; i++)
		free(s->traces[i]);
	free(s->traces);
	for (int i = 0; i < s->n_imports; i++) {
		for (int k = 0; k < SCN_IMPORT_TABLES; k++)
			free(s->imports[i].paths[k]);
		free(s->imports[i].format);
		free(s->imports[i].instance_type);
		free(s->imports[i].label);
	}
	free(s->imports);
}
