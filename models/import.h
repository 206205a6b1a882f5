/* models/import.h — streaming importers of public cluster traces into
 * ecsim's own trace rows (struct trace_row, models/trace.h).
 *
 * Formats:
 *   "google2011"  — Google cluster-data 2011: task_events and machine_events
 *                   (gzip CSV without header, as published, or plain CSV)
 *   "alibaba2018" — Alibaba cluster-trace-v2018: batch_task, container_meta,
 *                   machine_meta (CSV without header)
 *   "alibaba2017" — Alibaba cluster-trace-v2017: batch_task (a header line
 *                   added by a third party tolerated), server_event
 *   "swf"         — Parallel Workloads Archive Standard Workload Format
 *                   (`;` header comments, 18 whitespace-separated fields)
 *   "openb"       — Alibaba GPU cluster trace 2023: node list and pod list
 *                   (CSV with header)
 *
 * Every input table is read one record at a time and must be in time order
 * (a row earlier than the one before is an error that says how to sort the
 * file); the tables are merged by time.  Memory follows the number of
 * machines and of live tasks, never the number of rows.  Every mapping
 * decision is documented in scenarios/README.md, "Importing public traces".
 */
#ifndef MODELS_IMPORT_H
#define MODELS_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "models/trace.h"
#include "sim/err.h"

#define IMPORT_MAX_AZS 8

struct import_opts {
	/* google2011 */
	const char *task_events, *machine_events;
	/* alibaba2018 (batch_task also alibaba2017's) */
	const char *batch_task, *container_meta, *machine_meta;
	/* alibaba2017 */
	const char *server_event;
	/* swf */
	const char *swf;
	int swf_no_machines;      /* do not register instances for the header's
				   * MaxProcs */
	/* openb */
	const char *openb_nodes, *openb_pods;
	/* catalog type that a normalised capacity of 1.0 maps to; NULL =
	 * IMPORT_DEFAULT_TYPE */
	const char *instance_type;
	/* AZs machines are spread over (by a hash of the machine id); n_azs 0 =
	 * IMPORT_DEFAULT_AZS */
	const char *azs[IMPORT_MAX_AZS];
	int n_azs;
	double time_scale;        /* multiplies every time and duration; 0 = 1 */
	int64_t max_rows;         /* stop after this many output rows; 0 = all */
	int first_instance;       /* instances registered before the trace's
				   * (by the scenario): ids continue after them */
	double machine_cores;     /* alibaba2018/2017: cores of one trace machine
				   * (plan_cpu/cpu_request are cores x 100); 0 = 96
				   * (alibaba2018), 64 (alibaba2017) */
	double machine_memory;    /* alibaba2017: normalised memory of one trace
				   * machine (requests are fractions of the
				   * largest machine); 0 =
				   * IMPORT_ALIBABA2017_MACHINE_MEMORY */
	int64_t max_instance_num; /* alibaba2018: largest batch_task instance_num
				   * accepted; 0 = IMPORT_DEFAULT_MAX_INSTANCE_NUM */
};

#define IMPORT_FORMATS "google2011, alibaba2018, alibaba2017, swf or openb"

#define IMPORT_DEFAULT_MAX_INSTANCE_NUM 1000000
#define IMPORT_MAX_INSTANCE_NUM 1000000000

/* alibaba2017: server_event's normalised memory of 1,300 of the 1,313
 * machines the published table adds (0.68997 to 0.69001). */
#define IMPORT_ALIBABA2017_MACHINE_MEMORY 0.69

#define IMPORT_DEFAULT_TYPE "m5.4xlarge"
#define IMPORT_DEFAULT_AZS "us-east-1a,us-east-1b,us-east-1c"

/* Rows read and what became of them (for the command's summary and tests). */
struct import_stats {
	int64_t rows_in;          /* input records read, all tables */
	int64_t rows_out;         /* trace rows produced */
	int64_t skipped_blank;    /* task submissions without a CPU/memory request */
	int64_t skipped_ignored;  /* records that map to nothing (SCHEDULE, UPDATE, ...) */
	int64_t skipped_unknown;  /* end/remove events of a task/machine never started */
	int64_t skipped_duplicate;/* a submission of a task already live, a second ADD */
	int64_t skipped_never;    /* events at the "never" time (2^63-1) */
	int64_t gpu_dropped;      /* openb: pods whose GPU request was not kept */
};

struct import;   /* a streaming source of struct trace_row, in time order */

struct import *import_open(const char *format, const struct import_opts *o, struct err *e);
/* 1 = a row (its strings valid until the next call), 0 = end, -1 = error. */
int import_next(struct import *im, struct trace_row *row, struct err *e);
void import_close(struct import *im);       /* NULL is a no-op */
void import_stats(const struct import *im, struct import_stats *st);
/* Write every remaining row as ecsim trace CSV (header time_s, event,
 * target, taskdef, count, duration_s, group, cpu, memory) to `path` (through
 * a temporary file renamed at the end; "-" = stdout).  0 or -1. */
int import_write_csv(struct import *im, const char *path, struct err *e);
/* Bytes the importer holds: readers' buffers plus the live-task and machine
 * maps.  Does not grow with rows read when the live set does not. */
size_t import_memory(const struct import *im);

#endif
