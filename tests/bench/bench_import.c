/* tests/bench/bench_import.c — speed of the Google 2011 importer: imports
 * the whole task_events part 0 of the corpus sample (450,146 rows, through
 * gzip -dc) with the full machine table, and prints input rows per second
 * and the importer's memory at the end.  Printed, never asserted. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "models/import.h"

#define GS "../shared/corpus/traces/google-2011/"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
	struct import_opts o = { 0 };
	struct import_stats st;
	struct trace_row r;
	struct import *im;
	struct err e;
	double t0, dt;
	size_t mem;
	int rc;

	o.task_events = GS "task_events/part-00000-of-00500.csv.gz";
	o.machine_events = GS "machine_events/part-00000-of-00001.csv.gz";
	if (access(o.task_events, R_OK) != 0) {
		printf("bench_import: google-2011 sample not found, skipped\n");
		return 0;
	}
	err_clear(&e);
	t0 = now();
	im = import_open("google2011", &o, &e);
	if (!im) {
		err_print(&e, stderr);
		return 1;
	}
	while ((rc = import_next(im, &r, &e)) == 1)
		;
	dt = now() - t0;
	if (rc < 0) {
		err_print(&e, stderr);
		import_close(im);
		return 1;
	}
	import_stats(im, &st);
	mem = import_memory(im);
	import_close(im);
	printf("bench_import: google2011 %lld rows in, %lld rows out in %.3f s: %.0f rows/s "
	       "(importer memory at the end %zu KiB)\n", (long long)st.rows_in,
	       (long long)st.rows_out, dt, (double)st.rows_in / dt, mem / 1024);
	return 0;
}
