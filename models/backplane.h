/* models/backplane.h — the ECS control plane as this build models it: the
 * cluster state, the API calls the workload makes (RunTask, StopTask,
 * RegisterContainerInstance) and the queue of tasks waiting for capacity.
 * It asks the placement engine where a task goes and reports everything to
 * metrics.  Workload comes from trace files (streamed, one row ahead) and
 * from generators (one pending arrival each), so memory follows live state.
 *
 * Events it registers with the engine: trace row, generator arrival, task
 * end, pending retry, pending timeout, metrics sample.
 */
#ifndef MODELS_BACKPLANE_H
#define MODELS_BACKPLANE_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/metrics.h"
#include "models/scenario.h"
#include "sim/err.h"
#include "sim/rng.h"
#include "sim/sim.h"

struct backplane;
struct place_policy;
struct task;

/* Borrowed: s, sim, rng, m (they outlive the backplane). */
struct backplane *backplane_new(struct scenario *s, struct sim *sim, struct rng_reg *rng,
				struct metrics *m);
void backplane_free(struct backplane *bp);     /* NULL is a no-op */

/* Register the scenario's instance groups, open the traces, start the
 * generators and the metrics clock.  -1 with e filled on bad input. */
int backplane_start(struct backplane *bp, struct err *e);

/* An input error met while running (a bad trace row, an unknown task
 * definition): the backplane stops the engine and keeps the error here.
 * Returns NULL when there was none. */
const struct err *backplane_error(const struct backplane *bp);

/* End of the run at `end`: record the tasks still present and the
 * services' summaries. */
void backplane_finish(struct backplane *bp, sim_time_t end);

struct cluster *backplane_cluster(struct backplane *bp);

/* Explain the placement attempts of the tasks the log names (--explain);
 * x is borrowed, NULL = off. */
struct explain_log;
void backplane_set_explain(struct backplane *bp, struct explain_log *x);

/* The run's output folder (outputs of actors such as the load balancer:
 * requests.csv, targets.csv, lb_summary.csv); borrowed, NULL = none. */
void backplane_set_out_dir(struct backplane *bp, const char *dir);
const char *backplane_out_dir(const struct backplane *bp);
/* scaling.csv (models/capacity/scaling_csv.h), shared by the actors that
 * scale (service auto scaling, managed scaling): opened by the first call
 * of bp_scaling_open (an actor that will write calls it when it attaches),
 * closed at the run's end; absent when nobody opened it. */
struct scl_row;
void bp_scaling_open(struct backplane *bp);
void bp_scaling_write(struct backplane *bp, const struct scl_row *r);
struct scenario *backplane_scenario(struct backplane *bp);
struct sim *backplane_sim(struct backplane *bp);
struct metrics *backplane_metrics(struct backplane *bp);
struct rng_reg *backplane_rng(struct backplane *bp);
/* The placement tie-break stream (a trial placement draws from it as a
 * real one does). */
gsl_rng *backplane_place_rng(struct backplane *bp);
/* The task in `slot` (task.h), live until its STOPPED notification. */
struct task *bp_task_at(struct backplane *bp, uint32_t slot);
/* The AZ of a placed task: its instance's, or for a Fargate task the one
 * Fargate chose (models/backplane_fargate.c); NULL when it has none yet. */
const char *bp_task_az(struct backplane *bp, const struct task *t);
/* The same as an index: the scenario's index of the task's AZ (its
 * instance's, bp_instance_az, or Fargate's choice), the scenario's
 * n_azs for an AZ that is none of the scenario's, -1 when it has none
 * yet.  O(1): no string compared. */
int bp_task_az_index(const struct backplane *bp, const struct task *t);
/* The scenario's index of instance `inst`'s AZ, found once as it
 * registered; the scenario's n_azs when it is none of them. */
int bp_instance_az(const struct backplane *bp, int32_t inst);

/* ---- the calls the service scheduler makes ------------------------------ */

/* Launch one task (RunTask / StartTask for a service: svc, dep, its
 * deployment's placement policy; -1, 0, NULL for a standalone task): it is
 * placed after the placement latency.  Returns its slot. */
uint32_t bp_new_task(struct backplane *bp, int td, uint32_t group, const char *id,
		     sim_time_t duration, int svc, int dep, const struct place_policy *pol);
/* The task just launched must go to instance `inst` (a DAEMON task,
 * docs/ecs-model.md §4.10; -1: any) or to AZ `az` (AZ rebalancing,
 * docs/ecs-model.md §5.9; NULL: any). */
void bp_pin_task(struct backplane *bp, uint32_t slot, int32_t inst, const char *az);
/* A DAEMON task of service `svc` (task definition td, group) that the
 * scheduler's pass found no room for on its instance `inst`, with `reason`
 * (docs/ecs-model.md §4.10, §4.9): reported as a launched task's failed
 * placement is, a launch that made no task (choice A3) with a task number
 * of its own, a row of placement_failures.csv (one instance considered)
 * and, when `event` (the pass's first such failure), the service's
 * placement-failure event naming the instance. */
void bp_daemon_place_failed(struct backplane *bp, int td, uint32_t group, int svc, int32_t inst,
			    const char *reason, int event);
/* The task just launched goes to capacity provider `provider` (an index
 * of the scenario's, docs/ecs-model.md §5.11; -1: none). */
void bp_route_task(struct backplane *bp, uint32_t slot, int provider);
/* StopTask as the backplane does it (desired STOPPED, tell the agent; D9:
 * no effect on a task already stopping). */
void bp_stop_task(struct backplane *bp, uint32_t slot, const char *code);

/* ---- the API calls a user makes (the trace's rows, models/trace_events.c) */

/* RunTask: `count` tasks of task definition `td` (an index of the
 * scenario's), task group `group` ("" or NULL: family:<family>), named `id`
 * (NULL or "": generated).  -1 with e filled when the id is in use. */
int backplane_run_task(struct backplane *bp, int td, const char *group, const char *id,
		       int64_t count, sim_time_t duration, struct err *e);
/* The same call with its own capacity provider strategy `own` (NULL:
 * none given) or launch type `launch` (TL_EC2 / TL_FARGATE; -1: none
 * given), never both (docs/ecs-model.md §5.11): with neither the cluster's
 * default strategy applies, else the task definition's launch type.  The
 * call's tasks split over its strategy on their own, base first.  -1 with
 * e filled also when the task definition does not list the launch type. */
struct cp_strategy;
int backplane_run_task_as(struct backplane *bp, int td, const char *group, const char *id,
			  int64_t count, sim_time_t duration, const struct cp_strategy *own,
			  int launch, struct err *e);
/* A RunTask of one task with no id, strategy or launch type of its own
 * (backplane_run_task_as(bp, td, group, NULL, 1, duration, NULL, -1, e)),
 * prepared: what the call resolves from td and group, which is the same for
 * every such call, in one nonzero word.  Call it only after such a call
 * returned 0 (its checks of td and group passed then).
 * backplane_run_prepared then makes the same call for a duration: the same
 * task, the same error (-1, e filled) when too many tasks wait. */
uint64_t backplane_run_prepare(struct backplane *bp, int td, const char *group);
int backplane_run_prepared(struct backplane *bp, int td, uint64_t call, sim_time_t duration,
			   struct err *e);
/* StopTask by id: takes effect after the API latency (an unknown id then
 * does nothing). */
void backplane_stop_task(struct backplane *bp, const char *task_id);
/* The live task with id `id` (its own, or "task-<no>" for an anonymous
 * one): 1 with *slot set, else 0. */
int backplane_find_task(struct backplane *bp, const char *id, uint32_t *slot);
/* The number of slots of the task table (bp_task_at for slots below it;
 * a slot holds a live task when its `used` is set). */
size_t bp_task_slots(const struct backplane *bp);

/* The slots that may hold the tasks on instance inst: every task placed
 * there whose slot is still used is among them, in slot order; a slot
 * among them may since hold nothing or a task elsewhere (check used,
 * queued and inst).  Valid until the next call (backplane_inst.c). */
const uint32_t *bp_inst_slots(struct backplane *bp, int32_t inst, size_t *n);
/* RegisterContainerInstance of `type` in `az` (g: its scenario group, or
 * NULL).  Returns its index, or -1 (nothing registered) when the run has
 * registered limits.maxInstances instances already (choice E30). */
int32_t bp_register_instance(struct backplane *bp, const struct catalog_type *type,
			     const char *az, const struct scn_group *g);
/* An instance of the Auto Scaling group of capacity provider `provider`
 * (its type, in `az`) registers; it carries the provider's attribute
 * (models/capacity/cp_route.h).  Returns its index, or -1 past
 * limits.maxInstances (as bp_register_instance). */
int32_t bp_register_cp_instance(struct backplane *bp, int provider, const char *az);
/* The capacity provider instance `inst` belongs to, -1 when none. */
int bp_instance_cp(const struct backplane *bp, int32_t inst);
/* Non-daemon tasks placed on instance `inst` (any state; docs/ecs-model.md
 * §5.12). O(1): kept by placements and retirements. */
int64_t bp_nondaemon_count(const struct backplane *bp, int32_t inst);
/* Keep those counts from now (before any task: managed scaling's attach;
 * a run without it keeps none, at no cost to a placement). */
void bp_count_nondaemon(struct backplane *bp);
/* The tasks waiting for capacity of provider `provider` (desired RUNNING,
 * their placement found no room: not those still inside the placement
 * latency): fn(ctx, t) for each, in slot order. */
void bp_each_waiting(struct backplane *bp, int provider,
		     void (*fn)(void *ctx, const struct task *t), void *ctx);
/* Index of the instance called `id`, -1 when none. */
int32_t bp_find_instance(struct backplane *bp, const char *id);
/* Index of the scenario's service called `name`, -1 when none. */
int backplane_find_service(const struct backplane *bp, const char *name);
/* UpdateService: desired count; a new deployment of task definition td. */
void backplane_set_desired(struct backplane *bp, int svc, int64_t desired);
void backplane_deploy(struct backplane *bp, int svc, int td);
/* DeleteService. */
void backplane_delete_service(struct backplane *bp, int svc);
/* When DeleteService was first called for service svc, -1 when never: the
 * service is not ACTIVE from then on, and an UpdateService fails
 * (ServiceNotActiveException, docs/ecs-model.md choice E238). */
sim_time_t backplane_service_deleted_at(const struct backplane *bp, int svc);
/* UpdateContainerInstancesState → ACTIVE: a DRAINING instance takes tasks
 * again (docs/ecs-model.md §2.3); no effect on another status. */
void backplane_activate(struct backplane *bp, int32_t inst);

/* Fargate Spot reclaims capacity now (the trace event
 * fargate_spot_interruption; models/backplane_fargate.c): the FARGATE_SPOT
 * task called `target`, or up to `count` RUNNING FARGATE_SPOT tasks of the
 * service called `target` (in slot order), get the warning and SIGTERM
 * (docs/ecs-model.md §5.13); a name that matches nothing has no effect (as
 * StopTask). */
void backplane_fargate_interrupt(struct backplane *bp, const char *target, int64_t count);
/* The run's FARGATE_SPOT interruptions so far. */
int64_t backplane_fargate_interruptions(struct backplane *bp);

/* UpdateTaskProtection: the task in `slot` is protected from a service's
 * scale-in until `until` (ms; docs/ecs-model.md §5.14). */
void backplane_protect_task(struct backplane *bp, uint32_t slot, sim_time_t until);
/* The latest `until` given to backplane_protect_task so far (0: none): no
 * task is protected at or after it. */
sim_time_t backplane_protect_max(const struct backplane *bp);

/* ---- the instances themselves (EC2, their agents; the fault injector) ---- */

/* The scenario group instance `inst` was launched from, -1 when the trace
 * registered it; the timing settings its agent and ENIs follow (the
 * group's own, else the scenario's). */
int bp_instance_group(const struct backplane *bp, int32_t inst);
const struct scn_timing *bp_instance_timing(const struct backplane *bp, int32_t inst);
/* Tasks placed on the instance (ListTasks --container-instance): adds
 * their number to *all, and of those of a service to *svc. */
void backplane_instance_tasks(struct backplane *bp, int32_t inst, int64_t *all, int64_t *svc);
/* The instance stops (hardware failure, termination, an AZ outage, a
 * forced deregistration): its agent and its tasks stop with it, at once.
 * The backplane notices after the heartbeat timeout (backplane_instance_lost)
 * or, when EC2 `terminated` it and its agent was connected, at once: it
 * publishes BN_INSTANCE_TERMINATED. */
void backplane_instance_down(struct backplane *bp, int32_t inst, int terminated);
/* DeregisterContainerInstance with force (docs/ecs-model.md §2.4): the
 * instance leaves the cluster, but EC2 does not terminate it (it stays
 * billed) and its tasks run on, orphaned: its agent no longer reaches the
 * backplane, and the load balancer deregisters the tasks' targets, which
 * drain (§6.3).  Publishes BN_INSTANCE_DEREGISTERED; the caller then has
 * the backplane mark the tasks STOPPED (backplane_instance_lost, gone). */
void backplane_instance_deregistered(struct backplane *bp, int32_t inst);
/* The instance is back (rebooted, its AZ restored): empty, its agent
 * connected again. */
void backplane_instance_up(struct backplane *bp, int32_t inst);
/* The backplane learns that the instance, down since `failed_at`, is lost
 * (its agent's silence after the heartbeat timeout, or at once when it was
 * terminated or deregistered): its tasks are STOPPED with `code` (a task
 * already stopping keeps its own), their resources vanish, each service
 * hears how many running tasks it lost to fault `fault_id` (when > 0);
 * then the instance is INACTIVE (`gone`) or its agent disconnected. */
void backplane_instance_lost(struct backplane *bp, int32_t inst, const char *code, int gone,
			     int64_t fault_id, sim_time_t failed_at);
/* The instance's agent stops talking to the backplane for `duration`
 * (-1: for good); the backplane notices after the heartbeat timeout. */
void backplane_agent_silent(struct backplane *bp, int32_t inst, sim_time_t duration);
/* A Spot interruption notice reaches the instance (its agent drains it
 * when Spot draining is on, docs/ecs-model.md §5.13). */
void backplane_spot_notice(struct backplane *bp, int32_t inst);

/* UpdateContainerInstancesState → DRAINING (only from ACTIVE, docs/ecs-model.md §2.3): no new
 * placements; service tasks are replaced within the deployment limits,
 * standalone tasks keep running (docs/ecs-model.md §5.15).  -1 when the id is unknown. */
int backplane_drain(struct backplane *bp, const char *instance_id, struct err *e);
/* The same for instance number inst (known to the caller: no look-up by id). */
void backplane_drain_inst(struct backplane *bp, int32_t inst);

#endif
