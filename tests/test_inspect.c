/* tests/test_inspect.c — what `ecsim inspect` prints of a container's
 * `dependsOn` and `restartPolicy` (scenarios/README.md, "ecsim inspect";
 * docs/ecs-model.md §1.4, choice E158).  The command prints
 * taskdef_to_json's object as it is (cli/cmd_inspect.c): each container
 * has `dependsOn`, its entries as given ({containerName, condition}, in
 * order; [] when none), and `restartPolicy`, {enabled, restartAttemptPeriod}
 * when enabled (the period the API's default, 300 s, when not given), null
 * when absent or not enabled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <cjson/cJSON.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/taskdef.h"
#include "sim/err.h"

static const char deps_td[] =
	"{\"family\":\"deps\",\"containerDefinitions\":["
	"{\"name\":\"init\",\"image\":\"i\",\"memory\":64,\"essential\":false},"
	"{\"name\":\"envoy\",\"image\":\"e\",\"memory\":64,"
	"\"healthCheck\":{\"command\":[\"CMD\",\"true\"]},"
	"\"restartPolicy\":{\"enabled\":true}},"
	"{\"name\":\"app\",\"image\":\"a\",\"memory\":64,"
	"\"dependsOn\":[{\"containerName\":\"envoy\",\"condition\":\"HEALTHY\"},"
	"{\"containerName\":\"init\",\"condition\":\"SUCCESS\"}],"
	"\"restartPolicy\":{\"enabled\":true,\"restartAttemptPeriod\":120,\"ignoredExitCodes\":[0]}},"
	"{\"name\":\"log\",\"image\":\"l\",\"memory\":64,\"essential\":false,"
	"\"dependsOn\":[{\"containerName\":\"app\",\"condition\":\"START\"},"
	"{\"containerName\":\"init\",\"condition\":\"COMPLETE\"}],"
	"\"restartPolicy\":{\"enabled\":false,\"restartAttemptPeriod\":90}}]}";

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("deps.json", deps_td);
	return 0;
}

static const cJSON *container(const cJSON *o, const char *name)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(o, "containers")) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");

		if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
			return c;
	}
	T_FAIL(name);
	return NULL;
}

/* entry k of the container's dependsOn is {name, cond} */
static void dep_is(const cJSON *c, int k, const char *name, const char *cond)
{
	const cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c, "dependsOn"), k);

	CU_ASSERT_FATAL(cJSON_IsObject(d));
	T_STREQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "containerName")), name);
	T_STREQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "condition")), cond);
	T_EQ(cJSON_GetArraySize(d), 2);
}

static void n_deps_is(const cJSON *c, int n)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(c, "dependsOn");

	CU_ASSERT_FATAL(cJSON_IsArray(a));
	T_EQ(cJSON_GetArraySize(a), n);
}

/* restartPolicy: period < 0 wants null */
static void rp_is(const cJSON *c, int period)
{
	const cJSON *rp = cJSON_GetObjectItemCaseSensitive(c, "restartPolicy");

	CU_ASSERT_FATAL(rp != NULL);
	if (period < 0) {
		CU_ASSERT(cJSON_IsNull(rp));
		return;
	}
	CU_ASSERT_FATAL(cJSON_IsObject(rp));
	CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rp, "enabled")));
	T_EQ(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rp, "restartAttemptPeriod")), period);
}

static void test_deps_restart(void)
{
	char path[512];
	struct err e;
	struct taskdef *td;
	char *s;
	cJSON *o;
	const cJSON *c;

	snprintf(path, sizeof path, "%s/deps.json", rs_dir());
	err_clear(&e);
	td = taskdef_load(path, NULL, &e);
	CU_ASSERT_FATAL(td != NULL);
	s = taskdef_to_json(td);
	o = cJSON_Parse(s);
	CU_ASSERT_FATAL(o != NULL);
	c = container(o, "init");
	n_deps_is(c, 0);
	rp_is(c, -1);
	c = container(o, "envoy");
	n_deps_is(c, 0);
	rp_is(c, 300);                 /* the API's default period */
	c = container(o, "app");
	n_deps_is(c, 2);
	dep_is(c, 0, "envoy", "HEALTHY");
	dep_is(c, 1, "init", "SUCCESS");
	rp_is(c, 120);
	c = container(o, "log");
	n_deps_is(c, 2);
	dep_is(c, 0, "app", "START");
	dep_is(c, 1, "init", "COMPLETE");
	rp_is(c, -1);                  /* given, not enabled */
	cJSON_Delete(o);
	free(s);
	taskdef_free(td);
}

static CU_TestInfo inspect_tests[] = {
	{ "inspect prints each container's dependsOn and restartPolicy", test_deps_restart },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "ecsim inspect", setup, rs_teardown, NULL, NULL, inspect_tests },
	CU_SUITE_INFO_NULL,
};
