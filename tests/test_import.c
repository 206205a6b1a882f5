/* tests/test_import.c — the public-trace importers (models/import.h).
 *
 * Hand-written tables in the exact public schemas (tests/data/import/) pin
 * every mapping rule row by row; malformed tables under
 * tests/data/import/bad/ must fail with exactly the text of their .err
 * sidecar (the file-name prefix says which table it is: gt_ Google
 * task_events, gm_ machine_events, ab_ Alibaba batch_task, ac_
 * container_meta, am_ machine_meta).  When the shared corpus is present
 * (tests/helpers/corpus.h), the real Google 2011 sample and the real
 * Alibaba 2018 machine table in its traces/ folder are read too (the Google
 * one through gzip, only its first rows); without it those tests are
 * skipped, and the own tables above still cover every layout and rule
 * (gzip input included).  Round trip: import ->
 * CSV -> the trace reader gives back the same rows.  Streaming: importing a
 * generated table keeps import_memory() flat.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/import.h"
#include "models/trace.h"
#include "sim/csvin.h"
#include "sim/hash.h"
#include "helpers/badfiles.h"
#include "helpers/corpus.h"
#include "helpers/import_rows.h"
#include "helpers/tutil.h"

#define DATA "tests/data/import/"
#define GSAMPLE "traces/google-2011/"
#define ASAMPLE "traces/alibaba-v2018/"
#define ALL_EVENTS ((1u << TR_N_EVENTS) - 1)

#if defined(__SANITIZE_ADDRESS__)
#define BIG_ROWS 60000L
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BIG_ROWS 60000L
#endif
#endif
#ifndef BIG_ROWS
#define BIG_ROWS 300000L
#endif

static const char *const def_azs[] = { "us-east-1a", "us-east-1b", "us-east-1c" };

static struct import *open_google(const char *tasks, const char *machines, struct import_opts *o)
{
	struct err e;
	struct import *im;

	err_clear(&e);
	o->task_events = tasks;
	o->machine_events = machines;
	im = import_open("google2011", o, &e);
	if (!im)
		imp_err_eq(&e, "(no error)");
	return im;
}

/* Every Google rule: ADD/REMOVE/UPDATE, repeated ADD, REMOVE of an unknown
 * machine, re-ADD under a new instance id; SUBMIT with and without
 * requests, SCHEDULE and UPDATE_* ignored, FINISH/FAIL/KILL/EVICT/LOST,
 * resubmission after FAIL, a duplicate SUBMIT, the never time, µs -> ms
 * rounding, machines before tasks at equal times. */
static void test_google_rules(void)
{
	/* m5.4xlarge: 16 vCPU, 65536 MiB */
	const struct imp_want w[] = {
		{ 0, TR_REGISTER_INSTANCE, "m5.4xlarge", imp_az_of("5", def_azs, 3), 1, -1, 0, 0, 1 },
		{ 0, TR_REGISTER_INSTANCE, "m5.4xlarge", imp_az_of("6", def_azs, 3), 1, -1, 0, 0, 2 },
		{ 0, TR_RUN_TASK, "g10-0", "job:10", 1, -1, 8192, 16384, 1 },
		{ 1, TR_RUN_TASK, "g12-3", "job:12", 1, -1, 1, 4, 3 },
		{ 2500, TR_STOP_TASK, "g12-3", "", 1, -1, 0, 0, 6 },
		{ 2500, TR_RUN_TASK, "g12-3.1", "job:12", 1, -1, 2048, 4880, 7 },
		{ 3000, TR_INSTANCE_FAIL, "ci-00001", "", 1, -1, 0, 0, 5 },
		{ 4000, TR_REGISTER_INSTANCE, "m5.4xlarge", imp_az_of("5", def_azs, 3), 1, -1, 0, 0, 7 },
		{ 4000, TR_STOP_TASK, "g10-0", "", 1, -1, 0, 0, 11 },
		{ 4000, TR_STOP_TASK, "g12-3.1", "", 1, -1, 0, 0, 12 },
		{ 5000, TR_INSTANCE_FAIL, "ci-00003", "", 1, -1, 0, 0, 8 },
	};
	struct import_opts o = { 0 };
	struct import *im = open_google(DATA "google/task_events.csv", DATA "google/machine_events.csv", &o);
	struct import_stats st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	imp_check_rows(im, w, (int)(sizeof w / sizeof w[0]));
	import_stats(im, &st);
	T_EQ(st.rows_in, 22);
	T_EQ(st.rows_out, 11);
	T_EQ(st.skipped_blank, 1);          /* g11-0's SUBMIT */
	T_EQ(st.skipped_ignored, 4);        /* SCHEDULE, UPDATE_PENDING/RUNNING, machine UPDATE */
	T_EQ(st.skipped_unknown, 3);        /* g11-0 FINISH, g13-0 LOST, machine 99 REMOVE */
	T_EQ(st.skipped_duplicate, 2);      /* g10-0 SUBMIT while live, machine 6 ADD twice */
	T_EQ(st.skipped_never, 1);
	import_close(im);
}

/* A SUBMIT without requests is what the trace synthesises for a task that
 * existed before the window (missing info 2, EXISTS_BUT_NO_CREATION, the
 * 291 blank SUBMITs of part 0, each followed at the same time by its
 * SCHEDULE with the requests).  The task is submitted at the first event of
 * it that carries requests (SCHEDULE, UPDATE_*), and stopped as any task;
 * one that never gets requests is skipped as a submission without a
 * request (at its end, or at the end of the table), its end as an end of an
 * unknown task. */
static void test_google_unsized_submit(void)
{
	const struct imp_want w[] = {
		{ 0, TR_RUN_TASK, "g20-0", "job:20", 1, -1, 2048, 4880, 2 },
		{ 1500, TR_RUN_TASK, "g22-0", "job:22", 1, -1, 4096, 32768, 7 },
		{ 3000, TR_STOP_TASK, "g20-0", "", 1, -1, 0, 0, 9 },
	};
	struct import_opts o = { 0 };
	struct import *im = open_google(DATA "google/task_events_unsized.csv", NULL, &o);
	struct import_stats st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	imp_check_rows(im, w, (int)(sizeof w / sizeof w[0]));
	import_stats(im, &st);
	T_EQ(st.rows_in, 9);
	T_EQ(st.rows_out, 3);
	T_EQ(st.skipped_blank, 2);          /* g21-0 (ended first), g23-0 (never sized) */
	T_EQ(st.skipped_unknown, 1);        /* g21-0's FINISH */
	T_EQ(st.skipped_ignored, 1);        /* g21-0's SCHEDULE without requests */
	T_EQ(st.skipped_duplicate, 0);
	import_close(im);
}

/* Options: instance type, AZ list, time scale, first instance, max rows. */
static void test_google_options(void)
{
	static const char *const azs[] = { "eu-west-1a", "eu-west-1b" };
	const struct imp_want w[] = {
		{ 0, TR_REGISTER_INSTANCE, "c5.large", imp_az_of("5", azs, 2), 1, -1, 0, 0, 1 },
		{ 0, TR_REGISTER_INSTANCE, "c5.large", imp_az_of("6", azs, 2), 1, -1, 0, 0, 2 },
		{ 0, TR_RUN_TASK, "g10-0", "job:10", 1, -1, 1024, 1024, 1 },
		{ 15, TR_RUN_TASK, "g12-3", "job:12", 1, -1, 1, 1, 3 },
		{ 25000, TR_STOP_TASK, "g12-3", "", 1, -1, 0, 0, 6 },
		{ 25000, TR_RUN_TASK, "g12-3.1", "job:12", 1, -1, 256, 305, 7 },
		{ 30000, TR_INSTANCE_FAIL, "ci-00011", "", 1, -1, 0, 0, 5 },
	};
	struct import_opts o = { 0 };
	struct import *im;

	o.instance_type = "c5.large";   /* 2 vCPU, 4096 MiB */
	o.azs[0] = azs[0];
	o.azs[1] = azs[1];
	o.n_azs = 2;
	o.time_scale = 10;
	o.first_instance = 10;
	o.max_rows = 7;
	im = open_google(DATA "google/task_events.csv", DATA "google/machine_events.csv", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	imp_check_rows(im, w, (int)(sizeof w / sizeof w[0]));
	import_close(im);
}

static void test_open_errors(void)
{
	struct import_opts o = { 0 };
	struct err e;

	err_clear(&e);
	CU_ASSERT_PTR_NULL(import_open("google2019", &o, &e));
	imp_err_eq(&e, "unknown trace format 'google2019'; expected google2011, alibaba2018, alibaba2017, swf or openb");
	err_clear(&e);
	CU_ASSERT_PTR_NULL(import_open("google2011", &o, &e));
	imp_err_eq(&e, "google2011: give the task_events table, the machine_events table or both");
	o.task_events = DATA "google/task_events.csv";
	o.instance_type = "m9.huge";
	err_clear(&e);
	CU_ASSERT_PTR_NULL(import_open("google2011", &o, &e));
	/* the message names the option it came from */
	CU_ASSERT(strncmp(e.msg, "--instance-type: unknown instance type 'm9.huge'; expected one of t3.medium",
			  75) == 0);
	o.instance_type = NULL;
	o.task_events = DATA "google/no-such-file.csv";
	err_clear(&e);
	CU_ASSERT_PTR_NULL(import_open("google2011", &o, &e));
	imp_err_eq(&e, DATA "google/no-such-file.csv: cannot open: No such file or directory");
	o.task_events = DATA "google/task_events.csv";
	o.batch_task = DATA "alibaba/batch_task.csv";
	err_clear(&e);
	CU_ASSERT_PTR_NULL(import_open("google2011", &o, &e));
	imp_err_eq(&e, "google2011: batch_task, container_meta and machine_meta are alibaba2018 tables");
	import_close(NULL);
}

/* Every Alibaba rule. */
static void test_alibaba_rules(void)
{
	/* m5.4xlarge; plan_cpu 100 = 1 of 96 cores = 16*1024/96 = 170.67 units */
	const struct imp_want w[] = {
		{ 0, TR_REGISTER_INSTANCE, "m5.4xlarge", imp_az_of("m_1", def_azs, 3), 1, -1, 0, 0, 1 },
		{ 0, TR_RUN_TASK, "c_1", "app:app_5052", 1, -1, 683, 1022, 1 },
		{ 5000, TR_RUN_TASK, "c_2", "app:app_5052", 1, -1, 164, 2051, 2 },
		{ 5000, TR_RUN_TASK, "", "job:j_1", 1, 7000, 171, 328, 1 },
		{ 8000, TR_RUN_TASK, "", "job:j_1", 10, 92000, 85, 256, 2 },
		{ 8000, TR_RUN_TASK, "", "job:j_1", 10, 92000, 85, 256, 2 },
		{ 8000, TR_RUN_TASK, "", "job:j_1", 5, 92000, 85, 256, 2 },
		{ 10000, TR_RUN_TASK, "", "job:j_3", 2, -1, 16384, 65536, 5 },
		{ 20000, TR_REGISTER_INSTANCE, "m5.4xlarge", imp_az_of("m_2", def_azs, 3), 1, -1, 0, 0, 4 },
		{ 20000, TR_STOP_TASK, "c_1", "", 1, -1, 0, 0, 4 },
		{ 30000, TR_INSTANCE_FAIL, "ci-00001", "", 1, -1, 0, 0, 5 },
		{ 30000, TR_RUN_TASK, "c_1.1", "app:app_5052", 1, -1, 683, 1022, 6 },
		{ 40000, TR_REGISTER_INSTANCE, "m5.4xlarge", imp_az_of("m_1", def_azs, 3), 1, -1, 0, 0, 6 },
	};
	struct import_opts o = { 0 };
	struct import_stats st;
	struct import *im;
	struct err e;

	o.machine_meta = DATA "alibaba/machine_meta.csv";
	o.container_meta = DATA "alibaba/container_meta.csv";
	o.batch_task = DATA "alibaba/batch_task.csv";
	err_clear(&e);
	im = import_open("alibaba2018", &o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	imp_check_rows(im, w, (int)(sizeof w / sizeof w[0]));
	import_stats(im, &st);
	T_EQ(st.rows_in, 18);
	T_EQ(st.skipped_blank, 2);          /* c_3, M6 */
	T_EQ(st.skipped_ignored, 2);        /* M3 Waiting, M4 0 instances */
	T_EQ(st.skipped_unknown, 1);        /* m_2 IMPORT_INSTALLING before it was in use */
	T_EQ(st.skipped_duplicate, 2);      /* m_1 USING again, c_1 started again */
	import_close(im);
}

/* machine_meta as Alibaba publishes it, ordered by machine (each machine's
 * snapshots in time order): read whole and sorted by time, ties in file
 * order (choice E169) - the rows of the table sorted with `sort -t, -k2,2n
 * -s`, each with its line in the file.  By time: m_1 USING at 0 (line 1),
 * m_2 IMPORT_INSTALLING at 0 (line 4: unknown, skipped), m_2 and m_3 USING
 * at 20 (lines 5, 6, in file order), m_1 IMPORT_INSTALLING at 30 (line 2:
 * fails ci-00001), m_1 USING at 40 (line 3: a new instance). */
static void test_alibaba_machines_by_machine(void)
{
	const struct imp_want w[] = {
		{ 0, TR_REGISTER_INSTANCE, "m5.4xlarge", imp_az_of("m_1", def_azs, 3), 1, -1, 0, 0, 1 },
		{ 20000, TR_REGISTER_INSTANCE, "m5.4xlarge", imp_az_of("m_2", def_azs, 3), 1, -1, 0, 0, 5 },
		{ 20000, TR_REGISTER_INSTANCE, "m5.4xlarge", imp_az_of("m_3", def_azs, 3), 1, -1, 0, 0, 6 },
		{ 30000, TR_INSTANCE_FAIL, "ci-00001", "", 1, -1, 0, 0, 2 },
		{ 40000, TR_REGISTER_INSTANCE, "m5.4xlarge", imp_az_of("m_1", def_azs, 3), 1, -1, 0, 0, 3 },
	};
	struct import_opts o = { 0 };
	struct import_stats st;
	struct import *im;
	struct err e;

	o.machine_meta = DATA "alibaba/machine_meta_by_machine.csv";
	err_clear(&e);
	im = import_open("alibaba2018", &o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	imp_check_rows(im, w, (int)(sizeof w / sizeof w[0]));
	import_stats(im, &st);
	T_EQ(st.rows_in, 6);
	T_EQ(st.skipped_unknown, 1);
	import_close(im);
}

static const char *table_of(const char *name, struct import_opts *o, const char *path)
{
	memset(o, 0, sizeof *o);
	if (strncmp(name, "gt_", 3) == 0)
		o->task_events = path;
	else if (strncmp(name, "gm_", 3) == 0)
		o->machine_events = path;
	else if (strncmp(name, "ab_", 3) == 0)
		o->batch_task = path;
	else if (strncmp(name, "ac_", 3) == 0)
		o->container_meta = path;
	else if (strncmp(name, "am_", 3) == 0)
		o->machine_meta = path;
	else
		return NULL;
	return name[0] == 'g' ? "google2011" : "alibaba2018";
}

static int read_bad_table(const char *path, struct err *e)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct import_opts o;
	const char *fmt = table_of(name, &o, path);
	struct trace_row row;
	struct import *im;
	int r = -1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fmt);
	im = import_open(fmt, &o, e);
	if (im) {
		while ((r = import_next(im, &row, e)) == 1)
			;
		import_close(im);
	}
	return r < 0;
}

static void test_bad_tables(void)
{
	CU_ASSERT(t_bad_files(DATA "bad", read_bad_table) >= 20);
}

/* The real Google sample, through gzip: the whole machine table against the
 * first 20000 output rows. */
static void test_google_sample(void)
{
	struct import_opts o = { 0 };
	struct import_stats st;
	struct trace_row r;
	struct import *im;
	struct err e;
	sim_time_t prev = 0;
	long reg = 0, run = 0, stop = 0, fail = 0, n = 0;
	int rc;
	char tasks[600], machines[600];

	o.max_rows = 20000;
	im = open_google(t_corpus_path(tasks, sizeof tasks, GSAMPLE "task_events/part-00000-of-00500.csv.gz"),
			 t_corpus_path(machines, sizeof machines,
				       GSAMPLE "machine_events/part-00000-of-00001.csv.gz"), &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	err_clear(&e);
	while ((rc = import_next(im, &r, &e)) == 1) {
		if (n == 0) {
			T_EQ(r.ev, TR_REGISTER_INSTANCE);
			T_STREQ(r.target, "m5.4xlarge");
			T_STREQ(r.group, imp_az_of("5", def_azs, 3));
		}
		n++;
		CU_ASSERT(r.t >= prev);
		prev = r.t;
		switch (r.ev) {
		case TR_REGISTER_INSTANCE:
			reg++;
			break;
		case TR_RUN_TASK:
			run++;
			CU_ASSERT(r.cpu_units >= 1 && r.cpu_units <= 16 * 1024);
			CU_ASSERT(r.mem_mib >= 1 && r.mem_mib <= 65536);
			CU_ASSERT(r.target[0] == 'g');
			break;
		case TR_STOP_TASK:
			stop++;
			break;
		case TR_INSTANCE_FAIL:
			fail++;
			break;
		default:
			CU_FAIL("unexpected event");
		}
	}
	if (rc < 0)
		imp_err_eq(&e, "(no error)");
	T_EQ(n, 20000);
	/* the machines present at time 0 come first: 12477 ADD rows at time 0 */
	CU_ASSERT(reg >= 12000);
	CU_ASSERT(run > 0);
	import_stats(im, &st);
	CU_ASSERT(st.rows_in > 20000);
	import_close(im);
}

/* The whole task_events part 0 against its own event counts: 201,491
 * SUBMIT -> as many run_task rows (the 291 synthesised without requests
 * included, e.g. job 3418309's tasks, running since before the window as
 * CPU 0.125 and memory 0.07446 of the largest machine: 2048 CPU units and
 * 4880 MiB on m5.4xlarge); 43,237 FINISH + 10,505 KILL + 4,338 EVICT + 581
 * FAIL -> 58,661 stop_task rows, none of an unknown task. */
static void test_google_sample_whole(void)
{
	struct import_opts o = { 0 };
	struct import_stats st;
	struct trace_row r;
	struct import *im;
	struct err e;
	long run = 0, stop = 0, j3418309 = 0;
	int rc;
	char tasks[600];

	im = open_google(t_corpus_path(tasks, sizeof tasks, GSAMPLE "task_events/part-00000-of-00500.csv.gz"),
			 NULL, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	err_clear(&e);
	while ((rc = import_next(im, &r, &e)) == 1) {
		if (r.ev == TR_RUN_TASK) {
			run++;
			if (strncmp(r.target, "g3418309-", 9) == 0) {
				j3418309++;
				T_EQ(r.t, 0);
				T_EQ(r.cpu_units, 2048);
				T_EQ(r.mem_mib, 4880);
			}
		} else if (r.ev == TR_STOP_TASK) {
			stop++;
		}
	}
	if (rc < 0)
		imp_err_eq(&e, "(no error)");
	T_EQ(run, 201491);
	T_EQ(stop, 58661);
	CU_ASSERT(j3418309 >= 2);
	import_stats(im, &st);
	T_EQ(st.rows_in, 450146);
	T_EQ(st.skipped_blank, 0);
	T_EQ(st.skipped_unknown, 0);
	import_close(im);
}

/* The real Alibaba machine table is sorted by machine, not time: refused
 * with the sort command; sorted, every machine registers once at time 0. */
static void test_alibaba_sample(void)
{
	char dir[] = "/tmp/ecsim-import-XXXXXX", sorted[128], cmd[1400], meta[600];
	struct import_opts o = { 0 };
	struct import_stats st;
	struct trace_row r;
	struct import *im;
	struct err e;
	long reg = 0, fail = 0, n_as_is = 0, k = 0, same = 0;
	static struct { sim_time_t t; enum trace_event ev; char target[40]; } as_is[5000];
	int rc;

	/* the published table (ordered by machine) imports as is: the same
	 * rows as the table sorted by time by hand (below) */
	o.machine_meta = t_corpus_path(meta, sizeof meta, ASAMPLE "machine_meta.csv");
	err_clear(&e);
	im = import_open("alibaba2018", &o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	while ((rc = import_next(im, &r, &e)) == 1) {
		if (n_as_is < 5000) {
			as_is[n_as_is].t = r.t;
			as_is[n_as_is].ev = r.ev;
			snprintf(as_is[n_as_is].target, sizeof as_is[n_as_is].target, "%s", r.target);
		}
		n_as_is++;
	}
	if (rc < 0)
		imp_err_eq(&e, "(no error)");
	T_EQ(rc, 0);
	import_close(im);

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(sorted, sizeof sorted, "%s/machine_meta.csv", dir);
	snprintf(cmd, sizeof cmd, "sort -t, -k2,2n -s '%s' > %s", meta, sorted);
	CU_ASSERT_FATAL(system(cmd) == 0);
	o.machine_meta = sorted;
	err_clear(&e);
	im = import_open("alibaba2018", &o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	while ((rc = import_next(im, &r, &e)) == 1) {
		reg += r.ev == TR_REGISTER_INSTANCE;
		fail += r.ev == TR_INSTANCE_FAIL;
		if (k < n_as_is && k < 5000)
			same += as_is[k].t == r.t && as_is[k].ev == r.ev && strcmp(as_is[k].target, r.target) == 0;
		k++;
	}
	if (rc < 0)
		imp_err_eq(&e, "(no error)");
	import_stats(im, &st);
	T_EQ(st.rows_in, 17592);
	/* m_2739 is only ever IMPORT_INSTALLING: never registered (5 rows) */
	T_EQ(reg, 4033);
	T_EQ(fail, 0);
	T_EQ(st.skipped_unknown, 5);
	T_EQ(n_as_is, k);
	T_EQ(same, k);
	import_close(im);
	remove(sorted);
	rmdir(dir);
}

/* gzip input, and a file named .gz that is not gzip. */
static void test_gzip(void)
{
	char dir[] = "/tmp/ecsim-import-XXXXXX", gz[128], cmd[512];
	struct import_opts o = { 0 };
	struct trace_row r;
	struct import *im;
	struct err e;
	int n = 0, rc;
	FILE *f;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(gz, sizeof gz, "%s/machine_events.csv.gz", dir);
	snprintf(cmd, sizeof cmd, "gzip -c %s > %s", DATA "google/machine_events.csv", gz);
	CU_ASSERT_FATAL(system(cmd) == 0);
	im = open_google(NULL, gz, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	err_clear(&e);
	while ((rc = import_next(im, &r, &e)) == 1)
		n++;
	T_EQ(rc, 0);
	T_EQ(n, 5);
	import_close(im);

	f = fopen(gz, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("0,5,0,p,0.5,0.5\n", f);
	fclose(f);
	o.machine_events = gz;
	err_clear(&e);
	CU_ASSERT_PTR_NULL(import_open("google2011", &o, &e));
	T_STREQ(e.file, gz);
	T_STREQ(e.msg, "not a valid gzip file (gzip -dc exited with status 1)");
	remove(gz);
	rmdir(dir);
}

/* import -> CSV -> trace reader: the same rows. */
static void test_round_trip(void)
{
	char dir[] = "/tmp/ecsim-import-XXXXXX", out[128];
	struct import_opts o;
	int n = 0;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(out, sizeof out, "%s/trace.csv", dir);
	for (int fmt = 0; fmt < 2; fmt++) {
		memset(&o, 0, sizeof o);
		if (fmt == 0) {
			o.task_events = DATA "google/task_events.csv";
			o.machine_events = DATA "google/machine_events.csv";
		} else {
			o.machine_meta = DATA "alibaba/machine_meta.csv";
			o.container_meta = DATA "alibaba/container_meta.csv";
			o.batch_task = DATA "alibaba/batch_task.csv";
		}
		n += imp_round_trip(fmt ? "alibaba2018" : "google2011", &o, out);
	}
	T_EQ(n, 11 + 13);
	remove(out);
	rmdir(dir);
}

/* A long task table whose live set stays small: memory does not grow. */
static void test_streaming(void)
{
	char dir[] = "/tmp/ecsim-import-XXXXXX", path[128];
	struct import_opts o = { 0 };
	struct trace_row r;
	struct import *im;
	struct err e;
	size_t mem0 = 0, mem = 0;
	long n = 0;
	int rc;
	FILE *f;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/task_events.csv", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	/* task i: SUBMIT at 10 s * i, FINISH 100 rows later; 100 live tasks */
	for (long i = 0; i < BIG_ROWS / 2 + 100; i++) {
		if (i < BIG_ROWS / 2)
			fprintf(f, "%ld,,%ld,%ld,,0,u,0,0,0.01,0.02,0,0\n", i * 10000000L, i / 50, i % 50);
		if (i >= 100)
			fprintf(f, "%ld,,%ld,%ld,7,4,u,0,0,0.01,0.02,0,0\n", i * 10000000L,
				(i - 100) / 50, (i - 100) % 50);
	}
	CU_ASSERT_FATAL(fclose(f) == 0);
	im = open_google(path, NULL, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	err_clear(&e);
	while ((rc = import_next(im, &r, &e)) == 1) {
		n++;
		if (n == 20000)
			mem0 = import_memory(im);
		else if (n > 20000 && import_memory(im) > mem)
			mem = import_memory(im);
	}
	T_EQ(rc, 0);
	T_EQ(n, BIG_ROWS);
	CU_ASSERT(mem0 > 0);
	CU_ASSERT(mem <= mem0 + 2048);
	CU_ASSERT(mem0 < CSVIN_CHUNK + 240 * 1024);   /* the reader's chunk and the rest */
	import_close(im);
	remove(path);
	rmdir(dir);
}

CU_TestInfo import_tests[] = {
	{ "google2011: every mapping rule", test_google_rules },
	{ "google2011: a SUBMIT without requests takes them from the task's next event", test_google_unsized_submit },
	{ "google2011: options", test_google_options },
	{ "open errors", test_open_errors },
	{ "alibaba2018: every mapping rule", test_alibaba_rules },
	{ "alibaba2018: machine_meta in machine order, sorted in memory", test_alibaba_machines_by_machine },
	{ "malformed tables and their exact errors", test_bad_tables },
	{ "gzip input", test_gzip },
	{ "round trip through the trace reader", test_round_trip },
	{ "streaming: flat memory", test_streaming },
	CU_TEST_INFO_NULL,
};

CU_TestInfo import_corpus_tests[] = {
	{ "google2011: the real sample (gzip)", test_google_sample },
	{ "google2011: the whole task_events part 0 against its event counts", test_google_sample_whole },
	{ "alibaba2018: the real machine table", test_alibaba_sample },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "import", NULL, NULL, NULL, NULL, import_tests },
	{ "import-corpus", NULL, NULL, NULL, NULL, import_corpus_tests },
	CU_SUITE_INFO_NULL,
};
