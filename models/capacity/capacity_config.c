/* models/capacity/capacity_config.c — reading the capacity sections of a
 * scenario (field reference: scenarios/README.md, "Capacity"). */
#include "models/capacity/capacity_config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "models/capacity/task_protection.h"
#include "models/taskdef.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

/* ---- small helpers ------------------------------------------------------ */

/* "ENABLED" / "DISABLED" member, stored as 1 / 0. */
static int read_enabled(struct jr *c, const char *key, int dflt, int *out)
{
	const char *s;

	if (jr_opt_str(c, key, dflt ? "ENABLED" : "DISABLED", &s))
		return -1;
	if (strcmp(s, "ENABLED") == 0)
		*out = 1;
	else if (strcmp(s, "DISABLED") == 0)
		*out = 0;
	else
		return jr_fail(c, key, "expected \"ENABLED\" or \"DISABLED\", got \"%s\"", s);
	return 0;
}

static int sec_member(struct jr *c, const char *key, double dflt, double hi, int64_t *ms)
{
	double s;

	if (jr_opt_num(c, key, dflt, 0, hi, &s))
		return -1;
	*ms = (int64_t)llround(s * 1000.0);
	return 0;
}

static int has_prefix_ci(const char *s, const char *p)
{
	for (; *p; p++, s++)
		if ((*s | 0x20) != (*p | 0x20))
			return 0;
	return 1;
}

/* ---- capacity providers ------------------------------------------------- */

static int read_asg(struct cap_provider *p, const cJSON *obj, const char *path,
		    const struct cap_ctx *x, struct err *e)
{
	struct jr c;
	const char *type;
	const cJSON *azs, *launch;
	int64_t mn, mx, des;
	static const char *const keys[] = { "instanceType", "availabilityZones", "minSize",
		"maxSize", "desiredCapacity", "launchTimeSeconds", NULL };

	if (jr_open(&c, obj, x->file, path, e) || jr_only(&c, keys) ||
	    jr_req_str(&c, "instanceType", &type) ||
	    jr_req_array(&c, "availabilityZones", &azs) ||
	    jr_opt_int(&c, "minSize", 0, 0, 10000, &mn) ||
	    jr_req_int(&c, "maxSize", 0, 10000, &mx) ||
	    jr_opt_int(&c, "desiredCapacity", mn, 0, 10000, &des))
		return -1;
	launch = jr_get(&c, "launchTimeSeconds");
	if (jr_end(&c))
		return -1;
	p->asg.type = catalog_find(x->catalog, type);
	if (!p->asg.type) {
		char *names = catalog_names(x->catalog);
		int rc = jr_fail(&c, "instanceType", "unknown instance type '%s'; known: %s", type, names);

		free(names);
		return rc;
	}
	if (mn > mx)
		return jr_fail(&c, "minSize", "minSize %lld is above maxSize %lld", (long long)mn,
			       (long long)mx);
	if (des < mn || des > mx)
		return jr_fail(&c, "desiredCapacity", "must be within minSize..maxSize (%lld..%lld), got %lld",
			       (long long)mn, (long long)mx, (long long)des);
	p->asg.min_size = (int)mn;
	p->asg.max_size = (int)mx;
	p->asg.desired = (int)des;
	if (cJSON_GetArraySize(azs) < 1)
		return jr_fail(&c, "availabilityZones", "needs at least one zone");
	p->asg.azs = xcalloc((size_t)cJSON_GetArraySize(azs), sizeof *p->asg.azs);
	for (const cJSON *it = azs->child; it; it = it->next) {
		char ap[600];
		const char *z;
		int k = -1;

		snprintf(ap, sizeof ap, "%s.availabilityZones[%d]", path, p->asg.n_azs);
		if (jv_str(it, x->file, ap, &z, e))
			return -1;
		for (int i = 0; i < x->n_azs; i++)
			if (strcmp(x->azs[i], z) == 0)
				k = i;
		if (k < 0)
			return err_at(e, x->file, 0, 0, ap, "'%s' is not one of the scenario's availabilityZones", z);
		for (int i = 0; i < p->asg.n_azs; i++)
			if (p->asg.azs[i] == k)
				return err_at(e, x->file, 0, 0, ap, "zone '%s' is listed twice", z);
		p->asg.azs[p->asg.n_azs++] = k;
	}
	if (launch) {
		char lp[600];

		jr_path(&c, "launchTimeSeconds", lp, sizeof lp);
		dist_free(&p->asg.launch);
		if (dist_parse(&p->asg.launch, launch, x->file, lp, x->dir, e))
			return -1;
	}
	return 0;
}

static int read_managed_scaling(struct cap_provider *p, const cJSON *obj, const char *path,
				const struct cap_ctx *x, struct err *e)
{
	struct jr c;
	int64_t target, mins, maxs, warm, indp, outdp;
	static const char *const keys[] = { "status", "targetCapacity", "minimumScalingStepSize",
		"maximumScalingStepSize", "instanceWarmupPeriod", "reservationFormula",
		"scaleInDatapoints", "scaleOutDatapoints", NULL };
	const char *formula;

	if (jr_open(&c, obj, x->file, path, e) || jr_only(&c, keys) ||
	    read_enabled(&c, "status", 1, &p->ms.enabled) ||
	    jr_opt_int(&c, "targetCapacity", 100, 1, 100, &target) ||
	    jr_opt_int(&c, "minimumScalingStepSize", 1, 1, 10000, &mins) ||
	    jr_opt_int(&c, "maximumScalingStepSize", 10000, 1, 10000, &maxs) ||
	    jr_opt_int(&c, "instanceWarmupPeriod", 300, 0, 10000, &warm) ||
	    jr_opt_str(&c, "reservationFormula", "M/N", &formula) ||
	    jr_opt_int(&c, "scaleInDatapoints", 15, 1, 1440, &indp) ||
	    jr_opt_int(&c, "scaleOutDatapoints", 1, 1, 1440, &outdp) || jr_end(&c))
		return -1;
	if (strcmp(formula, "M/N") == 0)
		p->ms.empty_formula = 0;
	else if (strcmp(formula, "empty") == 0)
		p->ms.empty_formula = 1;
	else
		return jr_fail(&c, "reservationFormula", "expected \"M/N\" or \"empty\", got \"%s\"", formula);
	if (mins > maxs)
		return jr_fail(&c, "minimumScalingStepSize",
			       "%lld is above maximumScalingStepSize %lld", (long long)mins, (long long)maxs);
	p->ms.target = (int)target;
	p->ms.min_step = (int)mins;
	p->ms.max_step = (int)maxs;
	p->ms.warmup_ms = warm * 1000;
	p->ms.scale_in_datapoints = (int)indp;
	p->ms.scale_out_datapoints = (int)outdp;
	return 0;
}

static int read_provider(struct cap_config *cfg, const cJSON *it, int i, const struct cap_ctx *x,
			 struct err *e)
{
	char path[96], p2[160];
	struct jr c;
	const char *name;
	const cJSON *asg, *ms;
	struct cap_provider *p = &cfg->providers[cfg->n_providers];
	static const char *const keys[] = { "name", "autoScalingGroup", "managedScaling",
		"managedTerminationProtection", "managedDraining", NULL };

	snprintf(path, sizeof path, "$.capacityProviders[%d]", i);
	if (jr_open(&c, it, x->file, path, e) || jr_only(&c, keys) ||
	    jr_req_str(&c, "name", &name))
		return -1;
	asg = jr_get(&c, "autoScalingGroup");
	if (jr_opt_object(&c, "managedScaling", &ms))
		return -1;
	/* ECS refuses these names for a provider one creates */
	if (strcmp(name, "FARGATE") == 0 || strcmp(name, "FARGATE_SPOT") == 0)
		return jr_fail(&c, "name", "'%s' is built in; use it in a strategy without declaring it",
			       name);
	if (has_prefix_ci(name, "aws") || has_prefix_ci(name, "ecs") || has_prefix_ci(name, "fargate"))
		return jr_fail(&c, "name", "a capacity provider name may not begin with \"aws\", "
			       "\"ecs\" or \"fargate\", got \"%s\"", name);
	/* CreateCapacityProvider's rule for a name; it also keeps the name
	 * usable inside a quoted cluster query value (the pin of a task
	 * routed to the provider, models/backplane.c) */
	if (!taskdef_name_ok(name))
		return jr_fail(&c, "name", "expected 1-255 letters, digits, '_' or '-' (ECS's rule for a capacity "
			       "provider's name), got \"%.60s\"", name);
	if (cap_find(cfg, name) >= 0)
		return jr_fail(&c, "name", "capacity provider '%s' is declared twice", name);
	if (!asg)
		return jr_fail(&c, "autoScalingGroup", "required member is missing");
	if (!cJSON_IsObject(asg))
		return jr_fail(&c, "autoScalingGroup", "expected object, got %s", jtype_name(asg));
	p->name = xstrdup(name);
	p->kind = CAP_ASG;
	ms_params_default(&p->ms);
	p->ms.enabled = 0;   /* no managedScaling object: the group keeps its size */
	p->asg.launch.kind = DIST_UNIFORM;   /* EC2 boot + agent registration: 60..180 s */
	p->asg.launch.a = 60;
	p->asg.launch.b = 180;
	cfg->n_providers++;
	jr_path(&c, "autoScalingGroup", p2, sizeof p2);
	if (read_asg(p, asg, p2, x, e))
		return -1;
	if (ms) {
		jr_path(&c, "managedScaling", p2, sizeof p2);
		if (read_managed_scaling(p, ms, p2, x, e))
			return -1;
	}
	if (read_enabled(&c, "managedTerminationProtection", 0, &p->ms.termination_protection) ||
	    read_enabled(&c, "managedDraining", 1, &p->ms.draining) || jr_end(&c))
		return -1;
	if (p->ms.termination_protection && !p->ms.enabled)
		return jr_fail(&c, "managedTerminationProtection",
			       "needs managed scaling (managedScaling.status ENABLED)");
	p->ms.min_size = p->asg.min_size;
	p->ms.max_size = p->asg.max_size;
	return 0;
}

/* ---- strategies --------------------------------------------------------- */

int cap_strategy_read(const struct cap_config *cfg, const cJSON *arr, const char *path,
		      const struct cap_ctx *x, struct cp_strategy *out, struct err *e)
{
	int i = 0, fargate = 0, asg = 0, bad;
	const char *why;

	memset(out, 0, sizeof *out);
	if (!cJSON_IsArray(arr))
		return err_at(e, x->file, 0, 0, path, "expected array, got %s", jtype_name(arr));
	if (cJSON_GetArraySize(arr) > CPS_MAX_ITEMS)
		return err_at(e, x->file, 0, 0, path, "at most %d items, got %d", CPS_MAX_ITEMS,
			      cJSON_GetArraySize(arr));
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		char ip[600];
		struct jr c;
		const char *name;
		int64_t base, weight;
		int k;

		snprintf(ip, sizeof ip, "%s[%d]", path, i);
		if (jr_open(&c, it, x->file, ip, e) ||
		    jr_req_str(&c, "capacityProvider", &name) ||
		    jr_opt_int(&c, "base", 0, 0, CPS_MAX_BASE, &base) ||
		    jr_opt_int(&c, "weight", 0, 0, CPS_MAX_WEIGHT, &weight) || jr_end(&c))
			return -1;
		k = cap_find(cfg, name);
		if (k < 0)
			return jr_fail(&c, "capacityProvider",
				       "unknown capacity provider '%s' (not FARGATE, FARGATE_SPOT or in "
				       "$.capacityProviders)", name);
		if (cfg->providers[k].kind == CAP_ASG)
			asg = 1;
		else
			fargate = 1;
		if (asg && fargate)
			return jr_fail(&c, "capacityProvider", "a strategy may not mix Fargate and Auto "
				       "Scaling group capacity providers");
		out->items[out->n].provider = k;
		out->items[out->n].base = (int)base;
		out->items[out->n].weight = (int)weight;
		out->n++;
	}
	if (cps_validate(out, &why, &bad)) {
		char ip[600];

		if (bad >= 0)
			snprintf(ip, sizeof ip, "%s[%d]", path, bad);
		else
			snprintf(ip, sizeof ip, "%s", path);
		return err_at(e, x->file, 0, 0, ip, "%s", why);
	}
	return 0;
}

/* ---- Fargate and utilisation --------------------------------------------- */

static int read_fargate(struct cap_config *cfg, const cJSON *obj, const struct cap_ctx *x,
			struct err *e)
{
	struct jr c, sc;
	const cJSON *prov, *spot;
	char p[600];
	double per_s;

	if (jr_open(&c, obj, x->file, "$.fargate", e) ||
	    jr_opt_int(&c, "azTaskLimit", 0, 0, INT64_C(1000000000), &cfg->fargate.az_task_limit) ||
	    jr_opt_int(&c, "launchBurst", 100, 1, INT64_C(1000000000), &cfg->fargate.launch_burst) ||
	    jr_opt_num(&c, "launchesPerSecond", 20, 0, 1000000, &per_s) ||
	    jr_opt_object(&c, "spot", &spot))
		return -1;
	/* docs/ecs-model.md §7.6, choice E119: kept in thousandths of a token
	 * a second, so the bucket's arithmetic is exact in integer ms */
	cfg->fargate.launch_rate_m = llround(per_s * 1000.0);
	if (per_s > 0 && cfg->fargate.launch_rate_m == 0)
		return jr_fail(&c, "launchesPerSecond", "must be 0 (no limit) or at least 0.001, got %g", per_s);
	prov = jr_get(&c, "provisioningSeconds");
	if (jr_end(&c))
		return -1;
	if (prov) {
		jr_path(&c, "provisioningSeconds", p, sizeof p);
		if (dist_parse(&cfg->fargate.provision, prov, x->file, p, x->dir, e))
			return -1;
	}
	if (spot) {
		const cJSON *tti;
		double rate;

		if (jr_open(&sc, spot, x->file, "$.fargate.spot", e) ||
		    sec_member(&sc, "warningSeconds", 120, 3600, &cfg->fargate.spot_warning_ms) ||
		    jr_opt_num(&sc, "interruptionsPerTaskHour", 0, 0, 3600, &rate))
			return -1;
		tti = jr_get(&sc, "timeToInterruptionSeconds");
		if (jr_end(&sc))
			return -1;
		if (tti && jr_has(&sc, "interruptionsPerTaskHour"))
			return jr_fail(&sc, "interruptionsPerTaskHour", "give either interruptionsPerTaskHour "
				       "or timeToInterruptionSeconds, not both");
		if (rate > 0) {
			/* docs/ecs-model.md choice E67: a Poisson process per
			 * running task, exponential times to interruption */
			dist_free(&cfg->fargate.spot_tti);
			cfg->fargate.spot_tti.kind = DIST_EXPONENTIAL;
			cfg->fargate.spot_tti.a = 3600.0 / rate;
			cfg->fargate.spot_interruptions = 1;
		}
		if (tti) {
			jr_path(&sc, "timeToInterruptionSeconds", p, sizeof p);
			if (dist_parse(&cfg->fargate.spot_tti, tti, x->file, p, x->dir, e))
				return -1;
			cfg->fargate.spot_interruptions = 1;
		}
	}
	return 0;
}

static int read_utilization(struct cap_config *cfg, const cJSON *obj, const struct cap_ctx *x,
			    struct err *e)
{
	if (!cJSON_IsObject(obj))
		return err_at(e, x->file, 0, 0, "$.utilization", "expected object, got %s", jtype_name(obj));
	cfg->utils = xcalloc((size_t)cJSON_GetArraySize(obj) + 1, sizeof *cfg->utils);
	for (const cJSON *it = obj->child; it; it = it->next) {
		char path[400], p[600];
		struct jr c;
		const cJSON *cpu, *mem;
		struct cap_util *u = &cfg->utils[cfg->n_utils];

		snprintf(path, sizeof path, "$.utilization.%s", it->string);
		if (x->taskdefs) {
			int found = 0;

			for (int i = 0; i < x->n_taskdefs; i++)
				found |= strcmp(x->taskdefs[i], it->string) == 0;
			if (!found)
				return err_at(e, x->file, 0, 0, path,
					      "unknown task definition '%s' (not in $.taskDefinitions)", it->string);
		}
		if (jr_open(&c, it, x->file, path, e))
			return -1;
		int64_t shared;

		cpu = jr_get(&c, "cpu");
		mem = jr_get(&c, "memory");
		if (jr_opt_int(&c, "sharedBy", 0, 0, 100000, &shared) || jr_end(&c))
			return -1;
		u->shared_by = (int)shared;
		u->taskdef = xstrdup(it->string);
		cfg->n_utils++;
		if (!cpu && !mem)
			return jr_fail(&c, NULL, "give \"cpu\", \"memory\" or both");
		if (cpu) {
			jr_path(&c, "cpu", p, sizeof p);
			if (util_read(&u->cpu, cpu, x->file, p, x->dir, e))
				return -1;
			u->has_cpu = 1;
		}
		if (mem) {
			jr_path(&c, "memory", p, sizeof p);
			if (util_read(&u->mem, mem, x->file, p, x->dir, e))
				return -1;
			u->has_mem = 1;
		}
		if (u->shared_by > 0 && ((u->has_cpu && u->cpu.kind == UTIL_REQUESTS) ||
					 (u->has_mem && u->mem.kind == UTIL_REQUESTS)))
			return jr_fail(&c, "sharedBy", "not with \"fromRequests\" (the load balancer "
				       "already splits the requests over the tasks)");
	}
	return 0;
}

/* ---- the whole configuration --------------------------------------------- */

int capacity_config_read(struct cap_config *cfg, const cJSON *providers, const cJSON *dflt,
			 const cJSON *fargate, const cJSON *utilization, const struct cap_ctx *x,
			 struct err *e)
{
	int i = 0, n = providers ? cJSON_GetArraySize(providers) : 0;

	memset(cfg, 0, sizeof *cfg);
	fargate_cfg_default(&cfg->fargate);
	cfg->providers = xcalloc((size_t)n + 2, sizeof *cfg->providers);
	cfg->providers[0].name = xstrdup("FARGATE");
	cfg->providers[0].kind = CAP_FARGATE;
	cfg->providers[1].name = xstrdup("FARGATE_SPOT");
	cfg->providers[1].kind = CAP_FARGATE_SPOT;
	cfg->n_providers = 2;
	if (providers) {
		if (!cJSON_IsArray(providers))
			return err_at(e, x->file, 0, 0, "$.capacityProviders", "expected array, got %s",
				      jtype_name(providers));
		if (n > CAP_MAX_PROVIDERS)
			return err_at(e, x->file, 0, 0, "$.capacityProviders",
				      "at most %d capacity providers per cluster, got %d", CAP_MAX_PROVIDERS, n);
		for (const cJSON *it = providers->child; it; it = it->next, i++)
			if (read_provider(cfg, it, i, x, e))
				return -1;
	}
	if (fargate && read_fargate(cfg, fargate, x, e))
		return -1;
	if (utilization && read_utilization(cfg, utilization, x, e))
		return -1;
	if (dflt) {
		if (cap_strategy_read(cfg, dflt, "$.defaultCapacityProviderStrategy", x,
				      &cfg->default_strategy, e))
			return -1;
		cfg->has_default = 1;
	}
	return 0;
}

void cap_config_free(struct cap_config *c)
{
	for (int i = 0; i < c->n_providers; i++) {
		free(c->providers[i].name);
		free(c->providers[i].asg.azs);
		dist_free(&c->providers[i].asg.launch);
	}
	free(c->providers);
	for (int i = 0; i < c->n_utils; i++) {
		free(c->utils[i].taskdef);
		util_free(&c->utils[i].cpu);
		util_free(&c->utils[i].mem);
	}
	free(c->utils);
	fargate_cfg_free(&c->fargate);
	memset(c, 0, sizeof *c);
}

int cap_find(const struct cap_config *c, const char *name)
{
	for (int i = 0; i < c->n_providers; i++)
		if (c->providers[i].name && strcmp(c->providers[i].name, name) == 0)
			return i;
	return -1;
}

const struct cap_util *cap_util_for(const struct cap_config *c, const char *taskdef)
{
	for (int i = 0; i < c->n_utils; i++)
		if (strcmp(c->utils[i].taskdef, taskdef) == 0)
			return &c->utils[i];
	return NULL;
}

/* ---- service auto scaling ------------------------------------------------- */

static int metric_of(struct jr *c, const char *key, enum aas_metric *m)
{
	const char *s;

	if (jr_req_str(c, key, &s))
		return -1;
	for (int i = 0; i < AAS_N_METRICS; i++)
		if (strcmp(s, aas_metric_name((enum aas_metric)i)) == 0) {
			*m = (enum aas_metric)i;
			return 0;
		}
	return jr_fail(c, key, "expected ECSServiceAverageCPUUtilization, "
		       "ECSServiceAverageMemoryUtilization or ALBRequestCountPerTarget, got \"%s\"", s);
}

static int read_target_tracking(struct aas_policy *p, const cJSON *it, const char *path,
				const struct cap_ctx *x, struct err *e)
{
	struct jr c;
	const char *name, *label;
	int64_t outdp, indp;
	static const char *const keys[] = { "policyName", "predefinedMetricType", "targetValue",
		"scaleOutCooldown", "scaleInCooldown", "disableScaleIn", "scaleOutDatapoints",
		"scaleInDatapoints", "scaleInThresholdFactor", "resourceLabel", NULL };

	aas_policy_default(p, AAS_TARGET_TRACKING);
	if (jr_open(&c, it, x->file, path, e) || jr_only(&c, keys) ||
	    jr_opt_str(&c, "policyName", "", &name) ||
	    metric_of(&c, "predefinedMetricType", &p->metric) ||
	    jr_req_num(&c, "targetValue", 1e-9, 1e9, &p->target) ||
	    sec_member(&c, "scaleOutCooldown", 300, 1e9, &p->out_cooldown_ms) ||
	    sec_member(&c, "scaleInCooldown", 300, 1e9, &p->in_cooldown_ms) ||
	    jr_opt_bool(&c, "disableScaleIn", 0, &p->disable_scale_in) ||
	    jr_opt_int(&c, "scaleOutDatapoints", 3, 1, 1440, &outdp) ||
	    jr_opt_int(&c, "scaleInDatapoints", 15, 1, 1440, &indp) ||
	    jr_opt_num(&c, "scaleInThresholdFactor", 0.9, 0, 1, &p->in_factor) ||
	    jr_opt_str(&c, "resourceLabel", NULL, &label) || jr_end(&c))
		return -1;
	p->out_datapoints = (int)outdp;
	p->in_datapoints = (int)indp;
	p->name = xstrdup(name);
	if (label && p->metric != AAS_ALB_REQUESTS)
		return jr_fail(&c, "resourceLabel", "only with ALBRequestCountPerTarget");
	p->label = label ? xstrdup(label) : NULL;
	return 0;
}

static int cmp_of(struct jr *c, enum aas_cmp *out)
{
	static const struct { const char *s; enum aas_cmp v; } t[] = {
		{ "GreaterThanThreshold", AAS_GT }, { "GreaterThanOrEqualToThreshold", AAS_GE },
		{ "LessThanThreshold", AAS_LT }, { "LessThanOrEqualToThreshold", AAS_LE },
	};
	const char *s;

	if (jr_req_str(c, "comparisonOperator", &s))
		return -1;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(s, t[i].s) == 0) {
			*out = t[i].v;
			return 0;
		}
	return jr_fail(c, "comparisonOperator", "expected GreaterThanThreshold, "
		       "GreaterThanOrEqualToThreshold, LessThanThreshold or LessThanOrEqualToThreshold, "
		       "got \"%s\"", s);
}

static int read_step_scaling(struct aas_policy *p, const cJSON *it, const char *path,
			     const struct cap_ctx *x, struct err *e)
{
	struct jr c;
	const char *name, *adj, *label;
	const cJSON *steps;
	int64_t ev, mag;
	int i = 0;
	static const char *const keys[] = { "policyName", "metric", "threshold",
		"comparisonOperator", "evaluationPeriods", "adjustmentType",
		"minAdjustmentMagnitude", "cooldown", "stepAdjustments", "resourceLabel", NULL };

	aas_policy_default(p, AAS_STEP);
	if (jr_open(&c, it, x->file, path, e) || jr_only(&c, keys) ||
	    jr_opt_str(&c, "policyName", "", &name) ||
	    metric_of(&c, "metric", &p->metric) ||
	    jr_req_num(&c, "threshold", -1e15, 1e15, &p->threshold) ||
	    cmp_of(&c, &p->cmp) ||
	    jr_opt_int(&c, "evaluationPeriods", 1, 1, 1440, &ev) ||
	    jr_opt_str(&c, "adjustmentType", "ChangeInCapacity", &adj) ||
	    jr_opt_int(&c, "minAdjustmentMagnitude", 0, 0, 100000, &mag) ||
	    sec_member(&c, "cooldown", 300, 1e9, &p->cooldown_ms) ||
	    jr_req_array(&c, "stepAdjustments", &steps) ||
	    jr_opt_str(&c, "resourceLabel", NULL, &label) || jr_end(&c))
		return -1;
	p->name = xstrdup(name);
	if (label && p->metric != AAS_ALB_REQUESTS)
		return jr_fail(&c, "resourceLabel", "only with ALBRequestCountPerTarget");
	p->label = label ? xstrdup(label) : NULL;
	p->eval_periods = (int)ev;
	p->min_magnitude = (int)mag;
	if (strcmp(adj, "ChangeInCapacity") == 0)
		p->adjust = AAS_CHANGE;
	else if (strcmp(adj, "PercentChangeInCapacity") == 0)
		p->adjust = AAS_PERCENT;
	else if (strcmp(adj, "ExactCapacity") == 0)
		p->adjust = AAS_EXACT;
	else
		return jr_fail(&c, "adjustmentType", "expected ChangeInCapacity, "
			       "PercentChangeInCapacity or ExactCapacity, got \"%s\"", adj);
	if (mag > 0 && p->adjust != AAS_PERCENT)
		return jr_fail(&c, "minAdjustmentMagnitude", "only with PercentChangeInCapacity");
	if (cJSON_GetArraySize(steps) < 1 || cJSON_GetArraySize(steps) > AAS_MAX_STEPS)
		return jr_fail(&c, "stepAdjustments", "needs 1 to %d steps", AAS_MAX_STEPS);
	for (const cJSON *st = steps->child; st; st = st->next, i++) {
		char sp[800];
		struct jr sc;
		struct aas_step *s = &p->steps[i];

		snprintf(sp, sizeof sp, "%s.stepAdjustments[%d]", path, i);
		if (jr_open(&sc, st, x->file, sp, e) ||
		    jr_opt_num(&sc, "metricIntervalLowerBound", -INFINITY, -INFINITY, INFINITY, &s->lower) ||
		    jr_opt_num(&sc, "metricIntervalUpperBound", INFINITY, -INFINITY, INFINITY, &s->upper) ||
		    jr_req_num(&sc, "scalingAdjustment", -1e6, 1e6, &s->adjustment) || jr_end(&sc))
			return -1;
		if (!(s->lower < s->upper))
			return jr_fail(&sc, "metricIntervalUpperBound", "must be above the lower bound");
		if (p->adjust != AAS_PERCENT && s->adjustment != floor(s->adjustment))
			return jr_fail(&sc, "scalingAdjustment", "expected an integer, got %g", s->adjustment);
		for (int j = 0; j < i; j++)
			if (s->lower < p->steps[j].upper && p->steps[j].lower < s->upper)
				return jr_fail(&sc, NULL, "overlaps stepAdjustments[%d]", j);
		p->n_steps++;
	}
	return 0;
}

static int read_sched(struct aas_sched *s, const cJSON *it, const char *path,
		      const struct cap_ctx *x, struct err *e)
{
	struct jr c;
	const char *name;
	double at, every;
	int64_t mn, mx;

	if (jr_open(&c, it, x->file, path, e) ||
	    jr_opt_str(&c, "name", "", &name) ||
	    jr_req_num(&c, "atSeconds", 0, 1e11, &at) ||
	    jr_opt_num(&c, "everySeconds", 0, 0, 1e11, &every) ||
	    jr_opt_int(&c, "minCapacity", -1, 0, 5000, &mn) ||
	    jr_opt_int(&c, "maxCapacity", -1, 0, 5000, &mx) || jr_end(&c))
		return -1;
	if (mn < 0 && mx < 0)
		return jr_fail(&c, NULL, "give minCapacity, maxCapacity or both");
	if (mn >= 0 && mx >= 0 && mn > mx)
		return jr_fail(&c, "minCapacity", "%lld is above maxCapacity %lld", (long long)mn,
			       (long long)mx);
	if (jr_has(&c, "everySeconds") && every < 60)
		return jr_fail(&c, "everySeconds", "at least 60 seconds, got %g", every);
	s->name = xstrdup(name);
	s->at_ms = (int64_t)llround(at * 1000.0);
	s->every_ms = (int64_t)llround(every * 1000.0);
	s->min_cap = (int)mn;
	s->max_cap = (int)mx;
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct aas_sched *x = a, *y = b;

	return (x->at_ms > y->at_ms) - (x->at_ms < y->at_ms);
}

int cap_service_scaling_read(struct aas_config *a, const cJSON *obj, const char *path,
			     const struct cap_ctx *x, struct err *e)
{
	struct jr c;
	const cJSON *tt, *ss, *sa;
	int64_t mn, mx;
	int nt, ns, i;
	char p[600];

	memset(a, 0, sizeof *a);
	if (jr_open(&c, obj, x->file, path, e) ||
	    jr_req_int(&c, "minCapacity", 0, 5000, &mn) ||
	    jr_req_int(&c, "maxCapacity", 0, 5000, &mx) ||
	    jr_opt_array(&c, "targetTracking", &tt) ||
	    jr_opt_array(&c, "stepScaling", &ss) ||
	    jr_opt_array(&c, "scheduledActions", &sa) || jr_end(&c))
		return -1;
	if (mn > mx)
		return jr_fail(&c, "minCapacity", "%lld is above maxCapacity %lld", (long long)mn,
			       (long long)mx);
	a->min_cap = (int)mn;
	a->max_cap = (int)mx;
	nt = tt ? cJSON_GetArraySize(tt) : 0;
	ns = ss ? cJSON_GetArraySize(ss) : 0;
	a->policies = xcalloc((size_t)(nt + ns) + 1, sizeof *a->policies);
	i = 0;
	for (const cJSON *it = tt ? tt->child : NULL; it; it = it->next, i++) {
		snprintf(p, sizeof p, "%s.targetTracking[%d]", path, i);
		a->n_policies++;
		if (read_target_tracking(&a->policies[a->n_policies - 1], it, p, x, e))
			return -1;
	}
	i = 0;
	for (const cJSON *it = ss ? ss->child : NULL; it; it = it->next, i++) {
		snprintf(p, sizeof p, "%s.stepScaling[%d]", path, i);
		a->n_policies++;
		if (read_step_scaling(&a->policies[a->n_policies - 1], it, p, x, e))
			return -1;
	}
	i = 0;
	a->sched = xcalloc((size_t)(sa ? cJSON_GetArraySize(sa) : 0) + 1, sizeof *a->sched);
	for (const cJSON *it = sa ? sa->child : NULL; it; it = it->next, i++) {
		snprintf(p, sizeof p, "%s.scheduledActions[%d]", path, i);
		a->n_sched++;
		if (read_sched(&a->sched[a->n_sched - 1], it, p, x, e))
			return -1;
	}
	qsort(a->sched, (size_t)a->n_sched, sizeof *a->sched, by_time);
	return 0;
}

int cap_protection_read(struct cap_protection *p, const cJSON *obj, const char *path,
			const struct cap_ctx *x, struct err *e)
{
	struct jr c;
	int64_t m;

	if (jr_open(&c, obj, x->file, path, e) ||
	    jr_req_num(&c, "protectedFraction", 0, 1, &p->fraction) ||
	    jr_opt_int(&c, "expiresInMinutes", TP_DEFAULT_MINUTES, 1, TP_MAX_MINUTES, &m) ||
	    jr_end(&c))
		return -1;
	p->minutes = (int)m;
	return 0;
}
