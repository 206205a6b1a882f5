/* models/capacity/cp_route.h — which capacity provider a task goes to
 * (docs/ecs-model.md §5.11) and the one hook a FARGATE / FARGATE_SPOT task
 * takes.
 *
 * A task record carries its provider (task.h: `cp`, an index into the
 * scenario's capacity providers, -1 = none).  A service's tasks follow the
 * service's capacityProviderStrategy, else the cluster's default strategy;
 * a RunTask call (a trace row, a generator's arrival) follows the default
 * strategy; with neither the task is a launch-type task placed on any
 * instance, as before.  The split is cps_choose over the counts of the
 * group (per service: its primary deployment's live tasks per provider; per
 * RunTask call: the tasks of that call), base first; a service's scale-in
 * takes from the provider cps_choose_remove names.
 *
 * A task routed to an Auto Scaling group provider is placed only on that
 * provider's instances (they carry the attribute CP_ATTR = the provider's
 * name).  A task routed to FARGATE or FARGATE_SPOT is handed, after the
 * placement latency, to bp_fargate_launch instead of the placement engine. */
#ifndef MODELS_CAPACITY_CP_ROUTE_H
#define MODELS_CAPACITY_CP_ROUTE_H

#include <stdint.h>

#include "models/capacity/cp_strategy.h"

struct backplane;
struct scenario;
struct task;

/* The attribute an Auto Scaling group provider's instances carry (value:
 * the provider's name), which a routed task's placement requires. */
#define CP_ATTR "ecsim.capacity-provider"

/* The strategy the tasks of service `svc` (-1: a RunTask call) follow: the
 * service's own, else the cluster default unless the service gives a
 * launchType; NULL = none (a DAEMON service always: it places by launch
 * type). */
const struct cp_strategy *cp_strategy_for(const struct scenario *s, int svc);

/* The provider (index into the scenario's) the next task of a group takes,
 * given counts[i] tasks of the group on s->items[i]; the caller adds one to
 * the chosen item's count.  -1 when no item can take it. */
int cp_route_next(const struct cp_strategy *s, const int *counts, int *item);

/* The provider's name ("" for -1). */
const char *cp_name(const struct scenario *s, int provider);
/* 1 when the provider is FARGATE or FARGATE_SPOT. */
int cp_is_fargate(const struct scenario *s, int provider);
/* 1 when the provider is an Auto Scaling group with managed scaling on:
 * a task that finds no room waits PROVISIONING instead of failing
 * (docs/ecs-model.md §4.9). */
int cp_waits(const struct scenario *s, int provider);

/* The Fargate launch (models/backplane_fargate.c): called by the
 * backplane after the placement latency for a task routed to FARGATE or
 * FARGATE_SPOT, in place of the placement engine.  0: the task is launched
 * (it leaves the backplane's queue of unplaced tasks); -1: no Fargate
 * capacity now (handled as a failed placement). */
int bp_fargate_launch(struct backplane *bp, struct task *t, int provider);
/* Where the tasks of service `svc` (definition `td`) run
 * (models/backplane_fargate.c): bit 1 on instances (its launch type, or an
 * Auto Scaling group provider in its strategy), bit 2 on Fargate. */
int bp_svc_runs_on(struct backplane *bp, int svc, int td);
/* 1 when a Fargate task of service `svc` could start in the scenario's AZ
 * `az` now: one of the service's subnet zones, not out, below the
 * per-zone task limit (docs/ecs-model.md §4.11, §5.9). */
int bp_fargate_zone_open(struct backplane *bp, int svc, int az);

#endif
