/* models/import/import.c — the importer frame shared by every public-trace
 * format (see models/import.h): opening a format, the merge of its tables by
 * time, field parsing with FILE:LINE:COL errors, and the mapping state.
 *
 * Each table is a `struct src`: a csvin reader of a headerless file (gzip
 * streamed through a child `gzip -dc`), whose fill function reads records
 * until one output row is ready and keeps it in the source.  import_next()
 * fills every source that holds no row, then hands out the earliest (ties go
 * to the table opened first: machines before tasks), so at most one row per
 * table is held ahead.  The string fields of a handed-out row point into its
 * source and are overwritten only when that source is filled again, at the
 * next call.
 *
 * Mapping state, the only memory that is not per-record: machine id ->
 * instance number (machines of the trace), live task -> attempt, and ended
 * tasks remembered for one to two FORGET_MS periods (two generations of maps
 * swapped every FORGET_MS of trace time), so that a task resubmitted soon
 * after it ended gets a fresh id ("<id>.<attempt>") while its previous copy
 * may still be stopping in the simulator.
 */
#include "import_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/catalog.h"
#include "sim/csvout.h"
#include "sim/hash.h"
#include "sim/mem.h"

#define MAX_MS 1000000000000000LL      /* 10^12 s, the trace reader's limit */
#define MAX_NEED 1000000000LL          /* the trace reader's largest count */
#define MAP_ENTRY_BYTES 64             /* estimate per map entry: slot + key copy */

int import_src_open(struct import *im, const char *path, const char *const *cols, int ncols,
		    int time_col, const char *hint, src_fill_fn fill, struct err *e)
{
	struct src *s = &im->src[im->nsrc];

	memset(s, 0, sizeof *s);
	s->in = csvin_open_cols(path, cols, ncols, e);
	if (!s->in)
		return -1;
	s->fill = fill;
	s->time_col = time_col;
	s->time_col_hint = hint;
	s->prev = -1;
	im->nsrc++;
	return 0;
}

int import_src_open_header(struct import *im, const char *path, const char *const *cols, int ncols,
			   int time_col, const char *hint, src_fill_fn fill, struct err *e)
{
	struct src *s = &im->src[im->nsrc];
	int ok;

	memset(s, 0, sizeof *s);
	s->in = csvin_open(path, e);
	if (!s->in)
		return -1;
	ok = csvin_ncols(s->in) == ncols;
	for (int i = 0; ok && i < ncols; i++)
		ok = strcmp(csvin_colname(s->in, i), cols[i]) == 0;
	if (!ok) {
		char want[512] = "";

		for (int i = 0; i < ncols; i++)
			snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", i ? "," : "", cols[i]);
		csvin_close(s->in);
		s->in = NULL;
		return err_at(e, path, 1, 0, NULL, "expected the header %s", want);
	}
	s->fill = fill;
	s->time_col = time_col;
	s->time_col_hint = hint;
	s->prev = -1;
	im->nsrc++;
	return 0;
}

int import_src_record(struct import *im, struct src *s, struct err *e)
{
	int r = csvin_next(s->in, e);

	if (r == 1)
		im->st.rows_in++;
	return r;
}

const char *import_field(const struct src *s, int i)
{
	return csvin_field(s->in, i);
}

/* 0, -1 not an integer, -2 negative, -3 too large. */
/* A table read whole (struct sorted_rec) goes out sorted by time, ties in
 * file order (a stable order, as `sort -s`: docs/ecs-model.md choices E169,
 * E231). */
static int by_time_then_line(const void *a, const void *b)
{
	const struct sorted_rec *x = a, *y = b;

	if (x->raw != y->raw)
		return x->raw < y->raw ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

void import_sort_records(struct src *s)
{
	if (!s->sorted)   /* an empty table: read, and nothing to sort */
		s->sorted = xmalloc(sizeof *s->sorted);
	qsort(s->sorted, s->n_sorted, sizeof *s->sorted, by_time_then_line);
	s->next_sorted = 0;
}

static int parse_uint(const char *s, int64_t *v)
{
	int64_t x = 0;

	if (*s == '-')
		return s[1] >= '0' && s[1] <= '9' ? -2 : -1;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (x > (INT64_MAX - (*s - '0')) / 10)
			return -3;
		x = x * 10 + (*s - '0');
	}
	*v = x;
	return 0;
}

int import_uint(const struct src *s, int col, int64_t *v, struct err *e)
{
	const char *f = import_field(s, col);

	if (!f[0])
		return csvin_fail(s->in, col, e, "required, got an empty value");
	switch (parse_uint(f, v)) {
	case 0:
		return 0;
	case -2:
		return csvin_fail(s->in, col, e, "expected an integer >= 0, got a negative value \"%s\"", f);
	case -3:
		return csvin_fail(s->in, col, e, "expected an integer <= %lld, got \"%s\"",
				  (long long)INT64_MAX, f);
	default:
		return csvin_fail(s->in, col, e, "expected an integer >= 0, got \"%s\"", f);
	}
}

int import_int(const struct src *s, int col, int64_t *v, struct err *e)
{
	const char *f = import_field(s, col);
	int neg = f[0] == '-';

	if (!f[0])
		return csvin_fail(s->in, col, e, "required, got an empty value");
	switch (parse_uint(f + neg, v)) {
	case 0:
		if (neg)
			*v = -*v;
		return 0;
	case -3:
		return csvin_fail(s->in, col, e, "expected an integer of at most 18 digits, got \"%s\"", f);
	default:
		return csvin_fail(s->in, col, e, "expected an integer, got \"%s\"", f);
	}
}

int import_real(const struct src *s, int col, double *v, int *blank, struct err *e)
{
	const char *f = import_field(s, col);
	char *end;

	*blank = !f[0];
	*v = 0;
	if (!f[0])
		return 0;
	errno = 0;
	*v = strtod(f, &end);
	/* a decimal number: strtod also reads C's hexadecimal floats
	 * ("0x1p-2"), which no published table writes */
	if (end == f || *end || errno == ERANGE || !isfinite(*v) || f[0] == ' ' ||
	    f[strspn(f, "0123456789.eE+-")])
		return csvin_fail(s->in, col, e, "expected a number >= 0, got \"%s\"", f);
	if (*v < 0 || f[0] == '-')
		return csvin_fail(s->in, col, e, "expected a number >= 0, got a negative value \"%s\"", f);
	return 0;
}

int import_str(const struct src *s, int col, const char **v, struct err *e)
{
	*v = import_field(s, col);
	if (!(*v)[0])
		return csvin_fail(s->in, col, e, "required, got an empty value");
	if (strlen(*v) > STR_MAX)
		return csvin_fail(s->in, col, e, "expected at most %d characters, got %zu",
				  STR_MAX, strlen(*v));
	return 0;
}

sim_time_t import_ms(const struct import *im, int64_t raw, int64_t unit_us)
{
	if (im->scale == 1.0) {
		if (unit_us >= 1000)
			return raw > MAX_MS / (unit_us / 1000) ? MAX_MS + 1 : raw * (unit_us / 1000);
		return raw / 1000 + (raw % 1000 >= 500);
	}
	{
		double ms = (double)raw * (double)unit_us / 1000.0 * im->scale;

		return ms > (double)MAX_MS ? MAX_MS + 1 : (sim_time_t)llround(ms);
	}
}

/* The time field: an integer >= 0 and not before the previous record's. */
int import_time(struct import *im, struct src *s, int64_t *raw, struct err *e)
{
	if ((s->signed_time ? import_int(s, s->time_col, raw, e)
				  : import_uint(s, s->time_col, raw, e)) < 0)
		return -1;
	if (*raw < s->prev)
		return csvin_fail(s->in, s->time_col, e,
				  strncmp(s->time_col_hint, "-k", 2) == 0
				  ? "rows not in time order: %lld after %lld (sort with: sort -t, %s -s)"
				  : "rows not in time order: %lld after %lld (sort with: %s)",
				  (long long)*raw, (long long)s->prev, s->time_col_hint);
	s->prev = *raw;
	(void)im;
	return 0;
}

int64_t import_cpu_units(const struct import *im, double frac)
{
	double v = frac * (double)im->vcpu * 1024.0;

	if (v > (double)MAX_NEED)
		return MAX_NEED;
	return v < 1.5 ? 1 : (int64_t)llround(v);
}

int64_t import_mem_mib(const struct import *im, double frac)
{
	double v = frac * (double)im->mem_mib;

	if (v > (double)MAX_NEED)
		return MAX_NEED;
	return v < 1.5 ? 1 : (int64_t)llround(v);
}

int import_needs(const struct import *im, struct src *s, int cpu_col, double cpu_frac, int mem_col,
		 double mem_frac, int64_t *cpu, int64_t *mem, struct err *e)
{
	double c = cpu_frac * (double)im->vcpu * 1024.0, m = mem_frac * (double)im->mem_mib;

	if (!(c <= (double)MAX_NEED))
		return csvin_fail(s->in, cpu_col, e,
				  "a request of %.6g CPU units on %s, more than the trace reader's limit of %lld",
				  c, im->type, (long long)MAX_NEED);
	if (!(m <= (double)MAX_NEED))
		return csvin_fail(s->in, mem_col, e,
				  "a request of %.6g MiB on %s, more than the trace reader's limit of %lld",
				  m, im->type, (long long)MAX_NEED);
	*cpu = import_cpu_units(im, cpu_frac);
	*mem = import_mem_mib(im, mem_frac);
	return 0;
}

void import_row_init(struct src *s, enum trace_event ev, sim_time_t t)
{
	memset(&s->out, 0, sizeof s->out);
	s->out.t = t;
	s->out.ev = ev;
	s->out.target = s->target;
	s->out.taskdef = "";
	s->out.group = s->group;
	s->out.count = 1;
	s->out.duration = -1;
	s->out.line = s->in ? csvin_line(s->in) : s->lin ? linein_line(s->lin) : 0;
	s->target[0] = s->group[0] = '\0';
}

int import_machine_state(const struct import *im, const char *id)
{
	uint64_t v;

	if (!hmap_get(im->machines, id, &v))
		return -1;
	return (int)(v & 3u);
}

int import_machine_add_az(struct import *im, struct src *s, const char *id, sim_time_t t, int az)
{
	uint64_t v;
	int n;

	if (hmap_get(im->machines, id, &v) && (v & M_IN_SERVICE)) {
		im->st.skipped_duplicate++;
		return 0;
	}
	n = im->first_instance + ++im->next_instance;
	hmap_put(im->machines, id, (uint64_t)n << 2 | M_IN_SERVICE);
	import_row_init(s, TR_REGISTER_INSTANCE, t);
	snprintf(s->target, sizeof s->target, "%s", im->type);
	snprintf(s->group, sizeof s->group, "%s", im->azs[az]);
	return 1;
}

int import_machine_add(struct import *im, struct src *s, const char *id, sim_time_t t)
{
	return import_machine_add_az(im, s, id, t, (int)(hash_fnv1a64(id) % (uint64_t)im->n_azs));
}

/* A row of kind ev naming the machine's instance, when its state has
 * `need` set and `unless` clear; the state becomes (v & ~clear) | set. */
static int machine_row(struct import *im, struct src *s, const char *id, sim_time_t t,
		       enum trace_event ev, unsigned need, unsigned unless, unsigned clear, unsigned set)
{
	uint64_t v;

	if (!hmap_get(im->machines, id, &v) || !(v & need)) {
		im->st.skipped_unknown++;
		return 0;
	}
	if (v & unless) {
		im->st.skipped_duplicate++;
		return 0;
	}
	hmap_put(im->machines, id, (v & ~(uint64_t)clear) | set);
	import_row_init(s, ev, t);
	snprintf(s->target, sizeof s->target, "ci-%05d", (int)(v >> 2));
	return 1;
}

int import_machine_remove(struct import *im, struct src *s, const char *id, sim_time_t t)
{
	return machine_row(im, s, id, t, TR_INSTANCE_FAIL, M_IN_SERVICE, 0, M_IN_SERVICE | M_DRAINING, 0);
}

int import_machine_drain(struct import *im, struct src *s, const char *id, sim_time_t t)
{
	return machine_row(im, s, id, t, TR_DRAIN_INSTANCE, M_IN_SERVICE, M_DRAINING, 0, M_DRAINING);
}

int import_machine_activate(struct import *im, struct src *s, const char *id, sim_time_t t)
{
	uint64_t v;

	if (hmap_get(im->machines, id, &v) && (v & M_IN_SERVICE) && !(v & M_DRAINING)) {
		im->st.skipped_duplicate++;
		return 0;
	}
	return machine_row(im, s, id, t, TR_ACTIVATE_INSTANCE, M_DRAINING, 0, M_DRAINING, 0);
}

static void rotate(struct import *im, sim_time_t t)
{
	if (t < im->rotate_at)
		return;
	hmap_free(im->old);
	im->old = im->recent;
	im->recent = hmap_new();
	im->rotate_at = t + FORGET_MS;
}

static void task_id(char *buf, size_t n, const char *key, uint64_t attempt)
{
	if (attempt == 0)
		snprintf(buf, n, "%s", key);
	else
		snprintf(buf, n, "%s.%llu", key, (unsigned long long)attempt);
}

int import_task_start(struct import *im, struct src *s, const char *key, sim_time_t t,
		      const char *group, int64_t cpu, int64_t mem)
{
	uint64_t attempt = 0, v;

	rotate(im, t);
	if (hmap_get(im->live, key, &v)) {
		im->st.skipped_duplicate++;
		return 0;
	}
	if (hmap_get(im->recent, key, &v) || hmap_get(im->old, key, &v)) {
		attempt = v + 1;
		hmap_del(im->recent, key);
		hmap_del(im->old, key);
	}
	hmap_put(im->live, key, attempt);
	import_row_init(s, TR_RUN_TASK, t);
	task_id(s->target, sizeof s->target, key, attempt);
	snprintf(s->group, sizeof s->group, "%s", group);
	s->out.cpu_units = cpu;
	s->out.mem_mib = mem;
	return 1;
}

int import_task_end(struct import *im, struct src *s, const char *key, sim_time_t t)
{
	uint64_t attempt;

	rotate(im, t);
	if (!hmap_get(im->live, key, &attempt)) {
		im->st.skipped_unknown++;
		return 0;
	}
	hmap_del(im->live, key);
	hmap_put(im->recent, key, attempt);
	import_row_init(s, TR_STOP_TASK, t);
	task_id(s->target, sizeof s->target, key, attempt);
	return 1;
}

/* Split "a,b,c" into the AZ list; 0 or -1. */
static int set_azs(struct import *im, const struct import_opts *o, struct err *e)
{
	if (o->n_azs > 0) {
		if (o->n_azs > IMPORT_MAX_AZS)
			return err_at(e, NULL, 0, 0, NULL, "at most %d availability zones", IMPORT_MAX_AZS);
		for (int i = 0; i < o->n_azs; i++) {
			if (!o->azs[i] || !o->azs[i][0] || strlen(o->azs[i]) > 64)
				return err_at(e, NULL, 0, 0, NULL,
					      "availability zone %d: expected a name of 1 to 64 characters", i + 1);
			im->azs[im->n_azs++] = xstrdup(o->azs[i]);
		}
		return 0;
	}
	{
		char *list = xstrdup(IMPORT_DEFAULT_AZS), *save = NULL;

		for (char *tok = strtok_r(list, ",", &save); tok && im->n_azs < IMPORT_MAX_AZS;
		     tok = strtok_r(NULL, ",", &save))
			im->azs[im->n_azs++] = xstrdup(tok);
		free(list);
	}
	return 0;
}

static int set_type(struct import *im, const struct import_opts *o, struct err *e)
{
	const char *name = o->instance_type ? o->instance_type : IMPORT_DEFAULT_TYPE;
	struct catalog *cat = catalog_builtin(e);
	const struct catalog_type *ty;

	if (!cat)
		return -1;
	ty = catalog_find(cat, name);
	if (!ty) {
		char *names = catalog_names(cat);

		/* only `ecsim import --instance-type` gets here: a scenario's
		 * instanceType is checked when it is read (config/workload.c) */
		err_at(e, NULL, 0, 0, NULL, "--instance-type: unknown instance type '%s'; expected one of %s",
		       name, names);
		free(names);
		catalog_free(cat);
		return -1;
	}
	snprintf(im->type, sizeof im->type, "%s", ty->name);
	im->vcpu = ty->vcpu;
	im->mem_mib = ty->mem_mib;
	catalog_free(cat);
	return 0;
}

/* The formats (IMPORT_FORMATS) and their readers' openers. */
static const struct {
	const char *name;
	int (*open)(struct import *im, const struct import_opts *o, struct err *e);
} formats[] = {
	{ "google2011", import_google_open },
	{ "alibaba2018", import_alibaba_open },
	{ "alibaba2017", import_alibaba2017_open },
	{ "swf", import_swf_open },
	{ "openb", import_openb_open },
};

struct import *import_open(const char *format, const struct import_opts *o, struct err *e)
{
	struct import *im = xcalloc(1, sizeof *im);
	int rc = -1;

	im->scale = o->time_scale > 0 ? o->time_scale : 1.0;
	if (o->time_scale < 0 || !isfinite(o->time_scale)) {
		err_at(e, NULL, 0, 0, NULL, "time scale: expected a number > 0, got %g", o->time_scale);
		goto fail;
	}
	if (o->first_instance < 0 || o->max_rows < 0) {
		err_at(e, NULL, 0, 0, NULL, "first instance and max rows must be >= 0");
		goto fail;
	}
	im->max_rows = o->max_rows;
	im->first_instance = o->first_instance;
	im->machine_cores = o->machine_cores > 0 ? o->machine_cores
			    : format && strcmp(format, "alibaba2017") == 0 ? 64 : 96;
	if (o->machine_memory < 0 || o->machine_memory > 1 || isnan(o->machine_memory)) {
		err_at(e, NULL, 0, 0, NULL, "--machine-memory: expected a number in (0, 1], got %g",
		       o->machine_memory);
		goto fail;
	}
	im->machine_mem = o->machine_memory > 0 ? o->machine_memory : IMPORT_ALIBABA2017_MACHINE_MEMORY;
	im->no_machines = o->swf_no_machines;
	im->max_instance_num = o->max_instance_num > 0 ? o->max_instance_num : IMPORT_DEFAULT_MAX_INSTANCE_NUM;
	im->machines = hmap_new();
	im->live = hmap_new();
	im->recent = hmap_new();
	im->old = hmap_new();
	im->unsized = hmap_new();
	im->rotate_at = FORGET_MS;
	if (set_type(im, o, e) < 0 || set_azs(im, o, e) < 0)
		goto fail;
	for (size_t k = 0; format && k < sizeof formats / sizeof *formats; k++)
		if (strcmp(format, formats[k].name) == 0) {
			im->format = formats[k].name;
			/* the other formats' requests are not fractions of a
			 * trace machine's memory (docs/ecs-model.md E231); only
			 * `ecsim import --machine-memory` gets here: a
			 * scenario's machineMemory is checked when it is read */
			if (o->machine_memory > 0 && strcmp(im->format, "alibaba2017") != 0) {
				err_at(e, NULL, 0, 0, NULL, "--machine-memory: only for the alibaba2017 format");
				goto fail;
			}
			rc = formats[k].open(im, o, e);
			break;
		}
	if (!im->format) {
		err_at(e, NULL, 0, 0, NULL, "unknown trace format '%s'; expected " IMPORT_FORMATS,
		       format ? format : "");
		goto fail;
	}
	if (rc < 0)
		goto fail;
	return im;
fail:
	import_close(im);
	return NULL;
}

void import_close(struct import *im)
{
	if (!im)
		return;
	for (int i = 0; i < im->nsrc; i++) {
		csvin_close(im->src[i].in);
		linein_close(im->src[i].lin);
		free(im->src[i].held);
		free(im->src[i].aux);
		for (size_t k = 0; k < im->src[i].n_sorted; k++)
			free(im->src[i].sorted[k].id);
		free(im->src[i].sorted);
		for (size_t k = 0; k < im->src[i].n_pend; k++)
			free(im->src[i].pend[k].id);
		free(im->src[i].pend);
	}
	for (int i = 0; i < im->n_azs; i++)
		free(im->azs[i]);
	hmap_free(im->machines);
	hmap_free(im->live);
	hmap_free(im->recent);
	hmap_free(im->old);
	hmap_free(im->unsized);
	free(im);
}

int import_next(struct import *im, struct trace_row *row, struct err *e)
{
	int best = -1;

	if (im->max_rows > 0 && im->st.rows_out >= im->max_rows)
		return 0;
	for (int i = 0; i < im->nsrc; i++) {
		struct src *s = &im->src[i];

		if (!s->has && !s->done) {
			int r = s->fill(im, s, e);

			if (r < 0)
				return -1;
			if (r == 0)
				s->done = 1;
			else
				s->has = 1;
		}
		if (s->has && (best < 0 || s->out.t < im->src[best].out.t))
			best = i;
	}
	if (best < 0)
		return 0;
	*row = im->src[best].out;
	im->src[best].has = 0;
	im->st.rows_out++;
	return 1;
}

void import_stats(const struct import *im, struct import_stats *st)
{
	*st = im->st;
}

size_t import_memory(const struct import *im)
{
	size_t n = sizeof *im;

	for (int i = 0; i < im->nsrc; i++) {
		if (im->src[i].in)
			n += csvin_memory(im->src[i].in);
		if (im->src[i].lin)
			n += linein_memory(im->src[i].lin);
		n += im->src[i].cap_pend * sizeof *im->src[i].pend + im->src[i].n_pend * MAP_ENTRY_BYTES;
	}
	n += (hmap_count(im->machines) + hmap_count(im->live) + hmap_count(im->recent) +
	      hmap_count(im->old) + hmap_count(im->unsized)) * MAP_ENTRY_BYTES;
	return n;
}

int import_write_csv(struct import *im, const char *path, struct err *e)
{
	static const char *const header[] = {
		"time_s", "event", "target", "taskdef", "count", "duration_s", "group", "cpu", "memory"
	};
	struct csvout *o;
	struct trace_row r;
	int rc;

	if (strcmp(path, "-") == 0)
		o = csvout_open_stream(stdout, "<stdout>", header, 9, e);
	else
		o = csvout_open(path, header, 9, e);
	if (!o)
		return -1;
	while ((rc = import_next(im, &r, e)) == 1) {
		int counted = r.ev == TR_REGISTER_INSTANCE || (r.ev == TR_RUN_TASK && !r.target[0]);

		csvout_ms(o, r.t);
		csvout_str(o, trace_event_name(r.ev));
		csvout_str(o, r.target);
		csvout_str(o, r.taskdef);
		if (counted)
			csvout_int(o, r.count);
		else
			csvout_empty(o);
		csvout_ms(o, r.duration);
		csvout_str(o, r.group);
		if (r.cpu_units > 0)
			csvout_int(o, r.cpu_units);
		else
			csvout_empty(o);
		if (r.mem_mib > 0)
			csvout_int(o, r.mem_mib);
		else
			csvout_empty(o);
		csvout_endrow(o);
	}
	if (rc < 0) {
		csvout_abort(o);
		return -1;
	}
	return csvout_close(o, e);
}
