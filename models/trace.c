/* models/trace.c — the workload trace reader (see trace.h and the "Trace
 * format" section of the documentation).
 *
 * A trace is read through sim/csvin.c one row at a time, so memory is bounded
 * by the longest row.  The header is checked once: `time_s` and `event` must
 * be there, any other column must be one of target, taskdef, count,
 * duration_s, group, cpu, memory, capacity_provider_strategy, launch_type
 * (a typo is refused, never ignored).  A
 * run_task row needs a taskdef, or else both cpu and memory (explicit
 * resources of a synthetic task); the two forms exclude each other.  Each row is then
 * checked in a fixed order — time, event name, the fields the event needs
 * (required ones present, unused ones empty, numbers well formed), whether
 * this build supports the event, and finally time order — and the first
 * problem is reported as FILE:LINE:COL: COLUMN: message.
 *
 * Which columns each event takes is its row of trace_events[]
 * (models/trace_events.c).
 *
 * Times and durations are exact: decimal seconds are parsed digit by digit
 * into integer milliseconds (rounded half up), with no floating point.
 */
#include "trace.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/csvin.h"
#include "sim/mem.h"

#define MAX_SECONDS 1000000000000LL        /* 10^12 s */
#define MAX_COUNT 1000000000LL
#define MAX_RUN_TASK_COUNT 10              /* RunTask starts 1..10 tasks per call */

enum col { C_TIME, C_EVENT, C_TARGET, C_TASKDEF, C_COUNT, C_DURATION, C_GROUP, C_CPU, C_MEMORY,
	   C_CPS, C_LAUNCH, C_N };

static const char *const col_names[C_N] = {
	"time_s", "event", "target", "taskdef", "count", "duration_s", "group", "cpu", "memory",
	"capacity_provider_strategy", "launch_type"
};

struct trace {
	struct csvin *in;
	unsigned supported;
	int col[C_N];           /* field index of each known column, -1 = absent */
	int fi[C_N];            /* the same, csvin_ncols() = absent (its "" entry) */
	const char *const *f;   /* the current row's fields (csvin_fields) */
	sim_time_t prev;        /* time of the previous row, -1 before the first */
	int broken;             /* the CSV itself is malformed: no row can follow */
};

/* True when s holds nothing but ASCII spaces. */
static int only_spaces(const char *s)
{
	while (*s == ' ')
		s++;
	return *s == '\0';
}

/* An ASCII digit (char may be signed: a byte >= 0x80 is not one). */
static inline int is_digit(char c)
{
	return (unsigned)(c - '0') < 10;
}

/* The current row's value of column c ("" when the file has no such
 * column). */
static inline const char *val(const struct trace *t, enum col c)
{
	return t->f[t->fi[c]];
}

/* 0, or -1 not a decimal number, -2 negative, -3 too large.  ASCII spaces
 * around the number are allowed.  One pass, no strlen.  The digits are
 * summed two at a time without a bound (at most 18 of them fit an int64_t;
 * more, e.g. leading zeros, take a saturating pass), and a fraction of
 * exactly three digits (milliseconds) is read at once.  parse_seconds()
 * below decides the usual forms first. */
static __attribute__((noinline)) int parse_seconds_any(const char *s, sim_time_t *ms)
{
	const char *d;
	uint64_t u = 0;         /* wraps (defined) past 19 digits: not used then */
	int64_t whole, frac = 0;

	while (*s == ' ')
		s++;
	if (s[0] == '-') {
		const char *p = s + 1;

		while ((*p >= '0' && *p <= '9') || *p == '.')
			p++;
		return p > s + 1 && only_spaces(p) ? -2 : -1;
	}
	/* two digits a step (s[1] is read only after a digit, never past the
	 * string's end), then the odd one */
	for (d = s; is_digit(s[0]) && is_digit(s[1]); s += 2)
		u = u * 100 + (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
	if (is_digit(*s))
		u = u * 10 + (unsigned)(*s++ - '0');
	if (s == d)
		return -1;
	whole = (int64_t)u;
	if (s - d > 18) {
		whole = 0;
		for (; d < s; d++) {
			whole = whole * 10 + (*d - '0');
			if (whole > MAX_SECONDS)
				whole = MAX_SECONDS + 1;        /* saturate; refused below */
		}
	}
	if (*s == '.') {
		long fd;

		d = ++s;
		if (is_digit(d[0]) && is_digit(d[1]) && is_digit(d[2]) && !is_digit(d[3])) {
			/* milliseconds written out, the usual case */
			frac = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
			s += 3;
		} else {
			while (is_digit(*s))
				s++;
			fd = s - d;
			if (fd == 0)
				return -1;
			/* milliseconds: the first three digits (missing ones
			 * are 0), rounded half up on the fourth */
			frac = (d[0] - '0') * 100;
			if (fd > 1)
				frac += (d[1] - '0') * 10;
			if (fd > 2)
				frac += d[2] - '0';
			if (fd > 3 && d[3] >= '5')
				frac++;
		}
	}
	if (*s && !only_spaces(s))
		return -1;
	if (whole > MAX_SECONDS || whole * 1000 + frac > MAX_SECONDS * 1000)
		return -3;
	*ms = whole * 1000 + frac;
	return 0;
}

/* parse_seconds_any(), the usual forms decided inline: trace input's hot
 * path (tests/bench/bench_trace.c), twice a row.  Up to 15 digits, then
 * the end or '.' and exactly three digits (milliseconds written out): the
 * value is below 10^18, no bound is needed on the way; anything else
 * (spaces, other fractions, a sign, an error, more than 10^12 s) is
 * parse_seconds_any()'s. */
static inline int parse_seconds(const char *s, sim_time_t *ms)
{
	const char *p = s;
	uint64_t u = 0;

	/* two digits a step (p[1] is read only after a digit), then the odd one */
	for (; is_digit(p[0]) && is_digit(p[1]); p += 2)
		u = u * 100 + (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
	if (is_digit(*p))
		u = u * 10 + (unsigned)(*p++ - '0');
	if (p > s && p - s <= 15) {
		if (*p == '.' && is_digit(p[1]) && is_digit(p[2]) && is_digit(p[3]) && !p[4])
			u = u * 1000 + (unsigned)(p[1] - '0') * 100 + (unsigned)(p[2] - '0') * 10 +
			    (unsigned)(p[3] - '0');
		else if (!*p)
			u *= 1000;
		else
			return parse_seconds_any(s, ms);
		if (u <= (uint64_t)MAX_SECONDS * 1000) {
			*ms = (sim_time_t)u;
			return 0;
		}
	}
	return parse_seconds_any(s, ms);
}

int trace_parse_seconds(const char *s, sim_time_t *ms)
{
	return parse_seconds(s, ms) == 0 ? 0 : -1;
}

/* 0, or -1 not an integer, -3 too large. */
static int parse_count(const char *s, int64_t *v)
{
	int64_t x = 0;
	int nd = 0;

	while (*s == ' ')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, nd++) {
		x = x * 10 + (*s - '0');
		if (x > MAX_COUNT)
			x = MAX_COUNT + 1;
	}
	if (nd == 0 || !only_spaces(s))
		return -1;
	if (x > MAX_COUNT)
		return -3;
	*v = x;
	return 0;
}

const char *trace_event_name(enum trace_event ev)
{
	return (unsigned)ev < TR_N_EVENTS ? trace_events[ev].name : "?";
}

int trace_column(const struct trace *t, const char *name)
{
	for (int c = 0; c < C_N; c++)
		if (strcmp(name, col_names[c]) == 0)
			return t->col[c] >= 0 ? t->col[c] + 1 : 0;
	return 0;
}

int trace_can_resume(const struct trace *t)
{
	return !t->broken;
}

const char *trace_path(const struct trace *t)
{
	return csvin_path(t->in);
}

size_t trace_memory(const struct trace *t)
{
	return sizeof *t + csvin_memory(t->in);
}

static void list_names(char *buf, size_t n, const char *const *names, int count)
{
	size_t k = 0;

	buf[0] = '\0';
	for (int i = 0; i < count && k < n; i++) {
		int w = snprintf(buf + k, n - k, "%s%s", i ? ", " : "", names[i]);

		if (w > 0)
			k += (size_t)w;
	}
}

struct trace *trace_open(const char *path, unsigned supported, struct err *e)
{
	struct csvin *in = csvin_open(path, e);
	struct trace *t;
	char names[256];

	if (!in)
		return NULL;
	t = xcalloc(1, sizeof *t);
	t->in = in;
	t->supported = supported;
	t->prev = -1;
	for (int c = 0; c < C_N; c++) {
		t->col[c] = csvin_col(in, col_names[c]);
		t->fi[c] = t->col[c] >= 0 ? t->col[c] : csvin_ncols(in);
	}
	list_names(names, sizeof names, col_names, C_N);
	for (int i = 0; i < csvin_ncols(in); i++) {
		const char *name = csvin_colname(in, i);
		int known = 0;

		for (int c = 0; c < C_N; c++)
			known |= strcmp(name, col_names[c]) == 0;
		if (!known) {
			err_at(e, path, csvin_line(in), i + 1, name, "unknown column; expected one of %s", names);
			goto fail;
		}
	}
	for (int c = C_TIME; c <= C_EVENT; c++) {
		if (t->col[c] < 0) {
			err_at(e, path, csvin_line(in), 0, col_names[c], "missing required column");
			goto fail;
		}
	}
	return t;
fail:
	trace_close(t);
	return NULL;
}

void trace_close(struct trace *t)
{
	if (!t)
		return;
	csvin_close(t->in);
	free(t);
}

static int field_error(const struct trace *t, enum col c, enum trace_use u,
		       enum trace_event ev, const char **s, struct err *e)
	__attribute__((noinline));

/* Check one optional/required field of event `ev`; *s gets its value ("" when
 * the column is absent).  0 or -1.  The common case is decided inline. */
static inline int get_field(const struct trace *t, enum col c, enum trace_use u,
			    enum trace_event ev, const char **s, struct err *e)
{
	*s = val(t, c);
	if (u == TU_OPT || (u == TU_REQ ? t->col[c] >= 0 && **s : !**s))
		return 0;
	return field_error(t, c, u, ev, s, e);
}

/* get_field()'s error, or 0. */
static int field_error(const struct trace *t, enum col c, enum trace_use u, enum trace_event ev,
		       const char **s, struct err *e)
{
	int fi = t->col[c];

	if (u == TU_REQ && fi < 0)
		return err_at(e, csvin_path(t->in), csvin_line(t->in), 0, col_names[c],
			      "required by event '%s', but the header has no %s column",
			      trace_events[ev].name, col_names[c]);
	if (u == TU_REQ && !**s)
		return csvin_fail(t->in, fi, e, "required by event '%s', got an empty value",
				  trace_events[ev].name);
	if (u == TU_NO && **s)
		return csvin_fail(t->in, fi, e, "not used by event '%s' (leave it empty), got \"%s\"",
				  trace_events[ev].name, *s);
	return 0;
}

static int seconds_error(const struct trace *t, enum col c, const char *s, int rc,
			 struct err *e) __attribute__((noinline));

/* A time or duration field into *ms; 0 or -1.  The common case is decided
 * inline (once or twice per row). */
static inline int seconds_field(const struct trace *t, enum col c, const char *s,
				sim_time_t *ms, struct err *e)
{
	int rc = parse_seconds(s, ms);

	return rc == 0 ? 0 : seconds_error(t, c, s, rc, e);
}

/* seconds_field()'s error for parse_seconds()'s code rc. */
static int seconds_error(const struct trace *t, enum col c, const char *s, int rc,
			 struct err *e)
{
	int fi = t->col[c];

	switch (rc) {
	case -2:
		return csvin_fail(t->in, fi, e, "expected a number of seconds >= 0, got \"%s\"", s);
	case -3:
		return csvin_fail(t->in, fi, e, "expected at most %lld seconds, got \"%s\"",
				  (long long)MAX_SECONDS, s);
	default:
		return csvin_fail(t->in, fi, e,
				  "expected a decimal number of seconds like 12 or 0.25, got \"%s\"", s);
	}
}

/* An integer field >= 1 (cpu, memory); 0 or -1. */
static int needs_field(const struct trace *t, enum col c, const char *s, int64_t *v,
		       struct err *e)
{
	int rc = parse_count(s, v);

	if (rc == -3)
		return csvin_fail(t->in, t->col[c], e, "expected an integer <= %lld, got \"%s\"",
				  (long long)MAX_COUNT, s);
	if (rc < 0 || *v < 1)
		return csvin_fail(t->in, t->col[c], e, "expected an integer >= 1, got \"%s\"", s);
	return 0;
}

/* cpu and memory: only on run_task, and there either a taskdef or both of
 * them.  0 or -1. */
static int explicit_needs(const struct trace *t, struct trace_row *row, struct err *e)
{
	const char *cpu, *mem;
	enum trace_use u = row->ev == TR_RUN_TASK && !row->taskdef[0] ? TU_OPT : TU_NO;
	const char *why = row->ev == TR_RUN_TASK ? " with a taskdef (give either taskdef or cpu and memory)"
						 : " (leave it empty)";
	int fc = t->col[C_CPU], fm = t->col[C_MEMORY];

	cpu = val(t, C_CPU);
	mem = val(t, C_MEMORY);
	if (u == TU_NO) {
		if (cpu[0])
			return csvin_fail(t->in, fc, e, "not used by event '%s'%s, got \"%s\"",
					  trace_events[row->ev].name, why, cpu);
		if (mem[0])
			return csvin_fail(t->in, fm, e, "not used by event '%s'%s, got \"%s\"",
					  trace_events[row->ev].name, why, mem);
		return 0;
	}
	if (!cpu[0] && !mem[0]) {
		if (t->col[C_TASKDEF] < 0)
			return err_at(e, csvin_path(t->in), csvin_line(t->in), 0, "taskdef",
				      "required by event 'run_task' unless cpu and memory are given, but the header has no taskdef column");
		return csvin_fail(t->in, t->col[C_TASKDEF], e,
				  "required by event 'run_task' unless cpu and memory are given, got an empty value");
	}
	for (enum col c = C_CPU; c <= C_MEMORY; c++) {
		const char *v = c == C_CPU ? cpu : mem;
		int64_t *dst = c == C_CPU ? &row->cpu_units : &row->mem_mib;

		if (t->col[c] < 0)
			return err_at(e, csvin_path(t->in), csvin_line(t->in), 0, col_names[c],
				      "required by event 'run_task' with %s and no taskdef, but the header has no %s column",
				      col_names[c == C_CPU ? C_MEMORY : C_CPU], col_names[c]);
		if (!v[0])
			return csvin_fail(t->in, t->col[c], e,
					  "required by event 'run_task' with %s and no taskdef, got an empty value",
					  col_names[c == C_CPU ? C_MEMORY : C_CPU]);
		if (needs_field(t, c, v, dst, e) < 0)
			return -1;
	}
	return 0;
}

/* strcmp(a, b) == 0, inline: the names compared are a few bytes. */
static inline int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int trace_parse_cps(const char *s, struct trace_cps *out, char *why, size_t n)
{
	const char *p = s;

	out->n = 0;
	while (*p == ' ')
		p++;
	if (!*p) {
		snprintf(why, n, "expected at least one item PROVIDER:BASE:WEIGHT");
		return -1;
	}
	for (;;) {
		struct trace_cps_item *it;
		const char *name = p;
		int64_t v[2];

		if (out->n == TRACE_CPS_MAX) {
			snprintf(why, n, "at most %d items (RunTask's limit), got more", TRACE_CPS_MAX);
			return -1;
		}
		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		       (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')
			p++;
		if (p == name || p - name > 255) {
			snprintf(why, n, "item %d: expected a capacity provider name (letters, digits, "
				 "- and _, up to 255) at \"%.40s\"", out->n + 1, name);
			return -1;
		}
		it = &out->items[out->n];
		it->name = name;
		it->len = (int)(p - name);
		for (int k = 0; k < 2; k++) {
			int64_t max = k ? 1000 : 100000;
			int nd = 0;

			if (*p != ':') {
				snprintf(why, n, "item %d (%.*s): expected PROVIDER:BASE:WEIGHT, e.g. "
					 "FARGATE:1:1", out->n + 1, it->len, name);
				return -1;
			}
			p++;
			v[k] = 0;
			for (; *p >= '0' && *p <= '9' && nd < 8; p++, nd++)
				v[k] = v[k] * 10 + (*p - '0');
			if (nd == 0 || (*p >= '0' && *p <= '9') || v[k] > max) {
				snprintf(why, n, "item %d (%.*s): %s must be an integer from 0 to %lld",
					 out->n + 1, it->len, name, k ? "weight" : "base", (long long)max);
				return -1;
			}
		}
		it->base = (int)v[0];
		it->weight = (int)v[1];
		out->n++;
		while (*p == ' ')
			p++;
		if (!*p)
			return 0;
		if (*p != ';') {
			snprintf(why, n, "item %d (%.*s): expected ';' between items, got \"%.20s\"",
				 out->n, it->len, name, p);
			return -1;
		}
		p++;
		while (*p == ' ')
			p++;
	}
}

/* capacity_provider_strategy and launch_type: only on run_task, one or
 * the other (RunTask takes a launchType or a strategy, never both);
 * the strategy's syntax and limits, the launch type's value.  0 or -1. */
static int run_options(const struct trace *t, struct trace_row *row, struct err *e)
{
	const char *cps = val(t, C_CPS), *lt = val(t, C_LAUNCH);

	row->cps = cps;
	row->launch_type = lt;
	row->cps_col = t->col[C_CPS] + 1;
	row->lt_col = t->col[C_LAUNCH] + 1;
	if (!cps[0] && !lt[0])
		return 0;
	if (row->ev != TR_RUN_TASK) {
		enum col c = cps[0] ? C_CPS : C_LAUNCH;

		return csvin_fail(t->in, t->col[c], e, "not used by event '%s' (leave it empty), got \"%s\"",
				  trace_events[row->ev].name, val(t, c));
	}
	if (cps[0] && lt[0])
		return csvin_fail(t->in, t->col[C_LAUNCH], e,
				  "give either launch_type or capacity_provider_strategy, not both "
				  "(RunTask refuses a launchType with a capacityProviderStrategy), got \"%s\"",
				  lt);
	if (cps[0]) {
		struct trace_cps x;
		char why[200];

		if (trace_parse_cps(cps, &x, why, sizeof why))
			return csvin_fail(t->in, t->col[C_CPS], e, "%s; got \"%s\"", why, cps);
		return 0;
	}
	if (!str_eq(lt, "EC2") && !str_eq(lt, "FARGATE"))
		return csvin_fail(t->in, t->col[C_LAUNCH], e,
				  "expected EC2 or FARGATE (the launch types simulated), got \"%s\"", lt);
	return 0;
}

int trace_next(struct trace *t, struct trace_row *row, struct err *e)
{
	const struct trace_event_def *sp;
	const char *s, *count, *dur;
	char names[256];
	int r = csvin_next(t->in, e);
	int ev;

	if (r < 0)
		t->broken = 1;
	if (r <= 0)
		return r;
	t->f = csvin_fields(t->in);
	/* every member of the row is set below, so no memset of the whole row
	 * (trace input's hot path); the explicit needs are set only when given */
	row->cpu_units = row->mem_mib = 0;
	row->line = csvin_line(t->in);
	s = val(t, C_TIME);
	if (seconds_field(t, C_TIME, s, &row->t, e) < 0)
		return -1;

	s = val(t, C_EVENT);
	for (ev = 0; ev < TR_N_EVENTS; ev++)
		if (strcmp(s, trace_events[ev].name) == 0)
			break;
	if (ev == TR_N_EVENTS) {
		const char *ev_list[TR_N_EVENTS];

		for (int k = 0; k < TR_N_EVENTS; k++)
			ev_list[k] = trace_events[k].name;
		list_names(names, sizeof names, ev_list, TR_N_EVENTS);
		if (!s[0])
			return csvin_fail(t->in, t->col[C_EVENT], e,
					  "required, got an empty value; expected one of %s", names);
		return csvin_fail(t->in, t->col[C_EVENT], e,
				  "unknown event \"%s\"; expected one of %s", s, names);
	}
	row->ev = (enum trace_event)ev;
	sp = &trace_events[ev];

	if (get_field(t, C_TARGET, sp->target, row->ev, &row->target, e) < 0 ||
	    get_field(t, C_TASKDEF, sp->taskdef, row->ev, &row->taskdef, e) < 0 ||
	    get_field(t, C_COUNT, sp->count, row->ev, &count, e) < 0 ||
	    get_field(t, C_DURATION, sp->duration, row->ev, &dur, e) < 0 ||
	    get_field(t, C_GROUP, sp->group, row->ev, &row->group, e) < 0)
		return -1;

	if (explicit_needs(t, row, e) < 0 || run_options(t, row, e) < 0)
		return -1;
	row->count = 1;
	if (count[0]) {
		/* one digit, the usual count, decided inline */
		int rc = is_digit(count[0]) && !count[1] ? (row->count = count[0] - '0', 0)
							  : parse_count(count, &row->count);

		if (rc == -3)
			return csvin_fail(t->in, t->col[C_COUNT], e,
					  "expected an integer <= %lld, got \"%s\"",
					  (long long)MAX_COUNT, count);
		if (rc < 0 || row->count < sp->count_min)
			return csvin_fail(t->in, t->col[C_COUNT], e,
					  "expected an integer >= %lld, got \"%s\"",
					  (long long)sp->count_min, count);
	}
	if (row->ev == TR_RUN_TASK && row->count > MAX_RUN_TASK_COUNT)
		return csvin_fail(t->in, t->col[C_COUNT], e,
				  "expected an integer from 1 to %d (RunTask starts at most %d tasks "
				  "per call), got \"%s\"", MAX_RUN_TASK_COUNT, MAX_RUN_TASK_COUNT, count);
	if (row->ev == TR_RUN_TASK && row->target[0] && row->count != 1)
		return csvin_fail(t->in, t->col[C_COUNT], e,
				  "expected 1 when target names the task (\"%s\"), got \"%s\"",
				  row->target, count);
	row->duration = -1;
	if (dur[0] && seconds_field(t, C_DURATION, dur, &row->duration, e) < 0)
		return -1;

	if (!(t->supported & (1u << ev)))
		return csvin_fail(t->in, t->col[C_EVENT], e, "event '%s' is not supported yet",
				  trace_events[ev].name);
	if (row->t < t->prev)
		return csvin_fail(t->in, t->col[C_TIME], e,
				  "rows must be in time order: %" PRId64 ".%03d s after %" PRId64 ".%03d s",
				  row->t / 1000, (int)(row->t % 1000), t->prev / 1000,
				  (int)(t->prev % 1000));
	t->prev = row->t;
	return 1;
}
