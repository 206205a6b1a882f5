/* models/capacity/fargate.h — Fargate task sizes, provisioning latency and
 * per-AZ capacity (docs/ecs-model.md §1.3, §4.11).
 *
 * Pure functions, no simulation state: models/backplane_fargate.c calls
 * them when a task runs on FARGATE or FARGATE_SPOT, and the task-definition
 * checks use the size table's text.  Sizes are CPU units (1 vCPU = 1024)
 * and MiB.  Tested in tests/test_capacity.c (alone) and tests/test_fargate.c
 * (in runs). */
#ifndef MODELS_CAPACITY_FARGATE_H
#define MODELS_CAPACITY_FARGATE_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "sim/dist.h"

/* One row of the table: cpu → memory from mem_min to mem_max by mem_step. */
struct fargate_size {
	int64_t cpu;
	int64_t mem_min, mem_max, mem_step;
	int windows;          /* Windows containers may use this cpu */
	int needs_pv14;       /* Linux platform version 1.4.0 or later */
};

/* The seven rows of docs/ecs-model.md §1.3, in cpu order. */
int fargate_rows(const struct fargate_size **rows);
/* Number of valid (cpu, memory) pairs in the table (74). */
int fargate_pair_count(void);
/* Whether (cpu, mem) is a pair of the table; windows != 0 also requires a
 * cpu Windows accepts (1, 2 or 4 vCPU). */
int fargate_size_ok(int64_t cpu, int64_t mem_mib, int windows);
/* The smallest valid pair with at least cpu and mem (for "round up"
 * suggestions); 0, or -1 when nothing in the table is that large. */
int fargate_round_up(int64_t cpu, int64_t mem_mib, int windows, int64_t *cpu_out,
		     int64_t *mem_out);
/* Check a size; 0 when valid, else -1 and `msg` says why and lists the valid
 * combinations ("memory 3000 MiB is not valid with cpu 512; cpu 512 takes
 * 1024, 2048, 3072 or 4096 MiB; valid sizes: 256 → 512, 1024, 2048 | ...").
 * The text always fits when n >= 1024. */
int fargate_check(int64_t cpu, int64_t mem_mib, int windows, char *msg, size_t n);
/* "valid sizes (cpu units → MiB): 256 → 512, 1024 or 2048 | 512 → ..."
 * (only the Windows rows when windows != 0); fits when n >= 768. */
void fargate_sizes_text(int windows, char *buf, size_t n);

/* Provisioning: how long a Fargate task takes from the placement decision to
 * the start of its containers (capacity, ENI attachment, image pull). */
struct fargate_cfg {
	struct dist provision;    /* seconds; default constant 60 (E66) */
	int64_t az_task_limit;    /* tasks per AZ at once, 0 = unlimited */
	int spot_interruptions;   /* FARGATE_SPOT: interruption model present */
	struct dist spot_tti;     /* FARGATE_SPOT: time to interruption, s */
	int64_t spot_warning_ms;  /* notice before SIGTERM's deadline: 120000 */
	/* the task launch token bucket of each class, FARGATE and FARGATE_SPOT
	 * (docs/ecs-model.md §7.6, choice E119) */
	int64_t launch_burst;     /* tokens the bucket holds: 100 */
	int64_t launch_rate_m;    /* refill, thousandths of a token per second
				   * (= millionths per ms): 20000; 0 = no limit */
};

/* The reasons of a Fargate launch's placement failure (placement_failures.csv,
 * scenarios/README.md): no zone with room (§4.11), no zone of its subnets
 * where Fargate runs at all (§8.1, choice E234: ECS's "Internal error" for
 * subnets in unsupported zones), or no token left in the class's task
 * launch bucket (§7.6, choice E119). */
#define FG_REASON_CAPACITY "CAPACITY_UNAVAILABLE"
#define FG_REASON_NO_ZONE "INTERNAL_ERROR"
#define FG_REASON_THROTTLED "THROTTLED"

void fargate_cfg_default(struct fargate_cfg *c);
void fargate_cfg_free(struct fargate_cfg *c);     /* members only */
/* Provisioning latency in integer ms (>= 0). */
int64_t fargate_provision_ms(const struct fargate_cfg *c, gsl_rng *r);

/* FARGATE_SPOT: when a task started at `start_ms` is interrupted (the
 * warning; the task is stopped spot_warning_ms later), or -1 when the
 * configuration has no interruptions. */
int64_t fargate_spot_interruption_ms(const struct fargate_cfg *c, int64_t start_ms, gsl_rng *r);

/* Choose the Availability Zone for the next task of a service (§4.11): the
 * zone with the fewest of the service's tasks among those with room
 * (az_used[i] < az_limit, limit 0 = unlimited), ties to the lowest index.
 * Returns the index, or -1 when every zone is full ("capacity
 * unavailable").  svc_count and az_used have n_az entries. */
int fargate_pick_az(const int *svc_count, const int64_t *az_used, int64_t az_limit,
		    int n_az);

#endif
