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
	/* an Auto Scaling group's instances register with the scenario's
	 * instanceDefaults: refused when they could not (docs/ecs-model.md §2.1) */
	for (int i = 0; !rc && i < s->capacity->n_providers; i++) {
		const struct cap_provider *p = &s->capacity->providers[i];

		if (p->kind == CAP_ASG && p->asg.type && scenario_reserved_over(s, p->asg.type, NULL) >= 0)
			rc = err_at(e, s->file, 0, 0, "$.instanceDefaults.reservedMemoryMiB",
				    "%lld MiB exceeds the %lld MiB the OS of a %s reports (capacity provider "
				    "'%s'): the agent would fail to register it (docs/ecs-model.md §2.1)",
				    (long long)s->defaults.reserved_memory_mib,
				    (long long)scenario_reserved_over(s, p->asg.type, NULL), p->asg.type->name,
				    p->name);
	}
	return rc;
}

/* The target group named by a resourceLabel: AWS's
 * "app/LB-NAME/LB-ID/targetgroup/TG-NAME/TG-ID", or a bare target group
 * name.  Returns the index, -1 when unknown; *lb_kind is 'a' (app/), 'n'
 * (net/) or 0 (bare), *lb_name and *lb_len the load balancer named. */
static int label_tg(const struct lb_config *c, const char *label, char *lb_kind,
		    const char **lb_name, size_t *lb_len)
{
	const char *tg = strstr(label, "targetgroup/"), *end;
	char name[256];
	size_t n;

	*lb_kind = 0;
	*lb_name = NULL;
	*lb_len = 0;
	if (!tg)
		return lb_config_tg(c, label);
	if (strncmp(label, "app/", 4) == 0 || strncmp(label, "net/", 4) == 0) {
		*lb_kind = label[0];
		*lb_name = label + 4;
		end = strchr(*lb_name, '/');
		*lb_len = end ? (size_t)(end - *lb_name) : strlen(*lb_name);
	}
	tg += strlen("targetgroup/");
	end = strchr(tg, '/');
	n = end ? (size_t)(end - tg) : strlen(tg);
	if (n >= sizeof name)
		return -1;
	memcpy(name, tg, n);
	name[n] = 0;
	return lb_config_tg(c, name);
}

static int label_is_net(const char *label)
{
	return strncmp(label, "net/", 4) == 0;
}

/* docs/ecs-model.md §5.10, choices E90–E91: each ALBRequestCountPerTarget
 * policy reads one target group of the service, an ALB's; with one load
 * balancer entry it defaults to that one. */
static int resolve_alb(const struct scenario *s, struct scn_service *v, const char *path,
		       struct err *e)
{
	struct aas_config *a = v->scaling;
	int tg_seen = -1;
	int n_tt = 0;

	for (int i = 0; i < a->n_policies; i++)
		n_tt += a->policies[i].kind == AAS_TARGET_TRACKING;
	for (int i = 0; i < a->n_policies; i++) {
		struct aas_policy *p = &a->policies[i];
		const struct lb_tg_cfg *g;
		char pp[256];
		int tg = -1, mine = 0;

		if (p->metric != AAS_ALB_REQUESTS)
			continue;
		if (p->kind == AAS_TARGET_TRACKING)
			snprintf(pp, sizeof pp, "%s.autoScaling.targetTracking[%d]", path, i);
		else
			snprintf(pp, sizeof pp, "%s.autoScaling.stepScaling[%d]", path, i - n_tt);
		if (v->lb.n == 0)
			return err_at(e, s->file, 0, 0, pp, "ALBRequestCountPerTarget needs a target group "
				      "of an Application Load Balancer, and service '%s' has no loadBalancers",
				      v->name);
		/* docs/ecs-model.md §5.10, choice E197: the predefined metric is not
		 * supported for blue/green; LINEAR and CANARY are blue/green
		 * deployments that shift traffic in steps */
		if (p->kind == AAS_TARGET_TRACKING && v->deploy_strategy != DS_ROLLING) {
			static const char *const names[] = { "ROLLING", "BLUE_GREEN", "LINEAR", "CANARY" };

			return err_at(e, s->file, 0, 0, pp, "target tracking on ALBRequestCountPerTarget "
				      "(policy '%s') is not supported for a blue/green deployment "
				      "(BLUE_GREEN, LINEAR or CANARY), and service '%s' has "
				      "deploymentConfiguration.strategy %s", p->name && *p->name ? p->name
				      : "(unnamed)", v->name, names[v->deploy_strategy]);
		}
		if (p->label) {
			char kind;
			const char *lbn;
			size_t lbl;

			strncat(pp, ".resourceLabel", sizeof pp - strlen(pp) - 1);
			tg = label_tg(&s->lb, p->label, &kind, &lbn, &lbl);
			if (tg < 0)
				return err_at(e, s->file, 0, 0, pp, "target group of '%.200s' does not exist "
					      "(expected app/LB/ID/targetgroup/NAME/ID or a target group "
					      "name of $.targetGroups)", p->label);
			for (int k = 0; k < v->lb.n; k++)
				mine |= v->lb.b[k].tg == tg;
			if (!mine)
				return err_at(e, s->file, 0, 0, pp, "target group %s is not one of service "
					      "'%s''s loadBalancers", s->lb.tgs[tg].name, v->name);
			g = &s->lb.tgs[tg];
			if (lbn && g->lb >= 0 && (strlen(s->lb.lbs[g->lb].name) != lbl ||
						  strncmp(s->lb.lbs[g->lb].name, lbn, lbl) != 0))
				return err_at(e, s->file, 0, 0, pp, "target group %s belongs to load "
					      "balancer %s, not %.*s", g->name, s->lb.lbs[g->lb].name,
					      (int)lbl, lbn);
		} else if (v->lb.n > 1) {
			return err_at(e, s->file, 0, 0, pp, "ALBRequestCountPerTarget is ambiguous: "
				      "service '%s' has %d target groups; name one with resourceLabel",
				      v->name, v->lb.n);
		} else {
			tg = v->lb.b[0].tg;
		}
		g = &s->lb.tgs[tg];
		if (g->lb >= 0 && s->lb.lbs[g->lb].type != LB_ALB)
			return err_at(e, s->file, 0, 0, pp, "ALBRequestCountPerTarget is for Application "
				      "Load Balancers; target group %s belongs to Network Load Balancer %s",
				      g->name, s->lb.lbs[g->lb].name);
		if (p->label && label_is_net(p->label))
			return err_at(e, s->file, 0, 0, pp, "ALBRequestCountPerTarget is for Application "
				      "Load Balancers (app/...), not a Network Load Balancer's label (net/...)");
		if (tg_seen >= 0 && tg != tg_seen)
			return err_at(e, s->file, 0, 0, pp, "ALBRequestCountPerTarget policies of one "
				      "service must read the same target group (%s here, %s before; "
				      "docs/ecs-model.md choice E91)", g->name, s->lb.tgs[tg_seen].name);
		tg_seen = tg;
		p->tg = tg;
	}
	return 0;
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
		if (!rc)
			rc = resolve_alb(s, v, path, e);
	}
	if (!rc && prot) {
		v->protection = xcalloc(1, sizeof *v->protection);
		snprintf(p, sizeof p, "%s.taskProtection", path);
		rc = cap_protection_read(v->protection, prot, p, &x, e);
	}
	free(names);
	return rc;
}

int capacity_config_read_strategy(struct scenario *s, const struct cJSON *arr, const char *path,
				  struct cp_strategy **out, struct err *e)
{
	struct cap_ctx x;
	const char **names = xcalloc((size_t)s->n_taskdefs + 1, sizeof *names);
	int rc;

	s->capacity_used = 1;
	ctx_of(s, &x, names);
	*out = xcalloc(1, sizeof **out);
	rc = cap_strategy_read(s->capacity, arr, path, &x, *out, e);
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

/* What ECS refuses across sections: a task definition routed to FARGATE or
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

int scenario_service_strategy_fargate(const struct scenario *s, int v)
{
	const struct scn_service *c = &s->services[v];
	const struct cp_strategy *st = c->cp_strategy;

	if (!s->capacity || c->sched != SCHED_REPLICA)
		return -1;
	if (!st && !c->launch_given && s->capacity->has_default)
		st = &s->capacity->default_strategy;
	if (!st || st->n == 0)
		return -1;
	return fargate_item(s, st) >= 0;
}

/* Whether definition td lists the launch type a strategy of Fargate
 * providers (fg 1: FARGATE) or of Auto Scaling group ones (fg 0: EC2) needs
 * (docs/ecs-model.md §5.11). */
static int lists_for(const struct scenario *s, int td, int fg)
{
	return fg ? fargate_td(s, td) : (s->taskdefs[td].td->launch & TD_LAUNCH_EC2) != 0;
}

int scenario_capacity_unsupported(const struct scenario *s, struct err *e)
{
	char p[160];
	int fg = 0, td = -1;

	if (!s->capacity_used || !s->capacity)
		return 0;
	for (int i = 0; i < s->n_services; i++) {
		fg = scenario_service_strategy_fargate(s, i);
		if (fg >= 0 && !lists_for(s, s->services[i].taskdef, fg)) {
			snprintf(p, sizeof p, "$.services[%d].taskDefinition", i);
			td = s->services[i].taskdef;
			goto refuse;
		}
	}
	fg = s->capacity->has_default && s->capacity->default_strategy.n > 0
		? fargate_item(s, &s->capacity->default_strategy) >= 0 : -1;
	if (fg >= 0)
		for (int g = 0; g < s->n_gens; g++)
			for (int m = 0; m < s->gens[g].n_mix; m++)
				/* a generator with its own strategy or launch
				 * type was checked when it was read */
				if (!s->gens[g].cp_strategy && s->gens[g].launch_type < 0 &&
				    !lists_for(s, s->gens[g].mix[m].taskdef, fg)) {
					snprintf(p, sizeof p, "$.workload.generators[%d]", g);
					td = s->gens[g].mix[m].taskdef;
					goto refuse;
				}
	return 0;
refuse:
	return err_at(e, s->file, 0, 0, p, "task definition '%s' is routed to %s capacity "
		      "provider but its requiresCompatibilities does not list %s (ECS refuses "
		      "the launch)", s->taskdefs[td].name, fg ? "a Fargate" : "an Auto Scaling group",
		      fg ? "FARGATE" : "EC2");
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
