/* models/backplane_fargate.c — tasks on Fargate (see backplane_int.h;
 * docs/ecs-model.md §1.3, §4.11, §5.11, §5.13, choices E65–E69).
 *
 * A Fargate task has no instance (t->inst stays -1): it takes an
 * Availability Zone (the one with the fewest of its service's Fargate tasks
 * among its service's subnet zones with room and not out), stays PROVISIONING for the drawn
 * provisioning latency ($.fargate.provisioningSeconds: capacity, ENI, image
 * pull), is then PENDING and starts (ACTIVATING → RUNNING) with Fargate
 * playing the agent's part: no agent, no network delay, no disconnection.
 * A stop is the agent's sequence: SIGTERM, the containers exit after the
 * shutdown time or are killed at the stop timeout, DEPROVISIONING (ENI
 * detach), STOPPED.  A FARGATE_SPOT task is interrupted at its drawn time
 * after it started: the warning and SIGTERM at once, stopped code
 * TerminationNotice, killed at min(stopTimeout, warning) (choice E67); its
 * service replaces it like any lost task.  An AZ outage stops the Fargate
 * tasks of that zone at once and keeps new ones out of it for its length
 * (choice E68).  Each task's bill goes to the run's Fargate cost when it
 * stops or the run ends (choice E65).  Each launch takes a token of its
 * class's task launch bucket (FARGATE and FARGATE_SPOT apart: 100 tokens,
 * 20 a second by default; docs/ecs-model.md §7.6, choice E119): a launch
 * that finds none is a placement failure THROTTLED: a standalone task is
 * tried again when a token is due, a service at its pass
 * schedulerDelaySeconds after that (choice E203).
 */
#include "backplane_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/capacity/capacity_config.h"
#include "models/capacity/cp_route.h"
#include "models/faults.h"
#include "models/pricing.h"
#include "sim/mem.h"

/* A task launch token bucket (docs/ecs-model.md §7.6, choice E119), in
 * millionths of a token: refilled by launch_rate_m of them a ms, exactly,
 * from `last` on. */
#define FG_TOKEN INT64_C(1000000)

struct fg_bucket {
	int64_t tokens;            /* millionths, at `last` */
	sim_time_t last;
	sim_time_t wake_at;        /* a retry is due then (-1: none) */
};

struct fargate_run {
	struct fg_bucket bucket[2];   /* FARGATE, FARGATE_SPOT */
	gsl_rng *rng;              /* "fargate": provisioning latencies */
	gsl_rng *spot_rng;         /* "fargate/spot": times to interruption */
	int n_az;
	int64_t *az_used;          /* Fargate tasks holding a place in each AZ */
	sim_time_t *az_out_until;  /* an AZ outage keeps new tasks out until then */
	int *svc_az;               /* (service + 1) × n_az: tasks of each service (row 0: standalone) */
	int64_t interruptions;
	/* the task groups whose launch of each class was THROTTLED at
	 * thr_at (choice E148: one row per group, class and instant) */
	sim_time_t thr_at[2];
	uint32_t *thr_g[2];
	int thr_n[2];
	size_t thr_cap[2];
	uint32_t ev_start, ev_stop, ev_stop_done, ev_deprovisioned, ev_healthy, ev_exit, ev_spot,
		ev_lost, ev_back, ev_token, ev_deps_met, ev_deps_failed, ev_deps_stopped;
};

static struct fargate_run *fr_of(const struct backplane *bp)
{
	return bp_actor_state(bp, BA_FARGATE);
}

static const struct fargate_cfg *cfg_of(const struct backplane *bp)
{
	static struct fargate_cfg dflt;
	static int init;

	if (bp->s->capacity)
		return &bp->s->capacity->fargate;
	if (!init) {
		fargate_cfg_default(&dflt);
		init = 1;
	}
	return &dflt;
}

int fargate_launch_of(const struct scenario *s, int td, int svc)
{
	unsigned l = s->taskdefs[td].td->launch;

	/* a service's launch type is fixed at its creation, whatever
	 * revision it runs (models/config/service.c) */
	if (svc >= 0)
		return s->services[svc].launch_type;
	return (l & TD_LAUNCH_FARGATE) && !(l & TD_LAUNCH_EC2) ? TL_FARGATE : TL_EC2;
}

int bp_task_az_index(const struct backplane *bp, const struct task *t)
{
	if (t->inst >= 0)
		return bp->ib[t->inst].az;
	if (t->fg && t->fg_az >= 0)
		return t->fg_az;
	return -1;
}

const char *bp_task_az(struct backplane *bp, const struct task *t)
{
	if (t->inst >= 0)
		return cluster_az(bp->cl, t->inst);
	if (t->fg && t->fg_az >= 0)
		return bp->s->azs[t->fg_az];
	return NULL;
}

int64_t backplane_fargate_interruptions(struct backplane *bp)
{
	return fr_of(bp)->interruptions;
}

static int *svc_row(struct fargate_run *f, const struct task *t)
{
	return &f->svc_az[(size_t)(t->svc + 1) * (size_t)f->n_az];
}

/* ---- the task launch buckets (docs/ecs-model.md §7.6, choice E119) ------ */

/* The bucket's tokens now: the refill since `last`, up to the burst. */
static void refill(struct fg_bucket *b, const struct fargate_cfg *c, sim_time_t now)
{
	int64_t cap = c->launch_burst * FG_TOKEN;

	if (now > b->last) {
		/* no overflow: the time to fill the bucket is checked first */
		if ((now - b->last) >= (cap - b->tokens + c->launch_rate_m - 1) / c->launch_rate_m)
			b->tokens = cap;
		else
			b->tokens += (now - b->last) * c->launch_rate_m;
		b->last = now;
	}
}

/* Take a token of class `spot`'s bucket for a launch now: 1, or 0 when the
 * bucket is empty; then a retry comes when the next token is due (one
 * event per bucket, the latest wanted time kept). */
static int take_token(struct backplane *bp, struct fargate_run *f, const struct fargate_cfg *c, int spot)
{
	struct fg_bucket *b = &f->bucket[spot != 0];
	sim_time_t now = sim_now(bp->sim), due;

	if (c->launch_rate_m <= 0)
		return 1;      /* no limit */
	refill(b, c, now);
	if (b->tokens >= FG_TOKEN) {
		b->tokens -= FG_TOKEN;
		return 1;
	}
	due = now + (FG_TOKEN - b->tokens + c->launch_rate_m - 1) / c->launch_rate_m;
	if (b->wake_at != due) {
		b->wake_at = due;
		sim_at(bp->sim, due, f->ev_token, bp, (uint64_t)(spot != 0));
	}
	return 0;
}

/* A token is due: what waits for one is tried again, as when capacity
 * appears (the standalone queue now; a service whose launch failed gets a
 * pass after schedulerDelaySeconds, choice E203). */
static void on_token(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct fg_bucket *b = &fr_of(bp)->bucket[ev->arg != 0];

	if (b->wake_at != sim_now(s))
		return;       /* superseded */
	b->wake_at = -1;
	bp_capacity_changed(bp);
}

/* ---- placement ---------------------------------------------------------- */

static void launch_failed(struct backplane *bp, const struct task *t, const char *reason)
{
	char label[300], name[32];

	metrics_on_failure(bp->m, sim_now(bp->sim), task_name(t, name, sizeof name),
			   bp_td_label(bp, t->td, label, sizeof label),
			   cluster_group_name(bp->cl, t->group),
			   t->svc >= 0 ? bp->s->services[t->svc].name : "", reason, 0, NULL);
}

/* A THROTTLED launch of class `spot` by a service's task group g at `now`:
 * whether it is the service's first of that class at this instant, the one
 * placement_failures.csv reports.  The launches of one service an empty
 * bucket refuses at one instant (its pass's launches) are one failure, as
 * ECS reports a repeated service event once (docs/ecs-model.md §4.9,
 * choice E148); each later instant it is refused again is a row again.  A
 * standalone task's refusal is its own row (RunTask's failures are per
 * task; its queue's passes already try a task group once a pass). */
static int throttled_first(struct fargate_run *f, int spot, uint32_t g, sim_time_t now)
{
	if (f->thr_at[spot] != now) {
		f->thr_at[spot] = now;
		f->thr_n[spot] = 0;
	}
	for (int k = 0; k < f->thr_n[spot]; k++)
		if (f->thr_g[spot][k] == g)
			return 0;
	XGROW(f->thr_g[spot], f->thr_cap[spot], (size_t)f->thr_n[spot] + 1);
	f->thr_g[spot][f->thr_n[spot]++] = g;
	return 1;
}

int bp_fargate_launch(struct backplane *bp, struct task *t, int provider)
{
	struct fargate_run *f = fr_of(bp);
	const struct fargate_cfg *c = cfg_of(bp);
	uint32_t slot = (uint32_t)(t - bp->tasks);
	sim_time_t now = sim_now(bp->sim);
	int64_t *used;
	int a, any = 0;

	if (!(bp->s->taskdefs[t->td].td->launch & TD_LAUNCH_FARGATE)) {
		/* never reached: the scenario's services and generators are
		 * checked at load (scenario_capacity_unsupported), a trace
		 * row's RunTask when it is called (backplane_run_task) */
		struct err e;

		err_at(&e, NULL, 0, 0, NULL, "task definition '%s' is routed to a Fargate capacity "
		       "provider but its requiresCompatibilities does not list FARGATE (ECS refuses "
		       "the launch)", bp->s->taskdefs[t->td].name);
		bp_fail(bp, &e);
		return -1;
	}
	t->fg = (uint8_t)(provider == 1 ? TL_FARGATE_SPOT : TL_FARGATE);
	used = xcalloc((size_t)f->n_az + 1, sizeof *used);
	/* docs/ecs-model.md §4.11: the zone with the fewest of the service's
	 * tasks among those with room; a zone that is out counts as full */
	for (int k = 0; k < f->n_az; k++) {
		int mine = !(t->svc >= 0 && bp->s->services[t->svc].subnet_azs &&
			     !bp->s->services[t->svc].subnet_azs[k]) &&
			   /* no Fargate in a Local or Wavelength Zone (§8.1) */
			   scenario_az_fargate(bp->s, k);

		any |= mine;
		used[k] = !mine || f->az_out_until[k] > now ||
			  /* an AZ-rebalancing task goes to its zone only (docs/ecs-model.md §5.9) */
			  (t->pin_az && strcmp(bp->s->azs[k], t->pin_az) != 0) ? INT64_MAX : f->az_used[k];
	}
	a = fargate_pick_az(svc_row(f, t), used, c->az_task_limit > 0 ? c->az_task_limit : INT64_MAX,
			    f->n_az);
	free(used);
	if (a < 0) {
		/* none of its zones has Fargate: ECS's "Internal error" for
		 * subnets in unsupported zones (choice E234) */
		launch_failed(bp, t, any ? FG_REASON_CAPACITY : FG_REASON_NO_ZONE);
		return -1;
	}
	/* docs/ecs-model.md §7.6, choice E119: a launch that has its zone
	 * takes a token of its class; none left: throttled */
	if (!take_token(bp, f, c, t->fg == TL_FARGATE_SPOT)) {
		if (t->svc < 0 || throttled_first(f, t->fg == TL_FARGATE_SPOT, t->group, now))
			launch_failed(bp, t, FG_REASON_THROTTLED);
		return -1;
	}
	t->cold = 1;                    /* (task.h) */
	t->fg_az = (int16_t)a;
	f->az_used[a]++;
	svc_row(f, t)[a]++;
	bp_task_placed(bp, t, -1);
	/* docs/ecs-model.md §4.11, choice E66: capacity, ENI and image pull in one latency */
	sim_after(bp->sim, fargate_provision_ms(c, f->rng), bp->ev_provisioned, bp, task_ref(bp, slot));
	return 0;
}

int bp_svc_runs_on(struct backplane *bp, int svc, int td)
{
	const struct cp_strategy *st = cp_strategy_for(bp->s, svc);
	int on = 0;

	if (!st || st->n == 0)
		return fargate_launch_of(bp->s, td, svc) == TL_EC2 ? 1 : 2;
	for (int i = 0; i < st->n; i++)
		on |= cp_is_fargate(bp->s, st->items[i].provider) ? 2 : 1;
	return on;
}

int bp_fargate_zone_open(struct backplane *bp, int svc, int az)
{
	struct fargate_run *f = fr_of(bp);
	const struct fargate_cfg *c = cfg_of(bp);

	if (az < 0 || az >= f->n_az || f->az_out_until[az] > sim_now(bp->sim) || !scenario_az_fargate(bp->s, az))
		return 0;
	if (svc >= 0 && bp->s->services[svc].subnet_azs && !bp->s->services[svc].subnet_azs[az])
		return 0;
	return c->az_task_limit <= 0 || f->az_used[az] < c->az_task_limit;
}

/* ---- the lifecycle (Fargate plays the agent) --------------------------- */

void fargate_send(struct backplane *bp, uint32_t slot, enum agent_msg m)
{
	struct fargate_run *f = fr_of(bp);

	if (m == AM_START)
		sim_after(bp->sim, 0, f->ev_start, bp, task_ref(bp, slot));
	else if (m == AM_STOP)
		sim_after(bp->sim, 0, f->ev_stop, bp, task_ref(bp, slot));
}

/* The grace of a Fargate container without a stopTimeout of its own:
 * `agent.stopTimeoutSeconds` (30 s, Fargate's default too), at most
 * Fargate's 120 s (docs/ecs-model.md §3.2, choice E202). */
#define FG_STOP_TIMEOUT_MAX_MS 120000

static sim_time_t fg_stop_timeout(const struct backplane *bp)
{
	return bp->tm->stop_timeout < FG_STOP_TIMEOUT_MAX_MS ? bp->tm->stop_timeout : FG_STOP_TIMEOUT_MAX_MS;
}

/* SIGTERM: the containers exit after the shutdown time or are killed at
 * their own stopTimeout, else fg_stop_timeout (30 s), along dependsOn
 * reversed (docs/ecs-model.md §3.2, choice E159); all are killed at
 * `limit` (a Fargate Spot interruption's warning, choice E67; -1: none).
 * When the essential container's exit stopped the task, the wait is the
 * other containers' (an essential container alone: nothing to wait for). */
static void begin_stop(struct backplane *bp, uint32_t slot, int exited, sim_time_t limit)
{
	struct task *t = &bp->tasks[slot];
	const struct taskdef *td = bp->s->taskdefs[t->td].td;
	sim_time_t wait = exited ? taskdef_stop_wait_exit_ms(td, bp->tm->shutdown, fg_stop_timeout(bp), 0)
		: taskdef_stop_wait_ms(td, bp->tm->shutdown, fg_stop_timeout(bp));

	if (limit >= 0 && wait > limit)
		wait = limit;
	agent_set_state(bp, slot, TS_DEACTIVATING);
	agent_set_state(bp, slot, TS_STOPPING);
	sim_after(bp->sim, wait, fr_of(bp)->ev_stop_done, bp, task_ref(bp, slot));
}

static void deprovision(struct backplane *bp, uint32_t slot)
{
	agent_set_state(bp, slot, TS_DEPROVISIONING);
	/* every Fargate task has its own ENI (awsvpc) */
	sim_after(bp->sim, bp->tm->eni_detach, fr_of(bp)->ev_deprovisioned, bp, task_ref(bp, slot));
}

static void running(struct backplane *bp, uint32_t slot, const struct event *ev);
static int deps_next(struct backplane *bp, struct task *t, uint64_t ref);

static void on_start(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);
	uint32_t slot = ref_slot(ev->arg);

	(void)s;
	if (!t || t->state != TS_PENDING)
		return;
	if (t->desired != TD_RUNNING) {
		deprovision(bp, slot);
		return;
	}
	/* dependsOn (docs/ecs-model.md §1.4, choices E156, E157, E175):
	 * the containers start at once, the dependent ones when their
	 * dependencies' conditions hold; the task is RUNNING when the last
	 * has started, or gives up (TaskFailedToStart) */
	if (bp->s->taskdefs[t->td].td->has_deps) {
		t->cold = 1;             /* (task.h: deps_base, 1 + the plan's base) */
		t->deps_base = sim_now(bp->sim) + 1;
		if (deps_next(bp, t, ev->arg))
			return;
	}
	running(bp, slot, ev);
}

/* The plan again (a failing check command, choice E175, may have moved
 * it): 0, RUNNING now; else the next event is on its way (the last
 * container's start, the task giving up), or none (it waits for good). */
static int deps_next(struct backplane *bp, struct task *t, uint64_t ref)
{
	struct td_start_plan pl;
	sim_time_t now = sim_now(bp->sim), base = t->deps_base - 1;
	int r = agent_health_start_plan(bp, ref, base, 0, &pl);

	if (r == 2)
		return 1;
	if (r == 1) {
		sim_after(bp->sim, base + pl.fail_ms > now ? base + pl.fail_ms - now : 0,
			  fr_of(bp)->ev_deps_failed, bp, ref);
		return 1;
	}
	if (base + pl.running_ms <= now)
		return 0;
	sim_after(bp->sim, base + pl.running_ms - now, fr_of(bp)->ev_deps_met, bp, ref);
	return 1;
}

/* A task stopped before it ran, its containers starting along dependsOn
 * (a stop request, or, `failed`, it gave up): as the agent does on EC2 (models/agent.c stop_started;
 * docs/ecs-model.md §3.2, choice E144), the containers that had started
 * get the stop signal along dependsOn reversed and take their time, then
 * the task is deprovisioned; it stays PENDING meanwhile.  deps_base -1:
 * stopping already.  All are killed at `limit` (a Fargate Spot
 * interruption's warning, choice E67; -1: none). */
static void stop_started(struct backplane *bp, struct task *t, uint64_t ref, int failed, sim_time_t limit)
{
	sim_time_t wait = 0;

	if (t->deps_base < 0)
		return;
	if (t->deps_base > 0) {
		struct td_start_plan pl;
		sim_time_t base = t->deps_base - 1, by = sim_now(bp->sim) - base;

		if (agent_health_start_plan(bp, ref, base, 0, &pl) == 1 && failed && pl.fail_ms < by)
			by = pl.fail_ms;
		wait = taskdef_stop_wait_started_ms(bp->s->taskdefs[t->td].td, bp->tm->shutdown, fg_stop_timeout(bp),
						    pl.start, by);
		if (limit >= 0 && wait > limit)
			wait = limit;
		t->deps_base = -1;
	}
	if (wait > 0)
		sim_after(bp->sim, wait, fr_of(bp)->ev_deps_stopped, bp, ref);
	else
		deprovision(bp, ref_slot(ref));
}

static void on_deps_stopped(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);

	(void)s;
	if (t && t->state == TS_PENDING && t->deps_base == -1)
		deprovision(bp, ref_slot(ev->arg));
}

static void on_deps_met(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);

	(void)s;
	if (t && t->state == TS_PENDING && t->desired == TD_RUNNING && t->deps_base > 0 &&
	    !deps_next(bp, t, ev->arg))
		running(bp, ref_slot(ev->arg), ev);
}

static void on_deps_failed(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);

	(void)s;
	if (!t || t->state != TS_PENDING || t->desired != TD_RUNNING || t->deps_base <= 0)
		return;
	t->stop_code = STOP_FAILED_TO_START;
	bp_task_desire_stop(bp, t);
	stop_started(bp, t, ev->arg, 1, -1);
}

/* Every container has started. */
static void running(struct backplane *bp, uint32_t slot, const struct event *ev)
{
	struct task *t = &bp->tasks[slot];
	const struct taskdef *td;
	int64_t at, hc_at;

	agent_set_state(bp, slot, TS_ACTIVATING);
	agent_set_state(bp, slot, TS_RUNNING);
	bp_task_running(bp, slot);
	td = bp->s->taskdefs[t->td].td;
	/* docs/ecs-model.md §5.2 and choice E110, as on EC2 */
	hc_at = taskdef_healthy_ms(td, bp->tm->health_check);
	if (td->has_deps) {   /* each container's checks from its own start */
		struct td_start_plan pl;

		if (!taskdef_start_plan(td, 0, bp->tm->health_check, &pl))
			hc_at = pl.healthy_ms;
	}
	sim_after(bp->sim, hc_at >= 0 ? hc_at : bp->tm->healthy_after, fr_of(bp)->ev_healthy, bp, ev->arg);
	/* a failing check command (docs/ecs-model.md choice E114) */
	if (t->hc_fault)
		agent_health_running(bp, ev->arg);
	if (t->duration >= 0)
		sim_after(bp->sim, t->duration, fr_of(bp)->ev_exit, bp, ev->arg);
	/* docs/ecs-model.md §5.13: the interruption clock starts with the task */
	if (t->fg == TL_FARGATE_SPOT &&
	    (at = fargate_spot_interruption_ms(cfg_of(bp), sim_now(bp->sim), fr_of(bp)->spot_rng)) >= 0)
		sim_at(bp->sim, at, fr_of(bp)->ev_spot, bp, ev->arg);
}

static void on_healthy(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);

	(void)s;
	if (!t || t->state != TS_RUNNING || t->healthy)
		return;
	/* a container whose check command fails decides by its own checks
	 * (models/agent_health.c) */
	if (t->hc_fault && !agent_health_passes(bp, ev->arg))
		return;
	/* behind a load balancer the targets' health must pass too
	 * (docs/ecs-model.md §5.2): the load-balancer actor decides */
	if (t->svc >= 0 && bp->s->services[t->svc].lb.n > 0) {
		bp_task_checks_passed(bp, ref_slot(ev->arg));
		return;
	}
	bp_task_healthy(bp, ref_slot(ev->arg));
}

static void on_essential_exit(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);

	(void)s;
	if (!t)
		return;
	/* STOPPING: the container's own run ended within its stop grace; it
	 * has exited, with no kill, and the task has stopped when the last of
	 * its containers has: now or earlier than the signal's wait said
	 * (docs/ecs-model.md §3.2, as on EC2, models/agent.c).  The first
	 * stop-done event then finds the task past STOPPING. */
	if (t->state == TS_STOPPING) {
		const struct taskdef *td = bp->s->taskdefs[t->td].td;
		sim_time_t now = sim_now(bp->sim), sig = t->ts[TS_STOPPING];
		sim_time_t wait = taskdef_stop_wait_exit_ms(td, bp->tm->shutdown, fg_stop_timeout(bp), now - sig);

		if (wait < taskdef_stop_wait_ms(td, bp->tm->shutdown, fg_stop_timeout(bp)))
			sim_after(bp->sim, sig + wait > now ? sig + wait - now : 0, fr_of(bp)->ev_stop_done, bp,
				  ev->arg);
		return;
	}
	if (t->state != TS_RUNNING && t->state != TS_DEACTIVATING)
		return;
	/* docs/ecs-model.md §1.4, choice E158: restarted in place (no
	 * container start time on Fargate: it runs again at once).  Also
	 * while a stop is held for its targets' draining (its desired status
	 * STOPPED, DEACTIVATING, choice E220): the stop has not reached the
	 * task yet, as on EC2 (models/agent.c) */
	if (bp->s->taskdefs[t->td].td->restart_ms >= 0 && t->duration >= bp->s->taskdefs[t->td].td->restart_ms) {
		sim_after(bp->sim, t->duration, fr_of(bp)->ev_exit, bp, ev->arg);
		return;
	}
	/* docs/ecs-model.md §3.2: the essential container exited */
	if (t->desired == TD_RUNNING) {
		t->stop_code = STOP_ESSENTIAL_EXITED;
		bp_task_desire_stop(bp, t);
	}
	t->lost = 1;
	begin_stop(bp, ref_slot(ev->arg), 1, -1);
}

static void on_stop(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);

	(void)s;
	if (!t)
		return;
	/* DEACTIVATING: its targets have drained (choice E220) */
	if (t->state == TS_RUNNING || t->state == TS_DEACTIVATING)
		begin_stop(bp, ref_slot(ev->arg), 0, -1);
	else if (t->state == TS_PENDING && bp->s->taskdefs[t->td].td->has_deps)
		stop_started(bp, t, ev->arg, 0, -1);   /* choice E144 */
	else if (t->state == TS_PENDING || t->state == TS_ACTIVATING)
		deprovision(bp, ref_slot(ev->arg));
}

static void on_stop_done(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);

	(void)s;
	if (t && t->state == TS_STOPPING)
		deprovision(bp, ref_slot(ev->arg));
}

static void on_deprovisioned(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);
	uint32_t slot = ref_slot(ev->arg);

	(void)s;
	if (!t || t->state != TS_DEPROVISIONING)
		return;
	agent_set_state(bp, slot, TS_STOPPED);
	bp_task_stopped(bp, slot);
}

/* ---- FARGATE_SPOT interruptions ----------------------------------------- */

static void interrupt(struct backplane *bp, uint32_t slot)
{
	struct task *t = &bp->tasks[slot];
	struct fargate_run *f = fr_of(bp);
	const struct fargate_cfg *c = cfg_of(bp);
	char name[32];

	/* a task PENDING while its containers start along dependsOn has
	 * containers running on the capacity too: they get the warning and
	 * SIGTERM, as a RUNNING task's (choice E144); one none of whose
	 * containers has started (PROVISIONING) has nothing to warn */
	int pending = t->state == TS_PENDING && t->deps_base > 0;

	if ((t->state != TS_RUNNING && !pending) || t->desired != TD_RUNNING)
		return;
	f->interruptions++;
	metrics_on_fault(bp->m, sim_now(bp->sim), fault_new_id(bp), "fargate_spot_interruption",
			 task_name(t, name, sizeof name), bp->s->azs[t->fg_az], 1, t->svc >= 0, -1);
	/* docs/ecs-model.md §5.13, §3.3, choice E67: the warning and SIGTERM
	 * now, TerminationNotice, killed at min(stopTimeout, warning): each
	 * container at its own stopTimeout (begin_stop), all at the warning's
	 * end, which also cuts a dependsOn chain (E159) */
	t->stop_code = STOP_TERMINATION;
	t->cold = 1;                    /* (task.h) */
	t->stop_reason = STOP_FARGATE_SPOT_REASON;
	bp_task_desire_stop(bp, t);
	if (pending) {
		/* never RUNNING: no target, not a lost task */
		stop_started(bp, t, task_ref(bp, slot), 0, c->spot_warning_ms);
		return;
	}
	t->lost = 1;
	/* its load-balancer targets are deregistered now (they drain while
	 * the containers stop), but the stop does not wait for them */
	if (bp->stop_hold)
		bp->stop_hold(bp, bp->stop_hold_ctx, slot);
	begin_stop(bp, slot, 0, c->spot_warning_ms);
}

static void on_spot(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;

	(void)s;
	if (bp_task(bp, ev->arg))
		interrupt(bp, ref_slot(ev->arg));
}

void backplane_fargate_interrupt(struct backplane *bp, const char *target, int64_t count)
{
	int svc = backplane_find_service(bp, target);
	int64_t done = 0;

	for (size_t i = 0; i < bp->n_tasks && done < count; i++) {
		struct task *t = &bp->tasks[i];
		char name[32];
		const char *id;

		if (!t->used || t->fg != TL_FARGATE_SPOT || t->queued)
			continue;
		id = task_name(t, name, sizeof name);
		if (svc >= 0 ? t->svc == svc && t->state == TS_RUNNING && t->desired == TD_RUNNING
			     : strcmp(id, target) == 0) {
			interrupt(bp, (uint32_t)i);
			done++;
			if (svc < 0)
				return;
		}
	}
	/* like StopTask, a name that matches nothing has no effect */
}

/* ---- AZ outages (choice E68) -------------------------------------------- */

static void on_lost(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);
	uint32_t slot = ref_slot(ev->arg);

	(void)s;
	if (!t || t->state == TS_STOPPED)
		return;
	if (t->desired == TD_RUNNING) {
		t->stop_code = STOP_INFRASTRUCTURE;
		bp_task_desire_stop(bp, t);
	}
	if (t->state == TS_RUNNING)
		t->lost = 1;
	agent_set_state(bp, slot, TS_STOPPED);
	bp_task_stopped(bp, slot);
}

/* The end of an outage: when the zone is not out any more, capacity
 * appeared in it (the note names it): the tasks waiting for capacity are
 * tried again and a service whose launch found none gets a pass.  (AZ
 * rebalancing notices the zone at its own periodic check, choice E118.) */
static void on_back(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;

	if (fr_of(bp)->az_out_until[ev->arg] > sim_now(s))
		return;    /* a later outage of the zone is still on */
	bp_notify(bp, &(struct bp_note){ .kind = BN_CAPACITY, .inst = -1,
					 .az = bp->s->azs[ev->arg] });
}

static void az_outage(struct backplane *bp, const char *az, sim_time_t len)
{
	struct fargate_run *f = fr_of(bp);
	int a = scenario_az_index(bp->s, az);

	if (a < 0)
		return;
	if (sim_now(bp->sim) + len > f->az_out_until[a])
		f->az_out_until[a] = sim_now(bp->sim) + len;
	sim_after(bp->sim, len, f->ev_back, bp, (uint64_t)a);
	for (size_t i = 0; i < bp->n_tasks; i++) {
		struct task *t = &bp->tasks[i];

		if (t->used && t->fg && !t->queued && t->fg_az == a)
			sim_after(bp->sim, 0, f->ev_lost, bp, task_ref(bp, (uint32_t)i));
	}
}

/* ---- the bill ------------------------------------------------------------ */

static void bill(struct backplane *bp, const struct task *t, sim_time_t end)
{
	const struct taskdef *td = bp->s->taskdefs[t->td].td;

	if (t->ts[TS_PROVISIONING] < 0)
		return;
	metrics_add_fargate_cost(bp->m, pricing_fargate_task_usd(bp->s->pricing, td->task_cpu,
								 td->task_memory_mib,
								 t->fg == TL_FARGATE_SPOT,
								 end - t->ts[TS_PROVISIONING]));
}

void fargate_task_gone(struct backplane *bp, uint32_t slot)
{
	struct fargate_run *f = fr_of(bp);
	struct task *t = &bp->tasks[slot];

	if (t->fg_az < 0)
		return;
	f->az_used[t->fg_az]--;
	svc_row(f, t)[t->fg_az]--;
	bill(bp, t, sim_now(bp->sim));
}

static void finish(struct backplane *bp, sim_time_t end)
{
	for (size_t i = 0; i < bp->n_tasks; i++) {
		const struct task *t = &bp->tasks[i];

		if (t->used && t->fg && !t->queued && t->fg_az >= 0)
			bill(bp, t, end);
	}
}

/* ---- attach -------------------------------------------------------------- */

static void on_note(struct backplane *bp, void *ctx, const struct bp_note *n)
{
	struct fargate_run *f = ctx;

	switch (n->kind) {
	case BN_AZ_OUTAGE:
		az_outage(bp, n->az, n->len);
		break;
	case BN_FINISH:
		finish(bp, n->at);
		break;
	case BN_FREE:
		free(f->az_used);
		free(f->az_out_until);
		free(f->thr_g[0]);
		free(f->thr_g[1]);
		free(f->svc_az);
		free(f);
		bp_set_actor_state(bp, BA_FARGATE, NULL);
		break;
	default:
		break;
	}
}

void fargate_attach(struct backplane *bp)
{
	struct fargate_run *f = xcalloc(1, sizeof *f);
	struct sim *sim = bp->sim;

	bp_set_actor_state(bp, BA_FARGATE, f);
	f->rng = rng_stream(bp->rng, "fargate");
	f->spot_rng = rng_stream(bp->rng, "fargate/spot");
	f->n_az = bp->s->n_azs;
	for (int k = 0; k < 2; k++) {
		f->bucket[k].tokens = cfg_of(bp)->launch_burst * FG_TOKEN;   /* full at 0 */
		f->bucket[k].wake_at = -1;
	}
	f->az_used = xcalloc((size_t)f->n_az + 1, sizeof *f->az_used);
	f->az_out_until = xcalloc((size_t)f->n_az + 1, sizeof *f->az_out_until);
	f->svc_az = xcalloc(((size_t)bp->s->n_services + 1) * ((size_t)f->n_az + 1), sizeof *f->svc_az);
	bp_subscribe(bp, BN_BIT(BN_AZ_OUTAGE) | BN_BIT(BN_FINISH) | BN_BIT(BN_FREE), on_note, f);
	f->ev_start = sim_on_world(sim, "fargate-start", on_start, bp);
	f->ev_stop = sim_on_world(sim, "fargate-stop", on_stop, bp);
	f->ev_stop_done = sim_on_world(sim, "fargate-containers-stopped", on_stop_done, bp);
	f->ev_deprovisioned = sim_on_world(sim, "fargate-deprovisioned", on_deprovisioned, bp);
	f->ev_healthy = sim_on_world(sim, "fargate-task-healthy", on_healthy, bp);
	f->ev_exit = sim_on_world(sim, "fargate-essential-exit", on_essential_exit, bp);
	sim_on_hint(sim, f->ev_exit, bp_hint_task);      /* (a duration after the start: cold) */
	f->ev_spot = sim_on_world(sim, "fargate-spot-interruption", on_spot, bp);
	f->ev_lost = sim_on_world(sim, "fargate-az-lost", on_lost, bp);
	f->ev_back = sim_on_world(sim, "fargate-az-back", on_back, bp);
	f->ev_token = sim_on_world(sim, "fargate-launch-token", on_token, bp);
	f->ev_deps_met = sim_on_world(sim, "fargate-dependencies-met", on_deps_met, bp);
	f->ev_deps_failed = sim_on_world(sim, "fargate-dependencies-timeout", on_deps_failed, bp);
	f->ev_deps_stopped = sim_on_world(sim, "fargate-started-containers-stopped", on_deps_stopped, bp);
}
