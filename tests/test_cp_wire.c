/* tests/test_cp_wire.c — capacity providers in runs: strategies splitting
 * tasks (docs/ecs-model.md §5.11) and managed scaling of an Auto Scaling
 * group provider (§5.12; models/cas.c).  Every expected number is worked
 * out by hand from the rules: CapacityProviderReservation = M / N × 100
 * (M: instances running a non-daemon task plus a binpack of the waiting
 * tasks; N: instances running), one datapoint a minute from 60 s, scale-out
 * on one datapoint above target (from zero: two instances), scale-in after
 * 15 consecutive low datapoints, no scale-out while an instance is within
 * its warm-up; base first, then weights. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane.h"
#include "models/bp_msg.h"
#include "models/cluster.h"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("small.json", "{\"family\":\"small\",\"containerDefinitions\":[{\"name\":\"a\","
		 "\"image\":\"x\",\"cpu\":16,\"memory\":32}]}");
	/* one per m5.large (2 vCPU = 2048 CPU units) */
	rs_write("big.json", "{\"family\":\"big\",\"containerDefinitions\":[{\"name\":\"a\","
		 "\"image\":\"x\",\"cpu\":2048,\"memory\":4096}]}");
	/* two per m5.large */
	rs_write("half.json", "{\"family\":\"half\",\"containerDefinitions\":[{\"name\":\"a\","
		 "\"image\":\"x\",\"cpu\":1024,\"memory\":1024}]}");
	return 0;
}

#define HEAD(dur) "{\"durationSeconds\":" #dur ",\"metricsIntervalSeconds\":60,\"region\":\"us-east-1\"," \
	"\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," \
	"\"taskDefinitions\":{\"small\":\"small.json\",\"big\":\"big.json\",\"half\":\"half.json\"},"

/* A provider over `type` in `zones` (a JSON list's items); `ms` is its managedScaling
 * members and what follows the object (protection, draining). */
static void provider_of(char *buf, size_t n, const char *type, const char *zones, const char *name,
			int min, int max, int desired, const char *ms)
{
	snprintf(buf, n,
		 "{\"name\":\"%s\",\"autoScalingGroup\":{\"instanceType\":\"%s\","
		 "\"availabilityZones\":[%s],\"minSize\":%d,\"maxSize\":%d,"
		 "\"desiredCapacity\":%d,\"launchTimeSeconds\":100}%s}",
		 name, type, zones, min, max, desired, ms);
}

static void provider(char *buf, size_t n, const char *name, int min, int max, int desired,
		     const char *ms)
{
	provider_of(buf, n, "m5.large", "\"us-east-1a\",\"us-east-1b\"", name, min, max, desired, ms);
}

/* Tasks of `service` ("" = standalone) on provider `cp`, in out-<tag>/tasks.csv. */
static int count_on(const char *tag, const char *service, const char *cp)
{
	int n = rs_rows(tag, "tasks.csv"), got = 0;

	for (int r = 1; r <= n; r++) {
		char *sv = rs_cell(tag, "tasks.csv", r, "service");
		char *c = rs_cell(tag, "tasks.csv", r, "capacity_provider");

		got += sv && c && strcmp(sv, service) == 0 && strcmp(c, cp) == 0;
		free(sv);
		free(c);
	}
	return got;
}

/* ---- strategies (§5.11) -------------------------------------------------- */

/* Weights 1 and 4 over 500 tasks of a service: 100 : 400; with a base of
 * 10 on the first item, the first 10 tasks go there and the 490 others
 * split 98 : 392 (108 : 392).  Each provider's tasks are on its own
 * instances only (cp-a registers ci-00001..2, cp-b ci-00003..6). */
static void test_service_split_base_weights(void)
{
	char a[600], b[600], buf[4096];
	int n, wrong_inst = 0;

	provider_of(a, sizeof a, "m5.4xlarge", "\"us-east-1a\",\"us-east-1b\"", "cp-a", 0, 10, 2, "");
	provider_of(b, sizeof b, "m5.4xlarge", "\"us-east-1a\",\"us-east-1b\"", "cp-b", 0, 10, 4, "");
	snprintf(buf, sizeof buf, HEAD(300)
		 "\"capacityProviders\":[%s,%s],"
		 "\"services\":["
		 "{\"serviceName\":\"based\",\"taskDefinition\":\"small\",\"desiredCount\":500,"
		 "\"capacityProviderStrategy\":[{\"capacityProvider\":\"cp-a\",\"base\":10,\"weight\":1},"
		 "{\"capacityProvider\":\"cp-b\",\"weight\":4}]},"
		 "{\"serviceName\":\"plain\",\"taskDefinition\":\"small\",\"desiredCount\":500,"
		 "\"capacityProviderStrategy\":[{\"capacityProvider\":\"cp-a\",\"weight\":1},"
		 "{\"capacityProvider\":\"cp-b\",\"weight\":4}]}]}", a, b);
	rs_write("split.json", buf);
	T_EQ(rs_run("split.json", "split", NULL, NULL, NULL), 0);
	T_EQ(count_on("split", "plain", "cp-a"), 100);
	T_EQ(count_on("split", "plain", "cp-b"), 400);
	T_EQ(count_on("split", "based", "cp-a"), 108);
	T_EQ(count_on("split", "based", "cp-b"), 392);
	/* base first: the service's first 10 launches (task-1 … task-10) */
	for (int k = 1; k <= 11; k++) {
		char id[32];
		int r;

		snprintf(id, sizeof id, "task-%d", k);
		r = rs_find("split", "tasks.csv", "task_id", id);
		CU_ASSERT_FATAL(r > 0);
		RS_IS("split", "tasks.csv", r, "capacity_provider", k <= 10 ? "cp-a" : "cp-b");
	}
	n = rs_rows("split", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *c = rs_cell("split", "tasks.csv", r, "capacity_provider");
		char *i = rs_cell("split", "tasks.csv", r, "instance_id");
		int on_a = strcmp(i, "ci-00001") == 0 || strcmp(i, "ci-00002") == 0;

		wrong_inst += (strcmp(c, "cp-a") == 0) != on_a;
		free(c);
		free(i);
	}
	T_EQ(wrong_inst, 0);
}

/* RunTask calls follow the cluster's default strategy, each call split on
 * its own: 100 calls of 5 tasks with weights 1 and 4 give 1 : 4 in every
 * call, 100 : 400 in all. */
static void test_runtask_default_strategy(void)
{
	char a[600], b[600], buf[4096];
	char *trace = malloc(100 * 40 + 100);
	size_t len = 0;

	provider(a, sizeof a, "cp-a", 0, 10, 1, "");
	provider(b, sizeof b, "cp-b", 0, 10, 2, "");
	snprintf(buf, sizeof buf, HEAD(600)
		 "\"capacityProviders\":[%s,%s],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp-a\",\"weight\":1},"
		 "{\"capacityProvider\":\"cp-b\",\"weight\":4}],"
		 "\"workload\":{\"traces\":[\"rt.csv\"]}}", a, b);
	rs_write("rt.json", buf);
	len += (size_t)sprintf(trace + len, "time_s,event,taskdef,count,duration_s\n");
	for (int k = 0; k < 100; k++)
		len += (size_t)sprintf(trace + len, "%d,run_task,small,5,30\n", k + 1);
	rs_write("rt.csv", trace);
	free(trace);
	T_EQ(rs_run("rt.json", "rt", NULL, NULL, NULL), 0);
	T_EQ(count_on("rt", "", "cp-a"), 100);
	T_EQ(count_on("rt", "", "cp-b"), 400);
}

/* §5.11: a service gives either a launch type or a strategy; the cluster's
 * default strategy applies only when it gives neither.  The default
 * strategy is [cp] (two m5.large), a plain instance group adds two more;
 * the service "ec2" gives launchType EC2 and wants four tasks of a whole
 * m5.large each: it follows no strategy, so its tasks have no provider and
 * take all four instances, two of them the group's (ci-00001, ci-00002).
 * (Before, the default strategy routed them to cp: two on its instances,
 * two waiting.)  A FARGATE service under a default [FARGATE_SPOT] runs on
 * on-demand Fargate, no provider, no Spot task. */
static void test_launch_type_not_default(void)
{
	char a[600], buf[4096];
	int on_group = 0;

	provider(a, sizeof a, "cp", 0, 10, 2, "");
	snprintf(buf, sizeof buf, HEAD(300)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
		 "\"count\":1},{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":1}],"
		 "\"capacityProviders\":[%s],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 "\"services\":[{\"serviceName\":\"ec2\",\"taskDefinition\":\"big\",\"desiredCount\":4,"
		 "\"launchType\":\"EC2\"}]}", a);
	rs_write("lte.json", buf);
	T_EQ(rs_run("lte.json", "lte", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("lte", "tasks.csv"), 4);
	T_EQ(count_on("lte", "ec2", ""), 4);
	for (int k = 1; k <= 4; k++) {
		char *i = rs_cell("lte", "tasks.csv", k, "instance_id");

		RS_IS("lte", "tasks.csv", k, "last_status", "RUNNING");
		on_group += i && (strcmp(i, "ci-00001") == 0 || strcmp(i, "ci-00002") == 0);
		free(i);
	}
	T_EQ(on_group, 2);
	RS_IS("lte", "summary.csv", 1, "tasks_capacity_provider", "0");

	rs_write("fg.json", "{\"family\":\"fg\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
		 "\"cpu\":\"256\",\"memory\":\"512\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\"}]}");
	rs_write("ltf.json", "{\"durationSeconds\":300,\"region\":\"us-east-1\","
		 "\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],\"taskDefinitions\":{\"fg\":\"fg.json\"},"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":1}],"
		 "\"services\":[{\"serviceName\":\"f\",\"taskDefinition\":\"fg\",\"desiredCount\":2,"
		 "\"launchType\":\"FARGATE\"}]}");
	T_EQ(rs_run("ltf.json", "ltf", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("ltf", "tasks.csv"), 2);
	T_EQ(count_on("ltf", "f", ""), 2);
	RS_IS("ltf", "summary.csv", 1, "tasks_fargate", "2");
	RS_IS("ltf", "summary.csv", 1, "tasks_fargate_spot", "0");
	RS_IS("ltf", "summary.csv", 1, "tasks_capacity_provider", "0");
}

/* Scale-in keeps the split: 20 tasks at weights 1 and 4 (4 : 16) scaled
 * in to 5 leave 1 : 4; the provider furthest above its share gives up
 * each task.  cp-a's instances are in us-east-1a only, cp-b's in
 * us-east-1b only, so the scheduler's usual choice alone (the AZ with most
 * tasks first) would balance the zones, 3 : 2 or 2 : 3.  AZ rebalancing
 * (on by default, docs/ecs-model.md §5.9) is turned off: with one
 * provider per zone it would move tasks between the providers. */
static void test_scale_in_keeps_split(void)
{
	char a[600], b[600], buf[4096];
	int n, live_a = 0, live_b = 0;

	provider_of(a, sizeof a, "m5.large", "\"us-east-1a\"", "cp-a", 0, 10, 1, "");
	provider_of(b, sizeof b, "m5.large", "\"us-east-1b\"", "cp-b", 0, 10, 4, "");
	snprintf(buf, sizeof buf, HEAD(900)
		 "\"capacityProviders\":[%s,%s],"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":20,"
		 "\"availabilityZoneRebalancing\":\"DISABLED\","
		 "\"capacityProviderStrategy\":[{\"capacityProvider\":\"cp-a\",\"weight\":1},"
		 "{\"capacityProvider\":\"cp-b\",\"weight\":4}]}],"
		 "\"workload\":{\"traces\":[\"sk.csv\"]}}", a, b);
	rs_write("sk.json", buf);
	rs_write("sk.csv", "time_s,event,target,count\n300,set_desired,s,5\n");
	T_EQ(rs_run("sk.json", "sk", NULL, NULL, NULL), 0);
	T_EQ(count_on("sk", "s", "cp-a"), 4);
	T_EQ(count_on("sk", "s", "cp-b"), 16);
	n = rs_rows("sk", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *c = rs_cell("sk", "tasks.csv", r, "capacity_provider");
		char *st = rs_cell("sk", "tasks.csv", r, "stop_s");

		if (st && !*st) {
			live_a += strcmp(c, "cp-a") == 0;
			live_b += strcmp(c, "cp-b") == 0;
		}
		free(c);
		free(st);
	}
	T_EQ(live_a, 1);
	T_EQ(live_b, 4);
}

/* ---- managed scaling (§5.12) -------------------------------------------- */

/* From zero: 5 tasks that each need a whole m5.large wait PROVISIONING; the
 * first datapoint (60 s) is 200 % and the group goes to two instances,
 * which register 100 s later (160 s) and take two tasks at once.  Then
 * M = 2 busy + 3 for the waiting tasks = 5, N = 2: 250 %; the next
 * scale-out (to ceil(5 × 100 / 100) = 5) waits until the two instances
 * launched at 60 s are out of their warm-up: at 360 s with the default
 * 300 s, at 180 s with 120 s. */
static void from_zero(const char *tag, const char *warmup)
{
	char a[800], buf[4096], name[64];

	provider(a, sizeof a, "cp", 0, 10, 0, warmup);
	snprintf(buf, sizeof buf, HEAD(900)
		 "\"capacityProviders\":[%s],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"big\",\"desiredCount\":5}]}", a);
	snprintf(name, sizeof name, "%s.json", tag);
	rs_write(name, buf);
	T_EQ(rs_run(name, tag, NULL, NULL, NULL), 0);
}

static void test_scale_out_from_zero(void)
{
	int r;

	from_zero("zero", ",\"managedScaling\":{\"targetCapacity\":100}");
	T_EQ(rs_rows("zero", "scaling.csv"), 2);
	T_NEAR(rs_num("zero", "scaling.csv", 1, "time_s"), 60);
	RS_IS("zero", "scaling.csv", 1, "resource_type", "capacity_provider");
	RS_IS("zero", "scaling.csv", 1, "resource", "cp");
	RS_IS("zero", "scaling.csv", 1, "metric", "CapacityProviderReservation");
	RS_IS("zero", "scaling.csv", 1, "action", "scale-out");
	T_NEAR(rs_num("zero", "scaling.csv", 1, "value"), 200);
	T_NEAR(rs_num("zero", "scaling.csv", 1, "old"), 0);
	T_NEAR(rs_num("zero", "scaling.csv", 1, "new"), 2);
	T_NEAR(rs_num("zero", "scaling.csv", 2, "time_s"), 360);
	T_NEAR(rs_num("zero", "scaling.csv", 2, "value"), 250);
	T_NEAR(rs_num("zero", "scaling.csv", 2, "old"), 2);
	T_NEAR(rs_num("zero", "scaling.csv", 2, "new"), 5);
	/* the two instances: one per zone, registered at 160 s */
	r = rs_find("zero", "timeseries.csv", "time_s", "120.000");
	T_NEAR(rs_num("zero", "timeseries.csv", r, "instances_registered"), 0);
	T_NEAR(rs_num("zero", "timeseries.csv", r, "tasks_pending"), 5);
	r = rs_find("zero", "timeseries.csv", "time_s", "180.000");
	T_NEAR(rs_num("zero", "timeseries.csv", r, "instances_registered"), 2);
	T_NEAR(rs_num("zero", "timeseries.csv", r, "tasks_running") +
	       rs_num("zero", "timeseries.csv", r, "tasks_pending"), 5);
	r = rs_find("zero", "timeseries.csv", "time_s", "480.000");
	T_NEAR(rs_num("zero", "timeseries.csv", r, "instances_registered"), 5);
	/* the tasks waited, none failed: placed when the instances arrived */
	T_EQ(rs_rows("zero", "tasks.csv"), 5);
	for (int k = 1; k <= 5; k++) {
		RS_IS("zero", "tasks.csv", k, "stop_code", "");
		RS_IS("zero", "tasks.csv", k, "last_status", "RUNNING");
		RS_IS("zero", "tasks.csv", k, "capacity_provider", "cp");
	}
	r = rs_find("zero", "tasks.csv", "instance_id", "ci-00001");
	T_NEAR(rs_num("zero", "tasks.csv", r, "placed_s"), 160);
	RS_IS("zero", "tasks.csv", r, "az", "us-east-1a");
	r = rs_find("zero", "tasks.csv", "instance_id", "ci-00002");
	T_NEAR(rs_num("zero", "tasks.csv", r, "placed_s"), 160);
	RS_IS("zero", "tasks.csv", r, "az", "us-east-1b");
	r = rs_find("zero", "tasks.csv", "instance_id", "ci-00005");
	T_NEAR(rs_num("zero", "tasks.csv", r, "placed_s"), 460);
}

static void test_warmup_respected(void)
{
	from_zero("warm", ",\"managedScaling\":{\"targetCapacity\":100,\"instanceWarmupPeriod\":120}");
	T_EQ(rs_rows("warm", "scaling.csv"), 2);
	T_NEAR(rs_num("warm", "scaling.csv", 2, "time_s"), 180);
	T_NEAR(rs_num("warm", "scaling.csv", 2, "value"), 250);
	T_NEAR(rs_num("warm", "scaling.csv", 2, "new"), 5);
}

/* Tasks that wait while the run ends are PROVISIONING, not failed. */
static void test_waiting_tasks_provisioning(void)
{
	char a[800], buf[4096];

	provider(a, sizeof a, "cp", 0, 10, 0, ",\"managedScaling\":{}");
	snprintf(buf, sizeof buf, HEAD(120)
		 "\"capacityProviders\":[%s],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"big\",\"desiredCount\":3}]}", a);
	rs_write("wait.json", buf);
	T_EQ(rs_run("wait.json", "wait", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("wait", "tasks.csv"), 3);
	for (int k = 1; k <= 3; k++) {
		RS_IS("wait", "tasks.csv", k, "last_status", "PROVISIONING");
		RS_IS("wait", "tasks.csv", k, "desired_status", "RUNNING");
		RS_IS("wait", "tasks.csv", k, "stop_code", "");
		RS_IS("wait", "tasks.csv", k, "instance_id", "");
	}
}

/* A provider that cannot grow (maxSize 0): a RunTask task waits
 * PROVISIONING for pending.capacityWaitSeconds (default 20 minutes,
 * docs/ecs-model.md choice E60), then stops with TaskFailedToStart:
 * submitted at 10 s, its placement fails at 11 s, STOPPED at 1211 s (611 s
 * with a 600 s wait). */
static void test_wait_ends(void)
{
	char a[800], buf[4096];

	provider(a, sizeof a, "cp", 0, 0, 0, ",\"managedScaling\":{}");
	snprintf(buf, sizeof buf, HEAD(1800)
		 "\"capacityProviders\":[%s],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 "\"workload\":{\"traces\":[\"we.csv\"]}}", a);
	rs_write("we.json", buf);
	rs_write("we.csv", "time_s,event,taskdef\n10,run_task,big\n");
	T_EQ(rs_run("we.json", "we", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("we", "tasks.csv"), 1);
	T_NEAR(rs_num("we", "tasks.csv", 1, "stop_s"), 1211);
	RS_IS("we", "tasks.csv", 1, "stop_code", "TaskFailedToStart");
	RS_IS("we", "tasks.csv", 1, "last_status", "STOPPED");
	/* from zero it wants two instances, the group's maximum forbids: no row */
	T_EQ(rs_rows("we", "scaling.csv"), 0);

	/* the wait is a parameter (ECS reports 10–30 minutes): 600 s ends at 611 s */
	snprintf(buf, sizeof buf, HEAD(1800)
		 "\"pending\":{\"capacityWaitSeconds\":600},"
		 "\"capacityProviders\":[%s],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 "\"workload\":{\"traces\":[\"we.csv\"]}}", a);
	rs_write("we6.json", buf);
	T_EQ(rs_run("we6.json", "we6", NULL, NULL, NULL), 0);
	T_NEAR(rs_num("we6", "tasks.csv", 1, "stop_s"), 611);
	RS_IS("we6", "tasks.csv", 1, "stop_code", "TaskFailedToStart");
}

/* ECS's quota of tasks in PROVISIONING per cluster (300; here
 * $.limits.maxProvisioningTasks 3): one RunTask of 5 tasks on a provider
 * that cannot grow — the first 3 wait (STOPPED at 611 s), the other 2 fail
 * at once (11 s); a second call when the first 3 are gone waits again. */
static void test_provisioning_quota(void)
{
	char a[800], buf[4096];
	int early = 0, late = 0, later = 0;

	provider(a, sizeof a, "cp", 0, 0, 0, ",\"managedScaling\":{}");
	snprintf(buf, sizeof buf, HEAD(1800)
		 "\"limits\":{\"maxProvisioningTasks\":3},"
		 "\"pending\":{\"capacityWaitSeconds\":600},"
		 "\"capacityProviders\":[%s],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 "\"workload\":{\"traces\":[\"pq.csv\"]}}", a);
	rs_write("pq.json", buf);
	rs_write("pq.csv", "time_s,event,taskdef,count\n10,run_task,big,5\n700,run_task,big,1\n");
	T_EQ(rs_run("pq.json", "pq", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("pq", "tasks.csv"), 6);
	for (int r = 1; r <= 6; r++) {
		double stop = rs_num("pq", "tasks.csv", r, "stop_s");

		RS_IS("pq", "tasks.csv", r, "stop_code", "TaskFailedToStart");
		if (stop > 10.5 && stop < 11.5)
			early++;
		else if (stop > 610.5 && stop < 611.5)
			late++;
		else if (stop > 1300.5 && stop < 1301.5)
			later++;
	}
	T_EQ(early, 2);
	T_EQ(late, 3);
	T_EQ(later, 1);
}

/* Hand-computed clusters.  (a) 4 instances, 3 tasks of a whole instance
 * each: M = 3, N = 4, 75 % at every datapoint from 60 s; the 15th low one
 * (900 s), not the 14th, scales in to ceil(3 × 100 / 100) = 3.
 * (b) 2 instances, 7 tasks of half an instance: 4 run (M counts the 2
 * busy instances), 3 wait and need 2 more (binpack 2 + 1): M = 4, N = 2,
 * 200 %; the step is ceil(4 × 100 / target) − 2: 2 at target 100, 6 at 50. */
static void test_reservation_and_scale_in(void)
{
	char a[800], buf[4096];
	int r;

	provider(a, sizeof a, "cp", 0, 10, 4,
		 ",\"managedScaling\":{\"targetCapacity\":100},\"managedTerminationProtection\":\"ENABLED\"");
	snprintf(buf, sizeof buf, HEAD(1200)
		 "\"capacityProviders\":[%s],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"big\",\"desiredCount\":3}]}", a);
	rs_write("in.json", buf);
	T_EQ(rs_run("in.json", "in", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("in", "scaling.csv"), 1);
	T_NEAR(rs_num("in", "scaling.csv", 1, "time_s"), 900);
	T_NEAR(rs_num("in", "scaling.csv", 1, "value"), 75);
	T_NEAR(rs_num("in", "scaling.csv", 1, "old"), 4);
	T_NEAR(rs_num("in", "scaling.csv", 1, "new"), 3);
	RS_IS("in", "scaling.csv", 1, "action", "scale-in");
	r = rs_find("in", "timeseries.csv", "time_s", "840.000");
	T_NEAR(rs_num("in", "timeseries.csv", r, "instances_registered"), 4);
	r = rs_find("in", "timeseries.csv", "time_s", "960.000");
	T_NEAR(rs_num("in", "timeseries.csv", r, "instances_registered"), 3);
	/* the instance that went was the empty one: every task still runs */
	T_NEAR(rs_num("in", "timeseries.csv", -1, "tasks_running"), 3);

	for (int target = 100; target >= 50; target -= 50) {
		char ms[200], tag[32];

		snprintf(ms, sizeof ms, ",\"managedScaling\":{\"targetCapacity\":%d}", target);
		provider(a, sizeof a, "cp", 0, 10, 2, ms);
		snprintf(buf, sizeof buf, HEAD(90)
			 "\"capacityProviders\":[%s],"
			 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
			 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"half\",\"desiredCount\":7}]}", a);
		snprintf(tag, sizeof tag, "bp%d", target);
		rs_write("bp.json", buf);
		T_EQ(rs_run("bp.json", tag, NULL, NULL, NULL), 0);
		T_EQ(rs_rows(tag, "scaling.csv"), 1);
		T_NEAR(rs_num(tag, "scaling.csv", 1, "time_s"), 60);
		T_NEAR(rs_num(tag, "scaling.csv", 1, "value"), 200);
		T_NEAR(rs_num(tag, "scaling.csv", 1, "old"), 2);
		T_NEAR(rs_num(tag, "scaling.csv", 1, "new"), target == 100 ? 4 : 8);
	}
}

/* Managed termination protection, checked after every event: an instance
 * of the group that becomes INACTIVE (terminated by scale-in) ran no
 * non-daemon task just before.  The load moves up and down (a service's
 * desired count, standalone tasks of 15 minutes) so that the group scales
 * in while some instances still run tasks. */
struct term_check {
	int64_t *nd;            /* non-daemon tasks per instance, last event */
	int *status;            /* status per instance, last event */
	int cap;
	int terminated, violations, events;
};

static void term_observe(struct backplane *bp, void *ctx)
{
	struct term_check *c = ctx;
	struct cluster *cl = backplane_cluster(bp);
	int n = cluster_count(cl);
	int64_t *now = calloc((size_t)n + 1, sizeof *now);

	c->events++;
	for (int i = 0; i < n; i++)
		now[i] = bp_nondaemon_count(bp, i);
	if (n > c->cap) {
		c->nd = realloc(c->nd, (size_t)n * sizeof *c->nd);
		c->status = realloc(c->status, (size_t)n * sizeof *c->status);
		for (int i = c->cap; i < n; i++) {
			c->nd[i] = 0;
			c->status[i] = INST_ACTIVE;
		}
		c->cap = n;
	}
	for (int i = 0; i < n; i++) {
		int st = cluster_status(cl, i);

		if (st == INST_INACTIVE && c->status[i] != INST_INACTIVE) {
			c->terminated++;
			c->violations += c->nd[i] > 0;
		}
		c->status[i] = st;
		c->nd[i] = now[i];
	}
	free(now);
}

static int protection_run(const char *tag, const char *extra, struct term_check *c)
{
	char a[800], buf[4096], name[64];

	provider(a, sizeof a, "cp", 1, 12, 2,
		 ",\"managedScaling\":{\"targetCapacity\":100,\"instanceWarmupPeriod\":60},"
		 "\"managedTerminationProtection\":\"ENABLED\",\"managedDraining\":\"DISABLED\"");
	snprintf(buf, sizeof buf, HEAD(7200)
		 "\"capacityProviders\":[%s],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"half\",\"desiredCount\":6}],"
		 "\"workload\":{\"traces\":[\"%s.csv\"]}}", a, tag);
	snprintf(name, sizeof name, "%s.json", tag);
	rs_write(name, buf);
	snprintf(buf, sizeof buf, "time_s,event,target,taskdef,count,duration_s\n"
		 "600,set_desired,s,,2,\n"
		 "700,run_task,,half,3,900\n"
		 "1300,run_task,,half,2,900\n"
		 "2400,set_desired,s,,9,\n"
		 "%s"
		 "3600,set_desired,s,,1,\n"
		 "3650,run_task,,half,1,2000\n"
		 "4300,run_task,,half,4,600\n", extra);
	snprintf(name, sizeof name, "%s.csv", tag);
	rs_write(name, buf);
	memset(c, 0, sizeof *c);
	snprintf(name, sizeof name, "%s.json", tag);
	return rs_run(name, tag, NULL, term_observe, c);
}

/* A group that scales out and in all the time: managed scaling walks, each
 * minute, a list of the group's instances still billed and one of those
 * draining, not every instance ever registered (models/cas.c refresh).
 * After every event of two days the lists agree with a pass over every
 * instance (cas_lists_agree: the group's billed instances all listed, in
 * registration order, nothing of another group's; the draining list the
 * instances marked draining).  The load comes in bursts every two hours,
 * 4 tasks and 24 (12 instances' worth), so the group scales out and in,
 * with managed draining, a dozen times; a host fails for good (replaced),
 * one is deregistered (its host runs on, billed and INACTIVE: listed, not
 * replaced, choice E101), an AZ outage takes half the group, and a second
 * provider's instances (no managed scaling) register beside it. */
struct lists_check {
	int events, bad;
};

static void lists_observe(struct backplane *bp, void *ctx)
{
	struct lists_check *c = ctx;

	c->events++;
	c->bad += !cas_lists_agree(bp);
}

static void test_churn_lists(void)
{
	char a[600], b[600], buf[4096], tr[8192];
	struct lists_check c = { 0, 0 };
	int n, ins = 0, outs = 0, len = 0;
	double regs;

	provider(a, sizeof a, "cp", 0, 20, 2,
		 ",\"managedScaling\":{\"targetCapacity\":100,\"instanceWarmupPeriod\":60,"
		 "\"scaleInDatapoints\":5},"
		 "\"managedTerminationProtection\":\"ENABLED\",\"managedDraining\":\"ENABLED\"");
	provider(b, sizeof b, "fixed", 0, 4, 3, "");
	snprintf(buf, sizeof buf, HEAD(172800)
		 "\"capacityProviders\":[%s,%s],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 "\"workload\":{\"traces\":[\"churn.csv\"]}}", a, b);
	rs_write("churn.json", buf);
	len += snprintf(tr + len, sizeof tr - (size_t)len, "time_s,event,target,taskdef,count,duration_s\n"
			"300,instance_fail,ci-00001,,,\n"
			"400,deregister_instance,ci-00002,,,\n");
	for (int t = 600; t < 172800; t += 7200) {
		len += snprintf(tr + len, sizeof tr - (size_t)len, "%d,run_task,,half,%d,%d\n", t,
				t % 14400 == 600 ? 24 : 4, 3000);
		if (t == 29400)
			len += snprintf(tr + len, sizeof tr - (size_t)len, "%d,az_outage,us-east-1a,,,1800\n", t + 60);
	}
	rs_write("churn.csv", tr);
	T_EQ(rs_run("churn.json", "churn", NULL, lists_observe, &c), 0);
	CU_ASSERT(c.events > 1000);
	T_EQ(c.bad, 0);
	n = rs_rows("churn", "scaling.csv");
	for (int r = 1; r <= n; r++) {
		char *act = rs_cell("churn", "scaling.csv", r, "action");

		ins += strcmp(act, "scale-in") == 0;
		outs += strcmp(act, "scale-out") == 0;
		free(act);
	}
	CU_ASSERT(ins >= 10);
	CU_ASSERT(outs >= 10);
	/* the group's instances came and went: many more registered than
	 * it ever held at once (20) */
	regs = rs_num("churn", "timeseries.csv", -1, "instances_registered");
	CU_ASSERT(regs <= 23);
	CU_ASSERT(count_on("churn", "", "cp") >= 12 * 24);
}

/* The group grows to 5 instances and scales in twice (5 → 3 at 4500 s,
 * 3 → 1 at 5760 s) while tasks still run on some instances. */
static void test_termination_protection(void)
{
	struct term_check on, off;
	int ins = 0, n;

	T_EQ(protection_run("tpon", "", &on), 0);
	CU_ASSERT(on.events > 300);
	T_EQ(on.terminated, 4);
	T_EQ(on.violations, 0);
	n = rs_rows("tpon", "scaling.csv");
	for (int r = 1; r <= n; r++) {
		char *act = rs_cell("tpon", "scaling.csv", r, "action");

		ins += strcmp(act, "scale-in") == 0;
		free(act);
	}
	T_EQ(ins, 2);
	free(on.nd);
	free(on.status);
	/* the check can fail: an instance deregistered while it runs tasks
	 * is seen (and the group replaces it) */
	T_EQ(protection_run("tpoff", "3000,deregister_instance,ci-00001,,,\n", &off), 0);
	CU_ASSERT(off.violations > 0);
	free(off.nd);
	free(off.status);
}

/* ---- pins: AZ rebalancing with a provider, the 10-constraint limit ------ */

/* docs/ecs-model.md §5.9 with §5.11: an AZ-rebalancing task of a service
 * routed to a provider stays on that provider's instances.  cp-a spans
 * us-east-1a and 1b (one instance each); a plain instance (ci-00001, the
 * earliest registered) is in us-east-1c.  The service's six tasks go 3/3 on
 * cp-a; 1c has an ACTIVE instance and none of them, so rebalancing (on by
 * default) starts a task pinned to 1c.  It must not land on the plain
 * instance: with no cp-a instance in 1c it is not placed, and as the pins
 * leave no instance to consider the failure is NO_INSTANCES with 0
 * instances considered (choices A4, A5: before, the plain instance was
 * named the closest, with a MemberOf reason).  `cons` is more of the service's members: with ten
 * placement constraints of its own the two pins (AZ and provider) still
 * hold (docs/ecs-model.md D11: the limit is on the task's constraints). */
static void rebalance_on_provider(const char *tag, const char *cons)
{
	char a[600], buf[4096], file[64];
	int n, on_plain = 0, on_cp = 0, none = 0, other = 0;

	provider_of(a, sizeof a, "m5.large", "\"us-east-1a\",\"us-east-1b\"", "cp-a", 2, 2, 2, "");
	snprintf(buf, sizeof buf,
		 "{\"durationSeconds\":1800,\"metricsIntervalSeconds\":60,\"region\":\"us-east-1\","
		 "\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"],"
		 "\"placement\":{\"tieBreak\":\"first\"},"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"instanceGroups\":[{\"name\":\"plain\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1c\"}],"
		 "\"capacityProviders\":[%s],"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":6,"
		 "\"capacityProviderStrategy\":[{\"capacityProvider\":\"cp-a\",\"weight\":1}]%s}]}", a, cons);
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, buf);
	T_EQ(rs_run(file, tag, NULL, NULL, NULL), 0);
	n = rs_rows(tag, "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *inst = rs_cell(tag, "tasks.csv", r, "instance_id");

		on_plain += strcmp(inst, "ci-00001") == 0;
		on_cp += *inst && strcmp(inst, "ci-00001") != 0;
		free(inst);
	}
	n = rs_rows(tag, "placement_failures.csv");
	for (int r = 1; r <= n; r++) {
		char *reason = rs_cell(tag, "placement_failures.csv", r, "reason");
		char *seen = rs_cell(tag, "placement_failures.csv", r, "instances_considered");

		none += strcmp(reason, "NO_INSTANCES") == 0 && strcmp(seen, "0") == 0;
		other += strcmp(reason, "NO_INSTANCES") != 0;
		free(reason);
		free(seen);
	}
	T_EQ(on_plain, 0);
	T_EQ(on_cp, 6);
	/* the premise: rebalancing tried 1c, where the pins leave nothing */
	CU_ASSERT(none >= 1);
	T_EQ(other, 0);
}

static void test_rebalance_keeps_provider(void)
{
	rebalance_on_provider("rbp", "");
}

/* choice A4 with §5.11: a task routed to a provider considers only the
 * provider's instances, so a failure's reason and closest instance are
 * theirs.  A plain m5.xlarge (ci-00001, the earliest registered, empty)
 * would pass every check of the task's; the provider's one m5.large
 * (ci-00002) is full of CPU.  The RunTask row fails RESOURCE:CPU with 1
 * instance considered, and the service's event names ci-00002's CPU
 * (before: MemberOf on ci-00001, which the task cannot go to, 2 considered). */
static void test_closest_is_the_providers(void)
{
	char a[600], buf[4096];
	int n, fails = 0;

	provider_of(a, sizeof a, "m5.large", "\"us-east-1a\"", "cpa", 1, 1, 1, "");
	snprintf(buf, sizeof buf, HEAD(300)
		 "\"pending\":{\"mode\":\"fail\"},"
		 "\"instanceGroups\":[{\"name\":\"plain\",\"instanceType\":\"m5.xlarge\",\"availabilityZone\":\"us-east-1a\"}],"
		 "\"capacityProviders\":[%s],"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"half\",\"desiredCount\":1,"
		 "\"capacityProviderStrategy\":[{\"capacityProvider\":\"cpa\",\"weight\":1}]}],"
		 "\"workload\":{\"traces\":[\"cl.csv\"]}}", a);
	rs_write("cl.json", buf);
	/* the provider's instance is up at 100 s (launchTimeSeconds) */
	rs_write("cl.csv", "time_s,event,target,taskdef,count,duration_s,group,capacity_provider_strategy\n"
		 "150,run_task,h1,big,1,,,cpa:0:1\n"
		 "160,run_task,w1,half,1,,,cpa:0:1\n"
		 "170,set_desired,s,,2,,,\n");
	T_EQ(rs_run("cl.json", "cl", NULL, NULL, NULL), 0);
	n = rs_rows("cl", "placement_failures.csv");
	for (int r = 1; r <= n; r++) {
		char *reason = rs_cell("cl", "placement_failures.csv", r, "reason");
		char *seen = rs_cell("cl", "placement_failures.csv", r, "instances_considered");

		T_STREQ(reason, "RESOURCE:CPU");
		T_STREQ(seen, "1");
		fails++;
		free(reason);
		free(seen);
	}
	CU_ASSERT(fails >= 2);            /* w1, and the service's second task */
	CU_ASSERT(rs_find("cl", "service_events.csv", "message",
			  "(service s) was unable to place a task because no container instance met all of its "
			  "requirements. The closest matching container-instance ci-00002 has insufficient CPU units "
			  "available. For more information, see the Troubleshooting section.") > 0);
}

static void test_pins_beyond_ten_constraints(void)
{
	char cons[1024];
	size_t len = 0;

	len += (size_t)snprintf(cons + len, sizeof cons - len, ",\"placementConstraints\":[");
	for (int k = 0; k < 10; k++)
		len += (size_t)snprintf(cons + len, sizeof cons - len,
					"%s{\"type\":\"memberOf\",\"expression\":\"attribute:ecs.instance-type == m5.large\"}",
					k ? "," : "");
	snprintf(cons + len, sizeof cons - len, "]");
	rebalance_on_provider("rbp10", cons);
}

/* An Auto Scaling group does not replace an instance deregistered from the
 * cluster (docs/ecs-model.md choices E63, E101): its host runs on, billed
 * and healthy to Auto Scaling.  Two m5.large ($0.096/h) of a managed-scaling
 * provider held at 2 (minSize) for an hour, ci-00001 deregistered at 600 s:
 * 2 × 0.096 = 0.1920 USD, and no third instance; a failure for good at
 * 600 s is replaced (a third instance, launched 60 + 100 s later). */
static void test_deregistered_not_replaced(void)
{
	char a[600], buf[2048];
	double cost;

	provider(a, sizeof a, "cp", 2, 5, 2, ",\"managedScaling\":{}");
	snprintf(buf, sizeof buf, HEAD(3600) "\"capacityProviders\":[%s],\"workload\":{\"traces\":[\"dr.csv\"]}}", a);
	rs_write("dr.json", buf);
	rs_write("dr.csv", "time_s,event,target,taskdef,count,duration_s,group\n600,deregister_instance,ci-00001,,,,\n");
	T_EQ(rs_run("dr.json", "dr", NULL, NULL, NULL), 0);
	RS_IS("dr", "summary.csv", 1, "cost_instances_usd", "0.1920");
	rs_write("dr.csv", "time_s,event,target,taskdef,count,duration_s,group\n600,instance_fail,ci-00001,,,,\n");
	T_EQ(rs_run("dr.json", "fr", NULL, NULL, NULL), 0);
	cost = rs_num("fr", "summary.csv", 1, "cost_instances_usd");
	CU_ASSERT(cost > 0.096 + 0.096 * 600 / 3600 + 1e-4);   /* the replacement's share */
}

/* §5.12: M counts the instances running a non-daemon task plus a binpack of
 * the tasks PROVISIONING for capacity, those whose placement found no room.
 * A task still inside placementLatencySeconds (1 s) has not been tried: it
 * is not waiting for capacity.  Two m5.large (one per zone), a service of
 * two half-instance tasks (one on each); at 59.5 s its desired count goes
 * to 4: the two new tasks are submitted before the 60 s datapoint and
 * placed at 60.5 s, one beside each old task.  Every datapoint has M = 2,
 * N = 2: 100 %, no row in scaling.csv, no third instance.  The same with a
 * RunTask of a small 30-second task half a second before every datapoint
 * for 20 minutes: it always fits, nothing ever waits, no row.  (Before, the
 * tasks inside their placement latency counted one instance more: 150 %,
 * 2 → 3 at 60 s; the stream climbed one instance per warm-up.) */
static void test_latency_not_provisioning(void)
{
	char a[800], buf[4096], tr[8192];
	size_t len;
	int r;

	provider(a, sizeof a, "cp", 0, 10, 2, ",\"managedScaling\":{\"targetCapacity\":100}");
	snprintf(buf, sizeof buf, HEAD(400)
		 "\"capacityProviders\":[%s],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"half\",\"desiredCount\":2,"
		 "\"availabilityZoneRebalancing\":\"DISABLED\"}],"
		 "\"workload\":{\"traces\":[\"lat.csv\"]}}", a);
	rs_write("lat.json", buf);
	rs_write("lat.csv", "time_s,event,target,taskdef,count,duration_s,group\n59.5,set_desired,s,,4,,\n");
	T_EQ(rs_run("lat.json", "lat", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("lat", "tasks.csv"), 4);
	for (int k = 1; k <= 4; k++) {
		RS_IS("lat", "tasks.csv", k, "last_status", "RUNNING");
		if (k > 2) {
			double sub = rs_num("lat", "tasks.csv", k, "submit_s");
			double pl = rs_num("lat", "tasks.csv", k, "placed_s");

			/* the premise: submitted before the 60 s datapoint, placed after */
			CU_ASSERT(sub < 60.0);
			CU_ASSERT(pl > 60.0 && pl < 62.0);
		}
	}
	T_EQ(rs_rows("lat", "scaling.csv"), 0);
	T_NEAR(rs_num("lat", "timeseries.csv", -1, "instances_registered"), 2);

	len = (size_t)snprintf(tr, sizeof tr, "time_s,event,target,taskdef,count,duration_s,group\n");
	for (int t = 60; t <= 1200; t += 60)
		len += (size_t)snprintf(tr + len, sizeof tr - len, "%d.5,run_task,,small,1,30,\n", t - 1);
	rs_write("lat2.csv", tr);
	snprintf(buf, sizeof buf, HEAD(1500)
		 "\"capacityProviders\":[%s],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"half\",\"desiredCount\":2,"
		 "\"availabilityZoneRebalancing\":\"DISABLED\"}],"
		 "\"workload\":{\"traces\":[\"lat2.csv\"]}}", a);
	rs_write("lat2.json", buf);
	T_EQ(rs_run("lat2.json", "lat2", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("lat2", "tasks.csv"), 2 + 20);
	T_EQ(rs_rows("lat2", "scaling.csv"), 0);
	r = rs_rows("lat2", "timeseries.csv");
	for (int k = 1; k <= r; k++)
		T_NEAR(rs_num("lat2", "timeseries.csv", k, "instances_registered"), 2);
}

/* §5.12: the scale-out estimate binpacks the waiting tasks over every
 * static host port, UDP ones too, on instances that already hold the
 * agent's reserved ports (TCP 22, 2375, 2376, 51678, 51679; choice D2).
 * A service of four small bridge tasks with host port 5353/udp on a group
 * of one m5.large: one runs, three wait, each needing an instance of its
 * own: M = 1 + 3 = 4, N = 1, 400 % at 60 s, 1 -> 4 in one step (as with
 * 5353/tcp).  (Before, the UDP port was not counted: the three fit one
 * instance, 200 %, 1 -> 2, and a scale-out per warm-up after.)  A task
 * that needs host port 22/tcp fits no instance of the group: it is left
 * out of the estimate and an empty group stays at 0 (before: 0 -> 2 at
 * 60 s, and the task still failed RESOURCE:PORTS there). */
static void ports_run(const char *tag, int desired, int start, const char *mapping)
{
	char a[800], buf[4096], td[512], name[64], tdname[64];

	snprintf(tdname, sizeof tdname, "%s-td.json", tag);
	snprintf(td, sizeof td, "{\"family\":\"p\",\"networkMode\":\"bridge\",\"containerDefinitions\":"
		 "[{\"name\":\"a\",\"image\":\"x\",\"cpu\":256,\"memory\":256,\"portMappings\":[%s]}]}",
		 mapping);
	rs_write(tdname, td);
	provider(a, sizeof a, "cp", 0, 10, start, ",\"managedScaling\":{\"targetCapacity\":100}");
	snprintf(buf, sizeof buf, "{\"durationSeconds\":600,\"metricsIntervalSeconds\":60,\"region\":\"us-east-1\","
		 "\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],\"taskDefinitions\":{\"p\":\"%s\"},"
		 "\"capacityProviders\":[%s],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"p\",\"desiredCount\":%d}]}",
		 tdname, a, desired);
	snprintf(name, sizeof name, "%s.json", tag);
	rs_write(name, buf);
	T_EQ(rs_run(name, tag, NULL, NULL, NULL), 0);
}

static void test_binpack_ports(void)
{
	ports_run("ptcp", 4, 1, "{\"containerPort\":5353,\"hostPort\":5353,\"protocol\":\"tcp\"}");
	T_EQ(rs_rows("ptcp", "scaling.csv"), 1);
	T_NEAR(rs_num("ptcp", "scaling.csv", 1, "value"), 400);
	T_NEAR(rs_num("ptcp", "scaling.csv", 1, "new"), 4);
	ports_run("pudp", 4, 1, "{\"containerPort\":5353,\"hostPort\":5353,\"protocol\":\"udp\"}");
	T_EQ(rs_rows("pudp", "scaling.csv"), 1);
	T_NEAR(rs_num("pudp", "scaling.csv", 1, "time_s"), 60);
	T_NEAR(rs_num("pudp", "scaling.csv", 1, "value"), 400);
	T_NEAR(rs_num("pudp", "scaling.csv", 1, "old"), 1);
	T_NEAR(rs_num("pudp", "scaling.csv", 1, "new"), 4);
	ports_run("p22", 1, 0, "{\"containerPort\":22,\"hostPort\":22}");
	T_EQ(rs_rows("p22", "scaling.csv"), 0);
	T_NEAR(rs_num("p22", "timeseries.csv", -1, "instances_registered"), 0);
	RS_IS("p22", "tasks.csv", 1, "last_status", "PROVISIONING");
}

/* §5.12, E42, in a run: a provider of m5.large at 0 instances with
 * targetCapacity 90 and no task stays at 0 for two hours, no scaling.csv
 * row, nothing billed (before: 0 -> 2 at 60 s and back every 17 minutes);
 * with one task of a whole m5.large waiting it goes to two at 60 s. */
static void test_idle_zero_target_90(void)
{
	char a[800], buf[4096];
	int n;

	provider(a, sizeof a, "cp", 0, 10, 0, ",\"managedScaling\":{\"targetCapacity\":90}");
	snprintf(buf, sizeof buf, HEAD(7200)
		 "\"capacityProviders\":[%s],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}]}", a);
	rs_write("idle.json", buf);
	T_EQ(rs_run("idle.json", "idle", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("idle", "scaling.csv"), 0);
	n = rs_rows("idle", "timeseries.csv");
	CU_ASSERT(n > 100);
	for (int k = 1; k <= n; k++)
		T_NEAR(rs_num("idle", "timeseries.csv", k, "instances_registered"), 0);
	T_NEAR(rs_num("idle", "summary.csv", 1, "cost_instances_usd"), 0);

	snprintf(buf, sizeof buf, HEAD(600)
		 "\"capacityProviders\":[%s],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"big\",\"desiredCount\":1}]}", a);
	rs_write("idle1.json", buf);
	T_EQ(rs_run("idle1.json", "idle1", NULL, NULL, NULL), 0);
	CU_ASSERT_FATAL(rs_rows("idle1", "scaling.csv") >= 1);
	T_NEAR(rs_num("idle1", "scaling.csv", 1, "time_s"), 60);
	T_NEAR(rs_num("idle1", "scaling.csv", 1, "old"), 0);
	T_NEAR(rs_num("idle1", "scaling.csv", 1, "new"), 2);
	RS_IS("idle1", "tasks.csv", 1, "last_status", "RUNNING");
}

/* §2.4, E163: "a stopped instance or one whose agent is disconnected is not
 * auto-deregistered on termination", a scale-in's included.  A provider of
 * two m5.large (minSize 1, scaleInDatapoints 5, no managed draining) with
 * no task scales in 2 -> 1 at 300 s.  With both agents disconnected from
 * 1 s for 5000 s the terminated instance stays registered (ACTIVE, agent
 * disconnected): 2 registered to the end, only one billed (before: it
 * went INACTIVE at 300 s, 1 registered).  With the agents connected it is
 * deregistered at once: 1 registered from 300 s. */
static void scale_in_watch(const char *tag, const char *trace,
			   void (*observe)(struct backplane *bp, void *ctx), void *ctx)
{
	char a[800], buf[4096], name[64], tr[64];

	provider(a, sizeof a, "cp", 1, 4, 2, ",\"managedScaling\":{\"scaleInDatapoints\":5},"
		 "\"managedDraining\":\"DISABLED\"");
	snprintf(tr, sizeof tr, "%s.csv", tag);
	rs_write(tr, trace);
	snprintf(buf, sizeof buf, HEAD(900) "\"capacityProviders\":[%s],\"workload\":{\"traces\":[\"%s\"]}}",
		 a, tr);
	snprintf(name, sizeof name, "%s.json", tag);
	rs_write(name, buf);
	T_EQ(rs_run(name, tag, NULL, observe, ctx), 0);
}

static void scale_in_run(const char *tag, const char *trace)
{
	scale_in_watch(tag, trace, NULL, NULL);
}

static void test_scale_in_disconnected_stays(void)
{
	int r;

	scale_in_run("sid", "time_s,event,target,duration_s\n1,agent_disconnect,ci-00001,5000\n"
		     "1,agent_disconnect,ci-00002,5000\n");
	T_EQ(rs_rows("sid", "scaling.csv"), 1);
	T_NEAR(rs_num("sid", "scaling.csv", 1, "time_s"), 300);
	T_NEAR(rs_num("sid", "scaling.csv", 1, "new"), 1);
	r = rs_find("sid", "timeseries.csv", "time_s", "480.000");
	CU_ASSERT_FATAL(r > 0);
	T_NEAR(rs_num("sid", "timeseries.csv", r, "instances_registered"), 2);
	T_NEAR(rs_num("sid", "timeseries.csv", -1, "instances_registered"), 2);
	T_NEAR(rs_num("sid", "timeseries.csv", -1, "instances_active"), 2);
	/* billed: two for 300 s, one for 900 s at $0.096/h */
	T_NEAR(rs_num("sid", "summary.csv", 1, "cost_instances_usd"), 0.096 * (2 * 300 + 600) / 3600);

	scale_in_run("sic", "time_s,event,target,duration_s\n");
	T_EQ(rs_rows("sic", "scaling.csv"), 1);
	T_NEAR(rs_num("sic", "scaling.csv", 1, "time_s"), 300);
	r = rs_find("sic", "timeseries.csv", "time_s", "360.000");
	CU_ASSERT_FATAL(r > 0);
	T_NEAR(rs_num("sic", "timeseries.csv", r, "instances_registered"), 1);
}

/* §2.4, §5.12, E163: a host down for repair is a host whose agent is
 * silent; Auto Scaling terminating it ends it for good.  The same provider
 * (2 -> 1 at 300 s, ci-00001 first: the zones even, the lower id), its
 * ci-00001 failed at 100 s with a repair of 400 s (noticed at 160 s, the
 * heartbeat timeout): the scale-in at 300 s terminates it, so it is not
 * repaired at 500 s; it stays registered, ACTIVE with its agent
 * disconnected, to the end (2 registered, 2 active), billed until 300 s.
 * The same with the failure at 280 s, not yet noticed at the scale-in
 * (noticed at 340 s): still registered, disconnected from 340 s.  The old
 * code deregistered it at the scale-in (INACTIVE at 300 s, 1 registered,
 * though its agent told ECS nothing) and brought it back at 500 s (its
 * agent connected again on an instance gone). */
struct repair_watch {
	sim_time_t fail_seen;          /* from then ci-00001's agent must be disconnected */
	int connected_after, inactive;
};

static void repair_observe(struct backplane *bp, void *ctx)
{
	struct repair_watch *w = ctx;
	struct cluster *cl = backplane_cluster(bp);

	if (cluster_count(cl) < 1)
		return;
	if (cluster_status(cl, 0) == INST_INACTIVE)
		w->inactive++;
	if (sim_now(backplane_sim(bp)) >= w->fail_seen && cluster_agent_connected(cl, 0))
		w->connected_after++;
}

static void test_scale_in_down_for_repair(void)
{
	static const struct { const char *tag, *trace; sim_time_t seen; } runs[] = {
		{ "sir", "time_s,event,target,duration_s\n100,instance_fail,ci-00001,400\n", 160000 },
		{ "sin", "time_s,event,target,duration_s\n280,instance_fail,ci-00001,400\n", 340000 },
	};

	for (int k = 0; k < 2; k++) {
		struct repair_watch w = { .fail_seen = runs[k].seen };
		const char *tag = runs[k].tag;

		scale_in_watch(tag, runs[k].trace, repair_observe, &w);
		T_EQ(rs_rows(tag, "scaling.csv"), 1);
		T_NEAR(rs_num(tag, "scaling.csv", 1, "time_s"), 300);
		T_NEAR(rs_num(tag, "scaling.csv", 1, "new"), 1);
		T_EQ(w.inactive, 0);
		T_EQ(w.connected_after, 0);
		T_NEAR(rs_num(tag, "timeseries.csv", -1, "instances_registered"), 2);
		T_NEAR(rs_num(tag, "timeseries.csv", -1, "instances_active"), 2);
		/* billed: ci-00001 to 300 s, ci-00002 to the end, $0.096/h */
		T_NEAR(rs_num(tag, "summary.csv", 1, "cost_instances_usd"), 0.096 * (300 + 900) / 3600);
		T_EQ(rs_rows(tag, "failures.csv"), 1);
	}
}

/* §7.5, E30: limits.maxInstances counts every registration.  At load, 3
 * group instances + a provider's desiredCapacity 3 pass a limit of 5:
 * refused at $.capacityProviders (before: ran with 6).  In a run with a
 * limit of 3: a provider at 1 instance with 5 waiting whole-m5.large tasks
 * scales out 1 -> 5 at 60 s, but only two more register (3 in all; before:
 * 5); an instance group of 2 with autoScaling replacement and a limit of 2
 * gets no replacement for ci-00001 failed for good (it stays registered,
 * E163): 2 registered (before: 3). */
static void test_max_instances(void)
{
	char a[800], buf[4096], msg[1024];

	provider(a, sizeof a, "cp", 0, 10, 3, "");
	snprintf(buf, sizeof buf, HEAD(300) "\"limits\":{\"maxInstances\":5},"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
		 "\"count\":3}],\"capacityProviders\":[%s]}", a);
	rs_write("mi.json", buf);
	T_EQ(rs_run_msg("mi.json", "mi", msg, sizeof msg), -1);
	CU_ASSERT(strstr(msg, "$.capacityProviders") != NULL);
	CU_ASSERT(strstr(msg, "register 6 container instances") != NULL);

	provider(a, sizeof a, "cp", 0, 10, 1, ",\"managedScaling\":{\"targetCapacity\":100}");
	snprintf(buf, sizeof buf, HEAD(900) "\"limits\":{\"maxInstances\":3},"
		 "\"capacityProviders\":[%s],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"big\",\"desiredCount\":5}]}", a);
	rs_write("mr.json", buf);
	T_EQ(rs_run("mr.json", "mr", NULL, NULL, NULL), 0);
	CU_ASSERT_FATAL(rs_rows("mr", "scaling.csv") >= 1);
	T_NEAR(rs_num("mr", "scaling.csv", 1, "new"), 5);
	T_NEAR(rs_num("mr", "timeseries.csv", -1, "instances_registered"), 3);

	snprintf(buf, sizeof buf, HEAD(900) "\"limits\":{\"maxInstances\":2},"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
		 "\"count\":2,\"autoScaling\":{\"replaceFailed\":true,\"replacementDelaySeconds\":60}}],"
		 "\"workload\":{\"traces\":[\"mg.csv\"]}}");
	rs_write("mg.json", buf);
	rs_write("mg.csv", "time_s,event,target\n100,instance_fail,ci-00001\n");
	T_EQ(rs_run("mg.json", "mg", NULL, NULL, NULL), 0);
	T_NEAR(rs_num("mg", "timeseries.csv", -1, "instances_registered"), 2);

	/* the quota is on registered instances, not on the run's records: a
	 * group of 2 under a limit of 2 whose failed-for-good instance is
	 * deregistered gets its replacement (3 records, 2 registered); and
	 * a trace's register_instance after a deregistration passes (before:
	 * no replacement, and the row refused as a 4th registration) */
	rs_write("md.csv", "time_s,event,target,count,group\n100,instance_fail,ci-00001,,\n"
		 "110,deregister_instance,ci-00001,,\n300,deregister_instance,ci-00002,,\n"
		 "400,register_instance,m5.large,1,us-east-1a\n");
	snprintf(buf, sizeof buf, HEAD(900) "\"limits\":{\"maxInstances\":2},"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
		 "\"count\":2,\"autoScaling\":{\"replaceFailed\":true,\"replacementDelaySeconds\":60}}],"
		 "\"workload\":{\"traces\":[\"md.csv\"]}}");
	rs_write("md.json", buf);
	T_EQ(rs_run("md.json", "md", NULL, NULL, NULL), 0);
	T_NEAR(rs_num("md", "timeseries.csv", -1, "instances_registered"), 2);
}

static CU_TestInfo cp_tests[] = {
	{ "service strategy: base first, then 1 : 4 over 500 tasks", test_service_split_base_weights },
	{ "a deregistered instance is not replaced", test_deregistered_not_replaced },
	{ "RunTask follows the default strategy, per call", test_runtask_default_strategy },
	{ "a service with a launchType ignores the default strategy", test_launch_type_not_default },
	{ "a service's scale-in keeps the split", test_scale_in_keeps_split },
	{ "scale-out from zero to two, then to the need", test_scale_out_from_zero },
	{ "instance warm-up holds back the next scale-out", test_warmup_respected },
	{ "tasks waiting for capacity stay PROVISIONING", test_waiting_tasks_provisioning },
	{ "the wait for capacity ends after capacityWaitSeconds (20 minutes)", test_wait_ends },
	{ "ECS's quota of tasks in PROVISIONING: RunTask over it fails", test_provisioning_quota },
	{ "reservation on hand-computed clusters; scale-in after 15", test_reservation_and_scale_in },
	{ "a task inside its placement latency is not PROVISIONING for capacity", test_latency_not_provisioning },
	{ "the scale-out estimate counts UDP and agent-reserved host ports", test_binpack_ports },
	{ "an idle empty group with targetCapacity 90 stays at zero", test_idle_zero_target_90 },
	{ "a scale-in leaves an instance with a disconnected agent registered", test_scale_in_disconnected_stays },
	{ "a scale-in of a host down for repair: registered, disconnected, not repaired", test_scale_in_down_for_repair },
	{ "limits.maxInstances counts provider instances and replacements", test_max_instances },
	{ "termination protection, checked after every event", test_termination_protection },
	{ "a group scaled out and in for two days: its lists agree with every instance", test_churn_lists },
	{ "an AZ-rebalancing task stays on its provider", test_rebalance_keeps_provider },
	{ "the pins hold beside ten constraints of the service's", test_pins_beyond_ten_constraints },
	{ "a provider's task: the closest instance is the provider's (A4)", test_closest_is_the_providers },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "capacity providers in runs", setup, rs_teardown, NULL, NULL, cp_tests },
	CU_SUITE_INFO_NULL,
};
