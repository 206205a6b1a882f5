/* models/agent.c — the ECS container agent on each instance
 * (docs/ecs-model.md §3.1, §3.2, §7.1, §7.3, §7.4).
 *
 * It receives start and stop requests from the backplane after the network
 * delay, pulls images (a drawn duration per task definition not yet cached
 * on the instance, a short one once cached), starts the containers (which
 * fail to start with a given probability: TaskFailedToStart; along their
 * dependsOn, deps_wait, choices E156, E157), runs the
 * essential container for the task's duration (restarted in place by its
 * restartPolicy, E158), stops tasks with the stop signal and the stop
 * timeout (along dependsOn reversed, E159; also the containers that
 * started of a task stopped before it ran, E144), and reports RUNNING and
 * STOPPED back.
 *
 * Heartbeats are not simulated one by one: an agent that stops talking is
 * noticed by the backplane after the heartbeat timeout plus a uniform jitter
 * (docs/ecs-model.md §7.1), which is what the heartbeats would show.  While disconnected, its
 * tasks keep running; messages both ways wait in an outbox and are delivered
 * on reconnection — the reconciliation of docs/ecs-model.md §7.4.  What
 * the agent sees while disconnected (a task's state changes, why it ended,
 * its health) changes the task's real state at once but the backplane's
 * view (task->seen, desired status, stop code, the service's counts) only
 * when its report arrives (agent_set_state here, bp_task_report and
 * bp_task_sync in backplane.c).
 *
 * It hears of its instance from the backplane's notifications (added, down,
 * up, its agent silent, a Spot notice) and talks to the backplane only
 * through the messages of bp_msg.h.
 *
 * Few events per task (docs/ecs-model.md §10.1): a step with no delay that
 * is the last action of an event runs as part of it while nothing else
 * waits at that instant (then()); the start request and the end of a pull
 * of a cached image are held places, not events (sim_held_after: they
 * only read and schedule, at their own place in the order), and so are a
 * standalone task's delayed steps no other actor reacts to (step()); a
 * standalone task's RUNNING report and health are not sent (choice E75).
 *
 * The handlers a standalone task passes through in the common case (its
 * start request, a cached pull, the containers' start, the essential
 * container's exit with others to stop, their stop, the STOPPED report;
 * and agent_task_pending) first try that case's path written out: only
 * loads, stores and the one call that ends it (its next step scheduled),
 * so they save no registers.  Anything else goes to the step's general
 * path (a *_slow function, out of line), which gives the same result for
 * the common case too: with scenario.every_step (tests only) the general
 * paths run alone, and tests/test_chain.c compares the two runs' files.
 * A connected agent's instance is up (on_down clears `up`; the whole-run
 * invariants check it): `up` says the task is not dead (dead_in).  The
 * common paths learn the agent's state from its two-byte summary (struct
 * agents quick: connected, taking the held steps, its settings, its first
 * cached images), not from its record: a task's steps lie far apart and
 * the records of thousands of agents do not stay in the first-level
 * cache, their summaries mostly do.  Those after the start request (the
 * cached pull's end, the containers' start, the exit, the stop) read the
 * summary's class from the task itself (task.h quick: agent_task_pending
 * copies it, the agent's disconnection or failure clears it, the
 * whole-run invariants check it), whose first line they read anyway: no
 * look at the summary, whose line a task's steps far apart miss too.
 */
#include "agent_int.h"

#include <stdlib.h>
#include <string.h>

#include "models/cluster.h"
#include "models/task.h"
#include "sim/mem.h"

static struct agent *agent_of(struct backplane *bp, const struct task *t)
{
	return agent_at(bp, t->inst);
}

static uint64_t task_ref(struct backplane *bp, uint32_t slot)
{
	return ref_make(slot, bp_task_at(bp, slot)->gen);
}

static const struct scn_timing *timing(struct backplane *bp)
{
	return &backplane_scenario(bp)->timing;
}

static void on_start(struct sim *s, void *ctx, const struct event *ev);
static void on_stop(struct sim *s, void *ctx, const struct event *ev);
static void on_pulled(struct sim *s, void *ctx, const struct event *ev);
static void on_started(struct sim *s, void *ctx, const struct event *ev);
static void on_essential_exit(struct sim *s, void *ctx, const struct event *ev);
static void on_essential_exit_general(struct sim *s, void *ctx, const struct event *ev);
static void on_stop_done(struct sim *s, void *ctx, const struct event *ev);
static void on_deprovisioned(struct sim *s, void *ctx, const struct event *ev);
static void started(struct sim *s, void *ctx, uint64_t ref);
static void stop_done(struct sim *s, void *ctx, uint64_t ref);
static void deprovisioned(struct sim *s, void *ctx, uint64_t ref);
/* The bodies of the chain's steps (step()), inline in their handlers and
 * in the step before them: as calls they cost a frame per step. */
static inline __attribute__((always_inline)) void started_in(struct backplane *bp, const struct agents *ag, struct task *t, uint64_t ref);
static inline __attribute__((always_inline)) void stop_done_in(struct backplane *bp, const struct agents *ag, struct task *t, uint64_t ref);
static inline __attribute__((always_inline)) void deprovisioned_in(struct backplane *bp, const struct agents *ag, struct task *t, uint64_t ref);
static void on_report_running(struct sim *s, void *ctx, const struct event *ev);
static void on_report_stopped(struct sim *s, void *ctx, const struct event *ev);
static void on_report_state(struct sim *s, void *ctx, const struct event *ev);

/* The next step of a task's chain, `delay` from now, by its handler `fn`.
 * Called as the LAST action of a handler: a step with no delay while
 * nothing else waits at this instant (sim_lane_idle) is run at once, as
 * part of the running event: the same order as the instant's lane, one
 * event fewer.  Else it is scheduled. */
static inline __attribute__((always_inline)) void then(struct backplane *bp, sim_time_t delay, uint32_t type,
						     sim_handler fn, uint64_t ref)
{
	struct sim *s = backplane_sim(bp);

	if (delay <= 0 && sim_lane_idle(s))
		fn(s, bp, &(struct event){ sim_now(s), 0, type, 1, bp, ref });
	else
		sim_after(s, delay, type, bp, ref);
}

/* The next step of a task's chain as a held place rather than an event
 * (sim_held_after; docs/ecs-model.md §10.1, "Fewer events per task") when
 * no other actor reacts to it at its time: a step of a standalone task
 * (a service's scheduler and load balancer follow its tasks' states) with
 * a delay, while the agent's reports take time (network delay > 0), so
 * that what the step does at once is confined to the task's own state,
 * the counts the metrics sample reads at the end of the instant, and the
 * agent's outbox, and what it schedules lies in the future (the STOPPED
 * report that releases the resources stays an event).  It runs at exactly
 * the place of the event it replaces: the order of every instant, and so
 * every output, is the same; only perf.csv's event count differs. */
static inline int held_ok(const struct agents *ag, const struct task *t, sim_time_t delay)
{
	return delay > 0 && t->svc < 0 && !ag->every_step && ag->a[t->inst].tm->network_delay > 0;
}

/* then(), or the step as a held place of type `held` when held_ok; `body`
 * is the step's work after its handlers (of the event `type`, of the held
 * place) found the task: at once, it is given the task its caller holds */
static inline __attribute__((always_inline)) void step(struct backplane *bp, const struct agents *ag,
						     struct task *t, sim_time_t delay, uint32_t type,
						     uint32_t held,
						     void (*body)(struct backplane *, const struct agents *,
								  struct task *, uint64_t),
						     uint64_t ref)
{
	if (held_ok(ag, t, delay))
		sim_held_after(ag->sim, delay, held, ref);
	else if (delay <= 0 && sim_lane_idle(ag->sim))
		body(bp, ag, t, ref);        /* then(): at once */
	else
		sim_after(ag->sim, delay, type, bp, ref);
}

/* Agent inst's summary (struct agents quick) from its record: after any
 * change of its up, quick_cls or cached_lo. */
static void quick_set(struct agents *ag, int32_t inst)
{
	const struct agent *a = &ag->a[inst];

	ag->quick[inst] = (uint16_t)((a->cached_lo & 0xffu) << 8 | (a->up ? a->quick_cls : 0u));
}

/* The summary's settings: those of a connected agent whose tasks take the
 * held steps (q's low byte not 0). */
static inline const struct scn_timing *quick_tm(const struct agents *ag, unsigned q)
{
	return ag->tms[(q & 0xff) - 1];
}

/* The summary of task t's agent (struct agents quick) when t is a task to
 * start (PENDING, desired RUNNING) on a connected agent taking the held
 * steps, else 0: the common paths' first test. */
static inline unsigned quick_to_start(const struct agents *ag, const struct task *t)
{
	unsigned q = ag->quick[t->inst];

	return (q & 0xff) && t->state == TS_PENDING && t->desired == TD_RUNNING ? q : 0;
}

/* The instance joined: its agent is connected. */
static void agent_init(struct backplane *bp, int32_t inst)
{
	struct agents *ag = agents_of(bp);
	const struct scn_timing *tm = bp_instance_timing(bp, inst);

	if ((size_t)inst + 1 > ag->cap)   /* each agent on its own cache line */
		xgrow_aligned(&ag->a_mem, (void **)&ag->a, &ag->cap, (size_t)inst + 1, sizeof ag->a[0],
			      _Alignof(struct agent));
	XGROW(ag->quick_mem, ag->cap_quick, (size_t)inst + 2);
	ag->quick = ag->quick_mem + 1;
	ag->quick[-1] = 0;
	while (ag->n <= (size_t)inst) {
		ag->quick[ag->n] = 0;
		memset(&ag->a[ag->n++], 0, sizeof ag->a[0]);
	}
	ag->a[inst].up = 1;
	ag->a[inst].tm = tm;
	ag->a[inst].quick_cls = 0;
	if (!ag->every_step && tm->network_delay > 0) {
		int k = 0;

		while (k < ag->n_tms && ag->tms[k] != tm)
			k++;
		if (k == ag->n_tms && k < (int)(sizeof ag->tms / sizeof ag->tms[0]))
			ag->tms[ag->n_tms++] = tm;
		if (k < ag->n_tms)
			ag->a[inst].quick_cls = (uint8_t)(k + 1);
	}
	quick_set(ag, inst);
}

static void agent_free_all(struct backplane *bp)
{
	struct agents *ag = agents_of(bp);

	for (size_t i = 0; i < ag->n; i++) {
		free(ag->a[i].cached);
		free(ag->a[i].outbox);
	}
	free(ag->a_mem);
	free(ag->quick_mem);
	free(ag->outage);
	agent_health_free(bp);
	free(ag);
	bp_set_actor_state(bp, BA_AGENT, NULL);
}

static void hold(struct agent *a, uint64_t ref, enum agent_msg m)
{
	XGROW(a->outbox, a->cap_out, a->n_out + 2);
	a->outbox[a->n_out++] = ref;
	a->outbox[a->n_out++] = (uint64_t)m;
}

static uint32_t msg_event(const struct agents *ag, enum agent_msg m)
{
	switch (m) {
	case AM_START:
		return ag->ev_start;
	case AM_STOP:
		return ag->ev_stop;
	case AM_REPORT_RUNNING:
		return ag->ev_report_running;
	case AM_REPORT_STATE:
		return ag->ev_report_state;
	default:
		return ag->ev_report_stopped;
	}
}

static int cached(const struct agent *a, int td);
static int dead(const struct backplane *bp, const struct task *t);
static int dead_in(const struct agents *ag, const struct task *t);

/* The agent's start request and, when the image is already on the
 * instance, the pull's end are held places, not events (sim_held_after):
 * they read the task's state and the image cache and schedule the next
 * step, at exactly their own place in the order, and change nothing any
 * other actor sees — but what they schedule would be ordered otherwise
 * without them.  A pull of an image not yet on the instance (its duration
 * drawn, it writes the cache) stays an event. */
static void __attribute__((noinline)) ghost_pulled_slow(struct sim *s, struct backplane *bp,
							  struct task *t, uint64_t ref)
{
	const struct agents *ag = agents_of(bp);

	/* on_pulled, the image cached already */
	if (dead_in(ag, t) || t->state != TS_PENDING)
		return;
	if (t->desired == TD_RUNNING) {
		sim_time_t d = ag->a[t->inst].tm->container_start;

		if (held_ok(ag, t, d))
			sim_held_after(s, d, ag->held_started, ref);
		else
			sim_after(s, d, ag->ev_started, bp, ref);
	}
}

static void ghost_pulled(struct sim *s, void *ctx, uint64_t ref)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ref);
	const struct agents *ag = agents_of(bp);
	unsigned q;

	if (!t)
		return;
	/* the common case: a standalone task to start whose connected agent
	 * (not dead) takes the held steps (held_ok; its class kept in the
	 * task, task.h quick), the containers' start a held place */
	q = t->quick;
	if (q && t->state == TS_PENDING && t->desired == TD_RUNNING && quick_tm(ag, q)->container_start > 0) {
		sim_held_after(s, quick_tm(ag, q)->container_start, ag->held_started, ref);
		return;
	}
	ghost_pulled_slow(s, bp, t, ref);
}

static void __attribute__((noinline)) ghost_start_slow(struct sim *s, struct backplane *bp,
							 struct task *t, uint64_t ref)
{
	const struct agents *ag = agents_of(bp);
	const struct agent *a;

	/* on_start */
	if (dead_in(ag, t) || t->state != TS_PENDING || t->desired != TD_RUNNING)
		return;
	a = &ag->a[t->inst];
	if (!cached(a, t->td))
		sim_after(s, sim_ms(dist_sample(&a->tm->image_pull, ag->rng)), ag->ev_pulled, bp, ref);
	else if (a->tm->image_pull_cached > 0)
		sim_held_after(s, a->tm->image_pull_cached, ag->held_pulled, ref);
	else
		ghost_pulled_slow(s, bp, t, ref);   /* on_start's last step, at once (then()) */
}

static void ghost_start(struct sim *s, void *ctx, uint64_t ref)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ref);
	const struct agents *ag = agents_of(bp);
	unsigned q;

	if (!t)
		return;
	/* the common case: the image on the instance of a connected agent
	 * (not dead), its pull's end a held place */
	q = quick_to_start(ag, t);
	if (q && quick_tm(ag, q)->image_pull_cached > 0 &&
	    ((unsigned)t->td < 8 ? (int)(q >> (8 + t->td) & 1) : cached(&ag->a[t->inst], t->td))) {
		sim_held_after(s, quick_tm(ag, q)->image_pull_cached, ag->held_pulled, ref);
		return;
	}
	ghost_start_slow(s, bp, t, ref);
}

/* ghost_start by its general path alone (every_step) */
static void ghost_start_general(struct sim *s, void *ctx, uint64_t ref)
{
	struct task *t = bp_task(ctx, ref);

	if (t)
		ghost_start_slow(s, ctx, t, ref);
}

static sim_handler msg_handler(enum agent_msg m)
{
	switch (m) {
	case AM_START:
		return on_start;
	case AM_STOP:
		return on_stop;
	case AM_REPORT_RUNNING:
		return on_report_running;
	case AM_REPORT_STATE:
		return on_report_state;
	default:
		return on_report_stopped;
	}
}

/* Any message between the backplane and an agent, either way, about the
 * task `t` in `slot`; `last`: the sender's last action (then()). */
static inline __attribute__((always_inline)) void deliver_task(struct backplane *bp, const struct agents *ag, uint32_t slot,
				const struct task *t, enum agent_msg m, int last)
{
	struct agent *a = &ag->a[t->inst];
	uint64_t ref = ref_make(slot, t->gen);

	if (a->down)
		return;            /* the instance failed: nobody there to talk to */
	if (m == AM_START && a->up && a->tm->network_delay > 0) {
		sim_held_after(ag->sim, a->tm->network_delay, ag->held_start, ref);
		return;
	}
	if (a->up && last)
		then(bp, a->tm->network_delay, msg_event(ag, m), msg_handler(m), ref);
	else if (a->up)
		sim_after(ag->sim, a->tm->network_delay, msg_event(ag, m), bp, ref);
	else
		hold(a, ref, m);
}

static void deliver_as(struct backplane *bp, uint32_t slot, enum agent_msg m, int last)
{
	deliver_task(bp, agents_of(bp), slot, bp_task_at(bp, slot), m, last);
}

static void deliver(struct backplane *bp, uint32_t slot, enum agent_msg m)
{
	deliver_as(bp, slot, m, 0);
}

void agent_send(struct backplane *bp, uint32_t slot, enum agent_msg m)
{
	deliver(bp, slot, m);
}

/* agent_task_ended for a task its caller holds.  A task whose desired
 * status is STOPPED already (a StopTask or the scheduler's stop on its way
 * to the agent, or held while its load-balancer targets drain) keeps that
 * first reason (docs/ecs-model.md §3.3, choice E26), as a report held
 * while disconnected does (bp_task_sync). */
static void task_ended(struct backplane *bp, const struct agents *ag, struct task *t, const char *code)
{
	if (ag->a[t->inst].up) {
		if (t->desired == TD_RUNNING) {
			t->stop_code = code;
			bp_task_desire_stop(bp, t);
		}
	} else {
		t->cold = 1;             /* (task.h) */
		t->agent_code = code;    /* reported on reconnection (docs/ecs-model.md §7.4) */
	}
}

void agent_task_ended(struct backplane *bp, uint32_t slot, const char *code)
{
	task_ended(bp, agents_of(bp), bp_task_at(bp, slot), code);
}

/* agent_set_state's report when the agent is disconnected (docs/ecs-model.md
 * §7.4): what happens on its instance reaches the backplane only with the
 * agent's report, which waits in its outbox until it reconnects.  Out of
 * line: the common case runs without it. */
static void __attribute__((noinline)) report_held(struct backplane *bp, uint32_t slot,
						    struct task *t)
{
	if (!t->unsynced) {
		t->unsynced = 1;
		agent_send(bp, slot, AM_REPORT_STATE);
	}
}

/* set_state's report when the view does not simply move (out of line:
 * the common case runs without it) */
static void __attribute__((noinline)) report_state(struct backplane *bp, const struct agents *ag,
						     uint32_t slot, struct task *t)
{
	const struct agent *a = t->inst >= 0 ? &ag->a[t->inst] : NULL;

	if (a && !a->up && !a->down)
		report_held(bp, slot, t);
	else
		bp_task_report(bp, slot);
}

/* agent_set_state for a task its caller holds (t, in `slot`), at `now`:
 * the agent's steps below call it with what they looked up already (no
 * second look-up of the task, the agents or the clock per state).  A
 * standalone task whose connected agent holds no report back only moves
 * the backplane's view (bp_task_view). */
static inline __attribute__((always_inline)) void set_state(struct backplane *bp, const struct agents *ag,
							      uint32_t slot, struct task *t, int st,
							      sim_time_t now)
{
	t->state = (uint8_t)st;
	if (t->ts[st] < 0)
		t->ts[st] = now;
	if (t->inst >= 0 && ag->a[t->inst].up && !t->unsynced && t->svc < 0)
		bp_task_view(bp, t, st);     /* all bp_task_report would do */
	else
		report_state(bp, ag, slot, t);
}

static void set_states_slow(struct backplane *bp, const struct agents *ag, uint32_t slot,
			    struct task *t, int st1, int st2, sim_time_t now);

/* set_state to st1, then at once to st2, for a task on an instance.  For
 * a standalone task whose connected agent holds no report back, the
 * backplane's view moves once, straight to st2: nothing happens between
 * the two, and the counts of running and starting tasks a view change
 * adds up along the way are those of the one step (view_delta in
 * backplane.c).  Otherwise (a service's task, whose every step is news;
 * a report held back or due) state by state. */
static inline __attribute__((always_inline)) void set_states(struct backplane *bp, const struct agents *ag,
							       uint32_t slot, struct task *t, int st1, int st2,
							       sim_time_t now)
{
	if (ag->a[t->inst].up && !t->unsynced && t->svc < 0) {
		t->state = (uint8_t)st2;
		if (t->ts[st1] < 0)
			t->ts[st1] = now;
		if (t->ts[st2] < 0)
			t->ts[st2] = now;
		bp_task_view(bp, t, st2);
	} else {
		set_states_slow(bp, ag, slot, t, st1, st2, now);
	}
}

/* set_states state by state (out of line) */
static void __attribute__((noinline)) set_states_slow(struct backplane *bp, const struct agents *ag,
							uint32_t slot, struct task *t, int st1, int st2,
							sim_time_t now)
{
	set_state(bp, ag, slot, t, st1, now);
	set_state(bp, ag, slot, t, st2, now);
}

void agent_set_state(struct backplane *bp, uint32_t slot, int st)
{
	const struct agents *ag = agents_of(bp);

	set_state(bp, ag, slot, bp_task_at(bp, slot), st, sim_now(ag->sim));
}

/* A common path's time of state st, which the task enters now for the
 * first time: a task's state only moves forward (enum task_state's
 * order), so one in an earlier state has never been in st and ts[st] is
 * -1 (new_task): written without a look (the stop's states lie in line 1
 * of the record, which the steps before did not touch: a store, not a
 * load that waits for the line). */
static inline void stamp_new(struct task *t, int st, sim_time_t now)
{
#ifdef ECSIM_CHECKS
	if (t->ts[st] >= 0)
		abort();
#endif
	t->ts[st] = now;
}

static void __attribute__((noinline)) task_pending_slow(struct backplane *bp, uint32_t slot,
							  struct task *t)
{
	const struct agents *ag = agents_of(bp);

	set_state(bp, ag, slot, t, TS_PENDING, sim_now(ag->sim));
	deliver_task(bp, ag, slot, t, t->desired == TD_RUNNING ? AM_START : AM_STOP, 1);
}

void agent_task_pending(struct backplane *bp, uint32_t slot, struct task *t)
{
	const struct agents *ag = agents_of(bp);
	unsigned q = ag->quick[t->inst];

	/* the common case: a standalone task to start, its connected agent
	 * (taking the held steps: network delay > 0, no every_step) holding
	 * no report back (its view moves by itself, set_state), the start
	 * request a held place (deliver_task) */
	if ((q & 0xff) && !t->unsynced && t->svc < 0 && t->desired == TD_RUNNING) {
		sim_time_t now = sim_now(ag->sim);

		t->state = TS_PENDING;
		t->quick = (uint8_t)q;       /* the steps after read it here (task.h) */
		stamp_new(t, TS_PENDING, now);
		bp_task_view(bp, t, TS_PENDING);
		sim_held_after(ag->sim, quick_tm(ag, q)->network_delay, ag->held_start, ref_make(slot, t->gen));
		return;
	}
	task_pending_slow(bp, slot, t);
}

/* The task's instance failed: nothing runs there any more. */
static int dead_in(const struct agents *ag, const struct task *t)
{
	return t->inst >= 0 && ag->a[t->inst].down;
}

static int dead(const struct backplane *bp, const struct task *t)
{
	return dead_in(agents_of(bp), t);
}

static int cached(const struct agent *a, int td)
{
	if ((unsigned)td < 32)   /* its summary, on the agent's line */
		return a->cached_lo >> td & 1;
	for (int i = 0; i < a->n_cached; i++)
		if (a->cached[i] == td)
			return 1;
	return 0;
}

/* The stop sequence from RUNNING: DEACTIVATING → STOPPING (stop signal; the
 * containers exit after the shutdown time, or are killed at the stop
 * timeout, docs/ecs-model.md §3.2; when the only container has exited by
 * itself, STOPPING passes at once).  A task whose stop was held for its
 * load-balancer targets' drain is DEACTIVATING already, since the
 * deregistration (bp_stop_task, choice E220): its time is kept. */
static inline __attribute__((always_inline)) void begin_stop(struct backplane *bp, const struct agents *ag, uint32_t slot,
		       struct task *t, int exited)
{
	const struct taskdef *td = backplane_scenario(bp)->taskdefs[t->td].td;
	sim_time_t wait = 0;
	sim_time_t now = sim_now(ag->sim);

	/* the essential container exited: the stop signal and timeout are for
	 * the other containers, the task stopped when the last of them has;
	 * with none, nothing is left to wait for (docs/ecs-model.md §3.2) */
	if (exited)
		wait = taskdef_stop_wait_exit_ms(td, ag->a[t->inst].tm->shutdown, ag->a[t->inst].tm->stop_timeout, 0);
	else
		wait = taskdef_stop_wait_ms(td, ag->a[t->inst].tm->shutdown, ag->a[t->inst].tm->stop_timeout);
	set_states(bp, ag, slot, t, TS_DEACTIVATING, TS_STOPPING, now);
	step(bp, ag, t, wait, ag->ev_stop_done, ag->held_stop_done, stop_done_in, ref_make(slot, t->gen));
}

/* Straight to DEPROVISIONING (a task that never ran). */
static void deprovision(struct backplane *bp, uint32_t slot)
{
	struct task *t = bp_task_at(bp, slot);
	const struct agents *ag = agents_of(bp);

	agent_set_state(bp, slot, TS_DEPROVISIONING);
	step(bp, ag, t, backplane_scenario(bp)->taskdefs[t->td].td->eni ? agent_of(bp, t)->tm->eni_detach : 0,
	     ag->ev_deprovisioned, ag->held_deprovisioned, deprovisioned_in, task_ref(bp, slot));
}

static void on_start(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);
	sim_time_t pull;

	(void)s;
	if (!t || dead(bp, t) || t->state != TS_PENDING || t->desired != TD_RUNNING)
		return;
	pull = cached(agent_of(bp, t), t->td) ? agent_of(bp, t)->tm->image_pull_cached
		: sim_ms(dist_sample(&agent_of(bp, t)->tm->image_pull, agents_of(bp)->rng));
	then(bp, pull, agents_of(bp)->ev_pulled, on_pulled, ev->arg);
}

static void on_pulled(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);
	struct agent *a;

	(void)s;
	if (!t || dead(bp, t) || t->state != TS_PENDING)
		return;
	a = agent_of(bp, t);
	if (!cached(a, t->td)) {
		XGROW(a->cached, a->cap_cached, (size_t)a->n_cached + 1);
		a->cached[a->n_cached++] = t->td;
		if ((unsigned)t->td < 32)
			a->cached_lo |= UINT32_C(1) << t->td;
		quick_set(agents_of(bp), t->inst);
	}
	if (t->desired == TD_RUNNING)
		step(bp, agents_of(bp), t, a->tm->container_start, agents_of(bp)->ev_started,
		     agents_of(bp)->held_started, started_in, ev->arg);
}

static int deps_wait(struct backplane *bp, const struct agents *ag, struct task *t, uint64_t ref);
static int deps_next(struct backplane *bp, const struct agents *ag, struct task *t, uint64_t ref, int now_ok);
static void deps_failed(struct backplane *bp, uint64_t ref);
static inline __attribute__((always_inline)) void running_in(struct backplane *bp, const struct agents *ag, struct task *t, uint64_t ref);

/* The containers started (step()'s body; its handlers below): those
 * without a dependency (docs/ecs-model.md §1.4: the others wait, deps_wait). */
static inline __attribute__((always_inline)) void started_in(struct backplane *bp, const struct agents *ag, struct task *t, uint64_t ref)
{
	uint32_t slot = ref_slot(ref);

	if (dead_in(ag, t) || t->state != TS_PENDING || t->desired != TD_RUNNING)
		return;
	/* the start took longer than the agent's start or create timeout: it
	 * gave up at the timeout, the step's end (docs/ecs-model.md §7.3,
	 * choice E207) */
	if (__builtin_expect(ag->a[t->inst].tm->start_times_out, 0)) {
		agent_task_ended(bp, slot, STOP_FAILED_TO_START);
		deprovision(bp, slot);
		return;
	}
	/* a draw only when failures are modelled, so p = 0 leaves the stream alone */
	double p = backplane_scenario(bp)->taskdefs[t->td].start_failure_p >= 0
		? backplane_scenario(bp)->taskdefs[t->td].start_failure_p : ag->a[t->inst].tm->start_failure_p;

	if (p > 0 && gsl_rng_uniform(ag->rng) < p) {
		agent_task_ended(bp, slot, STOP_FAILED_TO_START);
		deprovision(bp, slot);
		return;
	}
	if (backplane_scenario(bp)->taskdefs[t->td].td->has_deps && deps_wait(bp, ag, t, ref))
		return;
	running_in(bp, ag, t, ref);
}

/* The containers along dependsOn (docs/ecs-model.md §1.4, choices E156,
 * E157), from the step above (the first containers' start, container_start
 * after the pull): the last container starts `running_ms` − container_start
 * later (an event, deps_met), or the task gives up at `fail_ms` (deps_failed:
 * TaskFailedToStart, never RUNNING).  0 when nothing waits: RUNNING now.
 * t->deps_base (task.h) is then 1 + the plan's base, the pull's end: not
 * 0 (a task whose containers have not started yet), nor -1 (those that
 * started are stopping, stop_started). */
static int deps_wait(struct backplane *bp, const struct agents *ag, struct task *t, uint64_t ref)
{
	const struct scn_timing *tm = ag->a[t->inst].tm;

	t->cold = 1;                 /* (task.h: deps_base) */
	t->deps_base = sim_now(ag->sim) - tm->container_start + 1;
	return deps_next(bp, ag, t, ref, 0);
}

/* The plan's base of a task waiting along dependsOn (deps_wait) */
static inline sim_time_t deps_base(const struct task *t)
{
	return t->deps_base - 1;
}

/* The plan again (a failing check command, choice E175, may have moved
 * it since): RUNNING now (0 returned), or the next event on its way: the
 * last container's start, the task giving up (at once when that instant
 * has passed: `now_ok`), or none (the task waits for good). */
static int deps_next(struct backplane *bp, const struct agents *ag, struct task *t, uint64_t ref, int now_ok)
{
	const struct scn_timing *tm = ag->a[t->inst].tm;
	struct td_start_plan pl;
	sim_time_t now = sim_now(ag->sim), base = deps_base(t);
	int r = agent_health_start_plan(bp, ref, base, tm->container_start, &pl);

	if (r == 2)
		return 1;
	if (r == 1) {
		if (base + pl.fail_ms > now)
			sim_after(ag->sim, base + pl.fail_ms - now, ag->ev_deps_failed, bp, ref);
		else if (now_ok)
			deps_failed(bp, ref);
		else
			sim_after(ag->sim, 0, ag->ev_deps_failed, bp, ref);
		return 1;
	}
	if (base + pl.running_ms <= now)
		return 0;
	sim_after(ag->sim, base + pl.running_ms - now, ag->ev_deps_met, bp, ref);
	return 1;
}

/* The task stops before it ran, its containers starting along dependsOn
 * (a stop request, or, `failed`, it gave up: docs/ecs-model.md §3.2,
 * choice E144): the containers that had started by now (by the instant
 * it gave up, when that has passed already) get the stop signal along
 * dependsOn reversed and take their shutdown time or stop timeout, as at
 * a RUNNING task's stop (E159); those that had not started never will.  The task stays PENDING (the agent
 * reports the earliest of its containers' states) until they have exited,
 * then goes on as a task that never ran (deprovision; ev_deps_stopped
 * when that takes time).  A task whose containers have not started yet
 * (deps_base 0) goes on at once, as before; one stopping already (-1)
 * waits for that stop. */
static void stop_started(struct backplane *bp, const struct agents *ag, struct task *t, uint64_t ref,
			 int failed)
{
	const struct scn_timing *tm = ag->a[t->inst].tm;
	const struct taskdef *td = backplane_scenario(bp)->taskdefs[t->td].td;
	sim_time_t wait = 0;

	if (t->deps_base < 0)
		return;
	if (t->deps_base > 0) {
		struct td_start_plan pl;
		sim_time_t base = deps_base(t), by = sim_now(ag->sim) - base;

		if (agent_health_start_plan(bp, ref, base, tm->container_start, &pl) == 1 && failed &&
		    pl.fail_ms < by)
			by = pl.fail_ms;
		wait = taskdef_stop_wait_started_ms(td, tm->shutdown, tm->stop_timeout, pl.start, by);
		t->deps_base = -1;     /* stopping: nothing starts, a second stop waits for this one */
	}
	if (wait > 0)
		sim_after(ag->sim, wait, ag->ev_deps_stopped, bp, ref);
	else
		deprovision(bp, ref_slot(ref));
}

static void on_deps_stopped(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);

	(void)s;
	if (t && !dead(bp, t) && t->state == TS_PENDING && t->deps_base == -1)
		deprovision(bp, ref_slot(ev->arg));
}

/* The task an end of its dependency wait names, when it still waits
 * there: PENDING, to run, on a live instance; NULL when it no longer does. */
static struct task *still_waiting(struct backplane *bp, const struct agents *ag, uint64_t ref)
{
	struct task *t = bp_task(bp, ref);

	if (!t || dead_in(ag, t) || t->state != TS_PENDING || t->desired != TD_RUNNING || t->deps_base <= 0)
		return NULL;
	return t;
}

static void on_deps_met(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	const struct agents *ag = agents_of(bp);
	struct task *t = still_waiting(bp, ag, ev->arg);

	(void)s;
	if (t && !deps_next(bp, ag, t, ev->arg, 1))
		running_in(bp, ag, t, ev->arg);
}

static void deps_failed(struct backplane *bp, uint64_t ref)
{
	/* "containerA gives up and does not start … the task transitions to
	 * STOPPED" ([ContainerDefinition][api-cd] startTimeout): the
	 * containers that started are stopped first (E144) */
	agent_task_ended(bp, ref_slot(ref), STOP_FAILED_TO_START);
	stop_started(bp, agents_of(bp), bp_task(bp, ref), ref, 1);
}

static void on_deps_failed(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;

	(void)s;
	if (still_waiting(bp, agents_of(bp), ev->arg))
		deps_failed(bp, ev->arg);
}

/* Every container has started: the task is RUNNING (the agent reports the
 * earliest of its containers' states). */
static inline __attribute__((always_inline)) void running_in(struct backplane *bp, const struct agents *ag, struct task *t, uint64_t ref)
{
	uint32_t slot = ref_slot(ref);
	const struct taskdef *td;

	set_states(bp, ag, slot, t, TS_ACTIVATING, TS_RUNNING, sim_now(ag->sim));
	/* a standalone task's RUNNING report, sent by a connected agent, and
	 * its health are observed by no actor (bp_msg.h; docs/ecs-model.md
	 * choice E75): not sent */
	if (t->svc >= 0 || !ag->a[t->inst].up)
		deliver(bp, slot, AM_REPORT_RUNNING);
	/* docs/ecs-model.md §5.2: healthy when every essential container with a
	 * health check has passed its first one (choice E110), or 40 s after
	 * RUNNING when no essential container has one */
	if (t->svc >= 0) {
		sim_time_t at;

		td = backplane_scenario(bp)->taskdefs[t->td].td;
		at = taskdef_healthy_ms(td, timing(bp)->health_check);
		if (td->has_deps) {   /* each container's checks from its own start */
			struct td_start_plan pl;

			if (!taskdef_start_plan(td, ag->a[t->inst].tm->container_start,
						timing(bp)->health_check, &pl))
				at = pl.healthy_ms;
		}
		sim_after(backplane_sim(bp), at >= 0 ? at : timing(bp)->healthy_after, ag->ev_healthy, bp, ref);
		/* a failing check command (docs/ecs-model.md choice E114): its
		 * checks start */
		if (t->hc_fault)
			agent_health_running(bp, ref);
	}
	if (t->duration >= 0)
		then(bp, t->duration, ag->ev_exit, ag->every_step ? on_essential_exit_general : on_essential_exit,
		     ref);
}

/* The handlers of a step: the held place's (the task's reference), the
 * event's; they find the task and give it to the step's body (started:
 * its common case first, see the top of the file). */
static void __attribute__((noinline)) started_slow(struct backplane *bp, struct task *t, uint64_t ref)
{
	started_in(bp, agents_of(bp), t, ref);
}

static void started(struct sim *s, void *ctx, uint64_t ref)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ref);
	const struct agents *ag = agents_of(bp);
	unsigned q;

	(void)s;
	if (!t)
		return;
	/* the common case (started_in's path for it): a standalone task
	 * whose connected agent holds no report back (its view moves by
	 * itself, no RUNNING report, no health), no start failure to draw, an
	 * exit to schedule, no start timeout (E207) */
	q = t->quick;
	if (q && t->duration > 0 && t->state == TS_PENDING && t->desired == TD_RUNNING &&
	    !backplane_scenario(bp)->taskdefs[t->td].td->has_deps) {
		double p = backplane_scenario(bp)->taskdefs[t->td].start_failure_p >= 0
			? backplane_scenario(bp)->taskdefs[t->td].start_failure_p
			: quick_tm(ag, q)->start_failure_p;

		if (!(p > 0) && !quick_tm(ag, q)->start_times_out) {
			sim_time_t now = sim_now(ag->sim);

			t->state = TS_RUNNING;
			stamp_new(t, TS_ACTIVATING, now);
			stamp_new(t, TS_RUNNING, now);
			bp_task_view(bp, t, TS_RUNNING);
			sim_after(ag->sim, t->duration, ag->ev_exit, bp, ref);
			return;
		}
	}
	started_slow(bp, t, ref);
}

/* started by its general path alone (the event's handler; every_step's
 * held place, never used) */
static void started_general(struct sim *s, void *ctx, uint64_t ref)
{
	struct task *t = bp_task(ctx, ref);

	(void)s;
	if (t)
		started_in(ctx, agents_of(ctx), t, ref);
}

static void on_started(struct sim *s, void *ctx, const struct event *ev)
{
	started_general(s, ctx, ev->arg);
}

static void on_healthy(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);

	(void)s;
	if (!t || dead(bp, t) || t->state != TS_RUNNING || t->healthy)
		return;
	/* a container whose check command fails decides by its own checks
	 * (models/agent_health.c) */
	if (t->hc_fault && !agent_health_passes(bp, ev->arg))
		return;
	/* behind a load balancer the targets' health must pass too
	 * (docs/ecs-model.md §5.2): the load-balancer actor decides */
	if (t->svc >= 0 && backplane_scenario(bp)->services[t->svc].lb.n > 0) {
		bp_task_checks_passed(bp, ref_slot(ev->arg));
		return;
	}
	if (t->seen != TS_RUNNING) {
		t->cold = 1;             /* (task.h) */
		t->healthy_held = 1;     /* the backplane learns it with the report */
		return;
	}
	bp_task_healthy(bp, ref_slot(ev->arg));
}

static void stop_done_slow(struct backplane *bp, struct task *t, uint64_t ref);

static void __attribute__((noinline)) essential_exit_slow(struct backplane *bp, struct task *t,
							    uint64_t ref)
{
	const struct agents *ag = agents_of(bp);

	/* STOPPING: the stop signal came first, and the container's own run
	 * ended within the grace; it has exited, with no kill (docs/ecs-model.md
	 * §3.2).  The others keep their signal's exit times: the task has
	 * stopped when the last has, now when it was the last (the only
	 * container, or the one to wait longest).  A stop that ends earlier
	 * now is a second step; the first finds the task past STOPPING. */
	if (!dead_in(ag, t) && t->state == TS_STOPPING) {
		const struct taskdef *td = backplane_scenario(bp)->taskdefs[t->td].td;
		const struct scn_timing *tm = ag->a[t->inst].tm;
		sim_time_t now = sim_now(ag->sim), sig = t->ts[TS_STOPPING];
		sim_time_t wait = taskdef_stop_wait_exit_ms(td, tm->shutdown, tm->stop_timeout, now - sig);

		if (wait >= taskdef_stop_wait_ms(td, tm->shutdown, tm->stop_timeout))
			return;                /* its exit changes nothing */
		if (sig + wait <= now)
			stop_done_slow(bp, t, ref);
		else
			sim_after(ag->sim, sig + wait - now, ag->ev_stop_done, bp, ref);
		return;
	}
	/* DEACTIVATING: a stop held for its targets' drain, the containers
	 * still running (docs/ecs-model.md §6.3, choice E220) */
	if (dead_in(ag, t) || (t->state != TS_RUNNING && t->state != TS_DEACTIVATING))
		return;
	/* docs/ecs-model.md §1.4, choice E158: a restart policy restarts the
	 * container in place when it ran at least restartAttemptPeriod (each
	 * run is the task's duration); it is back after the container start
	 * time and exits again a duration later.  The task stays RUNNING. */
	{
		const struct taskdef *td = backplane_scenario(bp)->taskdefs[t->td].td;

		if (td->restart_ms >= 0 && t->duration >= td->restart_ms) {
			sim_after(ag->sim, ag->a[t->inst].tm->container_start + t->duration, ag->ev_exit, bp, ref);
			return;
		}
	}
	/* docs/ecs-model.md §3.2: an essential container exited; the others are stopped */
	task_ended(bp, ag, t, STOP_ESSENTIAL_EXITED);
	t->lost = 1;
	begin_stop(bp, ag, ref_slot(ref), t, 1);
}

static void on_essential_exit(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	uint64_t ref = ev->arg;
	struct task *t = bp_task(bp, ref);
	const struct agents *ag = agents_of(bp);
	unsigned q;

	(void)s;
	if (!t)
		return;
	/* the common case: a standalone task whose connected agent (taking
	 * the held steps) holds no report back (task_ended, set_states: the
	 * view moves by itself); with other containers to stop, the stop's
	 * wait a held place (begin_stop, step()) */
	q = t->quick;
	if (q && t->state == TS_RUNNING) {
		const struct scn_timing *tm = quick_tm(ag, q);
		const struct taskdef *td = backplane_scenario(bp)->taskdefs[t->td].td;

		/* quick_desire_stop: a task with `quick` set is standalone
		 * (task.h), so its desired status changes here without
		 * bp_task_desire_stop, whose possible call to the service's
		 * note made this path save registers (+9 instructions an
		 * exit): no service counts it */
#ifdef ECSIM_CHECKS
		if (t->svc >= 0)
			abort();
#endif
		if (td->restart_ms >= 0) {
			/* essential_exit_slow: a restart policy */
		} else if (td->n_containers > 1) {
			/* begin_stop's wait */
			sim_time_t wait = taskdef_stop_wait_exit_ms(td, tm->shutdown, tm->stop_timeout, 0);

			if (wait > 0) {
				sim_time_t now = sim_now(ag->sim);

				if (t->desired == TD_RUNNING) {   /* (task_ended: E26) */
					t->stop_code = STOP_ESSENTIAL_EXITED;
					t->desired = TD_STOPPED;  /* (standalone: quick_desire_stop) */
				}
				t->lost = 1;
				t->state = TS_STOPPING;
				stamp_new(t, TS_DEACTIVATING, now);
				stamp_new(t, TS_STOPPING, now);
				bp_task_view(bp, t, TS_STOPPING);
				sim_held_after(ag->sim, wait, ag->held_stop_done, ref);
				return;
			}
		} else if (t->duration > 0 && !td->eni) {
			/* the only container exited: nothing to wait for, no ENI
			 * to detach.  Its exit was scheduled with a delay (the
			 * duration), so it runs from the queue, with the lane idle
			 * (sim.h): begin_stop's step and stop_done_in's run at
			 * once, DEACTIVATING to STOPPED in one view move (the
			 * counts telescope, set_states), the STOPPED report an
			 * event (deliver_task) */
			sim_time_t now = sim_now(ag->sim);

#ifdef ECSIM_CHECKS
			if (!sim_lane_idle(ag->sim))
				abort();
#endif
			if (t->desired == TD_RUNNING) {   /* (task_ended: E26) */
				t->stop_code = STOP_ESSENTIAL_EXITED;
				t->desired = TD_STOPPED;  /* (standalone: quick_desire_stop) */
			}
			t->lost = 1;
			t->state = TS_STOPPED;
			for (int st = TS_DEACTIVATING; st <= TS_STOPPED; st++)
				stamp_new(t, st, now);
			bp_task_view(bp, t, TS_STOPPED);
			sim_after(ag->sim, tm->network_delay, ag->ev_report_stopped, bp, ref);
			return;
		}
	}
	essential_exit_slow(bp, t, ref);
}

/* on_essential_exit by its general path alone (every_step) */
static void on_essential_exit_general(struct sim *s, void *ctx, const struct event *ev)
{
	struct task *t = bp_task(ctx, ev->arg);

	(void)s;
	if (t)
		essential_exit_slow(ctx, t, ev->arg);
}

static void on_stop(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);
	const struct agents *ag = agents_of(bp);

	(void)s;
	if (!t || dead_in(ag, t))
		return;
	/* DEACTIVATING: its targets have drained (choice E220) */
	if (t->state == TS_RUNNING || t->state == TS_DEACTIVATING)
		begin_stop(bp, ag, ref_slot(ev->arg), t, 0);
	else if (t->state == TS_PENDING && backplane_scenario(bp)->taskdefs[t->td].td->has_deps)
		stop_started(bp, ag, t, ev->arg, 0);   /* choice E144 */
	else if (t->state == TS_PENDING || t->state == TS_ACTIVATING)
		deprovision(bp, ref_slot(ev->arg));
}

/* The containers stopped (step()'s body). */
static inline __attribute__((always_inline)) void stop_done_in(struct backplane *bp, const struct agents *ag, struct task *t, uint64_t ref)
{
	uint32_t slot = ref_slot(ref);
	sim_time_t detach;

	if (dead_in(ag, t) || t->state != TS_STOPPING)
		return;
	detach = backplane_scenario(bp)->taskdefs[t->td].td->eni ? ag->a[t->inst].tm->eni_detach : 0;
	/* no ENI to detach, nothing else waiting at this instant: the step
	 * below would be deprovisioned_in at once; for a task whose view moves
	 * by itself (set_states) DEPROVISIONING changes nothing the lane or
	 * that step looks at, so both states are set in one move */
	if (detach <= 0 && ag->a[t->inst].up && !t->unsynced && t->svc < 0 && sim_lane_idle(ag->sim)) {
		set_states(bp, ag, slot, t, TS_DEPROVISIONING, TS_STOPPED, sim_now(ag->sim));
		deliver_task(bp, ag, slot, t, AM_REPORT_STOPPED, 1);
		return;
	}
	set_state(bp, ag, slot, t, TS_DEPROVISIONING, sim_now(ag->sim));
	step(bp, ag, t, detach, ag->ev_deprovisioned, ag->held_deprovisioned, deprovisioned_in, ref);
}

static void __attribute__((noinline)) stop_done_slow(struct backplane *bp, struct task *t, uint64_t ref)
{
	stop_done_in(bp, agents_of(bp), t, ref);
}

/* The held place's handler (on_stop_done, below, the event's).  A held
 * place runs where an event of the queue would, and the queue's next
 * event runs only once the instant's lane is empty and no stop was asked
 * (sim.h): sim_lane_idle holds as it starts.  The common case of
 * stop_done_in first: a standalone task whose connected agent holds no
 * report back, no ENI to detach (DEPROVISIONING and STOPPED in one view
 * move), the STOPPED report an event. */
static void stop_done(struct sim *s, void *ctx, uint64_t ref)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ref);
	const struct agents *ag = agents_of(bp);
	unsigned q;

	if (!t)
		return;
#ifdef ECSIM_CHECKS
	if (!sim_lane_idle(s))
		abort();
#endif
	q = t->quick;
	if (q && t->state == TS_STOPPING &&
	    !backplane_scenario(bp)->taskdefs[t->td].td->eni) {
		sim_time_t now = sim_now(s);

		/* set_states(DEPROVISIONING, STOPPED), deliver_task's report */
		t->state = TS_STOPPED;
		stamp_new(t, TS_DEPROVISIONING, now);
		stamp_new(t, TS_STOPPED, now);
		bp_task_view(bp, t, TS_STOPPED);
		sim_after(s, quick_tm(ag, q)->network_delay, ag->ev_report_stopped, bp, ref);
		return;
	}
	stop_done_slow(bp, t, ref);
}

static void on_stop_done(struct sim *s, void *ctx, const struct event *ev)
{
	struct task *t = bp_task(ctx, ev->arg);

	(void)s;
	if (t)
		stop_done_in(ctx, agents_of(ctx), t, ev->arg);
}

/* The task's ENI is detached, or it had none (step()'s body). */
static inline __attribute__((always_inline)) void deprovisioned_in(struct backplane *bp, const struct agents *ag, struct task *t, uint64_t ref)
{
	uint32_t slot = ref_slot(ref);

	if (dead_in(ag, t) || t->state != TS_DEPROVISIONING)
		return;
	set_state(bp, ag, slot, t, TS_STOPPED, sim_now(ag->sim));
	deliver_task(bp, ag, slot, t, AM_REPORT_STOPPED, 1);
}

static void deprovisioned(struct sim *s, void *ctx, uint64_t ref)
{
	struct task *t = bp_task(ctx, ref);

	(void)s;
	if (t)
		deprovisioned_in(ctx, agents_of(ctx), t, ref);
}

static void on_deprovisioned(struct sim *s, void *ctx, const struct event *ev)
{
	deprovisioned(s, ctx, ev->arg);
}

/* A report reaches the backplane: its view of the task catches up with
 * what the agent saw while disconnected (docs/ecs-model.md §7.4).  A report
 * still on the way when the agent went silent again is not acknowledged:
 * it goes again on reconnection (0). */
static int report_arrives(struct backplane *bp, struct task *t, uint64_t ref, enum agent_msg m)
{
	struct agent *a;

	if (!t->unsynced)
		return 1;
	a = agent_of(bp, t);
	if (!a->up && !a->down) {
		hold(a, ref, m);
		return 0;
	}
	bp_task_sync(bp, ref_slot(ref));
	return 1;
}

static void on_report_running(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);

	(void)s;
	if (t && report_arrives(bp, t, ev->arg, AM_REPORT_RUNNING))
		bp_task_running(bp, ref_slot(ev->arg));
}

static void __attribute__((noinline)) report_stopped_slow(struct backplane *bp, struct task *t, uint64_t ref)
{
	if (report_arrives(bp, t, ref, AM_REPORT_STOPPED) && t->state == TS_STOPPED)
		bp_task_stopped(bp, ref_slot(ref));
}

static void on_report_stopped(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);

	(void)s;
	if (!t)
		return;
	if (t->unsynced)                /* (report_arrives) */
		report_stopped_slow(bp, t, ev->arg);
	else if (t->state == TS_STOPPED)
		bp_task_stopped(bp, ref_slot(ev->arg));
}

/* on_report_stopped by its general path alone (every_step) */
static void on_report_stopped_general(struct sim *s, void *ctx, const struct event *ev)
{
	struct task *t = bp_task(ctx, ev->arg);

	(void)s;
	if (t)
		report_stopped_slow(ctx, t, ev->arg);
}

static void on_report_state(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);

	(void)s;
	if (t)
		report_arrives(bp, t, ev->arg, AM_REPORT_STATE);
}

/* ---- connectivity --------------------------------------------------------- */

static uint64_t inst_arg(int32_t inst, uint32_t epoch)
{
	return (uint64_t)(uint32_t)inst << 32 | epoch;
}

/* When an agent cut off is back (docs/ecs-model.md §7.1, choice E111): it
 * tries again after waits of reconnectInitialSeconds, then
 * reconnectMultiplier times longer each time up to reconnectMaxSeconds, each
 * wait plus uniform [0, reconnectJitter × wait) (the agent's back-off adds
 * its jitter, never takes it off); its tries start with the outage, and the
 * first one at or after the outage's end gets through.  An initial wait of
 * 0: back the moment the outage ends.  `t` is the try reached so far (from
 * the outage's start) and *wait the next wait; returns the first try at or
 * after `until`, *wait the one after it. */
static sim_time_t reconnect_after(struct agents *ag, const struct scn_timing *tm, sim_time_t t, double *wait,
				  sim_time_t until)
{
	if (tm->reconnect_initial <= 0)
		return until > t ? until : t;
	while (t < until) {
		sim_time_t w = (sim_time_t)*wait, j = (sim_time_t)(tm->reconnect_jitter * (double)w);

		if (j > 0)
			w += (sim_time_t)gsl_rng_uniform_int(ag->reconnect_rng, (unsigned long)j);
		t += w > 0 ? w : 1;
		*wait *= tm->reconnect_multiplier;
		if (*wait > (double)tm->reconnect_max)
			*wait = (double)tm->reconnect_max;
	}
	return t;
}

/* The agent stops talking to the backplane for `duration` (-1: for good).
 * One already silent stays silent to the later of the two ends: the input
 * says it is silent over the union of its disconnects (docs/ecs-model.md
 * §7.4, choice E233).  Its outage goes on (same start, same detection) and
 * its back-off goes on from the try that would have got through; that try's
 * reconnect event is then stale (on_reconnect: not at back_at). */
static void agent_disconnect(struct backplane *bp, int32_t inst, sim_time_t duration)
{
	struct agents *ag = agents_of(bp);
	struct agent *a = agent_at(bp, inst);
	struct agent_outage *o;
	sim_time_t now = sim_now(backplane_sim(bp)), jitter;

	if (a->down)
		return;
	if (!a->up) {
		o = &ag->outage[inst];
		if (o->back_at == INT64_MAX || (duration >= 0 && now + duration <= o->back_at))
			return;
		if (duration < 0)
			o->back_at = INT64_MAX;
		else {
			o->back_at = o->start + reconnect_after(ag, a->tm, o->back_at - o->start, &o->wait,
								 now + duration - o->start);
			sim_after(backplane_sim(bp), o->back_at - now, ag->ev_reconnect, bp, inst_arg(inst, a->epoch));
		}
		return;
	}
	jitter = timing(bp)->heartbeat_jitter > 0
		? (sim_time_t)gsl_rng_uniform_int(ag->rng, (unsigned long)timing(bp)->heartbeat_jitter)
		: 0;
	a->up = 0;
	quick_set(ag, inst);
	bp_quick_clear(bp, inst);
	a->epoch++;
	XGROW(ag->outage, ag->cap_outage, (size_t)inst + 1);
	o = &ag->outage[inst];
	o->start = now;
	o->back_at = INT64_MAX;
	o->wait = (double)a->tm->reconnect_initial;
	/* docs/ecs-model.md §7.1: the session is dropped when no heartbeat came for the timeout */
	sim_after(backplane_sim(bp), timing(bp)->heartbeat_timeout + jitter, ag->ev_detect, bp,
		  inst_arg(inst, a->epoch));
	if (duration >= 0) {
		o->back_at = now + reconnect_after(ag, a->tm, 0, &o->wait, duration);
		sim_after(backplane_sim(bp), o->back_at - now, ag->ev_reconnect, bp, inst_arg(inst, a->epoch));
	}
}

static void on_detect(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	int32_t inst = (int32_t)(ev->arg >> 32);
	struct agent *a = agent_at(bp, inst);

	(void)s;
	if (a->up || a->epoch != (uint32_t)ev->arg)
		return;
	bp_agent_connected(bp, inst, 0);
	bp_instance_changed(bp, inst);
}

static void on_reconnect(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	int32_t inst = (int32_t)(ev->arg >> 32);
	struct agent *a = agent_at(bp, inst);
	uint64_t *held = a->outbox;
	size_t n = a->n_out;

	if (a->up || a->epoch != (uint32_t)ev->arg || sim_now(s) != agents_of(bp)->outage[inst].back_at)
		return;
	a->up = 1;
	quick_set(agents_of(bp), inst);
	bp_agent_connected(bp, inst, 1);
	/* docs/ecs-model.md §7.4: on reconnection both sides exchange what they held */
	a->outbox = NULL;
	a->n_out = a->cap_out = 0;
	for (size_t k = 0; k + 1 < n; k += 2)
		if (bp_task(bp, held[k]))
			sim_after(backplane_sim(bp), a->tm->network_delay, msg_event(agents_of(bp), (enum agent_msg)held[k + 1]),
				  bp, held[k]);
	free(held);
	/* docs/ecs-model.md §5.13: the agent still sees the Spot notice and
	 * drains the instance now that it can tell the backplane */
	if (a->spot_drain_held) {
		a->spot_drain_held = 0;
		backplane_drain_inst(bp, inst);
	}
	bp_instance_changed(bp, inst);
	bp_capacity_changed(bp);
}

/* The instance failed: the agent and its tasks are gone with it; what it
 * held is lost.  Also when it was deregistered with force: its tasks run
 * on there, orphaned, but nothing its agent does reaches the backplane any
 * more (docs/ecs-model.md §2.4). */
static void on_down(struct backplane *bp, int32_t inst, int terminated)
{
	struct agent *a = agent_at(bp, inst);
	int was_up = a->up;

	a->down = 1;
	a->up = 0;
	quick_set(agents_of(bp), inst);
	bp_quick_clear(bp, inst);
	a->epoch++;
	a->spot_drain_held = 0;
	free(a->outbox);
	a->outbox = NULL;
	a->n_out = a->cap_out = 0;
	/* a terminated instance whose agent is connected is deregistered at
	 * once (docs/ecs-model.md §2.4) */
	if (terminated && was_up)
		bp_agent_shutdown(bp, inst);
}

/* The instance is back, empty: its agent connects again. */
static void on_up(struct backplane *bp, int32_t inst)
{
	struct agent *a = agent_at(bp, inst);

	a->down = 0;
	a->up = 1;
	quick_set(agents_of(bp), inst);
	a->epoch++;
}

/* docs/ecs-model.md §5.13: with Spot draining on, the agent sets DRAINING
 * at the notice; a disconnected agent does it when it reconnects. */
static void on_spot_notice(struct backplane *bp, int32_t inst)
{
	struct agent *a = agent_at(bp, inst);
	int g = bp_instance_group(bp, inst);

	if (g < 0 || !backplane_scenario(bp)->groups[g].spot_draining)
		return;
	if (a->up)
		backplane_drain_inst(bp, inst);
	else
		a->spot_drain_held = 1;
}

static void on_note(struct backplane *bp, void *ctx, const struct bp_note *n)
{
	(void)ctx;
	switch (n->kind) {
	case BN_INSTANCE_ADDED:
		agent_init(bp, n->inst);
		break;
	case BN_INSTANCE_DOWN:
		on_down(bp, n->inst, (int)n->n);
		break;
	case BN_INSTANCE_DEREGISTERED:
		/* its tasks run on, orphaned: nothing the agent does reaches
		 * the backplane any more (docs/ecs-model.md §2.4) */
		on_down(bp, n->inst, 0);
		break;
	case BN_INSTANCE_UP:
		on_up(bp, n->inst);
		break;
	case BN_AGENT_SILENT:
		agent_disconnect(bp, n->inst, n->len);
		break;
	case BN_SPOT_NOTICE:
		on_spot_notice(bp, n->inst);
		break;
	case BN_FREE:
		agent_free_all(bp);
		break;
	default:
		break;
	}
}

void agent_attach(struct backplane *bp)
{
	struct agents *ag = xcalloc(1, sizeof *ag);
	struct sim *sim = backplane_sim(bp);

	bp_set_actor_state(bp, BA_AGENT, ag);
	ag->rng = rng_stream(backplane_rng(bp), "agent");
	ag->reconnect_rng = rng_stream(backplane_rng(bp), "agent/reconnect");
	ag->sim = sim;
	ag->every_step = backplane_scenario(bp)->every_step;
	bp_subscribe(bp, BN_BIT(BN_INSTANCE_ADDED) | BN_BIT(BN_INSTANCE_DOWN) |
		     BN_BIT(BN_INSTANCE_DEREGISTERED) | BN_BIT(BN_INSTANCE_UP) |
		     BN_BIT(BN_AGENT_SILENT) | BN_BIT(BN_SPOT_NOTICE) | BN_BIT(BN_FREE), on_note, NULL);
	ag->ev_start = sim_on_world(sim, "agent-start", on_start, bp);
	ag->ev_stop = sim_on_world(sim, "agent-stop", on_stop, bp);
	ag->ev_pulled = sim_on_world(sim, "image-pulled", on_pulled, bp);
	ag->ev_started = sim_on_world(sim, "containers-started", on_started, bp);
	ag->ev_healthy = sim_on_world(sim, "task-healthy", on_healthy, bp);
	/* every_step: the steps' general paths alone (their fast paths are
	 * checked against them, tests/test_chain.c) */
	ag->ev_exit = sim_on_world(sim, "essential-exit",
				   ag->every_step ? on_essential_exit_general : on_essential_exit, bp);
	ag->ev_stop_done = sim_on_world(sim, "containers-stopped", on_stop_done, bp);
	ag->ev_deprovisioned = sim_on_world(sim, "deprovisioned", on_deprovisioned, bp);
	ag->ev_report_running = sim_on_world(sim, "report-running", on_report_running, bp);
	ag->ev_report_stopped = sim_on_world(sim, "report-stopped",
					     ag->every_step ? on_report_stopped_general : on_report_stopped, bp);
	ag->ev_report_state = sim_on_world(sim, "report-state", on_report_state, bp);
	ag->ev_detect = sim_on_world(sim, "agent-lost", on_detect, bp);
	ag->ev_reconnect = sim_on_world(sim, "agent-reconnect", on_reconnect, bp);
	ag->ev_deps_met = sim_on_world(sim, "dependencies-met", on_deps_met, bp);
	ag->ev_deps_failed = sim_on_world(sim, "dependencies-timeout", on_deps_failed, bp);
	ag->ev_deps_stopped = sim_on_world(sim, "started-containers-stopped", on_deps_stopped, bp);
	ag->held_start = sim_on_held(sim, ag->every_step ? ghost_start_general : ghost_start, bp);
	ag->held_pulled = sim_on_held(sim, ghost_pulled, bp);
	ag->held_started = sim_on_held(sim, ag->every_step ? started_general : started, bp);
	ag->held_stop_done = sim_on_held(sim, stop_done, bp);
	ag->held_deprovisioned = sim_on_held(sim, deprovisioned, bp);
	/* the two steps whose records are cold (sim_on_hint): a task's exit,
	 * a duration after its start, and the STOPPED report's release of
	 * its instance */
	agent_health_attach(bp);
	sim_on_hint(sim, ag->ev_exit, bp_hint_task);
	sim_on_hint(sim, ag->ev_report_stopped, bp_hint_task_stopped);
}
