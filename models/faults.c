/* models/faults.c — instance failures, Spot interruptions and AZ outages
 * (docs/ecs-model.md §2.4, §5.13, §8), from the trace and from stochastic models
 * in the scenario.  Injectors act through the backplane's own operations.
 *
 * An instance that fails stops running its tasks at once; the backplane
 * learns it after the heartbeat timeout (a hardware failure, an AZ outage,
 * the Spot termination of an instance whose agent is disconnected) or at
 * once (a terminated instance with a connected agent is deregistered,
 * docs/ecs-model.md §2.4: Spot terminations).  Then its tasks are STOPPED (InfrastructureHealth, or
 * SpotInterruption; a task already stopping keeps its stop code), their
 * resources vanish from placement and services replace them.  A failure with a repair time brings the same instance back,
 * empty (a reboot); without one the instance is gone (INACTIVE) and, for a
 * group with Auto Scaling replacement, a fresh instance of the same type
 * registers in the same AZ after the replacement delay.
 *
 * Stochastic failures are an alternating renewal process per instance: time
 * to failure, then time to repair, drawn from the group's distributions with
 * the group's stream ("fault/group/<name>"), one pending event per instance.
 * A Spot interruption gives a two-minute notice (docs/ecs-model.md §5.13): the instance is set
 * DRAINING when Spot draining is on (by its agent: when it is connected, or
 * reconnects in time), and terminated 120 s later.  An AZ
 * outage fails (a share of) the AZ's instances for its duration; they come
 * back empty when it ends.
 */
#include "backplane_int.h"
#include "faults.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"

#define SPOT_NOTICE_MS 120000    /* docs/ecs-model.md §5.13: two minutes */

static sim_time_t draw_ms(const struct dist *d, gsl_rng *r)
{
	return sim_ms(dist_sample(d, r));
}

static gsl_rng *group_rng(struct backplane *bp, int group)
{
	char name[300];

	snprintf(name, sizeof name, "fault/group/%s", bp->s->groups[group].name);
	return rng_stream(bp->rng, name);
}

static uint64_t inst_arg(int32_t inst, uint32_t life)
{
	return (uint64_t)(uint32_t)inst << 32 | life;
}

/* Tasks on the instance, counted (for failures.csv). */
static void count_tasks(struct backplane *bp, int32_t inst, int64_t *all, int64_t *svc)
{
	for (size_t k = 0; k < bp->n_tasks; k++) {
		struct task *t = &bp->tasks[k];

		if (t->used && !t->queued && t->inst == inst) {
			(*all)++;
			*svc += t->svc >= 0;
		}
	}
}

/* The backplane learns the instance failed: stop what ran there. */
static void clean(struct backplane *bp, int32_t inst)
{
	struct agent *a = &bp->agents[inst];
	int64_t *lost = xcalloc((size_t)bp->s->n_services + 1, sizeof *lost);

	if (a->cleaned)
		goto done;
	a->cleaned = 1;
	for (size_t k = 0; k < bp->n_tasks; k++) {
		struct task *t = &bp->tasks[k];
		uint32_t slot = (uint32_t)k;

		if (!t->used || t->queued || t->inst != inst)
			continue;
		/* a service task lost: one that was running (launches in flight
		 * to a dead instance are simply relaunched) */
		if (t->svc >= 0 && t->desired == TD_RUNNING && t->seen == TS_RUNNING) {
			t->lost = 1;
			lost[t->svc]++;
		}
		/* a task already stopping for another reason keeps its stop code;
		 * what the silent agent saw was never reported
		 * (docs/ecs-model.md §7.4) */
		if (t->desired == TD_RUNNING || !t->stop_code)
			t->stop_code = a->fail_code;
		t->desired = TD_STOPPED;
		t->agent_code = NULL;
		if (t->seen != TS_STOPPED || t->state != TS_STOPPED)
			bp_set_state(bp, slot, TS_STOPPED);
		bp_task_stopped(bp, slot);
	}
	for (int v = 0; v < bp->s->n_services; v++)
		if (lost[v] && a->fault_id > 0)
			bp_notify(bp, &(struct bp_note){ .kind = BN_FAULT_LOST, .svc = v,
							 .fault_id = a->fault_id, .at = a->failed_at,
							 .n = lost[v] });
	if (a->gone) {
		cluster_set_status(bp->cl, inst, INST_INACTIVE);
		bp_instance_changed(bp, inst);
	} else {
		cluster_set_agent_connected(bp->cl, inst, 0);
		bp_instance_changed(bp, inst);
	}
done:
	free(lost);
}

int64_t fault_instance_fail(struct backplane *bp, int32_t inst, sim_time_t repair,
			    int immediate, const char *code, const char *kind, int64_t fault_id)
{
	struct agent *a = &bp->agents[inst];
	sim_time_t jitter;
	int64_t all = 0, svc = 0;

	if (a->dead || cluster_status(bp->cl, inst) == INST_INACTIVE)
		return -1;
	if (fault_id < 0) {
		fault_id = ++bp->next_fault_id;
		count_tasks(bp, inst, &all, &svc);
		metrics_on_fault(bp->m, sim_now(bp->sim), fault_id, kind, cluster_id(bp->cl, inst),
				 cluster_az(bp->cl, inst), all, svc, repair);
	}
	a->dead = 1;
	a->up = 0;
	a->gone = repair < 0;
	a->cleaned = 0;
	a->life++;
	a->epoch++;
	a->failed_at = sim_now(bp->sim);
	a->fault_id = fault_id;
	a->fail_code = code;
	a->spot_drain_held = 0;
	free(a->outbox);
	a->outbox = NULL;
	a->n_out = a->cap_out = 0;
	if (immediate) {
		clean(bp, inst);
	} else {
		jitter = bp->tm->heartbeat_jitter > 0
			? (sim_time_t)gsl_rng_uniform_int(bp->agent_rng, (unsigned long)bp->tm->heartbeat_jitter)
			: 0;
		sim_after(bp->sim, bp->tm->heartbeat_timeout + jitter, bp->ev_fail_detect, bp,
			  inst_arg(inst, a->life));
	}
	if (repair >= 0)
		sim_after(bp->sim, repair, bp->ev_repair, bp, inst_arg(inst, a->life));
	else if (a->group >= 0 && bp->s->groups[a->group].replace)
		/* docs/ecs-model.md §8.3: Auto Scaling launches a replacement in the same AZ */
		sim_after(bp->sim, bp->s->groups[a->group].replace_delay, bp->ev_replace, bp,
			  (uint64_t)inst);
	return fault_id;
}

static void on_fail_detect(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	int32_t inst = (int32_t)(ev->arg >> 32);

	(void)s;
	if (bp->agents[inst].life == (uint32_t)ev->arg && bp->agents[inst].dead)
		clean(bp, inst);
}

static void schedule_ttf(struct backplane *bp, int32_t inst)
{
	struct agent *a = &bp->agents[inst];

	if (a->group >= 0 && bp->s->groups[a->group].has_failures)
		sim_after(bp->sim, draw_ms(&bp->s->groups[a->group].ttf, group_rng(bp, a->group)),
			  bp->ev_ttf, bp, inst_arg(inst, a->life));
}

/* The instance is back (rebooted, AZ restored): empty, agent connected. */
static void on_repair(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	int32_t inst = (int32_t)(ev->arg >> 32);
	struct agent *a = &bp->agents[inst];

	(void)s;
	if (a->life != (uint32_t)ev->arg || !a->dead)
		return;
	clean(bp, inst);            /* on reboot the agent reports its tasks STOPPED */
	a->dead = 0;
	a->up = 1;
	a->epoch++;
	cluster_set_agent_connected(bp->cl, inst, 1);
	bp_instance_changed(bp, inst);
	bp_capacity_changed(bp);
	schedule_ttf(bp, inst);
}

static void on_replace(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	int32_t inst = (int32_t)ev->arg;
	const struct scn_group *g = &bp->s->groups[bp->agents[inst].group];

	(void)s;
	bp_register_instance(bp, g->type, g->az, g);
}

static void on_ttf(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	int32_t inst = (int32_t)(ev->arg >> 32);
	struct agent *a = &bp->agents[inst];
	const struct scn_group *g;

	(void)s;
	if (a->life != (uint32_t)ev->arg || a->dead || cluster_status(bp->cl, inst) == INST_INACTIVE)
		return;
	g = &bp->s->groups[a->group];
	fault_instance_fail(bp, inst, g->has_repair ? draw_ms(&g->ttr, group_rng(bp, a->group)) : -1,
			    0, STOP_INFRASTRUCTURE, "instance_fail", -1);
}

void fault_spot_notice(struct backplane *bp, int32_t inst)
{
	struct agent *a = &bp->agents[inst];
	int64_t all = 0, svc = 0, id;
	struct err e;

	if (a->dead || cluster_status(bp->cl, inst) == INST_INACTIVE)
		return;
	id = ++bp->next_fault_id;
	count_tasks(bp, inst, &all, &svc);
	metrics_on_fault(bp->m, sim_now(bp->sim), id, "spot_interruption", cluster_id(bp->cl, inst),
			 cluster_az(bp->cl, inst), all, svc, -1);
	/* docs/ecs-model.md §5.13: with Spot draining on, the agent sets
	 * DRAINING at the notice; a disconnected agent does it when it
	 * reconnects, if still in time */
	if (a->group >= 0 && bp->s->groups[a->group].spot_draining) {
		if (a->up)
			backplane_drain(bp, cluster_id(bp->cl, inst), &e);
		else
			a->spot_drain_held = 1;
	}
	sim_after(bp->sim, SPOT_NOTICE_MS, bp->ev_spot_end, bp,
		  (uint64_t)(uint32_t)inst << 32 | (uint64_t)id);
}

static void on_spot_end(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;

	int32_t inst = (int32_t)(ev->arg >> 32);

	(void)s;
	/* a terminated instance with a connected agent is deregistered at once
	 * (docs/ecs-model.md §2.4); one whose agent is disconnected is not: the backplane learns
	 * of the loss after the heartbeat timeout, as for any silent agent */
	fault_instance_fail(bp, inst, -1, bp->agents[inst].up, STOP_SPOT, "spot_interruption",
			    (int64_t)(uint32_t)ev->arg);
}

static void on_spot_notice(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	int32_t inst = (int32_t)(ev->arg >> 32);

	(void)s;
	if (bp->agents[inst].life == (uint32_t)ev->arg)
		fault_spot_notice(bp, inst);
}

void fault_deregister(struct backplane *bp, int32_t inst)
{
	struct agent *a = &bp->agents[inst];

	if (cluster_status(bp->cl, inst) == INST_INACTIVE)
		return;
	a->dead = 1;
	a->up = 0;
	a->gone = 1;
	a->cleaned = 0;
	a->life++;
	a->epoch++;
	a->failed_at = sim_now(bp->sim);
	a->fault_id = 0;
	a->fail_code = STOP_USER;
	clean(bp, inst);
}

/* Stochastic agent disconnects: the agent goes silent for a drawn length,
 * then the next one after a drawn time (a renewal process per instance). */
static void on_disconnect(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	int32_t inst = (int32_t)(ev->arg >> 32);
	struct agent *a = &bp->agents[inst];
	const struct scn_group *g;
	sim_time_t len;

	(void)s;
	if (a->life != (uint32_t)ev->arg || cluster_status(bp->cl, inst) == INST_INACTIVE)
		return;
	g = &bp->s->groups[a->group];
	len = draw_ms(&g->disc_len, group_rng(bp, a->group));
	if (!a->dead)
		agent_disconnect(bp, inst, len);
	sim_after(bp->sim, len + draw_ms(&g->disc_ia, group_rng(bp, a->group)), bp->ev_disconnect,
		  bp, ev->arg);
}

static void on_register(struct backplane *bp, int32_t inst, int group)
{
	const struct scn_group *g;

	if (group < 0)
		return;
	g = &bp->s->groups[group];
	schedule_ttf(bp, inst);
	if (g->has_disconnects)
		sim_after(bp->sim, draw_ms(&g->disc_ia, group_rng(bp, group)), bp->ev_disconnect, bp,
			  inst_arg(inst, bp->agents[inst].life));
	if (g->spot && g->has_spot_rate)
		sim_after(bp->sim, draw_ms(&g->tti, group_rng(bp, group)), bp->ev_spot_notice, bp,
			  inst_arg(inst, bp->agents[inst].life));
}

void fault_az_outage(struct backplane *bp, const char *az, sim_time_t duration, double fraction)
{
	int32_t n = cluster_count(bp->cl), k = 0, want;
	int32_t *in_az = xmalloc(((size_t)n + 1) * sizeof *in_az);
	int64_t all = 0, svc = 0, id = ++bp->next_fault_id;

	for (int32_t i = 0; i < n; i++)
		if (strcmp(cluster_az(bp->cl, i), az) == 0 && !bp->agents[i].dead &&
		    cluster_status(bp->cl, i) != INST_INACTIVE)
			in_az[k++] = i;
	want = (int32_t)ceil(fraction * k - 1e-9);
	if (want < k && want > 0) {
		/* a partial outage: a uniform choice of the AZ's instances */
		int32_t *pick = xmalloc((size_t)want * sizeof *pick);

		gsl_ran_choose(bp->outage_rng, pick, (size_t)want, in_az, (size_t)k, sizeof *in_az);
		memcpy(in_az, pick, (size_t)want * sizeof *pick);
		free(pick);
	}
	if (want > k)
		want = k;
	for (int32_t j = 0; j < want; j++)
		count_tasks(bp, in_az[j], &all, &svc);
	metrics_on_fault(bp->m, sim_now(bp->sim), id, "az_outage", az, az, all, svc, duration);
	for (int32_t j = 0; j < want; j++)
		fault_instance_fail(bp, in_az[j], duration, 0, STOP_INFRASTRUCTURE, "az_outage", id);
	free(in_az);
}

/* Scenario outages: scheduled ones, and stochastic processes (one pending
 * start each). */
static void on_outage_start(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	const struct scn_outage *o = &bp->s->outages[ev->arg];
	const char *az = o->az;
	sim_time_t dur = o->duration;

	(void)s;
	if (o->stochastic) {
		if (!az)
			az = bp->s->azs[gsl_rng_uniform_int(bp->outage_rng, (unsigned long)bp->s->n_azs)];
		dur = draw_ms(&o->length, bp->outage_rng);
		sim_after(bp->sim, dur + draw_ms(&o->interarrival, bp->outage_rng), bp->ev_outage_start,
			  bp, ev->arg);
	}
	fault_az_outage(bp, az, dur, o->fraction);
}

static void start(struct backplane *bp)
{
	for (int i = 0; i < bp->s->n_outages; i++) {
		const struct scn_outage *o = &bp->s->outages[i];

		if (o->stochastic)
			sim_after(bp->sim, draw_ms(&o->interarrival, bp->outage_rng), bp->ev_outage_start,
				  bp, (uint64_t)i);
		else
			sim_at(bp->sim, o->at, bp->ev_outage_start, bp, (uint64_t)i);
	}
}

static void on_note(struct backplane *bp, void *ctx, const struct bp_note *n)
{
	(void)ctx;
	if (n->kind == BN_INSTANCE_REGISTERED)
		on_register(bp, n->inst, bp->agents[n->inst].group);
	else if (n->kind == BN_GO)
		start(bp);
}

void fault_attach(struct backplane *bp)
{
	bp_subscribe(bp, BN_BIT(BN_INSTANCE_REGISTERED) | BN_BIT(BN_GO), on_note, NULL);
	bp->ev_fail_detect = sim_on_world(bp->sim, "failure-detected", on_fail_detect, bp);
	bp->ev_repair = sim_on_world(bp->sim, "instance-repaired", on_repair, bp);
	bp->ev_replace = sim_on_world(bp->sim, "asg-replacement", on_replace, bp);
	bp->ev_ttf = sim_on_world(bp->sim, "instance-failure", on_ttf, bp);
	bp->ev_spot_notice = sim_on_world(bp->sim, "spot-notice", on_spot_notice, bp);
	bp->ev_spot_end = sim_on_world(bp->sim, "spot-termination", on_spot_end, bp);
	bp->ev_outage_start = sim_on_world(bp->sim, "az-outage", on_outage_start, bp);
	bp->ev_disconnect = sim_on_world(bp->sim, "agent-disconnect", on_disconnect, bp);
}

void fault_agent_disconnect(struct backplane *bp, int32_t inst, sim_time_t duration)
{
	agent_disconnect(bp, inst, duration);
}
