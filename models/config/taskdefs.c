/* models/config/taskdefs.c — the scenario's task definitions
 * ($.taskDefinitions: files in any of AWS's three shapes, models/taskdef.h),
 * those a trace names by path (loaded on first use) and the synthetic ones
 * of trace rows that give explicit resources.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/config/sections.h"
#include "models/scenario.h"
#include "sim/hmap.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

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

/* The task-level members a scenario's taskLevel may give a bare container
 * array (its deployment tool declares them outside the array). */
static const char *const task_level_members[] = { "cpu", "memory", "networkMode",
	"requiresCompatibilities", "runtimePlatform", NULL };

/* An error in the RegisterTaskDefinition document load_with_task_level
 * builds names that document's paths ("$.cpu", "$.containerDefinitions[0]"),
 * which no file has: say where the value really is -- a taskLevel member or
 * the family in the scenario (where = "$.taskDefinitions.NAME.taskLevel"),
 * a container in the array's own file ("$[0]"). */
static void relocate(struct err *e, const char *scn_file, const char *td_file, const char *where,
		     int family_given)
{
	const char *p = e->path, *rest;
	char np[sizeof e->path];
	size_t base = strlen(where) - strlen(".taskLevel");

	if (strcmp(e->file, td_file) != 0 || strncmp(p, "$.", 2) != 0)
		return;
	if (strncmp(p, "$.containerDefinitions", 22) == 0 && (p[22] == '\0' || p[22] == '[')) {
		snprintf(np, sizeof np, "$%s", p + 22);
		snprintf(e->path, sizeof e->path, "%s", np);
		return;
	}
	if (strcmp(p, "$.family") == 0) {
		/* the family is the scenario's: its own member, else the name */
		snprintf(np, sizeof np, "%.*s%s", (int)base, where, family_given ? ".family" : "");
		snprintf(e->path, sizeof e->path, "%s", np);
		snprintf(e->file, sizeof e->file, "%s", scn_file);
		return;
	}
	for (int i = 0; task_level_members[i]; i++) {
		size_t n = strlen(task_level_members[i]);

		rest = p + 2;
		if (strncmp(rest, task_level_members[i], n) == 0 && (rest[n] == '\0' || rest[n] == '.' || rest[n] == '[')) {
			snprintf(np, sizeof np, "%s.%s", where, rest);
			snprintf(e->path, sizeof e->path, "%s", np);
			snprintf(e->file, sizeof e->file, "%s", scn_file);
			return;
		}
	}
}

/* A bare container array with the task-level members its deployment tool
 * declares elsewhere (Terraform's `cpu`, `memory`, `network_mode`,
 * `requires_compatibilities`): wrapped into the RegisterTaskDefinition shape
 * and checked by the same rules. */
static struct taskdef *load_with_task_level(const char *scn_file, const char *path,
					    const char *family, int family_given,
					    const cJSON *task_level, const char *where, struct err *e)
{
	struct jdoc d;
	struct jr c;
	cJSON *obj;
	struct taskdef *td;

	if (jr_open(&c, task_level, scn_file, where, e) || jr_only(&c, task_level_members))
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
	if (!td)
		relocate(e, scn_file, path, where, family_given);
	cJSON_Delete(obj);
	jdoc_free(&d);
	return td;
}

static int add_taskdef(struct scenario *s, const char *name, const char *path,
		       const char *family, int family_given, double fail_p,
		       const cJSON *task_level, const char *where, struct err *e)
{
	struct scn_taskdef *t;
	struct taskdef *td;

	if (task_level)
		td = load_with_task_level(s->file, path, family, family_given, task_level, where, e);
	else
		td = taskdef_load(path, family, e);
	if (!td)
		return -1;
	/* `family` names a bare array's family; a whole definition has its
	 * own, which a scenario cannot rename (as taskLevel, refused rather
	 * than ignored) */
	if (family_given && td->shape != TD_SHAPE_CONTAINERS && strcmp(family, td->family) != 0) {
		err_at(e, s->file, 0, 0, NULL, "'%s' for a whole task definition of family '%s' ('%s'): "
		       "a family is given only to a bare array of container definitions",
		       family, td->family, path);
		snprintf(e->path, sizeof e->path, "%.*s.family",
			 (int)(strlen(where) - strlen(".taskLevel")), where);
		taskdef_free(td);
		return -1;
	}
	/* docs/ecs-model.md choice B22: EC2 or FARGATE capacity only */
	if (!(td->launch & TD_LAUNCH_FARGATE) && taskdef_check_ec2(td, path, e)) {
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
	return placement_taskdef_policy(s, t, e);
}

int taskdefs_config_read(struct scenario *s, const cJSON *obj, struct err *e)
{
	if (!obj)
		return 0;
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
		full = scenario_resolve(s->dir, file);
		snprintf(where, sizeof where, "%s.taskLevel", path);
		rc = add_taskdef(s, it->string, full, family ? family : it->string, family != NULL,
				 fail_p, task_level, where, e);
		free(full);
		if (rc)
			return -1;
	}
	return 0;
}

int taskdefs_config_find(const struct scenario *s, const char *name)
{
	for (int i = 0; i < s->n_taskdefs; i++)
		if (strcmp(s->taskdefs[i].name, name) == 0)
			return i;
	return -1;
}

void taskdefs_config_free(struct scenario *s)
{
	for (int i = 0; i < s->n_taskdefs; i++) {
		free(s->taskdefs[i].name);
		free(s->taskdefs[i].path);
		taskdef_free(s->taskdefs[i].td);
		place_policy_free(&s->taskdefs[i].policy);
	}
	free(s->taskdefs);
	hmap_free(s->synthetic);
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
	if (placement_taskdef_policy(s, t, e)) {
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
	int32_t i;
	char *full;

	/* a trace names its few task definitions row after row; a name's
	 * index never changes (definitions are only appended) */
	if (name_memo_get(&s->td_memo, name_or_path, &i))
		return i;
	i = taskdefs_config_find(s, name_or_path);
	if (i >= 0) {
		name_memo_put(&s->td_memo, name_or_path, i);
		return i;
	}
	full = scenario_resolve(base_dir, name_or_path);
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
	i = add_taskdef(s, full, full, NULL, 0, -1, NULL, NULL, e);
	free(full);
	return i ? -1 : s->n_taskdefs - 1;
}
