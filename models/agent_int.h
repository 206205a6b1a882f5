/* models/agent_int.h — the agents' own state, one struct agent per instance
 * (agent.c; and the tests' whole-run checks).  The agents hear of their
 * instances from the backplane's notifications and talk to it through the
 * messages of bp_msg.h.
 */
#ifndef MODELS_AGENT_INT_H
#define MODELS_AGENT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/backplane.h"
#include "models/bp_msg.h"

/* Per container instance: the agent's side.  One cache line, aligned
 * (agents.a): a task's steps read its first 24 bytes (up, down, the image
 * cache's summary, the settings), each step's only look at the agent. */
struct hc_faults;

/* An agent's disconnect in progress (docs/ecs-model.md §7.4, choice E111):
 * its back-off's tries count from `start`; the one at `back_at` gets
 * through (INT64_MAX: none, the agent is silent for good), and the wait
 * after it would be `wait` ms. */
struct agent_outage {
	sim_time_t start, back_at;
	double wait;
};

struct agent {
	uint8_t up;                /* the agent process can talk to the backplane */
	uint8_t down;              /* the instance is down (failed): nobody there to talk to */
	uint8_t spot_drain_held;   /* a Spot notice came while disconnected: drain on reconnection */
	uint8_t quick_cls;         /* its settings' class in the summary (struct agents
				    * quick): 1 + index in tms[], 0 = none */
	uint32_t epoch;            /* bumps on each disconnect: stale detection events */
	int n_cached;
	uint32_t cached_lo;        /* bit k: task definition k < 32 is in cached[] (its
				    * summary: no look at the list for those) */
	const struct scn_timing *tm;   /* its settings: the scenario's or its group's */
	int *cached;               /* task-definition indexes whose images are cached */
	size_t cap_cached;
	uint64_t *outbox;          /* messages held while disconnected: (ref, kind) pairs */
	size_t n_out, cap_out;
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct agent) == 64, "an agent is one cache line");

/* All the agents, their random stream ("agent") and their event types. */
struct agents {
	struct agent *a;           /* aligned to a cache line, inside a_mem */
	size_t n, cap;
	void *a_mem;
	gsl_rng *rng;
	gsl_rng *reconnect_rng;    /* the reconnect back-off's jitter (agent.c reconnect_after) */
	struct sim *sim;           /* the backplane's (no call to ask it per state change) */
	uint32_t ev_start, ev_stop, ev_pulled, ev_started, ev_healthy, ev_exit, ev_stop_done;
	uint32_t ev_deprovisioned, ev_report_running, ev_report_stopped, ev_report_state;
	uint32_t ev_detect, ev_reconnect;
	uint32_t ev_deps_met, ev_deps_failed;   /* dependsOn (agent.c deps_wait) */
	uint32_t ev_deps_stopped;  /* ... its started containers stopped (agent.c stop_started) */
	uint32_t held_start, held_pulled;   /* the held places' types (sim_on_held) */
	uint32_t held_started, held_stop_done, held_deprovisioned;
	int every_step;            /* scenario's every_step: no held lifecycle steps, and the
				    * steps' general paths alone (agent.c) */
	/* Each agent summed up for the steps' common paths in two bytes of a
	 * dense array (12,500 agents' records overflow the first-level cache,
	 * their summaries do not): quick[inst]'s low byte is the agent's
	 * quick_cls while it is connected (up), else 0; quick_cls is 1 + the
	 * index of its settings (tm) in tms[] when the held steps are in use
	 * for its tasks (network delay > 0, no every_step) and tms[] had room,
	 * else 0.  The high byte is the image cache's summary for task
	 * definitions 0-7 (bits 0-7 of cached_lo).  quick[-1] is 0 (a task
	 * with no instance).  agent.c quick_set keeps it; the whole-run
	 * invariants check it.  The steps after a task's start request read
	 * the low byte from the task's copy (task.h quick), which the
	 * agent's disconnection or failure clears (bp_quick_clear). */
	uint16_t *quick;           /* quick_mem + 1 */
	uint16_t *quick_mem;
	size_t cap_quick;
	const struct scn_timing *tms[255];
	int n_tms;
	struct hc_faults *hc;      /* failing health checks (models/agent_health.c) */
	struct agent_outage *outage;   /* per instance: its current disconnect (agent.c
					* agent_disconnect); written when one starts */
	size_t cap_outage;
};

/* The failing health checks' state (models/agent_health.c): set up at
 * agent_attach, freed with the agents. */
void agent_health_attach(struct backplane *bp);
void agent_health_free(struct backplane *bp);

static inline struct agents *agents_of(const struct backplane *bp)
{
	return bp_actor_state(bp, BA_AGENT);
}

/* The agent of instance `inst`. */
static inline struct agent *agent_at(const struct backplane *bp, int32_t inst)
{
	return &agents_of(bp)->a[inst];
}

#endif
