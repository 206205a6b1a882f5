/* models/bp_msg.h — the one interface between the control plane's actors:
 * the messages between the backplane and the agents, and the notifications
 * the backplane publishes to the actors that watch it (the service
 * scheduler, the fault injector, the load balancer; next the auto
 * scalers).
 *
 * Messages.  The backplane tells an agent to start or stop a task with
 * agent_send(); the agent's reports come back with bp_task_running(),
 * bp_task_stopped(), bp_task_sync() and bp_task_healthy().  Both ways a
 * message travels as an event after the agent's network delay, or waits in
 * the agent's outbox while it is disconnected (docs/ecs-model.md §7.4).
 *
 * Notifications.  An actor subscribes to the kinds it wants with
 * bp_subscribe(); the backplane delivers each notification at once, to
 * each subscriber in the order they subscribed (deterministic).  An actor
 * acts only through the backplane's public API (backplane.h): the calls a
 * user's API call makes, and what EC2 does to instances (the fault
 * injector's: down, up, lost, an agent silent, a Spot notice), which the
 * agents hear as notifications.  A subscriber to a task's notifications
 * (BN_TASK_*) must not create a task while it handles one (schedule the
 * launch as an event instead, as the service scheduler does): a new task
 * may move the task table, and the agent's steps hold a task's record
 * across the state change that notifies.
 *
 * Actors are attached in the order of the table in backplane.c: agents,
 * service scheduler, the room held for DAEMON tasks (models/service_daemon.c,
 * subscribed only when the scenario has a DAEMON service), fault injector,
 * service auto scaling (models/scaler.c),
 * load balancer (models/lb/lb_actor.c, attached only when the scenario has
 * target groups), managed scaling of capacity providers (models/cas.c,
 * attached only when a provider has managed scaling).  Each keeps its own state (its
 * private header, X_int.h) through bp_set_actor_state (the DAEMON hold
 * actor keeps none: the holds are the cluster's) and sets up its side
 * of each new instance on BN_INSTANCE_ADDED.  Adding an actor is one row
 * there and one attach function.
 */
#ifndef MODELS_BP_MSG_H
#define MODELS_BP_MSG_H

#include <stdint.h>

#include "models/task.h"
#include "sim/evq.h"

struct backplane;
struct err;
struct task;

/* ---- messages between the backplane and the agents --------------------- */

enum agent_msg { AM_START, AM_STOP, AM_REPORT_RUNNING, AM_REPORT_STOPPED, AM_REPORT_STATE };

/* A message's event names its task by a reference (slot << 32 |
 * generation): the task it names, or NULL when it has been retired since. */
struct task *bp_task(struct backplane *bp, uint64_t ref);
/* A sim_hint_fn (sim.h) for events whose argument is a task's reference
 * (ctx the backplane): asks for the task's first two lines. */
void bp_hint_task(void *ctx, uint64_t ref);
/* The same for a task's STOPPED report (its task record read: the exit
 * touched it just before): asks for its instance's record, which the
 * release reads. */
void bp_hint_task_stopped(void *ctx, uint64_t ref);

static inline uint32_t ref_slot(uint64_t ref)
{
	return (uint32_t)(ref >> 32);
}

/* The reference of the task in `slot` of generation `gen`. */
static inline uint64_t ref_make(uint32_t slot, uint32_t gen)
{
	return (uint64_t)slot << 32 | gen;
}

/* The backplane sends a message about the task in `slot` (agent.c); it
 * arrives after the network delay, or when the agent reconnects. */
void agent_send(struct backplane *bp, uint32_t slot, enum agent_msg m);
/* The task `t` in `slot`, placed on an instance and PROVISIONING, is
 * PENDING now (agent_set_state) and the backplane sends the agent its start
 * request, or its stop request when it is to stop already, as the caller's
 * last action: a message with no delay while nothing else waits at this
 * instant is handled at once, as part of the caller's event
 * (sim_lane_idle). */
void agent_task_pending(struct backplane *bp, uint32_t slot, struct task *t);
/* The agent ends a task on its own (essential container exited, start
 * failure): the backplane's desired status and stop code follow at once
 * when it is connected, else when its report arrives (docs/ecs-model.md §7.4). */
void agent_task_ended(struct backplane *bp, uint32_t slot, const char *code);
/* The task's real state on its instance moves to `st` (the agent's steps,
 * and the backplane's PROVISIONING → PENDING once the ENI is attached): the
 * backplane's view follows with the agent's report, at once while it is
 * connected, else on reconnection (docs/ecs-model.md §7.4). */
void agent_set_state(struct backplane *bp, uint32_t slot, int st);

/* What the agents' reports do at the backplane (backplane.c). */
void bp_task_running(struct backplane *bp, uint32_t slot);   /* RUNNING reported */
/* STOPPED: release resources, tell the subscribers, write the task's row. */
void bp_task_stopped(struct backplane *bp, uint32_t slot);
/* The state report: the backplane's view of the task (state, desired
 * status, stop code, health) catches up with what the agent saw. */
void bp_task_sync(struct backplane *bp, uint32_t slot);
/* The agent's report of the task's state: the backplane's view catches up
 * (bp_task_sync when a held report is due, else the view moves). */
void bp_task_report(struct backplane *bp, uint32_t slot);
/* bp_task_report for a standalone task `t` whose connected agent holds no
 * report back (not unsynced): all the report does is move the view, that
 * is the backplane's counts of running and starting tasks and t->seen, to
 * `st` (no notification: no actor follows a standalone task). */
void bp_task_view(struct backplane *bp, struct task *t, int st);
/* BN_TASK_STOPPING for a service's task (bp_task_desire_stop). */
void bp_task_stopping_note(struct backplane *bp, struct task *t);
/* The task's desired status becomes STOPPED (nothing when it is already):
 * every change of it goes through here, so that the service running the
 * task hears of it (BN_TASK_STOPPING; it counts its live tasks), except in
 * the agent's common path of a standalone task's exit, which no service
 * hears of (agent.c quick_desire_stop). */
static inline void bp_task_desire_stop(struct backplane *bp, struct task *t)
{
	if (t->desired != TD_RUNNING)
		return;
	t->desired = TD_STOPPED;
	if (t->svc >= 0)           /* only a service's tasks are news (above) */
		bp_task_stopping_note(bp, t);
}
/* The agent of instance `inst` stopped taking its tasks' common paths
 * (agent.c: it disconnected, or the instance failed): the copy of its
 * class in each of its tasks (task.h `quick`) is cleared. */
void bp_quick_clear(struct backplane *bp, int32_t inst);
/* The task passed its health check (the agent is connected). */
void bp_task_healthy(struct backplane *bp, uint32_t slot);
/* A task behind a load balancer passed its container health checks: it is
 * healthy once its targets are too (docs/ecs-model.md §5.2), which the
 * load-balancer actor decides (BN_TASK_CHECKS_PASSED). */
void bp_task_checks_passed(struct backplane *bp, uint32_t slot);
/* Its targets failed their checks after the grace period: the scheduler
 * replaces it first, then stops it giving `reason` (docs/ecs-model.md §5.3). */
void bp_task_unhealthy(struct backplane *bp, uint32_t slot, const char *reason);
/* The backplane sees the agent's session up or down (the instance's
 * agentConnected: after the heartbeat timeout, or on reconnection). */
void bp_agent_connected(struct backplane *bp, int32_t inst, int up);
/* The agent saw its instance terminated and, connected, told the backplane
 * before it went (docs/ecs-model.md §2.4): published as
 * BN_INSTANCE_TERMINATED. */
void bp_agent_shutdown(struct backplane *bp, int32_t inst);
/* The instance's status or its agent's connection changed. */
void bp_instance_changed(struct backplane *bp, int32_t inst);
/* Capacity may have appeared: retry what waits for it. */
void bp_capacity_changed(struct backplane *bp);

/* ---- notifications ------------------------------------------------------ */

enum bp_note_kind {
	BN_START,           /* the scenario's instances are registered: set up */
	BN_GO,              /* the workload is open: start own processes */
	BN_INSTANCE_ADDED,  /* an instance joined the cluster, before anyone else hears: inst */
	BN_TASK_SEEN,       /* the backplane's view of a service's task moved: slot, from → to
			     * (not sent for standalone tasks: no actor follows them) */
	BN_TASK_RUNNING,    /* the agent reported the task RUNNING: slot (a service
			     * task's; a standalone task's RUNNING report from a
			     * connected agent is not sent: docs/ecs-model.md choice E75) */
	BN_TASK_HEALTHY,    /* the backplane learned the task is healthy: slot (a
			     * service task's: docs/ecs-model.md choice E75); from:
			     * its flags before, healthy | unhealthy << 1 */
	BN_TASK_CHECKS_PASSED, /* a task behind a load balancer passed its container
				* health checks (bp_task_checks_passed): slot */
	BN_TASK_CHECK_FAILED, /* the task's load-balancer target failed a health check
			       * (circuit breaker stage 2, docs/ecs-model.md §5.6): slot */
	BN_TASK_STOPPED,    /* the task is STOPPED, about to be retired: slot (a service
			     * task's: no actor follows a standalone one) */
	BN_TASK_CREATED,    /* a service task exists (choice A3): placed, or waiting
			     * PROVISIONING for its provider's capacity: slot (its
			     * TASKS_STARTED, docs/ecs-model.md choice E173) */
	BN_LAUNCH_FAILED,   /* a service task found no instance (choice A3): slot */
	BN_INSTANCE_STATUS, /* an instance joined, or its status or agent changed: inst */
	BN_INSTANCE_REGISTERED, /* an instance registered (after BN_INSTANCE_STATUS): inst */
	BN_INSTANCE_DOWN,   /* the instance itself went down (n: terminated by EC2): inst */
	BN_INSTANCE_TERMINATED, /* its connected agent saw it terminated: the backplane knows now: inst */
	BN_INSTANCE_UP,     /* the instance is back, empty (repaired): inst */
	BN_AGENT_SILENT,    /* its agent stops talking for `len` (-1: for good): inst */
	BN_SPOT_NOTICE,     /* a Spot interruption notice reached the instance: inst */
	BN_AZ_OUTAGE,       /* a whole AZ goes out for `len`: az (its load-balancer nodes with it) */
	BN_CAPACITY,        /* capacity may have appeared (for the services that
			     * wait for it: not sent by bp_capacity_changed when
			     * the scenario has no service) */
	BN_FAULT_LOST,      /* fault `fault_id` at `at` took n running tasks of svc */
	BN_SERVICE_DESIRED, /* UpdateService desiredCount: svc, n */
	BN_SERVICE_DEPLOY,  /* UpdateService taskDefinition: svc, td */
	BN_SERVICE_DELETE,  /* DeleteService: svc */
	BN_SAMPLE,          /* the metrics clock ticks: at */
	BN_FINISH,          /* the run ends: at */
	BN_FREE,            /* the backplane is being freed: free own state */
	BN_TASK_UNHEALTHY,  /* the task's targets failed their checks after the grace
			     * period: the scheduler replaces it (docs/ecs-model.md §5.3): slot */
	BN_INSTANCE_DEREGISTERED, /* DeregisterContainerInstance (force): the instance leaves
				   * the cluster but its host runs on, its tasks orphaned
				   * (docs/ecs-model.md §2.4): inst; their STOPPED follow */
	BN_SERVICE_ROLLOUT, /* a deployment of svc is in progress (n = 1: its PRIMARY
			     * deployment IN_PROGRESS) or no more (n = 0: COMPLETED or
			     * FAILED); the service scheduler publishes each change
			     * (docs/ecs-model.md §5.5, §5.6) */
	BN_STANDALONE_TASK, /* a standalone task was placed on an instance or stopped:
			     * slot; sent only while an actor follows them
			     * (bp_watch_standalone) */
	BN_SERVICE_TRAFFIC, /* a blue/green deployment of svc shifts production traffic
			     * (docs/ecs-model.md §5.7): n tenths of a percent go to
			     * deployment td (td -1: no shift, n 0); the service
			     * scheduler publishes each change */
	BN_TASK_STOPPING,   /* a service task's desired status became STOPPED (its stop
			     * asked, or the agent saw it end): slot (bp_task_desire_stop) */
	BN_N
};

#define BN_BIT(k) (UINT64_C(1) << (k))
_Static_assert(BN_N <= 64, "BN_BIT: a kind's bit in 64");

struct bp_note {
	enum bp_note_kind kind;
	uint32_t slot;             /* task slot (BN_TASK_*, BN_LAUNCH_FAILED) */
	int32_t inst;              /* instance (BN_INSTANCE_*) */
	int svc;                   /* service index (BN_SERVICE_*, BN_FAULT_LOST) */
	int from, to;              /* enum task_state (BN_TASK_SEEN) */
	int td;                    /* task definition (BN_SERVICE_DEPLOY); deployment (BN_SERVICE_TRAFFIC) */
	int64_t n;                 /* desired count, tasks lost, in progress (BN_SERVICE_ROLLOUT) */
	int64_t fault_id;
	sim_time_t at;
	sim_time_t len;            /* BN_AGENT_SILENT, BN_AZ_OUTAGE */
	const char *az;            /* BN_AZ_OUTAGE: one of the scenario's AZ names */
};

typedef void (*bp_note_fn)(struct backplane *bp, void *ctx, const struct bp_note *n);

/* Deliver the kinds in `mask` (BN_BIT(k) | ...) to fn(bp, ctx, note). */
void bp_subscribe(struct backplane *bp, uint64_t mask, bp_note_fn fn, void *ctx);
/* Publish a notification to every subscriber of its kind, in subscription
 * order. */
void bp_notify(struct backplane *bp, const struct bp_note *n);

/* ---- a stop that waits (the load balancer's deregistration delay) ------- */

/* Before the backplane tells an agent to stop a task its scheduler or a
 * user stopped (bp_stop_task on a placed task), it asks the one stop
 * holder (the load-balancer actor) whether the stop must wait: the holder
 * deregisters the task's targets and returns 1 while any of them drains
 * (docs/ecs-model.md §6.3).  The holder then calls bp_stop_release when the
 * last one has drained, and only then is the agent told (so a stop costs
 * up to the deregistration delay + stopTimeout).  A task that stops
 * meanwhile on its own (its instance lost) is not held up.  Stops the
 * agent or EC2 decide (an essential container exited, an instance down)
 * are never held. */
typedef int (*bp_stop_hold_fn)(struct backplane *bp, void *ctx, uint32_t slot);
void bp_set_stop_hold(struct backplane *bp, bp_stop_hold_fn fn, void *ctx);
void bp_stop_release(struct backplane *bp, uint32_t slot);

/* An actor's own failure (an output it cannot write): the run stops with
 * this error. */
void bp_fail(struct backplane *bp, const struct err *e);

/* Whether BN_STANDALONE_TASK is sent (off by default: a standalone task's
 * placement and stop are the hot path of a replay, and only a DAEMON whose
 * constraints read tasks follows them, docs/ecs-model.md choice E116). */
void bp_watch_standalone(struct backplane *bp, int on);

/* ---- a failing container health check (models/agent_health.c) ---------- */

/* The task `ref` that a trace's health_check_fail row made fail (task.h
 * hc_fault) is RUNNING now: its container's checks start (the agent's
 * started step, and Fargate's). */
void agent_health_running(struct backplane *bp, uint64_t ref);
/* Whether E110's healthy instant may make such a task healthy (the
 * agent's, Fargate's): 1 when its faulted container has passed a check and
 * is not UNHEALTHY (docs/ecs-model.md §5.2, choice E114). */
int agent_health_passes(struct backplane *bp, uint64_t ref);
/* The start plan along dependsOn of task `ref` (taskdef_start_plan in
 * models/taskdef.h, `base` the instant it counts from, `start_ms` a
 * container's start), with a failing check command on a container another
 * waits for to be HEALTHY taken in (docs/ecs-model.md §1.4, choice E175):
 * 0 (running_ms), 1 (fail_ms) or 2 (waits for good). */
struct td_start_plan;
int agent_health_start_plan(struct backplane *bp, uint64_t ref, sim_time_t base, int64_t start_ms,
			    struct td_start_plan *p);

/* ---- the actors --------------------------------------------------------- */

enum bp_actor { BA_AGENT, BA_SERVICE, BA_FAULTS, BA_SCALER, BA_LB, BA_CAS, BA_FARGATE, BA_N };

/* Each actor's own state, kept by the backplane for it and never read by
 * it (NULL until set). */
void bp_set_actor_state(struct backplane *bp, enum bp_actor a, void *state);
void *bp_actor_state(const struct backplane *bp, enum bp_actor a);

/* Each registers its events and subscribes (called by backplane_new). */
void agent_attach(struct backplane *bp);
void svc_attach(struct backplane *bp);
void daemon_hold_attach(struct backplane *bp); /* models/service_daemon.c: the room held for
						* DAEMON tasks (docs/ecs-model.md §4.10) */
void fault_attach(struct backplane *bp);
void scaler_attach(struct backplane *bp);   /* models/scaler.c: service auto scaling */
void lb_attach(struct backplane *bp);       /* models/lb/lb_actor.c */
void cas_attach(struct backplane *bp);      /* models/cas.c: managed scaling of capacity providers */
/* 1 when managed scaling's lists (each group's instances still billed, the
 * draining ones) agree with a pass over every instance, or there is no
 * managed scaling: a test's oracle, after any event. */
int cas_lists_agree(struct backplane *bp);
void fargate_attach(struct backplane *bp);  /* models/backplane_fargate.c: Fargate tasks */

#endif
