/* models/config/placement.c — the scenario's placement policy ($.placement)
 * and pending mode ($.pending), the policy each task definition and each
 * service places with (rebuilt by --strategy and --tie-break), and the
 * strategy label summary.csv shows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/config/sections.h"
#include "models/scenario.h"
#include "models/task.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

int placement_config_read(struct scenario *s, const cJSON *obj, struct err *e)
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

/* What happens to a task no instance can take: it waits (with an optional
 * timeout) or RunTask fails at once. */
int pending_config_read(struct scenario *s, const cJSON *pending, struct err *e)
{
	struct jr pc;
	const char *mode;
	double ptimeout = 0, cpwait = CP_WAIT_S;

	if (pending) {
		if (jr_open(&pc, pending, s->file, "$.pending", e) ||
		    jr_opt_num(&pc, "timeoutSeconds", 0, 0, 1e11, &ptimeout) ||
		    jr_opt_num(&pc, "capacityWaitSeconds", CP_WAIT_S, 1, 1e7, &cpwait) ||
		    jr_opt_str(&pc, "mode", "wait", &mode) || jr_end(&pc))
			return -1;
		if (strcmp(mode, "fail") == 0)
			s->pending_fail = 1;
		else if (strcmp(mode, "wait") != 0)
			return jr_fail(&pc, "mode", "expected \"wait\" or \"fail\", got \"%s\"", mode);
	}
	s->pending_timeout = sim_ms(ptimeout);
	s->cp_wait = sim_ms(cpwait);
	return 0;
}

void placement_config_free(struct scenario *s)
{
	place_policy_free(&s->policy);
	free(s->strategy_label);
	free(s->summary_label);
}

/* The policy a task definition places with: the scenario's strategies and
 * constraints, then the definition's own memberOf constraints (docs/ecs-model.md §1.10). */
int placement_taskdef_policy(struct scenario *s, struct scn_taskdef *t, struct err *e)
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
int placement_service_policy(struct scenario *s, struct scn_service *v, struct err *e)
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
	if (v->subnet_azs) {
		/* the zones of its awsvpc subnets, when they leave some out: an
		 * awsvpc task goes only to an instance in one of them (LOCATION,
		 * docs/ecs-model.md §4.2) */
		const char **z = xmalloc((size_t)s->n_azs * sizeof *z);
		int n = 0;

		for (int a = 0; a < s->n_azs; a++)
			if (v->subnet_azs[a])
				z[n++] = s->azs[a];
		if (n < s->n_azs)
			place_policy_set_zones(&v->policy, z, n);
		free(z);
	}
	free(v->strategy_label);
	if (daemon)
		v->strategy_label = xstrdup("daemon");
	else if (s->cli_strategy || !v->own_strategy)
		v->strategy_label = xstrdup(s->strategy_label);
	else
		v->strategy_label = place_policy_describe(&v->own);
	return 0;
}

/* Whether service v runs every task on Fargate: its capacity provider
 * strategy names Fargate providers, or none applies and its launch type
 * is FARGATE (docs/ecs-model.md §4.11, §5.11). */
static int service_on_fargate(const struct scenario *s, int v)
{
	int fg = scenario_service_strategy_fargate(s, v);

	return s->services[v].sched != SCHED_DAEMON && (fg >= 0 ? fg : s->services[v].launch_type == TL_FARGATE);
}

/* summary.csv's strategy: the one label shared by the standalone tasks
 * (counted when the scenario has a workload, or nothing else runs) and every
 * REPLICA service on instances; "mixed" when they differ (service_summary.csv
 * then names each service's).  A service whose tasks all run on Fargate
 * takes no strategy (no instance to choose among: docs/ecs-model.md §4.11)
 * and is labelled "fargate", as a DAEMON service "daemon"; when only such
 * services run, their shared label (else "mixed").  Called once the
 * services' capacity provider strategies are read (scenario.c load). */
void placement_summary_label(struct scenario *s)
{
	const char *one = NULL, *none = NULL;
	int mixed = 0, mixed_none = 0, on_instances = 0;

	for (int i = 0; i < s->n_services; i++) {
		struct scn_service *v = &s->services[i];

		if (service_on_fargate(s, i)) {
			free(v->strategy_label);
			v->strategy_label = xstrdup("fargate");
		}
		if (v->sched == SCHED_DAEMON || service_on_fargate(s, i)) {
			if (none && strcmp(none, v->strategy_label) != 0)
				mixed_none = 1;
			none = v->strategy_label;
		} else {
			on_instances++;
		}
	}
	if (s->n_traces || s->n_imports || s->n_gens || (!on_instances && !s->n_services))
		one = s->strategy_label;
	for (int i = 0; i < s->n_services; i++) {
		const struct scn_service *v = &s->services[i];

		if (v->sched == SCHED_DAEMON || service_on_fargate(s, i))
			continue;
		if (!one)
			one = v->strategy_label;
		else if (strcmp(one, v->strategy_label) != 0)
			mixed = 1;
	}
	free(s->summary_label);
	s->summary_label = xstrdup(mixed || (!one && mixed_none) ? "mixed" : one ? one : none);
}

static int rebuild_policies(struct scenario *s, struct err *e)
{
	for (int i = 0; i < s->n_taskdefs; i++)
		if (placement_taskdef_policy(s, &s->taskdefs[i], e))
			return -1;
	for (int i = 0; i < s->n_services; i++)
		if (placement_service_policy(s, &s->services[i], e))
			return -1;
	placement_summary_label(s);
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
