/* models/catalog.h — EC2 instance types: vCPU, memory, ENI limits,
 * architecture (docs/ecs-model.md §2.6, choice A16) and On-Demand list price.
 * The built-in table is the data file models/catalog.csv, compiled into the
 * binary; a scenario may add types of its own.  The prices are a documented
 * snapshot for one region (scenarios/README.md, "Cost"); the scenario's
 * `pricing` overrides them (models/pricing.h). */
#ifndef MODELS_CATALOG_H
#define MODELS_CATALOG_H

#include <stdint.h>

#include "sim/err.h"

struct catalog_type {
	char *name;           /* "m5.large" */
	int vcpu;
	int64_t mem_mib;      /* nominal memory, MiB */
	int max_enis;         /* ENIs of the type (primary included) */
	int trunk_tasks;      /* awsvpc tasks with ENI trunking, 0 = not supported */
	char *arch;           /* "x86_64" / "arm64" */
	int gpus;
	int priced;           /* usd_per_hour is known (0 = a scenario's own type with no price) */
	double usd_per_hour;  /* On-Demand, Linux, USD per instance-hour */
};

struct catalog;

/* The built-in catalog.  NULL with e filled if the compiled data is bad. */
struct catalog *catalog_builtin(struct err *e);
void catalog_free(struct catalog *c);    /* NULL is a no-op */
const struct catalog_type *catalog_find(const struct catalog *c, const char *name);
/* Add (or replace) a type; the catalog copies it.  A type that replaces one
 * of the same name without a price of its own keeps the old one's price (the
 * price belongs to the name, in the region). */
void catalog_put(struct catalog *c, const struct catalog_type *t);
/* Set the On-Demand price of a type (USD per hour); -1 when unknown. */
int catalog_set_price(struct catalog *c, const char *name, double usd_per_hour);
int catalog_count(const struct catalog *c);
const struct catalog_type *catalog_at(const struct catalog *c, int i);
/* "t3.medium, t3.large, ..." for messages; caller frees. */
char *catalog_names(const struct catalog *c);

#endif
