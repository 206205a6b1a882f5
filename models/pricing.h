/* models/pricing.h — what the fleet costs (scenarios/README.md, "Cost").
 *
 * Prices: the On-Demand list price per instance-hour of each catalog type
 * (models/catalog.csv, a documented snapshot for us-east-1, Linux), the Spot
 * price as a discount on it (a fixed percentage or a distribution drawn per
 * launch), and Fargate's per-vCPU-hour and per-GB-hour prices.  The
 * scenario's `pricing` object overrides any of them.
 *
 * Billing: EC2 bills each instance per second with a 60 s minimum per
 * launch (each registration up to its termination, deregistration or the end
 * of the run is one billed period, rounded up to whole seconds); a Spot
 * instance is billed at its Spot price.  Fargate is billed the same way per
 * task on its vCPU and memory (FARGATE_SPOT at a fixed discount), from its
 * placement to STOPPED.
 */
#ifndef MODELS_PRICING_H
#define MODELS_PRICING_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "sim/dist.h"
#include "sim/err.h"
#include "sim/evq.h"

struct scenario;
struct catalog_type;
struct rng_reg;

/* Defaults (scenarios/README.md, "Cost"). */
#define PRICING_SPOT_DISCOUNT_PCT 70.0     /* Spot price = On-Demand × (1 − 70 %) */
#define PRICING_FARGATE_VCPU_HOUR 0.04048  /* USD per vCPU-hour, us-east-1, Linux/x86 */
#define PRICING_FARGATE_GB_HOUR 0.004445   /* USD per GB-hour of memory */
#define PRICING_FARGATE_SPOT_DISCOUNT_PCT 70.0   /* Fargate Spot = Fargate × (1 − 70 %) */
#define PRICING_MIN_BILLED_S 60            /* per launch */

struct pricing {
	struct dist spot_discount;     /* % off the On-Demand price, drawn per Spot launch */
	double fargate_vcpu_hour;      /* USD per vCPU-hour */
	double fargate_gb_hour;        /* USD per GB-hour */
	double fargate_spot_discount_pct;   /* % off Fargate's prices for FARGATE_SPOT */
};

/* Read the scenario's `pricing` object (NULL = absent: every default) into
 * s->pricing, and apply its On-Demand prices to s->catalog (so it must run
 * after the scenario's own instance types are in the catalog).  0, or -1
 * with e filled (file, JSON path, reason). */
int pricing_config_read(struct scenario *s, const cJSON *obj, struct err *e);
void pricing_free(struct pricing *p);     /* NULL is a no-op */

/* USD per hour an instance of type t launched now is billed: its On-Demand
 * price, or for a Spot instance that price less the Spot discount (a
 * distribution is drawn from the stream "pricing/spot" of rng, clamped to
 * [0, 100] %).  p NULL = the defaults.  -1 when the type has no price. */
double pricing_instance_hourly(const struct pricing *p, const struct catalog_type *t, int spot,
			       struct rng_reg *rng);

/* Seconds billed for a period of `ms` (per second, rounded up, at least the
 * 60 s minimum). */
int64_t pricing_billed_seconds(sim_time_t ms);
/* USD for one Fargate task of `cpu_units` (1024 = 1 vCPU) and `mem_mib`
 * (1024 = 1 GB) billed for `ms` (per second, 60 s minimum); `spot`: at
 * the Fargate Spot discount (docs/ecs-model.md choice E65). */
double pricing_fargate_task_usd(const struct pricing *p, int64_t cpu_units, int64_t mem_mib,
				int spot, sim_time_t ms);
/* USD for a period of `ms` at `usd_per_hour`. */
double pricing_period_usd(double usd_per_hour, sim_time_t ms);
/* USD for one Fargate task of `vcpu` vCPU and `gb` GB of memory that ran
 * `ms` (same billing rule).  p NULL = the defaults. */
double pricing_fargate_usd(const struct pricing *p, double vcpu, double gb, sim_time_t ms);

#endif
