/* tests/test_depends.c — container `dependsOn`, `startTimeout` and
 * `restartPolicy` (docs/ecs-model.md §1.4, §3.2, choices E156–E159, E144,
 * E175), each written from the rule, the instants computed by hand:
 *
 *  - a container waits for its dependencies' conditions before it starts
 *    (START: the dependency started; COMPLETE/SUCCESS: it exited, at once
 *    in ecsim, E156; HEALTHY: its first passing check, `interval` after its
 *    start, E110) and starts `containerStartSeconds` after that; the task
 *    is RUNNING when its last container has started (the agent reports
 *    the earliest of its containers' states), and never before, at any
 *    event;
 *  - `startTimeout` on a dependency: when its condition does not hold that
 *    long after its start, the dependent gives up and the task goes
 *    STOPPED without reaching RUNNING (TaskFailedToStart); a condition that
 *    can never hold (HEALTHY on a container without a check) fails the
 *    task at once (E157);
 *  - shutdown goes along dependsOn reversed: a container gets the stop
 *    signal once every container depending on it has exited, so a chain of
 *    three takes three shutdowns (or three stopTimeouts when the
 *    containers ignore SIGTERM), not one (E159);
 *  - a task stopped (or giving up) while its containers start: those that
 *    started are stopped the same way, the others never start; the task
 *    stays PENDING until they have exited (E144); such a stop is no start
 *    failure: no throttle, no circuit breaker count (E145);
 *  - a failing check command (a trace's health_check_fail row) on a
 *    container another waits for to be HEALTHY delays that one, in a
 *    service's task and in a standalone one alike (E175, E115);
 *  - restartPolicy: an essential container that exits after running at
 *    least `restartAttemptPeriod` is restarted in place: same task, never
 *    STOPPED, no replacement; one that exits sooner ends the task as
 *    before (E158).
 *
 * The scenario (as tests/test_hcfail.c): m5.large instances, no jitter;
 * network 0.5 s, image pull 10 s, container start 2 s, shutdown 3 s: a
 * task's containers without a dependency start 12.5 s after it is PENDING
 * (the start request 0.5 s, the pull 10 s, the start 2 s). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"

#define HEAD(name, dur, shutdown) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," \
	"\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"heartbeatTimeoutSeconds\":60,\"heartbeatJitterSeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":" #shutdown "}," \
	"\"fargate\":{\"provisioningSeconds\":40}," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"]," \
	"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}]," \
	"\"taskDefinitions\":{\"hdep\":\"d-hdep.json\",\"hto\":\"d-hto.json\",\"hto40\":\"d-hto40.json\"," \
	"\"nodep\":\"d-nodep.json\",\"chain\":\"d-chain.json\",\"flat\":\"d-flat.json\",\"init\":\"d-init.json\"," \
	"\"nohc\":\"d-nohc.json\",\"rp\":\"d-rp.json\",\"rp500\":\"d-rp500.json\",\"rpdef\":\"d-rpdef.json\"," \
	"\"norp\":\"d-norp.json\",\"fgdep\":\"d-fgdep.json\",\"fgnodep\":\"d-fgnodep.json\"," \
	"\"fgchain\":\"d-fgchain.json\",\"fgflat\":\"d-fgflat.json\"},"
#define TRACE(name) "\"workload\":{\"traces\":[\"" name ".csv\"]}}"
#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"

#define C(name, extra) "{\"name\":\"" name "\",\"image\":\"" name "\",\"memory\":64" extra "}"
#define HC30 ",\"healthCheck\":{\"command\":[\"CMD\",\"true\"],\"interval\":30}"
#define HC10 ",\"healthCheck\":{\"command\":[\"CMD\",\"true\"],\"interval\":10}"
#define DEP(c, cond) "{\"containerName\":\"" c "\",\"condition\":\"" cond "\"}"
#define TD(fam, conts) "{\"family\":\"" fam "\",\"containerDefinitions\":[" conts "]}"

static const struct { const char *file, *text; } defs[] = {
	/* app waits for envoy (checks every 30 s) to be HEALTHY */
	{ "d-hdep.json", TD("hdep", C("envoy", HC30) "," C("app", HC10 ",\"dependsOn\":[" DEP("envoy", "HEALTHY") "]")) },
	/* the same, envoy's startTimeout 10 s: shorter than its first pass */
	{ "d-hto.json", TD("hto", C("envoy", HC30 ",\"startTimeout\":10") "," C("app", ",\"dependsOn\":[" DEP("envoy", "HEALTHY") "]")) },
	/* startTimeout 40 s: longer */
	{ "d-hto40.json", TD("hto40", C("envoy", HC30 ",\"startTimeout\":40") "," C("app", ",\"dependsOn\":[" DEP("envoy", "HEALTHY") "]")) },
	{ "d-nodep.json", TD("nodep", C("envoy", HC30) "," C("app", HC10)) },
	/* c depends on b depends on a (START) */
	{ "d-chain.json", TD("chain", C("a", ",\"stopTimeout\":5") "," C("b", ",\"stopTimeout\":5,\"dependsOn\":[" DEP("a", "START") "]") ","
			  C("c", ",\"stopTimeout\":5,\"dependsOn\":[" DEP("b", "START") "]")) },
	{ "d-flat.json", TD("flat", C("a", ",\"stopTimeout\":5") "," C("b", ",\"stopTimeout\":5") "," C("c", ",\"stopTimeout\":5")) },
	/* a non-essential init container app waits to COMPLETE */
	{ "d-init.json", TD("init", C("init", ",\"essential\":false") "," C("app", ",\"dependsOn\":[" DEP("init", "COMPLETE") "]")) },
	/* HEALTHY on a container without a check: never holds */
	{ "d-nohc.json", TD("nohc", C("side", "") "," C("app", ",\"dependsOn\":[" DEP("side", "HEALTHY") "]")) },
	{ "d-rp.json", TD("rp", C("app", ",\"restartPolicy\":{\"enabled\":true,\"restartAttemptPeriod\":300}")) },
	{ "d-rp500.json", TD("rp500", C("app", ",\"restartPolicy\":{\"enabled\":true,\"restartAttemptPeriod\":500}")) },
	{ "d-rpdef.json", TD("rpdef", C("app", ",\"restartPolicy\":{\"enabled\":true}")) },
	{ "d-norp.json", TD("norp", C("app", "")) },
	{ "d-fgdep.json", "{\"family\":\"fgdep\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
	  "\"cpu\":\"512\",\"memory\":\"1024\",\"containerDefinitions\":[" C("envoy", HC30) "," C("app", ",\"dependsOn\":[" DEP("envoy", "HEALTHY") "]") "]}" },
	/* chain and flat (as above) on Fargate */
	{ "d-fgchain.json", "{\"family\":\"fgchain\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
	  "\"cpu\":\"512\",\"memory\":\"1024\",\"containerDefinitions\":[" C("a", ",\"stopTimeout\":5") ","
	  C("b", ",\"stopTimeout\":5,\"dependsOn\":[" DEP("a", "START") "]") ","
	  C("c", ",\"stopTimeout\":5,\"dependsOn\":[" DEP("b", "START") "]") "]}" },
	{ "d-fgflat.json", "{\"family\":\"fgflat\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
	  "\"cpu\":\"512\",\"memory\":\"1024\",\"containerDefinitions\":[" C("a", ",\"stopTimeout\":5") ","
	  C("b", ",\"stopTimeout\":5") "," C("c", ",\"stopTimeout\":5") "]}" },
	{ "d-fgnodep.json", "{\"family\":\"fgnodep\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
	  "\"cpu\":\"512\",\"memory\":\"1024\",\"containerDefinitions\":[" C("envoy", HC30) "," C("app", "") "]}" },
};

static int setup(void)
{
	if (rs_setup())
		return 1;
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
		rs_write(defs[i].file, defs[i].text);
	return 0;
}

/* After every event: per task number, when it was first RUNNING and first
 * healthy, and whether it left RUNNING (or was replaced) after that. */
#define MAXNO 32
struct dobs {
	double running_at[MAXNO], healthy_at[MAXNO];
	int left_running[MAXNO];
	/* a bound checked at every event: task `no_bound` not RUNNING before `not_before` */
	int no_bound;
	double not_before;
	long early;
};

static void dobs_init(struct dobs *o)
{
	memset(o, 0, sizeof *o);
	for (int k = 0; k < MAXNO; k++)
		o->running_at[k] = o->healthy_at[k] = -1;
}

static void observe(struct backplane *bp, void *ctx)
{
	struct dobs *o = ctx;
	double now = (double)sim_now(bp->sim) / 1000.0;

	for (size_t i = 0; i < bp->n_tasks; i++) {
		const struct task *t = &bp->tasks[i];

		if (!t->used || t->no == 0 || t->no >= MAXNO)
			continue;
		if (t->state == TS_RUNNING && o->running_at[t->no] < 0)
			o->running_at[t->no] = now;
		if (t->healthy && o->healthy_at[t->no] < 0)
			o->healthy_at[t->no] = now;
		if (o->running_at[t->no] >= 0 && t->state != TS_RUNNING)
			o->left_running[t->no] = 1;
		if (t->no == (uint64_t)o->no_bound && t->state >= TS_ACTIVATING && t->state <= TS_RUNNING &&
		    now < o->not_before - 1e-9)
			o->early++;
	}
}

static void run(const char *tag, const char *scn, const char *trace, struct dobs *o)
{
	char file[64];

	snprintf(file, sizeof file, "%s.json", tag);
	rs_write(file, scn);
	snprintf(file, sizeof file, "%s.csv", tag);
	rs_write(file, trace);
	snprintf(file, sizeof file, "%s.json", tag);
	CU_ASSERT_FATAL(rs_run(file, tag, NULL, o ? observe : NULL, o) == 0);
}

static int row(const char *tag, const char *id)
{
	int r = rs_find(tag, "tasks.csv", "task_id", id);

	CU_ASSERT_FATAL(r > 0);
	return r;
}

static double num(const char *tag, const char *id, const char *col)
{
	return rs_num(tag, "tasks.csv", row(tag, id), col);
}

/* The number of the first task of service `svc` (task-N). */
static int task_no(const char *tag, const char *svc)
{
	char *id = rs_cell(tag, "tasks.csv", rs_find(tag, "tasks.csv", "service", svc), "task_id");
	int no = id && strchr(id, '-') ? atoi(strchr(id, '-') + 1) : 0;

	free(id);
	CU_ASSERT_FATAL(no > 0 && no < MAXNO);
	return no;
}

/* The start along dependsOn, standalone tasks (RunTask), each on its own
 * images (pull 10 s).  From each task's PENDING (p):
 *   nodep  both containers at p + 12.5: RUNNING p + 12.5
 *   hdep   envoy starts p + 12.5, first passing check 30 s later, app
 *          starts 2 s after that: RUNNING p + 44.5
 *   hto    envoy's startTimeout 10 < 30: gives up at p + 22.5, stops
 *          envoy, which had started (shutdown 3 s, E144), STOPPED
 *          TaskFailedToStart at p + 25.5 (no ENI), never RUNNING
 *   hto40  startTimeout 40 >= 30: as hdep, p + 44.5
 *   chain  a at p + 12.5, b 2 s later, c 2 s after b: RUNNING p + 16.5
 *   init   init starts p + 12.5 and exits at once, app 2 s later: p + 14.5
 *   nohc   HEALTHY on a container without a check: fails at p + 12.5 */
static void test_start_order(void)
{
	const char *tag = "dstart";

	run(tag, HEAD("dstart", 300, 3) TRACE("dstart"),
	    TRACE_HDR "0,run_task,n1,nodep,1,,\n0,run_task,h1,hdep,1,,\n0,run_task,t1,hto,1,,\n"
	    "0,run_task,t2,hto40,1,,\n0,run_task,c1,chain,1,,\n0,run_task,i1,init,1,,\n0,run_task,x1,nohc,1,,\n",
	    NULL);
	T_NEAR(num(tag, "n1", "running_s") - num(tag, "n1", "pending_s"), 12.5);
	T_NEAR(num(tag, "h1", "running_s") - num(tag, "h1", "pending_s"), 44.5);
	T_NEAR(num(tag, "t2", "running_s") - num(tag, "t2", "pending_s"), 44.5);
	T_NEAR(num(tag, "c1", "running_s") - num(tag, "c1", "pending_s"), 16.5);
	T_NEAR(num(tag, "i1", "running_s") - num(tag, "i1", "pending_s"), 14.5);
	RS_IS(tag, "tasks.csv", row(tag, "t1"), "stop_code", "TaskFailedToStart");
	RS_IS(tag, "tasks.csv", row(tag, "t1"), "running_s", "");
	T_NEAR(num(tag, "t1", "stopped_s") - num(tag, "t1", "pending_s"), 25.5);
	RS_IS(tag, "tasks.csv", row(tag, "x1"), "stop_code", "TaskFailedToStart");
	RS_IS(tag, "tasks.csv", row(tag, "x1"), "running_s", "");
	T_NEAR(num(tag, "x1", "stopped_s") - num(tag, "x1", "pending_s"), 12.5);
}

/* A service whose tasks always give up (envoy's startTimeout 10 s < its
 * first pass, 30 s): each task gives up 10 s after its containers without
 * a dependency started (PENDING + 0.5 + the pull, 10 s or 1 s once cached,
 * + 2 + 10) and goes STOPPED, TaskFailedToStart, once envoy has stopped
 * (shutdown 3 s, E144), never RUNNING; the scheduler replaces it (a start
 * failure, §5.4). */
static void test_service_gives_up(void)
{
	const char *tag = "dsgu";
	int n;

	run(tag, HEAD("dsgu", 400, 3) "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"hto\",\"desiredCount\":1}],"
	    TRACE("dsgu"), TRACE_HDR, NULL);
	n = rs_rows(tag, "tasks.csv");
	CU_ASSERT(n >= 2);
	for (int k = 1; k <= n; k++) {
		char *rs = rs_cell(tag, "tasks.csv", k, "running_s"), *st = rs_cell(tag, "tasks.csv", k, "last_status");

		T_STREQ(rs, "");
		if (strcmp(st, "STOPPED") == 0) {
			RS_IS(tag, "tasks.csv", k, "stop_code", "TaskFailedToStart");
			double d = rs_num(tag, "tasks.csv", k, "stopped_s") - rs_num(tag, "tasks.csv", k, "pending_s");

			/* the image pulled (10 s) or cached on that instance (1 s) */
			CU_ASSERT(fabs(d - 25.5) < 1e-6 || fabs(d - 16.5) < 1e-6);
		}
		free(rs);
		free(st);
	}
}

/* A service task whose app waits for envoy to be HEALTHY: never RUNNING
 * (at any event) before envoy's first passing check + the app's start; its
 * health is then the app's first check, 10 s after the app started (envoy
 * passed already).  Without the dependency both start together and the
 * task is healthy at envoy's first check, 30 s after RUNNING. */
static void test_service_healthy(void)
{
	struct dobs o;
	const char *tag = "dsvc";
	double p;

	dobs_init(&o);
	o.no_bound = 1;
	o.not_before = 1e18;
	/* pass 1: learn task-1's PENDING, then check the bound at every event */
	run(tag, HEAD("dsvc", 200, 3) "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"hdep\",\"desiredCount\":1},"
	    "{\"serviceName\":\"n\",\"taskDefinition\":\"nodep\",\"desiredCount\":1}]," TRACE("dsvc"), TRACE_HDR, &o);
	p = rs_num(tag, "tasks.csv", rs_find(tag, "tasks.csv", "service", "s"), "pending_s");
	dobs_init(&o);
	o.no_bound = task_no(tag, "s");
	o.not_before = p + 44.5;
	run(tag, HEAD("dsvc", 200, 3) "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"hdep\",\"desiredCount\":1},"
	    "{\"serviceName\":\"n\",\"taskDefinition\":\"nodep\",\"desiredCount\":1}]," TRACE("dsvc"), TRACE_HDR, &o);
	T_EQ(o.early, 0);
	T_NEAR(o.running_at[o.no_bound], p + 44.5);
	T_NEAR(o.healthy_at[o.no_bound] - o.running_at[o.no_bound], 10);
	T_NEAR(o.healthy_at[task_no(tag, "n")] - o.running_at[task_no(tag, "n")], 30);
}

/* Shutdown in the reverse order (StopTask at 100): the chain c → b → a
 * stops c first, b once c has exited, a once b has: 3 × 3 s; the flat
 * definition's three containers get the signal together: 3 s.  With
 * containers that ignore SIGTERM (shutdownSeconds 60 > stopTimeout 5) each
 * is killed at its stopTimeout: 3 × 5 s along the chain, 5 s flat.  The
 * same on Fargate (gc1, gf1: STOPPING to DEPROVISIONING); before, its
 * chain was cut at the largest stopTimeout (5 s in both runs). */
static void test_stop_order(void)
{
	const char *tr = TRACE_HDR "0,run_task,c1,chain,1,,\n0,run_task,f1,flat,1,,\n"
		"0,run_task,gc1,fgchain,1,,\n0,run_task,gf1,fgflat,1,,\n"
		"100,stop_task,c1,,,,\n100,stop_task,f1,,,,\n100,stop_task,gc1,,,,\n100,stop_task,gf1,,,,\n";

	run("dstop", HEAD("dstop", 300, 3) TRACE("dstop"), tr, NULL);
	T_NEAR(num("dstop", "c1", "stopped_s") - num("dstop", "c1", "stopping_s"), 9);
	T_NEAR(num("dstop", "f1", "stopped_s") - num("dstop", "f1", "stopping_s"), 3);
	T_NEAR(num("dstop", "c1", "stopping_s"), num("dstop", "f1", "stopping_s"));
	T_NEAR(num("dstop", "gc1", "deprovisioning_s") - num("dstop", "gc1", "stopping_s"), 9);
	T_NEAR(num("dstop", "gf1", "deprovisioning_s") - num("dstop", "gf1", "stopping_s"), 3);
	run("dkill", HEAD("dkill", 300, 60) TRACE("dkill"), tr, NULL);
	T_NEAR(num("dkill", "c1", "stopped_s") - num("dkill", "c1", "stopping_s"), 15);
	T_NEAR(num("dkill", "f1", "stopped_s") - num("dkill", "f1", "stopping_s"), 5);
	T_NEAR(num("dkill", "gc1", "deprovisioning_s") - num("dkill", "gc1", "stopping_s"), 15);
	T_NEAR(num("dkill", "gf1", "deprovisioning_s") - num("dkill", "gf1", "stopping_s"), 5);
}

/* restartPolicy.  Services of runtimeSeconds 400: with the policy
 * (restartAttemptPeriod 300 <= 400) the task is restarted in place at each
 * exit: one task for the whole run, RUNNING at every event from its
 * RUNNING on, never replaced; without it the task stops 400 s after RUNNING
 * (EssentialContainerExited) and is replaced.  Standalone tasks of duration
 * 400: period 300 and the default (300) run on, period 500 (> 400) stops
 * at RUNNING + 400. */
static void test_restart(void)
{
	struct dobs o;
	const char *tag = "drp";
	int r;

	dobs_init(&o);
	run(tag, HEAD("drp", 1500, 3) "\"services\":[{\"serviceName\":\"with\",\"taskDefinition\":\"rp\","
	    "\"desiredCount\":1,\"runtimeSeconds\":400},{\"serviceName\":\"without\",\"taskDefinition\":\"norp\","
	    "\"desiredCount\":1,\"runtimeSeconds\":400}]," TRACE("drp"),
	    TRACE_HDR "0,run_task,r1,rp,1,400,\n0,run_task,r2,rp500,1,400,\n0,run_task,r3,rpdef,1,400,\n", &o);
	r = rs_find(tag, "tasks.csv", "service", "with");
	CU_ASSERT_FATAL(r > 0);
	RS_IS(tag, "tasks.csv", r, "last_status", "RUNNING");
	RS_IS(tag, "tasks.csv", r, "stop_s", "");
	T_EQ(o.left_running[task_no(tag, "with")], 0);
	CU_ASSERT(o.running_at[task_no(tag, "with")] > 0);
	/* one task of "with" in the whole file, several of "without" */
	{
		int n_with = 0, n_without = 0;

		for (int k = 1; k <= rs_rows(tag, "tasks.csv"); k++) {
			char *s = rs_cell(tag, "tasks.csv", k, "service");

			n_with += strcmp(s, "with") == 0;
			n_without += strcmp(s, "without") == 0;
			free(s);
		}
		T_EQ(n_with, 1);
		CU_ASSERT(n_without >= 3);
	}
	r = rs_find(tag, "tasks.csv", "service", "without");
	RS_IS(tag, "tasks.csv", r, "stop_code", "EssentialContainerExited");
	T_NEAR(rs_num(tag, "tasks.csv", r, "stop_s") - rs_num(tag, "tasks.csv", r, "running_s"), 400);
	RS_IS(tag, "tasks.csv", row(tag, "r1"), "last_status", "RUNNING");
	RS_IS(tag, "tasks.csv", row(tag, "r3"), "last_status", "RUNNING");
	RS_IS(tag, "tasks.csv", row(tag, "r2"), "stop_code", "EssentialContainerExited");
	T_NEAR(num(tag, "r2", "stop_s") - num(tag, "r2", "running_s"), 400);
}

/* On Fargate (no container start time there): the HEALTHY wait is envoy's
 * first passing check, 30 s; both tasks are provisioned in 40 s. */
static void test_fargate(void)
{
	const char *tag = "dfg";

	run(tag, HEAD("dfg", 300, 3) TRACE("dfg"), TRACE_HDR "0,run_task,g1,fgdep,1,,\n0,run_task,g2,fgnodep,1,,\n", NULL);
	RS_IS(tag, "tasks.csv", row(tag, "g1"), "launch_type", "FARGATE");
	T_NEAR(num(tag, "g1", "running_s") - num(tag, "g2", "running_s"), 30);
}

/* After every event: the first instant each task of the stop test (by
 * id) is DEPROVISIONING or later, and whether it ever was between
 * ACTIVATING and STOPPING (ran). */
#define NSTOP 6
static const char *const stop_ids[NSTOP] = { "h1", "c1", "i1", "f1", "g1", "g2" };
struct sobs {
	double gone_at[NSTOP];
	int ran[NSTOP];
};

static void stop_observe(struct backplane *bp, void *ctx)
{
	struct sobs *o = ctx;
	double now = (double)sim_now(bp->sim) / 1000.0;

	for (size_t i = 0; i < bp->n_tasks; i++) {
		const struct task *t = &bp->tasks[i];

		if (!t->used || !t->id)
			continue;
		for (int k = 0; k < NSTOP; k++) {
			if (strcmp(t->id, stop_ids[k]) != 0)
				continue;
			if (t->state >= TS_DEPROVISIONING && o->gone_at[k] < 0)
				o->gone_at[k] = now;
			if (t->state >= TS_ACTIVATING && t->state <= TS_STOPPING)
				o->ran[k] = 1;
		}
	}
}

static int stop_k(const char *id)
{
	for (int k = 0; k < NSTOP; k++)
		if (strcmp(stop_ids[k], id) == 0)
			return k;
	return 0;
}

/* A task stopped while its containers start along dependsOn (choice
 * E144): the containers that started get the stop signal, along dependsOn
 * reversed, and take their time (shutdownSeconds, or their stopTimeout,
 * else stopTimeoutSeconds, when shorter), as at a RUNNING task's stop
 * (E159); those that have not started never will.  The task stays PENDING
 * (never RUNNING, at any event) until they have exited.  Standalone tasks
 * PENDING at p; StopTask reaches the agent at r, a RUNNING task's
 * stopping_s (f1, flat, stopped at the same instant):
 *   c1  chain a ← b ← c (START, stopTimeout 5): a at p + 12.5, b p + 14.5,
 *       c p + 16.5; stopped at 16 (p + 14.5 <= r < p + 16.5): b then a,
 *       STOPPED r + 2 × 3 s (shutdown 3); with containers that ignore
 *       SIGTERM (shutdown 60) r + 2 × 5 s
 *   h1  envoy (no stopTimeout) at p + 12.5, app waits for it HEALTHY (p +
 *       44.5); stopped at 30: envoy alone, r + 3 s; ignoring SIGTERM,
 *       killed at stopTimeoutSeconds (30): r + 30 s
 *   i1  init (COMPLETE) at p + 12.5 exits at once, app at p + 14.5; stopped
 *       at 14 (r < p + 14.5): nothing runs, STOPPED at r
 *   g1  Fargate (PENDING at q, envoy starts then, app at q + 30), stopped
 *       at 60 (< q + 30): envoy's 3 s, then DEPROVISIONING (ENI detach, as
 *       g2, a RUNNING Fargate task stopped at 60)
 * Before the rule c1, h1 stopped at r, g1 was DEPROVISIONING at once. */
static void test_stop_pending(void)
{
	static const char tr[] = TRACE_HDR "0,run_task,h1,hdep,1,,\n0,run_task,c1,chain,1,,\n"
		"0,run_task,i1,init,1,,\n0,run_task,f1,flat,1,,\n0,run_task,g1,fgdep,1,,\n"
		"0,run_task,g2,fgnodep,1,,\n14,stop_task,i1,,,,\n16,stop_task,c1,,,,\n"
		"16,stop_task,f1,,,,\n30,stop_task,h1,,,,\n60,stop_task,g1,,,,\n60,stop_task,g2,,,,\n";
	static const struct { const char *tag; int shutdown; double c1, h1; } runs[] = {
		{ "dpend", 3, 6, 3 }, { "dpkill", 60, 10, 30 },
	};

	for (size_t n = 0; n < sizeof runs / sizeof runs[0]; n++) {
		const char *tag = runs[n].tag;
		char scn[4096];
		struct sobs o;
		double p, r, q, rg;

		for (int k = 0; k < NSTOP; k++) {
			o.gone_at[k] = -1;
			o.ran[k] = 0;
		}
		snprintf(scn, sizeof scn, HEAD("%s", 300, %d) TRACE("%s"), tag, runs[n].shutdown, tag);
		{
			char file[64];

			snprintf(file, sizeof file, "%s.json", tag);
			rs_write(file, scn);
			snprintf(file, sizeof file, "%s.csv", tag);
			rs_write(file, tr);
			snprintf(file, sizeof file, "%s.json", tag);
			CU_ASSERT_FATAL(rs_run(file, tag, NULL, stop_observe, &o) == 0);
		}
		p = num(tag, "c1", "pending_s");
		r = num(tag, "f1", "stopping_s") - 16;     /* the stop's way to the agent */
		T_NEAR(num(tag, "h1", "pending_s"), p);
		T_NEAR(num(tag, "i1", "pending_s"), p);
		CU_ASSERT(p + 14.5 <= 16 + r && 16 + r < p + 16.5);
		CU_ASSERT(14 + r < p + 14.5);
		/* c1: b and a started, c not */
		RS_IS(tag, "tasks.csv", row(tag, "c1"), "stop_code", "UserInitiated");
		RS_IS(tag, "tasks.csv", row(tag, "c1"), "running_s", "");
		RS_IS(tag, "tasks.csv", row(tag, "c1"), "stopping_s", "");
		T_NEAR(num(tag, "c1", "stopped_s"), 16 + r + runs[n].c1);
		T_NEAR(o.gone_at[stop_k("c1")], 16 + r + runs[n].c1);
		T_EQ(o.ran[stop_k("c1")], 0);
		/* h1: envoy started, app not */
		RS_IS(tag, "tasks.csv", row(tag, "h1"), "running_s", "");
		T_NEAR(num(tag, "h1", "stopped_s"), 30 + r + runs[n].h1);
		T_NEAR(o.gone_at[stop_k("h1")], 30 + r + runs[n].h1);
		T_EQ(o.ran[stop_k("h1")], 0);
		/* i1: init exited already, app not started: nothing to wait for */
		RS_IS(tag, "tasks.csv", row(tag, "i1"), "running_s", "");
		T_NEAR(num(tag, "i1", "stopped_s"), 14 + r);
		T_NEAR(o.gone_at[stop_k("i1")], 14 + r);
		/* g1 on Fargate: envoy started at q, app (q + 30) not */
		q = num(tag, "g1", "pending_s");
		rg = num(tag, "g2", "stopping_s");
		CU_ASSERT(rg >= q && rg < q + 30);
		RS_IS(tag, "tasks.csv", row(tag, "g1"), "launch_type", "FARGATE");
		RS_IS(tag, "tasks.csv", row(tag, "g1"), "running_s", "");
		T_NEAR(num(tag, "g1", "deprovisioning_s") - rg, runs[n].h1);
		T_NEAR(o.gone_at[stop_k("g1")], rg + runs[n].h1);
		T_EQ(o.ran[stop_k("g1")], 0);
		T_NEAR(num(tag, "g1", "stopped_s") - num(tag, "g1", "deprovisioning_s"),
		       num(tag, "g2", "stopped_s") - num(tag, "g2", "deprovisioning_s"));
	}
}

/* E144 by the service scheduler: services s (hdep: envoy starts at p +
 * 12.5, app waits for it HEALTHY until p + 44.5) and n (nodep: RUNNING at
 * p + 12.5), one task each, both scaled to 0 at 30.  The scheduler's stop
 * reaches each agent at the same instant r (n's task's stopping_s): s's
 * task, still PENDING, stops envoy (shutdown 3 s): STOPPED r + 3,
 * ServiceSchedulerInitiated, never RUNNING; before, STOPPED at r. */
static void test_stop_pending_service(void)
{
	const char *tag = "dpsvc";
	double p, r;
	int rs, rn;

	run(tag, HEAD("dpsvc", 200, 3) "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"hdep\",\"desiredCount\":1},"
	    "{\"serviceName\":\"n\",\"taskDefinition\":\"nodep\",\"desiredCount\":1}]," TRACE("dpsvc"),
	    TRACE_HDR "30,set_desired,s,,0,,\n30,set_desired,n,,0,,\n", NULL);
	rs = rs_find(tag, "tasks.csv", "service", "s");
	rn = rs_find(tag, "tasks.csv", "service", "n");
	CU_ASSERT_FATAL(rs > 0 && rn > 0);
	T_EQ(rs_rows(tag, "tasks.csv"), 2);
	p = rs_num(tag, "tasks.csv", rs, "pending_s");
	r = rs_num(tag, "tasks.csv", rn, "stopping_s");
	CU_ASSERT(r > p + 12.5 && r < p + 44.5);
	RS_IS(tag, "tasks.csv", rs, "stop_code", "ServiceSchedulerInitiated");
	RS_IS(tag, "tasks.csv", rs, "running_s", "");
	RS_IS(tag, "tasks.csv", rs, "stopping_s", "");
	T_NEAR(rs_num(tag, "tasks.csv", rs, "stopped_s"), r + 3);
}

/* A Fargate Spot interruption (choice E67) of a FARGATE_SPOT task still
 * PENDING along dependsOn (fgdep: envoy starts at its PENDING q = 41, app
 * waits for it HEALTHY until q + 30): envoy runs on the reclaimed capacity
 * and gets the warning and SIGTERM as a RUNNING task's containers would
 * (E144): g1, interrupted at 50, stops envoy, which ignores SIGTERM
 * (shutdown 60 s) and would be killed at its stop timeout (30 s), but the
 * warning (10 s) ends first: DEPROVISIONING at 60, TerminationNotice,
 * never RUNNING; a failures.csv row.  g2, interrupted at 20 while
 * PROVISIONING (no container started), is not: RUNNING at q + 30.  Before,
 * g1's row was ignored (RUNNING at 71, no failures.csv row). */
static void test_fargate_spot_pending(void)
{
	const char *tag = "dfspot";

	run(tag, "{\"name\":\"dfspot\",\"durationSeconds\":300,"
	    "\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25},"
	    "\"agent\":{\"shutdownSeconds\":60},"
	    "\"fargate\":{\"provisioningSeconds\":40,\"spot\":{\"warningSeconds\":10}},"
	    "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
	    "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1}],"
	    "\"taskDefinitions\":{\"fgdep\":\"d-fgdep.json\"}," TRACE("dfspot"),
	    "time_s,event,target,taskdef,count,duration_s,group,capacity_provider_strategy\n"
	    "0,run_task,g1,fgdep,1,,,FARGATE_SPOT:0:1\n0,run_task,g2,fgdep,1,,,FARGATE_SPOT:0:1\n"
	    "20,fargate_spot_interruption,g2,,,,,\n50,fargate_spot_interruption,g1,,,,,\n", NULL);
	T_NEAR(num(tag, "g1", "pending_s"), 41);
	T_NEAR(num(tag, "g2", "pending_s"), 41);
	RS_IS(tag, "tasks.csv", row(tag, "g1"), "stop_code", "TerminationNotice");
	RS_IS(tag, "tasks.csv", row(tag, "g1"), "running_s", "");
	RS_IS(tag, "tasks.csv", row(tag, "g1"), "stopping_s", "");
	T_NEAR(num(tag, "g1", "deprovisioning_s"), 60);
	RS_IS(tag, "tasks.csv", row(tag, "g2"), "last_status", "RUNNING");
	T_NEAR(num(tag, "g2", "running_s"), 71);
	T_EQ(rs_rows(tag, "failures.csv"), 1);
	RS_IS(tag, "failures.csv", 1, "target", "g1");
}

/* A stop request is not a start failure (choice E145): service s (hdep,
 * desired 3, circuit breaker on, no rollback) is scaled to 0 at 30 and at
 * 90, each time while its three tasks still wait for envoy HEALTHY (E144:
 * they stop envoy, STOPPED without RUNNING, ServiceSchedulerInitiated), and
 * back to 3 at 60 and 120.  Six tasks went PENDING → STOPPED, none failed
 * to start: no throttle (three failures would hold the launch at 120 for
 * 30 s: it is made at once, 120.25), no SERVICE_TASK_START_IMPAIRED, the
 * deployment never FAILED, service_summary's tasks_failed_to_start 0. */
static void test_stop_not_failure(void)
{
	const char *tag = "dpnf";

	run(tag, HEAD("dpnf", 300, 3) "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"hdep\",\"desiredCount\":3,"
	    "\"deploymentConfiguration\":{\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":false}}}],"
	    TRACE("dpnf"),
	    TRACE_HDR "30,set_desired,s,,0,,\n60,set_desired,s,,3,,\n90,set_desired,s,,0,,\n120,set_desired,s,,3,,\n", NULL);
	T_EQ(rs_rows(tag, "tasks.csv"), 9);
	for (int k = 1; k <= 6; k++) {
		char id[24];

		snprintf(id, sizeof id, "task-%d", k);
		RS_IS(tag, "tasks.csv", row(tag, id), "stop_code", "ServiceSchedulerInitiated");
		RS_IS(tag, "tasks.csv", row(tag, id), "running_s", "");
	}
	for (int k = 7; k <= 9; k++) {
		char id[24];

		snprintf(id, sizeof id, "task-%d", k);
		T_NEAR(num(tag, id, "submit_s"), 120.25);
		RS_IS(tag, "tasks.csv", row(tag, id), "last_status", "RUNNING");
	}
	T_EQ(rs_find(tag, "service_events.csv", "event_type", "SERVICE_TASK_START_IMPAIRED"), 0);
	T_EQ(rs_find(tag, "deployments.csv", "stage", "FAILED"), 0);
	T_NEAR(rs_num(tag, "service_summary.csv", 1, "tasks_failed_to_start"), 0);
}

/* A failing check command on the dependency (choice E175): app waits for
 * envoy (checks every 30 s from its start at p + 12.5, default timeout 5 s)
 * to be HEALTHY.  Four services of one task each (task-1 to task-4, PENDING
 * at p = 1.25), a health_check_fail row on envoy of each at 5 s:
 *   se  exits, 60 s: the check at p + 42.5 (< 65) fails, the next, 30 s
 *       later, passes: app starts 2 s after it, RUNNING p + 74.5
 *   sg  hangs, 60 s: the check at p + 42.5 hangs to p + 47.5, the next is
 *       30 s after that end and passes: RUNNING p + 79.5
 *   sn  exits for good, no startTimeout: app never starts, the task stays
 *       PENDING to the end
 *   st  for good, envoy's startTimeout 40 s (>= its first pass, 30 s, so
 *       without the fault it runs): app gives up at p + 12.5 + 40, envoy
 *       stops (3 s, E144): STOPPED p + 55.5, TaskFailedToStart, never
 *       RUNNING (then replaced)
 *   sf  on Fargate (task-5, provisioned 40 s: envoy starts at its PENDING
 *       p, no container start time), exits for 100 s: the checks at
 *       p + 30 and p + 60 (< 105) fail, p + 90 passes: RUNNING p + 90
 * Before the rule each went RUNNING at envoy's planned first pass (p + 44.5;
 * Fargate p + 30). */
static void test_dep_fault(void)
{
	const char *tag = "dfault";

	run(tag, HEAD("dfault", 400, 3) "\"services\":["
	    "{\"serviceName\":\"se\",\"taskDefinition\":\"hdep\",\"desiredCount\":1},"
	    "{\"serviceName\":\"sg\",\"taskDefinition\":\"hdep\",\"desiredCount\":1},"
	    "{\"serviceName\":\"sn\",\"taskDefinition\":\"hdep\",\"desiredCount\":1},"
	    "{\"serviceName\":\"st\",\"taskDefinition\":\"hto40\",\"desiredCount\":1},"
	    "{\"serviceName\":\"sf\",\"taskDefinition\":\"fgdep\",\"desiredCount\":1,\"launchType\":\"FARGATE\"}],"
	    TRACE("dfault"),
	    "time_s,event,target,taskdef,count,duration_s,group,command\n"
	    "5,health_check_fail,task-1,,1,60,envoy,exit\n5,health_check_fail,task-2,,1,60,envoy,hang\n"
	    "5,health_check_fail,task-3,,1,,envoy,exit\n5,health_check_fail,task-4,,1,,envoy,exit\n"
	    "5,health_check_fail,task-5,,1,100,envoy,exit\n",
	    NULL);
	for (int k = 1; k <= 4; k++) {
		char id[24];

		snprintf(id, sizeof id, "task-%d", k);
		RS_IS(tag, "tasks.csv", row(tag, id), "service", k == 1 ? "se" : k == 2 ? "sg" : k == 3 ? "sn" : "st");
		T_NEAR(num(tag, id, "pending_s"), 1.25);
	}
	T_NEAR(num(tag, "task-1", "running_s") - num(tag, "task-1", "pending_s"), 74.5);
	T_NEAR(num(tag, "task-2", "running_s") - num(tag, "task-2", "pending_s"), 79.5);
	RS_IS(tag, "tasks.csv", row(tag, "task-3"), "last_status", "PENDING");
	RS_IS(tag, "tasks.csv", row(tag, "task-3"), "running_s", "");
	RS_IS(tag, "tasks.csv", row(tag, "task-4"), "stop_code", "TaskFailedToStart");
	RS_IS(tag, "tasks.csv", row(tag, "task-4"), "running_s", "");
	T_NEAR(num(tag, "task-4", "stopped_s") - num(tag, "task-4", "pending_s"), 55.5);
	RS_IS(tag, "tasks.csv", row(tag, "task-5"), "service", "sf");
	T_NEAR(num(tag, "task-5", "running_s") - num(tag, "task-5", "pending_s"), 90);
}

/* After every event: the first instant each of the standalone tasks
 * s1-s4 is RUNNING, and DEPROVISIONING or later. */
#define NSOLO 4
struct solo_obs {
	double running_at[NSOLO], gone_at[NSOLO];
};

static void solo_observe(struct backplane *bp, void *ctx)
{
	struct solo_obs *o = ctx;
	double now = (double)sim_now(bp->sim) / 1000.0;

	for (size_t i = 0; i < bp->n_tasks; i++) {
		const struct task *t = &bp->tasks[i];
		int k;

		if (!t->used || !t->id || t->id[0] != 's' || t->id[1] < '1' || t->id[1] > '0' + NSOLO || t->id[2])
			continue;
		k = t->id[1] - '1';
		if (t->state >= TS_ACTIVATING && t->state <= TS_STOPPING && o->running_at[k] < 0)
			o->running_at[k] = now;
		if (t->state >= TS_DEPROVISIONING && o->gone_at[k] < 0)
			o->gone_at[k] = now;
	}
}

/* A standalone task's failing check command on its HEALTHY dependency
 * (choices E115, E175): a container health check runs in any task, so
 * the dependent waits as in a service task (test_dep_fault); only the
 * service scheduler's replacement is a service's.  RunTask at 0, PENDING
 * at p, a health_check_fail row on envoy of each at 5 (by task id):
 *   s1  hdep, exits 60 s: the check at p + 42.5 fails, the next passes:
 *       RUNNING p + 74.5 (not before, at any event)
 *   s2  hdep, for good, no startTimeout: PENDING to the end
 *   s3  hto40, for good: app gives up at p + 52.5, envoy stops (3 s,
 *       E144): STOPPED p + 55.5, TaskFailedToStart, never RUNNING, not
 *       replaced (no service)
 *   s4  Fargate fgdep (PENDING at q, envoy starts then; its row at 45,
 *       25 <= q <= 45), exits 70 s: the checks at q + 30 and q + 60 (< 115)
 *       fail, q + 90 passes: RUNNING q + 90
 * Before, a standalone task's row changed nothing: s1-s3 RUNNING at
 * p + 44.5, s4 at q + 30. */
static void test_solo_dep_fault(void)
{
	const char *tag = "dsolo";
	struct solo_obs o;
	double p, q;

	for (int k = 0; k < NSOLO; k++)
		o.running_at[k] = o.gone_at[k] = -1;
	rs_write("dsolo.json", HEAD("dsolo", 400, 3) TRACE("dsolo"));
	rs_write("dsolo.csv", "time_s,event,target,taskdef,count,duration_s,group,command\n"
		 "0,run_task,s1,hdep,1,,,\n0,run_task,s2,hdep,1,,,\n0,run_task,s3,hto40,1,,,\n"
		 "0,run_task,s4,fgdep,1,,,\n"
		 "5,health_check_fail,s1,,1,60,envoy,exit\n5,health_check_fail,s2,,1,,envoy,exit\n"
		 "5,health_check_fail,s3,,1,,envoy,exit\n45,health_check_fail,s4,,1,70,envoy,exit\n");
	CU_ASSERT_FATAL(rs_run("dsolo.json", tag, NULL, solo_observe, &o) == 0);
	p = num(tag, "s1", "pending_s");
	T_NEAR(num(tag, "s2", "pending_s"), p);
	T_NEAR(num(tag, "s3", "pending_s"), p);
	CU_ASSERT(p < 5);
	T_NEAR(num(tag, "s1", "running_s") - p, 74.5);
	T_NEAR(o.running_at[0] - p, 74.5);
	RS_IS(tag, "tasks.csv", row(tag, "s2"), "last_status", "PENDING");
	RS_IS(tag, "tasks.csv", row(tag, "s2"), "running_s", "");
	T_EQ(o.running_at[1], -1);
	RS_IS(tag, "tasks.csv", row(tag, "s3"), "stop_code", "TaskFailedToStart");
	RS_IS(tag, "tasks.csv", row(tag, "s3"), "running_s", "");
	T_NEAR(num(tag, "s3", "stopped_s") - p, 55.5);
	T_NEAR(o.gone_at[2] - p, 55.5);
	T_EQ(o.running_at[2], -1);
	T_EQ(rs_rows(tag, "tasks.csv"), 4);
	q = num(tag, "s4", "pending_s");
	CU_ASSERT(q >= 25 && q <= 45);
	RS_IS(tag, "tasks.csv", row(tag, "s4"), "launch_type", "FARGATE");
	T_NEAR(num(tag, "s4", "running_s") - q, 90);
	T_NEAR(o.running_at[3] - q, 90);
	/* one failures.csv row per task whose command fails */
	T_EQ(rs_rows(tag, "failures.csv"), 4);
}

static CU_TestInfo dep_tests[] = {
	{ "a standalone task's failing check on a HEALTHY dependency (E115, E175)", test_solo_dep_fault },
	{ "a failing check on a HEALTHY dependency holds the start (E175)", test_dep_fault },
	{ "containers start along dependsOn; startTimeout gives up", test_start_order },
	{ "a service task waiting for HEALTHY: RUNNING and healthy instants", test_service_healthy },
	{ "a service whose tasks give up: TaskFailedToStart, replaced", test_service_gives_up },
	{ "shutdown along dependsOn reversed", test_stop_order },
	{ "a task stopped while its containers start: those started stop (E144)", test_stop_pending },
	{ "a service's task scaled in while its containers start (E144)", test_stop_pending_service },
	{ "a task stopped before RUNNING did not fail to start (E145)", test_stop_not_failure },
	{ "a Fargate Spot interruption of a task starting along dependsOn (E144, E67)", test_fargate_spot_pending },
	{ "restartPolicy restarts in place", test_restart },
	{ "dependsOn on Fargate", test_fargate },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "container dependencies and restarts", setup, rs_teardown, NULL, NULL, dep_tests },
	CU_SUITE_INFO_NULL,
};
