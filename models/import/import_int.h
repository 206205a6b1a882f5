/* models/import/import_int.h — what the importers of models/import/ share:
 * the per-table source (a csvin reader, its time-order check and the one
 * output row it holds ahead), the mapping state (machines, live tasks) and
 * the helpers that parse the public tables' fields. */
#ifndef MODELS_IMPORT_INT_H
#define MODELS_IMPORT_INT_H

#include "models/import.h"
#include "sim/csvin.h"
#include "sim/hmap.h"

#define SRC_MAX 3
#define STR_MAX 256             /* longest id/name copied into an output row */

struct import;
struct src;

typedef int (*src_fill_fn)(struct import *im, struct src *s, struct err *e);

struct src {
	struct csvin *in;
	src_fill_fn fill;       /* reads records until one output row is ready */
	const char *time_col_hint; /* "-k1,1n": the sort key of the time column */
	int time_col;           /* field index of the time column */
	int64_t prev;           /* raw time of the previous record, -1 before the first */
	int has, done;
	struct trace_row out;   /* the row held ahead (strings below) */
	char target[STR_MAX + 16], group[STR_MAX + 16];
	/* alibaba batch_task: instances of the current row not emitted yet */
	int64_t left;
	/* the current record's needs, for split rows */
	int64_t cpu_units, mem_mib;
	/* a table read whole at open and sorted by time (alibaba2018's
	 * machine_meta, published in machine order): its records, freed by
	 * import_close (NULL: the table is streamed) */
	struct sorted_rec *sorted;
	size_t n_sorted, next_sorted;
};

/* A record of a sorted table: its raw time, its line in the file, its
 * string fields (owned). */
struct sorted_rec {
	int64_t raw;
	long line;
	int flag;
	char *id;
};

struct import {
	struct src src[SRC_MAX];
	int nsrc;
	const char *format;
	char type[64];
	int64_t vcpu, mem_mib;  /* capacity 1.0 */
	char *azs[IMPORT_MAX_AZS];
	int n_azs;
	double scale;
	int64_t max_rows;
	int first_instance;
	double machine_cores;
	int64_t max_instance_num;

	struct hmap *machines;  /* machine id -> instance number << 1 | in service */
	int next_instance;      /* instances numbered so far */
	struct hmap *live;      /* live tasks: key -> attempt */
	struct hmap *recent, *old; /* ended tasks remembered for FORGET_MS: key -> attempt */
	sim_time_t rotate_at;
	struct import_stats st;
};

/* Ended tasks are remembered at least this long (trace time) so that a
 * resubmission gets a new id while the old task may still be stopping. */
#define FORGET_MS (3600 * 1000LL)

/* Open a table without a header; names its columns.  0 or -1. */
int import_src_open(struct import *im, const char *path, const char *const *cols, int ncols,
		    int time_col, const char *hint, src_fill_fn fill, struct err *e);
/* Next record of s: 1, 0 at end, -1 on error (wrong field count, ...). */
int import_src_record(struct import *im, struct src *s, struct err *e);
/* Field i of the current record. */
const char *import_field(const struct src *s, int i);
/* Check and parse the time field (integer >= 0, in time order); 0 or -1. */
int import_time(struct import *im, struct src *s, int64_t *raw, struct err *e);
/* An integer field >= 0 (required); 0 or -1. */
int import_uint(const struct src *s, int col, int64_t *v, struct err *e);
/* A decimal number >= 0 (exponent allowed); *blank set when empty. 0 or -1. */
int import_real(const struct src *s, int col, double *v, int *blank, struct err *e);
/* A required string of at most STR_MAX characters; 0 or -1. */
int import_str(const struct src *s, int col, const char **v, struct err *e);
/* Trace time (ms) of a raw time in `unit_us` microseconds per unit. */
sim_time_t import_ms(const struct import *im, int64_t raw, int64_t unit_us);

/* Machines: register (returns the row's target/group filled in s->out) and
 * remove.  1 = a row is ready in s->out, 0 = nothing to emit. */
int import_machine_add(struct import *im, struct src *s, const char *id, sim_time_t t);
int import_machine_remove(struct import *im, struct src *s, const char *id, sim_time_t t);
/* Tasks: start (run_task with explicit id) and end (stop_task). */
int import_task_start(struct import *im, struct src *s, const char *key, sim_time_t t,
		      const char *group, int64_t cpu, int64_t mem);
int import_task_end(struct import *im, struct src *s, const char *key, sim_time_t t);
/* CPU units and MiB of normalised requests (fractions of capacity 1.0), >= 1. */
int64_t import_cpu_units(const struct import *im, double frac);
int64_t import_mem_mib(const struct import *im, double frac);
/* Both needs of a request; -1 with the column named when one exceeds what
 * the trace reader accepts (never clamped). */
int import_needs(const struct import *im, struct src *s, int cpu_col, double cpu_frac, int mem_col,
		 double mem_frac, int64_t *cpu, int64_t *mem, struct err *e);

int import_google_open(struct import *im, const struct import_opts *o, struct err *e);
int import_alibaba_open(struct import *im, const struct import_opts *o, struct err *e);

#endif
