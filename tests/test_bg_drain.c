/* tests/test_bg_drain.c — a task on a DRAINING instance whose replacement
 * finds no room during a blue/green, linear or canary deployment's stages
 * (docs/ecs-model.md §5.7, §5.15, choices E123, E192).
 *
 * The rule (§5.15, AWS UpdateContainerInstancesState): a DRAINING
 * instance's RUNNING service tasks are "stopped and replaced within the
 * service's minimumHealthyPercent / maximumPercent": below 100 ECS may stop
 * some before their replacements are healthy, at 100 it needs healthy
 * replacements first.  In the stages (E123) such a task is replaced first
 * and stopped once its revision has its target healthy without it; when its
 * replacement finds no capacity (a full cluster), it goes at once if its
 * revision keeps ceil(target × minimumHealthyPercent / 100) healthy tasks
 * without it (E192), as many as that floor allows; at 100 it stays until a
 * replacement is healthy.
 *
 * The cluster: four m5.large (2 vCPU each), tasks of 1 vCPU: blue's 4 and
 * green's 4 fill it.  Checked after every event: every healthy task on a
 * DRAINING instance the scheduler stopped while its revision lacked its
 * target healthy without it (an E192 stop) left its revision at least the
 * floor healthy, and came while the last launch had found no capacity; and
 * the whole-run invariants (tests/helpers/invariants.h); and no event past
 * the bake time finds the deployment in BAKE_TIME with green short, none
 * of its tasks starting, and the last launch without room (choice E194:
 * CLEAN_UP then, whose room takes green's replacement).  main's code kept
 * them until capacity appeared (for good in a cluster that stays full: the
 * instance never drained, a green task there held BAKE_TIME open). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/bgfull.h"
#include "helpers/invariants.h"
#include "helpers/runscn.h"
#include "helpers/svcobs.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"
#include "models/service_int.h"

static int setup(void)
{
	if (rs_setup())
		return 1;
	bgf_taskdefs("bgd");   /* blue, green, green without startPeriod */
	return 0;
}

/* The end of the bake time (s) of the test's run; 0: not checked. */
static double bake_end;
/* More of the scenario's controlPlane (a leading comma), or "". */
static const char *cp_extra = "";

/* Checked after every event. */
struct bgd {
	struct inv inv;
	int min_pct;
	long drain_stops;         /* E192 stops: on a DRAINING instance, revision short of its target healthy */
	long below_floor;         /* of them, healthy ones leaving the revision below its floor */
	long with_room;           /* of them, while the last launch had found capacity */
	long samples;
	int prev_wants;
	long bake_stuck;          /* events past bake_end in BAKE_TIME, green short, its last launch without room (E194) */
	long drain_unmarked;      /* scheduler stops of a task on a DRAINING instance not held for E237 */
	struct so_prev prev;      /* the tasks at the previous event */
};

static void bgd_observe(struct backplane *bp, void *ctx)
{
	struct bgd *c = ctx;
	struct svc *v;
	int64_t healthy[SO_DEPS];

	inv_observe(bp, &c->inv);
	if (!(v = so_service(bp)))
		return;
	so_by_dep(bp, v, healthy, NULL);
	c->samples++;
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = &bp->tasks[v->tasks[k]];
		unsigned was = so_was(&c->prev, v->tasks[k], t);

		if (!so_sched_stop(was, t) || !svc_on_draining(bp, t))
			continue;
		/* choice E237: a task the scheduler stops while its
		 * instance is DRAINING holds its room under maximumPercent
		 * until it has stopped, whoever stops it (a stage's pass too;
		 * the whole-run invariants check the service's count of them) */
		c->drain_unmarked += !t->svc_drained;
		if (v->bg.stage != BG_NONE) {
			int64_t target = so_stage_target(v, t->dep);

			if (healthy[t->dep] < target) {
				c->drain_stops++;
				c->below_floor += (was & SO_HEALTHY) && !(was & SO_UNHEALTHY) &&
						  healthy[t->dep] < so_pct_ceil(target, c->min_pct);
				c->with_room += !c->prev_wants;
			}
		}
	}
	so_record(&c->prev, bp, v);
	c->prev_wants = v->wants_capacity;
	/* choice E194: past the bake time, a green revision short of the
	 * desired count, none of its tasks starting, whose last launch found
	 * no capacity, does not keep the deployment in BAKE_TIME */
	if (bake_end > 0 && v->bg.stage == BG_BAKE && sim_now(backplane_sim(bp)) >= (sim_time_t)(bake_end * 1000) &&
	    v->wants_capacity) {
		int64_t good = 0, starting = 0;

		for (int k = 0; k < v->n_tasks; k++) {
			const struct task *t = &bp->tasks[v->tasks[k]];

			if (t->desired != TD_RUNNING || t->dep != v->bg.green || t->unhealthy || svc_on_draining(bp, t))
				continue;
			good++;
			starting += !t->healthy;
		}
		c->bake_stuck += good < v->desired && starting == 0;
	}
}

/* Run `name`: four m5.large, service s (web, desired 4) with the
 * deploymentConfiguration `dc` (minimumHealthyPercent `min_pct`), web:2
 * from `green_td`, the trace `rows`, under bgd_observe; the rules every
 * test holds are checked, and `stops` E192 stops. */
static void bgd_run(const char *name, const char *dc, int min_pct, const char *green_td, const char *rows, long stops,
		    struct bgd *c)
{
	char scn[64];

	memset(c, 0, sizeof *c);
	inv_init(&c->inv);
	c->min_pct = min_pct;
	bgf_write(name, "bgd", cp_extra, green_td, dc, rows);
	snprintf(scn, sizeof scn, "%s.json", name);
	CU_ASSERT_EQUAL_FATAL(rs_run(scn, name, NULL, bgd_observe, c), 0);
	inv_report(&c->inv, name);
	T_EQ(c->inv.violations, 0);
	CU_ASSERT(c->samples > 50);
	T_EQ(c->drain_stops, stops);
	T_EQ(c->below_floor, 0);
	T_EQ(c->with_room, 0);
	T_EQ(c->bake_stuck, 0);
	T_EQ(c->drain_unmarked, 0);
}

static void bgd_free(struct bgd *c)
{
	so_prev_free(&c->prev);
	inv_free(&c->inv);
}

/* The task's instance, the scheduler's stop and its times. */
static void stopped_at(const char *tag, const char *task, const char *inst, double deact, double stopped)
{
	int r = bgf_row_of(tag, task);

	if (r <= 0)
		return;
	RS_IS(tag, "tasks.csv", r, "instance_id", inst);
	RS_IS(tag, "tasks.csv", r, "stop_code", "ServiceSchedulerInitiated");
	T_NEAR(rs_num(tag, "tasks.csv", r, "deactivating_s"), deact);
	T_NEAR(rs_num(tag, "tasks.csv", r, "stopped_s"), stopped);
}

/* A replacement: its revision and launch instants. */
static void launched(const char *tag, const char *task, const char *td, double submit, double running)
{
	int r = bgf_row_of(tag, task);

	if (r <= 0)
		return;
	RS_IS(tag, "tasks.csv", r, "taskdef", td);
	T_NEAR(rs_num(tag, "tasks.csv", r, "submit_s"), submit);
	T_NEAR(rs_num(tag, "tasks.csv", r, "running_s"), running);
}

/* BLUE_GREEN, minimumHealthyPercent 50, ci-00001 drained during BAKE_TIME,
 * a cluster that stays full.
 * Blue task-1..4 RUNNING 13.75 on ci-00003, 00001, 00004, 00002; deploy at
 * 300: green task-5..8 RUNNING 313.75 (same order), healthy 323.75; the
 * pass at 333.75 shifts all traffic: BAKE_TIME to 453.75.  drain at 350:
 * ci-00001 holds task-2 (blue) and task-8 (green).  The pass at 360
 * launches task-9 (web) and task-10 (web:2): no CPU at 361.  Choice E192:
 * the pass schedulerDelay later, 371, stops task-2 and task-8 (each
 * revision keeps 3 healthy, floor ceil(4 × 50 %) = 2; at their agent
 * 371.5, STOPPED 374.5) and launches task-11, task-12 (no CPU at 372: the
 * room freed is on the DRAINING instance); heard 375, the pass at 385
 * launches task-13, task-14: no CPU at 386.  No pass follows (nothing left
 * to stop).  At 453.75 green is short (3 tasks) and its last launch,
 * task-14's, found no capacity: CLEAN_UP at once (choice E194), blue's
 * task-1, 3, 4 stopped (at their agent 454.25, STOPPED 457.25); the pass
 * schedulerDelay after CLEAN_UP, 463.75, launches task-15 (web:2) into
 * blue's room (placed 464.75, image cached: RUNNING 468.25, healthy
 * 478.25); the pass at 488.25 finds green steady: COMPLETED.  main's code
 * kept the deployment in BAKE_TIME for good (E183: CLEAN_UP waited for a
 * green steady that only CLEAN_UP's room could bring). */
static void test_bg_min50(void)
{
	struct bgd c;

	bake_end = 453.75;
	bgd_run("bgd-50", "{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":2,\"minimumHealthyPercent\":50}", 50, "bgd-hc2.json",
		"300,deploy,s,hc2,,,\n350,drain_instance,ci-00001,,,,\n", 2, &c);
	bake_end = 0;
	stopped_at("bgd-50", "task-2", "ci-00001", 371.5, 374.5);
	stopped_at("bgd-50", "task-8", "ci-00001", 371.5, 374.5);
	T_EQ(rs_rows("bgd-50", "placement_failures.csv"), 6);
	bgf_failure_is("bgd-50", 1, "task-9", 361);
	bgf_failure_is("bgd-50", 2, "task-10", 361);
	bgf_failure_is("bgd-50", 3, "task-11", 372);
	bgf_failure_is("bgd-50", 4, "task-12", 372);
	bgf_failure_is("bgd-50", 5, "task-13", 386);
	bgf_failure_is("bgd-50", 6, "task-14", 386);
	stopped_at("bgd-50", "task-1", "ci-00003", 454.25, 457.25);
	stopped_at("bgd-50", "task-3", "ci-00004", 454.25, 457.25);
	stopped_at("bgd-50", "task-4", "ci-00002", 454.25, 457.25);
	launched("bgd-50", "task-15", "web:2", 463.75, 468.25);
	T_NEAR(bgf_stage_at("bgd-50", "BAKE_TIME", 1), 333.75);
	T_NEAR(bgf_stage_at("bgd-50", "CLEAN_UP", 1), 453.75);
	T_NEAR(bgf_stage_at("bgd-50", "COMPLETED", 1), 488.25);
	T_EQ(rs_rows("bgd-50", "tasks.csv"), 9);    /* task-1..8, 15 */
	RS_IS("bgd-50", "services.csv", -1, "running", "4");
	RS_IS("bgd-50", "services.csv", -1, "healthy", "4");
	bgd_free(&c);
}

/* The same at minimumHealthyPercent 100: task-2 and task-8 stay (no
 * revision may lose a healthy task before its replacement is healthy), no
 * pass follows the failed launches of task-9 (web) and task-10 (web:2) at
 * 361; the instance stays DRAINING with them.  At 453.75 green is short
 * (3 tasks off the DRAINING instance) and its last launch, task-10's,
 * found no capacity: CLEAN_UP at once (choice E194), blue's task-1..4
 * stopped (task-2 too; at their agent 454.25, STOPPED 457.25); the pass at
 * 463.75 launches task-11 (web:2) into blue's room (RUNNING 468.25,
 * healthy 478.25); the pass at 488.25 stops task-8 (E123: green has its
 * target healthy without it; at its agent 488.75, STOPPED 491.75) and,
 * green steady, COMPLETED.  main's code kept the deployment in BAKE_TIME,
 * task-2 and task-8 on the DRAINING instance, for good. */
static void test_bg_min100(void)
{
	struct bgd c;

	bake_end = 453.75;
	bgd_run("bgd-100", "{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":2,\"minimumHealthyPercent\":100}",
		100, "bgd-hc2.json", "300,deploy,s,hc2,,,\n350,drain_instance,ci-00001,,,,\n", 0, &c);
	bake_end = 0;
	stopped_at("bgd-100", "task-2", "ci-00001", 454.25, 457.25);
	stopped_at("bgd-100", "task-1", "ci-00003", 454.25, 457.25);
	stopped_at("bgd-100", "task-8", "ci-00001", 488.75, 491.75);
	T_EQ(rs_rows("bgd-100", "placement_failures.csv"), 2);
	bgf_failure_is("bgd-100", 1, "task-9", 361);
	bgf_failure_is("bgd-100", 2, "task-10", 361);
	launched("bgd-100", "task-11", "web:2", 463.75, 468.25);
	T_NEAR(bgf_stage_at("bgd-100", "CLEAN_UP", 1), 453.75);
	T_NEAR(bgf_stage_at("bgd-100", "COMPLETED", 1), 488.25);
	T_EQ(rs_rows("bgd-100", "tasks.csv"), 9);    /* task-1..8, 11 */
	RS_IS("bgd-100", "services.csv", -1, "healthy", "4");
	bgd_free(&c);
}

/* The same with maximumPercent 100 and the desired count raised to 5 at
 * 489, after the deployment's end (COMPLETED 488.25), while task-8,
 * stopped by that last pass on the DRAINING instance, still stops
 * (STOPPED 491.75).  Choice E237 (§5.15, "max 100 means replacements start
 * only after draining tasks stop"): it holds its room until the service
 * hears it STOPPED, so the pass at 489.25 (UpdateService's latency) has
 * floor(5 × 100 %) − 4 live − 1 = 0 room and launches nothing; the pass
 * schedulerDelay after its STOPPED is heard (492.25) launches task-12 at
 * 502.25.  Checked after every event of every test here: each scheduler
 * stop of a task on a DRAINING instance is held so.  An earlier version counted
 * only the REPLICA pass's drain stops: the blue/green pass's stop was not
 * held, and task-12 was launched at 489.25, 5 tasks beside task-8. */
static void test_bg_drained_hold_room(void)
{
	struct bgd c;
	int r;

	bgd_run("bgd-max", "{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":2,\"minimumHealthyPercent\":100,"
		"\"maximumPercent\":100}", 100, "bgd-hc2.json",
		"300,deploy,s,hc2,,,\n350,drain_instance,ci-00001,,,,\n489,set_desired,s,,5,,\n", 0, &c);
	stopped_at("bgd-max", "task-8", "ci-00001", 488.75, 491.75);
	T_NEAR(bgf_stage_at("bgd-max", "COMPLETED", 1), 488.25);
	r = bgf_row_of("bgd-max", "task-12");
	if (r > 0) {
		RS_IS("bgd-max", "tasks.csv", r, "taskdef", "web:2");
		T_NEAR(rs_num("bgd-max", "tasks.csv", r, "submit_s"), 502.25);
	}
	RS_IS("bgd-max", "services.csv", -1, "running", "5");
	bgd_free(&c);
}

/* BLUE_GREEN, minimumHealthyPercent 100, ci-00001 fails for good at 385
 * during BAKE_TIME (333.75 to 453.75), heartbeats timing out after 60 s, no
 * jitter: the backplane notices at 445, blue's task-2 and green's task-8
 * there STOPPED; green is short at the bake's end, 453.75, but its
 * replacement is not yet tried: BAKE_TIME stays (E183).  The pass at 455
 * launches task-9 (web) and task-10 (web:2): no CPU at 456 (the three
 * instances left are full); task-10's failed launch past the bake time
 * starts CLEAN_UP at once (choice E194): blue's task-1, 3, 4 stopped (at
 * their agent 456.5, STOPPED 459.5); the pass at 466 launches task-11
 * (web:2) into their room (placed 467, RUNNING 470.5, healthy 480.5); the
 * pass at 490.5 finds green steady: COMPLETED.  main's code kept the
 * deployment in BAKE_TIME for good. */
static void test_bg_lost_after_bake(void)
{
	struct bgd c;

	bake_end = 453.75;
	cp_extra = ",\"heartbeatTimeoutSeconds\":60,\"heartbeatJitterSeconds\":0";
	bgd_run("bgd-lost", "{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":2,\"minimumHealthyPercent\":100}",
		100, "bgd-hc2.json", "300,deploy,s,hc2,,,\n385,instance_fail,ci-00001,,,,\n", 0, &c);
	bake_end = 0;
	cp_extra = "";
	T_NEAR(rs_num("bgd-lost", "tasks.csv", bgf_row_of("bgd-lost", "task-8"), "stopped_s"), 445);
	T_NEAR(rs_num("bgd-lost", "tasks.csv", bgf_row_of("bgd-lost", "task-2"), "stopped_s"), 445);
	T_EQ(rs_rows("bgd-lost", "placement_failures.csv"), 2);
	bgf_failure_is("bgd-lost", 1, "task-9", 456);
	bgf_failure_is("bgd-lost", 2, "task-10", 456);
	stopped_at("bgd-lost", "task-1", "ci-00003", 456.5, 459.5);
	stopped_at("bgd-lost", "task-3", "ci-00004", 456.5, 459.5);
	stopped_at("bgd-lost", "task-4", "ci-00002", 456.5, 459.5);
	launched("bgd-lost", "task-11", "web:2", 466, 470.5);
	T_NEAR(bgf_stage_at("bgd-lost", "BAKE_TIME", 1), 333.75);
	T_NEAR(bgf_stage_at("bgd-lost", "CLEAN_UP", 1), 456);
	T_NEAR(bgf_stage_at("bgd-lost", "COMPLETED", 1), 490.5);
	RS_IS("bgd-lost", "services.csv", -1, "running", "4");
	RS_IS("bgd-lost", "services.csv", -1, "healthy", "4");
	bgd_free(&c);
}

/* LINEAR 25 % a minute, minimumHealthyPercent 75 (floor ceil(4 × 75 %) =
 * 3), ci-00001 and ci-00002 drained at 350 during the shifts (333.75,
 * 393.75, 453.75, 513.75; BAKE_TIME to 573.75): they hold task-2, task-8
 * and task-4, task-6.  The pass at 360 launches task-9, 10 (web) and
 * task-11, 12 (web:2): no CPU at 361.  The pass at 371 stops one task of
 * each revision, task-2 (blue) and task-6 (green), the first of each in the
 * service's task list (each revision 4 → 3 healthy, the floor; at their
 * agent 371.5, STOPPED 374.5), and keeps task-4 and task-8 (3 − 1 < 3);
 * its launches task-13..16 find no CPU at 372, and so do task-17..20 at
 * 386 (the pass after the stops, heard 375).  Two m5.large register at
 * 500: the pass at 510 launches task-21, 22 (web) and task-23, 24 (web:2)
 * there (RUNNING 523.5, healthy 533.5); the pass at 543.5 stops task-4 and
 * task-8 (E123: each revision has 4 healthy without them; STOPPED 547).
 * The shifts keep their times; CLEAN_UP at 573.75, COMPLETED at 583.75,
 * its pass, once blue's tasks have stopped (choice E241).  main's
 * code kept all four until 543.5. */
static void test_linear_min75(void)
{
	struct bgd c;

	bgd_run("bgd-75", "{\"strategy\":\"LINEAR\",\"bakeTimeInMinutes\":1,\"minimumHealthyPercent\":75,"
		"\"linearConfiguration\":{\"stepPercent\":25,\"stepBakeTimeInMinutes\":1}}", 75, "bgd-hc2.json",
		"300,deploy,s,hc2,,,\n350,drain_instance,ci-00001,,,,\n350,drain_instance,ci-00002,,,,\n"
		"500,register_instance,m5.large,,2,,us-east-1a\n", 2, &c);
	stopped_at("bgd-75", "task-2", "ci-00001", 371.5, 374.5);
	stopped_at("bgd-75", "task-6", "ci-00002", 371.5, 374.5);
	stopped_at("bgd-75", "task-4", "ci-00002", 544, 547);
	stopped_at("bgd-75", "task-8", "ci-00001", 544, 547);
	T_EQ(rs_rows("bgd-75", "placement_failures.csv"), 12);
	for (int k = 0; k < 4; k++) {
		char id[24];

		snprintf(id, sizeof id, "task-%d", 9 + k);
		bgf_failure_is("bgd-75", 1 + k, id, 361);
		snprintf(id, sizeof id, "task-%d", 13 + k);
		bgf_failure_is("bgd-75", 5 + k, id, 372);
		snprintf(id, sizeof id, "task-%d", 17 + k);
		bgf_failure_is("bgd-75", 9 + k, id, 386);
	}
	launched("bgd-75", "task-21", "web", 510, 523.5);
	launched("bgd-75", "task-22", "web", 510, 523.5);
	launched("bgd-75", "task-23", "web:2", 510, 523.5);
	launched("bgd-75", "task-24", "web:2", 510, 523.5);
	for (int k = 1; k <= 4; k++)
		T_NEAR(bgf_stage_at("bgd-75", "PRODUCTION_TRAFFIC_SHIFT", k), 333.75 + 60.0 * (k - 1));
	T_NEAR(bgf_stage_at("bgd-75", "CLEAN_UP", 1), 573.75);
	T_NEAR(bgf_stage_at("bgd-75", "COMPLETED", 1), 583.75);
	RS_IS("bgd-75", "services.csv", -1, "healthy", "4");
	bgd_free(&c);
}

/* CANARY 10 % for a minute, minimumHealthyPercent 100, green's task-8
 * UNHEALTHY on ci-00001 when it drains.  Deploy at 300: green task-5..8
 * RUNNING 313.75 (task-8 on ci-00001 with blue's task-2), checks at
 * x3.75; task-8 fails from 310: UNHEALTHY at 343.75, task-5..7 healthy at
 * 323.75.  ci-00001 drains at 350; the pass at 353.75 (after the mark)
 * launches task-9 (web, for task-2) and task-10 (web:2): no CPU at 354.75.
 * E185 does not stop task-8 (on a DRAINING instance); E192 does: the pass
 * at 364.75 stops it (unhealthy: it lowers no healthy count, whatever the
 * floor; at its agent 365.25, STOPPED 368.25) and keeps task-2 (blue's
 * floor is its target, 4: 4 − 1 < 4); task-11, 12 find no CPU at 365.75,
 * task-13, 14 at 379.75 (the pass after the stop, heard 368.75).  An
 * m5.large registers at 500: the pass at 510 launches task-15 (web) and
 * task-16 (web:2) there (RUNNING 523.5, healthy 533.5); the pass at 543.5
 * stops task-2 (E123: blue has 4 healthy without it; STOPPED 547) and,
 * green at 4 healthy, shifts 10 %, then 100 % at 603.5; CLEAN_UP at
 * 663.5, COMPLETED at its pass, 673.5, blue stopped (E241).  main's code kept task-8 until 543.5, stopped with task-2 (no
 * pass followed the failed launches: the unhealthy task was on a DRAINING
 * instance, which E185 leaves to E123). */
static void test_canary_unhealthy_min100(void)
{
	struct bgd c;
	int r;

	bgd_run("bgd-cu", "{\"strategy\":\"CANARY\",\"bakeTimeInMinutes\":1,\"minimumHealthyPercent\":100,"
		"\"canaryConfiguration\":{\"canaryPercent\":10,\"canaryBakeTimeInMinutes\":1}}", 100, "bgd-hc2n.json",
		"300,deploy,s,hc2,,,\n310,health_check_fail,task-8,,,,\n350,drain_instance,ci-00001,,,,\n"
		"500,register_instance,m5.large,,1,,us-east-1a\n", 1, &c);
	stopped_at("bgd-cu", "task-8", "ci-00001", 365.25, 368.25);
	r = bgf_row_of("bgd-cu", "task-8");
	RS_IS("bgd-cu", "tasks.csv", r, "stopped_reason", "Task failed container health checks");
	stopped_at("bgd-cu", "task-2", "ci-00001", 544, 547);
	T_EQ(rs_rows("bgd-cu", "placement_failures.csv"), 6);
	bgf_failure_is("bgd-cu", 1, "task-9", 354.75);
	bgf_failure_is("bgd-cu", 2, "task-10", 354.75);
	bgf_failure_is("bgd-cu", 3, "task-11", 365.75);
	bgf_failure_is("bgd-cu", 4, "task-12", 365.75);
	bgf_failure_is("bgd-cu", 5, "task-13", 379.75);
	bgf_failure_is("bgd-cu", 6, "task-14", 379.75);
	launched("bgd-cu", "task-15", "web", 510, 523.5);
	launched("bgd-cu", "task-16", "web:2", 510, 523.5);
	T_NEAR(bgf_stage_at("bgd-cu", "TEST_TRAFFIC_SHIFT", 1), 543.5);
	T_NEAR(bgf_stage_at("bgd-cu", "PRODUCTION_TRAFFIC_SHIFT", 1), 543.5);
	T_NEAR(bgf_stage_at("bgd-cu", "PRODUCTION_TRAFFIC_SHIFT", 2), 603.5);
	T_NEAR(bgf_stage_at("bgd-cu", "CLEAN_UP", 1), 663.5);
	T_NEAR(bgf_stage_at("bgd-cu", "COMPLETED", 1), 673.5);
	RS_IS("bgd-cu", "services.csv", -1, "healthy", "4");
	bgd_free(&c);
}

static CU_TestInfo bgd_tests[] = {
	{ "BLUE_GREEN, full cluster, min 50: the drained instance's tasks go within the floor (E192)",
	  test_bg_min50 },
	{ "BLUE_GREEN, full cluster, min 100: they stay until their replacements are healthy (E123, E192)",
	  test_bg_min100 },
	{ "BLUE_GREEN, min 100, max 100: a task its pass stopped on the drained instance holds its room past the deployment (E237)",
	  test_bg_drained_hold_room },
	{ "BLUE_GREEN, full cluster: green's task lost in BAKE_TIME, its replacement without room after the bake: CLEAN_UP then (E194)",
	  test_bg_lost_after_bake },
	{ "LINEAR, full cluster, min 75, two instances drained: one task of each revision goes, the floor (E192)",
	  test_linear_min75 },
	{ "CANARY, full cluster, min 100: an unhealthy task on the drained instance goes, a healthy one stays (E192)",
	  test_canary_unhealthy_min100 },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "tasks on a DRAINING instance with no room during blue/green, linear and canary stages", setup,
	  rs_teardown, NULL, NULL, bgd_tests },
	CU_SUITE_INFO_NULL,
};
