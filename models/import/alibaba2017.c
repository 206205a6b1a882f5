/* models/import/alibaba2017.c — Alibaba cluster-trace-v2017: the
 * batch_task and server_event tables (CSV, columns as in the release's
 * schema.csv).  Times are seconds from the start of the trace window, and
 * may be negative (a task created before it).
 *
 * batch_task (task create time, task end time, job id, task id, number of
 * instances, status, CPU per instance in hundredths of a core, memory per
 * instance normalised to the largest machine, made a fraction of one trace
 * machine's normalised memory, 0.69 by default): one run_task per 10 instances
 * at the create time, duration end - create, group "job:<job id>"; a task
 * created before the window starts at 0 with what remained of its run, one
 * that ended before the window is skipped (docs/ecs-model.md choice E231).
 * Waiting tasks (empty requests, never started) are skipped, a Running one
 * (end time 0) has no duration, an end before the create time is a run of
 * 0 s.  A first line that is the header a third
 * party added ("task_create_time, task_end_time, ..." with leading spaces)
 * is skipped.  The table must be in create-time order (the published one is
 * not: the error gives the sort command).
 *
 * server_event (timestamp, machine id, event type, event detail, CPUs,
 * memory, disk): a small machine table, read whole and sorted by time (as
 * alibaba2018's machine_meta, choice E169): `add` registers the machine (or
 * activates it again after a softerror), `softerror` drains it (it takes no
 * new task, its tasks run on: drain_instance), `harderror` and `remove` fail
 * it (instance_fail).  Every decision is documented in scenarios/README.md.
 */
#include "import_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"

#define MAX_MS 1000000000000000LL
#define MAX_S (MAX_MS / 1000)
#define RUNTASK_MAX 10

static const char *const batch_cols[] = {
	"task create time", "task end time", "job id", "task id", "number of instances", "status",
	"number of cpus requested per instance in the task",
	"normalized memory requested per instance in the task"
};
enum { B_CREATE, B_END, B_JOB, B_TASK, B_NUM, B_STATUS, B_CPU, B_MEM, B_N };

static const char *const server_cols[] = {
	"timestamp", "machine id", "event type", "event detail", "number of cpus", "normalized memory",
	"normalized disk space"
};
enum { S_TIME, S_ID, S_TYPE, S_DETAIL, S_CPU, S_MEM, S_DISK, S_N };

enum { EV_ADD, EV_SOFT, EV_FAIL };

static int read_servers(struct import *im, struct src *s, struct err *e)
{
	size_t cap = 0;

	for (;;) {
		const char *type;
		int64_t raw, id;
		int kind, r = import_src_record(im, s, e);

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		if (import_uint(s, S_TIME, &raw, e) < 0 || import_uint(s, S_ID, &id, e) < 0 ||
		    import_str(s, S_TYPE, &type, e) < 0)
			return -1;
		if (raw > MAX_S)
			return csvin_fail(s->in, S_TIME, e, "expected at most %lld seconds, got \"%s\"",
					  MAX_S, import_field(s, S_TIME));
		if (strcmp(type, "add") == 0)
			kind = EV_ADD;
		else if (strcmp(type, "softerror") == 0)
			kind = EV_SOFT;
		else if (strcmp(type, "harderror") == 0 || strcmp(type, "remove") == 0)
			kind = EV_FAIL;
		else
			return csvin_fail(s->in, S_TYPE, e,
					  "expected add, softerror, harderror or remove, got \"%s\"", type);
		if (s->n_sorted == cap) {
			cap = cap ? 2 * cap : 1024;
			s->sorted = xrealloc(s->sorted, cap * sizeof *s->sorted);
		}
		s->sorted[s->n_sorted].raw = raw;
		s->sorted[s->n_sorted].line = csvin_line(s->in);
		s->sorted[s->n_sorted].flag = kind;
		s->sorted[s->n_sorted].id = xmalloc(24);
		snprintf(s->sorted[s->n_sorted].id, 24, "%lld", (long long)id);
		s->n_sorted++;
	}
	import_sort_records(s);
	return 0;
}

static int fill_servers(struct import *im, struct src *s, struct err *e)
{
	if (!s->sorted && read_servers(im, s, e) < 0)
		return -1;
	while (s->next_sorted < s->n_sorted) {
		const struct sorted_rec *m = &s->sorted[s->next_sorted++];
		sim_time_t t = import_ms(im, m->raw, 1000000);
		int r;

		if (m->flag == EV_ADD)
			r = import_machine_state(im, m->id) == (int)(M_IN_SERVICE | M_DRAINING)
				? import_machine_activate(im, s, m->id, t) : import_machine_add(im, s, m->id, t);
		else if (m->flag == EV_SOFT)
			r = import_machine_drain(im, s, m->id, t);
		else
			r = import_machine_remove(im, s, m->id, t);
		if (r) {
			s->out.line = m->line;
			return 1;
		}
	}
	return 0;
}

static int emit_batch(struct src *s)
{
	int64_t n = s->left < RUNTASK_MAX ? s->left : RUNTASK_MAX;

	s->out.count = n;
	s->left -= n;
	return 1;
}

/* The third party's header: its first field is "task_create_time" after
 * leading spaces. */
static int is_header(const struct src *s)
{
	const char *f = import_field(s, B_CREATE);

	while (*f == ' ')
		f++;
	return csvin_line(s->in) == 1 && strcmp(f, "task_create_time") == 0;
}

static int fill_batch(struct import *im, struct src *s, struct err *e)
{
	if (s->left > 0)
		return emit_batch(s);
	for (;;) {
		const char *status;
		double cpu, mem;
		int blank_cpu, blank_mem;
		int64_t create, end, job, num, start;
		int r = import_src_record(im, s, e);

		if (r <= 0)
			return r;
		if (is_header(s)) {
			im->st.rows_in--;
			continue;
		}
		if (import_time(im, s, &create, e) < 0 || import_int(s, B_END, &end, e) < 0 ||
		    import_uint(s, B_JOB, &job, e) < 0 || import_uint(s, B_NUM, &num, e) < 0 ||
		    import_str(s, B_STATUS, &status, e) < 0 ||
		    import_real(s, B_CPU, &cpu, &blank_cpu, e) < 0 ||
		    import_real(s, B_MEM, &mem, &blank_mem, e) < 0)
			return -1;
		if (create > MAX_S || create < -MAX_S)
			return csvin_fail(s->in, B_CREATE, e, "expected at most %lld seconds either side of 0, "
					  "got \"%s\"", MAX_S, import_field(s, B_CREATE));
		if (end > MAX_S)
			return csvin_fail(s->in, B_END, e, "expected at most %lld seconds, got \"%s\"",
					  MAX_S, import_field(s, B_END));
		if (num > im->max_instance_num)
			return csvin_fail(s->in, B_NUM, e,
					  "expected at most %lld instances (an importer limit: raise it with "
					  "--max-instance-num, up to %lld), got %lld",
					  (long long)im->max_instance_num, (long long)IMPORT_MAX_INSTANCE_NUM,
					  (long long)num);
		if (num == 0 || strcmp(status, "Waiting") == 0 || (end != 0 && end <= 0)) {
			im->st.skipped_ignored++;   /* never started, or over before the window */
			continue;
		}
		if (blank_cpu || blank_mem) {
			im->st.skipped_blank++;
			continue;
		}
		start = create < 0 ? 0 : create;
		import_row_init(s, TR_RUN_TASK, import_ms(im, start, 1000000));
		snprintf(s->group, sizeof s->group, "job:%lld", (long long)job);
		/* an end before the create time (one row of the public table, 1 s
		 * before) is a run of 0 s */
		s->out.duration = end != 0 ? import_ms(im, end > start ? end - start : 0, 1000000) : -1;
		/* both requests made fractions of one trace machine, which
		 * registers as the chosen type: its cores (CPU is in hundredths
		 * of a core) and its normalised memory (memory is a fraction of
		 * the largest machine, and a machine has 0.69 of it: taken as
		 * is, a trace machine's memory would be 1/0.69 of the type's;
		 * docs/ecs-model.md choice E231) */
		if (import_needs(im, s, B_CPU, cpu / 100.0 / im->machine_cores, B_MEM, mem / im->machine_mem,
				 &s->out.cpu_units, &s->out.mem_mib, e) < 0)
			return -1;
		s->left = num;
		return emit_batch(s);
	}
}

int import_alibaba2017_open(struct import *im, const struct import_opts *o, struct err *e)
{
	if (!o->batch_task && !o->server_event)
		return err_at(e, NULL, 0, 0, NULL, "alibaba2017: give the batch_task table, the server_event "
			      "table or both");
	if (o->task_events || o->machine_events || o->container_meta || o->machine_meta || o->swf ||
	    o->openb_nodes || o->openb_pods)
		return err_at(e, NULL, 0, 0, NULL, "alibaba2017: takes batch_task and server_event only");
	if (o->server_event &&
	    import_src_open(im, o->server_event, server_cols, S_N, S_TIME, "-k1,1n", fill_servers, e) < 0)
		return -1;
	if (o->batch_task) {
		if (import_src_open(im, o->batch_task, batch_cols, B_N, B_CREATE,
				    "grep -v task_create_time F | sort -t, -k1,1n -s > F.sorted.csv", fill_batch, e) < 0)
			return -1;
		im->src[im->nsrc - 1].prev = INT64_MIN;   /* negative create times */
		im->src[im->nsrc - 1].signed_time = 1;
	}
	return 0;
}
