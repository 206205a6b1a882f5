/* tests/test_capacity.c — the capacity modules of models/capacity/, each rule
 * checked on hand-computed cases (docs/ecs-model.md §1.3, §4.11, §5.10–§5.14):
 * the Fargate size table and its refusals; the capacity provider strategy
 * split (base first, then 1 : 4 over 500 tasks); CapacityProviderReservation
 * on hand-computed clusters, scale-out from zero to two, scale-in after
 * exactly 15 low datapoints, warm-up and step sizes, managed termination
 * protection; target tracking converging on a step change of load,
 * cooldowns, scale-out-if-any / scale-in-if-all, step scaling, scheduled
 * actions; task scale-in protection; the capacity sections' readers and
 * their errors; scaling.csv rows.  Pure functions: no simulation runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <cjson/cJSON.h>

#include "helpers/tutil.h"
#include "models/capacity/app_scaling.h"
#include "models/capacity/capacity_config.h"
#include "models/capacity/cp_strategy.h"
#include "models/capacity/fargate.h"
#include "models/capacity/managed_scaling.h"
#include "models/capacity/scaling_csv.h"
#include "models/capacity/task_protection.h"
#include "models/capacity/utilization.h"
#include "sim/csvout.h"
#include "sim/jsonrd.h"
#include "sim/rng.h"

/* ---- Fargate sizes (§1.3) ----------------------------------------------- */

static void test_fargate_table(void)
{
	int n = 0;

	/* every multiple of 128 CPU units and 512 MiB up to the largest size:
	 * exactly the 74 pairs of the table pass */
	for (int64_t cpu = 128; cpu <= 16384; cpu += 128)
		for (int64_t mem = 512; mem <= 122880; mem += 512)
			n += fargate_size_ok(cpu, mem, 0);
	T_EQ(n, 74);
	T_EQ(fargate_pair_count(), 74);
	T_EQ(fargate_size_ok(256, 512, 0), 1);
	T_EQ(fargate_size_ok(256, 1536, 0), 0);     /* 256 takes 512, 1024, 2048 only */
	T_EQ(fargate_size_ok(256, 2048, 0), 1);
	T_EQ(fargate_size_ok(512, 4096, 0), 1);
	T_EQ(fargate_size_ok(512, 5120, 0), 0);
	T_EQ(fargate_size_ok(1024, 8192, 0), 1);
	T_EQ(fargate_size_ok(2048, 16384, 0), 1);
	T_EQ(fargate_size_ok(4096, 30720, 0), 1);
	T_EQ(fargate_size_ok(4096, 31744, 0), 0);
	T_EQ(fargate_size_ok(8192, 20480, 0), 1);   /* 16384 + 4096 */
	T_EQ(fargate_size_ok(8192, 18432, 0), 0);   /* steps of 4096 */
	T_EQ(fargate_size_ok(16384, 40960, 0), 1);  /* 32768 + 8192 */
	T_EQ(fargate_size_ok(16384, 36864, 0), 0);
	T_EQ(fargate_size_ok(16384, 122880, 0), 1);
	/* Windows: 1, 2 or 4 vCPU only */
	T_EQ(fargate_size_ok(1024, 2048, 1), 1);
	T_EQ(fargate_size_ok(512, 1024, 1), 0);
	T_EQ(fargate_size_ok(8192, 16384, 1), 0);
}

static void test_fargate_refusals(void)
{
	char msg[2048];
	int64_t c, m;

	T_EQ(fargate_check(1024, 4096, 0, msg, sizeof msg), 0);
	T_EQ(fargate_check(512, 3000, 0, msg, sizeof msg), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "memory 3000 MiB is not valid with cpu 512"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "cpu 512 takes 1024, 2048, 3072 or 4096 MiB"));
	/* the refusal lists every valid combination */
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "256 → 512, 1024 or 2048"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "4096 → 8192 to 30720 in steps of 1024"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "16384 → 32768 to 122880 in steps of 8192"));
	T_EQ(fargate_check(300, 512, 0, msg, sizeof msg), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "cpu 300 is not a Fargate size"));
	T_EQ(fargate_check(256, 512, 1, msg, sizeof msg), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "not available for Windows"));
	CU_ASSERT_PTR_NULL(strstr(msg, "256 →"));   /* Windows list: 1, 2, 4 vCPU */
	T_EQ(fargate_round_up(300, 600, 0, &c, &m), 0);
	T_EQ(c, 512);
	T_EQ(m, 1024);
	T_EQ(fargate_round_up(256, 1500, 0, &c, &m), 0);
	T_EQ(m, 2048);
	T_EQ(fargate_round_up(20000, 512, 0, &c, &m), -1);
}

static void test_fargate_spot_rate(void)
{
	struct fargate_cfg f;
	struct rng_reg *r = rng_new(11);
	gsl_rng *g = rng_stream(r, "fargate/spot");
	int hit = 0, n = 20000;
	double expect, sd;

	fargate_cfg_default(&f);
	T_EQ(fargate_spot_interruption_ms(&f, 0, g), -1);   /* no model: never */
	f.spot_interruptions = 1;
	f.spot_tti.kind = DIST_EXPONENTIAL;
	f.spot_tti.a = 3600;                     /* one interruption per task-hour */
	for (int i = 0; i < n; i++) {
		int64_t t = fargate_spot_interruption_ms(&f, 1000, g);

		CU_ASSERT(t >= 1000);
		hit += t - 1000 < 1800000;           /* within half an hour */
	}
	/* P(T < 1800 s) = 1 − e^(−0.5); 5 standard deviations of a binomial */
	expect = n * (1 - exp(-0.5));
	sd = sqrt(n * (1 - exp(-0.5)) * exp(-0.5));
	CU_ASSERT(fabs(hit - expect) < 5 * sd);
	T_EQ(f.spot_warning_ms, 120000);
	fargate_cfg_free(&f);
	rng_free(r);
}

static void test_fargate_provision_and_az(void)
{
	struct fargate_cfg f;
	struct rng_reg *r = rng_new(7);
	gsl_rng *g = rng_stream(r, "fargate/provision");
	int64_t lo = INT64_MAX, hi = 0;
	int svc[3] = { 2, 1, 1 };
	int64_t used[3] = { 5, 9, 3 };

	fargate_cfg_default(&f);
	for (int i = 0; i < 2000; i++) {
		int64_t ms = fargate_provision_ms(&f, g);

		lo = ms < lo ? ms : lo;
		hi = ms > hi ? ms : hi;
	}
	/* default: the reference's 60 s, every draw (choice E66) */
	T_EQ(lo, 60000);
	T_EQ(hi, 60000);
	/* fewest of the service's tasks, ties to the first zone */
	T_EQ(fargate_pick_az(svc, used, 0, 3), 1);
	/* zone 1 full (limit 9): the other least-loaded zone */
	T_EQ(fargate_pick_az(svc, used, 9, 3), 2);
	used[2] = 9;
	T_EQ(fargate_pick_az(svc, used, 9, 3), 0);
	used[0] = 9;
	T_EQ(fargate_pick_az(svc, used, 9, 3), -1);   /* capacity unavailable */
	fargate_cfg_free(&f);
	rng_free(r);
}

/* ---- capacity provider strategies (§5.11) --------------------------------- */

static void run_split(const struct cp_strategy *s, int tasks, int *counts, int *first)
{
	memset(counts, 0, sizeof(int) * (size_t)s->n);
	for (int t = 0; t < tasks; t++) {
		int k = cps_choose(s, counts, NULL);

		if (first && t < 8)
			first[t] = k;
		counts[k]++;
	}
}

static void test_strategy_weights(void)
{
	struct cp_strategy s = { .n = 2, .items = { { 0, 0, 1 }, { 1, 0, 4 } } };
	int counts[2] = { 0, 0 };

	for (int t = 0; t < 500; t++) {
		int k = cps_choose(&s, counts, NULL);

		CU_ASSERT_FATAL(k == 0 || k == 1);
		counts[k]++;
		/* never more than one task away from the exact 1 : 4 share */
		CU_ASSERT(fabs(counts[0] - (t + 1) / 5.0) <= 1.0);
	}
	T_EQ(counts[0], 100);
	T_EQ(counts[1], 400);
}

static void test_strategy_base_first(void)
{
	/* FARGATE base 2 weight 1, FARGATE_SPOT weight 4: the first two tasks
	 * go to the base, then 1 : 4 over the rest */
	struct cp_strategy s = { .n = 2, .items = { { 0, 2, 1 }, { 1, 0, 4 } } };
	int counts[2], first[8];

	run_split(&s, 502, counts, first);
	T_EQ(first[0], 0);
	T_EQ(first[1], 0);
	T_EQ(first[2], 1);
	T_EQ(counts[0], 2 + 100);
	T_EQ(counts[1], 400);
	/* base on the second item: still first */
	s.items[0].base = 0;
	s.items[1].base = 3;
	run_split(&s, 3, counts, first);
	T_EQ(counts[1], 3);
	T_EQ(counts[0], 0);
}

/* docs/ecs-model.md §5.11: after the base each task goes to the item whose
 * share (its tasks beyond the base / all tasks beyond the bases) is furthest
 * below weight / Σweights. Weights 1 and 4: the first task to the weight 4
 * (both shares 0: deficits 0.2 and 0.8); the second to the weight 1, whose
 * share 0 is 0.2 below, where the weight 4's is 1.0, 0.2 above. */
static void test_strategy_share_furthest_below(void)
{
	struct cp_strategy s = { .n = 2, .items = { { 0, 0, 1 }, { 1, 0, 4 } } };
	struct cp_strategy b = { .n = 2, .items = { { 0, 2, 1 }, { 1, 0, 4 } } };
	struct cp_strategy t = { .n = 3, .items = { { 0, 0, 3 }, { 1, 0, 1 }, { 2, 0, 1 } } };
	static const int st[5] = { 1, 0, 1, 1, 1 }, bt[4] = { 0, 0, 1, 0 },
			 tt[5] = { 0, 1, 2, 0, 0 };
	int counts[3], first[8];

	run_split(&s, 5, counts, first);
	for (int k = 0; k < 5; k++)
		T_EQ(first[k], st[k]);
	/* FARGATE base 2 weight 1, FARGATE_SPOT weight 4, four tasks: the
	 * base, then SPOT (shares 0), then FARGATE (SPOT at 100 % > 80 %) */
	run_split(&b, 4, counts, first);
	for (int k = 0; k < 4; k++)
		T_EQ(first[k], bt[k]);
	T_EQ(counts[0], 3);
	T_EQ(counts[1], 1);
	/* 3 : 1 : 1: the heaviest, then the two items at share 0 in order,
	 * then the heaviest (1/3 below 3/5) twice */
	run_split(&t, 5, counts, first);
	for (int k = 0; k < 5; k++)
		T_EQ(first[k], tt[k]);
}

static void test_strategy_weight_zero_and_usable(void)
{
	struct cp_strategy s = { .n = 2, .items = { { 0, 1, 0 }, { 1, 0, 1 } } };
	int counts[2];
	unsigned char usable[2] = { 1, 0 };
	const char *why;
	int bad;

	run_split(&s, 10, counts, NULL);
	T_EQ(counts[0], 1);    /* the base, and nothing beyond it: weight 0 */
	T_EQ(counts[1], 9);
	/* provider 1 unusable: after the base nothing can take the task */
	counts[0] = 1;
	counts[1] = 0;
	T_EQ(cps_choose(&s, counts, usable), -1);
	/* removal: the item furthest above its share first, the base last */
	counts[0] = 1;
	counts[1] = 1;
	T_EQ(cps_choose_remove(&s, counts), 1);
	counts[1] = 0;
	T_EQ(cps_choose_remove(&s, counts), 0);
	/* validation */
	T_EQ(cps_validate(&s, &why, &bad), 0);
	s.items[1].base = 1;
	T_EQ(cps_validate(&s, &why, &bad), -1);
	T_EQ(bad, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "only one item"));
	s.items[1].base = 0;
	s.items[1].weight = 0;
	T_EQ(cps_validate(&s, &why, &bad), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "weight above 0"));
}

/* ---- managed scaling (§5.12) ---------------------------------------------- */

static void test_reservation_values(void)
{
	T_NEAR(ms_reservation(3, 4), 75.0);
	T_NEAR(ms_reservation(5, 4), 125.0);
	T_NEAR(ms_reservation(4, 4), 100.0);
	T_NEAR(ms_reservation(0, 0), 100.0);
	T_NEAR(ms_reservation(3, 0), 200.0);
	T_NEAR(ms_reservation(0, 5), 0.0);
}

/* m5.large as the binpack sees it: 2048 CPU units, 7987 MiB (0.975 × 8 GiB
 * minus nothing reserved), 2 task ENIs, no host port taken. */
static const struct ms_type m5l = { .cpu = 2048, .mem_mib = 7987, .enis = 2, .gpus = 0 };

static void test_binpack_estimate(void)
{
	int p80[1] = { 80 };
	struct ms_need half = { 1024, 2048, 0, 0, 0, NULL, 5 };
	struct ms_need web = { 256, 256, 0, 0, 1, p80, 3 };
	struct ms_need big = { 4096, 1024, 0, 0, 0, NULL, 2 };
	struct ms_need eni = { 128, 128, 1, 0, 0, NULL, 5 };
	struct ms_need mem = { 256, 3000, 0, 0, 0, NULL, 5 };
	struct ms_need mixed[2] = { { 1024, 2048, 0, 0, 0, NULL, 3 }, { 1024, 5000, 0, 0, 0, NULL, 1 } };
	int ex;

	T_EQ(ms_binpack(&m5l, &half, 1, &ex), 3);   /* 2 per instance by CPU: 5 → 3 */
	T_EQ(ex, 0);
	T_EQ(ms_binpack(&m5l, &web, 1, &ex), 3);    /* host port 80 once per instance */
	T_EQ(ms_binpack(&m5l, &big, 1, &ex), 0);    /* fits no instance: no scale-out */
	T_EQ(ex, 2);
	T_EQ(ms_binpack(&m5l, &eni, 1, &ex), 3);    /* 2 ENIs per instance */
	T_EQ(ms_binpack(&m5l, &mem, 1, &ex), 3);    /* 2 per instance by memory (2 × 3000) */
	/* decreasing order: the 5000 MiB task first, then 1024/2048 ones:
	 * [5000 + 2048 (1024 cpu)...] → {5000,2048}, {2048,2048}: 2 instances */
	T_EQ(ms_binpack(&m5l, mixed, 2, &ex), 2);
}

static void test_reservation_cluster(void)
{
	/* 4 instances running, 3 of them with a non-daemon task, 5 tasks of
	 * 1 vCPU / 2 GiB PROVISIONING: M = 3 + 3 = 6, N = 4 → 150 % */
	struct ms_need prov = { 1024, 2048, 0, 0, 0, NULL, 5 };
	int m = 3 + ms_binpack(&m5l, &prov, 1, NULL);

	T_EQ(m, 6);
	T_NEAR(ms_reservation(m, 4), 150.0);
	/* nothing provisioning, 2 of 5 instances busy: 40 % */
	T_NEAR(ms_reservation(2, 5), 40.0);
}

/* §5.12, E42: from zero, only tasks that need capacity scale out.  An
 * empty group with targetCapacity 90 and no task: the datapoint is 100
 * (N = 0, M = 0), above 90, yet ceil(0 × 100 / 90) = 0 instances are
 * needed: no change, minute after minute (before: 0 -> 2 at once, then
 * back to 0 after 15 low datapoints, for ever).  With a task waiting
 * (M = 1) it still goes to two. */
static void test_idle_zero_stays(void)
{
	struct ms_params p;
	struct ms_state s;
	struct ms_decision d;
	struct ms_input in = { .m = 0, .n = 0, .desired = 0, .warming = 0, .empty = 0 };

	ms_params_default(&p);
	p.max_size = 20;
	p.target = 90;
	ms_state_init(&s);
	for (int k = 1; k <= 40; k++) {
		ms_datapoint(&p, &s, 60000 * k, &in, &d);
		T_NEAR(d.reservation, 100.0);
		T_EQ(d.action, MS_NONE);
		T_EQ(d.new_desired, 0);
	}
	p.empty_formula = 1;
	ms_datapoint(&p, &s, 60000 * 41, &in, &d);
	T_EQ(d.action, MS_NONE);
	p.empty_formula = 0;
	in.m = 1;
	ms_datapoint(&p, &s, 60000 * 42, &in, &d);
	T_NEAR(d.reservation, 200.0);
	T_EQ(d.action, MS_SCALE_OUT);
	T_EQ(d.new_desired, 2);
}

static void test_scale_out_from_zero(void)
{
	struct ms_params p;
	struct ms_state s;
	struct ms_decision d;
	struct ms_input in = { .m = 5, .n = 0, .desired = 0, .warming = 0, .empty = 0 };
	int64_t launched[2];

	ms_params_default(&p);
	p.max_size = 20;
	ms_state_init(&s);
	ms_datapoint(&p, &s, 60000, &in, &d);
	T_NEAR(d.reservation, 200.0);
	T_EQ(d.action, MS_SCALE_OUT);
	T_EQ(d.old_desired, 0);
	T_EQ(d.new_desired, 2);       /* two first, whatever M says */
	/* next minute: the two are launching, within the warm-up: wait */
	launched[0] = launched[1] = 60000;
	in.desired = 2;
	in.warming = ms_count_warming(launched, 2, 120000, p.warmup_ms);
	T_EQ(in.warming, 2);
	ms_datapoint(&p, &s, 120000, &in, &d);
	T_EQ(d.action, MS_WAIT_WARMUP);
	T_EQ(d.new_desired, 2);
	/* at 360 s both are past 300 s of warm-up, registered, busy; 5 tasks
	 * still need 3 more instances: M = 2 + 3 → scale out by 3 */
	in.n = 2;
	in.m = 5;
	in.warming = ms_count_warming(launched, 2, 360000, p.warmup_ms);
	T_EQ(in.warming, 0);
	ms_datapoint(&p, &s, 360000, &in, &d);
	T_NEAR(d.reservation, 250.0);
	T_EQ(d.action, MS_SCALE_OUT);
	T_EQ(d.new_desired, 5);
	/* a minimum step of 4 makes the first scale-out 4, a maximum of 1 makes it 1 */
	ms_state_init(&s);
	in = (struct ms_input){ .m = 5, .n = 0, .desired = 0 };
	p.min_step = 4;
	ms_datapoint(&p, &s, 0, &in, &d);
	T_EQ(d.new_desired, 4);
	p.min_step = 1;
	p.max_step = 1;
	ms_datapoint(&p, &s, 0, &in, &d);
	T_EQ(d.new_desired, 1);
}

static void test_warmup_respected(void)
{
	struct ms_params p;
	struct ms_state s;
	struct ms_decision d;
	int64_t launched[4] = { 0, 0, 0, 200000 };   /* the last one launched at 200 s */
	struct ms_input in = { .m = 6, .n = 4, .desired = 4, .empty = 0 };

	ms_params_default(&p);
	ms_state_init(&s);
	for (int64_t t = 240000; t <= 600000; t += 60000) {
		in.warming = ms_count_warming(launched, 4, t, p.warmup_ms);
		ms_datapoint(&p, &s, t, &in, &d);
		if (t < 500000)
			T_EQ(d.action, MS_WAIT_WARMUP);
		else
			break;
	}
	/* 500 s = 200 + 300: the warm-up is over, one datapoint suffices */
	T_EQ(d.action, MS_SCALE_OUT);
	T_EQ(d.new_desired, 6);
	/* warm-up 0: no waiting */
	p.warmup_ms = 0;
	T_EQ(ms_count_warming(launched, 4, 200000, 0), 0);
	/* ... but instances requested and not yet running are not asked for
	 * twice: desired 6 covers M = 6 with 4 running */
	in = (struct ms_input){ .m = 6, .n = 4, .desired = 6 };
	ms_datapoint(&p, &s, 700000, &in, &d);
	T_EQ(d.action, MS_WAIT_WARMUP);
	T_EQ(d.new_desired, 6);
	in = (struct ms_input){ .m = 3, .n = 0, .desired = 2 };
	ms_datapoint(&p, &s, 700000, &in, &d);
	T_EQ(d.new_desired, 2);
	/* M grows beyond what was requested: the difference only */
	in = (struct ms_input){ .m = 8, .n = 4, .desired = 6 };
	ms_datapoint(&p, &s, 700000, &in, &d);
	T_EQ(d.action, MS_SCALE_OUT);
	T_EQ(d.new_desired, 8);
}

static void test_step_sizes_and_target(void)
{
	struct ms_params p;
	struct ms_state s;
	struct ms_decision d;
	struct ms_input in = { .m = 6, .n = 4, .desired = 4 };

	ms_params_default(&p);
	ms_state_init(&s);
	ms_datapoint(&p, &s, 0, &in, &d);
	T_EQ(d.new_desired, 6);                  /* target 100: M instances */
	p.target = 80;                           /* ceil(6 × 100 / 80) = 8 */
	ms_datapoint(&p, &s, 0, &in, &d);
	T_EQ(d.new_desired, 8);
	p.max_step = 3;
	ms_datapoint(&p, &s, 0, &in, &d);
	T_EQ(d.new_desired, 7);
	p.target = 100;
	p.max_step = 10000;
	p.min_step = 5;                          /* needs 2, step at least 5 */
	ms_datapoint(&p, &s, 0, &in, &d);
	T_EQ(d.new_desired, 9);
	p.max_size = 5;                          /* the group's maximum bounds it */
	ms_datapoint(&p, &s, 0, &in, &d);
	T_EQ(d.new_desired, 5);
	in.desired = 5;
	ms_datapoint(&p, &s, 0, &in, &d);
	T_EQ(d.action, MS_AT_LIMIT);
	T_EQ(d.new_desired, 5);
	/* exactly at target: nothing */
	in = (struct ms_input){ .m = 4, .n = 4, .desired = 4 };
	ms_datapoint(&p, &s, 0, &in, &d);
	T_EQ(d.action, MS_NONE);
	/* target 50, 4 busy of 8: at target */
	p.target = 50;
	in = (struct ms_input){ .m = 4, .n = 8, .desired = 8, .empty = 4 };
	ms_datapoint(&p, &s, 0, &in, &d);
	T_EQ(d.action, MS_NONE);
}

static void test_scale_in_after_15(void)
{
	struct ms_params p;
	struct ms_state s;
	struct ms_decision d;
	struct ms_input low = { .m = 3, .n = 10, .desired = 10, .empty = 7 };
	struct ms_input high = { .m = 11, .n = 10, .desired = 10, .warming = 1 };
	int64_t t = 0;

	ms_params_default(&p);
	ms_state_init(&s);
	for (int i = 1; i <= 14; i++, t += 60000) {
		ms_datapoint(&p, &s, t, &low, &d);
		T_EQ(d.action, MS_WAIT_LOW);
		T_EQ(d.low_streak, i);
	}
	/* a datapoint above target ends the run: 15 more are needed */
	ms_datapoint(&p, &s, t, &high, &d);
	T_EQ(d.low_streak, 0);
	for (int i = 1; i <= 14; i++, t += 60000) {
		ms_datapoint(&p, &s, t, &low, &d);
		T_EQ(d.action, MS_WAIT_LOW);
	}
	ms_datapoint(&p, &s, t, &low, &d);
	T_EQ(d.action, MS_SCALE_IN);
	T_NEAR(d.reservation, 30.0);
	T_EQ(d.new_desired, 3);
	T_EQ(d.drain_first, 1);                  /* managed draining default on */
	/* the count starts again after a scale-in */
	ms_datapoint(&p, &s, t + 60000, &low, &d);
	T_EQ(d.action, MS_WAIT_LOW);
	/* a datapoint exactly at target also ends the run */
	ms_state_init(&s);
	for (int i = 0; i < 14; i++)
		ms_datapoint(&p, &s, 0, &low, &d);
	ms_datapoint(&p, &s, 0, &(struct ms_input){ .m = 10, .n = 10, .desired = 10 }, &d);
	ms_datapoint(&p, &s, 0, &low, &d);
	T_EQ(d.action, MS_WAIT_LOW);
	T_EQ(d.low_streak, 1);
	/* never below the group's minimum */
	ms_state_init(&s);
	p.min_size = 5;
	for (int i = 0; i < 15; i++)
		ms_datapoint(&p, &s, 0, &low, &d);
	T_EQ(d.new_desired, 5);
}

static void test_termination_protection(void)
{
	struct ms_params p;
	struct ms_state s;
	struct ms_decision d;
	/* 5 instances, 2 needed; a busy instance keeps a non-daemon task on a
	 * third: only one instance is empty */
	struct ms_input in = { .m = 2, .n = 5, .desired = 5, .empty = 1 };
	struct ms_instance v[5] = {
		{ 10, 0, 0, 3 }, { 11, 0, 1000, 0 }, { 12, 1, 0, 1 }, { 13, 1, 500, 2 }, { 14, 2, 0, 1 },
	};
	int out[5];

	ms_params_default(&p);
	p.termination_protection = 1;
	ms_state_init(&s);
	for (int i = 0; i < 15; i++)
		ms_datapoint(&p, &s, 0, &in, &d);
	T_EQ(d.action, MS_SCALE_IN);
	T_EQ(d.new_desired, 4);                  /* only the empty one may go */
	T_EQ(ms_pick_scale_in(&p, v, 5, 3, out), 1);
	T_EQ(out[0], 11);
	/* nothing empty: no scale-in at all */
	in.empty = 0;
	for (int i = 0; i < 15; i++)
		ms_datapoint(&p, &s, 0, &in, &d);
	T_EQ(d.action, MS_AT_LIMIT);
	T_EQ(d.new_desired, 5);
	/* protection off: busy instances may go too, empty first, then the
	 * zone with most instances, then the oldest */
	p.termination_protection = 0;
	T_EQ(ms_pick_scale_in(&p, v, 5, 3, out), 3);
	T_EQ(out[0], 11);
	T_EQ(out[1], 12);   /* zones 0 and 1 now have 1 and 2: zone 1, oldest (0 ms) */
	T_EQ(out[2], 10);   /* zones 0,1,2 have 1 each: oldest, lowest id */
}

static void test_empty_formula(void)
{
	struct ms_params p;
	struct ms_state s;
	struct ms_decision d;
	struct ms_input in = { .m = 8, .n = 10, .desired = 10, .empty = 2 };

	/* the older guide: 2 empty instances of 10 → 98 */
	T_NEAR(ms_reservation_empty(8, 10, 2), 98.0);
	T_NEAR(ms_reservation_empty(12, 10, 0), 120.0);
	T_NEAR(ms_reservation_empty(3, 0, 0), 200.0);
	T_NEAR(ms_reservation_empty(0, 0, 0), 100.0);
	ms_params_default(&p);
	p.empty_formula = 1;
	ms_state_init(&s);
	for (int i = 0; i < 15; i++)
		ms_datapoint(&p, &s, 0, &in, &d);
	T_NEAR(d.reservation, 98.0);
	T_EQ(d.action, MS_SCALE_IN);
	T_EQ(d.new_desired, 8);                  /* the two empty ones go */
}

static void test_managed_scaling_disabled(void)
{
	struct ms_params p;
	struct ms_state s;
	struct ms_decision d;

	ms_params_default(&p);
	p.enabled = 0;
	ms_state_init(&s);
	ms_datapoint(&p, &s, 0, &(struct ms_input){ .m = 9, .n = 2, .desired = 2 }, &d);
	T_EQ(d.action, MS_NONE);
	T_NEAR(d.reservation, 450.0);
}

/* ---- service auto scaling (§5.10) ----------------------------------------- */

static struct aas_config one_tt(double target, int min, int max)
{
	struct aas_config c = { .min_cap = min, .max_cap = max, .n_policies = 1 };

	c.policies = calloc(1, sizeof *c.policies);
	aas_policy_default(&c.policies[0], AAS_TARGET_TRACKING);
	c.policies[0].target = target;
	return c;
}

/* The closed-form load of the convergence test: CPU utilisation = 100 ×
 * load / running tasks, where the tasks the scaler adds run one minute later. */
static void test_target_tracking_converges(void)
{
	struct aas_config c = one_tt(50, 1, 100);
	struct aas_state s;
	struct aas_decision d;
	int desired = 10, running = 10, first_ok = -1, scale_outs = 0, first_in = -1;
	double load = 5;

	aas_state_init(&s, &c);
	for (int minute = 1; minute <= 60; minute++) {
		double m[AAS_N_METRICS] = { NAN, NAN, NAN };
		int r;

		if (minute == 10)
			load = 20;       /* step change: 50 % → 200 % */
		if (minute == 30)
			load = 10;       /* and back down: 50 % → 25 % */
		m[AAS_CPU] = 100.0 * load / running;
		running = desired;       /* last minute's decision runs now */
		r = aas_datapoint(&c, &s, (int64_t)minute * 60000, m, desired, &d);
		if (r >= 0) {
			if (r > desired) {
				scale_outs++;
				/* three datapoints above target: minutes 10, 11, 12 */
				T_EQ(minute, 12);
				T_EQ(r, 40);   /* ceil(10 × 200 / 50) */
			} else if (first_in < 0) {
				first_in = minute;
				T_EQ(r, 20);   /* ceil(40 × 25 / 50) */
			}
			desired = r;
		}
		if (minute >= 10 && minute < 30 && first_ok < 0 && m[AAS_CPU] <= 50 && m[AAS_CPU] >= 45)
			first_ok = minute;
	}
	/* at target within 5 minutes of the step, and one scale-out only */
	CU_ASSERT(first_ok >= 10 && first_ok <= 15);
	T_EQ(scale_outs, 1);
	/* scale-in after the 15th datapoint below 90 % of the target
	 * (minutes 30..44) */
	T_EQ(first_in, 44);
	T_EQ(desired, 20);
	aas_state_free(&s);
	aas_config_free(&c);
}

static int step(const struct aas_config *c, struct aas_state *s, int64_t t, double cpu, int cur)
{
	double m[AAS_N_METRICS] = { cpu, NAN, NAN };
	struct aas_decision d;

	return aas_datapoint(c, s, t, m, cur, &d);
}

static void test_cooldowns(void)
{
	struct aas_config c = one_tt(50, 1, 1000);
	struct aas_state s;
	int cur = 10, r;

	aas_state_init(&s, &c);
	/* 3 high datapoints → 40 at t = 180 s */
	step(&c, &s, 60000, 200, cur);
	step(&c, &s, 120000, 200, cur);
	cur = step(&c, &s, 180000, 200, cur);
	T_EQ(cur, 40);
	/* within the 300 s scale-out cooldown the tasks added count toward the
	 * next scale-out: the same metric does not scale out again */
	T_EQ(step(&c, &s, 240000, 200, cur), -1);
	T_EQ(step(&c, &s, 420000, 200, cur), -1);
	/* a higher metric does: ceil(10 × 400 / 50) = 80 > 40 */
	r = step(&c, &s, 450000, 400, cur);
	T_EQ(r, 80);
	cur = r;
	/* after the cooldown (from 450 s) the current capacity is the base */
	T_EQ(step(&c, &s, 760000, 100, cur), 160);
	aas_state_free(&s);
	aas_config_free(&c);

	/* scale-in cooldown: blocks the next scale-in, not a scale-out */
	c = one_tt(50, 1, 1000);
	c.policies[0].in_datapoints = 1;
	c.policies[0].out_datapoints = 1;
	aas_state_init(&s, &c);
	cur = step(&c, &s, 0, 25, 40);
	T_EQ(cur, 20);
	T_EQ(step(&c, &s, 60000, 10, cur), -1);        /* in cooldown */
	T_EQ(step(&c, &s, 299999, 10, cur), -1);
	T_EQ(step(&c, &s, 300000, 10, cur), 4);        /* 300 s later */
	cur = 4;
	T_EQ(step(&c, &s, 360000, 100, cur), 8);       /* scale-out at once */
	aas_state_free(&s);
	aas_config_free(&c);
}

static void test_scale_in_threshold(void)
{
	struct aas_config c = one_tt(50, 1, 100);
	struct aas_state s;

	aas_state_init(&s, &c);
	/* 47 % is below the 50 % target but not below 90 % of it (45 %): the
	 * low alarm never fires, however long it lasts */
	for (int i = 0; i < 60; i++)
		T_EQ(step(&c, &s, (int64_t)i * 60000, 47, 20), -1);
	/* 44 % is: the 15th datapoint scales in to ceil(20 × 44 / 50) = 18 */
	for (int i = 60; i < 74; i++)
		T_EQ(step(&c, &s, (int64_t)i * 60000, 44, 20), -1);
	T_EQ(step(&c, &s, 74 * 60000, 44, 20), 18);
	aas_state_free(&s);
	aas_config_free(&c);
}

/* Choice E198 (docs/ecs-model.md §5.10): target tracking's scale-in is
 * proportional and in one step, slow only in time.  10 tasks at 10 % CPU,
 * target 50: 14 low datapoints change nothing, the 15th goes to
 * ceil(10 × 10 / 50) = 2 at once; within the 300 s scale-in cooldown
 * nothing, then ceil(2 × 10 / 50) = 1 (the minimum) at the first datapoint
 * past it (the low run goes on). */
static void test_scale_in_one_step(void)
{
	struct aas_config c = one_tt(50, 1, 100);
	struct aas_state s;
	int64_t t;

	aas_state_init(&s, &c);
	for (t = 60000; t < 15 * 60000; t += 60000)
		T_EQ(step(&c, &s, t, 10, 10), -1);
	T_EQ(step(&c, &s, t, 10, 10), 2);
	T_EQ(step(&c, &s, t + 240000, 10, 2), -1);
	T_EQ(step(&c, &s, t + 300000, 10, 2), 1);
	aas_state_free(&s);
	aas_config_free(&c);
}

/* A target-tracking scale-out during the scale-in cooldown acts at once and
 * ends that cooldown (Application Auto Scaling's
 * TargetTrackingScalingPolicyConfiguration, ScaleInCooldown: "the scale-in
 * cooldown period stops and doesn't complete"): a low datapoint after it
 * scales in without waiting for the 300 s the first scale-in started. */
static void test_tt_scale_out_ends_in_cooldown(void)
{
	struct aas_config c = one_tt(50, 1, 100);
	struct aas_state s;

	c.policies[0].out_datapoints = c.policies[0].in_datapoints = 1;
	aas_state_init(&s, &c);
	T_EQ(step(&c, &s, 0, 10, 10), 2);          /* in: ceil(10 x 10 / 50) */
	T_EQ(step(&c, &s, 60000, 100, 2), 4);      /* out at once: ceil(2 x 100 / 50) */
	T_EQ(step(&c, &s, 120000, 10, 4), 1);      /* in: the scale-in cooldown ended */
	T_EQ(step(&c, &s, 180000, 10, 1), -1);     /* (at min) */
	aas_state_free(&s);
	aas_config_free(&c);
}

static void test_disable_scale_in_and_bounds(void)
{
	struct aas_config c = one_tt(50, 2, 30);
	struct aas_state s;

	c.policies[0].disable_scale_in = 1;
	c.policies[0].out_datapoints = 1;
	aas_state_init(&s, &c);
	for (int i = 0; i < 40; i++)
		T_EQ(step(&c, &s, (int64_t)i * 60000, 5, 10), -1);
	T_EQ(step(&c, &s, 40 * 60000, 200, 10), 30);   /* 40 capped at max 30 */
	aas_state_free(&s);
	aas_config_free(&c);
}

static void test_any_out_all_in(void)
{
	struct aas_config c = { .min_cap = 1, .max_cap = 100, .n_policies = 2 };
	struct aas_state s;
	struct aas_decision d;
	double m[AAS_N_METRICS];
	int r = -1;

	c.policies = calloc(2, sizeof *c.policies);
	aas_policy_default(&c.policies[0], AAS_TARGET_TRACKING);
	aas_policy_default(&c.policies[1], AAS_TARGET_TRACKING);
	c.policies[0].target = 50;
	c.policies[1].metric = AAS_MEMORY;
	c.policies[1].target = 60;
	for (int k = 0; k < 2; k++)
		c.policies[k].out_datapoints = c.policies[k].in_datapoints = 1;
	aas_state_init(&s, &c);
	/* CPU high, memory low: scale out (any) */
	m[AAS_CPU] = 100; m[AAS_MEMORY] = 10; m[AAS_ALB_REQUESTS] = NAN;
	T_EQ(aas_datapoint(&c, &s, 0, m, 10, &d), 20);
	T_EQ(d.policy, 0);
	/* CPU low, memory at target: no scale-in (not all agree) */
	m[AAS_CPU] = 10; m[AAS_MEMORY] = 60;
	T_EQ(aas_datapoint(&c, &s, 600000, m, 20, &d), -1);
	/* both low: scale in to the larger proposal: CPU ceil(20×10/50) = 4,
	 * memory ceil(20×30/60) = 10 → 10 */
	m[AAS_CPU] = 10; m[AAS_MEMORY] = 30;
	r = aas_datapoint(&c, &s, 1200000, m, 20, &d);
	T_EQ(r, 10);
	/* memory has no data: it cannot agree, no scale-in */
	m[AAS_CPU] = 10; m[AAS_MEMORY] = NAN;
	T_EQ(aas_datapoint(&c, &s, 2400000, m, 10, &d), -1);
	/* with scale-in disabled on memory, CPU alone decides */
	c.policies[1].disable_scale_in = 1;
	T_EQ(aas_datapoint(&c, &s, 3600000, m, 10, &d), 2);
	aas_state_free(&s);
	aas_config_free(&c);
}

static void test_step_scaling(void)
{
	struct aas_config c = { .min_cap = 1, .max_cap = 100, .n_policies = 1 };
	struct aas_state s;

	c.policies = calloc(1, sizeof *c.policies);
	aas_policy_default(&c.policies[0], AAS_STEP);
	c.policies[0].threshold = 70;
	c.policies[0].cmp = AAS_GT;
	c.policies[0].eval_periods = 2;
	c.policies[0].n_steps = 2;
	c.policies[0].steps[0] = (struct aas_step){ 0, 10, 1 };
	c.policies[0].steps[1] = (struct aas_step){ 10, INFINITY, 3 };
	aas_state_init(&s, &c);
	T_EQ(step(&c, &s, 0, 75, 10), -1);         /* one period of two */
	T_EQ(step(&c, &s, 60000, 75, 10), 11);     /* 75 − 70 in [0, 10): +1 */
	/* 25 ≥ 10: +3, a larger step within the 300 s cooldown: the +1 already
	 * added counts, 10 + 3 = 13 (test_step_cooldown) */
	T_EQ(step(&c, &s, 120000, 95, 11), 13);
	T_EQ(step(&c, &s, 360000, 95, 13), -1);    /* cooldown from 120 s: 10 + 3 */
	T_EQ(step(&c, &s, 420000, 95, 13), 16);    /* cooldown over: 13 + 3 */
	T_EQ(step(&c, &s, 480000, 50, 16), -1);    /* not breaching */
	aas_state_free(&s);
	/* PercentChangeInCapacity: 10 % of 14 is 1.4 → 1; magnitude floor 2 */
	c.policies[0].adjust = AAS_PERCENT;
	c.policies[0].eval_periods = 1;
	c.policies[0].steps[0].adjustment = 10;
	c.policies[0].min_magnitude = 2;
	aas_state_init(&s, &c);
	T_EQ(step(&c, &s, 0, 75, 14), 16);
	aas_state_free(&s);
	aas_config_free(&c);
}

/* Step scaling cooldowns (docs/ecs-model.md §5.10; StepScalingPolicyConfiguration.Cooldown:
 * a scale-out policy "won't increase the desired capacity again unless either a
 * larger scale out is triggered or the cooldown period ends"; the capacity the
 * scale-out added counts as part of the current capacity; a scale-out during a
 * scale-in cooldown acts at once and ends that cooldown).  The auditor's case:
 * 5 tasks, threshold 80, [0, 10) → +2, [10, ∞) → +3, cooldown 300 s.  60 s at
 * 85 %: 5 → 7.  120 s at 95 %: the +3 step is larger; from the capacity before
 * the scale-out, 5 + 3 = 8 > 7: 8 at once (one task more).  180 s: 5 + 3 = 8 is
 * not larger: nothing.  The cooldown restarts at 120 s: 360 s nothing, 420 s
 * 8 + 3 = 11.  Within the cooldown from 420 s, a +2 step (85 %) from 8 gives 10
 * < 11: nothing. */
static void test_step_cooldown(void)
{
	struct aas_config c = { .min_cap = 1, .max_cap = 40, .n_policies = 1 };
	struct aas_state s;

	c.policies = calloc(1, sizeof *c.policies);
	aas_policy_default(&c.policies[0], AAS_STEP);
	c.policies[0].threshold = 80;
	c.policies[0].cmp = AAS_GT;
	c.policies[0].n_steps = 2;
	c.policies[0].steps[0] = (struct aas_step){ 0, 10, 2 };
	c.policies[0].steps[1] = (struct aas_step){ 10, INFINITY, 3 };
	aas_state_init(&s, &c);
	T_EQ(step(&c, &s, 60000, 85, 5), 7);
	T_EQ(step(&c, &s, 120000, 95, 7), 8);
	T_EQ(step(&c, &s, 180000, 95, 8), -1);
	T_EQ(step(&c, &s, 360000, 95, 8), -1);
	T_EQ(step(&c, &s, 419999, 95, 8), -1);
	T_EQ(step(&c, &s, 420000, 95, 8), 11);
	T_EQ(step(&c, &s, 480000, 85, 11), -1);
	T_EQ(step(&c, &s, 720000, 85, 11), 13);        /* cooldown over: from 11 */
	aas_state_free(&s);

	/* a scale-out during the policy's own scale-in cooldown acts at once and
	 * ends that cooldown: one alarm (> 50) whose steps go both ways, [0, 20)
	 * → −1, [20, ∞) → +2.  0 s at 60 %: 10 → 9; 60 s at 80 %: 9 → 11 at once;
	 * 120 s at 60 %: the scale-in cooldown ended with the scale-out: 11 → 10;
	 * 180 s at 60 %: within the cooldown of that scale-in: nothing; 420 s: 9 */
	c.policies[0].threshold = 50;
	c.policies[0].steps[0] = (struct aas_step){ 0, 20, -1 };
	c.policies[0].steps[1] = (struct aas_step){ 20, INFINITY, 2 };
	aas_state_init(&s, &c);
	T_EQ(step(&c, &s, 0, 60, 10), 9);
	T_EQ(step(&c, &s, 60000, 80, 9), 11);
	T_EQ(step(&c, &s, 120000, 60, 11), 10);
	T_EQ(step(&c, &s, 180000, 60, 10), -1);
	T_EQ(step(&c, &s, 419999, 60, 10), -1);
	T_EQ(step(&c, &s, 420000, 60, 10), 9);
	aas_state_free(&s);
	aas_config_free(&c);
}

/* PercentChangeInCapacity's rounding (the Application Auto Scaling user
 * guide, "How step scaling for Application Auto Scaling works", scaling
 * adjustment types): above 1 rounded down, between 0 and 1 to 1, between 0
 * and −1 to −1, below −1 rounded up; then MinAdjustmentMagnitude.  The
 * auditor's case: 5 tasks, +10 % = 0.5 → +1: 6.  −10 % of 5 = −0.5 → −1: 4.
 * +30 % of 11 = 3.3 → 3: 14; −30 % of 13 = −3.9 → −3: 10 (the guide's
 * example).  A magnitude of 2 lifts +0.5 to +2. */
static int pct_once(double adj, int magnitude, double cpu, int cur)
{
	struct aas_config c = { .min_cap = 1, .max_cap = 100, .n_policies = 1 };
	struct aas_state s;
	int r;

	c.policies = calloc(1, sizeof *c.policies);
	aas_policy_default(&c.policies[0], AAS_STEP);
	c.policies[0].threshold = 80;
	c.policies[0].cmp = adj > 0 ? AAS_GT : AAS_LT;
	c.policies[0].adjust = AAS_PERCENT;
	c.policies[0].min_magnitude = magnitude;
	c.policies[0].n_steps = 1;
	c.policies[0].steps[0] = adj > 0 ? (struct aas_step){ 0, INFINITY, adj }
					 : (struct aas_step){ -INFINITY, 0, adj };
	aas_state_init(&s, &c);
	r = step(&c, &s, 60000, cpu, cur);
	aas_state_free(&s);
	aas_config_free(&c);
	return r;
}

static void test_step_percent_rounding(void)
{
	T_EQ(pct_once(10, 0, 90, 5), 6);
	T_EQ(pct_once(-10, 0, 50, 5), 4);
	T_EQ(pct_once(30, 0, 90, 11), 14);
	T_EQ(pct_once(-30, 0, 50, 13), 10);
	T_EQ(pct_once(10, 2, 90, 5), 7);
	T_EQ(pct_once(-10, 2, 50, 5), 3);
	T_EQ(pct_once(10, 0, 90, 10), 11);      /* exactly 1 */
}

static void test_scheduled_actions(void)
{
	struct aas_config c = one_tt(50, 1, 100);
	struct aas_state s;
	struct aas_decision d;

	c.n_sched = 2;
	c.sched = calloc(2, sizeof *c.sched);
	c.sched[0] = (struct aas_sched){ NULL, 600000, 86400000, 20, -1 };   /* 08:00-ish daily */
	c.sched[1] = (struct aas_sched){ NULL, 3600000, 86400000, 1, 100 };
	aas_state_init(&s, &c);
	T_EQ(aas_next_scheduled(&c, &s), 600000);
	T_EQ(aas_scheduled(&c, &s, 599999, 10, &d), -1);
	T_EQ(aas_scheduled(&c, &s, 600000, 10, &d), 20);     /* min 20 pulls 10 up */
	T_EQ(aas_next_scheduled(&c, &s), 3600000);
	T_EQ(aas_scheduled(&c, &s, 3600000, 20, &d), -1);    /* bounds relaxed, 20 stays */
	T_EQ(s.min_cap, 1);
	T_EQ(aas_next_scheduled(&c, &s), 600000 + 86400000); /* recurs daily */
	aas_state_free(&s);
	aas_config_free(&c);
}

/* ---- task scale-in protection (§5.14) ------------------------------------- */

static void test_task_protection(void)
{
	int64_t until[5] = { -1, tp_expiry_ms(0, 0), -1, tp_expiry_ms(0, 30), -1 };
	int out[5];

	T_EQ(until[1], 120 * 60000);   /* default 120 minutes */
	T_EQ(tp_expiry_ms(0, 5000), 2880 * 60000LL);
	/* scale-in of 4 at 10 min: the two protected tasks stay */
	T_EQ(tp_pick_stoppable(until, 5, 600000, 4, out), 3);
	T_EQ(out[0], 0);
	T_EQ(out[1], 2);
	T_EQ(out[2], 4);
	/* task 3's 30 minutes are over at 31 min */
	T_EQ(tp_pick_stoppable(until, 5, 31 * 60000, 4, out), 4);
	T_EQ(tp_blocks_steady_state(until, 5, 600000, 1), 1);
	T_EQ(tp_blocks_steady_state(until, 5, 600000, 2), 0);
}

/* ---- utilisation models ---------------------------------------------------- */

static cJSON *parse(const char *text, struct jdoc *d)
{
	struct err e;

	err_clear(&e);
	CU_ASSERT_FATAL(jdoc_parse(d, "t.json", text, strlen(text), &e) == 0);
	return d->root;
}

static void test_utilization(void)
{
	struct jdoc d;
	struct util_model m;
	struct err e;
	double used[2] = { 512, 256 }, res[2] = { 1024, 1024 };

	err_clear(&e);
	T_EQ(util_read(&m, parse("{\"curve\":[[0,20],[43200,80]],\"periodSeconds\":86400}", &d),
		       "t.json", "$.u", NULL, &e), 0);
	T_NEAR(util_at(&m, 0, NULL), 20);
	T_NEAR(util_at(&m, 21600000, NULL), 50);     /* half-way */
	T_NEAR(util_at(&m, 60000000, NULL), 80);     /* after the last point */
	T_NEAR(util_at(&m, 86400000 + 21600000, NULL), 50);   /* next day */
	util_free(&m);
	jdoc_free(&d);
	T_EQ(util_read(&m, parse("{\"curve\":[[10,20],[5,80]]}", &d), "t.json", "$.u", NULL, &e), -1);
	T_STREQ(e.path, "$.u.curve[1][0]");
	util_free(&m);
	jdoc_free(&d);
	err_clear(&e);
	T_EQ(util_read(&m, parse("{\"distribution\":{\"constant\":{\"value\":30}},\"curve\":[]}", &d),
		       "t.json", "$.u", NULL, &e), -1);
	util_free(&m);
	jdoc_free(&d);
	/* CloudWatch's service average: Σ used / Σ reserved */
	T_NEAR(util_aggregate(used, res, 2), 37.5);
	CU_ASSERT(isnan(util_aggregate(used, res, 0)));
}

/* ---- the readers ----------------------------------------------------------- */

static const char *const zones[] = { "us-east-1a", "us-east-1b" };

static int read_cfg(const char *text, struct cap_config *c, struct err *e, struct catalog *cat)
{
	struct jdoc d;
	struct cap_ctx x = { "s.json", NULL, cat, zones, 2, NULL, 0 };
	const cJSON *cp, *df, *fg, *ut;
	int rc;

	err_clear(e);
	if (jdoc_parse(&d, "s.json", text, strlen(text), e))
		return -2;
	cp = cJSON_GetObjectItemCaseSensitive(d.root, "capacityProviders");
	df = cJSON_GetObjectItemCaseSensitive(d.root, "defaultCapacityProviderStrategy");
	fg = cJSON_GetObjectItemCaseSensitive(d.root, "fargate");
	ut = cJSON_GetObjectItemCaseSensitive(d.root, "utilization");
	rc = capacity_config_read(c, cp, df, fg, ut, &x, e);
	jdoc_free(&d);
	return rc;
}

#define ASG_OK "\"autoScalingGroup\":{\"instanceType\":\"m5.large\"," \
	"\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],\"maxSize\":20}"

static void test_config_defaults(void)
{
	struct catalog *cat;
	struct cap_config c;
	struct err e;
	const struct cap_provider *p;

	err_clear(&e);
	cat = catalog_builtin(&e);
	CU_ASSERT_FATAL(cat != NULL);
	T_EQ(read_cfg("{\"capacityProviders\":[{\"name\":\"cp1\"," ASG_OK ",\"managedScaling\":{}}],"
		      "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp1\",\"weight\":1}]}",
		      &c, &e, cat), 0);
	T_EQ(c.n_providers, 3);
	T_EQ(cap_find(&c, "FARGATE"), 0);
	T_EQ(cap_find(&c, "FARGATE_SPOT"), 1);
	p = &c.providers[cap_find(&c, "cp1")];
	T_EQ(p->ms.enabled, 1);
	T_EQ(p->ms.target, 100);
	T_EQ(p->ms.min_step, 1);
	T_EQ(p->ms.max_step, 10000);
	T_EQ(p->ms.warmup_ms, 300000);
	T_EQ(p->ms.termination_protection, 0);
	T_EQ(p->ms.draining, 1);
	T_EQ(p->ms.scale_in_datapoints, 15);
	T_EQ(p->ms.scale_out_datapoints, 1);
	T_EQ(p->asg.min_size, 0);
	T_EQ(p->asg.desired, 0);
	T_EQ(p->asg.max_size, 20);
	T_EQ(p->asg.n_azs, 2);
	T_EQ(c.has_default, 1);
	T_EQ(c.default_strategy.items[0].provider, 2);
	T_EQ(c.fargate.az_task_limit, 0);
	cap_config_free(&c);
	catalog_free(cat);
}

static void expect_error(struct catalog *cat, const char *text, const char *path, const char *msg)
{
	struct cap_config c;
	struct err e;
	int rc = read_cfg(text, &c, &e, cat);

	T_EQ(rc, -1);
	T_STREQ(e.path, path);
	if (!strstr(e.msg, msg)) {
		char m[1400];

		snprintf(m, sizeof m, "message \"%s\" lacks \"%s\"", e.msg, msg);
		T_FAIL(m);
	}
	cap_config_free(&c);
}

static void test_config_errors(void)
{
	struct err e;
	struct catalog *cat;

	err_clear(&e);
	cat = catalog_builtin(&e);
	CU_ASSERT_FATAL(cat != NULL);
	expect_error(cat, "{\"capacityProviders\":[{\"name\":\"cp\"," ASG_OK
		     ",\"managedScaling\":{\"targetCapacity\":0}}]}",
		     "$.capacityProviders[0].managedScaling.targetCapacity", "[1, 100]");
	expect_error(cat, "{\"capacityProviders\":[{\"name\":\"cp\"," ASG_OK
		     ",\"managedScaling\":{\"minimumScalingStepSize\":5,\"maximumScalingStepSize\":2}}]}",
		     "$.capacityProviders[0].managedScaling.minimumScalingStepSize",
		     "above maximumScalingStepSize");
	expect_error(cat, "{\"capacityProviders\":[{\"name\":\"cp\"," ASG_OK
		     ",\"managedTerminationProtection\":\"ENABLED\"}]}",
		     "$.capacityProviders[0].managedTerminationProtection", "needs managed scaling");
	expect_error(cat, "{\"capacityProviders\":[{\"name\":\"ecs-cp\"," ASG_OK "}]}",
		     "$.capacityProviders[0].name", "may not begin with");
	expect_error(cat, "{\"capacityProviders\":[{\"name\":\"FARGATE\"," ASG_OK "}]}",
		     "$.capacityProviders[0].name", "built in");
	/* CreateCapacityProvider's rule: letters, digits, '_' and '-' */
	expect_error(cat, "{\"capacityProviders\":[{\"name\":\"cp'a\"," ASG_OK "}]}",
		     "$.capacityProviders[0].name", "letters, digits, '_' or '-'");
	expect_error(cat, "{\"capacityProviders\":[{\"name\":\"cp.a\"," ASG_OK "}]}",
		     "$.capacityProviders[0].name", "letters, digits, '_' or '-'");
	expect_error(cat, "{\"capacityProviders\":[{\"name\":\"cp\",\"autoScalingGroup\":"
		     "{\"instanceType\":\"m5.huge\",\"availabilityZones\":[\"us-east-1a\"],\"maxSize\":1}}]}",
		     "$.capacityProviders[0].autoScalingGroup.instanceType", "unknown instance type");
	expect_error(cat, "{\"capacityProviders\":[{\"name\":\"cp\",\"autoScalingGroup\":"
		     "{\"instanceType\":\"m5.large\",\"availabilityZones\":[\"eu-west-1a\"],\"maxSize\":1}}]}",
		     "$.capacityProviders[0].autoScalingGroup.availabilityZones[0]", "not one of");
	expect_error(cat, "{\"capacityProviders\":[{\"name\":\"cp\",\"autoScalingGroup\":"
		     "{\"instanceType\":\"m5.large\",\"availabilityZones\":[\"us-east-1a\"],\"maxSize\":2,"
		     "\"desiredCapacity\":3}}]}",
		     "$.capacityProviders[0].autoScalingGroup.desiredCapacity", "within minSize..maxSize");
	expect_error(cat, "{\"capacityProviders\":[{\"name\":\"cp\"," ASG_OK
		     ",\"managedScaling\":{\"reservationFormula\":\"M-N\"}}]}",
		     "$.capacityProviders[0].managedScaling.reservationFormula", "\"empty\"");
	expect_error(cat, "{\"capacityProviders\":[{\"name\":\"cp\"," ASG_OK ",\"managedDraining\":\"ON\"}]}",
		     "$.capacityProviders[0].managedDraining", "ENABLED");
	/* strategies */
	expect_error(cat, "{\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE\",\"base\":1,"
		     "\"weight\":1},{\"capacityProvider\":\"FARGATE_SPOT\",\"base\":2,\"weight\":1}]}",
		     "$.defaultCapacityProviderStrategy[1]", "only one item");
	expect_error(cat, "{\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE\"}]}",
		     "$.defaultCapacityProviderStrategy", "weight above 0");
	expect_error(cat, "{\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE\","
		     "\"weight\":1001}]}",
		     "$.defaultCapacityProviderStrategy[0].weight", "[0, 1000]");
	expect_error(cat, "{\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"nope\",\"weight\":1}]}",
		     "$.defaultCapacityProviderStrategy[0].capacityProvider", "unknown capacity provider");
	expect_error(cat, "{\"capacityProviders\":[{\"name\":\"cp\"," ASG_OK "}],"
		     "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE\",\"weight\":1},"
		     "{\"capacityProvider\":\"cp\",\"weight\":1}]}",
		     "$.defaultCapacityProviderStrategy[1].capacityProvider", "may not mix");
	expect_error(cat, "{\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE\",\"weight\":1},"
		     "{\"capacityProvider\":\"FARGATE\",\"weight\":1}]}",
		     "$.defaultCapacityProviderStrategy[1]", "listed twice");
	expect_error(cat, "{\"fargate\":{\"provisioningSeconds\":{\"uniform\":{\"min\":5,\"max\":1}}}}",
		     "$.fargate.provisioningSeconds.uniform.max", "");
	catalog_free(cat);
}

static void test_service_scaling_reader(void)
{
	struct jdoc d;
	struct aas_config a;
	struct cap_protection tp;
	struct err e;
	struct cap_ctx x = { "s.json", NULL, NULL, zones, 2, NULL, 0 };
	int rc;

	err_clear(&e);
	rc = cap_service_scaling_read(&a, parse("{\"minCapacity\":1,\"maxCapacity\":50,"
		"\"targetTracking\":[{\"predefinedMetricType\":\"ECSServiceAverageCPUUtilization\","
		"\"targetValue\":60}],"
		"\"stepScaling\":[{\"metric\":\"ECSServiceAverageMemoryUtilization\",\"threshold\":80,"
		"\"comparisonOperator\":\"GreaterThanThreshold\",\"stepAdjustments\":["
		"{\"metricIntervalLowerBound\":0,\"scalingAdjustment\":2}]}],"
		"\"scheduledActions\":[{\"atSeconds\":3600,\"minCapacity\":5},{\"atSeconds\":60,\"maxCapacity\":9}]}", &d),
		"$.services[0].autoScaling", &x, &e);
	T_EQ(rc, 0);
	T_EQ(a.n_policies, 2);
	T_EQ(a.policies[0].out_cooldown_ms, 300000);
	T_EQ(a.policies[0].in_cooldown_ms, 300000);
	T_EQ(a.policies[0].disable_scale_in, 0);
	T_EQ(a.policies[0].out_datapoints, 3);
	T_EQ(a.policies[0].in_datapoints, 15);
	T_EQ(a.policies[1].kind, AAS_STEP);
	T_EQ(a.policies[1].metric, AAS_MEMORY);
	CU_ASSERT(isinf(a.policies[1].steps[0].upper));
	T_EQ(a.sched[0].at_ms, 60000);          /* sorted by time */
	aas_config_free(&a);
	jdoc_free(&d);
	T_EQ(cap_service_scaling_read(&a, parse("{\"minCapacity\":3,\"maxCapacity\":2}", &d),
				      "$.services[0].autoScaling", &x, &e), -1);
	T_STREQ(e.path, "$.services[0].autoScaling.minCapacity");
	aas_config_free(&a);
	jdoc_free(&d);
	err_clear(&e);
	T_EQ(cap_service_scaling_read(&a, parse("{\"minCapacity\":1,\"maxCapacity\":2,\"targetTracking\":"
		"[{\"predefinedMetricType\":\"CPU\",\"targetValue\":50}]}", &d),
		"$.services[0].autoScaling", &x, &e), -1);
	T_STREQ(e.path, "$.services[0].autoScaling.targetTracking[0].predefinedMetricType");
	aas_config_free(&a);
	jdoc_free(&d);
	err_clear(&e);
	rc = cap_service_scaling_read(&a, parse("{\"minCapacity\":1,\"maxCapacity\":2,\"stepScaling\":"
		"[{\"metric\":\"ECSServiceAverageCPUUtilization\",\"threshold\":1,\"comparisonOperator\":"
		"\"LessThanThreshold\",\"stepAdjustments\":[{\"metricIntervalUpperBound\":0,"
		"\"scalingAdjustment\":-1},{\"metricIntervalUpperBound\":-5,\"scalingAdjustment\":-2}]}]}", &d),
		"$.services[0].autoScaling", &x, &e);
	T_EQ(rc, -1);
	T_STREQ(e.path, "$.services[0].autoScaling.stepScaling[0].stepAdjustments[1]");
	aas_config_free(&a);
	jdoc_free(&d);
	err_clear(&e);
	T_EQ(cap_protection_read(&tp, parse("{\"protectedFraction\":0.25}", &d), "$.services[0].taskProtection",
				 &x, &e), 0);
	T_EQ(tp.minutes, 120);
	jdoc_free(&d);
	T_EQ(cap_protection_read(&tp, parse("{\"protectedFraction\":0.25,\"expiresInMinutes\":2881}", &d),
				 "$.services[0].taskProtection", &x, &e), -1);
	T_STREQ(e.path, "$.services[0].taskProtection.expiresInMinutes");
	jdoc_free(&d);
}

/* ---- scaling.csv ----------------------------------------------------------- */

static void test_scaling_csv(void)
{
	char path[] = "/tmp/ecsim-scaling-XXXXXX";
	char file[64], buf[1024];
	struct err e;
	struct csvout *o;
	FILE *f;
	size_t n;
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	snprintf(file, sizeof file, "%s.csv", path);
	err_clear(&e);
	o = scl_open(file, &e);
	CU_ASSERT_FATAL(o != NULL);
	scl_write(o, &(struct scl_row){ 180000, SCL_SERVICE, "web", "ECSServiceAverageCPUUtilization",
					200, 10, 40, "scale-out", "above target (high alarm)" });
	scl_write(o, &(struct scl_row){ 240000, SCL_CAPACITY_PROVIDER, "cp1", "CapacityProviderReservation",
					150, 4, 6, "scale-out", "above target, one datapoint" });
	scl_write(o, &(struct scl_row){ 600000, SCL_SERVICE, "web", "", NAN, 10, 20, "scheduled", "scheduled action" });
	T_EQ(csvout_close(o, &e), 0);
	f = fopen(file, "r");
	CU_ASSERT_FATAL(f != NULL);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	T_STREQ(buf, "time_s,resource_type,resource,metric,value,old,new,action,reason\n"
		"180.000,service,web,ECSServiceAverageCPUUtilization,200.000,10,40,scale-out,above target (high alarm)\n"
		"240.000,capacity_provider,cp1,CapacityProviderReservation,150.000,4,6,scale-out,\"above target, one datapoint\"\n"
		"600.000,service,web,,,10,20,scheduled,scheduled action\n");
	remove(file);
	remove(path);
}

/* managedScaling.scaleOutDatapoints (docs/ecs-model.md §5.12): above
 * target on that many consecutive datapoints, then on each one after
 * while it stays above; a datapoint at or below target starts the count
 * again.  The default 1 scales out at the first (test_warmup_respected). */
static void test_scale_out_datapoints(void)
{
	struct ms_params p;
	struct ms_state s;
	struct ms_decision d;
	struct ms_input high = { .m = 6, .n = 4, .desired = 4 }, at = { .m = 4, .n = 4, .desired = 4 };
	static const int want[] = { MS_WAIT_HIGH, MS_WAIT_HIGH, MS_NONE, MS_WAIT_HIGH, MS_WAIT_HIGH, MS_SCALE_OUT };
	const struct ms_input *seq[] = { &high, &high, &at, &high, &high, &high };

	ms_params_default(&p);
	p.max_size = 20;
	p.scale_out_datapoints = 3;
	ms_state_init(&s);
	for (int k = 0; k < 6; k++) {
		ms_datapoint(&p, &s, (int64_t)k * 60000, seq[k], &d);
		T_EQ(d.action, want[k]);
	}
	T_EQ(d.new_desired, 6);
	T_STREQ(ms_action_name(MS_WAIT_HIGH), "wait-high");
	/* still above at the next datapoint (the group's desired now 6, the
	 * need 8): out again at once */
	high = (struct ms_input){ .m = 8, .n = 6, .desired = 6 };
	ms_datapoint(&p, &s, 360000, &high, &d);
	T_EQ(d.action, MS_SCALE_OUT);
	T_EQ(d.new_desired, 8);
}

static CU_TestInfo fargate_tests[] = {
	{ "size table complete", test_fargate_table },
	{ "size refusals list the valid sizes", test_fargate_refusals },
	{ "provisioning latency and AZ choice", test_fargate_provision_and_az },
	{ "FARGATE_SPOT interruptions at the configured rate", test_fargate_spot_rate },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo strategy_tests[] = {
	{ "weights 1 and 4 give 1 : 4 over 500 tasks", test_strategy_weights },
	{ "base first", test_strategy_base_first },
	{ "each task to the item whose share is furthest below its weight", test_strategy_share_furthest_below },
	{ "weight 0, unusable providers, removal, validation", test_strategy_weight_zero_and_usable },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo managed_tests[] = {
	{ "reservation values", test_reservation_values },
	{ "binpack estimate", test_binpack_estimate },
	{ "reservation of a hand-computed cluster", test_reservation_cluster },
	{ "scale out from zero to two", test_scale_out_from_zero },
	{ "an idle empty group below target 100 stays at zero", test_idle_zero_stays },
	{ "warm-up respected", test_warmup_respected },
	{ "step sizes and target", test_step_sizes_and_target },
	{ "scale in after exactly 15 low datapoints", test_scale_in_after_15 },
	{ "scale out after scaleOutDatapoints high datapoints", test_scale_out_datapoints },
	{ "managed termination protection", test_termination_protection },
	{ "the older guide's empty-instance formula", test_empty_formula },
	{ "disabled", test_managed_scaling_disabled },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo aas_tests[] = {
	{ "target tracking converges on a step of load", test_target_tracking_converges },
	{ "cooldowns", test_cooldowns },
	{ "scale-in below 90 % of the target only", test_scale_in_threshold },
	{ "scale-in is proportional, in one step", test_scale_in_one_step },
	{ "a target-tracking scale-out ends the scale-in cooldown", test_tt_scale_out_ends_in_cooldown },
	{ "DisableScaleIn and max capacity", test_disable_scale_in_and_bounds },
	{ "scale out if any, scale in if all", test_any_out_all_in },
	{ "step scaling", test_step_scaling },
	{ "step scaling: PercentChangeInCapacity rounding", test_step_percent_rounding },
	{ "step scaling cooldowns: a larger step acts, scale-out ends the scale-in cooldown", test_step_cooldown },
	{ "scheduled actions", test_scheduled_actions },
	{ "task scale-in protection", test_task_protection },
	{ "utilisation models", test_utilization },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo config_tests[] = {
	{ "defaults", test_config_defaults },
	{ "errors name the JSON path", test_config_errors },
	{ "service auto scaling and protection", test_service_scaling_reader },
	{ "scaling.csv rows", test_scaling_csv },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "fargate", NULL, NULL, NULL, NULL, fargate_tests },
	{ "cp-strategy", NULL, NULL, NULL, NULL, strategy_tests },
	{ "managed-scaling", NULL, NULL, NULL, NULL, managed_tests },
	{ "app-scaling", NULL, NULL, NULL, NULL, aas_tests },
	{ "capacity-config", NULL, NULL, NULL, NULL, config_tests },
	CU_SUITE_INFO_NULL,
};
