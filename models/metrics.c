/* models/metrics.c — counters, aggregates and result files.
 *
 * Files (columns and units in scenarios/README.md, "Outputs"):
 *   tasks.csv               one row per task, when it leaves (streamed)
 *   placement_failures.csv  one row per failed placement attempt (streamed)
 *   service_events.csv      a service's events (streamed, models/evlog.h)
 *   timeseries.csv          one row per metrics interval
 *   failures.csv            one row per fault, when its requests_failed
 *                           window is over (at once without a load balancer)
 *   recovery.csv            one row per fault and service, at the close
 *   summary.csv             one row per run
 *   perf.csv                machine-dependent figures (metrics_write_perf)
 * Time-weighted averages integrate the reservation percentage over
 * simulated time exactly (piecewise constant between changes).  Cost adds
 * up each instance's billed periods (models/pricing.h) as they end, in
 * event order, and those still open at the end in instance order.
 */
#include "metrics.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


#include "models/evlog.h"
#include "models/pricing.h"
#include "sim/csvout.h"
#include "sim/hmap.h"
#include "sim/quant.h"
#include "sim/mem.h"

const char *const metrics_reasons[] = {
	"RESOURCE:CPU", "RESOURCE:MEMORY", "RESOURCE:PORTS", "RESOURCE:ENI",
	"RESOURCE:GPU", "AGENT", "ATTRIBUTE", "NO_INSTANCES",
	"FAIL:MemberOf placement constraint unsatisfied.",
	"FAIL:DistinctInstance placement constraint unsatisfied.",
	NULL
};

/* summary.csv column for each reason, same order */
static const char *const reason_cols[] = {
	"failures_resource_cpu", "failures_resource_memory", "failures_resource_ports",
	"failures_resource_eni", "failures_resource_gpu", "failures_agent",
	"failures_attribute", "failures_no_instances", "failures_member_of",
	"failures_distinct_instance",
};

#define N_REASONS (sizeof reason_cols / sizeof reason_cols[0])

struct metrics {
	char *dir;
	char *scenario, *strategy;
	uint64_t seed;
	int util_cols;
	int n_util;                 /* services with utilisation datapoints */
	char **util_svc;
	double *util_val;           /* cpu, memory per service */
	struct csvout *tasks, *failures, *series, *services, *svc_summary, *faults, *recovery;
	struct csvout *deployments;   /* deployments.csv: each deployment's stages */
	struct csvout *alarms;        /* alarms.csv: CloudWatch alarms' state changes; NULL without alarms */
	struct csvout *svc_events;    /* service_events.csv (models/evlog.h) */
	struct evlog *evlog;          /* its rows */
	/* failures.csv: a fault's row waits, frows[f_head .. n_frows), until
	 * the load balancers' intervals cover its requests_failed window
	 * (each interval is added to the waiting rows it overlaps as it
	 * ends), the rows after it with it (in the faults' order); without a
	 * load balancer (lb 0) it is written at once.  recovery.csv's rows
	 * are written at the close: a fault's instances are noticed one by
	 * one, and each adds to the row (metrics_on_recovery) */
	int lb;
	struct fault_row *frows;
	size_t f_head, n_frows, cap_frows;
	struct rec_row { int64_t fault_id, tasks; sim_time_t duration; const char *svc; } *rrows;
	size_t n_rrows, cap_rrows;
	/* rrows' index + 1 by (fault, service name as interned): open
	 * addressing, 0 an empty cell, cap_rh a power of two > 2 x n_rrows
	 * (a scan of every row per recovery made a month of faults
	 * quadratic) */
	uint32_t *rh;
	size_t cap_rh;
	/* A fault with no end (duration -1) has a window to the end of the
	 * run: its row, come to the head, is set aside (open[], its failed
	 * requests still adding up) and the rows after it, once final, go to
	 * a temporary file (spill, n_spilled rows; each set-aside row notes
	 * how many came before it): the close writes them all in the faults'
	 * order.  Without the file (tmpfile failed) they wait in the queue. */
	struct fault_row *open;
	size_t n_open, cap_open;
	FILE *spill;
	int64_t n_spilled;
	int spill_err;              /* errno of a failed write or read, 0 = none */
	/* each fault's id and time, for recovery.csv's window (lb only) */
	struct fault_at { int64_t id; sim_time_t at; } *fat;
	size_t n_fat, cap_fat;
	int fat_unsorted;             /* a fault id came after a larger one */
	/* the load balancers' last metrics interval (lb_a, lb_b] and its
	 * failed requests (502+503+504, all target groups); has_lb = 0 until
	 * one ended */
	int has_lb;
	sim_time_t lb_a, lb_b;
	double lb_last;
	double lb_arrivals;       /* requests that arrived, all target groups, the run */
	/* the same per service (its target groups): interval, service,
	 * failed; only the intervals that failed requests, in time order
	 * (recovery.csv's requests_failed: an interval with none adds
	 * nothing, so not one per service per interval for the whole run) */
	struct lb_svc_iv { sim_time_t a, b; const char *svc; double failed; } *lb_sv;
	size_t n_lb_sv;
	char **svc_names;             /* interned service names */
	uint8_t *svc_lb;              /* per name: it had a load-balancer interval */
	size_t n_svc_names, cap_svc_names;
	struct hmap *svc_idx;         /* name -> its index in svc_names + 1 (svc_intern) */
	int64_t submitted, placed, failures_total;
	/* tasks launched (placed) per launch type and capacity provider: the
	 * run's (summary.csv) and per service index (service_summary.csv).
	 * Every launch is placed (metrics_on_placed): the EC2 launches are
	 * placed - launched_fargate, not counted apart (a plain task's
	 * launch, EC2 for no service and no provider, calls nothing more) */
	int64_t launched_fargate, launched_spot, launched_cp;
	int64_t *svc_launched;      /* 2 per service: EC2, FARGATE */
	int n_svc_launched;
	int64_t by_reason[N_REASONS];
	/* pending seconds of placed tasks (their number is `placed`) and
	 * their running mean, updated as gsl_rstat_add updates its mean
	 * (mean += (x - mean) / n, the same bits) without its median and
	 * higher moments */
	double pending_mean;
	struct quant pending_p99;
	sim_time_t t_last;
	double cpu_pct, mem_pct;                 /* current reservation % */
	double cpu_acc, mem_acc;                 /* ∫ pct dt, pct·ms */
	int32_t peak_used;
	/* cost: one open billed period per instance number */
	struct billed { sim_time_t up; double usd_per_hour; uint8_t open; } *billed;
	size_t n_billed;
	double cost_instances, cost_fargate;      /* USD */
	int cost_unknown;                          /* an instance type had no price */
};

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static struct csvout *open_in(struct metrics *m, const char *name, const char *const *cols,
			      int n, struct err *e)
{
	char *p = join(m->dir, name);
	struct csvout *o = csvout_open(p, cols, n, e);

	free(p);
	return o;
}

/* mkdir -p */
static int make_dirs(const char *dir, struct err *e)
{
	char *p = xstrdup(dir);

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0777) != 0 && errno != EEXIST) {
				err_at(e, p, 0, 0, NULL, "cannot create folder: %s", strerror(errno));
				free(p);
				return -1;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return 0;
}

struct metrics *metrics_open(const struct metrics_cfg *cfg, struct err *e)
{
	static const char *const task_cols[] = { "task_id", "taskdef", "group", "service",
		"submit_s", "placed_s", "start_s", "stop_s", "instance_id", "az", "cpu",
		"memory", "stop_code", "desired_status", "last_status", "provisioning_s",
		"pending_s", "activating_s", "running_s", "deactivating_s", "stopping_s",
		"deprovisioning_s", "stopped_s", "capacity_provider", "launch_type",
		"stopped_reason" };
	static const char *const fail_cols[] = { "time_s", "task_id", "taskdef", "group",
		"service", "reason", "instances_considered" };
	static const char *const series_cols[] = { "time_s", "instances_active",
		"instances_registered", "instances_used", "cpu_reserved_pct", "mem_reserved_pct",
		"tasks_running", "tasks_pending", "tasks_placed_total", "placement_failures_total" };
	static const char *const svc_cols[] = { "time_s", "service", "desired", "running",
		"pending", "healthy", "deployments", "cpu_utilization_pct", "memory_utilization_pct" };
	static const char *const svc_sum_cols[] = { "service", "availability_pct", "availability_physical_pct",
		"full_capacity_pct", "min_running", "tasks_started", "tasks_failed_to_start",
		"replacements", "mean_time_to_replace_s", "p99_time_to_replace_s", "strategy",
		"tasks_ec2", "tasks_fargate" };
	static const char *const fault_cols[] = { "time_s", "kind", "target", "az",
		"tasks_affected", "service_tasks_affected", "fault_id", "duration_s", "requests_failed" };
	static const char *const rec_cols[] = { "fault_id", "service", "lost", "restored_s", "requests_failed" };
	static const char *const dep_cols[] = { "time_s", "service", "deployment", "taskdef", "strategy",
		"stage", "green_traffic_pct" };
	static const char *const alarm_cols[] = { "time_s", "alarm", "state", "value", "deployments_failed" };
	static const char *const ev_cols[] = { "time_s", "service", "event_type", "message" };
	struct metrics *m = xcalloc(1, sizeof *m);

	m->dir = xstrdup(cfg->out_dir);
	m->scenario = xstrdup(cfg->scenario);
	m->strategy = xstrdup(cfg->strategy);
	m->seed = cfg->seed;
	m->lb = cfg->lb;
	quant_init(&m->pending_p99, 0.99);
	if (make_dirs(cfg->out_dir, e))
		goto fail;
	if (cfg->task_log) {
		m->tasks = open_in(m, "tasks.csv", task_cols, 26, e);
		if (!m->tasks)
			goto fail;
		m->failures = open_in(m, "placement_failures.csv", fail_cols, 7, e);
		if (!m->failures)
			goto fail;
	}
	m->series = open_in(m, "timeseries.csv", series_cols, 10, e);
	if (!m->series)
		goto fail;
	m->util_cols = cfg->util_cols;
	m->services = open_in(m, "services.csv", svc_cols, cfg->util_cols ? 9 : 7, e);
	if (!m->services)
		goto fail;
	m->svc_summary = open_in(m, "service_summary.csv", svc_sum_cols, 13, e);
	if (!m->svc_summary)
		goto fail;
	m->faults = open_in(m, "failures.csv", fault_cols, 9, e);
	if (!m->faults)
		goto fail;
	m->recovery = open_in(m, "recovery.csv", rec_cols, 5, e);
	if (!m->recovery)
		goto fail;
	m->deployments = open_in(m, "deployments.csv", dep_cols, 7, e);
	if (!m->deployments)
		goto fail;
	if (cfg->alarms) {
		m->alarms = open_in(m, "alarms.csv", alarm_cols, 5, e);
		if (!m->alarms)
			goto fail;
	}
	m->svc_events = open_in(m, "service_events.csv", ev_cols, 4, e);
	if (!m->svc_events)
		goto fail;
	m->evlog = evlog_new(m->svc_events, cfg->event_repeat);
	return m;
fail:
	metrics_abort(m);
	return NULL;
}

struct evlog *metrics_evlog(struct metrics *m)
{
	return m ? m->evlog : NULL;
}

const char *metrics_dir(const struct metrics *m)
{
	return m->dir;
}

void metrics_on_submit(struct metrics *m, sim_time_t now)
{
	(void)now;
	m->submitted++;
}

void metrics_on_placed(struct metrics *m, sim_time_t now, sim_time_t submitted)
{
	double wait_s = (double)(now - submitted) / 1000.0;

	m->placed++;
	m->pending_mean += (wait_s - m->pending_mean) / (double)m->placed;
	quant_add(&m->pending_p99, wait_s);
}

/* metrics_on_launched's count for service svc when its array must grow
 * first (out of line: a launch saves no registers for it). */
static void __attribute__((noinline)) svc_launched_grow_add(struct metrics *m, int svc, int fargate)
{
	int n = svc + 1;

	m->svc_launched = xrealloc(m->svc_launched, (size_t)n * 2 * sizeof *m->svc_launched);
	memset(m->svc_launched + 2 * m->n_svc_launched, 0,
	       (size_t)(n - m->n_svc_launched) * 2 * sizeof *m->svc_launched);
	m->n_svc_launched = n;
	m->svc_launched[2 * svc + (fargate != 0)]++;
}

void metrics_on_launched(struct metrics *m, int svc, int fargate, int spot, int via_cp)
{
	m->launched_fargate += fargate != 0;
	m->launched_spot += fargate && spot;
	m->launched_cp += via_cp != 0;
	if (svc < 0)
		return;
	if (svc >= m->n_svc_launched)
		svc_launched_grow_add(m, svc, fargate);
	else
		m->svc_launched[2 * svc + (fargate != 0)]++;
}

static void on_failure(struct metrics *m, sim_time_t now, const char *task_id,
		       const char *taskdef, const char *group, const char *service,
		       const char *reason, int32_t considered, const char *closest, int event)
{
	m->failures_total++;
	for (size_t i = 0; i < N_REASONS; i++) {
		if (strcmp(reason, metrics_reasons[i]) == 0) {
			m->by_reason[i]++;
			break;
		}
	}
	if (event)
		evlog_placement_failure(m->evlog, now, service, reason, closest);
	if (!m->failures)
		return;
	csvout_ms(m->failures, now);
	csvout_str(m->failures, task_id);
	csvout_str(m->failures, taskdef);
	csvout_str(m->failures, group);
	csvout_str(m->failures, service);
	csvout_str(m->failures, reason);
	csvout_int(m->failures, considered);
	csvout_endrow(m->failures);
}

void metrics_on_failure(struct metrics *m, sim_time_t now, const char *task_id,
			const char *taskdef, const char *group, const char *service,
			const char *reason, int32_t considered, const char *closest)
{
	on_failure(m, now, task_id, taskdef, group, service, reason, considered, closest, 1);
}

void metrics_on_failure_row(struct metrics *m, sim_time_t now, const char *task_id,
			    const char *taskdef, const char *group, const char *service,
			    const char *reason, int32_t considered)
{
	on_failure(m, now, task_id, taskdef, group, service, reason, considered, NULL, 0);
}

static void advance(struct metrics *m, sim_time_t now)
{
	if (now > m->t_last) {
		m->cpu_acc += m->cpu_pct * (double)(now - m->t_last);
		m->mem_acc += m->mem_pct * (double)(now - m->t_last);
		m->t_last = now;
	}
}

static double pct(int64_t part, int64_t whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

void metrics_on_cluster(struct metrics *m, sim_time_t now, const struct cluster_totals *t)
{
	advance(m, now);
	m->cpu_pct = pct(t->cpu_reserved, t->cpu_registered);
	m->mem_pct = pct(t->mem_reserved, t->mem_registered);
	if (t->n_used > m->peak_used)
		m->peak_used = t->n_used;
}

void metrics_on_task_done(struct metrics *m, const struct task_record *r)
{
	struct csvout *o = m->tasks;

	if (!o)
		return;
	csvout_str(o, r->task_id);
	csvout_str(o, r->taskdef);
	csvout_str(o, r->group);
	csvout_str(o, r->service);
	csvout_ms(o, r->submit);
	csvout_ms(o, r->placed);
	csvout_ms(o, r->start);
	csvout_ms(o, r->stop);
	csvout_str(o, r->instance_id);
	csvout_str(o, r->az);
	csvout_int(o, r->cpu_units);
	csvout_int(o, r->mem_mib);
	csvout_str(o, r->stop_code);
	csvout_str(o, r->desired);
	csvout_str(o, r->last);
	for (int k = 0; k < 8; k++)
		csvout_ms(o, r->ts ? r->ts[k] : -1);
	csvout_str(o, r->capacity_provider);
	csvout_str(o, r->launch_type ? r->launch_type : "EC2");
	csvout_str(o, r->stop_reason);
	csvout_endrow(o);
}

void metrics_on_sample(struct metrics *m, sim_time_t now, const struct metrics_sample *s)
{
	struct csvout *o = m->series;

	csvout_ms(o, now);
	csvout_int(o, s->cl.n_active);
	csvout_int(o, s->cl.n_registered);
	csvout_int(o, s->cl.n_used);
	csvout_fixed(o, pct(s->cl.cpu_reserved, s->cl.cpu_registered), 3);
	csvout_fixed(o, pct(s->cl.mem_reserved, s->cl.mem_registered), 3);
	csvout_int(o, s->tasks_running);
	csvout_int(o, s->tasks_pending);
	csvout_int(o, m->placed);
	csvout_int(o, m->failures_total);
	csvout_endrow(o);
}

void metrics_on_deployment(struct metrics *m, sim_time_t now, const char *service, int deployment,
			   const char *taskdef, const char *strategy, const char *stage, int green_tenths)
{
	struct csvout *o = m->deployments;

	csvout_ms(o, now);
	csvout_str(o, service);
	csvout_int(o, deployment);
	csvout_str(o, taskdef);
	csvout_str(o, strategy);
	csvout_str(o, stage);
	if (green_tenths < 0)
		csvout_empty(o);
	else
		csvout_fixed(o, green_tenths / 10.0, 1);
	csvout_endrow(o);
}

void metrics_on_alarm(struct metrics *m, sim_time_t now, const char *alarm, const char *state, double value,
		      const char *failed)
{
	struct csvout *o = m->alarms;

	if (!o)
		return;
	csvout_ms(o, now);
	csvout_str(o, alarm);
	csvout_str(o, state);
	if (isnan(value))
		csvout_empty(o);
	else
		csvout_fixed(o, value, 3);
	csvout_str(o, failed);
	csvout_endrow(o);
}

void metrics_on_service_sample(struct metrics *m, sim_time_t now, const char *service,
			       int64_t desired, int64_t running, int64_t pending,
			       int64_t healthy, int deployments)
{
	struct csvout *o = m->services;

	csvout_ms(o, now);
	csvout_str(o, service);
	csvout_int(o, desired);
	csvout_int(o, running);
	csvout_int(o, pending);
	csvout_int(o, healthy);
	csvout_int(o, deployments);
	if (m->util_cols) {
		int k = 0;

		while (k < m->n_util && strcmp(m->util_svc[k], service) != 0)
			k++;
		for (int r = 0; r < 2; r++) {
			double v = k < m->n_util ? m->util_val[2 * k + r] : NAN;

			if (isnan(v))
				csvout_empty(o);
			else
				csvout_fixed(o, v, 3);
		}
	}
	csvout_endrow(o);
}

void metrics_set_service_util(struct metrics *m, const char *service, double cpu, double mem)
{
	int k = 0;

	while (k < m->n_util && strcmp(m->util_svc[k], service) != 0)
		k++;
	if (k == m->n_util) {
		m->util_svc = xrealloc(m->util_svc, (size_t)(k + 1) * sizeof *m->util_svc);
		m->util_val = xrealloc(m->util_val, (size_t)(k + 1) * 2 * sizeof *m->util_val);
		m->util_svc[k] = xstrdup(service);
		m->n_util++;
	}
	m->util_val[2 * k] = cpu;
	m->util_val[2 * k + 1] = mem;
}

void metrics_on_service_summary(struct metrics *m, const struct service_summary *s)
{
	struct csvout *o = m->svc_summary;

	csvout_str(o, s->service);
	csvout_fixed(o, s->availability_pct, 3);
	csvout_fixed(o, s->availability_physical_pct, 3);
	csvout_fixed(o, s->full_capacity_pct, 3);
	csvout_int(o, s->min_running);
	csvout_int(o, s->tasks_started);
	csvout_int(o, s->tasks_failed_to_start);
	csvout_int(o, s->replacements);
	if (s->mean_replace_s >= 0) {
		csvout_fixed(o, s->mean_replace_s, 3);
		csvout_fixed(o, s->p99_replace_s, 3);
	} else {
		csvout_empty(o);
		csvout_empty(o);
	}
	csvout_str(o, s->strategy ? s->strategy : "");
	csvout_int(o, s->index >= 0 && s->index < m->n_svc_launched ? m->svc_launched[2 * s->index] : 0);
	csvout_int(o, s->index >= 0 && s->index < m->n_svc_launched ? m->svc_launched[2 * s->index + 1] : 0);
	csvout_endrow(o);
}

struct fault_row {
	sim_time_t now, duration;
	int64_t fault_id, tasks, service_tasks;
	char *kind, *target, *az;
	/* failures.csv: the end of the requests_failed window (now +
	 * duration, INT64_MAX: the end of the run) and its failed requests
	 * so far */
	sim_time_t until;
	double failed;
	int64_t spilled;            /* set aside: the rows spilled before it */
};

static void fault_rows_flush(struct metrics *m, int close);

/* The service's name, one copy per service (a map: a row per service per
 * load-balancer interval looks its name up; a pass over the names made
 * that services x services a minute). */
static size_t svc_intern(struct metrics *m, const char *service)
{
	uint64_t k;
	size_t cap = m->cap_svc_names;

	if (!m->svc_idx)
		m->svc_idx = hmap_new();
	if (hmap_get(m->svc_idx, service, &k))
		return (size_t)k - 1;
	XGROW(m->svc_names, m->cap_svc_names, m->n_svc_names + 1);
	if (m->cap_svc_names != cap) {
		m->svc_lb = xrealloc(m->svc_lb, m->cap_svc_names);
		memset(m->svc_lb + cap, 0, m->cap_svc_names - cap);
	}
	m->svc_names[m->n_svc_names] = xstrdup(service);
	hmap_put(m->svc_idx, service, m->n_svc_names + 1);
	return m->n_svc_names++;
}

static const char *svc_name(struct metrics *m, const char *service)
{
	size_t k = svc_intern(m, service);     /* (first: it may move svc_names) */

	return m->svc_names[k];
}

/* The index in svc_names of an interned name (svc_name's), or
 * n_svc_names for one never interned. */
static size_t svc_k(const struct metrics *m, const char *name)
{
	uint64_t k;

	return m->svc_idx && hmap_get(m->svc_idx, name, &k) ? (size_t)k - 1 : m->n_svc_names;
}

void metrics_on_fault(struct metrics *m, sim_time_t now, int64_t fault_id, const char *kind,
		      const char *target, const char *az, int64_t tasks, int64_t service_tasks,
		      sim_time_t duration)
{
	struct fault_row *r;

	if (m->n_frows == m->cap_frows && m->f_head > 0) {
		/* the rows written leave room at the front */
		memmove(m->frows, m->frows + m->f_head, (m->n_frows - m->f_head) * sizeof *m->frows);
		m->n_frows -= m->f_head;
		m->f_head = 0;
	}
	XGROW(m->frows, m->cap_frows, m->n_frows + 1);
	r = &m->frows[m->n_frows++];
	memset(r, 0, sizeof *r);
	r->now = now;
	r->kind = xstrdup(kind);
	r->target = xstrdup(target);
	r->az = xstrdup(az);
	r->tasks = tasks;
	r->service_tasks = service_tasks;
	r->fault_id = fault_id;
	r->duration = duration;
	r->until = duration >= 0 ? now + duration : INT64_MAX;
	/* the interval that ended at this instant, before the fault, is
	 * the window's first (the earlier ones end before it) */
	if (m->has_lb && m->lb_b >= now && m->lb_a < r->until)
		r->failed += m->lb_last;
	if (m->lb) {
		if (m->n_fat > 0 && m->fat[m->n_fat - 1].id >= fault_id)
			m->fat_unsorted = 1;
		XGROW(m->fat, m->cap_fat, m->n_fat + 1);
		m->fat[m->n_fat++] = (struct fault_at){ fault_id, now };
	}
	fault_rows_flush(m, 0);
}

/* The cell of recovery row (fault_id, svc) in m->rh: the one holding it,
 * or the empty one where it would go. */
static size_t rec_cell(const struct metrics *m, int64_t fault_id, const char *svc)
{
	size_t mask = m->cap_rh - 1;
	uint64_t k = (uint64_t)fault_id * UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)(uintptr_t)svc;
	size_t h = (size_t)((k * UINT64_C(0xff51afd7ed558ccd)) >> 33) & mask;

	while (m->rh[h] != 0) {
		const struct rec_row *r = &m->rrows[m->rh[h] - 1];

		if (r->fault_id == fault_id && r->svc == svc)
			break;
		h = (h + 1) & mask;
	}
	return h;
}

void metrics_on_recovery(struct metrics *m, int64_t fault_id, const char *service,
			 int64_t lost, sim_time_t restored)
{
	const char *name = svc_name(m, service);
	struct rec_row *r;
	size_t h;

	if (2 * (m->n_rrows + 1) >= m->cap_rh) {
		/* grown (and at first made): every row's cell again */
		size_t cap = m->cap_rh ? 2 * m->cap_rh : 64;

		free(m->rh);
		m->rh = xcalloc(cap, sizeof *m->rh);
		m->cap_rh = cap;
		for (size_t i = 0; i < m->n_rrows; i++)
			m->rh[rec_cell(m, m->rrows[i].fault_id, m->rrows[i].svc)] = (uint32_t)(i + 1);
	}
	/* one row per fault and service: the fault's instances are noticed
	 * one by one, and the service may recover between two of them */
	h = rec_cell(m, fault_id, name);
	if (m->rh[h] != 0) {
		r = &m->rrows[m->rh[h] - 1];
		r->tasks += lost;
		r->duration = r->duration < 0 || restored < 0 ? -1 :
			      restored > r->duration ? restored : r->duration;
		return;
	}
	if (m->n_rrows >= UINT32_MAX - 1)
		abort();
	XGROW(m->rrows, m->cap_rrows, m->n_rrows + 1);
	m->rrows[m->n_rrows++] = (struct rec_row){ fault_id, lost, restored, name };
	m->rh[h] = (uint32_t)m->n_rrows;
}

void metrics_on_lb_interval(struct metrics *m, sim_time_t end, double arrivals, double failed)
{
	sim_time_t a = m->lb_b;         /* the interval (a, end]; the first from 0 */

	if (!m->lb)
		abort();                /* rows written already said "no load balancer" */
	m->has_lb = 1;
	m->lb_arrivals += arrivals;
	/* added in the intervals' order, as the sum over them all would be */
	for (size_t i = m->f_head; i < m->n_frows; i++) {
		struct fault_row *r = &m->frows[i];

		if (end >= r->now && a < r->until)
			r->failed += failed;
	}
	for (size_t i = 0; i < m->n_open; i++)
		if (end >= m->open[i].now)
			m->open[i].failed += failed;
	m->lb_a = a;
	m->lb_b = end;
	m->lb_last = failed;
	fault_rows_flush(m, 0);
}

void metrics_on_lb_service_interval(struct metrics *m, sim_time_t start, sim_time_t end,
				    const char *service, double failed)
{
	size_t k = svc_intern(m, service);

	m->svc_lb[k] = 1;
	if (failed == 0)
		return;            /* (it would add nothing to any window's sum) */
	if ((m->n_lb_sv & (m->n_lb_sv - 1)) == 0)
		m->lb_sv = xrealloc(m->lb_sv, (m->n_lb_sv ? 2 * m->n_lb_sv : 1) * sizeof *m->lb_sv);
	m->lb_sv[m->n_lb_sv++] = (struct lb_svc_iv){ start, end, m->svc_names[k], failed };
}

size_t metrics_fault_rows_held(const struct metrics *m)
{
	return m->n_frows - m->f_head;
}

size_t metrics_fault_rows_open(const struct metrics *m)
{
	return m->n_open;
}

int metrics_task_log(const struct metrics *m)
{
	return m->tasks != NULL;
}

/* Requests failed: written as an integer when it is one (per-request
 * mode). */
static void failed_out(struct csvout *o, double sum)
{
	if (sum == floor(sum) && sum < 9e15)
		csvout_int(o, (int64_t)sum);
	else
		csvout_fixed(o, sum, 3);
}

/* The requests failed (502, 503, 504) of the service's target groups in
 * the metrics intervals that overlap the window [t0, t1]: an interval (a,
 * b] counts when b >= t0 and a < t1 (requests.csv's rows, whole intervals:
 * up to one interval more at each end). */
/* recovery.csv's requests_failed of `service` (interned: svc_name) over
 * the window [t0, t1): its intervals (a, b] with b >= t0 and a < t1,
 * added in their order.  The intervals come in time order (both ends
 * non-decreasing: the load balancers' ticks), so the first that can count
 * is found by bisection and the walk ends at the first starting at t1 or
 * later: what a row costs is its window, not the run (the same intervals
 * in the same order as a pass over them all, so the same sum).  `any`:
 * the service has an interval at all (else no target group: empty). */
static void lb_cost_out(struct metrics *m, struct csvout *o, sim_time_t t0, sim_time_t t1,
			const char *service, int any)
{
	double sum = 0;
	size_t lo = 0, hi = m->n_lb_sv;

	if (!m->has_lb || !any) {     /* no target group: its requests are not modelled */
		csvout_empty(o);
		return;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->lb_sv[mid].b >= t0)
			hi = mid;
		else
			lo = mid + 1;
	}
	for (size_t i = lo; i < m->n_lb_sv && m->lb_sv[i].a < t1; i++)
		if (m->lb_sv[i].svc == service)
			sum += m->lb_sv[i].failed;
	failed_out(o, sum);
}

/* failures.csv's row of r, whose strings it frees. */
static void fault_row_out(struct metrics *m, struct fault_row *r)
{
	struct csvout *o = m->faults;

	csvout_ms(o, r->now);
	csvout_str(o, r->kind);
	csvout_str(o, r->target);
	csvout_str(o, r->az);
	csvout_int(o, r->tasks);
	csvout_int(o, r->service_tasks);
	csvout_int(o, r->fault_id);
	csvout_ms(o, r->duration);
	if (m->has_lb)
		failed_out(o, r->failed);
	else
		csvout_empty(o);
	csvout_endrow(o);
	free(r->kind);
	free(r->target);
	free(r->az);
}

static void spill_str(struct metrics *m, const char *s)
{
	uint32_t n = (uint32_t)strlen(s);

	if (fwrite(&n, sizeof n, 1, m->spill) != 1 || fwrite(s, 1, n, m->spill) != n)
		m->spill_err = errno ? errno : EIO;
}

/* A final row after a set-aside one: to the file (its strings freed). */
static void spill_row(struct metrics *m, struct fault_row *r)
{
	if (fwrite(r, sizeof *r, 1, m->spill) != 1)
		m->spill_err = errno ? errno : EIO;
	spill_str(m, r->kind);
	spill_str(m, r->target);
	spill_str(m, r->az);
	m->n_spilled++;
	free(r->kind);
	free(r->target);
	free(r->az);
}

static char *unspill_str(struct metrics *m)
{
	uint32_t n = 0;
	char *s;

	if (fread(&n, sizeof n, 1, m->spill) != 1) {
		m->spill_err = EIO;
		n = 0;
	}
	s = xmalloc((size_t)n + 1);
	if (n && fread(s, 1, n, m->spill) != n) {
		m->spill_err = EIO;
		n = 0;
	}
	s[n] = 0;
	return s;
}

/* The next spilled row (its strings malloc'd). */
static void unspill_row(struct metrics *m, struct fault_row *r)
{
	if (fread(r, sizeof *r, 1, m->spill) != 1) {
		memset(r, 0, sizeof *r);
		m->spill_err = EIO;
	}
	r->kind = unspill_str(m);
	r->target = unspill_str(m);
	r->az = unspill_str(m);
}

/* Set r aside (its strings go with it): 0 when there is no file. */
static int set_aside(struct metrics *m, const struct fault_row *r)
{
	if (!m->spill && !(m->spill = tmpfile()))
		return 0;
	XGROW(m->open, m->cap_open, m->n_open + 1);
	m->open[m->n_open] = *r;
	m->open[m->n_open++].spilled = m->n_spilled;
	return 1;
}

/* Write the waiting failures.csv rows whose window the intervals cover,
 * up to the first that waits on (all of them at the close), to the file
 * or, after a set-aside row, to the spill.  A window (now, until] is
 * covered once an interval ended at or after `until`: the next starts
 * there.  The window's end is until or the end of the run, whichever
 * comes first; every interval starts before the end of the run, so until
 * stands for both in the sums. */
static void fault_rows_flush(struct metrics *m, int close)
{
	for (; m->f_head < m->n_frows; m->f_head++) {
		struct fault_row *r = &m->frows[m->f_head];

		if (!close && m->lb && !(m->has_lb && r->until <= m->lb_b)) {
			if (r->until != INT64_MAX || !set_aside(m, r))
				break;
			continue;
		}
		if (m->n_open > 0)
			spill_row(m, r);
		else
			fault_row_out(m, r);
	}
	if (m->f_head == m->n_frows)
		m->f_head = m->n_frows = 0;
}

/* At the close: every row, the set-aside ones among the spilled ones in
 * the faults' order.  -1 when the spill could not be written or read. */
static int fault_rows_close(struct metrics *m, struct err *e)
{
	int64_t k = 0;

	fault_rows_flush(m, 1);
	if (m->n_open > 0 && fflush(m->spill) != 0)
		m->spill_err = errno ? errno : EIO;
	if (m->n_open > 0)
		rewind(m->spill);
	for (size_t i = 0; i < m->n_open && !m->spill_err; i++) {
		int64_t to = i + 1 < m->n_open ? m->open[i + 1].spilled : m->n_spilled;

		fault_row_out(m, &m->open[i]);
		m->open[i].kind = m->open[i].target = m->open[i].az = NULL;
		for (; k < to && !m->spill_err; k++) {
			struct fault_row r;

			unspill_row(m, &r);
			fault_row_out(m, &r);
		}
	}
	if (m->spill_err) {
		err_at(e, "failures.csv", 0, 0, NULL, "temporary file of the rows after a fault with no end: %s",
		       strerror(m->spill_err));
		return -1;
	}
	return 0;
}

static void fault_rows_out(struct metrics *m, sim_time_t end)
{
	for (size_t i = 0; i < m->n_rrows; i++) {
		struct rec_row *r = &m->rrows[i];
		struct csvout *o = m->recovery;
		sim_time_t t0 = end;
		size_t lo = 0, hi = m->n_fat, k;

		/* the fault's time: fat is in the faults' order, their ids
		 * rising (metrics_on_fault), so by bisection */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (m->fat[mid].id < r->fault_id)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < m->n_fat && m->fat[lo].id == r->fault_id)
			t0 = m->fat[lo].at;
		for (size_t j = 0; m->fat_unsorted && j < m->n_fat; j++)   /* (never: ids rise) */
			if (m->fat[j].id == r->fault_id)
				t0 = m->fat[j].at;
		k = svc_k(m, r->svc);
		csvout_int(o, r->fault_id);
		csvout_str(o, r->svc);
		csvout_int(o, r->tasks);
		csvout_ms(o, r->duration);
		lb_cost_out(m, o, t0, r->duration >= 0 && t0 + r->duration < end ? t0 + r->duration : end, r->svc,
			    k < m->n_svc_names && m->svc_lb[k]);
		csvout_endrow(o);
	}
}

static void fault_rows_free(struct metrics *m)
{
	for (size_t i = m->f_head; i < m->n_frows; i++) {
		free(m->frows[i].kind);
		free(m->frows[i].target);
		free(m->frows[i].az);
	}
	for (size_t i = 0; i < m->n_open; i++) {
		free(m->open[i].kind);
		free(m->open[i].target);
		free(m->open[i].az);
	}
	free(m->open);
	if (m->spill)
		fclose(m->spill);
	m->open = NULL;
	m->spill = NULL;
	m->n_open = m->cap_open = 0;
	m->n_spilled = 0;
	free(m->frows);
	free(m->rrows);
	free(m->rh);
	m->rh = NULL;
	m->cap_rh = 0;
	free(m->fat);
	free(m->lb_sv);
	for (size_t i = 0; i < m->n_svc_names; i++)
		free(m->svc_names[i]);
	free(m->svc_names);
	free(m->svc_lb);
	m->svc_lb = NULL;
	hmap_free(m->svc_idx);
	m->svc_idx = NULL;
	m->lb_sv = NULL;
	m->svc_names = NULL;
	m->n_lb_sv = m->n_svc_names = m->cap_svc_names = 0;
	m->frows = NULL;
	m->rrows = NULL;
	m->fat = NULL;
	m->fat_unsorted = 0;
	m->f_head = m->n_frows = m->cap_frows = m->n_rrows = m->cap_rrows = m->n_fat = m->cap_fat = 0;
}

void metrics_on_instance_up(struct metrics *m, sim_time_t now, int32_t inst, double usd_per_hour)
{
	if (inst < 0)
		return;
	if ((size_t)inst >= m->n_billed) {
		size_t n = (size_t)inst + 1 > 2 * m->n_billed ? (size_t)inst + 1 : 2 * m->n_billed;

		m->billed = xrealloc(m->billed, n * sizeof *m->billed);
		memset(m->billed + m->n_billed, 0, (n - m->n_billed) * sizeof *m->billed);
		m->n_billed = n;
	}
	metrics_on_instance_down(m, now, inst);
	m->billed[inst] = (struct billed){ now, usd_per_hour, 1 };
}

void metrics_on_instance_down(struct metrics *m, sim_time_t now, int32_t inst)
{
	struct billed *b;

	if (inst < 0 || (size_t)inst >= m->n_billed || !m->billed[inst].open)
		return;
	b = &m->billed[inst];
	b->open = 0;
	if (b->usd_per_hour < 0)
		m->cost_unknown = 1;
	else
		m->cost_instances += pricing_period_usd(b->usd_per_hour, now - b->up);
}

int metrics_instance_billed(const struct metrics *m, int32_t inst)
{
	return inst >= 0 && (size_t)inst < m->n_billed && m->billed[inst].open;
}

void metrics_add_fargate_cost(struct metrics *m, double usd)
{
	m->cost_fargate += usd;
}

static void cost_cell(struct csvout *o, int known, double usd)
{
	if (known)
		csvout_fixed(o, usd, 4);
	else
		csvout_empty(o);
}

static int write_summary(struct metrics *m, sim_time_t end, struct err *e)
{
	const char *cols[13 + N_REASONS + 4 + 4 + 1 + 1];
	int n = 0;
	struct csvout *o;
	int64_t np = m->placed;

	static const char *const base_cols[] = { "scenario", "strategy", "seed",
		"sim_seconds", "tasks_submitted", "tasks_placed", "tasks_never_placed",
		"mean_pending_s", "p99_pending_s", "mean_cpu_reserved_pct",
		"mean_mem_reserved_pct", "peak_instances_used", "placement_failures_total" };
	/* cost columns come after the counts, so the earlier columns keep their
	 * places; cost_per_million_requests_usd is the very last, when requests
	 * are simulated */
	static const char *const cost_cols[] = { "cost_instances_usd", "cost_fargate_usd",
		"cost_total_usd", "cost_per_1000_tasks_usd" };
	/* then the tasks launched per launch type and provider kind */
	static const char *const launch_cols[] = { "tasks_ec2", "tasks_fargate",
		"tasks_fargate_spot", "tasks_capacity_provider" };
	double total;

	for (size_t i = 0; i < sizeof base_cols / sizeof base_cols[0]; i++)
		cols[n++] = base_cols[i];
	for (size_t i = 0; i < N_REASONS; i++)
		cols[n++] = reason_cols[i];
	for (size_t i = 0; i < sizeof cost_cols / sizeof cost_cols[0]; i++)
		cols[n++] = cost_cols[i];
	for (size_t i = 0; i < sizeof launch_cols / sizeof launch_cols[0]; i++)
		cols[n++] = launch_cols[i];
	if (m->has_lb)      /* last: only runs with load balancers have it */
		cols[n++] = "cost_per_million_requests_usd";
	{
		char *p = join(m->dir, "summary.csv");

		o = csvout_open(p, cols, n, e);
		free(p);
	}
	if (!o)
		return -1;
	csvout_str(o, m->scenario);
	csvout_str(o, m->strategy);
	csvout_int(o, (int64_t)m->seed);
	csvout_ms(o, end);
	csvout_int(o, m->submitted);
	csvout_int(o, m->placed);
	csvout_int(o, m->submitted - m->placed);   /* every submitted task is placed at most once */
	csvout_fixed(o, np ? m->pending_mean : 0.0, 3);
	csvout_fixed(o, np ? quant_get(&m->pending_p99) : 0.0, 3);
	csvout_fixed(o, end > 0 ? m->cpu_acc / (double)end : 0.0, 3);
	csvout_fixed(o, end > 0 ? m->mem_acc / (double)end : 0.0, 3);
	csvout_int(o, m->peak_used);
	csvout_int(o, m->failures_total);
	for (size_t i = 0; i < N_REASONS; i++)
		csvout_int(o, m->by_reason[i]);
	for (size_t i = 0; i < m->n_billed; i++)
		metrics_on_instance_down(m, end, (int32_t)i);
	total = m->cost_instances + m->cost_fargate;
	cost_cell(o, !m->cost_unknown, m->cost_instances);
	cost_cell(o, 1, m->cost_fargate);
	cost_cell(o, !m->cost_unknown, total);
	cost_cell(o, !m->cost_unknown && m->placed > 0, m->placed > 0 ? total * 1000.0 / (double)m->placed : 0);
	csvout_int(o, m->placed - m->launched_fargate);   /* EC2 launches (above) */
	csvout_int(o, m->launched_fargate);
	csvout_int(o, m->launched_spot);
	csvout_int(o, m->launched_cp);
	if (m->has_lb)
		cost_cell(o, !m->cost_unknown && m->lb_arrivals > 0,
			  m->lb_arrivals > 0 ? total * 1e6 / m->lb_arrivals : 0);
	csvout_endrow(o);
	return csvout_close(o, e);
}

static void release(struct metrics *m)
{
	quant_free(&m->pending_p99);
	free(m->dir);
	free(m->scenario);
	free(m->strategy);
	free(m->billed);
	free(m->svc_launched);
	for (int i = 0; i < m->n_util; i++)
		free(m->util_svc[i]);
	free(m->util_svc);
	free(m->util_val);
	free(m);
}

int metrics_close(struct metrics *m, sim_time_t end, struct err *e)
{
	int rc = 0;

	advance(m, end);
	/* close the streamed files first; summary last, so its presence means
	 * the run completed */
	if (m->tasks && csvout_close(m->tasks, e))
		rc = -1;
	m->tasks = NULL;
	if (m->failures && (rc ? (csvout_abort(m->failures), 0) : csvout_close(m->failures, e)))
		rc = -1;
	m->failures = NULL;
	if (rc ? (csvout_abort(m->series), 0) : csvout_close(m->series, e))
		rc = -1;
	m->series = NULL;
	if (rc ? (csvout_abort(m->services), 0) : csvout_close(m->services, e))
		rc = -1;
	m->services = NULL;
	if (rc ? (csvout_abort(m->svc_summary), 0) : csvout_close(m->svc_summary, e))
		rc = -1;
	m->svc_summary = NULL;
	if (!rc && fault_rows_close(m, e))
		rc = -1;
	if (!rc)
		fault_rows_out(m, end);
	fault_rows_free(m);
	if (rc ? (csvout_abort(m->faults), 0) : csvout_close(m->faults, e))
		rc = -1;
	m->faults = NULL;
	if (rc ? (csvout_abort(m->recovery), 0) : csvout_close(m->recovery, e))
		rc = -1;
	m->recovery = NULL;
	if (rc ? (csvout_abort(m->deployments), 0) : csvout_close(m->deployments, e))
		rc = -1;
	m->deployments = NULL;
	if (m->alarms && (rc ? (csvout_abort(m->alarms), 0) : csvout_close(m->alarms, e)))
		rc = -1;
	m->alarms = NULL;
	evlog_free(m->evlog);      /* its last gathered rows */
	m->evlog = NULL;
	if (rc ? (csvout_abort(m->svc_events), 0) : csvout_close(m->svc_events, e))
		rc = -1;
	m->svc_events = NULL;
	if (!rc && write_summary(m, end, e))
		rc = -1;
	release(m);
	return rc;
}

void metrics_abort(struct metrics *m)
{
	if (!m)
		return;
	csvout_abort(m->tasks);
	csvout_abort(m->failures);
	csvout_abort(m->series);
	csvout_abort(m->services);
	csvout_abort(m->svc_summary);
	csvout_abort(m->faults);
	csvout_abort(m->recovery);
	csvout_abort(m->deployments);
	csvout_abort(m->alarms);
	evlog_free(m->evlog);
	csvout_abort(m->svc_events);
	fault_rows_free(m);
	release(m);
}

int metrics_write_perf(const char *out_dir, double wall_s, uint64_t events, uint64_t held,
		       long peak_rss_kb, struct err *e)
{
	static const char *const cols[] = { "wall_seconds", "events", "events_per_second",
		"peak_rss_kb", "held_places" };
	char *p = join(out_dir, "perf.csv");
	struct csvout *o = csvout_open(p, cols, sizeof cols / sizeof cols[0], e);

	free(p);
	if (!o)
		return -1;
	csvout_fixed(o, wall_s, 3);
	csvout_int(o, (int64_t)events);
	csvout_fixed(o, wall_s > 0 ? (double)events / wall_s : 0.0, 0);
	csvout_int(o, peak_rss_kb);
	csvout_int(o, (int64_t)held);
	csvout_endrow(o);
	return csvout_close(o, e);
}
