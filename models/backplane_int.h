/* models/backplane_int.h — the backplane's state: its task table and the
 * agents' side of its instances.  Private to the backplane (backplane.c)
 * and, for now, the agents (agent.c) and the fault injector (faults.c),
 * which still reach into struct agent and the task table; the service
 * scheduler goes through backplane.h and bp_msg.h only.
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
#include "models/bp_msg.h"
#include "models/cluster.h"
#include "models/placement/placement.h"
#include "models/task.h"
#include "models/import.h"
#include "models/trace.h"
#include "sim/quant.h"

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
	uint8_t spot_drain_held;   /* a Spot notice came while disconnected: drain on reconnection */
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
	struct explain_log *explain;     /* --explain, NULL = off (borrowed) */

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

	void *actor_state[BA_N];   /* each actor's own, opaque here (bp_msg.h) */

	struct bp_sub {
		uint32_t mask;
		bp_note_fn fn;
		void *ctx;
	} subs[8];                 /* notification subscribers, in order */
	int n_subs;

	struct trace_src *traces;
	int n_traces;
	struct gen_src *gens;
	int n_gens;

	/* event types */
	uint32_t ev_trace, ev_arrival, ev_retry, ev_timeout, ev_sample, ev_launch, ev_api_stop;
	uint32_t ev_provisioned, ev_agent_start, ev_agent_stop, ev_pulled, ev_started, ev_exit, ev_healthy;
	uint32_t ev_stop_done, ev_deprovisioned, ev_report_running, ev_report_stopped, ev_detect, ev_reconnect;
	uint32_t ev_report_state;
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
/* Capacity may have appeared: retry what waits for it. */
void bp_capacity_changed(struct backplane *bp);
void bp_fail(struct backplane *bp, const struct err *e);

/* backplane_workload.c: the trace sources and generators */
void workload_register(struct backplane *bp);
/* Open the traces and imports, start the generators.  -1 with e filled. */
int workload_start(struct backplane *bp, struct err *e);
void workload_free(struct backplane *bp);

/* agent.c: the agent's side of each instance */
void agent_init(struct backplane *bp, int32_t inst);
/* Faults: the agent stops / resumes talking to the backplane. */
void agent_disconnect(struct backplane *bp, int32_t inst, sim_time_t duration);

#endif
