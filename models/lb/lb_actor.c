/* models/lb/lb_actor.c — the load balancer as an actor of the control
 * plane (models/bp_msg.h): it wires the load-balancer world (models/lb/lb.h)
 * to the services that name target groups (docs/ecs-model.md §6).
 *
 *   - a service task's targets are registered when the backplane hears it
 *     RUNNING (BN_TASK_RUNNING), in the AZ of its instance;
 *   - a stop the scheduler or a user asks for is held (bp_set_stop_hold):
 *     the targets are deregistered and drain, and the agent is told to stop
 *     only when the last has drained (bp_stop_release), so a stop costs up
 *     to the deregistration delay + stopTimeout (§6.3);
 *   - a task that stops while its targets drain (its instance terminated,
 *     a Spot one at the end of its notice) cuts their drain: what they had
 *     in flight fails then (§6.3);
 *   - an instance that goes down kills its targets at once (BN_INSTANCE_DOWN),
 *     and a whole-AZ outage takes that AZ's load-balancer nodes out for its
 *     length (BN_AZ_OUTAGE, §8.2); an instance deregistered with force
 *     leaves its tasks running, orphaned: their targets are deregistered
 *     and drain (BN_INSTANCE_DEREGISTERED, §2.4) until EC2 ends its host
 *     (BN_INSTANCE_DOWN), which cuts what they still drain (§6.3);
 *   - a target gone unhealthy marks its task unhealthy once the service's
 *     health-check grace period since RUNNING is over (§5.3, §5.8); the
 *     scheduler replaces it first, then stops it (ServiceSchedulerInitiated,
 *     the reason "Task failed ELB health checks in (target-group NAME)");
 *   - each failed check after the grace period is published as
 *     BN_TASK_CHECK_FAILED (the circuit breaker's stage 2, §5.6, §5.8);
 *   - the task is healthy in ECS's sense when all its targets are (§5.2):
 *     the agent's own 40 s / container rule is not used for such tasks;
 *   - a blue/green deployment's traffic shift (BN_SERVICE_TRAFFIC, §5.7)
 *     splits the service's target groups: the green deployment's targets
 *     get the share the scheduler gives, the others the rest.
 *
 * Nothing is set up for a scenario without target groups: its runs are as
 * they were.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/backplane.h"
#include "models/bp_msg.h"
#include "models/cluster.h"
#include "models/lb/lb.h"
#include "models/metrics.h"
#include "models/task.h"
#include "models/taskdef.h"
#include "sim/mem.h"

struct lb_entry {              /* the targets of the task in one slot */
	uint64_t ref;              /* its task's (0 also for slot 0's first task: entry_task) */
	int n;
	int tg[LB_MAX_PER_SERVICE], ti[LB_MAX_PER_SERVICE];
	int deregistered;          /* its targets drain */
	int draining;              /* targets still draining */
	int holding;               /* the agent's stop waits for them */
	int in_hold;               /* inside the stop-hold call */
	int orphaned;              /* its instance deregistered with force: it runs on */
};

struct lb_orphan {             /* a target of a task orphaned on a deregistered instance */
	int32_t inst;
	int tg, ti;
	uint64_t ref;              /* its task's */
};

struct lb_actor {
	struct backplane *bp;
	struct lb *lb;
	struct lb_entry *e;        /* by task slot */
	size_t cap;
	struct lb_orphan *orph;    /* orphaned tasks' targets, while they may drain */
	size_t n_orph, cap_orph;
	char **codes;              /* stoppedReason per target group */
	int *tg_svc;               /* per target group: the first service bound to it, -1 none */
	uint32_t ev_grace, ev_failed, ev_az_back;
};

static struct lb_entry *entry_of(struct lb_actor *a, uint64_t ref)
{
	uint32_t slot = ref_slot(ref);

	if (slot >= a->cap || a->e[slot].ref != ref)
		return NULL;
	return &a->e[slot];
}

static uint64_t task_ref(uint32_t slot, const struct task *t)
{
	return (uint64_t)slot << 32 | t->gen;
}

static sim_time_t now_of(struct lb_actor *a)
{
	return sim_now(backplane_sim(a->bp));
}

/* ---- the lb world's callbacks -------------------------------------------- */

static void stop_unhealthy(struct lb_actor *a, uint64_t ref)
{
	struct lb_entry *en = entry_of(a, ref);
	struct task *t = bp_task(a->bp, ref);
	const struct scenario *s = backplane_scenario(a->bp);

	if (!en || !t || t->desired != TD_RUNNING || en->deregistered)
		return;
	for (int k = 0; k < en->n; k++) {
		if (lb_target_state(a->lb, en->tg[k], en->ti[k]) != LB_T_UNHEALTHY)
			continue;
		sim_time_t end = t->ts[TS_RUNNING] + s->services[t->svc].lb.grace;

		if (now_of(a) < end) {
			/* docs/ecs-model.md §5.8: ignored during the grace period */
			sim_at(backplane_sim(a->bp), end, a->ev_grace, a, ref);
			return;
		}
		/* the scheduler starts a replacement first and stops this one
		 * once it is healthy (docs/ecs-model.md §5.3) */
		bp_task_unhealthy(a->bp, ref_slot(ref), a->codes[en->tg[k]]);
		return;
	}
}

/* The lb world calls back from inside its health-check event: what the
 * control plane does about a failed check (a stop, a rollback that stops
 * other tasks) happens in an event of its own at the same instant, so the
 * lb world is never re-entered mid-check. */
static void cb_unhealthy(void *ctx, int tg, uint64_t ref, sim_time_t now)
{
	struct lb_actor *a = ctx;

	(void)tg;
	sim_at(backplane_sim(a->bp), now, a->ev_grace, a, ref);
}

static void on_grace(struct sim *s, void *ctx, const struct event *ev)
{
	(void)s;
	stop_unhealthy(ctx, ev->arg);
}

/* A service task behind a load balancer is healthy when each of its
 * targets is and, if an essential container of its definition has a
 * health check, the containers' checks have passed too (docs/ecs-model.md
 * §5.2): asked when a target turns healthy and when the checks pass. */
static void maybe_healthy(struct lb_actor *a, uint64_t ref)
{
	struct lb_entry *en = entry_of(a, ref);
	struct task *t = bp_task(a->bp, ref);

	if (!en || en->n == 0 || !t || t->healthy || t->seen != TS_RUNNING || t->desired != TD_RUNNING)
		return;   /* (no targets yet: a zeroed entry matches slot 0's first task) */
	if (!t->checks_passed && taskdef_healthy_ms(backplane_scenario(a->bp)->taskdefs[t->td].td, 0) >= 0)
		return;
	for (int k = 0; k < en->n; k++)
		if (lb_target_state(a->lb, en->tg[k], en->ti[k]) != LB_T_HEALTHY)
			return;
	bp_task_healthy(a->bp, ref_slot(ref));
}

static void cb_healthy(void *ctx, int tg, uint64_t ref, sim_time_t now)
{
	(void)tg; (void)now;
	maybe_healthy(ctx, ref);
}

static void cb_check_failed(void *ctx, int tg, uint64_t ref, sim_time_t now)
{
	struct lb_actor *a = ctx;

	(void)tg;
	sim_at(backplane_sim(a->bp), now, a->ev_failed, a, ref);
}

static void on_check_failed(struct sim *s, void *ctx, const struct event *ev)
{
	struct lb_actor *a = ctx;
	struct task *t = bp_task(a->bp, ev->arg);

	(void)s;
	if (!t || !entry_of(a, ev->arg) || t->desired != TD_RUNNING)
		return;
	/* docs/ecs-model.md §5.8: during the grace period the scheduler
	 * ignores failed checks, for the circuit breaker too (§5.6) */
	if (now_of(a) < t->ts[TS_RUNNING] + backplane_scenario(a->bp)->services[t->svc].lb.grace)
		return;
	bp_notify(a->bp, &(struct bp_note){ .kind = BN_TASK_CHECK_FAILED, .slot = ref_slot(ev->arg),
					    .inst = -1 });
}

static void cb_drained(void *ctx, int tg, uint64_t ref, sim_time_t now)
{
	struct lb_actor *a = ctx;
	struct lb_entry *en = entry_of(a, ref);

	(void)tg; (void)now;
	if (!en || en->draining == 0)
		return;
	if (--en->draining > 0 || !en->holding || en->in_hold)
		return;
	en->holding = 0;
	bp_stop_release(a->bp, ref_slot(ref));
}

/* ---- the backplane's side ------------------------------------------------ */

static void deregister(struct lb_actor *a, struct lb_entry *en)
{
	if (en->deregistered)
		return;
	en->deregistered = 1;
	en->draining = en->n;
	for (int k = 0; k < en->n; k++)
		lb_target_deregister(a->lb, en->tg[k], en->ti[k], now_of(a));
}

static int stop_hold(struct backplane *bp, void *ctx, uint32_t slot)
{
	struct lb_actor *a = ctx;
	struct task *t = bp_task_at(bp, slot);
	struct lb_entry *en = slot < a->cap ? &a->e[slot] : NULL;

	if (!t || !en || en->ref != task_ref(slot, t) || en->deregistered)
		return 0;
	en->in_hold = 1;
	deregister(a, en);
	en->in_hold = 0;
	if (en->draining == 0)
		return 0;
	en->holding = 1;
	return 1;
}

static void task_running(struct lb_actor *a, uint32_t slot)
{
	struct task *t = bp_task_at(a->bp, slot);
	const struct scenario *s = backplane_scenario(a->bp);
	const struct lb_service_cfg *lc;
	struct lb_entry *en;
	char name[40];

	if (!t || t->svc < 0 || t->desired != TD_RUNNING || !bp_task_az(a->bp, t))
		return;
	lc = &s->services[t->svc].lb;
	if (lc->n == 0)
		return;
	if (slot >= a->cap) {
		size_t old = a->cap;

		XGROW(a->e, a->cap, (size_t)slot + 1);
		memset(a->e + old, 0, (a->cap - old) * sizeof *a->e);
	}
	en = &a->e[slot];
	memset(en, 0, sizeof *en);
	en->ref = task_ref(slot, t);
	for (int k = 0; k < lc->n; k++) {
		en->tg[k] = lc->b[k].tg;
		en->ti[k] = lb_target_register(a->lb, lc->b[k].tg, en->ref, task_name(t, name, sizeof name),
					       bp_task_az(a->bp, t),
					       s->taskdefs[t->td].name, now_of(a));
		lb_target_set_dep(a->lb, en->tg[k], en->ti[k], t->dep);
		en->n++;
	}
}

static int orphan_listed(const struct lb_actor *a, int tg, int ti)
{
	for (size_t i = 0; i < a->n_orph; i++)
		if (a->orph[i].tg == tg && a->orph[i].ti == ti)
			return 1;
	return 0;
}

/* An orphan's target leaves the list: released unless its task's entry
 * still names it (the task not yet STOPPED). */
static void orphan_drop(struct lb_actor *a, const struct lb_orphan *o)
{
	const struct lb_entry *en = entry_of(a, o->ref);

	if (!en || en->n == 0)
		lb_target_release(a->lb, o->tg, o->ti);
}

static void task_stopped(struct lb_actor *a, uint32_t slot)
{
	struct task *t = bp_task_at(a->bp, slot);
	struct lb_entry *en = slot < a->cap ? &a->e[slot] : NULL;

	if (!t || !en || en->ref != task_ref(slot, t))
		return;
	/* retired: a drain that ends later releases nothing (its reference
	 * may be 0, as the next one's of slot 0 can be: entry_of matches it) */
	en->holding = 0;
	if (!en->deregistered) {
		/* it ended without the scheduler's stop (its container exited,
		 * its instance was lost): its targets answer no more */
		for (int k = 0; k < en->n; k++)
			lb_target_dead(a->lb, en->tg[k], en->ti[k], now_of(a));
		deregister(a, en);
	} else if (en->draining > 0 && !en->orphaned) {
		/* it ended while its targets drained (its instance terminated,
		 * a Spot one at the end of its notice; its containers gone):
		 * what they still had in flight is cut now, not served on to
		 * the end of the deregistration delay (docs/ecs-model.md §6.3).
		 * Their drains end here, each once (cb_drained counts them; the
		 * stop is released to no one).  An instance deregistered with
		 * force leaves its tasks running, orphaned: their targets drain
		 * on (§2.4). */
		for (int k = 0; k < en->n; k++)
			if (lb_target_state(a->lb, en->tg[k], en->ti[k]) == LB_T_DRAINING)
				lb_target_dead(a->lb, en->tg[k], en->ti[k], now_of(a));
	}
	/* the entry names its targets no more: the lb world may give their
	 * slots to later targets once they are unused (an orphaned task's are
	 * named by the orphans' list while there) */
	for (int k = 0; k < en->n; k++)
		if (!orphan_listed(a, en->tg[k], en->ti[k]))
			lb_target_release(a->lb, en->tg[k], en->ti[k]);
	en->n = 0;
	en->ref = 0;
}

/* The live task whose targets entry `slot` holds, NULL when none.  A
 * reference can be 0 (the first task of slot 0), so an entry is known by
 * its targets and its task, not by a nonzero reference. */
static struct task *entry_task(struct lb_actor *a, size_t slot)
{
	const struct lb_entry *en = &a->e[slot];

	return en->n > 0 && ref_slot(en->ref) == slot ? bp_task(a->bp, en->ref) : NULL;
}

static void instance_down(struct lb_actor *a, int32_t inst)
{
	size_t j = 0;

	for (size_t slot = 0; slot < a->cap; slot++) {
		struct lb_entry *en = &a->e[slot];
		struct task *t = entry_task(a, slot);

		if (!t || t->inst != inst)
			continue;
		for (int k = 0; k < en->n; k++)
			lb_target_dead(a->lb, en->tg[k], en->ti[k], now_of(a));
	}
	/* EC2 ended the host of an instance deregistered with force: the
	 * tasks that ran on there, orphaned (STOPPED for ECS, retired here),
	 * are gone with it, so what their targets still drain is cut now
	 * (docs/ecs-model.md §2.4, §6.3); the list keeps only targets that
	 * may still drain */
	for (size_t i = 0; i < a->n_orph; i++) {
		const struct lb_orphan *o = &a->orph[i];

		if (lb_target_state(a->lb, o->tg, o->ti) != LB_T_DRAINING) {
			orphan_drop(a, o);
			continue;
		}
		if (o->inst == inst) {
			lb_target_dead(a->lb, o->tg, o->ti, now_of(a));
			orphan_drop(a, o);
			continue;
		}
		a->orph[j++] = *o;
	}
	a->n_orph = j;
}

/* The instance was deregistered with force: its tasks run on, orphaned, and
 * their targets are deregistered and drain (docs/ecs-model.md §2.4, §6.3);
 * the tasks' STOPPED that follows finds them deregistered already. */
static void instance_deregistered(struct lb_actor *a, int32_t inst)
{
	size_t j = 0;

	/* the orphans whose drain is over leave the list (in its order) */
	for (size_t i = 0; i < a->n_orph; i++) {
		if (lb_target_state(a->lb, a->orph[i].tg, a->orph[i].ti) != LB_T_DRAINING)
			orphan_drop(a, &a->orph[i]);
		else
			a->orph[j++] = a->orph[i];
	}
	a->n_orph = j;
	for (size_t slot = 0; slot < a->cap; slot++) {
		struct task *t = entry_task(a, slot);

		if (t && t->inst == inst) {
			struct lb_entry *en = &a->e[slot];

			en->orphaned = 1;
			deregister(a, en);
			/* its targets outlive the entry (retired at the STOPPED
			 * that follows): kept for the end of the host */
			for (int k = 0; k < en->n; k++) {
				XGROW(a->orph, a->cap_orph, a->n_orph + 1);
				a->orph[a->n_orph++] = (struct lb_orphan){ inst, en->tg[k], en->ti[k], en->ref };
			}
		}
	}
}

static void on_az_back(struct sim *s, void *ctx, const struct event *ev)
{
	struct lb_actor *a = ctx;

	(void)s;
	lb_az_state(a->lb, backplane_scenario(a->bp)->azs[ev->arg], 1, now_of(a));
}

static void az_outage(struct lb_actor *a, const char *az, sim_time_t len)
{
	int i = scenario_az_index(backplane_scenario(a->bp), az);

	lb_az_state(a->lb, az, 0, now_of(a));
	if (i >= 0 && len >= 0)
		sim_after(backplane_sim(a->bp), len, a->ev_az_back, a, (uint64_t)i);
}

static void cb_interval(void *ctx, sim_time_t end, double arrivals, double failed)
{
	struct lb_actor *a = ctx;
	struct metrics *m = backplane_metrics(a->bp);

	if (m)
		metrics_on_lb_interval(m, end, arrivals, failed);
}

/* recovery.csv's requests_failed per service: its target groups' failures */
static void cb_interval_tg(void *ctx, sim_time_t start, sim_time_t end, int tg, double failed)
{
	struct lb_actor *a = ctx;
	struct metrics *m = backplane_metrics(a->bp);
	const struct scenario *s = backplane_scenario(a->bp);

	if (m && a->tg_svc[tg] >= 0)
		metrics_on_lb_service_interval(m, start, end, s->services[a->tg_svc[tg]].name, failed);
}

static void start(struct lb_actor *a)
{
	struct scenario *s = backplane_scenario(a->bp);
	struct lb_callbacks cb = { a, cb_unhealthy, cb_healthy, cb_check_failed, cb_drained, NULL, cb_interval,
				   cb_interval_tg };
	const char *dir = backplane_out_dir(a->bp);
	struct err e;

	/* recovery.csv's service of each target group: the first bound to it
	 * (cb_interval_tg, per group per interval: no pass over the services) */
	a->tg_svc = xmalloc(((size_t)s->lb.n_tgs + 1) * sizeof *a->tg_svc);
	for (int k = 0; k < s->lb.n_tgs; k++)
		a->tg_svc[k] = -1;
	for (int i = s->n_services - 1; i >= 0; i--)
		for (int k = s->services[i].lb.n - 1; k >= 0; k--)
			a->tg_svc[s->services[i].lb.b[k].tg] = i;
	a->lb = lb_new(&s->lb, backplane_sim(a->bp), backplane_rng(a->bp), s->metrics_interval, &cb);
	a->codes = xcalloc((size_t)s->lb.n_tgs, sizeof *a->codes);
	for (int k = 0; k < s->lb.n_tgs; k++) {
		size_t n = strlen(s->lb.tgs[k].name) + 64;

		a->codes[k] = xmalloc(n);
		/* the stoppedReason ECS gives (docs/ecs-model.md §5.3) */
		snprintf(a->codes[k], n, STOP_ELB_PREFIX " in (target-group %s)",
			 s->lb.tgs[k].name);
	}
	for (int i = 0; i < s->n_services; i++)
		for (int k = 0; k < s->services[i].lb.n; k++)
			lb_tg_set_service(a->lb, s->services[i].lb.b[k].tg, s->services[i].name);
	/* targets.csv is a log like tasks.csv: off with --no-task-log */
	if (backplane_metrics(a->bp))
		lb_set_target_log(a->lb, metrics_task_log(backplane_metrics(a->bp)));
	err_clear(&e);
	if (dir && lb_open_outputs(a->lb, dir, &e))
		bp_fail(a->bp, &e);
}

static void on_note(struct backplane *bp, void *ctx, const struct bp_note *n)
{
	struct lb_actor *a = ctx;
	struct err e;

	switch (n->kind) {
	case BN_START:
		start(a);
		break;
	case BN_GO:
		err_clear(&e);
		if (lb_start(a->lb, now_of(a), &e))
			bp_fail(bp, &e);
		break;
	case BN_TASK_RUNNING:
		task_running(a, n->slot);
		break;
	case BN_TASK_CHECKS_PASSED:
		maybe_healthy(a, task_ref(n->slot, bp_task_at(bp, n->slot)));
		break;
	case BN_TASK_STOPPED:
		task_stopped(a, n->slot);
		break;
	case BN_INSTANCE_DOWN:
		instance_down(a, n->inst);
		break;
	case BN_INSTANCE_DEREGISTERED:
		instance_deregistered(a, n->inst);
		break;
	case BN_AZ_OUTAGE:
		az_outage(a, n->az, n->len);
		break;
	case BN_SERVICE_TRAFFIC:
		/* a blue/green shift: the service's target groups split */
		for (int k = 0; k < backplane_scenario(bp)->services[n->svc].lb.n; k++)
			lb_tg_set_split(a->lb, backplane_scenario(bp)->services[n->svc].lb.b[k].tg, n->td,
					(double)n->n / 1000.0, now_of(a));
		break;
	case BN_FINISH:
		err_clear(&e);
		if (backplane_out_dir(bp) && lb_close(a->lb, n->at, &e))
			bp_fail(bp, &e);
		break;
	case BN_FREE:
		lb_free(a->lb);
		for (int k = 0; a->codes && k < backplane_scenario(bp)->lb.n_tgs; k++)
			free(a->codes[k]);
		free(a->codes);
		free(a->tg_svc);
		free(a->e);
		free(a->orph);
		free(a);
		bp_set_actor_state(bp, BA_LB, NULL);
		break;
	default:
		break;
	}
}

void lb_attach(struct backplane *bp)
{
	struct lb_actor *a;

	if (backplane_scenario(bp)->lb.n_tgs == 0)
		return;            /* no load balancer: nothing changes */
	a = xcalloc(1, sizeof *a);
	a->bp = bp;
	bp_set_actor_state(bp, BA_LB, a);
	a->ev_grace = sim_on(backplane_sim(bp), "lb-grace-over", on_grace, a);
	a->ev_failed = sim_on(backplane_sim(bp), "lb-check-failed", on_check_failed, a);
	a->ev_az_back = sim_on_world(backplane_sim(bp), "lb-az-back", on_az_back, a);
	bp_set_stop_hold(bp, stop_hold, a);
	bp_subscribe(bp, BN_BIT(BN_START) | BN_BIT(BN_GO) | BN_BIT(BN_TASK_RUNNING) | BN_BIT(BN_TASK_CHECKS_PASSED) |
		     BN_BIT(BN_TASK_STOPPED) | BN_BIT(BN_INSTANCE_DOWN) | BN_BIT(BN_INSTANCE_DEREGISTERED) |
		     BN_BIT(BN_AZ_OUTAGE) | BN_BIT(BN_SERVICE_TRAFFIC) |
		     BN_BIT(BN_FINISH) | BN_BIT(BN_FREE), on_note, a);
}

/* ---- read-only views (models/lb/lb.h) ------------------------------------ */

struct lb *lb_actor_world(struct backplane *bp)
{
	struct lb_actor *a = bp_actor_state(bp, BA_LB);

	return a ? a->lb : NULL;
}

int lb_actor_task_targets(struct backplane *bp, uint32_t slot, int *tg, int *target)
{
	struct lb_actor *a = bp_actor_state(bp, BA_LB);
	struct task *t = bp_task_at(bp, slot);
	struct lb_entry *en;

	if (!a || !t || slot >= a->cap)
		return 0;
	en = &a->e[slot];
	if (en->ref != task_ref(slot, t) || en->deregistered)
		return 0;
	for (int k = 0; k < en->n; k++) {
		tg[k] = en->tg[k];
		target[k] = en->ti[k];
	}
	return en->n;
}
