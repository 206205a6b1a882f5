/* models/agent_health.c — see agent_health.h.
 *
 * The faults are kept in a table of the agents' state, found by the
 * task's slot in O(1) (an index per task slot: one entry per slot, the
 * task's reference checked).  A faulted task's checks are events
 * (ev_check, one per probe start and, for a hanging probe, one at its
 * timeout, while its status may still change); an entry ends when its
 * task has left RUNNING (or was retired), or when the fault is over and
 * the container is HEALTHY again and told so (an entry whose probes a
 * hang moved off RUNNING's grid stays, idle, to keep their times).
 *
 * The rules (docs/ecs-model.md §1.4, §5.2, §5.3, choices E110, E114,
 * E115, E142, E143): Docker runs the first probe `interval` after the
 * start and each next one `interval` after the previous one ENDED.  A
 * passing probe and one whose command exits non-zero take no time
 * (E114), so without a hang the probes stay at RUNNING + k × interval
 * (k >= 1).  The faulted command fails at every probe that starts in
 * [from, until): at once, or (a `hang` row, E142) it never returns and
 * the probe is killed `timeout` after its start, a failure then; a probe
 * in flight when the fault ends still times out (E143).  Outside the
 * fault the command passes from `healthCheckSeconds` after RUNNING on
 * (E110: a probe before that neither passes nor counts).  A failure
 * counts unless the container has not passed a check yet and the probe
 * STARTED inside `startPeriod` (Docker: result.Start − StartedAt <
 * startPeriod); `retries` consecutive counted failures make it
 * UNHEALTHY; a pass makes it HEALTHY and clears the count.  The task is
 * told UNHEALTHY (bp_task_unhealthy, "Task failed container health
 * checks") once the service's healthCheckGracePeriodSeconds since RUNNING
 * has passed (§5.8), by a connected agent; HEALTHY again (bp_task_healthy,
 * or behind a load balancer bp_task_checks_passed) once its other
 * containers' checks have passed too (E110's instant), which before that
 * instant E110's own event does (agent_health_passes).
 */
#include "models/agent_health.h"

#include <stdlib.h>
#include <string.h>

#include "agent_int.h"
#include "models/task.h"
#include "models/taskdef.h"
#include "sim/mem.h"

/* the stoppedReason ECS gives a task whose essential container's health
 * check failed (docs/ecs-model.md §5.3) */
static const char reason[] = "Task failed container health checks";

enum { HC_STARTING, HC_HEALTHY, HC_UNHEALTHY };

struct hc_fault {
	uint64_t ref;              /* the task (slot, generation) */
	int ci;                    /* its container: index in the definition */
	sim_time_t from, until;    /* the command fails in [from, until) */
	int streak;                /* consecutive counted failures */
	uint8_t status;            /* HC_*: the container's health */
	uint8_t told;              /* the status the scheduler was told (HC_STARTING: none) */
	uint8_t ticking;           /* a check event is on its way */
	uint8_t graced;            /* an evaluation at the grace period's end is on its way */
	uint8_t hang;              /* the failing command hangs (a `hang` row, E142) */
	uint8_t inflight;          /* a hanging probe runs: the event on its way is its timeout */
	uint8_t chained;           /* `next` holds the next probe's start (else RUNNING's grid) */
	sim_time_t start;          /* the probe in flight's start */
	sim_time_t next;           /* the next probe's start: the previous one's end + interval */
};

struct hc_faults {
	struct hc_fault *f;
	size_t n, cap;
	uint32_t *at;              /* per task slot: its entry's index + 1, 0 = none */
	size_t n_at;
	uint32_t ev_check, ev_eval;
};

static struct hc_faults *hc_of(struct backplane *bp)
{
	return agents_of(bp)->hc;
}

/* The entry of task `ref`: O(1) by its slot, the generation checked. */
static struct hc_fault *find(struct hc_faults *h, uint64_t ref)
{
	uint32_t slot = ref_slot(ref);
	struct hc_fault *f;

	if (slot >= h->n_at || h->at[slot] == 0)
		return NULL;
	f = &h->f[h->at[slot] - 1];
	return f->ref == ref ? f : NULL;
}

static void drop(struct hc_faults *h, struct hc_fault *f)
{
	size_t i = (size_t)(f - h->f), last = --h->n;

	h->at[ref_slot(f->ref)] = 0;
	if (i != last) {
		h->f[i] = h->f[last];
		h->at[ref_slot(h->f[i].ref)] = (uint32_t)i + 1;
	}
}

/* A new entry for `ref` (its slot's entry of a retired task replaced). */
static struct hc_fault *add(struct hc_faults *h, uint64_t ref)
{
	uint32_t slot = ref_slot(ref);
	struct hc_fault *f;

	if (slot >= h->n_at) {
		size_t n = h->n_at ? h->n_at : 64;

		while (n <= slot)
			n *= 2;
		h->at = xrealloc(h->at, n * sizeof *h->at);
		memset(h->at + h->n_at, 0, (n - h->n_at) * sizeof *h->at);
		h->n_at = n;
	}
	if (h->at[slot])
		drop(h, &h->f[h->at[slot] - 1]);
	XGROW(h->f, h->cap, h->n + 1);
	f = &h->f[h->n++];
	memset(f, 0, sizeof *f);
	f->ref = ref;
	h->at[slot] = (uint32_t)h->n;
	return f;
}

static const struct td_container *container_of(struct backplane *bp, const struct task *t,
					       const struct hc_fault *f)
{
	return &backplane_scenario(bp)->taskdefs[t->td].td->containers[f->ci];
}

int agent_health_container(const struct scenario *s, int td, const char *container, struct err *e)
{
	const struct taskdef *d = s->taskdefs[td].td;

	for (int i = 0; i < d->n_containers; i++) {
		const struct td_container *c = &d->containers[i];

		if (container && container[0]) {
			if (strcmp(c->name, container) != 0)
				continue;
			if (!c->essential)
				return err_at(e, NULL, 0, 0, NULL, "container '%s' of task definition '%s' "
					      "is not essential: its health does not count toward the "
					      "task's (docs/ecs-model.md §1.4), the row would change nothing",
					      container, s->taskdefs[td].name);
			if (!c->has_health_check)
				return err_at(e, NULL, 0, 0, NULL, "container '%s' of task definition '%s' "
					      "has no healthCheck", container, s->taskdefs[td].name);
			return i;
		}
		if (c->essential && c->has_health_check)
			return i;
	}
	if (container && container[0])
		return err_at(e, NULL, 0, 0, NULL, "task definition '%s' has no container '%s'",
			      s->taskdefs[td].name, container);
	return err_at(e, NULL, 0, 0, NULL, "task definition '%s' has no essential container with "
		      "a healthCheck: there is no check to fail", s->taskdefs[td].name);
}

/* The agent can tell the backplane now: connected, its RUNNING known. */
static int reachable(struct backplane *bp, const struct task *t)
{
	if (t->seen != TS_RUNNING)
		return 0;
	return t->inst < 0 || agent_at(bp, t->inst)->up;
}

/* The task can still be judged: RUNNING, to go on running, not on a
 * failed instance. */
static int alive(struct backplane *bp, const struct task *t)
{
	return t->state == TS_RUNNING && t->desired == TD_RUNNING &&
	       !(t->inst >= 0 && agent_at(bp, t->inst)->down);
}

/* Tell the scheduler what changed (the top of the file). */
static void tell(struct backplane *bp, struct hc_faults *h, struct task *t, struct hc_fault *f,
		 uint64_t ref)
{
	const struct scenario *s = backplane_scenario(bp);
	sim_time_t now = sim_now(backplane_sim(bp)), run = t->ts[TS_RUNNING];
	uint32_t slot = ref_slot(ref);
	int lb = s->services[t->svc].lb.n > 0;

	if (f->status == HC_UNHEALTHY && f->told != HC_UNHEALTHY) {
		sim_time_t end = run + s->services[t->svc].lb.grace;

		if (now < end) {
			/* docs/ecs-model.md §5.8: ignored during the grace period */
			if (!f->graced) {
				f->graced = 1;
				sim_at(backplane_sim(bp), end, h->ev_eval, bp, ref);
			}
			return;
		}
		if (!reachable(bp, t))
			return;    /* told at a later check */
		f->told = HC_UNHEALTHY;
		t->checks_passed = 0;
		bp_task_unhealthy(bp, slot, reason);
		return;
	}
	if (f->status == HC_HEALTHY && f->told != HC_HEALTHY) {
		int64_t all = taskdef_healthy_ms(s->taskdefs[t->td].td, s->timing.health_check);

		/* before E110's instant its own event decides (agent_health_passes) */
		if (now < run + all || !reachable(bp, t))
			return;
		f->told = HC_HEALTHY;
		if (lb)
			bp_task_checks_passed(bp, slot);
		else if (!t->healthy)
			bp_task_healthy(bp, slot);
	}
}

/* The next check of f's container after `now` (at RUNNING + k × interval,
 * k >= 1), or at `now` itself when `at_now` and a check falls there. */
static sim_time_t next_check(sim_time_t run, sim_time_t every, sim_time_t now, int at_now)
{
	sim_time_t k = now <= run ? 1 : (now - run + every - 1) / every;

	if (k < 1)
		k = 1;
	if (run + k * every < now || (!at_now && run + k * every == now))
		k++;
	return run + k * every;
}

/* Schedule f's next probe: `interval` after the one that ended now
 * (Docker's spacing), or, starting (at_now), the next one on its chain
 * at or after now: RUNNING's grid, or, once a hang moved it, the probe
 * times that continue from its last probe's end. */
static void tick(struct backplane *bp, struct hc_faults *h, struct task *t, struct hc_fault *f,
		 int at_now)
{
	sim_time_t every = (sim_time_t)container_of(bp, t, f)->hc_interval_s * 1000;
	sim_time_t now = sim_now(backplane_sim(bp)), at;

	if (!at_now)
		at = now + every;
	else if (f->chained)
		at = f->next < now ? f->next + (now - f->next + every - 1) / every * every : f->next;
	else
		at = next_check(t->ts[TS_RUNNING], every, now, 1);
	f->next = at;
	f->ticking = 1;
	sim_at(backplane_sim(bp), at, h->ev_check, bp, f->ref);
}

/* Forget f (its task's flag too, when the task lives on). */
static void end_fault(struct hc_faults *h, struct task *t, struct hc_fault *f)
{
	if (t)
		t->hc_fault = 0;
	drop(h, f);
}

/* The fault is over and told: forget it, unless a hang moved its probes
 * off RUNNING's grid (the next probe's time is then kept for a later
 * row: E143); the task's flag is cleared either way. */
static void over(struct backplane *bp, struct hc_faults *h, struct task *t, struct hc_fault *f)
{
	sim_time_t every = (sim_time_t)container_of(bp, t, f)->hc_interval_s * 1000;
	sim_time_t next = sim_now(backplane_sim(bp)) + every;

	if ((next - t->ts[TS_RUNNING]) % every == 0) {
		end_fault(h, t, f);
		return;
	}
	t->hc_fault = 0;
	f->chained = 1;
	f->next = next;
}

static void on_check(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct hc_faults *h = hc_of(bp);
	struct hc_fault *f = find(h, ev->arg);
	struct task *t = bp_task(bp, ev->arg);
	const struct td_container *c;
	sim_time_t now = sim_now(s), run, start;
	int failed = 0;

	if (!f)
		return;
	f->ticking = 0;
	if (!t || !alive(bp, t)) {
		end_fault(h, t, f);
		return;
	}
	c = container_of(bp, t, f);
	run = t->ts[TS_RUNNING];
	start = now;
	if (f->inflight) {
		/* a hanging probe killed at its timeout: a failure (Docker:
		 * "Health check exceeded timeout"), whatever the fault does
		 * now (E143) */
		f->inflight = 0;
		start = f->start;
		failed = 1;
	} else if (now >= f->from && now < f->until) {
		if (f->hang) {
			/* E142: the command never returns; the probe ends at its
			 * timeout (the event on its way stays this one) */
			f->inflight = 1;
			f->start = now;
			f->ticking = 1;
			sim_at(s, now + (sim_time_t)c->hc_timeout_s * 1000, h->ev_check, bp, ev->arg);
			return;
		}
		failed = 1;
	}
	if (failed) {
		/* docs/ecs-model.md §1.4: not counted inside startPeriod until a
		 * check has passed; Docker decides by the probe's start */
		if (f->status != HC_STARTING || start - run >= (sim_time_t)c->hc_start_period_s * 1000) {
			f->streak++;
			/* the circuit breaker's stage 2 counts each failed check
			 * after the grace period, as a load balancer's
			 * (docs/ecs-model.md §5.6, §5.8, choice E115) */
			if (now >= run + backplane_scenario(bp)->services[t->svc].lb.grace &&
			    reachable(bp, t))
				bp_notify(bp, &(struct bp_note){ .kind = BN_TASK_CHECK_FAILED,
								 .slot = ref_slot(ev->arg), .inst = -1 });
			if ((t = bp_task(bp, ev->arg)) == NULL || !alive(bp, t)) {
				/* the breaker's rollback stopped it */
				end_fault(h, t, f);
				return;
			}
		}
		if (f->streak >= c->hc_retries)
			f->status = HC_UNHEALTHY;
	} else if (now - run >= backplane_scenario(bp)->timing.health_check) {
		f->streak = 0;
		f->status = HC_HEALTHY;
	}
	tell(bp, h, t, f, ev->arg);
	if ((f = find(h, ev->arg)) == NULL)
		return;
	t = bp_task(bp, ev->arg);
	if (!t || !alive(bp, t)) {
		end_fault(h, t, f);
		return;
	}
	/* over: passing again and told so (not after a hanging probe that
	 * timed out past the fault's end: its failure counts until a pass) */
	if (now >= f->until && f->status == HC_HEALTHY && f->told == HC_HEALTHY && f->streak == 0) {
		over(bp, h, t, f);
		return;
	}
	tick(bp, h, t, f, 0);
}

static void on_eval(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct hc_faults *h = hc_of(bp);
	struct hc_fault *f = find(h, ev->arg);
	struct task *t = bp_task(bp, ev->arg);

	(void)s;
	if (!f)
		return;
	f->graced = 0;
	if (t && alive(bp, t))
		tell(bp, h, t, f, ev->arg);
}

int agent_health_passes(struct backplane *bp, uint64_t ref)
{
	struct hc_fault *f = find(hc_of(bp), ref);

	return !f || f->status == HC_HEALTHY;
}

void agent_health_running(struct backplane *bp, uint64_t ref)
{
	struct hc_faults *h = hc_of(bp);
	struct hc_fault *f = find(h, ref);
	struct task *t = bp_task(bp, ref);

	/* a standalone task's: no checks to run once RUNNING (apply) */
	if (f && t && !f->ticking && t->svc >= 0)
		tick(bp, h, t, f, 1);
}

/* Faults whose tasks were retired before RUNNING (no check on its way to
 * end them). */
static void sweep(struct backplane *bp, struct hc_faults *h)
{
	for (size_t i = 0; i < h->n;) {
		if (!h->f[i].ticking && !h->f[i].graced && !bp_task(bp, h->f[i].ref))
			drop(h, &h->f[i]);
		else
			i++;
	}
}

/* Start (or, already failing, renew) the fault of task `slot`, container
 * ci; `hang`: the command hangs (E142). */
static void apply(struct backplane *bp, struct hc_faults *h, uint32_t slot, int ci, sim_time_t duration,
		  int hang)
{
	struct task *t = bp_task_at(bp, slot);
	uint64_t ref = ref_make(slot, t->gen);
	struct hc_fault *f = find(h, ref);
	sim_time_t now = sim_now(backplane_sim(bp));

	if (!f) {
		const struct scenario *s = backplane_scenario(bp);
		const struct td_container *c = &s->taskdefs[t->td].td->containers[ci];
		sim_time_t every = (sim_time_t)c->hc_interval_s * 1000, first;

		f = add(h, ref);
		f->ci = ci;
		/* it passed before (E110: its first check at or after
		 * healthCheckSeconds), or not yet */
		first = s->timing.health_check <= every ? every
			: (s->timing.health_check + every - 1) / every * every;
		if (t->state == TS_RUNNING && now >= t->ts[TS_RUNNING] + first)
			f->status = f->told = HC_HEALTHY;
	} else if (f->ci != ci) {
		/* one failing container per task: the new row's replaces it */
		f->ci = ci;
		f->streak = 0;
		f->chained = 0;
	}
	f->hang = (uint8_t)hang;
	f->from = now;
	f->until = duration >= 0 ? now + duration : SIM_TIME_MAX;
	t->cold = 1;
	t->hc_fault = 1;
	/* a standalone task's checks once RUNNING change nothing any actor
	 * sees (its health is not reported, choices E75, E115): no events */
	if (t->state == TS_RUNNING && !f->ticking && t->svc >= 0)
		tick(bp, h, t, f, 1);
}

/* The row's tasks of service v: its `count` lowest-numbered RUNNING tasks
 * whose command passes now. */
static int pick_service(struct backplane *bp, int v, const char *container, int64_t count,
			sim_time_t duration, int hang, void (*each)(struct backplane *, uint32_t, void *),
			void *ctx, struct err *e)
{
	struct hc_faults *h = hc_of(bp);
	const struct scenario *s = backplane_scenario(bp);
	size_t n = bp_task_slots(bp), m = 0, cap = 0;
	uint32_t *pick = NULL;
	int *ci = NULL;
	sim_time_t now = sim_now(backplane_sim(bp));

	for (size_t i = 0; i < n; i++) {
		struct task *t = bp_task_at(bp, (uint32_t)i);
		struct hc_fault *f;
		size_t k;

		if (!t->used || t->svc != v || !alive(bp, t))
			continue;
		f = t->hc_fault ? find(h, ref_make((uint32_t)i, t->gen)) : NULL;
		if (f && now >= f->from && now < f->until)
			continue;    /* failing already */
		/* insert by number, keep the lowest `count` */
		for (k = m; k > 0 && bp_task_at(bp, pick[k - 1])->no > t->no; k--)
			;
		if ((int64_t)k >= count)
			continue;
		if ((int64_t)m < count) {
			XGROW(pick, cap, m + 1);
			m++;
		}
		memmove(pick + k + 1, pick + k, (m - 1 - k) * sizeof *pick);
		pick[k] = (uint32_t)i;
	}
	ci = xcalloc(m ? m : 1, sizeof *ci);
	for (size_t k = 0; k < m; k++) {
		const struct task *t = bp_task_at(bp, pick[k]);

		if ((ci[k] = agent_health_container(s, t->td, container, e)) < 0) {
			free(pick);
			free(ci);
			return -1;
		}
	}
	for (size_t k = 0; k < m; k++) {
		each(bp, pick[k], ctx);
		apply(bp, h, pick[k], ci[k], duration, hang);
	}
	free(pick);
	free(ci);
	return 0;
}

int agent_health_fault(struct backplane *bp, const char *target, const char *container,
		       int64_t count, sim_time_t duration, int hang,
		       void (*each)(struct backplane *bp, uint32_t slot, void *ctx), void *ctx,
		       struct err *e)
{
	struct hc_faults *h = hc_of(bp);
	int v = backplane_find_service(bp, target), ci;
	uint32_t slot;
	struct task *t;

	sweep(bp, h);
	if (v >= 0)
		return pick_service(bp, v, container, count, duration, hang, each, ctx, e);
	/* a name that is no service is a task id: one no live task has (it
	 * stopped, perhaps on a host a failure took, or never ran) has no
	 * effect, as for stop_task and fargate_spot_interruption (choice
	 * E115): a trace cannot know which tasks a run's failures took */
	if (count != 1)
		return err_at(e, NULL, 0, 0, NULL, "count %lld: a row naming a task fails that task "
			      "alone (count is for a service)", (long long)count);
	if (!backplane_find_task(bp, target, &slot))
		return 0;
	t = bp_task_at(bp, slot);
	if ((ci = agent_health_container(backplane_scenario(bp), t->td, container, e)) < 0)
		return -1;
	each(bp, slot, ctx);
	/* a task stopping already is past judging.  A standalone task's
	 * container checks run as a service task's (docs/ecs-model.md §1.4,
	 * choice E115): a container another waits for to be HEALTHY is
	 * late (E175); its task runs on whatever its health (§5.3) */
	if (t->desired != TD_RUNNING || t->state > TS_RUNNING)
		return 0;
	apply(bp, h, slot, ci, duration, hang);
	return 0;
}

void agent_health_attach(struct backplane *bp)
{
	struct agents *ag = agents_of(bp);
	struct hc_faults *h = xcalloc(1, sizeof *h);

	h->ev_check = sim_on_world(backplane_sim(bp), "health-check", on_check, bp);
	h->ev_eval = sim_on_world(backplane_sim(bp), "health-check-grace", on_eval, bp);
	ag->hc = h;
}

void agent_health_free(struct backplane *bp)
{
	struct hc_faults *h = hc_of(bp);

	if (!h)
		return;
	free(h->f);
	free(h->at);
	free(h);
	agents_of(bp)->hc = NULL;
}

/* docs/ecs-model.md §1.4, choice E175: the start plan of task `ref`'s
 * containers along dependsOn (taskdef_start_plan, `base` the instant it
 * counts from), its failing check command on a container that another
 * waits for to be HEALTHY taken in: that container is HEALTHY at its first
 * check that does not start in the fault (checks `interval` apart, or
 * `timeout` + `interval` after one that hangs, E142), never while the
 * fault lasts for good. */
int agent_health_start_plan(struct backplane *bp, uint64_t ref, sim_time_t base, int64_t start_ms,
			    struct td_start_plan *p)
{
	const struct task *t = bp_task(bp, ref);
	const struct taskdef *td = backplane_scenario(bp)->taskdefs[t->td].td;
	int64_t ready = backplane_scenario(bp)->timing.health_check;
	const struct hc_fault *f = t->hc_fault ? find(hc_of(bp), ref) : NULL;
	const struct td_container *c;
	sim_time_t first, step;
	int r = taskdef_start_plan(td, start_ms, ready, p);

	if (r || !f)
		return r;
	c = &td->containers[f->ci];
	first = base + p->start[f->ci] + taskdef_first_pass_ms(c, ready);
	if (first < f->from || first >= f->until)
		return 0;              /* its first pass is outside the fault */
	if (f->until == SIM_TIME_MAX)
		return taskdef_start_plan_late(td, start_ms, ready, f->ci, TD_NEVER_MS, p);
	step = (sim_time_t)c->hc_interval_s * 1000 + (f->hang ? (sim_time_t)c->hc_timeout_s * 1000 : 0);
	return taskdef_start_plan_late(td, start_ms, ready, f->ci, (f->until - first + step - 1) / step * step, p);
}
