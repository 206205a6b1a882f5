/* tests/test_robust.c — hostile inputs (issue 14): bounded regular
 * expressions, values never silently changed (NUL escapes, invalid UTF-8),
 * sizes refused before they exhaust the machine.  No timing: bounds are
 * stated as sizes the code computes before it does the work. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/backplane.h"
#include "models/gen.h"
#include "models/import.h"
#include "models/placement/cql.h"
#include "models/run.h"
#include "models/scenario.h"
#include "sim/csvin.h"
#include "sim/jsonrd.h"
#include "sim/sim.h"
#include "helpers/tutil.h"

static char tmpdir[64];

static int suite_init(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/ecsim-robust-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int suite_clean(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const char *data, size_t n)
{
	static char buf[4][256];
	static int k;
	FILE *f;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
	f = fopen(buf[k], "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT(fwrite(data, 1, n, f) == n);
	fclose(f);
	return buf[k];
}

#define WRITE(name, lit) write_file((name), (lit), sizeof(lit) - 1)

/* ---- item 1: regular expressions ---- */

/* The pattern: 57 characters that glibc expands to 10^8 nodes
 * (over a minute and 6.5 GB).  Refused at its literal's column. */
static void test_regex_refused(void)
{
	char err[256];
	int col = 0;
	struct cql_expr *x = cql_parse("attribute:a =~ '((((a{1,100}){1,100}){1,100}){1,100})'", &col, err,
				       sizeof err);

	CU_ASSERT_PTR_NULL(x);
	T_EQ(col, 16);
	T_STREQ(err, "regular expression too large: its repetitions expand to over 1000 positions, "
		"more than the limit of 500");
	x = cql_parse("attribute:a =~ '(a{1,100}){1,6}'", &col, err, sizeof err);
	CU_ASSERT_PTR_NULL(x);
	T_STREQ(err, "regular expression too large: its repetitions expand to 606 positions, "
		"more than the limit of 500");
	/* back-references: glibc backtracks, exponential in the groups */
	x = cql_parse("attribute:a =~ '(.*)(.*)\\2\\1b'", &col, err, sizeof err);
	CU_ASSERT_PTR_NULL(x);
	T_EQ(col, 16);
	T_STREQ(err, "regular expression uses a back-reference ('\\2'), which is not supported");
}

/* How positions are counted: atoms and groups 1, X+ twice, X{m,n} max(m,n)
 * times, X{m,} m+1 times; brackets and escapes are one atom. */
static void test_regex_positions(void)
{
	static const struct { const char *pat; long want; } cs[] = {
		{ "", 0 }, { "abc", 3 }, { "(c5|m5)\\.large", 11 }, { "a+", 2 }, { "a*", 1 }, { "a?", 1 },
		{ "a{3}", 3 }, { "a{2,5}", 5 }, { "a{4,}", 5 }, { "(ab){3}", 9 }, { "[a-z]{10}", 10 },
		{ "[]{}]{2}", 2 }, { "[[:digit:]]{3}", 3 }, { "\\{{4}", 4 }, { "a)|b", 3 },
		{ "((a{0,10}){0,10}){0,4}", 444 }, { "(a?){0,249}", 498 }, { "(a)\\1", -1 },
		{ "[\\1]", 1 }, { "a{,3}", 3 }, { "a{,}", 1 }, { "(ab){,300}", 900 }, { "a{,x}", 3 },
	};

	for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
		long got = cql_regex_positions(cs[i].pat);

		if (got != cs[i].want) {
			char m[200];

			snprintf(m, sizeof m, "positions of '%s': got %ld, want %ld", cs[i].pat, got, cs[i].want);
			CU_FAIL(m);
		} else {
			CU_PASS(cs[i].pat);
		}
	}
}

static int attr(const void *inst, const char *name, const char **value)
{
	(void)name;
	*value = inst;
	return 1;
}
static const char *s_id(const void *p) { (void)p; return "ci-1"; }
static int one(const void *p) { (void)p; return 1; }
static int64_t zero(const void *p) { (void)p; return 0; }
static int nogroups(const void *p, const char *const **g) { (void)p; *g = NULL; return 0; }

/* The worst accepted patterns (at the bound) compile and match with their
 * documented whole-string semantics; the bound is what caps their cost. */
static void test_regex_worst_accepted(void)
{
	static const struct cql_view v = { attr, s_id, s_id, one, s_id, zero, zero, nogroups };
	char long_a[256], err[200];
	struct cql_expr *x;

	memset(long_a, 'a', sizeof long_a - 1);
	long_a[sizeof long_a - 1] = '\0';
	T_EQ(cql_regex_positions("(ab?){0,166}"), 498);
	x = cql_parse("attribute:a =~ '(ab?){0,166}'", NULL, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	T_EQ(cql_eval(x, &v, "aaba"), 1);
	T_EQ(cql_eval(x, &v, ""), 1);
	T_EQ(cql_eval(x, &v, long_a), 0);            /* 255 > 166 */
	T_EQ(cql_eval(x, &v, "abb"), 0);
	cql_free(x);
	T_EQ(cql_regex_positions("(a[a-z]{0,80}){1,6}"), 492);
	x = cql_parse("attribute:a =~ '(a[a-z]{0,80}){1,6}'", NULL, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	T_EQ(cql_eval(x, &v, long_a), 1);           /* 255 a's: at most 486 */
	long_a[0] = 'b';
	T_EQ(cql_eval(x, &v, long_a), 0);
	cql_free(x);
}

/* A repetition of an expression that can match the empty string is
 * refused (choice C11): glibc's compile of such nestings takes time
 * exponential in their depth, far under the positions' bound (the fuzzer's
 * 90-byte expression ran for minutes).  Each refused pattern names the
 * operator and its character; the accepted ones are the near misses:
 * a repetition of something that must match a character. */
static void test_regex_empty_repeat(void)
{
	static const struct { const char *pat; const char *op; } no[] = {
		{ "a?\?\?", "'?' at character 4" }, { "(a?)+", "'+' at character 5" },
		{ "(a*b*)*", "'*' at character 7" }, { "(x|)*", "'*' at character 5" },
		{ "(|x)+", "'+' at character 5" }, { ".*?*", "'*' at character 4" },
		{ "(a?){0,249}", "'{' at character 5" }, { "((ab{0,9}){0,10}){0,4}", "'{' at character 18" },
		{ "()*", "'*' at character 3" }, { "(\\b)+", "'+' at character 5" }, { "(^)?", "'?' at character 4" },
		{ "x{0}*", "'*' at character 5" }, { "(a?){,9242}", "'{' at character 5" }, { "\xc3\xa9?\xc3\xa9?\?\?", "'?' at character 6" },
		{ "k?\?\?\?\?\?\?\?\?\?++++++", "'?' at character 4" }, { "(a?\?b?\?c?\?d?\?e?\?)++++", "'+' at character 18" },
		{ "((((a?)?(b?)?(c?)?(d?)?(e?)?)+)+)+", "'?' at character 8" },
	};
	static const char *const yes[] = { "a?", "a*", "(ab?)*", "(a*b)+", "a+?", "((((k+)+)+)+)+", "(x|y)*",
					   "[a-z]*", "(a|b?c)+", "(^a)*", "a{0,3}", "(a{0,3}b){2}", "\\?+",
					   "[?*]+", "(\\.[a-z]*)*" };

	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		char expr[200], err[400], want[300];
		int col = 0;
		struct cql_expr *x;

		snprintf(expr, sizeof expr, "attribute:a =~ '%s'", no[i].pat);
		x = cql_parse(expr, &col, err, sizeof err);
		snprintf(want, sizeof want, "regular expression repeats an expression that can match the empty string "
			 "(%s), which glibc compiles in exponential time: repeat only what must match something "
			 "('a*', not '(a?)+')", no[i].op);
		CU_ASSERT_PTR_NULL(x);
		cql_free(x);
		T_EQ(col, 16);
		T_STREQ(err, want);
	}
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		char expr[200], err[400];
		struct cql_expr *x;

		snprintf(expr, sizeof expr, "attribute:a =~ '%s'", yes[i]);
		x = cql_parse(expr, NULL, err, sizeof err);
		if (!x) {
			char m[600];

			snprintf(m, sizeof m, "'%s' refused: %s", yes[i], err);
			CU_FAIL(m);
		}
		cql_free(x);
	}
}

/* Pattern pat compiles, and a value val matches it whole (want 1) or not. */
struct re_case {
	const char *pat, *val;
	int want;
};

static void check_re_cases(const struct re_case *cs, size_t n)
{
	static const struct cql_view v = { attr, s_id, s_id, one, s_id, zero, zero, nogroups };

	for (size_t i = 0; i < n; i++) {
		char expr[200], err[400], m[600];
		struct cql_expr *x;

		snprintf(expr, sizeof expr, "attribute:a =~ '%s'", cs[i].pat);
		x = cql_parse(expr, NULL, err, sizeof err);
		if (!x) {
			snprintf(m, sizeof m, "'%s' refused: %s", cs[i].pat, err);
			CU_FAIL(m);
			continue;
		}
		snprintf(m, sizeof m, "'%s' on '%s': want %d", cs[i].pat, cs[i].val, cs[i].want);
		if (cql_eval(x, &v, cs[i].val) != cs[i].want) {
			CU_FAIL(m);
		} else {
			CU_PASS(m);
		}
		cql_free(x);
	}
}

/* Java's lazy quantifiers (a `?` right after a repetition: java.util.regex,
 * which ECS uses) decide what a search finds, never whether the whole
 * value matches: ecsim reads `X*?` as `X*`, `X+?` as `X+`, `X??` as `X?`,
 * `X{m,n}?` as `X{m,n}` (glibc alone would read `a+?` as `(a+)?`, which
 * matches the empty value too), and a third `?` repeats `X?` again. */
static void test_regex_lazy(void)
{
	static const struct re_case cs[] = {
		{ "a+?", "", 0 }, { "a+?", "aaa", 1 }, { "a+?", "b", 0 },
		{ "m5.*?", "m5.large", 1 }, { "m5.*?", "c5.large", 0 }, { ".*?", "", 1 },
		{ "a?\?", "", 1 }, { "a?\?", "a", 1 }, { "a?\?", "aa", 0 },
		{ "a{2,3}?", "aa", 1 }, { "a{2,3}?", "a", 0 }, { "a{2,3}?", "aaaa", 0 },
		{ "a*?b", "aab", 1 }, { "(ab)+?c", "ababc", 1 }, { "(ab)+?c", "c", 0 },
		{ "\\??", "", 1 }, { "\\??", "?", 1 }, { "[?]?", "?", 1 }, { "[?]?", "??", 0 },
	};

	check_re_cases(cs, sizeof cs / sizeof cs[0]);
	T_EQ(cql_regex_positions("a+?"), 2);           /* the marker counts nothing */
	T_EQ(cql_regex_positions("(ab){3}?"), 9);
}

/* Java's \d and \D (a digit, not a digit; glibc alone reads them as the
 * letters d and D) compile as [0-9] and [^0-9] outside bracket
 * expressions; inside one a backslash is the ERE's literal backslash. */
static void test_regex_java_digit(void)
{
	static const struct re_case cs[] = {
		{ "m\\d\\..*", "m5.large", 1 }, { "m\\d\\..*", "md.large", 0 }, { "\\d+", "123", 1 },
		{ "\\d+", "", 0 }, { "\\d+", "12a", 0 }, { "\\D+", "abc", 1 }, { "\\D+", "a1", 0 },
		{ "a\\\\d", "a\\d", 1 }, { "a\\\\d", "a5", 0 }, { "\\d{3}?", "123", 1 }, { "\\d{3}?", "12", 0 },
		{ "[\\d]", "d", 1 }, { "[\\d]", "\\", 1 }, { "[\\d]", "5", 0 }, { "(\\d|x)+", "1x2", 1 },
	};

	check_re_cases(cs, sizeof cs / sizeof cs[0]);
	T_EQ(cql_regex_positions("\\d\\D"), 2);
}

/* ---- item 4: no silent changes ---- */

static void test_json_nul_escape(void)
{
	static const char text[] = "{\n  \"name\": \"we\\u0000b\"\n}\n";
	static const char ok[] = "{\"name\": \"we\\\\u0000b\"}";   /* an escaped backslash, then u0000 */
	struct jdoc d;
	struct err e;
	char m[300];

	err_clear(&e);
	T_EQ(jdoc_parse(&d, "td.json", text, sizeof text - 1, &e), -1);
	err_format(&e, m, sizeof m);
	T_STREQ(m, "td.json:2:14: a string holds \\u0000 (NUL), which ecsim cannot keep");
	err_clear(&e);
	T_EQ(jdoc_parse(&d, "td.json", ok, sizeof ok - 1, &e), 0);
	T_STREQ(cJSON_GetObjectItem(d.root, "name")->valuestring, "we\\u0000b");
	jdoc_free(&d);
}

static void test_csv_invalid_utf8(void)
{
	struct err e;
	struct csvin *in;
	char m[300];

	err_clear(&e);
	in = csvin_open(WRITE("u.csv", "a,b\nok,caf\xc3\xa9\nx,ab\xff" "c\n"), &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	T_EQ(csvin_next(in, &e), 1);
	T_STREQ(csvin_field(in, 1), "caf\xc3\xa9");
	T_EQ(csvin_next(in, &e), -1);
	err_format(&e, m, sizeof m);
	CU_ASSERT(strstr(m, "u.csv:3:2: b: invalid UTF-8 byte 0xff") != NULL);
	if (!strstr(m, "u.csv:3:2"))
		fprintf(stderr, "got: %s\n", m);
	csvin_close(in);
	/* overlong encodings and surrogates are not UTF-8 either */
	err_clear(&e);
	in = csvin_open(WRITE("v.csv", "a\n\xc0\xaf\n"), &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	T_EQ(csvin_next(in, &e), -1);
	csvin_close(in);
	err_clear(&e);
	in = csvin_open(WRITE("w.csv", "a\n\xed\xa0\x80\n"), &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	T_EQ(csvin_next(in, &e), -1);
	csvin_close(in);
}

/* ---- item 3: sizes ---- */

static void test_import_refuses_huge(void)
{
	struct import_opts o;
	struct import *im;
	struct trace_row row;
	struct err e;
	char m[400];

	memset(&o, 0, sizeof o);
	o.task_events = WRITE("te.csv", "0,,10,0,,0,u,3,9,1e308,0.25,0.0004244,0\n");
	err_clear(&e);
	im = import_open("google2011", &o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	T_EQ(import_next(im, &row, &e), -1);        /* was clamped to 10^9 units */
	err_format(&e, m, sizeof m);
	CU_ASSERT(strstr(m, "te.csv:1:10: ") != NULL && strstr(m, "limit of 1000000000") != NULL);
	import_close(im);

	memset(&o, 0, sizeof o);
	o.batch_task = WRITE("bt.csv", "M1,66666666666,j_1,1,Terminated,5,12,100,0.5\n");
	err_clear(&e);
	im = import_open("alibaba2018", &o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	T_EQ(import_next(im, &row, &e), -1);        /* was 6.7e9 rows of 10 */
	err_format(&e, m, sizeof m);
	CU_ASSERT(strstr(m, "bt.csv:1:2: instance_num: expected at most 1000000 instances") != NULL);
	CU_ASSERT(strstr(m, "--max-instance-num") != NULL);
	import_close(im);
	o.max_instance_num = 100000000000LL > IMPORT_MAX_INSTANCE_NUM ? IMPORT_MAX_INSTANCE_NUM : 0;
	o.batch_task = WRITE("bt2.csv", "M1,2000000,j_1,1,Terminated,5,12,100,0.5\n");
	err_clear(&e);
	im = import_open("alibaba2018", &o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	T_EQ(import_next(im, &row, &e), 1);         /* raised: accepted */
	T_EQ(row.count, 10);
	import_close(im);
}

static void test_gen_expected_rows(void)
{
	static const char spec[] =
		"{ \"name\": \"x\", \"durationSeconds\": 1000,"
		"  \"instances\": [ { \"instanceType\": \"m5.large\", \"availabilityZone\": \"us-east-1a\", \"count\": 5 } ],"
		"  \"tasks\": [ { \"taskDefinitions\": [\"web\"], \"ratePerSecond\": 2 } ] }";
	struct err e;
	struct gen_spec *s;
	struct gen_opts o = { 0, 0, 1e9 };
	double n;

	err_clear(&e);
	s = gen_spec_parse("spec.json", spec, sizeof spec - 1, NULL, &e);
	if (!s) {
		char m[300];

		err_format(&e, m, sizeof m);
		CU_FAIL_FATAL(m);
	}
	n = gen_expected_rows(s, NULL);
	CU_ASSERT(n >= 2005 - 1e-6 && n <= 2005 + 1e-6);      /* 5 instances + 2/s x 1000 s */
	n = gen_expected_rows(s, &o);
	CU_ASSERT(n > (double)GEN_DEFAULT_MAX_ROWS);
	gen_spec_free(s);
}


/* ---- runs that cannot move the clock (docs/ecs-model.md choices E85, E86) ---- */

static const char td_web[] =
	"{ \"family\": \"web\", \"containerDefinitions\": [\n"
	"  { \"name\": \"app\", \"image\": \"x\", \"cpu\": 256, \"memory\": 512, \"essential\": true } ] }\n";

/* A scenario of 2 instances with `extra` members appended (JSON text
 * starting with a comma). */
static const char *scenario_with(const char *extra)
{
	char text[4096];
	int n;

	write_file("web.json", td_web, sizeof td_web - 1);
	n = snprintf(text, sizeof text,
		     "{ \"name\": \"spin\", \"seed\": 1, \"durationSeconds\": 600, \"region\": \"us-east-1\",\n"
		     "  \"availabilityZones\": [\"us-east-1a\"],\n"
		     "  \"instanceGroups\": [ { \"instanceType\": \"m5.large\", \"availabilityZone\": \"us-east-1a\","
		     " \"count\": 2 %s } ],\n"
		     "  \"taskDefinitions\": { \"web\": \"web.json\" } %s }\n",
		     strstr(extra, "agentDisconnects") ? extra : "",
		     strstr(extra, "agentDisconnects") ? "" : extra);
	return write_file("spin.json", text, (size_t)n);
}

static void expect_refused(const char *extra, const char *want)
{
	struct err e;
	char m[600];
	struct scenario *s;

	err_clear(&e);
	s = scenario_load(scenario_with(extra), &e);
	CU_ASSERT_PTR_NULL(s);
	scenario_free(s);
	err_format(&e, m, sizeof m);
	if (!strstr(m, want)) {
		char f[1400];

		snprintf(f, sizeof f, "%s: got \"%s\", want \"%s\"", extra, m, want);
		T_FAIL(f);
	}
}

static void expect_loads(const char *extra)
{
	struct err e;
	struct scenario *s;

	err_clear(&e);
	s = scenario_load(scenario_with(extra), &e);
	if (!s) {
		char m[600];

		err_format(&e, m, sizeof m);
		T_FAIL(m);
	}
	scenario_free(s);
}

#define GEN(ia) ", \"workload\": { \"generators\": [ { \"name\": \"g\", \"interArrivalSeconds\": " ia \
	", \"taskDefinitions\": [\"web\"], \"runtimeSeconds\": 0 } ] }"

/* The spin: lognormal sigma 1e30 has an infinite mean, and every
 * draw is 0 or infinite.  Refused at load, as is any process whose mean
 * gap is under 1 ms or whose gaps are mostly 0 ms. */
static void test_arrivals_refused(void)
{
	expect_refused(GEN("{ \"lognormal\": { \"mu\": 0, \"sigma\": 1e30 } }"),
		       "$.workload.generators[0].interArrivalSeconds: the mean gap between arrivals is inf s; "
		       "expected a finite mean of at least 0.001 s");
	expect_refused(GEN("{ \"exponential\": { \"mean\": 0.0009 } }"),
		       "the mean gap between arrivals is 0.0009 s; expected a finite mean of at least 0.001 s");
	expect_refused(GEN("{ \"pareto\": { \"shape\": 0.5, \"scale\": 1 } }"),
		       "the mean gap between arrivals is nan s");
	/* weibull shape 0.01, scale 1: P(X < 0.0005) = 1 - exp(-0.0005^0.01) = 0.6042 */
	expect_refused(GEN("{ \"weibull\": { \"shape\": 0.01, \"scale\": 1 } }"),
		       "60.42% of the gaps between arrivals are under 0.5 ms");
	/* lognormal mu -50, sigma 10: a mean of 1 s, yet 99.999% of draws are 0 ms */
	expect_refused(GEN("{ \"lognormal\": { \"mu\": -50, \"sigma\": 10 } }"), "of the gaps between arrivals are "
		       "under 0.5 ms, that is 0 ms at the simulator's time step (arrivals at one instant); at most 50% may be");
	expect_refused(", \"azOutages\": [ { \"availabilityZone\": \"us-east-1a\", \"interArrivalSeconds\": "
		       "{ \"uniform\": { \"min\": 0, \"max\": 0.0002 } }, \"durationSeconds\": 0 } ]",
		       "$.azOutages[0].interArrivalSeconds: the mean gap between arrivals is 0.0001 s");
	expect_refused(", \"agentDisconnects\": { \"interArrivalSeconds\": { \"normal\": { \"mean\": -100, \"sd\": 0.01 } },"
		       " \"durationSeconds\": 0 }",
		       "$.instanceGroups[0].agentDisconnects.interArrivalSeconds: the mean gap between arrivals is");
	/* the bounds themselves are accepted: a mean of 1 ms (39% of the
	 * exponential's gaps under 0.5 ms), a constant 1 ms */
	expect_loads(GEN("{ \"exponential\": { \"mean\": 0.001 } }"));
	expect_loads(GEN("0.001"));
	expect_loads(GEN("{ \"uniform\": { \"min\": 0, \"max\": 0.002 } }"));
}

static uint64_t observed;

/* Stops the run (every slice of it) once 10^6 events have run: the bound
 * of the test, so that a regression fails instead of spinning. */
static void count_events(struct backplane *bp, void *ctx)
{
	(void)ctx;
	if (++observed > 1000000)
		sim_stop(backplane_sim(bp));
}

/* A service whose tasks stop as they start, with every latency 0: the
 * scheduler replaces them at the same instant without end (ECS does not
 * throttle tasks that reached RUNNING, docs/ecs-model.md §5.4).  The bound
 * on events at one instant ends the run with exit 2 and says how to raise
 * it; nothing is left in the output folder. */
static void test_same_instant_bound(void)
{
	static const char loop[] =
		", \"controlPlane\": { \"placementLatencySeconds\": 0, \"apiLatencySeconds\": 0,"
		" \"schedulerDelaySeconds\": 0 },\n"
		"  \"agent\": { \"networkDelaySeconds\": 0, \"imagePullSeconds\": 0, \"imagePullCachedSeconds\": 0,"
		" \"containerStartSeconds\": 0, \"shutdownSeconds\": 0 },\n"
		"  \"services\": [ { \"serviceName\": \"s\", \"taskDefinition\": \"web\", \"desiredCount\": 2,"
		" \"runtimeSeconds\": 0 } ],\n"
		"  \"limits\": { \"maxEventsPerInstant\": 1000 }";
	struct err e;
	struct scenario *s;
	struct run_opts o;
	struct run_counts rn;
	char out[128], m[700];

	err_clear(&e);
	s = scenario_load(scenario_with(loop), &e);
	if (!s) {
		err_format(&e, m, sizeof m);
		T_FAIL(m);
		return;
	}
	snprintf(out, sizeof out, "%s/spin.out", tmpdir);
	memset(&o, 0, sizeof o);
	o.out_dir = out;
	o.observe = count_events;
	observed = 0;
	T_EQ(run_scenario(s, &o, &rn, &e), RUN_INPUT);
	CU_ASSERT(observed <= 1000);
	err_format(&e, m, sizeof m);
	if (!strstr(m, "more than 1000 events at the simulated time 0.000 s") ||
	    !strstr(m, "raise it with $.limits.maxEventsPerInstant (up to 1000000000000)"))
		T_FAIL(m);
	CU_ASSERT(access(out, F_OK) != 0);
	scenario_free(s);
}

static int self_loops;

static void again(struct sim *sim, void *ctx, const struct event *ev)
{
	(void)ctx;
	self_loops++;
	sim_after(sim, 0, ev->type, NULL, 0);
}

static void later(struct sim *sim, void *ctx, const struct event *ev)
{
	(void)sim;
	(void)ev;
	(*(int *)ctx)++;
}

/* The engine's bound: the 51st event at t = 7 ms is not run, nor anything
 * after it; the run stays stopped.  Events at other instants do not count. */
static void test_sim_limit_instant(void)
{
	struct sim *sim = sim_new();
	int later_runs = 0;
	uint32_t a = sim_on(sim, "again", again, NULL);
	uint32_t b = sim_on(sim, "later", later, &later_runs);
	sim_time_t t = -1;
	const char *name = NULL;

	sim_limit_instant(sim, 50);
	for (int i = 0; i < 5; i++)
		sim_at(sim, i, b, NULL, 0);           /* one event at each of 0..4 ms */
	sim_at(sim, 7, a, NULL, 0);
	sim_at(sim, 9, b, NULL, 0);
	CU_ASSERT_EQUAL(sim_stuck(sim, NULL, NULL), 0);
	sim_run(sim, SIM_TIME_MAX);
	T_EQ(later_runs, 5);
	T_EQ(self_loops, 50);
	CU_ASSERT_EQUAL(sim_stuck(sim, &t, &name), 1);
	T_EQ(t, 7);
	T_STREQ(name, "again");
	T_EQ(sim_pending(sim), 2);                    /* the event not run is kept, and t = 9 */
	sim_run(sim, SIM_TIME_MAX);
	T_EQ(self_loops, 50);
	T_EQ(later_runs, 5);
	sim_free(sim);
}

/* Seconds to milliseconds never overflows: an infinite or huge draw is
 * "never" (SIM_TIME_LONG), NaN and negatives are 0.  The old cast of
 * infinity gave INT64_MIN, which sim_after turned into a 0-ms gap. */
static void test_sim_ms_clamps(void)
{
	T_EQ(sim_ms(2.5), 2500);
	T_EQ(sim_ms(0.0004), 0);
	T_EQ(sim_ms(-1), 0);
	T_EQ(sim_ms(NAN), 0);
	T_EQ(sim_ms(INFINITY), SIM_TIME_LONG);
	T_EQ(sim_ms(1e300), SIM_TIME_LONG);
	T_EQ(sim_ms(1e16), SIM_TIME_LONG);
	CU_ASSERT(sim_ms(1e15) == (sim_time_t)1e18);
	CU_ASSERT(SIM_TIME_LONG <= SIM_TIME_MAX / 4);
}

CU_TestInfo robust_tests[] = {
	{ "regex refused", test_regex_refused },
	{ "regex positions", test_regex_positions },
	{ "regex worst accepted", test_regex_worst_accepted },
	{ "regex: no repetition of what matches empty", test_regex_empty_repeat },
	{ "regex: Java's lazy quantifiers", test_regex_lazy },
	{ "regex: Java's \\d and \\D", test_regex_java_digit },
	{ "json \\u0000 refused", test_json_nul_escape },
	{ "csv invalid utf-8 refused", test_csv_invalid_utf8 },
	{ "import refuses huge values", test_import_refuses_huge },
	{ "gen expected rows", test_gen_expected_rows },
	{ "arrival processes that stop the clock refused", test_arrivals_refused },
	{ "events at one instant bounded in a run", test_same_instant_bound },
	{ "sim: events at one instant bounded", test_sim_limit_instant },
	{ "sim_ms clamps infinite draws", test_sim_ms_clamps },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "robust", suite_init, suite_clean, NULL, NULL, robust_tests },
	CU_SUITE_INFO_NULL,
};
