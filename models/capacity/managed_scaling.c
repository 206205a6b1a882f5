/* models/capacity/managed_scaling.c — CapacityProviderReservation and the
 * target-tracking decision on it (docs/ecs-model.md §5.12). */
#include "models/capacity/managed_scaling.h"

#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"

/* ---- the binpack estimate --------------------------------------------- */

struct bin {
	int64_t cpu, mem;
	int enis, gpus;
	int n_ports, cap_ports;
	int *ports;
};

/* A port the task needs is held by a task in the bin or by the instance
 * itself (agent-reserved, daemon tasks): a task that needs a reserved port
 * fits no empty instance and is left out (docs/ecs-model.md §5.12). */
static int ports_clash(const struct ms_type *ty, const struct bin *b, const struct ms_need *t)
{
	for (int i = 0; i < t->n_ports; i++) {
		for (int j = 0; j < b->n_ports; j++)
			if (b->ports[j] == t->ports[i])
				return 1;
		for (int j = 0; j < ty->n_taken; j++)
			if (ty->taken[j] == t->ports[i])
				return 1;
	}
	return 0;
}

static int fits(const struct ms_type *ty, const struct bin *b, const struct ms_need *t)
{
	return b->cpu + t->cpu <= ty->cpu && b->mem + t->mem_mib <= ty->mem_mib &&
	       b->enis + t->enis <= ty->enis && b->gpus + t->gpus <= ty->gpus &&
	       !ports_clash(ty, b, t);
}

static void put(struct bin *b, const struct ms_need *t)
{
	b->cpu += t->cpu;
	b->mem += t->mem_mib;
	b->enis += t->enis;
	b->gpus += t->gpus;
	for (int i = 0; i < t->n_ports; i++) {
		if (b->n_ports == b->cap_ports) {
			b->cap_ports = b->cap_ports ? 2 * b->cap_ports : 8;
			b->ports = xrealloc(b->ports, (size_t)b->cap_ports * sizeof *b->ports);
		}
		b->ports[b->n_ports++] = t->ports[i];
	}
}

/* Larger share of the instance first (the bigger of the CPU and memory
 * fractions), ties by input order: first-fit decreasing. */
struct order { double size; int idx; };

static int by_size_desc(const void *a, const void *b)
{
	const struct order *x = a, *y = b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->idx - y->idx;
}

int ms_binpack(const struct ms_type *t, const struct ms_need *needs, int n_needs, int *excluded)
{
	struct order *ord = xcalloc((size_t)n_needs + 1, sizeof *ord);
	struct bin *bins = NULL;
	size_t cap = 0;
	int nb = 0, left_out = 0;

	for (int i = 0; i < n_needs; i++) {
		double c = t->cpu > 0 ? (double)needs[i].cpu / (double)t->cpu : 0;
		double m = t->mem_mib > 0 ? (double)needs[i].mem_mib / (double)t->mem_mib : 0;

		ord[i].size = c > m ? c : m;
		ord[i].idx = i;
	}
	qsort(ord, (size_t)n_needs, sizeof *ord, by_size_desc);
	for (int k = 0; k < n_needs; k++) {
		const struct ms_need *nd = &needs[ord[k].idx];
		struct bin empty = { 0 };

		if (!fits(t, &empty, nd)) {
			left_out += nd->count;
			continue;
		}
		for (int c = 0; c < nd->count; c++) {
			int b = 0;

			while (b < nb && !fits(t, &bins[b], nd))
				b++;
			if (b == nb) {
				XGROW(bins, cap, (size_t)nb + 1);
				memset(&bins[nb], 0, sizeof bins[nb]);
				nb++;
			}
			put(&bins[b], nd);
		}
	}
	for (int b = 0; b < nb; b++)
		free(bins[b].ports);
	free(bins);
	free(ord);
	if (excluded)
		*excluded = left_out;
	return nb;
}

/* ---- the metric and the decision --------------------------------------- */

double ms_reservation(int m, int n)
{
	if (n == 0)
		return m > 0 ? 200.0 : 100.0;
	return (double)m * 100.0 / (double)n;
}

double ms_reservation_empty(int m, int n, int empty)
{
	if (m > n)
		return ms_reservation(m, n);
	return 100.0 - (double)empty;
}

int ms_count_warming(const int64_t *launched_ms, int n, int64_t now, int64_t warmup_ms)
{
	int w = 0;

	for (int i = 0; i < n; i++)
		if (launched_ms[i] < 0 || now - launched_ms[i] < warmup_ms)
			w++;
	return w;
}

void ms_params_default(struct ms_params *p)
{
	memset(p, 0, sizeof *p);
	p->enabled = 1;
	p->target = 100;
	p->min_step = 1;
	p->max_step = 10000;
	p->warmup_ms = 300000;
	p->min_size = 0;
	p->max_size = 10000;
	p->termination_protection = 0;
	p->draining = 1;
	p->scale_in_datapoints = 15;
	p->scale_out_datapoints = 1;
}

void ms_state_init(struct ms_state *s)
{
	s->low_streak = 0;
	s->high_streak = 0;
	s->last_change_ms = -1;
}

const char *ms_action_name(enum ms_action a)
{
	switch (a) {
	case MS_NONE: return "none";
	case MS_SCALE_OUT: return "scale-out";
	case MS_SCALE_IN: return "scale-in";
	case MS_WAIT_WARMUP: return "wait-warmup";
	case MS_WAIT_LOW: return "wait-low";
	case MS_WAIT_HIGH: return "wait-high";
	case MS_AT_LIMIT: return "at-limit";
	}
	return "?";
}

/* Instances needed to bring M to the target: ceil(M × 100 / target). */
static int at_target(int m, int target)
{
	return (int)(((int64_t)m * 100 + target - 1) / target);
}

static int clamp_step(const struct ms_params *p, int step)
{
	if (step < p->min_step)
		step = p->min_step;
	if (step > p->max_step)
		step = p->max_step;
	return step;
}

void ms_datapoint(const struct ms_params *p, struct ms_state *s, int64_t now,
		  const struct ms_input *in, struct ms_decision *d)
{
	double r = p->empty_formula ? ms_reservation_empty(in->m, in->n, in->empty)
				    : ms_reservation(in->m, in->n);
	int target = p->target > 0 ? p->target : 100;

	memset(d, 0, sizeof *d);
	d->reservation = r;
	d->old_desired = d->new_desired = in->desired;
	d->action = MS_NONE;
	d->reason = "at target";
	if (!p->enabled) {
		s->low_streak = 0;
		s->high_streak = 0;
		d->reason = "managed scaling disabled";
		return;
	}
	/* N = 0 and M = 0: the datapoint is 100, above a targetCapacity below
	 * 100, yet no instance is needed (ceil(0 × 100 / target) = 0): from
	 * zero only tasks that need capacity scale out (docs/ecs-model.md
	 * §5.12, choice E42); the same as at target 100 */
	if (r > target && !(in->n == 0 && in->m == 0)) {
		int step, want;

		s->low_streak = 0;   /* a scale-out request ends a pending scale-in */
		s->high_streak++;
		if (s->high_streak < p->scale_out_datapoints) {
			d->action = MS_WAIT_HIGH;
			d->reason = "above target; waiting for consecutive high datapoints";
		} else if (in->warming > 0) {
			d->action = MS_WAIT_WARMUP;
			d->reason = "above target; instances within the warm-up period";
		} else {
			/* instances already requested but not running (warm-up 0)
			 * cover the need: do not ask again */
			int covered;

			if (in->n == 0) {
				step = clamp_step(p, 2);
				covered = in->desired > 0;
				d->reason = "above target; from zero instances, go to two first";
			} else {
				step = clamp_step(p, at_target(in->m, target) - in->desired);
				covered = at_target(in->m, target) <= in->desired;
				d->reason = p->scale_out_datapoints == 1 ? "above target for one datapoint"
									 : "above target for the scale-out datapoints";
			}
			want = in->desired + step;
			if (want > p->max_size)
				want = p->max_size;
			if (covered) {
				d->action = MS_WAIT_WARMUP;
				d->reason = "above target; the instances requested are still launching";
			} else if (want <= in->desired) {
				d->action = MS_AT_LIMIT;
				d->reason = "above target; the group is at its maximum size";
			} else {
				d->action = MS_SCALE_OUT;
				d->new_desired = want;
				s->last_change_ms = now;
			}
		}
	} else if (r < target) {
		s->high_streak = 0;
		s->low_streak++;
		if (s->low_streak < p->scale_in_datapoints) {
			d->action = MS_WAIT_LOW;
			d->reason = "below target; waiting for consecutive low datapoints";
		} else {
			/* the older formula says how many are empty, not how many
			 * are needed: those go */
			int want = p->empty_formula ? in->desired - in->empty : at_target(in->m, target);
			int removable;

			if (want < p->min_size)
				want = p->min_size;
			removable = in->desired - want;
			if (p->termination_protection && removable > in->empty)
				removable = in->empty;
			if (removable <= 0) {
				d->action = MS_AT_LIMIT;
				d->reason = p->termination_protection && in->empty == 0
					    ? "below target; every instance runs a non-daemon task (termination protection)"
					    : "below target; the group is at its minimum size";
			} else {
				d->action = MS_SCALE_IN;
				d->new_desired = in->desired - removable;
				d->drain_first = p->draining;
				d->reason = "below target for the scale-in datapoints";
				s->last_change_ms = now;
			}
			s->low_streak = 0;
		}
	} else {
		s->low_streak = 0;
		s->high_streak = 0;
		if (in->n == 0 && in->m == 0)
			d->reason = "no instance running and no task needs one";
	}
	d->low_streak = s->low_streak;
}

/* ---- which instances scale-in takes ------------------------------------ */


static int eligible(const struct ms_params *p, const struct ms_instance *x, int pass)
{
	if (x->nondaemon_tasks == 0)
		return pass == 0;
	return pass == 1 && !p->termination_protection;
}

int ms_pick_scale_in(const struct ms_params *p, const struct ms_instance *v, int n,
		     int count, int *out)
{
	int max_az = 0, got = 0, *az_count, *taken;

	for (int i = 0; i < n; i++)
		if (v[i].az + 1 > max_az)
			max_az = v[i].az + 1;
	az_count = xcalloc((size_t)max_az + 1, sizeof *az_count);
	taken = xcalloc((size_t)n + 1, sizeof *taken);
	for (int i = 0; i < n; i++)
		az_count[v[i].az]++;
	for (int pass = 0; pass < 2 && got < count; pass++) {
		while (got < count) {
			int best = -1;

			for (int i = 0; i < n; i++) {
				const struct ms_instance *x = &v[i], *b;

				if (taken[i] || !eligible(p, x, pass))
					continue;
				if (best < 0) {
					best = i;
					continue;
				}
				b = &v[best];
				if (az_count[x->az] != az_count[b->az]) {
					if (az_count[x->az] > az_count[b->az])
						best = i;
				} else if (x->launched_ms != b->launched_ms) {
					if (x->launched_ms < b->launched_ms)
						best = i;
				} else if (x->id < b->id) {
					best = i;
				}
			}
			if (best < 0)
				break;
			taken[best] = 1;
			az_count[v[best].az]--;
			out[got++] = v[best].id;
		}
	}
	free(az_count);
	free(taken);
	return got;
}
