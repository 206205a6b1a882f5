/* models/agent_health.h — failing container health checks
 * (docs/ecs-model.md §1.4, §5.2, §5.3, choices E110, E114, E115, E142, E143).
 *
 * A trace's `health_check_fail` row makes one essential container's
 * health-check command fail from now on, for `duration` or for good.  The
 * agent (on EC2; Fargate's on Fargate) then runs that container's checks
 * one by one, every `interval` from RUNNING (a hanging command's check
 * lasts `timeout` and the next one starts `interval` after its end,
 * choices E142, E143): a failing check counts toward
 * `retries` (not inside `startPeriod` before a check has passed), and at
 * `retries` consecutive failures the container is UNHEALTHY, and the task
 * with it: the service scheduler replaces it (bp_task_unhealthy).  A check
 * passing again makes it HEALTHY (bp_task_healthy: kept).
 *
 * Tasks without such a row are untouched: their health stays E110's one
 * computed instant (no event per check), and their steps test nothing
 * more than a service task's `hc_fault` byte (task.h) where the health is
 * decided.
 */
#ifndef MODELS_AGENT_HEALTH_H
#define MODELS_AGENT_HEALTH_H

#include <stdint.h>

#include "sim/err.h"
#include "sim/evq.h"

struct backplane;

/* The row: `target` a service (its `count` lowest-numbered RUNNING tasks
 * whose command passes) or a task id (count 1); `container` the
 * container's name ("" = the first essential container with a
 * healthCheck); `duration` ms, -1 = for good; `hang`: the command never
 * returns (each probe fails at its `timeout`, choice E142) rather than
 * exiting non-zero at once.  `each(bp, slot, ctx)` is
 * called for every task whose command now fails (a standalone task too:
 * its fault delays a HEALTHY dependency, choice E175, and nothing else,
 * choice E115), before its checks start.  0, or -1
 * with e filled (no file or line: the caller adds the row's) when the
 * target names nothing or a chosen task's definition has no such
 * container check; then nothing has changed. */
int agent_health_fault(struct backplane *bp, const char *target, const char *container,
		       int64_t count, sim_time_t duration, int hang,
		       void (*each)(struct backplane *bp, uint32_t slot, void *ctx), void *ctx,
		       struct err *e);

/* The container a row names in task definition `td` (the scenario's
 * index): its index, or -1 with e filled (column-less: the caller names
 * the column) when it does not exist, is not essential or has no
 * healthCheck, or ("" given) no essential container has one.  Shared with
 * `ecsim validate` (models/tracecheck.c). */
struct scenario;
int agent_health_container(const struct scenario *s, int td, const char *container, struct err *e);

/* (The agent's and Fargate's hooks, agent_health_running,
 * agent_health_passes and agent_health_start_plan, are in models/bp_msg.h; attach and free in
 * models/agent_int.h.) */

#endif
