/* tests/helpers/svcobs.c — see svcobs.h. */
#include "svcobs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "models/backplane_int.h"
#include "models/cluster.h"
#include "models/service_int.h"
#include "tutil.h"

struct svc *so_service(struct backplane *bp)
{
	if (svc_sched(bp)->n_svcs < 1 || !svc_sched(bp)->svcs[0].active)
		return NULL;
	return &svc_sched(bp)->svcs[0];
}

int64_t so_pct_ceil(int64_t n, int pct)
{
	return (int64_t)ceil((double)n * pct / 100.0);
}

int64_t so_pct_floor(int64_t n, int pct)
{
	return (int64_t)floor((double)n * pct / 100.0);
}

int so_on_draining(struct backplane *bp, const struct task *t)
{
	return t->inst >= 0 && cluster_status(backplane_cluster(bp), t->inst) == INST_DRAINING;
}

void so_count(struct backplane *bp, const struct svc *v, struct so_count *c)
{
	memset(c, 0, sizeof *c);
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = &bp->tasks[v->tasks[k]];

		if (t->desired != TD_RUNNING)
			continue;
		c->live++;
		c->healthy += t->healthy;
		c->drained_live += so_on_draining(bp, t);
		c->new_live += t->dep > 0;
	}
	c->min_healthy = so_pct_ceil(v->desired, v->cfg->min_healthy_pct);
	c->max_tasks = so_pct_floor(v->desired, v->cfg->max_pct);
}

void so_by_dep(struct backplane *bp, const struct svc *v, int64_t good[SO_DEPS], int64_t drained[SO_DEPS])
{
	CU_ASSERT_FATAL(v->n_deps <= SO_DEPS);
	memset(good, 0, SO_DEPS * sizeof *good);
	if (drained)
		memset(drained, 0, SO_DEPS * sizeof *drained);
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = &bp->tasks[v->tasks[k]];

		if (t->desired != TD_RUNNING)
			continue;
		if (t->healthy && !t->unhealthy)
			good[t->dep]++;
		if (drained)
			drained[t->dep] += so_on_draining(bp, t);
	}
}

int64_t so_stage_target(const struct svc *v, int dep)
{
	return dep == v->bg.green ? v->desired : v->deps[dep].want;
}

int so_n_on_draining(struct backplane *bp, const struct svc *v)
{
	int n = 0;

	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = &bp->tasks[v->tasks[k]];

		n += t->seen != TS_STOPPED && so_on_draining(bp, t);
	}
	return n;
}

unsigned so_was(const struct so_prev *p, uint32_t slot, const struct task *t)
{
	return slot < p->n && p->no[slot] == t->no ? p->was[slot] : 0;
}

int so_sched_stop(unsigned was, const struct task *t)
{
	return (was & SO_LIVE) && t->desired != TD_RUNNING && t->stop_code && strcmp(t->stop_code, STOP_SCHEDULER) == 0;
}

void so_record(struct so_prev *p, struct backplane *bp, const struct svc *v)
{
	if (bp->n_tasks > p->n) {
		size_t n = bp->n_tasks * 2;

		p->no = realloc(p->no, n * sizeof *p->no);
		p->was = realloc(p->was, n);
		for (size_t i = p->n; i < n; i++)
			p->no[i] = UINT64_MAX;
		p->n = n;
	}
	if (p->n)
		memset(p->was, 0, p->n);
	for (int k = 0; k < v->n_tasks; k++) {
		uint32_t slot = v->tasks[k];
		const struct task *t = &bp->tasks[slot];
		int live = t->desired == TD_RUNNING;

		p->no[slot] = t->no;
		p->was[slot] = (live ? SO_LIVE : 0) | (live && t->healthy ? SO_HEALTHY : 0) |
			       (t->unhealthy ? SO_UNHEALTHY : 0);
	}
}

void so_bounds_observe(struct backplane *bp, const struct svc *v, struct so_bounds *b, struct so_count *n)
{
	so_count(bp, v, n);
	b->samples++;
	if (v->desired != b->last_desired) {
		b->last_desired = v->desired;
		b->changed_at = sim_now(backplane_sim(bp));
	}
	if (n->live > n->max_tasks && !(b->at_change && sim_now(backplane_sim(bp)) == b->changed_at))
		b->over_max++;
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = &bp->tasks[v->tasks[k]];
		unsigned was = so_was(&b->prev, v->tasks[k], t);

		if (!(was & SO_HEALTHY) || !so_sched_stop(was, t))
			continue;
		if (n->healthy < n->min_healthy)
			b->stop_under_min++;
		if (n->drained_live > 0 && !so_on_draining(bp, t))
			b->elsewhere_first++;
	}
	so_record(&b->prev, bp, v);
}

void so_prev_free(struct so_prev *p)
{
	free(p->no);
	free(p->was);
	memset(p, 0, sizeof *p);
}

void so_bounds_check(struct so_bounds *b, int drained_first)
{
	CU_ASSERT(b->samples > 10);
	T_EQ(b->over_max, 0);
	T_EQ(b->stop_under_min, 0);
	if (drained_first)
		T_EQ(b->elsewhere_first, 0);
	so_prev_free(&b->prev);
}
