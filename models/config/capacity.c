/* models/config/capacity.c — the scenario's capacity sections
 * ($.capacityProviders, $.defaultCapacityProviderStrategy, $.fargate,
 * $.utilization) and a service's capacityProviderStrategy, autoScaling and
 * taskProtection, handed to models/capacity/capacity_config.c
 * (docs/ecs-model.md §1.3, §5.10–§5.14, §7.2; fields in scenarios/README.md,
 * "Capacity").
 *
 * The four top-level members are rows of the loader's table, read one after
 * the other (orders 10–13, after the task definitions, before the
 * services): the first three keep their value until the fourth reads them
 * all at once (capacity_config_read takes them together: a strategy names
 * the providers).  s->capacity always exists after the load;
 * s->capacity_used says whether any member was given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/capacity/capacity_config.h"
#include "models/config/sections.h"
#include "models/scenario.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

static int keep(struct scenario *s, int k, const cJSON *v)
{
	s->cap_pending[k] = v;
	if (v)
		s->capacity_used = 1;
	return 0;
}

int capacity_config_read_providers(struct scenario *s, const cJSON *v, struct err *e)
{
	(void)e;
	return keep(s, 0, v);
}

int capacity_config_read_default(struct scenario *s, const cJSON *v, struct err *e)
{
	(void)e;
	return keep(s, 1, v);
}

int capacity_config_read_fargate(struct scenario *s, const cJSON *v, struct err *e)
{
	(void)e;
	return keep(s, 2, v);
}

static void ctx_of(const struct scenario *s, struct cap_ctx *x, const char **names)
{
	memset(x, 0, sizeof *x);
	x->file = s->file;
	x->dir = s->dir;
	x->catalog = s->catalog;
	x->azs = (const char *const *)s->azs;
	x->n_azs = s->n_azs;
	for (int i = 0; i < s->n_taskdefs; i++)
		names[i] = s->taskdefs[i].name;
	x->taskdefs = names;
	x->n_taskdefs = s->n_taskdefs;
}

int capacity_config_read_utilization(struct scenario *s, const cJSON *v, struct err *e)
{
	struct cap_ctx x;
	const char **names = xcalloc((size_t)s->n_taskdefs + 1, sizeof *names);
	int rc;

	if (v)
		s->capacity_used = 1;
	ctx_of(s, &x, names);
	s->capacity = xcalloc(1, sizeof *s->capacity);
	rc = capacity_config_read(s->capacity, s->cap_pending[0], s->cap_pending[1],
				  s->cap_pending[2], v, &x, e);
	memset(s->cap_pending, 0, sizeof s->cap_pending);
	free(names);
	return rc;
}

int capacity_config_read_service(struct scenario *s, struct scn_service *v, const char *path,
				 const cJSON *strat, const cJSON *scaling, const cJSON *prot,
				 struct err *e)
{
	struct cap_ctx x;
	const char **names;
	char p[192];
	int rc = 0;

	if (!strat && !scaling && !prot)
		return 0;
	s->capacity_used = 1;
	names = xcalloc((size_t)s->n_taskdefs + 1, sizeof *names);
	ctx_of(s, &x, names);
	if (strat) {
		v->cp_strategy = xcalloc(1, sizeof *v->cp_strategy);
		snprintf(p, sizeof p, "%s.capacityProviderStrategy", path);
		rc = cap_strategy_read(s->capacity, strat, p, &x, v->cp_strategy, e);
	}
	if (!rc && scaling) {
		v->scaling = xcalloc(1, sizeof *v->scaling);
		snprintf(p, sizeof p, "%s.autoScaling", path);
		rc = cap_service_scaling_read(v->scaling, scaling, p, &x, e);
	}
	if (!rc && prot) {
		v->protection = xcalloc(1, sizeof *v->protection);
		snprintf(p, sizeof p, "%s.taskProtection", path);
		rc = cap_protection_read(v->protection, prot, p, &x, e);
	}
	free(names);
	return rc;
}

void capacity_config_free_service(struct scn_service *v)
{
	free(v->cp_strategy);
	if (v->scaling)
		aas_config_free(v->scaling);
	free(v->scaling);
	free(v->protection);
}

void capacity_config_free(struct scenario *s)
{
	if (s->capacity)
		cap_config_free(s->capacity);
	free(s->capacity);
	s->capacity = NULL;
}

/* What a run cannot simulate: a task definition routed to FARGATE or
 * FARGATE_SPOT must list FARGATE in requiresCompatibilities (ECS refuses
 * it otherwise; its size is then a pair of docs/ecs-model.md §1.3).
 * Checked here for the services and the generators; a trace row's RunTask
 * when it is called (backplane_run_task). */
static int fargate_item(const struct scenario *s, const struct cp_strategy *st)
{
	for (int i = 0; st && i < st->n; i++)
		if (s->capacity->providers[st->items[i].provider].kind != CAP_ASG)
			return i;
	return -1;
}

static int fargate_td(const struct scenario *s, int td)
{
	return (s->taskdefs[td].td->launch & TD_LAUNCH_FARGATE) != 0;
}

int scenario_capacity_unsupported(const struct scenario *s, struct err *e)
{
	char p[160];
	int k, td = -1;

	if (!s->capacity_used || !s->capacity)
		return 0;
	for (int i = 0; i < s->n_services; i++) {
		const struct cp_strategy *st = s->services[i].cp_strategy;

		if (!st && s->services[i].sched == SCHED_REPLICA && s->capacity->has_default)
			st = &s->capacity->default_strategy;
		k = fargate_item(s, st);
		if (k >= 0 && !fargate_td(s, s->services[i].taskdef)) {
			snprintf(p, sizeof p, "$.services[%d].taskDefinition", i);
			td = s->services[i].taskdef;
			goto refuse;
		}
	}
	if (fargate_item(s, s->capacity->has_default ? &s->capacity->default_strategy : NULL) >= 0)
		for (int g = 0; g < s->n_gens; g++)
			for (int m = 0; m < s->gens[g].n_mix; m++)
				if (!fargate_td(s, s->gens[g].mix[m].taskdef)) {
					snprintf(p, sizeof p, "$.workload.generators[%d]", g);
					td = s->gens[g].mix[m].taskdef;
					goto refuse;
				}
	return 0;
refuse:
	return err_at(e, s->file, 0, 0, p, "task definition '%s' is routed to a Fargate capacity "
		      "provider but its requiresCompatibilities does not list FARGATE (ECS refuses "
		      "the launch)", s->taskdefs[td].name);
}

int scenario_scales(const struct scenario *s)
{
	for (int i = 0; i < s->n_services; i++)
		if (s->services[i].scaling)
			return 1;
	/* a capacity provider with managed scaling (models/cas.c) */
	for (int i = 0; s->capacity && i < s->capacity->n_providers; i++)
		if (s->capacity->providers[i].kind == CAP_ASG && s->capacity->providers[i].ms.enabled)
			return 1;
	return 0;
}
