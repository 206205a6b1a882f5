/* models/backplane_int.h — state shared by the backplane (backplane.c), the
 * agents (agent.c) and the service scheduler (service.c).  Private to those
 * three files: everything else goes through backplane.h.
 *
 * A task lives in a slot of bp->tasks; events name it by (slot, generation),
 * so an event for a task that has since been retired is recognised as stale
 * and ignored (lazy cancellation).  Handlers of the lifecycle also check the
 * task's state, so at most one chain of lifecycle events acts on a task.
 */
#ifndef MODELS_BACKPLANE_INT_H
#define MODELS_BACKPLANE_INT_H

#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rstat.h>

#include "models/backplane.h"
#include "models/cluster.h"
#include "models/placement/placement.h"
#include "models/task.h"
#include "models/import.h"
#include "models/trace.h"
#include "sim/quant.h"

struct task {
	uint32_t gen;
	uint8_t used;
	uint8_t queued;            /* waiting for capacity: not placed yet */
	uint8_t state;             /* enum task_state, meaningful once placed */
	uint8_t desired;           /* enum task_desired */
	uint8_t healthy;
	char *id;
	int td;
	uint32_t group;
	int32_t inst;              /* -1 until placed */
	int32_t pin;               /* DAEMON: the instance it must go to, else -1 */
	const char *pin_az;        /* AZ rebalancing: the AZ it must go to, else NULL */
	int svc;                   /* service index, -1 standalone */
	int dep;                   /* deployment of the service */
	int svc_pos;               /* position in the service's task list */
	sim_time_t submit, placed;
	sim_time_t ts[TS_N];       /* when each state was entered, -1 = never */
	sim_time_t duration;       /* essential container run time, -1 = until stopped */
	const char *stop_code;
	uint8_t lost;              /* stopped without the scheduler asking (for time to replace) */
};

/* Per container instance: the agent's side. */
struct agent {
	uint8_t up;                /* the agent process can talk to the backplane */
	uint32_t epoch;            /* bumps on each disconnect: stale detection events */
	int *cached;               /* task-definition indexes whose images are cached */
	int n_cached;
	size_t cap_cached;
	uint64_t *outbox;          /* messages held while disconnected: (ref, kind) pairs */
	size_t n_out, cap_out;
	const struct scn_timing *tm;   /* its settings: the scenario's or its group's */
	/* faults */
	int group;                 /* scenario instance group, -1 = registered by the trace */
	uint8_t dead;              /* the instance failed: its tasks are gone */
	uint8_t gone;              /* ... and will not come back */
	uint8_t cleaned;           /* the backplane has stopped its tasks */
	uint32_t life;             /* bumps on each failure: stale fault events */
	sim_time_t failed_at;
	int64_t fault_id;
	const char *fail_code;
};

struct deployment {
	int td;
	struct place_policy policy;
	int status;                /* DEP_PRIMARY, DEP_ACTIVE, DEP_INACTIVE */
	int rollout;               /* ROLL_IN_PROGRESS, ROLL_COMPLETED, ROLL_FAILED */
	int failed_tasks;          /* circuit breaker count (§5.6) */
};

enum { DEP_PRIMARY, DEP_ACTIVE, DEP_INACTIVE };
enum { ROLL_IN_PROGRESS, ROLL_COMPLETED, ROLL_FAILED };

struct svc {
	const struct scn_service *cfg;
	int active;                /* created and not deleted */
	int64_t desired;
	uint32_t group;
	struct deployment *deps;
	int n_deps, cap_deps;
	int primary;
	uint32_t *tasks;           /* slots of its tasks not yet retired */
	int n_tasks, cap_tasks;
	int reconcile_scheduled;
	int wants_capacity;
	int rebalancing;           /* an AZ-rebalancing task is in flight (§5.9) */
	int deleting;              /* DeleteService: DRAINING until its tasks are gone */
	int consecutive_failures;  /* start failures in a row (throttle, §5.4) */
	sim_time_t throttle_until;
	gsl_rng *runtime_rng;
	/* availability accounting */
	int64_t running, pending, healthy;
	sim_time_t t_last, t_created;
	double avail_acc, full_acc;   /* ∫ min(running/desired,1) dt, ∫ [running>=desired] dt */
	int reached_desired;
	int64_t min_running;
	int64_t started, failed_to_start;
	sim_time_t *losses;        /* FIFO of times tasks were lost, awaiting replacement */
	size_t loss_head, n_losses, cap_losses;
	gsl_rstat_workspace *replace;
	struct quant replace_p99;
	/* faults awaiting recovery: the service back at its desired count */
	struct recovery *recs;
	int n_recs, cap_recs;
};

struct recovery {
	int64_t fault_id;
	sim_time_t at;
	int64_t lost;
};

struct trace_src {
	struct backplane *bp;
	struct trace *t;           /* an ecsim trace, or */
	struct import *im;         /* a public trace read directly */
	const char *label;
	char *dir;
	struct trace_row row;
};

struct gen_src {
	struct backplane *bp;
	const struct scn_generator *g;
	gsl_rng *arrivals, *mix, *runtime;
	gsl_ran_discrete_t *table;
	int64_t made;
};

struct backplane {
	struct scenario *s;
	const struct scn_timing *tm;
	struct sim *sim;
	struct rng_reg *rng;
	struct metrics *m;
	struct cluster *cl;
	gsl_rng *place_rng, *agent_rng;

	struct task *tasks;
	size_t n_tasks, cap_tasks;
	uint32_t *free_slots;
	size_t n_free, cap_free;
	struct hmap *by_id;
	uint64_t next_task_no;
	int64_t running, starting, queued;

	uint64_t *queue;           /* standalone tasks waiting for capacity, FIFO */
	size_t q_head, q_len, q_cap;
	int retry_scheduled;

	struct agent *agents;
	size_t n_agents, cap_agents;

	struct svc *svcs;
	int n_svcs;

	struct trace_src *traces;
	int n_traces;
	struct gen_src *gens;
	int n_gens;

	/* event types */
	uint32_t ev_trace, ev_arrival, ev_retry, ev_timeout, ev_sample, ev_launch, ev_api_stop;
	uint32_t ev_provisioned, ev_agent_start, ev_agent_stop, ev_pulled, ev_started, ev_exit, ev_healthy;
	uint32_t ev_stop_done, ev_deprovisioned, ev_report_running, ev_report_stopped, ev_detect, ev_reconnect;
	uint32_t ev_reconcile, ev_svc_create;
	uint32_t ev_fail_detect, ev_repair, ev_replace, ev_ttf, ev_spot_notice, ev_spot_end;
	uint32_t ev_outage_start, ev_disconnect;
	int64_t next_fault_id;
	gsl_rng *outage_rng;

	struct err err;
	int failed;

	/* stop_task targets waiting out the API latency, indexed by the event's
	 * arg; NULL = free slot.  What is still here at the end is freed. */
	char **stop_ids;
	size_t n_stop_ids, cap_stop_ids;
	size_t *stop_free;
	size_t n_stop_free, cap_stop_free;
};

static inline uint64_t task_ref(const struct backplane *bp, uint32_t slot)
{
	return (uint64_t)slot << 32 | bp->tasks[slot].gen;
}

static inline uint32_t ref_slot(uint64_t r)
{
	return (uint32_t)(r >> 32);
}

/* The task an event names, or NULL when it has been retired since. */
struct task *bp_task(struct backplane *bp, uint64_t r);
void bp_set_state(struct backplane *bp, uint32_t slot, enum task_state st);
/* The backplane hears the agent's report that a task stopped: release
 * resources, tell its service, write its row. */
void bp_task_stopped(struct backplane *bp, uint32_t slot);
/* The backplane hears that a task reached RUNNING. */
void bp_task_running(struct backplane *bp, uint32_t slot);
/* Launch one task: place it after the placement latency. */
uint32_t bp_new_task(struct backplane *bp, int td, uint32_t group, const char *id,
		     sim_time_t duration, int svc, int dep);
/* StopTask as the backplane does it (desired STOPPED, tell the agent). */
void bp_stop_task(struct backplane *bp, uint32_t slot, const char *code);
/* Capacity may have appeared: retry what waits for it. */
void bp_capacity_changed(struct backplane *bp);
void bp_fail(struct backplane *bp, const struct err *e);

/* Register an instance of `type` in `az` (group: scenario group or NULL). */
int32_t bp_register_instance(struct backplane *bp, const struct catalog_type *type,
			     const char *az, const struct scn_group *g);
int32_t bp_find_instance(struct backplane *bp, const char *id);

/* faults.c (ecs-semantics §8) */
void fault_register_events(struct backplane *bp);
void fault_start(struct backplane *bp);
void fault_on_register(struct backplane *bp, int32_t inst, int group);
/* The instance fails now: repair ≥ 0 brings it back after that long, -1 =
 * gone (replaced by Auto Scaling when its group says so).  `immediate`:
 * ECS learns at once (a terminated instance is deregistered), else after
 * the heartbeat timeout.  Returns the fault id. */
int64_t fault_instance_fail(struct backplane *bp, int32_t inst, sim_time_t repair,
			    int immediate, const char *code, const char *kind, int64_t fault_id);
void fault_spot_notice(struct backplane *bp, int32_t inst);
/* DeregisterContainerInstance with force (§2.4): its tasks stop
 * (UserInitiated), it becomes INACTIVE; no replacement. */
void fault_deregister(struct backplane *bp, int32_t inst);
void fault_az_outage(struct backplane *bp, const char *az, sim_time_t duration, double fraction);
void svc_fault_lost(struct backplane *bp, int v, int64_t fault_id, sim_time_t at, int64_t lost);

/* agent.c */
enum agent_msg { AM_START, AM_STOP, AM_REPORT_RUNNING, AM_REPORT_STOPPED };
void agent_init(struct backplane *bp, int32_t inst);
void agent_free_all(struct backplane *bp);
/* The backplane sends a message; it arrives after the network delay, or
 * when the agent reconnects. */
void agent_send(struct backplane *bp, uint32_t slot, enum agent_msg m);
void agent_register_events(struct backplane *bp);
/* Faults: the agent stops / resumes talking to the backplane. */
void agent_disconnect(struct backplane *bp, int32_t inst, sim_time_t duration);

/* service.c */
void svc_init_all(struct backplane *bp);
void svc_free_all(struct backplane *bp);
void svc_register_events(struct backplane *bp);
void svc_schedule(struct backplane *bp, int v, sim_time_t delay);
void svc_on_task_running(struct backplane *bp, struct task *t);
void svc_on_task_healthy(struct backplane *bp, struct task *t);
void svc_on_task_stopped(struct backplane *bp, struct task *t);
void svc_on_launch_failed(struct backplane *bp, struct task *t);
void svc_on_state(struct backplane *bp, struct task *t, enum task_state from, enum task_state to);
void svc_on_instance(struct backplane *bp, int32_t inst);    /* joined or changed status */
void svc_capacity_changed(struct backplane *bp);
int svc_find(const struct backplane *bp, const char *name);
void svc_set_desired(struct backplane *bp, int v, int64_t desired);
void svc_delete(struct backplane *bp, int v);
void svc_deploy(struct backplane *bp, int v, int td);
void svc_sample(struct backplane *bp, sim_time_t now);
void svc_finish(struct backplane *bp, sim_time_t end);

#endif
