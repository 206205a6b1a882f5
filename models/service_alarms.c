/* models/service_alarms.c — CloudWatch metric alarms that watch a
 * service's deployments (docs/ecs-model.md §5.6, choices E135–E139).
 *
 * A service's deploymentConfiguration.alarms {alarmNames, enable,
 * rollback} names alarms of $.alarms.  While a deployment of such a
 * service is in progress (a rolling one until it is COMPLETED, its bake
 * time included; a blue/green, linear or canary one from SCALE_UP to
 * CLEAN_UP) its alarms are evaluated; a deployment a rollback made primary
 * again is not watched (choice E137).  An alarm evaluated by no deployment
 * has no events: it starts again from INSUFFICIENT_DATA with no datapoints
 * when a deployment next needs it (choice E138).
 *
 * Each alarm samples its metric every minute from the moment its
 * evaluation starts, and each `periodSeconds` makes the period's datapoint
 * (choice E136): a gauge (CPUUtilization, MemoryUtilization,
 * HealthyHostCount, UnHealthyHostCount) its minute samples' Average,
 * Maximum or Minimum; a count (RequestCount, HTTPCode_ELB_5XX_Count) the
 * period's Sum, missing when 0 (ELB publishes these only when there are
 * requests); TargetResponseTime the mean response time of the period's
 * served requests.  The state follows CloudWatch's M-of-N rule over the
 * last `evaluationPeriods` datapoints with `treatMissingData`.
 *
 * An alarm that enters ALARM fails every deployment evaluating it that has
 * had a task RUNNING (ECS watches "as soon as any task of the new
 * deployment is running"): FAILED launches nothing new, and with the
 * service's alarms `rollback` the last COMPLETED deployment is restored,
 * as the circuit breaker's failure does (svc_dep_failed; a blue/green
 * deployment's traffic goes back to blue).  Whichever of the breaker and
 * an alarm trips first fails it.  A rolling deployment with alarms stays
 * IN_PROGRESS once steady (the new revision at the desired count, nothing
 * else left) for its bake time: the longest periodSeconds ×
 * evaluationPeriods of its alarms (choice E137); then it is COMPLETED,
 * if the service is at steady state then, else when a pass finds it steady
 * again (a task lost during the bake replaced and healthy, choice E147).
 * A DAEMON service's deployments are watched and baked the same way
 * (service_daemon.c, choice E139).
 * Every state change is a row of alarms.csv.
 */
#include "service_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/capacity/capacity_config.h"
#include "models/capacity/utilization.h"
#include "models/lb/lb.h"
#include "models/metrics.h"
#include "models/scenario.h"
#include "sim/mem.h"
#include "sim/rng.h"

static const char *const state_names[] = { "INSUFFICIENT_DATA", "OK", "ALARM" };

static void on_minute(struct sim *s, void *ctx, const struct event *ev);

static void on_bake(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;

	(void)s;
	svc_alarms_bake_end(bp, ev->target, (int)ev->arg);
}

void svc_alarms_attach(struct backplane *bp)
{
	struct sched *sc = svc_sched(bp);

	if (backplane_scenario(bp)->n_alarms == 0)
		return;            /* no alarms: no event types, no events */
	sc->ev_alarm = sim_on(backplane_sim(bp), "alarm-minute", on_minute, bp);
	sc->ev_bake = sim_on(backplane_sim(bp), "deployment-bake-end", on_bake, bp);
}

void svc_alarms_init(struct backplane *bp)
{
	struct sched *sc = svc_sched(bp);
	struct scenario *s = backplane_scenario(bp);

	sc->n_alarms = s->n_alarms;
	if (!s->n_alarms)
		return;
	sc->alarms = xcalloc((size_t)s->n_alarms, sizeof *sc->alarms);
	for (int i = 0; i < s->n_alarms; i++) {
		struct alarm_rt *a = &sc->alarms[i];
		char name[300];

		a->cfg = &s->alarms[i];
		a->dp = xcalloc((size_t)a->cfg->eval_periods, sizeof *a->dp);
		snprintf(name, sizeof name, "alarm/%s/utilization", a->cfg->name);
		a->rng = rng_stream(backplane_rng(bp), name);
	}
}

void svc_alarms_free(struct backplane *bp)
{
	struct sched *sc = svc_sched(bp);

	for (int i = 0; i < sc->n_alarms; i++)
		free(sc->alarms[i].dp);
	free(sc->alarms);
	sc->alarms = NULL;
}

/* A task whose containers run: RUNNING, or DEACTIVATING while its
 * load-balancer targets drain (docs/ecs-model.md choice E220). */
static int containers_run(const struct task *t)
{
	return t->seen == TS_RUNNING || t->seen == TS_DEACTIVATING;
}

/* The service's average utilisation of one resource now (percent), as the
 * scaler computes it (Σ used / Σ reserved over its tasks whose containers
 * run, each from its definition's `utilization` model); NaN: no such task,
 * or one without a model.  A `fromRequests` task is left out (choice E136). */

static double service_util(struct backplane *bp, struct alarm_rt *a, int mem)
{
	struct scenario *s = backplane_scenario(bp);
	struct svc *v = &svc_sched(bp)->svcs[a->cfg->service];
	sim_time_t now = sim_now(backplane_sim(bp));
	double used = 0, reserved = 0;
	int n = 0;

	for (int k = 0; k < v->n_tasks; k++)
		n += containers_run(bp_task_at(bp, v->tasks[k]));
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = bp_task_at(bp, v->tasks[k]);
		const struct cap_util *u;
		const struct util_model *m;
		double res, pct;

		if (!containers_run(t))
			continue;
		u = cap_util_for(s->capacity, s->taskdefs[t->td].name);
		if (!u || !(mem ? u->has_mem : u->has_cpu))
			return NAN;
		m = mem ? &u->mem : &u->cpu;
		if (m->kind == UTIL_REQUESTS)
			continue;
		res = mem ? (double)s->taskdefs[t->td].req.mem_mib : (double)s->taskdefs[t->td].req.cpu_units;
		pct = util_at(m, now, a->rng);
		if (u->shared_by > 0)
			pct = pct * u->shared_by / n;
		used += res * pct / 100;
		reserved += res;
	}
	return util_aggregate(&used, &reserved, reserved > 0 ? 1 : 0);
}

/* A count's running totals now: RequestCount the requests routed to the
 * group's targets; HTTPCode_ELB_5XX_Count its 502, 503 and 504;
 * TargetResponseTime the served requests' summed latency (c0) and their
 * number (c1). */
static void counts_now(struct backplane *bp, const struct alarm_rt *a, double *c0, double *c1)
{
	struct lb *lb = lb_actor_world(bp);
	struct lb_tg_now g;
	struct lb_counts k;

	*c0 = *c1 = 0;
	if (!lb)
		return;
	lb_tg_now(lb, a->cfg->tg, sim_now(backplane_sim(bp)), &g);
	lb_tg_counts(lb, a->cfg->tg, &k);
	if (a->cfg->metric == AM_REQUESTS) {
		*c0 = g.arrivals;
	} else if (a->cfg->metric == AM_ELB_5XX) {
		*c0 = k.e502 + k.e503 + k.e504;
	} else {
		*c0 = k.latency_sum_ms;
		*c1 = k.served;
	}
}

/* A gauge's sample this minute (NaN: none). */
static double gauge_now(struct backplane *bp, struct alarm_rt *a)
{
	struct lb *lb = lb_actor_world(bp);
	struct lb_tg_now g;

	switch (a->cfg->metric) {
	case AM_CPU:
		return service_util(bp, a, 0);
	case AM_MEMORY:
		return service_util(bp, a, 1);
	case AM_HEALTHY:
	case AM_UNHEALTHY:
		if (!lb)
			return NAN;
		lb_tg_now(lb, a->cfg->tg, sim_now(backplane_sim(bp)), &g);
		return a->cfg->metric == AM_HEALTHY ? g.healthy : g.unhealthy;
	default:
		return NAN;
	}
}

static int is_count(const struct alarm_rt *a)
{
	return a->cfg->metric == AM_REQUESTS || a->cfg->metric == AM_ELB_5XX || a->cfg->metric == AM_RESPONSE_TIME;
}

static void period_reset(struct backplane *bp, struct alarm_rt *a)
{
	a->minute = 0;
	a->g_sum = 0;
	a->g_n = 0;
	a->g_min = INFINITY;
	a->g_max = -INFINITY;
	if (is_count(a))
		counts_now(bp, a, &a->c0, &a->c1);
}

/* The period's datapoint (NaN: missing). */
static double datapoint(struct backplane *bp, struct alarm_rt *a)
{
	double c0, c1, x;

	if (!is_count(a)) {
		if (a->g_n == 0)
			return NAN;
		switch (a->cfg->stat) {
		case AS_MAXIMUM:
			return a->g_max;
		case AS_MINIMUM:
			return a->g_min;
		default:
			return a->g_sum / a->g_n;
		}
	}
	counts_now(bp, a, &c0, &c1);
	if (a->cfg->metric == AM_RESPONSE_TIME)
		x = c1 - a->c1 > 0 ? (c0 - a->c0) / (c1 - a->c1) / 1000.0 : NAN;
	else
		x = c0 - a->c0 > 0 ? c0 - a->c0 : NAN;   /* published only when not 0 */
	return x;
}

static int breaching(const struct scn_alarm *c, double x)
{
	switch (c->cmp) {
	case AC_GT:
		return x > c->threshold;
	case AC_GE:
		return x >= c->threshold;
	case AC_LT:
		return x < c->threshold;
	default:
		return x <= c->threshold;
	}
}

/* CloudWatch's rule over the last N datapoints (choice E136): M breaching
 * (a missing one counted as treatMissingData says) → ALARM; none present
 * (missing, ignore) → INSUFFICIENT_DATA, or the state kept (ignore);
 * otherwise OK. */
int alarm_eval(const struct scn_alarm *c, const double *dp, int n_dp, int state)
{
	int bad = 0, good = 0, miss = c->eval_periods - n_dp;

	for (int i = 0; i < n_dp; i++) {
		if (isnan(dp[i]))
			miss++;
		else if (breaching(c, dp[i]))
			bad++;
		else
			good++;
	}
	if (c->missing == AMD_BREACHING)
		bad += miss;
	else if (c->missing == AMD_NOT_BREACHING)
		good += miss;
	if (bad >= c->to_alarm)
		return AL_ALARM;
	if (bad + good == 0)
		return c->missing == AMD_IGNORE ? state : AL_INSUFFICIENT;
	return AL_OK;
}

/* The rule over the datapoints an evaluation has made (n_dp, fewer than
 * evaluationPeriods at its start): the periods before it started are
 * outside the range, not missing datapoints (choice E141).  CloudWatch
 * evaluates an alarm all the time, so those periods had the metric's data
 * (the service's tasks before the deployment); ecsim, evaluating only while
 * a deployment needs it (E138), has none, and counting them as breaching
 * (`breaching`) would put a fresh evaluation in ALARM at its first good
 * datapoint.  The same as alarm_eval but for `breaching` at the start. */
int alarm_eval_started(const struct scn_alarm *c, const double *dp, int n_dp, int state)
{
	struct scn_alarm r = *c;

	if (n_dp < r.eval_periods)
		r.eval_periods = n_dp;
	return alarm_eval(&r, dp, n_dp, state);
}

/* Whether service v lists alarm i. */
static int lists(const struct svc *v, int i)
{
	for (int k = 0; k < v->cfg->n_alarms; k++)
		if (v->cfg->alarm_idx[k] == i)
			return 1;
	return 0;
}

/* The alarm entered ALARM: it fails each deployment evaluating it that has
 * had a task RUNNING; `out` gets "service:N" of each. */
static void trip(struct backplane *bp, int i, char *out, size_t n)
{
	struct sched *sc = svc_sched(bp);
	size_t len = 0;

	out[0] = '\0';
	for (int vi = 0; vi < sc->n_svcs; vi++) {
		struct svc *v = &sc->svcs[vi];
		int d = v->alarm_dep;

		if (d < 0 || !v->deps[d].ran || !lists(v, i) || v->deps[d].rollout != ROLL_IN_PROGRESS)
			continue;
		if (len < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s:%d", len ? ";" : "", v->cfg->name, d + 1);
		svc_rollback_by_alarm = 1;
		svc_dep_failed(bp, v, d, v->cfg->alarms_rollback);
		svc_rollback_by_alarm = 0;
		svc_tell_rollout(bp, v);
		svc_schedule(bp, vi, backplane_scenario(bp)->timing.scheduler_delay);
	}
}

static void set_state(struct backplane *bp, struct alarm_rt *a, int state, double x)
{
	char failed[512];
	int i = (int)(a - svc_sched(bp)->alarms);

	if (state == a->state)
		return;
	a->state = state;
	failed[0] = '\0';
	if (state == AL_ALARM)
		trip(bp, i, failed, sizeof failed);
	if (backplane_metrics(bp))
		metrics_on_alarm(backplane_metrics(bp), sim_now(backplane_sim(bp)), a->cfg->name, state_names[state], x,
				 failed);
}

static void on_minute(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct alarm_rt *a = ev->target;
	uint64_t gen = ev->arg;

	(void)s;
	if (gen != a->gen)
		return;            /* evaluation stopped since */
	if (!is_count(a)) {
		double x = gauge_now(bp, a);

		if (!isnan(x)) {
			a->g_sum += x;
			a->g_n++;
			a->g_min = x < a->g_min ? x : a->g_min;
			a->g_max = x > a->g_max ? x : a->g_max;
		}
	}
	if (++a->minute * 60 >= a->cfg->period_s) {
		double x = datapoint(bp, a);
		int n = a->cfg->eval_periods;
		double last[1000];

		a->dp[a->head] = x;
		a->head = (a->head + 1) % n;
		if (a->n_dp < n)
			a->n_dp++;
		for (int k = 0; k < a->n_dp; k++)
			last[k] = a->dp[(a->head - a->n_dp + k + n) % n];
		period_reset(bp, a);
		set_state(bp, a, alarm_eval_started(a->cfg, last, a->n_dp, a->state), x);
	}
	if (a->users > 0 && a->gen == gen)
		sim_after(backplane_sim(bp), MINUTE_MS, svc_sched(bp)->ev_alarm, a, a->gen);
}

static void use(struct backplane *bp, int i, int on)
{
	struct alarm_rt *a = &svc_sched(bp)->alarms[i];

	if (on) {
		if (a->users++ > 0)
			return;
		/* a fresh evaluation (choice E138) */
		a->gen++;
		a->n_dp = a->head = 0;
		period_reset(bp, a);
		set_state(bp, a, AL_INSUFFICIENT, NAN);
		sim_after(backplane_sim(bp), MINUTE_MS, svc_sched(bp)->ev_alarm, a, a->gen);
	} else if (--a->users == 0) {
		a->gen++;
	}
}

/* The deployment the service's alarms are evaluated for now, -1. */
static int watched(const struct svc *v)
{
	int d = -1;

	if (!v->cfg->alarms_enable || !v->active || v->deleting || v->n_deps == 0)
		return -1;
	if (v->bg.stage == BG_SCALE_UP || v->bg.stage == BG_SHIFT || v->bg.stage == BG_BAKE)
		d = v->bg.green;
	else if (v->bg.stage == BG_NONE)
		d = v->primary;
	if (d < 0 || v->deps[d].rollout != ROLL_IN_PROGRESS || v->deps[d].rolled_back)
		return -1;
	return d;
}

void svc_alarms_sync(struct backplane *bp, struct svc *v)
{
	int d;

	if (!v->cfg->alarms_enable)
		return;
	d = watched(v);
	if (d == v->alarm_dep)
		return;
	if (v->alarm_dep >= 0 && d >= 0) {
		v->alarm_dep = d;     /* the same alarms, now for another deployment */
		return;
	}
	v->alarm_dep = d;
	for (int k = 0; k < v->cfg->n_alarms; k++)
		use(bp, v->cfg->alarm_idx[k], d >= 0);
}

/* The bake time (choice E137): the longest periodSeconds × evaluationPeriods
 * of the service's alarms. */
static sim_time_t bake_ms(struct backplane *bp, const struct svc *v)
{
	sim_time_t b = 0;

	for (int k = 0; k < v->cfg->n_alarms; k++) {
		const struct scn_alarm *c = &backplane_scenario(bp)->alarms[v->cfg->alarm_idx[k]];
		sim_time_t x = (sim_time_t)c->period_s * c->eval_periods * 1000;

		b = x > b ? x : b;
	}
	return b;
}

int svc_alarms_steady(struct backplane *bp, struct svc *v)
{
	struct deployment *p = &v->deps[v->primary];

	if (!v->cfg->alarms_enable || p->rolled_back)
		return 1;
	/* the bake over, steady again: COMPLETED now (choice E147) */
	if (p->bake_until != 0 && sim_now(backplane_sim(bp)) >= p->bake_until)
		return 1;
	if (p->bake_until == 0) {
		p->bake_until = sim_now(backplane_sim(bp)) + bake_ms(bp, v);
		svc_dep_row(bp, v, v->primary, "BAKE_TIME", 1000);
		sim_at(backplane_sim(bp), p->bake_until, svc_sched(bp)->ev_bake, v, (uint64_t)v->primary);
	}
	return 0;
}

void svc_alarms_bake_end(struct backplane *bp, struct svc *v, int dep)
{
	struct deployment *p;

	if (!v->active || v->deleting || dep != v->primary || v->bg.stage != BG_NONE)
		return;
	p = &v->deps[dep];
	if (p->rollout != ROLL_IN_PROGRESS || p->bake_until != sim_now(backplane_sim(bp)))
		return;
	/* a deployment is COMPLETED when the service is at steady state
	 * (docs/ecs-model.md §5.5, choice E147): a service that lost a task
	 * during the bake stays IN_PROGRESS, its alarms watched, until a pass
	 * finds it steady again (svc_alarms_steady) */
	if (!(v->cfg->sched == SCHED_DAEMON ? svc_daemon_steady(bp, v) : svc_replica_steady(bp, v)))
		return;
	p->rollout = ROLL_COMPLETED;
	svc_dep_row(bp, v, dep, "COMPLETED", 1000);
	svc_tell_rollout(bp, v);
}
