/* tests/test_bg_spot_drain.c — a Spot interruption during a blue/green,
 * linear or canary deployment's stages (docs/ecs-model.md §5.7, §5.13,
 * §5.15, choices E123, E192, E237): the tasks on the DRAINING instance go
 * first.  A revision's task on a DRAINING instance is replaced, and stopped
 * once its revision has its target healthy without it (E123), or, with no
 * room for its replacement, within its revision's minimumHealthyPercent
 * floor (E192); a lower desired count during the stages is met by the
 * tasks elsewhere (the tasks on a DRAINING instance count toward no
 * target), the drained ones going once it is healthy without them, not a
 * healthy task elsewhere in their stead.  The rolling pass's rule
 * (tests/test_rolling_drain.c): the room a stop frees goes to the tasks
 * whose instance is leaving, a Spot instance's being lost with it at the
 * reclaim.
 *
 * Checked after every event, in each run: the scheduler never stops a
 * healthy task of a revision on an instance that is not DRAINING while a
 * task of that revision on a DRAINING instance is still live; every
 * healthy task on a DRAINING instance it stops while its revision lacks
 * its target healthy without it leaves the revision at least its floor
 * (E192); the whole-run invariants hold.  And with room for the
 * replacements, no task is lost to the reclaim: each on the Spot instance
 * is stopped by the scheduler before it.
 *
 * The cluster: one Spot m5.large with Spot draining (ci-00001, its own
 * notice never within the run: the trace's spot_interruption gives it;
 * DRAINING within the agent's 1-s poll, terminated 120 s after the notice)
 * and on-demand m5.large in the same zone, 1 vCPU a task (two a host),
 * desired 4, blue (web) from 0 s, green (web:2) deployed at 300 s. */
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
	bgf_taskdefs("bsd");   /* blue, green, green without startPeriod */
	return 0;
}

/* The instance groups: ci-00001 the Spot instance, then `n_od` on-demand
 * ones (the binpack layout: two on-demand, the Spot ci-00003, two more). */
#define SPOT_GROUP "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1," \
	"\"spot\":{\"draining\":true,\"timeToInterruptionSeconds\":100000}}"
#define OD_GROUP(n) "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":" #n "}"

/* <name>.json and <name>.csv: the instance groups `groups`, the service's
 * members `more` ("" or ",\"...\":..."), its deploymentConfiguration
 * `dc`, the trace `rows`. */
static void bsd_write(const char *name, const char *groups, const char *more, const char *dc, const char *rows)
{
	bgf_write_in(name, "bsd", "", groups, "\"placement\":{\"tieBreak\":\"first\"},", "bsd-hc2.json", more, dc, rows);
}

/* Checked after every event. */
struct bsd {
	struct inv inv;
	int min_pct;
	long samples;
	long staged;              /* events in the deployment's stages */
	long drained_seen;        /* events with a live task on a DRAINING instance */
	long elsewhere_first;     /* scheduler stops of a healthy task off a DRAINING instance while one
				   * of its revision on a DRAINING instance stays live */
	long below_floor;         /* scheduler stops of a healthy task on a DRAINING instance, its revision
				   * short of its target healthy and left below its floor */
	struct so_prev prev;      /* the tasks at the previous event */
};

static void bsd_observe(struct backplane *bp, void *ctx)
{
	struct bsd *c = ctx;
	struct svc *v;
	int64_t healthy[SO_DEPS], drained_live[SO_DEPS];

	inv_observe(bp, &c->inv);
	if (!(v = so_service(bp)))
		return;
	so_by_dep(bp, v, healthy, drained_live);
	c->samples++;
	c->staged += v->bg.stage != BG_NONE;
	for (int d = 0; d < v->n_deps; d++)
		if (drained_live[d]) {
			c->drained_seen++;
			break;
		}
	for (int k = 0; k < v->n_tasks; k++) {
		const struct task *t = &bp->tasks[v->tasks[k]];
		unsigned was = so_was(&c->prev, v->tasks[k], t);

		/* live and healthy (not unhealthy) at the previous event */
		if (!so_sched_stop(was, t) || !(was & SO_HEALTHY) || (was & SO_UNHEALTHY))
			continue;
		if (!so_on_draining(bp, t)) {
			c->elsewhere_first += drained_live[t->dep] > 0;
		} else if (v->bg.stage != BG_NONE) {
			int64_t target = so_stage_target(v, t->dep);

			c->below_floor += healthy[t->dep] < target && healthy[t->dep] < so_pct_ceil(target, c->min_pct);
		}
	}
	so_record(&c->prev, bp, v);
}

/* Run `name` under bsd_observe; the rules every run holds are checked.
 * `spot_lost`: the tasks the reclaim is expected to take (0 when there is
 * room for every replacement); `healthy`: the service's healthy count at
 * the end. */
static void bsd_run(const char *name, const char *groups, const char *more, const char *spot, const char *dc,
		    int min_pct, const char *rows, int spot_lost, const char *healthy)
{
	struct bsd c;
	char scn[64];
	int n, on_spot = 0;

	memset(&c, 0, sizeof c);
	inv_init(&c.inv);
	c.min_pct = min_pct;
	bsd_write(name, groups, more, dc, rows);
	snprintf(scn, sizeof scn, "%s.json", name);
	CU_ASSERT_EQUAL_FATAL(rs_run(scn, name, NULL, bsd_observe, &c), 0);
	inv_report(&c.inv, name);
	T_EQ(c.inv.violations, 0);
	CU_ASSERT(c.samples > 50);
	/* the premise: a deployment's stages, a task of it on the DRAINING
	 * instance during them */
	CU_ASSERT(c.staged > 0);
	CU_ASSERT(c.drained_seen > 0);
	/* the drained tasks first (§5.15), within the floor (E192) */
	T_EQ(c.elsewhere_first, 0);
	T_EQ(c.below_floor, 0);
	/* with room for the replacements none is lost with its instance */
	T_EQ(rs_count(name, "tasks.csv", "stop_code", STOP_SPOT), spot_lost);
	n = rs_rows(name, "tasks.csv");
	for (int r = 1; r <= n; r++) {
		char *inst = rs_cell(name, "tasks.csv", r, "instance_id");

		on_spot += inst && strcmp(inst, spot) == 0;
		free(inst);
	}
	CU_ASSERT(on_spot > 0);
	RS_IS(name, "services.csv", -1, "healthy", healthy);
	T_EQ(bgf_stage_at(name, "COMPLETED", 1) > 0, 1);
	so_prev_free(&c.prev);
	inv_free(&c.inv);
}

/* Four on-demand hosts beside the Spot one: 10 vCPU for 8 tasks, room
 * for every replacement. */
#define ROOMY SPOT_GROUP "," OD_GROUP(4)
/* Three: 8 vCPU for 8 tasks, a full cluster. */
#define FULL SPOT_GROUP "," OD_GROUP(3)

/* BLUE_GREEN, min 100, room for every replacement.  Blue task-1..4 one a
 * host from ci-00001 (the Spot one), green task-5..8 RUNNING 313.75
 * (task-6 on ci-00001); the notice at 318, during SCALE_UP (green not yet
 * healthy): the pass at 328.152 launches task-9 (web) and task-10 (web:2)
 * for task-1 and task-6; once they are healthy, task-1 and task-6 go
 * (356.152, E123), long before the reclaim at 438; SCALE_UP ends with
 * green's four off the DRAINING instance healthy. */
static void test_bg_scale_up(void)
{
	bsd_run("bsd-bg-su", ROOMY, "", "ci-00001",
		"{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":2,\"minimumHealthyPercent\":100}", 100,
		"300,deploy,s,hc2,,,\n318,spot_interruption,ci-00001,,,,\n", 0, "4");
}

/* BLUE_GREEN, min 50, the notice at 360 in BAKE_TIME: task-9 (web) and
 * task-10 (web:2) launched at 370.152 for task-1 and task-6, RUNNING
 * 374.652; the desired count lowered to 3 at 380, while they are not yet
 * healthy: each revision has 3 healthy off the DRAINING instance, its new
 * target, so the pass stops task-1 and task-6 (E123) and the two
 * replacements (above the target, the not healthy first), not a healthy
 * task elsewhere. */
static void test_bg_bake_scale_in(void)
{
	bsd_run("bsd-bg-si", ROOMY, "", "ci-00001",
		"{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":3,\"minimumHealthyPercent\":50}", 50,
		"300,deploy,s,hc2,,,\n360,spot_interruption,ci-00001,,,,\n380,set_desired,s,,3,,\n", 0, "3");
}

/* BLUE_GREEN, min 100, binpack on CPU: blue's four on ci-00001 and
 * ci-00002, green's on the Spot ci-00003 (task-5, task-6) and ci-00004.
 * The notice at 360 in BAKE_TIME: task-9 and task-10 (web:2) launched for
 * them on ci-00005 (RUNNING 383.652); the desired count lowered to 3 at
 * 385, before they are healthy: green has 4 tasks off the DRAINING
 * instance, 2 healthy, so one goes by the scale-in rule (task-10) and the
 * drained two stay until green has 3 healthy without them. */
static void test_bg_two_drained_scale_in(void)
{
	bsd_run("bsd-bg-2", OD_GROUP(2) "," SPOT_GROUP "," OD_GROUP(2),
		",\"placementStrategy\":[{\"type\":\"binpack\",\"field\":\"cpu\"}]", "ci-00003",
		"{\"strategy\":\"BLUE_GREEN\",\"bakeTimeInMinutes\":3,\"minimumHealthyPercent\":100}", 100,
		"300,deploy,s,hc2,,,\n360,spot_interruption,ci-00003,,,,\n385,set_desired,s,,3,,\n", 0, "3");
}

/* LINEAR 25 % a minute, min 75, the notice at 400 between shifts (333.75,
 * 393.75, ...): task-9 (web) and task-10 (web:2) launched at 410.152 for
 * task-1 and task-6; the desired count lowered to 3 at 415: the drained
 * two and the replacements go (418.75), as above. */
static void test_linear_scale_in(void)
{
	bsd_run("bsd-lin", ROOMY, "", "ci-00001",
		"{\"strategy\":\"LINEAR\",\"bakeTimeInMinutes\":1,\"minimumHealthyPercent\":75,"
		"\"linearConfiguration\":{\"stepPercent\":25,\"stepBakeTimeInMinutes\":1}}", 75,
		"300,deploy,s,hc2,,,\n400,spot_interruption,ci-00001,,,,\n415,set_desired,s,,3,,\n", 0, "3");
}

/* CANARY 10 % for two minutes, min 50, a full cluster: the notice at 345
 * during the canary's bake; the replacements of task-1 (web) and task-5
 * (web:2) find no room, so the drained two go within their revisions'
 * floor (E192, 369.652), before the reclaim at 465; green's replacement
 * finds room once CLEAN_UP has stopped blue. */
static void test_canary_full(void)
{
	bsd_run("bsd-can", FULL, "", "ci-00001",
		"{\"strategy\":\"CANARY\",\"bakeTimeInMinutes\":1,\"minimumHealthyPercent\":50,"
		"\"canaryConfiguration\":{\"canaryPercent\":10,\"canaryBakeTimeInMinutes\":2}}", 50,
		"300,deploy,s,hc2,,,\n345,spot_interruption,ci-00001,,,,\n", 0, "4");
}

static CU_TestInfo bsd_tests[] = {
	{ "BLUE_GREEN, min 100, Spot notice in SCALE_UP: the drained tasks replaced and stopped before the reclaim",
	  test_bg_scale_up },
	{ "BLUE_GREEN, min 50, Spot notice in BAKE_TIME, scale-in: the drained tasks go first", test_bg_bake_scale_in },
	{ "BLUE_GREEN, min 100, binpack, two green tasks drained, scale-in: no healthy task elsewhere goes",
	  test_bg_two_drained_scale_in },
	{ "LINEAR, min 75, Spot notice between shifts, scale-in: the drained tasks go first", test_linear_scale_in },
	{ "CANARY, min 50, full cluster, Spot notice in the canary bake: the drained tasks go within the floor (E192)",
	  test_canary_full },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "a Spot interruption during blue/green, linear and canary stages: drained tasks first", setup, rs_teardown,
	  NULL, NULL, bsd_tests },
	CU_SUITE_INFO_NULL,
};
