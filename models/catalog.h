/* models/catalog.h — EC2 instance types: vCPU, memory, ENI limits,
 * architecture (docs/ecs-model.md §2.6, choice A16).  The built-in table is
 * the data file models/catalog.csv, compiled into the binary; a scenario may
 * add types of its own. */
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
};

struct catalog;

/* The built-in catalog.  NULL with e filled if the compiled data is bad. */
struct catalog *catalog_builtin(struct err *e);
void catalog_free(struct catalog *c);    /* NULL is a no-op */
const struct catalog_type *catalog_find(const struct catalog *c, const char *name);
/* Add (or replace) a type; the catalog copies it. */
void catalog_put(struct catalog *c, const struct catalog_type *t);
int catalog_count(const struct catalog *c);
const struct catalog_type *catalog_at(const struct catalog *c, int i);
/* "t3.medium, t3.large, ..." for messages; caller frees. */
char *catalog_names(const struct catalog *c);

#endif
