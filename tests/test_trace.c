/* tests/test_trace.c — the workload trace reader (models/trace.c).
 *
 * Good traces under tests/data/traces/good/ are read field by field; every
 * error path is a bad trace under tests/data/traces/bad/NAME.csv whose exact
 * formatted error ("FILE:LINE:COL: COLUMN: message") is in NAME.err.  The
 * streaming check reads a generated trace of 10^6 rows (2*10^5 under
 * AddressSanitizer) and asserts the reader's memory does not grow.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/run.h"
#include "models/scenario.h"
#include "models/trace.h"
#include "sim/csvin.h"
#include "helpers/badfiles.h"
#include "helpers/runscn.h"
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
		{ 9000, TR_HEALTH_CHECK_FAIL, "api", "", "app", 2, 40000, 13 },
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

/* §4.7 "Group name <=255 characters" (characters, not bytes): a run_task
 * group of 255 two-byte characters (510 bytes) is read; 256 ASCII ones are
 * refused (tests/data/traces/bad/run_task_group_256.csv pins the message). */
static void test_group_length(void)
{
	char path[] = "/tmp/ecsim-trace-grpXXXXXX", text[1200];
	int fd = mkstemp(path), n;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	struct trace *t;
	struct trace_row row;
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = snprintf(text, sizeof text, "time_s,event,target,taskdef,count,duration_s,group\n0,run_task,,web,1,,");
	for (int i = 0; i < 255; i++)
		n += snprintf(text + n, sizeof text - (size_t)n, "\xc3\xa9");
	snprintf(text + n, sizeof text - (size_t)n, "\n");
	fputs(text, f);
	fclose(f);
	t = trace_open(path, NOW_SUPPORTED, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	T_EQ(trace_next(t, &row, &e), 1);
	T_EQ(strlen(row.group), 510);
	trace_close(t);
	remove(path);
	err_clear(&e);
	CU_ASSERT(read_bad_trace(BAD "run_task_group_256.csv", &e));
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
 * grows, whatever the number of rows.  "The first rows": the first quarter
 * of the 200,000 (some 20 of the reader's 256-KiB chunks, CSVIN_CHUNK):
 * a record that straddles two chunks goes through libcsv, whose buffer
 * grows to the longest such record, so the first few boundaries still
 * grow it by a few bytes.  Its bound: the chunk and 48 KiB. */
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
		if (n == BIG_ROWS / 4)
			mem0 = trace_memory(t);
		else if (n > BIG_ROWS / 4 && trace_memory(t) > mem)
			mem = trace_memory(t);
	}
	T_EQ(r, 0);
	T_EQ(n, BIG_ROWS);
	T_EQ(row.line, BIG_ROWS + 1);
	CU_ASSERT(mem0 > 0);
	CU_ASSERT(mem <= mem0);
	CU_ASSERT(mem0 < CSVIN_CHUNK + 48 * 1024);
	trace_close(t);
	remove(path);
	rmdir(dir);
}

/* ---- Rows by their shape against the usual reading ------------------- */

static unsigned long xs(unsigned long *x)
{
	*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
	return *x;
}

static const char *pick(unsigned long *x, const char *const *v, size_t n)
{
	return v[xs(x) % n];
}

#define PICK(x, v) pick(x, v, sizeof v / sizeof v[0])

static const char *const all_cols[] = {
	"target", "taskdef", "count", "duration_s", "group", "cpu", "memory",
	"capacity_provider_strategy", "launch_type",
};

/* A value for column c of a row of event ev: mostly one that passes, now
 * and then one that does not (the errors must be the same either way). */
static const char *value_for(unsigned long *x, const char *c, const char *ev)
{
	static const char *const tds[] = { "web", "api:3", "worker-x", "web", "api:3",
					    "a-task-definition-name-past-32-bytes" };
	static const char *const groups[] = { "", "batch", "prod", "us-east-1a" };
	static const char *const counts[] = { "", "1", "3", "11", "0", "x" };
	static const char *const targets[] = { "t-1", "i-2", "m5.large", "us-east-1b" };
	int run = strcmp(ev, "run_task") == 0, bad = xs(x) % 40 == 0;

	if (!strcmp(c, "taskdef"))
		return run || !strcmp(ev, "deploy") || bad ? PICK(x, tds) : "";
	if (!strcmp(c, "group"))
		return run || !strcmp(ev, "register_instance") || bad ? PICK(x, groups) : "";
	if (!strcmp(c, "count"))
		return run || !strcmp(ev, "register_instance") || !strcmp(ev, "set_desired") || bad
			       ? counts[xs(x) % (bad ? 6 : 3)] : "";
	if (!strcmp(c, "target"))
		return run ? (xs(x) % 8 && !bad ? "" : "t-9") : PICK(x, targets);
	if (!strcmp(c, "cpu") || !strcmp(c, "memory"))
		return bad ? "256" : "";
	if (!strcmp(c, "capacity_provider_strategy"))
		return run && xs(x) % 6 == 0 ? "FARGATE:1:1;FARGATE_SPOT:0:3" : bad ? "X:1" : "";
	if (!strcmp(c, "launch_type"))
		return run && xs(x) % 6 == 0 ? "EC2" : bad ? "EC3" : "";
	return "";
}

/* A time or duration of ms milliseconds: mostly written out with three
 * decimals, now and then in another form (read the usual way, a few of
 * them refused). */
static void put_seconds(FILE *f, unsigned long *x, long long ms)
{
	static const char *const bad[] = { "", "-1", "abc", "1e3", "5.", ".5", "1234567890123456" };
	unsigned long r = xs(x) % 60;

	switch (r) {
	case 0:
		fputs(PICK(x, bad), f);
		break;
	case 1:
		fprintf(f, "%lld", ms / 1000);
		break;
	case 2:
		fprintf(f, "%lld.%lld", ms / 1000, ms % 1000 / 100);
		break;
	case 3:
		fprintf(f, "%lld.%03lld7", ms / 1000, ms % 1000);
		break;
	case 4:
		fprintf(f, " %lld.%03lld", ms / 1000, ms % 1000);
		break;
	case 5:
		fprintf(f, "%09lld.%03lld", ms / 1000, ms % 1000);   /* 9 digits */
		break;
	case 6:
		fprintf(f, "%08lld.%03lld", ms / 1000, ms % 1000);   /* 8 digits */
		break;
	case 7:
		fprintf(f, "\"%lld.%03lld\"", ms / 1000, ms % 1000);
		break;
	default:
		fprintf(f, "%lld.%03lld", ms / 1000, ms % 1000);
	}
}

/* A field's text as written: mostly plain, now and then quoted, spaced,
 * non-ASCII or broken. */
static void put_field(FILE *f, unsigned long *x, const char *v)
{
	static const char *const odd[] = { " web", "we b", "\"web\"", "\"we,b\"", "\"a \"\"q\"\"\"",
					   "w\xc3\xa9\x62" /* wéb */, "run_task", "stop_task", "\t1", "FARGATE",
					   "0123456789012345678901234567890123456789" };
	unsigned long r = xs(x) % 200;

	if (r == 0)
		fputs(xs(x) % 400 ? PICK(x, odd) : "w\xff", f);    /* invalid UTF-8: the end */
	else if (r == 1 && *v)
		fprintf(f, "\"%s\"", v);
	else
		fputs(v, f);
}

/* A random trace: random columns in a random order, rows of a few shapes
 * with their numbers changing, and now and then a row of another kind. */
static void write_random_trace(const char *path, unsigned long seed, int rows)
{
	static const char *const evs[] = { "run_task", "run_task", "run_task", "run_task",
					    "stop_task", "register_instance", "set_desired",
					    "instance_fail", "az_outage", "deploy" };
	unsigned long x = seed;
	const char *cols[12];
	const char *pool[6][12];
	int nc = 0, ntime = 0, ndur = -1;
	long long ms = 0;
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	cols[nc++] = "time_s";
	cols[nc++] = "event";
	for (size_t i = 0; i < sizeof all_cols / sizeof all_cols[0]; i++)
		if (xs(&x) % 10 < (i < 5 ? 9u : 5u))
			cols[nc++] = all_cols[i];
	for (int i = nc - 1; i > 0; i--) {
		int j = (int)(xs(&x) % (unsigned long)(i + 1));
		const char *c = cols[i];

		cols[i] = cols[j];
		cols[j] = c;
	}
	for (int i = 0; i < nc; i++) {
		fprintf(f, "%s%s", i ? "," : "", cols[i]);
		if (!strcmp(cols[i], "time_s"))
			ntime = i;
		if (!strcmp(cols[i], "duration_s"))
			ndur = i;
	}
	fputs("\n", f);
	for (int s = 0; s < 6; s++) {
		const char *ev = xs(&x) % 40 ? PICK(&x, evs) : "no_such_event";

		for (int i = 0; i < nc; i++)
			pool[s][i] = !strcmp(cols[i], "event") ? ev : value_for(&x, cols[i], ev);
	}
	for (int r = 0; r < rows; r++) {
		unsigned long k = xs(&x) % 1000;
		const char *const *v = pool[xs(&x) % 6];
		const char *ev = v[0];

		for (int i = 0; i < nc; i++)
			if (!strcmp(cols[i], "event"))
				ev = v[i];
		if (k < 5) {                    /* a blank line */
			fputs(k < 3 ? "\n" : "  \n", f);
			continue;
		}
		ms += (long long)(xs(&x) % 3000);
		ms -= xs(&x) % 200 == 0 ? 5000 : 0;          /* (after: sequenced) */
		if (ms < 0)
			ms = 0;
		for (int i = 0; i < nc; i++) {
			if (i)
				fputs(",", f);
			if (i == ntime)
				put_seconds(f, &x, ms);
			else if (i == ndur && (strstr("run_task instance_fail az_outage", ev) ||
					       xs(&x) % 100 == 0))
				put_seconds(f, &x, (long long)(xs(&x) % 10000000));
			else
				put_field(f, &x, v[i]);
		}
		if (k == 999 && xs(&x) % 8 == 0)
			fputs(",", f);          /* a field too many: the file is malformed */
		fputs(k < 20 ? "\r\n" : "\n", f);
	}
	CU_ASSERT_FATAL(fclose(f) == 0);
}

/* The index of key among those seen (added when new; at most 256). */
static int index_of(const char *key, char (*seen)[300], int *n)
{
	int i;

	for (i = 0; i < *n && strcmp(seen[i], key) != 0; i++)
		;
	if (i == *n && *n < 256)
		snprintf(seen[(*n)++], sizeof seen[0], "%s", key);
	return i;
}

/* What a consumer keeps in a row's memo, the way run_task does: the task
 * definition (the index of the row's taskdef, or its cpu and memory,
 * among those seen) and its call (here 1 + the index of the row's text but
 * time_s and duration_s: what run_task's prepared call depends on), each
 * checked against the row's text when found there: *wrong counts the rows
 * whose memo held another row's answer. */
static void memo_of(const struct trace_row *row, char (*seen)[300], int *n, int *wrong)
{
	char key[300];
	int i;

	snprintf(key, sizeof key, "%s/%lld/%lld", row->taskdef, (long long)row->cpu_units,
		 (long long)row->mem_mib);
	i = index_of(key, seen, n);
	if (row->memo && row->memo->td >= 0)
		*wrong += row->memo->td != i;
	else if (row->memo)
		row->memo->td = i;
	snprintf(key, sizeof key, "%d [%s] [%s] [%s] [%s] [%s] %lld %lld %lld", (int)row->ev,
		 row->target, row->taskdef, row->group, row->cps ? row->cps : "(null)",
		 row->launch_type ? row->launch_type : "(null)", (long long)row->count,
		 (long long)row->cpu_units, (long long)row->mem_mib);
	i = index_of(key, seen, n);
	if (row->memo && row->memo->call)
		*wrong += row->memo->call != (uint64_t)i + 1;
	else if (row->memo)
		row->memo->call = (uint64_t)i + 1;
}

/* Every result of reading path (rows, errors, whether reading goes on) as
 * text; *shaped = rows read by their shape. */
static char *read_log(const char *path, unsigned supported, int fast, int *nrows, int *shaped,
		      int *wrong_memo)
{
	char seen[256][300];
	int nseen = 0;
	char *log = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&log, &len);
	struct err e;
	struct trace *t;
	struct trace_row row;
	int r;

	err_clear(&e);
	t = trace_open(path, supported, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	trace_fast_rows(t, fast);
	*nrows = *shaped = 0;
	for (;;) {
		r = trace_next(t, &row, &e);
		if (r == 0)
			break;
		if (r < 0) {
			char buf[2200];

			err_format(&e, buf, sizeof buf);
			fprintf(f, "error %s (resume %d)\n", buf, trace_can_resume(t));
			err_clear(&e);
			if (!trace_can_resume(t))
				break;
			continue;
		}
		fprintf(f, "%ld %lld %d [%s] [%s] [%s] [%s] [%s] %lld %lld %lld %lld %d %d\n",
			row.line, (long long)row.t, (int)row.ev, row.target, row.taskdef, row.group,
			row.cps ? row.cps : "(null)", row.launch_type ? row.launch_type : "(null)",
			(long long)row.count, (long long)row.duration, (long long)row.cpu_units,
			(long long)row.mem_mib, row.cps_col, row.lt_col);
		++*nrows;
		*shaped += row.memo != NULL;
		memo_of(&row, seen, &nseen, wrong_memo);
	}
	trace_close(t);
	fclose(f);
	return log;
}

/* The same rows and the same errors with rows read by their shape as with
 * every row read the usual way, and a memo that only ever holds the
 * answers for its own row's text, on random traces (columns in any order,
 * rows of a few shapes, numbers in many forms, now and then a quoted,
 * spaced, non-ASCII, misplaced or malformed field, CRLF and blank lines,
 * rows out of time order; lines across csvin's 16 KiB chunks).  Fails when
 * the shape's path skips a check that depends on a row's numbers (e.g. the
 * time order) or takes a line csvin would read otherwise. */
static void test_fast_rows_agree(void)
{
	char dir[] = "/tmp/ecsim-trace-XXXXXX", path[64];
	int files = 0, same = 0, rows = 0, shaped = 0, wrong_memo = 0;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/random.csv", dir);
	for (unsigned long seed = 1; seed <= 60; seed++) {
		unsigned sup = seed % 3 ? ALL_SUPPORTED : NOW_SUPPORTED;
		int n0, s0, n1, s1;
		char *slow, *fast;

		write_random_trace(path, seed * 0x9E3779B97F4A7C15UL, 3000);
		slow = read_log(path, sup, 0, &n0, &s0, &wrong_memo);
		fast = read_log(path, sup, 1, &n1, &s1, &wrong_memo);
		files++;
		if (strcmp(slow, fast) == 0) {
			same++;
		} else {
			/* the first line that differs */
			size_t i = 0, a;

			while (slow[i] == fast[i])
				i++;
			for (a = i; a > 0 && slow[a - 1] != '\n'; a--)
				;
			fprintf(stderr, "seed %lu:\n  usual: %.200s\n  shape: %.200s\n", seed,
				slow + a, fast + a);
		}
		T_EQ(s0, 0);
		rows += n1;
		shaped += s1;
		free(slow);
		free(fast);
	}
	T_EQ(same, files);
	/* a row's memo is its shape's: never another text's answer */
	T_EQ(wrong_memo, 0);
	/* the shapes were taken: most rows that passed (73,437 rows, 39,455
	 * by their shape); none without SSE2, where every row is read the
	 * usual way (tests/scalar.sh) */
	CU_ASSERT(rows > 50000);
#ifdef __SSE2__
	CU_ASSERT(shaped > rows / 2);
#else
	T_EQ(shaped, 0);
#endif
	remove(path);
	rmdir(dir);
}

/* ---- a run's rows by their shape ------------------------------------------
 *
 * run_task (models/trace_events.c) prepares the call of a row of a kept
 * shape that starts one task with no id, strategy or launch type of its
 * own (backplane_run_prepare) and makes it for the shape's later rows
 * without resolving its task definition, group and provider again
 * (backplane_run_prepared).  The same trace with a quote in every line
 * (csvin unquotes it: the same rows) is read the usual way, each row's
 * call made in full: every output must be the same, and so must the
 * error of a row past $.limits.maxQueuedTasks. */

/* The CSVs of out-<a> (but perf.csv) that differ from out-<b>'s or are not
 * there; *files = those compared. */
static int csv_diffs(const char *a, const char *b, int *files)
{
	char da[400], pa[700], pb[700];
	DIR *d;
	struct dirent *de;
	int diffs = 0;

	*files = 0;
	snprintf(da, sizeof da, "%s/out-%s", rs_dir(), a);
	d = opendir(da);
	if (!d)
		return 1;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char *x, *y;

		if (l < 4 || strcmp(de->d_name + l - 4, ".csv") != 0 || strcmp(de->d_name, "perf.csv") == 0)
			continue;
		snprintf(pa, sizeof pa, "%s/%s", da, de->d_name);
		snprintf(pb, sizeof pb, "%s/out-%s/%s", rs_dir(), b, de->d_name);
		x = t_slurp(pa);
		y = t_slurp(pb);
		if (!x || !y || strcmp(x, y) != 0) {
			fprintf(stderr, "%s differs\n", de->d_name);
			diffs++;
		}
		++*files;
		free(x);
		free(y);
	}
	closedir(d);
	return diffs;
}

static uint64_t rnd(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x >> 33;
}

/* A random trace of `rows` rows into rs_dir()/rows.csv, each line with a
 * quoted event name when `quoted`: 2 + 1 instance registrations, then
 * run_task rows of 3 task definitions and 4 groups (one empty: the
 * family's), most of one anonymous task; now and then a named task, a
 * count of 2 or (when `lt`) a launch type.  A row a second in the first
 * half (its shapes kept), then about `burst` rows at a time. */
static void write_run_trace(uint64_t seed, int rows, int burst, int quoted, int lt)
{
	static const char *const tds[] = { "a", "b", "ab" }, *const groups[] = { "g", "g1", "", "batch" };
	const char *ev = quoted ? "\"run_task\"" : "run_task";
	char *csv = malloc((size_t)rows * 80 + 400);
	size_t len = 0;
	uint64_t x = seed;
	long ms = 1000;

	len += (size_t)sprintf(csv + len, "time_s,event,target,taskdef,count,duration_s,group,launch_type\n"
			       "0,%sregister_instance%s,m5.4xlarge,,2,,us-east-1a,\n"
			       "0,%sregister_instance%s,m5.4xlarge,,1,,us-east-1b,\n",
			       quoted ? "\"" : "", quoted ? "\"" : "", quoted ? "\"" : "", quoted ? "\"" : "");
	for (int k = 0; k < rows; k++) {
		unsigned r = (unsigned)rnd(&x) % 40;
		char target[16] = "";

		if (k < rows / 2 || rnd(&x) % (unsigned)burst == 0)
			ms += k < rows / 2 ? 1000 : 1 + (long)(rnd(&x) % 900);
		if (r == 0)
			snprintf(target, sizeof target, "t%d", k);
		/* (draws one by one, the last argument's first: GCC's order,
		 * in which these cases were made) */
		const char *grp = groups[rnd(&x) % 4];
		unsigned long d_ms = (unsigned long)(rnd(&x) % 1000), d_s = (unsigned long)(rnd(&x) % 60);
		const char *td = tds[rnd(&x) % 3];

		len += (size_t)sprintf(csv + len, "%ld.%03ld,%s,%s,%s,%d,%lu.%03lu,%s,%s\n", ms / 1000, ms % 1000,
				       ev, target, td, r == 1 ? 2 : 1, d_s, d_ms, grp, r == 2 && lt ? "EC2" : "");
	}
	rs_write("rows.csv", csv);
	free(csv);
}

static void test_run_prepared(void)
{
	static const char *const head =
		"{\"durationSeconds\":3600,\"metricsIntervalSeconds\":60,\"region\":\"us-east-1\","
		"\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
		"\"taskDefinitions\":{\"a\":\"a.json\",\"b\":\"b.json\",\"ab\":\"ab.json\"},"
		"\"workload\":{\"traces\":[\"rows.csv\"]}";
	/* no providers; two Auto Scaling group providers and a default
	 * strategy (its base on cp-a: a call's one task goes there); a limit
	 * of tasks waiting that a burst of rows passes; no providers again,
	 * with definition ab on Fargate alone (its rows' tasks launch there,
	 * fargate_launch_of: the prepared call keeps it) and no launch type
	 * in the rows */
	static const char *const tails[] = {
		"}",
		",\"capacityProviders\":[{\"name\":\"cp-a\",\"autoScalingGroup\":{\"instanceType\":\"m5.4xlarge\","
		"\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],\"minSize\":0,\"maxSize\":4,"
		"\"desiredCapacity\":1,\"launchTimeSeconds\":100}},"
		"{\"name\":\"cp-b\",\"autoScalingGroup\":{\"instanceType\":\"m5.4xlarge\","
		"\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],\"minSize\":0,\"maxSize\":4,"
		"\"desiredCapacity\":2,\"launchTimeSeconds\":100}}],"
		"\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp-a\",\"base\":1,\"weight\":1},"
		"{\"capacityProvider\":\"cp-b\",\"weight\":3}]}",
		",\"limits\":{\"maxQueuedTasks\":6}}",
		"}",
	};
	char json[2000], m0[2200], m1[2200], tag[32];
	int runs = 0, same = 0, files, failed = 0;

	CU_ASSERT_FATAL(rs_setup() == 0);
	for (int i = 0; i < 3; i++) {
		const char *td = i == 0 ? "a" : i == 1 ? "b" : "ab";
		char name[16];

		snprintf(name, sizeof name, "%s.json", td);
		snprintf(json, sizeof json, "{\"family\":\"fam-%s\",\"containerDefinitions\":"
			 "[{\"name\":\"c\",\"image\":\"x\",\"cpu\":%d,\"memory\":%d}]}",
			 td, 64 << i, 128 << i);
		rs_write(name, json);
	}
	for (int sc = 0; sc < 4; sc++) {
		snprintf(json, sizeof json, "%s%s", head, tails[sc]);
		rs_write("s.json", json);
		if (sc == 3)
			rs_write("ab.json", "{\"family\":\"fam-ab\",\"requiresCompatibilities\":[\"FARGATE\"],"
				 "\"networkMode\":\"awsvpc\",\"cpu\":\"256\",\"memory\":\"512\","
				 "\"containerDefinitions\":[{\"name\":\"c\",\"image\":\"x\"}]}");
		for (uint64_t seed = 1; seed <= 3; seed++) {
			int burst = sc == 2 ? 12 : 2;

			write_run_trace(seed * 7919, 1500, burst, 0, sc != 3);
			snprintf(tag, sizeof tag, "p%d-%d", sc, (int)seed);
			rs_run_msg("s.json", tag, m0, sizeof m0);
			write_run_trace(seed * 7919, 1500, burst, 1, sc != 3);
			snprintf(tag, sizeof tag, "q%d-%d", sc, (int)seed);
			rs_run_msg("s.json", tag, m1, sizeof m1);
			runs++;
			/* the limit's scenario ends in its error, the others run */
			failed += sc == 2 ? !strstr(m0, "rows.csv:") ||
					    !strstr(m0, "tasks would wait for placement, more than the limit of 6")
					  : m0[0] != '\0';
			if (strcmp(m0, m1) != 0) {
				fprintf(stderr, "scenario %d seed %d:\n  shape: %s\n  usual: %s\n", sc,
					(int)seed, m0, m1);
				continue;
			}
			if (!m0[0]) {
				char a[32];

				snprintf(a, sizeof a, "p%d-%d", sc, (int)seed);
				if (csv_diffs(a, tag, &files) != 0 || files < 3)
					continue;
			}
			same++;
		}
	}
	T_EQ(same, runs);
	T_EQ(failed, 0);
	CU_ASSERT(rs_teardown() == 0);
}

/* Rows naming a service find it by name (backplane_find_service, a map):
 * 120 services s0 .. s119, names prefixes of others (s1 of s10 .. s19 and
 * s100 .. s119); 400 set_desired rows at random; each service's
 * desired count at the end (services.csv's last interval) is the one its
 * last row set (or its desiredCount when no row named it).  A row naming
 * no service ("s1x") is refused with its line and the name. */
static void test_service_names(void)
{
	enum { NS = 120, NR = 400 };
	static char js[NS * 120 + 1000], tr[NR * 40 + 100];
	char names[NS][16], msg[512];
	int want[NS], len = 0, tl = 0, wrong = 0, seen = 0;
	uint64_t x = 11;

	CU_ASSERT_FATAL(rs_setup() == 0);
	rs_write("w.json", "{\"family\":\"w\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
		 "\"cpu\":16,\"memory\":32}]}");
	len += snprintf(js + len, sizeof js - (size_t)len,
			"{\"durationSeconds\":600,\"metricsIntervalSeconds\":60,\"region\":\"us-east-1\","
			"\"availabilityZones\":[\"us-east-1a\"],\"taskDefinitions\":{\"w\":\"w.json\"},"
			"\"instanceGroups\":[{\"instanceType\":\"m5.4xlarge\",\"availabilityZone\":\"us-east-1a\","
			"\"count\":4}],\"workload\":{\"traces\":[\"names.csv\"]},\"services\":[");
	for (int i = 0; i < NS; i++) {
		/* s0 .. s119: s1 a prefix of s10 .. s19 and of s100 .. s119 */
		snprintf(names[i], sizeof names[i], "s%d", i);
		want[i] = i % 4;
		len += snprintf(js + len, sizeof js - (size_t)len, "%s{\"serviceName\":\"%s\",\"taskDefinition\":\"w\","
				"\"desiredCount\":%d}", i ? "," : "", names[i], want[i]);
	}
	snprintf(js + len, sizeof js - (size_t)len, "]}");
	rs_write("names.json", js);
	tl += snprintf(tr + tl, sizeof tr - (size_t)tl, "time_s,event,target,count\n");
	for (int r = 0; r < NR; r++) {
		int i, d;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		i = (int)((x >> 33) % NS);
		d = (int)((x >> 20) % 5);
		want[i] = d;
		tl += snprintf(tr + tl, sizeof tr - (size_t)tl, "%d,set_desired,%s,%d\n", 10 + r, names[i], d);
	}
	rs_write("names.csv", tr);
	T_EQ(rs_run("names.json", "names", NULL, NULL, NULL), 0);
	for (int r = 1; r <= rs_rows("names", "services.csv"); r++) {
		char *t = rs_cell("names", "services.csv", r, "time_s"), *sv;

		if (t && strcmp(t, "600.000") == 0) {
			sv = rs_cell("names", "services.csv", r, "service");
			for (int i = 0; i < NS; i++)
				if (sv && strcmp(sv, names[i]) == 0) {
					wrong += rs_num("names", "services.csv", r, "desired") != want[i];
					seen++;
				}
			free(sv);
		}
		free(t);
	}
	T_EQ(seen, NS);
	T_EQ(wrong, 0);
	rs_write("names.csv", "time_s,event,target,count\n5,set_desired,s1,2\n6,set_desired,s1x,1\n");
	rs_run_msg("names.json", "bad", msg, sizeof msg);
	CU_ASSERT(strstr(msg, "names.csv:3") != NULL);
	CU_ASSERT(strstr(msg, "unknown service 's1x'") != NULL);
	CU_ASSERT(rs_teardown() == 0);
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
	{ "a run_task group of at most 255 characters", test_group_length },
	{ "missing file", test_missing_file },
	{ "streaming a long trace", test_streaming },
	{ "rows by their shape agree with the usual reading", test_fast_rows_agree },
	{ "a run's rows by their shape make the same calls", test_run_prepared },
	{ "rows find services by name among many sharing prefixes", test_service_names },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "trace", NULL, NULL, NULL, NULL, trace_tests },
	CU_SUITE_INFO_NULL,
};
