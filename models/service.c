/* models/service.c — the service scheduler (docs/ecs-model.md §4.6, §4.10,
 * §5.1–§5.6, §5.15; §10.1 items 6–8, 11, 12).
 *
 * Each service keeps its desired count of tasks of its PRIMARY deployment.
 * The scheduler acts in passes, scheduled `schedulerDelaySeconds` after
 * anything that concerns the service (a task stopped or failed to start,
 * UpdateService, an instance joined or started draining, capacity freed).
 * One pass of a REPLICA service:
 *   - a task is *outgoing* when it belongs to an older deployment or runs on
 *     a DRAINING instance; the others count toward the primary deployment;
 *   - launch primary tasks up to the desired count, never above
 *     floor(desired × maximumPercent / 100) tasks in all (docs/ecs-model.md §5.5), unless the
 *     deployment FAILED or launches are throttled;
 *   - stop outgoing tasks that are not healthy, then healthy ones while
 *     ceil(desired × minimumHealthyPercent / 100) healthy tasks remain;
 *   - stop primary tasks above the desired count, not-yet-running first,
 *     then from the AZ with the most tasks of the service, then the instance
 *     with the most, one at a time (docs/ecs-model.md §4.6 scale-in);
 *   - a deployment whose tasks are all healthy at the desired count with
 *     nothing outgoing is COMPLETED, older ones INACTIVE.
 * A DAEMON service keeps one task on every ACTIVE instance that satisfies
 * its constraints (including instances that join later), replaces a task of
 * an older deployment on an instance by stopping it first (max 100 %)
 * while minimumHealthyPercent of its desired count stay healthy, and stops
 * its task on a DRAINING instance once the other tasks there have stopped
 * (see reconcile_daemon).
 *
 * Start failures (a task stopped before RUNNING) count toward the throttle
 * (docs/ecs-model.md §5.4: after `throttleAfterFailures` in a row, launches wait 30 s, doubled
 * per further failure up to 900 s; a task reaching RUNNING or a new
 * deployment resets it) and toward the circuit breaker of the primary
 * deployment (docs/ecs-model.md §5.6 stage 1: threshold clamp(ceil(0.5 × desired), 3, 200);
 * a healthy task resets the count; FAILED launches nothing; with rollback
 * the last COMPLETED deployment is the primary again and keeps its tasks;
 * without, no more tasks of older deployments are stopped).  The throttle
 * delays launches only: other triggers get the scheduler's delay.
 */
#include "service_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/placement/cql.h"
#include "sim/mem.h"

static void account(struct backplane *bp, struct svc *v)
{
	sim_time_t now = sim_now(bp->sim), dt = now - v->t_last;

	if (!v->active || dt <= 0) {
		v->t_last = now;
		return;
	}
	if (v->desired > 0) {
		double frac = (double)v->running / (double)v->desired;

		v->avail_acc += (frac < 1 ? frac : 1) * (double)dt;
		v->full_acc += v->running >= v->desired ? (double)dt : 0;
	} else {
		v->avail_acc += (double)dt;
		v->full_acc += (double)dt;
	}
	v->t_last = now;
}

/* Faults whose lost tasks are all back: the service runs its desired count
 * again (recovery.csv). */
static void note_recovered(struct backplane *bp, struct svc *v)
{
	if (v->n_recs == 0 || v->running < v->desired)
		return;
	for (int i = 0; i < v->n_recs; i++)
		metrics_on_recovery(bp->m, v->recs[i].fault_id, v->cfg->name, v->recs[i].lost,
				    sim_now(bp->sim) - v->recs[i].at);
	v->n_recs = 0;
}

static void svc_fault_lost(struct backplane *bp, int vi, int64_t fault_id, sim_time_t at, int64_t lost)
{
	struct svc *v = &bp->svcs[vi];

	for (int i = 0; i < v->n_recs; i++) {
		if (v->recs[i].fault_id == fault_id) {
			v->recs[i].lost += lost;
			return;
		}
	}
	if (v->n_recs == v->cap_recs) {
		v->cap_recs = v->cap_recs ? v->cap_recs * 2 : 4;
		v->recs = xrealloc(v->recs, (size_t)v->cap_recs * sizeof *v->recs);
	}
	v->recs[v->n_recs++] = (struct recovery){ fault_id, at, lost };
}

static void note_running(struct svc *v)
{
	if (v->running >= v->desired)
		v->reached_desired = 1;
	if (v->reached_desired && v->running < v->min_running)
		v->min_running = v->running;
}

void svc_schedule(struct backplane *bp, int vi, sim_time_t delay)
{
	struct svc *v = &bp->svcs[vi];

	if (v->reconcile_scheduled || !v->active)
		return;
	v->reconcile_scheduled = 1;
	sim_after(bp->sim, delay, bp->ev_reconcile, v, 0);
}

static void add_deployment(struct backplane *bp, struct svc *v, int td)
{
	const struct scn_service *c = v->cfg;
	struct deployment *d;

	char path[64];
	struct err e;

	for (int i = 0; i < v->n_deps; i++)
		if (v->deps[i].status == DEP_PRIMARY)
			v->deps[i].status = DEP_ACTIVE;
	if (v->cap_deps == v->n_deps) {
		v->cap_deps = v->cap_deps ? v->cap_deps * 2 : 4;
		v->deps = xrealloc(v->deps, (size_t)v->cap_deps * sizeof *v->deps);
	}
	d = &v->deps[v->n_deps];
	memset(d, 0, sizeof *d);
	d->td = td;
	d->status = DEP_PRIMARY;
	d->rollout = ROLL_IN_PROGRESS;
	/* the service's strategies and constraints, and the new definition's */
	d->policy = xcalloc(1, sizeof *d->policy);
	place_policy_copy(d->policy, &c->policy);
	if (td != c->taskdef) {
		const struct taskdef *old = bp->s->taskdefs[c->taskdef].td;

		d->policy->n_constraints -= old->n_constraints;
		for (int k = 0; k < old->n_constraints; k++) {
			struct place_constraint *pc = &d->policy->constraints[d->policy->n_constraints + k];

			free(pc->expression);
			cql_free(pc->expr);
			memset(pc, 0, sizeof *pc);
		}
		for (int k = 0; k < bp->s->taskdefs[td].td->n_constraints; k++) {
			snprintf(path, sizeof path, "$.placementConstraints[%d]", k);
			place_add_member_of(d->policy, bp->s->taskdefs[td].td->constraints[k],
					    bp->s->taskdefs[td].path, path, &e);
		}
	}
	v->primary = v->n_deps++;
	v->consecutive_failures = 0;      /* docs/ecs-model.md §5.4: a new definition resets the throttle */
	v->throttle_until = 0;
	v->throttle_wake = -1;
}

static void svc_init_all(struct backplane *bp)
{
	bp->n_svcs = bp->s->n_services;
	bp->svcs = xcalloc((size_t)bp->n_svcs + 1, sizeof *bp->svcs);
	for (int i = 0; i < bp->n_svcs; i++) {
		struct svc *v = &bp->svcs[i];
		char name[300];

		v->cfg = &bp->s->services[i];
		snprintf(name, sizeof name, "service:%s", v->cfg->name);
		v->group = cluster_group(bp->cl, name);
		snprintf(name, sizeof name, "service/%s/runtime", v->cfg->name);
		v->runtime_rng = rng_stream(bp->rng, name);
		v->replace = gsl_rstat_alloc();
		quant_init(&v->replace_p99, 0.99);
		v->min_running = INT64_MAX;
		/* CreateService takes effect after the API latency */
		sim_at(bp->sim, v->cfg->create_at + bp->tm->api_latency, bp->ev_svc_create, v, 0);
	}
}

static void svc_free_all(struct backplane *bp)
{
	for (int i = 0; i < bp->n_svcs; i++) {
		struct svc *v = &bp->svcs[i];

		for (int k = 0; k < v->n_deps; k++) {
			place_policy_free(v->deps[k].policy);
			free(v->deps[k].policy);
		}
		free(v->deps);
		free(v->tasks);
		free(v->losses);
		free(v->recs);
		gsl_rstat_free(v->replace);
		quant_free(&v->replace_p99);
	}
	free(bp->svcs);
}

static void on_create(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct svc *v = ev->target;

	(void)s;
	v->active = 1;
	v->t_created = v->t_last = sim_now(bp->sim);
	v->desired = v->cfg->sched == SCHED_DAEMON ? 0 : v->cfg->desired;
	add_deployment(bp, v, v->cfg->taskdef);
	svc_schedule(bp, (int)(v - bp->svcs), 0);
}

/* ---- task bookkeeping ---------------------------------------------------- */

static void list_add(struct svc *v, struct task *t, uint32_t slot)
{
	if (v->n_tasks == v->cap_tasks) {
		v->cap_tasks = v->cap_tasks ? v->cap_tasks * 2 : 16;
		v->tasks = xrealloc(v->tasks, (size_t)v->cap_tasks * sizeof *v->tasks);
	}
	t->svc_pos = v->n_tasks;
	v->tasks[v->n_tasks++] = slot;
}

static void list_del(struct backplane *bp, struct svc *v, struct task *t)
{
	int pos = t->svc_pos;
	uint32_t last = v->tasks[--v->n_tasks];

	if (pos < v->n_tasks) {
		v->tasks[pos] = last;
		bp->tasks[last].svc_pos = pos;
	}
}

static void svc_on_state(struct backplane *bp, struct task *t, enum task_state from, enum task_state to)
{
	struct svc *v = &bp->svcs[t->svc];

	account(bp, v);
	if (from < TS_RUNNING && to >= TS_RUNNING)
		v->pending--;
	if (to == TS_RUNNING && from != TS_RUNNING) {
		v->running++;
		v->started++;
		note_running(v);
		note_recovered(bp, v);
		if (v->n_losses > 0) {
			sim_time_t lost_at = v->losses[v->loss_head];
			double wait = (double)(sim_now(bp->sim) - lost_at) / 1000.0;

			v->loss_head = (v->loss_head + 1) % v->cap_losses;
			v->n_losses--;
			gsl_rstat_add(wait, v->replace);
			quant_add(&v->replace_p99, wait);
		}
	}
	if (from == TS_RUNNING && to != TS_RUNNING) {
		v->running--;
		note_running(v);
		if (t->healthy) {
			v->healthy--;
			t->healthy = 0;
		}
	}
}

static void svc_on_task_running(struct backplane *bp, struct task *t)
{
	struct svc *v = &bp->svcs[t->svc];

	/* a task that reaches RUNNING ends a run of start failures */
	v->consecutive_failures = 0;
	v->throttle_until = 0;
}

static void svc_on_task_healthy(struct backplane *bp, struct task *t)
{
	struct svc *v = &bp->svcs[t->svc];

	account(bp, v);
	v->healthy++;
	/* resetOnHealthyTask (default true, docs/ecs-model.md §5.6) */
	if (t->dep == v->primary)
		v->deps[t->dep].failed_tasks = 0;
	svc_schedule(bp, t->svc, bp->tm->scheduler_delay);
}

static void push_loss(struct svc *v, sim_time_t when)
{
	if (v->n_losses == v->cap_losses) {
		size_t cap = v->cap_losses ? v->cap_losses * 2 : 16;
		sim_time_t *q = xmalloc(cap * sizeof *q);

		for (size_t i = 0; i < v->n_losses; i++)
			q[i] = v->losses[(v->loss_head + i) % v->cap_losses];
		free(v->losses);
		v->losses = q;
		v->cap_losses = cap;
		v->loss_head = 0;
	}
	v->losses[(v->loss_head + v->n_losses++) % v->cap_losses] = when;
}

static void start_failure(struct backplane *bp, struct svc *v, struct task *t)
{
	struct deployment *d = &v->deps[t->dep];
	int64_t thr;

	v->failed_to_start++;
	v->consecutive_failures++;
	if (v->consecutive_failures >= bp->tm->throttle_after) {
		int k = v->consecutive_failures - bp->tm->throttle_after;
		double delay = (double)bp->tm->throttle_initial * pow(2.0, k < 40 ? k : 40);

		if (delay > (double)bp->tm->throttle_max)
			delay = (double)bp->tm->throttle_max;
		v->throttle_until = sim_now(bp->sim) + (sim_time_t)delay;
	}
	if (!v->cfg->breaker || t->dep != v->primary || d->rollout != ROLL_IN_PROGRESS)
		return;
	d->failed_tasks++;
	thr = (int64_t)ceil(0.5 * (double)v->desired);
	if (thr < bp->tm->breaker_min)
		thr = bp->tm->breaker_min;
	if (thr > 200)
		thr = 200;
	if (d->failed_tasks >= thr) {
		d->rollout = ROLL_FAILED;
		if (v->cfg->rollback) {
			/* back to the last COMPLETED deployment: it is the primary
			 * again, its running tasks stay, only the failed
			 * revision's tasks go (docs/ecs-model.md §5.6) */
			for (int i = v->n_deps - 1; i >= 0; i--) {
				if (v->deps[i].rollout == ROLL_COMPLETED) {
					d->status = DEP_ACTIVE;
					v->deps[i].status = DEP_PRIMARY;
					v->deps[i].rollout = ROLL_IN_PROGRESS;
					v->deps[i].failed_tasks = 0;
					v->primary = i;
					v->consecutive_failures = 0;
					v->throttle_until = 0;
					v->throttle_wake = -1;
					break;
				}
			}
		}
	}
}

static void svc_on_task_stopped(struct backplane *bp, struct task *t)
{
	struct svc *v = &bp->svcs[t->svc];

	account(bp, v);
	if (t->seen < TS_RUNNING || t->queued)
		v->pending--;
	if (t->healthy) {
		v->healthy--;
		t->healthy = 0;
	}
	list_del(bp, v, t);
	if (v->deleting && v->n_tasks == 0) {
		v->active = 0;          /* DRAINING → INACTIVE */
		return;
	}
	if (t->stop_code && strcmp(t->stop_code, STOP_FAILED_TO_START) == 0)
		start_failure(bp, v, t);
	else if (t->lost)
		push_loss(v, t->ts[TS_STOPPED] >= 0 ? t->ts[TS_STOPPED] : sim_now(bp->sim));
	svc_schedule(bp, t->svc, bp->tm->scheduler_delay);
}

static void svc_on_launch_failed(struct backplane *bp, struct task *t)
{
	struct svc *v = &bp->svcs[t->svc];

	account(bp, v);
	v->pending--;
	list_del(bp, v, t);
	v->wants_capacity = 1;
}

static void svc_capacity_changed(struct backplane *bp)
{
	for (int i = 0; i < bp->n_svcs; i++)
		if (bp->svcs[i].wants_capacity)
			svc_schedule(bp, i, bp->tm->scheduler_delay);
}

static void svc_on_instance(struct backplane *bp, int32_t inst)
{
	(void)inst;
	for (int i = 0; i < bp->n_svcs; i++)
		svc_schedule(bp, i, bp->tm->scheduler_delay);
}

/* ---- launching and stopping ---------------------------------------------- */

static uint32_t launch(struct backplane *bp, int vi)
{
	struct svc *v = &bp->svcs[vi];
	struct deployment *d = &v->deps[v->primary];
	sim_time_t dur = -1;
	uint32_t slot;

	if (v->cfg->has_runtime) {
		double x = dist_sample(&v->cfg->runtime, v->runtime_rng);

		dur = sim_ms(x);
	}
	account(bp, v);
	slot = bp_new_task(bp, d->td, v->group, NULL, dur, vi, v->primary, d->policy);
	list_add(v, &bp->tasks[slot], slot);
	v->pending++;
	return slot;
}

static void stop(struct backplane *bp, uint32_t slot)
{
	bp_stop_task(bp, slot, STOP_SCHEDULER);
}

static int live(const struct task *t)
{
	return t->desired == TD_RUNNING;
}

/* Scale-in (docs/ecs-model.md §4.6): victims are chosen one at a time, the
 * counts taken again after each choice: tasks not yet running first; then
 * the AZ with the most tasks of the service, then in it the instance with
 * the most; ties: the instance with the most among the tied AZs, then the
 * task id.  Counts are of the service's tasks whose desired status is
 * RUNNING, of every deployment. */
struct victim {
	uint32_t slot;
	int started;
	int32_t inst;
	int az;
	const char *id;
	int gone;
};

/* 1 when x is the better victim than y */
static int better_victim(const struct victim *x, int64_t xa, int64_t xi,
			 const struct victim *y, int64_t ya, int64_t yi)
{
	if (x->started != y->started)
		return x->started < y->started;
	if (xa != ya)
		return xa > ya;
	if (xi != yi)
		return xi > yi;
	return strcmp(x->id, y->id) < 0;
}

static int az_index(const struct backplane *bp, int32_t inst)
{
	const char *az = cluster_az(bp->cl, inst);

	for (int a = 0; a < bp->s->n_azs; a++)
		if (strcmp(bp->s->azs[a], az) == 0)
			return a;
	return bp->s->n_azs;    /* not one of the scenario's: an AZ of its own */
}

static void stop_excess(struct backplane *bp, struct svc *v, int64_t excess)
{
	struct victim *vs;
	int n = 0;
	int64_t *az_n, *inst_n;

	if (excess <= 0)
		return;
	vs = xcalloc((size_t)v->n_tasks + 1, sizeof *vs);
	az_n = xcalloc((size_t)bp->s->n_azs + 1, sizeof *az_n);
	inst_n = xcalloc((size_t)cluster_count(bp->cl) + 1, sizeof *inst_n);
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = &bp->tasks[v->tasks[k]];

		if (live(t) && t->inst >= 0) {
			az_n[az_index(bp, t->inst)]++;
			inst_n[t->inst]++;
		}
		if (!live(t) || t->dep != v->primary ||
		    (t->inst >= 0 && cluster_status(bp->cl, t->inst) == INST_DRAINING))
			continue;
		vs[n].slot = v->tasks[k];
		vs[n].started = t->inst >= 0 && t->seen >= TS_RUNNING;
		vs[n].inst = t->inst;
		vs[n].az = t->inst >= 0 ? az_index(bp, t->inst) : -1;
		vs[n].id = t->id;
		n++;
	}
	for (int64_t e = 0; e < excess; e++) {
		int best = -1;
		int64_t ba = 0, bi = 0;

		for (int k = 0; k < n; k++) {
			int64_t ac = vs[k].inst >= 0 ? az_n[vs[k].az] : 0;
			int64_t ic = vs[k].inst >= 0 ? inst_n[vs[k].inst] : 0;

			if (vs[k].gone)
				continue;
			if (best < 0 || better_victim(&vs[k], ac, ic, &vs[best], ba, bi)) {
				best = k;
				ba = ac;
				bi = ic;
			}
		}
		if (best < 0)
			break;
		vs[best].gone = 1;
		/* it no longer counts toward its AZ and instance */
		if (vs[best].inst >= 0) {
			az_n[vs[best].az]--;
			inst_n[vs[best].inst]--;
		}
		stop(bp, vs[best].slot);
	}
	free(inst_n);
	free(az_n);
	free(vs);
}

/* docs/ecs-model.md §5.9 AZ rebalancing: for a steady REPLICA service whose first strategy
 * spreads over AZs (or that has none) and maximumPercent > 100, when the
 * AZs that have ACTIVE instances hold counts differing by more than one,
 * start one task in the least loaded AZ; once it is healthy the scale-in
 * rule stops one in the most loaded AZ.  The check interval is the
 * scheduler's pass; the imbalance threshold max − min > 1 (both
 * unconfirmed in the reference). */
static void rebalance(struct backplane *bp, int vi)
{
	struct svc *v = &bp->svcs[vi];
	const struct place_policy *pol = v->deps[v->primary].policy;
	int n_az = bp->s->n_azs, lo = -1, hi = -1;
	int64_t *count;
	uint8_t *usable;
	uint32_t slot;

	if (!v->cfg->az_rebalancing || v->cfg->max_pct <= 100 || v->cfg->sched != SCHED_REPLICA)
		return;
	if (pol->n_strategies > 0 && !(pol->strategies[0].type == PS_SPREAD &&
				       strcmp(pol->strategies[0].field, "attribute:ecs.availability-zone") == 0))
		return;
	count = xcalloc((size_t)n_az, sizeof *count);
	usable = xcalloc((size_t)n_az, 1);
	for (int32_t i = 0; i < cluster_count(bp->cl); i++)
		if (cluster_status(bp->cl, i) == INST_ACTIVE && cluster_agent_connected(bp->cl, i))
			for (int a = 0; a < n_az; a++)
				if (strcmp(bp->s->azs[a], cluster_az(bp->cl, i)) == 0)
					usable[a] = 1;
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = &bp->tasks[v->tasks[k]];

		if (t->desired != TD_RUNNING || t->inst < 0)
			continue;
		for (int a = 0; a < n_az; a++)
			if (strcmp(bp->s->azs[a], cluster_az(bp->cl, t->inst)) == 0)
				count[a]++;
	}
	for (int a = 0; a < n_az; a++) {
		if (!usable[a])
			continue;
		if (lo < 0 || count[a] < count[lo])
			lo = a;
		if (hi < 0 || count[a] > count[hi])
			hi = a;
	}
	if (lo >= 0 && hi >= 0 && count[hi] - count[lo] > 1) {
		slot = launch(bp, vi);
		bp->tasks[slot].pin_az = bp->s->azs[lo];
		v->rebalancing = 1;
	}
	free(count);
	free(usable);
}

static void reconcile_replica(struct backplane *bp, int vi)
{
	struct svc *v = &bp->svcs[vi];
	struct deployment *p = &v->deps[v->primary];
	int64_t max_tasks = (int64_t)floor((double)v->desired * v->cfg->max_pct / 100.0);
	int64_t min_healthy = (int64_t)ceil((double)v->desired * v->cfg->min_healthy_pct / 100.0);
	int64_t active = 0, healthy = 0, primary = 0, outgoing = 0, primary_healthy = 0;
	int64_t can;
	sim_time_t now = sim_now(bp->sim);

	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = &bp->tasks[v->tasks[k]];
		int out;

		if (!live(t))
			continue;
		out = t->dep != v->primary ||
		      (t->inst >= 0 && cluster_status(bp->cl, t->inst) == INST_DRAINING);
		active++;
		healthy += t->healthy;
		if (out)
			outgoing++;
		else {
			primary++;
			primary_healthy += t->healthy;
		}
	}
	/* launches (docs/ecs-model.md §5.5 upper bound, §5.4 throttle, §5.6 FAILED) */
	can = v->desired - primary;
	if (max_tasks - active < can)
		can = max_tasks - active;
	v->wants_capacity = 0;
	if (can > 0 && p->rollout != ROLL_FAILED) {
		if (now < v->throttle_until) {
			/* the throttle delays launches only (docs/ecs-model.md
			 * §5.4): a pass of its own at the end of the wait, while
			 * every other trigger still gets the scheduler's delay */
			if (v->throttle_wake != v->throttle_until) {
				v->throttle_wake = v->throttle_until;
				sim_after(bp->sim, v->throttle_until - now, bp->ev_reconcile, v, 1);
			}
		} else {
			for (int64_t k = 0; k < can; k++)
				launch(bp, vi);
		}
	}
	/* outgoing tasks: unhealthy ones freely, healthy ones within the floor */
	if (outgoing > 0) {
		for (int pass = 0; pass < 2; pass++) {
			for (int k = 0; k < v->n_tasks; k++) {
				uint32_t slot = v->tasks[k];
				struct task *t = &bp->tasks[slot];
				int out;

				if (!live(t))
					continue;
				out = t->dep != v->primary ||
				      (t->inst >= 0 && cluster_status(bp->cl, t->inst) == INST_DRAINING);
				if (!out || (int)t->healthy != pass)
					continue;
				/* a FAILED deployment without rollback is over: the
				 * service runs on the older tasks it has (choice,
				 * scenarios/README.md "Circuit breaker") */
				if (p->rollout == ROLL_FAILED && t->dep != v->primary)
					continue;
				if (t->healthy) {
					if (healthy - 1 < min_healthy)
						continue;
					healthy--;
				}
				stop(bp, slot);
				k = -1;   /* the list may have changed */
			}
		}
	}
	/* scale-in of the primary above the desired count; while an AZ
	 * rebalancing task is on its way, wait until every task is healthy,
	 * then the scale-in rule stops one in the most loaded AZ (docs/ecs-model.md §5.9) */
	if (v->rebalancing && primary > v->desired && primary_healthy < primary)
		;
	else
		stop_excess(bp, v, primary - v->desired);
	if (primary <= v->desired)
		v->rebalancing = 0;
	if (outgoing == 0 && primary == v->desired && primary_healthy == primary &&
	    p->rollout != ROLL_FAILED && !v->rebalancing)
		rebalance(bp, vi);
	/* completion */
	if (outgoing == 0 && primary_healthy >= v->desired && primary == v->desired &&
	    p->rollout == ROLL_IN_PROGRESS) {
		p->rollout = ROLL_COMPLETED;
		for (int i = 0; i < v->n_deps; i++)
			if (i != v->primary)
				v->deps[i].status = DEP_INACTIVE;
	}
}

/* An instance the DAEMON belongs on (docs/ecs-model.md §4.10): ACTIVE,
 * satisfying the primary deployment's memberOf constraints and its task
 * definition's attribute requirements (runtimePlatform,
 * ecs.capability.task-eni for awsvpc), which no amount of waiting changes.
 * Room (CPU, memory, ports, ENIs, GPUs) and the agent's connection do not
 * matter: ECS keeps waiting for room on that instance, and an instance
 * whose agent is silent stays ACTIVE (docs/ecs-model.md §7.4; see
 * scenarios/README.md, services/DAEMON). */
static int daemon_eligible(const struct backplane *bp, const struct svc *v, int32_t i)
{
	const struct deployment *d = &v->deps[v->primary];
	const struct place_req *r = &bp->s->taskdefs[d->td].req;
	struct cluster_ref ref = { bp->cl, i };
	const char *val;

	if (cluster_status(bp->cl, i) != INST_ACTIVE)
		return 0;
	if (r->eni && !cluster_attribute(bp->cl, i, "ecs.capability.task-eni", &val))
		return 0;
	if (r->os_family && !(cluster_attribute(bp->cl, i, "ecs.os-family", &val) && val &&
			      strcasecmp(val, r->os_family) == 0))
		return 0;
	if (r->cpu_arch && !(cluster_attribute(bp->cl, i, "ecs.cpu-architecture", &val) && val &&
			     strcasecmp(val, r->cpu_arch) == 0))
		return 0;
	for (int k = 0; k < d->policy->n_constraints; k++) {
		const struct place_constraint *pc = &d->policy->constraints[k];

		if (pc->type == PC_MEMBER_OF && !cql_eval(pc->expr, cluster_cql_view(), &ref))
			return 0;
	}
	return 1;
}

/* Tasks on instance i that are not daemon tasks (placed and not yet
 * reported STOPPED): what the daemon there serves. */
static int64_t non_daemon_tasks_on(const struct backplane *bp, int32_t i)
{
	int64_t n = cluster_tasks_on(bp->cl, i);

	for (int k = 0; k < bp->n_svcs; k++)
		if (bp->svcs[k].cfg->sched == SCHED_DAEMON)
			n -= cluster_group_tasks_on(bp->cl, i, bp->svcs[k].group);
	return n;
}

/* One pass of a DAEMON service (docs/ecs-model.md §4.10, §5.5, §5.15):
 *   - its task on a DRAINING instance is stopped once every non-daemon task
 *     there has stopped (daemons are stopped last); on any other instance
 *     that is not ACTIVE, at once;
 *   - a task of an older deployment on an instance the service no longer
 *     belongs on is stopped at once; elsewhere, not-yet-healthy ones at
 *     once, healthy ones while ceil(desired × minimumHealthyPercent / 100)
 *     healthy daemon tasks remain on the instances it belongs on;
 *   - an instance it belongs on with no task of the service at all (an old
 *     task stopping counts: maximumPercent 100, the old task stops before
 *     the new one starts) gets one, if it fits there; else the service
 *     waits for capacity;
 *   - with no older task left and a healthy primary task on every instance
 *     it belongs on, the deployment is COMPLETED and older ones INACTIVE. */
static void reconcile_daemon(struct backplane *bp, int vi)
{
	struct svc *v = &bp->svcs[vi];
	struct deployment *p = &v->deps[v->primary];
	int32_t n = cluster_count(bp->cl);
	/* bit 1: a live primary task, bit 2: a live older task, bit 4: a task stopping */
	int8_t *has = xcalloc((size_t)n + 1, 1);
	uint32_t *old = xmalloc(((size_t)n + 1) * sizeof *old);
	int64_t min_healthy = (int64_t)ceil((double)v->desired * v->cfg->min_healthy_pct / 100.0);
	int64_t healthy = 0, n_old = 0, primary_healthy = 0;

	v->wants_capacity = 0;
	for (int k = 0; k < v->n_tasks; k++) {
		uint32_t slot = v->tasks[k];
		struct task *t = &bp->tasks[slot];
		enum inst_status st;

		if (!live(t) || t->inst < 0)
			continue;
		st = cluster_status(bp->cl, t->inst);
		if (st == INST_ACTIVE)
			continue;
		if (st == INST_DRAINING && non_daemon_tasks_on(bp, t->inst) > 0) {
			v->wants_capacity = 1;   /* a task stopping there calls a pass */
			continue;
		}
		stop(bp, slot);
		k = -1;                          /* the list may have changed */
	}
	for (int32_t i = 0; i < n; i++)
		old[i] = UINT32_MAX;
	for (int k = 0; k < v->n_tasks; k++) {
		uint32_t slot = v->tasks[k];
		struct task *t = &bp->tasks[slot];

		if (!live(t)) {
			if (t->inst >= 0)
				has[t->inst] |= 4;
			continue;
		}
		n_old += t->dep != v->primary;   /* anywhere: steady means none left */
		if (t->inst < 0) {
			if (t->pin >= 0)
				has[t->pin] |= 1;    /* a launch in flight */
			continue;
		}
		if (cluster_status(bp->cl, t->inst) != INST_ACTIVE)
			continue;
		if (t->dep == v->primary) {
			has[t->inst] |= 1;
			if (t->healthy && daemon_eligible(bp, v, t->inst))
				primary_healthy++;
		} else {
			has[t->inst] |= 2;
			if (old[t->inst] == UINT32_MAX)
				old[t->inst] = slot;
		}
		if (t->healthy && daemon_eligible(bp, v, t->inst))
			healthy++;
	}
	/* older tasks: misplaced and unhealthy ones first, then healthy ones
	 * within the minimum (instance order) */
	for (int pass = 0; pass < 2; pass++) {
		for (int32_t i = 0; i < n; i++) {
			struct task *t;
			int keep;

			if (old[i] == UINT32_MAX)
				continue;
			t = &bp->tasks[old[i]];
			keep = t->healthy && daemon_eligible(bp, v, i);
			if (keep != pass)
				continue;
			if (keep) {
				if (healthy - 1 < min_healthy)
					continue;
				healthy--;
			}
			stop(bp, old[i]);
			old[i] = UINT32_MAX;
			has[i] |= 4;
		}
	}
	for (int32_t i = 0; i < n; i++) {
		if (has[i] || p->rollout == ROLL_FAILED || !daemon_eligible(bp, v, i))
			continue;
		{
			/* one task on this very instance: its constraints plus the instance */
			const struct scn_taskdef *d = &bp->s->taskdefs[p->td];
			struct place_policy pol;
			struct place_result res;
			char expr[96];
			struct err e;
			uint32_t slot;

			place_policy_copy(&pol, p->policy);
			snprintf(expr, sizeof expr, "instanceId == %s", cluster_id(bp->cl, i));
			if (place_add_member_of(&pol, expr, NULL, "daemon", &e) == 0 &&
			    place_task(bp->cl, &d->req, v->group, &pol, bp->place_rng, &res) == 0) {
				account(bp, v);
				slot = bp_new_task(bp, p->td, v->group, NULL, -1, vi, v->primary, p->policy);
				list_add(v, &bp->tasks[slot], slot);
				v->pending++;
				bp->tasks[slot].pin = i;
			} else {
				v->wants_capacity = 1;
			}
			place_policy_free(&pol);
		}
	}
	/* completion (docs/ecs-model.md §5.2, steady state) */
	if (n_old == 0 && primary_healthy >= v->desired && p->rollout == ROLL_IN_PROGRESS) {
		p->rollout = ROLL_COMPLETED;
		for (int i = 0; i < v->n_deps; i++)
			if (i != v->primary)
				v->deps[i].status = DEP_INACTIVE;
	}
	free(old);
	free(has);
}

static void daemon_count(struct backplane *bp, struct svc *v)
{
	int64_t n = 0;

	/* a DAEMON's desired count: the instances it belongs on
	 * (docs/ecs-model.md §4.10) */
	for (int32_t i = 0; i < cluster_count(bp->cl); i++)
		n += daemon_eligible(bp, v, i);
	if (n != v->desired) {
		account(bp, v);
		v->desired = n;
	}
}

static void on_reconcile(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct svc *v = ev->target;
	int vi = (int)(v - bp->svcs);

	(void)s;
	if (ev->arg == 1) {
		/* a throttled launch pass: only the latest one counts */
		if (v->throttle_wake != sim_now(bp->sim))
			return;
		v->throttle_wake = -1;
	} else {
		v->reconcile_scheduled = 0;
	}
	if (!v->active || v->deleting)
		return;
	if (v->cfg->sched == SCHED_DAEMON) {
		daemon_count(bp, v);
		reconcile_daemon(bp, vi);
	} else {
		reconcile_replica(bp, vi);
	}
}

static void svc_set_desired(struct backplane *bp, int vi, int64_t desired)
{
	struct svc *v = &bp->svcs[vi];

	if (v->cfg->sched == SCHED_DAEMON || v->deleting)
		return;
	account(bp, v);
	v->desired = desired;
	note_recovered(bp, v);
	svc_schedule(bp, vi, bp->tm->api_latency);
}

/* DeleteService (docs/ecs-model.md §3.4, §5.1): the service is DRAINING: desired 0, its
 * tasks stopped, then INACTIVE. */
static void svc_delete(struct backplane *bp, int vi)
{
	struct svc *v = &bp->svcs[vi];

	if (!v->active || v->deleting)
		return;
	account(bp, v);
	v->deleting = 1;
	v->desired = 0;
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = &bp->tasks[v->tasks[k]];

		if (t->desired == TD_RUNNING) {
			bp_stop_task(bp, v->tasks[k], STOP_SCHEDULER);
			k = -1;
		}
	}
	if (v->n_tasks == 0) {
		account(bp, v);
		v->active = 0;
	}
}

static void svc_deploy(struct backplane *bp, int vi, int td)
{
	struct svc *v = &bp->svcs[vi];

	if (!v->active)
		return;
	add_deployment(bp, v, td);
	svc_schedule(bp, vi, bp->tm->api_latency);
}

static void svc_sample(struct backplane *bp, sim_time_t now)
{
	for (int i = 0; i < bp->n_svcs; i++) {
		struct svc *v = &bp->svcs[i];
		int deps = 0;

		for (int k = 0; k < v->n_deps; k++)
			deps += v->deps[k].status != DEP_INACTIVE;
		metrics_on_service_sample(bp->m, now, v->cfg->name, v->desired, v->running,
					  v->pending, v->healthy, deps);
	}
}

static void svc_finish(struct backplane *bp, sim_time_t end)
{
	for (int i = 0; i < bp->n_svcs; i++) {
		struct svc *v = &bp->svcs[i];
		sim_time_t span = end - v->t_created;
		size_t n = gsl_rstat_n(v->replace);
		struct service_summary sum = {
			.service = v->cfg->name,
			.availability_pct = 0, .full_capacity_pct = 0,
			.min_running = v->reached_desired ? v->min_running : 0,
			.tasks_started = v->started,
			.tasks_failed_to_start = v->failed_to_start,
			.replacements = (int64_t)n,
			.mean_replace_s = n ? gsl_rstat_mean(v->replace) : -1,
			.p99_replace_s = n ? quant_get(&v->replace_p99) : -1,
			.strategy = v->cfg->strategy_label,
		};

		sim_set_now(bp->sim, end);
		account(bp, v);
		for (int k = 0; k < v->n_recs; k++)
			metrics_on_recovery(bp->m, v->recs[k].fault_id, v->cfg->name, v->recs[k].lost, -1);
		v->n_recs = 0;
		if (v->active && span > 0) {
			sum.availability_pct = 100.0 * v->avail_acc / (double)span;
			sum.full_capacity_pct = 100.0 * v->full_acc / (double)span;
		}
		metrics_on_service_summary(bp->m, &sum);
	}
}

static void on_note(struct backplane *bp, void *ctx, const struct bp_note *n)
{
	struct task *t = n->kind <= BN_LAUNCH_FAILED && n->kind >= BN_TASK_SEEN
		? &bp->tasks[n->slot] : NULL;

	(void)ctx;
	if (t && t->svc < 0)
		return;            /* a standalone task */
	switch (n->kind) {
	case BN_START:
		svc_init_all(bp);
		break;
	case BN_TASK_SEEN:
		svc_on_state(bp, t, (enum task_state)n->from, (enum task_state)n->to);
		break;
	case BN_TASK_RUNNING:
		svc_on_task_running(bp, t);
		break;
	case BN_TASK_HEALTHY:
		svc_on_task_healthy(bp, t);
		break;
	case BN_TASK_STOPPED:
		svc_on_task_stopped(bp, t);
		break;
	case BN_LAUNCH_FAILED:
		svc_on_launch_failed(bp, t);
		break;
	case BN_INSTANCE_STATUS:
		svc_on_instance(bp, n->inst);
		break;
	case BN_CAPACITY:
		svc_capacity_changed(bp);
		break;
	case BN_FAULT_LOST:
		svc_fault_lost(bp, n->svc, n->fault_id, n->at, n->n);
		break;
	case BN_SERVICE_DESIRED:
		svc_set_desired(bp, n->svc, n->n);
		break;
	case BN_SERVICE_DEPLOY:
		svc_deploy(bp, n->svc, n->td);
		break;
	case BN_SERVICE_DELETE:
		svc_delete(bp, n->svc);
		break;
	case BN_SAMPLE:
		svc_sample(bp, n->at);
		break;
	case BN_FINISH:
		svc_finish(bp, n->at);
		break;
	case BN_FREE:
		svc_free_all(bp);
		break;
	default:
		break;
	}
}

void svc_attach(struct backplane *bp)
{
	bp->ev_reconcile = sim_on(bp->sim, "service-reconcile", on_reconcile, bp);
	bp->ev_svc_create = sim_on(bp->sim, "service-create", on_create, bp);
	bp_subscribe(bp, BN_BIT(BN_START) | BN_BIT(BN_TASK_SEEN) | BN_BIT(BN_TASK_RUNNING) |
		     BN_BIT(BN_TASK_HEALTHY) | BN_BIT(BN_TASK_STOPPED) | BN_BIT(BN_LAUNCH_FAILED) |
		     BN_BIT(BN_INSTANCE_STATUS) | BN_BIT(BN_CAPACITY) | BN_BIT(BN_FAULT_LOST) |
		     BN_BIT(BN_SERVICE_DESIRED) | BN_BIT(BN_SERVICE_DEPLOY) |
		     BN_BIT(BN_SERVICE_DELETE) | BN_BIT(BN_SAMPLE) | BN_BIT(BN_FINISH) |
		     BN_BIT(BN_FREE), on_note, NULL);
}
