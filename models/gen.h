/* models/gen.h — workload traces from a generator spec (`ecsim gen`).
 *
 * A generator spec (JSON, documented in scenarios/README.md, "Generating
 * traces") declares instances, RunTask arrival processes (a base rate, an
 * optional 24-hour rate curve, a task-definition mix, a run-time
 * distribution), per-instance failure/repair processes and AZ outages.
 * gen_next() streams the resulting trace rows in time order; memory is a
 * small heap with one pending event per process, independent of the length
 * of the trace.  Same spec and seed => the same rows.
 *
 * Rows come out as struct trace_row (models/trace.h), so writing them and
 * reading them back use one definition of the format.
 */
#ifndef MODELS_GEN_H
#define MODELS_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "models/trace.h"
#include "sim/err.h"

struct gen_spec;

/* Load a spec file; relative empirical-distribution files are resolved
 * against the spec's folder.  NULL with e filled (JSON path) on error. */
struct gen_spec *gen_spec_load(const char *path, struct err *e);
/* The same from text in memory; `file` names it in messages, `base_dir`
 * (NULL = current folder) resolves relative files. */
struct gen_spec *gen_spec_parse(const char *file, const char *text, size_t len,
				const char *base_dir, struct err *e);
void gen_spec_free(struct gen_spec *s);     /* NULL is a no-op */
/* The spec's `name` (default: file name without .json). */
const char *gen_spec_name(const struct gen_spec *s);

/* Overrides of the spec's seed and duration. */
struct gen_opts {
	int has_seed;
	uint64_t seed;
	double duration_s;          /* > 0 replaces durationSeconds */
};

struct gen;

/* Start generating (o may be NULL). */
struct gen *gen_open(const struct gen_spec *s, const struct gen_opts *o);
void gen_close(struct gen *g);              /* NULL is a no-op */
/* Next row: 1 = a row (strings valid until the next call), 0 = end. */
int gen_next(struct gen *g, struct trace_row *row);
/* Bytes held by the generator (processes, heap, streams' bookkeeping
 * excluded); constant while it runs.  For tests. */
size_t gen_memory(const struct gen *g);

/* The trace's header columns, in the order gen_write() writes them. */
extern const char *const gen_columns[7];

/* An upper estimate of the data rows gen_write() writes (for `ecsim gen`'s
 * --max-rows check, before anything is written). */
double gen_expected_rows(const struct gen_spec *s, const struct gen_opts *o);
#define GEN_DEFAULT_MAX_ROWS 10000000LL

/* Generate the whole trace into `out` ("-" = stdout; a file is written to
 * OUT.tmp and renamed when complete).  *rows = data rows written.  Returns
 * 0, or -1 with e filled (the output could not be written). */
int gen_write(const struct gen_spec *s, const struct gen_opts *o, const char *out,
	      int64_t *rows, struct err *e);

#endif
