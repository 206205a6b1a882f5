/* tests/test_validate.c — what `ecsim validate` checks of a scenario's
 * traces without running them (models/tracecheck.c): every bad row is
 * reported, each at its FILE:LINE:COL, reading goes on after a bad row
 * (but stops at a malformed CSV record), and a bad reference found by the
 * check is the one the run fails on.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/run.h"
#include "models/scenario.h"
#include "models/trace.h"
#include "models/tracecheck.h"
#include "helpers/tutil.h"

#define V "tests/data/validate/"

struct seen {
	int n;
	char msg[64][1200];
};

static void collect(const struct err *e, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 64)
		err_format(e, s->msg[s->n], sizeof s->msg[0]);
	s->n++;
}

/* Every bad row of refs.csv is reported, in file order, each once. */
static void test_every_reference(void)
{
	static const char *const want[] = {
		V "refs.csv:3:4: taskdef: unknown task definition 'nosuch'",
		V "refs.csv:4:5: count: expected an integer >= 1",
		V "refs.csv:5:4: taskdef: task definition 'missing-file.json': ",
		V "refs.csv:6:4: taskdef: task definition 'bad-memberof.json': ",
		V "refs.csv:7:3: target: unknown service 'nosvc'",
		V "refs.csv:8:4: taskdef: unknown task definition 'nosuch2'",
		V "refs.csv:9:7: group: 'us-east-9z' is not one",
		V "refs.csv:10:3: target: unknown instance type 'm9.huge'",
		V "refs.csv:13:3: target: unknown instance 'ci-00004'",
		V "refs.csv:14:3: target: unknown instance 'ci-3'",
		V "refs.csv:15:3: target: 'us-west-2a' is not one",
		V "refs.csv:16:3: target: unknown instance 'i-0abc'",
	};
	struct err e;
	struct scenario *s;
	struct seen seen = { 0 };
	long rows = 0, n;

	err_clear(&e);
	s = scenario_load(V "refs.json", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	n = tracecheck_scenario(s, collect, &seen, &rows);
	T_EQ(n, 12);
	T_EQ(seen.n, 12);
	T_EQ(rows, 15);        /* 16 rows, one (count 0) refused by the reader */
	for (int i = 0; i < 12 && i < seen.n; i++) {
		char got[1200];

		snprintf(got, sizeof got, "%.*s", (int)strlen(want[i]), seen.msg[i]);
		T_STREQ(got, want[i]);
	}
	scenario_free(s);
}

/* Run scenario file `scn` into a new folder: it must fail on its input
 * (RUN_INPUT, the error in *e) and leave no folder it created. */
static void run_fails(const char *scn, struct err *e)
{
	struct scenario *s;
	struct run_opts o = { 0 };
	char dir[] = "/tmp/ecsim-validate-XXXXXX", out[64];
	struct run_counts rn;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(out, sizeof out, "%s/new/out", dir);
	err_clear(e);
	s = scenario_load(scn, e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	o.out_dir = out;
	T_EQ(run_scenario(s, &o, &rn, e), RUN_INPUT);
	snprintf(out, sizeof out, "%s/new", dir);
	CU_ASSERT(access(out, F_OK) != 0);
	rmdir(dir);
	scenario_free(s);
}

/* The first error the check finds is the one the run stops on. */
static void test_run_fails_where_check_says(void)
{
	struct err e;

	run_fails(V "refs.json", &e);
	T_STREQ(e.msg, "unknown task definition 'nosuch' (not a name in $.taskDefinitions nor a .json path)");
	T_EQ(e.line, 3);
}

/* A deploy that would give the service more than 10 placement constraints
 * (its 9 and the new definition's 2) is refused, by the check and by the
 * run, at its row; with the definition's 1 (10 in all) it is not. */
static void test_deploy_constraint_limit(void)
{
	static const char want[] = V "cons10.csv:3:4: taskdef: service 'web' with task definition 'two' would have 11 "
				   "placement constraints";
	struct err e;
	struct scenario *s;
	struct seen seen = { 0 };
	char got[1200];
	long rows = 0;

	err_clear(&e);
	s = scenario_load(V "cons10.json", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	T_EQ(tracecheck_scenario(s, collect, &seen, &rows), 1);
	T_EQ(rows, 2);
	snprintf(got, sizeof got, "%.*s", (int)strlen(want), seen.msg[0]);
	T_STREQ(got, want);
	scenario_free(s);
	run_fails(V "cons10.json", &e);
	T_EQ(e.line, 3);
	CU_ASSERT(strstr(e.msg, "would have 11 placement constraints") != NULL);
}

static long check_text(const char *text, struct seen *seen, long *rows)
{
	char path[] = "/tmp/ecsim-validate-XXXXXX";
	int fd = mkstemp(path);
	long n;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	n = tracecheck_file(path, collect, seen, rows);
	unlink(path);
	return n;
}

/* A bad value does not stop the check: the rows after it are read. */
static void test_goes_on_after_bad_row(void)
{
	struct seen seen = { 0 };
	long rows = 0;

	T_EQ(check_text("time_s,event,target,taskdef,count,duration_s,group\n"
			"4,run_task,,web,1,,\n"
			"x,run_task,,web,1,,\n"
			"4,frobnicate,,web,1,,\n"
			"4,run_task,,web,0,,\n"
			"1,run_task,,web,1,,\n"
			"5,run_task,,web,1,,\n", &seen, &rows), 4);
	T_EQ(rows, 2);
	CU_ASSERT(strstr(seen.msg[0], ":3:1: time_s:") != NULL);
	CU_ASSERT(strstr(seen.msg[1], ":4:2: event: unknown event") != NULL);
	CU_ASSERT(strstr(seen.msg[2], ":5:5: count: expected an integer >= 1") != NULL);
	CU_ASSERT(strstr(seen.msg[3], ":6:1: time_s: rows must be in time order") != NULL);
}

/* A malformed record (wrong number of fields) ends the reading: one error. */
static void test_stops_at_malformed_record(void)
{
	struct seen seen = { 0 };
	long rows = 0;

	T_EQ(check_text("time_s,event,target,taskdef,count,duration_s,group\n"
			"0,run_task,,web,1,,\n"
			"1,run_task,,web\n"
			"2,run_task,,web,1,,\n", &seen, &rows), 1);
	T_EQ(rows, 1);
	CU_ASSERT(strstr(seen.msg[0], ":3: expected 7 fields, got 4") != NULL);
}

CU_TestInfo validate_tests[] = {
	{ "every bad reference reported", test_every_reference },
	{ "the run fails where the check says", test_run_fails_where_check_says },
	{ "goes on after a bad row", test_goes_on_after_bad_row },
	{ "stops at a malformed record", test_stops_at_malformed_record },
	{ "a deploy past 10 placement constraints", test_deploy_constraint_limit },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "validate", NULL, NULL, NULL, NULL, validate_tests },
	CU_SUITE_INFO_NULL,
};
