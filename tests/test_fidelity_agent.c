/* tests/test_fidelity_agent.c — control-plane fidelity around the agent
 * (docs/ecs-model.md §2.3, §3.3, §7.1, §7.4, §8.3, §8.4):
 *
 *  - a container that starts, passes its health check or exits on an
 *    instance whose agent is disconnected
 *    changes the backplane's view (desired status, stop code, the service's
 *    running count) only when the agent's report arrives on reconnection;
 *    the scheduler does not replace the task before that;
 *  - a Spot instance terminated while its agent is disconnected is not
 *    deregistered at once: the backplane learns after the heartbeat timeout;
 *    the DRAINING of a Spot notice needs a connected agent;
 *  - a failure keeps the stop code of a task already stopping, and so
 *    does an essential container's exit (E26); a stop held for draining
 *    has not reached the task, whose restartPolicy still applies (E158);
 *  - a report held back while the agent was disconnected reaches the
 *    backplane with the agent's next report, if that comes first;
 *  - whole-run invariants over every shipped scenario and these fixtures
 *    (tests/helpers/invariants.c); fid-agent-depchaos has tasks whose
 *    containers start along dependsOn (E144, E156-E159) stopped by
 *    scale-ins, deployments, draining, StopTask and Spot interruptions
 *    (EC2 and Fargate) under disconnects and failures.
 *
 * Fixtures: tests/data/scenarios/fid-agent-*. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/invariants.h"
#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/service_int.h"
#include "sim/hmap.h"

#define FIX "tests/data/scenarios/"

static double now_s(struct backplane *bp)
{
	return (double)sim_now(bp->sim) / 1000.0;
}

/* The live task with id `id`: a named one from the map, a numbered one
 * ("task-<no>", every service task) by its number. */
static struct task *find_task(struct backplane *bp, const char *id)
{
	uint64_t slot, no;

	if (hmap_get(bp->by_id, id, &slot))
		return &bp->tasks[slot];
	if (strncmp(id, "task-", 5) != 0)
		return NULL;
	no = strtoull(id + 5, NULL, 10);
	for (size_t i = 0; i < bp->n_tasks; i++)
		if (bp->tasks[i].used && !bp->tasks[i].id && bp->tasks[i].no == no)
			return &bp->tasks[i];
	return NULL;
}

/* ---- §7.4: an exit on a disconnected agent ------------------------------ */

struct exit_watch {
	struct inv inv;
	double desired_stopped_at;   /* when task-1's desired status became STOPPED */
	double code_at;              /* when it got a stop code */
	double replacement_at;       /* when a second task of the service existed */
	int64_t min_running;         /* the service's running count, 60 s .. 350 s */
};

static void exit_observe(struct backplane *bp, void *ctx)
{
	struct exit_watch *w = ctx;
	struct task *t = find_task(bp, "task-1");
	double now = now_s(bp);

	inv_observe(bp, &w->inv);
	if (t && t->desired == TD_STOPPED && w->desired_stopped_at < 0)
		w->desired_stopped_at = now;
	if (t && t->stop_code && w->code_at < 0)
		w->code_at = now;
	if (find_task(bp, "task-2") && w->replacement_at < 0)
		w->replacement_at = now;
	if (now >= 60 && now < 350 && svc_sched(bp)->n_svcs > 0 && svc_sched(bp)->svcs[0].running < w->min_running)
		w->min_running = svc_sched(bp)->svcs[0].running;
}

/* The service's task runs from 13.75 s and its container exits at 113.75 s;
 * the agent was disconnected at 50 s and reconnects at 350 s.  The backplane
 * keeps seeing the task RUNNING (desired RUNNING, counted running, not
 * replaced) until the report arrives at 350.5 s; tasks.csv keeps the times
 * the agent saw. */
static void test_exit_while_disconnected(void)
{
	struct exit_watch w = { .desired_stopped_at = -1, .code_at = -1, .replacement_at = -1,
				.min_running = 99 };
	int r;

	inv_init(&w.inv);
	CU_ASSERT_EQUAL_FATAL(rs_setup(), 0);
	if (inv_run_file(FIX "fid-agent-exit.json", "exit", exit_observe, &w) != 0) {
		CU_FAIL("fid-agent-exit did not run");
		goto out;
	}
	/* the backplane's view changes only when the report arrives */
	T_NEAR(w.desired_stopped_at, 350.5);
	T_NEAR(w.code_at, 350.5);
	T_EQ(w.min_running, 1);
	CU_ASSERT(w.replacement_at >= 350.5);
	RS_IS("exit", "services.csv", rs_find("exit", "services.csv", "time_s", "200.000"), "running", "1");
	RS_IS("exit", "services.csv", rs_find("exit", "services.csv", "time_s", "340.000"), "running", "1");
	/* tasks.csv: what the agent saw, and when */
	r = rs_find("exit", "tasks.csv", "task_id", "task-1");
	RS_IS("exit", "tasks.csv", r, "stop_code", "EssentialContainerExited");
	RS_IS("exit", "tasks.csv", r, "desired_status", "STOPPED");
	RS_IS("exit", "tasks.csv", r, "last_status", "STOPPED");
	T_NEAR(rs_num("exit", "tasks.csv", r, "stopping_s"), 113.75);
	T_NEAR(rs_num("exit", "tasks.csv", r, "stopped_s"), 113.75);   /* one container: nothing left to stop (docs/ecs-model.md §3.2) */
	/* the replacement: the scheduler's pass after the report */
	r = rs_find("exit", "tasks.csv", "task_id", "task-2");
	CU_ASSERT(r > 0 && rs_num("exit", "tasks.csv", r, "submit_s") >= 350.5);
	T_EQ(w.inv.violations, 0);
	inv_report(&w.inv, "fid-agent-exit");
out:
	inv_free(&w.inv);
	rs_teardown();
}

/* The start request reaches the agent at 1.75 s; it goes silent at 5 s and
 * starts the task at 13.75 s (healthy 40 s later); it reconnects at 100 s.
 * The service sees its task PENDING, not running, not healthy, until the
 * report arrives at 100.5 s. */
static void test_start_while_disconnected(void)
{
	struct inv c;
	int r;

	inv_init(&c);
	CU_ASSERT_EQUAL_FATAL(rs_setup(), 0);
	CU_ASSERT_EQUAL_FATAL(inv_run_file(FIX "fid-agent-start.json", "st", inv_observe, &c), 0);
	r = rs_find("st", "services.csv", "time_s", "60.000");
	RS_IS("st", "services.csv", r, "running", "0");
	RS_IS("st", "services.csv", r, "pending", "1");
	RS_IS("st", "services.csv", r, "healthy", "0");
	r = rs_find("st", "services.csv", "time_s", "110.000");
	RS_IS("st", "services.csv", r, "running", "1");
	RS_IS("st", "services.csv", r, "healthy", "1");
	r = rs_find("st", "timeseries.csv", "time_s", "60.000");
	RS_IS("st", "timeseries.csv", r, "tasks_running", "0");
	T_NEAR(rs_num("st", "tasks.csv", 1, "running_s"), 13.75);
	RS_IS("st", "tasks.csv", 1, "last_status", "RUNNING");
	T_EQ(c.violations, 0);
	inv_report(&c, "fid-agent-start");
	inv_free(&c);
	rs_teardown();
}

/* ---- §8.4, §2.4, §7.4: Spot with a disconnected agent -------------------- */

struct spot_watch {
	struct inv inv;
	double inactive_at[2], draining_at[2];
};

static void spot_observe(struct backplane *bp, void *ctx)
{
	struct spot_watch *w = ctx;

	inv_observe(bp, &w->inv);
	for (int32_t i = 0; i < 2 && i < cluster_count(bp->cl); i++) {
		if (cluster_status(bp->cl, i) == INST_INACTIVE && w->inactive_at[i] < 0)
			w->inactive_at[i] = now_s(bp);
		if (cluster_status(bp->cl, i) == INST_DRAINING && w->draining_at[i] < 0)
			w->draining_at[i] = now_s(bp);
	}
}

/* ci-00001: agent silent from 100 s for good; notice at 200 s, terminated at
 * 320 s: the backplane learns at 320 + 60 s (heartbeat timeout, no jitter)
 * and its agent never set DRAINING; its agent disconnected at the
 * termination, it is not deregistered (§2.4, docs/ecs-model.md choice
 * E163): never INACTIVE, its tasks STOPPED at 380 s all the same.  ci-00002: agent silent 180–230 s; the
 * notice at 200 s drains it only at 230 s, when the agent can say so. */
static void test_spot_disconnected(void)
{
	struct spot_watch w = { .inactive_at = { -1, -1 }, .draining_at = { -1, -1 } };
	int r;

	inv_init(&w.inv);
	CU_ASSERT_EQUAL_FATAL(rs_setup(), 0);
	CU_ASSERT_EQUAL_FATAL(inv_run_file(FIX "fid-agent-spot.json", "spot", spot_observe, &w), 0);
	T_NEAR(w.inactive_at[0], -1);
	T_NEAR(w.draining_at[0], -1);
	T_NEAR(w.draining_at[1], 230);
	r = rs_find("spot", "tasks.csv", "instance_id", "ci-00001");
	RS_IS("spot", "tasks.csv", r, "stop_code", "SpotInterruption");
	T_NEAR(rs_num("spot", "tasks.csv", r, "stop_s"), 380);
	T_EQ(w.inv.violations, 0);
	inv_report(&w.inv, "fid-agent-spot");
	inv_free(&w.inv);
	rs_teardown();
}

/* ---- §3.3: a fault keeps an earlier stop code ---------------------------- */

/* Task a is stopped (UserInitiated) at 100 s; its containers take 60 s to
 * stop; the instance fails at 110 s, detected at 170 s.  a keeps
 * UserInitiated, b (running) gets InfrastructureHealth. */
static void test_fault_keeps_stop_code(void)
{
	struct inv c;

	inv_init(&c);
	CU_ASSERT_EQUAL_FATAL(rs_setup(), 0);
	CU_ASSERT_EQUAL_FATAL(inv_run_file(FIX "fid-agent-stopcode.json", "sc", inv_observe, &c), 0);
	RS_IS("sc", "tasks.csv", rs_find("sc", "tasks.csv", "task_id", "a"), "stop_code", "UserInitiated");
	RS_IS("sc", "tasks.csv", rs_find("sc", "tasks.csv", "task_id", "b"), "stop_code",
	      "InfrastructureHealth");
	T_NEAR(rs_num("sc", "tasks.csv", rs_find("sc", "tasks.csv", "task_id", "a"), "stop_s"), 170);
	T_EQ(c.violations, 0);
	inv_report(&c, "fid-agent-stopcode");
	inv_free(&c);
	rs_teardown();
}

/* ---- §3.3, E26, E158: an exit after the stop request ----------------------- */

/* The first reason to stop a task is the one it keeps (choice E26), also
 * when its agent is connected.  x (standalone, one container, 100 s from
 * RUNNING at 13.5 s): StopTask at 113 takes effect at 113.25 and reaches
 * the agent at 113.75, after x's exit at 113.5: x keeps UserInitiated (its
 * stop is its exit's, 113.5).  Services scaled to 0 at 250 whose targets
 * drain to 550.25 (requests of 1000 s in flight): the stop waits for that
 * (§6.3); ec2's container exits at 413.75 meanwhile: ServiceSchedulerInitiated
 * kept, its STOPPING from the exit (E51).  fg (Fargate, restartPolicy 300 s
 * <= 400 s) exits at 441.25 meanwhile: the stop has not reached it, so it
 * is restarted in place as on EC2 (E158) and stops only at the drain's
 * end, 550.25.  Before: x and ec2 EssentialContainerExited (the agent's
 * exit overwrote the code), fg STOPPING at 441.25 (Fargate's restart
 * looked at the control plane's desired status). */
static void test_exit_keeps_stop_code(void)
{
	struct inv c;
	int x, e, f;

	inv_init(&c);
	CU_ASSERT_EQUAL_FATAL(rs_setup(), 0);
	CU_ASSERT_EQUAL_FATAL(inv_run_file(FIX "fid-agent-exitstop.json", "es", inv_observe, &c), 0);
	x = rs_find("es", "tasks.csv", "task_id", "x");
	e = rs_find("es", "tasks.csv", "service", "ec2");
	f = rs_find("es", "tasks.csv", "service", "fg");
	CU_ASSERT_FATAL(x > 0 && e > 0 && f > 0);
	RS_IS("es", "tasks.csv", x, "stop_code", "UserInitiated");
	T_NEAR(rs_num("es", "tasks.csv", x, "running_s"), 13.5);
	T_NEAR(rs_num("es", "tasks.csv", x, "stopping_s"), 113.5);
	T_NEAR(rs_num("es", "tasks.csv", x, "stopped_s"), 113.5);
	RS_IS("es", "tasks.csv", e, "stop_code", "ServiceSchedulerInitiated");
	T_NEAR(rs_num("es", "tasks.csv", e, "running_s"), 13.75);
	T_NEAR(rs_num("es", "tasks.csv", e, "stopping_s"), 413.75);
	RS_IS("es", "tasks.csv", f, "stop_code", "ServiceSchedulerInitiated");
	T_NEAR(rs_num("es", "tasks.csv", f, "running_s"), 41.25);
	T_NEAR(rs_num("es", "tasks.csv", f, "stopping_s"), 550.25);
	T_EQ(rs_rows("es", "tasks.csv"), 3);
	T_EQ(c.violations, 0);
	inv_report(&c, "fid-agent-exitstop");
	inv_free(&c);
	rs_teardown();
}

/* ---- §7.4: a report held back reaches the backplane with the next one ---- */

/* w (two containers: the stop signal's wait is the shutdown, 3 s) exits at
 * 113.5 s while its agent is disconnected (50 s .. 116.2 s): the backplane
 * does not know yet; the report waits in the outbox, goes at the
 * reconnection and would arrive at 116.7 s.  At 116.5 s, the agent
 * connected again, the containers have stopped and the agent reports that:
 * the backplane learns with it what the held report says, the exit
 * (desired STOPPED, EssentialContainerExited).  So the StopTask that takes
 * effect at 116.6 s finds w stopping already and changes nothing (D9): w
 * keeps its first stop code. */
static void test_report_after_reconnection(void)
{
	struct inv c;
	int r;

	inv_init(&c);
	CU_ASSERT_EQUAL_FATAL(rs_setup(), 0);
	CU_ASSERT_EQUAL_FATAL(inv_run_file(FIX "fid-agent-window.json", "win", inv_observe, &c), 0);
	r = rs_find("win", "tasks.csv", "task_id", "w");
	RS_IS("win", "tasks.csv", r, "stop_code", "EssentialContainerExited");
	T_NEAR(rs_num("win", "tasks.csv", r, "stopping_s"), 113.5);
	T_NEAR(rs_num("win", "tasks.csv", r, "stopped_s"), 116.5);
	T_EQ(c.violations, 0);
	inv_report(&c, "fid-agent-window");
	inv_free(&c);
	rs_teardown();
}

/* ---- whole-run invariants ------------------------------------------------ */

/* Every shipped scenario, every fid-agent fixture and the churn fixtures of
 * the DAEMON reservation and of blue/green deployments (dres-chaos,
 * dres-eni, dres-ms, bg-chaos), each with its own
 * seed; `only` runs just that tasks.csv check (NULL: the observer's checks
 * and every tasks.csv check but `skip`). */
static void run_all(const char *only, const char *skip)
{
	glob_t g;
	const char *pats[] = { "scenarios/*.json", FIX "fid-agent-*.json", FIX "dres-chaos.json", FIX "dres-eni.json",
			       FIX "dres-ms.json", FIX "bg-chaos.json" };
	int n = 0;

	CU_ASSERT_EQUAL_FATAL(rs_setup(), 0);
	for (int p = 0; p < (int)(sizeof pats / sizeof pats[0]); p++) {
		if (glob(pats[p], 0, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			const char *path = g.gl_pathv[i];
			struct inv c;
			char tag[40], csv[400];

			if (strstr(path, "schema") || strstr(path, "fid-agent-small"))
				continue;
			inv_init(&c);
			snprintf(tag, sizeof tag, "all%d", n++);
			if (inv_run_file(path, tag, inv_observe, &c) != 0) {
				fprintf(stderr, "%s: did not run\n", path);
				CU_FAIL("a scenario did not run");
				inv_free(&c);
				continue;
			}
			if (only)
				c.violations = 0;   /* this test looks at one check only */
			snprintf(csv, sizeof csv, "%s/out-%s/tasks.csv", rs_dir(), tag);
			CU_ASSERT_EQUAL(inv_tasks_csv(&c, csv, skip, only), 0);
			if (c.violations)
				inv_report(&c, path);
			CU_ASSERT_EQUAL(c.violations, 0);
			inv_free(&c);
		}
		globfree(&g);
	}
	CU_ASSERT(n >= 10);
	rs_teardown();
}

static void test_invariants(void)
{
	run_all(NULL, "stopped-last");
}

static void test_invariant_stopped_last(void)
{
	run_all("stopped-last", NULL);
}

/* The checker itself: one hand-written row breaking each tasks.csv rule is
 * caught by that rule, and a clean file passes. */
static void test_checker_catches(void)
{
	static const char *const head =
		"task_id,taskdef,group,service,submit_s,placed_s,start_s,stop_s,instance_id,az,cpu,memory,"
		"stop_code,desired_status,last_status,provisioning_s,pending_s,activating_s,running_s,"
		"deactivating_s,stopping_s,deprovisioning_s,stopped_s\n";
	static const struct { const char *check, *row; } cases[] = {
		{ NULL, "ok,f,g,,0.000,1.000,5.000,9.000,ci-1,a,1,1,UserInitiated,STOPPED,STOPPED,1.000,1.000,5.000,5.000,6.000,6.000,9.000,9.000" },
		{ "order", "o,f,g,,0.000,1.000,5.000,9.000,ci-1,a,1,1,UserInitiated,STOPPED,STOPPED,1.000,1.000,5.000,5.000,6.000,4.000,9.000,9.000" },
		{ "stopped-last", "q,f,g,,0.000,,,9.000,,,1,1,TaskFailedToStart,STOPPED,PENDING,,,,,,,,9.000" },
		{ "stopped-desired", "d,f,g,,0.000,1.000,5.000,9.000,ci-1,a,1,1,,STOPPED,STOPPED,1.000,1.000,5.000,5.000,6.000,6.000,9.000,9.000" },
		{ "last-stopped", "l,f,g,,0.000,1.000,5.000,,ci-1,a,1,1,,STOPPED,STOPPED,1.000,1.000,5.000,5.000,6.000,6.000,9.000,9.000" },
		{ "running-clean", "r,f,g,,0.000,1.000,5.000,,ci-1,a,1,1,UserInitiated,RUNNING,RUNNING,1.000,1.000,5.000,5.000,,,," },
		{ "never-placed", "n,f,g,,0.000,,,,ci-1,,1,1,,RUNNING,PENDING,,,,,,,," },
	};
	char text[2000], path[400];

	CU_ASSERT_EQUAL_FATAL(rs_setup(), 0);
	snprintf(path, sizeof path, "%s/t.csv", rs_dir());
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct inv c;

		inv_init(&c);
		snprintf(text, sizeof text, "%s%s\n", head, cases[k].row);
		rs_write("t.csv", text);
		CU_ASSERT_EQUAL(inv_tasks_csv(&c, path, NULL, NULL), 0);
		if (!cases[k].check) {
			T_EQ(c.violations, 0);
		} else {
			CU_ASSERT(c.violations >= 1 && strstr(c.msg[0], cases[k].check) != NULL);
			inv_init(&c);
			CU_ASSERT_EQUAL(inv_tasks_csv(&c, path, cases[k].check, NULL), 0);
			/* only that rule objects to the row */
			T_EQ(c.violations, 0);
		}
		inv_free(&c);
	}
	rs_teardown();
}

static CU_TestInfo agent_tests[] = {
	{ "the invariant checker catches each broken rule", test_checker_catches },
	{ "exit on a disconnected agent: learned on reconnection", test_exit_while_disconnected },
	{ "start and health check on a disconnected agent", test_start_while_disconnected },
	{ "spot termination and draining with a disconnected agent", test_spot_disconnected },
	{ "a fault keeps an earlier stop code", test_fault_keeps_stop_code },
	{ "an exit after the stop request keeps its code; a held stop restarts", test_exit_keeps_stop_code },
	{ "a held report reaches the backplane with the next one", test_report_after_reconnection },
	{ "whole-run invariants", test_invariants },
	{ "whole-run invariant: a stopped row has last_status STOPPED", test_invariant_stopped_last },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "fidelity-agent", NULL, NULL, NULL, NULL, agent_tests },
	CU_SUITE_INFO_NULL,
};
