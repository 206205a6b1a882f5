/* tests/test_svc_pass.c — when the service scheduler's passes run
 * (docs/ecs-model.md §10.2, choice E225): UpdateService (set_desired,
 * deploy) acts after the API latency even when a pass from an earlier
 * trigger (a task's stop, + schedulerDelaySeconds) is already due later;
 * one pass then does what both asked.  And when the throttle lets a
 * failing deployment's launches go (§5.4, choice E226). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tdefs.h"
#include "helpers/tutil.h"

/* Fixed latencies, so every instant can be computed by hand. */
#define TIMING TIMING_BY_HAND

#define HEAD(name, dur) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," TIMING \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"]," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.xlarge\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"

#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("small.json", TD_SMALL);
	rs_write("small-v2.json", TD_SMALL_V2);
	return 0;
}

/* The tasks of out-<tag>/tasks.csv submitted at `at` (± 1 ms), of task
 * definition `td` (NULL: any). */
static int submitted_at(const char *tag, double at, const char *td)
{
	int n = rs_rows(tag, "tasks.csv"), k = 0;

	for (int r = 1; r <= n; r++) {
		char *d = rs_cell(tag, "tasks.csv", r, "taskdef");

		if (fabs(rs_num(tag, "tasks.csv", r, "submit_s") - at) < 1e-6 && (!td || (d && strcmp(d, td) == 0)))
			k++;
		free(d);
	}
	return k;
}

/* Desired 2.  StopTask task-1 at 295: STOPPED at 298.75 (the call's 0.25,
 * the network 0.5, shutdown 3), seen 0.5 s later, which calls a pass 10 s
 * after that (309.25).  set_desired 6 at 300 asks for a pass at 300.25: it
 * runs then and launches 5 tasks (4 more + task-1's replacement), not at
 * the stop's later pass (the old code: all 5 at 309.25).  set_desired 8 at
 * 400, nothing pending: 2 tasks at 400.25.  Nothing else is launched. */
static void test_update_before_pending_pass(void)
{
	rs_write("u.json", HEAD("u", 600)
		 "\"taskDefinitions\":{\"v1\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":2}],"
		 "\"workload\":{\"traces\":[\"u.csv\"]}}");
	rs_write("u.csv", TRACE_HDR "295,stop_task,task-1,,,,\n300,set_desired,s,,6,,\n400,set_desired,s,,8,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("u.json", "u", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("u", "tasks.csv"), 9);
	T_EQ(submitted_at("u", 0.25, NULL), 2);
	T_EQ(submitted_at("u", 300.25, NULL), 5);
	T_EQ(submitted_at("u", 400.25, NULL), 2);
}

/* The same with a deploy at 300 (default 100 / 200): the new revision's 2
 * tasks are launched at 300.25, with no task of the old revision started
 * again (task-1's replacement would be one: the new deployment is primary
 * by then). */
static void test_deploy_before_pending_pass(void)
{
	rs_write("d.json", HEAD("d", 600)
		 "\"taskDefinitions\":{\"v1\":\"small.json\",\"v2\":\"small-v2.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":2}],"
		 "\"workload\":{\"traces\":[\"d.csv\"]}}");
	rs_write("d.csv", TRACE_HDR "295,stop_task,task-1,,,,\n300,deploy,s,v2,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("d.json", "d", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("d", "tasks.csv"), 4);
	T_EQ(submitted_at("d", 300.25, "small:2"), 2);
	RS_IS("d", "deployments.csv", -1, "stage", "COMPLETED");
}

/* A pass already due earlier than asked is kept, and no second one runs:
 * set_desired 3 at 300 (pass due 300.25), set_desired 4 at 300.1 (it asks
 * for 300.35): the 300.25 pass sees desired 4 and launches 2; nothing is
 * launched at 300.35.  (The old code did the same: a guard against
 * running both.) */
static void test_earlier_pass_kept(void)
{
	rs_write("k.json", HEAD("k", 600)
		 "\"taskDefinitions\":{\"v1\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":2}],"
		 "\"workload\":{\"traces\":[\"k.csv\"]}}");
	rs_write("k.csv", TRACE_HDR "300,set_desired,s,,3,,\n300.1,set_desired,s,,4,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("k.json", "k", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("k", "tasks.csv"), 4);
	T_EQ(submitted_at("k", 300.25, NULL), 2);
	T_EQ(submitted_at("k", 300.35, NULL), 0);
}

/* The throttle (§5.4, choice E226): one step per launch attempt, not per
 * failed task.  Desired 4 at 100 / 200, a new revision whose tasks always
 * fail to start (deploy at 300): each attempt launches 4 at one instant.
 * By hand: 300.25 launch, placed 301.25, fail 313.75 (network 0.5 + pull
 * 10 + start 2), seen 314.25: the 4 failures (the 3rd in a row reaches
 * throttleAfterFailures) are one step, 30 s: next attempt 344.25; it fails
 * at 348.75 (image cached: pull 1), seen 349.25, + 60 = 409.25; then
 * 414.25 + 120 = 534.25, 539.25 + 240 = 779.25.  The old code stepped per
 * task: 60 s after the first attempt (tasks 3 and 4: 30, 60), then 900 s
 * (the cap) after the second. */
static void test_throttle_step_per_attempt(void)
{
	const double want[] = { 300.25, 344.25, 409.25, 534.25, 779.25 };

	rs_write("th.json", HEAD("th", 1000)
		 "\"taskDefinitions\":{\"v1\":\"small.json\","
		 "\"v2\":{\"file\":\"small-v2.json\",\"startFailureProbability\":1}},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":4}],"
		 "\"workload\":{\"traces\":[\"th.csv\"]}}");
	rs_write("th.csv", TRACE_HDR "300,deploy,s,v2,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("th.json", "th", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("th", "tasks.csv"), 4 + 4 * 5);
	for (int k = 0; k < 5; k++)
		T_EQ(submitted_at("th", want[k], "small:2"), 4);
}

static CU_TestInfo tests[] = {
	{ "set_desired acts after the API latency despite a later pass due", test_update_before_pending_pass },
	{ "deploy acts after the API latency despite a later pass due", test_deploy_before_pending_pass },
	{ "a pass due earlier is kept", test_earlier_pass_kept },
	{ "the throttle steps once per launch attempt", test_throttle_step_per_attempt },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "service passes", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
