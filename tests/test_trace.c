/* tests/test_trace.c — the workload trace reader (models/trace.c).
 *
 * Good traces under tests/data/traces/good/ are read field by field; every
 * error path is a bad trace under tests/data/traces/bad/NAME.csv whose exact
 * formatted error ("FILE:LINE:COL: COLUMN: message") is in NAME.err.  The
 * streaming check reads a generated trace of 10^6 rows (2*10^5 under
 * AddressSanitizer) and asserts the reader's memory does not grow.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/trace.h"
#include "helpers/badfiles.h"
#include "helpers/tutil.h"

#define GOOD "tests/data/traces/good/"
#define BAD "tests/data/traces/bad"
#define NOW_SUPPORTED ((1u << TR_RUN_TASK) | (1u << TR_STOP_TASK) | (1u << TR_REGISTER_INSTANCE))
#define ALL_SUPPORTED ((1u << TR_N_EVENTS) - 1)

#if defined(__SANITIZE_ADDRESS__)
#define BIG_ROWS 200000L
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BIG_ROWS 200000L
#endif
#endif
#ifndef BIG_ROWS
#define BIG_ROWS 1000000L
#endif

struct want {
	sim_time_t t;
	enum trace_event ev;
	const char *target, *taskdef, *group;
	int64_t count;
	sim_time_t duration;
	long line;
};

static void check_rows(const char *path, unsigned supported, const struct want *w, int n)
{
	struct err e;
	struct trace *t;
	struct trace_row row;
	int i = 0, r;

	err_clear(&e);
	t = trace_open(path, supported, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	while ((r = trace_next(t, &row, &e)) == 1) {
		CU_ASSERT_FATAL(i < n);
		T_EQ(row.t, w[i].t);
		T_EQ(row.ev, w[i].ev);
		T_STREQ(row.target, w[i].target);
		T_STREQ(row.taskdef, w[i].taskdef);
		T_STREQ(row.group, w[i].group);
		T_EQ(row.count, w[i].count);
		T_EQ(row.duration, w[i].duration);
		T_EQ(row.line, w[i].line);
		i++;
	}
	if (r < 0) {
		char buf[2200];

		err_format(&e, buf, sizeof buf);
		t_msg_eq(buf, "(no error)");
	}
	T_EQ(r, 0);
	T_EQ(i, n);
	T_STREQ(trace_path(t), path);
	trace_close(t);
}

static void test_all_events(void)
{
	static const struct want w[] = {
		{ 0, TR_REGISTER_INSTANCE, "m5.large", "", "us-east-1a", 3, -1, 2 },
		{ 500, TR_RUN_TASK, "", "web:1", "batch", 2, 30250, 3 },
		{ 1000, TR_RUN_TASK, "t-42", "web:1", "", 1, -1, 4 },
		{ 2001, TR_STOP_TASK, "t-42", "", "", 1, -1, 5 },
		{ 3000, TR_INSTANCE_FAIL, "i-1", "", "", 1, 45000, 6 },
		{ 3000, TR_INSTANCE_FAIL, "i-2", "", "", 1, -1, 7 },
		{ 4000, TR_AZ_OUTAGE, "us-east-1b", "", "", 1, 600000, 8 },
		{ 5000, TR_AGENT_DISCONNECT, "i-3", "", "", 1, 12500, 9 },
		{ 6000, TR_SPOT_INTERRUPTION, "i-4", "", "", 1, -1, 10 },
		{ 7000, TR_SET_DESIRED, "api", "", "", 0, -1, 11 },
		{ 8000, TR_DEPLOY, "api", "api:7", "", 1, -1, 12 },
	};

	check_rows(GOOD "all_events.csv", ALL_SUPPORTED, w, (int)(sizeof w / sizeof w[0]));
}

/* run_task with explicit cpu/memory instead of a task definition. */
static void test_explicit_needs(void)
{
	static const struct want w[] = {
		{ 0, TR_RUN_TASK, "g1-0", "", "job:1", 1, -1, 2 },
		{ 1500, TR_RUN_TASK, "", "", "", 3, 60000, 3 },
		{ 2000, TR_RUN_TASK, "", "web", "", 1, -1, 4 },
		{ 3000, TR_STOP_TASK, "g1-0", "", "", 1, -1, 5 },
	};
	static const int64_t cpu[] = { 1638, 1, 0, 0 }, mem[] = { 6554, 1, 0, 0 };
	struct err e;
	struct trace *t;
	struct trace_row row;
	int i = 0;

	check_rows(GOOD "explicit.csv", NOW_SUPPORTED, w, 4);
	err_clear(&e);
	t = trace_open(GOOD "explicit.csv", NOW_SUPPORTED, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	while (trace_next(t, &row, &e) == 1 && i < 4) {
		T_EQ(row.cpu_units, cpu[i]);
		T_EQ(row.mem_mib, mem[i]);
		i++;
	}
	T_EQ(i, 4);
	trace_close(t);
}

static void test_shuffled_columns(void)
{
	static const struct want w[] = {
		{ 10000, TR_RUN_TASK, "", "worker:3", "spot", 4, -1, 2 },
		{ 11001, TR_REGISTER_INSTANCE, "c5.xlarge", "", "us-west-2c", 2, -1, 3 },
		{ 12000, TR_STOP_TASK, "t-9", "", "", 1, -1, 4 },
	};

	check_rows(GOOD "shuffled.csv", NOW_SUPPORTED, w, 3);
}

static void test_minimal_defaults(void)
{
	/* Only time_s, event, taskdef; a blank line; rounding; the maximum time. */
	static const struct want w[] = {
		{ 0, TR_RUN_TASK, "", "web", "", 1, -1, 2 },
		{ 0, TR_RUN_TASK, "", "web", "", 1, -1, 4 },
		{ 1000000000000000LL, TR_RUN_TASK, "", "web", "", 1, -1, 5 },
	};

	check_rows(GOOD "minimal.csv", NOW_SUPPORTED, w, 3);
}

static void test_crlf_bom_quotes(void)
{
	static const struct want w[] = {
		{ 0, TR_RUN_TASK, "", "web,\"v2\"", "", 1, -1, 2 },
		{ 1500, TR_STOP_TASK, "t-1", "", "", 1, -1, 3 },
		{ 2000, TR_RUN_TASK, "", "web", "", 1, -1, 4 },
	};

	check_rows(GOOD "crlf_bom.csv", NOW_SUPPORTED, w, 3);
}

static void test_event_names(void)
{
	T_STREQ(trace_event_name(TR_RUN_TASK), "run_task");
	T_STREQ(trace_event_name(TR_DEPLOY), "deploy");
	T_STREQ(trace_event_name(TR_SPOT_INTERRUPTION), "spot_interruption");
	T_STREQ(trace_event_name(TR_N_EVENTS), "?");
}

static void test_parse_seconds(void)
{
	static const struct { const char *s; int rc; sim_time_t ms; } cases[] = {
		{ "0", 0, 0 }, { "12", 0, 12000 }, { "12.5", 0, 12500 }, { "0.001", 0, 1 },
		{ "0.0005", 0, 1 }, { "0.0004", 0, 0 }, { "0.00049999", 0, 0 },
		{ "1.9995", 0, 2000 }, { "1.9994999", 0, 1999 }, { "007.250", 0, 7250 },
		{ "  3.5 ", 0, 3500 }, { "1000000000000", 0, 1000000000000000LL },
		{ "1000000000000.0004", 0, 1000000000000000LL },
		{ "1000000000000.0005", -1, 0 }, { "1000000000001", -1, 0 },
		{ "99999999999999999999999", -1, 0 },
		{ "0000000000000000000000012.5", 0, 12500 },
		{ "00000000000000000001000000000000", 0, 1000000000000000LL },
		{ "00000000000000000001000000000001", -1, 0 },
		{ "", -1, 0 }, { " ", -1, 0 }, { "1e3", -1, 0 }, { "-1", -1, 0 }, { "-0", -1, 0 },
		{ "+1", -1, 0 }, { "abc", -1, 0 }, { "1.2.3", -1, 0 }, { ".5", -1, 0 },
		{ "5.", -1, 0 }, { ".", -1, 0 }, { "1 2", -1, 0 }, { "0x10", -1, 0 },
		{ "1,5", -1, 0 }, { "\t1", -1, 0 }, { "inf", -1, 0 }, { "nan", -1, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sim_time_t ms = -77;
		int rc = trace_parse_seconds(cases[i].s, &ms);

		if (rc != cases[i].rc)
			fprintf(stderr, "trace_parse_seconds(\"%s\") = %d\n", cases[i].s, rc);
		T_EQ(rc, cases[i].rc);
		T_EQ(ms, cases[i].rc == 0 ? cases[i].ms : -77);
	}
}

/* The rule of trace times written the slow, obvious way (digit by digit,
 * saturating): decimal seconds >= 0 and <= 10^12, ASCII spaces around,
 * milliseconds rounded half up on the fourth decimal.  0 or -1. */
static int seconds_oracle(const char *s, sim_time_t *ms)
{
	int64_t whole = 0, frac = 0;
	int nd = 0, fd = 0;

	while (*s == ' ')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, nd++)
		whole = whole * 10 + (*s - '0') > 1000000000001LL ? 1000000000001LL
								   : whole * 10 + (*s - '0');
	if (nd == 0)
		return -1;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, fd++) {
			if (fd < 3)
				frac = frac * 10 + (*s - '0');
			else if (fd == 3 && *s >= '5')
				frac++;
		}
		if (fd == 0)
			return -1;
		for (; fd < 3; fd++)
			frac *= 10;
	}
	while (*s == ' ')
		s++;
	if (*s || whole * 1000 + frac > 1000000000000000LL)
		return -1;
	*ms = whole * 1000 + frac;
	return 0;
}

/* trace_parse_seconds agrees with the oracle on many strings of digits,
 * dots, spaces and signs, long ones (leading zeros past 18 digits) included. */
static void test_parse_seconds_random(void)
{
	static const char alpha[] = "0123456789000000999.  -+e";
	unsigned long x = 0x9E3779B97F4A7C15UL;
	char buf[40];
	int agreed = 0;

	for (int n = 0; n < 200000; n++) {
		int len;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		len = (int)(x % 28);
		for (int k = 0; k < len; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* mostly digits, a dot now and then, rarely anything else */
			buf[k] = alpha[(x >> 5) % 100 < 85 ? (x >> 20) % 10
				       : (x >> 5) % 100 < 95 ? 19 : (x >> 20) % 25];
		}
		buf[len] = '\0';
		{
			sim_time_t a = -7, b = -7;
			int ra = trace_parse_seconds(buf, &a), rb = seconds_oracle(buf, &b);

			if (ra != rb || a != b)
				fprintf(stderr, "trace_parse_seconds(\"%s\") = %d, %lld; expected %d, %lld\n",
					buf, ra, (long long)a, rb, (long long)b);
			agreed += ra == rb && a == b;
		}
	}
	T_EQ(agreed, 200000);
}

/* The forms trace_parse_seconds decides first (digits, or digits and a
 * three-digit fraction) agree with the oracle: 1 to 18 digits, leading
 * zeros, values around the 10^12 s bound, other fraction lengths and a
 * trailing space next to them (fails when the fast form takes 16 digits
 * or misses the bound). */
static void test_parse_seconds_usual(void)
{
	unsigned long x = 0x2545F4914F6CDD1DUL;
	char buf[40];
	int agreed = 0, n;

	for (n = 0; n < 200000; n++) {
		int nd, len = 0, fd;
		sim_time_t a = -7, b = -7;
		int ra, rb;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		nd = 1 + (int)(x % 18);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		if (x % 4 == 0 && nd >= 13) {
			/* around 10^12: 999999999999 / 1000000000000 / 1000000000001,
			 * after leading zeros */
			static const char *const near[] = { "999999999999", "1000000000000",
							     "1000000000001", "1000000000000" };
			const char *v = near[(x >> 8) % 4];
			int z = nd - (int)strlen(v);

			for (int k = 0; k < z; k++)
				buf[len++] = '0';
			len += sprintf(buf + len, "%s", v);
		} else {
			for (int k = 0; k < nd; k++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				buf[len++] = (char)('0' + (x >> 7) % 10);
			}
		}
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		fd = (x >> 3) % 8 < 5 ? 3 : (int)((x >> 9) % 6) - 1;   /* -1: no dot */
		if (fd >= 0) {
			buf[len++] = '.';
			for (int k = 0; k < fd; k++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				buf[len++] = (char)('0' + (x >> 11) % 10);
			}
		}
		if ((x >> 20) % 16 == 0)
			buf[len++] = ' ';
		buf[len] = '\0';
		ra = trace_parse_seconds(buf, &a);
		rb = seconds_oracle(buf, &b);
		if (ra != rb || a != b)
			fprintf(stderr, "trace_parse_seconds(\"%s\") = %d, %lld; expected %d, %lld\n",
				buf, ra, (long long)a, rb, (long long)b);
		agreed += ra == rb && a == b;
	}
	T_EQ(agreed, n);
}

static int read_bad_trace(const char *path, struct err *e)
{
	struct trace *t = trace_open(path, NOW_SUPPORTED, e);
	struct trace_row row;
	int r = -1;

	if (t) {
		while ((r = trace_next(t, &row, e)) == 1)
			;
		trace_close(t);
	}
	return r < 0;
}

/* Every bad trace fails with exactly the message in its .err sidecar. */
static void test_bad_traces(void)
{
	CU_ASSERT(t_bad_files(BAD, read_bad_trace) >= 40);
}

static void test_missing_file(void)
{
	struct err e;
	char buf[2200];

	err_clear(&e);
	CU_ASSERT_PTR_NULL(trace_open(BAD "/no-such-file.csv", NOW_SUPPORTED, &e));
	err_format(&e, buf, sizeof buf);
	t_msg_eq(buf, BAD "/no-such-file.csv: cannot open: No such file or directory");
	trace_close(NULL);
}

/* A long trace is streamed: the reader's memory after the first rows never
 * grows, whatever the number of rows. */
static void test_streaming(void)
{
	char dir[] = "/tmp/ecsim-trace-XXXXXX", path[64];
	struct err e;
	struct trace *t;
	struct trace_row row;
	FILE *f;
	size_t mem0 = 0, mem = 0;
	long n = 0;
	int r;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/big.csv", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("time_s,event,target,taskdef,count,duration_s,group\n", f);
	for (long i = 0; i < BIG_ROWS; i++) {
		if (i % 3 == 2)
			fprintf(f, "%ld.%03ld,stop_task,t-%ld,,,,\n", i / 10, (i % 10) * 100, i - 2);
		else
			fprintf(f, "%ld.%03ld,run_task,,web:%ld,%ld,%ld.5,g%ld\n", i / 10,
				(i % 10) * 100, i % 7, 1 + i % 5, i % 100, i % 4);
	}
	CU_ASSERT_FATAL(fclose(f) == 0);

	err_clear(&e);
	t = trace_open(path, NOW_SUPPORTED, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	while ((r = trace_next(t, &row, &e)) == 1) {
		n++;
		if (n == 1000)
			mem0 = trace_memory(t);
		else if (n > 1000 && trace_memory(t) > mem)
			mem = trace_memory(t);
	}
	T_EQ(r, 0);
	T_EQ(n, BIG_ROWS);
	T_EQ(row.line, BIG_ROWS + 1);
	CU_ASSERT(mem0 > 0);
	CU_ASSERT(mem <= mem0);
	CU_ASSERT(mem0 < 64 * 1024);
	trace_close(t);
	remove(path);
	rmdir(dir);
}

CU_TestInfo trace_tests[] = {
	{ "every event kind", test_all_events },
	{ "columns in any order", test_shuffled_columns },
	{ "run_task with explicit cpu and memory", test_explicit_needs },
	{ "minimal columns and defaults", test_minimal_defaults },
	{ "CRLF, BOM and quoted fields", test_crlf_bom_quotes },
	{ "event names", test_event_names },
	{ "trace_parse_seconds", test_parse_seconds },
	{ "trace_parse_seconds agrees with the slow rule", test_parse_seconds_random },
	{ "trace_parse_seconds: the usual forms agree with the slow rule", test_parse_seconds_usual },
	{ "bad traces and their exact errors", test_bad_traces },
	{ "missing file", test_missing_file },
	{ "streaming a long trace", test_streaming },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "trace", NULL, NULL, NULL, NULL, trace_tests },
	CU_SUITE_INFO_NULL,
};
