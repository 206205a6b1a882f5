/* models/backplane_inst.c — what happens to the instances themselves (EC2,
 * their agents' sessions) as the backplane relays and learns it: an
 * instance going down or coming back, the backplane learning it is lost,
 * an agent falling silent, a Spot notice (docs/ecs-model.md §2.4, §5.13,
 * §7.1, §8).  The fault injector causes them; the agents hear them as
 * notifications (bp_msg.h).
 */
#include "backplane_int.h"

#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"

int bp_instance_group(const struct backplane *bp, int32_t inst)
{
	return bp->inst_group[inst];
}

const struct scn_timing *bp_instance_timing(const struct backplane *bp, int32_t inst)
{
	int g = bp->inst_group[inst];

	return g >= 0 && bp->s->groups[g].own_timing ? &bp->s->groups[g].timing : bp->tm;
}

void backplane_instance_tasks(struct backplane *bp, int32_t inst, int64_t *all, int64_t *svc)
{
	size_t n;
	const uint32_t *on = bp_inst_slots(bp, inst, &n);

	for (size_t k = 0; k < n; k++) {
		const struct task *t = &bp->tasks[on[k]];

		if (t->used && !t->queued && t->inst == inst) {
			(*all)++;
			*svc += t->svc >= 0;
		}
	}
}

/* The snapshot (backplane_int.h, struct inst_snap) taken anew: one pass
 * over the table numbers the instances holding placed tasks and counts
 * their tasks, then the tasks are listed per instance in slot order.
 * O(table), whatever the number of instances ever registered: while they
 * are not many more than the table's slots, an instance's number is its
 * own (z->direct: an array over the instances, what a big cluster's
 * snapshot reads fastest), else the hash gives it one. */
static void snap_take(struct backplane *bp)
{
	struct inst_snap *z = &bp->snap;
	size_t n = 0;
	int32_t n_on = 0, ni = cluster_count(bp->cl);

	z->direct = (size_t)ni <= 4 * bp->n_tasks + 64;
	if (z->direct) {
		XGROW(z->start, z->cap_start, (size_t)ni + 2);
		memset(z->start, 0, ((size_t)ni + 2) * sizeof *z->start);
		for (size_t k = 0; k < bp->n_tasks; k++) {
			const struct task *t = &bp->tasks[k];

			if (t->used && !t->queued && t->inst >= 0) {
				z->start[t->inst + 1]++;
				n++;
			}
		}
		n_on = ni;
		goto fill;
	}
	inum_reset(&z->num, bp->n_tasks);        /* (an instance per placed task at most) */
	XGROW(z->on_of, z->cap_on_of, bp->n_tasks + 1);
	XGROW(z->start, z->cap_start, bp->n_tasks + 2);
	for (size_t k = 0; k < bp->n_tasks; k++) {
		const struct task *t = &bp->tasks[k];

		if (t->used && !t->queued && t->inst >= 0) {
			int32_t d = inum_put(&z->num, t->inst);

			if (d == n_on)                   /* a new one */
				z->start[++n_on] = 0;
			z->on_of[n++] = d;
			z->start[d + 1]++;
		}
	}
fill:
	/* start[d + 1] counts instance d: summed, start[d] is where its list
	 * starts; filling moves start[d] to where it ends (= where d + 1's
	 * starts), then the lists' starts come back from the ends */
	z->start[0] = 0;
	for (int32_t d = 0; d < n_on; d++)
		z->start[d + 1] += z->start[d];
	XGROW(z->slots, z->cap_slots, n + 1);
	n = 0;
	for (size_t k = 0; k < bp->n_tasks; k++) {
		const struct task *t = &bp->tasks[k];

		if (t->used && !t->queued && t->inst >= 0)
			z->slots[z->start[z->direct ? t->inst : z->on_of[n++]]++] = (uint32_t)k;
	}
	for (int32_t d = n_on; d > 0; d--)
		z->start[d] = z->start[d - 1];
	z->start[0] = 0;
	z->n_on = n_on;
	z->seq = bp->place_seq;
	z->valid = 1;
	z->takes++;
}

const uint32_t *bp_inst_slots(struct backplane *bp, int32_t inst, size_t *n)
{
	struct inst_snap *z = &bp->snap;
	int32_t d;

	if (!z->valid || bp->place_seq != z->seq)
		snap_take(bp);
	if (z->direct) {
		/* (an instance registered since holds no task: none placed) */
		if (inst >= z->n_on) {
			*n = 0;
			return z->slots;
		}
		*n = (size_t)(z->start[inst + 1] - z->start[inst]);
		return z->slots + z->start[inst];
	}
	d = inum_get(&z->num, inst);
	if (d < 0) {
		*n = 0;
		return z->slots;
	}
	*n = (size_t)(z->start[d + 1] - z->start[d]);
	return z->slots + z->start[d];
}

/* The tasks on instance inst (placed there, slot still used) in slot
 * order, the order a pass over the table met them in (what happens to
 * them is written in that order), in an array of the caller's to free.
 * With ECSIM_CHECKS, checked against such a pass. */
static uint32_t *inst_slots(struct backplane *bp, int32_t inst, size_t *n)
{
	size_t m = 0, c;
	const uint32_t *on = bp_inst_slots(bp, inst, &c);
	uint32_t *a = xmalloc((c ? c : 1) * sizeof *a);

	for (size_t k = 0; k < c; k++) {
		const struct task *t = &bp->tasks[on[k]];

		if (t->used && !t->queued && t->inst == inst)
			a[m++] = on[k];
	}
#ifdef ECSIM_CHECKS
	{
		size_t j = 0;

		for (size_t k = 0; k < bp->n_tasks; k++) {
			const struct task *t = &bp->tasks[k];

			if (t->used && !t->queued && t->inst == inst && (j == m || a[j++] != k))
				abort();
		}
		if (j != m)
			abort();
	}
#endif
	*n = m;
	return a;
}

void bp_count_nondaemon(struct backplane *bp)
{
	if (bp->n_tasks > 0)
		abort();       /* (before any task: the counts start at 0) */
	bp->count_nd = 1;
}

int64_t bp_nondaemon_count(const struct backplane *bp, int32_t inst)
{
	if (!bp->count_nd)
		abort();       /* (bp_count_nondaemon first) */
	/* kept by placements and retirements (struct inst_bp), not counted
	 * by a pass over the table */
#ifdef ECSIM_CHECKS
	{
		int64_t n = 0;

		for (size_t k = 0; k < bp->n_tasks; k++) {
			const struct task *t = &bp->tasks[k];

			n += t->used && !t->queued && t->inst == inst &&
			     !(t->svc >= 0 && bp->s->services[t->svc].sched == SCHED_DAEMON);
		}
		if (n != bp->ib[inst].nondaemon)
			abort();
	}
#endif
	return bp->ib[inst].nondaemon;
}

static int slot_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* A task waiting PROVISIONING for provider's capacity: its placement found
 * no room (cp_waiting); a task still inside placementLatencySeconds has
 * not been tried (docs/ecs-model.md §5.12). */
static int waits_for(const struct task *t, int provider)
{
	return t->used && t->queued && t->cp_waiting && t->desired == TD_RUNNING && t->cp == provider;
}

void bp_each_waiting(struct backplane *bp, int provider,
		     void (*fn)(void *ctx, const struct task *t), void *ctx)
{
	size_t m = 0;
	uint32_t *a = xmalloc((bp->q_len ? bp->q_len : 1) * sizeof *a);

	/* every waiting task is in the queue of tasks waiting for capacity
	 * (it joins it when it starts waiting, leaves it when placed or
	 * stopped; stale entries are skipped): its entries, not a pass over
	 * the table at every datapoint, in slot order as that pass met them
	 * (the caller's first-fit decreasing keeps that order on ties) */
	for (size_t i = 0; i < bp->q_len; i++) {
		uint64_t r = bp->queue[i].ref;
		const struct task *t = bp_task(bp, r);

		if (t && waits_for(t, provider))
			a[m++] = ref_slot(r);
	}
	if (m > 1)
		qsort(a, m, sizeof *a, slot_cmp);
#ifdef ECSIM_CHECKS
	{
		size_t j = 0;

		for (size_t k = 0; k < bp->n_tasks; k++)
			if (waits_for(&bp->tasks[k], provider) && (j == m || a[j++] != k))
				abort();
		if (j != m)
			abort();       /* (a task twice in the queue would be counted twice) */
	}
#endif
	for (size_t k = 0; k < m; k++)
		fn(ctx, &bp->tasks[a[k]]);
	free(a);
}

void bp_agent_connected(struct backplane *bp, int32_t inst, int up)
{
	cluster_set_agent_connected(bp->cl, inst, up);
}

void backplane_instance_down(struct backplane *bp, int32_t inst, int terminated)
{
	bp_notify(bp, &(struct bp_note){ .kind = BN_INSTANCE_DOWN, .inst = inst, .n = terminated });
}

void backplane_instance_deregistered(struct backplane *bp, int32_t inst)
{
	bp_notify(bp, &(struct bp_note){ .kind = BN_INSTANCE_DEREGISTERED, .inst = inst });
}

void bp_agent_shutdown(struct backplane *bp, int32_t inst)
{
	bp_notify(bp, &(struct bp_note){ .kind = BN_INSTANCE_TERMINATED, .inst = inst });
}

void backplane_instance_up(struct backplane *bp, int32_t inst)
{
	bp_notify(bp, &(struct bp_note){ .kind = BN_INSTANCE_UP, .inst = inst });
	cluster_set_agent_connected(bp->cl, inst, 1);
	bp_instance_changed(bp, inst);
	bp_capacity_changed(bp);
}

void backplane_agent_silent(struct backplane *bp, int32_t inst, sim_time_t duration)
{
	bp_notify(bp, &(struct bp_note){ .kind = BN_AGENT_SILENT, .inst = inst, .len = duration });
}

void backplane_spot_notice(struct backplane *bp, int32_t inst)
{
	bp_notify(bp, &(struct bp_note){ .kind = BN_SPOT_NOTICE, .inst = inst });
}

void backplane_instance_lost(struct backplane *bp, int32_t inst, const char *code, int gone,
			     int64_t fault_id, sim_time_t failed_at)
{
	int64_t *lost = xcalloc((size_t)bp->s->n_services + 1, sizeof *lost);
	size_t n;
	uint32_t *on = inst_slots(bp, inst, &n);

	for (size_t k = 0; k < n; k++) {
		uint32_t slot = on[k];
		struct task *t = &bp->tasks[slot];

		/* (checked again: a slot retired by an earlier step of this
		 * loop may hold a new task by now, never one placed here) */
		if (!t->used || t->queued || t->inst != inst)
			continue;
		/* a service task lost: one that was running (launches in flight
		 * to a dead instance are simply relaunched) */
		if (t->svc >= 0 && t->desired == TD_RUNNING && t->seen == TS_RUNNING) {
			t->lost = 1;
			lost[t->svc]++;
		} else if (t->svc >= 0 && (t->seen == TS_RUNNING || t->seen == TS_DEACTIVATING) &&
			   t->desired == TD_STOPPED && t->elb_stopped) {
			/* its target stopped answering when the host died, so ECS
			 * stopped it for failed ELB health checks before it noticed
			 * the host: the fault cost the service this task all the
			 * same (recovery.csv; docs/ecs-model.md choice E72); seen
			 * DEACTIVATING while its targets drain (choice E220) */
			lost[t->svc]++;
		}
		/* a task already stopping for another reason keeps its stop code;
		 * what the silent agent saw was never reported
		 * (docs/ecs-model.md §7.4) */
		if (t->desired == TD_RUNNING || !t->stop_code)
			t->stop_code = code;
		bp_task_desire_stop(bp, t);
		t->agent_code = NULL;
		if (t->seen != TS_STOPPED || t->state != TS_STOPPED) {
			/* the instance is down: nothing is held in its agent's outbox */
			t->state = TS_STOPPED;
			if (t->ts[TS_STOPPED] < 0)
				t->ts[TS_STOPPED] = sim_now(bp->sim);
			bp_task_report(bp, slot);
		}
		bp_task_stopped(bp, slot);
	}
	for (int v = 0; v < bp->s->n_services; v++)
		if (lost[v] && fault_id > 0)
			bp_notify(bp, &(struct bp_note){ .kind = BN_FAULT_LOST, .svc = v,
							 .fault_id = fault_id, .at = failed_at,
							 .n = lost[v] });
	if (gone) {
		cluster_set_status(bp->cl, inst, INST_INACTIVE);
		/* its registered CPU and memory leave the totals now, not at the
		 * next placement or stop (summary.csv mean_*_reserved_pct) */
		bp_cluster_changed(bp);
	} else
		cluster_set_agent_connected(bp->cl, inst, 0);
	bp_instance_changed(bp, inst);
	free(on);
	free(lost);
}
