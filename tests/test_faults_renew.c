/* tests/test_faults_renew.c — an instance's fault processes across its
 * failures (docs/ecs-model.md §5.13, §7.1, §8, choice E200): a failure with
 * repair (a reboot) does not end its stochastic agent disconnects nor its
 * drawn Spot notice, and a Spot notice to a host down for repair ends it
 * for good; a whole-AZ outage keeps the AZ's hosts down to its end, those
 * down at its start and those registering during it included (choice
 * E201). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"

#define TIMING "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"heartbeatTimeoutSeconds\":60,\"heartbeatJitterSeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3,\"reconnectJitter\":0},"

#define HEAD(name, dur) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," TIMING \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"

/* The instants (ms) at which the control plane sees instance 0's agent go
 * from connected to disconnected. */
struct drops {
	int was;
	int n;
	int64_t at[64];
};

static void drops_observe(struct backplane *bp, void *ctx)
{
	struct drops *c = ctx;
	int up;

	if (cluster_count(bp->cl) < 1)
		return;
	up = cluster_agent_connected(bp->cl, 0);
	if (c->was && !up && c->n < 64)
		c->at[c->n++] = sim_now(bp->sim);
	c->was = up;
}

/* One instance: fixed time to failure 3,500 s and repair 100 s (failures
 * at 3,500 and 7,100, repaired at 3,600 and 7,200); disconnects every
 * 800 s after the last ended, 200 s long (at 800 + 1,000 k: 200 s of
 * silence, then the first reconnect try at or after 200 s, 218.439 s with
 * no jitter, choice E111).  The control plane sees each disconnect after
 * the heartbeat timeout (60 s, no jitter) and each failure's detection
 * then too: drops at 860, 1860, 2860, 3560 (failure), 3860, 4860, 5860,
 * 6860, 7160 (failure), 7860, 8860, 9860.  The old code lost the
 * disconnect process at the first failure (only 860, 1860, 2860, 3560,
 * 7160). */
static void test_disconnects_after_repair(void)
{
	static const int64_t want[] = { 860000, 1860000, 2860000, 3560000, 3860000, 4860000, 5860000,
					6860000, 7160000, 7860000, 8860000, 9860000 };
	struct drops c = { .was = 1 };
	char msg[200];

	rs_write("dr.json", HEAD("dr", 10000)
		 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1,"
		 "\"failures\":{\"timeToFailureSeconds\":3500,\"timeToRepairSeconds\":100},"
		 "\"agentDisconnects\":{\"interArrivalSeconds\":800,\"durationSeconds\":200}}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":1}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("dr.json", "dr", NULL, drops_observe, &c), 0);
	T_EQ(c.n, (int)(sizeof want / sizeof want[0]));
	for (int i = 0; i < c.n && i < (int)(sizeof want / sizeof want[0]); i++)
		if (c.at[i] != want[i]) {
			snprintf(msg, sizeof msg, "drop %d at %lld ms, want %lld", i, (long long)c.at[i],
				 (long long)want[i]);
			T_FAIL(msg);
		}
	T_EQ(rs_rows("dr", "failures.csv"), 2);
}

/* Two Spot instances, each failing every 1,000 s up and 100 s repair
 * (failures at 1,000, 2,100, 3,200 ...), the notice drawn at 3,000 s: both
 * are up then, so both get their notice at 3,000 and are terminated at
 * 3,120 (their service task SpotInterruption), and fail no more.  The old
 * code dropped the notice at the first failure: instance failures every
 * 1,100 s and no spot_interruption row. */
static void test_spot_notice_after_repair(void)
{
	int r;

	rs_write("sr.json", HEAD("sr", 8000)
		 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2,"
		 "\"failures\":{\"timeToFailureSeconds\":1000,\"timeToRepairSeconds\":100},"
		 "\"spot\":{\"draining\":false,\"timeToInterruptionSeconds\":3000}}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"placement\":{\"tieBreak\":\"first\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":2,"
		 "\"placementConstraints\":[{\"type\":\"distinctInstance\"}]}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("sr.json", "sr", NULL, NULL, NULL), 0);
	/* 2 × instance_fail at 1000 and 2100, 2 × spot_interruption at 3000 */
	T_EQ(rs_rows("sr", "failures.csv"), 6);
	for (int i = 1; i <= 6; i++) {
		char *k = rs_cell("sr", "failures.csv", i, "kind");
		double at = rs_num("sr", "failures.csv", i, "time_s");

		if (i <= 4) {
			T_STREQ(k, "instance_fail");
			CU_ASSERT(at == 1000 || at == 2100);
		} else {
			T_STREQ(k, "spot_interruption");
			T_NEAR(at, 3000);
		}
		free(k);
	}
	r = rs_find("sr", "tasks.csv", "stop_code", "SpotInterruption");
	CU_ASSERT(r > 0);
	T_NEAR(rs_num("sr", "tasks.csv", r, "stopped_s"), 3120);
	RS_IS("sr", "timeseries.csv", -1, "instances_active", "0");
}

/* A notice drawn for an instant the host is down for repair (failed at
 * 1,000 s, repair 300 s, notice at 1,050 s): EC2 reclaims it all the same
 * (choice E200).  The notice is a failures.csv row with no task affected
 * (the failure took them), the host is terminated at 1,170 s and not
 * repaired at 1,300, so it fails no more; Auto Scaling replaces it 300 s
 * later (ci-00002 at 1,470, where the service's task then runs: its pass
 * 10 s later, placed 1 s after).  The old code ignored the notice: the
 * instance came back at 1,300 and failed again 1,000 s later. */
static void test_spot_notice_while_down(void)
{
	int r;

	rs_write("sd.json", HEAD("sd", 5000)
		 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1,"
		 "\"failures\":{\"timeToFailureSeconds\":1000,\"timeToRepairSeconds\":300},"
		 "\"autoScaling\":{\"replacementDelaySeconds\":300},"
		 "\"spot\":{\"timeToInterruptionSeconds\":1050}}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":1}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("sd.json", "sd", NULL, NULL, NULL), 0);
	/* ci-00001: failed at 1000, noticed at 1050; its replacement ci-00002
	 * (registered at 1470) fails at 2470 and gets its own notice 1050 s
	 * after registering, at 2520, while down (terminated at 2640 and
	 * replaced at 2940 by ci-00003, which goes the same way: 3940, 3990) */
	T_EQ(rs_rows("sd", "failures.csv"), 6);
	RS_IS("sd", "failures.csv", 1, "kind", "instance_fail");
	T_NEAR(rs_num("sd", "failures.csv", 1, "time_s"), 1000);
	RS_IS("sd", "failures.csv", 2, "kind", "spot_interruption");
	T_NEAR(rs_num("sd", "failures.csv", 2, "time_s"), 1050);
	RS_IS("sd", "failures.csv", 2, "target", "ci-00001");
	RS_IS("sd", "failures.csv", 2, "tasks_affected", "0");
	RS_IS("sd", "failures.csv", 3, "target", "ci-00002");
	T_NEAR(rs_num("sd", "failures.csv", 3, "time_s"), 2470);
	RS_IS("sd", "failures.csv", 4, "kind", "spot_interruption");
	T_NEAR(rs_num("sd", "failures.csv", 4, "time_s"), 2520);
	r = rs_find("sd", "tasks.csv", "instance_id", "ci-00002");
	CU_ASSERT(r > 0);
	T_NEAR(rs_num("sd", "tasks.csv", r, "placed_s"), 1481);
	/* ci-00001 was not repaired: no task ran there after its failure */
	for (int i = 1; i <= rs_rows("sd", "tasks.csv"); i++) {
		char *in = rs_cell("sd", "tasks.csv", i, "instance_id");

		if (in && strcmp(in, "ci-00001") == 0)
			CU_ASSERT(rs_num("sd", "tasks.csv", i, "placed_s") < 1000);
		free(in);
	}
}

/* The same host back from its repair (100 s) before the termination
 * (1,170 s), Spot draining on: its agent finds the notice when it comes
 * back and sets it DRAINING (choice E200), so the service places nothing
 * there; it is terminated at 1,170 s and, with no other instance, the
 * service's task waits for the replacement (ci-00002 at 1,470).  The old
 * code placed the task on the repaired host at 1,111. */
static void test_spot_notice_back_in_warning(void)
{
	int r;

	rs_write("sw.json", HEAD("sw", 2000)
		 "\"instanceGroups\":[{\"name\":\"g\",\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1,"
		 "\"failures\":{\"timeToFailureSeconds\":1000,\"timeToRepairSeconds\":100},"
		 "\"autoScaling\":{\"replacementDelaySeconds\":300},"
		 "\"spot\":{\"draining\":true,\"timeToInterruptionSeconds\":1050}}],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":1}]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("sw.json", "sw", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("sw", "failures.csv"), 2);
	RS_IS("sw", "failures.csv", 2, "kind", "spot_interruption");
	T_NEAR(rs_num("sw", "failures.csv", 2, "time_s"), 1050);
	T_EQ(rs_rows("sw", "tasks.csv"), 2);
	r = rs_find("sw", "tasks.csv", "instance_id", "ci-00002");
	CU_ASSERT(r > 0);
	T_NEAR(rs_num("sw", "tasks.csv", r, "placed_s"), 1481);
}

/* Whole-AZ outages (docs/ecs-model.md §8.2, choice E201): the instants
 * (ms) at which each of the first three instances' agents is seen
 * connected again, and whether one of them was connected while its AZ was
 * out. */
struct azwatch {
	int was[3];
	int64_t back[3];
	int64_t out_from, out_to;      /* the AZ us-east-1a is out in (from, to) */
	int64_t quiet_from;            /* ... and known to be from then (its failures noticed) */
	int connected_in_outage;
};

static void az_observe(struct backplane *bp, void *ctx)
{
	struct azwatch *c = ctx;
	sim_time_t now = sim_now(bp->sim);

	for (int32_t i = 0; i < 3 && i < cluster_count(bp->cl); i++) {
		int up = cluster_agent_connected(bp->cl, i) &&
			 cluster_status(bp->cl, i) != INST_INACTIVE;

		if (up && !c->was[i] && now > c->out_from)
			c->back[i] = now;
		c->was[i] = up;
		if (up && now > c->quiet_from && now < c->out_to &&
		    strcmp(cluster_az(bp->cl, i), "us-east-1a") == 0)
			c->connected_in_outage++;
	}
}

/* No task of the tasks.csv of `tag` reached RUNNING in us-east-1a in
 * [from, to) s, and none was placed on instance `inst` then. */
static void none_in_az(const char *tag, const char *inst, double from, double to)
{
	for (int i = 1; i <= rs_rows(tag, "tasks.csv"); i++) {
		char *az = rs_cell(tag, "tasks.csv", i, "az");
		char *in = rs_cell(tag, "tasks.csv", i, "instance_id");
		double start = rs_num(tag, "tasks.csv", i, "start_s");
		double at = rs_num(tag, "tasks.csv", i, "placed_s");

		if ((az && strcmp(az, "us-east-1a") == 0 && start >= from && start < to) ||
		    (in && strcmp(in, inst) == 0 && at >= from && at < to)) {
			char msg[160];

			snprintf(msg, sizeof msg, "%s: tasks.csv row %d (%s) placed at %.3f s, running at %.3f s, "
				 "during the outage", tag, i, in, at, start);
			T_FAIL(msg);
		}
		free(az);
		free(in);
	}
}

/* The AZ outage tests' scenarios after HEAD: groups a (`na` m5.large in
 * us-east-1a) and b (`nb` in us-east-1b); the service s of `desired` small
 * tasks and the trace <name>.csv. */
#define AZ_GROUPS(na, nb) "\"instanceGroups\":[{\"name\":\"a\",\"instanceType\":\"m5.large\"," \
	"\"availabilityZone\":\"us-east-1a\",\"count\":" #na "},{\"name\":\"b\",\"instanceType\":\"m5.large\"," \
	"\"availabilityZone\":\"us-east-1b\",\"count\":" #nb "}],"
#define AZ_TAIL(name, desired) "\"taskDefinitions\":{\"small\":\"small.json\"}," \
	"\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"small\",\"desiredCount\":" #desired "}]," \
	"\"workload\":{\"traces\":[\"" name ".csv\"]}}"

/* Run <tag>.json (`scn`) with the trace <tag>.csv of `rows` under
 * az_observe, watching the AZ us-east-1a out from `from` ms to `to` ms,
 * known to be from `quiet` ms, the first three instances' agents connected
 * at the start as `was` says; none seen connected in the outage. */
static void az_run(const char *tag, const char *scn, const char *rows, const int was[3], int64_t from, int64_t to,
		   int64_t quiet, struct azwatch *c)
{
	char file[64], csv[512];

	memset(c, 0, sizeof *c);
	for (int i = 0; i < 3; i++) {
		c->was[i] = was[i];
		c->back[i] = -1;
	}
	c->out_from = from;
	c->out_to = to;
	c->quiet_from = quiet;
	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scn);
	snprintf(file, sizeof file, "%s.csv", tag);
	snprintf(csv, sizeof csv, "time_s,event,target,taskdef,count,duration_s,group\n%s", rows);
	rs_write(file, csv);
	snprintf(file, sizeof file, "%s.json", tag);
	CU_ASSERT_EQUAL_FATAL(rs_run(file, tag, NULL, az_observe, c), 0);
	T_EQ(c->connected_in_outage, 0);
}

/* An instance already down (failed at 100 s, repair 60 s) when its AZ's
 * outage starts (120 s, 1,000 s long) comes back with the AZ at 1,120 s,
 * not at 160 s: nothing is placed on it before then and no task runs in
 * the AZ (ci-00002, failed at 120 s, may be sent one until its failure is
 * noticed at 180 s, which never starts), the service's lost tasks go to
 * us-east-1b (ci-00003).  The old code repaired ci-00001 at 160 s and ran
 * a replacement on it from 171 s. */
static void test_down_instance_in_az_outage(void)
{
	static const int was[3] = { 1, 1, 1 };
	struct azwatch c;

	az_run("ad", HEAD("ad", 2000) AZ_GROUPS(2, 1) AZ_TAIL("ad", 3),
	       "100,instance_fail,ci-00001,,,60,\n120,az_outage,us-east-1a,,,1000,\n", was, 120000, 1120000, 180000, &c);
	T_EQ(c.back[0], 1120000);
	T_EQ(c.back[1], 1120000);
	none_in_az("ad", "ci-00001", 100, 1120);
	RS_IS("ad", "services.csv", -1, "running", "3");
}

/* An instance that registers (the trace, 200 s) in an AZ that is out
 * (100 s to 1,100 s) is down until the AZ comes back, and the backplane
 * knows at once: nothing is placed there before 1,100 s.  The old code
 * placed the service's replacement on it at 211 s. */
static void test_register_in_az_outage(void)
{
	static const int was[3] = { 1, 1, 0 };
	struct azwatch c;

	az_run("ar", HEAD("ar", 2000) AZ_GROUPS(1, 1) AZ_TAIL("ar", 2),
	       "100,az_outage,us-east-1a,,,1000,\n200,register_instance,m5.large,,1,,us-east-1a\n", was, 200000, 1100000,
	       200000, &c);
	T_EQ(c.back[0], 1100000);
	T_EQ(c.back[2], 1100000);
	none_in_az("ar", "ci-00003", 100, 1100);
	/* the outage's one failures.csv row: the registered instance is part of it */
	T_EQ(rs_rows("ar", "failures.csv"), 1);
}

/* A capacity provider's scale-out into an AZ that is out (choice E201):
 * the group (us-east-1a only, none at the start) has a service's task
 * waiting PROVISIONING, the AZ goes out at 10 s for 2,000 s, and managed
 * scaling goes from zero to two at 60 s; both instances register at 160 s
 * (launch 100 s) in the out AZ, so they are down at once, their agents
 * never seen connected: the task is placed on neither (nor on the two
 * more launched later) and still waits at the end (1,000 s), and the
 * outage is the one failures.csv row.  The old
 * code failed them in an event after the registration's, when the retry
 * of the waiting tasks had already placed the task on ci-00001 (160 s,
 * then STOPPED InfrastructureHealth). */
static void test_scale_out_in_az_outage(void)
{
	static const int was[3] = { 0, 0, 0 };
	struct azwatch c;

	az_run("ao", HEAD("ao", 1000)
	       "\"capacityProviders\":[{\"name\":\"cp\",\"autoScalingGroup\":{\"instanceType\":\"m5.large\","
	       "\"availabilityZones\":[\"us-east-1a\"],\"minSize\":0,\"maxSize\":4,\"desiredCapacity\":0,"
	       "\"launchTimeSeconds\":100},\"managedScaling\":{\"targetCapacity\":100}}],"
	       "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
	       AZ_TAIL("ao", 1),
	       "10,az_outage,us-east-1a,,,2000,\n", was, 10000, 2010000, 10000, &c);
	CU_ASSERT_FATAL(rs_rows("ao", "scaling.csv") >= 1);
	T_NEAR(rs_num("ao", "scaling.csv", 1, "time_s"), 60);
	T_NEAR(rs_num("ao", "scaling.csv", 1, "new"), 2);
	/* the task still waits, so each datapoint past the warm-up scales
	 * out again (M = N + 1, choice E243), into the same out zone: the
	 * group's maximum, 4, all down */
	T_NEAR(rs_num("ao", "timeseries.csv", -1, "instances_registered"), 4);
	none_in_az("ao", "ci-00001", 0, 1000);
	none_in_az("ao", "ci-00002", 0, 1000);
	none_in_az("ao", "ci-00003", 0, 1000);
	none_in_az("ao", "ci-00004", 0, 1000);
	T_EQ(rs_rows("ao", "tasks.csv"), 1);
	RS_IS("ao", "tasks.csv", 1, "last_status", "PROVISIONING");
	T_EQ(rs_rows("ao", "failures.csv"), 1);
}

/* The instances each AZ holds, at most over the run, and the first
 * instant one registered in us-east-1b. */
struct azcount {
	int32_t most[2];
	int64_t first_b;
};

static void azcount_observe(struct backplane *bp, void *ctx)
{
	struct azcount *c = ctx;
	int32_t n[2] = { 0, 0 };

	for (int32_t i = 0; i < cluster_count(bp->cl); i++)
		n[strcmp(cluster_az(bp->cl, i), "us-east-1a") != 0]++;
	for (int k = 0; k < 2; k++)
		if (n[k] > c->most[k])
			c->most[k] = n[k];
	if (n[1] > 0 && c->first_b < 0)
		c->first_b = sim_now(bp->sim);
}

/* A capacity provider's group over two AZs, one of them out (choice E242,
 * Auto Scaling's default "balanced best effort" distribution: a launch
 * that fails in a zone goes to another healthy zone).  As in
 * test_scale_out_in_az_outage, none at the start and a service's task
 * waiting PROVISIONING, us-east-1a out from 10 s for 2,000 s, managed
 * scaling from zero at 60 s: every launch goes to us-east-1b, where the
 * instances register at 160 s (launch 100 s) and the task runs; none goes
 * to us-east-1a, though it is listed first and holds none.  The old code
 * sent the first launch to us-east-1a (the zone with the fewest, ties to
 * the first listed), where it came up down (E201), and with one task one
 * instance of two was of no use for the whole outage. */
static void test_scale_out_beside_az_outage(void)
{
	struct azcount c = { { 0, 0 }, -1 };

	rs_write("ab.json", HEAD("ab", 1000)
		 "\"capacityProviders\":[{\"name\":\"cp\",\"autoScalingGroup\":{\"instanceType\":\"m5.large\","
		 "\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],\"minSize\":0,\"maxSize\":4,"
		 "\"desiredCapacity\":0,\"launchTimeSeconds\":100},\"managedScaling\":{\"targetCapacity\":100}}],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 AZ_TAIL("ab", 1));
	rs_write("ab.csv", "time_s,event,target,taskdef,count,duration_s,group\n10,az_outage,us-east-1a,,,2000,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("ab.json", "ab", NULL, azcount_observe, &c), 0);
	CU_ASSERT_FATAL(rs_rows("ab", "scaling.csv") >= 1);
	T_NEAR(rs_num("ab", "scaling.csv", 1, "time_s"), 60);
	T_EQ(c.most[0], 0);
	T_EQ(c.most[1], (int32_t)rs_num("ab", "scaling.csv", 1, "new"));
	T_EQ(c.first_b, 160000);
	T_EQ(rs_rows("ab", "tasks.csv"), 1);
	RS_IS("ab", "tasks.csv", 1, "last_status", "RUNNING");
	RS_IS("ab", "tasks.csv", 1, "az", "us-east-1b");
	T_EQ(rs_rows("ab", "failures.csv"), 1);
}

/* Managed scaling while an AZ is out (choice E243): a group over
 * us-east-1a and us-east-1b, one m5.large in each from the start (E61),
 * a service of 4 tasks of 1 vCPU (two per instance).  us-east-1a goes out
 * at 100 s for 1,500 s: its instance's two tasks are lost when the
 * backplane notices (160 s) and their replacements wait PROVISIONING.  At
 * the 180-s datapoint N = 2 (the host down in us-east-1a is still running
 * to Auto Scaling, empty) and the estimate for the waiting tasks is one
 * instance: M = N + 1 = 3, 150 %, a scale-out to 3, whose instance goes
 * to us-east-1b (E242), registers at 280 s and takes both tasks.  The old
 * M (instances busy + the estimate = 1 + 1) made the datapoint 100 %: no
 * scale-out, the service ran 2 of 4 for the whole outage. */
static void test_managed_scaling_in_az_outage(void)
{
	rs_write_def("big", 1024, 2048);
	rs_write("am.json", HEAD("am", 1200)
		 "\"capacityProviders\":[{\"name\":\"cp\",\"autoScalingGroup\":{\"instanceType\":\"m5.large\","
		 "\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],\"minSize\":1,\"maxSize\":6,"
		 "\"desiredCapacity\":2,\"launchTimeSeconds\":100},\"managedScaling\":{\"targetCapacity\":100}}],"
		 "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp\",\"weight\":1}],"
		 "\"taskDefinitions\":{\"big\":\"big.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"big\",\"desiredCount\":4}],"
		 "\"workload\":{\"traces\":[\"am.csv\"]}}");
	rs_write("am.csv", "time_s,event,target,taskdef,count,duration_s,group\n100,az_outage,us-east-1a,,,1500,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("am.json", "am", NULL, NULL, NULL), 0);
	CU_ASSERT_FATAL(rs_rows("am", "scaling.csv") >= 1);
	T_NEAR(rs_num("am", "scaling.csv", 1, "time_s"), 180);
	T_NEAR(rs_num("am", "scaling.csv", 1, "value"), 150);
	T_NEAR(rs_num("am", "scaling.csv", 1, "new"), 3);
	/* every task running again from the new instance's registration */
	for (int i = 1; i <= rs_rows("am", "services.csv"); i++)
		if (rs_num("am", "services.csv", i, "time_s") >= 300)
			T_NEAR(rs_num("am", "services.csv", i, "running"), 4);
	T_EQ(rs_rows("am", "failures.csv"), 1);
}

static CU_TestInfo renew_tests[] = {
	{ "agent disconnects go on after a repair", test_disconnects_after_repair },
	{ "a Spot notice comes after a repair", test_spot_notice_after_repair },
	{ "a Spot notice to a host down for repair ends it", test_spot_notice_while_down },
	{ "a host back in its Spot warning drains", test_spot_notice_back_in_warning },
	{ "a host down when its AZ goes out comes back with it", test_down_instance_in_az_outage },
	{ "a host registering in an AZ that is out", test_register_in_az_outage },
	{ "a managed scale-out into an AZ that is out", test_scale_out_in_az_outage },
	{ "a managed scale-out beside an AZ that is out", test_scale_out_beside_az_outage },
	{ "managed scaling replaces an AZ's lost capacity", test_managed_scaling_in_az_outage },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "faults across repairs", rs_setup_small, rs_teardown, NULL, NULL, renew_tests },
	CU_SUITE_INFO_NULL,
};
