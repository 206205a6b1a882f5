/* models/backplane.c — the ECS control plane: cluster state, the API calls
 * the workload makes (RunTask, StopTask, RegisterContainerInstance,
 * UpdateContainerInstancesState, UpdateService), placement, the desired
 * status of every task, and what the agents report back
 * (docs/ecs-model.md §3, §4, §7; choices A3, A13, D6, D9).
 * Its workload sources are in backplane_workload.c, what happens to
 * instances in backplane_inst.c.  (Over 800 lines: the task table, its
 * two views (real and reported) and the pending queue share invariants —
 * retire, view_to, try_place — that read best in one file.)
 *
 * Lifecycle: a launch is placed after the placement latency; the task then
 * holds its resources and is PROVISIONING (awsvpc: while its ENI attaches),
 * PENDING while the start request travels to the agent and the agent pulls
 * images, ACTIVATING → RUNNING when its containers start; on a stop it goes
 * DEACTIVATING → STOPPING (stop signal, up to the stop timeout) →
 * DEPROVISIONING (awsvpc: ENI detach) → STOPPED.  The agent's side lives in
 * agent.c; it and the backplane exchange the messages of bp_msg.h.
 * Resources are released when the backplane hears STOPPED from the agent.
 * Every change the other actors care about (the agents, the service
 * scheduler, the fault injector) is published as a notification
 * (bp_notify); they act through the calls of backplane.h.  The workload's sources (traces,
 * generators) are in backplane_workload.c.
 *
 * A standalone task no instance can take waits in a FIFO queue and is
 * retried in one pass whenever capacity may have appeared; within a pass a
 * (task definition, group) pair that failed is not tried again.  Service
 * tasks are not queued: the scheduler retries on its next pass (A3).
 */
#include "backplane_int.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/capacity/capacity_config.h"
#include "models/capacity/cp_route.h"
#include "models/capacity/scaling_csv.h"
#include "models/evlog.h"
#include "models/placement/explain.h"
#include "models/pricing.h"
#include "sim/csvout.h"
#include "sim/fmt.h"
#include "sim/hmap.h"
#include "sim/mem.h"

/* registeredAt of instances: simulated time 0 is 2026-01-01T00:00:00Z */
#define EPOCH_BASE_MS INT64_C(1767225600000)

static const char *const state_names[TS_N] = {
	"PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING",
	"STOPPING", "DEPROVISIONING", "STOPPED",
};

const char *task_state_name(enum task_state s)
{
	return s < TS_N ? state_names[s] : "?";
}

struct task *bp_task(struct backplane *bp, uint64_t r)
{
	uint32_t slot = ref_slot(r);

	if (slot >= bp->n_tasks || !bp->tasks[slot].used || bp->tasks[slot].gen != (uint32_t)r)
		return NULL;
	return &bp->tasks[slot];
}

void bp_hint_task(void *ctx, uint64_t ref)
{
	const struct backplane *bp = ctx;
	uint32_t slot = ref_slot(ref);

	if (slot < bp->n_tasks) {
		__builtin_prefetch((const char *)&bp->tasks[slot]);
		__builtin_prefetch((const char *)&bp->tasks[slot] + 64);
	}
}

void bp_hint_task_stopped(void *ctx, uint64_t ref)
{
	const struct backplane *bp = ctx;
	uint32_t slot = ref_slot(ref);

	if (slot < bp->n_tasks)
		cluster_prefetch(bp->cl, bp->tasks[slot].inst);
}

void bp_fail(struct backplane *bp, const struct err *e)
{
	if (!bp->failed) {
		bp->err = *e;
		bp->failed = 1;
	}
	sim_stop(bp->sim);
}

/* ---- notifications (bp_msg.h) ------------------------------------------- */

void bp_subscribe(struct backplane *bp, uint64_t mask, bp_note_fn fn, void *ctx)
{
	if (bp->n_subs == (int)(sizeof bp->subs / sizeof bp->subs[0]))
		abort();           /* a build with more actors than slots: raise the bound */
	for (int k = 0; k < BN_N; k++)
		if (mask & BN_BIT(k))
			bp->kind_subs[k][bp->n_kind_subs[k]++] = (uint8_t)bp->n_subs;
	bp->subs[bp->n_subs++] = (struct bp_sub){ mask, fn, ctx };
}

void bp_notify(struct backplane *bp, const struct bp_note *n)
{
	const uint8_t *ks = bp->kind_subs[n->kind];

	for (int i = 0; i < bp->n_kind_subs[n->kind]; i++)
		bp->subs[ks[i]].fn(bp, bp->subs[ks[i]].ctx, n);
}

static void note_task(struct backplane *bp, enum bp_note_kind k, uint32_t slot)
{
	bp_notify(bp, &(struct bp_note){ .kind = k, .slot = slot });
}

void bp_instance_changed(struct backplane *bp, int32_t inst)
{
	bp_notify(bp, &(struct bp_note){ .kind = BN_INSTANCE_STATUS, .inst = inst });
}

void bp_task_stopping_note(struct backplane *bp, struct task *t)
{
	note_task(bp, BN_TASK_STOPPING, (uint32_t)(t - bp->tasks));
}

static void notify_cluster(struct backplane *bp)
{
	struct cluster_totals t;

	cluster_totals(bp->cl, &t);
	metrics_on_cluster(bp->m, sim_now(bp->sim), &t);
}

void bp_cluster_changed(struct backplane *bp)
{
	notify_cluster(bp);
}

/* A message about a task to whoever runs it: its instance's agent, or
 * Fargate (models/backplane_fargate.c). */
static void task_send(struct backplane *bp, uint32_t slot, enum agent_msg m)
{
	if (bp->tasks[slot].fg)
		fargate_send(bp, slot, m);
	else
		agent_send(bp, slot, m);
}

/* ---- the kinds that failed in a walk of the queue (struct kind_set) ---- */

static size_t kind_hash(int td, uint32_t group, int cp, size_t cap)
{
	uint64_t h = ((uint64_t)(uint32_t)td * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)group * 0xC2B2AE3D27D4EB4Full) ^
		     (uint64_t)(uint32_t)cp;

	h ^= h >> 29;
	h *= 0xFF51AFD7ED558CCDull;
	return (size_t)(h ^ (h >> 32)) & (cap - 1);
}

/* The set emptied: a new generation (on its wrap, every entry cleared). */
static void kinds_clear(struct kind_set *ks)
{
	ks->n = 0;
	if (++ks->gen == 0) {
		for (size_t j = 0; j < ks->cap; j++)
			ks->e[j].gen = 0;
		ks->gen = 1;
	}
}

/* The slot of kind (td, group, cp): its entry when it is in the set, else
 * the free slot where it would go. */
static struct kind_ent *kinds_slot(const struct kind_set *ks, int td, uint32_t group, int cp)
{
	size_t j = kind_hash(td, group, cp, ks->cap);

	for (;;) {
		struct kind_ent *x = &ks->e[j];

		if (x->gen != ks->gen || (x->td == td && x->group == group && x->cp == cp))
			return x;
		j = (j + 1) & (ks->cap - 1);
	}
}

static int kinds_has(const struct kind_set *ks, const struct qent *q)
{
	return ks->n > 0 && kinds_slot(ks, q->td, q->group, q->cp)->gen == ks->gen;
}

/* Kind q in the set (not in it yet); the table doubles past half full. */
static void kinds_add(struct kind_set *ks, const struct qent *q)
{
	struct kind_ent *x;

	if (2 * (ks->n + 1) > ks->cap) {
		struct kind_set big = { .cap = ks->cap ? 2 * ks->cap : 64, .n = ks->n, .gen = 1 };

		big.e = xcalloc(big.cap, sizeof *big.e);
		for (size_t j = 0; j < ks->cap; j++) {
			const struct kind_ent *o = &ks->e[j];

			if (o->gen == ks->gen)
				*kinds_slot(&big, o->td, o->group, o->cp) = (struct kind_ent){ o->td, o->group, o->cp, 1 };
		}
		free(ks->e);
		*ks = big;
	}
	x = kinds_slot(ks, q->td, q->group, q->cp);
	*x = (struct kind_ent){ q->td, q->group, q->cp, ks->gen };
	ks->n++;
}

/* ---- the kinds of the queue's entries (struct kind_tally) ---- */

/* The slot of kind (td, group, cp): its entry, else the free slot where it
 * would go. */
static struct kind_cnt *tally_slot(const struct kind_tally *kt, int td, uint32_t group, int cp)
{
	size_t j = kind_hash(td, group, cp, kt->cap);

	for (;;) {
		struct kind_cnt *x = &kt->e[j];

		if (x->n == 0 || (x->td == td && x->group == group && x->cp == cp))
			return x;
		j = (j + 1) & (kt->cap - 1);
	}
}

/* Entry q joined the queue. */
static void tally_add(struct kind_tally *kt, const struct qent *q)
{
	struct kind_cnt *x;

	if (2 * (kt->used + 1) > kt->cap) {
		struct kind_tally big = { .cap = kt->cap ? 2 * kt->cap : 64, .used = kt->used };

		big.e = xcalloc(big.cap, sizeof *big.e);
		for (size_t j = 0; j < kt->cap; j++)
			if (kt->e[j].n)
				*tally_slot(&big, kt->e[j].td, kt->e[j].group, kt->e[j].cp) = kt->e[j];
		free(kt->e);
		*kt = big;
	}
	x = tally_slot(kt, q->td, q->group, q->cp);
	if (x->n == 0) {
		*x = (struct kind_cnt){ q->td, q->group, q->cp, 0 };
		kt->used++;
	}
	x->n++;
}

/* Entry q left the queue; a kind of no more entries leaves the table (the
 * entries after it in its probe run move back: no tombstones, so memory
 * follows the kinds waiting, not all the kinds a run has seen). */
static void tally_sub(struct kind_tally *kt, const struct qent *q)
{
	struct kind_cnt *x = tally_slot(kt, q->td, q->group, q->cp);
	size_t mask = kt->cap - 1, j, k;

	if (x->n == 0)
		abort();           /* (an entry counted when it joined) */
	if (--x->n > 0)
		return;
	kt->used--;
	j = (size_t)(x - kt->e);
	for (k = (j + 1) & mask; kt->e[k].n != 0; k = (k + 1) & mask) {
		size_t h = kind_hash(kt->e[k].td, kt->e[k].group, kt->e[k].cp, kt->cap);

		/* entry k may move to the hole at j when its home h is not
		 * after j on the way to k */
		if (((k - h) & mask) >= ((k - j) & mask)) {
			kt->e[j] = kt->e[k];
			kt->e[k].n = 0;
			j = k;
		}
	}
	kt->e[j].n = 0;
}

/* ---- the standalone queue ------------------------------------------------ */

/* Task `r` joins the queue of tasks waiting for capacity. */
static void q_push(struct backplane *bp, uint64_t r)
{
	uint32_t slot = ref_slot(r);
	struct task *t = &bp->tasks[slot];

	XGROW(bp->queue, bp->q_cap, bp->q_len + 1);
	bp->queue[bp->q_len] = (struct qent){ .ref = r, .td = t->td, .group = t->group, .cp = t->cp };
	tally_add(&bp->queue_kinds, &bp->queue[bp->q_len++]);
	XGROW(bp->q_gen, bp->cap_q_gen, (size_t)slot + 1);
	bp->q_gen[slot] = (uint32_t)r;
	t->queued = 2;
}

/* Task t (in slot) is no longer queued (placed, or stopped before it was):
 * an entry of its in the queue is no longer live (q_live). */
static inline void q_leave(struct backplane *bp, const struct task *t, uint32_t slot)
{
	if (t->queued == 2)
		bp->q_gen[slot] = t->gen + 1;
}

/* Whether queue entry e still holds a task waiting for capacity (what a
 * walk tries): its slot's task is that task (the generation), not placed
 * since (queued), and not to be stopped (a queued task asked to stop is
 * retired at once: its generation moves on). */
static inline int q_live(const struct backplane *bp, const struct qent *e)
{
	return bp->q_gen[ref_slot(e->ref)] == (uint32_t)e->ref;
}

/* BN_CAPACITY's note (out of line: a caller without services keeps no
 * note on its stack) */
static void __attribute__((noinline)) note_capacity(struct backplane *bp)
{
	bp_notify(bp, &(struct bp_note){ .kind = BN_CAPACITY });
}

static inline void capacity_changed(struct backplane *bp)
{
	/* a walk of an empty pending queue does nothing: within an event, with
	 * a placement latency (no launch waits in the instant's lane to fill
	 * the queue before the walk's turn), it is not scheduled */
	if (bp->queued > 0 && !bp->retry_scheduled &&
	    (bp->q_len > 0 || !sim_dispatching(bp->sim) || bp->tm->placement_latency <= 0)) {
		bp->retry_scheduled = 1;
		sim_after(bp->sim, 0, bp->ev_retry, bp, 0);
	}
	/* news only to a service that waits for capacity (bp_msg.h): none
	 * without services */
	if (bp->s->n_services > 0)
		note_capacity(bp);
}

void bp_capacity_changed(struct backplane *bp)
{
	capacity_changed(bp);
}

/* ---- tasks -------------------------------------------------------------- */

const char *bp_td_label(const struct backplane *bp, int td, char *buf, size_t n)
{
	const struct taskdef *d = bp->s->taskdefs[td].td;

	size_t len = strlen(d->family);

	if (len + 2 + FMT_U64_MAX > n) {   /* (a buffer too small: snprintf's cut) */
		if (d->revision > 0)
			snprintf(buf, n, "%s:%d", d->family, d->revision);
		else
			snprintf(buf, n, "%s", d->family);
		return buf;
	}
	memcpy(buf, d->family, len);
	if (d->revision > 0) {
		buf[len++] = ':';
		len += fmt_u64(buf + len, (uint64_t)d->revision);
	}
	buf[len] = '\0';
	return buf;
}

/* The live task with id `id` (0 when none): a named one from the map, an
 * anonymous one (every service task, "task-<no>" exactly as task_name
 * writes it) by its number, a scan of the slots (a trace row naming an
 * anonymous task is rare; no per-task index to keep). */
static int find_task(struct backplane *bp, const char *id, uint64_t *slot)
{
	const char *p = id + 5;
	uint64_t no = 0;

	if (hmap_get(bp->by_id, id, slot))
		return 1;
	if (strncmp(id, "task-", 5) != 0 || *p < '1' || *p > '9' || strlen(p) > 19)
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		no = no * 10 + (uint64_t)(*p - '0');
	}
	for (size_t i = 0; i < bp->n_tasks; i++)
		if (bp->tasks[i].used && !bp->tasks[i].id && bp->tasks[i].no == no) {
			*slot = i;
			return 1;
		}
	return 0;
}

/* A task's lines 2-3 as a new task has them (task.h). */
static void cold_reset(struct task *t)
{
	char *p = (char *)t;

	memset(p + 128, 0, 64);
	memset(p + 192, 0, 64);
	t->pin = -1;
	t->fg_az = -1;
	t->cold = 0;
}

/* new_slot when no freed slot is left: the table grows by one record
 * (out of line: a slot off the free list, the usual case, saves no
 * registers for it) */
static uint32_t __attribute__((noinline)) new_slot_grow(struct backplane *bp)
{
	if (bp->n_tasks + 1 > bp->cap_tasks)   /* each record on its own cache lines (task.h) */
		xgrow_aligned(&bp->tasks_mem, (void **)&bp->tasks, &bp->cap_tasks, bp->n_tasks + 1,
			      sizeof bp->tasks[0], _Alignof(struct task));
	memset(&bp->tasks[bp->n_tasks], 0, sizeof bp->tasks[0]);
	cold_reset(&bp->tasks[bp->n_tasks]);
	return (uint32_t)bp->n_tasks++;
}

static inline uint32_t new_slot(struct backplane *bp)
{
	if (bp->n_free)
		return bp->free_slots[--bp->n_free];
	return new_slot_grow(bp);
}

static inline void drop_slot(struct backplane *bp, uint32_t slot);

/* 1 when task t is not a DAEMON service's (what bp_nondaemon_count
 * counts). */
static inline int not_daemon(const struct backplane *bp, const struct task *t)
{
	return t->svc < 0 || bp->s->services[t->svc].sched != SCHED_DAEMON;
}

/* retire's row (out of line: without a task log a retired task saves no
 * registers and no frame for the strings). */
static void __attribute__((noinline)) write_row(struct backplane *bp, uint32_t slot, int present)
{
	struct task *t = &bp->tasks[slot];
	char label[300], name[32];
	struct task_record r = {
		.task_id = task_name(t, name, sizeof name),
		.taskdef = bp_td_label(bp, t->td, label, sizeof label),
		.group = cluster_group_name(bp->cl, t->group),
		.service = t->svc >= 0 ? bp->s->services[t->svc].name : "",
		.submit = t->submit,
		.placed = t->ts[TS_PROVISIONING],
		.start = t->ts[TS_RUNNING],
		.stop = present ? -1 : t->ts[TS_STOPPED],
		.instance_id = t->inst >= 0 ? cluster_id(bp->cl, t->inst) : NULL,
		.az = bp_task_az(bp, t),
		.cpu_units = bp->s->taskdefs[t->td].req.cpu_units,
		.mem_mib = bp->s->taskdefs[t->td].req.mem_mib,
		.stop_code = present ? NULL : t->stop_code,
		/* (lines 2-3 read only when not a new task's: task_name) */
		.stop_reason = present || !t->cold ? NULL : t->stop_reason,
		.desired = t->desired == TD_RUNNING ? "RUNNING" : "STOPPED",
		/* a task waiting for its capacity provider is PROVISIONING
		 * (docs/ecs-model.md §4.9) */
		.last = t->queued ? (t->cp >= 0 ? "PROVISIONING" : "PENDING") : task_state_name(t->seen),
		.ts = t->ts,
		.capacity_provider = cp_name(bp->s, t->cp),
		.launch_type = t->fg || cp_is_fargate(bp->s, t->cp) ? "FARGATE" : "EC2",
	};

	metrics_on_task_done(bp->m, &r);
}

/* Whether slot's task is only a service's launch awaiting its placement
 * decision: not a task yet (A3: a service task exists from its placement,
 * or from its wait PROVISIONING for a provider's capacity), so no row and
 * not in summary.csv's tasks_submitted (scenarios/README.md tasks.csv). */
static inline int launch_only(const struct task *t)
{
	return t->svc >= 0 && t->queued && !t->cp_waiting;
}

/* Write the task's row and free its slot. */
static inline __attribute__((always_inline)) void retire(struct backplane *bp, uint32_t slot, int present)
{
	/* without a task log the row is never written: no strings to format */
	if (metrics_task_log(bp->m) && !launch_only(&bp->tasks[slot]))
		write_row(bp, slot, present);
	drop_slot(bp, slot);
}

static void drop_slot_slow(struct backplane *bp, uint32_t slot);

/* Free a slot that never became a task anyone sees (A3).  Its lines 2-3
 * are handed on as a new task has them (task.h): a plain task's (not
 * cold) as they are, inline, while the free list has room; else
 * drop_slot_slow. */
static inline void drop_slot(struct backplane *bp, uint32_t slot)
{
	struct task *t = &bp->tasks[slot];

	if (__builtin_expect(bp->count_nd, 0) && t->inst >= 0)   /* placed there until now (struct inst_bp) */
		bp->ib[t->inst].nondaemon -= not_daemon(bp, t);
	if (t->cold || bp->n_free == bp->cap_free) {
		drop_slot_slow(bp, slot);
		return;
	}
	t->used = 0;
	t->gen++;
	bp->free_slots[bp->n_free++] = slot;
}

static void __attribute__((noinline)) drop_slot_slow(struct backplane *bp, uint32_t slot)
{
	struct task *t = &bp->tasks[slot];

	if (t->cold) {
		if (t->id) {
			hmap_del(bp->by_id, t->id);
			free(t->id);
		}
		cold_reset(t);
	}
	t->used = 0;
	t->gen++;
	XGROW(bp->free_slots, bp->cap_free, bp->n_free + 1);
	bp->free_slots[bp->n_free++] = slot;
}

/* view_to's part for a service's task, out of line (a standalone task's
 * view changes run without it, and without saving what it needs). */
static void __attribute__((noinline)) view_to_service(struct backplane *bp, uint32_t slot,
							enum task_state from, enum task_state st)
{
	/* only a service's tasks are news to anyone (bp_msg.h) */
	bp_notify(bp, &(struct bp_note){ .kind = BN_TASK_SEEN, .slot = slot, .from = (int)from,
					 .to = (int)st });
	/* a service task that leaves RUNNING is no longer healthy (its
	 * scheduler has counted it out) */
	if (from == TS_RUNNING && st != TS_RUNNING)
		bp->tasks[slot].healthy = 0;
}

/* What a view change (from, to) adds to the counts of running and of
 * starting tasks: one less running when it leaves RUNNING, one more when it
 * enters; one less starting when it passes RUNNING from before. */
#define VIEW_DELTA(f, s) { ((s) == TS_RUNNING) - ((f) == TS_RUNNING), \
			   -((f) < TS_RUNNING && (s) >= TS_RUNNING) }
#define VIEW_ROW(f) { VIEW_DELTA(f, 0), VIEW_DELTA(f, 1), VIEW_DELTA(f, 2), VIEW_DELTA(f, 3), \
		      VIEW_DELTA(f, 4), VIEW_DELTA(f, 5), VIEW_DELTA(f, 6), VIEW_DELTA(f, 7) }
_Static_assert(TS_N == 8, "view_delta has a row and a column per task state");
static const struct { int64_t running, starting; } view_delta[TS_N][TS_N] = {
	VIEW_ROW(0), VIEW_ROW(1), VIEW_ROW(2), VIEW_ROW(3),
	VIEW_ROW(4), VIEW_ROW(5), VIEW_ROW(6), VIEW_ROW(7),
};

/* The backplane's view of the task moves to `st`: the counts of running and
 * starting tasks, and the service's, follow the view.  The counts from a
 * table, not branches: each step of a task's life passes here with another
 * (from, st), which a branch predictor guesses poorly (and the table costs
 * fewer instructions than the compares). */
static inline __attribute__((always_inline)) enum task_state view_move(struct backplane *bp, struct task *t,
									   enum task_state st)
{
	enum task_state from = t->seen;

	bp->running += view_delta[from][st].running;
	bp->starting += view_delta[from][st].starting;
	t->seen = (uint8_t)st;
	return from;
}

static void view_to(struct backplane *bp, uint32_t slot, enum task_state st)
{
	struct task *t = &bp->tasks[slot];
	enum task_state from = view_move(bp, t, st);

	if (t->svc >= 0)
		view_to_service(bp, slot, from, st);
}

/* always inline (link-time optimisation, the agent's steps): as a call it
 * would make their common paths save registers (agent.c) */
__attribute__((always_inline)) inline void bp_task_view(struct backplane *bp, struct task *t, int st)
{
	view_move(bp, t, (enum task_state)st);
}

void bp_quick_clear(struct backplane *bp, int32_t inst)
{
	size_t n;
	const uint32_t *on = bp_inst_slots(bp, inst, &n);

	/* (a slot no longer used there gets its quick reset when reused) */
	for (size_t k = 0; k < n; k++)
		if (bp->tasks[on[k]].inst == inst)
			bp->tasks[on[k]].quick = 0;
}

void bp_task_report(struct backplane *bp, uint32_t slot)
{
	struct task *t = &bp->tasks[slot];

	if (t->unsynced)
		bp_task_sync(bp, slot);
	else
		view_to(bp, slot, t->state);
}

void bp_task_sync(struct backplane *bp, uint32_t slot)
{
	struct task *t = &bp->tasks[slot];

	t->unsynced = 0;
	/* it ran meanwhile: the service counts it started */
	if (t->seen < TS_RUNNING && t->state > TS_RUNNING && t->ts[TS_RUNNING] >= 0)
		view_to(bp, slot, TS_RUNNING);
	if (t->agent_code) {
		/* the first reason to stop it is the one the task keeps */
		if (t->desired == TD_RUNNING) {
			t->stop_code = t->agent_code;
			bp_task_desire_stop(bp, t);
		}
		t->agent_code = NULL;
	}
	view_to(bp, slot, t->state);
	if (t->healthy_held && t->seen == TS_RUNNING && !t->healthy)
		bp_task_healthy(bp, slot);
	t->healthy_held = 0;
}

/* place_one with --explain (out of line: place_one's usual path keeps no
 * frame for the name). */
static int __attribute__((noinline)) place_explained(struct backplane *bp, const struct task *t,
						      const struct scn_taskdef *d,
						      const struct place_policy *pol,
						      struct place_result *res)
{
	char buf[32];
	const char *name;
	int rc;

	name = task_name(t, buf, sizeof buf);
	if (!explain_log_wants(bp->explain, name))
		return place_task(bp->cl, &d->req, t->group, pol, bp->place_rng, res);
	explain_log_before(bp->explain, name, t->svc >= 0 ? bp->s->services[t->svc].name : "",
			   sim_now(bp->sim), bp->cl, &d->req, t->group, pol, bp->place_rng);
	rc = place_task(bp->cl, &d->req, t->group, pol, bp->place_rng, res);
	explain_log_after(bp->explain, res);
	return rc;
}

/* place_task, explained first when --explain names the task. */
static inline int place_one(struct backplane *bp, const struct task *t, const struct scn_taskdef *d,
			    const struct place_policy *pol, struct place_result *res)
{
	if (!bp->explain)
		return place_task(bp->cl, &d->req, t->group, pol, bp->place_rng, res);
	return place_explained(bp, t, d, pol, res);
}

void backplane_set_explain(struct backplane *bp, struct explain_log *x)
{
	bp->explain = x;
}

void bp_task_healthy(struct backplane *bp, uint32_t slot)
{
	int was = bp->tasks[slot].healthy | bp->tasks[slot].unhealthy << 1;

	bp->tasks[slot].cold = 1;
	bp->tasks[slot].healthy = 1;
	/* an unhealthy task that recovers is kept (docs/ecs-model.md §5.3) */
	bp->tasks[slot].unhealthy = 0;
	bp->tasks[slot].unhealthy_reason = NULL;
	bp_notify(bp, &(struct bp_note){ .kind = BN_TASK_HEALTHY, .slot = slot, .from = was });
}

void bp_task_checks_passed(struct backplane *bp, uint32_t slot)
{
	bp->tasks[slot].cold = 1;
	bp->tasks[slot].checks_passed = 1;
	note_task(bp, BN_TASK_CHECKS_PASSED, slot);
}

void bp_task_unhealthy(struct backplane *bp, uint32_t slot, const char *reason)
{
	struct task *t = &bp->tasks[slot];

	if (t->unhealthy || t->desired != TD_RUNNING)
		return;
	t->cold = 1;
	t->unhealthy = 1;
	t->unhealthy_reason = reason;
	note_task(bp, BN_TASK_UNHEALTHY, slot);
	/* the scheduler has counted it out of the healthy ones */
	t->healthy = 0;
}

static void on_provisioned(struct sim *s, void *ctx, const struct event *ev);

/* BN_STANDALONE_TASK's note, out of line (bp_watch_standalone) */
static void __attribute__((noinline)) note_standalone(struct backplane *bp, uint32_t slot)
{
	note_task(bp, BN_STANDALONE_TASK, slot);
}

void bp_watch_standalone(struct backplane *bp, int on)
{
	bp->watch_standalone = on;
}

/* BN_TASK_CREATED's note, out of line (task_placed, a service's task) */
static void __attribute__((noinline)) note_created(struct backplane *bp, uint32_t slot)
{
	note_task(bp, BN_TASK_CREATED, slot);
}

/* bp_task_placed's body: inline in try_place, the usual caller */
static inline __attribute__((always_inline)) void task_placed(struct backplane *bp, struct task *t,
								int32_t inst)
{
	sim_time_t now = sim_now(bp->sim);
	int was_waiting = t->cold && t->cp_waiting;

	t->inst = inst;
	if (inst >= 0) {        /* (backplane_int.h, struct inst_snap, struct inst_bp) */
		bp->place_seq++;
		if (__builtin_expect(bp->count_nd, 0))
			bp->ib[inst].nondaemon += not_daemon(bp, t);
	}
	q_leave(bp, t, (uint32_t)(t - bp->tasks));
	t->queued = 0;
	if (was_waiting) {
		t->cp_waiting = 0;
		bp->cp_waiting--;
	}
	bp->starting++;
	if (t->svc >= 0 && !was_waiting) {
		/* it exists from now (A3), unless it did already, waiting
		 * PROVISIONING for capacity (counted then) */
		metrics_on_submit(bp->m, t->submit);
		note_created(bp, (uint32_t)(t - bp->tasks));
	}
	t->state = t->seen = TS_PROVISIONING;
	t->ts[TS_PROVISIONING] = now;
	metrics_on_placed(bp->m, now, t->submit);
	/* a RunTask task on EC2 without a provider: counted by its
	 * placement alone (metrics.h) */
	if (t->fg || t->svc >= 0 || t->cp >= 0)
		metrics_on_launched(bp->m, t->svc, t->fg != TL_EC2, t->fg == TL_FARGATE_SPOT, t->cp >= 0);
	if (__builtin_expect(bp->watch_standalone, 0) && t->svc < 0)
		note_standalone(bp, (uint32_t)(t - bp->tasks));
}

void bp_task_placed(struct backplane *bp, struct task *t, int32_t inst)
{
	task_placed(bp, t, inst);
}

/* Add a pin to a task's policy.  It cannot fail: a policy holds at most 10
 * constraints of its own and room for the pins, and the names in a pin
 * (instance ids, the scenario's AZs, capacity providers' names) are checked
 * when the scenario is read; should one not parse, placing the task
 * without it would be wrong, so the run stops. */
static void pin_task_policy(struct place_policy *p, const char *expr)
{
	struct err e;

	err_clear(&e);
	if (place_add_pin(p, expr, &e)) {
		fprintf(stderr, "ecsim: internal error: cannot pin a task: %s\n", e.msg);
		exit(1);
	}
}

/* Policy pol with the pin of capacity provider cp, the same pin try_place
 * adds to a task routed to the provider (docs/ecs-model.md §5.11), kept
 * for the run per (pol, cp) (struct backplane cp_pins): made once, not
 * copied and parsed again at each placement of the provider's tasks, and
 * its placement memo (struct place_policy memo) lasting like any policy's.
 * A task's policy is its task definition's or its deployment's, both kept
 * until the run ends, so the pair's address names it for the run. */
static const struct place_policy *cp_pinned(struct backplane *bp, const struct place_policy *pol, int cp)
{
	struct cp_pin *e;
	char expr[300];

	for (size_t k = 0; k < bp->n_cp_pins; k++) {
		e = &bp->cp_pins[(bp->cp_pin_last + k) % bp->n_cp_pins];
		if (e->base == pol && e->cp == cp) {
			bp->cp_pin_last = (size_t)(e - bp->cp_pins);
			return e->pinned;
		}
	}
	XGROW(bp->cp_pins, bp->cap_cp_pins, bp->n_cp_pins + 1);
	e = &bp->cp_pins[bp->n_cp_pins];
	e->base = pol;
	e->cp = cp;
	e->pinned = xmalloc(sizeof *e->pinned);
	place_policy_copy(e->pinned, pol);
	snprintf(expr, sizeof expr, "attribute:%s == '%s'", CP_ATTR, cp_name(bp->s, cp));
	pin_task_policy(e->pinned, expr);
	bp->cp_pin_last = bp->n_cp_pins++;
	return e->pinned;
}

/* A failed placement of task t under policy pol: the closest instance
 * (choice A4) when a service event will name it (a service's task, its
 * failure logged, service_events.csv written), else -1 (not looked for:
 * a RunTask failure's row names none).  Out of line: the failure path. */
static int32_t __attribute__((noinline)) failure_closest(struct backplane *bp, const struct task *t,
							 const struct scn_taskdef *d,
							 const struct place_policy *pol)
{
	if (t->svc < 0 || bp->walk_quiet || !evlog_writing(metrics_evlog(bp->m)))
		return -1;
	return place_closest(bp->cl, &d->req, t->group, pol);
}

/* One placement attempt; on success the task is PROVISIONING from now.
 * `last`: the caller's last action is to count the task placed; then a
 * zero-delay PROVISIONING step, nothing else waiting at this instant, is
 * left to the caller (returns 1: call provisioned_now).  Inline in
 * on_launch, where nearly every task is placed. */
static inline __attribute__((always_inline)) int try_place(struct backplane *bp, uint32_t slot, int last)
{
	struct task *t = &bp->tasks[slot];
	const struct scn_taskdef *d = &bp->s->taskdefs[t->td];
	const struct place_policy *pol = t->cold && t->policy ? t->policy : &d->policy;
	struct place_result res;
	sim_time_t now = sim_now(bp->sim);
	struct place_policy pinned;
	int32_t held = -1;         /* a DAEMON task's instance, whose held room it takes */
	int32_t closest = -1;      /* on failure, the instance the service event names */
	int rc;

	if (t->fg)   /* no instance: Fargate picks an AZ (docs/ecs-model.md §4.11) */
		return bp_fargate_launch(bp, t, t->fg == TL_FARGATE_SPOT);
	if ((t->cold && (t->pin >= 0 || t->pin_az)) || t->cp >= 0) {
		if (!(t->cold && (t->pin >= 0 || t->pin_az))) {
			/* routed to an Auto Scaling group provider, nothing else
			 * pinned: the policy with the provider's pin, made once */
			const struct place_policy *cpol = cp_pinned(bp, pol, t->cp);

			rc = place_one(bp, t, d, cpol, &res);
			if (rc != 0)
				closest = failure_closest(bp, t, d, cpol);
		} else {
			/* the scheduler's pins on top of the task's own constraints
			 * (place_add_pin: not counted toward their limit of 10): a
			 * DAEMON task goes to one given instance (docs/ecs-model.md
			 * §4.10), a rebalancing task to one given AZ (§5.9), and a task
			 * routed to an Auto Scaling group provider only to that
			 * provider's instances (§5.11) - a rebalancing task too, so
			 * it keeps both pins */
			char expr[300];

			place_policy_copy(&pinned, pol);
			if (t->cold && t->pin >= 0) {
				snprintf(expr, sizeof expr, "instanceId == %s", cluster_id(bp->cl, t->pin));
				pin_task_policy(&pinned, expr);
				place_pin_instance(&pinned, t->pin);
				/* the room held there for this daemon is its own;
				 * the other daemons' stays theirs (docs/ecs-model.md
				 * §4.10, choices E131, E146) */
				held = t->pin;
				cluster_hold_open(bp->cl, held, t->group);
			} else if (t->cold && t->pin_az) {
				snprintf(expr, sizeof expr, "attribute:ecs.availability-zone == '%s'", t->pin_az);
				pin_task_policy(&pinned, expr);
			}
			if (t->cp >= 0) {
				snprintf(expr, sizeof expr, "attribute:%s == '%s'", CP_ATTR, cp_name(bp->s, t->cp));
				pin_task_policy(&pinned, expr);
			}
			rc = place_one(bp, t, d, &pinned, &res);
			if (rc != 0)
				closest = failure_closest(bp, t, d, &pinned);
			place_policy_free(&pinned);
		}
	} else {
		rc = place_one(bp, t, d, pol, &res);
		if (rc != 0)
			closest = failure_closest(bp, t, d, pol);
	}
	if (rc != 0) {
		char label[300], name[32];

		if (held >= 0)     /* its hold takes its room back */
			cluster_hold_fill(bp->cl, held);
		/* the task's id and definition are formatted only for the
		 * row that names them (placement_failures.csv, written with
		 * the task log): a queue waiting for capacity fails often */
		if (!bp->walk_quiet)
			metrics_on_failure(bp->m, now,
					   metrics_task_log(bp->m) ? task_name(t, name, sizeof name) : "",
					   metrics_task_log(bp->m) ? bp_td_label(bp, t->td, label, sizeof label) : "",
					   cluster_group_name(bp->cl, t->group),
					   t->svc >= 0 ? bp->s->services[t->svc].name : "",
					   res.reason, res.considered, closest >= 0 ? cluster_id(bp->cl, closest) : NULL);
		return -1;
	}
	cluster_reserve(bp->cl, res.instance, &d->req, t->group);
	if (held >= 0)     /* its hold turns into the task's room */
		cluster_unhold(bp->cl, held, t->group);
	task_placed(bp, t, res.instance);
	notify_cluster(bp);
	/* docs/ecs-model.md §3.1: PROVISIONING is where the awsvpc ENI is created and attached */
	if (last && !d->td->eni && sim_lane_idle(bp->sim))
		return 1;
	sim_after(bp->sim, d->td->eni ? bp_instance_timing(bp, res.instance)->eni_attach : 0, bp->ev_provisioned, bp,
		  task_ref(bp, slot));
	return 0;
}

void bp_daemon_place_failed(struct backplane *bp, int td, uint32_t group, int svc, int32_t inst,
			    const char *reason, int event)
{
	char label[300], name[5 + FMT_U64_MAX + 1];
	const char *id = "", *tdl = "";
	uint64_t no = ++bp->next_task_no;     /* the number the task would have had */

	if (metrics_task_log(bp->m)) {
		memcpy(name, "task-", 5);
		name[5 + fmt_u64(name + 5, no)] = '\0';
		id = name;
		tdl = bp_td_label(bp, td, label, sizeof label);
	}
	if (event)
		metrics_on_failure(bp->m, sim_now(bp->sim), id, tdl, cluster_group_name(bp->cl, group),
				   bp->s->services[svc].name, reason, 1, cluster_id(bp->cl, inst));
	else
		metrics_on_failure_row(bp->m, sim_now(bp->sim), id, tdl, cluster_group_name(bp->cl, group),
				       bp->s->services[svc].name, reason, 1);
}

static void provisioned(struct backplane *bp, uint32_t slot, struct task *t);

/* The zero-delay PROVISIONING step try_place left to its caller, run as
 * part of the caller's event (sim_lane_idle): the task just placed is
 * PROVISIONING, what on_provisioned checks. */
static void provisioned_now(struct backplane *bp, uint32_t slot)
{
	provisioned(bp, slot, &bp->tasks[slot]);
}

/* bp_new_task's body: inline in RunTask's loop, the usual caller; its
 * launch type fg (fargate_launch_of's) and provider cp (-1: none) given */
static inline __attribute__((always_inline)) uint32_t new_task(struct backplane *bp, int td, uint32_t group,
								 const char *id, sim_time_t duration, int svc,
								 int dep, const struct place_policy *pol,
								 int fg, int cp)
{
	uint32_t slot = new_slot(bp);
	struct task *t = &bp->tasks[slot];
	uint64_t no = 0;

	/* a task without an id (every service task) is numbered, not named:
	 * no string, no map entry; its scheduler orders by the number */
	if (!id)
		no = ++bp->next_task_no;
	{
		/* lines 0 and 1 cleared (a memset of the record is a `rep
		 * stos`, an 8-byte store per step; a few dozen bytes are a few
		 * vector stores), ts[] set to -1; lines 2-3 hold a new task's
		 * already (task.h), what a plain standalone task keeps */
		uint32_t gen = t->gen;
		size_t ts_end = offsetof(struct task, ts) + sizeof t->ts;

		_Static_assert(offsetof(struct task, id) == 128, "lines 0-1, then 2-3");
		memset(t, 0, offsetof(struct task, ts));
		for (int k = 0; k < TS_N; k++)
			t->ts[k] = -1;
		memset((char *)t + ts_end, 0, 128 - ts_end);
		t->gen = gen;
	}
	t->used = 1;
	t->queued = 1;
	t->state = TS_PROVISIONING;
	t->desired = TD_RUNNING;
	t->no = no;
	t->td = td;
	t->group = group;
	t->inst = -1;
	t->cp = (int16_t)cp;
	t->fg = (uint8_t)fg;
	t->svc = svc;
	t->submit = sim_now(bp->sim);
	t->duration = duration;
	if (id || svc >= 0 || pol || dep || t->fg) {
		/* cold from the start (task.h) */
		t->cold = 1;
		t->id = id ? xstrdup(id) : NULL;
		t->policy = pol;
		t->dep = dep;
	}
	if (id)
		hmap_put(bp->by_id, t->id, slot);
	if (svc < 0)
		metrics_on_submit(bp->m, t->submit);
	bp->queued++;
	sim_after(bp->sim, bp->tm->placement_latency, bp->ev_launch, bp, task_ref(bp, slot));
	return slot;
}

uint32_t bp_new_task(struct backplane *bp, int td, uint32_t group, const char *id,
		     sim_time_t duration, int svc, int dep, const struct place_policy *pol)
{
	return new_task(bp, td, group, id, duration, svc, dep, pol, fargate_launch_of(bp->s, td, svc), -1);
}

/* The placement decision of a launch (after the placement latency). */
static void on_launch(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);
	uint32_t slot = ref_slot(ev->arg);

	(void)s;
	if (!t || !t->queued || t->desired != TD_RUNNING)
		return;
	if (cp_is_fargate(bp->s, t->cp)) {
		if (bp_fargate_launch(bp, t, t->cp) == 0) {
			bp->queued--;
			return;
		}
	} else {
		int rc = try_place(bp, slot, 1);

		if (rc >= 0) {
			bp->queued--;
			if (rc == 1)
				provisioned_now(bp, slot);
			return;
		}
	}
	if (cp_waits(bp->s, t->cp)) {
		if (bp->cp_waiting < bp->s->max_provisioning) {
			/* a provider with managed scaling: the task waits
			 * PROVISIONING for capacity, service task or not
			 * (docs/ecs-model.md §4.9, choice E60) */
			t->cold = 1;
			t->cp_waiting = 1;
			bp->cp_waiting++;
			if (t->svc >= 0) {   /* it exists, PROVISIONING (A3): a task
					      * submitted, placed or not (summary.csv) */
				metrics_on_submit(bp->m, t->submit);
				note_created(bp, slot);
			}
			q_push(bp, ev->arg);
			sim_after(bp->sim, bp->s->cp_wait, bp->ev_timeout, bp, ev->arg);
			return;
		}
		/* over ECS's quota of tasks in PROVISIONING per cluster
		 * (docs/ecs-model.md §4.9, $.limits.maxProvisioningTasks): RunTask
		 * fails; a service's launch fails as below and is tried again */
		if (t->svc < 0) {
			bp_stop_task(bp, slot, STOP_FAILED_TO_START);
			return;
		}
	}
	if (t->svc >= 0) {
		/* A3: a service task that cannot be placed does not exist; the
		 * scheduler tries again on its next pass */
		bp->queued--;
		note_task(bp, BN_LAUNCH_FAILED, slot);
		drop_slot(bp, slot);
		return;
	}
	if (bp->s->pending_fail) {
		/* RunTask as the API does it: the failure is returned, no task
		 * waits (docs/ecs-model.md §4.9; choice A3) */
		bp_stop_task(bp, slot, STOP_FAILED_TO_START);
		return;
	}
	q_push(bp, ev->arg);
	if (bp->s->pending_timeout > 0)
		sim_after(bp->sim, bp->s->pending_timeout, bp->ev_timeout, bp, ev->arg);
}

/* The end of PROVISIONING: PENDING, and the start (or stop) request goes
 * to whoever runs the task. */
static void provisioned(struct backplane *bp, uint32_t slot, struct task *t)
{
	if (t->fg) {
		agent_set_state(bp, slot, TS_PENDING);
		fargate_send(bp, slot, t->desired == TD_RUNNING ? AM_START : AM_STOP);
	} else {
		agent_task_pending(bp, slot, t);
	}
}

static void on_provisioned(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);

	(void)s;
	if (!t || t->state != TS_PROVISIONING)
		return;
	provisioned(bp, ref_slot(ev->arg), t);
}

/* RunTask: `count` tasks placed one after the other, resources and group
 * counts updated in between (A13: the same decisions as calls of ≤ 10). */
int backplane_run_task(struct backplane *bp, int td, const char *group, const char *id,
		    int64_t count, sim_time_t duration, struct err *e)
{
	return backplane_run_task_as(bp, td, group, id, count, duration, NULL, -1, e);
}

/* RunTask's task group: `group`, or family:<family> when none is given,
 * as the cluster's group id.  A trace names a few groups row after row:
 * the memo answers before cluster_group hashes the name (an interned group
 * keeps its id). */
static uint32_t run_group(struct backplane *bp, int td, const char *group)
{
	char gbuf[300];
	int32_t gi;

	if (!group || !*group) {
		snprintf(gbuf, sizeof gbuf, "family:%s", bp->s->taskdefs[td].td->family);
		group = gbuf;
	}
	if (!name_memo_get(&bp->group_memo, group, &gi)) {
		gi = (int32_t)cluster_group(bp->cl, group);
		name_memo_put(&bp->group_memo, group, gi);
	}
	return (uint32_t)gi;
}

/* RunTask's error for `count` more tasks than $.limits.maxQueuedTasks lets
 * wait. */
static int __attribute__((noinline, cold)) queued_error(struct backplane *bp, int64_t count,
							struct err *e)
{
	return err_at(e, NULL, 0, 0, NULL,
		      "%lld tasks would wait for placement, more than the limit of %lld "
		      "(a simulator limit: raise it with $.limits.maxQueuedTasks)",
		      (long long)bp->queued + (long long)count, (long long)bp->s->max_queued);
}

/* The most tasks one RunTask call starts (docs/ecs-model.md §4.8): a run
 * of more is taken as calls of this many, one after the other (A13). */
#define RUN_TASK_CALL 10

int backplane_run_task_as(struct backplane *bp, int td, const char *group, const char *id,
			  int64_t count, sim_time_t duration, const struct cp_strategy *own,
			  int launch, struct err *e)
{
	uint64_t dummy;
	uint32_t g = run_group(bp, td, group);
	const struct cp_strategy *strat;
	int counts[CPS_MAX_ITEMS] = { 0 };

	/* the call's own strategy, else none with a launch type, else the
	 * cluster default (docs/ecs-model.md §5.11) */
	strat = own ? own : launch >= 0 ? NULL : cp_strategy_for(bp->s, -1);
	if (launch >= 0 && !(bp->s->taskdefs[td].td->launch &
			     (launch == TL_FARGATE ? TD_LAUNCH_FARGATE : TD_LAUNCH_EC2)))
		return err_at(e, NULL, 0, 0, NULL, "task definition '%s' does not list %s in its "
			      "requiresCompatibilities (ECS refuses the RunTask call)",
			      bp->s->taskdefs[td].name, launch == TL_FARGATE ? "FARGATE" : "EC2");
	if (bp->s->max_queued > 0 && (int64_t)bp->queued + count > bp->s->max_queued)
		return queued_error(bp, count, e);
	/* a strategy of Fargate providers runs every task on Fargate: the
	 * definition must list FARGATE (docs/ecs-model.md §5.11) */
	if (strat && strat->n > 0 && cp_is_fargate(bp->s, strat->items[0].provider) &&
	    !(bp->s->taskdefs[td].td->launch & TD_LAUNCH_FARGATE))
		return err_at(e, NULL, 0, 0, NULL, "task definition '%s' is routed to a Fargate capacity "
			      "provider but its requiresCompatibilities does not list FARGATE (ECS refuses "
			      "the launch)", bp->s->taskdefs[td].name);
	for (int64_t k = 1; k <= count; k++) {
		if (id && *id && find_task(bp, id, &dummy))
			return err_at(e, NULL, 0, 0, NULL,
				      "task id '%s' is already in use by a live task", id);
		uint32_t slot = new_task(bp, td, g, id && *id ? id : NULL, duration, -1, 0, NULL,
					 fargate_launch_of(bp->s, td, -1), -1);

		if (launch >= 0) {
			bp->tasks[slot].fg = (uint8_t)launch;
			if (launch != TL_EC2)
				bp->tasks[slot].cold = 1;   /* Fargate writes fg_az (task.h) */
		}
		if (strat) {
			/* the call's tasks split over its strategy, base first
			 * (docs/ecs-model.md §5.11); a count above RunTask's 10
			 * is calls of 10 one after the other (choices A13,
			 * E16): each call's base again */
			int item;

			if (k % RUN_TASK_CALL == 1 && k > 1)
				memset(counts, 0, sizeof counts);
			bp->tasks[slot].cp = (int16_t)cp_route_next(strat, counts, &item);
			if (item >= 0)
				counts[item]++;
		}
	}
	return 0;
}

/* A prepared call's word: the group's id (bits 0-31), the provider its
 * task takes (bits 32-47, as int16_t), its launch type (bits 48-55,
 * fargate_launch_of's: the definition's, which never changes), bit 63 set
 * (never 0). */
uint64_t backplane_run_prepare(struct backplane *bp, int td, const char *group)
{
	const struct cp_strategy *strat = cp_strategy_for(bp->s, -1);
	int cp = -1;

	if (strat) {
		/* the first task of a call, as backplane_run_task_as routes it */
		int counts[CPS_MAX_ITEMS] = { 0 }, item;

		cp = cp_route_next(strat, counts, &item);
	}
	return (uint64_t)run_group(bp, td, group) | (uint64_t)(uint16_t)(int16_t)cp << 32 |
	       (uint64_t)(uint8_t)fargate_launch_of(bp->s, td, -1) << 48 | (uint64_t)1 << 63;
}

int backplane_run_prepared(struct backplane *bp, int td, uint64_t call, sim_time_t duration,
			   struct err *e)
{
	if (bp->s->max_queued > 0 && bp->queued + 1 > bp->s->max_queued)
		return queued_error(bp, 1, e);
	new_task(bp, td, (uint32_t)call, NULL, duration, -1, 0, NULL, (uint8_t)(call >> 48),
		 (int16_t)(uint16_t)(call >> 32));
	return 0;
}

/* StopTask (D9: a task already stopping or stopped: no effect). */
void bp_stop_task(struct backplane *bp, uint32_t slot, const char *code)
{
	struct task *t = &bp->tasks[slot];

	if (t->desired == TD_STOPPED)
		return;
	t->stop_code = code;
	bp_task_desire_stop(bp, t);
	if (t->unhealthy && strcmp(code, STOP_SCHEDULER) == 0) {
		/* the scheduler stops a task that failed its ELB health checks
		 * (docs/ecs-model.md §5.3) */
		t->cold = 1;
		t->stop_reason = t->unhealthy_reason;
		t->elb_stopped = 1;
	}
	if (t->queued) {
		/* a service's launch awaiting its placement decision was no
		 * task: no row (A3, launch_only) */
		int row = !launch_only(t);

		/* never placed: nothing to tell an agent */
		bp->queued--;
		if (t->cp_waiting) {
			t->cp_waiting = 0;
			bp->cp_waiting--;
		}
		t->ts[TS_STOPPED] = sim_now(bp->sim);
		if (t->svc >= 0)        /* only a service's tasks are news (bp_msg.h) */
			note_task(bp, BN_TASK_STOPPED, slot);
		/* a stopped task's last status is STOPPED (docs/ecs-model.md §3.1),
		 * even one that never got an instance */
		q_leave(bp, t, slot);
		t->queued = 0;
		t->state = t->seen = TS_STOPPED;
		if (row)
			retire(bp, slot, 0);
		else
			drop_slot(bp, slot);
		return;
	}
	/* a RUNNING task behind a load balancer drains first (bp_msg.h): it
	 * is DEACTIVATING from the deregistration until its targets have
	 * drained, its containers still running; the service counts it
	 * neither running nor healthy from then (docs/ecs-model.md §6.3,
	 * choice E220) */
	if (t->state == TS_RUNNING && bp->stop_hold && bp->stop_hold(bp, bp->stop_hold_ctx, slot)) {
		t->cold = 1;            /* (task.h) */
		t->lb_draining = 1;
		agent_set_state(bp, slot, TS_DEACTIVATING);
		return;
	}
	if (t->state == TS_PENDING || t->state == TS_ACTIVATING || t->state == TS_RUNNING)
		task_send(bp, slot, AM_STOP);
	/* PROVISIONING: on_provisioned sends the stop instead of the start */
}

void backplane_set_out_dir(struct backplane *bp, const char *dir)
{
	bp->out_dir = dir;
}

const char *backplane_out_dir(const struct backplane *bp)
{
	return bp->out_dir;
}

void bp_scaling_open(struct backplane *bp)
{
	const char *dir = metrics_dir(bp->m);
	size_t len = strlen(dir) + sizeof "/scaling.csv";
	char *p;
	struct err e;

	if (bp->scaling_opened)
		return;
	bp->scaling_opened = 1;
	p = xmalloc(len);
	snprintf(p, len, "%s/scaling.csv", dir);
	bp->scaling = scl_open(p, &e);      /* NULL: the run goes on without the file */
	free(p);
}

void bp_scaling_write(struct backplane *bp, const struct scl_row *r)
{
	if (bp->scaling)
		scl_write(bp->scaling, r);
}

void bp_set_stop_hold(struct backplane *bp, bp_stop_hold_fn fn, void *ctx)
{
	bp->stop_hold = fn;
	bp->stop_hold_ctx = ctx;
}

void bp_stop_release(struct backplane *bp, uint32_t slot)
{
	struct task *t = &bp->tasks[slot];

	if (t->used && t->desired == TD_STOPPED &&
	    (t->state == TS_PENDING || t->state == TS_ACTIVATING || t->state == TS_RUNNING ||
	     t->state == TS_DEACTIVATING))
		task_send(bp, slot, AM_STOP);
}

static uint64_t stop_id_put(struct backplane *bp, const char *id)
{
	size_t k;

	if (bp->n_stop_free > 0) {
		k = bp->stop_free[--bp->n_stop_free];
	} else {
		XGROW(bp->stop_ids, bp->cap_stop_ids, bp->n_stop_ids + 1);
		k = bp->n_stop_ids++;
	}
	bp->stop_ids[k] = xstrdup(id);
	return k;
}

void backplane_stop_task(struct backplane *bp, const char *task_id)
{
	/* the call takes effect after the API latency */
	sim_after(bp->sim, bp->tm->api_latency, bp->ev_api_stop, bp, stop_id_put(bp, task_id));
}

int backplane_find_task(struct backplane *bp, const char *id, uint32_t *slot)
{
	uint64_t k;

	if (!find_task(bp, id, &k))
		return 0;
	*slot = (uint32_t)k;
	return 1;
}

size_t bp_task_slots(const struct backplane *bp)
{
	return bp->n_tasks;
}

void bp_route_task(struct backplane *bp, uint32_t slot, int provider)
{
	bp->tasks[slot].cp = (int16_t)provider;
}

void bp_pin_task(struct backplane *bp, uint32_t slot, int32_t inst, const char *az)
{
	bp->tasks[slot].cold = 1;
	bp->tasks[slot].pin = inst;
	bp->tasks[slot].pin_az = az;
}

static void on_api_stop(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	char *id = bp->stop_ids[ev->arg];
	uint64_t slot;

	(void)s;
	if (find_task(bp, id, &slot))
		bp_stop_task(bp, (uint32_t)slot, STOP_USER);
	free(id);
	bp->stop_ids[ev->arg] = NULL;
	XGROW(bp->stop_free, bp->cap_stop_free, bp->n_stop_free + 1);
	bp->stop_free[bp->n_stop_free++] = (size_t)ev->arg;
}

void bp_task_running(struct backplane *bp, uint32_t slot)
{
	note_task(bp, BN_TASK_RUNNING, slot);
}

/* BN_TASK_STOPPED's note (out of line: a standalone task's stop keeps no
 * note on its stack) */
static void __attribute__((noinline)) note_stopped(struct backplane *bp, uint32_t slot)
{
	note_task(bp, BN_TASK_STOPPED, slot);
}

void bp_task_stopped(struct backplane *bp, uint32_t slot)
{
	struct task *t = &bp->tasks[slot];

	if (t->inst >= 0)
		cluster_release(bp->cl, t->inst, &bp->s->taskdefs[t->td].req, t->group);
	if (t->fg)
		fargate_task_gone(bp, slot);
	if (t->svc >= 0)                /* only a service's tasks are news (bp_msg.h) */
		note_stopped(bp, slot);
	else if (__builtin_expect(bp->watch_standalone, 0) && t->inst >= 0)
		note_standalone(bp, slot);
	retire(bp, slot, 0);
	notify_cluster(bp);
	capacity_changed(bp);
}

/* -1 when the registration would pass limits.maxInstances: ECS refuses
 * RegisterContainerInstance past its quota of registered instances
 * (docs/ecs-model.md §7.5, choice E30; the load and a trace row check
 * before, a launch of Auto Scaling finds out here). */
static int32_t register_instance(struct backplane *bp, const struct catalog_type *type,
				 const char *az, const struct scn_group *g, int provider)
{
	struct instance_spec spec;
	struct inst_attr stack[64], *scratch = stack;
	struct scn_attr cp_attr = { CP_ATTR, NULL };
	char id[32], trunk[32];
	int32_t i;
	int n_given = provider >= 0 ? 1 : g ? g->n_attrs : 0, k;

	if (bp->s->max_instances > 0) {
		struct cluster_totals t;

		/* the quota is on registered instances (ACTIVE or DRAINING),
		 * not on the records of deregistered ones */
		cluster_totals(bp->cl, &t);
		if (t.n_registered >= bp->s->max_instances)
			return -1;
	}
	/* every attribute the group gives is held, however many ecs.* ones
	 * (docs/ecs-model.md §2.2); cluster_add copies them */
	if (n_given + SCN_SPEC_EXTRA_ATTRS > (int)(sizeof stack / sizeof *stack))
		scratch = xmalloc((size_t)(n_given + SCN_SPEC_EXTRA_ATTRS) * sizeof *scratch);
	if (provider >= 0) {
		/* an Auto Scaling group provider's instance: the attribute its
		 * routed tasks' placement requires (cp_route.h) */
		cp_attr.value = (char *)cp_name(bp->s, provider);
		scenario_instance_spec(bp->s, type, az, &cp_attr, 1, NULL, &spec, scratch);
	} else {
		scenario_instance_spec(bp->s, type, az, g ? g->attrs : NULL, g ? g->n_attrs : 0,
				       g ? &g->settings : NULL, &spec, scratch);
	}
	snprintf(id, sizeof id, "ci-%05d", cluster_count(bp->cl) + 1);
	spec.id = id;
	if (scenario_trunking(bp->s, type, provider < 0 && g ? &g->settings : NULL)) {
		/* docs/ecs-model.md §2.2, choice E162: the trunk ENI's id */
		snprintf(trunk, sizeof trunk, "eni-0ecsim%08d", cluster_count(bp->cl) + 1);
		scratch[spec.n_attrs++] = (struct inst_attr){ "ecs.awsvpc-trunk-id", trunk };
	}
	spec.registered_at_ms = EPOCH_BASE_MS + sim_now(bp->sim);
	i = cluster_add(bp->cl, &spec);
	if (scratch != stack)
		free(scratch);
	XGROW(bp->inst_group, bp->cap_inst_group, (size_t)i + 1);
	bp->inst_group[i] = g ? (int)(g - bp->s->groups) : -1;
	XGROW(bp->inst_cp, bp->cap_inst_cp, (size_t)i + 1);
	bp->inst_cp[i] = provider;
	XGROW(bp->ib, bp->cap_ib, (size_t)i + 1);
	/* its AZ's index, once (bp_instance_az) */
	k = scenario_az_index(bp->s, cluster_az(bp->cl, i));
	bp->ib[i] = (struct inst_bp){ .az = k < 0 ? bp->s->n_azs : k };
	/* the actors set up their side of it (the agent: connected) */
	bp_notify(bp, &(struct bp_note){ .kind = BN_INSTANCE_ADDED, .inst = i });
	metrics_on_instance_up(bp->m, sim_now(bp->sim), i,
			       pricing_instance_hourly(bp->s->pricing, type, g && g->spot, bp->rng));
	notify_cluster(bp);
	bp_instance_changed(bp, i);
	bp_capacity_changed(bp);
	bp_notify(bp, &(struct bp_note){ .kind = BN_INSTANCE_REGISTERED, .inst = i });
	return i;
}

int32_t bp_register_instance(struct backplane *bp, const struct catalog_type *type,
			     const char *az, const struct scn_group *g)
{
	return register_instance(bp, type, az, g, -1);
}

int32_t bp_register_cp_instance(struct backplane *bp, int provider, const char *az)
{
	return register_instance(bp, bp->s->capacity->providers[provider].asg.type, az, NULL, provider);
}

int bp_instance_az(const struct backplane *bp, int32_t inst)
{
	return bp->ib[inst].az;
}

int bp_instance_cp(const struct backplane *bp, int32_t inst)
{
	return bp->inst_cp[inst];
}

void backplane_drain_inst(struct backplane *bp, int32_t inst)
{
	/* only an ACTIVE instance can be set to DRAINING (docs/ecs-model.md §2.3, D6) */
	if (cluster_status(bp->cl, inst) == INST_ACTIVE) {
		cluster_set_status(bp->cl, inst, INST_DRAINING);
		notify_cluster(bp);
		bp_instance_changed(bp, inst);
	}
}

int backplane_drain(struct backplane *bp, const char *instance_id, struct err *e)
{
	int32_t i = bp_find_instance(bp, instance_id);

	if (i < 0)
		return err_at(e, NULL, 0, 0, NULL, "unknown instance '%s'", instance_id);
	backplane_drain_inst(bp, i);
	return 0;
}

void backplane_activate(struct backplane *bp, int32_t inst)
{
	/* a drained instance can be set back to ACTIVE (docs/ecs-model.md §2.3) */
	if (cluster_status(bp->cl, inst) == INST_DRAINING) {
		cluster_set_status(bp->cl, inst, INST_ACTIVE);
		notify_cluster(bp);
		bp_instance_changed(bp, inst);
		bp_capacity_changed(bp);
	}
}

int backplane_find_service(const struct backplane *bp, const char *name)
{
	uint64_t k;

	return hmap_get(bp->svc_by_name, name, &k) ? (int)k - 1 : -1;
}

void backplane_set_desired(struct backplane *bp, int svc, int64_t desired)
{
	bp_notify(bp, &(struct bp_note){ .kind = BN_SERVICE_DESIRED, .svc = svc, .n = desired });
}

void backplane_protect_task(struct backplane *bp, uint32_t slot, sim_time_t until)
{
	bp_task_at(bp, slot)->cold = 1;
	bp_task_at(bp, slot)->protected_until = until;
	if (until > bp->protect_max)
		bp->protect_max = until;
}

sim_time_t backplane_service_deleted_at(const struct backplane *bp, int svc)
{
	return bp->deleted_at ? bp->deleted_at[svc] : -1;
}

sim_time_t backplane_protect_max(const struct backplane *bp)
{
	return bp->protect_max;
}

void backplane_deploy(struct backplane *bp, int svc, int td)
{
	bp_notify(bp, &(struct bp_note){ .kind = BN_SERVICE_DEPLOY, .svc = svc, .td = td });
}

void backplane_delete_service(struct backplane *bp, int svc)
{
	if (!bp->deleted_at) {
		int n = bp->s->n_services;

		bp->deleted_at = xmalloc((size_t)(n > 0 ? n : 1) * sizeof *bp->deleted_at);
		for (int k = 0; k < n; k++)
			bp->deleted_at[k] = -1;
	}
	if (bp->deleted_at[svc] < 0)
		bp->deleted_at[svc] = sim_now(bp->sim);
	bp_notify(bp, &(struct bp_note){ .kind = BN_SERVICE_DELETE, .svc = svc });
}

int32_t bp_find_instance(struct backplane *bp, const char *id)
{
	uint64_t i;

	/* the instances registered since the last look-up join the map; an
	 * id already there keeps its first instance (what a pass in
	 * registration order found) */
	for (; bp->n_inst_by_id < cluster_count(bp->cl); bp->n_inst_by_id++)
		if (!hmap_get(bp->inst_by_id, cluster_id(bp->cl, bp->n_inst_by_id), &i))
			hmap_put(bp->inst_by_id, cluster_id(bp->cl, bp->n_inst_by_id), (uint64_t)bp->n_inst_by_id);
	return hmap_get(bp->inst_by_id, id, &i) ? (int32_t)i : -1;
}

/* ---- event handlers ----------------------------------------------------- */

static void on_timeout(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = bp_task(bp, ev->arg);

	(void)s;
	/* the wait for capacity ended (docs/ecs-model.md §4.9): the task never started */
	if (t && t->queued)
		bp_stop_task(bp, ref_slot(ev->arg), STOP_FAILED_TO_START);
}

static void on_retry(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	size_t n = bp->q_len, w = 0, i;
	struct kind_set *failed = &bp->failed_kinds;
	/* a walk over the whole queue, dropping every dead entry, once it has
	 * doubled since the last (its memory stays within twice its live
	 * entries of then) */
	int full = n > 2 * (bp->q_compact > 32 ? bp->q_compact : 32);

	(void)ev;
	bp->retry_scheduled = 0;
	/* every release walks the queue (docs/ecs-model.md, "Simultaneous
	 * events"; R1's order), so an instant where several tasks stop walks
	 * it several times: the first walk of the instant logs each waiting
	 * task's failed attempt, the later ones place what now fits and log
	 * no failure again, a task's failures at one instant being one row
	 * (scenarios/README.md, "Retry policy"; choice E166) */
	bp->walk_quiet = sim_now(s) == bp->last_walk_t;
	bp->last_walk_t = sim_now(s);
	kinds_clear(failed);
	/* one pass over the entries in order, in place: those no longer
	 * waiting dropped, those placed taken out, the others kept in their
	 * order; an entry of a kind that failed earlier in this walk is
	 * skipped by its kind (a look-up in a hash set), its task not read (a
	 * long queue behind kinds that fit nowhere costs a pass over the
	 * entries, not a look at each task nor at each failed kind) */
	for (i = 0; i < n; i++) {
		struct qent e = bp->queue[i];

#ifdef ECSIM_CHECKS
		{
			const struct task *u = bp_task(bp, e.ref);

			if (q_live(bp, &e) != (u && u->queued && u->desired == TD_RUNNING))
				abort();
		}
#endif
		if (!q_live(bp, &e)) {
			tally_sub(&bp->queue_kinds, &e);
			continue;
		}
		if (!kinds_has(failed, &e)) {
			int quiet = bp->walk_quiet, rc;

			/* a task launched at this instant has its row from its
			 * launch's own attempt: a walk of the same instant adds
			 * none (one row per task and instant, E166) */
			if (bp->tasks[ref_slot(e.ref)].submit + bp->tm->placement_latency == sim_now(s))
				bp->walk_quiet = 1;
			rc = try_place(bp, ref_slot(e.ref), 0);
			bp->walk_quiet = quiet;
			if (rc == 0) {
				bp->queued--;
				tally_sub(&bp->queue_kinds, &e);
				continue;
			}
			kinds_add(failed, &e);
			if (failed->n == bp->queue_kinds.used && !full) {
				/* every kind in the queue failed: the entries
				 * after this one would all be skipped or dropped;
				 * they stay, in order (the dead ones until a walk
				 * over the whole queue) */
				bp->queue[w++] = e;
				memmove(bp->queue + w, bp->queue + i + 1, (n - i - 1) * sizeof *bp->queue);
				w += n - i - 1;
				break;
			}
		}
		bp->queue[w++] = e;
	}
	if (bp->q_len != n)
		abort();       /* (a placement pushes nothing on the queue) */
	if (i == n)
		bp->q_compact = w;
	bp->q_len = w;
	bp->walk_quiet = 0;
}

static void on_sample(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct metrics_sample ms;
	sim_time_t next = sim_now(s) + bp->s->metrics_interval;

	(void)ev;
	cluster_totals(bp->cl, &ms.cl);
	ms.tasks_running = bp->running;
	ms.tasks_pending = bp->queued + bp->starting;
	metrics_on_sample(bp->m, sim_now(s), &ms);
	bp_notify(bp, &(struct bp_note){ .kind = BN_SAMPLE, .at = sim_now(s) });
	if (next <= bp->s->duration)
		sim_at_last(s, next, bp->ev_sample, bp, 0);
}

/* ---- set-up and teardown ------------------------------------------------ */

/* The actors that watch the backplane, in the order they subscribe (the
 * order each notification reaches them). */
static void (*const actors[])(struct backplane *bp) = {
	agent_attach, svc_attach, daemon_hold_attach, fault_attach, scaler_attach, lb_attach, cas_attach, fargate_attach,
};

struct backplane *backplane_new(struct scenario *s, struct sim *sim, struct rng_reg *rng,
				struct metrics *m)
{
	struct backplane *bp = xcalloc(1, sizeof *bp);

	bp->s = s;
	bp->last_walk_t = -1;
	bp->tm = &s->timing;
	bp->sim = sim;
	bp->rng = rng;
	bp->m = m;
	bp->cl = cluster_new();
	bp->by_id = hmap_new();
	bp->inst_by_id = hmap_new();
	bp->svc_by_name = hmap_new();
	for (int i = 0; i < s->n_services; i++) {
		uint64_t k;

		if (!hmap_get(bp->svc_by_name, s->services[i].name, &k))
			hmap_put(bp->svc_by_name, s->services[i].name, (uint64_t)i + 1);
	}
	bp->place_rng = rng_stream(rng, "place/tie-break");
	workload_register(bp);
	bp->ev_retry = sim_on(sim, "pending-retry", on_retry, bp);
	bp->ev_timeout = sim_on(sim, "pending-timeout", on_timeout, bp);
	bp->ev_sample = sim_on(sim, "metrics-sample", on_sample, bp);
	bp->ev_launch = sim_on(sim, "launch", on_launch, bp);
	bp->ev_api_stop = sim_on(sim, "api-stop-task", on_api_stop, bp);
	bp->ev_provisioned = sim_on(sim, "provisioned", on_provisioned, bp);
	for (size_t i = 0; i < sizeof actors / sizeof actors[0]; i++)
		actors[i](bp);
	return bp;
}

int backplane_start(struct backplane *bp, struct err *e)
{
	struct scenario *s = bp->s;

	for (int i = 0; i < s->n_groups; i++)
		for (int k = 0; k < s->groups[i].count; k++)
			bp_register_instance(bp, s->groups[i].type, s->groups[i].az, &s->groups[i]);
	/* each Auto Scaling group provider's desired capacity at the start,
	 * spread over its zones in turn (docs/ecs-model.md choice E61) */
	for (int p = 0; s->capacity && p < s->capacity->n_providers; p++) {
		const struct cap_provider *cp = &s->capacity->providers[p];

		if (cp->kind != CAP_ASG)
			continue;
		for (int k = 0; k < cp->asg.desired; k++)
			bp_register_cp_instance(bp, p, s->azs[cp->asg.azs[k % cp->asg.n_azs]]);
	}
	bp_notify(bp, &(struct bp_note){ .kind = BN_START });
	if (workload_start(bp, e))
		return -1;
	bp_notify(bp, &(struct bp_note){ .kind = BN_GO });
	sim_at_last(bp->sim, 0, bp->ev_sample, bp, 0);
	return 0;
}

const struct err *backplane_error(const struct backplane *bp)
{
	return bp->failed ? &bp->err : NULL;
}

void backplane_finish(struct backplane *bp, sim_time_t end)
{
	bp_notify(bp, &(struct bp_note){ .kind = BN_FINISH, .at = end });
	if (bp->scaling) {
		struct err e;

		/* a write error here leaves scaling.csv missing; the run's
		 * other files are written by metrics_close */
		csvout_close(bp->scaling, &e);
		bp->scaling = NULL;
	}
	/* record what is still present, in slot order (deterministic) */
	for (size_t i = 0; i < bp->n_tasks; i++)
		if (bp->tasks[i].used)
			retire(bp, (uint32_t)i, 1);
	bp->running = bp->queued = bp->starting = 0;
}

struct scenario *backplane_scenario(struct backplane *bp)
{
	return bp->s;
}

struct sim *backplane_sim(struct backplane *bp)
{
	return bp->sim;
}

struct metrics *backplane_metrics(struct backplane *bp)
{
	return bp->m;
}

struct rng_reg *backplane_rng(struct backplane *bp)
{
	return bp->rng;
}

gsl_rng *backplane_place_rng(struct backplane *bp)
{
	return bp->place_rng;
}

struct task *bp_task_at(struct backplane *bp, uint32_t slot)
{
	return &bp->tasks[slot];
}

void bp_set_actor_state(struct backplane *bp, enum bp_actor a, void *state)
{
	bp->actor_state[a] = state;
}

void *bp_actor_state(const struct backplane *bp, enum bp_actor a)
{
	return bp->actor_state[a];
}

struct cluster *backplane_cluster(struct backplane *bp)
{
	return bp->cl;
}

void backplane_free(struct backplane *bp)
{
	if (!bp)
		return;
	for (size_t i = 0; i < bp->n_tasks; i++)
		if (bp->tasks[i].used)
			free(bp->tasks[i].id);
	free(bp->tasks_mem);
	free(bp->free_slots);
	free(bp->queue);
	free(bp->q_gen);
	free(bp->failed_kinds.e);
	free(bp->queue_kinds.e);
	free(bp->inst_group);
	free(bp->deleted_at);
	for (size_t k = 0; k < bp->n_cp_pins; k++) {
		place_policy_free(bp->cp_pins[k].pinned);
		free(bp->cp_pins[k].pinned);
	}
	free(bp->cp_pins);
	free(bp->ib);
	free(bp->snap.start);
	free(bp->snap.slots);
	inum_free(&bp->snap.num);
	free(bp->snap.on_of);
	free(bp->inst_cp);
	hmap_free(bp->by_id);
	hmap_free(bp->inst_by_id);
	hmap_free(bp->svc_by_name);
	for (size_t i = 0; i < bp->n_stop_ids; i++)
		free(bp->stop_ids[i]);
	free(bp->stop_ids);
	free(bp->stop_free);
	workload_free(bp);
	if (bp->scaling)
		csvout_abort(bp->scaling);
	bp_notify(bp, &(struct bp_note){ .kind = BN_FREE });
	cluster_free(bp->cl);
	free(bp);
}
