/* tests/helpers/invariants.c — see invariants.h. */
#include "invariants.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runscn.h"
#include "models/agent_int.h"
#include "models/backplane_int.h"
#include "models/faults_int.h"
#include "models/service_int.h"
#include "models/run.h"
#include "models/scenario.h"
#include "sim/csvin.h"

/* The task's id as written: its own or "task-<no>" (one message at a time). */
static const char *tname(const struct task *t)
{
	static char buf[32];

	if (t->id)
		return t->id;
	snprintf(buf, sizeof buf, "task-%llu", (unsigned long long)t->no);
	return buf;
}

void inv_init(struct inv *c)
{
	memset(c, 0, sizeof *c);
}

void inv_free(struct inv *c)
{
	free(c->checked);
	free(c->prev_seen);
	free(c->silent);
	c->checked = NULL;
	c->prev_seen = NULL;
	c->silent = NULL;
	c->n_checked = c->n_silent = 0;
}

static void bad(struct inv *c, const char *fmt, ...)
{
	va_list ap;

	if (c->violations < 4) {
		va_start(ap, fmt);
		vsnprintf(c->msg[c->violations], sizeof c->msg[0], fmt, ap);
		va_end(ap);
	}
	c->violations++;
}

void inv_report(const struct inv *c, const char *what)
{
	for (long i = 0; i < c->violations && i < 4; i++)
		fprintf(stderr, "invariant (%s): %s\n", what, c->msg[i]);
	if (c->violations > 4)
		fprintf(stderr, "invariant (%s): ... %ld violations in all\n", what, c->violations);
}

/* ---- during the run ------------------------------------------------------ */

void inv_observe(struct backplane *bp, void *ctx)
{
	struct inv *c = ctx;
	int32_t n_inst = cluster_count(bp->cl);
	int64_t *cpu = calloc((size_t)n_inst + 1, sizeof *cpu);
	int64_t *mem = calloc((size_t)n_inst + 1, sizeof *mem);
	int64_t *running = calloc((size_t)svc_sched(bp)->n_svcs + 1, sizeof *running);
	double now = (double)sim_now(bp->sim) / 1000.0;
	int64_t seen_running = 0, seen_starting = 0;

	c->events++;
	if (bp->n_tasks > c->n_checked) {
		c->checked = realloc(c->checked, bp->n_tasks * sizeof *c->checked);
		c->prev_seen = realloc(c->prev_seen, bp->n_tasks * sizeof *c->prev_seen);
		memset(c->checked + c->n_checked, 0, (bp->n_tasks - c->n_checked) * sizeof *c->checked);
		c->n_checked = bp->n_tasks;
	}
	if ((size_t)n_inst > c->n_silent) {
		c->silent = realloc(c->silent, (size_t)n_inst * sizeof *c->silent);
		memset(c->silent + c->n_silent, 0, ((size_t)n_inst - c->n_silent) * sizeof *c->silent);
		c->n_silent = (size_t)n_inst;
	}
	/* the records' bookkeeping (task.h): every slot, live or free, whose
	 * `cold` is 0 holds a new task's lines 2-3, what a plain task takes
	 * without writing them; a record starts a cache line */
	if ((uintptr_t)bp->tasks % 64 != 0)
		bad(c, "t=%.3f: the task table is not aligned to a cache line", now);
	for (size_t k = 0; k < bp->n_tasks; k++)
		if (!bp->tasks[k].cold && !task_cold_fresh(&bp->tasks[k]))
			bad(c, "t=%.3f: slot %zu (%s, %s) has lines 2-3 of its own but is not marked cold", now, k,
			    bp->tasks[k].used ? "live" : "free", tname(&bp->tasks[k]));
	for (size_t k = 0; k < bp->n_tasks; k++) {
		const struct task *t = &bp->tasks[k];
		const struct agent *a;
		const struct fault_inst *f;
		int fresh;

		if (!t->used || t->queued || (t->inst < 0 && !t->fg))
			continue;
		/* a task's copy of its agent's class (task.h quick), which the
		 * steps' common paths read instead of the agent's summary: while
		 * not 0, a standalone task on an instance with nothing held back,
		 * and its agent's summary says the same class */
		if (t->quick && (t->inst < 0 || t->svc >= 0 || t->unsynced ||
				 (agents_of(bp)->quick[t->inst] & 0xff) != t->quick))
			bad(c, "t=%.3f: %s keeps its agent's class as %u, its agent's summary is %#x", now,
			    tname(t), (unsigned)t->quick,
			    t->inst >= 0 ? (unsigned)agents_of(bp)->quick[t->inst] : 0u);
		if (t->inst < 0) {
			/* a Fargate task (docs/ecs-model.md §4.11): no instance, no
			 * agent to be disconnected, so the view is the state */
			if (t->seen != t->state)
				bad(c, "t=%.3f: %s (Fargate) seen %s but is %s", now, tname(t),
				    task_state_name(t->seen), task_state_name(t->state));
			if (t->fg_az < 0)
				bad(c, "t=%.3f: %s (Fargate) placed without a zone", now, tname(t));
			goto common;
		}
		a = agent_at(bp, t->inst);
		f = fault_inst_at(bp, t->inst);
		/* §2.3, §4.2, §7.4: placed only on an ACTIVE instance whose agent
		 * the backplane sees connected, never on a failure it detected */
		fresh = c->checked[k] != t->gen + 1;
		if (fresh) {
			c->checked[k] = t->gen + 1;
			if (t->ts[TS_PROVISIONING] == sim_now(bp->sim) &&
			    (cluster_status(bp->cl, t->inst) != INST_ACTIVE ||
			     !cluster_agent_connected(bp->cl, t->inst) || (f->dead && f->cleaned)))
				bad(c, "t=%.3f: %s placed on %s (status %d, agent connected %d, failed %d)",
				    now, tname(t), cluster_id(bp->cl, t->inst), (int)cluster_status(bp->cl, t->inst),
				    cluster_agent_connected(bp->cl, t->inst), f->dead && f->cleaned);
		}
		cpu[t->inst] += bp->s->taskdefs[t->td].req.cpu_units;
		mem[t->inst] += bp->s->taskdefs[t->td].req.mem_mib;
		/* §8.3: once the failure is detected nothing stays on the instance */
		if (f->dead && f->cleaned)
			bad(c, "t=%.3f: %s still on failed instance %s after detection", now, tname(t),
			    cluster_id(bp->cl, t->inst));
		/* §7.4: while the agent stays silent (the same disconnection, the
		 * instance not failed), the backplane's view of its tasks stays */
		if (!fresh && !a->up && !a->down &&
		    c->silent[t->inst] == a->epoch + 1 && t->seen != c->prev_seen[k])
			bad(c, "t=%.3f: %s on disconnected %s: the backplane's view moved %s -> %s",
			    now, tname(t), cluster_id(bp->cl, t->inst), task_state_name(c->prev_seen[k]),
			    task_state_name(t->seen));
		/* §7.4: the backplane's view lags only behind a disconnected agent */
		if ((a->up || a->down) && !t->unsynced && t->seen != t->state)
			bad(c, "t=%.3f: %s seen %s but is %s with its agent connected", now, tname(t),
			    task_state_name(t->seen), task_state_name(t->state));
common:
		/* §3.1, §3.3: a task the backplane sees STOPPED is desired STOPPED */
		if (t->seen == TS_STOPPED && t->desired != TD_STOPPED)
			bad(c, "t=%.3f: %s STOPPED with desired status RUNNING", now, tname(t));
		if (t->svc >= 0 && t->seen == TS_RUNNING)
			running[t->svc]++;
		seen_running += t->seen == TS_RUNNING;
		seen_starting += t->seen < TS_RUNNING;
		/* §5.2: healthy is said of a task the backplane sees RUNNING */
		if (t->svc >= 0 && t->healthy && t->seen != TS_RUNNING)
			bad(c, "t=%.3f: %s counted healthy while seen %s", now, tname(t),
			    task_state_name(t->seen));
		c->prev_seen[k] = t->seen;
	}
	/* §3.1: the counts timeseries.csv samples (tasks_running; tasks_pending
	 * with the queued ones) are those of the tasks as the backplane sees
	 * them: RUNNING, and placed but not yet RUNNING */
	if (bp->running != seen_running || bp->starting != seen_starting)
		bad(c, "t=%.3f: the backplane counts %lld running and %lld starting, its tasks are "
		    "%lld and %lld", now, (long long)bp->running, (long long)bp->starting,
		    (long long)seen_running, (long long)seen_starting);
	for (int32_t i = 0; i < n_inst; i++) {
		const struct agent *a = agent_at(bp, i);
		uint32_t lo = 0;

		/* the image cache's summary is its list's (agent_int.h) */
		for (int j = 0; j < a->n_cached; j++)
			if ((unsigned)a->cached[j] < 32)
				lo |= UINT32_C(1) << a->cached[j];
		if (lo != a->cached_lo)
			bad(c, "t=%.3f: the agent of %s sums its image cache up as %#x, its list is %#x", now,
			    cluster_id(bp->cl, i), (unsigned)a->cached_lo, (unsigned)lo);

		/* the agents' summary for the steps' common paths (agent_int.h):
		 * the settings' class while connected, the cache's first bits */
		if (agents_of(bp)->quick[i] != (uint16_t)((a->cached_lo & 0xffu) << 8 | (a->up ? a->quick_cls : 0u)) ||
		    (a->quick_cls && (agents_of(bp)->every_step || a->tm->network_delay <= 0 ||
				      agents_of(bp)->tms[a->quick_cls - 1] != a->tm)) ||
		    agents_of(bp)->quick[-1] != 0)
			bad(c, "t=%.3f: the agent of %s is summed up as %#x (class %d), its record says otherwise",
			    now, cluster_id(bp->cl, i), (unsigned)agents_of(bp)->quick[i], a->quick_cls);
		c->silent[i] = !a->up && !a->down ? a->epoch + 1 : 0;
		/* an agent talks only from a live instance: the agent's steps
		 * take a connected agent's tasks as alive (agent.c) */
		if (a->up && a->down)
			bad(c, "t=%.3f: the agent of %s is connected on a failed instance", now,
			    cluster_id(bp->cl, i));
		/* §1.6, §4.2: no over-commit at any instant */
		if (cpu[i] > cluster_cpu_registered(bp->cl, i) || mem[i] > cluster_mem_registered(bp->cl, i) ||
		    cluster_cpu_remaining(bp->cl, i) < 0 || cluster_mem_remaining(bp->cl, i) < 0)
			bad(c, "t=%.3f: %s over-committed: cpu %lld of %lld, memory %lld of %lld", now,
			    cluster_id(bp->cl, i), (long long)cpu[i],
			    (long long)cluster_cpu_registered(bp->cl, i), (long long)mem[i],
			    (long long)cluster_mem_registered(bp->cl, i));
	}
	{
		int wanting = 0;

		for (int v = 0; v < svc_sched(bp)->n_svcs; v++)
			wanting += svc_sched(bp)->svcs[v].wants_capacity != 0;
		if (wanting != svc_sched(bp)->n_wanting)
			bad(c, "t=%.3f: %d services wait for capacity, the scheduler counts %d", now, wanting,
			    svc_sched(bp)->n_wanting);
	}
	for (int v = 0; v < svc_sched(bp)->n_svcs; v++) {
		if (svc_sched(bp)->svcs[v].active && (svc_sched(bp)->svcs[v].healthy > svc_sched(bp)->svcs[v].running || svc_sched(bp)->svcs[v].healthy < 0))
			bad(c, "t=%.3f: service %s counts %lld healthy of %lld running", now,
			    bp->s->services[v].name, (long long)svc_sched(bp)->svcs[v].healthy,
			    (long long)svc_sched(bp)->svcs[v].running);
		if (svc_sched(bp)->svcs[v].active && svc_sched(bp)->svcs[v].running != running[v])
			bad(c, "t=%.3f: service %s counts %lld running, the backplane sees %lld", now,
			    bp->s->services[v].name, (long long)svc_sched(bp)->svcs[v].running, (long long)running[v]);
		{
			/* its counts of live listed tasks, healthy and
			 * unhealthy ones (its passes read them) */
			const struct svc *sv = &svc_sched(bp)->svcs[v];
			int64_t live = 0, lh = 0, lu = 0, drained = 0;

			for (int k = 0; k < sv->n_tasks; k++) {
				const struct task *t = bp_task_at(bp, sv->tasks[k]);

				/* choice E237: a task stopped on a DRAINING
				 * instance holds its room until it has stopped */
				drained += t->svc_drained;
				if (t->svc_drained && svc_live(t))
					bad(c, "t=%.3f: a live task of service %s is marked stopped on a DRAINING instance",
					    now, bp->s->services[v].name);
				if (svc_live(t)) {
					live++;
					lh += t->healthy;
					lu += t->unhealthy;
					if (t->healthy && t->unhealthy)
						bad(c, "t=%.3f: a task of service %s is healthy and unhealthy", now,
						    bp->s->services[v].name);
				}
			}
			if (sv->n_live != live || sv->live_healthy != lh || sv->live_unhealthy != lu)
				bad(c, "t=%.3f: service %s counts %lld live tasks (%lld healthy, %lld unhealthy), "
				    "its list holds %lld (%lld, %lld)", now, bp->s->services[v].name,
				    (long long)sv->n_live, (long long)sv->live_healthy, (long long)sv->live_unhealthy,
				    (long long)live, (long long)lh, (long long)lu);
			if (sv->drain_stopping != drained)
				bad(c, "t=%.3f: service %s counts %lld tasks stopping off a DRAINING instance, its list "
				    "holds %lld", now, bp->s->services[v].name, (long long)sv->drain_stopping,
				    (long long)drained);
		}
	}
	free(cpu);
	free(mem);
	free(running);
}

int inv_run_file(const char *path, const char *tag,
		 void (*observe)(struct backplane *bp, void *ctx), void *ctx)
{
	char out[400];
	struct err e;
	struct scenario *s;
	struct run_opts o;
	struct run_counts rn;
	int rc;

	snprintf(out, sizeof out, "%s/out-%s", rs_dir(), tag);
	err_clear(&e);
	s = scenario_load(path, &e);
	if (!s) {
		err_print(&e, stderr);
		return -1;
	}
	o = (struct run_opts){ .out_dir = out, .task_log = 1, .observe = observe, .observe_ctx = ctx };
	rc = run_scenario(s, &o, &rn, &e) == RUN_OK ? 0 : -1;
	if (rc)
		err_print(&e, stderr);
	scenario_free(s);
	return rc;
}

/* ---- on tasks.csv ------------------------------------------------------- */

static const char *const lifecycle[] = {
	"provisioning_s", "pending_s", "activating_s", "running_s",
	"deactivating_s", "stopping_s", "deprovisioning_s", "stopped_s",
};
#define N_LIFE ((int)(sizeof lifecycle / sizeof lifecycle[0]))

/* The checks, by name (for `skip` and in the messages):
 *   order          submit ≤ placed ≤ provisioning, then every lifecycle
 *                  timestamp present is ≥ the one before (§3.1); start = running
 *   stopped-last   a row with stop_s has last_status STOPPED (§3.1)
 *   stopped-desired a row with stop_s has desired STOPPED and a stop code (§3.3)
 *   last-stopped   last_status STOPPED only with stop_s and desired STOPPED
 *   running-clean  desired RUNNING: no stop code, no stop_s
 *   never-placed   no placed_s: no instance and no state from PROVISIONING
 *                  to RUNNING */
static const char *g_only;

static int skipped(const char *skip, const char *name)
{
	return (skip && strcmp(skip, name) == 0) || (g_only && strcmp(g_only, name) != 0);
}

int inv_tasks_csv(struct inv *c, const char *path, const char *skip, const char *only)
{
	struct err e;
	struct csvin *in = csvin_open(path, &e);
	int col[N_LIFE], c_id, c_sub, c_pl, c_start, c_stop, c_code, c_des, c_last, c_inst;
	long row = 0;

	if (!in)
		return -1;
	g_only = only;
	for (int k = 0; k < N_LIFE; k++)
		col[k] = csvin_col(in, lifecycle[k]);
	c_id = csvin_col(in, "task_id");
	c_sub = csvin_col(in, "submit_s");
	c_pl = csvin_col(in, "placed_s");
	c_start = csvin_col(in, "start_s");
	c_stop = csvin_col(in, "stop_s");
	c_code = csvin_col(in, "stop_code");
	c_des = csvin_col(in, "desired_status");
	c_last = csvin_col(in, "last_status");
	c_inst = csvin_col(in, "instance_id");
	while (csvin_next(in, &e) > 0) {
		const char *id = csvin_field(in, c_id), *placed = csvin_field(in, c_pl);
		const char *stop = csvin_field(in, c_stop), *code = csvin_field(in, c_code);
		const char *des = csvin_field(in, c_des), *last = csvin_field(in, c_last);
		double prev = strtod(csvin_field(in, c_sub), NULL);

		row++;
		if (!skipped(skip, "order")) {
			if (*placed) {
				if (strtod(placed, NULL) < prev)
					bad(c, "%s row %ld (%s): order: placed_s before submit_s", path, row, id);
				prev = strtod(placed, NULL);
			}
			for (int k = 0; k < N_LIFE; k++) {
				const char *v = csvin_field(in, col[k]);

				if (!*v)
					continue;
				if (strtod(v, NULL) < prev)
					bad(c, "%s row %ld (%s): order: %s %s before the state before it",
					    path, row, id, lifecycle[k], v);
				prev = strtod(v, NULL);
			}
			if (strcmp(csvin_field(in, c_start), csvin_field(in, col[3])) != 0)
				bad(c, "%s row %ld (%s): order: start_s != running_s", path, row, id);
		}
		if (*stop && !skipped(skip, "stopped-last") && strcmp(last, "STOPPED") != 0)
			bad(c, "%s row %ld (%s): stopped-last: stopped at %s but last_status %s",
			    path, row, id, stop, last);
		if (*stop && !skipped(skip, "stopped-desired") && (strcmp(des, "STOPPED") != 0 || !*code))
			bad(c, "%s row %ld (%s): stopped-desired: stopped but desired %s, stop code '%s'",
			    path, row, id, des, code);
		if (strcmp(last, "STOPPED") == 0 && !skipped(skip, "last-stopped") &&
		    (!*stop || strcmp(des, "STOPPED") != 0))
			bad(c, "%s row %ld (%s): last-stopped: STOPPED with stop_s '%s', desired %s",
			    path, row, id, stop, des);
		if (strcmp(des, "RUNNING") == 0 && !skipped(skip, "running-clean") && (*code || *stop))
			bad(c, "%s row %ld (%s): running-clean: desired RUNNING with stop code '%s', stop_s '%s'",
			    path, row, id, code, stop);
		if (!*placed && !skipped(skip, "never-placed")) {
			int any = *csvin_field(in, c_inst) != 0;

			for (int k = 0; k <= 3; k++)
				any |= *csvin_field(in, col[k]) != 0;
			if (any)
				bad(c, "%s row %ld (%s): never-placed: has an instance or a lifecycle state",
				    path, row, id);
		}
	}
	csvin_close(in);
	return 0;
}
