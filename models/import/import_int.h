/* models/import/import_int.h — what the importers of models/import/ share:
 * the per-table source (a csvin reader, its time-order check and the one
 * output row it holds ahead), the mapping state (machines, live tasks) and
 * the helpers that parse the public tables' fields. */
#ifndef MODELS_IMPORT_INT_H
#define MODELS_IMPORT_INT_H

#include "models/import.h"
#include "sim/csvin.h"
#include "sim/hmap.h"
#include "linein.h"

#define SRC_MAX 3
#define STR_MAX 256             /* longest id/name copied into an output row */

struct import;
struct src;

typedef int (*src_fill_fn)(struct import *im, struct src *s, struct err *e);

struct src {
	struct csvin *in;
	struct linein *lin;     /* instead of `in`: a table of text lines (swf) */
	src_fill_fn fill;       /* reads records until one output row is ready */
	const char *time_col_hint; /* "-k1,1n": the sort key of the time column */
	int time_col;           /* field index of the time column */
	int64_t prev;           /* raw time of the previous record, -1 before the first */
	int signed_time;        /* negative times allowed (prev starts at INT64_MIN) */
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
	/* swf: instances still to register for the header's processors
	 * (MaxProcs, else MaxNodes) */
	int64_t fleet_left, fleet_done;
	long fleet_line;
	char *held;             /* the first job line, read with the header */
	int64_t swf_job;        /* the job number of the last line that was not a
				 * partial execution (-2 before the first) */
	/* openb: pods that never ran, stopped at their deletion time (a heap
	 * by time, then line) */
	struct pend *pend;
	size_t n_pend, cap_pend;
	int64_t pend_seq;
	void *aux;              /* a format's own state (freed by import_close) */
};

struct pend {
	sim_time_t t;
	int64_t seq;
	long line;
	char *id;
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
	double machine_mem;     /* alibaba2017: normalised memory of one trace machine */
	int64_t max_instance_num;
	int no_machines;        /* swf: do not register the header's fleet */
	double ref_cpu_milli, ref_mem_mib; /* openb: the largest node */

	struct hmap *machines;  /* machine id -> instance number << 2 | M_DRAINING | M_IN_SERVICE */
	int next_instance;      /* instances numbered so far */
	struct hmap *live;      /* live tasks: key -> attempt */
	struct hmap *recent, *old; /* ended tasks remembered for FORGET_MS: key -> attempt */
	struct hmap *unsized;   /* google2011: submitted without requests, waiting for an
				 * event of the task that carries them: key -> 1 */
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
/* A signed integer field (required); 0 or -1. */
int import_int(const struct src *s, int col, int64_t *v, struct err *e);
/* Check and parse the time field (integer >= 0, or any integer when
 * s->signed_time; in time order); 0 or -1. */
int import_time(struct import *im, struct src *s, int64_t *raw, struct err *e);
/* An integer field >= 0 (required); 0 or -1. */
int import_uint(const struct src *s, int col, int64_t *v, struct err *e);
/* A decimal number >= 0 (exponent allowed); *blank set when empty. 0 or -1. */
int import_real(const struct src *s, int col, double *v, int *blank, struct err *e);
/* A required string of at most STR_MAX characters; 0 or -1. */
int import_str(const struct src *s, int col, const char **v, struct err *e);
/* Trace time (ms) of a raw time in `unit_us` microseconds per unit. */
sim_time_t import_ms(const struct import *im, int64_t raw, int64_t unit_us);

#define M_IN_SERVICE 1u
#define M_DRAINING 2u

/* Machines: register (returns the row's target/group filled in s->out) and
 * remove.  1 = a row is ready in s->out, 0 = nothing to emit. */
int import_machine_add(struct import *im, struct src *s, const char *id, sim_time_t t);
int import_machine_remove(struct import *im, struct src *s, const char *id, sim_time_t t);
/* The same with the AZ given (index into im->azs) rather than hashed. */
int import_machine_add_az(struct import *im, struct src *s, const char *id, sim_time_t t, int az);
/* An in-service machine stops taking new tasks (drain_instance) / takes
 * them again (activate_instance); a repeat or an unknown machine is
 * skipped and counted. */
int import_machine_drain(struct import *im, struct src *s, const char *id, sim_time_t t);
int import_machine_activate(struct import *im, struct src *s, const char *id, sim_time_t t);
/* -1 never seen, 0 removed, else M_IN_SERVICE | (M_DRAINING when drained). */
int import_machine_state(const struct import *im, const char *id);
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
int import_swf_open(struct import *im, const struct import_opts *o, struct err *e);
/* The records of table s, read whole, sorted by time, ties in file order,
 * to be handed out from the first (import.c). */
void import_sort_records(struct src *s);
int import_alibaba2017_open(struct import *im, const struct import_opts *o, struct err *e);
int import_openb_open(struct import *im, const struct import_opts *o, struct err *e);
/* Open a table with a header row that must be exactly `cols` (openb);
 * 0 or -1. */
int import_src_open_header(struct import *im, const char *path, const char *const *cols, int ncols,
			   int time_col, const char *hint, src_fill_fn fill, struct err *e);
/* Start a row of kind `ev` at time t in s->out (strings s->target,
 * s->group, emptied). */
void import_row_init(struct src *s, enum trace_event ev, sim_time_t t);

#endif
