/* models/capacity/app_scaling.c — target tracking, step scaling, scheduled
 * actions and cooldowns of Application Auto Scaling (docs/ecs-model.md
 * §5.10). */
#include "models/capacity/app_scaling.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"

void aas_policy_default(struct aas_policy *p, enum aas_kind kind)
{
	memset(p, 0, sizeof *p);
	p->kind = kind;
	p->metric = AAS_CPU;
	p->target = 50;
	p->out_cooldown_ms = 300000;
	p->in_cooldown_ms = 300000;
	p->out_datapoints = 3;
	p->in_datapoints = 15;
	p->in_factor = 0.9;
	p->cmp = AAS_GT;
	p->eval_periods = 1;
	p->adjust = AAS_CHANGE;
	p->cooldown_ms = 300000;
	p->tg = -1;
}

void aas_config_free(struct aas_config *c)
{
	for (int i = 0; i < c->n_policies; i++) {
		free(c->policies[i].name);
		free(c->policies[i].label);
	}
	for (int i = 0; i < c->n_sched; i++)
		free(c->sched[i].name);
	free(c->policies);
	free(c->sched);
	c->policies = NULL;
	c->sched = NULL;
	c->n_policies = c->n_sched = 0;
}

const char *aas_metric_name(enum aas_metric m)
{
	switch (m) {
	case AAS_CPU: return "ECSServiceAverageCPUUtilization";
	case AAS_MEMORY: return "ECSServiceAverageMemoryUtilization";
	case AAS_ALB_REQUESTS: return "ALBRequestCountPerTarget";
	case AAS_N_METRICS: break;
	}
	return "?";
}

void aas_state_init(struct aas_state *s, const struct aas_config *c)
{
	s->min_cap = c->min_cap;
	s->max_cap = c->max_cap;
	s->in_suspended = 0;
	s->n = c->n_policies;
	s->ps = xcalloc((size_t)c->n_policies + 1, sizeof *s->ps);
	for (int i = 0; i < c->n_policies; i++) {
		s->ps[i].last_out_ms = s->ps[i].last_in_ms = -1;
	}
	s->next_sched = xcalloc((size_t)c->n_sched + 1, sizeof *s->next_sched);
	for (int i = 0; i < c->n_sched; i++)
		s->next_sched[i] = c->sched[i].at_ms;
}

void aas_state_free(struct aas_state *s)
{
	free(s->ps);
	free(s->next_sched);
	s->ps = NULL;
	s->next_sched = NULL;
}

static int clamp(const struct aas_state *s, int v)
{
	if (v > s->max_cap)
		v = s->max_cap;
	if (v < s->min_cap)
		v = s->min_cap;
	return v;
}

/* ceil(cap × metric / target), computed so that an exact ratio is not
 * pushed up by rounding error. */
static int proportional(int cap, double metric, double target)
{
	double x = (double)cap * metric / target;
	double r = nearbyint(x);

	if (fabs(x - r) < 1e-9)
		return (int)r;
	return (int)ceil(x);
}

static int in_cooldown(int64_t last, int64_t now, int64_t len)
{
	return last >= 0 && now - last < len;
}

static int breaches(enum aas_cmp cmp, double v, double th)
{
	switch (cmp) {
	case AAS_GT: return v > th;
	case AAS_GE: return v >= th;
	case AAS_LT: return v < th;
	case AAS_LE: return v <= th;
	}
	return 0;
}

/* The step adjustment for metric − threshold = x: bounds are inclusive below
 * and exclusive above for x >= 0, the other way round for x < 0 (as
 * Application Auto Scaling reads them). */
static const struct aas_step *find_step(const struct aas_policy *p, double x)
{
	for (int i = 0; i < p->n_steps; i++) {
		const struct aas_step *st = &p->steps[i];

		if (x >= 0 ? (x >= st->lower && x < st->upper) : (x > st->lower && x <= st->upper))
			return st;
	}
	return NULL;
}

static int step_capacity(const struct aas_policy *p, const struct aas_step *st, int cur)
{
	switch (p->adjust) {
	case AAS_CHANGE:
		return cur + (int)st->adjustment;
	case AAS_EXACT:
		return (int)st->adjustment;
	case AAS_PERCENT: {
		/* Application Auto Scaling rounds a fractional change toward zero
		 * beyond ±1 (12.7 → 12, −6.67 → −6) and away from zero inside
		 * (0.67 → 1, −0.58 → −1), then applies the magnitude floor (the
		 * AAS user guide, step scaling's adjustment types; docs/ecs-model.md
		 * §5.10) */
		double ch = (double)cur * st->adjustment / 100.0;
		int delta = (int)trunc(ch);

		if (ch > 0 && ch < 1)
			delta = 1;
		else if (ch < 0 && ch > -1)
			delta = -1;

		if (st->adjustment > 0 && delta < p->min_magnitude)
			delta = p->min_magnitude;
		if (st->adjustment < 0 && -delta < p->min_magnitude)
			delta = -p->min_magnitude;
		return cur + delta;
	}
	}
	return cur;
}

enum vote { V_NONE, V_STAY, V_OUT, V_IN };

int aas_datapoint(const struct aas_config *c, struct aas_state *s, int64_t now,
		  const double *metrics, int current, struct aas_decision *d)
{
	int best_out = -1, out_pol = -1, best_in = -1, in_pol = -1, in_blocked = 0;
	int want;
	enum vote *votes = xcalloc((size_t)c->n_policies + 1, sizeof *votes);

	d->policy = -1;
	d->metric = NAN;
	d->old_desired = d->new_desired = current;
	d->reason = "no change";
	for (int i = 0; i < c->n_policies; i++) {
		const struct aas_policy *p = &c->policies[i];
		struct aas_pstate *ps = &s->ps[i];
		double v = metrics[p->metric];
		int w;

		votes[i] = V_NONE;
		if (isnan(v)) {
			ps->high = ps->low = ps->breach = 0;
			if (p->kind == AAS_TARGET_TRACKING && !p->disable_scale_in)
				in_blocked = 1;     /* insufficient data: no agreement */
			continue;
		}
		if (p->kind == AAS_TARGET_TRACKING) {
			if (v > p->target) {
				ps->high++;
				ps->low = 0;
			} else if (v < p->in_factor * p->target) {
				ps->low++;
				ps->high = 0;
			} else {
				ps->high = ps->low = 0;
			}
			votes[i] = V_STAY;
			if (ps->high >= p->out_datapoints) {
				int base = in_cooldown(ps->last_out_ms, now, p->out_cooldown_ms)
					   ? ps->cap_before_out : current;

				w = proportional(base, v, p->target);
				if (w > current) {
					votes[i] = V_OUT;
					if (w > best_out) {
						best_out = w;
						out_pol = i;
					}
				}
			} else if (ps->low >= p->in_datapoints && !p->disable_scale_in &&
				   !in_cooldown(ps->last_in_ms, now, p->in_cooldown_ms)) {
				w = proportional(current, v, p->target);
				if (w < current) {
					votes[i] = V_IN;
					if (w > best_in) {
						best_in = w;
						in_pol = i;
					}
				}
			}
			if (!p->disable_scale_in && votes[i] != V_IN)
				in_blocked = 1;
		} else {
			ps->breach = breaches(p->cmp, v, p->threshold) ? ps->breach + 1 : 0;
			if (ps->breach >= p->eval_periods) {
				const struct aas_step *st = find_step(p, v - p->threshold);
				int w0 = st ? step_capacity(p, st, current) : current;

				/* the cooldown (StepScalingPolicyConfiguration.Cooldown,
				 * docs/ecs-model.md §5.10): within a scale-out's cooldown
				 * the capacity it added counts, the step applies to the
				 * capacity before it and acts only if larger; a scale-in
				 * waits for the cooldown of the policy's last scale-in,
				 * which a scale-out ends; a scale-out never waits for it */
				if (w0 > current) {
					w = in_cooldown(ps->last_out_ms, now, p->cooldown_ms)
					    ? step_capacity(p, st, ps->cap_before_out) : w0;
					if (w > current) {
						votes[i] = V_OUT;
						if (w > best_out) {
							best_out = w;
							out_pol = i;
						}
					}
				} else if (w0 < current && !in_cooldown(ps->last_in_ms, now, p->cooldown_ms)) {
					votes[i] = V_IN;
					if (w0 > best_in) {
						best_in = w0;
						in_pol = i;
					}
				}
			}
		}
	}
	want = -1;
	if (best_out >= 0) {
		want = clamp(s, best_out);
		d->policy = out_pol;
		d->reason = c->policies[out_pol].kind == AAS_STEP ? "step scaling alarm"
			    : "above target (high alarm)";
	} else if (best_in >= 0 && !in_blocked) {
		want = clamp(s, best_in);
		d->policy = in_pol;
		d->reason = c->policies[in_pol].kind == AAS_STEP ? "step scaling alarm"
			    : "below target (low alarm)";
	} else if (clamp(s, current) != current) {
		want = clamp(s, current);
		d->reason = "outside min/max capacity";
	}
	if (d->policy >= 0)
		d->metric = metrics[c->policies[d->policy].metric];
	if (want >= 0 && want < current && s->in_suspended) {
		/* no scaling activity: no cooldown, the alarms stay in ALARM */
		d->reason = "scale-in suspended";
		free(votes);
		return -1;
	}
	if (want < 0 || want == current) {
		if (want == current && d->policy >= 0)
			d->reason = "at min/max capacity";
		free(votes);
		return -1;
	}
	d->new_desired = want;
	for (int i = 0; i < c->n_policies; i++) {
		struct aas_pstate *ps = &s->ps[i];

		if (c->policies[i].kind == AAS_STEP) {
			if (votes[i] == V_OUT) {
				if (!in_cooldown(ps->last_out_ms, now, c->policies[i].cooldown_ms))
					ps->cap_before_out = current;
				ps->last_out_ms = now;
			} else if (votes[i] == V_IN) {
				ps->last_in_ms = now;
			}
			if (want > current)
				ps->last_in_ms = -1;   /* a scale-out ends the scale-in cooldown */
		} else if (want > current) {
			if (!in_cooldown(ps->last_out_ms, now, c->policies[i].out_cooldown_ms))
				ps->cap_before_out = current;
			ps->last_out_ms = now;
			ps->last_in_ms = -1;   /* and ends the scale-in cooldown, as for step policies */
		} else {
			ps->last_in_ms = now;
		}
	}
	free(votes);
	return want;
}

int aas_scheduled(const struct aas_config *c, struct aas_state *s, int64_t now, int current,
		  struct aas_decision *d)
{
	int changed = 0, want;

	d->policy = -1;
	d->metric = NAN;
	d->old_desired = d->new_desired = current;
	d->reason = "scheduled action";
	for (;;) {
		int k = -1;

		for (int i = 0; i < c->n_sched; i++)
			if (s->next_sched[i] <= now && (k < 0 || s->next_sched[i] < s->next_sched[k]))
				k = i;
		if (k < 0)
			break;
		if (c->sched[k].min_cap >= 0)
			s->min_cap = c->sched[k].min_cap;
		if (c->sched[k].max_cap >= 0)
			s->max_cap = c->sched[k].max_cap;
		changed = 1;
		s->next_sched[k] = c->sched[k].every_ms > 0 ? s->next_sched[k] + c->sched[k].every_ms
							    : INT64_MAX;
	}
	if (!changed)
		return -1;
	want = clamp(s, current);
	if (want == current)
		return -1;
	d->new_desired = want;
	return want;
}

int64_t aas_next_scheduled(const struct aas_config *c, const struct aas_state *s)
{
	int64_t t = INT64_MAX;

	for (int i = 0; i < c->n_sched; i++)
		if (s->next_sched[i] < t)
			t = s->next_sched[i];
	return t;
}
