/* models/service_daemon.c — the DAEMON scheduler's pass: one task on every
 * ACTIVE instance that can hold it (docs/ecs-model.md §4.10); the rules are
 * summed up at the top of service.c.  And the room reserved for daemon
 * tasks ahead of others (§4.10, choices E130–E134): the holds on the
 * instances (cluster_hold), kept by the pass and by a small actor of its
 * own that follows instances and DAEMON tasks as they change.
 */
#include "service_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/placement/cql.h"
#include "sim/mem.h"

/* The instance as a constraint of the DAEMON sees it (docs/ecs-model.md
 * §4.10, choice E116): without the service's own tasks, so that its task
 * there never decides whether it belongs there — runningTasksCount less
 * the service's tasks on the instance, task:group without the service's
 * group.  Everything else is the cluster's own view. */
struct own_ref {
	struct cluster_ref ref;    /* first: the cluster's view reads it */
	uint32_t group;
	const char **buf;          /* the filtered groups (caller frees) */
};

static const struct cql_view *base_view(void)
{
	return cluster_cql_view();
}

static int own_attribute(const void *p, const char *name, const char **value)
{
	return base_view()->attribute(&((const struct own_ref *)p)->ref, name, value);
}

static const char *own_instance_id(const void *p)
{
	return base_view()->instance_id(&((const struct own_ref *)p)->ref);
}

static const char *own_ec2_id(const void *p)
{
	return base_view()->ec2_instance_id(&((const struct own_ref *)p)->ref);
}

static int own_agent_connected(const void *p)
{
	return base_view()->agent_connected(&((const struct own_ref *)p)->ref);
}

static const char *own_agent_version(const void *p)
{
	return base_view()->agent_version(&((const struct own_ref *)p)->ref);
}

static int64_t own_registered_at(const void *p)
{
	return base_view()->registered_at_ms(&((const struct own_ref *)p)->ref);
}

static int64_t own_running(const void *p)
{
	const struct own_ref *r = p;

	return base_view()->running_tasks_count(&r->ref) - cluster_group_tasks_on(r->ref.cl, r->ref.i, r->group);
}

static int own_groups(const void *p, const char *const **groups)
{
	const struct own_ref *r = p;
	const char *mine = cluster_group_name(r->ref.cl, r->group);
	int n = base_view()->task_groups(&r->ref, groups), k = 0;

	if (cluster_group_tasks_on(r->ref.cl, r->ref.i, r->group) == 0)
		return n;
	for (int j = 0; j < n; j++)
		if (strcmp((*groups)[j], mine) != 0)
			r->buf[k++] = (*groups)[j];
	*groups = r->buf;
	return k;
}

static const struct cql_view own_view = {
	own_attribute, own_instance_id, own_ec2_id, own_agent_connected, own_agent_version,
	own_registered_at, own_running, own_groups,
};

/* Whether instance i meets the primary deployment's memberOf constraints
 * (the service's and its task definition's), those that read other tasks
 * without the service's own (choice E116): the "placement constraints of
 * the service" a SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED row names
 * (choices E184, E188). */
static int daemon_constraints_met(struct backplane *bp, const struct svc *v, int32_t i)
{
	const struct deployment *d = &v->deps[v->primary];
	struct cluster_ref ref = { backplane_cluster(bp), i };

	for (int k = 0; k < d->policy->n_constraints; k++) {
		const struct place_constraint *pc = &d->policy->constraints[k];

		if (pc->type != PC_MEMBER_OF)
			continue;
		if (cql_is_dynamic(pc->expr)) {
			const char *const *g;
			struct own_ref o = { ref, v->group, NULL };
			int ok;

			o.buf = xmalloc(((size_t)cluster_task_groups(ref.cl, i, &g) + 1) * sizeof *o.buf);
			ok = cql_eval(pc->expr, &own_view, &o);
			free(o.buf);
			if (!ok)
				return 0;
		} else if (!cql_eval(pc->expr, cluster_cql_view(), &ref)) {
			return 0;
		}
	}
	return 1;
}

/* An instance the DAEMON belongs on (docs/ecs-model.md §4.10): ACTIVE,
 * satisfying the primary deployment's memberOf constraints and its task
 * definition's attribute requirements (runtimePlatform,
 * ecs.capability.task-eni for awsvpc), which no amount of waiting changes.
 * Room (CPU, memory, ports, ENIs, GPUs) and the agent's connection do not
 * matter: ECS keeps waiting for room on that instance, and an instance
 * whose agent is silent stays ACTIVE (docs/ecs-model.md §7.4; see
 * scenarios/README.md, services/DAEMON).  A constraint that reads other
 * tasks (runningTasksCount, task:group) is evaluated without the
 * service's own tasks on the instance (choice E116): would the instance be
 * chosen for the task if it were placed now, the task itself not there. */
static int daemon_eligible(struct backplane *bp, const struct svc *v, int32_t i)
{
	const struct place_req *r = &backplane_scenario(bp)->taskdefs[v->deps[v->primary].td].req;
	const char *val;

	if (cluster_status(backplane_cluster(bp), i) != INST_ACTIVE)
		return 0;
	if (r->eni && !cluster_attribute(backplane_cluster(bp), i, "ecs.capability.task-eni", &val))
		return 0;
	if (r->os_family && !(cluster_attribute(backplane_cluster(bp), i, "ecs.os-family", &val) && val &&
			      strcasecmp(val, r->os_family) == 0))
		return 0;
	if (r->cpu_arch && !(cluster_attribute(backplane_cluster(bp), i, "ecs.cpu-architecture", &val) && val &&
			     strcasecmp(val, r->cpu_arch) == 0))
		return 0;
	return daemon_constraints_met(bp, v, i);
}

/* The room a DAEMON holds (docs/ecs-model.md §4.10, choices E130-E133):
 * on an instance it belongs on (daemon_eligible: ACTIVE, its constraints
 * and attribute requirements) where no task of the service is placed
 * (running, starting or still stopping: a stopping task's room turns into
 * the hold when it is released, not before, so a redeployment never holds
 * the room twice), the primary deployment's CPU, memory and ENI, for as
 * long as the service is active, not being deleted and its deployment has
 * not FAILED, and only where the task could ever fit (the instance's
 * registered CPU and memory).  A launch in flight to the instance keeps
 * the hold until it is placed (backplane.c try_place). */
static int hold_wanted(struct backplane *bp, const struct svc *v, int32_t i, const struct place_req *r)
{
	const struct cluster *cl = backplane_cluster(bp);

	if (!v->active || v->deleting || v->n_deps == 0 || v->deps[v->primary].rollout == ROLL_FAILED)
		return 0;
	if (cluster_status(cl, i) != INST_ACTIVE || cluster_group_tasks_on(cl, i, v->group) > 0)
		return 0;
	if (r->cpu_units > cluster_cpu_registered(cl, i) || r->mem_mib > cluster_mem_registered(cl, i))
		return 0;
	return daemon_eligible(bp, v, i);
}

/* v's hold on instance i set or dropped as hold_wanted says. */
static void hold_refresh(struct backplane *bp, const struct svc *v, int32_t i)
{
	const struct place_req *r;

	if (v->n_deps == 0) {
		cluster_unhold(backplane_cluster(bp), i, v->group);
		return;
	}
	r = &backplane_scenario(bp)->taskdefs[v->deps[v->primary].td].req;
	if (hold_wanted(bp, v, i, r))
		cluster_hold(backplane_cluster(bp), i, v->group, r);
	else
		cluster_unhold(backplane_cluster(bp), i, v->group);
}

/* The hold's actor: it follows what changes where a DAEMON belongs and
 * whether its task is there, at the moment it changes (before any waiting
 * task is tried again): an instance registered (before any task can be
 * placed on it), set ACTIVE again, drained; a DAEMON task's room released;
 * a DAEMON created, redeployed, failed or deleted.  Attached only when the
 * scenario has a DAEMON service: without one nothing is held and the
 * notifications cost nothing more. */
static void hold_note(struct backplane *bp, void *ctx, const struct bp_note *n)
{
	struct sched *sc = svc_sched(bp);

	(void)ctx;
	switch (n->kind) {
	case BN_INSTANCE_ADDED:
	case BN_INSTANCE_STATUS:
		if (n->inst < 0)
			break;
		for (int k = 0; k < sc->n_svcs; k++)
			if (sc->svcs[k].cfg->sched == SCHED_DAEMON)
				hold_refresh(bp, &sc->svcs[k], n->inst);
		break;
	case BN_TASK_STOPPED: {
		const struct task *t = bp_task_at(bp, n->slot);

		if (t->svc >= 0 && t->inst >= 0 && sc->svcs[t->svc].cfg->sched == SCHED_DAEMON)
			hold_refresh(bp, &sc->svcs[t->svc], t->inst);
		break;
	}
	case BN_SERVICE_ROLLOUT:
	case BN_SERVICE_DELETE:
		/* (an INACTIVE instance holds nothing: cluster_set_status
		 * dropped its holds, cluster_hold refuses it) */
		if (n->svc >= 0 && n->svc < sc->n_svcs && sc->svcs[n->svc].cfg->sched == SCHED_DAEMON) {
			int32_t nl;
			const int32_t *lv = cluster_live(backplane_cluster(bp), &nl);
			int32_t *on = xmalloc(((size_t)nl + 1) * sizeof *on);

			memcpy(on, lv, (size_t)nl * sizeof *on);     /* (the list may change meanwhile) */
			for (int32_t k = 0; k < nl; k++)
				hold_refresh(bp, &sc->svcs[n->svc], on[k]);
			free(on);
		}
		break;
	default:
		break;
	}
}

void daemon_hold_attach(struct backplane *bp)
{
	const struct scenario *s = backplane_scenario(bp);
	int any = 0;

	for (int k = 0; k < s->n_services; k++)
		any |= s->services[k].sched == SCHED_DAEMON;
	if (any)
		bp_subscribe(bp, BN_BIT(BN_INSTANCE_ADDED) | BN_BIT(BN_INSTANCE_STATUS) | BN_BIT(BN_TASK_STOPPED) |
			     BN_BIT(BN_SERVICE_ROLLOUT) | BN_BIT(BN_SERVICE_DELETE), hold_note, NULL);
}

/* Tasks on instance i that are not daemon tasks (placed and not yet
 * reported STOPPED): what the daemon there serves. */
static int64_t non_daemon_tasks_on(struct backplane *bp, int32_t i)
{
	int64_t n = cluster_tasks_on(backplane_cluster(bp), i);

	for (int k = 0; k < svc_sched(bp)->n_svcs; k++)
		if (svc_sched(bp)->svcs[k].cfg->sched == SCHED_DAEMON)
			n -= cluster_group_tasks_on(backplane_cluster(bp), i, svc_sched(bp)->svcs[k].group);
	return n;
}

/* One pass of a DAEMON service (docs/ecs-model.md §4.10, §5.5, §5.15):
 *   - its task on a DRAINING instance is stopped once every non-daemon task
 *     there has stopped (daemons are stopped last); on any other instance
 *     that is not ACTIVE, at once;
 *   - a primary task on an ACTIVE instance that no longer satisfies the
 *     constraints (another task arrived or left) is stopped at once;
 *   - a task of an older deployment on an instance the service no longer
 *     belongs on is stopped at once (with the violation row when the
 *     service's constraints exclude the instance, choice E188); elsewhere,
 *     not-yet-healthy ones at once, healthy ones while
 *     ceil(desired × minimumHealthyPercent / 100) healthy daemon tasks
 *     remain on the instances it belongs on (none there once the
 *     deployment FAILED, choice E155);
 *   - an instance it belongs on with no task of the service at all (an old
 *     task stopping counts: maximumPercent 100, the old task stops before
 *     the new one starts) gets one, if it fits there; else the service
 *     waits for capacity;
 *   - with no older task left and a healthy primary task on every instance
 *     it belongs on, the deployment is COMPLETED and older ones INACTIVE;
 *   - the room held for it is set (or resized) on every instance it belongs
 *     on without a task of it, and dropped elsewhere (hold_wanted); its
 *     placement check on an instance sees its own held room as free. */
/* A DAEMON service at steady state now, by the pass's own completion
 * rule (below): no older task left and a healthy primary task on as many
 * ACTIVE instances it belongs on as its desired count (choice E147). */
int svc_daemon_steady(struct backplane *bp, const struct svc *v)
{
	int64_t n_old = 0, primary_healthy = 0;

	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = bp_task_at(bp, v->tasks[k]);

		if (!svc_live(t))
			continue;
		n_old += t->dep != v->primary;
		if (t->dep == v->primary && t->inst >= 0 && t->healthy &&
		    cluster_status(backplane_cluster(bp), t->inst) == INST_ACTIVE && daemon_eligible(bp, v, t->inst))
			primary_healthy++;
	}
	return n_old == 0 && primary_healthy >= v->desired;
}

/* Instance i's position in on[0..n) (ascending), -1 when not there. */
static int32_t live_pos(const int32_t *on, int32_t n, int32_t i)
{
	int32_t lo = 0, hi = n;

	while (lo < hi) {
		int32_t mid = lo + (hi - lo) / 2;

		if (on[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && on[lo] == i ? lo : -1;
}

void svc_reconcile_daemon(struct backplane *bp, int vi)
{
	struct svc *v = &svc_sched(bp)->svcs[vi];
	struct deployment *p = &v->deps[v->primary];
	/* the instances not INACTIVE, in registration order: an INACTIVE one
	 * takes no task, holds nothing (cluster_set_status dropped its holds)
	 * and has no live task left after the first loop below, so the
	 * passes over the instances skip them (they were passes over every
	 * instance ever registered: a Spot fleet's month was quadratic) */
	int32_t n, x;
	const int32_t *lv = cluster_live(backplane_cluster(bp), &n);
	int32_t *on = xmalloc(((size_t)n + 1) * sizeof *on);
	/* per position in on[]: bit 1: a live primary task, bit 2: a live
	 * older task, bit 4: a task stopping */
	int8_t *has = xcalloc((size_t)n + 1, 1);
	uint32_t *old = xmalloc(((size_t)n + 1) * sizeof *old);
	int64_t min_healthy = (int64_t)ceil((double)v->desired * v->cfg->min_healthy_pct / 100.0);
	int64_t healthy = 0, n_old = 0, primary_healthy = 0;
	int failed = 0;                  /* instances found without room */

	memcpy(on, lv, (size_t)n * sizeof *on);     /* (the list may change meanwhile) */
	svc_want_capacity(bp, v, 0);
	for (int k = 0; k < v->n_tasks; k++) {
		uint32_t slot = v->tasks[k];
		struct task *t = bp_task_at(bp, slot);
		enum inst_status st;

		if (!svc_live(t) || t->inst < 0)
			continue;
		st = cluster_status(backplane_cluster(bp), t->inst);
		if (st == INST_ACTIVE)
			continue;
		if (st == INST_DRAINING && non_daemon_tasks_on(bp, t->inst) > 0) {
			svc_want_capacity(bp, v, 1);   /* a task stopping there calls a pass */
			continue;
		}
		svc_stop(bp, slot);
		k = -1;                          /* the list may have changed */
	}
	/* a primary task on an ACTIVE instance that no longer satisfies the
	 * constraints is stopped (docs/ecs-model.md §4.10, ECS's event
	 * SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED); its own presence does
	 * not count (choice E116), so it is not started there again */
	for (int k = 0; k < v->n_tasks; k++) {
		uint32_t slot = v->tasks[k];
		struct task *t = bp_task_at(bp, slot);

		if (!svc_live(t) || t->inst < 0 || t->dep != v->primary ||
		    cluster_status(backplane_cluster(bp), t->inst) != INST_ACTIVE || daemon_eligible(bp, v, t->inst))
			continue;
		svcev_daemon_violated(bp, v, t);
		svc_stop(bp, slot);
		k = -1;                          /* the list may have changed */
	}
	for (int32_t j = 0; j < n; j++)
		old[j] = UINT32_MAX;
	for (int k = 0; k < v->n_tasks; k++) {
		uint32_t slot = v->tasks[k];
		struct task *t = bp_task_at(bp, slot);

		if (!svc_live(t)) {
			if (t->inst >= 0 && (x = live_pos(on, n, t->inst)) >= 0)
				has[x] |= 4;
			continue;
		}
		n_old += t->dep != v->primary;   /* anywhere: steady means none left */
		if (t->inst < 0) {
			if (t->pin >= 0 && (x = live_pos(on, n, t->pin)) >= 0)
				has[x] |= 1;         /* a launch in flight */
			continue;
		}
		if (cluster_status(backplane_cluster(bp), t->inst) != INST_ACTIVE ||
		    (x = live_pos(on, n, t->inst)) < 0)
			continue;
		if (t->dep == v->primary) {
			has[x] |= 1;
			if (t->healthy && daemon_eligible(bp, v, t->inst))
				primary_healthy++;
		} else {
			has[x] |= 2;
			if (old[x] == UINT32_MAX)
				old[x] = slot;
		}
		if (t->healthy && daemon_eligible(bp, v, t->inst))
			healthy++;
	}
	/* older tasks: misplaced and unhealthy ones first, then healthy ones
	 * within the minimum (instance order) */
	for (int pass = 0; pass < 2; pass++) {
		for (int32_t j = 0; j < n; j++) {
			int32_t i = on[j];
			struct task *t;
			int keep;

			if (old[j] == UINT32_MAX)
				continue;
			t = bp_task_at(bp, old[j]);
			keep = t->healthy && daemon_eligible(bp, v, i);
			if (keep != pass)
				continue;
			/* a FAILED deployment (without rollback) is over: it
			 * launches nothing and replaces no more older tasks
			 * (choice E19); a misplaced one still goes (choice
			 * E155) */
			if (p->rollout == ROLL_FAILED && daemon_eligible(bp, v, i))
				continue;
			if (keep) {
				if (healthy - 1 < min_healthy)
					continue;
				healthy--;
			}
			/* an older task on an instance the service's
			 * constraints now exclude (the new revision's, or
			 * what they read of other tasks) no longer meets
			 * them: the violation row, as a primary task's
			 * (choice E188); one the new revision's attribute
			 * requirements alone exclude is a deployment stop */
			if (!daemon_constraints_met(bp, v, i))
				svcev_daemon_violated(bp, v, t);
			svc_stop(bp, old[j]);
			old[j] = UINT32_MAX;
			has[j] |= 4;
		}
	}
	for (int32_t j = 0; j < n; j++) {
		int32_t i = on[j];

		/* the room held for it (set, resized after a deploy, or
		 * dropped where it no longer belongs) */
		hold_refresh(bp, v, i);
		if (has[j] || p->rollout == ROLL_FAILED || !daemon_eligible(bp, v, i))
			continue;
		/* the launch-rate quota (docs/ecs-model.md §7.5, choice E113):
		 * a DAEMON task is an EC2/External launch; the instances left
		 * wait for the pass due when the window has room */
		if (svc_rate_room(bp, v, LC_EC2) <= 0) {
			svc_rate_wait(bp, v, LC_EC2);
			break;
		}
		{
			/* one task on this very instance: its constraints plus the instance */
			const struct scn_taskdef *d = &backplane_scenario(bp)->taskdefs[p->td];
			struct place_policy pol;
			struct place_result res = { -1, NULL, 0 };
			char expr[96];
			struct err e;
			uint32_t slot;
			int ok;

			place_policy_copy(&pol, p->policy);
			snprintf(expr, sizeof expr, "instanceId == %s", cluster_id(backplane_cluster(bp), i));
			/* the pin is the scheduler's, not counted toward the
			 * 10 constraints (place_add_pin); the room held on the
			 * instance for this daemon is its own, the other
			 * daemons' is not (choices E131, E146) */
			cluster_hold_open(backplane_cluster(bp), i, v->group);
			ok = place_add_pin(&pol, expr, &e) == 0;
			/* no room there: the placement fails, which ECS reports
			 * as an event while it waits (docs/ecs-model.md §4.10,
			 * §4.9), with the reason of the one instance the task may
			 * go to (choice A4: the pin's instance alone is
			 * considered) */
			if (ok)
				place_pin_instance(&pol, i);
			ok = ok && place_task(backplane_cluster(bp), &d->req, v->group, &pol, backplane_place_rng(bp),
					      &res) == 0;
			cluster_hold_fill(backplane_cluster(bp), i);
			if (ok) {
				svc_account(bp, v);
				slot = bp_new_task(bp, p->td, v->group, NULL, -1, vi, v->primary, p->policy);
				svc_rate_note(bp, v, bp_task_at(bp, slot));
				svc_list_add(v, bp_task_at(bp, slot), slot);
				v->pending++;
				bp_pin_task(bp, slot, i, NULL);
			} else {
				/* a row per instance, as a REPLICA pass's failed
				 * launches; the service event once, naming the
				 * first: one message per pass, so an unchanged
				 * cause is not written again (choice E172) */
				bp_daemon_place_failed(bp, p->td, v->group, vi, i, res.reason,
						       !failed++);
				svc_want_capacity(bp, v, 1);
			}
			place_policy_free(&pol);
		}
	}
	/* completion (docs/ecs-model.md §5.2, steady state); with deployment
	 * alarms, the bake time first (§5.6, choices E137, E139): COMPLETED at
	 * its end */
	if (n_old == 0 && primary_healthy >= v->desired && p->rollout == ROLL_IN_PROGRESS) {
		if (svc_alarms_steady(bp, v))
			p->rollout = ROLL_COMPLETED;
		for (int i = 0; i < v->n_deps; i++)
			if (i != v->primary)
				v->deps[i].status = DEP_INACTIVE;
	}
	free(old);
	free(has);
	free(on);
}

void svc_daemon_count(struct backplane *bp, struct svc *v)
{
	int64_t n = 0;
	int32_t nl;
	const int32_t *lv = cluster_live(backplane_cluster(bp), &nl);

	/* a DAEMON's desired count: the instances it belongs on
	 * (docs/ecs-model.md §4.10; an INACTIVE one never) */
	for (int32_t k = 0; k < nl; k++)
		n += daemon_eligible(bp, v, lv[k]);
	if (n != v->desired) {
		svc_account(bp, v);
		v->desired = n;
	}
}
