/* models/capacity/managed_scaling.h — ECS managed scaling of an Auto Scaling
 * group capacity provider (cluster auto scaling, docs/ecs-model.md §5.12).
 *
 * Each minute ECS publishes CapacityProviderReservation = M / N × 100, where
 * N is the number of instances running in the group and M the number needed:
 * the instances that run at least one non-daemon task, plus an estimate of
 * the instances the PROVISIONING tasks need (a first-fit-decreasing binpack
 * of those tasks onto empty instances of the group's type, over CPU, memory,
 * ENIs, GPUs and static host ports of both protocols, on instances that
 * already hold the agent's reserved ports and the daemon tasks' ports; a
 * task that does not fit an empty instance is left out and causes no
 * scale-out).  N = 0: the value is 200
 * when M > 0 ("from zero, go to two instances"), else 100.
 *
 * The Auto Scaling group's target-tracking policy on that metric (target =
 * targetCapacity) then decides, one datapoint a minute:
 *   above target on scaleOutDatapoints (1) consecutive datapoints, and on
 *     each one after while it stays above → scale out, unless an instance is still
 *     within instanceWarmupPeriod of its launch; the step is the instances
 *     needed for M at the target (ceil(M × 100 / target)) minus the group's
 *     desired capacity, raised to minimumScalingStepSize and capped at
 *     maximumScalingStepSize; from zero the step is 2 (the same clamp),
 *     and only when M > 0 (N = 0, M = 0: no change whatever the target);
 *     nothing is asked while the desired capacity already covers the need
 *     (instances requested, not yet running: a warm-up of 0);
 *   below target on scaleInDatapoints (15) consecutive datapoints → scale in to
 *     ceil(M × 100 / target) (not below the group's minimum); with managed
 *     termination protection only instances running no non-daemon task may
 *     go; with managed draining they are drained first;
 *   a datapoint at or above target ends a run of low datapoints, one at or
 *     below it a run of high ones.
 * The group's minimum and maximum size bound every decision; ECS never
 * changes them.
 *
 * Pure state machine: the caller (models/cas.c, the managed-scaling actor
 * of a run) counts M, N and the warming instances and applies the
 * decision.  Tested by tests/test_capacity.c, in runs by
 * tests/test_cp_wire.c. */
#ifndef MODELS_CAPACITY_MANAGED_SCALING_H
#define MODELS_CAPACITY_MANAGED_SCALING_H

#include <stdint.h>

/* A static host port in the binpack: a TCP port as is, a UDP port plus
 * MS_PORT_UDP (the two protocols never clash). */
#define MS_PORT_UDP 65536

/* What one empty instance of the group offers the binpack: registered
 * resources minus what its daemon tasks reserve; `taken` are the host ports
 * an empty instance already holds (the agent's reserved ports, §2.1 / choice
 * D2, and its daemon tasks' static ports), MS_PORT_UDP-encoded. */
struct ms_type {
	int64_t cpu;            /* CPU units */
	int64_t mem_mib;
	int enis;               /* task ENIs (awsvpc), 0 = no awsvpc task fits */
	int gpus;
	int n_taken;
	const int *taken;       /* caller-owned, n_taken entries */
};

/* A group of `count` identical PROVISIONING tasks. */
struct ms_need {
	int64_t cpu, mem_mib;
	int enis;               /* 1 for an awsvpc task without trunking, else 0 */
	int gpus;
	int n_ports;            /* static host ports (bridge/host mode), TCP and UDP (MS_PORT_UDP) */
	const int *ports;       /* caller-owned, n_ports entries */
	int count;
};

/* Instances needed for the tasks of `needs` on empty instances of `t`; the
 * number of tasks left out because they do not fit even an empty instance
 * goes to *excluded (may be NULL). */
int ms_binpack(const struct ms_type *t, const struct ms_need *needs, int n_needs,
	       int *excluded);

/* CapacityProviderReservation in percent (M / N × 100; N = 0: 200 when
 * M > 0, else 100). */
double ms_reservation(int m, int n);

/* The datapoint under the older guide's formula: M / N × 100 when tasks
 * need more instances (M > N, or N = 0 with M > 0), else 100 minus the
 * number of empty instances (2 empty → 98). */
double ms_reservation_empty(int m, int n, int empty);

/* Instances still warming at `now`: launched less than warmup_ms ago.
 * launched_ms[i] < 0 counts as warming (requested, not yet launched). */
int ms_count_warming(const int64_t *launched_ms, int n, int64_t now, int64_t warmup_ms);

struct ms_params {
	int enabled;                 /* managedScaling.status ENABLED */
	int target;                  /* targetCapacity, 1..100 (default 100) */
	int min_step, max_step;      /* 1 / 10000 */
	int64_t warmup_ms;           /* instanceWarmupPeriod, default 300 s */
	int min_size, max_size;      /* the ASG's bounds */
	int termination_protection;  /* managed termination protection */
	int draining;                /* managed draining */
	int scale_in_datapoints;     /* managedScaling.scaleInDatapoints, 15 */
	int scale_out_datapoints;    /* managedScaling.scaleOutDatapoints, 1 */
	int empty_formula;           /* the older guide's scale-in value: 100 − empty instances */
};

void ms_params_default(struct ms_params *p);

struct ms_state {
	int low_streak;              /* consecutive datapoints below target */
	int high_streak;             /* consecutive datapoints above target */
	int64_t last_change_ms;      /* time of the last decision that changed desired, -1 */
};

void ms_state_init(struct ms_state *s);

struct ms_input {
	int m;          /* instances needed (busy; N + binpack of PROVISIONING while some wait) */
	int n;          /* instances running */
	int desired;    /* the ASG's desired capacity now (counts launching ones) */
	int warming;    /* instances within the warm-up period (ms_count_warming) */
	int empty;      /* running instances with no non-daemon task */
};

enum ms_action {
	MS_NONE,            /* at target, or managed scaling disabled */
	MS_SCALE_OUT,
	MS_SCALE_IN,
	MS_WAIT_WARMUP,     /* above target, but instances are warming */
	MS_WAIT_LOW,        /* below target, fewer than scale_in_datapoints so far */
	MS_WAIT_HIGH,       /* above target, fewer than scale_out_datapoints so far */
	MS_AT_LIMIT,        /* wanted a change the ASG bounds or protection forbid */
};

struct ms_decision {
	enum ms_action action;
	double reservation;      /* the datapoint, percent */
	int old_desired, new_desired;
	int low_streak;          /* after this datapoint */
	int drain_first;         /* scale-in: drain the chosen instances first */
	const char *reason;      /* static text for scaling.csv */
};

/* One datapoint at `now`. */
void ms_datapoint(const struct ms_params *p, struct ms_state *s, int64_t now,
		  const struct ms_input *in, struct ms_decision *d);

const char *ms_action_name(enum ms_action a);

/* Instances of the group as scale-in sees them. */
struct ms_instance {
	int id;
	int az;                  /* zone index */
	int64_t launched_ms;
	int nondaemon_tasks;     /* tasks other than daemon tasks (any state) */
};

/* Choose `count` instances to remove (ids into out[]), returns how many
 * could be chosen.  Managed termination protection: only instances with no
 * non-daemon task.  Otherwise empty instances first, then the rest.  Within
 * that: the zone with the most instances of the group first (Auto Scaling
 * keeps zones balanced), then the oldest launch, then the lowest id. */
int ms_pick_scale_in(const struct ms_params *p, const struct ms_instance *v, int n,
		     int count, int *out);

#endif
