/* models/runinfo.h — what a run leaves in its output folder besides the
 * metrics: stale outputs of an earlier run removed, and run.json, the
 * manifest that says how the files were made (scenarios/README.md,
 * "run.json").  run.json is written last, to a temporary name and renamed,
 * so a complete run.json marks a complete run.
 */
#ifndef MODELS_RUNINFO_H
#define MODELS_RUNINFO_H

#include <stdint.h>

#include "sim/err.h"

struct runinfo {
	const char *version;          /* ecsim's */
	const char *scenario;         /* path as given */
	uint64_t seed;                /* the run's (after --seed) */
	const char *strategy;         /* summary.csv's strategy label */
	const char *tie_break;        /* "random" / "first" */
	double until_s;               /* --until, <= 0 when not given */
	int64_t duration_ms;          /* simulated time */
	int task_log;                 /* tasks.csv and placement_failures.csv written */
	int explain;                  /* explain.csv written (--explain) */
	int scaling;                  /* scaling.csv written (a service has autoScaling) */
	int lb;                       /* requests.csv, targets.csv, lb_summary.csv written */
	int alarms;                   /* alarms.csv written (the scenario has $.alarms) */
	int argc;                     /* the command line after "ecsim" */
	char **argv;
};

/* Remove <out_dir>/run.json (a run about to replace files must not leave
 * an earlier run's manifest vouching for them).  Missing is fine. */
void runinfo_invalidate(const char *out_dir);

/* After a successful run: remove the files of ecsim's own output names that
 * this run did not write (never any other file), then write run.json.
 * 0, or -1 with e filled. */
int runinfo_finish(const char *out_dir, const struct runinfo *ri, struct err *e);

#endif
