/* models/evlog.h — the service events log (service_events.csv,
 * docs/ecs-model.md §5.2 and choices E171–E174): the rows ECS shows as a
 * service's events (DescribeServices `events`, the console's Events tab),
 * with ECS's repetition rule.  metrics owns it (it opens the file); the
 * service scheduler (models/service_events.c) and the placement failures
 * (metrics_on_failure) write to it.
 *
 * Repetition (choice E172): a message equal to the last one written for the
 * service with the same event type less than the repetition window
 * (`controlPlane.serviceEventRepeatSeconds`, ECS's 6 hours) before is not written
 * again; a steady-state row clears the service's memory of the other types
 * (their cause has changed), and evlog_forget clears one type.  A
 * deployment's rows (in progress, completed, failed, rollback) are written
 * each time: each is a change of its own.
 * TASKS_STARTED / TASKS_STOPPED rows gather the service's tasks launched or
 * stopped at one instant into one message (choice E173), written after the
 * service's other rows of that instant and before any later row.  AZ
 * rebalancing's own tasks and its task's placement failure are written in
 * the rebalancing's words, naming the zone (choice E199). */
#ifndef MODELS_EVLOG_H
#define MODELS_EVLOG_H

#include <stdint.h>

#include "sim/csvout.h"

struct evlog;

/* The event types (the eventType/eventName ECS gives, scenarios/README.md). */
enum evlog_type {
	EV_STEADY, EV_TASKS_STARTED, EV_TASKS_STOPPED, EV_PLACEMENT_FAILURE, EV_START_IMPAIRED,
	EV_OPERATION_THROTTLED, EV_DEPLOYMENT_BLOCKED, EV_DEPLOYMENT_IN_PROGRESS, EV_DEPLOYMENT_COMPLETED,
	EV_DEPLOYMENT_FAILED, EV_REBALANCING_STARTED, EV_REBALANCING_COMPLETED,
	EV_PROTECTED_OVER_DESIRED, EV_DAEMON_CONSTRAINT_VIOLATED, EV_N
};

/* A log writing to `out` (not owned; NULL: nothing is written, calls are
 * no-ops), with the repetition window `repeat_ms` (> 0). */
struct evlog *evlog_new(struct csvout *out, int64_t repeat_ms);
/* Writes the gathered task rows, then frees the log (NULL no-op). */
void evlog_free(struct evlog *l);
/* The row's event type name (e.g. "SERVICE_STEADY_STATE"). */
const char *evlog_type_name(enum evlog_type t);

/* A row of `service` at `now` (ms), subject to the repetition rule; 1 when
 * written. */
int evlog_event(struct evlog *l, int64_t now, const char *service, enum evlog_type type, const char *msg);
/* The service's memory of `type` is cleared: its next such row is written. */
void evlog_forget(struct evlog *l, const char *service, enum evlog_type type);
/* Whether the service's memory holds a row of `type` (not forgotten). */
int evlog_remembers(struct evlog *l, const char *service, enum evlog_type type);
/* A task of the service was launched (stopped = 0) or stopped by its
 * scheduler (1) at `now`: gathered into that instant's row. */
void evlog_task(struct evlog *l, int64_t now, const char *service, int stopped, const char *task_id);
/* A task of the service started (stopped = 0) or stopped (1) by AZ
 * rebalancing in zone `az` at `now`: gathered into that instant's row of the
 * rebalancing's words (docs/ecs-model.md §5.9, choice E199).  A started one
 * is moved from what evlog_task gathered at `now` (nothing when it is not
 * there: a second call does nothing). */
void evlog_task_rebalance(struct evlog *l, int64_t now, const char *service, int stopped, const char *task_id,
			  const char *az);
/* An AZ-rebalancing task of the service, pinned to `az`, has its placement
 * decision at `at`: a placement failure of the service at that instant gets
 * the rebalancing's words. */
void evlog_rebalance_placing(struct evlog *l, const char *service, int64_t at, const char *az);
/* Writes the gathered task rows now. */
void evlog_flush(struct evlog *l);
/* A placement failure of a task of `service` ("" none: no row) with
 * placement_failures.csv's `reason`: its SERVICE_TASK_PLACEMENT_FAILURE row
 * (ECS_OPERATION_THROTTLED for THROTTLED).  `closest`: the id of the
 * closest instance (choice A4), which the message names, or NULL (none is
 * ACTIVE, or a Fargate launch). */
void evlog_placement_failure(struct evlog *l, int64_t now, const char *service, const char *reason,
			     const char *closest);
/* 1 when service_events.csv is being written (the rows are asked for). */
int evlog_writing(const struct evlog *l);
/* The last message of `type` for the service written again when it was
 * written the repetition window or more before `now` (a cause that lasts:
 * choice E181); nothing when none is remembered or it is more recent. */
void evlog_repeat(struct evlog *l, int64_t now, const char *service, enum evlog_type type);
/* A flag word of the service's own (the scheduler's memory between calls,
 * e.g. whether a rebalancing was in progress); 0 at first. */
unsigned *evlog_flags(struct evlog *l, const char *service);

#endif
