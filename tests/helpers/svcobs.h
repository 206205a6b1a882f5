/* tests/helpers/svcobs.h — what the per-event observers of a service's
 * tasks share (tests/test_deploy_bounds.c, test_deploy_own_revision.c,
 * test_rolling_drain.c, test_rebalance_check.c, test_bg_drain.c,
 * test_bg_spot_drain.c): the scenario's first service, its tasks counted
 * against the rolling deployment's two bounds (docs/ecs-model.md §5.5),
 * whether a task is on a DRAINING instance (§5.15), a revision's target in a
 * blue/green, linear or canary deployment's stages (choices E123, E192), and
 * which of its tasks the scheduler stopped since the previous event, with
 * what each was then.  All read from the tasks' and instances' states, not
 * from the service's own counts. */
#ifndef TESTS_SVCOBS_H
#define TESTS_SVCOBS_H

#include <stddef.h>
#include <stdint.h>

struct backplane;
struct svc;
struct task;

/* The scenario's first service while it is active, else NULL (not created
 * yet, or deleted): an observer has nothing to check then. */
struct svc *so_service(struct backplane *bp);

/* ceil(n × pct / 100) and floor(n × pct / 100). */
int64_t so_pct_ceil(int64_t n, int pct);
int64_t so_pct_floor(int64_t n, int pct);

/* The service's tasks now.  live: desired status RUNNING (what
 * maximumPercent bounds); healthy: live and healthy (what
 * minimumHealthyPercent bounds); drained_live: live on a DRAINING instance;
 * new_live: live of a deployment after the first.  The bounds for the
 * desired count now (§5.5): min_healthy = ceil(desired ×
 * minimumHealthyPercent / 100), max_tasks = floor(desired × maximumPercent /
 * 100). */
struct so_count {
	int64_t live, healthy, drained_live, new_live;
	int64_t min_healthy, max_tasks;
};
void so_count(struct backplane *bp, const struct svc *v, struct so_count *c);

/* Per deployment (at most SO_DEPS of them, asserted): `good`, its live
 * tasks healthy and not unhealthy; `drained`, when not NULL, its live tasks
 * on a DRAINING instance. */
#define SO_DEPS 8
void so_by_dep(struct backplane *bp, const struct svc *v, int64_t good[SO_DEPS], int64_t drained[SO_DEPS]);

/* A revision's target in a blue/green, linear or canary deployment's stages
 * (choice E123): the desired count for green, its own for another. */
int64_t so_stage_target(const struct svc *v, int dep);

/* The task is on an instance that is DRAINING now. */
int so_on_draining(struct backplane *bp, const struct task *t);
/* The service's listed tasks not yet seen STOPPED on a DRAINING instance
 * (running, or stopped and still stopping there). */
int so_n_on_draining(struct backplane *bp, const struct svc *v);

/* What the service's tasks were at the previous event (of those the
 * service was active at): for each listed then, SO_LIVE (desired status
 * RUNNING), SO_HEALTHY (live and healthy), SO_UNHEALTHY (marked unhealthy).
 * Zero-initialise; so_record after the event's checks, so_prev_free at the
 * end. */
enum { SO_LIVE = 1, SO_HEALTHY = 2, SO_UNHEALTHY = 4 };
struct so_prev {
	uint64_t *no;              /* per task slot: the task (its number) recorded */
	uint8_t *was;              /* its SO_ bits, 0 when the slot's task was not listed */
	size_t n;
};
/* The SO_ bits of task t (in `slot`, listed now) at the previous event; 0
 * when it was not listed then. */
unsigned so_was(const struct so_prev *p, uint32_t slot, const struct task *t);
/* The scheduler stopped it since: live then (`was`), not now, its stop code
 * ServiceSchedulerInitiated. */
int so_sched_stop(unsigned was, const struct task *t);
/* Record what every task the service lists is now, for the next event. */
void so_record(struct so_prev *p, struct backplane *bp, const struct svc *v);
void so_prev_free(struct so_prev *p);

/* The rolling deployment's bounds (§5.5, §5.15), after every event:
 * so_bounds_observe counts the service's tasks into n and adds up the
 * events that break a bound and the scheduler's stops of a task healthy at
 * the previous event that break the rules.  Zero-initialise; so_prev_free
 * its `prev` at the end. */
struct so_bounds {
	int samples;
	int over_max;              /* events with more live tasks than maxTasks (with
				    * at_change, not those at the instant the desired
				    * count changed: the new count's bound holds from the
				    * pass that change calls, choice E112) */
	int at_change;             /* set by the caller: the exemption above */
	int64_t last_desired;      /* the desired count, and when it last changed */
	int64_t changed_at;
	int stop_under_min;        /* scheduler stops of a healthy task leaving fewer than minHealthy */
	int elsewhere_first;       /* ... of a healthy task not on a DRAINING instance while one
				    * of the service on a DRAINING instance stays live */
	struct so_prev prev;       /* the tasks at the previous event */
};
void so_bounds_observe(struct backplane *bp, const struct svc *v, struct so_bounds *b, struct so_count *n);
/* After the run: observed (more than 10 events), no bound broken and, with
 * drained_first, no healthy task elsewhere stopped before a drained one;
 * then b->prev freed. */
void so_bounds_check(struct so_bounds *b, int drained_first);

#endif
