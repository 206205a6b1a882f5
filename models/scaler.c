/* models/scaler.c — service auto scaling as an actor of the control plane
 * (docs/ecs-model.md §5.10, §7.2).
 *
 * Each minute (controlPlane.serviceAutoScalingPeriodSeconds, default 60 s:
 * ECS computes the service metrics once a minute; docs/ecs-model.md §5.10,
 * choice E236; "minute" below means that period, the first one ending that
 * long after the start) the agents' per-task utilisation is drawn from the task
 * definition's utilisation model (`utilization`, models/capacity/
 * utilization.h) and averaged over each scaled service's running tasks as
 * CloudWatch does (Σ used / Σ reserved); the service's Application Auto
 * Scaling policies (models/capacity/app_scaling.h) take the datapoint and
 * the scaler acts only through the backplane's public API: UpdateService
 * desiredCount (backplane_set_desired).  Every decision is a row of
 * scaling.csv (models/capacity/scaling_csv.h), written only when a service
 * has `autoScaling`.  With the load-balancer model (models/lb/lb.h, its
 * read-only views) the scaler also reads ALBRequestCountPerTarget — the
 * requests the policy's target group received since the last datapoint per
 * healthy target, per minute — and derives the utilisation of
 * `fromRequests` models from the requests each task's targets received (docs/ecs-model.md §5.10, choices
 * E90–E92).  A scenario without `autoScaling` schedules nothing and
 * draws nothing: its outputs are those of a run without this actor.
 *
 * Task scale-in protection (`taskProtection`, docs/ecs-model.md §5.14): the
 * tasks of the service protect themselves when they start RUNNING
 * (UpdateTaskProtection through the backplane), a share `protectedFraction`
 * of them, deterministically: the k-th task to start (k = 0, 1, ...) when
 * floor((k + 1) f) > floor(k f).  When a protection expires the scaler
 * re-issues the service's desired count (UpdateService), standing for the
 * scheduler's periodic re-evaluation, so a scale-in or a deployment held
 * back by it completes.
 *
 * While a deployment of a scaled service is in progress (BN_SERVICE_ROLLOUT)
 * its policies' scale-in is suspended, as ECS has Application Auto Scaling
 * do (docs/ecs-model.md §5.5): a scale-in due then is not applied and not
 * written; the alarms' runs go on, so it acts at the first datapoint after
 * the deployment completes (or fails) if the metric is still low.
 *
 * Scheduled actions act at their own times, not at datapoints: one event
 * per scaled service for its next action (choice E236).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/backplane.h"
#include "models/bp_msg.h"
#include "models/capacity/app_scaling.h"
#include "models/capacity/capacity_config.h"
#include "models/capacity/scaling_csv.h"
#include "models/capacity/task_protection.h"
#include "models/capacity/utilization.h"
#include "models/lb/lb.h"
#include "models/metrics.h"
#include "models/scenario.h"
#include "models/task.h"
#include "sim/csvout.h"
#include "sim/mem.h"
#include "sim/rng.h"
#include "sim/sim.h"

struct tracked {               /* a RUNNING task of a scaled service */
	uint32_t slot;
	sim_time_t at;              /* start of its current minute (RUNNING, then each tick) */
	double rx[LB_MAX_PER_SERVICE];  /* requests its targets had received at `at` */
};

struct scaled {
	int svc;
	struct aas_state st;
	int64_t desired;            /* as the scaler last saw it set */
	struct tracked *slots;      /* its RUNNING tasks */
	int n, cap;
	int alb_tg;                 /* ALBRequestCountPerTarget's target group, -1 = none */
	double alb_last;            /* its requests received up to the last datapoint */
	int created;                /* CreateService has taken effect (its first rollout) */
	int sched_held;             /* an action came due before that: it acts then */
	int deleted;                /* DeleteService was called: no more scaling */
};

struct scaler {
	struct scaled *v;
	int n;
	int *of_svc;                /* service index → v index, -1 */
	int64_t *desired;           /* every service's desired count as last set */
	int64_t *started;           /* tasks of each service that reached RUNNING */
	uint32_t ev_tick, ev_expire, ev_sched;
	gsl_rng *rng;
};

static struct scaled *scaled_of(struct scaler *sc, int svc)
{
	return svc >= 0 && sc->of_svc[svc] >= 0 ? &sc->v[sc->of_svc[svc]] : NULL;
}

/* Share (0..1) of the task's load-balancer workers busy over its minute
 * (docs/ecs-model.md §5.10, choice E92): per request, the requests its
 * targets received since `at` × E[S] / the minute's length (Little's law,
 * at most every worker); in aggregate mode the offered rate now × E[S].
 * Summed over its targets with traffic, over their workers.  NaN: no
 * target with traffic, or no time elapsed. */
static double busy_share(struct backplane *bp, const struct tracked *tk, sim_time_t now)
{
	struct lb *lb = lb_actor_world(bp);
	int tg[LB_MAX_PER_SERVICE], ti[LB_MAX_PER_SERVICE];
	int n = lb ? lb_actor_task_targets(bp, tk->slot, tg, ti) : 0;
	double busy = 0, workers = 0, dt = (double)(now - tk->at) / 1000.0;

	for (int k = 0; k < n; k++) {
		struct lb_target_load l;
		double b;

		lb_target_load(lb, tg[k], ti[k], now, &l);
		if (!l.has_traffic || l.workers <= 0)
			continue;
		if (l.aggregate)
			b = l.rate * l.mean_service_s;
		else if (dt > 0)
			b = (l.received - tk->rx[k]) * l.mean_service_s / dt;
		else
			continue;
		busy += b < l.workers ? b : l.workers;
		workers += l.workers;
	}
	return workers > 0 ? busy / workers : NAN;
}

/* The service's average utilisation of one resource this minute; NaN when
 * no task runs or a running task's definition has no model of it.  A task
 * whose model is `fromRequests` and that has no busy share this minute
 * (not yet a target with traffic) is left out of the average. */
static double service_metric(struct backplane *bp, struct scaler *sc, struct scaled *d, int mem)
{
	struct scenario *s = backplane_scenario(bp);
	sim_time_t now = sim_now(backplane_sim(bp));
	double used = 0, reserved = 0;

	for (int i = 0; i < d->n; i++) {
		struct task *t = bp_task_at(bp, d->slots[i].slot);
		const struct cap_util *u = cap_util_for(s->capacity, s->taskdefs[t->td].name);
		double res = mem ? (double)s->taskdefs[t->td].req.mem_mib : (double)s->taskdefs[t->td].req.cpu_units;
		const struct util_model *m;
		double pct;

		if (!u || !(mem ? u->has_mem : u->has_cpu))
			return NAN;
		m = mem ? &u->mem : &u->cpu;
		if (m->kind == UTIL_REQUESTS) {
			double b = busy_share(bp, &d->slots[i], now);

			if (isnan(b))
				continue;
			pct = util_from_busy(m, b);
		} else {
			pct = util_at(m, now, sc->rng);
		}
		if (u->shared_by > 0)           /* the service's load split over its running tasks */
			pct = pct * u->shared_by / d->n;
		used += res * pct / 100;
		reserved += res;
	}
	return util_aggregate(&used, &reserved, reserved > 0 ? 1 : 0);
}

/* ALBRequestCountPerTarget this minute (docs/ecs-model.md §5.10, choice
 * E90): the requests routed to the target group's targets since the last datapoint
 * over its healthy targets now (over its registered targets when none is
 * healthy); NaN when no target is registered.  With a datapoint period other
 * than a minute the count is scaled to a minute (× 60 s / period, exactly 1
 * at the default), so a policy's targetValue keeps its unit, requests per
 * target per minute (choice E236). */
static double alb_metric(struct backplane *bp, struct scaled *d)
{
	struct lb *lb = lb_actor_world(bp);
	struct lb_tg_now g;
	double got;

	if (d->alb_tg < 0 || !lb)
		return NAN;
	lb_tg_now(lb, d->alb_tg, sim_now(backplane_sim(bp)), &g);
	got = (g.arrivals - d->alb_last) * (60000.0 / (double)backplane_scenario(bp)->timing.aas_period);
	d->alb_last = g.arrivals;
	if (g.healthy > 0)
		return got / g.healthy;
	return g.registered > 0 ? got / g.registered : NAN;
}

/* The next minute of each fromRequests task starts now. */
static void new_minute(struct backplane *bp, struct scaled *d, sim_time_t now)
{
	struct lb *lb = lb_actor_world(bp);

	for (int i = 0; lb && i < d->n; i++) {
		struct tracked *tk = &d->slots[i];
		int tg[LB_MAX_PER_SERVICE], ti[LB_MAX_PER_SERVICE];
		int n = lb_actor_task_targets(bp, tk->slot, tg, ti);

		for (int k = 0; k < n; k++) {
			struct lb_target_load l;

			lb_target_load(lb, tg[k], ti[k], now, &l);
			tk->rx[k] = l.received;
		}
		tk->at = now;
	}
}

static void apply(struct backplane *bp, struct scaler *sc, struct scaled *d,
		  const struct aas_decision *x, const char *action)
{
	struct scenario *s = backplane_scenario(bp);
	const struct aas_config *c = s->services[d->svc].scaling;
	struct scl_row r = { sim_now(backplane_sim(bp)), SCL_SERVICE, s->services[d->svc].name,
		x->policy >= 0 ? aas_metric_name(c->policies[x->policy].metric) : "",
		x->metric, x->old_desired, x->new_desired, action, x->reason };

	(void)sc;
	bp_scaling_write(bp, &r);
	d->desired = x->new_desired;
	backplane_set_desired(bp, d->svc, x->new_desired);
}

/* Service v[i]'s next scheduled action, at its own time (docs/ecs-model.md
 * §5.10, choice E236): one event pending per service that has any, the
 * next one asked for when it fires (none past the last). */
static void sched_next(struct backplane *bp, struct scaler *sc, int i)
{
	struct sim *sim = backplane_sim(bp);
	const struct aas_config *c = backplane_scenario(bp)->services[sc->v[i].svc].scaling;
	int64_t t = aas_next_scheduled(c, &sc->v[i].st);
	sim_time_t now = sim_now(sim);

	if (t < INT64_MAX)
		sim_after(sim, t > now ? t - now : 0, sc->ev_sched, bp, (uint64_t)i);
}

/* "At the specified time, Application Auto Scaling scales based on the new
 * capacity values": the actions due now set min and max and pull the
 * desired count inside them.  A datapoint at the same instant applies them
 * first, whichever of the two events runs first (on_tick). */
static void on_sched(struct sim *sim, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct scaler *sc = bp_actor_state(bp, BA_SCALER);
	int i = (int)ev->arg;
	struct scaled *d = &sc->v[i];
	struct aas_decision x;

	if (d->deleted)                 /* (no next one either) */
		return;
	if (!d->created) {              /* no scalable target yet: at the creation */
		d->sched_held = 1;
		return;
	}
	if (aas_scheduled(backplane_scenario(bp)->services[d->svc].scaling, &d->st, sim_now(sim),
			  (int)d->desired, &x) >= 0)
		apply(bp, sc, d, &x, "scheduled");
	sched_next(bp, sc, i);
}

static void on_tick(struct sim *sim, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct scaler *sc = bp_actor_state(bp, BA_SCALER);
	struct scenario *s = backplane_scenario(bp);
	sim_time_t now = sim_now(sim);

	(void)ev;
	for (int i = 0; i < sc->n; i++) {
		struct scaled *d = &sc->v[i];
		const struct aas_config *c = s->services[d->svc].scaling;
		double m[AAS_N_METRICS];
		struct aas_decision x;
		int nd;

		if (!d->created)        /* no service, no datapoint */
			continue;
		/* an action due at this instant whose own event (on_sched)
		 * has not run yet: before the datapoint */
		nd = d->deleted ? -1 : aas_scheduled(c, &d->st, now, (int)d->desired, &x);
		if (nd >= 0)
			apply(bp, sc, d, &x, "scheduled");
		m[AAS_CPU] = service_metric(bp, sc, d, 0);
		m[AAS_MEMORY] = service_metric(bp, sc, d, 1);
		m[AAS_ALB_REQUESTS] = alb_metric(bp, d);
		new_minute(bp, d, now);
		metrics_set_service_util(backplane_metrics(bp), s->services[d->svc].name, m[AAS_CPU], m[AAS_MEMORY]);
		/* a deleted service is not ACTIVE: Application Auto Scaling's
		 * UpdateService would fail (ServiceNotActiveException), so it
		 * scales no more; its tasks' utilization is still written
		 * while they drain (docs/ecs-model.md choice E238) */
		if (d->deleted)
			continue;
		nd = aas_datapoint(c, &d->st, now, m, (int)d->desired, &x);
		if (nd >= 0 && nd != x.old_desired)
			apply(bp, sc, d, &x, nd > x.old_desired ? "scale-out" : "scale-in");
	}
	sim_after(sim, s->timing.aas_period, sc->ev_tick, bp, 0);
}

static void track(struct scaled *d, uint32_t slot, int add, sim_time_t now)
{
	for (int i = 0; i < d->n; i++)
		if (d->slots[i].slot == slot) {
			if (!add)
				d->slots[i] = d->slots[--d->n];
			return;
		}
	if (!add)
		return;
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 8;
		d->slots = xrealloc(d->slots, (size_t)d->cap * sizeof *d->slots);
	}
	memset(&d->slots[d->n], 0, sizeof d->slots[d->n]);
	d->slots[d->n].slot = slot;
	d->slots[d->n++].at = now;       /* its targets register now: nothing received yet */
}

/* A protection ended: the scheduler looks at the service again. */
static void on_expire(struct sim *sim, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct scaler *sc = bp_actor_state(bp, BA_SCALER);
	int svc = (int)ev->arg;

	(void)sim;
	backplane_set_desired(bp, svc, sc->desired[svc]);
}

static void protect(struct backplane *bp, struct scaler *sc, uint32_t slot)
{
	struct task *t = bp_task_at(bp, slot);
	const struct cap_protection *p;
	sim_time_t now = sim_now(backplane_sim(bp)), until;
	int64_t k;

	if (t->svc < 0 || !(p = backplane_scenario(bp)->services[t->svc].protection))
		return;
	k = sc->started[t->svc]++;
	if (floor((double)(k + 1) * p->fraction) <= floor((double)k * p->fraction))
		return;
	until = tp_expiry_ms(now, p->minutes);
	backplane_protect_task(bp, slot, until);
	sim_after(backplane_sim(bp), until - now, sc->ev_expire, bp, (uint64_t)t->svc);
}

static void on_note(struct backplane *bp, void *ctx, const struct bp_note *n)
{
	struct scaler *sc = ctx;
	struct scaled *d;

	switch (n->kind) {
	case BN_GO:
		if (sc->n)
			sim_after(backplane_sim(bp), backplane_scenario(bp)->timing.aas_period, sc->ev_tick, bp, 0);
		for (int i = 0; i < sc->n; i++)
			sched_next(bp, sc, i);
		break;
	case BN_TASK_RUNNING:
	case BN_TASK_STOPPED:
		d = scaled_of(sc, bp_task_at(bp, n->slot)->svc);
		if (d)
			track(d, n->slot, n->kind == BN_TASK_RUNNING, sim_now(backplane_sim(bp)));
		if (n->kind == BN_TASK_RUNNING)
			protect(bp, sc, n->slot);
		break;
	case BN_SERVICE_DESIRED:
		sc->desired[n->svc] = n->n;
		d = scaled_of(sc, n->svc);
		if (d)
			d->desired = n->n;
		break;
	case BN_SERVICE_ROLLOUT:
		/* ECS suspends the service's dynamic scale-in while a
		 * deployment is in progress (docs/ecs-model.md §5.5) */
		d = scaled_of(sc, n->svc);
		if (!d)
			break;
		d->st.in_suspended = n->n != 0;
		/* the first rollout is CreateService's taking effect: the
		 * scalable target exists from now on, and an action that came
		 * due before acts now (after the creation's own work) */
		if (n->n && !d->created) {
			d->created = 1;
			if (d->sched_held) {
				d->sched_held = 0;
				sim_after(backplane_sim(bp), 0, sc->ev_sched, bp, (uint64_t)(d - sc->v));
			}
		}
		break;
	case BN_SERVICE_DELETE:
		d = scaled_of(sc, n->svc);
		if (d)
			d->deleted = 1;
		break;
	case BN_FREE:
		for (int i = 0; i < sc->n; i++) {
			aas_state_free(&sc->v[i].st);
			free(sc->v[i].slots);
		}
		free(sc->v);
		free(sc->of_svc);
		free(sc->desired);
		free(sc->started);
		free(sc);
		bp_set_actor_state(bp, BA_SCALER, NULL);
		break;
	default:
		break;
	}
}

void scaler_attach(struct backplane *bp)
{
	struct scenario *s = backplane_scenario(bp);
	struct scaler *sc;
	int n = 0;

	int prot = 0;

	for (int i = 0; i < s->n_services; i++) {
		n += s->services[i].scaling != NULL;
		prot |= s->services[i].protection != NULL;
	}
	if (!n && !prot)
		return;                 /* nothing scales: no events, no draws, no file */
	sc = xcalloc(1, sizeof *sc);
	sc->v = xcalloc((size_t)n + 1, sizeof *sc->v);
	sc->of_svc = xmalloc((size_t)s->n_services * sizeof *sc->of_svc);
	sc->desired = xcalloc((size_t)s->n_services, sizeof *sc->desired);
	sc->started = xcalloc((size_t)s->n_services, sizeof *sc->started);
	for (int i = 0; i < s->n_services; i++) {
		sc->of_svc[i] = -1;
		sc->desired[i] = s->services[i].desired;
		if (!s->services[i].scaling)
			continue;
		sc->of_svc[i] = sc->n;
		sc->v[sc->n].svc = i;
		sc->v[sc->n].desired = s->services[i].desired;
		sc->v[sc->n].alb_tg = -1;
		for (int k = 0; k < s->services[i].scaling->n_policies; k++)
			if (s->services[i].scaling->policies[k].metric == AAS_ALB_REQUESTS)
				sc->v[sc->n].alb_tg = s->services[i].scaling->policies[k].tg;
		aas_state_init(&sc->v[sc->n].st, s->services[i].scaling);
		sc->n++;
	}
	sc->rng = rng_stream(backplane_rng(bp), "utilization");
	sc->ev_tick = sim_on(backplane_sim(bp), "scaler-tick", on_tick, bp);
	sc->ev_expire = sim_on(backplane_sim(bp), "task-protection-expired", on_expire, bp);
	sc->ev_sched = sim_on(backplane_sim(bp), "scheduled-action", on_sched, bp);
	bp_set_actor_state(bp, BA_SCALER, sc);
	if (n)
		bp_scaling_open(bp);
	bp_subscribe(bp, BN_BIT(BN_GO) | BN_BIT(BN_TASK_RUNNING) | BN_BIT(BN_TASK_STOPPED) |
		     BN_BIT(BN_SERVICE_DESIRED) | BN_BIT(BN_SERVICE_ROLLOUT) | BN_BIT(BN_SERVICE_DELETE) | BN_BIT(BN_FREE),
		     on_note, sc);
}
