/* models/service_replica.c — the REPLICA scheduler's pass: launches up to
 * the desired count within the deployment's limits, outgoing tasks stopped
 * while enough stay healthy, scale-in victims, AZ rebalancing (the rules
 * are summed up at the top of service.c).
 */
#include "service_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/capacity/cp_route.h"
#include "models/placement/cql.h"
#include "sim/inum.h"
#include "sim/mem.h"
#include "sim/rng.h"

/* ---- launching and stopping ---------------------------------------------- */

/* The service's live tasks of deployment `dep` per item of its capacity
 * provider strategy (docs/ecs-model.md §5.11). */
static void strategy_counts(struct backplane *bp, const struct svc *v, int dep, const struct cp_strategy *st,
			    int *counts)
{
	for (int i = 0; i < st->n; i++)
		counts[i] = 0;
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = bp_task_at(bp, v->tasks[k]);

		if (!svc_live(t) || t->dep != dep)
			continue;
		for (int i = 0; i < st->n; i++)
			if (st->items[i].provider == t->cp)
				counts[i]++;
	}
}

/* No launch: the launch-rate quota holds it back (docs/ecs-model.md §7.5). */
#define HELD UINT32_MAX

/* A task of deployment `dep` (its task definition and placement policy):
 * the primary's, or an older one's replacing a task it lost during a
 * rolling deployment (docs/ecs-model.md §5.3, choice E8).  HELD when the
 * service's launch-rate quota has no room for its class (Fargate or
 * EC2/External: its provider's, else the service's launch type; §7.5,
 * choice E113): a pass is then due when the window has room. */
uint32_t svc_launch_dep(struct backplane *bp, int vi, int dep)
{
	struct svc *v = &svc_sched(bp)->svcs[vi];
	struct deployment *d = &v->deps[dep];
	sim_time_t dur = -1;
	uint32_t slot;
	const struct cp_strategy *st;
	int provider = -1, cls;

	st = cp_strategy_for(backplane_scenario(bp), vi);
	if (st) {
		/* base first, then the weights, over the deployment's tasks */
		int counts[CPS_MAX_ITEMS];

		strategy_counts(bp, v, dep, st, counts);
		provider = cp_route_next(st, counts, NULL);
	}
	cls = provider >= 0 ? (cp_is_fargate(backplane_scenario(bp), provider) ? LC_FARGATE : LC_EC2)
			    : (bp_svc_runs_on(bp, vi, d->td) == 2 ? LC_FARGATE : LC_EC2);
	if (svc_rate_room(bp, v, cls) <= 0) {
		svc_rate_wait(bp, v, cls);
		return HELD;
	}
	if (v->cfg->has_runtime) {
		double x = dist_sample(&v->cfg->runtime, v->runtime_rng);

		dur = sim_ms(x);
	}
	svc_account(bp, v);
	slot = bp_new_task(bp, d->td, v->group, NULL, dur, vi, dep, d->policy);
	bp_route_task(bp, slot, provider);
	svc_rate_note(bp, v, bp_task_at(bp, slot));
	svc_list_add(v, bp_task_at(bp, slot), slot);
	v->pending++;
	return slot;
}

static uint32_t launch(struct backplane *bp, int vi)
{
	return svc_launch_dep(bp, vi, svc_sched(bp)->svcs[vi].primary);
}

/* Scale-in (docs/ecs-model.md §4.5, §4.6; choices E20, E107): victims are
 * chosen one at a time, the counts taken again after each choice.  Tasks
 * not yet running go first.  Then the service's placement strategies decide
 * in order, each among the best of the one before (lexicographically, as
 * placement applies them): binpack on a field takes a task whose instance
 * would have the most of that resource left after the stop; spread on a
 * field takes a task of the value (AZ, instance, attribute value) holding
 * the most tasks of the service, so the rest stays balanced; random has no
 * preference.  The last ties are broken at random from the service's own
 * stream, or by the lowest task id when the scenario's tie-break is
 * `first`.  A service without a strategy follows the default rule: the AZ
 * with the most tasks of the service, then in it the instance with the
 * most (spread over AZs, then over instances), the last ties by the lowest
 * task id.  Counts are of the service's tasks whose desired status is
 * RUNNING, of every deployment.  While the service replaces tasks of a
 * DRAINING instance (one live there, or stopped for it and still
 * stopping), its running tasks not yet healthy go before its healthy ones
 * (choice E240): they are the drained tasks' replacements in effect, and
 * the drained tasks' stops were allowed by the floor the healthy ones
 * hold (§5.15). */
enum si_kind { SI_SPREAD_AZ, SI_SPREAD_INST, SI_SPREAD_ATTR, SI_BINPACK_CPU, SI_BINPACK_MEM, SI_NONE };

struct si_level {
	enum si_kind kind;
	const char *attr;          /* SI_SPREAD_ATTR: the attribute's name */
	int64_t *count;            /* spread: the service's tasks per value */
};

struct si {
	struct si_level lv[PLACE_MAX_STRATEGIES];
	int n;
	int by_id;                 /* the last ties go to the lowest task id */
	int by_health;             /* not yet healthy before healthy (E240) */
	/* SI_SPREAD_ATTR: the values met so far (index 0: no value, A10) */
	const char **values;
	int n_values;
	/* binpack: what the victims chosen so far free on each instance */
	int64_t *freed_cpu, *freed_mem;
	/* the instances of the service's tasks numbered 0, 1, ... as met
	 * (si_inst, sim/inum.h): spread-instance counts and what binpack
	 * frees are kept per number, so a scale-in costs the service's
	 * tasks, not every instance the run ever registered (inst.cap 0:
	 * not used) */
	struct inum inst;
};

struct victim {
	uint32_t slot;
	int started;
	int healthy;
	int32_t inst;
	int32_t ix;                /* its instance's number (si_inst), -1: none */
	uint64_t no;               /* the task's number: its id is "task-<no>" */
	int gone;
	int cp;
	int64_t cpu, mem;          /* what it holds on its instance */
	int value[PLACE_MAX_STRATEGIES];   /* spread: its value at each level, -1: none */
};

/* The strategies scale-in follows: the service's, else the default. */
static void si_init(struct backplane *bp, const struct place_policy *pol, int n_tasks, struct si *x)
{
	memset(x, 0, sizeof *x);
	if (pol->n_strategies == 0) {
		x->lv[0].kind = SI_SPREAD_AZ;
		x->lv[1].kind = SI_SPREAD_INST;
		x->n = 2;
		x->by_id = 1;          /* choice E20 */
	} else {
		for (int k = 0; k < pol->n_strategies; k++) {
			const struct place_strategy *s = &pol->strategies[k];
			struct si_level *l = &x->lv[x->n++];

			if (s->type == PS_BINPACK)
				l->kind = strcmp(s->field, "cpu") == 0 ? SI_BINPACK_CPU : SI_BINPACK_MEM;
			else if (s->type == PS_RANDOM)
				l->kind = SI_NONE;
			else if (strcmp(s->field, "instanceId") == 0 || strcmp(s->field, "host") == 0)
				l->kind = SI_SPREAD_INST;
			else if (strcmp(s->field, "attribute:ecs.availability-zone") == 0)
				l->kind = SI_SPREAD_AZ;      /* a Fargate task counts in its zone too */
			else {
				l->kind = SI_SPREAD_ATTR;
				l->attr = s->field + strlen("attribute:");
			}
		}
		x->by_id = pol->tie_break == PT_FIRST;
	}
	for (int k = 0; k < x->n; k++) {
		size_t n = x->lv[k].kind == SI_SPREAD_AZ ? (size_t)backplane_scenario(bp)->n_azs + 1
			 : x->lv[k].kind == SI_SPREAD_INST || x->lv[k].kind == SI_SPREAD_ATTR ? (size_t)n_tasks + 1
			 : 0;

		if (n)
			x->lv[k].count = xcalloc(n + 1, sizeof *x->lv[k].count);
		if ((x->lv[k].kind == SI_BINPACK_CPU || x->lv[k].kind == SI_BINPACK_MEM) && !x->freed_cpu) {
			x->freed_cpu = xcalloc((size_t)n_tasks + 1, sizeof *x->freed_cpu);
			x->freed_mem = xcalloc((size_t)n_tasks + 1, sizeof *x->freed_mem);
		}
		if ((x->lv[k].kind == SI_SPREAD_INST || x->lv[k].kind == SI_BINPACK_CPU ||
		     x->lv[k].kind == SI_BINPACK_MEM) && x->inst.cap == 0)
			inum_reset(&x->inst, (size_t)n_tasks + 1);
		if (x->lv[k].kind == SI_SPREAD_ATTR && !x->values) {
			x->values = xcalloc((size_t)n_tasks + 2, sizeof *x->values);
			x->n_values = 1;
		}
	}
}

static void si_free(struct si *x)
{
	for (int k = 0; k < x->n; k++)
		free(x->lv[k].count);
	free(x->values);
	free(x->freed_cpu);
	free(x->freed_mem);
	inum_free(&x->inst);
}

/* Instance inst's number among the service's (0, 1, ... as met), -1 for
 * none (inst -1: not placed, Fargate). */
static int32_t si_inst(struct si *x, int32_t inst)
{
	return inst < 0 ? -1 : inum_put(&x->inst, inst);
}

/* Task t's value at spread level k, -1 when it has none (not placed; for an
 * instance or an attribute, on Fargate). */
static int si_value(struct backplane *bp, struct si *x, int k, const struct task *t)
{
	const char *val = NULL;

	switch (x->lv[k].kind) {
	case SI_SPREAD_AZ:
		return bp_task_az_index(bp, t);
	case SI_SPREAD_INST:
		return si_inst(x, t->inst);
	case SI_SPREAD_ATTR:
		if (t->inst < 0)
			return -1;
		/* a missing or null attribute is one more value, "no value" (A10) */
		if (!cluster_attribute(backplane_cluster(bp), t->inst, x->lv[k].attr, &val) || !val)
			return 0;
		for (int i = 1; i < x->n_values; i++)
			if (strcmp(x->values[i], val) == 0)
				return i;
		x->values[x->n_values] = val;
		return x->n_values++;
	default:
		return -1;
	}
}

/* Victim y's key at level k: the larger, the better a victim. */
static int64_t si_key(struct backplane *bp, const struct si *x, int k, const struct victim *y)
{
	const struct si_level *l = &x->lv[k];

	switch (l->kind) {
	case SI_SPREAD_AZ:
	case SI_SPREAD_INST:
	case SI_SPREAD_ATTR:
		return y->value[k] >= 0 ? l->count[y->value[k]] : 0;
	case SI_BINPACK_CPU:
		return y->inst >= 0 ? cluster_cpu_remaining(backplane_cluster(bp), y->inst) + x->freed_cpu[y->ix] + y->cpu
				    : -1;
	case SI_BINPACK_MEM:
		return y->inst >= 0 ? cluster_mem_remaining(backplane_cluster(bp), y->inst) + x->freed_mem[y->ix] + y->mem
				    : -1;
	default:
		return 0;
	}
}

/* > 0 when victim a (keys ka) is the better victim than b (keys kb), 0 when
 * they tie (the last tie-break decides). */
static int si_cmp(const struct si *x, const struct victim *a, const int64_t *ka, const struct victim *b,
		  const int64_t *kb)
{
	if (a->started != b->started)
		return a->started < b->started ? 1 : -1;
	if (x->by_health && a->healthy != b->healthy)
		return a->healthy < b->healthy ? 1 : -1;
	for (int k = 0; k < x->n; k++)
		if (ka[k] != kb[k])
			return ka[k] > kb[k] ? 1 : -1;
	return 0;
}

/* Stop `excess` of the primary's tasks by the scale-in rule (§4.5, choice
 * E107); with `starting` only among those not yet healthy (the bound on
 * live tasks, svc_reconcile_replica).  Returns how many it stopped. */
static int64_t stop_excess(struct backplane *bp, struct svc *v, int64_t excess, int starting)
{
	struct victim *vs;
	struct si x;
	int n = 0;
	int64_t stopped = 0;
	const struct cp_strategy *st = cp_strategy_for(backplane_scenario(bp), (int)(v - svc_sched(bp)->svcs));

	if (excess <= 0)
		return 0;
	vs = xcalloc((size_t)v->n_tasks + 1, sizeof *vs);
	si_init(bp, v->deps[v->primary].policy, v->n_tasks, &x);
	/* the service replaces drained tasks (choice E240) */
	x.by_health = v->drain_stopping > 0;
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = bp_task_at(bp, v->tasks[k]);
		const struct place_req *r = &backplane_scenario(bp)->taskdefs[t->td].req;

		if (!svc_live(t))
			continue;
		if (svc_on_draining(bp, t))
			x.by_health = 1;
		for (int l = 0; l < x.n; l++) {
			int val = si_value(bp, &x, l, t);

			vs[n].value[l] = val;
			if (val >= 0 && x.lv[l].count)
				x.lv[l].count[val]++;
		}
		if (t->dep != v->primary || t->unhealthy || (starting && t->healthy) ||
		    svc_on_draining(bp, t))
			continue;
		/* task scale-in protection (docs/ecs-model.md §5.14) */
		if (t->protected_until > sim_now(backplane_sim(bp)))
			continue;
		vs[n].slot = v->tasks[k];
		vs[n].started = bp_task_az_index(bp, t) >= 0 && t->seen >= TS_RUNNING;
		vs[n].healthy = t->healthy;
		vs[n].inst = t->inst;
		vs[n].ix = x.freed_cpu ? si_inst(&x, t->inst) : -1;
		vs[n].no = t->no;
		vs[n].cp = t->cp;
		vs[n].cpu = r->cpu_units;
		vs[n].mem = r->mem_mib;
		n++;
	}
	for (int64_t e = 0; e < excess; e++) {
		int best = -1, from = -2, tied = 0;
		int64_t bk[PLACE_MAX_STRATEGIES], kk[PLACE_MAX_STRATEGIES];

		if (st) {
			/* the provider furthest above its share gives up a task
			 * (docs/ecs-model.md §5.11); when none of its tasks may go,
			 * any provider's */
			int counts[CPS_MAX_ITEMS], item, any = 0;

			strategy_counts(bp, v, v->primary, st, counts);
			item = cps_choose_remove(st, counts);
			from = item >= 0 ? st->items[item].provider : -2;
			for (int k = 0; k < n && !any; k++)
				any = !vs[k].gone && vs[k].cp == from;
			if (!any)
				from = -2;
		}
		for (int k = 0; k < n; k++) {
			int c;

			if (vs[k].gone || (from != -2 && vs[k].cp != from))
				continue;
			for (int l = 0; l < x.n; l++)
				kk[l] = si_key(bp, &x, l, &vs[k]);
			c = best < 0 ? 1 : si_cmp(&x, &vs[k], kk, &vs[best], bk);
			if (c == 0) {
				tied++;
				if (x.by_id && task_no_before(vs[k].no, vs[best].no))
					best = k;
			} else if (c > 0) {
				best = k;
				tied = 1;
				memcpy(bk, kk, sizeof kk);
			}
		}
		if (best < 0)
			break;
		if (!x.by_id && tied > 1) {
			/* one draw, only when there is a choice: the j-th of the
			 * tied in the service's list order */
			unsigned long j;

			if (!v->scale_in_rng) {
				char name[300];

				snprintf(name, sizeof name, "service/%s/scale-in", v->cfg->name);
				v->scale_in_rng = rng_stream(backplane_rng(bp), name);
			}
			j = gsl_rng_uniform_int(v->scale_in_rng, (unsigned long)tied);
			for (int k = 0; k < n; k++) {
				if (vs[k].gone || (from != -2 && vs[k].cp != from))
					continue;
				for (int l = 0; l < x.n; l++)
					kk[l] = si_key(bp, &x, l, &vs[k]);
				if (si_cmp(&x, &vs[k], kk, &vs[best], bk) == 0 && j-- == 0) {
					best = k;
					break;
				}
			}
		}
		vs[best].gone = 1;
		/* it no longer counts toward its values, and frees what it holds */
		for (int l = 0; l < x.n; l++)
			if (vs[best].value[l] >= 0 && x.lv[l].count)
				x.lv[l].count[vs[best].value[l]]--;
		if (x.freed_cpu && vs[best].inst >= 0) {
			x.freed_cpu[vs[best].ix] += vs[best].cpu;
			x.freed_mem[vs[best].ix] += vs[best].mem;
		}
		svc_stop(bp, vs[best].slot);
		stopped++;
	}
	si_free(&x);
	free(vs);
	return stopped;
}

void svc_stop_excess(struct backplane *bp, struct svc *v, int64_t excess)
{
	stop_excess(bp, v, excess, 0);
}

/* The AZs service vi can use, usable[a] for each of the scenario's n_azs
 * zones (docs/ecs-model.md §5.9, choices E4, E106): on instances, the zones
 * with ACTIVE connected instances, for an awsvpc task only its subnets'
 * (LOCATION, §4.2); on Fargate, its subnet zones not out and below the
 * per-zone limit.  The one definition of the zones the rebalancing balances
 * and its events (service_events.c) name and count. */
void svc_usable_azs(struct backplane *bp, int vi, uint8_t *usable)
{
	const struct svc *v = &svc_sched(bp)->svcs[vi];
	const struct place_policy *pol = v->deps[v->primary].policy;
	int n_az = backplane_scenario(bp)->n_azs, on = bp_svc_runs_on(bp, vi, v->deps[v->primary].td);

	memset(usable, 0, (size_t)n_az);
	if (on & 1)
		for (int a = 0; a < n_az; a++)
			usable[a] = (uint8_t)cluster_az_has_placeable(backplane_cluster(bp), backplane_scenario(bp)->azs[a]);
	/* an awsvpc task goes to a zone of its subnets only (LOCATION,
	 * docs/ecs-model.md §4.2) */
	if ((on & 1) && pol->n_loc_az > 0 && backplane_scenario(bp)->taskdefs[v->deps[v->primary].td].td->eni)
		for (int a = 0; a < n_az; a++)
			usable[a] &= v->cfg->subnet_azs[a];
	/* a Fargate service can go to the zones of its subnets that are not
	 * out and have room */
	if (on & 2)
		for (int a = 0; a < n_az; a++)
			usable[a] |= (uint8_t)bp_fargate_zone_open(bp, vi, a);
}

/* docs/ecs-model.md §5.9 AZ rebalancing: for a steady REPLICA service whose first strategy
 * spreads over AZs (or that has none), maximumPercent > 100 and no
 * placement constraint on attribute:ecs.availability-zone (its deployment's
 * policy: a revision may bring one), when the
 * AZs it can use (svc_usable_azs: with ACTIVE instances; for a Fargate
 * service, its subnet zones not out and below the per-zone limit) hold
 * counts of its tasks (on
 * instances or on Fargate) differing by more than one,
 * start one task in the least loaded AZ; once it is healthy the scale-in
 * rule stops one in the most loaded AZ (at the pass that follows).  The
 * imbalance threshold is max − min > 1, checked every
 * `rebalanceCheckSeconds` (60 s; both unconfirmed in the reference) by
 * svc_rebalance_check, not at the scheduler's passes (choice E118). */
static void rebalance(struct backplane *bp, int vi)
{
	struct svc *v = &svc_sched(bp)->svcs[vi];
	const struct place_policy *pol = v->deps[v->primary].policy;
	int n_az = backplane_scenario(bp)->n_azs, lo = -1, hi = -1;
	int64_t *count;
	uint8_t *usable;
	uint32_t slot;

	if (!scn_service_rebalances(v->cfg, pol))
		return;
	/* the extra task must fit under maximumPercent, rounded down (§5.5),
	 * beside the tasks stopped for a DRAINING instance that still stop
	 * (§5.15, choice E237) */
	if ((int64_t)floor((double)v->desired * v->cfg->max_pct / 100.0) <= v->desired + v->drain_stopping)
		return;
	count = xcalloc((size_t)n_az + 1, sizeof *count);
	usable = xcalloc((size_t)n_az + 1, 1);
	svc_usable_azs(bp, vi, usable);
	/* a task counts in its zone, on an instance or on Fargate */
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = bp_task_at(bp, v->tasks[k]);
		int a = bp_task_az_index(bp, t);

		if (t->desired == TD_RUNNING && a >= 0)
			count[a]++;
	}
	for (int a = 0; a < n_az; a++) {
		if (!usable[a])
			continue;
		if (lo < 0 || count[a] < count[lo])
			lo = a;
		if (hi < 0 || count[a] > count[hi])
			hi = a;
	}
	if (lo >= 0 && hi >= 0 && count[hi] - count[lo] > 1 && (slot = launch(bp, vi)) != HELD) {
		bp_pin_task(bp, slot, -1, backplane_scenario(bp)->azs[lo]);
		v->rebalancing = 1;
	}
	free(count);
	free(usable);
}

/* One older deployment's tasks in a pass (docs/ecs-model.md §5.3, choice
 * E8): `good` count toward its target (live, not unhealthy, not on a
 * DRAINING instance), `good_healthy` of them healthy; `unhealthy` are live
 * and unhealthy, not on a DRAINING instance. */
struct dep_count {
	int64_t live, good, good_healthy, unhealthy;
};

/* A REPLICA service at steady state now, by the pass's own completion
 * rule (below): nothing outgoing (an older revision's task, or one on a
 * DRAINING instance), no older revision's task still stopping, its desired
 * count of primary tasks live and healthy (docs/ecs-model.md §5.5, choice
 * E147). */
int svc_replica_steady(struct backplane *bp, const struct svc *v)
{
	int64_t primary = 0, primary_healthy = 0, outgoing = 0;

	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = bp_task_at(bp, v->tasks[k]);

		if (!svc_live(t)) {
			outgoing += t->dep != v->primary;
			continue;
		}
		if (t->dep != v->primary || svc_on_draining(bp, t)) {
			outgoing++;
		} else {
			primary++;
			primary_healthy += t->healthy;
		}
	}
	return outgoing == 0 && primary_healthy >= v->desired && primary == v->desired;
}

/* The pass's launches (docs/ecs-model.md §5.5 upper bound, §5.4 throttle):
 * an older deployment's missing tasks first (choice E8: `dc` its counts,
 * brought up to its target), then up to `can` of the primary's, while
 * fewer than `max_tasks` are live (`*active`, counted up; the pass's
 * bound less the drained tasks still stopping, choice E237).  The throttle
 * delays a deployment's launches only, each deployment's its own (choice
 * E117): a pass of its own at the end of the earliest wait, while every
 * other trigger still gets the scheduler's delay.  *held is set when the
 * launch-rate quota held a launch back (§7.5; its pass is due then).
 * Returns the primary's tasks launched. */
static int64_t launch_step(struct backplane *bp, int vi, struct dep_count *dc, int64_t *active, int64_t max_tasks,
			   int64_t can, int *held)
{
	struct svc *v = &svc_sched(bp)->svcs[vi];
	struct deployment *p = &v->deps[v->primary];
	sim_time_t now = sim_now(backplane_sim(bp)), wake = -1;
	int64_t old_need = 0, launched = 0;

	for (int i = 0; i < v->n_deps; i++)
		if (i != v->primary && v->deps[i].want > dc[i].good)
			old_need += v->deps[i].want - dc[i].good;
	if (*held || (can <= 0 && old_need <= 0) || max_tasks - *active <= 0)
		return 0;
	for (int i = 0; i < v->n_deps && *active < max_tasks; i++) {
		if (i == v->primary || dc[i].good >= v->deps[i].want)
			continue;
		if (now < v->deps[i].throttle_until) {
			if (wake < 0 || v->deps[i].throttle_until < wake)
				wake = v->deps[i].throttle_until;
			continue;
		}
		while (dc[i].good < v->deps[i].want && *active < max_tasks) {
			if (svc_launch_dep(bp, vi, i) == HELD) {
				*held = 1;
				break;
			}
			dc[i].live++;
			dc[i].good++;
			(*active)++;
		}
	}
	if (max_tasks - *active < can)
		can = max_tasks - *active;
	if (can > 0 && now < p->throttle_until) {
		if (wake < 0 || p->throttle_until < wake)
			wake = p->throttle_until;
	} else {
		for (int64_t k = 0; k < can; k++) {
			if (launch(bp, vi) == HELD) {
				*held = 1;
				break;
			}
			(*active)++;
			launched++;
		}
	}
	if (wake >= 0 && v->throttle_wake != wake) {
		v->throttle_wake = wake;
		sim_after(backplane_sim(bp), wake - now, svc_sched(bp)->ev_reconcile, v, 1);
	}
	return launched;
}

/* What a pass counts of the service's listed tasks (svc_reconcile_replica). */
struct pass_counts {
	int64_t active;            /* live */
	int64_t healthy;           /* live and healthy */
	int64_t primary;           /* live, the primary's, not on a DRAINING instance */
	int64_t outgoing;          /* live, another deployment's or on a DRAINING instance */
	int64_t primary_healthy, unhealthy;   /* of `primary` */
	int64_t starting;          /* live, neither healthy nor unhealthy, not on a DRAINING instance */
	int64_t stopping;          /* not live */
	int64_t old_stopping;      /* of `stopping`, another deployment's */
	int64_t drained;           /* of `stopping`, stopped for a DRAINING instance
				    * (svc_stop marks them): they count toward
				    * maximumPercent (§5.15, choice E237) */
};

/* The counts by a look at every listed task, and per older deployment
 * its live, good (not unhealthy, not on a DRAINING instance), good and
 * healthy, and unhealthy ones into dc (zeroed). */
static void pass_count_list(struct backplane *bp, const struct svc *v, struct pass_counts *c, struct dep_count *dc)
{
	memset(c, 0, sizeof *c);
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = bp_task_at(bp, v->tasks[k]);
		int draining, out;

		if (!svc_live(t)) {
			c->stopping++;   /* still stopping: its stop calls a pass */
			c->old_stopping += t->dep != v->primary;
			c->drained += t->svc_drained;
			continue;
		}
		draining = svc_on_draining(bp, t);
		out = t->dep != v->primary || draining;
		c->active++;
		c->healthy += t->healthy;
		/* starting: a task of any deployment on its way to healthy
		 * (a replacement, a rollout's task), not on a DRAINING instance */
		if (!draining)
			c->starting += !t->healthy && !t->unhealthy;
		if (out)
			c->outgoing++;
		else {
			c->primary++;
			c->primary_healthy += t->healthy;
			c->unhealthy += t->unhealthy;
		}
		if (t->dep != v->primary) {
			struct dep_count *d = &dc[t->dep];

			d->live++;
			if (!draining && !t->unhealthy) {
				d->good++;
				d->good_healthy += t->healthy;
			} else if (!draining) {
				d->unhealthy++;
			}
		}
	}
}

/* The counts of a pass.  With one deployment and no DRAINING instance
 * every live task is the primary's and none is outgoing: the service's
 * live counts (struct svc n_live, kept as tasks are listed, stop and
 * change health) tell them all, with no look at its tasks (a pass per
 * task stop in a service of thousands: a look at every task each was
 * most of a service-heavy run).  ECSIM_CHECKS: checked against the
 * look. */
static void pass_count(struct backplane *bp, const struct svc *v, struct pass_counts *c, struct dep_count *dc)
{
	if (v->n_deps != 1 || cluster_n_draining(backplane_cluster(bp)) != 0) {
		pass_count_list(bp, v, c, dc);
		return;
	}
	*c = (struct pass_counts){
		.active = v->n_live,
		.healthy = v->live_healthy,
		.primary = v->n_live,
		.primary_healthy = v->live_healthy,
		.unhealthy = v->live_unhealthy,
		.starting = v->n_live - v->live_healthy - v->live_unhealthy,
		.stopping = v->n_tasks - v->n_live,
		/* (an instance set ACTIVE again, or deregistered, while they
		 * still stop) */
		.drained = v->drain_stopping,
	};
#ifdef ECSIM_CHECKS
	{
		struct pass_counts w;

		pass_count_list(bp, v, &w, dc);
		if (memcmp(&w, c, sizeof w) != 0)
			abort();
	}
#endif
}

void svc_reconcile_replica(struct backplane *bp, int vi)
{
	struct svc *v = &svc_sched(bp)->svcs[vi];
	struct deployment *p = &v->deps[v->primary];
	int64_t max_tasks = (int64_t)floor((double)v->desired * v->cfg->max_pct / 100.0);
	int64_t min_healthy = (int64_t)ceil((double)v->desired * v->cfg->min_healthy_pct / 100.0);
	struct pass_counts pc;
	int64_t room_max;
	int64_t active, healthy, primary, outgoing, primary_healthy, unhealthy, starting, stopping;
	int64_t can, launched, share = v->desired;
	int held = 0;
	int no_room, failed = p->rollout == ROLL_FAILED;
	sim_time_t now = sim_now(backplane_sim(bp));
	struct dep_count *dc = xcalloc((size_t)v->n_deps, sizeof *dc);

	pass_count(bp, v, &pc, dc);
	active = pc.active;
	healthy = pc.healthy;
	primary = pc.primary;
	outgoing = pc.outgoing;
	primary_healthy = pc.primary_healthy;
	unhealthy = pc.unhealthy;
	starting = pc.starting;
	stopping = pc.stopping;
	/* the launches' bound (docs/ecs-model.md §5.15, choice E237): the
	 * tasks stopped because their instance is DRAINING count toward
	 * maximumPercent until they have stopped, so at max 100 a drained
	 * task's replacement starts only after it has stopped (its stop calls
	 * the pass that launches it).  Any other task stopping holds no room
	 * (§5.5: a rolling deployment's older tasks, scale-in, unhealthy ones) */
	room_max = max_tasks - pc.drained;
	/* older deployments' targets (choice E8): once the primary has the
	 * desired count healthy, an older revision's missing tasks are not
	 * started again, and its tasks not yet healthy go */
	for (int i = 0; i < v->n_deps; i++) {
		if (i == v->primary)
			continue;
		if (primary_healthy >= v->desired && v->deps[i].want > dc[i].good_healthy)
			v->deps[i].want = dc[i].good_healthy;
		share -= v->deps[i].want;
	}
	/* a FAILED deployment without rollback (choice E182): its revision
	 * holds what the older deployments' targets leave of the desired
	 * count, at most */
	if (share < 0)
		share = 0;
	/* unhealthy tasks (docs/ecs-model.md §5.3): the primary's stopped
	 * once as many replacements are healthy, an older deployment's once
	 * its revision has its target healthy without it (choice E8, below).
	 * With no room for a replacement (maximumPercent, or the last
	 * replacement found no capacity: choice E103), one unhealthy task of
	 * any deployment at a time — none while a task of the service is still
	 * starting (its health calls the next pass) nor, when the last launch
	 * found no capacity, while one is still stopping: it holds the
	 * capacity the replacement lacked until it has stopped, and its stop
	 * calls the next pass, which launches that replacement first (the
	 * previous unhealthy task the scheduler stopped: choice E149).  A task
	 * stopping counts toward no maximumPercent (`active` is the live
	 * ones; only the drained ones stopping, in room_max, choice E237), so
	 * under that bound alone the replacement was launched with the stop
	 * and is starting.  minimumHealthyPercent is the constraint (AWS
	 * DeploymentConfiguration.minimumHealthyPercent), but stopping an
	 * unhealthy task never lowers the healthy count, so it never forbids
	 * this stop.  The older deployments' first (oldest first), as their
	 * launches are, then the primary's; its replacement is launched at
	 * once below */
	no_room = active >= room_max || v->wants_capacity;
	if (unhealthy > 0) {
		/* a FAILED deployment launches nothing (§5.6): no replacement
		 * can come for its unhealthy tasks, so they go at once
		 * (choice E182) */
		int64_t go = failed ? unhealthy : primary_healthy + unhealthy - v->desired;

		if (go > 0)
			no_room = 0;   /* surplus ones go: not one for want of room */
		for (int k = 0; k < v->n_tasks && go > 0; k++) {
			uint32_t slot = v->tasks[k];
			struct task *t = bp_task_at(bp, slot);

			if (!svc_live(t) || !t->unhealthy || t->dep != v->primary ||
			    svc_on_draining(bp, t))
				continue;
			svc_stop(bp, slot);
			active--;
			primary--;
			unhealthy--;
			go--;
			k = -1;   /* the list may have changed */
		}
	}
	if (no_room && starting == 0 && !(v->wants_capacity && stopping > 0)) {
		int best = -1;
		uint32_t slot = 0;

		for (int k = 0; k < v->n_tasks; k++) {
			struct task *t = bp_task_at(bp, v->tasks[k]);
			int rank;

			if (!svc_live(t) || !t->unhealthy ||
			    svc_on_draining(bp, t))
				continue;
			/* an older deployment's before the primary's, the oldest first */
			rank = t->dep == v->primary ? v->n_deps : t->dep;
			if (best < 0 || rank < best) {
				best = rank;
				slot = v->tasks[k];
			}
		}
		if (best >= 0) {
			struct task *t = bp_task_at(bp, slot);

			if (t->dep == v->primary) {
				primary--;
				unhealthy--;
			} else {
				dc[t->dep].live--;
				dc[t->dep].unhealthy--;
			}
			svc_stop(bp, slot);
			active--;
		}
	}
	/* launches (docs/ecs-model.md §5.5 upper bound, §5.4 throttle, §5.6
	 * FAILED); an unhealthy task is replaced before it is stopped (§5.3),
	 * and an older deployment's lost or unhealthy task by one of its own
	 * revision, first (§5.3, choice E8) */
	can = p->rollout != ROLL_FAILED ? v->desired - (primary - unhealthy) : 0;
	if (can < 0)
		can = 0;
	svc_want_capacity(bp, v, 0);
	launched = launch_step(bp, vi, dc, &active, room_max, can, &held);
	/* outgoing tasks: those of older deployments (choice E8): an
	 * unhealthy one once its revision has its target healthy without it
	 * (with no room to replace it, one at a time above, choice E103);
	 * one not yet healthy above
	 * its target; healthy ones within the floor, each the rollout's
	 * progress (its deployment's target one less) unless above the
	 * target.  Tasks on DRAINING instances: not healthy ones freely,
	 * healthy ones within the floor, before any other healthy one
	 * (§5.15): the floor's room goes first to the tasks whose instance
	 * is leaving (a Spot instance's are lost with it), not to an older
	 * revision's tasks elsewhere, whatever the list's order */
	if (outgoing > 0) {
		/* a FAILED deployment's service above its desired count
		 * (choice E153): its tasks that count, every revision's */
		int64_t over = primary - unhealthy - v->desired;

		for (int i = 0; i < v->n_deps; i++)
			if (i != v->primary)
				over += dc[i].good;
		/* pass 0: the tasks not healthy; 1: the healthy ones on a
		 * DRAINING instance; 2: the other healthy ones */
		for (int pass = 0; pass < 3; pass++) {
			for (int k = 0; k < v->n_tasks; k++) {
				uint32_t slot = v->tasks[k];
				struct task *t = bp_task_at(bp, slot);
				int draining, out, surplus = 0;

				if (!svc_live(t))
					continue;
				draining = svc_on_draining(bp, t);
				out = t->dep != v->primary || draining;
				if (!out || (int)t->healthy != (pass > 0) || (pass > 0 && draining != (pass == 1)))
					continue;
				/* a FAILED deployment without rollback is over: the
				 * service runs on the older tasks it has (choice,
				 * scenarios/README.md "Circuit breaker"); an unhealthy
				 * one is still replaced by its own revision (§5.3).
				 * A lower desired count and a draining instance are
				 * still the service's (choice E153): while the
				 * service has more tasks than desired, an older
				 * revision's tasks above its target lowered by the
				 * count (choice E112) go, and so do those on a
				 * DRAINING instance (§5.15), as in any pass */
				if (p->rollout == ROLL_FAILED && t->dep != v->primary && !t->unhealthy && !draining) {
					if (over <= 0 || dc[t->dep].good <= v->deps[t->dep].want)
						continue;
					surplus = 1;
				}
				/* task scale-in protection (docs/ecs-model.md
				 * §5.14): a deployment does not stop a protected
				 * task of an older revision; it stays outgoing, so
				 * the deployment completes only after the
				 * protection expires (the scaler's pass then,
				 * choice E45).  Draining its instance still stops
				 * it, and so do failed health checks (§5.3): neither
				 * is a deployment (choice E108) */
				if (t->protected_until > now && t->dep != v->primary && !t->unhealthy && !draining)
					continue;
				if (t->dep != v->primary && !draining) {
					struct dep_count *c = &dc[t->dep];
					struct deployment *d = &v->deps[t->dep];

					if (t->unhealthy) {
						if (c->good_healthy + c->unhealthy <= d->want)
							continue;
						c->unhealthy--;
					} else if (!t->healthy) {
						if (c->good <= d->want)
							continue;
						c->good--;
					} else {
						if (healthy - 1 < min_healthy)
							continue;
						healthy--;
						if (c->good <= d->want)
							d->want--;
						c->good--;
						c->good_healthy--;
					}
				} else if (t->healthy) {
					/* on a DRAINING instance, within the floor
					 * (§5.15); a FAILED revision's own task at
					 * once: its revision launches nothing, so no
					 * replacement can come to lift the floor
					 * (choice E154, as E182 for its unhealthy
					 * tasks) */
					if (healthy - 1 < min_healthy && !(failed && t->dep == v->primary))
						continue;
					healthy--;
				}
				over -= surplus;
				/* one on a DRAINING instance holds its room
				 * until it has stopped (svc_stop; §5.15,
				 * choice E237) */
				svc_stop(bp, slot);
				if (draining)
					room_max--;
				active--;
				k = -1;   /* the list may have changed */
			}
		}
		/* maximumPercent bounds the RUNNING/PENDING tasks only
		 * (docs/ecs-model.md §5.5): a task stopping holds no room, so
		 * the room these stops made is used in the same pass, as the
		 * guide's "stop 2 old tasks first, then start 2 new ones";
		 * not the room of a task stopped for a DRAINING instance, held
		 * until it has stopped (§5.15, choice E237) */
		launch_step(bp, vi, dc, &active, room_max, can - launched, &held);
	}
	free(dc);
	/* scale-in of the primary above the desired count; while an AZ
	 * rebalancing task is on its way, wait until every task is healthy,
	 * then the scale-in rule stops one in the most loaded AZ (docs/ecs-model.md §5.9) */
	if (v->rebalancing && primary > v->desired && primary_healthy < primary)
		;
	else {
		/* `primary` stays the pass's count: the rebalancing step
		 * below ends at the next pass */
		active -= stop_excess(bp, v, primary - unhealthy - (failed ? share : v->desired), 0);
	}
	/* maximumPercent after a lower desired count (docs/ecs-model.md §5.5,
	 * choice E112): the launches never pass floor(desired × maximumPercent
	 * / 100), but the primary's tasks launched under the higher count may,
	 * beside the older tasks minimumHealthyPercent keeps.  After the
	 * scale-in above, the primary's tasks not yet healthy go down to the
	 * bound (never a healthy one: the floor is not touched); they are
	 * launched again as the older tasks go, within the bound */
	if (active > max_tasks) {
		int64_t n = stop_excess(bp, v, active - max_tasks, 1);

		active -= n;
		primary -= n;
	}
	if (primary <= v->desired)
		v->rebalancing = 0;
	/* completion, at steady state: every older task stopped, not one
	 * still draining its targets or stopping (docs/ecs-model.md §5.5,
	 * choice E147); its stop calls the pass that completes */
	if (outgoing == 0 && pc.old_stopping == 0 && primary_healthy >= v->desired && primary == v->desired &&
	    p->rollout == ROLL_IN_PROGRESS) {
		/* with alarms, the bake time first (docs/ecs-model.md §5.6,
		 * choice E137); COMPLETED at its end */
		if (svc_alarms_steady(bp, v))
			p->rollout = ROLL_COMPLETED;
		for (int i = 0; i < v->n_deps; i++)
			if (i != v->primary) {
				v->deps[i].status = DEP_INACTIVE;
				v->deps[i].want = 0;
			}
	}
}

/* Whether a task of the service not yet heard STOPPED (live, or stopping:
 * still listed) is on a DRAINING instance. */
static int on_draining(struct backplane *bp, const struct svc *v)
{
	if (cluster_n_draining(backplane_cluster(bp)) == 0)
		return 0;
	for (int k = 0; k < v->n_tasks; k++)
		if (svc_on_draining(bp, bp_task_at(bp, v->tasks[k])))
			return 1;
	return 0;
}

/* The periodic AZ-rebalancing check (docs/ecs-model.md §5.9, choice
 * E118), every `rebalanceCheckSeconds`: a steady service — nothing
 * outgoing, its desired count of primary tasks all healthy, its deployment
 * not FAILED, no rebalancing task on its way, none of its tasks on a
 * DRAINING instance, not even one stopping there (§5.2, §5.15: the
 * rebalancing waits until the draining is over) — whose AZs are imbalanced
 * gets one task started in the least loaded AZ (rebalance).  The passes
 * that follow stop one in the most loaded AZ once it is healthy; the next
 * step waits for the next check.  The pass's own counts, without a pass:
 * a pass at this instant would do what the service's scheduled passes do
 * later (placement retries, replacements). */
void svc_rebalance_check(struct backplane *bp, int vi)
{
	struct svc *v = &svc_sched(bp)->svcs[vi];
	struct pass_counts pc;
	struct dep_count *dc;
	int64_t primary, primary_healthy, outgoing;

	if (v->cfg->sched != SCHED_REPLICA || v->n_deps == 0)
		return;
	/* (a pass's counts: the same definitions) */
	dc = xcalloc((size_t)v->n_deps, sizeof *dc);
	pass_count(bp, v, &pc, dc);
	free(dc);
	primary = pc.primary;
	primary_healthy = pc.primary_healthy;
	outgoing = pc.outgoing;
	/* a rebalancing task that never was (no room for it, choice A3) */
	if (primary <= v->desired)
		v->rebalancing = 0;
	if (outgoing == 0 && primary == v->desired && primary_healthy == primary &&
	    v->deps[v->primary].rollout != ROLL_FAILED && !v->rebalancing && !on_draining(bp, v))
		rebalance(bp, vi);
}
