/* tests/test_stats.c — sim/stats.c (replication summaries, Student-t
 * intervals, paired differences) and sim/jsonptr.c (scenario overrides by
 * JSON pointer).  Expected values are computed by hand or from tables, not
 * from the code. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/jsonptr.h"
#include "sim/stats.h"
#include "helpers/tutil.h"

#define NEAR(a, b, tol) CU_ASSERT(fabs((a) - (b)) < (tol))

/* {2,4,4,4,5,5,7,9}: mean 5, sample variance 32/7, t(0.975, 7) = 2.364624
 * (statistical tables), half-width 2.364624 * sqrt(32/7) / sqrt(8). */
static void test_summary(void)
{
	double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct stat_sum s;

	stats_summary(x, 8, 0.95, &s);
	T_EQ(s.n, 8);
	NEAR(s.mean, 5.0, 1e-12);
	NEAR(s.sd, sqrt(32.0 / 7.0), 1e-12);
	NEAR(s.half, 2.364624 * sqrt(32.0 / 7.0) / sqrt(8.0), 1e-5);
	NEAR(s.lo, s.mean - s.half, 1e-12);
	NEAR(s.hi, s.mean + s.half, 1e-12);
	/* two samples: t(0.975, 1) = 12.7062 */
	stats_summary((double[]){ 1, 3 }, 2, 0.95, &s);
	NEAR(s.half, 12.7062 * sqrt(2.0) / sqrt(2.0), 1e-3);
	/* 90%: t(0.95, 7) = 1.894579 */
	stats_summary(x, 8, 0.90, &s);
	NEAR(s.half, 1.894579 * sqrt(32.0 / 7.0) / sqrt(8.0), 1e-5);
}

static void test_degenerate(void)
{
	struct stat_sum s;

	stats_summary((double[]){ 4 }, 1, 0.95, &s);
	NEAR(s.mean, 4, 1e-12);
	CU_ASSERT(s.sd == 0);
	CU_ASSERT(isnan(s.half));
	CU_ASSERT(!stats_excludes_zero(&s));
	CU_ASSERT(isinf(stats_rel_half(&s)));
	stats_summary(NULL, 0, 0.95, &s);
	CU_ASSERT(isnan(s.mean));
	/* constant samples: zero width, a precision of 0 */
	stats_summary((double[]){ 3, 3, 3 }, 3, 0.95, &s);
	CU_ASSERT(s.half == 0);
	CU_ASSERT(stats_rel_half(&s) == 0);
	stats_summary((double[]){ 0, 0 }, 2, 0.95, &s);
	CU_ASSERT(stats_rel_half(&s) == 0);
	stats_summary((double[]){ -1, 1 }, 2, 0.95, &s);
	CU_ASSERT(isinf(stats_rel_half(&s)));
}

/* Paired: the per-replication differences, not the difference of two
 * independent means — a shared offset per replication cancels. */
static void test_paired(void)
{
	double a[] = { 10, 20, 30, 40, 50 }, b[] = { 9, 19.2, 28.8, 39.1, 48.9 };
	struct stat_sum d, sa;

	stats_paired(a, b, 5, 0.95, &d);
	NEAR(d.mean, (1 + 0.8 + 1.2 + 0.9 + 1.1) / 5, 1e-12);
	stats_summary(a, 5, 0.95, &sa);
	CU_ASSERT(d.half < sa.half / 10);
	CU_ASSERT(stats_excludes_zero(&d));
	stats_paired(b, a, 5, 0.95, &d);
	CU_ASSERT(d.mean < 0 && stats_excludes_zero(&d));
	stats_paired((double[]){ 1, 2, 3 }, (double[]){ 2, 1, 3 }, 3, 0.95, &d);
	CU_ASSERT(!stats_excludes_zero(&d));
}

static void test_quantile(void)
{
	double x[] = { 5, 1, 4, 2, 3 };

	NEAR(stats_quantile(x, 5, 0.0), 1, 1e-12);
	NEAR(stats_quantile(x, 5, 0.5), 3, 1e-12);
	NEAR(stats_quantile(x, 5, 1.0), 5, 1e-12);
	NEAR(stats_quantile(x, 5, 0.125), 1.5, 1e-12);
	NEAR(stats_quantile(NULL, 0, 0.5), 0, 1e-12);
}

static char *apply(const char *doc, const char *a, char *msg, size_t n)
{
	cJSON *root = cJSON_Parse(doc);
	struct err e;
	char *out = NULL;

	err_clear(&e);
	if (jsonptr_assign(root, a, "s.json", &e) == 0)
		out = cJSON_PrintUnformatted(root);
	else
		err_format(&e, msg, n);
	cJSON_Delete(root);
	return out;
}

static void test_jsonptr(void)
{
	const char *doc = "{\"a\":[{\"count\":1},{\"count\":2}],\"x/y\":1,\"m~n\":2,\"s\":\"t\"}";
	char msg[1200] = "";
	char *r;

	r = apply(doc, "/a/1/count=12", msg, sizeof msg);
	T_STREQ(r, "{\"a\":[{\"count\":1},{\"count\":12}],\"x/y\":1,\"m~n\":2,\"s\":\"t\"}");
	free(r);
	r = apply(doc, "/a/0={\"count\":5,\"z\":[1]}", msg, sizeof msg);
	T_STREQ(r, "{\"a\":[{\"count\":5,\"z\":[1]},{\"count\":2}],\"x/y\":1,\"m~n\":2,\"s\":\"t\"}");
	free(r);
	/* escapes (RFC 6901): ~1 is '/', ~0 is '~' */
	r = apply(doc, "/x~1y=3", msg, sizeof msg);
	CU_ASSERT(r && strstr(r, "\"x/y\":3"));
	free(r);
	r = apply(doc, "/m~0n=4", msg, sizeof msg);
	CU_ASSERT(r && strstr(r, "\"m~n\":4"));
	free(r);
	/* a bare word is a string; a new member is added */
	r = apply(doc, "/s=first", msg, sizeof msg);
	CU_ASSERT(r && strstr(r, "\"s\":\"first\""));
	free(r);
	r = apply(doc, "/new=true", msg, sizeof msg);
	CU_ASSERT(r && strstr(r, "\"new\":true"));
	free(r);
	/* errors name the file, the pointer and the reason */
	CU_ASSERT_PTR_NULL(apply(doc, "/a/2/count=1", msg, sizeof msg));
	T_STREQ(msg, "s.json: --set /a/2/count: no element '2' (the array has 2, numbered from 0)");
	CU_ASSERT_PTR_NULL(apply(doc, "/a/01/count=1", msg, sizeof msg));
	CU_ASSERT_PTR_NULL(apply(doc, "/a/-/count=1", msg, sizeof msg));
	CU_ASSERT_PTR_NULL(apply(doc, "/b/c=1", msg, sizeof msg));
	T_STREQ(msg, "s.json: --set /b/c: no member 'b'");
	CU_ASSERT_PTR_NULL(apply(doc, "/s/t=1", msg, sizeof msg));
	T_STREQ(msg, "s.json: --set /s/t: 't' is inside a string, not an object or array");
	CU_ASSERT_PTR_NULL(apply(doc, "/a/0/count=12x", msg, sizeof msg));
	T_STREQ(msg, "s.json: --set /a/0/count: value '12x' is not valid JSON");
	CU_ASSERT_PTR_NULL(apply(doc, "a=1", msg, sizeof msg));
	CU_ASSERT_PTR_NULL(apply(doc, "/a", msg, sizeof msg));
	CU_ASSERT_PTR_NULL(apply(doc, "/x~2=1", msg, sizeof msg));
}

static CU_TestInfo stats_tests[] = {
	{ "mean, sd and Student-t interval", test_summary },
	{ "fewer than two samples, constant samples", test_degenerate },
	{ "paired differences", test_paired },
	{ "quantiles", test_quantile },
	{ "JSON pointer assignment", test_jsonptr },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "stats", NULL, NULL, NULL, NULL, stats_tests },
	CU_SUITE_INFO_NULL,
};
