/* tests/test_svc_config.c — a service's CreateService members as ECS reads
 * them (docs/ecs-model.md §5.1, §5.6, §4.10): `desiredCount` required for
 * REPLICA, refused with `placementStrategy` and `autoScaling` for DAEMON, the circuit breaker's `resetOnHealthyTask`, and numbers in
 * error messages written as given. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tdefs.h"
#include "helpers/tutil.h"

#define TIMING TIMING_BY_HAND

#define HEAD(name, dur) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," TIMING \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"]," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.xlarge\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"

#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"

/* one essential container with a health check every 10 s, 3 retries, no
 * start period: healthy 10 s after RUNNING (§5.2) */
#define TD_HC(rev, image) "{\"family\":\"hc\",\"revision\":" rev ",\"containerDefinitions\":[{\"name\":\"app\"," \
	"\"image\":\"" image "\",\"cpu\":256,\"memory\":512,\"healthCheck\":{\"command\":[\"CMD-SHELL\",\"true\"]," \
	"\"interval\":10,\"timeout\":5,\"retries\":3}}]}"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("hc1.json", TD_HC("1", "x"));
	rs_write("hc2.json", TD_HC("2", "x:2"));
	rs_write("small.json",
		 "{\"family\":\"small\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":256,\"memory\":512}]}");
	return 0;
}

/* §5.6 resetOnHealthyTask.  Desired 4 at min 100 / max 125 (one new task at
 * a time), breaker with rollback, threshold clamp(ceil(50 % × 4), 3, 200)
 * = 3.  Deploy v2 at 300: task-5 submitted 300.25, placed 301.25, RUNNING
 * 313.75 (network 0.5 + pull 10 + start 2); its checks at 323.75, 333.75,
 * 343.75, 353.75, ...  Its command fails over [320, 340): the checks at
 * 323.75 and 333.75 fail (2 counted, fewer than retries: not unhealthy),
 * 343.75 passes: healthy.  It fails again over [350, 355): 353.75 fails.
 * With the reset (the default, or true) the count is 1 there and the
 * deployment completes; without it, 3: FAILED at 353.75 and the rollback's
 * deployment 3 starts then. */
static void breaker_write(const char *tag, const char *member)
{
	char scn[2048], file[32];

	snprintf(scn, sizeof scn, HEAD("br", 900)
		 "\"taskDefinitions\":{\"v1\":\"hc1.json\",\"v2\":\"hc2.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":4,"
		 "\"deploymentConfiguration\":{\"minimumHealthyPercent\":100,\"maximumPercent\":125,"
		 "\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":true%s}}}],"
		 "\"workload\":{\"traces\":[\"br.csv\"]}}", member);
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scn);
	rs_write("br.csv", TRACE_HDR "300,deploy,s,v2,,,\n"
		 "320,health_check_fail,task-5,,,20,\n"
		 "350,health_check_fail,task-5,,,5,\n");
}

static void breaker_run(const char *tag, const char *member)
{
	char file[32];

	breaker_write(tag, member);
	snprintf(file, sizeof file, "%s.json", tag);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, NULL, NULL), 0);
}

static void completes(const char *tag)
{
	int n = rs_rows(tag, "deployments.csv");

	for (int r = 1; r <= n; r++) {
		char *st = rs_cell(tag, "deployments.csv", r, "stage");

		CU_ASSERT(st && strcmp(st, "FAILED") != 0);
		free(st);
	}
	RS_IS(tag, "deployments.csv", -1, "deployment", "2");
	RS_IS(tag, "deployments.csv", -1, "stage", "COMPLETED");
}

static void test_reset_default(void)
{
	breaker_run("r-dflt", "");
	completes("r-dflt");
}

static void test_reset_true(void)
{
	breaker_run("r-true", ",\"resetOnHealthyTask\":true");
	completes("r-true");
}

static void test_reset_false(void)
{
	int r;

	breaker_run("r-false", ",\"resetOnHealthyTask\":false");
	r = rs_find("r-false", "deployments.csv", "stage", "FAILED");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("r-false", "deployments.csv", r, "deployment", "2");
	T_NEAR(rs_num("r-false", "deployments.csv", r, "time_s"), 353.75);
	RS_IS("r-false", "deployments.csv", r + 1, "deployment", "3");
	RS_IS("r-false", "deployments.csv", r + 1, "stage", "IN_PROGRESS");
	T_NEAR(rs_num("r-false", "deployments.csv", r + 1, "time_s"), 353.75);
}

/* A bad value: file, JSON path and reason. */
static void test_reset_not_bool(void)
{
	char msg[1024];

	breaker_write("r-num", ",\"resetOnHealthyTask\":1");
	T_EQ(rs_run_msg("r-num.json", "r-num", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "r-num.json") != NULL);
	CU_ASSERT(strstr(msg, "$.services[0].deploymentConfiguration.deploymentCircuitBreaker.resetOnHealthyTask") != NULL);
}

/* §5.1: desiredCount is required for REPLICA; DAEMON refuses it. */
static void test_replica_needs_desired(void)
{
	char msg[1024];

	rs_write("nd.json", HEAD("nd", 60)
		 "\"taskDefinitions\":{\"v1\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\"}]}");
	T_EQ(rs_run_msg("nd.json", "nd", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "nd.json") != NULL);
	CU_ASSERT(strstr(msg, "$.services[0].desiredCount") != NULL);
	CU_ASSERT(strstr(msg, "required member is missing") != NULL);
	rs_write("nd0.json", HEAD("nd0", 60)
		 "\"taskDefinitions\":{\"v1\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":0}]}");
	T_EQ(rs_run_msg("nd0.json", "nd0", msg, sizeof msg), 0);
	rs_write("dd.json", HEAD("dd", 60)
		 "\"taskDefinitions\":{\"v1\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"schedulingStrategy\":\"DAEMON\"}]}");
	T_EQ(rs_run_msg("dd.json", "dd", msg, sizeof msg), 0);
}

/* §4.10: a DAEMON service has no desired count, no strategies and no
 * Service Auto Scaling; ECS refuses each, so ecsim does: the file, the
 * member's JSON path and the reason.  Without them the same service loads. */
static void test_daemon_refusals(void)
{
	static const char *const members[][2] = {
		{ "desiredCount", "\"desiredCount\":2" },
		{ "placementStrategy", "\"placementStrategy\":[{\"type\":\"binpack\",\"field\":\"memory\"}]" },
		{ "autoScaling", "\"autoScaling\":{\"minCapacity\":1,\"maxCapacity\":4,\"targetTracking\":"
				 "[{\"predefinedMetricType\":\"ECSServiceAverageCPUUtilization\",\"targetValue\":50}]}" },
	};
	char msg[1024], buf[1024], name[64], want[128];

	for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
		snprintf(name, sizeof name, "dr%zu.json", i);
		snprintf(buf, sizeof buf, HEAD("dr", 60)
			 "\"taskDefinitions\":{\"v1\":\"small.json\"},"
			 "\"services\":[{\"serviceName\":\"logs\",\"taskDefinition\":\"v1\","
			 "\"schedulingStrategy\":\"DAEMON\",%s}]}", members[i][1]);
		rs_write(name, buf);
		T_EQ(rs_run_msg(name, "dr", msg, sizeof msg), -1);
		CU_ASSERT(strstr(msg, name) != NULL);
		snprintf(want, sizeof want, "$.services[0].%s: not used by a DAEMON service", members[i][0]);
		CU_ASSERT(strstr(msg, want) != NULL);
	}
	rs_write("dr-ok.json", HEAD("dr-ok", 60)
		 "\"taskDefinitions\":{\"v1\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"logs\",\"taskDefinition\":\"v1\",\"schedulingStrategy\":\"DAEMON\"}]}");
	T_EQ(rs_run_msg("dr-ok.json", "dr-ok", msg, sizeof msg), 0);
}

/* A number in an error message as the file gives it: 2.9, not
 * 2.8999999999999999; 0.05, not 0.050000000000000003. */
static void test_message_numbers(void)
{
	char msg[1024];

	rs_write("sp.json", HEAD("sp", 60)
		 "\"taskDefinitions\":{\"v1\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":1,"
		 "\"deploymentConfiguration\":{\"strategy\":\"LINEAR\",\"linearConfiguration\":{\"stepPercent\":2.9}}}]}");
	T_EQ(rs_run_msg("sp.json", "sp", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "stepPercent") != NULL);
	CU_ASSERT(strstr(msg, "got 2.9") != NULL && strstr(msg, "2.89999") == NULL);
	rs_write("cp.json", HEAD("cp", 60)
		 "\"taskDefinitions\":{\"v1\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":1,"
		 "\"deploymentConfiguration\":{\"strategy\":\"CANARY\",\"canaryConfiguration\":{\"canaryPercent\":0.05}}}]}");
	T_EQ(rs_run_msg("cp.json", "cp", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "canaryPercent") != NULL);
	CU_ASSERT(strstr(msg, "got 0.05") != NULL && strstr(msg, "0.0500000") == NULL);
	rs_write("tp.json", HEAD("tp", 60)
		 "\"taskDefinitions\":{\"v1\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"v1\",\"desiredCount\":1,"
		 "\"deploymentConfiguration\":{\"strategy\":\"CANARY\",\"canaryConfiguration\":{\"canaryPercent\":12.34}}}]}");
	T_EQ(rs_run_msg("tp.json", "tp", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "multiple of 0.1 (ECS refuses 12.34)") != NULL);
}

/* §5.1: CreateService's serviceName is 1-255 letters, digits, '_' and '-';
 * ECS refuses another, so ecsim does (file, JSON path, reason); the longest
 * and every allowed character load. */
static void test_service_name_rule(void)
{
	static const char *const bad[] = { "", "web app", "web.app", "svc/1", "caf\xc3\xa9", NULL };
	char scn[2048], name[300], msg[1024];

	for (int i = 0; bad[i] || i == 5; i++) {
		if (!bad[i]) {   /* 256 characters */
			memset(name, 'a', 256);
			name[256] = '\0';
		} else {
			snprintf(name, sizeof name, "%s", bad[i]);
		}
		snprintf(scn, sizeof scn, HEAD("sn", 60) "\"taskDefinitions\":{\"v1\":\"small.json\"},"
			 "\"services\":[{\"serviceName\":\"%s\",\"taskDefinition\":\"v1\",\"desiredCount\":1}]}",
			 name);
		rs_write("sn.json", scn);
		T_EQ(rs_run_msg("sn.json", "sn", msg, sizeof msg), -1);
		if (!strstr(msg, "$.services[0].serviceName: invalid service name") ||
		    !strstr(msg, "1 to 255 letters, digits, '_' or '-'"))
			T_FAIL(msg);
		if (!bad[i])
			break;
	}
	memset(name, 'a', 255);
	memcpy(name, "Az09_-", 6);
	name[255] = '\0';
	snprintf(scn, sizeof scn, HEAD("sn", 60) "\"taskDefinitions\":{\"v1\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"%s\",\"taskDefinition\":\"v1\",\"desiredCount\":1}]}", name);
	rs_write("sn.json", scn);
	T_EQ(rs_run_msg("sn.json", "sn", msg, sizeof msg), 0);
}

static CU_TestInfo tests[] = {
	{ "resetOnHealthyTask absent: a healthy task resets the breaker", test_reset_default },
	{ "resetOnHealthyTask true: the same", test_reset_true },
	{ "resetOnHealthyTask false: the count keeps growing", test_reset_false },
	{ "resetOnHealthyTask must be a boolean", test_reset_not_bool },
	{ "a REPLICA service without desiredCount is refused", test_replica_needs_desired },
	{ "a DAEMON service refuses desiredCount, placementStrategy and autoScaling (§4.10)", test_daemon_refusals },
	{ "numbers in messages as given", test_message_numbers },
	{ "serviceName: 1-255 letters, digits, '_' or '-' (§5.1)", test_service_name_rule },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "service configuration", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
