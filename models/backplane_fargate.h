/* models/backplane_fargate.h — tasks that run on Fargate: no container
 * instance, an Availability Zone of the service's subnets, a provisioning
 * latency, the normal lifecycle, FARGATE_SPOT interruptions and the
 * per-task bill (docs/ecs-model.md §1.3, §4.11, §5.11, §5.13; the fields
 * are in scenarios/README.md, "Capacity" and "Cost").
 *
 * The backplane calls it at two points only: the placement decision of a
 * task whose launch type is Fargate (bp_fargate_launch instead of the
 * placement engine) and each message the backplane would send an agent
 * (fargate_send: Fargate plays the agent's part).  The rest is its own
 * events and its subscription to the backplane's notifications (an AZ
 * outage, the end of the run).
 */
#ifndef MODELS_BACKPLANE_FARGATE_H
#define MODELS_BACKPLANE_FARGATE_H

#include <stdint.h>

#include "models/bp_msg.h"

struct backplane;
struct scenario;
struct task;

/* The launch type a new task gets without a capacity provider strategy
 * (docs/ecs-model.md §1.9, §5.11): a service's launchType FARGATE, or a
 * task definition whose requiresCompatibilities lists FARGATE and not EC2,
 * runs on FARGATE; everything else on EC2.  enum task_launch (task.h). */
int fargate_launch_of(const struct scenario *s, int td, int svc);

/* bp_fargate_launch (declared in models/capacity/cp_route.h) is here: the
 * placement decision of task `t` on Fargate provider `provider` (0 =
 * FARGATE, 1 = FARGATE_SPOT): an AZ with room (docs/ecs-model.md §4.11),
 * the task is PROVISIONING for the drawn provisioning latency, then PENDING
 * → RUNNING.  0 when placed; -1 when every AZ is full or out (a placement
 * failure "CAPACITY_UNAVAILABLE" is recorded; the caller treats the task as
 * not placed, as for EC2).  The backplane calls it for a task routed to a
 * Fargate provider, and for a task whose launch type is FARGATE. */

/* A message the backplane sends about a Fargate task (start, stop). */
void fargate_send(struct backplane *bp, uint32_t slot, enum agent_msg m);

/* The Fargate task left: its AZ slot is free again, its bill is added to
 * the run's Fargate cost (called by bp_task_stopped). */
void fargate_task_gone(struct backplane *bp, uint32_t slot);

/* The trace event fargate_spot_interruption: interrupt the FARGATE_SPOT
 * task called `target`, or up to `count` RUNNING FARGATE_SPOT tasks of the
 * service called `target` (in slot order); a name that matches nothing has
 * no effect (as StopTask).  Returns 0. */
struct err;
int fargate_interrupt(struct backplane *bp, const char *target, int64_t count, struct err *e);

/* The run's FARGATE_SPOT interruptions so far (tests). */
int64_t fargate_interruptions(struct backplane *bp);

#endif
