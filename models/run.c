/* models/run.c — see run.h.  The run advances in slices of 1/200 of the
 * horizon so that a caller can draw progress; slicing does not change the
 * order of events. */
#include "run.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/backplane.h"
#include "models/metrics.h"
#include "models/placement/explain.h"
#include "models/runinfo.h"
#include "sim/mem.h"
#include "sim/rng.h"
#include "sim/sim.h"

struct obs {
	void (*fn)(struct backplane *bp, void *ctx);
	struct backplane *bp;
	void *ctx;
};

static void observe(void *p)
{
	struct obs *o = p;

	o->fn(o->bp, o->ctx);
}

/* The outermost folder of `dir`'s chain that does not exist yet (a copy;
 * the run will create it and those below), or NULL when `dir` exists. */
static char *first_missing(const char *dir)
{
	char *p = xstrdup(dir);
	struct stat st;

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (stat(p, &st) != 0)
				return p;
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return NULL;
}

/* Remove the folders the run created (`dir` up to `top`), each only if
 * empty: a failed run leaves no new folder behind, and never removes a
 * file. */
static void remove_created(const char *dir, const char *top)
{
	char *p = xstrdup(dir);

	for (;;) {
		char *slash;

		rmdir(p);
		if (strcmp(p, top) == 0 || !(slash = strrchr(p, '/')) || slash == p)
			break;
		*slash = '\0';
	}
	free(p);
}

/* The bound on events at one instant stopped the run (docs/ecs-model.md
 * choice E85): say where and how to raise it.  0 when it did not. */
static int stuck(const struct scenario *s, const struct sim *sim, struct err *e)
{
	sim_time_t t;
	const char *ev;

	if (!sim_stuck(sim, &t, &ev))
		return 0;
	err_at(e, s->file, 0, 0, NULL,
	       "more than %lld events at the simulated time %lld.%03lld s (the next: %s): the clock no "
	       "longer moves, a loop of zero delays (arrivals 0 ms apart, tasks that stop as they start "
	       "with zero latencies, ...); a simulator limit: raise it with $.limits.maxEventsPerInstant "
	       "(up to %lld)",
	       (long long)s->max_instant, (long long)(t / 1000), (long long)(t % 1000), ev,
	       (long long)SCN_MAX_MAX_INSTANT);
	return 1;
}

enum run_status run_scenario(struct scenario *s, const struct run_opts *o, struct run_counts *n,
			     struct err *e)
{
	struct metrics_cfg cfg = { o->out_dir, s->name, s->summary_label, s->seed, o->task_log,
				   scenario_scales(s), s->n_alarms > 0, s->timing.event_repeat,
				   s->lb.n_tgs > 0 };
	char *created = first_missing(o->out_dir);
	struct metrics *m = metrics_open(&cfg, e);
	struct sim *sim;
	struct rng_reg *rng;
	struct backplane *bp;
	struct obs ob;
	enum run_status rc = RUN_OK;
	sim_time_t step = s->duration / 200 > 0 ? s->duration / 200 : 1;

	*n = (struct run_counts){ 0, 0 };
	if (m && scenario_capacity_unsupported(s, e)) {
		metrics_abort(m);
		m = NULL;
		if (created)
			remove_created(o->out_dir, created);
		free(created);
		return RUN_INPUT;
	}
	if (!m) {
		if (created)
			remove_created(o->out_dir, created);
		free(created);
		return RUN_RUNTIME;
	}
	sim = sim_new();
	rng = rng_new(s->seed);
	bp = backplane_new(s, sim, rng, m);
	backplane_set_explain(bp, o->explain);
	backplane_set_out_dir(bp, o->out_dir);
	ob = (struct obs){ o->observe, bp, o->observe_ctx };
	if (o->observe)
		sim_observe(sim, observe, &ob);
	sim_limit_instant(sim, (uint64_t)s->max_instant);
	if (backplane_start(bp, e)) {
		rc = RUN_INPUT;
		goto out;
	}
	for (sim_time_t t = 0; t < s->duration && !backplane_error(bp) && !sim_stuck(sim, NULL, NULL);) {
		t = t + step < s->duration ? t + step : s->duration;
		sim_run(sim, t);
		if (o->progress)
			o->progress((double)t / (double)s->duration, o->progress_ctx);
	}
	if (!backplane_error(bp) && stuck(s, sim, e)) {
		rc = RUN_INPUT;
		goto out;
	}
	if (backplane_error(bp)) {
		*e = *backplane_error(bp);
		rc = RUN_INPUT;
		goto out;
	}
	sim_set_now(sim, s->duration);
	backplane_finish(bp, s->duration);
	if (backplane_error(bp)) {
		/* an actor's output could not be written */
		*e = *backplane_error(bp);
		rc = RUN_RUNTIME;
		goto out;
	}
	backplane_free(bp);
	bp = NULL;
	/* the files are about to be replaced: an earlier run's manifest no
	 * longer describes them (the command writes the new one last) */
	runinfo_invalidate(o->out_dir);
	if (metrics_close(m, s->duration, e))
		rc = RUN_RUNTIME;
	m = NULL;
out:
	n->events = sim_events(sim);
	n->held = sim_held_run(sim);
	backplane_free(bp);
	metrics_abort(m);
	rng_free(rng);
	sim_free(sim);
	if (rc != RUN_OK)
		explain_log_abort(o->explain);
	if (rc != RUN_OK && created)
		remove_created(o->out_dir, created);
	free(created);
	return rc;
}
