/* models/backplane_workload.c — the workload that drives the backplane: trace
 * files and public traces (streamed, one row ahead; each row acts through
 * its row of trace_events[]) and generators (one pending arrival each).
 */
#include "backplane_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"

/* A trace row happens now: its row of trace_events[] acts; an error gets
 * the row's place. */
static int trace_row(struct backplane *bp, struct trace_src *src, struct err *e)
{
	const struct trace_row *r = &src->row;
	int rc = trace_events[r->ev].apply(bp, r, src->dir, e);

	if (rc == 0)
		return 0;
	/* put the trace's place on an error raised by the scenario or catalog */
	snprintf(e->file, sizeof e->file, "%s", src->label);
	e->line = r->line;
	if (rc != TRACE_ERR_AT_COL)
		e->col = 0;
	return -1;
}

static int next_row(struct backplane *bp, struct trace_src *src, struct err *e)
{
	int rc = src->im ? import_next(src->im, &src->row, e) : trace_next(src->t, &src->row, e);

	if (rc < 0)
		return -1;
	if (rc > 0 && src->row.t <= bp->s->duration)
		sim_at_next(bp->sim, src->row.t, bp->ev_trace, src, 0);   /* (a row of now: after the row before has run to the end) */
	return 0;
}

static void on_trace(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct trace_src *src = ev->target;
	struct err e;

	(void)s;
	err_clear(&e);
	if (trace_row(bp, src, &e) || next_row(bp, src, &e))
		bp_fail(bp, &e);
}

static void on_arrival(struct sim *s, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct gen_src *gs = ev->target;
	const struct scn_generator *g = gs->g;
	int td = g->mix[gsl_ran_discrete(gs->mix, gs->table)].taskdef;
	sim_time_t dur = -1, next;
	struct err e;

	err_clear(&e);
	if (g->has_runtime) {
		double x = dist_sample(&g->runtime, gs->runtime);

		dur = sim_ms(x);
	}
	if (backplane_run_task_as(bp, td, g->group, NULL, g->count, dur, g->cp_strategy,
				  g->launch_type, &e)) {
		bp_fail(bp, &e);
		return;
	}
	gs->made += g->count;
	/* The arrival instants are kept exact and each rounded to the
	 * millisecond on its own: rounding every gap instead would add up the
	 * rounding errors, a renewal process of another rate (4 % more
	 * arrivals at a 1-ms exponential mean; scenarios/README.md, "`workload`"). */
	gs->next_s += dist_sample(&g->interarrival, gs->arrivals);
	next = sim_ms(gs->next_s);
	if ((g->max_tasks == 0 || gs->made < g->max_tasks) && next < g->stop && next <= bp->s->duration)
		sim_at_next(s, next, bp->ev_arrival, gs, 0);
}

void workload_register(struct backplane *bp)
{
	bp->ev_trace = sim_on(bp->sim, "trace-row", on_trace, bp);
	bp->ev_arrival = sim_on(bp->sim, "generator-arrival", on_arrival, bp);
}

int workload_start(struct backplane *bp, struct err *e)
{
	struct scenario *s = bp->s;

	bp->traces = xcalloc((size_t)(s->n_traces + s->n_imports) + 1, sizeof *bp->traces);
	for (int i = 0; i < s->n_traces; i++) {
		struct trace_src *src = &bp->traces[i];
		const char *slash = strrchr(s->traces[i], '/');

		src->bp = bp;
		src->dir = slash ? xstrndup(s->traces[i], (size_t)(slash - s->traces[i]))
				 : xstrdup(".");
		/* every event kind is simulated */
		src->t = trace_open(s->traces[i], (1u << TR_N_EVENTS) - 1, e);
		bp->n_traces++;
		if (!src->t)
			return -1;
		src->label = trace_path(src->t);
		if (next_row(bp, src, e))
			return -1;
	}
	for (int i = 0; i < s->n_imports; i++) {
		struct trace_src *src = &bp->traces[bp->n_traces++];

		src->bp = bp;
		src->dir = xstrdup(s->dir);
		src->label = s->imports[i].label;
		src->im = import_open(s->imports[i].format, &s->imports[i].opts, e);
		if (!src->im || next_row(bp, src, e))
			return -1;
	}
	bp->gens = xcalloc((size_t)s->n_gens + 1, sizeof *bp->gens);
	for (int i = 0; i < s->n_gens; i++) {
		struct gen_src *gs = &bp->gens[i];
		const struct scn_generator *g = &s->gens[i];
		double *w = xmalloc((size_t)g->n_mix * sizeof *w);
		double sum = 0;
		char name[300];

		for (int k = 0; k < g->n_mix; k++)
			sum += w[k] = g->mix[k].weight;
		gs->bp = bp;
		gs->g = g;
		bp->n_gens++;
		if (!(sum > 0)) {
			free(w);
			return err_at(e, s->file, 0, 0, NULL,
				      "generator '%s': task definition weights must not all be 0", g->name);
		}
		gs->table = gsl_ran_discrete_preproc((size_t)g->n_mix, w);
		free(w);
		snprintf(name, sizeof name, "workload/gen/%s/arrivals", g->name);
		gs->arrivals = rng_stream(bp->rng, name);
		snprintf(name, sizeof name, "workload/gen/%s/mix", g->name);
		gs->mix = rng_stream(bp->rng, name);
		snprintf(name, sizeof name, "workload/gen/%s/runtime", g->name);
		gs->runtime = rng_stream(bp->rng, name);
		gs->next_s = (double)g->start / SIM_MS_PER_S;
		if (g->start <= s->duration && g->start < g->stop)
			sim_at(bp->sim, g->start, bp->ev_arrival, gs, 0);
	}
	return 0;
}

void workload_free(struct backplane *bp)
{
	for (int i = 0; i < bp->n_traces; i++) {
		trace_close(bp->traces[i].t);
		import_close(bp->traces[i].im);
		free(bp->traces[i].dir);
	}
	free(bp->traces);
	for (int i = 0; i < bp->n_gens; i++)
		if (bp->gens[i].table)
			gsl_ran_discrete_free(bp->gens[i].table);
	free(bp->gens);
}
