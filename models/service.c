/* models/service.c — the service scheduler (docs/ecs-model.md §4.6, §4.10,
 * §5.1–§5.6, §5.15; §10.1 items 6–8, 11, 12): its services' state and
 * accounting, what it hears from the backplane (bp_msg.h notifications),
 * deployments, throttle and circuit breaker, UpdateService and
 * DeleteService.  The passes are in service_replica.c and service_daemon.c.
 *
 * Each service keeps its desired count of tasks of its PRIMARY deployment.
 * The scheduler acts in passes, scheduled `schedulerDelaySeconds` after
 * anything that concerns the service (a task stopped or failed to start,
 * an instance joined or started draining, capacity freed), the API
 * latency after UpdateService and CreateService; one pass pending at a
 * time, the earliest asked for (svc_schedule, choice E225).
 * One pass of a REPLICA service:
 *   - a task is *outgoing* when it belongs to an older deployment or runs on
 *     a DRAINING instance; the others count toward the primary deployment;
 *   - an *unhealthy* primary task (its load-balancer targets failed after
 *     the grace period) is replaced first: stopped once as many
 *     replacements are healthy; with no room for one, unhealthy tasks of
 *     every deployment go one at a time (stopping one never lowers the
 *     healthy count, so minimumHealthyPercent never holds it back:
 *     docs/ecs-model.md §5.3, choice E103);
 *   - each older deployment keeps a target, its tasks the rollout has not
 *     yet replaced (docs/ecs-model.md §5.3, choice E8): a task of it lost
 *     or unhealthy is replaced by one of its own revision, launched first;
 *   - launch primary tasks up to the desired count (unhealthy ones not
 *     counted), never above
 *     floor(desired × maximumPercent / 100) tasks in all (docs/ecs-model.md §5.5; the
 *     tasks stopped for a DRAINING instance count until they have stopped,
 *     §5.15, choice E237), unless the
 *     deployment FAILED or its launches are throttled;
 *   - stop outgoing tasks: an older one not healthy above its target, an
 *     unhealthy one once its replacement is healthy (with no room for one,
 *     as above), on a DRAINING instance when not healthy; then healthy ones
 *     while ceil(desired × minimumHealthyPercent / 100) healthy tasks
 *     remain, each lowering its deployment's target; a
 *     protected task of an older deployment waits for its protection to
 *     expire (docs/ecs-model.md §5.14);
 *   - stop primary tasks above the desired count, not-yet-running first,
 *     then as the service's placement strategies say (binpack: the
 *     instance left with the most; spread: the value with the most tasks),
 *     without one from the AZ with the most tasks of the service, then the
 *     instance with the most, one at a time (docs/ecs-model.md §4.5, §4.6
 *     scale-in);
 *   - a deployment whose tasks are all healthy at the desired count with
 *     nothing outgoing is COMPLETED, older ones INACTIVE.
 * AZ rebalancing (docs/ecs-model.md §5.9, choice E118) is not looked for by
 * the passes: a service with it has a check of its own every
 * `rebalanceCheckSeconds`, which starts a task in the least loaded AZ; the
 * passes then stop one in the most loaded once it is healthy.
 * A DAEMON service keeps one task on every ACTIVE instance that satisfies
 * its constraints (including instances that join later; its own tasks not
 * counted against them, choice E116), stops its task on an instance that no
 * longer satisfies them, replaces a task of
 * an older deployment on an instance by stopping it first (max 100 %)
 * while minimumHealthyPercent of its desired count stay healthy, and stops
 * its task on a DRAINING instance once the other tasks there have stopped
 * (see svc_reconcile_daemon).
 *
 * Start failures (a task stopped before RUNNING) count toward the throttle
 * of the task's deployment (docs/ecs-model.md §5.4, choice E117: after
 * `throttleAfterFailures` in a row, that deployment's launches wait 30 s,
 * doubled per further failure up to 900 s; its task reaching RUNNING
 * resets it, a new deployment starts without) and toward the circuit
 * breaker of the primary
 * deployment (docs/ecs-model.md §5.6 stage 1: threshold clamp(ceil(0.5 × desired), 3, 200)
 * by default, the service's thresholdConfiguration otherwise;
 * a healthy task resets the count; FAILED launches nothing; with rollback
 * a new deployment of the last COMPLETED revision adopts its tasks
 * (choice E150);
 * without, no more tasks of older deployments are stopped, while the
 * failed revision's unhealthy tasks and its tasks above what the older
 * targets leave of the desired count go, choice E182).  The throttle
 * delays launches only: other triggers get the scheduler's delay.
 *
 * A REPLICA service whose deploymentConfiguration.strategy is BLUE_GREEN,
 * LINEAR or CANARY deploys a new revision beside the running one instead
 * (docs/ecs-model.md §5.7): its passes are service_bg.c's while that
 * deployment is in progress.  Each deployment's stages are rows of
 * deployments.csv (choice E127).
 *
 * Every launch of a service, REPLICA or DAEMON, counts toward its
 * launch-rate quota (docs/ecs-model.md §7.5, choice E113: at most
 * `serviceLaunchesPerWindow` in any `serviceLaunchWindowSeconds`, Fargate
 * and EC2/External apart); launches over it wait for a pass of their own.
 */
#include "service_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/capacity/cp_route.h"
#include "models/placement/cql.h"
#include "sim/mem.h"

/* ---- the launch-rate quota (docs/ecs-model.md §7.5, choice E113) ---------
 * "Rate of tasks launched by one service: 500 each (Fargate; EC2/External)"
 * per minute: at most `serviceLaunchesPerWindow` launches of each class in
 * any `serviceLaunchWindowSeconds` (a launch at time a counts in [a, a + W)).
 * A launch is a task the scheduler starts: replacements, deployments,
 * scale-out, AZ rebalancing, an older revision's own replacements, DAEMON
 * tasks; one placement found no room for (choice A3: it never existed) is
 * given back.  A pass the quota holds back is called again when the oldest
 * launch of the window leaves it. */

/* The class of a launched task: Fargate (its capacity provider, else its
 * launch type) or EC2/External. */
static int launch_class(struct backplane *bp, const struct task *t)
{
	if (t->cp >= 0)
		return cp_is_fargate(backplane_scenario(bp), t->cp) ? LC_FARGATE : LC_EC2;
	return t->fg != TL_EC2 ? LC_FARGATE : LC_EC2;
}

/* Launches older than the window leave it. */
static void rate_expire(struct launch_win *w, sim_time_t now, sim_time_t window)
{
	while (w->len > 0 && (w->at[w->head] + window <= now || w->n[w->head] == 0)) {
		w->sum -= w->n[w->head];
		w->head = (w->head + 1) % w->cap;
		w->len--;
	}
}

int64_t svc_rate_room(struct backplane *bp, struct svc *v, int cls)
{
	const struct scn_timing *tm = &backplane_scenario(bp)->timing;
	struct launch_win *w = &v->rate[cls];

	if (tm->svc_launch_limit <= 0)
		return INT64_MAX;
	rate_expire(w, sim_now(backplane_sim(bp)), tm->svc_launch_window);
	return w->sum < tm->svc_launch_limit ? tm->svc_launch_limit - w->sum : 0;
}

void svc_rate_wait(struct backplane *bp, struct svc *v, int cls)
{
	const struct scn_timing *tm = &backplane_scenario(bp)->timing;
	struct launch_win *w = &v->rate[cls];
	sim_time_t now = sim_now(backplane_sim(bp)), at;

	if (w->len == 0)
		return;
	at = w->at[w->head] + tm->svc_launch_window;   /* > now: rate_expire ran */
	/* the earliest wake wins; a later one still due is called again by
	 * the pass then, if the quota still holds launches back */
	if (v->rate_wake >= 0 && v->rate_wake > now && v->rate_wake <= at)
		return;
	v->rate_wake = at;
	sim_after(backplane_sim(bp), at - now, svc_sched(bp)->ev_reconcile, v, 2);
}

void svc_rate_note(struct backplane *bp, struct svc *v, const struct task *t)
{
	struct launch_win *w = &v->rate[launch_class(bp, t)];
	sim_time_t now = sim_now(backplane_sim(bp));

	if (backplane_scenario(bp)->timing.svc_launch_limit <= 0)
		return;
	if (w->len > 0 && w->at[(w->head + w->len - 1) % w->cap] == now) {
		w->n[(w->head + w->len - 1) % w->cap]++;
	} else {
		if (w->len == w->cap) {
			size_t cap = w->cap ? w->cap * 2 : 8;
			sim_time_t *at = xmalloc(cap * sizeof *at);
			int64_t *n = xmalloc(cap * sizeof *n);

			for (size_t i = 0; i < w->len; i++) {
				at[i] = w->at[(w->head + i) % w->cap];
				n[i] = w->n[(w->head + i) % w->cap];
			}
			free(w->at);
			free(w->n);
			w->at = at;
			w->n = n;
			w->cap = cap;
			w->head = 0;
		}
		w->at[(w->head + w->len) % w->cap] = now;
		w->n[(w->head + w->len) % w->cap] = 1;
		w->len++;
	}
	w->sum++;
}

/* A launch placement found no room for does not count (choice A3: the
 * task never existed): its place in the window is given back. */
static void rate_give_back(struct backplane *bp, struct svc *v, const struct task *t)
{
	struct launch_win *w = &v->rate[launch_class(bp, t)];

	for (size_t i = w->len; i-- > 0;) {
		size_t k = (w->head + i) % w->cap;

		if (w->at[k] == t->submit && w->n[k] > 0) {
			w->n[k]--;
			w->sum--;
			return;
		}
		if (w->at[k] < t->submit)
			return;
	}
}

void svc_account(struct backplane *bp, struct svc *v)
{
	sim_time_t now = sim_now(backplane_sim(bp)), dt = now - v->t_last;

	/* a deleted service (INACTIVE: `deleting` stays set) still counts, with
	 * desired 0, to the end of the run (scenarios/README.md,
	 * service_summary.csv: from creation to the end, 100 while desired is 0) */
	if ((!v->active && !v->deleting) || dt <= 0) {
		v->t_last = now;
		return;
	}
	if (v->desired > 0) {
		double frac = (double)v->running / (double)v->desired;
		double phys = (double)(v->running - v->ghost) / (double)v->desired;   /* choice E205 */

		v->avail_acc += (frac < 1 ? frac : 1) * (double)dt;
		v->full_acc += v->running >= v->desired ? (double)dt : 0;
		v->phys_acc += (phys < 1 ? phys : 1) * (double)dt;
	} else {
		v->avail_acc += (double)dt;
		v->full_acc += (double)dt;
		v->phys_acc += (double)dt;
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
		metrics_on_recovery(backplane_metrics(bp), v->recs[i].fault_id, v->cfg->name, v->recs[i].lost,
				    sim_now(backplane_sim(bp)) - v->recs[i].at);
	v->n_recs = 0;
}

static void svc_fault_lost(struct backplane *bp, int vi, int64_t fault_id, sim_time_t at, int64_t lost)
{
	struct svc *v = &svc_sched(bp)->svcs[vi];

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
	/* its replacements may already run: an unhealthy task is replaced
	 * before it is stopped (docs/ecs-model.md §5.3, choice E104) */
	note_recovered(bp, v);
}

static void note_running(struct svc *v)
{
	if (v->running >= v->desired)
		v->reached_desired = 1;
	if (v->reached_desired && v->running < v->min_running)
		v->min_running = v->running;
}

/* A pass `delay` from now.  A pass already due at or before then does what
 * this one would (it sees the same state, and what follows), so it is
 * kept; one due later would act late on this trigger (an UpdateService
 * after a task stopped up to `schedulerDelaySeconds` before it), so the
 * earlier pass is scheduled and the later one dropped: one pass for both
 * triggers, at the earlier time (docs/ecs-model.md §10.2, choice E225). */
void svc_schedule(struct backplane *bp, int vi, sim_time_t delay)
{
	struct svc *v = &svc_sched(bp)->svcs[vi];
	sim_time_t at = sim_now(backplane_sim(bp)) + delay;

	if (!v->active || (v->reconcile_scheduled && v->reconcile_at <= at))
		return;
	v->reconcile_scheduled = 1;
	v->reconcile_at = at;
	sim_after(backplane_sim(bp), delay, svc_sched(bp)->ev_reconcile, v, 0);
}

/* A DAEMON whose constraints read other tasks follows their changes
 * (docs/ecs-model.md §4.10, choice E116): as its primary deployment's
 * policy says. */
static void follow_dynamic(struct backplane *bp, struct svc *v)
{
	const struct deployment *d = &v->deps[v->primary];
	int dyn = 0;

	for (int k = 0; k < d->policy->n_constraints; k++)
		dyn |= d->policy->constraints[k].type == PC_MEMBER_OF && cql_is_dynamic(d->policy->constraints[k].expr);
	dyn &= v->cfg->sched == SCHED_DAEMON;
	svc_sched(bp)->n_dynamic += dyn - v->dynamic;
	v->dynamic = dyn;
	/* standalone tasks are news only while such a DAEMON exists */
	bp_watch_standalone(bp, svc_sched(bp)->n_dynamic > 0);
}

/* A new deployment slot at the end of the service's list, zeroed, the
 * one primary from now on (the others, ACTIVE): its fields are the
 * caller's to set.  Returns a pointer to it (valid until the next call). */
static struct deployment *new_primary_slot(struct svc *v)
{
	struct deployment *d;

	for (int i = 0; i < v->n_deps; i++)
		if (v->deps[i].status == DEP_PRIMARY)
			v->deps[i].status = DEP_ACTIVE;
	if (v->cap_deps == v->n_deps) {
		v->cap_deps = v->cap_deps ? v->cap_deps * 2 : 4;
		v->deps = xrealloc(v->deps, (size_t)v->cap_deps * sizeof *v->deps);
	}
	d = &v->deps[v->n_deps];
	memset(d, 0, sizeof *d);
	d->status = DEP_PRIMARY;
	d->rollout = ROLL_IN_PROGRESS;
	return d;
}

void svc_add_deployment(struct backplane *bp, struct svc *v, int td)
{
	const struct scn_service *c = v->cfg;
	struct deployment *d;

	char path[64];
	struct err e;

	/* the outgoing primary's target (docs/ecs-model.md §5.3, choice E8):
	 * its healthy tasks (not unhealthy, not on a DRAINING instance), at
	 * most what the older deployments leave of the desired count; the
	 * others go as surplus */
	if (v->n_deps > 0) {
		int64_t rest = v->desired, good = 0;

		for (int i = 0; i < v->n_deps; i++)
			if (i != v->primary)
				rest -= v->deps[i].want;
		for (int k = 0; k < v->n_tasks; k++) {
			const struct task *t = bp_task_at(bp, v->tasks[k]);

			good += svc_live(t) && t->dep == v->primary && t->healthy && !t->unhealthy &&
				!svc_on_draining(bp, t);
		}
		v->deps[v->primary].want = good < rest ? good : rest > 0 ? rest : 0;
	}
	d = new_primary_slot(v);
	d->td = td;
	/* the service's strategies and constraints, and the new definition's */
	d->policy = xcalloc(1, sizeof *d->policy);
	place_policy_copy(d->policy, &c->policy);
	if (td != c->taskdef) {
		const struct taskdef *old = backplane_scenario(bp)->taskdefs[c->taskdef].td;

		d->policy->n_constraints -= old->n_constraints;
		for (int k = 0; k < old->n_constraints; k++) {
			struct place_constraint *pc = &d->policy->constraints[d->policy->n_constraints + k];

			free(pc->expression);
			cql_free(pc->expr);
			memset(pc, 0, sizeof *pc);
		}
		for (int k = 0; k < backplane_scenario(bp)->taskdefs[td].td->n_constraints; k++) {
			snprintf(path, sizeof path, "$.placementConstraints[%d]", k);
			place_add_member_of(d->policy, backplane_scenario(bp)->taskdefs[td].td->constraints[k],
					    backplane_scenario(bp)->taskdefs[td].path, path, &e);
		}
	}
	v->primary = v->n_deps++;
	follow_dynamic(bp, v);
	/* docs/ecs-model.md §5.4: a new definition starts without a throttle
	 * (choice E117: each deployment has its own) */
	d->consecutive_failures = 0;
	d->throttle_until = 0;
	d->throttle_steps = 0;
}

/* A rollback (docs/ecs-model.md §5.6, choice E150): a NEW deployment of
 * deployment `to`'s revision (its task definition and placement policy),
 * IN_PROGRESS, that adopts `to`'s tasks (they stay and count at once: no
 * task churn), the primary.  Its throttle and breaker count start afresh;
 * it is not watched by alarms and does not bake (choice E137).  `to` is
 * left with no task, INACTIVE.  Returns the new deployment's index. */
int svc_rollback_by_alarm;

int svc_add_rollback(struct backplane *bp, struct svc *v, int to)
{
	struct deployment *d;
	int n;

	n = v->n_deps;
	d = new_primary_slot(v);
	v->n_deps++;
	d->td = v->deps[to].td;
	d->policy = xcalloc(1, sizeof *d->policy);
	place_policy_copy(d->policy, v->deps[to].policy);
	d->rolled_back = 1;             /* not watched by alarms (choice E137) */
	d->back_to = to + 1;
	d->by_alarm = svc_rollback_by_alarm;
	d->ran = v->deps[to].ran;
	v->deps[to].status = DEP_INACTIVE;
	v->deps[to].want = 0;
	v->deps[to].adopted = 1;
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = bp_task_at(bp, v->tasks[k]);

		if (t->dep == to)
			t->dep = n;
	}
	v->primary = n;
	follow_dynamic(bp, v);
	return n;
}

static const char *strategy_name(const struct scn_service *c)
{
	static const char *const names[] = { "ROLLING", "BLUE_GREEN", "LINEAR", "CANARY" };

	return names[c->deploy_strategy];
}

void svc_dep_row(struct backplane *bp, struct svc *v, int dep, const char *stage, int green_tenths)
{
	if (!backplane_metrics(bp))
		return;
	svcev_deployment(bp, v, dep, stage);
	metrics_on_deployment(backplane_metrics(bp), sim_now(backplane_sim(bp)), v->cfg->name, dep + 1,
			      backplane_scenario(bp)->taskdefs[v->deps[dep].td].name, strategy_name(v->cfg), stage,
			      v->cfg->deploy_strategy == DS_ROLLING ? -1 : green_tenths);
}

/* A deployment of the service is in progress (its PRIMARY deployment is
 * IN_PROGRESS) or no more: the actors hear each change (BN_SERVICE_ROLLOUT;
 * ECS's SERVICE_DEPLOYMENT_* events, which Application Auto Scaling follows
 * to suspend scale-in, docs/ecs-model.md §5.5). */
static void tell_rollout(struct backplane *bp, struct svc *v)
{
	int on = v->active && !v->deleting && v->n_deps > 0 && v->deps[v->primary].rollout == ROLL_IN_PROGRESS;

	svc_alarms_sync(bp, v);
	if (on == v->rollout_told)
		return;
	v->rollout_told = on;
	bp_notify(bp, &(struct bp_note){ .kind = BN_SERVICE_ROLLOUT, .svc = (int)(v - svc_sched(bp)->svcs),
					 .inst = -1, .n = on });
}

void svc_tell_rollout(struct backplane *bp, struct svc *v)
{
	tell_rollout(bp, v);
}

static void svc_init_all(struct backplane *bp)
{
	struct sched *sc = svc_sched(bp);

	sc->n_svcs = backplane_scenario(bp)->n_services;
	sc->svcs = xcalloc((size_t)sc->n_svcs + 1, sizeof *sc->svcs);
	for (int i = 0; i < sc->n_svcs; i++) {
		struct svc *v = &sc->svcs[i];
		char name[300];

		v->cfg = &backplane_scenario(bp)->services[i];
		snprintf(name, sizeof name, "service:%s", v->cfg->name);
		v->group = cluster_group(backplane_cluster(bp), name);
		snprintf(name, sizeof name, "service/%s/runtime", v->cfg->name);
		v->runtime_rng = rng_stream(backplane_rng(bp), name);
		v->replace = gsl_rstat_alloc();
		quant_init(&v->replace_p99, 0.99);
		v->min_running = INT64_MAX;
		v->rate_wake = -1;
		v->throttle_wake = -1;
		v->alarm_dep = -1;
		/* CreateService takes effect after the API latency */
		sim_at(backplane_sim(bp), v->cfg->create_at + backplane_scenario(bp)->timing.api_latency, svc_sched(bp)->ev_svc_create, v, 0);
	}
	svc_alarms_init(bp);
}

static void svc_free_all(struct backplane *bp)
{
	struct sched *sc = svc_sched(bp);

	for (int i = 0; i < sc->n_svcs; i++) {
		struct svc *v = &sc->svcs[i];

		for (int k = 0; k < v->n_deps; k++) {
			place_policy_free(v->deps[k].policy);
			free(v->deps[k].policy);
		}
		free(v->deps);
		free(v->early);
		free(v->tasks);
		free(v->losses);
		free(v->recs);
		free(v->down);
		for (int c = 0; c < LC_N; c++) {
			free(v->rate[c].at);
			free(v->rate[c].n);
		}
		gsl_rstat_free(v->replace);
		quant_free(&v->replace_p99);
	}
	svc_alarms_free(bp);
	free(sc->svcs);
	free(sc);
	bp_set_actor_state(bp, BA_SERVICE, NULL);
}

static void svc_set_desired(struct backplane *bp, int vi, int64_t desired);
static void svc_deploy(struct backplane *bp, int vi, int td);
static void svc_delete(struct backplane *bp, int vi);

/* The UpdateService / DeleteService calls made between CreateService and
 * its taking effect (`createdAtSeconds` + apiLatencySeconds), in call
 * order, right after it: each as if made now (an earlier version dropped
 * a deploy or a delete made then, and a desired count set then was reset
 * by the creation: a trace's `0,set_desired,web,5` left web at its
 * desiredCount). */
static void svc_early(struct backplane *bp, struct svc *v)
{
	int vi = (int)(v - svc_sched(bp)->svcs);

	for (size_t i = 0; i < v->n_early; i++) {
		struct svc_call c = v->early[i];

		if (c.kind == BN_SERVICE_DESIRED)
			svc_set_desired(bp, vi, c.arg);
		else if (c.kind == BN_SERVICE_DEPLOY)
			svc_deploy(bp, vi, (int)c.arg);
		else
			svc_delete(bp, vi);
	}
	free(v->early);
	v->early = NULL;
	v->n_early = v->cap_early = 0;
}

static void on_create(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct svc *v = ev->target;

	(void)s;
	v->active = 1;
	v->created = 1;
	v->t_created = v->t_last = sim_now(backplane_sim(bp));
	v->desired = v->cfg->sched == SCHED_DAEMON ? 0 : v->cfg->desired;
	svc_add_deployment(bp, v, v->cfg->taskdef);
	svc_dep_row(bp, v, v->primary, "IN_PROGRESS", 1000);
	tell_rollout(bp, v);
	svc_schedule(bp, (int)(v - svc_sched(bp)->svcs), 0);
	/* the AZ-rebalancing check, every `rebalanceCheckSeconds` from its
	 * creation, for a service whose own configuration allows rebalancing
	 * (docs/ecs-model.md §5.9, choice E118); none for the others */
	if (backplane_scenario(bp)->n_azs > 1 && scn_service_rebalances(v->cfg, &v->cfg->policy)) {
		sim_after(backplane_sim(bp), backplane_scenario(bp)->timing.rebalance_check, svc_sched(bp)->ev_rebalance, v,
			  0);
	}
	svc_early(bp, v);
}

/* A service's AZ-rebalancing check (docs/ecs-model.md §5.9, choice E118):
 * the next one is due `rebalanceCheckSeconds` later while the service
 * exists; a deleted service has no more. */
static void on_rebalance_check(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct svc *v = ev->target;

	(void)s;
	if (!v->active || v->deleting)
		return;
	sim_after(backplane_sim(bp), backplane_scenario(bp)->timing.rebalance_check, svc_sched(bp)->ev_rebalance, v, 0);
	svc_rebalance_check(bp, (int)(v - svc_sched(bp)->svcs));
	svcev_after(bp, v);
}

/* ---- task bookkeeping ---------------------------------------------------- */

/* The service's live counts (struct svc n_live) change by (live,
 * healthy, unhealthy). */
static void live_add(struct svc *v, int d, int h, int u)
{
	v->n_live += d;
	v->live_healthy += h;
	v->live_unhealthy += u;
}

/* Whether the task in `slot` is on its service's list (not yet, or no
 * more: its notes change no count). */
static int listed(const struct svc *v, const struct task *t, uint32_t slot)
{
	return t->svc_pos < v->n_tasks && v->tasks[t->svc_pos] == slot;
}

void svc_list_add(struct svc *v, struct task *t, uint32_t slot)
{
	if (v->n_tasks == v->cap_tasks) {
		v->cap_tasks = v->cap_tasks ? v->cap_tasks * 2 : 16;
		v->tasks = xrealloc(v->tasks, (size_t)v->cap_tasks * sizeof *v->tasks);
	}
	t->svc_pos = v->n_tasks;
	v->tasks[v->n_tasks++] = slot;
	if (svc_live(t))
		live_add(v, 1, t->healthy, t->unhealthy);
}

static void list_del(struct backplane *bp, struct svc *v, struct task *t)
{
	int pos = t->svc_pos;
	uint32_t last = v->tasks[--v->n_tasks];

	if (svc_live(t))
		live_add(v, -1, -t->healthy, -t->unhealthy);
	v->drain_stopping -= t->svc_drained;
	if (pos < v->n_tasks) {
		v->tasks[pos] = last;
		bp_task_at(bp, last)->svc_pos = pos;
	}
}

static void svc_on_state(struct backplane *bp, struct task *t, enum task_state from, enum task_state to)
{
	struct svc *v = &svc_sched(bp)->svcs[t->svc];

	svc_account(bp, v);
	if (from < TS_RUNNING && to >= TS_RUNNING)
		v->pending--;
	if (to == TS_RUNNING && from != TS_RUNNING) {
		v->running++;
		svc_avail_seen(v, t, 1);
		v->started++;
		note_running(v);
		note_recovered(bp, v);
		if (v->n_losses > 0) {
			sim_time_t lost_at = v->losses[v->loss_head];
			double wait = (double)(sim_now(backplane_sim(bp)) - lost_at) / 1000.0;

			v->loss_head = (v->loss_head + 1) % v->cap_losses;
			v->n_losses--;
			gsl_rstat_add(wait, v->replace);
			quant_add(&v->replace_p99, wait);
		}
	}
	if (from == TS_RUNNING && to != TS_RUNNING) {
		v->running--;
		svc_avail_seen(v, t, -1);
		note_running(v);
		/* the backplane clears its healthy flag after this notification */
		if (t->healthy)
			v->healthy--;
		/* a stop held for its targets' drain: the task has left RUNNING
		 * (DEACTIVATING), and the scheduler reacts as to a stopped task,
		 * not at the drain's end (docs/ecs-model.md §6.3, choice E220) */
		if (to == TS_DEACTIVATING && t->lb_draining)
			svc_schedule(bp, t->svc, backplane_scenario(bp)->timing.scheduler_delay);
	}
}

static void svc_on_task_running(struct backplane *bp, struct task *t)
{
	struct svc *v = &svc_sched(bp)->svcs[t->svc];

	/* a task that reaches RUNNING ends its deployment's run of start
	 * failures (choice E117) */
	v->deps[t->dep].consecutive_failures = 0;
	v->deps[t->dep].throttle_until = 0;
	v->deps[t->dep].throttle_steps = 0;
	/* its alarms can fail it from now on (docs/ecs-model.md §5.6) */
	v->deps[t->dep].ran = 1;
}

static void svc_on_task_healthy(struct backplane *bp, struct task *t)
{
	struct svc *v = &svc_sched(bp)->svcs[t->svc];

	svc_account(bp, v);
	v->healthy++;
	/* resetOnHealthyTask (default true, docs/ecs-model.md §5.6); false:
	 * the count only grows */
	if (t->dep == v->primary && v->cfg->breaker_reset)
		v->deps[t->dep].failed_tasks = 0;
	svc_schedule(bp, t->svc, backplane_scenario(bp)->timing.scheduler_delay);
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

/* How many of the service's tasks are missing: the desired count less its
 * live tasks (desired status RUNNING), plus, for each older deployment,
 * its target less its own live tasks (choice E8).  A live task not yet
 * seen RUNNING and launched at or after `since` counts as missing too: it
 * is a replacement on its way, whose RUNNING will meet the oldest loss
 * waiting (INT64_MIN: every task still starting; INT64_MAX: none). */
static int64_t svc_missing(struct backplane *bp, const struct svc *v, sim_time_t since)
{
	int64_t live = v->n_live, missing;
	int starting = since != INT64_MAX;

#ifdef ECSIM_CHECKS
	{
		int64_t n = 0;

		for (int k = 0; k < v->n_tasks; k++)
			n += svc_live(bp_task_at(bp, v->tasks[k]));
		if (n != live)
			abort();
	}
#endif
	if (starting)
		for (int k = 0; k < v->n_tasks; k++) {
			const struct task *t = bp_task_at(bp, v->tasks[k]);

			live -= svc_live(t) && t->seen < TS_RUNNING && t->submit >= since;
		}
	missing = v->desired - live;
	if (missing < 0)
		missing = 0;
	/* and an older deployment's lost tasks, started again of their own
	 * revision (docs/ecs-model.md §5.3, choice E8) */
	for (int i = 0; i < v->n_deps; i++) {
		int64_t own = 0;

		if (i == v->primary || v->deps[i].want == 0)
			continue;
		for (int k = 0; k < v->n_tasks; k++) {
			const struct task *t = bp_task_at(bp, v->tasks[k]);

			own += svc_live(t) && t->dep == i && !(starting && t->seen < TS_RUNNING && t->submit >= since);
		}
		if (own < v->deps[i].want)
			missing += v->deps[i].want - own;
	}
	return missing;
}

/* A lost task awaits its replacement (service_summary.csv
 * mean_time_to_replace_s) only when, once it is gone, the service has fewer
 * live tasks (desired status RUNNING) than it wants, or an older deployment
 * fewer than its target (choice E8): the loss of a surplus task — an
 * outgoing one above its deployment's target or of AZ rebalancing — is
 * replaced by nothing (svc_loss_counts).  The losses waiting are at most the
 * tasks still to reach RUNNING: what is missing plus the live tasks not yet
 * RUNNING (each replacement launched for an earlier loss meets it when it
 * runs; an earlier version counted only what was missing, so a second loss
 * while the first one's replacement was starting was dropped), so a lower
 * desired count leaves fewer to replace.  The losses past that are dropped,
 * the latest first, so the earliest still meet the next starts (first lost,
 * first replaced). */
static void trim_losses(struct backplane *bp, struct svc *v)
{
	int64_t waiting;

	/* at most n_tasks are live, so at least desired - n_tasks are
	 * missing: no more losses than that, none to drop (the tasks unread) */
	if (v->n_losses == 0 || (int64_t)v->n_losses <= v->desired - v->n_tasks)
		return;
	waiting = svc_missing(bp, v, INT64_MIN);
	while ((int64_t)v->n_losses > waiting)
		v->n_losses--;
}

/* Whether the loss of task t, just gone, leaves the service short (above),
 * judged as it was lost: it left RUNNING when its stop began, and a task
 * launched since then that is not yet RUNNING is its replacement on the
 * way, not a task that makes the loss a surplus one (a stop takes time:
 * the stop grace, a Fargate or awsvpc task's ENI detach, a scheduler
 * pass may launch the replacement meanwhile; an earlier version counted
 * that replacement as live and dropped the loss). */
static int svc_loss_counts(struct backplane *bp, const struct svc *v, const struct task *t)
{
	sim_time_t since = INT64_MAX;

	for (int st = TS_DEACTIVATING; st <= TS_STOPPED && since == INT64_MAX; st++)
		if (t->ts[st] >= 0)
			since = t->ts[st];
	return v->desired - v->n_tasks > 0 || svc_missing(bp, v, since) > 0;
}

static void breaker_count(struct backplane *bp, struct svc *v, struct task *t);

/* The circuit breaker's threshold (docs/ecs-model.md §5.6): of the
 * service's thresholdConfiguration, by default BOUNDED_PERCENT 50:
 * clamp(ceil(50 % × desired), circuitBreakerMinimum, 200);
 * UNBOUNDED_PERCENT without the clamp; COUNT the value itself. */
static int64_t breaker_threshold(struct backplane *bp, const struct svc *v)
{
	int64_t value = v->cfg->breaker_value, thr;

	if (v->cfg->breaker_type == BREAKER_COUNT)
		return value;
	thr = (value * v->desired + 99) / 100;   /* ceil, in whole tasks */
	if (v->cfg->breaker_type == BREAKER_UNBOUNDED_PERCENT)
		return thr;
	if (thr < backplane_scenario(bp)->timing.breaker_min)
		thr = backplane_scenario(bp)->timing.breaker_min;
	return thr > 200 ? 200 : thr;
}

/* A start failure counts toward its deployment's throttle only
 * (docs/ecs-model.md §5.4, choice E117): a failing new revision does not
 * delay an older one's own replacements (§5.3, choice E8).  From the
 * `throttleAfterFailures`-th task in a row, each launch attempt (the tasks
 * a pass launched at one instant) is one step of the wait, the first
 * `throttleInitialSeconds`, doubled per later attempt (choice E226): the
 * tasks of one attempt failing together are one step, not one each. */
static void start_failure(struct backplane *bp, struct svc *v, struct task *t)
{
	struct deployment *d = &v->deps[t->dep];

	v->failed_to_start++;
	d->consecutive_failures++;
	if (d->consecutive_failures >= backplane_scenario(bp)->timing.throttle_after) {
		int k;
		double delay;

		if (d->throttle_steps == 0 || t->submit != d->throttle_batch) {
			d->throttle_steps++;
			d->throttle_batch = t->submit;
		}
		k = d->throttle_steps - 1;
		delay = (double)backplane_scenario(bp)->timing.throttle_initial * pow(2.0, k < 40 ? k : 40);
		if (delay > (double)backplane_scenario(bp)->timing.throttle_max)
			delay = (double)backplane_scenario(bp)->timing.throttle_max;
		d->throttle_until = sim_now(backplane_sim(bp)) + (sim_time_t)delay;
		svcev_start_impaired(bp, v);
	}
	breaker_count(bp, v, t);
}

/* One failure toward the circuit breaker of the task's deployment: a task
 * that failed to start (stage 1) or a failed load-balancer health check
 * (stage 2, docs/ecs-model.md §5.6). */
static void breaker_count(struct backplane *bp, struct svc *v, struct task *t)
{
	struct deployment *d = &v->deps[t->dep];
	int64_t thr;

	/* a blue/green deployment's breaker counts until CLEAN_UP (choice E125) */
	if (!v->cfg->breaker || t->dep != v->primary || d->rollout != ROLL_IN_PROGRESS || v->bg.stage == BG_CLEANUP)
		return;
	d->failed_tasks++;
	thr = breaker_threshold(bp, v);
	if (d->failed_tasks >= thr)
		svc_dep_failed(bp, v, t->dep, v->cfg->rollback);
}

/* The deployment a rollback takes its tasks from (docs/ecs-model.md §5.6,
 * choices E150, E180): the last COMPLETED deployment, or, when a rollback's
 * deployment adopted its tasks and was then itself interrupted before it
 * completed (a new revision deployed meanwhile), that rollback's deployment,
 * which carries the same revision on.  A chain that ends in a FAILED
 * deployment (the rollback itself failed) is passed over for an older
 * COMPLETED one.  -1: none. */
static int rollback_source(const struct svc *v)
{
	for (int i = v->n_deps - 1; i >= 0; i--) {
		int k = i;

		if (v->deps[i].rollout != ROLL_COMPLETED)
			continue;
		while (k >= 0 && v->deps[k].adopted) {
			int by = -1;

			for (int j = k + 1; j < v->n_deps; j++)
				if (v->deps[j].back_to == k + 1)
					by = j;
			k = by;
		}
		if (k >= 0 && v->deps[k].rollout != ROLL_FAILED)
			return k;
	}
	return -1;
}

void svc_dep_failed(struct backplane *bp, struct svc *v, int dep, int rollback)
{
	struct deployment *d = &v->deps[dep];

	d->rollout = ROLL_FAILED;
	if (v->bg.stage != BG_NONE) {
		/* a blue/green deployment (docs/ecs-model.md §5.7); without
		 * rollback the scheduler acts on the failure as for a rolling
		 * one: green's unhealthy tasks go (choice E182) */
		svc_bg_failed(bp, (int)(v - svc_sched(bp)->svcs), rollback);
		if (!rollback)
			svc_schedule(bp, (int)(v - svc_sched(bp)->svcs), backplane_scenario(bp)->timing.scheduler_delay);
		return;
	}
	svc_dep_row(bp, v, dep, "FAILED", -1);
	if (rollback) {
		/* a new deployment of the last COMPLETED deployment's revision
		 * (docs/ecs-model.md §5.6, choice E150): it adopts that
		 * revision's tasks, which stay; only the failed revision's
		 * tasks go; IN_PROGRESS until steady, as any deployment */
		int to = rollback_source(v);

		if (to >= 0) {
			d->want = 0;           /* its tasks all go (choice E8) */
			svc_dep_row(bp, v, svc_add_rollback(bp, v, to), "IN_PROGRESS", -1);
			/* the pass that starts the rollback: a failure found by
			 * a health check (the breaker's stage 2) stops no task
			 * itself, so nothing else would call one */
			svc_schedule(bp, (int)(v - svc_sched(bp)->svcs),
				     backplane_scenario(bp)->timing.scheduler_delay);
			return;
		}
	}
	/* without rollback, or with no COMPLETED revision to roll back to
	 * (the service's first deployment), the FAILED deployment stays the
	 * primary and the scheduler acts on the failure: its unhealthy tasks
	 * and its tasks above the desired count go (docs/ecs-model.md §5.6,
	 * choice E182) */
	if (v->cfg->sched == SCHED_REPLICA)
		svc_schedule(bp, (int)(v - svc_sched(bp)->svcs), backplane_scenario(bp)->timing.scheduler_delay);
}

static void svc_on_task_stopped(struct backplane *bp, struct task *t)
{
	struct svc *v = &svc_sched(bp)->svcs[t->svc];

	svc_account(bp, v);
	if (t->seen < TS_RUNNING || t->queued)
		v->pending--;
	if (t->healthy)
		v->healthy--;
	list_del(bp, v, t);
	if (v->deleting && v->n_tasks == 0) {
		v->active = 0;          /* DRAINING → INACTIVE */
		return;
	}
	if (t->stop_code && strcmp(t->stop_code, STOP_FAILED_TO_START) == 0)
		start_failure(bp, v, t);
	else if (t->lost) {
		if (svc_loss_counts(bp, v, t))
			push_loss(v, t->ts[TS_STOPPED] >= 0 ? t->ts[TS_STOPPED] : sim_now(backplane_sim(bp)));
		trim_losses(bp, v);
	}
	/* an unhealthy task the scheduler stopped has freed room for its
	 * replacement: the next pass launches it before it counts a failed
	 * launch as no room again, so the next unhealthy task goes only once
	 * that replacement is healthy (choices E103, E149; in a blue/green,
	 * linear or canary deployment's stages too, E185) */
	if (t->unhealthy && t->stop_code && strcmp(t->stop_code, STOP_SCHEDULER) == 0 &&
	    v->cfg->sched == SCHED_REPLICA) {
		svc_want_capacity(bp, v, 0);
		v->bg.green_no_room = 0;   /* room freed for green's too (E194) */
	}
	svc_schedule(bp, t->svc, backplane_scenario(bp)->timing.scheduler_delay);
}

/* Whether a pass would stop an unhealthy task for want of room (choice
 * E103, as svc_reconcile_replica does; in a blue/green, linear or canary
 * deployment's stages svc_bg_reconcile, choice E185) and none is on its
 * way: a REPLICA service with a live unhealthy task not on a DRAINING instance,
 * no task of the service still starting (live, neither healthy nor
 * unhealthy, not on a DRAINING instance: its health calls the next pass)
 * and none still stopping (its stop calls the next pass, and frees the
 * room the replacement lacked). */
static int unhealthy_waits(struct backplane *bp, const struct svc *v)
{
	int unhealthy = 0;

	if (v->cfg->sched != SCHED_REPLICA || v->deleting)
		return 0;
	/* newest first: a pass's other launches, still starting, sit near
	 * the list's end, so a failure among them answers at once; the whole
	 * list is read only when none is left (once per batch of failed
	 * launches, not once per launch of a big service) */
	for (int k = v->n_tasks - 1; k >= 0; k--) {
		const struct task *u = bp_task_at(bp, v->tasks[k]);

		if (!svc_live(u))
			return 0;
		if (svc_on_draining(bp, u))
			continue;
		if (!u->healthy && !u->unhealthy)
			return 0;
		unhealthy |= u->unhealthy;
	}
	return unhealthy;
}

static void svc_on_launch_failed(struct backplane *bp, struct task *t)
{
	struct svc *v = &svc_sched(bp)->svcs[t->svc];

	svc_account(bp, v);
	v->pending--;
	rate_give_back(bp, v, t);
	list_del(bp, v, t);
	svc_want_capacity(bp, v, 1);
	/* a blue/green, linear or canary deployment past its bake time with
	 * green short: CLEAN_UP frees the room (choice E194) */
	svc_bg_launch_failed(bp, v, t);
	/* no room for an unhealthy task's replacement: the scheduler stops
	 * the unhealthy task itself to clear up capacity (docs/ecs-model.md
	 * §5.3, choice E103), at a pass.  Capacity appearing calls none here
	 * (the cluster may stay full), so one follows the failed placement
	 * after schedulerDelaySeconds while the service has an unhealthy
	 * task that pass would stop (choice E149; during a blue/green, linear
	 * or canary deployment's stages too, E185), or, in the stages, a task
	 * on a DRAINING instance it would stop within minimumHealthyPercent
	 * (choice E192); with a pass already on its way, nothing to look at */
	if (!v->reconcile_scheduled && (unhealthy_waits(bp, v) || svc_bg_drain_due(bp, v)))
		svc_schedule(bp, t->svc, backplane_scenario(bp)->timing.scheduler_delay);
}

/* Capacity appeared: a service waiting for some gets a pass.  `az`, a
 * Fargate zone back from an outage, changes nothing more: a service with AZ
 * rebalancing notices the imbalance at its periodic check
 * (docs/ecs-model.md §5.9, choice E118), not at a pass. */
static void svc_capacity_changed(struct backplane *bp, const char *az)
{
	(void)az;
	/* (none waits, mostly: no look at every service per task stop) */
	if (svc_sched(bp)->n_wanting == 0) {
#ifdef ECSIM_CHECKS
		for (int i = 0; i < svc_sched(bp)->n_svcs; i++)
			if (svc_sched(bp)->svcs[i].wants_capacity)
				abort();
#endif
		return;
	}
	for (int i = 0; i < svc_sched(bp)->n_svcs; i++)
		if (svc_sched(bp)->svcs[i].wants_capacity)
			svc_schedule(bp, i, backplane_scenario(bp)->timing.scheduler_delay);
}

/* An instance joined, or its status or agent changed: every service gets a
 * pass.  One that starts draining also loses, at once, the REPLICA service
 * tasks on it that the backplane has not yet seen RUNNING (docs/ecs-model.md
 * §5.15): no bound applies to them (they are not healthy, and stopping only
 * lowers the count maximumPercent bounds), and the pass replaces them
 * elsewhere.  RUNNING ones wait for the pass and its bounds; DAEMON tasks
 * are stopped last (service_daemon.c); standalone tasks stay. */
static void svc_on_instance(struct backplane *bp, int32_t inst)
{
	if (inst >= 0 && cluster_status(backplane_cluster(bp), inst) == INST_DRAINING)
		for (int i = 0; i < svc_sched(bp)->n_svcs; i++) {
			struct svc *v = &svc_sched(bp)->svcs[i];

			if (v->cfg->sched != SCHED_REPLICA)
				continue;
			for (int k = 0; k < v->n_tasks; k++) {
				struct task *t = bp_task_at(bp, v->tasks[k]);

				if (t->inst == inst && svc_live(t) && t->seen < TS_RUNNING) {
					svc_stop(bp, v->tasks[k]);
					k = -1;    /* the list may have changed */
				}
			}
		}
	for (int i = 0; i < svc_sched(bp)->n_svcs; i++)
		svc_schedule(bp, i, backplane_scenario(bp)->timing.scheduler_delay);
	svcev_after(bp, NULL);
}

static void on_reconcile(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct svc *v = ev->target;
	int vi = (int)(v - svc_sched(bp)->svcs);

	(void)s;
	if (ev->arg == 1) {
		/* the pass a deployment's throttle held back: only the latest
		 * one scheduled counts */
		if (v->throttle_wake != sim_now(backplane_sim(bp)))
			return;
		v->throttle_wake = -1;
	} else if (ev->arg == 2) {
		/* the pass the launch-rate quota held back (§7.5): the latest */
		if (v->rate_wake != sim_now(backplane_sim(bp)))
			return;
		v->rate_wake = -1;
	} else {
		/* a pass an earlier one replaced (svc_schedule): dropped */
		if (!v->reconcile_scheduled || v->reconcile_at != sim_now(backplane_sim(bp)))
			return;
		v->reconcile_scheduled = 0;
	}
	if (!v->active || v->deleting)
		return;
	{
		int prim = v->primary, was = v->deps[prim].rollout, bg = v->bg.stage != BG_NONE;

		if (v->cfg->sched == SCHED_DAEMON) {
			svc_daemon_count(bp, v);
			svc_reconcile_daemon(bp, vi);
		} else if (v->bg.stage != BG_NONE) {
			svc_bg_reconcile(bp, vi);
		} else {
			svc_reconcile_replica(bp, vi);
		}
		/* a deployment the rolling pass completed (deployments.csv; a
		 * blue/green one writes its own rows) */
		if (!bg && prim == v->primary && was == ROLL_IN_PROGRESS && v->deps[prim].rollout == ROLL_COMPLETED)
			svc_dep_row(bp, v, prim, "COMPLETED", 1000);
	}
	tell_rollout(bp, v);
	svcev_after(bp, v);
}

/* A blue/green deployment's timed step (docs/ecs-model.md §5.7). */
static void on_bg(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct svc *v = ev->target;

	(void)s;
	svc_bg_timer(bp, (int)(v - svc_sched(bp)->svcs));
	tell_rollout(bp, v);
	svcev_after(bp, v);
}

/* A call made before CreateService took effect (the trace refuses one
 * made before CreateService itself, trace_events.c): kept, in order, for
 * svc_early.  1 when kept. */
static int svc_call_early(struct svc *v, int kind, int64_t arg)
{
	if (v->created)
		return 0;
	XGROW(v->early, v->cap_early, v->n_early + 1);
	v->early[v->n_early++] = (struct svc_call){ kind, arg };
	return 1;
}

static void svc_set_desired(struct backplane *bp, int vi, int64_t desired)
{
	struct svc *v = &svc_sched(bp)->svcs[vi];

	if (svc_call_early(v, BN_SERVICE_DESIRED, desired) || v->cfg->sched == SCHED_DAEMON || v->deleting)
		return;
	svc_account(bp, v);
	/* during a rolling deployment a new desired count is shared by the
	 * revisions in proportion to their targets: each older deployment's
	 * becomes floor(target × new / old), the primary has the rest
	 * (docs/ecs-model.md §5.3, choice E112) */
	if (v->desired > 0 && desired != v->desired)
		for (int i = 0; i < v->n_deps; i++)
			if (i != v->primary && v->deps[i].want > 0)
				v->deps[i].want = v->deps[i].want * desired / v->desired;
	/* during a blue/green, linear or canary deployment blue's target is
	 * the desired count itself until CLEAN_UP (docs/ecs-model.md §5.7,
	 * choice E123), through 0 too */
	if (v->bg.stage == BG_SCALE_UP || v->bg.stage == BG_SHIFT || v->bg.stage == BG_BAKE ||
	    v->bg.stage == BG_FAILED)
		v->deps[v->bg.blue].want = desired;
	v->desired = desired;
	trim_losses(bp, v);
	note_recovered(bp, v);
	svc_schedule(bp, vi, backplane_scenario(bp)->timing.api_latency);
}

/* DeleteService ends the service's deployments with it (docs/ecs-model.md
 * choice E239): the one in progress, if any (the PRIMARY's; a blue/green,
 * linear or canary one's green), is STOPPED, a deployments.csv row at the
 * call; no stage of it follows and its circuit breaker counts no more;
 * the others are INACTIVE (services.csv counts 1 from then on).  Traffic
 * stays split as it was: every target is being deregistered. */
static void end_deployments(struct backplane *bp, struct svc *v)
{
	int bg = v->bg.stage != BG_NONE, d = bg ? v->bg.green : v->primary;

	if (v->n_deps == 0)
		return;
	if (v->deps[d].rollout == ROLL_IN_PROGRESS) {
		v->deps[d].rollout = ROLL_STOPPED;
		svc_dep_row(bp, v, d, "STOPPED", bg ? v->bg.w : -1);
	}
	v->bg.stage = BG_NONE;
	v->bg.next = -1;
	for (int i = 0; i < v->n_deps; i++)
		if (i != v->primary) {
			v->deps[i].status = DEP_INACTIVE;
			v->deps[i].want = 0;
		}
}

/* DeleteService (docs/ecs-model.md §3.4, §5.1): the service is DRAINING: desired 0, its
 * tasks stopped, then INACTIVE. */
static void svc_delete(struct backplane *bp, int vi)
{
	struct svc *v = &svc_sched(bp)->svcs[vi];

	if (svc_call_early(v, BN_SERVICE_DELETE, 0) || !v->active || v->deleting)
		return;
	svc_account(bp, v);
	v->deleting = 1;
	v->desired = 0;
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = bp_task_at(bp, v->tasks[k]);

		/* the scheduler stops them: listed in its TASKS_STOPPED
		 * row as any task it stops (choice E184) */
		if (t->desired == TD_RUNNING) {
			svc_stop(bp, v->tasks[k]);
			k = -1;
		}
	}
	end_deployments(bp, v);
	svcev_after(bp, v);
	if (v->n_tasks == 0) {
		svc_account(bp, v);
		v->active = 0;
	}
	/* its deployment is no longer in progress: its alarms stop being
	 * evaluated for it (choice E138), the scaler hears it */
	tell_rollout(bp, v);
}

static void svc_deploy(struct backplane *bp, int vi, int td)
{
	struct svc *v = &svc_sched(bp)->svcs[vi];

	/* a deleted service takes no deployment (the trace's row after a
	 * delete_service is refused: docs/ecs-model.md choice E238) */
	if (svc_call_early(v, BN_SERVICE_DEPLOY, td) || !v->active || v->deleting)
		return;
	if (v->cfg->deploy_strategy != DS_ROLLING && v->cfg->sched == SCHED_REPLICA && v->n_deps > 0) {
		/* blue/green, linear, canary (docs/ecs-model.md §5.7) */
		svc_bg_deploy(bp, vi, td);
	} else {
		svc_add_deployment(bp, v, td);
		svc_dep_row(bp, v, v->primary, "IN_PROGRESS", -1);
	}
	tell_rollout(bp, v);
	svc_schedule(bp, vi, backplane_scenario(bp)->timing.api_latency);
}

static void svc_sample(struct backplane *bp, sim_time_t now)
{
	for (int i = 0; i < svc_sched(bp)->n_svcs; i++) {
		struct svc *v = &svc_sched(bp)->svcs[i];
		int deps = 0;

		for (int k = 0; k < v->n_deps; k++)
			deps += v->deps[k].status != DEP_INACTIVE;
		metrics_on_service_sample(backplane_metrics(bp), now, v->cfg->name, v->desired, v->running,
					  v->pending, v->healthy, deps);
		svcev_sample(bp, v);
	}
}

static void svc_finish(struct backplane *bp, sim_time_t end)
{
	for (int i = 0; i < svc_sched(bp)->n_svcs; i++) {
		struct svc *v = &svc_sched(bp)->svcs[i];
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
			.index = i,
		};

		sim_set_now(backplane_sim(bp), end);
		svc_account(bp, v);
		for (int k = 0; k < v->n_recs; k++)
			metrics_on_recovery(backplane_metrics(bp), v->recs[k].fault_id, v->cfg->name, v->recs[k].lost, -1);
		v->n_recs = 0;
		if ((v->active || v->deleting) && span > 0) {
			sum.availability_pct = 100.0 * v->avail_acc / (double)span;
			sum.full_capacity_pct = 100.0 * v->full_acc / (double)span;
			sum.availability_physical_pct = 100.0 * v->phys_acc / (double)span;
		}
		metrics_on_service_summary(backplane_metrics(bp), &sum);
	}
}

/* A task of service `from` changed (placed, started, stopped): a DAEMON
 * whose constraints read other tasks gets a pass, to stop its task where
 * the constraints no longer hold or start one where they now do
 * (docs/ecs-model.md §4.10, choice E116); `from` -1: a standalone task
 * was placed or stopped (BN_STANDALONE_TASK, sent while such a DAEMON
 * exists). */
static void poke_dynamic(struct backplane *bp, int from)
{
	if (svc_sched(bp)->n_dynamic == 0)
		return;
	for (int i = 0; i < svc_sched(bp)->n_svcs; i++)
		if (i != from && svc_sched(bp)->svcs[i].dynamic)
			svc_schedule(bp, i, backplane_scenario(bp)->timing.scheduler_delay);
}

/* A note that changes a listed task's part in its service's live counts
 * (a task not listed yet is counted as it is listed: svc_list_add), each
 * told as the backplane sends it: its desired status STOPPED already
 * (BN_TASK_STOPPING), healthy and not unhealthy already, the flags before
 * in `from` (BN_TASK_HEALTHY), unhealthy already but its healthy flag
 * cleared only after the note (BN_TASK_UNHEALTHY; only a live task that
 * was not unhealthy), and leaving RUNNING with its healthy flag cleared
 * after the note (BN_TASK_SEEN). */
static void svc_live_note(struct backplane *bp, const struct task *t, const struct bp_note *n)
{
	struct svc *v = &svc_sched(bp)->svcs[t->svc];

	if (!listed(v, t, n->slot))
		return;
	switch (n->kind) {
	case BN_TASK_STOPPING:
		live_add(v, -1, -t->healthy, -t->unhealthy);
		break;
	case BN_TASK_HEALTHY:
		if (svc_live(t))
			live_add(v, 0, 1 - (n->from & 1), -(n->from >> 1 & 1));
		break;
	case BN_TASK_UNHEALTHY:
		live_add(v, 0, -t->healthy, 1);
		break;
	case BN_TASK_SEEN:
		if (svc_live(t) && n->from == TS_RUNNING && n->to != TS_RUNNING)
			live_add(v, 0, -t->healthy, 0);
		break;
	default:
		break;
	}
}

static void on_note(struct backplane *bp, void *ctx, const struct bp_note *n)
{
	struct task *t = (n->kind <= BN_LAUNCH_FAILED && n->kind >= BN_TASK_SEEN) ||
		n->kind == BN_TASK_UNHEALTHY || n->kind == BN_TASK_STOPPING ? bp_task_at(bp, n->slot) : NULL;

	(void)ctx;
	if (t && t->svc < 0)
		return;            /* a standalone task */
	switch (n->kind) {
	case BN_START:
		svc_init_all(bp);
		break;
	case BN_TASK_SEEN:
		svc_live_note(bp, t, n);
		svc_on_state(bp, t, (enum task_state)n->from, (enum task_state)n->to);
		poke_dynamic(bp, t->svc);
		break;
	case BN_TASK_RUNNING:
		svc_on_task_running(bp, t);
		break;
	case BN_TASK_CHECK_FAILED:
		if (t) {
			breaker_count(bp, &svc_sched(bp)->svcs[t->svc], t);
			tell_rollout(bp, &svc_sched(bp)->svcs[t->svc]);
		}
		break;
	case BN_TASK_HEALTHY:
		svc_live_note(bp, t, n);
		svc_on_task_healthy(bp, t);
		break;
	case BN_TASK_UNHEALTHY:
		svc_live_note(bp, t, n);
		/* replaced first, then stopped (docs/ecs-model.md §5.3); the
		 * backplane clears its healthy flag after this notification */
		svc_account(bp, &svc_sched(bp)->svcs[t->svc]);
		if (t->healthy)
			svc_sched(bp)->svcs[t->svc].healthy--;
		/* a DAEMON task has no room for a second copy on its instance:
		 * stopped at once, then started again */
		if (svc_sched(bp)->svcs[t->svc].cfg->sched == SCHED_DAEMON)
			svc_stop(bp, n->slot);
		svc_schedule(bp, t->svc, backplane_scenario(bp)->timing.scheduler_delay);
		break;
	case BN_STANDALONE_TASK:
		poke_dynamic(bp, -1);
		break;
	case BN_TASK_STOPPED:
		poke_dynamic(bp, t->svc);
		svc_on_task_stopped(bp, t);
		tell_rollout(bp, &svc_sched(bp)->svcs[t->svc]);   /* the breaker may have tripped */
		break;
	case BN_TASK_CREATED:
		svcev_started(bp, &svc_sched(bp)->svcs[t->svc], t);
		break;
	case BN_LAUNCH_FAILED:
		svc_on_launch_failed(bp, t);
		break;
	case BN_TASK_STOPPING:
		svc_live_note(bp, t, n);
		break;
	case BN_INSTANCE_STATUS:
		svc_on_instance(bp, n->inst);
		break;
	case BN_INSTANCE_DOWN:
		svc_avail_host_down(bp, n->inst);
		break;
	case BN_CAPACITY:
		svc_capacity_changed(bp, n->az);
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
	struct sched *sc = xcalloc(1, sizeof *sc);

	bp_set_actor_state(bp, BA_SERVICE, sc);
	sc->ev_reconcile = sim_on(backplane_sim(bp), "service-reconcile", on_reconcile, bp);
	sc->ev_svc_create = sim_on(backplane_sim(bp), "service-create", on_create, bp);
	sc->ev_rebalance = sim_on(backplane_sim(bp), "service-rebalance-check", on_rebalance_check, bp);
	sc->ev_bg = sim_on(backplane_sim(bp), "service-bluegreen-step", on_bg, bp);
	svc_alarms_attach(bp);
	bp_subscribe(bp, BN_BIT(BN_START) | BN_BIT(BN_TASK_SEEN) | BN_BIT(BN_TASK_RUNNING) |
		     BN_BIT(BN_TASK_HEALTHY) | BN_BIT(BN_TASK_UNHEALTHY) | BN_BIT(BN_TASK_STOPPED) | BN_BIT(BN_TASK_STOPPING) | BN_BIT(BN_LAUNCH_FAILED) |
		     BN_BIT(BN_TASK_CREATED) |
		     BN_BIT(BN_TASK_CHECK_FAILED) |
		     BN_BIT(BN_INSTANCE_STATUS) | BN_BIT(BN_INSTANCE_DOWN) | BN_BIT(BN_CAPACITY) | BN_BIT(BN_FAULT_LOST) |
		     BN_BIT(BN_SERVICE_DESIRED) | BN_BIT(BN_SERVICE_DEPLOY) |
		     BN_BIT(BN_SERVICE_DELETE) | BN_BIT(BN_SAMPLE) | BN_BIT(BN_FINISH) |
		     BN_BIT(BN_FREE) | BN_BIT(BN_STANDALONE_TASK), on_note, NULL);
}
