/* models/gen.c — the trace generator behind `ecsim gen` (models/gen.h); the
 * spec it generates from is read by gen_spec.c (shared: gen_int.h).
 *
 * Generation is a set of processes, each with exactly one pending event, in
 * a binary heap keyed by (time in ms, process index); the process index
 * follows declaration order (instance registrations, scheduled outages,
 * stochastic outage processes, instance failure processes by instance
 * number, task processes), so rows that tie in time come out in a fixed
 * order.  When a process's event is emitted it computes its next one.
 *
 *  - task arrivals: a non-homogeneous Poisson process by thinning
 *    (Lewis and Shedler 1979): candidates from a homogeneous process at the
 *    curve's maximum rate, each kept with probability rate(t) / max rate;
 *    exponential gaps and acceptance uniforms from "gen/<name>/arrivals",
 *    the task definition through gsl_ran_discrete from "gen/<name>/mix",
 *    the run time from "gen/<name>/runtime";
 *  - instance failures: an alternating renewal process per instance (up for
 *    a time-to-failure, down for a time-to-repair; never failed while down),
 *    stream "gen/failures/<instance id>";
 *  - stochastic AZ outages: an alternating renewal process per AZ
 *    (interArrivalSeconds up, durationSeconds down), stream
 *    "gen/outages/<k>/<az>".
 * Streams are created failures first, then outages, then tasks, so adding a
 * task process never changes failure or outage draws (sim/rng.h).
 */
#include "gen_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/csvout.h"
#include "sim/dist.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"
#include "sim/rng.h"

const char *const gen_columns[7] = { "time_s", "event", "target", "taskdef", "count",
				     "duration_s", "group" };

enum pkind { P_REGISTER, P_SCHED, P_STOCH, P_FAIL, P_TASK };

struct proc {
	enum pkind kind;
	size_t a, b;            /* group / outage / task index; AZ index; instance number */
	sim_time_t next;        /* time of the pending event, ms */
	double t;               /* its exact time in seconds (task arrivals: the
				 * candidate's; failures and stochastic outages: the
				 * sum of the drawn times, next its rounding) */
	gsl_rng *r, *mix, *rt;
};

struct gen {
	const struct gen_spec *s;
	struct rng_reg *rng;
	sim_time_t until;
	struct proc *p;
	size_t np;
	size_t *heap;
	size_t nh;
	char target[32];
};

static sim_time_t to_ms(double s)
{
	if (!(s > 0))
		return 0;
	if (s > MAX_SECONDS)
		s = MAX_SECONDS;
	return (sim_time_t)floor(s * 1000.0 + 0.5);
}

/* A drawn time in seconds, from 0 up. */
static double draw_s(const struct dist *d, gsl_rng *r)
{
	double x = dist_sample(d, r);

	return x > 0 ? x : 0;
}

/* An alternating renewal process's pending event (a failure or an outage,
 * at p->t exactly, p->next rounded): its duration, in ms, and the next
 * event.  Its end and the next start are the exact sums of the drawn
 * times, each rounded to the millisecond once (rounding every drawn time
 * instead would add up the rounding errors: another process than the one
 * drawn, scenarios/README.md "Algorithms"), but a duration is at least
 * 1 ms and the next event at least 1 ms after the end. */
static sim_time_t renew(struct proc *p, const struct dist *dur, const struct dist *gap)
{
	sim_time_t start = p->next, end_ms;
	double end = p->t + draw_s(dur, p->r);

	end_ms = to_ms(end);
	if (end_ms <= start)
		end_ms = start + 1;
	p->t = end + draw_s(gap, p->r);
	p->next = to_ms(p->t);
	if (p->next <= end_ms)
		p->next = end_ms + 1;
	return end_ms - start;
}

static double rate_at(const struct tproc *t, double sec)
{
	double hour = fmod(sec / 3600.0, HOURS);

	switch (t->curve) {
	case CURVE_COSINE:
		return t->rate * (1 + t->amplitude * cos(2 * M_PI * (hour - t->peak_hour) / HOURS));
	case CURVE_HOURLY:
		return t->rate * t->hourly[(int)hour % HOURS];
	default:
		return t->rate;
	}
}

/* Advance a task process to its next accepted arrival (thinning). */
static void next_arrival(struct gen *g, struct proc *p)
{
	const struct tproc *t = &g->s->tasks[p->a];
	double lmax = t->rate * t->max_mult;
	double until_s = (double)g->until / 1000.0;

	p->next = SIM_TIME_MAX;
	if (!(lmax > 0))
		return;
	for (;;) {
		p->t += gsl_ran_exponential(p->r, 1.0 / lmax);
		if (p->t >= until_s)
			return;
		if (gsl_rng_uniform(p->r) * lmax < rate_at(t, p->t)) {
			p->next = to_ms(p->t);
			return;
		}
	}
}

static int before(const struct gen *g, size_t x, size_t y)
{
	const struct proc *a = &g->p[x], *b = &g->p[y];

	return a->next < b->next || (a->next == b->next && x < y);
}

static void sift_up(struct gen *g, size_t i)
{
	while (i > 0) {
		size_t up = (i - 1) / 2, tmp;

		if (!before(g, g->heap[i], g->heap[up]))
			break;
		tmp = g->heap[i];
		g->heap[i] = g->heap[up];
		g->heap[up] = tmp;
		i = up;
	}
}

static void sift_down(struct gen *g, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i, tmp;

		if (l < g->nh && before(g, g->heap[l], g->heap[m]))
			m = l;
		if (l + 1 < g->nh && before(g, g->heap[l + 1], g->heap[m]))
			m = l + 1;
		if (m == i)
			break;
		tmp = g->heap[i];
		g->heap[i] = g->heap[m];
		g->heap[m] = tmp;
		i = m;
	}
}

static int fails(const struct gen_spec *s, const char *type)
{
	return s->has_failures && (s->n_fail_types == 0 ||
				   gen_in_list(s->fail_types, s->n_fail_types, type));
}

static struct proc *add(struct gen *g, enum pkind kind, size_t a, size_t b, sim_time_t next)
{
	struct proc *p = &g->p[g->np++];

	p->kind = kind;
	p->a = a;
	p->b = b;
	p->next = next;
	return p;
}

struct gen *gen_open(const struct gen_spec *s, const struct gen_opts *o)
{
	struct gen *g = xcalloc(1, sizeof *g);
	size_t cap = 1 + s->n_scheds + s->n_tasks, inst = 0;
	char name[300];

	for (size_t i = 0; i < s->n_stochs; i++)
		cap += s->stochs[i].n_azs;
	if (s->has_failures)
		cap += (size_t)s->n_instances;
	g->s = s;
	g->rng = rng_new(o && o->has_seed ? o->seed : s->seed);
	g->until = to_ms(o && o->duration_s > 0 ? o->duration_s : s->duration);
	g->p = xcalloc(cap, sizeof *g->p);
	g->heap = xcalloc(cap, sizeof *g->heap);
	if (s->n_instances > 0) {
		size_t first = 0;

		while (s->groups[first].count == 0)
			first++;
		add(g, P_REGISTER, first, 0, 0);
	}
	for (size_t i = 0; i < s->n_scheds; i++)
		add(g, P_SCHED, i, 0, to_ms(s->scheds[i].at));
	/* streams: failures, then outages, then tasks (see the top) */
	for (size_t gi = 0; gi < s->n_groups; gi++) {
		for (int64_t k = 0; k < s->groups[gi].count; k++, inst++) {
			struct proc *p;

			if (!fails(s, s->groups[gi].type))
				continue;
			snprintf(name, sizeof name, "gen/failures/ci-%05lld",
				 (long long)(s->first_instance + (int64_t)inst));
			p = add(g, P_FAIL, gi, (size_t)s->first_instance + inst, 0);
			p->r = rng_stream(g->rng, name);
			p->t = draw_s(&s->ttf, p->r);
			p->next = to_ms(p->t);
		}
	}
	for (size_t i = 0; i < s->n_stochs; i++) {
		for (size_t j = 0; j < s->stochs[i].n_azs; j++) {
			struct proc *p = add(g, P_STOCH, i, j, 0);

			snprintf(name, sizeof name, "gen/outages/%zu/%s", i, s->stochs[i].azs[j]);
			p->r = rng_stream(g->rng, name);
			p->t = draw_s(&s->stochs[i].inter, p->r);
			p->next = to_ms(p->t);
		}
	}
	for (size_t i = 0; i < s->n_tasks; i++) {
		struct proc *p = add(g, P_TASK, i, 0, 0);

		snprintf(name, sizeof name, "gen/%s/arrivals", s->tasks[i].name);
		p->r = rng_stream(g->rng, name);
		snprintf(name, sizeof name, "gen/%s/mix", s->tasks[i].name);
		p->mix = rng_stream(g->rng, name);
		snprintf(name, sizeof name, "gen/%s/runtime", s->tasks[i].name);
		p->rt = rng_stream(g->rng, name);
		next_arrival(g, p);
	}
	for (size_t i = 0; i < g->np; i++) {
		if (g->p[i].next >= g->until)
			continue;
		g->heap[g->nh++] = i;
		sift_up(g, g->nh - 1);
	}
	return g;
}

void gen_close(struct gen *g)
{
	if (!g)
		return;
	rng_free(g->rng);
	free(g->p);
	free(g->heap);
	free(g);
}

size_t gen_memory(const struct gen *g)
{
	return sizeof *g + g->np * (sizeof *g->p + sizeof *g->heap);
}

/* Emit p's pending event into row and schedule its next one. */
static void fire(struct gen *g, struct proc *p, struct trace_row *row)
{
	const struct gen_spec *s = g->s;

	row->t = p->next;
	switch (p->kind) {
	case P_REGISTER:
		row->ev = TR_REGISTER_INSTANCE;
		row->target = s->groups[p->a].type;
		row->group = s->groups[p->a].az;
		row->count = s->groups[p->a].count;
		/* the next non-empty group, at the same time */
		do
			p->a++;
		while (p->a < s->n_groups && s->groups[p->a].count == 0);
		if (p->a >= s->n_groups)
			p->next = SIM_TIME_MAX;
		break;
	case P_SCHED:
		row->ev = TR_AZ_OUTAGE;
		row->target = s->scheds[p->a].az;
		row->duration = to_ms(s->scheds[p->a].dur);
		p->next = SIM_TIME_MAX;
		break;
	case P_STOCH: {
		const struct stoch *o = &s->stochs[p->a];

		row->ev = TR_AZ_OUTAGE;
		row->target = o->azs[p->b];
		row->duration = renew(p, &o->dur, &o->inter);
		break;
	}
	case P_FAIL:
		snprintf(g->target, sizeof g->target, "ci-%05lld", (long long)p->b);
		row->ev = TR_INSTANCE_FAIL;
		row->target = g->target;
		if (s->has_repair) {
			row->duration = renew(p, &s->ttr, &s->ttf);
		} else {
			p->next = SIM_TIME_MAX;
		}
		break;
	case P_TASK: {
		const struct tproc *t = &s->tasks[p->a];

		row->ev = TR_RUN_TASK;
		row->taskdef = t->tds[gsl_ran_discrete(p->mix, t->table)];
		row->group = t->group;
		row->count = t->count;
		if (t->has_runtime)
			row->duration = to_ms(dist_sample(&t->runtime, p->rt));
		next_arrival(g, p);
		break;
	}
	}
}

int gen_next(struct gen *g, struct trace_row *row)
{
	struct proc *p;

	if (g->nh == 0)
		return 0;
	memset(row, 0, sizeof *row);
	row->target = row->taskdef = row->group = "";
	row->count = 1;
	row->duration = -1;
	p = &g->p[g->heap[0]];
	fire(g, p, row);
	if (p->next >= g->until)
		g->heap[0] = g->heap[--g->nh];
	sift_down(g, 0);
	return 1;
}

/* An upper estimate of the rows a spec writes: every instance registered,
 * each task process at its curve's largest rate for the whole duration,
 * each instance failing once per mean time to failure, each scheduled
 * outage, each stochastic outage process once per mean inter-arrival. */
double gen_expected_rows(const struct gen_spec *s, const struct gen_opts *o)
{
	double dur = o && o->duration_s > 0 ? o->duration_s : s->duration;
	double n = (double)s->n_instances + (double)s->n_scheds;

	for (size_t i = 0; i < s->n_tasks; i++)
		n += s->tasks[i].rate * s->tasks[i].max_mult * dur;
	if (s->has_failures) {
		double m = dist_mean(&s->ttf);

		if (m > 0 && isfinite(m))
			n += (double)s->n_instances * dur / m;
	}
	for (size_t i = 0; i < s->n_stochs; i++) {
		double m = dist_mean(&s->stochs[i].inter);

		if (m > 0 && isfinite(m))
			n += dur / m;
	}
	return n;
}

int gen_write(const struct gen_spec *s, const struct gen_opts *o, const char *out,
	      int64_t *rows, struct err *e)
{
	struct csvout *w;
	struct trace_row r;
	struct gen *g;
	int64_t n = 0;

	w = strcmp(out, "-") == 0 ? csvout_open_stream(stdout, "stdout", gen_columns, 7, e)
				  : csvout_open(out, gen_columns, 7, e);
	if (!w)
		return -1;
	g = gen_open(s, o);
	while (gen_next(g, &r)) {
		csvout_ms(w, r.t);
		csvout_str(w, trace_event_name(r.ev));
		csvout_str(w, r.target);
		csvout_str(w, r.taskdef);
		if (r.ev == TR_RUN_TASK || r.ev == TR_REGISTER_INSTANCE)
			csvout_int(w, r.count);
		else
			csvout_empty(w);
		csvout_ms(w, r.duration);
		csvout_str(w, r.group);
		csvout_endrow(w);
		n++;
	}
	gen_close(g);
	if (rows)
		*rows = n;
	return csvout_close(w, e);
}
