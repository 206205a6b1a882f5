/* models/run.c — see run.h.  The run advances in slices of 1/200 of the
 * horizon so that a caller can draw progress; slicing does not change the
 * order of events. */
#include "run.h"

#include "models/backplane.h"
#include "models/metrics.h"
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

enum run_status run_scenario(struct scenario *s, const struct run_opts *o, uint64_t *events,
			     struct err *e)
{
	struct metrics_cfg cfg = { o->out_dir, s->name, s->summary_label, s->seed, o->task_log };
	struct metrics *m = metrics_open(&cfg, e);
	struct sim *sim;
	struct rng_reg *rng;
	struct backplane *bp;
	struct obs ob;
	enum run_status rc = RUN_OK;
	sim_time_t step = s->duration / 200 > 0 ? s->duration / 200 : 1;

	*events = 0;
	if (!m)
		return RUN_RUNTIME;
	sim = sim_new();
	rng = rng_new(s->seed);
	bp = backplane_new(s, sim, rng, m);
	ob = (struct obs){ o->observe, bp, o->observe_ctx };
	if (o->observe)
		sim_observe(sim, observe, &ob);
	if (backplane_start(bp, e)) {
		rc = RUN_INPUT;
		goto out;
	}
	for (sim_time_t t = 0; t < s->duration && !backplane_error(bp);) {
		t = t + step < s->duration ? t + step : s->duration;
		sim_run(sim, t);
		if (o->progress)
			o->progress((double)t / (double)s->duration, o->progress_ctx);
	}
	if (backplane_error(bp)) {
		*e = *backplane_error(bp);
		rc = RUN_INPUT;
		goto out;
	}
	sim_set_now(sim, s->duration);
	backplane_finish(bp, s->duration);
	backplane_free(bp);
	bp = NULL;
	if (metrics_close(m, s->duration, e))
		rc = RUN_RUNTIME;
	m = NULL;
out:
	*events = sim_events(sim);
	backplane_free(bp);
	metrics_abort(m);
	rng_free(rng);
	sim_free(sim);
	return rc;
}
