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

/* Per container instance: the agent's side. */
struct agent {
	uint8_t up;                /* the agent process can talk to the backplane */
	uint8_t down;              /* the instance is down (failed): nobody there to talk to */
	uint32_t epoch;            /* bumps on each disconnect: stale detection events */
	int *cached;               /* task-definition indexes whose images are cached */
	int n_cached;
	size_t cap_cached;
	uint64_t *outbox;          /* messages held while disconnected: (ref, kind) pairs */
	size_t n_out, cap_out;
	const struct scn_timing *tm;   /* its settings: the scenario's or its group's */
	uint8_t spot_drain_held;   /* a Spot notice came while disconnected: drain on reconnection */
};

/* All the agents, their random stream ("agent") and their event types. */
struct agents {
	struct agent *a;
	size_t n, cap;
	gsl_rng *rng;
	struct sim *sim;           /* the backplane's (no call to ask it per state change) */
	uint32_t ev_start, ev_stop, ev_pulled, ev_started, ev_healthy, ev_exit, ev_stop_done;
	uint32_t ev_deprovisioned, ev_report_running, ev_report_stopped, ev_report_state;
	uint32_t ev_detect, ev_reconnect;
	uint32_t held_start, held_pulled;   /* the held places' types (sim_on_held) */
	uint32_t held_started, held_stop_done, held_deprovisioned;
	int every_step;            /* scenario's every_step: no held lifecycle steps, and the
				    * steps' general paths alone (agent.c) */
};

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
