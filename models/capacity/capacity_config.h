/* models/capacity/capacity_config.h — the scenario's capacity sections:
 * capacity providers (Auto Scaling groups with managed scaling, FARGATE,
 * FARGATE_SPOT), the cluster's default capacity provider strategy, Fargate
 * settings, utilisation models per task definition, and per service a
 * capacity provider strategy, service auto scaling and task scale-in
 * protection (docs/ecs-model.md §1.3, §4.11, §5.10–§5.14; the fields, units
 * and defaults are in scenarios/README.md, "Capacity").
 *
 * Readers in the style of the scenario loader: every bad value is refused
 * with "FILE: $.path: reason" (err filled, -1 returned).  Strings are
 * copied; the config owns everything it holds.
 * Status: read and checked here, tested by tests/test_capacity.c; the
 * scenario loader hands the members over through models/config/capacity.c,
 * which also refuses what ECS refuses across sections (a task definition
 * without FARGATE routed to a Fargate provider); runs simulate all of it. */
#ifndef MODELS_CAPACITY_CAPACITY_CONFIG_H
#define MODELS_CAPACITY_CAPACITY_CONFIG_H

#include <stdint.h>

#include "models/capacity/app_scaling.h"
#include "models/capacity/cp_strategy.h"
#include "models/capacity/fargate.h"
#include "models/capacity/managed_scaling.h"
#include "models/capacity/utilization.h"
#include "models/catalog.h"
#include "sim/dist.h"
#include "sim/err.h"

struct cJSON;

#define CAP_MAX_PROVIDERS 10     /* capacity providers per cluster (quota) */

enum cap_kind { CAP_ASG, CAP_FARGATE, CAP_FARGATE_SPOT };

struct cap_asg {
	const struct catalog_type *type;   /* from the catalog (not owned) */
	int n_azs;
	int *azs;                 /* indexes into the scenario's zones, owned */
	int min_size, max_size, desired;
	struct dist launch;       /* seconds from launch to agent registered */
};

struct cap_provider {
	char *name;
	enum cap_kind kind;
	struct cap_asg asg;           /* CAP_ASG only */
	struct ms_params ms;          /* CAP_ASG only; ms.enabled = managed scaling */
};

struct cap_util {
	char *taskdef;                /* the scenario's task definition name */
	int has_cpu, has_mem;
	struct util_model cpu, mem;
	int shared_by;                /* sharedBy: the models give what each task uses when
				       * this many of its service share the load; with n
				       * running each uses × shared_by / n (0: not shared) */
};

struct cap_config {
	int n_providers;              /* FARGATE and FARGATE_SPOT are always 0 and 1 */
	struct cap_provider *providers;
	int has_default;
	struct cp_strategy default_strategy;
	struct fargate_cfg fargate;
	int n_utils;
	struct cap_util *utils;
};

/* What the readers check names against. */
struct cap_ctx {
	const char *file;             /* for messages */
	const char *dir;              /* base for relative files (NULL = cwd) */
	const struct catalog *catalog;
	const char *const *azs;       /* the scenario's zones */
	int n_azs;
	const char *const *taskdefs;  /* the scenario's task definition names; NULL = unchecked */
	int n_taskdefs;
};

/* Read the top-level members (any may be NULL = absent):
 *   $.capacityProviders                 array
 *   $.defaultCapacityProviderStrategy   array
 *   $.fargate                           object
 *   $.utilization                       object keyed by task definition name
 * c is initialised here; free it with cap_config_free even on failure. */
int capacity_config_read(struct cap_config *c, const struct cJSON *providers,
			 const struct cJSON *dflt, const struct cJSON *fargate,
			 const struct cJSON *utilization, const struct cap_ctx *x,
			 struct err *e);
void cap_config_free(struct cap_config *c);
/* Index of a provider by name, -1 if none. */
int cap_find(const struct cap_config *c, const char *name);
const struct cap_util *cap_util_for(const struct cap_config *c, const char *taskdef);

/* A capacity provider strategy (an array of {capacityProvider, base,
 * weight}) at `path`, e.g. "$.services[0].capacityProviderStrategy". */
int cap_strategy_read(const struct cap_config *c, const struct cJSON *arr, const char *path,
		      const struct cap_ctx *x, struct cp_strategy *out, struct err *e);

/* Service auto scaling of one service (`path` = "$.services[i].autoScaling"):
 * {minCapacity, maxCapacity, targetTracking[], stepScaling[],
 * scheduledActions[]}.  a is initialised here; free with aas_config_free. */
int cap_service_scaling_read(struct aas_config *a, const struct cJSON *obj, const char *path,
			     const struct cap_ctx *x, struct err *e);

/* Task scale-in protection of one service ("$.services[i].taskProtection"):
 * {protectedFraction 0..1, expiresInMinutes 1..2880 (120)}. */
struct cap_protection {
	double fraction;
	int minutes;
};
int cap_protection_read(struct cap_protection *p, const struct cJSON *obj, const char *path,
			const struct cap_ctx *x, struct err *e);

#endif
