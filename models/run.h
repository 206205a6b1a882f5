/* models/run.h — one simulation run of a loaded scenario: the engine, the
 * random streams, metrics and the backplane wired together, run to the
 * scenario's duration, results written.  Used by `ecsim run` and by tests. */
#ifndef MODELS_RUN_H
#define MODELS_RUN_H

#include <stdint.h>

#include "models/scenario.h"
#include "sim/err.h"

struct backplane;
struct explain_log;

struct run_opts {
	const char *out_dir;
	int task_log;                     /* write tasks.csv and placement_failures.csv */
	/* called after every event (tests checking invariants); may be NULL */
	void (*observe)(struct backplane *bp, void *ctx);
	void *observe_ctx;
	/* called between slices of simulated time with the share done; NULL = none */
	void (*progress)(double done, void *ctx);
	void *progress_ctx;
	struct explain_log *explain;      /* --explain (models/placement/explain.h); NULL = off */
};

enum run_status { RUN_OK = 0, RUN_RUNTIME = 1, RUN_INPUT = 2 };

/* What a run's engine ran: events dispatched, and held places (steps of a
 * chain queued and run at their place like events, but not events:
 * sim_held_after, scenarios/README.md "Fewer events per task"). */
struct run_counts {
	uint64_t events, held;
};

/* Run; on failure e says why and no result file is left behind.  *n gets
 * the counts of what ran (also on failure: up to where it stopped). */
enum run_status run_scenario(struct scenario *s, const struct run_opts *o, struct run_counts *n,
			     struct err *e);

#endif
