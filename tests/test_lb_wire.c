/* tests/test_lb_wire.c — the load balancer wired to the service scheduler
 * (models/lb/lb_actor.c), each written from the ECS / ELB rule
 * (docs/ecs-model.md §6): a service task's target is registered when the
 * task is RUNNING and deregistered when it is to stop, and the agent is
 * told to stop only after the deregistration delay (§6.3); a failed
 * instance's target fails its checks at once, long before ECS notices the
 * host (§6.2, §8.2); a revision whose targets never pass a check trips the
 * circuit breaker through stage 2 and rolls back (§5.6), each of its tasks
 * stopped only after the health-check grace period (§5.8); a check waiting
 * behind queued requests times out at the default timeout of its
 * protocol, 6 s for HTTP (§6.2, choice E152). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"

#define HEAD(name, dur) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," \
	"\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatTimeoutSeconds\":60," \
	"\"heartbeatJitterSeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3}," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"]," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}," \
	"{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":2}]," \
	"\"loadBalancers\":[{\"name\":\"alb\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}],"
/* the same with a second load balancer, alb2 */
#define HEAD2(name, dur) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," \
	"\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatTimeoutSeconds\":60," \
	"\"heartbeatJitterSeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3}," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"]," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}," \
	"{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":2}]," \
	"\"loadBalancers\":[{\"name\":\"alb\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}," \
	"{\"name\":\"alb2\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]}],"
#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"

static const char *td_web =
	"{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\",\"cpu\":256,\"memory\":512,"
	"\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}";
static const char *td_bad =
	"{\"family\":\"badweb\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"y\",\"cpu\":256,\"memory\":512,"
	"\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}]}]}";

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("lbw-web.json", td_web);
	rs_write("lbw-bad.json", td_bad);
	return 0;
}

/* Registered at RUNNING; a scale-in victim drains for the whole
 * deregistration delay (its requests outlast it) before the agent stops
 * its containers. */
static void test_register_drain_stop(void)
{
	int n, stopped = 0;

	rs_write("lbw-a.json", HEAD("lbw-a", 900)
		 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\","
		 "\"attributes\":{\"deregistration_delay.timeout_seconds\":20},"
		 "\"traffic\":{\"arrivals\":{\"poisson\":{\"ratePerSecond\":0.5}},"
		 "\"serviceTimeSeconds\":{\"constant\":{\"value\":1000}},\"workersPerTask\":100}}],"
		 "\"taskDefinitions\":{\"web\":\"lbw-web.json\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":2,"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
		 "\"workload\":{\"traces\":[\"lbw-a.csv\"]}}");
	rs_write("lbw-a.csv", TRACE_HDR "300,set_desired,w,,1,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("lbw-a.json", "lbw-a", NULL, NULL, NULL), 0);
	n = rs_rows("lbw-a", "tasks.csv");
	T_EQ(n, 2);
	for (int r = 1; r <= n; r++) {
		char *id = rs_cell("lbw-a", "tasks.csv", r, "task_id");
		char *code = rs_cell("lbw-a", "tasks.csv", r, "stop_code");
		double running = rs_num("lbw-a", "tasks.csv", r, "running_s");

		/* registered when ECS hears the task RUNNING (docs/ecs-model.md
		 * §6.1): the agent's report takes its network delay, 0.5 s */
		CU_ASSERT(fabs(rs_target_at("lbw-a", id, "initial") - (running + 0.5)) < 1e-6);
		if (code && strcmp(code, "ServiceSchedulerInitiated") == 0) {
			double drain = rs_target_at("lbw-a", id, "draining");
			double unused = rs_target_at("lbw-a", id, "unused");
			double stopping = rs_num("lbw-a", "tasks.csv", r, "stopping_s");

			stopped++;
			CU_ASSERT(drain >= 300);
			/* requests of 1000 s outlast the 20 s delay */
			CU_ASSERT(fabs(unused - (drain + 20)) < 1e-6);
			/* the agent stops the containers only then (plus its network delay) */
			CU_ASSERT(stopping >= drain + 20);
			CU_ASSERT(stopping <= drain + 21);
		}
		free(id);
		free(code);
	}
	T_EQ(stopped, 1);
}

/* An instance fails: its target fails its checks at once and is unhealthy
 * after unhealthyThreshold (2) checks, long before ECS notices the host
 * (heartbeat timeout 60 s); requests in flight to it fail (502). */
static void test_dead_instance_target(void)
{
	int n, found = 0;
	double e502 = 0;

	rs_write("lbw-b.json", HEAD("lbw-b", 900)
		 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\","
		 "\"healthCheckIntervalSeconds\":5,\"healthCheckTimeoutSeconds\":2,"
		 "\"traffic\":{\"arrivals\":{\"poisson\":{\"ratePerSecond\":20}},"
		 "\"serviceTimeSeconds\":{\"constant\":{\"value\":2}},\"workersPerTask\":100}}],"
		 "\"taskDefinitions\":{\"web\":\"lbw-web.json\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":4,"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
		 "\"workload\":{\"traces\":[\"lbw-b.csv\"]}}");
	rs_write("lbw-b.csv", TRACE_HDR "300,instance_fail,ci-00001,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("lbw-b.json", "lbw-b", NULL, NULL, NULL), 0);
	n = rs_rows("lbw-b", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *id = rs_cell("lbw-b", "tasks.csv", r, "task_id");
		char *inst = rs_cell("lbw-b", "tasks.csv", r, "instance_id");

		double run = rs_num("lbw-b", "tasks.csv", r, "running_s");

		/* a task that ran there before the failure (-1: never ran, as
		 * an AZ-rebalancing task placed on the dead instance before ECS
		 * noticed it) */
		if (inst && strcmp(inst, "ci-00001") == 0 && run >= 0 && run < 300) {
			double unhealthy = rs_target_at("lbw-b", id, "unhealthy");
			double stopped = rs_num("lbw-b", "tasks.csv", r, "stopped_s");

			found++;
			/* two failed checks 5 s apart: within 10 s */
			CU_ASSERT(unhealthy > 300 && unhealthy <= 310);
			/* ECS learns of the host only after its heartbeat timeout */
			CU_ASSERT(stopped >= 360);
		}
		free(id);
		free(inst);
	}
	CU_ASSERT(found >= 1);
	n = rs_rows("lbw-b", "requests.csv");
	for (int r = 1; r <= n; r++)
		e502 += rs_num("lbw-b", "requests.csv", r, "http_502");
	CU_ASSERT(e502 > 0);
}

/* A revision whose targets never pass a health check reaches RUNNING (no
 * start failure: stage 1 never counts), so only stage 2 — failed ELB
 * checks — can trip the breaker; it does and rolls back. */
static void test_never_healthy_trips_breaker(void)
{
	int n, bad = 0, bad_running = 0, elb = 0;

	rs_write("lbw-c.json", HEAD("lbw-c", 1800)
		 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\","
		 "\"healthCheckIntervalSeconds\":10,\"neverHealthy\":{\"bad\":1},"
		 "\"attributes\":{\"deregistration_delay.timeout_seconds\":5}}],"
		 "\"taskDefinitions\":{\"web\":\"lbw-web.json\",\"bad\":\"lbw-bad.json\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":3,"
		 "\"healthCheckGracePeriodSeconds\":30,"
		 "\"deploymentConfiguration\":{\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":true}},"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
		 "\"workload\":{\"traces\":[\"lbw-c.csv\"]}}");
	rs_write("lbw-c.csv", TRACE_HDR "300,deploy,w,bad,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("lbw-c.json", "lbw-c", NULL, NULL, NULL), 0);
	n = rs_rows("lbw-c", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *td = rs_cell("lbw-c", "tasks.csv", r, "taskdef");
		char *last = rs_cell("lbw-c", "tasks.csv", r, "last_status");
		char *code = rs_cell("lbw-c", "tasks.csv", r, "stopped_reason");
		char *sc = rs_cell("lbw-c", "tasks.csv", r, "stop_code");

		if (td && strncmp(td, "badweb", 6) == 0) {
			bad++;
			bad_running += strcmp(last, "STOPPED") != 0;
		}
		if (code && strstr(code, "ELB health checks")) {
			char *id = rs_cell("lbw-c", "tasks.csv", r, "task_id");
			double running = rs_num("lbw-c", "tasks.csv", r, "running_s");

			/* unhealthy after 2 checks 10 s apart, but stopped (its
			 * target deregistered) only once the 30 s grace period
			 * since RUNNING is over (docs/ecs-model.md §5.8) */
			CU_ASSERT(rs_target_at("lbw-c", id, "unhealthy") < running + 30);
			CU_ASSERT(rs_target_at("lbw-c", id, "draining") >= running + 30);
			/* ECS's stopCode; the text is the stoppedReason (§5.3) */
			T_STREQ(sc, "ServiceSchedulerInitiated");
			elb++;
			free(id);
		}
		free(td);
		free(last);
		free(code);
		free(sc);
	}
	CU_ASSERT(bad >= 1);
	T_EQ(bad_running, 0);                 /* rolled back: none left */
	RS_IS("lbw-c", "services.csv", -1, "deployments", "1");
	RS_IS("lbw-c", "services.csv", -1, "running", "3");
	RS_IS("lbw-c", "services.csv", -1, "healthy", "3");
	CU_ASSERT(elb >= 1);
}

/* The rollback a stage-2 failure starts acts at the next pass, one
 * schedulerDelaySeconds later (§5.6, §10.2): the failed revision's tasks
 * are asked to stop then, not when their own targets finally count as
 * unhealthy (here 10 checks 60 s apart, ~600 s after RUNNING).  The
 * breaker's threshold is 1: the first check failure trips it.  Before the
 * fix the rollback waited for some other pass: the bad tasks stopped ~550 s
 * late, with the unhealthy reason. */
static void test_check_failure_rollback_acts_at_once(void)
{
	int n, fr = -1, bad = 0;
	double failed = -1;

	rs_write("lbw-f.json", HEAD("lbw-f", 1800)
		 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\","
		 "\"healthCheckIntervalSeconds\":60,\"unhealthyThresholdCount\":10,\"neverHealthy\":{\"bad\":1},"
		 "\"attributes\":{\"deregistration_delay.timeout_seconds\":0}}],"
		 "\"taskDefinitions\":{\"web\":\"lbw-web.json\",\"bad\":\"lbw-bad.json\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":2,"
		 "\"healthCheckGracePeriodSeconds\":0,\"availabilityZoneRebalancing\":\"DISABLED\","
		 "\"deploymentConfiguration\":{\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":true,"
		 "\"thresholdConfiguration\":{\"type\":\"COUNT\",\"value\":1}}},"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
		 "\"workload\":{\"traces\":[\"lbw-f.csv\"]}}");
	rs_write("lbw-f.csv", TRACE_HDR "300,deploy,w,bad,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("lbw-f.json", "lbw-f", NULL, NULL, NULL), 0);
	n = rs_rows("lbw-f", "deployments.csv");
	for (int r = 1; r <= n; r++) {
		char *st = rs_cell("lbw-f", "deployments.csv", r, "stage");
		char *td = rs_cell("lbw-f", "deployments.csv", r, "taskdef");

		if (strcmp(st, "FAILED") == 0 && strcmp(td, "bad") == 0) {
			failed = rs_num("lbw-f", "deployments.csv", r, "time_s");
			fr = r;
		}
		free(st);
		free(td);
	}
	CU_ASSERT_FATAL(fr > 0);
	/* the rollback: the next row, the old revision IN_PROGRESS at once */
	RS_IS("lbw-f", "deployments.csv", fr + 1, "taskdef", "web");
	RS_IS("lbw-f", "deployments.csv", fr + 1, "stage", "IN_PROGRESS");
	n = rs_rows("lbw-f", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *td = rs_cell("lbw-f", "tasks.csv", r, "taskdef");

		if (strncmp(td, "badweb", 6) == 0) {
			double d = rs_num("lbw-f", "tasks.csv", r, "deactivating_s");

			bad++;
			/* asked to stop by the rollback's pass, schedulerDelay
			 * (10 s) after the failure, deregistered within the
			 * control plane's latencies after it (under a second
			 * here), not when its target counts as unhealthy */
			CU_ASSERT(d >= failed + 10 && d <= failed + 10 + 1);
		}
		free(td);
	}
	T_EQ(bad, 2);
	RS_IS("lbw-f", "services.csv", -1, "running", "2");
}

/* recovery.csv's requests_failed is the service's own: the failures of its
 * target groups over the fault's recovery window, not another service's
 * (here `x`, whose target group refuses most requests all the time);
 * failures.csv's per fault counts every target group. */
static void test_recovery_requests_per_service(void)
{
	int n, row;
	double t0 = 300, t1, iv, want_w = 0, all = 0, got, fault_all;

	rs_write("lbw-d.json", HEAD2("lbw-d", 1200)
		 "\"metricsIntervalSeconds\":60,"
		 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\","
		 "\"healthCheckIntervalSeconds\":5,\"healthCheckTimeoutSeconds\":2,"
		 "\"traffic\":{\"arrivals\":{\"poisson\":{\"ratePerSecond\":20}},"
		 "\"serviceTimeSeconds\":{\"constant\":{\"value\":2}},\"workersPerTask\":100}},"
		 "{\"name\":\"tx\",\"loadBalancer\":\"alb2\","
		 "\"traffic\":{\"arrivals\":{\"poisson\":{\"ratePerSecond\":50}},"
		 "\"serviceTimeSeconds\":{\"constant\":{\"value\":1}},\"workersPerTask\":1,\"queueLimit\":0}}],"
		 "\"taskDefinitions\":{\"web\":\"lbw-web.json\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":4,"
		 "\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"instanceId\"}],"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]},"
		 "{\"serviceName\":\"x\",\"taskDefinition\":\"web\",\"desiredCount\":1,"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tx\",\"containerName\":\"app\",\"containerPort\":8080}]}],"
		 "\"workload\":{\"traces\":[\"lbw-d.csv\"]}}");
	rs_write("lbw-d.csv", TRACE_HDR "300,instance_fail,ci-00001,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("lbw-d.json", "lbw-d", NULL, NULL, NULL), 0);
	row = rs_find("lbw-d", "recovery.csv", "service", "w");
	CU_ASSERT_FATAL(row > 0);
	t1 = t0 + rs_num("lbw-d", "recovery.csv", row, "restored_s");
	got = rs_num("lbw-d", "recovery.csv", row, "requests_failed");
	fault_all = rs_num("lbw-d", "failures.csv", 1, "requests_failed");
	n = rs_rows("lbw-d", "requests.csv");
	iv = 60;
	for (int r = 1; r <= n; r++) {
		char *tg = rs_cell("lbw-d", "requests.csv", r, "target_group");
		char *az = rs_cell("lbw-d", "requests.csv", r, "az");
		double b = rs_num("lbw-d", "requests.csv", r, "time_s");
		double e = rs_num("lbw-d", "requests.csv", r, "http_502") +
			   rs_num("lbw-d", "requests.csv", r, "http_503") +
			   rs_num("lbw-d", "requests.csv", r, "http_504");

		if ((!az || !*az) && b >= t0 && b - iv < t1) {
			all += e;
			if (tg && strcmp(tg, "tg") == 0)
				want_w += e;
		}
		free(tg);
		free(az);
	}
	CU_ASSERT(want_w > 0);                  /* the dead instance's requests */
	CU_ASSERT(all > want_w + 1000);         /* x's target group fails far more */
	CU_ASSERT_DOUBLE_EQUAL(got, want_w, 1e-9);
	CU_ASSERT(fault_all > got);             /* per fault: every target group */
}

/* docs/ecs-model.md §5.2: behind a load balancer a task is healthy when its
 * targets are AND its containers' health checks have passed.  One task;
 * its target turns healthy at its first check after registration (well
 * inside a minute); a container check every 120 s passes first at
 * RUNNING + 120 s, so that is when the task is healthy.  Without a
 * container check the target decides alone. */
struct healthy_at {
	double at;
};

static void watch_healthy(struct backplane *bp, void *ctx)
{
	struct healthy_at *h = ctx;

	for (size_t k = 0; k < bp->n_tasks && h->at < 0; k++)
		if (bp->tasks[k].used && bp->tasks[k].svc >= 0 && bp->tasks[k].healthy)
			h->at = (double)sim_now(bp->sim) / 1000.0;
}

static void run_checked(const char *tag, const char *td, struct healthy_at *h, double *running, double *target)
{
	char name[64], scn[2048], *id;

	snprintf(name, sizeof name, "%s-td.json", tag);
	rs_write(name, td);
	snprintf(scn, sizeof scn, HEAD("hc", 600)
		 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\"}],"
		 "\"taskDefinitions\":{\"web\":\"%s\"},"
		 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":1,"
		 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}]}",
		 name);
	snprintf(name, sizeof name, "%s.json", tag);
	rs_write(name, scn);
	h->at = -1;
	CU_ASSERT_EQUAL_FATAL(rs_run(name, tag, NULL, watch_healthy, h), 0);
	*running = rs_num(tag, "tasks.csv", 1, "running_s");
	id = rs_cell(tag, "tasks.csv", 1, "task_id");
	*target = rs_target_at(tag, id, "healthy");
	free(id);
}

static void test_container_and_target_checks(void)
{
	struct healthy_at h;
	double running, target;

	run_checked("hc120", "{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		    "\"cpu\":256,\"memory\":512,\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0}],"
		    "\"healthCheck\":{\"command\":[\"CMD\",\"true\"],\"interval\":120}}]}",
		    &h, &running, &target);
	CU_ASSERT(target > running && target < running + 60);
	T_NEAR(h.at, running + 120);
	run_checked("hc0", td_web, &h, &running, &target);
	CU_ASSERT(target > running && target < running + 60);
	T_NEAR(h.at, target);
}

/* The health check's timeout (docs/ecs-model.md §6.2, choice E152): 6 s by
 * default for an ALB target group's HTTP checks (CreateTargetGroup), and a
 * check of healthCheckTimesOutWhenOverloaded fails when its wait behind
 * the queued requests, queued ÷ workers × the mean service time, reaches
 * it.  One task, one worker, 0.5 s per request: 12 requests at 100 s (one
 * served, 11 queued), then one every 0.5 s from 100.75 s, so from 100 s to
 * about 300 s 10 or 11 wait (a check waits 5 or 5.5 s).  The target
 * registers at 14.25 s and is checked every 10 s: with the 6-s default
 * every check passes and the target stays healthy; with a timeout of 5 s
 * (the old default; given here, it holds) the checks at 104.25 and 114.25 s
 * fail and the target is unhealthy at 114.25 s; HTTPS checks (every 15 s:
 * the interval must exceed the timeout) wait 10 s by default and pass. */
static void test_hc_timeout_default(void)
{
	static const char *tg[] = { "10", "10,\"healthCheckTimeoutSeconds\":5",
				    "15,\"healthCheckProtocol\":\"HTTPS\"" };
	char buf[4096], req[8192], name[64], file[80];
	int n = snprintf(req, sizeof req, "time_s\n");

	for (int k = 0; k < 12; k++)
		n += snprintf(req + n, sizeof req - (size_t)n, "100\n");
	for (int k = 0; k < 400; k++)
		n += snprintf(req + n, sizeof req - (size_t)n, "%.2f\n", 100.75 + 0.5 * k);
	rs_write("lbw-to.csv", req);
	for (int v = 0; v < 3; v++) {
		snprintf(name, sizeof name, "lbw-to%d", v);
		snprintf(buf, sizeof buf, HEAD("%s", 400)
			 "\"targetGroups\":[{\"name\":\"tg\",\"loadBalancer\":\"alb\","
			 "\"healthCheckTimesOutWhenOverloaded\":true,\"healthCheckIntervalSeconds\":%s,"
			 "\"traffic\":{\"arrivals\":{\"trace\":{\"file\":\"lbw-to.csv\",\"column\":\"time_s\"}},"
			 "\"serviceTimeSeconds\":{\"constant\":{\"value\":0.5}},\"workersPerTask\":1,\"queueLimit\":100}}],"
			 "\"taskDefinitions\":{\"web\":\"lbw-web.json\"},"
			 "\"services\":[{\"serviceName\":\"w\",\"taskDefinition\":\"web\",\"desiredCount\":1,"
			 "\"loadBalancers\":[{\"targetGroupName\":\"tg\",\"containerName\":\"app\",\"containerPort\":8080}]}]}",
			 name, tg[v]);
		snprintf(file, sizeof file, "%s.json", name);
		rs_write(file, buf);
		CU_ASSERT_EQUAL_FATAL(rs_run(file, name, NULL, NULL, NULL), 0);
	}
	T_NEAR(rs_target_at("lbw-to0", "task-1", "initial"), 14.25);
	T_NEAR(rs_target_at("lbw-to0", "task-1", "healthy"), 24.25);
	T_EQ(rs_target_at("lbw-to0", "task-1", "unhealthy"), -1);     /* 6 s: every check passes */
	T_EQ(rs_rows("lbw-to0", "tasks.csv"), 1);
	T_NEAR(rs_target_at("lbw-to1", "task-1", "unhealthy"), 114.25); /* 5 s given: they time out */
	T_EQ(rs_rows("lbw-to1", "tasks.csv"), 2);                        /* and ECS replaces the task */
	T_EQ(rs_target_at("lbw-to2", "task-1", "unhealthy"), -1);      /* HTTPS checks: 10 s */
}

static CU_TestInfo lbw_tests[] = {
	{ "target registered at RUNNING, stop waits the delay", test_register_drain_stop },
	{ "healthy: the targets and the container checks", test_container_and_target_checks },
	{ "a dead instance's target fails at once", test_dead_instance_target },
	{ "never-healthy revision trips the breaker (stage 2)", test_never_healthy_trips_breaker },
	{ "a stage-2 rollback acts at the next pass", test_check_failure_rollback_acts_at_once },
	{ "recovery.csv requests_failed: the service's target groups", test_recovery_requests_per_service },
	{ "health-check timeout: 6 s by default for HTTP checks", test_hc_timeout_default },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "load balancer wired", setup, rs_teardown, NULL, NULL, lbw_tests },
	CU_SUITE_INFO_NULL,
};
