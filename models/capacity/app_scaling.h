/* models/capacity/app_scaling.h — Application Auto Scaling of a service's
 * desired count (service auto scaling, docs/ecs-model.md §5.10).
 *
 * A scalable target (min/max capacity) with policies:
 *   target tracking on ECSServiceAverageCPUUtilization,
 *     ECSServiceAverageMemoryUtilization or ALBRequestCountPerTarget: the two
 *     CloudWatch alarms Application Auto Scaling creates — high: metric above
 *     the target on 3 consecutive datapoints (1 minute apart by default:
 *     the alarms count datapoints, docs/ecs-model.md choice E236); low:
 *     metric below 90 % of the target on 15 consecutive datapoints (both
 *     configurable) —
 *     and the new capacity ceil(current × metric / target);
 *   step scaling: one alarm (threshold, comparison, evaluation periods) and
 *     step adjustments relative to the threshold (ChangeInCapacity,
 *     PercentChangeInCapacity with MinAdjustmentMagnitude, ExactCapacity);
 *   scheduled actions: at a time (optionally every N seconds) set the min
 *     and/or max capacity; the desired count is then pulled inside them.
 * Cooldowns (default 300 s each; a step policy's one `cooldown` serves both
 * directions): no scale-in within scaleInCooldown of the last scale-in; a
 * scale-out is never held by a scale-in cooldown (and ends a step policy's);
 * within scaleOutCooldown of a scale-out, the capacity that scale-out added
 * counts toward the next one (the new capacity is computed from the capacity
 * before it, and acts only if it is larger than the current one), for a step
 * policy as for target tracking.
 * Several policies: scale out if any policy wants to (the largest capacity
 * wins); scale in only if every target-tracking policy with scale-in
 * enabled wants to (the largest of the proposals wins); DisableScaleIn
 * removes a policy from that vote.  No data (NaN): the policy does nothing
 * and its alarms' runs of datapoints restart.  min/max bound every result.
 * Scale-in suspended (SuspendedState.DynamicScalingInSuspended, which ECS
 * sets while a deployment of the service is in progress, docs/ecs-model.md
 * §5.5): a datapoint lowers nothing and starts no cooldown, the alarms'
 * runs go on, so a scale-in still due acts at the first datapoint after
 * the suspension ends; scale-out and scheduled actions are not affected.
 *
 * Pure state machine; the caller supplies each minute's metrics (averages
 * over the service's running tasks, as CloudWatch computes them) and applies
 * the new desired count (models/scaler.c does, in a run). */
#ifndef MODELS_CAPACITY_APP_SCALING_H
#define MODELS_CAPACITY_APP_SCALING_H

#include <stdint.h>

enum aas_metric { AAS_CPU, AAS_MEMORY, AAS_ALB_REQUESTS, AAS_N_METRICS };
enum aas_kind { AAS_TARGET_TRACKING, AAS_STEP };
enum aas_adjust { AAS_CHANGE, AAS_PERCENT, AAS_EXACT };
enum aas_cmp { AAS_GT, AAS_GE, AAS_LT, AAS_LE };

#define AAS_MAX_STEPS 20

struct aas_step {
	double lower, upper;     /* bounds on metric − threshold; ±INFINITY = open */
	double adjustment;
};

struct aas_policy {
	char *name;
	enum aas_kind kind;
	enum aas_metric metric;
	/* target tracking */
	double target;                  /* percent, or requests per target */
	char *label;                    /* ALBRequestCountPerTarget: resourceLabel as given, or NULL */
	int tg;                         /* ALBRequestCountPerTarget: the target group it reads
					 * (index into the scenario's targetGroups), -1 = none */
	int64_t out_cooldown_ms, in_cooldown_ms;   /* 300 s / 300 s */
	int disable_scale_in;
	int out_datapoints, in_datapoints;         /* 3 / 15 */
	double in_factor;                          /* 0.9 */
	/* step scaling */
	double threshold;
	enum aas_cmp cmp;
	int eval_periods;                          /* 1 */
	enum aas_adjust adjust;
	int min_magnitude;                         /* PercentChangeInCapacity only */
	int64_t cooldown_ms;                       /* 300 s */
	int n_steps;
	struct aas_step steps[AAS_MAX_STEPS];
};

struct aas_sched {
	char *name;
	int64_t at_ms, every_ms;                   /* every 0 = once */
	int min_cap, max_cap;                      /* -1 = unchanged */
};

struct aas_config {
	int min_cap, max_cap;
	int n_policies, n_sched;
	struct aas_policy *policies;   /* owned */
	struct aas_sched *sched;       /* owned, sorted by at_ms */
};

void aas_policy_default(struct aas_policy *p, enum aas_kind kind);
void aas_config_free(struct aas_config *c);   /* members only */
const char *aas_metric_name(enum aas_metric m);

struct aas_pstate {
	int high, low;                 /* target tracking: runs of breaching datapoints */
	int breach;                    /* step: run of breaching datapoints */
	int64_t last_out_ms, last_in_ms;   /* the policy's last scale-out / scale-in, -1 = never */
	int cap_before_out;                /* the capacity before the scale-out that
					    * started the scale-out cooldown */
};

struct aas_state {
	int min_cap, max_cap;          /* current bounds (scheduled actions change them) */
	int in_suspended;              /* dynamic scale-in suspended (the caller sets it) */
	int n;
	struct aas_pstate *ps;         /* owned, one per policy */
	int64_t *next_sched;           /* owned, next run of each scheduled action */
};

void aas_state_init(struct aas_state *s, const struct aas_config *c);
void aas_state_free(struct aas_state *s);

struct aas_decision {
	int policy;            /* deciding policy, -1 = scheduled action or bounds */
	double metric;         /* its metric value (NaN for scheduled actions) */
	int old_desired, new_desired;
	const char *reason;    /* static text */
};

/* One datapoint: `metrics` holds this minute's value of each metric (NaN =
 * no data).  Returns the new desired count, or -1 for no change (d is filled
 * in both cases). */
int aas_datapoint(const struct aas_config *c, struct aas_state *s, int64_t now,
		  const double *metrics, int current, struct aas_decision *d);

/* Apply the scheduled actions due at or before `now`; returns the new
 * desired count when the new bounds move it, else -1. */
int aas_scheduled(const struct aas_config *c, struct aas_state *s, int64_t now,
		  int current, struct aas_decision *d);
/* Time of the next scheduled action after the ones applied, INT64_MAX if none. */
int64_t aas_next_scheduled(const struct aas_config *c, const struct aas_state *s);

#endif
