/* tests/helpers/bgfull.c — see bgfull.h. */
#include "bgfull.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "runscn.h"
#include "tutil.h"

void bgf_taskdefs(const char *prefix)
{
	static const char *const hc = "\"healthCheck\":{\"command\":[\"CMD-SHELL\",\"true\"],"
		"\"interval\":10,\"timeout\":5,\"retries\":3";
	char name[64], text[512];

	snprintf(name, sizeof name, "%s-hc.json", prefix);
	snprintf(text, sizeof text, "{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		 "\"cpu\":1024,\"memory\":512,%s,\"startPeriod\":30}}]}", hc);
	rs_write(name, text);
	snprintf(name, sizeof name, "%s-hc2.json", prefix);
	snprintf(text, sizeof text, "{\"family\":\"web\",\"revision\":2,\"containerDefinitions\":[{\"name\":\"app\","
		 "\"image\":\"x:2\",\"cpu\":1024,\"memory\":512,%s,\"startPeriod\":30}}]}", hc);
	rs_write(name, text);
	snprintf(name, sizeof name, "%s-hc2n.json", prefix);
	snprintf(text, sizeof text, "{\"family\":\"web\",\"revision\":2,\"containerDefinitions\":[{\"name\":\"app\","
		 "\"image\":\"x:2\",\"cpu\":1024,\"memory\":512,%s}}]}", hc);
	rs_write(name, text);
}

void bgf_write(const char *name, const char *prefix, const char *cp_extra, const char *green_td, const char *dc,
	       const char *rows)
{
	static const char *const four = "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":4}";

	bgf_write_in(name, prefix, cp_extra, four, "", green_td, "", dc, rows);
}

void bgf_write_in(const char *name, const char *prefix, const char *cp_extra, const char *groups, const char *top,
		  const char *green_td, const char *more, const char *dc, const char *rows)
{
	char scn[64], trace[64], json[2048], csv[512];

	snprintf(scn, sizeof scn, "%s.json", name);
	snprintf(trace, sizeof trace, "%s.csv", name);
	snprintf(json, sizeof json, "{\"name\":\"%s\",\"durationSeconds\":1200,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25,"
		 "\"schedulerDelaySeconds\":10%s},"
		 "\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1,"
		 "\"containerStartSeconds\":2,\"shutdownSeconds\":3},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[%s],"
		 "\"taskDefinitions\":{\"hc\":\"%s-hc.json\",\"hc2\":\"%s\"},%s"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"hc\",\"desiredCount\":4%s,"
		 "\"deploymentConfiguration\":%s}],"
		 "\"workload\":{\"traces\":[\"%s\"]}}", name, cp_extra, groups, prefix, green_td, top, more, dc, trace);
	rs_write(scn, json);
	snprintf(csv, sizeof csv, "time_s,event,target,taskdef,count,duration_s,group\n%s", rows);
	rs_write(trace, csv);
}

double bgf_stage_at(const char *tag, const char *stage, int k)
{
	int n = rs_rows(tag, "deployments.csv");

	for (int r = 1; r <= n; r++) {
		char *st = rs_cell(tag, "deployments.csv", r, "stage");
		char *dep = rs_cell(tag, "deployments.csv", r, "deployment");
		int hit = st && dep && strcmp(st, stage) == 0 && strcmp(dep, "2") == 0 && --k == 0;

		free(st);
		free(dep);
		if (hit)
			return rs_num(tag, "deployments.csv", r, "time_s");
	}
	return -1;
}

int bgf_row_of(const char *tag, const char *task)
{
	int r = rs_find(tag, "tasks.csv", "task_id", task);

	if (r <= 0) {
		char m[128];

		snprintf(m, sizeof m, "%s: no row for %s", tag, task);
		T_FAIL(m);
	}
	return r;
}

void bgf_failure_is(const char *tag, int row, const char *task, double at)
{
	RS_IS(tag, "placement_failures.csv", row, "task_id", task);
	T_NEAR(rs_num(tag, "placement_failures.csv", row, "time_s"), at);
}
