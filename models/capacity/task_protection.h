/* models/capacity/task_protection.h — task scale-in protection
 * (UpdateTaskProtection, docs/ecs-model.md §5.14).
 *
 * A protected task is not stopped by a service auto scaling scale-in (nor by
 * a deployment) until its protection expires (expiresInMinutes 1..2880,
 * default 120).  Pure helpers over the caller's tasks; in a run,
 * models/scaler.c protects a service's tasks and the REPLICA scheduler
 * (models/service_replica.c) leaves protected tasks out of a scale-in. */
#ifndef MODELS_CAPACITY_TASK_PROTECTION_H
#define MODELS_CAPACITY_TASK_PROTECTION_H

#include <stdint.h>

#define TP_DEFAULT_MINUTES 120
#define TP_MAX_MINUTES 2880

/* When protection set at `now` for `minutes` ends (ms). */
int64_t tp_expiry_ms(int64_t now, int minutes);
/* Whether a task protected until `until` (-1 = never protected) is
 * protected at `now`. */
int tp_is_protected(int64_t until, int64_t now);
/* Choose up to `count` tasks a scale-in may stop, in the caller's order of
 * preference, skipping protected ones; their indexes go to out[].  Returns
 * how many were found (fewer than count when protection holds the rest). */
int tp_pick_stoppable(const int64_t *until, int n, int64_t now, int count, int *out);
/* Whether more tasks are protected than the desired count (the service can
 * then not reach a steady state: event "number of protected tasks are more
 * than the desired count"). */
int tp_blocks_steady_state(const int64_t *until, int n, int64_t now, int desired);

#endif
