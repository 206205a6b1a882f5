/* models/metrics.h — the observer every model reports to, and the only
 * module that writes result files (scenarios/README.md, "Outputs").
 *
 * Models call metrics_on_*() as things happen; metrics keeps every counter
 * and aggregate, streams the per-task and per-failure logs, writes the
 * time series at each interval and the one-row summary at the end.  Each
 * file is written to <name>.tmp and renamed only by metrics_close(), so a
 * failed run leaves no half-written output.  Memory does not grow with the
 * number of tasks (quantiles: sim/quant.h, exact over a bounded
 * number of distinct values, else GSL's streaming P² estimator).
 */
#ifndef MODELS_METRICS_H
#define MODELS_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "models/cluster.h"
#include "sim/err.h"
#include "sim/evq.h"

struct metrics_cfg {
	const char *out_dir;
	const char *scenario;
	const char *strategy;
	uint64_t seed;
	int task_log;               /* write tasks.csv and placement_failures.csv */
	int util_cols;              /* services.csv ends with the utilisation columns (scenario_scales: a service scales or a provider has managed scaling) */
	int alarms;                 /* write alarms.csv (the scenario has $.alarms) */
	int64_t event_repeat;       /* service_events.csv's repetition window, ms (controlPlane.serviceEventRepeatSeconds) */
	int lb;                     /* the run has load balancers (metrics_on_lb_interval is called): a failures.csv
				     * row waits for the intervals of its window; without, each is written at once */
};

/* What tasks.csv records of one task when it leaves the simulation. */
struct task_record {
	const char *task_id;
	const char *taskdef;        /* family:revision or family */
	const char *group;
	const char *service;        /* "" for standalone tasks */
	sim_time_t submit, placed, start, stop;   /* ms; -1 = never */
	const char *instance_id;    /* NULL = never placed */
	const char *az;
	int64_t cpu_units, mem_mib;
	const char *stop_code;      /* NULL = still running at the end */
	const char *stop_reason;    /* stoppedReason, NULL = none */
	const char *desired;        /* desired status: RUNNING / STOPPED */
	const char *last;           /* last status */
	const sim_time_t *ts;       /* per lifecycle state (enum task_state), -1 = never */
	const char *capacity_provider;  /* "" or NULL = none */
	const char *launch_type;    /* EC2 / FARGATE */
};

/* Instantaneous state for one timeseries row. */
struct metrics_sample {
	struct cluster_totals cl;
	int64_t tasks_running;
	int64_t tasks_pending;
};

struct metrics;

/* Create the output folder and open the streamed files. */
struct metrics *metrics_open(const struct metrics_cfg *cfg, struct err *e);

/* A CloudWatch alarm's state changed (alarms.csv, docs/ecs-model.md §5.6,
 * choice E138): its datapoint `value` (NaN: none), and the deployments its
 * ALARM failed ("service:N;..."; "" none). */
void metrics_on_alarm(struct metrics *m, sim_time_t now, const char *alarm, const char *state, double value,
		      const char *failed);

void metrics_on_submit(struct metrics *m, sim_time_t now);
void metrics_on_placed(struct metrics *m, sim_time_t now, sim_time_t submitted);
/* `closest`: the closest instance's id (choice A4) for the service event's
 * message, NULL = not named. */
void metrics_on_failure(struct metrics *m, sim_time_t now, const char *task_id,
			const char *taskdef, const char *group, const char *service,
			const char *reason, int32_t considered, const char *closest);
/* metrics_on_failure without the service event: a failure of a DAEMON
 * pass after the one that has it (docs/ecs-model.md §4.10), counted and
 * written to placement_failures.csv all the same. */
void metrics_on_failure_row(struct metrics *m, sim_time_t now, const char *task_id,
			    const char *taskdef, const char *group, const char *service,
			    const char *reason, int32_t considered);
/* The cluster's totals changed (task placed or released, instance joined or
 * left): advances the time-weighted reservation averages. */
void metrics_on_cluster(struct metrics *m, sim_time_t now, const struct cluster_totals *t);
void metrics_on_task_done(struct metrics *m, const struct task_record *r);
void metrics_on_sample(struct metrics *m, sim_time_t now, const struct metrics_sample *s);

/* Per service, per metrics interval: a row of services.csv. */
void metrics_on_service_sample(struct metrics *m, sim_time_t now, const char *service,
			       int64_t desired, int64_t running, int64_t pending,
			       int64_t healthy, int deployments);

struct service_summary {
	const char *service;
	double availability_pct;      /* time-weighted min(running/desired, 1) */
	double availability_physical_pct;  /* the same with a task on a failed host
					    * counted down from the failure (choice E205) */
	double full_capacity_pct;     /* share of time with running >= desired */
	int64_t min_running;          /* lowest running count after first reaching desired */
	int64_t tasks_started;        /* tasks that reached RUNNING */
	int64_t tasks_failed_to_start;
	int64_t replacements;         /* lost tasks replaced */
	double mean_replace_s, p99_replace_s;   /* -1 = none */
	const char *strategy;         /* placement strategy its tasks used ("daemon": none) */
	int index;                    /* the service's index in the scenario: its
				       * tasks_ec2 / tasks_fargate (metrics_on_launched) */
};
/* A row of service_summary.csv. */
/* The service's latest CloudWatch datapoints of average CPU and memory
 * utilisation, percent (NaN = no data): the utilisation columns of its
 * next services.csv rows (models/scaler.c). */
void metrics_set_service_util(struct metrics *m, const char *service, double cpu, double mem);
void metrics_on_service_summary(struct metrics *m, const struct service_summary *s);
/* A task was launched (placed on an instance, or on Fargate; after its
 * metrics_on_placed): service index `svc` (-1: a RunTask task), on
 * Fargate or EC2, FARGATE_SPOT, through a capacity provider.  Counted in
 * summary.csv and service_summary.csv.  metrics_on_placed counts every
 * launch, as EC2 unless this call says Fargate: a RunTask task on EC2
 * without a capacity provider needs no call. */
void metrics_on_launched(struct metrics *m, int svc, int fargate, int spot, int via_cp);

/* A fault injected (failures.csv): kind instance_fail, az_outage,
 * spot_interruption; duration -1 = none (gone). */
void metrics_on_fault(struct metrics *m, sim_time_t now, int64_t fault_id, const char *kind,
		      const char *target, const char *az, int64_t tasks, int64_t service_tasks,
		      sim_time_t duration);
/* The service events log (service_events.csv, models/evlog.h); NULL for
 * a NULL metrics. */
struct evlog *metrics_evlog(struct metrics *m);
/* A deployment of a service reached a stage (deployments.csv,
 * docs/ecs-model.md §5.7): `deployment` its number in the service (1 =
 * the one CreateService made), `stage` IN_PROGRESS, a blue/green stage,
 * COMPLETED, FAILED or STOPPED; green_tenths the share of
 * production traffic sent to it in tenths of a percent, -1 when it has
 * none (ROLLING). */
void metrics_on_deployment(struct metrics *m, sim_time_t now, const char *service, int deployment,
			   const char *taskdef, const char *strategy, const char *stage, int green_tenths);
/* A service's recovery from a fault (recovery.csv); restored -1 = never. */
void metrics_on_recovery(struct metrics *m, int64_t fault_id, const char *service,
			 int64_t lost, sim_time_t restored);
/* A metrics interval of the load balancers ended at `end`: `arrivals`
 * requests arrived in it and `failed` (502 + 503 + 504) ended in it, all
 * target groups; the requests_failed column of failures.csv sums the
 * failures (recovery.csv the per-service ones below), summary.csv's
 * cost_per_million_requests_usd divides by the arrivals. */
void metrics_on_lb_interval(struct metrics *m, sim_time_t end, double arrivals, double failed);
/* The same for one service: `failed` requests of its target groups ended
 * in the interval (start, end]; recovery.csv's requests_failed of the
 * service sums these. */
void metrics_on_lb_service_interval(struct metrics *m, sim_time_t start, sim_time_t end,
				    const char *service, double failed);
/* failures.csv rows held, waiting for their window to be covered, and
 * those set aside, of faults with no end behind a load balancer (their
 * window runs to the end of the run; the rows after them wait in a
 * temporary file) (tests). */
size_t metrics_fault_rows_held(const struct metrics *m);
size_t metrics_fault_rows_open(const struct metrics *m);
/* Whether the task log (tasks.csv, placement_failures.csv; the load
 * balancers' targets.csv) is written: off with --no-task-log. */
int metrics_task_log(const struct metrics *m);

/* Cost (scenarios/README.md, "Cost"; models/pricing.h).  An instance
 * (numbered as in the cluster) starts a billed period when it registers, at
 * `usd_per_hour` (-1 = the type has no price: the run's cost is unknown and
 * its cost columns are empty), and ends it when it is terminated or
 * deregistered, or at the end of the run; each period is billed per second
 * with the 60 s minimum.  A second `down` for the same period is ignored. */
void metrics_on_instance_up(struct metrics *m, sim_time_t now, int32_t inst, double usd_per_hour);
void metrics_on_instance_down(struct metrics *m, sim_time_t now, int32_t inst);
/* 1 while instance inst is billed: its EC2 host runs (registered or not). */
int metrics_instance_billed(const struct metrics *m, int32_t inst);
/* A Fargate task's cost, USD (pricing_fargate_usd()). */
void metrics_add_fargate_cost(struct metrics *m, double usd);

/* Write summary.csv for a run that ended at `end`, then rename every file
 * into place.  Frees m. */
int metrics_close(struct metrics *m, sim_time_t end, struct err *e);
/* The output folder (an actor writing its own file there). */
const char *metrics_dir(const struct metrics *m);
/* Remove every temporary file and free m (failed run).  NULL is a no-op. */
void metrics_abort(struct metrics *m);

/* perf.csv: what depends on the machine, kept apart so every other file can
 * be compared byte for byte (and the engine's counts: events dispatched,
 * held places run). */
int metrics_write_perf(const char *out_dir, double wall_s, uint64_t events, uint64_t held,
		       long peak_rss_kb, struct err *e);

/* The failure reasons summary.csv counts, in column order. */
extern const char *const metrics_reasons[];

#endif
