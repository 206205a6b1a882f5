/* models/import/google2011.c — Google cluster-data 2011 (ClusterData2011_2):
 * the machine_events and task_events tables, headerless CSV (gzip as
 * published), columns as in the trace's schema.csv.
 *
 * machine_events: ADD -> register_instance of the chosen type in an AZ
 * picked by a hash of the machine id, REMOVE -> instance_fail of the
 * instance that ADD registered, UPDATE ignored.  task_events: SUBMIT ->
 * run_task with the explicit id "g<job>-<index>" and the normalised requests
 * times the chosen type's capacity (a SUBMIT without requests waits for the
 * task's next event that has them); SCHEDULE and UPDATE_* otherwise ignored; EVICT,
 * FAIL, FINISH, KILL, LOST -> stop_task.  Times are microseconds, turned
 * into milliseconds (rounded half up) with no offset; the "never" time
 * 2^63-1 is dropped.  Every decision is documented in scenarios/README.md.
 */
#include "import_int.h"

#include <stdio.h>

#define MAX_MS 1000000000000000LL

static const char *const task_cols[] = {
	"time", "missing info", "job ID", "task index", "machine ID", "event type", "user",
	"scheduling class", "priority", "CPU request", "memory request", "disk space request",
	"different machines restriction"
};
enum { T_TIME, T_MISSING, T_JOB, T_INDEX, T_MACHINE, T_TYPE, T_USER, T_CLASS, T_PRIO,
       T_CPU, T_MEM, T_DISK, T_DIFF, T_N };

static const char *const machine_cols[] = {
	"time", "machine ID", "event type", "platform ID", "CPUs", "Memory"
};
enum { M_TIME, M_ID, M_TYPE, M_PLATFORM, M_CPUS, M_MEM, M_N };

enum { SUBMIT, SCHEDULE, EVICT, FAIL, FINISH, KILL, LOST, UPDATE_PENDING, UPDATE_RUNNING };
enum { ADD, REMOVE, UPDATE };

/* time in µs -> ms; 0, 1 = the "never" time (skip), -1 error. */
static int row_time(struct import *im, struct src *s, sim_time_t *t, struct err *e)
{
	int64_t raw;

	if (import_time(im, s, &raw, e) < 0)
		return -1;
	if (raw == INT64_MAX)
		return 1;
	*t = import_ms(im, raw, 1);
	if (*t > MAX_MS)
		return csvin_fail(s->in, s->time_col, e,
				  "expected at most %lld microseconds, got \"%s\"",
				  MAX_MS * 1000, import_field(s, s->time_col));
	return 0;
}

static int event_type(struct src *s, int col, int64_t max, int64_t *v, struct err *e)
{
	if (import_uint(s, col, v, e) < 0)
		return -1;
	if (*v > max)
		return csvin_fail(s->in, col, e, "expected an event type 0 to %lld, got \"%s\"",
				  (long long)max, import_field(s, col));
	return 0;
}

static int fill_tasks(struct import *im, struct src *s, struct err *e)
{
	for (;;) {
		int64_t job, index, type;
		double cpu, mem;
		int blank_cpu, blank_mem, never;
		sim_time_t t = 0;
		char key[64], group[40];
		int64_t cu, mm;
		uint64_t v;
		int r = import_src_record(im, s, e);

		if (r == 0) {
			/* the submissions that never got their requests */
			im->st.skipped_blank += (int64_t)hmap_count(im->unsized);
			hmap_free(im->unsized);
			im->unsized = hmap_new();
		}
		if (r <= 0)
			return r;
		never = row_time(im, s, &t, e);
		if (never < 0 || import_uint(s, T_JOB, &job, e) < 0 ||
		    import_uint(s, T_INDEX, &index, e) < 0 ||
		    event_type(s, T_TYPE, UPDATE_RUNNING, &type, e) < 0 ||
		    import_real(s, T_CPU, &cpu, &blank_cpu, e) < 0 ||
		    import_real(s, T_MEM, &mem, &blank_mem, e) < 0)
			return -1;
		if (never) {
			im->st.skipped_never++;
			continue;
		}
		snprintf(key, sizeof key, "g%lld-%lld", (long long)job, (long long)index);
		switch (type) {
		case SUBMIT:
			if (blank_cpu || blank_mem) {
				/* A SUBMIT the trace synthesised for a task
				 * that existed before the window (missing
				 * info 2, EXISTS_BUT_NO_CREATION) carries no
				 * requests; the task's next event (its
				 * SCHEDULE, at the same time in the published
				 * sample) does: the task is submitted then. */
				if (hmap_get(im->live, key, &v) || hmap_get(im->unsized, key, &v))
					im->st.skipped_duplicate++;
				else
					hmap_put(im->unsized, key, 1);
				continue;
			}
			hmap_del(im->unsized, key);
			break;
		case SCHEDULE: case UPDATE_PENDING: case UPDATE_RUNNING:
			if (blank_cpu || blank_mem || !hmap_del(im->unsized, key)) {
				im->st.skipped_ignored++;
				continue;
			}
			break;
		default:        /* EVICT, FAIL, FINISH, KILL, LOST */
			if (hmap_del(im->unsized, key)) {
				/* ended before any event gave its requests */
				im->st.skipped_blank++;
				im->st.skipped_unknown++;
				continue;
			}
			if (import_task_end(im, s, key, t))
				return 1;
			continue;
		}
		snprintf(group, sizeof group, "job:%lld", (long long)job);
		if (import_needs(im, s, T_CPU, cpu, T_MEM, mem, &cu, &mm, e) < 0)
			return -1;
		if (import_task_start(im, s, key, t, group, cu, mm))
			return 1;
	}
}

static int fill_machines(struct import *im, struct src *s, struct err *e)
{
	for (;;) {
		int64_t id, type;
		double cpus, mem;
		int blank, never;
		sim_time_t t = 0;
		char key[32];
		int r = import_src_record(im, s, e);

		if (r <= 0)
			return r;
		never = row_time(im, s, &t, e);
		if (never < 0 || import_uint(s, M_ID, &id, e) < 0 ||
		    event_type(s, M_TYPE, UPDATE, &type, e) < 0 ||
		    import_real(s, M_CPUS, &cpus, &blank, e) < 0 ||
		    import_real(s, M_MEM, &mem, &blank, e) < 0)
			return -1;
		if (never) {
			im->st.skipped_never++;
			continue;
		}
		snprintf(key, sizeof key, "%lld", (long long)id);
		if (type == ADD) {
			if (import_machine_add(im, s, key, t))
				return 1;
		} else if (type == REMOVE) {
			if (import_machine_remove(im, s, key, t))
				return 1;
		} else {
			im->st.skipped_ignored++;
		}
	}
}

int import_google_open(struct import *im, const struct import_opts *o, struct err *e)
{
	if (!o->task_events && !o->machine_events)
		return err_at(e, NULL, 0, 0, NULL,
			      "google2011: give the task_events table, the machine_events table or both");
	if (o->batch_task || o->container_meta || o->machine_meta)
		return err_at(e, NULL, 0, 0, NULL,
			      "google2011: batch_task, container_meta and machine_meta are alibaba2018 tables");
	if (o->machine_events &&
	    import_src_open(im, o->machine_events, machine_cols, M_N, M_TIME, "-k1,1n", fill_machines, e) < 0)
		return -1;
	if (o->task_events &&
	    import_src_open(im, o->task_events, task_cols, T_N, T_TIME, "-k1,1n", fill_tasks, e) < 0)
		return -1;
	return 0;
}
