/* models/service_bg.c — ECS-native blue/green, linear and canary
 * deployments of a REPLICA service (docs/ecs-model.md §5.7, choices
 * E121–E127).
 *
 * A `deploy` (UpdateService to a new revision) of a service whose
 * deploymentConfiguration.strategy is BLUE_GREEN, LINEAR or CANARY adds the
 * new revision as a deployment of its own (green) beside the one in
 * production (blue), which keeps every task it has: its target is the
 * desired count, and a task it loses is started again of its own revision
 * (§5.3, choice E8).  The stages, each a row of deployments.csv:
 *   - SCALE_UP: green's tasks are started up to the desired count beside
 *     blue's (maximumPercent does not bound them, choice E123); green's
 *     targets register with the service's target groups and their health
 *     checks run, but they take no production traffic (weight 0);
 *   - once green has the desired count of healthy tasks (§5.2):
 *     TEST_TRAFFIC_SHIFT (test traffic only: no production effect), then
 *     PRODUCTION_TRAFFIC_SHIFT: BLUE_GREEN sends all production traffic to
 *     green at once; LINEAR raises green's share by stepPercent every
 *     stepBakeTimeInMinutes, the last step capped at 100 %; CANARY sends
 *     canaryPercent, then after canaryBakeTimeInMinutes the rest;
 *   - BAKE_TIME, from the shift to 100 %: both revisions run for
 *     bakeTimeInMinutes (blue's lost tasks still replaced by its own); if
 *     green is not steady then (it lost a task), BAKE_TIME lasts until the
 *     first pass that finds it steady again (choice E183), or until its
 *     missing task finds no room: only CLEAN_UP frees blue's (E194);
 *   - CLEAN_UP: blue's tasks are stopped (their targets drain, §6.3) and
 *     the deployment is COMPLETED once they have stopped, at the pass the
 *     last one's stop calls (choice E241); a blue task under scale-in
 *     protection (§5.14) is left until its protection expires, the
 *     deployment COMPLETED when no blue task is left (choice E140).
 * A headless service (no load balancer) goes through the same stages; the
 * shares change nothing (no managed traffic shift, choice E124).
 * The circuit breaker (§5.6) counts green's failures at every stage before
 * CLEAN_UP; at the threshold the deployment FAILS: with rollback, traffic
 * goes back to blue at once and green's tasks are stopped, blue untouched;
 * without, green launches nothing more and the stages stop where they are,
 * both revisions kept (choice E125).  A new `deploy` during the deployment
 * stops it: green's tasks are stopped, its traffic back to blue, and the new
 * revision starts a deployment of its own from blue (choice E126).
 * During the stages unhealthy tasks and tasks on DRAINING instances are
 * replaced first and stopped once their revision has its target healthy
 * (choice E123); with no room for an unhealthy task's replacement, one
 * unhealthy task at a time is stopped to clear up capacity (choice E185);
 * with no room for the replacement of a task on a DRAINING instance, such
 * tasks go within their revision's minimumHealthyPercent floor (choice
 * E192).
 */
#include "service_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"

/* The share of production traffic to green changes: the load balancer
 * hears it (BN_SERVICE_TRAFFIC); `green` -1 ends the split. */
static void tell_traffic(struct backplane *bp, struct svc *v, int green, int w)
{
	v->bg.w = w;
	bp_notify(bp, &(struct bp_note){ .kind = BN_SERVICE_TRAFFIC, .svc = (int)(v - svc_sched(bp)->svcs),
					 .inst = -1, .td = green, .n = green >= 0 ? w : 0 });
}

/* Stop every live task of deployment `dep` (the list may change under a
 * stop: start again from the top). */
static void stop_all(struct backplane *bp, struct svc *v, int dep)
{
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = bp_task_at(bp, v->tasks[k]);

		if (svc_live(t) && t->dep == dep) {
			svc_stop(bp, v->tasks[k]);
			k = -1;
		}
	}
}

/* A new revision during the deployment (choice E126): green is stopped. */
static void abandon(struct backplane *bp, struct svc *v)
{
	int g = v->bg.green, b = v->bg.blue;

	v->deps[g].want = 0;
	v->deps[g].status = DEP_INACTIVE;
	v->deps[g].rollout = ROLL_FAILED;
	v->deps[b].status = DEP_PRIMARY;
	v->primary = b;
	v->bg.stage = BG_NONE;
	v->bg.next = -1;
	stop_all(bp, v, g);
	tell_traffic(bp, v, -1, 0);
	svc_dep_row(bp, v, g, "STOPPED", 0);
}

/* The end of CLEAN_UP, once no task but green's is left, none still
 * stopping (choice E241): the split ends, the deployment is COMPLETED. */
static void completed(struct backplane *bp, struct svc *v)
{
	int g = v->bg.green;

	v->bg.stage = BG_NONE;
	v->bg.next = -1;
	for (int i = 0; i < v->n_deps; i++)
		if (i != g)
			v->deps[i].status = DEP_INACTIVE;
	v->deps[g].rollout = ROLL_COMPLETED;
	tell_traffic(bp, v, -1, 0);
	svc_dep_row(bp, v, g, "COMPLETED", 1000);
}

/* Whether a task of a deployment other than green's is left: live, or
 * stopping (its targets draining, DEACTIVATING, then STOPPING and
 * DEPROVISIONING) until the service hears it STOPPED.  CLEAN_UP lasts
 * until blue has scaled down to none (docs/ecs-model.md §5.7, choice
 * E241, as E147 for a rolling deployment's older tasks); the last one's
 * stop calls the pass that completes the deployment. */
static int others_left(struct backplane *bp, const struct svc *v)
{
	for (int k = 0; k < v->n_tasks; k++)
		if (bp_task_at(bp, v->tasks[k])->dep != v->bg.green)
			return 1;
	return 0;
}

void svc_bg_deploy(struct backplane *bp, int vi, int td)
{
	struct svc *v = &svc_sched(bp)->svcs[vi];
	int blue;

	/* during CLEAN_UP green is production already: its deployment is
	 * COMPLETED, blue's protected tasks left to go when their protection
	 * expires (choice E140); before, the deployment is stopped (E126) */
	if (v->bg.stage == BG_CLEANUP)
		completed(bp, v);
	else if (v->bg.stage != BG_NONE)
		abandon(bp, v);
	blue = v->primary;
	svc_add_deployment(bp, v, td);
	/* blue keeps all its tasks until CLEAN_UP: its target is the desired
	 * count, its lost tasks started again of its own revision (E8) */
	v->deps[blue].want = v->desired;
	v->bg = (struct bluegreen){ .stage = BG_SCALE_UP, .green = v->primary, .blue = blue, .next = -1 };
	svc_dep_row(bp, v, v->bg.green, "IN_PROGRESS", 0);
	svc_dep_row(bp, v, v->bg.green, "SCALE_UP", 0);
	/* green's targets register apart, with no production traffic */
	tell_traffic(bp, v, v->bg.green, 0);
}

/* CLEAN_UP: blue's tasks go, the deployment is COMPLETED once they have
 * stopped (choice E241).  A task under scale-in protection is not stopped
 * by a deployment (§5.14): it keeps running, production traffic still all
 * on green, until its protection expires (the scaler's pass then stops
 * it); the deployment is COMPLETED when no blue task is left (choice
 * E140). */
static int green_steady(struct backplane *bp, const struct svc *v);

static void clean_up(struct backplane *bp, struct svc *v)
{
	int g = v->bg.green;
	sim_time_t now = sim_now(backplane_sim(bp));

	svc_dep_row(bp, v, g, "CLEAN_UP", v->bg.w);
	v->bg.stage = BG_CLEANUP;
	v->bg.next = -1;
	for (int i = 0; i < v->n_deps; i++)
		if (i != g)
			v->deps[i].want = 0;
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = bp_task_at(bp, v->tasks[k]);

		if (svc_live(t) && t->dep != g && t->protected_until <= now) {
			svc_stop(bp, v->tasks[k]);
			k = -1;
		}
	}
	/* COMPLETED once green is steady too (choice E183): CLEAN_UP may
	 * start with green short when its replacement found no room (E194) */
	if (!others_left(bp, v) && green_steady(bp, v))
		completed(bp, v);
	else      /* a pass stops the unhealthy or draining ones among them,
		   * or launches green's missing tasks into blue's room */
		svc_schedule(bp, (int)(v - svc_sched(bp)->svcs), backplane_scenario(bp)->timing.scheduler_delay);
}

/* Green at steady state: its desired count of tasks live and healthy,
 * none unhealthy nor on a DRAINING instance (blue's tasks aside: CLEAN_UP
 * stops them). */
static int green_steady(struct backplane *bp, const struct svc *v)
{
	int64_t n = 0;

	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = bp_task_at(bp, v->tasks[k]);

		if (!svc_live(t) || t->dep != v->bg.green)
			continue;
		if (!t->healthy || t->unhealthy || svc_on_draining(bp, t))
			return 0;
		n++;
	}
	return n == v->desired;
}

/* Green short of the desired count of live tasks neither unhealthy nor on
 * a DRAINING instance, the last launch of its missing tasks having found
 * no capacity and none launched since: in a full cluster only CLEAN_UP,
 * stopping blue, frees the room its replacement needs (choice E194). */
static int green_no_room(struct backplane *bp, const struct svc *v)
{
	int64_t n = 0;

	if (!v->bg.green_no_room)
		return 0;
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = bp_task_at(bp, v->tasks[k]);

		n += svc_live(t) && t->dep == v->bg.green && !t->unhealthy && !svc_on_draining(bp, t);
	}
	return n < v->desired;
}

/* The end of the (last) bake time: CLEAN_UP if green is steady; else the
 * deployment stays in BAKE_TIME, watched by its breaker and alarms, blue
 * kept, until the first pass that finds green steady again (its lost task
 * replaced and healthy): CLEAN_UP then, with no second bake (choice E183,
 * as E147 for a rolling deployment).  But green short with no room for its
 * missing tasks: CLEAN_UP at once, the bake over (choice E194). */
static void bake_over(struct backplane *bp, struct svc *v)
{
	if (green_steady(bp, v) || green_no_room(bp, v))
		clean_up(bp, v);
	else
		v->bg.baked = 1;
}

void svc_bg_launch_failed(struct backplane *bp, struct svc *v, const struct task *t)
{
	if (v->bg.stage == BG_NONE || t->dep != v->bg.green)
		return;
	v->bg.green_no_room = 1;
	/* the bake time over, green short and its replacement without room:
	 * CLEAN_UP now, which frees blue's room for it (choice E194) */
	if (v->bg.stage == BG_BAKE && v->bg.baked && green_no_room(bp, v))
		clean_up(bp, v);
}

/* The next production traffic shift (PRODUCTION_TRAFFIC_SHIFT), then the
 * wait its strategy gives; at 100 %, BAKE_TIME; a wait of 0 goes on at once. */
static void shift(struct backplane *bp, struct svc *v)
{
	const struct scn_service *c = v->cfg;

	for (;;) {
		sim_time_t wait;
		int w;

		v->bg.steps++;
		if (c->deploy_strategy == DS_LINEAR) {
			long step = lround(c->step_pct * 10.0);

			w = v->bg.steps * step >= 1000 ? 1000 : (int)(v->bg.steps * step);
		} else if (c->deploy_strategy == DS_CANARY) {
			w = v->bg.steps == 1 ? (int)lround(c->canary_pct * 10.0) : 1000;
		} else {
			w = 1000;
		}
		tell_traffic(bp, v, v->bg.green, w);
		svc_dep_row(bp, v, v->bg.green, "PRODUCTION_TRAFFIC_SHIFT", w);
		if (w >= 1000) {
			v->bg.stage = BG_BAKE;
			svc_dep_row(bp, v, v->bg.green, "BAKE_TIME", w);
			wait = (sim_time_t)c->bake_min * MINUTE_MS;
			if (wait == 0) {
				bake_over(bp, v);
				return;
			}
		} else {
			wait = (sim_time_t)(c->deploy_strategy == DS_LINEAR ? c->step_bake_min : c->canary_bake_min) *
			       MINUTE_MS;
			if (wait == 0)
				continue;
		}
		v->bg.next = sim_now(backplane_sim(bp)) + wait;
		sim_after(backplane_sim(bp), wait, svc_sched(bp)->ev_bg, v, 0);
		return;
	}
}

void svc_bg_timer(struct backplane *bp, int vi)
{
	struct svc *v = &svc_sched(bp)->svcs[vi];

	if (!v->active || v->deleting || v->bg.next != sim_now(backplane_sim(bp)))
		return;            /* a step of a deployment since stopped */
	v->bg.next = -1;
	if (v->bg.stage == BG_SHIFT)
		shift(bp, v);
	else if (v->bg.stage == BG_BAKE)
		bake_over(bp, v);
}

void svc_bg_failed(struct backplane *bp, int vi, int rollback)
{
	struct svc *v = &svc_sched(bp)->svcs[vi];
	int g = v->bg.green, b = v->bg.blue;

	svc_dep_row(bp, v, g, "FAILED", v->bg.w);
	v->bg.next = -1;
	if (!rollback) {
		/* the stages stop where they are; green launches nothing more
		 * (§5.6), both revisions kept (choice E125) */
		v->bg.stage = BG_FAILED;
		return;
	}
	/* rollback: production traffic back to blue at once, green's tasks
	 * stopped, blue's untouched: a new deployment of blue's revision
	 * adopts them (docs/ecs-model.md §5.6, choice E150), IN_PROGRESS,
	 * then COMPLETED by the rolling pass once steady (blue is at its
	 * target already: at the next pass unless it lost tasks) */
	v->bg.stage = BG_NONE;
	tell_traffic(bp, v, -1, 0);
	v->deps[g].want = 0;
	v->deps[g].status = DEP_INACTIVE;
	stop_all(bp, v, g);
	svc_dep_row(bp, v, svc_add_rollback(bp, v, b), "IN_PROGRESS", 1000);
}

/* A revision's target in the stages: blue's (an older revision's) its
 * deployment's; green's the desired count, 0 once FAILED (a FAILED green
 * launches nothing, choice E182). */
static int64_t bg_target(const struct svc *v, int dep)
{
	int g = v->bg.green;

	if (dep != g)
		return v->deps[dep].want;
	return v->bg.stage == BG_FAILED || v->deps[g].rollout == ROLL_FAILED ? 0 : v->desired;
}

/* Tasks on a DRAINING instance whose replacement finds no room during the
 * stages (docs/ecs-model.md §5.15, choice E192): they go, as many as leave
 * their revision at least ceil(target × minimumHealthyPercent / 100)
 * healthy tasks (live, healthy, not unhealthy, wherever they are, those on
 * DRAINING instances included); one not healthy, or unhealthy, lowers no
 * healthy count and goes whatever the floor.  At 100 a healthy one goes
 * only while its revision has more than its target healthy (a replacement
 * of another drained task is healthy).  `act`: stop them; else only count
 * them.  The number stopped (or that would be). */
static int drain_floor_stops(struct backplane *bp, struct svc *v, int act)
{
	int64_t *healthy;
	int n = 0;

	if (v->bg.stage == BG_NONE)
		return 0;
	healthy = xcalloc((size_t)v->n_deps, sizeof *healthy);
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = bp_task_at(bp, v->tasks[k]);

		if (svc_live(t) && t->healthy && !t->unhealthy)
			healthy[t->dep]++;
	}
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = bp_task_at(bp, v->tasks[k]);
		int64_t floor_;

		if (!svc_live(t) || !svc_on_draining(bp, t))
			continue;
		floor_ = (int64_t)ceil((double)bg_target(v, t->dep) * v->cfg->min_healthy_pct / 100.0);
		if (t->healthy && !t->unhealthy) {
			if (healthy[t->dep] - 1 < floor_)
				continue;
			healthy[t->dep]--;
		}
		n++;
		if (act) {
			svc_stop(bp, v->tasks[k]);
			k = -1;            /* the list may have changed */
		}
	}
	free(healthy);
	return n;
}

int svc_bg_drain_due(struct backplane *bp, struct svc *v)
{
	return drain_floor_stops(bp, v, 0) > 0;
}

/* A deployment's tasks in a pass: `good` live, not unhealthy, not on a
 * DRAINING instance; `good_healthy` of them healthy. */
struct bg_count {
	int64_t good, good_healthy;
};

void svc_bg_reconcile(struct backplane *bp, int vi)
{
	struct svc *v = &svc_sched(bp)->svcs[vi];
	int g = v->bg.green;
	sim_time_t now = sim_now(backplane_sim(bp)), wake = -1;
	struct bg_count *bc = xcalloc((size_t)v->n_deps, sizeof *bc);
	/* no room for a replacement: the last launch found no capacity
	 * (maximumPercent bounds nothing in the stages, choice E123); `busy`:
	 * a task of the service still starting or still stopping */
	int no_room = v->wants_capacity, busy = 0, went = 0;

	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = bp_task_at(bp, v->tasks[k]);

		if (!svc_live(t)) {
			busy = 1;          /* stopping: its stop calls a pass */
			continue;
		}
		if (svc_on_draining(bp, t))
			continue;
		if (!t->unhealthy) {
			bc[t->dep].good++;
			bc[t->dep].good_healthy += t->healthy;
			busy |= !t->healthy;   /* starting: its health calls a pass */
		}
	}
	/* an unhealthy task, or one on a DRAINING instance, goes once its
	 * revision has its target healthy without it, or when its revision
	 * has none (choice E123; a FAILED green has none, E182); then a
	 * revision's tasks above its target,
	 * green's by the scale-in rule (§4.6), blue's not-yet-healthy first */
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = bp_task_at(bp, v->tasks[k]);
		/* a FAILED green launches nothing: no replacement can come
		 * for its unhealthy tasks, which go at once (choice E182) */
		int64_t target = bg_target(v, t->dep);

		if (!svc_live(t) || (!t->unhealthy && !svc_on_draining(bp, t)))
			continue;
		if (target > 0 && bc[t->dep].good_healthy < target)
			continue;
		svc_stop(bp, v->tasks[k]);
		went++;
		k = -1;
	}
	/* no room for an unhealthy task's replacement: the scheduler stops
	 * the unhealthy tasks one by one to clear up capacity (AWS
	 * DeploymentConfiguration.minimumHealthyPercent; docs/ecs-model.md
	 * §5.3, choices E103, E185), in the stages too: one, when none went
	 * above, none is starting and none stopping; blue's (an older
	 * revision's, the oldest first) before green's, as their launches
	 * below come first, so the room it frees goes to its own revision's
	 * replacement, launched in this pass (unless an older revision is
	 * short too, its drained task stopped by E192: its launch first takes
	 * the room a green task's stop freed).  minimumHealthyPercent never
	 * holds it back: stopping an unhealthy task lowers no healthy count */
	if (no_room && !went && !busy) {
		int best = -1;
		uint32_t slot = 0;

		for (int k = 0; k < v->n_tasks; k++) {
			struct task *t = bp_task_at(bp, v->tasks[k]);
			int rank = t->dep == g ? v->n_deps : t->dep;

			if (!svc_live(t) || !t->unhealthy || svc_on_draining(bp, t))
				continue;
			if (best < 0 || rank < best) {
				best = rank;
				slot = v->tasks[k];
			}
		}
		if (best >= 0)
			svc_stop(bp, slot);
	}
	/* no room for the replacement of a task on a DRAINING instance:
	 * draining stops it within minimumHealthyPercent (§5.15), its
	 * revision's floor (choice E192); it frees no room the replacements
	 * can use, so it is not one of E185's one-by-one stops */
	if (no_room)
		drain_floor_stops(bp, v, 1);
	for (int i = 0; i < v->n_deps; i++) {
		if (i == g)
			continue;
		for (int pass = 0; pass < 2 && bc[i].good > v->deps[i].want; pass++)
			for (int k = 0; k < v->n_tasks && bc[i].good > v->deps[i].want; k++) {
				struct task *t = bp_task_at(bp, v->tasks[k]);

				/* a protected task is not stopped by a scale-in
				 * or a deployment (§5.14) */
				if (!svc_live(t) || t->dep != i || t->unhealthy || svc_on_draining(bp, t) ||
				    (int)t->healthy != pass || t->protected_until > now)
					continue;
				bc[i].good--;
				bc[i].good_healthy -= t->healthy;
				svc_stop(bp, v->tasks[k]);
				k = -1;
			}
	}
	if (bc[g].good > v->desired)
		svc_stop_excess(bp, v, bc[g].good - v->desired);
	/* launches: blue's missing tasks of its own revision, then green's up
	 * to the desired count (unless FAILED), each deployment within its
	 * own throttle (§5.4, choice E117) */
	svc_want_capacity(bp, v, 0);
	for (int i = 0; i < v->n_deps; i++) {
		int64_t target = i == g ? v->desired : v->deps[i].want;

		if (i == g && (v->deps[g].rollout == ROLL_FAILED || v->bg.stage == BG_FAILED))
			continue;
		if (bc[i].good >= target)
			continue;
		if (now < v->deps[i].throttle_until) {
			if (wake < 0 || v->deps[i].throttle_until < wake)
				wake = v->deps[i].throttle_until;
			continue;
		}
		while (bc[i].good < target && svc_launch_dep(bp, vi, i) != UINT32_MAX) {
			bc[i].good++;
			if (i == g)
				v->bg.green_no_room = 0;   /* a new try (E194) */
		}
	}
	if (wake >= 0 && v->throttle_wake != wake) {
		v->throttle_wake = wake;
		sim_after(backplane_sim(bp), wake - now, svc_sched(bp)->ev_reconcile, v, 1);
	}
	/* the bake time over while green was not steady: CLEAN_UP at the
	 * first pass that finds it steady (choice E183) */
	if (v->bg.stage == BG_BAKE && v->bg.baked && green_steady(bp, v))
		clean_up(bp, v);
	/* CLEAN_UP waiting for blue's tasks to stop (choice E241) or for its
	 * protected ones (E140): done when none is left and green is steady
	 * (choice E183) */
	if (v->bg.stage == BG_CLEANUP && !others_left(bp, v) && green_steady(bp, v))
		completed(bp, v);
	/* green at the desired count, all healthy: the traffic shifts */
	if (v->bg.stage == BG_SCALE_UP && bc[g].good_healthy >= v->desired) {
		svc_dep_row(bp, v, g, "TEST_TRAFFIC_SHIFT", 0);
		v->bg.stage = BG_SHIFT;
		shift(bp, v);
	}
	free(bc);
}
