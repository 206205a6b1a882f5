/* models/lb/lb.h — the load-balancer world at run time: targets and their
 * health checks (docs/ecs-model.md §6.2, §6.3), request routing and the
 * requests themselves (§6.4, §6.5), per request or in aggregate.
 *
 * The module runs on the engine alone (sim/sim.h); it knows no task, agent
 * or service.  models/lb/lb_actor.c wires it to the control plane: it calls
 * the lb_target_* operations as service tasks reach RUNNING, are to stop,
 * or lose their instance, and receives the callbacks (scenarios/README.md
 * "Load balancers").
 *
 * Ownership: lb_new keeps pointers to cfg, s and the rng registry (all
 * owned by the caller, must outlive the lb); everything else is the lb's.
 * Target names are copied.
 */
#ifndef MODELS_LB_H
#define MODELS_LB_H

#include <stddef.h>
#include <stdint.h>

#include "models/lb/lb_config.h"
#include "sim/err.h"
#include "sim/evq.h"

struct sim;
struct rng_reg;
struct lb;

enum lb_tstate { LB_T_INITIAL, LB_T_HEALTHY, LB_T_UNHEALTHY, LB_T_DRAINING, LB_T_UNUSED };
enum lb_outcome { LB_SERVED, LB_E502, LB_E503, LB_E504 };

struct lb_callbacks {
	void *ctx;
	/* a healthy (or initial) target went unhealthy: the service scheduler
	 * replaces the task after its grace period (docs/ecs-model.md §5.3, §5.8) */
	void (*on_target_unhealthy)(void *ctx, int tg, uint64_t ref, sim_time_t now);
	void (*on_target_healthy)(void *ctx, int tg, uint64_t ref, sim_time_t now);
	/* every failed check (circuit breaker stage 2, docs/ecs-model.md §5.6) */
	void (*on_check_failed)(void *ctx, int tg, uint64_t ref, sim_time_t now);
	/* draining is over (unused): the agent may now stop the containers */
	void (*on_target_drained)(void *ctx, int tg, uint64_t ref, sim_time_t now);
	/* each finished request (tests); NULL in runs */
	void (*on_request)(void *ctx, int tg, int target, enum lb_outcome o, sim_time_t arrived,
			   sim_time_t started, sim_time_t ended, int queued);
	/* a metrics interval ended at `end`: the requests that arrived in it
	 * and those that failed (502 + 503 + 504), all target groups; NULL =
	 * not wanted */
	void (*on_interval)(void *ctx, sim_time_t end, double arrivals, double failed);
	/* the same per target group with traffic, before on_interval: the
	 * interval (start, end] and the requests that failed in it in tg;
	 * NULL = not wanted */
	void (*on_interval_tg)(void *ctx, sim_time_t start, sim_time_t end, int tg, double failed);
};

/* A world for the configured load balancers and target groups.
 * `interval` is the metrics interval (rows of requests.csv); rng streams
 * are named "lb/<tg>/..." .  Traffic starts at time `start`. */
struct lb *lb_new(const struct lb_config *cfg, struct sim *s, struct rng_reg *rng,
		  sim_time_t interval, const struct lb_callbacks *cb);
void lb_free(struct lb *lb);                /* NULL is a no-op */

/* Begin the arrival processes and the metrics ticks (once).  0 or -1 with e
 * (a request trace that cannot be read). */
int lb_start(struct lb *lb, sim_time_t start, struct err *e);

/* Register a task's target (at RUNNING, docs/ecs-model.md §6.1) in target
 * group tg, in AZ `az` (a name among the scenario's); `taskdef` picks the
 * group's neverHealthy probability (NULL = none).  Returns the target's
 * index in the group (that of a target released and unused may come back:
 * lb_target_release). */
int lb_target_register(struct lb *lb, int tg, uint64_t ref, const char *name, const char *az,
		       const char *taskdef, sim_time_t now);
/* The task is to stop: the target drains (docs/ecs-model.md §6.3). */
void lb_target_deregister(struct lb *lb, int tg, int target, sim_time_t now);
/* The caller names the target no more (its task is gone): once it is
 * unused, its slot may hold a target registered later (lb_target_register
 * may return this index again), so the lb's memory grows with the live
 * targets, not with those ever registered. */
void lb_target_release(struct lb *lb, int tg, int target);
/* Target slots group tg holds: the targets not yet retired (tests). */
int lb_target_slots(const struct lb *lb, int tg);
/* The task's instance died or its AZ went out: in-flight requests fail
 * (502), checks fail from now on; traffic still comes until the checks
 * mark it unhealthy. */
void lb_target_dead(struct lb *lb, int tg, int target, sim_time_t now);
/* An AZ goes out (up = 0) or comes back: its LB node takes no traffic, and
 * every target in it is dead. */
void lb_az_state(struct lb *lb, const char *az, int up, sim_time_t now);

enum lb_tstate lb_target_state(const struct lb *lb, int tg, int target);
int lb_target_outstanding(const struct lb *lb, int tg, int target);
const char *lb_tstate_name(enum lb_tstate s);

/* Counters of a target group since the start (aggregate mode: expected
 * values). */
struct lb_counts {
	double arrivals, served, e502, e503, e504;
	double latency_sum_ms;           /* over served requests */
	double wait_sum_ms;
	double waited;                   /* served requests that queued first */
};
void lb_tg_counts(const struct lb *lb, int tg, struct lb_counts *out);
/* Request slots the pool holds: bounded by the most requests ever in
 * flight at once, never by the requests served (tests). */
size_t lb_request_slots(const struct lb *lb);
/* Aggregate mode: solutions of the queue computed so far (each new rate
 * costs one; tests). */
size_t lb_agg_solves(const struct lb *lb);
/* Bytes the targets hold (their slots, request queues and names), all
 * groups: bounded by the targets not yet unused or released, never by
 * those ever registered (tests). */
size_t lb_target_buffer_bytes(const struct lb *lb);
/* Requests a target received (per-request mode). */
uint64_t lb_target_received(const struct lb *lb, int tg, int target);

/* Outputs: requests.csv, targets.csv and, at lb_close, lb_summary.csv in
 * `dir` (temp-then-rename).  Call before lb_start.  0 or -1 with e. */
int lb_open_outputs(struct lb *lb, const char *dir, struct err *e);
/* targets.csv is written (default) or not (--no-task-log, like tasks.csv);
 * call before lb_open_outputs. */
void lb_set_target_log(struct lb *lb, int on);
/* Close the last interval at `end` and write the files.  0 or -1. */
int lb_close(struct lb *lb, sim_time_t end, struct err *e);
/* Label of the service that uses a target group (lb_summary.csv). */
void lb_tg_set_service(struct lb *lb, int tg, const char *service);
/* Target ti of group tg belongs to deployment `dep` of its service (set
 * once registered): it is on the green side while the group's service
 * shifts traffic to that deployment (docs/ecs-model.md §5.7). */
void lb_target_set_dep(struct lb *lb, int tg, int ti, int dep);
/* A blue/green production traffic shift of the group's service
 * (docs/ecs-model.md §5.7): the targets of deployment green_dep (-1: no
 * shift, every target on one side) form the green side, which receives
 * the share w (0–1) of the requests, the others the rest: per request a
 * draw from the group's own stream when 0 < w < 1, in aggregate mode the
 * rate split.  Each side routes among its own targets as a target group
 * does (health, fail-open). */
void lb_tg_set_split(struct lb *lb, int tg, int green_dep, double w, sim_time_t now);


/* ---- read-only views for service auto scaling (models/scaler.c) ---------
 * docs/ecs-model.md §5.10: ALBRequestCountPerTarget and utilisation
 * derived from requests.  Reading never changes what the load balancer
 * does (an aggregate-mode group is brought up to `now` first, as a health
 * check does). */
struct lb_tg_now {
	double arrivals;          /* requests routed to one of its targets since the start
				   * (aggregate mode: every arrival, expected) */
	int healthy;              /* targets HEALTHY now */
	int unhealthy;            /* targets UNHEALTHY now */
	int registered;           /* targets registered and not draining (initial, healthy, unhealthy) */
};
void lb_tg_now(struct lb *lb, int tg, sim_time_t now, struct lb_tg_now *out);
struct lb_target_load {
	int has_traffic;          /* 0: the group has no traffic model */
	int aggregate;            /* aggregate mode: `rate` holds; else `received` */
	double received;          /* requests routed to the target since it registered */
	double rate;              /* aggregate: offered requests/s now */
	double mean_service_s;    /* E[S] */
	int workers;              /* c */
};
void lb_target_load(struct lb *lb, int tg, int target, sim_time_t now, struct lb_target_load *out);

/* models/lb/lb_actor.c: the run's load-balancer world (NULL: none) and the
 * targets (group, index) of the task in `slot` while it is registered and
 * not deregistered; returns how many (at most LB_MAX_PER_SERVICE). */
struct backplane;
struct lb *lb_actor_world(struct backplane *bp);
int lb_actor_task_targets(struct backplane *bp, uint32_t slot, int *tg, int *target);

#endif
