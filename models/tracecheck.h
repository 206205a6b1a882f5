/* models/tracecheck.h — what `ecsim validate` checks of a scenario's
 * traces without running them: every row is read once (streamed: memory
 * does not grow with the trace, only with the distinct task definitions it
 * names), checked as the reader checks it for a run, and every name it
 * refers to is looked up the way the run would look it up — task
 * definitions (scenario names or .json paths, loaded and checked),
 * instance types, Availability Zones, services and container instance ids.
 * Every bad row is reported, not only the first.
 */
#ifndef MODELS_TRACECHECK_H
#define MODELS_TRACECHECK_H

#include "models/scenario.h"
#include "sim/err.h"

/* Called once per error found (file:line:col, column, reason). */
typedef void (*tracecheck_report)(const struct err *e, void *ctx);

/* Check every trace of `s`, their rows merged in the order the run reads
 * them (task definitions a trace names by path are
 * loaded into s, as a run would).  Returns the number of errors reported;
 * *rows gets the number of rows read. */
long tracecheck_scenario(struct scenario *s, tracecheck_report report, void *ctx, long *rows);

/* Check one trace file on its own (format and values only: it names
 * nothing it could be checked against).  Same return as above. */
long tracecheck_file(const char *path, tracecheck_report report, void *ctx, long *rows);

#endif
