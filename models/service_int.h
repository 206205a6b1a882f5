/* models/service_int.h — the service scheduler's own state (service.c,
 * service_replica.c, service_daemon.c, service_bg.c, service_alarms.c; and
 * the tests' whole-run checks).
 * It learns of tasks and instances from the backplane's notifications
 * (bp_msg.h) and acts through the backplane's calls.
 */
#ifndef MODELS_SERVICE_INT_H
#define MODELS_SERVICE_INT_H

#include <gsl/gsl_rng.h>
#include <gsl/gsl_rstat.h>

#include "models/backplane.h"
#include "models/bp_msg.h"
#include "models/cluster.h"
#include "models/placement/placement.h"
#include "models/task.h"
#include "sim/quant.h"

/* A minute of simulated time (ms): the unit of the deployment strategies' bake
 * times and of CloudWatch's datapoints (docs/ecs-model.md §5.6, §5.7). */
#define MINUTE_MS 60000

struct deployment {
	int td;
	struct place_policy *policy;  /* its own allocation: tasks in flight point at it */
	int status;                /* DEP_PRIMARY, DEP_ACTIVE, DEP_INACTIVE */
	int rollout;               /* ROLL_IN_PROGRESS, ROLL_COMPLETED, ROLL_FAILED,
				    * ROLL_STOPPED (its service deleted, choice E239) */
	int failed_tasks;          /* circuit breaker count (docs/ecs-model.md §5.6) */
	int consecutive_failures;  /* its tasks' start failures in a row (the
				    * throttle, docs/ecs-model.md §5.4, choice E117) */
	sim_time_t throttle_until; /* its launches wait until then */
	int throttle_steps;        /* launch attempts that set the throttle since the
				    * last reset: its wait's doubling (choice E226) */
	sim_time_t throttle_batch; /* the launch instant of the last of them */
	int ran;                   /* one of its tasks has reached RUNNING: its
				    * alarms can fail it (docs/ecs-model.md §5.6) */
	int rolled_back;           /* a rollback's deployment: no alarms, no
				    * bake time (choices E137, E150) */
	int back_to;               /* a rollback's deployment: the index + 1 of
				    * the deployment whose revision it restores
				    * (its event's reason, choice E171); 0 = none */
	int by_alarm;              /* ... made because alarms failed the last one */
	int adopted;               /* a rollback's deployment took its tasks
				    * over (choice E150): no rollback's target
				    * again, as the one of its revision that
				    * continues it is */
	sim_time_t bake_until;     /* a rolling deployment with alarms: the end of
				    * its bake time, 0 = not baking (choice E137) */
	int64_t want;              /* an older deployment's target: its tasks the
				    * rollout has not yet replaced; a task lost by
				    * failure leaves it as it is, so the pass starts
				    * one of this revision again (docs/ecs-model.md
				    * §5.3, choice E8).  0 for the primary */
};

enum { DEP_PRIMARY, DEP_ACTIVE, DEP_INACTIVE };

/* A blue/green, linear or canary deployment in progress (docs/ecs-model.md
 * §5.7): the stage it is in.  BG_NONE: none (a ROLLING service, or no
 * deployment in progress); BG_CLEANUP: CLEAN_UP waiting for blue's tasks
 * under scale-in protection (§5.14, choice E140). */
enum { BG_NONE, BG_SCALE_UP, BG_SHIFT, BG_BAKE, BG_FAILED, BG_CLEANUP };

struct bluegreen {
	int stage;
	int green, blue;           /* deployments: the new revision, and the one in
				    * production when the deployment began */
	int w;                     /* production traffic to green, tenths of a percent */
	int steps;                 /* production shifts made */
	sim_time_t next;           /* the next timed step (shift or clean-up), -1 none */
	int baked;                 /* BG_BAKE: the bake time is over, CLEAN_UP waits
				    * for green to be steady (choice E183) */
	int green_no_room;         /* the last launch of green's found no capacity
				    * (placement_failures.csv, or throttled, E119),
				    * none launched since (choice E194) */
};
enum { ROLL_IN_PROGRESS, ROLL_COMPLETED, ROLL_FAILED, ROLL_STOPPED };

/* One class of a service's launches (Fargate; EC2/External) in the
 * launch-rate window (docs/ecs-model.md §7.5, choice E113): the launch
 * times of the last window, oldest first, as (time, count) pairs in a ring. */
struct launch_win {
	sim_time_t *at;
	int64_t *n;
	size_t head, len, cap;
	int64_t sum;               /* launches in the window */
};

enum { LC_EC2, LC_FARGATE, LC_N };   /* launch classes: EC2/External, Fargate */

/* An UpdateService / DeleteService call made after CreateService but
 * before the creation took effect (apiLatencySeconds): it acts right
 * after it (svc_early). */
struct svc_call {
	int kind;                  /* BN_SERVICE_DESIRED, BN_SERVICE_DEPLOY, BN_SERVICE_DELETE */
	int64_t arg;               /* the desired count, or the task definition */
};

struct svc {
	const struct scn_service *cfg;
	int active;                /* created and not deleted */
	int created;               /* CreateService has taken effect */
	struct svc_call *early;    /* the calls waiting for that, in call order */
	size_t n_early, cap_early;
	int64_t desired;
	uint32_t group;
	struct deployment *deps;
	int n_deps, cap_deps;
	int primary;
	int rollout_told;          /* in progress, as last published (BN_SERVICE_ROLLOUT) */
	int alarm_dep;             /* the deployment its alarms are evaluated for, -1
				    * none (docs/ecs-model.md §5.6, service_alarms.c) */
	struct bluegreen bg;       /* its blue/green deployment (docs/ecs-model.md §5.7) */
	uint32_t *tasks;           /* slots of its tasks not yet retired */
	int n_tasks, cap_tasks;
	/* of those, the live ones (svc_live), and of these the healthy and
	 * the unhealthy ones (never both: bp_task_healthy and
	 * bp_task_unhealthy clear the other): kept by svc_list_add, list_del
	 * and the notes that change them (svc_live_note), read by the passes
	 * instead of a count over the list where they tell it all */
	int64_t n_live, live_healthy, live_unhealthy;
	/* of the listed tasks not live, those its scheduler stopped while
	 * their instance was DRAINING (svc_stop): until they have stopped
	 * they count toward maximumPercent (docs/ecs-model.md §5.15, choice
	 * E237); kept by svc_stop and list_del */
	int64_t drain_stopping;
	int reconcile_scheduled;
	sim_time_t reconcile_at;   /* when the scheduled pass is due (reconcile_scheduled) */
	int wants_capacity;
	int rebalancing;           /* an AZ-rebalancing task is in flight (docs/ecs-model.md §5.9) */
	int dynamic;               /* a DAEMON whose primary's constraints read other
				    * tasks (runningTasksCount, task:group): other
				    * services' task changes give it a pass (§4.10) */
	int deleting;              /* DeleteService: DRAINING until its tasks are gone */
	sim_time_t throttle_wake;  /* when the pass a deployment's throttle
				    * held back is due (docs/ecs-model.md §5.4),
				    * -1 = none */
	struct launch_win rate[LC_N];   /* the launch-rate quota (docs/ecs-model.md §7.5) */
	sim_time_t rate_wake;      /* when the pass the quota held back is due, -1 = none */
	gsl_rng *runtime_rng;
	gsl_rng *scale_in_rng;     /* scale-in's last tie-break (docs/ecs-model.md
				    * §4.5), made at its first draw: NULL until then */
	/* availability accounting */
	int64_t running, pending, healthy;
	sim_time_t t_last, t_created;
	double avail_acc, full_acc;   /* ∫ min(running/desired,1) dt, ∫ [running>=desired] dt */
	/* the physical view (service_summary.csv availability_physical_pct,
	 * docs/ecs-model.md choice E205, models/service_avail.c): `ghost` of
	 * the running tasks are on hosts that failed (BN_INSTANCE_DOWN), not
	 * yet noticed; down[] counts them per instance */
	int64_t ghost;
	double phys_acc;              /* ∫ min((running-ghost)/desired,1) dt */
	struct svc_down { int32_t inst; int64_t n; } *down;
	int n_down, cap_down;
	int reached_desired;
	int64_t min_running;
	int64_t started, failed_to_start;
	sim_time_t *losses;        /* FIFO of times tasks were lost, awaiting replacement */
	size_t loss_head, n_losses, cap_losses;
	gsl_rstat_workspace *replace;
	struct quant replace_p99;
	/* faults awaiting recovery: the service back at its desired count */
	struct recovery *recs;
	int n_recs, cap_recs;
};

struct recovery {
	int64_t fault_id;
	sim_time_t at;
	int64_t lost;
};

/* A CloudWatch metric alarm as evaluated (docs/ecs-model.md §5.6, choices
 * E135–E139; models/service_alarms.c). */
enum { AL_INSUFFICIENT, AL_OK, AL_ALARM };

struct alarm_rt {
	const struct scn_alarm *cfg;
	int users;                 /* services whose deployment has it evaluated */
	uint64_t gen;              /* its pending minute tick is current when equal */
	int state;
	int minute;                /* minutes of the current period sampled */
	double g_sum, g_min, g_max;   /* a gauge's samples this period */
	int g_n;
	double c0, c1;             /* a count's running totals at the period's start */
	double *dp;                /* the last N datapoints, NaN = missing */
	int n_dp, head;
	gsl_rng *rng;              /* utilisation draws (its own stream) */
};

/* The scheduler: its services (one per scenario service, once the
 * backplane starts) and its event types. */
struct sched {
	struct svc *svcs;
	int n_svcs;
	int n_dynamic;             /* services with `dynamic` set */
	int n_wanting;             /* services with `wants_capacity` set (svc_want_capacity) */
	uint32_t ev_reconcile, ev_svc_create;
	uint32_t ev_rebalance;     /* a service's periodic AZ-rebalancing check */
	uint32_t ev_bg;            /* a blue/green deployment's timed step (§5.7) */
	struct alarm_rt *alarms;   /* the scenario's alarms (§5.6) */
	int n_alarms;
	uint32_t ev_alarm, ev_bake;   /* an alarm's minute; a rolling deployment's bake end */
};

static inline struct sched *svc_sched(const struct backplane *bp)
{
	return bp_actor_state(bp, BA_SERVICE);
}

/* Service v waits for capacity (on), or no more: its flag and the count
 * of those that wait, which a change of capacity reads first. */
static inline void svc_want_capacity(struct backplane *bp, struct svc *v, int on)
{
	svc_sched(bp)->n_wanting += (on != 0) - (v->wants_capacity != 0);
	v->wants_capacity = on != 0;
}

/* service.c */
/* A scheduler pass of service v after `delay` (one pending at a time). */
void svc_schedule(struct backplane *bp, int v, sim_time_t delay);
/* Its accounting (availability, counts) catches up to now, before a change. */
void svc_account(struct backplane *bp, struct svc *v);
/* The task joins the service's list of tasks. */
void svc_list_add(struct svc *v, struct task *t, uint32_t slot);

/* service_avail.c: the physical availability (docs/ecs-model.md choice
 * E205).  Instance inst's host went down: the running tasks there count
 * as down from now on (svc_avail_host_down); a task of service v enters
 * (dir +1) or leaves (dir -1) RUNNING, after svc_account (svc_avail_seen). */
void svc_avail_host_down(struct backplane *bp, int32_t inst);
void svc_avail_seen(struct svc *v, const struct task *t, int dir);

/* The launch-rate quota (docs/ecs-model.md §7.5, choice E113): how many
 * more tasks of class `cls` (LC_EC2, LC_FARGATE) the service may launch now
 * (INT64_MAX without a limit); with none, svc_rate_wait schedules a pass
 * for the moment the window has room (one pending at a time). */
int64_t svc_rate_room(struct backplane *bp, struct svc *v, int cls);
void svc_rate_wait(struct backplane *bp, struct svc *v, int cls);
/* A task of the service was just launched (counted in its class). */
void svc_rate_note(struct backplane *bp, struct svc *v, const struct task *t);

/* service_events.c: the service's events (service_events.csv,
 * docs/ecs-model.md §5.2, choices E171–E174) */
/* A task of the service came to exist (stopped 0: svcev_started) or its
 * scheduler stopped it. */
void svcev_task(struct backplane *bp, struct svc *v, const struct task *t, int stopped);
/* A task the scheduler launched exists now (BN_TASK_CREATED: placed, or
 * waiting PROVISIONING for capacity): its TASKS_STARTED entry, in AZ
 * rebalancing's words for a rebalancing task (choices E173, E199).  A
 * launch that finds no room is no task (A3) and is not listed. */
void svcev_started(struct backplane *bp, struct svc *v, const struct task *t);
/* The scheduler stops the task in `slot` (a TASKS_STOPPED entry). */
void svcev_stopping(struct backplane *bp, uint32_t slot);
/* A DAEMON task no longer meets its service's placement constraints on
 * its instance (§4.10): its SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED
 * row, before the scheduler stops it (choice E184). */
void svcev_daemon_violated(struct backplane *bp, struct svc *v, const struct task *t);
/* The launch throttle of a deployment holds its launches (§5.4). */
void svcev_start_impaired(struct backplane *bp, struct svc *v);
/* A deployment's row of deployments.csv: its event (IN_PROGRESS,
 * COMPLETED, FAILED, ROLLED_BACK; no other stage has one). */
void svcev_deployment(struct backplane *bp, struct svc *v, int dep, const char *stage);
/* After a pass (or another change of the service): the rebalancing,
 * protected, blocked and steady states' events, then the gathered task rows
 * (v NULL: those only). */
void svcev_after(struct backplane *bp, struct svc *v);
/* At a metrics interval: the steady state's repetition. */
void svcev_sample(struct backplane *bp, struct svc *v);

static inline int svc_on_draining(struct backplane *bp, const struct task *t);

/* The scheduler stops a task of its service, whichever pass and why.  A
 * RUNNING one on a DRAINING instance holds its room under maximumPercent
 * until it has stopped (docs/ecs-model.md §5.15, choice E237): marked, and
 * counted in its service's drain_stopping until the service hears it
 * STOPPED (list_del; marked before the stop: it may end at once). */
static inline void svc_stop(struct backplane *bp, uint32_t slot)
{
	struct task *t = bp_task_at(bp, slot);

	if (t->desired == TD_RUNNING && !t->svc_drained && t->svc >= 0 && svc_on_draining(bp, t)) {
		t->cold = 1;               /* (task.h: a service's task is cold already) */
		t->svc_drained = 1;
		svc_sched(bp)->svcs[t->svc].drain_stopping++;
	}
	svcev_stopping(bp, slot);
	bp_stop_task(bp, slot, STOP_SCHEDULER);
}

/* Counts toward the service: its desired status is RUNNING. */
static inline int svc_live(const struct task *t)
{
	return t->desired == TD_RUNNING;
}

/* Whether the task is on a DRAINING instance (its service replaces it:
 * docs/ecs-model.md §5.15). */
static inline int svc_on_draining(struct backplane *bp, const struct task *t)
{
	const struct cluster *cl = backplane_cluster(bp);

	/* (with no instance DRAINING, the task's instance is not read) */
	return t->inst >= 0 && cluster_n_draining(cl) > 0 && cluster_status(cl, t->inst) == INST_DRAINING;
}

/* A deployment's row of deployments.csv (its stage; green_tenths its
 * share of production traffic, -1 none). */
void svc_dep_row(struct backplane *bp, struct svc *v, int dep, const char *stage, int green_tenths);

/* The service's deployment state changed: the other actors hear whether
 * a deployment is in progress (BN_SERVICE_ROLLOUT), its alarms follow. */
void svc_tell_rollout(struct backplane *bp, struct svc *v);
/* Deployment `dep` of the service FAILED (circuit breaker or alarm,
 * docs/ecs-model.md §5.6): with `rollback`, back to the last COMPLETED one. */
void svc_dep_failed(struct backplane *bp, struct svc *v, int dep, int rollback);
/* A rollback's new deployment of deployment `to`'s revision, adopting its
 * tasks, made the primary (docs/ecs-model.md §5.6, choice E150); its index. */
int svc_add_rollback(struct backplane *bp, struct svc *v, int to);
/* Set by the alarms' failure around its svc_dep_failed call: the rollback
 * it makes was caused by alarms, not the circuit breaker (the reason of
 * its event, choice E171). */
extern int svc_rollback_by_alarm;

/* service_alarms.c: CloudWatch alarms of deployments (docs/ecs-model.md §5.6) */
void svc_alarms_attach(struct backplane *bp);
void svc_alarms_init(struct backplane *bp);
void svc_alarms_free(struct backplane *bp);
/* The service's deployment state changed: its alarms start or stop being
 * evaluated for it. */
void svc_alarms_sync(struct backplane *bp, struct svc *v);
/* A rolling deployment with alarms reached its steady state: its bake time
 * (choice E137) starts, or, with no alarms, it is COMPLETED (1 returned). */
int svc_alarms_steady(struct backplane *bp, struct svc *v);
/* CloudWatch's M-of-N rule (choice E136) over an alarm's n_dp latest
 * datapoints (oldest first, NaN = missing; fewer than evaluationPeriods
 * count the rest as missing): its next state from `state`. */
int alarm_eval(const struct scn_alarm *c, const double *dp, int n_dp, int state);
/* alarm_eval over the datapoints made since the evaluation started, the
 * periods before it outside the range (choice E141). */
int alarm_eval_started(const struct scn_alarm *c, const double *dp, int n_dp, int state);
/* The bake-time event of deployment `dep` (ev_bake): COMPLETED if the
 * service is at steady state then, else at the first pass that finds it
 * steady (choice E147). */
void svc_alarms_bake_end(struct backplane *bp, struct svc *v, int dep);
/* The service at steady state now, by its pass's completion rule
 * (service_replica.c, service_daemon.c). */
int svc_replica_steady(struct backplane *bp, const struct svc *v);
int svc_daemon_steady(struct backplane *bp, const struct svc *v);

/* service_replica.c: the REPLICA scheduler's pass (docs/ecs-model.md §5) */
void svc_reconcile_replica(struct backplane *bp, int v);
/* A task of deployment `dep` of service vi launched (its revision and
 * placement); UINT32_MAX when the launch-rate quota holds it back. */
uint32_t svc_launch_dep(struct backplane *bp, int vi, int dep);
/* Scale-in of the primary's tasks above its desired count (§4.6). */
void svc_stop_excess(struct backplane *bp, struct svc *v, int64_t excess);

/* service_bg.c: blue/green, linear and canary deployments (docs/ecs-model.md §5.7) */
/* UpdateService to a new revision of a service with such a strategy:
 * the primary (blue) stays, the new deployment (green) is added. */
void svc_bg_deploy(struct backplane *bp, int vi, int td);
/* The pass of a service with such a deployment in progress. */
void svc_bg_reconcile(struct backplane *bp, int vi);
/* A timed step (traffic shift, end of the bake time) is due. */
void svc_bg_timer(struct backplane *bp, int vi);
/* The circuit breaker or an alarm failed the green deployment (§5.6):
 * rollback or not. */
void svc_bg_failed(struct backplane *bp, int vi, int rollback);
/* Whether a pass of the stages would stop a task on a DRAINING instance
 * for want of room, within minimumHealthyPercent (choice E192). */
int svc_bg_drain_due(struct backplane *bp, struct svc *v);
/* A launch of the service's found no capacity (choice E194). */
void svc_bg_launch_failed(struct backplane *bp, struct svc *v, const struct task *t);
/* The deployment's outgoing primary gets a new deployment (service.c). */
void svc_add_deployment(struct backplane *bp, struct svc *v, int td);
/* The periodic AZ-rebalancing check of a steady REPLICA service
 * (docs/ecs-model.md §5.9, choice E118): one task started in the least
 * loaded AZ when its AZs are imbalanced; its passes do the rest. */
void svc_rebalance_check(struct backplane *bp, int v);
/* The AZs service v can use (usable[a] for each of the scenario's zones),
 * over which its AZ balance is judged, by the rebalancing and its events. */
void svc_usable_azs(struct backplane *bp, int v, uint8_t *usable);
/* service_daemon.c: the DAEMON scheduler's pass (docs/ecs-model.md §4.10) */
void svc_daemon_count(struct backplane *bp, struct svc *v);
void svc_reconcile_daemon(struct backplane *bp, int v);

#endif
