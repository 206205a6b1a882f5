/* models/faults_int.h — the fault injector's own state: what it did to each
 * instance (faults.c; and the tests' whole-run checks).  It hears of
 * instances from the backplane's notifications and acts through the calls
 * of backplane.h.
 */
#ifndef MODELS_FAULTS_INT_H
#define MODELS_FAULTS_INT_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/backplane.h"
#include "models/bp_msg.h"

/* Per container instance: its failures. */
struct fault_inst {
	uint8_t dead;              /* the instance failed: its tasks are gone */
	uint8_t gone;              /* ... and will not come back */
	uint8_t cleaned;           /* the backplane has stopped its tasks */
	uint8_t deregistered;      /* deregistered from the cluster, its EC2 host still up and billed */
	uint8_t spot_noticed;      /* a Spot notice came while it was down for repair: its agent sees it when back */
	uint8_t repair_exact;      /* the pending repair is at fail_s: its failure was the group's
				    * process's, and nothing put the repair off */
	uint32_t life;             /* bumps on each failure: stale failure events (detection, repair, time to failure) */
	sim_time_t failed_at;
	int64_t fault_id;
	const char *fail_code;
	/* The exact instants (s) of its stochastic processes, each rounded to
	 * the millisecond on its own when scheduled (faults.c draw_s): the
	 * pending failure while up, its repair while down (with repair_exact);
	 * the pending agent disconnect's start. */
	double fail_s, disc_s;
};

struct faults {
	struct fault_inst *fi;
	size_t n, cap;
	int64_t next_fault_id;
	gsl_rng *agent_rng;        /* the heartbeat jitter of a failure's detection */
	gsl_rng *outage_rng;
	uint32_t ev_fail_detect, ev_repair, ev_replace, ev_ttf, ev_spot_notice, ev_spot_end;
	uint32_t ev_outage_start, ev_disconnect, ev_spot_poll;
	gsl_rng *poll_rng;         /* "fault/spot-poll": when the agent's poll finds a notice */
	/* per scenario AZ: a whole-AZ outage keeps it out until then (0: not
	 * out), and that outage's fault id (choice E201) */
	sim_time_t *az_out_until;
	int64_t *az_outage_id;
	double *outage_s;          /* per azOutages entry: the exact start of a stochastic one's pending outage, s */
};

static inline struct faults *faults_of(const struct backplane *bp)
{
	return bp_actor_state(bp, BA_FAULTS);
}

/* What the fault injector did to instance `inst` (all zero until then). */
struct fault_inst *fault_inst_at(struct backplane *bp, int32_t inst);

#endif
