/* tests/test_agent_start_timeout.c — the agent's container start and
 * create timeouts (docs/ecs-model.md §7.3, choice E207):
 * agent.containerStartTimeoutSeconds (ECS_CONTAINER_START_TIMEOUT, 180 s;
 * 480 s on Windows instances)
 * and containerCreateTimeoutSeconds (ECS_CONTAINER_CREATE_TIMEOUT, 240 s,
 * at least 60).  A start step (containerStartSeconds) longer than either
 * ends at the smaller one with TaskFailedToStart; one no longer starts.
 * Instants by hand: RunTask at 0, placed at 1 (placementLatencySeconds),
 * the start request reaches the agent 0.5 s later, the image pull takes
 * 10 s: the start step begins at 11.5 s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"

#define CP "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0,\"schedulerDelaySeconds\":10}," \

#define HEAD(name, agent, group_agent) "{\"name\":\"" name "\",\"durationSeconds\":1200," CP \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10" agent "}," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"]," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1" \
	group_agent "}]," \
	"\"taskDefinitions\":{\"small\":\"small.json\"},"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("small.json", "{\"family\":\"small\",\"containerDefinitions\":[{\"name\":\"a\","
		 "\"image\":\"x\",\"cpu\":256,\"memory\":512}]}");
	/* a task with a run time (the agent's quickest path) and one without */
	rs_write("st.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,t1,small,1,500,\n"
		 "0,run_task,t2,small,1,,\n");
	return 0;
}

static void check_failed(const char *tag, const char *id, double at)
{
	int r = rs_find(tag, "tasks.csv", "task_id", id);

	CU_ASSERT_FATAL(r > 0);
	RS_IS(tag, "tasks.csv", r, "stop_code", "TaskFailedToStart");
	RS_IS(tag, "tasks.csv", r, "running_s", "");
	T_NEAR(rs_num(tag, "tasks.csv", r, "stopped_s"), at);
}

static void check_running(const char *tag, const char *id, double at)
{
	int r = rs_find(tag, "tasks.csv", "task_id", id);

	CU_ASSERT_FATAL(r > 0);
	T_NEAR(rs_num(tag, "tasks.csv", r, "running_s"), at);
}

/* containerStartSeconds 300 (the auditor's probe): the agent gives up at
 * 11.5 + 180 = 191.5 s (it ran at 311.5 s before); at 180 exactly the task
 * runs at 191.5 s. */
static void test_start_timeout(void)
{
	rs_write("a.json", HEAD("a", ",\"containerStartSeconds\":300", "") "\"workload\":{\"traces\":[\"st.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("a.json", "a", NULL, NULL, NULL), 0);
	check_failed("a", "t1", 191.5);
	check_failed("a", "t2", 191.5);
	rs_write("b.json", HEAD("b", ",\"containerStartSeconds\":180", "") "\"workload\":{\"traces\":[\"st.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("b.json", "b", NULL, NULL, NULL), 0);
	check_running("b", "t1", 191.5);
	check_running("b", "t2", 191.5);
}

/* The timeouts as parameters, set on the group over the scenario's agent:
 * a start timeout of 400 s alone still ends the 300 s step at the create
 * timeout, 11.5 + 240 = 251.5 s (the step is held to both, choice E207);
 * with both at 400 s it runs at 311.5 s.  A create timeout of 60 s ends a
 * 100 s start at 71.5 s; below 60 is refused, as a start timeout of 0. */
static void test_timeout_parameters(void)
{
	char msg[512];

	rs_write("c.json", HEAD("c", ",\"containerStartSeconds\":300", ",\"agent\":{\"containerStartTimeoutSeconds\":400}")
		 "\"workload\":{\"traces\":[\"st.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("c.json", "c", NULL, NULL, NULL), 0);
	check_failed("c", "t1", 251.5);
	check_failed("c", "t2", 251.5);
	rs_write("c.json", HEAD("c", ",\"containerStartSeconds\":300", ",\"agent\":{\"containerStartTimeoutSeconds\":400,"
				"\"containerCreateTimeoutSeconds\":400}")
		 "\"workload\":{\"traces\":[\"st.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("c.json", "c", NULL, NULL, NULL), 0);
	check_running("c", "t1", 311.5);
	check_running("c", "t2", 311.5);
	rs_write("d.json", HEAD("d", ",\"containerStartSeconds\":100,\"containerCreateTimeoutSeconds\":60", "")
		 "\"workload\":{\"traces\":[\"st.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("d.json", "d", NULL, NULL, NULL), 0);
	check_failed("d", "t1", 71.5);
	check_failed("d", "t2", 71.5);
	rs_write("e.json", HEAD("e", ",\"containerCreateTimeoutSeconds\":30", "") "\"workload\":{\"traces\":[\"st.csv\"]}}");
	CU_ASSERT(rs_run_msg("e.json", "e", msg, sizeof msg) != 0);
	CU_ASSERT(strstr(msg, "e.json") != NULL);
	CU_ASSERT(strstr(msg, "$.agent.containerCreateTimeoutSeconds") != NULL);
	rs_write("f.json", HEAD("f", ",\"containerStartTimeoutSeconds\":0", "") "\"workload\":{\"traces\":[\"st.csv\"]}}");
	CU_ASSERT(rs_run_msg("f.json", "f", msg, sizeof msg) != 0);
	CU_ASSERT(strstr(msg, "$.agent.containerStartTimeoutSeconds") != NULL);
}

/* A service's task that times out fails to start (service_summary.csv
 * tasks_failed_to_start) and never runs; its launches go on, throttled
 * after 3 failures (docs/ecs-model.md §5.4), so fewer than one per
 * 191.5 s + the scheduler delay. */
static void test_service_start_timeout(void)
{
	int n;

	rs_write("s.json", HEAD("s", ",\"containerStartSeconds\":300", "")
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"small\",\"desiredCount\":1}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("s.json", "s", NULL, NULL, NULL), 0);
	RS_IS("s", "service_summary.csv", 1, "tasks_started", "0");
	n = (int)rs_num("s", "service_summary.csv", 1, "tasks_failed_to_start");
	CU_ASSERT(n >= 3 && n <= 1200 / 190);
	/* the first: placed at 1 s after CreateService's pass, failed 190.5 s later */
	{
		double placed = rs_num("s", "tasks.csv", 1, "placed_s");

		T_NEAR(rs_num("s", "tasks.csv", 1, "stopped_s"), placed + 0.5 + 10 + 180);
		RS_IS("s", "tasks.csv", 1, "stop_code", "TaskFailedToStart");
	}
}

/* The start timeout's default follows the instance's OS (docs/ecs-model.md
 * §7.3): 3 min on Linux, 8 min on Windows.  A 200 s start (under the 240 s
 * create timeout) of a Windows task on a Windows instance runs at
 * 11.5 + 200 = 211.5 s with the defaults (it failed at 191.5 s when the
 * Windows default was 180 s too); the same start on Linux fails at
 * 191.5 s.  Cases: Windows by instanceDefaults (a group's instance, and
 * one the trace registers: the scenario's settings); a Windows group and
 * a Linux group side by side, Linux by default, the Windows group with an
 * agent of its own (its pull only) or without; an explicit
 * containerStartTimeoutSeconds holds on Windows as given (180 s: fails;
 * on the scenario or on the group). */
static void win_case(const char *tag, const char *defaults, const char *agent, const char *groups,
		     const char *trace)
{
	char buf[2048];

	snprintf(buf, sizeof buf, "{\"name\":\"%s\",\"durationSeconds\":600," CP
		 "\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"containerStartSeconds\":200%s},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceDefaults\":{%s},\"instanceGroups\":[%s],"
		 "\"taskDefinitions\":{\"win\":\"win.json\",\"lin\":\"lin.json\"},"
		 "\"workload\":{\"traces\":[\"%s\"]}}", tag, agent, defaults, groups, trace);
	rs_write("w.json", buf);
	CU_ASSERT_EQUAL_FATAL(rs_run("w.json", tag, NULL, NULL, NULL), 0);
}

static void test_windows_default(void)
{
	const char *win = "\"osFamily\":\"WINDOWS_SERVER_2019_CORE\"";
	const char *one = "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1}";
	const char *two_wg = "{\"name\":\"w\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
		"\"settings\":{\"osFamily\":\"WINDOWS_SERVER_2019_CORE\"}},"
		"{\"name\":\"l\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}";
	const char *two_wg_agent = "{\"name\":\"w\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
		"\"settings\":{\"osFamily\":\"WINDOWS_SERVER_2019_CORE\"},\"agent\":{\"imagePullSeconds\":10}},"
		"{\"name\":\"l\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}";
	const char *one_set = "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1,"
		"\"agent\":{\"containerStartTimeoutSeconds\":180}}";

	rs_write("win.json", "{\"family\":\"win\",\"runtimePlatform\":{\"operatingSystemFamily\":\"WINDOWS_SERVER_2019_CORE\"},"
		 "\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":256,\"memory\":512}]}");
	rs_write("lin.json", "{\"family\":\"lin\",\"runtimePlatform\":{\"operatingSystemFamily\":\"LINUX\"},"
		 "\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":256,\"memory\":512}]}");
	rs_write("w1.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,t1,win,1,,\n");
	rs_write("l1.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,t1,lin,1,,\n");
	rs_write("wl.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,run_task,t1,win,1,,\n"
		 "0,run_task,t2,lin,1,,\n");
	/* the instance registered at 0 by the trace: the same instants */
	rs_write("wr.csv", "time_s,event,target,taskdef,count,duration_s,group\n"
		 "0,register_instance,m5.large,,1,,us-east-1a\n"
		 "0,run_task,t1,win,1,,\n");

	win_case("wa", win, "", one, "w1.csv");
	check_running("wa", "t1", 211.5);
	win_case("la", "", "", one, "l1.csv");
	check_failed("la", "t1", 191.5);
	win_case("wr", win, "", "", "wr.csv");
	check_running("wr", "t1", 211.5);
	win_case("wg", "", "", two_wg, "wl.csv");
	check_running("wg", "t1", 211.5);
	check_failed("wg", "t2", 191.5);
	win_case("wga", "", "", two_wg_agent, "wl.csv");
	check_running("wga", "t1", 211.5);
	check_failed("wga", "t2", 191.5);
	/* given, it holds as given, on Windows too */
	win_case("ws", win, ",\"containerStartTimeoutSeconds\":180", one, "w1.csv");
	check_failed("ws", "t1", 191.5);
	win_case("wsg", win, "", one_set, "w1.csv");
	check_failed("wsg", "t1", 191.5);
	/* and a Linux instance takes a longer one given */
	win_case("ls", "", ",\"containerStartTimeoutSeconds\":480", one, "l1.csv");
	check_running("ls", "t1", 211.5);
}

static CU_TestInfo tests[] = {
	{ "a start longer than the start timeout fails at it", test_start_timeout },
	{ "start and create timeouts as parameters", test_timeout_parameters },
	{ "a service task that times out fails to start", test_service_start_timeout },
	{ "the start timeout's default: 8 min on Windows", test_windows_default },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "agent_start_timeout", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
