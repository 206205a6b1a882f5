/* models/trace.h — ecsim's workload trace (scenarios/README.md, "Trace
 * format"): CSV with a header, columns in any order, `time_s` and `event`
 * required, then as each event needs:
 *
 *   time_s,event,target,taskdef,count,duration_s,group,cpu,memory,
 *   capacity_provider_strategy,launch_type,command
 *
 * A run_task row names a task definition (`taskdef`) or gives explicit
 * resources (`cpu` in CPU units and `memory` in MiB, both integers >= 1):
 * a synthetic single-container task with those needs (what the trace
 * importers of models/import.h produce).
 *
 * A run_task row starts `count` tasks, 1 to 10 (ECS RunTask's limit per
 * call); more is refused.  It may give its own capacity provider strategy
 * (`capacity_provider_strategy` = PROVIDER:BASE:WEIGHT items joined by
 * `;`, e.g. FARGATE:1:1;FARGATE_SPOT:0:3) or its own `launch_type` (EC2 or
 * FARGATE), not both, as RunTask takes them; neither: the cluster's
 * default strategy, else the task definition's launch type.
 *
 * Rows are streamed one at a time (memory does not grow with the trace) and
 * must be in non-decreasing time order.  Every event kind is parsed and
 * checked; a kind the running build cannot simulate yet is refused with
 * "not supported yet" (never silently ignored).
 *
 * The event kinds are one table, trace_events[] (models/trace_events.c):
 * per kind its name, which columns it takes, and what the control plane
 * does with a row of it.  Adding an event is one enum value and one row.
 */
#ifndef MODELS_TRACE_H
#define MODELS_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/err.h"
#include "sim/evq.h"

enum trace_event {
	TR_RUN_TASK, TR_STOP_TASK, TR_REGISTER_INSTANCE, TR_INSTANCE_FAIL,
	TR_AZ_OUTAGE, TR_AGENT_DISCONNECT, TR_SPOT_INTERRUPTION, TR_SET_DESIRED,
	TR_DEPLOY, TR_DRAIN_INSTANCE, TR_ACTIVATE_INSTANCE, TR_DELETE_SERVICE,
	TR_DEREGISTER_INSTANCE, TR_FARGATE_SPOT_INTERRUPTION, TR_HEALTH_CHECK_FAIL, TR_N_EVENTS
};

struct backplane;

/* What the consumer of the rows keeps for all the rows of one shape (the
 * same text in every column but time_s and duration_s; models/trace.c):
 * the reader clears it (td -1, call 0) when it starts keeping a shape and
 * never reads it. */
struct trace_memo {
	int32_t td;             /* the task definition the row's taskdef (or cpu
				 * and memory) resolved to, -1 until stored */
	uint64_t call;          /* the consumer's word for the row's call, 0
				 * until stored (models/trace_events.c: a RunTask
				 * prepared by backplane_run_prepare) */
};

/* One row.  Strings point into the reader's buffer: valid until the next
 * trace_next() call. */
struct trace_row {
	sim_time_t t;              /* time_s converted to ms (rounded half up) */
	enum trace_event ev;
	const char *target;        /* "" when empty */
	const char *taskdef;
	const char *group;
	int64_t count;             /* default 1 */
	sim_time_t duration;       /* ms; -1 when empty */
	int64_t cpu_units, mem_mib; /* run_task without taskdef: explicit needs; 0 = not given */
	/* run_task: its own capacity provider strategy / launch type, as
	 * written ("" or NULL = not given; syntax checked by trace_next), and
	 * the 1-based columns they came from (0: none, e.g. an importer's row) */
	const char *cps, *launch_type;
	int cps_col, lt_col;
	/* health_check_fail: the failing command hangs (`command` hang: each
	 * check fails at its timeout) rather than exiting non-zero at once */
	uint8_t hang;
	long line;                 /* line of the row in the file */
	/* NULL, or the memo of the row's shape: one place for all the rows
	 * of the same shape */
	struct trace_memo *memo;
};

/* What a column means for an event: not used (must be empty), optional,
 * required. */
enum trace_use { TU_NO, TU_OPT, TU_REQ };

/* One row of the table of event kinds. */
struct trace_event_def {
	const char *name;          /* the `event` column's value */
	/* the columns it takes (cpu and memory: run_task only, checked apart;
	 * run_task's taskdef is optional here, required unless both are given) */
	enum trace_use target, taskdef, count, duration, group;
	int64_t count_min;
	const char *target_what;   /* what the target names */
	const char *group_what;
	/* The row happens now: act through the backplane's public API.  0, or -1
	 * with e filled (the caller puts the row's place on it), or
	 * TRACE_ERR_AT_COL when e->col already names the row's column.  `dir` is the
	 * directory task definitions are read from. */
	int (*apply)(struct backplane *bp, const struct trace_row *r, const char *dir,
		     struct err *e);
	/* the greatest count, 0 = none but the reader's own; and the quota it
	 * is, for the message (set_desired: ECS's tasks per service,
	 * docs/ecs-model.md §7.5) */
	int64_t count_max;
	const char *count_max_why;
};

extern const struct trace_event_def trace_events[TR_N_EVENTS];

struct scenario;
/* A set_desired, deploy or delete_service row (UpdateService,
 * DeleteService) that ECS would refuse, so ecsim refuses the row: made
 * before its service's CreateService call (`createdAtSeconds`:
 * ServiceNotFoundException, docs/ecs-model.md choice E238), an
 * UpdateService after the service's DeleteService (deleted_at, ms, the
 * time of the first delete_service row before it; -1 none: the service is
 * not ACTIVE, ServiceNotActiveException, E238), or a desired count for a
 * DAEMON service (§4.10, as `desiredCount` is refused in the scenario).
 * The reason into why and the column at fault (`time_s`, `target`,
 * `count`); NULL when the call is taken.  (A call between CreateService
 * and its taking effect acts right after it, models/service.c; a second
 * DeleteService is taken and changes nothing.) */
const char *trace_call_refused(const struct scenario *s, int svc, const struct trace_row *r, int64_t deleted_at,
			       char *why, size_t n);

/* An apply() error whose e->col (1-based) is the row's column at fault. */
#define TRACE_ERR_AT_COL (-2)

struct trace;

/* Open a trace; `supported` is a bit mask (1u << TR_x) of the event kinds
 * this build simulates.  NULL with e filled on error. */
struct trace *trace_open(const char *path, unsigned supported, struct err *e);
void trace_close(struct trace *t);          /* NULL is a no-op */
/* Next row: 1 = a row, 0 = end, -1 = error (file:line:col, column, reason). */
int trace_next(struct trace *t, struct trace_row *row, struct err *e);
/* After trace_next() returned -1: 1 when the error was about the values of
 * that row and the next call reads the following row (a checker can report
 * every bad row), 0 when the file itself is malformed and reading must stop. */
int trace_can_resume(const struct trace *t);
/* 1-based column of the header column `name` ("target", "taskdef", ...), 0
 * when the header has no such column. */
int trace_column(const struct trace *t, const char *name);
const char *trace_event_name(enum trace_event ev);
const char *trace_path(const struct trace *t);
/* Rows by their shape (models/trace.c: a row of the same text as one read
 * before, but for time_s and duration_s, read without csvin's split and
 * checks) on (the default) or off (every row read the usual way).  The rows
 * and errors are the same either way.  For tests. */
void trace_fast_rows(struct trace *t, int on);
/* Bytes the reader holds (bounded by the longest row).  For tests. */
size_t trace_memory(const struct trace *t);

/* A capacity_provider_strategy cell parsed: PROVIDER:BASE:WEIGHT items
 * joined by ';' (names point into the cell: `len` bytes, not
 * NUL-terminated); base 0..100000, weight 0..1000, at most TRACE_CPS_MAX
 * items.  Names are resolved, and the strategy rules checked, against the
 * scenario by trace_row_strategy. */
#define TRACE_CPS_MAX 20
struct trace_cps_item {
	const char *name;
	int len, base, weight;
};
struct trace_cps {
	int n;
	struct trace_cps_item items[TRACE_CPS_MAX];
};
/* 0, or -1 with the reason in why[n]. */
int trace_parse_cps(const char *s, struct trace_cps *out, char *why, size_t n);

struct scenario;
struct cp_strategy;
/* The run_task row's own strategy resolved against scenario `s` for task
 * definition `td` (models/trace_events.c): 1 = *out filled, 0 = the row
 * gives none; *launch = -1, or TL_EC2 / TL_FARGATE for a launch_type.
 * -1 with e filled (no file or line; e->path = the column) when a provider
 * is unknown, the strategy breaks a rule of docs/ecs-model.md §5.11, or the
 * task definition is not compatible with where the row sends it. */
int trace_row_strategy(const struct scenario *s, int td, const struct trace_row *r,
		       struct cp_strategy *out, int *launch, struct err *e);

/* Parse a decimal number of seconds ("12", "12.5", "0.001") into ms,
 * rounding half up at the millisecond.  Returns 0 or -1 (not a number,
 * negative, too large). */
int trace_parse_seconds(const char *s, sim_time_t *ms);

#endif
