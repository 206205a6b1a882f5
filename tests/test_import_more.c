/* tests/test_import_more.c — the importers of the other public traces of
 * the corpus (models/import.h): swf (Parallel Workloads Archive), alibaba2017
 * (cluster-trace-v2017) and openb (Alibaba GPU 2023), and alibaba2018's
 * machine_meta whose status column has no machine status.
 *
 * Hand-written tables in the exact public layouts (tests/data/import/swf,
 * alibaba2017, openb) pin every mapping rule row by row, each expected row
 * computed by hand from the rule (scenarios/README.md, "Importing public
 * traces"; docs/ecs-model.md choices E230-E232); malformed ones must fail
 * with FILE:LINE:COL and the reason.  When the shared corpus is present
 * (tests/helpers/corpus.h) its samples are imported whole and the counts
 * checked against its READMEs' stated counts.  Round trip: import -> CSV ->
 * the trace reader gives back the same rows.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/import.h"
#include "models/trace.h"
#include "sim/hash.h"
#include "helpers/badfiles.h"
#include "helpers/corpus.h"
#include "helpers/import_rows.h"
#include "helpers/tutil.h"

#define DATA "tests/data/import/"
#define ALL_EVENTS ((1u << TR_N_EVENTS) - 1)

static const char *az_of(const char *machine)
{
	static const char *const azs[] = { "us-east-1a", "us-east-1b", "us-east-1c" };

	return imp_az_of(machine, azs, 3);
}

static struct import *open_fmt(const char *fmt, struct import_opts *o)
{
	struct err e;
	struct import *im;

	err_clear(&e);
	im = import_open(fmt, o, &e);
	if (!im)
		imp_err_eq(&e, "(no error)");
	return im;
}

/* Import everything; the error (or "(no error)") into buf. */
static int import_all(const char *fmt, struct import_opts *o, char *buf, size_t n, long *rows)
{
	struct err e;
	struct trace_row r;
	struct import *im;
	int rc = -1;

	err_clear(&e);
	*rows = 0;
	snprintf(buf, n, "(no error)");
	im = import_open(fmt, o, &e);
	if (im) {
		while ((rc = import_next(im, &r, &e)) == 1)
			++*rows;
		import_close(im);
	}
	if (rc < 0)
		err_format(&e, buf, n);
	return rc;
}

/* A file of `text` in dir; its path into buf. */
static const char *write_file(const char *dir, const char *name, const char *text, char *buf, size_t n)
{
	FILE *f;

	snprintf(buf, n, "%s/%s", dir, name);
	f = fopen(buf, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	return buf;
}

/* SWF: the header's MaxProcs 40 (not MaxNodes 64) on m5.4xlarge (16 vCPU)
 * = ceil(40/16) = 3 instances at 0, AZs in turn, each row at the MaxProcs
 * line (3); job 1: 12 processors -> 10 + 2 tasks of 1 vCPU and 1024 MiB
 * (memory unknown), run time 100 s; job 2: run time unknown, skipped; job
 * 3: allocated unknown -> requested 8 processors, requested memory 5000 KB
 * -> 5 MiB (rounded up, before the used 2048 KB); a blank line; job 4: 0
 * processors, skipped; job 5 (tabs): used memory 3000 KB -> 3 MiB. */
static void test_swf_rules(void)
{
	const struct imp_want w[] = {
		{ 0, TR_REGISTER_INSTANCE, "m5.4xlarge", "us-east-1a", 1, -1, 0, 0, 3 },
		{ 0, TR_REGISTER_INSTANCE, "m5.4xlarge", "us-east-1b", 1, -1, 0, 0, 3 },
		{ 0, TR_REGISTER_INSTANCE, "m5.4xlarge", "us-east-1c", 1, -1, 0, 0, 3 },
		{ 0, TR_RUN_TASK, "", "job:1", 10, 100000, 1024, 1024, 5 },
		{ 0, TR_RUN_TASK, "", "job:1", 2, 100000, 1024, 1024, 5 },
		{ 5000, TR_RUN_TASK, "", "job:3", 8, 30000, 1024, 5, 7 },
		{ 20000, TR_RUN_TASK, "", "job:5", 1, 7000, 1024, 3, 10 },
	};
	struct import_opts o = { 0 };
	struct import_stats st;
	struct import *im;

	o.swf = DATA "swf/jobs.swf";
	im = open_fmt("swf", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	imp_check_rows(im, w, (int)(sizeof w / sizeof w[0]));
	import_stats(im, &st);
	T_EQ(st.rows_in, 5);
	T_EQ(st.rows_out, 7);
	T_EQ(st.skipped_blank, 2);   /* job 2 (run time -1), job 4 (0 processors) */
	import_close(im);

	/* without the fleet; c5.large (2 vCPU): the same jobs */
	o.swf_no_machines = 1;
	o.instance_type = "c5.large";
	im = open_fmt("swf", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	imp_check_rows(im, w + 3, 4);
	import_close(im);
}

/* The SWF definition permits floating point values in time fields: a
 * submit time of 0.4 s and a run time of 12.5 s are 400 ms and 12,500 ms
 * (rounded to the ms: 1.0004 s -> 1000 ms); "-1.0" is unknown (skipped, as
 * -1); integers as before. */
static void test_swf_decimal_times(void)
{
	char dir[] = "/tmp/ecsim-import-XXXXXX", p[200];
	const struct imp_want w[] = {
		{ 400, TR_RUN_TASK, "", "job:1", 2, 12500, 1024, 1024, 2 },
		{ 1000, TR_RUN_TASK, "", "job:3", 1, 1000, 1024, 1024, 4 },
		{ 7000, TR_RUN_TASK, "", "job:4", 1, 30000, 1024, 1024, 5 },
	};
	struct import_opts o = { 0 };
	struct import_stats st;
	struct import *im;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	o.swf = write_file(dir, "dec.swf",
			   "; MaxProcs: 4\n"
			   "1 0.4 -1 12.5 2 -1 -1 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n"
			   "2 0.9 -1 -1.0 1 -1 -1 1 -1 -1 0 1 1 -1 -1 -1 -1 -1\n"
			   "3 1.0004 -1 1.0 1 -1 -1 1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n"
			   "4 7 -1 30 1 -1 -1 1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n", p, sizeof p);
	o.swf_no_machines = 1;
	im = open_fmt("swf", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	imp_check_rows(im, w, (int)(sizeof w / sizeof w[0]));
	import_stats(im, &st);
	T_EQ(st.rows_in, 4);
	T_EQ(st.skipped_blank, 1);   /* job 2: run time -1.0 */
	import_close(im);
	remove(p);
	rmdir(dir);
}

/* Checkpointed or swapped jobs (the SWF definition's usage note): the
 * job's summary line (status 0, 1 or 5, its whole run time) is followed by
 * a line per partial execution with the same job number, status 2 (to be
 * continued), 3 (the last, the job completed) or 4 (the last, it failed).
 * The job is imported once, from its summary: job 2's 4 processors for
 * 300 s, not again for its 100 s and 200 s partial runs (4 tasks, not 12);
 * the partial lines are counted as repeats.  Jobs 1 and 3 around it are
 * plain; job 4's only partial execution failed (status 4) after its summary
 * (status 0).  Job 5 has partial executions and no summary line (a log
 * with "Preemption: Yes" writes only those): each is a run of its own, as
 * any line, not skipped. */
static void test_swf_partial_executions(void)
{
	char dir[] = "/tmp/ecsim-import-XXXXXX", p[200];
	const struct imp_want w[] = {
		{ 0, TR_RUN_TASK, "", "job:1", 1, 50000, 1024, 1024, 2 },
		{ 10000, TR_RUN_TASK, "", "job:2", 4, 300000, 1024, 1024, 3 },
		{ 20000, TR_RUN_TASK, "", "job:3", 2, 5000, 1024, 1024, 6 },
		{ 30000, TR_RUN_TASK, "", "job:4", 1, 70000, 1024, 1024, 7 },
		{ 40000, TR_RUN_TASK, "", "job:5", 2, 30000, 1024, 1024, 9 },
		{ 40000, TR_RUN_TASK, "", "job:5", 2, 20000, 1024, 1024, 10 },
	};
	struct import_opts o = { 0 };
	struct import_stats st;
	struct import *im;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	o.swf = write_file(dir, "ckpt.swf",
			   "; MaxProcs: 8\n"
			   "1 0 5 50 1 -1 -1 1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n"
			   "2 10 40 300 4 -1 -1 4 -1 -1 1 1 1 -1 -1 -1 -1 -1\n"
			   "2 10 5 100 4 -1 -1 4 -1 -1 2 1 1 -1 -1 -1 -1 -1\n"
			   "2 10 35 200 4 -1 -1 4 -1 -1 3 1 1 -1 -1 -1 -1 -1\n"
			   "3 20 0 5 2 -1 -1 2 -1 -1 5 1 1 -1 -1 -1 -1 -1\n"
			   "4 30 0 70 1 -1 -1 1 -1 -1 0 1 1 -1 -1 -1 -1 -1\n"
			   "4 30 0 70 1 -1 -1 1 -1 -1 4 1 1 -1 -1 -1 -1 -1\n"
			   "5 40 0 30 2 -1 -1 2 -1 -1 2 1 1 -1 -1 -1 -1 -1\n"
			   "5 40 50 20 2 -1 -1 2 -1 -1 3 1 1 -1 -1 -1 -1 -1\n", p, sizeof p);
	o.swf_no_machines = 1;
	im = open_fmt("swf", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	imp_check_rows(im, w, (int)(sizeof w / sizeof w[0]));
	import_stats(im, &st);
	T_EQ(st.rows_in, 9);
	T_EQ(st.rows_out, 6);
	T_EQ(st.skipped_duplicate, 3);   /* job 2's two partial executions, job 4's one */
	import_close(im);
	remove(p);
	rmdir(dir);
}

static void test_swf_errors(void)
{
	char dir[] = "/tmp/ecsim-import-XXXXXX", p[200], msg[2200], want[600];
	struct import_opts o = { 0 };
	long rows;
	static const char *const hdr = "; MaxProcs: 4\n";
	static const struct { const char *body, *err; } cases[] = {
		{ "1 10 -1 5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n2 9 -1 5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
		  ":3:2: submit time: jobs not in submit-time order: 9 after 10 (sort with: (grep '^;' F; "
		  "grep -v '^;' F | sort -k2,2n -s) > F.sorted.swf)" },
		{ "1 10 -1 5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1\n",
		  ":2: expected 18 fields separated by spaces, got 17" },
		{ "1 10 -1 5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1 7\n",
		  ":2: expected 18 fields separated by spaces, got more than 18" },
		{ "1 10 -1 5x 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
		  ":2:4: run time: expected a number of seconds >= 0 or -1 (unknown), got \"5x\"" },
		{ "1 -5 -1 5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
		  ":2:2: submit time: expected a number of seconds >= 0 or -1 (unknown), got \"-5\"" },
		{ "1 10 -1 1e3 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
		  ":2:4: run time: expected a number of seconds >= 0 or -1 (unknown), got \"1e3\"" },
		{ "1 10 -1 0x10 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
		  ":2:4: run time: expected a number of seconds >= 0 or -1 (unknown), got \"0x10\"" },
		{ "1 10 -1 1000000000000.5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
		  ":2:4: run time: expected a number of seconds from 0 to 10^12 or -1 (unknown), got \"1000000000000.5\"" },
		{ "1 10 -1 5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n2 9.75 -1 5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
		  ":3:2: submit time: jobs not in submit-time order: 9.75 after 10 (sort with: (grep '^;' F; "
		  "grep -v '^;' F | sort -k2,2n -s) > F.sorted.swf)" },
		{ "1 -1 -1 5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
		  ":2:2: submit time: expected a submit time >= 0, got \"-1\"" },
		{ "1 10 -1 5 1 -1 -1 -1 -1 -1 6 1 1 -1 -1 -1 -1 -1\n",
		  ":2:11: status: expected 1 (completed), 0 (failed), 5 (cancelled), 2, 3 or 4 (a partial "
		  "execution) or -1 (unknown), got \"6\"" },
		{ "1 10 -1 5 1 -1 -1 -1 -1 -1 ok 1 1 -1 -1 -1 -1 -1\n",
		  ":2:11: status: expected 1 (completed), 0 (failed), 5 (cancelled), 2, 3 or 4 (a partial "
		  "execution) or -1 (unknown), got \"ok\"" },
	};

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[400];

		snprintf(text, sizeof text, "%s%s", hdr, cases[i].body);
		o.swf = write_file(dir, "bad.swf", text, p, sizeof p);
		T_EQ(import_all("swf", &o, msg, sizeof msg, &rows), -1);
		snprintf(want, sizeof want, "%s%s", p, cases[i].err);
		t_msg_eq(msg, want);
	}
	remove(p);
	rmdir(dir);
}

/* alibaba2017, merged by time, machines first at equal times.  batch_task
 * (CRLF lines, the third party's header on line 1 skipped): line 2 ended
 * at -55 (before the window: skipped); line 3 created at -60 -> starts at
 * 0 with the 110 s that remained, 12 instances -> 10 + 2, CPU 50 = half a
 * core of 64 -> 0.5/64 x 16 x 1024 = 128 units, memory 0.0079 of the
 * largest machine = 0.0079/0.69 of a trace machine -> x 65536 = 750.3 ->
 * 750 MiB; line 4 Running (end 0): no duration, 0.5/0.69 x 65536 = 47489.9
 * -> 47490 MiB; line 5 Waiting: skipped; line 6 ends 1 s before it was
 * created: a run of 0 s, 0.01/0.69 x 65536 = 949.8 -> 950 MiB; line 7
 * Running with empty requests: skipped (blank); line 8 0 instances:
 * skipped.  server_event (not in time order: sorted in memory): machines 1
 * and 2 added at 0, 3 at 50 (line 4); 1 soft-errors at 100 (drain), again
 * at 150 (a repeat), is added again at 200 (activate); 2 added again at
 * 200 (a repeat), hard-errors at 300 (fails); 9 soft-errors unknown. */
static void test_alibaba2017_rules(void)
{
	const struct imp_want w[] = {
		{ 0, TR_REGISTER_INSTANCE, "m5.4xlarge", az_of("1"), 1, -1, 0, 0, 1 },
		{ 0, TR_REGISTER_INSTANCE, "m5.4xlarge", az_of("2"), 1, -1, 0, 0, 2 },
		{ 0, TR_RUN_TASK, "", "job:1", 10, 110000, 128, 750, 3 },
		{ 0, TR_RUN_TASK, "", "job:1", 2, 110000, 128, 750, 3 },
		{ 0, TR_RUN_TASK, "", "job:2", 1, -1, 256, 47490, 4 },
		{ 7000, TR_RUN_TASK, "", "job:3", 1, 0, 256, 950, 6 },
		{ 50000, TR_REGISTER_INSTANCE, "m5.4xlarge", az_of("3"), 1, -1, 0, 0, 4 },
		{ 100000, TR_DRAIN_INSTANCE, "ci-00001", "", 1, -1, 0, 0, 3 },
		{ 200000, TR_ACTIVATE_INSTANCE, "ci-00001", "", 1, -1, 0, 0, 6 },
		{ 300000, TR_INSTANCE_FAIL, "ci-00002", "", 1, -1, 0, 0, 8 },
	};
	struct import_opts o = { 0 };
	struct import_stats st;
	struct import *im;

	o.batch_task = DATA "alibaba2017/batch_task.csv";
	o.server_event = DATA "alibaba2017/server_event.csv";
	im = open_fmt("alibaba2017", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	imp_check_rows(im, w, (int)(sizeof w / sizeof w[0]));
	import_stats(im, &st);
	T_EQ(st.rows_in, 7 + 9);          /* the header line is not a row */
	T_EQ(st.skipped_ignored, 3);      /* ended before 0, Waiting, 0 instances */
	T_EQ(st.skipped_blank, 1);
	T_EQ(st.skipped_duplicate, 2);    /* softerror of a drained machine, add of an active one */
	T_EQ(st.skipped_unknown, 1);      /* machine 9 */
	import_close(im);
}

/* alibaba2017's memory, like its CPU, is made a fraction of one trace
 * machine, which registers as the chosen type (m5.4xlarge: 16 vCPU =
 * 16,384 units, 65,536 MiB): requests are fractions of the largest
 * machine, and a machine of the published server_event has 0.69 of it.  A
 * task asking for a whole trace machine (6400 hundredths of a core = 64
 * cores, memory 0.69) asks for a whole instance: 16,384 units and 65,536
 * MiB (taking 0.69 as a fraction of the type gave 45,220 MiB, 0.69 of the
 * instance that holds the machine's 64 cores); 0.138 (a fifth of a
 * machine) is 13,107.2 -> 13,107 MiB.  With --machine-memory 0.5, 0.138 is
 * 0.276 of a machine -> 18,087.9 -> 18,088 MiB and 0.69 is 1.38 of one ->
 * 90,439.7 -> 90,440 MiB (more than the type: never placed, as in the
 * trace such a task would fit no machine of 0.5).  The option is refused
 * for another format and outside (0, 1]. */
static void test_alibaba2017_memory_scale(void)
{
	char dir[] = "/tmp/ecsim-import-XXXXXX", p[200];
	const struct imp_want w[] = {
		{ 0, TR_RUN_TASK, "", "job:1", 1, 100000, 16384, 65536, 1 },
		{ 5000, TR_RUN_TASK, "", "job:1", 2, 95000, 128, 13107, 2 },
	};
	const struct imp_want w_half[] = {
		{ 0, TR_RUN_TASK, "", "job:1", 1, 100000, 16384, 90440, 1 },
		{ 5000, TR_RUN_TASK, "", "job:1", 2, 95000, 128, 18088, 2 },
	};
	struct import_opts o = { 0 };
	struct import *im;
	struct err e;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	o.batch_task = write_file(dir, "bt.csv",
				  "0,100,1,1,1,Terminated,6400,0.69\n"
				  "5,100,1,2,2,Terminated,50,0.138\n", p, sizeof p);
	im = open_fmt("alibaba2017", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	imp_check_rows(im, w, (int)(sizeof w / sizeof w[0]));
	import_close(im);
	o.machine_memory = 0.5;
	im = open_fmt("alibaba2017", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	imp_check_rows(im, w_half, (int)(sizeof w_half / sizeof w_half[0]));
	import_close(im);
	o.machine_memory = 1.5;
	err_clear(&e);
	CU_ASSERT_PTR_NULL(import_open("alibaba2017", &o, &e));
	imp_err_eq(&e, "--machine-memory: expected a number in (0, 1], got 1.5");
	memset(&o, 0, sizeof o);
	o.swf = DATA "swf/jobs.swf";
	o.machine_memory = 0.5;
	err_clear(&e);
	CU_ASSERT_PTR_NULL(import_open("swf", &o, &e));
	imp_err_eq(&e, "--machine-memory: only for the alibaba2017 format");
	remove(p);
	rmdir(dir);
}

static void test_alibaba2017_errors(void)
{
	char dir[] = "/tmp/ecsim-import-XXXXXX", p[200], msg[2200], want[600];
	struct import_opts o = { 0 };
	long rows;
	static const struct { int server; const char *body, *err; } cases[] = {
		{ 0, "5,10,1,1,1,Terminated,50,0.01\n-3,10,1,2,1,Terminated,50,0.01\n",
		  ":2:1: task create time: rows not in time order: -3 after 5 (sort with: grep -v "
		  "task_create_time F | sort -t, -k1,1n -s > F.sorted.csv)" },
		{ 0, "5,10,1,1,1,Terminated,50\n", ":1: expected 8 fields, got 7" },
		{ 0, "5,x,1,1,1,Terminated,50,0.01\n", ":1:2: task end time: expected an integer, got \"x\"" },
		{ 0, "x,10,1,1,1,Terminated,50,0.01\n", ":1:1: task create time: expected an integer, got \"x\"" },
		{ 1, "0,1,add,,64,0.69,1\n5,1,reboot,,0,0,0\n",
		  ":2:3: event type: expected add, softerror, harderror or remove, got \"reboot\"" },
	};

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&o, 0, sizeof o);
		write_file(dir, "t.csv", cases[i].body, p, sizeof p);
		if (cases[i].server)
			o.server_event = p;
		else
			o.batch_task = p;
		T_EQ(import_all("alibaba2017", &o, msg, sizeof msg, &rows), -1);
		snprintf(want, sizeof want, "%s%s", p, cases[i].err);
		t_msg_eq(msg, want);
	}
	remove(p);
	rmdir(dir);
}

/* openb: nodes at 0 (file order, AZ by hash of sn); the largest node has
 * 64,000 milli-cores and 524,288 MiB, so on m5.4xlarge (16,384 units,
 * 65,536 MiB) a pod's CPU is cpu_milli x 16384/64000 and its memory
 * memory_mib / 8.  p-0 Running, deleted at 900: 900 - scheduled 0 = 900 s
 * (deletion_time is the pod's deletion whatever its phase); p-1 Succeeded: deletion 100 -
 * scheduled 20 = 80 s (its GPU dropped, counted); p-2 Pending (never
 * placed; GPUs dropped): run as "p-2" at 15, stopped at its deletion 40,
 * before p-4's run at 40; p-3 Failed 60 - 30 = 30 s; p-4 Pending created
 * and deleted at 40: its run, then its stop; p-5: memory 100/8 = 12.5 ->
 * 13 MiB, stopped at 70 after the table's end. */
static void test_openb_rules(void)
{
	const struct imp_want w[] = {
		{ 0, TR_REGISTER_INSTANCE, "m5.4xlarge", az_of("n-0"), 1, -1, 0, 0, 2 },
		{ 0, TR_REGISTER_INSTANCE, "m5.4xlarge", az_of("n-1"), 1, -1, 0, 0, 3 },
		{ 0, TR_RUN_TASK, "", "qos:LS", 1, 900000, 1024, 4096, 2 },
		{ 10000, TR_RUN_TASK, "", "qos:BE", 1, 80000, 2048, 2048, 3 },
		{ 15000, TR_RUN_TASK, "p-2", "qos:BE", 1, -1, 512, 1024, 4 },
		{ 30000, TR_RUN_TASK, "", "qos:Burstable", 1, 30000, 256, 128, 5 },
		{ 40000, TR_STOP_TASK, "p-2", "", 1, -1, 0, 0, 4 },
		{ 40000, TR_RUN_TASK, "p-4", "qos:LS", 1, -1, 256, 128, 6 },
		{ 40000, TR_STOP_TASK, "p-4", "", 1, -1, 0, 0, 6 },
		{ 50000, TR_RUN_TASK, "p-5", "qos:LS", 1, -1, 128, 13, 7 },
		{ 70000, TR_STOP_TASK, "p-5", "", 1, -1, 0, 0, 7 },
	};
	struct import_opts o = { 0 };
	struct import_stats st;
	struct import *im;

	o.openb_nodes = DATA "openb/nodes.csv";
	o.openb_pods = DATA "openb/pods.csv";
	im = open_fmt("openb", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	imp_check_rows(im, w, (int)(sizeof w / sizeof w[0]));
	import_stats(im, &st);
	T_EQ(st.rows_in, 2 + 6);
	T_EQ(st.gpu_dropped, 2);
	import_close(im);

	/* pods alone: the published list's largest node (128,000 milli-cores,
	 * 1,048,576 MiB): p-0's 4000 -> 512 units, 32768 -> 2048 MiB */
	o.openb_nodes = NULL;
	im = open_fmt("openb", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	{
		struct trace_row r;
		struct err e;

		err_clear(&e);
		T_EQ(import_next(im, &r, &e), 1);
		T_EQ(r.cpu_units, 512);
		T_EQ(r.mem_mib, 2048);
	}
	import_close(im);
}

static void test_openb_errors(void)
{
	char dir[] = "/tmp/ecsim-import-XXXXXX", p[200], msg[2200], want[700];
	struct import_opts o = { 0 };
	long rows;
	static const char *const ph =
		"name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,"
		"deletion_time,scheduled_time\n";
	static const struct { int nodes; const char *body, *err; } cases[] = {
		{ 0, "p,1,1,0,0,,LS,Running,10,20,10\nq,1,1,0,0,,LS,Running,5,20,5\n",
		  ":3:9: creation_time: rows not in time order: 5 after 10 (sort with: (head -1 F; tail -n +2 "
		  "F | sort -t, -k9,9n -s) > F.sorted.csv)" },
		{ 0, "p,1,1,0,0,,LS,Done,10,20,10\n",
		  ":2:8: pod_phase: expected Running, Succeeded, Failed or Pending, got \"Done\"" },
		{ 0, "p,1,1,0,0,,LS,Failed,10,20,30\n",
		  ":2:10: deletion_time: expected a time >= scheduled_time (30), got \"20\"" },
		{ 0, "p,1,1,0,0,,LS,Pending,10,5,\n",
		  ":2:10: deletion_time: expected a time >= creation_time (10), got \"5\"" },
		{ 1, "n,0,10,0,\n", ":2:2: cpu_milli: expected a capacity > 0, got \"0\"" },
	};

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[600];

		memset(&o, 0, sizeof o);
		snprintf(text, sizeof text, "%s%s", cases[i].nodes ? "sn,cpu_milli,memory_mib,gpu,model\n" : ph,
			 cases[i].body);
		write_file(dir, "t.csv", text, p, sizeof p);
		if (cases[i].nodes)
			o.openb_nodes = p;
		else
			o.openb_pods = p;
		T_EQ(import_all("openb", &o, msg, sizeof msg, &rows), -1);
		snprintf(want, sizeof want, "%s%s", p, cases[i].err);
		t_msg_eq(msg, want);
	}
	/* a header that is not the published one */
	memset(&o, 0, sizeof o);
	o.openb_nodes = write_file(dir, "t.csv", "sn,cpu,memory_mib,gpu,model\nn,1,1,0,\n", p, sizeof p);
	T_EQ(import_all("openb", &o, msg, sizeof msg, &rows), -1);
	snprintf(want, sizeof want, "%s:1: expected the header sn,cpu_milli,memory_mib,gpu,model", p);
	t_msg_eq(msg, want);
	remove(p);
	rmdir(dir);
}

/* alibaba2018's machine_meta whose status column never holds a machine
 * status (another table given, columns shifted): an error at its first
 * row's status, not 0 rows. */
static void test_alibaba2018_no_status(void)
{
	char dir[] = "/tmp/ecsim-import-XXXXXX", p[200], msg[2200], want[600];
	struct import_opts o = { 0 };
	long rows;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	o.machine_meta = write_file(dir, "mm.csv", "m_1,0,1,2,96,100,RUNNING\nm_2,5,1,2,96,100,stopped\n",
				    p, sizeof p);
	T_EQ(import_all("alibaba2018", &o, msg, sizeof msg, &rows), -1);
	T_EQ(rows, 0);
	snprintf(want, sizeof want, "%s:1:7: status: no row of the table has a machine status (USING or "
		 "IMPORT_INSTALLING, as in the published machine_meta); this one has \"RUNNING\": is it "
		 "the machine_meta table?", p);
	t_msg_eq(msg, want);
	/* one known status is enough: IMPORT_INSTALLING only, nothing registered */
	write_file(dir, "mm.csv", "m_1,0,1,2,96,100,IMPORT_INSTALLING\n", p, sizeof p);
	T_EQ(import_all("alibaba2018", &o, msg, sizeof msg, &rows), 0);
	T_EQ(rows, 0);
	remove(p);
	rmdir(dir);
}

static void test_open_errors(void)
{
	struct import_opts o = { 0 };
	struct err e;

	err_clear(&e);
	CU_ASSERT_PTR_NULL(import_open("swf", &o, &e));
	imp_err_eq(&e, "swf: give the job log (an .swf file)");
	err_clear(&e);
	CU_ASSERT_PTR_NULL(import_open("alibaba2017", &o, &e));
	imp_err_eq(&e, "alibaba2017: give the batch_task table, the server_event table or both");
	err_clear(&e);
	CU_ASSERT_PTR_NULL(import_open("openb", &o, &e));
	imp_err_eq(&e, "openb: give the node list, the pod list or both");
	o.swf = DATA "swf/jobs.swf";
	o.openb_pods = DATA "openb/pods.csv";
	err_clear(&e);
	CU_ASSERT_PTR_NULL(import_open("swf", &o, &e));
	imp_err_eq(&e, "swf: takes one table, the job log");
	err_clear(&e);
	CU_ASSERT_PTR_NULL(import_open("nasa", &o, &e));
	imp_err_eq(&e, "unknown trace format 'nasa'; expected google2011, alibaba2018, alibaba2017, swf or openb");
}

/* import -> CSV -> trace reader: the same rows, for each new format. */
static void test_round_trip(void)
{
	char dir[] = "/tmp/ecsim-import-XXXXXX", out[128];
	static const char *const fmts[] = { "swf", "alibaba2017", "openb" };
	struct import_opts o;
	int n = 0;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(out, sizeof out, "%s/trace.csv", dir);
	for (int f = 0; f < 3; f++) {
		memset(&o, 0, sizeof o);
		o.swf = f == 0 ? DATA "swf/jobs.swf" : NULL;
		if (f == 1) {
			o.batch_task = DATA "alibaba2017/batch_task.csv";
			o.server_event = DATA "alibaba2017/server_event.csv";
		} else if (f == 2) {
			o.openb_nodes = DATA "openb/nodes.csv";
			o.openb_pods = DATA "openb/pods.csv";
		}
		n += imp_round_trip(fmts[f], &o, out);
	}
	T_EQ(n, 7 + 10 + 11);
	remove(out);
	rmdir(dir);
}

/* A long SWF log: memory stays flat (nothing is kept per job). */
static void test_swf_streaming(void)
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
	snprintf(path, sizeof path, "%s/big.swf", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("; MaxProcs: 16\n", f);
	for (long i = 0; i < 100000; i++)
		fprintf(f, "%ld %ld -1 %ld %ld -1 -1 -1 -1 -1 1 %ld 1 -1 -1 -1 -1 -1\n", i + 1, i * 7, i % 500,
			1 + i % 16, i % 40);
	CU_ASSERT_FATAL(fclose(f) == 0);
	o.swf = path;
	im = open_fmt("swf", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	err_clear(&e);
	while ((rc = import_next(im, &r, &e)) == 1) {
		n++;
		if (n == 1000)
			mem0 = import_memory(im);
		else if (n > 1000 && import_memory(im) > mem)
			mem = import_memory(im);
	}
	T_EQ(rc, 0);
	T_EQ(n, 1 + 100000 + 100000 / 16 * 6);   /* 1 instance; jobs of 11-16 processors are 2 rows */
	CU_ASSERT(mem <= mem0);
	import_close(im);
	remove(path);
	rmdir(dir);
}

/* A Pending pod's name repeated while it is live: each repeat skipped (a
 * duplicate), in a loop whose depth does not grow with the repeats (before,
 * fill_pods recursed once per skipped pod: 500,000 repeats overflowed the
 * stack under the asan build); then an SWF log read through gzip, as the archive publishes it. */
static void test_repeats_and_gzip(void)
{
	char dir[] = "/tmp/ecsim-import-XXXXXX", path[128], cmd[400];
	struct import_opts o = { 0 };
	struct import_stats st;
	struct trace_row r;
	struct import *im;
	struct err e;
	long n = 0;
	int rc;
	FILE *f;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/pods.csv", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,"
	      "deletion_time,scheduled_time\n", f);
	for (long i = 0; i < 500000; i++)
		fputs("a,1,1,0,0,,LS,Pending,1,9,\n", f);
	CU_ASSERT_FATAL(fclose(f) == 0);
	o.openb_pods = path;
	im = open_fmt("openb", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	err_clear(&e);
	while ((rc = import_next(im, &r, &e)) == 1)
		n++;
	T_EQ(rc, 0);
	T_EQ(n, 2);                       /* a's run at 1 s and its stop at 9 s */
	import_stats(im, &st);
	T_EQ(st.skipped_duplicate, 499999);
	import_close(im);
	remove(path);

	memset(&o, 0, sizeof o);
	snprintf(path, sizeof path, "%s/jobs.swf.gz", dir);
	snprintf(cmd, sizeof cmd, "gzip -c %s > %s", DATA "swf/jobs.swf", path);
	CU_ASSERT_FATAL(system(cmd) == 0);
	o.swf = path;
	n = 0;
	im = open_fmt("swf", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	while ((rc = import_next(im, &r, &e)) == 1)
		n++;
	T_EQ(rc, 0);
	T_EQ(n, 7);
	import_close(im);
	remove(path);
	rmdir(dir);
}

/* ---- the corpus: counts against the READMEs ---- */

/* NASA iPSC/860: 18,239 jobs (README), 32 header lines; MaxProcs 128 on
 * m5.4xlarge -> 8 instances; every job has a run time and processors here,
 * 309,953 processors in all (the sum of field 5) -> 43,263 run_task rows
 * (per job ceil(procs / 10)). */
static void test_swf_corpus(void)
{
	char path[600];
	struct import_opts o = { 0 };
	struct import_stats st;
	struct trace_row r;
	struct import *im;
	struct err e;
	long reg = 0, run = 0, tasks = 0;
	sim_time_t prev = 0;
	int rc;

	o.swf = t_corpus_path(path, sizeof path, "traces/pwa-swf/NASA-iPSC-1993-3.1-cln.swf");
	im = open_fmt("swf", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	err_clear(&e);
	while ((rc = import_next(im, &r, &e)) == 1) {
		CU_ASSERT(r.t >= prev);
		prev = r.t;
		reg += r.ev == TR_REGISTER_INSTANCE;
		if (r.ev == TR_RUN_TASK) {
			run++;
			tasks += r.count;
			CU_ASSERT(r.duration >= 0);
		}
	}
	if (rc < 0)
		imp_err_eq(&e, "(no error)");
	import_stats(im, &st);
	T_EQ(st.rows_in, 18239);
	T_EQ(st.skipped_blank, 0);
	T_EQ(reg, 8);
	T_EQ(run, 43263);
	T_EQ(tasks, 309953);
	T_EQ(prev, 7948936000LL);   /* the last job's submit time */
	import_close(im);
}

/* Alibaba 2017: server_event 1,313 add and 39 softerror rows (README) on
 * 1,313 machines, not in time order (sorted in memory): 1,313 registers,
 * 7 machines soft-error (the first of each drains it, 32 repeats).
 * batch_task, 80,553 tasks: refused as published (not in time order) with
 * the sort command; sorted: 8,847 Waiting + 117 ended before the window or
 * with 0 instances skipped, 170 without requests, the other 71,419 tasks'
 * 10,991,149 instances in 1,148,283 run_task rows. */
static void test_alibaba2017_corpus(void)
{
	char se[600], bt[600], dir[] = "/tmp/ecsim-import-XXXXXX", sorted[128], cmd[1500], msg[2200];
	struct import_opts o = { 0 };
	struct import_stats st;
	struct trace_row r;
	struct import *im;
	struct err e;
	long reg = 0, drain = 0, run = 0, inst = 0, rows;
	int rc;

	o.server_event = t_corpus_path(se, sizeof se, "traces/alibaba-v2017/server_event.csv");
	o.batch_task = t_corpus_path(bt, sizeof bt, "traces/alibaba-v2017/batch_task.csv");
	T_EQ(import_all("alibaba2017", &o, msg, sizeof msg, &rows), -1);
	CU_ASSERT(strstr(msg, "batch_task.csv:3:1: task create time: rows not in time order: 6457 after 6459 "
			 "(sort with: grep -v task_create_time F | sort -t, -k1,1n -s > F.sorted.csv)") != NULL);
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(sorted, sizeof sorted, "%s/batch_task.csv", dir);
	snprintf(cmd, sizeof cmd, "grep -v task_create_time '%s' | sort -t, -k1,1n -s > %s", bt, sorted);
	CU_ASSERT_FATAL(system(cmd) == 0);
	o.batch_task = sorted;
	im = open_fmt("alibaba2017", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	err_clear(&e);
	while ((rc = import_next(im, &r, &e)) == 1) {
		reg += r.ev == TR_REGISTER_INSTANCE;
		drain += r.ev == TR_DRAIN_INSTANCE;
		if (r.ev == TR_RUN_TASK) {
			run++;
			inst += r.count;
		}
	}
	if (rc < 0)
		imp_err_eq(&e, "(no error)");
	import_stats(im, &st);
	T_EQ(st.rows_in, 80553 + 1352);
	T_EQ(reg, 1313);
	T_EQ(drain, 7);
	T_EQ(st.skipped_duplicate, 32);
	T_EQ(st.skipped_ignored, 8964);
	T_EQ(st.skipped_blank, 170);
	T_EQ(run, 1148283);
	T_EQ(inst, 10991149);
	import_close(im);
	remove(sorted);
	rmdir(dir);
}

/* openb: 1,523 nodes and 8,152 pods (README), in creation order as
 * published; the 897 Pending pods are stopped at their deletion; 7,064
 * pods ask for a GPU (num_gpu or gpu_milli > 0).  Every placed pod runs
 * until its deletion, Running ones too: openb-pod-0000 (line 2, Running,
 * scheduled 0, deleted 12,537,496 s), openb-pod-0001 (line 3, Running,
 * 427,061 -> 12,902,960 s, the list's last time). */
static void test_openb_corpus(void)
{
	char nodes[600], pods[600];
	struct import_opts o = { 0 };
	struct import_stats st;
	struct trace_row r;
	struct import *im;
	struct err e;
	long reg = 0, run = 0, stop = 0, nodur = 0;
	sim_time_t prev = 0;
	int rc;

	o.openb_nodes = t_corpus_path(nodes, sizeof nodes, "traces/alibaba-gpu-v2023/openb_node_list_all_node.csv");
	o.openb_pods = t_corpus_path(pods, sizeof pods, "traces/alibaba-gpu-v2023/openb_pod_list_default.csv");
	im = open_fmt("openb", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	err_clear(&e);
	while ((rc = import_next(im, &r, &e)) == 1) {
		CU_ASSERT(r.t >= prev);
		prev = r.t;
		reg += r.ev == TR_REGISTER_INSTANCE;
		stop += r.ev == TR_STOP_TASK;
		if (r.ev == TR_RUN_TASK) {
			run++;
			nodur += r.duration < 0 && !r.target[0];
			if (r.line == 2)
				T_EQ(r.duration, 12537496000LL);
			if (r.line == 3)
				T_EQ(r.duration, (12902960LL - 427061) * 1000);
			CU_ASSERT(r.cpu_units >= 1 && r.cpu_units <= 16384);
			CU_ASSERT(r.mem_mib >= 1 && r.mem_mib <= 65536);
		}
	}
	if (rc < 0)
		imp_err_eq(&e, "(no error)");
	import_stats(im, &st);
	T_EQ(st.rows_in, 1523 + 8152);
	T_EQ(reg, 1523);
	T_EQ(run, 8152);
	T_EQ(stop, 897);
	T_EQ(nodur, 0);           /* Running pods end at their deletion too */
	T_EQ(st.gpu_dropped, 7064);
	import_close(im);
}

CU_TestInfo import_more_tests[] = {
	{ "swf: every mapping rule", test_swf_rules },
	{ "swf: decimal submit and run times", test_swf_decimal_times },
	{ "swf: partial executions of a checkpointed job", test_swf_partial_executions },
	{ "swf: malformed logs", test_swf_errors },
	{ "alibaba2017: every mapping rule", test_alibaba2017_rules },
	{ "alibaba2017: memory is a fraction of a trace machine's", test_alibaba2017_memory_scale },
	{ "alibaba2017: malformed tables", test_alibaba2017_errors },
	{ "openb: every mapping rule", test_openb_rules },
	{ "openb: malformed tables", test_openb_errors },
	{ "alibaba2018: machine_meta without a machine status", test_alibaba2018_no_status },
	{ "open errors", test_open_errors },
	{ "round trip through the trace reader", test_round_trip },
	{ "swf: streaming, flat memory", test_swf_streaming },
	{ "openb: repeated pods in a loop; swf through gzip", test_repeats_and_gzip },
	CU_TEST_INFO_NULL,
};

CU_TestInfo import_more_corpus_tests[] = {
	{ "swf: the NASA iPSC/860 log", test_swf_corpus },
	{ "alibaba2017: batch_task and server_event", test_alibaba2017_corpus },
	{ "openb: nodes and pods", test_openb_corpus },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "import-more", NULL, NULL, NULL, NULL, import_more_tests },
	{ "import-more-corpus", NULL, NULL, NULL, NULL, import_more_corpus_tests },
	CU_SUITE_INFO_NULL,
};
