/* tests/test_fargate.c — tasks on Fargate and Fargate Spot, whole runs,
 * each written from the ECS rule (docs/ecs-model.md §1.3, §4.11, §5.11,
 * §5.13; choices E65–E69):
 *   - a FARGATE task has no instance, an AZ of the scenario's, waits the
 *     provisioning latency (by default the reference's 60 s), then runs; a
 *     service's tasks spread over the AZs;
 *   - no Fargate in Local or Wavelength Zones (INTERNAL_ERROR when no other);
 *   - per-AZ limits: a full zone is CAPACITY_UNAVAILABLE; an AZ outage stops
 *     the zone's Fargate tasks and keeps new ones out;
 *   - invalid sizes are refused at load with every valid combination listed;
 *   - strategies: base first, then by weight (FARGATE base 2 weight 1 +
 *     FARGATE_SPOT weight 4 over 502 tasks → 102 : 400);
 *   - a stop's grace: agent.stopTimeoutSeconds, at most Fargate's 120 s;
 *   - FARGATE_SPOT interruptions: TerminationNotice ("Your Spot Task was
 *     interrupted."), SIGTERM, killed at the stop timeout, replaced; their
 *     count over many task-hours matches the rate within a 99 % Poisson
 *     interval;
 *   - cost: per second, 60 s minimum, vCPU-hours and GB-hours, Spot 70 % off,
 *     hand-computed to the cent;
 *   - AZ rebalancing (§5.9) counts Fargate tasks by zone: after an AZ
 *     outage a 6-task service goes back to 2/2/2 within maximumPercent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/scenario.h"
#include "models/service_int.h"
#include "sim/err.h"

/* No placement, API or scheduler latency beyond the defaults named here. */
#define HEAD(name, dur) HEAD_SH(name, dur, 2)
#define HEAD_SH(name, dur, sh) "{\"name\":\"" name "\",\"durationSeconds\":" #dur ",\"seed\":5," \
	"\"controlPlane\":{\"placementLatencySeconds\":1,\"schedulerDelaySeconds\":10}," \
	"\"agent\":{\"shutdownSeconds\":" #sh ",\"eniDetachSeconds\":5}," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"]," \
	"\"taskDefinitions\":{\"fg\":\"fg.json\",\"big\":\"big.json\",\"tiny\":\"tiny.json\"},"
#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("fg.json", "{\"family\":\"fg\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
		 "\"cpu\":\"512\",\"memory\":\"1024\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		 "\"essential\":true,\"stopTimeout\":30}]}");
	rs_write("big.json", "{\"family\":\"big\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
		 "\"cpu\":\"4096\",\"memory\":\"16384\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		 "\"essential\":true}]}");
	rs_write("tiny.json", "{\"family\":\"tiny\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
		 "\"cpu\":\"256\",\"memory\":\"512\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		 "\"essential\":true}]}");
	return 0;
}

static double num(const char *tag, const char *file, int row, const char *col)
{
	return rs_num(tag, file, row, col);
}

/* Count the rows of tasks.csv where `col` == `value`. */
static int count_rows(const char *tag, const char *col, const char *value)
{
	int n = rs_rows(tag, "tasks.csv"), k = 0;

	for (int r = 1; r <= n; r++) {
		char *v = rs_cell(tag, "tasks.csv", r, col);

		k += v && strcmp(v, value) == 0;
		free(v);
	}
	return k;
}

/* A service with launchType FARGATE: no instance at all in the scenario,
 * 9 tasks spread 3/3/3 over the AZs (docs/ecs-model.md §4.11), each
 * PROVISIONING for exactly the (constant) provisioning latency, then
 * RUNNING; launch_type FARGATE. */
static void test_service_on_fargate(void)
{
	int per_az[3] = { 0 };

	rs_write("svc.json", HEAD("svc", 600)
		 "\"fargate\":{\"provisioningSeconds\":45},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"fg\",\"desiredCount\":9,"
		 "\"launchType\":\"FARGATE\"}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("svc.json", "svc", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("svc", "tasks.csv"), 9);
	for (int r = 1; r <= 9; r++) {
		char *az = rs_cell("svc", "tasks.csv", r, "az");

		RS_IS("svc", "tasks.csv", r, "instance_id", "");
		RS_IS("svc", "tasks.csv", r, "launch_type", "FARGATE");
		RS_IS("svc", "tasks.csv", r, "last_status", "RUNNING");
		/* placed after the 1 s placement latency, RUNNING 45 s later */
		T_NEAR(num("svc", "tasks.csv", r, "start_s") - num("svc", "tasks.csv", r, "placed_s"), 45.0);
		for (int a = 0; a < 3; a++) {
			char name[16];

			snprintf(name, sizeof name, "us-east-1%c", 'a' + a);
			per_az[a] += az && strcmp(az, name) == 0;
		}
		free(az);
	}
	T_EQ(per_az[0], 3);
	T_EQ(per_az[1], 3);
	T_EQ(per_az[2], 3);
	RS_IS("svc", "services.csv", -1, "running", "9");
	RS_IS("svc", "summary.csv", 1, "peak_instances_used", "0");
}

/* No provisioningSeconds: the reference's default of 60 s from creation to
 * RUNNING (docs/ecs-model.md §4.11, choice E66), the same for every task,
 * counted from the placement (1 s after creation here).  Under the old
 * default (uniform 30-90 s) no two of the 9 tasks took the same time. */
static void test_default_provisioning(void)
{
	rs_write("dp.json", HEAD("dp", 600)
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"fg\",\"desiredCount\":9,"
		 "\"launchType\":\"FARGATE\"}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("dp.json", "dp", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("dp", "tasks.csv"), 9);
	for (int r = 1; r <= 9; r++) {
		T_NEAR(num("dp", "tasks.csv", r, "placed_s") - num("dp", "tasks.csv", r, "submit_s"), 1.0);
		T_NEAR(num("dp", "tasks.csv", r, "running_s") - num("dp", "tasks.csv", r, "placed_s"), 60.0);
		T_NEAR(num("dp", "tasks.csv", r, "provisioning_s"), num("dp", "tasks.csv", r, "placed_s"));
		T_NEAR(num("dp", "tasks.csv", r, "pending_s"), num("dp", "tasks.csv", r, "running_s"));
	}
}

/* availabilityZones (the zones of the service's subnets): 6 tasks over
 * us-east-1a and us-east-1c only, 3 each, none in us-east-1b
 * (docs/ecs-model.md §4.11). */
static void test_subnet_zones(void)
{
	int n;

	rs_write("sz.json", HEAD("sz", 300)
		 "\"fargate\":{\"provisioningSeconds\":10},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"fg\",\"desiredCount\":6,"
		 "\"availabilityZones\":[\"us-east-1c\",\"us-east-1a\"]}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("sz.json", "sz", NULL, NULL, NULL), 0);
	n = rs_rows("sz", "tasks.csv");
	T_EQ(n, 6);
	T_EQ(count_rows("sz", "az", "us-east-1a"), 3);
	T_EQ(count_rows("sz", "az", "us-east-1c"), 3);
	T_EQ(count_rows("sz", "az", "us-east-1b"), 0);
}

/* Scale-in of a Fargate service takes the tasks not yet RUNNING first
 * (docs/ecs-model.md §5.3 order), as on EC2: 3 RUNNING, +3 at 300 s still
 * PROVISIONING at 310 s when the count goes back to 3: the first three
 * keep running. */
static void test_scale_in_order(void)
{
	rs_write("si.json", HEAD("si", 600)
		 "\"fargate\":{\"provisioningSeconds\":45},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"fg\",\"desiredCount\":3,"
		 "\"launchType\":\"FARGATE\"}],\"workload\":{\"traces\":[\"si.csv\"]}}");
	rs_write("si.csv", TRACE_HDR "300,set_desired,web,,6,,\n310,set_desired,web,,3,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("si.json", "si", NULL, NULL, NULL), 0);
	for (int k = 1; k <= 3; k++) {
		char id[32];
		int r;

		snprintf(id, sizeof id, "task-%d", k);
		r = rs_find("si", "tasks.csv", "task_id", id);
		CU_ASSERT(r > 0);
		RS_IS("si", "tasks.csv", r, "stop_s", "");
	}
	RS_IS("si", "services.csv", -1, "running", "3");
}

/* $.fargate.azTaskLimit 2 over 3 AZs: 6 tasks run, the other launches are
 * refused CAPACITY_UNAVAILABLE (docs/ecs-model.md §4.9, §4.11). */
static void test_az_limit(void)
{
	rs_write("lim.json", HEAD("lim", 300)
		 "\"fargate\":{\"provisioningSeconds\":10,\"azTaskLimit\":2},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"fg\",\"desiredCount\":8,"
		 "\"launchType\":\"FARGATE\"}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("lim.json", "lim", NULL, NULL, NULL), 0);
	RS_IS("lim", "services.csv", -1, "running", "6");
	CU_ASSERT(rs_rows("lim", "placement_failures.csv") >= 2);
	RS_IS("lim", "placement_failures.csv", 1, "reason", "CAPACITY_UNAVAILABLE");
}

/* No Fargate in Local Zones or Wavelength Zones (docs/ecs-model.md §8.1,
 * §4.11, choice E234).  Zones us-west-2a, a Local Zone and us-west-2b: a
 * Fargate service of 6 runs 3 and 3 in the two Availability Zones (it ran
 * 2/2/2, the Local Zone's too), and AZ rebalancing, on by default, sees
 * them balanced (no "not AZ balanced" event: the Local Zone is not one of
 * its zones); 4 standalone Fargate tasks avoid the Local Zone as well,
 * while an EC2 task runs on an instance there.  A service whose subnets
 * are all in a Local Zone or a Wavelength Zone places nothing:
 * INTERNAL_ERROR, the event "Reason: Internal error." (ECS's message for
 * subnets in unsupported zones). */
static void test_local_zones(void)
{
	char *v;
	int rows;

	rs_write("ec2.json", "{\"family\":\"ec2\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
		 "\"cpu\":256,\"memory\":512}]}");
	rs_write("lz.csv", TRACE_HDR "5,run_task,,fg,4,,\n" "5,run_task,e1,ec2,1,,\n");
	rs_write("lz.json", "{\"name\":\"lz\",\"durationSeconds\":600,\"seed\":5,"
		 "\"region\":\"us-west-2\",\"availabilityZones\":[\"us-west-2a\",\"us-west-2-lax-1a\",\"us-west-2b\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-west-2-lax-1a\"}],"
		 "\"taskDefinitions\":{\"fg\":\"fg.json\",\"ec2\":\"ec2.json\"},"
		 "\"fargate\":{\"provisioningSeconds\":10},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"fg\",\"desiredCount\":6,"
		 "\"launchType\":\"FARGATE\"},"
		 "{\"serviceName\":\"lax\",\"taskDefinition\":\"fg\",\"desiredCount\":1,"
		 "\"launchType\":\"FARGATE\",\"availabilityZones\":[\"us-west-2-lax-1a\"]}],"
		 "\"workload\":{\"traces\":[\"lz.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("lz.json", "lz", NULL, NULL, NULL), 0);
	rows = rs_rows("lz", "tasks.csv");
	T_EQ(rows, 11);
	for (int r = 1; r <= rows; r++) {
		char *az = rs_cell("lz", "tasks.csv", r, "az"), *lt = rs_cell("lz", "tasks.csv", r, "launch_type");

		if (lt && strcmp(lt, "FARGATE") == 0)
			CU_ASSERT(az && strcmp(az, "us-west-2-lax-1a") != 0);
		if (lt && strcmp(lt, "EC2") == 0)
			T_STREQ(az, "us-west-2-lax-1a");
		free(az);
		free(lt);
	}
	RS_IS("lz", "services.csv", -2, "service", "web");
	RS_IS("lz", "services.csv", -2, "running", "6");
	CU_ASSERT(rs_find("lz", "placement_failures.csv", "reason", "INTERNAL_ERROR") > 0);
	CU_ASSERT(rs_find("lz", "placement_failures.csv", "reason", "CAPACITY_UNAVAILABLE") == 0);
	CU_ASSERT(rs_find("lz", "service_events.csv", "message",
			  "(service lax) was unable to place a task. Reason: Internal error.") > 0);
	rows = rs_rows("lz", "service_events.csv");
	for (int r = 1; r <= rows; r++) {
		v = rs_cell("lz", "service_events.csv", r, "message");
		CU_ASSERT(v && strstr(v, "not AZ balanced") == NULL);
		free(v);
	}
	/* only a Local Zone and a Wavelength Zone: nothing runs on Fargate */
	rs_write("lz2.json", "{\"name\":\"lz2\",\"durationSeconds\":300,\"seed\":5,"
		 "\"region\":\"us-west-2\",\"availabilityZones\":[\"us-west-2-lax-1a\",\"us-west-2-wl1-las-wlz-1\"],"
		 "\"taskDefinitions\":{\"fg\":\"fg.json\"},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"fg\",\"desiredCount\":3,"
		 "\"launchType\":\"FARGATE\"}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("lz2.json", "lz2", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("lz2", "tasks.csv"), 0);
	RS_IS("lz2", "placement_failures.csv", 1, "reason", "INTERNAL_ERROR");
	RS_IS("lz2", "services.csv", -1, "running", "0");
}

/* An AZ outage at 300 s for 600 s: the zone's Fargate tasks stop at once
 * (InfrastructureHealth) and their replacements go to the other zones;
 * nothing starts in the zone during the outage (choice E68). */
static void test_az_outage(void)
{
	int n, lost = 0, bad = 0;

	rs_write("out.json", HEAD("out", 1200)
		 "\"fargate\":{\"provisioningSeconds\":10},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"fg\",\"desiredCount\":6,"
		 "\"launchType\":\"FARGATE\"}],\"workload\":{\"traces\":[\"out.csv\"]}}");
	rs_write("out.csv", TRACE_HDR "300,az_outage,us-east-1a,,,600,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("out.json", "out", NULL, NULL, NULL), 0);
	n = rs_rows("out", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *az = rs_cell("out", "tasks.csv", r, "az");
		char *code = rs_cell("out", "tasks.csv", r, "stop_code");
		double placed = num("out", "tasks.csv", r, "placed_s");

		if (code && strcmp(code, "InfrastructureHealth") == 0) {
			lost++;
			CU_ASSERT(az && strcmp(az, "us-east-1a") == 0);
			T_NEAR(num("out", "tasks.csv", r, "stop_s"), 300.0);
		}
		if (az && strcmp(az, "us-east-1a") == 0 && placed > 300 && placed < 900)
			bad++;
		free(az);
		free(code);
	}
	T_EQ(lost, 2);
	T_EQ(bad, 0);
	RS_IS("out", "services.csv", -1, "running", "6");
}

/* A FARGATE task definition of an invalid size is refused at load, the
 * message listing every valid combination (docs/ecs-model.md §1.3). */
static void test_size_refused(void)
{
	struct err e;
	struct scenario *s;
	char path[600];

	rs_write("bad-size.json", "{\"family\":\"bad\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
		 "\"cpu\":\"1024\",\"memory\":\"1024\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		 "\"essential\":true}]}");
	rs_write("bs.json", "{\"name\":\"bs\",\"durationSeconds\":60,\"region\":\"us-east-1\","
		 "\"availabilityZones\":[\"us-east-1a\"],\"taskDefinitions\":{\"b\":\"bad-size.json\"}}");
	snprintf(path, sizeof path, "%s/bs.json", rs_dir());
	s = scenario_load(path, &e);
	CU_ASSERT_PTR_NULL(s);
	scenario_free(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.file, "bad-size.json"));
	T_STREQ(e.msg, "invalid 'cpu' setting for task: FARGATE with 1024 cpu units allows memory "
		"2048 to 8192 in steps of 1024 MiB, got 1024; valid sizes (cpu units → MiB): "
		"256 → 512, 1024 or 2048 | 512 → 1024, 2048, 3072 or 4096 | "
		"1024 → 2048 to 8192 in steps of 1024 | 2048 → 4096 to 16384 in steps of 1024 | "
		"4096 → 8192 to 30720 in steps of 1024 | 8192 → 16384 to 61440 in steps of 4096 | "
		"16384 → 32768 to 122880 in steps of 8192");
	/* launchType FARGATE with a definition that does not list FARGATE */
	rs_write("ec2.json", "{\"family\":\"ec2\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		 "\"cpu\":256,\"memory\":512}]}");
	rs_write("lt.json", "{\"name\":\"lt\",\"durationSeconds\":60,\"region\":\"us-east-1\","
		 "\"availabilityZones\":[\"us-east-1a\"],\"taskDefinitions\":{\"e\":\"ec2.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"e\",\"launchType\":\"FARGATE\"}]}");
	snprintf(path, sizeof path, "%s/lt.json", rs_dir());
	s = scenario_load(path, &e);
	CU_ASSERT_PTR_NULL(s);
	scenario_free(s);
	T_STREQ(e.path, "$.services[0].launchType");
}

/* docs/ecs-model.md §5.11: FARGATE base 2 weight 1, FARGATE_SPOT weight 4;
 * 502 tasks → 2 + 100 on FARGATE, 400 on FARGATE_SPOT. */
static void test_base_weight_split(void)
{
	rs_write("bw.json", HEAD("bw", 300)
		 "\"fargate\":{\"provisioningSeconds\":10},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"tiny\",\"desiredCount\":502,"
		 "\"capacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE\",\"base\":2,\"weight\":1},"
		 "{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":4}]}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("bw.json", "bw", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("bw", "tasks.csv"), 502);
	T_EQ(count_rows("bw", "capacity_provider", "FARGATE"), 102);
	T_EQ(count_rows("bw", "capacity_provider", "FARGATE_SPOT"), 400);
	T_EQ(count_rows("bw", "launch_type", "FARGATE"), 502);
	RS_IS("bw", "services.csv", -1, "running", "502");
}

/* The trace event: two of the service's Spot tasks are interrupted at
 * 300 s: stop code TerminationNotice, SIGTERM at once, the containers
 * (shutdown 200 s) killed at the stop timeout (30 s), DEPROVISIONING then;
 * the service replaces both (docs/ecs-model.md §5.13, choice E67). */
static void test_spot_event(void)
{
	int n, hit = 0;

	rs_write("se.json", HEAD_SH("se", 900, 200)
		 "\"fargate\":{\"provisioningSeconds\":10},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"fg\",\"desiredCount\":3,"
		 "\"capacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":1}]}],"
		 "\"workload\":{\"traces\":[\"se.csv\"]}}");
	rs_write("se.csv", TRACE_HDR "300,fargate_spot_interruption,web,,2,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("se.json", "se", NULL, NULL, NULL), 0);
	n = rs_rows("se", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *code = rs_cell("se", "tasks.csv", r, "stop_code");

		if (code && strcmp(code, "TerminationNotice") == 0) {
			hit++;
			T_NEAR(num("se", "tasks.csv", r, "stopping_s"), 300.0);
			T_NEAR(num("se", "tasks.csv", r, "deprovisioning_s"), 330.0);
			T_NEAR(num("se", "tasks.csv", r, "stop_s"), 335.0);
			/* ECS's stoppedReason for it (docs/ecs-model.md §3.3) */
			RS_IS("se", "tasks.csv", r, "stopped_reason", "Your Spot Task was interrupted.");
		} else
			RS_IS("se", "tasks.csv", r, "stopped_reason", "");
		free(code);
	}
	T_EQ(hit, 2);
	T_EQ(n, 5);
	RS_IS("se", "services.csv", -1, "running", "3");
	T_EQ(rs_rows("se", "failures.csv"), 2);
	RS_IS("se", "failures.csv", 1, "kind", "fargate_spot_interruption");
}

/* A Fargate container without a stopTimeout of its own is killed
 * `agent.stopTimeoutSeconds` after SIGTERM, at most Fargate's 120 s
 * (docs/ecs-model.md §3.2, choice E202): containers that ignore SIGTERM
 * (shutdownSeconds 500), a StopTask at 200 s: with stopTimeoutSeconds 300
 * the kill comes 120 s after STOPPING (the old code: 300 s), with 60 s it
 * comes 60 s after; DEPROVISIONING then lasts eniDetachSeconds (5 s). */
static void fg_stop_run(const char *tag, int stop_timeout_s, double want_wait_s)
{
	char buf[1024], name[64];
	double stopping;

	snprintf(buf, sizeof buf, "{\"name\":\"%s\",\"durationSeconds\":1000,\"seed\":5,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"schedulerDelaySeconds\":10},"
		 "\"agent\":{\"shutdownSeconds\":500,\"stopTimeoutSeconds\":%d,\"eniDetachSeconds\":5},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"taskDefinitions\":{\"tiny\":\"tiny.json\"},"
		 "\"fargate\":{\"provisioningSeconds\":10},"
		 "\"workload\":{\"traces\":[\"fs.csv\"]}}", tag, stop_timeout_s);
	snprintf(name, sizeof name, "%s.json", tag);
	rs_write(name, buf);
	rs_write("fs.csv", "time_s,event,target,taskdef,count,duration_s,group,launch_type\n"
		 "0,run_task,t1,tiny,1,,,FARGATE\n"
		 "200,stop_task,t1,,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run(name, tag, NULL, NULL, NULL), 0);
	stopping = num(tag, "tasks.csv", 1, "stopping_s");
	CU_ASSERT(stopping >= 200 && stopping < 201);
	T_NEAR(num(tag, "tasks.csv", 1, "deprovisioning_s") - stopping, want_wait_s);
	T_NEAR(num(tag, "tasks.csv", 1, "stop_s") - stopping, want_wait_s + 5);
}

static void test_stop_timeout_cap(void)
{
	fg_stop_run("fs300", 300, 120);
	fg_stop_run("fs60", 60, 60);
}

/* interruptionsPerTaskHour 2 on 40 Spot tasks for 50 h: the number of
 * interruptions is Poisson with mean rate × running task-hours; it must lie
 * in the 99 % interval (normal approximation, mean ~ 4000). */
static void test_spot_rate(void)
{
	int n, count = 0;
	double exposure_h = 0, mean, half;

	rs_write("sr.json", HEAD("sr", 180000)
		 "\"metricsIntervalSeconds\":3600,"
		 "\"fargate\":{\"provisioningSeconds\":10,\"spot\":{\"interruptionsPerTaskHour\":2}},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"fg\",\"desiredCount\":40,"
		 "\"availabilityZoneRebalancing\":\"DISABLED\","
		 "\"capacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":1}]}]}");
	/* rebalancing off (it is on by default, docs/ecs-model.md §5.9):
	 * its moves are not this test's subject and would change its sample */
	CU_ASSERT_EQUAL_FATAL(rs_run("sr.json", "sr", NULL, NULL, NULL), 0);
	n = rs_rows("sr", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *code = rs_cell("sr", "tasks.csv", r, "stop_code");
		char *deact = rs_cell("sr", "tasks.csv", r, "deactivating_s");
		double run = num("sr", "tasks.csv", r, "running_s");
		double end = deact && *deact ? atof(deact) : 180000.0;

		if (!isnan(run) && run >= 0)
			exposure_h += (end - run) / 3600.0;
		count += code && strcmp(code, "TerminationNotice") == 0;
		/* a drawn interruption has the trace's stoppedReason too (§3.3) */
		if (code && strcmp(code, "TerminationNotice") == 0 && count == 1)
			RS_IS("sr", "tasks.csv", r, "stopped_reason", "Your Spot Task was interrupted.");
		free(code);
		free(deact);
	}
	mean = 2.0 * exposure_h;
	half = 2.5758 * sqrt(mean);
	CU_ASSERT(mean > 3000);
	if (fabs(count - mean) > half) {
		char m[200];

		snprintf(m, sizeof m, "%d interruptions over %.1f task-hours, want %.1f ± %.1f", count,
			 exposure_h, mean, half);
		T_FAIL(m);
	}
}

/* docs/ecs-model.md choice E65: billed from placement to STOPPED, per
 * second, 60 s minimum.  10 tasks of 4 vCPU / 16 GB that run 3600 s after
 * 30 s of provisioning and stop with 5 s of ENI detach: 3635 s each at
 * 4 × 0.04048 + 16 × 0.004445 = 0.23304 USD/h → 10 × 0.23304 × 3635 / 3600
 * = 2.353057 USD; one 0.25 vCPU / 0.5 GB task that lives 36 s bills the
 * 60 s minimum: 0.0123425 × 60 / 3600 = 0.000206 USD.  Total 2.353263
 * (summary.csv: 2.3533); on FARGATE_SPOT × 0.3 = 0.705979 (0.7060). */
static void test_cost(void)
{
	rs_write("cost.json", HEAD("cost", 7200)
		 "\"fargate\":{\"provisioningSeconds\":30},"
		 "\"workload\":{\"traces\":[\"cost.csv\"]}}");
	rs_write("cost.csv", TRACE_HDR "0,run_task,,big,10,3600,\n0,run_task,t,tiny,1,1,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("cost.json", "cost", NULL, NULL, NULL), 0);
	RS_IS("cost", "summary.csv", 1, "cost_instances_usd", "0.0000");
	RS_IS("cost", "summary.csv", 1, "cost_fargate_usd", "2.3533");
	RS_IS("cost", "summary.csv", 1, "cost_total_usd", "2.3533");
	/* the same on FARGATE_SPOT (cluster default strategy): 70 % off */
	rs_write("spot.json", HEAD("spot", 7200)
		 "\"fargate\":{\"provisioningSeconds\":30},"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":1}],"
		 "\"workload\":{\"traces\":[\"cost.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("spot.json", "spot", NULL, NULL, NULL), 0);
	RS_IS("spot", "summary.csv", 1, "cost_fargate_usd", "0.7060");
}

/* docs/ecs-model.md §5.9 on Fargate, checked after every event: the
 * service's tasks with desired RUNNING never exceed floor(desired ×
 * maximumPercent / 100); the zones of its RUNNING tasks are kept for the
 * last event, and the most tasks seen at once. */
struct rebal_check {
	int samples, violations;
	int64_t max_seen, bound;
	int running[3];
};

static void rebal_observe(struct backplane *bp, void *ctx)
{
	struct rebal_check *c = ctx;
	struct svc *v;
	int64_t live = 0;

	if (svc_sched(bp)->n_svcs < 1 || !svc_sched(bp)->svcs[0].active)
		return;
	v = &svc_sched(bp)->svcs[0];
	memset(c->running, 0, sizeof c->running);
	for (int k = 0; k < v->n_tasks; k++) {
		struct task *t = &bp->tasks[v->tasks[k]];

		live += t->desired == TD_RUNNING;
		if (t->state == TS_RUNNING && t->fg_az >= 0 && t->fg_az < 3)
			c->running[t->fg_az]++;
	}
	c->samples++;
	c->bound = (int64_t)floor((double)v->desired * v->cfg->max_pct / 100.0);
	if (live > c->max_seen)
		c->max_seen = live;
	if (live > c->bound)
		c->violations++;
}

/* A FARGATE service of 6 tasks (2/2/2, maximumPercent 150) with
 * availabilityZoneRebalancing ENABLED: an outage of us-east-1a from 300 s
 * to 900 s moves its 2 tasks to the other zones (3/3 there); once the zone
 * is back the service is unbalanced (0/3/3), and rebalancing starts tasks
 * in us-east-1a and stops tasks in the loaded zones until it is 2/2/2 again
 * (docs/ecs-model.md §5.9), never above floor(6 × 1.5) = 9 tasks. */
static void test_az_rebalancing(void)
{
	struct rebal_check c = { 0 };
	int n, back = 0, stopped_b = 0, stopped_c = 0;

	rs_write("reb.json", HEAD("reb", 3600)
		 "\"fargate\":{\"provisioningSeconds\":10},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"fg\",\"desiredCount\":6,"
		 "\"launchType\":\"FARGATE\",\"availabilityZoneRebalancing\":\"ENABLED\","
		 "\"deploymentConfiguration\":{\"minimumHealthyPercent\":100,\"maximumPercent\":150}}],"
		 "\"workload\":{\"traces\":[\"reb.csv\"]}}");
	rs_write("reb.csv", TRACE_HDR "300,az_outage,us-east-1a,,,600,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("reb.json", "reb", NULL, rebal_observe, &c), 0);
	CU_ASSERT(c.samples > 50);
	T_EQ(c.bound, 9);
	T_EQ(c.violations, 0);
	CU_ASSERT(c.max_seen <= 9);
	/* at the end: 2/2/2, all running */
	T_EQ(c.running[0], 2);
	T_EQ(c.running[1], 2);
	T_EQ(c.running[2], 2);
	RS_IS("reb", "services.csv", -1, "running", "6");
	n = rs_rows("reb", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *az = rs_cell("reb", "tasks.csv", r, "az");
		char *code = rs_cell("reb", "tasks.csv", r, "stop_code");
		double placed = num("reb", "tasks.csv", r, "placed_s");

		/* the rebalancing tasks: placed in the zone once it is back */
		if (az && strcmp(az, "us-east-1a") == 0 && placed >= 900)
			back++;
		/* and the scheduler stops one in a loaded zone for each */
		if (az && code && strcmp(code, "ServiceSchedulerInitiated") == 0) {
			stopped_b += strcmp(az, "us-east-1b") == 0;
			stopped_c += strcmp(az, "us-east-1c") == 0;
		}
		free(az);
		free(code);
	}
	T_EQ(back, 2);
	T_EQ(stopped_b, 1);
	T_EQ(stopped_c, 1);
}

/* maximumPercent 110 over 6 tasks leaves no room (floor(6.6) = 6): the
 * rebalancing task cannot start, so the service stays 0/3/3 after the
 * outage and never runs more than 6 tasks (docs/ecs-model.md §5.5, §5.9). */
static void test_az_rebalancing_no_room(void)
{
	struct rebal_check c = { 0 };

	rs_write("rebn.json", HEAD("rebn", 3600)
		 "\"fargate\":{\"provisioningSeconds\":10},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"fg\",\"desiredCount\":6,"
		 "\"launchType\":\"FARGATE\",\"availabilityZoneRebalancing\":\"ENABLED\","
		 "\"deploymentConfiguration\":{\"minimumHealthyPercent\":100,\"maximumPercent\":110}}],"
		 "\"workload\":{\"traces\":[\"rebn.csv\"]}}");
	rs_write("rebn.csv", TRACE_HDR "300,az_outage,us-east-1a,,,600,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("rebn.json", "rebn", NULL, rebal_observe, &c), 0);
	T_EQ(c.bound, 6);
	T_EQ(c.violations, 0);
	T_EQ(c.running[0], 0);
	T_EQ(c.running[1] + c.running[2], 6);
}

/* A service whose only zone goes out waits for capacity: its lost tasks'
 * replacements find no zone (CAPACITY_UNAVAILABLE).  When the zone comes
 * back, capacity appeared: the service gets a pass and is whole again,
 * whether or not it rebalances (here DISABLED; the code before gave the
 * pass only when some service rebalanced, and this one stayed at 0). */
static void test_zone_back_pass(void)
{
	rs_write("zb.json", HEAD("zb", 1800)
		 "\"fargate\":{\"provisioningSeconds\":10},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"fg\",\"desiredCount\":4,"
		 "\"launchType\":\"FARGATE\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"availabilityZoneRebalancing\":\"DISABLED\"}],"
		 "\"workload\":{\"traces\":[\"zb.csv\"]}}");
	rs_write("zb.csv", TRACE_HDR "300,az_outage,us-east-1a,,,600,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("zb.json", "zb", NULL, NULL, NULL), 0);
	CU_ASSERT(rs_find("zb", "placement_failures.csv", "reason", "CAPACITY_UNAVAILABLE") > 0);
	RS_IS("zb", "services.csv", -1, "running", "4");
}

/* docs/ecs-model.md §5.11: a service's launch type is fixed when it is
 * created; UpdateService (a trace `deploy`) keeps it and ECS refuses a
 * revision that does not list it. A Fargate service (its first definition
 * Fargate-only) deployed to a definition listing EC2 and FARGATE stays on
 * Fargate, beside 2 idle instances that could take it; one deployed to an
 * EC2-only definition, or an EC2 service to a Fargate-only one, is
 * refused at the row (file:line), never moved to the other launch type. */
static void test_deploy_keeps_launch_type(void)
{
	char msg[1024];

	rs_write("both.json", "{\"family\":\"both\",\"networkMode\":\"awsvpc\","
		 "\"requiresCompatibilities\":[\"EC2\",\"FARGATE\"],\"cpu\":\"512\",\"memory\":\"1024\","
		 "\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\",\"essential\":true}]}");
	rs_write("e2.json", "{\"family\":\"e2\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		 "\"cpu\":256,\"memory\":512}]}");
#define DKL(name, svc_td) "{\"name\":\"" name "\",\"durationSeconds\":400,\"seed\":5," \
	"\"controlPlane\":{\"placementLatencySeconds\":1,\"schedulerDelaySeconds\":10}," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"]," \
	"\"taskDefinitions\":{\"fg\":\"fg.json\",\"both\":\"both.json\",\"e2\":\"e2.json\"}," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.xlarge\",\"availabilityZone\":\"us-east-1a\",\"count\":2}]," \
	"\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"" svc_td "\",\"desiredCount\":2}]," \
	"\"workload\":{\"traces\":[\"" name ".csv\"]}}"
	rs_write("dkl-both.csv", TRACE_HDR "100,deploy,web,both,,,\n");
	rs_write("dkl-both.json", DKL("dkl-both", "fg"));
	CU_ASSERT_EQUAL_FATAL(rs_run("dkl-both.json", "dkl-both", NULL, NULL, NULL), 0);
	T_EQ(count_rows("dkl-both", "taskdef", "both"), 2);
	T_EQ(count_rows("dkl-both", "launch_type", "FARGATE"), 4);
	T_EQ(count_rows("dkl-both", "launch_type", "EC2"), 0);

	rs_write("dkl-ec2.csv", TRACE_HDR "100,deploy,web,e2,,,\n");
	rs_write("dkl-ec2.json", DKL("dkl-ec2", "fg"));
	T_EQ(rs_run_msg("dkl-ec2.json", "dkl-ec2", msg, sizeof msg), -1);
	if (!strstr(msg, "dkl-ec2.csv:2: task definition 'e2' does not list FARGATE in its "
		    "requiresCompatibilities, but service 'web' runs its tasks on Fargate"))
		T_FAIL(msg);

	/* both.json lists EC2: a service created with it runs on EC2 */
	rs_write("dkl-fg.csv", TRACE_HDR "100,deploy,web,fg,,,\n");
	rs_write("dkl-fg.json", DKL("dkl-fg", "both"));
	T_EQ(rs_run_msg("dkl-fg.json", "dkl-fg", msg, sizeof msg), -1);
	if (!strstr(msg, "dkl-fg.csv:2: task definition 'fg' does not list EC2 in its "
		    "requiresCompatibilities, but service 'web' runs its tasks on EC2 instances"))
		T_FAIL(msg);
#undef DKL
}

/* docs/ecs-model.md §5.11: a strategy of Auto Scaling group providers needs
 * EC2 in requiresCompatibilities, one of Fargate providers FARGATE; both are
 * refused when the scenario is read, so `ecsim validate` (which loads it)
 * refuses what `run` would: a service's own strategy, the cluster default
 * for a service, the cluster default for a generator. */
static void test_strategy_needs_launch_type(void)
{
	static const struct {
		const char *members, *path, *want;
	} cases[] = {
		{ "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"fg\",\"desiredCount\":1,"
		  "\"capacityProviderStrategy\":[{\"capacityProvider\":\"asg\",\"weight\":1}]}]",
		  "$.services[0].taskDefinition", "task definition 'fg' is routed to an Auto Scaling group "
		  "capacity provider but its requiresCompatibilities does not list EC2" },
		{ "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"asg\",\"weight\":1}],"
		  "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"fg\",\"desiredCount\":1}]",
		  "$.services[0].taskDefinition", "does not list EC2" },
		{ "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"asg\",\"weight\":1}],"
		  "\"workload\":{\"generators\":[{\"interArrivalSeconds\":10,"
		  "\"taskDefinitions\":[\"e2\",\"fg\"]}]}",
		  "$.workload.generators[0]", "task definition 'fg' is routed to an Auto Scaling group" },
		{ "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"e2\",\"desiredCount\":1,"
		  "\"capacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE\",\"weight\":1}]}]",
		  "$.services[0].taskDefinition", "task definition 'e2' is routed to a Fargate capacity "
		  "provider but its requiresCompatibilities does not list FARGATE" },
	};
	char scn[4096], path[512];
	struct err e;

	rs_write("e2.json", "{\"family\":\"e2\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		 "\"cpu\":256,\"memory\":512}]}");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct scenario *s;

		snprintf(scn, sizeof scn, "{\"durationSeconds\":60,\"region\":\"us-east-1\","
			 "\"availabilityZones\":[\"us-east-1a\"],"
			 "\"taskDefinitions\":{\"fg\":\"fg.json\",\"e2\":\"e2.json\"},"
			 "\"capacityProviders\":[{\"name\":\"asg\",\"autoScalingGroup\":{\"instanceType\":"
			 "\"m5.large\",\"availabilityZones\":[\"us-east-1a\"],\"maxSize\":2}}],%s}",
			 cases[i].members);
		rs_write("snlt.json", scn);
		snprintf(path, sizeof path, "%s/snlt.json", rs_dir());
		err_clear(&e);
		s = scenario_load(path, &e);
		CU_ASSERT_PTR_NULL(s);
		scenario_free(s);
		T_STREQ(e.path, cases[i].path);
		if (!strstr(e.msg, cases[i].want))
			T_FAIL(e.msg);
	}
}

/* bp_task_az_index (the AZ of a task as the scenario's index, what the
 * service scheduler counts AZs by) against bp_task_az's name looked up in
 * the scenario's list, for every task of the table after every event: EC2
 * tasks on instances in two zones (and an instance group of the third
 * registered by the trace later), a Fargate service over three, tasks
 * waiting for room (no AZ: -1), an AZ outage that moves them. */
struct azi_check {
	long events, wrong, ec2, fg, none;
};

static void azi_observe(struct backplane *bp, void *ctx)
{
	struct azi_check *c = ctx;

	c->events++;
	for (size_t k = 0; k < bp->n_tasks; k++) {
		const struct task *t = &bp->tasks[k];
		const char *az;
		int want = -1;

		if (!t->used)
			continue;
		az = bp_task_az(bp, t);
		if (az)
			for (want = 0; want < bp->s->n_azs && strcmp(bp->s->azs[want], az) != 0; want++)
				;
		c->wrong += bp_task_az_index(bp, t) != want;
		c->ec2 += t->inst >= 0;
		c->fg += t->inst < 0 && az != NULL;
		c->none += az == NULL;
	}
}

static void test_az_index(void)
{
	struct azi_check c = { 0, 0, 0, 0, 0 };

	rs_write("ec2.json", "{\"family\":\"ec2\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
		 "\"cpu\":1024,\"memory\":2048}]}");
	rs_write("azi.csv", TRACE_HDR
		 "30,run_task,,ec2,12,400,\n"
		 "200,az_outage,us-east-1b,,,300,\n"
		 "600,register_instance,m5.large,,2,,us-east-1c\n"
		 "650,run_task,,ec2,6,300,\n");
	rs_write("azi.json", "{\"name\":\"azi\",\"durationSeconds\":1500,\"seed\":5,"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"],"
		 "\"taskDefinitions\":{\"fg\":\"fg.json\",\"ec2\":\"ec2.json\"},"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":2}],"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"fg\",\"desiredCount\":9,"
		 "\"launchType\":\"FARGATE\"}],"
		 "\"workload\":{\"traces\":[\"azi.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("azi.json", "azi", NULL, azi_observe, &c), 0);
	CU_ASSERT(c.events > 100);
	T_EQ(c.wrong, 0);
	CU_ASSERT(c.ec2 > 0);
	CU_ASSERT(c.fg > 0);
	CU_ASSERT(c.none > 0);
	/* the trace's instances in us-east-1c took tasks */
	CU_ASSERT(count_rows("azi", "az", "us-east-1c") > 0);
}

static CU_TestInfo fg_tests[] = {
	{ "a task's AZ index is its AZ's place in the scenario's list, after every event", test_az_index },
	{ "a FARGATE service: no instance, AZ spread, provisioning", test_service_on_fargate },
	{ "provisioning by default: 60 s, every task", test_default_provisioning },
	{ "availabilityZones: only the subnets' zones", test_subnet_zones },
	{ "scale-in takes the tasks not yet RUNNING first", test_scale_in_order },
	{ "per-AZ limit: CAPACITY_UNAVAILABLE", test_az_limit },
	{ "no Fargate in Local or Wavelength Zones", test_local_zones },
	{ "AZ outage stops the zone's Fargate tasks", test_az_outage },
	{ "a zone's return gives a service waiting for capacity a pass", test_zone_back_pass },
	{ "invalid sizes refused with the valid ones listed", test_size_refused },
	{ "deploy keeps the service's launch type, refuses one the revision lacks", test_deploy_keeps_launch_type },
	{ "a strategy's providers need their launch type, refused at load", test_strategy_needs_launch_type },
	{ "strategy base 2 + weights 1 : 4 over 502 tasks", test_base_weight_split },
	{ "fargate_spot_interruption: TerminationNotice, stop timeout", test_spot_event },
	{ "Spot interruptions match the rate (99 % Poisson)", test_spot_rate },
	{ "stop timeout: agent's default, at most 120 s", test_stop_timeout_cap },
	{ "cost: per second, 60 s minimum, Spot discount", test_cost },
	{ "AZ rebalancing counts Fargate tasks: back to 2/2/2", test_az_rebalancing },
	{ "AZ rebalancing needs room under maximumPercent", test_az_rebalancing_no_room },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "fargate", setup, rs_teardown, NULL, NULL, fg_tests },
	CU_SUITE_INFO_NULL,
};
