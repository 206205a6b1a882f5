/* tests/bench/bench_trace.c — speed of trace input: writes a plain trace
 * (the columns `ecsim gen` writes: time_s,event,target,taskdef,count,
 * duration_s,group; run_task rows with millisecond times and durations) of
 * BENCH_TRACE_ROWS rows (default 2,000,000) to a temporary file, then reads
 * it back twice each way:
 *
 *   raw   csvin_next() only (sim/csvin.c: CSV, line numbers, UTF-8 checks)
 *   full  trace_next() (csvin plus models/trace.c's row parsing and checks)
 *   libcsv  csv_parse() alone over 64 KiB reads with callbacks that only
 *         count: the floor of any reader that hands every byte to libcsv
 *         (why csvin splits unquoted lines itself; see sim/csvin.c)
 *
 * and prints rows/s and µs/row in CPU time (the machine may be shared) and
 * wall time.  The file is read once before timing so the page cache is warm.
 * Printed, never asserted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <csv.h>

#include "models/trace.h"
#include "sim/csvin.h"

static double clk(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *const tds[] = { "web", "api", "worker", "batch-job" };

static int write_trace(const char *path, long rows)
{
	FILE *f = fopen(path, "w");
	unsigned long x = 88172645463325252UL;  /* xorshift: same file every run */
	long ms = 0;

	if (!f)
		return -1;
	fputs("time_s,event,target,taskdef,count,duration_s,group\n", f);
	for (long i = 0; i < rows; i++) {
		long dur;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		ms += (long)(x % 40);
		dur = 1000 + (long)((x >> 8) % 3600000);
		fprintf(f, "%ld.%03ld,run_task,,%s,%d,%ld.%03ld,\n", ms / 1000, ms % 1000,
			tds[(x >> 40) & 3], 1 + (int)((x >> 50) % 3), dur / 1000, dur % 1000);
	}
	return fclose(f);
}

static void count_field(void *s, size_t len, void *data)
{
	(void)s;
	*(unsigned long *)data += len;
}

static void count_row(int c, void *data)
{
	(void)c;
	((unsigned long *)data)[1]++;
}

/* The file through csv_parse() alone; rows (records less the header). */
static long libcsv_once(const char *path, unsigned long *check)
{
	static char buf[65536];
	unsigned long cnt[2] = { 0, 0 };
	struct csv_parser p;
	FILE *f = fopen(path, "rb");
	size_t m;

	if (!f || csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return -1;
	while ((m = fread(buf, 1, sizeof buf, f)) > 0)
		if (csv_parse(&p, buf, m, count_field, count_row, cnt) != m)
			break;
	csv_fini(&p, count_field, count_row, cnt);
	csv_free(&p);
	fclose(f);
	*check += cnt[0];
	return (long)cnt[1] - 1;
}

/* Read the file; mode 2 through csv_parse alone, 1 through trace_next, 0
 * through csvin_next.  Rows read, or -1 on error. */
static long read_once(const char *path, int full, unsigned long *check)
{
	struct err e;
	long n = 0;
	int rc;

	if (full == 2)
		return libcsv_once(path, check);
	err_clear(&e);
	if (full) {
		struct trace *t = trace_open(path, ~0u, &e);
		struct trace_row r;

		if (!t)
			goto fail;
		while ((rc = trace_next(t, &r, &e)) == 1) {
			*check += (unsigned long)r.t + (unsigned long)r.duration + (unsigned long)r.count;
			n++;
		}
		trace_close(t);
	} else {
		struct csvin *in = csvin_open(path, &e);

		if (!in)
			goto fail;
		while ((rc = csvin_next(in, &e)) == 1) {
			*check += (unsigned char)csvin_field(in, 0)[0];
			n++;
		}
		csvin_close(in);
	}
	if (rc < 0)
		goto fail;
	return n;
fail:
	err_print(&e, stderr);
	return -1;
}

int main(void)
{
	const char *env = getenv("BENCH_TRACE_ROWS");
	long rows = env ? atol(env) : 2000000;
	char path[] = "/tmp/bench_trace_XXXXXX";
	unsigned long check = 0;
	double load[1] = { -1 };
	int fd = mkstemp(path), status = 0;

	if (rows < 1)
		rows = 1;
	if (fd < 0 || (close(fd), write_trace(path, rows)) != 0) {
		perror("bench_trace: temporary trace");
		return 1;
	}
	if (getloadavg(load, 1) < 1)
		load[0] = -1;
	printf("bench_trace: plain trace of %ld rows (load average %.2f)\n", rows, load[0]);
	if (read_once(path, 0, &check) != rows) {      /* warm the page cache */
		status = 1;
		goto out;
	}
	for (int k = 0; k < 6; k++) {
		int full = k / 2;
		static const char *const what[] = { "raw  (csvin only)", "full (csvin + trace rows)",
						     "libcsv alone (no-op callbacks)" };
		double c0 = clk(CLOCK_PROCESS_CPUTIME_ID), w0 = clk(CLOCK_MONOTONIC);
		long n = read_once(path, full, &check);
		double cpu = clk(CLOCK_PROCESS_CPUTIME_ID) - c0, wall = clk(CLOCK_MONOTONIC) - w0;

		if (n != rows) {
			status = 1;
			break;
		}
		printf("  %s run %d: %.3f µs/row CPU (%.2f M rows/s), %.3f µs/row wall\n",
		       what[full], k % 2 + 1,
		       cpu * 1e6 / (double)n, (double)n / cpu * 1e-6, wall * 1e6 / (double)n);
	}
	if (check == 42)
		printf("  (checksum)\n");       /* keeps the reads from being optimized out */
out:
	unlink(path);
	return status;
}
