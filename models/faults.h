/* models/faults.h — the fault injector's entry points for the workload
 * (trace rows): instance failures, Spot interruptions, AZ outages and a
 * forced deregistration (docs/ecs-model.md §2.4, §5.13, §8).  Its own
 * stochastic faults it starts itself when the backplane starts; it acts
 * through backplane.h only (its state: faults_int.h). */
#ifndef MODELS_FAULTS_H
#define MODELS_FAULTS_H

#include <stdint.h>

#include "sim/evq.h"

struct backplane;

/* The instance fails now: repair ≥ 0 brings it back after that long, -1 =
 * gone (replaced by Auto Scaling when its group says so).  `terminated`
 * (by EC2): ECS learns at once when its agent is connected (the instance
 * is deregistered), else after the heartbeat timeout.  Returns the fault
 * id, -1 when the instance is already down or INACTIVE. */
int64_t fault_instance_fail(struct backplane *bp, int32_t inst, sim_time_t repair,
			    int terminated, const char *code, const char *kind, int64_t fault_id);
void fault_spot_notice(struct backplane *bp, int32_t inst);
/* Auto Scaling terminates the instance (a managed-scaling scale-in): as
 * any termination by EC2, ECS deregisters it at once when its agent is
 * connected, else it stays registered, ACTIVE with its agent disconnected
 * (docs/ecs-model.md §2.4, choice E163); its tasks stop with
 * TerminationNotice, billing stops; no failures.csv row. */
void fault_instance_terminate(struct backplane *bp, int32_t inst);
/* A new fault id (failures.csv) for a fault of another actor (a Fargate
 * Spot interruption). */
int64_t fault_new_id(struct backplane *bp);
/* DeregisterContainerInstance with force (docs/ecs-model.md §2.4): its tasks stop
 * (UserInitiated), it becomes INACTIVE; no replacement. */
void fault_deregister(struct backplane *bp, int32_t inst);
void fault_az_outage(struct backplane *bp, const char *az, sim_time_t duration, double fraction);
/* Whether a whole-AZ outage keeps the scenario's AZ `az` (its index in
 * the scenario's availabilityZones) out now (choice E201; a partial
 * outage does not). */
int fault_az_out(struct backplane *bp, int az);
/* The agent stops talking to the backplane for `duration` (-1: for good). */
void fault_agent_disconnect(struct backplane *bp, int32_t inst, sim_time_t duration);

#endif
