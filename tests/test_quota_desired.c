/* tests/test_quota_desired.c — the quota of 5,000 tasks per service
 * (docs/ecs-model.md §7.5, choice E206) holds for every desired count the
 * run can be given: a scenario's desiredCount, a set_desired trace row,
 * and Service Auto Scaling's minCapacity / maxCapacity (also a scheduled
 * action's).  Above it: an error naming the file, the place (line and
 * column, or the JSON path) and the quota; at it, the run goes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"

#define HEAD "{\"name\":\"q\",\"durationSeconds\":120," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"]," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1}]," \
	"\"taskDefinitions\":{\"small\":\"small.json\"},"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("small.json", "{\"family\":\"small\",\"containerDefinitions\":[{\"name\":\"a\","
		 "\"image\":\"x\",\"cpu\":256,\"memory\":512}]}");
	rs_write("q.json", HEAD
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"small\",\"desiredCount\":1}],"
		 "\"workload\":{\"traces\":[\"q.csv\"]}}");
	return 0;
}

/* set_desired 6000 (the auditor's probe): refused when the row is read,
 * file:line:column and the quota named; 5000 runs (the service asks for
 * 5000 tasks, most find no room, as services.csv shows). */
static void test_set_desired(void)
{
	char msg[512];

	rs_write("q.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "10,set_desired,web,,6000,,\n");
	CU_ASSERT(rs_run_msg("q.json", "q1", msg, sizeof msg) != 0);
	CU_ASSERT(strstr(msg, "q.csv:2:5") != NULL);
	CU_ASSERT(strstr(msg, "count") != NULL);
	CU_ASSERT(strstr(msg, "5000") != NULL);
	CU_ASSERT(strstr(msg, "quota") != NULL);
	if (!strstr(msg, "q.csv:2:5"))
		fprintf(stderr, "message: %s\n", msg);
	rs_write("q.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "10,set_desired,web,,5000,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("q.json", "q2", NULL, NULL, NULL), 0);
	RS_IS("q2", "services.csv", -1, "desired", "5000");
}

/* Service Auto Scaling: maxCapacity, minCapacity and a scheduled action's
 * bounds above 5000 are refused with their JSON path; 5000 is taken. */
static void test_scaling_bounds(void)
{
	static const struct {
		const char *scaling, *path;
	} bad[] = {
		{ "{\"minCapacity\":1,\"maxCapacity\":6000}", "$.services[0].autoScaling.maxCapacity" },
		{ "{\"minCapacity\":5001,\"maxCapacity\":5001}", "$.services[0].autoScaling.minCapacity" },
		{ "{\"minCapacity\":1,\"maxCapacity\":10,\"scheduledActions\":[{\"atSeconds\":60,\"maxCapacity\":6000}]}",
		  "$.services[0].autoScaling.scheduledActions[0].maxCapacity" },
	};
	char json[1024], msg[512];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(json, sizeof json, HEAD "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"small\","
			 "\"desiredCount\":1,\"autoScaling\":%s}]}", bad[i].scaling);
		rs_write("qs.json", json);
		CU_ASSERT(rs_run_msg("qs.json", "qs", msg, sizeof msg) != 0);
		CU_ASSERT(strstr(msg, "qs.json") != NULL);
		CU_ASSERT(strstr(msg, bad[i].path) != NULL);
		CU_ASSERT(strstr(msg, "5000") != NULL);
		if (!strstr(msg, bad[i].path))
			fprintf(stderr, "message: %s\n", msg);
	}
	snprintf(json, sizeof json, HEAD "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"small\","
		 "\"desiredCount\":1,\"autoScaling\":{\"minCapacity\":1,\"maxCapacity\":5000}}]}");
	rs_write("qs.json", json);
	CU_ASSERT_EQUAL(rs_run("qs.json", "qs2", NULL, NULL, NULL), 0);
}

static CU_TestInfo quota_tests[] = {
	{ "set_desired above 5000 refused at read time", test_set_desired },
	{ "Service Auto Scaling bounds above 5000 refused", test_scaling_bounds },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "quota_desired", setup, rs_teardown, NULL, NULL, quota_tests },
	CU_SUITE_INFO_NULL,
};
