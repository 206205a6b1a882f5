/* models/backplane.c — cluster state, RunTask / StopTask /
 * RegisterContainerInstance, and the queue of tasks waiting for capacity
 * (ecs-semantics §3, §4; ecs-choices A3, A13, D9).
 *
 * Task lifecycle in this build: a submitted task is placed at once when an
 * instance fits (PENDING → RUNNING at the same instant: the agent and its
 * latencies are not modelled yet), otherwise it waits PENDING in a FIFO
 * queue.  The queue is retried in one pass whenever capacity may have
 * appeared (a task released, an instance registered); within a pass, once a
 * (task definition, group) pair failed, later tasks of the same pair are not
 * tried again (the cluster did not change, so they would fail the same way).
 * A task whose essential container has run its duration stops with
 * EssentialContainerExited; StopTask gives UserInitiated (§3.3).
 *
 * Tasks live in a slot table; events carry (slot, generation), so a task
 * stopped early leaves a stale event that is ignored (lazy cancellation).
 * Invariant: a slot is FREE, PENDING (queued, no instance) or RUNNING
 * (reserved on exactly one instance).
 */
#include "backplane.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "models/placement/placement.h"
#include "models/trace.h"
#include "sim/hmap.h"
#include "sim/mem.h"

/* registeredAt of instances: simulated time 0 is this instant (2026-01-01T00:00:00Z) */
#define EPOCH_BASE_MS INT64_C(1767225600000)

enum tstate { T_FREE, T_PENDING, T_RUNNING };

struct task {
	uint32_t gen;
	uint8_t state;
	char *id;
	int td;
	uint32_t group;
	int32_t inst;
	sim_time_t submit, placed, duration;
};

struct trace_src {
	struct backplane *bp;
	struct trace *t;
	char *dir;
	struct trace_row row;     /* the row scheduled next */
};

struct gen_src {
	struct backplane *bp;
	const struct scn_generator *g;
	gsl_rng *arrivals, *mix, *runtime;
	gsl_ran_discrete_t *table;
	int64_t made;
};

struct backplane {
	struct scenario *s;
	struct sim *sim;
	struct rng_reg *rng;
	struct metrics *m;
	struct cluster *cl;
	gsl_rng *place_rng;

	struct task *tasks;
	size_t n_tasks, cap_tasks;
	uint32_t *free_slots;
	size_t n_free, cap_free;
	struct hmap *by_id;
	uint64_t next_task_no;
	int64_t running, pending;

	uint64_t *queue;          /* ring of slot<<32|gen, FIFO */
	size_t q_head, q_len, q_cap;
	int retry_scheduled;

	struct trace_src *traces;
	int n_traces;
	struct gen_src *gens;
	int n_gens;

	uint32_t ev_trace, ev_arrival, ev_end, ev_retry, ev_timeout, ev_sample;
	struct err err;
	int failed;
};

static uint64_t ref(const struct backplane *bp, uint32_t slot)
{
	return (uint64_t)slot << 32 | bp->tasks[slot].gen;
}

static struct task *deref(struct backplane *bp, uint64_t r)
{
	uint32_t slot = (uint32_t)(r >> 32);

	if (slot >= bp->n_tasks || bp->tasks[slot].gen != (uint32_t)r)
		return NULL;
	return &bp->tasks[slot];
}

static void fail(struct backplane *bp, const struct err *e)
{
	if (!bp->failed) {
		bp->err = *e;
		bp->failed = 1;
	}
	sim_stop(bp->sim);
}

static void notify_cluster(struct backplane *bp)
{
	struct cluster_totals t;

	cluster_totals(bp->cl, &t);
	metrics_on_cluster(bp->m, sim_now(bp->sim), &t);
}

/* ---- the pending queue -------------------------------------------------- */

static void q_push(struct backplane *bp, uint64_t r)
{
	if (bp->q_len == bp->q_cap) {
		size_t cap = bp->q_cap ? bp->q_cap * 2 : 64;
		uint64_t *q = xmalloc(cap * sizeof *q);

		for (size_t i = 0; i < bp->q_len; i++)
			q[i] = bp->queue[(bp->q_head + i) % bp->q_cap];
		free(bp->queue);
		bp->queue = q;
		bp->q_cap = cap;
		bp->q_head = 0;
	}
	bp->queue[(bp->q_head + bp->q_len++) % bp->q_cap] = r;
}

static uint64_t q_pop(struct backplane *bp)
{
	uint64_t r = bp->queue[bp->q_head];

	bp->q_head = (bp->q_head + 1) % bp->q_cap;
	bp->q_len--;
	return r;
}

static void want_retry(struct backplane *bp)
{
	if (bp->pending > 0 && !bp->retry_scheduled) {
		bp->retry_scheduled = 1;
		sim_after(bp->sim, 0, bp->ev_retry, bp, 0);
	}
}

/* ---- tasks -------------------------------------------------------------- */

static const char *td_label(const struct backplane *bp, int td, char *buf, size_t n)
{
	const struct taskdef *d = bp->s->taskdefs[td].td;

	if (d->revision > 0)
		snprintf(buf, n, "%s:%d", d->family, d->revision);
	else
		snprintf(buf, n, "%s", d->family);
	return buf;
}

static uint32_t new_slot(struct backplane *bp)
{
	if (bp->n_free)
		return bp->free_slots[--bp->n_free];
	XGROW(bp->tasks, bp->cap_tasks, bp->n_tasks + 1);
	memset(&bp->tasks[bp->n_tasks], 0, sizeof bp->tasks[0]);
	return (uint32_t)bp->n_tasks++;
}

/* Write the task's row and free its slot. */
static void retire(struct backplane *bp, uint32_t slot, sim_time_t stop, const char *code)
{
	struct task *t = &bp->tasks[slot];
	char label[300];
	struct task_record r = {
		.task_id = t->id,
		.taskdef = td_label(bp, t->td, label, sizeof label),
		.group = cluster_group_name(bp->cl, t->group),
		.service = "",
		.submit = t->submit,
		.placed = t->placed,
		.start = t->placed,
		.stop = stop,
		.instance_id = t->inst >= 0 ? cluster_id(bp->cl, t->inst) : NULL,
		.az = t->inst >= 0 ? cluster_az(bp->cl, t->inst) : NULL,
		.cpu_units = bp->s->taskdefs[t->td].req.cpu_units,
		.mem_mib = bp->s->taskdefs[t->td].req.mem_mib,
		.stop_code = code,
	};

	metrics_on_task_done(bp->m, &r);
	hmap_del(bp->by_id, t->id);
	free(t->id);
	t->id = NULL;
	t->state = T_FREE;
	t->gen++;
	XGROW(bp->free_slots, bp->cap_free, bp->n_free + 1);
	bp->free_slots[bp->n_free++] = slot;
}

/* One placement attempt; on success the task runs from now. */
static int try_place(struct backplane *bp, uint32_t slot)
{
	struct task *t = &bp->tasks[slot];
	const struct scn_taskdef *d = &bp->s->taskdefs[t->td];
	struct place_result res;
	sim_time_t now = sim_now(bp->sim);

	if (place_task(bp->cl, &d->req, t->group, &d->policy, bp->place_rng, &res) != 0) {
		char label[300];

		metrics_on_failure(bp->m, now, t->id, td_label(bp, t->td, label, sizeof label),
				   cluster_group_name(bp->cl, t->group), "", res.reason,
				   res.considered);
		return -1;
	}
	cluster_reserve(bp->cl, res.instance, &d->req, t->group);
	t->inst = res.instance;
	t->placed = now;
	t->state = T_RUNNING;
	bp->running++;
	metrics_on_placed(bp->m, now, t->submit);
	notify_cluster(bp);
	if (t->duration >= 0)
		sim_after(bp->sim, t->duration, bp->ev_end, bp, ref(bp, slot));
	return 0;
}

static int submit(struct backplane *bp, int td, const char *group, const char *id,
		  sim_time_t duration, struct err *e)
{
	uint32_t slot;
	struct task *t;
	char auto_id[40], gbuf[300];
	uint64_t dummy;

	if (!id) {
		snprintf(auto_id, sizeof auto_id, "task-%" PRIu64, ++bp->next_task_no);
		id = auto_id;
	}
	if (hmap_get(bp->by_id, id, &dummy))
		return err_at(e, NULL, 0, 0, NULL, "task id '%s' is already in use by a live task", id);
	if (!group || !*group) {
		snprintf(gbuf, sizeof gbuf, "family:%s", bp->s->taskdefs[td].td->family);
		group = gbuf;
	}
	slot = new_slot(bp);
	t = &bp->tasks[slot];
	t->state = T_PENDING;
	t->id = xstrdup(id);
	t->td = td;
	t->group = cluster_group(bp->cl, group);
	t->inst = -1;
	t->submit = sim_now(bp->sim);
	t->placed = -1;
	t->duration = duration;
	hmap_put(bp->by_id, id, slot);
	metrics_on_submit(bp->m, t->submit);
	if (try_place(bp, slot) != 0) {
		bp->pending++;
		q_push(bp, ref(bp, slot));
		if (bp->s->pending_timeout > 0)
			sim_after(bp->sim, bp->s->pending_timeout, bp->ev_timeout, bp, ref(bp, slot));
	}
	return 0;
}

/* RunTask: `count` tasks placed one after the other, resources and group
 * counts updated in between (ecs-choices A13: a count above 10 is the same
 * decisions as several calls of at most 10). */
static int run_task(struct backplane *bp, int td, const char *group, const char *id,
		    int64_t count, sim_time_t duration, struct err *e)
{
	for (int64_t k = 1; k <= count; k++) {
		char buf[300];

		if (id && *id && count > 1)
			snprintf(buf, sizeof buf, "%s-%" PRId64, id, k);
		if (submit(bp, td, group, id && *id ? (count > 1 ? buf : id) : NULL, duration, e))
			return -1;
	}
	return 0;
}

/* StopTask (ecs-choices D9: unknown or already stopped tasks: no effect). */
static void stop_task(struct backplane *bp, uint32_t slot, const char *code)
{
	struct task *t = &bp->tasks[slot];

	if (t->state == T_RUNNING) {
		cluster_release(bp->cl, t->inst, &bp->s->taskdefs[t->td].req, t->group);
		bp->running--;
		retire(bp, slot, sim_now(bp->sim), code);
		notify_cluster(bp);
		want_retry(bp);
	} else if (t->state == T_PENDING) {
		bp->pending--;
		retire(bp, slot, sim_now(bp->sim), code);
	}
}

static void register_instance(struct backplane *bp, const struct catalog_type *type,
			      const char *az, const struct scn_group *g)
{
	struct instance_spec spec;
	struct inst_attr scratch[64];
	char id[32];

	scenario_instance_spec(bp->s, type, az, g ? g->attrs : NULL, g ? g->n_attrs : 0,
			       g ? &g->settings : NULL, &spec, scratch);
	snprintf(id, sizeof id, "ci-%05d", cluster_count(bp->cl) + 1);
	spec.id = id;
	spec.registered_at_ms = EPOCH_BASE_MS + sim_now(bp->sim);
	cluster_add(bp->cl, &spec);
	notify_cluster(bp);
	want_retry(bp);
}

/* ---- event handlers ----------------------------------------------------- */

static void on_end(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = deref(bp, ev->arg);

	(void)s;
	if (t && t->state == T_RUNNING)
		stop_task(bp, (uint32_t)(ev->arg >> 32), "EssentialContainerExited");
}

static void on_timeout(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct task *t = deref(bp, ev->arg);

	(void)s;
	/* the wait for capacity ended (ecs-semantics §4.9: PROVISIONING tasks
	 * stop after a timeout); the task never started */
	if (t && t->state == T_PENDING)
		stop_task(bp, (uint32_t)(ev->arg >> 32), "TaskFailedToStart");
}

struct kind {
	int td;
	uint32_t group;
};

static void on_retry(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	size_t n = bp->q_len;
	struct kind *failed = NULL;
	size_t n_failed = 0, cap_failed = 0;

	(void)s;
	(void)ev;
	bp->retry_scheduled = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t r = q_pop(bp);
		struct task *t = deref(bp, r);
		int skip = 0;

		if (!t || t->state != T_PENDING)
			continue;
		for (size_t k = 0; k < n_failed && !skip; k++)
			skip = failed[k].td == t->td && failed[k].group == t->group;
		if (!skip && try_place(bp, (uint32_t)(r >> 32)) == 0) {
			bp->pending--;
			continue;
		}
		if (!skip) {
			XGROW(failed, cap_failed, n_failed + 1);
			failed[n_failed++] = (struct kind){ t->td, t->group };
		}
		q_push(bp, r);
	}
	free(failed);
}

static void on_sample(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct metrics_sample ms;
	sim_time_t next = sim_now(s) + bp->s->metrics_interval;

	(void)ev;
	cluster_totals(bp->cl, &ms.cl);
	ms.tasks_running = bp->running;
	ms.tasks_pending = bp->pending;
	metrics_on_sample(bp->m, sim_now(s), &ms);
	if (next <= bp->s->duration)
		sim_at(s, next, bp->ev_sample, bp, 0);
}

static int trace_row(struct backplane *bp, struct trace_src *src, struct err *e)
{
	const struct trace_row *r = &src->row;
	int td;

	switch (r->ev) {
	case TR_RUN_TASK:
		td = scenario_taskdef(bp->s, r->taskdef, src->dir, e);
		if (td < 0)
			break;
		return run_task(bp, td, r->group, r->target, r->count, r->duration, e);
	case TR_STOP_TASK: {
		uint64_t slot;

		if (hmap_get(bp->by_id, r->target, &slot))
			stop_task(bp, (uint32_t)slot, "UserInitiated");
		return 0;
	}
	case TR_REGISTER_INSTANCE: {
		const struct catalog_type *type = catalog_find(bp->s->catalog, r->target);

		if (!type) {
			char *names = catalog_names(bp->s->catalog);

			err_at(e, NULL, 0, 0, NULL, "unknown instance type '%s'; known: %s",
			       r->target, names);
			free(names);
			break;
		}
		if (!scenario_has_az(bp->s, r->group)) {
			err_at(e, NULL, 0, 0, NULL,
			       "'%s' is not one of the scenario's availabilityZones", r->group);
			break;
		}
		for (int64_t k = 0; k < r->count; k++)
			register_instance(bp, type, r->group, NULL);
		return 0;
	}
	default:
		err_at(e, NULL, 0, 0, NULL, "event '%s' is not supported yet",
		       trace_event_name(r->ev));
		break;
	}
	/* put the trace's place on an error raised by the scenario or catalog */
	snprintf(e->file, sizeof e->file, "%s", trace_path(src->t));
	e->line = r->line;
	e->col = 0;
	return -1;
}

static int next_row(struct backplane *bp, struct trace_src *src, struct err *e)
{
	int rc = trace_next(src->t, &src->row, e);

	if (rc < 0)
		return -1;
	if (rc > 0 && src->row.t <= bp->s->duration)
		sim_at(bp->sim, src->row.t, bp->ev_trace, src, 0);
	return 0;
}

static void on_trace(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct trace_src *src = ev->target;
	struct err e;

	(void)s;
	err_clear(&e);
	if (trace_row(bp, src, &e) || next_row(bp, src, &e))
		fail(bp, &e);
}

static void on_arrival(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct gen_src *gs = ev->target;
	const struct scn_generator *g = gs->g;
	int td = g->mix[gsl_ran_discrete(gs->mix, gs->table)].taskdef;
	sim_time_t dur = -1, gap;
	struct err e;

	err_clear(&e);
	if (g->has_runtime) {
		double x = dist_sample(&g->runtime, gs->runtime);

		dur = x > 0 ? (sim_time_t)(x * 1000.0 + 0.5) : 0;
	}
	if (run_task(bp, td, g->group, NULL, g->count, dur, &e)) {
		fail(bp, &e);
		return;
	}
	gs->made += g->count;
	gap = (sim_time_t)(dist_sample(&g->interarrival, gs->arrivals) * 1000.0 + 0.5);
	if (gap < 0)
		gap = 0;
	if ((g->max_tasks == 0 || gs->made < g->max_tasks) && sim_now(s) + gap < g->stop &&
	    sim_now(s) + gap <= bp->s->duration)
		sim_after(s, gap, bp->ev_arrival, gs, 0);
}

/* ---- set-up and teardown ------------------------------------------------ */

struct backplane *backplane_new(struct scenario *s, struct sim *sim, struct rng_reg *rng,
				struct metrics *m)
{
	struct backplane *bp = xcalloc(1, sizeof *bp);

	bp->s = s;
	bp->sim = sim;
	bp->rng = rng;
	bp->m = m;
	bp->cl = cluster_new();
	bp->by_id = hmap_new();
	bp->place_rng = rng_stream(rng, "place/tie-break");
	bp->ev_trace = sim_on(sim, "trace-row", on_trace, bp);
	bp->ev_arrival = sim_on(sim, "generator-arrival", on_arrival, bp);
	bp->ev_end = sim_on(sim, "task-end", on_end, bp);
	bp->ev_retry = sim_on(sim, "pending-retry", on_retry, bp);
	bp->ev_timeout = sim_on(sim, "pending-timeout", on_timeout, bp);
	bp->ev_sample = sim_on(sim, "metrics-sample", on_sample, bp);
	return bp;
}

int backplane_start(struct backplane *bp, struct err *e)
{
	struct scenario *s = bp->s;

	for (int i = 0; i < s->n_groups; i++)
		for (int k = 0; k < s->groups[i].count; k++)
			register_instance(bp, s->groups[i].type, s->groups[i].az, &s->groups[i]);
	bp->traces = xcalloc((size_t)s->n_traces + 1, sizeof *bp->traces);
	for (int i = 0; i < s->n_traces; i++) {
		struct trace_src *src = &bp->traces[i];
		const char *slash = strrchr(s->traces[i], '/');

		src->bp = bp;
		src->dir = slash ? xstrndup(s->traces[i], (size_t)(slash - s->traces[i]))
				 : xstrdup(".");
		src->t = trace_open(s->traces[i],
				    1u << TR_RUN_TASK | 1u << TR_STOP_TASK | 1u << TR_REGISTER_INSTANCE,
				    e);
		bp->n_traces++;
		if (!src->t || next_row(bp, src, e))
			return -1;
	}
	bp->gens = xcalloc((size_t)s->n_gens + 1, sizeof *bp->gens);
	for (int i = 0; i < s->n_gens; i++) {
		struct gen_src *gs = &bp->gens[i];
		const struct scn_generator *g = &s->gens[i];
		double *w = xmalloc((size_t)g->n_mix * sizeof *w);
		char name[300];

		for (int k = 0; k < g->n_mix; k++)
			w[k] = g->mix[k].weight;
		gs->bp = bp;
		gs->g = g;
		gs->table = gsl_ran_discrete_preproc((size_t)g->n_mix, w);
		free(w);
		snprintf(name, sizeof name, "workload/gen/%s/arrivals", g->name);
		gs->arrivals = rng_stream(bp->rng, name);
		snprintf(name, sizeof name, "workload/gen/%s/mix", g->name);
		gs->mix = rng_stream(bp->rng, name);
		snprintf(name, sizeof name, "workload/gen/%s/runtime", g->name);
		gs->runtime = rng_stream(bp->rng, name);
		bp->n_gens++;
		if (!gs->table)
			return err_at(e, s->file, 0, 0, NULL,
				      "generator '%s': task definition weights must not all be 0", g->name);
		if (g->start <= s->duration && g->start < g->stop)
			sim_at(bp->sim, g->start, bp->ev_arrival, gs, 0);
	}
	sim_at(bp->sim, 0, bp->ev_sample, bp, 0);
	return 0;
}

const struct err *backplane_error(const struct backplane *bp)
{
	return bp->failed ? &bp->err : NULL;
}

int64_t backplane_finish(struct backplane *bp, sim_time_t end)
{
	int64_t never = bp->pending;

	(void)end;
	/* record what is still present, in slot order (deterministic) */
	for (size_t i = 0; i < bp->n_tasks; i++)
		if (bp->tasks[i].state != T_FREE)
			retire(bp, (uint32_t)i, -1, NULL);
	bp->running = bp->pending = 0;
	return never;
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
		free(bp->tasks[i].id);
	free(bp->tasks);
	free(bp->free_slots);
	free(bp->queue);
	hmap_free(bp->by_id);
	for (int i = 0; i < bp->n_traces; i++) {
		trace_close(bp->traces[i].t);
		free(bp->traces[i].dir);
	}
	free(bp->traces);
	for (int i = 0; i < bp->n_gens; i++)
		if (bp->gens[i].table)
			gsl_ran_discrete_free(bp->gens[i].table);
	free(bp->gens);
	cluster_free(bp->cl);
	free(bp);
}
