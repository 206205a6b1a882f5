/* tests/test_daemon_reserve.c — the room ECS reserves for DAEMON tasks
 * (docs/ecs-model.md §4.10, choices E130–E134), each rule checked after
 * every event of a scenario through the run's observer hook, from the
 * tasks themselves (what is placed where), not from the holds:
 *   - "ECS reserves CPU, memory and ENIs on each qualifying instance for
 *     [daemon tasks] so pending replica tasks cannot take that room": a
 *     replica or standalone task is never placed on an instance so that
 *     the room left there is less than what the DAEMON services without a
 *     task there need — on an instance registering while tasks wait for
 *     capacity, and on instances already full when the DAEMON is created
 *     (the room freed goes to the daemon first);
 *   - "placed first and stopped last": on a DRAINING instance the daemon
 *     task is asked to stop only once the instance's other tasks have
 *     stopped, and nothing is held there (tests/helpers/daemon_drain.c,
 *     over the churn scenario; test_fidelity_daemon runs it over a plain
 *     drain);
 *   - the same on an instance set ACTIVE again, on a failed instance that
 *     comes back (the hold kept while its agent is away), and after a
 *     redeployment to a larger revision (the new revision's room);
 *   - each daemon's held room is its own: a daemon created later does not
 *     take the room held for another (choice E146; checked from the
 *     holders' shares, cluster_hold_share);
 *   - a scenario without a DAEMON service holds nothing, ever.
 * The scenarios are tests/data/scenarios/dres-*. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/daemon_drain.h"
#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/service_int.h"

/* Copy a fixture into the run folder. */
static void fx(const char *name)
{
	CU_ASSERT_FATAL(rs_fixture(name) == 0);
}

static int setup(void)
{
	return rs_setup() ? 1 : 0;
}

static int is_daemon(const struct backplane *bp, int svc)
{
	return svc >= 0 && svc_sched(bp)->svcs[svc].cfg->sched == SCHED_DAEMON;
}

/* A task holding room on its instance: placed and not yet released (the
 * release retires it). */
static int placed_on(const struct task *t, int32_t i)
{
	return t->used && !t->queued && t->inst == i;
}

/* ---- the room is not taken --------------------------------------------- */

#define MAXI 16

struct take_check {
	int samples, violations, holds_seen;
	int64_t others[MAXI];      /* non-daemon tasks placed on each instance, last event */
	char where[64];
	double when;
	int64_t free_cpu, need_cpu;
};

/* After every event: on each ACTIVE instance where a non-daemon task was
 * just placed, the room left (registered less every placed task's) must
 * still hold every active DAEMON service without a task there (§1.6:
 * CPU and memory).  Only a placement can break it; a daemon that does not
 * fit for want of room it never had is not a violation. */
static void take_observe(struct backplane *bp, void *ctx)
{
	struct take_check *c = ctx;
	const struct scenario *s = bp->s;

	c->samples++;
	c->holds_seen |= cluster_n_holding(bp->cl) > 0;
	for (int32_t i = 0; i < cluster_count(bp->cl) && i < MAXI; i++) {
		int64_t cpu = 0, mem = 0, others = 0, need_cpu = 0, need_mem = 0, need_eni = 0, hc, hm;
		int he;

		for (size_t k = 0; k < bp->n_tasks; k++) {
			const struct task *t = &bp->tasks[k];

			if (!placed_on(t, i))
				continue;
			cpu += s->taskdefs[t->td].req.cpu_units;
			mem += s->taskdefs[t->td].req.mem_mib;
			others += !is_daemon(bp, t->svc);
		}
		for (int v = 0; v < svc_sched(bp)->n_svcs; v++) {
			const struct svc *sv = &svc_sched(bp)->svcs[v];
			int has = 0;

			if (!sv->active || sv->cfg->sched != SCHED_DAEMON)
				continue;
			for (size_t k = 0; k < bp->n_tasks; k++)
				has |= placed_on(&bp->tasks[k], i) && bp->tasks[k].svc == v;
			if (!has) {
				need_cpu += s->taskdefs[sv->deps[sv->primary].td].req.cpu_units;
				need_mem += s->taskdefs[sv->deps[sv->primary].td].req.mem_mib;
				need_eni += s->taskdefs[sv->deps[sv->primary].td].req.eni ? 1 : 0;
			}
		}
		/* the ENI slots left to the daemons: free or held (§4.10) */
		cluster_held(bp->cl, i, &hc, &hm, &he);
		if (others > c->others[i] && cluster_status(bp->cl, i) == INST_ACTIVE &&
		    (cluster_cpu_registered(bp->cl, i) - cpu < need_cpu ||
		     cluster_mem_registered(bp->cl, i) - mem < need_mem ||
		     cluster_eni_free(bp->cl, i) + he < need_eni)) {
			if (!c->violations) {
				snprintf(c->where, sizeof c->where, "%s", cluster_id(bp->cl, i));
				c->when = (double)sim_now(bp->sim) / 1000.0;
				c->free_cpu = cluster_cpu_registered(bp->cl, i) - cpu;
				c->need_cpu = need_cpu;
			}
			c->violations++;
		}
		c->others[i] = others;
	}
}

static void report_take(const struct take_check *c)
{
	if (c->violations)
		fprintf(stderr, "\n  a non-daemon task took the daemons' room on %s at %.3f s: %lld CPU left, "
			"the daemons without a task there need %lld (%d placements)\n",
			c->where, c->when, (long long)c->free_cpu, (long long)c->need_cpu, c->violations);
}

/* Daemon tasks of `svc` RUNNING at the end on `inst` (tasks.csv). */
static int running_on(const char *tag, const char *svc, const char *inst)
{
	int n = rs_rows(tag, "tasks.csv"), got = 0;

	for (int r = 1; r <= n; r++) {
		char *sv = rs_cell(tag, "tasks.csv", r, "service");
		char *in = rs_cell(tag, "tasks.csv", r, "instance_id");
		char *last = rs_cell(tag, "tasks.csv", r, "last_status");

		got += strcmp(sv, svc) == 0 && strcmp(in, inst) == 0 && strcmp(last, "RUNNING") == 0;
		free(sv);
		free(in);
		free(last);
	}
	return got;
}

/* One m5.large (2048 CPU) runs app (1024 CPU a task, desired 4, listed
 * first) and the DAEMONs agent and mon (256 each); a standalone app task
 * waits from 100 s.  At 300 s a second m5.large registers: the waiting
 * task is tried at once and app's pass comes before the daemons'.  Without
 * the reservation app takes both instances' CPU and neither daemon ever
 * runs; with it each instance keeps 512 for them (one app task on the
 * first, the waiting task on the second) and both daemons run on both. */
static void test_register_while_waiting(void)
{
	struct take_check c = { 0 };

	fx("dres-register.json");
	fx("dres-register.csv");
	fx("dres-td-agent.json");
	fx("dres-td-mon.json");
	fx("dres-td-app.json");
	CU_ASSERT_EQUAL_FATAL(rs_run("dres-register.json", "reg", NULL, take_observe, &c), 0);
	CU_ASSERT(c.samples > 50);
	report_take(&c);
	T_EQ(c.violations, 0);
	T_EQ(c.holds_seen, 1);
	T_EQ(running_on("reg", "agent", "ci-00001"), 1);
	T_EQ(running_on("reg", "mon", "ci-00001"), 1);
	T_EQ(running_on("reg", "agent", "ci-00002"), 1);
	T_EQ(running_on("reg", "mon", "ci-00002"), 1);
	/* the waiting task got the new instance's room left after the daemons' */
	RS_IS("reg", "tasks.csv", rs_find("reg", "tasks.csv", "task_id", "batch"), "instance_id", "ci-00002");
}

/* Two m5.large full of app tasks (4 × 1024 CPU) when the DAEMON agent is
 * created at 100 s: nothing to hold yet.  A standalone app task waits
 * from 150 s; at 200 s app scales in to 3.  The room the stopped task
 * frees goes to the daemon first: the waiting task (which would fit in
 * the 1024 CPU freed) is not placed there, and the daemon runs on that
 * instance; on the other, still full, it waits. */
static void test_full_instance_daemon_first(void)
{
	struct take_check c = { 0 };
	int r;
	char *placed;

	fx("dres-full.json");
	fx("dres-full.csv");
	fx("dres-td-agent.json");
	fx("dres-td-app.json");
	CU_ASSERT_EQUAL_FATAL(rs_run("dres-full.json", "full", NULL, take_observe, &c), 0);
	report_take(&c);
	T_EQ(c.violations, 0);
	T_EQ(running_on("full", "agent", "ci-00001") + running_on("full", "agent", "ci-00002"), 1);
	r = rs_find("full", "tasks.csv", "task_id", "batch");
	CU_ASSERT_FATAL(r > 0);
	placed = rs_cell("full", "tasks.csv", r, "placed_s");
	T_STREQ(placed, "");             /* never placed: no room left for it */
	free(placed);
}

/* ---- each daemon's held room is its own --------------------------------- */

#define MAXV 8

struct own_check {
	int samples, violations, shares_seen;
	int64_t cpu[MAXI][MAXV], mem[MAXI][MAXV];
	int eni[MAXI][MAXV];
	char where[96];
	double when;
};

/* After every event: the room held on an ACTIVE instance for a DAEMON
 * service still without a task placed there (cluster_hold_share) is never
 * less than it was at the previous event, unless the hold itself wants
 * less (a smaller revision): another daemon's placement must not take it
 * (§4.10: "ECS reserves ... on each qualifying instance for [each daemon]";
 * choice E146). */
static void own_observe(struct backplane *bp, void *ctx)
{
	struct own_check *c = ctx;
	const struct scenario *s = bp->s;

	c->samples++;
	for (int32_t i = 0; i < cluster_count(bp->cl) && i < MAXI; i++)
		for (int v = 0; v < svc_sched(bp)->n_svcs && v < MAXV; v++) {
			const struct svc *sv = &svc_sched(bp)->svcs[v];
			int64_t hc, hm;
			int he, has = 0;

			if (sv->cfg->sched != SCHED_DAEMON)
				continue;
			cluster_hold_share(bp->cl, i, sv->group, &hc, &hm, &he);
			c->shares_seen |= hc > 0;
			for (size_t k = 0; k < bp->n_tasks; k++)
				has |= placed_on(&bp->tasks[k], i) && bp->tasks[k].svc == v;
			if (!has && sv->active && sv->n_deps > 0 && cluster_status(bp->cl, i) == INST_ACTIVE &&
			    cluster_holds(bp->cl, i, sv->group)) {
				const struct place_req *r = &s->taskdefs[sv->deps[sv->primary].td].req;
				int64_t fc = c->cpu[i][v] < r->cpu_units ? c->cpu[i][v] : r->cpu_units;
				int64_t fm = c->mem[i][v] < r->mem_mib ? c->mem[i][v] : r->mem_mib;
				int fe = c->eni[i][v] < (r->eni ? 1 : 0) ? c->eni[i][v] : (r->eni ? 1 : 0);

				if (hc < fc || hm < fm || he < fe) {
					if (!c->violations) {
						snprintf(c->where, sizeof c->where, "%s's hold on %s: %lld CPU, was %lld",
							 sv->cfg->name, cluster_id(bp->cl, i), (long long)hc,
							 (long long)c->cpu[i][v]);
						c->when = (double)sim_now(bp->sim) / 1000.0;
					}
					c->violations++;
				}
			}
			c->cpu[i][v] = hc;
			c->mem[i][v] = hm;
			c->eni[i][v] = he;
		}
}

static void report_own(const struct own_check *c)
{
	if (c->violations)
		fprintf(stderr, "\n  a daemon's held room was taken: %s at %.3f s (%d events)\n", c->where, c->when,
			c->violations);
}

/* One m5.large (2048 CPU) runs two app tasks (1024 each).  The DAEMON
 * first (1024 CPU) is created at 100 s: nothing free, it holds nothing.
 * app scales in to 1 at 150 s; the room its task frees (153.75 s: 0.25 s
 * API latency, 0.5 s network delay, 3 s shutdown) goes to first's hold,
 * first's pass being due 10 s (schedulerDelaySeconds) later.  The DAEMON
 * second (1024 CPU, listed before first) is created at 155 s, its pass at
 * once: the only room is first's, so second waits; first's task is placed
 * at its pass (163.75 s + 0.25 s API latency = 164.25 s submitted, placed
 * 1 s later).  On main second's pass saw first's hold as free, took it
 * (placed 156.25 s) and first never ran. */
static void test_each_daemon_own_room(void)
{
	struct own_check c = { 0 };
	struct take_check t = { 0 };
	int r;

	fx("dres-own.json");
	fx("dres-own.csv");
	fx("dres-td-big.json");
	fx("dres-td-app.json");
	CU_ASSERT_EQUAL_FATAL(rs_run("dres-own.json", "own", NULL, own_observe, &c), 0);
	CU_ASSERT(c.samples > 20);
	report_own(&c);
	T_EQ(c.violations, 0);
	T_EQ(c.shares_seen, 1);
	T_EQ(running_on("own", "first", "ci-00001"), 1);
	T_EQ(running_on("own", "second", "ci-00001"), 0);
	r = rs_find("own", "tasks.csv", "service", "first");
	CU_ASSERT_FATAL(r > 0);
	T_EQ(rs_num("own", "tasks.csv", r, "submit_s"), 164.25);
	T_EQ(rs_num("own", "tasks.csv", r, "placed_s"), 165.25);
	T_EQ(rs_find("own", "tasks.csv", "service", "second"), 0);
	/* and no replica task takes a daemon's room either */
	CU_ASSERT_EQUAL_FATAL(rs_run("dres-own.json", "own2", NULL, take_observe, &t), 0);
	report_take(&t);
	T_EQ(t.violations, 0);
}

/* One m5.large runs the DAEMON agent (256 CPU) and one app task (1024);
 * a standalone app task (1024) waits from 30 s; at 100 s agent is
 * redeployed to a revision of 768 CPU.  The old task's room, once
 * released, is held at the new revision's size (choice E132): the waiting
 * task, which would fit in the 1024 freed, is not placed and the new
 * revision runs. */
static void test_redeploy_holds_new_size(void)
{
	struct take_check c = { 0 };
	int r, n, v2 = 0;
	char *placed;

	fx("dres-deploy.json");
	fx("dres-deploy.csv");
	fx("dres-td-agent.json");
	fx("dres-td-agent-v2.json");
	fx("dres-td-app.json");
	CU_ASSERT_EQUAL_FATAL(rs_run("dres-deploy.json", "dep", NULL, take_observe, &c), 0);
	report_take(&c);
	T_EQ(c.violations, 0);
	n = rs_rows("dep", "tasks.csv");
	for (r = 1; r <= n; r++) {
		char *sv = rs_cell("dep", "tasks.csv", r, "service");
		char *last = rs_cell("dep", "tasks.csv", r, "last_status");

		v2 += strcmp(sv, "agent") == 0 && strcmp(last, "RUNNING") == 0 &&
		      rs_num("dep", "tasks.csv", r, "cpu") == 768;
		free(sv);
		free(last);
	}
	T_EQ(v2, 1);
	r = rs_find("dep", "tasks.csv", "task_id", "job");
	CU_ASSERT_FATAL(r > 0);
	placed = rs_cell("dep", "tasks.csv", r, "placed_s");
	T_STREQ(placed, "");
	free(placed);
}

/* Two m5.large each run the DAEMON agent (256 CPU) and an app task
 * (1024); a standalone app task waits from 50 s; ci-00002 is drained at
 * 100 s (its daemon stops after the app task) and set ACTIVE again at
 * 300 s: the waiting task is tried at once, app's pass (listed first) comes
 * before the daemon's.  The daemon's room is held from the moment the
 * instance is ACTIVE again (choices E132, E133): the waiting task takes 1024,
 * app's replacement finds no room, the daemon runs there again.  On main
 * app's task takes the rest and the daemon never returns. */
static void test_reactivated_instance(void)
{
	struct take_check c = { 0 };

	fx("dres-reactivate.json");
	fx("dres-reactivate.csv");
	fx("dres-td-agent.json");
	fx("dres-td-app.json");
	CU_ASSERT_EQUAL_FATAL(rs_run("dres-reactivate.json", "react", NULL, take_observe, &c), 0);
	report_take(&c);
	T_EQ(c.violations, 0);
	T_EQ(running_on("react", "agent", "ci-00002"), 1);
	RS_IS("react", "tasks.csv", rs_find("react", "tasks.csv", "task_id", "job"), "instance_id", "ci-00002");
}

struct fail_check {
	struct take_check take;
	int held_disconnected;     /* events with ci-00002's agent away and its hold in place */
};

static void fail_observe(struct backplane *bp, void *ctx)
{
	struct fail_check *c = ctx;
	int64_t hc, hm;
	int he;

	take_observe(bp, &c->take);
	cluster_held(bp->cl, 1, &hc, &hm, &he);
	c->held_disconnected += !cluster_agent_connected(bp->cl, 1) && hc == 256;
}

/* The same two instances; ci-00002 fails at 100 s for 200 s: the backplane
 * notices at 160 s (its tasks lost, the agent disconnected), holds the
 * daemon's room there at once and keeps it while the agent is away
 * (choice E133); when the instance comes back empty the waiting task is
 * tried at once and app's pass comes first, yet the daemon runs there
 * again.  On main app's replacement takes the room the daemon needs. */
static void test_failed_instance_back(void)
{
	struct fail_check c = { { 0 }, 0 };

	fx("dres-fail.json");
	fx("dres-fail.csv");
	fx("dres-td-agent.json");
	fx("dres-td-app.json");
	CU_ASSERT_EQUAL_FATAL(rs_run("dres-fail.json", "fail", NULL, fail_observe, &c), 0);
	report_take(&c.take);
	T_EQ(c.take.violations, 0);
	CU_ASSERT(c.held_disconnected > 0);
	T_EQ(running_on("fail", "agent", "ci-00002"), 1);
	RS_IS("fail", "tasks.csv", rs_find("fail", "tasks.csv", "task_id", "job"), "instance_id", "ci-00002");
}

/* ---- churn: the rules over a whole run ----------------------------------- */

struct chaos_check {
	struct take_check take;
	struct drain_check drain;
	struct own_check own;
	int daemon_placements;
};

static void chaos_observe(struct backplane *bp, void *ctx)
{
	struct chaos_check *c = ctx;

	take_observe(bp, &c->take);
	drain_observe(bp, &c->drain);
	own_observe(bp, &c->own);
}

/* Two DAEMON services of different sizes beside a REPLICA service and
 * standalone tasks that want more room than the cluster has, on instances
 * whose agents disconnect, that fail and come back, Spot instances
 * interrupted and replaced, a drained instance set ACTIVE again, and the
 * daemons redeployed to smaller and larger revisions
 * (tests/data/scenarios/dres-chaos.*): after every event no non-daemon
 * task has taken the daemons' room, a daemon task on a DRAINING instance
 * is stopped last, and nothing is held on an instance that is not ACTIVE. */
static void test_chaos(void)
{
	struct chaos_check c = { 0 };

	fx("dres-chaos.json");
	fx("dres-chaos.csv");
	fx("dres-td-agent.json");
	fx("dres-td-agent-v2.json");
	fx("dres-td-agent-v3.json");
	fx("dres-td-bigmon.json");
	fx("dres-td-app.json");
	fx("fid-agent-small.json");
	CU_ASSERT_EQUAL_FATAL(rs_run("dres-chaos.json", "chaos", NULL, chaos_observe, &c), 0);
	CU_ASSERT(c.take.samples > 1000);
	report_take(&c.take);
	T_EQ(c.take.violations, 0);
	T_EQ(c.take.holds_seen, 1);
	if (c.drain.violations)
		fprintf(stderr, "\n  the daemon task on DRAINING %s was asked to stop at %.3f s before the others\n",
			c.drain.where, c.drain.when);
	T_EQ(c.drain.violations, 0);
	T_EQ(c.drain.held_off_active, 0);
	/* each daemon's held room its own at every event (choice E146) */
	report_own(&c.own);
	T_EQ(c.own.violations, 0);
	T_EQ(c.own.shares_seen, 1);
}

/* Whether a task of `svc` was ever placed on `inst` (tasks.csv). */
static int ran_on(const char *tag, const char *svc, const char *inst)
{
	int n = rs_rows(tag, "tasks.csv"), got = 0;

	for (int r = 1; r <= n && !got; r++) {
		char *sv = rs_cell(tag, "tasks.csv", r, "service");
		char *in = rs_cell(tag, "tasks.csv", r, "instance_id");

		got = strcmp(sv, svc) == 0 && strcmp(in, inst) == 0;
		free(sv);
		free(in);
	}
	return got;
}

/* An Auto Scaling group capacity provider with managed scaling
 * (tests/data/scenarios/dres-ms.*): app's tasks wait in PROVISIONING while
 * the group adds instances; on each instance registering, the daemon's
 * room is held before any waiting task is placed there (none takes it, at
 * any event), and the daemon runs on every instance the group added. */
static void test_managed_scaling(void)
{
	struct take_check c = { 0 };
	int n, insts = 0, with_agent = 0;
	char seen[64][16];

	fx("dres-ms.json");
	fx("dres-ms.csv");
	fx("dres-td-agent.json");
	fx("dres-td-app.json");
	CU_ASSERT_EQUAL_FATAL(rs_run("dres-ms.json", "ms", NULL, take_observe, &c), 0);
	report_take(&c);
	T_EQ(c.violations, 0);
	T_EQ(c.holds_seen, 1);
	/* every instance that ran a task ran the daemon */
	n = rs_rows("ms", "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *in = rs_cell("ms", "tasks.csv", r, "instance_id");
		int k;

		for (k = 0; k < insts && strcmp(seen[k], in) != 0; k++)
			;
		if (*in && k == insts && insts < 64) {
			snprintf(seen[insts++], sizeof seen[0], "%s", in);
			with_agent += ran_on("ms", "agent", in);
		}
		free(in);
	}
	CU_ASSERT(insts >= 8);
	T_EQ(with_agent, insts);
}

/* awsvpc tasks on t3.medium instances (two ENI slots for tasks): the
 * daemon's ENI is held like its CPU and memory (choice E130), through agent
 * disconnects, instance failures and a registration while tasks wait
 * (tests/data/scenarios/dres-eni.*): no non-daemon task leaves fewer ENI
 * slots (free or held) than the daemons without a task there need, at any
 * event, and the daemon runs on all four instances at the end. */
static void test_eni(void)
{
	struct take_check c = { 0 };
	int on = 0;

	fx("dres-eni.json");
	fx("dres-eni.csv");
	fx("dres-td-agent-vpc.json");
	fx("dres-td-app-vpc.json");
	CU_ASSERT_EQUAL_FATAL(rs_run("dres-eni.json", "eni", NULL, take_observe, &c), 0);
	report_take(&c);
	T_EQ(c.violations, 0);
	T_EQ(c.holds_seen, 1);
	for (int i = 1; i <= 4; i++) {
		char id[16];

		snprintf(id, sizeof id, "ci-%05d", i);
		on += running_on("eni", "agent", id);
	}
	T_EQ(on, 4);
}

/* ---- no DAEMON: nothing held ------------------------------------------- */

static void none_observe(struct backplane *bp, void *ctx)
{
	int *held = ctx;

	*held += cluster_n_holding(bp->cl) > 0;
}

/* The register scenario without its DAEMON services: nothing is held at
 * any event (shipped scenarios without one keep byte-identical outputs:
 * tests/same-outputs.sh). */
static void test_no_daemon_holds_nothing(void)
{
	int held = 0;

	fx("dres-td-app.json");
	fx("dres-register.csv");
	rs_write("dres-none.json",
		 "{\"name\":\"dres-none\",\"durationSeconds\":900,\"region\":\"us-east-1\","
		 "\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1}],"
		 "\"taskDefinitions\":{\"app\":\"dres-td-app.json\"},"
		 "\"services\":[{\"serviceName\":\"app\",\"taskDefinition\":\"app\",\"desiredCount\":4}],"
		 "\"workload\":{\"traces\":[\"dres-register.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("dres-none.json", "none", NULL, none_observe, &held), 0);
	T_EQ(held, 0);
	/* app takes both instances whole: 2 + 1 tasks beside the waiting one */
	T_EQ(rs_rows("none", "tasks.csv"), 4);
}

static CU_TestInfo reserve_tests[] = {
	{ "an instance registering: the daemons' room is not taken", test_register_while_waiting },
	{ "full instances: the room freed goes to the daemon first", test_full_instance_daemon_first },
	{ "redeployed: the new revision's room held", test_redeploy_holds_new_size },
	{ "an instance set ACTIVE again: the daemon's room held first", test_reactivated_instance },
	{ "a failed instance back: the hold kept while its agent was away", test_failed_instance_back },
	{ "two daemons: each one's held room is its own", test_each_daemon_own_room },
	{ "no DAEMON: nothing held", test_no_daemon_holds_nothing },
	{ "churn: every rule after every event", test_chaos },
	{ "managed scaling: each new instance holds the daemon's room first", test_managed_scaling },
	{ "awsvpc: the daemon's ENI held", test_eni },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "DAEMON reservation", setup, rs_teardown, NULL, NULL, reserve_tests },
	CU_SUITE_INFO_NULL,
};
