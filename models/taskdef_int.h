/* models/taskdef_int.h — private to the taskdef*.c files: the loader's state
 * and the helpers that reading (taskdef.c), the container definitions
 * (taskdef_containers.c), the value rules (taskdef_rules.c) and the
 * placement cost (taskdef_cost.c) share.  Everyone else uses taskdef.h.
 */
#ifndef MODELS_TASKDEF_INT_H
#define MODELS_TASKDEF_INT_H

#include <stddef.h>
#include <stdint.h>

#include "models/taskdef.h"

struct jr;

#define INT32_TOP 2147483647LL
#define MAX_CONTAINERS 10
#define MAX_CONSTRAINTS 10
#define MAX_RANGES 100
#define EC2_CPU_MIN 128
#define EC2_CPU_MAX 196608
#define MIN_CONTAINER_MIB 6

/* Loader state: the file for messages, the error record, the result. */
struct td_ctx {
	const char *file;
	struct err *e;
	struct taskdef *td;
	/* static ports collected over all containers (B16, B17) */
	uint16_t *ports[2][2];     /* [awsvpc][udp] */
	int n_ports[2][2];
	size_t cap_ports[2][2];
};

/* ---- taskdef.c ---- */
void td_mkpath(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- taskdef_rules.c ---- */
int td_starts_placeholder(const char *p);
int td_has_placeholder(const char *s);
int td_fail_string(const struct jr *c, const char *key, const char *what, const char *s);
int td_get_int(struct jr *c, const char *key, int64_t lo, int64_t hi, int64_t *out,
	       int *present);
int td_task_size(struct jr *c, const char *key, const char *unit, int64_t *out);
int td_parse_range(const char *s, int *lo, int *hi);
int td_check_sizes(struct td_ctx *x, struct jr *c, const char *cpath);

/* ---- taskdef_containers.c ---- */
int td_read_containers(struct td_ctx *x, const struct cJSON *arr, const char *cpath);

/* ---- taskdef_cost.c ---- */
/* The placement cost and the sorted static ports, once the definition is valid. */
void td_finish_cost(struct td_ctx *x);

#endif
