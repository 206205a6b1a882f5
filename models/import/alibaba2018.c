/* models/import/alibaba2018.c — Alibaba cluster-trace-v2018: the
 * machine_meta, container_meta and batch_task tables, headerless CSV, columns
 * as in the release's schema.txt.  Times are seconds.
 *
 * machine_meta rows are state snapshots: a machine's first USING snapshot
 * registers it (chosen type, AZ by a hash of the machine id), a later
 * non-USING one fails it, a USING one after that registers it again.
 * container_meta: a container's first non-"stopped" snapshot runs it (explicit
 * id = container_id, group "app:<app_du>"), a "stopped" one stops it.
 * batch_task: one run_task per 10 instances (RunTask's limit), duration
 * end_time - start_time, group "job:<job_name>"; Waiting tasks (never
 * started) are skipped.  CPU is in cores x 100 and becomes a fraction of one
 * trace machine (machine_cores, default 96), memory is a percentage of a
 * machine; both are then mapped onto the chosen type like Google's.  The
 * public batch_task table is not sorted by time: the importer refuses an
 * unsorted table (with the sort command) rather than load it; machine_meta,
 * published in machine order and small, is read whole and sorted
 * (fill_machines).  Every decision is documented in scenarios/README.md.
 */
#include "import_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"

#define MAX_MS 1000000000000000LL
#define RUNTASK_MAX 10

static const char *const machine_cols[] = {
	"machine_id", "time_stamp", "failure_domain_1", "failure_domain_2", "cpu_num", "mem_size",
	"status"
};
enum { M_ID, M_TIME, M_FD1, M_FD2, M_CPU, M_MEM, M_STATUS, M_N };

static const char *const container_cols[] = {
	"container_id", "machine_id", "time_stamp", "app_du", "status", "cpu_request", "cpu_limit",
	"mem_size"
};
enum { C_ID, C_MACHINE, C_TIME, C_APP, C_STATUS, C_CPU, C_LIMIT, C_MEM, C_N };

static const char *const batch_cols[] = {
	"task_name", "instance_num", "job_name", "task_type", "status", "start_time", "end_time",
	"plan_cpu", "plan_mem"
};
enum { B_TASK, B_NUM, B_JOB, B_TYPE, B_STATUS, B_START, B_END, B_CPU, B_MEM, B_N };

/* The time column in seconds -> ms; 0 or -1. */
static int row_time(struct import *im, struct src *s, int64_t *raw, sim_time_t *t, struct err *e)
{
	if (import_time(im, s, raw, e) < 0)
		return -1;
	*t = import_ms(im, *raw, 1000000);
	if (*t > MAX_MS)
		return csvin_fail(s->in, s->time_col, e, "expected at most %lld seconds, got \"%s\"",
				  MAX_MS / 1000, import_field(s, s->time_col));
	return 0;
}

/* machine_meta is published ordered by machine id, each machine's
 * snapshots in time order; a machine table is small (4,034 machines in
 * 2018), so it is read whole when first filled, every record checked where
 * it stands (file:line:col), and sorted by time, ties in file order (a
 * stable sort, as `sort -s`): the same rows as the table sorted by hand
 * (docs/ecs-model.md choice E169). */
static int read_machines(struct import *im, struct src *s, struct err *e)
{
	size_t cap = 0, known = 0;
	long first_line = 0;
	char first_status[64] = "";

	for (;;) {
		const char *id, *status;
		int64_t raw;
		sim_time_t t;
		int r = import_src_record(im, s, e);

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		s->prev = -1;   /* any order: sorted below */
		if (import_str(s, M_ID, &id, e) < 0 || row_time(im, s, &raw, &t, e) < 0 ||
		    import_str(s, M_STATUS, &status, e) < 0)
			return -1;
		if (s->n_sorted == cap) {
			cap = cap ? 2 * cap : 1024;
			s->sorted = xrealloc(s->sorted, cap * sizeof *s->sorted);
		}
		s->sorted[s->n_sorted++] = (struct sorted_rec){ raw, csvin_line(s->in),
								strcmp(status, "USING") == 0, xstrdup(id) };
		known += strcmp(status, "USING") == 0 || strcmp(status, "IMPORT_INSTALLING") == 0;
		if (!first_line) {
			first_line = csvin_line(s->in);
			snprintf(first_status, sizeof first_status, "%s", status);
		}
	}
	/* a table none of whose rows has a machine status (another table given
	 * as machine_meta, columns shifted): refused rather than read as
	 * machines never in service, 0 rows */
	if (s->n_sorted > 0 && known == 0)
		return err_at(e, csvin_path(s->in), first_line, M_STATUS + 1, machine_cols[M_STATUS],
			      "no row of the table has a machine status (USING or IMPORT_INSTALLING, as in "
			      "the published machine_meta); this one has \"%s\": is it the machine_meta table?",
			      first_status);
	import_sort_records(s);
	return 0;
}

static int fill_machines(struct import *im, struct src *s, struct err *e)
{
	if (!s->sorted && read_machines(im, s, e) < 0)
		return -1;
	while (s->next_sorted < s->n_sorted) {
		const struct sorted_rec *m = &s->sorted[s->next_sorted++];
		sim_time_t t = import_ms(im, m->raw, 1000000);

		if (m->flag ? import_machine_add(im, s, m->id, t) : import_machine_remove(im, s, m->id, t)) {
			s->out.line = m->line;
			return 1;
		}
	}
	return 0;
}

static int fill_containers(struct import *im, struct src *s, struct err *e)
{
	for (;;) {
		const char *id, *status, *app;
		double cpu, mem;
		int blank_cpu, blank_mem;
		int64_t raw;
		sim_time_t t;
		char group[STR_MAX + 8];
		int64_t cu, mm;
		int r = import_src_record(im, s, e);

		if (r <= 0)
			return r;
		if (import_str(s, C_ID, &id, e) < 0 || row_time(im, s, &raw, &t, e) < 0 ||
		    import_str(s, C_STATUS, &status, e) < 0 ||
		    import_real(s, C_CPU, &cpu, &blank_cpu, e) < 0 ||
		    import_real(s, C_MEM, &mem, &blank_mem, e) < 0)
			return -1;
		app = import_field(s, C_APP);
		if (strlen(app) > STR_MAX)
			return csvin_fail(s->in, C_APP, e, "expected at most %d characters, got %zu",
					  STR_MAX, strlen(app));
		if (strcmp(status, "stopped") == 0) {
			if (import_task_end(im, s, id, t))
				return 1;
			continue;
		}
		if (blank_cpu || blank_mem) {
			im->st.skipped_blank++;
			continue;
		}
		snprintf(group, sizeof group, "%s%s", app[0] ? "app:" : "", app);
		if (import_needs(im, s, C_CPU, cpu / 100.0 / im->machine_cores, C_MEM, mem / 100.0,
				 &cu, &mm, e) < 0)
			return -1;
		if (import_task_start(im, s, id, t, group, cu, mm))
			return 1;
	}
}

/* The next run_task of the current batch_task row (at most 10 instances). */
static int emit_batch(struct src *s)
{
	int64_t n = s->left < RUNTASK_MAX ? s->left : RUNTASK_MAX;

	s->out.count = n;
	s->left -= n;
	return 1;
}

static int fill_batch(struct import *im, struct src *s, struct err *e)
{
	if (s->left > 0)
		return emit_batch(s);
	for (;;) {
		const char *job, *task, *status, *endf;
		double cpu, mem;
		int blank_cpu, blank_mem;
		int64_t num, start, end = 0;
		sim_time_t t;
		int r = import_src_record(im, s, e);

		if (r <= 0)
			return r;
		if (import_str(s, B_TASK, &task, e) < 0 || import_uint(s, B_NUM, &num, e) < 0 ||
		    import_str(s, B_JOB, &job, e) < 0 || import_str(s, B_STATUS, &status, e) < 0 ||
		    row_time(im, s, &start, &t, e) < 0)
			return -1;
		endf = import_field(s, B_END);
		if (endf[0] && import_uint(s, B_END, &end, e) < 0)
			return -1;
		if (end > 0 && end < start)
			return csvin_fail(s->in, B_END, e,
					  "expected 0 (not ended) or a time >= start_time (%lld), got \"%s\"",
					  (long long)start, endf);
		if (import_real(s, B_CPU, &cpu, &blank_cpu, e) < 0 ||
		    import_real(s, B_MEM, &mem, &blank_mem, e) < 0)
			return -1;
		if (num > im->max_instance_num)
			return csvin_fail(s->in, B_NUM, e,
					  "expected at most %lld instances (an importer limit: raise it with "
					  "--max-instance-num, up to %lld), got %lld",
					  (long long)im->max_instance_num, (long long)IMPORT_MAX_INSTANCE_NUM,
					  (long long)num);
		if (num == 0 || strcmp(status, "Waiting") == 0) {
			im->st.skipped_ignored++;
			continue;
		}
		if (blank_cpu || blank_mem) {
			im->st.skipped_blank++;
			continue;
		}
		memset(&s->out, 0, sizeof s->out);
		s->out.t = t;
		s->out.ev = TR_RUN_TASK;
		s->target[0] = '\0';
		s->out.target = s->target;
		s->out.taskdef = "";
		snprintf(s->group, sizeof s->group, "job:%s", job);
		s->out.group = s->group;
		s->out.duration = end > 0 ? import_ms(im, end - start, 1000000) : -1;
		if (import_needs(im, s, B_CPU, cpu / 100.0 / im->machine_cores, B_MEM, mem / 100.0,
				 &s->out.cpu_units, &s->out.mem_mib, e) < 0)
			return -1;
		s->out.line = csvin_line(s->in);
		s->left = num;
		return emit_batch(s);
	}
}

int import_alibaba_open(struct import *im, const struct import_opts *o, struct err *e)
{
	if (!o->batch_task && !o->container_meta && !o->machine_meta)
		return err_at(e, NULL, 0, 0, NULL,
			      "alibaba2018: give at least one of batch_task, container_meta, machine_meta");
	if (o->task_events || o->machine_events)
		return err_at(e, NULL, 0, 0, NULL,
			      "alibaba2018: task_events and machine_events are google2011 tables");
	if (o->machine_meta &&
	    import_src_open(im, o->machine_meta, machine_cols, M_N, M_TIME, "-k2,2n", fill_machines, e) < 0)
		return -1;
	if (o->container_meta &&
	    import_src_open(im, o->container_meta, container_cols, C_N, C_TIME, "-k3,3n",
			    fill_containers, e) < 0)
		return -1;
	if (o->batch_task &&
	    import_src_open(im, o->batch_task, batch_cols, B_N, B_START, "-k6,6n", fill_batch, e) < 0)
		return -1;
	return 0;
}
