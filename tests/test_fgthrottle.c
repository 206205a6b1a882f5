/* tests/test_fgthrottle.c — the Fargate task launch token bucket
 * (docs/ecs-model.md §7.6, choice E119): "task launch bucket 100 burst / 20
 * per second (On-Demand and Spot separately)".  Each case runs a scenario
 * and checks after every event, for each class (FARGATE, FARGATE_SPOT), that
 * the launches (placements) in any interval [a, b] are at most
 * burst + rate × (b − a), and asserts what the bucket implies:
 *
 *   - a service of 300 Fargate tasks: 100 launched at once, the other 200
 *     at 20 a second (no sooner than 10 s after the first, and not much
 *     later), the refused ones placement failures THROTTLED (one row per
 *     service per refusing instant, choice E148), all 300 RUNNING;
 *   - with the default schedulerDelaySeconds (10 s) a throttled service's
 *     retries come 10 s after a token is due: batches of 100 every
 *     11.05 s (choice E203);
 *   - FARGATE and FARGATE_SPOT have a bucket each: 100 of each at once;
 *   - RunTask: a trace row of 150 tasks launches 100 at once, the other 50
 *     wait (pending.mode wait) and go one per token, or fail at once
 *     (pending.mode fail);
 *   - launchBurst / launchesPerSecond change the bucket; launchesPerSecond 0
 *     is no limit (300 at once, as before);
 *   - bad values are refused with the file and the JSON path. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane_int.h"

#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("tiny.json", "{\"family\":\"tiny\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
		 "\"cpu\":\"256\",\"memory\":\"512\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\","
		 "\"essential\":true}]}");
	return 0;
}

/* The Fargate launches of each class, seen after every event: a task whose
 * PROVISIONING time is set and whose slot (and generation) was not counted
 * yet is a launch at that time. */
struct obs {
	int64_t burst, rate;       /* the bound: burst + rate/s */
	uint32_t *seen;            /* gen + 1 of the counted task in each slot */
	size_t n_seen;
	sim_time_t *at[2];         /* launch times, FARGATE and FARGATE_SPOT */
	int n[2], cap[2];
	int samples, over;         /* events where an interval held too many */
};

static void obs_init(struct obs *o, int64_t burst, int64_t rate)
{
	memset(o, 0, sizeof *o);
	o->burst = burst;
	o->rate = rate;
}

static void obs_free(struct obs *o)
{
	free(o->seen);
	free(o->at[0]);
	free(o->at[1]);
}

static void observe(struct backplane *bp, void *ctx)
{
	struct obs *o = ctx;
	sim_time_t now = sim_now(bp->sim);
	int fresh[2] = { 0, 0 };

	if (bp->n_tasks > o->n_seen) {
		o->seen = realloc(o->seen, bp->n_tasks * sizeof *o->seen);
		memset(o->seen + o->n_seen, 0, (bp->n_tasks - o->n_seen) * sizeof *o->seen);
		o->n_seen = bp->n_tasks;
	}
	for (size_t i = 0; i < bp->n_tasks; i++) {
		const struct task *t = &bp->tasks[i];
		int k;

		if (!t->used || !t->fg || t->ts[TS_PROVISIONING] < 0 || o->seen[i] == t->gen + 1)
			continue;
		o->seen[i] = t->gen + 1;
		k = t->fg == TL_FARGATE_SPOT;
		if (o->n[k] == o->cap[k]) {
			o->cap[k] = o->cap[k] ? o->cap[k] * 2 : 1024;
			o->at[k] = realloc(o->at[k], (size_t)o->cap[k] * sizeof *o->at[k]);
		}
		o->at[k][o->n[k]++] = t->ts[TS_PROVISIONING];
		fresh[k] = 1;
	}
	o->samples++;
	/* every interval [a, now] ending at a new launch: a launch is at an
	 * event's time, so this checks every interval; in thousandths of a
	 * token: 1000 × count ≤ 1000 × burst + rate × (now − a) ms */
	for (int k = 0; k < 2; k++) {
		int64_t c = 0;

		if (!fresh[k] || o->rate <= 0)
			continue;
		for (int i = o->n[k] - 1; i >= 0; i--) {
			c++;
			if (1000 * c > 1000 * o->burst + o->rate * (now - o->at[k][i])) {
				o->over++;
				break;
			}
		}
	}
}

static int launched_at(const struct obs *o, int k, sim_time_t when)
{
	int c = 0;

	for (int i = 0; i < o->n[k]; i++)
		c += o->at[k][i] == when;
	return c;
}

static sim_time_t last_launch(const struct obs *o, int k)
{
	sim_time_t m = -1;

	for (int i = 0; i < o->n[k]; i++)
		if (o->at[k][i] > m)
			m = o->at[k][i];
	return m;
}

static sim_time_t first_launch(const struct obs *o, int k)
{
	sim_time_t m = -1;

	for (int i = 0; i < o->n[k]; i++)
		if (m < 0 || o->at[k][i] < m)
			m = o->at[k][i];
	return m;
}

static int count_reason(const char *tag, const char *reason)
{
	int n = rs_rows(tag, "placement_failures.csv"), k = 0;

	for (int r = 1; r <= n; r++) {
		char *v = rs_cell(tag, "placement_failures.csv", r, "reason");

		k += v && strcmp(v, reason) == 0;
		free(v);
	}
	return k;
}

/* THROTTLED rows of placement_failures.csv with the same (time_s, group)
 * as an earlier one. */
static int throttled_dups(const char *tag)
{
	int n = rs_rows(tag, "placement_failures.csv"), dups = 0;
	char (*key)[160] = calloc((size_t)n + 1, sizeof *key);
	int nk = 0;

	for (int r = 1; r <= n; r++) {
		char *v = rs_cell(tag, "placement_failures.csv", r, "reason");
		char *t = rs_cell(tag, "placement_failures.csv", r, "time_s");
		char *g = rs_cell(tag, "placement_failures.csv", r, "group");

		if (v && t && g && strcmp(v, "THROTTLED") == 0) {
			char k[160];
			int seen = 0;

			snprintf(k, sizeof k, "%s|%s", t, g);
			for (int i = 0; i < nk && !seen; i++)
				seen = strcmp(key[i], k) == 0;
			if (seen)
				dups++;
			else
				snprintf(key[nk++], sizeof key[0], "%s", k);
		}
		free(v);
		free(t);
		free(g);
	}
	free(key);
	return dups;
}

/* Instants with THROTTLED rows of both groups a and b. */
static int throttled_both(const char *tag, const char *a, const char *b)
{
	int n = rs_rows(tag, "placement_failures.csv"), both = 0;
	char last_a[32] = "";

	for (int r = 1; r <= n; r++) {
		char *v = rs_cell(tag, "placement_failures.csv", r, "reason");
		char *t = rs_cell(tag, "placement_failures.csv", r, "time_s");
		char *g = rs_cell(tag, "placement_failures.csv", r, "group");

		if (v && t && g && strcmp(v, "THROTTLED") == 0) {
			if (strcmp(g, a) == 0)
				snprintf(last_a, sizeof last_a, "%s", t);
			else if (strcmp(g, b) == 0 && strcmp(t, last_a) == 0)
				both++;
		}
		free(v);
		free(t);
		free(g);
	}
	return both;
}

/* One scenario: three AZs, no instance, a constant 10 s provisioning;
 * `fargate` adds to $.fargate, `rest` ends the object (services, workload,
 * pending). */
static void write_scn(const char *file, const char *name, const char *fargate, const char *rest)
{
	char buf[4096];

	snprintf(buf, sizeof buf,
		 "{\"name\":\"%s\",\"durationSeconds\":300,\"seed\":5,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"schedulerDelaySeconds\":1},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"],"
		 "\"taskDefinitions\":{\"tiny\":\"tiny.json\"},"
		 "\"fargate\":{\"provisioningSeconds\":10%s},%s}",
		 name, fargate, rest);
	rs_write(file, buf);
}

#define SVC(n, extra) "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"tiny\"," \
	"\"desiredCount\":" #n extra "}]"

/* 300 tasks of one service at once: the bucket's 100 at the first launch
 * instant, then 20 a second: the last of the other 200 no sooner than
 * 200 / 20 = 10 s after the first, and (a pass 1 s after each token is due,
 * placed 1 s later) not much later; the refused launches are THROTTLED and
 * the service gets all 300 RUNNING. */
static void test_service_300(void)
{
	struct obs o;
	sim_time_t t0, t1;

	obs_init(&o, 100, 20000);
	write_scn("s300.json", "s300", "", SVC(300, ",\"launchType\":\"FARGATE\""));
	CU_ASSERT_EQUAL_FATAL(rs_run("s300.json", "s300", NULL, observe, &o), 0);
	CU_ASSERT(o.samples > 100);
	T_EQ(o.over, 0);
	T_EQ(o.n[0], 300);
	T_EQ(o.n[1], 0);
	t0 = first_launch(&o, 0);
	t1 = last_launch(&o, 0);
	T_EQ(launched_at(&o, 0, t0), 100);
	CU_ASSERT(t1 - t0 >= 10000);
	CU_ASSERT(t1 - t0 <= 13000);
	/* one THROTTLED row per refusing instant (choice E148): 200 refused at
	 * the first, then each pass (a token due, its pass 1 s later, placed
	 * 1 s after it: 2.05 s apart, 41 tokens a batch) refuses 159, 118, 77,
	 * 36, and the sixth lets the last 36 through: 5 rows (on main, one per
	 * refused launch: 590) */
	T_EQ(count_reason("s300", "THROTTLED"), 5);
	T_EQ(throttled_dups("s300"), 0);
	RS_IS("s300", "services.csv", -1, "running", "300");
	T_EQ(rs_rows("s300", "tasks.csv"), 300);
	obs_free(&o);
}

/* A throttled service retries at its next pass, schedulerDelaySeconds D
 * after the next token is due (choice E203; reference: "retry on the next
 * scheduler tick"), its launches placementLatencySeconds L after that: by
 * then the bucket holds min(burst, 1 + rate × (D + L)) tokens, so the
 * service launches batches of that size every 1/rate + D + L seconds.
 * With the defaults (D 10 s, L 1 s, burst 100, 20/s) 300 tasks go 100 at
 * the first launch, 100 at 11.05 s after it and 100 at 22.1 s (a service's
 * throughput 100 / 11.05 s = 9.05 a second, while a RunTask task waiting
 * for a token is retried when it is due: 20 a second); the bound
 * burst + rate × (b − a) holds at every event. */
static void test_service_default_delay(void)
{
	struct obs o;
	sim_time_t t0;
	char buf[1024];

	obs_init(&o, 100, 20000);
	snprintf(buf, sizeof buf,
		 "{\"name\":\"sd\",\"durationSeconds\":300,\"seed\":5,"
		 "\"controlPlane\":{\"placementLatencySeconds\":1,\"schedulerDelaySeconds\":10},"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\"],"
		 "\"taskDefinitions\":{\"tiny\":\"tiny.json\"},"
		 "\"fargate\":{\"provisioningSeconds\":10},%s}", SVC(300, ",\"launchType\":\"FARGATE\""));
	rs_write("sd.json", buf);
	CU_ASSERT_EQUAL_FATAL(rs_run("sd.json", "sd", NULL, observe, &o), 0);
	T_EQ(o.over, 0);
	T_EQ(o.n[0], 300);
	t0 = first_launch(&o, 0);
	T_EQ(launched_at(&o, 0, t0), 100);
	/* 1/rate + D + L = 50 + 10000 + 1000 ms */
	T_EQ(launched_at(&o, 0, t0 + 11050), 100);
	T_EQ(launched_at(&o, 0, t0 + 22100), 100);
	T_EQ(count_reason("sd", "THROTTLED"), 2);
	RS_IS("sd", "services.csv", -1, "running", "300");
	obs_free(&o);
}

/* Two services of 150 Fargate tasks created together (choice E148): their
 * passes launch at the same instant, the bucket's 100 go to the first,
 * the other 200 are refused: one THROTTLED row for each service at that
 * instant (they are two services' events), never two for one service at
 * one instant, and every task RUNNING in the end. */
static void test_two_services_rows(void)
{
	struct obs o;

	obs_init(&o, 100, 20000);
	write_scn("two.json", "two", "",
		  "\"services\":[{\"serviceName\":\"a\",\"taskDefinition\":\"tiny\",\"desiredCount\":150,"
		  "\"launchType\":\"FARGATE\"},{\"serviceName\":\"b\",\"taskDefinition\":\"tiny\","
		  "\"desiredCount\":150,\"launchType\":\"FARGATE\"}]");
	CU_ASSERT_EQUAL_FATAL(rs_run("two.json", "two", NULL, observe, &o), 0);
	T_EQ(o.over, 0);
	T_EQ(o.n[0], 300);
	T_EQ(throttled_dups("two"), 0);
	CU_ASSERT(throttled_both("two", "service:a", "service:b") >= 1);
	/* a few passes each, not one row per refused launch (300 - 100 at the
	 * first instant alone) */
	CU_ASSERT(count_reason("two", "THROTTLED") <= 20);
	obs_free(&o);
}

/* FARGATE and FARGATE_SPOT have a bucket each: 200 tasks split 1:1 over
 * the two providers launch 100 of each at once (one shared bucket would
 * let 100 in all). */
static void test_classes_apart(void)
{
	struct obs o;

	obs_init(&o, 100, 20000);
	write_scn("cls.json", "cls", "", SVC(200, ",\"capacityProviderStrategy\":["
		  "{\"capacityProvider\":\"FARGATE\",\"weight\":1},"
		  "{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":1}]"));
	CU_ASSERT_EQUAL_FATAL(rs_run("cls.json", "cls", NULL, observe, &o), 0);
	T_EQ(o.over, 0);
	T_EQ(o.n[0], 100);
	T_EQ(o.n[1], 100);
	T_EQ(launched_at(&o, 0, first_launch(&o, 0)), 100);
	T_EQ(launched_at(&o, 1, first_launch(&o, 1)), 100);
	T_EQ(first_launch(&o, 0), first_launch(&o, 1));
	T_EQ(count_reason("cls", "THROTTLED"), 0);
	RS_IS("cls", "services.csv", -1, "running", "200");
	obs_free(&o);
}

/* RunTask: one trace row of 150 tasks at 1 s (calls of 10, choice A13).
 * pending.mode wait: 100 launched at once, the other 50 wait and are
 * launched one per token (a token every 50 ms), the last 2.5 s after the
 * first; mode fail: the other 50 fail at once (STOPPED, never placed). */
static void test_run_task(void)
{
	struct obs o;
	sim_time_t t0;
	int n, never;

	rs_write("rt.csv", TRACE_HDR "1,run_task,,tiny,150,,\n");
	obs_init(&o, 100, 20000);
	write_scn("rtw.json", "rtw", "", "\"workload\":{\"traces\":[\"rt.csv\"]}");
	CU_ASSERT_EQUAL_FATAL(rs_run("rtw.json", "rtw", NULL, observe, &o), 0);
	T_EQ(o.over, 0);
	T_EQ(o.n[0], 150);
	t0 = first_launch(&o, 0);
	T_EQ(launched_at(&o, 0, t0), 100);
	T_EQ(last_launch(&o, 0) - t0, 2500);
	CU_ASSERT(count_reason("rtw", "THROTTLED") >= 50);
	obs_free(&o);

	obs_init(&o, 100, 20000);
	write_scn("rtf.json", "rtf", "", "\"workload\":{\"traces\":[\"rt.csv\"]},\"pending\":{\"mode\":\"fail\"}");
	CU_ASSERT_EQUAL_FATAL(rs_run("rtf.json", "rtf", NULL, observe, &o), 0);
	T_EQ(o.over, 0);
	T_EQ(o.n[0], 100);
	n = rs_rows("rtf", "tasks.csv");
	T_EQ(n, 150);
	never = 0;
	for (int r = 1; r <= n; r++) {
		char *placed = rs_cell("rtf", "tasks.csv", r, "placed_s");

		never += placed && !*placed;
		free(placed);
	}
	T_EQ(never, 50);
	RS_IS("rtf", "summary.csv", 1, "tasks_never_placed", "50");
	obs_free(&o);
}

/* The parameters: burst 10, 5 a second: 10 at once, the other 40 over 8 s;
 * launchesPerSecond 0: no limit, 300 at once, no THROTTLED row. */
static void test_parameters(void)
{
	struct obs o;
	sim_time_t t0;

	obs_init(&o, 10, 5000);
	write_scn("par.json", "par", ",\"launchBurst\":10,\"launchesPerSecond\":5",
		  SVC(50, ",\"launchType\":\"FARGATE\""));
	CU_ASSERT_EQUAL_FATAL(rs_run("par.json", "par", NULL, observe, &o), 0);
	T_EQ(o.over, 0);
	T_EQ(o.n[0], 50);
	t0 = first_launch(&o, 0);
	T_EQ(launched_at(&o, 0, t0), 10);
	CU_ASSERT(last_launch(&o, 0) - t0 >= 8000);
	obs_free(&o);

	obs_init(&o, 0, 0);
	write_scn("off.json", "off", ",\"launchesPerSecond\":0", SVC(300, ",\"launchType\":\"FARGATE\""));
	CU_ASSERT_EQUAL_FATAL(rs_run("off.json", "off", NULL, observe, &o), 0);
	T_EQ(o.n[0], 300);
	T_EQ(launched_at(&o, 0, first_launch(&o, 0)), 300);
	T_EQ(count_reason("off", "THROTTLED"), 0);
	obs_free(&o);
}

static void test_bad_values(void)
{
	static const struct {
		const char *member, *path;
	} bad[] = {
		{ ",\"launchBurst\":0", "$.fargate.launchBurst" },
		{ ",\"launchBurst\":2.5", "$.fargate.launchBurst" },
		{ ",\"launchesPerSecond\":-1", "$.fargate.launchesPerSecond" },
		{ ",\"launchesPerSecond\":0.0001", "$.fargate.launchesPerSecond" },
		{ ",\"launchesPerSecond\":\"20\"", "$.fargate.launchesPerSecond" },
	};
	char msg[1024];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_scn("bad.json", "bad", bad[i].member, SVC(1, ",\"launchType\":\"FARGATE\""));
		CU_ASSERT(rs_run_msg("bad.json", "bad", msg, sizeof msg) != 0);
		if (!strstr(msg, "bad.json") || !strstr(msg, bad[i].path))
			fprintf(stderr, "\n  %s: %s\n", bad[i].member, msg);
		CU_ASSERT(strstr(msg, "bad.json") && strstr(msg, bad[i].path));
	}
}

static CU_TestInfo tests[] = {
	{ "300 service tasks: 100 at once, then 20/s, THROTTLED", test_service_300 },
	{ "a throttled service's pass waits schedulerDelaySeconds (E203)", test_service_default_delay },
	{ "two services throttled together: one row each per instant (E148)", test_two_services_rows },
	{ "FARGATE and FARGATE_SPOT: a bucket each", test_classes_apart },
	{ "RunTask of 150: 100 at once, 50 wait (or fail)", test_run_task },
	{ "launchBurst / launchesPerSecond; 0 = no limit", test_parameters },
	{ "bad values refused with file and path", test_bad_values },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "Fargate task launch bucket", setup, rs_teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};
