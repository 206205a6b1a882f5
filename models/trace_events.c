/* models/trace_events.c — the table of trace event kinds: per kind its
 * name, the columns it takes (read by the parser, models/trace.c) and what
 * a row of it does, through the backplane's public API (the calls a user
 * makes) or the fault injector's entry points.  Adding an event is one enum
 * value (trace.h) and one row here; scenarios/README.md lists them, and
 * tests/docs.sh checks that list against this table.
 */
#include "models/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/agent_health.h"
#include "models/backplane.h"
#include "models/capacity/capacity_config.h"
#include "models/cluster.h"
#include "models/faults.h"
#include "models/task.h"

/* The task definition must list where the row sends it (ECS refuses the
 * RunTask call otherwise). */
static int td_lists(const struct scenario *s, int td, unsigned need, const char *col,
		    const char *where, struct err *e)
{
	if (s->taskdefs[td].td->launch & need)
		return 0;
	return err_at(e, NULL, 0, 0, col, "task definition '%s' is sent to %s but its "
		      "requiresCompatibilities does not list %s (ECS refuses the RunTask call)",
		      s->taskdefs[td].name, where, need == TD_LAUNCH_FARGATE ? "FARGATE" : "EC2");
}

int trace_row_strategy(const struct scenario *s, int td, const struct trace_row *r,
		       struct cp_strategy *out, int *launch, struct err *e)
{
	static const char cps_col[] = "capacity_provider_strategy";
	struct trace_cps x;
	char why[200];
	const char *rule;
	int fargate = 0, asg = 0, bad;

	*launch = -1;
	if (r->launch_type && r->launch_type[0]) {
		int fg = strcmp(r->launch_type, "FARGATE") == 0;

		*launch = fg ? TL_FARGATE : TL_EC2;
		if (td_lists(s, td, fg ? TD_LAUNCH_FARGATE : TD_LAUNCH_EC2, "launch_type",
			     fg ? "launch type FARGATE" : "launch type EC2", e))
			return -1;
		return 0;
	}
	if (!r->cps || !r->cps[0])
		return 0;
	if (trace_parse_cps(r->cps, &x, why, sizeof why))
		return err_at(e, NULL, 0, 0, cps_col, "%s; got \"%s\"", why, r->cps);
	memset(out, 0, sizeof *out);
	for (int i = 0; i < x.n; i++) {
		char name[256];
		int k;

		snprintf(name, sizeof name, "%.*s", x.items[i].len, x.items[i].name);
		k = s->capacity ? cap_find(s->capacity, name) : -1;
		if (k < 0)
			return err_at(e, NULL, 0, 0, cps_col, "item %d: unknown capacity provider '%s' "
				      "(not FARGATE, FARGATE_SPOT or in $.capacityProviders)", i + 1, name);
		if (s->capacity->providers[k].kind == CAP_ASG)
			asg = 1;
		else
			fargate = 1;
		if (asg && fargate)
			return err_at(e, NULL, 0, 0, cps_col, "item %d (%s): a strategy may not mix "
				      "Fargate and Auto Scaling group capacity providers", i + 1, name);
		out->items[out->n].provider = k;
		out->items[out->n].base = x.items[i].base;
		out->items[out->n].weight = x.items[i].weight;
		out->n++;
	}
	if (cps_validate(out, &rule, &bad)) {
		if (bad >= 0)
			return err_at(e, NULL, 0, 0, cps_col, "item %d (%s): %s", bad + 1,
				      s->capacity->providers[out->items[bad].provider].name, rule);
		return err_at(e, NULL, 0, 0, cps_col, "%s", rule);
	}
	if (td_lists(s, td, fargate ? TD_LAUNCH_FARGATE : TD_LAUNCH_EC2, cps_col,
		     fargate ? "a Fargate capacity provider" : "an Auto Scaling group capacity provider",
		     e))
		return -1;
	return 1;
}

/* run_task but for a prepared call (out of line: the prepared call, the
 * usual row's, then keeps no frame for this one's strategy) */
static int __attribute__((noinline)) run_task_slow(struct backplane *bp, const struct trace_row *r,
						   const char *dir, struct err *e)
{
	struct scenario *s;
	struct trace_memo *m = r->memo;
	struct cp_strategy own;
	int launch = -1, rc = 0, td;

	s = backplane_scenario(bp);
	/* the task definition: resolved once per row shape (a name's index
	 * never changes: definitions are only appended) */
	if (m && m->td >= 0) {
		td = m->td;
	} else {
		td = r->taskdef[0] ? scenario_taskdef(s, r->taskdef, dir, e)
				   : scenario_synthetic_taskdef(s, r->cpu_units, r->mem_mib, e);
		if (td < 0)
			return -1;
		if (m)
			m->td = td;
	}
	/* the row's own strategy or launch type, when it gives one (most rows
	 * give neither: no call) */
	if ((r->cps && r->cps[0]) || (r->launch_type && r->launch_type[0]))
		rc = trace_row_strategy(s, td, r, &own, &launch, e);
	if (rc < 0) {
		/* the error is about the row's strategy or launch type column */
		e->col = strcmp(e->path, "launch_type") == 0 ? r->lt_col : r->cps_col;
		return TRACE_ERR_AT_COL;
	}
	if (backplane_run_task_as(bp, td, r->group, r->target, r->count, r->duration,
				  rc > 0 ? &own : NULL, launch, e))
		return -1;
	/* one task with no id, strategy or launch type of its own: every row
	 * of the shape makes the same call but for its duration */
	if (m && r->count == 1 && !r->target[0] && !(r->cps && r->cps[0]) &&
	    !(r->launch_type && r->launch_type[0]))
		m->call = backplane_run_prepare(bp, td, r->group);
	return 0;
}

static int run_task(struct backplane *bp, const struct trace_row *r, const char *dir,
		    struct err *e)
{
	const struct trace_memo *m = r->memo;

	/* a row of a shape whose call was prepared (run_task_slow): the same
	 * call without resolving its task definition, group and provider
	 * again */
	if (m && m->call)
		return backplane_run_prepared(bp, m->td, m->call, r->duration, e);
	return run_task_slow(bp, r, dir, e);
}

static int stop_task(struct backplane *bp, const struct trace_row *r, const char *dir,
		     struct err *e)
{
	(void)dir;
	(void)e;
	backplane_stop_task(bp, r->target);
	return 0;
}

static int register_instance(struct backplane *bp, const struct trace_row *r, const char *dir,
			     struct err *e)
{
	struct scenario *s = backplane_scenario(bp);
	const struct catalog_type *type = catalog_find(s->catalog, r->target);
	struct cluster_totals t;

	(void)dir;
	if (!type) {
		char *names = catalog_names(s->catalog);

		err_at(e, NULL, 0, 0, NULL, "unknown instance type '%s'; known: %s", r->target, names);
		free(names);
		return -1;
	}
	if (!scenario_has_az(s, r->group))
		return err_at(e, NULL, 0, 0, NULL,
			      "'%s' is not one of the scenario's availabilityZones", r->group);
	if (scenario_reserved_over(s, type, NULL) >= 0)   /* docs/ecs-model.md §2.1 */
		return err_at(e, NULL, 0, 0, NULL,
			      "instanceDefaults.reservedMemoryMiB %lld exceeds the %lld MiB the OS of a %s "
			      "reports: the agent would fail to register it",
			      (long long)s->defaults.reserved_memory_mib,
			      (long long)scenario_reserved_over(s, type, NULL), type->name);
	cluster_totals(backplane_cluster(bp), &t);   /* the quota counts registered instances (E30) */
	if (s->max_instances > 0 && t.n_registered + r->count > s->max_instances)
		return err_at(e, NULL, 0, 0, NULL,
			      "%lld container instances would be registered at once, more than the "
			      "limit of %lld (ECS's quota per cluster by default; raise it with "
			      "$.limits.maxInstances)",
			      (long long)t.n_registered + (long long)r->count, (long long)s->max_instances);
	for (int64_t k = 0; k < r->count; k++)
		bp_register_instance(bp, type, r->group, NULL);
	return 0;
}

/* The service the row names, or -1 with e filled. */
static int service(struct backplane *bp, const struct trace_row *r, struct err *e)
{
	int v = backplane_find_service(bp, r->target);

	if (v < 0)
		err_at(e, NULL, 0, 0, NULL, "unknown service '%s' (not in $.services)", r->target);
	return v;
}

/* The instance the row names, or -1 with e filled. */
static int32_t instance(struct backplane *bp, const struct trace_row *r, struct err *e)
{
	int32_t inst = bp_find_instance(bp, r->target);

	if (inst < 0)
		err_at(e, NULL, 0, 0, NULL, "unknown instance '%s'", r->target);
	return inst;
}

const char *trace_call_refused(const struct scenario *s, int svc, const struct trace_row *r, int64_t deleted_at,
			       char *why, size_t n)
{
	const struct scn_service *v = &s->services[svc];

	if (r->ev == TR_SET_DESIRED && v->sched == SCHED_DAEMON) {
		snprintf(why, n, "service '%s' is a DAEMON service: it has no desired count (ECS refuses one, "
			 "docs/ecs-model.md §4.10)", v->name);
		return "count";
	}
	if (deleted_at >= 0 && r->ev != TR_DELETE_SERVICE) {
		snprintf(why, n, "service '%s' was deleted at %.3f s (a delete_service row): an UpdateService call "
			 "at %.3f s finds it not ACTIVE (ServiceNotActiveException)", v->name,
			 (double)deleted_at / 1000.0, (double)r->t / 1000.0);
		return "target";
	}
	if (r->t >= v->create_at)
		return NULL;
	snprintf(why, n, "service '%s' is created at %.3f s (createdAtSeconds): %s call at %.3f s finds no service "
		 "(ServiceNotFoundException)", v->name, (double)v->create_at / 1000.0,
		 r->ev == TR_DELETE_SERVICE ? "a DeleteService" : "an UpdateService", (double)r->t / 1000.0);
	return "time_s";
}

/* The service an UpdateService / DeleteService row names, or -1 with e
 * filled (unknown, or a call ECS refuses: trace_call_refused). */
static int service_call(struct backplane *bp, const struct trace_row *r, struct err *e)
{
	int v = service(bp, r, e);
	char why[400];

	if (v >= 0 && trace_call_refused(backplane_scenario(bp), v, r, backplane_service_deleted_at(bp, v), why,
					 sizeof why)) {
		err_at(e, NULL, 0, 0, NULL, "%s", why);
		return -1;
	}
	return v;
}

static int set_desired(struct backplane *bp, const struct trace_row *r, const char *dir,
		       struct err *e)
{
	int v = service_call(bp, r, e);

	(void)dir;
	if (v < 0)
		return -1;
	backplane_set_desired(bp, v, r->count);
	return 0;
}

static int deploy(struct backplane *bp, const struct trace_row *r, const char *dir,
		  struct err *e)
{
	int v = service_call(bp, r, e), td;

	if (v < 0)
		return -1;
	td = scenario_taskdef(backplane_scenario(bp), r->taskdef, dir, e);
	if (td < 0 || scn_service_deploy_check(backplane_scenario(bp), v, td, e))
		return -1;
	backplane_deploy(bp, v, td);
	return 0;
}

static int delete_service(struct backplane *bp, const struct trace_row *r, const char *dir,
			  struct err *e)
{
	int v = service_call(bp, r, e);

	(void)dir;
	if (v < 0)
		return -1;
	backplane_delete_service(bp, v);
	return 0;
}

static int deregister_instance(struct backplane *bp, const struct trace_row *r,
			       const char *dir, struct err *e)
{
	int32_t inst = instance(bp, r, e);

	(void)dir;
	if (inst < 0)
		return -1;
	fault_deregister(bp, inst);
	return 0;
}

static int drain_instance(struct backplane *bp, const struct trace_row *r, const char *dir,
			  struct err *e)
{
	(void)dir;
	return backplane_drain(bp, r->target, e) ? -1 : 0;
}

static int activate_instance(struct backplane *bp, const struct trace_row *r,
			     const char *dir, struct err *e)
{
	int32_t inst = instance(bp, r, e);

	(void)dir;
	if (inst < 0)
		return -1;
	backplane_activate(bp, inst);
	return 0;
}

static int instance_fail(struct backplane *bp, const struct trace_row *r, const char *dir,
			 struct err *e)
{
	int32_t inst = instance(bp, r, e);

	(void)dir;
	if (inst < 0)
		return -1;
	fault_instance_fail(bp, inst, r->duration, 0, STOP_INFRASTRUCTURE, "instance_fail", -1);
	return 0;
}

static int spot_interruption(struct backplane *bp, const struct trace_row *r,
			     const char *dir, struct err *e)
{
	int32_t inst = instance(bp, r, e);

	(void)dir;
	if (inst < 0)
		return -1;
	fault_spot_notice(bp, inst);
	return 0;
}

static int az_outage(struct backplane *bp, const struct trace_row *r, const char *dir,
		     struct err *e)
{
	(void)dir;
	if (!scenario_has_az(backplane_scenario(bp), r->target))
		return err_at(e, NULL, 0, 0, NULL,
			      "'%s' is not one of the scenario's availabilityZones", r->target);
	fault_az_outage(bp, r->target, r->duration, 1.0);
	return 0;
}

static int agent_disconnect(struct backplane *bp, const struct trace_row *r,
			    const char *dir, struct err *e)
{
	int32_t inst = instance(bp, r, e);

	(void)dir;
	if (inst < 0)
		return -1;
	fault_agent_disconnect(bp, inst, r->duration);
	return 0;
}

static int fargate_spot_interruption(struct backplane *bp, const struct trace_row *r,
				     const char *dir, struct err *e)
{
	(void)dir;
	(void)e;
	backplane_fargate_interrupt(bp, r->target, r->count);
	return 0;
}

/* docs/ecs-model.md §5.3, choices E114, E115: a container's health-check
 * command fails from now on (for duration_s, else for good); `group` names
 * the container ("": the first essential one with a healthCheck) */
static void health_fault_row(struct backplane *bp, uint32_t slot, void *ctx)
{
	const struct trace_row *r = ctx;
	const struct task *t = bp_task_at(bp, slot);
	const char *az = bp_task_az(bp, t);
	char name[32];

	/* failures.csv: one row per task whose command fails (choice E115) */
	metrics_on_fault(backplane_metrics(bp), sim_now(backplane_sim(bp)), fault_new_id(bp),
			 "health_check_fail", task_name(t, name, sizeof name), az ? az : "", 1, t->svc >= 0,
			 r->duration);
}

static int health_check_fail(struct backplane *bp, const struct trace_row *r,
			     const char *dir, struct err *e)
{
	(void)dir;
	return agent_health_fault(bp, r->target, r->group, r->count, r->duration, r->hang, health_fault_row,
				  (void *)r, e);
}

#define NO TU_NO
#define OPT TU_OPT
#define REQ TU_REQ

/* name, then target, taskdef, count, duration_s, group: whether each is
 * taken; the least count; what target and group name; the handler; the
 * greatest count (0: none) and the quota it is. */
const struct trace_event_def trace_events[TR_N_EVENTS] = {
	[TR_RUN_TASK] = { "run_task", OPT, OPT, OPT, OPT, OPT, 1, "a task id", "a group", run_task, 0, NULL },
	[TR_STOP_TASK] = { "stop_task", REQ, NO, NO, NO, NO, 1, "a task id", NULL, stop_task, 0, NULL },
	[TR_REGISTER_INSTANCE] = { "register_instance", REQ, NO, OPT, NO, REQ, 1, "an instance type",
				   "an availability zone", register_instance, 0, NULL },
	[TR_INSTANCE_FAIL] = { "instance_fail", REQ, NO, NO, OPT, NO, 1, "an instance id", NULL,
			       instance_fail, 0, NULL },
	[TR_AZ_OUTAGE] = { "az_outage", REQ, NO, NO, REQ, NO, 1, "an availability zone", NULL,
			   az_outage, 0, NULL },
	[TR_AGENT_DISCONNECT] = { "agent_disconnect", REQ, NO, NO, REQ, NO, 1, "an instance id", NULL,
				  agent_disconnect, 0, NULL },
	[TR_SPOT_INTERRUPTION] = { "spot_interruption", REQ, NO, NO, NO, NO, 1, "an instance id",
				   NULL, spot_interruption, 0, NULL },
	[TR_SET_DESIRED] = { "set_desired", REQ, NO, REQ, NO, NO, 0, "a service", NULL, set_desired,
			     5000, "ECS's quota of tasks per service, as desiredCount" },
	[TR_DEPLOY] = { "deploy", REQ, REQ, NO, NO, NO, 1, "a service", NULL, deploy, 0, NULL },
	[TR_DRAIN_INSTANCE] = { "drain_instance", REQ, NO, NO, NO, NO, 1, "an instance id", NULL,
				drain_instance, 0, NULL },
	[TR_ACTIVATE_INSTANCE] = { "activate_instance", REQ, NO, NO, NO, NO, 1, "an instance id",
				   NULL, activate_instance, 0, NULL },
	[TR_DELETE_SERVICE] = { "delete_service", REQ, NO, NO, NO, NO, 1, "a service", NULL,
				delete_service, 0, NULL },
	[TR_DEREGISTER_INSTANCE] = { "deregister_instance", REQ, NO, NO, NO, NO, 1, "an instance id",
				     NULL, deregister_instance, 0, NULL },
	[TR_FARGATE_SPOT_INTERRUPTION] = { "fargate_spot_interruption", REQ, NO, OPT, NO, NO, 1,
					   "a FARGATE_SPOT task id or a service", NULL,
					   fargate_spot_interruption, 0, NULL },
	[TR_HEALTH_CHECK_FAIL] = { "health_check_fail", REQ, NO, OPT, OPT, OPT, 1,
				   "a task id or a service", "a container name", health_check_fail, 0, NULL },
};
