/* models/task.h — the task lifecycle as ECS names it (docs/ecs-model.md §3.1,
 * §3.3): last status, desired status, stop codes. */
#ifndef MODELS_TASK_H
#define MODELS_TASK_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/evq.h"
#include "sim/fmt.h"

struct place_policy;

enum task_state {
	TS_PROVISIONING, TS_PENDING, TS_ACTIVATING, TS_RUNNING, TS_DEACTIVATING,
	TS_STOPPING, TS_DEPROVISIONING, TS_STOPPED, TS_N
};

enum task_desired { TD_RUNNING, TD_STOPPED };

/* Stop codes (API TaskStopCode). */
#define STOP_ESSENTIAL_EXITED "EssentialContainerExited"
#define STOP_FAILED_TO_START "TaskFailedToStart"
#define STOP_USER "UserInitiated"
#define STOP_SCHEDULER "ServiceSchedulerInitiated"
#define STOP_SPOT "SpotInterruption"
#define STOP_TERMINATION "TerminationNotice"
#define STOP_INFRASTRUCTURE "InfrastructureHealth"
/* the start of the stoppedReason of a task whose target failed its checks
 * (models/lb/lb_actor.c adds " in (target-group NAME)"); its stop code is
 * STOP_SCHEDULER (docs/ecs-model.md §5.3) */
#define STOP_ELB_PREFIX "Task failed ELB health checks"
/* the stoppedReason of a FARGATE_SPOT task interrupted (docs/ecs-model.md
 * §3.3: ECS's Fargate Spot example), with STOP_TERMINATION */
#define STOP_FARGATE_SPOT_REASON "Your Spot Task was interrupted."

const char *task_state_name(enum task_state s);

/* A task as the backplane keeps it (bp_task_at() in backplane.h).  Every
 * actor reads it; the backplane and the agent write it, the service
 * scheduler only svc_pos (its place in the service's list) and svc_drained.
 *
 * A task lives in a slot of the backplane's table; events name it by
 * (slot, generation), so an event for a task that has since been retired
 * is recognised as stale and ignored (lazy cancellation).
 *
 * The layout follows the steps of a task's life (models/agent.c): the table
 * is larger than the caches and a task's steps lie far apart, so each cache
 * line a step touches is a miss.  The record is four aligned cache lines:
 * line 0 holds what the steps read or write and the times of the states up
 * to RUNNING (the start's steps touch line 0 alone), line 1 the times of
 * the stop's states and what the placement, the stop and the release read
 * besides, lines 2-3 the rest (services, pins, load balancers,
 * disconnections, Fargate, a task's own id).  A plain standalone task's
 * steps never touch lines 2-3 (the task log's row reads them): while
 * `cold` is 0 they hold what a new task has there (task_cold_fresh: NULL,
 * 0, pin and fg_az -1), and the slot is handed on so; whoever writes
 * something else there sets `cold` first (the backplane resets the lines
 * when the slot is freed).  A service's task (its scheduler writes
 * svc_pos), a task with an id, a policy or a deployment, and a Fargate
 * task are cold from the start. */
struct task {
	/* line 0: what every step reads or writes (the look-up, the steps'
	 * tests, the view), and the times of the states up to RUNNING */
	uint32_t gen;
	uint8_t used;
	uint8_t quick;             /* its agent's class (agent_int.h, struct agents
				    * quick's low byte) for the steps' common paths,
				    * read here instead of the agent's summary; not 0
				    * only for a standalone task whose connected agent
				    * took it PENDING with nothing held back, and then
				    * while that agent stays connected (its disconnection
				    * or failure clears it on its tasks, bp_quick_clear) */
	uint8_t state;             /* enum task_state, meaningful once placed: what really is */
	uint8_t seen;              /* the state the backplane knows (differs from `state`
				    * only while the agent is disconnected, docs/ecs-model.md §7.4) */
	uint8_t unsynced;          /* a state report is waiting in the agent's outbox */
	uint8_t desired;           /* enum task_desired */
	/* Fargate (models/backplane_fargate.c): no instance (inst stays -1) */
	uint8_t fg;                /* enum task_launch */
	uint8_t cold;              /* lines 2-3 may differ from a new task's (above) */
	int32_t inst;              /* -1 until placed */
	int svc;                   /* service index, -1 standalone */
	int td;
	sim_time_t duration;       /* essential container run time, -1 = until stopped */
	/* lines 0-1: when each state was entered, -1 = never (ts[TS_PROVISIONING]:
	 * when it was placed); PROVISIONING to RUNNING in line 0, what the
	 * start's steps write, the stop's in line 1 */
	sim_time_t ts[TS_N];
	/* line 1: the placement's and the stop's */
	uint32_t group;
	int16_t cp;                /* capacity provider (index into the scenario's,
				    * docs/ecs-model.md §5.11), -1 = none: plain instances */
	uint8_t lost;              /* stopped without the scheduler asking (for time to replace) */
	uint8_t queued;            /* waiting for capacity: not placed yet (2: and in the
				    * backplane's queue of tasks waiting for capacity,
				    * backplane.c q_push; read by the
				    * placement, which reads this line anyway) */
	const char *stop_code;
	sim_time_t submit;
	uint64_t no;               /* the number of an anonymous task (formatted when written) */
	/* lines 2-3 (set `cold` before writing here) */
	char *id;                  /* NULL for an anonymous task (every service
				    * task, a standalone one without id): "task-<no>" */
	const struct place_policy *policy;  /* a service task's: its deployment's, else NULL */
	const char *pin_az;        /* AZ rebalancing: the AZ it must go to, else NULL */
	int32_t pin;               /* DAEMON: the instance it must go to, else -1 */
	int16_t fg_az;             /* FARGATE*: index of its AZ in the scenario's, -1 until placed */
	uint8_t cp_waiting;        /* queued PROVISIONING for a managed-scaling
				    * provider's capacity (counted in bp->cp_waiting) */
	uint8_t elb_stopped;       /* stopped for failed ELB health checks */
	uint8_t svc_drained;       /* its service's scheduler stopped it while its
				    * instance was DRAINING: it counts toward the
				    * service's maximumPercent until it has stopped
				    * (docs/ecs-model.md §5.15, choice E237) */
	int dep;                   /* deployment of the service */
	int svc_pos;               /* position in the service's task list */
	uint8_t healthy_held;      /* passed its health check, not yet reported */
	uint8_t checks_passed;     /* behind a load balancer: every essential container with
				    * a health check has passed it (docs/ecs-model.md §5.2) */
	uint8_t healthy;
	uint8_t unhealthy;         /* its targets failed their checks after the grace
				    * period, or an essential container's health check
				    * failed: the scheduler replaces it first (§5.3) */
	uint8_t hc_fault;          /* a health_check_fail row made a container's check
				    * command fail (models/agent_health.c): its checks run
				    * one by one (docs/ecs-model.md choice E114) */
	uint8_t lb_draining;       /* its stop waits for its load-balancer targets'
				    * drain (bp_stop_task): DEACTIVATING from the
				    * deregistration (docs/ecs-model.md §6.3, choice E220) */
	sim_time_t protected_until;   /* task scale-in protection ends (0 = never protected) */
	const char *stop_reason;   /* tasks.csv's stopped_reason, NULL = none */
	const char *unhealthy_reason;  /* why it is unhealthy (the stoppedReason
				    * the scheduler will give it), NULL = not unhealthy */
	const char *agent_code;    /* why the agent ended it, not yet reported
				    * (docs/ecs-model.md §7.4) */
	sim_time_t deps_base;      /* dependsOn: 1 + the instant its start plan counts
				    * from (the image pull's end; EC2 agent.c, Fargate
				    * backplane_fargate.c; choice E175) once its first
				    * containers started, 0 before, -1 when those that
				    * started are being stopped before it ran (E144) */
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct task) == 256, "a task is four cache lines");
_Static_assert(offsetof(struct task, ts[TS_RUNNING]) + sizeof(sim_time_t) == 64 &&
	       offsetof(struct task, ts[TS_DEACTIVATING]) == 64 && offsetof(struct task, id) == 128,
	       "the steps' fields and ts[] up to RUNNING in line 0, the rest of ts[] in line 1, "
	       "then lines 2-3");

/* 1 when t's lines 2-3 hold what a new task has there (what a slot whose
 * `cold` is 0 holds: tests/helpers/invariants.c checks it). */
/* The task's id as tasks.csv writes it: its own, or "task-<no>" for an
 * anonymous one (standalone without an id, or a service's: numbered, not
 * named, until written); buf holds the latter (32 bytes suffice).  A task
 * whose lines 2-3 are a new task's (`cold` 0) has no id: they are not
 * read then (a cache miss per row of tasks.csv). */
static inline const char *task_name(const struct task *t, char *buf, size_t n)
{
	if (t->cold && t->id)
		return t->id;
	if (n < 5 + FMT_U64_MAX + 1) {    /* (a buffer too small: snprintf's cut) */
		snprintf(buf, n, "task-%" PRIu64, t->no);
		return buf;
	}
	memcpy(buf, "task-", 5);
	buf[5 + fmt_u64(buf + 5, t->no)] = '\0';
	return buf;
}

static inline int task_cold_fresh(const struct task *t)
{
	return !t->id && !t->policy && !t->pin_az && t->pin == -1 && t->fg_az == -1 && !t->cp_waiting &&
	       !t->elb_stopped && !t->svc_drained && !t->dep && !t->svc_pos && !t->healthy_held && !t->healthy &&
	       !t->unhealthy && !t->hc_fault && !t->protected_until && !t->stop_reason && !t->unhealthy_reason &&
	       !t->agent_code;
}

/* Where a task runs: tasks.csv's launch_type (EC2 / FARGATE), and for
 * Fargate the provider (FARGATE or FARGATE_SPOT, docs/ecs-model.md §5.11). */
enum task_launch { TL_EC2, TL_FARGATE, TL_FARGATE_SPOT };

/* 1 when anonymous task number a's id sorts before b's, exactly as
 * strcmp("task-<a>", "task-<b>") < 0 would (so "task-10" before
 * "task-9"), computed from the numbers without formatting them: the
 * longer number's leading digits, as many as the shorter has, decide;
 * when they are the shorter number itself, the shorter comes first. */
static inline int task_no_before(uint64_t a, uint64_t b)
{
	int da = 1, db = 1;
	uint64_t p = 1;

	for (uint64_t x = a; x >= 10; x /= 10)
		da++;
	for (uint64_t x = b; x >= 10; x /= 10)
		db++;
	if (da == db)
		return a < b;
	for (int k = da < db ? db - da : da - db; k > 0; k--)
		p *= 10;
	if (da < db)
		return a <= b / p;      /* equal: a is a prefix of b */
	return a / p < b;           /* equal: b is a prefix of a */
}

#endif
