/* models/faults.c — instance failures, Spot interruptions and AZ outages
 * (docs/ecs-model.md §2.4, §5.13, §8), from the trace and from stochastic models
 * in the scenario.  The injector keeps its own state (faults_int.h), hears
 * of instances from the backplane's notifications and acts through the
 * calls of backplane.h: what EC2 and the agents' silence would cause.
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
 * reconnects in time), and terminated its group's `spot.warningSeconds`
 * (120 s) later.  An AZ
 * outage fails (a share of) the AZ's instances for its duration; they come
 * back empty when it ends.  While a whole AZ is out, an instance of it
 * down already comes back with it, and one that registers there is down
 * until then (choice E201).  A group's agent disconnects and drawn Spot
 * notice run on through failures with repair (choice E200).
 */
#include "faults_int.h"
#include "faults.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "models/cluster.h"
#include "models/task.h"
#include "sim/mem.h"

static sim_time_t draw_ms(const struct dist *d, gsl_rng *r)
{
	return sim_ms(dist_sample(d, r));
}

/* The renewal processes below (failures and repairs, agent disconnects,
 * stochastic AZ outages) keep their instants exact, in seconds, the sums
 * of their drawn times, and round each instant to the millisecond on its
 * own: rounding every drawn time instead would add up the rounding errors,
 * another process than the one drawn (scenarios/README.md, "Faults";
 * docs/ecs-model.md choice E86).  A draw counts from 0 up, as sim_ms. */
static double draw_s(const struct dist *d, gsl_rng *r)
{
	double x = dist_sample(d, r);

	return x > 0 ? x : 0;
}

static double now_s(struct backplane *bp)
{
	return (double)sim_now(backplane_sim(bp)) / SIM_MS_PER_S;
}

static gsl_rng *group_rng(struct backplane *bp, int group)
{
	char name[300];

	snprintf(name, sizeof name, "fault/group/%s", backplane_scenario(bp)->groups[group].name);
	return rng_stream(backplane_rng(bp), name);
}

static uint64_t inst_arg(int32_t inst, uint32_t life)
{
	return (uint64_t)(uint32_t)inst << 32 | life;
}

static void spot_poll(struct backplane *bp, int32_t inst);

/* The scenario's index of the instance's AZ, -1 when it is none of them. */
static int inst_az(struct backplane *bp, int32_t inst)
{
	int k = bp_instance_az(bp, inst);

	return k < backplane_scenario(bp)->n_azs ? k : -1;
}

/* Until when a whole-AZ outage keeps the instance's AZ out (≤ now: not). */
static sim_time_t az_out_until(struct backplane *bp, int32_t inst)
{
	int k = inst_az(bp, inst);

	return k >= 0 ? faults_of(bp)->az_out_until[k] : 0;
}

int fault_az_out(struct backplane *bp, int az)
{
	return az >= 0 && az < backplane_scenario(bp)->n_azs &&
	       faults_of(bp)->az_out_until[az] > sim_now(backplane_sim(bp));
}

struct fault_inst *fault_inst_at(struct backplane *bp, int32_t inst)
{
	struct faults *f = faults_of(bp);

	XGROW(f->fi, f->cap, (size_t)inst + 1);
	while (f->n <= (size_t)inst)
		memset(&f->fi[f->n++], 0, sizeof f->fi[0]);
	return &f->fi[inst];
}

/* The backplane learns the instance failed: it stops what ran there.  A
 * host that is gone is deregistered (INACTIVE) only when its agent said so
 * (`told`: a terminated instance whose agent is connected, or a
 * deregistration); one whose agent fell silent stays registered, ACTIVE
 * with its agent disconnected, until deregistered (docs/ecs-model.md §2.4,
 * choice E163). */
static void clean(struct backplane *bp, int32_t inst, int told)
{
	struct fault_inst *a = fault_inst_at(bp, inst);

	if (a->cleaned)
		return;
	a->cleaned = 1;
	backplane_instance_lost(bp, inst, a->fail_code, a->gone && told, a->fault_id, a->failed_at);
}

int64_t fault_instance_fail(struct backplane *bp, int32_t inst, sim_time_t repair,
			    int terminated, const char *code, const char *kind, int64_t fault_id)
{
	struct faults *f = faults_of(bp);
	struct fault_inst *a = fault_inst_at(bp, inst);
	struct scenario *s = backplane_scenario(bp);
	struct sim *sim = backplane_sim(bp);
	struct cluster *cl = backplane_cluster(bp);
	int group = bp_instance_group(bp, inst);
	sim_time_t jitter;
	int64_t all = 0, svc = 0;

	if (a->deregistered && repair < 0) {
		/* docs/ecs-model.md §2.4, choice E101: a deregistered instance's host
		 * ran on, billed, outside the cluster; EC2 ending it (a Spot
		 * termination, a failure for good) ends its billing, and nothing else
		 * the cluster sees; the orphaned tasks there end with it, so what
		 * their load-balancer targets still drain is cut (BN_INSTANCE_DOWN,
		 * §6.3) */
		metrics_on_instance_down(backplane_metrics(bp), sim_now(sim), inst);
		a->deregistered = 0;
		backplane_instance_down(bp, inst, 1);
		return -1;
	}
	if (a->deregistered) {
		/* its host goes down for a while (an instance_fail with a
		 * repair: a reboot): it comes back empty, so its orphaned tasks
		 * end all the same (§6.3); still outside the cluster, billed */
		backplane_instance_down(bp, inst, 0);
		return -1;
	}
	if (a->dead || cluster_status(cl, inst) == INST_INACTIVE)
		return -1;
	if (fault_id < 0) {
		fault_id = ++f->next_fault_id;
		backplane_instance_tasks(bp, inst, &all, &svc);
		metrics_on_fault(backplane_metrics(bp), sim_now(sim), fault_id, kind, cluster_id(cl, inst),
				 cluster_az(cl, inst), all, svc, repair);
	}
	a->dead = 1;
	a->gone = repair < 0;
	a->repair_exact = 0;   /* on_ttf sets it for its own failures */
	if (a->gone)   /* terminated: billing stops */
		metrics_on_instance_down(backplane_metrics(bp), sim_now(sim), inst);
	a->cleaned = 0;
	a->life++;
	a->failed_at = sim_now(sim);
	a->fault_id = fault_id;
	a->fail_code = code;
	/* terminated: its agent, if connected, tells the backplane at once
	 * (BN_INSTANCE_TERMINATED: clean) */
	backplane_instance_down(bp, inst, terminated);
	if (!a->cleaned) {
		jitter = s->timing.heartbeat_jitter > 0
			? (sim_time_t)gsl_rng_uniform_int(f->agent_rng, (unsigned long)s->timing.heartbeat_jitter)
			: 0;
		sim_after(sim, s->timing.heartbeat_timeout + jitter, f->ev_fail_detect, bp,
			  inst_arg(inst, a->life));
	}
	if (repair >= 0)
		sim_after(sim, repair, f->ev_repair, bp, inst_arg(inst, a->life));
	else if (group >= 0 && s->groups[group].replace)
		/* docs/ecs-model.md §8.3: Auto Scaling launches a replacement in the same AZ */
		sim_after(sim, s->groups[group].replace_delay, f->ev_replace, bp, (uint64_t)inst);
	return fault_id;
}

void fault_instance_terminate(struct backplane *bp, int32_t inst)
{
	struct fault_inst *a = fault_inst_at(bp, inst);

	if (a->dead && !a->deregistered) {
		/* a host down (for repair, or gone already): its agent is
		 * silent, so nothing tells ECS; the instance stays registered
		 * with its agent disconnected (docs/ecs-model.md §2.4, choice
		 * E163), its tasks STOPPED when the backplane notices, as
		 * already scheduled.  Terminated, it is not repaired (on_repair)
		 * and its billing ends; no replacement: the group scaled in. */
		if (!a->gone) {
			a->gone = 1;
			metrics_on_instance_down(backplane_metrics(bp), sim_now(backplane_sim(bp)), inst);
		}
		return;
	}
	/* the agent decides, as for a Spot termination: connected, it tells
	 * the backplane at once (BN_INSTANCE_TERMINATED: deregistered); silent,
	 * the backplane learns after the heartbeat timeout and the instance
	 * stays registered.  Fault id 0: no failures.csv row (so no kind).
	 * An instance fault_instance_fail refuses is INACTIVE already: one
	 * force-deregistered with its host running (its billing ends there,
	 * choice E101), or one deregistered before; nothing is left to do. */
	fault_instance_fail(bp, inst, -1, 1, STOP_TERMINATION, NULL, 0);
}

static void on_fail_detect(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	int32_t inst = (int32_t)(ev->arg >> 32);
	struct fault_inst *a = fault_inst_at(bp, inst);

	(void)s;
	if (a->life == (uint32_t)ev->arg && a->dead)
		clean(bp, inst, 0);
}

/* The next failure of the group's process: a time to failure from the
 * exact instant of the repair it drew, or from now (the registration, the
 * repair of another fault, or one put off to its AZ's return). */
static void schedule_ttf(struct backplane *bp, int32_t inst)
{
	struct scenario *s = backplane_scenario(bp);
	int group = bp_instance_group(bp, inst);
	struct fault_inst *a = fault_inst_at(bp, inst);

	if (group >= 0 && s->groups[group].has_failures) {
		a->fail_s = (a->repair_exact ? a->fail_s : now_s(bp)) +
			    draw_s(&s->groups[group].ttf, group_rng(bp, group));
		sim_at(backplane_sim(bp), sim_ms(a->fail_s), faults_of(bp)->ev_ttf, bp, inst_arg(inst, a->life));
	}
	a->repair_exact = 0;
}

/* The instance is back (rebooted, AZ restored): empty, agent connected. */
static void on_repair(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	int32_t inst = (int32_t)(ev->arg >> 32);
	struct fault_inst *a = fault_inst_at(bp, inst);
	sim_time_t out;

	if (a->life != (uint32_t)ev->arg || !a->dead || a->gone)
		return;
	out = az_out_until(bp, inst);
	if (out > sim_now(s)) {
		/* its AZ is out (a whole-AZ outage began while it was down): it
		 * comes back with the AZ (choice E201) */
		a->repair_exact = 0;
		sim_at(s, out, faults_of(bp)->ev_repair, bp, ev->arg);
		return;
	}
	clean(bp, inst, 0);         /* on reboot the agent reports its tasks STOPPED */
	a->dead = 0;
	backplane_instance_up(bp, inst);
	if (a->spot_noticed) {
		/* back before its Spot termination: its agent finds the notice in
		 * the instance metadata (choice E200) */
		a->spot_noticed = 0;
		spot_poll(bp, inst);
	}
	schedule_ttf(bp, inst);
}

static void on_replace(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	int32_t inst = (int32_t)ev->arg;
	const struct scn_group *g = &backplane_scenario(bp)->groups[bp_instance_group(bp, inst)];

	(void)s;
	/* past limits.maxInstances nothing registers (choice E30) */
	bp_register_instance(bp, g->type, g->az, g);
}

static void on_ttf(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	int32_t inst = (int32_t)(ev->arg >> 32);
	struct fault_inst *a = fault_inst_at(bp, inst);
	int group = bp_instance_group(bp, inst);
	const struct scn_group *g;
	double repair_s = -1;

	(void)s;
	if (a->life != (uint32_t)ev->arg || a->dead ||
	    cluster_status(backplane_cluster(bp), inst) == INST_INACTIVE)
		return;
	g = &backplane_scenario(bp)->groups[group];
	/* back at the exact failure instant + the time to repair, rounded once */
	if (g->has_repair)
		repair_s = a->fail_s + draw_s(&g->ttr, group_rng(bp, group));
	if (fault_instance_fail(bp, inst, repair_s < 0 ? -1 : sim_ms(repair_s) - sim_now(s),
				0, STOP_INFRASTRUCTURE, "instance_fail", -1) >= 0 && repair_s >= 0) {
		a = fault_inst_at(bp, inst);
		a->fail_s = repair_s;
		a->repair_exact = 1;
	}
}

int64_t fault_new_id(struct backplane *bp)
{
	return ++faults_of(bp)->next_fault_id;
}

/* The notice is in the instance's metadata: its agent finds it at its next
 * poll, uniform in (0, poll] later (docs/ecs-model.md §5.13: every 1 s;
 * choice E204), and then sets it DRAINING when Spot draining is on. */
static void spot_poll(struct backplane *bp, int32_t inst)
{
	struct faults *f = faults_of(bp);
	int group = bp_instance_group(bp, inst);
	sim_time_t poll = group >= 0 ? backplane_scenario(bp)->groups[group].spot_poll : SPOT_POLL_MS;

	if (poll <= 0)
		backplane_spot_notice(bp, inst);
	else
		sim_after(backplane_sim(bp), 1 + (sim_time_t)gsl_rng_uniform_int(f->poll_rng, (unsigned long)poll),
			  f->ev_spot_poll, bp, inst_arg(inst, 0));
}

static void on_spot_poll(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	int32_t inst = (int32_t)(ev->arg >> 32);
	struct fault_inst *a = fault_inst_at(bp, inst);

	(void)s;
	if (a->dead) {
		/* it failed before the poll: a host down for repair finds the
		 * notice when it comes back (choice E200) */
		if (!a->gone)
			a->spot_noticed = 1;
		return;
	}
	backplane_spot_notice(bp, inst);
}

void fault_spot_notice(struct backplane *bp, int32_t inst)
{
	struct faults *f = faults_of(bp);
	struct fault_inst *a = fault_inst_at(bp, inst);
	struct cluster *cl = backplane_cluster(bp);
	int group = bp_instance_group(bp, inst);
	int64_t all = 0, svc = 0, id;
	sim_time_t warning = group >= 0 ? backplane_scenario(bp)->groups[group].spot_warning : SPOT_WARNING_MS;

	if (a->deregistered) {
		/* its host, outside the cluster, is terminated all the same: its
		 * billing ends then (fault_instance_fail; choice E101) */
		sim_after(backplane_sim(bp), warning, f->ev_spot_end, bp, (uint64_t)(uint32_t)inst << 32);
		return;
	}
	if ((a->dead && a->gone) || cluster_status(cl, inst) == INST_INACTIVE)
		return;
	id = ++f->next_fault_id;
	/* a host down for repair (choice E200): its tasks were lost with its
	 * failure; nothing there hears the notice, EC2 ends it all the same */
	if (!a->dead)
		backplane_instance_tasks(bp, inst, &all, &svc);
	metrics_on_fault(backplane_metrics(bp), sim_now(backplane_sim(bp)), id, "spot_interruption",
			 cluster_id(cl, inst), cluster_az(cl, inst), all, svc, -1);
	/* docs/ecs-model.md §5.13: the notice reaches the instance; its agent
	 * drains it when Spot draining is on, at its next poll */
	if (!a->dead)
		spot_poll(bp, inst);
	else
		a->spot_noticed = 1;
	/* terminated `spot.warningSeconds` (two minutes) after the notice */
	sim_after(backplane_sim(bp), warning, f->ev_spot_end, bp, (uint64_t)(uint32_t)inst << 32 | (uint64_t)id);
}

static void on_spot_end(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;

	int32_t inst = (int32_t)(ev->arg >> 32);
	struct fault_inst *a = fault_inst_at(bp, inst);
	int group = bp_instance_group(bp, inst);

	(void)s;
	if (a->dead && !a->gone && !a->deregistered) {
		/* choice E200: a host down for repair when EC2 reclaims it does not
		 * come back: its repair is cancelled (on_repair), its billing ends,
		 * Auto Scaling replaces it as any gone instance; the backplane
		 * learns of it as of its failure (the heartbeat timeout) */
		a->gone = 1;
		metrics_on_instance_down(backplane_metrics(bp), sim_now(backplane_sim(bp)), inst);
		if (group >= 0 && backplane_scenario(bp)->groups[group].replace)
			sim_after(backplane_sim(bp), backplane_scenario(bp)->groups[group].replace_delay,
				  faults_of(bp)->ev_replace, bp, (uint64_t)inst);
		return;
	}
	/* a terminated instance with a connected agent is deregistered at once
	 * (docs/ecs-model.md §2.4); one whose agent is disconnected is not: the backplane learns
	 * of the loss after the heartbeat timeout, as for any silent agent */
	fault_instance_fail(bp, inst, -1, 1, STOP_SPOT, "spot_interruption", (int64_t)(uint32_t)ev->arg);
}

/* A group's drawn Spot notice: one per instance, at its drawn time from
 * registration; a failure and repair (a reboot, an AZ outage) before it
 * does not cancel it, and a deregistered host's interruption comes all the
 * same (docs/ecs-model.md §5.13, choices E101, E200). */
static void on_spot_notice(struct sim *s, void *ctx, const struct event *ev)
{
	(void)s;
	fault_spot_notice(ctx, (int32_t)(ev->arg >> 32));
}

/* DeregisterContainerInstance with force (docs/ecs-model.md §2.4): the
 * instance is INACTIVE at once and its tasks STOPPED for ECS (UserInitiated),
 * so services replace them elsewhere; but EC2 does not terminate it: it
 * stays billed, and its tasks run on there, orphaned, their targets
 * deregistered and draining (§6.3) rather than dead. */
void fault_deregister(struct backplane *bp, int32_t inst)
{
	struct fault_inst *a = fault_inst_at(bp, inst);

	if (cluster_status(backplane_cluster(bp), inst) == INST_INACTIVE)
		return;
	if (a->dead && a->gone) {
		/* a host that is gone, left registered with its agent silent
		 * (choice E163): deregistering it only makes it INACTIVE; nothing
		 * runs there and its billing ended with the host */
		a->life++;
		a->cleaned = 0;
		a->fault_id = 0;
		a->fail_code = STOP_USER;
		clean(bp, inst, 1);
		return;
	}
	a->dead = 1;
	a->gone = 1;
	a->cleaned = 0;
	a->life++;
	a->failed_at = sim_now(backplane_sim(bp));
	a->fault_id = 0;
	a->fail_code = STOP_USER;
	a->deregistered = 1;
	backplane_instance_deregistered(bp, inst);
	clean(bp, inst, 1);
}

/* Stochastic agent disconnects: the agent goes silent for a drawn length,
 * then the next one after a drawn time (a renewal process per instance,
 * from its registration until it is gone or INACTIVE).  A failure and
 * repair (a reboot, an AZ outage) does not end it: a disconnect that falls
 * while the host is down does nothing, and the next one is drawn as usual
 * (choice E200). */
static void on_disconnect(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	int32_t inst = (int32_t)(ev->arg >> 32);
	struct fault_inst *a = fault_inst_at(bp, inst);
	int group = bp_instance_group(bp, inst);
	const struct scn_group *g;
	double end;

	if (cluster_status(backplane_cluster(bp), inst) == INST_INACTIVE || (a->dead && a->gone))
		return;
	g = &backplane_scenario(bp)->groups[group];
	/* it ends at its exact start + its length, the next starts a gap
	 * later, each instant rounded once */
	end = a->disc_s + draw_s(&g->disc_len, group_rng(bp, group));
	if (!a->dead)
		backplane_agent_silent(bp, inst, sim_ms(end) - sim_now(s));
	a = fault_inst_at(bp, inst);
	a->disc_s = end + draw_s(&g->disc_ia, group_rng(bp, group));
	sim_at(s, sim_ms(a->disc_s), faults_of(bp)->ev_disconnect, bp, ev->arg);
}

/* An instance that registered in an AZ that is out (choice E201): down
 * until the AZ comes back, as the AZ's other instances; the backplane
 * knows at once (its agent cannot reach ECS), so nothing is placed there.
 * Done inside the registration's own news, before anything it set off
 * (the retry of the tasks waiting for capacity, a service's pass) can
 * place a task there. */
static void az_down(struct backplane *bp, int32_t inst)
{
	sim_time_t out = az_out_until(bp, inst), now = sim_now(backplane_sim(bp));

	if (out <= now || fault_inst_at(bp, inst)->dead ||
	    cluster_status(backplane_cluster(bp), inst) == INST_INACTIVE)
		return;
	fault_instance_fail(bp, inst, out - now, 0, STOP_INFRASTRUCTURE, "az_outage",
			    faults_of(bp)->az_outage_id[inst_az(bp, inst)]);
	clean(bp, inst, 0);
}

static void on_register(struct backplane *bp, int32_t inst, int group)
{
	struct faults *f = faults_of(bp);
	const struct scn_group *g;

	if (group >= 0) {
		g = &backplane_scenario(bp)->groups[group];
		schedule_ttf(bp, inst);
		/* the disconnect and Spot processes are not tied to the
		 * instance's failures (its `life`): they run on through a
		 * repair (choice E200) */
		if (g->has_disconnects) {
			struct fault_inst *a = fault_inst_at(bp, inst);

			a->disc_s = now_s(bp) + draw_s(&g->disc_ia, group_rng(bp, group));
			sim_at(backplane_sim(bp), sim_ms(a->disc_s), f->ev_disconnect, bp, inst_arg(inst, 0));
		}
		if (g->spot && g->has_spot_rate)
			sim_after(backplane_sim(bp), draw_ms(&g->tti, group_rng(bp, group)), f->ev_spot_notice,
				  bp, inst_arg(inst, 0));
	}
	/* last: its failure's `life` makes the time to failure just drawn
	 * stale; its repair at the AZ's return draws the next */
	az_down(bp, inst);
}

void fault_az_outage(struct backplane *bp, const char *az, sim_time_t duration, double fraction)
{
	struct faults *f = faults_of(bp);
	struct cluster *cl = backplane_cluster(bp);
	int32_t n = cluster_count(cl), k = 0, want;
	int32_t *in_az = xmalloc(((size_t)n + 1) * sizeof *in_az);
	int64_t all = 0, svc = 0, id = ++f->next_fault_id;

	for (int32_t i = 0; i < n; i++)
		if (strcmp(cluster_az(cl, i), az) == 0 && !fault_inst_at(bp, i)->dead &&
		    cluster_status(cl, i) != INST_INACTIVE)
			in_az[k++] = i;
	want = (int32_t)ceil(fraction * k - 1e-9);
	if (want < k && want > 0) {
		/* a partial outage: a uniform choice of the AZ's instances */
		int32_t *pick = xmalloc((size_t)want * sizeof *pick);

		gsl_ran_choose(f->outage_rng, pick, (size_t)want, in_az, (size_t)k, sizeof *in_az);
		memcpy(in_az, pick, (size_t)want * sizeof *pick);
		free(pick);
	}
	if (want > k)
		want = k;
	for (int32_t j = 0; j < want; j++)
		backplane_instance_tasks(bp, in_az[j], &all, &svc);
	metrics_on_fault(backplane_metrics(bp), sim_now(backplane_sim(bp)), id, "az_outage", az, az,
			 all, svc, duration);
	/* a whole AZ out: its load-balancer nodes go with it (docs/ecs-model.md §8.2);
	 * an instance of it down already, or registering in it, stays down
	 * until it ends (choice E201) */
	if (fraction >= 1.0) {
		int a = scenario_az_index(backplane_scenario(bp), az);

		if (a >= 0 && sim_now(backplane_sim(bp)) + duration > f->az_out_until[a]) {
			f->az_out_until[a] = sim_now(backplane_sim(bp)) + duration;
			f->az_outage_id[a] = id;
		}
		bp_notify(bp, &(struct bp_note){ .kind = BN_AZ_OUTAGE, .inst = -1, .az = az,
						  .len = duration, .at = sim_now(backplane_sim(bp)) });
	}
	for (int32_t j = 0; j < want; j++)
		fault_instance_fail(bp, in_az[j], duration, 0, STOP_INFRASTRUCTURE, "az_outage", id);
	free(in_az);
}

/* Scenario outages: scheduled ones, and stochastic processes (one pending
 * start each). */
static void on_outage_start(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct faults *f = faults_of(bp);
	struct scenario *sc = backplane_scenario(bp);
	const struct scn_outage *o = &sc->outages[ev->arg];
	const char *az = o->az;
	sim_time_t dur = o->duration;
	double end;

	if (o->stochastic) {
		if (!az)
			az = sc->azs[gsl_rng_uniform_int(f->outage_rng, (unsigned long)sc->n_azs)];
		/* it ends at its exact start + its length, the next starts a gap
		 * later, each instant rounded once */
		end = f->outage_s[ev->arg] + draw_s(&o->length, f->outage_rng);
		dur = sim_ms(end) - sim_now(s);
		f->outage_s[ev->arg] = end + draw_s(&o->interarrival, f->outage_rng);
		sim_at(s, sim_ms(f->outage_s[ev->arg]), f->ev_outage_start, bp, ev->arg);
	}
	fault_az_outage(bp, az, dur, o->fraction);
}

static void start(struct backplane *bp)
{
	struct faults *f = faults_of(bp);
	struct scenario *s = backplane_scenario(bp);

	for (int i = 0; i < s->n_outages; i++) {
		const struct scn_outage *o = &s->outages[i];

		if (o->stochastic) {
			f->outage_s[i] = now_s(bp) + draw_s(&o->interarrival, f->outage_rng);
			sim_at(backplane_sim(bp), sim_ms(f->outage_s[i]), f->ev_outage_start, bp, (uint64_t)i);
		} else
			sim_at(backplane_sim(bp), o->at, f->ev_outage_start, bp, (uint64_t)i);
	}
}

static void on_note(struct backplane *bp, void *ctx, const struct bp_note *n)
{
	struct faults *f = faults_of(bp);

	(void)ctx;
	if (n->kind == BN_INSTANCE_REGISTERED) {
		on_register(bp, n->inst, bp_instance_group(bp, n->inst));
	} else if (n->kind == BN_INSTANCE_TERMINATED) {
		clean(bp, n->inst, 1);
	} else if (n->kind == BN_GO) {
		start(bp);
	} else if (n->kind == BN_FREE) {
		free(f->fi);
		free(f->az_out_until);
		free(f->az_outage_id);
		free(f->outage_s);
		free(f);
		bp_set_actor_state(bp, BA_FAULTS, NULL);
	}
}

void fault_attach(struct backplane *bp)
{
	struct faults *f = xcalloc(1, sizeof *f);
	struct sim *sim = backplane_sim(bp);

	bp_set_actor_state(bp, BA_FAULTS, f);
	f->agent_rng = rng_stream(backplane_rng(bp), "agent");
	bp_subscribe(bp, BN_BIT(BN_INSTANCE_REGISTERED) | BN_BIT(BN_INSTANCE_TERMINATED) | BN_BIT(BN_GO) |
		     BN_BIT(BN_FREE), on_note, NULL);
	f->ev_fail_detect = sim_on_world(sim, "failure-detected", on_fail_detect, bp);
	f->ev_repair = sim_on_world(sim, "instance-repaired", on_repair, bp);
	f->ev_replace = sim_on_world(sim, "asg-replacement", on_replace, bp);
	f->ev_ttf = sim_on_world(sim, "instance-failure", on_ttf, bp);
	f->ev_spot_notice = sim_on_world(sim, "spot-notice", on_spot_notice, bp);
	f->ev_spot_end = sim_on_world(sim, "spot-termination", on_spot_end, bp);
	f->ev_outage_start = sim_on_world(sim, "az-outage", on_outage_start, bp);
	f->ev_disconnect = sim_on_world(sim, "agent-disconnect", on_disconnect, bp);
	f->outage_rng = rng_stream(backplane_rng(bp), "fault/az-outage");
	f->ev_spot_poll = sim_on_world(sim, "spot-notice-polled", on_spot_poll, bp);
	f->poll_rng = rng_stream(backplane_rng(bp), "fault/spot-poll");
	f->az_out_until = xcalloc((size_t)backplane_scenario(bp)->n_azs + 1, sizeof *f->az_out_until);
	f->az_outage_id = xcalloc((size_t)backplane_scenario(bp)->n_azs + 1, sizeof *f->az_outage_id);
	f->outage_s = xcalloc((size_t)backplane_scenario(bp)->n_outages + 1, sizeof *f->outage_s);
}

void fault_agent_disconnect(struct backplane *bp, int32_t inst, sim_time_t duration)
{
	backplane_agent_silent(bp, inst, duration);
}
