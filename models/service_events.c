/* models/service_events.c — the service scheduler's events
 * (service_events.csv; docs/ecs-model.md §5.2, choices E171–E174): what
 * ECS shows as a service's events, written through the log of
 * models/evlog.h.  The scheduler calls one function at each event point
 * (service_int.h); the states (steady, blocked, rebalancing, protected
 * tasks over the desired count) are looked at after each scheduler pass,
 * blue/green step and rebalancing check; a steady state lasting 6 hours
 * (`serviceEventRepeatSeconds`) is written again at a metrics interval (its
 * repetition). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/evlog.h"
#include "models/metrics.h"
#include "models/service_int.h"
#include "sim/mem.h"

enum { F_REBALANCING = 1u };

static struct evlog *log_of(struct backplane *bp)
{
	return metrics_evlog(backplane_metrics(bp));
}

static int64_t now_of(struct backplane *bp)
{
	return sim_now(backplane_sim(bp));
}

/* A stop that is AZ rebalancing's (docs/ecs-model.md §5.9, choice E199):
 * while its task is on the way or just healthy (v->rebalancing), the
 * scale-in of a healthy primary task, not unhealthy, not on a DRAINING
 * instance, with more primary tasks live than the desired count. */
static int rebalancing_stop(struct backplane *bp, const struct svc *v, const struct task *t)
{
	int64_t primary = 0;

	if (!v->rebalancing || t->dep != v->primary || !t->healthy || t->unhealthy || svc_on_draining(bp, t) ||
	    !bp_task_az(bp, t))
		return 0;
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *u = bp_task_at(bp, v->tasks[k]);

		primary += svc_live(u) && u->dep == v->primary && !svc_on_draining(bp, u);
	}
	return primary > v->desired;
}

void svcev_task(struct backplane *bp, struct svc *v, const struct task *t, int stopped)
{
	char buf[32];

	if (!log_of(bp))
		return;
	if (stopped && rebalancing_stop(bp, v, t))
		evlog_task_rebalance(log_of(bp), now_of(bp), v->cfg->name, 1, task_name(t, buf, sizeof buf),
				     bp_task_az(bp, t));
	else
		evlog_task(log_of(bp), now_of(bp), v->cfg->name, stopped, task_name(t, buf, sizeof buf));
}

void svcev_started(struct backplane *bp, struct svc *v, const struct task *t)
{
	char buf[32];

	if (!log_of(bp))
		return;
	evlog_task(log_of(bp), now_of(bp), v->cfg->name, 0, task_name(t, buf, sizeof buf));
	/* an AZ-rebalancing task (pinned to its zone): the rebalancing's
	 * words (choice E199) */
	if (t->cold && t->pin_az)
		evlog_task_rebalance(log_of(bp), now_of(bp), v->cfg->name, 0, task_name(t, buf, sizeof buf),
				     t->pin_az);
}

/* The AZ-rebalancing task launched at this instant (pinned to its zone):
 * its placement failure, if it has one, in the rebalancing's words (choice
 * E199); its TASKS_STARTED entry comes when it exists (svcev_started). */
static void rebalancing_started(struct backplane *bp, struct svc *v)
{
	int64_t now = now_of(bp);

	if (!v->rebalancing)
		return;
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = bp_task_at(bp, v->tasks[k]);

		if (t->cold && t->pin_az && t->submit == now && svc_live(t))
			evlog_rebalance_placing(log_of(bp), v->cfg->name,
						now + backplane_scenario(bp)->timing.placement_latency, t->pin_az);
	}
}

void svcev_stopping(struct backplane *bp, uint32_t slot)
{
	const struct task *t = bp_task_at(bp, slot);

	if (log_of(bp) && t->svc >= 0 && svc_live(t))
		svcev_task(bp, &svc_sched(bp)->svcs[t->svc], t, 1);
}

/* ECS names the event (EventBridge SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED:
 * "A task in a service using the DAEMON service scheduler strategy no
 * longer meets the placement constraint strategy for the service") but
 * publishes no message: ecsim's words, one row per task (choice E184), of
 * any revision (choice E188). */
void svcev_daemon_violated(struct backplane *bp, struct svc *v, const struct task *t)
{
	char msg[512], id[32];

	if (!log_of(bp))
		return;
	snprintf(msg, sizeof msg, "(service %s) (task %s) no longer meets the placement constraints of the service "
		 "on (container-instance %s).", v->cfg->name, task_name(t, id, sizeof id),
		 cluster_id(backplane_cluster(bp), t->inst));
	evlog_event(log_of(bp), now_of(bp), v->cfg->name, EV_DAEMON_CONSTRAINT_VIOLATED, msg);
}

void svcev_start_impaired(struct backplane *bp, struct svc *v)
{
	char msg[512];

	if (!log_of(bp))
		return;
	snprintf(msg, sizeof msg, "(service %s) is unable to consistently start tasks successfully. "
		 "For more information, see the Troubleshooting section.", v->cfg->name);
	evlog_event(log_of(bp), now_of(bp), v->cfg->name, EV_START_IMPAIRED, msg);
}

void svcev_deployment(struct backplane *bp, struct svc *v, int dep, const char *stage)
{
	char msg[512];
	enum evlog_type type;
	const char *n = v->cfg->name;

	if (!log_of(bp))
		return;
	if (strcmp(stage, "IN_PROGRESS") == 0) {
		const struct deployment *d = &v->deps[dep];

		type = EV_DEPLOYMENT_IN_PROGRESS;
		if (d->back_to) {       /* a rollback: the reason says so (§5.6) */
			int to = d->back_to - 1;

			/* it names the COMPLETED deployment whose revision it
			 * restores, through a rollback interrupted before it
			 * completed (choice E180) */
			while (v->deps[to].rollout != ROLL_COMPLETED && v->deps[to].back_to)
				to = v->deps[to].back_to - 1;
			snprintf(msg, sizeof msg,
				 "(service %s) (deployment ecs-svc/%d) deployment in progress: ECS deployment %s: "
				 "rolling back to deploymentId ecs-svc/%d.",
				 n, dep + 1, d->by_alarm ? "alarms" : "circuit breaker", to + 1);
		} else {
			snprintf(msg, sizeof msg, "(service %s) (deployment ecs-svc/%d) deployment in progress.", n,
				 dep + 1);
		}
	} else if (strcmp(stage, "COMPLETED") == 0) {
		type = EV_DEPLOYMENT_COMPLETED;
		snprintf(msg, sizeof msg, "(service %s) (deployment ecs-svc/%d) deployment completed.", n, dep + 1);
	} else if (strcmp(stage, "FAILED") == 0) {
		type = EV_DEPLOYMENT_FAILED;
		snprintf(msg, sizeof msg, "(service %s) (deployment ecs-svc/%d) deployment failed.", n, dep + 1);
	} else {
		return;         /* a blue/green stage, STOPPED: no event */
	}
	evlog_event(log_of(bp), now_of(bp), n, type, msg);
}

/* Steady state (docs/ecs-model.md §5.2): running = desired, none pending,
 * every task of the primary deployment, healthy, not unhealthy, not on a
 * DRAINING instance, none stopping. */
static int steady(struct backplane *bp, const struct svc *v)
{
	if (!v->active || v->deleting || v->running != v->desired || v->pending != 0 || v->healthy != v->running)
		return 0;
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = bp_task_at(bp, v->tasks[k]);

		if (!svc_live(t) || t->dep != v->primary || t->unhealthy || svc_on_draining(bp, t))
			return 0;
	}
	return 1;
}

static void check_steady(struct backplane *bp, struct svc *v)
{
	char msg[400];

	if (!steady(bp, v)) {
		evlog_forget(log_of(bp), v->cfg->name, EV_STEADY);
		return;
	}
	snprintf(msg, sizeof msg, "(service %s) has reached a steady state.", v->cfg->name);
	evlog_event(log_of(bp), now_of(bp), v->cfg->name, EV_STEADY, msg);
}

/* A rolling deployment neither bound lets move (docs/ecs-model.md §5.5):
 * every task settled and healthy, tasks of an older revision left, and
 * neither can a task start under maximumPercent nor can a healthy one stop
 * above minimumHealthyPercent. */
static int blocked(struct backplane *bp, const struct svc *v)
{
	int64_t prim = 0, old = 0, live = 0, max_tasks, min_healthy;

	/* (one deployment: no older revision's task is left) */
	if (v->cfg->sched != SCHED_REPLICA || v->bg.stage != BG_NONE || v->pending != 0 || v->n_deps == 1)
		return 0;
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = bp_task_at(bp, v->tasks[k]);

		if (!svc_live(t))
			return 0;              /* a stop in progress: moving */
		if (!t->healthy || t->unhealthy)
			return 0;              /* waiting for health, or replacing */
		live++;
		if (t->dep == v->primary)
			prim++;
		else
			old++;
	}
	max_tasks = (int64_t)floor((double)v->desired * v->cfg->max_pct / 100.0);
	min_healthy = (int64_t)ceil((double)v->desired * v->cfg->min_healthy_pct / 100.0);
	/* every live task is healthy: live - 1 would be left after a stop */
	return old > 0 && prim < v->desired && live >= max_tasks && live - 1 < min_healthy;
}

static void check_blocked(struct backplane *bp, struct svc *v)
{
	char msg[512];

	if (!blocked(bp, v)) {
		evlog_forget(log_of(bp), v->cfg->name, EV_DEPLOYMENT_BLOCKED);
		return;
	}
	snprintf(msg, sizeof msg, "(service %s) was unable to stop or start tasks during a deployment because of "
		 "the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value "
		 "and try again.", v->cfg->name);
	evlog_event(log_of(bp), now_of(bp), v->cfg->name, EV_DEPLOYMENT_BLOCKED, msg);
}

/* "a tasks in az1, b tasks in az2, and c tasks in az3" of the service's
 * live tasks, in the scenario's AZ order, over the zones the service can use
 * (svc_usable_azs: the ones its rebalancing balances, docs/ecs-model.md
 * §5.9, choices E4, E174); returns the largest count minus the smallest,
 * INT64_MAX when it can use no zone (not balanced then) */
static int64_t az_counts(struct backplane *bp, const struct svc *v, char *out, size_t n)
{
	const struct scenario *s = backplane_scenario(bp);
	uint8_t *usable = xcalloc((size_t)s->n_azs + 1, 1);
	size_t len = 0;
	int64_t lo = INT64_MAX, hi = 0;
	int n_use = 0, k_use = 0;

	svc_usable_azs(bp, (int)(v - svc_sched(bp)->svcs), usable);
	for (int a = 0; a < s->n_azs; a++)
		n_use += usable[a];
	out[0] = '\0';
	for (int a = 0; a < s->n_azs && len < n; a++) {
		int64_t c = 0;

		if (!usable[a])
			continue;
		for (int k = 0; k < v->n_tasks; k++) {
			const struct task *t = bp_task_at(bp, v->tasks[k]);

			c += svc_live(t) && bp_task_az_index(bp, t) == a;
		}
		lo = c < lo ? c : lo;
		hi = c > hi ? c : hi;
		len += (size_t)snprintf(out + len, n - len, "%s%lld tasks in %s",
					k_use == 0 ? "" : k_use + 1 == n_use ? (k_use == 1 ? " and " : ", and ") : ", ",
					(long long)c, s->azs[a]);
		k_use++;
	}
	free(usable);
	return n_use ? hi - lo : INT64_MAX;
}

static void check_rebalancing(struct backplane *bp, struct svc *v)
{
	unsigned *f = evlog_flags(log_of(bp), v->cfg->name);
	char counts[1024], msg[1400];

	if (v->rebalancing && !(*f & F_REBALANCING)) {
		az_counts(bp, v, counts, sizeof counts);
		snprintf(msg, sizeof msg, "(service %s) is not AZ balanced with %s. AZ Rebalancing in progress.",
			 v->cfg->name, counts);
		evlog_event(log_of(bp), now_of(bp), v->cfg->name, EV_REBALANCING_STARTED, msg);
		*f |= F_REBALANCING;
	} else if (!v->rebalancing && (*f & F_REBALANCING)) {
		/* done, or its task never was (no room): no row then, and
		 * the same STARTED row is not repeated at the next check */
		if (az_counts(bp, v, counts, sizeof counts) <= 1) {
			snprintf(msg, sizeof msg, "(service %s) is AZ balanced with %s.", v->cfg->name, counts);
			evlog_event(log_of(bp), now_of(bp), v->cfg->name, EV_REBALANCING_COMPLETED, msg);
			evlog_forget(log_of(bp), v->cfg->name, EV_REBALANCING_COMPLETED);
			evlog_forget(log_of(bp), v->cfg->name, EV_REBALANCING_STARTED);
		}
		*f &= ~F_REBALANCING;
	}
}

/* Task scale-in protection (docs/ecs-model.md §5.14): more protected tasks
 * than the desired count. */
static void check_protected(struct backplane *bp, struct svc *v)
{
	int64_t n = 0, now = now_of(bp);
	char msg[400];

	/* (when no protection ends after now, none is counted: the tasks unread) */
	if (backplane_protect_max(bp) > now)
		for (int k = 0; k < v->n_tasks; k++) {
			const struct task *t = bp_task_at(bp, v->tasks[k]);

			n += svc_live(t) && t->protected_until > now;
		}
	if (n <= v->desired) {
		evlog_forget(log_of(bp), v->cfg->name, EV_PROTECTED_OVER_DESIRED);
		return;
	}
	snprintf(msg, sizeof msg, "(service %s) number of protected tasks are more than the desired count.",
		 v->cfg->name);
	evlog_event(log_of(bp), now, v->cfg->name, EV_PROTECTED_OVER_DESIRED, msg);
}

void svcev_after(struct backplane *bp, struct svc *v)
{
	if (!log_of(bp))
		return;
	if (v && v->active && !v->deleting) {
		rebalancing_started(bp, v);
		check_rebalancing(bp, v);
		check_protected(bp, v);
		check_blocked(bp, v);
		check_steady(bp, v);
	}
	evlog_flush(log_of(bp));
}

/* The steady state is noticed at the scheduler's passes; a service still
 * steady since its last steady-state row gets the row again at the first
 * metrics interval 6 hours (`serviceEventRepeatSeconds`) or more after it
 * (choice E172); a service still
 * waiting for capacity gets its last placement-failure row again the same
 * way (choice E181). */
void svcev_sample(struct backplane *bp, struct svc *v)
{
	if (!log_of(bp) || !v->active || v->deleting)
		return;
	/* a service still waiting for capacity for a task it could not
	 * place: its placement failure's cause lasts, so its row comes again
	 * 6 hours after the last one, though ecsim's scheduler tries again
	 * only when capacity appears (choices E2, E181) */
	if (v->wants_capacity)
		evlog_repeat(log_of(bp), now_of(bp), v->cfg->name, EV_PLACEMENT_FAILURE);
	if (!evlog_remembers(log_of(bp), v->cfg->name, EV_STEADY))
		return;
	if (steady(bp, v))
		check_steady(bp, v);
}
