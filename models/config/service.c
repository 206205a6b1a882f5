/* models/config/service.c — the services ($.services): REPLICA and DAEMON,
 * deployment configuration and circuit breaker, placement, run time
 * (docs/ecs-model.md §4, §5).  Run by models/service.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/config/sections.h"
#include "models/placement/cql.h"
#include "models/scenario.h"
#include "models/task.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

/* Whether the service's launch type is FARGATE: given so (launchType read
 * into v), or none given and its task definition is Fargate-only. */
static int service_is_fargate(const struct scenario *s, const struct scn_service *v, const char *lt)
{
	unsigned l = s->taskdefs[v->taskdef].td->launch;

	return lt ? v->launch_type == TL_FARGATE : (l & TD_LAUNCH_FARGATE) && !(l & TD_LAUNCH_EC2);
}

/* launchType (docs/ecs-model.md §1.9, §5.11): EC2 or FARGATE; the task
 * definition must list it in requiresCompatibilities; no DAEMON on Fargate
 * (docs/ecs-model.md §4.10). */
static int service_launch_type(const struct scenario *s, struct scn_service *v, struct jr *c,
			       const char *lt)
{
	unsigned l = s->taskdefs[v->taskdef].td->launch;
	int fg;

	if (lt) {
		if (strcmp(lt, "FARGATE") == 0)
			v->launch_type = TL_FARGATE;
		else if (strcmp(lt, "EC2") == 0)
			v->launch_type = TL_EC2;
		else
			return jr_fail(c, "launchType", "expected EC2 or FARGATE, got \"%s\"", lt);
		v->launch_given = 1;
		if (!(l & (v->launch_type == TL_FARGATE ? TD_LAUNCH_FARGATE : TD_LAUNCH_EC2)))
			return jr_fail(c, "launchType", "%s, but task definition '%s' does not list it "
				       "in requiresCompatibilities (ECS refuses the service)", lt,
				       s->taskdefs[v->taskdef].name);
	}
	fg = service_is_fargate(s, v, lt);
	/* a service's launch type is fixed when it is created: without
	 * launchType, the one its first definition implies; a later revision
	 * must support it (scn_service_deploy_check), never moves it */
	if (!lt)
		v->launch_type = fg ? TL_FARGATE : TL_EC2;
	if (fg && v->sched == SCHED_DAEMON)
		return jr_fail(c, lt ? "launchType" : "schedulingStrategy",
			       "a DAEMON service cannot run on Fargate (docs/ecs-model.md §4.10)");
	return 0;
}

/* availabilityZones: the zones of the service's awsvpc subnets, where its
 * Fargate tasks go (docs/ecs-model.md §4.11); names of the scenario's. */
static int service_subnet_azs(const struct scenario *s, struct scn_service *v, const cJSON *arr,
			      const char *path, struct err *e)
{
	int i = 0;
	char p[160];

	v->subnet_azs = xcalloc((size_t)s->n_azs + 1, 1);
	if (!arr->child)
		return err_at(e, s->file, 0, 0, path, "availabilityZones: expected at least one zone");
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		int k = -1;

		snprintf(p, sizeof p, "%s.availabilityZones[%d]", path, i);
		if (!cJSON_IsString(it))
			return err_at(e, s->file, 0, 0, p, "expected an Availability Zone name, got %s",
				      jtype_name(it));
		for (int a = 0; a < s->n_azs; a++)
			if (strcmp(s->azs[a], it->valuestring) == 0)
				k = a;
		if (k < 0)
			return err_at(e, s->file, 0, 0, p,
				      "'%s' is not one of the scenario's availabilityZones", it->valuestring);
		v->subnet_azs[k] = 1;
	}
	return 0;
}

/* deploymentCircuitBreaker.thresholdConfiguration (docs/ecs-model.md §5.6):
 * `type` BOUNDED_PERCENT, UNBOUNDED_PERCENT or COUNT and an integer
 * `value`, both required as in ECS's API; `cb_path` is the breaker's path. */
static int breaker_threshold_read(const struct scenario *s, struct scn_service *v,
				  const cJSON *obj, const char *cb_path, struct err *e)
{
	struct jr c;
	char p[240];
	const char *type;

	snprintf(p, sizeof p, "%s.thresholdConfiguration", cb_path);
	if (jr_open(&c, obj, s->file, p, e) || jr_req_str(&c, "type", &type) ||
	    jr_req_int(&c, "value", 1, 1000000, &v->breaker_value) || jr_end(&c))
		return -1;
	if (strcmp(type, "BOUNDED_PERCENT") == 0)
		v->breaker_type = BREAKER_BOUNDED_PERCENT;
	else if (strcmp(type, "UNBOUNDED_PERCENT") == 0)
		v->breaker_type = BREAKER_UNBOUNDED_PERCENT;
	else if (strcmp(type, "COUNT") == 0)
		v->breaker_type = BREAKER_COUNT;
	else
		return jr_fail(&c, "type", "expected BOUNDED_PERCENT, UNBOUNDED_PERCENT or COUNT, "
			       "got \"%s\"", type);
	return 0;
}

/* A percentage that must be a multiple of 0.1 (LinearConfiguration's
 * stepPercent, CanaryConfiguration's canaryPercent). */
static int tenth_check(struct jr *c, const char *key, double x)
{
	char got[40];

	if (fabs(x * 10.0 - round(x * 10.0)) <= 1e-6)
		return 0;
	jr_fmt_num(x, got, sizeof got);
	return jr_fail(c, key, "must be a multiple of 0.1 (ECS refuses %s)", got);
}

/* deploymentConfiguration's strategy members (docs/ecs-model.md §5.7):
 * `strategy` ROLLING (default), BLUE_GREEN, LINEAR or CANARY;
 * `bakeTimeInMinutes` 0–1440, required with BLUE_GREEN as ECS requires it,
 * 0 for LINEAR and CANARY when absent (choice E121); `linearConfiguration`
 * {stepPercent 3.0–100.0 (10.0), stepBakeTimeInMinutes 0–1440 (6)} only
 * with LINEAR, `canaryConfiguration` {canaryPercent 0.1–100.0 (5.0),
 * canaryBakeTimeInMinutes 0–1440 (10)} only with CANARY; `lifecycleHooks`
 * refused (not modelled).  `dc` has read none of them yet. */
static int strategy_read(const struct scenario *s, struct scn_service *v, struct jr *dc, const char *dc_path,
			 struct err *e)
{
	const char *strat;
	const cJSON *lin, *can;
	int64_t bake, x;
	char p[240];

	v->deploy_strategy = DS_ROLLING;
	v->bake_min = 0;
	v->step_pct = 10.0;
	v->step_bake_min = 6;
	v->canary_pct = 5.0;
	v->canary_bake_min = 10;
	if (jr_has(dc, "lifecycleHooks"))
		return jr_fail(dc, "lifecycleHooks", "deployment lifecycle hooks (Lambda functions) are not "
			       "modelled (docs/ecs-model.md §5.7)");
	if (jr_opt_str(dc, "strategy", "ROLLING", &strat) ||
	    jr_opt_int(dc, "bakeTimeInMinutes", 0, 0, 1440, &bake) ||
	    jr_opt_object(dc, "linearConfiguration", &lin) || jr_opt_object(dc, "canaryConfiguration", &can))
		return -1;
	if (strcmp(strat, "ROLLING") == 0)
		v->deploy_strategy = DS_ROLLING;
	else if (strcmp(strat, "BLUE_GREEN") == 0)
		v->deploy_strategy = DS_BLUE_GREEN;
	else if (strcmp(strat, "LINEAR") == 0)
		v->deploy_strategy = DS_LINEAR;
	else if (strcmp(strat, "CANARY") == 0)
		v->deploy_strategy = DS_CANARY;
	else
		return jr_fail(dc, "strategy", "expected ROLLING, BLUE_GREEN, LINEAR or CANARY, got \"%s\"", strat);
	if (v->deploy_strategy == DS_ROLLING && jr_has(dc, "bakeTimeInMinutes"))
		return jr_fail(dc, "bakeTimeInMinutes", "used only by the BLUE_GREEN, LINEAR and CANARY "
			       "strategies (docs/ecs-model.md §5.7); the strategy is ROLLING");
	if (v->deploy_strategy == DS_BLUE_GREEN && !jr_has(dc, "bakeTimeInMinutes"))
		return jr_fail(dc, "bakeTimeInMinutes", "required with the BLUE_GREEN strategy (ECS requires it, "
			       "docs/ecs-model.md §5.7)");
	if (lin && v->deploy_strategy != DS_LINEAR)
		return jr_fail(dc, "linearConfiguration", "only valid with the LINEAR strategy (ECS refuses it)");
	if (can && v->deploy_strategy != DS_CANARY)
		return jr_fail(dc, "canaryConfiguration", "only valid with the CANARY strategy (ECS refuses it)");
	if (v->deploy_strategy != DS_ROLLING && v->sched == SCHED_DAEMON)
		return jr_fail(dc, "strategy", "%s deployments are for REPLICA services; ecsim refuses them for "
			       "a DAEMON service (docs/ecs-model.md §5.7, choice E122)", strat);
	v->bake_min = (int)bake;
	if (lin) {
		struct jr lc;

		snprintf(p, sizeof p, "%s.linearConfiguration", dc_path);
		if (jr_open(&lc, lin, s->file, p, e) ||
		    jr_opt_num(&lc, "stepPercent", 10.0, 3.0, 100.0, &v->step_pct) ||
		    tenth_check(&lc, "stepPercent", v->step_pct) ||
		    jr_opt_int(&lc, "stepBakeTimeInMinutes", 6, 0, 1440, &x) || jr_end(&lc))
			return -1;
		v->step_bake_min = (int)x;
	}
	if (can) {
		struct jr cc;

		snprintf(p, sizeof p, "%s.canaryConfiguration", dc_path);
		if (jr_open(&cc, can, s->file, p, e) ||
		    jr_opt_num(&cc, "canaryPercent", 5.0, 0.1, 100.0, &v->canary_pct) ||
		    tenth_check(&cc, "canaryPercent", v->canary_pct) ||
		    jr_opt_int(&cc, "canaryBakeTimeInMinutes", 10, 0, 1440, &x) || jr_end(&cc))
			return -1;
		v->canary_bake_min = (int)x;
	}
	return 0;
}

/* deploymentConfiguration.alarms (docs/ecs-model.md §5.6): `alarmNames`
 * (at least one), `enable` and `rollback`, all three required as in ECS's
 * API (DeploymentAlarms).  The names are resolved once $.alarms is read
 * (models/config/alarms.c); a DAEMON service's work as a REPLICA's rolling
 * deployment's do (choice E139). */
static int alarms_read(const struct scenario *s, struct scn_service *v, const cJSON *obj, const char *dc_path,
		       struct err *e)
{
	struct jr c;
	const cJSON *names;
	char p[240];
	int i = 0;

	snprintf(p, sizeof p, "%s.alarms", dc_path);
	if (jr_open(&c, obj, s->file, p, e) || jr_req_array(&c, "alarmNames", &names))
		return -1;
	if (!jr_has(&c, "enable"))
		return jr_fail(&c, "enable", "required member is missing (ECS's DeploymentAlarms requires it)");
	if (!jr_has(&c, "rollback"))
		return jr_fail(&c, "rollback", "required member is missing (ECS's DeploymentAlarms requires it)");
	if (jr_opt_bool(&c, "enable", 0, &v->alarms_enable) || jr_opt_bool(&c, "rollback", 0, &v->alarms_rollback) ||
	    jr_end(&c))
		return -1;
	if (!names->child)
		return jr_fail(&c, "alarmNames", "expected at least one alarm name");
	v->alarm_names = xcalloc((size_t)cJSON_GetArraySize(names) + 1, sizeof *v->alarm_names);
	v->alarm_idx = xcalloc((size_t)cJSON_GetArraySize(names) + 1, sizeof *v->alarm_idx);
	for (const cJSON *it = names->child; it; it = it->next, i++) {
		if (!cJSON_IsString(it)) {
			snprintf(p, sizeof p, "%s.alarms.alarmNames[%d]", dc_path, i);
			return err_at(e, s->file, 0, 0, p, "expected an alarm name, got %s", jtype_name(it));
		}
		v->alarm_names[v->n_alarms] = xstrdup(it->valuestring);
		v->alarm_idx[v->n_alarms++] = -1;
	}
	return 0;
}

/* deploymentController (docs/ecs-model.md §5.7): {"type": "ECS"} only. */
static int controller_read(const struct scenario *s, const cJSON *obj, const char *path, struct err *e)
{
	struct jr c;
	const char *type;
	char p[200];

	snprintf(p, sizeof p, "%s.deploymentController", path);
	if (jr_open(&c, obj, s->file, p, e) || jr_opt_str(&c, "type", "ECS", &type) || jr_end(&c))
		return -1;
	if (strcmp(type, "CODE_DEPLOY") == 0 || strcmp(type, "EXTERNAL") == 0)
		return jr_fail(&c, "type", "the %s deployment controller is not modelled; ecsim models the ECS "
			       "controller only (docs/ecs-model.md §5.7)", type);
	if (strcmp(type, "ECS") != 0)
		return jr_fail(&c, "type", "expected ECS, CODE_DEPLOY or EXTERNAL, got \"%s\"", type);
	return 0;
}

int scn_service_rebalances(const struct scn_service *v, const struct place_policy *pol)
{
	static const char az_attr[] = "ecs.availability-zone";

	if (!v->az_rebalancing || v->sched != SCHED_REPLICA || v->max_pct <= 100)
		return 0;
	if (pol->n_strategies > 0 &&
	    !(pol->strategies[0].type == PS_SPREAD && strncmp(pol->strategies[0].field, "attribute:", 10) == 0 &&
	      strcmp(pol->strategies[0].field + 10, az_attr) == 0))
		return 0;
	for (int k = 0; k < pol->n_constraints; k++)
		if (pol->constraints[k].type == PC_MEMBER_OF && cql_reads_attribute(pol->constraints[k].expr, az_attr))
			return 0;
	return 1;
}

int scn_service_deploy_check(const struct scenario *s, int v, int td, struct err *e)
{
	const struct scn_service *c = &s->services[v];
	int fg, n = c->policy.n_constraints - s->taskdefs[c->taskdef].td->n_constraints + s->taskdefs[td].td->n_constraints;

	if (n > PLACE_MAX_CONSTRAINTS)
		return err_at(e, NULL, 0, 0, NULL,
			      "service '%s' with task definition '%s' would have %d placement constraints "
			      "(the service's and the definition's); ECS allows %d (docs/ecs-model.md §4.3)",
			      c->name, s->taskdefs[td].name, n, PLACE_MAX_CONSTRAINTS);
	/* docs/ecs-model.md §5.11: UpdateService keeps the service's launch
	 * type (or capacity provider strategy); ECS refuses a task definition
	 * that does not list it in requiresCompatibilities */
	fg = scenario_service_strategy_fargate(s, v);
	if (fg < 0)
		fg = c->launch_type == TL_FARGATE;
	if (!(s->taskdefs[td].td->launch & (fg ? TD_LAUNCH_FARGATE : TD_LAUNCH_EC2)))
		return err_at(e, NULL, 0, 0, NULL,
			      "task definition '%s' does not list %s in its requiresCompatibilities, "
			      "but service '%s' runs its tasks on %s (%s; ECS refuses the UpdateService call)",
			      s->taskdefs[td].name, fg ? "FARGATE" : "EC2", c->name,
			      fg ? "Fargate" : "EC2 instances",
			      scenario_service_strategy_fargate(s, v) >= 0 ? "its capacity provider strategy"
			      : c->launch_given ? "its launchType" : "the launch type its first task definition gave it");
	return 0;
}

int service_config_read(struct scenario *s, const cJSON *arr, struct err *e)
{
	int i = 0;

	if (!arr)
		return 0;
	s->services = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *s->services);
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		char path[96], p2[160];
		struct jr c, dc;
		struct scn_service *v = &s->services[s->n_services];
		const char *name, *tdname, *sched, *azr, *lt;
		const cJSON *dep, *strat, *cons, *rt, *cb, *cps, *aas, *prot, *lbs, *grace, *azs, *ctl, *al;
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
		    jr_opt_str(&c, "availabilityZoneRebalancing", "ENABLED", &azr) ||
		    jr_opt_str(&c, "launchType", NULL, &lt))
			return -1;
		rt = jr_get(&c, "runtimeSeconds");
		lbs = jr_get(&c, "loadBalancers");
		grace = jr_get(&c, "healthCheckGracePeriodSeconds");
		if (jr_opt_array(&c, "capacityProviderStrategy", &cps) ||
		    jr_opt_array(&c, "availabilityZones", &azs) ||
		    jr_opt_object(&c, "autoScaling", &aas) || jr_opt_object(&c, "taskProtection", &prot) ||
		    jr_opt_object(&c, "deploymentController", &ctl) || jr_end(&c))
			return -1;
		if (!taskdef_name_ok(name)   /* CreateService's rule, §5.1 */)
			return jr_fail(&c, "serviceName", "invalid service name \"%.80s\": 1 to 255 letters, "
				       "digits, '_' or '-' (ECS refuses the service, docs/ecs-model.md §5.1)", name);
		for (int k = 0; k < s->n_services; k++)
			if (strcmp(s->services[k].name, name) == 0)
				return jr_fail(&c, "serviceName", "service '%s' is declared twice", name);
		s->n_services++;
		v->name = xstrdup(name);
		v->svc_index = i;
		place_policy_init(&v->policy);
		if (strcmp(sched, "REPLICA") == 0)
			v->sched = SCHED_REPLICA;
		else if (strcmp(sched, "DAEMON") == 0)
			v->sched = SCHED_DAEMON;
		else
			return jr_fail(&c, "schedulingStrategy", "expected REPLICA or DAEMON, got \"%s\"", sched);
		/* no desired count, no strategy, no Service Auto Scaling (its
		 * scalable target is the desired count a DAEMON has not) */
		if (v->sched == SCHED_DAEMON && (strat || aas || jr_has(&c, "desiredCount")))
			return jr_fail(&c, strat ? "placementStrategy" : aas ? "autoScaling" : "desiredCount",
				       "not used by a DAEMON service (ECS refuses it, docs/ecs-model.md §4.10)");
		td = taskdefs_config_find(s, tdname);
		if (td < 0)
			return jr_fail(&c, "taskDefinition", "unknown task definition '%s' (not in $.taskDefinitions)", tdname);
		v->taskdef = td;
		if (service_launch_type(s, v, &c, lt))
			return -1;
		/* docs/ecs-model.md §5.1: required for REPLICA */
		if (v->sched == SCHED_REPLICA && !jr_has(&c, "desiredCount"))
			return jr_fail(&c, "desiredCount", "required member is missing (a REPLICA service's desired "
				       "count, docs/ecs-model.md §5.1)");
		/* docs/ecs-model.md §4.11, choice E167: on the FARGATE launch
		 * type (given, or a Fargate-only definition) CreateService refuses
		 * the service's own strategies and constraints, in ECS's words;
		 * the scenario-wide `placement` is not the service's call */
		if ((strat || cons) && service_is_fargate(s, v, lt))
			return jr_fail(&c, strat ? "placementStrategy" : "placementConstraints",
				       "Placement %s are not supported with FARGATE launch type "
				       "(ECS refuses the service: docs/ecs-model.md §4.11)",
				       strat ? "strategies" : "constraints");
		/* docs/ecs-model.md §6.1, §5.8: checked as CreateService and ELB would */
		if ((lbs || grace) &&
		    lb_service_read(&s->lb, lbs, grace, s->taskdefs[td].td, s->file, path, &v->lb, e))
			return -1;
		v->desired = desired;
		/* CreateService without a value: ENABLED, in effect only for a
		 * compatible service (docs/ecs-model.md §5.9); an explicit ENABLED
		 * on an incompatible one is kept and has no effect (choice
		 * E109), see scn_service_rebalances */
		if (strcmp(azr, "ENABLED") == 0)
			v->az_rebalancing = 1;
		else if (strcmp(azr, "DISABLED") != 0)
			return jr_fail(&c, "availabilityZoneRebalancing",
				       "expected ENABLED or DISABLED, got \"%s\"", azr);
		v->create_at = sim_ms(create_at);
		/* docs/ecs-model.md §5.5: REPLICA 100/200, DAEMON 0/100 */
		minp = v->sched == SCHED_DAEMON ? 0 : 100;
		maxp = v->sched == SCHED_DAEMON ? 100 : 200;
		v->breaker = 0;
		v->rollback = 0;
		v->breaker_reset = 1;
		v->breaker_type = BREAKER_BOUNDED_PERCENT;
		v->breaker_value = 50;
		v->deploy_strategy = DS_ROLLING;
		if (ctl && controller_read(s, ctl, path, e))
			return -1;
		if (dep) {
			snprintf(p2, sizeof p2, "%s.deploymentConfiguration", path);
			if (jr_open(&dc, dep, s->file, p2, e) ||
			    jr_opt_int(&dc, "minimumHealthyPercent", minp, 0, 100, &minp) ||
			    jr_opt_int(&dc, "maximumPercent", maxp, 100, 200, &maxp) ||
			    jr_opt_object(&dc, "deploymentCircuitBreaker", &cb) ||
			    jr_opt_object(&dc, "alarms", &al) ||
			    strategy_read(s, v, &dc, p2, e) || jr_end(&dc))
				return -1;
			if (al && alarms_read(s, v, al, p2, e))
				return -1;
			if (cb) {
				struct jr bc;
				const cJSON *thr;

				snprintf(p2, sizeof p2, "%s.deploymentConfiguration.deploymentCircuitBreaker", path);
				if (jr_open(&bc, cb, s->file, p2, e) ||
				    jr_opt_bool(&bc, "enable", 0, &v->breaker) ||
				    jr_opt_bool(&bc, "rollback", 0, &v->rollback) ||
				    jr_opt_bool(&bc, "resetOnHealthyTask", 1, &v->breaker_reset) ||
				    jr_opt_object(&bc, "thresholdConfiguration", &thr) || jr_end(&bc))
					return -1;
				if (thr && breaker_threshold_read(s, v, thr, p2, e))
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
		if (azs && service_subnet_azs(s, v, azs, path, e))
			return -1;
		if (placement_service_policy(s, v, e))
			return -1;
		if (rt) {
			snprintf(p2, sizeof p2, "%s.runtimeSeconds", path);
			if (dist_parse(&v->runtime, rt, s->file, p2, s->dir, e))
				return -1;
			v->has_runtime = 1;
		}
		/* docs/ecs-model.md §5.11: a launch type or a strategy, not both */
		if (lt && cps)
			return jr_fail(&c, "launchType", "give either launchType or "
				       "capacityProviderStrategy, not both (ECS refuses the service)");
		if (capacity_config_read_service(s, v, path, cps, aas, prot, e))
			return -1;
	}
	return 0;
}

void service_config_free(struct scenario *s)
{
	for (int i = 0; i < s->n_services; i++) {
		free(s->services[i].name);
		place_policy_free(&s->services[i].policy);
		place_policy_free(&s->services[i].own);
		free(s->services[i].strategy_label);
		if (s->services[i].has_runtime)
			dist_free(&s->services[i].runtime);
		capacity_config_free_service(&s->services[i]);
		free(s->services[i].subnet_azs);
		for (int k = 0; k < s->services[i].n_alarms; k++)
			free(s->services[i].alarm_names[k]);
		free(s->services[i].alarm_names);
		free(s->services[i].alarm_idx);
	}
	free(s->services);
}
